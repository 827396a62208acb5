//! A group's members (`whocan members`): its direct members, or every member
//! below it with the chain of groups that leads there, by the one membership walk
//! ([`super::walk::breadth_first`], downward through the [`Index`]'s
//! `members_of`, which holds the PIM-for-Groups memberships in force too):
//! iterative, cycle-safe, each member once, reached by a shortest chain.
//!
//! Pure: reads an [`Index`], never SQL; says what it could not see (a group whose
//! member list was not imported, or was one page of several) with SPEC §4's
//! reasons ([`super::query::group_gaps`]).

use serde::Serialize;

use crate::model::key;

use super::decide::{principal_info, GroupRef, Incomplete, PrincipalInfo};
use super::walk::breadth_first;
use super::window::WindowState;
use super::Index;

/// One member of the asked group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub(crate) principal: PrincipalInfo,
    /// The groups between the member and the asked group, the member's own group
    /// first (empty for a direct member): the same reading order as a `via` of
    /// `who` (from the principal upward).
    pub(crate) via: Vec<GroupRef>,
}

/// A principal eligible (PIM for Groups, SPEC §2.11) to become a member of a
/// group: not a member until it activates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EligibleMember {
    pub(crate) principal: PrincipalInfo,
    /// The group it may join (the asked group, or with `--transitive` one below it).
    pub(crate) group: GroupRef,
    pub(crate) start_date_time: Option<String>,
    pub(crate) end_date_time: Option<String>,
    /// Where the window stands at the snapshot's time ([`Index::window`]).
    pub(crate) state: WindowState,
}

/// The answer of `whocan members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Members {
    pub(crate) group: PrincipalInfo,
    pub(crate) transitive: bool,
    /// Direct members first, then deeper ones; by display name within a depth.
    pub(crate) members: Vec<Member>,
    pub(crate) eligible: Vec<EligibleMember>,
    /// When the group is (transitively) a member of itself: the chain of groups
    /// that leads back to it, nearest the group first. The walk visits each group
    /// once, so a cycle ends.
    pub(crate) cycle: Option<Vec<GroupRef>>,
    pub(crate) incomplete: Vec<Incomplete>,
}

fn group_ref(ix: &Index, id: &str) -> GroupRef {
    GroupRef {
        id: id.to_string(),
        name: ix.name_of(id),
    }
}

/// The members of `group` (a key): direct, or with `transitive` every member
/// below it.
pub fn members(ix: &Index, group: &str, transitive: bool) -> Members {
    let g = key(group);
    let start = g.clone();
    let walk = breadth_first([g.clone()], |n| {
        let follow = transitive || n == start;
        ix.members_of
            .get(n)
            .into_iter()
            .flatten()
            .filter(move |_| follow)
    });
    // `via[i]`: the chain from node i up to (not including) the asked group.
    let mut via: Vec<Vec<String>> = Vec::with_capacity(walk.len());
    for r in &walk {
        let chain = match r.from {
            None | Some(0) => Vec::new(),
            Some(f) => {
                let mut c = vec![walk[f].id.clone()];
                c.extend(via[f].iter().cloned());
                c
            }
        };
        via.push(chain);
    }
    let mut out: Vec<Member> = walk
        .iter()
        .zip(&via)
        .skip(1)
        .map(|(r, chain)| Member {
            principal: principal_info(ix, &r.id),
            via: chain.iter().map(|v| group_ref(ix, v)).collect(),
        })
        .collect();
    out.sort_by_cached_key(|m| {
        (
            m.via.len(),
            m.principal.display_name.to_lowercase(),
            m.principal.id.clone(),
        )
    });

    // The groups walked: the asked one, and with `transitive` every group below.
    let walked: Vec<usize> = (0..walk.len())
        .filter(|&i| i == 0 || (transitive && ix.is_group(&walk[i].id)))
        .collect();
    let cycle = walked.iter().find_map(|&i| {
        let back = ix
            .members_of
            .get(&walk[i].id)
            .is_some_and(|ms| ms.contains(&g));
        back.then(|| {
            // From the asked group down to i: i's chain read the other way, then i.
            let mut c: Vec<String> = via[i].iter().rev().cloned().collect();
            if i != 0 {
                c.push(walk[i].id.clone());
            }
            c.iter().map(|v| group_ref(ix, v)).collect()
        })
    });
    let incomplete: Vec<Incomplete> = walked
        .iter()
        .flat_map(|&i| super::query::group_gaps(ix, &walk[i].id))
        .collect();
    let eligible = eligible_members(ix, walked.iter().map(|&i| walk[i].id.as_str()));
    Members {
        group: principal_info(ix, &g),
        transitive,
        members: out,
        eligible,
        cycle,
        incomplete,
    }
}

