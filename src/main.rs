//! whocan: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = whocan::cli::Cli::parse();
    whocan::commands::main(cli)
}
