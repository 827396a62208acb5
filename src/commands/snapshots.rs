//! `whocan snapshots`: list the snapshots.

use std::path::Path;

use crate::cli::SnapshotsArgs;

use super::Outcome;

pub fn run(db: &Path, args: SnapshotsArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    todo!("import helper")
}
