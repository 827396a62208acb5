//! Rendering `who`, `can` and `what` answers as table, JSON (SPEC §4) and CSV.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{json, Value};

use crate::engine::decide::{ActionDecision, Decision, Grant, GroupRef, WhyNot};
use crate::engine::query::{Answer, WhatRow, WhoAnswer};
use crate::engine::Access;
use crate::model::Snapshot;

use super::csv;
use super::text::writeln_safe;
use super::Cell;

/// What was asked, for the header of every answer.
pub(crate) struct Question<'a> {
    pub(crate) snapshot: &'a Snapshot,
    pub(crate) scope: &'a str,
    /// The concrete actions asked (for an activity, its expansion).
    pub(crate) actions: Vec<String>,
    pub(crate) activity: Option<&'a str>,
    /// Activity requirements that covered no operation in the catalogue.
    pub(crate) uncovered: &'a [String],
    pub(crate) names: &'a super::ScopeNames,
}

fn snapshot_json(s: &Snapshot) -> Value {
    json!({"id": s.id, "takenAt": s.taken_at, "label": s.label})
}

/// A grant as SPEC §4 prints it. Fields in alphabetical order: the same bytes as a
/// `serde_json::Value` object (whose keys are sorted), without building one.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GrantOut<'a> {
    action: &'a str,
    assignment_id: &'a str,
    assignment_scope: &'a str,
    condition: &'a Option<String>,
    matched_pattern: &'a str,
    role_definition_id: &'a str,
    role_name: &'a str,
    #[serde(serialize_with = "via_ids")]
    via: &'a [crate::engine::decide::GroupRef],
}

fn via_ids<S: serde::Serializer>(
    via: &&[crate::engine::decide::GroupRef],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(via.iter().map(|v| v.id.as_str()))
}

impl<'a> GrantOut<'a> {
    fn new(g: &'a Grant) -> GrantOut<'a> {
        GrantOut {
            action: &g.action,
            assignment_id: &g.assignment_id,
            assignment_scope: &g.assignment_scope,
            condition: &g.condition,
            matched_pattern: &g.matched_pattern,
            role_definition_id: &g.role_definition_id,
            role_name: &g.role_name,
            via: &g.via,
        }
    }
}

/// A principal that can, as SPEC §4 prints it (fields in alphabetical order, as
/// [`GrantOut`]).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrincipalOut<'a> {
    access: Access,
    account_enabled: Option<bool>,
    display_name: &'a str,
    grants: Vec<GrantOut<'a>>,
    id: &'a str,
    orphaned: Option<bool>,
    #[serde(rename = "type")]
    kind: &'a str,
    user_principal_name: &'a Option<String>,
    user_type: &'a Option<String>,
}

impl<'a> PrincipalOut<'a> {
    fn new(d: &'a Decision) -> PrincipalOut<'a> {
        let p = &d.principal;
        PrincipalOut {
            access: d.access,
            account_enabled: p.account_enabled,
            display_name: &p.display_name,
            grants: d
                .actions
                .iter()
                .flat_map(|a| a.grants.iter().map(GrantOut::new))
                .collect(),
            id: &p.id,
            orphaned: p.orphaned,
            kind: &p.kind,
            user_principal_name: &p.user_principal_name,
            user_type: &p.user_type,
        }
    }
}

/// One entry of `denied`: a deny assignment that blocks the principal, with the
/// assignments whose grants it overrides. Fields in the order `json!` wrote them
/// before (alphabetical), so the bytes are unchanged.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeniedOut<'a> {
    actions: Vec<&'a str>,
    deny_assignment_id: &'a str,
    display_name: &'a str,
    grants: Vec<&'a str>,
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

fn denied_out(d: &Decision) -> Vec<DeniedOut<'_>> {
    let mut out: Vec<DeniedOut<'_>> = Vec::new();
    for a in &d.actions {
        for h in &a.denies {
            let i = match out
                .iter()
                .position(|x| x.deny_assignment_id == h.deny_assignment_id)
            {
                Some(i) => i,
                None => {
                    out.push(DeniedOut {
                        actions: Vec::new(),
                        deny_assignment_id: &h.deny_assignment_id,
                        display_name: &d.principal.display_name,
                        grants: Vec::new(),
                        id: &d.principal.id,
                        kind: &d.principal.kind,
                    });
                    out.len() - 1
                }
            };
            let x = &mut out[i];
            for g in &a.grants {
                if !x.grants.contains(&g.assignment_id.as_str()) {
                    x.grants.push(&g.assignment_id);
                }
            }
            if !x.actions.contains(&a.action.as_str()) {
                x.actions.push(&a.action);
            }
        }
    }
    out
}

