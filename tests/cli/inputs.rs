//! Only regular files are read, and none larger than the limit (issue 10, item 7): a
//! FIFO, a socket, a device (also through a symbolic link) or an oversized file is
//! refused by name with exit 2 before anything is opened, the command returns, and
//! the database is as it was.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::{snapshots, whocan, write};

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

fn role_file(dir: &Path) -> PathBuf {
    write(
        dir,
        "good/roles.json",
        format!(
            r#"[{{"assignableScopes":["/"],"id":"/providers/Microsoft.Authorization/roleDefinitions/{READER}",
  "name":"{READER}","permissions":[{{"actions":["*/read"],"notActions":[],"dataActions":[],"notDataActions":[]}}],
  "roleName":"Reader","roleType":"BuiltInRole","type":"Microsoft.Authorization/roleDefinitions"}}]"#
        ),
    )
}

/// A database with one snapshot, and its listing.
fn seeded(dir: &Path) -> (PathBuf, Vec<serde_json::Value>) {
    let db = dir.join("w.db");
    let good = role_file(dir);
    whocan(&db)
        .arg("import")
        .arg(&good)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let before = snapshots(&db);
    assert_eq!(before.len(), 1);
    (db, before)
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// Imports `args`, expecting a refusal that names `named` and says `what`, within a
/// few seconds, with the database unchanged.
fn refused(db: &Path, before: &[serde_json::Value], args: &[&Path], named: &Path, what: &str) {
    let out = whocan(db)
        .arg("import")
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: is {what}", named.display())),
        "{stderr}"
    );
    assert!(stderr.contains("hint: "), "{stderr}");
    assert!(out.stdout.is_empty(), "no summary on failure");
    assert_eq!(snapshots(db), before, "the database is unchanged");
}

#[test]
fn a_fifo_given_by_name_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = seeded(dir.path());
    let fifo = dir.path().join("roles.json");
    mkfifo(&fifo);
    let good = dir.path().join("good/roles.json");
    refused(&db, &before, &[&good, &fifo], &fifo, "a FIFO");
}

#[test]
fn a_fifo_met_while_walking_a_directory_is_refused_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = seeded(dir.path());
    let tenant = dir.path().join("good");
    let fifo = tenant.join("zz-assignments.json");
    mkfifo(&fifo);
    refused(&db, &before, &[&tenant], &fifo, "a FIFO");
}

#[test]
fn a_fifo_not_named_like_an_export_is_skipped_unopened() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = seeded(dir.path());
    let tenant = dir.path().join("good");
    mkfifo(&tenant.join("notes"));
    whocan(&db)
        .args(["import", "--format", "json"])
        .arg(&tenant)
        .timeout(Duration::from_secs(20))
        .assert()
        .success();
}

#[test]
fn a_symlink_to_dev_zero_is_refused_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = seeded(dir.path());
    let tenant = dir.path().join("good");
    let link = tenant.join("users.json");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    refused(
        &db,
        &before,
        &[&link],
        &link,
        "a character device (through a symbolic link)",
    );
    refused(
        &db,
        &before,
        &[&tenant],
        &link,
        "a character device (through a symbolic link)",
    );
}

#[test]
fn a_device_given_by_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = seeded(dir.path());
    refused(
        &db,
        &before,
        &[Path::new("/dev/null")],
        Path::new("/dev/null"),
        "a character device",
    );
}

#[test]
fn a_socket_in_the_input_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = seeded(dir.path());
    let tenant = dir.path().join("good");
    let sock = tenant.join("sock.json");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    refused(&db, &before, &[&tenant], &sock, "a socket");
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = seeded(dir.path());
    let good = dir.path().join("good/roles.json");
    let len = std::fs::metadata(&good).unwrap().len();
    let out = whocan(&db)
        .arg("import")
        .arg(&good)
        .env("WHOCAN_MAX_INPUT_BYTES", (len - 1).to_string())
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: is {len} bytes, larger than the limit of {} bytes",
            good.display(),
            len - 1
        )),
        "{stderr}"
    );
    assert!(stderr.contains("WHOCAN_MAX_INPUT_BYTES"), "{stderr}");
    assert_eq!(snapshots(&db), before);
    // At the limit it is read.
    whocan(&db)
        .arg("import")
        .arg(&good)
        .env("WHOCAN_MAX_INPUT_BYTES", len.to_string())
        .timeout(Duration::from_secs(20))
        .assert()
        .success();
    // A limit that is not a number is a usage error.
    let out = whocan(&db)
        .arg("import")
        .arg(&good)
        .env("WHOCAN_MAX_INPUT_BYTES", "4G")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected a number of bytes"));
}

/// A file the system cannot read (an I/O error, here `/proc/self/mem`, whose
/// first page is never mapped) is the environment's failure: exit 4 with an
/// I/O hint, not "check the path", and the database as it was.
#[test]
fn an_input_the_system_cannot_read_is_the_environments_failure() {
    let mem = Path::new("/proc/self/mem");
    if !mem.exists() {
        eprintln!("skipped: no /proc/self/mem on this system");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (db, before) = seeded(dir.path());
    let good = dir.path().join("good/roles.json");
    let out = whocan(&db)
        .arg("import")
        .arg(&good)
        .arg(mem)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("/proc/self/mem: cannot read the file: ") && err.contains("hint: "),
        "{err}"
    );
    assert!(!err.contains("check the path"), "{err}");
    assert_eq!(snapshots(&db), before);
}
