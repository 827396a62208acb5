//! ARM's `principalType` has five known values: `User`, `Group`,
//! `ServicePrincipal`, `ForeignGroup` and `Device`. A `ForeignGroup` (a group
//! of another tenant, whose members no listing of this one holds) was answered
//! as if it were a user: listed among `who`'s principals, and nothing in
//! `incomplete` said that its members could hold the access.

use serde_json::{json, Value};

use crate::support::{reader_role_json, write, Scratch};

const SUB: &str = "5b9d0e3a-1c7e-4f7b-9e6a-2d3c4b5a6f70";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const FOREIGN: &str = "11111111-1111-4111-8111-111111111111";
const BOB: &str = "22222222-1111-4111-8111-111111111111";
const ACTION: &str = "Microsoft.Resources/subscriptions/resourceGroups/read";

fn assignment(principal: &str, kind: &str, name: &str, n: u32) -> Value {
    let sub = format!("/subscriptions/{SUB}");
    let id = format!("a1a1a1a1-0000-4000-8000-00000000000{n}");
    json!({
        "principalId": principal, "principalType": kind, "principalName": name,
        "roleDefinitionId": format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "roleDefinitionName": "Reader", "scope": sub,
        "id": format!("{sub}/providers/Microsoft.Authorization/roleAssignments/{id}"),
        "name": id, "condition": null, "conditionVersion": null,
        "createdOn": "2024-01-01T00:00:00Z"
    })
}

fn tenant() -> Scratch {
    let db = Scratch::new();
    let data = db.path("data");
    write(&data, "roles.json", reader_role_json().to_string());
    write(
        &data,
        "assignments.json",
        json!([
            assignment(FOREIGN, "ForeignGroup", "Partner Admins", 1),
            assignment(BOB, "User", "bob@contoso.com", 2),
        ])
        .to_string(),
    );
    db.import(&data, "2026-06-01T00:00:00Z", "q");
    db
}

#[test]
fn a_foreign_group_is_a_group_whose_members_are_not_known() {
    let db = tenant();
    let scope = format!("/subscriptions/{SUB}");
    let who = db
        .run()
        .args(["who", ACTION, "--scope", &scope, "--format", "json"])
        .ok_json();
    let ids: Vec<&str> = who["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [BOB], "{who:#}");
    assert_eq!(
        who["incomplete"],
        json!([{"groupId": FOREIGN, "displayName": "Partner Admins", "reason": "members not imported"}]),
        "{who:#}"
    );
    // With groups, it is listed as what the export calls it.
    let groups = db
        .run()
        .args([
            "who",
            ACTION,
            "--scope",
            &scope,
            "--include-groups",
            "--format",
            "json",
        ])
        .ok_json();
    let foreign = groups["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == FOREIGN)
        .unwrap_or_else(|| panic!("{groups:#}"));
    assert_eq!(foreign["type"], "ForeignGroup");
    // `can` of a member of ours says the same gap.
    let can = db
        .run()
        .args(["can", BOB, ACTION, "--scope", &scope, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(can["incomplete"], who["incomplete"], "{can:#}");
    // The review recommends looking at who is in it.
    db.run()
        .args(["review", "--scope", &scope, "--format", "csv"])
        .expect(0)
        .stdout_has("the group's members were not imported");
    // `principals --kind group` lists it.
    db.run()
        .args(["principals", "--kind", "group", "--format", "json"])
        .expect(0)
        .stdout_has(FOREIGN);
}
