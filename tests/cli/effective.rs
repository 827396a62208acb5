//! `--effective` (issue 15) end to end on `sample-data/`: Priya ("Workspace Admin
//! Custom" on ml-dev, whose actions include `Microsoft.Authorization/roleAssignments/*`)
//! cannot write the workspace by RBAC, but can grant herself a role that can.

use serde_json::Value;

use crate::support::{principal_ids, sample, snap};

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
    let allowed = principal_ids(&v);
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
    // Three datastores: three requests, each at a storage container; two of
    // them ask blob read, which the answer's `actions` names once.
    let actions: Vec<&str> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
            "Microsoft.Storage/storageAccounts/fileServices/fileshares/files/read",
        ],
        "{v}"
    );
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

/// A step names the storage account as the inventory spells it (as every other
/// scope in an answer is shown), not as the lowercase key it is compared by.
#[test]
fn a_storage_key_step_names_the_account_in_its_own_spelling() {
    let v = sample()
        .words("who --activity read-training-data --workspace ml-prod --effective --format json")
        .expect(0)
        .json();
    let steps: Vec<&Value> = v["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["steps"].as_array().unwrap())
        .filter(|s| s["step"] == "storage-keys")
        .collect();
    assert!(!steps.is_empty(), "{v}");
    let account = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/\
                   providers/Microsoft.Storage/storageAccounts/stcontosomlprod01";
    for s in steps {
        assert_eq!(s["on"], account, "{s}");
    }
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

const ML_DEV: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-dev/providers/Microsoft.MachineLearningServices/workspaces/ml-dev";
const CONTRIBUTOR: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c";

/// Rewrites the JSON file `rel` of the fixture directory `data`.
fn edit_json(data: &std::path::Path, rel: &str, f: impl FnOnce(&mut Value)) {
    let p = data.join(rel);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Adds group `id` named `name` whose one member is service principal `member`.
fn group_of_one(data: &std::path::Path, id: &str, name: &str, member: &str) {
    edit_json(data, "directory/groups.json", |v| {
        let mut g = v[0].clone();
        g["id"] = id.into();
        g["displayName"] = name.into();
        g["mailNickname"] = name.replace(' ', "").into();
        g["securityIdentifier"] = Value::Null;
        v.as_array_mut().unwrap().push(g);
    });
    let edges = data.join("members/extra-edges.csv");
    let mut csv = std::fs::read_to_string(&edges).unwrap();
    csv.push_str(&format!("{id},{member},ServicePrincipal\n"));
    std::fs::write(&edges, csv).unwrap();
}

/// The group "ML Deployers".
const DEPLOYERS: &str = "5e1d7c2a-9f4b-4c8e-a1d3-6b7f8e9a0c21";
/// The training identity of ml-prod's cpu-cluster (sample-data).
const TRAIN_IDENTITY: &str = "3f6a1c52-8e0d-4b7a-9c41-2d5e7f8a9b10";

/// Adds a group "ML Deployers" holding Contributor on ml-dev, whose only member
/// is the training identity of ml-prod's cpu-cluster.
fn deployers_on_ml_dev(data: &std::path::Path) {
    group_of_one(data, DEPLOYERS, "ML Deployers", TRAIN_IDENTITY);
    contributor_at(
        data,
        ML_DEV,
        "7c3e5a1f-2b4d-4e6f-8a9c-0d1e2f3a4b5c",
        DEPLOYERS,
        "Group",
    );
}

/// The escalations of `who WS_WRITE --workspace ml-dev --effective` whose
/// first step is `first` and whose second step acts as `identity`, each
/// checked against `can --effective` (the same steps) and to be two steps long,
/// the second RBAC's; their display names.
fn two_step_escalations(db: &std::path::Path, first: &str, identity: &str) -> Vec<(String, Value)> {
    use crate::support::on;
    let v = on(db)
        .words(format!(
            "who {WS_WRITE} --workspace ml-dev --effective --format json"
        ))
        .ok_json();
    let mut out = Vec::new();
    for e in v["escalations"].as_array().unwrap() {
        let steps = e["steps"].as_array().unwrap();
        if steps[0]["step"] != first || steps.get(1).is_none_or(|s| s["actor"] != identity) {
            continue;
        }
        let id = e["id"].as_str().unwrap();
        assert_eq!(steps.len(), 2, "{id}: {e}");
        assert_eq!(steps[1]["step"], "rbac", "{id}");
        let c = on(db)
            .args(["can", id, WS_WRITE, "--workspace", "ml-dev", "--effective"])
            .args(["--format", "json"])
            .expect(0)
            .json();
        assert_eq!(c["escalation"]["steps"], e["steps"], "{id}");
        out.push((e["displayName"].as_str().unwrap().to_string(), e.clone()));
    }
    out
}

/// A compute's identity that reaches the asked access only through a group it
/// is a member of: the slice reads the identities with their groups, so `who`
/// finds the principals who can submit jobs to that compute, and `can` says the
/// same for each. (`who` used to read an identity's groups only when a holder
/// of the asked action had it as a member, so the rounds dropped the compute.)
#[test]
fn an_identity_that_reaches_the_access_through_a_group_is_followed() {
    use crate::support::{copy_dir, sample_data, Scratch};
    let s = Scratch::new();
    let data = s.path("data");
    copy_dir(&sample_data(), &data);
    deployers_on_ml_dev(&data);
    s.import(&data, "2026-11-01T00:00:00Z", "deployers");

    let found = two_step_escalations(s.db(), "submit-job", TRAIN_IDENTITY);
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"Ivan Horvat"), "{names:?}");
    for (n, e) in &found {
        let via = &e["steps"][1]["grants"][0]["via"];
        assert_eq!(via[0]["id"], DEPLOYERS, "{n}: the group is on the path");
    }
}

/// A service-principal datastore names its identity by appId, and the identity
/// has its access through a group: `who` and `can` find the same
/// `datastore-secret` chain for each principal.
#[test]
fn a_datastores_service_principal_is_found_by_its_app_id() {
    use crate::support::{copy_dir, sample_data, Scratch};
    const MONITORING: &str = "46cbd761-a8d6-4a0c-a397-942b0c044bb1";
    const MONITORING_APP: &str = "c991ace9-3ea3-4f42-80af-bbdbbc653163";
    let s = Scratch::new();
    let data = s.path("data");
    copy_dir(&sample_data(), &data);
    // ml-prod's datastore "vendor-lake" reads with contoso-ml-monitoring's
    // credentials; that service principal is Contributor on ml-dev through a
    // group.
    edit_json(&data, "resources/ml-prod-datastores.json", |v| {
        let list = v["value"].as_array_mut().unwrap();
        let mut d = list[0].clone();
        let id = d["id"]
            .as_str()
            .unwrap()
            .replace("workspaceblobstore", "vendor-lake");
        d["id"] = id.into();
        d["name"] = "vendor-lake".into();
        d["properties"]["isDefault"] = false.into();
        d["properties"]["credentials"] = serde_json::json!({
            "credentialsType": "ServicePrincipal",
            "clientId": MONITORING_APP.to_uppercase(),
            "tenantId": "d9174a4d-0bcc-4657-81cd-03dfeb2e3112",
            "authorityUrl": "https://login.microsoftonline.com",
            "resourceUrl": "https://storage.azure.com/",
            "secrets": {"secretsType": "ServicePrincipal"}
        });
        list.push(d);
    });
    const VENDORS: &str = "6a2f8d3b-0e5c-4d9f-b2e4-7c8a9f0b1d32";
    group_of_one(&data, VENDORS, "Vendor Readers", MONITORING);
    contributor_at(
        &data,
        ML_DEV,
        "8d4f6b2a-3c5e-4f7a-9b0d-1e2f3a4b5c6d",
        VENDORS,
        "Group",
    );
    s.import(&data, "2026-11-01T00:00:00Z", "vendor-lake");

    let found = two_step_escalations(s.db(), "datastore-secret", MONITORING);
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"Sofia Lindqvist"), "{names:?}");
}

