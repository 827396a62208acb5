//! `whocan review`.

use std::path::Path;

use crate::cli::ReviewArgs;

use super::Outcome;

pub fn run(db: &Path, args: ReviewArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    Err(super::UsageError("`whocan review` is not built yet".into()).into())
}
