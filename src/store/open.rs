//! Opening the database: whocan's own only, never another application's, and
//! read-only when the file or its directory cannot be written.
//!
//! Before anything is changed the file is inspected: a file that is not SQLite, a
//! SQLite database of another application (an `application_id` that is not
//! [`APPLICATION_ID`], or tables whocan did not create) and a schema newer than
//! [`SCHEMA_VERSION`] are refused and left byte for byte as they were (no WAL
//! switch, no table, no stamp). A database whocan creates is stamped with
//! [`APPLICATION_ID`] in its first write; one made by an earlier whocan (its tables,
//! no stamp) is accepted and stamped.
//!
//! Commands that write ([`Store::open`]) need a writable database and say so when
//! it is read-only. Questions ([`Store::open_read`]) open it read-only (`mode=ro`),
//! and when a WAL database's `-shm` cannot be created (a read-only directory: an
//! archived evidence copy) as `immutable=1` — unless an un-checkpointed `-wal` is
//! there, which immutable would ignore: that is refused rather than answered stale.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{embedded, Store, StoreError, BUSY_TIMEOUT, SCHEMA_VERSION};

/// `PRAGMA application_id` of every whocan database: `0x5748434E`, ASCII "WHCN"
/// (not in SQLite's registry of application ids, `magic.txt`).
pub(crate) const APPLICATION_ID: i32 = 0x5748_434E;

/// The environment variable that overrides [`BUSY_TIMEOUT`], in milliseconds.
pub(crate) const BUSY_TIMEOUT_ENV: &str = "WHOCAN_BUSY_TIMEOUT_MS";

/// The tables that make an unstamped database one of an earlier whocan's.
const WHOCAN_TABLES: [&str; 4] = [
    "refinery_schema_history",
    "snapshots",
    "principals",
    "role_assignments",
];

fn busy_timeout() -> Duration {
    std::env::var(BUSY_TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(BUSY_TIMEOUT, Duration::from_millis)
}

/// Every migration of `migrations/` as `refinery_schema_history` records it once
/// applied: version, name and refinery's checksum (of the name, version and SQL).
/// A test keeps this list and the folder in step. A database whose history is not
/// a prefix of it was altered outside whocan: refused before anything is changed.
const HISTORY: [(i64, &str, u64); SCHEMA_VERSION as usize] = [
    (1, "init", 8634031781474752468),
    (2, "review_decisions", 9601720654496033597),
    (3, "scope_lookup_indexes", 15054095703366525403),
    (4, "real_exports", 7515701850808541025),
    (5, "evidence_chain", 16389511462127905161),
    (6, "collection_ledger", 1611983514494734704),
    (7, "nested_group_edges", 11967887091277864466),
    (8, "resource_facts", 5185326070945805757),
    (9, "nested_edges_by_group", 16497478509448215258),
    (10, "principals_by_key_covering", 4168527611925282344),
    (11, "deny_assignment_effect", 9164947358247613733),
    (12, "snapshot_gap_flags", 933053176816064951),
    (13, "eligibility_role_name", 17426412730954462484),
    (14, "drop_unused_edge_index", 13264266350583856001),
    (15, "eligibility_principal_name", 7077725452187027285),
];

/// What a database file is, as far as whocan is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// Absent, empty, or a SQLite file with nothing in it yet.
    Fresh,
    /// whocan's (stamped, or with whocan's tables), at this schema version.
    Whocan { stamped: bool, version: i64 },
}

/// A database path as messages show it: escaped (a line break in `--db` cannot
/// start a line of its own).
fn display(path: &Path) -> String {
    crate::report::text::sanitize(&path.display().to_string()).into_owned()
}

fn io_err(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: display(path),
        source,
    }
}

/// Looks at the file itself, before SQLite does: it must be absent, empty, or a
/// regular file that begins with SQLite's header.
fn check_file(path: &Path) -> Result<bool, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_err(path, e)),
    };
    if !meta.is_file() {
        return Err(StoreError::NotWhocan {
            path: display(path),
            why: if meta.is_dir() {
                "it is a directory".into()
            } else {
                "it is not a regular file".into()
            },
        });
    }
    let mut head = [0u8; 16];
    let mut n = 0;
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(path, e)),
        }
    }
    if n > 0 && &head[..n] != b"SQLite format 3\0" {
        return Err(StoreError::NotWhocan {
            path: display(path),
            why: "it is not a SQLite database".into(),
        });
    }
    Ok(true)
}

