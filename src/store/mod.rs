//! The store: the only module that speaks SQL.
//!
//! One [`Store`] owns one rusqlite connection. Opening creates the file with mode
//! 0600 if absent, applies the pragmas (WAL, foreign keys, busy timeout) and the
//! embedded refinery migrations (`migrations/`). A snapshot is written in one
//! transaction: either it exists completely or the database is as it was.
//! Snapshots are stored as validity intervals (see `migrations/V1__init.sql` and
//! `write.rs`), so a quarter that changed little costs little.
//! Nothing outside this module names a table; this module must never write outside
//! a transaction, never rewrite a closed row, and never loosen the file's mode.

use std::time::Duration;

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::model::time::Forms;
use crate::model::{Flag, InputFile, Snapshot, Tenant, Timestamp};

mod browse;
mod canon;
pub(crate) mod history;
mod lookup;
mod open;
mod read;
pub(crate) mod review;
mod slice;
mod write;

pub(crate) use lookup::IdSeen;
pub(crate) use open::Reads;
pub(crate) use slice::{SliceRequest, SliceRounds};

#[cfg(test)]
mod tests;

pub(crate) use canon::CHAIN_VERSION;
pub use canon::{chain_hash, chain_hash_v2, review_chain_hash, ChainInput, TrailLink, TrailRow};
pub(crate) use write::TableChanges;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// How long a connection waits for another one's lock by default (an import holds
/// the write lock for its whole transaction; WAL readers are not blocked by it);
/// [`BUSY_TIMEOUT_ENV`] overrides it.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// Upgrading the schema failed for a reason of the environment (what it wraps
    /// decides the exit code: a lock, a full disk, an I/O error).
    #[error("database {path}: upgrading its schema to version {to} failed")]
    Migrate {
        path: String,
        to: i64,
        #[source]
        source: refinery::Error,
    },
    /// The schema history (`refinery_schema_history`) or the tables it describes
    /// are not what whocan wrote: left unchanged.
    #[error(
        "database {path}: its schema history was altered outside whocan: {why}\nhint: restore \
         the database from a backup you trust (`whocan verify` on the copy shows whether its \
         snapshots are intact); {path} was left unchanged"
    )]
    Altered { path: String, why: String },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// The database file could not be looked at (its kind decides the exit code).
    #[error("database {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Not a file whocan made (not SQLite, another application's): left unchanged.
    #[error(
        "database {path} is not a whocan database: {why}\nhint: --db must name a database \
         whocan created, or a new file; {path} was left unchanged"
    )]
    NotWhocan { path: String, why: String },
    /// A schema from a newer whocan.
    #[error(
        "database {path} has schema version {found}, newer than this whocan supports \
         ({supported})\nhint: use the whocan that wrote it, or a newer one; the database was \
         left unchanged"
    )]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    /// A command that writes met a database it cannot write.
    #[error("database {path} is read-only: {why}\nhint: {hint}")]
    ReadOnly {
        path: String,
        why: String,
        hint: String,
    },
    /// SQLite would not use its write-ahead log for the database (the file
    /// system gives no shared memory, or another process holds it in another
    /// journal mode): the environment's failure, nothing written.
    #[error(
        "database {path}: SQLite cannot use its write-ahead log for it (the journal mode \
         stayed {mode:?}); nothing was written\nhint: keep the database on a local file \
         system (not a network share), and make sure no other program has it open"
    )]
    NoWal { path: String, mode: String },
    /// What was asked, with a `hint:` naming the snapshots that exist.
    #[error("{0}")]
    NoSnapshot(String),
    #[error("the database holds no snapshot yet\nhint: run `whocan import PATH...` first")]
    Empty,
    /// A timestamp that is neither RFC 3339 nor `YYYY-MM-DD` (user input).
    #[error("invalid time {0:?}: expected RFC 3339 (2026-10-01T00:00:00Z) or YYYY-MM-DD")]
    BadTime(String),
    #[error("{0}")]
    Other(String),
}

