//! `whocan import`: read inputs, write one snapshot, print the summary.

use std::path::Path;

use crate::cli::ImportArgs;

use super::Outcome;

pub fn run(db: &Path, args: ImportArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    todo!("import helper")
}
