//! Rendering `diff`, `verify` and `lint` answers as table, JSON and CSV.
//!
//! Every line of a diff names its cause: tables print each access change with the
//! one-line description of every cause behind it ([`describe`]); CSV has one row
//! per (change, cause) with the cause's kind, subject id and description; JSON is
//! streamed (a diff of a large tenant has millions of lines) and names causes by
//! index into its `causes` table, where each cause carries its `kind`, its objects,
//! its description and its effect. CSV goes through [`super::csv::Writer`], table
//! cells and lines through [`super::text`]. Nothing
//! here decides anything: the engine's values are printed as they are.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::audit::diff::{
    AccessChange, AssignmentRef, Cause, Diff, GrantKind, PrincipalRef, RoleRef,
};
use crate::audit::lint::{Finding, Severity};
use crate::commands::seal::ReceiptCheck;
use crate::engine::window::WindowState;
use crate::model::Snapshot;
use crate::store::history::SnapshotCheck;
use crate::store::review::{ReviewCheck, TrailCheck};

use super::csv;
use super::text::writeln_safe;
use super::{Cell, ScopeNames};

/// What a diff compared.
pub(crate) struct DiffQuestion<'a> {
    pub(crate) from: &'a Snapshot,
    pub(crate) to: &'a Snapshot,
    pub(crate) scope: Option<&'a str>,
    pub(crate) principal: Option<&'a str>,
    /// How the table names `principal`: display name, UPN and object id.
    pub(crate) principal_label: Option<String>,
    pub(crate) names: &'a ScopeNames,
}

/// On stderr: the snapshots were given latest first, so gains and losses read
/// backwards in time.
pub(crate) fn note_reversed(from: &Snapshot, to: &Snapshot) {
    crate::report::text::eprintln_safe!(
        "note: snapshot {} (taken {}) is later than snapshot {} (taken {}): changes read backwards in time",
        from.id,
        from.taken_at,
        to.id,
        to.taken_at
    );
    crate::report::text::eprintln_safe!(
        "hint: `whocan diff {} {}` gives them in time order",
        to.id,
        from.id
    );
}

fn snapshot_json(s: &Snapshot) -> Value {
    json!({"id": s.id, "takenAt": s.taken_at, "label": s.label})
}

fn snapshot_text(s: &Snapshot) -> String {
    match &s.label {
        Some(l) => format!("snapshot {} ({}, {l})", s.id, s.taken_at),
        None => format!("snapshot {} ({})", s.id, s.taken_at),
    }
}

fn short_id(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

fn assignment_text(a: &AssignmentRef, names: &ScopeNames) -> String {
    let role = if a.role.name.is_empty() {
        format!("undefined role {}", a.role.id)
    } else {
        a.role.name.clone()
    };
    let mut s = format!(
        "{role} for {} at {} [{}]",
        if a.principal_name.is_empty() {
            &a.principal_id
        } else {
            &a.principal_name
        },
        names.label(&a.scope),
        short_id(&a.id)
    );
    if a.condition.is_some() {
        s.push_str(" (conditional)");
    }
    push_window(
        &mut s,
        a.start_date_time.as_deref(),
        a.end_date_time.as_deref(),
        a.in_force != Some(false),
    );
    s
}

/// A record's window, as PIM for Groups memberships and eligibilities alike say
/// it: ` START..END`, and ` (not in force)` when it is not at the snapshot's time.
fn push_window(s: &mut String, start: Option<&str>, end: Option<&str>, in_force: bool) {
    let window = crate::engine::window::window_text(start, end);
    if !window.is_empty() {
        s.push_str(&format!(" {window}"));
    }
    if !in_force {
        s.push_str(" (not in force)");
    }
}

/// What happened to a window between the snapshots, in the diff's direction:
/// it started or ended, or (a diff from a later snapshot to an earlier one) it
/// had not yet.
fn window_change(before: WindowState, after: WindowState) -> &'static str {
    match (before, after) {
        (WindowState::Scheduled, WindowState::Active) => "window started",
        (WindowState::Active, WindowState::Ended) => "window ended",
        (WindowState::Active, WindowState::Scheduled) => "window not started yet",
        (WindowState::Ended, WindowState::Active) => "window not ended yet",
        // Not in force in either (never a cause), or the same.
        _ => "window",
    }
}

fn group_membership_text(m: &crate::audit::diff::GroupMembershipRef) -> String {
    let mut s = format!(
        "{} {} of group {} for {} [{}]",
        m.kind,
        m.access_id,
        m.group.name,
        m.principal.name,
        short_id(&m.id)
    );
    push_window(
        &mut s,
        m.start_date_time.as_deref(),
        m.end_date_time.as_deref(),
        m.in_force,
    );
    s
}

/// What an audit-only deny assignment is said to do (it blocks nothing).
fn audit_text(deny: &crate::audit::diff::DenyRef) -> &'static str {
    if deny.effect == Some("audit") {
        " (audit only: logs, blocks nothing)"
    } else {
        ""
    }
}

/// A membership change's text, with the deny assignment whose subject it changed.
fn deny_through(cause: &str, deny: &crate::audit::diff::DenyRef, names: &ScopeNames) -> String {
    format!(
        "{cause} (deny assignment {} at {} denying {})",
        deny.name,
        names.label(&deny.scope),
        deny.actions.join(", ")
    )
}

