//! Scopes: the ancestor chain of a target scope (SPEC §2.2).
//!
//! A resource's ancestors are its segment-wise path prefixes down to the
//! subscription, then the subscription's management-group chain from the imported
//! tree, then the root `/`. Everything is compared by [`scope_key`] (lowercase, no
//! trailing `/`). Chains terminate even if the imported tree has a cycle.

use std::collections::HashMap;

use crate::model::{scope_key, ScopeKind, ScopeNode};

const MG_PREFIX: &str = "/providers/microsoft.management/managementgroups/";

/// The kind of a scope from its shape alone.
pub(crate) fn kind_of(scope_key: &str) -> ScopeKind {
    if scope_key == "/" {
        return ScopeKind::Root;
    }
    if scope_key.starts_with(MG_PREFIX) {
        return ScopeKind::ManagementGroup;
    }
    let segs: Vec<&str> = scope_key.trim_start_matches('/').split('/').collect();
    match segs.len() {
        0 | 1 => ScopeKind::Root,
        2 => ScopeKind::Subscription,
        4 if segs[2] == "resourcegroups" => ScopeKind::ResourceGroup,
        _ => ScopeKind::Resource,
    }
}

/// Parent links of management groups and subscriptions, from the imported tree.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScopeTree {
    parent: HashMap<String, String>,
    display: HashMap<String, String>,
}

impl ScopeTree {
    pub(crate) fn new(nodes: &[ScopeNode]) -> ScopeTree {
        let mut tree = ScopeTree::default();
        for n in nodes {
            let k = scope_key(&n.id);
            if let Some(p) = &n.parent_id {
                let pk = normalise_parent(p);
                if pk != k {
                    tree.parent.entry(k.clone()).or_insert(pk);
                }
            }
            let name = n.display_name.clone().unwrap_or_else(|| n.name.clone());
            tree.display.entry(k).or_insert(name);
        }
        tree
    }

    /// A display name for a scope: the imported name when known, else the id.
    pub(crate) fn display_name(&self, scope: &str) -> Option<&str> {
        self.display.get(&scope_key(scope)).map(String::as_str)
    }

    /// Was the place of this management group or subscription in the tree
    /// imported (does it have a parent)?
    pub(crate) fn has_parent(&self, scope: &str) -> bool {
        self.parent.contains_key(&scope_key(scope))
    }

    /// The parent of a management group or subscription, as imported (a key).
    pub(crate) fn parent(&self, scope: &str) -> Option<&str> {
        self.parent.get(&scope_key(scope)).map(String::as_str)
    }

    /// Every management group and subscription whose place in the tree was
    /// imported (keys, in no order).
    pub(crate) fn placed(&self) -> impl Iterator<Item = &str> {
        self.parent.keys().map(String::as_str)
    }

    /// The target first, then each ancestor, nearest first, ending with `/`:
    /// the segment-wise prefixes of a subscription's scope down to
    /// `/subscriptions/<id>` (SPEC §2.2), then the subscription's (or a
    /// management group's) chain of parents, then the root, each once.
    pub(crate) fn ancestors(&self, target: &str) -> Vec<String> {
        let t = scope_key(target);
        if t == "/" {
            return vec![t];
        }
        let mut out: Vec<String> = Vec::new();
        let cursor = if kind_of(&t) != ScopeKind::ManagementGroup {
            // Segment-wise prefixes down to /subscriptions/<id>: the first
            // `n` segments are the text before the `n`th separator.
            let body = t.trim_start_matches('/');
            let mut ends: Vec<usize> = body.match_indices('/').map(|(i, _)| i).collect();
            ends.push(body.len());
            for &end in ends.iter().skip(1).rev() {
                push_new(format!("/{}", &body[..end]), &mut out);
            }
            format!("/{}", &body[..ends[ends.len().min(2) - 1]])
        } else {
            push_new(t.clone(), &mut out);
            t
        };
        self.push_parents(cursor, &mut out);
        out
    }

    /// Appends to a chain the management groups above `cursor` (a subscription
    /// or a management group), nearest first, stopping where the tree comes
    /// back on itself, then the root.
    fn push_parents(&self, mut cursor: String, out: &mut Vec<String>) {
        while let Some(p) = self.parent.get(&cursor) {
            if !push_new(p.clone(), out) {
                break;
            }
            cursor = p.clone();
        }
        push_new("/".to_string(), out);
    }

    /// Is `scope` the target or one of its ancestors?
    #[cfg(test)]
    pub(crate) fn applies(&self, scope: &str, target: &str) -> bool {
        let s = scope_key(scope);
        self.ancestors(target).contains(&s)
    }

    /// Is `inner` strictly below `outer` (a child, at any depth)?
    pub(crate) fn is_below(&self, inner: &str, outer: &str) -> bool {
        let i = scope_key(inner);
        let o = scope_key(outer);
        i != o && self.ancestors(&i).contains(&o)
    }
}

/// Appends `s` to a chain unless it is there already (a chain is a dozen
/// scopes: a linear look is cheaper than a set); whether it was appended.
fn push_new(s: String, out: &mut Vec<String>) -> bool {
    if out.contains(&s) {
        false
    } else {
        out.push(s);
        true
    }
}

