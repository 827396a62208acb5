//! `whocan what`: the catalogue operations a principal can do at a scope.

use std::io::Write;
use std::path::Path;

use crate::cli::{Format, WhatArgs};
use crate::engine::{decide::principal_info, query};
use crate::report::text::eprintln_safe;
use crate::report::{self, answers};

use super::common::Sliced;
use super::{output_format, Outcome};
use crate::store::Reads;

pub(crate) fn run(db: &Path, args: WhatArgs) -> anyhow::Result<Outcome> {
    let mut out = crate::report::text::data_stdout(args.format);
    let outcome = answer(db, &args, &mut out)?;
    out.flush()?;
    Ok(outcome)
}

/// Asks the question and writes the answer to `out`: `what` short of stdout
/// (which `demo` shares).
pub(crate) fn answer(db: &Path, args: &WhatArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let sl = Sliced::open_for(db, &args.snapshot, Reads::Few)?;
    let target = sl.target(&args.scope)?;
    let scope = target.id.clone();
    let principal = sl.principal(&args.principal)?;
    super::common::warn_target(&target);
    let (tenant, base, gaps_read) = sl.principal_index(&scope, &principal, None, false)?;
    // A provider whose catalogue is not there: nothing to answer about it
    // (SPEC §3), rather than an empty list that reads as "no access".
    if let Some(p) = args.provider.as_deref() {
        let mut providers: Vec<String> =
            base.operations.iter().map(|o| o.provider.clone()).collect();
        providers.sort_by_key(|p| p.to_ascii_lowercase());
        providers.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        // One the collection could not read is answered, with the gap in
        // `incomplete` (`what_catalogue_gaps`).
        if !providers.iter().any(|x| x.eq_ignore_ascii_case(p.trim()))
            && !base
                .unreadable_catalogues
                .contains_key(&crate::model::key(p.trim()))
        {
            let near = super::resolve::closest(
                p.trim(),
                providers.iter().map(|x| (x.clone(), vec![x.clone()])),
                5,
            );
            return Err(super::resolve::not_found(
                format!(
                    "provider {} is not in this snapshot's operation catalogue ({})",
                    crate::report::text::sanitize(p),
                    if providers.is_empty() {
                        "none was imported".to_string()
                    } else if providers.len() > 8 {
                        format!(
                            "it has {} and {} more",
                            providers[..8].join(", "),
                            providers.len() - 8
                        )
                    } else {
                        format!("it has {}", providers.join(", "))
                    }
                ),
                &near,
                &format!(
                    "import `az provider operation show -n {}` output to ask about its operations",
                    crate::report::text::sanitize(p.trim())
                ),
            ));
        }
    }
    if base.operations.is_empty() {
        eprintln_safe!("warning: this snapshot has no operation catalogue; import `az provider operation show -n NAMESPACE` output");
    }
    let alts = query::what_alternatives(&base, &scope, args.provider.as_deref());
    let ix = if gaps_read {
        base
    } else {
        sl.expand_groups_for(tenant, base, &alts)?
    };
    let rows = query::what(&ix, &principal, &scope, args.provider.as_deref());
    let mut incomplete = query::incomplete_for(&ix, &alts, Some(&principal));
    incomplete.splice(0..0, target.incomplete());
    // A catalogue that could not be read: its operations are missing from the list.
    incomplete.extend(query::what_catalogue_gaps(&ix, args.provider.as_deref()));
    for i in &incomplete {
        eprintln_safe!("warning: incomplete: {}", i.describe());
    }
    match output_format(args.format) {
        Format::Json => report::print_json(
            out,
            &answers::what_json(
                &sl.snapshot,
                &scope,
                &principal_info(&ix, &principal),
                &rows,
                &incomplete,
            ),
        )?,
        Format::Csv => answers::what_csv(out, &rows)?,
        Format::Table => {
            let names = report::ScopeNames::new(&sl.scopes);
            answers::what_table(
                out,
                &principal_info(&ix, &principal),
                &names.label(&scope),
                &rows,
            )?
        }
    }
    Ok(Outcome::Success)
}
