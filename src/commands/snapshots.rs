//! `whocan snapshots`: list the snapshots, oldest first.
//!
//! Read-only: it never creates a database (a missing file is a usage error, exit 2)
//! and never writes to one. The columns are `report::snapshots`'.

use std::io::Write;
use std::path::Path;

use crate::cli::{Format, SnapshotsArgs};
use crate::report;
use crate::report::text::eprintln_safe;

use super::{common, output_format, Outcome};

pub(crate) fn run(db: &Path, args: SnapshotsArgs) -> anyhow::Result<Outcome> {
    let store = common::open_existing(db)?;
    if let Some(id) = args.flags {
        return flags(&store, id, args.format);
    }
    let snapshots = store.snapshots()?;
    let collections = store.collection_summaries()?;
    let mut out = crate::report::text::data_stdout(args.format);
    match output_format(args.format) {
        Format::Json => {
            report::print_json(&mut out, &report::snapshots::json(&snapshots, &collections))?
        }
        Format::Csv => report::snapshots::csv(&mut out, &snapshots, &collections)?,
        Format::Table => {
            if snapshots.is_empty() {
                eprintln_safe!("{} holds no snapshot yet", db.display());
                eprintln_safe!("hint: run `whocan import PATH...`");
            }
            report::snapshots::table(&mut out, &snapshots, &collections)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// `--flags [ID]`: every flag the import of a snapshot raised, in the order
/// raised.
fn flags(
    store: &crate::store::Store,
    id: Option<i64>,
    format: Option<Format>,
) -> anyhow::Result<Outcome> {
    let selector = match id {
        Some(id) => crate::store::SnapshotSelector::Id(id),
        None => crate::store::SnapshotSelector::Latest,
    };
    let snapshot = store.resolve(&selector)?;
    let flags = store.flags(snapshot.id)?;
    let mut out = crate::report::text::data_stdout(format);
    match output_format(format) {
        Format::Json => {
            report::print_json(&mut out, &report::snapshots::flags_json(&snapshot, &flags))?
        }
        Format::Csv => report::snapshots::flags_csv(&mut out, &snapshot, &flags)?,
        Format::Table => report::snapshots::flags_table(&mut out, &snapshot, &flags)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}
