//! What users see, pinned (issue 11, step 1): every command's table, JSON and CSV
//! output on `sample-data/`, with its stderr and exit code, as insta snapshots in
//! `tests/cli/snapshots/cli__snap__*.snap`. Each snapshot's description is the
//! command line; what varies between runs (temporary paths, times of the run,
//! chain hashes, keys and signatures, the tool version) is filtered by
//! `support::Run`, so two runs give the same files.
//!
//! Questions read the shared sample database (`support::sample()`); commands that
//! write (import, review apply, seal, demo) get a `Scratch` of their own;
//! `diff` and the history questions read a two-snapshot database built once.
//!
//! A changed snapshot is a changed user interface: review it (`cargo insta review`,
//! or `INSTA_UPDATE=always` and `git diff`) before accepting it.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::support::{
    copy_dir, run, sample, sample_data, snap, Run, Scratch, SAMPLE_LABEL, SAMPLE_TAKEN_AT,
};

const ML: &str = "Microsoft.MachineLearningServices";
const COMPUTE_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/computes/write";
const WS_DELETE: &str = "Microsoft.MachineLearningServices/workspaces/delete";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const BLOB_READ: &str = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const SUB_ML: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
const ALICE: &str = "alice.nguyen@contoso.com";
const BOB: &str = "bob.okafor@contoso.com";

/// stcontosomldev01, where ML Data Scientists hold a conditional Storage Blob Data
/// Reader (fact 33).
const DEV_STORAGE: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-dev/providers/Microsoft.Storage/storageAccounts/stcontosomldev01";
/// stcontososhared01, where nobody holds a blob data role.
const SHARED_STORAGE: &str = "/subscriptions/187f0923-f1d8-4e1d-aa97-9782eb7d5bd0/resourceGroups/rg-shared/providers/Microsoft.Storage/storageAccounts/stcontososhared01";

// ---------------------------------------------------------------------------
// import
// ---------------------------------------------------------------------------

/// `import` of sample-data into a fresh database (the temporary directory lives
/// until the end of the statement), in `format`.
fn import_sample(s: &Scratch, format: &str) -> Run {
    s.run()
        .words(format!(
            "import --taken-at {SAMPLE_TAKEN_AT} --label {SAMPLE_LABEL} --format {format}"
        ))
        .arg(sample_data())
}

#[test]
fn import_table() {
    snap!(import_sample(&Scratch::new(), "table"));
}

#[test]
fn import_json() {
    snap!(import_sample(&Scratch::new(), "json"));
}

#[test]
fn import_csv() {
    snap!(import_sample(&Scratch::new(), "csv"));
}

/// Without `--format`, a piped summary is JSON (SPEC §3); without `--taken-at`
/// the snapshot is taken now.
#[test]
fn import_piped_defaults() {
    let s = Scratch::new();
    snap!(s.run().arg("import").arg(sample_data()));
}

/// A second import of the same files is a second snapshot with the same content.
#[test]
fn import_twice_table() {
    let s = Scratch::new().with_sample();
    snap!(s
        .run()
        .words("import --taken-at 2026-12-01T00:00:00Z --format table")
        .arg(sample_data()));
}

#[test]
fn import_error_bad_json() {
    let s = Scratch::new();
    let bad = crate::support::write(
        s.dir(),
        "in/roles.json",
        "[{\"roleName\": \"Reader\",\n  \"id\": ]",
    );
    snap!(s.run().arg("import").arg(bad));
}

#[test]
fn import_error_nothing_read() {
    let s = Scratch::new();
    crate::support::write(s.dir(), "in/notes.txt", "nothing to import");
    snap!(s.run().arg("import").arg(s.path("in")));
}

#[test]
fn import_error_missing_path() {
    let s = Scratch::new();
    snap!(s.run().arg("import").arg(s.path("no-such-dir")));
}

// ---------------------------------------------------------------------------
// snapshots
// ---------------------------------------------------------------------------

#[test]
fn snapshots_table() {
    snap!(sample().words("snapshots --format table"));
}

#[test]
fn snapshots_json() {
    snap!(sample().words("snapshots --format json"));
}

#[test]
fn snapshots_csv() {
    snap!(sample().words("snapshots --format csv"));
}

#[test]
fn snapshots_two_table() {
    snap!(two().words("snapshots --format table"));
}

/// Every flag the sample's import raised, one row each (`import` shows a few
/// examples per kind).
#[test]
fn snapshots_flags_table() {
    snap!(sample().words("snapshots --flags --format table"));
}

#[test]
fn snapshots_flags_csv() {
    snap!(sample().words("snapshots --flags 1 --format csv"));
}

#[test]
fn snapshots_flags_json() {
    snap!(sample().words("snapshots --flags 1 --format json"));
}

/// An id that is no snapshot: exit 2, the snapshots there are.
#[test]
fn snapshots_flags_of_no_snapshot() {
    snap!(sample().words("snapshots --flags 9"));
}

#[test]
fn snapshots_empty_database() {
    let s = Scratch::new();
    snap!(s.run().words("snapshots --format table"));
}

// ---------------------------------------------------------------------------
// who
// ---------------------------------------------------------------------------

#[test]
fn who_table() {
    snap!(sample().words(format!(
        "who {COMPUTE_WRITE} --workspace ml-prod --format table"
    )));
}

#[test]
fn who_json() {
    snap!(sample().words(format!(
        "who {COMPUTE_WRITE} --workspace ml-prod --format json"
    )));
}

