//! `whocan review`: the access-review sheet of one or more scopes (CSV, JSON, table,
//! HTML), `review apply` (record a filled sheet's decisions as an audit trail) and
//! `review plan` (the az commands that carry out the `remove` decisions).
//!
//! This module turns flags and files into requests and hands the engine's answer to
//! a renderer; it decides no access itself. `apply` validates every row of a sheet
//! before it records anything, and records all of it in one transaction.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::audit::review::{self, Carry, PastDecision, ReviewRow, SheetRow, DECISIONS};
use crate::audit::review_summary;
use crate::cli::{Format, ReviewAction, ReviewApplyArgs, ReviewArgs, ReviewPlanArgs, ScopeArgs};
use crate::engine::decide::Incomplete;
use crate::engine::Index;
use crate::model::{key, scope_key, ScopeKind, Tenant};
use crate::report::progress::Step;
use crate::report::text::eprintln_safe;
use crate::report::{csv as sheet_csv, review as render, ScopeNames};
use crate::store::review::{RecordedDecision, ReviewApply, SheetDecision};
use crate::store::{Reads, SnapshotSelector, Store};

pub use super::review_xlsx::{MAX_INFLATED, MAX_PART_INFLATED, MAX_WORKSHEET_INFLATED};

use super::common::{load, open_existing, target_scope, Sliced};
use super::{Outcome, UsageError};

/// The columns `apply` reads; a sheet without them is refused.
const REQUIRED: [&str; 4] = ["review_key", "target_scope", "decision", "reviewer_comment"];

/// How many row errors `apply` lists before summarising the rest.
const MAX_ERRORS: usize = 50;

pub(crate) fn run(db: &Path, args: ReviewArgs) -> anyhow::Result<Outcome> {
    match args.action {
        Some(ReviewAction::Apply(a)) => apply(db, a),
        Some(ReviewAction::Plan(p)) => plan(db, p),
        None => sheet(db, args),
    }
}

/// Every AzureML workspace of the snapshot, by name then id.
fn workspaces(t: &Tenant) -> Vec<String> {
    workspace_ids(&t.scopes)
}

/// The AzureML workspaces among `nodes`, by name then id, each once.
fn workspace_ids(nodes: &[crate::model::ScopeNode]) -> Vec<String> {
    let mut ws: Vec<(String, String)> = nodes
        .iter()
        .filter(|n| {
            n.kind == ScopeKind::Resource
                && n.resource_type.as_deref().is_some_and(|r| {
                    r.eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces")
                })
        })
        .map(|n| (key(&n.name), n.id.clone()))
        .collect();
    ws.sort_by(|a, b| (&a.0, scope_key(&a.1)).cmp(&(&b.0, scope_key(&b.1))));
    ws.dedup_by(|a, b| scope_key(&a.1) == scope_key(&b.1));
    ws.into_iter().map(|(_, id)| id).collect()
}

/// What a review covers: its target scopes, and the asked scope they were found
/// below (`review --scope S` over S's workspaces, see [`Targets::below`]).
struct Targets {
    scopes: Vec<String>,
    within: Option<String>,
}

impl Targets {
    /// `--scope S` (or `--workspace`): S alone, or, where S holds two or more
    /// AzureML workspaces (`workspaces`: every workspace of the snapshot, by name
    /// then id), those workspaces as the targets with S keeping what is held below
    /// it and reaches none of them (SPEC §5: "a scope with many workspaces below").
    fn below(
        target: String,
        workspaces: Vec<String>,
        tree: &crate::engine::scope::ScopeTree,
    ) -> Targets {
        let below: Vec<String> = workspaces
            .into_iter()
            .filter(|w| tree.is_below(w, &target))
            .collect();
        if below.len() < 2 {
            return Targets {
                scopes: vec![target],
                within: None,
            };
        }
        Targets {
            scopes: below,
            within: Some(target),
        }
    }

    /// Every scope the sheet has rows of: the targets, then the asked scope.
    fn all(&self) -> Vec<String> {
        self.scopes.iter().chain(&self.within).cloned().collect()
    }
}

/// The target scopes of `--scope`, `--workspace` or `--all-workspaces`.
fn targets(t: &Tenant, ix: &Index, scope: &ScopeArgs, all: bool) -> anyhow::Result<Targets> {
    if all {
        let ws = workspaces(t);
        if ws.is_empty() {
            return Err(UsageError(
                "--all-workspaces: this snapshot has no AzureML workspace (import `az resource list` or `az ml workspace list` output)".into(),
            )
            .into());
        }
        return Ok(Targets {
            scopes: ws,
            within: None,
        });
    }
    if scope.scope.is_none() && scope.workspace.is_none() {
        return Err(UsageError(
            "say what to review: --scope SCOPE, --workspace NAME or --all-workspaces".into(),
        )
        .into());
    }
    Ok(Targets::below(
        target_scope(t, scope)?,
        workspaces(t),
        &ix.tree,
    ))
}

fn past_of(d: &RecordedDecision) -> PastDecision {
    PastDecision {
        decision: d.decision.clone(),
        comment: d.comment.clone(),
        reviewer: d.reviewer.clone(),
        decided_at: d.decided_at.clone(),
        snapshot_id: d.snapshot_id,
        content_hash: d.content_hash.clone(),
    }
}

/// Writes `--out` / `--html` / `--xlsx` through [`crate::fsutil::write_file`]: 0600, a random
/// exclusive temporary name, renamed into place; a device or FIFO written directly.
fn write_file(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    Ok(crate::fsutil::write_file(path, f)?)
}

/// Earlier decisions, loaded once and matched against any number of rows.
struct Decisions {
    past: HashMap<String, PastDecision>,
    seen: HashSet<String>,
    scopes: HashSet<String>,
}

impl Decisions {
    fn load(store: &Store) -> anyhow::Result<Decisions> {
        Ok(Decisions {
            past: store
                .review_decisions()?
                .iter()
                .map(|(k, d)| (k.clone(), past_of(d)))
                .collect(),
            seen: store.reviewed_keys()?,
            scopes: store.reviewed_target_scopes()?,
        })
    }

