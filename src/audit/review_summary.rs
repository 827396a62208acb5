//! The access review summarised for the people who sign it off: figures per
//! reviewed scope, the review's rows grouped by principal with each access once
//! however many reviewed scopes it reaches (access held at a management group is
//! one line, not one per workspace), and the `lint` findings that concern the
//! reviewed scopes. What the HTML report and the workbook's summary sheet show.
//!
//! Pure like the rest of `audit`: rows, their carry-over and an index in, values
//! out; no SQL, no printing, no clock. Which rows a scope counts is decided here
//! once: a row names its target scope, and a row whose target is none of the
//! reviewed scopes is access held at or above all of them (SPEC §5's `covers`
//! rows), so it counts for every one.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::audit::lint::{self, Finding, LintOptions};
use crate::audit::review::{Carry, Pim, RecommendationKind, ReviewRow};
use crate::engine::decide::PrincipalInfo;
use crate::engine::scope::kind_of;
use crate::engine::Index;
use crate::model::{scope_key, ScopeKind};

/// The figures of one reviewed scope, or of all of them together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScopeFigures {
    /// The reviewed scope; `None` for the totals.
    pub(crate) scope: Option<String>,
    /// Users, service principals and managed identities with access there (groups
    /// are counted apart: their members are the principals).
    pub(crate) principals: usize,
    pub(crate) groups: usize,
    /// Principals holding a role that can change access.
    pub(crate) privileged: usize,
    pub(crate) guests: usize,
    pub(crate) disabled: usize,
    pub(crate) orphaned: usize,
    /// Principals with a PIM eligibility there.
    pub(crate) eligible: usize,
    /// Accesses (review rows, each review key once).
    pub(crate) rows: usize,
    /// Rows without a decision carried over from an earlier review.
    pub(crate) needs_decision: usize,
    /// Rows the data says to remove (a `remove` recommendation).
    pub(crate) removals_recommended: usize,
}

/// Distinct principals and rows seen for one [`ScopeFigures`].
#[derive(Default)]
struct Tally<'a> {
    keys: HashSet<&'a str>,
    principals: HashSet<&'a str>,
    groups: HashSet<&'a str>,
    privileged: HashSet<&'a str>,
    guests: HashSet<&'a str>,
    disabled: HashSet<&'a str>,
    orphaned: HashSet<&'a str>,
    eligible: HashSet<&'a str>,
    needs_decision: usize,
    removals: usize,
}

impl<'a> Tally<'a> {
    fn add(&mut self, r: &'a ReviewRow, c: &Carry) {
        if !self.keys.insert(&r.review_key) {
            return;
        }
        if needs_decision(c) {
            self.needs_decision += 1;
        }
        if removal_recommended(r) {
            self.removals += 1;
        }
        let p = &r.principal;
        let id = p.id.as_str();
        if p.is_group() {
            self.groups.insert(id);
            return;
        }
        self.principals.insert(id);
        let mark = |set: &mut HashSet<&'a str>, yes: bool| {
            if yes {
                set.insert(id);
            }
        };
        mark(&mut self.privileged, r.privileged);
        mark(&mut self.guests, p.is_guest());
        mark(&mut self.disabled, p.is_disabled());
        mark(&mut self.orphaned, p.is_orphaned());
        mark(&mut self.eligible, r.pim == Pim::Eligible);
    }

    fn figures(&self, scope: Option<String>) -> ScopeFigures {
        ScopeFigures {
            scope,
            principals: self.principals.len(),
            groups: self.groups.len(),
            privileged: self.privileged.len(),
            guests: self.guests.len(),
            disabled: self.disabled.len(),
            orphaned: self.orphaned.len(),
            eligible: self.eligible.len(),
            rows: self.keys.len(),
            needs_decision: self.needs_decision,
            removals_recommended: self.removals,
        }
    }
}

/// A row no earlier decision covers: blank, new, changed or never reviewed.
pub(crate) fn needs_decision(c: &Carry) -> bool {
    !matches!(c, Carry::Decided { .. })
}

/// The data says to remove the access (an orphaned principal, a disabled account,
/// an ended eligibility...).
pub(crate) fn removal_recommended(r: &ReviewRow) -> bool {
    r.recommendations
        .iter()
        .any(|x| x.kind == RecommendationKind::Remove)
}