/// One entry of `eligible`, fields in `json!`'s (alphabetical) order as before.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EligibleOut<'a> {
    assignment_scope: &'a str,
    display_name: &'a str,
    eligibility_id: &'a str,
    end_date_time: &'a Option<String>,
    id: &'a str,
    role_definition_id: &'a str,
    role_name: &'a str,
    start_date_time: &'a Option<String>,
    #[serde(rename = "type")]
    kind: &'a str,
    via: Vec<&'a str>,
}

fn eligible_out(d: &Decision) -> Vec<EligibleOut<'_>> {
    let mut out: Vec<EligibleOut<'_>> = Vec::new();
    for a in &d.actions {
        for e in &a.eligible {
            if out.iter().any(|x| x.eligibility_id == e.eligibility_id) {
                continue;
            }
            out.push(EligibleOut {
                assignment_scope: &e.assignment_scope,
                display_name: &d.principal.display_name,
                eligibility_id: &e.eligibility_id,
                end_date_time: &e.end_date_time,
                id: &d.principal.id,
                role_definition_id: &e.role_definition_id,
                role_name: &e.role_name,
                start_date_time: &e.start_date_time,
                kind: &d.principal.kind,
                via: e.via.iter().map(|v| v.id.as_str()).collect(),
            });
        }
    }
    out
}

/// What an answer could not see: groups whose members were not imported, and
/// activity requirements that cover no operation of the catalogue.
fn incomplete_json(
    groups: &[crate::engine::decide::Incomplete],
    uncovered: &[String],
) -> Vec<Value> {
    groups
        .iter()
        .cloned()
        .chain(
            uncovered
                .iter()
                .map(|p| crate::engine::decide::Incomplete::wildcard(p)),
        )
        .map(|i| serde_json::to_value(i).unwrap_or(Value::Null))
        .collect()
}

/// SPEC §4, written as the answers come: `principals` streams, `denied` and
/// `eligible` are held until the end, each entry already written as compact JSON.
pub(crate) struct WhoJsonStream<'w> {
    out: &'w mut dyn Write,
    first: bool,
    denied: Vec<String>,
    eligible: Vec<String>,
}

impl<'w> WhoJsonStream<'w> {
    pub(crate) fn start(out: &'w mut dyn Write, q: &Question) -> io::Result<WhoJsonStream<'w>> {
        let field = |k: &str, v: &Value| format!("  {}: {}", json!(k), v);
        writeln!(out, "{{")?;
        writeln!(out, "{},", field("snapshot", &snapshot_json(q.snapshot)))?;
        writeln!(out, "{},", field("scope", &json!(q.scope)))?;
        writeln!(out, "{},", field("actions", &json!(q.actions)))?;
        if let Some(a) = q.activity {
            writeln!(out, "{},", field("activity", &json!(a)))?;
        }
        write!(out, "  \"principals\": [")?;
        Ok(WhoJsonStream {
            out,
            first: true,
            denied: Vec::new(),
            eligible: Vec::new(),
        })
    }

    pub(crate) fn push(&mut self, a: &Answer) -> io::Result<()> {
        match a.decision.access {
            Access::Allowed | Access::Conditional => {
                let sep = if self.first { "\n    " } else { ",\n    " };
                self.first = false;
                self.out.write_all(sep.as_bytes())?;
                serde_json::to_writer(&mut *self.out, &PrincipalOut::new(&a.decision))
                    .map_err(io::Error::other)
            }
            Access::Denied => {
                for x in denied_out(&a.decision) {
                    self.denied
                        .push(serde_json::to_string(&x).map_err(io::Error::other)?);
                }
                Ok(())
            }
            Access::Eligible => {
                for x in eligible_out(&a.decision) {
                    self.eligible
                        .push(serde_json::to_string(&x).map_err(io::Error::other)?);
                }
                Ok(())
            }
            Access::None => Ok(()),
        }
    }

    /// The closing lists; `escalations` (`--effective`) before `incomplete`
    /// when asked.
    pub(crate) fn finish(
        mut self,
        q: &Question,
        incomplete: &[crate::engine::decide::Incomplete],
        escalations: Option<&[Value]>,
    ) -> io::Result<()> {
        self.close_lists()?;
        if let Some(e) = escalations {
            write!(self.out, "  \"escalations\": ")?;
            write_list(self.out, e)?;
            writeln!(self.out, ",")?;
        }
        self.close(q, incomplete)
    }

    /// [`WhoJsonStream::finish`] with the escalations (`--effective`) written
    /// as they come: `escalations` is handed the function that writes one.
    pub(crate) fn finish_with_escalations(
        mut self,
        q: &Question,
        incomplete: &[crate::engine::decide::Incomplete],
        escalations: impl FnOnce(
            &mut dyn FnMut(&crate::engine::escalate::Escalation) -> io::Result<()>,
        ) -> io::Result<()>,
    ) -> io::Result<()> {
        self.close_lists()?;
        write!(self.out, "  \"escalations\": ")?;
        let mut first = true;
        {
            let out = &mut *self.out;
            let mut one = |e: &crate::engine::escalate::Escalation| -> io::Result<()> {
                out.write_all(if first { b"[\n    " } else { b",\n    " })?;
                first = false;
                serde_json::to_writer(&mut *out, &super::escalation::escalation_out(e))
                    .map_err(io::Error::other)
            };
            escalations(&mut one)?;
        }
        writeln!(self.out, "{},", if first { "[]" } else { "\n  ]" })?;
        self.close(q, incomplete)
    }

    /// The end of `principals`, then `denied` and `eligible`.
    fn close_lists(&mut self) -> io::Result<()> {
        writeln!(self.out, "{}],", if self.first { "" } else { "\n  " })?;
        write!(self.out, "  \"denied\": ")?;
        write_list(self.out, &self.denied)?;
        write!(self.out, ",\n  \"eligible\": ")?;
        write_list(self.out, &self.eligible)?;
        writeln!(self.out, ",")
    }

    /// `incomplete`, and the end of the object.
    fn close(
        self,
        q: &Question,
        incomplete: &[crate::engine::decide::Incomplete],
    ) -> io::Result<()> {
        write!(self.out, "  \"incomplete\": ")?;
        write_list(self.out, &incomplete_json(incomplete, q.uncovered))?;
        writeln!(self.out, "\n}}")
    }
}

/// A list of `who`'s JSON closing lists: compact items, one a line, written
/// as it goes.
fn write_list<T: std::fmt::Display>(out: &mut dyn Write, items: &[T]) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    for (i, x) in items.iter().enumerate() {
        write!(out, "{}\n    {x}", if i == 0 { "" } else { "," })?;
    }
    out.write_all(b"\n  ]")
}

