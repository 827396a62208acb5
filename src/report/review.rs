//! Renderers of the access review: the CSV sheet (SPEC §5, the primary artefact),
//! JSON, a terminal table, and the removal plan (the HTML report is
//! [`super::review_html`], the workbook [`super::xlsx`]).
//!
//! They decide nothing: rows, recommendations, carry-over and removals come from
//! `audit::review`. Every CSV cell goes through [`super::csv::Writer`] (spreadsheet
//! formula injection); every table cell and text line through [`super::text`]; every
//! shell comment of the plan is one sanitised line and every shell word is quoted
//! when needed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::audit::review::{
    summary, Carry, DenyRef, PastDecision, PlanStep, Removal, Review, ReviewRow, RowParts, RowPlan,
    SheetRow, SummaryBuilder,
};
use crate::engine::decide::Incomplete;
use crate::model::{scope_key, Snapshot};

use super::csv;
use super::text::{self, writeln_safe};
use super::{count, ScopeNames};

/// Running totals for `review`'s closing message (`wrote PATH (COUNTS)`), and
/// the groups the sheet could not see.
#[derive(Default)]
pub(crate) struct Counts {
    pub(crate) incomplete: Vec<Incomplete>,
    rows: usize,
    privileged: usize,
    recommended: usize,
    prefilled: usize,
    new: usize,
    changed: usize,
}

impl Counts {
    /// The counts of a whole review.
    pub(crate) fn add(&mut self, rv: &Review, carry: &[Carry]) {
        self.add_incomplete(&rv.incomplete);
        self.add_rows(&rv.rows, carry);
    }

    pub(crate) fn add_incomplete(&mut self, incomplete: &[Incomplete]) {
        for i in incomplete {
            if !self.incomplete.contains(i) {
                self.incomplete.push(i.clone());
            }
        }
    }

    /// The counts of some rows.
    pub(crate) fn add_rows(&mut self, rows: &[ReviewRow], carry: &[Carry]) {
        for (r, c) in rows.iter().zip(carry) {
            self.add_row(r, c);
        }
    }

    /// The counts of one row (of a sheet written as it is made).
    pub(crate) fn add_row(&mut self, row: &impl SheetRow, carry: &Carry) {
        self.rows += 1;
        self.privileged += usize::from(row.privileged());
        self.recommended += usize::from(!row.recommendations().is_empty());
        match carry {
            Carry::Decided { .. } => self.prefilled += 1,
            Carry::New => self.new += 1,
            Carry::Changed { .. } => self.changed += 1,
            _ => {}
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, {} privileged, {} with a recommendation",
            count(self.rows, "row", "rows"),
            self.privileged,
            self.recommended
        )?;
        if self.prefilled + self.new + self.changed > 0 {
            write!(
                f,
                ", {} pre-filled, {} new, {} changed since last review",
                count(self.prefilled, "decision", "decisions"),
                self.new,
                self.changed
            )?;
        }
        Ok(())
    }
}

/// The sheet's columns, exactly in SPEC §5's order (the last three added at the end).
pub(crate) const COLUMNS: [&str; 25] = [
    "review_key",
    "principal_id",
    "principal_type",
    "display_name",
    "user_principal_name",
    "user_type",
    "account_enabled",
    "role_name",
    "role_id",
    "role_type",
    "privileged",
    "assignment_id",
    "assignment_scope",
    "target_scope",
    "inherited",
    "access_path",
    "condition",
    "pim",
    "orphaned",
    "recommendation",
    "decision",
    "reviewer_comment",
    "blocked_by",
    "window",
    "covers",
];

/// Everything a review renderer needs.
pub(crate) struct Sheet<'a> {
    pub(crate) snapshot: &'a Snapshot,
    pub(crate) review: &'a Review,
    /// One per row of `review.rows`.
    pub(crate) carry: &'a [Carry],
    pub(crate) names: &'a ScopeNames,
}

fn tf(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// The recommendation cell: the row's recommendations, then the carry-over mark.
pub(crate) fn recommendation_cell(row: &ReviewRow, carry: &Carry) -> String {
    recommendation_text(row, carry).into_owned()
}

/// [`recommendation_cell`], borrowed when it is one recommendation or none.
fn recommendation_text<'a>(row: &'a impl SheetRow, carry: &Carry) -> Cow<'a, str> {
    let mark = carry.mark();
    match (row.recommendations(), mark) {
        ([], None) => Cow::Borrowed(""),
        ([one], None) => Cow::Borrowed(&one.text),
        (recs, mark) => {
            let mut parts: Vec<&str> = recs.iter().map(|r| &*r.text).collect();
            parts.extend(mark.as_deref());
            Cow::Owned(parts.join("; "))
        }
    }
}

