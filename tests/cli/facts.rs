//! The "Expected facts" of `sample-data/README.md`, asserted through the command line
//! on the bundled contoso tenant, plus the statements of Microsoft's AzureML access
//! article that the sample roles reproduce.
//!
//! The sample is imported once per test process (`--taken-at 2026-11-01T00:00:00Z`,
//! inside the README's evaluation window) into a private database; every test then
//! asks `who`, `can`, `what` or `activities` and compares sets of principals by
//! display name (or object id for a principal that has none).
//!
//! Facts 41 and 42 are checked here through the data the review sheet is built
//! from; `tests/cli/review.rs` checks the sheet itself.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{on, stdout_json, whocan, write};

const TAKEN_AT: &str = "2026-11-01T00:00:00Z";

// Scopes.
const SUB_ML: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
const SUB_PLATFORM: &str = "/subscriptions/187f0923-f1d8-4e1d-aa97-9782eb7d5bd0";

// Actions (`ML/` in the README is Microsoft.MachineLearningServices/).
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const WS_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/write";
const WS_DELETE: &str = "Microsoft.MachineLearningServices/workspaces/delete";
const COMPUTE_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/computes/write";
const COMPUTE_DELETE: &str = "Microsoft.MachineLearningServices/workspaces/computes/delete";
const COMPUTE_START: &str = "Microsoft.MachineLearningServices/workspaces/computes/start/action";
const JOBS_DELETE: &str = "Microsoft.MachineLearningServices/workspaces/jobs/delete";
const RUN_SUBMIT: &str =
    "Microsoft.MachineLearningServices/workspaces/experiments/runs/submit/action";
const LABELS_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/labeling/labels/write";
const PROFILE_READ: &str =
    "Microsoft.MachineLearningServices/workspaces/datasets/registered/profile/read";
const REGISTERED_READ: &str =
    "Microsoft.MachineLearningServices/workspaces/datasets/registered/read";
const DATASTORES_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/datastores/write";
const READ_SECRETS: &str =
    "Microsoft.MachineLearningServices/workspaces/environments/readSecrets/action";