/// A group whose member list one snapshot lacks, in words.
fn incomplete_text(x: &crate::audit::diff::DiffIncomplete) -> String {
    format!(
        "members of group {} not imported in the {} snapshot: its memberships are not compared",
        x.group.name,
        if x.snapshot == "to" {
            "later"
        } else {
            "earlier"
        }
    )
}

/// One line naming a cause.
pub(crate) fn describe(c: &Cause, names: &ScopeNames) -> String {
    match c {
        Cause::AssignmentAdded { assignment } => {
            format!("assignment added: {}", assignment_text(assignment, names))
        }
        Cause::AssignmentRemoved { assignment } => {
            format!("assignment removed: {}", assignment_text(assignment, names))
        }
        Cause::AssignmentChanged { before, after } => format!(
            "assignment changed: {} → {}",
            assignment_text(before, names),
            assignment_text(after, names)
        ),
        Cause::EligibilityAdded { eligibility } => {
            format!("eligibility added: {}", assignment_text(eligibility, names))
        }
        Cause::EligibilityRemoved { eligibility } => format!(
            "eligibility removed: {}",
            assignment_text(eligibility, names)
        ),
        Cause::EligibilityChanged { before, after } => format!(
            "eligibility changed: {} → {}",
            assignment_text(before, names),
            assignment_text(after, names)
        ),
        Cause::AssignmentWindow {
            assignment,
            before,
            after,
        } => format!(
            "assignment {}: {}",
            window_change(*before, *after),
            assignment_text(assignment, names)
        ),
        Cause::EligibilityWindow {
            eligibility,
            before,
            after,
        } => format!(
            "eligibility {}: {}",
            window_change(*before, *after),
            assignment_text(eligibility, names)
        ),
        Cause::MembershipAdded { group, member } => format!(
            "membership added: {} joined group {}",
            member.name, group.name
        ),
        Cause::MembershipRemoved { group, member } => format!(
            "membership removed: {} left group {}",
            member.name, group.name
        ),
        Cause::GroupMembershipAdded { membership } => format!(
            "group membership added (PIM): {}",
            group_membership_text(membership)
        ),
        Cause::GroupMembershipRemoved { membership } => format!(
            "group membership removed (PIM): {}",
            group_membership_text(membership)
        ),
        Cause::GroupMembershipChanged { before, after } => format!(
            "group membership changed (PIM): {} → {}",
            group_membership_text(before),
            group_membership_text(after)
        ),
        Cause::GroupMembershipWindow {
            membership,
            before,
            after,
        } => format!(
            "group membership (PIM) {}: {}",
            window_change(*before, *after),
            group_membership_text(membership)
        ),
        Cause::RoleDefinitionAdded { role } => {
            format!("role definition added: {} is now defined", role.name)
        }
        Cause::RoleDefinitionRemoved { role } => format!(
            "role definition removed: {} is no longer defined",
            if role.name.is_empty() {
                &role.id
            } else {
                &role.name
            }
        ),
        Cause::RoleDefinitionChanged {
            role,
            edits,
            operations_gained,
            operations_lost,
        } => {
            let parts: Vec<String> = edits
                .iter()
                .map(|e| {
                    let mut s = e.list.clone();
                    if e.block > 0 {
                        s = format!("block {} {s}", e.block);
                    }
                    for a in &e.added {
                        s.push_str(&format!(" +{a}"));
                    }
                    for r in &e.removed {
                        s.push_str(&format!(" -{r}"));
                    }
                    s
                })
                .collect();
            format!(
                "role definition changed: {}: {} ({} catalogue operations gained, {} lost)",
                role.name,
                parts.join("; "),
                operations_gained.len(),
                operations_lost.len()
            )
        }
        Cause::DenyAssignmentAdded { deny } => format!(
            "deny assignment added: {} at {} denying {}{}",
            deny.name,
            names.label(&deny.scope),
            deny.actions.join(", "),
            audit_text(deny)
        ),
        Cause::DenyAssignmentRemoved { deny } => format!(
            "deny assignment removed: {} at {} denied {}{}",
            deny.name,
            names.label(&deny.scope),
            deny.actions.join(", "),
            audit_text(deny)
        ),
        Cause::ScopeMoved { scope, from, to } => {
            let place = |p: &Option<String>| match p {
                Some(p) => names.label(p),
                None => "no imported place in the tree".to_string(),
            };
            format!(
                "moved in the management-group tree: {} from {} to {}",
                names.label(scope),
                place(from),
                place(to)
            )
        }
        Cause::PrincipalDeleted { principal } => format!(
            "principal deleted: {} is in no directory listing any more (orphaned)",
            principal.name
        ),
        Cause::PrincipalDisabled { principal } => {
            format!("account disabled: {}", principal.name)
        }
        Cause::PrincipalEnabled { principal } => {
            format!("account enabled again: {}", principal.name)
        }
    }
}

