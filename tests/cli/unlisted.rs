//! Principals in no directory listing (SPEC §1, §3): an export of role assignments
//! alone is common, and then what the assignments say of their principals — az's
//! `principalName`, PowerShell's `DisplayName` and `SignInName`, a deleted
//! principal's `principalName: ""` — is all there is. Answers show it the same at
//! every scope, and the names they show can be asked about.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::{on, stdout_json, whocan, write};

const SUB: &str = "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const READ: &str = "Microsoft.Resources/subscriptions/resourceGroups/read";

fn rg(name: &str) -> String {
    format!("{SUB}/resourceGroups/{name}")
}

/// `az role definition list` with Reader only.
fn roles() -> Value {
    json!([{
        "assignableScopes": ["/"], "description": "View all resources",
        "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "name": READER, "roleName": "Reader", "roleType": "BuiltInRole",
        "type": "Microsoft.Authorization/roleDefinitions",
        "permissions": [{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}]
    }])
}

/// One `az role assignment list` entry of Reader.
fn az(n: u32, principal: &str, kind: &str, name: &str, scope: &str) -> Value {
    let guid = format!("11111111-0000-4000-8000-{n:012}");
    json!({
        "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}"),
        "name": guid, "principalId": principal, "principalName": name, "principalType": kind,
        "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "roleDefinitionName": "Reader", "scope": scope,
        "type": "Microsoft.Authorization/roleAssignments", "condition": null, "conditionVersion": null
    })
}

/// Imports `files` (path → content) into a fresh database.
fn imported(dir: &Path, files: &[(&str, String)]) -> std::path::PathBuf {
    let data = dir.join("data");
    for (name, body) in files {
        write(&data, name, body);
    }
    let db = dir.join("w.db");
    on(&db).arg("import").arg(data).ok_json();
    db
}

fn who(db: &Path, scope: &str) -> Value {
    on(db)
        .args(["who", READ, "--scope", scope, "--format", "json"])
        .ok_json()
}

/// (displayName, userPrincipalName, orphaned) of principal `id` in a `who` answer.
fn shown(answer: &Value, id: &str) -> (Value, Value, Value) {
    let p = answer["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {answer}"));
    (
        p["displayName"].clone(),
        p["userPrincipalName"].clone(),
        p["orphaned"].clone(),
    )
}