#[test]
fn who_csv() {
    snap!(sample().words(format!(
        "who {COMPUTE_WRITE} --workspace ml-prod --format csv"
    )));
}

/// Without `--format`, piped: JSON.
#[test]
fn who_piped_default() {
    snap!(sample().words(format!("who {COMPUTE_WRITE} --workspace ml-dev")));
}

/// The deny assignment, PIM eligibility and the cycle on ml-prod (fact 18).
#[test]
fn who_explain_deny_table() {
    snap!(sample().words(format!(
        "who {WS_DELETE} --workspace ml-prod --explain --format table"
    )));
}

#[test]
fn who_explain_deny_json() {
    snap!(sample().words(format!(
        "who {WS_DELETE} --workspace ml-prod --explain --format json"
    )));
}

#[test]
fn who_explain_deny_csv() {
    snap!(sample().words(format!(
        "who {WS_DELETE} --workspace ml-prod --explain --format csv"
    )));
}

/// ml-dev: the group without members makes the answer incomplete (fact 17).
#[test]
fn who_include_groups_table() {
    snap!(sample().words(format!(
        "who {WS_READ} --workspace ml-dev --include-groups --format table"
    )));
}

#[test]
fn who_include_groups_json() {
    snap!(sample().words(format!(
        "who {WS_READ} --workspace ml-dev --include-groups --format json"
    )));
}

#[test]
fn who_include_groups_csv() {
    snap!(sample().words(format!(
        "who {WS_READ} --workspace ml-dev --include-groups --format csv"
    )));
}

#[test]
fn who_activity_table() {
    snap!(sample().words("who --activity submit-run-v2 --workspace ml-prod --format table"));
}

/// JSON and CSV hold one grant per required operation: a small activity (two
/// alternatives) keeps them readable.
#[test]
fn who_activity_json() {
    snap!(sample().words("who --activity score-aks-endpoint --workspace ml-prod --format json"));
}

#[test]
fn who_activity_csv() {
    snap!(sample().words("who --activity score-aks-endpoint --workspace ml-prod --format csv"));
}

#[test]
fn who_activity_explain_table() {
    snap!(
        sample().words("who --activity create-compute --workspace ml-dev --explain --format table")
    );
}

/// Quota is authorized only at subscription scope (fact 31).
#[test]
fn who_activity_at_subscription_table() {
    snap!(sample().words(format!(
        "who --activity request-quota --scope {SUB_ML} --format table"
    )));
}

/// The conditional data action (fact 33).
#[test]
fn who_data_table() {
    snap!(sample().words(format!(
        "who {BLOB_READ} --data --scope {DEV_STORAGE} --format table"
    )));
}

#[test]
fn who_data_json() {
    snap!(sample().words(format!(
        "who {BLOB_READ} --data --scope {DEV_STORAGE} --format json"
    )));
}

#[test]
fn who_data_csv() {
    snap!(sample().words(format!(
        "who {BLOB_READ} --data --scope {DEV_STORAGE} --format csv"
    )));
}

#[test]
fn who_data_explain_table() {
    snap!(sample().words(format!(
        "who {BLOB_READ} --data --scope {DEV_STORAGE} --explain --format table"
    )));
}

/// Two actions asked together (SPEC §2.9).
#[test]
fn who_two_actions_table() {
    snap!(sample().words(format!(
        "who {WS_DELETE} {ML}/workspaces/write --workspace ml-prod --format table"
    )));
}

/// A compute given as WORKSPACE/COMPUTE (fact 16).
#[test]
fn who_compute_table() {
    snap!(sample().words(format!(
        "who {COMPUTE_WRITE} --workspace ml-dev/ci-hana-sato --format table"
    )));
}

#[test]
fn who_graph_dot() {
    snap!(sample().words(format!(
        "who {COMPUTE_WRITE} --workspace ml-prod --graph dot"
    )));
}

/// Nobody: an empty answer is still an answer (exit 0).
#[test]
fn who_nobody_table() {
    snap!(sample().words(format!(
        "who {BLOB_READ} --data --scope {SHARED_STORAGE} --format table"
    )));
}

// ---------------------------------------------------------------------------
// can
// ---------------------------------------------------------------------------

/// Yes: Bob through AzureML Compute Operator, although Data Scientist Custom
/// excludes it (fact 10). Exit 0.
#[test]
fn can_yes_table() {
    snap!(sample().words(format!(
        "can {BOB} {COMPUTE_WRITE} --workspace ml-dev --format table"
    )));
}

#[test]
fn can_yes_json() {
    snap!(sample().words(format!(
        "can {BOB} {COMPUTE_WRITE} --workspace ml-dev --format json"
    )));
}

#[test]
fn can_yes_csv() {
    snap!(sample().words(format!(
        "can {BOB} {COMPUTE_WRITE} --workspace ml-dev --format csv"
    )));
}

#[test]
fn can_yes_explain_table() {
    snap!(sample().words(format!(
        "can {BOB} {COMPUTE_WRITE} --workspace ml-dev --explain --format table"
    )));
}

/// No: NotActions `workspaces/*/delete` (fact 7). Exit 1.
#[test]
fn can_no_explain_table() {
    snap!(sample().words(format!(
        "can {ALICE} {WS_DELETE} --workspace ml-dev --explain --format table"
    )));
}

#[test]
fn can_no_explain_json() {
    snap!(sample().words(format!(
        "can {ALICE} {WS_DELETE} --workspace ml-dev --explain --format json"
    )));
}

