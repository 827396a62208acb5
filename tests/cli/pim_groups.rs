//! PIM for Groups (SPEC §2.11) outside `who` and `can`: a principal eligible for
//! membership of a group is eligible for what the group is assigned, and an
//! active time-bound membership counts until its end. `diff` traces access gained
//! or lost through such memberships to them; `review` has a row for them.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::{on, write};

const SUB: &str = "/subscriptions/11111111-2222-4333-8444-555555555555";
const ROLE: &str = "22222222-0000-4000-8000-000000000001";
const GROUP: &str = "00000100-1111-4111-8111-000000000100";
/// A static member (member file).
const STATIC: &str = "00000001-1111-4111-8111-000000000001";
/// An active PIM membership.
const ACTIVE: &str = "00000002-1111-4111-8111-000000000002";
/// An eligible PIM membership.
const ELIGIBLE: &str = "00000003-1111-4111-8111-000000000003";
const ACTION: &str = "Microsoft.Foo/things/read";

/// Snapshot time of the first import; the second is two months later.
const FIRST: &str = "2026-10-01T00:00:00Z";
const SECOND: &str = "2026-12-01T00:00:00Z";

/// Writes a Graph page of PIM for Groups instances (`kind`:
/// `assignmentScheduleInstances` or `eligibilityScheduleInstances`) into `root`.
fn pim_page(root: &Path, kind: &str, value: Value) {
    let file = if kind == "assignmentScheduleInstances" {
        "pim-groups-active.json"
    } else {
        "pim-groups-eligible.json"
    };
    write(
        root,
        file,
        json!({"@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#identityGovernance/privilegedAccess/group/{kind}"),
               "value": value})
        .to_string(),
    );
}

/// A user's record, as `az ad user list` gives it.
fn user(id: &str, name: &str) -> Value {
    json!({"id": id, "displayName": name, "userPrincipalName": format!("{name}@contoso.com"),
           "accountEnabled": true, "userType": "Member"})
}

/// A tenant where GROUP reads things at SUB; STATIC is its member by member
/// file, ACTIVE by an active PIM membership ending at `active_end`, ELIGIBLE
/// eligible for membership (when `eligible`).
fn tenant(dir: &Path, active_end: &str, eligible: bool) -> PathBuf {
    let root = dir.to_path_buf();
    write(
        &root,
        "roles.json",
        json!([{
            "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{ROLE}"),
            "name": ROLE, "roleName": "Thing Reader", "roleType": "CustomRole",
            "type": "Microsoft.Authorization/roleDefinitions", "assignableScopes": ["/"],
            "permissions": [{"actions": [ACTION], "notActions": [], "dataActions": [], "notDataActions": []}]
        }])
        .to_string(),
    );
    write(
        &root,
        "assignments.json",
        json!([{
            "id": format!("{SUB}/providers/Microsoft.Authorization/roleAssignments/33333333-0000-4000-8000-000000000001"),
            "name": "33333333-0000-4000-8000-000000000001",
            "principalId": GROUP, "principalType": "Group", "principalName": "Thing readers",
            "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{ROLE}"),
            "roleDefinitionName": "Thing Reader", "scope": SUB
        }])
        .to_string(),
    );
    write(
        &root,
        "users.json",
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
               "value": [user(STATIC, "stella"), user(ACTIVE, "arturo"), user(ELIGIBLE, "elif")]})
        .to_string(),
    );
    write(
        &root,
        "groups.json",
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
               "value": [{"id": GROUP, "displayName": "Thing readers", "securityEnabled": true}]})
        .to_string(),
    );
    write(
        &root,
        &format!("members/{GROUP}.json"),
        json!({"value": [{"@odata.type": "#microsoft.graph.user", "id": STATIC,
                          "displayName": "stella", "userPrincipalName": "stella@contoso.com"}]})
        .to_string(),
    );
    pim_page(
        &root,
        "assignmentScheduleInstances",
        json!([{"id": "active-1", "groupId": GROUP, "principalId": ACTIVE, "accessId": "member",
                          "memberType": "Direct", "assignmentType": "Activated",
                          "startDateTime": "2026-09-01T00:00:00Z", "endDateTime": active_end}]),
    );
    let eligibilities = if eligible {
        json!([{"id": "eligible-1", "groupId": GROUP, "principalId": ELIGIBLE, "accessId": "member",
                "memberType": "Direct", "startDateTime": "2026-09-01T00:00:00Z",
                "endDateTime": "2027-09-01T00:00:00Z"}])
    } else {
        json!([])
    };
    pim_page(&root, "eligibilityScheduleInstances", json!(eligibilities));
    root
}

