//! `who --anywhere ACTION...`: every principal that can do the actions at some
//! scope of the tenant, and where.
//!
//! An assignment at scope S grants at S and at every scope below it, so the
//! places where a principal can do an action are the scopes of the assignments
//! (and eligibilities) that grant it, held by the principal or a group it is in,
//! and everything below them. "Where" is therefore those assignment scopes, each
//! decided at S by [`decide`] (so a deny assignment that applies at S, at S or
//! above, blocks it there: `denied`). A deny assignment at S that does not apply
//! to child scopes blocks only S itself: the answer says what holds just below S
//! (`below`). A deny at a scope below S blocks only that part of S's subtree and
//! is not reported here: ask `who ACTION --scope` there.
//!
//! Pure: candidates come from [`query::candidates`] (the holders of granting
//! assignments, expanded down through the one membership walk), each decision
//! from [`decide`], the precedence of results from [`decide::action_access`] and
//! [`decide::combine`].

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use crate::model::{key, scope_key};

use super::decide::{
    self, decide, Access, ActionDecision, ActionReq, Ancestry, Decision, DenyHit, Incomplete,
    PrincipalInfo,
};
use super::permissions::blocks_grant;
use super::query::{self, Alternatives};
use super::Index;

/// One scope where a principal holds a role (or an eligibility) that grants an
/// asked action, with the decision there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The assignment scope, as the first granting assignment spells it.
    pub(crate) scope: String,
    /// The combined result at the scope (SPEC §2.9).
    pub(crate) access: Access,
    /// Denied at the scope only by deny assignments that do not apply to child
    /// scopes: the result just below it. None otherwise.
    pub(crate) below: Option<Access>,
    /// Per asked action: the grants, eligibilities and denies of the decision at
    /// the scope, restricted to grants and eligibilities held *at* it (those held
    /// above make their own places).
    pub(crate) actions: Vec<ActionDecision>,
    /// Where the place's access is allowed or conditional: the scopes below it
    /// where a deny assignment held there blocks the principal (decided there).
    pub(crate) denied_below: Vec<DenyHit>,
}

impl Place {
    /// What the principal can do here or just below: `below` when set.
    pub(crate) fn best(&self) -> Access {
        self.below.unwrap_or(self.access).min(self.access)
    }
}

/// A principal that can do the actions somewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Somewhere {
    pub(crate) principal: PrincipalInfo,
    /// The best result over its places (a place denied only at itself counts what
    /// holds below it).
    pub(crate) access: Access,
    /// By scope key.
    pub(crate) places: Vec<Place>,
}

/// The answer: principals by access, then display name; what it could not see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnywhereAnswer {
    pub(crate) principals: Vec<Somewhere>,
    pub(crate) incomplete: Vec<Incomplete>,
}

/// The record keys of the roles that grant at least one of `reqs`' actions by the
/// block rule (SPEC §2.3): the roles whose assignments the store must read.
pub fn granting_roles(roles: &[crate::model::RoleDefinition], reqs: &[ActionReq]) -> Vec<String> {
    roles
        .iter()
        .filter(|r| {
            let blocks: Vec<_> = r
                .permissions
                .iter()
                .map(super::permissions::Block::compile)
                .collect();
            reqs.iter()
                .any(|q| blocks_grant(&blocks, &key(q.action.trim()), q.data))
        })
        .map(|r| r.record_key())
        .collect()
}

/// One alternative per scope: the asked actions at each of `scopes`.
pub fn alternatives(reqs: &[ActionReq], scopes: &[String]) -> Alternatives {
    scopes
        .iter()
        .map(|s| {
            reqs.iter()
                .map(|r| ActionReq {
                    scope: s.clone(),
                    ..r.clone()
                })
                .collect()
        })
        .collect()
}

/// The answer over `alts` (from [`alternatives`]: the actions at every scope
/// where a granting role is assigned, or a role is eligible, in the slice).
pub fn anywhere(ix: &Index, alts: &Alternatives, include_groups: bool) -> AnywhereAnswer {
    let Some(reqs) = alts.first() else {
        return AnywhereAnswer {
            principals: Vec::new(),
            incomplete: Vec::new(),
        };
    };
    let (candidates, incomplete) = query::candidates(ix, alts, include_groups);
    let mut anc = Ancestry::default();
    let mut grants_cache: HashMap<usize, bool> = HashMap::default();
    let mut principals: Vec<Somewhere> = Vec::new();
    for p in &candidates {
        let mut places = Vec::new();
        for s in granting_scopes(ix, p, reqs, &mut grants_cache) {
            let at: Vec<ActionReq> = reqs
                .iter()
                .map(|r| ActionReq {
                    scope: s.clone(),
                    ..r.clone()
                })
                .collect();
            if let Some(mut place) = place(ix, decide(ix, p, &at, false, &mut anc), &s) {
                if place.access.grants() {
                    place.denied_below = denied_below(ix, p, reqs, &s, &mut anc);
                }
                places.push(place);
            }
        }
        let Some(access) = places.iter().map(Place::best).min() else {
            continue;
        };
        if access == Access::None {
            continue;
        }
        principals.push(Somewhere {
            principal: decide::principal_info(ix, p),
            access,
            places,
        });
    }
    principals.sort_by_cached_key(|s| {
        (
            s.access,
            s.principal.display_name.to_lowercase(),
            s.principal.id.clone(),
        )
    });
    AnywhereAnswer {
        principals,
        incomplete,
    }
}

