//! `whocan import` on the export shapes of issue 9, end to end: each shape in
//! `tests/fixtures/shapes/` (see its README) is imported, and what it says is seen in
//! an answer (a management-group assignment reaching a subscription through the
//! tree the shape gave) or in the summary; every refusal is exit 2 with the file
//! named and the database left without a snapshot.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::support::{on, snapshots, stdout_json, whocan, write};

const SUB_A: &str = "1b7c5a3e-2f4d-4c6b-9a8e-0d1f2e3c4b5a";
const SUB_B: &str = "2c8d6b4f-3a5e-4d7c-8b9f-1e2a3f4d5c6b";
const SUB_C: &str = "3d9e7c5a-4b6f-4e8d-9caa-2f3b4a5e6d7c";
const SUB_D: &str = "4eaf8d6b-5c7a-4f9e-8dbb-3a4c5b6f7e8d";
/// Reader at the `ml-platform` management group (`powershell/get-azroleassignment.json`).
const ALAIN: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
/// Reader at the `ml-prod` management group, below `ml-platform`.
const PIPELINE_SP: &str = "2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f";
/// "ML Research Reader" at `rg-research` (`resource-graph/az-graph-query.json`).
const BEA: &str = "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/shapes")
        .join(rel)
}

fn import(db: &Path, files: &[PathBuf]) -> Output {
    whocan(db)
        .args([
            "import",
            "--format",
            "json",
            "--taken-at",
            "2026-10-01T00:00:00Z",
        ])
        .args(files)
        .output()
        .unwrap()
}

