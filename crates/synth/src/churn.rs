//! Churn: the same tenant a quarter later. A given fraction of the role
//! assignments is replaced (removed, and as many new ones added under the same
//! rules), the same fraction of the membership edges is replaced (user memberships
//! of regular groups, never emptying a group), and one custom role gains an action.
//!
//! Churn draws from its own stream, so the base tenant is byte-identical with or
//! without it, and files of untouched kinds (users, scopes, operations...) are the
//! same bytes in both. The incomplete groups keep their assignments so that the
//! second snapshot still exercises `incomplete`.

use std::collections::HashSet;

use super::directory::GroupSort;
use super::grants::Picker;
use super::rng::Rng;
use super::roles;
use super::World;

/// What the churn changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChurnReport {
    pub assignments_removed: usize,
    pub assignments_added: usize,
    pub edges_removed: usize,
    pub edges_added: usize,
    /// The name of the custom role whose actions were edited.
    pub role_edited: Option<String>,
}

pub(crate) fn apply(w: &mut World, seed: u64, fraction: f64) -> ChurnReport {
    let mut rng = Rng::stream(seed, "churn");
    let mut report = ChurnReport::default();

    // Assignments.
    let total = w.grants.assignments.len();
    let n = (total as f64 * fraction).round() as usize;
    let protected: HashSet<u32> = w
        .dir
        .groups_of(GroupSort::Incomplete)
        .into_iter()
        .map(|g| w.dir.group_p(g))
        .collect();
    let mut candidates: Vec<usize> = (0..total)
        .filter(|&i| {
            let a = &w.grants.assignments[i];
            !a.fact && !protected.contains(&a.principal)
        })
        .collect();
    rng.shuffle(&mut candidates);
    let mut remove = vec![false; total];
    for &i in candidates.iter().take(n) {
        remove[i] = true;
    }
    let kept: Vec<_> = w
        .grants
        .assignments
        .iter()
        .zip(&remove)
        .filter(|(_, &r)| !r)
        .map(|(a, _)| a.clone())
        .collect();
    report.assignments_removed = total - kept.len();
    let mut picker = Picker::new(&w.scopes, &w.dir, &w.roles, &w.sizes, &kept);
    let mut list = kept;
    for _ in 0..report.assignments_removed {
        list.push(picker.one(&mut rng));
    }
    report.assignments_added = report.assignments_removed;
    drop(picker);
    w.grants.assignments = list;

    // Memberships: user members of regular groups.
    let dir = &mut w.dir;
    let total = dir.edges.len();
    let n = (total as f64 * fraction).round() as usize;
    let regular: Vec<usize> = dir.groups_of(GroupSort::Regular);
    let is_regular: Vec<bool> = (0..dir.groups.len())
        .map(|g| dir.groups[g].sort == GroupSort::Regular)
        .collect();
    let n_users = dir.users.len() as u32;
    let mut count = vec![0usize; dir.groups.len()];
    for &(g, _) in &dir.edges {
        count[g as usize] += 1;
    }
    let mut candidates: Vec<usize> = (0..total)
        .filter(|&i| {
            let (g, m) = dir.edges[i];
            is_regular[g as usize] && m < n_users
        })
        .collect();
    rng.shuffle(&mut candidates);
    let mut remove = vec![false; total];
    let mut removed = 0;
    for &i in &candidates {
        if removed == n {
            break;
        }
        let g = dir.edges[i].0 as usize;
        if count[g] > 1 {
            count[g] -= 1;
            remove[i] = true;
            removed += 1;
        }
    }
    let mut present: HashSet<u64> = dir
        .edges
        .iter()
        .map(|&(g, m)| (u64::from(g) << 32) | u64::from(m))
        .collect();
    let mut added = Vec::with_capacity(removed);
    if !regular.is_empty() && n_users > 0 {
        let mut tries = 0;
        while added.len() < removed && tries < removed * 100 + 100 {
            tries += 1;
            let g = *rng.pick(&regular) as u32;
            let m = rng.below(n_users as usize) as u32;
            if present.insert((u64::from(g) << 32) | u64::from(m)) {
                added.push((g, m));
            }
        }
    }
    let mut edges: Vec<(u32, u32)> = dir
        .edges
        .iter()
        .zip(&remove)
        .filter(|(_, &r)| !r)
        .map(|(e, _)| *e)
        .collect();
    report.edges_removed = removed;
    report.edges_added = added.len();
    edges.extend(added);
    dir.edges = edges;
    dir.sort_edges();

    // One role edit.
    if let Some(i) = roles::edit_one(&mut w.roles, &w.cat, &mut rng) {
        report.role_edited = Some(w.roles[i].name.clone());
    }
    report
}