fn import(db: &Path, data: &Path, taken_at: &str) {
    on(db)
        .args(["import", "--taken-at", taken_at])
        .arg(data)
        .expect(0);
}

/// The lost lines of `diff 1 2`, as (principal, access, cause kinds).
fn lost(v: &Value) -> Vec<(String, String, Vec<String>)> {
    let causes = v["causes"].as_array().unwrap();
    let mut out: Vec<(String, String, Vec<String>)> = v["lost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let p = l["principal"].as_str().unwrap().to_string();
            let kinds = l["causes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    causes[c.as_u64().unwrap() as usize]["kind"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
            (p, l["access"].as_str().unwrap().to_string(), kinds)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn diff_traces_access_lost_through_pim_group_memberships_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    // First: ACTIVE's membership runs to 2026-11-15, ELIGIBLE may join.
    import(
        &db,
        &tenant(&dir.path().join("a"), "2026-11-15T00:00:00Z", true),
        FIRST,
    );
    // Then: the same membership record, now ended; the eligibility is gone.
    import(
        &db,
        &tenant(&dir.path().join("b"), "2026-11-15T00:00:00Z", false),
        SECOND,
    );
    let v = on(&db)
        .args(["diff", "1", "2", "--format", "json"])
        .ok_json();
    assert_eq!(
        lost(&v),
        vec![
            (
                ACTIVE.to_string(),
                "active".to_string(),
                vec!["groupMembershipWindow".to_string()]
            ),
            (
                ELIGIBLE.to_string(),
                "eligible".to_string(),
                vec!["groupMembershipRemoved".to_string()]
            ),
        ],
        "{v:#}"
    );
    assert!(v["gained"].as_array().unwrap().is_empty(), "{v:#}");
    // The cause names the membership, its window and that it ended between
    // the snapshots (the record itself did not change).
    let window = v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "groupMembershipWindow")
        .unwrap();
    assert_eq!(window["before"], "active", "{window:#}");
    assert_eq!(window["after"], "ended", "{window:#}");
    assert_eq!(window["membership"]["inForce"], false, "{window:#}");
    assert_eq!(window["membership"]["group"]["id"], GROUP);
    assert_eq!(window["membership"]["principal"]["id"], ACTIVE);
    let table = on(&db)
        .args(["diff", "1", "2", "--format", "table"])
        .expect(0);
    assert!(
        table.stdout().contains(
            "group membership removed (PIM): eligible member of group Thing readers for elif"
        ),
        "{}",
        table.stdout()
    );
    assert!(
        table
            .stdout()
            .contains("group membership (PIM) window ended: active member of group Thing readers"),
        "{}",
        table.stdout()
    );
    assert!(
        !table.stdout().contains("group membership changed"),
        "{}",
        table.stdout()
    );
}

#[test]
fn diff_traces_a_group_assignment_removed_to_every_pim_member_of_the_group() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let a = tenant(&dir.path().join("a"), "2027-01-01T00:00:00Z", true);
    import(&db, &a, FIRST);
    write(&a, "assignments.json", "[]");
    // Something must be read: the role definitions are.
    import(&db, &a, SECOND);
    let v = on(&db)
        .args(["diff", "1", "2", "--format", "json"])
        .ok_json();
    let got: Vec<(String, String)> = lost(&v).into_iter().map(|(p, a, _)| (p, a)).collect();
    assert_eq!(
        got,
        vec![
            (STATIC.to_string(), "active".to_string()),
            (ACTIVE.to_string(), "active".to_string()),
            (ELIGIBLE.to_string(), "eligible".to_string()),
            (GROUP.to_string(), "active".to_string()),
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>(),
        "{v:#}"
    );
    for (_, _, kinds) in lost(&v) {
        assert_eq!(kinds, vec!["assignmentRemoved".to_string()], "{v:#}");
    }
}

/// A principal eligible for membership of a group has a review row for each
/// access the group holds: `pim` eligible, the membership's window, the group
/// named as an eligible hop on the path; and the plan removes the eligibility,
/// not a membership it does not have.
#[test]
fn review_lists_eligible_group_members_with_the_membership_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    import(
        &db,
        &tenant(&dir.path().join("a"), "2027-01-01T00:00:00Z", true),
        FIRST,
    );
    let sheet = on(&db)
        .args(["review", "--scope", SUB, "--format", "csv"])
        .expect(0)
        .stdout();
    let mut rdr = csv::Reader::from_reader(sheet.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let of = |id: &str| -> Vec<&csv::StringRecord> {
        rows.iter()
            .filter(|r| &r[col("principal_id")] == id)
            .collect()
    };
    let elif = of(ELIGIBLE);
    assert_eq!(elif.len(), 1, "{sheet}");
    let r = elif[0];
    assert_eq!(&r[col("pim")], "eligible", "{sheet}");
    assert_eq!(&r[col("access_path")], "elif → Thing readers (eligible)");
    assert_eq!(
        &r[col("window")],
        "2026-09-01T00:00:00Z..2027-09-01T00:00:00Z"
    );
    assert!(
        r[col("recommendation")].contains("held only through PIM eligibility"),
        "{sheet}"
    );
    // Its key is its own: not the key of a membership of the same group.
    let keys: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| &r[col("review_key")]).collect();
    assert_eq!(keys.len(), rows.len(), "{sheet}");
    // The static and the active member are members.
    assert_eq!(&of(STATIC)[0][col("pim")], "active");
    assert_eq!(&of(ACTIVE)[0][col("pim")], "active");

    // Decided `remove`, the plan removes the eligible membership in PIM for Groups.
    let decided = dir.path().join("decided.csv");
    let mut w = csv::Writer::from_path(&decided).unwrap();
    w.write_record(&header).unwrap();
    for r in &rows {
        let mut cells: Vec<String> = r.iter().map(str::to_string).collect();
        if &r[col("principal_id")] == ELIGIBLE {
            cells[col("decision")] = "remove".into();
        }
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
    on(&db)
        .args(["review", "apply"])
        .arg(&decided)
        .args(["--reviewer", "rita"])
        .expect(0);
    let plan = on(&db)
        .args(["review", "plan", "--scope", SUB])
        .expect(0)
        .stdout();
    assert!(
        plan.contains("privilegedAccess/group/eligibilityScheduleRequests")
            && plan.contains("adminRemove")
            && plan.contains(ELIGIBLE)
            && !plan.contains("az ad group member remove"),
        "{plan}"
    );
}

/// A renewed eligibility (one instance in force, the next scheduled) is two rows
/// with two keys, and a membership that ended is no route: a fresh sheet of
/// such a tenant applies as it is.
#[test]
fn renewed_eligibilities_and_an_ended_membership_apply_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    // ACTIVE's membership ended before the snapshot.
    let data = tenant(&dir.path().join("a"), "2026-09-15T00:00:00Z", true);
    write(
        &data,
        "pim-groups-eligible.json",
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identityGovernance/privilegedAccess/group/eligibilityScheduleInstances",
               "value": [
                {"id": "eligible-1", "groupId": GROUP, "principalId": ELIGIBLE, "accessId": "member",
                 "memberType": "Direct", "startDateTime": "2026-09-01T00:00:00Z", "endDateTime": "2026-12-01T00:00:00Z"},
                {"id": "eligible-2", "groupId": GROUP, "principalId": ELIGIBLE, "accessId": "member",
                 "memberType": "Direct", "startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2027-03-01T00:00:00Z"}]})
        .to_string(),
    );
    import(&db, &data, FIRST);
    let sheet_path = dir.path().join("sheet.csv");
    on(&db)
        .args(["review", "--scope", SUB, "--out"])
        .arg(&sheet_path)
        .expect(0);
    let sheet = std::fs::read_to_string(&sheet_path).unwrap();
    let mut rdr = csv::Reader::from_reader(sheet.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let windows: Vec<&str> = rows
        .iter()
        .filter(|r| &r[col("principal_id")] == ELIGIBLE)
        .map(|r| &r[col("window")])
        .collect();
    assert_eq!(windows.len(), 2, "{sheet}");
    let keys: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| &r[col("review_key")]).collect();
    assert_eq!(keys.len(), rows.len(), "{sheet}");
    // The ended membership gives ACTIVE no row.
    assert!(!sheet.contains(ACTIVE), "{sheet}");
    // Applied with a decision on its first row (a sheet nobody filled in is
    // refused).
    let mut w = csv::Writer::from_path(&sheet_path).unwrap();
    w.write_record(&header).unwrap();
    for (i, r) in rows.iter().enumerate() {
        let rec: Vec<&str> = r
            .iter()
            .enumerate()
            .map(|(j, c)| {
                if i == 0 && j == col("decision") {
                    "approve"
                } else {
                    c
                }
            })
            .collect();
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
    on(&db)
        .args(["review", "apply"])
        .arg(&sheet_path)
        .args(["--reviewer", "rita"])
        .expect(0);
}

