//! Engine tests on hand-built tenants: regression cases named after the rule they
//! pin, and property tests over generated tenants (who ⇔ can, monotonicity).

use proptest::prelude::*;

use super::decide::{decide, Access, ActionReq, Ancestry};
use super::fixtures::{self, edge};
use super::query::who;
use super::Index;
use crate::model::*;

const MG: &str = "/providers/Microsoft.Management/managementGroups/";
const SUB: &str = "/subscriptions/S1";
const RG: &str = "/subscriptions/S1/resourceGroups/RG1";
const WS: &str = "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.MachineLearningServices/workspaces/w1";

fn user(id: &str) -> Principal {
    Principal {
        mail: None,
        other_mails: Vec::new(),
        from_member_list: false,
        id: id.into(),
        kind: PrincipalKind::User,
        display_name: id.into(),
        user_principal_name: Some(format!("{id}@x")),
        user_type: Some("Member".into()),
        account_enabled: Some(true),
        app_id: None,
    }
}

fn group(id: &str) -> Principal {
    Principal {
        kind: PrincipalKind::Group,
        user_principal_name: None,
        user_type: None,
        account_enabled: None,
        ..user(id)
    }
}

fn role(id: &str, blocks: Vec<PermissionBlock>) -> RoleDefinition {
    RoleDefinition {
        id: id.into(),
        role_name: format!("role-{id}"),
        role_type: "CustomRole".into(),
        description: String::new(),
        permissions: blocks,
        assignable_scopes: vec!["/".into()],
    }
}

