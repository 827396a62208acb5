//! `whocan lint` on the contoso sample (issue 4, "Findings"): the findings the
//! sample is built to trigger, the near misses it must not flag, `--workspace`
//! narrowing, the CSV shape, and the snapshot time deciding what has expired.
//! Each check also has unit tests on hand-built tenants in `src/engine/lint.rs`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{stdout_json, whocan};

const TAKEN_AT: &str = "2026-11-01T00:00:00Z";
const CAROL: &str = "e92b32aa-dd21-4b38-967d-f792135f847c";
const BOB: &str = "afbd3872-fe2d-4746-977f-5b6823b4134b";
const ETHAN: &str = "a0f34e77-1bc6-479e-bf73-8c1521fd4a5a";
const PRIYA: &str = "1501b195-5b9c-4bfc-b2ee-861dd686de13";
const JORDAN: &str = "1eb222f4-273e-4d76-a8d9-e7db40b1fdee";
const GREG: &str = "1ed1525b-b99a-49af-b5db-6c95888da0e9";
const ORPHAN: &str = "b9539884-dcb9-46e1-a4d2-441c2ab481c3";

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

struct Sample {
    _dir: TempDir,
    db: PathBuf,
}

fn import(db: &Path, taken_at: &str) {
    let out = whocan(db)
        .args(["import", "--format", "json", "--taken-at", taken_at])
        .arg(sample_data())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("lint.db");
        import(&db, TAKEN_AT);
        Sample { _dir: dir, db }
    })
}

