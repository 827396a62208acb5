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
    let cannot = |e: calamine::XlsxError| damaged(&format!("{file}:{name}"), e);
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

/// The most one worksheet part (`xl/worksheets/...`) may hold once inflated.
/// whocan's `Review` sheet is about 1 KB of XML per row (961 bytes a row measured
/// on a 327,707-row review of `whocan-synth --profile large`, 858 on the sample),
/// so a sheet of Excel's most rows (1,048,575) is about 1 GB: this is four times
/// that. A worksheet is read as a stream, cell by cell.
pub const MAX_WORKSHEET_INFLATED: u64 = 4 << 30;
/// The most any other part (the shared strings, styles, relationships) may hold
/// once inflated: these are read whole. The shared strings of a full review sheet
/// are 0.1–0.3 GB (106 and 302 bytes a row on the reviews above).
pub const MAX_PART_INFLATED: u64 = 1 << 30;
/// The most all parts together may hold once inflated.
pub const MAX_INFLATED: u64 = 6 << 30;

/// What `review apply` says with every refusal of a workbook: nothing was
/// recorded, and how to get a workbook it reads.
const HINT_WORKBOOK: &str = "hint: export the review again (`whocan review --xlsx FILE`) and fill \
                             that copy, or save the filled workbook again from the spreadsheet as \
                             .xlsx (or its Review sheet as CSV) and apply that; nothing was recorded";

/// `n` bytes in words: `1 GiB`, `4 GiB`, or the number.
fn bytes(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else {
        format!("{n} bytes")
    }
}

/// Refuses a workbook whose parts would inflate past the bounds above (one
/// worksheet past [`MAX_WORKSHEET_INFLATED`], another part past
/// [`MAX_PART_INFLATED`], all together past [`MAX_INFLATED`]), by the sizes its
/// zip directory declares, before anything is inflated: a zip bomb is refused
/// without being opened. A part that inflates past its declared size fails
/// while it is read (the zip reader stops it there), as a damaged workbook.
fn check_inflated_size(file: &str, bytes: &[u8]) -> Result<(), UsageError> {
    check_inflated_within(
        file,
        bytes,
        [MAX_WORKSHEET_INFLATED, MAX_PART_INFLATED, MAX_INFLATED],
    )
}

fn check_inflated_within(file: &str, zip_bytes: &[u8], max: [u64; 3]) -> Result<(), UsageError> {
    let [worksheet, part, all] = max;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(zip_bytes)) else {
        // Not a zip: opening it as a workbook says so.
        return Ok(());
    };
    let refuse = |what: String| {
        UsageError(format!(
            "{file}: {what}: not a workbook `whocan review --xlsx` writes, nor one a spreadsheet \
             saves from it (a review sheet of Excel's most rows stays well within), so it was \
             not opened\n{HINT_WORKBOOK}"
        ))
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            continue;
        };
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let size = entry.size();
        let bound = if name.starts_with("xl/worksheets/") {
            worksheet
        } else {
            part
        };
        if size > bound {
            return Err(refuse(format!(
                "its part {} would inflate to {size} bytes, more than the {} a {} may hold",
                crate::report::text::sanitize(&name),
                bytes(bound),
                if bound == worksheet {
                    "worksheet"
                } else {
                    "workbook part"
                }
            )));
        }
        total = total.saturating_add(size);
        if total > all {
            return Err(refuse(format!(
                "its parts would inflate to more than {} together",
                bytes(all)
            )));
        }
    }
    Ok(())
}

/// A workbook that cannot be read as one: cut short, or changed in part.
fn damaged(at: &str, e: impl std::fmt::Display) -> UsageError {
    UsageError(format!(
        "{at}: the workbook cannot be read: it is cut short or damaged ({e})\n{HINT_WORKBOOK}"
    ))
}

/// The workbook's review sheet as a [`SheetTable`].
pub(crate) fn table(file: &str, bytes: &[u8]) -> Result<SheetTable, UsageError> {
    check_inflated_size(file, bytes)?;
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| damaged(file, e))?;
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
        let max = [4 << 20, 2 << 20, 8 << 20];
        let err = check_inflated_within("b.xlsx", &bomb, max).unwrap_err();
        assert!(
            err.0.contains(
                "b.xlsx: its part xl/sharedStrings.xml would inflate to 3145728 bytes, more than \
                 the 2097152 bytes a workbook part may hold"
            ),
            "{}",
            err.0
        );
        assert!(
            err.0.contains("\nhint: export the review again"),
            "{}",
            err.0
        );
        assert!(check_inflated_within("ok.xlsx", &inflating(1 << 20), max).is_ok());
        let together =
            check_inflated_within("t.xlsx", &inflating(1 << 20), [4 << 20, 2 << 20, 1 << 19]);
        assert!(together
            .unwrap_err()
            .0
            .contains("more than 524288 bytes together"));
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
        assert!(
            e.0.starts_with("x.xlsx: the workbook cannot be read: it is cut short or damaged"),
            "{}",
            e.0
        );
    }
}