/// The principals eligible (not active) to become members of `groups`, in the
/// order of the groups, then by display name.
fn eligible_members<'a>(ix: &Index, groups: impl Iterator<Item = &'a str>) -> Vec<EligibleMember> {
    let mut out = Vec::new();
    for g in groups {
        let mut here: Vec<EligibleMember> = ix
            .group_eligibilities
            .iter()
            .filter(|ge| {
                !ge.active && ge.access_id.eq_ignore_ascii_case("member") && key(&ge.group_id) == g
            })
            .map(|ge| EligibleMember {
                principal: principal_info(ix, &ge.principal_id),
                group: group_ref(ix, g),
                start_date_time: ge.start_date_time.clone(),
                end_date_time: ge.end_date_time.clone(),
                state: ix.window(ge.start_date_time.as_deref(), ge.end_date_time.as_deref()),
            })
            .collect();
        here.sort_by_cached_key(|e| {
            (
                e.principal.display_name.to_lowercase(),
                e.principal.id.clone(),
            )
        });
        out.extend(here);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::decide::holders;
    use crate::engine::fixtures::{edge, group, user};
    use crate::model::Tenant;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn tenant(edges: &[(&str, &str)], groups: &[&str], users: &[&str]) -> Tenant {
        Tenant {
            principals: groups
                .iter()
                .map(|g| group(g))
                .chain(users.iter().map(|u| user(u)))
                .collect(),
            member_edges: edges.iter().map(|(g, m)| edge(g, m)).collect(),
            member_lists: groups.iter().map(|g| g.to_string()).collect(),
            ..Tenant::default()
        }
    }

    fn ids(m: &Members) -> Vec<(String, Vec<String>)> {
        m.members
            .iter()
            .map(|x| {
                (
                    x.principal.id.clone(),
                    x.via.iter().map(|v| v.id.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn direct_then_nested_with_the_chain_nearest_the_member_first() {
        let t = tenant(
            &[
                ("all", "ds"),
                ("ds", "interns"),
                ("interns", "hana"),
                ("ds", "alice"),
            ],
            &["all", "ds", "interns"],
            &["hana", "alice"],
        );
        let ix = Index::new(&t);
        assert_eq!(ids(&members(&ix, "all", false)), [("ds".into(), vec![])]);
        let all = members(&ix, "ALL", true);
        assert_eq!(
            ids(&all),
            [
                ("ds".to_string(), vec![]),
                // By depth, then display name ("Group interns" < "User alice").
                ("interns".to_string(), vec!["ds".to_string()]),
                ("alice".to_string(), vec!["ds".to_string()]),
                (
                    "hana".to_string(),
                    vec!["interns".to_string(), "ds".to_string()]
                ),
            ]
        );
        assert!(all.cycle.is_none() && all.incomplete.is_empty());
    }

    #[test]
    fn a_cycle_ends_and_is_named() {
        let t = tenant(
            &[
                ("dpt", "dpoc"),
                ("dpoc", "dpt"),
                ("dpt", "kyle"),
                ("dpoc", "maria"),
            ],
            &["dpt", "dpoc"],
            &["kyle", "maria"],
        );
        let ix = Index::new(&t);
        let m = members(&ix, "dpt", true);
        let got: BTreeSet<String> = m.members.iter().map(|x| x.principal.id.clone()).collect();
        assert_eq!(got, ["dpoc", "kyle", "maria"].map(String::from).into());
        let cycle: Vec<String> = m.cycle.unwrap().into_iter().map(|g| g.id).collect();
        assert_eq!(cycle, ["dpoc"]);
        // Direct only: the cycle is seen only if the group names itself.
        assert!(members(&ix, "dpt", false).cycle.is_none());
    }

    #[test]
    fn a_group_without_a_member_list_is_incomplete() {
        let mut t = tenant(&[("all", "ext")], &["all", "ext"], &[]);
        t.member_lists.retain(|g| g != "ext");
        let ix = Index::new(&t);
        assert!(members(&ix, "all", false).incomplete.is_empty());
        let m = members(&ix, "all", true);
        assert_eq!(m.incomplete.len(), 1);
        assert_eq!(m.incomplete[0].group_id.as_deref(), Some("ext"));
        assert_eq!(members(&ix, "ext", false).incomplete.len(), 1);
    }

    proptest! {
        /// Two ways to the same set: the members below a group are exactly the
        /// principals whose groups (upward, transitively) include it.
        #[test]
        fn transitive_members_are_those_whose_upward_closure_holds_the_group(
            edges in proptest::collection::vec((0usize..6, 0usize..10), 0..24)
        ) {
            let name = |i: usize| if i < 6 { format!("g{i}") } else { format!("u{i}") };
            let edges: Vec<(String, String)> =
                edges.into_iter().map(|(g, m)| (name(g), name(m))).collect();
            let refs: Vec<(&str, &str)> =
                edges.iter().map(|(g, m)| (g.as_str(), m.as_str())).collect();
            let groups: Vec<String> = (0..6).map(name).collect();
            let users: Vec<String> = (6..10).map(name).collect();
            let t = tenant(
                &refs,
                &groups.iter().map(String::as_str).collect::<Vec<_>>(),
                &users.iter().map(String::as_str).collect::<Vec<_>>(),
            );
            let ix = Index::new(&t);
            for g in &groups {
                let down: BTreeSet<String> = members(&ix, g, true)
                    .members
                    .into_iter()
                    .map(|m| m.principal.id)
                    .collect();
                let up: BTreeSet<String> = groups
                    .iter()
                    .chain(&users)
                    .filter(|p| *p != g)
                    .filter(|p| holders(&ix, p).iter().any(|h| h.id == *g))
                    .cloned()
                    .collect();
                prop_assert_eq!(&down, &up, "group {}", g);
                // Each member's chain is a real chain of direct memberships.
                for m in members(&ix, g, true).members {
                    let mut below = m.principal.id.clone();
                    for v in m.via.iter().map(|v| v.id.clone()).chain([g.clone()]) {
                        prop_assert!(ix.members_of[&v].contains(&below));
                        below = v;
                    }
                }
            }
        }
    }
}