#[test]
fn can_no_explain_csv() {
    snap!(sample().words(format!(
        "can {ALICE} {WS_DELETE} --workspace ml-dev --explain --format csv"
    )));
}

/// Denied: Contributor grants the delete, the deployment stack's deny
/// assignment blocks it; the grant's row says which deny in `why_not`, as the
/// table and JSON do. Exit 1.
#[test]
fn can_denied_csv() {
    snap!(sample().words(format!(
        "can dave.kim@contoso.com {WS_DELETE} --workspace ml-prod --format csv"
    )));
}

/// Conditional (fact 33).
#[test]
fn can_conditional_explain_table() {
    snap!(sample().words(format!(
        "can {ALICE} {BLOB_READ} --data --scope {DEV_STORAGE} --explain --format table"
    )));
}

#[test]
fn can_conditional_json() {
    snap!(sample().words(format!(
        "can {ALICE} {BLOB_READ} --data --scope {DEV_STORAGE} --format json"
    )));
}

/// Denied by the deny assignment (fact 18).
#[test]
fn can_denied_explain_table() {
    snap!(sample().args(["can", "Dave Kim"]).words(format!(
        "{WS_DELETE} --workspace ml-prod --explain --format table"
    )));
}

/// Eligible only (fact 19): activating Owner would give it.
#[test]
fn can_eligible_table() {
    snap!(sample()
        .args(["can", "Ivan Horvat"])
        .words("Microsoft.Authorization/roleAssignments/write --workspace ml-prod --format table"));
}

/// Eligible (fact 19), but the deployment stack's deny assignment blocks the
/// delete for everyone: the verdict says activating would not give it.
#[test]
fn can_eligible_explain_table() {
    snap!(sample().args(["can", "Ivan Horvat"]).words(format!(
        "{WS_DELETE} --workspace ml-prod --explain --format table"
    )));
}

/// An eligibility that ended before the snapshot grants nothing (fact 26).
#[test]
fn can_ended_eligibility_explain_table() {
    snap!(sample().words(format!(
        "can {BOB} {WS_DELETE} --workspace ml-test --explain --format table"
    )));
}

/// The orphaned principal still grants (fact 1).
#[test]
fn can_orphan_table() {
    snap!(sample().words(format!(
        "can b9539884-dcb9-46e1-a4d2-441c2ab481c3 {WS_READ} --workspace ml-prod --format table"
    )));
}

/// V1 yes, V2 no (fact 37).
#[test]
fn can_activity_yes_table() {
    snap!(sample().words(format!(
        "can {ALICE} --activity submit-run-v1 --workspace ml-dev --format table"
    )));
}

#[test]
fn can_activity_no_explain_table() {
    snap!(sample().words(format!(
        "can {ALICE} --activity submit-run-v2 --workspace ml-dev --explain --format table"
    )));
}

#[test]
fn can_activity_no_json() {
    snap!(sample().words(format!(
        "can {ALICE} --activity create-compute --workspace ml-dev --format json"
    )));
}

#[test]
fn can_graph_dot() {
    snap!(sample().args([
        "can",
        "Kyle Jensen",
        COMPUTE_WRITE,
        "--workspace",
        "ml-prod",
        "--graph",
        "dot"
    ]));
}

/// An unknown principal: exit 2, the closest names, a hint.
#[test]
fn can_unknown_principal() {
    snap!(sample().args(["can", "Maria Gonzales", WS_READ, "--workspace", "ml-prod"]));
}

// ---------------------------------------------------------------------------
// what
// ---------------------------------------------------------------------------

#[test]
fn what_table() {
    snap!(sample().words(format!(
        "what {ALICE} --workspace ml-dev --provider Microsoft.Authorization --format table"
    )));
}

#[test]
fn what_json() {
    snap!(sample().words(format!(
        "what {ALICE} --workspace ml-dev --provider Microsoft.Authorization --format json"
    )));
}

#[test]
fn what_csv() {
    snap!(sample().words(format!(
        "what {ALICE} --workspace ml-dev --provider Microsoft.Authorization --format csv"
    )));
}

/// What a deny assignment blocks is a section of its own, not left out.
#[test]
fn what_denied_section_table() {
    snap!(sample().words(
        "what dave.kim@contoso.com --workspace ml-prod --provider Microsoft.MachineLearningServices --format table"
    ));
}

/// What only a PIM eligibility would grant is listed as `eligible`, in JSON too.
#[test]
fn what_eligible_json() {
    snap!(sample().words(
        "what 05016168-3c1e-47d5-89fa-edbc5e42dd2d --workspace ml-prod --provider Microsoft.Authorization --format json"
    ));
}

/// Every provider, at a compute (fact 16).
#[test]
fn what_compute_table() {
    snap!(
        sample().words("what hana.sato@contoso.com --workspace ml-dev/ci-hana-sato --format table")
    );
}

/// A provider whose catalogue was not imported (or a misspelt one) is not
/// answered with an empty list: exit 2, the closest providers, a hint.
#[test]
fn what_unknown_provider() {
    snap!(sample().words(format!(
        "what {ALICE} --workspace ml-dev --provider Microsoft.MachineLearningService"
    )));
}

/// Nothing at all (fact 35).
#[test]
fn what_nothing_table() {
    snap!(sample().args([
        "what",
        "Sam Taylor",
        "--workspace",
        "ml-prod",
        "--format",
        "table"
    ]));
}

// ---------------------------------------------------------------------------
// activities
// ---------------------------------------------------------------------------

