//! The AzureML workspaces of a snapshot as `whocan workspaces` lists them: each
//! with its resource group, its subscription (and that subscription's display
//! name), how many computes the inventory lists below it, and how many role
//! assignments apply to it (held at it or at an ancestor, by the one ancestor
//! rule, [`ScopeTree::ancestors`]).
//!
//! Pure: the store reads the nodes and counts, this arranges them.

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use crate::model::{key, scope_key, ScopeNode};

use super::scope::ScopeTree;

/// One workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceRow {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) resource_group: Option<String>,
    pub(crate) subscription_id: Option<String>,
    /// The subscription's display name, when the subscription list was imported.
    pub(crate) subscription_name: Option<String>,
    /// Computes the resource inventory lists below the workspace.
    pub(crate) computes: usize,
    /// Role assignments held at the workspace or at one of its ancestors.
    pub(crate) assignments_at_or_above: usize,
}

/// Which workspaces to list: those of one subscription (a key:
/// `/subscriptions/<id>`) and/or of one resource group (a name, any case).
#[derive(Debug, Clone, Default)]
pub struct WorkspaceFilter {
    pub(crate) subscription: Option<String>,
    pub(crate) resource_group: Option<String>,
}

/// The id's value after `segment` (`subscriptions`, `resourceGroups`), as spelled.
pub(crate) fn segment_after<'a>(id: &'a str, segment: &str) -> Option<&'a str> {
    let mut parts = id.trim_matches('/').split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(segment) {
            return parts.next().filter(|v| !v.is_empty());
        }
    }
    None
}

impl WorkspaceFilter {
    pub(crate) fn keeps(&self, n: &ScopeNode) -> bool {
        let k = scope_key(&n.id);
        self.subscription
            .as_deref()
            .is_none_or(|s| k == s || k.starts_with(&format!("{s}/")))
            && self.resource_group.as_deref().is_none_or(|rg| {
                segment_after(&n.id, "resourceGroups").is_some_and(|x| x.eq_ignore_ascii_case(rg))
            })
    }
}

/// Every scope key whose assignments [`rows`] counts for these workspaces: each
/// workspace and its ancestors, each once, in key order.
pub fn counted_scopes(workspaces: &[ScopeNode], tree: &ScopeTree) -> Vec<String> {
    let mut keys: Vec<String> = workspaces
        .iter()
        .flat_map(|w| tree.ancestors(&w.id))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The rows, by workspace name (then id). `computes`: by workspace key, how many
/// computes are listed below it; `assignments_at`: by scope key, how many role
/// assignments are held there.
pub fn rows(
    workspaces: &[ScopeNode],
    tree: &ScopeTree,
    computes: &HashMap<String, usize>,
    assignments_at: &HashMap<String, usize>,
) -> Vec<WorkspaceRow> {
    let mut out: Vec<WorkspaceRow> = workspaces
        .iter()
        .map(|w| {
            let k = scope_key(&w.id);
            let subscription_id = segment_after(&w.id, "subscriptions").map(str::to_string);
            let subscription_name = subscription_id.as_ref().and_then(|s| {
                tree.display_name(&format!("/subscriptions/{s}"))
                    .filter(|n| !n.eq_ignore_ascii_case(s))
                    .map(str::to_string)
            });
            WorkspaceRow {
                name: w.name.clone(),
                id: w.id.clone(),
                resource_group: segment_after(&w.id, "resourceGroups").map(str::to_string),
                subscription_id,
                subscription_name,
                computes: computes.get(&k).copied().unwrap_or(0),
                assignments_at_or_above: tree
                    .ancestors(&k)
                    .iter()
                    .map(|a| assignments_at.get(a).copied().unwrap_or(0))
                    .sum(),
            }
        })
        .collect();
    out.sort_by_cached_key(|r| (key(&r.name), key(&r.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::{RG, SUB, WS};
    use crate::model::ScopeKind;

    fn node(id: &str, kind: ScopeKind, name: &str, display: Option<&str>) -> ScopeNode {
        ScopeNode {
            id: id.into(),
            kind,
            name: name.into(),
            display_name: display.map(Into::into),
            resource_type: None,
            parent_id: None,
        }
    }

    #[test]
    fn counts_assignments_at_the_workspace_and_every_ancestor() {
        let tree = ScopeTree::new(&[node(SUB, ScopeKind::Subscription, "S1", Some("prod"))]);
        let ws = node(WS, ScopeKind::Resource, "w1", None);
        let keys = counted_scopes(std::slice::from_ref(&ws), &tree);
        for k in [
            "/".to_string(),
            scope_key(SUB),
            scope_key(RG),
            scope_key(WS),
        ] {
            assert!(keys.contains(&k), "{k} in {keys:?}");
        }
        assert!(!keys.iter().any(|k| k.contains("/computes")));
        let mut at = HashMap::default();
        at.insert("/".to_string(), 1);
        at.insert(scope_key(RG), 2);
        at.insert(scope_key(WS), 4);
        at.insert(format!("{}/computes/c1", scope_key(WS)), 8);
        let mut computes = HashMap::default();
        computes.insert(scope_key(WS), 3);
        let r = rows(&[ws], &tree, &computes, &at);
        assert_eq!(r[0].assignments_at_or_above, 7);
        assert_eq!(r[0].computes, 3);
        assert_eq!(r[0].resource_group.as_deref(), Some("RG1"));
        assert_eq!(r[0].subscription_name.as_deref(), Some("prod"));
    }

    #[test]
    fn filters_by_subscription_and_resource_group() {
        let ws = node(WS, ScopeKind::Resource, "w1", None);
        let f = |s: Option<&str>, rg: Option<&str>| WorkspaceFilter {
            subscription: s.map(Into::into),
            resource_group: rg.map(Into::into),
        };
        assert!(f(Some("/subscriptions/s1"), Some("rg1")).keeps(&ws));
        assert!(!f(Some("/subscriptions/s"), None).keeps(&ws));
        assert!(!f(None, Some("rg")).keeps(&ws));
    }
}
