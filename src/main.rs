//! whocan: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// glibc's allocator spent a third of query time consolidating and unlinking
/// chunks for the millions of small strings a large snapshot slice holds
/// (BENCHMARKS.md); mimalloc does the same work without that cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = whocan::cli::Cli::parse();
    whocan::commands::main(cli)
}
