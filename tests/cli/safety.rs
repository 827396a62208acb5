//! Issue 10, items 5, 6, 8 and 9, as a user meets them: output files that a
//! planted link cannot redirect, that are 0600, and that never replace a device or
//! a FIFO; databases that are not whocan's (or are newer) refused and left byte for
//! byte as they were; read-only copies that answer every question; exit codes of
//! SPEC §3 (a closed stdout is success for every command and format, a locked
//! database and a full disk are the environment's: 4); and the review round trip
//! (a condition with blanks around it, a duplicated column, an id that begins with
//! `-`).
//!
//! Tests that need root (a device node) or an unprivileged user (permissions mean
//! nothing to root: the commands are then run as `nobody` through `setpriv`) skip
//! with a message when neither is available.

use std::collections::HashMap;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

use crate::support::{bin, copy_dir, whocan};

const ML_DEV: &str = "ml-dev";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
/// Priya Raman, a guest holding Workspace Admin Custom directly on ml-dev.
const PRIYA: &str = "1501b195-5b9c-4bfc-b2ee-861dd686de13";
const PRIYA_ASSIGNMENT: &str = "18beb6d8-e45b-4a43-9920-96f0e57e9b75";
/// The break-glass account's User Access Administrator at `/`.
const BREAKGLASS_ASSIGNMENT: &str = "573d5ffb-1293-4417-874e-91efc96128d7";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}", show(&out));
    out
}

fn import(db: &Path, data: &Path, taken_at: &str) {
    ok(whocan(db)
        .args(["import", "--taken-at", taken_at, "--format", "json"])
        .arg(data)
        .output()
        .unwrap());
}

struct Fixture {
    _dir: TempDir,
    db: PathBuf,
}

/// The sample tenant imported twice (snapshots 1 and 2, for `diff`), never written
/// to afterwards.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("safety.db");
        import(&db, &sample_data(), "2026-08-01T00:00:00Z");
        import(&db, &sample_data(), "2026-11-01T00:00:00Z");
        Fixture { _dir: dir, db }
    })
}

/// A private copy of the fixture database (its main file: the importer's last
/// connection checkpointed the WAL into it).
fn fixture_copy(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(&fixture().db, &to).unwrap();
    to
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn application_id(db: &Path) -> i32 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap()
}

/// Every name in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `whocan --db DB ARGS` as a user that file permissions apply to: this user when
/// it is not root, else `nobody` through `setpriv`; `None` (with a note) when
/// neither can run the binary.
fn unprivileged(db: &Path) -> Option<Command> {
    let make = || {
        let mut c = if is_root() {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin()]);
            c
        } else {
            Command::new(bin())
        };
        c.env_remove("WHOCAN_DB");
        c
    };
    let probe = make().arg("--version").output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("skipping: cannot run whocan as an unprivileged user (setpriv, or the binary's directories, not usable by nobody)");
        return None;
    }
    let mut c = make();
    c.arg("--db").arg(db);
    Some(c)
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// A parsed CSV sheet.
struct Sheet {
    header: Vec<String>,
    rows: Vec<HashMap<String, String>>,
}

fn parse_sheet(bytes: &[u8]) -> Sheet {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect();
    Sheet { header, rows }
}

fn review_sheet(db: &Path) -> Sheet {
    let out = ok(whocan(db)
        .args(["review", "--workspace", ML_DEV, "--format", "csv"])
        .output()
        .unwrap());
    parse_sheet(&out.stdout)
}

