//! `members` as table, JSON and CSV: one row per member (type, display name, user
//! principal name, and with `--transitive` the chain of groups), the principals
//! eligible to join (PIM for Groups), a membership cycle if there is one, and
//! what the snapshot could not show.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::engine::members::Members;
use crate::model::Snapshot;

use super::show::{principal_notes, via_cells, via_text, window_text};
use super::text::writeln_safe;

pub(crate) fn json(snapshot: &Snapshot, m: &Members) -> Value {
    json!({
        "snapshot": super::snapshot_json(snapshot),
        "group": m.group,
        "transitive": m.transitive,
        "members": m.members,
        "total": m.members.len(),
        "eligible": m.eligible,
        "cycle": m.cycle,
        "incomplete": m.incomplete,
    })
}

const COLUMNS: [&str; 10] = [
    "group_id",
    "member_id",
    "member_type",
    "display_name",
    "user_principal_name",
    "membership",
    "via",
    "via_names",
    "orphaned",
    "window",
];

pub(crate) fn csv(out: &mut dyn Write, m: &Members) -> io::Result<()> {
    let mut w = super::csv::Writer::new(out);
    w.row(COLUMNS)?;
    let g = m.group.id.as_str();
    for x in &m.members {
        let p = &x.principal;
        let (via, via_names) = via_cells(&x.via);
        w.row([
            g,
            &p.id,
            &p.kind,
            &p.display_name,
            p.user_principal_name.as_deref().unwrap_or(""),
            if x.via.is_empty() { "direct" } else { "nested" },
            &via,
            &via_names,
            p.orphan_text(),
            "",
        ])?;
    }
    for e in &m.eligible {
        let p = &e.principal;
        w.row([
            g,
            &p.id,
            &p.kind,
            &p.display_name,
            p.user_principal_name.as_deref().unwrap_or(""),
            "eligible",
            &e.group.id,
            &e.group.name,
            p.orphan_text(),
            &window_text(
                e.start_date_time.as_deref(),
                e.end_date_time.as_deref(),
                e.state,
            ),
        ])?;
    }
    w.flush()
}

pub(crate) fn table(out: &mut dyn Write, snapshot: &Snapshot, m: &Members) -> io::Result<()> {
    let name = super::show::principal_label(&m.group);
    writeln_safe!(
        out,
        "{} of {} ({})",
        if m.transitive {
            "members, transitively,"
        } else {
            "direct members"
        },
        name,
        super::snapshot_tag(snapshot)
    )?;
    if !m.members.is_empty() {
        let mut header = vec!["member", "type", "user principal name"];
        if m.transitive {
            header.push("via");
        }
        header.push("notes");
        let mut t = super::table(&header);
        for x in &m.members {
            let p = &x.principal;
            let mut row = vec![
                if p.display_name.is_empty() {
                    p.id.clone()
                } else {
                    p.display_name.clone()
                },
                p.kind.clone(),
                p.user_principal_name.clone().unwrap_or_default(),
            ];
            if m.transitive {
                row.push(via_text(&x.via));
            }
            row.push(principal_notes(p));
            t.add_row(row);
        }
        writeln!(out, "{t}")?;
    }
    let direct = m.members.iter().filter(|x| x.via.is_empty()).count();
    if m.transitive {
        writeln_safe!(
            out,
            "{} ({direct} direct)",
            super::count(m.members.len(), "member", "members")
        )?;
    } else {
        writeln_safe!(out, "{}", super::count(direct, "member", "members"))?;
    }
    if !m.eligible.is_empty() {
        let mut t = super::table(&["eligible to join (PIM for Groups)", "group", "window"]);
        for e in &m.eligible {
            t.add_row([
                super::show::principal_label(&e.principal),
                e.group.name.clone(),
                window_text(
                    e.start_date_time.as_deref(),
                    e.end_date_time.as_deref(),
                    e.state,
                ),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    if let Some(c) = &m.cycle {
        writeln_safe!(
            out,
            "note: {} is a member of itself{} (a membership cycle; each member is listed once)",
            m.group.display_name,
            if c.is_empty() {
                String::new()
            } else {
                format!(" through {}", via_text(c))
            }
        )?;
    }
    super::show::incomplete_lines(out, &m.incomplete, "its members are not known")
}
