//! Shapes as Azure's tools really write them, beyond the documentation's
//! examples (found in az CLI test recordings, Az PowerShell session records and
//! Graph's delta and Azure AD Graph pages): each is read for what it is, or refused
//! by name, and never read as something else (a PowerShell eligibility as an
//! active assignment, a deny assignment as a resource inventory).

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::{stdout_json, whocan, write};

const SUB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const USER: &str = "80a9c553-a270-4248-a716-f94f916d5ac0";
const OTHER: &str = "f8d526a0-54eb-4941-ae69-ebf4a334d0f0";
const WRITE: &str = "Microsoft.Resources/subscriptions/resourceGroups/write";

fn rg() -> String {
    format!("{SUB}/resourceGroups/rg-sdk")
}

/// `az role definition list` with Owner only.
fn owner_role() -> String {
    json!([{
        "assignableScopes": ["/"], "description": "Grants full access",
        "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
        "name": OWNER, "roleName": "Owner", "roleType": "BuiltInRole",
        "type": "Microsoft.Authorization/roleDefinitions",
        "permissions": [{"actions": ["*"], "notActions": [], "dataActions": [], "notDataActions": []}]
    }])
    .to_string()
}

/// `az role assignment list` entries: Owner at the subscription for each principal.
fn owners(principals: &[&str]) -> String {
    let list: Vec<Value> = principals
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let guid = format!("88888888-0000-0000-0000-{n:012}");
            json!({
                "id": format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/{guid}"),
                "name": guid, "principalId": p, "principalName": format!("user{n}@contoso.com"),
                "principalType": "User",
                "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
                "roleDefinitionName": "Owner", "scope": SUB,
                "type": "Microsoft.Authorization/roleAssignments"
            })
        })
        .collect();
    Value::Array(list).to_string()
}

fn import(dir: &Path, files: &[(&str, String)]) -> (PathBuf, std::process::Output) {
    let data = dir.join("data");
    for (name, body) in files {
        write(&data, name, body);
    }
    let db = dir.join("r.db");
    let out = whocan(&db)
        .args([
            "import",
            "--taken-at",
            "2024-06-01T00:00:00Z",
            "--format",
            "json",
        ])
        .arg(&data)
        .output()
        .unwrap();
    (db, out)
}

fn imported(dir: &Path, files: &[(&str, String)]) -> (PathBuf, Value) {
    let (db, out) = import(dir, files);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (db, stdout_json(&out))
}

/// Imports `files`, which must be refused: exit 2 and no snapshot written.
/// Returns what stderr said.
fn refused(dir: &Path, files: &[(&str, String)]) -> String {
    let (db, out) = import(dir, files);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !db.exists() || crate::support::snapshots(&db).is_empty(),
        "nothing was written"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn access(db: &Path, who: &str, scope: &str) -> String {
    let out = whocan(db)
        .args(["can", who, WRITE, "--scope", scope, "--format", "json"])
        .output()
        .unwrap();
    stdout_json(&out)["access"].as_str().unwrap().to_string()
}

/// An ARM deny assignment as a session record has it: principal ids written as
/// 32 hex digits without dashes (everyone, type `Everyone`; the exclusion too).
#[test]
fn a_deny_naming_guids_without_dashes_applies() {
    let dir = tempfile::tempdir().unwrap();
    let deny = json!({"value": [{
        "id": format!("{}/providers/Microsoft.Authorization/denyAssignments/c807d002-6d77-452f-a837-4692929d12fd", rg()),
        "name": "c807d002-6d77-452f-a837-4692929d12fd",
        "type": "Microsoft.Authorization/denyAssignments",
        "properties": {
            "denyAssignmentName": "sdk deny", "scope": rg(), "doNotApplyToChildScopes": false,
            "permissions": [{"actions": ["*/write"], "notActions": [], "dataActions": [], "notDataActions": []}],
            "principals": [{"id": "00000000000000000000000000000000", "type": "Everyone"}],
            "excludePrincipals": [{"id": OTHER.replace('-', ""), "type": "User"}],
            "isSystemProtected": true
        }
    }]});
    let (db, _) = imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("ra.json", owners(&[USER, OTHER])),
            ("deny.json", deny.to_string()),
        ],
    );
    assert_eq!(access(&db, USER, &rg()), "denied");
    assert_eq!(access(&db, OTHER, &rg()), "allowed");
}

