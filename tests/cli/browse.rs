//! The browsing commands (issue 14): `workspaces`, `show`, `members`, `role` and
//! `who --anywhere`, on `sample-data/` (facts from `sample-data/README.md`), with
//! their tables, JSON and CSV pinned as insta snapshots, their unknown names as
//! exit 2 with `did you mean` and a `hint:`, and two ways to one answer compared
//! (a group's transitive members and the principals whose groups include it;
//! `who --anywhere` and `who` at each workspace).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::{run, sample, sample_data, snap};

const WS_DELETE: &str = "Microsoft.MachineLearningServices/workspaces/delete";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const RA_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";

const SUB_ML: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
const ML_PROD: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/ml-prod";
const DPT: &str = "1e7dc7bc-9e7e-4819-bb77-7f7dd7a37d6a";
const DPOC: &str = "d9ac0fab-1c20-4609-afb8-19e65c80f0ae";
const ML_INTERNS: &str = "8754fd7c-aad2-424d-9d50-d068be92ff8f";
const ML_DS: &str = "c96de941-8b28-45b2-a650-1220c21f17b1";
const ALL_ML: &str = "0fcf8172-419d-4941-8ee4-dc3ae034c065";
const CONTRACTORS: &str = "01439ca8-dba1-434c-a30d-4d6fb4ee55e3";
const PLATFORM_ADMINS: &str = "592c55e5-0303-4846-9d88-231e58f43efb";

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

fn names(v: &Value, field: &str) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x[field].as_str().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------
// workspaces
// ---------------------------------------------------------------------------

#[test]
fn workspaces_table() {
    snap!(sample().words("workspaces --format table"));
}

#[test]
fn workspaces_json() {
    snap!(sample().words("workspaces --format json"));
}

#[test]
fn workspaces_csv() {
    snap!(sample().words("workspaces --format csv"));
}

