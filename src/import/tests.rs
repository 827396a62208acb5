//! Unit tests of the importer: readers, detection, errors and flags, over files written
//! to a temporary directory. No database is involved.

use std::path::{Path, PathBuf};

use super::assemble::kinds as flag_kinds;
use super::*;
use crate::model::{AssignmentSource, PrincipalKind, ScopeKind, Tenant};

/// The "MLOps Custom" role exactly as Microsoft's article prints it (seed 001): note
/// the trailing comma after the last entry of `Actions`.
const MLOPS_AS_PRINTED: &str = r#"{
"Name": "MLOps Custom",
"IsCustom": true,
"Description": "Can run pipelines against a published pipeline endpoint",
"Actions": [
"Microsoft.MachineLearningServices/workspaces/read",
"Microsoft.MachineLearningServices/workspaces/endpoints/pipelines/read",
"Microsoft.MachineLearningServices/workspaces/metadata/artifacts/read",
"Microsoft.MachineLearningServices/workspaces/metadata/snapshots/read",
"Microsoft.MachineLearningServices/workspaces/environments/read",
"Microsoft.MachineLearningServices/workspaces/metadata/secrets/read",
"Microsoft.MachineLearningServices/workspaces/modules/read",
"Microsoft.MachineLearningServices/workspaces/components/read",
"Microsoft.MachineLearningServices/workspaces/datasets/*/read",
"Microsoft.MachineLearningServices/workspaces/datastores/read",
"Microsoft.MachineLearningServices/workspaces/environments/write",
"Microsoft.MachineLearningServices/workspaces/experiments/runs/read",
"Microsoft.MachineLearningServices/workspaces/experiments/runs/write",
"Microsoft.MachineLearningServices/workspaces/experiments/runs/submit/action",
"Microsoft.MachineLearningServices/workspaces/experiments/jobs/read",
"Microsoft.MachineLearningServices/workspaces/experiments/jobs/write",
"Microsoft.MachineLearningServices/workspaces/metadata/artifacts/write",
"Microsoft.MachineLearningServices/workspaces/metadata/snapshots/write",
"Microsoft.MachineLearningServices/workspaces/metadata/codes/*/write",
"Microsoft.MachineLearningServices/workspaces/environments/build/action",
],
"NotActions": [
"Microsoft.MachineLearningServices/workspaces/computes/write",
"Microsoft.MachineLearningServices/workspaces/write",
"Microsoft.MachineLearningServices/workspaces/computes/delete",
"Microsoft.MachineLearningServices/workspaces/delete",
"Microsoft.MachineLearningServices/workspaces/computes/listKeys/action",
"Microsoft.MachineLearningServices/workspaces/listKeys/action",
"Microsoft.Authorization/*"
],
"AssignableScopes": [
"/subscriptions/<subscription_id>"
]
}"#;

const G1: &str = "7e666535-0fad-42c2-be97-d2bf62869490";
const G2: &str = "55aa9bfc-ca6a-495a-9844-a4f4d88e3e26";
const U1: &str = "44ea605d-4ebd-4de4-8bea-8ea7a8bfe147";
const U2: &str = "afbd3872-fe2d-4746-977f-5b6823b4134b";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const SUB: &str = "c90828fc-bcbf-42ea-b475-9b27bdc92563";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn import(paths: &[PathBuf]) -> Result<Imported, ImportError> {
    read_inputs(paths, false)
}

fn import_one(name: &str, text: &str) -> Result<Imported, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, text);
    import(&[p])
}

fn at(err: ImportError) -> (usize, usize, String) {
    match err {
        ImportError::At {
            line,
            column,
            message,
            ..
        } => (line, column, message),
        other => panic!("expected a located error, got {other}"),
    }
}

fn flags_of<'a>(imp: &'a Imported, kind: &str) -> Vec<&'a Flag> {
    imp.flags.iter().filter(|f| f.kind == kind).collect()
}

fn reference() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

fn role_file(id: &str, name: &str) -> String {
    format!(
        r#"[{{"roleName":"{name}","name":"{id}","id":"/providers/Microsoft.Authorization/roleDefinitions/{id}",
            "roleType":"BuiltInRole","permissions":[{{"actions":["*/read"],"notActions":[],"dataActions":[],"notDataActions":[]}}],
            "assignableScopes":["/"]}}]"#
    )
}

fn az_assignment(id: &str, principal: &str, ptype: &str, role: &str, scope: &str) -> String {
    format!(
        r#"{{"id":"{scope}/providers/Microsoft.Authorization/roleAssignments/{id}","name":"{id}",
            "principalId":"{principal}","principalType":"{ptype}","principalName":"x",
            "roleDefinitionId":"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            "roleDefinitionName":"Reader","scope":"{scope}","type":"Microsoft.Authorization/roleAssignments"}}"#
    )
}

// ---------------------------------------------------------------------------------
// Malformed input.

#[test]
fn mlops_role_as_printed_fails_at_the_trailing_comma() {
    // Line 25 is the last Actions entry and ends with `,`; line 26 is `],`. The comma
    // is only an error once the parser meets the `]` at line 26, column 1.
    let lines: Vec<&str> = MLOPS_AS_PRINTED.lines().collect();
    assert!(lines[24].ends_with("build/action\","));
    assert_eq!(lines[25], "],");
    let err = import_one("mlops_custom_role.json", MLOPS_AS_PRINTED).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("mlops_custom_role.json:26:1: trailing comma"),
        "{text}"
    );
    let (line, column, message) = at(err);
    assert_eq!((line, column), (26, 1));
    assert!(message.contains("`]`"), "{message}");
}

#[test]
fn mlops_role_without_the_comma_is_a_powershell_custom_role() {
    let fixed = MLOPS_AS_PRINTED.replace("build/action\",\n]", "build/action\"\n]");
    let imp = import_one("mlops_custom_role.json", &fixed).unwrap();
    assert_eq!(imp.files[0].kind, "role-definitions");
    let role = &imp.tenant.roles[0];
    assert_eq!(role.role_name, "MLOps Custom");
    assert_eq!(role.id, "", "no Id: joined by name");
    assert!(role.is_custom());
    assert_eq!(role.permissions.len(), 1);
    assert_eq!(role.permissions[0].actions.len(), 20);
    assert_eq!(role.permissions[0].not_actions.len(), 7);
    assert_eq!(
        role.assignable_scopes,
        vec!["/subscriptions/<subscription_id>"]
    );
}

#[test]
fn empty_file_is_refused_at_1_1() {
    let (l, c, m) = at(import_one("roles.json", "").unwrap_err());
    assert_eq!((l, c), (1, 1));
    assert!(m.contains("empty file"), "{m}");
    let (l, c, m) = at(import_one("edges.csv", "").unwrap_err());
    assert_eq!((l, c), (1, 1));
    assert!(m.contains("empty file"), "{m}");
}

#[test]
fn non_utf8_is_refused_with_its_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("users.json");
    std::fs::write(&p, b"[\n {\"displayName\": \"Ren\xE9\"}\n]").unwrap();
    let err = import(&[p]).unwrap_err();
    let (l, c, m) = at(err);
    assert_eq!((l, c), (2, 22));
    assert!(m.contains("byte offset 23"), "{m}");
}

#[test]
fn array_of_numbers_is_an_unrecognised_shape() {
    let err = import_one("numbers.json", "[1, 2, 3]").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("numbers.json:1:2:"), "{text}");
    assert!(text.contains("unrecognised shape"), "{text}");
    assert!(text.contains("[0] is a number"), "{text}");
    assert!(text.contains("role definitions"), "{text}");
    let err = import_one("s.json", "\"hello\"").unwrap_err();
    assert!(
        err.to_string().contains("found a string at the top level"),
        "{err}"
    );
}

#[test]
fn missing_field_points_at_the_record() {
    let text = "{\"value\": [\n  {\"type\": \"Microsoft.Authorization/roleAssignments\",\n   \"properties\": {\"principalId\": \"p\", \"roleDefinitionId\": \"r\"}}\n]}";
    let (l, c, m) = at(import_one("a.json", text).unwrap_err());
    assert_eq!((l, c), (3, 18));
    assert!(m.contains("value[0].properties"), "{m}");
    assert!(m.contains("`scope`"), "{m}");
}

