//! History queries: two snapshots read in one pass (for `diff`), and the
//! per-snapshot check of content and chain hashes (for `verify`).
//!
//! [`Store::load_pair`] reads every versioned table once, keeping the rows that
//! belong to either snapshot and handing each row to the snapshot(s) it belongs to:
//! rows the two share (most of them, between two imports of one tenant) are read
//! once, and no table is sorted by SQLite (the diff does not need canonical order).
//! [`Store::verify_all`] recomputes what [`Store::verify`] recomputes, for every
//! snapshot, without stopping at the first mismatch. This module only reads.

use rusqlite::{params, Row};

use crate::model::{
    Assignment, AssignmentSource, DenyAssignment, Eligibility, MemberEdge, Operation, Principal,
    PrincipalKind, RoleDefinition, ScopeNode, Tenant,
};

use super::canon::{chain_hash, content_hash};
use super::read::{self, scope_kind};
use super::{Store, StoreError};

/// The result of checking one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotCheck {
    pub id: i64,
    pub taken_at: String,
    pub label: Option<String>,
    /// The content hash recorded at import.
    pub recorded_content: String,
    /// The content hash of the rows as they are stored now.
    pub actual_content: String,
    /// The chain hash recorded at import.
    pub recorded_chain: String,
    /// The chain hash recomputed from the previous snapshot's recorded chain hash
    /// and this snapshot's recorded content hash, time and label.
    pub expected_chain: String,
}

impl SnapshotCheck {
    pub fn content_ok(&self) -> bool {
        self.recorded_content == self.actual_content
    }

    pub fn chain_ok(&self) -> bool {
        self.recorded_chain == self.expected_chain
    }

    pub fn ok(&self) -> bool {
        self.content_ok() && self.chain_ok()
    }
}

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

/// A principal kind as stored (`PrincipalKind::as_str`), without allocating.
fn kind(s: &str) -> PrincipalKind {
    match s {
        "User" => PrincipalKind::User,
        "Group" => PrincipalKind::Group,
        "ServicePrincipal" => PrincipalKind::ServicePrincipal,
        "ManagedIdentity" => PrincipalKind::ManagedIdentity,
        "Unknown" => PrincipalKind::Unknown,
        other => PrincipalKind::parse(other),
    }
}

/// Membership of a row (by its validity interval) in snapshots a and b.
fn member_of(from: i64, to: Option<i64>, s: i64) -> bool {
    from <= s && to.is_none_or(|t| t >= s)
}

/// Reads the rows of `table` in snapshot a or b, handing each to the snapshot(s)
/// it belongs to. `cols` are read from index 0; valid_from and valid_to follow.
fn each<T: Clone>(
    conn: &rusqlite::Connection,
    table: &str,
    cols: &str,
    (a, b): (i64, i64),
    (va, vb): (&mut Vec<T>, &mut Vec<T>),
    map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<()> {
    // Top-level commas only (COALESCE(a, b) is one column).
    let mut depth = 0i32;
    let mut n = 1;
    for c in cols.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => n += 1,
            _ => {}
        }
    }
    let sql = format!(
        "SELECT {cols}, valid_from, valid_to FROM {table} \
         WHERE (valid_from <= ?1 AND (valid_to IS NULL OR valid_to >= ?1)) \
            OR (valid_from <= ?2 AND (valid_to IS NULL OR valid_to >= ?2))"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![a, b])?;
    while let Some(r) = rows.next()? {
        let from: i64 = r.get(n)?;
        let to: Option<i64> = r.get(n + 1)?;
        let (in_a, in_b) = (member_of(from, to, a), member_of(from, to, b));
        let v = map(r)?;
        match (in_a, in_b) {
            (true, true) => {
                va.push(v.clone());
                vb.push(v);
            }
            (true, false) => va.push(v),
            (false, true) => vb.push(v),
            (false, false) => {}
        }
    }
    Ok(())
}

