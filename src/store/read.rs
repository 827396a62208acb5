//! Reading a snapshot back: the rows valid in snapshot s, mapped to model values.
//!
//! A row is in snapshot s iff `valid_from <= s AND (valid_to IS NULL OR valid_to >= s)`;
//! [`IN_SNAPSHOT`] is that predicate, with s as `?1`. Rows are read in natural-key
//! order (SQLite's BINARY collation is Rust's byte order), which is the canonical
//! order, so nothing is sorted here. This module must never write, and must map
//! every column back exactly as `write.rs` stored it, so that
//! `load_tenant(write(t)) == canonicalize(t)`.

use rusqlite::{Connection, Row};

use crate::model::{
    Assignment, AssignmentSource, CollectionLedger, DenyAssignment, Eligibility, GroupEligibility,
    LedgerEntry, MemberEdge, Operation, Principal, PrincipalKind, ResourceFacts, RoleDefinition,
    ScopeKind, ScopeNode, Tenant,
};

/// SQL predicate: the row belongs to snapshot `?1`.
pub(crate) const IN_SNAPSHOT: &str = "valid_from <= ?1 AND (valid_to IS NULL OR valid_to >= ?1)";

fn from_json<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn bad_value(idx: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("unknown {what} {value:?}").into(),
    )
}

