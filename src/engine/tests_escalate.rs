//! Escalation steps (issue 15): each step is triggered, stopped by a deny on its
//! action, made conditional by a condition, and `who --effective` agrees with
//! `can --effective` for every principal.

use proptest::prelude::*;

use crate::model::{
    Datastore, DenyAssignment, DenyPrincipal, Eligibility, ManagedIdentities, PermissionBlock,
    Principal, PrincipalKind, ResourceFacts, RoleDefinition, Tenant, UserAssignedIdentity,
};

use super::decide::ActionReq;
use super::escalate::{Effective, Escalation, StepKind};
use super::fixtures::{assign, edge, group, user, RG, SUB, WS};
use super::Index;

pub(crate) const SA: &str =
    "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.Storage/storageAccounts/acct1";
pub(crate) const CONTAINER: &str = "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.Storage/storageAccounts/acct1/blobServices/default/containers/training";
pub(crate) const BLOB_READ: &str =
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
pub(crate) const UAMI: &str = "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi1";
pub(crate) const COMPUTE: &str = "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.MachineLearningServices/workspaces/w1/computes/cpu";
pub(crate) const DS: &str = "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.MachineLearningServices/workspaces/w1/datastores/blobkey";

pub(crate) fn role(id: &str, name: &str, actions: &[&str], data: &[&str]) -> RoleDefinition {
    RoleDefinition {
        id: id.into(),
        role_name: name.into(),
        role_type: "CustomRole".into(),
        description: String::new(),
        permissions: vec![PermissionBlock {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            data_actions: data.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }],
        assignable_scopes: vec!["/".into()],
    }
}

pub(crate) fn mi(id: &str) -> Principal {
    Principal {
        kind: PrincipalKind::ManagedIdentity,
        display_name: format!("MI {id}"),
        user_principal_name: None,
        user_type: None,
        account_enabled: None,
        ..user(id)
    }
}

pub(crate) fn deny_on(action: &str, principal: &str, scope: &str) -> DenyAssignment {
    DenyAssignment {
        id: format!("deny-{principal}"),
        name: "deny".into(),
        scope: scope.into(),
        permissions: vec![PermissionBlock {
            actions: vec![action.into()],
            ..Default::default()
        }],
        principals: vec![DenyPrincipal {
            id: principal.into(),
            kind: "User".into(),
        }],
        exclude_principals: vec![],
        do_not_apply_to_child_scopes: false,
        condition: None,
        effect: None,
    }
}

/// Roles: the step actions one per role, a blob reader, and Owner-like `*`.
pub(crate) fn roles() -> Vec<RoleDefinition> {
    vec![
        role(
            "r-ra",
            "Role Writer",
            &["Microsoft.Authorization/roleAssignments/write"],
            &[],
        ),
        role(
            "r-keys",
            "Key Lister",
            &["Microsoft.Storage/storageAccounts/listKeys/action"],
            &[],
        ),
        role(
            "r-jobs",
            "Job Submitter",
            &["Microsoft.MachineLearningServices/workspaces/jobs/write"],
            &[],
        ),
        role(
            "r-compute",
            "Compute Writer",
            &["Microsoft.MachineLearningServices/workspaces/computes/write"],
            &[],
        ),
        role(
            "r-assign",
            "Identity Operator",
            &["Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action"],
            &[],
        ),
        role(
            "r-secrets",
            "Secret Lister",
            &["Microsoft.MachineLearningServices/workspaces/datastores/listsecrets/action"],
            &[],
        ),
        role(
            "r-blob",
            "Blob Reader",
            &[],
            &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        ),
        role("r-owner", "Owner Like", &["*"], &[]),
    ]
}

pub(crate) fn facts(shared_key: Option<bool>) -> Vec<ResourceFacts> {
    vec![
        ResourceFacts {
            id: SA.into(),
            resource_type: "Microsoft.Storage/storageAccounts".into(),
            allow_shared_key_access: shared_key,
            ..Default::default()
        },
        ResourceFacts {
            id: WS.into(),
            resource_type: "Microsoft.MachineLearningServices/workspaces".into(),
            storage_account: Some(SA.into()),
            ..Default::default()
        },
        ResourceFacts {
            id: UAMI.into(),
            resource_type: "Microsoft.ManagedIdentity/userAssignedIdentities".into(),
            principal_id: Some("mi-user".into()),
            ..Default::default()
        },
        ResourceFacts {
            id: COMPUTE.into(),
            resource_type: "Microsoft.MachineLearningServices/workspaces/computes".into(),
            identity: Some(ManagedIdentities {
                system_assigned: Some("mi-sys".into()),
                user_assigned: vec![],
            }),
            ..Default::default()
        },
        datastore(DS, "AccountKey", None),
    ]
}

