//! One file per subcommand behind one dispatch `match`.
//!
//! Commands turn raw flags into a validated request (snapshot, scope, principal,
//! format), call the store and the engine, and hand the answer to a renderer. Exit
//! codes are decided once, here ([`exit_code_for`], SPEC §3): 0 success, 1 `can`
//! said no, 2 bad input or usage (a database that is not whocan's or is newer than
//! the binary included), 3 internal error, 4 the environment failed (the database
//! locked past the busy timeout, a full disk, permission denied, a read-only
//! database for a command that writes). A closed stdout (broken pipe) counts as
//! success, whatever wrapped the error: exit 0, nothing on stderr.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{Cli, Command, Format};

pub(crate) mod activities;
pub(crate) mod anywhere;
pub(crate) mod browse_names;
pub(crate) mod can;
pub(crate) mod collect;
pub mod common;
pub(crate) mod demo;
pub(crate) mod diff;
pub(crate) mod import;
pub(crate) mod lint;
pub(crate) mod manual;
pub(crate) mod members;
pub(crate) mod principals;
pub(crate) mod resolve;
pub mod review;
pub(crate) mod review_xlsx;
pub(crate) mod role;
pub(crate) mod seal;
pub(crate) mod show;
pub(crate) mod snapshots;
pub(crate) mod verify;
pub(crate) mod what;
pub mod who;
pub(crate) mod workspaces;

/// An error the user caused (bad input, unknown name, missing snapshot): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

/// `--all-paths` only changes an activity's answer (SPEC §4): an answer about
/// actions lists every grant already.
pub(crate) fn check_all_paths(all_paths: bool, activity: Option<&str>) -> anyhow::Result<()> {
    if all_paths && activity.is_none() {
        return Err(UsageError(
            "--all-paths applies to --activity answers; an answer about actions already lists every grant\nhint: add --activity NAME (see `whocan activities`), or drop --all-paths".into(),
        )
        .into());
    }
    Ok(())
}

/// What a command reports back besides "done".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    /// `can` answered no.
    No,
}

pub fn main(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::No) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let (code, hint) = classify(&err);
            let msg = message(&err);
            // Data reaches errors through names: shown escaped, line by line.
            eprintln!(
                "{}",
                crate::report::text::sanitize_lines(&format!("error: {msg}"))
            );
            if !msg.contains("hint:") {
                if let Some(hint) = hint.or_else(|| fallback_hint(code, &msg)) {
                    eprintln!("hint: {}", crate::report::text::sanitize_lines(hint));
                }
            }
            ExitCode::from(code)
        }
    }
}

