//! `whocan-synth`: write a synthetic tenant as export files, for benchmarks and tests.
//!
//! A thin shell over [`whocan_synth::write_tenant`]: refuses a non-empty `--out`
//! (exit 2), prints one summary line per kind and the total on stderr, and the
//! output directory on stdout (so `whocan import "$(whocan-synth ...)"` works).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use whocan_synth::{Profile, SynthError};

/// Generate a synthetic tenant as real-shaped export files (for benchmarks and tests).
#[derive(Debug, Parser)]
#[command(
    name = "whocan-synth",
    version,
    after_help = "Examples:\n  whocan-synth --profile small --seed 1 --out /tmp/tenant\n  whocan-synth --profile xl --seed 42 --out /tmp/xl && whocan --db xl.db import /tmp/xl\n  whocan-synth --profile xl --seed 42 --churn 0.01 --out /tmp/xl-next   # the same tenant a month later"
)]
struct Args {
    /// Tenant size: small (about sample-data/), large (a tenth of xl) or xl
    /// (200,000 users, 40,000 groups, 150,000 assignments).
    #[arg(long, value_enum, default_value = "small")]
    profile: Profile,
    /// Seed of the generator: the same seed always writes byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output directory (created; must be empty or absent).
    #[arg(long)]
    out: PathBuf,
    /// Write the same tenant with this fraction of assignments and memberships
    /// changed and one role edited (e.g. 0.01), for a second snapshot.
    #[arg(long)]
    churn: Option<f64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if e.is_usage() {
                ExitCode::from(2)
            } else {
                ExitCode::from(4)
            }
        }
    }
}

fn run(args: &Args) -> Result<(), SynthError> {
    let started = Instant::now();
    let summary = whocan_synth::write_tenant(args.profile, args.seed, &args.out, args.churn)?;
    for k in &summary.kinds {
        eprintln!("{k}");
    }
    eprintln!(
        "wrote {} files, {:.1} MB, in {:.2} s (profile {:?}, seed {})",
        summary.files(),
        summary.bytes() as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        args.profile,
        args.seed
    );
    // Not `println!`, which panics on a closed stdout; a closed stdout is success.
    let _ = writeln!(std::io::stdout(), "{}", args.out.display());
    Ok(())
}
