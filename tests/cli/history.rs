//! History through the command line (issue 4, "History"): `diff` between two
//! imports of the contoso sample where the second has a few edits (every line names
//! its cause; the redundant assignment is under "no effect"), `--as-of` answering
//! from the snapshot of its date, and `verify` catching rows edited with SQL.
//!
//! The two-snapshot database is built once per test process and only read; tests
//! that tamper with a database build their own.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::support::{copy_dir, stdout_json, whocan};

const FIRST: &str = "2026-10-01T00:00:00Z";
const SECOND: &str = "2026-12-01T00:00:00Z";
const SUB_ML: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
const SAM: &str = "1e4e0061-6534-4c64-ae8f-14431c9e7686";
const ALICE: &str = "44ea605d-4ebd-4de4-8bea-8ea7a8bfe147";
const ETHAN: &str = "a0f34e77-1bc6-479e-bf73-8c1521fd4a5a";
const NINA: &str = "8cbe2ca6-8183-44ba-8308-bec8237341e8";
const DAVE: &str = "22ca1300-974d-4c61-bda3-d28f75c37000";
const CICD: &str = "682e4023-ba88-447f-937a-67650b7dccb2";
const G_ML_RESEARCH: &str = "f0d76949-d1ba-49bb-ad14-22e79975d8a1";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
/// The added assignment (Sam Taylor, Reader, rg-ml-prod).
const ADDED: &str = "11111111-1111-4111-8111-111111111111";
/// The redundant assignment (Alice Nguyen, Reader, rg-ml-dev: she has it through
/// All ML Staff).
const REDUNDANT: &str = "22222222-2222-4222-8222-222222222222";

// ---------------------------------------------------------------------------
// Fixture and helpers
// ---------------------------------------------------------------------------

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// An `az role assignment list` record of `role` at `scope` for a user.
fn user_assignment(guid: &str, principal: &str, name: &str, role: &str, scope: &str) -> Value {
    json!({
        "condition": null,
        "conditionVersion": null,
        "createdOn": "2026-11-15T10:00:00+00:00",
        "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}"),
        "name": guid,
        "principalId": principal,
        "principalName": name,
        "principalType": "User",
        "roleDefinitionId": format!("{SUB_ML}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "roleDefinitionName": "Reader",
        "scope": scope,
        "type": "Microsoft.Authorization/roleAssignments"
    })
}

/// sample-data with five edits: an assignment added (Sam, Reader, rg-ml-prod), a
/// membership edge removed (Ethan leaves ML Research), a custom role's actions
/// edited (MLOps Custom: `experiments/jobs/*` → `jobs/*`), a user disabled (Nina),
/// and a redundant assignment added (Alice, Reader, rg-ml-dev).
fn edited_sample(dir: &Path) -> PathBuf {
    let data = dir.join("edited");
    copy_dir(&sample_data(), &data);
    edit_json(&data.join("assignments/role-assignments.json"), |v| {
        let a = v.as_array_mut().unwrap();
        a.push(user_assignment(
            ADDED,
            SAM,
            "sam.taylor@contoso.com",
            READER,
            &format!("{SUB_ML}/resourceGroups/rg-ml-prod"),
        ));
        a.push(user_assignment(
            REDUNDANT,
            ALICE,
            "alice.nguyen@contoso.com",
            READER,
            &format!("{SUB_ML}/resourceGroups/rg-ml-dev"),
        ));
    });
    edit_json(&data.join(format!("members/{G_ML_RESEARCH}.json")), |v| {
        let members = v.as_array_mut().unwrap();
        let before = members.len();
        members.retain(|m| m["id"] != ETHAN);
        assert_eq!(members.len(), before - 1, "Ethan was a direct member");
    });
    edit_json(&data.join("roles/custom/mlops-custom.json"), |v| {
        for a in v["Actions"].as_array_mut().unwrap() {
            let s = a.as_str().unwrap().replace("experiments/jobs/", "jobs/");
            *a = json!(s);
        }
    });
    edit_json(&data.join("directory/users.json"), |v| {
        let nina = v["value"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|u| u["id"] == NINA)
            .unwrap();
        nina["accountEnabled"] = json!(false);
    });
    data
}

fn import(db: &Path, data: &Path, taken_at: &str, label: &str) {
    let out = whocan(db)
        .args([
            "import",
            "--format",
            "json",
            "--taken-at",
            taken_at,
            "--label",
            label,
        ])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "import failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Two {
    _dir: TempDir,
    db: PathBuf,
}