const QUOTA: &str = "Microsoft.MachineLearningServices/locations/updateQuotas/action";
const CODES_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/metadata/codes/*/write";
const RA_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
const RA_DELETE: &str = "Microsoft.Authorization/roleAssignments/delete";
const STORAGE_DELETE: &str = "Microsoft.Storage/storageAccounts/delete";
const BLOB_READ: &str = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const CONTAINERS_READ: &str = "Microsoft.Storage/storageAccounts/blobServices/containers/read";

// Object ids.
const ORPHAN: &str = "b9539884-dcb9-46e1-a4d2-441c2ab481c3";
const QUINN: &str = "a4c48110-ba83-464b-9ed3-0bb300335abc";
const UNDEFINED_ROLE: &str = "aa9ecdfe-58fb-4a61-9df0-59526331032d";
const G_ALL_ML: &str = "0fcf8172-419d-4941-8ee4-dc3ae034c065";
const G_ML_DS: &str = "c96de941-8b28-45b2-a650-1220c21f17b1";
const G_INTERNS: &str = "8754fd7c-aad2-424d-9d50-d068be92ff8f";
const G_ML_ENG: &str = "55aa9bfc-ca6a-495a-9844-a4f4d88e3e26";
const G_ANALYSTS: &str = "7e666535-0fad-42c2-be97-d2bf62869490";
const G_MLOPS: &str = "ef114048-a748-4d4f-bdb1-b47e8b97fbe4";
const G_PLATFORM_ADMINS: &str = "592c55e5-0303-4846-9d88-231e58f43efb";
const G_DPT: &str = "1e7dc7bc-9e7e-4819-bb77-7f7dd7a37d6a";
const G_DPOC: &str = "d9ac0fab-1c20-4609-afb8-19e65c80f0ae";
const G_CONTRACTORS: &str = "01439ca8-dba1-434c-a30d-4d6fb4ee55e3";

// Principals as the command line names them.
const ALICE: &str = "alice.nguyen@contoso.com";
const BOB: &str = "bob.okafor@contoso.com";
const CAROL: &str = "carol.martins@contoso.com";
const DAVE: &str = "dave.kim@contoso.com";
const ETHAN: &str = "ethan.brooks@contoso.com";
const HANA: &str = "hana.sato@contoso.com";
const IVAN: &str = "ivan.horvat@contoso.com";
const LENA: &str = "lena.fischer@contoso.com";
const MARCO: &str = "marco.rossi@contoso.com";
const OLIVIA: &str = "olivia.bennett@contoso.com";
const BREAKGLASS: &str = "breakglass01@contoso.onmicrosoft.com";
const CICD: &str = "contoso-mlops-deploy";

const WORKSPACES: [&str; 3] = ["ml-dev", "ml-test", "ml-prod"];

// ---------------------------------------------------------------------------
// Fixture and helpers
// ---------------------------------------------------------------------------

struct Sample {
    _dir: TempDir,
    db: PathBuf,
    /// `whocan import --format json` summary.
    import: Value,
}

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// The sample tenant, imported once per test process.
fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("facts.db");
        let out = whocan(&db)
            .args(["import", "--taken-at", TAKEN_AT, "--format", "json"])
            .arg(sample_data())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "import of sample-data failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let import = stdout_json(&out);
        Sample {
            _dir: dir,
            db,
            import,
        }
    })
}

fn run(args: &[&str]) -> Output {
    whocan(&sample().db).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn ws_id(name: &str) -> String {
    let env = name.trim_start_matches("ml-");
    format!(
        "{SUB_ML}/resourceGroups/rg-ml-{env}/providers/Microsoft.MachineLearningServices/workspaces/{name}"
    )
}

fn storage_id(sub: &str, rg: &str, account: &str) -> String {
    format!("{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{account}")
}

/// A principal's label in an answer: its display name, or its id when it has none
/// (a member or principal found in no directory listing).
fn label(v: &Value) -> String {
    match v["displayName"].as_str() {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => v["id"].as_str().unwrap_or_default().to_string(),
    }
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_lowercase())
        .collect()
}

/// `who ... --format json`.
struct Who {
    json: Value,
    stderr: String,
}

fn who(args: &[&str]) -> Who {
    let mut full = vec!["who"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--format", "json"]);
    let out = run(&full);
    assert_eq!(
        out.status.code(),
        Some(0),
        "whocan {full:?} failed:\n{}",
        text(&out.stderr)
    );
    Who {
        json: stdout_json(&out),
        stderr: text(&out.stderr),
    }
}

impl Who {
    fn list(&self, field: &str) -> &Vec<Value> {
        self.json[field]
            .as_array()
            .unwrap_or_else(|| panic!("`{field}` is not an array in {}", self.json))
    }

    fn principals_with(&self, access: &str) -> BTreeSet<String> {
        self.list("principals")
            .iter()
            .filter(|p| p["access"] == access)
            .map(label)
            .collect()
    }

    fn allowed(&self) -> BTreeSet<String> {
        self.principals_with("allowed")
    }

    fn conditional(&self) -> BTreeSet<String> {
        self.principals_with("conditional")
    }

    fn denied(&self) -> BTreeSet<String> {
        self.list("denied").iter().map(label).collect()
    }

    fn eligible(&self) -> BTreeSet<String> {
        self.list("eligible").iter().map(label).collect()
    }

    /// Group ids listed in `incomplete` (lowercase).
    fn incomplete_groups(&self) -> BTreeSet<String> {
        self.list("incomplete")
            .iter()
            .filter_map(|i| i["groupId"].as_str())
            .map(str::to_lowercase)
            .collect()
    }

    /// Patterns listed in `incomplete`.
    fn incomplete_patterns(&self) -> BTreeSet<String> {
        self.list("incomplete")
            .iter()
            .filter_map(|i| i["pattern"].as_str())
            .map(str::to_string)
            .collect()
    }

    /// Every result a principal has in this answer (`none` when it is in no list).
    fn access_of(&self, name: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for p in self.list("principals") {
            if label(p) == name {
                out.insert(p["access"].as_str().unwrap().to_string());
            }
        }
        if self.denied().contains(name) {
            out.insert("denied".into());
        }
        if self.eligible().contains(name) {
            out.insert("eligible".into());
        }
        if out.is_empty() {
            out.insert("none".into());
        }
        out
    }

    fn principal(&self, name: &str) -> &Value {
        self.list("principals")
            .iter()
            .find(|p| label(p) == name)
            .unwrap_or_else(|| panic!("{name} is not among the principals of {}", self.json))
    }

    fn grants(&self, name: &str) -> &Vec<Value> {
        self.principal(name)["grants"].as_array().unwrap()
    }

    /// Whether `name` has a grant through `role` whose group chain is `via`.
    fn has_grant(&self, name: &str, role: &str, via: &[&str]) -> bool {
        let via: Vec<String> = via.iter().map(|s| s.to_lowercase()).collect();
        self.grants(name)
            .iter()
            .any(|g| g["roleName"] == role && str_list(&g["via"]) == via)
    }
}

/// `can PRINCIPAL ... --format json`; exit 0 (yes) or 1 (no).
struct Can {
    code: i32,
    json: Value,
}

fn can(principal: &str, args: &[&str]) -> Can {
    let mut full = vec!["can", principal];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--format", "json"]);
    let out = run(&full);
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "whocan {full:?} exited {code}:\n{}",
        text(&out.stderr)
    );
    let json = stdout_json(&out);
    assert_eq!(
        json["allowed"].as_bool(),
        Some(code == 0),
        "exit code and `allowed` disagree: {json}"
    );
    Can { code, json }
}

impl Can {
    fn access(&self) -> &str {
        self.json["access"].as_str().unwrap()
    }

    /// The (action, access) of every decision that is not `allowed`.
    fn missing(&self) -> BTreeSet<(String, String)> {
        self.json["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["access"] != "allowed")
            .map(|d| {
                (
                    d["action"].as_str().unwrap().to_string(),
                    d["access"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn assert_can(principal: &str, args: &[&str], access: &str) {
    let c = can(principal, args);
    assert_eq!(
        c.access(),
        access,
        "can {principal} {args:?}: expected {access}, got {}",
        c.json
    );
    let yes = access == "allowed" || access == "conditional";
    assert_eq!(
        c.code,
        if yes { 0 } else { 1 },
        "exit code of can {principal} {args:?}"
    );
}

/// `can ... --format table --explain`: (exit code, stdout).
fn can_explained(principal: &str, args: &[&str]) -> (i32, String) {
    let mut full = vec!["can", principal];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--explain", "--format", "table"]);
    let out = run(&full);
    (out.status.code().unwrap_or(-1), text(&out.stdout))
}

/// `what PRINCIPAL ... --format json`: the operations with some access.
fn what(principal: &str, args: &[&str]) -> BTreeSet<String> {
    let mut full = vec!["what", principal];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--format", "json"]);
    let out = run(&full);
    assert_eq!(
        out.status.code(),
        Some(0),
        "whocan {full:?} failed:\n{}",
        text(&out.stderr)
    );
    stdout_json(&out)["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["access"] == "allowed" || o["access"] == "conditional")
        .map(|o| o["operation"].as_str().unwrap().to_string())
        .collect()
}

/// The import flag of `kind` that names `needle` in a subject or detail.
fn import_flag_mentions(kind: &str, needle: &str) -> bool {
    let flags = sample().import["flags"].as_array().unwrap();
    flags.iter().filter(|f| f["kind"] == kind).any(|f| {
        f["examples"].as_array().unwrap().iter().any(|e| {
            e.to_string()
                .to_lowercase()
                .contains(&needle.to_lowercase())
        })
    })
}

fn import_flag_count(kind: &str) -> u64 {
    sample().import["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .map(|f| f["count"].as_u64().unwrap())
        .sum()
}

// ---------------------------------------------------------------------------
// Import flags (facts 1-6)
// ---------------------------------------------------------------------------

#[test]
fn fact_01_orphaned_assignment_is_kept_flagged_and_still_grants() {
    assert!(import_flag_mentions("orphaned-assignment", ORPHAN));
    let w = who(&[WS_READ, "--workspace", "ml-prod"]);
    let p = w
        .list("principals")
        .iter()
        .find(|p| p["id"] == ORPHAN)
        .unwrap_or_else(|| panic!("orphan not listed: {}", w.json));
    assert_eq!(p["access"], "allowed");
    assert_eq!(p["orphaned"], true);
}

#[test]
fn fact_02_undefined_role_is_kept_flagged_and_grants_nothing() {
    assert!(import_flag_mentions("undefined-role", UNDEFINED_ROLE));
    assert_eq!(
        what("wei.chen@contoso.com", &["--workspace", "ml-prod"]),
        BTreeSet::new(),
        "Wei Chen has no access to ml-prod"
    );
    assert_can(
        "wei.chen@contoso.com",
        &[WS_READ, "--workspace", "ml-prod"],
        "none",
    );
    assert!(!who(&[WS_READ, "--workspace", "ml-prod"])
        .allowed()
        .contains("Wei Chen"));
}

#[test]
fn fact_03_member_in_no_listing_is_kept_flagged_and_inherits_through_mlops() {
    assert!(import_flag_mentions("unknown-member", QUINN));
    let w = who(&[WS_READ, "--workspace", "ml-dev"]);
    let quinn = w
        .list("principals")
        .iter()
        .find(|p| p["id"] == QUINN)
        .unwrap_or_else(|| panic!("Quinn Archer not listed: {}", w.json));
    assert_eq!(quinn["access"], "allowed");
    let via: Vec<Vec<String>> = quinn["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| str_list(&g["via"]))
        .collect();
    assert!(
        via.contains(&vec![G_MLOPS.to_string(), G_ALL_ML.to_string()]),
        "expected via [MLOps, All ML Staff], got {via:?}"
    );
}

#[test]
fn fact_04_group_with_assignment_but_no_member_file_is_flagged() {
    assert!(import_flag_mentions("members-not-imported", G_CONTRACTORS));
}

#[test]
fn fact_05_roles_without_id_join_by_name_and_nothing_else_is_unresolved() {
    // Workspace Admin Custom (no Id) is Priya's role on ml-dev.
    let w = who(&[WS_DELETE, "--workspace", "ml-dev"]);
    assert!(w.has_grant("Priya Raman (Fabrikam)", "Workspace Admin Custom", &[]));
    // Data Scientist Restricted Custom (no Id) is ML Research's role on ml-test.
    let w = who(&[REGISTERED_READ, "--workspace", "ml-test"]);
    assert!(w.has_grant(
        "Ethan Brooks",
        "Data Scientist Restricted Custom",
        &["f0d76949-d1ba-49bb-ad14-22e79975d8a1"]
    ));
    // Only Wei Chen's assignment (fact 2) is unresolved.
    assert_eq!(import_flag_count("undefined-role"), 1);
}

#[test]
fn fact_06_csv_edges_upper_case_group_and_repeated_edge() {
    // Yusuf Demir is in ML Engineers only through the CSV edge with the upper-case id.
    let w = who(&[COMPUTE_WRITE, "--workspace", "ml-dev"]);
    assert!(w.has_grant("Yusuf Demir", "AzureML Compute Operator", &[G_ML_ENG]));
    // The repeated Alice -> ML Data Scientists edge adds no second edge and no second path:
    // 38 distinct direct memberships (README group table plus Victor and Yusuf from the CSV).
    assert_eq!(sample().import["counts"]["memberEdges"], 38);
    let w = who(&[COMPUTE_START, "--workspace", "ml-dev"]);
    assert_eq!(
        w.grants("Alice Nguyen").len(),
        1,
        "{}",
        w.principal("Alice Nguyen")
    );
    assert!(w.has_grant("Alice Nguyen", "Data Scientist Custom", &[G_ML_DS]));
}

// ---------------------------------------------------------------------------
// ml-dev (facts 7-17)
// ---------------------------------------------------------------------------

#[test]
fn fact_07_data_scientist_custom_cannot_delete_workspace() {
    for action in [
        WS_DELETE,
        WS_WRITE,
        COMPUTE_WRITE,
        COMPUTE_DELETE,
        JOBS_DELETE,
    ] {
        assert_can(ALICE, &[action, "--workspace", "ml-dev"], "none");
    }
}

#[test]
fn fact_07_explain_names_the_not_actions_pattern() {
    on(&sample().db)
        .words(format!(
            "can {ALICE} {WS_DELETE} --workspace ml-dev --explain --format table"
        ))
        .expect(1)
        .stdout_has("Microsoft.MachineLearningServices/workspaces/*/delete")
        .stdout_has("Data Scientist Custom");
}