/// How a sheet names a deny assignment: its name and GUID, or its id when it has
/// no name.
pub(crate) fn deny_label(d: &DenyRef) -> String {
    let guid = d.id.rsplit('/').next().unwrap_or(&d.id);
    if d.name.trim().is_empty() {
        d.id.clone()
    } else {
        format!("{} [{guid}]", d.name)
    }
}

/// A deny assignment as people read it: its name, else (unnamed) its id.
pub(crate) fn deny_name(d: &DenyRef) -> String {
    if d.name.trim().is_empty() {
        d.id.clone()
    } else {
        d.name.clone()
    }
}

/// The `blocked_by` cell: every deny assignment that blocks the row, `; `-joined.
pub(crate) fn blocked_cell(row: &impl SheetRow) -> String {
    let blocked = row.blocked_by();
    if blocked.is_empty() {
        return String::new();
    }
    blocked
        .iter()
        .map(deny_label)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The raw (not yet neutralised) cells of one row, in [`COLUMNS`] order, borrowed
/// from the row where they can be.
pub(crate) fn cells<'a>(row: &'a impl SheetRow, carry: &'a Carry) -> [Cow<'a, str>; 25] {
    std::array::from_fn(|col| cell(row, carry, col))
}

/// The cell of column `col` ([`COLUMNS`]) of one row: the one definition of what
/// the sheet's columns hold.
fn cell<'a>(row: &'a impl SheetRow, carry: &'a Carry, col: usize) -> Cow<'a, str> {
    let p = row.principal();
    let b = |s: &'a str| Cow::Borrowed(s);
    match col {
        0 => b(row.review_key()),
        1 => b(&p.id),
        2 => b(&p.kind),
        3 => b(&p.display_name),
        4 => b(p.user_principal_name.as_deref().unwrap_or_default()),
        5 => b(p.user_type.as_deref().unwrap_or_default()),
        6 => b(p.account_enabled.map(tf).unwrap_or_default()),
        7 => b(row.role_name()),
        8 => b(row.role_id()),
        9 => b(row.role_type()),
        10 => b(tf(row.privileged())),
        11 => b(row.assignment_id()),
        12 => b(row.assignment_scope()),
        13 => b(row.target_scope()),
        14 => b(tf(row.inherited())),
        15 => b(row.access_path()),
        16 => b(row.condition().unwrap_or_default()),
        17 => b(row.pim().as_str()),
        18 => b(row.orphan_text()),
        19 => recommendation_text(row, carry),
        20 => b(carry.prefill().0.unwrap_or_default()),
        21 => b(carry.prefill().1.unwrap_or_default()),
        22 => Cow::Owned(blocked_cell(row)),
        23 => b(row.window()),
        24 => match row.covers() {
            1 => b("1"),
            n => Cow::Owned(n.to_string()),
        },
        _ => b(""),
    }
}

/// The columns of a row that depend on its principal alone ([`COLUMNS`]
/// `principal_id` to `account_enabled`), on its held access alone (`role_name` to
/// `assignment_scope`, and `condition`, `pim`), and on its deny assignments alone
/// (`blocked_by`): written once per principal, held access and deny list.
const PRINCIPAL_COLUMNS: std::ops::Range<usize> = 1..7;
const HELD_COLUMNS: [std::ops::Range<usize>; 3] = [7..13, 16..18, 23..24];
const BLOCKED_COLUMN: usize = 22;

/// The CSV sheet, written target by target: a header of [`COLUMNS`], then one
/// record per row; RFC 4180, every cell neutralised.
pub(crate) struct CsvSheet<'w> {
    w: csv::Writer<'w>,
    /// Cells written once, by principal, held access, and deny list number
    /// ([`RowParts`]).
    principals: Vec<Option<csv::Cells>>,
    /// Runs of [`HELD_COLUMNS`].
    helds: Vec<Option<csv::Cells>>,
    blocked: Vec<Option<csv::Cells>>,
}

