//! The review workbook (`review --xlsx FILE`), for reviewers who work in Excel: a
//! `Summary` sheet (the figures per reviewed scope, the top `lint` findings, how
//! to fill and apply it) and a `Review` sheet with SPEC §5's columns in order, the
//! header frozen, an autofilter, column widths, a drop-down of the decisions
//! `review apply` accepts, privileged rows and recommendations highlighted.
//!
//! Every cell is text neutralised by the one formula rule ([`super::csv::neutralise`]),
//! exactly as in the CSV sheet, so that `review apply` reads both back through the
//! same inverse. It decides nothing: rows, figures and findings come from `audit`.
//! The workbook's creation time is the snapshot's, never the clock.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::audit::lint::Severity;
use crate::audit::review::DECISIONS;
use crate::audit::review_summary::{self as summary, ScopeFigures};

use super::csv::neutralise;
use super::review::{cells, Sheet, COLUMNS};
use super::review_html::Findings;

/// The sheet `review apply` reads.
pub(crate) const ROWS_SHEET: &str = "Review";
pub(crate) const SUMMARY_SHEET: &str = "Summary";
/// Excel's rows per sheet, less the header.
pub(crate) const MAX_ROWS: usize = 1_048_575;
/// Findings listed on the summary sheet.
const FINDINGS: usize = 20;

/// Excel's most characters in one cell.
pub(crate) const MAX_CELL_CHARS: usize = 32_767;
/// What ends a cell cut to Excel's limit, before the count of characters cut
/// (`review apply` compares only the part kept).
pub(crate) const CUT_MARK: &str = "… [cut to fit Excel: ";

/// `s` as one cell can hold it: whole, or its start and a note of how much was
/// cut (a display name or a path of 40,000 characters is not refused).
fn fit(s: &str) -> std::borrow::Cow<'_, str> {
    let n = s.chars().count();
    if n <= MAX_CELL_CHARS {
        return s.into();
    }
    // The note's length depends on the count it names: settle both.
    let note =
        |cut: usize| format!("{CUT_MARK}{cut} more characters; the CSV sheet has the whole value]");
    let mut keep = MAX_CELL_CHARS - note(n).chars().count();
    while keep + note(n - keep - 1).chars().count() < MAX_CELL_CHARS {
        keep += 1;
    }
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(&note(n - keep));
    out.into()
}

/// Every cell as the CSV sheet writes it: text, formula guard applied, cut to
/// Excel's limit.
fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    ws.write_string_with_format(row, col, fit(&neutralise(s)).as_ref(), f)?;
    Ok(())
}

/// Column widths (characters) by column name.
fn width(column: &str) -> f64 {
    match column {
        "review_key" => 18.0,
        "principal_id" | "role_id" | "assignment_id" => 14.0,
        "display_name" | "role_name" => 26.0,
        "user_principal_name" => 28.0,
        "assignment_scope" | "target_scope" | "condition" => 34.0,
        "access_path" => 36.0,
        "recommendation" => 52.0,
        "reviewer_comment" => 40.0,
        "decision" => 13.0,
        "blocked_by" => 40.0,
        "window" => 42.0,
        "covers" => 8.0,
        "principal_type" | "role_type" | "pim" => 13.0,
        _ => 11.0,
    }
}

struct Formats {
    header: Format,
    plain: Format,
    privileged: Format,
    recommendation: Format,
    decision: Format,
    title: Format,
    bold: Format,
    number: Format,
    number_bold: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xD9DEE5))
            .set_align(FormatAlign::Top);
        Formats {
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x1F2937))
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            plain: cell.clone(),
            privileged: cell.clone().set_background_color(Color::RGB(0xFDE2E1)),
            recommendation: cell
                .clone()
                .set_background_color(Color::RGB(0xFFEDD5))
                .set_font_color(Color::RGB(0x9A3412))
                .set_text_wrap(),
            decision: cell
                .clone()
                .set_background_color(Color::RGB(0xFEF9C3))
                .set_bold(),
            title: Format::new().set_bold().set_font_size(16),
            bold: Format::new().set_bold(),
            number: cell.clone().set_num_format("0"),
            number_bold: cell.clone().set_num_format("0").set_bold(),
            wrap: cell.set_text_wrap(),
        }
    }
}

/// The workbook's bytes.
pub(crate) fn workbook(s: &Sheet, findings: &Findings) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::parse_from_str(s.snapshot.taken_at.get(..19).unwrap_or(""))
        .or_else(|_| ExcelDateTime::from_timestamp(0))?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("Access review")
            .set_comment(format!("whocan {}", env!("CARGO_PKG_VERSION")))
            .set_creation_datetime(&created),
    );
    let f = Formats::new();
    let (per, total) = summary::figures(&s.review.targets, &s.review.rows, s.carry);
    summary_sheet(wb.add_worksheet(), s, &per, &total, findings, &f)?;
    rows_sheet(wb.add_worksheet(), s, &f)?;
    wb.save_to_buffer()
}

