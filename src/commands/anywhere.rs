//! `whocan who --anywhere ACTION...`: tenant-wide, every principal that can do the
//! actions at some scope, and where (see `engine/anywhere.rs` for what "where"
//! means, and docs/semantics.md).
//!
//! Reads every role definition (to know which grant the actions), the scopes
//! where those roles are assigned (and where any role is eligible, or an
//! assignment's role is joined by name or not defined), the slice `who` would
//! read at all of those scopes at once, and the members below the holders that
//! matter; then the engine decides each principal at each of its places.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::cli::{Format, WhoArgs};
use crate::engine::{anywhere, Index};
use crate::model::key;
use crate::report;
use crate::store::SliceRequest;

use super::common::{action_requests, Sliced, Timing};
use super::{output_format, Outcome};

/// Answers `who --anywhere` (called by `who` when the flag is given).
pub(crate) fn answer(db: &Path, args: &WhoArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let timing = Timing::start();
    let sl = Sliced::open(db, &args.snapshot)?;
    let snapshot = sl.snapshot.id;
    sl.check_actions(&args.actions, args.allow_unknown_action)?;
    // The catalogue entries of the actions (their plane), read as `who` reads them.
    let (_, probe) = sl.index("/", &[], false, Some(&args.actions), false)?;
    let reqs = action_requests(&probe, &args.actions, "/", args.data)?;
    drop(probe);
    let roles = sl.store.all_roles(snapshot)?;
    let granting = anywhere::granting_roles(&roles, &reqs);
    let places = sl.store.holding_scopes(snapshot, &granting)?;
    timing.mark(&format!("{} places", places.len()));
    let mut scopes: Vec<String> = places.iter().flat_map(|s| sl.tree.ancestors(s)).collect();
    scopes.sort();
    scopes.dedup();
    let req = SliceRequest {
        scopes,
        principals: Vec::new(),
        expand_members: false,
        below: Vec::new(),
        operations: Some(args.actions.clone()),
        all_roles: false,
        facts: false,
        principals_only: false,
    };
    let mut tenant = sl
        .store
        .load_slice(snapshot, &req)
        .with_context(|| format!("reading snapshot {snapshot}"))?;
    tenant.scopes = sl.scopes.clone();
    // Every deny assignment: one below a place may block part of it.
    let read: std::collections::HashSet<String> =
        tenant.denies.iter().map(|d| key(&d.id)).collect();
    let more: Vec<_> = sl
        .store
        .all_denies(snapshot)?
        .into_iter()
        .filter(|d| !read.contains(&key(&d.id)))
        .collect();
    tenant.denies.extend(more);
    timing.mark("slice");
    let base = Index::new_at(&tenant, &sl.snapshot.taken_at);
    let alts = anywhere::alternatives(&reqs, &places);
    let ix = sl.expand_for(tenant, base, &alts, false)?;
    timing.mark("members");
    let names = report::ScopeNames::new(&sl.scopes);
    let q = report::anywhere::Asked {
        snapshot: &sl.snapshot,
        actions: &reqs,
    };
    // JSON and CSV stream one principal at a time; the table gathers its rows.
    let mut result = Ok(());
    let mut keep = |r: std::io::Result<()>| {
        if result.is_ok() {
            result = r;
        }
    };
    match output_format(args.format) {
        Format::Json => {
            let mut stream = report::anywhere::JsonStream::start(&mut *out, &q)?;
            let incomplete =
                anywhere::anywhere_each(&ix, &alts, args.include_groups, |s| keep(stream.push(&s)));
            result?;
            stream.finish(&incomplete)?;
        }
        Format::Csv => {
            let mut stream = report::anywhere::CsvStream::start(&mut *out)?;
            let incomplete =
                anywhere::anywhere_each(&ix, &alts, args.include_groups, |s| keep(stream.push(&s)));
            result?;
            stream.finish()?;
            super::common::warn_incomplete_csv(&incomplete, &[]);
        }
        Format::Table => {
            let mut rows = report::anywhere::TableRows::new();
            let incomplete =
                anywhere::anywhere_each(&ix, &alts, args.include_groups, |s| rows.push(&s, &names));
            rows.finish(out, &q, &incomplete)?;
        }
    }
    timing.mark("decide and write");
    Ok(Outcome::Success)
}
