//! Text for people: the one sanitiser every table cell, text line, explanation,
//! warning and error goes through before it reaches a terminal (SPEC §5: control
//! characters are shown escaped, never interpreted).
//!
//! Directory data is written by others (anyone sets their own display name; a
//! tenant admin names custom roles), so a name can carry ESC sequences that erase
//! lines, a CR that returns to the start of the line, BEL, or bidi overrides that
//! reorder what is shown. [`sanitize`] shows each of these as an escape (`\e`,
//! `\r`, `\u{202e}`). It is applied to each value (a cell, a line), never to an
//! assembled table, whose own newlines and borders are ours. JSON is data and is
//! left alone (serde escapes control characters); HTML has its own escaping
//! (`report::review_html::html_escape`), which uses [`is_unsafe`] too.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

/// Is `c` a character a terminal could interpret rather than show: C0 controls,
/// DEL, C1 controls, the bidi marks, embeddings, overrides and isolates (U+061C,
/// U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the line and paragraph
/// separators (U+2028, U+2029), and the invisible zero-width characters that
/// can make two different names look alike (U+200B–U+200D, U+FEFF)?
pub(crate) fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}')
}

/// Appends the visible escape of an unsafe character: `\t`, `\n`, `\r`, `\e`
/// (ESC), `\a` (BEL), `\0`, else `\u{hex}`.
pub(crate) fn push_escaped(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\u{1b}' => out.push_str("\\e"),
        '\u{7}' => out.push_str("\\a"),
        '\0' => out.push_str("\\0"),
        c => {
            use fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every [`is_unsafe`] character shown escaped; borrowed when there is
/// none (the common case costs one scan).
pub(crate) fn sanitize(s: &str) -> Cow<'_, str> {
    escape_where(s, is_unsafe)
}

/// As [`sanitize`], but keeps `\n`: for a message whose line breaks are ours
/// (a list of errors); each line's content is still escaped.
pub(crate) fn sanitize_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c != '\n' && is_unsafe(c))
}

fn escape_where(s: &str, unsafe_: impl Fn(char) -> bool) -> Cow<'_, str> {
    escape_where_with(s, unsafe_, push_escaped)
}

/// Writes one line for people: the formatted text sanitised, then our newline.
pub(crate) fn line(out: &mut dyn Write, args: fmt::Arguments) -> io::Result<()> {
    let text = match args.as_str() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(args.to_string()),
    };
    out.write_all(sanitize(&text).as_bytes())?;
    out.write_all(b"\n")
}

/// Writes one message line to stderr, sanitised (see [`eprintln_safe`]). A
/// failure to write to stderr is ignored: there is nowhere left to report it.
pub(crate) fn eprint_line(args: fmt::Arguments) {
    let _ = line(&mut io::stderr().lock(), args);
}

/// `eprintln!` for messages that carry data (names, ids, paths): the line is
/// sanitised, so a display name cannot move the cursor or erase what came before.
macro_rules! eprintln_safe {
    ($($arg:tt)*) => {
        $crate::report::text::eprint_line(::std::format_args!($($arg)*))
    };
}
pub(crate) use eprintln_safe;

