//! `whocan members GROUP [--transitive]`: a group's direct members, or every
//! member below it with the chain of groups, and what the snapshot could not show
//! (member lists not imported, or one page of several).
//!
//! Reads the group's slice and its members downward (`store/slice.rs`, the walk
//! `who` uses to find candidates); the engine (`engine/members.rs`) walks them
//! with the one membership walk. A name that is not a group is exit 2.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::cli::{Format, MembersArgs};
use crate::engine::decide::principal_info;
use crate::engine::{members, Index};
use crate::report;
use crate::report::text::eprintln_safe;
use crate::store::SliceRequest;

use super::common::Sliced;
use super::resolve::shown;
use super::{output_format, Outcome, UsageError};

pub(crate) fn run(db: &Path, args: MembersArgs) -> anyhow::Result<Outcome> {
    let sl = Sliced::open(db, &args.snapshot)?;
    let snapshot = sl.snapshot.id;
    let group = sl.principal(&args.group)?;
    let req = SliceRequest {
        scopes: Vec::new(),
        principals: vec![group.clone()],
        expand_members: false,
        below: Vec::new(),
        operations: Some(Vec::new()),
        all_roles: false,
        facts: false,
        principals_only: false,
    };
    let mut tenant = sl
        .store
        .load_slice(snapshot, &req)
        .with_context(|| format!("reading snapshot {snapshot}"))?;
    sl.store
        .expand_members(snapshot, &mut tenant, std::slice::from_ref(&group))?;
    tenant.scopes = sl.scopes.clone();
    let ix = Index::from_tenant_at(tenant, Some(&sl.snapshot.taken_at));
    if !ix.is_group(&group) {
        let p = principal_info(&ix, &group);
        let name = if p.display_name.is_empty() {
            p.id.clone()
        } else {
            p.display_name.clone()
        };
        return Err(UsageError(format!(
            "\"{}\" is a {} ({}), not a group: it has no members\nhint: `whocan show '{}'` lists the groups it is in",
            shown(args.group.trim()),
            p.kind,
            shown(&name),
            shown(&p.id)
        ))
        .into());
    }
    let m = members::members(&ix, &group, args.transitive);
    let format = output_format(args.format);
    // A table says it under the list; JSON and CSV readers are told on stderr.
    if format != Format::Table {
        for i in &m.incomplete {
            eprintln_safe!("warning: incomplete: {}", i.describe());
        }
    }
    let mut out = crate::report::text::data_stdout(args.format);
    match format {
        Format::Json => report::print_json(&mut out, &report::members::json(&sl.snapshot, &m))?,
        Format::Csv => report::members::csv(&mut out, &m)?,
        Format::Table => report::members::table(&mut out, &sl.snapshot, &m)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}
