//! `lint`'s escalation findings (issue 15), on the engine's escalation steps
//! ([`crate::engine::escalate`]):
//! - `escalation-to-owner` (high): a principal that holds no role that can change
//!   access at a scope, but can act as an identity that does (submitting jobs to
//!   a compute, assigning a user-assigned identity, a datastore's service
//!   principal).
//! - `keys-give-data` (medium): a storage account that allows Shared Key, where
//!   principals can list or regenerate its keys, or have SAS tokens signed with
//!   them (and so read and write all its data) through RBAC, whatever their data roles. With `--scope`, the accounts
//!   behind the workspaces in scope (linked, or a datastore's) count as in scope.
//! - `compute-identity-exceeds-users` (medium): a compute whose identity holds a
//!   role at a scope that some user who can submit jobs to its workspace does
//!   not hold there (they gain it by submitting a job).

use std::collections::BTreeSet;

use crate::engine::decide::{holders, ActionReq};
use crate::engine::escalate::{
    Effective, JOBS_WRITE, ROLE_ASSIGNMENTS_WRITE, RUNS_SUBMIT, STORAGE_KEY_ACTIONS,
};
use crate::engine::index::Index;
use crate::engine::permissions::is_privileged;
use crate::engine::query;
use crate::model::{key, scope_key};

use super::lint::{Finding, Object, Severity};

/// The kinds of finding this module raises (the review report gives them a
/// section of their own).
pub(crate) const KINDS: [&str; 3] = [
    "escalation-to-owner",
    "keys-give-data",
    "compute-identity-exceeds-users",
];

/// How many principals a message names.
const NAMED: usize = 3;

fn names(ix: &Index, ids: &[String]) -> String {
    let shown: Vec<String> = ids.iter().take(NAMED).map(|p| ix.name_of(p)).collect();
    if ids.len() > shown.len() {
        format!("{} and {} more", shown.join(", "), ids.len() - shown.len())
    } else {
        shown.join(", ")
    }
}

fn principal_objects(ix: &Index, ids: &[String]) -> Vec<Object> {
    ids.iter()
        .take(50)
        .map(|p| Object {
            kind: "principal".into(),
            id: p.clone(),
            name: ix.name_of(p),
        })
        .collect()
}

fn req(ix: &Index, action: &str, scope: &str) -> ActionReq {
    ActionReq {
        action: action.to_string(),
        data: ix.is_data_action(action),
        scope: scope.to_string(),
    }
}

/// Principals (not groups) RBAC lets do one action at one scope. Two ways
/// share work between the many storage accounts and workspaces asked about:
/// scopes alike in what decides the action ([`query::AppliesAt`]) share one
/// answer, and a scope's answer is made from the last one in its subscription
/// ([`query::who_near`]: only the principals below the holders of the two
/// scopes' own assignments are decided again). The answers kept are the last
/// [`RbacWho::KEEP`] (scopes are asked in key order, so neighbours in one
/// subscription meet): a large tenant's answers are tens of thousands of ids.
#[derive(Default)]
struct RbacWho {
    anc: crate::engine::decide::Ancestry,
    answers: std::collections::VecDeque<(QuestionKind, Answered)>,
    near: Option<query::NearBase>,
}

/// A question of [`RbacWho`]: each action, with what decides it at the scope.
type QuestionKind = Vec<(String, query::AppliesAt)>;
/// Its answer: each principal, and whether only under a condition.
type Answered = std::rc::Rc<Vec<(String, bool)>>;

impl RbacWho {
    const KEEP: usize = 16;

    /// Those who can do any one of `actions` at `scope` (one question: each
    /// action an alternative).
    fn who(&mut self, ix: &Index, actions: &[&str], scope: &str) -> Answered {
        let reqs: Vec<ActionReq> = actions.iter().map(|a| req(ix, a, scope)).collect();
        let k: QuestionKind = reqs
            .iter()
            .map(|r| {
                (
                    r.action.clone(),
                    query::applies_at(ix, scope, &r.action, r.data, &mut self.anc),
                )
            })
            .collect();
        if let Some((_, a)) = self.answers.iter().find(|(x, _)| *x == k) {
            return a.clone();
        }
        let alts: Vec<Vec<ActionReq>> = reqs.into_iter().map(|r| vec![r]).collect();
        let subscription = self
            .anc
            .get(ix, scope)
            .0
            .iter()
            .find(|c| crate::engine::scope::kind_of(c) == crate::model::ScopeKind::Subscription)
            .cloned();
        let a: Answered = match subscription {
            Some(sub) => {
                // The last answer made in full serves while the subscription
                // and the actions stay the same.
                let (answer, kept) =
                    query::who_near(ix, &alts, &sub, false, self.near.take(), &mut self.anc);
                self.near = kept;
                std::rc::Rc::new(
                    answer
                        .into_iter()
                        .filter(|(access, _, _)| access.grants())
                        .map(|(access, _, p)| {
                            (p, access == crate::engine::decide::Access::Conditional)
                        })
                        .collect(),
                )
            }
            None => std::rc::Rc::new(
                query::who(ix, &alts, false, false)
                    .answers
                    .into_iter()
                    .filter(|a| a.decision.access.grants())
                    .map(|a| {
                        (
                            a.decision.principal.id,
                            a.decision.access == crate::engine::decide::Access::Conditional,
                        )
                    })
                    .collect(),
            ),
        };
        if self.answers.len() == Self::KEEP {
            self.answers.pop_front();
        }
        self.answers.push_back((k, a.clone()));
        a
    }
}