#[test]
fn activities_table() {
    snap!(run().words("activities --format table"));
}

#[test]
fn activities_json() {
    snap!(run().words("activities --format json"));
}

#[test]
fn activities_csv() {
    snap!(run().words("activities --format csv"));
}

// ---------------------------------------------------------------------------
// review
// ---------------------------------------------------------------------------

#[test]
fn review_csv() {
    snap!(sample().words("review --workspace ml-prod --format csv"));
}

/// A review to a pipe is CSV (SPEC §3).
#[test]
fn review_piped_default() {
    snap!(sample().words("review --workspace ml-test"));
}

#[test]
fn review_json() {
    snap!(sample().words("review --workspace ml-prod --format json"));
}

#[test]
fn review_table() {
    snap!(sample().words("review --workspace ml-prod --format table"));
}

#[test]
fn review_all_workspaces_table() {
    snap!(sample().words("review --all-workspaces --format table"));
}

#[test]
fn review_all_workspaces_csv() {
    snap!(sample().words("review --all-workspaces --format csv"));
}

/// `--out FILE`: the sheet goes to the file, a note to stderr.
#[test]
fn review_out_file() {
    let s = Scratch::new().with_sample();
    let sheet = s.path("ml-dev.csv");
    snap!(
        "review_out_file",
        s.run().words("review --workspace ml-dev --out").arg(&sheet)
    );
    let written = std::fs::read_to_string(&sheet).unwrap();
    let piped = sample()
        .words("review --workspace ml-dev --format csv")
        .expect(0);
    assert_eq!(written, piped.stdout(), "the file holds what stdout would");
}

/// A fresh database: no decision recorded, nothing to plan.
#[test]
fn review_plan_fresh() {
    let s = Scratch::new().with_sample();
    snap!(s.run().words("review plan --workspace ml-prod"));
}

/// Sets `decision` and `reviewer_comment` of the rows `pick` chooses.
fn decide(
    sheet: &Path,
    pick: impl Fn(&csv::StringRecord, &csv::StringRecord) -> Option<(&'static str, &'static str)>,
) {
    let mut reader = csv::Reader::from_path(sheet).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (decision, comment) = (col("decision"), col("reviewer_comment"));
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        let mut cells: Vec<String> = row.iter().map(str::to_string).collect();
        if let Some((d, c)) = pick(&headers, &row) {
            cells[decision] = d.into();
            cells[comment] = c.into();
        }
        rows.push(cells);
    }
    let mut writer = csv::Writer::from_path(sheet).unwrap();
    writer.write_record(&headers).unwrap();
    for r in rows {
        writer.write_record(r).unwrap();
    }
    writer.flush().unwrap();
}

/// A sample database and its ml-prod sheet with four decisions filled in: the
/// disabled Owner and the deleted principal removed, Break Glass approved, Ivan's
/// eligible Owner flagged.
fn decided_sheet() -> (Scratch, std::path::PathBuf) {
    let s = Scratch::new().with_sample();
    let sheet = s.path("ml-prod.csv");
    s.run()
        .words("review --workspace ml-prod --out")
        .arg(&sheet)
        .expect(0);
    decide(&sheet, |h, row| {
        let get = |name: &str| &row[h.iter().position(|x| x == name).unwrap()];
        match (get("display_name"), get("role_name"), get("pim")) {
            ("Greg Walsh", _, _) => Some(("remove", "disabled account")),
            ("", "AzureML Data Scientist", _) => Some(("remove", "deleted principal")),
            ("Break Glass Admin 01", _, _) => Some(("approve", "emergency access, documented")),
            ("Ivan Horvat", "Owner", "eligible") => Some(("flag", "ask whether Owner is needed")),
            _ => None,
        }
    });
    (s, sheet)
}

/// The quarterly round trip: write the sheet, decide, apply, see the decisions
/// carried into the next sheet, plan the removals, verify the review trail.
#[test]
fn review_apply_round_trip() {
    let (s, sheet) = decided_sheet();
    snap!(
        "review_apply",
        s.run()
            .args(["review", "apply"])
            .arg(&sheet)
            .args(["--reviewer", "Olivia Bennett"])
    );
    snap!(
        "review_apply_then_table",
        s.run().words("review --workspace ml-prod --format table")
    );
    snap!(
        "review_apply_then_plan",
        s.run().words("review plan --workspace ml-prod")
    );
    snap!(
        "review_apply_then_verify",
        s.run().words("verify --format table")
    );
    snap!(
        "review_apply_then_verify_json",
        s.run().words("verify --format json")
    );
    // The reviewer defaults to $USER.
    snap!(
        "review_apply_again_as_user",
        s.run()
            .env("USER", "pnovak")
            .args(["review", "apply"])
            .arg(&sheet)
    );
}

/// No `--reviewer` and no `$USER`.
#[test]
fn review_apply_without_reviewer() {
    let (s, sheet) = decided_sheet();
    snap!(s
        .run()
        .env_remove("USER")
        .args(["review", "apply"])
        .arg(&sheet));
    // Refused before anything was recorded.
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let applies: i64 = conn
        .query_row("SELECT count(*) FROM review_applies", [], |r| r.get(0))
        .unwrap();
    assert_eq!(applies, 0);
}

/// A sheet piped in: `review apply /dev/stdin`.
#[test]
fn review_apply_from_stdin() {
    let (s, sheet) = decided_sheet();
    snap!(s.run().stdin(std::fs::read(&sheet).unwrap()).args([
        "review",
        "apply",
        "/dev/stdin",
        "--reviewer",
        "Olivia Bennett"
    ]));
}