pub(crate) fn scope_kind(s: &str) -> Option<ScopeKind> {
    [
        ScopeKind::Root,
        ScopeKind::ManagementGroup,
        ScopeKind::Subscription,
        ScopeKind::ResourceGroup,
        ScopeKind::Resource,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
}

fn source(s: &str) -> Option<AssignmentSource> {
    match s {
        "RoleAssignment" => Some(AssignmentSource::RoleAssignment),
        "PimActive" => Some(AssignmentSource::PimActive),
        _ => None,
    }
}

fn collect<T>(
    conn: &Connection,
    sql: &str,
    snapshot: i64,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map([snapshot], map)?;
    rows.collect()
}

pub(crate) const PRINCIPAL_COLS: &str = "id, kind, display_name, user_principal_name, \
     user_type, account_enabled, app_id, mail, other_mails, from_member_list";

pub(crate) fn principal_row(r: &Row<'_>) -> rusqlite::Result<Principal> {
    Ok(Principal {
        mail: r.get(7)?,
        other_mails: match r.get::<_, Option<String>>(8)? {
            Some(_) => from_json(r, 8)?,
            None => Vec::new(),
        },
        from_member_list: r.get(9)?,
        id: r.get(0)?,
        kind: PrincipalKind::parse(&r.get::<_, String>(1)?),
        display_name: r.get(2)?,
        user_principal_name: r.get(3)?,
        user_type: r.get(4)?,
        account_enabled: r.get(5)?,
        app_id: r.get(6)?,
    })
}

pub(crate) const EDGE_COLS: &str =
    "COALESCE(group_id, group_key), COALESCE(member_id, member_key), member_kind";

pub(crate) fn edge_row(r: &Row<'_>) -> rusqlite::Result<MemberEdge> {
    Ok(MemberEdge {
        group_id: r.get(0)?,
        member_id: r.get(1)?,
        member_kind: r
            .get::<_, Option<String>>(2)?
            .map(|k| PrincipalKind::parse(&k)),
    })
}

pub(crate) const ROLE_COLS: &str =
    "id, role_name, role_type, description, permissions, assignable_scopes";

pub(crate) fn role_row(r: &Row<'_>) -> rusqlite::Result<RoleDefinition> {
    Ok(RoleDefinition {
        id: r.get(0)?,
        role_name: r.get(1)?,
        role_type: r.get(2)?,
        description: r.get(3)?,
        permissions: from_json(r, 4)?,
        assignable_scopes: from_json(r, 5)?,
    })
}

pub(crate) const ASSIGNMENT_COLS: &str = "id, principal_id, principal_type, principal_name, \
     role_definition_id, role_definition_name, scope, condition, condition_version, created_on, source, \
     start_date_time, end_date_time, principal_display_name, can_delegate";

pub(crate) fn assignment_row(r: &Row<'_>) -> rusqlite::Result<Assignment> {
    let src: String = r.get(10)?;
    Ok(Assignment {
        start_date_time: r.get(11)?,
        end_date_time: r.get(12)?,
        principal_display_name: r.get(13)?,
        can_delegate: r.get(14)?,
        id: r.get(0)?,
        principal_id: r.get(1)?,
        principal_type: r.get(2)?,
        principal_name: r.get(3)?,
        role_definition_id: r.get(4)?,
        role_definition_name: r.get(5)?,
        scope: r.get(6)?,
        condition: r.get(7)?,
        condition_version: r.get(8)?,
        created_on: r.get(9)?,
        source: source(&src).ok_or_else(|| bad_value(10, "assignment source", &src))?,
    })
}

pub(crate) const ELIGIBILITY_COLS: &str = "id, principal_id, principal_type, role_definition_id, \
     scope, start_date_time, end_date_time, member_type, condition, role_definition_name, \
     principal_display_name";

pub(crate) fn eligibility_row(r: &Row<'_>) -> rusqlite::Result<Eligibility> {
    Ok(Eligibility {
        id: r.get(0)?,
        principal_id: r.get(1)?,
        principal_type: r.get(2)?,
        role_definition_id: r.get(3)?,
        scope: r.get(4)?,
        start_date_time: r.get(5)?,
        end_date_time: r.get(6)?,
        member_type: r.get(7)?,
        condition: r.get(8)?,
        role_definition_name: r.get(9)?,
        principal_display_name: r.get(10)?,
    })
}

pub(crate) const DENY_COLS: &str = "id, name, scope, permissions, principals, exclude_principals, \
     do_not_apply_to_child_scopes, condition, effect";

pub(crate) fn deny_row(r: &Row<'_>) -> rusqlite::Result<DenyAssignment> {
    Ok(DenyAssignment {
        id: r.get(0)?,
        name: r.get(1)?,
        scope: r.get(2)?,
        permissions: from_json(r, 3)?,
        principals: from_json(r, 4)?,
        exclude_principals: from_json(r, 5)?,
        do_not_apply_to_child_scopes: r.get(6)?,
        condition: r.get(7)?,
        effect: r.get(8)?,
    })
}

pub(crate) const SCOPE_COLS: &str = "id, kind, name, display_name, resource_type, parent_id";

pub(crate) fn scope_row(r: &Row<'_>) -> rusqlite::Result<ScopeNode> {
    let kind: String = r.get(1)?;
    Ok(ScopeNode {
        id: r.get(0)?,
        kind: scope_kind(&kind).ok_or_else(|| bad_value(1, "scope kind", &kind))?,
        name: r.get(2)?,
        display_name: r.get(3)?,
        resource_type: r.get(4)?,
        parent_id: r.get(5)?,
    })
}

pub(crate) const OPERATION_COLS: &str =
    "name, display_name, is_data_action, provider, resource_type";

pub(crate) fn operation_row(r: &Row<'_>) -> rusqlite::Result<Operation> {
    Ok(Operation {
        name: r.get(0)?,
        display_name: r.get(1)?,
        is_data_action: r.get(2)?,
        provider: r.get(3)?,
        resource_type: r.get(4)?,
    })
}

pub(crate) const GROUP_ELIGIBILITY_COLS: &str = "id, group_id, principal_id, access_id, \
     member_type, start_date_time, end_date_time, active";

pub(crate) fn group_eligibility_row(r: &Row<'_>) -> rusqlite::Result<GroupEligibility> {
    Ok(GroupEligibility {
        id: r.get(0)?,
        group_id: r.get(1)?,
        principal_id: r.get(2)?,
        access_id: r.get(3)?,
        member_type: r.get(4)?,
        start_date_time: r.get(5)?,
        end_date_time: r.get(6)?,
        active: r.get(7)?,
    })
}

/// The columns of `resource_facts` a row is read from: the facts' JSON holds the
/// whole record (`write.rs` stores `model::ResourceFacts` as serde_json).
pub(crate) const RESOURCE_FACTS_COLS: &str = "facts";

pub(crate) fn resource_facts_row(r: &Row<'_>) -> rusqlite::Result<ResourceFacts> {
    from_json(r, 0)
}

/// Every resource's facts in snapshot `s`, by key (they are few: every question's
/// slice holds all of them).
pub(crate) fn resource_facts(conn: &Connection, s: i64) -> rusqlite::Result<Vec<ResourceFacts>> {
    all(
        conn,
        RESOURCE_FACTS_COLS,
        "resource_facts",
        "key",
        s,
        resource_facts_row,
    )
}

fn all<T>(
    conn: &Connection,
    cols: &str,
    table: &str,
    order: &str,
    s: i64,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    collect(
        conn,
        &format!("SELECT {cols} FROM {table} WHERE {IN_SNAPSHOT} ORDER BY {order}"),
        s,
        map,
    )
}

/// The principal kinds of which snapshot `s` holds a directory listing (records not
/// known only from a member file): one index seek per kind
/// (`principals_listed_kind`).
pub(crate) fn listed_kinds(conn: &Connection, s: i64) -> rusqlite::Result<Vec<PrincipalKind>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM principals WHERE kind = ?2 AND from_member_list = 0 \
         AND {IN_SNAPSHOT})"
    ))?;
    let mut out = Vec::new();
    for (kind, counts_as) in [
        (PrincipalKind::User, PrincipalKind::User),
        (PrincipalKind::Group, PrincipalKind::Group),
        (
            PrincipalKind::ServicePrincipal,
            PrincipalKind::ServicePrincipal,
        ),
        (
            PrincipalKind::ManagedIdentity,
            PrincipalKind::ServicePrincipal,
        ),
    ] {
        let listed: bool = st.query_row(rusqlite::params![s, kind.as_str()], |r| r.get(0))?;
        if listed && !out.contains(&counts_as) {
            out.push(counts_as);
        }
    }
    // A kind whose listing was one page of several is no evidence (SPEC §1): the
    // import raised a `partial-listing` flag naming it.
    let mut st = conn.prepare_cached(
        "SELECT subject FROM snapshot_flags WHERE snapshot_id = ?1 AND kind = ?2",
    )?;
    let partial = st
        .query_map(
            rusqlite::params![s, crate::model::Flag::PARTIAL_LISTING],
            |r| r.get::<_, String>(0),
        )?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    out.retain(|k| !partial.iter().any(|p| p == k.as_str()));
    out.sort();
    Ok(out)
}

