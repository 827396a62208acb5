//! `--effective` (issue 15) end to end on `sample-data/`: Priya ("Workspace Admin
//! Custom" on ml-dev, whose actions include `Microsoft.Authorization/roleAssignments/*`)
//! cannot write the workspace by RBAC, but can grant herself a role that can.

use serde_json::Value;

use crate::support::{sample, snap};

const WS_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/write";
const PRIYA: &str = "1501b195-5b9c-4bfc-b2ee-861dd686de13";

fn escalation_ids(v: &Value) -> Vec<String> {
    v["escalations"]
        .as_array()
        .unwrap_or_else(|| panic!("no escalations: {v}"))
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn can_effective_finds_priyas_grant_role_step_and_exits_0() {
    // RBAC alone: no.
    sample()
        .words(format!(
            "can {PRIYA} {WS_WRITE} --workspace ml-dev --format json"
        ))
        .expect(1);
    let v = sample()
        .words(format!(
            "can {PRIYA} {WS_WRITE} --workspace ml-dev --effective --format json"
        ))
        .expect(0)
        .json();
    assert_eq!(v["access"], "none", "RBAC's answer is kept as it is");
    let e = &v["escalation"];
    assert_eq!(e["access"], "escalation");
    let steps = e["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{e}");
    assert_eq!(steps[0]["step"], "grant-role");
    assert_eq!(
        steps[0]["needs"],
        "Microsoft.Authorization/roleAssignments/write"
    );
    assert_eq!(steps[0]["grants"][0]["roleName"], "Workspace Admin Custom");
    assert_eq!(
        steps[0]["role"], "Contributor",
        "the role she would assign herself"
    );
    assert!(steps[0]["doc"]
        .as_str()
        .unwrap()
        .starts_with("https://learn.microsoft.com/"));
}

#[test]
fn can_effective_table_says_how() {
    snap!(sample().words(format!(
        "can {PRIYA} {WS_WRITE} --workspace ml-dev --effective --format table"
    )));
}

#[test]
fn who_effective_lists_escalations_apart_from_rbac_and_agrees_with_can() {
    let v = sample()
        .words(format!(
            "who {WS_WRITE} --workspace ml-dev --effective --format json"
        ))
        .expect(0)
        .json();
    let allowed: Vec<&str> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let esc = escalation_ids(&v);
    assert!(esc.contains(&PRIYA.to_string()), "{esc:?}");
    for id in &esc {
        assert!(
            !allowed.contains(&id.as_str()),
            "{id} is both allowed and an escalation"
        );
        // `can --effective` says the same for each.
        let c = sample()
            .args([
                "can",
                id,
                WS_WRITE,
                "--workspace",
                "ml-dev",
                "--effective",
                "--format",
                "json",
            ])
            .expect(0)
            .json();
        let mut from_who = v["escalations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id.as_str())
            .unwrap()
            .clone();
        let mut from_can = c["escalation"].clone();
        // `type`/`orphaned` etc. are the same principal facts; compare the chains.
        assert_eq!(from_who["steps"].take(), from_can["steps"].take(), "{id}");
    }
    // Without --effective the JSON has no escalations (SPEC §4 unchanged).
    let plain = sample()
        .words(format!("who {WS_WRITE} --workspace ml-dev --format json"))
        .expect(0)
        .json();
    assert!(plain.get("escalations").is_none());
}

#[test]
fn who_effective_table_and_csv() {
    snap!(sample()
        .words(format!(
            "who {WS_WRITE} --workspace ml-dev --effective --format table"
        ))
        .env("COLUMNS", "160"));
    let csv = sample()
        .words(format!(
            "who {WS_WRITE} --workspace ml-dev --effective --format csv"
        ))
        .expect(0)
        .stdout();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",condition,escalation_step"), "{header}");
    assert!(
        csv.lines().any(|l| l.starts_with(PRIYA)
            && l.contains(",escalation,")
            && l.contains("grant-role")),
        "{csv}"
    );
}

#[test]
fn effective_conflicts_with_graph() {
    sample()
        .words(format!(
            "who {WS_WRITE} --workspace ml-dev --effective --graph dot"
        ))
        .expect(2)
        .stderr_has("cannot be used with");
}

