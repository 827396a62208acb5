//! Deciding access (SPEC §2): holders, grants, denies, eligibility, and the
//! combination of per-action results; `who` and `can` share one evaluation so they
//! cannot disagree.
//!
//! Never evaluates a condition, never reads anything but the [`Index`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Serialize;

use crate::model::{key, scope_key, PrincipalKind, ScopeKind, ALL_PRINCIPALS};

use super::index::{match_block, BlockMatch, Deny, Index};
use super::scope::kind_of;
use super::window::WindowState;

/// The answer for one principal (SPEC §2.9), best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Allowed,
    Conditional,
    Denied,
    Eligible,
    None,
}

impl Access {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Access::Allowed => "allowed",
            Access::Conditional => "conditional",
            Access::Denied => "denied",
            Access::Eligible => "eligible",
            Access::None => "none",
        }
    }

    /// Can the principal do it now (possibly subject to a condition)?
    pub fn grants(self) -> bool {
        matches!(self, Access::Allowed | Access::Conditional)
    }
}

/// SPEC §2.9: the result for several actions asked together.
pub(crate) fn combine(each: &[Access]) -> Access {
    if each.is_empty() {
        return Access::None;
    }
    let all = |f: fn(Access) -> bool| each.iter().all(|&a| f(a));
    if all(|a| a == Access::Allowed) {
        Access::Allowed
    } else if all(|a| matches!(a, Access::Allowed | Access::Conditional)) {
        Access::Conditional
    } else if each.contains(&Access::Denied)
        && all(|a| matches!(a, Access::Allowed | Access::Conditional | Access::Denied))
    {
        Access::Denied
    } else if all(|a| a != Access::None && a != Access::Denied) {
        Access::Eligible
    } else {
        Access::None
    }
}

/// One action to decide, at one scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionReq {
    pub action: String,
    /// Data plane (matches `dataActions` only).
    pub data: bool,
    /// The scope it is decided at (for activities, the required level's scope).
    pub scope: String,
}

/// A group on the way from a principal to an assignment's holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRef {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// One path that grants an action: principal → groups → assignment → role → block → pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub(crate) action: String,
    pub(crate) via: Vec<GroupRef>,
    pub(crate) assignment_id: String,
    pub(crate) role_definition_id: String,
    pub(crate) role_name: String,
    pub(crate) assignment_scope: String,
    /// The level the assignment is held at.
    pub(crate) scope_level: ScopeKind,
    /// Held above the asked scope.
    pub(crate) inherited: bool,
    /// Index of the permission block that matched.
    pub(crate) block: usize,
    pub(crate) matched_pattern: String,
    /// The assignment's or the block's condition (the grant is then conditional).
    pub(crate) condition: Option<String>,
    /// How far above the asked scope the assignment is held: its place in the
    /// asked scope's chain of ancestors (0: the scope itself; the management-group
    /// chain and `/` come after the subscription), `usize::MAX` when it is not on
    /// it (a grant held elsewhere). What "nearest" means for an activity's grants.
    #[serde(skip)]
    pub(crate) distance: usize,
}

/// A deny assignment that blocks an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DenyHit {
    pub(crate) action: String,
    pub(crate) deny_assignment_id: String,
    pub(crate) deny_name: String,
    pub(crate) deny_scope: String,
    /// The principal entry that named this principal (a group, itself or All Principals).
    pub(crate) matched_principal: String,
    pub(crate) matched_pattern: String,
    /// The deny assignment's `condition`, shown and never evaluated: the deny is
    /// taken to apply (docs/semantics.md). Absent from JSON when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) condition: Option<String>,
}

/// An eligible (PIM) assignment that would grant the action once activated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EligibleGrant {
    pub(crate) action: String,
    pub(crate) via: Vec<GroupRef>,
    pub(crate) eligibility_id: String,
    pub(crate) role_definition_id: String,
    pub(crate) role_name: String,
    pub(crate) assignment_scope: String,
    pub(crate) start_date_time: Option<String>,
    pub(crate) end_date_time: Option<String>,
    pub(crate) matched_pattern: String,
    pub(crate) condition: Option<String>,
    /// PIM for Groups (SPEC §2.11): the group the principal is eligible to join,
    /// whose assignment (`assignment_id`) would grant the action; the window is
    /// the membership's. None for a role eligibility.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) group: Option<GroupRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignment_id: Option<String>,
}

/// Why an action is not (unconditionally) allowed, nearest cause first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum WhyNot {
    /// A role held at or above the scope lists the action but the same block's
    /// `notActions` take it out.
    #[serde(rename_all = "camelCase")]
    ExcludedByNotActions {
        role_name: String,
        assignment_id: String,
        assignment_scope: String,
        via: Vec<GroupRef>,
        matched_pattern: String,
        excluded_by: String,
    },
    #[serde(rename_all = "camelCase")]
    Denied { deny: DenyHit },
    #[serde(rename_all = "camelCase")]
    EligibleOnly { eligible: EligibleGrant },
    /// An eligibility at or above the scope that would grant it, but whose window
    /// is not in force at the snapshot's time (`ended` or `scheduled`, SPEC §2.10).
    #[serde(rename_all = "camelCase")]
    EligibilityNotInForce {
        eligible: EligibleGrant,
        state: WindowState,
    },
    /// An eligibility that would grant it, held only at a scope that does not
    /// contain the asked one (`child` or `other`).
    #[serde(rename_all = "camelCase")]
    EligibleElsewhere {
        eligible: EligibleGrant,
        relation: String,
        state: WindowState,
    },
    /// A time-bound active assignment (PIM) that would grant it, outside its
    /// window at the snapshot's time.
    #[serde(rename_all = "camelCase")]
    AssignmentNotInForce {
        grant: Grant,
        state: WindowState,
        start_date_time: Option<String>,
        end_date_time: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    ConditionalOnly { grant: Grant },
    /// A role that would grant it is held, but only at a scope that does not
    /// contain the asked one.
    #[serde(rename_all = "camelCase")]
    HeldElsewhere {
        role_name: String,
        assignment_id: String,
        assignment_scope: String,
        /// `child` (below the asked scope) or `other` (a sibling or unrelated scope).
        relation: String,
        via: Vec<GroupRef>,
        matched_pattern: String,
    },
    /// A role's `actions` match, but the action is a data action, which only
    /// `dataActions` can grant.
    #[serde(rename_all = "camelCase")]
    DataActionNotCovered {
        role_name: String,
        assignment_id: String,
        matched_pattern: String,
    },
    /// An assignment at or above the scope refers to a role that is not defined.
    #[serde(rename_all = "camelCase")]
    UndefinedRole {
        assignment_id: String,
        role_definition_id: String,
        role_definition_name: Option<String>,
    },
    /// Nothing held anywhere grants it.
    NoAssignment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionDecision {
    pub action: String,
    pub(crate) data: bool,
    pub(crate) scope: String,
    pub(crate) access: Access,
    pub(crate) grants: Vec<Grant>,
    pub(crate) denies: Vec<DenyHit>,
    pub(crate) eligible: Vec<EligibleGrant>,
    pub why_not: Vec<WhyNot>,
}

pub(crate) use super::incomplete::{Incomplete, Reason as IncompleteReason};

/// Who a principal is, as far as the snapshot knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrincipalInfo {
    /// Lowercase object id.
    pub(crate) id: String,
    /// `User`, `Group`, `ServicePrincipal` (managed identities too), or the type an
    /// assignment gave for an id in no listing.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) display_name: String,
    pub(crate) user_principal_name: Option<String>,
    pub(crate) user_type: Option<String>,
    pub(crate) account_enabled: Option<bool>,
    pub(crate) managed_identity: bool,
    /// Deleted (`Some(true)`), listed (`Some(false)`) or unknown (`None`: no
    /// directory listing of its kind was imported), per [`orphan_status`].
    pub(crate) orphaned: Option<bool>,
}

