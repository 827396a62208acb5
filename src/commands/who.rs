//! `whocan who`.

use std::path::Path;

use crate::cli::WhoArgs;

use super::Outcome;

pub fn run(db: &Path, args: WhoArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    todo!()
}
