//! The collection ledger (issue 12, the import side): `collection.json` beside an
//! export is stored with the snapshot, every answer touching an unreadable scope
//! lists it in `incomplete` (`scope unreadable`), `snapshots` says whether the
//! snapshot's collection was complete, and `verify` covers the ledger.

use std::path::{Path, PathBuf};
use std::process::Output;

use rusqlite::Connection;
use serde_json::Value;
use tempfile::TempDir;

use crate::support::{copy_dir, sample_data, snapshots, stdout_json, whocan, SAMPLE_TAKEN_AT};

const SUB: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
const RG: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod";
const OTHER_SUB: &str = "/subscriptions/187f0923-f1d8-4e1d-aa97-9782eb7d5bd0";
const READ: &str = "Microsoft.MachineLearningServices/workspaces/read";

/// The ledger: the subscription's role assignments forbidden, the resource
/// group's failed; everything else complete (a graph entry failing makes no
/// scope unreadable).
fn ledger() -> String {
    format!(
        r#"{{
  "whocanCollection": 1,
  "tool": "whocan 0.1.0",
  "armUrl": "https://management.azure.com",
  "graphUrl": "https://graph.microsoft.com",
  "startedAt": "2026-09-30T23:00:00Z",
  "finishedAt": "2026-09-30T23:07:12Z",
  "complete": false,
  "entries": [
    {{"api": "arm", "collection": "managementGroups", "scope": "/",
     "status": "complete", "httpStatus": 200, "pages": 1, "items": 3, "retries": 0,
     "error": null, "files": ["scopes/management-groups.json"]}},
    {{"api": "arm", "collection": "roleAssignments", "scope": "{SUB}",
     "status": "forbidden", "httpStatus": 403, "pages": 0, "items": 0, "retries": 0,
     "error": "AuthorizationFailed: no read permission", "files": []}},
    {{"api": "arm", "collection": "roleAssignments", "scope": "{RG}",
     "status": "failed", "httpStatus": 500, "pages": 0, "items": 0, "retries": 3,
     "error": "InternalServerError", "files": []}},
    {{"api": "arm", "collection": "roleAssignments", "scope": "{OTHER_SUB}",
     "status": "complete", "httpStatus": 200, "pages": 1, "items": 2, "retries": 1,
     "error": null, "files": ["assignments/role-assignments.json"]}},
    {{"api": "graph", "collection": "groupMembers", "scope": "/groups/0a5cb64d-5cc9-4423-89cb-385272e5f01a/members",
     "status": "throttled", "httpStatus": 429, "pages": 0, "items": 0, "retries": 5,
     "error": "TooManyRequests", "files": []}}
  ]
}}"#
    )
}

/// The sample tenant copied into a temp dir, with `collection.json` holding `ledger`.
fn collected(ledger: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("export");
    copy_dir(&sample_data(), &data);
    std::fs::write(data.join("collection.json"), ledger).unwrap();
    let db = dir.path().join("w.db");
    (dir, data, db)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn import(db: &Path, data: &Path) -> Value {
    stdout_json(&ok(whocan(db)
        .args(["import", "--taken-at", SAMPLE_TAKEN_AT, "--format", "json"])
        .arg(data)
        .output()
        .unwrap()))
}

/// An answer as JSON (`can` exits 1 when the answer is no).
fn json(db: &Path, args: &[&str]) -> Value {
    let out = whocan(db)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        text(&out.stderr)
    );
    stdout_json(&out)
}