    fn carry(&self, rows: &[ReviewRow]) -> Vec<Carry> {
        review::carry_over(rows, &self.past, &self.seen, &self.scopes)
    }

    /// [`Decisions::carry`] of one row as it is made.
    fn carry_of(&self, row: &review::RowParts) -> Carry {
        review::carry_of(
            row.review_key(),
            row.content_hash(),
            row.target_scope(),
            row.covered(),
            &self.past,
            &self.seen,
            &self.scopes,
        )
    }
}

/// What a sheet is made from: the snapshot, the index of what the targets need,
/// scope labels.
struct Reviewed {
    snapshot: crate::model::Snapshot,
    index: Index,
    names: ScopeNames,
}

/// How many rows the size estimate renders to measure a row.
const SAMPLE_ROWS: usize = 256;

/// The bytes a sheet of `rows` rows takes, from the written size of a sample.
fn estimate_bytes(format: Format, sample: &[ReviewRow], decisions: &Decisions, rows: usize) -> u64 {
    if sample.is_empty() {
        return 0;
    }
    let carry = decisions.carry(sample);
    let mut buf: Vec<u8> = Vec::new();
    let written = match format {
        Format::Json => render::json_rows_bytes(&mut buf, sample, &carry),
        _ => render::csv_rows_bytes(&mut buf, sample, &carry),
    };
    let per_row = written.unwrap_or(0) as f64 / sample.len() as f64;
    (per_row * rows as f64) as u64
}

/// Refuses a review with more rows than `--max-rows` before anything is written.
fn check_max_rows(rows: usize, max: Option<usize>) -> anyhow::Result<()> {
    match max {
        Some(max) if rows > max => Err(UsageError(format!(
            "this review has {rows} rows, more than --max-rows {max}; nothing written\nhint: review fewer scopes (--workspace NAME, or --scope SCOPE), or raise --max-rows"
        ))
        .into()),
        _ => Ok(()),
    }
}

/// Writes the sheet as CSV or JSON as its rows are made, one at a time: only one
/// group's plan (and one row) is held at once, whatever the size of the review.
#[allow(clippy::too_many_arguments)]
fn stream(
    out: &mut dyn Write,
    format: Format,
    l: &Reviewed,
    reviewer: &mut review::Reviewer,
    plan: &review::RowPlan,
    decisions: &Decisions,
    counts: &mut render::Counts,
    bar: &indicatif::ProgressBar,
) -> std::io::Result<()> {
    /// Rows written between two moves of the progress bar.
    const TICK: u64 = 4096;
    let names = &l.names;
    let mut csv = None;
    let mut json = None;
    match format {
        Format::Json => json = Some(render::JsonSheet::new(out, &l.snapshot, &plan.targets)?),
        _ => csv = Some(render::CsvSheet::new(out)?),
    }
    let mut unticked = 0;
    reviewer.each_row(plan, |visit| {
        let row = match visit {
            review::Visit::Group(head) => {
                if let Some(j) = json.as_mut() {
                    j.scope(head.scope, head.covers, names);
                }
                return Ok(());
            }
            review::Visit::Row(row) => row,
        };
        let carry = decisions.carry_of(row);
        counts.add_row(row, &carry);
        if let Some(c) = csv.as_mut() {
            c.row(row, &carry)?;
        }
        if let Some(j) = json.as_mut() {
            j.row(&row.to_row(), &carry)?;
        }
        unticked += 1;
        if unticked == TICK {
            bar.inc(TICK);
            unticked = 0;
        }
        Ok::<(), std::io::Error>(())
    })?;
    bar.inc(unticked);
    if let Some(c) = csv {
        c.finish()?;
    }
    if let Some(j) = json {
        j.finish(&plan.incomplete, names)?;
    }
    Ok(())
}

/// Each output of one review in a file of its own: two flags naming one file
/// would leave only the one written last.
fn distinct_outputs(outputs: &[(&str, Option<&Path>)]) -> Result<(), UsageError> {
    // Where a path leads: its directory resolved (links, `..`), then its name.
    let place = |p: &Path| -> std::path::PathBuf {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        match (std::fs::canonicalize(parent), p.file_name()) {
            (Ok(d), Some(name)) => d.join(name),
            _ => p.to_path_buf(),
        }
    };
    let given: Vec<(&str, &Path, std::path::PathBuf)> = outputs
        .iter()
        .filter_map(|(flag, p)| p.map(|p| (*flag, p, place(p))))
        .collect();
    for (i, (a, pa, la)) in given.iter().enumerate() {
        if *a == "--db" {
            // The database and its journal files are never an output.
            for (b, pb, lb) in &given[i + 1..] {
                let journal = ["-wal", "-shm", "-journal"].iter().any(|j| {
                    let mut name = la.clone().into_os_string();
                    name.push(j);
                    lb.as_os_str() == name
                });
                if *lb == *la || journal {
                    return Err(UsageError(format!(
                        "{b} names {}, the database (or its journal): writing there would destroy every snapshot\nhint: give {b} another file name",
                        pb.display()
                    )));
                }
            }
            continue;
        }
        for (b, _, lb) in &given[i + 1..] {
            // `-` is stdout for --out; a device or a FIFO (`/dev/null`) is
            // written in place, not replaced, so it may take several.
            let special = std::fs::metadata(la).is_ok_and(|m| !m.is_file() && !m.is_dir());
            if la == lb && pa.as_os_str() != "-" && !special {
                return Err(UsageError(format!(
                    "{a} and {b} both name {}: each output needs a file of its own\nhint: give {b} another file name",
                    pa.display()
                )));
            }
        }
    }
    Ok(())
}

/// The format of a sheet: `--format`; else CSV to a file (`--out`) or a pipe
/// (SPEC §3), a table on a terminal; none when only an HTML page was asked for.
fn sheet_format(args: &ReviewArgs) -> Option<Format> {
    let documents = args.html.is_some() || args.xlsx.is_some();
    match (args.format, &args.out, documents) {
        (Some(f), _, _) => Some(f),
        (None, Some(_), _) => Some(Format::Csv),
        // Only a report or a workbook was asked for.
        (None, None, true) => None,
        (None, None, false) => Some(if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Csv
        }),
    }
}

