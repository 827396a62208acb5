//! `whocan who`: every principal that can do the actions (or activity) at a scope.

use std::io::Write;
use std::path::Path;

use crate::cli::{Format, WhoArgs};
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
) -> anyhow::Result<(query::Alternatives, Vec<String>, Vec<String>)> {
    match activity {
        Some(name) => {
            let act = super::resolve::activity(name)?;
            let e = activities::expand(ix, &act, scope);
            for u in &e.uncovered {
                eprintln_safe!("warning: activity `{}` requirement {u} covers no operation in the imported catalogue; the answer is incomplete (import `az provider operation show` output)", act.name);
            }
            let mut names: Vec<String> = e
                .alternatives
                .iter()
                .flatten()
                .map(|r| r.action.clone())
                .collect();
            names.dedup();
            Ok((e.alternatives, names, e.uncovered))
        }
        None => {
            let reqs = action_requests(ix, actions, scope, data)?;
            Ok((
                vec![reqs],
                actions.iter().map(|a| a.trim().to_string()).collect(),
                vec![],
            ))
        }
    }
}

pub(crate) fn run(db: &Path, args: WhoArgs) -> anyhow::Result<Outcome> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
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
    let step = crate::report::progress::Step::start("reading the holders at the scope");
    let (tenant, base) = sl.index(
        &scope,
        &[],
        false,
        args.activity.is_none().then_some(args.actions.as_slice()),
    )?;
    step.say("reading their members");
    let (alts, actions, uncovered) = plan(
        &base,
        &args.actions,
        args.activity.as_deref(),
        &scope,
        args.data,
    )?;
    let explain = args.explain || args.graph.is_some();
    // An activity's answer carries one grant per required operation unless every
    // path is asked for (SPEC §4).
    let nearest = args.activity.is_some() && !args.all_paths;
    let trim = |a: &mut query::Answer| {
        if nearest {
            a.decision.keep_nearest_grants();
        }
    };
    let ix = sl.expand_for(tenant, &base, &alts, explain)?;
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
    match (&args.graph, output_format(args.format)) {
        // Streamed: one principal at a time.
        (None, Format::Json) => {
            let mut stream = answers::WhoJsonStream::start(&mut *out, &q)?;
            let mut result = Ok(());
            let incomplete = query::who_each(&ix, &alts, args.include_groups, explain, |mut a| {
                trim(&mut a);
                if result.is_ok() {
                    result = stream.push(&a);
                }
            });
            result?;
            let mut incomplete: Vec<_> = missing.into_iter().chain(incomplete).collect();
            query::add_catalogue_gaps(&ix, &mut incomplete, &uncovered);
            stream.finish(&q, &incomplete)?;
        }
        (None, Format::Csv) => {
            let mut stream = answers::WhoCsvStream::start(&mut *out)?;
            let mut result = Ok(());
            query::who_each(&ix, &alts, args.include_groups, explain, |mut a| {
                trim(&mut a);
                if result.is_ok() {
                    result = stream.push(&a);
                }
            });
            result?;
            stream.finish()?;
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
            let mut answer = query::who(&ix, &alts, args.include_groups, args.explain);
            answer.answers.iter_mut().for_each(trim);
            answer.incomplete.splice(0..0, missing);
            query::add_catalogue_gaps(&ix, &mut answer.incomplete, &uncovered);
            answers::who_table(out, &q, &answer, args.explain)?;
        }
    }
    Ok(Outcome::Success)
}
