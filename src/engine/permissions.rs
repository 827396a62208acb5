//! Permission blocks (SPEC §2.3): a block's patterns compiled once, and the one rule
//! of whether a block grants an action — an allow pattern of the action's plane
//! matches and no exclusion of the same block does. "Privileged" (SPEC §5) is
//! decided here too, by the same rule.

use crate::model::PermissionBlock;

use super::pattern::ActionPattern;

/// The action that makes a role privileged: it can change access (SPEC §5).
#[cfg(test)]
pub(crate) const PRIVILEGED_ACTION: &str = "Microsoft.Authorization/roleAssignments/write";
/// [`PRIVILEGED_ACTION`] as matched (lowercase).
pub(crate) const PRIVILEGED_ACTION_KEY: &str = "microsoft.authorization/roleassignments/write";

/// A permission block with its patterns compiled.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub(crate) actions: Vec<ActionPattern>,
    pub(crate) not_actions: Vec<ActionPattern>,
    pub(crate) data_actions: Vec<ActionPattern>,
    pub(crate) not_data_actions: Vec<ActionPattern>,
    pub(crate) condition: Option<String>,
}

/// Whether a role with these blocks grants only conditionally (SPEC §2.7: "an
/// assignment or permission block with a `condition` grants conditionally"):
/// every block that grants anything has a condition. `diff` compares access at the
/// level of roles, and a role like that is `conditional` access wherever held.
pub(crate) fn grants_only_conditionally(blocks: &[Block]) -> bool {
    let mut granting = blocks
        .iter()
        .filter(|b| !b.actions.is_empty() || !b.data_actions.is_empty())
        .peekable();
    granting.peek().is_some() && granting.all(|b| b.condition.is_some())
}

impl Block {
    /// Compiles a role's or deny assignment's permission block (every pattern once).
    pub(crate) fn compile(b: &PermissionBlock) -> Block {
        let c = |v: &[String]| v.iter().map(|p| ActionPattern::new(p)).collect();
        Block {
            actions: c(&b.actions),
            not_actions: c(&b.not_actions),
            data_actions: c(&b.data_actions),
            not_data_actions: c(&b.not_data_actions),
            condition: b.condition.clone().filter(|s| !s.trim().is_empty()),
        }
    }

    /// The (allow, exclude) pattern lists that apply to an action of this plane.
    pub(crate) fn lists(&self, data: bool) -> (&[ActionPattern], &[ActionPattern]) {
        if data {
            (&self.data_actions, &self.not_data_actions)
        } else {
            (&self.actions, &self.not_actions)
        }
    }
}

/// The outcome of matching one block against one action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum BlockMatch {
    /// An allow pattern matched and no exclusion did.
    Grants {
        pattern: String,
    },
    /// An allow pattern matched but this block's exclusion took it out.
    Excluded {
        pattern: String,
        excluded_by: String,
    },
    NoMatch,
}

pub(crate) fn match_block(block: &Block, action_lower: &str, data: bool) -> BlockMatch {
    let (allow, exclude) = block.lists(data);
    let Some(p) = allow.iter().find(|p| p.matches_lower(action_lower)) else {
        return BlockMatch::NoMatch;
    };
    match exclude.iter().find(|p| p.matches_lower(action_lower)) {
        Some(x) => BlockMatch::Excluded {
            pattern: p.as_str().to_string(),
            excluded_by: x.as_str().to_string(),
        },
        None => BlockMatch::Grants {
            pattern: p.as_str().to_string(),
        },
    }
}

/// Does some block grant the action (lowercase) per SPEC §2.3?
pub(crate) fn blocks_grant(blocks: &[Block], action_lower: &str, data: bool) -> bool {
    blocks.iter().any(|b| {
        matches!(
            match_block(b, action_lower, data),
            BlockMatch::Grants { .. }
        )
    })
}

/// Does a role with blocks `q` give everything a role with blocks `r` gives
/// (Owner gives all of Contributor)? Checked on probes: every catalogue
/// operation (`operations`: lowercase name, data plane), every pattern `r`
/// allows and every pattern `q` excludes, taken as text (`*` in a pattern
/// matches the `*` of another, so `*` covers `Microsoft.Compute/*`, `*/read`
/// does not cover `*`, and `*` less `Microsoft.Authorization/*/Write` does not
/// cover `*`). Each probe `r` grants must be granted by a block of `q` without
/// a condition.
pub(crate) fn role_covers<'a>(
    q: &[Block],
    r: &[Block],
    operations: impl IntoIterator<Item = (&'a str, bool)>,
) -> bool {
    let q_plain: Vec<Block> = q
        .iter()
        .filter(|b| b.condition.is_none())
        .cloned()
        .collect();
    let text = |ps: &[ActionPattern], data: bool| -> Vec<(String, bool)> {
        ps.iter()
            .map(|p| (p.as_str().to_ascii_lowercase(), data))
            .collect()
    };
    let written = r
        .iter()
        .flat_map(|b| [text(&b.actions, false), text(&b.data_actions, true)])
        .chain(
            q.iter()
                .flat_map(|b| [text(&b.not_actions, false), text(&b.not_data_actions, true)]),
        )
        .flatten();
    operations
        .into_iter()
        .map(|(n, d)| (n.to_string(), d))
        .chain(written)
        .all(|(probe, data)| !blocks_grant(r, &probe, data) || blocks_grant(&q_plain, &probe, data))
}