fn via_names(via: &[GroupRef]) -> String {
    via.iter()
        .map(|g| g.name.clone())
        .collect::<Vec<_>>()
        .join(" → ")
}

fn principal_label(d: &Decision) -> String {
    let p = &d.principal;
    let mut s = if p.display_name.is_empty() {
        p.id.clone()
    } else {
        p.display_name.clone()
    };
    if let Some(u) = &p.user_principal_name {
        s.push_str(&format!(" <{u}>"));
    }
    s
}

fn notes(d: &Decision) -> String {
    principal_notes(&d.principal)
}

/// What the tables note about a principal: orphaned (or unknown), guest,
/// disabled, managed identity.
pub(crate) fn principal_notes(p: &crate::engine::decide::PrincipalInfo) -> String {
    let mut n = Vec::new();
    if p.is_orphaned() {
        n.push("orphaned".to_string());
    } else if p.orphaned.is_none() {
        n.push("orphan status unknown (no listing of its kind)".to_string());
    }
    if p.user_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Guest"))
    {
        n.push("guest".into());
    }
    if p.account_enabled == Some(false) {
        n.push("disabled".into());
    }
    if p.managed_identity {
        n.push("managed identity".into());
    }
    n.join(", ")
}

/// The roles and the paths of one principal, one line each (a table cell of
/// several lines).
fn roles_summary(d: &Decision, names: &super::ScopeNames) -> (Vec<String>, Vec<String>) {
    let mut roles: Vec<String> = Vec::new();
    let mut vias: Vec<String> = Vec::new();
    let push = |v: &mut Vec<String>, s: String| {
        if !v.contains(&s) {
            v.push(s)
        }
    };
    for a in &d.actions {
        for g in &a.grants {
            push(
                &mut roles,
                format!("{} @ {}", g.role_name, names.label(&g.assignment_scope)),
            );
            push(
                &mut vias,
                if g.via.is_empty() {
                    "direct".into()
                } else {
                    via_names(&g.via)
                },
            );
        }
        if a.access.grants() {
            continue;
        }
        for e in &a.eligible {
            push(
                &mut roles,
                format!(
                    "{} @ {} (eligible)",
                    e.role_name,
                    names.label(&e.assignment_scope)
                ),
            );
            push(
                &mut vias,
                if e.via.is_empty() {
                    "direct".into()
                } else {
                    via_names(&e.via)
                },
            );
        }
    }
    (roles, vias)
}