/// `Get-AzDenyAssignment | ConvertTo-Json`: one flattened permission block and
/// `PSPrincipal` entries; a deny assignment, not a resource.
#[test]
fn a_powershell_deny_assignment_is_a_deny_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let deny = json!([{
        "Id": format!("{}/providers/Microsoft.Authorization/denyAssignments/c807d002-6d77-452f-a837-4692929d12fd", rg()),
        "DenyAssignmentName": "sdk deny", "Description": "test",
        "Actions": ["*"], "NotActions": ["*/read"], "DataActions": [], "NotDataActions": [],
        "Scope": rg(), "DoNotApplyToChildScopes": false,
        "Principals": [{"DisplayName": "All Principals", "ObjectType": "SystemDefined", "ObjectId": "00000000-0000-0000-0000-000000000000"}],
        "ExcludePrincipals": [{"DisplayName": "other", "ObjectType": "User", "ObjectId": OTHER}],
        "IsSystemProtected": true
    }]);
    let (db, summary) = imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("ra.json", owners(&[USER, OTHER])),
            ("deny.json", deny.to_string()),
        ],
    );
    let counts = &summary["counts"];
    assert_eq!(
        (
            counts["denyAssignments"].clone(),
            counts["resources"].clone()
        ),
        (json!(1), json!(0)),
        "{summary}"
    );
    assert_eq!(access(&db, USER, &rg()), "denied");
    assert_eq!(access(&db, OTHER, &rg()), "allowed");
}

/// `Get-AzRoleEligibilityScheduleInstance | ConvertTo-Json`: an eligibility
/// (here ended before the snapshot), never an active assignment.
#[test]
fn a_powershell_eligibility_instance_is_an_eligibility() {
    let dir = tempfile::tempdir().unwrap();
    let elig = json!([{
        "Condition": null, "ConditionVersion": null, "CreatedOn": "2024-01-01T00:00:00Z",
        "StartDateTime": "2024-01-01T00:00:00Z", "EndDateTime": "2024-03-01T00:00:00Z",
        "Id": format!("{SUB}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/a1b2c3d4-0000-4000-8000-000000000001"),
        "MemberType": "Direct", "Name": "a1b2c3d4-0000-4000-8000-000000000001",
        "PrincipalId": USER, "PrincipalType": "User",
        "RoleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
        "RoleEligibilityScheduleId": format!("{SUB}/providers/Microsoft.Authorization/roleEligibilitySchedules/a1b2c3d4-0000-4000-8000-000000000002"),
        "Scope": SUB, "Status": "Provisioned",
        "Type": "Microsoft.Authorization/roleEligibilityScheduleInstances"
    }]);
    let (db, summary) = imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("elig.json", elig.to_string()),
        ],
    );
    let counts = &summary["counts"];
    assert_eq!(
        (
            counts["pimEligible"].clone(),
            counts["roleAssignments"].clone()
        ),
        (json!(1), json!(0)),
        "{summary}"
    );
    assert_eq!(access(&db, USER, SUB), "none", "ended before the snapshot");
}

