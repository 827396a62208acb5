//! A role definition as `whocan role` presents it: the definition itself, whether
//! it is privileged ([`permissions::privileged_pattern`], the one rule), and the
//! assignments and PIM eligibilities of the snapshot that join it (the one role
//! join, through the [`Index`]).
//!
//! Pure: reads an [`Index`]; decides no access.

use serde::Serialize;

use crate::model::{key, scope_key, RoleDefinition};

use super::decide::{principal_info, PrincipalInfo};
use super::permissions;
use super::window::WindowState;
use super::Index;

/// An assignment or eligibility of the role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Holding {
    /// `active` (a role assignment) or `eligible` (a PIM eligibility).
    pub(crate) kind: &'static str,
    pub(crate) id: String,
    pub(crate) principal: PrincipalInfo,
    pub(crate) scope: String,
    pub(crate) condition: Option<String>,
    pub(crate) start_date_time: Option<String>,
    pub(crate) end_date_time: Option<String>,
    /// Where its window stands at the snapshot's time.
    pub(crate) state: WindowState,
}

/// The answer of `whocan role`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleCard {
    pub(crate) definition: RoleDefinition,
    /// Grants `Microsoft.Authorization/roleAssignments/write` (SPEC §5).
    pub(crate) privileged: bool,
    /// The pattern that makes it privileged (`*`, `Microsoft.Authorization/*`...).
    pub(crate) privileged_by: Option<String>,
    /// Active assignments, then eligibilities; broadest scope first, then by
    /// principal name.
    pub(crate) holdings: Vec<Holding>,
}

impl RoleCard {
    pub(crate) fn count(&self, kind: &str) -> usize {
        self.holdings.iter().filter(|h| h.kind == kind).count()
    }
}

/// The card of the role whose record key ([`RoleDefinition::record_key`]) is
/// `role_key`; None when the index has no such role.
pub fn role_card(ix: &Index, role_key: &str) -> Option<RoleCard> {
    let ri = ix
        .roles
        .iter()
        .position(|r| r.def.record_key() == role_key)?;
    let role = &ix.roles[ri];
    let privileged_by = permissions::privileged_pattern(&role.blocks);
    let window = |s: &Option<String>, e: &Option<String>| ix.window(s.as_deref(), e.as_deref());
    let mut holdings: Vec<Holding> = Vec::new();
    for (ai, a) in ix.assignments.iter().enumerate() {
        if ix.assignment_role[ai] == Some(ri) {
            holdings.push(Holding {
                kind: "active",
                id: a.id.clone(),
                principal: principal_info(ix, &a.principal_id),
                scope: a.scope.clone(),
                condition: a.condition.clone().filter(|c| !c.trim().is_empty()),
                start_date_time: a.start_date_time.clone(),
                end_date_time: a.end_date_time.clone(),
                state: window(&a.start_date_time, &a.end_date_time),
            });
        }
    }
    for (ei, e) in ix.eligibilities.iter().enumerate() {
        if ix.eligibility_role[ei] == Some(ri) {
            holdings.push(Holding {
                kind: "eligible",
                id: e.id.clone(),
                principal: principal_info(ix, &e.principal_id),
                scope: e.scope.clone(),
                condition: e.condition.clone().filter(|c| !c.trim().is_empty()),
                start_date_time: e.start_date_time.clone(),
                end_date_time: e.end_date_time.clone(),
                state: window(&e.start_date_time, &e.end_date_time),
            });
        }
    }
    // Active first; broadest scope first (root, management groups, ...).
    holdings.sort_by_cached_key(|h| {
        let k = scope_key(&h.scope);
        (
            h.kind,
            super::scope::kind_of(&k),
            k,
            h.principal.display_name.to_lowercase(),
            key(&h.id),
        )
    });
    Some(RoleCard {
        definition: role.def.clone(),
        privileged: privileged_by.is_some(),
        privileged_by,
        holdings,
    })
}
