//! The access review (SPEC §5): one row per (principal, assignment, path) that gives
//! access at or below a target scope, with the facts a reviewer needs (privileged?
//! inherited? through which groups? active or eligible?) and the recommendations the
//! data supports; plus the carry-over of earlier decisions and the removal plan.
//!
//! Pure like the rest of the engine: rows come from an [`Index`] and a scope, the
//! reference time is the snapshot's `taken_at` (never the clock), earlier decisions
//! come in as plain values. No SQL, no printing, no file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{key, role_guid, scope_key, AssignmentSource};

use crate::engine::decide::{
    principal_info, GroupRef, Incomplete, IncompleteReason, PrincipalInfo,
};
use crate::engine::index::Index;
use crate::engine::permissions::is_privileged;
use crate::engine::window::{window_state, WindowState};
use crate::model::Timestamp;

/// How many users holding one role directly at one scope call for a group.
pub(crate) const MANY_DIRECT_USERS: usize = 5;

/// The most membership paths listed below one group holder; past it the review is
/// marked incomplete instead of growing without bound (nested groups with many
/// diamonds have exponentially many simple paths).
pub(crate) const MAX_PATHS_PER_HOLDER: usize = 100_000;

/// How the row's access is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
// `ActivePim` spells the sheet's "active (PIM)"; the lint only fires now the enum is crate-private.
#[allow(clippy::enum_variant_names)]
pub(crate) enum Pim {
    /// A role assignment.
    #[serde(rename = "active")]
    Active,
    /// An active PIM assignment (roleAssignmentScheduleInstances) with no plain
    /// role assignment behind it.
    #[serde(rename = "active (PIM)")]
    ActivePim,
    /// A PIM eligibility instance: grants nothing until activated.
    #[serde(rename = "eligible")]
    Eligible,
}

impl Pim {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Pim::Active => "active",
            Pim::ActivePim => "active (PIM)",
            Pim::Eligible => "eligible",
        }
    }
}

/// What the data suggests doing with a row, most urgent kind first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum RecommendationKind {
    Remove,
    Review,
    UseGroup,
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Recommendation {
    pub(crate) kind: RecommendationKind,
    /// Stable identifier: `orphaned`, `disabled`, `eligibility-ended`,
    /// `undefined-role`, `guest-privileged`, `members-not-imported`,
    /// `many-direct-users`, `eligible-only`, `also-active`.
    pub(crate) code: &'static str,
    /// One line for the sheet, starting with the kind (`remove: ...`).
    pub(crate) text: String,
}

/// One line of the review sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRow {
    /// Stable across snapshots for the same (principal, assignment, group path).
    pub(crate) review_key: String,
    /// Shared by the rows of one principal.
    pub(crate) principal: Rc<PrincipalInfo>,
    /// The role's name; for an undefined role the name the assignment gave, if any.
    pub(crate) role_name: String,
    /// The role's GUID (lowercase).
    pub(crate) role_id: String,
    /// `BuiltInRole`, `CustomRole`, or empty when the role is not defined.
    pub(crate) role_type: String,
    pub(crate) role_defined: bool,
    /// The role grants `Microsoft.Authorization/roleAssignments/write` (per block).
    pub(crate) privileged: bool,
    /// The role assignment id, or the PIM eligibility instance id.
    pub(crate) assignment_id: String,
    pub(crate) assignment_scope: String,
    pub(crate) target_scope: String,
    /// Held at an ancestor of the target scope.
    pub(crate) inherited: bool,
    /// Held below the target scope (a child resource).
    pub(crate) below: bool,
    /// Groups from the principal to the assignment's holder, nearest first (empty
    /// when the principal holds the assignment itself).
    /// Shared by the rows through one membership path.
    pub(crate) via: Rc<[GroupRef]>,
    /// `Alice Nguyen → ML Data Scientists → All ML Staff`, or `direct`.
    pub(crate) access_path: String,
    pub(crate) condition: Option<String>,
    pub(crate) pim: Pim,
    pub(crate) start_date_time: Option<String>,
    pub(crate) end_date_time: Option<String>,
    /// An eligibility whose end lies before the snapshot's `taken_at`.
    pub(crate) expired: bool,
    pub(crate) recommendations: Vec<Recommendation>,
    /// Hash of the access-relevant content (see [`ReviewRow::access_fields`]) and
    /// of the role's permissions: a decision carries over only while it is unchanged.
    pub(crate) content_hash: String,
}

impl ReviewRow {
    /// The recommendations as one cell: `remove: ...; note: ...`.
    #[cfg(test)]
    pub(crate) fn recommendation(&self) -> String {
        self.recommendations
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The sheet cells, by column name, whose change makes an earlier decision stale.
    /// Display names are not among them: renaming changes no access.
    pub(crate) fn access_fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(12);
        self.each_access_field(|k, v| out.push((k, v.to_string())));
        out
    }

    /// [`ReviewRow::access_fields`] one at a time, borrowed.
    fn each_access_field(&self, mut f: impl FnMut(&'static str, &str)) {
        let b = |v: bool| if v { "true" } else { "false" };
        f("review_key", &self.review_key);
        f("principal_id", &self.principal.id);
        f("principal_type", &self.principal.kind);
        f(
            "user_type",
            self.principal.user_type.as_deref().unwrap_or(""),
        );
        f(
            "account_enabled",
            self.principal.account_enabled.map(b).unwrap_or(""),
        );
        f("role_id", &self.role_id);
        f("privileged", b(self.privileged));
        f("assignment_id", &self.assignment_id);
        f("assignment_scope", &self.assignment_scope);
        f("condition", self.condition.as_deref().unwrap_or(""));
        f("pim", self.pim.as_str());
        f("orphaned", self.principal.orphan_text());
    }

    /// The hash of the access fields (values lowercased), the role's permissions
    /// (`role_digest`) and the PIM window: `short_hash` of those lines joined by
    /// newlines, fed to the hasher piece by piece.
    fn access_hash(&self, role_digest: &str) -> String {
        let mut h = Sha256::new();
        let mut first = true;
        let mut lower = Vec::new();
        self.each_access_field(|k, v| {
            if !first {
                h.update(b"\n");
            }
            first = false;
            lower.clear();
            lower.extend(v.bytes().map(|c| c.to_ascii_lowercase()));
            h.update(k.as_bytes());
            h.update(b"=");
            h.update(&lower);
        });
        h.update(b"\nrole=");
        h.update(role_digest.as_bytes());
        h.update(b"\nwindow=");
        h.update(self.start_date_time.as_deref().unwrap_or("").as_bytes());
        h.update(b"..");
        h.update(self.end_date_time.as_deref().unwrap_or("").as_bytes());
        hex8(&h.finalize())
    }
}

/// The review of one or more target scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub(crate) targets: Vec<String>,
    /// By target (in the order asked), then principal name, role, assignment scope, path.
    pub rows: Vec<ReviewRow>,
    /// Groups whose members the sheet could not list (never imported, or too many paths).
    pub incomplete: Vec<Incomplete>,
}