/// A PIM schedule request (here a revoked removal) is what someone asked for,
/// not access: refused by name, nothing written.
#[test]
fn a_pim_schedule_request_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let req = json!({"value": [{
        "properties": {
            "scope": SUB, "principalId": USER, "principalType": "User",
            "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
            "requestType": "AdminRemove", "status": "Revoked",
            "scheduleInfo": {"startDateTime": "2024-01-01T00:00:00Z"}
        },
        "name": "64caffb6-55c0-4deb-a585-68e948ea1ad6",
        "id": format!("{SUB}/providers/Microsoft.Authorization/RoleEligibilityScheduleRequests/64caffb6-55c0-4deb-a585-68e948ea1ad6"),
        "type": "Microsoft.Authorization/RoleEligibilityScheduleRequests"
    }]});
    let err = refused(
        dir.path(),
        &[("roles.json", owner_role()), ("req.json", req.to_string())],
    );
    assert!(
        err.contains("req.json:") && err.contains("RoleEligibilityScheduleRequests"),
        "{err}"
    );
}

/// An Azure AD Graph users page (`odata.nextLink`, no `@`) that is one page of
/// several: no evidence that a user on a later page was deleted.
#[test]
fn an_azure_ad_graph_page_with_a_next_link_is_a_partial_listing() {
    let dir = tempfile::tempdir().unwrap();
    let users = json!({
        "odata.metadata": "https://graph.windows.net/tenant/$metadata#directoryObjects",
        "value": [{"odata.type": "Microsoft.DirectoryServices.User", "objectType": "User",
                   "objectId": OTHER, "displayName": "Other", "userPrincipalName": "other@contoso.com"}],
        "odata.nextLink": "directoryObjects/$/Microsoft.DirectoryServices.User?$skiptoken=X"
    });
    let (db, summary) = imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("ra.json", owners(&[USER, OTHER])),
            ("users.json", users.to_string()),
        ],
    );
    let flags = summary["flags"].to_string();
    assert!(flags.contains("partial-listing"), "{summary}");
    let out = whocan(&db)
        .args(["can", USER, WRITE, "--scope", SUB, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(stdout_json(&out)["principal"]["orphaned"], Value::Null);
}

/// A Graph delta page: an entry `@removed` is no directory object, and the page
/// (changes since the last round) is no evidence for its kind.
#[test]
fn a_graph_delta_page_reads_no_removed_object_as_live() {
    let dir = tempfile::tempdir().unwrap();
    let users = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(displayName,userPrincipalName)",
        "@odata.deltaLink": "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=X",
        "value": [
            {"id": OTHER, "displayName": "Other", "userPrincipalName": "other@contoso.com"},
            {"id": USER, "@removed": {"reason": "deleted"}}
        ]
    });
    let (db, summary) = imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("ra.json", owners(&[USER, OTHER])),
            ("users.json", users.to_string()),
        ],
    );
    assert_eq!(summary["counts"]["users"], json!(1), "{summary}");
    let out = whocan(&db)
        .args(["show", USER, "--format", "json"])
        .output()
        .unwrap();
    let shown = stdout_json(&out);
    assert_eq!(
        shown["principal"]["inDirectoryListing"],
        Value::Null,
        "{shown}"
    );
    assert_eq!(
        shown["principal"]["displayName"],
        json!("user0@contoso.com")
    );
}

/// `az role assignment list --include-classic-administrators`: classic
/// administrators (one whose e-mail is no UPN has `principalId: null`) are
/// flagged, not read as assignments, and the real assignments are all kept.
#[test]
fn classic_administrators_are_flagged_not_read_as_assignments() {
    let dir = tempfile::tempdir().unwrap();
    let mut list: Vec<Value> = serde_json::from_str(&owners(&[USER])).unwrap();
    for (id, email, role) in [
        (
            json!(OTHER),
            "admin@contoso.com",
            "ServiceAdministrator;AccountAdministrator",
        ),
        (Value::Null, "coadmin@live.com", "CoAdministrator"),
    ] {
        list.push(json!({
            "id": "NA(classic admins)", "name": "NA(classic admins)", "principalId": id,
            "principalName": email, "roleDefinitionId": "NA(classic admin role)",
            "roleDefinitionName": role, "scope": SUB
        }));
    }
    let (db, summary) = imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("ra.json", Value::Array(list).to_string()),
        ],
    );
    assert_eq!(summary["counts"]["roleAssignments"], json!(1), "{summary}");
    let flags: Vec<&Value> = summary["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "classic-administrator")
        .collect();
    assert_eq!(flags.len(), 1, "{summary}");
    assert_eq!(flags[0]["count"], json!(2));
    let text = flags[0].to_string();
    assert!(
        text.contains("admin@contoso.com") && text.contains("coadmin@live.com"),
        "{text}"
    );
    assert!(text.contains("Owner-equivalent"));
    assert_eq!(access(&db, USER, SUB), "allowed");
}