fn can(db: &Path, who: &str, scope: &str) -> i32 {
    whocan(db)
        .args(["can", who, READ, "--scope", scope, "--format", "json"])
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

#[test]
fn powershell_display_and_sign_in_names_are_shown_and_can_be_asked_about() {
    let dir = tempfile::tempdir().unwrap();
    let alain = "a3bb8764-cb92-4276-9d2a-ca1e895e55ea";
    let ps = json!([{
        "RoleAssignmentName": "33333333-0000-4000-8000-000000000001",
        "RoleAssignmentId": format!("{}/providers/Microsoft.Authorization/roleAssignments/33333333-0000-4000-8000-000000000001", rg("rg-ml")),
        "Scope": rg("rg-ml"), "DisplayName": "Alain Charon", "SignInName": "alain@example.com",
        "RoleDefinitionName": "Reader", "RoleDefinitionId": READER,
        "ObjectId": alain, "ObjectType": "User", "CanDelegate": false,
        "Description": null, "ConditionVersion": null, "Condition": null
    }]);
    let db = imported(
        dir.path(),
        &[
            ("ps.json", ps.to_string()),
            ("roles.json", roles().to_string()),
        ],
    );
    assert_eq!(
        shown(&who(&db, &rg("rg-ml")), alain),
        (
            json!("Alain Charon"),
            json!("alain@example.com"),
            json!(null)
        )
    );
    for name in ["Alain Charon", "alain@example.com", "ALAIN@example.com"] {
        assert_eq!(can(&db, name, &rg("rg-ml")), 0, "{name}");
    }
    assert_eq!(can(&db, "Alain Charron", &rg("rg-ml")), 2);
}

#[test]
fn az_principal_names_can_be_asked_about_and_a_shared_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (bob, app, sp) = (
        "ce2ce14e-85d7-4629-bdbc-454d0519d987",
        "9a1e1c5f-3b2d-4e6f-8a7b-1c2d3e4f5a6b",
        "8f0a36e0-7b4b-4c3a-9e0b-3b1b5c1d2e01",
    );
    let asg = json!([
        az(1, bob, "User", "bob@contoso.com", &rg("rg-ml")),
        az(2, sp, "ServicePrincipal", app, &rg("rg-ml")),
        az(
            3,
            "0f6c1d8e-1111-4c4c-9c9c-000000000001",
            "Group",
            "Data Team",
            &rg("rg-ml")
        ),
        az(
            4,
            "0f6c1d8e-1111-4c4c-9c9c-000000000002",
            "Group",
            "Data Team",
            &rg("rg-ml")
        ),
    ]);
    let db = imported(
        dir.path(),
        &[
            ("asg.json", asg.to_string()),
            ("roles.json", roles().to_string()),
        ],
    );
    let answer = who(&db, &rg("rg-ml"));
    assert_eq!(
        shown(&answer, bob),
        (
            json!("bob@contoso.com"),
            json!("bob@contoso.com"),
            json!(null)
        )
    );
    assert_eq!(shown(&answer, sp), (json!(app), json!(null), json!(null)));
    assert_eq!(can(&db, "bob@contoso.com", &rg("rg-ml")), 0);
    assert_eq!(
        can(&db, app, &rg("rg-ml")),
        0,
        "a service principal by its appId"
    );
    // Two groups an export names alike: refused, both listed, never one picked.
    let out = whocan(&db)
        .args(["can", "data team", READ, "--scope", &rg("rg-ml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("0f6c1d8e-1111-4c4c-9c9c-000000000001")
            && err.contains("0f6c1d8e-1111-4c4c-9c9c-000000000002"),
        "{err}"
    );
}

/// A service principal deleted by its own assignment's word (`principalName: ""`)
/// is a member of a group that holds Reader elsewhere: orphaned in every answer,
/// whichever assignment gives the answer's access.
#[test]
fn a_deleted_principal_is_orphaned_at_every_scope() {
    let dir = tempfile::tempdir().unwrap();
    let (sp, g) = (
        "aaaaaaaa-4444-0000-0000-000000000004",
        "aaaaaaaa-1111-0000-0000-000000000001",
    );
    let asg = json!([
        az(1, sp, "ServicePrincipal", "", &rg("rg1")),
        az(2, g, "Group", "G1", SUB),
        az(3, g, "Group", "G1", &rg("rg2")),
    ]);
    let members = json!([{"@odata.type": "#microsoft.graph.servicePrincipal", "id": sp, "displayName": "SP"}]);
    let db = imported(
        dir.path(),
        &[
            ("asg.json", asg.to_string()),
            ("roles.json", roles().to_string()),
            (&format!("members/{g}.json"), members.to_string()),
        ],
    );
    for scope in [rg("rg1"), rg("rg2"), SUB.to_string()] {
        let (_, _, orphaned) = shown(&who(&db, &scope), sp);
        assert_eq!(orphaned, json!(true), "at {scope}");
        let out = whocan(&db)
            .args(["can", sp, READ, "--scope", &scope, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(stdout_json(&out)["principal"]["orphaned"], json!(true));
    }
}

/// A group named only as a member in a CSV edge list (`memberType` Group) is a
/// group: not answered as a principal, and its members were not imported.
#[test]
fn a_group_known_only_from_a_csv_edge_list_is_a_group_whose_members_are_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (g1, g2, u) = (
        "aaaaaaaa-1111-0000-0000-000000000001",
        "aaaaaaaa-2222-0000-0000-000000000002",
        "aaaaaaaa-3333-0000-0000-000000000003",
    );
    let asg = json!([az(1, g1, "Group", "G1", SUB)]);
    let edges = format!("groupId,memberId,memberType\n{g1},{g2},Group\n{g1},{u},User\n");
    let db = imported(
        dir.path(),
        &[
            ("asg.json", asg.to_string()),
            ("roles.json", roles().to_string()),
            ("members/edges.csv", edges),
        ],
    );
    let answer = who(&db, SUB);
    let ids: Vec<&str> = answer["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [u]);
    assert_eq!(
        answer["incomplete"],
        json!([{"groupId": g2, "reason": "members not imported"}])
    );
}

/// An assignment calling its principal deleted (`principalName: ""`, what Az
/// PowerShell's `ObjectType: Unknown` becomes) while the directory listing has
/// it: the answers call it not orphaned, and the import's summary raises no
/// `orphaned-assignment` for it either.
#[test]
fn a_listed_principal_an_assignment_calls_deleted_is_not_flagged_orphaned() {
    let dir = tempfile::tempdir().unwrap();
    let (carol, gone) = (
        "cccccccc-0000-4000-8000-00000000000c",
        "dddddddd-0000-4000-8000-00000000000d",
    );
    let data = dir.path().join("data");
    let asg = json!([az(1, carol, "User", "", SUB), az(2, gone, "User", "", SUB)]);
    let users = json!([{"id": carol, "displayName": "Carol", "userPrincipalName": "carol@contoso.com",
                        "accountEnabled": true, "userType": "Member"}]);
    write(&data, "asg.json", asg.to_string());
    write(&data, "roles.json", roles().to_string());
    write(&data, "users.json", users.to_string());
    let db = dir.path().join("w.db");
    let summary = on(&db).arg("import").arg(&data).ok_json();
    let flagged: Vec<String> = summary["flags"]
        .as_array()
        .unwrap_or_else(|| panic!("{summary:#}"))
        .iter()
        .filter(|f| f["kind"] == "orphaned-assignment")
        .flat_map(|f| f["examples"].as_array().unwrap().iter())
        .map(|e| e["detail"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert!(flagged[0].contains(gone), "{flagged:?}");
    let (_, _, orphaned) = shown(&who(&db, SUB), carol);
    assert_eq!(orphaned, json!(false));
}

/// A member file's bare entry (`@odata.type` and `id`, what a Graph page with
/// `$select=id` gives) names nothing: the names the assignment gives are shown,
/// by `who` and by `diff`, as without that entry.
#[test]
fn a_bare_member_entry_keeps_the_names_an_assignment_gives() {
    const ALICE: &str = "aaaaaaaa-0000-4000-8000-000000000001";
    const TEAM: &str = "bbbbbbbb-0000-4000-8000-000000000001";
    let dir = tempfile::tempdir().unwrap();
    let members = json!([{"@odata.type": "#microsoft.graph.user", "id": ALICE}]);
    let groups = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
        "value": [{"id": TEAM, "displayName": "Team", "securityEnabled": true, "mailEnabled": false}]});
    let db = imported(
        dir.path(),
        &[
            ("roles.json", roles().to_string()),
            ("groups.json", groups.to_string()),
            (&format!("members/{TEAM}.json"), members.to_string()),
            (
                "assignments.json",
                json!([az(1, ALICE, "User", "alice@contoso.com", SUB)]).to_string(),
            ),
        ],
    );
    let (name, upn, _) = shown(&who(&db, SUB), ALICE);
    assert_eq!(name, "alice@contoso.com");
    assert_eq!(upn, "alice@contoso.com");
    // diff names her the same (against a snapshot without the assignment).
    let dir2 = tempfile::tempdir().unwrap();
    let data = dir2.path().join("empty");
    write(&data, "roles.json", roles().to_string());
    on(&db).arg("import").arg(&data).ok_json();
    let d = on(&db)
        .args(["diff", "1", "2", "--format", "json"])
        .ok_json();
    let p = &d["principals"][ALICE];
    assert_eq!(p["displayName"], "alice@contoso.com", "{d:#}");
    assert_eq!(p["userPrincipalName"], "alice@contoso.com", "{d:#}");
}
