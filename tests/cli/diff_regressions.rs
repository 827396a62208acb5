//! `diff` regressions from the oracle sweep (df30): changes of the tenant that
//! change effective access, or that do not, which `diff` misread. Each test builds
//! two small exports, imports them as snapshots 1 and 2, and reads `diff 1 2`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::support::{on, write};

const SUB: &str = "11111111-1111-1111-1111-111111111111";
const ALICE: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const BOB: &str = "aaaaaaaa-0000-0000-0000-000000000002";
const READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const ROLE: &str = "cccccccc-0000-0000-0000-000000000001";

fn mg(name: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{name}")
}

fn rg() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg")
}

fn ws() -> String {
    format!(
        "{}/providers/Microsoft.MachineLearningServices/workspaces/ws",
        rg()
    )
}

/// One export folder: users Alice and Bob, the workspace, and whatever a test adds.
struct Export {
    dir: PathBuf,
}

impl Export {
    fn new(root: &Path, name: &str) -> Export {
        let dir = root.join(name);
        let users = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
            "value": [
                {"id": ALICE, "displayName": "Alice", "userPrincipalName": "alice@contoso.com",
                 "accountEnabled": true, "userType": "Member"},
                {"id": BOB, "displayName": "Bob", "userPrincipalName": "bob@contoso.com",
                 "accountEnabled": true, "userType": "Member"}
            ]
        });
        write(&dir, "users.json", users.to_string());
        let res = json!([{"id": ws(), "name": "ws",
            "type": "Microsoft.MachineLearningServices/workspaces", "resourceGroup": "rg"}]);
        write(&dir, "res.json", res.to_string());
        Export { dir }
    }

    fn file(self, name: &str, v: Value) -> Export {
        write(&self.dir, name, v.to_string());
        self
    }

    /// A custom role `name` (GUID `ROLE`) with these permission blocks.
    fn role(self, name: &str, blocks: Value) -> Export {
        let role = json!([{"roleName": name, "name": ROLE,
            "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{ROLE}"),
            "roleType": "CustomRole", "assignableScopes": ["/"], "permissions": blocks}]);
        self.file("roles.json", role)
    }

    /// Assignments of role `ROLE`, one per (principal, principal type, scope).
    fn assignments(self, list: &[(&str, &str, &str)]) -> Export {
        let v: Vec<Value> = list
            .iter()
            .enumerate()
            .map(|(i, (p, kind, scope))| {
                let name = format!("dddddddd-0000-0000-0000-00000000000{}", i + 1);
                json!({"id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
                    "name": name, "principalId": p, "principalType": kind, "principalName": "",
                    "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{ROLE}"),
                    "roleDefinitionName": "WS Role", "scope": scope,
                    "condition": null, "conditionVersion": null})
            })
            .collect();
        self.file("asg.json", Value::Array(v))
    }

    /// The management-group tree: groups root, mg-a and mg-b; the subscription
    /// under `parent`.
    fn tree(self, parent: &str) -> Export {
        let node = |id: String, name: &str, kind: &str, parent: Value| json!({"id": id, "name": name, "type": kind, "parent": parent, "displayName": name});
        let mg_kind = "Microsoft.Management/managementGroups";
        let v = json!([
            node(mg("root"), "root", mg_kind, Value::Null),
            node(mg("mg-a"), "mg-a", mg_kind, json!({"id": mg("root")})),
            node(mg("mg-b"), "mg-b", mg_kind, json!({"id": mg("root")})),
            node(
                format!("/subscriptions/{SUB}"),
                "sub",
                "/subscriptions",
                json!({"id": mg(parent)})
            ),
        ]);
        self.file("mgs.json", v)
    }

    /// Groups (id, display name).
    fn groups(self, list: &[(&str, &str)]) -> Export {
        let v: Vec<Value> = list
            .iter()
            .map(|(id, name)| {
                json!({"id": id, "displayName": name, "securityEnabled": true,
                    "mailEnabled": false, "mailNickname": name})
            })
            .collect();
        self.file(
            "groups.json",
            json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups", "value": v}),
        )
    }

    /// The member file of `group`, listing these users.
    fn members(self, group: &str, users: &[&str]) -> Export {
        let v: Vec<Value> = users
            .iter()
            .map(|u| json!({"@odata.type": "#microsoft.graph.user", "id": u}))
            .collect();
        self.file(&format!("members/{group}.json"), Value::Array(v))
    }

    /// Deny assignments, as ARM lists them.
    fn denies(self, list: Vec<Value>) -> Export {
        self.file("deny.json", json!({"value": list}))
    }
}

