//! `whocan import` and `whocan snapshots` end to end: every input shape, every flag,
//! every refusal (exit 2 with `path:line:column:` and the database untouched), and a
//! SIGKILL in the middle of a large import.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{shared, snapshots, stdout_json, whocan, write};

/// The "MLOps Custom" role exactly as Microsoft's article prints it (seed 001), with
/// its trailing comma after the last entry of `Actions` (line 25). JSON forbids it;
/// the parser finds out at the `]` that starts line 26.
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

const SUB: &str = "c90828fc-bcbf-42ea-b475-9b27bdc92563";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const U1: &str = "44ea605d-4ebd-4de4-8bea-8ea7a8bfe147";
const U2: &str = "afbd3872-fe2d-4746-977f-5b6823b4134b";
const G1: &str = "7e666535-0fad-42c2-be97-d2bf62869490";
const G2: &str = "55aa9bfc-ca6a-495a-9844-a4f4d88e3e26";
const G3: &str = "01439ca8-dba1-434c-a30d-4d6fb4ee55e3";
const SP1: &str = "682e4023-ba88-447f-937a-67650b7dccb2";
const DELETED: &str = "b9539884-dcb9-46e1-a4d2-441c2ab481c3";
const STRANGER: &str = "a4c48110-ba83-464b-9ed3-0bb300335abc";
const UNKNOWN_ROLE: &str = "aa9ecdfe-58fb-4a61-9df0-59526331032d";

fn rg() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-ml")
}

fn assignment_id(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

/// `az role assignment list` element.
fn az_assignment(
    name: &str,
    principal: &str,
    ptype: &str,
    pname: &str,
    role: &str,
    role_name: &str,
    scope: &str,
) -> String {
    let id = assignment_id(scope, name);
    format!(
        r#"{{"canDelegate":null,"condition":null,"conditionVersion":null,"id":"{id}","name":"{name}",
  "principalId":"{principal}","principalName":"{pname}","principalType":"{ptype}",
  "roleDefinitionId":"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
  "roleDefinitionName":"{role_name}","scope":"{scope}","type":"Microsoft.Authorization/roleAssignments"}}"#
    )
}

fn az_role(id: &str, name: &str) -> String {
    format!(
        r#"{{"assignableScopes":["/"],"description":"{name}","id":"/providers/Microsoft.Authorization/roleDefinitions/{id}",
  "name":"{id}","permissions":[{{"actions":["*/read"],"condition":null,"conditionVersion":null,"dataActions":[],
  "notActions":[],"notDataActions":[]}}],"roleName":"{name}","roleType":"BuiltInRole","type":"Microsoft.Authorization/roleDefinitions"}}"#
    )
}

fn pim_instance(name: &str, origin: &str, principal: &str, role: &str) -> String {
    let scope = format!("/subscriptions/{SUB}");
    format!(
        r#"{{"properties":{{"originRoleAssignmentId":"{origin}","assignmentType":"Activated","scope":"{scope}",
  "roleDefinitionId":"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}","principalId":"{principal}",
  "principalType":"User","status":"Accepted","startDateTime":"2026-09-01T08:00:00Z","endDateTime":"2026-09-01T16:00:00Z",
  "memberType":"Direct"}},"name":"{name}","id":"{scope}/providers/Microsoft.Authorization/RoleAssignmentScheduleInstances/{name}",
  "type":"Microsoft.Authorization/RoleAssignmentScheduleInstances"}}"#
    )
}

