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

/// The graph being drawn: one node per object (a principal that is also a group
/// on another's path is one node), edges once each.
#[derive(Default)]
struct Graph {
    /// Node id → its attributes; the first description of an object wins (a
    /// principal's, which carries its access, is drawn before its use as a group).
    nodes: std::collections::BTreeMap<String, String>,
    edges: BTreeSet<String>,
}

impl Graph {
    fn node(&mut self, id: &str, attrs: String) {
        self.nodes.entry(id.to_string()).or_insert(attrs);
    }

    fn edge(&mut self, from: &str, to: &str, attrs: &str) {
        self.edges
            .insert(format!("{} -> {} [{attrs}];", q(from), q(to)));
    }

    /// principal → groups (`via`, nearest first) → assignment → role, and the
    /// assignment → its scope; `dashed` for a PIM eligibility.
    #[allow(clippy::too_many_arguments)]
    fn path(
        &mut self,
        names: &super::ScopeNames,
        principal: &str,
        via: &[crate::engine::decide::GroupRef],
        assignment: (&str, &str),
        role: (&str, &str),
        scope: &str,
        pattern: &str,
        dashed: bool,
    ) {
        let style = if dashed { ", style=dashed" } else { "" };
        let mut prev = principal.to_string();
        for grp in via {
            let gid = format!("o:{}", grp.id.to_lowercase());
            let name = if grp.name.is_empty() {
                &grp.id
            } else {
                &grp.name
            };
            self.node(
                &gid,
                format!("label={}, shape=box", q_lines(&[name, "Group"])),
            );
            self.edge(&prev, &gid, &format!("label=\"member of\"{style}"));
            prev = gid;
        }
        let (assignment_id, kind) = assignment;
        let aid = format!("a:{}", assignment_id.to_lowercase());
        let short = assignment_id.rsplit('/').next().unwrap_or(assignment_id);
        let short: String = short.chars().take(8).collect();
        self.node(
            &aid,
            format!(
                "label={}, shape=note{style}",
                q_lines(&[
                    kind,
                    &format!("{} @ {}", role.1, names.label(scope)),
                    &format!("id {short}…")
                ])
            ),
        );
        self.edge(
            &prev,
            &aid,
            &format!(
                "label={}{style}",
                q(if dashed { "eligible for" } else { "holds" })
            ),
        );
        let rid = format!("r:{}", role.0.to_lowercase());
        self.node(
            &rid,
            format!("label={}, shape=component", q_lines(&[role.1, "role"])),
        );
        self.edge(
            &aid,
            &rid,
            &format!("label={}{style}", q(&format!("`{pattern}`"))),
        );
        let sid = format!("s:{}", crate::model::scope_key(scope));
        self.node(
            &sid,
            format!("label={}, shape=folder", q(&names.label(scope))),
        );
        self.edge(&aid, &sid, &format!("label=\"at\"{style}"));
    }
}

/// One graph for many decisions; every object is one node. Grants are solid,
/// PIM eligibilities dashed, deny assignments red; the title says the question.
pub(crate) fn write(
    out: &mut dyn Write,
    title: &str,
    names: &super::ScopeNames,
    decisions: &[&Decision],
) -> io::Result<()> {
    let mut g = Graph::default();
    for d in decisions {
        let p = &d.principal;
        let pid = format!("o:{}", p.id.to_lowercase());
        let label = if p.display_name.is_empty() {
            p.id.clone()
        } else {
            p.display_name.clone()
        };
        g.node(
            &pid,
            format!(
                "label={}, shape=ellipse, style=filled, fillcolor={}",
                q_lines(&[&label, &format!("{} ({})", p.kind, d.access.as_str())]),
                match d.access.as_str() {
                    "allowed" => "palegreen",
                    "conditional" => "khaki",
                    "denied" => "lightpink",
                    "eligible" => "lightblue",
                    _ => "white",
                }
            ),
        );
        for a in &d.actions {
            for gr in &a.grants {
                g.path(
                    names,
                    &pid,
                    &gr.via,
                    (&gr.assignment_id, "assignment"),
                    (&gr.role_definition_id, &gr.role_name),
                    &gr.assignment_scope,
                    &gr.matched_pattern,
                    false,
                );
            }
            for e in &a.eligible {
                // PIM for Groups: the principal may join the group, whose
                // assignment grants; a role eligibility is held directly.
                let mut via = e.via.clone();
                if let Some(grp) = &e.group {
                    via.push(grp.clone());
                }
                g.path(
                    names,
                    &pid,
                    &via,
                    (
                        e.assignment_id.as_deref().unwrap_or(&e.eligibility_id),
                        if e.group.is_some() {
                            "assignment"
                        } else {
                            "PIM eligibility"
                        },
                    ),
                    (&e.role_definition_id, &e.role_name),
                    &e.assignment_scope,
                    &e.matched_pattern,
                    true,
                );
            }
            for h in &a.denies {
                let did = format!("d:{}", h.deny_assignment_id.to_lowercase());
                g.node(
                    &did,
                    format!(
                        "label={}, shape=octagon, color=red",
                        q_lines(&[
                            &h.deny_name,
                            &format!("deny @ {}", names.label(&h.deny_scope))
                        ])
                    ),
                );
                g.edge(&did, &pid, "color=red, label=\"blocks\"");
            }
        }
    }
    writeln!(out, "digraph whocan {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  labelloc=t;")?;
    writeln!(out, "  label={};", q(title))?;
    for (id, attrs) in &g.nodes {
        writeln!(out, "  {} [{attrs}];", q(id))?;
    }
    for e in &g.edges {
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