#[test]
fn fact_08_data_scientist_custom_can_start_compute_and_submit_runs() {
    for action in [COMPUTE_START, RUN_SUBMIT] {
        assert_can(ALICE, &[action, "--workspace", "ml-dev"], "allowed");
    }
}

#[test]
fn fact_09_data_scientist_custom_can_delete_but_not_write_role_assignments() {
    assert_can(ALICE, &[RA_DELETE, "--workspace", "ml-dev"], "allowed");
    assert_can(ALICE, &[RA_WRITE, "--workspace", "ml-dev"], "none");
}

#[test]
fn fact_10_not_actions_are_not_a_deny() {
    assert_can(BOB, &[COMPUTE_WRITE, "--workspace", "ml-dev"], "allowed");
    let w = who(&[COMPUTE_WRITE, "--workspace", "ml-dev"]);
    assert!(w.has_grant("Bob Okafor", "AzureML Compute Operator", &[G_ML_ENG]));
}

/// No deny assignment or PIM eligibility applies on ml-dev, and no condition is on a
/// role that grants these actions: the `allowed` set is the whole answer.
fn assert_only_allowed(w: &Who) {
    assert_eq!(w.conditional(), BTreeSet::new(), "conditional");
    assert_eq!(w.denied(), BTreeSet::new(), "denied");
    assert_eq!(w.eligible(), BTreeSet::new(), "eligible");
}

#[test]
fn fact_11_who_can_write_computes_on_ml_dev() {
    let w = who(&[COMPUTE_WRITE, "--workspace", "ml-dev"]);
    assert_only_allowed(&w);
    assert_eq!(
        w.allowed(),
        set(&[
            "Bob Okafor",
            "Marco Rossi",
            "Nina Petrova",
            "Yusuf Demir",
            "Priya Raman (Fabrikam)",
            "Dave Kim",
            "Erin Walker",
            "Raj Patel",
            "Greg Walsh",
        ])
    );
    assert!(!w.allowed().contains("Alice Nguyen"));
}

#[test]
fn fact_12_who_can_delete_ml_dev() {
    let w = who(&[WS_DELETE, "--workspace", "ml-dev"]);
    assert_only_allowed(&w);
    assert_eq!(
        w.allowed(),
        set(&[
            "Dave Kim",
            "Erin Walker",
            "Raj Patel",
            "Greg Walsh",
            "Priya Raman (Fabrikam)"
        ])
    );
    let priya = w.grants("Priya Raman (Fabrikam)");
    assert!(
        priya
            .iter()
            .any(|g| g["roleName"] == "Workspace Admin Custom"
                && g["matchedPattern"] == "Microsoft.MachineLearningServices/workspaces/*/delete"),
        "{priya:?}"
    );
}