/// `whocan review`: the sheet. Its rows are planned and counted first (refused
/// past `--max-rows`, estimated on stderr), then CSV and JSON are written as the
/// rows are made; the table and the HTML page need the whole review at once.
fn sheet(db: &Path, args: ReviewArgs) -> anyhow::Result<Outcome> {
    distinct_outputs(&[
        ("--db", Some(db)),
        ("--out", args.out.as_deref()),
        ("--html", args.html.as_deref()),
        ("--xlsx", args.xlsx.as_deref()),
    ])?;
    let timing = super::common::Timing::start();
    // Cleared before anything else is printed (the estimate, the bar, the table).
    let step = Step::start("reading the snapshot");
    let (l, targets) = if args.all_workspaces {
        // Every workspace: the whole snapshot, read once.
        let l = load(db, &args.snapshot)?;
        let targets = targets(&l.tenant, &l.index, &args.scope, true)?;
        let names = ScopeNames::new(&l.tenant.scopes);
        (
            Reviewed {
                snapshot: l.snapshot,
                index: l.index,
                names,
            },
            targets,
        )
    } else {
        // One scope: only what is at, above or below it.
        if args.scope.scope.is_none() && args.scope.workspace.is_none() {
            return Err(UsageError(
                "say what to review: --scope SCOPE, --workspace NAME or --all-workspaces".into(),
            )
            .into());
        }
        let sl = Sliced::open_for(db, &args.snapshot, Reads::Once)?;
        // A resource missing from the inventory is warned about here (stderr is
        // where review's incomplete notice goes).
        let target = step.suspend(|| -> anyhow::Result<String> {
            let t = sl.target(&args.scope)?;
            super::common::warn_target(&t);
            Ok(t.id)
        })?;
        let index = sl.review_index(&target)?;
        timing.mark("slice+index");
        let names = ScopeNames::new(&sl.scopes);
        let targets = Targets::below(target, workspace_ids(&sl.workspaces()?), &index.tree);
        (
            Reviewed {
                snapshot: sl.snapshot,
                index,
                names,
            },
            targets,
        )
    };
    let store = open_existing(db)?;
    let decisions = Decisions::load(&store)?;
    drop(store);
    let names = &l.names;
    let documents = args.html.is_some() || args.xlsx.is_some();
    let format = sheet_format(&args);

    step.say(&format!(
        "planning the rows for {}",
        crate::words::count(targets.scopes.len(), "scope", "scopes")
    ));
    let mut reviewer = review::Reviewer::new(&l.index, &l.snapshot.taken_at);
    let plan = reviewer.plan_within(&targets.scopes, targets.within.as_deref(), true);
    timing.mark("plan");
    check_max_rows(plan.rows, args.max_rows)?;

    if documents || format == Some(Format::Table) {
        step.say(&format!(
            "making {}",
            crate::words::count(plan.rows, "row", "rows")
        ));
        let rv = reviewer.collect(&plan);
        let carry = decisions.carry(&rv.rows);
        let mut counts = render::Counts::default();
        counts.add(&rv, &carry);
        let sheet = render::Sheet {
            snapshot: &l.snapshot,
            review: &rv,
            carry: &carry,
            names,
        };
        let render_to = |w: &mut dyn Write, format: Format| match format {
            Format::Csv => render::write_csv(w, &sheet),
            Format::Json => render::write_json(w, &sheet),
            Format::Table => render::table(w, &sheet),
        };
        if documents {
            // The sheet (`--out`) with the page and the workbook: all or none.
            let sheet_file: Option<(&Path, crate::fsutil::Render)> =
                match (args.out.as_deref(), format) {
                    (Some(path), Some(format)) => Some((
                        path,
                        Box::new(move |w: &mut dyn Write| render_to(w, format)),
                    )),
                    _ => None,
                };
            write_documents(db, &args, &l, &sheet, &counts, &step, sheet_file)?;
        }
        drop(step);
        let Some(format) = format else {
            return Ok(Outcome::Success);
        };
        if format != Format::Table {
            warn_incomplete(&rv.incomplete);
        }
        match &args.out {
            Some(path) if documents => {
                eprintln_safe!("wrote {} ({counts})", path.display());
            }
            Some(path) => {
                write_file(path, |w| render_to(w, format))?;
                eprintln_safe!("wrote {} ({counts})", path.display());
            }
            None => {
                let mut out = crate::report::text::data_stdout(args.format);
                render_to(&mut out, format)?;
                out.flush()?;
            }
        }
        return Ok(Outcome::Success);
    }

    let format = format.unwrap_or(Format::Csv);
    if format == Format::Csv {
        // The sheet does not show the content hash: only rows decided before need it.
        reviewer.hash_only(decisions.past.keys().cloned().collect());
    }
    let sample = reviewer.sample(&plan, SAMPLE_ROWS);
    let bytes = estimate_bytes(format, &sample, &decisions, plan.rows);
    drop(step);
    eprintln_safe!(
        "{}",
        render::estimate_line(&plan, format == Format::Json, bytes)
    );
    let bar = render::progress(plan.rows as u64, std::io::stderr().is_terminal());
    let mut counts = render::Counts::default();
    counts.add_incomplete(&plan.incomplete);
    match &args.out {
        Some(path) => {
            write_file(path, |w| {
                stream(
                    w,
                    format,
                    &l,
                    &mut reviewer,
                    &plan,
                    &decisions,
                    &mut counts,
                    &bar,
                )
            })?;
            bar.finish_and_clear();
            warn_incomplete(&counts.incomplete);
            eprintln_safe!("wrote {} ({counts})", path.display());
        }
        None => {
            let mut out = crate::report::text::data_stdout(args.format);
            stream(
                &mut out,
                format,
                &l,
                &mut reviewer,
                &plan,
                &decisions,
                &mut counts,
                &bar,
            )?;
            out.flush()?;
            bar.finish_and_clear();
            warn_incomplete(&counts.incomplete);
        }
    }
    timing.mark("rows written");
    Ok(Outcome::Success)
}