/// A principal RBAC allows gets, with `--effective`, RBAC's answer as it is and
/// no escalation (the escalation steps are read only when RBAC says no).
#[test]
fn can_effective_of_an_allowed_principal_is_rbacs_answer() {
    for action in [
        WS_WRITE,
        "Microsoft.MachineLearningServices/workspaces/computes/write",
        "Microsoft.MachineLearningServices/workspaces/read",
    ] {
        let who = sample()
            .words(format!("who {action} --workspace ml-dev --format json"))
            .ok_json();
        let ids = principal_ids(&who);
        assert!(!ids.is_empty(), "{action}: nobody is allowed");
        for id in ids {
            let plain = sample()
                .words(format!(
                    "can {id} {action} --workspace ml-dev --format json"
                ))
                .ok_json();
            let mut effective = sample()
                .words(format!(
                    "can {id} {action} --workspace ml-dev --effective --format json"
                ))
                .ok_json();
            assert_eq!(effective["escalation"], Value::Null, "{id} {action}");
            effective.as_object_mut().unwrap().remove("escalation");
            assert_eq!(effective, plain, "{id} {action}");
        }
    }
}

/// Adds a Contributor assignment at `scope` for `principal` (of `kind`).
fn contributor_at(data: &std::path::Path, scope: &str, name: &str, principal: &str, kind: &str) {
    edit_json(data, "assignments/role-assignments-identities.json", |v| {
        let mut a = v["value"][0].clone();
        let p = &mut a["properties"];
        p["roleDefinitionId"] = CONTRIBUTOR.into();
        p["principalId"] = principal.into();
        p["principalType"] = kind.into();
        p["scope"] = scope.into();
        a["id"] =
            format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}").into();
        a["name"] = name.into();
        v["value"].as_array_mut().unwrap().push(a);
    });
}