/// A small tenant with every input kind, and exactly one cause for each flag.
fn small_tenant(dir: &Path) -> PathBuf {
    let root = dir.join("tenant");
    let sub = format!("/subscriptions/{SUB}");
    let a1 = assignment_id(&sub, "a1a1a1a1-0000-4000-8000-000000000001");
    write(
        &root,
        "roles/builtin.json",
        format!(
            "[{},\n{}]",
            az_role(READER, "Reader"),
            az_role(CONTRIBUTOR, "Contributor")
        ),
    );
    write(
        &root,
        "roles/custom.json",
        r#"{"Name":"Custom X","IsCustom":true,"Description":"no Id: joined by name",
            "Actions":["Microsoft.MachineLearningServices/workspaces/read"],"NotActions":[],
            "AssignableScopes":["/"]}"#,
    );
    write(
        &root,
        "assignments/az.json",
        format!(
            "[{},\n{},\n{},\n{},\n{},\n{}]",
            az_assignment(
                "a1a1a1a1-0000-4000-8000-000000000001",
                U1,
                "User",
                "alice@contoso.com",
                READER,
                "Reader",
                &sub
            ),
            az_assignment(
                "a2a2a2a2-0000-4000-8000-000000000002",
                G1,
                "Group",
                "ML Team",
                READER,
                "Reader",
                &rg()
            ),
            az_assignment(
                "a3a3a3a3-0000-4000-8000-000000000003",
                DELETED,
                "User",
                "",
                READER,
                "Reader",
                &rg()
            ),
            az_assignment(
                "a4a4a4a4-0000-4000-8000-000000000004",
                U2,
                "User",
                "bob@contoso.com",
                UNKNOWN_ROLE,
                "Nope",
                &rg()
            ),
            az_assignment(
                "a5a5a5a5-0000-4000-8000-000000000005",
                U2,
                "User",
                "bob@contoso.com",
                "6bd5bae3-dc25-452d-912b-d0fa28d1b8ea",
                "custom x",
                &rg()
            ),
            az_assignment(
                "a6a6a6a6-0000-4000-8000-000000000006",
                G3,
                "Group",
                "No Members",
                READER,
                "Reader",
                &rg()
            ),
        ),
    );
    // The same a1 in ARM shape (merged silently), and one more.
    write(
        &root,
        "assignments/arm.json",
        format!(
            r#"{{"value":[
  {{"properties":{{"roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/{READER}","principalId":"{U1}",
    "principalType":"User","scope":"{sub}"}},"id":"{a1}","type":"Microsoft.Authorization/roleAssignments","name":"a1"}},
  {{"properties":{{"roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}","principalId":"{SP1}",
    "principalType":"ServicePrincipal","scope":"{rg}"}},"id":"{a8}","type":"Microsoft.Authorization/roleAssignments","name":"a8"}}]}}"#,
            rg = rg(),
            a8 = assignment_id(&rg(), "a8a8a8a8-0000-4000-8000-000000000008"),
        ),
    );
    write(
        &root,
        "assignments/pim-active.json",
        format!(
            "{{\"value\":[{},\n{}]}}",
            pim_instance("i1", &a1.to_uppercase(), U1, READER),
            pim_instance(
                "i2",
                &assignment_id(&sub, "ffffffff-0000-4000-8000-00000000000f"),
                U2,
                READER
            ),
        ),
    );
    write(
        &root,
        "assignments/pim-eligible.json",
        format!(
            r#"{{"value":[{{"properties":{{"scope":"{sub}","roleDefinitionId":"{sub}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}",
  "principalId":"{U1}","principalType":"User","status":"Provisioned","startDateTime":"2026-07-01T09:00:00Z",
  "endDateTime":"2027-06-30T09:00:00Z","memberType":"Direct","condition":null}},"name":"e1",
  "id":"{sub}/providers/Microsoft.Authorization/RoleEligibilityScheduleInstances/e1",
  "type":"Microsoft.Authorization/RoleEligibilityScheduleInstances"}}]}}"#
        ),
    );
    write(
        &root,
        "assignments/deny.json",
        format!(
            r#"{{"value":[{{"properties":{{"denyAssignmentName":"protect","permissions":[{{"actions":["*/delete"],"notActions":[],
  "dataActions":[],"notDataActions":[]}}],"scope":"{rg}","doNotApplyToChildScopes":false,
  "principals":[{{"id":"00000000-0000-0000-0000-000000000000","type":"SystemDefined"}}],
  "excludePrincipals":[{{"id":"{G1}","type":"Group"}}],"isSystemProtected":true}},
  "id":"{rg}/providers/Microsoft.Authorization/denyAssignments/d1","type":"Microsoft.Authorization/denyAssignments","name":"d1"}}]}}"#,
            rg = rg()
        ),
    );
    write(
        &root,
        "directory/users.json",
        format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=X",
  "value":[{{"id":"{U1}","displayName":"Alice","userPrincipalName":"alice@contoso.com","userType":"Member","accountEnabled":true}},
           {{"id":"{U2}","displayName":"Bob","userPrincipalName":"bob@contoso.com","userType":"Guest","accountEnabled":false}}]}}"#
        ),
    );
    write(
        &root,
        "directory/users-again.json",
        format!(
            r#"[{{"id":"{U1}","displayName":"Alice Renamed","userPrincipalName":"alice@contoso.com"}}]"#
        ),
    );
    write(
        &root,
        "directory/groups.json",
        format!(
            r#"[{{"id":"{G1}","displayName":"ML Team","securityEnabled":true,"mailEnabled":false,"groupTypes":[]}},
  {{"id":"{G2}","displayName":"Inner","securityEnabled":true,"mailEnabled":false,"groupTypes":[]}},
  {{"id":"{G3}","displayName":"No Members","securityEnabled":true,"mailEnabled":false,"groupTypes":[]}}]"#
        ),
    );
    write(
        &root,
        "directory/sps.json",
        format!(
            r#"[{{"id":"{SP1}","displayName":"mi-ml","appId":"c4442b4c-3f09-43d2-ab29-d207a2785da0","servicePrincipalType":"ManagedIdentity","accountEnabled":true}}]"#
        ),
    );
    write(
        &root,
        &format!("members/{G1}.json"),
        format!(
            r##"{{"value":[{{"@odata.type":"#microsoft.graph.user","id":"{U1}","displayName":"Alice"}},
  {{"@odata.type":"#microsoft.graph.group","id":"{G2}","displayName":"Inner"}}]}}"##
        ),
    );
    write(&root, &format!("members/{G2}.json"), "[]");
    write(
        &root,
        "members/edges.csv",
        format!(
            "groupId,memberId,memberType\n{G2},{G1},Group\n{},{STRANGER},User\n",
            G2.to_uppercase()
        ),
    );
    write(
        &root,
        "scopes/mg.json",
        format!(
            r#"[{{"displayName":"Tenant Root Group","id":"/providers/Microsoft.Management/managementGroups/root","name":"root","parent":null,"type":"Microsoft.Management/managementGroups"}},
  {{"displayName":"ML","id":"/providers/Microsoft.Management/managementGroups/ml","name":"ml","parent":{{"id":"/providers/Microsoft.Management/managementGroups/root"}},"type":"Microsoft.Management/managementGroups"}},
  {{"displayName":"contoso-ml","id":"{sub}","name":"{SUB}","parent":{{"id":"/providers/Microsoft.Management/managementGroups/ml"}},"type":"/subscriptions"}}]"#
        ),
    );
    write(
        &root,
        "scopes/subscriptions.json",
        format!(
            r#"[{{"cloudName":"AzureCloud","id":"{SUB}","isDefault":true,"name":"contoso-ml","state":"Enabled","tenantId":"t"}}]"#
        ),
    );
    write(
        &root,
        "scopes/resources.json",
        format!(
            r#"[{{"id":"{rg}/providers/Microsoft.MachineLearningServices/workspaces/ml-dev","name":"ml-dev","resourceGroup":"rg-ml","type":"Microsoft.MachineLearningServices/workspaces"}}]"#,
            rg = rg()
        ),
    );
    write(
        &root,
        "operations/ml.json",
        r#"{"displayName":"ML","id":"/providers/Microsoft.Authorization/providerOperations/Microsoft.MachineLearningServices",
  "name":"Microsoft.MachineLearningServices","type":"Microsoft.Authorization/providerOperations",
  "operations":[{"name":"Microsoft.MachineLearningServices/register/action","isDataAction":false,"displayName":"Register"}],
  "resourceTypes":[{"name":"workspaces","operations":[
     {"name":"Microsoft.MachineLearningServices/workspaces/read","isDataAction":false},
     {"name":"Microsoft.MachineLearningServices/workspaces/delete","isDataAction":false}]}]}"#,
    );
    write(&root, "README.md", "# not an export\n");
    root
}