/// `writeln!` for text lines that carry data: the line is sanitised.
macro_rules! writeln_safe {
    ($out:expr, $($arg:tt)*) => {
        $crate::report::text::line($out, ::std::format_args!($($arg)*))
    };
}
pub(crate) use writeln_safe;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn terminal_controls_are_shown_escaped() {
        assert_eq!(sanitize("Eve\u{1b}[2K\rOwner\u{7}"), "Eve\\e[2K\\rOwner\\a");
        assert_eq!(sanitize("a\u{202e}txt.exe"), "a\\u{202e}txt.exe");
        assert_eq!(sanitize("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(sanitize("del\u{7f}"), "del\\u{7f}");
        assert_eq!(sanitize("tab\tnl\n"), "tab\\tnl\\n");
        assert_eq!(
            sanitize("\u{2066}\u{2069}\u{200e}\u{200f}\u{2028}\u{2029}\u{61c}"),
            "\\u{2066}\\u{2069}\\u{200e}\\u{200f}\\u{2028}\\u{2029}\\u{61c}"
        );
        assert_eq!(sanitize("nul\0"), "nul\\0");
    }

    #[test]
    fn clean_text_is_borrowed_unchanged() {
        for s in ["", "Alice Nguyen", "Zoë → ML Admins", "東京 ✓", "C:\\path"] {
            assert!(matches!(sanitize(s), Cow::Borrowed(x) if x == s), "{s}");
        }
    }

    #[test]
    fn message_lines_keep_their_breaks_only() {
        assert_eq!(
            sanitize_lines("a\u{1b}]0;x\u{7}\n  b\r"),
            "a\\e]0;x\\a\n  b\\r"
        );
    }

    #[test]
    fn lines_are_sanitised_and_end_with_our_newline() {
        let mut out = Vec::new();
        writeln_safe!(&mut out, "who: {}", "Eve\u{1b}[1A").unwrap();
        assert_eq!(out, b"who: Eve\\e[1A\n");
    }

    proptest! {
        /// Whatever the input, nothing a terminal interprets survives, and
        /// sanitising twice changes nothing more.
        #[test]
        fn output_is_inert_and_stable(s in any::<String>()) {
            let once = sanitize(&s).into_owned();
            prop_assert!(!once.chars().any(is_unsafe), "{:?}", once);
            prop_assert_eq!(sanitize(&once), once.as_str());
            prop_assert!(!sanitize_lines(&s).chars().any(|c| c != '\n' && is_unsafe(c)));
        }
    }
}

/// Standard output for a command's data. On a terminal, when JSON or CSV was asked
/// for (a table sanitises its cells itself, and colours them), every control,
/// C1 or bidi character is shown escaped rather than interpreted (SPEC §5):
/// in JSON as a `\uXXXX` escape (such characters only occur inside its strings,
/// so it stays JSON), in CSV as [`push_escaped`] shows it (a TAB inside a cell as
/// `\t`, as a table shows it); line breaks are kept. To a file or a pipe, the
/// bytes are the data, unchanged.
pub(crate) fn data_stdout(format: Option<crate::cli::Format>) -> Box<dyn Write> {
    use std::io::IsTerminal;
    let out = io::stdout().lock();
    let json = match format {
        Some(crate::cli::Format::Json) => true,
        Some(crate::cli::Format::Csv) => false,
        _ => return Box::new(io::BufWriter::new(out)),
    };
    if !io::stdout().is_terminal() {
        return Box::new(io::BufWriter::new(out));
    }
    Box::new(io::BufWriter::new(TerminalSafe {
        inner: out,
        carry: Vec::new(),
        json,
    }))
}

/// A writer that shows unsafe characters escaped (see [`data_stdout`]). A UTF-8
/// sequence split between two writes is held until its end arrives.
pub(crate) struct TerminalSafe<W: Write> {
    pub(crate) inner: W,
    carry: Vec<u8>,
    json: bool,
}

impl<W: Write> TerminalSafe<W> {
    #[cfg(test)]
    pub(crate) fn new(inner: W, json: bool) -> Self {
        TerminalSafe {
            inner,
            carry: Vec::new(),
            json,
        }
    }

    fn emit(&mut self, s: &str) -> io::Result<()> {
        if !self.json && s.contains("\r\n") {
            // CSV records end with CRLF (RFC 4180): a line end, not a control
            // character to show.
            for (i, part) in s.split("\r\n").enumerate() {
                if i > 0 {
                    self.inner.write_all(b"\r\n")?;
                }
                self.emit(part)?;
            }
            return Ok(());
        }
        let json = self.json;
        let shown = escape_where_with(
            s,
            |c| c != '\n' && is_unsafe(c),
            |out, c| {
                if json {
                    use fmt::Write as _;
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    push_escaped(out, c);
                }
            },
        );
        self.inner.write_all(shown.as_bytes())
    }
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(buf);
        // A CR that ends this write may begin a CSV record's CRLF end: it waits
        // for the next write to say.
        if !self.json && data.last() == Some(&b'\r') {
            data.pop();
            self.carry.push(b'\r');
        }
        let mut rest: &[u8] = &data;
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.emit(s)?;
                    rest = &[];
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    self.emit(std::str::from_utf8(valid).expect("valid prefix"))?;
                    match e.error_len() {
                        // The start of a character whose end is in the next write.
                        None => {
                            let cr = std::mem::replace(&mut self.carry, after.to_vec());
                            self.carry.extend(cr);
                            rest = &[];
                        }
                        // Not UTF-8: shown as bytes (whocan writes none).
                        Some(n) => {
                            for b in &after[..n] {
                                write!(self.inner, "\\x{b:02x}")?;
                            }
                            rest = &after[n..];
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.carry.is_empty() {
            let carry = std::mem::take(&mut self.carry);
            for b in carry {
                write!(self.inner, "\\x{b:02x}")?;
            }
        }
        self.inner.flush()
    }
}

fn escape_where_with(
    s: &str,
    unsafe_: impl Fn(char) -> bool,
    escape: impl Fn(&mut String, char),
) -> Cow<'_, str> {
    let Some(first) = s.char_indices().find(|&(_, c)| unsafe_(c)).map(|(i, _)| i) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if unsafe_(c) {
            escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod terminal_tests {
    use super::*;

    fn through(json: bool, chunks: &[&[u8]]) -> String {
        let mut w = TerminalSafe::new(Vec::new(), json);
        for c in chunks {
            w.write_all(c).unwrap();
        }
        w.flush().unwrap();
        String::from_utf8(w.inner).unwrap()
    }

    #[test]
    fn controls_c1_bidi_and_tabs_are_shown_escaped_line_breaks_kept() {
        let text = "a\u{1b}]8;;x\u{7}b\u{9b}c\u{202e}d\te\n";
        assert_eq!(
            through(false, &[text.as_bytes()]),
            "a\\e]8;;x\\ab\\u{9b}c\\u{202e}d\\te\n"
        );
        assert_eq!(
            through(true, &[b"{\"n\": \"a\tb\"}"]),
            "{\"n\": \"a\\u0009b\"}"
        );
        let json = "{\"n\":\"x\u{85}\u{202e}y\"}\n";
        let shown = through(true, &[json.as_bytes()]);
        assert_eq!(shown, "{\"n\":\"x\\u0085\\u202ey\"}\n");
        let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(v["n"], "x\u{85}\u{202e}y");
    }

    #[test]
    fn csv_record_ends_pass_and_a_lone_cr_is_shown_wherever_writes_split() {
        let bytes = "a,b\r\nc\rd,\u{202e}\r\n".as_bytes();
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(
                through(false, &[a, b]),
                "a,b\r\nc\\rd,\\u{202e}\r\n",
                "cut at {cut}"
            );
        }
        // A CR left at the very end is shown, not dropped.
        assert_eq!(through(false, &[b"x\r"]), "x\\x0d");
    }

    #[test]
    fn a_character_split_between_writes_is_escaped_whole() {
        let bytes = "x\u{202e}y".as_bytes();
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(through(false, &[a, b]), "x\\u{202e}y", "cut at {cut}");
        }
    }
}