pub(crate) fn tenant() -> Tenant {
    Tenant {
        principals: vec![
            user("alice"),
            user("bob"),
            user("carol"),
            mi("mi-user"),
            mi("mi-sys"),
            group("g1"),
        ],
        member_lists: vec!["g1".into()],
        roles: roles(),
        resource_facts: facts(None),
        ..Default::default()
    }
}

fn blob_read(scope: &str) -> Vec<Vec<ActionReq>> {
    vec![vec![ActionReq {
        action: BLOB_READ.into(),
        data: true,
        scope: scope.into(),
    }]]
}

fn action(a: &str, scope: &str) -> Vec<Vec<ActionReq>> {
    vec![vec![ActionReq {
        action: a.into(),
        data: false,
        scope: scope.into(),
    }]]
}

fn escalation(t: &Tenant, p: &str, alts: &[Vec<ActionReq>]) -> Option<Escalation> {
    let ix = Index::new(t);
    Effective::new(&ix).of(p, &alts.to_vec())
}

fn kinds(e: &Escalation) -> Vec<StepKind> {
    e.steps.iter().map(|s| s.kind).collect()
}

#[test]
fn role_assignment_write_grants_any_assignable_role_and_a_deny_stops_it() {
    let mut t = tenant();
    t.assignments = vec![assign("a1", "alice", "r-ra", RG)];
    let ws_write = action("Microsoft.MachineLearningServices/workspaces/write", WS);
    let e = escalation(&t, "alice", &ws_write).expect("alice can grant herself a role");
    assert_eq!(kinds(&e), vec![StepKind::GrantRole]);
    assert!(
        e.steps[0].gives.contains("Owner Like"),
        "{:?}",
        e.steps[0].gives
    );
    assert!(!e.conditional);
    // Not someone without the write.
    assert!(escalation(&t, "bob", &ws_write).is_none());
    // A deny on roleAssignments/write stops the step.
    let mut d = t.clone();
    d.denies = vec![deny_on(
        "Microsoft.Authorization/roleAssignments/write",
        "alice",
        SUB,
    )];
    assert!(escalation(&d, "alice", &ws_write).is_none());
    // A deny on the asked action stays after any new assignment.
    let mut d = t.clone();
    d.denies = vec![deny_on(
        "Microsoft.MachineLearningServices/workspaces/write",
        "alice",
        SUB,
    )];
    assert!(escalation(&d, "alice", &ws_write).is_none());
    // A write held only below the scope does not reach it.
    let mut below = t.clone();
    below.assignments = vec![assign("a1", "alice", "r-ra", WS)];
    assert!(escalation(
        &below,
        "alice",
        &action("Microsoft.Resources/deployments/write", RG)
    )
    .is_none());
    // Through a group, like any grant.
    let mut g = t.clone();
    g.assignments = vec![assign("a1", "g1", "r-ra", SUB)];
    g.member_edges = vec![edge("g1", "bob")];
    assert!(escalation(&g, "bob", &ws_write).is_some());
}

#[test]
fn a_constrained_delegation_makes_the_grant_conditional_with_its_condition() {
    let mut t = tenant();
    let mut a = assign("a1", "alice", "r-ra", RG);
    a.condition = Some("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {ba92f5b4-2d11-453d-a403-e96b0029c9fe}".into());
    a.condition_version = Some("2.0".into());
    t.assignments = vec![a];
    let e = escalation(
        &t,
        "alice",
        &action("Microsoft.MachineLearningServices/workspaces/write", WS),
    )
    .unwrap();
    assert!(e.conditional);
    assert!(e.steps[0]
        .condition
        .as_deref()
        .unwrap()
        .contains("RoleDefinitionId"));
}

