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
//! (`below`). A deny at a scope below S blocks only that part of S's subtree: the
//! place stays as decided at S and lists it (`denied_below`, decided at the
//! deny's own scope).
//!
//! Pure: candidates come from [`query::candidates`] (the holders of granting
//! assignments, expanded down through the one membership walk), each decision
//! from [`decide`], the precedence of results from [`decide::action_access`] and
//! [`decide::combine`].

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use crate::model::{key, scope_key};

use super::decide::{
    self, decide, Access, ActionDecision, ActionReq, Ancestry, DenyHit, Incomplete, PrincipalInfo,
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
    /// Where the place's access (or `below`) is allowed or conditional: the deny
    /// assignments held below it that block the principal there (each decided at
    /// its own scope).
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
#[cfg(test)]
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
/// where a granting role is assigned, or a role is eligible, in the slice),
/// sorted by access, then display name.
#[cfg(test)]
pub fn anywhere(ix: &Index, alts: &Alternatives, include_groups: bool) -> AnywhereAnswer {
    let mut principals: Vec<Somewhere> = Vec::new();
    let incomplete = anywhere_each(ix, alts, include_groups, |s| principals.push(s));
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

/// [`anywhere`], one principal at a time in display-name order (those that can
/// do nothing anywhere left out), so that a caller can print each as it comes:
/// memory stays bounded by the data, not by the size of the answer (a
/// tenant-wide answer can list every principal at dozens of places). Returns
/// what the answer could not see.
pub fn anywhere_each(
    ix: &Index,
    alts: &Alternatives,
    include_groups: bool,
    mut each: impl FnMut(Somewhere),
) -> Vec<Incomplete> {
    let Some(reqs) = alts.first() else {
        return Vec::new();
    };
    let (candidates, incomplete) = query::candidates(ix, alts, include_groups);
    let mut anc = Ancestry::default();
    let mut grants_cache: HashMap<usize, bool> = HashMap::default();
    // Per place, the scopes strictly below it that hold a deny assignment (few).
    let mut deny_scopes_below: HashMap<String, Vec<String>> = HashMap::default();
    for p in &candidates {
        let places = granting_scopes(ix, p, reqs, &mut grants_cache);
        // One decision over every place and every deny scope below one: the
        // principal's holders are walked once.
        let mut scopes: Vec<String> = places.iter().cloned().collect();
        for s in &places {
            let below = deny_scopes_below
                .entry(s.clone())
                .or_insert_with(|| deny_scopes_under(ix, s));
            scopes.extend(below.iter().cloned());
        }
        scopes.sort();
        scopes.dedup();
        let at: Vec<ActionReq> = scopes
            .iter()
            .flat_map(|s| {
                reqs.iter().map(move |r| ActionReq {
                    scope: s.clone(),
                    ..r.clone()
                })
            })
            .collect();
        let decision = decide(ix, p, &at, false, &mut anc);
        let n = reqs.len();
        let at_scope = |s: &str| -> &[ActionDecision] {
            let i = scopes.binary_search_by(|x| x.as_str().cmp(s)).unwrap_or(0);
            &decision.actions[i * n..(i + 1) * n]
        };
        let mut found = Vec::new();
        for s in &places {
            let Some(mut place) = place(ix, at_scope(s).to_vec(), s) else {
                continue;
            };
            if place.best().grants() {
                place.denied_below = denied_below(&deny_scopes_below[s], at_scope);
            }
            found.push(place);
        }
        let Some(access) = found.iter().map(Place::best).min() else {
            continue;
        };
        if access == Access::None {
            continue;
        }
        each(Somewhere {
            principal: decision.principal,
            access,
            places: found,
        });
    }
    incomplete
}

/// The decision at `scope` (its actions, each decided there) as a place, keeping
/// only what is held at `scope`; None when nothing granting is held there in
/// force (an assignment out of its window) or the result is `none`.
fn place(ix: &Index, mut actions: Vec<ActionDecision>, scope: &str) -> Option<Place> {
    let k = scope_key(scope);
    let here = |s: &str| scope_key(s) == k;
    let access = decide::combine(&actions.iter().map(|a| a.access).collect::<Vec<_>>());
    let held = actions
        .iter()
        .any(|a| a.grants.iter().any(|g| here(&g.assignment_scope)))
        || actions
            .iter()
            .any(|a| a.eligible.iter().any(|e| here(&e.assignment_scope)));
    if !held || access == Access::None {
        return None;
    }
    // Denied here only by denies that do not reach below: what holds below.
    let below = (access == Access::Denied
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
        access,
        below,
        actions,
        denied_below: Vec::new(),
    })
}

/// The scopes strictly below `scope` (a key) where deny assignments are held, in
/// key order.
fn deny_scopes_under(ix: &Index, scope: &str) -> Vec<String> {
    let mut below: Vec<String> = ix
        .denies_by_scope
        .keys()
        .filter(|d| ix.tree.is_below(d, scope))
        .cloned()
        .collect();
    below.sort();
    below
}

/// The deny assignments held at `below` (scopes strictly below a place, from
/// [`deny_scopes_under`]) that block the principal there, from its decisions at
/// those scopes (`at_scope`).
fn denied_below<'a>(
    below: &[String],
    at_scope: impl Fn(&str) -> &'a [ActionDecision],
) -> Vec<DenyHit> {
    let mut out: Vec<DenyHit> = Vec::new();
    for d in below {
        for hit in at_scope(d).iter().flat_map(|a| &a.denies) {
            if scope_key(&hit.deny_scope) == *d
                && !out
                    .iter()
                    .any(|h| h.deny_assignment_id == hit.deny_assignment_id)
            {
                out.push(hit.clone());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::{assign, edge, group, user, RG, SUB, WS};
    use crate::model::{DenyAssignment, DenyPrincipal, PermissionBlock, RoleDefinition, Tenant};

    const DEL: &str = "Microsoft.MachineLearningServices/workspaces/delete";

    fn owner() -> RoleDefinition {
        RoleDefinition {
            id: "r-owner".into(),
            role_name: "Owner".into(),
            role_type: "BuiltInRole".into(),
            description: String::new(),
            permissions: vec![PermissionBlock {
                actions: vec!["*".into()],
                ..Default::default()
            }],
            assignable_scopes: vec!["/".into()],
        }
    }

    fn deny(id: &str, scope: &str, who: &str, child_scopes: bool) -> DenyAssignment {
        DenyAssignment {
            id: id.into(),
            name: id.into(),
            scope: scope.into(),
            permissions: vec![PermissionBlock {
                actions: vec![DEL.into()],
                ..Default::default()
            }],
            principals: vec![DenyPrincipal {
                id: who.into(),
                kind: "User".into(),
            }],
            exclude_principals: Vec::new(),
            do_not_apply_to_child_scopes: child_scopes,
            condition: None,
            effect: None,
        }
    }

    fn answer(t: &Tenant) -> AnywhereAnswer {
        let ix = Index::new(t);
        let reqs = [ActionReq {
            action: DEL.into(),
            data: false,
            scope: "/".into(),
        }];
        let places: Vec<String> = ix.assignment_scope.clone();
        anywhere(&ix, &alternatives(&reqs, &places), false)
    }

    fn of<'a>(a: &'a AnywhereAnswer, id: &str) -> &'a Somewhere {
        a.principals
            .iter()
            .find(|s| s.principal.id == id)
            .unwrap_or_else(|| panic!("{id} not in the answer"))
    }

    fn tenant() -> Tenant {
        Tenant {
            principals: vec![user("u1"), user("u2"), group("g1")],
            member_edges: vec![edge("g1", "u2")],
            member_lists: vec!["g1".into()],
            roles: vec![owner()],
            assignments: vec![
                assign("a1", "u1", "r-owner", SUB),
                assign("a2", "g1", "r-owner", WS),
            ],
            ..Tenant::default()
        }
    }

    #[test]
    fn places_are_the_assignment_scopes_held_directly_or_through_a_group() {
        let a = answer(&tenant());
        let got: Vec<(String, String, Access)> = a
            .principals
            .iter()
            .flat_map(|s| {
                s.places
                    .iter()
                    .map(|p| (s.principal.id.clone(), p.scope.clone(), p.access))
            })
            .collect();
        assert_eq!(
            got,
            [
                ("u1".to_string(), SUB.to_string(), Access::Allowed),
                ("u2".to_string(), WS.to_string(), Access::Allowed),
            ]
        );
        // The group's grant comes with its chain.
        assert_eq!(
            a.principals[1].places[0].actions[0].grants[0].via[0].id,
            "g1"
        );
    }

    #[test]
    fn a_deny_below_a_place_is_listed_and_one_at_it_decides_it() {
        let mut t = tenant();
        t.denies.push(deny("d-ws", WS, "u1", false));
        let a = answer(&t);
        let u1 = of(&a, "u1");
        assert_eq!(u1.access, Access::Allowed);
        assert_eq!(u1.places[0].denied_below[0].deny_assignment_id, "d-ws");

        // At the place itself, and to its children: denied there.
        let mut t = tenant();
        t.denies.push(deny("d-sub", SUB, "u1", false));
        let a = answer(&t);
        assert_eq!(of(&a, "u1").access, Access::Denied);
        assert_eq!(of(&a, "u1").places[0].below, None);
        // Sorted by access: allowed before denied.
        assert_eq!(a.principals[0].principal.id, "u2");
    }

    #[test]
    fn a_deny_at_the_place_alone_leaves_what_is_below() {
        let mut t = tenant();
        t.denies.push(deny("d-sub", SUB, "u1", true));
        let a = answer(&t);
        let place = &of(&a, "u1").places[0];
        assert_eq!(place.access, Access::Denied);
        assert_eq!(place.below, Some(Access::Allowed));
        // Allowed somewhere (just below the subscription): listed as allowed.
        assert_eq!(of(&a, "u1").access, Access::Allowed);
        // A deny at a resource group below that does reach its children is listed.
        t.denies.push(deny("d-rg", RG, "u1", false));
        let a = answer(&t);
        assert_eq!(
            of(&a, "u1").places[0].denied_below[0].deny_assignment_id,
            "d-rg"
        );
    }
}