fn lint_json(db: &Path, extra: &[&str]) -> Value {
    let out = whocan(db)
        .args(["lint", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

fn findings<'a>(v: &'a Value, kind: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

/// Ids of the objects of a kind named by a finding.
fn objects<'a>(f: &'a Value, kind: &str) -> Vec<&'a str> {
    f["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == kind)
        .map(|o| o["id"].as_str().unwrap())
        .collect()
}

fn role_names(f: &Value) -> Vec<&str> {
    f["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "role")
        .map(|o| o["name"].as_str().unwrap())
        .collect()
}

#[test]
fn notactions_of_one_role_granted_by_another() {
    let v = lint_json(&sample().db, &[]);
    let f = findings(&v, "notactions-overridden");
    // Carol: Data Scientist Restricted Custom (ML Research, ml-test) excludes the
    // dataset profile/preview/schema reads that Reader (ML Analysts, rg-ml-test)
    // grants (fact 24).
    let carol: Vec<&&Value> = f
        .iter()
        .filter(|x| objects(x, "principal").contains(&CAROL))
        .collect();
    assert_eq!(carol.len(), 1, "{f:#?}");
    assert_eq!(
        role_names(carol[0]),
        vec!["Data Scientist Restricted Custom", "Reader"]
    );
    assert!(objects(carol[0], "operation").contains(
        &"Microsoft.MachineLearningServices/workspaces/datasets/registered/profile/read"
    ));
    assert_eq!(carol[0]["severity"], "medium");
    assert!(!carol[0]["hint"].as_str().unwrap().is_empty());
    // Bob: Data Scientist Custom excludes compute writes that AzureML Compute
    // Operator grants on ml-dev (fact 10).
    assert!(f.iter().any(|x| objects(x, "principal").contains(&BOB)));
    // Ethan holds the restricted role only: nothing to flag.
    assert!(!f.iter().any(|x| objects(x, "principal").contains(&ETHAN)));
}

#[test]
fn unknown_actions_in_custom_roles() {
    let v = lint_json(&sample().db, &[]);
    let f = findings(&v, "unknown-action");
    let actions: Vec<&str> = f.iter().flat_map(|x| objects(x, "action")).collect();
    // MLOps Custom's `experiments/jobs/*` and `metadata/codes/*/write` match no
    // operation (fact 36).
    for a in [
        "Microsoft.MachineLearningServices/workspaces/experiments/jobs/read",
        "Microsoft.MachineLearningServices/workspaces/experiments/jobs/write",
        "Microsoft.MachineLearningServices/workspaces/metadata/codes/*/write",
    ] {
        assert!(actions.contains(&a), "{a} not flagged: {actions:?}");
    }
    assert!(
        f.iter().all(|x| role_names(x) == vec!["MLOps Custom"]),
        "{f:#?}"
    );
}

#[test]
fn v1_actions_without_v2_equivalents() {
    let v = lint_json(&sample().db, &[]);
    let f = findings(&v, "v1-without-v2");
    let flagged: Vec<(&str, &str)> = f
        .iter()
        .map(|x| (role_names(x)[0], x["message"].as_str().unwrap()))
        .collect();
    assert!(
        flagged
            .iter()
            .any(|(r, m)| *r == "MLOps Custom" && m.contains("experiments")),
        "{flagged:?}"
    );
    // Data Scientist Custom (`*`) and Workspace Admin Custom (`workspaces/*/…`)
    // grant both APIs.
    assert!(!flagged
        .iter()
        .any(|(r, _)| *r == "Data Scientist Custom" || *r == "Workspace Admin Custom"));
}

#[test]
fn owner_equivalent_custom_roles() {
    let v = lint_json(&sample().db, &[]);
    let f = findings(&v, "owner-equivalent-role");
    let roles: Vec<&str> = f.iter().map(|x| role_names(x)[0]).collect();
    // Workspace Admin Custom has roleAssignments/*; Data Scientist Custom has `*`
    // but excludes Microsoft.Authorization/*/write; built-in Owner is not custom.
    assert_eq!(roles, vec!["Workspace Admin Custom"]);
    assert_eq!(f[0]["severity"], "high");
}

#[test]
fn orphaned_assignments_and_undefined_roles() {
    let v = lint_json(&sample().db, &[]);
    let orphaned = findings(&v, "orphaned-assignment");
    assert_eq!(orphaned.len(), 1);
    assert!(objects(orphaned[0], "principal").contains(&ORPHAN));
    assert!(orphaned[0]["hint"]
        .as_str()
        .unwrap()
        .starts_with("az role assignment delete --ids "));
    let undefined = findings(&v, "undefined-role");
    assert_eq!(undefined.len(), 1);
    assert!(undefined[0]["message"]
        .as_str()
        .unwrap()
        .contains("aa9ecdfe-58fb-4a61-9df0-59526331032d"));
}

#[test]
fn guests_and_disabled_accounts_with_privileged_roles() {
    let v = lint_json(&sample().db, &[]);
    let guests = findings(&v, "guest-privileged");
    let ids: Vec<&str> = guests
        .iter()
        .flat_map(|x| objects(x, "principal"))
        .collect();
    // Priya (Workspace Admin Custom) yes; Jordan (guest, Reader only) no.
    assert_eq!(ids, vec![PRIYA]);
    assert!(!ids.contains(&JORDAN));
    let disabled = findings(&v, "disabled-privileged");
    let ids: Vec<&str> = disabled
        .iter()
        .flat_map(|x| objects(x, "principal"))
        .collect();
    assert_eq!(ids, vec![GREG], "Owner at mg ml through Platform Admins");
}

#[test]
fn sample_is_far_from_the_assignment_limits() {
    let v = lint_json(&sample().db, &[]);
    assert!(findings(&v, "assignment-limit").is_empty());
}

#[test]
fn expired_eligibility_depends_on_the_snapshot_time() {
    let v = lint_json(&sample().db, &[]);
    let f = findings(&v, "eligibility-expired");
    assert_eq!(f.len(), 1, "Bob's Contributor eligibility ended 2026-06-30");
    assert!(objects(f[0], "principal").contains(&BOB));

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("early.db");
    import(&db, "2026-05-01T00:00:00Z");
    assert!(findings(&lint_json(&db, &[]), "eligibility-expired").is_empty());
}

#[test]
fn workspace_narrows_the_findings() {
    let v = lint_json(&sample().db, &["--workspace", "ml-prod"]);
    assert!(v["scope"]
        .as_str()
        .unwrap()
        .ends_with("/workspaces/ml-prod"));
    // Carol's overlap is on ml-test; Priya's role is held on ml-dev.
    assert!(findings(&v, "notactions-overridden")
        .iter()
        .all(|f| !objects(f, "principal").contains(&CAROL)));
    assert!(findings(&v, "guest-privileged").is_empty());
    // On ml-prod or above it: the undefined role, the orphan, Greg's Owner at mg ml.
    assert_eq!(findings(&v, "undefined-role").len(), 1);
    assert_eq!(findings(&v, "orphaned-assignment").len(), 1);
    assert_eq!(findings(&v, "disabled-privileged").len(), 1);
    // MLOps Custom is held on ml-prod: its unknown actions are relevant.
    assert!(!findings(&v, "unknown-action").is_empty());
}

#[test]
fn csv_and_table_output() {
    let out = whocan(&sample().db)
        .args(["lint", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>().join(","),
        "severity,kind,scope,message,objects,principals,hint"
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert!(rows.len() >= 10);
    // Most severe first.
    assert_eq!(&rows[0][0], "high");
    let out = whocan(&sample().db)
        .args(["lint", "--format", "table"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        t.contains("notactions-overridden") && t.contains("high"),
        "{t}"
    );
}
