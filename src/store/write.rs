//! Writing a snapshot: one transaction that adds the snapshot's metadata and brings
//! every versioned table to the new tenant by opening and closing validity intervals.
//!
//! For each table: the open rows' (key, hash) are read once, in key order, and
//! merged with the canonical records (also in key order); a record whose key is
//! open with the same hash is left alone (the interval extends by itself); a changed
//! or new record is inserted with `valid_from = N` (the old version, if any, is
//! closed); open rows not seen are closed with `valid_to` = the previous snapshot id.
//! Tables that receive many rows are loaded without their secondary indexes, which
//! are rebuilt before the transaction ends.
//!
//! This module must never write outside the transaction it is given, never commit
//! it, and never modify a closed row.

use rusqlite::types::ToSql;
use rusqlite::{params, CachedStatement, Statement, Transaction};

use std::borrow::Cow;

use super::canon::{role_key, Key, Prepared, Row, EDGE_SEP};
use crate::model::{key, scope_key, AssignmentSource, Flag, InputFile};

/// What one snapshot changed in one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TableChange {
    /// Rows inserted (new or changed records).
    pub(crate) inserted: i64,
    /// Open rows closed (removed or changed records).
    pub(crate) closed: i64,
    /// Records identical to an open row (nothing written).
    pub(crate) unchanged: i64,
}

/// What one snapshot changed, per versioned table (in schema order).
pub(crate) type TableChanges = Vec<(&'static str, TableChange)>;

/// How one versioned table is diffed: its name, how to read its open rows, how to
/// insert a version and how to close one.
struct Table {
    name: &'static str,
    /// `SELECT <locator>, <key>, <second key part or NULL>, hash FROM <t> WHERE
    /// valid_to IS NULL ORDER BY <key parts>`; the locator is the rowid (`valid_from`
    /// for the WITHOUT ROWID `member_edges`, keyed by group and member).
    open_sql: &'static str,
    insert_sql: &'static str,
    /// `?1` = valid_to, `?2` = locator (and for `member_edges`, `?3`/`?4` = keys).
    close_sql: &'static str,
}

/// Below this many inserts a table keeps its indexes while loading.
const BULK_MIN_ROWS: usize = 20_000;

/// Rows per multi-row `INSERT`: SQLite's per-statement work (starting the program,
/// opening cursors, resetting) is paid once per batch instead of once per row.
const BATCH: usize = 64;

/// `insert_sql` (`INSERT ... VALUES (?1, ..., ?n)`) with `rows` value lists,
/// numbered on: row `k`'s parameters are `?(k*n+1)..=?(k*n+n)`.
fn batch_sql(insert_sql: &str, rows: usize) -> (String, usize) {
    let (head, values) = insert_sql
        .split_once("VALUES")
        .expect("an INSERT ... VALUES statement");
    let n = values.matches('?').count();
    let lists: Vec<String> = (0..rows)
        .map(|k| {
            let list: Vec<String> = (1..=n).map(|j| format!("?{}", k * n + j)).collect();
            format!("({})", list.join(", "))
        })
        .collect();
    (format!("{head}VALUES {}", lists.join(", ")), n)
}

/// Binds one row's values from parameter `offset + 1` on.
fn bind(st: &mut Statement<'_>, offset: usize, values: &[&dyn ToSql]) -> rusqlite::Result<()> {
    for (i, v) in values.iter().enumerate() {
        st.raw_bind_parameter(offset + i + 1, *v)?;
    }
    Ok(())
}

/// Keeps NULL for an original spelling equal to its key (saves space on big tables).
fn unless_key<'a>(original: &'a str, key: &str) -> Option<&'a str> {
    (original != key).then_some(original)
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("model values serialize to JSON")
}

/// Closes one open row as of `previous` (the last snapshot that holds it).
fn close(
    st: &mut CachedStatement<'_>,
    table: &Table,
    previous: i64,
    locator: i64,
    key: &str,
) -> rusqlite::Result<usize> {
    if table.name == MEMBER_EDGES.name {
        let (g, m) = key.split_once(EDGE_SEP).unwrap_or((key, ""));
        st.execute(params![previous, locator, g, m])
    } else {
        st.execute(params![previous, locator])
    }
}

