//! `collect`'s output: the summary on stderr, the output directory on stdout.

use std::io::{self, Write};

use crate::collect::Summary;

use super::text::writeln_safe;

/// Requests, pages, retries, items per collection and what could not be read.
pub fn summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    writeln_safe!(
        out,
        "collected: {}, {}, {}{}",
        super::count(s.requests, "request", "requests"),
        super::count(s.pages, "page", "pages"),
        super::count(s.retries, "retry", "retries"),
        if s.skipped > 0 {
            format!(
                ", {} already complete (resumed)",
                super::count(s.skipped, "read", "reads")
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