/// Every escalation finding, for the scopes `relevant` keeps.
pub(crate) fn findings(ix: &Index, relevant: &dyn Fn(&str) -> bool, out: &mut Vec<Finding>) {
    // An account's keys need no record of it: Shared Key is allowed unless its
    // record says otherwise. The identity steps need the resources' facts.
    let mut rbac = RbacWho::default();
    keys_give_data(ix, relevant, &mut rbac, out);
    if ix.facts.is_empty() {
        return;
    }
    escalation_to_owner(ix, relevant, out);
    compute_identity_exceeds_users(ix, relevant, &mut rbac, out);
}

/// Scopes where a privileged role is assigned: where "can change access" is
/// decided.
/// Each scope once however its assignments spell it (SPEC §1: scopes compare
/// case-insensitively), as the first assignment wrote it.
fn privileged_scopes(ix: &Index) -> Vec<String> {
    let mut by_key: std::collections::BTreeMap<String, String> = Default::default();
    for (i, a) in ix.assignments.iter().enumerate() {
        if ix.assignment_role[i].is_some_and(|r| is_privileged(&ix.roles[r].blocks)) {
            by_key
                .entry(ix.assignment_scope[i].clone())
                .or_insert_with(|| a.scope.clone());
        }
    }
    by_key.into_values().collect()
}

fn escalation_to_owner(ix: &Index, relevant: &dyn Fn(&str) -> bool, out: &mut Vec<Finding>) {
    let mut eff = Effective::new(ix);
    // Every chain this finding reports ends with an identity that RBAC itself
    // lets write role assignments at the scope (no step gives that write but a
    // role that has it): where no identity can, there is nothing to search.
    let identities = eff.identities();
    let mut anc = crate::engine::decide::Ancestry::default();
    for scope in privileged_scopes(ix) {
        if !relevant(&scope) {
            continue;
        }
        let alts = vec![vec![req(ix, ROLE_ASSIGNMENTS_WRITE, &scope)]];
        if !identities.iter().any(|i| {
            query::decide_alternatives(ix, i, &alts, false, &mut anc)
                .decision
                .access
                .grants()
        }) {
            continue;
        }
        let es = eff.who(&alts);
        // Only chains through an identity: a grant-role step needs the write
        // itself, so every chain here passes through another principal. One
        // finding per identity and chain of steps, naming who can take it (a
        // cluster's identity is reachable by everyone who can submit jobs).
        let mut groups: Vec<((String, String), Vec<String>)> = Vec::new();
        for e in es {
            let Some(last) = e.steps.iter().rev().find_map(|s| s.identity.as_deref()) else {
                continue;
            };
            let chain = e
                .steps
                .iter()
                .map(|s| format!("{} ({})", s.kind.as_str(), s.needs))
                .collect::<Vec<_>>()
                .join(" → ");
            let k = (last.to_string(), chain);
            match groups.iter_mut().find(|(g, _)| *g == k) {
                Some((_, ps)) => ps.push(e.principal.id.clone()),
                None => groups.push((k, vec![e.principal.id.clone()])),
            }
        }
        for ((last, chain), ps) in groups {
            let mut objects = principal_objects(ix, std::slice::from_ref(&last));
            objects.extend(principal_objects(ix, &ps));
            out.push(Finding {
                severity: Severity::High,
                kind: "escalation-to-owner".into(),
                message: format!(
                    "{} {} no role that can change access at {scope}, but can act as {} ({last}), which can: {chain}: {}",
                    if ps.len() == 1 { "1 principal".to_string() } else { format!("{} principals", ps.len()) },
                    if ps.len() == 1 { "holds" } else { "hold" },
                    ix.name_of(&last),
                    names(ix, &ps),
                ),
                scope: Some(scope.clone()),
                objects,
                principals: ps.len(),
                hint: "remove the step's permission (jobs/write, assign/action, listsecrets) from these principals, or the identity's role assignment; see `whocan who Microsoft.Authorization/roleAssignments/write --scope SCOPE --effective`".into(),
            });
        }
    }
}