/// The error's causes, outermost first, joined by `: `, each said once: a layer
/// whose text already says its cause's (a database error quoting SQLite's) does
/// not repeat it, and a migration's error (refinery's, which only quotes its
/// cause) is left to its cause.
fn message(err: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in err.chain() {
        if cause.is::<refinery::Error>() && cause.source().is_some() {
            continue;
        }
        // SQLite's code under rusqlite's error, which already said what SQLite
        // said: "disk I/O error", not "disk I/O error: Error code 4874: disk I/O
        // error" (the code itself chooses the hint).
        let text = match cause.downcast_ref::<rusqlite::ffi::Error>() {
            Some(e) => rusqlite::ffi::code_to_str(e.extended_code).to_string(),
            None => cause.to_string(),
        };
        if msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<Outcome> {
    crate::report::style::set_color(cli.color);
    match cli.command {
        Command::Import(args) => import::run(&cli.db, args),
        Command::Snapshots(args) => snapshots::run(&cli.db, args),
        Command::Who(args) => who::run(&cli.db, args),
        Command::Can(args) => can::run(&cli.db, args),
        Command::What(args) => what::run(&cli.db, args),
        Command::Activities(args) => activities::run(args),
        Command::Demo(args) => demo::run(args, cli.db_on_command_line.then_some(cli.db.as_path())),
        Command::Review(args) => review::run(&cli.db, args),
        Command::Diff(args) => diff::run(&cli.db, args),
        Command::Verify(args) => verify::run(&cli.db, args),
        Command::Seal(args) => seal::run(&cli.db, args),
        Command::Lint(args) => lint::run(&cli.db, args),
        Command::Collect(args) => collect::run(&cli.db, args),
        Command::Completions(args) => manual::completions(args),
        Command::Man(args) => manual::man(args),
        Command::Workspaces(args) => workspaces::run(&cli.db, args),
        Command::Principals(args) => principals::run(&cli.db, args),
        Command::Show(args) => show::run(&cli.db, args),
        Command::Members(args) => members::run(&cli.db, args),
        Command::Role(args) => role::run(&cli.db, args),
    }
}

/// The hint of a usage or input error that brought none of its own.
fn fallback_hint(code: u8, msg: &str) -> Option<&'static str> {
    if code == 4 {
        return Some(
            "the system refused (memory, disk, network or permissions): check it and run again",
        );
    }
    if code != 2 {
        return None;
    }
    // `path:line:column: ...` (or `path:line: ...`): a file's content.
    let at_place = msg.split(": ").next().is_some_and(|head| {
        let mut parts = head.rsplit(':');
        parts
            .next()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    Some(if msg.contains("nothing recorded") {
        "correct the sheet at the places named and apply it again"
    } else if at_place {
        "fix the file at that place (or leave it out) and run again; nothing was written"
    } else if msg.contains("is not a date") {
        "give a date as 2026-10-01 or 2026-10-01T00:00:00Z (UTC)"
    } else if msg.contains("cannot read") {
        "check the path: it must name a file or a folder that exists and can be read"
    } else {
        "`whocan COMMAND --help` lists each command's flags, with examples"
    })
}

/// The exit code of an error (SPEC §3).
#[cfg(test)]
pub(crate) fn exit_code_for(err: &anyhow::Error) -> u8 {
    classify(err).0
}

const HINT_LOCKED: &str = "another process (an import or a `review apply`) holds the database's \
                           write lock; run again when it has finished (WHOCAN_BUSY_TIMEOUT_MS sets \
                           how long to wait, default 60000)";
const HINT_FULL: &str = "the disk is full: free some space (or write elsewhere) and run again; \
                         nothing was half-written";
const HINT_READ_ONLY: &str = "the database or its directory is read-only: questions still work \
                              on it; import and `review apply` need a writable copy";
const HINT_PERMISSION: &str = "check the permissions of the file and of its directory";
const HINT_CANNOT_OPEN: &str = "check that the path names a file in an existing directory that \
                                can be written";
const HINT_IO: &str = "the system reported an input/output error; check the disk and run again";
const HINT_SHM: &str = "SQLite could not create or grow the database's shared-memory file (its \
                        name ending in -shm, beside it): free some disk space, or raise the file \
                        size limit (ulimit -f), and run again; nothing was changed";
const HINT_MEMORY: &str = "the system ran out of memory: close other programs (or ask about \
                           fewer scopes) and run again";
const HINT_NOT_A_DATABASE: &str = "--db must name a database that whocan created, or a new file";
const HINT_PATH: &str = "check the path";

/// The exit code of an error and the hint to print with it (when its message has
/// none): the outermost cause that says decides.
fn classify(err: &anyhow::Error) -> (u8, Option<&'static str>) {
    for cause in err.chain() {
        if let Some(c) = classify_one(cause) {
            return c;
        }
    }
    (3, None)
}

fn classify_one(cause: &(dyn std::error::Error + 'static)) -> Option<(u8, Option<&'static str>)> {
    use crate::store::StoreError;
    if let Some(crate::import::ImportError::Read { error, .. }) = cause.downcast_ref() {
        return Some(classify_io(error));
    }
    if cause.is::<UsageError>() || cause.is::<crate::import::ImportError>() {
        return Some((2, None));
    }
    if let Some(e) = cause.downcast_ref::<crate::collect::CollectError>() {
        return Some(match e {
            crate::collect::CollectError::Usage(_) => (2, None),
            crate::collect::CollectError::Environment(_) => (4, None),
        });
    }
    if let Some(e) = cause.downcast_ref::<StoreError>() {
        return match e {
            StoreError::NoSnapshot(_)
            | StoreError::Empty
            | StoreError::BadTime(_)
            | StoreError::NotWhocan { .. }
            | StoreError::TooNew { .. }
            | StoreError::Altered { .. } => Some((2, None)),
            StoreError::ReadOnly { .. } => Some((4, Some(HINT_READ_ONLY))),
            StoreError::NoWal { .. } => Some((4, None)),
            // Decided by what they wrap.
            StoreError::Open { .. }
            | StoreError::Sql(_)
            | StoreError::Io { .. }
            | StoreError::Migrate { .. } => None,
            StoreError::Other(_) => None,
        };
    }
    if let Some(e) = cause.downcast_ref::<rusqlite::Error>() {
        return classify_sqlite(e);
    }
    if let Some(e) = cause.downcast_ref::<std::io::Error>() {
        return Some(classify_io(e));
    }
    None
}

fn classify_sqlite(e: &rusqlite::Error) -> Option<(u8, Option<&'static str>)> {
    use rusqlite::ErrorCode as C;
    if crate::store::history::unreadable_value(e) {
        return Some((2, Some(HINT_ALTERED)));
    }
    let rusqlite::Error::SqliteFailure(f, _) = e else {
        return None;
    };
    use rusqlite::ffi;
    match f.extended_code {
        // The `-shm` file beside the database, which WAL readers and writers
        // share, could not be made, grown or mapped: a full disk, a file size
        // limit, or a directory that cannot be written.
        ffi::SQLITE_IOERR_SHMSIZE
        | ffi::SQLITE_IOERR_SHMOPEN
        | ffi::SQLITE_IOERR_SHMMAP
        | ffi::SQLITE_IOERR_SHMLOCK => return Some((4, Some(HINT_SHM))),
        ffi::SQLITE_IOERR_NOMEM => return Some((4, Some(HINT_MEMORY))),
        _ => {}
    }
    Some(match f.code {
        C::DatabaseBusy | C::DatabaseLocked => (4, Some(HINT_LOCKED)),
        C::DiskFull => (4, Some(HINT_FULL)),
        C::ReadOnly => (4, Some(HINT_READ_ONLY)),
        C::PermissionDenied => (4, Some(HINT_PERMISSION)),
        C::CannotOpen => (4, Some(HINT_CANNOT_OPEN)),
        C::SystemIoFailure => (4, Some(HINT_IO)),
        C::OutOfMemory => (4, Some(HINT_MEMORY)),
        C::NotADatabase => (2, Some(HINT_NOT_A_DATABASE)),
        // A damaged file is bad input, not whocan's fault.
        C::DatabaseCorrupt => (2, Some(HINT_CORRUPT)),
        _ => return None,
    })
}

const HINT_ALTERED: &str = "a stored value is not one whocan writes: the database was edited \
                            outside whocan; `whocan verify` names the altered snapshot (restore \
                            the database from a copy you trust)";

const HINT_CORRUPT: &str = "the database file is damaged (truncated, or overwritten in part): \
                            restore it from a copy; `whocan verify` on a copy you trust shows \
                            whether its snapshots are intact";

fn classify_io(e: &std::io::Error) -> (u8, Option<&'static str>) {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied => (4, Some(HINT_PERMISSION)),
        K::StorageFull | K::QuotaExceeded | K::FileTooLarge => (4, Some(HINT_FULL)),
        K::ReadOnlyFilesystem => (4, Some(HINT_PERMISSION)),
        K::NotFound
        | K::NotADirectory
        | K::IsADirectory
        | K::InvalidInput
        | K::InvalidFilename
        | K::AlreadyExists => (2, Some(HINT_PATH)),
        // Whatever else the system says about a file is the environment's failure.
        _ => (4, Some(HINT_IO)),
    }
}

/// Whether the error is, somewhere underneath, a write to a closed pipe. Writers
/// wrap I/O errors in their own (`csv::Error`, `serde_json::Error`, an
/// `io::Error::other` around either), so every layer is looked into.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| pipe_in(c, 0))
}

fn pipe_in(e: &(dyn std::error::Error + 'static), depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::BrokenPipe || io.raw_os_error() == Some(libc::EPIPE) {
            return true;
        }
        if let Some(inner) = io.get_ref() {
            if pipe_in(inner, depth + 1) {
                return true;
            }
        }
    }
    if let Some(j) = e.downcast_ref::<serde_json::Error>() {
        if j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) {
            return true;
        }
    }
    if let Some(c) = e.downcast_ref::<csv::Error>() {
        if let csv::ErrorKind::Io(io) = c.kind() {
            if pipe_in(io, depth + 1) {
                return true;
            }
        }
    }
    if let Some(w) = e.downcast_ref::<crate::fsutil::WriteError>() {
        if pipe_in(&w.source, depth + 1) {
            return true;
        }
    }
    e.source().is_some_and(|s| pipe_in(s, depth + 1))
}