#[test]
fn workspaces_count_computes_and_the_assignments_at_or_above() {
    let v = sample().words("workspaces --format json").ok_json();
    assert_eq!(v["total"], 3);
    let by: BTreeMap<String, &Value> = v["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["name"].as_str().unwrap().to_string(), w))
        .collect();
    assert_eq!(
        by.keys().cloned().collect::<Vec<_>>(),
        ["ml-dev", "ml-prod", "ml-test"]
    );
    let prod = by["ml-prod"];
    assert_eq!(prod["id"], ML_PROD);
    assert_eq!(prod["resourceGroup"], "rg-ml-prod");
    assert_eq!(prod["subscriptionName"], "contoso-ml");
    assert_eq!(prod["computes"], 2);
    // `/`, the three management groups, the subscription (5), rg-ml-prod (3), the
    // workspace itself (4: README assignments 19-22).
    assert_eq!(prod["assignmentsAtOrAbove"], 12);
    assert_eq!(by["ml-test"]["assignmentsAtOrAbove"], 9);
}

#[test]
fn workspaces_by_subscription_name_and_resource_group() {
    let v = sample()
        .words("workspaces --subscription CONTOSO-ML --resource-group rg-ml-prod --format json")
        .ok_json();
    assert_eq!(names(&v["workspaces"], "name"), set(&["ml-prod"]));
    assert_eq!(v["subscription"], SUB_ML.to_lowercase());
    // A known resource group without a workspace: an empty list, said on stderr,
    // the hint on a line of its own.
    let ran = sample()
        .words("workspaces --resource-group rg-shared --format table")
        .expect(0)
        .stdout_has("0 workspaces");
    assert_eq!(
        ran.stderr(),
        "no AzureML workspace in resource group rg-shared in snapshot 1\n\
         hint: `whocan workspaces` lists every workspace of the snapshot\n"
    );
    // The subscription is named as one, by its imported name and its id.
    sample()
        .words("workspaces --subscription contoso-ml --resource-group rg-ml-prod --format table")
        .expect(0)
        .stdout_has(
            "AzureML workspaces in resource group rg-ml-prod in subscription contoso-ml \
             (c90828fc-bcbf-42ea-b475-9b27bdc92563) (snapshot 1",
        );
}

#[test]
fn workspaces_unknown_subscription_is_exit_2_with_did_you_mean() {
    snap!(
        "workspaces_unknown_subscription",
        sample().words("workspaces --subscription contoso-mll")
    );
    sample()
        .words("workspaces --resource-group rg-ml-prd")
        .expect(2)
        .stderr_has("did you mean")
        .stderr_has("  rg-ml-prod\n")
        .stderr_has("hint:");
}

// ---------------------------------------------------------------------------
// show
// ---------------------------------------------------------------------------

#[test]
fn show_table() {
    snap!(sample()
        .arg("show")
        .arg("Hana Sato")
        .words("--format table"));
}

#[test]
fn show_json() {
    snap!(sample().words("show kyle.jensen@contoso.com --format json"));
}

#[test]
fn show_csv() {
    snap!(sample().words("show dave.kim@contoso.com --format csv"));
}

#[test]
fn show_groups_with_their_chain_and_what_they_hold() {
    let v = sample().words("show hana.sato@contoso.com").ok_json();
    // ML Interns ⊂ ML Data Scientists ⊂ All ML Staff (README fact 15).
    let groups: Vec<(String, Vec<String>)> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"]["id"].as_str().unwrap().to_string(),
                ids(&g["via"]),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (ML_INTERNS.to_string(), vec![]),
            (ML_DS.to_string(), vec![ML_INTERNS.to_string()]),
            (
                ALL_ML.to_string(),
                vec![ML_INTERNS.to_string(), ML_DS.to_string()]
            ),
        ]
    );
    let held: BTreeSet<(String, String, usize)> = v["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["roleName"].as_str().unwrap().to_string(),
                a["scope"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                a["via"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert!(held.contains(&("Data Scientist Custom".into(), "ml-dev".into(), 2)));
    assert!(held.contains(&("Reader".into(), "rg-ml-dev".into(), 3)));
    assert!(held.contains(&("AzureML Compute Operator".into(), "ci-hana-sato".into(), 0)));
    assert_eq!(v["principal"]["orphaned"], false);
    // Contractors - Fabrikam has no member list: Hana may be in it unseen.
    assert!(v["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["groupId"] == CONTRACTORS && i["reason"] == "members not imported"));
}

#[test]
fn show_eligibilities_with_their_window_state() {
    // Bob's Contributor eligibility on rg-ml-test ended before the snapshot (fact 26).
    let bob = sample().words("show bob.okafor@contoso.com").ok_json();
    let e = &bob["eligibilities"][0];
    assert_eq!(e["roleName"], "Contributor");
    assert_eq!(e["state"], "ended");
    assert_eq!(e["endDateTime"], "2026-06-30T00:00:00Z");
    // María is eligible through Data Platform On-Call, in force.
    let maria = sample().words("show maria.gonzalez@contoso.com").ok_json();
    let e = &maria["eligibilities"][0];
    assert_eq!(e["state"], "active");
    assert_eq!(ids(&e["via"]), [DPOC]);
}

#[test]
fn show_deny_assignments_that_name_or_exclude() {
    // The ml-prod deny names All Principals and excludes Platform Admins.
    let dave = sample().words("show dave.kim@contoso.com").ok_json();
    let d = &dave["denyAssignments"][0];
    assert_eq!(d["applies"], true);
    assert_eq!(d["namedBy"]["name"], "All Principals");
    assert!(d["excludedBy"].is_null());
    let erin = sample().words("show erin.walker@contoso.com").ok_json();
    let d = &erin["denyAssignments"][0];
    assert_eq!(d["applies"], false);
    assert_eq!(d["excludedBy"]["id"], PLATFORM_ADMINS);
    let denied: Vec<&str> = d["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(denied.contains(&WS_DELETE), "{d}");
}

#[test]
fn show_service_principals_orphans_and_unknown_names() {
    // By appId: the deployment service principal.
    let sp = sample()
        .words("show c4442b4c-3f09-43d2-ab29-d207a2785da0")
        .ok_json();
    assert_eq!(sp["principal"]["displayName"], "contoso-mlops-deploy");
    assert_eq!(
        sp["principal"]["appId"],
        "c4442b4c-3f09-43d2-ab29-d207a2785da0"
    );
    assert_eq!(sp["principal"]["managedIdentity"], false);
    let mi = sample()
        .words("show 851b7650-6f80-459d-8fed-cbfa39860262")
        .ok_json();
    assert_eq!(mi["principal"]["managedIdentity"], true);
    // The deleted principal of the orphaned assignment (fact 1).
    let orphan = sample()
        .words("show b9539884-dcb9-46e1-a4d2-441c2ab481c3")
        .ok_json();
    assert_eq!(orphan["principal"]["orphaned"], true);
    assert_eq!(
        orphan["assignments"][0]["roleName"],
        "AzureML Data Scientist"
    );
    snap!(
        "show_unknown_principal",
        sample().arg("show").arg("Alice Ngyuen")
    );
}

// ---------------------------------------------------------------------------
// members
// ---------------------------------------------------------------------------

#[test]
fn members_table() {
    snap!(sample()
        .arg("members")
        .arg("ML Data Scientists")
        .words("--format table"));
}

#[test]
fn members_transitive_table() {
    snap!(sample()
        .arg("members")
        .arg("All ML Staff")
        .words("--transitive --format table"));
}

#[test]
fn members_transitive_json() {
    snap!(sample().words(format!("members {DPT} --transitive --format json")));
}

#[test]
fn members_transitive_csv() {
    snap!(sample().words(format!("members {ML_DS} --transitive --format csv")));
}

#[test]
fn members_with_their_chain() {
    let v = sample()
        .arg("members")
        .arg("all ml staff")
        .words("--transitive --format json")
        .ok_json();
    let hana = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["principal"]["displayName"] == "Hana Sato")
        .expect("Hana is three groups deep");
    assert_eq!(ids(&hana["via"]), [ML_INTERNS, ML_DS]);
    assert_eq!(v["total"], 17);
    // Direct only: three groups and Uma.
    let direct = sample()
        .words(format!("members {ALL_ML} --format json"))
        .ok_json();
    let got: BTreeSet<String> = direct["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["principal"]["displayName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        got,
        set(&[
            "ML Data Scientists",
            "ML Engineers",
            "MLOps",
            "Uma Krishnan"
        ])
    );
}

#[test]
fn members_of_a_cycle_end_and_name_it() {
    let v = sample()
        .words(format!("members {DPT} --transitive --format json"))
        .ok_json();
    let got: BTreeSet<String> = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["principal"]["displayName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        got,
        set(&[
            "Data Platform On-Call",
            "Kyle Jensen",
            "Lena Fischer",
            "María González"
        ])
    );
    assert_eq!(ids(&v["cycle"]), [DPOC]);
}

#[test]
fn members_not_imported_are_said() {
    let ran = sample()
        .arg("members")
        .arg("Contractors - Fabrikam")
        .words("--format json")
        .expect(0)
        .stderr_has("members were not imported");
    let v = ran.json();
    assert_eq!(v["total"], 0);
    assert_eq!(v["incomplete"][0]["reason"], "members not imported");
    assert_eq!(v["incomplete"][0]["groupId"], CONTRACTORS);
}

#[test]
fn members_of_what_is_not_a_group_or_not_known_is_exit_2() {
    snap!(
        "members_not_a_group",
        sample().words("members alice.nguyen@contoso.com")
    );
    snap!(
        "members_unknown_group",
        sample().arg("members").arg("ML Enginers")
    );
}

/// The principals of sample-data's directory listings (and the member known only
/// from a member file).
fn sample_principals() -> Vec<String> {
    let read = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(sample_data().join("directory").join(name)).unwrap())
            .unwrap()
    };
    let mut out = Vec::new();
    for (file, list) in [
        ("users.json", read("users.json")["value"].clone()),
        ("groups.json", read("groups.json")),
        ("service-principals.json", read("service-principals.json")),
    ] {
        let list = list.as_array().unwrap_or_else(|| panic!("{file}"));
        out.extend(list.iter().map(|p| p["id"].as_str().unwrap().to_string()));
    }
    out.push("a4c48110-ba83-464b-9ed3-0bb300335abc".into());
    out
}

/// Two ways to one set: `members G --transitive` lists exactly the principals
/// whose groups (`show`, upward and transitively) include G.
#[test]
fn transitive_members_are_the_principals_whose_groups_include_the_group() {
    let principals = sample_principals();
    let mut upward: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &principals {
        let v = sample().words(format!("show {p} --format json")).ok_json();
        for g in v["groups"].as_array().unwrap() {
            upward
                .entry(g["group"]["id"].as_str().unwrap().to_string())
                .or_default()
                .insert(p.to_lowercase());
        }
    }
    let groups = sample_data().join("directory/groups.json");
    let groups: Value = serde_json::from_slice(&std::fs::read(groups).unwrap()).unwrap();
    for g in ids(&groups) {
        let v = sample()
            .words(format!("members {g} --transitive --format json"))
            .ok_json();
        let down: BTreeSet<String> = v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["principal"]["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(down, upward.remove(&g).unwrap_or_default(), "group {g}");
    }
}

// ---------------------------------------------------------------------------
// role
// ---------------------------------------------------------------------------

#[test]
fn role_table() {
    snap!(sample()
        .arg("role")
        .arg("Data Scientist Custom")
        .words("--format table"));
}

#[test]
fn role_assignments_table() {
    snap!(sample().words("role Reader --assignments --format table"));
}

#[test]
fn role_json() {
    snap!(sample()
        .arg("role")
        .arg("workspace admin custom")
        .words("--assignments --format json"));
}

#[test]
fn role_csv() {
    snap!(sample()
        .arg("role")
        .arg("MLOps Custom")
        .words("--format csv"));
}

#[test]
fn role_permissions_and_privilege() {
    let v = sample().arg("role").arg("Data Scientist Custom").ok_json();
    let block = &v["role"]["permissions"][0];
    assert_eq!(block["actions"][0], "*");
    let not: Vec<&str> = block["notActions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(not.contains(&"Microsoft.MachineLearningServices/workspaces/*/delete"));
    assert!(not.contains(&"Microsoft.Authorization/*/write"));
    // Fact 41: privileged roles grant roleAssignments/write.
    assert_eq!(v["role"]["privileged"], false);
    for (role, privileged) in [
        ("Owner", true),
        ("User Access Administrator", true),
        ("Workspace Admin Custom", true),
        ("Contributor", false),
        ("Reader", false),
        ("AzureML Data Scientist", false),
        ("Storage Blob Data Reader", false),
        ("Labeler Custom", false),
    ] {
        let v = sample().arg("role").arg(role).ok_json();
        assert_eq!(v["role"]["privileged"], privileged, "{role}");
    }
}

#[test]
fn role_assignments_join_by_guid_or_by_name() {
    // Workspace Admin Custom has no Id: its one assignment joins by name (fact 5).
    let v = sample()
        .arg("role")
        .arg("Workspace Admin Custom")
        .arg("--assignments")
        .ok_json();
    assert!(v["role"]["id"].is_null());
    assert_eq!(v["assignments"]["active"], 1);
    assert_eq!(
        v["assignments"]["list"][0]["principal"]["displayName"],
        "Priya Raman (Fabrikam)"
    );
    // By role definition id, both forms; Contributor: Dave, Platform Admins, and
    // the ended eligibility of Bob and the one of Data Platform On-Call.
    let v = sample()
        .words("role /providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c --assignments")
        .ok_json();
    assert_eq!(v["role"]["roleName"], "Contributor");
    assert_eq!(v["assignments"]["active"], 2);
    assert_eq!(v["assignments"]["eligible"], 2);
    // Without --assignments, only the counts.
    let v = sample().words("role contributor").ok_json();
    assert!(v["assignments"].get("list").is_none());
}

#[test]
fn role_unknown_is_exit_2_with_did_you_mean() {
    snap!("role_unknown", sample().words("role Contributer"));
    sample()
        .words("role 00000000-1111-2222-3333-444444444444")
        .expect(2)
        .stderr_has("no role definition matches")
        .stderr_has("hint:");
}

// ---------------------------------------------------------------------------
// who --anywhere
// ---------------------------------------------------------------------------

#[test]
fn who_anywhere_table() {
    snap!(sample().words(format!("who --anywhere {WS_DELETE} --format table")));
}

#[test]
fn who_anywhere_json() {
    snap!(sample().words(format!("who --anywhere {RA_WRITE} --format json")));
}

#[test]
fn who_anywhere_csv() {
    snap!(sample().words(format!("who --anywhere {WS_DELETE} --format csv")));
}

fn by_access(v: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in v["principals"].as_array().unwrap() {
        out.entry(p["access"].as_str().unwrap().to_string())
            .or_default()
            .insert(p["displayName"].as_str().unwrap().to_string());
    }
    out
}

#[test]
fn who_anywhere_lists_every_principal_with_where() {
    let v = sample()
        .words(format!("who --anywhere {WS_DELETE}"))
        .ok_json();
    let got = by_access(&v);
    // Facts 12 and 18: allowed on ml-dev, or on ml-prod; eligible on ml-prod.
    assert_eq!(
        got["allowed"],
        set(&[
            "Dave Kim",
            "Erin Walker",
            "Greg Walsh",
            "Priya Raman (Fabrikam)",
            "Raj Patel"
        ])
    );
    assert_eq!(
        got["eligible"],
        set(&[
            "Ivan Horvat",
            "Kyle Jensen",
            "Lena Fischer",
            "María González"
        ])
    );
    // Dave: allowed where his Contributor is held (the subscription), but denied at
    // ml-prod, below it (fact 18).
    let dave = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["displayName"] == "Dave Kim")
        .unwrap();
    assert_eq!(dave["where"][0]["scope"], SUB_ML);
    assert_eq!(dave["where"][0]["access"], "allowed");
    assert_eq!(dave["where"][0]["deniedBelow"][0]["scope"], ML_PROD);

    // Fact 14 and 30: Break Glass at the root, Platform Admins at mg ml, Priya.
    let v = sample()
        .words(format!("who --anywhere {RA_WRITE}"))
        .ok_json();
    let got = by_access(&v);
    assert!(got["allowed"].contains("Break Glass Admin 01"));
    assert!(!got["allowed"].contains("Dave Kim"));
    assert_eq!(got["eligible"], set(&["Ivan Horvat"]));
    let bg = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["displayName"] == "Break Glass Admin 01")
        .unwrap();
    assert_eq!(bg["where"][0]["scope"], "/");
}

/// The data plane, from the catalogue (facts 33, 34 and 43): conditional for ML
/// Data Scientists' members at rg-ml-dev, allowed for ml-prod's identity and the
/// training identity (on the curated account); `*` (Owner, Contributor) never
/// grants a data action.
#[test]
fn who_anywhere_on_the_data_plane() {
    let v = sample()
        .words(
            "who --anywhere Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
        )
        .ok_json();
    let got = by_access(&v);
    assert_eq!(got["allowed"], set(&["ml-prod", "id-ml-prod-train"]));
    assert_eq!(
        got["conditional"],
        set(&[
            "Alice Nguyen",
            "Bob Okafor",
            "Diana Costa",
            "Hana Sato",
            "Liam O'Connor",
            "Wei Chen"
        ])
    );
    assert_eq!(got.len(), 2, "{got:?}");
}

/// Two ways: whoever `who` allows at a workspace can do the action somewhere.
#[test]
fn who_at_each_workspace_is_within_who_anywhere() {
    for action in [WS_DELETE, WS_READ, RA_WRITE] {
        let anywhere = sample().words(format!("who --anywhere {action}")).ok_json();
        let somewhere: BTreeSet<String> = anywhere["principals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["access"] == "allowed" || p["access"] == "conditional")
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        for ws in ["ml-dev", "ml-test", "ml-prod"] {
            let at = sample()
                .words(format!("who {action} --workspace {ws}"))
                .ok_json();
            for p in at["principals"].as_array().unwrap() {
                let id = p["id"].as_str().unwrap();
                assert!(somewhere.contains(id), "{action} at {ws}: {id}");
            }
        }
    }
}

#[test]
fn who_anywhere_conflicts_with_a_scope() {
    snap!(
        "who_anywhere_with_workspace",
        sample().words(format!("who --anywhere {WS_DELETE} --workspace ml-dev"))
    );
}

// ---------------------------------------------------------------------------
// help
// ---------------------------------------------------------------------------

#[test]
fn help_of_the_browsing_commands() {
    for (name, args) in [
        ("help_workspaces", vec!["workspaces", "--help"]),
        ("help_show", vec!["show", "--help"]),
        ("help_members", vec!["members", "--help"]),
        ("help_role", vec!["role", "--help"]),
    ] {
        let ran = run().args(&args).expect(0).stdout_has("Examples:");
        drop(ran);
        snap!(name, run().args(args));
    }
}

// ---------------------------------------------------------------------------
// principals: the names to ask about
// ---------------------------------------------------------------------------

#[test]
fn principals_table_json_csv() {
    snap!(sample()
        .words("principals --format table")
        .env("COLUMNS", "140"));
    snap!(sample().words("principals --kind group --format json"));
    snap!(sample().words("principals --kind sp --format csv"));
}

/// Every principal once, users first, with the ones in no listing: the sample's
/// 31 listed users, Quinn Archer (known from the MLOps member file) and the
/// orphaned assignment's principal; 13 groups; 2 service principals and 4
/// managed identities.
#[test]
fn principals_lists_every_principal_the_snapshot_knows() {
    let v = sample().words("principals --format json").ok_json();
    let rows = v["principals"].as_array().unwrap();
    assert_eq!(v["total"], rows.len());
    let of = |t: &str| rows.iter().filter(|r| r["type"] == t).count();
    assert_eq!(
        (
            of("User"),
            of("Group"),
            of("ServicePrincipal"),
            of("ManagedIdentity")
        ),
        (33, 13, 2, 4),
        "{v}"
    );
    let orphan = rows
        .iter()
        .find(|r| r["id"] == "b9539884-dcb9-46e1-a4d2-441c2ab481c3")
        .expect("the orphaned assignment's principal");
    assert_eq!(
        orphan["notes"][0],
        "in no directory listing (named by a role assignment)"
    );
    let quinn = rows
        .iter()
        .find(|r| r["displayName"] == "Quinn Archer")
        .unwrap();
    assert_eq!(
        quinn["notes"][0],
        "in no directory listing (named by a member list)"
    );
    // Every principal listed can be asked about by its id.
    for r in rows {
        sample()
            .args(["show", r["id"].as_str().unwrap(), "--format", "json"])
            .expect(0);
    }
}

#[test]
fn principals_kind_and_match_filter_like_the_names_are_matched() {
    let ids = |args: &str| -> Vec<String> {
        sample()
            .words(format!("principals {args} --format json"))
            .ok_json()["principals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["displayName"].as_str().unwrap().to_string())
            .collect()
    };
    // Case and accents do not matter; the UPN, mail and appId count too.
    assert_eq!(ids("--match GONZALEZ"), ["María González"]);
    assert_eq!(ids("--match c4442b4c"), ["contoso-mlops-deploy"]);
    assert_eq!(
        ids("--kind group --match data"),
        [
            "Data Platform On-Call",
            "Data Platform Team",
            "ML Data Scientists"
        ]
    );
    let sps = ids("--kind sp");
    assert!(sps.contains(&"contoso-mlops-deploy".to_string()), "{sps:?}");
    assert!(sps.contains(&"id-ml-prod-train".to_string()), "{sps:?}");
    // Nothing matching: an empty list, said on stderr, exit 0.
    let ran = sample()
        .words("principals --match nobody-here --format csv")
        .expect(0);
    assert_eq!(ran.stdout().lines().count(), 1, "the header only");
    assert!(
        ran.stderr()
            .starts_with("no principal matching \"nobody-here\" in snapshot 1\nhint: "),
        "{}",
        ran.stderr()
    );
}

/// A name that matches nothing points at `principals`.
#[test]
fn an_unknown_name_hints_at_principals() {
    let ran = sample().args(["members", "ML Scientists"]).expect(2);
    assert!(
        ran.stderr().contains("`whocan principals --match TEXT`"),
        "{}",
        ran.stderr()
    );
}
