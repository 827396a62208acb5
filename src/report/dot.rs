//! Access paths as a Graphviz graph: principal → groups → assignment → role → scope.

use std::collections::BTreeSet;
use std::io::{self, Write};

use crate::engine::decide::Decision;

/// A DOT quoted string; control characters in data shown escaped (a graph is
/// also read on a terminal).
fn q(s: &str) -> String {
    q_lines(&[s])
}

/// A quoted label of several lines: each line sanitised and escaped, joined by
/// DOT's own line break (`\n`), which is ours and so never escaped.
fn q_lines(lines: &[&str]) -> String {
    let escaped: Vec<String> = lines
        .iter()
        .map(|l| {
            super::text::sanitize(l)
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
        })
        .collect();
    format!("\"{}\"", escaped.join("\\n"))
}

/// One graph for many decisions; shared nodes appear once.
pub(crate) fn write(out: &mut dyn Write, title: &str, decisions: &[&Decision]) -> io::Result<()> {
    let mut nodes: BTreeSet<String> = BTreeSet::new();
    let mut edges: BTreeSet<String> = BTreeSet::new();
    for d in decisions {
        let p = &d.principal;
        let pid = format!("p:{}", p.id);
        let label = if p.display_name.is_empty() {
            p.id.clone()
        } else {
            p.display_name.clone()
        };
        nodes.insert(format!(
            "{} [label={}, shape=ellipse, style=filled, fillcolor={}];",
            q(&pid),
            q_lines(&[&label, &format!("{} ({})", p.kind, d.access.as_str())]),
            match d.access.as_str() {
                "allowed" => "palegreen",
                "conditional" => "khaki",
                "denied" => "lightpink",
                "eligible" => "lightblue",
                _ => "white",
            }
        ));
        for a in &d.actions {
            for g in &a.grants {
                let mut prev = pid.clone();
                for grp in &g.via {
                    let gid = format!("g:{}", grp.id);
                    nodes.insert(format!(
                        "{} [label={}, shape=box];",
                        q(&gid),
                        q(&format!("group {}", grp.name))
                    ));
                    edges.insert(format!(
                        "{} -> {} [label=\"member of\"];",
                        q(&prev),
                        q(&gid)
                    ));
                    prev = gid;
                }
                let aid = format!("a:{}", g.assignment_id.to_lowercase());
                nodes.insert(format!(
                    "{} [label={}, shape=note];",
                    q(&aid),
                    q_lines(&[
                        "assignment",
                        g.assignment_id.rsplit('/').next().unwrap_or("")
                    ])
                ));
                edges.insert(format!("{} -> {} [label=\"holds\"];", q(&prev), q(&aid)));
                let rid = format!("r:{}", g.role_definition_id);
                nodes.insert(format!(
                    "{} [label={}, shape=component];",
                    q(&rid),
                    q(&format!("role {}", g.role_name))
                ));
                edges.insert(format!(
                    "{} -> {} [label={}];",
                    q(&aid),
                    q(&rid),
                    q(&format!("`{}`", g.matched_pattern))
                ));
                let sid = format!("s:{}", g.assignment_scope.to_lowercase());
                nodes.insert(format!(
                    "{} [label={}, shape=folder];",
                    q(&sid),
                    q(&g.assignment_scope)
                ));
                edges.insert(format!("{} -> {} [label=\"at\"];", q(&aid), q(&sid)));
            }
            for h in &a.denies {
                let did = format!("d:{}", h.deny_assignment_id.to_lowercase());
                nodes.insert(format!(
                    "{} [label={}, shape=octagon, color=red];",
                    q(&did),
                    q(&format!("deny {}", h.deny_name))
                ));
                edges.insert(format!(
                    "{} -> {} [color=red, label=\"blocks\"];",
                    q(&did),
                    q(&pid)
                ));
            }
        }
    }
    writeln!(out, "digraph whocan {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  label={};", q(title))?;
    for n in &nodes {
        writeln!(out, "  {n}")?;
    }
    for e in &edges {
        writeln!(out, "  {e}")?;
    }
    writeln!(out, "}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_line_breaks_break_and_data_never_does() {
        // Our break is DOT's `\n`; a backslash or quote in data is escaped, so a
        // display name cannot end a label or add a line.
        assert_eq!(
            q_lines(&["Kyle", "User (allowed)"]),
            r#""Kyle\nUser (allowed)""#
        );
        assert_eq!(q(r#"Eve\n" shape=box"#), r#""Eve\\n\" shape=box""#);
        assert_eq!(q("bell\u{7}"), r#""bell\\a""#);
    }
}