/// The id a cause is about (assignment, eligibility, deny assignment, role,
/// principal, or `group → member` for a membership edge).
fn cause_subject(c: &Cause) -> String {
    match c {
        Cause::AssignmentAdded { assignment } | Cause::AssignmentRemoved { assignment } => {
            assignment.id.clone()
        }
        Cause::AssignmentChanged { after, .. } | Cause::EligibilityChanged { after, .. } => {
            after.id.clone()
        }
        Cause::AssignmentWindow { assignment, .. } => assignment.id.clone(),
        Cause::EligibilityWindow { eligibility, .. } => eligibility.id.clone(),
        Cause::EligibilityAdded { eligibility } | Cause::EligibilityRemoved { eligibility } => {
            eligibility.id.clone()
        }
        Cause::MembershipAdded { group, member } | Cause::MembershipRemoved { group, member } => {
            format!("{} → {}", group.id, member.id)
        }
        Cause::GroupMembershipAdded { membership }
        | Cause::GroupMembershipRemoved { membership }
        | Cause::GroupMembershipChanged {
            after: membership, ..
        }
        | Cause::GroupMembershipWindow { membership, .. } => membership.id.clone(),
        Cause::RoleDefinitionAdded { role }
        | Cause::RoleDefinitionRemoved { role }
        | Cause::RoleDefinitionChanged { role, .. } => {
            if role.id.is_empty() {
                role.name.clone()
            } else {
                role.id.clone()
            }
        }
        Cause::DenyAssignmentAdded { deny } | Cause::DenyAssignmentRemoved { deny } => {
            deny.id.clone()
        }
        Cause::ScopeMoved { scope, .. } => scope.clone(),
        Cause::PrincipalDeleted { principal }
        | Cause::PrincipalDisabled { principal }
        | Cause::PrincipalEnabled { principal } => principal.id.clone(),
    }
}

/// The key of a role in the JSON `roles` table: its GUID, or `name:<name>` for a
/// custom-role file without an id.
fn role_key(r: &RoleRef) -> String {
    if r.id.is_empty() {
        format!("name:{}", r.name)
    } else {
        r.id.clone()
    }
}

/// Descriptions and short scope labels, computed once per cause and per scope (a
/// large diff repeats them on millions of lines).
struct Texts {
    causes: Vec<String>,
    scopes: Vec<String>,
}

impl Texts {
    fn new(d: &Diff, names: &ScopeNames) -> Texts {
        Texts {
            causes: d.causes.iter().map(|c| describe(&c.cause, names)).collect(),
            scopes: d.scopes.iter().map(|s| names.label(s)).collect(),
        }
    }
}

/// Appends the decimal digits of `n`.
fn push_u32(buf: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// JSON, streamed: a diff of a large tenant has millions of lines. Lines name
/// their principal by id, their role by key (the `principals` and `roles` tables
/// describe them) and their causes by index into `causes`, where each cause has
/// its `kind`, its objects, a `description` and the effect it had.
pub(crate) fn diff_json(out: &mut dyn Write, q: &DiffQuestion, d: &Diff) -> io::Result<()> {
    let texts = Texts::new(d, q.names);
    let head = [
        ("from", snapshot_json(q.from)),
        ("to", snapshot_json(q.to)),
        ("scope", json!(q.scope)),
        ("principal", json!(q.principal)),
        (
            "summary",
            json!({
                "gained": d.gained.len(),
                "lost": d.lost.len(),
                "changed": d.changed.len(),
                "denies": d.denies.len(),
                "noEffect": d.no_effect.len(),
            }),
        ),
    ];
    out.write_all(b"{\n")?;
    for (k, v) in &head {
        write!(out, "  {}: ", serde_json::to_string(k)?)?;
        serde_json::to_writer(&mut *out, v)?;
        out.write_all(b",\n")?;
    }
    // Arrays and objects with one entry per line.
    fn list<T>(
        out: &mut dyn Write,
        name: &str,
        items: &[T],
        open: &str,
        close: &str,
        mut each: impl FnMut(&mut dyn Write, &T) -> io::Result<()>,
        last: bool,
    ) -> io::Result<()> {
        write!(out, "  \"{name}\": {open}")?;
        for (i, it) in items.iter().enumerate() {
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            each(out, it)?;
        }
        if !items.is_empty() {
            out.write_all(b"\n  ")?;
        }
        out.write_all(close.as_bytes())?;
        out.write_all(if last { b"\n" } else { b",\n" })
    }
    let indexed: Vec<(usize, &crate::audit::diff::CauseEntry)> =
        d.causes.iter().enumerate().collect();
    list(
        out,
        "causes",
        &indexed,
        "[",
        "]",
        |out, (i, e)| {
            let mut v = serde_json::to_value(&e.cause).unwrap_or(Value::Null);
            v["id"] = json!(i);
            v["description"] = json!(texts.causes[*i]);
            v["effect"] = json!({
                "gained": e.gained, "lost": e.lost, "changed": e.changed, "blocked": e.blocked,
            });
            serde_json::to_writer(&mut *out, &v).map_err(io::Error::from)
        },
        false,
    )?;
    list(
        out,
        "principals",
        &d.principals,
        "{",
        "}",
        |out, p| {
            write!(out, "{}: ", serde_json::to_string(&p.id)?)?;
            serde_json::to_writer(&mut *out, p).map_err(io::Error::from)
        },
        false,
    )?;
    list(
        out,
        "roles",
        &d.roles,
        "{",
        "}",
        |out, r| {
            write!(out, "{}: ", serde_json::to_string(&role_key(r))?)?;
            serde_json::to_writer(&mut *out, r).map_err(io::Error::from)
        },
        false,
    )?;
    let role_keys: Vec<String> = d.roles.iter().map(role_key).collect();
    let quoted_scopes: Vec<String> = d
        .scopes
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    let quoted_roles: Vec<String> = role_keys
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    let quoted_principals: Vec<String> = d
        .principals
        .iter()
        .map(|p| serde_json::to_string(&p.id).unwrap_or_default())
        .collect();
    let accesses: Vec<String> = [
        GrantKind::Active,
        GrantKind::Conditional,
        GrantKind::Eligible,
    ]
    .iter()
    .map(|a| format!("\"{}\"", a.as_str()))
    .collect();
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    let mut line = |out: &mut dyn Write, l: &AccessChange| -> io::Result<()> {
        buf.clear();
        buf.extend_from_slice(b"{\"principal\":");
        buf.extend_from_slice(quoted_principals[l.principal as usize].as_bytes());
        buf.extend_from_slice(b",\"role\":");
        buf.extend_from_slice(quoted_roles[l.role as usize].as_bytes());
        buf.extend_from_slice(b",\"scope\":");
        buf.extend_from_slice(quoted_scopes[l.scope as usize].as_bytes());
        buf.extend_from_slice(b",\"access\":");
        buf.extend_from_slice(accesses[l.access as usize].as_bytes());
        buf.extend_from_slice(b",\"causes\":[");
        for (i, c) in d.causes_of(l).iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            push_u32(&mut buf, *c);
        }
        buf.extend_from_slice(b"]}");
        out.write_all(&buf)
    };
    list(out, "gained", &d.gained, "[", "]", &mut line, false)?;
    list(out, "lost", &d.lost, "[", "]", &mut line, false)?;
    list(out, "changed", &d.changed, "[", "]", &mut line, false)?;
    list(
        out,
        "denies",
        &d.denies,
        "[",
        "]",
        |out, x| {
            let mut v = json!({
                "cause": x.cause,
                "effect": x.effect,
                "principals": x.principals.iter().map(|&p| &d.principals[p as usize].id).collect::<Vec<_>>(),
                "tuples": x.tuples,
            });
            if let Some(deny) = &x.deny {
                v["deny"] = serde_json::to_value(deny).unwrap_or(Value::Null);
            }
            serde_json::to_writer(&mut *out, &v).map_err(io::Error::from)
        },
        false,
    )?;
    list(
        out,
        "incomplete",
        &d.incomplete,
        "[",
        "]",
        |out, x| serde_json::to_writer(&mut *out, x).map_err(io::Error::from),
        false,
    )?;
    list(
        out,
        "noEffect",
        &d.no_effect,
        "[",
        "]",
        |out, i| write!(out, "{i}"),
        true,
    )?;
    out.write_all(b"}\n")
}

