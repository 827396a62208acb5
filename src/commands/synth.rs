//! `whocan synth`: write a synthetic tenant as export files.

use crate::cli::SynthArgs;

use super::Outcome;

pub fn run(args: SynthArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    todo!("synth helper")
}
