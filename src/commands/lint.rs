//! `whocan lint`.

use std::path::Path;

use crate::cli::LintArgs;

use super::Outcome;

pub fn run(db: &Path, args: LintArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    Err(super::UsageError("`whocan lint` is not built yet".into()).into())
}
