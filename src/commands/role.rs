//! `whocan role NAME|ID`: a role definition, whether it is privileged, and its
//! assignments (counted; listed with `--assignments`).
//!
//! The role is named through [`super::browse_names::role`] (exit 2 with `did you
//! mean` when unknown); its assignments are read by the store and joined to it
//! by the engine's one role join (`engine/role_card.rs`).

use std::io::Write;
use std::path::Path;

use crate::cli::{Format, RoleArgs};
use crate::engine::{role_card, Index};
use crate::report;

use super::common::Sliced;
use super::{browse_names, output_format, Outcome};

pub(crate) fn run(db: &Path, args: RoleArgs) -> anyhow::Result<Outcome> {
    let sl = Sliced::open(db, &args.snapshot)?;
    let snapshot = sl.snapshot.id;
    let role = browse_names::role(&sl.store, snapshot, &args.role)?;
    let mut tenant = sl.store.role_holdings(snapshot, &role)?;
    tenant.scopes = sl.scopes.clone();
    let ix = Index::from_tenant_at(tenant, Some(&sl.snapshot.taken_at));
    let card = role_card::role_card(&ix, &role.record_key())
        .ok_or_else(|| anyhow::anyhow!("role {} vanished from its own slice", role.role_name))?;
    let mut out = crate::report::text::data_stdout(args.format);
    let names = report::ScopeNames::new(&sl.scopes);
    match output_format(args.format) {
        Format::Json => report::print_json(
            &mut out,
            &report::role::json(&sl.snapshot, &card, args.assignments),
        )?,
        Format::Csv => report::role::csv(&mut out, &card, args.assignments)?,
        Format::Table => {
            report::role::table(&mut out, &sl.snapshot, &card, args.assignments, &names)?
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}