/// Does snapshot `s` hold anything (assignment, eligibility, deny assignment) at a
/// management group? Three index range probes.
pub(crate) fn mg_holdings(conn: &Connection, s: i64) -> rusqlite::Result<bool> {
    for table in ["role_assignments", "eligibilities", "deny_assignments"] {
        let mut st = conn.prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE scope_key >= ?2 AND scope_key < ?3 \
             AND {IN_SNAPSHOT})"
        ))?;
        let prefix = crate::model::MANAGEMENT_GROUP_PREFIX;
        let upper = format!("{}0", prefix.trim_end_matches('/'));
        let found: bool = st.query_row(rusqlite::params![s, prefix, upper], |r| r.get(0))?;
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The collection ledger of snapshot `s` (None when it was not collected): every
/// entry in file order, or (`unreadable_only`) only what answers need: the
/// entries that make their scope unreadable (`arm`, status not `complete`) and
/// the PIM for Groups reads that did not complete
/// ([`LedgerEntry::unread_group_pim`](crate::model::LedgerEntry::unread_group_pim)).
pub(crate) fn ledger(
    conn: &Connection,
    s: i64,
    unreadable_only: bool,
) -> rusqlite::Result<Option<CollectionLedger>> {
    use rusqlite::OptionalExtension;
    let header = conn
        .prepare_cached(
            "SELECT tool, arm_url, graph_url, started_at, finished_at, complete \
             FROM collection_ledgers WHERE snapshot_id = ?1",
        )?
        .query_row([s], |r| {
            Ok(CollectionLedger {
                tool: r.get(0)?,
                arm_url: r.get(1)?,
                graph_url: r.get(2)?,
                started_at: r.get(3)?,
                finished_at: r.get(4)?,
                complete: r.get(5)?,
                entries: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut l) = header else {
        return Ok(None);
    };
    let filter = if unreadable_only {
        format!(
            " AND lower(status) <> 'complete' AND (lower(api) = 'arm' OR (lower(api) = 'graph' \
             AND collection IN ('{}', '{}')))",
            crate::model::GROUP_ELIGIBILITY_COLLECTION,
            crate::model::GROUP_ASSIGNMENT_COLLECTION
        )
    } else {
        String::new()
    };
    let mut st = conn.prepare_cached(&format!(
        "SELECT api, collection, scope, status, http_status, pages, items, retries, error, \
         files FROM collection_entries WHERE snapshot_id = ?1{filter} ORDER BY seq"
    ))?;
    let rows = st.query_map([s], |r| {
        let files: String = r.get(9)?;
        Ok(LedgerEntry {
            api: r.get(0)?,
            collection: r.get(1)?,
            scope: r.get(2)?,
            status: r.get(3)?,
            http_status: r.get(4)?,
            pages: r.get(5)?,
            items: r.get(6)?,
            retries: r.get(7)?,
            error: r.get(8)?,
            files: serde_json::from_str(&files).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, e.into())
            })?,
        })
    })?;
    l.entries = rows.collect::<Result<_, _>>()?;
    Ok(Some(l))
}

