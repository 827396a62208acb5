//! What an answer could not see (SPEC §4 `incomplete`): each entry has a reason
//! from a fixed set and names the object it concerns, so an answer is never
//! silently partial.
//!
//! The engine finds the reasons it can see in an [`Index`](super::Index) (groups
//! without members, partial member lists, undefined roles, a management-group
//! chain that was not imported); commands add those only the store or the
//! resolver can see (a resource missing from the inventory, an unreadable scope).
//! Renderers print [`Incomplete::describe`] and serialise the value as it is.

use serde::{Serialize, Serializer};

/// The fixed set of reasons (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Reason {
    /// A group on a path whose member list was never imported.
    MembersNotImported,
    /// A group on a path whose member list was one page of several.
    MembersPartial,
    /// An assignment on a path whose role definition was not imported.
    RoleNotDefined,
    /// Management-group assignments exist but the subscription's place in the
    /// tree was not imported.
    ManagementGroupChainMissing,
    /// The asked resource is not in the imported inventory.
    InventoryMissing,
    /// The collection ledger records that a scope could not be read.
    ScopeUnreadable,
    /// An activity requirement (a wildcard) that covers no imported operation.
    WildcardCoversNoOperation,
    /// `review` only: a holder with more membership paths than a sheet lists.
    PathsTruncated,
    /// A key vault that uses access policies: who can read its secrets is in
    /// the vault's policies, which RBAC exports do not hold (issue 15).
    AccessPolicies,
    /// A workspace's data source (a datastore, a linked resource) that the
    /// snapshot does not describe well enough to follow (issue 15).
    DataSourceUnknown,
    /// A file of role assignments, deny assignments or PIM instances that was
    /// one page of several: what its later pages hold was not imported.
    RecordsPartial,
}

impl Reason {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Reason::MembersNotImported => "members not imported",
            Reason::MembersPartial => "members partial",
            Reason::RoleNotDefined => "role not defined",
            Reason::ManagementGroupChainMissing => "management-group chain missing",
            Reason::InventoryMissing => "inventory missing",
            Reason::ScopeUnreadable => "scope unreadable",
            Reason::WildcardCoversNoOperation => "wildcard covers no operation",
            Reason::PathsTruncated => "membership paths truncated",
            Reason::AccessPolicies => "key vault access policies",
            Reason::DataSourceUnknown => "data source unknown",
            Reason::RecordsPartial => "records partial",
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One thing an answer could not see.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Incomplete {
    pub(crate) reason: Reason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignment_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) role_definition_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pattern: Option<String>,
    /// A readable name for the object (a group's display name), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) display_name: Option<String>,
    /// More words for people (`review`'s truncation limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) detail: Option<String>,
}

impl Incomplete {
    fn new(reason: Reason) -> Incomplete {
        Incomplete {
            reason,
            group_id: None,
            assignment_id: None,
            role_definition_id: None,
            scope: None,
            pattern: None,
            display_name: None,
            detail: None,
        }
    }

    /// A group whose member list was not imported, or only in part.
    pub(crate) fn group(reason: Reason, group_id: &str, display_name: &str) -> Incomplete {
        Incomplete {
            group_id: Some(group_id.to_string()),
            display_name: (!display_name.is_empty() && display_name != group_id)
                .then(|| display_name.to_string()),
            ..Incomplete::new(reason)
        }
    }

    /// `scope unreadable` for a group whose PIM for Groups instances the
    /// collection could not read; `detail` says which.
    pub(crate) fn group_unreadable(group_id: &str, display_name: &str, detail: &str) -> Incomplete {
        Incomplete {
            detail: Some(detail.to_string()),
            ..Incomplete::group(Reason::ScopeUnreadable, group_id, display_name)
        }
    }

    pub(crate) fn role_not_defined(assignment_id: &str, role_definition_id: &str) -> Incomplete {
        Incomplete {
            assignment_id: Some(assignment_id.to_string()),
            role_definition_id: Some(role_definition_id.to_string()),
            ..Incomplete::new(Reason::RoleNotDefined)
        }
    }

