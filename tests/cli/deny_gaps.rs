//! A deny assignment that names or exempts a group applies or not by the group's
//! members (SPEC §2.6). When those members were not imported, `who` and `can` say
//! so in `incomplete` (SPEC §4) instead of answering as if the group were empty.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{on, write};

const SUB: &str = "/subscriptions/11111111-2222-4333-8444-555555555555";
const ALICE: &str = "00000001-1111-4111-8111-000000000001";
const GUNK: &str = "00000100-1111-4111-8111-000000000100";
const NESTED: &str = "00000101-1111-4111-8111-000000000101";
const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";
const VM_READ: &str = "Microsoft.Compute/virtualMachines/read";

/// Alice reads everything at the subscription; a deny there on reading virtual
/// machines names `principals` and exempts `excluded`; Gunk's members are
/// `gunk_members` (no member file when None); Nested's are never imported.
fn tenant(
    dir: &Path,
    principals: &[(&str, &str)],
    excluded: &[(&str, &str)],
    gunk_members: Option<&str>,
) -> PathBuf {
    tenant_with(dir, principals, excluded, gunk_members, "null")
}

/// [`tenant`] with the deny's `condition` (JSON: `null` or a string).
fn tenant_with(
    dir: &Path,
    principals: &[(&str, &str)],
    excluded: &[(&str, &str)],
    gunk_members: Option<&str>,
    condition: &str,
) -> PathBuf {
    let root = dir.join("export");
    let vm = format!("{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1");
    write(
        &root,
        "roles.json",
        r#"[{"id":"/providers/Microsoft.Authorization/roleDefinitions/00000064-1111-4111-8111-000000000064",
        "name":"00000064-1111-4111-8111-000000000064","roleName":"All Reader","roleType":"CustomRole","assignableScopes":["/"],
        "permissions":[{"actions":["*/read"],"notActions":[],"dataActions":[],"notDataActions":[]}]}]"#,
    );
    write(
        &root,
        "assignments.json",
        format!(
            r#"[{{"id":"{SUB}/providers/Microsoft.Authorization/roleAssignments/00000002-1111-4111-8111-000000000002",
        "principalId":"{ALICE}","principalName":"alice@contoso.com","principalType":"User",
        "roleDefinitionId":"/providers/Microsoft.Authorization/roleDefinitions/00000064-1111-4111-8111-000000000064",
        "scope":"{SUB}","type":"Microsoft.Authorization/roleAssignments"}}]"#
        ),
    );
    write(
        &root,
        "users.json",
        format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users",
        "value":[{{"id":"{ALICE}","displayName":"Alice","userPrincipalName":"alice@contoso.com"}}]}}"#
        ),
    );
    write(
        &root,
        "groups.json",
        format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups",
        "value":[{{"id":"{GUNK}","displayName":"Gunk"}},{{"id":"{NESTED}","displayName":"Nested"}}]}}"#
        ),
    );
    if let Some(members) = gunk_members {
        write(&root, &format!("members/{GUNK}.json"), members);
    }
    let list = |ps: &[(&str, &str)]| {
        ps.iter()
            .map(|(id, t)| format!(r#"{{"id":"{id}","type":"{t}"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    };
    write(
        &root,
        "deny.json",
        format!(
            r#"{{"value":[{{"id":"{SUB}/providers/Microsoft.Authorization/denyAssignments/00000903-1111-4111-8111-000000000903",
        "name":"00000903-1111-4111-8111-000000000903","type":"Microsoft.Authorization/denyAssignments",
        "properties":{{"denyAssignmentName":"stack lock","scope":"{SUB}","doNotApplyToChildScopes":false,
        "permissions":[{{"actions":["{VM_READ}"],"notActions":[],"dataActions":[],"notDataActions":[]}}],
        "principals":[{}],"excludePrincipals":[{}],"condition":{condition}}}}}]}}"#,
            list(principals),
            list(excluded)
        ),
    );
    write(
        &root,
        "resources.json",
        format!(
            r#"[{{"id":"{vm}","name":"vm1","type":"Microsoft.Compute/virtualMachines","resourceGroup":"rg1"}}]"#
        ),
    );
    write(
        &root,
        "operations.json",
        format!(
            r#"{{"id":"/providers/Microsoft.Authorization/providerOperations/Microsoft.Compute","name":"Microsoft.Compute",
        "displayName":"Compute","operations":[],"resourceTypes":[{{"name":"virtualMachines","displayName":"VMs",
        "operations":[{{"name":"{VM_READ}","displayName":"Read VM","isDataAction":false}}]}}]}}"#
        ),
    );
    let db = dir.join("w.db");
    on(&db)
        .args(["import", "--taken-at", "2026-10-01T00:00:00Z"])
        .arg(&root)
        .expect(0);
    db
}

/// Gunk's member file: one member of this Graph type.
fn gunk_holds(id: &str, graph_type: &str, name: &str) -> String {
    format!(
        r##"{{"value":[{{"@odata.type":"#microsoft.graph.{graph_type}","id":"{id}","displayName":"{name}"}}]}}"##
    )
}

/// Everyone denied, Gunk exempt; Gunk's one member is Nested, whose own members
/// were not imported.
fn everyone_but_gunk(dir: &Path) -> PathBuf {
    let members = gunk_holds(NESTED, "group", "Nested");
    tenant(
        dir,
        &[(EVERYONE, "SystemDefined")],
        &[(GUNK, "Group")],
        Some(&members),
    )
}

/// `can ALICE VM_READ` at vm1 as JSON (exit 0 or 1).
fn can_json(db: &Path) -> Value {
    let vm = format!("{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1");
    on(db)
        .args(["can", ALICE, VM_READ, "--scope", &vm, "--format", "json"])
        .output()
        .json()
}

