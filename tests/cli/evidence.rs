//! Evidence that proves itself (issue 10, item 4): `verify` covers the review audit
//! trail and each snapshot's provenance, and `seal` / `verify --receipt` anchor the
//! chains outside the database.
//!
//! Every tamper case works as an attacker with the database file would: through
//! SQLite directly (rusqlite), dropping the append-only triggers, editing rows and
//! recreating the triggers. Each test builds its own database.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use rusqlite::{params, Connection};
use serde_json::Value;
use tempfile::TempDir;
use whocan::model::{Flag, InputFile};
use whocan::store::{
    chain_hash, chain_hash_v2, review_chain_hash, ChainInput, TrailLink, TrailRow,
};

use crate::support::{stdout_json, whocan};

const FIRST: &str = "2026-10-01T00:00:00Z";
const SECOND: &str = "2026-12-01T00:00:00Z";

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
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

fn import(db: &Path, taken_at: &str, label: &str) {
    ok(whocan(db)
        .args([
            "import",
            "--taken-at",
            taken_at,
            "--label",
            label,
            "--format",
            "json",
        ])
        .arg(sample_data())
        .output()
        .unwrap());
}

/// Reviews ml-prod, decides `remove` on the first two rows and `approve` on the
/// third, and applies the sheet as `reviewer`.
fn review_and_apply(db: &Path, dir: &Path, name: &str, reviewer: &str) {
    let out = ok(whocan(db)
        .args(["review", "--workspace", "ml-prod", "--format", "csv"])
        .output()
        .unwrap());
    let mut r = csv::Reader::from_reader(&out.stdout[..]);
    let header = r.headers().unwrap().clone();
    let decision = header.iter().position(|h| h == "decision").unwrap();
    let sheet = dir.join(name);
    let mut w = csv::Writer::from_path(&sheet).unwrap();
    w.write_record(&header).unwrap();
    for (i, rec) in r.records().enumerate() {
        let mut rec: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        rec[decision] = match i {
            0 | 1 => "remove".into(),
            2 => "approve".into(),
            _ => String::new(),
        };
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
    ok(whocan(db)
        .args(["review", "apply"])
        .arg(&sheet)
        .args(["--reviewer", reviewer])
        .output()
        .unwrap());
}

/// Two snapshots and two applied sheets, all untouched.
fn history() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.db");
    import(&db, FIRST, "2026-Q3");
    review_and_apply(&db, dir.path(), "q3.csv", "Olivia Bennett");
    import(&db, SECOND, "2026-Q4");
    review_and_apply(&db, dir.path(), "q4.csv", "Olivia Bennett");
    (dir, db)
}