/// A group that is itself a PIM for Groups member of GROUP: NESTED_ACTIVE by an
/// active membership in force, NESTED_ELIGIBLE by an eligible one; each has a
/// user in its member file.
const NESTED_ACTIVE: &str = "00000200-1111-4111-8111-000000000200";
const NESTED_ELIGIBLE: &str = "00000300-1111-4111-8111-000000000300";
const UMA: &str = "00000004-1111-4111-8111-000000000004";
const EVE: &str = "00000005-1111-4111-8111-000000000005";

fn nested_tenant(dir: &Path) -> PathBuf {
    let root = tenant(dir, "2026-12-31T00:00:00Z", false);
    write(
        &root,
        "users.json",
        json!({"value": [user(STATIC, "stella"), user(ACTIVE, "arturo"), user(UMA, "uma"), user(EVE, "eve")]})
            .to_string(),
    );
    write(
        &root,
        "groups.json",
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups",
               "value": [{"id": GROUP, "displayName": "Thing readers", "securityEnabled": true},
                         {"id": NESTED_ACTIVE, "displayName": "Night shift", "securityEnabled": true},
                         {"id": NESTED_ELIGIBLE, "displayName": "Weekend shift", "securityEnabled": true}]})
        .to_string(),
    );
    for (g, m, name) in [(NESTED_ACTIVE, UMA, "uma"), (NESTED_ELIGIBLE, EVE, "eve")] {
        write(
            &root,
            &format!("members/{g}.json"),
            json!({"value": [{"@odata.type": "#microsoft.graph.user", "id": m,
                              "displayName": name, "userPrincipalName": format!("{name}@contoso.com")}]})
            .to_string(),
        );
    }
    pim_page(
        &root,
        "assignmentScheduleInstances",
        json!([{"id": "active-2", "groupId": GROUP, "principalId": NESTED_ACTIVE, "accessId": "member",
                          "memberType": "Direct", "assignmentType": "Activated",
                          "startDateTime": "2026-09-01T00:00:00Z", "endDateTime": "2026-12-31T00:00:00Z"}]),
    );
    pim_page(
        &root,
        "eligibilityScheduleInstances",
        json!([{"id": "eligible-2", "groupId": GROUP, "principalId": NESTED_ELIGIBLE, "accessId": "member",
                          "memberType": "Direct", "startDateTime": "2026-09-01T00:00:00Z",
                          "endDateTime": "2027-09-01T00:00:00Z"}]),
    );
    root
}

