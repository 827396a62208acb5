//! Issue 9's engine rules on hand-built tenants: PIM windows at the snapshot's
//! time (SPEC §2.10), PIM for Groups (§2.11), operations in both planes (§2.12),
//! orphans only on evidence and devices never principals (§1), and every
//! `incomplete` reason the engine can see (§4). Each test fails on the engine as
//! it was before the issue.

use super::decide::{decide, Access, ActionReq, Ancestry, IncompleteReason, WhyNot};
use super::fixtures::{assign, edge, group, user, RG, SUB, WS};
use super::query::{incomplete_for, who};
use super::window::WindowState;
use super::Index;
use crate::model::*;

const TAKEN: &str = "2026-10-01T00:00:00Z";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const KEY_READ: &str = "Microsoft.KeyVault/vaults/keys/read";

fn reader() -> RoleDefinition {
    RoleDefinition {
        id: READER.into(),
        role_name: "Reader".into(),
        role_type: "BuiltInRole".into(),
        description: String::new(),
        permissions: vec![PermissionBlock {
            actions: vec!["*/read".into()],
            ..Default::default()
        }],
        assignable_scopes: vec!["/".into()],
    }
}

fn eligibility(id: &str, principal: &str, scope: &str, start: &str, end: &str) -> Eligibility {
    Eligibility {
        principal_display_name: None,
        role_definition_name: None,
        id: id.into(),
        principal_id: principal.into(),
        principal_type: "User".into(),
        role_definition_id: READER.into(),
        scope: scope.into(),
        start_date_time: Some(start.into()),
        end_date_time: Some(end.into()),
        member_type: Some("Direct".into()),
        condition: None,
    }
}

fn tenant() -> Tenant {
    Tenant {
        principals: vec![user("u1"), user("u2"), user("u3"), group("g1")],
        member_lists: vec!["g1".into()],
        roles: vec![reader()],
        ..Default::default()
    }
}

fn req(action: &str, data: bool, scope: &str) -> ActionReq {
    ActionReq {
        action: action.into(),
        data,
        scope: scope.into(),
    }
}

fn can(ix: &Index, p: &str, r: &[ActionReq]) -> super::decide::Decision {
    decide(ix, p, r, true, &mut Ancestry::default())
}

#[test]
fn ended_and_scheduled_eligibilities_grant_nothing_and_are_explained() {
    let mut t = tenant();
    t.eligibilities = vec![
        eligibility(
            "e-ended",
            "u1",
            WS,
            "2026-01-01T00:00:00Z",
            "2026-06-30T00:00:00Z",
        ),
        eligibility(
            "e-later",
            "u2",
            WS,
            "2026-12-01T00:00:00Z",
            "2027-06-30T00:00:00Z",
        ),
        eligibility(
            "e-now",
            "u3",
            WS,
            "2026-09-01T00:00:00Z",
            "2027-06-30T00:00:00Z",
        ),
    ];
    let ix = Index::new_at(&t, TAKEN);
    let r = [req(WS_READ, false, WS)];
    let d1 = can(&ix, "u1", &r);
    assert_eq!(d1.access, Access::None);
    assert!(d1.actions[0].why_not.iter().any(|w| matches!(
        w,
        WhyNot::EligibilityNotInForce { state: WindowState::Ended, eligible } if eligible.eligibility_id == "e-ended"
    )));
    let d2 = can(&ix, "u2", &r);
    assert_eq!(d2.access, Access::None);
    assert!(d2.actions[0].why_not.iter().any(|w| matches!(
        w,
        WhyNot::EligibilityNotInForce {
            state: WindowState::Scheduled,
            ..
        }
    )));
    assert_eq!(can(&ix, "u3", &r).access, Access::Eligible);
    // who agrees with can.
    let w = who(&ix, &vec![r.to_vec()], false, false);
    let listed: Vec<(&str, Access)> = w
        .answers
        .iter()
        .map(|a| (a.decision.principal.id.as_str(), a.decision.access))
        .collect();
    assert_eq!(listed, [("u3", Access::Eligible)]);
    // Without a reference time no window is evaluated (tests, content tools).
    assert_eq!(can(&Index::new(&t), "u1", &r).access, Access::Eligible);
}