/// One deny assignment at the resource group denying `action`.
fn deny(
    n: u32,
    name: &str,
    action: &str,
    principals: Value,
    excluded: Value,
    extra: Value,
) -> Value {
    let id = format!("eeeeeeee-0000-0000-0000-00000000000{n}");
    let mut props = json!({"denyAssignmentName": name,
        "permissions": [{"actions": [action], "notActions": [], "dataActions": [], "notDataActions": []}],
        "scope": rg(), "doNotApplyToChildScopes": false,
        "principals": principals, "excludePrincipals": excluded});
    if let Value::Object(m) = extra {
        props.as_object_mut().unwrap().extend(m);
    }
    json!({"id": format!("{}/providers/Microsoft.Authorization/denyAssignments/{id}", rg()),
        "name": id, "type": "Microsoft.Authorization/denyAssignments", "properties": props})
}

fn all_principals() -> Value {
    json!([{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}])
}

/// Imports `first` and `second` as snapshots 1 and 2 of a fresh database.
fn two_snapshots(tmp: &TempDir, first: &Export, second: &Export) -> PathBuf {
    let db = tmp.path().join("diff.db");
    for (e, at) in [
        (first, "2026-01-01T00:00:00Z"),
        (second, "2026-04-01T00:00:00Z"),
    ] {
        on(&db)
            .args(["import", "--taken-at", at])
            .arg(&e.dir)
            .expect(0);
    }
    db
}

fn diff(db: &Path, extra: &[&str]) -> Value {
    on(db)
        .args(["diff", "1", "2", "--format", "json"])
        .args(extra)
        .ok_json()
}

fn cause<'a>(v: &'a Value, i: &Value) -> &'a Value {
    &v["causes"][i.as_u64().unwrap() as usize]
}

/// The deny changes that block or unblock someone: (effect, principals, cause
/// kind, deny name).
fn deny_lines(v: &Value) -> Vec<(String, Vec<String>, String, String)> {
    v["denies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["principals"].as_array().unwrap().is_empty())
        .map(|d| {
            let c = cause(v, &d["cause"]);
            let deny_name = d["deny"]["name"]
                .as_str()
                .or(c["deny"]["name"].as_str())
                .unwrap_or("")
                .to_string();
            (
                d["effect"].as_str().unwrap().to_string(),
                d["principals"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_string())
                    .collect(),
                c["kind"].as_str().unwrap().to_string(),
                deny_name,
            )
        })
        .collect()
}

/// The kinds of the causes of every line of `section`: (principal, kinds).
fn line_causes<'a>(v: &'a Value, section: &str) -> Vec<(String, Vec<&'a str>)> {
    v[section]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let kinds = l["causes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| cause(v, i)["kind"].as_str().unwrap())
                .collect();
            (l["principal"].as_str().unwrap().to_string(), kinds)
        })
        .collect()
}

fn admin_blocks() -> Value {
    json!([{"actions": ["Microsoft.MachineLearningServices/workspaces/*"], "notActions": [],
        "dataActions": [], "notDataActions": []}])
}

// ---------------------------------------------------------------------------

