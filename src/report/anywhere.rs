//! `who --anywhere` as table, JSON and CSV: each principal with its best result
//! and its places (the assignment scopes where it holds a granting role), each
//! with the result there and the grants held there.
//!
//! JSON and CSV stream one principal at a time, in display-name order (a
//! tenant-wide answer can be very large); the table, for people, sorts by access
//! then name. JSON: `snapshot`, `scope` (`anywhere`), `actions`, `principals[]` =
//! `{access, accountEnabled, displayName, id, orphaned, type, userPrincipalName,
//! userType, where: [{scope, access, below, grants, eligible, denied,
//! deniedBelow}]}` (one principal per line; a grant as in `who`'s JSON, SPEC §4),
//! `incomplete`. CSV: one row per (principal, place, grant or eligibility).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;

use crate::engine::anywhere::{Place, Somewhere};
use crate::engine::decide::{ActionReq, EligibleGrant, Grant, GroupRef, Incomplete};
use crate::engine::Access;
use crate::model::Snapshot;

use super::show::{principal_label, principal_notes, via_cells, via_text};
use super::text::writeln_safe;
use super::{Cell, ScopeNames};

/// What was asked.
pub(crate) struct Asked<'a> {
    pub(crate) snapshot: &'a Snapshot,
    pub(crate) actions: &'a [ActionReq],
}

fn via_ids<S: serde::Serializer>(via: &&[GroupRef], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(via.iter().map(|v| v.id.as_str()))
}

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
    via: &'a [GroupRef],
}

