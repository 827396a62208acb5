//! Renderers: every byte a query prints to stdout. They turn engine values into
//! tables, JSON, CSV and Graphviz DOT; they decide nothing about access.
//!
//! Two gates, one each: every text for people passes [`text::sanitize`] (table
//! cells through [`Table`], lines through [`text::writeln_safe`]), and every CSV
//! passes [`csv::Writer`].

pub(crate) mod activities;
pub(crate) mod answers;
pub(crate) mod anywhere;
pub(crate) mod collect;
pub(crate) mod csv;
pub(crate) mod demo;
pub(crate) mod dot;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod members;
pub(crate) mod review;
pub(crate) mod role;
pub(crate) mod show;
pub(crate) mod snapshots;
pub(crate) mod text;
pub(crate) mod workspaces;

use std::fmt;
use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement};

/// A table with the house style (no colour, fits the terminal) whose every cell is
/// sanitised: the only way a renderer draws a table.
pub(crate) struct Table(comfy_table::Table);

/// One table cell: text already sanitised. Built from a value (every control
/// character escaped, newlines included) or, for a cell of several lines, from
/// its lines ([`Cell::lines`]: each line sanitised, the breaks ours).
pub(crate) struct Cell(String);

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        match text::sanitize(&s) {
            std::borrow::Cow::Borrowed(_) => Cell(s),
            std::borrow::Cow::Owned(o) => Cell(o),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell(text::sanitize(s).into_owned())
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Cell {
        Cell::from(s.as_str())
    }
}

impl Cell {
    /// A cell of several lines: each sanitised, joined by the table's newline.
    pub(crate) fn lines<I, S>(lines: I) -> Cell
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = String::new();
        for (i, l) in lines.into_iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&text::sanitize(l.as_ref()));
        }
        Cell(out)
    }
}

impl Table {
    pub(crate) fn add_row<I, C>(&mut self, cells: I) -> &mut Table
    where
        I: IntoIterator<Item = C>,
        C: Into<Cell>,
    {
        self.0
            .add_row(cells.into_iter().map(|c| c.into().0).collect::<Vec<_>>());
        self
    }

    pub(crate) fn set_width(&mut self, width: u16) -> &mut Table {
        self.0.set_width(width);
        self
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A table with the house style; `header` is ours (column names).
pub(crate) fn table(header: &[&str]) -> Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    Table(t)
}

pub(crate) fn print_json(out: &mut dyn Write, v: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}

/// A snapshot as the browsing commands' JSON names it: id, takenAt, label.
pub(crate) fn snapshot_json(s: &crate::model::Snapshot) -> serde_json::Value {
    serde_json::json!({"id": s.id, "takenAt": s.taken_at, "label": s.label})
}

/// A snapshot as a heading names it: `snapshot 3, 2026-Q4` (no label: `snapshot 3`).
pub(crate) fn snapshot_tag(s: &crate::model::Snapshot) -> String {
    match s.label.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => format!("snapshot {}, {l}", s.id),
        None => format!("snapshot {}", s.id),
    }
}

/// `1 workspace`, `3 workspaces`: a totals line's count.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Short, human labels for scope ids in tables and explanations (JSON and CSV keep
/// the full ids).
#[derive(Debug, Default, Clone)]
pub(crate) struct ScopeNames {
    names: std::collections::HashMap<String, (crate::model::ScopeKind, String)>,
}

impl ScopeNames {
    pub(crate) fn new(nodes: &[crate::model::ScopeNode]) -> ScopeNames {
        let mut names = std::collections::HashMap::new();
        for n in nodes {
            let name = n.display_name.clone().unwrap_or_else(|| n.name.clone());
            names
                .entry(crate::model::scope_key(&n.id))
                .or_insert((n.kind, name));
        }
        ScopeNames { names }
    }

    pub(crate) fn label(&self, scope: &str) -> String {
        use crate::model::ScopeKind::*;
        let k = crate::model::scope_key(scope);
        let last = scope
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(scope);
        let (kind, name) = match self.names.get(&k) {
            Some((kind, name)) => (*kind, name.clone()),
            None => (crate::engine::scope::kind_of(&k), last.to_string()),
        };
        match kind {
            Root => "/ (root)".to_string(),
            ManagementGroup => format!("management group {name}"),
            Subscription => format!("subscription {name}"),
            ResourceGroup => format!("resource group {last}"),
            Resource => {
                let segs: Vec<&str> = scope.trim_end_matches('/').split('/').collect();
                let ty = segs
                    .get(segs.len().saturating_sub(2))
                    .copied()
                    .unwrap_or("resource");
                format!("{last} ({})", ty.trim_end_matches('s'))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_are_sanitised_and_only_our_line_breaks_break() {
        let mut t = table(&["name", "roles"]);
        t.add_row([
            Cell::from("Eve\n\u{1b}[2KOwner"),
            Cell::lines(["Owner\r", "Reader"]),
        ]);
        let s = t.to_string();
        assert!(s.contains("Eve\\n\\e[2KOwner"), "{s}");
        assert!(s.contains("Owner\\r"), "{s}");
        assert!(!s.contains(['\u{1b}', '\r']), "{s}");
        // Top border, header, separator, the row's two lines (ours), bottom.
        assert_eq!(s.lines().count(), 6, "{s}");
    }
}
