//! A PIM instance whose role is a custom-role file without `Id` (the shape of
//! Microsoft's custom-role docs): the eligibility export names the role only by
//! a GUID no imported role has, and by its display name in
//! `expandedProperties.roleDefinition.displayName` (ARM) or
//! `RoleDefinitionDisplayName` (Az PowerShell). The one role join joins it by
//! that name, as it joins an assignment by `roleDefinitionName`; it was "role not
//! defined" and the principal's eligibility was lost.
//!
//! The same exports name the principal (`expandedProperties.principal.displayName`,
//! Az PowerShell's `PrincipalDisplayName`): a principal in no directory listing is
//! shown, and found, by that name, as by a role assignment's `principalName`.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::{reader_role_json, write, Scratch};

const SUB: &str = "5b9d0e3a-1c7e-4f7b-9e6a-2d3c4b5a6f70";
const USER: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const USER2: &str = "1f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1";
const USER3: &str = "2f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f2";
/// The GUID Azure gave the custom role; the role file does not carry it.
const CUSTOM_GUID: &str = "9a7c5e3b-1d2f-4a6b-8c9d-0e1f2a3b4c5d";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";

fn ws() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-ml/providers/\
         Microsoft.MachineLearningServices/workspaces/ml-dev"
    )
}

/// An ARM `roleEligibilityScheduleInstances` entry (or, `active`, a
/// `roleAssignmentScheduleInstances` one) for `principal`, of the role with
/// `guid`, whose `expandedProperties` name it `name`.
fn instance(principal: &str, guid: &str, name: &str, n: u32, active: bool) -> Value {
    let sub = format!("/subscriptions/{SUB}");
    let (kind, schedule) = if active {
        (
            "RoleAssignmentScheduleInstances",
            "roleAssignmentScheduleId",
        )
    } else {
        (
            "RoleEligibilityScheduleInstances",
            "roleEligibilityScheduleId",
        )
    };
    let mut p = json!({
        "scope": sub,
        "roleDefinitionId": format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
        "principalId": principal,
        "principalType": "User",
        "status": "Provisioned",
        schedule: format!("{sub}/providers/Microsoft.Authorization/schedules/{n}"),
        "startDateTime": "2026-01-01T00:00:00Z",
        "endDateTime": "2027-01-01T00:00:00Z",
        "memberType": "Direct",
        "expandedProperties": {
            "scope": {"id": sub, "displayName": "Sub", "type": "subscription"},
            "roleDefinition": {
                "id": format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
                "displayName": name,
                "type": "CustomRole"
            },
            "principal": {"id": principal, "displayName": "Someone", "type": "User"}
        }
    });
    if active {
        p["assignmentType"] = json!("Activated");
    }
    json!({
        "properties": p,
        "name": format!("0000000{n}-0000-4000-8000-000000000000"),
        "id": format!("{sub}/providers/Microsoft.Authorization/{kind}/0000000{n}-0000-4000-8000-000000000000"),
        "type": format!("Microsoft.Authorization/{kind}")
    })
}

fn tenant(dir: &Path, eligibility: Value, active: Value) {
    write(
        dir,
        "roles/custom.json",
        json!({
            "Name": "ML Reader Custom", "IsCustom": true, "Description": "no Id",
            "Actions": [WS_READ], "NotActions": [], "AssignableScopes": [format!("/subscriptions/{SUB}")]
        })
        .to_string(),
    );
    write(dir, "roles/reader.json", reader_role_json().to_string());
    write(dir, "pim/eligible.json", eligibility.to_string());
    write(dir, "pim/active.json", active.to_string());
    write(
        dir,
        "resources/resources.json",
        json!([{"id": ws(), "name": "ml-dev", "type": "Microsoft.MachineLearningServices/workspaces",
                "resourceGroup": "rg-ml"}])
        .to_string(),
    );
}

fn can(db: &Scratch, who: &str) -> Value {
    let out = db
        .run()
        .args(["can", who, WS_READ, "--scope", &ws(), "--format", "json"])
        .output();
    out.json()
}

