//! Issue 9 through the command line: what a user sees when the data is partial or
//! odd. Orphans only on evidence, devices never answered, operations in both planes,
//! PIM windows at the snapshot's time, and `incomplete` in `who`, `can` and
//! `review`. Each test failed on the build before the issue.

use std::path::Path;

use serde_json::{json, Value};

use super::support::{stdout_json, whocan, write};

const SUB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333";
const RG: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-ml";
const WS: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ml-prod";
const MG: &str = "/providers/Microsoft.Management/managementGroups/mg-data";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const U1: &str = "11111111-aaaa-4aaa-8aaa-000000000001";
const U2: &str = "11111111-aaaa-4aaa-8aaa-000000000002";
const U3: &str = "11111111-aaaa-4aaa-8aaa-000000000003";
const G1: &str = "22222222-bbbb-4bbb-8bbb-000000000001";
const G2: &str = "22222222-bbbb-4bbb-8bbb-000000000002";
const DEV: &str = "33333333-cccc-4ccc-8ccc-000000000001";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const KEY_READ: &str = "Microsoft.KeyVault/vaults/keys/read";

fn roles() -> Value {
    json!([{
        "roleName": "Reader", "name": READER,
        "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "roleType": "BuiltInRole", "assignableScopes": ["/"],
        "permissions": [{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}]
    }])
}

fn assignment(n: u32, principal: &str, ptype: &str, name: Option<&str>, scope: &str) -> Value {
    let mut a = json!({
        "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/0000000{n}-0000-0000-0000-000000000000"),
        "name": format!("0000000{n}-0000-0000-0000-000000000000"),
        "principalId": principal, "principalType": ptype,
        "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "roleDefinitionName": "Reader", "scope": scope
    });
    if let Some(n) = name {
        a["principalName"] = json!(n);
    }
    a
}

fn workspace() -> Value {
    json!([{"id": WS, "name": "ml-prod", "type": "Microsoft.MachineLearningServices/workspaces", "resourceGroup": "rg-ml"}])
}

