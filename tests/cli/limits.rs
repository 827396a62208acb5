//! Inputs and environments at the edges: a NUL inside an export, a review sheet
//! or key that is a FIFO or a device, a file-size limit. Each is refused or fails
//! cleanly (exit 2 or 4, a message naming the file), never a hang, a crash or a
//! database that `verify` later calls altered.

use std::path::Path;
use std::process::Command;

use crate::support::{sample_data, whocan};

fn imported_sample(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("s.db");
    let out = whocan(&db)
        .arg("import")
        .arg(sample_data())
        .output()
        .unwrap();
    assert!(out.status.success());
    db
}

#[test]
fn a_nul_inside_an_export_is_refused_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("in");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("users.json"),
        r#"[{"id":"a\u0000b","displayName":"x","userPrincipalName":"x@contoso.com"}]"#,
    )
    .unwrap();
    let db = dir.path().join("n.db");
    let out = whocan(&db).arg("import").arg(&data).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("users.json:1:") && err.contains("NUL"),
        "{err}"
    );

    std::fs::remove_file(data.join("users.json")).unwrap();
    std::fs::write(
        data.join("edges.csv"),
        "groupId,memberId,memberType\n11111111-1111-1111-1111-111111111111,2222\u{0}2222,User\n",
    )
    .unwrap();
    let out = whocan(&db).arg("import").arg(&data).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("edges.csv:2:42:"), "{err}");
}

/// A NUL in a `displayName` or `description` is free text someone wrote: the
/// import keeps it, a terminal shows it escaped (`\0`), JSON and CSV carry it.
/// One in an id or a scope is still refused at its place.
#[test]
fn a_nul_in_a_display_name_or_description_is_kept_and_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("in");
    crate::support::copy_dir(&sample_data(), &data);
    let edit = |rel: &str, from: &str, to: &str| {
        let p = data.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel}: {from}");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "directory/users.json",
        r#""displayName": "Break Glass Admin 01""#,
        r#""displayName": "Break Glass\u0000Admin 01""#,
    );
    edit(
        "roles/custom/mlops-custom.json",
        r#""Description": "Can run pipelines"#,
        r#""Description": "Can\u0000run pipelines"#,
    );
    let db = dir.path().join("n.db");
    let out = whocan(&db).arg("import").arg(&data).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = |args: &[&str]| -> Vec<u8> {
        let out = whocan(&db).args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let upn = "breakglass01@contoso.onmicrosoft.com";
    let table = run(&["show", upn, "--format", "table"]);
    assert!(!table.contains(&0), "a raw NUL on the terminal");
    assert!(
        String::from_utf8_lossy(&table).contains(r"Break Glass\0Admin 01"),
        "{}",
        String::from_utf8_lossy(&table)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["show", upn, "--format", "json"])).unwrap();
    assert_eq!(
        json["principal"]["displayName"], "Break Glass\u{0}Admin 01",
        "{json:#}"
    );
    let read = "Microsoft.MachineLearningServices/workspaces/read";
    let csv = run(&["who", read, "--workspace", "ml-prod", "--format", "csv"]);
    assert!(
        csv.windows(20).any(|w| w == b"Break Glass\0Admin 01"),
        "{}",
        String::from_utf8_lossy(&csv)
    );
    let role = run(&["role", "MLOps Custom", "--format", "table"]);
    assert!(
        String::from_utf8_lossy(&role).contains(r"Can\0run pipelines"),
        "{}",
        String::from_utf8_lossy(&role)
    );

    // In an id or a scope, still refused where it is.
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("assignments.json"),
        "[{\"id\": \"/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/a1\",\n\
          \"scope\": \"/subscriptions/s1\\u0000x\", \"principalId\": \"p1\",\n\
          \"roleDefinitionId\": \"r1\", \"principalType\": \"User\", \"displayName\": \"a\\u0000b\"}]",
    )
    .unwrap();
    let out = whocan(&dir.path().join("b.db"))
        .arg("import")
        .arg(&bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("assignments.json:2:") && err.contains("NUL"),
        "{err}"
    );
}

/// A FIFO with no writer would block for ever; `/dev/zero` never ends.
#[test]
fn a_sheet_or_key_that_is_not_a_regular_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported_sample(dir.path());
    let fifo = dir.path().join("ff");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut targets = vec![std::path::PathBuf::from("/dev/zero")];
    if made.is_ok_and(|s| s.success()) {
        targets.push(fifo);
    } else {
        eprintln!("skipping the FIFO: mkfifo is not available");
    }
    for t in &targets {
        let out = whocan(&db)
            .args(["review", "apply"])
            .arg(t)
            .args(["--reviewer", "x"])
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", t.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not a regular file"), "{err}");
        let out = whocan(&db)
            .args(["seal", "--key"])
            .arg(t)
            .arg("--out")
            .arg(dir.path().join("r.json"))
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", t.display());
    }
}

/// Past `ulimit -f` a write fails (exit 4) instead of SIGXFSZ killing the
/// process, and no temporary file is left behind.
#[test]
fn a_file_size_limit_is_a_full_disk_not_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported_sample(dir.path());
    let out_file = dir.path().join("sheet.csv");
    let script = format!(
        "ulimit -f 8 && exec '{}' --db '{}' review --workspace ml-prod --out '{}'",
        crate::support::bin(),
        db.display(),
        out_file.display()
    );
    let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".whocan-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!out_file.exists());
}

/// The `-shm` file a WAL database needs beside it cannot grow past `ulimit -f`
/// (SQLite's `SQLITE_IOERR_SHMSIZE`, as on a full disk): exit 4, SQLite's words
/// said once (they were said twice, "disk I/O error: Error code 4874: disk I/O
/// error"), and a hint that names the file rather than a generic I/O error.
#[test]
fn a_shared_memory_file_that_cannot_grow_is_the_environments_failure() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported_sample(dir.path());
    for args in ["snapshots", "import '{data}'"] {
        for side in ["-shm", "-wal"] {
            let _ = std::fs::remove_file(dir.path().join(format!("s.db{side}")));
        }
        let args = args.replace("{data}", &sample_data().display().to_string());
        let script = format!(
            "ulimit -f 8 && exec '{}' --db '{}' {args}",
            crate::support::bin(),
            db.display(),
        );
        let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{args}: {err}");
        assert_eq!(err.matches("disk I/O error").count(), 1, "{args}: {err}");
        assert!(!err.contains("Error code"), "{args}: {err}");
        assert!(
            err.contains("hint: SQLite could not create or grow"),
            "{err}"
        );
        assert!(err.contains("-shm"), "{err}");
    }
    // The database is as it was: one snapshot, verified.
    let out = whocan(&db).args(["verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