/// The table's secondary indexes as (name, CREATE statement).
fn secondary_indexes(tx: &Transaction<'_>, table: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = tx.prepare_cached(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 \
         AND sql IS NOT NULL ORDER BY name",
    )?;
    let rows = st.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

fn sync<T>(
    tx: &Transaction<'_>,
    table: &Table,
    rows: Vec<Row<'_, T>>,
    previous: Option<i64>,
    mut insert: impl FnMut(&mut Statement<'_>, usize, &Row<'_, T>) -> rusqlite::Result<()>,
) -> rusqlite::Result<TableChange> {
    // Merge the canonical rows (sorted by key) with the open rows, read once in key
    // order. Both orders are byte order; were they ever to differ, a record would
    // only be closed and re-inserted, never matched with another key.
    let mut change = TableChange::default();
    let mut to_insert: Vec<&Row<'_, T>> = Vec::new();
    let mut to_close: Vec<(i64, String)> = Vec::new();
    let mut pending = rows.iter().peekable();
    let mut open_before = 0usize;
    if previous.is_some() {
        let mut stmt = tx.prepare_cached(table.open_sql)?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            open_before += 1;
            let open_key = Key {
                first: Cow::Borrowed(r.get_ref(1)?.as_str()?),
                second: r.get_ref(2)?.as_str_or_null()?.map(Cow::Borrowed),
            };
            let (locator, hash): (i64, i64) = (r.get(0)?, r.get(3)?);
            while let Some(row) = pending.next_if(|row| row.key < open_key) {
                to_insert.push(row);
            }
            match pending.next_if(|row| row.key == open_key) {
                Some(row) if row.hash == hash => change.unchanged += 1,
                Some(row) => {
                    to_close.push((locator, open_key.to_string()));
                    to_insert.push(row);
                }
                None => to_close.push((locator, open_key.to_string())),
            }
        }
    }
    to_insert.extend(pending);

    if let Some(previous) = previous {
        let mut st = tx.prepare_cached(table.close_sql)?;
        for (locator, key) in &to_close {
            close(&mut st, table, previous, *locator, key)?;
        }
    }
    change.closed = to_close.len() as i64;
    change.inserted = to_insert.len() as i64;

    // Loading many rows: inserting into random-order secondary indexes costs far more
    // than rebuilding them afterwards (a sort), so drop them and recreate them from
    // their own schema text, inside this transaction.
    let bulk = to_insert.len() >= BULK_MIN_ROWS && to_insert.len() >= open_before / 4;
    let indexes = if bulk {
        let ix = secondary_indexes(tx, table.name)?;
        for (name, _) in &ix {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        ix
    } else {
        Vec::new()
    };
    // Whole batches in multi-row statements (rows keep their order), the rest one
    // by one.
    let whole = to_insert.len() / BATCH * BATCH;
    if whole > 0 {
        let (sql, n) = batch_sql(table.insert_sql, BATCH);
        let mut ins = tx.prepare(&sql)?;
        for batch in to_insert[..whole].chunks(BATCH) {
            for (k, row) in batch.iter().enumerate() {
                insert(&mut ins, k * n, row)?;
            }
            ins.raw_execute()?;
        }
    }
    let mut ins = tx.prepare_cached(table.insert_sql)?;
    for row in &to_insert[whole..] {
        insert(&mut ins, 0, row)?;
        ins.raw_execute()?;
    }
    drop(ins);
    // The rows are written: free them before the indexes are sorted.
    drop(to_insert);
    drop(rows);
    for (_, sql) in &indexes {
        tx.execute_batch(sql)?;
    }
    Ok(change)
}

