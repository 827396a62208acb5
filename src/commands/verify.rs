//! `whocan verify`: recompute every snapshot's content hash and the hash chain, and
//! report the first snapshot whose stored hash no longer matches.
//!
//! Exit 0 when every snapshot matches; exit 1 (the answer is "no", as for `can`)
//! when one does not, naming the first on stderr. Read-only.

use std::io::Write;
use std::path::Path;

use crate::cli::{Format, VerifyArgs};
use crate::report::text::eprintln_safe;
use crate::report::{self, history};

use super::common::open_existing;
use super::{output_format, Outcome};

pub fn run(db: &Path, args: VerifyArgs) -> anyhow::Result<Outcome> {
    let store = open_existing(db)?;
    let checks = store.verify_all()?;
    if checks.is_empty() {
        eprintln_safe!(
            "{} holds no snapshot yet (hint: run `whocan import PATH...`)",
            db.display()
        );
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match output_format(args.format) {
        Format::Json => report::print_json(&mut out, &history::verify_json(&checks))?,
        Format::Csv => history::verify_csv(&mut out, &checks)?,
        Format::Table => history::verify_table(&mut out, &checks)?,
    }
    out.flush()?;
    match checks.iter().find(|c| !c.ok()) {
        None => Ok(Outcome::Success),
        Some(c) => {
            eprintln_safe!(
                "verify: snapshot {} ({}) no longer matches its recorded {} hash: the database was altered after import",
                c.id,
                c.taken_at,
                if c.content_ok() { "chain" } else { "content" }
            );
            Ok(Outcome::No)
        }
    }
}
