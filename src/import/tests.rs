//! Unit tests of the importer: readers, detection, errors and flags, over files written
//! to a temporary directory. No database is involved.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::{AssignmentSource, PrincipalKind, ScopeKind};

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
    let imp = import_one("users.json", "[]").unwrap();
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
