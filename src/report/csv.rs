//! The one CSV writer: every CSV whocan writes (every command, every column) goes
//! through [`Writer`], which neutralises every cell against spreadsheet formula
//! injection (SPEC §5), and `review apply` reads cells back with the one exact
//! inverse, [`unneutralise`].
//!
//! The guard is the one sheets have always carried: a leading `'` (a spreadsheet
//! shows the rest as text). A cell gets it when it begins with `=`, `+`, `-`, `@`,
//! tab or CR, SPEC's rule taken literally (a negative number too), and also when it
//! begins with `'`s followed by one of those, so that a value that itself starts
//! with the guard comes back unchanged: `unneutralise(neutralise(x)) == x` for every
//! string. RFC 4180 quoting is the `csv` crate's, written here byte for byte the same
//! (a test compares them) so that a sheet of millions of rows is cheap to write.

use std::borrow::Cow;
use std::io::{self, Write};

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Does `s` need the guard? It begins with a formula character, possibly after
/// `'`s (which an unguarded reading would take for a guard).
fn needs_guard(s: &str) -> bool {
    // Every formula character is ASCII: the first byte after the `'`s decides.
    let b = s.as_bytes();
    let first = b.iter().position(|&c| c != b'\'').map(|i| b[i]);
    first.is_some_and(|c| c.is_ascii() && FORMULA_START.contains(&char::from(c)))
}

/// The cell as written: `s`, with a leading `'` when [`needs_guard`].
pub(crate) fn neutralise(s: &str) -> Cow<'_, str> {
    if needs_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The exact inverse of [`neutralise`]: the value a written cell holds. A cell a
/// person typed (no guard) comes back as typed.
pub(crate) fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// A CSV writer (RFC 4180, `,`, header first) whose every cell is neutralised.
///
/// It writes exactly what the `csv` crate's writer writes with its defaults (a
/// field quoted only when it holds `,`, `"`, CR or LF, quotes doubled, records
/// ended by CRLF as RFC 4180 says, a record of one empty field written `""`, every record as long as
/// the first: a test compares the bytes), building each record in a buffer of its
/// own so that a sheet of millions of rows costs little more than its bytes.
pub(crate) struct Writer<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    /// The number of fields of the first record.
    fields: Option<usize>,
}

/// Written out once the buffer holds this much.
const FLUSH_AT: usize = 1 << 16;

impl<'w> Writer<'w> {
    pub(crate) fn new(out: &'w mut dyn Write) -> Writer<'w> {
        Writer {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            fields: None,
        }
    }

    /// Writes one record, each cell neutralised.
    pub(crate) fn row<I, T>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let mut r = self.record();
        for c in cells {
            r.cell(c.as_ref());
        }
        r.end()
    }

    /// Starts a record made cell by cell ([`Record`]).
    pub(crate) fn record(&mut self) -> Record<'_, 'w> {
        let start = self.buf.len();
        Record {
            w: self,
            start,
            fields: 0,
        }
    }

    fn write_buf(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let r = self.out.write_all(&self.buf);
            self.buf.clear();
            r?;
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.write_buf()?;
        self.out.flush()
    }
}

/// One record being written: cells, each neutralised, or runs of cells written
/// before ([`Cells`]); [`Record::end`] ends it. A record not ended is not written.
pub(crate) struct Record<'r, 'w> {
    w: &'r mut Writer<'w>,
    /// Where the record begins in the writer's buffer.
    start: usize,
    fields: usize,
}

impl Record<'_, '_> {
    /// The next cell, neutralised.
    pub(crate) fn cell(&mut self, cell: &str) {
        if self.fields > 0 {
            self.w.buf.push(b',');
        }
        push_field(&mut self.w.buf, neutralise(cell).as_bytes());
        self.fields += 1;
    }

    /// The next cells, as made by [`Cells::new`] (every run of them).
    pub(crate) fn cells(&mut self, cells: &Cells) {
        for run in 0..cells.runs {
            self.run(cells, run);
        }
    }