/// The cells kept for number `no`, made by `make` the first time.
fn kept<T>(kept: &mut Vec<Option<T>>, no: usize, make: impl FnOnce() -> T) -> &T {
    if kept.len() <= no {
        kept.resize_with(no + 1, || None);
    }
    kept[no].get_or_insert_with(make)
}

impl<'w> CsvSheet<'w> {
    /// Starts the sheet (writes the header).
    pub(crate) fn new(out: &'w mut dyn Write) -> io::Result<CsvSheet<'w>> {
        let mut w = csv::Writer::new(out);
        w.row(COLUMNS)?;
        Ok(CsvSheet {
            w,
            principals: Vec::new(),
            helds: Vec::new(),
            blocked: Vec::new(),
        })
    }

    pub(crate) fn rows(&mut self, rows: &[ReviewRow], carry: &[Carry]) -> io::Result<()> {
        for (row, carry) in rows.iter().zip(carry) {
            self.w.row(cells(row, carry))?;
        }
        Ok(())
    }

    /// One row as it is made: the same record as [`CsvSheet::rows`] writes for
    /// it, with the cells that many rows share written once.
    pub(crate) fn row(&mut self, row: &RowParts, carry: &Carry) -> io::Result<()> {
        let cells_of =
            |cols: std::ops::Range<usize>| csv::Cells::new(cols.map(|col| cell(row, carry, col)));
        let principal = kept(&mut self.principals, row.principal_no(), || {
            cells_of(PRINCIPAL_COLUMNS)
        });
        let held = kept(&mut self.helds, row.held_no(), || {
            let mut c = cells_of(HELD_COLUMNS[0].clone());
            for cols in &HELD_COLUMNS[1..] {
                c.push_run(cols.clone().map(|col| cell(row, carry, col)));
            }
            c
        });
        let blocked = kept(&mut self.blocked, row.blocked_no(), || {
            cells_of(BLOCKED_COLUMN..BLOCKED_COLUMN + 1)
        });
        let mut r = self.w.record();
        r.cell(&cell(row, carry, 0));
        r.cells(principal);
        r.run(held, 0);
        for col in HELD_COLUMNS[0].end..HELD_COLUMNS[1].start {
            r.cell(&cell(row, carry, col));
        }
        r.run(held, 1);
        for col in HELD_COLUMNS[1].end..BLOCKED_COLUMN {
            r.cell(&cell(row, carry, col));
        }
        r.cells(blocked);
        r.run(held, 2);
        for col in HELD_COLUMNS[2].end..COLUMNS.len() {
            r.cell(&cell(row, carry, col));
        }
        r.end()
    }

    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// The whole CSV sheet of one review.
pub(crate) fn write_csv(out: &mut dyn Write, s: &Sheet) -> io::Result<()> {
    let mut c = CsvSheet::new(out)?;
    c.rows(&s.review.rows, s.carry)?;
    c.finish()
}

/// One row of the JSON review (borrowed: rows are written as they are made).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRow<'a> {
    review_key: &'a str,
    principal_id: &'a str,
    principal_type: &'a str,
    display_name: &'a str,
    user_principal_name: Option<&'a str>,
    user_type: Option<&'a str>,
    account_enabled: Option<bool>,
    managed_identity: bool,
    role_name: &'a str,
    role_id: &'a str,
    role_type: &'a str,
    role_defined: bool,
    privileged: bool,
    assignment_id: &'a str,
    assignment_scope: &'a str,
    target_scope: &'a str,
    inherited: bool,
    below: bool,
    via: &'a [crate::engine::decide::GroupRef],
    access_path: &'a str,
    condition: Option<&'a str>,
    pim: &'a str,
    start_date_time: Option<&'a str>,
    end_date_time: Option<&'a str>,
    expired: bool,
    orphaned: Option<bool>,
    recommendations: &'a [crate::audit::review::Recommendation],
    recommendation: String,
    /// `firstReview`, `new`, `undecided`, `decided` or `changed`.
    status: &'static str,
    previous_decision: Option<&'a PastDecision>,
    decision: Option<&'a str>,
    reviewer_comment: Option<&'a str>,
    content_hash: &'a str,
    blocked_by: &'a [DenyRef],
    window: Option<&'a str>,
    covers: usize,
}

fn json_row<'a>(r: &'a ReviewRow, c: &'a Carry) -> JsonRow<'a> {
    let p = &r.principal;
    let (status, previous) = match c {
        Carry::FirstReview => ("firstReview", None),
        Carry::New => ("new", None),
        Carry::Undecided => ("undecided", None),
        Carry::Decided { previous } => ("decided", Some(previous)),
        Carry::Changed { previous } => ("changed", Some(previous)),
    };
    let (decision, comment) = c.prefill();
    JsonRow {
        review_key: &r.review_key,
        principal_id: &p.id,
        principal_type: &p.kind,
        display_name: &p.display_name,
        user_principal_name: p.user_principal_name.as_deref(),
        user_type: p.user_type.as_deref(),
        account_enabled: p.account_enabled,
        managed_identity: p.managed_identity,
        role_name: &r.role_name,
        role_id: &r.role_id,
        role_type: &r.role_type,
        role_defined: r.role_defined,
        privileged: r.privileged,
        assignment_id: &r.assignment_id,
        assignment_scope: &r.assignment_scope,
        target_scope: &r.target_scope,
        inherited: r.inherited,
        below: r.below,
        via: &r.via,
        access_path: &r.access_path,
        condition: r.condition.as_deref(),
        pim: r.pim.as_str(),
        start_date_time: r.start_date_time.as_deref(),
        end_date_time: r.end_date_time.as_deref(),
        expired: r.expired,
        orphaned: p.orphaned,
        recommendations: &r.recommendations,
        recommendation: recommendation_cell(r, c),
        status,
        previous_decision: previous,
        decision,
        reviewer_comment: comment,
        content_hash: &r.content_hash,
        blocked_by: &r.blocked_by,
        window: Some(&*r.window).filter(|w| !w.is_empty()),
        covers: r.covers,
    }
}

/// The review as JSON, written batch by batch so that a large review never has
/// to be held whole: `{"snapshot", "targets", "columns", "rows": [one row per
/// line], "summary": [per scope], "incomplete"}`.
pub(crate) struct JsonSheet<'w> {
    out: &'w mut dyn Write,
    first: bool,
    summary: Vec<Value>,
    /// The summary of the scope whose rows are being written.
    current: Option<SummaryBuilder>,
}