/// The files of snapshot `s` that hold access records (role assignments, deny
/// assignments, PIM instances) and were flagged as one page of several.
pub(crate) fn partial_access_files(conn: &Connection, s: i64) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT f.subject FROM snapshot_flags f WHERE f.snapshot_id = ?1 \
         AND f.kind = 'partial-page' AND EXISTS (SELECT 1 FROM snapshot_files x \
         WHERE x.snapshot_id = ?1 AND x.path = f.subject AND x.kind IN \
         ('role-assignments', 'deny-assignments', 'pim-active', 'pim-eligibility', 'pim-groups')) \
         ORDER BY f.seq",
    )?;
    let rows = st.query_map([s], |r| r.get(0))?;
    rows.collect()
}

/// Every record of snapshot `s`, in canonical order.
pub(crate) fn load(conn: &Connection, s: i64) -> rusqlite::Result<Tenant> {
    Ok(Tenant {
        assignment_notes: Vec::new(),
        eligibility_notes: Vec::new(),
        partial_access_files: partial_access_files(conn, s)?,
        resource_facts: resource_facts(conn, s)?,
        collection: ledger(conn, s, false)?,
        mg_holdings: mg_holdings(conn, s)?,
        listed_kinds: Some(listed_kinds(conn, s)?),
        partial_member_lists: all(
            conn,
            "COALESCE(group_id, key)",
            "partial_member_lists",
            "key",
            s,
            |r| r.get(0),
        )?,
        group_eligibilities: all(
            conn,
            GROUP_ELIGIBILITY_COLS,
            "group_eligibilities",
            "key",
            s,
            group_eligibility_row,
        )?,
        principals: all(conn, PRINCIPAL_COLS, "principals", "key", s, principal_row)?,
        member_edges: all(
            conn,
            EDGE_COLS,
            "member_edges",
            "group_key, member_key",
            s,
            edge_row,
        )?,
        member_lists: all(
            conn,
            "COALESCE(group_id, key)",
            "member_lists",
            "key",
            s,
            |r| r.get(0),
        )?,
        roles: all(conn, ROLE_COLS, "role_definitions", "key", s, role_row)?,
        assignments: all(
            conn,
            ASSIGNMENT_COLS,
            "role_assignments",
            "key",
            s,
            assignment_row,
        )?,
        eligibilities: all(
            conn,
            ELIGIBILITY_COLS,
            "eligibilities",
            "key",
            s,
            eligibility_row,
        )?,
        denies: all(conn, DENY_COLS, "deny_assignments", "key", s, deny_row)?,
        scopes: all(conn, SCOPE_COLS, "scopes", "key", s, scope_row)?,
        operations: all(conn, OPERATION_COLS, "operations", "key", s, operation_row)?,
    })
}