/// `review_key`: the first 16 hex digits of the sha256 of the lowercase principal id,
/// assignment id and group path (nearest group first).
pub(crate) fn review_key(principal_id: &str, assignment_id: &str, via: &[String]) -> String {
    let via: Vec<String> = via.iter().map(|g| key(g)).collect();
    short_hash(&format!(
        "{}\n{}\n{}",
        key(principal_id),
        key(assignment_id),
        via.join(">")
    ))
}

fn short_hash(s: &str) -> String {
    hex8(&Sha256::digest(s.as_bytes()))
}

/// The first 8 bytes of a digest, in lowercase hex.
fn hex8(d: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(16);
    for b in d.iter().take(8) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// One access to review before it is expanded to the principals that have it.
struct Held<'a> {
    holder: String,
    assignment_id: &'a str,
    role_guid: &'a str,
    role_name_hint: Option<&'a str>,
    scope: &'a str,
    condition: Option<&'a str>,
    pim: Pim,
    start: Option<&'a str>,
    end: Option<&'a str>,
}

/// Every principal below a holder: the holder itself (empty path), then each member
/// reached through nested groups, one entry per distinct simple path (cycles end).
/// The path is nearest group first, ending with the holder.
/// Principals below a holder with their group paths, and whether the list was cut
/// at [`MAX_PATHS_PER_HOLDER`].
type MemberPaths = (Vec<(String, Vec<String>)>, bool);

///
/// Not the engine's membership walk ([`crate::engine::walk::breadth_first`], which
/// reaches each member once): a member reached along two paths is two rows here.
/// Depth-first over the same `Index::members_of`, iterative; a path ends where it
/// would repeat a group.
fn member_paths(ix: &Index, holder: &str) -> MemberPaths {
    let mut out = vec![(holder.to_string(), vec![])];
    let mut truncated = false;
    // Depth-first with an explicit stack: (group, chain from the holder down to it).
    let mut stack: Vec<(String, Vec<String>)> =
        vec![(holder.to_string(), vec![holder.to_string()])];
    while let Some((group, chain)) = stack.pop() {
        let Some(members) = ix.members_of.get(&group) else {
            continue;
        };
        for m in members.iter().rev() {
            if chain.contains(m) {
                continue;
            }
            if out.len() > MAX_PATHS_PER_HOLDER {
                truncated = true;
                stack.clear();
                break;
            }
            // Devices and contacts are members, never principals (SPEC §1).
            if !ix.is_principal(m) {
                continue;
            }
            let via: Vec<String> = chain.iter().rev().cloned().collect();
            out.push((m.clone(), via));
            if ix.members_of.contains_key(m) {
                let mut next = chain.clone();
                next.push(m.clone());
                stack.push((m.clone(), next));
            }
        }
    }
    (out, truncated)
}

/// What every row through one membership path below a holder shares.
struct PathFacts {
    member: String,
    /// Group keys from the member up to the holder.
    via: Rc<[String]>,
    info: Rc<PrincipalInfo>,
    /// The member's display name lowercased, and its id (the rows' sort order).
    sort_name: Rc<str>,
    info_id: Rc<str>,
    via_refs: Rc<[GroupRef]>,
    access_path: String,
}

fn path_facts(
    ix: &Index,
    info_cache: &mut HashMap<String, Rc<PrincipalInfo>>,
    member: String,
    via: Vec<String>,
) -> PathFacts {
    let info = info_cache
        .entry(member.clone())
        .or_insert_with(|| Rc::new(principal_info(ix, &member)))
        .clone();
    let via_refs: Rc<[GroupRef]> = via
        .iter()
        .map(|g| GroupRef {
            id: g.clone(),
            name: ix.name_of(g),
        })
        .collect();
    let access_path = if via.is_empty() {
        "direct".to_string()
    } else {
        let name_or_id = if info.display_name.is_empty() {
            info.id.clone()
        } else {
            info.display_name.clone()
        };
        std::iter::once(name_or_id)
            .chain(via_refs.iter().map(|g| g.name.clone()))
            .collect::<Vec<_>>()
            .join(" → ")
    };
    PathFacts {
        member,
        via: via.into(),
        sort_name: info.display_name.to_lowercase().into(),
        info_id: info.id.as_str().into(),
        info,
        via_refs,
        access_path,
    }
}

/// The order of one target's rows: principal name and id, role name, scope, PIM
/// kind, path, assignment (all lowercase keys).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    name: Rc<str>,
    id: Rc<str>,
    role: Rc<str>,
    scope: Rc<str>,
    pim: Pim,
    via: Rc<[String]>,
    assignment: Rc<str>,
}

/// Reviews the target scopes (each row names its target). `taken_at` is the
/// snapshot's time, against which eligibility end dates are compared.
pub fn review(ix: &Index, targets: &[String], taken_at: &str) -> Review {
    Reviewer::new(ix, taken_at).review(targets)
}

