//! A principal as `whocan show` presents it: its record, its groups (direct and
//! transitive, with the chain), the role assignments and PIM eligibilities it
//! holds directly and through groups, the groups it may join through PIM for
//! Groups, and the deny assignments that name or exclude it.
//!
//! Pure: everything comes from an [`Index`] through the rules' own places —
//! holders by [`decide::holders`] (the one membership walk), orphan status by
//! [`decide::orphan_status`] (through [`decide::principal_info`]), windows by
//! [`Index::window`] (`engine/window.rs`), roles by the one role join. It decides
//! no access: `who` and `can` do.

use serde::Serialize;

use crate::model::{key, Principal, ALL_PRINCIPALS};

use super::decide::{self, GroupRef, Incomplete, IncompleteReason, PrincipalInfo};
use super::window::WindowState;
use super::Index;

/// A group the principal is a member of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub(crate) group: GroupRef,
    /// The groups between the principal and this group, the principal's own group
    /// first (empty for a direct membership).
    pub(crate) via: Vec<GroupRef>,
}

/// A role assignment the principal holds, itself or through a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Held {
    /// The assignment's (or eligibility's) id.
    pub(crate) id: String,
    /// The role's name; None when its definition was not imported.
    pub(crate) role_name: Option<String>,
    pub(crate) role_definition_id: String,
    pub(crate) scope: String,
    /// The group chain from the principal to the holder, nearest group first,
    /// ending with the holder (empty when the principal holds it itself), as a
    /// `who` grant's `via`.
    pub(crate) via: Vec<GroupRef>,
    pub(crate) condition: Option<String>,
    pub(crate) start_date_time: Option<String>,
    pub(crate) end_date_time: Option<String>,
    /// Where its window stands at the snapshot's time (an assignment without a
    /// window is in force).
    pub(crate) state: WindowState,
}

/// A PIM-for-Groups eligibility: the principal (or a group it is in) may
/// activate membership of `group`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupEligible {
    pub(crate) id: String,
    pub(crate) group: GroupRef,
    pub(crate) via: Vec<GroupRef>,
    pub(crate) start_date_time: Option<String>,
    pub(crate) end_date_time: Option<String>,
    pub(crate) state: WindowState,
}

/// A deny assignment that names or excludes the principal (itself, a group it is
/// in, or All Principals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DenyMention {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) scope: String,
    /// The entry of `principals` that names it: its own id, a group's, or All
    /// Principals (`00000000-0000-0000-0000-000000000000`); None when only excluded.
    pub(crate) named_by: Option<GroupRef>,
    /// The entry of `excludePrincipals` that exempts it, if any.
    pub(crate) excluded_by: Option<GroupRef>,
    /// Named and not excluded: its denied actions are denied to the principal
    /// (where the deny's scope applies).
    pub(crate) applies: bool,
    /// The deny's patterns (actions and data actions of every block).
    pub(crate) actions: Vec<String>,
    pub(crate) data_actions: Vec<String>,
    pub(crate) do_not_apply_to_child_scopes: bool,
}

/// The answer of `whocan show`.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub(crate) principal: PrincipalInfo,
    /// The directory record, when there is one (mail, other mails, appId).
    pub(crate) record: Option<Principal>,
    pub(crate) groups: Vec<Membership>,
    pub(crate) assignments: Vec<Held>,
    pub(crate) eligibilities: Vec<Held>,
    pub(crate) group_eligibilities: Vec<GroupEligible>,
    pub(crate) denies: Vec<DenyMention>,
    pub(crate) incomplete: Vec<Incomplete>,
}

/// What the store found that no profile can see through: groups whose member
/// list was not imported (`partial`: one page of several), as (id, display name).
#[derive(Debug, Clone, Default)]
pub struct UnseenGroups {
    pub(crate) not_imported: Vec<(String, String)>,
    pub(crate) partial: Vec<(String, String)>,
}

/// The role GUID to show ([`decide::role_id_of`]): the definition's own, else the
/// one the record used.
fn role_id(role: Option<&crate::model::RoleDefinition>, record_role_id: &str) -> String {
    decide::role_id_of(role.map_or("", |r| r.id.as_str()), record_role_id)
}

fn group_refs(ix: &Index, ids: &[String]) -> Vec<GroupRef> {
    ids.iter()
        .map(|g| GroupRef {
            id: g.clone(),
            name: ix.name_of(g),
        })
        .collect()
}

