//! `whocan demo`.

use crate::cli::DemoArgs;

use super::Outcome;

pub fn run(args: DemoArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    todo!()
}