#[test]
fn a_pim_instance_joins_a_custom_role_without_id_by_its_expanded_name() {
    let db = Scratch::new();
    let data = db.path("data");
    tenant(
        &data,
        json!({"value": [
            instance(USER, CUSTOM_GUID, "ML Reader Custom", 1, false),
            // Named like the Reader, which has an id: a name joins only a role
            // without one, so this GUID stays undefined.
            instance(USER3, CUSTOM_GUID, "Reader", 3, false),
        ]}),
        json!({"value": [instance(USER2, CUSTOM_GUID, "ml reader custom ", 2, true)]}),
    );
    let import = db
        .run()
        .args([
            "import",
            "--format",
            "json",
            "--taken-at",
            "2026-06-01T00:00:00Z",
        ])
        .arg(&data)
        .expect(0)
        .json();
    let undefined: Vec<&str> = import["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "undefined-role")
        .flat_map(|f| f["examples"].as_array().unwrap())
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(undefined.len(), 1, "only USER3's instance: {undefined:?}");
    assert!(undefined[0].contains("00000003"), "{undefined:?}");

    // Eligible through the custom role joined by name, with its name.
    let a = can(&db, USER);
    assert_eq!(a["access"], "eligible", "{a:#}");
    let eligible = &a["decisions"][0]["eligible"][0];
    assert_eq!(eligible["roleName"], "ML Reader Custom", "{a:#}");
    // An activated (time-bound active) instance grants, joined the same way.
    let b = can(&db, USER2);
    assert_eq!(b["access"], "allowed", "{b:#}");
    assert_eq!(
        b["decisions"][0]["grants"][0]["roleName"],
        "ML Reader Custom"
    );
    // Not joined to the Reader by its name: the Reader has an id.
    let c = can(&db, USER3);
    assert_eq!(c["access"], "none", "{c:#}");

    // `who` lists the eligible user, and `role` counts both holders of the role.
    let who = db
        .run()
        .args(["who", WS_READ, "--scope", &ws(), "--format", "json"])
        .ok_json();
    let eligible: Vec<&str> = who["eligible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(eligible, [USER], "{who:#}");
    let role = db
        .run()
        .args(["role", "ML Reader Custom", "--format", "json"])
        .ok_json();
    assert_eq!(
        role["assignments"],
        json!({"active": 1, "eligible": 1}),
        "{role:#}"
    );
}

/// Az PowerShell's `Get-AzRoleEligibilityScheduleInstance | ConvertTo-Json`
/// flattens the expanded properties: `RoleDefinitionDisplayName`, and the
/// principal's `PrincipalDisplayName`.
#[test]
fn a_powershell_eligibility_joins_by_role_definition_display_name() {
    let db = Scratch::new();
    let data = db.path("data");
    let sub = format!("/subscriptions/{SUB}");
    tenant(
        &data,
        json!([{
            "Name": "00000004-0000-4000-8000-000000000000",
            "Id": format!("{sub}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/00000004-0000-4000-8000-000000000000"),
            "Type": "Microsoft.Authorization/roleEligibilityScheduleInstances",
            "Scope": sub,
            "PrincipalId": USER,
            "PrincipalType": "User",
            "PrincipalDisplayName": "Priya Natarajan",
            "PrincipalEmail": "priya@contoso.com",
            "RoleDefinitionId": format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM_GUID}"),
            "RoleDefinitionDisplayName": "ML Reader Custom",
            "RoleEligibilityScheduleId": format!("{sub}/providers/Microsoft.Authorization/roleEligibilitySchedules/4"),
            "MemberType": "Direct",
            "Status": "Provisioned",
            "StartDateTime": "2026-01-01T00:00:00Z",
            "EndDateTime": null
        }]),
        json!({"value": []}),
    );
    db.import(&data, "2026-06-01T00:00:00Z", "ps");
    let a = can(&db, "Priya Natarajan");
    assert_eq!(a["principal"]["id"], USER, "{a:#}");
    assert_eq!(a["principal"]["displayName"], "Priya Natarajan", "{a:#}");
    assert_eq!(a["access"], "eligible", "{a:#}");
    assert_eq!(
        a["decisions"][0]["eligible"][0]["roleName"],
        "ML Reader Custom"
    );
}

/// `expandedProperties` is read, not guessed: a role or principal of the wrong
/// type is an error at its place, the database as it was.
#[test]
fn a_malformed_expanded_role_or_principal_is_refused_at_its_place() {
    for object in ["roleDefinition", "principal"] {
        let db = Scratch::new();
        let data = db.path("data");
        let mut bad = instance(USER, CUSTOM_GUID, "ML Reader Custom", 1, false);
        bad["properties"]["expandedProperties"][object] = json!("ML Reader Custom");
        tenant(&data, json!({ "value": [bad] }), json!({"value": []}));
        db.run()
            .arg("import")
            .arg(&data)
            .expect(2)
            .stderr_has("eligible.json")
            .stderr_has(&format!("expandedProperties.{object}"))
            .stderr_has("expected an object");
        assert!(!db.db().exists() || crate::support::snapshots(db.db()).is_empty());
    }
}

/// Names `v`'s principal `name` in its `expandedProperties`.
fn named(mut v: Value, name: &str) -> Value {
    v["properties"]["expandedProperties"]["principal"]["displayName"] = json!(name);
    v
}

#[test]
fn a_pim_export_names_a_principal_in_no_directory_listing() {
    let db = Scratch::new();
    let data = db.path("data");
    tenant(
        &data,
        json!({"value": [named(instance(USER, CUSTOM_GUID, "ML Reader Custom", 1, false), "Priya Natarajan")]}),
        json!({"value": [named(instance(USER2, CUSTOM_GUID, "ML Reader Custom", 2, true), "Sam Okafor")]}),
    );
    db.import(&data, "2026-06-01T00:00:00Z", "names");
    let who = db
        .run()
        .args(["who", WS_READ, "--scope", &ws(), "--format", "json"])
        .ok_json();
    assert_eq!(who["eligible"][0]["id"], USER, "{who:#}");
    assert_eq!(
        who["eligible"][0]["displayName"], "Priya Natarajan",
        "{who:#}"
    );
    assert_eq!(who["principals"][0]["id"], USER2, "{who:#}");
    assert_eq!(who["principals"][0]["displayName"], "Sam Okafor", "{who:#}");
    // Found by that name, case aside, as a listed principal is.
    let a = can(&db, "priya natarajan");
    assert_eq!(a["principal"]["id"], USER, "{a:#}");
    assert_eq!(a["access"], "eligible", "{a:#}");
    let b = can(&db, "Sam Okafor");
    assert_eq!(b["principal"]["id"], USER2, "{b:#}");
    assert_eq!(b["access"], "allowed", "{b:#}");
    // `principals` lists the eligible one, known from no listing or assignment.
    let listed = db
        .run()
        .args(["principals", "--match", "natarajan", "--format", "json"])
        .ok_json();
    assert_eq!(listed["principals"][0]["id"], USER, "{listed:#}");
    assert_eq!(listed["total"], 1, "{listed:#}");
    // The review sheet names both.
    let sheet = db
        .run()
        .args(["review", "--scope", &ws(), "--format", "csv"])
        .expect(0)
        .stdout();
    assert!(
        sheet.contains(&format!("{USER},User,Priya Natarajan,")),
        "{sheet}"
    );
    assert!(
        sheet.contains(&format!("{USER2},User,Sam Okafor,")),
        "{sheet}"
    );
}

/// A principal granted at the workspace by an ARM role assignment (which names
/// no principal) and eligible elsewhere by a PIM export that names it: the
/// answer at the workspace shows the export's name too, as the whole snapshot
/// would (the slice reads what the principal's eligibilities say of it).
#[test]
fn the_name_an_eligibility_elsewhere_gives_is_shown_where_an_assignment_grants() {
    let db = Scratch::new();
    let data = db.path("data");
    // Eligible at another resource group: not on the workspace's chain.
    let mut elsewhere = named(
        instance(USER, CUSTOM_GUID, "ML Reader Custom", 1, false),
        "Priya Natarajan",
    );
    elsewhere["properties"]["scope"] =
        json!(format!("/subscriptions/{SUB}/resourceGroups/rg-other"));
    tenant(&data, json!({ "value": [elsewhere] }), json!({"value": []}));
    let reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    write(
        &data,
        "assignments/arm.json",
        json!({"value": [{
            "id": format!("{}/providers/Microsoft.Authorization/roleAssignments/00000009-0000-4000-8000-000000000000", ws()),
            "name": "00000009-0000-4000-8000-000000000000",
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{reader}"),
                "principalId": USER,
                "principalType": "User",
                "scope": ws()
            }
        }]})
        .to_string(),
    );
    db.import(&data, "2026-06-01T00:00:00Z", "names");
    let who = db
        .run()
        .args([
            "who",
            "Microsoft.MachineLearningServices/workspaces/computes/read",
            "--scope",
            &ws(),
            "--format",
            "json",
        ])
        .ok_json();
    assert_eq!(who["principals"][0]["id"], USER, "{who:#}");
    assert_eq!(
        who["principals"][0]["displayName"], "Priya Natarajan",
        "{who:#}"
    );
}