#[test]
fn an_eligibility_at_another_scope_is_named_by_can_explain() {
    let mut t = tenant();
    let other = "/subscriptions/S1/resourceGroups/RG2";
    t.eligibilities = vec![eligibility(
        "e-other",
        "u1",
        other,
        "2026-09-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
    )];
    let ix = Index::new_at(&t, TAKEN);
    let d = can(&ix, "u1", &[req(WS_READ, false, WS)]);
    assert_eq!(d.access, Access::None);
    assert!(
        d.actions[0].why_not.iter().any(|w| matches!(
            w,
            WhyNot::EligibleElsewhere { relation, eligible, .. }
                if relation == "other" && eligible.assignment_scope == other
        )),
        "{:?}",
        d.actions[0].why_not
    );
}

#[test]
fn a_time_bound_active_assignment_grants_until_its_end() {
    let mut t = tenant();
    let mut a = assign("a1", "u1", READER, RG);
    a.source = AssignmentSource::PimActive;
    a.end_date_time = Some("2026-09-30T00:00:00Z".into());
    let mut b = assign("a2", "u2", READER, RG);
    b.source = AssignmentSource::PimActive;
    b.end_date_time = Some("2026-12-31T00:00:00Z".into());
    t.assignments = vec![a, b];
    let ix = Index::new_at(&t, TAKEN);
    let r = [req(WS_READ, false, WS)];
    let d = can(&ix, "u1", &r);
    assert_eq!(d.access, Access::None);
    assert!(d.actions[0].why_not.iter().any(|w| matches!(
        w,
        WhyNot::AssignmentNotInForce {
            state: WindowState::Ended,
            ..
        }
    )));
    assert_eq!(can(&ix, "u2", &r).access, Access::Allowed);
}

#[test]
fn pim_for_groups_eligible_membership_is_eligible_for_the_groups_grants() {
    let mut t = tenant();
    t.principals.push(group("g2"));
    t.member_lists.push("g2".into());
    // g1 holds Reader on the resource group; g1 is nested in nothing; u1 may join
    // g1 (eligible), u2's eligibility ended, u3 holds an active time-bound
    // membership in force.
    t.assignments = vec![Assignment {
        principal_type: "Group".into(),
        ..assign("a1", "g1", READER, RG)
    }];
    let ge = |id: &str, p: &str, end: &str, active: bool| GroupEligibility {
        id: id.into(),
        group_id: "g1".into(),
        principal_id: p.into(),
        access_id: "member".into(),
        member_type: Some("direct".into()),
        start_date_time: Some("2026-01-01T00:00:00Z".into()),
        end_date_time: Some(end.into()),
        active,
    };
    t.group_eligibilities = vec![
        ge("ge1", "u1", "2027-01-01T00:00:00Z", false),
        ge("ge2", "u2", "2026-06-01T00:00:00Z", false),
        ge("ge3", "u3", "2027-01-01T00:00:00Z", true),
    ];
    let ix = Index::new_at(&t, TAKEN);
    let r = [req(WS_READ, false, WS)];
    let d = can(&ix, "u1", &r);
    assert_eq!(d.access, Access::Eligible);
    let e = &d.actions[0].eligible[0];
    assert_eq!(e.group.as_ref().map(|g| g.id.as_str()), Some("g1"));
    assert_eq!(e.eligibility_id, "ge1");
    assert_eq!(can(&ix, "u2", &r).access, Access::None);
    assert_eq!(can(&ix, "u3", &r).access, Access::Allowed);
    let w = who(&ix, &vec![r.to_vec()], false, false);
    let mut got: Vec<(String, Access)> = w
        .answers
        .iter()
        .map(|a| (a.decision.principal.id.clone(), a.decision.access))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("u1".to_string(), Access::Eligible),
            ("u3".into(), Access::Allowed)
        ]
    );
}