impl<'w> JsonSheet<'w> {
    pub(crate) fn new(
        out: &'w mut dyn Write,
        snapshot: &Snapshot,
        targets: &[String],
    ) -> io::Result<JsonSheet<'w>> {
        let head = json!({
            "snapshot": {"id": snapshot.id, "takenAt": snapshot.taken_at, "label": snapshot.label},
            "targets": targets,
            "columns": COLUMNS,
        });
        let head = serde_json::to_string(&head)?;
        // `{...}` without its closing brace, then the rows array.
        write!(out, "{},\n\"rows\": [", &head[..head.len() - 1])?;
        Ok(JsonSheet {
            out,
            first: true,
            summary: Vec::new(),
            current: None,
        })
    }

    /// Starts the rows of one scope (its summary follows them).
    pub(crate) fn scope(&mut self, scope: &str, covers: usize, names: &ScopeNames) {
        self.close_scope(names);
        self.current = Some(SummaryBuilder::new(scope, covers));
    }

    fn close_scope(&mut self, names: &ScopeNames) {
        if let Some(b) = self.current.take() {
            let t = b.finish();
            let mut v = serde_json::to_value(&t).unwrap_or_default();
            v["label"] = json!(names.label(&t.target_scope));
            self.summary.push(v);
        }
    }

    pub(crate) fn rows(&mut self, rows: &[ReviewRow], carry: &[Carry]) -> io::Result<()> {
        for (r, c) in rows.iter().zip(carry) {
            self.row(r, c)?;
        }
        Ok(())
    }

    /// One row (one line).
    pub(crate) fn row(&mut self, r: &ReviewRow, c: &Carry) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut *self.out, &json_row(r, c))?;
        if let Some(b) = self.current.as_mut() {
            b.add(r);
        }
        Ok(())
    }

    pub(crate) fn finish(
        mut self,
        incomplete: &[Incomplete],
        names: &ScopeNames,
    ) -> io::Result<()> {
        self.close_scope(names);
        write!(
            self.out,
            "\n],\n\"summary\": {},\n\"incomplete\": {}}}\n",
            serde_json::to_string(&self.summary)?,
            serde_json::to_string(incomplete)?
        )
    }
}