/// `--html` and `--xlsx`: the report and the workbook, with the `lint` findings
/// for the reviewed scopes (checked on the whole snapshot, as `whocan lint` does),
/// and the sheet (`--out`) when asked for with them: all written or none
/// ([`crate::fsutil::write_files`]).
fn write_documents(
    db: &Path,
    args: &ReviewArgs,
    l: &Reviewed,
    sheet: &render::Sheet,
    counts: &render::Counts,
    step: &Step,
    sheet_file: Option<(&Path, crate::fsutil::Render)>,
) -> anyhow::Result<()> {
    if args.xlsx.is_some() && sheet.review.rows.len() > crate::report::xlsx::MAX_ROWS {
        return Err(UsageError(format!(
            "--xlsx: {} rows do not fit in one Excel sheet ({} at most); nothing written\nhint: review fewer scopes, or write the CSV sheet with --out FILE.csv",
            sheet.review.rows.len(),
            crate::report::xlsx::MAX_ROWS
        ))
        .into());
    }
    let targets = &sheet.review.targets;
    let taken_at = &l.snapshot.taken_at;
    step.say("checking findings (lint) for the reviewed scopes");
    let (scope, found) = if args.all_workspaces {
        review_summary::findings(&l.index, targets, taken_at)
    } else {
        // The sheet's index holds only what applies at the target: lint's counts
        // (assignments per subscription) need the whole snapshot.
        let whole = load(db, &args.snapshot)?;
        review_summary::findings(&whole.index, targets, taken_at)
    };
    let findings = crate::report::review_html::Findings {
        scope: scope.as_deref(),
        list: &found,
    };
    let workbook = match &args.xlsx {
        Some(_) => {
            step.say("making the workbook");
            Some(
                crate::report::xlsx::workbook(sheet, &findings)
                    .map_err(|e| anyhow::anyhow!("writing the workbook: {e}"))?,
            )
        }
        None => None,
    };
    let mut files: Vec<(&Path, crate::fsutil::Render)> = Vec::new();
    if let Some(path) = &args.html {
        let findings = &findings;
        files.push((
            path,
            Box::new(move |w: &mut dyn Write| {
                crate::report::review_html::write_html(w, sheet, findings)
            }),
        ));
    }
    if let (Some(path), Some(bytes)) = (&args.xlsx, &workbook) {
        files.push((path, Box::new(move |w: &mut dyn Write| w.write_all(bytes))));
    }
    files.extend(sheet_file);
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    step.say(&format!("writing {}", names.join(", ")));
    crate::fsutil::write_files(files)?;
    step.suspend(|| {
        for p in [&args.html, &args.xlsx].into_iter().flatten() {
            eprintln_safe!("wrote {} ({counts})", p.display());
        }
    });
    Ok(())
}

fn warn_incomplete(incomplete: &[Incomplete]) {
    for i in incomplete {
        eprintln_safe!("warning: incomplete: {}", i.describe());
    }
}

// ---------------------------------------------------------------------------
// apply
// ---------------------------------------------------------------------------

/// A cell a reviewer types (a decision, a comment, a key): surrounding blanks
/// trimmed, then the formula guard removed by the one inverse of the sheet writer.
fn unneutralise(s: &str) -> &str {
    sheet_csv::unneutralise(s.trim())
}

/// A cell read back from a sheet against the value it was written from: blanks
/// around either are not content (a spreadsheet may drop them), case is not, and
/// neither is how a line inside the cell ends (a spreadsheet saves CRLF or CR
/// inside a cell as LF).
fn same_cell(was: &str, now: &str) -> bool {
    // A workbook cell cut to Excel's limit: the part kept.
    if let Some(at) = was.find(crate::report::xlsx::CUT_MARK) {
        let now = now.trim();
        return now.chars().count() > crate::report::xlsx::MAX_CELL_CHARS
            && now
                .get(..at)
                .is_some_and(|p| p.eq_ignore_ascii_case(&was[..at]));
    }
    let lf = |s: &str| s.trim().replace("\r\n", "\n").replace('\r', "\n");
    if !was.contains('\r') && !now.contains('\r') {
        return was.trim().eq_ignore_ascii_case(now.trim());
    }
    lf(was).eq_ignore_ascii_case(&lf(now))
}

/// The 1-based character column at which each field of the header line starts.
fn header_columns(text: &str, delimiter: u8) -> Vec<usize> {
    let line = text.lines().next().unwrap_or("");
    let mut out = vec![1];
    let mut quoted = false;
    for (n, c) in line.chars().enumerate() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && c == delimiter as char {
            out.push(n + 2);
        }
    }
    out
}

/// The sheet's field delimiter: `,`, or `;` when the header line has no comma but
/// semicolons (a spreadsheet saved with a European list separator).
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if !first.contains(',') && first.contains(';') {
        b';'
    } else {
        b','
    }
}

/// Scopes the snapshot knows: its scope nodes and every assignment, eligibility and
/// deny scope, with all their path prefixes (resource groups have no node of their own).
fn known_scopes(t: &Tenant) -> HashSet<String> {
    let mut out: HashSet<String> = HashSet::from(["/".to_string()]);
    let all = t
        .scopes
        .iter()
        .map(|n| n.id.as_str())
        .chain(t.assignments.iter().map(|a| a.scope.as_str()))
        .chain(t.eligibilities.iter().map(|e| e.scope.as_str()))
        .chain(t.denies.iter().map(|d| d.scope.as_str()));
    for s in all {
        let k = scope_key(s);
        let segs: Vec<&str> = k.trim_start_matches('/').split('/').collect();
        for n in 1..=segs.len() {
            out.insert(format!("/{}", segs[..n].join("/")));
        }
    }
    out
}

struct SheetLine {
    row: usize,
    /// Where the row is, for messages: `FILE:ROW` or `FILE:SHEET:ROW`.
    at: String,
    key: String,
    target: String,
    decision: Option<String>,
    comment: Option<String>,
    cells: HashMap<String, String>,
}