/// The decision at `scope` as a place, keeping only what is held at `scope`;
/// None when nothing granting is held there in force (an assignment out of its
/// window) or the result is `none`.
fn place(ix: &Index, d: Decision, scope: &str) -> Option<Place> {
    let k = scope_key(scope);
    let here = |s: &str| scope_key(s) == k;
    let mut actions = d.actions;
    let held = actions
        .iter()
        .any(|a| a.grants.iter().any(|g| here(&g.assignment_scope)))
        || actions
            .iter()
            .any(|a| a.eligible.iter().any(|e| here(&e.assignment_scope)));
    if !held || d.access == Access::None {
        return None;
    }
    // Denied here only by denies that do not reach below: what holds below.
    let below = (d.access == Access::Denied
        && actions.iter().flat_map(|a| &a.denies).all(|h| {
            here(&h.deny_scope)
                && ix
                    .denies
                    .iter()
                    .find(|x| x.def.id == h.deny_assignment_id)
                    .is_some_and(|x| x.def.do_not_apply_to_child_scopes)
        }))
    .then(|| {
        let each: Vec<Access> = actions
            .iter()
            .map(|a| decide::action_access(&a.grants, false, !a.eligible.is_empty()))
            .collect();
        decide::combine(&each)
    });
    for a in &mut actions {
        a.grants.retain(|g| here(&g.assignment_scope));
        a.eligible.retain(|e| here(&e.assignment_scope));
    }
    let spelled = actions
        .iter()
        .flat_map(|a| {
            a.grants
                .iter()
                .map(|g| &g.assignment_scope)
                .chain(a.eligible.iter().map(|e| &e.assignment_scope))
        })
        .next()
        .cloned()
        .unwrap_or_else(|| scope.to_string());
    Some(Place {
        scope: spelled,
        access: d.access,
        below,
        actions,
        denied_below: Vec::new(),
    })
}

/// The deny assignments held strictly below `scope` that block `principal` there
/// (each decided at its own scope, by [`decide`]), by scope.
fn denied_below(
    ix: &Index,
    principal: &str,
    reqs: &[ActionReq],
    scope: &str,
    anc: &mut Ancestry,
) -> Vec<DenyHit> {
    let k = scope_key(scope);
    let mut below: Vec<&String> = ix
        .denies_by_scope
        .keys()
        .filter(|d| **d != k && ix.tree.is_below(d, &k))
        .collect();
    below.sort();
    let mut out: Vec<DenyHit> = Vec::new();
    for d in below {
        let at: Vec<ActionReq> = reqs
            .iter()
            .map(|r| ActionReq {
                scope: d.clone(),
                ..r.clone()
            })
            .collect();
        let decision = decide(ix, principal, &at, false, anc);
        for hit in decision.actions.into_iter().flat_map(|a| a.denies) {
            if scope_key(&hit.deny_scope) == *d
                && !out
                    .iter()
                    .any(|h| h.deny_assignment_id == hit.deny_assignment_id)
            {
                out.push(hit);
            }
        }
    }
    out
}

/// Does role `ri` grant one of `reqs`' actions (the block rule), cached per role?
fn role_grants(
    ix: &Index,
    ri: Option<usize>,
    reqs: &[ActionReq],
    cache: &mut HashMap<usize, bool>,
) -> bool {
    let Some(ri) = ri else { return false };
    *cache.entry(ri).or_insert_with(|| {
        reqs.iter()
            .any(|q| blocks_grant(&ix.roles[ri].blocks, &key(q.action.trim()), q.data))
    })
}

/// The scope keys of the assignments and eligibilities, held by `principal` or a
/// group it is in (or, PIM for Groups, by a group it may join or one above it),
/// whose role grants one of `reqs`' actions; in key order.
fn granting_scopes(
    ix: &Index,
    principal: &str,
    reqs: &[ActionReq],
    cache: &mut HashMap<usize, bool>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let assigned_to = |h: &str, out: &mut BTreeSet<String>, cache: &mut HashMap<usize, bool>| {
        for &ai in ix.assignments_by_holder.get(h).into_iter().flatten() {
            if role_grants(ix, ix.assignment_role[ai], reqs, cache) {
                out.insert(ix.assignment_scope[ai].clone());
            }
        }
    };
    for h in decide::holders(ix, principal) {
        assigned_to(&h.id, &mut out, cache);
        for &ei in ix.eligibilities_by_holder.get(&h.id).into_iter().flatten() {
            if role_grants(ix, ix.eligibility_role[ei], reqs, cache) {
                out.insert(ix.eligibility_scope[ei].clone());
            }
        }
        for &gi in ix.eligible_groups_of.get(&h.id).into_iter().flatten() {
            let g = key(&ix.group_eligibilities[gi].group_id);
            for gh in decide::holders(ix, &g) {
                assigned_to(&gh.id, &mut out, cache);
            }
        }
    }
    out
}