impl PrincipalInfo {
    /// Known to be deleted (SPEC §1: only on evidence).
    pub(crate) fn is_orphaned(&self) -> bool {
        self.orphaned == Some(true)
    }

    /// The orphan status as CSV and tables show it: `true`, `false` or `unknown`.
    pub(crate) fn orphan_text(&self) -> &'static str {
        match self.orphaned {
            Some(true) => "true",
            Some(false) => "false",
            None => "unknown",
        }
    }

    pub(crate) fn is_group(&self) -> bool {
        crate::model::names_group(&self.kind)
    }

    /// A guest (B2B) user: `userType` is `Guest`.
    pub(crate) fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case("Guest"))
    }

    /// An account the directory lists as disabled (`accountEnabled: false`).
    pub(crate) fn is_disabled(&self) -> bool {
        self.account_enabled == Some(false)
    }
}

pub(crate) fn principal_info(ix: &Index, id: &str) -> PrincipalInfo {
    let k = key(id);
    let record = ix.principals.get(&k);
    let from_assignment = ix.assignment_principal(&k);
    // The kind: the record's (a listing's, or a member file's own entry), else the
    // type an assignment gave, else what the member lists say.
    let kind: String = match record {
        Some(p) => match p.kind {
            PrincipalKind::ManagedIdentity => "ServicePrincipal".into(),
            other => other.as_str().into(),
        },
        None => match from_assignment {
            Some(a) if !a.kind.is_empty() => a.kind.clone(),
            _ if ix.is_group(&k) => "Group".to_string(),
            _ => match ix.member_kind(&k) {
                Some(PrincipalKind::ManagedIdentity) => "ServicePrincipal".to_string(),
                Some(kind) => kind.as_str().to_string(),
                None => "Unknown".to_string(),
            },
        },
    };
    let orphaned = orphan_status(
        record.map(|p| !p.from_member_list),
        from_assignment.is_some_and(|a| a.deleted),
        &kind,
        &ix.listed_kinds,
    );
    match record {
        // A record that names nothing (a member file's bare entry: `@odata.type`
        // and `id`) takes the names an assignment gave, as `name_of` does.
        Some(p) => PrincipalInfo {
            id: k,
            kind,
            display_name: if p.display_name.is_empty() {
                from_assignment
                    .and_then(|a| a.names.display_name.clone())
                    .unwrap_or_default()
            } else {
                p.display_name.clone()
            },
            user_principal_name: p
                .user_principal_name
                .clone()
                .or_else(|| from_assignment.and_then(|a| a.names.user_principal_name.clone())),
            user_type: p.user_type.clone(),
            account_enabled: p.account_enabled,
            managed_identity: p.kind == PrincipalKind::ManagedIdentity,
            orphaned,
        },
        None => PrincipalInfo {
            id: k,
            kind,
            display_name: from_assignment
                .and_then(|a| a.names.display_name.clone())
                .unwrap_or_default(),
            user_principal_name: from_assignment.and_then(|a| a.names.user_principal_name.clone()),
            user_type: None,
            account_enabled: None,
            managed_identity: false,
            orphaned,
        },
    }
}

/// SPEC §1, "Orphans only on evidence": is a principal deleted?
/// - `Some(false)`: a directory listing holds it (`listed == Some(true)`);
/// - `Some(true)`: an assignment says so (`principalName: ""`, PowerShell's
///   `ObjectType: Unknown`), or listings of its kind were imported and it is in
///   none of them;
/// - `None` (unknown): no listing of its kind was imported (a member file's own
///   entry says who it is, not that it still exists).
///
/// `listed`: whether a record of it exists and came from a listing (None: no
/// record at all). `kind`: its type as best known (`User`, `Group`,
/// `ServicePrincipal`...). The one copy of this rule: `who`, `can`, `review`,
/// `diff` and `lint` all ask here.
pub(crate) fn orphan_status(
    listed: Option<bool>,
    deleted_by_assignment: bool,
    kind: &str,
    listed_kinds: &[PrincipalKind],
) -> Option<bool> {
    if listed == Some(true) {
        return Some(false);
    }
    if deleted_by_assignment {
        return Some(true);
    }
    let kind = match PrincipalKind::parse(kind) {
        PrincipalKind::ManagedIdentity => PrincipalKind::ServicePrincipal,
        k => k,
    };
    match kind {
        PrincipalKind::User | PrincipalKind::Group | PrincipalKind::ServicePrincipal => {
            listed_kinds.contains(&kind).then_some(true)
        }
        // Devices and contacts are not principals; an id of no known type is
        // orphaned only when every kind of listing was imported.
        PrincipalKind::Device | PrincipalKind::OrgContact => None,
        _ => [
            PrincipalKind::User,
            PrincipalKind::Group,
            PrincipalKind::ServicePrincipal,
        ]
        .iter()
        .all(|k| listed_kinds.contains(k))
        .then_some(true),
    }
}

/// The decision for one principal over a set of actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub(crate) principal: PrincipalInfo,
    pub access: Access,
    pub actions: Vec<ActionDecision>,
}

impl Decision {
    /// Keeps, for each action, only its nearest grant (SPEC §4: an activity's answer
    /// carries one grant per required operation unless every path is asked for).
    /// The nearest is, in order: unconditional before conditional (so an `allowed`
    /// answer shows a grant that allows), the shortest group chain (direct first),
    /// held at the asked scope before inherited, the assignment nearest the scope
    /// (deepest), then the assignment id and pattern, so the choice never depends on
    /// the order grants were found in. Denies, eligibilities and why-not reasons are
    /// kept whole: they are not paths that grant.
    pub(crate) fn keep_nearest_grants(&mut self) {
        for a in &mut self.actions {
            a.keep_nearest_grant();
        }
    }
}

impl ActionDecision {
    /// This decision, made for an action of the same class at the same scope
    /// ([`ActionClasses`]), as the decision of `req`: every part that names the
    /// action names `req`'s.
    fn for_action(&self, req: &ActionReq) -> ActionDecision {
        let mut d = self.clone();
        d.action.clone_from(&req.action);
        d.data = req.data;
        d.scope.clone_from(&req.scope);
        for g in &mut d.grants {
            g.action.clone_from(&req.action);
        }
        for x in &mut d.denies {
            x.action.clone_from(&req.action);
        }
        for e in &mut d.eligible {
            e.action.clone_from(&req.action);
        }
        for w in &mut d.why_not {
            w.set_action(&req.action);
        }
        d
    }