#[test]
fn wrong_type_points_at_the_value() {
    let text =
        "[{\"principalId\": \"p\", \"roleDefinitionId\": \"r\",\n  \"scope\": 42, \"id\": \"x\"}]";
    let (l, c, m) = at(import_one("a.json", text).unwrap_err());
    assert_eq!((l, c), (2, 12));
    assert!(m.contains("[0].scope"), "{m}");
    assert!(m.contains("found a number"), "{m}");
}

#[test]
fn one_file_holds_one_kind() {
    let text = format!(
        "[{}, {}]",
        az_assignment("a1", U1, "User", READER, "/"),
        &role_file(READER, "Reader")[1..role_file(READER, "Reader").len() - 1]
    );
    let err = import_one("mixed.json", &text).unwrap_err();
    assert!(err.to_string().contains("one file holds one kind"), "{err}");
}

#[test]
fn csv_missing_column_and_other_csv() {
    let err = import_one("edges.csv", "groupId,memberType\ng,User\n").unwrap_err();
    assert!(
        err.to_string()
            .ends_with("edges.csv:1:1: expected column memberId"),
        "{err}"
    );
    let err = import_one("users.csv", "id,displayName\n1,x\n").unwrap_err();
    assert!(err.to_string().contains("groupId,memberId"), "{err}");
}

#[test]
fn member_list_with_untyped_objects_needs_a_guid_stem() {
    let text =
        r#"{"value":[{"id":"11111111-2222-3333-4444-555555555555","mail":"user1@contoso.com"}]}"#;
    let err = import_one("members-of-ml.json", text).unwrap_err();
    let s = err.to_string();
    assert!(s.contains("members-of-ml.json:1:11:"), "{s}");
    assert!(s.contains("<group-object-id>.json"), "{s}");
    assert!(s.contains("`members-of-ml` is not a GUID"), "{s}");
    let imp = import_one(&format!("{G1}.json"), text).unwrap();
    assert_eq!(imp.files[0].kind, "group-members");
    assert_eq!(imp.tenant.member_edges.len(), 1);
    assert_eq!(imp.tenant.member_edges[0].group_id, G1);
    assert_eq!(imp.tenant.member_edges[0].member_kind, None);
}

// ---------------------------------------------------------------------------------
// Shapes.

#[test]
fn empty_array_is_empty_or_an_empty_member_list() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "users.json", "[]");
    let roles = write(dir.path(), "roles.json", &role_file(READER, "Reader"));
    let imp = import(&[empty, roles]).unwrap();
    assert_eq!(imp.files[0].kind, "empty");
    assert_eq!(imp.files[0].records, 0);
    let imp = import_one(&format!("{G1}.json"), " [ ] ").unwrap();
    assert_eq!(imp.files[0].kind, "group-members");
    assert_eq!(imp.tenant.member_lists, vec![G1.to_string()]);
    let imp = import_one(&format!("{G1}.json"), r#"{"value": []}"#).unwrap();
    assert_eq!(imp.tenant.member_lists, vec![G1.to_string()]);
}

#[test]
fn powershell_role_shape_is_case_insensitive_single_or_array() {
    let text = r#"[{"name":"A","id":"11111111-1111-1111-1111-111111111111","iscustom":false,
        "actions":["x/read"],"NOTACTIONS":[],"DataActions":["d/read"],"assignablescopes":["/"]},
       {"Name":"B","IsCustom":true,"Actions":[],"AssignableScopes":"/subscriptions/s"}]"#;
    let imp = import_one("roles.json", text).unwrap();
    let roles = &imp.tenant.roles;
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0].id, "11111111-1111-1111-1111-111111111111");
    assert_eq!(roles[0].role_type, "BuiltInRole");
    assert_eq!(roles[0].permissions[0].data_actions, vec!["d/read"]);
    assert_eq!(roles[1].role_type, "CustomRole");
    assert_eq!(roles[1].assignable_scopes, vec!["/subscriptions/s"]);
}

#[test]
fn arm_role_definitions() {
    let text = format!(
        r#"{{"value":[{{"id":"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
          "name":"{READER}","type":"Microsoft.Authorization/roleDefinitions",
          "properties":{{"roleName":"Reader","type":"BuiltInRole","description":"d",
            "assignableScopes":["/"],"permissions":[{{"actions":["*/read"],"notActions":[]}}]}}}}]}}"#
    );
    let imp = import_one("arm-roles.json", &text).unwrap();
    let r = &imp.tenant.roles[0];
    assert_eq!((r.id.as_str(), r.role_name.as_str()), (READER, "Reader"));
    assert_eq!(r.role_type, "BuiltInRole");
    assert_eq!(r.permissions[0].actions, vec!["*/read"]);
}

#[test]
fn schedule_instances_are_deduplicated_through_origin() {
    let dir = tempfile::tempdir().unwrap();
    let origin_id = "ed9b8180-cef7-4c77-a63c-b8566ecfc412";
    let scope = "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f";
    let instance = |origin: &str, name: &str| {
        format!(
            r#"{{"value":[{{"properties":{{"originRoleAssignmentId":"{origin}","assignmentType":"Assigned",
            "scope":"{scope}","roleDefinitionId":"{scope}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
            "principalId":"{U1}","principalType":"User","memberType":"Direct","startDateTime":"2020-09-09T21:35:27.91Z"}},
            "name":"{name}","id":"{scope}/providers/Microsoft.Authorization/RoleAssignmentScheduleInstances/{name}",
            "type":"Microsoft.Authorization/RoleAssignmentScheduleInstances"}}]}}"#
        )
    };
    let assignments = write(
        dir.path(),
        "a.json",
        &format!("[{}]", az_assignment(origin_id, U1, "User", READER, scope)),
    );
    let upper = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/{}",
        scope.to_uppercase(),
        origin_id.to_uppercase()
    );
    let matched = write(dir.path(), "b.json", &instance(&upper, origin_id));
    let imp = import(&[assignments.clone(), matched]).unwrap();
    assert_eq!(imp.files[1].kind, "pim-active");
    assert_eq!(imp.tenant.assignments.len(), 1);
    assert_eq!(imp.pim_deduplicated, 1);
    // The one record is the role assignment, made through PIM: it keeps its id and
    // takes the instance's window.
    let merged = &imp.tenant.assignments[0];
    assert!(merged.id.ends_with(origin_id), "{}", merged.id);
    assert_eq!(merged.source, AssignmentSource::PimActive);
    assert_eq!(
        merged.start_date_time.as_deref(),
        Some("2020-09-09T21:35:27.91Z")
    );
    assert_eq!(imp.pim_merged, 1);
    let counts: std::collections::HashMap<_, _> = super::counts(&imp).into_iter().collect();
    assert_eq!(counts["roleAssignments"], 1);
    assert_eq!(counts["pimActive"], 0);
    assert_eq!(counts["pimActiveDeduplicated"], 1);

    let other = "0b5fe924-9a61-425c-96af-cfe6e287ca2d";
    let unmatched = write(
        dir.path(),
        "c.json",
        &instance(
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{other}"),
            other,
        ),
    );
    let imp = import(&[assignments, unmatched]).unwrap();
    assert_eq!(imp.tenant.assignments.len(), 2);
    assert_eq!(
        imp.tenant.assignments[1].source,
        AssignmentSource::PimActive
    );
    assert_eq!(imp.tenant.assignments[1].role_definition_id, READER);
    assert_eq!(imp.pim_deduplicated, 0);
    assert_eq!(
        imp.tenant.assignments[0].source,
        AssignmentSource::RoleAssignment
    );
    assert_eq!(imp.tenant.assignments[0].start_date_time, None);

    // An instance naming the assignment but another principal is not that grant: it
    // stays a record of its own, and the assignment keeps no window.
    let other_principal = write(
        dir.path(),
        "d.json",
        &instance(
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{origin_id}"),
            "0c6fe924-9a61-425c-96af-cfe6e287ca2e",
        )
        .replace(U1, U2),
    );
    let assignments = write(
        dir.path(),
        "a.json",
        &format!("[{}]", az_assignment(origin_id, U1, "User", READER, scope)),
    );
    let imp = import(&[assignments, other_principal]).unwrap();
    assert_eq!(imp.tenant.assignments.len(), 2);
    assert_eq!(imp.pim_deduplicated, 0);
    assert_eq!(
        imp.tenant.assignments[0].source,
        AssignmentSource::RoleAssignment
    );
    assert_eq!(imp.tenant.assignments[0].start_date_time, None);
    assert_eq!(imp.tenant.assignments[1].principal_id, U2);
}