/// Reviews target after target over one index, keeping what they share: the
/// membership paths below each holder, principal facts, scope ancestries.
pub(crate) struct Reviewer<'a> {
    ix: &'a Index,
    taken_at: String,
    paths_cache: HashMap<String, (Vec<PathFacts>, bool)>,
    info_cache: HashMap<String, Rc<PrincipalInfo>>,
    /// Ancestors of each assignment scope, to test "at or below the target".
    anc_cache: HashMap<String, HashSet<String>>,
    /// Every scope holding an assignment or eligibility, once.
    held_scopes: Vec<String>,
}

impl<'a> Reviewer<'a> {
    pub(crate) fn new(ix: &'a Index, taken_at: &str) -> Reviewer<'a> {
        let mut held_scopes: Vec<String> = ix
            .assignments_by_scope
            .keys()
            .chain(ix.eligibilities_by_scope.keys())
            .cloned()
            .collect();
        held_scopes.sort();
        held_scopes.dedup();
        Reviewer {
            ix,
            taken_at: taken_at.to_string(),
            paths_cache: HashMap::new(),
            info_cache: HashMap::new(),
            anc_cache: HashMap::new(),
            held_scopes,
        }
    }

    /// The rows of these targets.
    pub(crate) fn review(&mut self, targets: &[String]) -> Review {
        let ix = self.ix;
        let now = Timestamp::parse(&self.taken_at);
        let mut rows = Vec::new();
        let mut incomplete = BTreeMap::new();
        let paths_cache = &mut self.paths_cache;
        let info_cache = &mut self.info_cache;
        let anc_cache = &mut self.anc_cache;

        for target in targets {
            let t = scope_key(target);
            if let Some(gap) = crate::engine::query::chain_gap(ix, &t) {
                incomplete
                    .entry(format!("chain {}", gap.scope.as_deref().unwrap_or("")))
                    .or_insert(gap);
            }
            // Only the scopes at, above or below the target can give rows.
            let target_chain = ix.tree.ancestors(&t);
            // A scope the collection could not read, on the chain or below it.
            let unreadable = crate::engine::query::unreadable_on(ix, &target_chain)
                .chain(crate::engine::query::unreadable_below(ix, &t));
            for gap in unreadable {
                incomplete
                    .entry(format!(
                        "unreadable {}",
                        gap.scope.as_deref().map(scope_key).unwrap_or_default()
                    ))
                    .or_insert(gap);
            }
            let mut scopes: Vec<&String> = Vec::new();
            for s in &self.held_scopes {
                let relevant = target_chain.contains(s)
                    || anc_cache
                        .entry(s.clone())
                        .or_insert_with(|| ix.tree.ancestors(s).into_iter().collect())
                        .contains(&t);
                if relevant {
                    scopes.push(s);
                }
            }
            let mut assignment_ids: Vec<usize> = scopes
                .iter()
                .flat_map(|s| ix.assignments_by_scope.get(*s).into_iter().flatten())
                .copied()
                .collect();
            assignment_ids.sort_unstable();
            let mut eligibility_ids: Vec<usize> = scopes
                .iter()
                .flat_map(|s| ix.eligibilities_by_scope.get(*s).into_iter().flatten())
                .copied()
                .collect();
            eligibility_ids.sort_unstable();
            let mut held: Vec<Held> = Vec::new();
            for a in assignment_ids.iter().map(|&i| &ix.assignments[i]) {
                held.push(Held {
                    holder: key(&a.principal_id),
                    assignment_id: &a.id,
                    role_guid: &a.role_definition_id,
                    role_name_hint: a.role_definition_name.as_deref(),
                    scope: &a.scope,
                    condition: a.condition.as_deref(),
                    pim: match a.source {
                        AssignmentSource::RoleAssignment => Pim::Active,
                        AssignmentSource::PimActive => Pim::ActivePim,
                    },
                    start: a.start_date_time.as_deref(),
                    end: a.end_date_time.as_deref(),
                });
            }
            for e in eligibility_ids.iter().map(|&i| &ix.eligibilities[i]) {
                held.push(Held {
                    holder: key(&e.principal_id),
                    assignment_id: &e.id,
                    role_guid: &e.role_definition_id,
                    role_name_hint: None,
                    scope: &e.scope,
                    condition: e.condition.as_deref(),
                    pim: Pim::Eligible,
                    start: e.start_date_time.as_deref(),
                    end: e.end_date_time.as_deref(),
                });
            }

            let target_ancestors: HashSet<String> = ix.tree.ancestors(&t).into_iter().collect();
            let first = rows.len();
            let mut sort_keys: Vec<SortKey> = Vec::new();
            for h in held {
                let s = scope_key(h.scope);
                let inherited = s != t && target_ancestors.contains(&s);
                let below = s != t
                    && !inherited
                    && anc_cache
                        .entry(s.clone())
                        .or_insert_with(|| ix.tree.ancestors(&s).into_iter().collect())
                        .contains(&t);
                if !(s == t || inherited || below) {
                    continue;
                }
                let role = ix.role_of(h.role_guid, h.role_name_hint);
                if role.is_none() {
                    incomplete.entry(key(h.assignment_id)).or_insert_with(|| {
                        Incomplete::role_not_defined(h.assignment_id, h.role_guid)
                    });
                }
                let held_key: (Rc<str>, Rc<str>, Pim, Rc<str>) = (
                    match role {
                        Some(r) => r.def.role_name.to_lowercase(),
                        None => h.role_name_hint.unwrap_or_default().to_lowercase(),
                    }
                    .into(),
                    s.as_str().into(),
                    h.pim,
                    key(h.assignment_id).into(),
                );
                let (role_name, role_id, role_type, privileged, role_digest) = match role {
                    Some(r) => (
                        r.def.role_name.clone(),
                        {
                            let g = role_guid(&r.def.id);
                            if g.is_empty() {
                                role_guid(h.role_guid)
                            } else {
                                g
                            }
                        },
                        r.def.role_type.clone(),
                        is_privileged(&r.blocks),
                        serde_json::to_string(&r.def.permissions).unwrap_or_default(),
                    ),
                    None => (
                        h.role_name_hint.unwrap_or_default().to_string(),
                        role_guid(h.role_guid),
                        String::new(),
                        false,
                        "undefined".to_string(),
                    ),
                };
                // SPEC §2.10, the one window rule: an instance whose end is at or
                // before the snapshot has ended.
                let expired = window_state(h.start, h.end, now) == WindowState::Ended;
                if !paths_cache.contains_key(&h.holder) {
                    let (paths, truncated) = member_paths(ix, &h.holder);
                    let facts = paths
                        .into_iter()
                        .map(|(member, via)| path_facts(ix, info_cache, member, via))
                        .collect();
                    paths_cache.insert(h.holder.clone(), (facts, truncated));
                }
                let (paths, truncated) = &paths_cache[&h.holder];
                if *truncated {
                    incomplete.insert(
                        h.holder.clone(),
                        Incomplete {
                            detail: Some(format!(
                                "more than {MAX_PATHS_PER_HOLDER} membership paths; the sheet lists the first ones"
                            )),
                            ..Incomplete::group(
                                IncompleteReason::PathsTruncated,
                                &h.holder,
                                &ix.name_of(&h.holder),
                            )
                        },
                    );
                }
                for pf in paths {
                    let (member, via, info) = (&pf.member, &pf.via, &pf.info);
                    if info.is_group() && !incomplete.contains_key(&info.id) {
                        if let Some(gap) = crate::engine::query::member_gap(ix, &info.id) {
                            incomplete.insert(info.id.clone(), gap);
                        }
                    }
                    let mut row = ReviewRow {
                        review_key: review_key(member, h.assignment_id, via),
                        principal: info.clone(),
                        role_name: role_name.clone(),
                        role_id: role_id.clone(),
                        role_type: role_type.clone(),
                        role_defined: role.is_some(),
                        privileged,
                        assignment_id: h.assignment_id.to_string(),
                        assignment_scope: h.scope.to_string(),
                        target_scope: target.clone(),
                        inherited,
                        below,
                        via: pf.via_refs.clone(),
                        access_path: pf.access_path.clone(),
                        // Trimmed: the sheet's cell is read back trimmed, and a row
                        // must look the same after `review apply` as before it.
                        condition: h
                            .condition
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .map(str::to_string),
                        pim: h.pim,
                        start_date_time: h.start.map(str::to_string),
                        end_date_time: h.end.map(str::to_string),
                        expired,
                        recommendations: vec![],
                        content_hash: String::new(),
                    };
                    row.content_hash = row.access_hash(&role_digest);
                    rows.push(row);
                    sort_keys.push(SortKey {
                        name: pf.sort_name.clone(),
                        id: pf.info_id.clone(),
                        role: held_key.0.clone(),
                        scope: held_key.1.clone(),
                        pim: held_key.2,
                        via: pf.via.clone(),
                        assignment: held_key.3.clone(),
                    });
                }
            }
            recommend(ix, &mut rows[first..]);
            // By principal (name, id), role, scope, PIM, path, assignment; a stable
            // sort of positions by keys built once per principal, held role and path.
            let mut order: Vec<usize> = (0..sort_keys.len()).collect();
            order.sort_by(|&a, &b| sort_keys[a].cmp(&sort_keys[b]));
            let mut slots: Vec<Option<ReviewRow>> = rows.drain(first..).map(Some).collect();
            rows.extend(order.into_iter().filter_map(|i| slots[i].take()));
        }

        Review {
            targets: targets.to_vec(),
            rows,
            incomplete: incomplete.into_values().collect(),
        }
    }
}

/// Fills the recommendations of the rows of one target.
fn recommend(ix: &Index, rows: &mut [ReviewRow]) {
    // Users holding one role directly at one scope, per (role, scope, active/eligible).
    let mut direct_users: HashMap<(String, String, bool), HashSet<String>> = HashMap::new();
    // Roles each principal holds actively (by role GUID).
    let mut active_roles: HashSet<(String, String)> = HashSet::new();
    for r in rows.iter() {
        if r.via.is_empty() && r.principal.kind.eq_ignore_ascii_case("User") {
            direct_users
                .entry((
                    r.role_id.clone(),
                    scope_key(&r.assignment_scope),
                    r.pim == Pim::Eligible,
                ))
                .or_default()
                .insert(r.principal.id.clone());
        }
        if r.pim != Pim::Eligible {
            active_roles.insert((r.principal.id.clone(), r.role_id.clone()));
        }
    }
    for r in rows.iter_mut() {
        let mut recs = Vec::new();
        let mut push = |kind, code, text: String| recs.push(Recommendation { kind, code, text });
        let p = &r.principal;
        if p.is_orphaned() {
            push(
                RecommendationKind::Remove,
                "orphaned",
                "remove: the principal is in no directory listing (deleted?)".into(),
            );
        }
        if p.account_enabled == Some(false) {
            push(
                RecommendationKind::Remove,
                "disabled",
                "remove: the account is disabled".into(),
            );
        }
        if r.expired {
            push(
                RecommendationKind::Remove,
                "eligibility-ended",
                format!(
                    "remove: the eligibility ended {}, before the snapshot",
                    r.end_date_time.as_deref().unwrap_or("")
                ),
            );
        }
        if !r.role_defined {
            push(
                RecommendationKind::Remove,
                "undefined-role",
                "remove: the role is not defined; the assignment grants nothing".into(),
            );
        }
        if r.privileged
            && p.user_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("Guest"))
        {
            push(
                RecommendationKind::Review,
                "guest-privileged",
                "review: a guest with a privileged role (can change access)".into(),
            );
        }
        if p.is_group() && !ix.member_lists.contains(&p.id) {
            push(
                RecommendationKind::Review,
                "members-not-imported",
                "review: the group's members were not imported; who holds this through it is unknown"
                    .into(),
            );
        }
        if r.via.is_empty() && p.kind.eq_ignore_ascii_case("User") {
            let n = direct_users
                .get(&(
                    r.role_id.clone(),
                    scope_key(&r.assignment_scope),
                    r.pim == Pim::Eligible,
                ))
                .map_or(0, HashSet::len);
            if n >= MANY_DIRECT_USERS {
                push(
                    RecommendationKind::UseGroup,
                    "many-direct-users",
                    format!(
                        "use a group: {n} users hold {} directly at this scope",
                        r.role_name
                    ),
                );
            }
        }
        if r.pim == Pim::Eligible && !r.expired {
            let window = format!(
                "{} → {}",
                r.start_date_time.as_deref().unwrap_or("?"),
                r.end_date_time.as_deref().unwrap_or("no end")
            );
            if active_roles.contains(&(p.id.clone(), r.role_id.clone())) {
                push(
                    RecommendationKind::Note,
                    "also-active",
                    format!("note: also held active; this eligibility ({window}) adds nothing"),
                );
            } else {
                push(
                    RecommendationKind::Note,
                    "eligible-only",
                    format!(
                        "note: held only through PIM eligibility ({window}); grants nothing until activated"
                    ),
                );
            }
        }
        recs.sort_by_key(|r| r.kind);
        r.recommendations = recs;
    }
}