/// Snapshot 1: sample-data taken 2026-10-01; snapshot 2: the edited copy taken
/// 2026-12-01. Built once, never written to afterwards.
fn two() -> &'static Two {
    static TWO: OnceLock<Two> = OnceLock::new();
    TWO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("history.db");
        import(&db, &sample_data(), FIRST, "2026-Q3");
        import(&db, &edited_sample(dir.path()), SECOND, "2026-Q4");
        Two { _dir: dir, db }
    })
}

fn run(db: &Path, args: &[&str]) -> Output {
    whocan(db).args(args).output().unwrap()
}

fn ok_json(db: &Path, args: &[&str]) -> Value {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

fn lines<'a>(v: &'a Value, section: &str) -> &'a Vec<Value> {
    v[section].as_array().unwrap()
}

/// The lines of a section for one principal and role (lines name the role by key;
/// the `roles` table has its name).
fn find<'a>(v: &'a Value, section: &str, principal: &str, role: &str) -> Vec<&'a Value> {
    lines(v, section)
        .iter()
        .filter(|l| {
            l["principal"] == principal && v["roles"][l["role"].as_str().unwrap()]["name"] == role
        })
        .collect()
}

/// The causes of a line, from the `causes` table.
fn causes<'a>(v: &'a Value, line: &Value) -> Vec<&'a Value> {
    line["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let c = &v["causes"][i.as_u64().unwrap() as usize];
            assert_eq!(&c["id"], i);
            c
        })
        .collect()
}

fn cause_kinds<'a>(v: &'a Value, line: &Value) -> Vec<&'a str> {
    causes(v, line)
        .into_iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------
// diff
// ---------------------------------------------------------------------------

