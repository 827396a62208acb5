//! `collect`'s output: the summary on stderr, the output directory on stdout.

use std::io::{self, Write};

use crate::collect::Summary;

use super::text::writeln_safe;

/// Requests, pages, retries, items per collection and what could not be read.
pub fn summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    writeln_safe!(
        out,
        "collected: {} request{}, {} page{}, {} retr{}{}",
        s.requests,
        if s.requests == 1 { "" } else { "s" },
        s.pages,
        if s.pages == 1 { "" } else { "s" },
        s.retries,
        if s.retries == 1 { "y" } else { "ies" },
        if s.skipped > 0 {
            format!(
                ", {} read{} already complete (resumed)",
                s.skipped,
                if s.skipped == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    )?;
    for (collection, n) in &s.items {
        writeln_safe!(out, "  {collection:<36} {n:>8}")?;
    }
    if s.complete {
        writeln_safe!(out, "every read completed")?;
    } else {
        writeln_safe!(
            out,
            "not read ({}), recorded in collection.json:",
            s.unreadable.len()
        )?;
        for e in &s.unreadable {
            writeln_safe!(
                out,
                "  {} {} {} {}: {}",
                e.status,
                e.api,
                e.collection,
                e.scope,
                e.error.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(())
}

/// The output directory, on stdout.
pub fn out_dir(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    writeln_safe!(out, "{}", s.out.display())
}