/// Counts per target scope for the summary of a review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TargetSummary {
    pub(crate) target_scope: String,
    pub(crate) rows: usize,
    /// Distinct users, service principals and unknown principals (not groups).
    pub(crate) principals: usize,
    pub(crate) groups: usize,
    /// Distinct non-group principals holding a privileged role (active or eligible).
    pub(crate) privileged: usize,
    pub(crate) orphaned: usize,
    pub(crate) guests: usize,
    pub(crate) disabled: usize,
    /// Distinct non-group principals with an eligible (PIM) row.
    pub(crate) eligible: usize,
    /// Rows with at least one recommendation.
    pub(crate) with_recommendation: usize,
}

/// One summary per target, in the review's target order.
pub(crate) fn summary(review: &Review) -> Vec<TargetSummary> {
    review
        .targets
        .iter()
        .map(|t| {
            let tk = scope_key(t);
            let rows: Vec<&ReviewRow> = review
                .rows
                .iter()
                .filter(|r| scope_key(&r.target_scope) == tk)
                .collect();
            let distinct = |f: &dyn Fn(&ReviewRow) -> bool| {
                rows.iter()
                    .filter(|r| !r.principal.is_group() && f(r))
                    .map(|r| r.principal.id.as_str())
                    .collect::<HashSet<_>>()
                    .len()
            };
            TargetSummary {
                target_scope: t.clone(),
                rows: rows.len(),
                principals: distinct(&|_| true),
                groups: rows
                    .iter()
                    .filter(|r| r.principal.is_group())
                    .map(|r| r.principal.id.as_str())
                    .collect::<HashSet<_>>()
                    .len(),
                privileged: distinct(&|r| r.privileged),
                orphaned: distinct(&|r| r.principal.is_orphaned()),
                guests: distinct(&|r| {
                    r.principal
                        .user_type
                        .as_deref()
                        .is_some_and(|u| u.eq_ignore_ascii_case("Guest"))
                }),
                disabled: distinct(&|r| r.principal.account_enabled == Some(false)),
                eligible: distinct(&|r| r.pim == Pim::Eligible),
                with_recommendation: rows
                    .iter()
                    .filter(|r| !r.recommendations.is_empty())
                    .count(),
            }
        })
        .collect()
}

