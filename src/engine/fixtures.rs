//! Shared builders for the engine's unit tests: principals and the scopes of one
//! subscription with one workspace. Test-only; never compiled into the binary.

use crate::model::{Assignment, AssignmentSource, MemberEdge, Principal, PrincipalKind};

pub(crate) const SUB: &str = "/subscriptions/S1";
pub(crate) const RG: &str = "/subscriptions/S1/resourceGroups/RG1";
pub(crate) const WS: &str =
    "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.MachineLearningServices/workspaces/w1";

/// An enabled member user named "User {id}".
pub(crate) fn user(id: &str) -> Principal {
    Principal {
        mail: None,
        other_mails: Vec::new(),
        from_member_list: false,
        id: id.into(),
        kind: PrincipalKind::User,
        display_name: format!("User {id}"),
        user_principal_name: Some(format!("{id}@x")),
        user_type: Some("Member".into()),
        account_enabled: Some(true),
        app_id: None,
    }
}

/// A group named "Group {id}".
pub(crate) fn group(id: &str) -> Principal {
    Principal {
        kind: PrincipalKind::Group,
        display_name: format!("Group {id}"),
        user_principal_name: None,
        user_type: None,
        account_enabled: None,
        ..user(id)
    }
}

/// A plain role assignment `name` of role `role_id` to `principal` (typed User) at
/// `scope`.
pub(crate) fn assign(name: &str, principal: &str, role_id: &str, scope: &str) -> Assignment {
    Assignment {
        principal_display_name: None,
        can_delegate: None,
        start_date_time: None,
        end_date_time: None,
        id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        principal_id: principal.into(),
        principal_type: "User".into(),
        principal_name: None,
        role_definition_id: format!("/providers/Microsoft.Authorization/roleDefinitions/{role_id}"),
        role_definition_name: None,
        scope: scope.into(),
        condition: None,
        condition_version: None,
        created_on: None,
        source: AssignmentSource::RoleAssignment,
    }
}

/// A direct membership of `m` in group `g`, member type unknown.
pub(crate) fn edge(g: &str, m: &str) -> MemberEdge {
    MemberEdge {
        group_id: g.into(),
        member_id: m.into(),
        member_kind: None,
    }
}