/// Reads (only reads) what the database is.
fn inspect(conn: &Connection, path: &Path) -> Result<Found, StoreError> {
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    let tables: Vec<String> = {
        let mut st = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let not_ours = |why: String| StoreError::NotWhocan {
        path: display(path),
        why,
    };
    if app != 0 && app != APPLICATION_ID {
        return Err(not_ours(format!(
            "its application_id is {:#010x} (whocan's is {APPLICATION_ID:#010x}): another application's database",
            app as u32
        )));
    }
    if objects == 0 {
        if app == APPLICATION_ID || user_version == 0 {
            return Ok(Found::Fresh);
        }
        return Err(not_ours(format!(
            "it is an empty SQLite database with user_version {user_version}: another application's"
        )));
    }
    let has = |t: &str| tables.iter().any(|n| n.eq_ignore_ascii_case(t));
    if app == 0 && !WHOCAN_TABLES.iter().all(|t| has(t)) {
        let mut names: Vec<String> = tables
            .iter()
            .filter(|n| !n.starts_with("sqlite_"))
            .take(5)
            .map(|n| format!("{n:?}"))
            .collect();
        if tables.len() > names.len() {
            names.push("...".into());
        }
        return Err(not_ours(format!(
            "it holds tables whocan did not create ({}): another application's database",
            names.join(", ")
        )));
    }
    let history = if has("refinery_schema_history") {
        recorded_history(conn)?
    } else {
        Vec::new()
    };
    let schema_tables = tables
        .iter()
        .filter(|t| !t.starts_with("sqlite_") && !t.eq_ignore_ascii_case("refinery_schema_history"))
        .count();
    let version = history_version(&history, schema_tables > 0).map_err(|e| match e {
        History::Newer(found) => StoreError::TooNew {
            path: display(path),
            found,
            supported: SCHEMA_VERSION,
        },
        History::Altered(why) => StoreError::Altered {
            path: display(path),
            why,
        },
    })?;
    Ok(Found::Whocan {
        stamped: app == APPLICATION_ID,
        version,
    })
}

/// One row of `refinery_schema_history` as stored (any type: the table may have
/// been edited by hand).
type HistoryRow = (Value, Value, Value);

fn recorded_history(conn: &Connection) -> Result<Vec<HistoryRow>, StoreError> {
    let mut st = conn
        .prepare("SELECT version, name, checksum FROM refinery_schema_history ORDER BY version")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Why a recorded schema history is not one this whocan can open.
#[derive(Debug, PartialEq, Eq)]
enum History {
    /// A newer whocan's (its highest version).
    Newer(i64),
    /// Not what any whocan wrote: why, in words.
    Altered(String),
}

/// A stored value as a message shows it: a number as is, text quoted (and cut).
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(t) if t.chars().count() > 40 => {
            format!(
                "{:?}",
                format!("{}…", t.chars().take(40).collect::<String>())
            )
        }
        Value::Text(t) => format!("{t:?}"),
        Value::Blob(b) => format!("a blob of {} bytes", b.len()),
    }
}

/// The schema version a recorded history stands for: it must be [`HISTORY`] up to
/// some version, row for row (a newer whocan's is [`History::Newer`]). An empty
/// history is version 0, unless the database already holds tables (`has_tables`).
fn history_version(rows: &[HistoryRow], has_tables: bool) -> Result<i64, History> {
    let newest = rows
        .iter()
        .filter_map(|(v, _, _)| match v {
            Value::Integer(v) => Some(*v),
            _ => None,
        })
        .max();
    if let Some(newest) = newest.filter(|v| *v > SCHEMA_VERSION) {
        return Err(History::Newer(newest));
    }
    if rows.is_empty() && has_tables {
        return Err(History::Altered(
            "it records no migration, yet it holds whocan's tables".into(),
        ));
    }
    for (i, (version, name, checksum)) in rows.iter().enumerate() {
        let Some(&(want, want_name, want_sum)) = HISTORY.get(i) else {
            return Err(History::Altered(format!(
                "it records {} migrations, more than the {SCHEMA_VERSION} whocan has",
                rows.len()
            )));
        };
        match version {
            Value::Integer(v) if *v == want => {}
            Value::Integer(v) if i > 0 && *v == want - 1 => {
                return Err(History::Altered(format!("migration {v} is recorded twice")))
            }
            Value::Integer(v) if *v > want => {
                return Err(History::Altered(format!(
                    "migration {want} ({want_name}) is missing, yet migration {v} is recorded"
                )))
            }
            other => {
                return Err(History::Altered(format!(
                    "a row names migration {}, which whocan has none of",
                    shown(other)
                )))
            }
        }
        if *name != Value::Text(want_name.into()) {
            return Err(History::Altered(format!(
                "migration {want} is recorded as {}, not \"{want_name}\"",
                shown(name)
            )));
        }
        if *checksum != Value::Text(want_sum.to_string()) {
            return Err(History::Altered(format!(
                "migration {want} ({want_name}) is recorded with checksum {}, not the \
                 {want_sum} of the migration whocan applies",
                shown(checksum)
            )));
        }
    }
    Ok(rows.len() as i64)
}