/// `Get-AzRoleDefinition | ConvertTo-Json` at its default -Depth: lists past it
/// come out as a type name (Windows PowerShell) or joined with spaces
/// (PowerShell 7). Either is refused at its place, never read as an action.
#[test]
fn a_powershell_role_cut_by_convertto_json_depth_is_refused_at_its_place() {
    for (n, actions) in [
        (
            "typename",
            json!("System.Collections.Generic.List`1[System.String]"),
        ),
        (
            "joined",
            json!("Microsoft.Compute/*/read Microsoft.Storage/*"),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let role = json!({"Name": "Cut", "Id": "4a9c2f0e-1a2b-4c3d-8e9f-000000000001", "IsCustom": true,
                          "Description": "", "Actions": actions, "NotActions": [],
                          "AssignableScopes": [SUB]});
        let (db, out) = import(
            dir.path(),
            &[("ps-role.json", serde_json::to_string_pretty(&role).unwrap())],
        );
        assert_eq!(out.status.code(), Some(2), "{n}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("ps-role.json:") && err.contains("-Depth"),
            "{n}: {err}"
        );
        assert!(
            !db.exists()
                || whocan(&db)
                    .args(["snapshots"])
                    .output()
                    .unwrap()
                    .status
                    .code()
                    != Some(0)
        );
    }
}

/// Az.Resources 10 (Az 16) writes a role's blocks as `Permissions`, as the
/// `-InputFile` format does: read, blocks and all.
#[test]
fn a_powershell_role_with_permissions_blocks_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let rid = "4a9c2f0e-1a2b-4c3d-8e9f-000000000002";
    let role = json!({"Name": "RG Writer", "Id": rid, "IsCustom": true, "Description": "",
                      "Permissions": [{"Actions": [WRITE], "NotActions": [], "DataActions": [],
                                       "NotDataActions": [], "Condition": null, "ConditionVersion": null}],
                      "AssignableScopes": [SUB]});
    let assignment = json!([{
        "id": format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/99999999-0000-0000-0000-000000000001"),
        "name": "99999999-0000-0000-0000-000000000001", "principalId": USER, "principalName": "u@contoso.com",
        "principalType": "User", "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{rid}"),
        "roleDefinitionName": "RG Writer", "scope": SUB
    }]);
    let (db, v) = imported(
        dir.path(),
        &[
            ("ps-role.json", role.to_string()),
            ("assignments.json", assignment.to_string()),
        ],
    );
    assert_eq!(v["counts"]["roleDefinitions"], 1, "{v:#}");
    assert_eq!(access(&db, USER, SUB), "allowed");
}

/// Search-AzGraph | ConvertTo-Json cuts a management group's `details` to text:
/// refused, since the tree (and every grant held above) would be lost.
#[test]
fn a_resource_graph_management_group_with_details_cut_to_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mgs = json!([{
        "id": "/providers/Microsoft.Management/managementGroups/mg-ml", "name": "mg-ml",
        "type": "microsoft.management/managementgroups", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "properties": {"details": "@{managementGroupAncestorsChain=System.Object[]; parent=; version=2}",
                       "displayName": "ML", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}
    }]);
    let err = refused(
        dir.path(),
        &[("mgs.json", serde_json::to_string_pretty(&mgs).unwrap())],
    );
    assert!(
        err.contains("mgs.json:") && err.contains("details: expected an object"),
        "{err}"
    );
}

