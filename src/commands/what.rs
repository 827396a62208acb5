//! `whocan what`.

use std::path::Path;

use crate::cli::WhatArgs;

use super::Outcome;

pub fn run(db: &Path, args: WhatArgs) -> anyhow::Result<Outcome> {
    let _ = (db, args);
    todo!()
}