/// The database cannot be written, for a command that writes.
fn read_only(path: &Path, why: &str) -> StoreError {
    StoreError::ReadOnly {
        path: display(path),
        why: why.into(),
        hint: "questions (who, can, what, snapshots, diff, lint, verify, review) still work on \
               it; import and `review apply` need a writable database (a copy in a writable \
               directory)"
            .into(),
    }
}

/// A read-only error of SQLite as [`StoreError::ReadOnly`]; any other as it is.
fn readonly_or(path: &Path, e: StoreError) -> StoreError {
    match &e {
        StoreError::Sql(rusqlite::Error::SqliteFailure(f, _)) if f.code == ErrorCode::ReadOnly => {
            read_only(path, "SQLite cannot write it or its directory")
        }
        _ => e,
    }
}

/// `file:` URI of `path` (absolute, percent-encoded) for SQLite's URI parameters.
fn file_uri(path: &Path, params: &str) -> Result<PathBuf, StoreError> {
    use std::os::unix::ffi::OsStrExt;
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| io_err(path, e))?
            .join(path)
    };
    let mut uri = String::from("file://");
    for &b in abs.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(params);
    Ok(PathBuf::from(uri))
}

/// The `-wal` file beside `path` holds frames not yet copied into the database.
fn wal_has_content(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0)
}

/// A read-only connection: `mode=ro`, else (no `-shm` can be made) `immutable=1`.
fn open_ro(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let open = |params: &str| -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(file_uri(path, params)?, flags)?;
        conn.busy_timeout(busy_timeout())?;
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })?;
        Ok(conn)
    };
    match open("mode=ro") {
        Ok(c) => Ok(c),
        Err(StoreError::Sql(rusqlite::Error::SqliteFailure(f, _)))
            if matches!(f.code, ErrorCode::ReadOnly | ErrorCode::CannotOpen) =>
        {
            if wal_has_content(path) {
                return Err(StoreError::ReadOnly {
                    path: display(path),
                    why: "its -wal file holds changes not yet in the database, and its directory \
                          cannot be written, so they cannot be read safely"
                        .into(),
                    hint: "copy the database together with its -wal file to a writable directory \
                           and ask there"
                        .into(),
                });
            }
            open("mode=ro&immutable=1")
        }
        Err(e) => Err(e),
    }
}

/// A first look that cannot create anything beside the file (`immutable=1`: no
/// `-wal` or `-shm` is made): a refusal found this way is final unless a `-wal`
/// with content could make the main file say less than the database holds.
fn refuse_early(path: &Path) -> Result<(), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let Ok(conn) = Connection::open_with_flags(file_uri(path, "mode=ro&immutable=1")?, flags)
    else {
        return Ok(());
    };
    match inspect(&conn, path) {
        Err(
            e @ (StoreError::NotWhocan { .. }
            | StoreError::TooNew { .. }
            | StoreError::Altered { .. }),
        ) if !wal_has_content(path) => Err(e),
        _ => Ok(()),
    }
}

/// Another read-only connection to the database at `path`, opened the way a
/// question's is (for reading in parallel); `None` when it cannot be.
pub(super) fn second_reader(path: &Path) -> Option<Connection> {
    open_ro(path).ok()
}

/// Creates `path` with mode 0600 if it does not exist (an existing file is left as
/// it is). SQLite gives the -wal and -shm files the main file's mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// How much of the database a question reads, and so whether it is read through
/// a memory map. `who` reads many pages, some more than once: mapped, without a
/// copy per page. One principal's grants (`can`, `what`) are a few hundred pages,
/// for which a map costs more (a page fault per page touched, an unmap at close)
/// than SQLite's page cache (`can` on xl about 1 ms of 9). A review reads its
/// slice about once, page by page, and `diff` its two snapshots, and their peak
/// memory is a target: unmapped, the resident set holds the 64 MiB page cache, not
/// every page touched (on xl, `review --scope` 641 → 582 MiB and `diff` 2.02 →
/// 1.84–1.91 GB, the same time). BENCHMARKS.md has the measurements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reads {
    Few,
    Once,
    Many,
}