/// Two `Export-Csv` files joined: the second header row is no assignment.
#[test]
fn a_header_row_repeated_inside_a_csv_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let header = "RoleAssignmentId,Scope,DisplayName,SignInName,RoleDefinitionName,RoleDefinitionId,ObjectId,ObjectType";
    let row = |n: u32| {
        format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/77777777-0000-0000-0000-00000000000{n},{SUB},U,u@contoso.com,Owner,{OWNER},{USER},User")
    };
    let csv = format!("{header}\r\n{}\r\n{header}\r\n{}\r\n", row(1), row(2));
    let err = refused(
        dir.path(),
        &[("roles.json", owner_role()), ("joined.csv", csv)],
    );
    assert!(
        err.contains("joined.csv:3:1: expected a data row, found the header row again"),
        "{err}"
    );
}

/// `az login --allow-no-subscriptions` lists the tenant as an account: no
/// subscription of that id.
#[test]
fn the_tenant_level_account_of_az_account_list_is_no_subscription() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let accounts = json!([
        {"cloudName": "AzureCloud", "homeTenantId": tenant, "id": SUB.trim_start_matches("/subscriptions/"),
         "isDefault": true, "name": "ml-sub", "state": "Enabled", "tenantId": tenant},
        {"cloudName": "AzureCloud", "id": tenant, "isDefault": false, "name": "N/A(tenant level account)",
         "state": "Enabled", "tenantId": tenant}
    ]);
    let (db, v) = imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("accounts.json", accounts.to_string()),
        ],
    );
    assert_eq!(v["counts"]["subscriptions"], 1, "{v:#}");
    let out = whocan(&db)
        .args(["who", WRITE, "--scope", &format!("/subscriptions/{tenant}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A page of assignments with more pages to follow (`skip_token`): every answer
/// says that records are missing, in `incomplete`.
#[test]
fn answers_from_a_partial_page_of_assignments_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let page = json!({"count": 1, "skip_token": "ew0KICAiJGlkIjogIjEiLA0K", "total_records": 2, "data": [{
        "id": format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/66666666-0000-0000-0000-000000000001"),
        "name": "66666666-0000-0000-0000-000000000001",
        "type": "microsoft.authorization/roleassignments",
        "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "properties": {"principalId": USER, "principalType": "User", "scope": SUB,
                       "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}")}
    }]});
    let (db, _) = imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("arg-page.json", page.to_string()),
        ],
    );
    for args in [
        vec!["who", WRITE, "--scope", SUB, "--format", "json"],
        vec!["can", USER, WRITE, "--scope", SUB, "--format", "json"],
    ] {
        let out = whocan(&db).args(&args).output().unwrap();
        let v = stdout_json(&out);
        let partial: Vec<&Value> = v["incomplete"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["reason"] == "records partial")
            .collect();
        assert_eq!(partial.len(), 1, "{args:?}: {v:#}");
        assert!(partial[0]["detail"]
            .as_str()
            .unwrap()
            .ends_with("arg-page.json"));
    }
}