/// Writes `sheet` with `decision` on the rows whose assignment id ends with one of
/// `remove`, plus `extra` columns (name, value for every row) at the end.
fn write_decided(path: &Path, sheet: &Sheet, remove: &[&str], extra: &[(&str, &str)]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    let mut header = sheet.header.clone();
    header.extend(extra.iter().map(|(n, _)| n.to_string()));
    w.write_record(&header).unwrap();
    for r in &sheet.rows {
        let decide = remove.iter().any(|a| r["assignment_id"].ends_with(a));
        let mut rec: Vec<String> = sheet
            .header
            .iter()
            .map(|c| match c.as_str() {
                "decision" if decide => "remove".to_string(),
                _ => r[c].clone(),
            })
            .collect();
        rec.extend(extra.iter().map(|(_, v)| v.to_string()));
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
}

/// A copy of sample-data with `edit` applied to the role assignment whose name is
/// `name` in `assignments/role-assignments.json`.
fn sample_with_assignment(
    dir: &Path,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> PathBuf {
    let data = dir.join("data");
    copy_dir(&sample_data(), &data);
    let path = data.join("assignments/role-assignments.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let a = v
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no assignment {name}"));
    edit(a);
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    data
}

// ---------------------------------------------------------------------------
// Output files (item 5)
// ---------------------------------------------------------------------------

#[test]
fn a_link_planted_at_the_old_temporary_name_redirects_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    set_mode(&victim, 0o600);
    // Where whocan used to write `sheet.csv` and `page.html` first.
    for tmp in [".sheet.csv.whocan-tmp", ".page.html.whocan-tmp"] {
        std::os::unix::fs::symlink(&victim, dir.path().join(tmp)).unwrap();
    }
    let sheet = dir.path().join("sheet.csv");
    let page = dir.path().join("page.html");
    ok(whocan(&db)
        .args(["review", "--workspace", ML_DEV, "--out"])
        .arg(&sheet)
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap());
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious\n");
    for (p, start) in [(&sheet, "review_key,"), (&page, "<!")] {
        let m = std::fs::symlink_metadata(p).unwrap();
        assert!(m.file_type().is_file(), "{} is a regular file", p.display());
        assert!(text(&std::fs::read(p).unwrap()).starts_with(start));
    }
    // The planted links are left as they were; nothing else was added.
    let expected = [
        ".page.html.whocan-tmp",
        ".sheet.csv.whocan-tmp",
        "page.html",
        "sheet.csv",
        "victim",
    ];
    for name in listing(dir.path()) {
        assert!(
            expected.contains(&name.as_str()) || name.starts_with("w.db"),
            "left behind: {name}"
        );
    }
    for tmp in &expected[..2] {
        assert!(std::fs::symlink_metadata(dir.path().join(tmp))
            .unwrap()
            .file_type()
            .is_symlink());
    }
}

#[test]
fn review_files_are_0600_even_when_they_replace_a_0644_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    let sheet = dir.path().join("sheet.csv");
    let page = dir.path().join("page.html");
    let json = dir.path().join("sheet.json");
    std::fs::write(&sheet, "old").unwrap();
    set_mode(&sheet, 0o644);
    ok(whocan(&db)
        .args(["review", "--workspace", ML_DEV, "--out"])
        .arg(&sheet)
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap());
    ok(whocan(&db)
        .args(["review", "--workspace", ML_DEV, "--format", "json", "--out"])
        .arg(&json)
        .output()
        .unwrap());
    for p in [&sheet, &page, &json] {
        assert_eq!(mode(p), 0o600, "{}", p.display());
    }
    assert!(text(&std::fs::read(&sheet).unwrap()).starts_with("review_key,"));
}

#[test]
fn a_fifo_as_out_is_written_through_and_stays_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    let fifo = dir.path().join("sheet.fifo");
    if !Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    ok(whocan(&db)
        .args(["review", "--workspace", ML_DEV, "--out"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap());
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced by a regular file"
    );
    let got = reader.join().unwrap();
    assert!(text(&got).starts_with("review_key,"), "{}", text(&got));
}

/// A character device node made in the test's directory (root only): never the
/// machine's own `/dev/null`, which a regression would replace.
fn device(dir: &Path, name: &str, minor: &str) -> Option<PathBuf> {
    if !is_root() {
        return None;
    }
    let p = dir.join(name);
    let made = Command::new("mknod")
        .arg(&p)
        .args(["c", "1", minor])
        .status()
        .is_ok_and(|s| s.success());
    made.then_some(p)
}

#[test]
fn a_device_as_out_is_written_to_and_stays_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    let Some(null) = device(dir.path(), "null", "3") else {
        eprintln!("skipping: making a device node needs root (mknod)");
        return;
    };
    let out = ok(whocan(&db)
        .args(["review", "--workspace", ML_DEV, "--out"])
        .arg(&null)
        .arg("--html")
        .arg(&null)
        .output()
        .unwrap());
    assert!(
        std::fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device(),
        "the device node was replaced by a regular file: {}",
        show(&out)
    );
}