/// A sheet piped in is bounded as every input file is (`WHOCAN_MAX_INPUT_BYTES`):
/// one byte over, it is refused by name with a hint, nothing recorded (it was
/// bounded at 1 GiB whatever the variable said, with the hint "check the path").
#[test]
fn review_apply_from_stdin_past_the_input_limit() {
    let (s, sheet) = decided_sheet();
    let bytes = std::fs::read(&sheet).unwrap();
    let limit = (bytes.len() - 1).to_string();
    snap!(s
        .run()
        .env("WHOCAN_MAX_INPUT_BYTES", &limit)
        .stdin(bytes.clone())
        .args(["review", "apply", "-", "--reviewer", "Olivia Bennett"]));
    s.run()
        .env("WHOCAN_MAX_INPUT_BYTES", &limit)
        .args(["review", "apply", "--reviewer", "Olivia Bennett"])
        .arg(&sheet)
        .expect(2)
        .stderr_has(&format!(
            "{} bytes, more than the {limit} bytes",
            bytes.len()
        ))
        .stderr_has("hint: apply the sheets of fewer scopes");
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let applies: i64 = conn
        .query_row("SELECT count(*) FROM review_applies", [], |r| r.get(0))
        .unwrap();
    assert_eq!(applies, 0);
    // At the limit, it is read.
    s.run()
        .env("WHOCAN_MAX_INPUT_BYTES", bytes.len().to_string())
        .stdin(bytes)
        .args(["review", "apply", "-", "--reviewer", "Olivia Bennett"])
        .expect(0);
}

#[test]
fn review_apply_error_unknown_decision() {
    let s = Scratch::new().with_sample();
    let sheet = s.path("ml-prod.csv");
    s.run()
        .words("review --workspace ml-prod --out")
        .arg(&sheet)
        .expect(0);
    decide(&sheet, |h, row| {
        (row[h.iter().position(|x| x == "display_name").unwrap()] == *"Dave Kim")
            .then_some(("revoke", ""))
    });
    snap!(s
        .run()
        .args(["review", "apply"])
        .arg(&sheet)
        .args(["--reviewer", "Olivia Bennett"]));
}

// ---------------------------------------------------------------------------
// diff, and history questions: snapshot 1 is sample-data, snapshot 2 an edited copy
// ---------------------------------------------------------------------------

const SAM: &str = "1e4e0061-6534-4c64-ae8f-14431c9e7686";
const ETHAN: &str = "a0f34e77-1bc6-479e-bf73-8c1521fd4a5a";
const NINA: &str = "8cbe2ca6-8183-44ba-8308-bec8237341e8";
const G_ML_RESEARCH: &str = "f0d76949-d1ba-49bb-ad14-22e79975d8a1";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// sample-data with three edits: Sam Taylor gets Reader on rg-ml-prod, Ethan Brooks
/// leaves ML Research, Nina Petrova's account is disabled.
fn edited_sample(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("edited");
    copy_dir(&sample_data(), &data);
    edit_json(&data.join("assignments/role-assignments.json"), |v| {
        let scope = format!("{SUB_ML}/resourceGroups/rg-ml-prod");
        let guid = "11111111-1111-4111-8111-111111111111";
        v.as_array_mut().unwrap().push(json!({
            "condition": null,
            "conditionVersion": null,
            "createdOn": "2026-11-15T10:00:00+00:00",
            "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}"),
            "name": guid,
            "principalId": SAM,
            "principalName": "sam.taylor@contoso.com",
            "principalType": "User",
            "roleDefinitionId": format!("{SUB_ML}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
            "roleDefinitionName": "Reader",
            "scope": scope,
            "type": "Microsoft.Authorization/roleAssignments"
        }));
    });
    edit_json(&data.join(format!("members/{G_ML_RESEARCH}.json")), |v| {
        v.as_array_mut().unwrap().retain(|m| m["id"] != ETHAN);
    });
    edit_json(&data.join("directory/users.json"), |v| {
        let users = v["value"].as_array_mut().unwrap();
        let nina = users.iter_mut().find(|u| u["id"] == NINA).unwrap();
        nina["accountEnabled"] = json!(false);
    });
    data
}

/// The two-snapshot database, built once per test process and only read.
fn two() -> Run {
    static TWO: OnceLock<Scratch> = OnceLock::new();
    TWO.get_or_init(|| {
        let s = Scratch::new().with_sample();
        s.import(&edited_sample(s.dir()), "2026-12-01T00:00:00Z", "2026-Q4b");
        s
    })
    .run()
}

#[test]
fn diff_table() {
    snap!(two().words("diff 1 2 --format table"));
}

/// Snapshots given latest first: answered, with a note and the command in time order.
#[test]
fn diff_reversed_table() {
    snap!(two().words("diff 2 1 --format table"));
}

#[test]
fn diff_json() {
    snap!(two().words("diff 1 2 --format json"));
}

#[test]
fn diff_csv() {
    snap!(two().words("diff 1 2 --format csv"));
}

/// Snapshots named by date, narrowed to a workspace.
#[test]
fn diff_dates_workspace_table() {
    snap!(two().words("diff 2026-10-01 2026-12-01 --workspace ml-prod --format table"));
}

#[test]
fn diff_principal_table() {
    snap!(two().args([
        "diff",
        "1",
        "2",
        "--principal",
        "Ethan Brooks",
        "--format",
        "table"
    ]));
}