/// `Get-AzRoleAssignmentScheduleInstance | ConvertTo-Json` in Windows
/// PowerShell 5.1 writes dates as `\/Date(MS)\/`: the window is read from them
/// (an activation that ended before the snapshot grants nothing, one in force
/// does), and a bound that cannot be read is refused at its place rather than
/// taken as no bound.
#[test]
fn windows_powershell_dates_bound_a_pim_activation() {
    // takenAt 2024-06-01T00:00:00Z = 1717200000000 ms.
    let activation = |principal: &str, n: u32, start: &str, end: &str| {
        json!({
            "AssignmentType": "Activated", "Condition": null, "ConditionVersion": null,
            "CreatedOn": start, "StartDateTime": start, "EndDateTime": end,
            "Id": format!("{SUB}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances/a1b2c3d4-0000-4000-8000-00000000000{n}"),
            "MemberType": "Direct", "Name": format!("a1b2c3d4-0000-4000-8000-00000000000{n}"),
            "PrincipalId": principal, "PrincipalType": "User",
            "RoleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
            "Scope": SUB, "Status": "Provisioned",
            "Type": "Microsoft.Authorization/roleAssignmentScheduleInstances"
        })
    };
    let dir = tempfile::tempdir().unwrap();
    // USER's ended a day before the snapshot; OTHER's ends a day after it.
    let pim = json!([
        activation(USER, 1, "/Date(1717027200000)/", "/Date(1717113600000)/"),
        activation(
            OTHER,
            2,
            "/Date(1717113600000+0200)/",
            "/Date(1717286400000+0200)/"
        ),
    ]);
    let (db, _) = imported(
        dir.path(),
        &[("roles.json", owner_role()), ("pim.json", pim.to_string())],
    );
    assert_eq!(access(&db, USER, SUB), "none", "ended the day before");
    assert_eq!(access(&db, OTHER, SUB), "allowed", "in force");

    let dir = tempfile::tempdir().unwrap();
    let pim = json!([activation(USER, 1, "/Date(1717027200000)/", "next Tuesday")]);
    let err = refused(
        dir.path(),
        &[("roles.json", owner_role()), ("pim.json", pim.to_string())],
    );
    assert!(err.contains("pim.json:"), "{err}");
    assert!(
        err.contains("EndDateTime") || err.contains("endDateTime"),
        "{err}"
    );
    assert!(err.contains("expected a date and time"), "{err}");
}

/// Graph's recycle bin (`GET /directory/deletedItems/microsoft.graph.group`, the
/// docs' example: `deletedDateTime` set) is no listing of the directory: read as
/// one, a deleted group holding an assignment would stop being orphaned. It is
/// refused at the first deleted object; a live listing's `deletedDateTime: null`
/// is read as usual.
#[test]
fn a_graph_recycle_bin_page_is_refused_not_read_as_a_listing() {
    let dir = tempfile::tempdir().unwrap();
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName,deletedDateTime)",
        "value": [
            {"id": OTHER, "displayName": "Role assignable group", "deletedDateTime": "2021-10-26T16:56:36Z"}
        ]
    });
    let err = refused(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("deleted.json", page.to_string()),
        ],
    );
    assert!(err.contains("deleted.json:"), "{err}");
    assert!(err.contains("recycle bin"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let live = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName,deletedDateTime)",
        "value": [{"id": OTHER, "displayName": "Role assignable group", "deletedDateTime": null}]
    });
    imported(
        dir.path(),
        &[
            ("roles.json", owner_role()),
            ("groups.json", live.to_string()),
        ],
    );
}

/// One workspace from `az resource list` (its type as registered) and from
/// `az graph query` (Resource Graph writes types in lower case) is one
/// resource, not a duplicate with different data; a different type is.
#[test]
fn a_resource_type_in_lower_case_from_resource_graph_is_the_same_resource() {
    let ws = format!(
        "{SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1"
    );
    let listed = json!([{"id": ws, "name": "ws1", "type": "Microsoft.MachineLearningServices/workspaces",
        "resourceGroup": "rg-ml", "location": "westeurope"}]);
    let graph = |t: &str| {
        json!({"count": 1, "data": [{"id": ws, "name": "ws1", "type": t, "resourceGroup": "rg-ml",
            "location": "westeurope", "subscriptionId": SUB.rsplit('/').next().unwrap()}],
            "skip_token": null, "total_records": 1})
    };
    let flags = |t: &str| -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let (_, s) = imported(
            dir.path(),
            &[
                ("resources.json", listed.to_string()),
                ("arg.json", graph(t).to_string()),
            ],
        );
        s["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let same = flags("microsoft.machinelearningservices/workspaces");
    assert!(!same.contains(&"duplicate-object".to_string()), "{same:?}");
    let other = flags("microsoft.storage/storageaccounts");
    assert!(other.contains(&"duplicate-object".to_string()), "{other:?}");
}