const PRINCIPALS: Table = Table {
    name: "principals",
    open_sql: "SELECT rowid, key, NULL, hash FROM principals WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO principals (key, id, kind, display_name, user_principal_name, \
                 user_type, account_enabled, app_id, hash, valid_from, mail, other_mails, \
                 from_member_list) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    close_sql: "UPDATE principals SET valid_to = ?1 WHERE rowid = ?2",
};
const MEMBER_EDGES: Table = Table {
    name: "member_edges",
    open_sql: "SELECT valid_from, group_key, member_key, hash FROM member_edges \
               WHERE valid_to IS NULL ORDER BY group_key, member_key",
    insert_sql: "INSERT INTO member_edges (group_key, member_key, group_id, member_id, \
                 member_kind, hash, valid_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    close_sql: "UPDATE member_edges SET valid_to = ?1 \
                WHERE valid_from = ?2 AND group_key = ?3 AND member_key = ?4",
};
const MEMBER_LISTS: Table = Table {
    name: "member_lists",
    open_sql: "SELECT rowid, key, NULL, hash FROM member_lists WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO member_lists (key, group_id, hash, valid_from) \
                 VALUES (?1, ?2, ?3, ?4)",
    close_sql: "UPDATE member_lists SET valid_to = ?1 WHERE rowid = ?2",
};
const PARTIAL_MEMBER_LISTS: Table = Table {
    name: "partial_member_lists",
    open_sql: "SELECT rowid, key, NULL, hash FROM partial_member_lists WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO partial_member_lists (key, group_id, hash, valid_from) \
                 VALUES (?1, ?2, ?3, ?4)",
    close_sql: "UPDATE partial_member_lists SET valid_to = ?1 WHERE rowid = ?2",
};
const GROUP_ELIGIBILITIES: Table = Table {
    name: "group_eligibilities",
    open_sql: "SELECT rowid, key, NULL, hash FROM group_eligibilities WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO group_eligibilities (key, id, group_key, group_id, principal_key, \
                 principal_id, access_id, member_type, start_date_time, end_date_time, active, \
                 hash, valid_from) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    close_sql: "UPDATE group_eligibilities SET valid_to = ?1 WHERE rowid = ?2",
};
const ROLE_DEFINITIONS: Table = Table {
    name: "role_definitions",
    open_sql: "SELECT rowid, key, NULL, hash FROM role_definitions WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO role_definitions (key, id, role_name, role_type, description, \
                 permissions, assignable_scopes, hash, valid_from) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    close_sql: "UPDATE role_definitions SET valid_to = ?1 WHERE rowid = ?2",
};
const ROLE_ASSIGNMENTS: Table = Table {
    name: "role_assignments",
    open_sql: "SELECT rowid, key, NULL, hash FROM role_assignments WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO role_assignments (key, id, principal_key, principal_id, \
                 principal_type, principal_name, role_key, role_definition_id, \
                 role_definition_name, scope_key, scope, condition, condition_version, \
                 created_on, source, hash, valid_from, start_date_time, end_date_time, \
                 principal_display_name, can_delegate) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
                 ?16, ?17, ?18, ?19, ?20, ?21)",
    close_sql: "UPDATE role_assignments SET valid_to = ?1 WHERE rowid = ?2",
};
const ELIGIBILITIES: Table = Table {
    name: "eligibilities",
    open_sql: "SELECT rowid, key, NULL, hash FROM eligibilities WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO eligibilities (key, id, principal_key, principal_id, \
                 principal_type, role_key, role_definition_id, scope_key, scope, \
                 start_date_time, end_date_time, member_type, condition, hash, valid_from, \
                 role_definition_name, principal_display_name) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    close_sql: "UPDATE eligibilities SET valid_to = ?1 WHERE rowid = ?2",
};
const DENY_ASSIGNMENTS: Table = Table {
    name: "deny_assignments",
    open_sql: "SELECT rowid, key, NULL, hash FROM deny_assignments WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO deny_assignments (key, id, name, scope_key, scope, permissions, \
                 principals, exclude_principals, do_not_apply_to_child_scopes, condition, \
                 hash, valid_from, effect) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    close_sql: "UPDATE deny_assignments SET valid_to = ?1 WHERE rowid = ?2",
};
const SCOPES: Table = Table {
    name: "scopes",
    open_sql: "SELECT rowid, key, NULL, hash FROM scopes WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO scopes (key, id, kind, name, display_name, resource_type, \
                 parent_key, parent_id, hash, valid_from) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    close_sql: "UPDATE scopes SET valid_to = ?1 WHERE rowid = ?2",
};
const OPERATIONS: Table = Table {
    name: "operations",
    open_sql: "SELECT rowid, key, NULL, hash FROM operations WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO operations (key, name, display_name, is_data_action, provider, \
                 resource_type, hash, valid_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    close_sql: "UPDATE operations SET valid_to = ?1 WHERE rowid = ?2",
};