pub(crate) const DIFF_CSV_COLUMNS: [&str; 13] = [
    "change",
    "principal_id",
    "principal_type",
    "display_name",
    "user_principal_name",
    "is_group",
    "role_name",
    "role_id",
    "scope",
    "access",
    "cause_kind",
    "cause_subject",
    "cause",
];

/// One row per (change, cause): every row names its cause.
pub(crate) fn diff_csv(out: &mut dyn Write, q: &DiffQuestion, d: &Diff) -> io::Result<()> {
    let texts = Texts::new(d, q.names);
    let subjects: Vec<String> = d.causes.iter().map(|c| cause_subject(&c.cause)).collect();
    let principal_cells: Vec<[String; 5]> = d
        .principals
        .iter()
        .map(|p| {
            [
                p.id.clone(),
                p.kind.clone(),
                p.display_name.clone(),
                p.user_principal_name.clone().unwrap_or_default(),
                p.is_group.to_string(),
            ]
        })
        .collect();
    let causes: Vec<[String; 3]> = d
        .causes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            [
                c.cause.kind().to_string(),
                subjects[i].clone(),
                texts.causes[i].clone(),
            ]
        })
        .collect();
    let roles: Vec<[String; 2]> = d
        .roles
        .iter()
        .map(|r| [r.name.clone(), r.id.clone()])
        .collect();
    let mut w = csv::Writer::new(out);
    w.row(DIFF_CSV_COLUMNS)?;
    for (change, lines) in [
        ("gained", &d.gained),
        ("lost", &d.lost),
        ("changed", &d.changed),
    ] {
        for l in lines {
            let p = &principal_cells[l.principal as usize];
            let r = &roles[l.role as usize];
            for &c in d.causes_of(l) {
                let c = &causes[c as usize];
                w.row([
                    change,
                    &p[0],
                    &p[1],
                    &p[2],
                    &p[3],
                    &p[4],
                    &r[0],
                    &r[1],
                    &d.scopes[l.scope as usize],
                    l.access.as_str(),
                    &c[0],
                    &c[1],
                    &c[2],
                ])?;
            }
        }
    }
    for x in &d.denies {
        let c = &causes[x.cause];
        let through;
        let c = match &x.deny {
            Some(deny) => {
                through = [
                    c[0].clone(),
                    c[1].clone(),
                    deny_through(&c[2], deny, q.names),
                ];
                &through
            }
            None => c,
        };
        let change = if x.effect == "blocks" {
            "blocked"
        } else {
            "unblocked"
        };
        for &pi in &x.principals {
            let p = &principal_cells[pi as usize];
            w.row([
                change, &p[0], &p[1], &p[2], &p[3], &p[4], "", "", "", "", &c[0], &c[1], &c[2],
            ])?;
        }
    }
    for x in &d.incomplete {
        w.row([
            "not compared",
            &x.group.id,
            "Group",
            &x.group.name,
            "",
            "true",
            "",
            "",
            "",
            "",
            "membersNotImported",
            &x.group.id,
            &incomplete_text(x),
        ])?;
    }
    for &i in &d.no_effect {
        let c = &causes[i];
        w.row([
            "no effect",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            &c[0],
            &c[1],
            &c[2],
        ])?;
    }
    w.flush()
}