/// Is a role (or any set of blocks) privileged: does it grant
/// `Microsoft.Authorization/roleAssignments/write` (`*` does) by the block rule?
pub(crate) fn is_privileged(blocks: &[Block]) -> bool {
    privileged_pattern(blocks).is_some()
}

/// The pattern that makes a role privileged (the first block that grants
/// [`PRIVILEGED_ACTION`]), if any.
pub(crate) fn privileged_pattern(blocks: &[Block]) -> Option<String> {
    blocks
        .iter()
        .find_map(|b| match match_block(b, PRIVILEGED_ACTION_KEY, false) {
            BlockMatch::Grants { pattern } => Some(pattern),
            _ => None,
        })
}

/// The catalogue operations a deny assignment's blocks deny, by the block rule:
/// (lowercase name, data plane).
pub(crate) fn denied_operations<'a>(
    deny: &[Block],
    operations: impl IntoIterator<Item = (&'a str, bool)>,
) -> Vec<(String, bool)> {
    operations
        .into_iter()
        .filter(|(name, data)| blocks_grant(deny, name, *data))
        .map(|(name, data)| (name.to_string(), data))
        .collect()
}

/// Does a deny assignment take away some of what a role grants (SPEC §2.6 applied
/// to a whole role rather than one action)? Over the catalogue when the deny
/// denies some of its operations (`denied`, from [`denied_operations`]): some
/// operation the role grants too. Otherwise (no catalogue, or none of its
/// operations is denied) over the patterns as written: a pattern the deny denies
/// (not excluded by its own `notActions`) that the role grants, or a pattern the
/// role grants (not excluded by its own block) that the deny denies, plane by
/// plane. A deny whose `notActions` take out all its `actions` takes nothing.
pub(crate) fn deny_takes_from(deny: &[Block], denied: &[(String, bool)], role: &[Block]) -> bool {
    if !denied.is_empty() {
        return denied
            .iter()
            .any(|(name, data)| blocks_grant(role, name, *data));
    }
    let patterns = |blocks: &'_ [Block]| -> Vec<(String, bool)> {
        blocks
            .iter()
            .flat_map(|b| {
                b.actions
                    .iter()
                    .map(|p| (p.lower().to_string(), false))
                    .chain(b.data_actions.iter().map(|p| (p.lower().to_string(), true)))
            })
            .collect()
    };
    patterns(deny)
        .iter()
        .any(|(p, data)| blocks_grant(deny, p, *data) && blocks_grant(role, p, *data))
        || patterns(role)
            .iter()
            .any(|(p, data)| blocks_grant(role, p, *data) && blocks_grant(deny, p, *data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_privileged_key_is_the_action_lowercased() {
        assert_eq!(
            PRIVILEGED_ACTION.to_ascii_lowercase(),
            PRIVILEGED_ACTION_KEY
        );
    }

    fn blocks(actions: &[&str], not_actions: &[&str], condition: Option<&str>) -> Vec<Block> {
        vec![Block::compile(&crate::model::PermissionBlock {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
            condition: condition.map(str::to_string),
            ..Default::default()
        })]
    }

    #[test]
    fn a_wider_role_covers_a_narrower_one_with_or_without_a_catalogue() {
        let owner = blocks(&["*"], &[], None);
        let contributor = blocks(
            &["*"],
            &[
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/*/Delete",
            ],
            None,
        );
        let reader = blocks(&["*/read"], &[], None);
        let compute = blocks(&["Microsoft.Compute/*"], &[], None);
        let ops = [
            ("microsoft.compute/virtualmachines/write", false),
            ("microsoft.authorization/roleassignments/write", false),
            ("microsoft.compute/virtualmachines/read", false),
        ];
        for catalogue in [&ops[..], &[]] {
            let c = |q: &[Block], r: &[Block]| role_covers(q, r, catalogue.iter().copied());
            assert!(c(&owner, &contributor));
            assert!(!c(&contributor, &owner));
            assert!(!c(&reader, &contributor));
            assert!(c(&contributor, &reader));
            assert!(c(&owner, &compute) && c(&contributor, &compute));
            assert!(!c(&compute, &owner));
            assert!(c(&owner, &owner));
            // A conditional grant covers nothing.
            assert!(!c(
                &blocks(&["*"], &[], Some("@Resource[x] == 'y'")),
                &reader
            ));
        }
    }
}