/// The only role that grants the action does so under its block's condition
/// (SPEC §2.7): assigning it to oneself grants conditionally, and the step says
/// so with that condition; a role that grants it unconditionally is preferred.
#[test]
fn granting_oneself_a_role_whose_block_has_a_condition_is_conditional() {
    let cond = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'public'";
    let only_conditional = |t: &mut Tenant| {
        t.roles.retain(|r| {
            !r.permissions.iter().any(|b| {
                b.data_actions
                    .iter()
                    .any(|d| d == "*" || d.starts_with("Microsoft.Storage"))
            })
        });
        let mut r = role("r-cond", "Cond Reader", &[], &[BLOB_READ]);
        r.permissions[0].condition = Some(cond.into());
        r.permissions[0].condition_version = Some("2.0".into());
        t.roles.push(r);
    };
    let mut t = tenant();
    t.assignments = vec![assign("a1", "alice", "r-ra", RG)];
    only_conditional(&mut t);
    let account =
        "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.Storage/storageAccounts/st1";
    let e = escalation(&t, "alice", &blob_read(account)).expect("alice can assign Cond Reader");
    assert_eq!(kinds(&e), vec![StepKind::GrantRole]);
    assert_eq!(e.steps[0].role.as_deref(), Some("Cond Reader"));
    assert!(e.conditional);
    assert_eq!(e.steps[0].condition.as_deref(), Some(cond));
    // With an unconditional reader assignable too, that one is assigned.
    t.roles
        .push(role("r-plain", "Plain Reader", &[], &[BLOB_READ]));
    let e = escalation(&t, "alice", &blob_read(account)).unwrap();
    assert_eq!(e.steps[0].role.as_deref(), Some("Plain Reader"));
    assert!(!e.conditional);
}

/// Of the steps a principal can take itself, one it can take without a
/// condition is chosen over an earlier one it can take only under a condition
/// (SPEC §2.9): the answer is conditional only when every way is.
#[test]
fn an_unconditional_step_is_chosen_over_a_conditional_one() {
    let mut t = tenant();
    let mut keys = assign("a1", "bob", "r-keys", RG);
    keys.condition =
        Some("@Resource[Microsoft.Storage/storageAccounts:name] StringEquals 'other'".into());
    keys.condition_version = Some("2.0".into());
    t.assignments = vec![keys.clone()];
    // The keys only under a condition: a conditional chain.
    let e = escalation(&t, "bob", &blob_read(CONTAINER)).unwrap();
    assert_eq!(kinds(&e), vec![StepKind::StorageKeys]);
    assert!(e.conditional);
    // And role assignments without one: granting itself a reader is chosen.
    t.assignments = vec![keys, assign("a2", "bob", "r-ra", RG)];
    let e = escalation(&t, "bob", &blob_read(CONTAINER)).unwrap();
    assert_eq!(kinds(&e), vec![StepKind::GrantRole], "{e:?}");
    assert!(!e.conditional);
}

#[test]
fn storage_keys_give_data_unless_shared_key_is_disallowed_or_the_list_is_denied() {
    let mut t = tenant();
    t.assignments = vec![assign("a1", "bob", "r-keys", RG)];
    let e = escalation(&t, "bob", &blob_read(CONTAINER)).expect("keys read blobs");
    assert_eq!(kinds(&e), vec![StepKind::StorageKeys]);
    // Only data on the storage account.
    assert!(escalation(
        &t,
        "bob",
        &action("Microsoft.MachineLearningServices/workspaces/write", WS)
    )
    .is_none());
    // allowSharedKeyAccess: false stops it.
    let mut off = t.clone();
    off.resource_facts = facts(Some(false));
    assert!(escalation(&off, "bob", &blob_read(CONTAINER)).is_none());
    // A deny on listKeys stops it.
    let mut d = t.clone();
    d.denies = vec![deny_on(
        "Microsoft.Storage/storageAccounts/listKeys/action",
        "bob",
        SA,
    )];
    assert!(escalation(&d, "bob", &blob_read(CONTAINER)).is_none());
    // A deny on the data action does not: Shared Key is not Azure RBAC.
    let mut dd = t.clone();
    dd.denies = vec![DenyAssignment {
        permissions: vec![PermissionBlock {
            data_actions: vec![BLOB_READ.into()],
            ..Default::default()
        }],
        ..deny_on("x", "bob", SA)
    }];
    assert!(escalation(&dd, "bob", &blob_read(CONTAINER)).is_some());
}