fn verify(db: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let out = whocan(db)
        .args(["verify", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let v = stdout_json(&out);
    (out.status.code(), v, text(&out.stderr))
}

/// `verify` fails (exit 1) and its first break is the check named `check`.
fn assert_breaks_at(db: &Path, extra: &[&str], check: &str) -> Value {
    let (code, v, err) = verify(db, extra);
    assert_eq!(code, Some(1), "verify should fail at {check}: {v:#}\n{err}");
    assert_eq!(v["ok"], false);
    let first = v["firstBreak"]["check"].as_str().unwrap_or_default();
    assert!(
        first.starts_with(check),
        "first break {first:?}, expected {check:?}: {v:#}"
    );
    assert!(err.contains(check), "stderr names the break: {err}");
    v
}

fn assert_verifies(db: &Path, extra: &[&str]) -> Value {
    let (code, v, err) = verify(db, extra);
    assert_eq!(code, Some(0), "{v:#}\n{err}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["firstBreak"], Value::Null);
    v
}

/// Runs `sql` with the review trail's append-only triggers dropped, then recreates
/// them exactly as V2 made them.
fn behind_triggers(db: &Path, sql: &str) {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER review_applies_append_only_update; \
         DROP TRIGGER review_applies_append_only_delete; \
         DROP TRIGGER review_decisions_append_only_update; \
         DROP TRIGGER review_decisions_append_only_delete; \
         {sql}; \
         CREATE TRIGGER review_applies_append_only_update BEFORE UPDATE ON review_applies \
         BEGIN SELECT RAISE(ABORT, 'review_applies is append-only'); END; \
         CREATE TRIGGER review_applies_append_only_delete BEFORE DELETE ON review_applies \
         BEGIN SELECT RAISE(ABORT, 'review_applies is append-only'); END; \
         CREATE TRIGGER review_decisions_append_only_update BEFORE UPDATE ON review_decisions \
         BEGIN SELECT RAISE(ABORT, 'review_decisions is append-only'); END; \
         CREATE TRIGGER review_decisions_append_only_delete BEFORE DELETE ON review_decisions \
         BEGIN SELECT RAISE(ABORT, 'review_decisions is append-only'); END;"
    ))
    .unwrap();
}

fn sql(db: &Path, sql: &str) -> usize {
    Connection::open(db).unwrap().execute(sql, []).unwrap()
}

// ---------------------------------------------------------------------------
// The database's own checks
// ---------------------------------------------------------------------------

#[test]
fn an_untouched_database_verifies_every_check() {
    let (_dir, db) = history();
    let v = assert_verifies(&db, &[]);
    let checks: Vec<(&str, &str)> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["check"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(checks.len(), 4, "{checks:?}");
    assert!(checks[0].0.starts_with("snapshot 1"));
    assert!(checks[2].0.starts_with("review apply 1"));
    assert!(checks.iter().all(|c| c.1 == "ok"), "{checks:?}");
    assert_eq!(v["snapshots"][0]["chainVersion"], 2);
    assert_eq!(v["reviewTrail"]["applies"][1]["chain"], "ok");

    let out = ok(whocan(&db)
        .args(["verify", "--format", "table"])
        .output()
        .unwrap());
    assert!(
        text(&out.stdout).contains("All 4 checks pass"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn decisions_rewritten_behind_a_dropped_trigger_fail_verify() {
    let (_dir, db) = history();
    behind_triggers(
        &db,
        "UPDATE review_decisions SET decision = 'approve' WHERE decision = 'remove'",
    );
    let v = assert_breaks_at(&db, &[], "review apply 1");
    assert_eq!(v["reviewTrail"]["applies"][0]["chain"], "MISMATCH");
    assert_eq!(v["reviewTrail"]["applies"][1]["chain"], "MISMATCH");
    // The snapshots are untouched and say so.
    assert_eq!(v["firstMismatch"], Value::Null);

    let out = whocan(&db)
        .args(["verify", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out.stdout);
    assert!(
        t.lines()
            .any(|l| l.starts_with("1,") && l.contains(",MISMATCH,") && l.contains("review_apply")),
        "{t}"
    );
}

#[test]
fn an_edited_apply_record_fails_verify() {
    let (_dir, db) = history();
    behind_triggers(
        &db,
        "UPDATE review_applies SET reviewer = 'Mallory' WHERE id = 2",
    );
    assert_breaks_at(&db, &[], "review apply 2");

    let (_dir, db) = history();
    behind_triggers(
        &db,
        "UPDATE review_applies SET sheet_sha256 = 'ffff' || substr(sheet_sha256, 5) WHERE id = 1",
    );
    assert_breaks_at(&db, &[], "review apply 1");
}

#[test]
fn a_decision_row_added_or_removed_fails_verify() {
    let (_dir, db) = history();
    sql(
        &db,
        "INSERT INTO review_decisions (apply_id, sheet_row, review_key, target_scope_key, \
         target_scope, decision, reviewer_comment, content_hash) \
         SELECT apply_id, 99, review_key, target_scope_key, target_scope, 'approve', NULL, \
         content_hash FROM review_decisions WHERE apply_id = 1 AND decision = 'remove' LIMIT 1",
    );
    assert_breaks_at(&db, &[], "review apply 1");

    let (_dir, db) = history();
    behind_triggers(
        &db,
        "DELETE FROM review_decisions WHERE id = (SELECT min(id) FROM review_decisions \
         WHERE apply_id = 2 AND decision = 'remove')",
    );
    assert_breaks_at(&db, &[], "review apply 2");
}

#[test]
fn a_back_dated_forged_apply_fails_verify() {
    // Without a chain hash (an attacker who inserts rows as V2 defined them).
    let (_dir, db) = history();
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO review_applies (snapshot_id, file, sheet_sha256, reviewer, applied_at) \
         VALUES (1, 'q3.csv', '00', 'Olivia Bennett', '2026-10-02T09:00:00Z')",
        [],
    )
    .unwrap();
    let forged = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO review_decisions (apply_id, sheet_row, review_key, target_scope_key, \
         target_scope, decision, reviewer_comment, content_hash) \
         SELECT ?1, sheet_row, review_key, target_scope_key, target_scope, 'approve', \
         'ok per CISO', content_hash FROM review_decisions WHERE decision = 'remove'",
        [forged],
    )
    .unwrap();
    drop(conn);
    let v = assert_breaks_at(&db, &[], &format!("review apply {forged}"));
    assert_eq!(v["reviewTrail"]["applies"][2]["chain"], "MISMATCH");

    // With a correctly computed chain hash (an attacker who read the source): the
    // date still gives it away.
    let (_dir, db) = history();
    let conn = Connection::open(&db).unwrap();
    let previous: String = conn
        .query_row(
            "SELECT chain_hash FROM review_applies WHERE id = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let applied_at = "2026-10-02T09:00:00Z";
    let chain = review_chain_hash(
        &previous,
        &TrailLink {
            id: 3,
            snapshot_id: 1,
            file: "q3.csv",
            sheet_sha256: "00",
            reviewer: "Olivia Bennett",
            applied_at,
            rows: &[],
        },
    );
    conn.execute(
        "INSERT INTO review_applies (id, snapshot_id, file, sheet_sha256, reviewer, applied_at, \
         chain_hash) VALUES (3, 1, 'q3.csv', '00', 'Olivia Bennett', ?1, ?2)",
        params![applied_at, chain],
    )
    .unwrap();
    drop(conn);
    let v = assert_breaks_at(&db, &[], "review apply 3");
    let detail = v["firstBreak"]["detail"].as_str().unwrap();
    assert!(detail.contains("back-dated"), "{detail}");
}

#[test]
fn an_edited_input_file_sha256_fails_verify() {
    let (_dir, db) = history();
    let n = sql(
        &db,
        "UPDATE snapshot_files SET sha256 = '0000' || substr(sha256, 5) \
         WHERE snapshot_id = 1 AND seq = 0",
    );
    assert_eq!(n, 1);
    let v = assert_breaks_at(&db, &[], "snapshot 1");
    assert_eq!(v["snapshots"][0]["content"], "ok");
    assert_eq!(v["snapshots"][0]["chain"], "MISMATCH");
    // One altered snapshot is one mismatch: the next is checked from the recorded link.
    assert_eq!(v["snapshots"][1]["chain"], "ok");
}

#[test]
fn every_provenance_field_is_covered() {
    for edit in [
        "UPDATE snapshots SET imported_at = '2026-01-01T00:00:00Z' WHERE id = 2",
        "UPDATE snapshots SET tool_version = '0.0.1' WHERE id = 2",
        "UPDATE snapshot_files SET path = '/elsewhere/roles.json' WHERE snapshot_id = 2 AND seq = 1",
        "UPDATE snapshot_files SET records = records + 1 WHERE snapshot_id = 2 AND seq = 1",
        "DELETE FROM snapshot_files WHERE snapshot_id = 2 AND seq = 2",
        "UPDATE snapshot_flags SET detail = 'nothing to see' WHERE snapshot_id = 2 AND seq = 0",
        "DELETE FROM snapshot_flags WHERE snapshot_id = 2",
        "UPDATE snapshots SET label = '2026-Q1' WHERE id = 2",
        "UPDATE snapshots SET taken_at = '2026-11-30T00:00:00Z' WHERE id = 2",
    ] {
        let (_dir, db) = history();
        assert!(sql(&db, edit) > 0, "{edit} changed nothing");
        assert_breaks_at(&db, &[], "snapshot 2");
    }
}

#[test]
fn a_v4_era_database_still_verifies_and_grows_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    import(&db, FIRST, "2026-Q3");
    // Back to what a V4 binary wrote: the chain hash over content, time and label.
    let conn = Connection::open(&db).unwrap();
    let (content, taken_at, label): (String, String, Option<String>) = conn
        .query_row(
            "SELECT content_hash, taken_at, label FROM snapshots WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let v1 = chain_hash("", &content, &taken_at, label.as_deref());
    conn.execute(
        "UPDATE snapshots SET chain_version = 1, chain_hash = ?1 WHERE id = 1",
        [&v1],
    )
    .unwrap();
    drop(conn);
    let v = assert_verifies(&db, &[]);
    assert_eq!(v["snapshots"][0]["chainVersion"], 1);

    // A new import chains version 2 onto it; a sheet applied chains too.
    import(&db, SECOND, "2026-Q4");
    review_and_apply(&db, dir.path(), "q4.csv", "Olivia Bennett");
    let v = assert_verifies(&db, &[]);
    assert_eq!(v["snapshots"][1]["chainVersion"], 2);
}

/// Rewriting a snapshot imported since V5 in the old form (to escape the
/// provenance check) is a break: versions never go down along the chain.
#[test]
fn a_snapshot_rewritten_in_the_old_chain_form_is_a_break() {
    let (_dir, db) = history();
    sql(
        &db,
        "UPDATE snapshots SET tool_version = 'forged' WHERE id = 2",
    );
    let conn = Connection::open(&db).unwrap();
    let (previous, content, taken_at, label): (String, String, String, Option<String>) = conn
        .query_row(
            "SELECT p.chain_hash, s.content_hash, s.taken_at, s.label FROM snapshots s \
             JOIN snapshots p ON p.id = s.id - 1 WHERE s.id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE snapshots SET chain_version = 1, chain_hash = ?1 WHERE id = 2",
        [chain_hash(&previous, &content, &taken_at, label.as_deref())],
    )
    .unwrap();
    drop(conn);
    let v = assert_breaks_at(&db, &[], "snapshot 2");
    let detail = v["firstBreak"]["detail"].as_str().unwrap();
    assert!(detail.contains("chain version 1 follows"), "{detail}");
}

/// Sheets applied before V5 carry no chain hash; they verify as `unchained`.
#[test]
fn sheets_applied_before_the_trail_was_chained_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    import(&db, FIRST, "2026-Q3");
    review_and_apply(&db, dir.path(), "q3.csv", "Olivia Bennett");
    let conn = Connection::open(&db).unwrap();
    let (content, taken_at, label): (String, String, Option<String>) = conn
        .query_row(
            "SELECT content_hash, taken_at, label FROM snapshots WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE snapshots SET chain_version = 1, chain_hash = ?1 WHERE id = 1",
        [chain_hash("", &content, &taken_at, label.as_deref())],
    )
    .unwrap();
    drop(conn);
    behind_triggers(&db, "UPDATE review_applies SET chain_hash = NULL");
    let v = assert_verifies(&db, &[]);
    assert_eq!(v["reviewTrail"]["applies"][0]["chain"], "unchained");
}

// ---------------------------------------------------------------------------
// Seal and receipts
// ---------------------------------------------------------------------------

fn new_key(db: &Path, key: &Path) {
    ok(whocan(db)
        .arg("seal")
        .arg("--new-key")
        .arg(key)
        .output()
        .unwrap());
}

fn seal(db: &Path, key: &Path, receipt: &Path) {
    ok(whocan(db)
        .args(["seal", "--key"])
        .arg(key)
        .arg("--out")
        .arg(receipt)
        .output()
        .unwrap());
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn receipt_args<'a>(receipt: &'a Path, public: &'a Path) -> [&'a str; 4] {
    [
        "--receipt",
        receipt.to_str().unwrap(),
        "--public-key",
        public.to_str().unwrap(),
    ]
}

#[test]
fn new_key_is_private_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let key = dir.path().join("auditor.key");
    new_key(&db, &key);
    let public = dir.path().join("auditor.key.pub");
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(&public), 0o644, "the public key is public");
    assert!(std::fs::read_to_string(&key)
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(std::fs::read_to_string(&public)
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    let before = std::fs::read(&key).unwrap();

    let out = whocan(&db)
        .arg("seal")
        .arg("--new-key")
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refusing to overwrite"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&key).unwrap(), before);

    // A public key already there is refused too, and no private key is left behind.
    let other = dir.path().join("other.key");
    std::fs::write(dir.path().join("other.key.pub"), "mine").unwrap();
    let out = whocan(&db)
        .arg("seal")
        .arg("--new-key")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!other.exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("other.key.pub")).unwrap(),
        "mine"
    );

    // A dangling link at the name is not followed.
    let link = dir.path().join("linked.key");
    std::os::unix::fs::symlink(dir.path().join("target"), &link).unwrap();
    let out = whocan(&db)
        .arg("seal")
        .arg("--new-key")
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("target").exists());
}

#[test]
fn seal_and_verify_round_trip() {
    let (dir, db) = history();
    let key = dir.path().join("auditor.key");
    new_key(&db, &key);
    let public = dir.path().join("auditor.key.pub");
    let receipt = dir.path().join("receipt.json");
    seal(&db, &key, &receipt);
    assert_eq!(mode(&receipt), 0o600);
    let r: Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    assert_eq!(r["format"], "whocan-receipt-v1");
    assert_eq!(r["snapshot"]["id"], 2);
    assert_eq!(r["reviewTrail"]["applyId"], 2);
    assert!(r["statement"]
        .as_str()
        .unwrap()
        .starts_with("whocan-receipt-v1\n"));

    let v = assert_verifies(&db, &receipt_args(&receipt, &public));
    assert_eq!(v["receipt"]["ok"], true);

    // History that grows after the seal leaves the receipt valid.
    import(&db, "2027-01-01T00:00:00Z", "2027-Q1");
    review_and_apply(&db, dir.path(), "q1.csv", "Olivia Bennett");
    let v = assert_verifies(&db, &receipt_args(&receipt, &public));
    let since = v["receipt"]["checks"].as_array().unwrap().last().unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        since.starts_with("1 snapshot and 1 review apply recorded after"),
        "{since}"
    );

    // An existing receipt is never overwritten.
    let out = whocan(&db)
        .args(["seal", "--key"])
        .arg(&key)
        .arg("--out")
        .arg(&receipt)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<Value>(&std::fs::read(&receipt).unwrap()).unwrap(),
        r
    );
}

