//! The questions: `who` (every principal), `can` (one principal), `what` (every
//! catalogue operation for one principal). `who` gathers candidates downward from the
//! holders of assignments that could matter and then asks [`decide`] for each, so a
//! principal is in `who` exactly when `can` says yes.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;

use crate::model::{key, scope_key};

use super::decide::{decide, Access, ActionReq, Ancestry, Decision, Incomplete, IncompleteReason};
use super::index::Index;
use super::permissions::blocks_grant;
use super::walk::Reached;

/// Alternatives: the principal needs every request of at least one alternative.
pub type Alternatives = Vec<Vec<ActionReq>>;

/// The best decision over alternatives (allowed › conditional › denied › eligible › none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub decision: Decision,
    /// Which alternative the decision is for.
    pub(crate) alternative: usize,
}

pub fn decide_alternatives(
    ix: &Index,
    principal: &str,
    alts: &Alternatives,
    explain: bool,
    anc: &mut Ancestry,
) -> Answer {
    let mut best: Option<Answer> = None;
    for (i, reqs) in alts.iter().enumerate() {
        let d = decide(ix, principal, reqs, explain, anc);
        if best.as_ref().is_none_or(|b| d.access < b.decision.access) {
            best = Some(Answer {
                decision: d,
                alternative: i,
            });
        }
    }
    best.unwrap_or_else(|| Answer {
        decision: decide(ix, principal, &[], explain, anc),
        alternative: 0,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoAnswer {
    /// Every candidate whose answer is not `none`, sorted by access then name.
    pub answers: Vec<Answer>,
    pub incomplete: Vec<Incomplete>,
}

/// Does any block of role `ri` grant any of the asked actions (lowercase, with
/// their plane)? (Used to pick candidates; the decision is made later.) Each
/// role is asked once per question ([`grant_seeds`] keeps the answer), so its
/// block matches are not kept in an [`Ancestry`]: for `what` (every catalogue
/// operation) they would be one entry per role and operation, most never asked
/// again.
fn role_touches(ix: &Index, ri: usize, actions: &BTreeSet<(String, bool)>) -> bool {
    blocks_touch(&ix.roles[ri].blocks, actions)
}

/// [`role_touches`] on a role's compiled blocks.
fn blocks_touch(blocks: &[super::permissions::Block], actions: &BTreeSet<(String, bool)>) -> bool {
    // An action a block grants matches one of its granting patterns, so it
    // starts with that pattern's literal prefix: only the asked actions under
    // each prefix are tried (asked every catalogue operation, `what`, a role of
    // `Microsoft.MachineLearningServices/workspaces/computes/*` tries the
    // compute operations, not all of them).
    blocks
        .iter()
        .flat_map(|b| b.actions.iter().chain(&b.data_actions))
        .any(|p| {
            let prefix = p.literal_prefix();
            actions
                .range((prefix.to_string(), false)..)
                .take_while(|(a, _)| a.starts_with(prefix))
                .any(|(a, data)| blocks_grant(blocks, a, *data))
        })
}

/// The asked actions (lowercase, with their plane) and the asked scopes (keys) of
/// every alternative.
fn asked(alts: &Alternatives) -> (BTreeSet<(String, bool)>, BTreeSet<String>) {
    let reqs = || alts.iter().flatten();
    (
        reqs().map(|r| (key(r.action.trim()), r.data)).collect(),
        reqs().map(|r| scope_key(&r.scope)).collect(),
    )
}

/// Holders of assignments or eligibilities at or above any asked scope whose role
/// grants at least one asked action: every principal `who` lists is one of them or
/// a member of one, transitively.
pub(crate) fn grant_seeds(ix: &Index, alts: &Alternatives, anc: &mut Ancestry) -> Vec<String> {
    let (actions, scopes) = asked(alts);
    let mut touches: rustc_hash::FxHashMap<usize, bool> = Default::default();
    let mut seeds = FirstSeen::default();
    for s in &scopes {
        for c in &anc.get(ix, s).0 {
            seeds.extend(holders_at(ix, c, &actions, &mut touches));
        }
    }
    seeds.list
}

/// [`grant_seeds`] of one request at a time, keeping what each (action, scope
/// node) gave: the steps of `--effective` ask one action at each of thousands
/// of computes, datastores and identities, whose ancestors (subscriptions,
/// management groups, the root) they mostly share, so each ancestor's
/// assignments are read once per action, not once per request.
#[derive(Default)]
pub(crate) struct SeedMemo {
    /// Action (lowercase) and plane → role → [`role_touches`].
    touches: rustc_hash::FxHashMap<(String, bool), rustc_hash::FxHashMap<usize, bool>>,
    /// (action, plane, scope node) → [`holders_at`].
    at: rustc_hash::FxHashMap<(String, bool, String), std::rc::Rc<[String]>>,
}

impl SeedMemo {
    /// The holders of [`grant_seeds`] for one request, as one list per scope
    /// node of its chain, nearest first: a holder may be in several lists,
    /// and the holders of `grant_seeds(ix, &vec![vec![req.clone()]], anc)` are
    /// their concatenation, each at its first place.
    pub(crate) fn lists_of(
        &mut self,
        ix: &Index,
        req: &ActionReq,
        anc: &mut Ancestry,
    ) -> Vec<std::rc::Rc<[String]>> {
        let action = (key(req.action.trim()), req.data);
        let actions: BTreeSet<(String, bool)> = [action.clone()].into();
        let touches = self.touches.entry(action.clone()).or_default();
        anc.get(ix, &scope_key(&req.scope))
            .0
            .iter()
            .map(|c| {
                self.at
                    .entry((action.0.clone(), action.1, c.clone()))
                    .or_insert_with(|| holders_at(ix, c, &actions, touches).into())
                    .clone()
            })
            .collect()
    }
}

/// Keys in the order first given, each once.
#[derive(Default)]
struct FirstSeen {
    seen: rustc_hash::FxHashSet<String>,
    list: Vec<String>,
}

impl FirstSeen {
    fn extend(&mut self, keys: impl IntoIterator<Item = String>) {
        for k in keys {
            if !self.seen.contains(&k) {
                self.seen.insert(k.clone());
                self.list.push(k);
            }
        }
    }
}

/// The holders (keys) of the assignments, then of the eligibilities, at scope
/// node `c` whose role grants one of `actions`, each once in that order
/// (`touches` keeps each role's answer).
fn holders_at(
    ix: &Index,
    c: &str,
    actions: &BTreeSet<(String, bool)>,
    touches: &mut rustc_hash::FxHashMap<usize, bool>,
) -> Vec<String> {
    let mut touches_any = |ri: Option<usize>| match ri {
        Some(i) => *touches
            .entry(i)
            .or_insert_with(|| role_touches(ix, i, actions)),
        None => false,
    };
    let mut found = FirstSeen::default();
    for &ai in ix.assignments_by_scope.get(c).into_iter().flatten() {
        if touches_any(ix.assignment_role[ai]) {
            found.extend([key(&ix.assignments[ai].principal_id)]);
        }
    }
    for &ei in ix.eligibilities_by_scope.get(c).into_iter().flatten() {
        if touches_any(ix.eligibility_role[ei]) {
            found.extend([key(&ix.eligibilities[ei].principal_id)]);
        }
    }
    found.list
}

/// The deny assignments (positions in `ix.denies`) that reach an asked scope and
/// take an asked action.
fn applicable_denies(ix: &Index, alts: &Alternatives, anc: &mut Ancestry) -> Vec<usize> {
    let (actions, scopes) = asked(alts);
    let mut out = Vec::new();
    for s in &scopes {
        let chain = anc.get(ix, s);
        for c in &chain.0 {
            for &di in ix.denies_by_scope.get(c).into_iter().flatten() {
                let d = &ix.denies[di];
                if super::decide::deny_reaches(d, c, s)
                    && actions
                        .iter()
                        .any(|(a, data)| blocks_grant(&d.blocks, a, *data))
                {
                    out.push(di);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The principals these deny assignments name or exempt (All Principals left out),
/// each with whether a deny calls it a group. Whether a principal is among their
/// members decides whether a deny applies (SPEC §2.6).
pub(crate) fn deny_subjects(ix: &Index, denies: &[usize]) -> Vec<(String, bool)> {
    let mut seeds: std::collections::BTreeMap<String, bool> = Default::default();
    for &di in denies {
        let d = &ix.denies[di];
        for p in d.def.principals.iter().chain(&d.def.exclude_principals) {
            let k = key(&p.id);
            if k != crate::model::ALL_PRINCIPALS {
                *seeds.entry(k).or_default() |= crate::model::names_group(&p.kind);
            }
        }
    }
    seeds.into_iter().collect()
}

/// [`deny_subjects`] of the denies that reach an asked scope and take an asked
/// action: the seeds `can` walks for the groups nested in them.
pub(crate) fn deny_seeds(
    ix: &Index,
    alts: &Alternatives,
    anc: &mut Ancestry,
) -> Vec<(String, bool)> {
    deny_subjects(ix, &applicable_denies(ix, alts, anc))
}

/// What these deny assignments leave unseen: each group they name or exempt, or
/// nested in one, whose members were not imported or only partly (SPEC §4), as
/// group key and gap.
pub(crate) fn deny_gaps(ix: &Index, denies: &[usize]) -> Vec<(String, Incomplete)> {
    let subjects = deny_subjects(ix, denies);
    let typed: HashSet<&str> = subjects
        .iter()
        .filter(|(_, group)| *group)
        .map(|(k, _)| k.as_str())
        .collect();
    let mut out = Vec::new();
    for Reached { id: p, .. } in below(ix, subjects.iter().map(|(k, _)| k.clone())) {
        if ix.is_group(&p) || typed.contains(p.as_str()) {
            for gap in group_gaps(ix, &p) {
                out.push((group_gap_key(&p, &gap), gap));
            }
        }
    }
    out
}

/// The principals whose members (transitively) a `who` answer needs: the grant
/// seeds, and the principals deny assignments at the asked scopes name or exempt.
/// With `explain`, every holder at the asked scopes and above, whatever its role:
/// the why-not reasons of a principal that can also name the roles that list the
/// action but exclude it, miss its data plane, or are not defined.
pub(crate) fn expansion_seeds(ix: &Index, alts: &Alternatives, explain: bool) -> Vec<String> {
    let mut anc = Ancestry::default();
    let mut seeds = grant_seeds(ix, alts, &mut anc);
    if explain {
        let scopes: BTreeSet<String> = alts.iter().flatten().map(|r| scope_key(&r.scope)).collect();
        for s in &scopes {
            let chain = anc.get(ix, s);
            for c in &chain.0 {
                for &ai in ix.assignments_by_scope.get(c).into_iter().flatten() {
                    seeds.push(key(&ix.assignments[ai].principal_id));
                }
                for &ei in ix.eligibilities_by_scope.get(c).into_iter().flatten() {
                    seeds.push(key(&ix.eligibilities[ei].principal_id));
                }
            }
        }
    }
    for d in &ix.denies {
        for p in d.def.principals.iter().chain(&d.def.exclude_principals) {
            let k = key(&p.id);
            if k != crate::model::ALL_PRINCIPALS {
                seeds.push(k);
            }
        }
    }
    seeds.sort();
    seeds.dedup();
    seeds
}

/// What decides one action at a scope, as indices into the [`Index`]: the
/// assignments and eligibilities held at the scope or an ancestor (SPEC §2.2)
/// whose role has a block that can grant the action, and the deny assignments
/// that reach the scope (SPEC §2.6, `doNotApplyToChildScopes` by
/// [`super::decide::deny_reaches`]) with a block that matches it. Two scopes
/// alike in this are answered alike for that action, for every principal: a
/// caller asking one question of many scopes (lint, of every storage account)
/// asks it once per kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AppliesAt {
    assignments: Vec<usize>,
    eligibilities: Vec<usize>,
    denies: Vec<usize>,
}

pub(crate) fn applies_at(
    ix: &Index,
    scope: &str,
    action: &str,
    data: bool,
    anc: &mut Ancestry,
) -> AppliesAt {
    let target = scope_key(scope);
    let action_l = key(action.trim());
    let can_grant = |role: Option<usize>| {
        role.is_some_and(|r| blocks_grant(&ix.roles[r].blocks, &action_l, data))
    };
    let chain = anc.get(ix, scope);
    let mut out = AppliesAt {
        assignments: Vec::new(),
        eligibilities: Vec::new(),
        denies: Vec::new(),
    };
    for s in &chain.0 {
        out.assignments.extend(
            ix.assignments_by_scope
                .get(s)
                .into_iter()
                .flatten()
                .filter(|&&ai| can_grant(ix.assignment_role[ai])),
        );
        out.eligibilities.extend(
            ix.eligibilities_by_scope
                .get(s)
                .into_iter()
                .flatten()
                .filter(|&&ei| can_grant(ix.eligibility_role[ei])),
        );
        out.denies.extend(
            ix.denies_by_scope
                .get(s)
                .into_iter()
                .flatten()
                .filter(|&&di| {
                    let d = &ix.denies[di];
                    super::decide::deny_reaches(d, s, &target)
                        && blocks_grant(&d.blocks, &action_l, data)
                }),
        );
    }
    for v in [
        &mut out.assignments,
        &mut out.eligibilities,
        &mut out.denies,
    ] {
        v.sort_unstable();
        v.dedup();
    }
    out
}

/// Every principal that can do the actions (of some alternative), and the groups
/// whose members the answer could not see.
pub fn who(ix: &Index, alts: &Alternatives, include_groups: bool, explain: bool) -> WhoAnswer {
    let mut answers = Vec::new();
    let incomplete = who_each(ix, alts, include_groups, explain, false, |a| {
        answers.push(a)
    });
    answers.sort_by_cached_key(|a| order_key(&a.decision));
    WhoAnswer {
        answers,
        incomplete,
    }
}

/// The order of `who`'s answers: by access (best first), then display name
/// (case-insensitively), then id.
fn order_key(d: &Decision) -> (Access, String, String) {
    (
        d.access,
        d.principal.display_name.to_lowercase(),
        d.principal.id.clone(),
    )
}

/// One principal of a [`who_near`] answer: its access, and its place in
/// `who`'s order ([`order_key`]).
pub(crate) type Near = (Access, String, String);

/// A `who` answer kept by [`who_near`] to answer the same alternatives at
/// other scopes below the same `shared` ancestor.
pub(crate) struct NearBase {
    shared: String,
    actions: Vec<(String, bool)>,
    include_groups: bool,
    /// The principals below the holders of what applies at the answered
    /// scope's own part of its chain (strictly below `shared`).
    touched: HashSet<String>,
    answers: Vec<Near>,
}

/// `who` (without explanations) of alternatives asked at one scope, answered
/// from `base`, a [`who_near`] answer at another scope below the same
/// `shared` ancestor, when it can be: lint asks one question of every storage
/// account and every workspace, and they share their subscription and above.
///
/// Why it is the same answer: a principal's decision at a scope depends only on
/// the assignments and eligibilities its holders hold on the scope's chain
/// (SPEC §2.1–2.2) and on the deny assignments that reach the scope (§2.6). Two
/// scopes strictly below `shared` share the chain from `shared` up, and a deny
/// there reaches both alike (`doNotApplyToChildScopes` spares both). So a
/// principal below no holder of the two scopes' own parts (the scopes of their
/// chains below `shared`) is answered alike at both, provided no deny of either
/// own part applies; those below such a holder are decided afresh. A scope
/// with a deny of its own, or not strictly below `shared`, or alternatives at
/// several scopes, is answered in full.
///
/// Returns the answer, in `who`'s order, and the base it leaves (the one given
/// when it was used).
pub(crate) fn who_near(
    ix: &Index,
    alts: &Alternatives,
    shared: &str,
    include_groups: bool,
    base: Option<NearBase>,
    anc: &mut Ancestry,
) -> (Vec<Near>, Option<NearBase>) {
    let full = || -> Vec<Near> {
        let mut out: Vec<Near> = Vec::new();
        who_each(ix, alts, include_groups, false, false, |a| {
            out.push(order_key(&a.decision))
        });
        out.sort();
        out
    };
    let (actions, scopes) = asked(alts);
    let actions: Vec<(String, bool)> = actions.into_iter().collect();
    let shared = scope_key(shared);
    let own = match scopes.iter().collect::<Vec<_>>()[..] {
        [s] => own_part(ix, s, &shared, &actions, anc),
        _ => None,
    };
    let Some(touched) = own else {
        return (full(), base);
    };
    let base = base.filter(|b| {
        b.shared == shared && b.actions == actions && b.include_groups == include_groups
    });
    let Some(base) = base else {
        let answers = full();
        let kept = NearBase {
            shared,
            actions,
            include_groups,
            touched,
            answers: answers.clone(),
        };
        return (answers, Some(kept));
    };
    let redo = |p: &String| touched.contains(p) || base.touched.contains(p);
    let mut out: Vec<Near> = base
        .answers
        .iter()
        .filter(|(_, _, p)| !redo(p))
        .cloned()
        .collect();
    let mut again: Vec<&String> = touched.union(&base.touched).collect();
    again.sort();
    for p in again {
        // As `who`'s candidates: devices and contacts are never principals.
        if (include_groups || !ix.is_group(p)) && ix.is_principal(p) {
            let d = decide_alternatives(ix, p, alts, false, anc).decision;
            if d.access != Access::None {
                out.push(order_key(&d));
            }
        }
    }
    out.sort();
    (out, Some(base))
}

/// For [`who_near`]: the principals below the holders of what can grant
/// `actions` on the part of `scope`'s chain strictly below `shared`, or `None`
/// when `scope` is not strictly below `shared` or a deny assignment of that
/// part reaches `scope` and takes an action.
fn own_part(
    ix: &Index,
    scope: &str,
    shared: &str,
    actions: &[(String, bool)],
    anc: &mut Ancestry,
) -> Option<HashSet<String>> {
    let chain = anc.get(ix, scope);
    let at = chain
        .0
        .iter()
        .position(|c| c == shared)
        .filter(|&i| i > 0)?;
    let takes = |blocks: &[_]| {
        actions
            .iter()
            .any(|(a, data)| blocks_grant(blocks, a, *data))
    };
    let mut holders: Vec<String> = Vec::new();
    for c in &chain.0[..at] {
        for &di in ix.denies_by_scope.get(c).into_iter().flatten() {
            let d = &ix.denies[di];
            if super::decide::deny_reaches(d, c, scope) && takes(&d.blocks) {
                return None;
            }
        }
        for &ai in ix.assignments_by_scope.get(c).into_iter().flatten() {
            if ix.assignment_role[ai].is_some_and(|r| takes(&ix.roles[r].blocks)) {
                holders.push(key(&ix.assignments[ai].principal_id));
            }
        }
        for &ei in ix.eligibilities_by_scope.get(c).into_iter().flatten() {
            if ix.eligibility_role[ei].is_some_and(|r| takes(&ix.roles[r].blocks)) {
                holders.push(key(&ix.eligibilities[ei].principal_id));
            }
        }
    }
    Some(below(ix, holders).into_iter().map(|r| r.id).collect())
}

/// The candidates of `who` (sorted by display name, then id) and what the answer
/// could not see.
pub(crate) fn candidates(
    ix: &Index,
    alts: &Alternatives,
    include_groups: bool,
) -> (Vec<String>, Vec<Incomplete>) {
    let mut anc = Ancestry::default();
    let seeds = grant_seeds(ix, alts, &mut anc);
    let mut candidates: Vec<String> = Vec::new();
    let mut incomplete: BTreeSet<Incomplete> = scope_gaps(ix, alts, &mut anc);
    for Reached { id: p, .. } in below(ix, seeds) {
        let group = ix.is_group(&p);
        if group {
            incomplete.extend(group_gaps(ix, &p));
        }
        // Devices and contacts are members, never principals (SPEC §1).
        if (include_groups || !group) && ix.is_principal(&p) {
            candidates.push(p);
        }
    }
    // Groups a deny names or exempts, and those nested in them: whether a
    // candidate is a member decides whether the deny applies.
    let denies = applicable_denies(ix, alts, &mut anc);
    incomplete.extend(deny_gaps(ix, &denies).into_iter().map(|(_, gap)| gap));
    candidates.sort_by_cached_key(|c| (ix.name_of(c).to_lowercase(), c.clone()));
    (candidates, incomplete.into_iter().collect())
}

/// `seeds` and every principal below them: their members, transitively, and
/// those eligible (PIM for Groups) to join them — the one downward walk
/// ([`super::walk::breadth_first`]) over what can hold a seed's access.
pub(crate) fn below(ix: &Index, seeds: impl IntoIterator<Item = String>) -> Vec<Reached> {
    // Who is eligible (PIM for Groups) to join each group.
    let mut eligible_members: rustc_hash::FxHashMap<String, Vec<String>> = Default::default();
    for ge in &ix.group_eligibilities {
        if !ge.active && ge.access_id.eq_ignore_ascii_case("member") {
            eligible_members
                .entry(key(&ge.group_id))
                .or_default()
                .push(key(&ge.principal_id));
        }
    }
    super::walk::breadth_first(seeds, |p| {
        let members = ix.members_of.get(p).into_iter().flatten();
        let eligible = eligible_members.get(p).into_iter().flatten();
        members.chain(eligible)
    })
}

/// What the snapshot could not see of a group an answer goes through (SPEC §4):
/// its member list, not imported or only one page of it (`members not imported`,
/// `members partial`), and its PIM for Groups instances, when the collection
/// could not read them (`scope unreadable` naming the group: who may join it
/// through PIM is not known). The one rule every answer's group gaps come from
/// (`who`, `can`, `what`, `review`, `members`, the groups a deny names).
pub(crate) fn group_gaps(ix: &Index, group: &str) -> impl Iterator<Item = Incomplete> {
    let pim = ix
        .unreadable_group_pim
        .get(group)
        .map(|detail| Incomplete::group_unreadable(group, &ix.name_of(group), detail));
    member_gap(ix, group).into_iter().chain(pim)
}

/// A key for one of a group's [`group_gaps`]: the group key for its member list
/// (where callers keep one entry per group), another for its PIM for Groups.
pub(crate) fn group_gap_key(group: &str, gap: &Incomplete) -> String {
    if gap.reason == IncompleteReason::ScopeUnreadable {
        format!("pim {group}")
    } else {
        group.to_string()
    }
}

/// A group whose member list was not imported, or only one page of it.
fn member_gap(ix: &Index, group: &str) -> Option<Incomplete> {
    let reason = if !ix.member_lists.contains(group) {
        IncompleteReason::MembersNotImported
    } else if ix.partial_member_lists.contains(group) {
        IncompleteReason::MembersPartial
    } else {
        return None;
    };
    Some(Incomplete::group(reason, group, &ix.name_of(group)))
}

/// What the asked scopes' chains could not show, whoever asks: an assignment or
/// eligibility there whose role is not defined, and a subscription whose place
/// in the management-group tree was not imported while management-group
/// assignments exist.
fn scope_gaps(ix: &Index, alts: &Alternatives, anc: &mut Ancestry) -> BTreeSet<Incomplete> {
    let scopes: BTreeSet<String> = alts.iter().flatten().map(|r| scope_key(&r.scope)).collect();
    let mut out = BTreeSet::new();
    for s in &scopes {
        let chain = anc.get(ix, s);
        for c in &chain.0 {
            for &ai in ix.assignments_by_scope.get(c).into_iter().flatten() {
                if ix.assignment_role[ai].is_none() {
                    let a = &ix.assignments[ai];
                    out.insert(Incomplete::role_not_defined(&a.id, &a.role_definition_id));
                }
            }
            for &ei in ix.eligibilities_by_scope.get(c).into_iter().flatten() {
                if ix.eligibility_role[ei].is_none() {
                    let e = &ix.eligibilities[ei];
                    out.insert(Incomplete::role_not_defined(&e.id, &e.role_definition_id));
                }
            }
        }
        out.extend(chain_gap(ix, s));
        out.extend(unreadable_on(ix, &chain.0));
    }
    out.extend(catalogue_gaps(
        ix,
        alts.iter().flatten().map(|r| r.action.as_str()),
    ));
    out.extend(records_partial(ix));
    out
}

/// `records partial` for every export of access records that was one page of
/// several: what decides access anywhere may be on its later pages.
pub fn records_partial(ix: &Index) -> impl Iterator<Item = Incomplete> + '_ {
    ix.partial_access_files
        .iter()
        .map(|f| Incomplete::records_partial(f))
}

/// `scope unreadable` for the operation catalogue of every provider that
/// `actions` (actions or patterns) name, when the collection ledger records that
/// catalogue as unreadable: whether an action is a data action, what a wildcard
/// expands to and what `what` lists all come from it. Named by the catalogue's
/// path (`/providers/Microsoft.Authorization/providerOperations/{namespace}`).
pub(crate) fn catalogue_gaps<'a>(
    ix: &Index,
    actions: impl IntoIterator<Item = &'a str>,
) -> Vec<Incomplete> {
    if ix.unreadable_catalogues.is_empty() {
        return Vec::new();
    }
    let mut found: BTreeSet<&String> = BTreeSet::new();
    for a in actions {
        let provider = a.trim().split('/').next().unwrap_or("");
        if let Some(path) = ix.unreadable_catalogues.get(&key(provider)) {
            found.insert(path);
        }
    }
    found
        .into_iter()
        .map(|p| Incomplete::scope(IncompleteReason::ScopeUnreadable, p))
        .collect()
}

/// Adds to `incomplete` the catalogue gaps of `patterns` it does not list yet: an
/// activity's wildcard requirements that matched nothing (their catalogue may be
/// the one that could not be read).
pub(crate) fn add_catalogue_gaps(
    ix: &Index,
    incomplete: &mut Vec<Incomplete>,
    patterns: &[String],
) {
    for g in catalogue_gaps(ix, patterns.iter().map(String::as_str)) {
        if !incomplete.contains(&g) {
            incomplete.push(g);
        }
    }
}

/// `catalogue_gaps` for `what`: the catalogue of `provider`, or every unreadable
/// catalogue when no provider is asked (its operations are missing from the list).
pub(crate) fn what_catalogue_gaps(ix: &Index, provider: Option<&str>) -> Vec<Incomplete> {
    match provider {
        Some(p) => catalogue_gaps(ix, [p]),
        None => {
            let mut all: Vec<&String> = ix.unreadable_catalogues.values().collect();
            all.sort();
            all.into_iter()
                .map(|p| Incomplete::scope(IncompleteReason::ScopeUnreadable, p))
                .collect()
        }
    }
}

/// `scope unreadable` for every scope of `chain` (a scope and its ancestors, up to
/// `/`) that the collection ledger records as unreadable: whatever is held there
/// may be missing from the snapshot.
pub fn unreadable_on<'a>(
    ix: &'a Index,
    chain: &'a [String],
) -> impl Iterator<Item = Incomplete> + 'a {
    chain
        .iter()
        .filter_map(|c| ix.unreadable_scopes.get(c).cloned())
}

/// `scope unreadable` for every unreadable scope at or below `scope` (what
/// `review` at `scope` could not see: `scope` is on its chain, management groups
/// included), in scope-key order.
pub fn unreadable_below(ix: &Index, scope: &str) -> Vec<Incomplete> {
    let k = scope_key(scope);
    let mut found: Vec<(&String, &Incomplete)> = ix
        .unreadable_scopes
        .iter()
        .filter(|(u, _)| k == "/" || ix.tree.ancestors(u).contains(&k))
        .collect();
    found.sort();
    found.into_iter().map(|(_, gap)| gap.clone()).collect()
}

/// `management-group chain missing` for the subscription of `scope`, when the
/// snapshot holds management-group assignments but not that subscription's place
/// in the tree.
pub(crate) fn chain_gap(ix: &Index, scope: &str) -> Option<Incomplete> {
    let k = scope_key(scope);
    if !ix.mg_holdings || !k.starts_with("/subscriptions/") {
        return None;
    }
    let sub: String = k.split('/').take(3).collect::<Vec<_>>().join("/");
    if ix.tree.has_parent(&sub) {
        return None;
    }
    Some(Incomplete::scope(
        IncompleteReason::ManagementGroupChainMissing,
        &sub,
    ))
}

/// `who`, one answer at a time (in display-name order, `none` left out), so that a
/// caller can print each as it comes: memory stays bounded by the data, not by the
/// size of the answer. Returns what the answer could not see. `nearest` keeps
/// one grant per action (an activity's answer, SPEC §4).
pub fn who_each(
    ix: &Index,
    alts: &Alternatives,
    include_groups: bool,
    explain: bool,
    nearest: bool,
    mut each: impl FnMut(Answer),
) -> Vec<Incomplete> {
    let (candidates, incomplete) = candidates(ix, alts, include_groups);
    let mut anc = Ancestry::default();
    anc.share_classes();
    anc.stop_at_none();
    if nearest {
        anc.keep_nearest();
    }
    for c in &candidates {
        let a = decide_alternatives(ix, c, alts, explain, &mut anc);
        if a.decision.access != Access::None {
            each(a);
        }
    }
    incomplete
}

/// What `can` could not see for `principal` — the same entries `who` reports
/// that concern it: every group nested in a holder that grants the actions whose
/// members were not (wholly) imported (the principal may be in it unseen), the
/// undefined roles held by its own holders or by such groups, the missing
/// management-group chain. With no principal, everything `who` reports.
pub fn incomplete_for(ix: &Index, alts: &Alternatives, principal: Option<&str>) -> Vec<Incomplete> {
    let all = candidates(ix, alts, true).1;
    let Some(p) = principal else {
        return all;
    };
    let holders: HashSet<String> = super::decide::holders(ix, p)
        .into_iter()
        .map(|h| h.id)
        .collect();
    let gaps: HashSet<String> = all.iter().filter_map(|i| i.group_id.clone()).collect();
    all.into_iter()
        .filter(|i| match i.reason {
            IncompleteReason::RoleNotDefined => i.assignment_id.as_deref().is_none_or(|id| {
                let holder = ix
                    .assignments
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| key(&a.principal_id))
                    .or_else(|| {
                        ix.eligibilities
                            .iter()
                            .find(|e| e.id == id)
                            .map(|e| key(&e.principal_id))
                    });
                holder.is_none_or(|h| holders.contains(&h) || gaps.contains(&h))
            }),
            _ => true,
        })
        .collect()
}

/// The questions `what` asks: every catalogue operation (of one provider), each in
/// its own plane (an operation listed in both planes is asked twice), at `scope`.
pub(crate) fn what_requests(ix: &Index, scope: &str, provider: Option<&str>) -> Vec<ActionReq> {
    ix.operations
        .iter()
        .filter(|o| provider.is_none_or(|p| o.provider.eq_ignore_ascii_case(p)))
        .map(|o| ActionReq {
            action: o.name.clone(),
            data: o.is_data_action,
            scope: scope.to_string(),
        })
        .collect()
}

/// [`what_requests`], each operation its own alternative: `what`'s
/// `incomplete` covers every holder that grants any of them.
pub fn what_alternatives(ix: &Index, scope: &str, provider: Option<&str>) -> Alternatives {
    what_requests(ix, scope, provider)
        .into_iter()
        .map(|r| vec![r])
        .collect()
}

/// One concrete operation the principal can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatRow {
    pub(crate) operation: String,
    pub(crate) display_name: Option<String>,
    pub(crate) resource_type: String,
    pub(crate) provider: String,
    pub(crate) is_data_action: bool,
    pub(crate) access: Access,
    /// Roles (by name) that grant it, deduplicated (for an eligible-only
    /// operation, the roles eligible for; for a denied one, the roles the deny
    /// overrides).
    pub(crate) roles: Vec<String>,
    /// Deny assignments (by name) that block it; empty unless `access` is denied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) blocked_by: Vec<String>,
}

/// Every catalogue operation (optionally of one provider) the principal can do at
/// the scope (allowed or conditional), or could but for a deny assignment
/// (denied), or once a PIM eligibility is activated (eligible); sorted by
/// provider, resource type and operation. Operations none of these reach are left
/// out.
pub fn what(ix: &Index, principal: &str, scope: &str, provider: Option<&str>) -> Vec<WhatRow> {
    let mut anc = Ancestry::default();
    let reqs = what_requests(ix, scope, provider);
    let d = decide(ix, principal, &reqs, false, &mut anc);
    let mut rows: Vec<WhatRow> = d
        .actions
        .iter()
        .filter(|a| a.access != Access::None)
        .map(|a| {
            let op = ix.operation_in(&a.action, a.data);
            let mut roles: Vec<String> = if a.access == Access::Eligible {
                a.eligible.iter().map(|e| e.role_name.clone()).collect()
            } else {
                a.grants.iter().map(|g| g.role_name.clone()).collect()
            };
            roles.sort();
            roles.dedup();
            let mut blocked_by: Vec<String> = if a.access == Access::Denied {
                a.denies.iter().map(|d| d.deny_name.clone()).collect()
            } else {
                Vec::new()
            };
            blocked_by.sort();
            blocked_by.dedup();
            WhatRow {
                operation: a.action.clone(),
                display_name: op.and_then(|o| o.display_name.clone()),
                resource_type: op.map(|o| o.resource_type.clone()).unwrap_or_default(),
                provider: op.map(|o| o.provider.clone()).unwrap_or_default(),
                is_data_action: a.data,
                access: a.access,
                roles,
                blocked_by,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (key(&a.provider), key(&a.resource_type), key(&a.operation)).cmp(&(
            key(&b.provider),
            key(&b.resource_type),
            key(&b.operation),
        ))
    });
    rows
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::blocks_touch;
    use crate::engine::permissions::{blocks_grant, Block};
    use crate::model::PermissionBlock;

    fn block(actions: &[String], not: &[String], data: &[String]) -> Block {
        Block::compile(&PermissionBlock {
            actions: actions.to_vec(),
            not_actions: not.to_vec(),
            data_actions: data.to_vec(),
            ..PermissionBlock::default()
        })
    }

    proptest! {
        /// Trying only the asked actions under each granting pattern's literal
        /// prefix answers as trying every asked action.
        #[test]
        fn touching_by_prefix_is_touching_by_every_action(
            blocks in prop::collection::vec(
                (
                    prop::collection::vec("[ab/*]{0,6}", 0..3),
                    prop::collection::vec("[ab/*]{0,6}", 0..2),
                    prop::collection::vec("[ab/*]{0,6}", 0..2),
                ),
                0..3,
            ),
            asked in prop::collection::btree_set(("[ab/]{0,6}", any::<bool>()), 0..12),
        ) {
            let blocks: Vec<Block> = blocks.iter().map(|(a, n, d)| block(a, n, d)).collect();
            let asked: BTreeSet<(String, bool)> = asked;
            let every = asked.iter().any(|(a, data)| blocks_grant(&blocks, a, *data));
            prop_assert_eq!(blocks_touch(&blocks, &asked), every);
        }
    }
}