#[test]
fn management_group_show_tree_is_flattened() {
    let text = r#"{"id":"/providers/Microsoft.Management/managementGroups/contoso","name":"contoso",
      "type":"Microsoft.Management/managementGroups","displayName":"Contoso",
      "details":{"parent":{"id":"/providers/Microsoft.Management/managementGroups/root"}},
      "children":[{"id":"/providers/Microsoft.Management/managementGroups/ml","name":"ml",
         "type":"Microsoft.Management/managementGroups","displayName":"ML",
         "children":[{"id":"/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563","name":"c90828fc-bcbf-42ea-b475-9b27bdc92563",
            "type":"/subscriptions","displayName":"contoso-ml","children":null}]}]}"#;
    let imp = import_one("mg.json", text).unwrap();
    assert_eq!(imp.files[0].kind, "management-groups");
    let s = &imp.tenant.scopes;
    assert_eq!(s.len(), 3);
    assert_eq!(
        s[0].parent_id.as_deref(),
        Some("/providers/Microsoft.Management/managementGroups/root")
    );
    assert_eq!(s[1].parent_id.as_deref(), Some(s[0].id.as_str()));
    assert_eq!(s[2].kind, ScopeKind::Subscription);
    assert_eq!(s[2].parent_id.as_deref(), Some(s[1].id.as_str()));
    assert_eq!(s[2].display_name.as_deref(), Some("contoso-ml"));
}

#[test]
fn subscriptions_resources_and_derived_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let subs = write(
        dir.path(),
        "subs.json",
        &format!(
            r#"[{{"cloudName":"AzureCloud","id":"{SUB}","isDefault":true,"name":"contoso-ml","state":"Enabled","tenantId":"t"}}]"#
        ),
    );
    let res = write(
        dir.path(),
        "res.json",
        &format!(
            r#"[{{"id":"/subscriptions/{SUB}/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/ml-prod",
                 "name":"ml-prod","resourceGroup":"rg-ml-prod","location":"westeurope"}},
                {{"id":"/subscriptions/other/resourceGroups/rg-x","name":"rg-x","type":"Microsoft.Resources/resourceGroups"}}]"#
        ),
    );
    let imp = import(&[subs, res]).unwrap();
    assert_eq!(imp.files[0].kind, "subscriptions");
    assert_eq!(imp.files[1].kind, "resources");
    let s = &imp.tenant.scopes;
    let ids: Vec<(&str, ScopeKind)> = s.iter().map(|n| (n.id.as_str(), n.kind)).collect();
    let ws = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/ml-prod"
    );
    let rg = format!("/subscriptions/{SUB}/resourceGroups/rg-ml-prod");
    let sub = format!("/subscriptions/{SUB}");
    assert_eq!(
        ids,
        vec![
            (sub.as_str(), ScopeKind::Subscription),
            (ws.as_str(), ScopeKind::Resource),
            (
                "/subscriptions/other/resourceGroups/rg-x",
                ScopeKind::ResourceGroup
            ),
            (rg.as_str(), ScopeKind::ResourceGroup),
            ("/subscriptions/other", ScopeKind::Subscription),
        ]
    );
    assert_eq!(s[0].display_name.as_deref(), Some("contoso-ml"));
    assert_eq!(
        s[1].resource_type.as_deref(),
        Some("Microsoft.MachineLearningServices/workspaces"),
        "type derived from the id when the export has none"
    );
}

#[test]
fn directory_listings_and_graph_pages() {
    let text = format!(
        r##"{{"@odata.context":"x","value":[
          {{"id":"{U1}","displayName":"Alice","userPrincipalName":"alice@contoso.com","userType":"Member","accountEnabled":true}},
          {{"@odata.type":"#microsoft.graph.group","id":"{G1}","displayName":"ML"}},
          {{"id":"{U2}","displayName":"mi","appId":"a","servicePrincipalType":"ManagedIdentity"}},
          {{"id":"{G2}","displayName":"Sec","securityEnabled":true}}]}}"##
    );
    let imp = import_one("dir.json", &text).unwrap();
    assert_eq!(imp.files[0].kind, "directory");
    let kinds: Vec<PrincipalKind> = imp.tenant.principals.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        vec![
            PrincipalKind::User,
            PrincipalKind::Group,
            PrincipalKind::ManagedIdentity,
            PrincipalKind::Group
        ]
    );
    let alice = &imp.tenant.principals[0];
    assert_eq!(
        alice.user_principal_name.as_deref(),
        Some("alice@contoso.com")
    );
    assert_eq!(alice.account_enabled, Some(true));
    assert_eq!(imp.tenant.principals[2].app_id.as_deref(), Some("a"));
}

#[test]
fn partial_graph_page_is_flagged() {
    let text = format!(
        r#"{{"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=x","value":[{{"id":"{U1}","userPrincipalName":"a@b"}}]}}"#
    );
    let imp = import_one("users.json", &text).unwrap();
    assert_eq!(flags_of(&imp, flag_kinds::PARTIAL_PAGE).len(), 1);
}

#[test]
fn walking_is_sorted_recursive_and_skips_other_extensions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b/roles.json", &role_file(READER, "Reader"));
    write(dir.path(), "a/README.md", "# notes");
    write(dir.path(), "a/x.JSON", "[]");
    write(dir.path(), "c.txt", "hello");
    let imp = import(&[dir.path().to_path_buf()]).unwrap();
    let names: Vec<&str> = imp.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert!(
        names[0].ends_with("x.JSON") && names[1].ends_with("roles.json"),
        "{names:?}"
    );
    assert_eq!(imp.skipped.len(), 2);
    assert!(imp.skipped[0].ends_with("README.md"), "{:?}", imp.skipped);
    assert_eq!(imp.files[1].sha256.len(), 64);
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let err = import(&[PathBuf::from("/nonexistent/whocan/x.json")]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/whocan/x.json: cannot read"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------
// Flags.

#[test]
fn every_flag_kind_is_raised() {
    let dir = tempfile::tempdir().unwrap();
    let undefined_role = "99999999-9999-9999-9999-999999999999";
    let gone = "33333333-3333-3333-3333-333333333333";
    let no_members = "22222222-2222-2222-2222-222222222222";
    let stranger = "66666666-6666-6666-6666-666666666666";
    let roles = write(dir.path(), "1-roles.json", &role_file(READER, "Reader"));
    let directory = write(
        dir.path(),
        "2-dir.json",
        &format!(
            r#"[{{"id":"{U1}","displayName":"Alice","userPrincipalName":"a@c"}},
                {{"id":"{G1}","displayName":"Alpha","securityEnabled":true}},
                {{"id":"{G2}","displayName":"Beta","securityEnabled":true}},
                {{"id":"{no_members}","displayName":"Gamma","securityEnabled":true}},
                {{"id":"{U1}","displayName":"Alice Renamed","userPrincipalName":"a@c"}}]"#
        ),
    );
    let mut deleted = az_assignment("a2", gone, "User", READER, "/");
    deleted = deleted.replace(r#""principalName":"x""#, r#""principalName":"""#);
    let assignments = write(
        dir.path(),
        "3-assign.json",
        &format!(
            "[{}, {}, {}, {}]",
            az_assignment("a1", U1, "User", undefined_role, "/"),
            deleted,
            az_assignment("a3", G1, "Group", READER, "/"),
            az_assignment("a4", no_members, "Group", READER, "/"),
        ),
    );
    let edges = write(
        dir.path(),
        "4-edges.csv",
        &format!(
            "groupId,memberId,memberType\n{G1},{G2},Group\n{G2},{G1},Group\n{G1},{stranger},User\n"
        ),
    );
    let imp = import(&[roles, directory, assignments, edges]).unwrap();

    let undefined = flags_of(&imp, flag_kinds::UNDEFINED_ROLE);
    assert_eq!(undefined.len(), 1, "{:?}", imp.flags);
    assert!(undefined[0].subject.ends_with("/a1"));
    assert!(undefined[0].detail.contains(undefined_role));

    let orphaned = flags_of(&imp, flag_kinds::ORPHANED_ASSIGNMENT);
    assert_eq!(orphaned.len(), 1, "{:?}", imp.flags);
    assert!(orphaned[0].subject.ends_with("/a2"));
    assert!(
        orphaned[0].detail.contains("deleted"),
        "{}",
        orphaned[0].detail
    );

    let unknown = flags_of(&imp, flag_kinds::UNKNOWN_MEMBER);
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].subject, stranger);
    assert!(unknown[0].detail.contains("Alpha"), "{}", unknown[0].detail);

    let cycle = flags_of(&imp, flag_kinds::MEMBERSHIP_CYCLE);
    assert_eq!(cycle.len(), 1);
    assert!(
        cycle[0].detail.contains("Beta → Alpha → Beta"),
        "{}",
        cycle[0].detail
    );

    let missing = flags_of(&imp, flag_kinds::MEMBERS_NOT_IMPORTED);
    assert_eq!(missing.len(), 1, "{:?}", imp.flags);
    assert_eq!(missing[0].subject, no_members);
    assert!(missing[0].detail.contains("Gamma"), "{}", missing[0].detail);

    let dup = flags_of(&imp, flag_kinds::DUPLICATE_OBJECT);
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].subject, U1);
    assert_eq!(
        imp.tenant.principals[0].display_name, "Alice",
        "the first listing is kept"
    );
}