pub(crate) fn who_table(
    out: &mut dyn Write,
    q: &Question,
    w: &WhoAnswer,
    explain: bool,
) -> io::Result<()> {
    let mut t = super::table(&["principal", "type", "access", "via", "roles", "notes"]);
    for a in &w.answers {
        let d = &a.decision;
        let (roles, via) = roles_summary(d, q.names);
        t.add_row([
            Cell::from(principal_label(d)),
            Cell::from(&d.principal.kind),
            Cell::from(d.access.as_str()),
            Cell::lines(via),
            Cell::lines(roles),
            Cell::from(notes(d)),
        ]);
    }
    super::writeln_wrapped(
        out,
        &format!(
            "{} at {} (snapshot {}{})",
            match q.activity {
                Some(a) => format!("who can `{a}`"),
                None => format!("who can {}", q.actions.join(" + ")),
            },
            q.scope,
            q.snapshot.id,
            q.snapshot
                .label
                .as_deref()
                .map(|l| format!(", {l}"))
                .unwrap_or_default()
        ),
        2,
    )?;
    if w.answers.is_empty() {
        writeln_safe!(out, "nobody")?;
    } else {
        writeln!(out, "{t}")?;
        writeln_safe!(out, "{}", who_totals(w))?;
    }
    for i in &w.incomplete {
        super::writeln_wrapped(out, &format!("incomplete: {}", i.describe()), 2)?;
    }
    for p in q.uncovered {
        super::writeln_wrapped(
            out,
            &format!(
                "incomplete: {}",
                crate::engine::decide::Incomplete::wildcard(p).describe()
            ),
            2,
        )?;
    }
    if explain {
        for a in &w.answers {
            writeln!(out)?;
            explain_decision(out, &a.decision, q.names)?;
        }
    }
    Ok(())
}

/// The line under `who`'s table: how many principals, by access.
fn who_totals(w: &WhoAnswer) -> String {
    let count = |a: Access| w.answers.iter().filter(|x| x.decision.access == a).count();
    let n = w.answers.len();
    let parts: Vec<String> = [
        Access::Allowed,
        Access::Conditional,
        Access::Denied,
        Access::Eligible,
    ]
    .into_iter()
    .map(|a| (count(a), a.as_str()))
    .filter(|(c, _)| *c > 0)
    .map(|(c, a)| format!("{c} {a}"))
    .collect();
    format!(
        "{n} {}: {}",
        if n == 1 { "principal" } else { "principals" },
        parts.join(", ")
    )
}

/// Every path of one decision, and why not where the answer is not allowed.
pub(crate) fn explain_decision(
    out: &mut dyn Write,
    d: &Decision,
    names: &super::ScopeNames,
) -> io::Result<()> {
    writeln_safe!(
        out,
        "{} ({}): {}",
        principal_label(d),
        d.principal.kind,
        d.access.as_str()
    )?;
    for a in &d.actions {
        writeln_safe!(
            out,
            "  {} at {}: {}{}",
            a.action,
            names.label(&a.scope),
            a.access.as_str(),
            if a.data { " (data action)" } else { "" }
        )?;
        for g in &a.grants {
            writeln_safe!(out, "    {}", grant_line(g, names))?;
        }
        write_why_not(out, a, names)?;
    }
    Ok(())
}

fn grant_line(g: &Grant, names: &super::ScopeNames) -> String {
    format!(
        "{}role {} at {} ({}{}; assignment {}) → block {} pattern `{}`{}",
        if g.via.is_empty() {
            "direct → ".to_string()
        } else {
            format!("via {} → ", via_names(&g.via))
        },
        g.role_name,
        names.label(&g.assignment_scope),
        g.scope_level.as_str(),
        if g.inherited { ", inherited" } else { "" },
        g.assignment_id.rsplit('/').next().unwrap_or(""),
        g.block,
        g.matched_pattern,
        g.condition
            .as_deref()
            .map(|c| format!(" — only if: {c}"))
            .unwrap_or_default()
    )
}

fn write_why_not(
    out: &mut dyn Write,
    a: &ActionDecision,
    names: &super::ScopeNames,
) -> io::Result<()> {
    for w in &a.why_not {
        writeln_safe!(out, "    {}", why_not_text(w, names))?;
    }
    Ok(())
}

