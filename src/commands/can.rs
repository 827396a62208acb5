//! `whocan can`: can one principal do the actions (or activity) at a scope? Exit 0
//! for yes (allowed or conditional), 1 for no.

use std::io::Write;
use std::path::Path;

use crate::cli::{CanArgs, Format};
use crate::engine::decide::Ancestry;
use crate::engine::query;
use crate::report::{self, answers};

use super::common::{Sliced, Timing};
use super::{output_format, Outcome};
use crate::store::Reads;

pub(crate) fn run(db: &Path, args: CanArgs) -> anyhow::Result<Outcome> {
    let mut out = crate::report::text::data_stdout(args.format);
    let outcome = answer(db, &args, &mut out)?;
    out.flush()?;
    Ok(outcome)
}

/// Asks the question and writes the answer to `out`: `can` short of stdout
/// (which `demo` shares). No when the principal cannot.
pub(crate) fn answer(db: &Path, args: &CanArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    super::check_all_paths(args.all_paths, args.activity.as_deref())?;
    let timing = Timing::start();
    let sl = Sliced::open_for(db, &args.snapshot, Reads::Few)?;
    timing.mark("open");
    let target = sl.target(&args.scope)?;
    let scope = target.id.clone();
    let principal = sl.principal(&args.principal)?;
    match &args.activity {
        Some(name) => {
            super::resolve::activity(name)?;
        }
        None => sl.check_actions(&args.actions, args.allow_unknown_action)?,
    }
    super::common::warn_target(&target);
    timing.mark("resolve");
    let (tenant, base, gaps_read) = sl.principal_index(
        &scope,
        &principal,
        args.activity.is_none().then_some(args.actions.as_slice()),
        super::resolve::is_data_activity(args.activity.as_deref()),
    )?;
    timing.mark("slice+index");
    let super::who::Plan {
        alts,
        actions,
        uncovered,
        incomplete: data_gaps,
    } = super::who::plan(
        &base,
        &args.actions,
        args.activity.as_deref(),
        &scope,
        args.data,
    )?;
    let other_scopes = super::who::Plan::other_scopes_of(&alts, &scope);
    // The effective slice's index, and (with `--effective`) the principal's
    // shortest chain, found on it.
    let effective_index = || -> anyhow::Result<_> {
        let step = crate::report::progress::Step::start("reading what the escalation steps need");
        let read = sl.effective_index(
            &scope,
            &other_scopes,
            std::slice::from_ref(&principal),
            &alts,
            false,
            args.effective,
        )?;
        drop(step);
        Ok(read)
    };
    // RBAC's answer on an index. One grant per required operation of an
    // activity unless every path is asked for (SPEC §4).
    let decide_on = |ix: &crate::engine::index::Index| {
        let mut answer =
            query::decide_alternatives(ix, &principal, &alts, true, &mut Ancestry::default());
        if args.activity.is_some() && !args.all_paths {
            answer.decision.keep_nearest_grants();
        }
        answer
    };
    let (ix, answer, chain) = if !other_scopes.is_empty() {
        // A data activity: the holders at the data sources' scopes too.
        drop((tenant, base));
        let (ix, chain) = effective_index()?;
        timing.mark("groups");
        let answer = decide_on(&ix);
        (ix, answer, chain)
    } else {
        let ix = if gaps_read {
            base
        } else {
            sl.expand_groups_for(tenant, base, &alts)?
        };
        timing.mark("groups");
        let answer = decide_on(&ix);
        // `--effective` looks for an escalation only when RBAC says no, and
        // finds one only for a principal that holds a step's action somewhere:
        // any other is answered from the plain slice, without reading what the
        // escalation steps need.
        if args.effective
            && !answer.decision.access.grants()
            && crate::engine::escalate::may_take_a_step(&ix, &principal)
        {
            drop(ix);
            let (ix, chain) = effective_index()?;
            let answer = decide_on(&ix);
            (ix, answer, chain)
        } else {
            (ix, answer, None)
        }
    };
    timing.mark("decide");
    // `--effective`: when RBAC says no, the shortest documented chain (None
    // when RBAC says yes).
    let escalation = if args.effective && !answer.decision.access.grants() {
        chain
    } else {
        None
    };
    let mut incomplete = query::incomplete_for(&ix, &alts, Some(&principal));
    incomplete.splice(0..0, target.incomplete().into_iter().chain(data_gaps));
    query::add_catalogue_gaps(&ix, &mut incomplete, &uncovered);
    timing.mark("incomplete");
    let names = report::ScopeNames::new(&sl.scopes);
    let q = answers::Question {
        snapshot: &sl.snapshot,
        scope: &scope,
        actions,
        activity: args.activity.as_deref(),
        uncovered: &uncovered,
        names: &names,
    };
    if args.graph.is_some() {
        let asked = match &args.activity {
            Some(a) => format!("the activity {a}"),
            None => q.actions.join(" + "),
        };
        let who = &answer.decision.principal;
        let title = format!(
            "Can {} do {asked} at {}? {} (snapshot {})",
            if who.display_name.is_empty() {
                &who.id
            } else {
                &who.display_name
            },
            names.label(&scope),
            answer.decision.access.as_str(),
            sl.snapshot.id
        );
        report::dot::write(out, &title, &names, &[&answer.decision])?;
    } else {
        match output_format(args.format) {
            Format::Json => report::print_json(
                out,
                &answers::can_json(
                    &q,
                    &answer,
                    &incomplete,
                    args.effective.then_some(escalation.as_ref()),
                ),
            )?,
            Format::Csv => {
                answers::can_csv(out, &answer, &names, escalation.as_ref())?;
                super::common::warn_incomplete_csv(&incomplete, &uncovered);
            }
            Format::Table => {
                answers::can_text(out, &q, &answer, &incomplete, args.explain)?;
                if let Some(e) = &escalation {
                    report::escalation::escalation_text(out, e, &names)?;
                } else if args.effective && !answer.decision.access.grants() {
                    crate::report::text::writeln_safe!(
                        out,
                        "and no documented escalation step reaches it"
                    )?;
                }
            }
        }
    }
    Ok(if answer.decision.access.grants() || escalation.is_some() {
        Outcome::Success
    } else {
        Outcome::No
    })
}
