//! `role` as table, JSON and CSV. JSON: `role` (id, roleName, roleType,
//! description, assignableScopes, permissions with actions, notActions,
//! dataActions, notDataActions, condition, conditionVersion; privileged and the
//! pattern that makes it so), `assignments` (counts; the list with
//! `--assignments`). CSV: one row per permission pattern, or with
//! `--assignments` one row per assignment or eligibility.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::engine::role_card::RoleCard;
use crate::model::{role_guid, PermissionBlock, Snapshot};

use super::show::{principal_label, window_text};
use super::text::writeln_safe;
use super::{Cell, ScopeNames};

fn block_json(b: &PermissionBlock) -> Value {
    json!({
        "actions": b.actions,
        "notActions": b.not_actions,
        "dataActions": b.data_actions,
        "notDataActions": b.not_data_actions,
        "condition": b.condition,
        "conditionVersion": b.condition_version,
    })
}

pub(crate) fn json(snapshot: &Snapshot, c: &RoleCard, list: bool) -> Value {
    let d = &c.definition;
    let mut assignments = json!({
        "active": c.count("active"),
        "eligible": c.count("eligible"),
    });
    if list {
        assignments["list"] = json!(c.holdings);
    }
    json!({
        "snapshot": super::snapshot_json(snapshot),
        "role": {
            "id": (!d.id.trim().is_empty()).then(|| role_guid(&d.id)),
            "roleName": d.role_name,
            "roleType": d.role_type,
            "custom": d.is_custom(),
            "description": d.description,
            "assignableScopes": d.assignable_scopes,
            "permissions": d.permissions.iter().map(block_json).collect::<Vec<_>>(),
            "privileged": c.privileged,
            "privilegedBy": c.privileged_by,
        },
        "assignments": assignments,
    })
}

pub(crate) fn csv(out: &mut dyn Write, c: &RoleCard, list: bool) -> io::Result<()> {
    let d = &c.definition;
    let id = role_guid(&d.id);
    let mut w = super::csv::Writer::new(out);
    if list {
        w.row([
            "role_id",
            "role_name",
            "kind",
            "assignment_id",
            "principal_id",
            "principal_type",
            "display_name",
            "user_principal_name",
            "scope",
            "condition",
            "start_date_time",
            "end_date_time",
        ])?;
        for h in &c.holdings {
            let p = &h.principal;
            w.row([
                id.as_str(),
                &d.role_name,
                h.kind,
                &h.id,
                &p.id,
                &p.kind,
                &p.display_name,
                p.user_principal_name.as_deref().unwrap_or(""),
                &h.scope,
                h.condition.as_deref().unwrap_or(""),
                h.start_date_time.as_deref().unwrap_or(""),
                h.end_date_time.as_deref().unwrap_or(""),
            ])?;
        }
        return w.flush();
    }
    w.row([
        "role_id",
        "role_name",
        "block",
        "list",
        "pattern",
        "condition",
    ])?;
    for (i, b) in d.permissions.iter().enumerate() {
        let n = (i + 1).to_string();
        for (list, patterns) in [
            ("actions", &b.actions),
            ("notActions", &b.not_actions),
            ("dataActions", &b.data_actions),
            ("notDataActions", &b.not_data_actions),
        ] {
            for p in patterns {
                w.row([
                    id.as_str(),
                    &d.role_name,
                    &n,
                    list,
                    p,
                    b.condition.as_deref().unwrap_or(""),
                ])?;
            }
        }
    }
    w.flush()
}

pub(crate) fn table(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    c: &RoleCard,
    list: bool,
    names: &ScopeNames,
) -> io::Result<()> {
    let d = &c.definition;
    writeln_safe!(
        out,
        "role {} ({})",
        d.role_name,
        super::snapshot_tag(snapshot)
    )?;
    let mut t = super::table(&["field", "value"]);
    t.add_row([
        Cell::from("id"),
        Cell::from(if d.id.trim().is_empty() {
            "(none: assignments join it by name)".to_string()
        } else {
            role_guid(&d.id)
        }),
    ]);
    t.add_row([Cell::from("type"), Cell::from(&d.role_type)]);
    t.add_row([Cell::from("description"), Cell::from(&d.description)]);
    t.add_row([
        Cell::from("assignable scopes"),
        Cell::lines(&d.assignable_scopes),
    ]);
    t.add_row([
        Cell::from("privileged"),
        Cell::from(match &c.privileged_by {
            Some(p) => format!("yes: can change access (Microsoft.Authorization/roleAssignments/write, through {p})"),
            None => "no".to_string(),
        }),
    ]);
    t.add_row([
        Cell::from("assignments"),
        Cell::from(format!(
            "{} active, {} eligible",
            c.count("active"),
            c.count("eligible")
        )),
    ]);
    writeln!(out, "{t}")?;
    for (i, b) in d.permissions.iter().enumerate() {
        writeln!(out)?;
        writeln_safe!(
            out,
            "permission block {}{}",
            i + 1,
            b.condition
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(|c| format!(" (condition: {c})"))
                .unwrap_or_default()
        )?;
        let mut t = super::table(&["list", "patterns"]);
        for (name, patterns) in [
            ("actions", &b.actions),
            ("notActions", &b.not_actions),
            ("dataActions", &b.data_actions),
            ("notDataActions", &b.not_data_actions),
        ] {
            let cell = if patterns.is_empty() {
                Cell::from("-")
            } else {
                Cell::lines(patterns)
            };
            t.add_row([Cell::from(name), cell]);
        }
        writeln!(out, "{t}")?;
    }
    if list {
        writeln!(out)?;
        writeln_safe!(out, "assignments and eligibilities")?;
        if !c.holdings.is_empty() {
            let mut t = super::table(&["principal", "type", "scope", "kind", "notes"]);
            for h in &c.holdings {
                let mut notes: Vec<String> = Vec::new();
                if let Some(cond) = &h.condition {
                    notes.push(format!("condition: {cond}"));
                }
                let w = window_text(
                    h.start_date_time.as_deref(),
                    h.end_date_time.as_deref(),
                    h.state,
                );
                if !w.is_empty() {
                    notes.push(w);
                }
                let note = super::show::principal_notes(&h.principal);
                if !note.is_empty() {
                    notes.push(note);
                }
                t.add_row([
                    Cell::from(principal_label(&h.principal)),
                    Cell::from(&h.principal.kind),
                    Cell::from(names.label(&h.scope)),
                    Cell::from(h.kind),
                    Cell::lines(notes),
                ]);
            }
            writeln!(out, "{t}")?;
        }
        writeln_safe!(
            out,
            "{}",
            super::count(c.holdings.len(), "assignment", "assignments")
        )?;
    }
    Ok(())
}
