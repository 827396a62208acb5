//! `whocan diff FROM TO`: effective access gained and lost between two snapshots,
//! each change traced to its cause.
//!
//! FROM and TO are snapshot ids, or dates (the latest snapshot taken at or before
//! the date, as `--as-of`). Both snapshots are read in one pass
//! ([`crate::store::Store::load_pair`]); `--scope`/`--workspace` are resolved
//! against the later snapshot (the earlier one when the later no longer knows the
//! name) and `--principal` against both. Never writes to the database.

use std::io::Write;
use std::path::Path;

use crate::audit::diff::{self, DiffOptions};
use crate::cli::{DiffArgs, Format};
use crate::model::{key, Tenant};
use crate::report::text::sanitize;
use crate::report::{self, history};
use crate::store::{Reads, SnapshotSelector};

use super::common::{is_guid, open_existing_for, parse_instant, target_scope};
use super::{output_format, Outcome, UsageError};

/// A snapshot id (digits) or a date.
fn selector(s: &str) -> anyhow::Result<SnapshotSelector> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(SnapshotSelector::Id(
            t.parse()
                .map_err(|_| UsageError(format!("`{s}` is not a snapshot id")))?,
        ));
    }
    Ok(SnapshotSelector::AsOf(parse_instant(t, true)?))
}

/// The principal named by object id, user principal name or display name, in
/// either snapshot (without building a full index: diffs run on large tenants).
fn resolve_principal(from: &Tenant, to: &Tenant, name: &str) -> anyhow::Result<String> {
    let k = key(name.trim());
    let both = [to, from];
    let is = |id: &str| id.eq_ignore_ascii_case(&k);
    let known_id = both.iter().any(|t| {
        t.principals.iter().any(|p| is(&p.id))
            || t.assignments.iter().any(|a| is(&a.principal_id))
            || t.eligibilities.iter().any(|e| is(&e.principal_id))
            || t.member_edges
                .iter()
                .any(|e| is(&e.member_id) || is(&e.group_id))
    });
    if known_id {
        return Ok(k);
    }
    let mut matches: Vec<(String, String)> = Vec::new();
    for t in both {
        for p in &t.principals {
            let by_upn = p
                .user_principal_name
                .as_deref()
                .is_some_and(|u| key(u) == k);
            if by_upn || key(&p.display_name) == k {
                let entry = (
                    key(&p.id),
                    format!(
                        "{}  {}{}",
                        key(&p.id),
                        p.display_name,
                        p.user_principal_name
                            .as_deref()
                            .map(|u| format!("  {u}"))
                            .unwrap_or_default()
                    ),
                );
                if !matches.iter().any(|m| m.0 == entry.0) {
                    matches.push(entry);
                }
            }
        }
    }
    match matches.as_slice() {
        [one] => Ok(one.0.clone()),
        [] if is_guid(&k) => Ok(k),
        [] => Err(UsageError(format!(
            "no principal matches `{name}` in either snapshot (by object id, user principal name or display name)"
        ))
        .into()),
        many => Err(UsageError(format!(
            "`{name}` matches {} principals; name one by object id or user principal name:\n  {}",
            many.len(),
            many.iter().map(|m| sanitize(&m.1)).collect::<Vec<_>>().join("\n  ")
        ))
        .into()),
    }
}

pub(crate) fn run(db: &Path, args: DiffArgs) -> anyhow::Result<Outcome> {
    // Both snapshots are read once, whole: unmapped (`Reads::Once`).
    let store = open_existing_for(db, Reads::Once)?;
    let from = store.resolve(&selector(&args.from)?)?;
    let to = store.resolve(&selector(&args.to)?)?;
    let step = crate::report::progress::Step::start(&format!(
        "reading snapshots {} and {}",
        from.id, to.id
    ));
    let (tf, tt) = store.load_pair(from.id, to.id)?;
    step.say("tracing each change to its cause");
    let scope = if args.scope.scope.is_some() || args.scope.workspace.is_some() {
        Some(match target_scope(&tt, &args.scope) {
            Ok(s) => s,
            Err(e) => target_scope(&tf, &args.scope).map_err(|_| e)?,
        })
    } else {
        None
    };
    let principal = args
        .principal
        .as_deref()
        .map(|p| resolve_principal(&tf, &tt, p))
        .transpose()?;
    let d = diff::diff(
        &tf,
        &tt,
        &DiffOptions {
            scope: scope.clone(),
            principal: principal.clone(),
            from_taken_at: Some(from.taken_at.clone()),
            to_taken_at: Some(to.taken_at.clone()),
        },
    );
    let mut nodes = tt.scopes.clone();
    nodes.extend(tf.scopes.iter().cloned());
    let names = report::ScopeNames::new(&nodes);
    let principal_label = principal.as_deref().map(|k| {
        let record = [&tt, &tf]
            .into_iter()
            .find_map(|t| t.principals.iter().find(|p| key(&p.id) == k));
        match record {
            Some(p) => match p.user_principal_name.as_deref() {
                Some(u) if !u.is_empty() => format!("{} <{u}> ({k})", p.display_name),
                _ => format!("{} ({k})", p.display_name),
            },
            None => k.to_string(),
        }
    });
    if from.taken_at > to.taken_at || (from.taken_at == to.taken_at && from.id > to.id) {
        history::note_reversed(&from, &to);
    }
    let q = history::DiffQuestion {
        from: &from,
        to: &to,
        scope: scope.as_deref(),
        principal: principal.as_deref(),
        principal_label,
        names: &names,
    };
    drop(step);
    let mut out = crate::report::text::data_stdout(args.format);
    match output_format(args.format) {
        Format::Json => history::diff_json(&mut out, &q, &d)?,
        Format::Csv => history::diff_csv(&mut out, &q, &d)?,
        Format::Table => history::diff_table(&mut out, &q, &d)?,
    }
    out.flush()?;
    // The process ends here: freeing millions of small strings one by one would
    // only delay the exit (the OS reclaims the memory at once).
    std::mem::forget((tf, tt, d));
    Ok(Outcome::Success)
}
