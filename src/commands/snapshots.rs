//! `whocan snapshots`: list the snapshots, oldest first.
//!
//! Read-only: it never creates a database (a missing file is a usage error, exit 2)
//! and never writes to one. Columns: id, takenAt, label, toolVersion, importedAt,
//! contentHash (camelCase keys in JSON, the same names as the CSV header).

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::cli::{Format, SnapshotsArgs};
use crate::report;
use crate::report::text::eprintln_safe;

use super::{common, output_format, Outcome};

const COLUMNS: [&str; 6] = [
    "id",
    "takenAt",
    "label",
    "toolVersion",
    "importedAt",
    "contentHash",
];

pub fn run(db: &Path, args: SnapshotsArgs) -> anyhow::Result<Outcome> {
    let store = common::open_existing(db)?;
    let snapshots = store.snapshots()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match output_format(args.format) {
        Format::Json => {
            let rows: Vec<serde_json::Value> = snapshots
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
                .collect();
            report::print_json(&mut out, &serde_json::Value::Array(rows))?;
        }
        Format::Csv => {
            let mut w = report::csv::Writer::new(&mut out);
            w.row(COLUMNS)?;
            for s in &snapshots {
                w.row([
                    s.id.to_string(),
                    s.taken_at.clone(),
                    s.label.clone().unwrap_or_default(),
                    s.tool_version.clone(),
                    s.imported_at.clone(),
                    s.content_hash.clone(),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            if snapshots.is_empty() {
                eprintln_safe!(
                    "{} holds no snapshot yet (hint: run `whocan import PATH...`)",
                    db.display()
                );
            } else {
                let mut t = report::table(&COLUMNS);
                for s in &snapshots {
                    t.add_row(vec![
                        s.id.to_string(),
                        s.taken_at.clone(),
                        s.label.clone().unwrap_or_default(),
                        s.tool_version.clone(),
                        s.imported_at.clone(),
                        s.content_hash.clone(),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}
