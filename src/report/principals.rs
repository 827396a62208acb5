//! `principals` as table, JSON and CSV: each principal once, users first, then
//! groups and service principals. The table shows the name to ask by (display
//! name, user principal name or a service principal's appId) and the notes;
//! JSON and CSV add the object id, mail, user type and whether the account is
//! enabled.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{json, Value};

use crate::cli::PrincipalKindArg;
use crate::model::Snapshot;

use super::text::writeln_safe;

/// One principal as listed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Listed {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) display_name: String,
    pub(crate) user_principal_name: Option<String>,
    pub(crate) app_id: Option<String>,
    pub(crate) mail: Option<String>,
    #[serde(skip)]
    pub(crate) other_mails: Vec<String>,
    pub(crate) user_type: Option<String>,
    pub(crate) account_enabled: Option<bool>,
    pub(crate) notes: Vec<&'static str>,
}

impl Listed {
    /// Its display name, or its object id when it has none.
    pub(crate) fn shown_name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.id
        } else {
            &self.display_name
        }
    }
}

/// What was asked: the snapshot, `--kind`, `--match`.
pub(crate) struct Asked<'a> {
    pub(crate) snapshot: &'a Snapshot,
    pub(crate) kind: Option<PrincipalKindArg>,
    pub(crate) matching: Option<&'a str>,
}

fn kind_name(k: PrincipalKindArg) -> &'static str {
    match k {
        PrincipalKindArg::User => "user",
        PrincipalKindArg::Group => "group",
        PrincipalKindArg::ServicePrincipal => "sp",
    }
}

/// ` of kind group matching "ali"`, or less.
pub(crate) fn where_words(kind: Option<PrincipalKindArg>, matching: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(k) = kind {
        s.push_str(&format!(" of kind {}", kind_name(k)));
    }
    if let Some(m) = matching {
        s.push_str(&format!(" matching \"{m}\""));
    }
    s
}

pub(crate) fn json(q: &Asked, rows: &[Listed]) -> Value {
    json!({
        "snapshot": super::snapshot_json(q.snapshot),
        "kind": q.kind.map(kind_name),
        "match": q.matching,
        "principals": rows,
        "total": rows.len(),
    })
}

const COLUMNS: [&str; 9] = [
    "principal_id",
    "principal_type",
    "display_name",
    "user_principal_name",
    "app_id",
    "mail",
    "user_type",
    "account_enabled",
    "notes",
];

pub(crate) fn csv(out: &mut dyn Write, rows: &[Listed]) -> io::Result<()> {
    let mut w = super::csv::Writer::new(out);
    w.row(COLUMNS)?;
    for r in rows {
        w.row([
            r.id.clone(),
            r.kind.clone(),
            r.display_name.clone(),
            r.user_principal_name.clone().unwrap_or_default(),
            r.app_id.clone().unwrap_or_default(),
            r.mail.clone().unwrap_or_default(),
            r.user_type.clone().unwrap_or_default(),
            r.account_enabled.map(|b| b.to_string()).unwrap_or_default(),
            r.notes.join("; "),
        ])?;
    }
    w.flush()
}

pub(crate) fn table(out: &mut dyn Write, q: &Asked, rows: &[Listed]) -> io::Result<()> {
    writeln_safe!(
        out,
        "principals{} ({})",
        where_words(q.kind, q.matching),
        super::snapshot_tag(q.snapshot)
    )?;
    if !rows.is_empty() {
        let mut t = super::table(&["principal", "type", "sign-in name or appId", "notes"]);
        for r in rows {
            let name = r.shown_name().to_string();
            let handle = r
                .user_principal_name
                .clone()
                .or_else(|| r.app_id.clone())
                .unwrap_or_default();
            t.add_row([name, r.kind.clone(), handle, r.notes.join(", ")]);
        }
        writeln!(out, "{t}")?;
    }
    let of = |kind: &str| rows.iter().filter(|r| r.kind == kind).count();
    let mut parts = Vec::new();
    for (n, one, many) in [
        (of("User"), "user", "users"),
        (of("Group"), "group", "groups"),
        (
            of("ServicePrincipal"),
            "service principal",
            "service principals",
        ),
        (
            of("ManagedIdentity"),
            "managed identity",
            "managed identities",
        ),
    ] {
        if n > 0 {
            parts.push(super::count(n, one, many));
        }
    }
    let other =
        rows.len() - of("User") - of("Group") - of("ServicePrincipal") - of("ManagedIdentity");
    if other > 0 {
        parts.push(super::count(other, "of another kind", "of other kinds"));
    }
    writeln_safe!(
        out,
        "{}{}{}",
        super::count(rows.len(), "principal", "principals"),
        if parts.is_empty() { "" } else { ": " },
        parts.join(", ")
    )
}
