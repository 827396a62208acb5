//! `whocan workspaces`: every AzureML workspace of a snapshot, optionally of one
//! subscription or resource group, with its computes and how many role
//! assignments apply to it.
//!
//! Read-only. A `--subscription` or `--resource-group` the snapshot does not know
//! is exit 2 with `did you mean` ([`super::browse_names`]); a known one with no
//! workspace is an empty list, said on stderr.

use std::io::Write;
use std::path::Path;

use crate::cli::{Format, WorkspacesArgs};
use crate::engine::workspaces::{counted_scopes, rows, WorkspaceFilter};
use crate::model::scope_key;
use crate::report;
use crate::report::text::eprintln_safe;

use super::common::Sliced;
use super::{browse_names, output_format, Outcome};

pub(crate) fn run(db: &Path, args: WorkspacesArgs) -> anyhow::Result<Outcome> {
    let sl = Sliced::open(db, &args.snapshot)?;
    let snapshot = sl.snapshot.id;
    let filter = if args.subscription.is_some() || args.resource_group.is_some() {
        // The whole inventory, to tell an unknown name from one without workspaces.
        let nodes = sl.store.scopes(snapshot)?;
        let subscription = args
            .subscription
            .as_deref()
            .map(|s| browse_names::subscription(&nodes, s))
            .transpose()?;
        let resource_group = args
            .resource_group
            .as_deref()
            .map(|g| browse_names::resource_group(&nodes, subscription.as_deref(), g))
            .transpose()?;
        WorkspaceFilter {
            subscription,
            resource_group,
        }
    } else {
        WorkspaceFilter::default()
    };
    let workspaces: Vec<_> = sl
        .store
        .workspaces(snapshot, None)?
        .into_iter()
        .filter(|w| filter.keeps(w))
        .collect();
    let keys: Vec<String> = workspaces.iter().map(|w| scope_key(&w.id)).collect();
    let computes = sl.store.computes_below(snapshot, &keys)?;
    let at = sl
        .store
        .assignments_at(snapshot, &counted_scopes(&workspaces, &sl.tree))?;
    let rows = rows(&workspaces, &sl.tree, &computes, &at);
    let sub_name = filter
        .subscription
        .as_deref()
        .and_then(|s| sl.tree.display_name(s));
    if rows.is_empty() {
        let hint = if filter.subscription.is_some() || filter.resource_group.is_some() {
            "hint: `whocan workspaces` lists every workspace of the snapshot"
        } else {
            "hint: import `az resource list` or `az ml workspace list` output"
        };
        // Two lines: a line of text for people is sanitised, a newline in it
        // would show as `\n`.
        eprintln_safe!(
            "no AzureML workspace{} in snapshot {snapshot}",
            report::workspaces::where_words(&filter, sub_name)
        );
        eprintln_safe!("{hint}");
    }
    let mut out = crate::report::text::data_stdout(args.format);
    match output_format(args.format) {
        Format::Json => report::print_json(
            &mut out,
            &report::workspaces::json(&sl.snapshot, &filter, &rows),
        )?,
        Format::Csv => report::workspaces::csv(&mut out, &rows)?,
        Format::Table => {
            report::workspaces::table(&mut out, &sl.snapshot, &filter, sub_name, &rows)?
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}