impl Reads {
    fn mmap_size(self) -> i64 {
        match self {
            Reads::Few | Reads::Once => 0,
            Reads::Many => 4i64 << 30,
        }
    }
}

impl Store {
    /// Opens the database for a command that writes (creating it with mode 0600 if
    /// absent), after making sure it is whocan's; stamps and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let existed = check_file(path)?;
        if existed {
            refuse_early(path)?;
        } else {
            create_private(path).map_err(|e| io_err(path, e))?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: display(path),
            source,
        })?;
        conn.busy_timeout(busy_timeout())?;
        // SQLite opens a file it may not write read-only without saying so.
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(read_only(path, "the file cannot be written"));
        }
        let found = inspect(&conn, path).map_err(|e| readonly_or(path, e))?;
        Self::claim(&conn, path, found).map_err(|e| readonly_or(path, e))?;
        Self::setup(conn, path).map_err(|e| readonly_or(path, e))
    }

    /// Opens the database for a question: read-only when it is whocan's, stamped
    /// and current (nothing is written, whatever the file's or directory's mode);
    /// an unstamped one of an earlier whocan is stamped when it can be, an older
    /// schema migrated (which needs it writable).
    /// `reads` says how much the question reads (memory-mapped or not).
    pub(crate) fn open_read(path: &Path, reads: Reads) -> Result<Store, StoreError> {
        if !check_file(path)? {
            return Err(io_err(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
        refuse_early(path)?;
        let conn = open_ro(path)?;
        let found = inspect(&conn, path)?;
        if let Found::Whocan { stamped, version } = found {
            if version == SCHEMA_VERSION {
                if !stamped {
                    Self::stamp_if_possible(path);
                }
                conn.pragma_update(None, "cache_size", -64 * 1024)?;
                conn.pragma_update(None, "mmap_size", reads.mmap_size())?;
                return Ok(Store { conn });
            }
        }
        drop(conn);
        match Self::open(path) {
            Err(StoreError::ReadOnly { path, why, .. }) => Err(match found {
                Found::Fresh => StoreError::Empty,
                Found::Whocan { version, .. } => StoreError::ReadOnly {
                    path,
                    why: format!(
                        "{why}, and its schema (version {version}) must first be upgraded to \
                         version {SCHEMA_VERSION}"
                    ),
                    hint: "copy it to a writable directory (cp DB copy.db) and ask the copy; the \
                           original stays as it is"
                        .into(),
                },
            }),
            other => other,
        }
    }

    /// Stamps an unstamped database of an earlier whocan, when it can be written
    /// now; a question never waits or fails for it.
    fn stamp_if_possible(path: &Path) {
        let Ok(conn) = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ) else {
            return;
        };
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
            return;
        }
        let _ = conn.busy_timeout(Duration::from_millis(100));
        let _ = conn.pragma_update(None, "application_id", APPLICATION_ID);
    }

    /// Stamps a fresh database (in a write transaction, so that two processes
    /// creating it at once agree) or an unstamped one of an earlier whocan.
    fn claim(conn: &Connection, path: &Path, found: Found) -> Result<(), StoreError> {
        match found {
            Found::Whocan { stamped: true, .. } => Ok(()),
            Found::Whocan { stamped: false, .. } => {
                conn.pragma_update(None, "application_id", APPLICATION_ID)?;
                Ok(())
            }
            Found::Fresh => {
                conn.execute_batch("BEGIN IMMEDIATE")?;
                let stamped = (|| -> Result<(), StoreError> {
                    // Looked at again under the write lock: another process may
                    // have claimed it meanwhile.
                    if let Found::Fresh | Found::Whocan { stamped: false, .. } =
                        inspect(conn, path)?
                    {
                        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
                    }
                    Ok(())
                })();
                match stamped {
                    Ok(()) => conn.execute_batch("COMMIT")?,
                    Err(e) => {
                        let _ = conn.execute_batch("ROLLBACK");
                        return Err(e);
                    }
                }
                Ok(())
            }
        }
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<Store, StoreError> {
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal {
                path: display(path),
                mode,
            });
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Keep the WAL from staying at the size of the largest import.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        conn.pragma_update(None, "cache_size", -64 * 1024)?;
        conn.pragma_update(None, "mmap_size", 4i64 << 30)?;
        Self::migrate(&mut conn, path)?;
        Ok(Store { conn })
    }

    /// Applies the embedded migrations not yet applied (a no-op when up to date).
    ///
    /// A database already at [`SCHEMA_VERSION`] is recognised with one query:
    /// refinery's runner compiles regular expressions for every migration name,
    /// which cost more than a whole `can` question.
    fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
        let current: Option<i64> = conn
            .query_row(
                "SELECT max(version) FROM refinery_schema_history",
                [],
                |r| r.get(0),
            )
            .unwrap_or(None);
        if current == Some(SCHEMA_VERSION) {
            return Ok(());
        }
        let runner = || embedded::migrations::runner().set_grouped(true);
        match runner().run(conn) {
            Ok(_) => Ok(()),
            // Two processes opening a new database at once: the loser's migration
            // fails because the winner's is now applied; once more sees it applied.
            Err(_) => runner()
                .run(conn)
                .map(|_| ())
                .map_err(|e| migration_failed(path, e)),
        }
    }
}

