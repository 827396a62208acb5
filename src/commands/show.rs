//! `whocan show PRINCIPAL`: one principal's record, groups, role assignments, PIM
//! eligibilities and the deny assignments that name it.
//!
//! Reads the slice `can` reads for a principal (its groups upward and every
//! assignment and eligibility they hold, anywhere: `store/slice.rs`), every deny
//! assignment, and which groups' members the snapshot does not list; the engine
//! (`engine/profile.rs`) arranges them.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::cli::{Format, ShowArgs};
use crate::engine::profile::{profile, UnseenGroups};
use crate::engine::Index;
use crate::report;
use crate::store::SliceRequest;

use super::common::Sliced;
use super::{output_format, Outcome};

pub(crate) fn run(db: &Path, args: ShowArgs) -> anyhow::Result<Outcome> {
    let sl = Sliced::open(db, &args.snapshot)?;
    let snapshot = sl.snapshot.id;
    let principal = sl.principal(&args.principal)?;
    let req = SliceRequest {
        scopes: Vec::new(),
        principals: vec![principal.clone()],
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
    tenant.scopes = sl.scopes.clone();
    tenant.denies = sl.store.all_denies(snapshot)?;
    let (not_imported, partial) = sl.store.unseen_groups(snapshot)?;
    let ix = Index::from_tenant_at(tenant, Some(&sl.snapshot.taken_at));
    let p = profile(
        &ix,
        &principal,
        &UnseenGroups {
            not_imported,
            partial,
        },
    );
    let mut out = crate::report::text::data_stdout(args.format);
    match output_format(args.format) {
        Format::Json => report::print_json(&mut out, &report::show::json(&sl.snapshot, &p))?,
        Format::Csv => {
            report::show::csv(&mut out, &p)?;
            super::common::warn_incomplete_csv(&p.incomplete, &[]);
        }
        Format::Table => report::show::table(
            &mut out,
            &sl.snapshot,
            &p,
            &report::ScopeNames::new(&sl.scopes),
        )?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}
