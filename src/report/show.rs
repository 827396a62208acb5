//! `show` as table, JSON and CSV, and the small pieces the browsing renderers
//! share (a principal's label and notes, a group chain).
//!
//! JSON: `principal` (the record: type, names, userType, accountEnabled, appId,
//! managedIdentity, orphaned), `groups`, `assignments`, `eligibilities`,
//! `groupEligibilities`, `denyAssignments`, `incomplete`; a `via` is a list of
//! `{id, name}`, nearest group first. CSV: one row per relation (`member of`,
//! `assignment`, `eligibility`, `group eligibility`, `deny`).

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::engine::decide::{GroupRef, Incomplete, IncompleteReason, PrincipalInfo};
use crate::engine::profile::{Held, Profile};
use crate::engine::window::WindowState;
use crate::model::Snapshot;

use super::text::writeln_safe;
use super::{Cell, ScopeNames};

/// `Name <upn>`, or the id when there is no name.
pub(crate) fn principal_label(p: &PrincipalInfo) -> String {
    let mut s = if p.display_name.is_empty() {
        p.id.clone()
    } else {
        p.display_name.clone()
    };
    if let Some(u) = p.user_principal_name.as_deref().filter(|u| !u.is_empty()) {
        s.push_str(&format!(" <{u}>"));
    }
    s
}

/// What a reviewer should notice about a principal: orphaned (or unknown),
/// guest, disabled, managed identity.
pub(crate) fn principal_notes(p: &PrincipalInfo) -> String {
    let mut n = Vec::new();
    if p.is_orphaned() {
        n.push("orphaned");
    } else if p.orphaned.is_none() {
        n.push("orphan status unknown");
    }
    if p.user_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("Guest"))
    {
        n.push("guest");
    }
    if p.account_enabled == Some(false) {
        n.push("disabled");
    }
    if p.managed_identity {
        n.push("managed identity");
    }
    n.join(", ")
}