fn import(db: &Path, dir: &Path) {
    let out = whocan(db)
        .args(["import", "--taken-at", "2026-10-01T00:00:00Z"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json_of(db: &Path, args: &[&str]) -> Value {
    let out = whocan(db)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

fn reasons(v: &Value) -> Vec<String> {
    v["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reason"].as_str().unwrap().to_string())
        .collect()
}

/// Problem 3: with assignments but no directory listing, nobody is "orphaned" and
/// the review recommends no removal on that ground.
#[test]
fn without_a_listing_no_principal_is_called_orphaned() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write(&data, "roles.json", roles().to_string());
    write(&data, "resources.json", workspace().to_string());
    write(
        &data,
        "assignments.json",
        json!([assignment(1, U1, "User", Some("ana@contoso.com"), WS)]).to_string(),
    );
    let db = dir.path().join("w.db");
    import(&db, &data);
    let w = json_of(&db, &["who", WS_READ, "--scope", WS]);
    assert_eq!(w["principals"][0]["id"], U1);
    assert_eq!(w["principals"][0]["orphaned"], Value::Null);
    let out = whocan(&db)
        .args(["review", "--scope", WS, "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8_lossy(&out.stdout);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert_eq!(&rows[0][col("orphaned")], "unknown");
    assert!(!rows[0][col("recommendation")].contains("remove"), "{csv}");
}

/// Problem 3, the other side: a users listing that does not hold a user is
/// evidence; so is an assignment's empty principalName.
#[test]
fn orphaned_on_evidence_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write(&data, "roles.json", roles().to_string());
    write(&data, "resources.json", workspace().to_string());
    write(
        &data,
        "users.json",
        json!({"value": [{"id": U2, "displayName": "Ben", "userPrincipalName": "ben@contoso.com", "userType": "Member", "accountEnabled": true}]}).to_string(),
    );
    write(
        &data,
        "assignments.json",
        json!([
            assignment(1, U1, "User", None, WS),
            assignment(2, U2, "User", Some("ben@contoso.com"), WS),
            assignment(3, U3, "ServicePrincipal", Some(""), WS)
        ])
        .to_string(),
    );
    let db = dir.path().join("w.db");
    import(&db, &data);
    let w = json_of(&db, &["who", WS_READ, "--scope", WS]);
    let orphaned = |id: &str| {
        w["principals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()["orphaned"]
            .clone()
    };
    assert_eq!(
        orphaned(U1),
        json!(true),
        "users were listed: u1 is in none"
    );
    assert_eq!(orphaned(U2), json!(false));
    assert_eq!(orphaned(U3), json!(true), "principalName \"\" says deleted");
}

fn group_tenant(data: &Path, members_csv: &str) {
    write(data, "roles.json", roles().to_string());
    write(data, "resources.json", workspace().to_string());
    write(
        data,
        "users.json",
        json!({"value": [{"id": U1, "displayName": "Ana", "userPrincipalName": "ana@contoso.com"}]}).to_string(),
    );
    write(
        data,
        "groups.json",
        json!({"value": [
            {"id": G1, "displayName": "ML Readers", "securityEnabled": true},
            {"id": G2, "displayName": "Nested, no member file", "securityEnabled": true}
        ]})
        .to_string(),
    );
    write(data, "members/edges.csv", members_csv);
    write(
        data,
        "assignments.json",
        json!([assignment(1, G1, "Group", Some("ML Readers"), WS)]).to_string(),
    );
}

/// Problem 5: a device in a group's member list is kept as a member but never
/// answered as a principal, and review never recommends removing it.
#[test]
fn devices_in_member_lists_are_never_principals() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    group_tenant(
        &data,
        &format!("groupId,memberId,memberType\n{G1},{U1},User\n{G1},{DEV},Device\n"),
    );
    let db = dir.path().join("w.db");
    import(&db, &data);
    let w = json_of(&db, &["who", WS_READ, "--scope", WS, "--include-groups"]);
    let ids: Vec<&str> = w["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&U1) && ids.contains(&G1), "{ids:?}");
    assert!(
        !ids.contains(&DEV),
        "a device answered as a principal: {ids:?}"
    );
    let out = whocan(&db)
        .args(["review", "--scope", WS, "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(!csv.contains(DEV), "a device on the review sheet:\n{csv}");
}

/// Problem 7 (`can` only): a group without a member file nested in a holder is
/// listed in `can`'s incomplete, as in `who`'s.
#[test]
fn can_lists_a_nested_group_without_members_as_who_does() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    group_tenant(
        &data,
        &format!("groupId,memberId,memberType\n{G1},{U1},User\n{G1},{G2},Group\n"),
    );
    let db = dir.path().join("w.db");
    import(&db, &data);
    let w = json_of(&db, &["who", WS_READ, "--scope", WS]);
    let c = json_of(&db, &["can", U1, WS_READ, "--scope", WS]);
    let groups = |v: &Value| -> Vec<String> {
        v["incomplete"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["groupId"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(groups(&w), [G2.to_string()]);
    assert_eq!(groups(&c), groups(&w));
    assert_eq!(reasons(&c), ["members not imported"]);
}

/// Problem 7: an assignment whose role was not imported, and management-group
/// assignments with no tree to place the subscription in, reach `incomplete`.
#[test]
fn undefined_roles_and_a_missing_management_group_chain_are_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write(&data, "roles.json", roles().to_string());
    write(&data, "resources.json", workspace().to_string());
    let mut custom = assignment(2, U2, "User", Some("ben@contoso.com"), RG);
    custom["roleDefinitionId"] = json!(format!(
        "{SUB}/providers/Microsoft.Authorization/roleDefinitions/99999999-9999-4999-8999-999999999999"
    ));
    custom["roleDefinitionName"] = json!("Custom only elsewhere");
    write(
        &data,
        "assignments.json",
        json!([
            assignment(1, U1, "User", Some("ana@contoso.com"), MG),
            custom
        ])
        .to_string(),
    );
    let db = dir.path().join("w.db");
    import(&db, &data);
    let w = json_of(&db, &["who", WS_READ, "--scope", WS]);
    let r = reasons(&w);
    assert!(r.contains(&"role not defined".to_string()), "{w}");
    assert!(
        r.contains(&"management-group chain missing".to_string()),
        "{w}"
    );
    let chain = w["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reason"] == "management-group chain missing")
        .unwrap();
    assert_eq!(
        chain["scope"].as_str().map(str::to_lowercase),
        Some(SUB.to_lowercase())
    );
    // Ben's own path carries the undefined role; `can` says so too.
    let c = json_of(&db, &["can", U2, WS_READ, "--scope", WS]);
    assert!(reasons(&c).contains(&"role not defined".to_string()), "{c}");
    // The table says it in words.
    let out = whocan(&db)
        .args(["who", WS_READ, "--scope", WS, "--format", "table"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("incomplete: management-group assignments exist"),
        "{text}"
    );
}

fn kv_tenant(data: &Path, data_first: bool) {
    let kv = format!("{RG}/providers/Microsoft.KeyVault/vaults/kv1");
    write(data, "roles.json", roles().to_string());
    write(
        data,
        "resources.json",
        json!([{"id": kv, "name": "kv1", "type": "Microsoft.KeyVault/vaults"}]).to_string(),
    );
    write(
        data,
        "assignments.json",
        json!([assignment(1, U1, "User", Some("ana@contoso.com"), RG)]).to_string(),
    );
    let control = json!({"name": KEY_READ, "displayName": "Read Key", "isDataAction": false});
    let data_op = json!({"name": KEY_READ, "displayName": "Read Key (data)", "isDataAction": true});
    let ops = if data_first {
        vec![data_op, control]
    } else {
        vec![control, data_op]
    };
    write(
        data,
        "ops.json",
        json!({"name": "Microsoft.KeyVault", "displayName": "Key Vault", "operations": [],
               "resourceTypes": [{"name": "vaults/keys", "operations": ops}]})
        .to_string(),
    );
}

/// Problem 6: an operation listed in both planes keeps both entries; the answer
/// does not flip when the catalogue is reordered, and `--data` asks the data plane.
#[test]
fn an_operation_in_both_planes_answers_the_same_in_any_order() {
    let kv = format!("{RG}/providers/Microsoft.KeyVault/vaults/kv1");
    let mut answers = Vec::new();
    for data_first in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        kv_tenant(&data, data_first);
        let db = dir.path().join("w.db");
        import(&db, &data);
        let plain = json_of(&db, &["can", U1, KEY_READ, "--scope", &kv]);
        let data_plane = json_of(&db, &["can", U1, KEY_READ, "--scope", &kv, "--data"]);
        answers.push((plain["access"].clone(), data_plane["access"].clone()));
    }
    assert_eq!(answers[0], answers[1], "the answer flipped with the order");
    assert_eq!(answers[0], (json!("allowed"), json!("none")));
}

/// Problem 8: a scheduled eligibility grants nothing, and `can --explain` names
/// an eligibility held at another scope, with its window.
#[test]
fn can_explain_names_eligibilities_out_of_window_or_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write(&data, "roles.json", roles().to_string());
    write(&data, "resources.json", workspace().to_string());
    let elig = |n: u32, p: &str, scope: &str, start: &str, end: &str| {
        json!({
            "id": format!("{scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/e{n}"),
            "name": format!("e{n}"),
            "type": "Microsoft.Authorization/roleEligibilityScheduleInstances",
            "properties": {
                "scope": scope, "principalId": p, "principalType": "User",
                "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
                "startDateTime": start, "endDateTime": end, "memberType": "Direct"
            }
        })
    };
    write(
        &data,
        "pim.json",
        json!({"value": [
            elig(1, U1, WS, "2026-12-01T00:00:00Z", "2027-06-01T00:00:00Z"),
            elig(2, U2, &format!("{SUB}/resourceGroups/rg-other"), "2026-09-01T00:00:00Z", "2027-03-01T00:00:00Z")
        ]})
        .to_string(),
    );
    let db = dir.path().join("w.db");
    import(&db, &data);
    let explain = |p: &str| {
        let out = whocan(&db)
            .args([
                "can",
                p,
                WS_READ,
                "--scope",
                WS,
                "--explain",
                "--format",
                "table",
            ])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, text) = explain(U1);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("scheduled") && text.contains("2026-12-01"),
        "{text}"
    );
    let (code, text) = explain(U2);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("held only at another scope")
            && text.contains("rg-other")
            && text.contains("2027-03-01"),
        "{text}"
    );
}