    /// [`Decision::keep_nearest_grants`] for one action.
    pub(crate) fn keep_nearest_grant(&mut self) {
        if self.grants.len() > 1 {
            let best = self
                .grants
                .iter()
                .enumerate()
                .min_by(|(_, x), (_, y)| nearness(x).cmp(&nearness(y)))
                .map(|(i, _)| i)
                .expect("more than one grant");
            let g = self.grants.swap_remove(best);
            self.grants = vec![g];
        }
    }
}

/// The order [`Decision::keep_nearest_grants`] picks by (smallest first).
fn nearness(g: &Grant) -> (bool, usize, usize, &str, &str) {
    (
        g.condition.is_some(),
        g.via.len(),
        g.distance,
        &g.assignment_id,
        &g.matched_pattern,
    )
}

/// A holder: the principal itself or a group it belongs to, with the chain of groups
/// leading there (nearest first, ending with the holder; empty for itself).
#[derive(Debug, Clone)]
pub(crate) struct Holder {
    pub(crate) id: String,
    pub(crate) via: Vec<String>,
}

/// The principal and every group it is a member of, transitively (breadth first,
/// the one membership walk [`super::walk::breadth_first`], groups in key order: so
/// each chain is a shortest one; cycles end).
pub(crate) fn holders(ix: &Index, principal: &str) -> Vec<Holder> {
    let walk = super::walk::breadth_first([key(principal)], |p| {
        ix.groups_of.get(p).into_iter().flatten()
    });
    let mut out: Vec<Holder> = Vec::with_capacity(walk.len());
    for r in walk {
        let via = match r.from {
            None => Vec::new(),
            Some(f) => {
                let mut via = out[f].via.clone();
                via.push(r.id.clone());
                via
            }
        };
        out.push(Holder { id: r.id, via });
    }
    out
}

/// The keys of [`holders`] (the same walk, in the same order), without their chains.
pub(crate) fn holder_ids(ix: &Index, principal: &str) -> Vec<String> {
    super::walk::breadth_first([key(principal)], |p| {
        ix.groups_of.get(p).into_iter().flatten()
    })
    .into_iter()
    .map(|r| r.id)
    .collect()
}

/// What [`decide_one`] reads of a principal's holders, looked up once for all
/// the actions asked of it: each holder's assignments, eligibilities and
/// eligible groups (PIM for Groups), and its group chain with names (made when
/// first needed).
struct Held<'a> {
    assignments: Vec<&'a [usize]>,
    eligibilities: Vec<&'a [usize]>,
    eligible_groups: Vec<&'a [usize]>,
    via: Vec<std::cell::OnceCell<Vec<GroupRef>>>,
}

impl<'a> Held<'a> {
    fn new(ix: &'a Index, hs: &[Holder]) -> Self {
        let of = |by: &'a HashMap<String, Vec<usize>>| -> Vec<&'a [usize]> {
            hs.iter()
                .map(|h| by.get(&h.id).map_or(&[][..], Vec::as_slice))
                .collect()
        };
        Held {
            assignments: of(&ix.assignments_by_holder),
            eligibilities: of(&ix.eligibilities_by_holder),
            eligible_groups: of(&ix.eligible_groups_of),
            via: hs.iter().map(|_| std::cell::OnceCell::new()).collect(),
        }
    }

    /// Holder `hi`'s group chain, nearest group first.
    fn via(&self, ix: &Index, hs: &[Holder], hi: usize) -> Vec<GroupRef> {
        self.via[hi]
            .get_or_init(|| group_refs(ix, &hs[hi].via))
            .clone()
    }
}

fn group_refs(ix: &Index, via: &[String]) -> Vec<GroupRef> {
    via.iter()
        .map(|g| GroupRef {
            id: g.clone(),
            name: ix.name_of(g),
        })
        .collect()
}

/// What one question computes once and reuses for every principal: ancestor sets
/// per scope, and how each role's blocks match each asked action.
#[derive(Default)]
pub struct Ancestry {
    cache: HashMap<String, Chain>,
    /// Lowercase action → slot, for the control plane \[0\] and the data plane \[1\].
    action_slots: [HashMap<String, usize>; 2],
    /// (role index, action slot) → one match per block of the role.
    matches: rustc_hash::FxHashMap<(usize, usize), std::rc::Rc<[BlockMatch]>>,
    /// Actions decided alike ([`ActionClasses`]), once [`Ancestry::share_classes`]
    /// asks for it.
    classes: Option<ActionClasses>,
    /// Keep only the nearest grant of each action ([`ActionDecision::keep_nearest_grant`]).
    nearest: bool,
    /// Stop deciding a principal's actions at the first with no access.
    stop_at_none: bool,
}

/// Actions that the roles and deny assignments that can matter at a scope match
/// alike: the same outcome, block by block, for every role held on the scope's
/// chain (with an explanation, every role held anywhere; for a data action, the
/// same outcome in the control plane too, which an explanation names) and the
/// same pattern for every deny assignment on the chain. [`decide_one`] reads an
/// action only through those matches, so two such actions asked at one scope get
/// the same decision, but for the action it names: an activity's dozens of
/// operations (most of them granted by the same `*` or `workspaces/*/read`) are
/// decided once per class, for each of `who`'s candidates.
#[derive(Default)]
struct ActionClasses {
    /// Per (scope key, explain).
    by_scope: std::collections::HashMap<(String, bool), ScopeClasses>,
    /// What was answered, by the action and scope as asked (explain and data
    /// first): a place (its scope key's index in `places`) and a class, found
    /// again for every candidate without a lowercase copy.
    asked: [HashMap<String, HashMap<String, PlacedClass>>; 4],
    places: Vec<(String, bool)>,
}

struct ScopeClasses {
    /// The roles a decision at the scope can match: those of the assignments
    /// and eligibilities on its chain (with an explanation, of all of them).
    roles: Vec<usize>,
    /// The deny assignments on the scope's chain.
    denies: Vec<usize>,
    /// Action slot → its class.
    of_slot: HashMap<usize, u32>,
    /// An action's matches → its class.
    by_matches: std::collections::HashMap<ClassKey, u32>,
}

/// Where an action was asked (an index in [`ActionClasses::places`]) and its
/// class there.
type PlacedClass = (usize, u32);

/// What decides an action's class (see [`ActionClasses`]).
type ClassKey = (bool, Vec<BlockMatch>, Vec<Option<String>>);

/// A scope's ancestors, nearest first, and the same as a set.
pub(crate) type Chain = std::rc::Rc<(Vec<String>, HashSet<String>)>;

/// Whether scope key `s` is on `chain` (a scope's ancestors). A chain is short
/// (the path's prefixes, the management groups, the root): comparing `s` with
/// each, most of them told apart by length, costs less than hashing `s`, which
/// `decide_one` would do for every assignment of every holder and action.
fn on_chain(chain: &(Vec<String>, HashSet<String>), s: &str) -> bool {
    if chain.0.len() <= 24 {
        chain.0.iter().any(|c| c == s)
    } else {
        chain.1.contains(s)
    }
}