#[test]
fn fact_13_who_can_write_ml_dev() {
    let w = who(&[WS_WRITE, "--workspace", "ml-dev"]);
    assert_only_allowed(&w);
    assert_eq!(
        w.allowed(),
        set(&["Dave Kim", "Erin Walker", "Raj Patel", "Greg Walsh"])
    );
}

#[test]
fn fact_14_who_can_write_role_assignments_on_ml_dev() {
    let w = who(&[RA_WRITE, "--workspace", "ml-dev"]);
    assert_only_allowed(&w);
    assert_eq!(
        w.allowed(),
        set(&[
            "Break Glass Admin 01",
            "Erin Walker",
            "Raj Patel",
            "Greg Walsh",
            "Priya Raman (Fabrikam)",
        ])
    );
    assert!(w.has_grant("Break Glass Admin 01", "User Access Administrator", &[]));
    assert!(w.has_grant("Erin Walker", "Owner", &[G_PLATFORM_ADMINS]));
    assert!(w.has_grant("Priya Raman (Fabrikam)", "Workspace Admin Custom", &[]));
    assert_eq!(w.principal("Priya Raman (Fabrikam)")["userType"], "Guest");
}

#[test]
fn fact_15_three_level_nesting_gives_the_shortest_via_chains() {
    let w = who(&[WS_READ, "--workspace", "ml-dev"]);
    assert!(w.has_grant("Hana Sato", "Data Scientist Custom", &[G_INTERNS, G_ML_DS]));
    assert!(w.has_grant("Hana Sato", "Reader", &[G_INTERNS, G_ML_DS, G_ALL_ML]));
}

#[test]
fn fact_16_compute_scope_assignment_applies_only_to_that_compute() {
    assert_can(
        HANA,
        &[COMPUTE_WRITE, "--workspace", "ml-dev/ci-hana-sato"],
        "allowed",
    );
    assert_can(
        HANA,
        &[COMPUTE_WRITE, "--workspace", "ml-dev/cpu-cluster"],
        "none",
    );
    assert_can(HANA, &[COMPUTE_WRITE, "--workspace", "ml-dev"], "none");
}