/// A link to the process's own stdout, like `/dev/stdout` (which a regression
/// running as root would replace for the whole machine; this one is the test's).
fn stdout_link(dir: &Path) -> PathBuf {
    let link = dir.join("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    link
}

#[test]
fn a_link_to_stdout_as_out_writes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let link = stdout_link(dir.path());
    let out = ok(whocan(&fixture().db)
        .args(["review", "--workspace", ML_DEV, "--out"])
        .arg(&link)
        .output()
        .unwrap());
    assert!(
        text(&out.stdout).starts_with("review_key,"),
        "{}",
        show(&out)
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_full_disk_exits_4_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    // As root, a copy of /dev/full (a regression must not replace the real one);
    // otherwise /dev/full itself, which an unprivileged rename cannot replace.
    let full = match device(dir.path(), "full", "7") {
        Some(p) => p,
        None if !is_root() && Path::new("/dev/full").exists() => PathBuf::from("/dev/full"),
        None => {
            eprintln!("skipping: no /dev/full");
            return;
        }
    };
    let out = whocan(&db)
        .args(["review", "--workspace", ML_DEV, "--out"])
        .arg(&full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("hint:"), "{err}");
    assert!(err.to_lowercase().contains("space"), "{err}");
    assert!(std::fs::metadata(&full)
        .unwrap()
        .file_type()
        .is_char_device());
}

/// `review --out --html --xlsx` writes its files all or none. One output that
/// cannot be written (a name under a regular file, a name that is a directory, a
/// file size limit) used to leave the ones written before it, new or replaced,
/// beside the error; now no target is created or changed and no temporary file
/// is left.
#[test]
fn several_outputs_are_written_all_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("file.txt"), "a file, not a directory").unwrap();
    std::fs::create_dir(out.join("a-dir")).unwrap();
    // An earlier page, to be left as it was.
    std::fs::write(out.join("old.html"), "last quarter's page").unwrap();
    let before = listing(&out);
    let review = |csv: &str, html: &str, xlsx: &str| {
        whocan(&db)
            .args(["review", "--workspace", ML_DEV])
            .arg("--out")
            .arg(out.join(csv))
            .arg("--html")
            .arg(out.join(html))
            .arg("--xlsx")
            .arg(out.join(xlsx))
            .output()
            .unwrap()
    };
    for (csv, html, xlsx, expect) in [
        (
            "file.txt/sheet.csv",
            "new.html",
            "new.xlsx",
            "Not a directory",
        ),
        ("sheet.csv", "old.html", "a-dir", "is a directory"),
        (
            "sheet.csv",
            "old.html",
            "file.txt/new.xlsx",
            "Not a directory",
        ),
    ] {
        let ran = review(csv, html, xlsx);
        assert_eq!(ran.status.code(), Some(2), "{}", show(&ran));
        let err = text(&ran.stderr);
        assert!(err.contains(expect) && err.contains("hint:"), "{err}");
        assert!(!err.contains("wrote "), "{err}");
        assert_eq!(listing(&out), before, "{csv} {html} {xlsx}: {err}");
        assert_eq!(
            std::fs::read_to_string(out.join("old.html")).unwrap(),
            "last quarter's page"
        );
    }
    // A write that fails part way (past `ulimit -f`): exit 4, nothing left.
    let script = format!(
        "ulimit -f 64 && exec '{}' --db '{}' review --workspace {ML_DEV} --out '{}' --xlsx '{}' --html '{}'",
        bin(),
        db.display(),
        out.join("sheet.csv").display(),
        out.join("new.xlsx").display(),
        out.join("old.html").display(),
    );
    let ran = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    assert_eq!(ran.status.code(), Some(4), "{}", show(&ran));
    assert_eq!(listing(&out), before);
    // And all three when all can be.
    let ran = review("sheet.csv", "old.html", "new.xlsx");
    ok(ran);
    for f in ["sheet.csv", "old.html", "new.xlsx"] {
        assert_eq!(mode(&out.join(f)), 0o600, "{f}");
    }
    assert_ne!(
        std::fs::read_to_string(out.join("old.html")).unwrap(),
        "last quarter's page"
    );
}