fn import_json(db: &Path, paths: &[&Path]) -> Value {
    let out = whocan(db)
        .args(["import", "--format", "json"])
        .args(paths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

fn flag_counts(summary: &Value) -> Vec<(String, u64)> {
    summary["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn file_kinds(summary: &Value) -> Vec<(String, String, u64)> {
    summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (
                name,
                f["kind"].as_str().unwrap().to_string(),
                f["records"].as_u64().unwrap(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------

#[test]
fn reference_files_import_with_exact_counts() {
    let Some(shared) = shared() else { return };
    let r = shared.join("reference");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let s = import_json(
        &db,
        &[
            &r.join("builtin-role-definitions.json"),
            &r.join("provider-operations-machinelearningservices.json"),
            &r.join("provider-operations-authorization.json"),
        ],
    );
    assert_eq!(s["counts"]["roleDefinitions"], 928);
    assert_eq!(s["counts"]["operations"], 324 + 75);
    assert_eq!(
        file_kinds(&s),
        vec![
            (
                "builtin-role-definitions.json".into(),
                "role-definitions".into(),
                928
            ),
            (
                "provider-operations-machinelearningservices.json".into(),
                "provider-operations".into(),
                324
            ),
            (
                "provider-operations-authorization.json".into(),
                "provider-operations".into(),
                75
            ),
        ]
    );
    assert_eq!(s["flags"], serde_json::json!([]));
    assert_eq!(s["snapshot"]["id"], 1);
    assert_eq!(s["snapshot"]["contentHash"].as_str().unwrap().len(), 64);
}

#[test]
fn every_reference_example_imports_or_is_refused_with_a_reason() {
    let Some(shared) = shared() else { return };
    let ex = shared.join("reference/examples");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    // (file, Ok((kind, records)) or Err(part of the reason))
    type Expected<'a> = Result<(&'a str, u64), &'a str>;
    let expected: &[(&str, Expected)] = &[
        ("arm-deny-assignments.json", Ok(("deny-assignments", 1))),
        ("arm-role-assignment-schedule-instances.json", Ok(("pim-active", 1))),
        ("arm-role-assignments-list-for-scope.json", Ok(("role-assignments", 1))),
        ("arm-role-eligibility-schedule-instances.json", Ok(("pim-eligibility", 1))),
        // Not named after a group: a directory listing of one user and one group.
        ("az-ad-group-member-list.json", Ok(("directory", 2))),
        ("az-role-assignment-list.json", Ok(("role-assignments", 6))),
        // Untyped directory objects in a file whose stem is not a group id.
        (
            "graph-group-members.json",
            Err("graph-group-members.json:4:5: value[0] is a directory object whose type cannot be told"),
        ),
        ("graph-group-transitivemembers-cast-group.json", Ok(("directory", 2))),
        ("graph-group-transitivemembers.json", Ok(("directory", 1))),
    ];
    let mut names: Vec<String> = std::fs::read_dir(&ex)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        expected.iter().map(|e| e.0.to_string()).collect::<Vec<_>>(),
        "every example file is covered"
    );
    for (name, want) in expected {
        let out = whocan(&db)
            .args(["import", "--format", "json"])
            .arg(ex.join(name))
            .output()
            .unwrap();
        match want {
            Ok((kind, records)) => {
                assert!(
                    out.status.success(),
                    "{name}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let s = stdout_json(&out);
                assert_eq!(file_kinds(&s)[0].1, *kind, "{name}");
                assert_eq!(file_kinds(&s)[0].2, *records, "{name}");
            }
            Err(reason) => {
                assert_eq!(out.status.code(), Some(2), "{name}");
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(stderr.contains(reason), "{name}: {stderr}");
                assert!(stderr.contains("<group-object-id>.json"), "{stderr}");
            }
        }
    }
    // The refused member list imports once named after its group.
    let named = write(
        dir.path(),
        &format!("members/{G1}.json"),
        std::fs::read(ex.join("graph-group-members.json")).unwrap(),
    );
    let s = import_json(&db, &[&named]);
    assert_eq!(file_kinds(&s)[0].1, "group-members");
    assert_eq!(s["counts"]["memberEdges"], 1);
    assert_eq!(s["counts"]["memberLists"], 1);
    // So does the az member list, keeping each member's type.
    let named = write(
        dir.path(),
        &format!("members2/{G2}.json"),
        std::fs::read(ex.join("az-ad-group-member-list.json")).unwrap(),
    );
    let s = import_json(&db, &[&named]);
    assert_eq!(s["counts"]["memberEdges"], 2);
}

#[test]
fn small_tenant_with_every_kind_and_every_flag() {
    let dir = tempfile::tempdir().unwrap();
    let root = small_tenant(dir.path());
    let db = dir.path().join("w.db");
    let out = whocan(&db)
        .args([
            "import",
            "--format",
            "json",
            "--label",
            "2026-Q3",
            "--taken-at",
            "2026-09-30T18:00:00+02:00",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("skipped 1 file"), "{stderr}");
    assert!(stderr.contains("README.md"), "{stderr}");
    let s = stdout_json(&out);
    assert_eq!(s["snapshot"]["takenAt"], "2026-09-30T16:00:00Z");
    assert_eq!(s["snapshot"]["label"], "2026-Q3");
    let c = &s["counts"];
    let want = [
        ("files", 18),
        ("skippedFiles", 1),
        ("roleDefinitions", 3),
        ("roleAssignments", 7),
        ("pimActive", 1),
        ("pimActiveDeduplicated", 1),
        ("pimEligible", 1),
        ("denyAssignments", 1),
        ("users", 2),
        ("groups", 3),
        ("servicePrincipals", 0),
        ("managedIdentities", 1),
        ("memberLists", 2),
        ("memberEdges", 4),
        ("managementGroups", 2),
        ("subscriptions", 1),
        ("resourceGroups", 1),
        ("resources", 1),
        ("operations", 3),
    ];
    for (k, v) in want {
        assert_eq!(c[k], v, "count {k}: {c}");
    }
    let kinds: Vec<(String, String, u64)> = file_kinds(&s);
    let kind_of = |name: &str| {
        kinds
            .iter()
            .find(|k| k.0 == name)
            .map(|k| k.1.clone())
            .unwrap_or_else(|| panic!("{name} not imported: {kinds:?}"))
    };
    assert_eq!(kind_of("az.json"), "role-assignments");
    assert_eq!(kind_of("arm.json"), "role-assignments");
    assert_eq!(kind_of("pim-active.json"), "pim-active");
    assert_eq!(kind_of("pim-eligible.json"), "pim-eligibility");
    assert_eq!(kind_of("deny.json"), "deny-assignments");
    assert_eq!(kind_of("custom.json"), "role-definitions");
    assert_eq!(kind_of(&format!("{G1}.json")), "group-members");
    assert_eq!(kind_of(&format!("{G2}.json")), "group-members");
    assert_eq!(kind_of("edges.csv"), "group-members");
    assert_eq!(kind_of("mg.json"), "management-groups");
    assert_eq!(kind_of("subscriptions.json"), "subscriptions");
    assert_eq!(kind_of("resources.json"), "resources");
    assert_eq!(kind_of("ml.json"), "provider-operations");

    let mut flags = flag_counts(&s);
    flags.sort();
    assert_eq!(
        flags,
        vec![
            ("duplicate-object".to_string(), 1),
            ("members-not-imported".to_string(), 1),
            ("membership-cycle".to_string(), 1),
            ("orphaned-assignment".to_string(), 1),
            ("partial-listing".to_string(), 1),
            ("partial-page".to_string(), 1),
            ("undefined-role".to_string(), 1),
            ("unknown-member".to_string(), 1),
        ]
    );
    let example = |kind: &str| -> Value {
        s["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == kind)
            .unwrap()["examples"][0]
            .clone()
    };
    assert_eq!(example("members-not-imported")["subject"], G3);
    assert_eq!(example("unknown-member")["subject"], STRANGER);
    assert_eq!(example("duplicate-object")["subject"], U1);
    assert!(example("undefined-role")["detail"]
        .as_str()
        .unwrap()
        .contains(UNKNOWN_ROLE));
    assert!(example("orphaned-assignment")["detail"]
        .as_str()
        .unwrap()
        .contains("deleted"));
    let cycle = example("membership-cycle")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(cycle.contains("Inner → ML Team → Inner"), "{cycle}");

    // The table summary shows the counts, then every flag with an example.
    let out = whocan(&db)
        .args(["import", "--format", "table"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    let counts_at = table.find("roleAssignments").unwrap();
    let flags_at = table.find("membership-cycle").unwrap();
    assert!(counts_at < flags_at, "{table}");
    assert!(table.contains("members-not-imported"), "{table}");

    // CSV summary.
    let out = whocan(&db)
        .args(["import", "--format", "csv"])
        .arg(&root)
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("section,name,value,detail\r\n"), "{csv}");
    assert!(csv.contains("\ncount,roleAssignments,7,\r\n"), "{csv}");
    assert!(csv.contains("\nflag,unknown-member,1,"), "{csv}");
    assert_eq!(snapshots(&db).len(), 3);
}

#[test]
fn mlops_trailing_comma_aborts_and_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let good = write(
        dir.path(),
        "good/roles.json",
        format!("[{}]", az_role(READER, "Reader")),
    );
    import_json(&db, &[&good]);
    let before = snapshots(&db);
    assert_eq!(before.len(), 1);

    let bad = write(
        dir.path(),
        "custom/mlops_custom_role.json",
        MLOPS_AS_PRINTED,
    );
    let out = whocan(&db)
        .arg("import")
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let prefix = format!("{}:26:1: trailing comma", bad.display());
    assert!(stderr.contains(&prefix), "{stderr}");
    assert!(out.stdout.is_empty(), "no summary on failure");
    assert_eq!(snapshots(&db), before, "the database is unchanged");

    // Fixed as the doc intended, it imports as a custom role joined by name.
    let fixed = write(
        dir.path(),
        "custom2/mlops_custom_role.json",
        MLOPS_AS_PRINTED.replace("build/action\",\n]", "build/action\"\n]"),
    );
    let s = import_json(&db, &[&fixed]);
    assert_eq!(s["counts"]["roleDefinitions"], 1);
}

#[test]
fn bad_inputs_exit_2_name_the_place_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(PathBuf, String)> = vec![
        (
            write(d, "empty.json", ""),
            ":1:1: expected JSON, found an empty file".into(),
        ),
        (
            write(
                d,
                "latin1.json",
                b"[\n {\"displayName\": \"Ren\xE9\"}\n]".as_slice(),
            ),
            ":2:22: expected UTF-8 text, found the invalid byte 0xE9 at byte offset 23".into(),
        ),
        (
            write(d, "numbers.json", "[1, 2, 3]"),
            ":1:2: unrecognised shape: [0] is a number".into(),
        ),
        (
            write(d, "edges.csv", "groupId,memberType\ng,User\n"),
            ":1:1: expected column memberId".into(),
        ),
        (
            write(d, "other.csv", "id,displayName\n1,x\n"),
            ":1:1: expected a group-member edge list with the header groupId,memberId[,memberType]"
                .into(),
        ),
        (
            write(
                d,
                "members-of-ml.json",
                r#"{"value":[{"id":"11111111-2222-3333-4444-555555555555","mail":"user1@contoso.com"}]}"#,
            ),
            ":1:11: value[0] is a directory object whose type cannot be told".into(),
        ),
        (
            write(d, "unclosed.json", "[{\"roleName\": \"x\""),
            ":1:18: expected `,` or `}`, found the end of the file".into(),
        ),
    ];
    // No database yet: a failed import does not even create one.
    let fresh = d.join("fresh.db");
    for (path, want) in &cases {
        let out = whocan(&fresh).arg("import").arg(path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expected = format!("{}{want}", path.display());
        assert!(stderr.contains(&expected), "want {expected}\ngot {stderr}");
        assert!(!fresh.exists(), "{} created the database", path.display());
    }
    // With a database: it keeps exactly its one snapshot.
    let db = d.join("w.db");
    let good = write(
        d,
        "good/roles.json",
        format!("[{}]", az_role(READER, "Reader")),
    );
    import_json(&db, &[&good]);
    let before = snapshots(&db);
    for (path, _) in &cases {
        whocan(&db)
            .arg("import")
            .arg(&good)
            .arg(path)
            .assert()
            .code(2);
    }
    assert_eq!(snapshots(&db), before);
}

#[test]
fn same_files_twice_give_two_snapshots_with_one_content_hash() {
    let dir = tempfile::tempdir().unwrap();
    let root = small_tenant(dir.path());
    let db = dir.path().join("w.db");
    let a = import_json(&db, &[&root]);
    let b = import_json(&db, &[&root]);
    assert_eq!(a["snapshot"]["id"], 1);
    assert_eq!(b["snapshot"]["id"], 2);
    assert_eq!(a["snapshot"]["contentHash"], b["snapshot"]["contentHash"]);
    assert_eq!(a["files"], b["files"], "same digests");
    let list = snapshots(&db);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["contentHash"], list[1]["contentHash"]);
}

#[test]
fn taken_at_is_validated_and_normalised_to_utc() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let good = write(
        dir.path(),
        "roles.json",
        format!("[{}]", az_role(READER, "Reader")),
    );
    let out = whocan(&db)
        .args(["import", "--taken-at", "last tuesday"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--taken-at"));
    assert!(!db.exists(), "validated before anything else");
    for (given, stored) in [
        ("2026-10-01", "2026-10-01T00:00:00Z"),
        ("2026-10-01T02:30:00+02:00", "2026-10-01T00:30:00Z"),
        ("2026-10-01T00:00:00.750Z", "2026-10-01T00:00:00Z"),
    ] {
        let s = whocan(&db)
            .args(["import", "--format", "json", "--taken-at", given])
            .arg(&good)
            .output()
            .unwrap();
        assert!(s.status.success());
        assert_eq!(stdout_json(&s)["snapshot"]["takenAt"], stored, "{given}");
    }
}

#[test]
fn snapshots_lists_in_every_format_and_refuses_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let missing = whocan(&db).args(["snapshots"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    assert!(!db.exists(), "listing does not create a database");

    let good = write(
        dir.path(),
        "roles.json",
        format!("[{}]", az_role(READER, "Reader")),
    );
    whocan(&db)
        .args(["import", "--label", "=cmd()", "--taken-at", "2026-07-01"])
        .arg(&good)
        .assert()
        .success();
    let list = snapshots(&db);
    assert_eq!(list.len(), 1);
    let row = list[0].as_object().unwrap();
    let mut keys: Vec<&str> = row.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "collection",
            "contentHash",
            "id",
            "importedAt",
            "label",
            "takenAt",
            "toolVersion"
        ]
    );
    assert_eq!(row["takenAt"], "2026-07-01T00:00:00Z");
    assert_eq!(row["toolVersion"], env!("CARGO_PKG_VERSION"));

    let csv = whocan(&db)
        .args(["snapshots", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&csv.stdout).to_string();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,takenAt,label,toolVersion,importedAt,contentHash,collection")
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("1,2026-07-01T00:00:00Z,'=cmd(),"),
        "{first}"
    );

    let table = whocan(&db)
        .args(["snapshots", "--format", "table"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout).to_string();
    assert!(
        table.contains("takenAt") && table.contains("2026-07-01T00:00:00Z"),
        "{table}"
    );
}

/// Writes an `az role assignment list` export of about `target` bytes.
fn large_assignments(path: &Path, target: usize) -> usize {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut written = 0;
    let mut n = 0;
    w.write_all(b"[\n").unwrap();
    while written < target {
        let name = format!("{:08x}-0000-4000-8000-{:012x}", n, n);
        let principal = format!("{:08x}-1111-4000-8000-{:012x}", n % 5000, n);
        let scope = format!("/subscriptions/{SUB}/resourceGroups/rg-{}", n % 50);
        let rec = format!(
            "{}  {{\n    \"canDelegate\": null,\n    \"condition\": null,\n    \"conditionVersion\": null,\n    \
             \"createdBy\": \"{principal}\",\n    \"createdOn\": \"2024-10-14T20:25:32.172518+00:00\",\n    \
             \"delegatedManagedIdentityResourceId\": null,\n    \"description\": null,\n    \
             \"id\": \"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}\",\n    \
             \"name\": \"{name}\",\n    \"principalId\": \"{principal}\",\n    \
             \"principalName\": \"user{n}@contoso.com\",\n    \"principalType\": \"User\",\n    \
             \"resourceGroup\": \"rg-{}\",\n    \
             \"roleDefinitionId\": \"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}\",\n    \
             \"roleDefinitionName\": \"Reader\",\n    \"scope\": \"{scope}\",\n    \
             \"type\": \"Microsoft.Authorization/roleAssignments\",\n    \"updatedBy\": \"{principal}\",\n    \
             \"updatedOn\": \"2024-10-14T20:25:32.172518+00:00\"\n  }}",
            if n == 0 { "" } else { ",\n" },
            n % 50
        );
        w.write_all(rec.as_bytes()).unwrap();
        written += rec.len();
        n += 1;
    }
    w.write_all(b"\n]\n").unwrap();
    w.flush().unwrap();
    n
}

fn integrity_check(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
        .unwrap()
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn sigkill_in_the_middle_of_a_large_import_keeps_the_database_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let wal = dir.path().join("w.db-wal");
    let root = small_tenant(dir.path());
    let first = import_json(&db, &[&root]);
    let before = snapshots(&db);
    assert_eq!(before.len(), 1);

    let big = dir.path().join("big/assignments.json");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    let records = large_assignments(&big, 64 * 1024 * 1024);
    assert!(records > 40_000, "{records}");

    let spawn = || {
        std::process::Command::new(crate::support::bin())
            .env_remove("WHOCAN_DB")
            .arg("--db")
            .arg(&db)
            .args(["import", "--format", "json"])
            .arg(&big)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };

    // 1. Killed while reading (long before the store is opened).
    let mut child = spawn();
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the import was still reading: {status:?}"
    );
    assert_eq!(snapshots(&db), before);
    assert_eq!(integrity_check(&db), "ok");

    // 2. Killed while the snapshot transaction writes (its pages reach the WAL).
    let mut child = spawn();
    let start = Instant::now();
    let mut killed_writing = false;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if file_len(&wal) > 0 {
            child.kill().unwrap();
            killed_writing = true;
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "import hung");
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    let after = snapshots(&db);
    assert_eq!(after[0], before[0], "the earlier snapshot is untouched");
    if killed_writing && !status.success() {
        assert_eq!(
            after.len(),
            1,
            "an interrupted transaction leaves no snapshot"
        );
    } else {
        eprintln!("note: the import finished before it could be killed while writing");
        assert!(after.len() <= 2);
    }
    assert_eq!(integrity_check(&db), "ok");

    // The database still takes imports, and the first snapshot reads the same.
    let again = import_json(&db, &[&root]);
    assert_eq!(
        again["snapshot"]["contentHash"],
        first["snapshot"]["contentHash"]
    );
    assert_eq!(snapshots(&db)[0], before[0]);
}
