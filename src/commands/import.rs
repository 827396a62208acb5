//! `whocan import`: read inputs, write one snapshot, print the summary.
//!
//! Order matters for atomicity: `--taken-at` is validated first, then every input is
//! read and checked (the importer), and only then is the database opened and the
//! snapshot written in one transaction by the store. So a bad file or a bad flag
//! leaves the database exactly as it was. This command never decides what a file is
//! (the importer does) and never writes SQL (the store does). The summary (counts per
//! kind, files, every flag with its count and up to three examples) goes to stdout;
//! progress and notes go to stderr.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::{Format, ImportArgs};
use crate::import::{self, Imported};
use crate::model::Snapshot;
use crate::report;
use crate::report::text::eprintln_safe;
use crate::store::{NewSnapshot, Store};

use super::{common, output_format, Outcome};

pub(crate) fn run(db: &Path, args: ImportArgs) -> anyhow::Result<Outcome> {
    let (snapshot, imported) = import(db, &args)?;
    let mut out = crate::report::text::data_stdout(args.format);
    write_summary(&mut out, args.format, &snapshot, &imported)?;
    out.flush()?;
    // Freeing millions of small strings one by one takes a noticeable fraction of
    // a large import; the answer is out, so let a thread do it while the process
    // exits (which does not wait for it).
    std::thread::spawn(move || drop(imported));
    Ok(Outcome::Success)
}

/// The summary in the format asked (else a table on a terminal, JSON otherwise).
pub(crate) fn write_summary(
    out: &mut dyn Write,
    format: Option<Format>,
    snapshot: &Snapshot,
    imported: &Imported,
) -> anyhow::Result<()> {
    match output_format(format) {
        Format::Table => report::import::table(out, snapshot, imported)?,
        Format::Json => report::print_json(out, &report::import::summary_json(snapshot, imported))?,
        Format::Csv => report::import::csv(out, snapshot, imported)?,
    }
    Ok(())
}

/// Validates the flags, reads every input, writes one snapshot and notes on
/// stderr what was imported: the work of `import` short of its summary (which
/// `demo` shares).
pub(crate) fn import(db: &Path, args: &ImportArgs) -> anyhow::Result<(Snapshot, Imported)> {
    let taken_at = match &args.taken_at {
        Some(t) => common::parse_instant(t, false)
            .map_err(|e| super::UsageError(format!("--taken-at: {e}")))?,
        None => crate::model::Timestamp::now().to_string(),
    };
    let imported = import::read_inputs(&args.paths, std::io::stderr().is_terminal())?;

    let mut store = Store::open(db)?;
    let step = crate::report::progress::Step::start("writing the snapshot (one transaction)");
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
    drop(step);

    report_skipped(&imported.skipped);
    eprintln_safe!(
        "imported {} into snapshot {} of {}",
        crate::words::count(imported.files.len(), "file", "files"),
        snapshot.id,
        db.display()
    );

    Ok((snapshot, imported))
}

fn report_skipped(skipped: &[String]) {
    if skipped.is_empty() {
        return;
    }
    let shown: Vec<&str> = skipped.iter().take(5).map(String::as_str).collect();
    let more = skipped.len().saturating_sub(shown.len());
    eprintln_safe!(
        "note: skipped {} not .json or .csv: {}{}",
        crate::words::count(skipped.len(), "file that is", "files that are"),
        shown.join(", "),
        if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        }
    );
}