/// A chain through two identities: ml-dev gets a compute that runs as an
/// identity allowed to submit jobs on ml-prod, whose cpu-cluster runs as the
/// training identity, which is Contributor on ml-dev through a group. Whoever
/// can submit jobs on ml-dev alone reaches `workspaces/write` there in three
/// steps. `can --effective` reads only the identities its principal reaches,
/// round by round, and finds the same steps as `who --effective`.
#[test]
fn a_chain_through_two_identities_is_found_by_who_and_can_alike() {
    use crate::support::{copy_dir, on, sample_data, Scratch};
    const DEV_IDENTITY: &str = "9a7b6c5d-4e3f-4a2b-8c1d-0e9f8a7b6c5d";
    const SUBMITTERS: &str = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";
    let ml_prod = ML_DEV
        .replace("rg-ml-dev", "rg-ml-prod")
        .replace("ml-dev", "ml-prod");
    let s = Scratch::new();
    let data = s.path("data");
    copy_dir(&sample_data(), &data);
    let mut computes: Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("resources/ml-prod-computes.json")).unwrap(),
    )
    .unwrap();
    let mut c = computes["value"][1].clone();
    c["id"] = format!("{ML_DEV}/computes/dev-cluster").into();
    c["name"] = "dev-cluster".into();
    c["identity"]["principalId"] = DEV_IDENTITY.into();
    computes["value"] = Value::Array(vec![c]);
    std::fs::write(
        data.join("resources/ml-dev-computes.json"),
        serde_json::to_string_pretty(&computes).unwrap(),
    )
    .unwrap();
    group_of_one(&data, SUBMITTERS, "Prod Submitters", DEV_IDENTITY);
    contributor_at(
        &data,
        &ml_prod,
        "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        SUBMITTERS,
        "Group",
    );
    deployers_on_ml_dev(&data);
    s.import(&data, "2026-11-01T00:00:00Z", "two-identities");

    let v = on(s.db())
        .words(format!(
            "who {WS_WRITE} --workspace ml-dev --effective --format json"
        ))
        .ok_json();
    let mut three = 0;
    for e in v["escalations"].as_array().unwrap() {
        let id = e["id"].as_str().unwrap();
        let c = on(s.db())
            .args(["can", id, WS_WRITE, "--workspace", "ml-dev", "--effective"])
            .args(["--format", "json"])
            .expect(0)
            .json();
        assert_eq!(c["escalation"]["steps"], e["steps"], "{id}");
        let steps = e["steps"].as_array().unwrap();
        let actors: Vec<&str> = steps.iter().map(|s| s["actor"].as_str().unwrap()).collect();
        if actors[1..] == [DEV_IDENTITY, TRAIN_IDENTITY] {
            assert_eq!(steps[0]["step"], "submit-job", "{id}");
            assert_eq!(steps[1]["step"], "submit-job", "{id}");
            assert_eq!(steps[2]["step"], "rbac", "{id}");
            three += 1;
        }
    }
    assert!(three >= 1, "no chain through both identities: {v}");
}