    /// The next cells: run `run` of `cells` ([`Cells::push_run`]).
    pub(crate) fn run(&mut self, cells: &Cells, run: usize) {
        let Some(&(start, end, fields)) = cells.bounds[..cells.runs].get(run) else {
            return;
        };
        if fields == 0 {
            return;
        }
        if self.fields > 0 {
            self.w.buf.push(b',');
        }
        self.w.buf.extend_from_slice(&cells.bytes[start..end]);
        self.fields += fields;
    }

    /// Ends the record: refused when it has another number of fields than the
    /// first record.
    pub(crate) fn end(self) -> io::Result<()> {
        let (w, start, n) = (self.w, self.start, self.fields);
        match w.fields {
            Some(m) if m != n => {
                w.buf.truncate(start);
                return Err(io::Error::other(format!(
                    "found record with {n} fields, but the previous record has {m} fields"
                )));
            }
            Some(_) => {}
            None => w.fields = Some(n),
        }
        if w.buf.len() == start {
            // An empty record (or one empty field) would read as no record at all.
            w.buf.extend_from_slice(b"\"\"");
        }
        // RFC 4180: records end with CRLF (SPEC §5).
        w.buf.extend_from_slice(b"\r\n");
        if w.buf.len() >= FLUSH_AT {
            w.write_buf()?;
        }
        Ok(())
    }
}

/// Cells written once, as a record shows them (neutralised, quoted where needed,
/// `,` between them), for cells that many records repeat: one run of adjacent
/// cells, or a few runs kept together.
pub(crate) struct Cells {
    bytes: Vec<u8>,
    /// Per run: (start, end) in `bytes`, and how many fields.
    bounds: [(usize, usize, usize); MAX_RUNS],
    runs: usize,
}

/// The most runs one [`Cells`] keeps.
const MAX_RUNS: usize = 4;

impl Cells {
    /// One run of cells.
    pub(crate) fn new<I, T>(cells: I) -> Cells
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let mut c = Cells {
            bytes: Vec::new(),
            bounds: [(0, 0, 0); MAX_RUNS],
            runs: 0,
        };
        c.push_run(cells);
        c
    }

    /// Another run of cells, written by [`Record::run`] (at most [`MAX_RUNS`]
    /// runs; more are refused, loudly in a debug build).
    pub(crate) fn push_run<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        debug_assert!(self.runs < MAX_RUNS, "at most {MAX_RUNS} runs of cells");
        if self.runs == MAX_RUNS {
            return;
        }
        let start = self.bytes.len();
        let mut fields = 0;
        for c in cells {
            if fields > 0 {
                self.bytes.push(b',');
            }
            push_field(&mut self.bytes, neutralise(c.as_ref()).as_bytes());
            fields += 1;
        }
        self.bounds[self.runs] = (start, self.bytes.len(), fields);
        self.runs += 1;
    }
}

impl Drop for Writer<'_> {
    /// What was not flushed is written (errors ignored), as the `csv` crate does.
    fn drop(&mut self) {
        let _ = self.write_buf();
    }
}

