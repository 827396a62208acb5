//! `whocan activities`.

use crate::cli::ActivitiesArgs;

use super::Outcome;

pub fn run(args: ActivitiesArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    todo!()
}
