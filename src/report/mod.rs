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
pub(crate) mod escalation;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod manual;
pub(crate) mod members;
pub(crate) mod principals;
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
/// at word boundaries: no word is ever shortened (users copy ids), and no column
/// is made narrower than its longest word, except that a path (a resource id, an
/// action) may be broken after a `/`; when the columns cannot sit side by side
/// so, each row is shown as a record. Piped output with no `COLUMNS` is not
/// wrapped. Access levels and severities are coloured when
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

/// The narrowest a record's value is wrapped to.
const MIN_VALUE: usize = 20;

/// The parts a word may be broken into at the end of a line: a path
/// (`/subscriptions/…/workspaces/ml-prod`, `Microsoft.Storage/storageAccounts`)
/// after each `/`; any other word (text, an object id, an address, a hash) is
/// one part, never broken. No word is ever shortened: users copy ids.
fn parts(word: &str) -> impl Iterator<Item = &str> {
    word.split_inclusive('/')
}

/// `word` broken into lines of at most `max` characters, after a `/` only (a
/// part longer than `max` keeps its own line whole).
fn break_word(word: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for part in parts(word) {
        if !current.is_empty() && current.chars().count() + part.chars().count() > max {
            lines.push(std::mem::take(&mut current));
        }
        current.push_str(part);
    }
    lines.push(current);
    lines
}

fn words(cell: &str) -> impl Iterator<Item = &str> {
    cell.split_whitespace()
}

fn longest_word(cell: &str) -> usize {
    words(cell).map(|w| w.chars().count()).max().unwrap_or(0)
}

/// The narrowest a cell can be without shortening or breaking a word: its
/// longest word, a path counted by its longest part ([`parts`]).
fn narrowest(cell: &str) -> usize {
    words(cell)
        .flat_map(parts)
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
}

/// Room for the columns' text at `width`: each column costs its text plus 3 (a
/// space each side and a border), and the table one more border.
fn text_room(width: usize, columns: usize) -> usize {
    width.saturating_sub(1 + 3 * columns)
}

/// Per column, the longest word it may keep on one line so that every column
/// fits `width` (borders included). `cells[i]` holds column `i`'s longest word
/// per cell, sorted. Columns give way one character at a time, each time the one
/// where the fewest cells would have a path broken (the widest on a tie), none
/// below its narrowest (`floors`): a column of a few long paths narrows before
/// one whose every cell is a path. `None` when even the floors do not fit: the
/// table is then laid out as records.
fn word_limits(cells: &[Vec<usize>], floors: &[usize], width: usize) -> Option<Vec<usize>> {
    let room = text_room(width, cells.len());
    if floors.iter().sum::<usize>() > room {
        return None;
    }
    let broken =
        |i: usize, limit: usize| cells[i].len() - cells[i].partition_point(|&w| w <= limit);
    let mut limits: Vec<usize> = cells
        .iter()
        .map(|c| c.last().copied().unwrap_or(0))
        .collect();
    while limits.iter().sum::<usize>() > room {
        let i = (0..limits.len())
            .filter(|&i| limits[i] > floors[i])
            .min_by_key(|&i| (broken(i, limits[i] - 1), std::cmp::Reverse(limits[i])))?;
        limits[i] -= 1;
    }
    Some(limits)
}