/// A filled sheet as read from its file, CSV or workbook, before any check: the
/// header's cells and each row's, with where each is for messages.
pub(crate) struct SheetTable {
    /// The header's cells, as written.
    pub(crate) header: Vec<String>,
    /// Where each header cell is (`FILE:1:COLUMN`, `FILE:SHEET:1:COLUMN`).
    pub(crate) header_at: Vec<String>,
    /// Where the header row is (`FILE:1`, `FILE:SHEET:1`).
    pub(crate) header_row_at: String,
    pub(crate) rows: Vec<TableRow>,
}

pub(crate) struct TableRow {
    /// 1-based, as the file's reader counts it (the header is row 1).
    pub(crate) number: usize,
    /// `FILE:ROW` or `FILE:SHEET:ROW`.
    pub(crate) at: String,
    /// The cells as written, or why the row could not be read.
    pub(crate) cells: Result<Vec<String>, String>,
}

/// A CSV sheet's bytes as a [`SheetTable`]: UTF-8 (a BOM dropped), `,` or `;`.
fn csv_table(file: &str, bytes: &[u8]) -> Result<SheetTable, UsageError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        UsageError(format!(
            "{file}: not UTF-8 ({e}); save the sheet as CSV UTF-8"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delim = delimiter(text);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| UsageError(format!("{file}:1: cannot read the header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let columns = header_columns(text, delim);
    let header_at = (0..header.len())
        .map(|k| format!("{file}:1:{}", columns.get(k).copied().unwrap_or(k + 1)))
        .collect();
    let width = header.len();
    let rows = rdr
        .records()
        .enumerate()
        .map(|(i, rec)| TableRow {
            number: i + 2,
            at: format!("{file}:{}", i + 2),
            cells: rec
                .map_err(|e| format!("malformed CSV: {e}"))
                .and_then(|r| {
                    // A row that is longer or shorter than its header cannot be
                    // read cell by cell (an unquoted separator in a comment
                    // shifts every cell after it): refused, never guessed.
                    let found = crate::words::count(r.len(), "field", "fields");
                    match r.len().cmp(&width) {
                        std::cmp::Ordering::Equal => Ok(r.iter().map(str::to_string).collect()),
                        std::cmp::Ordering::Greater => Err(format!(
                            "{found} where the header has {width}: a cell that contains `{}` must be in double quotes",
                            delim as char
                        )),
                        std::cmp::Ordering::Less => Err(format!(
                            "{found} where the header has {width}: the row is cut short"
                        )),
                    }
                }),
        })
        .collect();
    Ok(SheetTable {
        header,
        header_at,
        header_row_at: format!("{file}:1"),
        rows,
    })
}

/// The rows of a sheet, CSV or workbook, each checked on its own (a key, a
/// target, a decision `apply` accepts); errors are collected, not returned, so
/// that every bad row is listed. A header without the columns `apply` needs, or
/// with one named twice, refuses the whole sheet.
fn sheet_lines(table: &SheetTable, errors: &mut Vec<String>) -> Result<Vec<SheetLine>, UsageError> {
    let headers: Vec<String> = table
        .header
        .iter()
        .map(|h| unneutralise(h).to_ascii_lowercase())
        .collect();
    // A column named twice would let the first and the last disagree about what the
    // reviewer decided: refused, whichever column it is.
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if let Some(&j) = first.get(h.as_str()) {
            return Err(UsageError(format!(
                "{}: column `{h}` appears twice (also at {}): a sheet needs one column of each name; nothing recorded",
                table.header_at[i], table.header_at[j]
            )));
        }
        first.insert(h.as_str(), i);
    }
    let col: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .rev()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !col.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(UsageError(format!(
            "{}: missing {} {}: expected a sheet written by `whocan review` (columns {}); nothing recorded",
            table.header_row_at,
            crate::words::noun(missing.len(), "column", "columns"),
            missing.join(", "),
            render::COLUMNS.join(",")
        )));
    }

    let mut lines: Vec<SheetLine> = Vec::new();
    for tr in &table.rows {
        let (row, at) = (tr.number, &tr.at);
        let rec = match &tr.cells {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{at}: {e}"));
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| {
            col.get(name)
                .and_then(|&i| rec.get(i))
                .map(|c| unneutralise(c))
                .unwrap_or("")
                .to_string()
        };
        let key_cell = cell("review_key").to_ascii_lowercase();
        let target = cell("target_scope");
        let decision_cell = cell("decision");
        let comment = cell("reviewer_comment");
        // A comment is text: line breaks and tabs, never NUL or another control
        // character (the trail would hand them to every later sheet and terminal).
        if let Some(c) = comment.chars().find(|&c| {
            c != '\n'
                && c != '\r'
                && c != '\t'
                && matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        }) {
            errors.push(format!(
                "{at}: reviewer_comment holds the control character U+{:04X}: a comment is text (line breaks and tabs are kept)",
                c as u32
            ));
            continue;
        }
        if key_cell.is_empty() {
            errors.push(format!("{at}: review_key is empty"));
            continue;
        }
        if target.is_empty() {
            errors.push(format!("{at}: target_scope is empty"));
            continue;
        }
        let decision = if decision_cell.is_empty() {
            None
        } else if let Some(d) = DECISIONS
            .iter()
            .find(|d| d.eq_ignore_ascii_case(&decision_cell))
        {
            Some(d.to_string())
        } else {
            errors.push(format!(
                "{at}: decision `{decision_cell}` is not one of {} (or blank for undecided)",
                DECISIONS.join(", ")
            ));
            continue;
        };
        let cells = col
            .iter()
            .map(|(name, &i)| {
                (
                    name.to_string(),
                    // Exactly what the sheet was written from (no trimming), so that
                    // a fresh sheet's row never looks changed.
                    rec.get(i)
                        .map(|c| sheet_csv::unneutralise(c))
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect();
        lines.push(SheetLine {
            row,
            at: at.clone(),
            key: key_cell,
            target,
            decision,
            comment: Some(comment).filter(|c| !c.is_empty()),
            cells,
        });
    }
    Ok(lines)
}

/// Is this a workbook (a zip: `PK\x03\x04`) rather than a CSV sheet?
fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The bytes of the sheet `apply` reads, a file or standard input (`-`), bounded
/// as every input file is (`WHOCAN_MAX_INPUT_BYTES`, default 4 GiB): an endless
/// stream is cut there and refused, exit 2 with a hint. A path that names no
/// readable regular file is the user's error; a failing disk the environment's.
fn read_sheet(path: &Path) -> anyhow::Result<Vec<u8>> {
    use crate::import::MAX_INPUT_ENV;
    let max = crate::import::max_input_bytes()?;
    let shown = if crate::fsutil::is_stdin(path) {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    crate::fsutil::read_regular_or_stdin(path, max).map_err(|e| {
        use std::io::ErrorKind as K;
        if let Some(big) = crate::fsutil::TooLarge::within(&e) {
            let len = big.len.map(|l| format!("{l} bytes, ")).unwrap_or_default();
            return UsageError(format!(
                "{shown}: {len}more than the {max} bytes a review sheet may have, so nothing \
                 was recorded\nhint: apply the sheets of fewer scopes at a time (`review \
                 --scope` or `--workspace`), or raise the limit with {MAX_INPUT_ENV}=BYTES if \
                 this machine has about three times that much memory"
            ))
            .into();
        }
        match e.kind() {
            K::NotFound | K::InvalidInput | K::IsADirectory | K::NotADirectory => {
                UsageError(format!("cannot read {shown}: {e}")).into()
            }
            _ => anyhow::Error::new(e).context(format!("cannot read {shown}")),
        }
    })
}

/// `whocan review apply FILE`: validate every row, then record them all.
fn apply(db: &Path, args: ReviewApplyArgs) -> anyhow::Result<Outcome> {
    // Checked for existence like a question, then opened for writing: a read-only
    // database is said to be one before the sheet is read.
    drop(open_existing(db)?);
    let mut store = Store::open(db)?;
    let snapshot = store.resolve(&SnapshotSelector::Latest)?;
    let step = Step::start(&format!("reading snapshot {}", snapshot.id));
    let tenant = store
        .load_tenant(snapshot.id)
        .with_context(|| format!("reading snapshot {}", snapshot.id))?;
    let ix = Index::new_at(&tenant, &snapshot.taken_at);
    step.say("matching the sheet's rows to the current review");
    let file = args.file.display().to_string();
    let bytes = read_sheet(&args.file)?;
    let table = if is_workbook(&bytes) {
        super::review_xlsx::table(&file, &bytes)?
    } else {
        csv_table(&file, &bytes)?
    };
    let mut errors: Vec<String> = Vec::new();
    let lines = sheet_lines(&table, &mut errors)?;

    // Each row against the review of its target scope in the latest snapshot.
    let known = known_scopes(&tenant);
    let names = ScopeNames::new(&tenant.scopes);
    let mut reviewer = review::Reviewer::new(&ix, &snapshot.taken_at);
    // Per target scope: whether the rows held below it were looked at too, and the rows.
    let mut reviews: HashMap<String, (bool, HashMap<String, ReviewRow>)> = HashMap::new();
    let mut everywhere: Option<HashMap<String, String>> = None;
    let mut decided: HashMap<(String, String), (usize, Option<String>)> = HashMap::new();
    // Per key: the first row deciding it, its decision, and the first comment
    // given with that decision (and its row).
    let mut by_key: HashMap<String, (usize, String)> = HashMap::new();
    let mut comment_of: HashMap<String, (usize, String)> = HashMap::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut out: Vec<SheetDecision> = Vec::new();
    for l in &lines {
        let tk = scope_key(&l.target);
        if !known.contains(&tk) {
            errors.push(format!(
                "{}: target_scope {} is not a scope of snapshot {}: the sheet is from another scope or tenant",
                l.at, l.target, snapshot.id
            ));
            continue;
        }
        // A row is looked up in the review of its `target_scope` alone: first what
        // is held at or above it (where a row shared by several targets is held,
        // found without reviewing everything below a management group), then, for
        // a key not there, also what is held below it.
        let mut lookup = |below: bool| -> HashMap<String, ReviewRow> {
            let plan = reviewer.plan(std::slice::from_ref(&l.target), below);
            reviewer
                .collect(&plan)
                .rows
                .into_iter()
                .map(|r| (r.review_key.clone(), r))
                .collect()
        };
        let (full, rows) = reviews
            .entry(tk.clone())
            .or_insert_with(|| (false, lookup(false)));
        if !*full && !rows.contains_key(&l.key) {
            *rows = lookup(true);
            *full = true;
        }
        let Some(current) = rows.get(&l.key) else {
            let hint = everywhere
                .get_or_insert_with(|| {
                    let ws = workspaces(&tenant);
                    reviewer
                        .review(&ws)
                        .rows
                        .into_iter()
                        .map(|r| (r.review_key, r.target_scope.to_string()))
                        .collect()
                })
                .get(&l.key)
                .map(|t| format!(" (it is a row of the review of {})", names.label(t)))
                .unwrap_or_default();
            errors.push(format!(
                "{}: review_key {} is not a row of the review of {} in snapshot {}{hint}: the sheet is from another scope, or the access no longer exists",
                l.at,
                l.key,
                names.label(&l.target),
                snapshot.id
            ));
            continue;
        };
        // One access, one decision: the same key on several rows (inherited by
        // several workspaces) must not be decided two ways.
        if let Some(d) = &l.decision {
            match by_key.get(&l.key) {
                Some((first, other)) if other != d => errors.push(format!(
                    "{}: review_key {} is decided `{d}` here but `{other}` on row {first}: the same access needs one decision",
                    l.at, l.key
                )),
                Some(_) => {}
                None => {
                    by_key.insert(l.key.clone(), (l.row, d.clone()));
                }
            }
            // And one comment: the decision is recorded once per access, so a
            // second, different comment would silently replace the first.
            if let Some(c) = l.comment.as_deref().filter(|c| !c.trim().is_empty()) {
                match comment_of.get(&l.key) {
                    Some((first, other)) if other.trim() != c.trim() => errors.push(format!(
                        "{}: review_key {} has a different reviewer_comment here than on row {first}: the same access keeps one comment (write it on one row, or the same on each)",
                        l.at, l.key
                    )),
                    Some(_) => {}
                    None => {
                        comment_of.insert(l.key.clone(), (l.row, c.to_string()));
                    }
                }
            }
        }
        if let Some((first, _)) = decided.get(&(l.key.clone(), tk.clone())) {
            errors.push(format!(
                "{}: review_key {} appears twice for the same target scope (also row {first})",
                l.at, l.key
            ));
            continue;
        }
        decided.insert((l.key.clone(), tk.clone()), (l.row, l.decision.clone()));
        // A sheet made from an older snapshot: its access cells may differ from the
        // row now. The decision is then recorded as made on other content, so the
        // next review asks again instead of carrying it over.
        // The window is part of the content hash but not an access field (it was
        // hashed before it was a column): compared when the sheet has the column.
        let differs: Vec<&str> = current
            .access_fields()
            .into_iter()
            .chain([("window", current.window.to_string())])
            .filter(|(name, now)| l.cells.get(*name).is_some_and(|was| !same_cell(was, now)))
            .map(|(name, _)| name)
            .collect();
        let content_hash = if differs.is_empty() {
            current.content_hash.clone()
        } else {
            if l.decision.is_some() {
                warnings.push(format!(
                    "{}: {} changed since the sheet was made ({}); the decision is recorded but the next review asks again",
                    l.at,
                    l.key,
                    differs.join(", ")
                ));
            }
            format!("sheet:{}", current.content_hash)
        };
        out.push(SheetDecision {
            sheet_row: l.row,
            review_key: l.key.clone(),
            target_scope: current.target_scope.to_string(),
            decision: l.decision.clone(),
            comment: l.comment.clone(),
            content_hash,
        });
    }
    drop(step);
    // A comment written on one of an access's rows is the access's comment, on
    // every row that records it (the last record of a key is the one carried).
    for d in &mut out {
        if d.comment.as_deref().is_none_or(|c| c.trim().is_empty()) && d.decision.is_some() {
            if let Some((_, c)) = comment_of.get(&d.review_key) {
                d.comment = Some(c.clone());
            }
        }
    }

    if !errors.is_empty() {
        let n = errors.len();
        let mut msg = errors
            .into_iter()
            .take(MAX_ERRORS)
            .map(|e| crate::report::text::sanitize(&e).into_owned())
            .collect::<Vec<_>>()
            .join("\n");
        if n > MAX_ERRORS {
            msg.push_str(&format!("\n... and {} more", n - MAX_ERRORS));
        }
        msg.push_str(&format!(
            "\n{} in {file}; nothing recorded (fix the sheet, or run `whocan review` again for a fresh one)",
            crate::words::count(n, "error", "errors")
        ));
        return Err(UsageError(msg).into());
    }
    for w in &warnings {
        eprintln_safe!("warning: {w}");
    }
    if out.is_empty() {
        eprintln_safe!("{file}: no rows; nothing recorded");
        return Ok(Outcome::Success);
    }
    // A sheet nobody filled in (the sheet as `review` wrote it, or the wrong
    // file) is no review: recording it would put an apply in the audit trail
    // that decided nothing.
    let blank = |c: &Option<String>| c.as_deref().is_none_or(|c| c.trim().is_empty());
    if out
        .iter()
        .all(|d| d.decision.is_none() && blank(&d.comment))
    {
        return Err(UsageError(format!(
            "{file}: none of its {} has a decision or a comment; nothing recorded\nhint: fill `decision` (approve, remove or flag) or `reviewer_comment` on the rows reviewed, save the sheet, and apply it again",
            crate::words::count(out.len(), "row", "rows")
        ))
        .into());
    }

    // Who reviewed goes into the audit trail: never guessed, never "unknown".
    let reviewer = args
        .reviewer
        .clone()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.trim().is_empty()))
        .ok_or_else(|| {
            UsageError(
                "who reviewed this sheet? --reviewer is not given and $USER is not set\nhint: pass --reviewer 'NAME'; it is recorded with the decisions in the audit trail".into(),
            )
        })?;
    let applied_at = crate::model::Timestamp::now().to_string();
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    store.record_review(
        &ReviewApply {
            snapshot_id: snapshot.id,
            file: file.clone(),
            sheet_sha256: sha,
            reviewer: reviewer.trim().to_string(),
            applied_at: applied_at.clone(),
        },
        &out,
    )?;
    let count = |d: &str| {
        out.iter()
            .filter(|r| r.decision.as_deref() == Some(d))
            .count()
    };
    let undecided = out.iter().filter(|r| r.decision.is_none()).count();
    eprintln_safe!(
        "recorded {} of {file} against snapshot {} as {} at {applied_at}: {} approve, {} remove, {} flag, {undecided} undecided",
        crate::words::count(out.len(), "row", "rows"),
        snapshot.id,
        reviewer.trim(),
        count("approve"),
        count("remove"),
        count("flag"),
    );
    Ok(Outcome::Success)
}

// ---------------------------------------------------------------------------
// plan
// ---------------------------------------------------------------------------

/// `whocan review plan`: the commands that carry out the `remove` decisions still
/// matching current rows.
fn plan(db: &Path, args: ReviewPlanArgs) -> anyhow::Result<Outcome> {
    let step = Step::start("reading the snapshot");
    let l = load(db, &args.snapshot)?;
    let store = open_existing(db)?;
    let targets =
        if args.all_workspaces || args.scope.scope.is_some() || args.scope.workspace.is_some() {
            targets(&l.tenant, &l.index, &args.scope, args.all_workspaces)?
        } else {
            // Every target scope a decision was recorded for.
            Targets {
                scopes: store.decided_target_scopes()?,
                within: None,
            }
        };
    step.say("matching the recorded decisions to the current rows");
    let rv = {
        let mut reviewer = review::Reviewer::new(&l.index, &l.snapshot.taken_at);
        let plan = reviewer.plan_within(&targets.scopes, targets.within.as_deref(), true);
        reviewer.collect(&plan)
    };
    let targets = targets.all();
    let decisions = Decisions::load(&store)?;
    let carry = decisions.carry(&rv.rows);
    let steps = review::plan(&rv.rows, &carry);
    let names = ScopeNames::new(&l.tenant.scopes);
    drop(step);

    let stale: HashSet<&str> = rv
        .rows
        .iter()
        .zip(&carry)
        .filter_map(|(r, c)| match c {
            Carry::Changed { previous } if previous.decision == "remove" => {
                Some(r.review_key.as_str())
            }
            _ => None,
        })
        .collect();
    if !stale.is_empty() {
        let mut keys: Vec<&str> = stale.into_iter().collect();
        keys.sort();
        eprintln_safe!(
            "warning: {} not planned because the row changed since it was decided (review again): {}",
            crate::words::count(keys.len(), "`remove` decision", "`remove` decisions"),
            keys.join(", ")
        );
    }
    let held: usize = steps
        .iter()
        .filter(|s| !s.kept.is_empty())
        .map(|s| s.rows.len())
        .sum();
    if held > 0 {
        eprintln_safe!(
            "warning: {} not planned: carrying it out would also take away access a reviewer decided to keep (see the `# not planned` lines)",
            crate::words::count(held, "`remove` decision", "`remove` decisions"),
        );
    }
    let current: HashSet<&str> = rv.rows.iter().map(|r| r.review_key.as_str()).collect();
    let target_keys: HashSet<String> = targets.iter().map(|t| scope_key(t)).collect();
    let store_decisions = store.review_decisions()?;
    let gone = store_decisions
        .values()
        .filter(|d| {
            d.decision == "remove"
                && target_keys.contains(&scope_key(&d.target_scope))
                && !current.contains(d.review_key.as_str())
        })
        .count();
    if gone > 0 {
        eprintln_safe!(
            "note: {} no row of snapshot {} any more (already carried out?)",
            crate::words::count(
                gone,
                "`remove` decision matches",
                "`remove` decisions match"
            ),
            l.snapshot.id
        );
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    render::write_plan(&mut out, &l.snapshot, &steps, &decisions.past, &names)?;
    out.flush()?;
    Ok(Outcome::Success)
}

/// Fuzzing entry point for `review apply`'s reader: a sheet's bytes through the
/// steps that need no snapshot (UTF-8, the delimiter, the header with neutralised
/// cells, repeated and missing columns, every row's cells unneutralised). Returns
/// the number of rows read, or the refusal.
#[doc(hidden)]
pub fn fuzz_sheet(bytes: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delim = delimiter(text);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("1: cannot read the header: {e}"))?
        .iter()
        .map(|h| unneutralise(h).to_ascii_lowercase())
        .collect();
    let columns = header_columns(text, delim);
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if let Some(&j) = first.get(h.as_str()) {
            let at = |k: usize| columns.get(k).copied().unwrap_or(k + 1);
            return Err(format!(
                "1:{}: column `{h}` twice (also 1:{})",
                at(i),
                at(j)
            ));
        }
        first.insert(h.as_str(), i);
    }
    if let Some(m) = REQUIRED.iter().find(|c| !first.contains_key(*c)) {
        return Err(format!("1: missing column {m}"));
    }
    let mut rows = 0;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("{}: malformed CSV: {e}", rows + 2))?;
        for cell in rec.iter() {
            let _ = same_cell(cell, unneutralise(cell));
        }
        rows += 1;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unneutralise_undoes_only_the_formula_guard() {
        assert_eq!(unneutralise(" '=HYPERLINK(1) "), "=HYPERLINK(1)");
        assert_eq!(unneutralise("'-x"), "-x");
        assert_eq!(unneutralise("'quoted"), "'quoted");
        assert_eq!(unneutralise("approve"), "approve");
    }

    #[test]
    fn header_columns_count_characters_outside_quotes() {
        assert_eq!(header_columns("a,bb,\"c,d\",e\n", b','), vec![1, 3, 6, 12]);
        assert_eq!(header_columns("a;b", b';'), vec![1, 3]);
    }

    #[test]
    fn cells_compare_without_surrounding_blanks_or_case() {
        assert!(same_cell("@Resource[x] == 'y'", " @Resource[x] == 'y'\n"));
        assert!(!same_cell("a b", "a  b"));
        // A spreadsheet saves a line break inside a cell as LF.
        assert!(same_cell("(\r\n a\r\n OR b\r\n)", "(\n a\n OR b\n)"));
        assert!(same_cell("a\rb", "a\nb"));
        assert!(!same_cell("a\r\nb", "a\n\nb"));
        // A cell the workbook cut: the part kept, of a value that was too long.
        let long = "x".repeat(40_000);
        let cut = format!(
            "{}{}9000 more characters; the CSV sheet has the whole value]",
            &long[..31_000],
            crate::report::xlsx::CUT_MARK
        );
        assert!(same_cell(&cut, &long));
        assert!(!same_cell(&cut, &format!("y{}", &long[1..])));
        assert!(!same_cell(&cut, &long[..31_000]));
    }

    #[test]
    fn semicolon_sheets_are_read() {
        assert_eq!(delimiter("review_key;principal_id\n"), b';');
        assert_eq!(delimiter("review_key,principal_id\n"), b',');
    }

    #[test]
    fn known_scopes_include_resource_group_prefixes() {
        let mut t = Tenant::default();
        t.scopes.push(crate::model::ScopeNode {
            id: "/subscriptions/S/resourceGroups/RG/providers/P/w/x".into(),
            kind: ScopeKind::Resource,
            name: "x".into(),
            display_name: None,
            resource_type: None,
            parent_id: None,
        });
        let k = known_scopes(&t);
        assert!(k.contains("/subscriptions/s/resourcegroups/rg"));
        assert!(k.contains("/"));
        assert!(!k.contains("/subscriptions/other"));
    }
}
