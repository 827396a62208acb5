//! History queries: two snapshots read in one pass (for `diff`), and the
//! per-snapshot check of content and chain hashes (for `verify`).
//!
//! [`Store::load_pair`] reads every versioned table once, keeping the rows that
//! belong to either snapshot and handing each row to the snapshot(s) it belongs to:
//! rows the two share (most of them, between two imports of one tenant) are read
//! once, and no table is sorted by SQLite (the diff does not need canonical order).
//! [`Store::verify_all`] recomputes what [`Store::verify`] recomputes, for every
//! snapshot, without stopping at the first mismatch: the content hash from the rows
//! as stored, and the chain hash in the snapshot's version (version 2 covers its
//! provenance: id, tool version, import time, input files, flags). This module only
//! reads.

use rusqlite::{params, Connection, Row};

use crate::model::{Flag, InputFile, MemberEdge, Tenant};

use super::canon::{chain_hash, chain_hash_v2, content_hash, ChainInput, CHAIN_VERSION};
use super::read;
use super::{Store, StoreError};

/// The result of checking one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SnapshotCheck {
    pub(crate) id: i64,
    pub(crate) taken_at: String,
    pub(crate) label: Option<String>,
    /// The content hash recorded at import.
    pub(crate) recorded_content: String,
    /// The content hash of the rows as they are stored now.
    pub(crate) actual_content: String,
    /// The chain hash recorded at import.
    pub(crate) recorded_chain: String,
    /// The chain hash recomputed from the previous snapshot's recorded chain hash
    /// and this snapshot's recorded content hash, time and label (version 1), and
    /// also its id, tool version, import time, input files and flags (version 2).
    pub(crate) expected_chain: String,
    /// How the chain hash is computed: 1 before V5, 2 since (covers provenance).
    pub(crate) chain_version: i64,
    pub(crate) tool_version: String,
    pub(crate) imported_at: String,
    /// The chain hash recomputed from scratch: from the previous snapshot's
    /// *computed* link and this snapshot's rows as stored now. Equal to the
    /// recorded one when nothing was altered; what a receipt is checked against.
    pub(crate) computed_chain: String,
    /// A break that is not a hash mismatch (an unknown chain version, or version 1
    /// after version 2).
    pub(crate) problem: Option<String>,
    /// Rows whose key columns (which the content hash does not cover) disagree with
    /// their records, or one record in two rows: the content was altered.
    pub(crate) key_problem: Option<String>,
}

impl SnapshotCheck {
    pub(crate) fn content_ok(&self) -> bool {
        self.recorded_content == self.actual_content && self.key_problem.is_none()
    }

    pub(crate) fn chain_ok(&self) -> bool {
        self.recorded_chain == self.expected_chain && self.problem.is_none()
    }