// The facts of sample-data/resources (sample-data/README.md facts 43 and 44).

const BLOB_READ: &str = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const PROD_ACCOUNT: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/Microsoft.Storage/storageAccounts/stcontosomlprod01";
const CURATED_ACCOUNT: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/Microsoft.Storage/storageAccounts/stcontosomlcurated01";
const DAVE: &str = "dave.kim@contoso.com";

fn chain(v: &Value) -> Vec<String> {
    v["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps: {v}"))
        .iter()
        .map(|s| s["step"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_contributor_reads_blobs_with_the_keys_where_shared_key_is_allowed() {
    // Dave Kim is Contributor on the subscription: no blob data role.
    let v = sample()
        .words(format!(
            "can {DAVE} {BLOB_READ} --data --scope {PROD_ACCOUNT} --effective --format json"
        ))
        .expect(0)
        .json();
    assert_eq!(v["access"], "none");
    assert_eq!(chain(&v["escalation"]), ["storage-keys"]);
    assert_eq!(
        v["escalation"]["steps"][0]["needs"],
        "Microsoft.Storage/storageAccounts/listKeys/action"
    );
    // stcontosomlcurated01 says allowSharedKeyAccess: false: no keys; he runs
    // code as the cluster's identity instead (it reads curated by RBAC).
    let v = sample()
        .words(format!(
            "can {DAVE} {BLOB_READ} --data --scope {CURATED_ACCOUNT} --effective --format json"
        ))
        .expect(0)
        .json();
    let c = chain(&v["escalation"]);
    assert_eq!(c, ["submit-job", "rbac"], "{v}");
    assert_eq!(v["escalation"]["steps"][1]["actorName"], "id-ml-prod-train");
}

#[test]
fn read_training_data_asks_every_datastore_and_follows_the_steps() {
    let v = sample()
        .words("who --activity read-training-data --workspace ml-prod --effective --format json")
        .expect(0)
        .json();
    // Three datastores: three requests, each at a storage container.
    let actions = v["actions"].as_array().unwrap();
    assert!(!actions.is_empty());
    for e in v["escalations"].as_array().unwrap() {
        assert!(!chain(e).is_empty());
    }
    // Nobody reads all three through RBAC alone.
    assert_eq!(v["principals"].as_array().unwrap().len(), 0, "{v}");
    // Without --effective: the same RBAC answer and no escalations.
    let plain = sample()
        .words("who --activity read-training-data --workspace ml-prod --format json")
        .expect(0)
        .json();
    assert!(plain.get("escalations").is_none());
}

#[test]
fn data_activities_say_what_they_could_not_follow() {
    // ml-dev's workspace record with its links was not imported.
    sample()
        .words("who --activity read-workspace-secrets --workspace ml-dev --format table")
        .expect(0)
        .stdout_has("incomplete:")
        .stdout_has("linked key vault was not imported");
    // ml-prod's vault uses RBAC: nothing incomplete about it.
    let v = sample()
        .words("who --activity read-workspace-secrets --workspace ml-prod --format json")
        .expect(0)
        .json();
    let reasons: Vec<&str> = v["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reason"].as_str().unwrap())
        .collect();
    assert!(
        !reasons.contains(&"key vault access policies"),
        "{reasons:?}"
    );
}

#[test]
fn lint_reports_the_escalation_findings_of_the_sample() {
    let v = sample().words("lint --format json").expect(0).json();
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"keys-give-data"), "{kinds:?}");
    assert!(
        kinds.contains(&"compute-identity-exceeds-users"),
        "{kinds:?}"
    );
}

#[test]
fn the_review_report_has_an_escalation_section() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("review.html");
    sample()
        .words("review --workspace ml-prod --html")
        .arg(&page)
        .expect(0);
    let html = std::fs::read_to_string(&page).unwrap();
    let start = html
        .find("id=\"escalation\"")
        .expect("an escalation section");
    let section = &html[start..start + html[start..].find("</div>").unwrap()];
    assert!(
        section.contains("stcontosomlprod01 allows Shared Key"),
        "{section}"
    );
    assert!(
        section.contains("cpu-cluster runs as id-ml-prod-train"),
        "{section}"
    );
    assert!(section.contains("--effective"), "{section}");
}