impl Ancestry {
    /// Decide actions alike once per principal ([`ActionClasses`]): worth it
    /// where many principals are asked many actions (`who`, an activity), not
    /// for one principal asked each catalogue operation (`what`).
    pub(crate) fn share_classes(&mut self) {
        self.classes.get_or_insert_with(Default::default);
    }

    /// Keep only the nearest grant of each action decided (an activity's answer,
    /// SPEC §4), before a decision is copied to the other actions of its class.
    pub(crate) fn keep_nearest(&mut self) {
        self.nearest = true;
    }

    /// Stop deciding a principal's actions at the first one it has no access to:
    /// the decision of them together is then `none` whatever the rest are (SPEC
    /// §2.9), and such a decision is only kept for its access. For `who`, which
    /// leaves out every principal whose answer is `none`.
    pub(crate) fn stop_at_none(&mut self) {
        self.stop_at_none = true;
    }

    /// The class of `req`, when classes are shared, and where it was asked (two
    /// requests of one class asked at the same place are decided alike).
    fn req_class(&mut self, ix: &Index, req: &ActionReq, explain: bool) -> Option<(usize, u32)> {
        let ask = usize::from(explain) * 2 + usize::from(req.data);
        let found = self.classes.as_ref()?.asked[ask]
            .get(req.action.as_str())
            .and_then(|by| by.get(req.scope.as_str()));
        if let Some(&hit) = found {
            return Some(hit);
        }
        let at = scope_key(&req.scope);
        let c = self.action_class(ix, &key(req.action.trim()), req.data, &at, explain)?;
        let classes = self.classes.as_mut()?;
        let place = (at, explain);
        let p = match classes.places.iter().position(|x| *x == place) {
            Some(p) => p,
            None => {
                classes.places.push(place);
                classes.places.len() - 1
            }
        };
        classes.asked[ask]
            .entry(req.action.clone())
            .or_default()
            .insert(req.scope.clone(), (p, c));
        Some((p, c))
    }

    /// The class of an action asked at scope key `at`, when classes are shared.
    fn action_class(
        &mut self,
        ix: &Index,
        action_lower: &str,
        data: bool,
        at: &str,
        explain: bool,
    ) -> Option<u32> {
        self.classes.as_ref()?;
        let slot = self.action_slot(action_lower, data);
        let place = (at.to_string(), explain);
        if !self.classes.as_ref()?.by_scope.contains_key(&place) {
            let chain = self.get(ix, at);
            let on_chain = |by: &HashMap<String, Vec<usize>>| -> Vec<usize> {
                chain
                    .0
                    .iter()
                    .flat_map(|c| by.get(c))
                    .flatten()
                    .copied()
                    .collect()
            };
            let mut roles: Vec<usize> = if explain {
                ix.assignment_role
                    .iter()
                    .chain(&ix.eligibility_role)
                    .flatten()
                    .copied()
                    .collect()
            } else {
                let a = on_chain(&ix.assignments_by_scope);
                let e = on_chain(&ix.eligibilities_by_scope);
                a.iter()
                    .filter_map(|&ai| ix.assignment_role[ai])
                    .chain(e.iter().filter_map(|&ei| ix.eligibility_role[ei]))
                    .collect()
            };
            roles.sort_unstable();
            roles.dedup();
            let mut denies = on_chain(&ix.denies_by_scope);
            denies.sort_unstable();
            denies.dedup();
            self.classes.as_mut()?.by_scope.insert(
                place.clone(),
                ScopeClasses {
                    roles,
                    denies,
                    of_slot: HashMap::default(),
                    by_matches: Default::default(),
                },
            );
        }
        let sc = self.classes.as_ref()?.by_scope.get(&place)?;
        if let Some(&c) = sc.of_slot.get(&slot) {
            return Some(c);
        }
        let (roles, denies) = (sc.roles.clone(), sc.denies.clone());
        let mut matches = Vec::new();
        for ri in roles {
            matches.extend(
                self.role_matches(ix, ri, slot, action_lower, data)
                    .iter()
                    .cloned(),
            );
            if data {
                // What an explanation says of a data action the role's
                // `actions` match (`DataActionNotCovered`).
                matches.extend(
                    ix.roles[ri]
                        .blocks
                        .iter()
                        .map(|b| match_block(b, action_lower, false)),
                );
            }
        }
        let denies = denies
            .iter()
            .map(|&di| {
                ix.denies[di]
                    .blocks
                    .iter()
                    .find_map(|b| match match_block(b, action_lower, data) {
                        BlockMatch::Grants { pattern } => Some(pattern),
                        _ => None,
                    })
            })
            .collect();
        let sc = self.classes.as_mut()?.by_scope.get_mut(&place)?;
        let next = u32::try_from(sc.by_matches.len()).ok()?;
        let c = *sc.by_matches.entry((data, matches, denies)).or_insert(next);
        sc.of_slot.insert(slot, c);
        Some(c)
    }

    pub(crate) fn get(&mut self, ix: &Index, scope: &str) -> Chain {
        if let Some(c) = self.cache.get(scope) {
            return c.clone();
        }
        let k = scope_key(scope);
        let c = self
            .cache
            .entry(k.clone())
            .or_insert_with(|| {
                let v = ix.tree.ancestors(&k);
                let s = v.iter().cloned().collect();
                std::rc::Rc::new((v, s))
            })
            .clone();
        self.cache.insert(scope.to_string(), c.clone());
        c
    }

    pub(crate) fn action_slot(&mut self, action_lower: &str, data: bool) -> usize {
        let n = self.action_slots[0].len() + self.action_slots[1].len();
        let plane = &mut self.action_slots[usize::from(data)];
        if let Some(&slot) = plane.get(action_lower) {
            return slot;
        }
        plane.insert(action_lower.to_string(), n);
        n
    }

    /// How each block of role `ri` matches the action in `slot`.
    pub(crate) fn role_matches(
        &mut self,
        ix: &Index,
        ri: usize,
        slot: usize,
        action_lower: &str,
        data: bool,
    ) -> std::rc::Rc<[BlockMatch]> {
        self.matches
            .entry((ri, slot))
            .or_insert_with(|| {
                ix.roles[ri]
                    .blocks
                    .iter()
                    .map(|b| match_block(b, action_lower, data))
                    .collect()
            })
            .clone()
    }
}

/// SPEC §2.6, where a deny assignment applies: held at `deny_scope` (a scope key
/// on `target`'s chain, the target included), it reaches `target` unless it does
/// not apply to child scopes and `target` is below it.
pub(crate) fn deny_reaches(d: &Deny, deny_scope: &str, target: &str) -> bool {
    !d.def.do_not_apply_to_child_scopes || deny_scope == target
}