    pub(crate) fn ok(&self) -> bool {
        self.content_ok() && self.chain_ok()
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
    pub(crate) fn load_pair(&self, a: i64, b: i64) -> Result<(Tenant, Tenant), StoreError> {
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
                    read::EDGE_COLS,
                    ab,
                    (&mut ea, &mut eb),
                    read::edge_row,
                )?;
                Ok((ea, eb))
            };
        // Opened as a question's connection is (read-only, immutable in a read-only
        // directory), so that a read-only copy is read in parallel too.
        let second = conn
            .path()
            .filter(|p| !p.is_empty())
            .and_then(|p| super::open::second_reader(std::path::Path::new(p)));
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
            read::PRINCIPAL_COLS,
            ab,
            (&mut ta.principals, &mut tb.principals),
            read::principal_row,
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
            read::ROLE_COLS,
            ab,
            (&mut ta.roles, &mut tb.roles),
            read::role_row,
        )?;
        each(
            conn,
            "role_assignments",
            read::ASSIGNMENT_COLS,
            ab,
            (&mut ta.assignments, &mut tb.assignments),
            read::assignment_row,
        )?;
        each(
            conn,
            "eligibilities",
            read::ELIGIBILITY_COLS,
            ab,
            (&mut ta.eligibilities, &mut tb.eligibilities),
            read::eligibility_row,
        )?;
        each(
            conn,
            "deny_assignments",
            read::DENY_COLS,
            ab,
            (&mut ta.denies, &mut tb.denies),
            read::deny_row,
        )?;
        each(
            conn,
            "scopes",
            read::SCOPE_COLS,
            ab,
            (&mut ta.scopes, &mut tb.scopes),
            read::scope_row,
        )?;
        each(
            conn,
            "operations",
            read::OPERATION_COLS,
            ab,
            (&mut ta.operations, &mut tb.operations),
            read::operation_row,
        )?;
        each(
            conn,
            "partial_member_lists",
            "COALESCE(group_id, key)",
            ab,
            (&mut ta.partial_member_lists, &mut tb.partial_member_lists),
            |r| r.get(0),
        )?;
        each(
            conn,
            "group_eligibilities",
            read::GROUP_ELIGIBILITY_COLS,
            ab,
            (&mut ta.group_eligibilities, &mut tb.group_eligibilities),
            read::group_eligibility_row,
        )?;
        each(
            conn,
            "resource_facts",
            read::RESOURCE_FACTS_COLS,
            ab,
            (&mut ta.resource_facts, &mut tb.resource_facts),
            read::resource_facts_row,
        )?;
        ta.listed_kinds = Some(read::listed_kinds(conn, ab.0)?);
        ta.mg_holdings = read::mg_holdings(conn, ab.0)?;
        tb.mg_holdings = read::mg_holdings(conn, ab.1)?;
        tb.listed_kinds = Some(read::listed_kinds(conn, ab.1)?);
        Ok(())
    }

    /// Every snapshot, oldest first, with its recorded and recomputed hashes. The
    /// chain is recomputed link by link from each previous snapshot's *recorded*
    /// chain hash, so one altered snapshot shows as one mismatch; each snapshot's
    /// hash is also recomputed from scratch (`computed_chain`), which is what a
    /// receipt is checked against.
    pub(crate) fn verify_all(&self) -> Result<Vec<SnapshotCheck>, StoreError> {
        snapshot_checks(&self.conn, None)
    }

    /// What SQLite's own `PRAGMA integrity_check` finds wrong with the file (the
    /// first 20 problems; none when it is sound): an index rewritten to disagree
    /// with its table answers lookups (a user by name) with another row while
    /// every row, and so every hash, is as recorded.
    pub(crate) fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare("PRAGMA integrity_check(20)")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if r != "ok" {
                out.push(r);
            }
        }
        Ok(out)
    }
}

/// A snapshot as `snapshots` records it.
struct SnapshotRow {
    id: i64,
    taken_at: String,
    label: Option<String>,
    tool_version: String,
    imported_at: String,
    content_hash: String,
    chain_hash: String,
    chain_version: i64,
}

/// The input files of a snapshot as stored, in `seq` order. `records` round-trips
/// the stored integer exactly (the chain hashes it as stored).
pub(crate) fn stored_files(conn: &Connection, id: i64) -> rusqlite::Result<Vec<InputFile>> {
    let mut st = conn.prepare_cached(
        "SELECT path, kind, sha256, records FROM snapshot_files WHERE snapshot_id = ?1 \
         ORDER BY seq",
    )?;
    let rows = st.query_map([id], |r| {
        Ok(InputFile {
            path: r.get(0)?,
            kind: r.get(1)?,
            sha256: r.get(2)?,
            records: r.get::<_, i64>(3)? as usize,
        })
    })?;
    rows.collect()
}