/// `assign-identity` needs a compute write in some workspace: one held through a
/// group, on a workspace the question leads nowhere near, counts for `who` as it
/// does for `can` (who read neither that workspace's assignments nor the group's
/// members).
#[test]
fn assign_identity_with_a_compute_write_elsewhere_agrees_in_who_and_can() {
    const BOB: &str = "afbd3872-fe2d-4746-977f-5b6823b4134b";
    const UAI: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ml-prod-train";
    let s = crate::support::Scratch::new();
    let data = s.path("data");
    crate::support::copy_dir(&crate::support::sample_data(), &data);
    // Bob (ML Engineers: compute write on ml-dev) may also assign the training
    // identity, which reads the curated account.
    crate::support::write(
        &data,
        "roles/identity-assigner.json",
        serde_json::json!([{"id": "/providers/Microsoft.Authorization/roleDefinitions/0f0f0f0f-1111-4222-8333-444444444444",
            "name": "0f0f0f0f-1111-4222-8333-444444444444", "roleName": "Identity Assigner", "roleType": "CustomRole",
            "type": "Microsoft.Authorization/roleDefinitions", "assignableScopes": ["/"],
            "permissions": [{"actions": ["Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action"],
                "notActions": [], "dataActions": [], "notDataActions": []}]}])
        .to_string(),
    );
    crate::support::write(
        &data,
        "assignments/bob-assigner.json",
        serde_json::json!([{"id": format!("{UAI}/providers/Microsoft.Authorization/roleAssignments/0e0e0e0e-1111-4222-8333-444444444444"),
            "name": "0e0e0e0e-1111-4222-8333-444444444444", "principalId": BOB, "principalType": "User",
            "principalName": "bob.okafor@contoso.com",
            "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/0f0f0f0f-1111-4222-8333-444444444444",
            "roleDefinitionName": "Identity Assigner", "scope": UAI}])
        .to_string(),
    );
    s.import(&data, "2026-10-01T00:00:00Z", "bob assigns");
    let asked = format!("{BLOB_READ} --data --scope {CURATED_ACCOUNT} --effective --format json");
    let can = s.run().words(format!("can {BOB} {asked}")).ok_json();
    assert!(
        chain(&can["escalation"]).contains(&"assign-identity".to_string()),
        "{can:#}"
    );
    let who = s.run().words(format!("who {asked}")).ok_json();
    assert!(escalation_ids(&who).contains(&BOB.to_string()), "{who:#}");
}