/// SPEC §2.6, whom a deny assignment applies to: the entry of its `principals` that
/// names one of a principal's holders (All Principals first, else the nearest:
/// `nearest_first` is the holders' ids in walk order), unless one of the holders
/// (or All Principals) is excluded. The rule is [`deny_subject_of`]'s; the
/// property tests hold [`DenyNames`] to it.
#[cfg(test)]
pub(crate) fn deny_names<'h>(
    d: &Deny,
    nearest_first: impl Iterator<Item = &'h str> + Clone,
) -> Option<String> {
    let subject = deny_subject_of(d, nearest_first);
    if subject.applies() {
        subject.named
    } else {
        None
    }
}

/// [`deny_names`] for every deny assignment of an index at once, for questions
/// about many principals (the review): each holder's entries are looked up once
/// instead of each deny's lists once per holder, and a group's holders are
/// walked once for all its members. `of(holders)` and `of_principal` hold exactly
/// the denies for which `deny_names` is `Some` (unit tests check it).
pub(crate) struct DenyNames {
    /// Denies naming All Principals, and excluding it.
    all: Vec<usize>,
    all_excluded: Vec<usize>,
    /// Principal key → the denies naming it, and excluding it.
    named: HashMap<String, Vec<usize>>,
    excluded: HashMap<String, Vec<usize>>,
    count: usize,
    /// Group key → (named, excluded) over the group's holders (itself included).
    groups: HashMap<String, std::rc::Rc<Marks>>,
}

/// Which deny assignments a set of holders' entries name, and which exclude: one
/// bit per deny assignment, 64 to a word.
type Marks = (Vec<u64>, Vec<u64>);

impl DenyNames {
    pub(crate) fn new(ix: &Index) -> DenyNames {
        let mut n = DenyNames {
            all: Vec::new(),
            all_excluded: Vec::new(),
            named: HashMap::default(),
            excluded: HashMap::default(),
            count: ix.denies.len(),
            groups: HashMap::default(),
        };
        for (i, d) in ix.denies.iter().enumerate() {
            for p in &d.principals {
                match p.as_str() {
                    ALL_PRINCIPALS => n.all.push(i),
                    k => n.named.entry(k.to_string()).or_default().push(i),
                }
            }
            for p in &d.excluded {
                match p.as_str() {
                    ALL_PRINCIPALS => n.all_excluded.push(i),
                    k => n.excluded.entry(k.to_string()).or_default().push(i),
                }
            }
        }
        n
    }

    /// The denies (ascending indices) that name a principal with these holders
    /// (keys, the principal included) and exclude none of them.
    #[cfg(test)]
    pub(crate) fn of<'h>(&self, holders: impl Iterator<Item = &'h str>) -> Vec<usize> {
        let (named, excluded) = self.marks(holders);
        self.verdict(&named, &excluded)
    }

    /// [`DenyNames::of`] the principal's holders ([`holder_ids`]): its own entries
    /// and those of the holders of each group it is a direct member of.
    pub(crate) fn of_principal(&mut self, ix: &Index, principal: &str) -> Vec<usize> {
        self.of_principal_joining(ix, principal, None)
    }

    /// [`DenyNames::of_principal`] once the principal is also a direct member
    /// of `joining` (a group it is eligible to join through PIM for Groups: the
    /// denies that would name it once it activates).
    pub(crate) fn of_principal_joining(
        &mut self,
        ix: &Index,
        principal: &str,
        joining: Option<&str>,
    ) -> Vec<usize> {
        if self.count == 0 {
            return Vec::new();
        }
        let k = key(principal);
        let (mut named, mut excluded) = self.marks(std::iter::once(k.as_str()));
        let joined = joining.map(key);
        for g in ix
            .groups_of
            .get(&k)
            .into_iter()
            .flatten()
            .chain(joined.as_ref())
        {
            let marks = match self.groups.get(g) {
                Some(m) => m.clone(),
                None => {
                    let hs = holder_ids(ix, g);
                    let m = std::rc::Rc::new(self.marks(hs.iter().map(String::as_str)));
                    self.groups.insert(g.clone(), m.clone());
                    m
                }
            };
            for (w, m) in named.iter_mut().zip(&marks.0) {
                *w |= m;
            }
            for (w, m) in excluded.iter_mut().zip(&marks.1) {
                *w |= m;
            }
        }
        self.verdict(&named, &excluded)
    }

    /// Which denies these holders' entries name, and which exclude.
    fn marks<'h>(&self, holders: impl Iterator<Item = &'h str>) -> Marks {
        let words = self.count.div_ceil(64);
        let mut named = vec![0; words];
        let mut excluded = vec![0; words];
        for h in holders {
            for &i in self.named.get(h).into_iter().flatten() {
                named[i / 64] |= 1 << (i % 64);
            }
            for &i in self.excluded.get(h).into_iter().flatten() {
                excluded[i / 64] |= 1 << (i % 64);
            }
        }
        (named, excluded)
    }

    fn verdict(&self, named: &[u64], excluded: &[u64]) -> Vec<usize> {
        let mut named = named.to_vec();
        let mut excluded = excluded.to_vec();
        for &i in &self.all {
            named[i / 64] |= 1 << (i % 64);
        }
        for &i in &self.all_excluded {
            excluded[i / 64] |= 1 << (i % 64);
        }
        (0..self.count)
            .filter(|&i| (named[i / 64] & !excluded[i / 64]) >> (i % 64) & 1 == 1)
            .collect()
    }
}

/// Decide every action for one principal. `explain` adds the why-not reasons.
pub fn decide(
    ix: &Index,
    principal: &str,
    reqs: &[ActionReq],
    explain: bool,
    anc: &mut Ancestry,
) -> Decision {
    let hs = holders(ix, principal);
    let actions = decide_each(ix, &hs, reqs, explain, anc);
    let access = combine(&actions.iter().map(|a| a.access).collect::<Vec<_>>());
    Decision {
        principal: principal_info(ix, principal),
        access,
        actions,
    }
}

/// [`decide`]'s decision of each action, for a principal whose [`holders`] are
/// already walked (a caller that asks one principal many questions walks once);
/// with [`Ancestry::stop_at_none`], up to the first action with none.
pub(crate) fn decide_each<'r>(
    ix: &Index,
    hs: &[Holder],
    reqs: impl IntoIterator<Item = &'r ActionReq>,
    explain: bool,
    anc: &mut Ancestry,
) -> Vec<ActionDecision> {
    let held = Held::new(ix, hs);
    let mut out: Vec<ActionDecision> = Vec::new();
    // ((place, class), the decision made for it).
    let mut made: Vec<((usize, u32), usize)> = Vec::new();
    for req in reqs {
        if let Some(c) = anc.req_class(ix, req, explain) {
            if let Some(&(_, i)) = made.iter().find(|(k, _)| *k == c) {
                let d = out[i].for_action(req);
                out.push(d);
                continue;
            }
            made.push((c, out.len()));
        }
        let mut d = decide_one(ix, hs, &held, req, explain, anc);
        if anc.nearest {
            d.keep_nearest_grant();
        }
        let none = d.access == Access::None;
        out.push(d);
        if none && anc.stop_at_none {
            break;
        }
    }
    out
}