#[test]
fn custom_role_without_id_is_joined_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let role = write(
        dir.path(),
        "role.json",
        r#"{"Name":"MLOps Custom","IsCustom":true,"Actions":["*/read"],"AssignableScopes":["/"]}"#,
    );
    let unknown_guid = "6bd5bae3-dc25-452d-912b-d0fa28d1b8ea";
    let a = az_assignment("a1", U1, "User", unknown_guid, "/").replace(
        r#""roleDefinitionName":"Reader""#,
        r#""roleDefinitionName":"mlops custom""#,
    );
    let assignments = write(dir.path(), "a.json", &format!("[{a}]"));
    let imp = import(&[role, assignments]).unwrap();
    assert!(
        flags_of(&imp, flag_kinds::UNDEFINED_ROLE).is_empty(),
        "{:?}",
        imp.flags
    );
    assert_eq!(imp.tenant.assignments[0].role_definition_id, unknown_guid);
}

#[test]
fn nested_group_without_members_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let roles = write(dir.path(), "roles.json", &role_file(READER, "Reader"));
    let a = write(
        dir.path(),
        "a.json",
        &format!("[{}]", az_assignment("a1", G1, "Group", READER, "/")),
    );
    let members = write(
        dir.path(),
        &format!("{G1}.json"),
        &format!(
            r##"[{{"@odata.type":"#microsoft.graph.group","id":"{G2}","displayName":"Inner"}}]"##
        ),
    );
    let imp = import(&[roles, a, members]).unwrap();
    let missing = flags_of(&imp, flag_kinds::MEMBERS_NOT_IMPORTED);
    assert_eq!(missing.len(), 1, "{:?}", imp.flags);
    assert_eq!(missing[0].subject, G2);
    assert!(
        missing[0].detail.contains("nested in group"),
        "{}",
        missing[0].detail
    );
}

#[test]
fn identical_duplicates_are_merged_silently() {
    let dir = tempfile::tempdir().unwrap();
    let r1 = write(dir.path(), "r1.json", &role_file(READER, "Reader"));
    let r2 = write(
        dir.path(),
        "r2.json",
        &role_file(&READER.to_uppercase(), "Reader"),
    );
    let imp = import(&[r1, r2]).unwrap();
    assert_eq!(imp.tenant.roles.len(), 1);
    assert!(imp.flags.is_empty(), "{:?}", imp.flags);
}

// ---------------------------------------------------------------------------------
// Reference data (skipped when ../shared is absent).

#[test]
fn reference_roles_and_operations_counts() {
    let Some(r) = reference() else { return };
    let imp = import(&[
        r.join("builtin-role-definitions.json"),
        r.join("provider-operations-machinelearningservices.json"),
        r.join("provider-operations-authorization.json"),
    ])
    .unwrap();
    assert_eq!(imp.tenant.roles.len(), 928);
    assert_eq!(imp.files[0].records, 928);
    assert_eq!(imp.files[1].records, 324);
    assert_eq!(imp.files[2].records, 75);
    assert_eq!(imp.tenant.operations.len(), 399);
    assert!(imp
        .tenant
        .roles
        .iter()
        .all(|r| r.role_type == "BuiltInRole"));
    assert_eq!(
        imp.tenant
            .roles
            .iter()
            .filter(|r| r.permissions.len() > 1)
            .count(),
        16
    );
    let owner = imp
        .tenant
        .roles
        .iter()
        .find(|r| r.role_name == "Owner")
        .unwrap();
    assert_eq!(owner.id, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
    let ws_read = imp
        .tenant
        .operations
        .iter()
        .find(|o| o.name == "Microsoft.MachineLearningServices/workspaces/read")
        .unwrap();
    assert_eq!(ws_read.provider, "Microsoft.MachineLearningServices");
    assert_eq!(ws_read.resource_type, "workspaces");
    assert!(imp.tenant.operations.iter().all(|o| !o.is_data_action));
}

#[test]
fn reference_examples_import_or_are_refused_with_a_reason() {
    let Some(r) = reference() else { return };
    let ex = r.join("examples");
    let one = |name: &str| import(&[ex.join(name)]);

    let imp = one("az-role-assignment-list.json").unwrap();
    assert_eq!(imp.files[0].kind, "role-assignments");
    assert_eq!(imp.tenant.assignments.len(), 6);
    let deleted = &imp.tenant.assignments[3];
    assert_eq!(deleted.principal_name.as_deref(), Some(""));
    assert_eq!(deleted.principal_type, "");
    assert_eq!(
        deleted.role_definition_id,
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
    );
    assert_eq!(imp.tenant.assignments[2].scope, "/");
    assert_eq!(
        imp.tenant.assignments[5].condition_version.as_deref(),
        Some("2.0")
    );

    let imp = one("arm-role-assignments-list-for-scope.json").unwrap();
    assert_eq!(imp.files[0].kind, "role-assignments");
    let a = &imp.tenant.assignments[0];
    assert_eq!(a.role_definition_id, "0b5fe924-9a61-425c-96af-cfe6e287ca2d");
    assert_eq!(a.principal_id, "ce2ce14e-85d7-4629-bdbc-454d0519d987");
    assert_eq!(
        a.scope,
        "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2"
    );
    assert_eq!(a.principal_name, None);

    let imp = one("arm-deny-assignments.json").unwrap();
    assert_eq!(imp.files[0].kind, "deny-assignments");
    let d = &imp.tenant.denies[0];
    assert_eq!(d.name, "Deny assignment name");
    assert_eq!(d.principals[0].id, "principalId1");
    assert_eq!(d.exclude_principals[0].kind, "principalType2");
    assert!(!d.do_not_apply_to_child_scopes);
    assert_eq!(d.permissions[0].data_actions, vec!["action"]);

    let imp = one("arm-role-eligibility-schedule-instances.json").unwrap();
    assert_eq!(imp.files[0].kind, "pim-eligibility");
    let e = &imp.tenant.eligibilities[0];
    assert_eq!(e.role_definition_id, "b24988ac-6180-42a0-ab88-20f7382dd24c");
    assert_eq!(e.end_date_time.as_deref(), Some("2021-09-10T00:31:41.477Z"));
    assert_eq!(e.member_type.as_deref(), Some("Direct"));

    let imp = one("arm-role-assignment-schedule-instances.json").unwrap();
    assert_eq!(imp.files[0].kind, "pim-active");
    assert_eq!(imp.tenant.assignments.len(), 1);
    assert_eq!(
        imp.tenant.assignments[0].source,
        AssignmentSource::PimActive
    );

    // Not named after a group: a directory listing (one user, one group).
    let imp = one("az-ad-group-member-list.json").unwrap();
    assert_eq!(imp.files[0].kind, "directory");
    let kinds: Vec<PrincipalKind> = imp.tenant.principals.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![PrincipalKind::User, PrincipalKind::Group]);

    let imp = one("graph-group-transitivemembers.json").unwrap();
    assert_eq!(imp.files[0].kind, "directory");
    let imp = one("graph-group-transitivemembers-cast-group.json").unwrap();
    assert_eq!(imp.tenant.principals.len(), 2);

    // Untyped directory objects in a file not named after a group: refused.
    let err = one("graph-group-members.json").unwrap_err();
    assert!(err.to_string().contains("is not a GUID"), "{err}");

    // The same member list named after its group imports as direct members.
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join(format!("{G1}.json"));
    std::fs::copy(ex.join("az-ad-group-member-list.json"), &named).unwrap();
    let imp = import(&[named]).unwrap();
    assert_eq!(imp.files[0].kind, "group-members");
    let kinds: Vec<Option<PrincipalKind>> = imp
        .tenant
        .member_edges
        .iter()
        .map(|e| e.member_kind)
        .collect();
    assert_eq!(
        kinds,
        vec![Some(PrincipalKind::User), Some(PrincipalKind::Group)]
    );
}