/// Why a migration failed. The migrations run in one transaction, so the
/// database is as it was either way. The environment (a lock, a full disk, an I/O
/// error) says so through its SQLite cause; a statement SQLite refuses (a table or
/// column that exists already) means the tables are not those the recorded history
/// describes: the database was altered.
fn migration_failed(path: &Path, e: refinery::Error) -> StoreError {
    use refinery::error::Kind;
    let refused = match e.kind() {
        Kind::DivergentVersion(..) | Kind::MissingVersion(..) => Some(e.to_string()),
        Kind::Connection(_, cause) => match cause.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(f, msg))
                if matches!(
                    f.code,
                    ErrorCode::Unknown | ErrorCode::ConstraintViolation | ErrorCode::TypeMismatch
                ) =>
            {
                Some(msg.clone().unwrap_or_else(|| f.to_string()))
            }
            _ => None,
        },
        _ => None,
    };
    match refused {
        Some(why) => StoreError::Altered {
            path: display(path),
            why: format!(
                "its tables are not those its recorded migrations made (upgrading it to schema \
                 version {SCHEMA_VERSION}, SQLite said: {why})"
            ),
        },
        None => StoreError::Migrate {
            path: display(path),
            to: SCHEMA_VERSION,
            source: e,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_id(path: &Path) -> i32 {
        let c = Connection::open(path).unwrap();
        c.query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_database_is_stamped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.db");
        drop(Store::open(&p).unwrap());
        assert_eq!(app_id(&p), APPLICATION_ID);
        // And opens again, for writing and for reading.
        drop(Store::open(&p).unwrap());
        let s = Store::open_read(&p, Reads::Many).unwrap();
        assert!(matches!(
            s.resolve(&super::super::SnapshotSelector::Latest),
            Err(StoreError::Empty)
        ));
    }

    #[test]
    fn an_earlier_whocan_database_is_accepted_and_stamped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.db");
        drop(Store::open(&p).unwrap());
        Connection::open(&p)
            .unwrap()
            .pragma_update(None, "application_id", 0)
            .unwrap();
        assert_eq!(app_id(&p), 0);
        drop(Store::open_read(&p, Reads::Many).unwrap());
        assert_eq!(app_id(&p), APPLICATION_ID);
        Connection::open(&p)
            .unwrap()
            .pragma_update(None, "application_id", 0)
            .unwrap();
        drop(Store::open(&p).unwrap());
        assert_eq!(app_id(&p), APPLICATION_ID);
    }

    #[test]
    fn another_applications_database_is_refused_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("other.sqlite");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me');")
                .unwrap();
        }
        let before = std::fs::read(&p).unwrap();
        for r in [
            Store::open(&p).err(),
            Store::open_read(&p, Reads::Many).err(),
        ] {
            let e = r.expect("refused");
            assert!(matches!(e, StoreError::NotWhocan { .. }), "{e}");
            assert!(e.to_string().contains("\"notes\""), "{e}");
        }
        assert_eq!(std::fs::read(&p).unwrap(), before);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no -wal, -shm or journal left: {names:?}");

        // The same in WAL mode: not even a -wal or -shm is left beside it.
        let w = dir.path().join("wal-app.sqlite");
        {
            let c = Connection::open(&w).unwrap();
            c.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
                .unwrap();
            c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
                .unwrap();
        }
        let before = std::fs::read(&w).unwrap();
        assert!(Store::open(&w).is_err());
        assert!(Store::open_read(&w, Reads::Many).is_err());
        assert_eq!(std::fs::read(&w).unwrap(), before);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

        // A foreign application id, even with whocan's tables.
        let q = dir.path().join("stamped-other.db");
        drop(Store::open(&q).unwrap());
        Connection::open(&q)
            .unwrap()
            .pragma_update(None, "application_id", 0x0F05_5112)
            .unwrap();
        let e = Store::open_read(&q, Reads::Many).err().unwrap();
        assert!(e.to_string().contains("0x0f055112"), "{e}");
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.txt");
        std::fs::write(&p, "hello, not a database\n").unwrap();
        for r in [
            Store::open(&p).err(),
            Store::open_read(&p, Reads::Many).err(),
        ] {
            let e = r.expect("refused");
            assert!(e.to_string().contains("not a SQLite database"), "{e}");
        }
        assert_eq!(std::fs::read(&p).unwrap(), b"hello, not a database\n");
        let e = Store::open(dir.path()).err().unwrap();
        assert!(e.to_string().contains("directory"), "{e}");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.db");
        drop(Store::open(&p).unwrap());
        Connection::open(&p)
            .unwrap()
            .execute(
                "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
                 VALUES (?1, 'from_the_future', '2030-01-01T00:00:00Z', '0')",
                [SCHEMA_VERSION + 1],
            )
            .unwrap();
        for r in [
            Store::open(&p).err(),
            Store::open_read(&p, Reads::Many).err(),
        ] {
            let e = r.expect("refused");
            assert!(matches!(e, StoreError::TooNew { .. }), "{e}");
            assert!(e.to_string().contains("newer"), "{e}");
        }
    }

    #[test]
    fn the_expected_history_is_that_of_the_migrations_folder() {
        let mut folder: Vec<(i64, String, u64)> = embedded::migrations::runner()
            .get_migrations()
            .iter()
            .map(|m| (i64::from(m.version()), m.name().to_string(), m.checksum()))
            .collect();
        folder.sort();
        let listed: Vec<(i64, String, u64)> = HISTORY
            .iter()
            .map(|&(v, n, c)| (v, n.to_string(), c))
            .collect();
        assert_eq!(
            listed, folder,
            "a new migration needs its row in HISTORY (version, name, refinery's checksum)"
        );
    }

    #[test]
    fn a_history_is_read_as_a_version_or_why_not() {
        let row = |v: i64| {
            let (_, name, sum) = HISTORY[v as usize - 1];
            (
                Value::Integer(v),
                Value::Text(name.into()),
                Value::Text(sum.to_string()),
            )
        };
        let all: Vec<HistoryRow> = (1..=SCHEMA_VERSION).map(row).collect();
        assert_eq!(history_version(&all, true), Ok(SCHEMA_VERSION));
        assert_eq!(history_version(&all[..4], true), Ok(4));
        assert_eq!(history_version(&[], false), Ok(0));
        let altered = |rows: &[HistoryRow]| match history_version(rows, true) {
            Err(History::Altered(why)) => why,
            other => panic!("{other:?}"),
        };
        assert!(altered(&[]).contains("records no migration"));
        let mut newer = all.clone();
        newer.push((Value::Integer(99), Value::Null, Value::Null));
        assert_eq!(history_version(&newer, true), Err(History::Newer(99)));
        let mut sum = all.clone();
        sum[2].2 = Value::Integer(1);
        assert!(altered(&sum).contains("checksum 1,"), "{}", altered(&sum));
        let mut gap = all.clone();
        gap.remove(4);
        assert!(altered(&gap).contains("migration 5 (evidence_chain) is missing"));
        let mut twice = all.clone();
        twice.insert(4, row(4));
        assert!(altered(&twice).contains("migration 4 is recorded twice"));
        let mut name = all.clone();
        name[0].1 = Value::Text("x".repeat(100));
        assert!(
            altered(&name).contains("…\", not \"init\""),
            "{}",
            altered(&name)
        );
    }

    #[test]
    fn file_uris_are_percent_encoded() {
        let u = file_uri(Path::new("/tmp/a b?c#d%.db"), "mode=ro").unwrap();
        assert_eq!(
            u.to_str().unwrap(),
            "file:///tmp/a%20b%3Fc%23d%25.db?mode=ro"
        );
    }
}