/// Which snapshot a query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SnapshotSelector {
    Latest,
    Id(i64),
    /// The latest snapshot taken at or before this RFC 3339 instant (a bare
    /// `YYYY-MM-DD` means the end of that day, UTC).
    AsOf(String),
}

/// What `import` asks the store to record about a new snapshot.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    /// RFC 3339 (stored normalised to UTC, whole seconds).
    pub taken_at: String,
    pub label: Option<String>,
    pub tool_version: String,
}

/// Row counts, for measuring growth across snapshots.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoreStats {
    pub(crate) snapshots: i64,
    /// Per versioned table (schema order): all rows ever written, and the rows
    /// still open (present in the latest snapshot).
    pub(crate) tables: Vec<TableStats>,
    /// Size of the main database file (page_count × page_size), in bytes.
    pub(crate) db_bytes: i64,
}

#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableStats {
    pub(crate) name: &'static str,
    pub(crate) rows: i64,
    pub(crate) open_rows: i64,
}

/// The versioned tables, in schema order.
#[cfg(test)]
pub(crate) const VERSIONED_TABLES: [&str; 12] = [
    "principals",
    "member_edges",
    "member_lists",
    "role_definitions",
    "role_assignments",
    "eligibilities",
    "deny_assignments",
    "scopes",
    "operations",
    "partial_member_lists",
    "group_eligibilities",
    "resource_facts",
];

pub struct Store {
    conn: rusqlite::Connection,
}

/// Reads a time given to or held by the store ([`Forms::STORE`]: RFC 3339,
/// `YYYY-MM-DDTHH:MM:SS[.f]` taken as UTC, or `YYYY-MM-DD`: the start of that day,
/// or its last second when `end_of_day`).
fn parse_time(s: &str, end_of_day: bool) -> Result<Timestamp, StoreError> {
    let forms = if end_of_day {
        Forms::STORE.end_of_day()
    } else {
        Forms::STORE
    };
    Timestamp::parse_with(s, forms).ok_or_else(|| StoreError::BadTime(s.to_string()))
}

/// Normalises a timestamp as `snapshots.taken_at` stores it: the one format
/// ([`crate::model::time::FORMAT`]: UTC, whole seconds, so that string order is
/// time order; sub-second precision is dropped). Accepts what [`parse_time`] does.
pub(crate) fn normalize_time(s: &str) -> Result<String, StoreError> {
    Ok(parse_time(s, false)?.to_string())
}

fn snapshot_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Snapshot> {
    Ok(Snapshot {
        id: r.get(0)?,
        taken_at: r.get(1)?,
        label: r.get(2)?,
        tool_version: r.get(3)?,
        imported_at: r.get(4)?,
        content_hash: r.get(5)?,
    })
}

const SNAPSHOT_COLS: &str = "id, taken_at, label, tool_version, imported_at, content_hash";

/// The highest migration in `migrations/` (a test keeps the two in step).
pub(crate) const SCHEMA_VERSION: i64 = 15;

impl Store {
    /// Writes a complete snapshot in one transaction and returns its metadata.
    pub fn write_snapshot(
        &mut self,
        meta: &NewSnapshot,
        tenant: &Tenant,
        files: &[InputFile],
        flags: &[Flag],
    ) -> Result<Snapshot, StoreError> {
        self.write_snapshot_with_changes(meta, tenant, files, flags)
            .map(|(s, _)| s)
    }