#[test]
fn every_diff_line_names_its_cause() {
    let v = ok_json(&two().db, &["diff", "1", "2", "--format", "json"]);
    let mut n = 0;
    for section in ["gained", "lost", "changed"] {
        for l in lines(&v, section) {
            n += 1;
            let cs = causes(&v, l);
            assert!(!cs.is_empty(), "{section} line without a cause: {l}");
            for c in cs {
                assert!(c["kind"].is_string(), "{c}");
                assert!(
                    c["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{c}"
                );
            }
        }
    }
    assert!(n >= 3, "{v:#}");
    assert_eq!(v["from"]["id"], 1);
    assert_eq!(v["to"]["id"], 2);
}

#[test]
fn added_assignment_is_gained_access() {
    let v = ok_json(&two().db, &["diff", "1", "2", "--format", "json"]);
    let sam = find(&v, "gained", SAM, "Reader");
    assert_eq!(sam.len(), 1, "{v:#}");
    assert_eq!(
        sam[0]["scope"],
        format!("{SUB_ML}/resourceGroups/rg-ml-prod")
    );
    assert_eq!(cause_kinds(&v, sam[0]), vec!["assignmentAdded"]);
    let id = causes(&v, sam[0])[0]["assignment"]["id"].as_str().unwrap();
    assert!(id.ends_with(ADDED), "{id}");
    // Only Sam gained anything.
    assert_eq!(lines(&v, "gained").len(), 1, "{:#}", v["gained"]);
}

#[test]
fn removed_membership_is_lost_access_naming_the_edge() {
    let v = ok_json(&two().db, &["diff", "1", "2", "--format", "json"]);
    let ethan = find(&v, "lost", ETHAN, "Data Scientist Restricted Custom");
    assert_eq!(ethan.len(), 1, "{v:#}");
    assert_eq!(cause_kinds(&v, ethan[0]), vec!["membershipRemoved"]);
    let c = causes(&v, ethan[0])[0];
    assert_eq!(c["group"]["id"], G_ML_RESEARCH);
    assert_eq!(c["member"]["id"], ETHAN);
    assert_eq!(c["group"]["name"], "ML Research");
    assert_eq!(lines(&v, "lost").len(), 1, "{:#}", v["lost"]);
}

#[test]
fn role_edit_lists_the_actions_and_the_access_it_changes() {
    let v = ok_json(&two().db, &["diff", "1", "2", "--format", "json"]);
    let cicd = find(&v, "changed", CICD, "MLOps Custom");
    assert_eq!(cicd.len(), 1, "{v:#}");
    assert_eq!(cause_kinds(&v, cicd[0]), vec!["roleDefinitionChanged"]);
    let c = causes(&v, cicd[0])[0];
    let edit = &c["edits"][0];
    assert_eq!(edit["list"], "actions");
    let added: Vec<&str> = edit["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        added.contains(&"Microsoft.MachineLearningServices/workspaces/jobs/read"),
        "{added:?}"
    );
    assert_eq!(edit["removed"].as_array().unwrap().len(), 2, "{edit}");
    // The fix made two real operations grantable.
    assert_eq!(c["operationsGained"].as_array().unwrap().len(), 2, "{c}");
}

#[test]
fn disabled_user_changes_every_access_she_holds() {
    let v = ok_json(&two().db, &["diff", "1", "2", "--format", "json"]);
    let nina: Vec<&Value> = lines(&v, "changed")
        .iter()
        .filter(|l| l["principal"] == NINA)
        .collect();
    // ML Engineers: Compute Operator on ml-dev, AzureML Data Scientist on
    // rg-ml-test; All ML Staff: Reader on rg-ml-dev and rg-shared.
    assert_eq!(nina.len(), 4, "{nina:#?}");
    for l in nina {
        assert_eq!(cause_kinds(&v, l), vec!["principalDisabled"]);
    }
    assert_eq!(v["principals"][NINA]["displayName"], "Nina Petrova");
}

#[test]
fn redundant_assignment_is_listed_under_no_effect() {
    let v = ok_json(&two().db, &["diff", "1", "2", "--format", "json"]);
    let ne = v["noEffect"].as_array().unwrap();
    assert_eq!(ne.len(), 1, "{ne:#?}");
    let c = &v["causes"][ne[0].as_u64().unwrap() as usize];
    assert_eq!(c["kind"], "assignmentAdded");
    assert!(c["assignment"]["id"].as_str().unwrap().ends_with(REDUNDANT));
    assert_eq!(c["effect"]["gained"], 0);
    // And Alice has no line anywhere.
    for section in ["gained", "lost", "changed"] {
        assert!(
            !lines(&v, section).iter().any(|l| l["principal"] == ALICE),
            "{section}"
        );
    }
    assert_eq!(v["summary"]["noEffect"], 1);
}

#[test]
fn diff_csv_has_one_row_per_change_and_cause() {
    let out = run(&two().db, &["diff", "1", "2", "--format", "csv"]);
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header.join(","),
        "change,principal_id,principal_type,display_name,user_principal_name,is_group,role_name,role_id,scope,access,cause_kind,cause_subject,cause"
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert!(rows.len() >= 8, "{rows:?}");
    for row in &rows {
        assert!(!row[10].is_empty() && !row[12].is_empty(), "{row:?}");
    }
    let no_effect: Vec<_> = rows.iter().filter(|r| &r[0] == "no effect").collect();
    assert_eq!(no_effect.len(), 1);
    assert!(no_effect[0][11].ends_with(REDUNDANT));
    assert!(rows
        .iter()
        .any(|r| &r[0] == "lost" && &r[1] == ETHAN && &r[10] == "membershipRemoved"));
}

#[test]
fn diff_table_shows_sections_and_causes() {
    let out = run(&two().db, &["diff", "1", "2", "--format", "table"]);
    assert!(out.status.success());
    let t = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Gained (1)",
        "Lost (1)",
        "No effect on effective access (1)",
        "assignment added",
        "membership removed: Ethan Brooks left group ML Research",
        "account disabled: Nina Petrova",
        "role definition changed: MLOps Custom",
        REDUNDANT,
    ] {
        assert!(t.contains(needle), "{needle} missing from:\n{t}");
    }
}