    pub(crate) fn scope(reason: Reason, scope: &str) -> Incomplete {
        Incomplete {
            scope: Some(scope.to_string()),
            ..Incomplete::new(reason)
        }
    }

    /// `scope unreadable` for a scope the collection did not read whole; `detail`
    /// says why when it was not read at all on purpose (`left out by
    /// --subscription`).
    pub(crate) fn unreadable_scope(scope: &str, detail: Option<&str>) -> Incomplete {
        Incomplete {
            scope: Some(scope.to_string()),
            detail: detail.map(str::to_string),
            ..Incomplete::new(Reason::ScopeUnreadable)
        }
    }

    pub(crate) fn wildcard(pattern: &str) -> Incomplete {
        Incomplete {
            pattern: Some(pattern.to_string()),
            ..Incomplete::new(Reason::WildcardCoversNoOperation)
        }
    }

    /// A data source an activity could not follow, and why.
    pub(crate) fn data_source(reason: Reason, scope: &str, detail: &str) -> Incomplete {
        Incomplete {
            scope: Some(scope.to_string()),
            detail: Some(detail.to_string()),
            ..Incomplete::new(reason)
        }
    }

    /// An export of access records that was one page of several.
    pub(crate) fn records_partial(file: &str) -> Incomplete {
        Incomplete {
            detail: Some(file.to_string()),
            ..Incomplete::new(Reason::RecordsPartial)
        }
    }

    /// One line for people (tables, stderr, HTML).
    pub(crate) fn describe(&self) -> String {
        let group = || match (&self.display_name, &self.group_id) {
            (Some(n), Some(g)) => format!("group {n} ({g})"),
            (None, Some(g)) => format!("group {g}"),
            _ => "a group".to_string(),
        };
        let scope = self.scope.as_deref().unwrap_or("?");
        match self.reason {
            Reason::MembersNotImported => format!(
                "{} is on a path here but its members were not imported",
                group()
            ),
            Reason::MembersPartial => format!(
                "{}'s member list was one page of several (members partial)",
                group()
            ),
            Reason::RoleNotDefined => format!(
                "assignment {} refers to role {}, which is not defined in this snapshot",
                self.assignment_id.as_deref().unwrap_or("?"),
                self.role_definition_id.as_deref().unwrap_or("?")
            ),
            Reason::ManagementGroupChainMissing => format!(
                "management-group assignments exist, but the place of {scope} in the management-group tree was not imported"
            ),
            Reason::InventoryMissing => {
                format!("{scope} is not in the imported resource inventory")
            }
            Reason::ScopeUnreadable => match (&self.group_id, &self.detail) {
                (Some(_), why) => format!(
                    "{}: {}",
                    group(),
                    why.as_deref()
                        .unwrap_or("its PIM for Groups could not be read when collected")
                ),
                (None, Some(why)) => format!("{scope} was not collected ({why})"),
                (None, None) => format!("{scope} could not be read when collected"),
            },
            Reason::WildcardCoversNoOperation => format!(
                "requirement {} covers no operation in the imported catalogue",
                self.pattern.as_deref().unwrap_or("?")
            ),
            Reason::PathsTruncated => format!(
                "{}: {}",
                group(),
                self.detail.as_deref().unwrap_or("membership paths truncated")
            ),
            Reason::AccessPolicies => format!(
                "key vault {scope} uses access policies, which RBAC exports do not hold: who can read its secrets there is not known"
            ),
            Reason::DataSourceUnknown => format!(
                "{scope}: {}",
                self.detail.as_deref().unwrap_or("data source unknown")
            ),
            Reason::RecordsPartial => format!(
                "{} was one page of several: the role assignments, deny assignments or PIM instances on its later pages were not imported",
                self.detail.as_deref().unwrap_or("an export")
            ),
        }
    }
}