/// The whole JSON review of one [`Sheet`].
pub(crate) fn write_json(out: &mut dyn Write, s: &Sheet) -> io::Result<()> {
    let mut j = JsonSheet::new(out, s.snapshot, &s.review.targets)?;
    let mut at = 0;
    for sc in &s.review.scopes {
        j.scope(&sc.scope, sc.covers, s.names);
        let k = scope_key(&sc.scope);
        let n = s.review.rows[at..]
            .iter()
            .take_while(|r| scope_key(&r.target_scope) == k)
            .count();
        j.rows(&s.review.rows[at..at + n], &s.carry[at..at + n])?;
        at += n;
    }
    j.rows(&s.review.rows[at..], &s.carry[at..])?;
    j.finish(&s.review.incomplete, s.names)
}

/// How many bytes these rows take as CSV records (the size estimate's sample).
pub(crate) fn csv_rows_bytes(
    buf: &mut Vec<u8>,
    rows: &[ReviewRow],
    carry: &[Carry],
) -> io::Result<usize> {
    {
        let mut w = csv::Writer::new(buf);
        for (row, carry) in rows.iter().zip(carry) {
            w.row(cells(row, carry))?;
        }
        w.flush()?;
    }
    Ok(buf.len())
}

/// How many bytes these rows take as JSON lines (the size estimate's sample).
pub(crate) fn json_rows_bytes(
    buf: &mut Vec<u8>,
    rows: &[ReviewRow],
    carry: &[Carry],
) -> io::Result<usize> {
    for (r, c) in rows.iter().zip(carry) {
        serde_json::to_writer(&mut *buf, &json_row(r, c))?;
        buf.extend_from_slice(b",\n");
    }
    Ok(buf.len())
}

/// A size for people: `812 B`, `3.4 MB`, `1.2 GB` (powers of 1000).
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// The line on stderr before a sheet is written: how many rows (counted), in how
/// many scopes, and about how large.
pub(crate) fn estimate_line(plan: &RowPlan, json: bool, bytes: u64) -> String {
    let shared = plan.scopes().iter().filter(|s| s.covers > 1).count();
    let mut line = format!(
        "review: {} for {}",
        count(plan.rows, "row", "rows"),
        count(plan.targets.len(), "target scope", "target scopes")
    );
    if shared > 0 {
        let _ = write!(
            line,
            " (access held above several of them: one row where it is held, at {})",
            count(shared, "scope", "scopes")
        );
    }
    let _ = write!(
        line,
        ", about {} of {}",
        human_bytes(bytes),
        if json { "JSON" } else { "CSV" }
    );
    line
}