#[test]
fn an_unwritable_directory_exits_4_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    set_mode(dir.path(), 0o755);
    set_mode(&db, 0o644);
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    set_mode(&locked, 0o555);
    let Some(mut cmd) = unprivileged(&db) else {
        return;
    };
    let out = cmd
        .args(["review", "--workspace", ML_DEV, "--out"])
        .arg(locked.join("sheet.csv"))
        .output()
        .unwrap();
    set_mode(&locked, 0o755);
    assert_eq!(out.status.code(), Some(4), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("ermission denied"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

// ---------------------------------------------------------------------------
// Databases (item 6, SPEC §3)
// ---------------------------------------------------------------------------

/// Runs `args` against `db` and checks: exit 2, a hint, `expect` in the message,
/// the file byte for byte as it was and nothing created beside it.
fn refused_unchanged(db: &Path, args: &[&str], expect: &str) {
    let dir = db.parent().unwrap();
    let before = std::fs::read(db).unwrap();
    let names = listing(dir);
    let out = whocan(db).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains(expect), "{args:?}: {err}");
    assert!(err.contains("hint:"), "{args:?}: {err}");
    assert_eq!(
        std::fs::read(db).unwrap(),
        before,
        "{args:?} changed the file"
    );
    assert_eq!(listing(dir), names, "{args:?} created files beside it");
}

#[test]
fn another_applications_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other-app.sqlite");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch(
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO accounts (name) VALUES ('keep'), ('me');",
        )
        .unwrap();
    }
    let sample = sample_data();
    let sample = sample.to_str().unwrap();
    for args in [
        &["snapshots"][..],
        &["who", WS_READ, "--workspace", ML_DEV],
        &["import", sample],
        &["verify"],
        &["lint"],
    ] {
        refused_unchanged(&other, args, "not a whocan database");
    }
    let c = rusqlite::Connection::open(&other).unwrap();
    let tables: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a database at all\n").unwrap();
    let sample = sample_data();
    for args in [&["snapshots"][..], &["import", sample.to_str().unwrap()]] {
        refused_unchanged(&notes, args, "not a SQLite database");
    }
}

#[test]
fn a_schema_newer_than_the_binary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (999, 'from_the_future', '2030-01-01T00:00:00Z', '0')",
            [],
        )
        .unwrap();
    }
    for args in [&["snapshots"][..], &["who", WS_READ, "--workspace", ML_DEV]] {
        refused_unchanged(&db, args, "newer than this whocan");
    }
}

/// A schema history edited by hand (a checksum or a name changed, a row deleted,
/// added or doubled) was a raw migration error (exit 3) or went unnoticed; it is
/// refused, exit 2 with a hint, by every command, the file as it was.
#[test]
fn an_altered_schema_history_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_data();
    let sample = sample.to_str().unwrap();
    let history = "refinery_schema_history";
    let edits = [
        (
            format!("UPDATE {history} SET checksum = '1' WHERE version = 3"),
            "migration 3 (scope_lookup_indexes) is recorded with checksum \"1\"",
        ),
        (
            format!("UPDATE {history} SET name = 'renamed' WHERE version = 12"),
            "migration 12 is recorded as \"renamed\"",
        ),
        (
            format!("DELETE FROM {history} WHERE version = 5"),
            "migration 5 (evidence_chain) is missing",
        ),
        (
            format!("INSERT INTO {history} VALUES (0, 'zero', '', '0')"),
            "a row names migration 0",
        ),
        (
            format!(
                "CREATE TABLE h AS SELECT * FROM {history}; \
                 INSERT INTO h SELECT * FROM {history} WHERE version = 4; \
                 DROP TABLE {history}; ALTER TABLE h RENAME TO {history}"
            ),
            "migration 4 is recorded twice",
        ),
        (
            format!("DELETE FROM {history}"),
            "it records no migration, yet it holds whocan's tables",
        ),
        // The newest row removed: the history alone is an older whocan's, but the
        // tables are not; upgrading them fails, rolled back.
        (
            format!("DELETE FROM {history} WHERE version = 15"),
            "its tables are not those its recorded migrations made",
        ),
    ];
    for (i, (edit, expect)) in edits.iter().enumerate() {
        let db = fixture_copy(dir.path(), &format!("altered-{i}.db"));
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(edit)
            .unwrap();
        for args in [
            &["snapshots"][..],
            &["who", WS_READ, "--workspace", ML_DEV],
            &["import", sample],
        ] {
            refused_unchanged(&db, args, "its schema history was altered outside whocan");
            refused_unchanged(&db, args, expect);
        }
    }
}

