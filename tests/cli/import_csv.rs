//! CSV inputs end to end (SPEC §1): each kind, recognised from its header, imported
//! with `whocan import` and seen in `who` / `can` answers; each refusal exits 2 with
//! `path:line:column:` and leaves the database as it was. The fixtures are in
//! `tests/fixtures/csv/` (real column names, invented rows).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{snapshots, stdout_json, whocan, write};

const SUB: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const COMPUTE_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/computes/write";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const ALICE: &str = "44ea605d-4ebd-4de4-8bea-8ea7a8bfe147";
const BOB: &str = "afbd3872-fe2d-4746-977f-5b6823b4134b";
const CAROL: &str = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f";
const DANA: &str = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a";
const DELETED: &str = "b9539884-dcb9-46e1-a4d2-441c2ab481c3";
const ML_TEAM: &str = "7e666535-0fad-42c2-be97-d2bf62869490";
const ML_INNER: &str = "55aa9bfc-ca6a-495a-9844-a4f4d88e3e26";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csv")
}

fn ws() -> String {
    format!(
        "{SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ml-prod"
    )
}

fn assignment_id(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

fn import(db: &Path, paths: &[&Path]) -> Value {
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

/// `whocan who ACTION --scope SCOPE --format json`.
fn who(db: &Path, action: &str, scope: &str) -> Value {
    let out = whocan(db)
        .args(["who", action, "--scope", scope, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

/// The `principals` of a `who` answer, by id.
fn principal<'a>(answer: &'a Value, id: &str) -> &'a Value {
    answer["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in {answer}"))
}

fn ids(answer: &Value) -> Vec<&str> {
    answer["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect()
}

/// `(file name, kind, records)` of an import summary.
fn kinds(summary: &Value) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = Path::new(f["path"].as_str().unwrap());
            (
                path.file_name().unwrap().to_string_lossy().to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["records"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Runs `whocan import PATH` expecting a refusal: exit 2 and `{path}{want}` on stderr.
fn refused(db: &Path, path: &Path, want: &str) -> String {
    let out = whocan(db).arg("import").arg(path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{}: {stderr}", path.display());
    let expected = format!("{}{want}", path.display());
    assert!(stderr.contains(&expected), "want {expected}\ngot {stderr}");
    stderr
}

// ---------------------------------------------------------------------------------

/// One import of PowerShell's role assignments, Entra's users and members
/// downloads and the edge list: the group chain ML Inner → ML Team is built from
/// the two member files, names and user types come from the users download.
#[test]
fn every_csv_kind_imports_and_answers_who_and_can() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let summary = import(&db, &[&fixtures().join("tenant")]);
    assert_eq!(
        kinds(&summary),
        vec![
            (format!("{ML_TEAM}.csv"), "group-members".into(), 2),
            ("edges.csv".into(), "group-members".into(), 1),
            ("role-assignments.csv".into(), "role-assignments".into(), 4),
            ("roles.json".into(), "role-definitions".into(), 2),
            ("users.csv".into(), "directory".into(), 4),
        ]
    );
    assert_eq!(summary["counts"]["users"], 4);
    assert_eq!(summary["counts"]["memberLists"], 2);
    assert_eq!(summary["counts"]["memberEdges"], 3);

    // Through ML Team's role assignment (a Group row without SignInName): Bob, a
    // direct member from the members download, and Dana through ML Inner.
    let w = who(&db, COMPUTE_WRITE, &ws());
    assert_eq!(ids(&w), vec![BOB, DANA]);
    let bob = principal(&w, BOB);
    assert_eq!(bob["displayName"], "Bob Martin");
    assert_eq!(bob["userType"], "Guest");
    assert_eq!(
        bob["userPrincipalName"],
        "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com"
    );
    assert_eq!(bob["grants"][0]["via"], serde_json::json!([ML_TEAM]));
    assert_eq!(bob["grants"][0]["roleName"], "ML Compute Operator");
    assert_eq!(
        principal(&w, DANA)["grants"][0]["via"],
        serde_json::json!([ML_INNER, ML_TEAM])
    );

    let r = who(&db, WS_READ, &ws());
    assert_eq!(ids(&r), vec![ALICE, DELETED, CAROL]);
    let alice = principal(&r, ALICE);
    assert_eq!(alice["access"], "allowed");
    assert_eq!(alice["displayName"], "Alice Nguyen");
    assert_eq!(alice["accountEnabled"], true);
    assert_eq!(
        alice["grants"][0]["assignmentId"],
        assignment_id(SUB, "0d6f4a8e-1c2b-4e3f-9a5b-6c7d8e9f0a1b")
    );
    assert_eq!(alice["grants"][0]["roleDefinitionId"], READER);
    // ObjectType Unknown: a deleted principal.
    assert_eq!(principal(&r, DELETED)["orphaned"], true);
    // The condition, multi-line inside its quotes, is kept whole.
    let carol = principal(&r, CAROL);
    assert_eq!(carol["access"], "conditional");
    assert_eq!(carol["accountEnabled"], false);
    let condition = carol["grants"][0]["condition"].as_str().unwrap();
    assert!(condition.starts_with("(\r\n (\r\n"), "{condition}");
    assert!(
        condition.ends_with("StringEquals 'ml-prod'\r\n )\r\n)"),
        "{condition}"
    );

    let out = whocan(&db)
        .args(["can", "dana@contoso.com", COMPUTE_WRITE, "--scope", &ws()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = whocan(&db)
        .args(["can", "alice@contoso.com", COMPUTE_WRITE, "--scope", &ws()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// The portal's "Download role assignments": a full role definition id joins the
/// role on its GUID; a row whose DisplayName, SignInName and ObjectType are blank
/// (no directory read permission) is still an assignment.
#[test]
fn portal_download_role_assignments() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let f = fixtures();
    let summary = import(
        &db,
        &[
            &f.join("tenant/roles.json"),
            &f.join("portal/role-assignments.csv"),
        ],
    );
    assert!(
        kinds(&summary).contains(&("role-assignments.csv".into(), "role-assignments".into(), 2)),
        "{summary}"
    );
    let r = who(&db, WS_READ, &ws());
    let erin = principal(&r, "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b");
    assert_eq!(erin["grants"][0]["roleName"], "Reader");
    assert_eq!(erin["grants"][0]["roleDefinitionId"], READER);
    assert_eq!(
        erin["grants"][0]["assignmentId"],
        assignment_id(&ws(), "5b0e9f3d-6a7b-4384-8f0a-1b2c3d4e5f60")
    );
    let blank = principal(&r, "f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b9c");
    assert_eq!(blank["access"], "allowed");
}

/// Windows PowerShell's `Export-Csv -Encoding Unicode`: UTF-16 LE with its byte-order
/// mark, read the same as the UTF-8 file.
#[test]
fn powershell_export_csv_in_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let text = std::fs::read_to_string(f.join("tenant/role-assignments.csv")).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let utf16 = write(dir.path(), "ra-unicode.csv", bytes);
    let db = dir.path().join("w.db");
    import(&db, &[&f.join("tenant/roles.json"), &utf16]);
    let r = who(&db, WS_READ, &ws());
    let mut got = ids(&r);
    got.sort_unstable();
    let mut want = vec![ALICE, DELETED, CAROL];
    want.sort_unstable();
    assert_eq!(got, want);
    assert_eq!(
        principal(&r, ALICE)["grants"][0]["assignmentId"],
        assignment_id(SUB, "0d6f4a8e-1c2b-4e3f-9a5b-6c7d8e9f0a1b")
    );
}

/// `Get-AzRoleDefinition | Export-Csv` writes `System.Collections.Generic.List`1[...]`
/// where the actions should be: refused at the first such cell, with a hint, and no
/// database is created.
#[test]
fn powershell_role_definitions_csv_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let list = "System.Collections.Generic.List`1[System.String]";
    let path = write(
        dir.path(),
        "roles.csv",
        format!(
            "#TYPE Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleDefinition\r\n\
             \"Name\",\"Id\",\"IsCustom\",\"Description\",\"Actions\",\"NotActions\",\"DataActions\",\"NotDataActions\",\"AssignableScopes\",\"Condition\",\"ConditionVersion\"\r\n\
             \"Reader\",\"{READER}\",\"False\",\"View all resources\",\"{list}\",\"{list}\",\"{list}\",\"{list}\",\"{list}\",,\r\n"
        ),
    );
    let db = dir.path().join("fresh.db");
    let stderr = refused(
        &db,
        &path,
        ":3:78: expected role definitions with their permissions, found `Get-AzRoleDefinition | Export-Csv` output",
    );
    assert!(
        stderr.contains("(hint: export with `Get-AzRoleDefinition | ConvertTo-Json"),
        "{stderr}"
    );
    assert!(!db.exists());
}

/// A display name with an unquoted comma used to shift the member id one column
/// right: `Prod` was imported as a member and Bob was lost, silently. Now the row is
/// refused at its extra field and the database keeps its snapshot.
#[test]
fn a_row_with_an_extra_field_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let f = fixtures();
    import(&db, &[&f.join("tenant")]);
    let before = snapshots(&db);
    let path = write(
        dir.path(),
        "more-members.csv",
        format!(
            "groupId,groupDisplayName,memberId,memberType\n\
             {ML_TEAM},ML Team,{CAROL},User\n\
             {ML_TEAM},ML, Prod,{BOB},User\n"
        ),
    );
    refused(
        &db,
        &path,
        ":3:84: expected 4 fields (header groupId,groupDisplayName,memberId,memberType), found 5",
    );
    // A row one field short is refused where the missing field should start.
    let short = write(
        dir.path(),
        "short.csv",
        format!("groupId,memberId,memberType\n{ML_TEAM},{BOB}\n"),
    );
    refused(
        &db,
        &short,
        ":2:74: expected 3 fields (header groupId,memberId,memberType), found 2",
    );
    assert_eq!(snapshots(&db), before);
}

#[test]
fn every_other_csv_refusal_names_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fresh = d.join("fresh.db");
    let cases: Vec<(PathBuf, String)> = vec![
        (
            write(d, "other.csv", "id,displayName\n1,x\n"),
            ":1:1: expected a group-member edge list with the header groupId,memberId[,memberType]; \
             or role assignments as `Get-AzRoleAssignment | Export-Csv` and the Azure portal's \
             \"Download role assignments\" write them"
                .into(),
        ),
        (
            write(
                d,
                "members-of-ml.csv",
                format!("Object ID,User principal name,Display name,Member type\n{BOB},b,Bob,User\n"),
            ),
            ":1:1: expected a group's member list (Entra's \"Download members\") to be named after \
             the group's object id, <group-object-id>.csv"
                .into(),
        ),
        (
            write(
                d,
                "users.csv",
                format!("userPrincipalName,displayName,objectId,accountEnabled\nalice@contoso.com,Alice,{ALICE},True\nbob@contoso.com,Bob,,True\n"),
            ),
            ":3:21: expected the user's object id in column objectId".into(),
        ),
        (
            write(
                d,
                "users2.csv",
                format!("userPrincipalName,displayName,objectId,accountEnabled\nalice@contoso.com,Alice,{ALICE},Yes\n"),
            ),
            ":2:62: expected True or False in column accountEnabled, found `Yes`".into(),
        ),
        (
            write(
                d,
                "ra.csv",
                "#TYPE Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleAssignment\n\"RoleAssignmentId\",\"ObjectId\",\"RoleDefinitionId\"\n",
            ),
            ":1:1: expected column Scope in role assignments".into(),
        ),
        (
            write(d, "quote.csv", "groupId,memberId\ng1,\"m1\ng2,m2\n"),
            ":2:4: expected a closing `\"` for the quoted field that starts here".into(),
        ),
        (
            write(d, "empty.csv", ""),
            ":1:1: expected a CSV header row, found an empty file".into(),
        ),
    ];
    for (path, want) in &cases {
        refused(&fresh, path, want);
        assert!(!fresh.exists(), "{} created the database", path.display());
    }
}
