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
    Assignment, AssignmentSource, DenyAssignment, Eligibility, MemberEdge, Operation, Principal,
    PrincipalKind, RoleDefinition, ScopeKind, ScopeNode, Tenant,
};

/// SQL predicate: the row belongs to snapshot `?1`.
pub const IN_SNAPSHOT: &str = "valid_from <= ?1 AND (valid_to IS NULL OR valid_to >= ?1)";

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

/// Every record of snapshot `s`, in canonical order.
pub(crate) fn load(conn: &Connection, s: i64) -> rusqlite::Result<Tenant> {
    let principals = collect(
        conn,
        &format!(
            "SELECT id, kind, display_name, user_principal_name, user_type, account_enabled, \
             app_id FROM principals WHERE {IN_SNAPSHOT} ORDER BY key"
        ),
        s,
        |r| {
            Ok(Principal {
                id: r.get(0)?,
                kind: PrincipalKind::parse(&r.get::<_, String>(1)?),
                display_name: r.get(2)?,
                user_principal_name: r.get(3)?,
                user_type: r.get(4)?,
                account_enabled: r.get(5)?,
                app_id: r.get(6)?,
            })
        },
    )?;
    let member_edges = collect(
        conn,
        &format!(
            "SELECT COALESCE(group_id, group_key), COALESCE(member_id, member_key), member_kind \
             FROM member_edges WHERE {IN_SNAPSHOT} ORDER BY group_key, member_key"
        ),
        s,
        |r| {
            Ok(MemberEdge {
                group_id: r.get(0)?,
                member_id: r.get(1)?,
                member_kind: r
                    .get::<_, Option<String>>(2)?
                    .map(|k| PrincipalKind::parse(&k)),
            })
        },
    )?;
    let member_lists = collect(
        conn,
        &format!(
            "SELECT COALESCE(group_id, key) FROM member_lists WHERE {IN_SNAPSHOT} ORDER BY key"
        ),
        s,
        |r| r.get(0),
    )?;
    let roles = collect(
        conn,
        &format!(
            "SELECT id, role_name, role_type, description, permissions, assignable_scopes \
             FROM role_definitions WHERE {IN_SNAPSHOT} ORDER BY key"
        ),
        s,
        |r| {
            Ok(RoleDefinition {
                id: r.get(0)?,
                role_name: r.get(1)?,
                role_type: r.get(2)?,
                description: r.get(3)?,
                permissions: from_json(r, 4)?,
                assignable_scopes: from_json(r, 5)?,
            })
        },
    )?;
    let assignments = collect(
        conn,
        &format!(
            "SELECT id, principal_id, principal_type, principal_name, role_definition_id, \
             role_definition_name, scope, condition, condition_version, created_on, source \
             FROM role_assignments WHERE {IN_SNAPSHOT} ORDER BY key"
        ),
        s,
        |r| {
            let src: String = r.get(10)?;
            Ok(Assignment {
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
        },
    )?;
    let eligibilities = collect(
        conn,
        &format!(
            "SELECT id, principal_id, principal_type, role_definition_id, scope, \
             start_date_time, end_date_time, member_type, condition \
             FROM eligibilities WHERE {IN_SNAPSHOT} ORDER BY key"
        ),
        s,
        |r| {
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
            })
        },
    )?;
    let denies = collect(
        conn,
        &format!(
            "SELECT id, name, scope, permissions, principals, exclude_principals, \
             do_not_apply_to_child_scopes, condition FROM deny_assignments WHERE {IN_SNAPSHOT} ORDER BY key"
        ),
        s,
        |r| {
            Ok(DenyAssignment {
                id: r.get(0)?,
                name: r.get(1)?,
                scope: r.get(2)?,
                permissions: from_json(r, 3)?,
                principals: from_json(r, 4)?,
                exclude_principals: from_json(r, 5)?,
                do_not_apply_to_child_scopes: r.get(6)?,
                condition: r.get(7)?,
            })
        },
    )?;
    let scopes = collect(
        conn,
        &format!(
            "SELECT id, kind, name, display_name, resource_type, parent_id \
             FROM scopes WHERE {IN_SNAPSHOT} ORDER BY key"
        ),
        s,
        |r| {
            let kind: String = r.get(1)?;
            Ok(ScopeNode {
                id: r.get(0)?,
                kind: scope_kind(&kind).ok_or_else(|| bad_value(1, "scope kind", &kind))?,
                name: r.get(2)?,
                display_name: r.get(3)?,
                resource_type: r.get(4)?,
                parent_id: r.get(5)?,
            })
        },
    )?;
    let operations = collect(
        conn,
        &format!(
            "SELECT name, display_name, is_data_action, provider, resource_type \
             FROM operations WHERE {IN_SNAPSHOT} ORDER BY key"
        ),
        s,
        |r| {
            Ok(Operation {
                name: r.get(0)?,
                display_name: r.get(1)?,
                is_data_action: r.get(2)?,
                provider: r.get(3)?,
                resource_type: r.get(4)?,
            })
        },
    )?;
    Ok(Tenant {
        principals,
        member_edges,
        member_lists,
        roles,
        assignments,
        eligibilities,
        denies,
        scopes,
        operations,
    })
}