fn summary_sheet(
    ws: &mut Worksheet,
    s: &Sheet,
    per: &[ScopeFigures],
    total: &ScopeFigures,
    findings: &Findings,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(SUMMARY_SHEET)?;
    ws.set_active(true);
    ws.set_landscape();
    text(ws, 0, 0, "Access review", &f.title)?;
    let scopes: Vec<String> = s.review.targets.iter().map(|t| s.names.label(t)).collect();
    text(
        ws,
        1,
        0,
        &format!("Reviewed: {}", scopes.join(", ")),
        &Format::new(),
    )?;
    text(
        ws,
        2,
        0,
        &format!(
            "Snapshot {} taken at {}; workbook by whocan {}",
            super::snapshot_name(s.snapshot),
            s.snapshot.taken_at,
            env!("CARGO_PKG_VERSION")
        ),
        &Format::new(),
    )?;
    text(
        ws,
        3,
        0,
        &format!(
            "To review: on sheet {ROWS_SHEET}, pick a decision for each row ({}; blank = undecided) and add a comment; then run  whocan review apply FILE.xlsx --reviewer \"NAME\"",
            DECISIONS.join(", ")
        ),
        &f.bold,
    )?;
    let header = [
        "Scope",
        "Scope id",
        "Principals",
        "Privileged",
        "Guests",
        "Disabled",
        "Orphaned",
        "Eligible (PIM)",
        "Accesses",
        "To decide",
        "Removals recommended",
    ];
    let top = 5u32;
    for (c, h) in header.iter().enumerate() {
        text(ws, top, c as u16, h, &f.header)?;
    }
    let mut row = top + 1;
    let line = |ws: &mut Worksheet,
                row: u32,
                label: &str,
                id: &str,
                x: &ScopeFigures,
                bold: bool|
     -> Result<(), XlsxError> {
        let (t, n) = if bold {
            (&f.bold, &f.number_bold)
        } else {
            (&f.plain, &f.number)
        };
        text(ws, row, 0, label, t)?;
        text(ws, row, 1, id, t)?;
        let numbers = [
            x.principals,
            x.privileged,
            x.guests,
            x.disabled,
            x.orphaned,
            x.eligible,
            x.rows,
            x.needs_decision,
            x.removals_recommended,
        ];
        for (i, v) in numbers.iter().enumerate() {
            ws.write_number_with_format(row, 2 + i as u16, *v as f64, n)?;
        }
        Ok(())
    };
    for x in per {
        let id = x.scope.as_deref().unwrap_or_default();
        line(ws, row, &s.names.label(id), id, x, false)?;
        row += 1;
    }
    if per.len() > 1 {
        line(
            ws,
            row,
            "All reviewed scopes (each principal and access once)",
            "",
            total,
            true,
        )?;
        row += 1;
    }
    row += 1;
    let title = match findings.scope {
        Some(scope) => format!("Top findings (whocan lint --scope {scope})"),
        None => "Top findings (whocan lint)".to_string(),
    };
    text(ws, row, 0, &title, &f.bold)?;
    row += 1;
    for (c, h) in ["Severity", "Finding", "Hint"].iter().enumerate() {
        text(ws, row, c as u16, h, &f.header)?;
    }
    row += 1;
    let shown: Vec<_> = findings
        .list
        .iter()
        .filter(|x| x.severity != Severity::Info)
        .take(FINDINGS)
        .collect();
    if shown.is_empty() {
        text(ws, row, 0, "none", &f.plain)?;
    }
    for x in shown {
        text(ws, row, 0, x.severity.as_str(), &f.plain)?;
        text(ws, row, 1, &x.message, &f.wrap)?;
        text(ws, row, 2, &x.hint, &f.wrap)?;
        row += 1;
    }
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 60)?;
    ws.set_column_width(2, 40)?;
    for c in 3..header.len() as u16 {
        ws.set_column_width(c, 11)?;
    }
    Ok(())
}

fn rows_sheet(ws: &mut Worksheet, s: &Sheet, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(ROWS_SHEET)?;
    ws.set_landscape();
    let decision = COLUMNS.iter().position(|c| *c == "decision").unwrap_or(0) as u16;
    let recommendation = COLUMNS
        .iter()
        .position(|c| *c == "recommendation")
        .unwrap_or(0) as u16;
    let comment = COLUMNS
        .iter()
        .position(|c| *c == "reviewer_comment")
        .unwrap_or(0) as u16;
    for (c, name) in COLUMNS.iter().enumerate() {
        text(ws, 0, c as u16, name, &f.header)?;
        ws.set_column_width(c as u16, width(name))?;
    }
    let mut n = 0u32;
    for (r, carry) in s.review.rows.iter().zip(s.carry) {
        n += 1;
        let base = if r.privileged {
            &f.privileged
        } else {
            &f.plain
        };
        for (c, value) in cells(r, carry).iter().enumerate() {
            let c = c as u16;
            let format = if c == decision || c == comment {
                &f.decision
            } else if c == recommendation && !value.is_empty() {
                &f.recommendation
            } else {
                base
            };
            text(ws, n, c, value, format)?;
        }
    }
    let last_col = COLUMNS.len() as u16 - 1;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, n.max(1), last_col)?;
    ws.set_repeat_rows(0, 0)?;
    // The drop-down covers every row written and a few more a reviewer may add.
    let rows = n.max(1);
    let dv = DataValidation::new()
        .allow_list_strings(&DECISIONS)?
        .ignore_blank(true)
        .set_input_title("Decision")?
        .set_input_message(format!("{}; blank = undecided", DECISIONS.join(", ")))?
        .set_error_title("Not a decision")?
        .set_error_message(format!(
            "The decision is one of {} (or blank).",
            DECISIONS.join(", ")
        ))?
        .set_error_style(DataValidationErrorStyle::Stop);
    ws.add_data_validation(1, decision, rows, decision, &dv)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_longer_than_excel_allows_is_cut_with_a_note() {
        assert_eq!(fit("short"), "short");
        let at_limit = "é".repeat(MAX_CELL_CHARS);
        assert_eq!(fit(&at_limit), at_limit.as_str());
        let long = "é".repeat(40_000);
        let cut = fit(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        let kept = cut.find(CUT_MARK).unwrap();
        assert!(long.starts_with(&cut[..kept]));
        let cut_count = 40_000 - cut[..kept].chars().count();
        assert!(
            cut.ends_with(&format!(
                "{cut_count} more characters; the CSV sheet has the whole value]"
            )),
            "{}",
            &cut[kept..]
        );
    }
}
