//! `whocan import`: read inputs, write one snapshot, print the summary.
//!
//! Order matters for atomicity: `--taken-at` is validated first, then every input is
//! read and checked (the importer), and only then is the database opened and the
//! snapshot written in one transaction by the store. So a bad file or a bad flag
//! leaves the database exactly as it was. This command never decides what a file is
//! (the importer does) and never writes SQL (the store does). The summary (counts per
//! kind, files, every flag with its count and up to three examples) goes to stdout;
//! progress and notes go to stderr.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

use serde_json::json;

use crate::cli::{Format, ImportArgs};
use crate::import::{self, Imported};
use crate::model::{Flag, Snapshot};
use crate::report;
use crate::report::text::{eprintln_safe, writeln_safe};
use crate::report::Cell;
use crate::store::{NewSnapshot, Store};

use super::{common, output_format, Outcome};

/// How many examples of each flag kind the summary shows.
const EXAMPLES: usize = 3;

pub fn run(db: &Path, args: ImportArgs) -> anyhow::Result<Outcome> {
    let taken_at = match &args.taken_at {
        Some(t) => common::parse_instant(t, false)
            .map_err(|e| super::UsageError(format!("--taken-at: {e}")))?,
        None => crate::model::Timestamp::now().to_string(),
    };
    let imported = import::read_inputs(&args.paths, std::io::stderr().is_terminal())?;

    let mut store = Store::open(db)?;
    let snapshot = store.write_snapshot(
        &NewSnapshot {
            taken_at,
            label: args.label.clone(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        },
        &imported.tenant,
        &imported.files,
        &imported.flags,
    )?;

    report_skipped(&imported.skipped);
    eprintln_safe!(
        "imported {} file{} into snapshot {} of {}",
        imported.files.len(),
        if imported.files.len() == 1 { "" } else { "s" },
        snapshot.id,
        db.display()
    );

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match output_format(args.format) {
        Format::Table => write_table(&mut out, &snapshot, &imported)?,
        Format::Json => report::print_json(&mut out, &summary_json(&snapshot, &imported))?,
        Format::Csv => write_csv(&mut out, &snapshot, &imported)?,
    }
    out.flush()?;
    // Freeing millions of small strings one by one takes a noticeable fraction of
    // a large import; the answer is out, so let a thread do it while the process
    // exits (which does not wait for it).
    std::thread::spawn(move || drop(imported));
    Ok(Outcome::Success)
}

fn report_skipped(skipped: &[String]) {
    if skipped.is_empty() {
        return;
    }
    let shown: Vec<&str> = skipped.iter().take(5).map(String::as_str).collect();
    let more = skipped.len().saturating_sub(shown.len());
    eprintln_safe!(
        "note: skipped {} file{} that {} not .json or .csv: {}{}",
        skipped.len(),
        if skipped.len() == 1 { "" } else { "s" },
        if skipped.len() == 1 { "is" } else { "are" },
        shown.join(", "),
        if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        }
    );
}

/// Flags grouped by kind, kinds in the order first raised.
fn grouped(flags: &[Flag]) -> Vec<(&str, Vec<&Flag>)> {
    let mut groups: Vec<(&str, Vec<&Flag>)> = Vec::new();
    for f in flags {
        match groups.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, list)) => list.push(f),
            None => groups.push((f.kind.as_str(), vec![f])),
        }
    }
    groups
}

pub(crate) fn summary_json(snapshot: &Snapshot, imported: &Imported) -> serde_json::Value {
    let counts: serde_json::Map<String, serde_json::Value> = import::counts(imported)
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "snapshot": {
            "id": snapshot.id,
            "takenAt": snapshot.taken_at,
            "label": snapshot.label,
            "contentHash": snapshot.content_hash,
        },
        "counts": counts,
        "files": imported.files.iter().map(|f| json!({
            "path": f.path, "kind": f.kind, "sha256": f.sha256, "records": f.records,
        })).collect::<Vec<_>>(),
        "skipped": imported.skipped,
        "flags": grouped(&imported.flags).into_iter().map(|(kind, list)| json!({
            "kind": kind,
            "count": list.len(),
            "examples": list.iter().take(EXAMPLES).map(|f| json!({
                "subject": f.subject, "detail": f.detail,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn write_table(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    imported: &Imported,
) -> anyhow::Result<()> {
    writeln_safe!(
        out,
        "Snapshot {}{}, taken {}, content {}",
        snapshot.id,
        snapshot
            .label
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default(),
        snapshot.taken_at,
        short_hash(&snapshot.content_hash),
    )?;
    let mut counts = report::table(&["records", "count"]);
    for (kind, n) in import::counts(imported) {
        if n > 0 || kind == "files" {
            counts.add_row([kind.to_string(), n.to_string()]);
        }
    }
    writeln!(out, "{counts}")?;

    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in &imported.files {
        let e = by_kind.entry(f.kind.as_str()).or_default();
        e.0 += 1;
        e.1 += f.records;
    }
    let mut files = report::table(&["file kind", "files", "records"]);
    for (kind, (n, records)) in by_kind {
        files.add_row([kind.to_string(), n.to_string(), records.to_string()]);
    }
    writeln!(out, "{files}")?;

    let groups = grouped(&imported.flags);
    if groups.is_empty() {
        writeln!(out, "No flags raised.")?;
    } else {
        let mut flags = report::table(&["flag", "count", "examples"]);
        if !std::io::stdout().is_terminal() {
            // Off a terminal comfy-table cannot measure a width; wrap long examples.
            flags.set_width(120);
        }
        for (kind, list) in groups {
            let mut examples: Vec<String> = list
                .iter()
                .take(EXAMPLES)
                .map(|f| format!("{}: {}", f.subject, f.detail))
                .collect();
            if list.len() > EXAMPLES {
                examples.push(format!("... and {} more", list.len() - EXAMPLES));
            }
            flags.add_row([
                Cell::from(kind),
                Cell::from(list.len().to_string()),
                Cell::lines(examples),
            ]);
        }
        writeln!(out, "{flags}")?;
    }
    Ok(())
}

fn short_hash(h: &str) -> &str {
    h.get(..16).unwrap_or(h)
}

/// One row per fact: `section,name,value,detail`.
fn write_csv(out: &mut dyn Write, snapshot: &Snapshot, imported: &Imported) -> anyhow::Result<()> {
    let mut w = report::csv::Writer::new(out);
    w.row(["section", "name", "value", "detail"])?;
    w.row([
        "snapshot",
        "id",
        &snapshot.id.to_string(),
        snapshot.label.as_deref().unwrap_or(""),
    ])?;
    w.row(["snapshot", "takenAt", &snapshot.taken_at, ""])?;
    w.row(["snapshot", "contentHash", &snapshot.content_hash, ""])?;
    for (kind, n) in import::counts(imported) {
        w.row(["count", kind, &n.to_string(), ""])?;
    }
    for f in &imported.files {
        w.row(["file", &f.path, &f.records.to_string(), &f.kind])?;
    }
    for (kind, list) in grouped(&imported.flags) {
        let example = list
            .first()
            .map(|f| format!("{}: {}", f.subject, f.detail))
            .unwrap_or_default();
        w.row(["flag", kind, &list.len().to_string(), &example])?;
    }
    w.flush()?;
    Ok(())
}