/// A group chain for people: `direct`, or names joined by `→`.
pub(crate) fn via_text(via: &[GroupRef]) -> String {
    if via.is_empty() {
        "direct".to_string()
    } else {
        via.iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// A group chain for CSV: ids, and names, each joined by `;`.
pub(crate) fn via_cells(via: &[GroupRef]) -> (String, String) {
    (
        via.iter()
            .map(|g| g.id.as_str())
            .collect::<Vec<_>>()
            .join(";"),
        via.iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(";"),
    )
}

/// A window for people: `from … until …` and its state when not in force.
pub(crate) fn window_text(start: Option<&str>, end: Option<&str>, state: WindowState) -> String {
    let mut s = match (start, end) {
        (None, None) => String::new(),
        (Some(a), None) => format!("from {a}"),
        (None, Some(b)) => format!("until {b}"),
        (Some(a), Some(b)) => format!("{a} → {b}"),
    };
    let word = match state {
        WindowState::Active => return s,
        WindowState::Ended => "ended",
        WindowState::Scheduled => "scheduled",
    };
    if !s.is_empty() {
        s.push_str(", ");
    }
    s.push_str(word);
    s
}

fn state_str(s: WindowState) -> &'static str {
    match s {
        WindowState::Active => "in force",
        WindowState::Ended => "ended",
        WindowState::Scheduled => "scheduled",
    }
}

/// A group's name for an `incomplete` line: `Name (id)`, or the id.
fn group_words(i: &Incomplete) -> String {
    match (&i.display_name, &i.group_id) {
        (Some(n), Some(g)) => format!("group {n} ({g})"),
        (None, Some(g)) => format!("group {g}"),
        _ => "a group".to_string(),
    }
}

/// The `incomplete` lines of a table, with long runs cut to a few; a group
/// whose member list is missing or partial is said as `unseen` says it (what
/// that means for this list), anything else as [`Incomplete::describe`].
pub(crate) fn incomplete_lines(
    out: &mut dyn Write,
    incomplete: &[Incomplete],
    unseen: &str,
) -> io::Result<()> {
    const SHOWN: usize = 8;
    for i in incomplete.iter().take(SHOWN) {
        let text = match i.reason {
            IncompleteReason::MembersNotImported => {
                format!(
                    "the member list of {} was not imported: {unseen}",
                    group_words(i)
                )
            }
            IncompleteReason::MembersPartial => format!(
                "the member list of {} was one page of several: {unseen}",
                group_words(i)
            ),
            _ => i.describe(),
        };
        super::writeln_wrapped(out, &format!("incomplete: {text}"), 2)?;
    }
    if incomplete.len() > SHOWN {
        writeln_safe!(
            out,
            "incomplete: and {} more (see --format json)",
            incomplete.len() - SHOWN
        )?;
    }
    Ok(())
}

pub(crate) fn json(snapshot: &Snapshot, p: &Profile) -> Value {
    let r = p.record.as_ref();
    let mut principal = serde_json::to_value(&p.principal).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut principal {
        m.insert("mail".into(), json!(r.and_then(|r| r.mail.clone())));
        m.insert(
            "otherMails".into(),
            json!(r.map(|r| r.other_mails.clone()).unwrap_or_default()),
        );
        m.insert("appId".into(), json!(r.and_then(|r| r.app_id.clone())));
        m.insert(
            "inDirectoryListing".into(),
            json!(r.map(|r| !r.from_member_list)),
        );
    }
    json!({
        "snapshot": super::snapshot_json(snapshot),
        "principal": principal,
        "groups": p.groups,
        "assignments": p.assignments,
        "eligibilities": p.eligibilities,
        "groupEligibilities": p.group_eligibilities,
        "denyAssignments": p.denies,
        "incomplete": p.incomplete,
    })
}

const COLUMNS: [&str; 14] = [
    "principal_id",
    "relation",
    "object_id",
    "object_name",
    "role_name",
    "role_definition_id",
    "scope",
    "via",
    "via_names",
    "state",
    "condition",
    "start_date_time",
    "end_date_time",
    "detail",
];

pub(crate) fn csv(out: &mut dyn Write, p: &Profile) -> io::Result<()> {
    let mut w = super::csv::Writer::new(out);
    w.row(COLUMNS)?;
    let id = p.principal.id.as_str();
    for g in &p.groups {
        let (via, via_names) = via_cells(&g.via);
        w.row([
            id,
            "member of",
            &g.group.id,
            &g.group.name,
            "",
            "",
            "",
            &via,
            &via_names,
            "",
            "",
            "",
            "",
            "",
        ])?;
    }
    let held = |w: &mut super::csv::Writer, relation: &str, h: &Held| {
        let (via, via_names) = via_cells(&h.via);
        w.row([
            id,
            relation,
            &h.id,
            "",
            h.role_name.as_deref().unwrap_or(""),
            &h.role_definition_id,
            &h.scope,
            &via,
            &via_names,
            state_str(h.state),
            h.condition.as_deref().unwrap_or(""),
            h.start_date_time.as_deref().unwrap_or(""),
            h.end_date_time.as_deref().unwrap_or(""),
            if h.role_name.is_none() {
                "role not defined"
            } else {
                ""
            },
        ])
    };
    for h in &p.assignments {
        held(&mut w, "assignment", h)?;
    }
    for h in &p.eligibilities {
        held(&mut w, "eligibility", h)?;
    }
    for g in &p.group_eligibilities {
        let (via, via_names) = via_cells(&g.via);
        w.row([
            id,
            "group eligibility",
            &g.id,
            &g.group.name,
            "",
            "",
            "",
            &via,
            &via_names,
            state_str(g.state),
            "",
            g.start_date_time.as_deref().unwrap_or(""),
            g.end_date_time.as_deref().unwrap_or(""),
            &format!("may join group {}", g.group.id),
        ])?;
    }
    for d in &p.denies {
        let detail = deny_detail(d);
        w.row([
            id,
            if d.applies { "deny" } else { "deny (excluded)" },
            &d.id,
            &d.name,
            "",
            "",
            &d.scope,
            "",
            "",
            "",
            "",
            "",
            "",
            &detail,
        ])?;
    }
    w.flush()
}

/// What a deny assignment denies, and through which entry.
fn deny_detail(d: &crate::engine::profile::DenyMention) -> String {
    let mut parts: Vec<String> = Vec::new();
    let patterns: Vec<&str> = d
        .actions
        .iter()
        .chain(&d.data_actions)
        .map(String::as_str)
        .collect();
    parts.push(format!("denies {}", patterns.join(", ")));
    if let Some(n) = &d.named_by {
        parts.push(format!("names {}", n.name));
    }
    if let Some(x) = &d.excluded_by {
        parts.push(format!("excludes {}", x.name));
    }
    if d.do_not_apply_to_child_scopes {
        parts.push("this scope only".into());
    }
    parts.join("; ")
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "unknown".into(),
    }
}

