//! `demo`'s own lines: a heading before each question and the closing hint. The
//! answers between them are the other renderers' (`import`, `answers`).

use std::io::{self, Write};

use super::text::writeln_safe;

/// A blank line, then `=== ` and the heading (ours, not data).
pub(crate) fn heading(out: &mut dyn Write, s: &str) -> io::Result<()> {
    writeln!(out, "\n=== {s}")
}

/// How to go on from the demo: keep its database (`kept`: where it was kept,
/// if it was) and ask it a question. `whocan.db` in the current directory is
/// the database every command reads by default (`--db`, `WHOCAN_DB`).
pub(crate) fn try_it(
    out: &mut dyn Write,
    action: &str,
    kept: Option<&std::path::Path>,
) -> io::Result<()> {
    let ask = format!("who {action} --workspace ml-prod --explain");
    match kept {
        None => writeln!(
            out,
            "\nTry it yourself: `whocan demo --keep whocan.db` keeps this database as whocan.db in the current directory, the one every command reads unless --db names another; then ask it, e.g.\n  whocan {ask}"
        ),
        Some(p) if p == std::path::Path::new(crate::cli::DEFAULT_DB) => writeln!(
            out,
            "\nKept in whocan.db, the database every command run from this directory reads; ask it, e.g.\n  whocan {ask}"
        ),
        Some(p) => {
            // Data in the line (the path): sanitised, one line at a time.
            let path = p.display().to_string();
            writeln!(out)?;
            writeln_safe!(out, "Kept in {path}; ask it, e.g.")?;
            writeln_safe!(out, "  whocan --db {} {ask}", shell_word(&path))
        }
    }
}

/// `s` as one shell word: as it is when it needs no quoting, else in single
/// quotes.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%~".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