#[test]
fn an_operation_in_both_planes_is_asked_by_plane_whatever_the_catalogue_order() {
    let op = |data: bool| Operation {
        name: KEY_READ.into(),
        display_name: None,
        is_data_action: data,
        provider: "Microsoft.KeyVault".into(),
        resource_type: "vaults/keys".into(),
    };
    let mut role = reader();
    role.permissions[0].data_actions = vec![];
    let kv = "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.KeyVault/vaults/kv1";
    for order in [[false, true], [true, false]] {
        let mut t = tenant();
        t.roles = vec![role.clone()];
        t.operations = order.iter().map(|&d| op(d)).collect();
        t.assignments = vec![assign("a1", "u1", READER, RG)];
        let ix = Index::new_at(&t, TAKEN);
        assert!(!ix.is_data_action(KEY_READ), "order {order:?}");
        assert_eq!(
            ix.operation_in(KEY_READ, true).map(|o| o.is_data_action),
            Some(true)
        );
        // Reader's `*/read` grants the control-plane read, never the data one.
        let asked = req(KEY_READ, ix.is_data_action(KEY_READ), kv);
        assert_eq!(can(&ix, "u1", &[asked]).access, Access::Allowed);
        assert_eq!(
            can(&ix, "u1", &[req(KEY_READ, true, kv)]).access,
            Access::None
        );
    }
}

#[test]
fn orphans_only_on_evidence() {
    // No directory listing at all: status unknown, not orphaned.
    let mut t = Tenant {
        roles: vec![reader()],
        assignments: vec![assign("a1", "u1", READER, WS)],
        ..Default::default()
    };
    let ix = Index::new_at(&t, TAKEN);
    let d = can(&ix, "u1", &[req(WS_READ, false, WS)]);
    assert_eq!(d.principal.orphaned, None);
    assert_eq!(d.principal.orphan_text(), "unknown");
    // An assignment that says the principal was deleted is evidence.
    t.assignments[0].principal_name = Some(String::new());
    let ix = Index::new_at(&t, TAKEN);
    assert_eq!(principal(&ix, "u1").orphaned, Some(true));
    // A users listing that does not hold it is evidence too; a member file's own
    // entry is not a listing.
    let mut t = tenant();
    t.assignments = vec![assign("a1", "gone", READER, WS)];
    t.principals.push(Principal {
        from_member_list: true,
        ..user("seen-in-a-member-file")
    });
    let ix = Index::new_at(&t, TAKEN);
    assert_eq!(principal(&ix, "gone").orphaned, Some(true));
    assert_eq!(principal(&ix, "u1").orphaned, Some(false));
    // Only service principals listed: a user in no listing is unknown.
    let t = Tenant {
        principals: vec![Principal {
            kind: PrincipalKind::ServicePrincipal,
            ..user("sp1")
        }],
        roles: vec![reader()],
        assignments: vec![assign("a1", "u9", READER, WS)],
        ..Default::default()
    };
    let ix = Index::new_at(&t, TAKEN);
    assert_eq!(principal(&ix, "u9").orphaned, None);
}

fn principal(ix: &Index, id: &str) -> super::decide::PrincipalInfo {
    super::decide::principal_info(ix, id)
}

