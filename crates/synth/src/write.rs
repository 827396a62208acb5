//! Low-level output: hand-formatted JSON records and CSV lines through buffered
//! files, with byte and record counts for the summary.
//!
//! JSON is written one record per line (`[\n{...},\n{...}\n]`): the same structure
//! as the pretty-printed az / ARM / Graph output, a third of the bytes, and an
//! importer error still points at a meaningful line. Keys are static ASCII; every
//! string value goes through [`Rec::str`], which escapes as JSON requires. Nothing
//! here chooses content: the generators decide what to write, this module only how.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::rng::Guid;
use super::SynthError;

fn io_err(path: &Path, source: std::io::Error) -> SynthError {
    SynthError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Appends `s` as a JSON string literal.
pub(crate) fn json_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        match esc {
            Some(e) => buf.extend_from_slice(e),
            None => buf.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// A JSON object being written into a buffer.
pub(crate) struct Rec<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Rec<'a> {
    pub(crate) fn new(buf: &'a mut Vec<u8>) -> Rec<'a> {
        buf.push(b'{');
        Rec { buf, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        self.buf.push(b'"');
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    pub(crate) fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        json_str(self.buf, v);
        self
    }

    pub(crate) fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(k, v),
            None => self.null(k),
        }
    }

    pub(crate) fn guid(&mut self, k: &str, g: Guid) -> &mut Self {
        self.key(k);
        self.buf.push(b'"');
        self.buf.extend_from_slice(&g.bytes());
        self.buf.push(b'"');
        self
    }

    pub(crate) fn null(&mut self, k: &str) -> &mut Self {
        self.key(k);
        self.buf.extend_from_slice(b"null");
        self
    }

    pub(crate) fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k);
        self.buf
            .extend_from_slice(if v { b"true" as &[u8] } else { b"false" });
        self
    }

    pub(crate) fn num(&mut self, k: &str, v: usize) -> &mut Self {
        self.key(k);
        self.buf.extend_from_slice(v.to_string().as_bytes());
        self
    }

    /// A value already formatted as JSON.
    pub(crate) fn raw(&mut self, k: &str, json: &str) -> &mut Self {
        self.key(k);
        self.buf.extend_from_slice(json.as_bytes());
        self
    }

    pub(crate) fn strs<S: AsRef<str>>(&mut self, k: &str, vs: &[S]) -> &mut Self {
        self.key(k);
        self.buf.push(b'[');
        for (i, v) in vs.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            json_str(self.buf, v.as_ref());
        }
        self.buf.push(b']');
        self
    }

    /// A nested object, written by `f`.
    pub(crate) fn obj(&mut self, k: &str, f: impl FnOnce(&mut Rec<'_>)) -> &mut Self {
        self.key(k);
        let mut inner = Rec::new(self.buf);
        f(&mut inner);
        inner.end();
        self
    }

    /// An array of objects, each written by `f`.
    pub(crate) fn objs<T>(
        &mut self,
        k: &str,
        items: &[T],
        mut f: impl FnMut(&mut Rec<'_>, &T),
    ) -> &mut Self {
        self.key(k);
        self.buf.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            let mut inner = Rec::new(self.buf);
            f(&mut inner, item);
            inner.end();
        }
        self.buf.push(b']');
        self
    }

    pub(crate) fn end(self) {
        self.buf.push(b'}');
    }
}

/// What one written file holds.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub records: usize,
    pub bytes: u64,
}

/// A file of JSON records: `open`, one record per line separated by commas, `close`.
pub(crate) struct RecordFile {
    path: PathBuf,
    w: BufWriter<File>,
    close: &'static str,
    records: usize,
    bytes: u64,
    buf: Vec<u8>,
}

impl RecordFile {
    /// `open` is e.g. `"[\n"` (az arrays) or `{"value":[\n` (ARM / Graph pages), and
    /// `close` the matching `"\n]\n"` / `"\n]}\n"`.
    pub(crate) fn create(
        path: &Path,
        open: &str,
        close: &'static str,
    ) -> Result<RecordFile, SynthError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        }
        let file = File::create(path).map_err(|e| io_err(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all(open.as_bytes()).map_err(|e| io_err(path, e))?;
        Ok(RecordFile {
            path: path.to_path_buf(),
            w,
            close,
            records: 0,
            bytes: open.len() as u64,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Writes one record, built by `f` as an object.
    pub(crate) fn record(&mut self, f: impl FnOnce(&mut Rec<'_>)) -> Result<(), SynthError> {
        self.buf.clear();
        if self.records > 0 {
            self.buf.extend_from_slice(b",\n");
        }
        let mut rec = Rec::new(&mut self.buf);
        f(&mut rec);
        rec.end();
        self.records += 1;
        self.bytes += self.buf.len() as u64;
        self.w
            .write_all(&self.buf)
            .map_err(|e| io_err(&self.path, e))
    }

    pub(crate) fn finish(mut self) -> Result<Written, SynthError> {
        let close = if self.records == 0 {
            self.close.trim_start_matches('\n')
        } else {
            self.close
        };
        self.w
            .write_all(close.as_bytes())
            .and_then(|()| self.w.flush())
            .map_err(|e| io_err(&self.path, e))?;
        Ok(Written {
            records: self.records,
            bytes: self.bytes + close.len() as u64,
        })
    }
}

/// A plain text file written line by line (the CSV edge lists).
pub(crate) struct LineFile {
    path: PathBuf,
    w: BufWriter<File>,
    records: usize,
    bytes: u64,
}

impl LineFile {
    pub(crate) fn create(path: &Path, header: &str) -> Result<LineFile, SynthError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        }
        let file = File::create(path).map_err(|e| io_err(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all(header.as_bytes())
            .and_then(|()| w.write_all(b"\n"))
            .map_err(|e| io_err(path, e))?;
        Ok(LineFile {
            path: path.to_path_buf(),
            w,
            records: 0,
            bytes: header.len() as u64 + 1,
        })
    }

    pub(crate) fn records(&self) -> usize {
        self.records
    }

    /// Writes one line (without its newline in `line`).
    pub(crate) fn line(&mut self, line: &[u8]) -> Result<(), SynthError> {
        self.records += 1;
        self.bytes += line.len() as u64 + 1;
        self.w
            .write_all(line)
            .and_then(|()| self.w.write_all(b"\n"))
            .map_err(|e| io_err(&self.path, e))
    }

    pub(crate) fn finish(mut self) -> Result<Written, SynthError> {
        self.w.flush().map_err(|e| io_err(&self.path, e))?;
        Ok(Written {
            records: self.records,
            bytes: self.bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_json() {
        let mut buf = Vec::new();
        json_str(&mut buf, "a\"b\\c\nd\u{1}é");
        let s = String::from_utf8(buf).unwrap();
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\u0001é\"");
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn records_parse_as_json() {
        let mut buf = Vec::new();
        let mut r = Rec::new(&mut buf);
        r.str("a", "x")
            .null("b")
            .bool("c", true)
            .num("d", 3)
            .strs("e", &["p", "q"])
            .obj("f", |o| {
                o.str("g", "h");
            })
            .objs("i", &[1, 2], |o, n| {
                o.num("n", *n);
            });
        r.end();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["i"][1]["n"], 2);
        assert_eq!(v["f"]["g"], "h");
    }
}