impl Store {
    /// Snapshots `a` and `b`, read together: each versioned table is scanned once.
    /// Records are in no particular order.
    pub fn load_pair(&self, a: i64, b: i64) -> Result<(Tenant, Tenant), StoreError> {
        self.require(a)?;
        self.require(b)?;
        let mut ta = Tenant::default();
        let mut tb = Tenant::default();
        let conn = &self.conn;
        let ab = (a, b);
        // Membership edges (most of the rows) on a second connection, in parallel
        // with the other tables, when the database is a file.
        let edges_job =
            |conn: &rusqlite::Connection| -> rusqlite::Result<(Vec<MemberEdge>, Vec<MemberEdge>)> {
                let (mut ea, mut eb) = (Vec::new(), Vec::new());
                each(
                    conn,
                    "member_edges",
                    "COALESCE(group_id, group_key), COALESCE(member_id, member_key), member_kind",
                    ab,
                    (&mut ea, &mut eb),
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
                Ok((ea, eb))
            };
        let second = conn.path().filter(|p| !p.is_empty()).and_then(|p| {
            rusqlite::Connection::open_with_flags(
                p,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .ok()
        });
        let edges = std::thread::scope(|sc| -> rusqlite::Result<_> {
            let job = second.map(|c| {
                sc.spawn(move || {
                    c.busy_timeout(super::BUSY_TIMEOUT)?;
                    edges_job(&c)
                })
            });
            self.load_rest(ab, (&mut ta, &mut tb))?;
            match job {
                Some(j) => j.join().expect("edge loader thread"),
                None => edges_job(conn),
            }
        })?;
        (ta.member_edges, tb.member_edges) = edges;
        Ok((ta, tb))
    }

    /// Every table but the membership edges, for [`Store::load_pair`].
    fn load_rest(
        &self,
        ab: (i64, i64),
        (ta, tb): (&mut Tenant, &mut Tenant),
    ) -> rusqlite::Result<()> {
        let conn = &self.conn;
        each(
            conn,
            "principals",
            "id, kind, display_name, user_principal_name, user_type, account_enabled, app_id",
            ab,
            (&mut ta.principals, &mut tb.principals),
            |r| {
                Ok(Principal {
                    id: r.get(0)?,
                    kind: kind(r.get_ref(1)?.as_str()?),
                    display_name: r.get(2)?,
                    user_principal_name: r.get(3)?,
                    user_type: r.get(4)?,
                    account_enabled: r.get(5)?,
                    app_id: r.get(6)?,
                })
            },
        )?;
        each(
            conn,
            "member_lists",
            "COALESCE(group_id, key)",
            ab,
            (&mut ta.member_lists, &mut tb.member_lists),
            |r| r.get(0),
        )?;
        each(
            conn,
            "role_definitions",
            "id, role_name, role_type, description, permissions, assignable_scopes",
            ab,
            (&mut ta.roles, &mut tb.roles),
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
        each(
            conn,
            "role_assignments",
            "id, principal_id, principal_type, principal_name, role_definition_id, \
             role_definition_name, scope, condition, condition_version, created_on, source",
            ab,
            (&mut ta.assignments, &mut tb.assignments),
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
                    source: match src.as_str() {
                        "RoleAssignment" => AssignmentSource::RoleAssignment,
                        "PimActive" => AssignmentSource::PimActive,
                        _ => return Err(bad_value(10, "assignment source", &src)),
                    },
                })
            },
        )?;
        each(
            conn,
            "eligibilities",
            "id, principal_id, principal_type, role_definition_id, scope, start_date_time, \
             end_date_time, member_type, condition",
            ab,
            (&mut ta.eligibilities, &mut tb.eligibilities),
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
        each(
            conn,
            "deny_assignments",
            "id, name, scope, permissions, principals, exclude_principals, \
             do_not_apply_to_child_scopes, condition",
            ab,
            (&mut ta.denies, &mut tb.denies),
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
        each(
            conn,
            "scopes",
            "id, kind, name, display_name, resource_type, parent_id",
            ab,
            (&mut ta.scopes, &mut tb.scopes),
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
        each(
            conn,
            "operations",
            "name, display_name, is_data_action, provider, resource_type",
            ab,
            (&mut ta.operations, &mut tb.operations),
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
        Ok(())
    }

    /// Every snapshot, oldest first, with its recorded and recomputed hashes. The
    /// chain is recomputed link by link from each previous snapshot's *recorded*
    /// chain hash, so one altered snapshot shows as one mismatch.
    pub fn verify_all(&self) -> Result<Vec<SnapshotCheck>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, taken_at, label, content_hash, chain_hash FROM snapshots ORDER BY id",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut previous = String::new();
        let mut out = Vec::with_capacity(rows.len());
        for (id, taken_at, label, content, chain) in rows {
            let actual = content_hash(&read::load(&self.conn, id)?);
            let expected = chain_hash(&previous, &content, &taken_at, label.as_deref());
            previous = chain.clone();
            out.push(SnapshotCheck {
                id,
                taken_at,
                label,
                recorded_content: content,
                actual_content: actual,
                recorded_chain: chain,
                expected_chain: expected,
            });
        }
        Ok(out)
    }
}