/// Which reviewed scopes a row reaches: the one it names, or all of them.
fn reached(targets: &HashMap<String, usize>, r: &ReviewRow) -> Option<usize> {
    targets.get(&scope_key(&r.target_scope)).copied()
}

fn target_index(targets: &[String]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        out.entry(scope_key(t)).or_insert(i);
    }
    out
}

/// The figures of each reviewed scope (in the order reviewed), then the totals
/// (every principal and access once).
pub(crate) fn figures(
    targets: &[String],
    rows: &[ReviewRow],
    carry: &[Carry],
) -> (Vec<ScopeFigures>, ScopeFigures) {
    let index = target_index(targets);
    let mut per: Vec<Tally> = targets.iter().map(|_| Tally::default()).collect();
    let mut total = Tally::default();
    for (r, c) in rows.iter().zip(carry) {
        match reached(&index, r) {
            Some(i) => per[i].add(r, c),
            None => per.iter_mut().for_each(|t| t.add(r, c)),
        }
        total.add(r, c);
    }
    let scopes = targets
        .iter()
        .zip(&per)
        .map(|(t, tally)| tally.figures(Some(t.clone())))
        .collect();
    (scopes, total.figures(None))
}

/// The reviewed scopes one access reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Every reviewed scope (held at or above all of them, or only one reviewed).
    All,
    /// These reviewed scopes (indices into the targets), in the order reviewed.
    Some(Vec<usize>),
}

/// One access of a principal: a review row, once for every reviewed scope it reaches.
pub(crate) struct Access<'a> {
    pub(crate) row: &'a ReviewRow,
    pub(crate) carry: &'a Carry,
    pub(crate) reach: Reach,
}

/// A principal and every access it holds in the review.
pub(crate) struct PrincipalAccess<'a> {
    pub(crate) principal: &'a PrincipalInfo,
    /// Privileged first, then by role name, scope held at and path.
    pub(crate) access: Vec<Access<'a>>,
}

impl PrincipalAccess<'_> {
    pub(crate) fn privileged(&self) -> bool {
        self.access.iter().any(|a| a.row.privileged)
    }

    pub(crate) fn needs_decision(&self) -> usize {
        self.access
            .iter()
            .filter(|a| needs_decision(a.carry))
            .count()
    }

    pub(crate) fn removals_recommended(&self) -> usize {
        self.access
            .iter()
            .filter(|a| removal_recommended(a.row))
            .count()
    }
}

/// The rows grouped by principal (by display name, then id), each review key once
/// with the reviewed scopes it reaches.
pub(crate) fn by_principal<'a>(
    targets: &[String],
    rows: &'a [ReviewRow],
    carry: &'a [Carry],
) -> Vec<PrincipalAccess<'a>> {
    let index = target_index(targets);
    let mut order: Vec<&'a str> = Vec::new();
    let mut by_id: HashMap<&'a str, PrincipalAccess<'a>> = HashMap::new();
    // (principal, review key) -> position in that principal's accesses
    let mut seen: HashMap<(&'a str, &'a str), usize> = HashMap::new();
    for (r, c) in rows.iter().zip(carry) {
        let id = r.principal.id.as_str();
        let entry = by_id.entry(id).or_insert_with(|| {
            order.push(id);
            PrincipalAccess {
                principal: &r.principal,
                access: Vec::new(),
            }
        });
        let at = reached(&index, r);
        match seen.get(&(id, r.review_key.as_str())) {
            Some(&i) => {
                let a = &mut entry.access[i];
                if let (Reach::Some(list), Some(t)) = (&mut a.reach, at) {
                    if !list.contains(&t) {
                        list.push(t);
                    }
                } else {
                    a.reach = Reach::All;
                }
            }
            None => {
                seen.insert((id, r.review_key.as_str()), entry.access.len());
                entry.access.push(Access {
                    row: r,
                    carry: c,
                    reach: match at {
                        Some(t) => Reach::Some(vec![t]),
                        None => Reach::All,
                    },
                });
            }
        }
    }
    let mut out: Vec<PrincipalAccess> = order
        .into_iter()
        .filter_map(|id| by_id.remove(id))
        .collect();
    for p in &mut out {
        for a in &mut p.access {
            if let Reach::Some(list) = &mut a.reach {
                list.sort_unstable();
                if list.len() == targets.len() {
                    a.reach = Reach::All;
                }
            }
        }
        p.access.sort_by_cached_key(|a| {
            (
                !a.row.privileged,
                a.row.role_name.to_lowercase(),
                scope_key(&a.row.assignment_scope),
                a.row.access_path.to_lowercase(),
                a.row.review_key.clone(),
            )
        });
    }
    out.sort_by_cached_key(|p| {
        (
            p.principal.display_name.to_lowercase(),
            p.principal.id.clone(),
        )
    });
    out
}

