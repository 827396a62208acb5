//! `whocan verify`: recompute every snapshot's content hash and chain hash (the
//! chain covers each snapshot's provenance since V5), and the review audit trail's
//! chain; with `--receipt FILE --public-key KEY`, also prove a receipt written by
//! `whocan seal` (see `seal.rs`).
//!
//! Output lists each check and names the first break. Exit 0 when everything
//! verifies; exit 1 (the answer is "no", as for `can`) at any mismatch, naming the
//! first on stderr; exit 2 when the receipt or key cannot be read. Read-only.

use std::io::Write;
use std::path::Path;

use crate::cli::{Format, VerifyArgs};
use crate::report::text::eprintln_safe;
use crate::report::{self, history};

use super::common::open_existing;
use super::{output_format, seal, Outcome};

pub(crate) fn run(db: &Path, args: VerifyArgs) -> anyhow::Result<Outcome> {
    let store = open_existing(db)?;
    let step = crate::report::progress::Step::start("recomputing every snapshot's hashes");
    let snapshots = store.verify_all()?;
    step.say("recomputing the review trail's chain");
    let trail = store.verify_trail()?;
    step.say("checking the database file (SQLite's integrity check)");
    let integrity = store.integrity_problems()?;
    drop(step);
    if snapshots.is_empty() {
        eprintln_safe!("{} holds no snapshot yet", db.display());
        eprintln_safe!("hint: run `whocan import PATH...`");
    }
    let receipt = match (&args.receipt, &args.public_key) {
        (Some(r), Some(k)) => Some(seal::check_receipt(r, k, &snapshots, &trail)?),
        _ => None,
    };
    let r = history::VerifyReport {
        integrity: &integrity,
        snapshots: &snapshots,
        trail: &trail,
        receipt: receipt.as_ref(),
    };
    let mut out = crate::report::text::data_stdout(args.format);
    match output_format(args.format) {
        Format::Json => report::print_json(&mut out, &history::verify_json(&r))?,
        Format::Csv => history::verify_csv(&mut out, &r)?,
        Format::Table => history::verify_table(&mut out, &r)?,
    }
    out.flush()?;
    match history::first_break(&r) {
        None => Ok(Outcome::Success),
        Some(b) => {
            eprintln_safe!(
                "verify: first break: {}: {}{}",
                b.check,
                b.detail,
                if b.receipt {
                    ""
                } else {
                    " (the database was altered after it was recorded)"
                }
            );
            Ok(Outcome::No)
        }
    }
}