/// A datastore that names only its `accountName` (ARM's Datastores_List leaves
/// out `subscriptionId` and `resourceGroup`) is resolved to the imported account
/// of that name, also when the account's record does not state
/// `allowSharedKeyAccess` (Azure leaves it out unless it was set): the answer is
/// the one the fully stated records give.
#[test]
fn a_datastore_named_by_account_alone_is_resolved_whatever_its_account_states() {
    use crate::support::{copy_dir, sample_data, Scratch};
    let s = Scratch::new();
    let data = s.path("data");
    copy_dir(&sample_data(), &data);
    edit_json(&data, "resources/storage-accounts.json", |v| {
        for a in v["value"].as_array_mut().unwrap() {
            if a["name"] == "stcontosomlprod01" {
                a["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("allowSharedKeyAccess");
            }
        }
    });
    edit_json(&data, "resources/ml-prod-datastores.json", |v| {
        for d in v["value"].as_array_mut().unwrap() {
            let p = d["properties"].as_object_mut().unwrap();
            p.remove("subscriptionId");
            p.remove("resourceGroup");
        }
    });
    s.import(&data, "2026-11-01T00:00:00Z", "by-name");
    let ask = "who --activity read-training-data --workspace ml-prod --effective --format json";
    let edited = s.run().words(ask).expect(0).json();
    let whole = sample().words(ask).expect(0).json();
    assert_eq!(edited["incomplete"], whole["incomplete"], "{edited}");
    assert_eq!(escalation_ids(&edited), escalation_ids(&whole), "{edited}");
    assert!(!escalation_ids(&edited).is_empty());
    // Dave Kim (Contributor on the subscription) lists the account's keys.
    let v = s
        .run()
        .words(format!(
            "can {DAVE} {BLOB_READ} --data --scope {PROD_ACCOUNT} --effective --format json"
        ))
        .expect(0)
        .json();
    assert_eq!(chain(&v["escalation"]), ["storage-keys"], "{v}");
}

/// A data activity's requests are at the datastores' containers, written as the
/// records spell them (SPEC §1: the original spelling is kept for display).
#[test]
fn a_data_activity_shows_its_containers_in_their_own_spelling() {
    let v = sample()
        .words(format!(
            "can {DAVE} --activity read-training-data --workspace ml-prod --format json"
        ))
        .expect(1)
        .json();
    let decisions = v["decisions"].as_array().unwrap();
    assert!(!decisions.is_empty(), "{v}");
    for d in decisions {
        let s = d["scope"].as_str().unwrap();
        assert!(
            s.contains("/resourceGroups/rg-ml-prod/providers/Microsoft.Storage/storageAccounts/"),
            "{s}"
        );
        assert!(
            s.contains("/blobServices/default/containers/")
                || s.contains("/fileServices/default/shares/"),
            "{s}"
        );
    }
}

/// The storage resource provider signs an account SAS (`ListAccountSas`) or a
/// service SAS (`listServiceSas`) with one of the account's keys: whoever may
/// ask for one reads the account's data as whoever holds the keys does, and an
/// account that disallows Shared Key refuses every SAS too. Built-in roles such
/// as Storage DataShare Contributor hold `listServiceSas` alone.
#[test]
fn a_sas_signed_with_the_keys_is_a_storage_keys_step() {
    const NINA: &str = "nina.petrova@contoso.com";
    for (action, role) in [
        (
            "Microsoft.Storage/storageAccounts/listServiceSas/action",
            "0d0d0d0d-1111-4222-8333-444444444441",
        ),
        (
            "Microsoft.Storage/storageAccounts/ListAccountSas/action",
            "0d0d0d0d-1111-4222-8333-444444444442",
        ),
    ] {
        let s = crate::support::Scratch::new();
        let data = s.path("data");
        crate::support::copy_dir(&crate::support::sample_data(), &data);
        let asked = |account: &str| {
            format!("{NINA} {BLOB_READ} --data --scope {account} --effective --format json")
        };
        crate::support::write(
            &data,
            "roles/sas.json",
            serde_json::json!([{"id": format!("/providers/Microsoft.Authorization/roleDefinitions/{role}"),
                "name": role, "roleName": "SAS Issuer", "roleType": "CustomRole",
                "type": "Microsoft.Authorization/roleDefinitions", "assignableScopes": ["/"],
                "permissions": [{"actions": [action], "notActions": [], "dataActions": [], "notDataActions": []}]}])
            .to_string(),
        );
        let users: Value = serde_json::from_str(
            &std::fs::read_to_string(data.join("directory/users.json")).unwrap(),
        )
        .unwrap();
        let users = users.get("value").unwrap_or(&users).as_array().unwrap();
        let nina = users
            .iter()
            .find(|u| u["userPrincipalName"] == NINA)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let assignment = |scope: &str, name: &str| {
            serde_json::json!({"id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
                "name": name, "principalId": nina, "principalType": "User",
                "principalName": NINA,
                "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{role}"),
                "roleDefinitionName": "SAS Issuer", "scope": scope})
        };
        crate::support::write(
            &data,
            "assignments/nina-sas.json",
            serde_json::json!([
                assignment(PROD_ACCOUNT, "0c0c0c0c-1111-4222-8333-444444444441"),
                assignment(CURATED_ACCOUNT, "0c0c0c0c-1111-4222-8333-444444444442"),
            ])
            .to_string(),
        );
        s.import(&data, "2026-10-01T00:00:00Z", "sas");
        // Shared Key allowed on the prod account: one storage-keys step.
        let can = s
            .run()
            .words(format!("can {}", asked(PROD_ACCOUNT)))
            .ok_json();
        assert_eq!(can["access"], "none", "{can:#}");
        assert_eq!(
            chain(&can["escalation"]),
            ["storage-keys"],
            "{action}: {can:#}"
        );
        assert_eq!(can["escalation"]["steps"][0]["needs"], action);
        let who = s
            .run()
            .words(format!(
                "who {BLOB_READ} --data --scope {PROD_ACCOUNT} --effective --format json"
            ))
            .ok_json();
        assert!(escalation_ids(&who).contains(&nina), "{action}: {who:#}");
        // The curated account disallows Shared Key, and so every SAS.
        let can = s
            .run()
            .words(format!("can {}", asked(CURATED_ACCOUNT)))
            .expect(1)
            .json();
        assert!(can["escalation"].is_null(), "{action}: {can:#}");
    }
}