/// Recomputes every chain hash from the rows as they are, as an attacker who read
/// the source would after rewriting history: the database's own checks pass.
fn recompute_chains(db: &Path) {
    let conn = Connection::open(db).unwrap();
    let snaps: Vec<(i64, String, String, Option<String>, String, String)> = conn
        .prepare(
            "SELECT id, content_hash, taken_at, label, tool_version, imported_at \
             FROM snapshots ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut previous = String::new();
    for (id, content, taken_at, label, tool, imported) in snaps {
        let files: Vec<InputFile> = conn
            .prepare("SELECT path, kind, sha256, records FROM snapshot_files WHERE snapshot_id = ?1 ORDER BY seq")
            .unwrap()
            .query_map([id], |r| {
                Ok(InputFile {
                    path: r.get(0)?,
                    kind: r.get(1)?,
                    sha256: r.get(2)?,
                    records: r.get::<_, i64>(3)? as usize,
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let flags: Vec<Flag> = conn
            .prepare("SELECT kind, subject, detail FROM snapshot_flags WHERE snapshot_id = ?1 ORDER BY seq")
            .unwrap()
            .query_map([id], |r| {
                Ok(Flag {
                    kind: r.get(0)?,
                    subject: r.get(1)?,
                    detail: r.get(2)?,
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let chain = chain_hash_v2(
            &previous,
            &ChainInput {
                id,
                content_hash: &content,
                taken_at: &taken_at,
                label: label.as_deref(),
                tool_version: &tool,
                imported_at: &imported,
                files: &files,
                flags: &flags,
            },
        );
        conn.execute(
            "UPDATE snapshots SET chain_hash = ?1 WHERE id = ?2",
            params![chain, id],
        )
        .unwrap();
        previous = chain;
    }
    let applies: Vec<(i64, i64, String, String, String, String)> = conn
        .prepare(
            "SELECT id, snapshot_id, file, sheet_sha256, reviewer, applied_at \
             FROM review_applies ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut previous = String::new();
    let mut updates = Vec::new();
    for (id, snapshot_id, file, sha, reviewer, at) in applies {
        let rows: Vec<TrailRow> = conn
            .prepare(
                "SELECT sheet_row, review_key, target_scope_key, target_scope, decision, \
                 reviewer_comment, content_hash FROM review_decisions WHERE apply_id = ?1 ORDER BY id",
            )
            .unwrap()
            .query_map([id], |r| {
                Ok(TrailRow {
                    sheet_row: r.get(0)?,
                    review_key: r.get(1)?,
                    target_scope_key: r.get(2)?,
                    target_scope: r.get(3)?,
                    decision: r.get(4)?,
                    comment: r.get(5)?,
                    content_hash: r.get(6)?,
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let chain = review_chain_hash(
            &previous,
            &TrailLink {
                id,
                snapshot_id,
                file: &file,
                sheet_sha256: &sha,
                reviewer: &reviewer,
                applied_at: &at,
                rows: &rows,
            },
        );
        updates.push(format!(
            "UPDATE review_applies SET chain_hash = '{chain}' WHERE id = {id}"
        ));
        previous = chain;
    }
    drop(conn);
    behind_triggers(db, &updates.join("; "));
}

#[test]
fn a_receipt_catches_history_rewritten_with_recomputed_chains() {
    // The review trail rewritten: decisions flipped, chains recomputed.
    let (dir, db) = history();
    let key = dir.path().join("auditor.key");
    new_key(&db, &key);
    let public = dir.path().join("auditor.key.pub");
    let receipt = dir.path().join("receipt.json");
    seal(&db, &key, &receipt);
    behind_triggers(
        &db,
        "UPDATE review_decisions SET decision = 'approve' WHERE decision = 'remove'",
    );
    recompute_chains(&db);
    assert_verifies(&db, &[]);
    let v = assert_breaks_at(
        &db,
        &receipt_args(&receipt, &public),
        "sealed review apply 2",
    );
    assert!(
        v["firstBreak"]["detail"]
            .as_str()
            .unwrap()
            .contains("altered, inserted or removed"),
        "{v:#}"
    );

    // A snapshot's provenance rewritten, chains recomputed.
    let (dir, db) = history();
    let key = dir.path().join("auditor.key");
    new_key(&db, &key);
    let public = dir.path().join("auditor.key.pub");
    let receipt = dir.path().join("receipt.json");
    seal(&db, &key, &receipt);
    sql(
        &db,
        "UPDATE snapshot_files SET sha256 = '0000' || substr(sha256, 5) WHERE snapshot_id = 1",
    );
    recompute_chains(&db);
    assert_verifies(&db, &[]);
    assert_breaks_at(&db, &receipt_args(&receipt, &public), "sealed snapshot 2");

    // The last sealed apply deleted (the trail truncated).
    let (dir, db) = history();
    let key = dir.path().join("auditor.key");
    new_key(&db, &key);
    let public = dir.path().join("auditor.key.pub");
    let receipt = dir.path().join("receipt.json");
    seal(&db, &key, &receipt);
    behind_triggers(
        &db,
        "DELETE FROM review_decisions WHERE apply_id = 2; DELETE FROM review_applies WHERE id = 2",
    );
    assert_verifies(&db, &[]);
    let v = assert_breaks_at(
        &db,
        &receipt_args(&receipt, &public),
        "sealed review apply 2",
    );
    assert!(v["firstBreak"]["detail"]
        .as_str()
        .unwrap()
        .contains("no longer in the database"));
}

#[test]
fn a_wrong_public_key_or_an_edited_receipt_fails() {
    let (dir, db) = history();
    let key = dir.path().join("auditor.key");
    new_key(&db, &key);
    let other = dir.path().join("other.key");
    new_key(&db, &other);
    let receipt = dir.path().join("receipt.json");
    seal(&db, &key, &receipt);

    let wrong = dir.path().join("other.key.pub");
    let v = assert_breaks_at(&db, &receipt_args(&receipt, &wrong), "receipt signature");
    assert_eq!(v["receipt"]["ok"], false);

    // The statement edited to name another head: the signature no longer holds.
    let public = dir.path().join("auditor.key.pub");
    let mut r: Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    let statement = r["statement"]
        .as_str()
        .unwrap()
        .replace("snapshot_id: 2", "snapshot_id: 1");
    r["statement"] = Value::String(statement);
    r["snapshot"]["id"] = 1.into();
    let edited = dir.path().join("edited.json");
    std::fs::write(&edited, serde_json::to_vec(&r).unwrap()).unwrap();
    assert_breaks_at(&db, &receipt_args(&edited, &public), "receipt signature");

    // The readable fields edited alone: they disagree with the signed statement.
    let mut r: Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    r["snapshot"]["id"] = 1.into();
    std::fs::write(&edited, serde_json::to_vec(&r).unwrap()).unwrap();
    assert_breaks_at(&db, &receipt_args(&edited, &public), "receipt fields");

    // A private key passed as the public one, and a receipt that is not one: exit 2.
    let out = whocan(&db)
        .arg("verify")
        .args(receipt_args(&receipt, &key))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    std::fs::write(&edited, "not json").unwrap();
    let out = whocan(&db)
        .arg("verify")
        .args(receipt_args(&edited, &public))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn seal_refuses_a_database_that_does_not_verify() {
    let (dir, db) = history();
    let key = dir.path().join("auditor.key");
    new_key(&db, &key);
    sql(
        &db,
        "UPDATE snapshots SET tool_version = 'forged' WHERE id = 1",
    );
    let receipt = dir.path().join("receipt.json");
    let out = whocan(&db)
        .args(["seal", "--key"])
        .arg(&key)
        .arg("--out")
        .arg(&receipt)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("snapshot 1"),
        "{}",
        text(&out.stderr)
    );
    assert!(!receipt.exists());
}

/// An index rewritten to disagree with its table (through `writable_schema`,
/// every row left as recorded, so every hash still matches) makes a lookup by
/// name answer with another principal: `verify` runs SQLite's integrity check
/// and fails at the database file.
#[test]
fn an_index_altered_behind_its_table_fails_verify() {
    let (_dir, db) = history();
    assert_verifies(&db, &[]);
    let c = Connection::open(&db).unwrap();
    let index_sql: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'principals_upn'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let index_row: (String, String, String, i64, String) = c
        .query_row(
            "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master WHERE name = 'principals_upn'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert!(index_sql.contains("user_principal_name"));
    // Change a row (the index follows), hide the index, restore the row (the
    // index does not follow), put the index back: the row is as recorded, the
    // index holds the changed value.
    let (key, upn): (String, String) = c
        .query_row(
            "SELECT key, user_principal_name FROM principals WHERE user_principal_name IS NOT NULL LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.execute(
        "UPDATE principals SET user_principal_name = 'someone.else@contoso.com' WHERE key = ?1",
        params![key],
    )
    .unwrap();
    c.execute_batch("PRAGMA writable_schema = ON").unwrap();
    c.execute(
        "DELETE FROM sqlite_master WHERE name = 'principals_upn'",
        [],
    )
    .unwrap();
    drop(c);
    let c = Connection::open(&db).unwrap();
    c.execute(
        "UPDATE principals SET user_principal_name = ?1 WHERE key = ?2",
        params![upn, key],
    )
    .unwrap();
    c.execute_batch("PRAGMA writable_schema = ON").unwrap();
    c.execute(
        "INSERT INTO sqlite_master VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            index_row.0,
            index_row.1,
            index_row.2,
            index_row.3,
            index_row.4
        ],
    )
    .unwrap();
    drop(c);
    let v = assert_breaks_at(&db, &[], "database file");
    let detail = v["firstBreak"]["detail"].as_str().unwrap();
    assert!(detail.contains("integrity check"), "{detail}");
}

/// Text that is not UTF-8 written into a cell behind whocan's back: `verify`
/// names the snapshot (exit 1), a question exits 2 with a hint, and the error
/// says its cause once.
#[test]
fn text_that_is_not_utf8_is_a_break_and_a_clear_error() {
    let (_dir, db) = history();
    let c = Connection::open(&db).unwrap();
    let key: String = c
        .query_row(
            "SELECT key FROM principals WHERE kind = 'User' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    c.execute(
        "UPDATE principals SET display_name = CAST(x'4976ff6e' AS TEXT) WHERE key = ?1",
        params![key],
    )
    .unwrap();
    drop(c);
    let (code, _, err) = verify(&db, &[]);
    assert_eq!(code, Some(1), "{err}");
    let out = whocan(&db).args(["show", &key]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("hint:"), "{err}");
    assert!(err.contains("edited outside whocan"), "{err}");
    let first = err.lines().next().unwrap();
    assert_eq!(
        first.matches("invalid utf-8").count(),
        1,
        "the cause once: {first}"
    );
}

/// An empty database file holds no snapshot: `verify` and `snapshots` say so
/// with the hint on a line of its own (not an escaped `\n`).
#[test]
fn an_empty_database_says_so_with_a_hint_line() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["verify", "snapshots"] {
        let db = dir.path().join(format!("{cmd}.db"));
        std::fs::write(&db, b"").unwrap();
        let out = whocan(&db)
            .args([cmd, "--format", "table"])
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert!(err.contains("holds no snapshot yet"), "{cmd}: {err}");
        assert!(err.lines().any(|l| l.starts_with("hint: ")), "{cmd}: {err}");
        assert!(!err.contains("\\n"), "{cmd}: {err}");
    }
}

/// The README's steps, in a fresh home: `seal --new-key ~/keys/auditor.key` and
/// `seal --key ... --out receipts/2026-Q4.json` need no `mkdir` first: the
/// missing folders are made (0700, said on stderr). They failed with "No such
/// file or directory" and a bare "check the path".
#[test]
fn seal_makes_the_folders_it_writes_to() {
    let (dir, db) = history();
    let key = dir.path().join("home/keys/auditor.key");
    let out = whocan(&db)
        .arg("seal")
        .arg("--new-key")
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("created the folder "),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(mode(&dir.path().join("home/keys")), 0o700);
    assert_eq!(mode(&key), 0o600);
    let receipt = dir.path().join("receipts/2026-Q4/receipt.json");
    seal(&db, &key, &receipt);
    assert_eq!(mode(&dir.path().join("receipts")), 0o700);
    assert_eq!(mode(&receipt), 0o600);
    assert_verifies(
        &db,
        &receipt_args(&receipt, &dir.path().join("home/keys/auditor.key.pub")),
    );
}