#[test]
fn workspace_keys_reach_the_linked_storage_account() {
    let mut t = tenant();
    t.roles.push(role(
        "r-wskeys",
        "Workspace Keys",
        &["Microsoft.MachineLearningServices/workspaces/listKeys/action"],
        &[],
    ));
    t.assignments = vec![assign("a1", "carol", "r-wskeys", WS)];
    let e = escalation(&t, "carol", &blob_read(CONTAINER)).unwrap();
    assert_eq!(kinds(&e), vec![StepKind::WorkspaceKeys]);
    t.resource_facts = facts(Some(false));
    assert!(escalation(&t, "carol", &blob_read(CONTAINER)).is_none());
}

#[test]
fn submitting_jobs_runs_as_the_compute_identity_whose_access_follows() {
    let mut t = tenant();
    t.assignments = vec![
        assign("a1", "carol", "r-jobs", WS),
        assign("a2", "mi-sys", "r-blob", SA),
    ];
    let e = escalation(&t, "carol", &blob_read(CONTAINER)).expect("runs as the compute's identity");
    assert_eq!(kinds(&e), vec![StepKind::SubmitJob, StepKind::Rbac]);
    assert_eq!(e.steps[1].actor, "mi-sys");
    // The identity itself: plain RBAC, no escalation.
    assert!(escalation(&t, "mi-sys", &blob_read(CONTAINER)).is_none());
    // A deny on jobs/write stops it.
    let mut d = t.clone();
    d.denies = vec![deny_on(
        "Microsoft.MachineLearningServices/workspaces/jobs/write",
        "carol",
        WS,
    )];
    assert!(escalation(&d, "carol", &blob_read(CONTAINER)).is_none());
    // V1 run submission counts too.
    let mut v1 = t.clone();
    v1.roles.push(role(
        "r-v1",
        "Run Submitter",
        &["Microsoft.MachineLearningServices/workspaces/experiments/runs/submit/action"],
        &[],
    ));
    v1.assignments[0] = assign("a1", "carol", "r-v1", WS);
    assert!(escalation(&v1, "carol", &blob_read(CONTAINER)).is_some());
}

#[test]
fn assigning_a_user_assigned_identity_needs_compute_write_too() {
    let mut t = tenant();
    t.assignments = vec![
        assign("a1", "alice", "r-assign", UAMI),
        assign("a2", "mi-user", "r-blob", SA),
    ];
    assert!(
        escalation(&t, "alice", &blob_read(CONTAINER)).is_none(),
        "assign alone is not enough"
    );
    t.assignments.push(assign("a3", "alice", "r-compute", WS));
    let e = escalation(&t, "alice", &blob_read(CONTAINER)).unwrap();
    assert_eq!(kinds(&e), vec![StepKind::AssignIdentity, StepKind::Rbac]);
    assert_eq!(e.steps[1].actor, "mi-user");
}

#[test]
fn datastore_secrets_give_the_account_key_and_service_principal_credentials() {
    let mut t = tenant();
    t.assignments = vec![assign("a1", "bob", "r-secrets", WS)];
    let e = escalation(&t, "bob", &blob_read(CONTAINER)).unwrap();
    assert_eq!(kinds(&e), vec![StepKind::DatastoreSecret]);
    // Shared Key off: the account key does not work.
    let mut off = t.clone();
    off.resource_facts = facts(Some(false));
    assert!(escalation(&off, "bob", &blob_read(CONTAINER)).is_none());
    // An identity-based datastore holds no secret.
    let mut none = t.clone();
    for f in &mut none.resource_facts {
        if let Some(d) = &mut f.datastore {
            d.credentials_type = "None".into();
        }
    }
    assert!(escalation(&none, "bob", &blob_read(CONTAINER)).is_none());
    // A service-principal datastore: act as the service principal.
    let mut sp = none.clone();
    for f in &mut sp.resource_facts {
        if let Some(d) = &mut f.datastore {
            d.credentials_type = "ServicePrincipal".into();
            d.client_id = Some("APP-1".into());
        }
    }
    sp.principals.push(Principal {
        app_id: Some("app-1".into()),
        kind: PrincipalKind::ServicePrincipal,
        ..mi("sp1")
    });
    sp.assignments
        .push(assign("a2", "sp1", "r-blob", CONTAINER));
    let e = escalation(&sp, "bob", &blob_read(CONTAINER)).unwrap();
    assert_eq!(kinds(&e), vec![StepKind::DatastoreSecret, StepKind::Rbac]);
    assert_eq!(e.steps[1].actor, "sp1");
}