/// One why-not reason as a sentence (tables, and `can`'s CSV).
fn why_not_text(w: &WhyNot, names: &super::ScopeNames) -> String {
    {
        match w {
            WhyNot::ExcludedByNotActions { role_name, assignment_scope, via, matched_pattern, excluded_by, .. } => format!(
                "why not: role {role_name} at {}{} lists `{matched_pattern}` but its notActions `{excluded_by}` exclude it",
                names.label(assignment_scope),
                if via.is_empty() { String::new() } else { format!(" (via {})", via_names(via)) }
            ),
            WhyNot::Denied { deny } => format!(
                "why not: deny assignment {} at {} blocks it (pattern `{}`, naming {}){}",
                deny.deny_name, names.label(&deny.deny_scope), deny.matched_pattern,
                if deny.matched_principal == crate::model::ALL_PRINCIPALS { "All Principals" } else { deny.matched_principal.as_str() },
                match &deny.condition {
                    Some(c) => format!(", where its condition holds (not evaluated): {c}"),
                    None => String::new(),
                }
            ),
            WhyNot::EligibleOnly { eligible: e } => format!(
                "why not: only eligible (PIM) for {} at {}, window {} – {}: it must be activated first",
                e.role_name,
                names.label(&e.assignment_scope),
                e.start_date_time.as_deref().unwrap_or("?"),
                e.end_date_time.as_deref().unwrap_or("no end")
            ),
            WhyNot::EligibilityNotInForce { eligible: e, state } => format!(
                "why not: {} for {} at {}, window {} – {}, has {} at the snapshot's time: it grants nothing, not even eligibility",
                eligible_what(e),
                e.role_name,
                names.label(&e.assignment_scope),
                e.start_date_time.as_deref().unwrap_or("?"),
                e.end_date_time.as_deref().unwrap_or("no end"),
                if *state == crate::engine::window::WindowState::Ended { "ended" } else { "not started (scheduled)" }
            ),
            WhyNot::EligibleElsewhere { eligible: e, relation, state } => format!(
                "why not: {} for {}{} is held only at {} scope {}, which does not contain the asked scope (window {} – {}{})",
                eligible_what(e),
                e.role_name,
                if e.via.is_empty() { String::new() } else { format!(" via {}", via_names(&e.via)) },
                if relation == "child" { "the child" } else { "another" },
                names.label(&e.assignment_scope),
                e.start_date_time.as_deref().unwrap_or("?"),
                e.end_date_time.as_deref().unwrap_or("no end"),
                match state {
                    crate::engine::window::WindowState::Active => "",
                    crate::engine::window::WindowState::Ended => ", ended",
                    crate::engine::window::WindowState::Scheduled => ", scheduled",
                }
            ),
            WhyNot::AssignmentNotInForce { grant, state, start_date_time, end_date_time } => format!(
                "why not: the time-bound assignment of {} at {} (window {} – {}) has {} at the snapshot's time",
                grant.role_name,
                names.label(&grant.assignment_scope),
                start_date_time.as_deref().unwrap_or("?"),
                end_date_time.as_deref().unwrap_or("no end"),
                if *state == crate::engine::window::WindowState::Ended { "ended" } else { "not started" }
            ),
            WhyNot::ConditionalOnly { grant } => format!(
                "why not unconditionally: {} at {} grants it only if: {}",
                grant.role_name,
                names.label(&grant.assignment_scope),
                grant.condition.as_deref().unwrap_or("")
            ),
            WhyNot::HeldElsewhere { role_name, assignment_scope, relation, via, matched_pattern, .. } => format!(
                "why not: {role_name} (pattern `{matched_pattern}`) is held{} only at {} scope {}, which does not contain the asked scope",
                if via.is_empty() { String::new() } else { format!(" via {}", via_names(via)) },
                if relation == "child" { "the child" } else { "another" },
                names.label(assignment_scope)
            ),
            WhyNot::DataActionNotCovered { role_name, matched_pattern, .. } => format!(
                "why not: {role_name}'s actions `{matched_pattern}` match, but this is a data action and only dataActions grant data actions"
            ),
            WhyNot::UndefinedRole { assignment_id, role_definition_id, role_definition_name } => format!(
                "why not (unknown): assignment {assignment_id} refers to role {}{} which is not defined in this snapshot",
                role_definition_id,
                role_definition_name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
            ),
            WhyNot::NoAssignment => "why not: no role held by this principal or its groups at or above this scope grants it".to_string(),
        }
    }
}

/// "an eligibility" or, for PIM for Groups, "eligible membership of group G".
fn eligible_what(e: &crate::engine::decide::EligibleGrant) -> String {
    match &e.group {
        Some(g) => format!(
            "eligible membership (PIM for Groups) of {}",
            if g.name.is_empty() { &g.id } else { &g.name }
        ),
        None => "an eligibility (PIM)".to_string(),
    }
}

/// One CSV row per (principal, grant); denied and eligible principals too.
/// The CSV of `who`, written as the answers come: the header, then each
/// principal's rows.
pub(crate) struct WhoCsvStream<'w> {
    c: csv::Writer<'w>,
    /// `--effective`: the last column is `escalation_step`.
    effective: bool,
}