/// The decisions a reviewer may enter (case-insensitive; blank = undecided): what
/// `review apply` accepts and the workbook's drop-down offers.
pub(crate) const DECISIONS: [&str; 3] = ["approve", "remove", "flag"];

/// A decision recorded earlier for a review key (latest non-blank one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PastDecision {
    /// `approve`, `remove` or `flag`.
    pub(crate) decision: String,
    pub(crate) comment: Option<String>,
    pub(crate) reviewer: String,
    pub(crate) decided_at: String,
    pub(crate) snapshot_id: i64,
    /// The row's content hash when it was decided.
    pub(crate) content_hash: String,
}

/// Where a row stands against earlier reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub(crate) enum Carry {
    /// No sheet of this target scope was ever applied.
    FirstReview,
    /// Not on any applied sheet of this target scope: access new since the last review.
    New,
    /// On an applied sheet, never decided.
    Undecided,
    /// Decided and unchanged since: the decision is pre-filled.
    Decided { previous: PastDecision },
    /// Decided, but the row's content changed since: decide again.
    Changed { previous: PastDecision },
}

impl Carry {
    /// The pre-filled decision and comment.
    pub(crate) fn prefill(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Carry::Decided { previous } => (
                Some(previous.decision.as_str()),
                previous.comment.as_deref(),
            ),
            _ => (None, None),
        }
    }

    /// The words appended to the recommendation cell, if any.
    pub(crate) fn mark(&self) -> Option<String> {
        match self {
            Carry::New => Some("new since last review".into()),
            Carry::Changed { previous } => Some(format!(
                "changed since last review (was `{}` by {} at {})",
                previous.decision, previous.reviewer, previous.decided_at
            )),
            _ => None,
        }
    }
}

/// How each row stands against earlier decisions. `seen` holds the keys of every
/// row of every applied sheet; `reviewed_targets` the scope keys those sheets covered.
pub(crate) fn carry_over(
    rows: &[ReviewRow],
    past: &HashMap<String, PastDecision>,
    seen: &HashSet<String>,
    reviewed_targets: &HashSet<String>,
) -> Vec<Carry> {
    rows.iter()
        .map(|r| match past.get(&r.review_key) {
            Some(p) if p.content_hash == r.content_hash => Carry::Decided {
                previous: p.clone(),
            },
            Some(p) => Carry::Changed {
                previous: p.clone(),
            },
            None if seen.contains(&r.review_key) => Carry::Undecided,
            None if reviewed_targets.contains(&scope_key(&r.target_scope)) => Carry::New,
            None => Carry::FirstReview,
        })
        .collect()
}

