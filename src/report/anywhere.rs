//! `who --anywhere` as table, JSON and CSV: each principal with its best result
//! and its places (the assignment scopes where it holds a granting role), each
//! with the result there and the grants held there.
//!
//! JSON: `principals[]` = `{id, type, displayName, userPrincipalName, userType,
//! accountEnabled, orphaned, access, where: [{scope, access, below, grants,
//! eligible, denied}]}`; a grant is as in `who`'s JSON (SPEC §4). CSV: one row per
//! (principal, place, grant or eligibility).

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::engine::anywhere::{AnywhereAnswer, Place, Somewhere};
use crate::engine::decide::{ActionDecision, ActionReq};
use crate::model::Snapshot;

use super::show::{principal_label, principal_notes, via_cells, via_text};
use super::text::writeln_safe;
use super::{Cell, ScopeNames};

/// What was asked.
pub(crate) struct Asked<'a> {
    pub(crate) snapshot: &'a Snapshot,
    pub(crate) actions: &'a [ActionReq],
    pub(crate) names: &'a ScopeNames,
}

fn grants_of(actions: &[ActionDecision]) -> Vec<Value> {
    actions
        .iter()
        .flat_map(|a| &a.grants)
        .map(|g| {
            json!({
                "action": g.action,
                "via": g.via.iter().map(|v| &v.id).collect::<Vec<_>>(),
                "assignmentId": g.assignment_id,
                "roleDefinitionId": g.role_definition_id,
                "roleName": g.role_name,
                "assignmentScope": g.assignment_scope,
                "matchedPattern": g.matched_pattern,
                "condition": g.condition,
            })
        })
        .collect()
}

fn eligible_of(actions: &[ActionDecision]) -> Vec<Value> {
    actions
        .iter()
        .flat_map(|a| &a.eligible)
        .map(|e| {
            json!({
                "action": e.action,
                "via": e.via.iter().map(|v| &v.id).collect::<Vec<_>>(),
                "eligibilityId": e.eligibility_id,
                "roleDefinitionId": e.role_definition_id,
                "roleName": e.role_name,
                "assignmentScope": e.assignment_scope,
                "startDateTime": e.start_date_time,
                "endDateTime": e.end_date_time,
            })
        })
        .collect()
}

fn denied_of(actions: &[ActionDecision]) -> Vec<String> {
    let mut ids: Vec<String> = actions
        .iter()
        .flat_map(|a| &a.denies)
        .map(|d| d.deny_assignment_id.clone())
        .collect();
    ids.dedup();
    ids
}

fn place_json(p: &Place) -> Value {
    json!({
        "scope": p.scope,
        "access": p.access,
        "below": p.below,
        "grants": grants_of(&p.actions),
        "eligible": eligible_of(&p.actions),
        "denied": denied_of(&p.actions),
        "deniedBelow": p.denied_below.iter().map(|d| json!({
            "scope": d.deny_scope,
            "denyAssignmentId": d.deny_assignment_id,
            "denyName": d.deny_name,
            "action": d.action,
        })).collect::<Vec<_>>(),
    })
}

fn principal_json(s: &Somewhere) -> Value {
    let p = &s.principal;
    json!({
        "id": p.id,
        "type": p.kind,
        "displayName": p.display_name,
        "userPrincipalName": p.user_principal_name,
        "userType": p.user_type,
        "accountEnabled": p.account_enabled,
        "orphaned": p.orphaned,
        "access": s.access,
        "where": s.places.iter().map(place_json).collect::<Vec<_>>(),
    })
}

pub(crate) fn json(q: &Asked, a: &AnywhereAnswer) -> Value {
    json!({
        "snapshot": super::snapshot_json(q.snapshot),
        "scope": "anywhere",
        "actions": q.actions.iter().map(|r| &r.action).collect::<Vec<_>>(),
        "principals": a.principals.iter().map(principal_json).collect::<Vec<_>>(),
        "incomplete": a.incomplete,
    })
}

pub(crate) fn csv(out: &mut dyn Write, a: &AnywhereAnswer) -> io::Result<()> {
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
    for s in &a.principals {
        let p = &s.principal;
        for place in &s.places {
            let denied = denied_of(&place.actions).join(";");
            let denied_below = place
                .denied_below
                .iter()
                .map(|d| format!("{} ({})", d.deny_scope, d.deny_assignment_id))
                .collect::<Vec<_>>()
                .join(";");
            let below = place.below.map(|b| b.as_str()).unwrap_or("");
            let mut row = |action: &str,
                           kind: &str,
                           role: &str,
                           role_id: &str,
                           id: &str,
                           via: &[crate::engine::decide::GroupRef],
                           pattern: &str,
                           condition: Option<&str>|
             -> io::Result<()> {
                let (via, via_names) = via_cells(via);
                w.row([
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
                    condition.unwrap_or(""),
                    &denied,
                    &denied_below,
                ])
            };
            for a in &place.actions {
                for g in &a.grants {
                    row(
                        &g.action,
                        "active",
                        &g.role_name,
                        &g.role_definition_id,
                        &g.assignment_id,
                        &g.via,
                        &g.matched_pattern,
                        g.condition.as_deref(),
                    )?;
                }
                for e in &a.eligible {
                    row(
                        &e.action,
                        "eligible",
                        &e.role_name,
                        &e.role_definition_id,
                        &e.eligibility_id,
                        &e.via,
                        &e.matched_pattern,
                        e.condition.as_deref(),
                    )?;
                }
            }
        }
    }
    w.flush()
}

/// One line per place: `allowed at subscription contoso-ml: Contributor`.
fn place_lines(p: &Place, names: &ScopeNames) -> (Vec<String>, Vec<String>) {
    let mut roles: Vec<String> = Vec::new();
    let mut vias: Vec<String> = Vec::new();
    for a in &p.actions {
        for g in &a.grants {
            roles.push(g.role_name.clone());
            vias.push(via_text(&g.via));
        }
        for e in &a.eligible {
            roles.push(if p.access == crate::engine::Access::Eligible {
                e.role_name.clone()
            } else {
                format!("{} (eligible)", e.role_name)
            });
            vias.push(via_text(&e.via));
        }
    }
    roles.dedup();
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
    let mut seen: Vec<String> = Vec::new();
    for v in vias {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    (lines, seen)
}

pub(crate) fn table(out: &mut dyn Write, q: &Asked, a: &AnywhereAnswer) -> io::Result<()> {
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
    if a.principals.is_empty() {
        writeln_safe!(out, "nobody")?;
    } else {
        let mut t = super::table(&["principal", "type", "access", "where", "via", "notes"]);
        for s in &a.principals {
            let mut wheres = Vec::new();
            let mut vias: Vec<String> = Vec::new();
            for p in &s.places {
                let (w, v) = place_lines(p, q.names);
                wheres.extend(w);
                for x in v {
                    if !vias.contains(&x) {
                        vias.push(x);
                    }
                }
            }
            t.add_row([
                Cell::from(principal_label(&s.principal)),
                Cell::from(&s.principal.kind),
                Cell::from(s.access.as_str()),
                Cell::lines(wheres),
                Cell::lines(vias),
                Cell::from(principal_notes(&s.principal)),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    writeln_safe!(
        out,
        "{}",
        super::count(a.principals.len(), "principal", "principals")
    )?;
    super::show::incomplete_lines(
        out,
        &a.incomplete,
        "its members may hold this access unseen",
    )
}