// ---------------------------------------------------------------------------------
// Issue 9: every shape of SPEC §1's table, every rule under it. The fixtures are in
// `tests/fixtures/shapes/` (see its README for where each shape comes from).

const FIX_SUB_A: &str = "1b7c5a3e-2f4d-4c6b-9a8e-0d1f2e3c4b5a";
const FIX_SUB_B: &str = "2c8d6b4f-3a5e-4d7c-8b9f-1e2a3f4d5c6b";
const FIX_SUB_C: &str = "3d9e7c5a-4b6f-4e8d-9caa-2f3b4a5e6d7c";
const FIX_SUB_D: &str = "4eaf8d6b-5c7a-4f9e-8dbb-3a4c5b6f7e8d";
const FIX_TENANT: &str = "8c1f4b2a-6d3e-4f5a-9b7c-0e1d2c3b4a59";
const FIX_G1: &str = "3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a";
const FIX_G2: &str = "8c9d0e1f-2a3b-4c4d-8e5f-7a8b9c0d1e2f";
const FIX_ALAIN: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const FIX_BEA: &str = "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e";
const FIX_DEVICE: &str = "5f6a7b8c-9d0e-4f1a-9b2c-4d5e6f7a8b9c";
const FIX_CONTACT: &str = "6a7b8c9d-0e1f-4a2b-8c3d-5e6f7a8b9c0d";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/shapes")
        .join(rel)
}

fn mg(name: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{name}")
}

fn sub(guid: &str) -> String {
    format!("/subscriptions/{guid}")
}

/// Each scope's parent, by id.
fn parents(t: &Tenant) -> std::collections::HashMap<String, Option<String>> {
    t.scopes
        .iter()
        .map(|s| (s.id.clone(), s.parent_id.clone()))
        .collect()
}

/// It used to read as one directory object (ObjectId, ObjectType) and the
/// assignment vanished.
#[test]
fn get_azroleassignment_json_is_read_as_role_assignments() {
    let imp = import(&[fixture("powershell/get-azroleassignment.json")]).unwrap();
    assert_eq!(imp.files[0].kind, "role-assignments");
    assert!(
        imp.tenant.principals.is_empty(),
        "{:?}",
        imp.tenant.principals
    );
    let a = &imp.tenant.assignments;
    assert_eq!(a.len(), 4);
    let user = &a[0];
    assert_eq!(
        user.id,
        format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
            mg("ml-platform")
        )
    );
    assert_eq!(user.scope, mg("ml-platform"));
    assert_eq!(user.principal_id, FIX_ALAIN);
    assert_eq!(user.principal_type, "User");
    assert_eq!(user.principal_name.as_deref(), Some("alain@contoso.com"));
    assert_eq!(user.principal_display_name.as_deref(), Some("Alain Charon"));
    assert_eq!(user.role_definition_id, READER);
    assert_eq!(user.role_definition_name.as_deref(), Some("Reader"));
    assert_eq!(user.can_delegate, Some(false));
    // No sign-in name: the display name is the principal's name.
    let sp = &a[1];
    assert_eq!(sp.principal_type, "ServicePrincipal");
    assert_eq!(sp.principal_name.as_deref(), Some("ml-deploy-pipeline"));
    assert_eq!(sp.can_delegate, Some(true));
    let group = &a[2];
    assert_eq!(group.condition_version.as_deref(), Some("2.0"));
    assert!(group
        .condition
        .as_deref()
        .unwrap()
        .contains("StringEquals 'models'"));
    // ObjectType Unknown: deleted, the evidence an orphan needs.
    let deleted = &a[3];
    assert_eq!(deleted.principal_type, "Unknown");
    assert_eq!(deleted.principal_name.as_deref(), Some(""));
    assert_eq!(deleted.principal_display_name, None);
    let orphaned = flags_of(&imp, flag_kinds::ORPHANED_ASSIGNMENT);
    assert!(
        orphaned
            .iter()
            .any(|f| f.subject == deleted.id && f.detail.contains("deleted")),
        "{orphaned:?}"
    );

    let imp = import(&[fixture("powershell/get-azroleassignment-single.json")]).unwrap();
    assert_eq!(imp.files[0].kind, "role-assignments");
    assert_eq!(imp.tenant.assignments.len(), 1);
    assert_eq!(
        imp.tenant.assignments[0].principal_name.as_deref(),
        Some("bea@contoso.com")
    );
}

#[test]
fn get_azroledefinition_json_reads_builtin_and_custom_roles() {
    let imp = import(&[fixture("powershell/get-azroledefinition.json")]).unwrap();
    assert_eq!(imp.files[0].kind, "role-definitions");
    let roles = &imp.tenant.roles;
    assert_eq!(roles.len(), 2);
    assert_eq!(
        (roles[0].id.as_str(), roles[0].role_name.as_str()),
        (READER, "Reader")
    );
    assert_eq!(roles[0].role_type, "BuiltInRole");
    assert_eq!(roles[0].permissions[0].actions, vec!["*/read"]);
    assert_eq!(roles[1].role_type, "CustomRole");
    let block = &roles[1].permissions[0];
    assert_eq!(
        block.data_actions,
        vec!["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]
    );
    assert_eq!(block.condition_version.as_deref(), Some("2.0"));
    assert!(block
        .condition
        .as_deref()
        .unwrap()
        .contains("ActionMatches"));
}

/// The parent of a `getEntities` item is under `properties`: it used to be lost.
#[test]
fn arm_get_entities_keeps_each_parent() {
    let imp = import(&[fixture("arm-management-groups/get-entities.json")]).unwrap();
    assert_eq!(imp.files[0].kind, "management-groups");
    let p = parents(&imp.tenant);
    assert_eq!(p[&mg(FIX_TENANT)], None);
    assert_eq!(p[&mg("ml-platform")], Some(mg(FIX_TENANT)));
    assert_eq!(p[&sub(FIX_SUB_A)], Some(mg("ml-platform")));
    let s = imp
        .tenant
        .scopes
        .iter()
        .find(|s| s.id == sub(FIX_SUB_A))
        .unwrap();
    assert_eq!(s.kind, ScopeKind::Subscription);
    assert_eq!(s.display_name.as_deref(), Some("ml-platform-shared"));
}

/// `details.parent` and `children` are under `properties`: the children used to be
/// lost.
#[test]
fn arm_management_group_expand_recurse_keeps_the_nested_children() {
    let imp = import(&[fixture(
        "arm-management-groups/get-management-group-expand-recurse.json",
    )])
    .unwrap();
    let p = parents(&imp.tenant);
    assert_eq!(p.len(), 4, "{p:?}");
    assert_eq!(p[&mg("ml-platform")], Some(mg(FIX_TENANT)));
    assert_eq!(p[&mg("ml-prod")], Some(mg("ml-platform")));
    assert_eq!(p[&sub(FIX_SUB_B)], Some(mg("ml-prod")));
    assert_eq!(p[&sub(FIX_SUB_A)], Some(mg("ml-platform")));
    let platform = imp
        .tenant
        .scopes
        .iter()
        .find(|s| s.id == mg("ml-platform"))
        .unwrap();
    assert_eq!(platform.display_name.as_deref(), Some("ML Platform"));
}

/// A group's subscriptions list names each subscription
/// `/providers/.../managementGroups/{g}/subscriptions/{sub}`: it used to become a
/// node of that id instead of `/subscriptions/{sub}`.
#[test]
fn arm_management_group_subscriptions_become_subscriptions_under_the_group() {
    let imp = import(&[fixture(
        "arm-management-groups/management-group-subscriptions.json",
    )])
    .unwrap();
    let s = &imp.tenant.scopes;
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].id, sub(FIX_SUB_C));
    assert_eq!(s[0].kind, ScopeKind::Subscription);
    assert_eq!(s[0].name, FIX_SUB_C);
    assert_eq!(s[0].parent_id, Some(mg("ml-prod")));
    assert_eq!(s[0].display_name.as_deref(), Some("ml-prod-serving"));
}