#[test]
fn chains_are_shortest_and_cycles_end() {
    let mut t = tenant();
    // carol can list keys directly AND run as an identity that can read blobs:
    // one step, not two.
    t.assignments = vec![
        assign("a1", "carol", "r-keys", SA),
        assign("a2", "carol", "r-jobs", WS),
        assign("a3", "mi-sys", "r-blob", SA),
    ];
    let e = escalation(&t, "carol", &blob_read(CONTAINER)).unwrap();
    assert_eq!(kinds(&e), vec![StepKind::StorageKeys]);
    // The compute's identity can submit jobs to its own workspace (a cycle) and
    // nothing grants the action: no answer, and the search ends.
    let mut c = tenant();
    c.assignments = vec![
        assign("a1", "carol", "r-jobs", WS),
        assign("a2", "mi-sys", "r-jobs", WS),
    ];
    assert!(escalation(
        &c,
        "carol",
        &action("Microsoft.Compute/virtualMachines/write", RG)
    )
    .is_none());
}

#[test]
fn plain_access_is_never_an_escalation_and_eligible_grants_take_no_step() {
    let mut t = tenant();
    t.assignments = vec![assign("a1", "alice", "r-owner", SUB)];
    assert!(escalation(
        &t,
        "alice",
        &action("Microsoft.MachineLearningServices/workspaces/write", WS)
    )
    .is_none());
    let mut e = tenant();
    e.eligibilities = vec![Eligibility {
        principal_display_name: None,
        role_definition_name: None,
        id: "e1".into(),
        principal_id: "bob".into(),
        principal_type: "User".into(),
        role_definition_id: "r-ra".into(),
        scope: SUB.into(),
        start_date_time: None,
        end_date_time: None,
        member_type: None,
        condition: None,
    }];
    assert!(escalation(
        &e,
        "bob",
        &action("Microsoft.MachineLearningServices/workspaces/write", WS)
    )
    .is_none());
}

// Property: `who --effective` lists exactly the principals `can --effective`
// finds a chain for, with the same chain.

const ACTORS: &[&str] = &["alice", "bob", "carol", "mi-user", "mi-sys", "g1"];
const ROLE_IDS: &[&str] = &[
    "r-ra",
    "r-keys",
    "r-jobs",
    "r-compute",
    "r-assign",
    "r-secrets",
    "r-blob",
    "r-owner",
];
const SCOPES: &[&str] = &[SUB, RG, WS, SA, CONTAINER, UAMI, COMPUTE, DS];
const STEP_ACTIONS: &[&str] = &[
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Storage/storageAccounts/listKeys/action",
    "Microsoft.MachineLearningServices/workspaces/jobs/write",
    "Microsoft.MachineLearningServices/workspaces/datastores/listsecrets/action",
];

/// Fewer than `most` assignments to pick: (actor, role, scope, conditional)
/// as positions among `actors` actors, [`ROLE_IDS`] and `scopes` scopes, each
/// conditional with probability `conditional`.
fn assignment_picks(
    actors: usize,
    scopes: usize,
    conditional: f64,
    most: usize,
) -> impl Strategy<Value = Vec<(usize, usize, usize, bool)>> {
    prop::collection::vec(
        (
            0..actors,
            0..ROLE_IDS.len(),
            0..scopes,
            prop::bool::weighted(conditional),
        ),
        0..most,
    )
}

/// The assignments a strategy picked: (actor, role, scope, conditional) as
/// positions in `actors`, [`ROLE_IDS`] and `scopes`.
fn picked_assignments(
    picks: Vec<(usize, usize, usize, bool)>,
    actors: &[&str],
    scopes: &[&str],
) -> Vec<crate::model::Assignment> {
    picks
        .into_iter()
        .enumerate()
        .map(|(n, (p, r, s, c))| {
            let mut a = assign(&format!("a{n}"), actors[p], ROLE_IDS[r], scopes[s]);
            a.condition = c.then(|| "cond".to_string());
            a
        })
        .collect()
}