fn block(actions: &[&str], not_actions: &[&str]) -> PermissionBlock {
    PermissionBlock {
        actions: actions.iter().map(|s| s.to_string()).collect(),
        not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn assign(n: usize, principal: &str, role_id: &str, scope: &str) -> Assignment {
    Assignment {
        principal_name: Some(principal.into()),
        ..fixtures::assign(&format!("a{n}"), principal, role_id, scope)
    }
}

fn deny(
    id: &str,
    scope: &str,
    actions: &[&str],
    principals: &[&str],
    excluded: &[&str],
    child: bool,
) -> DenyAssignment {
    let dp = |ids: &[&str]| {
        ids.iter()
            .map(|i| DenyPrincipal {
                id: i.to_string(),
                kind: if *i == ALL_PRINCIPALS {
                    "SystemDefined".into()
                } else {
                    "User".into()
                },
            })
            .collect()
    };
    DenyAssignment {
        id: id.into(),
        name: id.into(),
        scope: scope.into(),
        permissions: vec![block(actions, &[])],
        principals: dp(principals),
        exclude_principals: dp(excluded),
        do_not_apply_to_child_scopes: child,
        condition: None,
        effect: None,
    }
}

fn ask(t: &Tenant, p: &str, actions: &[&str], scope: &str) -> Access {
    let ix = Index::new(t);
    let reqs: Vec<ActionReq> = actions
        .iter()
        .map(|a| ActionReq {
            action: a.to_string(),
            data: ix.is_data_action(a),
            scope: scope.into(),
        })
        .collect();
    decide(&ix, p, &reqs, true, &mut Ancestry::default()).access
}

fn base() -> Tenant {
    Tenant {
        principals: vec![
            user("u1"),
            user("u2"),
            group("g1"),
            group("g2"),
            group("g3"),
        ],
        member_edges: vec![
            edge("g1", "u1"),
            edge("g2", "g1"),
            edge("g3", "g2"),
            edge("g1", "g3"),
        ],
        member_lists: vec!["g1".into(), "g2".into(), "g3".into()],
        roles: vec![
            role(
                "r-all",
                vec![block(
                    &["*"],
                    &[
                        "Microsoft.MachineLearningServices/workspaces/*/delete",
                        "Microsoft.Authorization/*/Write",
                    ],
                )],
            ),
            role(
                "r-compute",
                vec![block(
                    &["Microsoft.MachineLearningServices/workspaces/computes/*"],
                    &[],
                )],
            ),
        ],
        scopes: vec![
            ScopeNode {
                id: format!("{MG}root"),
                kind: ScopeKind::ManagementGroup,
                name: "root".into(),
                display_name: None,
                resource_type: None,
                parent_id: None,
            },
            ScopeNode {
                id: format!("{MG}ml"),
                kind: ScopeKind::ManagementGroup,
                name: "ml".into(),
                display_name: None,
                resource_type: None,
                parent_id: Some(format!("{MG}root")),
            },
            ScopeNode {
                id: SUB.into(),
                kind: ScopeKind::Subscription,
                name: "S1".into(),
                display_name: None,
                resource_type: None,
                parent_id: Some(format!("{MG}ml")),
            },
        ],
        ..Default::default()
    }
}

const DEL: &str = "Microsoft.MachineLearningServices/workspaces/delete";
const CW: &str = "Microsoft.MachineLearningServices/workspaces/computes/write";

#[test]
fn not_actions_exclude_within_the_role_and_inner_wildcard_matches_nothing() {
    let mut t = base();
    t.assignments.push(assign(1, "g3", "r-all", WS));
    assert_eq!(ask(&t, "u1", &[DEL], WS), Access::None);
    assert_eq!(ask(&t, "u1", &[CW], WS), Access::Allowed);
    assert_eq!(
        ask(
            &t,
            "u1",
            &["Microsoft.Authorization/roleAssignments/write"],
            WS
        ),
        Access::None
    );
    assert_eq!(
        ask(
            &t,
            "u1",
            &["Microsoft.Authorization/roleAssignments/delete"],
            WS
        ),
        Access::Allowed
    );
}

#[test]
fn not_actions_are_not_a_deny_another_role_grants() {
    let mut t = base();
    t.roles[0].permissions[0].not_actions.push(CW.into());
    t.assignments.push(assign(1, "u1", "r-all", WS));
    assert_eq!(ask(&t, "u1", &[CW], WS), Access::None);
    t.assignments.push(assign(2, "g2", "r-compute", SUB));
    assert_eq!(ask(&t, "u1", &[CW], WS), Access::Allowed);
}

#[test]
fn not_actions_are_per_block_not_merged() {
    let mut t = base();
    t.roles
        .push(role("multi", vec![block(&["*"], &[CW]), block(&[CW], &[])]));
    t.assignments.push(assign(1, "u2", "multi", WS));
    assert_eq!(ask(&t, "u2", &[CW], WS), Access::Allowed);
}

#[test]
fn membership_cycles_terminate_and_groups_are_transitive() {
    let mut t = base();
    t.assignments.push(assign(1, "g3", "r-compute", RG));
    assert_eq!(ask(&t, "u1", &[CW], WS), Access::Allowed);
    let ix = Index::new(&t);
    let reqs = vec![ActionReq {
        action: CW.into(),
        data: false,
        scope: WS.into(),
    }];
    let d = decide(&ix, "u1", &reqs, false, &mut Ancestry::default());
    let via: Vec<&str> = d.actions[0].grants[0]
        .via
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(via, vec!["g1", "g2", "g3"]);
    let w = who(&ix, &vec![reqs], true, false);
    let ids: Vec<&str> = w
        .answers
        .iter()
        .map(|a| a.decision.principal.id.as_str())
        .collect();
    assert!(
        ids.contains(&"u1") && ids.contains(&"g1") && ids.contains(&"g2") && ids.contains(&"g3")
    );
}

#[test]
fn mixed_case_and_trailing_slash_scopes_and_both_role_id_forms() {
    let mut t = base();
    let mut a = assign(1, "U1", "R-COMPUTE", &format!("{}/", RG.to_uppercase()));
    a.role_definition_id =
        "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/R-Compute".into();
    t.assignments.push(a);
    assert_eq!(
        ask(&t, "u1", &[&CW.to_uppercase()], &WS.to_lowercase()),
        Access::Allowed
    );
}

#[test]
fn management_group_chain_and_root_apply() {
    let mut t = base();
    t.assignments
        .push(assign(1, "u1", "r-compute", &format!("{MG}ML")));
    t.assignments.push(assign(2, "u2", "r-compute", "/"));
    assert_eq!(ask(&t, "u1", &[CW], WS), Access::Allowed);
    assert_eq!(ask(&t, "u2", &[CW], WS), Access::Allowed);
    // A subscription outside that management group does not inherit it.
    assert_eq!(
        ask(&t, "u1", &[CW], "/subscriptions/other/resourceGroups/x"),
        Access::None
    );
}

#[test]
fn all_principals_deny_with_group_exclusion() {
    let mut t = base();
    t.assignments.push(assign(1, "u1", "r-compute", SUB));
    t.assignments.push(assign(2, "u2", "r-compute", SUB));
    t.denies
        .push(deny("d1", RG, &[CW], &[ALL_PRINCIPALS], &["g2"], false));
    assert_eq!(
        ask(&t, "u1", &[CW], WS),
        Access::Allowed,
        "u1 is in g2 through g1: excluded"
    );
    assert_eq!(ask(&t, "u2", &[CW], WS), Access::Denied);
    assert_eq!(
        ask(&t, "u2", &[CW], SUB),
        Access::Allowed,
        "deny at RG does not reach up"
    );
}

#[test]
fn deny_with_do_not_apply_to_child_scopes_stays_at_its_scope() {
    let mut t = base();
    t.assignments.push(assign(1, "u2", "r-compute", SUB));
    t.denies.push(deny("d1", RG, &[CW], &["u2"], &[], true));
    assert_eq!(ask(&t, "u2", &[CW], RG), Access::Denied);
    assert_eq!(ask(&t, "u2", &[CW], WS), Access::Allowed);
}

#[test]
fn deny_without_a_grant_is_not_denied() {
    let mut t = base();
    t.denies.push(deny("d1", RG, &[CW], &["u2"], &[], false));
    assert_eq!(ask(&t, "u2", &[CW], WS), Access::None);
}

#[test]
fn conditions_make_grants_conditional_per_block_and_per_assignment() {
    let mut t = base();
    let mut b = block(&[CW], &[]);
    b.condition = Some("@Resource[x] == 'y'".into());
    t.roles.push(role("cond", vec![b]));
    t.assignments.push(assign(1, "u2", "cond", WS));
    assert_eq!(ask(&t, "u2", &[CW], WS), Access::Conditional);
    let mut a = assign(2, "u1", "r-compute", WS);
    a.condition = Some("true".into());
    t.assignments.push(a);
    assert_eq!(ask(&t, "u1", &[CW], WS), Access::Conditional);
    t.assignments.push(assign(3, "u1", "r-compute", RG));
    assert_eq!(ask(&t, "u1", &[CW], WS), Access::Allowed);
}

#[test]
fn data_actions_only_match_data_action_lists() {
    let mut t = base();
    let read = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
    t.operations.push(Operation {
        name: read.into(),
        display_name: None,
        is_data_action: true,
        provider: "Microsoft.Storage".into(),
        resource_type: "storageAccounts/blobServices/containers/blobs".into(),
    });
    t.roles.push(role("owner", vec![block(&["*"], &[])]));
    t.assignments.push(assign(1, "u1", "owner", SUB));
    assert_eq!(ask(&t, "u1", &[read], SUB), Access::None);
    let mut b = PermissionBlock::default();
    b.data_actions
        .push("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*".into());
    t.roles.push(role("blob", vec![b]));
    t.assignments.push(assign(2, "u2", "blob", SUB));
    assert_eq!(ask(&t, "u2", &[read], SUB), Access::Allowed);
}

#[test]
fn eligibility_grants_nothing_now() {
    let mut t = base();
    t.eligibilities.push(Eligibility {
        principal_display_name: None,
        role_definition_name: None,
        id: "e1".into(),
        principal_id: "g1".into(),
        principal_type: "Group".into(),
        role_definition_id: "r-compute".into(),
        scope: RG.into(),
        start_date_time: None,
        end_date_time: Some("2027-01-01T00:00:00Z".into()),
        member_type: None,
        condition: None,
    });
    assert_eq!(ask(&t, "u1", &[CW], WS), Access::Eligible);
    t.denies
        .push(deny("d1", RG, &[CW], &[ALL_PRINCIPALS], &[], false));
    assert_eq!(
        ask(&t, "u1", &[CW], WS),
        Access::Eligible,
        "no active grant: not denied"
    );
}

#[test]
fn group_with_assignment_but_no_member_list_is_incomplete() {
    let mut t = base();
    t.principals.push(group("g9"));
    t.assignments.push(assign(1, "g9", "r-compute", RG));
    let ix = Index::new(&t);
    let reqs = vec![ActionReq {
        action: CW.into(),
        data: false,
        scope: WS.into(),
    }];
    let w = who(&ix, &vec![reqs], false, false);
    assert_eq!(w.incomplete.len(), 1);
    assert_eq!(w.incomplete[0].group_id.as_deref(), Some("g9"));
}

#[test]
fn combining_several_actions_follows_spec_order() {
    use super::decide::combine;
    use Access::*;
    assert_eq!(combine(&[Allowed, Allowed]), Allowed);
    assert_eq!(combine(&[Allowed, Conditional]), Conditional);
    assert_eq!(combine(&[Allowed, Denied]), Denied);
    assert_eq!(combine(&[Conditional, Denied]), Denied);
    assert_eq!(combine(&[Allowed, Eligible]), Eligible);
    assert_eq!(combine(&[Denied, Eligible]), None);
    assert_eq!(combine(&[Allowed, None]), None);
}

// ---------- property tests over generated tenants ----------

const USERS: &[&str] = &["u0", "u1", "u2", "u3"];
const GROUPS: &[&str] = &["g0", "g1", "g2"];
const SCOPES: &[&str] = &[
    "/",
    "/providers/Microsoft.Management/managementGroups/ml",
    SUB,
    RG,
    WS,
    "/subscriptions/S1/resourceGroups/RG2",
];
const ACTIONS: &[&str] = &[
    "P.X/a/read",
    "P.X/a/write",
    "P.X/a/b/delete",
    "P.X/a/delete",
];
/// [`ACTIONS`] and actions the patterns match alike (or in other spellings), for
/// the classes of `actions_decided_by_class_equal_each_decided_alone`.
const CLASS_ACTIONS: &[&str] = &[
    "P.X/a/read",
    "P.X/a/write",
    "P.X/a/b/delete",
    "P.X/a/delete",
    "p.x/A/READ",
    "P.X/a/list",
    "P.X/c/read",
    "P.X/a/b/read",
    "Q.Y/a/read",
    " P.X/a/write",
];
const PATTERNS: &[&str] = &[
    "*",
    "P.X/*",
    "P.X/a/*/delete",
    "P.X/a/read",
    "*/read",
    "P.X/a/b/*",
];

fn arb_block() -> impl Strategy<Value = PermissionBlock> {
    (
        prop::collection::vec(prop::sample::select(PATTERNS), 1..3),
        prop::collection::vec(prop::sample::select(PATTERNS), 0..2),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(a, n, c)| PermissionBlock {
            actions: a.into_iter().map(String::from).collect(),
            not_actions: n.into_iter().map(String::from).collect(),
            condition: c.then(|| "cond".to_string()),
            ..Default::default()
        })
}

fn holders_all() -> Vec<&'static str> {
    USERS.iter().chain(GROUPS).copied().collect()
}

fn arb_assignment() -> impl Strategy<Value = (usize, usize, usize, bool)> {
    (
        0..USERS.len() + GROUPS.len(),
        0..3usize,
        0..SCOPES.len(),
        prop::bool::weighted(0.15),
    )
}

fn arb_tenant() -> impl Strategy<Value = Tenant> {
    (
        prop::collection::vec(prop::collection::vec(arb_block(), 1..3), 3),
        prop::collection::vec((0..GROUPS.len(), 0..USERS.len() + GROUPS.len()), 0..8),
        prop::collection::vec(arb_assignment(), 0..8),
        prop::collection::vec(
            (0..USERS.len() + GROUPS.len(), 0..3usize, 0..SCOPES.len()),
            0..3,
        ),
        prop::collection::vec(
            (
                0..SCOPES.len(),
                0..PATTERNS.len(),
                0..USERS.len() + GROUPS.len() + 1,
                prop::bool::ANY,
                prop::option::of(0..USERS.len() + GROUPS.len()),
            ),
            0..3,
        ),
    )
        .prop_map(|(roles, edges, assigns, eligs, denies)| {
            let hs = holders_all();
            let mut t = base();
            t.principals = USERS
                .iter()
                .map(|u| user(u))
                .chain(GROUPS.iter().map(|g| group(g)))
                .collect();
            t.member_lists = GROUPS.iter().map(|g| g.to_string()).collect();
            t.member_edges = edges
                .into_iter()
                .map(|(g, m)| edge(GROUPS[g], hs[m]))
                .collect();
            t.roles = roles
                .into_iter()
                .enumerate()
                .map(|(i, b)| role(&format!("r{i}"), b))
                .collect();
            t.assignments = assigns
                .into_iter()
                .enumerate()
                .map(|(n, (h, r, s, c))| {
                    let mut a = assign(n, hs[h], &format!("r{r}"), SCOPES[s]);
                    a.condition = c.then(|| "c".into());
                    a
                })
                .collect();
            t.eligibilities = eligs
                .into_iter()
                .enumerate()
                .map(|(n, (h, r, s))| Eligibility {
                    principal_display_name: None,
                    role_definition_name: None,
                    id: format!("e{n}"),
                    principal_id: hs[h].into(),
                    principal_type: "User".into(),
                    role_definition_id: format!("r{r}"),
                    scope: SCOPES[s].into(),
                    start_date_time: None,
                    end_date_time: None,
                    member_type: None,
                    condition: None,
                })
                .collect();
            t.denies = denies
                .into_iter()
                .enumerate()
                .map(|(n, (s, p, who, child, ex))| {
                    let principal = if who == hs.len() {
                        ALL_PRINCIPALS
                    } else {
                        hs[who]
                    };
                    let excluded: Vec<&str> = ex.map(|e| hs[e]).into_iter().collect();
                    deny(
                        &format!("d{n}"),
                        SCOPES[s],
                        &[PATTERNS[p]],
                        &[principal],
                        &excluded,
                        child,
                    )
                })
                .collect();
            t
        })
}

fn all_access(t: &Tenant, actions: &[&str], scope: &str) -> Vec<(String, Access)> {
    let ix = Index::new(t);
    let reqs: Vec<ActionReq> = actions
        .iter()
        .map(|a| ActionReq {
            action: a.to_string(),
            data: false,
            scope: scope.into(),
        })
        .collect();
    let mut anc = Ancestry::default();
    holders_all()
        .iter()
        .map(|p| (p.to_string(), decide(&ix, p, &reqs, false, &mut anc).access))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn who_agrees_with_can_for_every_principal(
        t in arb_tenant(),
        acts in prop::collection::vec(prop::sample::select(ACTIONS), 1..3),
        s in prop::sample::select(SCOPES),
    ) {
        let ix = Index::new(&t);
        let reqs: Vec<ActionReq> = acts.iter().map(|a| ActionReq { action: a.to_string(), data: false, scope: s.into() }).collect();
        let w = who(&ix, &vec![reqs.clone()], true, false);
        let mut anc = Ancestry::default();
        for p in holders_all() {
            let can = decide(&ix, p, &reqs, false, &mut anc);
            let listed = w.answers.iter().find(|a| a.decision.principal.id == p);
            prop_assert_eq!(listed.map_or(Access::None, |a| a.decision.access), can.access, "principal {}", p);
            // The whole decision too: `who` decides alike actions once and
            // stops at an action with none (`Ancestry::share_classes`,
            // `stop_at_none`), `can` decides each.
            if let Some(a) = listed {
                prop_assert_eq!(&a.decision, &can, "principal {}", p);
            }
        }
    }

    /// Actions decided once per class ([`Ancestry::share_classes`], what `who`
    /// does for an activity's operations) get the decision each gets decided
    /// alone: same grants, denies, eligibilities and reasons, each naming its own
    /// action; with only the nearest grant kept, the same as keeping it after.
    #[test]
    fn actions_decided_by_class_equal_each_decided_alone(
        t in arb_tenant(),
        asked in prop::collection::vec(
            (prop::sample::select(CLASS_ACTIONS), prop::sample::select(&[WS, RG, SUB][..]), prop::bool::weighted(0.2)),
            1..8,
        ),
        explain in prop::bool::ANY,
        nearest in prop::bool::ANY,
    ) {
        let ix = Index::new(&t);
        let reqs: Vec<ActionReq> = asked
            .iter()
            .map(|(a, s, data)| ActionReq { action: a.to_string(), data: *data, scope: s.to_string() })
            .collect();
        let mut shared = Ancestry::default();
        shared.share_classes();
        if nearest {
            shared.keep_nearest();
        }
        let mut alone = Ancestry::default();
        for p in holders_all() {
            let mut expected = decide(&ix, p, &reqs, explain, &mut alone);
            if nearest {
                expected.keep_nearest_grants();
            }
            prop_assert_eq!(decide(&ix, p, &reqs, explain, &mut shared), expected, "principal {}", p);
        }
    }

    /// Scopes alike in what applies at them ([`super::query::applies_at`]) are
    /// answered alike: lint asks one question of many scopes once per kind.
    #[test]
    fn scopes_alike_in_what_applies_get_the_same_answer(
        t in arb_tenant(),
        act in prop::sample::select(ACTIONS),
    ) {
        let ix = Index::new(&t);
        let probes: Vec<String> = SCOPES
            .iter()
            .map(|s| s.to_string())
            .chain([
                format!("{WS}/computes/c1"),
                "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.MachineLearningServices/workspaces/w2".into(),
                "/subscriptions/S1/resourceGroups/RG2/providers/Microsoft.Storage/storageAccounts/sa".into(),
            ])
            .collect();
        let mut anc = Ancestry::default();
        let answer = |s: &str| -> Vec<(String, Access)> {
            let reqs = vec![ActionReq { action: act.to_string(), data: false, scope: s.into() }];
            let mut v: Vec<(String, Access)> = who(&ix, &vec![reqs], true, false)
                .answers
                .into_iter()
                .map(|a| (a.decision.principal.id, a.decision.access))
                .collect();
            v.sort();
            v
        };
        for a in &probes {
            for b in &probes {
                if a < b
                    && super::query::applies_at(&ix, a, act, false, &mut anc)
                        == super::query::applies_at(&ix, b, act, false, &mut anc)
                {
                    prop_assert_eq!(answer(a), answer(b), "{} and {}", a, b);
                }
            }
        }
    }

    /// [`super::query::who_near`]: an answer made from another scope's in the
    /// same subscription equals the answer made in full, for every pair of
    /// scopes below the subscription (denies of their own included: those are
    /// answered in full), with or without groups, for one or two alternatives.
    #[test]
    fn an_answer_made_from_a_neighbours_equals_who(
        t in arb_tenant(),
        acts in prop::collection::vec(prop::sample::select(ACTIONS), 1..3),
        include_groups in prop::bool::ANY,
    ) {
        use super::query::{who_near, Near};
        let ix = Index::new(&t);
        let probes = [
            RG.to_string(),
            WS.to_string(),
            "/subscriptions/S1/resourceGroups/RG2".into(),
            format!("{WS}/computes/c1"),
            "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.MachineLearningServices/workspaces/w2".into(),
            "/subscriptions/S1/resourceGroups/RG2/providers/Microsoft.Storage/storageAccounts/sa".into(),
        ];
        let alts = |s: &str| -> Vec<Vec<ActionReq>> {
            acts.iter()
                .map(|a| vec![ActionReq { action: a.to_string(), data: false, scope: s.into() }])
                .collect()
        };
        let whole = |s: &str| -> Vec<Near> {
            who(&ix, &alts(s), include_groups, false)
                .answers
                .into_iter()
                .map(|a| (a.decision.access, a.decision.principal.display_name.to_lowercase(), a.decision.principal.id))
                .collect()
        };
        let mut anc = Ancestry::default();
        for a in &probes {
            let (first, base) = who_near(&ix, &alts(a), SUB, include_groups, None, &mut anc);
            prop_assert_eq!(&first, &whole(a), "{}", a);
            let mut base = base;
            for b in &probes {
                let (near, kept) = who_near(&ix, &alts(b), SUB, include_groups, base, &mut anc);
                prop_assert_eq!(&near, &whole(b), "{} from {}", b, a);
                base = kept;
            }
        }
    }

    /// [`Index::grow`] (a slice's members added to the index of what was read
    /// first) builds the index [`Index::new`] builds from the whole tenant:
    /// the same answers, and the same membership, records and lists.
    #[test]
    fn growing_an_index_equals_building_it_whole(
        t in arb_tenant(),
        edges_first in 0usize..9,
        principals_first in 0usize..12,
        lists_first in 0usize..4,
        partial in prop::collection::vec(prop::sample::select(GROUPS), 0..2),
        acts in prop::collection::vec(prop::sample::select(ACTIONS), 1..3),
        s in prop::sample::select(SCOPES),
    ) {
        let mut whole = t.clone();
        whole.partial_member_lists = partial.iter().map(|g| g.to_string()).collect();
        let mut first = t.clone();
        first.member_edges.truncate(edges_first);
        first.principals.truncate(principals_first);
        first.member_lists.truncate(lists_first);
        let (e, p) = (first.member_edges.len(), first.principals.len());
        let mut grown = Index::new(&first);
        grown.grow(whole.clone(), e, p);
        let built = Index::new(&whole);
        prop_assert_eq!(&grown.principals, &built.principals);
        prop_assert_eq!(&grown.groups_of, &built.groups_of);
        prop_assert_eq!(&grown.members_of, &built.members_of);
        prop_assert_eq!(&grown.member_lists, &built.member_lists);
        prop_assert_eq!(&grown.partial_member_lists, &built.partial_member_lists);
        prop_assert_eq!(&grown.listed_kinds, &built.listed_kinds);
        for p in holders_all() {
            prop_assert_eq!(grown.member_kind(p), built.member_kind(p));
            prop_assert_eq!(grown.is_group(p), built.is_group(p));
        }
        let reqs: Vec<ActionReq> = acts.iter().map(|a| ActionReq { action: a.to_string(), data: false, scope: s.into() }).collect();
        let alts = vec![reqs];
        let (a, b) = (who(&grown, &alts, true, true), who(&built, &alts, true, true));
        prop_assert_eq!(format!("{:?}", a.answers), format!("{:?}", b.answers));
        prop_assert_eq!(format!("{:?}", a.incomplete), format!("{:?}", b.incomplete));
    }

    #[test]
    fn adding_an_assignment_never_removes_access(
        t in arb_tenant(),
        extra in arb_assignment(),
        a in prop::sample::select(ACTIONS),
        s in prop::sample::select(SCOPES),
    ) {
        let before = all_access(&t, &[a], s);
        let mut t2 = t.clone();
        let hs = holders_all();
        t2.assignments.push(assign(99, hs[extra.0], &format!("r{}", extra.1), SCOPES[extra.2]));
        let after = all_access(&t2, &[a], s);
        for ((p, b), (_, x)) in before.iter().zip(after.iter()) {
            if b.grants() { prop_assert!(x.grants(), "{} lost access: {:?} -> {:?}", p, b, x); }
            if *b == Access::Allowed { prop_assert_eq!(*x, Access::Allowed); }
        }
    }

    #[test]
    fn adding_a_deny_never_adds_access(
        t in arb_tenant(),
        d in (0..SCOPES.len(), 0..PATTERNS.len(), 0..USERS.len() + GROUPS.len()),
        a in prop::sample::select(ACTIONS),
        s in prop::sample::select(SCOPES),
    ) {
        let before = all_access(&t, &[a], s);
        let mut t2 = t.clone();
        t2.denies.push(deny("dx", SCOPES[d.0], &[PATTERNS[d.1]], &[holders_all()[d.2]], &[], false));
        let after = all_access(&t2, &[a], s);
        for ((p, b), (_, x)) in before.iter().zip(after.iter()) {
            if x.grants() { prop_assert!(b.grants(), "{} gained access: {:?} -> {:?}", p, b, x); }
            if *x == Access::Allowed { prop_assert_eq!(*b, Access::Allowed); }
        }
    }

    #[test]
    fn deny_names_for_all_denies_at_once_is_deny_names_for_each(t in arb_tenant()) {
        let ix = Index::new(&t);
        let all = super::decide::DenyNames::new(&ix);
        for p in holders_all() {
            let hs = super::decide::holder_ids(&ix, p);
            let each: Vec<usize> = ix
                .denies
                .iter()
                .enumerate()
                .filter(|(_, d)| super::decide::deny_names(d, hs.iter().map(String::as_str)).is_some())
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(all.of(hs.iter().map(String::as_str)), each.clone(), "principal {}", p);
            let mut by_groups = super::decide::DenyNames::new(&ix);
            prop_assert_eq!(by_groups.of_principal(&ix, p), each, "principal {} by its groups", p);
        }
    }
}