    /// [`Store::write_snapshot`], also returning what changed in each versioned table
    /// relative to the previous snapshot.
    pub(crate) fn write_snapshot_with_changes(
        &mut self,
        meta: &NewSnapshot,
        tenant: &Tenant,
        files: &[InputFile],
        flags: &[Flag],
    ) -> Result<(Snapshot, TableChanges), StoreError> {
        let taken_at = normalize_time(&meta.taken_at)?;
        let imported_at = Timestamp::now().to_string();
        let prepared = canon::prepare(tenant);

        // Immediate: take the write lock now (waiting up to the busy timeout) rather
        // than failing on the first write of a deferred transaction.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let previous: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, chain_hash FROM snapshots ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        // The chain (version 2) covers the snapshot's id and provenance, so the id
        // is chosen here, inside the write lock: the next after the latest.
        let id = previous.as_ref().map_or(1, |p| p.0 + 1);
        let chain = chain_hash_v2(
            previous.as_ref().map_or("", |p| p.1.as_str()),
            &ChainInput {
                id,
                content_hash: &prepared.content_hash,
                taken_at: &taken_at,
                label: meta.label.as_deref(),
                tool_version: &meta.tool_version,
                imported_at: &imported_at,
                files,
                flags,
            },
        );
        tx.execute(
            "INSERT INTO snapshots (id, taken_at, label, tool_version, imported_at, content_hash, \
             chain_hash, chain_version, gap_flags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                taken_at,
                meta.label,
                meta.tool_version,
                imported_at,
                prepared.content_hash,
                chain,
                CHAIN_VERSION,
                slice::GAP_FLAGS
            ],
        )?;
        let content_hash = prepared.content_hash.clone();
        // The tables' rows are freed as each is written.
        let changes = write::write_tables(&tx, prepared, id, previous.map(|p| p.0))?;
        write::write_files_and_flags(&tx, id, files, flags)?;
        write::write_ledger(&tx, id, tenant.collection.as_ref())?;
        tx.commit()?;
        Ok((
            Snapshot {
                id,
                taken_at,
                label: meta.label.clone(),
                tool_version: meta.tool_version.clone(),
                imported_at,
                content_hash,
            },
            changes,
        ))
    }

    /// All snapshots, oldest first.
    pub(crate) fn snapshots(&self) -> Result<Vec<Snapshot>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {SNAPSHOT_COLS} FROM snapshots ORDER BY id"
        ))?;
        let rows = st.query_map([], snapshot_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per snapshot imported from a collection: whether the collection was
    /// complete and how many distinct scopes it could not read. Snapshots not
    /// collected are absent.
    pub(crate) fn collection_summaries(
        &self,
    ) -> Result<std::collections::BTreeMap<i64, crate::model::CollectionSummary>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT l.snapshot_id, l.complete, \
             (SELECT COUNT(DISTINCT e.scope_key) FROM collection_entries e \
              WHERE e.snapshot_id = l.snapshot_id AND lower(e.api) = 'arm' \
              AND lower(e.status) <> 'complete') \
             FROM collection_ledgers l ORDER BY l.snapshot_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                crate::model::CollectionSummary {
                    complete: r.get(1)?,
                    unreadable: r.get::<_, i64>(2)? as usize,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {SNAPSHOT_COLS} FROM snapshots WHERE id = ?1"),
                [id],
                snapshot_from_row,
            )
            .optional()?)
    }

    fn require(&self, id: i64) -> Result<Snapshot, StoreError> {
        match self.snapshot(id)? {
            Some(s) => Ok(s),
            None => Err(StoreError::NoSnapshot(format!(
                "no snapshot {id}\n{}",
                self.snapshots_hint()?
            ))),
        }
    }

    /// A `hint:` line naming the snapshots that exist (ids and when each was taken).
    fn snapshots_hint(&self) -> Result<String, StoreError> {
        let all = self.snapshots()?;
        if all.is_empty() {
            return Ok(
                "hint: the database holds no snapshot yet; run `whocan import PATH...` first"
                    .into(),
            );
        }
        let shown: Vec<String> = all
            .iter()
            .rev()
            .take(5)
            .map(|s| format!("{} (taken {})", s.id, s.taken_at))
            .collect();
        let more = if all.len() > 5 { ", ..." } else { "" };
        Ok(format!(
            "hint: the snapshots are {}{more}; `whocan snapshots` lists them all",
            shown.join(", ")
        ))
    }

    /// Latest: the highest id (`Empty` when none). Id: that snapshot (`NoSnapshot`
    /// when absent). AsOf: the latest-taken snapshot with `taken_at` at or before the
    /// instant, the highest id among equals (`NoSnapshot` when none; `BadTime` when
    /// the instant does not parse).
    pub(crate) fn resolve(&self, selector: &SnapshotSelector) -> Result<Snapshot, StoreError> {
        match selector {
            SnapshotSelector::Latest => self
                .conn
                .query_row(
                    &format!("SELECT {SNAPSHOT_COLS} FROM snapshots ORDER BY id DESC LIMIT 1"),
                    [],
                    snapshot_from_row,
                )
                .optional()?
                .ok_or(StoreError::Empty),
            SnapshotSelector::Id(id) => self.require(*id),
            SnapshotSelector::AsOf(when) => {
                let limit = parse_time(when, true)?;
                let mut best: Option<(Timestamp, Snapshot)> = None;
                for s in self.snapshots()? {
                    let Ok(t) = parse_time(&s.taken_at, false) else {
                        continue;
                    };
                    if t <= limit && best.as_ref().is_none_or(|(bt, _)| t >= *bt) {
                        best = Some((t, s));
                    }
                }
                match best {
                    Some((_, s)) => Ok(s),
                    None => Err(StoreError::NoSnapshot(format!(
                        "no snapshot taken at or before {when}{}\n{}",
                        if limit.to_string() == *when {
                            String::new()
                        } else {
                            format!(" ({limit})")
                        },
                        self.snapshots_hint()?
                    ))),
                }
            }
        }
    }

    /// Only what one question needs from a snapshot (see [`SliceRequest`]): the
    /// engine decides the same on it as on the whole snapshot.
    pub(crate) fn load_slice(
        &self,
        snapshot_id: i64,
        req: &SliceRequest,
    ) -> Result<Tenant, StoreError> {
        Ok(slice::load_slice(&self.conn, snapshot_id, req)?)
    }

    /// Adds to a slice read in rounds what `req` asks that its rounds before
    /// did not read (see [`SliceRounds`]).
    pub(crate) fn read_slice_round(
        &self,
        snapshot_id: i64,
        rounds: &mut SliceRounds,
        req: &SliceRequest,
    ) -> Result<(), StoreError> {
        Ok(rounds.read(&self.conn, snapshot_id, req)?)
    }

    /// Adds the groups nested (transitively) in `seeds` to a slice (for `can`'s
    /// `incomplete`).
    pub(crate) fn expand_groups(
        &self,
        snapshot_id: i64,
        tenant: &mut Tenant,
        seeds: &[String],
    ) -> Result<(), StoreError> {
        Ok(slice::expand_groups(
            &self.conn,
            snapshot_id,
            tenant,
            seeds,
        )?)
    }

    /// Adds to a slice the members of `seeds`, transitively (edges, principals and
    /// member lists), for `who`.
    pub(crate) fn expand_members(
        &self,
        snapshot_id: i64,
        tenant: &mut Tenant,
        seeds: &[String],
    ) -> Result<(), StoreError> {
        Ok(slice::expand(&self.conn, snapshot_id, tenant, seeds)?)
    }

    /// Every scope node of a snapshot.
    pub fn scopes(&self, snapshot_id: i64) -> Result<Vec<crate::model::ScopeNode>, StoreError> {
        Ok(slice::scopes(&self.conn, snapshot_id)?)
    }

    /// The root, management-group and subscription nodes of a snapshot.
    pub(crate) fn tree_scopes(
        &self,
        snapshot_id: i64,
    ) -> Result<Vec<crate::model::ScopeNode>, StoreError> {
        Ok(slice::tree_scopes(&self.conn, snapshot_id)?)
    }

    /// The scope node with this [`crate::model::scope_key`], if any.
    pub(crate) fn scope_by_key(
        &self,
        snapshot_id: i64,
        key: &str,
    ) -> Result<Option<crate::model::ScopeNode>, StoreError> {
        Ok(slice::scope_by_key(&self.conn, snapshot_id, key)?)
    }

    /// AzureML workspaces named `name` (case-insensitive), or all of them.
    pub(crate) fn workspaces(
        &self,
        snapshot_id: i64,
        name: Option<&str>,
    ) -> Result<Vec<crate::model::ScopeNode>, StoreError> {
        Ok(slice::workspaces(&self.conn, snapshot_id, name)?)
    }

    /// Principals whose object id, appId, user principal name, mail or display
    /// name is `text` (ASCII case-insensitive), by the first of those columns that
    /// matches: one index seek per column.
    pub(crate) fn find_principals(
        &self,
        snapshot_id: i64,
        text: &str,
    ) -> Result<Vec<crate::model::Principal>, StoreError> {
        Ok(lookup::find_principals(&self.conn, snapshot_id, text)?)
    }

    /// The keys of the principals whose appId is one of `app_ids` (ASCII
    /// case-insensitive), sorted, each once: one index seek per appId.
    pub(crate) fn principal_keys_by_app_id(
        &self,
        snapshot_id: i64,
        app_ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        Ok(lookup::principal_keys_by_app_id(
            &self.conn,
            snapshot_id,
            app_ids,
        )?)
    }

    /// Every principal record of a snapshot, one at a time, none kept (the
    /// accent-insensitive match and the `did you mean` of a name nothing matched
    /// exactly: an error path).
    pub(crate) fn each_principal(
        &self,
        snapshot_id: i64,
        f: &mut dyn FnMut(crate::model::Principal),
    ) -> Result<(), StoreError> {
        Ok(lookup::each_principal(&self.conn, snapshot_id, f)?)
    }

    /// Every role assignment of a snapshot, one at a time, none kept (a name no
    /// principal record has may be one an assignment gives: an error path).
    pub(crate) fn each_assignment(
        &self,
        snapshot_id: i64,
        f: &mut dyn FnMut(crate::model::Assignment),
    ) -> Result<(), StoreError> {
        Ok(lookup::each_assignment(&self.conn, snapshot_id, f)?)
    }

    /// Every eligibility of a snapshot, one at a time.
    pub(crate) fn each_eligibility(
        &self,
        snapshot_id: i64,
        f: &mut dyn FnMut(crate::model::Eligibility),
    ) -> Result<(), StoreError> {
        Ok(lookup::each_eligibility(&self.conn, snapshot_id, f)?)
    }

    /// Whether anything in a snapshot names the object id `key` (lowercase)
    /// besides a principal record: index seeks only.
    pub(crate) fn object_id_seen(&self, snapshot_id: i64, key: &str) -> Result<IdSeen, StoreError> {
        Ok(lookup::object_id_seen(&self.conn, snapshot_id, key)?)
    }

    /// Whether a snapshot names the scope with this [`crate::model::scope_key`]
    /// (a scope node, or an assignment's, eligibility's or deny assignment's scope).
    pub(crate) fn scope_named(&self, snapshot_id: i64, key: &str) -> Result<bool, StoreError> {
        Ok(lookup::scope_named(&self.conn, snapshot_id, key)?)
    }

    /// Whether a snapshot names some scope strictly below `key` by path.
    pub(crate) fn scope_named_below(
        &self,
        snapshot_id: i64,
        key: &str,
    ) -> Result<bool, StoreError> {
        Ok(lookup::scope_named_below(&self.conn, snapshot_id, key)?)
    }

    /// Every scope a snapshot names strictly below `key` by path, as (key,
    /// spelling): for `did you mean`.
    pub(crate) fn scopes_named_below(
        &self,
        snapshot_id: i64,
        key: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(lookup::scopes_named_below(&self.conn, snapshot_id, key)?)
    }

    /// Whether a snapshot holds catalogue operations of this provider namespace.
    pub(crate) fn provider_catalogued(
        &self,
        snapshot_id: i64,
        namespace: &str,
    ) -> Result<bool, StoreError> {
        Ok(lookup::provider_catalogued(
            &self.conn,
            snapshot_id,
            namespace,
        )?)
    }

    /// Whether a snapshot holds any catalogue operation.
    pub(crate) fn any_catalogue(&self, snapshot_id: i64) -> Result<bool, StoreError> {
        Ok(lookup::any_catalogue(&self.conn, snapshot_id)?)
    }

    /// Whether a snapshot's catalogue has this operation, in either plane.
    pub(crate) fn operation_catalogued(
        &self,
        snapshot_id: i64,
        name: &str,
    ) -> Result<bool, StoreError> {
        Ok(lookup::operation_catalogued(&self.conn, snapshot_id, name)?)
    }

    /// The operation names of one provider's catalogue: for `did you mean`.
    pub(crate) fn provider_operations(
        &self,
        snapshot_id: i64,
        namespace: &str,
    ) -> Result<Vec<String>, StoreError> {
        Ok(lookup::provider_operations(
            &self.conn,
            snapshot_id,
            namespace,
        )?)
    }

    /// The provider namespaces with a catalogue in a snapshot.
    pub(crate) fn catalogued_providers(&self, snapshot_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(lookup::catalogued_providers(&self.conn, snapshot_id)?)
    }

    /// The full content of one snapshot, in canonical order (see [`canonicalize`]).
    pub fn load_tenant(&self, snapshot_id: i64) -> Result<Tenant, StoreError> {
        self.require(snapshot_id)?;
        Ok(read::load(&self.conn, snapshot_id)?)
    }

    /// The input files of a snapshot, in import order.
    #[cfg(test)]
    pub(crate) fn files(&self, snapshot_id: i64) -> Result<Vec<InputFile>, StoreError> {
        self.require(snapshot_id)?;
        Ok(history::stored_files(&self.conn, snapshot_id)?)
    }

    /// The flags raised while importing a snapshot, in the order raised.
    pub(crate) fn flags(&self, snapshot_id: i64) -> Result<Vec<Flag>, StoreError> {
        self.require(snapshot_id)?;
        Ok(history::stored_flags(&self.conn, snapshot_id)?)
    }

    /// The stored chain hash of a snapshot.
    #[cfg(test)]
    pub(crate) fn chain_hash_of(&self, snapshot_id: i64) -> Result<String, StoreError> {
        self.require(snapshot_id)?;
        Ok(self.conn.query_row(
            "SELECT chain_hash FROM snapshots WHERE id = ?1",
            [snapshot_id],
            |r| r.get(0),
        )?)
    }

    /// Checks every snapshot up to and including `snapshot_id`: its stored content
    /// hash against the hash of its rows as stored now, and the chain of chain
    /// hashes (in each snapshot's chain version). Returns a description of the first
    /// mismatch, or `None` when intact.
    #[cfg(test)]
    pub(crate) fn verify(&self, snapshot_id: i64) -> Result<Option<String>, StoreError> {
        self.require(snapshot_id)?;
        let checks = history::snapshot_checks(&self.conn, Some(snapshot_id))?;
        Ok(checks.into_iter().find(|c| !c.ok()).map(|c| {
            if !c.content_ok() {
                format!(
                    "snapshot {}: content hash {} differs from the recorded {}",
                    c.id, c.actual_content, c.recorded_content
                )
            } else if let Some(problem) = &c.problem {
                format!("snapshot {}: {problem}", c.id)
            } else {
                format!(
                    "snapshot {}: chain hash {} differs from the expected {}",
                    c.id, c.recorded_chain, c.expected_chain
                )
            }
        }))
    }

    /// Row counts per table, for measuring growth.
    #[cfg(test)]
    pub(crate) fn stats(&self) -> Result<StoreStats, StoreError> {
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
        };
        let mut tables = Vec::with_capacity(VERSIONED_TABLES.len());
        for name in VERSIONED_TABLES {
            tables.push(TableStats {
                name,
                rows: count(&format!("SELECT count(*) FROM {name}"))?,
                open_rows: count(&format!(
                    "SELECT count(*) FROM {name} WHERE valid_to IS NULL"
                ))?,
            });
        }
        Ok(StoreStats {
            snapshots: count("SELECT count(*) FROM snapshots")?,
            tables,
            db_bytes: count(
                "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
            )?,
        })
    }
}