const RESOURCE_FACTS: Table = Table {
    name: "resource_facts",
    open_sql: "SELECT rowid, key, NULL, hash FROM resource_facts WHERE valid_to IS NULL \
               ORDER BY key",
    insert_sql: "INSERT INTO resource_facts (key, id, resource_type, facts, hash, valid_from) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    close_sql: "UPDATE resource_facts SET valid_to = ?1 WHERE rowid = ?2",
};

pub(crate) fn source_str(s: AssignmentSource) -> &'static str {
    match s {
        AssignmentSource::RoleAssignment => "RoleAssignment",
        AssignmentSource::PimActive => "PimActive",
    }
}

/// Brings every versioned table to `p` as snapshot `n` (`previous` = the snapshot
/// before it, if any). Returns the changes per table, in schema order.
pub(crate) fn write_tables(
    tx: &Transaction<'_>,
    p: Prepared<'_>,
    n: i64,
    previous: Option<i64>,
) -> rusqlite::Result<TableChanges> {
    let mut out = Vec::with_capacity(12);

    let c = sync(tx, &PRINCIPALS, p.principals, previous, |st, o, r| {
        let x = r.rec;
        bind(
            st,
            o,
            params![
                r.key.as_str(),
                x.id,
                x.kind.as_str(),
                x.display_name,
                x.user_principal_name,
                x.user_type,
                x.account_enabled,
                x.app_id,
                r.hash,
                n,
                x.mail,
                (!x.other_mails.is_empty()).then(|| json(&x.other_mails)),
                x.from_member_list
            ],
        )
    })?;
    out.push((PRINCIPALS.name, c));

    let c = sync(tx, &MEMBER_EDGES, p.member_edges, previous, |st, o, r| {
        let x = r.rec;
        let (g, m) = r.key.parts();
        bind(
            st,
            o,
            params![
                g,
                m,
                unless_key(&x.group_id, &g),
                unless_key(&x.member_id, &m),
                x.member_kind.map(|k| k.as_str()),
                r.hash,
                n
            ],
        )
    })?;
    out.push((MEMBER_EDGES.name, c));

    let c = sync(tx, &MEMBER_LISTS, p.member_lists, previous, |st, o, r| {
        bind(
            st,
            o,
            params![r.key.as_str(), unless_key(r.rec, r.key.as_str()), r.hash, n],
        )
    })?;
    out.push((MEMBER_LISTS.name, c));

    let c = sync(tx, &ROLE_DEFINITIONS, p.roles, previous, |st, o, r| {
        let x = r.rec;
        bind(
            st,
            o,
            params![
                r.key.as_str(),
                x.id,
                x.role_name,
                x.role_type,
                x.description,
                json(&x.permissions),
                json(&x.assignable_scopes),
                r.hash,
                n
            ],
        )
    })?;
    out.push((ROLE_DEFINITIONS.name, c));

    let c = sync(
        tx,
        &ROLE_ASSIGNMENTS,
        p.assignments,
        previous,
        |st, o, r| {
            let x = r.rec;
            bind(
                st,
                o,
                params![
                    r.key.as_str(),
                    x.id,
                    key(&x.principal_id),
                    x.principal_id,
                    x.principal_type,
                    x.principal_name,
                    role_key(&x.role_definition_id, x.role_definition_name.as_deref()),
                    x.role_definition_id,
                    x.role_definition_name,
                    scope_key(&x.scope),
                    x.scope,
                    x.condition,
                    x.condition_version,
                    x.created_on,
                    source_str(x.source),
                    r.hash,
                    n,
                    x.start_date_time,
                    x.end_date_time,
                    x.principal_display_name,
                    x.can_delegate
                ],
            )
        },
    )?;
    out.push((ROLE_ASSIGNMENTS.name, c));

    let c = sync(tx, &ELIGIBILITIES, p.eligibilities, previous, |st, o, r| {
        let x = r.rec;
        bind(
            st,
            o,
            params![
                r.key.as_str(),
                x.id,
                key(&x.principal_id),
                x.principal_id,
                x.principal_type,
                role_key(&x.role_definition_id, None),
                x.role_definition_id,
                scope_key(&x.scope),
                x.scope,
                x.start_date_time,
                x.end_date_time,
                x.member_type,
                x.condition,
                r.hash,
                n,
                x.role_definition_name,
                x.principal_display_name
            ],
        )
    })?;
    out.push((ELIGIBILITIES.name, c));

    let c = sync(tx, &DENY_ASSIGNMENTS, p.denies, previous, |st, o, r| {
        let x = r.rec;
        bind(
            st,
            o,
            params![
                r.key.as_str(),
                x.id,
                x.name,
                scope_key(&x.scope),
                x.scope,
                json(&x.permissions),
                json(&x.principals),
                json(&x.exclude_principals),
                x.do_not_apply_to_child_scopes,
                x.condition,
                r.hash,
                n,
                x.effect
            ],
        )
    })?;
    out.push((DENY_ASSIGNMENTS.name, c));

    let c = sync(tx, &SCOPES, p.scopes, previous, |st, o, r| {
        let x = r.rec;
        bind(
            st,
            o,
            params![
                r.key.as_str(),
                x.id,
                x.kind.as_str(),
                x.name,
                x.display_name,
                x.resource_type,
                x.parent_id.as_deref().map(scope_key),
                x.parent_id,
                r.hash,
                n
            ],
        )
    })?;
    out.push((SCOPES.name, c));

    let c = sync(tx, &OPERATIONS, p.operations, previous, |st, o, r| {
        let x = r.rec;
        bind(
            st,
            o,
            params![
                r.key.as_str(),
                x.name,
                x.display_name,
                x.is_data_action,
                x.provider,
                x.resource_type,
                r.hash,
                n
            ],
        )
    })?;
    out.push((OPERATIONS.name, c));

    let c = sync(
        tx,
        &PARTIAL_MEMBER_LISTS,
        p.partial_member_lists,
        previous,
        |st, o, r| {
            bind(
                st,
                o,
                params![r.key.as_str(), unless_key(r.rec, r.key.as_str()), r.hash, n],
            )
        },
    )?;
    out.push((PARTIAL_MEMBER_LISTS.name, c));

    let c = sync(
        tx,
        &GROUP_ELIGIBILITIES,
        p.group_eligibilities,
        previous,
        |st, o, r| {
            let x = r.rec;
            bind(
                st,
                o,
                params![
                    r.key.as_str(),
                    x.id,
                    key(&x.group_id),
                    x.group_id,
                    key(&x.principal_id),
                    x.principal_id,
                    x.access_id,
                    x.member_type,
                    x.start_date_time,
                    x.end_date_time,
                    x.active,
                    r.hash,
                    n
                ],
            )
        },
    )?;
    out.push((GROUP_ELIGIBILITIES.name, c));

    let c = sync(
        tx,
        &RESOURCE_FACTS,
        p.resource_facts,
        previous,
        |st, o, r| {
            let x = r.rec;
            bind(
                st,
                o,
                params![r.key.as_str(), x.id, x.resource_type, json(x), r.hash, n],
            )
        },
    )?;
    out.push((RESOURCE_FACTS.name, c));

    Ok(out)
}