/// The scopes `incomplete` lists as unreadable.
fn unreadable(answer: &Value) -> Vec<String> {
    answer["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["reason"] == "scope unreadable")
        .map(|i| i["scope"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn answers_under_an_unreadable_scope_say_so_and_others_do_not() {
    let (_dir, data, db) = collected(&ledger());
    let summary = import(&db, &data);
    assert_eq!(summary["counts"]["ledgerEntries"], 5);
    assert_eq!(summary["counts"]["unreadableScopes"], 2);

    let who = json(&db, &["who", READ, "--workspace", "ml-prod"]);
    assert_eq!(unreadable(&who), [SUB, RG]);
    let can = json(
        &db,
        &[
            "can",
            "alice.nguyen@contoso.com",
            READ,
            "--workspace",
            "ml-prod",
        ],
    );
    assert_eq!(unreadable(&can), [SUB, RG]);
    let what = json(
        &db,
        &["what", "alice.nguyen@contoso.com", "--workspace", "ml-prod"],
    );
    assert_eq!(unreadable(&what), [SUB, RG]);
    // Under the subscription but not under the failed resource group.
    let dev = json(&db, &["who", READ, "--workspace", "ml-dev"]);
    assert_eq!(unreadable(&dev), [SUB]);
    // Elsewhere: nothing unreadable on the chain.
    let other = json(&db, &["who", READ, "--scope", OTHER_SUB]);
    assert!(unreadable(&other).is_empty(), "{other:#}");
    let other = json(
        &db,
        &[
            "can",
            "alice.nguyen@contoso.com",
            READ,
            "--scope",
            OTHER_SUB,
        ],
    );
    assert!(unreadable(&other).is_empty(), "{other:#}");

    // Tables print them too.
    for args in [
        vec!["who", READ, "--workspace", "ml-prod"],
        vec![
            "can",
            "alice.nguyen@contoso.com",
            READ,
            "--workspace",
            "ml-prod",
        ],
    ] {
        let out = whocan(&db)
            .args(&args)
            .args(["--format", "table"])
            .output()
            .unwrap();
        let t = text(&out.stdout);
        assert!(
            t.contains(&format!(
                "incomplete: {SUB} could not be read when collected"
            )),
            "{t}"
        );
        assert!(
            t.contains(&format!(
                "incomplete: {RG} could not be read when collected"
            )),
            "{t}"
        );
    }

    // `review` at the subscription lists the unreadable scopes at and below it.
    let out = ok(whocan(&db)
        .args(["review", "--scope", SUB, "--format", "csv"])
        .output()
        .unwrap());
    let err = text(&out.stderr);
    assert!(err.contains(&format!("{SUB} could not be read")), "{err}");
    assert!(err.contains(&format!("{RG} could not be read")), "{err}");
}

#[test]
fn snapshots_say_whether_a_collection_was_complete() {
    let (_dir, data, db) = collected(&ledger());
    ok(whocan(&db)
        .args(["import", "--taken-at", "2026-09-01T00:00:00Z"])
        .arg(sample_data())
        .output()
        .unwrap());
    import(&db, &data);
    let complete = ledger()
        .replace("\"forbidden\"", "\"complete\"")
        .replace("\"failed\"", "\"complete\"")
        .replace("\"throttled\"", "\"complete\"")
        .replace("\"complete\": false", "\"complete\": true");
    std::fs::write(data.join("collection.json"), complete).unwrap();
    import(&db, &data);

    let list = snapshots(&db);
    assert_eq!(list[0]["collection"], Value::Null);
    assert_eq!(
        list[1]["collection"],
        serde_json::json!({"complete": false, "unreadable": 2})
    );
    assert_eq!(
        list[2]["collection"],
        serde_json::json!({"complete": true, "unreadable": 0})
    );
    let table = text(
        &ok(whocan(&db)
            .args(["snapshots", "--format", "table"])
            .output()
            .unwrap())
        .stdout,
    );
    assert!(table.contains("incomplete (2 unreadable)"), "{table}");
    assert!(table.contains("complete"), "{table}");
    let csv = text(
        &ok(whocan(&db)
            .args(["snapshots", "--format", "csv"])
            .output()
            .unwrap())
        .stdout,
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].ends_with(",collection"), "{csv}");
    assert!(lines[1].ends_with(","), "{csv}");
    assert!(lines[2].ends_with(",incomplete (2 unreadable)"), "{csv}");
    assert!(lines[3].ends_with(",complete"), "{csv}");

    // The snapshot without a ledger answers without `scope unreadable`.
    let who = json(
        &db,
        &["who", READ, "--workspace", "ml-prod", "--snapshot", "1"],
    );
    assert!(unreadable(&who).is_empty(), "{who:#}");
    // The complete collection neither.
    let who = json(&db, &["who", READ, "--workspace", "ml-prod"]);
    assert!(unreadable(&who).is_empty(), "{who:#}");
}

#[test]
fn a_malformed_ledger_is_refused_where_it_breaks_and_nothing_is_written() {
    let bad = ledger().replace("\"status\": \"failed\"", "\"status\": \"broken\"");
    let (_dir, data, db) = collected(&bad);
    import(&db, &sample_data());
    let before = std::fs::read(&db).unwrap();
    let out = whocan(&db).arg("import").arg(&data).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let line = bad.lines().position(|l| l.contains("\"broken\"")).unwrap() + 1;
    assert!(
        err.contains(&format!("collection.json:{line}:")),
        "expected path:line:column at line {line}: {err}"
    );
    assert!(err.contains("expected `status` to be one of"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database changed");
    assert_eq!(snapshots(&db).len(), 1);

    // Two ledgers in one import.
    std::fs::write(data.join("collection.json"), ledger()).unwrap();
    std::fs::write(data.join("again.json"), ledger()).unwrap();
    let out = whocan(&db).arg("import").arg(&data).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("a second collection ledger"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(snapshots(&db).len(), 1);
}

#[test]
fn verify_catches_an_edited_ledger_row() {
    let (_dir, data, db) = collected(&ledger());
    import(&db, &sample_data());
    import(&db, &data);
    ok(whocan(&db).arg("verify").output().unwrap());

    let conn = Connection::open(&db).unwrap();
    let n = conn
        .execute(
            "UPDATE collection_entries SET status = 'complete' WHERE snapshot_id = 2 AND status = 'forbidden'",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);
    let out = whocan(&db)
        .args(["verify", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let v = stdout_json(&out);
    assert_eq!(v["ok"], false, "{v:#}");
    // The edit hides the unreadable scope from answers, and verify says so.
    let who = json(&db, &["who", READ, "--workspace", "ml-prod"]);
    assert_eq!(unreadable(&who), [RG]);

    // Removing the header row is caught too.
    let (_dir2, data2, db2) = collected(&ledger());
    import(&db2, &data2);
    let conn = Connection::open(&db2).unwrap();
    conn.execute("DELETE FROM collection_entries WHERE snapshot_id = 1", [])
        .unwrap();
    conn.execute("DELETE FROM collection_ledgers WHERE snapshot_id = 1", [])
        .unwrap();
    drop(conn);
    let out = whocan(&db2).arg("verify").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}
