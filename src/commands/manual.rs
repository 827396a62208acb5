//! `whocan completions SHELL` and `whocan man`: generated from the clap
//! definitions in `cli.rs`, so they always list the flags the binary has.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::report::manual;

use super::Outcome;

pub(crate) fn completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    manual::completions(&mut out, args.shell, Cli::command())?;
    out.flush()?;
    Ok(Outcome::Success)
}

pub(crate) fn man(args: ManArgs) -> anyhow::Result<Outcome> {
    let cmd = Cli::command();
    match args.dir {
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            manual::man_page(&mut out, cmd)?;
            out.flush()?;
        }
        Some(dir) => {
            if !dir.is_dir() {
                return Err(super::UsageError(format!(
                    "{} is not a directory\nhint: create it first (mkdir -p {})",
                    dir.display(),
                    dir.display()
                ))
                .into());
            }
            let written = manual::man_pages(&dir, cmd)?;
            manual::wrote(&written);
        }
    }
    Ok(Outcome::Success)
}