fn record_table(p: &Profile) -> super::Table {
    let i = &p.principal;
    let r = p.record.as_ref();
    let mut t = super::table(&["field", "value"]);
    let mut row = |k: &str, v: String| {
        t.add_row([Cell::from(k), Cell::from(v)]);
    };
    row("object id", i.id.clone());
    row(
        "type",
        if i.managed_identity {
            "ServicePrincipal (managed identity)".to_string()
        } else {
            i.kind.clone()
        },
    );
    row("display name", i.display_name.clone());
    if let Some(u) = &i.user_principal_name {
        row("user principal name", u.clone());
    }
    if let Some(m) = r.and_then(|r| r.mail.clone()) {
        row("mail", m);
    }
    if let Some(r) = r.filter(|r| !r.other_mails.is_empty()) {
        row("other mails", r.other_mails.join(", "));
    }
    if let Some(u) = &i.user_type {
        row("user type", u.clone());
    }
    if let Some(a) = r.and_then(|r| r.app_id.clone()) {
        row("app id", a);
    }
    if i.account_enabled.is_some() || i.kind == "User" {
        row("account enabled", yes_no(i.account_enabled));
    }
    row(
        "orphaned",
        match i.orphaned {
            Some(true) => "yes (deleted: in no directory listing of its kind)".into(),
            Some(false) => "no".into(),
            None => "unknown (no directory listing of its kind was imported)".into(),
        },
    );
    if r.is_some_and(|r| r.from_member_list) {
        row(
            "known from",
            "a group's member list only (no directory listing)".into(),
        );
    }
    t
}

fn held_table(rows: &[Held], names: &ScopeNames) -> super::Table {
    let mut t = super::table(&["role", "scope", "via", "notes"]);
    for h in rows {
        let mut notes: Vec<String> = Vec::new();
        if h.role_name.is_none() {
            notes.push(format!("role {} not defined", h.role_definition_id));
        }
        if let Some(c) = &h.condition {
            notes.push(format!("condition: {c}"));
        }
        let w = window_text(
            h.start_date_time.as_deref(),
            h.end_date_time.as_deref(),
            h.state,
        );
        if !w.is_empty() {
            notes.push(w);
        }
        t.add_row([
            Cell::from(h.role_name.clone().unwrap_or_else(|| "(undefined)".into())),
            Cell::from(names.label(&h.scope)),
            Cell::from(via_text(&h.via)),
            Cell::lines(notes),
        ]);
    }
    t
}

pub(crate) fn table(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    p: &Profile,
    names: &ScopeNames,
) -> io::Result<()> {
    writeln_safe!(
        out,
        "{} ({})",
        principal_label(&p.principal),
        super::snapshot_tag(snapshot)
    )?;
    writeln!(out, "{}", record_table(p))?;

    writeln!(out)?;
    writeln_safe!(out, "groups: {}", p.groups.len())?;
    if !p.groups.is_empty() {
        let mut t = super::table(&["group", "via"]);
        for g in &p.groups {
            t.add_row([g.group.name.clone(), via_text(&g.via)]);
        }
        writeln!(out, "{t}")?;
    }

    writeln!(out)?;
    writeln_safe!(out, "role assignments: {}", p.assignments.len())?;
    if !p.assignments.is_empty() {
        writeln!(out, "{}", held_table(&p.assignments, names))?;
    }

    writeln!(out)?;
    writeln_safe!(
        out,
        "PIM eligibilities: {}",
        p.eligibilities.len() + p.group_eligibilities.len()
    )?;
    if !p.eligibilities.is_empty() {
        writeln!(out, "{}", held_table(&p.eligibilities, names))?;
    }
    if !p.group_eligibilities.is_empty() {
        let mut t = super::table(&["may join group (PIM for Groups)", "via", "window"]);
        for g in &p.group_eligibilities {
            t.add_row([
                g.group.name.clone(),
                via_text(&g.via),
                window_text(
                    g.start_date_time.as_deref(),
                    g.end_date_time.as_deref(),
                    g.state,
                ),
            ]);
        }
        writeln!(out, "{t}")?;
    }

    writeln!(out)?;
    writeln_safe!(out, "deny assignments naming it: {}", p.denies.len())?;
    if !p.denies.is_empty() {
        let mut t = super::table(&["deny assignment", "scope", "applies", "denies"]);
        for d in &p.denies {
            let applies = match (&d.named_by, &d.excluded_by) {
                (_, Some(x)) => format!("no: excluded ({})", x.name),
                (Some(n), None) => format!("yes ({})", n.name),
                (None, None) => "no".to_string(),
            };
            t.add_row([
                Cell::from(&d.name),
                Cell::from(names.label(&d.scope)),
                Cell::from(applies),
                Cell::lines(d.actions.iter().chain(&d.data_actions)),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    incomplete_lines(
        out,
        &p.incomplete,
        &format!(
            "{} may be in it unseen",
            if p.principal.display_name.is_empty() {
                "the principal"
            } else {
                &p.principal.display_name
            }
        ),
    )
}