#[test]
fn the_subscriptions_list_without_a_parent_takes_it_from_the_id() {
    let text = format!(
        r#"{{"value":[{{"name":"{FIX_SUB_C}","id":"/providers/Microsoft.Management/managementGroups/Group/subscriptions/{FIX_SUB_C}",
           "type":"Microsoft.Management/managementGroups/subscriptions","properties":{{"displayName":"S5","state":"Active"}}}}]}}"#
    );
    let imp = import_one("subs-of-group.json", &text).unwrap();
    assert_eq!(imp.tenant.scopes[0].parent_id, Some(mg("Group")));
}

/// A Resource Graph file mixes kinds; it used to be refused ("one file holds one
/// kind of record").
#[test]
fn az_graph_query_output_is_read_row_by_row() {
    let imp = import(&[fixture("resource-graph/az-graph-query.json")]).unwrap();
    assert_eq!(imp.files[0].kind, "resource-graph");
    let t = &imp.tenant;
    assert_eq!(t.assignments.len(), 1);
    let a = &t.assignments[0];
    assert_eq!(a.principal_id, FIX_BEA);
    assert_eq!(a.role_definition_id, "0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b");
    assert_eq!(
        a.scope,
        format!("{}/resourceGroups/rg-research", sub(FIX_SUB_D))
    );
    assert_eq!(t.roles.len(), 1);
    assert_eq!(t.roles[0].role_name, "ML Research Reader");
    assert_eq!(t.roles[0].role_type, "CustomRole");
    // The subscription's chain (nearest first) gives its parent and each group's.
    let p = parents(t);
    assert_eq!(p[&sub(FIX_SUB_D)], Some(mg("ml-prod")));
    assert_eq!(p[&mg("ml-prod")], Some(mg("ml-platform")));
    assert_eq!(p[&mg("ml-platform")], Some(mg(FIX_TENANT)));
    assert_eq!(p[&mg(FIX_TENANT)], None);
    let s = t.scopes.iter().find(|s| s.id == sub(FIX_SUB_D)).unwrap();
    assert_eq!(s.name, FIX_SUB_D);
    assert_eq!(s.display_name.as_deref(), Some("ml-research"));
    let ws = t
        .scopes
        .iter()
        .find(|s| s.name == "ml-research" && s.kind == ScopeKind::Resource)
        .unwrap();
    assert_eq!(
        ws.resource_type.as_deref(),
        Some("microsoft.machinelearningservices/workspaces")
    );
    assert!(t
        .scopes
        .iter()
        .any(|s| s.kind == ScopeKind::ResourceGroup && s.name == "rg-research"));
    assert!(imp.flags.is_empty() || flags_of(&imp, flag_kinds::DUPLICATE_OBJECT).is_empty());
}

#[test]
fn search_azgraph_rows_in_a_bare_array_are_read_row_by_row() {
    let imp = import(&[fixture("resource-graph/search-azgraph.json")]).unwrap();
    assert_eq!(imp.files[0].kind, "resource-graph");
    assert_eq!(imp.files[0].records, 2);
    let t = &imp.tenant;
    assert_eq!(t.roles.len(), 1);
    assert_eq!(t.roles[0].id, READER);
    assert_eq!(t.roles[0].role_type, "BuiltInRole");
    assert_eq!(t.assignments.len(), 1);
    assert_eq!(t.assignments[0].principal_type, "ServicePrincipal");
    assert!(flags_of(&imp, flag_kinds::UNDEFINED_ROLE).is_empty());
}

#[test]
fn a_resource_graph_page_with_a_skip_token_is_partial() {
    let text = r#"{"count":1,"data":[{"id":"/subscriptions/s/resourceGroups/rg","name":"rg",
        "type":"microsoft.resources/subscriptions/resourcegroups","tenantId":"t","subscriptionId":"s",
        "properties":{}}],"skip_token":"ew0KICAiJGlkIjogIjEiLA0K","total_records":2}"#;
    let imp = import_one("arg.json", text).unwrap();
    assert_eq!(flags_of(&imp, flag_kinds::PARTIAL_PAGE).len(), 1);
}

#[test]
fn a_resource_graph_row_of_another_authorization_type_is_refused_by_name() {
    let text = r#"{"count":1,"data":[{"id":"/subscriptions/s/providers/Microsoft.Authorization/classicAdministrators/x",
        "name":"x","type":"microsoft.authorization/classicadministrators","tenantId":"t","subscriptionId":"s",
        "properties":{"emailAddress":"a@b","role":"ServiceAdministrator"}}],"skip_token":null,"total_records":1}"#;
    let err = import_one("arg.json", text).unwrap_err().to_string();
    assert!(err.contains("arg.json:1:"), "{err}");
    assert!(
        err.contains("`microsoft.authorization/classicadministrators`"),
        "{err}"
    );
}

/// Role eligibilities and active instances are `authorizationresources` rows too.
#[test]
fn resource_graph_pim_rows_are_read_by_their_type() {
    let row = |typ: &str, name: &str, extra: &str| {
        format!(
            r#"{{"id":"/subscriptions/{SUB}/providers/Microsoft.Authorization/{typ}/{name}","name":"{name}",
            "type":"microsoft.authorization/{typ}","tenantId":"t","subscriptionId":"{SUB}","resourceGroup":"",
            "properties":{{"scope":"/subscriptions/{SUB}","principalId":"{U1}","principalType":"User",
              "roleDefinitionId":"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
              "startDateTime":"2026-01-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"{extra}}}}}"#
        )
    };
    let text = format!(
        r#"{{"count":3,"data":[{},{},{}],"skip_token":null,"total_records":3}}"#,
        row(
            "roleeligibilityscheduleinstances",
            "e1",
            r#","memberType":"Direct""#
        ),
        row(
            "roleassignmentscheduleinstances",
            "p1",
            r#","assignmentType":"Activated""#
        ),
        &role_file(READER, "Reader")[1..role_file(READER, "Reader").len() - 1],
    );
    let imp = import_one("arg.json", &text).unwrap();
    assert_eq!(imp.files[0].kind, "resource-graph");
    assert_eq!(imp.files[0].records, 3);
    let t = &imp.tenant;
    assert_eq!(t.eligibilities.len(), 1);
    assert_eq!(
        t.eligibilities[0].end_date_time.as_deref(),
        Some("2027-01-01T00:00:00Z")
    );
    assert_eq!(t.assignments.len(), 1);
    assert_eq!(t.assignments[0].source, AssignmentSource::PimActive);
    assert_eq!(t.roles.len(), 1);
}

#[test]
fn pim_for_groups_instances_become_group_eligibilities() {
    let imp = import(&[
        fixture("pim-groups/eligibility-schedule-instances.json"),
        fixture("pim-groups/assignment-schedule-instances.json"),
    ])
    .unwrap();
    assert_eq!(imp.files[0].kind, "pim-groups");
    let g = &imp.tenant.group_eligibilities;
    assert_eq!(g.len(), 3);
    assert!(g.iter().all(|e| e.group_id == FIX_G1));
    assert_eq!(g[0].principal_id, FIX_BEA);
    assert_eq!(g[0].access_id, "member");
    assert_eq!(g[0].end_date_time.as_deref(), Some("2026-12-01T00:00:00Z"));
    assert!(!g[0].active);
    // No eligibilityScheduleId on the record: the page's @odata.context tells.
    assert_eq!(g[1].access_id, "owner");
    assert!(!g[1].active);
    assert_eq!(g[1].member_type.as_deref(), Some("Direct"));
    assert!(g[2].active);
    assert_eq!(
        g[2].end_date_time.as_deref(),
        Some("2026-10-27T15:47:19.653Z")
    );
}

#[test]
fn a_pim_for_groups_record_that_cannot_tell_eligible_from_active_is_refused() {
    let text = format!(
        r#"[{{"id":"x","groupId":"{G1}","principalId":"{U1}","accessId":"member","memberType":"Direct"}}]"#
    );
    let err = import_one("pim.json", &text).unwrap_err().to_string();
    assert!(err.contains("pim.json:1:2:"), "{err}");
    assert!(err.contains("eligible or active"), "{err}");
}

