//! `whocan collect`: flags → [`crate::collect::Options`], the collection, its summary
//! (stderr) and the output directory (stdout); with `--import`, the same import as
//! `whocan import DIR` (through [`super::import::import`]).

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::{CollectArgs, ImportArgs};
use crate::collect::{self, Options};
use crate::report;

use super::Outcome;

pub fn run(db: &Path, args: CollectArgs) -> anyhow::Result<Outcome> {
    let opts = Options {
        out: args.out.clone(),
        arm_url: args.arm_url,
        graph_url: args.graph_url,
        subscriptions: args.subscriptions,
        management_groups: args.management_groups,
        concurrency: args.concurrency,
        resume: args.resume,
        progress: std::io::stderr().is_terminal(),
    };
    let summary = collect::collect(opts)?;
    report::collect::summary(&mut std::io::stderr().lock(), &summary)?;
    if args.import {
        let import_args = ImportArgs {
            paths: vec![args.out.clone()],
            label: None,
            taken_at: None,
            format: None,
        };
        super::import::import(db, &import_args)?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    report::collect::out_dir(&mut out, &summary)?;
    out.flush()?;
    Ok(Outcome::Success)
}
