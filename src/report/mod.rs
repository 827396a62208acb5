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
pub(crate) mod condition;
pub(crate) mod csv;
pub(crate) mod demo;
pub(crate) mod dot;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod manual;
pub(crate) mod members;
pub(crate) mod progress;
pub(crate) mod review;
pub(crate) mod review_html;
pub(crate) mod role;
pub(crate) mod show;
pub(crate) mod snapshots;
pub(crate) mod text;
pub(crate) mod workspaces;
pub(crate) mod xlsx;

use std::fmt;
use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement};

/// A table with the house style whose every cell is sanitised: the only way a
/// renderer draws a table. It fits the terminal's width (or `COLUMNS`), wrapping
/// at word boundaries: no column is made narrower than its longest word, and a
/// word too long for the width left to its column (an object id, a resource id)
/// is shortened in the middle with `…` instead of being split. Piped output with
/// no `COLUMNS` is not wrapped. Access levels and severities are coloured when
/// [`style::color`] says so.
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    width: Option<u16>,
}

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
        self.rows
            .push(cells.into_iter().map(|c| c.into().0).collect::<Vec<_>>());
        self
    }

    /// The width to fit when no terminal or `COLUMNS` gives one.
    pub(crate) fn set_width(&mut self, width: u16) -> &mut Table {
        self.width = Some(width);
        self
    }
}

/// Characters a word may keep when shortened: never fewer than this.
const MIN_WORD: usize = 10;

/// `word` shortened to `max` characters: its start and its end around `…`.
fn elide(word: &str, max: usize) -> String {
    let n = word.chars().count();
    if n <= max {
        return word.to_string();
    }
    let keep = max.saturating_sub(1);
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let start: String = word.chars().take(head).collect();
    let end: String = word.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

fn longest_word(cell: &str) -> usize {
    cell.split_whitespace()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0)
}

/// Per column, the longest word it may keep so that every column fits `width`
/// (borders included) without splitting a word: the longest columns give way
/// first, none below [`MIN_WORD`].
fn word_limits(words: &[usize], width: usize) -> Vec<usize> {
    // Each column costs its text plus 3 (a space each side and a border), and
    // the table one more border.
    let room = width.saturating_sub(1 + 3 * words.len());
    let mut limits = words.to_vec();
    while limits.iter().sum::<usize>() > room {
        let (i, &widest) = limits
            .iter()
            .enumerate()
            .max_by_key(|(_, w)| **w)
            .expect("a table has columns");
        if widest <= MIN_WORD {
            break;
        }
        limits[i] = widest - 1;
    }
    limits
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use comfy_table::{ColumnConstraint, Width};
        let mut t = comfy_table::Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        let width = style::width().or(self.width);
        let ncols = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let limits = match width {
            Some(w) if ncols > 0 => {
                let mut words = vec![0; ncols];
                for row in std::iter::once(&self.header).chain(&self.rows) {
                    for (i, c) in row.iter().enumerate() {
                        words[i] = words[i].max(longest_word(c));
                    }
                }
                t.set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(w);
                Some(word_limits(&words, w as usize))
            }
            _ => None,
        };
        let fit = |i: usize, c: &str| -> String {
            match &limits {
                Some(l) if longest_word(c) > l[i] => c
                    .split('\n')
                    .map(|line| {
                        line.split(' ')
                            .map(|w| elide(w, l[i]))
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
                _ => c.to_string(),
            }
        };
        let color = style::color();
        if color {
            t.enforce_styling();
        }
        t.set_header(
            self.header
                .iter()
                .enumerate()
                .map(|(i, h)| fit(i, h))
                .collect::<Vec<_>>(),
        );
        for row in &self.rows {
            t.add_row(row.iter().enumerate().map(|(i, c)| {
                let text = fit(i, c);
                match style::tone(&text).filter(|_| color) {
                    Some(colour) => comfy_table::Cell::new(text).fg(colour),
                    None => comfy_table::Cell::new(text),
                }
            }));
        }
        if let Some(l) = &limits {
            for (i, col) in t.column_iter_mut().enumerate() {
                if let Some(&w) = l.get(i) {
                    // comfy-table's widths include the cell's padding (one each side).
                    col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                        u16::try_from(w + 2).unwrap_or(u16::MAX),
                    )));
                }
            }
        }
        t.fmt(f)
    }
}

/// A table with the house style; `header` is ours (column names).
pub(crate) fn table(header: &[&str]) -> Table {
    Table {
        header: header.iter().map(|h| h.to_string()).collect(),
        rows: Vec::new(),
        width: None,
    }
}

/// Colour and width of what is printed for people, decided once per process.
pub(crate) mod style {
    use std::io::IsTerminal;
    use std::sync::OnceLock;

    pub(crate) use comfy_table::Color;

    /// `--color`: `auto` colours a terminal unless `NO_COLOR` is set (and not
    /// empty) or `TERM=dumb`; `always` and `never` decide alone.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
    pub enum ColorChoice {
        Auto,
        Always,
        Never,
    }

    static COLOR: OnceLock<bool> = OnceLock::new();

    /// Decides colour for this process (the first call wins).
    pub(crate) fn set_color(choice: ColorChoice) {
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        };
        let _ = COLOR.set(on);
    }

    pub(crate) fn color() -> bool {
        *COLOR.get().unwrap_or(&false)
    }

    /// The width tables fit: `COLUMNS` when set to a number, else the terminal's
    /// when stdout is one, else none (piped output is not wrapped).
    pub(crate) fn width() -> Option<u16> {
        static WIDTH: OnceLock<Option<u16>> = OnceLock::new();
        *WIDTH.get_or_init(|| {
            if let Some(c) = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse::<u16>().ok())
                .filter(|c| *c >= 20)
            {
                return Some(c);
            }
            if !std::io::stdout().is_terminal() {
                return None;
            }
            terminal_width()
        })
    }

    fn terminal_width() -> Option<u16> {
        // SAFETY: TIOCGWINSZ fills a winsize; a zeroed one is valid input.
        let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
        (ok && ws.ws_col >= 20).then_some(ws.ws_col)
    }

    /// The colour of a cell that states an access level or a severity.
    pub(crate) fn tone(cell: &str) -> Option<Color> {
        let word = cell.split(" (").next().unwrap_or(cell).trim();
        Some(match word {
            "allowed" | "yes" | "low" => Color::Green,
            "conditional" | "medium" => Color::Yellow,
            "denied" | "no" | "high" | "critical" => Color::Red,
            "eligible" => Color::Cyan,
            _ => return None,
        })
    }
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

/// `1 workspace`, `3 workspaces`: the one count rule ([`crate::words`]).
pub(crate) use crate::words::count;

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