/// The deny assignments a strategy picked: (step action, actor, scope) as
/// positions in [`STEP_ACTIONS`], `actors` and `scopes`.
fn picked_denies(
    picks: Vec<(usize, usize, usize)>,
    actors: &[&str],
    scopes: &[&str],
) -> Vec<DenyAssignment> {
    picks
        .into_iter()
        .enumerate()
        .map(|(n, (a, p, s))| DenyAssignment {
            id: format!("d{n}"),
            ..deny_on(STEP_ACTIONS[a], actors[p], scopes[s])
        })
        .collect()
}

/// A blob datastore `id` on container `training` of `acct1`, with these
/// credentials.
fn datastore(id: &str, credentials: &str, client_id: Option<&str>) -> ResourceFacts {
    ResourceFacts {
        id: id.into(),
        resource_type: "Microsoft.MachineLearningServices/workspaces/datastores".into(),
        datastore: Some(Datastore {
            datastore_type: "AzureBlob".into(),
            account_name: Some("acct1".into()),
            container_name: Some("training".into()),
            subscription_id: Some("S1".into()),
            resource_group: Some("RG1".into()),
            credentials_type: credentials.into(),
            client_id: client_id.map(Into::into),
        }),
        ..Default::default()
    }
}

fn arb_tenant() -> impl Strategy<Value = Tenant> {
    (
        assignment_picks(ACTORS.len(), SCOPES.len(), 0.15, 10),
        prop::collection::vec(
            (0..STEP_ACTIONS.len(), 0..ACTORS.len() - 1, 0..4usize),
            0..3,
        ),
        prop::option::of(prop::bool::ANY),
        prop::collection::vec((0..ACTORS.len() - 1,), 0..3),
        prop::sample::select(vec!["AccountKey", "Sas", "None"]),
    )
        .prop_map(|(assigns, denies, shared, members, cred)| {
            let mut t = tenant();
            t.resource_facts = facts(shared);
            for f in &mut t.resource_facts {
                if let Some(d) = &mut f.datastore {
                    d.credentials_type = cred.to_string();
                }
                if let Some(id) = &mut f.identity {
                    id.user_assigned = vec![UserAssignedIdentity {
                        resource_id: UAMI.into(),
                        principal_id: None,
                        client_id: None,
                    }];
                }
            }
            t.assignments = picked_assignments(assigns, ACTORS, SCOPES);
            t.denies = picked_denies(denies, ACTORS, SCOPES);
            t.member_edges = members
                .into_iter()
                .map(|(m,)| edge("g1", ACTORS[m]))
                .collect();
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn who_effective_is_can_effective_for_every_principal(t in arb_tenant(), data in prop::bool::ANY) {
        let alts = if data {
            blob_read(CONTAINER)
        } else {
            action("Microsoft.MachineLearningServices/workspaces/write", WS)
        };
        let ix = Index::new(&t);
        let who = Effective::new(&ix).who(&alts);
        for p in ACTORS.iter().filter(|p| **p != "g1") {
            let can = Effective::new(&ix).of(p, &alts);
            let listed = who.iter().find(|e| e.principal.id == *p);
            prop_assert_eq!(listed, can.as_ref(), "principal {}", p);
            // `can --effective` reads the steps' data only for a principal
            // that may take a step: one that may not has no chain.
            if !super::escalate::may_take_a_step(&ix, p) {
                prop_assert_eq!(can.as_ref(), None, "principal {}", p);
            }
            if let Some(e) = &can {
                // Every step but the last hands over to the next actor.
                for w in e.steps.windows(2) {
                    if w[0].identity.is_some() {
                        prop_assert_eq!(w[0].identity.as_deref(), Some(w[1].actor.as_str()));
                    }
                }
                prop_assert!(e.steps.len() <= super::escalate::MAX_IDENTITY_HOPS + 1);
            }
        }
    }
}

// A wider tenant for the backward search (`Effective::prune`, the shared search
// from the identities first steps reach): two workspaces, three computes (one
// running as the user-assigned identity), a service-principal datastore, and
// nested groups that identities are members of too.

const RG2: &str = "/subscriptions/S1/resourceGroups/RG2";
const WS2: &str =
    "/subscriptions/S1/resourceGroups/RG2/providers/Microsoft.MachineLearningServices/workspaces/w2";
const COMPUTE2: &str = "/subscriptions/S1/resourceGroups/RG2/providers/Microsoft.MachineLearningServices/workspaces/w2/computes/gpu";
const COMPUTE3: &str = "/subscriptions/S1/resourceGroups/RG2/providers/Microsoft.MachineLearningServices/workspaces/w2/computes/uami";
const DS_SP: &str = "/subscriptions/S1/resourceGroups/RG2/providers/Microsoft.MachineLearningServices/workspaces/w2/datastores/spstore";
const WIDE_ACTORS: &[&str] = &[
    "alice", "bob", "carol", "dave", "mi-user", "mi-sys", "mi-2", "sp1", "g1", "g2",
];
const WIDE_SCOPES: &[&str] = &[
    SUB, RG, WS, RG2, WS2, SA, CONTAINER, UAMI, COMPUTE, COMPUTE2, DS, DS_SP,
];

fn wide_facts(shared: Option<bool>, cred: &str) -> Vec<ResourceFacts> {
    let mut f = facts(shared);
    for x in &mut f {
        if let Some(d) = &mut x.datastore {
            d.credentials_type = cred.to_string();
        }
    }
    let compute = |id: &str, identity: ManagedIdentities| ResourceFacts {
        id: id.into(),
        resource_type: "Microsoft.MachineLearningServices/workspaces/computes".into(),
        identity: Some(identity),
        ..Default::default()
    };
    f.push(ResourceFacts {
        id: WS2.into(),
        resource_type: "Microsoft.MachineLearningServices/workspaces".into(),
        ..Default::default()
    });
    f.push(compute(
        COMPUTE2,
        ManagedIdentities {
            system_assigned: Some("mi-2".into()),
            user_assigned: vec![],
        },
    ));
    f.push(compute(
        COMPUTE3,
        ManagedIdentities {
            system_assigned: None,
            user_assigned: vec![UserAssignedIdentity {
                resource_id: UAMI.into(),
                principal_id: None,
                client_id: None,
            }],
        },
    ));
    f.push(datastore(DS_SP, "ServicePrincipal", Some("APP-1")));
    f
}

fn wide_tenant() -> impl Strategy<Value = Tenant> {
    (
        assignment_picks(WIDE_ACTORS.len(), WIDE_SCOPES.len(), 0.1, 16),
        prop::collection::vec(
            (
                0..STEP_ACTIONS.len(),
                0..WIDE_ACTORS.len(),
                0..WIDE_SCOPES.len(),
            ),
            0..3,
        ),
        prop::option::of(prop::bool::ANY),
        prop::collection::vec((0..2usize, 0..WIDE_ACTORS.len()), 0..7),
        prop::sample::select(vec!["AccountKey", "Sas", "None"]),
        // The identities' own steps (so that chains pass through several).
        prop::collection::vec(
            (
                prop::sample::select(vec!["mi-user", "mi-sys", "mi-2", "sp1"]),
                prop::sample::select(vec![
                    "r-jobs",
                    "r-secrets",
                    "r-assign",
                    "r-compute",
                    "r-ra",
                    "r-keys",
                ]),
                prop::sample::select(vec![WS, WS2, RG2, UAMI, DS_SP, SA]),
            ),
            0..6,
        ),
    )
        .prop_map(|(assigns, denies, shared, members, cred, hops)| {
            let mut t = tenant();
            t.principals.extend([
                user("dave"),
                mi("mi-2"),
                Principal {
                    app_id: Some("app-1".into()),
                    kind: PrincipalKind::ServicePrincipal,
                    ..mi("sp1")
                },
                group("g2"),
            ]);
            t.member_lists.push("g2".into());
            t.resource_facts = wide_facts(shared, cred);
            t.assignments = picked_assignments(assigns, WIDE_ACTORS, WIDE_SCOPES);
            for (n, (p, r, s)) in hops.into_iter().enumerate() {
                t.assignments.push(assign(&format!("h{n}"), p, r, s));
            }
            t.denies = picked_denies(denies, WIDE_ACTORS, WIDE_SCOPES);
            t.member_edges = members
                .into_iter()
                .map(|(g, m)| edge(["g1", "g2"][g], WIDE_ACTORS[m]))
                .filter(|e| e.group_id != e.member_id)
                .collect();
            t
        })
}

/// The questions of the wide property: one request, two alternatives, and an
/// alternative of two requests (a key step for one, RBAC or a role for the other).
fn wide_questions() -> Vec<Vec<Vec<ActionReq>>> {
    let ws_write = |scope: &str| ActionReq {
        action: "Microsoft.MachineLearningServices/workspaces/write".into(),
        data: false,
        scope: scope.into(),
    };
    let read = blob_read(CONTAINER).remove(0).remove(0);
    vec![
        blob_read(CONTAINER),
        vec![vec![ws_write(WS)]],
        vec![vec![ws_write(WS2)], vec![read.clone()]],
        vec![vec![read, ws_write(WS)]],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    #[test]
    fn the_backward_search_finds_the_forward_chain(t in wide_tenant()) {
        let ix = Index::new(&t);
        for alts in wide_questions() {
            let who = Effective::new(&ix).who(&alts);
            for e in &who {
                prop_assert!(WIDE_ACTORS.contains(&e.principal.id.as_str()));
                prop_assert!(!e.principal.id.starts_with('g'));
            }
            let mut shared = Effective::new(&ix);
            for p in WIDE_ACTORS {
                // Every RBAC question the search lists is decide's answer.
                for (req, listed, alone) in Effective::new(&ix).asks_against_decide(p, &alts) {
                    prop_assert_eq!(listed, alone, "{} asked {:?}", p, req);
                }
                if p.starts_with('g') {
                    continue;
                }
                // who --effective lists exactly the chains can --effective finds,
                // with one engine for every principal or one each.
                let can = Effective::new(&ix).of(p, &alts);
                prop_assert_eq!(who.iter().find(|e| e.principal.id == *p), can.as_ref(), "principal {}", p);
                if !super::escalate::may_take_a_step(&ix, p) {
                    prop_assert_eq!(can.as_ref(), None, "principal {} (takes no step)", p);
                }
                prop_assert_eq!(&shared.of(p, &alts), &can, "principal {} (shared engine)", p);
                // The same chain as the forward search, step for step.
                let forward = Effective::new(&ix).forward(p, &alts);
                prop_assert_eq!(can.map(|e| e.steps), forward, "principal {}", p);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]
    /// The holders `--effective` notes for each step (`SeedMemo`, per scope
    /// node, remembered across requests) are those `grant_seeds` finds for the
    /// request alone, in the same order.
    #[test]
    fn remembered_seeds_are_grant_seeds(t in arb_tenant()) {
        let ix = Index::new(&t);
        let mut memo = super::query::SeedMemo::default();
        let mut anc = super::decide::Ancestry::default();
        for scope in [WS, COMPUTE, DS, SA, RG, SUB, UAMI, "/"] {
            for a in [
                super::escalate::JOBS_WRITE,
                super::escalate::ROLE_ASSIGNMENTS_WRITE,
                super::escalate::STORAGE_LIST_KEYS,
                BLOB_READ,
            ] {
                let req = ActionReq { action: a.into(), data: a == BLOB_READ, scope: scope.into() };
                let mut first_seen: Vec<String> = Vec::new();
                for h in memo.lists_of(&ix, &req, &mut anc).iter().flat_map(|l| l.iter()) {
                    if !first_seen.contains(h) {
                        first_seen.push(h.clone());
                    }
                }
                let alone = super::query::grant_seeds(&ix, &vec![vec![req]], &mut super::decide::Ancestry::default());
                prop_assert_eq!(first_seen, alone);
            }
        }
    }
}

proptest! {
    /// `workspace_of` finds the workspace path as a plain substring search
    /// would, on any scope text.
    #[test]
    fn workspace_of_equals_the_plain_search(
        head in proptest::collection::vec("(subscriptions|s1|resourceGroups|rg|providers|)", 0..5),
        ws in proptest::bool::ANY,
        tail in proptest::collection::vec("(Microsoft.MachineLearningServices|microsoft.machinelearningservicesx|workspaces|w|computes|)", 0..5),
    ) {
        let ws = if ws { "providers/Microsoft.MachineLearningServices/workspaces" } else { "" };
        let scope = format!("/subscriptions/{}/{ws}/{}", head.join("/"), tail.join("/"));
        let w = super::scope::at_level(&scope, super::scope::Level::Workspace);
        let plain = w
            .contains("/providers/microsoft.machinelearningservices/workspaces/")
            .then_some(w);
        prop_assert_eq!(super::escalate::workspace_of(&scope), plain);
    }
}
