//! The SQL of the browsing commands (`workspaces`, `show`, `role`, `who
//! --anywhere`; `members` reads through [`super::slice`]): role definitions by
//! key and by name, every deny assignment, the groups whose members a snapshot
//! does not list, counts per scope, the assignments that may join one role, and
//! the scopes where roles are held.
//!
//! Read-only, like every question's SQL; index seeks where an index exists (the
//! few scans are named where they are).

use rustc_hash::FxHashMap as HashMap;

use rusqlite::Connection;

use crate::model::{key, DenyAssignment, Principal, RoleDefinition, Tenant};

use super::read::{
    assignment_row, deny_row, eligibility_row, principal_row, role_row, ASSIGNMENT_COLS, DENY_COLS,
    ELIGIBILITY_COLS, IN_SNAPSHOT, PRINCIPAL_COLS, ROLE_COLS,
};
use super::{Store, StoreError};

fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut st = conn.prepare_cached(sql)?;
    let out = st.query_map(params, map)?;
    out.collect()
}

/// The key range of the scopes strictly below `k` by path: `[k/, k0)`.
fn below(k: &str) -> (String, String) {
    (format!("{k}/"), format!("{k}0"))
}

impl Store {
    /// Every role definition of a snapshot, by key (a few hundred: the built-in
    /// roles and the tenant's custom roles).
    pub(crate) fn all_roles(&self, snapshot: i64) -> Result<Vec<RoleDefinition>, StoreError> {
        Ok(rows(
            &self.conn,
            &format!("SELECT {ROLE_COLS} FROM role_definitions WHERE {IN_SNAPSHOT} ORDER BY key"),
            [snapshot],
            role_row,
        )?)
    }

    /// The role definition whose key ([`crate::model::role_key`]) is `role_key`.
    pub(crate) fn role_by_key(
        &self,
        snapshot: i64,
        role_key: &str,
    ) -> Result<Option<RoleDefinition>, StoreError> {
        Ok(rows(
            &self.conn,
            &format!("SELECT {ROLE_COLS} FROM role_definitions WHERE key = ?2 AND {IN_SNAPSHOT}"),
            rusqlite::params![snapshot, role_key],
            role_row,
        )?
        .into_iter()
        .next())
    }

    /// The role definitions named `name` (ASCII case-insensitive; an index seek).
    pub(crate) fn roles_named(
        &self,
        snapshot: i64,
        name: &str,
    ) -> Result<Vec<RoleDefinition>, StoreError> {
        Ok(rows(
            &self.conn,
            &format!(
                "SELECT {ROLE_COLS} FROM role_definitions WHERE lower(role_name) = ?2 \
                 AND {IN_SNAPSHOT} ORDER BY key"
            ),
            rusqlite::params![snapshot, key(name.trim())],
            role_row,
        )?)
    }

    /// Every deny assignment of a snapshot (they are few: a scan).
    pub(crate) fn all_denies(&self, snapshot: i64) -> Result<Vec<DenyAssignment>, StoreError> {
        Ok(rows(
            &self.conn,
            &format!("SELECT {DENY_COLS} FROM deny_assignments WHERE {IN_SNAPSHOT} ORDER BY key"),
            [snapshot],
            deny_row,
        )?)
    }