/// A progress bar of the rows written, on stderr; hidden unless `on` (stderr is a
/// terminal).
pub(crate) fn progress(rows: u64, on: bool) -> indicatif::ProgressBar {
    if !on {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(rows),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "review {bar:30} {human_pos}/{human_len} rows {per_sec} {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// The principal's kind and standing: `User, guest, disabled`.
pub(super) fn principal_tags(r: &ReviewRow) -> String {
    let p = &r.principal;
    let mut tags = vec![if p.managed_identity {
        "managed identity".to_string()
    } else {
        p.kind.clone()
    }];
    if p.user_type
        .as_deref()
        .is_some_and(|u| u.eq_ignore_ascii_case("Guest"))
    {
        tags.push("guest".into());
    }
    if p.account_enabled == Some(false) {
        tags.push("disabled".into());
    }
    if p.is_orphaned() {
        tags.push("orphaned".into());
    }
    tags.join(", ")
}

pub(super) fn principal_name(r: &ReviewRow) -> String {
    if r.principal.display_name.is_empty() {
        r.principal.id.clone()
    } else {
        r.principal.display_name.clone()
    }
}

/// The role's name, or for an undefined role what is known of it.
pub(super) fn role_label(r: &ReviewRow) -> String {
    match (r.role_defined, r.role_name.is_empty()) {
        (true, _) => r.role_name.to_string(),
        (false, true) => format!("undefined role {}", r.role_id),
        (false, false) => format!("{} (undefined role {})", r.role_name, r.role_id),
    }
}

fn principal_label(r: &ReviewRow) -> String {
    format!("{} ({})", principal_name(r), principal_tags(r))
}

fn held_at(r: &ReviewRow, names: &ScopeNames) -> String {
    let where_ = if r.inherited {
        " (inherited)"
    } else if r.below {
        " (below)"
    } else {
        ""
    };
    format!("{}{where_}", names.label(&r.assignment_scope))
}

/// A scope of the review as the table names it: its label, and how many targets
/// it stands for when more than one.
fn scope_label(scope: &str, covers: usize, names: &ScopeNames) -> String {
    if covers > 1 {
        format!("{} (covers {covers} targets)", names.label(scope))
    } else {
        names.label(scope)
    }
}

/// The PIM cell: the kind, and its window when it has one.
fn pim_cell(r: &ReviewRow) -> String {
    if r.window.is_empty() {
        r.pim.as_str().to_string()
    } else {
        format!("{} {}", r.pim.as_str(), r.window)
    }
}

/// A terminal table: one line per row, a target column when several targets, a
/// "Blocked by" column when a deny assignment blocks a row.
pub(crate) fn table(out: &mut dyn Write, s: &Sheet) -> io::Result<()> {
    let many = s.review.targets.len() > 1;
    let blocked = s.review.rows.iter().any(|r| !r.blocked_by.is_empty());
    let mut header = vec![];
    if many {
        header.push("Target");
    }
    header.extend(["Principal", "Role", "Held at", "Path", "PIM"]);
    if blocked {
        header.push("Blocked by");
    }
    header.extend(["Recommendation", "Decision"]);
    let mut t = super::table(&header);
    for (r, c) in s.review.rows.iter().zip(s.carry) {
        let mut line = vec![];
        if many {
            line.push(scope_label(&r.target_scope, r.covers, s.names));
        }
        line.extend([
            principal_label(r),
            if r.privileged {
                format!("{} [privileged]", r.role_name)
            } else {
                role_label(r)
            },
            held_at(r, s.names),
            r.access_path.to_string(),
            pim_cell(r),
        ]);
        if blocked {
            line.push(
                r.blocked_by
                    .iter()
                    .map(deny_name)
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        line.extend([
            recommendation_cell(r, c),
            c.prefill().0.unwrap_or_default().to_string(),
        ]);
        t.add_row(line);
    }
    writeln_safe!(
        out,
        "Access review, snapshot {} ({}){}",
        s.snapshot.id,
        s.snapshot.taken_at,
        s.snapshot
            .label
            .as_deref()
            .map(|l| format!(", {l}"))
            .unwrap_or_default()
    )?;
    for sm in summary(s.review) {
        let line = format!(
            "  {}: {}, {} ({} privileged, {} orphaned, {}, {} disabled, {} eligible), {}",
            scope_label(&sm.target_scope, sm.covers, s.names),
            count(sm.rows, "row", "rows"),
            count(sm.principals, "principal", "principals"),
            sm.privileged,
            sm.orphaned,
            count(sm.guests, "guest", "guests"),
            sm.disabled,
            sm.eligible,
            count(sm.groups, "group", "groups")
        );
        super::writeln_wrapped(out, &line, 4)?;
    }
    writeln!(out, "{t}")?;
    writeln_safe!(out, "{}", totals_line(s))?;
    for i in &s.review.incomplete {
        super::writeln_wrapped(out, &format!("incomplete: {}", i.describe()), 2)?;
    }
    Ok(())
}

/// The line under the review table: its rows, the principals (and groups) they
/// are for, and how many rows still need a decision.
fn totals_line(s: &Sheet) -> String {
    let (_, total) =
        crate::audit::review_summary::figures(&s.review.targets, &s.review.rows, s.carry);
    let undecided = s.carry.iter().filter(|c| c.prefill().0.is_none()).count();
    format!(
        "{} for {} and {}; {} a decision",
        count(s.review.rows.len(), "row", "rows"),
        count(total.principals, "principal", "principals"),
        count(total.groups, "group", "groups"),
        count(undecided, "needs", "need")
    )
}

// ---------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------

/// One line for a shell comment: line breaks (newlines!) become spaces, so that a
/// display name can never start a command, and every other control character is
/// shown escaped by the one sanitiser, so that it cannot rewrite the line.
fn comment_safe(s: &str) -> String {
    text::sanitize(&s.replace(['\n', '\r', '\u{2028}', '\u{2029}'], " ")).into_owned()
}

/// A POSIX shell word: as is when it is plainly safe, else single-quoted. A word
/// with a character a terminal would interpret (an id carrying ESC or a bidi
/// override) is ANSI-C quoted instead (`$'...'`, bash, zsh, ksh): the same bytes
/// reach the command, and the plan shows them as `\xHH` escapes.
pub(crate) fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:@%+=,-".contains(c))
    {
        s.to_string()
    } else if s.chars().any(text::is_unsafe) {
        let mut o = String::from("$'");
        for c in s.chars() {
            match c {
                '\\' => o.push_str("\\\\"),
                '\'' => o.push_str("\\'"),
                c if text::is_unsafe(c) => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(o, "\\x{b:02x}");
                    }
                }
                c => o.push(c),
            }
        }
        o.push('\'');
        o
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// An option and its value as shell words: `--name VALUE`, or `--name=VALUE` when the
/// value begins with `-`, so that az (argparse) never reads a value from the data
/// (`--yes`, `--debug`) as an option of its own.
pub(crate) fn option(name: &str, value: &str) -> String {
    if value.starts_with('-') {
        format!("{name}={}", sh_quote(value))
    } else {
        format!("{name} {}", sh_quote(value))
    }
}

/// A request name for a PIM AdminRemove request: a GUID derived from the review
/// key, so the same plan prints the same command.
fn request_guid(seed: &str) -> String {
    let d = Sha256::digest(seed.as_bytes());
    let h: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The role definition id a PIM request names: under the subscription of the scope,
/// or tenant-level for a management-group scope.
fn role_definition_id(scope: &str, role_guid: &str) -> String {
    let k = scope.trim_start_matches('/');
    let segs: Vec<&str> = k.split('/').collect();
    if segs.len() >= 2 && segs[0].eq_ignore_ascii_case("subscriptions") {
        format!(
            "/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}",
            segs[1]
        )
    } else {
        format!("/providers/Microsoft.Authorization/roleDefinitions/{role_guid}")
    }
}

fn row_comment(r: &ReviewRow, d: Option<&PastDecision>, names: &ScopeNames) -> String {
    row_comment_as("row", r, d, names)
}

/// One row as a `# LABEL: ...` comment line, with its decision if any.
fn row_comment_as(
    label: &str,
    r: &ReviewRow,
    d: Option<&PastDecision>,
    names: &ScopeNames,
) -> String {
    let who = if r.principal.display_name.is_empty() {
        r.principal.id.clone()
    } else {
        r.principal.display_name.clone()
    };
    let mut s = format!(
        "# {label}: {} ({}) · {} {} at {} · {} · target {} · key {}",
        who,
        r.principal.kind,
        role_label(r),
        r.pim.as_str(),
        names.label(&r.assignment_scope),
        r.access_path,
        names.label(&r.target_scope),
        r.review_key
    );
    if let Some(d) = d {
        let _ = write!(s, " · {} by {} at {}", d.decision, d.reviewer, d.decided_at);
        if let Some(c) = d.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            let _ = write!(s, ": {c}");
        }
    }
    comment_safe(&s)
}

/// The plan: for each removal, a `# row:` comment per row it carries out, then one
/// command line. Identical commands appear once.
pub(crate) fn write_plan(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    steps: &[PlanStep],
    decisions: &HashMap<String, PastDecision>,
    names: &ScopeNames,
) -> io::Result<()> {
    let planned: Vec<&PlanStep> = steps.iter().filter(|s| s.kept.is_empty()).collect();
    let rows: usize = planned.iter().map(|s| s.rows.len()).sum();
    writeln!(
        out,
        "# whocan review plan: snapshot {} ({}); {} for {} decided `remove`",
        snapshot.id,
        comment_safe(&snapshot.taken_at),
        count(planned.len(), "command", "commands"),
        count(rows, "row", "rows")
    )?;
    for step in steps {
        if !step.kept.is_empty() {
            writeln!(
                out,
                "# not planned: this removal would also take away {} that a reviewer decided to keep; decide the rows together, or remove the access another way:",
                count(step.kept.len(), "row", "rows")
            )?;
        }
        for r in &step.rows {
            writeln!(
                out,
                "{}",
                row_comment(r, decisions.get(&r.review_key), names)
            )?;
        }
        for r in &step.kept {
            writeln!(
                out,
                "{}",
                row_comment_as("kept", r, decisions.get(&r.review_key), names)
            )?;
        }
        if !step.kept.is_empty() {
            continue;
        }
        for r in &step.also {
            writeln!(
                out,
                "{}",
                row_comment_as("also takes away (undecided)", r, None, names)
            )?;
        }
        match &step.removal {
            Removal::DeleteAssignment { assignment_id } => writeln!(
                out,
                "az role assignment delete {}",
                option("--ids", assignment_id)
            )?,
            Removal::RemoveMember {
                group_id,
                member_id,
            } => writeln!(
                out,
                "az ad group member remove {} {}",
                option("--group", group_id),
                option("--member-id", member_id)
            )?,
            Removal::RemoveEligibility {
                scope,
                principal_id,
                role_id,
                instance_id,
            } => {
                writeln!(
                    out,
                    "# PIM eligibility is removed in PIM (portal: Privileged Identity Management > Azure resources > Assignments > Eligible), or with an AdminRemove request:"
                )?;
                let body = json!({"properties": {
                    "principalId": principal_id,
                    "roleDefinitionId": role_definition_id(scope, role_id),
                    "requestType": "AdminRemove",
                    "justification": "access review",
                }});
                writeln!(
                    out,
                    "az rest --method put {} --body {}",
                    option("--url", &format!(
                        "{}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/{}?api-version=2020-10-01",
                        scope.trim_end_matches('/'),
                        request_guid(instance_id)
                    )),
                    sh_quote(&body.to_string())
                )?
            }
            Removal::RemoveGroupEligibility {
                group_id,
                principal_id,
            } => {
                writeln!(
                    out,
                    "# an eligible group membership is removed in PIM for Groups (portal: Privileged Identity Management > Groups > Assignments > Eligible), or with an adminRemove request:"
                )?;
                let body = json!({
                    "accessId": "member",
                    "principalId": principal_id,
                    "groupId": group_id,
                    "action": "adminRemove",
                    "justification": "access review",
                });
                writeln!(
                    out,
                    "az rest --method post {} --body {}",
                    option(
                        "--url",
                        "https://graph.microsoft.com/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests"
                    ),
                    sh_quote(&body.to_string())
                )?
            }
            Removal::RemoveActivePim {
                scope,
                principal_id,
                role_id,
                assignment_id,
            } => {
                writeln!(
                    out,
                    "# an active PIM assignment is removed in PIM, or with an AdminRemove request:"
                )?;
                let body = json!({"properties": {
                    "principalId": principal_id,
                    "roleDefinitionId": role_definition_id(scope, role_id),
                    "requestType": "AdminRemove",
                    "justification": "access review",
                }});
                writeln!(
                    out,
                    "az rest --method put {} --body {}",
                    option("--url", &format!(
                        "{}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{}?api-version=2020-10-01",
                        scope.trim_end_matches('/'),
                        request_guid(assignment_id)
                    )),
                    sh_quote(&body.to_string())
                )?
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_and_comments_stay_on_one_line() {
        assert_eq!(sh_quote("/subscriptions/abc-1/x"), "/subscriptions/abc-1/x");
        assert_eq!(sh_quote("a b;rm -rf /"), "'a b;rm -rf /'");
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
        // Control characters never reach the terminal raw, and the shell still
        // gets the same bytes.
        assert_eq!(
            sh_quote("/x/\u{1b}[2K\r'\\\u{202e}"),
            "$'/x/\\x1b[2K\\x0d\\'\\\\\\xe2\\x80\\xae'"
        );
        assert_eq!(comment_safe("Eve\nrm -rf ~"), "Eve rm -rf ~");
        assert_eq!(comment_safe("Eve\u{1b}[2K\u{202e}"), "Eve\\e[2K\\u{202e}");
    }

    #[test]
    fn an_option_value_never_reads_as_an_option() {
        assert_eq!(
            option("--ids", "/subscriptions/s/x"),
            "--ids /subscriptions/s/x"
        );
        assert_eq!(option("--ids", "--yes"), "--ids=--yes");
        assert_eq!(option("--member-id", "-x y"), "--member-id='-x y'");
    }

    #[test]
    fn request_guids_are_stable_and_guid_shaped() {
        let g = request_guid("x");
        assert_eq!(g, request_guid("x"));
        assert_eq!(g.len(), 36);
        assert_eq!(g.matches('-').count(), 4);
    }

    #[test]
    fn role_definition_ids_follow_the_scope() {
        assert_eq!(
            role_definition_id("/subscriptions/s1/resourceGroups/rg", "g"),
            "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/g"
        );
        assert_eq!(
            role_definition_id("/providers/Microsoft.Management/managementGroups/ml", "g"),
            "/providers/Microsoft.Authorization/roleDefinitions/g"
        );
    }
}