/// The flags of a snapshot as stored, in `seq` order.
pub(crate) fn stored_flags(conn: &Connection, id: i64) -> rusqlite::Result<Vec<Flag>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, subject, detail FROM snapshot_flags WHERE snapshot_id = ?1 ORDER BY seq",
    )?;
    let rows = st.query_map([id], |r| {
        Ok(Flag {
            kind: r.get(0)?,
            subject: r.get(1)?,
            detail: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// Whether `e` is a stored value that does not convert to what whocan wrote there
/// (text where JSON was, an unknown enum word, a wrong type): tampering, not a
/// failure of the database.
pub(crate) fn unreadable_value(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::Utf8Error(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
    )
}

/// The rows of snapshot `s` whose key columns (the lowercase ids queries look
/// records up by, which the content hash does not cover: it hashes the records'
/// own fields) disagree with what their records derive, or one record held by two
/// rows: the first such table, described. The writer derives the same columns
/// (`write.rs`) from the same rules (`model::key`, `role_key`, `scope_key` and
/// each record's natural key).
fn key_problem(conn: &Connection, s: i64, t: &Tenant) -> rusqlite::Result<Option<String>> {
    use super::canon::Record;
    use crate::model::{key, role_key, scope_key};
    fn check<T: Record>(
        conn: &Connection,
        s: i64,
        table: &str,
        cols: &[&str],
        recs: &[T],
        derive: impl Fn(&T) -> Vec<Option<String>>,
    ) -> rusqlite::Result<Option<String>> {
        // Row by row, in the order `read::load` read the records (by stored key),
        // streamed: once every row's stored key is its record's, the records'
        // natural keys come in order too, so a record held by two rows is two
        // neighbours.
        let order = if table == "member_edges" {
            "group_key, member_key"
        } else {
            "key"
        };
        let sql = format!(
            "SELECT {} FROM {table} WHERE {} ORDER BY {order}",
            cols.join(", "),
            read::IN_SNAPSHOT
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([s])?;
        let show = |v: &[Option<String>]| {
            v.iter()
                .map(|c| c.as_deref().unwrap_or("NULL"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut previous: Option<String> = None;
        for r in recs {
            let Some(row) = rows.next()? else {
                break;
            };
            let got = (0..cols.len())
                .map(|i| row.get::<_, Option<String>>(i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let k = r.natural_key();
            let (a, b) = k.parts();
            let mut want = vec![Some(a.into_owned())];
            if k.second.is_some() {
                want.push(Some(b.into_owned()));
            }
            want.extend(derive(r));
            if got != want {
                return Ok(Some(format!(
                    "{table}: a row's key columns ({}) do not match its record: stored {}, where its record gives {}",
                    cols.join(", "),
                    show(&got),
                    show(&want)
                )));
            }
            let natural = k.to_string();
            if previous.as_deref() == Some(natural.as_str()) {
                return Ok(Some(format!(
                    "{table}: two rows hold the record {} in this snapshot (a row added by hand?)",
                    natural.replace(super::canon::EDGE_SEP, " → ")
                )));
            }
            previous = Some(natural);
        }
        Ok(None)
    }
    fn none<T>(_: &T) -> Vec<Option<String>> {
        Vec::new()
    }
    let found = [
        check(conn, s, "principals", &["key"], &t.principals, none)?,
        check(
            conn,
            s,
            "member_edges",
            &["group_key", "member_key"],
            &t.member_edges,
            none,
        )?,
        check(conn, s, "member_lists", &["key"], &t.member_lists, none)?,
        check(
            conn,
            s,
            "partial_member_lists",
            &["key"],
            &t.partial_member_lists,
            none,
        )?,
        check(
            conn,
            s,
            "group_eligibilities",
            &["key", "group_key", "principal_key"],
            &t.group_eligibilities,
            |g| vec![Some(key(&g.group_id)), Some(key(&g.principal_id))],
        )?,
        check(conn, s, "role_definitions", &["key"], &t.roles, none)?,
        check(
            conn,
            s,
            "role_assignments",
            &["key", "principal_key", "role_key", "scope_key"],
            &t.assignments,
            |a| {
                vec![
                    Some(key(&a.principal_id)),
                    Some(role_key(
                        &a.role_definition_id,
                        a.role_definition_name.as_deref(),
                    )),
                    Some(scope_key(&a.scope)),
                ]
            },
        )?,
        check(
            conn,
            s,
            "eligibilities",
            &["key", "principal_key", "role_key", "scope_key"],
            &t.eligibilities,
            |e| {
                vec![
                    Some(key(&e.principal_id)),
                    Some(role_key(&e.role_definition_id, None)),
                    Some(scope_key(&e.scope)),
                ]
            },
        )?,
        check(
            conn,
            s,
            "deny_assignments",
            &["key", "scope_key"],
            &t.denies,
            |d| vec![Some(scope_key(&d.scope))],
        )?,
        check(conn, s, "scopes", &["key", "parent_key"], &t.scopes, |n| {
            vec![n.parent_id.as_deref().map(scope_key)]
        })?,
        check(conn, s, "operations", &["key"], &t.operations, none)?,
        check(conn, s, "resource_facts", &["key"], &t.resource_facts, none)?,
    ];
    Ok(found.into_iter().flatten().next())
}

/// The chain hash of one snapshot in its version, from `previous` and the given
/// content hash; None for a version this binary does not know.
fn link(
    conn: &Connection,
    s: &SnapshotRow,
    previous: &str,
    content: &str,
) -> rusqlite::Result<Option<String>> {
    Ok(match s.chain_version {
        1 => Some(chain_hash(
            previous,
            content,
            &s.taken_at,
            s.label.as_deref(),
        )),
        2 => {
            let (files, flags) = (stored_files(conn, s.id)?, stored_flags(conn, s.id)?);
            Some(chain_hash_v2(
                previous,
                &ChainInput {
                    id: s.id,
                    content_hash: content,
                    taken_at: &s.taken_at,
                    label: s.label.as_deref(),
                    tool_version: &s.tool_version,
                    imported_at: &s.imported_at,
                    files: &files,
                    flags: &flags,
                },
            ))
        }
        _ => None,
    })
}

/// Checks the snapshots up to `upto` (all when None), oldest first.
pub(crate) fn snapshot_checks(
    conn: &Connection,
    upto: Option<i64>,
) -> Result<Vec<SnapshotCheck>, StoreError> {
    let mut st = conn.prepare(
        "SELECT id, taken_at, label, tool_version, imported_at, content_hash, chain_hash, \
         chain_version FROM snapshots WHERE id <= ?1 ORDER BY id",
    )?;
    let rows = st
        .query_map([upto.unwrap_or(i64::MAX)], |r| {
            Ok(SnapshotRow {
                id: r.get(0)?,
                taken_at: r.get(1)?,
                label: r.get(2)?,
                tool_version: r.get(3)?,
                imported_at: r.get(4)?,
                content_hash: r.get(5)?,
                chain_hash: r.get(6)?,
                chain_version: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut previous = String::new();
    let mut computed_previous = String::new();
    let mut highest_version = 0;
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        // A value whocan never writes (an edited JSON or enum column) cannot be
        // read back: the snapshot was altered, which is what verify reports.
        let (tenant, unreadable) = match read::load(conn, s.id) {
            Ok(t) => (t, None),
            Err(e) if unreadable_value(&e) => (Tenant::default(), Some(e.to_string())),
            Err(e) => return Err(e.into()),
        };
        let actual = content_hash(&tenant);
        let keys = match unreadable {
            Some(why) => Some(format!(
                "a stored value cannot be read back ({why}): a row was edited outside whocan"
            )),
            None => key_problem(conn, s.id, &tenant)?,
        };
        drop(tenant);
        let expected = link(conn, &s, &previous, &s.content_hash)?;
        let computed = link(conn, &s, &computed_previous, &actual)?;
        let problem = if expected.is_none() {
            Some(format!(
                "its chain version {} is unknown to this whocan (it knows 1 and {CHAIN_VERSION})",
                s.chain_version
            ))
        } else if s.chain_version < highest_version {
            Some(format!(
                "its chain version {} follows a version-{highest_version} snapshot: a snapshot \
                 imported since the chain covered provenance was rewritten in the old form",
                s.chain_version
            ))
        } else {
            None
        };
        highest_version = highest_version.max(s.chain_version);
        previous = s.chain_hash.clone();
        computed_previous = computed.clone().unwrap_or_default();
        out.push(SnapshotCheck {
            id: s.id,
            taken_at: s.taken_at,
            label: s.label,
            chain_version: s.chain_version,
            tool_version: s.tool_version,
            imported_at: s.imported_at,
            recorded_content: s.content_hash,
            actual_content: actual,
            recorded_chain: s.chain_hash,
            expected_chain: expected.unwrap_or_default(),
            computed_chain: computed.unwrap_or_default(),
            problem,
            key_problem: keys,
        });
    }
    Ok(out)
}