/// df30 defect 3: a deny switched from enforced to `denyAssignmentEffect: audit`
/// (and back) changes `can`; diff said nothing at all.
#[test]
fn deny_switched_to_audit_unblocks_and_back_blocks() {
    let tmp = tempfile::tempdir().unwrap();
    let export = |name: &str, extra: Value| {
        Export::new(tmp.path(), name)
            .role("WS Admin", admin_blocks())
            .assignments(&[(ALICE, "User", &format!("/subscriptions/{SUB}"))])
            .denies(vec![deny(
                1,
                "stack-protect",
                "Microsoft.MachineLearningServices/workspaces/delete",
                all_principals(),
                json!([]),
                extra,
            )])
    };
    let enforced = export("enforced", json!({}));
    let audit = export("audit", json!({"denyAssignmentEffect": "audit"}));
    let db = two_snapshots(&tmp, &enforced, &audit);
    let v = diff(&db, &[]);
    assert_eq!(
        deny_lines(&v),
        vec![(
            "unblocks".to_string(),
            vec![ALICE.to_string()],
            "denyAssignmentRemoved".to_string(),
            "stack-protect".to_string()
        )],
        "{v:#}"
    );
    // The audit-only record is the other half of the change, and says what it is.
    let added: Vec<&Value> = v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "denyAssignmentAdded")
        .collect();
    assert_eq!(added.len(), 1, "{v:#}");
    assert_eq!(added[0]["deny"]["effect"], "audit");
    assert!(
        added[0]["description"]
            .as_str()
            .unwrap()
            .contains("audit only"),
        "{v:#}"
    );

    // The reverse: audit → enforced blocks Alice.
    let tmp2 = tempfile::tempdir().unwrap();
    let db = two_snapshots(&tmp2, &audit, &enforced);
    let v = diff(&db, &[]);
    assert_eq!(
        deny_lines(&v),
        vec![(
            "blocks".to_string(),
            vec![ALICE.to_string()],
            "denyAssignmentAdded".to_string(),
            "stack-protect".to_string()
        )],
        "{v:#}"
    );
}

/// df30 defect 1: the subscription moves from mg-a to mg-b; Alice's role at mg-a
/// no longer reaches the workspace (`can`: allowed, then none). diff printed an
/// all-zero summary, with or without `--scope` or `--principal`.
#[test]
fn subscription_moved_out_of_a_management_group_is_access_changed_and_lost_below() {
    let tmp = tempfile::tempdir().unwrap();
    let reader =
        json!([{"actions": [READ], "notActions": [], "dataActions": [], "notDataActions": []}]);
    let export = |name: &str, parent: &str| {
        Export::new(tmp.path(), name)
            .tree(parent)
            .role("WS Reader", reader.clone())
            .assignments(&[(ALICE, "User", &mg("mg-a"))])
    };
    let db = two_snapshots(&tmp, &export("e1", "mg-a"), &export("e2", "mg-b"));

    // Unfiltered: the holding at mg-a is the same, what it reaches changed.
    let v = diff(&db, &[]);
    assert_eq!(v["summary"]["changed"], 1, "{v:#}");
    assert_eq!(
        line_causes(&v, "changed"),
        vec![(ALICE.to_string(), vec!["scopeMoved"])]
    );
    let moved = &v["causes"][0];
    assert_eq!(moved["kind"], "scopeMoved");
    assert_eq!(moved["scope"], format!("/subscriptions/{SUB}"));
    assert_eq!(moved["from"], mg("mg-a").to_lowercase());
    assert_eq!(moved["to"], mg("mg-b").to_lowercase());
    let text = moved["description"].as_str().unwrap();
    assert!(text.contains("mg-a") && text.contains("mg-b"), "{text}");

    // At the workspace: Alice's access there is lost, through the move.
    let ws = ws();
    let v = diff(&db, &["--scope", &ws]);
    assert_eq!(
        line_causes(&v, "lost"),
        vec![(ALICE.to_string(), vec!["scopeMoved"])],
        "{v:#}"
    );
    assert_eq!(v["summary"]["gained"], 0);
    assert_eq!(v["summary"]["changed"], 0);

    // The reverse diff gains it back.
    let v = on(&db)
        .args(["diff", "2", "1", "--format", "json", "--scope", &ws])
        .ok_json();
    assert_eq!(
        line_causes(&v, "gained"),
        vec![(ALICE.to_string(), vec!["scopeMoved"])],
        "{v:#}"
    );

    // For Alice alone, the change is still there.
    let v = diff(&db, &["--principal", "alice@contoso.com"]);
    assert_eq!(v["summary"]["changed"], 1, "{v:#}");
}