fn decide_one(
    ix: &Index,
    hs: &[Holder],
    held: &Held,
    req: &ActionReq,
    explain: bool,
    anc: &mut Ancestry,
) -> ActionDecision {
    let target = scope_key(&req.scope);
    let action_l = key(req.action.trim());
    let chain_rc = anc.get(ix, &req.scope);
    let chain = &chain_rc.0;
    let in_chain = |s: &str| on_chain(&chain_rc, s);
    let mut grants = Vec::new();
    let mut why = Vec::new();
    let mut elsewhere = Vec::new();

    let slot = anc.action_slot(&action_l, req.data);
    let only_nearest = anc.nearest && !explain;
    for (hi, _) in hs.iter().enumerate() {
        for &ai in held.assignments[hi] {
            let a_scope = &ix.assignment_scope[ai];
            let applies = in_chain(a_scope);
            if !applies && !explain {
                // Held elsewhere only matters to an explanation.
                continue;
            }
            let a = &ix.assignments[ai];
            let Some(ri) = ix.assignment_role[ai] else {
                if explain && applies {
                    why.push(WhyNot::UndefinedRole {
                        assignment_id: a.id.clone(),
                        role_definition_id: a.role_definition_id.clone(),
                        role_definition_name: a.role_definition_name.clone(),
                    });
                }
                continue;
            };
            let role = &ix.roles[ri];
            let matches = anc.role_matches(ix, ri, slot, &action_l, req.data);
            let a_cond = || a.condition.clone().filter(|c| !c.trim().is_empty());
            // A time-bound active assignment grants only inside its window.
            let state = if a.start_date_time.is_some() || a.end_date_time.is_some() {
                ix.window(a.start_date_time.as_deref(), a.end_date_time.as_deref())
            } else {
                WindowState::Active
            };
            let a_cond_is_some = a.condition.as_deref().is_some_and(|c| !c.trim().is_empty());
            let distance = || {
                chain
                    .iter()
                    .position(|c| c == a_scope)
                    .unwrap_or(usize::MAX)
            };
            let grant = |bi: usize, block: &super::index::Block, pattern: &str| Grant {
                action: req.action.clone(),
                via: held.via(ix, hs, hi),
                assignment_id: a.id.clone(),
                role_definition_id: role_id_of(&role.def.id, &a.role_definition_id),
                role_name: role.def.role_name.clone(),
                assignment_scope: a.scope.clone(),
                scope_level: kind_of(a_scope),
                inherited: *a_scope != target,
                block: bi,
                matched_pattern: pattern.to_string(),
                condition: a_cond().or_else(|| block.condition.clone()),
                distance: distance(),
            };
            for (bi, (block, m)) in role.blocks.iter().zip(matches.iter()).enumerate() {
                match m {
                    BlockMatch::Grants { pattern } if applies && !state.is_active() && explain => {
                        why.push(WhyNot::AssignmentNotInForce {
                            grant: grant(bi, block, pattern),
                            state,
                            start_date_time: a.start_date_time.clone(),
                            end_date_time: a.end_date_time.clone(),
                        });
                    }
                    // Out of its window: grants nothing.
                    BlockMatch::Grants { .. } if applies && !state.is_active() => {}
                    // Only the nearest grant kept, and no explanation to list
                    // the others: a grant is made only when it is nearer than
                    // the one kept (`keep_nearest_grant`'s order, then the
                    // block, as the sort below would leave them).
                    BlockMatch::Grants { pattern } if applies && only_nearest => {
                        let cond = a_cond_is_some || block.condition.is_some();
                        let nearer = grants.first().is_none_or(|kept: &Grant| {
                            let this = (
                                cond,
                                hs[hi].via.len(),
                                distance(),
                                a.id.as_str(),
                                pattern.as_str(),
                            );
                            this.cmp(&nearness(kept)).then(bi.cmp(&kept.block)).is_lt()
                        });
                        if nearer {
                            grants.clear();
                            grants.push(grant(bi, block, pattern));
                        }
                    }
                    BlockMatch::Grants { pattern } if applies => {
                        grants.push(grant(bi, block, pattern));
                    }
                    BlockMatch::Grants { pattern } if explain => {
                        let relation = if ix.tree.is_below(a_scope, &target) {
                            "child"
                        } else {
                            "other"
                        };
                        elsewhere.push(WhyNot::HeldElsewhere {
                            role_name: role.def.role_name.clone(),
                            assignment_id: a.id.clone(),
                            assignment_scope: a.scope.clone(),
                            relation: relation.into(),
                            via: held.via(ix, hs, hi),
                            matched_pattern: pattern.clone(),
                        });
                    }
                    BlockMatch::Excluded {
                        pattern,
                        excluded_by,
                    } if explain && applies => why.push(WhyNot::ExcludedByNotActions {
                        role_name: role.def.role_name.clone(),
                        assignment_id: a.id.clone(),
                        assignment_scope: a.scope.clone(),
                        via: held.via(ix, hs, hi),
                        matched_pattern: pattern.clone(),
                        excluded_by: excluded_by.clone(),
                    }),
                    BlockMatch::NoMatch if explain && applies && req.data => {
                        if let BlockMatch::Grants { pattern } = match_block(block, &action_l, false)
                        {
                            why.push(WhyNot::DataActionNotCovered {
                                role_name: role.def.role_name.clone(),
                                assignment_id: a.id.clone(),
                                matched_pattern: pattern,
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    // Deny assignments at the scope or above (only the scope itself when they do
    // not apply to children).
    let mut denies = Vec::new();
    for s in chain {
        for &di in ix.denies_by_scope.get(s).into_iter().flatten() {
            let d = &ix.denies[di];
            if !deny_reaches(d, s, &target) {
                continue;
            }
            let subject = deny_subject(d, hs);
            let Some(named) = subject.named else { continue };
            if subject.excluded.is_some() {
                continue;
            }
            let hit = d
                .blocks
                .iter()
                .find_map(|b| match match_block(b, &action_l, req.data) {
                    BlockMatch::Grants { pattern } => Some(pattern),
                    _ => None,
                });
            if let Some(pattern) = hit {
                denies.push(DenyHit {
                    action: req.action.clone(),
                    deny_assignment_id: d.def.id.clone(),
                    deny_name: d.def.name.clone(),
                    deny_scope: d.def.scope.clone(),
                    matched_principal: named,
                    matched_pattern: pattern,
                    condition: d
                        .def
                        .condition
                        .as_deref()
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string),
                });
            }
        }
    }

    // Eligible (PIM) assignments that would grant it, in force at the snapshot's
    // time; with `explain`, also those out of their window or held elsewhere.
    let mut eligible = Vec::new();
    for (hi, _) in hs.iter().enumerate() {
        for &ei in held.eligibilities[hi] {
            let e = &ix.eligibilities[ei];
            let e_scope = &ix.eligibility_scope[ei];
            let applies = in_chain(e_scope);
            if !applies && !explain {
                continue;
            }
            let Some(ri) = ix.eligibility_role[ei] else {
                continue;
            };
            let role = &ix.roles[ri];
            let matches = anc.role_matches(ix, ri, slot, &action_l, req.data);
            let hit = role
                .blocks
                .iter()
                .zip(matches.iter())
                .find_map(|(block, m)| match m {
                    BlockMatch::Grants { pattern } => Some((block, pattern.clone())),
                    _ => None,
                });
            let Some((block, pattern)) = hit else {
                continue;
            };
            let grant = EligibleGrant {
                action: req.action.clone(),
                via: held.via(ix, hs, hi),
                eligibility_id: e.id.clone(),
                role_definition_id: role_id_of(&role.def.id, &e.role_definition_id),
                role_name: role.def.role_name.clone(),
                assignment_scope: e.scope.clone(),
                start_date_time: e.start_date_time.clone(),
                end_date_time: e.end_date_time.clone(),
                matched_pattern: pattern,
                condition: e.condition.clone().or_else(|| block.condition.clone()),
                group: None,
                assignment_id: None,
            };
            let state = ix.window(e.start_date_time.as_deref(), e.end_date_time.as_deref());
            place_eligible(
                ix,
                &target,
                e_scope,
                applies,
                state,
                grant,
                &mut eligible,
                &mut why,
                &mut elsewhere,
            );
        }
    }
    // PIM for Groups (SPEC §2.11): eligible to join a group whose assignments
    // grant it, with the membership's window.
    for (hi, h) in hs.iter().enumerate() {
        for &gi in held.eligible_groups[hi] {
            let ge = &ix.group_eligibilities[gi];
            let g = key(&ge.group_id);
            let state = ix.window(ge.start_date_time.as_deref(), ge.end_date_time.as_deref());
            for gh in holders(ix, &g) {
                for &ai in ix.assignments_by_holder.get(&gh.id).into_iter().flatten() {
                    let a_scope = &ix.assignment_scope[ai];
                    let applies = in_chain(a_scope);
                    if !applies && !explain {
                        continue;
                    }
                    let a = &ix.assignments[ai];
                    if !ix.assignment_in_force(ai) {
                        continue;
                    }
                    let Some(ri) = ix.assignment_role[ai] else {
                        continue;
                    };
                    let role = &ix.roles[ri];
                    let matches = anc.role_matches(ix, ri, slot, &action_l, req.data);
                    let hit =
                        role.blocks
                            .iter()
                            .zip(matches.iter())
                            .find_map(|(block, m)| match m {
                                BlockMatch::Grants { pattern } => Some((block, pattern.clone())),
                                _ => None,
                            });
                    let Some((block, pattern)) = hit else {
                        continue;
                    };
                    let mut via = h.via.clone();
                    via.push(g.clone());
                    via.extend(gh.via.iter().cloned());
                    let grant = EligibleGrant {
                        action: req.action.clone(),
                        via: group_refs(ix, &via),
                        eligibility_id: ge.id.clone(),
                        role_definition_id: role_id_of(&role.def.id, &a.role_definition_id),
                        role_name: role.def.role_name.clone(),
                        assignment_scope: a.scope.clone(),
                        start_date_time: ge.start_date_time.clone(),
                        end_date_time: ge.end_date_time.clone(),
                        matched_pattern: pattern,
                        condition: a
                            .condition
                            .clone()
                            .filter(|c| !c.trim().is_empty())
                            .or_else(|| block.condition.clone()),
                        group: Some(GroupRef {
                            id: g.clone(),
                            name: ix.name_of(&g),
                        }),
                        assignment_id: Some(a.id.clone()),
                    };
                    place_eligible(
                        ix,
                        &target,
                        a_scope,
                        applies,
                        state,
                        grant,
                        &mut eligible,
                        &mut why,
                        &mut elsewhere,
                    );
                }
            }
        }
    }

    // A stable order whatever the order of the data: nearest scope first, then the
    // shortest group chain, then the assignment id.
    let pos = |scope: &str| {
        let k = scope_key(scope);
        chain.iter().position(|c| *c == k).unwrap_or(usize::MAX)
    };
    grants.sort_by_cached_key(|g| {
        (
            pos(&g.assignment_scope),
            g.via.len(),
            key(&g.assignment_id),
            g.block,
        )
    });
    eligible.sort_by_cached_key(|e| {
        (
            pos(&e.assignment_scope),
            e.via.len(),
            key(&e.eligibility_id),
        )
    });
    denies.sort_by_cached_key(|d| (pos(&d.deny_scope), key(&d.deny_assignment_id)));

    let access = action_access(&grants, !denies.is_empty(), !eligible.is_empty());

    let mut why_not = Vec::new();
    if explain && access != Access::Allowed {
        // Nearest cause first: exclusions by notActions, denies, eligibility,
        // conditional grants, the same role held elsewhere, then the rest.
        why.sort_by_cached_key(why_key);
        elsewhere.sort_by_cached_key(why_key);
        let (excluded, rest): (Vec<_>, Vec<_>) = why
            .into_iter()
            .partition(|w| matches!(w, WhyNot::ExcludedByNotActions { .. }));
        why_not.extend(excluded);
        why_not.extend(denies.iter().cloned().map(|deny| WhyNot::Denied { deny }));
        why_not.extend(
            eligible
                .iter()
                .cloned()
                .map(|eligible| WhyNot::EligibleOnly { eligible }),
        );
        why_not.extend(
            grants
                .iter()
                .filter(|g| g.condition.is_some())
                .cloned()
                .map(|grant| WhyNot::ConditionalOnly { grant }),
        );
        if !access.grants() {
            why_not.extend(elsewhere);
        }
        why_not.extend(rest);
        if why_not.is_empty() {
            why_not.push(WhyNot::NoAssignment);
        }
    }

    ActionDecision {
        action: req.action.clone(),
        data: req.data,
        scope: req.scope.clone(),
        access,
        grants,
        denies,
        eligible,
        why_not,
    }
}

/// SPEC §2.9 for one action, from what was found: `denied` (an active grant and
/// a deny that applies) › `allowed` (some unconditional grant) › `conditional`
/// (only conditional grants) › `eligible` (no active grant, an eligible one) ›
/// `none`.
pub(crate) fn action_access(grants: &[Grant], denied: bool, eligible: bool) -> Access {
    if !grants.is_empty() && denied {
        Access::Denied
    } else if grants.iter().any(|g| g.condition.is_none()) {
        Access::Allowed
    } else if !grants.is_empty() {
        Access::Conditional
    } else if eligible {
        Access::Eligible
    } else {
        Access::None
    }
}

/// Files an eligible grant: in force at the scope → `eligible`; otherwise, only
/// for an explanation, as the reason it does not count.
#[allow(clippy::too_many_arguments)]
fn place_eligible(
    ix: &Index,
    target: &str,
    scope: &str,
    applies: bool,
    state: WindowState,
    grant: EligibleGrant,
    eligible: &mut Vec<EligibleGrant>,
    why: &mut Vec<WhyNot>,
    elsewhere: &mut Vec<WhyNot>,
) {
    if applies && state.is_active() {
        eligible.push(grant);
    } else if applies {
        why.push(WhyNot::EligibilityNotInForce {
            eligible: grant,
            state,
        });
    } else {
        let relation = if ix.tree.is_below(scope, target) {
            "child"
        } else {
            "other"
        };
        elsewhere.push(WhyNot::EligibleElsewhere {
            eligible: grant,
            relation: relation.into(),
            state,
        });
    }
}

/// Whom a deny assignment's principal lists name, for one principal (SPEC §2.6):
/// the entry of `principals` that names one of its holders (All Principals
/// first), and the entry of `excludePrincipals` that exempts one (likewise). The
/// deny applies to the principal when it is named and not excluded. `decide` and
/// `show` (`engine/profile.rs`) both ask here.
pub(crate) fn deny_subject(d: &super::index::Deny, hs: &[Holder]) -> DenySubject {
    deny_subject_of(d, hs.iter().map(|h| h.id.as_str()))
}

/// [`deny_subject`] over holder ids in walk order (nearest first): the one rule.
pub(crate) fn deny_subject_of<'h>(
    d: &super::index::Deny,
    nearest_first: impl Iterator<Item = &'h str> + Clone,
) -> DenySubject {
    let find = |set: &HashSet<String>| {
        if set.contains(ALL_PRINCIPALS) {
            Some(ALL_PRINCIPALS.to_string())
        } else {
            nearest_first
                .clone()
                .find(|h| set.contains(*h))
                .map(str::to_string)
        }
    };
    DenySubject {
        named: find(&d.principals),
        excluded: find(&d.excluded),
    }
}

/// What [`deny_subject`] found: the ids (a holder's, or All Principals) of the
/// entries that name and exclude the principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DenySubject {
    pub(crate) named: Option<String>,
    pub(crate) excluded: Option<String>,
}

impl DenySubject {
    /// Named and not excluded: the deny's actions are denied to the principal.
    pub(crate) fn applies(&self) -> bool {
        self.named.is_some() && self.excluded.is_none()
    }
}

impl WhyNot {
    /// Name `action` wherever this reason names its action.
    fn set_action(&mut self, action: &str) {
        match self {
            WhyNot::Denied { deny } => deny.action = action.to_string(),
            WhyNot::EligibleOnly { eligible }
            | WhyNot::EligibilityNotInForce { eligible, .. }
            | WhyNot::EligibleElsewhere { eligible, .. } => eligible.action = action.to_string(),
            WhyNot::AssignmentNotInForce { grant, .. } | WhyNot::ConditionalOnly { grant } => {
                grant.action = action.to_string()
            }
            WhyNot::ExcludedByNotActions { .. }
            | WhyNot::HeldElsewhere { .. }
            | WhyNot::DataActionNotCovered { .. }
            | WhyNot::UndefinedRole { .. }
            | WhyNot::NoAssignment => {}
        }
    }
}

/// A stable order for reasons gathered from data in any order.
fn why_key(w: &WhyNot) -> (String, String) {
    match w {
        WhyNot::ExcludedByNotActions {
            assignment_id,
            excluded_by,
            ..
        } => (key(assignment_id), key(excluded_by)),
        WhyNot::HeldElsewhere {
            assignment_id,
            matched_pattern,
            ..
        }
        | WhyNot::DataActionNotCovered {
            assignment_id,
            matched_pattern,
            ..
        } => (key(assignment_id), key(matched_pattern)),
        WhyNot::UndefinedRole { assignment_id, .. } => (key(assignment_id), String::new()),
        WhyNot::EligibilityNotInForce { eligible, .. }
        | WhyNot::EligibleElsewhere { eligible, .. } => (
            key(&eligible.eligibility_id),
            key(eligible.assignment_id.as_deref().unwrap_or("")),
        ),
        WhyNot::AssignmentNotInForce { grant, .. } => {
            (key(&grant.assignment_id), grant.block.to_string())
        }
        _ => (String::new(), String::new()),
    }
}

/// The role GUID to report: the definition's own, else the one the assignment used.
pub(crate) fn role_id_of(def_id: &str, assignment_role_id: &str) -> String {
    let d = crate::model::role_guid(def_id);
    if d.is_empty() {
        crate::model::role_guid(assignment_role_id)
    } else {
        d
    }
}

#[cfg(test)]
mod nearest_tests {
    use super::*;

    fn grant(id: &str, via: usize, scope: &str, inherited: bool, condition: bool) -> Grant {
        Grant {
            action: "a/b/read".into(),
            via: (0..via)
                .map(|i| GroupRef {
                    id: format!("g{i}"),
                    name: format!("G{i}"),
                })
                .collect(),
            assignment_id: id.into(),
            role_definition_id: "r".into(),
            role_name: "R".into(),
            assignment_scope: scope.into(),
            scope_level: ScopeKind::ResourceGroup,
            inherited,
            block: 0,
            matched_pattern: "*".into(),
            condition: condition.then(|| "@Resource[x] == 'y'".into()),
            // Asked at a workspace of `rg`, whose subscription is in `mg`.
            distance: match scope {
                "/subscriptions/s/resourceGroups/rg" => 1,
                "/subscriptions/s" => 2,
                "/providers/Microsoft.Management/managementGroups/mg" => 3,
                _ => 0,
            },
        }
    }

    fn pick(grants: Vec<Grant>) -> String {
        grants
            .iter()
            .min_by(|x, y| nearness(x).cmp(&nearness(y)))
            .unwrap()
            .assignment_id
            .clone()
    }

    #[test]
    fn the_nearest_grant_allows_then_has_the_shortest_chain_then_the_nearest_scope() {
        let rg = "/subscriptions/s/resourceGroups/rg";
        let sub = "/subscriptions/s";
        // An unconditional grant wins over a conditional one, however near.
        assert_eq!(
            pick(vec![
                grant("c", 0, rg, false, true),
                grant("u", 3, sub, true, false)
            ]),
            "u"
        );
        // Then the shortest group chain.
        assert_eq!(
            pick(vec![
                grant("far", 2, rg, false, false),
                grant("near", 1, sub, true, false)
            ]),
            "near"
        );
        // Then held at the scope before inherited, and the deepest scope.
        assert_eq!(
            pick(vec![
                grant("sub", 0, sub, true, false),
                grant("rg", 0, rg, true, false)
            ]),
            "rg"
        );
        // A management group is further than a resource group below it, though
        // its id has as many segments.
        let mg = "/providers/Microsoft.Management/managementGroups/mg";
        assert_eq!(
            pick(vec![
                grant("a-mg", 0, mg, true, false),
                grant("z-rg", 0, rg, true, false)
            ]),
            "z-rg"
        );
        assert_eq!(
            pick(vec![
                grant("a-mg", 0, mg, true, false),
                grant("z-sub", 0, sub, true, false)
            ]),
            "z-sub"
        );
        // Ties end on the assignment id, whatever the order found.
        assert_eq!(
            pick(vec![
                grant("b", 0, rg, false, false),
                grant("a", 0, rg, false, false)
            ]),
            "a"
        );
        assert_eq!(
            pick(vec![
                grant("a", 0, rg, false, false),
                grant("b", 0, rg, false, false)
            ]),
            "a"
        );
    }
}