fn import_ok(db: &Path, files: &[PathBuf]) -> Value {
    let out = import(db, files);
    assert!(
        out.status.success(),
        "import failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

/// `import` refused with exit 2; its stderr.
fn import_refused(db: &Path, files: &[PathBuf]) -> String {
    let out = import(db, files);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    stderr
}

/// The principals `who` lists for `action` at `scope`, by id.
fn who(db: &Path, action: &str, scope: &str) -> Vec<String> {
    let out = whocan(db)
        .args(["who", action, "--scope", scope, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "who at {scope} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut ids: Vec<String> = stdout_json(&out)["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sub(guid: &str) -> String {
    format!("/subscriptions/{guid}")
}

/// The PowerShell roles and assignments, plus the tree shape under test.
fn with_tree(tree: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    import_ok(
        &db,
        &[
            fixture("powershell/get-azroledefinition.json"),
            fixture("powershell/get-azroleassignment.json"),
            fixture(tree),
        ],
    );
    (dir, db)
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// `Get-AzRoleAssignment | ConvertTo-Json` used to import as one directory object
/// (its assignments vanished); ARM `getEntities` kept no parent.
#[test]
fn powershell_assignments_reach_a_subscription_through_arm_get_entities() {
    let (_dir, db) = with_tree("arm-management-groups/get-entities.json");
    let ids = who(&db, WS_READ, &sub(SUB_A));
    assert!(ids.contains(&ALAIN.to_string()), "{ids:?}");
    assert!(!ids.contains(&PIPELINE_SP.to_string()), "{ids:?}");
}

/// `$expand=children&$recurse=true` nests the children under `properties`: they
/// used to be lost, and the subscription was unknown.
#[test]
fn management_group_assignments_reach_a_subscription_through_the_expanded_arm_tree() {
    let (_dir, db) = with_tree("arm-management-groups/get-management-group-expand-recurse.json");
    assert_eq!(
        who(&db, WS_READ, &sub(SUB_B)),
        sorted(&[ALAIN, PIPELINE_SP])
    );
}

/// A management group's subscriptions list used to give a node named
/// `/providers/.../managementGroups/ml-prod/subscriptions/<sub>`.
#[test]
fn management_group_assignments_reach_a_subscription_of_the_groups_subscriptions_list() {
    let (_dir, db) = with_tree("arm-management-groups/management-group-subscriptions.json");
    assert_eq!(who(&db, WS_READ, &sub(SUB_C)), sorted(&[PIPELINE_SP]));
}

/// A Resource Graph file mixes role assignments, role definitions, subscriptions
/// (with their management-group chain), management groups, resource groups and
/// resources: it used to be refused as "one file holds one kind of record".
#[test]
fn resource_graph_output_gives_assignments_roles_and_the_subscriptions_chain() {
    let (_dir, db) = with_tree("resource-graph/az-graph-query.json");
    assert_eq!(
        who(&db, WS_READ, &sub(SUB_D)),
        sorted(&[ALAIN, PIPELINE_SP])
    );
    let ws = format!(
        "{}/resourceGroups/rg-research/providers/Microsoft.MachineLearningServices/workspaces/ml-research",
        sub(SUB_D)
    );
    assert_eq!(who(&db, WS_READ, &ws), sorted(&[ALAIN, PIPELINE_SP, BEA]));
}

#[test]
fn search_azgraph_rows_give_roles_and_assignments() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let s = import_ok(
        &db,
        &[
            fixture("resource-graph/search-azgraph.json"),
            fixture("resource-graph/az-graph-query.json"),
        ],
    );
    assert_eq!(s["counts"]["roleDefinitions"], 2);
    assert_eq!(s["counts"]["roleAssignments"], 2);
    assert_eq!(s["files"][0]["kind"], "resource-graph");
    assert_eq!(who(&db, WS_READ, &sub(SUB_D)), sorted(&[PIPELINE_SP]));
}

#[test]
fn the_summary_counts_the_new_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let s = import_ok(
        &db,
        &[
            fixture("pim-groups"),
            fixture("graph"),
            fixture("operations/keyvault-both-planes.json"),
        ],
    );
    let c = &s["counts"];
    let want = [
        ("pimGroupsEligible", 2),
        ("pimGroupsActive", 1),
        ("users", 2),
        ("devices", 1),
        ("memberLists", 2),
        ("partialMemberLists", 1),
        ("membersKnownOnlyFromMemberFiles", 3),
        ("operations", 3),
    ];
    for (k, v) in want {
        assert_eq!(c[k], v, "count {k}: {c}");
    }
    let kinds: Vec<&str> = s["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"partial-page"), "{kinds:?}");
    assert!(!kinds.contains(&"duplicate-object"), "{kinds:?}");
}

/// An import of nothing used to make an empty snapshot.
#[test]
fn an_import_that_reads_no_record_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let a = write(dir.path(), "in/users.json", "[]");
    let b = write(dir.path(), "in/groups.json", "{\"value\": []}");
    let stderr = import_refused(&db, &[a, b]);
    assert!(stderr.contains("nothing to import"), "{stderr}");
    assert!(stderr.contains("\nhint: "), "{stderr}");
    assert!(!db.exists() || snapshots(&db).is_empty());
}

/// A JSON file in `members/` not named after a group used to be read as a
/// directory listing.
#[test]
fn a_misnamed_member_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let roles = fixture("powershell/get-azroledefinition.json");
    import_ok(&db, std::slice::from_ref(&roles));
    let bad = write(
        dir.path(),
        "export/members/ml-engineers.json",
        format!(r#"[{{"id":"{BEA}","displayName":"Bea","userPrincipalName":"bea@contoso.com"}}]"#),
    );
    let stderr = import_refused(&db, &[roles, bad.clone()]);
    assert!(stderr.contains(&bad.display().to_string()), "{stderr}");
    assert!(stderr.contains("<group-object-id>.json"), "{stderr}");
    assert_eq!(snapshots(&db).len(), 1, "the database is as before");
}

/// A duplicate key used to be read silently (the first value won).
#[test]
fn a_duplicate_key_is_refused_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let bad = write(
        dir.path(),
        "roles.json",
        "[{\"Name\": \"Reader\",\n  \"IsCustom\": false,\n  \"Actions\": [\"*/read\"], \"isCustom\": true}]",
    );
    let stderr = import_refused(&db, std::slice::from_ref(&bad));
    assert!(
        stderr.contains(&format!("{}:3:26: duplicate key `isCustom`", bad.display())),
        "{stderr}"
    );
}

/// A PIM activation (`pim-active/time-bound.json`, 08:00–16:00 on 2026-09-30) is
/// also listed as the role assignment its `originRoleAssignmentId` names, as a
/// real export of both lists holds it. The one record keeps the activation's
/// window: after its end the principal no longer has the access, and the review
/// shows it as PIM's with the window. (Kept only as the role assignment, an ended
/// activation read as standing access.)
#[test]
fn an_activation_listed_as_a_role_assignment_too_keeps_its_window() {
    let dir = tempfile::tempdir().unwrap();
    let scope = sub(SUB_A);
    let assignment_id =
        format!("{scope}/providers/Microsoft.Authorization/roleAssignments/f2a3b4c5-d6e7-4f8a-9b0c-1d2e3f4a5b6c");
    // ARM `roleAssignments` list (2022-04-01), the same assignment.
    let listed = write(
        dir.path(),
        "role-assignments.json",
        format!(
            r#"{{"value":[{{"properties":{{"roleDefinitionId":"{scope}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
            "principalId":"{BEA}","principalType":"User","scope":"{scope}","condition":null,"conditionVersion":null,
            "createdOn":"2026-09-30T08:00:05Z","updatedOn":"2026-09-30T08:00:05Z"}},
            "id":"{assignment_id}","type":"Microsoft.Authorization/roleAssignments","name":"f2a3b4c5-d6e7-4f8a-9b0c-1d2e3f4a5b6c"}}]}}"#
        ),
    );
    let files = [
        fixture("powershell/get-azroledefinition.json"),
        listed,
        fixture("pim-active/time-bound.json"),
    ];
    let at = |taken_at: &str| {
        let db = dir.path().join(format!("{}.db", &taken_at[11..13]));
        let s = on(&db)
            .args(["import", "--format", "json", "--taken-at", taken_at])
            .args(&files)
            .ok_json();
        assert_eq!(s["counts"]["roleAssignments"], 1, "{s}");
        assert_eq!(s["counts"]["pimActive"], 0, "{s}");
        assert_eq!(s["counts"]["pimActiveDeduplicated"], 1, "{s}");
        db
    };
    // During the activation: the access, shown as PIM's with its window.
    let during = at("2026-09-30T12:00:00Z");
    assert_eq!(who(&during, WS_READ, &scope), vec![BEA.to_string()]);
    let rows = on(&during)
        .args(["review", "--scope", &scope, "--format", "json"])
        .ok_json();
    let row = rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["principalId"] == BEA)
        .unwrap_or_else(|| panic!("no row of {BEA}: {rows}"));
    assert_eq!(row["pim"], "active (PIM)", "{row}");
    assert_eq!(row["assignmentId"], assignment_id.as_str(), "{row}");
    assert_eq!(
        row["window"], "2026-09-30T08:00:00Z..2026-09-30T16:00:00Z",
        "{row}"
    );
    // After its end: no access, and `can` says why.
    let after = at("2026-10-01T00:00:00Z");
    assert!(who(&after, WS_READ, &scope).is_empty());
    let can = on(&after)
        .args(["can", BEA, WS_READ, "--scope", &scope, "--format", "json"])
        .expect(1)
        .json();
    let why = can["decisions"][0]["whyNot"].to_string();
    assert!(why.contains("2026-09-30T16:00:00Z"), "{why}");
    // The review recommends removing it, as the assignment it is.
    let csv = on(&after)
        .args(["review", "--scope", &scope, "--format", "csv"])
        .expect(0)
        .stdout();
    assert!(
        csv.contains(
            "remove: the time-bound assignment ended 2026-09-30T16:00:00Z, before the snapshot"
        ),
        "{csv}"
    );
}