fn principal_text(p: &PrincipalRef) -> String {
    let mut s = if p.display_name.is_empty() {
        p.id.clone()
    } else {
        p.display_name.clone()
    };
    if let Some(u) = &p.user_principal_name {
        s.push_str(&format!(" <{u}>"));
    }
    if p.is_group {
        s.push_str(" (group)");
    }
    if p.orphaned == Some(true) {
        s.push_str(" (orphaned)");
    }
    s
}

/// Above this many lines, sections are printed as plain lines rather than drawn
/// tables (drawing measures every cell first).
const TABLE_LIMIT: usize = 2000;

pub(crate) fn diff_table(out: &mut dyn Write, q: &DiffQuestion, d: &Diff) -> io::Result<()> {
    let names = q.names;
    let texts = Texts::new(d, names);
    let mut filters = Vec::new();
    if let Some(s) = q.scope {
        filters.push(format!("at or below {}", names.label(s)));
    }
    if let Some(p) = q.principal {
        filters.push(format!("for {}", q.principal_label.as_deref().unwrap_or(p)));
    }
    writeln_safe!(
        out,
        "Access changes from {} to {}{}",
        snapshot_text(q.from),
        snapshot_text(q.to),
        if filters.is_empty() {
            String::new()
        } else {
            format!(", {}", filters.join(", "))
        }
    )?;
    writeln_safe!(
        out,
        "{} gained, {} lost, {} changed, {}, {}",
        d.gained.len(),
        d.lost.len(),
        d.changed.len(),
        super::count(
            d.denies.len(),
            "deny assignment change",
            "deny assignment changes"
        ),
        super::count(
            d.no_effect.len(),
            "change with no effect",
            "changes with no effect"
        )
    )?;
    let principals: Vec<String> = d.principals.iter().map(principal_text).collect();
    for (title, sign, lines) in [
        ("Gained", "+", &d.gained),
        ("Lost", "-", &d.lost),
        (
            "Changed: held in both snapshots, what it allows changed",
            "~",
            &d.changed,
        ),
    ] {
        if lines.is_empty() {
            continue;
        }
        writeln!(out, "\n{title} ({})", lines.len())?;
        let cause_text = |l: &AccessChange| {
            d.causes_of(l)
                .iter()
                .map(|&c| texts.causes[c as usize].as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        if lines.len() > TABLE_LIMIT {
            for l in lines.iter() {
                writeln_safe!(
                    out,
                    "{sign} {} | {} | {} | {} | cause: {}",
                    principals[l.principal as usize],
                    d.roles[l.role as usize].name,
                    texts.scopes[l.scope as usize],
                    l.access.as_str(),
                    cause_text(l)
                )?;
            }
            continue;
        }
        let mut t = super::table(&["", "principal", "role", "scope", "access", "cause"]);
        for l in lines.iter() {
            t.add_row([
                Cell::from(sign),
                Cell::from(&principals[l.principal as usize]),
                Cell::from(&d.roles[l.role as usize].name),
                Cell::from(&texts.scopes[l.scope as usize]),
                Cell::from(l.access.as_str()),
                Cell::lines(d.causes_of(l).iter().map(|&c| &texts.causes[c as usize])),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    if !d.denies.is_empty() {
        writeln!(out, "\nDeny assignments ({})", d.denies.len())?;
        let mut t = super::table(&["cause", "effect", "principals"]);
        for x in &d.denies {
            let shown: Vec<&str> = x
                .principals
                .iter()
                .take(10)
                .map(|&p| principals[p as usize].as_str())
                .collect();
            let more = x.principals.len().saturating_sub(shown.len());
            let mut who = shown.join(", ");
            if more > 0 {
                who.push_str(&format!(" and {more} more"));
            }
            if x.principals.is_empty() {
                who = "nobody".into();
            }
            t.add_row([
                match &x.deny {
                    Some(deny) => deny_through(&texts.causes[x.cause], deny, names),
                    None => texts.causes[x.cause].clone(),
                },
                format!(
                    "{} {} ({})",
                    x.effect,
                    x.principals.len(),
                    super::count(x.tuples, "role holding", "role holdings")
                ),
                who,
            ]);
        }
        writeln!(out, "{t}")?;
    }
    if !d.incomplete.is_empty() {
        writeln!(out, "\nNot compared ({})", d.incomplete.len())?;
        for x in &d.incomplete {
            writeln_safe!(out, "? {}", incomplete_text(x))?;
        }
    }
    if !d.no_effect.is_empty() {
        writeln!(
            out,
            "\nNo effect on effective access ({})",
            d.no_effect.len()
        )?;
        if d.no_effect.len() > TABLE_LIMIT {
            for &i in &d.no_effect {
                writeln_safe!(out, "= {}", texts.causes[i])?;
            }
        } else {
            let mut t = super::table(&["=", "change"]);
            for &i in &d.no_effect {
                t.add_row(["=", texts.causes[i].as_str()]);
            }
            writeln!(out, "{t}")?;
        }
    }
    if d.gained.is_empty()
        && d.lost.is_empty()
        && d.changed.is_empty()
        && d.denies.is_empty()
        && d.no_effect.is_empty()
        && d.incomplete.is_empty()
    {
        writeln_safe!(out, "No change.")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// verify

/// Everything `verify` checked.
pub(crate) struct VerifyReport<'a> {
    /// What SQLite's `integrity_check` found wrong with the file (none: sound).
    pub(crate) integrity: &'a [String],
    pub(crate) snapshots: &'a [SnapshotCheck],
    pub(crate) trail: &'a TrailCheck,
    pub(crate) receipt: Option<&'a ReceiptCheck>,
}

/// One line of the list of checks: what was checked, its status (`ok`,
/// `unchained` — a review sheet applied before the trail was chained, which has no
/// hash of its own — or `MISMATCH`) and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckLine {
    pub(crate) check: String,
    pub(crate) status: &'static str,
    pub(crate) detail: String,
    /// A check of the receipt (not of the database alone).
    pub(crate) receipt: bool,
}

impl CheckLine {
    pub(crate) fn ok(&self) -> bool {
        self.status != "MISMATCH"
    }
}

fn snapshot_line(c: &SnapshotCheck) -> CheckLine {
    let covers = if c.chain_version >= 2 {
        "version 2: content, time, label, tool version, import time, input files, flags"
    } else {
        "version 1, written before V5: content, time, label"
    };
    let detail = if let Some(k) = &c.key_problem {
        k.clone()
    } else if !c.content_ok() {
        format!(
            "its rows no longer hash to the recorded content hash (recorded {}, now {})",
            c.recorded_content, c.actual_content
        )
    } else if let Some(p) = &c.problem {
        p.clone()
    } else if !c.chain_ok() {
        format!(
            "its recorded chain hash {} differs from the expected {} ({covers}): one of those \
             was edited, or the previous snapshot's recorded chain hash was",
            c.recorded_chain, c.expected_chain
        )
    } else {
        format!("content and chain hashes match ({covers})")
    };
    CheckLine {
        check: format!("snapshot {} ({})", c.id, c.taken_at),
        status: status(c.ok()),
        detail,
        receipt: false,
    }
}

fn apply_line(a: &ReviewCheck) -> CheckLine {
    let (status, detail) = if let Some(p) = &a.problem {
        ("MISMATCH", p.clone())
    } else if !a.chain_ok() {
        (
            "MISMATCH",
            format!(
                "its recorded chain hash {} differs from the one recomputed from what it recorded \
                 ({}): its sheet, reviewer, time, snapshot or rows were edited, or the previous \
                 apply's chain hash was",
                a.recorded_chain.as_deref().unwrap_or_default(),
                a.expected_chain
            ),
        )
    } else if a.legacy() {
        (
            "unchained",
            "applied before the trail was chained (schema V5): covered by the next chained \
             apply's hash and by receipts, not by a hash of its own"
                .to_string(),
        )
    } else {
        (
            "ok",
            format!(
                "chain hash matches ({}, by {})",
                super::count(a.rows, "row", "rows"),
                a.reviewer
            ),
        )
    };
    CheckLine {
        check: format!("review apply {} ({})", a.id, a.applied_at),
        status,
        detail,
        receipt: false,
    }
}

/// `3 rows belong`: decision rows that no applied sheet covers.
fn orphan_rows(n: i64) -> String {
    super::count(n, "row belongs", "rows belong")
}

/// Every check, in order: the snapshots, the review trail, the receipt.
pub(crate) fn verify_lines(r: &VerifyReport<'_>) -> Vec<CheckLine> {
    let mut lines: Vec<CheckLine> = r
        .integrity
        .first()
        .map(|first| CheckLine {
            check: "database file".into(),
            status: "MISMATCH",
            detail: format!(
                "SQLite's integrity check fails ({} problem{}, the first: {first}): an index or page was altered outside SQLite",
                r.integrity.len(),
                if r.integrity.len() == 1 { "" } else { "s" }
            ),
            receipt: false,
        })
        .into_iter()
        .collect();
    lines.extend(r.snapshots.iter().map(snapshot_line));
    lines.extend(r.trail.applies.iter().map(apply_line));
    if r.trail.orphan_rows > 0 {
        lines.push(CheckLine {
            check: "review decision rows".into(),
            status: "MISMATCH",
            detail: format!(
                "{} to no applied sheet: inserted behind the trail's back",
                orphan_rows(r.trail.orphan_rows)
            ),
            receipt: false,
        });
    }
    if let Some(rc) = r.receipt {
        lines.extend(rc.items.iter().map(|i| CheckLine {
            check: i.check.clone(),
            status: status(i.ok),
            detail: i.detail.clone(),
            receipt: true,
        }));
    }
    lines
}

/// The first check that failed.
pub(crate) fn first_break(r: &VerifyReport<'_>) -> Option<CheckLine> {
    verify_lines(r).into_iter().find(|l| !l.ok())
}

fn first_mismatch(checks: &[SnapshotCheck]) -> Option<&SnapshotCheck> {
    checks.iter().find(|c| !c.ok())
}

pub(crate) fn verify_json(r: &VerifyReport<'_>) -> Value {
    let lines = verify_lines(r);
    let first = lines.iter().find(|l| !l.ok());
    json!({
        "ok": first.is_none(),
        "firstMismatch": first_mismatch(r.snapshots).map(|c| c.id),
        "firstBreak": first.map(|l| json!({"check": l.check, "detail": l.detail})),
        "checks": lines.iter().map(|l| json!({
            "check": l.check, "status": l.status, "detail": l.detail,
        })).collect::<Vec<_>>(),
        "snapshots": r.snapshots.iter().map(|c| json!({
            "id": c.id,
            "takenAt": c.taken_at,
            "label": c.label,
            "content": status(c.content_ok()),
            "chain": status(c.chain_ok()),
            "chainVersion": c.chain_version,
            "toolVersion": c.tool_version,
            "importedAt": c.imported_at,
            "problem": c.problem.as_ref().or(c.key_problem.as_ref()),
            "recordedContentHash": c.recorded_content,
            "actualContentHash": c.actual_content,
            "recordedChainHash": c.recorded_chain,
            "expectedChainHash": c.expected_chain,
        })).collect::<Vec<_>>(),
        "reviewTrail": {
            "ok": r.trail.ok(),
            "orphanRows": r.trail.orphan_rows,
            "applies": r.trail.applies.iter().map(|a| json!({
                "id": a.id,
                "appliedAt": a.applied_at,
                "reviewer": a.reviewer,
                "file": a.file,
                "snapshotId": a.snapshot_id,
                "rows": a.rows,
                "chain": apply_line(a).status,
                "problem": a.problem,
                "recordedChainHash": a.recorded_chain,
                "expectedChainHash": a.expected_chain,
            })).collect::<Vec<_>>(),
        },
        "receipt": r.receipt.map(|rc| json!({
            "file": rc.path,
            "ok": rc.ok(),
            "sealedAt": rc.sealed_at,
            "snapshot": {"id": rc.heads.snapshot.0, "chainHash": rc.heads.snapshot.1},
            "reviewTrail": rc.heads.review.as_ref().map(|(id, h)| json!({
                "applyId": id, "chainHash": h
            })),
            "checks": rc.items.iter().map(|i| json!({
                "check": i.check, "status": status(i.ok), "detail": i.detail,
            })).collect::<Vec<_>>(),
        })),
    })
}

/// The first nine columns are the snapshot columns of earlier versions; `record`
/// says what a row is about (`snapshot`, `review_apply`, `review_rows`,
/// `receipt`). A review apply's row puts its time in `taken_at`, its reviewer in
/// `label`, its chain status in `chain` and its trail chain's version in
/// `chain_version` (1; empty when unchained); a receipt's row puts its seal time in
/// `taken_at`, its check in `label` and its status in `chain`.
pub(crate) const VERIFY_CSV_COLUMNS: [&str; 12] = [
    "id",
    "taken_at",
    "label",
    "content",
    "chain",
    "recorded_content_hash",
    "actual_content_hash",
    "recorded_chain_hash",
    "expected_chain_hash",
    "record",
    "chain_version",
    "detail",
];

fn status(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISMATCH"
    }
}

pub(crate) fn verify_csv(out: &mut dyn Write, r: &VerifyReport<'_>) -> io::Result<()> {
    let mut w = csv::Writer::new(out);
    w.row(VERIFY_CSV_COLUMNS)?;
    for c in r.snapshots {
        w.row([
            c.id.to_string(),
            c.taken_at.clone(),
            c.label.clone().unwrap_or_default(),
            status(c.content_ok()).into(),
            status(c.chain_ok()).into(),
            c.recorded_content.clone(),
            c.actual_content.clone(),
            c.recorded_chain.clone(),
            c.expected_chain.clone(),
            "snapshot".into(),
            c.chain_version.to_string(),
            snapshot_line(c).detail.clone(),
        ])?;
    }
    for a in &r.trail.applies {
        let line = apply_line(a);
        w.row([
            a.id.to_string(),
            a.applied_at.clone(),
            a.reviewer.clone(),
            String::new(),
            line.status.into(),
            String::new(),
            String::new(),
            a.recorded_chain.clone().unwrap_or_default(),
            a.expected_chain.clone(),
            "review_apply".into(),
            if a.legacy() {
                String::new()
            } else {
                "1".into()
            },
            line.detail.clone(),
        ])?;
    }
    if let Some(first) = r.integrity.first() {
        let mut row = vec![String::new(); VERIFY_CSV_COLUMNS.len()];
        row[4] = "MISMATCH".into();
        row[9] = "database_file".into();
        row[11] = format!("integrity check: {first}");
        w.row(row)?;
    }
    if r.trail.orphan_rows > 0 {
        let mut row = vec![String::new(); VERIFY_CSV_COLUMNS.len()];
        row[4] = "MISMATCH".into();
        row[9] = "review_rows".into();
        row[11] = format!("{} to no applied sheet", orphan_rows(r.trail.orphan_rows));
        w.row(row)?;
    }
    if let Some(rc) = r.receipt {
        for i in &rc.items {
            let mut row = vec![String::new(); VERIFY_CSV_COLUMNS.len()];
            row[1] = rc.sealed_at.clone();
            row[2] = i.check.clone();
            row[4] = status(i.ok).into();
            row[9] = "receipt".into();
            row[11] = i.detail.clone();
            w.row(row)?;
        }
    }
    w.flush()
}

pub(crate) fn verify_table(out: &mut dyn Write, r: &VerifyReport<'_>) -> io::Result<()> {
    let mut t = super::table(&[
        "snapshot", "takenAt", "label", "content", "chain", "version",
    ]);
    for c in r.snapshots {
        t.add_row(vec![
            c.id.to_string(),
            c.taken_at.clone(),
            c.label.clone().unwrap_or_default(),
            status(c.content_ok()).into(),
            status(c.chain_ok()).into(),
            c.chain_version.to_string(),
        ]);
    }
    writeln!(out, "{t}")?;
    if r.trail.applies.is_empty() {
        writeln_safe!(out, "Review trail: no sheet applied yet.")?;
    } else {
        let mut t = super::table(&[
            "review apply",
            "appliedAt",
            "reviewer",
            "snapshot",
            "rows",
            "chain",
        ]);
        for a in &r.trail.applies {
            t.add_row(vec![
                a.id.to_string(),
                a.applied_at.clone(),
                a.reviewer.clone(),
                a.snapshot_id.to_string(),
                a.rows.to_string(),
                apply_line(a).status.into(),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    if let Some(rc) = r.receipt {
        let mut t = super::table(&["receipt check", "status", "detail"]);
        for i in &rc.items {
            t.add_row(vec![i.check.clone(), status(i.ok).into(), i.detail.clone()]);
        }
        writeln_safe!(out, "Receipt {} (sealed {}):", rc.path, rc.sealed_at)?;
        writeln!(out, "{t}")?;
    }
    let lines = verify_lines(r);
    match lines.iter().find(|l| !l.ok()) {
        None => writeln_safe!(
            out,
            "{}: {} and the chain is intact; \
             the review trail ({}) is intact{}.",
            match lines.len() {
                1 => "The 1 check passes".to_string(),
                n => format!("All {n} checks pass"),
            },
            super::count(
                r.snapshots.len(),
                "snapshot matches its recorded hashes",
                "snapshots match their recorded hashes"
            ),
            super::count(r.trail.applies.len(), "applied sheet", "applied sheets"),
            if r.receipt.is_some() {
                "; the receipt's signature and chain heads match"
            } else {
                ""
            }
        ),
        Some(l) => writeln_safe!(out, "First mismatch: {}: {}.", l.check, l.detail),
    }
}

// ---------------------------------------------------------------------------------
// lint

fn counts(findings: &[Finding]) -> [(Severity, usize); 4] {
    [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .map(|s| (s, findings.iter().filter(|f| f.severity == s).count()))
}

pub(crate) fn lint_json(snapshot: &Snapshot, scope: Option<&str>, findings: &[Finding]) -> Value {
    let mut summary = serde_json::Map::new();
    for (s, n) in counts(findings) {
        summary.insert(s.as_str().into(), json!(n));
    }
    json!({
        "snapshot": snapshot_json(snapshot),
        "scope": scope,
        "summary": summary,
        "findings": findings,
    })
}

pub(crate) const LINT_CSV_COLUMNS: [&str; 7] = [
    "severity",
    "kind",
    "scope",
    "message",
    "objects",
    "principals",
    "hint",
];

pub(crate) fn lint_csv(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    let mut w = csv::Writer::new(out);
    w.row(LINT_CSV_COLUMNS)?;
    for f in findings {
        let objects: Vec<String> = f
            .objects
            .iter()
            .map(|o| format!("{}:{}", o.kind, o.id))
            .collect();
        let row = [
            f.severity.as_str().to_string(),
            f.kind.clone(),
            f.scope.clone().unwrap_or_default(),
            f.message.clone(),
            objects.join(" "),
            f.principals.to_string(),
            f.hint.clone(),
        ];
        w.row(row)?;
    }
    w.flush()
}

pub(crate) fn lint_table(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    scope: Option<&str>,
    findings: &[Finding],
    names: &ScopeNames,
) -> io::Result<()> {
    let c = counts(findings);
    let title = format!(
        "Findings in {}{}: {} high, {} medium, {} low, {} info",
        snapshot_text(snapshot),
        scope
            .map(|s| format!(" at or around {}", names.label(s)))
            .unwrap_or_default(),
        c[0].1,
        c[1].1,
        c[2].1,
        c[3].1
    );
    super::writeln_wrapped(out, &title, 2)?;
    if findings.is_empty() {
        return writeln_safe!(out, "No findings.");
    }
    let mut t = super::table(&["severity", "kind", "finding", "fix"]);
    for f in findings {
        t.add_row([
            f.severity.as_str(),
            f.kind.as_str(),
            f.message.as_str(),
            f.hint.as_str(),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln_safe!(
        out,
        "{}: {}",
        super::count(findings.len(), "finding", "findings"),
        c.iter()
            .filter(|(_, n)| *n > 0)
            .map(|(severity, n)| format!("{n} {}", severity.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
