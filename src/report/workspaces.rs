//! `workspaces` as table, JSON and CSV. Columns: name, resource group,
//! subscription (display name, else id), computes, assignments (held at the
//! workspace or above); JSON and CSV add the ids.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::engine::workspaces::{WorkspaceFilter, WorkspaceRow};
use crate::model::Snapshot;

use super::text::writeln_safe;

/// ` in subscription S`, ` in resource group R`, both, or nothing.
/// `sub_name`: the subscription's imported name, shown before its id.
pub(crate) fn where_words(f: &WorkspaceFilter, sub_name: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(rg) = &f.resource_group {
        s.push_str(&format!(" in resource group {rg}"));
    }
    if let Some(sub) = &f.subscription {
        // `/subscriptions/ID` → `subscription NAME (ID)`, or `subscription ID`.
        let id = sub.rsplit('/').next().unwrap_or(sub);
        match sub_name.filter(|n| !n.eq_ignore_ascii_case(id)) {
            Some(name) => s.push_str(&format!(" in subscription {name} ({id})")),
            None => s.push_str(&format!(" in subscription {id}")),
        }
    }
    s
}

pub(crate) fn json(snapshot: &Snapshot, f: &WorkspaceFilter, rows: &[WorkspaceRow]) -> Value {
    json!({
        "snapshot": super::snapshot_json(snapshot),
        "subscription": f.subscription,
        "resourceGroup": f.resource_group,
        "workspaces": rows,
        "total": rows.len(),
    })
}

const COLUMNS: [&str; 7] = [
    "name",
    "resource_group",
    "subscription_id",
    "subscription_name",
    "computes",
    "assignments_at_or_above",
    "id",
];

pub(crate) fn csv(out: &mut dyn Write, rows: &[WorkspaceRow]) -> io::Result<()> {
    let mut w = super::csv::Writer::new(out);
    w.row(COLUMNS)?;
    for r in rows {
        w.row([
            r.name.clone(),
            r.resource_group.clone().unwrap_or_default(),
            r.subscription_id.clone().unwrap_or_default(),
            r.subscription_name.clone().unwrap_or_default(),
            r.computes.to_string(),
            r.assignments_at_or_above.to_string(),
            r.id.clone(),
        ])?;
    }
    w.flush()
}

pub(crate) fn table(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    f: &WorkspaceFilter,
    sub_name: Option<&str>,
    rows: &[WorkspaceRow],
) -> io::Result<()> {
    writeln_safe!(
        out,
        "AzureML workspaces{} ({})",
        where_words(f, sub_name),
        super::snapshot_tag(snapshot)
    )?;
    if !rows.is_empty() {
        let mut t = super::table(&[
            "workspace",
            "resource group",
            "subscription",
            "computes",
            "assignments here or above",
        ]);
        for r in rows {
            t.add_row([
                r.name.clone(),
                r.resource_group.clone().unwrap_or_default(),
                r.subscription_name
                    .clone()
                    .or_else(|| r.subscription_id.clone())
                    .unwrap_or_default(),
                r.computes.to_string(),
                r.assignments_at_or_above.to_string(),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    writeln_safe!(
        out,
        "{}",
        super::count(rows.len(), "workspace", "workspaces")
    )
}
