//! `whocan diff`.

use std::path::Path;

use crate::cli::DiffArgs;

use super::Outcome;

pub fn run(db: &Path, args: DiffArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    Err(super::UsageError("`whocan diff` is not built yet".into()).into())
}