/// Does the field hold `,`, `"`, CR or LF? Eight bytes at a time (a zero byte of
/// `word ^ byte×8` marks that byte), the rest one by one.
fn needs_quotes(field: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI != 0;
    let mut words = field.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if has_zero(v ^ (LO * u64::from(b',')))
            || has_zero(v ^ (LO * u64::from(b'"')))
            || has_zero(v ^ (LO * u64::from(b'\n')))
            || has_zero(v ^ (LO * u64::from(b'\r')))
        {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// One field: as is, or quoted (quotes doubled) when it holds `,`, `"`, CR or LF.
fn push_field(buf: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        buf.extend_from_slice(field);
        return;
    }
    buf.push(b'"');
    for &b in field {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(rows: &[Vec<String>]) -> String {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf);
        for r in rows {
            w.row(r).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        String::from_utf8(buf).unwrap()
    }

    /// What `review apply` reads back: RFC 4180 parsing, then [`unneutralise`].
    fn read_back(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|c| unneutralise(c).to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn formula_cells_get_the_guard_others_do_not() {
        for s in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-1",
            "-x",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(s), format!("'{s}"), "{s:?}");
        }
        for s in ["", "Alice", "a=b", "'quoted", "'", "1-2", " =x"] {
            assert_eq!(neutralise(s), s, "{s:?}");
        }
        // A value that starts with the guard itself keeps it on the way back.
        assert_eq!(neutralise("'=x"), "''=x");
        assert_eq!(unneutralise("''=x"), "'=x");
        assert_eq!(unneutralise("'=x"), "=x");
        assert_eq!(unneutralise("'quoted"), "'quoted");
    }

    #[test]
    fn every_cell_of_a_record_is_neutralised() {
        let text = written(&[vec!["=1+1".into(), "ok".into(), "-5".into(), "@x".into()]]);
        assert_eq!(text, "'=1+1,ok,'-5,'@x\r\n");
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            ("['=+@\\t\\r, \"-]{0,4}", any::<String>()).prop_map(|(a, b)| a + &b),
        ]
    }

    proptest! {
        /// `apply(write(x)) == x` for every string, whatever the record.
        #[test]
        fn reading_back_gives_every_value_exactly(
            rows in (1..5usize).prop_flat_map(|width| {
                prop::collection::vec(prop::collection::vec(cell(), width), 1..4)
            })
        ) {
            prop_assert_eq!(read_back(&written(&rows)), rows);
        }

        #[test]
        fn no_written_cell_starts_a_formula(s in cell()) {
            let cell = neutralise(&s);
            prop_assert!(!cell.starts_with(FORMULA_START));
            prop_assert_eq!(unneutralise(&cell), s.as_str());
        }
    }

    /// What the `csv` crate writes for the same records (its defaults), each cell
    /// neutralised the same way.
    fn written_by_the_csv_crate(rows: &[Vec<String>]) -> String {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for r in rows {
            for c in r {
                w.write_field(neutralise(c).as_bytes()).unwrap();
            }
            w.write_record(std::iter::empty::<&[u8]>()).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn an_empty_record_and_special_cells_are_written_as_the_csv_crate_writes_them() {
        for rows in [
            vec![vec![String::new()]],
            vec![vec![
                "a,b".into(),
                "say \"hi\"".into(),
                "x\r\ny".into(),
                String::new(),
            ]],
        ] {
            assert_eq!(written(&rows), written_by_the_csv_crate(&rows));
        }
    }

    #[test]
    fn records_of_another_length_are_refused() {
        let mut buf = Vec::new();
        let mut w = Writer::new(&mut buf);
        w.row(["a", "b"]).unwrap();
        assert!(w.row(["a"]).is_err());
    }

    proptest! {
        #[test]
        fn the_bytes_are_those_of_the_csv_crate(
            rows in (1..5usize).prop_flat_map(|width| {
                prop::collection::vec(prop::collection::vec(cell(), width), 1..4)
            })
        ) {
            prop_assert_eq!(written(&rows), written_by_the_csv_crate(&rows));
        }
    }

    proptest! {
        /// A record made of cells written once ([`Cells`]) and single cells is
        /// byte for byte the record written cell by cell.
        #[test]
        fn records_of_cells_written_once_are_the_same_bytes(
            rows in (1..6usize).prop_flat_map(|width| {
                prop::collection::vec(prop::collection::vec(cell(), width), 1..4)
            }),
            cut in 0..6usize,
        ) {
            let mut buf = Vec::new();
            let mut w = Writer::new(&mut buf);
            for r in &rows {
                let cut = cut.min(r.len());
                // The first cells as one run, the next one as a run of its own.
                let mut once = Cells::new(&r[..cut]);
                let second = r.get(cut..(cut + 1).min(r.len())).unwrap_or_default();
                once.push_run(second);
                let mut rec = w.record();
                rec.run(&once, 0);
                rec.run(&once, 1);
                for c in &r[cut + second.len()..] {
                    rec.cell(c);
                }
                rec.end().unwrap();
            }
            w.flush().unwrap();
            drop(w);
            prop_assert_eq!(String::from_utf8(buf).unwrap(), written(&rows));
        }
    }

    proptest! {
        #[test]
        fn quoting_is_needed_exactly_for_comma_quote_cr_lf(s in any::<Vec<u8>>()) {
            let plain = s.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
            prop_assert_eq!(needs_quotes(&s), plain);
        }
    }
}