impl<'a> GrantOut<'a> {
    fn new(g: &'a Grant) -> Self {
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EligibleOut<'a> {
    action: &'a str,
    assignment_scope: &'a str,
    eligibility_id: &'a str,
    end_date_time: &'a Option<String>,
    role_definition_id: &'a str,
    role_name: &'a str,
    start_date_time: &'a Option<String>,
    #[serde(serialize_with = "via_ids")]
    via: &'a [GroupRef],
}

impl<'a> EligibleOut<'a> {
    fn new(e: &'a EligibleGrant) -> Self {
        EligibleOut {
            action: &e.action,
            assignment_scope: &e.assignment_scope,
            eligibility_id: &e.eligibility_id,
            end_date_time: &e.end_date_time,
            role_definition_id: &e.role_definition_id,
            role_name: &e.role_name,
            start_date_time: &e.start_date_time,
            via: &e.via,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DenyOut<'a> {
    action: &'a str,
    deny_assignment_id: &'a str,
    deny_name: &'a str,
    scope: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlaceOut<'a> {
    access: Access,
    below: Option<Access>,
    denied: Vec<&'a str>,
    denied_below: Vec<DenyOut<'a>>,
    eligible: Vec<EligibleOut<'a>>,
    grants: Vec<GrantOut<'a>>,
    scope: &'a str,
}

/// The deny assignments that apply at a place, each once.
fn denied_of(p: &Place) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    for d in p.actions.iter().flat_map(|a| &a.denies) {
        if !ids.contains(&d.deny_assignment_id.as_str()) {
            ids.push(&d.deny_assignment_id);
        }
    }
    ids
}

impl<'a> PlaceOut<'a> {
    fn new(p: &'a Place) -> Self {
        PlaceOut {
            access: p.access,
            below: p.below,
            denied: denied_of(p),
            denied_below: p
                .denied_below
                .iter()
                .map(|d| DenyOut {
                    action: &d.action,
                    deny_assignment_id: &d.deny_assignment_id,
                    deny_name: &d.deny_name,
                    scope: &d.deny_scope,
                })
                .collect(),
            eligible: p
                .actions
                .iter()
                .flat_map(|a| a.eligible.iter().map(EligibleOut::new))
                .collect(),
            grants: p
                .actions
                .iter()
                .flat_map(|a| a.grants.iter().map(GrantOut::new))
                .collect(),
            scope: &p.scope,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SomewhereOut<'a> {
    access: Access,
    account_enabled: Option<bool>,
    display_name: &'a str,
    id: &'a str,
    orphaned: Option<bool>,
    #[serde(rename = "type")]
    kind: &'a str,
    user_principal_name: &'a Option<String>,
    user_type: &'a Option<String>,
    #[serde(rename = "where")]
    places: Vec<PlaceOut<'a>>,
}

impl<'a> SomewhereOut<'a> {
    fn new(s: &'a Somewhere) -> Self {
        let p = &s.principal;
        SomewhereOut {
            access: s.access,
            account_enabled: p.account_enabled,
            display_name: &p.display_name,
            id: &p.id,
            orphaned: p.orphaned,
            kind: &p.kind,
            user_principal_name: &p.user_principal_name,
            user_type: &p.user_type,
            places: s.places.iter().map(PlaceOut::new).collect(),
        }
    }
}

/// The JSON answer, written as the principals come.
pub(crate) struct JsonStream<'w> {
    out: &'w mut dyn Write,
    first: bool,
}

impl<'w> JsonStream<'w> {
    pub(crate) fn start(out: &'w mut dyn Write, q: &Asked) -> io::Result<JsonStream<'w>> {
        let actions: Vec<&str> = q.actions.iter().map(|r| r.action.as_str()).collect();
        writeln!(out, "{{")?;
        writeln!(out, "  \"snapshot\": {},", super::snapshot_json(q.snapshot))?;
        writeln!(out, "  \"scope\": \"anywhere\",")?;
        writeln!(out, "  \"actions\": {},", json!(actions))?;
        write!(out, "  \"principals\": [")?;
        Ok(JsonStream { out, first: true })
    }

    pub(crate) fn push(&mut self, s: &Somewhere) -> io::Result<()> {
        let sep = if self.first { "\n    " } else { ",\n    " };
        self.first = false;
        self.out.write_all(sep.as_bytes())?;
        serde_json::to_writer(&mut *self.out, &SomewhereOut::new(s)).map_err(io::Error::other)
    }

    pub(crate) fn finish(self, incomplete: &[Incomplete]) -> io::Result<()> {
        writeln!(self.out, "{}],", if self.first { "" } else { "\n  " })?;
        let items: Vec<String> = incomplete
            .iter()
            .map(|i| format!("    {}", json!(i)))
            .collect();
        if items.is_empty() {
            writeln!(self.out, "  \"incomplete\": []")?;
        } else {
            writeln!(self.out, "  \"incomplete\": [\n{}\n  ]", items.join(",\n"))?;
        }
        writeln!(self.out, "}}")
    }
}

/// The CSV answer, written as the principals come.
pub(crate) struct CsvStream<'w> {
    w: super::csv::Writer<'w>,
}

impl<'w> CsvStream<'w> {
    pub(crate) fn start(out: &'w mut dyn Write) -> io::Result<CsvStream<'w>> {
        let mut w = super::csv::Writer::new(out);
        w.row([
            "principal_id",
            "principal_type",
            "display_name",
            "user_principal_name",
            "access",
            "orphaned",
            "scope",
            "access_at_scope",
            "below",
            "action",
            "kind",
            "role_name",
            "role_definition_id",
            "assignment_id",
            "via",
            "via_names",
            "matched_pattern",
            "condition",
            "denied_by",
            "denied_below",
        ])?;
        Ok(CsvStream { w })
    }

    pub(crate) fn push(&mut self, s: &Somewhere) -> io::Result<()> {
        let p = &s.principal;
        for place in &s.places {
            let denied = denied_of(place).join(";");
            let denied_below = place
                .denied_below
                .iter()
                .map(|d| format!("{} ({})", d.deny_scope, d.deny_assignment_id))
                .collect::<Vec<_>>()
                .join(";");
            let below = place.below.map(|b| b.as_str()).unwrap_or("");
            let paths = place.actions.iter().flat_map(|a| {
                a.grants
                    .iter()
                    .map(|g| {
                        (
                            &g.action,
                            "active",
                            &g.role_name,
                            &g.role_definition_id,
                            &g.assignment_id,
                            &g.via,
                            &g.matched_pattern,
                            &g.condition,
                        )
                    })
                    .chain(a.eligible.iter().map(|e| {
                        (
                            &e.action,
                            "eligible",
                            &e.role_name,
                            &e.role_definition_id,
                            &e.eligibility_id,
                            &e.via,
                            &e.matched_pattern,
                            &e.condition,
                        )
                    }))
            });
            for (action, kind, role, role_id, id, via, pattern, condition) in paths {
                let (via, via_names) = via_cells(via);
                self.w.row([
                    p.id.as_str(),
                    &p.kind,
                    &p.display_name,
                    p.user_principal_name.as_deref().unwrap_or(""),
                    s.access.as_str(),
                    p.orphan_text(),
                    &place.scope,
                    place.access.as_str(),
                    below,
                    action,
                    kind,
                    role,
                    role_id,
                    id,
                    &via,
                    &via_names,
                    pattern,
                    condition.as_deref().unwrap_or(""),
                    &denied,
                    &denied_below,
                ])?;
            }
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// One line per place (`allowed at subscription contoso-ml: Contributor`, then
/// the denies below it), and the group chains of its grants.
fn place_lines(p: &Place, names: &ScopeNames) -> (Vec<String>, Vec<String>) {
    let mut roles: Vec<String> = Vec::new();
    let mut vias: Vec<String> = Vec::new();
    let push = |v: &mut Vec<String>, x: String| {
        if !v.contains(&x) {
            v.push(x);
        }
    };
    for a in &p.actions {
        for g in &a.grants {
            push(&mut roles, g.role_name.clone());
            push(&mut vias, via_text(&g.via));
        }
        for e in &a.eligible {
            let role = if p.access == Access::Eligible {
                e.role_name.clone()
            } else {
                format!("{} (eligible)", e.role_name)
            };
            push(&mut roles, role);
            push(&mut vias, via_text(&e.via));
        }
    }
    let mut access = p.access.as_str().to_string();
    if let Some(b) = p.below {
        access.push_str(&format!(" here, {} below", b.as_str()));
    }
    let mut lines = vec![format!(
        "{access} at {}: {}",
        names.label(&p.scope),
        roles.join(", ")
    )];
    for d in &p.denied_below {
        lines.push(format!(
            "  but denied at {} by {}",
            names.label(&d.deny_scope),
            d.deny_name
        ));
    }
    (lines, vias)
}

/// The table, for people: rows gathered as the principals come (text only), then
/// sorted by access and name.
pub(crate) struct TableRows {
    rows: Vec<((Access, String, String), [Cell; 6])>,
}

impl TableRows {
    pub(crate) fn new() -> TableRows {
        TableRows { rows: Vec::new() }
    }

    pub(crate) fn push(&mut self, s: &Somewhere, names: &ScopeNames) {
        let mut wheres = Vec::new();
        let mut vias: Vec<String> = Vec::new();
        for p in &s.places {
            let (w, v) = place_lines(p, names);
            wheres.extend(w);
            for x in v {
                if !vias.contains(&x) {
                    vias.push(x);
                }
            }
        }
        let p = &s.principal;
        self.rows.push((
            (s.access, p.display_name.to_lowercase(), p.id.clone()),
            [
                Cell::from(principal_label(p)),
                Cell::from(&p.kind),
                Cell::from(s.access.as_str()),
                Cell::lines(wheres),
                Cell::lines(vias),
                Cell::from(principal_notes(p)),
            ],
        ));
    }

    pub(crate) fn finish(
        mut self,
        out: &mut dyn Write,
        q: &Asked,
        incomplete: &[Incomplete],
    ) -> io::Result<()> {
        writeln_safe!(
            out,
            "who can {} anywhere ({})",
            q.actions
                .iter()
                .map(|r| r.action.as_str())
                .collect::<Vec<_>>()
                .join(" + "),
            super::snapshot_tag(q.snapshot)
        )?;
        let n = self.rows.len();
        if n == 0 {
            writeln_safe!(out, "nobody")?;
        } else {
            self.rows.sort_by(|a, b| a.0.cmp(&b.0));
            let mut t = super::table(&["principal", "type", "access", "where", "via", "notes"]);
            for (_, row) in self.rows {
                t.add_row(row);
            }
            writeln!(out, "{t}")?;
        }
        writeln_safe!(out, "{}", super::count(n, "principal", "principals"))?;
        super::show::incomplete_lines(out, incomplete, "its members may hold this access unseen")
    }
}