/// One change that carries out `remove` decisions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Removal {
    /// Delete the role assignment (the principal holds it itself).
    #[serde(rename_all = "camelCase")]
    DeleteAssignment { assignment_id: String },
    /// Remove the principal from the first group of its path.
    #[serde(rename_all = "camelCase")]
    RemoveMember { group_id: String, member_id: String },
    /// Remove an eligibility in PIM (an AdminRemove request).
    #[serde(rename_all = "camelCase")]
    RemoveEligibility {
        scope: String,
        principal_id: String,
        role_id: String,
        instance_id: String,
    },
    /// Remove an active PIM assignment (an AdminRemove request).
    #[serde(rename_all = "camelCase")]
    RemoveActivePim {
        scope: String,
        principal_id: String,
        role_id: String,
        assignment_id: String,
    },
}

/// A removal and the rows whose `remove` decision it carries out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PlanStep<'a> {
    pub(crate) removal: Removal,
    pub(crate) rows: Vec<&'a ReviewRow>,
}

/// The removals for the rows whose latest decision is `remove` and whose content is
/// unchanged since (a stale decision is not carried out: decide it again). Identical
/// removals are merged; order follows the rows.
pub(crate) fn plan<'a>(rows: &'a [ReviewRow], carry: &[Carry]) -> Vec<PlanStep<'a>> {
    let mut steps: Vec<PlanStep<'a>> = Vec::new();
    let mut at: HashMap<Removal, usize> = HashMap::new();
    let mut seen_rows: HashSet<(&str, &str)> = HashSet::new();
    for (r, c) in rows.iter().zip(carry) {
        let Carry::Decided { previous } = c else {
            continue;
        };
        if !previous.decision.eq_ignore_ascii_case("remove") {
            continue;
        }
        let removal = match (r.via.first(), r.pim) {
            (Some(g), _) => Removal::RemoveMember {
                group_id: g.id.clone(),
                member_id: r.principal.id.clone(),
            },
            (None, Pim::Active) => Removal::DeleteAssignment {
                assignment_id: r.assignment_id.clone(),
            },
            (None, Pim::ActivePim) => Removal::RemoveActivePim {
                scope: r.assignment_scope.clone(),
                principal_id: r.principal.id.clone(),
                role_id: r.role_id.clone(),
                assignment_id: r.assignment_id.clone(),
            },
            (None, Pim::Eligible) => Removal::RemoveEligibility {
                scope: r.assignment_scope.clone(),
                principal_id: r.principal.id.clone(),
                role_id: r.role_id.clone(),
                instance_id: r.assignment_id.clone(),
            },
        };
        // The same access reviewed under several targets is one row to carry out.
        if !seen_rows.insert((r.review_key.as_str(), r.target_scope.as_str())) {
            continue;
        }
        match at.get(&removal) {
            Some(&i) => {
                if !steps[i].rows.iter().any(|x| x.review_key == r.review_key) {
                    steps[i].rows.push(r);
                }
            }
            None => {
                at.insert(removal.clone(), steps.len());
                steps.push(PlanStep {
                    removal,
                    rows: vec![r],
                });
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::{self, edge, group, user, RG, SUB, WS};
    use crate::model::*;

    const TAKEN: &str = "2026-11-01T00:00:00Z";

    fn role(id: &str, actions: &[&str], not_actions: &[&str]) -> RoleDefinition {
        RoleDefinition {
            id: id.into(),
            role_name: format!("role-{id}"),
            role_type: "CustomRole".into(),
            description: String::new(),
            permissions: vec![PermissionBlock {
                actions: actions.iter().map(|s| s.to_string()).collect(),
                not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }],
            assignable_scopes: vec!["/".into()],
        }
    }

    fn assign(n: usize, principal: &str, role_id: &str, scope: &str) -> Assignment {
        fixtures::assign(&format!("a{n}"), principal, role_id, scope)
    }

    fn eligible(id: &str, principal: &str, role_id: &str, scope: &str, end: &str) -> Eligibility {
        Eligibility {
            id: id.into(),
            principal_id: principal.into(),
            principal_type: "User".into(),
            role_definition_id: role_id.into(),
            scope: scope.into(),
            start_date_time: Some("2026-01-01T00:00:00Z".into()),
            end_date_time: Some(end.into()),
            member_type: Some("Direct".into()),
            condition: None,
        }
    }

    /// u1 ∈ g1 ∈ g2 ∈ g1 (cycle); g2 holds `owner` at the subscription; `reader` at
    /// the workspace for u2 directly; `ops` below the workspace for u3.
    fn tenant() -> Tenant {
        let mut t = Tenant {
            principals: vec![user("u1"), user("u2"), user("u3"), group("g1"), group("g2")],
            member_edges: vec![edge("g1", "u1"), edge("g2", "g1"), edge("g1", "g2")],
            member_lists: vec!["g1".into(), "g2".into()],
            roles: vec![
                role("owner", &["*"], &[]),
                role("reader", &["*/read"], &[]),
                role("uaa", &["Microsoft.Authorization/*"], &[]),
                role("ds", &["*"], &["Microsoft.Authorization/*/write"]),
            ],
            ..Default::default()
        };
        t.assignments.push(assign(1, "g2", "owner", SUB));
        t.assignments.push(assign(2, "u2", "reader", WS));
        t.assignments
            .push(assign(3, "u3", "ds", &format!("{WS}/computes/c1")));
        t.assignments
            .push(assign(4, "u2", "reader", "/subscriptions/OTHER"));
        t
    }

    fn rows_of(t: &Tenant) -> Vec<ReviewRow> {
        review(&Index::new(t), &[WS.to_string()], TAKEN).rows
    }

    fn find<'a>(rows: &'a [ReviewRow], principal: &str, role: &str) -> Vec<&'a ReviewRow> {
        rows.iter()
            .filter(|r| r.principal.id == principal && r.role_name == format!("role-{role}"))
            .collect()
    }

    #[test]
    fn rows_cover_ancestors_the_scope_and_below_but_not_elsewhere() {
        let rows = rows_of(&tenant());
        let owner_g2 = find(&rows, "g2", "owner");
        assert_eq!(owner_g2.len(), 1);
        assert!(owner_g2[0].inherited && !owner_g2[0].below);
        assert_eq!(owner_g2[0].access_path, "direct");
        let reader = find(&rows, "u2", "reader");
        assert_eq!(
            reader.len(),
            1,
            "the assignment at another subscription is out"
        );
        assert!(!reader[0].inherited && !reader[0].below);
        let ds = find(&rows, "u3", "ds");
        assert!(ds[0].below && !ds[0].inherited);
    }

    #[test]
    fn nested_groups_give_one_row_per_simple_path_and_cycles_end() {
        let rows = rows_of(&tenant());
        // g2 holds owner: g2 itself, g1 via [g2], u1 via [g1, g2]. The cycle g1 ∈ g2 ∈ g1
        // adds no path (g2 is already on it).
        let owner: Vec<(&str, Vec<&str>)> = rows
            .iter()
            .filter(|r| r.role_name == "role-owner")
            .map(|r| {
                (
                    r.principal.id.as_str(),
                    r.via.iter().map(|g| g.id.as_str()).collect(),
                )
            })
            .collect();
        let mut owner = owner;
        owner.sort();
        assert_eq!(
            owner,
            vec![("g1", vec!["g2"]), ("g2", vec![]), ("u1", vec!["g1", "g2"])]
        );
        let u1 = find(&rows, "u1", "owner")[0];
        assert_eq!(u1.access_path, "User u1 → Group g1 → Group g2");
    }

    #[test]
    fn privileged_follows_the_per_block_rule() {
        let rows = rows_of(&tenant());
        assert!(find(&rows, "u1", "owner")[0].privileged, "`*`");
        assert!(!find(&rows, "u2", "reader")[0].privileged);
        assert!(
            !find(&rows, "u3", "ds")[0].privileged,
            "`*` minus Microsoft.Authorization/*/write"
        );
        let mut t = tenant();
        t.assignments.push(assign(9, "u2", "uaa", WS));
        assert!(
            find(&rows_of(&t), "u2", "uaa")[0].privileged,
            "Microsoft.Authorization/*"
        );
    }

    #[test]
    fn review_key_is_stable_and_depends_on_the_path_only() {
        let a = rows_of(&tenant());
        let mut t = tenant();
        // Unrelated change, other spelling of the same ids.
        t.principals.push(user("u9"));
        for e in &mut t.member_edges {
            e.group_id = e.group_id.to_uppercase();
        }
        let b = rows_of(&t);
        let keys = |rows: &[ReviewRow]| {
            let mut k: Vec<String> = rows.iter().map(|r| r.review_key.clone()).collect();
            k.sort();
            k
        };
        assert_eq!(keys(&a), keys(&b));
        assert_eq!(a[0].review_key.len(), 16);
        assert_eq!(
            review_key("U1", "/A/B", &["G1".into()]),
            review_key("u1", "/a/b", &["g1".into()])
        );
        assert_ne!(
            review_key("u1", "/a/b", &["g1".into()]),
            review_key("u1", "/a/b", &[])
        );
    }

    #[test]
    fn recommendations_from_the_data() {
        let mut t = tenant();
        // Disabled u1, guest u2 with a privileged role, an orphan, an ended and a
        // current eligibility, an undefined role.
        t.principals[0].account_enabled = Some(false);
        t.principals[1].user_type = Some("Guest".into());
        t.assignments.push(assign(5, "u2", "uaa", WS));
        t.assignments.push(assign(6, "gone", "reader", WS));
        t.assignments.push(assign(7, "u3", "nope", WS));
        t.eligibilities
            .push(eligible("e1", "u3", "owner", RG, "2026-06-30T00:00:00Z"));
        t.eligibilities
            .push(eligible("e2", "u3", "uaa", WS, "2027-06-30T00:00:00Z"));
        let rows = rows_of(&t);
        let codes = |r: &ReviewRow| r.recommendations.iter().map(|x| x.code).collect::<Vec<_>>();
        assert_eq!(codes(find(&rows, "u1", "owner")[0]), ["disabled"]);
        assert_eq!(codes(find(&rows, "u2", "uaa")[0]), ["guest-privileged"]);
        assert!(
            codes(find(&rows, "u2", "reader")[0]).is_empty(),
            "guest, not privileged"
        );
        let orphan = rows.iter().find(|r| r.principal.id == "gone").unwrap();
        assert!(orphan.principal.is_orphaned());
        assert_eq!(codes(orphan), ["orphaned"]);
        assert!(orphan.recommendation().starts_with("remove:"));
        let undefined = rows
            .iter()
            .find(|r| r.principal.id == "u3" && !r.role_defined)
            .unwrap();
        assert_eq!(codes(undefined), ["undefined-role"]);
        let ended = find(&rows, "u3", "owner")[0];
        assert_eq!((ended.pim, ended.expired), (Pim::Eligible, true));
        assert_eq!(codes(ended), ["eligibility-ended"]);
        assert!(ended.recommendation().contains("2026-06-30"));
        let current = find(&rows, "u3", "uaa")[0];
        assert_eq!(codes(current), ["eligible-only"]);
    }

    #[test]
    fn many_users_holding_a_role_directly_suggest_a_group() {
        let mut t = tenant();
        for i in 0..4 {
            let id = format!("m{i}");
            t.principals.push(user(&id));
            t.assignments.push(assign(100 + i, &id, "reader", WS));
        }
        // u2 + m0..m3 = 5 users with reader directly at the workspace.
        let rows = rows_of(&t);
        let r = find(&rows, "m0", "reader")[0];
        assert_eq!(r.recommendations[0].code, "many-direct-users");
        assert!(r.recommendation().contains("5 users"));
        // Four are not enough.
        t.assignments.pop();
        let rows = rows_of(&t);
        assert!(find(&rows, "m0", "reader")[0].recommendations.is_empty());
    }

    #[test]
    fn an_eligibility_also_held_active_is_noted_as_such() {
        let mut t = tenant();
        t.eligibilities
            .push(eligible("e1", "u2", "reader", WS, "2027-01-01T00:00:00Z"));
        let rows = rows_of(&t);
        let e = rows
            .iter()
            .find(|r| r.principal.id == "u2" && r.pim == Pim::Eligible)
            .unwrap();
        assert_eq!(e.recommendations[0].code, "also-active");
    }

    #[test]
    fn pim_active_assignments_say_so() {
        let mut t = tenant();
        t.assignments[1].source = AssignmentSource::PimActive;
        let rows = rows_of(&t);
        assert_eq!(find(&rows, "u2", "reader")[0].pim.as_str(), "active (PIM)");
    }

    #[test]
    fn members_of_unimported_groups_are_incomplete() {
        let mut t = tenant();
        t.principals.push(group("g9"));
        t.assignments.push(assign(8, "g9", "reader", WS));
        let r = review(&Index::new(&t), &[WS.to_string()], TAKEN);
        assert_eq!(r.incomplete.len(), 1);
        assert_eq!(r.incomplete[0].group_id.as_deref(), Some("g9"));
        let g9 = r.rows.iter().find(|x| x.principal.id == "g9").unwrap();
        assert_eq!(g9.recommendations[0].code, "members-not-imported");
    }

    #[test]
    fn summary_counts_distinct_principals_per_target() {
        let mut t = tenant();
        t.principals[1].user_type = Some("Guest".into());
        t.assignments.push(assign(6, "gone", "reader", WS));
        let r = review(&Index::new(&t), &[WS.to_string(), RG.to_string()], TAKEN);
        let s = summary(&r);
        assert_eq!(s.len(), 2);
        // At the workspace: u1 (owner via groups), u2 (reader), u3 (below), gone.
        assert_eq!(s[0].principals, 4);
        assert_eq!(s[0].groups, 2);
        assert_eq!(
            s[0].privileged, 1,
            "u1 through g1 and g2; groups not counted"
        );
        assert_eq!((s[0].orphaned, s[0].guests), (1, 1));
        assert_eq!(
            s[0].rows,
            r.rows.iter().filter(|x| x.target_scope == WS).count()
        );
        // At the resource group everything is below or above: the same principals.
        assert_eq!(s[1].principals, 4);
    }

    fn past(decision: &str, hash: &str) -> PastDecision {
        PastDecision {
            decision: decision.into(),
            comment: Some("ok".into()),
            reviewer: "r".into(),
            decided_at: TAKEN.into(),
            snapshot_id: 1,
            content_hash: hash.into(),
        }
    }

    #[test]
    fn carry_over_prefills_unchanged_and_marks_new_and_changed() {
        let rows = rows_of(&tenant());
        let u2 = rows.iter().position(|r| r.principal.id == "u2").unwrap();
        let u1 = rows.iter().position(|r| r.principal.id == "u1").unwrap();
        let g1 = rows.iter().position(|r| r.principal.id == "g1").unwrap();
        let mut pastm = HashMap::new();
        pastm.insert(
            rows[u2].review_key.clone(),
            past("approve", &rows[u2].content_hash),
        );
        pastm.insert(rows[u1].review_key.clone(), past("remove", "stale"));
        let seen: HashSet<String> = [rows[g1].review_key.clone()].into();
        let none = HashSet::new();
        let c = carry_over(&rows, &pastm, &seen, &none);
        assert_eq!(c[u2].prefill(), (Some("approve"), Some("ok")));
        assert!(matches!(c[u1], Carry::Changed { .. }));
        assert!(c[u1].mark().unwrap().contains("changed"));
        assert_eq!(c[g1], Carry::Undecided);
        let other = rows.iter().position(|r| r.principal.id == "u3").unwrap();
        assert_eq!(c[other], Carry::FirstReview);
        let reviewed: HashSet<String> = [scope_key(WS)].into();
        let c = carry_over(&rows, &pastm, &seen, &reviewed);
        assert_eq!(c[other], Carry::New);
        assert_eq!(c[other].mark().as_deref(), Some("new since last review"));
    }

    #[test]
    fn plan_removes_the_assignment_or_the_first_membership_once() {
        let mut t = tenant();
        t.eligibilities
            .push(eligible("e1", "u3", "owner", RG, "2027-06-30T00:00:00Z"));
        let rows = rows_of(&t);
        let mut pastm = HashMap::new();
        for r in &rows {
            pastm.insert(r.review_key.clone(), past("remove", &r.content_hash));
        }
        let c = carry_over(&rows, &pastm, &HashSet::new(), &HashSet::new());
        let steps = plan(&rows, &c);
        let removals: Vec<&Removal> = steps.iter().map(|s| &s.removal).collect();
        assert!(removals.contains(&&Removal::RemoveMember {
            group_id: "g1".into(),
            member_id: "u1".into()
        }));
        assert!(removals.contains(&&Removal::DeleteAssignment {
            assignment_id: format!("{WS}/providers/Microsoft.Authorization/roleAssignments/a2")
        }));
        assert!(removals.iter().any(
            |r| matches!(r, Removal::RemoveEligibility { instance_id, .. } if instance_id == "e1")
        ));
        let unique: HashSet<&&Removal> = removals.iter().collect();
        assert_eq!(unique.len(), removals.len(), "identical removals merged");
        // An approve or a stale remove plans nothing.
        let c: Vec<Carry> = rows
            .iter()
            .map(|r| Carry::Changed {
                previous: past("remove", &r.content_hash),
            })
            .collect();
        assert!(plan(&rows, &c).is_empty());
    }
}