#[test]
fn devices_in_groups_are_never_answered() {
    let mut t = tenant();
    t.principals.push(Principal {
        kind: PrincipalKind::Device,
        display_name: "LAPTOP-7".into(),
        from_member_list: true,
        ..user("dev1")
    });
    t.member_edges = vec![
        edge("g1", "u1"),
        MemberEdge {
            member_kind: Some(PrincipalKind::Device),
            ..edge("g1", "dev1")
        },
        MemberEdge {
            member_kind: Some(PrincipalKind::OrgContact),
            ..edge("g1", "contact1")
        },
    ];
    t.assignments = vec![Assignment {
        principal_type: "Group".into(),
        ..assign("a1", "g1", READER, WS)
    }];
    let ix = Index::new_at(&t, TAKEN);
    let w = who(&ix, &vec![vec![req(WS_READ, false, WS)]], true, false);
    let ids: Vec<&str> = w
        .answers
        .iter()
        .map(|a| a.decision.principal.id.as_str())
        .collect();
    assert_eq!(ids, ["g1", "u1"]);
    let rows = crate::audit::review::review(&ix, &[WS.to_string()], TAKEN).rows;
    assert!(rows
        .iter()
        .all(|r| r.principal.id != "dev1" && r.principal.id != "contact1"));
    assert!(rows.iter().any(|r| r.principal.id == "u1"));
}

