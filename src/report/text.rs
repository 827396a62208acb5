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
    let Some(first) = s.char_indices().find(|&(_, c)| unsafe_(c)).map(|(i, _)| i) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if unsafe_(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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