#[test]
fn fact_17_group_without_members_makes_ml_dev_answers_incomplete() {
    let contractors = set(&[G_CONTRACTORS]);
    // Every action Labeler Custom grants.
    let labeler = [
        WS_READ,
        "Microsoft.MachineLearningServices/workspaces/labeling/projects/read",
        "Microsoft.MachineLearningServices/workspaces/labeling/projects/summary/read",
        "Microsoft.MachineLearningServices/workspaces/labeling/labels/read",
        LABELS_WRITE,
    ];
    for action in labeler {
        for target in ["ml-dev", "ml-dev/cpu-cluster", "ml-dev/ci-hana-sato"] {
            let w = who(&[action, "--workspace", target]);
            assert_eq!(w.incomplete_groups(), contractors, "{action} on {target}");
        }
        for target in ["ml-test", "ml-prod"] {
            let w = who(&[action, "--workspace", target]);
            assert!(
                !w.incomplete_groups().contains(G_CONTRACTORS),
                "{action} on {target}: {}",
                w.json["incomplete"]
            );
        }
    }
    let tomas = "tomas.herrera_fabrikam.com#EXT#@contoso.onmicrosoft.com";
    let c = can(tomas, &[WS_READ, "--workspace", "ml-dev"]);
    assert_eq!(c.access(), "none");
    let incomplete: Vec<&str> = c.json["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["groupId"].as_str())
        .collect();
    assert_eq!(incomplete, [G_CONTRACTORS], "{}", c.json["incomplete"]);
    for target in WORKSPACES {
        assert_eq!(
            what(tomas, &["--workspace", target]),
            BTreeSet::new(),
            "Tomás Herrera on {target}"
        );
    }
}

// ---------------------------------------------------------------------------
// ml-prod (facts 18-23)
// ---------------------------------------------------------------------------

#[test]
fn fact_18_deny_assignment_and_pim_on_ml_prod() {
    let allowed = set(&["Erin Walker", "Raj Patel", "Greg Walsh"]);
    let denied = set(&["Dave Kim"]);
    let eligible = set(&[
        "Ivan Horvat",
        "Kyle Jensen",
        "Lena Fischer",
        "María González",
    ]);
    for actions in [vec![WS_DELETE], vec![WS_WRITE], vec![WS_DELETE, WS_WRITE]] {
        let mut args = actions.clone();
        args.extend_from_slice(&["--workspace", "ml-prod"]);
        let w = who(&args);
        assert_eq!(w.allowed(), allowed, "allowed for {actions:?}");
        assert_eq!(
            w.conditional(),
            BTreeSet::new(),
            "conditional for {actions:?}"
        );
        assert_eq!(w.denied(), denied, "denied for {actions:?}");
        assert_eq!(w.eligible(), eligible, "eligible for {actions:?}");
    }
    let w = who(&[WS_DELETE, "--workspace", "ml-prod"]);
    assert!(w.has_grant("Erin Walker", "Owner", &[G_PLATFORM_ADMINS]));
    let dave = &w.list("denied")[0];
    assert!(
        dave["denyAssignmentId"]
            .as_str()
            .unwrap()
            .ends_with("07a74ecb-7fd4-4786-9e95-233e56bba12b"),
        "{dave}"
    );
}

#[test]
fn fact_19_ivan_is_eligible_not_denied() {
    let w = who(&[WS_DELETE, "--workspace", "ml-prod"]);
    assert_eq!(w.access_of("Ivan Horvat"), set(&["eligible"]));
    assert_can(IVAN, &[WS_DELETE, "--workspace", "ml-prod"], "eligible");
    let w = who(&[RA_WRITE, "--workspace", "ml-prod"]);
    assert_eq!(w.access_of("Ivan Horvat"), set(&["eligible"]));
    let w = who(&[RUN_SUBMIT, "--workspace", "ml-prod"]);
    assert_eq!(w.access_of("Ivan Horvat"), set(&["allowed"]));
    assert!(w.has_grant("Ivan Horvat", "AzureML Data Scientist", &[G_MLOPS]));
}

#[test]
fn fact_20_excluded_from_deny_but_without_grant_is_none() {
    let w = who(&[WS_DELETE, "--workspace", "ml-prod"]);
    for name in [CICD, "Break Glass Admin 01"] {
        assert_eq!(w.access_of(name), set(&["none"]), "{name}");
    }
    assert_can(CICD, &[WS_DELETE, "--workspace", "ml-prod"], "none");
    assert_can(BREAKGLASS, &[WS_DELETE, "--workspace", "ml-prod"], "none");
}

#[test]
fn fact_21_deny_does_not_cover_computes() {
    let w = who(&[COMPUTE_WRITE, "--workspace", "ml-prod"]);
    assert_eq!(
        w.allowed(),
        set(&[
            "Dave Kim",
            "Erin Walker",
            "Raj Patel",
            "Greg Walsh",
            "Kyle Jensen",
            "Lena Fischer",
            "María González",
        ])
    );
    assert_eq!(w.denied(), BTreeSet::new());
    assert_eq!(w.eligible(), set(&["Ivan Horvat"]));
}

#[test]
fn fact_22_membership_cycle_terminates_with_shortest_chains() {
    let w = who(&[COMPUTE_WRITE, "--workspace", "ml-prod"]);
    assert!(w.has_grant("Kyle Jensen", "AzureML Compute Operator", &[G_DPT, G_DPOC]));
    assert!(w.has_grant("María González", "AzureML Compute Operator", &[G_DPOC]));
    let w = who(&[WS_READ, "--workspace", "ml-prod"]);
    assert!(w.has_grant("María González", "Reader", &[G_DPOC, G_DPT]));
}

#[test]
fn fact_23_contributor_at_subscription() {
    for target in ["ml-dev", "ml-test"] {
        assert_can(DAVE, &[WS_DELETE, "--workspace", target], "allowed");
    }
    for target in WORKSPACES {
        assert_can(DAVE, &[RA_WRITE, "--workspace", target], "none");
    }
    assert_can(DAVE, &[RA_WRITE, "--scope", SUB_ML], "none");
    for scope in [
        SUB_PLATFORM.to_string(),
        format!("{SUB_PLATFORM}/resourceGroups/rg-shared"),
        storage_id(SUB_PLATFORM, "rg-shared", "stcontososhared01"),
    ] {
        assert_eq!(what(DAVE, &["--scope", &scope]), BTreeSet::new(), "{scope}");
    }
}

// ---------------------------------------------------------------------------
// ml-test (facts 24-28)
// ---------------------------------------------------------------------------

#[test]
fn fact_24_not_actions_of_one_role_granted_by_another() {
    assert_can(CAROL, &[PROFILE_READ, "--workspace", "ml-test"], "allowed");
    let w = who(&[PROFILE_READ, "--workspace", "ml-test"]);
    assert!(w.has_grant("Carol Martins", "Reader", &[G_ANALYSTS]));
    assert_eq!(w.access_of("Ethan Brooks"), set(&["none"]));
    assert_can(ETHAN, &[PROFILE_READ, "--workspace", "ml-test"], "none");
    assert_can(
        ETHAN,
        &[REGISTERED_READ, "--workspace", "ml-test"],
        "allowed",
    );
}

#[test]
fn fact_25_carol_on_ml_test() {
    assert_can(CAROL, &[DATASTORES_WRITE, "--workspace", "ml-test"], "none");
    assert_can(CAROL, &[RUN_SUBMIT, "--workspace", "ml-test"], "allowed");
    assert_can(CAROL, &[READ_SECRETS, "--workspace", "ml-test"], "none");
    assert_can(CAROL, &[COMPUTE_WRITE, "--workspace", "ml-test"], "none");
}

/// SPEC §2.10: PIM windows are evaluated at the snapshot's time. Bob's
/// eligibility ended on 2026-06-30, before the sample snapshot: it grants nothing,
/// not even `eligible` (issue 9, problem 8: it was still offered as "could
/// activate"), and `can --explain` still names it, with its window.
#[test]
fn fact_26_ended_pim_window_grants_nothing_and_is_named() {
    let w = who(&[WS_DELETE, "--workspace", "ml-test"]);
    assert_eq!(w.access_of("Bob Okafor"), set(&["none"]));
    assert!(!w.list("eligible").iter().any(|e| label(e) == "Bob Okafor"));
    assert_can(BOB, &[WS_DELETE, "--workspace", "ml-test"], "none");
    let (code, out) = can_explained(BOB, &[WS_DELETE, "--workspace", "ml-test"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("2026-06-30") && out.contains("ended"),
        "the ended window is not named:\n{out}"
    );
}

#[test]
fn fact_27_compute_scope_assignment_from_arm_file() {
    assert_can(
        LENA,
        &[COMPUTE_WRITE, "--workspace", "ml-test/gpu-cluster"],
        "allowed",
    );
    assert_can(
        LENA,
        &[COMPUTE_WRITE, "--workspace", "ml-test/cpu-cluster"],
        "none",
    );
}

#[test]
fn fact_28_csv_edge_only_member_reads_ml_test() {
    let w = who(&[WS_READ, "--workspace", "ml-test"]);
    assert!(w.has_grant("Victor Almeida", "Reader", &[G_ANALYSTS]));
    assert_can(
        "victor.almeida@contoso.com",
        &[WS_READ, "--workspace", "ml-test"],
        "allowed",
    );
}

// ---------------------------------------------------------------------------
// Management-group chain, root, data plane (facts 29-35)
// ---------------------------------------------------------------------------

#[test]
fn fact_29_readers_through_management_groups() {
    let readers = [
        "Olivia Bennett",
        "Peter Novak",
        "Jordan Blake (Northwind Audit)",
        "contoso-ml-monitoring",
    ];
    let read = who(&[WS_READ, "--workspace", "ml-prod"]);
    let write = who(&[WS_WRITE, "--workspace", "ml-prod"]);
    for name in readers {
        assert_eq!(
            read.access_of(name),
            set(&["allowed"]),
            "{name} reads ml-prod"
        );
        assert_eq!(
            write.access_of(name),
            set(&["none"]),
            "{name} writes ml-prod"
        );
    }
}

#[test]
fn fact_30_user_access_administrator_at_root() {
    for target in WORKSPACES {
        assert_can(BREAKGLASS, &[RA_WRITE, "--workspace", target], "allowed");
        assert_can(BREAKGLASS, &[WS_READ, "--workspace", target], "allowed");
    }
}

#[test]
fn fact_31_quota_at_subscription() {
    let w = who(&[QUOTA, "--scope", SUB_ML]);
    assert_eq!(
        w.allowed(),
        set(&["Dave Kim", "Erin Walker", "Raj Patel", "Greg Walsh"])
    );
    // Ivan's Owner and Data Platform On-Call's Contributor eligibilities are below the
    // subscription: they do not apply there.
    assert_eq!(w.eligible(), BTreeSet::new());
    assert_eq!(w.denied(), BTreeSet::new());
}

#[test]
fn fact_32_contributor_at_platform_management_group() {
    let scope = storage_id(SUB_PLATFORM, "rg-shared", "stcontososhared01");
    let w = who(&[STORAGE_DELETE, "--scope", &scope]);
    assert_eq!(w.access_of("Erin Walker"), set(&["allowed"]));
    assert!(w.has_grant("Erin Walker", "Contributor", &[G_PLATFORM_ADMINS]));
}

#[test]
fn fact_33_conditional_data_action_and_star_never_grants_data() {
    let scope = storage_id(SUB_ML, "rg-ml-dev", "stcontosomldev01");
    let w = who(&[BLOB_READ, "--scope", &scope]);
    assert_eq!(
        w.conditional(),
        set(&[
            "Alice Nguyen",
            "Bob Okafor",
            "Wei Chen",
            "Diana Costa",
            "Hana Sato",
            "Liam O'Connor",
        ])
    );
    assert_eq!(w.allowed(), BTreeSet::new());
    let cond = &w.grants("Alice Nguyen")[0]["condition"];
    assert!(
        cond.as_str().is_some_and(|c| c.contains("training-data")),
        "condition text not shown: {cond}"
    );
    // `can` exits 0 for conditional access.
    assert_can(ALICE, &[BLOB_READ, "--scope", &scope], "conditional");
}

#[test]
fn fact_34_data_action_on_prod_storage() {
    let scope = storage_id(SUB_ML, "rg-ml-prod", "stcontosomlprod01");
    let w = who(&[BLOB_READ, "--scope", &scope]);
    assert_eq!(w.allowed(), set(&["ml-prod"]));
    assert_eq!(w.conditional(), BTreeSet::new());
    let control = who(&[CONTAINERS_READ, "--scope", &scope]);
    for name in ["Erin Walker", "Olivia Bennett"] {
        assert_eq!(w.access_of(name), set(&["none"]), "{name} reads blobs");
        assert_eq!(
            control.access_of(name),
            set(&["allowed"]),
            "{name} reads containers"
        );
    }
}

#[test]
fn fact_35_community_members_and_outsiders() {
    assert_can(
        "uma.krishnan@contoso.com",
        &[WS_READ, "--workspace", "ml-dev"],
        "allowed",
    );
    assert_can(
        "uma.krishnan@contoso.com",
        &[WS_READ, "--workspace", "ml-test"],
        "none",
    );
    for principal in [
        "sam.taylor@contoso.com",
        "wendy.zhou@contoso.com",
        "tomas.herrera_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    ] {
        for target in WORKSPACES {
            assert_eq!(
                what(principal, &["--workspace", target]),
                BTreeSet::new(),
                "{principal} on {target}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Activities (facts 36-40)
// ---------------------------------------------------------------------------

#[test]
fn fact_36_patterns_that_cover_no_operation_expand_to_nothing() {
    let w = who(&["--activity", "submit-run-v2", "--workspace", "ml-dev"]);
    assert!(
        w.incomplete_patterns().contains(CODES_WRITE),
        "{}",
        w.json["incomplete"]
    );
    let actions = str_list(&w.json["actions"]);
    assert!(!actions.is_empty());
    assert!(
        !actions.iter().any(|a| a.contains("/metadata/codes/")),
        "{actions:?}"
    );
    // Owner (`*`) can do every catalogue operation on ml-dev: none of them is matched by
    // MLOps Custom's three patterns that cover nothing.
    let everything = what("erin.walker@contoso.com", &["--workspace", "ml-dev"]);
    assert!(!everything.is_empty());
    for op in &everything {
        let op = op.to_lowercase();
        assert!(
            !(op.starts_with("microsoft.machinelearningservices/workspaces/metadata/codes/")
                && op.ends_with("/write"))
                && op != "microsoft.machinelearningservices/workspaces/experiments/jobs/read"
                && op != "microsoft.machinelearningservices/workspaces/experiments/jobs/write",
            "catalogue has {op}"
        );
    }
}

#[test]
fn fact_37_alice_can_submit_v1_runs_but_not_v2() {
    assert_can(
        ALICE,
        &["--activity", "submit-run-v1", "--workspace", "ml-dev"],
        "allowed",
    );
    let c = can(
        ALICE,
        &["--activity", "submit-run-v2", "--workspace", "ml-dev"],
    );
    assert_eq!(c.code, 1);
    assert_eq!(
        c.missing(),
        [(JOBS_DELETE.to_string(), "none".to_string())].into()
    );
}

#[test]
fn fact_38_carol_misses_only_read_secrets_for_v1_runs() {
    let c = can(
        CAROL,
        &["--activity", "submit-run-v1", "--workspace", "ml-test"],
    );
    assert_eq!(c.code, 1);
    assert_eq!(
        c.missing(),
        [(READ_SECRETS.to_string(), "none".to_string())].into()
    );
}

/// The README gives the reason as the reads of `/workspaces/*/read` that MLOps Custom
/// does not grant; `environments/readSecrets/action` (not in MLOps Custom either) is
/// missing too, which the README does not mention but does not contradict.
#[test]
fn fact_39_mlops_deploy_submits_v1_runs_on_test_not_prod() {
    assert_can(
        CICD,
        &["--activity", "submit-run-v1", "--workspace", "ml-test"],
        "allowed",
    );
    let c = can(
        CICD,
        &["--activity", "submit-run-v1", "--workspace", "ml-prod"],
    );
    assert_eq!(c.code, 1);
    let missing: BTreeSet<String> = c.missing().into_iter().map(|(a, _)| a).collect();
    for read in [
        "Microsoft.MachineLearningServices/workspaces/computes/read",
        "Microsoft.MachineLearningServices/workspaces/experiments/read",
        "Microsoft.MachineLearningServices/workspaces/models/read",
    ] {
        assert!(
            missing.contains(read),
            "{read} should be missing: {missing:?}"
        );
    }
    for granted in [
        WS_READ,
        "Microsoft.MachineLearningServices/workspaces/datastores/read",
        "Microsoft.MachineLearningServices/workspaces/experiments/runs/read",
        RUN_SUBMIT,
    ] {
        assert!(
            !missing.contains(granted),
            "{granted} is in MLOps Custom: {missing:?}"
        );
    }
    let other: Vec<&String> = missing
        .iter()
        .filter(|a| !a.ends_with("/read") && a.as_str() != READ_SECRETS)
        .collect();
    assert!(other.is_empty(), "unexpectedly missing: {other:?}");
}

#[test]
fn fact_40_ivan_runs_on_prod_and_compute_creation_on_dev() {
    for activity in ["submit-run-v1", "submit-run-v2"] {
        assert_can(
            IVAN,
            &["--activity", activity, "--workspace", "ml-prod"],
            "allowed",
        );
    }
    assert_can(
        BOB,
        &["--activity", "create-compute", "--workspace", "ml-dev"],
        "allowed",
    );
    assert_can(
        ALICE,
        &["--activity", "create-compute", "--workspace", "ml-dev"],
        "none",
    );
}

// ---------------------------------------------------------------------------
// Review sheet (facts 41-42), through the data the sheet is built from
// ---------------------------------------------------------------------------

#[test]
fn fact_41_only_owner_uaa_and_workspace_admin_write_role_assignments() {
    let mut roles = BTreeSet::new();
    let mut scopes: Vec<String> = WORKSPACES.iter().map(|w| ws_id(w)).collect();
    scopes.push(storage_id(SUB_ML, "rg-ml-prod", "stcontosomlprod01"));
    scopes.push(storage_id(SUB_ML, "rg-ml-dev", "stcontosomldev01"));
    scopes.push(storage_id(SUB_PLATFORM, "rg-shared", "stcontososhared01"));
    for scope in &scopes {
        let w = who(&[RA_WRITE, "--scope", scope, "--include-groups"]);
        for p in w.list("principals") {
            for g in p["grants"].as_array().unwrap() {
                roles.insert(g["roleName"].as_str().unwrap().to_string());
            }
        }
        for e in w.list("eligible") {
            roles.insert(e["roleName"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        roles,
        set(&[
            "Owner",
            "User Access Administrator",
            "Workspace Admin Custom"
        ])
    );
}

#[test]
fn fact_42_review_recommendation_inputs() {
    // Orphaned principal: fact 1. Greg Walsh: disabled, Owner at mg ml via Platform Admins.
    let w = who(&[RA_WRITE, "--workspace", "ml-dev"]);
    let greg = w.principal("Greg Walsh");
    assert_eq!(greg["accountEnabled"], false);
    assert!(w.has_grant("Greg Walsh", "Owner", &[G_PLATFORM_ADMINS]));
    // Guest Priya with the privileged Workspace Admin Custom on ml-dev.
    assert_eq!(w.principal("Priya Raman (Fabrikam)")["userType"], "Guest");
    assert!(w.has_grant("Priya Raman (Fabrikam)", "Workspace Admin Custom", &[]));
    // Ivan's Owner on ml-prod is eligible only.
    let w = who(&[RA_WRITE, "--workspace", "ml-prod"]);
    assert_eq!(w.access_of("Ivan Horvat"), set(&["eligible"]));
    let ivan = w
        .list("eligible")
        .iter()
        .find(|e| label(e) == "Ivan Horvat")
        .unwrap();
    assert_eq!(ivan["roleName"], "Owner");
}

// ---------------------------------------------------------------------------
// Microsoft's statements about the AzureML roles
// ---------------------------------------------------------------------------

/// "Data Scientist Custom" (Actions `*`, 5 NotActions), held by Alice on ml-dev: cannot
/// delete or write the workspace, write or delete computes, or write role
/// assignments; can submit runs.
#[test]
fn microsoft_data_scientist_custom_statements() {
    for action in [WS_DELETE, WS_WRITE, COMPUTE_WRITE, COMPUTE_DELETE, RA_WRITE] {
        assert_can(ALICE, &[action, "--workspace", "ml-dev"], "none");
    }
    assert_can(ALICE, &[RUN_SUBMIT, "--workspace", "ml-dev"], "allowed");
}

/// AzureML Data Scientist (Marco on ml-test, via ML Engineers at rg-ml-test) reads the
/// workspace and cannot create compute.
#[test]
fn microsoft_azureml_data_scientist_reads_but_cannot_create_compute() {
    let w = who(&[WS_READ, "--workspace", "ml-test"]);
    assert!(w.has_grant("Marco Rossi", "AzureML Data Scientist", &[G_ML_ENG]));
    assert_can(MARCO, &[WS_READ, "--workspace", "ml-test"], "allowed");
    assert_can(MARCO, &[COMPUTE_WRITE, "--workspace", "ml-test"], "none");
    assert_can(
        MARCO,
        &["--activity", "create-compute", "--workspace", "ml-test"],
        "none",
    );
}

/// AzureML Compute Operator (Marco on ml-dev, via ML Engineers) can create compute.
#[test]
fn microsoft_azureml_compute_operator_can_create_compute() {
    assert_can(MARCO, &[COMPUTE_WRITE, "--workspace", "ml-dev"], "allowed");
    assert_can(
        MARCO,
        &["--activity", "create-compute", "--workspace", "ml-dev"],
        "allowed",
    );
    let w = who(&[COMPUTE_WRITE, "--workspace", "ml-dev"]);
    assert!(w.has_grant("Marco Rossi", "AzureML Compute Operator", &[G_ML_ENG]));
}

/// Reader (Olivia, through Security Auditors at the Tenant Root Group) writes nothing.
#[test]
fn microsoft_reader_writes_nothing() {
    for target in WORKSPACES {
        let ops = what(OLIVIA, &["--workspace", target]);
        assert!(!ops.is_empty(), "Olivia reads {target}");
        let not_reads: Vec<_> = ops
            .iter()
            .filter(|o| !o.to_lowercase().ends_with("/read"))
            .collect();
        assert!(
            not_reads.is_empty(),
            "Reader grants {not_reads:?} on {target}"
        );
        for action in [WS_WRITE, WS_DELETE, COMPUTE_WRITE, RA_WRITE] {
            assert_can(OLIVIA, &[action, "--workspace", target], "none");
        }
    }
}

/// Contributor (Dave at contoso-ml) cannot write role assignments; the why-not names
/// Contributor's `Microsoft.Authorization/*/Write`.
#[test]
fn microsoft_contributor_cannot_write_role_assignments() {
    assert_can(DAVE, &[RA_WRITE, "--workspace", "ml-dev"], "none");
    let (code, out) = can_explained(DAVE, &[RA_WRITE, "--workspace", "ml-dev"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Microsoft.Authorization/*/Write"), "{out}");
}

#[test]
fn microsoft_contributor_cannot_create_custom_role() {
    on(&sample().db)
        .words(format!(
            "can {DAVE} --activity create-custom-role --workspace ml-dev --explain --format table"
        ))
        .expect(1)
        .stdout_has("Microsoft.Authorization/*/Write");
}

/// User Access Administrator (Break Glass at `/`) can write role assignments.
#[test]
fn microsoft_user_access_administrator_can_write_role_assignments() {
    assert_can(BREAKGLASS, &[RA_WRITE, "--workspace", "ml-dev"], "allowed");
    let w = who(&[RA_WRITE, "--workspace", "ml-dev"]);
    assert!(w.has_grant("Break Glass Admin 01", "User Access Administrator", &[]));
}

// ---------------------------------------------------------------------------
// Output formats, errors, activities
// ---------------------------------------------------------------------------

#[test]
fn who_graph_dot_is_a_digraph() {
    let out = run(&["who", RA_WRITE, "--workspace", "ml-dev", "--graph", "dot"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    assert!(dot.trim_start().starts_with("digraph"), "{dot}");
}

#[test]
fn who_csv_has_a_header_row() {
    let out = run(&["who", RA_WRITE, "--workspace", "ml-dev", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default();
    for column in ["principal_id", "display_name", "access", "role_name"] {
        assert!(header.split(',').any(|c| c == column), "header: {header}");
    }
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows.iter().any(|r| r.contains("Break Glass Admin 01")),
        "{csv}"
    );
}

#[test]
fn unknown_principal_is_a_usage_error() {
    let out = run(&[
        "can",
        "nobody@contoso.com",
        RA_WRITE,
        "--workspace",
        "ml-dev",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("nobody@contoso.com"), "{err}");
    assert!(out.stdout.is_empty());
}

/// A second "Alice Nguyen" (another object id) makes the display name ambiguous: exit
/// 2, and the message lists both candidates.
#[test]
fn ambiguous_principal_is_a_usage_error_listing_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let namesake = "3f0c1a9e-5b7d-4c2e-9a61-0d2b8e4f7c15";
    let extra = write(
        dir.path(),
        "extra/users-namesake.json",
        format!(
            r#"{{"value":[{{"id":"{namesake}","displayName":"Alice Nguyen","userPrincipalName":"alice.nguyen2@contoso.com","userType":"Member","accountEnabled":true}}]}}"#
        ),
    );
    let db = dir.path().join("ambiguous.db");
    let import = whocan(&db)
        .args(["import", "--taken-at", TAKEN_AT])
        .arg(sample_data())
        .arg(&extra)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", text(&import.stderr));
    let out = whocan(&db)
        .args(["can", "Alice Nguyen", WS_READ, "--workspace", "ml-dev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("44ea605d-4ebd-4de4-8bea-8ea7a8bfe147"),
        "{err}"
    );
    assert!(err.contains(namesake), "{err}");
}

#[test]
fn unknown_workspace_is_a_usage_error_listing_known_workspaces() {
    WORKSPACES.iter().fold(
        on(&sample().db)
            .args(["who", RA_WRITE, "--workspace", "ml-nope"])
            .expect(2)
            .stderr_has("ml-nope"),
        |ran, known| ran.stderr_has(known),
    );
}

#[test]
fn activities_json_lists_submit_run_v2() {
    let out = run(&["activities", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json = stdout_json(&out);
    let names: BTreeSet<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    for name in [
        "submit-run-v1",
        "submit-run-v2",
        "create-compute",
        "create-custom-role",
    ] {
        assert!(names.contains(name), "{names:?}");
    }
}

#[test]
fn who_activity_submit_run_v2_reports_uncovered_pattern_and_warns() {
    let w = who(&["--activity", "submit-run-v2", "--workspace", "ml-dev"]);
    assert!(
        w.incomplete_patterns().contains(CODES_WRITE),
        "{}",
        w.json["incomplete"]
    );
    assert!(w.stderr.contains(CODES_WRITE), "stderr: {}", w.stderr);
    assert!(
        w.stderr.to_lowercase().contains("warning"),
        "stderr: {}",
        w.stderr
    );
}

/// Fact 43: the import reads the resources' facts of `resources/` and counts them
/// by kind; the training identity's own role is an ordinary grant.
#[test]
fn fact_43_resource_facts_are_imported_and_counted() {
    let c = &sample().import["counts"];
    assert_eq!(c["workspaceLinks"], 1, "{c}");
    assert_eq!(c["datastores"], 3, "{c}");
    assert_eq!(c["assignedIdentities"], 5, "{c}");
    assert_eq!(c["userAssignedIdentities"], 1, "{c}");
    assert_eq!(c["storageSharedKeySettings"], 2, "{c}");
    assert_eq!(c["keyVaultPermissionModels"], 2, "{c}");
    let w = who(&[
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
        "--scope",
        "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/Microsoft.Storage/storageAccounts/stcontosomlcurated01",
    ]);
    assert!(w.has_grant("id-ml-prod-train", "Storage Blob Data Reader", &[]));
}

/// Fact 44: the datastores are resource scopes below ml-prod (a question may name
/// one), and the facts survive the store: a second import of the same data
/// changes nothing (its content hash is the first one's).
#[test]
fn fact_44_datastores_are_scopes_and_facts_are_content() {
    let ds = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/ml-prod/datastores/curated";
    let w = who(&[
        "Microsoft.MachineLearningServices/workspaces/datastores/read",
        "--scope",
        ds,
    ]);
    // Ivan Horvat reads it through MLOps' AzureML Data Scientist on ml-prod, above it.
    assert!(
        w.has_grant("Ivan Horvat", "AzureML Data Scientist", &[G_MLOPS]),
        "{}",
        w.principal("Ivan Horvat")
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("twice.db");
    for _ in 0..2 {
        let out = whocan(&db)
            .args(["import", "--taken-at", TAKEN_AT, "--format", "json"])
            .arg(sample_data())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let snaps = crate::support::snapshots(&db);
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[0]["contentHash"], snaps[1]["contentHash"]);
    assert_eq!(
        snaps[0]["contentHash"],
        sample().import["snapshot"]["contentHash"]
    );
}