    /// The groups of a snapshot whose members it does not (wholly) list, as (id,
    /// display name): groups of the directory listing, and groups an assignment
    /// names, that have no member list; and the member lists that were one page
    /// of several. Scans of the group records and group assignments.
    #[allow(clippy::type_complexity)]
    pub(crate) fn unseen_groups(
        &self,
        snapshot: i64,
    ) -> Result<(Vec<(String, String)>, Vec<(String, String)>), StoreError> {
        let no_list = |table: &str, k: &str, id: &str, name: &str, filter: &str| {
            format!(
                "SELECT DISTINCT {id}, {name} FROM {table} AS t WHERE {filter} AND t.valid_from <= ?1 \
                 AND (t.valid_to IS NULL OR t.valid_to >= ?1) AND NOT EXISTS (SELECT 1 FROM \
                 member_lists AS m WHERE m.key = t.{k} AND m.valid_from <= ?1 \
                 AND (m.valid_to IS NULL OR m.valid_to >= ?1)) ORDER BY t.{k}"
            )
        };
        let pair = |r: &rusqlite::Row<'_>| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        };
        let mut not_imported = rows(
            &self.conn,
            &no_list(
                "principals",
                "key",
                "id",
                "display_name",
                "t.kind = 'Group'",
            ),
            [snapshot],
            pair,
        )?;
        let mut seen: rustc_hash::FxHashSet<String> =
            not_imported.iter().map(|(id, _)| key(id)).collect();
        for (id, name) in rows(
            &self.conn,
            &no_list(
                "role_assignments",
                "principal_key",
                "principal_id",
                "principal_name",
                "lower(t.principal_type) = 'group' AND NOT EXISTS (SELECT 1 FROM principals AS p \
                 WHERE p.key = t.principal_key AND p.valid_from <= ?1 \
                 AND (p.valid_to IS NULL OR p.valid_to >= ?1))",
            ),
            [snapshot],
            pair,
        )? {
            if seen.insert(key(&id)) {
                not_imported.push((id, name));
            }
        }
        let partial = rows(
            &self.conn,
            "SELECT COALESCE(l.group_id, l.key), COALESCE((SELECT p.display_name FROM \
             principals AS p WHERE p.key = l.key AND p.valid_from <= ?1 \
             AND (p.valid_to IS NULL OR p.valid_to >= ?1) LIMIT 1), '') \
             FROM partial_member_lists AS l WHERE l.valid_from <= ?1 \
             AND (l.valid_to IS NULL OR l.valid_to >= ?1) ORDER BY l.key",
            [snapshot],
            pair,
        )?;
        Ok((not_imported, partial))
    }