#[test]
fn incomplete_names_every_reason_the_engine_can_see() {
    let mut t = tenant();
    t.principals.push(group("g2"));
    t.principals.push(group("g3"));
    // g1 holds Reader; g2 (no member file) is nested in g1; g3's list is partial.
    t.member_edges = vec![edge("g1", "g2"), edge("g1", "g3"), edge("g3", "u2")];
    t.member_lists = vec!["g1".into(), "g3".into()];
    t.partial_member_lists = vec!["g3".into()];
    t.assignments = vec![
        Assignment {
            principal_type: "Group".into(),
            ..assign("a1", "g1", READER, WS)
        },
        assign("a2", "u1", "99999999-9999-9999-9999-999999999999", SUB),
        assign(
            "a3",
            "u2",
            READER,
            "/providers/Microsoft.Management/managementGroups/mg1",
        ),
    ];
    let ix = Index::new_at(&t, TAKEN);
    let alts = vec![vec![req(WS_READ, false, WS)]];
    let w = who(&ix, &alts, false, false);
    let reasons: Vec<(IncompleteReason, String)> = w
        .incomplete
        .iter()
        .map(|i| {
            (
                i.reason,
                i.group_id
                    .clone()
                    .or(i.assignment_id.clone())
                    .or(i.scope.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&(IncompleteReason::MembersNotImported, "g2".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(IncompleteReason::MembersPartial, "g3".into())),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(r, id)| *r == IncompleteReason::RoleNotDefined && id.ends_with("/a2")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(
            IncompleteReason::ManagementGroupChainMissing,
            "/subscriptions/s1".into()
        )),
        "{reasons:?}"
    );
    // can for u1: the nested groups (it may be in them unseen), its own undefined
    // role, the chain; for u3 the undefined role of u1 is not on its path.
    let for_u1 = incomplete_for(&ix, &alts, Some("u1"));
    assert_eq!(for_u1.len(), w.incomplete.len(), "{for_u1:?}");
    let for_u3 = incomplete_for(&ix, &alts, Some("u3"));
    assert!(!for_u3
        .iter()
        .any(|i| i.reason == IncompleteReason::RoleNotDefined));
    assert!(for_u3.iter().any(|i| i.group_id.as_deref() == Some("g2")));
    // The management-group tree imported: no chain gap.
    t.scopes = vec![ScopeNode {
        id: SUB.into(),
        kind: ScopeKind::Subscription,
        name: "S1".into(),
        display_name: None,
        resource_type: None,
        parent_id: Some("/providers/Microsoft.Management/managementGroups/mg1".into()),
    }];
    let ix = Index::new_at(&t, TAKEN);
    let w = who(&ix, &alts, false, false);
    assert!(!w
        .incomplete
        .iter()
        .any(|i| i.reason == IncompleteReason::ManagementGroupChainMissing));
}

#[test]
fn scope_unreadable_covers_the_asked_scope_and_its_ancestors_only() {
    use crate::model::{CollectionLedger, LedgerEntry};
    let entry = |api: &str, scope: &str, status: &str| LedgerEntry {
        api: api.into(),
        collection: "roleAssignments".into(),
        scope: scope.into(),
        status: status.into(),
        ..LedgerEntry::default()
    };
    let mut t = tenant();
    t.collection = Some(CollectionLedger {
        complete: false,
        entries: vec![
            entry("arm", SUB, "forbidden"),
            entry("arm", "/", "throttled"),
            // Below the asked scope, complete, or not ARM: not on its chain.
            entry("arm", &format!("{WS}/computes/c1"), "failed"),
            entry("arm", "/subscriptions/other", "failed"),
            entry("arm", &format!("{SUB}/resourceGroups/rg1"), "complete"),
            entry("graph", "/groups/g1/members", "failed"),
        ],
        ..CollectionLedger::default()
    });
    let ix = Index::new_at(&t, TAKEN);
    let alts = vec![vec![req(WS_READ, false, WS)]];
    let unreadable = |list: &[crate::engine::decide::Incomplete]| -> Vec<String> {
        list.iter()
            .filter(|i| i.reason == IncompleteReason::ScopeUnreadable)
            .map(|i| i.scope.clone().unwrap_or_default())
            .collect()
    };
    let w = who(&ix, &alts, false, false);
    assert_eq!(
        unreadable(&w.incomplete),
        ["/".to_string(), SUB.to_string()]
    );
    assert_eq!(
        unreadable(&incomplete_for(&ix, &alts, Some("u1"))),
        unreadable(&w.incomplete)
    );
    // Review at the subscription: the chain and what is below it.
    let below = crate::engine::query::unreadable_below(&ix, SUB);
    assert_eq!(
        unreadable(&below),
        [SUB.to_string(), format!("{WS}/computes/c1")]
    );
    // Without a ledger, nothing.
    t.collection = None;
    let ix = Index::new_at(&t, TAKEN);
    assert!(unreadable(&who(&ix, &alts, false, false).incomplete).is_empty());
}

#[test]
fn an_unreadable_catalogue_is_named_by_answers_on_its_provider_only() {
    use crate::model::{CollectionLedger, LedgerEntry};
    const ML_OPS: &str =
        "/providers/Microsoft.Authorization/providerOperations/Microsoft.MachineLearningServices";
    let mut t = tenant();
    t.collection = Some(CollectionLedger {
        complete: false,
        entries: vec![LedgerEntry {
            api: "arm".into(),
            collection: "providerOperations".into(),
            scope: ML_OPS.into(),
            status: "forbidden".into(),
            ..LedgerEntry::default()
        }],
        ..CollectionLedger::default()
    });
    let ix = Index::new_at(&t, TAKEN);
    let unreadable = |list: &[crate::engine::decide::Incomplete]| -> Vec<String> {
        list.iter()
            .filter(|i| i.reason == IncompleteReason::ScopeUnreadable)
            .map(|i| i.scope.clone().unwrap_or_default())
            .collect()
    };
    // Not a scope: no answer's chain names it, review below `/` neither.
    assert!(crate::engine::query::unreadable_below(&ix, "/").is_empty());
    let ml = vec![vec![req(WS_READ, false, WS)]];
    assert_eq!(
        unreadable(&who(&ix, &ml, false, false).incomplete),
        [ML_OPS]
    );
    assert_eq!(unreadable(&incomplete_for(&ix, &ml, Some("u1"))), [ML_OPS]);
    let other = vec![vec![req(
        "Microsoft.Authorization/roleAssignments/write",
        false,
        WS,
    )]];
    assert!(unreadable(&who(&ix, &other, false, false).incomplete).is_empty());
    // An activity's wildcard that matched nothing, and `what`.
    let mut gaps = Vec::new();
    crate::engine::query::add_catalogue_gaps(
        &ix,
        &mut gaps,
        &["microsoft.machinelearningservices/workspaces/jobs/*".to_string()],
    );
    assert_eq!(unreadable(&gaps), [ML_OPS]);
    assert_eq!(
        unreadable(&crate::engine::query::what_catalogue_gaps(&ix, None)),
        [ML_OPS]
    );
    assert!(crate::engine::query::what_catalogue_gaps(&ix, Some("Microsoft.Storage")).is_empty());
}