#[test]
fn diff_takes_dates_as_well_as_ids() {
    let by_id = ok_json(&two().db, &["diff", "1", "2", "--format", "json"]);
    let by_date = ok_json(
        &two().db,
        &["diff", "2026-10-15", "2026-12-31", "--format", "json"],
    );
    assert_eq!(by_id, by_date);
    // Same snapshot twice: nothing changed.
    let same = ok_json(&two().db, &["diff", "2026-11-30", "1", "--format", "json"]);
    assert_eq!(same["summary"]["gained"], 0);
    assert_eq!(same["summary"]["noEffect"], 0);
    // Before the first snapshot: a usage error.
    let out = run(&two().db, &["diff", "2020-01-01", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no snapshot"));
}

#[test]
fn diff_scope_and_principal_filters() {
    let v = ok_json(
        &two().db,
        &[
            "diff",
            "1",
            "2",
            "--workspace",
            "ml-test",
            "--format",
            "json",
        ],
    );
    let who: Vec<(&str, &str)> = ["gained", "lost", "changed"]
        .iter()
        .flat_map(|s| lines(&v, s))
        .map(|l| {
            (
                l["principal"].as_str().unwrap(),
                v["roles"][l["role"].as_str().unwrap()]["name"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    // Ethan's role at ml-test; Nina's AzureML Data Scientist at rg-ml-test (above
    // ml-test). Not Sam (rg-ml-prod), not Nina's ml-dev roles.
    assert_eq!(
        who,
        vec![
            (ETHAN, "Data Scientist Restricted Custom"),
            (NINA, "AzureML Data Scientist")
        ]
    );
    // The redundant assignment is on rg-ml-dev: not relevant to ml-test.
    assert_eq!(v["noEffect"].as_array().unwrap().len(), 0);

    let v = ok_json(
        &two().db,
        &[
            "diff",
            "1",
            "2",
            "--principal",
            "ethan.brooks@contoso.com",
            "--format",
            "json",
        ],
    );
    assert_eq!(v["principal"], ETHAN);
    assert_eq!(lines(&v, "lost").len(), 1);
    assert_eq!(lines(&v, "gained").len() + lines(&v, "changed").len(), 0);

    let out = run(
        &two().db,
        &["diff", "1", "2", "--principal", "Nobody Atall"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn removed_deny_assignment_lists_whom_it_unblocks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("deny.db");
    import(&db, &sample_data(), FIRST, "with deny");
    let data = dir.path().join("no-deny");
    copy_dir(&sample_data(), &data);
    std::fs::remove_file(data.join("assignments/deny-assignments.json")).unwrap();
    import(&db, &data, SECOND, "without deny");
    let v = ok_json(&db, &["diff", "1", "2", "--format", "json"]);
    let denies = v["denies"].as_array().unwrap();
    assert_eq!(denies.len(), 1, "{v:#}");
    assert_eq!(denies[0]["effect"], "unblocks");
    let cause = &v["causes"][denies[0]["cause"].as_u64().unwrap() as usize];
    assert_eq!(cause["kind"], "denyAssignmentRemoved");
    // Contributor at contoso-ml grants workspaces/delete and write; Platform Admins
    // and contoso-mlops-deploy were excluded; eligible holders hold no active grant.
    let ids: Vec<&str> = denies[0]["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![DAVE]);
    assert_eq!(v["summary"]["gained"], 0);
    assert_eq!(v["summary"]["lost"], 0);
}

// ---------------------------------------------------------------------------
// --as-of
// ---------------------------------------------------------------------------

#[test]
fn as_of_answers_from_the_snapshot_of_that_date() {
    let db = &two().db;
    let who = |as_of: &str| -> Vec<String> {
        let v = ok_json(
            db,
            &[
                "who",
                "Microsoft.MachineLearningServices/workspaces/read",
                "--workspace",
                "ml-prod",
                "--as-of",
                as_of,
                "--format",
                "json",
            ],
        );
        v["principals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let before = who("2026-10-15");
    let after = who("2026-12-31");
    assert!(!before.contains(&SAM.to_string()), "{before:?}");
    assert!(after.contains(&SAM.to_string()), "{after:?}");

    let can = |as_of: &str| {
        run(
            db,
            &[
                "can",
                "ethan.brooks@contoso.com",
                "Microsoft.MachineLearningServices/workspaces/datasets/registered/read",
                "--workspace",
                "ml-test",
                "--as-of",
                as_of,
                "--format",
                "json",
            ],
        )
        .status
        .code()
    };
    assert_eq!(can("2026-10-01"), Some(0), "Ethan could, in snapshot 1");
    assert_eq!(
        can("2026-12-01T00:00:00Z"),
        Some(1),
        "and cannot in snapshot 2"
    );
    assert_eq!(
        run(
            db,
            &[
                "who",
                "Microsoft.MachineLearningServices/workspaces/read",
                "--workspace",
                "ml-prod",
                "--as-of",
                "2026-01-01"
            ]
        )
        .status
        .code(),
        Some(2),
        "no snapshot that early"
    );
}

// ---------------------------------------------------------------------------
// verify
// ---------------------------------------------------------------------------

/// A fresh two-snapshot database (tests that tamper must not share one).
fn fresh(dir: &Path) -> PathBuf {
    let db = dir.join("verify.db");
    import(&db, &sample_data(), FIRST, "2026-Q3");
    import(&db, &edited_sample(dir), SECOND, "2026-Q4");
    db
}

fn tamper(db: &Path, sql: &str) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(sql, []).unwrap()
}

fn statuses(v: &Value) -> Vec<(i64, String, String)> {
    v["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_i64().unwrap(),
                s["content"].as_str().unwrap().to_string(),
                s["chain"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn verify_passes_on_an_untouched_database() {
    let out = run(&two().db, &["verify", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = stdout_json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["firstMismatch"], Value::Null);
    assert_eq!(
        statuses(&v),
        vec![(1, "ok".into(), "ok".into()), (2, "ok".into(), "ok".into())]
    );
}

/// A JSON or enum column edited to a value whocan never writes: `verify` reports
/// the snapshot altered (exit 1), and a question that reads it refuses (exit 2,
/// with a hint), never an internal error.
#[test]
fn an_unreadable_edited_value_is_a_mismatch_not_an_internal_error() {
    for sql in [
        "UPDATE role_definitions SET permissions = '[1]' WHERE role_name = 'Owner'",
        "UPDATE role_assignments SET source = 'Nope'",
        "UPDATE deny_assignments SET principals = '{}'",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = fresh(dir.path());
        assert!(tamper(&db, sql) > 0, "{sql}");
        let out = run(&db, &["verify", "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{sql}");
        let v = stdout_json(&out);
        assert_eq!(v["firstMismatch"], 1, "{sql}");
        let out = run(
            &db,
            &[
                "who",
                "Microsoft.MachineLearningServices/workspaces/read",
                "--workspace",
                "ml-prod",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{sql}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("whocan verify"),
            "{sql}"
        );
    }
}

#[test]
fn verify_names_the_first_snapshot_whose_rows_were_edited() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    // A row only the second snapshot holds: the added assignment.
    let n = tamper(
        &db,
        &format!("UPDATE role_assignments SET scope = '/' WHERE key LIKE '%{ADDED}'"),
    );
    assert_eq!(n, 1);
    let out = run(&db, &["verify", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["firstMismatch"], 2);
    assert_eq!(
        statuses(&v),
        vec![
            (1, "ok".into(), "ok".into()),
            (2, "MISMATCH".into(), "ok".into())
        ]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("snapshot 2"));

    // A row both snapshots share: the first one is now the first mismatch.
    tamper(
        &db,
        "UPDATE role_assignments SET scope = '/' WHERE key LIKE '%265ec570-8709-4447-aea2-29f801c758c0'",
    );
    let out = run(&db, &["verify", "--format", "table"]);
    assert_eq!(out.status.code(), Some(1));
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(t.contains("First mismatch: snapshot 1"), "{t}");
}

/// The key columns queries look records up by are not part of a record's
/// content hash; an edit to them changes answers (a role's key moved hides every
/// Owner), so `verify` checks them against what each record derives, and that no
/// record is held by two rows.
#[test]
fn verify_catches_an_edited_key_column_and_a_row_added_twice() {
    const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    let n = tamper(
        &db,
        &format!("UPDATE role_definitions SET key = '00000000-0000-0000-0000-000000000000' WHERE key = '{OWNER}'"),
    );
    assert_eq!(n, 1);
    let out = run(&db, &["verify", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["firstMismatch"], 1, "{v:#}");
    let problem = v["snapshots"][0]["problem"].as_str().unwrap();
    assert!(
        problem.contains("role_definitions: a row's key columns (key) do not match its record")
            && problem.contains(OWNER),
        "{problem}"
    );

    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    // The same assignment again, as a second row (its role changed).
    tamper(
        &db,
        "INSERT INTO role_assignments SELECT * FROM role_assignments \
         WHERE key LIKE '%265ec570-8709-4447-aea2-29f801c758c0'",
    );
    let out = run(&db, &["verify", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    let problem = v["snapshots"][0]["problem"].as_str().unwrap();
    assert!(
        problem.contains("role_assignments: two rows hold the record"),
        "{problem}"
    );
}

#[test]
fn verify_catches_an_edited_snapshot_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    tamper(&db, "UPDATE snapshots SET label = 'forged' WHERE id = 1");
    let out = run(&db, &["verify", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("id,taken_at,label,content,chain"));
    assert!(
        rows[1].starts_with("1,2026-10-01T00:00:00Z,forged,ok,MISMATCH"),
        "{text}"
    );
    assert!(
        rows[2].starts_with("2,2026-12-01T00:00:00Z,2026-Q4,ok,ok"),
        "{text}"
    );
}