/// The data behind the workspaces `relevant` keeps: their linked storage
/// accounts and their datastores' accounts (scope keys). A review of a
/// workspace concerns them too, wherever they are.
fn behind_relevant_workspaces(ix: &Index, relevant: &dyn Fn(&str) -> bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in ix.facts.values() {
        let t = key(&f.resource_type);
        if t == "microsoft.machinelearningservices/workspaces" && relevant(&f.id) {
            out.extend(f.storage_account.as_deref().map(scope_key));
        }
        if t == "microsoft.machinelearningservices/workspaces/datastores" && relevant(&f.id) {
            if let Some((account, _)) = f
                .datastore
                .as_ref()
                .and_then(|d| crate::engine::escalate::datastore_target(ix, d))
            {
                out.insert(scope_key(&account));
            }
        }
    }
    out
}

fn keys_give_data(
    ix: &Index,
    relevant: &dyn Fn(&str) -> bool,
    rbac: &mut RbacWho,
    out: &mut Vec<Finding>,
) {
    let behind = behind_relevant_workspaces(ix, relevant);
    // Every storage account known: with a record of its own (its facts), in the
    // resource inventory, or behind a workspace. Shared Key is allowed unless
    // the account's record says `allowSharedKeyAccess: false` (docs/semantics.md).
    let mut accounts: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (k, f) in &ix.facts {
        if key(&f.resource_type) == "microsoft.storage/storageaccounts" {
            accounts.insert(k, &f.id);
        }
    }
    for (k, id) in &ix.storage_accounts {
        accounts.entry(k).or_insert(id);
    }
    for k in &behind {
        accounts.entry(k).or_insert(k);
    }
    for (k, id) in accounts {
        let f = ix.facts.get(k);
        if f.is_some_and(|f| f.allow_shared_key_access == Some(false))
            || !(relevant(id) || behind.contains(k))
        {
            continue;
        }
        let answered = rbac.who(ix, &STORAGE_KEY_ACTIONS, k);
        let ps: BTreeSet<String> = answered.iter().map(|(p, _)| p.clone()).collect();
        if ps.is_empty() {
            continue;
        }
        let ps: Vec<String> = ps.into_iter().collect();
        let conditional = answered.iter().filter(|(_, c)| *c).count();
        out.push(Finding {
            severity: Severity::Medium,
            kind: "keys-give-data".into(),
            message: format!(
                "storage account {} allows Shared Key: {} can list or regenerate its keys or have a SAS signed with them, and so read and write all its data, whatever their data roles: {}{}",
                id.rsplit('/').next().unwrap_or(id),
                if ps.len() == 1 { "1 principal".to_string() } else { format!("{} principals", ps.len()) },
                names(ix, &ps),
                match conditional {
                    0 => String::new(),
                    n => format!(" ({n} of them only under a condition, not evaluated)"),
                }
            ),
            scope: Some(id.to_string()),
            objects: principal_objects(ix, &ps),
            principals: ps.len(),
            hint: "set allowSharedKeyAccess to false on the account (Microsoft Entra authorization only), or remove listKeys from these principals' roles".into(),
        });
    }
}

