//! `whocan synth`: write a synthetic tenant as export files.
//!
//! A thin shell over [`crate::synth::write_tenant`]: refuses a non-empty `--out`
//! (exit 2), prints one summary line per kind and the total on stderr, and the
//! output directory on stdout (so `whocan import "$(whocan synth ...)"` works).

use std::io::Write;
use std::time::Instant;

use crate::cli::SynthArgs;
use crate::synth::{self, SynthError};

use super::{Outcome, UsageError};

pub fn run(args: SynthArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let summary = synth::write_tenant(args.profile, args.seed, &args.out, args.churn).map_err(
        |e: SynthError| -> anyhow::Error {
            if e.is_usage() {
                UsageError(e.to_string()).into()
            } else {
                e.into()
            }
        },
    )?;
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
    // Not `println!`, which panics on a closed stdout.
    writeln!(std::io::stdout(), "{}", args.out.display())?;
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Profile;

    #[test]
    fn a_non_empty_out_is_a_usage_error() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("keep.json"), "[]").unwrap();
        let err = run(SynthArgs {
            profile: Profile::Small,
            seed: 1,
            out: tmp.path().to_path_buf(),
            churn: None,
        })
        .unwrap_err();
        assert!(err.chain().any(|c| c.is::<UsageError>()), "{err:#}");
        assert!(err.to_string().contains("not empty"), "{err}");
    }
}