/// Management-group parents are sometimes given as a bare name; make them ids.
fn normalise_parent(p: &str) -> String {
    let k = scope_key(p);
    if k.starts_with(MG_PREFIX) || k.starts_with("/subscriptions/") || k == "/" {
        k
    } else {
        format!("{MG_PREFIX}{}", k.trim_start_matches('/'))
    }
}

/// The scope of `target` at the given level (for activities with a minimum scope):
/// the workspace, resource group or subscription that contains it. When the target
/// is not below such a scope, the target itself.
/// [`at_level`] in the target's own spelling (for what an answer shows; keys
/// compare through [`at_level`]). Lowercasing is ASCII-only, so the key's length is
/// the spelling's.
pub(crate) fn at_level_spelled(target: &str, level: Level) -> String {
    spelled_as(target, at_level(target, level))
}

/// `k`, a key of `target` or of one of its prefixes by path, in `target`'s own
/// spelling (what an answer shows; keys compare). Lowercasing is ASCII-only,
/// so the key's length is the spelling's; a key that is not such a prefix is
/// given back as it is.
pub(crate) fn spelled_as(target: &str, k: String) -> String {
    let t = target.trim().trim_end_matches('/');
    let t = if t.starts_with('/') {
        t.to_string()
    } else {
        format!("/{t}")
    };
    match t.get(..k.len()) {
        Some(p) if p.eq_ignore_ascii_case(&k) => p.to_string(),
        _ => k,
    }
}

pub(crate) fn at_level(target: &str, level: Level) -> String {
    let t = scope_key(target);
    let body = t.trim_start_matches('/');
    let segs: Vec<&str> = body.split('/').collect();
    if segs.first() != Some(&"subscriptions") {
        return t;
    }
    // The first `n` segments: the text before the `n`th separator.
    let take = |n: usize| -> String {
        if segs.len() >= n {
            let end = body
                .match_indices('/')
                .nth(n - 1)
                .map_or(body.len(), |(i, _)| i);
            format!("/{}", &body[..end])
        } else {
            t.clone()
        }
    };
    match level {
        Level::Subscription => take(2),
        Level::ResourceGroup => take(4),
        Level::Workspace => {
            // .../providers/microsoft.machinelearningservices/workspaces/<w>
            let pos = segs.windows(3).position(|w| {
                w[0] == "providers"
                    && w[1] == "microsoft.machinelearningservices"
                    && w[2] == "workspaces"
            });
            match pos {
                Some(i) if segs.len() > i + 3 => take(i + 4),
                _ => t.clone(),
            }
        }
    }
}

/// The minimum scope level an activity requirement must be held at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Level {
    Subscription,
    ResourceGroup,
    Workspace,
}

impl Level {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Subscription => "subscription",
            Level::ResourceGroup => "resource group",
            Level::Workspace => "workspace",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> ScopeTree {
        let mg = |name: &str, parent: Option<&str>| ScopeNode {
            id: format!("/providers/Microsoft.Management/managementGroups/{name}"),
            kind: ScopeKind::ManagementGroup,
            name: name.into(),
            display_name: None,
            resource_type: None,
            parent_id: parent
                .map(|p| format!("/providers/Microsoft.Management/managementGroups/{p}")),
        };
        let mut sub = mg("x", Some("ml"));
        sub.id = "/subscriptions/S1".into();
        sub.kind = ScopeKind::Subscription;
        vec![mg("root", None), mg("ml", Some("root")), sub].pipe(|v| ScopeTree::new(&v))
    }

    /// Management group `n` whose parent is management group `p`.
    fn mg_under(n: &str, p: &str) -> ScopeNode {
        ScopeNode {
            id: format!("/providers/Microsoft.Management/managementGroups/{n}"),
            kind: ScopeKind::ManagementGroup,
            name: n.into(),
            display_name: None,
            resource_type: None,
            parent_id: Some(format!(
                "/providers/Microsoft.Management/managementGroups/{p}"
            )),
        }
    }

