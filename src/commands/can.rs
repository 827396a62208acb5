//! `whocan can`.

use std::path::Path;

use crate::cli::CanArgs;

use super::Outcome;

pub fn run(db: &Path, args: CanArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    todo!()
}