#[test]
fn new_databases_are_stamped_and_earlier_ones_accepted_and_stamped() {
    // whocan's application_id: ASCII "WHCN".
    assert_eq!(application_id(&fixture().db), 0x5748_434E);
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    ok(whocan(&db).arg("snapshots").output().unwrap());
    assert_eq!(application_id(&db), 0x5748_434E);
}

/// The question commands, each expected to exit 0 on the fixture.
fn questions() -> Vec<Vec<&'static str>> {
    vec![
        vec!["who", WS_READ, "--workspace", ML_DEV, "--format", "json"],
        vec![
            "can",
            PRIYA,
            WS_READ,
            "--workspace",
            ML_DEV,
            "--format",
            "json",
        ],
        vec!["what", PRIYA, "--workspace", ML_DEV, "--format", "json"],
        vec!["snapshots", "--format", "json"],
        vec!["verify", "--format", "json"],
        vec!["diff", "1", "2", "--format", "json"],
        vec!["lint", "--format", "json"],
        vec!["review", "--workspace", ML_DEV, "--format", "csv"],
        vec!["review", "plan"],
    ]
}

/// A copy of the fixture in `dir/sub` (file 0444), the directory `dir_mode`.
fn read_only_copy(dir: &Path, sub: &str, dir_mode: u32) -> PathBuf {
    set_mode(dir, 0o755);
    let archive = dir.join(sub);
    std::fs::create_dir(&archive).unwrap();
    let db = fixture_copy(&archive, "evidence.db");
    set_mode(&db, 0o444);
    set_mode(&archive, dir_mode);
    db
}

fn read_only_answers_questions_and_refuses_writes(db: &Path) {
    let archive = db.parent().unwrap().to_path_buf();
    let before = std::fs::read(db).unwrap();
    for args in questions() {
        let Some(mut cmd) = unprivileged(db) else {
            return;
        };
        let out = cmd.args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} on a read-only copy: {}",
            show(&out)
        );
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    let Some(mut cmd) = unprivileged(db) else {
        return;
    };
    let out = cmd.arg("import").arg(sample_data()).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("read-only"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    // `review apply` records decisions: refused the same way, before any is.
    let sheet = archive.parent().unwrap().join("sheet.csv");
    let csv = ok(whocan(&fixture().db)
        .args(["review", "--workspace", ML_DEV, "--format", "csv"])
        .output()
        .unwrap());
    std::fs::write(&sheet, &csv.stdout).unwrap();
    set_mode(&sheet, 0o644);
    let Some(mut cmd) = unprivileged(db) else {
        return;
    };
    let out = cmd.args(["review", "apply"]).arg(&sheet).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", show(&out));
    assert!(text(&out.stderr).contains("read-only"), "{}", show(&out));
    assert_eq!(std::fs::read(db).unwrap(), before);
    set_mode(&archive, 0o755);
}

#[test]
fn a_read_only_copy_in_a_read_only_directory_answers_every_question() {
    let dir = tempfile::tempdir().unwrap();
    let db = read_only_copy(dir.path(), "archive", 0o555);
    read_only_answers_questions_and_refuses_writes(&db);
    set_mode(db.parent().unwrap(), 0o755);
}

#[test]
fn a_read_only_file_in_a_writable_directory_answers_every_question() {
    let dir = tempfile::tempdir().unwrap();
    let db = read_only_copy(dir.path(), "shared", 0o777);
    read_only_answers_questions_and_refuses_writes(&db);
}