/// An assignment's principal in no directory listing is flagged; with no listing
/// of its kind imported, the flag says its status is unknown, not that it is
/// orphaned (SPEC §1, "Orphans only on evidence").
#[test]
fn an_unlisted_principal_is_orphaned_only_where_its_kind_was_listed() {
    let dir = tempfile::tempdir().unwrap();
    let detail_of = |s: &Value, subject_end: &str| -> String {
        s["flags"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "orphaned-assignment")
            .flat_map(|f| f["examples"].as_array().unwrap().iter())
            .find(|e| e["subject"].as_str().unwrap().ends_with(subject_end))
            .map(|e| e["detail"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let assignments = fixture("powershell/get-azroleassignment.json");
    let ps: Value = serde_json::from_str(&std::fs::read_to_string(&assignments).unwrap()).unwrap();
    let id_of = |object: &str| -> String {
        ps.as_array()
            .unwrap()
            .iter()
            .find(|a| a["ObjectId"] == object)
            .unwrap()["RoleAssignmentId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (alain, sp) = (id_of(ALAIN), id_of(PIPELINE_SP));

    // No listing at all: every kind's status is unknown.
    let alone = import_ok(&dir.path().join("a.db"), std::slice::from_ref(&assignments));
    for id in [&alain, &sp] {
        let d = detail_of(&alone, id);
        assert!(d.contains("its status is unknown"), "{id}: {d}\n{alone}");
    }
    // A users listing without Alain: Alain is orphaned; the service principal,
    // of a kind no listing gave, is still unknown.
    let users = write(
        dir.path(),
        "users.json",
        r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
            {"id":"9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19","displayName":"Someone Else","userPrincipalName":"else@contoso.com"}]}"#,
    );
    let listed = import_ok(&dir.path().join("b.db"), &[assignments, users]);
    let d = detail_of(&listed, &alain);
    assert!(
        d.contains("is in no imported directory listing") && !d.contains("unknown"),
        "{d}\n{listed}"
    );
    let d = detail_of(&listed, &sp);
    assert!(d.contains("its status is unknown"), "{d}\n{listed}");

    // The same listing as one page of several (a next-page link: a collection
    // throttled part-way): no evidence, so Alain's status is unknown, in the flag
    // and in the answers, and nothing recommends removing him.
    let page = write(
        dir.path(),
        "users-page.json",
        r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
            {"id":"9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19","displayName":"Someone Else","userPrincipalName":"else@contoso.com"}],
            "@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=X"}"#,
    );
    let db = dir.path().join("c.db");
    let partial = import_ok(
        &db,
        &[fixture("powershell/get-azroleassignment.json"), page],
    );
    let d = detail_of(&partial, &alain);
    assert!(d.contains("its status is unknown"), "{d}\n{partial}");
    let flags = partial["flags"].as_array().unwrap();
    assert!(
        flags
            .iter()
            .any(|f| f["kind"] == "partial-listing" && f["examples"][0]["subject"] == "User"),
        "{partial}"
    );
    let alain_row = |db: &Path| -> String {
        let sheet = on(db)
            .args(["review", "--scope", "/", "--format", "csv"])
            .expect(0)
            .stdout();
        sheet
            .lines()
            .find(|l| l.contains(ALAIN))
            .unwrap_or_else(|| panic!("{sheet}"))
            .to_string()
    };
    let row = alain_row(&db);
    assert!(
        row.contains(",unknown,") && !row.contains("in no directory listing"),
        "{row}"
    );
    // With the complete listing, the same row says orphaned and remove.
    let row = alain_row(&dir.path().join("b.db"));
    assert!(
        row.contains(",true,") && row.contains("in no directory listing"),
        "{row}"
    );
}

/// A Graph users page exported without `id` (a `$select` that left it out) is
/// refused at the record, saying what is missing, not as a shape of no kind.
#[test]
fn a_graph_page_without_ids_is_refused_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let page = write(
        dir.path(),
        "users.json",
        r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(displayName,mail)",
            "value":[{"displayName":"Adele Vance","mail":"adele@contoso.com"}]}"#,
    );
    let stderr = import_refused(&dir.path().join("w.db"), &[page]);
    assert!(
        stderr.contains("users.json:2:22: value[0] is a Graph User record without `id`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: export the page again with `id`"),
        "{stderr}"
    );
}