/// A page trimmed with `$select` has no per-item type: it used to be refused as
/// "a directory object whose type cannot be told".
#[test]
fn a_select_trimmed_graph_page_takes_its_type_from_odata_context() {
    let imp = import(&[fixture("graph/users-select.json")]).unwrap();
    assert_eq!(imp.files[0].kind, "directory");
    let p = &imp.tenant.principals;
    assert!(p.iter().all(|p| p.kind == PrincipalKind::User), "{p:?}");
    assert_eq!(p[0].mail.as_deref(), Some("alain.charon@contoso.com"));
    assert!(p[0].other_mails.is_empty());
    assert_eq!(p[1].mail, None);
    assert_eq!(p[1].other_mails, vec!["kim@fabrikam.example"]);
    assert_eq!(p[1].account_enabled, Some(true));

    let imp = import(&[fixture("graph/devices-select.json")]).unwrap();
    assert_eq!(imp.tenant.principals[0].kind, PrincipalKind::Device);

    // Each collection, with a $select list, a cast or `/$entity`.
    for (context, kind) in [
        ("$metadata#groups(id,displayName)", PrincipalKind::Group),
        (
            "$metadata#servicePrincipals",
            PrincipalKind::ServicePrincipal,
        ),
        ("$metadata#contacts(id)", PrincipalKind::OrgContact),
        ("$metadata#users/$entity", PrincipalKind::User),
    ] {
        let text = format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/{context}","value":[{{"id":"{U2}","displayName":"x"}}]}}"#
        );
        let imp = import_one("page.json", &text).unwrap();
        assert_eq!(imp.tenant.principals[0].kind, kind, "{context}");
    }
}

#[test]
fn a_records_own_odata_type_wins_over_the_pages_context() {
    let text = format!(
        r##"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
            {{"@odata.type":"#microsoft.graph.group","id":"{G1}","displayName":"g"}},
            {{"id":"{U1}","displayName":"u"}}]}}"##
    );
    let imp = import_one("page.json", &text).unwrap();
    let kinds: Vec<PrincipalKind> = imp.tenant.principals.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![PrincipalKind::Group, PrincipalKind::User]);
}

#[test]
fn az_ad_user_list_keeps_mail_and_other_mails() {
    let text = format!(
        r#"[{{"businessPhones":[],"displayName":"Kim","givenName":"Kim","id":"{U1}","jobTitle":null,
            "mail":"kim@contoso.com","mobilePhone":null,"officeLocation":null,"preferredLanguage":null,
            "surname":"Guest","userPrincipalName":"kim_fabrikam.example#EXT#@contoso.onmicrosoft.com",
            "otherMails":["kim@fabrikam.example"]}}]"#
    );
    let imp = import_one("users.json", &text).unwrap();
    let p = &imp.tenant.principals[0];
    assert_eq!(p.mail.as_deref(), Some("kim@contoso.com"));
    assert_eq!(p.other_mails, vec!["kim@fabrikam.example"]);
}

/// A member file's entries used to give edges only: who a member in no listing is
/// (name, UPN, type) was dropped.
#[test]
fn a_member_file_keeps_each_members_identity() {
    let members = fixture(&format!("graph/members/{FIX_G1}.json"));
    let imp = import(std::slice::from_ref(&members)).unwrap();
    assert_eq!(imp.files[0].kind, "group-members");
    let t = &imp.tenant;
    let by_id = |id: &str| t.principals.iter().find(|p| p.id == id).unwrap();
    let bea = by_id(FIX_BEA);
    assert!(bea.from_member_list);
    assert_eq!(bea.kind, PrincipalKind::User);
    assert_eq!(bea.display_name, "Bea Lindqvist");
    assert_eq!(bea.user_principal_name.as_deref(), Some("bea@contoso.com"));
    assert_eq!(bea.mail.as_deref(), Some("bea@contoso.com"));
    // Devices and contacts: members, never principals.
    assert_eq!(by_id(FIX_DEVICE).kind, PrincipalKind::Device);
    assert_eq!(by_id(FIX_CONTACT).kind, PrincipalKind::OrgContact);
    assert!(!by_id(FIX_CONTACT).kind.is_principal());
    let edge_kind = |id: &str| {
        t.member_edges
            .iter()
            .find(|e| e.member_id == id)
            .unwrap()
            .member_kind
    };
    assert_eq!(edge_kind(FIX_DEVICE), Some(PrincipalKind::Device));
    assert_eq!(edge_kind(FIX_CONTACT), Some(PrincipalKind::OrgContact));
    // Known from the member file only: still no evidence of a listing.
    assert_eq!(flags_of(&imp, flag_kinds::UNKNOWN_MEMBER).len(), 4);
    // Its count is apart from the listings'.
    let counts: std::collections::HashMap<&str, usize> = counts(&imp).into_iter().collect();
    assert_eq!(counts["users"], 0);
    assert_eq!(counts["membersKnownOnlyFromMemberFiles"], 4);

    // A listing of the same id wins, whichever file comes first.
    let dir = tempfile::tempdir().unwrap();
    let listing = write(
        dir.path(),
        "zz-users.json",
        &format!(
            r#"[{{"id":"{FIX_BEA}","displayName":"Bea L. (listing)","userPrincipalName":"bea@contoso.com","accountEnabled":false}}]"#
        ),
    );
    for order in [[members.clone(), listing.clone()], [listing, members]] {
        let imp = import(&order).unwrap();
        let bea = imp
            .tenant
            .principals
            .iter()
            .find(|p| p.id == FIX_BEA)
            .unwrap();
        assert!(!bea.from_member_list);
        assert_eq!(bea.display_name, "Bea L. (listing)");
        assert_eq!(bea.account_enabled, Some(false));
        assert!(flags_of(&imp, flag_kinds::DUPLICATE_OBJECT).is_empty());
        assert!(!flags_of(&imp, flag_kinds::UNKNOWN_MEMBER)
            .iter()
            .any(|f| f.subject == FIX_BEA));
        assert_eq!(
            imp.tenant
                .principals
                .iter()
                .filter(|p| p.id == FIX_BEA)
                .count(),
            1
        );
    }
}

#[test]
fn a_member_entry_with_only_an_id_adds_no_principal() {
    let text = r#"[{"id":"11111111-2222-3333-4444-555555555555"}]"#;
    let imp = import_one(&format!("{G1}.json"), text).unwrap();
    assert_eq!(imp.tenant.member_edges.len(), 1);
    assert!(imp.tenant.principals.is_empty());
}

/// One page of several: the group's member list is partial (SPEC §4 `members
/// partial`), not complete.
#[test]
fn a_member_page_with_a_next_link_is_a_partial_member_list() {
    let imp = import(&[
        fixture(&format!("graph/members/{FIX_G1}.json")),
        fixture(&format!("graph/members/{FIX_G2}.json")),
    ])
    .unwrap();
    assert_eq!(imp.tenant.partial_member_lists, vec![FIX_G2.to_string()]);
    assert_eq!(imp.tenant.member_lists.len(), 2);
    let partial = flags_of(&imp, flag_kinds::PARTIAL_PAGE);
    assert_eq!(partial.len(), 1);
    assert!(partial[0].subject.ends_with(&format!("{FIX_G2}.json")));
}

/// The catalogue may list one name in both planes; the assembler used to keep the
/// first by name (and flag the second as a duplicate).
#[test]
fn an_operation_in_both_planes_keeps_both_entries_whatever_the_order() {
    let imp = import(&[fixture("operations/keyvault-both-planes.json")]).unwrap();
    let keys: Vec<(&str, bool)> = imp
        .tenant
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o.is_data_action))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("Microsoft.KeyVault/vaults/keys/read", true),
            ("Microsoft.KeyVault/vaults/keys/read", false),
            ("Microsoft.KeyVault/vaults/keys/update/action", true),
        ]
    );
    assert!(imp.flags.is_empty(), "{:?}", imp.flags);
    // Control plane first, in another file, and the same again: still two, once each.
    let dir = tempfile::tempdir().unwrap();
    let control = write(
        dir.path(),
        "a.json",
        r#"{"name":"Microsoft.KeyVault","operations":[{"name":"Microsoft.KeyVault/vaults/keys/read","isDataAction":false}]}"#,
    );
    let both = fixture("operations/keyvault-both-planes.json");
    let imp = import(&[control, both.clone(), both]).unwrap();
    let planes: Vec<bool> = imp
        .tenant
        .operations
        .iter()
        .filter(|o| o.name == "Microsoft.KeyVault/vaults/keys/read")
        .map(|o| o.is_data_action)
        .collect();
    assert_eq!(planes, vec![false, true]);
    assert_eq!(
        imp.tenant.operations[0].display_name.as_deref(),
        Some("List Keys"),
        "the missing display name is filled from the same plane's entry"
    );
}