/// `cell` with each path longer than `max` broken after a `/` onto lines of its
/// own (no other word is longer: see [`word_limits`]).
fn fit_cell(cell: &str, max: usize) -> String {
    if longest_word(cell) <= max {
        return cell.to_string();
    }
    cell.split('\n')
        .map(|line| {
            line.split(' ')
                .map(|w| break_word(w, max).join("\n"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `cell`'s lines wrapped at word boundaries to `width` characters. A word
/// longer than the width starts a line of its own: a path broken after a `/`
/// ([`break_word`]), any other word (an id) whole, even past the width.
fn wrap(cell: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for line in cell.split('\n') {
        let mut current = String::new();
        let mut len = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let n = word.chars().count();
            if len > 0 && len + 1 + n <= width {
                current.push(' ');
                current.push_str(word);
                len += 1 + n;
                continue;
            }
            if len > 0 {
                out.push(std::mem::take(&mut current));
            }
            let mut pieces = break_word(word, width);
            current = pieces.pop().unwrap_or_default();
            len = current.chars().count();
            out.extend(pieces);
        }
        out.push(current);
    }
    out
}

/// Writes a line of text for people, wrapped at word boundaries to the width
/// tables fit ([`style::width`]; unwrapped when there is none), its following
/// lines indented by `indent` spaces. Sanitised like [`text::writeln_safe`].
pub(crate) fn writeln_wrapped(out: &mut dyn Write, line: &str, indent: usize) -> io::Result<()> {
    let line = text::sanitize(line);
    let Some(width) = style::width().map(usize::from) else {
        return writeln!(out, "{line}");
    };
    let lead = line.len() - line.trim_start().len();
    let body = wrap(
        line.trim_start(),
        width.saturating_sub(lead.max(indent)).max(MIN_VALUE),
    );
    for (i, part) in body.iter().enumerate() {
        let pad = if i == 0 { lead } else { indent };
        writeln!(out, "{:pad$}{part}", "")?;
    }
    Ok(())
}

impl Table {
    /// The table as records, one block per row (`── 2 of 38 ──`, then a line per
    /// column: its name, then its value wrapped at word boundaries): for a width
    /// where the columns side by side would have to break words.
    fn fmt_records(&self, f: &mut fmt::Formatter<'_>, width: usize) -> fmt::Result {
        let label = self
            .header
            .iter()
            .map(|h| h.chars().count())
            .max()
            .unwrap_or(0);
        let value = width.saturating_sub(label + 2).max(MIN_VALUE);
        let color = style::color();
        let total = self.rows.len();
        for (n, row) in self.rows.iter().enumerate() {
            if n > 0 {
                writeln!(f)?;
            }
            let title = format!("── {} of {total} ", n + 1);
            let rule = width.saturating_sub(title.chars().count());
            write!(f, "{title}{}", "─".repeat(rule))?;
            for (i, cell) in row.iter().enumerate() {
                let name = self.header.get(i).map(String::as_str).unwrap_or("");
                let tone = style::tone(cell).filter(|_| color);
                for (j, line) in wrap(cell, value).iter().enumerate() {
                    let name = if j == 0 { name } else { "" };
                    match tone {
                        Some(c) => {
                            write!(f, "\n{name:<label$}  {}{line}\u{1b}[39m", style::sgr(c))?
                        }
                        None if line.is_empty() => write!(f, "\n{}", name.trim_end())?,
                        None => write!(f, "\n{name:<label$}  {line}")?,
                    }
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_at(f, style::width().or(self.width))
    }
}

impl Table {
    /// The table fitted to `width` (none: as wide as its cells).
    fn fmt_at(&self, f: &mut fmt::Formatter<'_>, width: Option<u16>) -> fmt::Result {
        use comfy_table::{ColumnConstraint, Width};
        let mut t = comfy_table::Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        let ncols = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let limits = match width {
            Some(w) if ncols > 0 => {
                let mut cells = vec![Vec::new(); ncols];
                let mut floors = vec![0; ncols];
                for row in std::iter::once(&self.header).chain(&self.rows) {
                    for (i, c) in row.iter().enumerate() {
                        cells[i].push(longest_word(c));
                        floors[i] = floors[i].max(narrowest(c));
                    }
                }
                cells.iter_mut().for_each(|c| c.sort_unstable());
                match word_limits(&cells, &floors, w as usize) {
                    Some(limits) => {
                        t.set_content_arrangement(ContentArrangement::Dynamic)
                            .set_width(w);
                        Some(limits)
                    }
                    None if ncols > 1 && !self.rows.is_empty() => {
                        return self.fmt_records(f, w as usize)
                    }
                    None => None,
                }
            }
            _ => None,
        };
        let fit = |i: usize, c: &str| -> String {
            match &limits {
                Some(l) => fit_cell(c, l[i]),
                None => c.to_string(),
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
        fmt::Display::fmt(&t, f)
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

    /// The escape that starts `colour` on a terminal (the records layout, drawn
    /// by us; tables are coloured by comfy-table).
    pub(crate) fn sgr(colour: Color) -> &'static str {
        match colour {
            Color::Green => "\u{1b}[32m",
            Color::Yellow => "\u{1b}[33m",
            Color::Red => "\u{1b}[31m",
            Color::Cyan => "\u{1b}[36m",
            _ => "\u{1b}[39m",
        }
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

/// A snapshot as headings name it: `3`, or `3 (2026-Q4)` with its label.
pub(crate) fn snapshot_name(s: &crate::model::Snapshot) -> String {
    match s.label.as_deref() {
        Some(l) => format!("{} ({l})", s.id),
        None => s.id.to_string(),
    }
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
                // The type's singular: `workspaces` → `workspace`,
                // `userAssignedIdentities` → `userAssignedIdentity`.
                let one = match ty.strip_suffix("ies") {
                    Some(stem) => format!("{stem}y"),
                    None => ty.strip_suffix('s').unwrap_or(ty).to_string(),
                };
                format!("{last} ({one})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as drawn at `width` columns, colour off.
    fn at(t: &Table, width: u16) -> String {
        struct At<'a>(&'a Table, u16);
        impl fmt::Display for At<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt_at(f, Some(self.1))
            }
        }
        At(t, width).to_string()
    }

    #[test]
    fn no_word_is_shortened_and_only_a_path_breaks_after_a_slash() {
        for word in [
            "Contributor",
            "(inherited)",
            "22ca1300-974d-4c61-bda3-d28f75c37000",
            "<dave.kim@contoso.com>",
            "2026-11-30T05:27:21Z",
        ] {
            assert_eq!(narrowest(word), word.chars().count(), "{word}");
            assert_eq!(break_word(word, 5), [word], "{word}");
        }
        assert_eq!(
            narrowest("see /subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg"),
            "c90828fc-bcbf-42ea-b475-9b27bdc92563/".len()
        );
        assert_eq!(
            break_word(
                "/subscriptions/c90828fc/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/ml-prod",
                40
            ),
            [
                "/subscriptions/c90828fc/resourceGroups/",
                "rg-ml-prod/providers/",
                "Microsoft.MachineLearningServices/",
                "workspaces/ml-prod"
            ]
        );
        // Lines of text: a long path starts its own lines, an id longer than
        // the width is kept whole on its own.
        assert_eq!(
            wrap("at Microsoft.Authorization/roleAssignments/write now", 30),
            [
                "at",
                "Microsoft.Authorization/",
                "roleAssignments/write now"
            ]
        );
        assert_eq!(
            wrap("hash ababefad750f831ec84305d3c2c1b6653b029f05 ok", 20),
            ["hash", "ababefad750f831ec84305d3c2c1b6653b029f05", "ok"]
        );
    }

    #[test]
    fn the_column_with_fewest_long_cells_gives_way_first() {
        // Column 0: every cell a 40-character id; column 1: one long id among short.
        let cells = vec![vec![40, 40, 40, 40], vec![4, 4, 4, 30]];
        let limits = word_limits(&cells, &[10, 10], 50).unwrap();
        assert_eq!(text_room(50, 2), 43);
        assert_eq!(limits, [33, 10]);
        // Floors that do not fit: no limits (records).
        assert_eq!(word_limits(&cells, &[40, 30], 60), None);
    }

    #[test]
    fn a_table_too_narrow_for_its_words_becomes_records_with_every_word_whole() {
        let header = [
            "Principal",
            "Role",
            "Held at",
            "Path",
            "PIM",
            "Recommendation",
            "Decision",
        ];
        let mut t = table(&header);
        t.add_row([
            "Break Glass Admin 01 (User)",
            "User Access Administrator [privileged]",
            "management group Machine Learning (inherited)",
            "direct",
            "eligible 2026-09-01T00:00:00Z..2027-03-01T00:00:00Z",
            "note: held only through PIM eligibility; grants nothing until activated",
            "",
        ]);
        t.add_row([
            "Dave Kim (User)",
            "Contributor",
            "subscription contoso-ml",
            "direct",
            "active",
            "",
            "approve",
        ]);
        let s = at(&t, 80);
        assert!(s.starts_with("── 1 of 2 ─"), "{s}");
        assert!(s.contains("\n── 2 of 2 ─"), "{s}");
        for line in s.lines() {
            assert!(line.chars().count() <= 80, "{line}");
            assert_eq!(line, line.trim_end(), "no trailing blanks");
        }
        for word in [
            "Administrator",
            "(inherited)",
            "Contributor",
            "activated",
            "approve",
        ] {
            assert!(s.contains(word), "{word}: {s}");
        }
        assert!(
            s.contains("\nRecommendation  note: held only through PIM eligibility; grants"),
            "{s}"
        );
        assert!(
            s.contains("\nDecision\n"),
            "an empty value: the name alone\n{s}"
        );
        assert!(!s.contains('…'), "{s}");
        // Wide enough, it is a table again.
        assert!(at(&t, 250).starts_with('┌'));
    }

    #[test]
    fn a_table_that_fits_breaks_its_paths_after_a_slash_and_shortens_nothing() {
        let mut t = table(&["kind", "finding"]);
        t.add_row([
            "owner-equivalent-role",
            "custom role X grants Microsoft.Authorization/roleAssignments/write to anyone",
        ]);
        let s = at(&t, 40);
        assert!(s.contains("owner-equivalent-role"), "{s}");
        assert!(!s.contains('…'), "{s}");
        assert!(s.contains("Microsoft.Authorization/"), "{s}");
        assert!(s.contains("roleAssignments/write"), "{s}");
        for line in s.lines() {
            assert!(line.chars().count() <= 40, "{line}");
        }
    }

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