/// The subscription moves under mg-b, which holds an All-Principals deny on
/// `workspaces/read`: Alice's role at the subscription is the same, but the
/// deny now reaches it (`can`: allowed, then denied). diff listed the move as
/// "no effect"; it blocks Alice (and the reverse diff unblocks her).
#[test]
fn a_move_under_a_management_groups_deny_blocks() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = format!("/subscriptions/{SUB}");
    let reader =
        json!([{"actions": [READ], "notActions": [], "dataActions": [], "notDataActions": []}]);
    let mut at_mg_b = deny(1, "mg-b deny", READ, all_principals(), json!([]), json!({}));
    at_mg_b["properties"]["scope"] = mg("mg-b").into();
    at_mg_b["id"] = format!(
        "{}/providers/Microsoft.Authorization/denyAssignments/eeeeeeee-0000-0000-0000-000000000001",
        mg("mg-b")
    )
    .into();
    let export = |name: &str, parent: &str| {
        Export::new(tmp.path(), name)
            .tree(parent)
            .role("WS Reader", reader.clone())
            .assignments(&[(ALICE, "User", &sub)])
            .denies(vec![at_mg_b.clone()])
    };
    let db = two_snapshots(&tmp, &export("e1", "mg-a"), &export("e2", "mg-b"));
    for (args, effect) in [(["1", "2"], "blocks"), (["2", "1"], "unblocks")] {
        let v = on(&db)
            .args(["diff", args[0], args[1], "--format", "json"])
            .ok_json();
        assert_eq!(
            deny_lines(&v),
            vec![(
                effect.to_string(),
                vec![ALICE.to_string()],
                "scopeMoved".to_string(),
                "mg-b deny".to_string()
            )],
            "{v:#}"
        );
        assert_eq!(v["summary"]["noEffect"], 0, "{v:#}");
        assert_eq!(v["causes"][0]["effect"]["blocked"], 1, "{v:#}");
    }
}

/// df30 defect 2: Alice joins the group an All-Principals deny exempts (denied →
/// allowed), Bob joins the group another deny names (allowed → denied). diff
/// listed both memberships under "no effect".
#[test]
fn membership_that_changes_whom_a_deny_applies_to_blocks_or_unblocks() {
    const EXEMPT: &str = "bbbbbbbb-0000-0000-0000-000000000001";
    const DENIED: &str = "bbbbbbbb-0000-0000-0000-000000000002";
    let tmp = tempfile::tempdir().unwrap();
    let sub = format!("/subscriptions/{SUB}");
    let export = |name: &str, exempt: &[&str], denied: &[&str]| {
        Export::new(tmp.path(), name)
            .role("WS Admin", admin_blocks())
            .assignments(&[(ALICE, "User", &sub), (BOB, "User", &sub)])
            .groups(&[(EXEMPT, "Exempt"), (DENIED, "Denied")])
            .members(EXEMPT, exempt)
            .members(DENIED, denied)
            .denies(vec![
                deny(
                    1,
                    "deny-1",
                    "Microsoft.MachineLearningServices/workspaces/delete",
                    all_principals(),
                    json!([{"id": EXEMPT, "type": "Group"}]),
                    json!({}),
                ),
                deny(
                    2,
                    "deny-2",
                    "Microsoft.MachineLearningServices/workspaces/write",
                    json!([{"id": DENIED, "type": "Group"}]),
                    json!([]),
                    json!({}),
                ),
            ])
    };
    let db = two_snapshots(
        &tmp,
        &export("e1", &[], &[]),
        &export("e2", &[ALICE], &[BOB]),
    );
    let v = diff(&db, &[]);
    let mut got = deny_lines(&v);
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "blocks".to_string(),
                vec![BOB.to_string()],
                "membershipAdded".to_string(),
                "deny-2".to_string()
            ),
            (
                "unblocks".to_string(),
                vec![ALICE.to_string()],
                "membershipAdded".to_string(),
                "deny-1".to_string()
            ),
        ],
        "{v:#}"
    );
    assert_eq!(v["summary"]["noEffect"], 0, "{v:#}");

    // The table names the deny beside the membership.
    on(&db)
        .args(["diff", "1", "2", "--format", "table"])
        .expect(0)
        .stdout_has("Bob joined group Denied (deny assignment deny-2");

    // Reversed: Alice blocked again, Bob no longer.
    let v = on(&db)
        .args(["diff", "2", "1", "--format", "json"])
        .ok_json();
    let mut got: Vec<(String, Vec<String>, String, String)> = deny_lines(&v);
    got.sort();
    assert_eq!(got[0].0, "blocks");
    assert_eq!(got[0].1, vec![ALICE.to_string()]);
    assert_eq!(got[0].2, "membershipRemoved");
    assert_eq!(got[1].1, vec![BOB.to_string()]);
}