/// The snapshot's input files and flags, in the order given.
pub(crate) fn write_files_and_flags(
    tx: &Transaction<'_>,
    n: i64,
    files: &[InputFile],
    flags: &[Flag],
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO snapshot_files (snapshot_id, seq, path, kind, sha256, records) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, f) in files.iter().enumerate() {
        st.execute(params![
            n,
            i as i64,
            f.path,
            f.kind,
            f.sha256,
            f.records as i64
        ])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO snapshot_flags (snapshot_id, seq, kind, subject, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, f) in flags.iter().enumerate() {
        st.execute(params![n, i as i64, f.kind, f.subject, f.detail])?;
    }
    Ok(())
}

/// The snapshot's collection ledger, when it came from a collection: the header
/// row and one row per entry, in file order.
pub(crate) fn write_ledger(
    tx: &Transaction<'_>,
    n: i64,
    ledger: Option<&crate::model::CollectionLedger>,
) -> rusqlite::Result<()> {
    let Some(l) = ledger else {
        return Ok(());
    };
    tx.execute(
        "INSERT INTO collection_ledgers (snapshot_id, tool, arm_url, graph_url, started_at, \
         finished_at, complete) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            n,
            l.tool,
            l.arm_url,
            l.graph_url,
            l.started_at,
            l.finished_at,
            l.complete
        ],
    )?;
    let mut st = tx.prepare_cached(
        "INSERT INTO collection_entries (snapshot_id, seq, api, collection, scope, scope_key, \
         status, http_status, pages, items, retries, error, files) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for (i, e) in l.entries.iter().enumerate() {
        let files = serde_json::to_string(&e.files).expect("strings serialize to JSON");
        st.execute(params![
            n,
            i as i64,
            e.api,
            e.collection,
            e.scope,
            crate::model::scope_key(&e.scope),
            e.status,
            e.http_status,
            e.pages,
            e.items,
            e.retries,
            e.error,
            files
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MemberEdge, Principal, PrincipalKind, Tenant};
    use crate::store::canon::canonicalize;
    use crate::store::{NewSnapshot, Store};

    #[test]
    fn batch_sql_numbers_every_row_on() {
        let (sql, n) = batch_sql("INSERT INTO t (a, b) VALUES (?1, ?2)", 3);
        assert_eq!(n, 2);
        assert_eq!(
            sql,
            "INSERT INTO t (a, b) VALUES (?1, ?2), (?3, ?4), (?5, ?6)"
        );
    }

    /// Tables larger than a batch (whole batches and a remainder) are written,
    /// read back and verified exactly, rows in key order.
    #[test]
    fn batched_inserts_round_trip() {
        let mut t = Tenant::default();
        for i in 0..(3 * BATCH + 7) {
            t.principals.push(Principal {
                mail: None,
                other_mails: Vec::new(),
                from_member_list: false,
                id: format!("P-{i:04}"),
                kind: PrincipalKind::User,
                display_name: format!("User {i}"),
                user_principal_name: (i % 3 == 0).then(|| format!("u{i}@c")),
                user_type: None,
                account_enabled: Some(i % 2 == 0),
                app_id: None,
            });
        }
        for i in 0..(2 * BATCH + 1) {
            t.member_edges.push(MemberEdge {
                group_id: format!("g{}", i % 5),
                member_id: format!("P-{i:04}"),
                member_kind: (i % 4 != 0).then_some(PrincipalKind::User),
            });
        }
        t.member_lists = (0..5).map(|g| format!("G{g}")).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let mut store = Store::open(&path).unwrap();
        let meta = NewSnapshot {
            taken_at: "2026-01-01T00:00:00Z".into(),
            label: None,
            tool_version: "test".into(),
        };
        let s = store.write_snapshot(&meta, &t, &[], &[]).unwrap();
        assert_eq!(store.load_tenant(s.id).unwrap(), canonicalize(&t));
        assert_eq!(store.verify(s.id).unwrap(), None);
        let keys: Vec<String> = {
            let mut st = store
                .conn
                .prepare("SELECT key FROM principals ORDER BY rowid")
                .unwrap();
            let rows = st.query_map([], |r| r.get(0)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(keys.len(), 3 * BATCH + 7);
        // A second snapshot of the same tenant inserts nothing.
        let (_, changes) = store
            .write_snapshot_with_changes(&meta, &t, &[], &[])
            .unwrap();
        assert!(changes.iter().all(|(_, c)| c.inserted == 0), "{changes:?}");
    }
}