#[test]
fn a_json_file_in_a_members_folder_must_be_named_after_its_group() {
    let dir = tempfile::tempdir().unwrap();
    let listing = format!(r#"[{{"id":"{U1}","displayName":"A","userPrincipalName":"a@b"}}]"#);
    // Given by name, in a `members` folder.
    let p = write(dir.path(), "members/ml-engineers.json", &listing);
    let err = import(std::slice::from_ref(&p)).unwrap_err().to_string();
    assert!(err.starts_with(&p.display().to_string()), "{err}");
    assert!(err.contains("<group-object-id>.json"), "{err}");
    // Walked: at any depth below a `members` folder (any case) of the export.
    let deep = write(dir.path(), "export/Members/2026/notes.json", &listing);
    let err = import(&[dir.path().join("export")])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&deep.display().to_string()), "{err}");
    assert!(err.contains("`notes` is not a GUID"), "{err}");
    // A folder named `members` above what was asked to import says nothing.
    write(dir.path(), "members/export2/users.json", &listing);
    let imp = import(&[dir.path().join("members/export2")]).unwrap();
    assert_eq!(imp.files[0].kind, "directory");
    // Named after a group it is a member list; a CSV edge list may have any name.
    let named = write(dir.path(), &format!("members/{G1}.json"), &listing);
    assert_eq!(import(&[named]).unwrap().files[0].kind, "group-members");
    let csv = write(
        dir.path(),
        "members/edges.csv",
        &format!("groupId,memberId\n{G1},{U1}\n"),
    );
    assert_eq!(import(&[csv]).unwrap().files[0].kind, "group-members");
}

#[test]
fn an_import_that_reads_no_record_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "users.json", "[]");
    let b = write(dir.path(), "groups.json", r#"{"value": []}"#);
    let err = import(&[a, b]).unwrap_err();
    assert!(matches!(err, ImportError::NothingImported(_)), "{err}");
    let text = err.to_string();
    assert!(text.contains("none of the 2 files"), "{text}");
    assert!(text.contains("\nhint: "), "{text}");
    let empty = tempfile::tempdir().unwrap();
    let err = import(&[empty.path().to_path_buf()]).unwrap_err();
    assert!(err.to_string().contains("no .json or .csv file"), "{err}");
    // An empty member file is a record: its group has no members.
    let imp = import_one(&format!("{G1}.json"), "[]").unwrap();
    assert_eq!(imp.tenant.member_lists, vec![G1.to_string()]);
}

/// The window of a time-bound activation used to be dropped.
#[test]
fn a_time_bound_pim_active_instance_keeps_its_window() {
    let imp = import(&[fixture("pim-active/time-bound.json")]).unwrap();
    let a = &imp.tenant.assignments[0];
    assert_eq!(a.source, AssignmentSource::PimActive);
    assert_eq!(a.start_date_time.as_deref(), Some("2026-09-30T08:00:00Z"));
    assert_eq!(a.end_date_time.as_deref(), Some("2026-09-30T16:00:00Z"));
}

#[test]
fn a_duplicate_key_is_refused_at_its_line_and_column() {
    let text = format!(
        "[{{\"id\":\"{U1}\",\n  \"displayName\":\"a\",\n  \"userPrincipalName\":\"a@b\", \"DisplayName\":\"b\"}}]"
    );
    let (l, c, m) = at(import_one("users.json", &text).unwrap_err());
    assert_eq!((l, c), (3, 30), "{m}");
    assert!(m.starts_with("duplicate key `DisplayName`"), "{m}");
}

#[test]
fn the_expected_shapes_name_the_new_shapes() {
    let err = import_one("x.json", r#"{"foo": 1}"#)
        .unwrap_err()
        .to_string();
    for shape in [
        "Get-AzRoleAssignment",
        "Get-AzRoleDefinition",
        "getEntities",
        "Resource Graph",
        "PIM for Groups",
        "devices",
    ] {
        assert!(err.contains(shape), "{shape}: {err}");
    }
}

/// Every fixture is read (none refused), and reading them all together gives one
/// tenant whose subscriptions all hang under the management-group tree.
#[test]
fn every_fixture_imports_together() {
    let imp = import(&[fixture("")]).unwrap();
    assert!(
        imp.skipped.iter().all(|s| s.ends_with("README.md")),
        "{:?}",
        imp.skipped
    );
    assert_eq!(imp.files.len(), 16);
    let p = parents(&imp.tenant);
    for s in [FIX_SUB_A, FIX_SUB_B, FIX_SUB_C, FIX_SUB_D] {
        assert!(p[&sub(s)].is_some(), "{s} has no parent");
    }
    assert!(
        flags_of(&imp, flag_kinds::DUPLICATE_OBJECT).is_empty(),
        "{:?}",
        imp.flags
    );
}

/// `GET managementGroups/{id}?$expand=path` (azure-rest-api-specs
/// `GetManagementGroupWithPath`): `details.path` names the groups from the root
/// down to the parent, so a group read alone still has its every ancestor.
#[test]
fn a_management_groups_details_path_gives_its_ancestors() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "mg.json",
        r#"{"id":"/providers/Microsoft.Management/managementGroups/ml-prod",
            "type":"Microsoft.Management/managementGroups","name":"ml-prod",
            "properties":{"tenantId":"6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b","displayName":"ML Prod",
              "details":{"version":1,"updatedTime":"2026-01-01T00:00:00Z","updatedBy":"x",
                "parent":{"id":"/providers/Microsoft.Management/managementGroups/ml-platform",
                          "name":"ml-platform","displayName":"ML Platform"},
                "path":[{"name":"6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b","displayName":"Tenant Root Group"},
                        {"name":"ml-platform","displayName":"ML Platform"}]}}}"#,
    );
    let imp = import(&[file]).unwrap();
    let p = parents(&imp.tenant);
    assert_eq!(p.len(), 3, "{p:?}");
    assert_eq!(p[&mg("ml-prod")], Some(mg("ml-platform")));
    assert_eq!(
        p[&mg("ml-platform")],
        Some(mg("6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"))
    );
    assert_eq!(p[&mg("6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b")], None);
    let root = imp
        .tenant
        .scopes
        .iter()
        .find(|s| s.id == mg("6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"))
        .unwrap();
    assert_eq!(root.display_name.as_deref(), Some("Tenant Root Group"));

    // `$expand=ancestors`: the same chain from the parent up.
    let file = write(
        dir.path(),
        "mg-ancestors.json",
        r#"{"id":"/providers/Microsoft.Management/managementGroups/ml-prod",
            "type":"Microsoft.Management/managementGroups","name":"ml-prod",
            "properties":{"displayName":"ML Prod","details":{
                "parent":{"id":"/providers/Microsoft.Management/managementGroups/ml-platform"},
                "managementGroupAncestorsChain":[{"name":"ml-platform","displayName":"ML Platform"},
                    {"name":"6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b","displayName":"Tenant Root Group"}]}}}"#,
    );
    let p2 = parents(&import(&[file]).unwrap().tenant);
    assert_eq!(p2, p);
    // azure-rest-api-specs `GetManagementGroupWithAncestors` (2021-04-01) spells it
    // `managementGroupAncestors`; some versions give names alone.
    for (name, ancestors) in [
        (
            "mg-ancestors-objects.json",
            r#"[{"name":"ml-platform","displayName":"ML Platform"},{"name":"6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"}]"#,
        ),
        (
            "mg-ancestors-names.json",
            r#"["ml-platform","6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"]"#,
        ),
    ] {
        let file = write(
            dir.path(),
            name,
            &format!(
                r#"{{"id":"/providers/Microsoft.Management/managementGroups/ml-prod",
                "type":"Microsoft.Management/managementGroups","name":"ml-prod",
                "properties":{{"details":{{"parent":{{"name":"ml-platform"}},
                "managementGroupAncestors":{ancestors}}}}}}}"#
            ),
        );
        assert_eq!(parents(&import(&[file]).unwrap().tenant), p, "{name}");
    }
}