/// `who`'s answer: each principal with its access, and the groups in `incomplete`.
type WhoSeen = (Vec<(String, String)>, Vec<String>);
/// `can ALICE`'s answer: the access, and the groups in `incomplete`.
type CanSeen = (String, Vec<String>);

/// `who`'s and `can ALICE`'s answers.
fn answers(db: &Path) -> (WhoSeen, CanSeen) {
    let vm = format!("{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1");
    let gaps = |v: &Value| -> Vec<String> {
        v["incomplete"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{} {}",
                    i["displayName"].as_str().unwrap_or(""),
                    i["reason"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    let who = on(db)
        .args(["who", VM_READ, "--scope", &vm, "--format", "json"])
        .ok_json();
    let listed = who["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["access"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let can = can_json(db);
    (
        (listed, gaps(&who)),
        (can["access"].as_str().unwrap_or("").to_string(), gaps(&can)),
    )
}

#[test]
fn a_deny_naming_a_group_whose_members_were_not_imported_leaves_the_answer_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let db = tenant(dir.path(), &[(GUNK, "Group")], &[], None);
    let ((listed, who_gaps), (access, can_gaps)) = answers(&db);
    // Alice is allowed as far as the snapshot shows; she may be in Gunk.
    assert_eq!(listed, vec![(ALICE.to_string(), "allowed".to_string())]);
    assert_eq!(access, "allowed");
    assert_eq!(who_gaps, vec!["Gunk members not imported"]);
    assert_eq!(can_gaps, who_gaps);
}

#[test]
fn a_deny_exempting_a_group_with_a_nested_group_not_imported_leaves_the_answer_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let db = everyone_but_gunk(dir.path());
    let ((listed, who_gaps), (access, can_gaps)) = answers(&db);
    // Alice is denied as far as the snapshot shows; she may be in Nested, and so
    // exempt.
    assert!(listed.is_empty(), "{listed:?}");
    assert_eq!(access, "denied");
    assert_eq!(who_gaps, vec!["Nested members not imported"]);
    assert_eq!(can_gaps, who_gaps);
}

#[test]
fn a_deny_whose_groups_are_all_imported_leaves_nothing_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let members = gunk_holds(ALICE, "user", "Alice");
    let db = tenant(dir.path(), &[(GUNK, "Group")], &[], Some(&members));
    let ((listed, who_gaps), (access, can_gaps)) = answers(&db);
    assert!(listed.is_empty(), "{listed:?}");
    assert_eq!(access, "denied");
    assert!(
        who_gaps.is_empty() && can_gaps.is_empty(),
        "{who_gaps:?} {can_gaps:?}"
    );
}

/// A deny assignment's condition is shown, never evaluated (docs/semantics.md):
/// in the deny entries of `can`'s JSON and in `--explain`'s reason.
#[test]
fn a_deny_assignments_condition_is_shown_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let members = gunk_holds(ALICE, "user", "Alice");
    let condition = "@Resource[Microsoft.Compute/virtualMachines:name] StringEquals 'vm1'";
    let db = tenant_with(
        dir.path(),
        &[(GUNK, "Group")],
        &[],
        Some(&members),
        &format!("\"{condition}\""),
    );
    let vm = format!("{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1");
    let can = can_json(&db);
    assert_eq!(can["access"], "denied", "{can}");
    assert_eq!(
        can["decisions"][0]["denies"][0]["condition"], condition,
        "{can}"
    );
    let text = on(&db)
        .args([
            "can",
            ALICE,
            VM_READ,
            "--scope",
            &vm,
            "--explain",
            "--format",
            "table",
        ])
        .output()
        .stdout();
    assert!(
        text.contains(&format!(
            "where its condition holds (not evaluated): {condition}"
        )),
        "{text}"
    );
    // Without a condition, the entry has none.
    let dir = tempfile::tempdir().unwrap();
    let db = tenant(dir.path(), &[(GUNK, "Group")], &[], Some(&members));
    let can = can_json(&db);
    assert!(
        can["decisions"][0]["denies"][0].get("condition").is_none(),
        "{can}"
    );
}

/// A deny assignment whose `denyAssignmentEffect` is `audit` (API
/// 2024-07-01-preview: "'enforced' blocks access, 'audit' logs without blocking")
/// blocks nothing; `enforced`, or no effect at all, blocks.
#[test]
fn an_audit_deny_blocks_nothing() {
    let members = gunk_holds(ALICE, "user", "Alice");
    for (effect, access) in [
        ("audit", "allowed"),
        ("AUDIT", "allowed"),
        ("enforced", "denied"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        // The builder writes the deny's properties up to `"condition":`; the
        // effect follows it.
        let db = tenant_with(
            dir.path(),
            &[(GUNK, "Group")],
            &[],
            Some(&members),
            &format!(r#"null,"denyAssignmentEffect":"{effect}""#),
        );
        assert_eq!(can_json(&db)["access"], access, "{effect}");
        let vm =
            format!("{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1");
        let who = on(&db)
            .args(["who", VM_READ, "--scope", &vm, "--format", "json"])
            .ok_json();
        let listed = who["principals"].as_array().unwrap().len();
        assert_eq!(listed, usize::from(access == "allowed"), "{effect}: {who}");
    }
}

/// The review says so too: its rows name the deny in `blocked_by`, which may be
/// wrong for the members of a group whose members were not imported.
#[test]
fn the_review_lists_the_groups_of_a_deny_whose_members_were_not_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = everyone_but_gunk(dir.path());
    let review = on(&db)
        .args(["review", "--scope", SUB, "--format", "json"])
        .ok_json();
    let gaps: Vec<&str> = review["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["groupId"].as_str())
        .collect();
    assert_eq!(gaps, vec![NESTED], "{review}");
}