fn compute_identity_exceeds_users(
    ix: &Index,
    relevant: &dyn Fn(&str) -> bool,
    rbac: &mut RbacWho,
    out: &mut Vec<Finding>,
) {
    let operations: Vec<(String, bool)> = ix
        .operations
        .iter()
        .map(|o| (o.name.to_ascii_lowercase(), o.is_data_action))
        .collect();
    // Whether role `q` gives all that role `r` gives, each pair decided once.
    let memo: std::cell::RefCell<std::collections::HashMap<(usize, usize), bool>> =
        Default::default();
    let covers = |q: usize, r: usize| {
        q == r
            || *memo.borrow_mut().entry((q, r)).or_insert_with(|| {
                crate::engine::permissions::role_covers(
                    &ix.roles[q].blocks,
                    &ix.roles[r].blocks,
                    operations.iter().map(|(n, d)| (n.as_str(), *d)),
                )
            })
    };
    for f in ix.facts.values() {
        if key(&f.resource_type) != "microsoft.machinelearningservices/workspaces/computes"
            || !relevant(&f.id)
        {
            continue;
        }
        let Some(identity) = &f.identity else {
            continue;
        };
        let Some(ws) = crate::engine::escalate::workspace_of(&f.id) else {
            continue;
        };
        let mut ids: Vec<String> = identity.system_assigned.iter().map(|p| key(p)).collect();
        for u in &identity.user_assigned {
            let p = u.principal_id.as_deref().map(key).or_else(|| {
                ix.facts
                    .get(&scope_key(&u.resource_id))
                    .and_then(|x| x.principal_id.as_deref())
                    .map(key)
            });
            ids.extend(p);
        }
        let submitters: BTreeSet<String> = rbac
            .who(ix, &[JOBS_WRITE, RUNS_SUBMIT], &ws)
            .iter()
            .map(|(p, _)| p.clone())
            .collect();
        if submitters.is_empty() {
            continue;
        }
        for id in ids {
            // The identity's roles: its own assignments and its groups' (SPEC
            // §2.1), each once, in force at the snapshot's time.
            let mut held: Vec<usize> = Vec::new();
            for h in holders(ix, &id) {
                for &ai in ix.assignments_by_holder.get(&h.id).into_iter().flatten() {
                    if ix.assignment_in_force(ai) && !held.contains(&ai) {
                        held.push(ai);
                    }
                }
            }
            let others: Vec<&String> = submitters.iter().filter(|p| **p != id).collect();
            for ai in held {
                let a = &ix.assignments[ai];
                let Some(role) = ix.assignment_role[ai] else {
                    continue;
                };
                let above: BTreeSet<String> = ix.tree.ancestors(&a.scope).into_iter().collect();
                // A user holds it there when one of their roles at or above the
                // scope gives all that this role gives (the same role, or a
                // wider one: Owner for Contributor).
                let lacking: Vec<String> = others
                    .iter()
                    .filter(|p| {
                        !holders(ix, p).iter().any(|h| {
                            ix.assignments_by_holder
                                .get(&h.id)
                                .into_iter()
                                .flatten()
                                .any(|&bi| {
                                    above.contains(&ix.assignment_scope[bi])
                                        && ix.assignment_in_force(bi)
                                        && ix.assignment_role[bi].is_some_and(|q| covers(q, role))
                                })
                        })
                    })
                    .map(|p| p.to_string())
                    .collect();
                if lacking.is_empty() {
                    continue;
                }
                out.push(Finding {
                    severity: Severity::Medium,
                    kind: "compute-identity-exceeds-users".into(),
                    message: format!(
                        "compute {} runs as {}, which holds {} at {}; {} of the {} who can submit jobs to its workspace do not, and gain it by submitting a job: {}",
                        f.id.rsplit('/').next().unwrap_or(&f.id),
                        ix.name_of(&id),
                        ix.roles[role].def.role_name,
                        a.scope,
                        lacking.len(),
                        others.len(),
                        names(ix, &lacking)
                    ),
                    scope: Some(f.id.clone()),
                    objects: principal_objects(ix, &lacking),
                    principals: lacking.len(),
                    hint: "give the compute an identity with no more access than its users need, or limit who can submit jobs (workspaces/jobs/write)".into(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::{assign, WS};
    use crate::engine::tests_escalate::{deny_on, facts, tenant, COMPUTE, SA};

    fn kinds(t: &crate::model::Tenant) -> Vec<(String, String)> {
        let ix = Index::new(t);
        let mut out = Vec::new();
        findings(&ix, &|_| true, &mut out);
        out.into_iter().map(|f| (f.kind, f.message)).collect()
    }

    #[test]
    fn a_job_submitter_reaching_an_owner_identity_is_an_escalation_to_owner() {
        let mut t = tenant();
        t.assignments = vec![
            assign("a1", "carol", "r-jobs", WS),
            assign("a2", "mi-sys", "r-owner", crate::engine::fixtures::RG),
        ];
        let f = kinds(&t);
        assert!(
            f.iter().any(|(k, m)| k == "escalation-to-owner"
                && m.contains("User carol")
                && m.contains("MI mi-sys")),
            "{f:?}"
        );
        // The compute's identity holds more than carol too.
        assert!(
            f.iter()
                .any(|(k, m)| k == "compute-identity-exceeds-users" && m.contains("Owner Like")),
            "{f:?}"
        );
        // A deny on jobs/write: no escalation finding.
        t.denies = vec![deny_on(
            "Microsoft.MachineLearningServices/workspaces/jobs/write",
            "carol",
            WS,
        )];
        let f = kinds(&t);
        assert!(!f.iter().any(|(k, _)| k == "escalation-to-owner"), "{f:?}");
    }

    #[test]
    fn key_listers_are_found_only_where_shared_key_is_allowed() {
        let mut t = tenant();
        t.assignments = vec![assign("a1", "bob", "r-keys", SA)];
        let f = kinds(&t);
        assert!(
            f.iter().any(|(k, m)| k == "keys-give-data"
                && m.contains("acct1")
                && m.contains("User bob")),
            "{f:?}"
        );
        t.resource_facts = facts(Some(false));
        assert!(!kinds(&t).iter().any(|(k, _)| k == "keys-give-data"));
        // A conditional grant is named as such.
        t.resource_facts = facts(None);
        t.assignments[0].condition = Some("@Resource[x] == 'y'".into());
        let f = kinds(&t);
        assert!(
            f.iter().any(|(k, m)| k == "keys-give-data"
                && m.contains("(1 of them only under a condition, not evaluated)")),
            "{f:?}"
        );
    }

    #[test]
    fn an_identity_no_stronger_than_its_users_raises_nothing() {
        let mut t = tenant();
        t.assignments = vec![
            assign("a1", "carol", "r-jobs", WS),
            assign("a2", "carol", "r-blob", SA),
            assign("a3", "mi-sys", "r-blob", SA),
        ];
        let f = kinds(&t);
        assert!(
            !f.iter().any(|(k, _)| k == "compute-identity-exceeds-users"),
            "{f:?}"
        );
        let _ = COMPUTE;
    }

    #[test]
    fn a_user_whose_wider_role_covers_the_identitys_raises_nothing() {
        let mut t = tenant();
        t.roles.push(crate::engine::tests_escalate::role(
            "r-contrib",
            "Contributor Like",
            &["*"],
            &[],
        ));
        t.roles.last_mut().unwrap().permissions[0].not_actions =
            vec!["Microsoft.Authorization/*/Write".into()];
        // carol submits jobs and holds Owner-like at the subscription; the
        // compute's identity holds Contributor-like at the resource group.
        t.assignments = vec![
            assign("a1", "carol", "r-jobs", WS),
            assign("a2", "carol", "r-owner", crate::engine::fixtures::SUB),
            assign("a3", "mi-sys", "r-contrib", crate::engine::fixtures::RG),
        ];
        let cie = |t: &crate::model::Tenant| {
            kinds(t)
                .into_iter()
                .filter(|(k, _)| k == "compute-identity-exceeds-users")
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
        };
        assert!(cie(&t).is_empty(), "{:?}", cie(&t));
        // The reverse does not cover: a Contributor-like user lacks the Owner-like identity's role.
        t.assignments[1].role_definition_id = "r-contrib".into();
        t.assignments[2].role_definition_id = "r-owner".into();
        assert_eq!(cie(&t).len(), 1, "{:?}", cie(&t));
    }

    #[test]
    fn an_identitys_role_through_a_group_counts() {
        let mut t = tenant();
        t.member_edges = vec![crate::model::MemberEdge {
            group_id: "g1".into(),
            member_id: "mi-sys".into(),
            member_kind: None,
        }];
        t.assignments = vec![
            assign("a1", "carol", "r-jobs", WS),
            assign("a2", "g1", "r-owner", crate::engine::fixtures::RG),
        ];
        let f = kinds(&t);
        let m: Vec<&String> = f
            .iter()
            .filter(|(k, _)| k == "compute-identity-exceeds-users")
            .map(|(_, m)| m)
            .collect();
        assert_eq!(m.len(), 1, "{f:?}");
        assert!(
            m[0].contains("holds Owner Like") && m[0].contains("1 of the 1 who"),
            "{m:?}"
        );
    }

    #[test]
    fn one_scope_spelled_two_ways_is_one_escalation() {
        let mut t = tenant();
        t.assignments = vec![
            assign("a1", "carol", "r-jobs", WS),
            assign("a2", "mi-sys", "r-owner", crate::engine::fixtures::RG),
            assign(
                "a3",
                "bob",
                "r-owner",
                &crate::engine::fixtures::RG.to_uppercase(),
            ),
        ];
        let n = kinds(&t)
            .iter()
            .filter(|(k, m)| k == "escalation-to-owner" && m.contains("User carol"))
            .count();
        // At the resource group (either spelling), once; the subscription holds none.
        assert_eq!(n, 1);
    }
}