#[test]
fn who_follows_a_group_that_is_a_pim_member_of_another_as_can_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    import(&db, &nested_tenant(&dir.path().join("t")), FIRST);
    let who = on(&db)
        .args([
            "who",
            ACTION,
            "--scope",
            SUB,
            "--include-groups",
            "--format",
            "json",
        ])
        .ok_json();
    let listed = |v: &Value, list: &str| -> Vec<(String, String, bool)> {
        let mut out: Vec<(String, String, bool)> = v[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_string(),
                    p["displayName"].as_str().unwrap_or("").to_string(),
                    p["orphaned"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        out.sort();
        out
    };
    let principals = listed(&who, "principals");
    // Uma, through the group's active membership; the group by its name, not orphaned.
    assert!(principals.iter().any(|p| p.0 == UMA), "{who:#}");
    assert!(
        principals.contains(&(NESTED_ACTIVE.to_string(), "Night shift".to_string(), false)),
        "{who:#}"
    );
    // Eve, eligible through her group's eligible membership.
    let eligible: Vec<&str> = who["eligible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(eligible.contains(&EVE), "{who:#}");
    // `can` agrees, for both.
    for (p, access) in [(UMA, "allowed"), (EVE, "eligible")] {
        let can = on(&db)
            .args(["can", p, ACTION, "--scope", SUB, "--format", "json"])
            .output();
        assert_eq!(can.json()["access"], access, "{p}");
    }
    // `who --anywhere` and `members --transitive` see Uma too.
    let anywhere = on(&db)
        .args(["who", "--anywhere", ACTION, "--format", "json"])
        .ok_json();
    assert!(anywhere.to_string().contains(UMA), "{anywhere:#}");
    let members = on(&db)
        .args(["members", GROUP, "--transitive", "--format", "json"])
        .ok_json();
    assert!(members.to_string().contains(UMA), "{members:#}");
    assert!(
        !members.to_string().contains("\"orphaned\":true"),
        "{members:#}"
    );
}