/// The same content twice: nothing changed.
#[test]
fn diff_no_change_table() {
    let s = Scratch::new().with_sample();
    s.import(&sample_data(), "2026-11-01T00:00:00Z", "again");
    snap!(s.run().words("diff 1 2 --format table"));
}

#[test]
fn diff_error_unknown_snapshot() {
    snap!(two().words("diff 1 9"));
}

/// `--as-of` answers from the snapshot of its date; `--snapshot` by id.
#[test]
fn who_as_of_table() {
    snap!(two().words(format!(
        "who {WS_READ} --workspace ml-prod --as-of 2026-11-01 --format table"
    )));
}

#[test]
fn who_snapshot_2_table() {
    snap!(two().words(format!(
        "who {WS_READ} --workspace ml-prod --snapshot 2 --format table"
    )));
}

#[test]
fn who_error_as_of_before_first_snapshot() {
    snap!(two().words(format!(
        "who {WS_READ} --workspace ml-prod --as-of 2020-01-01"
    )));
}

// ---------------------------------------------------------------------------
// verify
// ---------------------------------------------------------------------------

#[test]
fn verify_table() {
    snap!(sample().words("verify --format table"));
}

#[test]
fn verify_json() {
    snap!(sample().words("verify --format json"));
}

#[test]
fn verify_csv() {
    snap!(sample().words("verify --format csv"));
}

#[test]
fn verify_two_snapshots_table() {
    snap!(two().words("verify --format table"));
}

/// A row edited with SQL after the import: exit 1, the first break named.
#[test]
fn verify_tampered() {
    let s = Scratch::new().with_sample();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    conn.execute(
        "UPDATE principals SET display_name = 'Mallory' WHERE display_name = 'Dave Kim'",
        [],
    )
    .unwrap();
    drop(conn);
    snap!(
        "verify_tampered_table",
        s.run().words("verify --format table")
    );
    snap!(
        "verify_tampered_json",
        s.run().words("verify --format json")
    );
}

// ---------------------------------------------------------------------------
// lint
// ---------------------------------------------------------------------------

#[test]
fn lint_table() {
    snap!(sample().words("lint --format table"));
}

#[test]
fn lint_json() {
    snap!(sample().words("lint --format json"));
}

#[test]
fn lint_csv() {
    snap!(sample().words("lint --format csv"));
}

#[test]
fn lint_workspace_table() {
    snap!(sample().words("lint --workspace ml-prod --format table"));
}

// ---------------------------------------------------------------------------
// seal, and verify --receipt
// ---------------------------------------------------------------------------

