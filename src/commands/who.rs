//! `whocan who`: every principal that can do the actions (or activity) at a scope.

use std::io::Write;
use std::path::Path;

use crate::cli::{Format, WhoArgs};
use crate::engine::escalate::Escalation;
use crate::engine::{activities, query};
use crate::report::text::eprintln_safe;
use crate::report::{self, answers};

use super::common::{action_requests, Sliced};
use super::{output_format, Outcome};

/// The alternatives, the concrete action list and the uncovered requirements of a
/// question given as actions or as an activity.
pub fn plan(
    ix: &crate::engine::Index,
    actions: &[String],
    activity: Option<&str>,
    scope: &str,
    data: bool,
) -> anyhow::Result<Plan> {
    match activity {
        Some(name) => {
            let act = super::resolve::activity(name)?;
            let e = activities::expand(ix, &act, scope);
            for i in &e.incomplete {
                eprintln_safe!("warning: activity `{}`: {}", act.name, i.describe());
            }
            for u in &e.uncovered {
                eprintln_safe!("warning: activity `{}` requirement {u} covers no operation in the imported catalogue; the answer is incomplete (import `az provider operation show` output)", act.name);
            }
            // Each operation once, in first-asked order: a data activity asks
            // the same one at several scopes (blob read on every datastore's
            // container), and alternatives share operations.
            let mut seen = rustc_hash::FxHashSet::default();
            let names: Vec<String> = e
                .alternatives
                .iter()
                .flatten()
                .filter(|r| seen.insert(crate::model::key(&r.action)))
                .map(|r| r.action.clone())
                .collect();
            Ok(Plan {
                alts: e.alternatives,
                actions: names,
                uncovered: e.uncovered,
                incomplete: e.incomplete,
            })
        }
        None => {
            let reqs = action_requests(ix, actions, scope, data)?;
            Ok(Plan {
                alts: vec![reqs],
                actions: actions.iter().map(|a| a.trim().to_string()).collect(),
                uncovered: vec![],
                incomplete: vec![],
            })
        }
    }
}

/// A question made concrete: the alternatives, the concrete action list, the
/// activity requirements that cover no operation, and the data sources a data
/// activity could not follow.
pub struct Plan {
    pub alts: query::Alternatives,
    pub(crate) actions: Vec<String>,
    pub(crate) uncovered: Vec<String>,
    pub(crate) incomplete: Vec<crate::engine::decide::Incomplete>,
}

