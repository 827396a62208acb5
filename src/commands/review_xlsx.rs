//! `review apply` for a workbook: the filled `Review` sheet of `review --xlsx`
//! (or the first sheet with a `review_key` column) read into the same
//! [`SheetTable`] as a CSV sheet, so that one validation checks both. Places in
//! messages are `FILE:SHEET:ROW` (and `:COLUMN` for a header cell, as a letter).
//!
//! Only reads: cells come back as the text the reviewer sees (a number typed into
//! a cell as its shortest form, a boolean as `true`/`false`); a cell holding an
//! Excel error (`#N/A`) makes its row an error.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::report::csv::unneutralise;
use crate::report::xlsx::ROWS_SHEET;

use super::review::{SheetTable, TableRow};
use super::UsageError;

/// `A`, `B`, ..., `Z`, `AA`, ... for a 0-based column.
fn column_letter(mut c: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A cell as the text a sheet holds, or why it holds none.
fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => return Err(format!("the cell holds the Excel error {e}")),
    })
}

fn is_review_header(row: &[Data]) -> bool {
    row.iter().any(|c| {
        cell_text(c).is_ok_and(|t| unneutralise(t.trim()).eq_ignore_ascii_case("review_key"))
    })
}

/// The workbook's review sheet as a [`SheetTable`].
pub(crate) fn table(file: &str, bytes: &[u8]) -> Result<SheetTable, UsageError> {
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        UsageError(format!(
            "{file}: not a workbook that can be read ({e}); expected the .xlsx written by `whocan review --xlsx`, or a CSV sheet"
        ))
    })?;
    let names = wb.sheet_names();
    let mut chosen = None;
    // The sheet `review --xlsx` writes first, then any sheet whose first row
    // names `review_key` (a workbook re-arranged by hand).
    let mut order: Vec<&String> = names.iter().filter(|n| *n == ROWS_SHEET).collect();
    order.extend(names.iter().filter(|n| *n != ROWS_SHEET));
    for name in order {
        let range = wb
            .worksheet_range(name)
            .map_err(|e| UsageError(format!("{file}:{name}: cannot read the sheet: {e}")))?;
        if range.rows().next().is_some_and(is_review_header) {
            chosen = Some((name.clone(), range));
            break;
        }
    }
    let Some((sheet, range)) = chosen else {
        return Err(UsageError(format!(
            "{file}: no sheet has a review_key column in its first row (sheets: {}): expected the workbook written by `whocan review --xlsx`; nothing recorded",
            names.join(", ")
        )));
    };
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let header_cells = rows.next().unwrap_or_default();
    let header_row = top as usize + 1;
    let mut header = Vec::with_capacity(header_cells.len());
    let mut header_at = Vec::with_capacity(header_cells.len());
    for (i, c) in header_cells.iter().enumerate() {
        let at = format!(
            "{file}:{sheet}:{header_row}:{}",
            column_letter(left as usize + i)
        );
        header.push(cell_text(c).map_err(|e| UsageError(format!("{at}: {e}")))?);
        header_at.push(at);
    }
    let rows = rows
        .enumerate()
        .map(|(i, cells)| {
            let number = header_row + 1 + i;
            let at = format!("{file}:{sheet}:{number}");
            let cells = cells
                .iter()
                .enumerate()
                .map(|(c, d)| {
                    cell_text(d).map_err(|e| {
                        format!(
                            "column {} ({}): {e}",
                            column_letter(left as usize + c),
                            header.get(c).map(String::as_str).unwrap_or("")
                        )
                    })
                })
                .collect();
            TableRow { number, at, cells }
        })
        .collect();
    Ok(SheetTable {
        header,
        header_at,
        header_row_at: format!("{file}:{sheet}:{header_row}"),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_as_excel_names_them() {
        let got: Vec<String> = [0, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letter)
            .collect();
        assert_eq!(got, ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn cells_read_as_the_text_a_reviewer_sees() {
        assert_eq!(cell_text(&Data::Float(3.0)).unwrap(), "3");
        assert_eq!(cell_text(&Data::Float(2.5)).unwrap(), "2.5");
        assert_eq!(cell_text(&Data::Bool(true)).unwrap(), "true");
        assert_eq!(cell_text(&Data::Empty).unwrap(), "");
        assert!(cell_text(&Data::Error(calamine::CellErrorType::NA)).is_err());
    }

    #[test]
    fn a_file_that_is_no_workbook_is_refused_with_its_name() {
        let e = table("x.xlsx", b"PK\x03\x04 not really").err().unwrap();
        assert!(e.0.starts_with("x.xlsx: not a workbook"), "{}", e.0);
    }
}