#[test]
fn a_read_only_copy_with_pending_wal_frames_is_refused_not_answered_stale() {
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), 0o755);
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let db = fixture_copy(&work, "w.db");
    let archive = dir.path().join("archive");
    std::fs::create_dir(&archive).unwrap();
    {
        // A write that stays in the -wal file: copied while the connection is open.
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        c.execute("UPDATE snapshots SET label = 'late' WHERE id = 2", [])
            .unwrap();
        std::fs::copy(&db, archive.join("w.db")).unwrap();
        std::fs::copy(work.join("w.db-wal"), archive.join("w.db-wal")).unwrap();
    }
    for f in ["w.db", "w.db-wal"] {
        set_mode(&archive.join(f), 0o444);
    }
    set_mode(&archive, 0o555);
    let Some(mut cmd) = unprivileged(&archive.join("w.db")) else {
        set_mode(&archive, 0o755);
        return;
    };
    let out = cmd
        .args(["snapshots", "--format", "json"])
        .output()
        .unwrap();
    set_mode(&archive, 0o755);
    // Either answered with the -wal's change, or refused saying why: never stale.
    if out.status.success() {
        assert!(text(&out.stdout).contains("late"), "{}", show(&out));
    } else {
        assert_eq!(out.status.code(), Some(4), "{}", show(&out));
        assert!(text(&out.stderr).contains("-wal"), "{}", show(&out));
    }
}

#[test]
fn a_locked_database_exits_4_with_a_hint_and_questions_still_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let out = whocan(&db)
        .env("WHOCAN_BUSY_TIMEOUT_MS", "200")
        .arg("import")
        .arg(sample_data())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(err.contains("locked"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    // WAL readers are not blocked by a writer.
    ok(whocan(&db)
        .env("WHOCAN_BUSY_TIMEOUT_MS", "200")
        .args(["who", WS_READ, "--workspace", ML_DEV, "--format", "json"])
        .output()
        .unwrap());
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    let n: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2, "the failed import recorded nothing");
}

// ---------------------------------------------------------------------------
// A closed stdout (item 9)
// ---------------------------------------------------------------------------

/// `whocan --db DB ARGS` with stdout a pipe whose reading end is already closed.
fn closed_stdout(db: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(bin())
        .env_remove("WHOCAN_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_is_success_for_every_command_and_format() {
    let db = &fixture().db;
    let dir = tempfile::tempdir().unwrap();
    let scratch = fixture_copy(dir.path(), "scratch.db");
    let sample = sample_data();
    let sample = sample.to_str().unwrap();
    let mut runs: Vec<(&Path, Vec<&str>)> = Vec::new();
    for format in ["csv", "json", "table"] {
        for args in [
            vec!["who", WS_READ, "--workspace", ML_DEV],
            vec!["who", "--activity", "submit-run-v2", "--workspace", ML_DEV],
            vec!["can", PRIYA, WS_READ, "--workspace", ML_DEV],
            vec!["what", PRIYA, "--workspace", ML_DEV],
            vec!["snapshots"],
            vec!["verify"],
            vec!["diff", "1", "2"],
            vec!["lint"],
            vec!["review", "--workspace", ML_DEV],
            vec!["activities"],
        ] {
            let mut a = args;
            a.extend(["--format", format]);
            runs.push((db, a));
        }
        runs.push((&scratch, vec!["import", "--format", format, sample]));
    }
    runs.push((
        db,
        vec!["who", WS_READ, "--workspace", ML_DEV, "--graph", "dot"],
    ));
    runs.push((
        db,
        vec!["can", PRIYA, WS_READ, "--workspace", ML_DEV, "--explain"],
    ));
    runs.push((db, vec!["review", "plan"]));
    let link = stdout_link(dir.path());
    let link = link.to_str().unwrap();
    runs.push((db, vec!["review", "--workspace", ML_DEV, "--out", link]));
    // `--db` names the database the demo keeps: a new one.
    let demo_db = dir.path().join("demo.db");
    runs.push((&demo_db, vec!["demo"]));
    for (db, args) in runs {
        let out = closed_stdout(db, &args);
        let err = text(&out.stderr);
        if out.status.code() == Some(2) && err.contains("not supported") {
            continue;
        }
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", show(&out));
        for bad in ["error", "Broken pipe", "panicked"] {
            assert!(!err.contains(bad), "{args:?} printed {bad:?}: {err}");
        }
    }
}

// ---------------------------------------------------------------------------
// The review round trip (item 8)
// ---------------------------------------------------------------------------

#[test]
fn a_condition_with_blanks_around_it_carries_over_after_apply() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with_assignment(dir.path(), PRIYA_ASSIGNMENT, |a| {
        a["condition"] = serde_json::json!(
            "  @Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'ml' \n"
        );
        a["conditionVersion"] = serde_json::json!("2.0");
    });
    let db = dir.path().join("w.db");
    import(&db, &data, "2026-11-01T00:00:00Z");
    let sheet = review_sheet(&db);
    let row = sheet
        .rows
        .iter()
        .find(|r| r["assignment_id"].ends_with(PRIYA_ASSIGNMENT))
        .expect("Priya's row");
    assert!(row["condition"].contains("StringEquals"), "{row:?}");
    let path = dir.path().join("decided.csv");
    write_decided(&path, &sheet, &[PRIYA_ASSIGNMENT], &[]);
    let out = ok(whocan(&db)
        .args(["review", "apply"])
        .arg(&path)
        .args(["--reviewer", "Olivia"])
        .output()
        .unwrap());
    assert!(
        !text(&out.stderr).contains("changed since"),
        "a freshly made sheet looked changed: {}",
        show(&out)
    );
    // The next review carries the decision over; the plan carries it out.
    let again = review_sheet(&db);
    let row = again
        .rows
        .iter()
        .find(|r| r["assignment_id"].ends_with(PRIYA_ASSIGNMENT))
        .unwrap();
    assert_eq!(row["decision"], "remove", "{row:?}");
    let plan = ok(whocan(&db).args(["review", "plan"]).output().unwrap());
    assert!(
        text(&plan.stdout).contains(PRIYA_ASSIGNMENT),
        "{}",
        show(&plan)
    );
}