/// df30 defect 4: the second export lacks the member file of ML Team (the group
/// holds the role). `who` says "members not imported"; diff said "Alice left
/// group ML Team" and lost access. Nothing says she left.
#[test]
fn member_list_missing_from_one_snapshot_is_not_compared_not_removed() {
    const TEAM: &str = "bbbbbbbb-0000-0000-0000-000000000001";
    let tmp = tempfile::tempdir().unwrap();
    let sub = format!("/subscriptions/{SUB}");
    let export = |name: &str| {
        Export::new(tmp.path(), name)
            .role("WS Admin", admin_blocks())
            .assignments(&[(TEAM, "Group", &sub)])
            .groups(&[(TEAM, "ML Team")])
    };
    let with_list = export("e1").members(TEAM, &[ALICE]);
    let without = export("e2");
    let db = two_snapshots(&tmp, &with_list, &without);
    for (from, to, snapshot) in [("1", "2", "to"), ("2", "1", "from")] {
        let v = on(&db)
            .args(["diff", from, to, "--format", "json"])
            .ok_json();
        assert_eq!(v["summary"]["lost"], 0, "{v:#}");
        assert_eq!(v["summary"]["gained"], 0, "{v:#}");
        assert!(v["causes"].as_array().unwrap().is_empty(), "{v:#}");
        assert_eq!(
            v["incomplete"],
            json!([{"group": {"id": TEAM, "name": "ML Team"},
                    "reason": "members not imported", "snapshot": snapshot}]),
            "{v:#}"
        );
    }
    on(&db)
        .args(["diff", "1", "2", "--format", "table"])
        .expect(0)
        .stdout_has("members of group ML Team not imported in the later snapshot")
        .stdout_has("Not compared (1)");
}

/// df30 defect 6: a role's two permission blocks exported in the other order were
/// reported as a role edit changing Alice's access.
#[test]
fn reordered_permission_blocks_are_no_change() {
    let tmp = tempfile::tempdir().unwrap();
    let b1 = json!({"actions": [READ], "notActions": [], "dataActions": [], "notDataActions": []});
    let b2 = json!({"actions": ["Microsoft.MachineLearningServices/workspaces/computes/*"],
        "notActions": ["Microsoft.MachineLearningServices/workspaces/computes/delete"],
        "dataActions": [], "notDataActions": []});
    let sub = format!("/subscriptions/{SUB}");
    let export = |name: &str, blocks: Value| {
        Export::new(tmp.path(), name)
            .role("Two Blocks", blocks)
            .assignments(&[(ALICE, "User", &sub)])
    };
    let db = two_snapshots(
        &tmp,
        &export("e1", json!([b1.clone(), b2.clone()])),
        &export("e2", json!([b2, b1])),
    );
    let v = diff(&db, &[]);
    assert_eq!(
        v["summary"],
        json!({"changed": 0, "denies": 0, "gained": 0, "lost": 0, "noEffect": 0}),
        "{v:#}"
    );
}

/// df30 defect 5: the custom role "WS Role" is exported without `Id` (joined to
/// Alice's assignment by name, SPEC §1), then with the `Id` her assignment's
/// `roleDefinitionId` already names. Same role, same access; diff said she lost
/// `name:WS Role` ("no longer defined") and gained the GUID.
#[test]
fn a_custom_role_file_that_gains_its_id_is_the_same_role() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = format!("/subscriptions/{SUB}");
    let role_file = |id: Option<&str>| {
        let mut r = json!({"Name": "WS Role", "IsCustom": true, "Description": "x",
            "Actions": [READ], "NotActions": [], "DataActions": [], "NotDataActions": [],
            "AssignableScopes": [sub.clone()]});
        if let Some(id) = id {
            r["Id"] = json!(id);
        }
        r
    };
    let export = |name: &str, id: Option<&str>, assigned: bool| {
        let e = Export::new(tmp.path(), name).file("role.json", role_file(id));
        if assigned {
            e.assignments(&[(ALICE, "User", &sub)])
        } else {
            e
        }
    };
    let no_id = export("e1", None, true);
    let with_id = export("e2", Some(ROLE), true);
    let db = two_snapshots(&tmp, &no_id, &with_id);
    let nothing = json!({"changed": 0, "denies": 0, "gained": 0, "lost": 0, "noEffect": 0});
    for (from, to) in [("1", "2"), ("2", "1")] {
        let v = on(&db)
            .args(["diff", from, to, "--format", "json"])
            .ok_json();
        assert_eq!(v["summary"], nothing, "diff {from} {to}: {v:#}");
        assert!(v["causes"].as_array().unwrap().is_empty(), "{v:#}");
    }

    // Access through the role joined by name is named by the GUID its
    // assignment gives, as every line names its role; the role, still defined
    // and assigned to nobody, is no change.
    let tmp2 = tempfile::tempdir().unwrap();
    let db = two_snapshots(&tmp2, &export("e1", None, true), &export("e3", None, false));
    let v = diff(&db, &[]);
    assert_eq!(
        v["summary"],
        json!({"changed": 0, "denies": 0, "gained": 0, "lost": 1, "noEffect": 0}),
        "{v:#}"
    );
    assert_eq!(v["lost"][0]["role"], ROLE, "{v:#}");
    assert_eq!(
        v["roles"],
        json!({ROLE: {"id": ROLE, "name": "WS Role"}}),
        "{v:#}"
    );
    assert_eq!(
        line_causes(&v, "lost"),
        vec![(ALICE.to_string(), vec!["assignmentRemoved"])]
    );
    let removed = &v["causes"][0];
    assert_eq!(
        removed["assignment"]["role"],
        json!({"id": ROLE, "name": "WS Role"})
    );
}