/// The output format: as asked, else a table on a terminal and JSON otherwise.
pub(crate) fn output_format(asked: Option<Format>) -> Format {
    asked.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;
    use std::io;

    fn sqlite(code: std::ffi::c_int) -> anyhow::Error {
        anyhow::Error::from(StoreError::Sql(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            None,
        )))
    }

    #[test]
    fn the_environment_exits_4_with_a_hint() {
        use rusqlite::ffi;
        for code in [
            ffi::SQLITE_BUSY,
            ffi::SQLITE_LOCKED,
            ffi::SQLITE_FULL,
            ffi::SQLITE_READONLY,
            ffi::SQLITE_PERM,
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_IOERR,
        ] {
            let (exit, hint) = classify(&sqlite(code));
            assert_eq!(exit, 4, "{code}");
            assert!(hint.is_some(), "{code}");
        }
        assert_eq!(classify(&sqlite(ffi::SQLITE_FULL)).1, Some(HINT_FULL));
        // Extended codes: the -shm file, memory.
        for code in [ffi::SQLITE_IOERR_SHMSIZE, ffi::SQLITE_IOERR_SHMOPEN] {
            assert_eq!(classify(&sqlite(code)), (4, Some(HINT_SHM)), "{code}");
        }
        assert_eq!(
            classify(&sqlite(ffi::SQLITE_IOERR_WRITE)),
            (4, Some(HINT_IO))
        );
        assert_eq!(classify(&sqlite(ffi::SQLITE_IOERR_NOMEM)).0, 4);
        assert_eq!(classify(&sqlite(ffi::SQLITE_CANTOPEN_ISDIR)).0, 4);
        assert_eq!(classify(&sqlite(ffi::SQLITE_BUSY)).1, Some(HINT_LOCKED));
        for kind in [
            io::ErrorKind::PermissionDenied,
            io::ErrorKind::StorageFull,
            io::ErrorKind::ReadOnlyFilesystem,
        ] {
            let e = anyhow::Error::from(crate::fsutil::WriteError {
                path: "x".into(),
                source: io::Error::from(kind),
            });
            assert_eq!(classify(&e).0, 4, "{kind:?}");
        }
        // A migration that failed for a lock: decided by the SQLite error it wraps.
        use refinery::error::WrapMigrationError;
        let locked: Result<(), _> = Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(ffi::SQLITE_BUSY),
            None,
        ));
        let locked_migration = anyhow::Error::from(StoreError::Migrate {
            path: "x".into(),
            to: 12,
            source: locked
                .migration_err("error applying migrations", None)
                .unwrap_err(),
        });
        assert_eq!(classify(&locked_migration), (4, Some(HINT_LOCKED)));
        // SQLite kept another journal mode than its write-ahead log: the file
        // system's (or another program's) doing, with its own hint.
        let no_wal = anyhow::Error::from(StoreError::NoWal {
            path: "x.db".into(),
            mode: "delete".into(),
        });
        assert_eq!(classify(&no_wal).0, 4);
        assert!(no_wal.to_string().contains("\nhint: "), "{no_wal}");
    }

    #[test]
    fn the_users_errors_exit_2_and_ours_3() {
        for e in [
            StoreError::NotWhocan {
                path: "x".into(),
                why: "y".into(),
            },
            StoreError::TooNew {
                path: "x".into(),
                found: 9,
                supported: 4,
            },
            StoreError::Empty,
        ] {
            assert_eq!(exit_code_for(&e.into()), 2);
        }
        assert_eq!(classify(&sqlite(rusqlite::ffi::SQLITE_NOTADB)).0, 2);
        // A damaged file is the user's input, with a hint.
        assert_eq!(classify(&sqlite(rusqlite::ffi::SQLITE_CORRUPT)).0, 2);
        assert_eq!(exit_code_for(&UsageError("x".into()).into()), 2);
        let missing = anyhow::Error::from(crate::fsutil::WriteError {
            path: "x".into(),
            source: io::Error::from(io::ErrorKind::NotFound),
        });
        assert_eq!(classify(&missing).0, 2);
        assert_eq!(exit_code_for(&anyhow::anyhow!("a bug")), 3);
        assert_eq!(exit_code_for(&StoreError::Other("x".into()).into()), 3);
    }

    /// SQLite's failure is said once, however many layers wrap it.
    #[test]
    fn sqlite_says_its_failure_once() {
        let shm = anyhow::Error::from(StoreError::Sql(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_SHMSIZE),
            Some("disk I/O error".into()),
        )))
        .context("reading snapshot 1");
        assert_eq!(
            message(&shm),
            "reading snapshot 1: database error: disk I/O error"
        );
        let said = anyhow::Error::from(StoreError::Sql(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("database or disk is full".into()),
        )));
        assert_eq!(message(&said), "database error: database or disk is full");
    }

    #[test]
    fn a_broken_pipe_is_found_under_every_wrapper() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        // As the report writers wrap it: io::Error::other around serde_json's error,
        // csv's error converted into io::Error, anyhow context on top.
        let json = serde_json::Error::io(pipe());
        let csv_err = csv::Error::from(pipe());
        for e in [
            anyhow::Error::from(pipe()),
            anyhow::Error::from(io::Error::other(json)),
            anyhow::Error::from(io::Error::from(csv_err)),
            anyhow::Error::from(crate::fsutil::WriteError {
                path: "x".into(),
                source: pipe(),
            }),
            anyhow::Error::from(pipe()).context("writing the answer"),
        ] {
            assert!(is_broken_pipe(&e), "{e:#}");
        }
        assert!(!is_broken_pipe(&anyhow::anyhow!("Broken pipe")));
    }
}
