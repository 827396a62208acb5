//! `demo`'s own lines: a heading before each question and the closing hint. The
//! answers between them are the other renderers' (`import`, `answers`).

use std::io::{self, Write};

/// A blank line, then `=== ` and the heading (ours, not data).
pub(crate) fn heading(out: &mut dyn Write, s: &str) -> io::Result<()> {
    writeln!(out, "\n=== {s}")
}

/// How to go on from the demo: keep its database and ask it a question.
pub(crate) fn try_it(out: &mut dyn Write, action: &str) -> io::Result<()> {
    writeln!(
        out,
        "\nTry it yourself: whocan demo --keep contoso.db, then e.g.\n  whocan --db contoso.db who {action} --workspace ml-prod --explain"
    )
}