/// The profile of `principal` (a key). `unseen`: the snapshot's groups whose
/// members the principal may be among unseen (SPEC §4 `members not imported`,
/// `members partial`).
pub fn profile(ix: &Index, principal: &str, unseen: &UnseenGroups) -> Profile {
    let p = key(principal);
    let holders = decide::holders(ix, &p);
    let groups: Vec<Membership> = holders
        .iter()
        .filter_map(|h| {
            let (group, between) = h.via.split_last()?;
            Some(Membership {
                group: group_refs(ix, std::slice::from_ref(group)).remove(0),
                via: group_refs(ix, between),
            })
        })
        .collect();

    let mut assignments = Vec::new();
    let mut eligibilities = Vec::new();
    let mut group_eligibilities = Vec::new();
    let mut incomplete = Vec::new();
    for h in &holders {
        let via = group_refs(ix, &h.via);
        for &ai in ix.assignments_by_holder.get(&h.id).into_iter().flatten() {
            let a = &ix.assignments[ai];
            let role = ix.assignment_role[ai].map(|ri| &ix.roles[ri].def);
            if role.is_none() {
                incomplete.push(Incomplete::role_not_defined(&a.id, &a.role_definition_id));
            }
            assignments.push(Held {
                id: a.id.clone(),
                role_name: role.map(|r| r.role_name.clone()),
                role_definition_id: role_id(role, &a.role_definition_id),
                scope: a.scope.clone(),
                via: via.clone(),
                condition: a.condition.clone().filter(|c| !c.trim().is_empty()),
                start_date_time: a.start_date_time.clone(),
                end_date_time: a.end_date_time.clone(),
                state: ix.window(a.start_date_time.as_deref(), a.end_date_time.as_deref()),
            });
        }
        for &ei in ix.eligibilities_by_holder.get(&h.id).into_iter().flatten() {
            let e = &ix.eligibilities[ei];
            let role = ix.eligibility_role[ei].map(|ri| &ix.roles[ri].def);
            if role.is_none() {
                incomplete.push(Incomplete::role_not_defined(&e.id, &e.role_definition_id));
            }
            eligibilities.push(Held {
                id: e.id.clone(),
                role_name: role.map(|r| r.role_name.clone()),
                role_definition_id: role_id(role, &e.role_definition_id),
                scope: e.scope.clone(),
                via: via.clone(),
                condition: e.condition.clone().filter(|c| !c.trim().is_empty()),
                start_date_time: e.start_date_time.clone(),
                end_date_time: e.end_date_time.clone(),
                state: ix.window(e.start_date_time.as_deref(), e.end_date_time.as_deref()),
            });
        }
        for &gi in ix.eligible_groups_of.get(&h.id).into_iter().flatten() {
            let ge = &ix.group_eligibilities[gi];
            group_eligibilities.push(GroupEligible {
                id: ge.id.clone(),
                group: group_refs(ix, &[key(&ge.group_id)]).remove(0),
                via: via.clone(),
                start_date_time: ge.start_date_time.clone(),
                end_date_time: ge.end_date_time.clone(),
                state: ix.window(ge.start_date_time.as_deref(), ge.end_date_time.as_deref()),
            });
        }
    }
    // Broadest scope first (root, management groups, subscriptions...), then by id.
    let order = |h: &Held| {
        let k = crate::model::scope_key(&h.scope);
        (super::scope::kind_of(&k), k, h.via.len(), key(&h.id))
    };
    assignments.sort_by_cached_key(order);
    eligibilities.sort_by_cached_key(order);

    let denies = deny_mentions(ix, &holders);
    incomplete.extend(unseen_groups(&holders, unseen));
    // Groups whose PIM for Groups instances could not be collected: the
    // principal may be eligible for (or an active member of) any of them unseen.
    incomplete.extend(
        ix.unreadable_group_pim
            .iter()
            .map(|(group, detail)| Incomplete::group_unreadable(group, &ix.name_of(group), detail)),
    );
    incomplete.extend(ix.unreadable_scopes.values().cloned());
    incomplete.sort();
    incomplete.dedup();
    Profile {
        principal: decide::principal_info(ix, &p),
        record: ix.principals.get(&p).cloned(),
        groups,
        assignments,
        eligibilities,
        group_eligibilities,
        denies,
        incomplete,
    }
}

/// The groups whose members the snapshot does not (wholly) list: the principal
/// may be a member unseen. A group it is already seen in is left out of `members
/// not imported` (some list named it there); a partial list is always kept.
fn unseen_groups<'a>(
    holders: &'a [decide::Holder],
    unseen: &'a UnseenGroups,
) -> impl Iterator<Item = Incomplete> + 'a {
    let not_imported = unseen.not_imported.iter().filter(move |(id, _)| {
        let k = key(id);
        !holders.iter().any(|h| h.id == k)
    });
    not_imported
        .map(|(id, name)| Incomplete::group(IncompleteReason::MembersNotImported, id, name))
        .chain(
            unseen
                .partial
                .iter()
                .map(|(id, name)| Incomplete::group(IncompleteReason::MembersPartial, id, name)),
        )
}

/// Every deny assignment whose `principals` or `excludePrincipals` name one of the
/// principal's holders (or All Principals), in scope order; whether it applies is
/// [`decide::deny_subject`]'s (the rule `decide` uses).
fn deny_mentions(ix: &Index, holders: &[decide::Holder]) -> Vec<DenyMention> {
    let group = |id: String| GroupRef {
        name: if id == ALL_PRINCIPALS {
            "All Principals".to_string()
        } else {
            ix.name_of(&id)
        },
        id,
    };
    let mut out: Vec<DenyMention> = ix
        .denies
        .iter()
        .filter_map(|d| {
            let subject = decide::deny_subject(d, holders);
            if subject.named.is_none() && subject.excluded.is_none() {
                return None;
            }
            let patterns = |f: fn(&crate::model::PermissionBlock) -> &Vec<String>| {
                d.def
                    .permissions
                    .iter()
                    .flat_map(|b| f(b).iter().cloned())
                    .collect::<Vec<_>>()
            };
            Some(DenyMention {
                id: d.def.id.clone(),
                name: d.def.name.clone(),
                scope: d.def.scope.clone(),
                applies: subject.applies(),
                named_by: subject.named.map(group),
                excluded_by: subject.excluded.map(group),
                actions: patterns(|b| &b.actions),
                data_actions: patterns(|b| &b.data_actions),
                do_not_apply_to_child_scopes: d.def.do_not_apply_to_child_scopes,
            })
        })
        .collect();
    out.sort_by_cached_key(|d| (crate::model::scope_key(&d.scope), key(&d.id)));
    out
}