/// One PIM record (`kind`: `RoleEligibilityScheduleInstances` or
/// `RoleAssignmentScheduleInstances`) of role `ROLE` for `principal` at `scope`.
fn pim_record(kind: &str, n: u32, principal: &str, scope: &str, window: (&str, &str)) -> Value {
    let name = format!("ffffffff-0000-0000-0000-00000000000{n}");
    json!({"id": format!("{scope}/providers/Microsoft.Authorization/{kind}/{name}"),
        "name": name, "type": format!("Microsoft.Authorization/{kind}"),
        "properties": {"scope": scope, "principalId": principal, "principalType": "User",
            "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{ROLE}"),
            "status": "Provisioned", "startDateTime": window.0, "endDateTime": window.1,
            "memberType": "Direct", "condition": null}})
}

/// The descriptions of the causes of every line of `section`: (principal,
/// access, descriptions).
fn line_texts(v: &Value, section: &str) -> Vec<(String, String, Vec<String>)> {
    v[section]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let texts = l["causes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| cause(v, i)["description"].as_str().unwrap().to_string())
                .collect();
            (
                l["principal"].as_str().unwrap().to_string(),
                l["access"].as_str().unwrap().to_string(),
                texts,
            )
        })
        .collect()
}

/// df30 defect 7: the same export imported on 2026-01-01 and 2026-04-01. Alice's
/// eligibility and time-bound assignment start on 2026-02-01, Bob's end on
/// 2026-02-15; Bob's other eligibility is scheduled at the first snapshot and
/// ended at the second. diff gave each "eligibility changed: A → A" (or
/// "assignment changed") with the same text twice, no start and no word of the
/// window, and listed Bob's never-in-force record under "no effect".
#[test]
fn windows_that_start_or_end_between_the_snapshots_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = format!("/subscriptions/{SUB}");
    let rg = rg();
    let reader =
        json!([{"actions": [READ], "notActions": [], "dataActions": [], "notDataActions": []}]);
    let starts = ("2026-02-01T00:00:00Z", "2026-12-01T00:00:00Z");
    let ends = ("2025-06-01T00:00:00Z", "2026-02-15T00:00:00Z");
    let never = ("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
    let elig = "RoleEligibilityScheduleInstances";
    let active = "RoleAssignmentScheduleInstances";
    let e = Export::new(tmp.path(), "e")
        .role("WS Reader", reader)
        .file(
            "elig.json",
            json!({"value": [
                pim_record(elig, 1, ALICE, &sub, starts),
                pim_record(elig, 2, BOB, &sub, ends),
                pim_record(elig, 3, BOB, &rg, never),
            ]}),
        )
        .file(
            "active.json",
            json!({"value": [
                pim_record(active, 4, ALICE, &rg, starts),
                pim_record(active, 5, BOB, &rg, ends),
            ]}),
        );
    let db = two_snapshots(&tmp, &e, &e);
    let v = diff(&db, &[]);
    assert_eq!(
        v["summary"],
        json!({"changed": 0, "denies": 0, "gained": 2, "lost": 2, "noEffect": 0}),
        "{v:#}"
    );
    let kinds: Vec<&str> = v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(
        !kinds.iter().any(|k| k.ends_with("Changed")),
        "no record changed: {v:#}"
    );
    let window = |w: (&str, &str)| format!("{}..{}", w.0, w.1);
    let mut gained = line_texts(&v, "gained");
    gained.sort();
    assert_eq!(
        gained,
        vec![
            (
                ALICE.to_string(),
                "active".to_string(),
                vec![format!(
                    "assignment window started: WS Reader for Alice at resource group rg \
                     [ffffffff-0000-0000-0000-000000000004] {}",
                    window(starts)
                )]
            ),
            (
                ALICE.to_string(),
                "eligible".to_string(),
                vec![format!(
                    "eligibility window started: WS Reader for Alice at subscription {SUB} \
                     [ffffffff-0000-0000-0000-000000000001] {}",
                    window(starts)
                )]
            ),
        ],
        "{v:#}"
    );
    let mut lost = line_texts(&v, "lost");
    lost.sort();
    assert_eq!(
        lost,
        vec![
            (
                BOB.to_string(),
                "active".to_string(),
                vec![format!(
                    "assignment window ended: WS Reader for Bob at resource group rg \
                     [ffffffff-0000-0000-0000-000000000005] {} (not in force)",
                    window(ends)
                )]
            ),
            (
                BOB.to_string(),
                "eligible".to_string(),
                vec![format!(
                    "eligibility window ended: WS Reader for Bob at subscription {SUB} \
                     [ffffffff-0000-0000-0000-000000000002] {} (not in force)",
                    window(ends)
                )]
            ),
        ],
        "{v:#}"
    );
    // The cause says where the window stood at each snapshot's time.
    let started = v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "eligibilityWindow" && c["eligibility"]["principalId"] == ALICE)
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(started["before"], "scheduled", "{v:#}");
    assert_eq!(started["after"], "active", "{v:#}");
    assert_eq!(started["eligibility"]["startDateTime"], starts.0, "{v:#}");
    assert_eq!(started["eligibility"]["inForce"], true, "{v:#}");

    // The reverse diff is the mirror: the windows had not started, or not ended.
    let v = on(&db)
        .args(["diff", "2", "1", "--format", "json"])
        .ok_json();
    assert_eq!(
        v["summary"],
        json!({"changed": 0, "denies": 0, "gained": 2, "lost": 2, "noEffect": 0}),
        "{v:#}"
    );
    let texts: Vec<&str> = v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["description"].as_str().unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .filter(|t| t.contains("window not started yet"))
            .count()
            == 2
            && texts
                .iter()
                .filter(|t| t.contains("window not ended yet"))
                .count()
                == 2,
        "{v:#}"
    );
}