impl<'w> WhoCsvStream<'w> {
    /// With `effective`, one column more (`escalation_step`), empty on the rows
    /// of RBAC's answer.
    pub(crate) fn start(out: &'w mut dyn Write, effective: bool) -> io::Result<WhoCsvStream<'w>> {
        let mut c = csv::Writer::new(out);
        if effective {
            c.row(WHO_CSV_COLUMNS.into_iter().chain(["escalation_step"]))?;
        } else {
            who_csv_header(&mut c)?;
        }
        Ok(WhoCsvStream { c, effective })
    }

    pub(crate) fn push(&mut self, a: &Answer) -> io::Result<()> {
        if self.effective {
            who_csv_rows_with(&mut self.c, a, &|_| vec![String::new()])
        } else {
            who_csv_rows(&mut self.c, a)
        }
    }

    /// An escalation's rows (one per step), after RBAC's.
    pub(crate) fn push_escalation(
        &mut self,
        e: &crate::engine::escalate::Escalation,
        names: &super::ScopeNames,
    ) -> io::Result<()> {
        super::escalation::escalation_csv_rows(&mut self.c, std::slice::from_ref(e), names, 0)
    }

    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.c.flush()
    }
}

/// The columns of `who`'s CSV (`can`'s adds `why_not`).
const WHO_CSV_COLUMNS: [&str; 14] = [
    "principal_id",
    "principal_type",
    "display_name",
    "user_principal_name",
    "access",
    "orphaned",
    "action",
    "via",
    "role_name",
    "role_definition_id",
    "assignment_id",
    "assignment_scope",
    "matched_pattern",
    "condition",
];

pub(crate) fn who_csv_header(c: &mut csv::Writer) -> io::Result<()> {
    c.row(WHO_CSV_COLUMNS)
}

/// The CSV rows of one principal: one per grant (or, with none, per eligibility).
pub(crate) fn who_csv_rows(c: &mut csv::Writer, a: &Answer) -> io::Result<()> {
    who_csv_rows_with(c, a, &|_| Vec::new())
}