/// The scope whose `lint` covers every reviewed scope: the one reviewed, or the
/// nearest ancestor all of them share (a subscription, a management group, `/`).
pub(crate) fn lint_scope(ix: &Index, targets: &[String]) -> Option<String> {
    let first = targets.first()?;
    if targets.len() == 1 {
        return Some(first.clone());
    }
    // The ancestors list path prefixes too (`/subscriptions/S/resourcegroups`):
    // only scopes an assignment can be at are candidates, below a resource group
    // only the targets themselves.
    let is_scope = |k: &str| match kind_of(k) {
        ScopeKind::Resource => targets.iter().any(|t| scope_key(t) == k),
        ScopeKind::ManagementGroup => k.trim_start_matches('/').split('/').count() == 4,
        ScopeKind::Root | ScopeKind::Subscription | ScopeKind::ResourceGroup => true,
    };
    let mut common = ix.tree.ancestors(first);
    common.retain(|a| is_scope(a));
    for t in &targets[1..] {
        let anc: HashSet<String> = ix.tree.ancestors(t).into_iter().collect();
        common.retain(|a| anc.contains(a));
    }
    common.into_iter().next()
}

/// The `lint` findings at, above or below the reviewed scopes (most severe first),
/// and the scope they were checked at ([`lint_scope`]).
pub(crate) fn findings(
    ix: &Index,
    targets: &[String],
    taken_at: &str,
) -> (Option<String>, Vec<Finding>) {
    let scope = lint_scope(ix, targets);
    let found = lint::lint(
        ix,
        &LintOptions {
            scope: scope.clone(),
            taken_at: taken_at.to_string(),
        },
    );
    (scope, found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::review::review;
    use crate::engine::fixtures::{self, edge, group, user, SUB, WS};
    use crate::model::*;

    const TAKEN: &str = "2026-01-01T00:00:00Z";
    const WS2: &str =
        "/subscriptions/S1/resourceGroups/RG2/providers/Microsoft.MachineLearningServices/workspaces/w2";

    fn role(id: &str, actions: &[&str]) -> RoleDefinition {
        RoleDefinition {
            id: id.into(),
            role_name: format!("role-{id}"),
            role_type: "CustomRole".into(),
            description: String::new(),
            permissions: vec![PermissionBlock {
                actions: actions.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }],
            assignable_scopes: vec!["/".into()],
        }
    }

    /// u1 ∈ g1 holds `owner` at the subscription (above both workspaces); u2 holds
    /// `reader` at w1 only; a guest u3 holds `reader` at w2 only.
    fn tenant() -> Tenant {
        let mut guest = user("u3");
        guest.user_type = Some("Guest".into());
        let mut t = Tenant {
            principals: vec![user("u1"), user("u2"), guest, group("g1")],
            member_edges: vec![edge("g1", "u1")],
            member_lists: vec!["g1".into()],
            roles: vec![role("owner", &["*"]), role("reader", &["*/read"])],
            ..Default::default()
        };
        t.assignments
            .push(fixtures::assign("a1", "g1", "owner", SUB));
        t.assignments
            .push(fixtures::assign("a2", "u2", "reader", WS));
        t.assignments
            .push(fixtures::assign("a3", "u3", "reader", WS2));
        t
    }

    fn targets() -> Vec<String> {
        vec![WS.to_string(), WS2.to_string()]
    }

    fn carry_of(rows: &[ReviewRow]) -> Vec<Carry> {
        rows.iter().map(|_| Carry::FirstReview).collect()
    }

    #[test]
    fn access_held_above_every_target_is_one_line_reaching_all() {
        let ix = Index::new(&tenant());
        let rv = review(&ix, &targets(), TAKEN);
        let carry = carry_of(&rv.rows);
        let grouped = by_principal(&targets(), &rv.rows, &carry);
        let names: Vec<&str> = grouped
            .iter()
            .map(|p| p.principal.display_name.as_str())
            .collect();
        assert_eq!(names, ["Group g1", "User u1", "User u2", "User u3"]);
        let u1 = &grouped[1];
        assert_eq!(u1.access.len(), 1, "owner at the subscription, once");
        assert_eq!(u1.access[0].reach, Reach::All);
        assert!(u1.privileged());
        assert_eq!(grouped[2].access[0].reach, Reach::Some(vec![0]));
        assert_eq!(grouped[3].access[0].reach, Reach::Some(vec![1]));
        let lines: usize = grouped.iter().map(|p| p.access.len()).sum();
        let keys: HashSet<&str> = rv.rows.iter().map(|r| r.review_key.as_str()).collect();
        assert_eq!(lines, keys.len(), "each review key once");
        // The rows already hold the owner once (SPEC §5's `covers` row); the
        // grouping never adds a line.
        assert!(lines <= rv.rows.len());
    }

    #[test]
    fn figures_count_principals_per_scope_and_each_access_once_in_total() {
        let ix = Index::new(&tenant());
        let rv = review(&ix, &targets(), TAKEN);
        let mut carry = carry_of(&rv.rows);
        let decided = rv.rows.iter().position(|r| r.principal.id == "u2").unwrap();
        carry[decided] = Carry::Decided {
            previous: crate::audit::review::PastDecision {
                decision: "approve".into(),
                comment: None,
                reviewer: "r".into(),
                decided_at: TAKEN.into(),
                snapshot_id: 1,
                content_hash: rv.rows[decided].content_hash.clone(),
            },
        };
        let (per, total) = figures(&targets(), &rv.rows, &carry);
        // w1: u1 (through g1), u2; g1 itself is a group. w2: u1, the guest u3.
        assert_eq!(
            (per[0].principals, per[0].groups, per[0].privileged),
            (2, 1, 1)
        );
        assert_eq!((per[1].principals, per[1].guests), (2, 1));
        assert_eq!(per[0].needs_decision, per[0].rows - 1);
        assert_eq!(
            (total.principals, total.guests, total.privileged),
            (3, 1, 1)
        );
        // Owner for g1 and for u1 through g1, reader for u2 and u3: four accesses.
        assert_eq!(total.rows, 4);
        assert_eq!(total.needs_decision, 3);
        assert_eq!(total.scope, None);
    }

    #[test]
    fn a_row_held_above_all_targets_counts_for_each() {
        let ix = Index::new(&tenant());
        let mut rows = review(&ix, &targets()[..1], TAKEN).rows;
        rows.retain(|r| r.inherited);
        // As SPEC §5's deduplicated row: named by the scope it is held at.
        for r in &mut rows {
            r.target_scope = SUB.into();
        }
        let carry = carry_of(&rows);
        let (per, total) = figures(&targets(), &rows, &carry);
        for f in &per {
            assert_eq!((f.rows, f.principals), (total.rows, total.principals));
        }
        let grouped = by_principal(&targets(), &rows, &carry);
        assert!(grouped
            .iter()
            .all(|p| p.access.iter().all(|a| a.reach == Reach::All)));
    }

    #[test]
    fn lint_is_asked_at_the_nearest_common_scope() {
        let ix = Index::new(&tenant());
        assert_eq!(lint_scope(&ix, &[WS.to_string()]).as_deref(), Some(WS));
        assert_eq!(lint_scope(&ix, &targets()), Some(scope_key(SUB)));
        let in_one_group = [WS.to_string(), format!("{}/providers/P/t/x", fixtures::RG)];
        assert_eq!(
            lint_scope(&ix, &in_one_group),
            Some(scope_key(fixtures::RG))
        );
        assert_eq!(lint_scope(&ix, &[]), None);
    }
}