#[test]
fn a_duplicated_column_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_copy(dir.path(), "w.db");
    let sheet = review_sheet(&db);
    let path = dir.path().join("twice.csv");
    // The first `decision` says remove, the second approve.
    write_decided(
        &path,
        &sheet,
        &[PRIYA_ASSIGNMENT],
        &[("Decision", "approve")],
    );
    let out = whocan(&db)
        .args(["review", "apply"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = text(&out.stderr);
    let header = std::fs::read_to_string(&path).unwrap();
    let header = header.lines().next().unwrap();
    let column = header.rfind(",Decision").unwrap() + 2;
    assert!(
        err.contains(&format!("{}:1:{column}:", path.display())),
        "expected {}:1:{column}: in {err}",
        path.display()
    );
    assert!(err.contains("decision"), "{err}");
    // Nothing recorded: the next review has no decision, the plan no command.
    assert!(review_sheet(&db)
        .rows
        .iter()
        .all(|r| r["decision"].is_empty()));
    let plan = ok(whocan(&db).args(["review", "plan"]).output().unwrap());
    assert!(!text(&plan.stdout).contains("az "), "{}", show(&plan));
}

#[test]
fn an_id_that_begins_with_a_dash_never_reaches_az_as_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with_assignment(dir.path(), BREAKGLASS_ASSIGNMENT, |a| {
        a["id"] = serde_json::json!("--yes");
    });
    let db = dir.path().join("w.db");
    import(&db, &data, "2026-11-01T00:00:00Z");
    let sheet = review_sheet(&db);
    assert!(
        // Shown neutralised (`'--yes`) in the sheet.
        sheet
            .rows
            .iter()
            .any(|r| r["assignment_id"].trim_start_matches('\'') == "--yes"),
        "the crafted assignment is a row"
    );
    let path = dir.path().join("decided.csv");
    write_decided(&path, &sheet, &["--yes"], &[]);
    ok(whocan(&db)
        .args(["review", "apply", "--reviewer", "Olivia Bennett"])
        .arg(&path)
        .output()
        .unwrap());
    let plan = ok(whocan(&db).args(["review", "plan"]).output().unwrap());
    let plan = text(&plan.stdout);
    assert!(
        plan.lines()
            .any(|l| l == "az role assignment delete --ids=--yes"),
        "{plan}"
    );
    for line in plan.lines().filter(|l| !l.starts_with('#')) {
        let words: Vec<&str> = line.split(' ').collect();
        for pair in words.windows(2) {
            if pair[0].starts_with("--") && !pair[0].contains('=') && pair[0] != "--method" {
                assert!(
                    !pair[1].trim_start_matches('\'').starts_with('-'),
                    "a value reads as an option: {line}"
                );
            }
        }
    }
}