    trait Pipe: Sized {
        fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
            f(self)
        }
    }
    impl<T> Pipe for T {}

    #[test]
    fn resource_ancestors_walk_path_then_management_groups_then_root() {
        let a = tree().ancestors(
            "/subscriptions/s1/resourceGroups/RG/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c/",
        );
        assert_eq!(a[0], "/subscriptions/s1/resourcegroups/rg/providers/microsoft.machinelearningservices/workspaces/w/computes/c");
        assert!(a.contains(&"/subscriptions/s1/resourcegroups/rg/providers/microsoft.machinelearningservices/workspaces/w".to_string()));
        assert!(a.contains(&"/subscriptions/s1/resourcegroups/rg".to_string()));
        let tail: Vec<&str> = a.iter().rev().take(4).map(String::as_str).collect();
        assert_eq!(
            tail,
            vec![
                "/",
                "/providers/microsoft.management/managementgroups/root",
                "/providers/microsoft.management/managementgroups/ml",
                "/subscriptions/s1"
            ]
        );
    }

    #[test]
    fn prefixes_are_segment_wise() {
        let t = tree();
        assert!(!t.applies(
            "/subscriptions/s1/resourceGroups/rg-ml",
            "/subscriptions/s1/resourceGroups/rg-ml-dev"
        ));
        assert!(t.applies(
            "/subscriptions/S1/",
            "/subscriptions/s1/resourceGroups/rg-ml-dev"
        ));
    }

    #[test]
    fn management_group_cycle_terminates() {
        let t = ScopeTree::new(&[mg_under("a", "b"), mg_under("b", "a")]);
        let a = t.ancestors("/providers/Microsoft.Management/managementGroups/a");
        assert_eq!(a.len(), 3);
    }

    #[test]
    fn levels() {
        let c = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c";
        assert_eq!(at_level(c, Level::Subscription), "/subscriptions/s");
        assert_eq!(
            at_level_spelled("/subscriptions/S/resourceGroups/RG/", Level::ResourceGroup),
            "/subscriptions/S/resourceGroups/RG"
        );
        assert_eq!(
            at_level(c, Level::ResourceGroup),
            "/subscriptions/s/resourcegroups/rg"
        );
        assert_eq!(
            at_level(c, Level::Workspace),
            "/subscriptions/s/resourcegroups/rg/providers/microsoft.machinelearningservices/workspaces/w"
        );
        assert_eq!(
            at_level("/subscriptions/s", Level::Workspace),
            "/subscriptions/s"
        );
    }

    /// SPEC §2.2's path prefixes written plainly: split into segments, each
    /// prefix joined again, a set for what was seen ([`ScopeTree::ancestors`]
    /// slices the key instead); the management groups above are the same walk.
    fn ancestors_plainly(tree: &ScopeTree, target: &str) -> Vec<String> {
        let t = scope_key(target);
        if t == "/" {
            return vec![t];
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut push = |s: String, out: &mut Vec<String>| {
            if seen.insert(s.clone()) {
                out.push(s);
            }
        };
        let cursor = if kind_of(&t) == ScopeKind::ManagementGroup {
            push(t.clone(), &mut out);
            t
        } else {
            let segs: Vec<&str> = t.trim_start_matches('/').split('/').collect();
            for len in (2..=segs.len()).rev() {
                push(format!("/{}", segs[..len].join("/")), &mut out);
            }
            format!("/{}", segs[..2.min(segs.len())].join("/"))
        };
        // The management groups above: the same walk (not what changed).
        tree.push_parents(cursor, &mut out);
        out
    }

    /// [`at_level`] written plainly: each prefix joined again from its segments.
    fn at_level_plainly(target: &str, level: Level) -> String {
        let t = scope_key(target);
        let segs: Vec<&str> = t.trim_start_matches('/').split('/').collect();
        if segs.first() != Some(&"subscriptions") {
            return t;
        }
        let take = |n: usize| {
            if segs.len() >= n {
                format!("/{}", segs[..n].join("/"))
            } else {
                t.clone()
            }
        };
        match level {
            Level::Subscription => take(2),
            Level::ResourceGroup => take(4),
            Level::Workspace => match segs.windows(3).position(|w| {
                w == [
                    "providers",
                    "microsoft.machinelearningservices",
                    "workspaces",
                ]
            }) {
                Some(i) if segs.len() > i + 3 => take(i + 4),
                _ => t.clone(),
            },
        }
    }

    proptest::proptest! {
        /// Any scope text: the same scope at each level both ways.
        #[test]
        fn levels_equal_the_plain_reading(
            segs in proptest::collection::vec("(subscriptions|S1|resourceGroups|RG|providers|Microsoft.MachineLearningServices|workspaces|w|computes|c|)", 0..10),
            lead in "/{0,2}",
            trail in "/{0,2}",
        ) {
            let target = format!("{lead}{}{trail}", segs.join("/"));
            for level in [Level::Subscription, Level::ResourceGroup, Level::Workspace] {
                proptest::prop_assert_eq!(at_level(&target, level), at_level_plainly(&target, level));
            }
        }
    }

    proptest::proptest! {
        /// Any scope text (empty segments, repeated or missing slashes, case,
        /// management groups, a parent cycle): the same chain both ways.
        #[test]
        fn ancestors_equal_the_plain_reading(
            segs in proptest::collection::vec("(subscriptions|S1|s2|resourceGroups|rg|providers|Microsoft.Management|managementGroups|a|b|ml|root|)", 0..9),
            lead in "/{0,2}",
            trail in "/{0,2}",
            cyclic in proptest::bool::ANY,
        ) {
                let mut nodes = vec![mg_under("a", if cyclic { "b" } else { "ml" }), mg_under("b", "a"), mg_under("ml", "root")];
            let mut sub = mg_under("s1", "a");
            sub.id = "/subscriptions/S1".into();
            sub.kind = ScopeKind::Subscription;
            nodes.push(sub);
            let t = ScopeTree::new(&nodes);
            let target = format!("{lead}{}{trail}", segs.join("/"));
            proptest::prop_assert_eq!(t.ancestors(&target), ancestors_plainly(&t, &target));
        }
    }
}
