//! One file per subcommand behind one dispatch `match`.
//!
//! Commands turn raw flags into a validated request (snapshot, scope, principal,
//! format), call the store and the engine, and hand the answer to a renderer. Exit
//! codes are decided once, here: 0 success, 1 `can` said no, 2 bad input or usage,
//! 3 internal error. A closed stdout (broken pipe) counts as success.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{Cli, Command, Format};

pub mod activities;
pub mod can;
pub mod common;
pub mod demo;
pub mod diff;
pub mod import;
pub mod lint;
pub mod review;
pub mod snapshots;
pub mod synth;
pub mod verify;
pub mod what;
pub mod who;

/// An error the user caused (bad input, unknown name, missing snapshot): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// What a command reports back besides "done".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `can` answered no.
    No,
}

pub fn main(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::No) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            // Data reaches errors through names: shown escaped, line by line.
            let msg = format!("error: {err:#}");
            eprintln!("{}", crate::report::text::sanitize_lines(&msg));
            ExitCode::from(exit_code_for(&err))
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Import(args) => import::run(&cli.db, args),
        Command::Snapshots(args) => snapshots::run(&cli.db, args),
        Command::Who(args) => who::run(&cli.db, args),
        Command::Can(args) => can::run(&cli.db, args),
        Command::What(args) => what::run(&cli.db, args),
        Command::Activities(args) => activities::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Synth(args) => synth::run(args),
        Command::Review(args) => review::run(&cli.db, args),
        Command::Diff(args) => diff::run(&cli.db, args),
        Command::Verify(args) => verify::run(&cli.db, args),
        Command::Lint(args) => lint::run(&cli.db, args),
    }
}

fn exit_code_for(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<UsageError>()
            || cause.is::<crate::import::ImportError>()
            || matches!(
                cause.downcast_ref::<crate::store::StoreError>(),
                Some(
                    crate::store::StoreError::NoSnapshot(_)
                        | crate::store::StoreError::Empty
                        | crate::store::StoreError::BadTime(_)
                )
            )
        {
            return 2;
        }
    }
    3
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The output format: as asked, else a table on a terminal and JSON otherwise.
pub fn output_format(asked: Option<Format>) -> Format {
    asked.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        }
    })
}