/// The hex of an Ed25519 public key file as whocan prints it.
fn public_key_hex(file: &Path) -> String {
    use ed25519_dalek::pkcs8::DecodePublicKey;
    let pem = std::fs::read_to_string(file).unwrap();
    let key = ed25519_dalek::VerifyingKey::from_public_key_pem(&pem).unwrap();
    key.to_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn seal_round_trip() {
    let s = Scratch::new().with_sample();
    std::fs::create_dir_all(s.path("keys")).unwrap();
    let key = s.path("keys/auditor.key");
    let other = s.path("keys/other.key");
    let receipt = s.path("receipt.json");
    snap!(
        "seal_new_key",
        s.run().args(["seal", "--new-key"]).arg(&key)
    );
    s.run().args(["seal", "--new-key"]).arg(&other).expect(0);
    let (auditor_hex, other_hex) = (
        public_key_hex(&s.path("keys/auditor.key.pub")),
        public_key_hex(&s.path("keys/other.key.pub")),
    );
    // Two fresh keys, told apart in the transcripts.
    let run = || {
        s.run()
            .redact(&auditor_hex, "[AUDITOR-KEY]")
            .redact(&other_hex, "[OTHER-KEY]")
    };
    snap!(
        "seal_new_key_refuses_overwrite",
        run().args(["seal", "--new-key"]).arg(&key)
    );
    snap!("seal_to_stdout", run().args(["seal", "--key"]).arg(&key));
    snap!(
        "seal_out",
        run()
            .args(["seal", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&receipt)
    );
    snap!(
        "seal_out_refuses_overwrite",
        run()
            .args(["seal", "--key"])
            .arg(&key)
            .arg("--out")
            .arg(&receipt)
    );
    let verify = |format: &str, public: &str| {
        run()
            .args(["verify", "--format", format, "--receipt"])
            .arg(&receipt)
            .arg("--public-key")
            .arg(s.path(public))
    };
    snap!(
        "verify_receipt_table",
        verify("table", "keys/auditor.key.pub")
    );
    snap!(
        "verify_receipt_json",
        verify("json", "keys/auditor.key.pub")
    );
    snap!("verify_receipt_csv", verify("csv", "keys/auditor.key.pub"));
    // Another key did not sign it: exit 1.
    snap!(
        "verify_receipt_wrong_key",
        verify("table", "keys/other.key.pub")
    );
    // A snapshot imported after the seal is reported as not covered by it.
    s.import(&sample_data(), "2026-11-01T00:00:00Z", "after the seal");
    snap!(
        "verify_receipt_after_import",
        verify("table", "keys/auditor.key.pub")
    );
}

#[test]
fn seal_error_missing_key() {
    let s = Scratch::new().with_sample();
    snap!(s.run().args(["seal", "--key"]).arg(s.path("absent.key")));
}

// ---------------------------------------------------------------------------
// demo
// ---------------------------------------------------------------------------

/// The demo imports with no `--taken-at`: its answers hold while now is inside
/// the window sample-data assumes (PIM windows are evaluated at the snapshot's
/// time); outside it the output differs, so the snapshot is only compared there.
#[test]
fn demo() {
    let now = chrono::Utc::now().to_rfc3339();
    if !("2026-09-01".."2027-03-01").contains(&now.as_str()) {
        eprintln!(
            "skipping: the demo's answers assume now in [2026-09-01, 2027-03-01), now is {now}"
        );
        return;
    }
    let s = Scratch::new();
    snap!(run().env("TMPDIR", s.dir()).arg("demo"));
    assert_eq!(
        std::fs::read_dir(s.dir()).unwrap().count(),
        0,
        "the scratch database is removed"
    );
}

#[test]
fn demo_keep() {
    let now = chrono::Utc::now().to_rfc3339();
    if !("2026-09-01".."2027-03-01").contains(&now.as_str()) {
        eprintln!(
            "skipping: the demo's answers assume now in [2026-09-01, 2027-03-01), now is {now}"
        );
        return;
    }
    let s = Scratch::new();
    snap!("demo_keep", run().args(["demo", "--keep"]).arg(s.db()));
    snap!(
        "demo_keep_snapshots",
        s.run().words("snapshots --format csv")
    );
    // Never a second snapshot in a database the user keeps.
    snap!(
        "demo_keep_existing",
        run().args(["demo", "--keep"]).arg(s.db())
    );
}

/// The README's step: `whocan demo --keep whocan.db`, then questions with no
/// `--db`. whocan.db in the current directory is the default database, and the
/// demo's closing tip says so and runs as printed there (it named contoso.db and
/// `--db contoso.db`, which the README never made).
#[test]
fn demo_keep_whocan_db_then_the_tip_runs_as_printed_with_no_db() {
    let s = Scratch::new();
    let out = run()
        .current_dir(s.dir())
        .args(["demo", "--keep", "whocan.db"])
        .expect(0)
        .stdout();
    assert!(
        out.contains(
            "\nKept in whocan.db, the database every command run from this directory reads"
        ),
        "{out}"
    );
    let tip = out.lines().last().unwrap().trim();
    assert!(tip.starts_with("whocan who "), "{out}");
    let v = run()
        .current_dir(s.dir())
        .args(tip.split_whitespace().skip(1))
        .ok_json();
    assert_eq!(v["snapshot"]["label"], "contoso demo", "{v}");
}

/// `whocan --db FILE demo` keeps the demo's database at FILE, as `--keep FILE`
/// does (the flag was ignored: the demo wrote a scratch database and FILE never
/// appeared); `WHOCAN_DB` is no `--db`, and `--db` with another `--keep` is exit 2.
#[test]
fn demo_db_keeps_the_database_there() {
    let s = Scratch::new();
    run().db(s.db()).arg("demo").expect(0);
    let snaps = crate::support::snapshots(s.db());
    assert_eq!(snaps.len(), 1, "{snaps:?}");
    assert_eq!(snaps[0]["label"], "contoso demo");
    let env_db = s.dir().join("env.db");
    run()
        .env("WHOCAN_DB", &env_db)
        .env("TMPDIR", s.dir())
        .arg("demo")
        .expect(0);
    assert!(!env_db.exists(), "WHOCAN_DB is left alone");
    run()
        .db(s.dir().join("a.db"))
        .args(["demo", "--keep"])
        .arg(s.dir().join("b.db"))
        .expect(2)
        .stderr_has("name two databases for the demo to keep");
}

// ---------------------------------------------------------------------------
// --help, --version, usage errors
// ---------------------------------------------------------------------------

#[test]
fn help() {
    for (name, args) in [
        ("help", vec!["--help"]),
        ("help_import", vec!["import", "--help"]),
        ("help_snapshots", vec!["snapshots", "--help"]),
        ("help_who", vec!["who", "--help"]),
        ("help_can", vec!["can", "--help"]),
        ("help_what", vec!["what", "--help"]),
        ("help_activities", vec!["activities", "--help"]),
        ("help_demo", vec!["demo", "--help"]),
        ("help_review", vec!["review", "--help"]),
        ("help_review_apply", vec!["review", "apply", "--help"]),
        ("help_review_plan", vec!["review", "plan", "--help"]),
        ("help_diff", vec!["diff", "--help"]),
        ("help_verify", vec!["verify", "--help"]),
        ("help_seal", vec!["seal", "--help"]),
        ("help_lint", vec!["lint", "--help"]),
        ("short_help_who", vec!["who", "-h"]),
        ("version", vec!["--version"]),
    ] {
        snap!(name, run().args(args));
    }
}

#[test]
fn error_no_command() {
    snap!(run());
}

#[test]
fn error_unknown_command() {
    snap!(run().arg("whom"));
}

#[test]
fn error_missing_action() {
    snap!(sample().words("who --workspace ml-prod"));
}

#[test]
fn error_missing_scope() {
    snap!(sample().args(["who", COMPUTE_WRITE]));
}

#[test]
fn error_scope_and_workspace() {
    snap!(sample().words(format!(
        "who {COMPUTE_WRITE} --workspace ml-prod --scope {SUB_ML}"
    )));
}

#[test]
fn error_bad_format() {
    snap!(sample().words(format!(
        "who {COMPUTE_WRITE} --workspace ml-prod --format xml"
    )));
}

#[test]
fn error_bad_action() {
    snap!(sample().args([
        "who",
        &format!("{ML}/workspaces/compute/write"),
        "--workspace",
        "ml-prod"
    ]));
}

#[test]
fn error_unknown_workspace() {
    snap!(sample().words(format!("who {COMPUTE_WRITE} --workspace ml-prd")));
}

#[test]
fn error_unknown_scope() {
    snap!(sample().args([
        "who",
        COMPUTE_WRITE,
        "--scope",
        &format!("{SUB_ML}/resourceGroups/rg-ml-dve")
    ]));
}

#[test]
fn error_unknown_activity() {
    snap!(sample().words("who --activity submit-run-v3 --workspace ml-dev"));
}

#[test]
fn error_unknown_snapshot() {
    snap!(sample().words(format!(
        "who {COMPUTE_WRITE} --workspace ml-prod --snapshot 7"
    )));
}

#[test]
fn error_no_database() {
    let s = Scratch::new();
    snap!(s
        .run()
        .words(format!("who {COMPUTE_WRITE} --workspace ml-prod")));
}

#[test]
fn error_not_a_whocan_database() {
    let s = Scratch::new();
    std::fs::write(s.db(), "not sqlite at all, just text").unwrap();
    snap!(s
        .run()
        .words(format!("who {COMPUTE_WRITE} --workspace ml-prod")));
}

/// Without `--db` or `WHOCAN_DB`: `./whocan.db`.
#[test]
fn default_database_in_the_working_directory() {
    let s = Scratch::new().with_sample();
    snap!(run().current_dir(s.dir()).words("snapshots --format csv"));
}

/// `--db` wins over `WHOCAN_DB` (an empty directory's database here).
#[test]
fn db_flag_wins_over_whocan_db() {
    let empty = Scratch::new();
    snap!(sample()
        .env("WHOCAN_DB", empty.db())
        .words("snapshots --format csv"));
}

/// The same question twice, the same answer: what these snapshots rely on, here
/// within one process and before any filter that could hide a difference.
#[test]
fn the_same_question_twice_prints_the_same() {
    let ask =
        sample().words("who --activity submit-run-v2 --workspace ml-prod --explain --format json");
    let (one, two) = (ask.output(), ask.output());
    assert_eq!(one.raw_transcript(), two.raw_transcript());
    assert_eq!(ask.transcript(), one.transcript());
    assert!(
        two.stderr().contains("metadata/codes/*/write"),
        "{}",
        two.transcript()
    );
}

/// `WHOCAN_DB` names the database when `--db` does not.
#[test]
fn whocan_db_from_the_environment() {
    let s = Scratch::new().with_sample();
    snap!(run()
        .env("WHOCAN_DB", s.db())
        .words("snapshots --format csv"));
}

/// At 80 columns, a table whose words of text cannot sit side by side is laid
/// out as records (the review's eight columns, the snapshot list); lint stays a
/// table whose ids alone are shortened.
#[test]
fn tables_too_wide_for_80_columns_become_records() {
    for (name, args) in [
        (
            "review_table_80_cols",
            "review --workspace ml-prod --format table",
        ),
        ("snapshots_table_80_cols", "snapshots --format table"),
        (
            "lint_table_80_cols",
            "lint --workspace ml-prod --format table",
        ),
    ] {
        snap!(name, sample().env("COLUMNS", "80").words(args));
    }
}

/// Tables fit the width (`COLUMNS`), wrapping at word boundaries and breaking
/// paths only after a `/`, never shortening or splitting any other word (users
/// copy ids); colour only when asked for.
#[test]
fn tables_at_80_and_200_columns_with_and_without_colour() {
    for cols in ["80", "200"] {
        for colour in ["never", "always"] {
            let name = format!("who_table_{cols}_cols_colour_{colour}");
            snap!(
                name.as_str(),
                sample()
                    .env("COLUMNS", cols)
                    .words(format!(
                        "who Microsoft.MachineLearningServices/workspaces/delete -w ml-prod --explain -f table --color {colour}"
                    ))
            );
            let name = format!("what_table_{cols}_cols_colour_{colour}");
            snap!(
                name.as_str(),
                sample().env("COLUMNS", cols).words(format!(
                    "what dave.kim@contoso.com -w ml-prod --provider Microsoft.Authorization -f table --color {colour}"
                ))
            );
        }
    }
    // NO_COLOR turns `auto` off, and a pipe is never coloured by `auto`.
    let plain = sample()
        .env("NO_COLOR", "1")
        .words("who Microsoft.MachineLearningServices/workspaces/delete -w ml-prod -f table")
        .expect(0)
        .stdout();
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let coloured = sample()
        .words("who Microsoft.MachineLearningServices/workspaces/delete -w ml-prod -f table --color always")
        .expect(0)
        .stdout();
    assert!(coloured.contains("\u{1b}[38;5;9m denied"), "{coloured}");
    // At 80 columns no table line is wider than 80 and no address is split.
    let narrow = sample()
        .env("COLUMNS", "80")
        .words("who Microsoft.MachineLearningServices/workspaces/computes/write -w ml-dev -f table")
        .expect(0)
        .stdout();
    for line in narrow
        .lines()
        .filter(|l| l.starts_with(['│', '┌', '└', '╞']))
    {
        assert!(line.chars().count() <= 80, "{line}");
        assert!(
            !line.trim_end_matches(['│', ' ']).ends_with("<bob.oka"),
            "{line}"
        );
    }
}
