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
