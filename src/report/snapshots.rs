//! Rendering `snapshots`' list as table, JSON and CSV. Columns: id, takenAt,
//! label, toolVersion, importedAt, contentHash (camelCase keys in JSON, the same
//! names as the CSV header).

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::model::Snapshot;

const COLUMNS: [&str; 6] = [
    "id",
    "takenAt",
    "label",
    "toolVersion",
    "importedAt",
    "contentHash",
];

fn cells(s: &Snapshot) -> [String; 6] {
    [
        s.id.to_string(),
        s.taken_at.clone(),
        s.label.clone().unwrap_or_default(),
        s.tool_version.clone(),
        s.imported_at.clone(),
        s.content_hash.clone(),
    ]
}

pub(crate) fn json(snapshots: &[Snapshot]) -> Value {
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
                })
            })
            .collect(),
    )
}

pub(crate) fn csv(out: &mut dyn Write, snapshots: &[Snapshot]) -> io::Result<()> {
    let mut w = super::csv::Writer::new(out);
    w.row(COLUMNS)?;
    for s in snapshots {
        w.row(cells(s))?;
    }
    w.flush()
}

/// The table; an empty list prints nothing (the command says why on stderr).
pub(crate) fn table(out: &mut dyn Write, snapshots: &[Snapshot]) -> io::Result<()> {
    if snapshots.is_empty() {
        return Ok(());
    }
    let mut t = super::table(&COLUMNS);
    for s in snapshots {
        t.add_row(cells(s));
    }
    writeln!(out, "{t}")
}
