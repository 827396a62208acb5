//! The one walk over group memberships as the [`Index`](super::Index) holds them
//! (string keys): upward through `groups_of` (a principal's groups, transitively:
//! `decide::holders`) and downward through `members_of` (a holder's members,
//! transitively: `query::candidates`, which also follows eligible PIM-for-Groups
//! memberships).
//! `breadth_first_by` is the same walk over any node type (`escalate`'s search
//! walks each candidate's groups as numbers).
//!
//! Walks over other data stay separate, each saying so: over interned ids,
//! `engine/graph.rs` (`MemberGraph::holders`, `Below`: `diff` and `lint`); over
//! SQL rows, `store/slice.rs` (`load_slice`'s upward walk, `walk_down`); over the
//! importer's ids before any index exists, `import/assemble.rs` (membership cycles,
//! `members-not-imported`). `audit/review.rs`'s `member_paths` is no closure but
//! every distinct simple path below a holder (one review row per path).

/// A node a walk reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reached {
    pub(crate) id: String,
    /// The position, in the walk's output, of the node it was first reached from;
    /// None for a start.
    pub(crate) from: Option<usize>,
}

/// Every node reachable from `starts` along `next` (the starts included), each
/// once, breadth first: in the order first reached (the starts in their order,
/// then each node's neighbours in the order `next` gives them). So each node's
/// `from` chain is a shortest one, and of the shortest the first in that order.
/// Iterative (no recursion, however deep the nesting); cycles end.
pub(crate) fn breadth_first<'a, N>(
    starts: impl IntoIterator<Item = String>,
    mut next: impl FnMut(&str) -> N,
) -> Vec<Reached>
where
    N: IntoIterator<Item = &'a String>,
{
    breadth_first_by(starts, |p: &String| next(p).into_iter().cloned())
        .into_iter()
        .map(|(id, from)| Reached { id, from })
        .collect()
}

/// [`breadth_first`] over any node type (interned ids: `escalate`'s search
/// walks each candidate's groups as numbers): each node and the position of
/// the node it was first reached from.
pub(crate) fn breadth_first_by<T, N>(
    starts: impl IntoIterator<Item = T>,
    mut next: impl FnMut(&T) -> N,
) -> Vec<(T, Option<usize>)>
where
    T: Clone + Eq + std::hash::Hash,
    N: IntoIterator<Item = T>,
{
    let mut seen: rustc_hash::FxHashSet<T> = Default::default();
    let mut out: Vec<(T, Option<usize>)> = Vec::new();
    for s in starts {
        if seen.insert(s.clone()) {
            out.push((s, None));
        }
    }
    let mut i = 0;
    while i < out.len() {
        for n in next(&out[i].0) {
            if !seen.contains(&n) {
                seen.insert(n.clone());
                out.push((n, Some(i)));
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn graph(edges: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
        let mut g: HashMap<String, Vec<String>> = HashMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().push(b.to_string());
        }
        g
    }

    fn walk(g: &HashMap<String, Vec<String>>, starts: &[&str]) -> Vec<(String, Option<usize>)> {
        breadth_first(starts.iter().map(|s| s.to_string()), |n| {
            g.get(n).into_iter().flatten()
        })
        .into_iter()
        .map(|r| (r.id, r.from))
        .collect()
    }

    #[test]
    fn breadth_first_in_neighbour_order_each_node_once() {
        let g = graph(&[
            ("u", "g1"),
            ("u", "g2"),
            ("g1", "g3"),
            ("g2", "g3"),
            ("g3", "g4"),
        ]);
        let w = walk(&g, &["u"]);
        let ids: Vec<&str> = w.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["u", "g1", "g2", "g3", "g4"]);
        // g3 is reached first through g1 (the first neighbour), at depth 2.
        assert_eq!(w[3], ("g3".to_string(), Some(1)));
        assert_eq!(w[4], ("g4".to_string(), Some(3)));
    }

    #[test]
    fn the_walk_over_numbers_is_the_walk_over_strings() {
        let g = graph(&[
            ("u", "g2"),
            ("u", "g1"),
            ("g1", "g3"),
            ("g2", "g3"),
            ("g3", "g1"),
            ("g3", "g4"),
        ]);
        let names = ["u", "g1", "g2", "g3", "g4"];
        let num = |s: &str| names.iter().position(|n| *n == s).expect("named") as u32;
        let by_num = breadth_first_by([0u32], |&n| {
            g.get(names[n as usize])
                .into_iter()
                .flatten()
                .map(|s| num(s))
                .collect::<Vec<_>>()
        });
        let by_num: Vec<(String, Option<usize>)> = by_num
            .into_iter()
            .map(|(n, f)| (names[n as usize].to_string(), f))
            .collect();
        assert_eq!(by_num, walk(&g, &["u"]));
        assert_eq!(by_num[1].0, "g2", "neighbours in the order given");
    }

    #[test]
    fn cycles_and_repeated_starts_end() {
        let g = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "c")]);
        let w = walk(&g, &["a", "a", "b"]);
        let ids: Vec<&str> = w.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(w[1].1, None, "b is a start");
        assert_eq!(w[2].1, Some(1));
        assert!(walk(&g, &[]).is_empty());
    }

    #[test]
    fn deep_nesting_needs_no_recursion() {
        let names: Vec<String> = (0..200_000).map(|i| format!("g{i}")).collect();
        let mut g: HashMap<String, Vec<String>> = HashMap::new();
        for w in names.windows(2) {
            g.insert(w[0].clone(), vec![w[1].clone()]);
        }
        let w = walk(&g, &["g0"]);
        assert_eq!(w.len(), names.len());
        assert_eq!(w.last().map(|r| r.1), Some(Some(names.len() - 2)));
    }
}