/// The escalation table notes what `who`'s table notes of a principal: the
/// orphaned assignment's principal and the disabled Greg Walsh reach
/// stcontosomlprod01's blobs, and the table says so, as the JSON does.
#[test]
fn the_escalation_table_notes_orphaned_and_disabled_principals() {
    let scope = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/Microsoft.Storage/storageAccounts/stcontosomlprod01";
    let ask = format!(
        "who Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read --data --scope {scope} --effective"
    );
    let table = sample()
        .words(format!("{ask} --format table --color never"))
        .env("COLUMNS", "250")
        .expect(0)
        .stdout();
    let section = table
        .split("escalation:")
        .nth(1)
        .expect("an escalation section");
    let row = |who: &str| {
        section
            .lines()
            .find(|l| l.contains(who))
            .unwrap_or_else(|| panic!("no row of {who}:\n{section}"))
            .to_string()
    };
    assert!(section.contains("┆ notes"), "{section}");
    assert!(
        row("b9539884-dcb9-46e1-a4d2-441c2ab481c3").contains("orphaned"),
        "{section}"
    );
    assert!(row("Greg Walsh").contains("disabled"), "{section}");
    assert!(!row("Dave Kim").contains("disabled"), "{section}");
    let v = sample()
        .words(format!("{ask} --format json"))
        .expect(0)
        .json();
    let greg = v["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["displayName"] == "Greg Walsh")
        .unwrap();
    assert_eq!(greg["accountEnabled"], false, "{greg}");
    assert_eq!(greg["userType"], "Member", "{greg}");
}

/// Erin reaches ml-prod's training data by two steps that each reach a part
/// of it (grant-role on the curated container, the keys of stcontosomlprod01),
/// not by a chain of two: the table, `can`'s text and the CSV list them under
/// one heading, never numbered `1.` then `2.` as if one followed the other.
#[test]
fn steps_that_each_reach_a_part_of_the_data_are_not_numbered_as_a_chain() {
    let ask = "--activity read-training-data --workspace ml-prod --effective";
    let heading = "these 2 steps, each reaching a part of the access (together, all of it):";
    let table = sample()
        .words(format!("who {ask} --format table --color never"))
        .env("COLUMNS", "250")
        .expect(0)
        .stdout();
    assert!(table.contains(heading), "{table}");
    assert!(table.contains("- Erin Walker (grant-role): "), "{table}");
    assert!(table.contains("- Erin Walker (storage-keys): "), "{table}");
    assert!(!table.contains("2. Erin Walker"), "{table}");
    let text = sample()
        .words(format!(
            "can erin.walker@contoso.com {ask} --format table --color never"
        ))
        .expect(0)
        .stdout();
    assert!(
        text.contains(&format!("\n  {heading}\n     - Erin Walker (grant-role): ")),
        "{text}"
    );
    assert!(!text.contains("2. Erin Walker"), "{text}");
    let csv = sample()
        .words(format!("who {ask} --format csv"))
        .expect(0)
        .stdout();
    assert!(
        csv.contains("\"1. (part 1 of 2) Erin Walker (grant-role): "),
        "{csv}"
    );
    assert!(
        csv.contains("\"1. (part 2 of 2) Erin Walker (storage-keys): "),
        "{csv}"
    );
}
