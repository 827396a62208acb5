//! Looking names up in a snapshot before a question is asked (SPEC §3, "Nothing is
//! answered about what is not there"): principals by id, appId, UPN, mail and
//! display name; whether an object id or a scope is named anywhere; whether an
//! action is in its provider's imported catalogue.
//!
//! The exact lookups are index seeks (`can` stays fast on a large tenant); the
//! functions that read many rows (`all_principals`, `scopes_named_below`,
//! `provider_operations`) serve only the error path, to offer the closest names.
//! Must never write.

use rusqlite::{Connection, OptionalExtension};

use crate::model::{key, Principal, PrincipalKind};

use super::read::{
    assignment_row, edge_row, eligibility_row, principal_row, ASSIGNMENT_COLS, EDGE_COLS,
    ELIGIBILITY_COLS, IN_SNAPSHOT, PRINCIPAL_COLS,
};

/// Whether `sql` (with the snapshot as `?1` and `k` as `?2`) returns a row.
fn exists(conn: &Connection, sql: &str, s: i64, k: &str) -> rusqlite::Result<bool> {
    let mut st = conn.prepare_cached(sql)?;
    Ok(st
        .query_row(rusqlite::params![s, k], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Principals whose object id, appId, user principal name, mail or display name
/// is `text` (case-insensitive as SQLite's `lower()`, ASCII only), trying the
/// columns in that order and stopping at the first that matches. Each column is
/// one index seek.
pub(crate) fn find_principals(
    conn: &Connection,
    s: i64,
    text: &str,
) -> rusqlite::Result<Vec<Principal>> {
    let k = key(text.trim());
    if k.is_empty() {
        return Ok(Vec::new());
    }
    for column in [
        "key",
        "lower(app_id)",
        "lower(user_principal_name)",
        "lower(mail)",
        "lower(display_name)",
    ] {
        let mut st = conn.prepare_cached(&format!(
            "SELECT {PRINCIPAL_COLS} FROM principals WHERE {column} = ?2 AND {IN_SNAPSHOT} \
             ORDER BY key"
        ))?;
        let found = st
            .query_map(rusqlite::params![s, k], principal_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

/// The keys of the principals whose appId is one of `app_ids` (a datastore's
/// service-principal credential names its client id), sorted, each once: one
/// index seek per appId.
pub(crate) fn principal_keys_by_app_id(
    conn: &Connection,
    s: i64,
    app_ids: &[String],
) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT key FROM principals WHERE lower(app_id) = ?2 AND {IN_SNAPSHOT}"
    ))?;
    let mut out = Vec::new();
    for a in app_ids {
        for k in st.query_map(rusqlite::params![s, key(a)], |r| r.get::<_, String>(0))? {
            out.push(k?);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Every principal record of snapshot `s`, one at a time, in key order (the
/// folded, accent-insensitive match and the `did you mean` of a name that matched
/// nothing exactly): none is kept, so a large tenant costs a scan, not its memory.
pub(crate) fn each_principal(
    conn: &Connection,
    s: i64,
    f: &mut dyn FnMut(Principal),
) -> rusqlite::Result<()> {
    each_row(conn, PRINCIPAL_COLS, "principals", s, principal_row, f)
}

/// Every row of `table` in snapshot `s`, in key order, one at a time.
fn each_row<T>(
    conn: &Connection,
    cols: &str,
    table: &str,
    s: i64,
    row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    f: &mut dyn FnMut(T),
) -> rusqlite::Result<()> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {cols} FROM {table} WHERE {IN_SNAPSHOT} ORDER BY key"
    ))?;
    for r in st.query_map([s], row)? {
        f(r?);
    }
    Ok(())
}

/// Every role assignment of a snapshot, one at a time, none kept: the names
/// exports give principals in no listing (`principalName`, PowerShell's
/// `DisplayName` and `SignInName`), looked at only when no record matched a name.
pub(crate) fn each_assignment(
    conn: &Connection,
    s: i64,
    f: &mut dyn FnMut(crate::model::Assignment),
) -> rusqlite::Result<()> {
    each_row(
        conn,
        ASSIGNMENT_COLS,
        "role_assignments",
        s,
        assignment_row,
        f,
    )
}

/// Every eligibility of snapshot `s`, in key order.
pub(crate) fn each_eligibility(
    conn: &Connection,
    s: i64,
    f: &mut dyn FnMut(crate::model::Eligibility),
) -> rusqlite::Result<()> {
    each_row(
        conn,
        ELIGIBILITY_COLS,
        "eligibilities",
        s,
        eligibility_row,
        f,
    )
}

/// Where an object id that no principal record has is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdSeen {
    /// Nothing in the snapshot names it.
    Nowhere,
    /// Named only as a member of kind device or contact: never a principal.
    NotPrincipal(PrincipalKind),
    /// An assignment, eligibility, deny assignment, member list, membership edge
    /// or PIM-for-Groups instance names it.
    Principal,
}

/// Whether anything in snapshot `s` names the object id `k` (lowercase): one index
/// seek per table, and a scan of the (few) deny assignments.
pub(crate) fn object_id_seen(conn: &Connection, s: i64, k: &str) -> rusqlite::Result<IdSeen> {
    let by = |table: &str, column: &str| {
        format!("SELECT 1 FROM {table} WHERE {column} = ?2 AND {IN_SNAPSHOT} LIMIT 1")
    };
    for (table, column) in [
        ("role_assignments", "principal_key"),
        ("eligibilities", "principal_key"),
        ("member_lists", "key"),
        ("member_edges", "group_key"),
        ("group_eligibilities", "principal_key"),
        ("group_eligibilities", "group_key"),
    ] {
        if exists(conn, &by(table, column), s, k)? {
            return Ok(IdSeen::Principal);
        }
    }
    // Deny assignments are few; their principals are JSON arrays of {id, kind}.
    if exists(
        conn,
        &format!(
            "SELECT 1 FROM deny_assignments WHERE {IN_SNAPSHOT} \
             AND (instr(lower(principals), ?2) > 0 OR instr(lower(exclude_principals), ?2) > 0) \
             LIMIT 1"
        ),
        s,
        k,
    )? {
        return Ok(IdSeen::Principal);
    }
    let mut st = conn.prepare_cached(&format!(
        "SELECT {EDGE_COLS} FROM member_edges WHERE member_key = ?2 AND {IN_SNAPSHOT}"
    ))?;
    let kinds = st
        .query_map(rusqlite::params![s, k], edge_row)?
        .map(|e| e.map(|e| e.member_kind))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(match kinds.as_slice() {
        [] => IdSeen::Nowhere,
        all => match all
            .iter()
            .find(|k| k.is_none_or(PrincipalKind::is_principal))
        {
            Some(_) => IdSeen::Principal,
            None => IdSeen::NotPrincipal(all[0].unwrap_or_default()),
        },
    })
}

/// The tables whose rows name scopes, with their key and spelling columns.
const SCOPE_TABLES: [(&str, &str, &str); 4] = [
    ("scopes", "key", "id"),
    ("role_assignments", "scope_key", "scope"),
    ("eligibilities", "scope_key", "scope"),
    ("deny_assignments", "scope_key", "scope"),
];

/// Whether snapshot `s` names the scope `k` ([`crate::model::scope_key`]): a scope
/// node, or the scope of an assignment, eligibility or deny assignment. One index
/// seek per table.
pub(crate) fn scope_named(conn: &Connection, s: i64, k: &str) -> rusqlite::Result<bool> {
    for (table, column, _) in SCOPE_TABLES {
        if exists(
            conn,
            &format!("SELECT 1 FROM {table} WHERE {column} = ?2 AND {IN_SNAPSHOT} LIMIT 1"),
            s,
            k,
        )? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `[k/, k0)`: the keys strictly below `k` by path (`0` follows `/` in byte order).
fn below_range(k: &str) -> (String, String) {
    if k == "/" {
        ("/".to_string(), "0".to_string())
    } else {
        (format!("{k}/"), format!("{k}0"))
    }
}

/// Whether snapshot `s` names some scope strictly below `k` by path (so `k`, a
/// subscription or resource group, is a prefix of a named id). One index range
/// seek per table.
pub(crate) fn scope_named_below(conn: &Connection, s: i64, k: &str) -> rusqlite::Result<bool> {
    let (lo, hi) = below_range(k);
    for (table, column, _) in SCOPE_TABLES {
        let mut st = conn.prepare_cached(&format!(
            "SELECT 1 FROM {table} WHERE {column} >= ?2 AND {column} < ?3 AND {IN_SNAPSHOT} \
             LIMIT 1"
        ))?;
        if st
            .query_row(rusqlite::params![s, lo, hi], |_| Ok(()))
            .optional()?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Every scope named strictly below `k` by path, as (key, spelling), each key once
/// (for `did you mean`).
pub(crate) fn scopes_named_below(
    conn: &Connection,
    s: i64,
    k: &str,
) -> rusqlite::Result<Vec<(String, String)>> {
    let (lo, hi) = below_range(k);
    let mut out: Vec<(String, String)> = Vec::new();
    for (table, column, spelling) in SCOPE_TABLES {
        let mut st = conn.prepare_cached(&format!(
            "SELECT {column}, min({spelling}) FROM {table} WHERE {column} >= ?2 AND {column} < ?3 \
             AND {IN_SNAPSHOT} GROUP BY {column}"
        ))?;
        let rows = st.query_map(rusqlite::params![s, lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for r in rows {
            out.push(r?);
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

/// `[ns/, ns0)` over operation keys: the operations of provider `ns`.
fn provider_range(namespace: &str) -> (String, String) {
    let ns = key(namespace.trim());
    (format!("{ns}/"), format!("{ns}0"))
}

/// Whether snapshot `s` holds any catalogue operation of provider `namespace`.
pub(crate) fn provider_catalogued(
    conn: &Connection,
    s: i64,
    namespace: &str,
) -> rusqlite::Result<bool> {
    let (lo, hi) = provider_range(namespace);
    let mut st = conn.prepare_cached(&format!(
        "SELECT 1 FROM operations WHERE key >= ?2 AND key < ?3 AND {IN_SNAPSHOT} LIMIT 1"
    ))?;
    Ok(st
        .query_row(rusqlite::params![s, lo, hi], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether snapshot `s` holds any catalogue operation at all.
pub(crate) fn any_catalogue(conn: &Connection, s: i64) -> rusqlite::Result<bool> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT 1 FROM operations WHERE {IN_SNAPSHOT} LIMIT 1"
    ))?;
    Ok(st.query_row([s], |_| Ok(())).optional()?.is_some())
}

/// Whether the catalogue of snapshot `s` has the operation `name` in either plane
/// (case-insensitive). Two index seeks.
pub(crate) fn operation_catalogued(
    conn: &Connection,
    s: i64,
    name: &str,
) -> rusqlite::Result<bool> {
    let name = name.trim();
    for k in [
        super::canon::operation_key(name, false),
        super::canon::operation_key(name, true),
    ] {
        if exists(
            conn,
            &format!("SELECT 1 FROM operations WHERE key = ?2 AND {IN_SNAPSHOT} LIMIT 1"),
            s,
            &k,
        )? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The names of provider `namespace`'s catalogue operations (each once, both
/// planes together), for `did you mean`.
pub(crate) fn provider_operations(
    conn: &Connection,
    s: i64,
    namespace: &str,
) -> rusqlite::Result<Vec<String>> {
    let (lo, hi) = provider_range(namespace);
    let mut st = conn.prepare_cached(&format!(
        "SELECT name FROM operations WHERE key >= ?2 AND key < ?3 AND {IN_SNAPSHOT} ORDER BY key"
    ))?;
    let mut names = st
        .query_map(rusqlite::params![s, lo, hi], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    Ok(names)
}

/// The provider namespaces with a catalogue in snapshot `s` (for a note that a
/// namespace without one may be misspelt).
pub(crate) fn catalogued_providers(conn: &Connection, s: i64) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT DISTINCT provider FROM operations WHERE {IN_SNAPSHOT} ORDER BY provider"
    ))?;
    let rows = st.query_map([s], |r| r.get::<_, String>(0))?;
    rows.collect()
}