impl Plan {
    /// The scopes the requests are at, when some is not the target (a data
    /// activity asks at storage containers, vaults, registries): the slice must
    /// read their ancestors too.
    pub(crate) fn other_scopes_of(alts: &query::Alternatives, target: &str) -> Vec<String> {
        let t = crate::model::scope_key(target);
        let mut v: Vec<String> = alts
            .iter()
            .flatten()
            .map(|r| crate::model::scope_key(&r.scope))
            .filter(|s| *s != t)
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

pub(crate) fn run(db: &Path, args: WhoArgs) -> anyhow::Result<Outcome> {
    let mut out = crate::report::text::data_stdout(args.format);
    let outcome = answer(db, &args, &mut out)?;
    out.flush()?;
    Ok(outcome)
}

/// Asks the question and writes the answer to `out`: `who` short of stdout
/// (which `demo` shares).
pub(crate) fn answer(db: &Path, args: &WhoArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    super::check_all_paths(args.all_paths, args.activity.as_deref())?;
    if args.anywhere {
        return super::anywhere::answer(db, args, out);
    }
    let t0 = std::time::Instant::now();
    let sl = Sliced::open(db, &args.snapshot)?;
    if std::env::var_os("WHOCAN_TIMING").is_some() {
        eprintln_safe!("open {:?}", t0.elapsed());
    }
    let target = sl.target(&args.scope)?;
    let scope = target.id.clone();
    let missing: Vec<_> = target.incomplete().into_iter().collect();
    match &args.activity {
        Some(name) => {
            super::resolve::activity(name)?;
        }
        None => sl.check_actions(&args.actions, args.allow_unknown_action)?,
    }
    super::common::warn_target(&target);
    let step = crate::report::progress::Step::start("reading the holders at the scope");
    let (tenant, base) = sl.index(
        &scope,
        &[],
        false,
        args.activity.is_none().then_some(args.actions.as_slice()),
        super::resolve::is_data_activity(args.activity.as_deref()),
    )?;
    step.say("reading their members");
    let Plan {
        alts,
        actions,
        uncovered,
        incomplete: data_gaps,
    } = plan(
        &base,
        &args.actions,
        args.activity.as_deref(),
        &scope,
        args.data,
    )?;
    let other_scopes = Plan::other_scopes_of(&alts, &scope);
    let missing: Vec<_> = missing.into_iter().chain(data_gaps).collect();
    let explain = args.explain || args.graph.is_some();
    // An activity's answer carries one grant per required operation unless every
    // path is asked for (SPEC §4).
    let nearest = args.activity.is_some() && !args.all_paths;
    let trim = |a: &mut query::Answer| {
        if nearest {
            a.decision.keep_nearest_grants();
        }
    };
    let ix = if args.effective {
        step.say("reading what the escalation steps need");
        drop(tenant);
        sl.effective_index(&scope, &other_scopes, &[], &alts, explain, false)?
            .0
    } else if !other_scopes.is_empty() {
        // A data activity: the holders at the data sources' scopes too.
        drop(tenant);
        sl.effective_index(&scope, &other_scopes, &[], &alts, explain, false)?
            .0
    } else {
        sl.expand_for(tenant, base, &alts, explain)?
    };
    // `--effective`: who reaches it through documented steps (never mixed with
    // RBAC's answer).
    if std::env::var_os("WHOCAN_TIMING").is_some() {
        eprintln_safe!(
            "index {:?} ({} principals)",
            t0.elapsed(),
            ix.principals.len()
        );
    }
    // `--effective`: who reaches it through documented steps, besides (never
    // mixed with) RBAC's answer, whose principals are not asked again; each
    // escalation handed to `each` as it is found (in the answer's order).
    let escalate = |granted: &std::collections::HashSet<String>,
                    each: &mut dyn FnMut(&Escalation) -> std::io::Result<()>|
     -> std::io::Result<()> {
        let step = crate::report::progress::Step::start("following the escalation steps");
        let mut result = Ok(());
        crate::engine::escalate::Effective::new(&ix).who_each(&alts, granted, |e| {
            if result.is_ok() {
                result = each(&e);
            }
        });
        drop(step);
        result
    };
    drop(step);
    if std::env::var_os("WHOCAN_TIMING").is_some() {
        eprintln_safe!(
            "slice+index {:?} ({} principals)",
            t0.elapsed(),
            ix.principals.len()
        );
    }
    let names = report::ScopeNames::new(&sl.scopes);
    let q = answers::Question {
        snapshot: &sl.snapshot,
        scope: &scope,
        actions,
        activity: args.activity.as_deref(),
        uncovered: &uncovered,
        names: &names,
    };
    // `who`'s answers, one principal at a time, handed to `push` as they are
    // decided; returns the principals RBAC grants (whom `--effective` does not
    // ask again) and what the answer could not see.
    let each_answer = |push: &mut dyn FnMut(&query::Answer) -> std::io::Result<()>| {
        let mut result = Ok(());
        let mut granted = std::collections::HashSet::new();
        let incomplete = query::who_each(&ix, &alts, args.include_groups, explain, nearest, |a| {
            if args.effective && a.decision.access.grants() {
                granted.insert(a.decision.principal.id.clone());
            }
            if result.is_ok() {
                result = push(&a);
            }
        });
        result.map(|()| (granted, incomplete))
    };
    match (&args.graph, output_format(args.format)) {
        // Streamed: one principal at a time.
        (None, Format::Json) => {
            let step = deciding_step(&ix);
            let mut stream = answers::WhoJsonStream::start(&mut *out, &q)?;
            let (granted, incomplete) = each_answer(&mut |a| stream.push(a))?;
            let mut incomplete: Vec<_> = missing.into_iter().chain(incomplete).collect();
            query::add_catalogue_gaps(&ix, &mut incomplete, &uncovered);
            drop(step);
            if args.effective {
                stream.finish_with_escalations(&q, &incomplete, |one| escalate(&granted, one))?;
            } else {
                stream.finish(&q, &incomplete, None)?;
            }
        }
        (None, Format::Csv) => {
            let step = deciding_step(&ix);
            let mut stream = answers::WhoCsvStream::start(&mut *out, args.effective)?;
            let (granted, incomplete) = each_answer(&mut |a| stream.push(a))?;
            drop(step);
            if args.effective {
                escalate(&granted, &mut |e| stream.push_escalation(e, &names))?;
            }
            stream.finish()?;
            let mut incomplete: Vec<_> = missing.into_iter().chain(incomplete).collect();
            query::add_catalogue_gaps(&ix, &mut incomplete, &uncovered);
            super::common::warn_incomplete_csv(&incomplete, &uncovered);
        }
        (Some(_), _) => {
            let mut answer = query::who(&ix, &alts, args.include_groups, true);
            answer.answers.iter_mut().for_each(trim);
            let ds: Vec<_> = answer.answers.iter().map(|a| &a.decision).collect();
            let asked = match &args.activity {
                Some(a) => format!("the activity {a}"),
                None => q.actions.join(" + "),
            };
            let title = format!(
                "Who can {asked} at {}? (snapshot {})",
                names.label(&scope),
                sl.snapshot.id
            );
            report::dot::write(out, &title, &names, &ds)?;
        }
        (None, Format::Table) => {
            let step = crate::report::progress::Step::start(&format!(
                "deciding for {} principals",
                ix.principals.len()
            ));
            let mut answer = query::who(&ix, &alts, args.include_groups, args.explain);
            drop(step);
            answer.answers.iter_mut().for_each(trim);
            answer.incomplete.splice(0..0, missing);
            query::add_catalogue_gaps(&ix, &mut answer.incomplete, &uncovered);
            answers::who_table(out, &q, &answer, args.explain)?;
            let granted = answer
                .answers
                .iter()
                .filter(|a| a.decision.access.grants())
                .map(|a| a.decision.principal.id.clone())
                .collect();
            if args.effective {
                let mut es = Vec::new();
                escalate(&granted, &mut |e| {
                    es.push(e.clone());
                    Ok(())
                })?;
                report::escalation::escalations_table(out, &es, &names)?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// A spinner while a streamed answer is decided: only when stdout is not the
/// terminal the spinner draws on (the rows would interleave with it).
fn deciding_step(ix: &crate::engine::Index) -> Option<crate::report::progress::Step> {
    use std::io::IsTerminal;
    (!std::io::stdout().is_terminal()).then(|| {
        crate::report::progress::Step::start(&format!(
            "deciding for {} principals",
            ix.principals.len()
        ))
    })
}