/// df30 judgement call: the same export, its windows' instants written in
/// another form (`…00.000+00:00`, another offset) the second time: nothing
/// changed, not even under "no effect".
#[test]
fn the_same_instant_written_differently_is_no_change() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = format!("/subscriptions/{SUB}");
    let reader =
        json!([{"actions": [READ], "notActions": [], "dataActions": [], "notDataActions": []}]);
    let export = |name: &str, window: (&str, &str)| {
        Export::new(tmp.path(), name)
            .role("WS Reader", reader.clone())
            .file(
                "elig.json",
                json!({"value": [pim_record("RoleEligibilityScheduleInstances", 1, ALICE, &sub, window)]}),
            )
            .file(
                "active.json",
                json!({"value": [pim_record("RoleAssignmentScheduleInstances", 2, BOB, &sub, window)]}),
            )
    };
    let db = two_snapshots(
        &tmp,
        &export("e1", ("2026-01-01T00:00:00Z", "2026-12-01T00:00:00Z")),
        &export(
            "e2",
            ("2026-01-01T00:00:00.000+00:00", "2026-12-01T02:00:00+02:00"),
        ),
    );
    let v = diff(&db, &[]);
    assert_eq!(
        v["summary"],
        json!({"changed": 0, "denies": 0, "gained": 0, "lost": 0, "noEffect": 0}),
        "{v:#}"
    );
    assert!(v["causes"].as_array().unwrap().is_empty(), "{v:#}");
}