    /// How many computes the inventory lists directly below each workspace (by
    /// workspace key): one index range per workspace.
    pub(crate) fn computes_below(
        &self,
        snapshot: i64,
        workspaces: &[String],
    ) -> Result<HashMap<String, usize>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT count(*) FROM scopes WHERE key >= ?2 AND key < ?3 \
             AND lower(resource_type) = 'microsoft.machinelearningservices/workspaces/computes' \
             AND {IN_SNAPSHOT}"
        ))?;
        let mut out = HashMap::default();
        for w in workspaces {
            let (lo, hi) = below(&format!("{w}/computes"));
            let n: i64 = st.query_row(rusqlite::params![snapshot, lo, hi], |r| r.get(0))?;
            out.insert(w.clone(), usize::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }

    /// How many role assignments are held at each of `scopes` (keys): one index
    /// seek each.
    pub(crate) fn assignments_at(
        &self,
        snapshot: i64,
        scopes: &[String],
    ) -> Result<HashMap<String, usize>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT count(*) FROM role_assignments WHERE scope_key = ?2 AND {IN_SNAPSHOT}"
        ))?;
        let mut out = HashMap::default();
        for k in scopes {
            let n: i64 = st.query_row(rusqlite::params![snapshot, k], |r| r.get(0))?;
            out.insert(k.clone(), usize::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }

    /// What `role` needs: every assignment and eligibility that may join `role`
    /// (by its GUID; for a role without an id, assignments by
    /// `roleDefinitionName` and eligibilities by the role name their export
    /// gave, a scan), with their principals' records, and every
    /// role (so the engine's one role join decides which really join it).
    pub(crate) fn role_holdings(
        &self,
        snapshot: i64,
        role: &RoleDefinition,
    ) -> Result<Tenant, StoreError> {
        let conn = &self.conn;
        let role_key = role.record_key();
        let (assignments, eligibilities) = if role.id.trim().is_empty() {
            let a = rows(
                conn,
                &format!(
                    "SELECT {ASSIGNMENT_COLS} FROM role_assignments \
                     WHERE lower(trim(role_definition_name)) = ?2 AND {IN_SNAPSHOT} ORDER BY key"
                ),
                rusqlite::params![snapshot, key(role.role_name.trim())],
                assignment_row,
            )?;
            let e = rows(
                conn,
                &format!(
                    "SELECT {ELIGIBILITY_COLS} FROM eligibilities \
                     WHERE lower(trim(role_definition_name)) = ?2 AND {IN_SNAPSHOT} ORDER BY key"
                ),
                rusqlite::params![snapshot, key(role.role_name.trim())],
                eligibility_row,
            )?;
            (a, e)
        } else {
            let a = rows(
                conn,
                &format!(
                    "SELECT {ASSIGNMENT_COLS} FROM role_assignments WHERE role_key = ?2 \
                     AND {IN_SNAPSHOT} ORDER BY key"
                ),
                rusqlite::params![snapshot, role_key],
                assignment_row,
            )?;
            let e = rows(
                conn,
                &format!(
                    "SELECT {ELIGIBILITY_COLS} FROM eligibilities WHERE role_key = ?2 \
                     AND {IN_SNAPSHOT} ORDER BY key"
                ),
                rusqlite::params![snapshot, role_key],
                eligibility_row,
            )?;
            (a, e)
        };
        let mut ids: Vec<String> = assignments
            .iter()
            .map(|a| key(&a.principal_id))
            .chain(eligibilities.iter().map(|e| key(&e.principal_id)))
            .collect();
        ids.sort();
        ids.dedup();
        Ok(Tenant {
            principals: self.principals_by_key(snapshot, &ids)?,
            roles: self.all_roles(snapshot)?,
            assignments,
            eligibilities,
            listed_kinds: Some(super::read::listed_kinds(conn, snapshot)?),
            ..Tenant::default()
        })
    }

    /// The principal records of `keys` (lowercase object ids) that exist: one
    /// index seek each.
    pub(crate) fn principals_by_key(
        &self,
        snapshot: i64,
        keys: &[String],
    ) -> Result<Vec<Principal>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {PRINCIPAL_COLS} FROM principals WHERE key = ?2 AND {IN_SNAPSHOT}"
        ))?;
        let mut out = Vec::new();
        for k in keys {
            for p in st.query_map(rusqlite::params![snapshot, k], principal_row)? {
                out.push(p?);
            }
        }
        Ok(out)
    }

    /// The scope keys where a role of `role_keys` is assigned, where an assignment
    /// refers to a role no definition has by key (joined by name, or not defined:
    /// a scan of the assignments), and where any role is eligible (eligibilities are
    /// few: a scan); each once, in key order.
    pub(crate) fn holding_scopes(
        &self,
        snapshot: i64,
        role_keys: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let conn = &self.conn;
        let get = |r: &rusqlite::Row<'_>| r.get::<_, String>(0);
        let mut out: Vec<String> = Vec::new();
        for k in role_keys {
            out.extend(rows(
                conn,
                &format!(
                    "SELECT DISTINCT scope_key FROM role_assignments WHERE role_key = ?2 \
                     AND {IN_SNAPSHOT}"
                ),
                rusqlite::params![snapshot, k],
                get,
            )?);
        }
        out.extend(rows(
            conn,
            "SELECT DISTINCT a.scope_key FROM role_assignments AS a WHERE a.valid_from <= ?1 \
             AND (a.valid_to IS NULL OR a.valid_to >= ?1) AND NOT EXISTS (SELECT 1 FROM \
             role_definitions AS r WHERE r.key = a.role_key AND r.valid_from <= ?1 \
             AND (r.valid_to IS NULL OR r.valid_to >= ?1))",
            [snapshot],
            get,
        )?);
        out.extend(rows(
            conn,
            &format!("SELECT DISTINCT scope_key FROM eligibilities WHERE {IN_SNAPSHOT}"),
            [snapshot],
            get,
        )?);
        out.sort();
        out.dedup();
        Ok(out)
    }
}
