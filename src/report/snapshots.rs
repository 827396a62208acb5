//! Rendering `snapshots`' list as table, JSON and CSV. Columns: id, takenAt,
//! label, toolVersion, importedAt, contentHash, collection (camelCase keys in JSON,
//! the same names as the CSV header). `collection` says whether the snapshot came
//! from a `whocan collect` run and whether that run read everything: `complete`,
//! `incomplete (N unreadable)`, or `-` (CSV: empty, JSON: null) when it was not
//! collected.

use std::io::{self, Write};

use serde_json::{json, Value};

use std::collections::BTreeMap;

use crate::model::{CollectionSummary, Flag, Snapshot};

/// Each snapshot's collection summary, by snapshot id (absent: not collected).
pub type Collections = BTreeMap<i64, CollectionSummary>;

const COLUMNS: [&str; 7] = [
    "id",
    "takenAt",
    "label",
    "toolVersion",
    "importedAt",
    "contentHash",
    "collection",
];

/// The `collection` cell.
fn collection_cell(c: Option<&CollectionSummary>) -> String {
    match c {
        None => "-".to_string(),
        Some(c) if c.complete && c.unreadable == 0 => "complete".to_string(),
        Some(c) => format!("incomplete ({} unreadable)", c.unreadable),
    }
}

fn cells(s: &Snapshot, c: &Collections) -> [String; 7] {
    [
        s.id.to_string(),
        s.taken_at.clone(),
        s.label.clone().unwrap_or_default(),
        s.tool_version.clone(),
        s.imported_at.clone(),
        s.content_hash.clone(),
        collection_cell(c.get(&s.id)),
    ]
}

pub(crate) fn json(snapshots: &[Snapshot], c: &Collections) -> Value {
    Value::Array(
        snapshots
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "takenAt": s.taken_at,
                    "label": s.label,
                    "toolVersion": s.tool_version,
                    "importedAt": s.imported_at,
                    "contentHash": s.content_hash,
                    "collection": c.get(&s.id).map(|c| json!({
                        "complete": c.complete,
                        "unreadable": c.unreadable,
                    })),
                })
            })
            .collect(),
    )
}

pub(crate) fn csv(out: &mut dyn Write, snapshots: &[Snapshot], c: &Collections) -> io::Result<()> {
    let mut w = super::csv::Writer::new(out);
    w.row(COLUMNS)?;
    for s in snapshots {
        let mut row = cells(s, c);
        // Not collected: an empty cell (a lone `-` would be quoted as a formula).
        if !c.contains_key(&s.id) {
            row[6].clear();
        }
        w.row(row)?;
    }
    w.flush()
}

/// The table; an empty list prints nothing (the command says why on stderr).
pub(crate) fn table(
    out: &mut dyn Write,
    snapshots: &[Snapshot],
    c: &Collections,
) -> io::Result<()> {
    if snapshots.is_empty() {
        return Ok(());
    }
    let mut t = super::table(&COLUMNS);
    for s in snapshots {
        t.add_row(cells(s, c));
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "{}",
        super::count(snapshots.len(), "snapshot", "snapshots")
    )
}

/// `snapshots --flags`: the snapshot, then every flag its import raised.
pub(crate) fn flags_json(snapshot: &Snapshot, flags: &[Flag]) -> Value {
    json!({
        "snapshot": {"id": snapshot.id, "takenAt": snapshot.taken_at, "label": snapshot.label},
        "flags": flags
            .iter()
            .map(|f| json!({"kind": f.kind, "subject": f.subject, "detail": f.detail}))
            .collect::<Vec<_>>(),
    })
}

/// One row per flag: `snapshot_id,kind,subject,detail`.
pub(crate) fn flags_csv(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    flags: &[Flag],
) -> io::Result<()> {
    let mut w = super::csv::Writer::new(out);
    w.row(["snapshot_id", "kind", "subject", "detail"])?;
    let id = snapshot.id.to_string();
    for f in flags {
        w.row([id.as_str(), &f.kind, &f.subject, &f.detail])?;
    }
    w.flush()
}

/// A heading, then a table of the flags (or "No flags raised.").
pub(crate) fn flags_table(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    flags: &[Flag],
) -> io::Result<()> {
    crate::report::text::writeln_safe!(
        out,
        "Flags raised by the import of snapshot {}, taken {}",
        super::snapshot_name(snapshot),
        snapshot.taken_at
    )?;
    if flags.is_empty() {
        return writeln!(out, "No flags raised.");
    }
    let mut t = super::table(&["flag", "subject", "detail"]);
    for f in flags {
        t.add_row([&f.kind, &f.subject, &f.detail]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{}", super::count(flags.len(), "flag", "flags"))
}
