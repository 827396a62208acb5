//! `whocan lint`: findings about a snapshot (notActions gotchas, V1/V2 gaps,
//! unknown actions, Owner-like custom roles, orphans, limits, risky holders,
//! expired eligibilities), each with severity, objects and a fix hint.
//!
//! Without `--scope`/`--workspace` the whole snapshot is checked; with one, only
//! what applies at, above or below that scope. Exit 0 whatever is found (findings
//! are data, not a failure). Read-only.

use std::io::Write;
use std::path::Path;

use crate::audit::lint::{self, LintOptions};
use crate::cli::{Format, LintArgs};
use crate::report::{self, history};

use super::common::{load, target_scope};
use super::{output_format, Outcome};

pub(crate) fn run(db: &Path, args: LintArgs) -> anyhow::Result<Outcome> {
    let step = crate::report::progress::Step::start("reading the snapshot");
    let l = load(db, &args.snapshot)?;
    step.say("checking roles, assignments and holders");
    let scope = if args.scope.scope.is_some() || args.scope.workspace.is_some() {
        Some(target_scope(&l.tenant, &args.scope)?)
    } else {
        None
    };
    let findings = lint::lint(
        &l.index,
        &LintOptions {
            scope: scope.clone(),
            taken_at: l.snapshot.taken_at.clone(),
        },
    );
    drop(step);
    let names = report::ScopeNames::new(&l.tenant.scopes);
    let mut out = crate::report::text::data_stdout(args.format);
    match output_format(args.format) {
        Format::Json => report::print_json(
            &mut out,
            &history::lint_json(&l.snapshot, scope.as_deref(), &findings),
        )?,
        Format::Csv => history::lint_csv(&mut out, &findings)?,
        Format::Table => {
            history::lint_table(&mut out, &l.snapshot, scope.as_deref(), &findings, &names)?
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}