/// [`who_csv_rows`], each row followed by the cells `tail` gives for its action.
fn who_csv_rows_with(
    c: &mut csv::Writer,
    a: &Answer,
    tail: &dyn Fn(&crate::engine::decide::ActionDecision) -> Vec<String>,
) -> io::Result<()> {
    {
        let d = &a.decision;
        let p = &d.principal;
        let base = |c: &mut csv::Writer, rest: [&str; 8], tail: &[String]| -> io::Result<()> {
            let mut row = vec![
                p.id.as_str(),
                p.kind.as_str(),
                p.display_name.as_str(),
                p.user_principal_name.as_deref().unwrap_or(""),
                d.access.as_str(),
                p.orphan_text(),
            ];
            row.extend(rest);
            row.extend(tail.iter().map(String::as_str));
            c.row(row)
        };
        for act in &d.actions {
            let tail = tail(act);
            for g in &act.grants {
                let via = g
                    .via
                    .iter()
                    .map(|v| v.id.clone())
                    .collect::<Vec<_>>()
                    .join(";");
                base(
                    c,
                    [
                        &g.action,
                        &via,
                        &g.role_name,
                        &g.role_definition_id,
                        &g.assignment_id,
                        &g.assignment_scope,
                        &g.matched_pattern,
                        g.condition.as_deref().unwrap_or(""),
                    ],
                    &tail,
                )?;
            }
            if act.grants.is_empty() {
                for e in &act.eligible {
                    let via = e
                        .via
                        .iter()
                        .map(|v| v.id.clone())
                        .collect::<Vec<_>>()
                        .join(";");
                    base(
                        c,
                        [
                            &e.action,
                            &via,
                            &e.role_name,
                            &e.role_definition_id,
                            &e.eligibility_id,
                            &e.assignment_scope,
                            &e.matched_pattern,
                            e.condition.as_deref().unwrap_or(""),
                        ],
                        &tail,
                    )?;
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn can_json(
    q: &Question,
    a: &Answer,
    incomplete: &[crate::engine::decide::Incomplete],
    escalation: Option<Option<&crate::engine::escalate::Escalation>>,
) -> Value {
    let mut v = can_json_rbac(q, a, incomplete);
    // `--effective`: `escalation` is the chain, or null when none reaches it.
    if let (Some(e), Some(o)) = (escalation, v.as_object_mut()) {
        o.insert(
            "escalation".into(),
            e.map(super::escalation::escalation_json)
                .unwrap_or(Value::Null),
        );
    }
    v
}

fn can_json_rbac(
    q: &Question,
    a: &Answer,
    incomplete: &[crate::engine::decide::Incomplete],
) -> Value {
    json!({
        "snapshot": snapshot_json(q.snapshot),
        "scope": q.scope,
        "actions": q.actions,
        "activity": q.activity,
        "principal": a.decision.principal,
        "access": a.decision.access,
        "allowed": a.decision.access.grants(),
        "decisions": a.decision.actions,
        "incomplete": incomplete_json(incomplete, q.uncovered),
        "uncovered": q.uncovered,
    })
}

pub(crate) fn can_text(
    out: &mut dyn Write,
    q: &Question,
    a: &Answer,
    incomplete: &[crate::engine::decide::Incomplete],
    explain: bool,
) -> io::Result<()> {
    let d = &a.decision;
    let verdict = match d.access {
        Access::Allowed => "yes",
        Access::Conditional => "yes, conditionally",
        Access::Denied => "no (denied)",
        // SPEC §2 rule 9 ranks `denied` above an active grant only: an
        // eligibility a deny assignment would still block once activated is
        // `eligible`, and the verdict says what activating would not change.
        Access::Eligible
            if d.actions
                .iter()
                .any(|x| x.access == Access::Eligible && !x.denies.is_empty()) =>
        {
            "no (eligible through PIM, but a deny assignment blocks it even once activated)"
        }
        Access::Eligible => "no (eligible only: could activate through PIM)",
        Access::None => "no",
    };
    super::writeln_wrapped(
        out,
        &format!(
            "{verdict}: {} {} {} at {} ({})",
            principal_label(d),
            if d.access.grants() { "can" } else { "cannot" },
            match q.activity {
                Some(act) => format!("`{act}`"),
                None => q.actions.join(" + "),
            },
            q.names.label(q.scope),
            q.scope
        ),
        2,
    )?;
    let n = notes(d);
    if !n.is_empty() {
        writeln_safe!(out, "note: principal is {n}")?;
    }
    for act in &d.actions {
        let show = explain || act.access != Access::Allowed;
        if !show {
            continue;
        }
        super::writeln_wrapped(
            out,
            &format!("  {} at {}: {}", act.action, act.scope, act.access.as_str()),
            2,
        )?;
        if explain {
            for g in &act.grants {
                writeln_safe!(out, "    {}", grant_line(g, q.names))?;
            }
        }
        write_why_not(out, act, q.names)?;
    }
    if !explain && d.access.grants() {
        // The shortest reason: the first grant of each action.
        for act in &d.actions {
            if let Some(g) = act.grants.first() {
                writeln_safe!(out, "  {}: {}", act.action, grant_line(g, q.names))?;
            }
        }
    }
    for i in incomplete {
        super::writeln_wrapped(out, &format!("incomplete: {}", i.describe()), 2)?;
    }
    for p in q.uncovered {
        super::writeln_wrapped(
            out,
            &format!(
                "incomplete: {}",
                crate::engine::decide::Incomplete::wildcard(p).describe()
            ),
            2,
        )?;
    }
    Ok(())
}

/// `who`'s columns plus `why_not`: an action the principal cannot do is a row too
/// (access `none` or `denied`, no grant), whose `why_not` says why, so a "no" is
/// never an empty sheet.
pub(crate) fn can_csv(
    out: &mut dyn Write,
    a: &Answer,
    names: &super::ScopeNames,
    escalation: Option<&crate::engine::escalate::Escalation>,
) -> io::Result<()> {
    let mut c = csv::Writer::new(out);
    c.row(WHO_CSV_COLUMNS.into_iter().chain(["why_not"]))?;
    // The rows `who` writes, each with its action's `why_not` (a deny that
    // blocks the grant, what an eligibility needs): empty where it is allowed.
    who_csv_rows_with(&mut c, a, &|act| {
        let why: Vec<String> = act.why_not.iter().map(|w| why_not_text(w, names)).collect();
        vec![why.join("; ")]
    })?;
    let d = &a.decision;
    let p = &d.principal;
    for act in d
        .actions
        .iter()
        .filter(|x| x.grants.is_empty() && x.eligible.is_empty())
    {
        let why: Vec<String> = act.why_not.iter().map(|w| why_not_text(w, names)).collect();
        c.row([
            p.id.as_str(),
            p.kind.as_str(),
            p.display_name.as_str(),
            p.user_principal_name.as_deref().unwrap_or(""),
            act.access.as_str(),
            p.orphan_text(),
            act.action.as_str(),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            &why.join("; "),
        ])?;
    }
    if let Some(e) = escalation {
        // `why_not` holds the step (the chain that reaches what RBAC does not give).
        super::escalation::escalation_csv_rows(&mut c, std::slice::from_ref(e), names, 0)?;
    }
    c.flush()
}

/// `operations` are what the principal can do (allowed or conditional);
/// `denied` what a deny assignment blocks; `eligible` what needs a PIM
/// activation first.
pub(crate) fn what_json(
    snapshot: &Snapshot,
    scope: &str,
    principal: &crate::engine::decide::PrincipalInfo,
    rows: &[WhatRow],
    incomplete: &[crate::engine::decide::Incomplete],
) -> Value {
    let of = |keep: &dyn Fn(Access) -> bool| -> Vec<&WhatRow> {
        rows.iter().filter(|r| keep(r.access)).collect()
    };
    json!({
        "snapshot": snapshot_json(snapshot),
        "scope": scope,
        "principal": principal,
        "operations": of(&|a| a.grants()),
        "denied": of(&|a| a == Access::Denied),
        "eligible": of(&|a| a == Access::Eligible),
        "incomplete": incomplete,
    })
}

/// `Provider/resourceType` of an operation (the provider alone for a
/// provider-level operation), and the operation's own part after it.
fn what_parts(r: &WhatRow) -> (String, String) {
    let group = if r.resource_type.is_empty() {
        r.provider.clone()
    } else {
        format!("{}/{}", r.provider, r.resource_type)
    };
    let own = r
        .operation
        .get(group.len()..)
        .filter(|rest| {
            r.operation[..group.len()].eq_ignore_ascii_case(&group) && rest.starts_with('/')
        })
        .map(|rest| rest[1..].to_string())
        .unwrap_or_else(|| r.operation.clone());
    (group, own)
}

/// One table of `what`'s rows, grouped by resource type (the type named on the
/// first row of its group), with the catalogue's description of each operation.
fn what_section(rows: &[&WhatRow], last: &str, cell: &dyn Fn(&WhatRow) -> String) -> super::Table {
    let mut t = super::table(&["resource type", "operation", "description", "access", last]);
    let mut previous = String::new();
    for r in rows {
        let (group, own) = what_parts(r);
        let shown = if group == previous {
            String::new()
        } else {
            group.clone()
        };
        previous = group;
        t.add_row([
            shown,
            own,
            r.display_name.clone().unwrap_or_default(),
            format!(
                "{}{}",
                r.access.as_str(),
                if r.is_data_action { " (data)" } else { "" }
            ),
            cell(r),
        ]);
    }
    t
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn what_table(
    out: &mut dyn Write,
    principal: &crate::engine::decide::PrincipalInfo,
    scope_label: &str,
    rows: &[WhatRow],
) -> io::Result<()> {
    let can: Vec<&WhatRow> = rows.iter().filter(|r| r.access.grants()).collect();
    let denied: Vec<&WhatRow> = rows.iter().filter(|r| r.access == Access::Denied).collect();
    let eligible: Vec<&WhatRow> = rows
        .iter()
        .filter(|r| r.access == Access::Eligible)
        .collect();
    let who = if principal.display_name.is_empty() {
        principal.id.clone()
    } else {
        principal.display_name.clone()
    };
    if rows.is_empty() {
        return super::writeln_wrapped(out, &format!("{who} holds no role that grants an operation of the imported catalogue at {scope_label}: none directly, through a group or as a PIM eligibility"), 2);
    }
    if can.is_empty() {
        super::writeln_wrapped(
            out,
            &format!("{who} can do no operation of the imported catalogue at {scope_label} now"),
            2,
        )?;
    } else {
        writeln!(
            out,
            "{}",
            what_section(&can, "granted by", &|r| r.roles.join(", "))
        )?;
    }
    let conditional = can
        .iter()
        .filter(|r| r.access == Access::Conditional)
        .count();
    super::writeln_wrapped(
        out,
        &format!(
            "{who} at {scope_label}: {} allowed{}, {} denied, {} eligible only",
            plural(can.len(), "operation", "operations"),
            if conditional > 0 {
                format!(" ({conditional} only under a condition)")
            } else {
                String::new()
            },
            denied.len(),
            eligible.len()
        ),
        2,
    )?;
    if !denied.is_empty() {
        writeln!(out)?;
        writeln_safe!(
            out,
            "Denied: a deny assignment blocks {} the roles would grant",
            plural(denied.len(), "operation", "operations")
        )?;
        writeln!(
            out,
            "{}",
            what_section(
                &denied,
                "blocked by (roles that would grant)",
                &|r| format!("{} ({})", r.blocked_by.join(", "), r.roles.join(", "))
            )
        )?;
    }
    if !eligible.is_empty() {
        writeln!(out)?;
        writeln_safe!(
            out,
            "Eligible only: {} once a PIM eligibility is activated",
            plural(eligible.len(), "operation", "operations")
        )?;
        writeln!(
            out,
            "{}",
            what_section(&eligible, "eligible for", &|r| r.roles.join(", "))
        )?;
    }
    Ok(())
}

pub(crate) fn what_csv(out: &mut dyn Write, rows: &[WhatRow]) -> io::Result<()> {
    let mut c = csv::Writer::new(out);
    c.row([
        "provider",
        "resource_type",
        "operation",
        "is_data_action",
        "access",
        "roles",
        "blocked_by",
    ])?;
    for r in rows {
        c.row([
            r.provider.as_str(),
            r.resource_type.as_str(),
            r.operation.as_str(),
            if r.is_data_action { "true" } else { "false" },
            r.access.as_str(),
            &r.roles.join(";"),
            &r.blocked_by.join(";"),
        ])?;
    }
    c.flush()
}
