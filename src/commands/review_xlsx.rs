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

/// The most columns a review sheet's row is read to (the review has about 25);
/// cells to the right of it are not the review's and are left unread.
const MAX_COLUMNS: u32 = 256;
/// The most cells a sheet may hold (a full sheet of 1,048,576 review rows is
/// about 26 million).
const MAX_CELLS: usize = 30_000_000;

/// A sheet's rows that hold a cell, in order, each with its (0-based) row number
/// and its cells from column A, read cell by cell: memory follows the cells the
/// file holds, never the span they name (one cell at `XFD1048576` is one cell,
/// not a dense sheet of 17 billion).
fn sheet_rows(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    file: &str,
    name: &str,
) -> Result<Vec<(u32, Vec<Data>)>, UsageError> {
    let cannot =
        |e: calamine::XlsxError| UsageError(format!("{file}:{name}: cannot read the sheet: {e}"));
    let mut reader = wb.worksheet_cells_reader(name).map_err(cannot)?;
    let mut rows: Vec<(u32, Vec<Data>)> = Vec::new();
    let mut cells = 0usize;
    while let Some(cell) = reader.next_cell().map_err(cannot)? {
        let (r, c) = cell.get_position();
        let value = Data::from(cell.get_value().clone());
        if c >= MAX_COLUMNS || value == Data::Empty {
            continue;
        }
        cells += 1;
        if cells > MAX_CELLS {
            return Err(UsageError(format!(
                "{file}:{name}: more than {MAX_CELLS} cells: not a review sheet whocan wrote; nothing recorded"
            )));
        }
        if rows.last().is_none_or(|(last, _)| *last != r) {
            rows.push((r, Vec::new()));
        }
        let row = &mut rows.last_mut().expect("pushed").1;
        if row.len() <= c as usize {
            row.resize(c as usize + 1, Data::Empty);
        }
        row[c as usize] = value;
    }
    // Cells come in the file's order, which is row order in every writer we know;
    // sort anyway (a row given twice keeps its cells).
    rows.sort_by_key(|(r, _)| *r);
    Ok(rows)
}

/// The workbook's review sheet as a [`SheetTable`].
/// The most a workbook's parts may hold once inflated, all together: a
/// million-row review is a few hundred MB of XML.
const MAX_INFLATED: u64 = 1 << 30;

/// Refuses a workbook whose parts would inflate past [`MAX_INFLATED`], by the
/// sizes its zip directory declares, before anything is inflated.
fn check_inflated_size(file: &str, bytes: &[u8]) -> Result<(), UsageError> {
    check_inflated_within(file, bytes, MAX_INFLATED)
}

fn check_inflated_within(file: &str, bytes: &[u8], max: u64) -> Result<(), UsageError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // Not a zip: calamine says what it is not.
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let size = zip.by_index_raw(i).map(|f| f.size()).unwrap_or(0);
        total = total.saturating_add(size);
        if total > max {
            return Err(UsageError(format!(
                "{file}: its parts inflate to more than {} MiB: not a workbook `whocan review --xlsx` writes (a review fits well below that); nothing recorded",
                max >> 20
            )));
        }
    }
    Ok(())
}

pub(crate) fn table(file: &str, bytes: &[u8]) -> Result<SheetTable, UsageError> {
    check_inflated_size(file, bytes)?;
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
        let rows = sheet_rows(&mut wb, file, name)?;
        if rows.first().is_some_and(|(_, r)| is_review_header(r)) {
            chosen = Some((name.clone(), rows));
            break;
        }
    }
    let Some((sheet, mut rows)) = chosen else {
        return Err(UsageError(format!(
            "{file}: no sheet has a review_key column in its first row (sheets: {}): expected the workbook written by `whocan review --xlsx`; nothing recorded",
            names.join(", ")
        )));
    };
    let (top, header_cells) = rows.remove(0);
    let header_row = top as usize + 1;
    let mut header = Vec::with_capacity(header_cells.len());
    let mut header_at = Vec::with_capacity(header_cells.len());
    for (i, c) in header_cells.iter().enumerate() {
        let at = format!("{file}:{sheet}:{header_row}:{}", column_letter(i));
        header.push(cell_text(c).map_err(|e| UsageError(format!("{at}: {e}")))?);
        header_at.push(at);
    }
    let left = 0;
    let rows = rows.into_iter().map(|(r, cells)| (r as usize + 1, cells));
    let rows = rows
        .map(|(number, cells)| {
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

    /// A zip whose one part inflates to `n` zero bytes.
    fn inflating(n: usize) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/sharedStrings.xml", opts).unwrap();
        w.write_all(&vec![0u8; n]).unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_workbook_that_inflates_past_the_bound_is_refused_before_inflating() {
        let bomb = inflating(3 << 20);
        assert!(bomb.len() < 64 << 10, "compressed to {} bytes", bomb.len());
        let err = check_inflated_within("b.xlsx", &bomb, 2 << 20).unwrap_err();
        assert!(
            err.0
                .contains("b.xlsx: its parts inflate to more than 2 MiB"),
            "{}",
            err.0
        );
        assert!(check_inflated_within("ok.xlsx", &inflating(1 << 20), 2 << 20).is_ok());
    }

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
