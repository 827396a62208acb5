//! `whocan verify`.

use std::path::Path;

use crate::cli::VerifyArgs;

use super::Outcome;

pub fn run(db: &Path, args: VerifyArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    Err(super::UsageError("`whocan verify` is not built yet".into()).into())
}
