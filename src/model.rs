//! Domain types shared by the importer, the store and the engine.
//!
//! These are plain values: no I/O, no SQL. Every id, scope and action keeps its
//! original spelling for display; comparisons go through [`key`] (lowercase), which
//! is also how the store indexes them. A snapshot's whole content is a [`Tenant`].

use serde::{Deserialize, Serialize};

pub(crate) mod time;
pub(crate) use time::Timestamp;

/// The object id of "All Principals" in deny assignments (type `SystemDefined`).
pub(crate) const ALL_PRINCIPALS: &str = "00000000-0000-0000-0000-000000000000";

/// Case-folded comparison key for ids, scopes and actions (SPEC §1: compared
/// case-insensitively, original spelling kept for display).
pub fn key(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// `s` as a [`key`], borrowed when it already is one (no allocation).
pub(crate) fn key_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(key(s))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The trailing GUID of a role definition id, in either the
/// `/subscriptions/<s>/providers/Microsoft.Authorization/roleDefinitions/<guid>` or the
/// `/providers/...` form, or a bare GUID; lowercase.
pub(crate) fn role_guid(role_definition_id: &str) -> String {
    key(role_guid_spelled(role_definition_id))
}

/// [`role_guid`] as the export spells it (what the importer keeps, for display).
pub(crate) fn role_guid_spelled(role_definition_id: &str) -> &str {
    role_definition_id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(role_definition_id)
}

/// The key a role definition is stored and compared under (`role_definitions.key`),
/// and the key of a reference to one: the lowercase GUID ([`role_guid`]), or
/// `name:<lowercase name>` when there is no id (a custom-role file without `Id`).
/// The store's hashes are built on it: it must never change.
pub(crate) fn role_key(id: &str, name: Option<&str>) -> String {
    if id.trim().is_empty() {
        format!("name:{}", key(name.unwrap_or("").trim()))
    } else {
        role_guid(id)
    }
}

/// The role join (ARCHITECTURE, "Roles"), the one rule by which an assignment's or
/// eligibility's `roleDefinitionId` finds its role definition: by the trailing
/// GUID of the id; only when no role has that GUID, a role *without* an id (a
/// custom-role file that had no `Id`) by `roleDefinitionName`, case-insensitively
/// (ASCII, surrounding blanks ignored). Of two roles with one GUID (or, without
/// ids, one name) the first added is the one joined.
///
/// `T` is whatever the caller numbers its roles with. The engine's
/// [`Index`](crate::engine::Index), `diff`, `lint` (through the `Index`) and the
/// importer's `undefined-role` flag all join through it; the store reads the roles
/// a slice needs by the same keys ([`role_guid`], and every role without an id).
#[derive(Debug, Clone)]
pub(crate) struct RoleJoin<T> {
    by_guid: rustc_hash::FxHashMap<String, T>,
    by_name: rustc_hash::FxHashMap<String, T>,
}

impl<T> Default for RoleJoin<T> {
    fn default() -> Self {
        RoleJoin {
            by_guid: Default::default(),
            by_name: Default::default(),
        }
    }
}

impl<T: Copy> RoleJoin<T> {
    /// Adds a role as `v`; false (and nothing added) when a role with its GUID (or,
    /// without an id, its name) was added before.
    pub(crate) fn add(&mut self, r: &RoleDefinition, v: T) -> bool {
        let (map, k) = if r.id.trim().is_empty() {
            (&mut self.by_name, key(r.role_name.trim()))
        } else {
            (&mut self.by_guid, role_guid(&r.id))
        };
        match map.entry(k) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(v);
                true
            }
        }
    }

    /// The role a reference names: by the GUID of `role_definition_id`, else (only
    /// among roles without an id) by `role_definition_name`.
    pub(crate) fn find(
        &self,
        role_definition_id: &str,
        role_definition_name: Option<&str>,
    ) -> Option<T> {
        if let Some(&v) = self.by_guid.get(&role_guid(role_definition_id)) {
            return Some(v);
        }
        self.by_name
            .get(&key(role_definition_name?.trim()))
            .copied()
    }
}

/// Normalises a scope for comparison: lowercase, no trailing `/` (except the root `/`),
/// empty becomes `/`.
pub(crate) fn scope_key(scope: &str) -> String {
    let t = scope.trim().trim_end_matches('/');
    if t.is_empty() {
        "/".to_string()
    } else if t.starts_with('/') {
        key(t)
    } else {
        format!("/{}", key(t))
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum PrincipalKind {
    User,
    Group,
    ServicePrincipal,
    /// A service principal whose `servicePrincipalType` is `ManagedIdentity`.
    ManagedIdentity,
    /// Seen only as an assignment holder or group member, in no directory listing.
    #[default]
    Unknown,
    /// `#microsoft.graph.device` in a group's member list: kept as a member, never
    /// answered as a principal (SPEC §1, "Not principals").
    Device,
    /// `#microsoft.graph.orgContact` in a group's member list: likewise never a
    /// principal.
    OrgContact,
}

/// Whether a type an export gives (an assignment's `principalType`, a deny
/// assignment principal's `type`, a member's `@odata.type`) names a group:
/// `Group`, `#microsoft.graph.group`, and ARM's `ForeignGroup`. The one rule
/// every "is this holder a group" by type asks, [`PrincipalKind::parse`] too.
pub(crate) fn names_group(t: &str) -> bool {
    // Asked for every holder of many answers: compared in place, not lowercased.
    let mut t = t;
    const GRAPH: &str = "#microsoft.graph.";
    while t
        .get(..GRAPH.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(GRAPH))
    {
        t = &t[GRAPH.len()..];
    }
    // ARM's `ForeignGroup` (a role assignment's `principalType`): a group of
    // another tenant, whose members no listing of this one holds.
    t.eq_ignore_ascii_case("group") || t.eq_ignore_ascii_case("foreigngroup")
}

impl PrincipalKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "User",
            PrincipalKind::Group => "Group",
            PrincipalKind::ServicePrincipal => "ServicePrincipal",
            PrincipalKind::ManagedIdentity => "ManagedIdentity",
            PrincipalKind::Unknown => "Unknown",
            PrincipalKind::Device => "Device",
            PrincipalKind::OrgContact => "OrgContact",
        }
    }

    /// Devices and organisational contacts can be group members but never hold
    /// access: they are not security principals (SPEC §1).
    pub(crate) fn is_principal(self) -> bool {
        !matches!(self, PrincipalKind::Device | PrincipalKind::OrgContact)
    }

    pub(crate) fn parse(s: &str) -> PrincipalKind {
        if names_group(s) {
            return PrincipalKind::Group;
        }
        match s
            .to_ascii_lowercase()
            .trim_start_matches("#microsoft.graph.")
        {
            "user" => PrincipalKind::User,
            "serviceprincipal" => PrincipalKind::ServicePrincipal,
            "managedidentity" => PrincipalKind::ManagedIdentity,
            "device" => PrincipalKind::Device,
            "orgcontact" => PrincipalKind::OrgContact,
            _ => PrincipalKind::Unknown,
        }
    }
}

/// A directory object: user, group, service principal or managed identity (or a
/// device / contact seen in a member list).
///
/// Fields added after the first release are skipped in serialisation while they
/// hold their default, so the row and content hashes of records that do not use
/// them are those of earlier versions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    /// Object id as exported (original case).
    pub id: String,
    pub kind: PrincipalKind,
    pub display_name: String,
    pub user_principal_name: Option<String>,
    /// `Member` or `Guest` for users.
    pub user_type: Option<String>,
    pub account_enabled: Option<bool>,
    /// For service principals: the application id.
    pub app_id: Option<String>,
    /// The primary SMTP address (`mail`), when exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
    /// `otherMails` (a guest's real address is often only here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_mails: Vec<String>,
    /// Known only from a group member file's own entry (its `displayName`,
    /// `userPrincipalName`, `@odata.type`), not from a directory listing: it says
    /// who the member is, but is no evidence that the object still exists in a
    /// listing (SPEC §1, "Orphans only on evidence").
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_member_list: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A **direct** membership edge: `member_id` is a direct member of `group_id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MemberEdge {
    pub group_id: String,
    pub member_id: String,
    /// The member's type as the export said it (`User`, `Group`, ...), if it did.
    pub member_kind: Option<PrincipalKind>,
}

/// One block of a role definition's `permissions`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct PermissionBlock {
    pub(crate) actions: Vec<String>,
    pub(crate) not_actions: Vec<String>,
    pub(crate) data_actions: Vec<String>,
    pub(crate) not_data_actions: Vec<String>,
    pub(crate) condition: Option<String>,
    pub(crate) condition_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RoleDefinition {
    /// The role's GUID (the trailing segment of its id), original case. For a custom
    /// role file without `Id` this is empty and the role is joined by name.
    pub(crate) id: String,
    pub(crate) role_name: String,
    /// `BuiltInRole` or `CustomRole`.
    pub(crate) role_type: String,
    pub(crate) description: String,
    pub(crate) permissions: Vec<PermissionBlock>,
    pub(crate) assignable_scopes: Vec<String>,
}

impl RoleDefinition {
    pub(crate) fn is_custom(&self) -> bool {
        self.role_type.eq_ignore_ascii_case("CustomRole")
    }
}

// Record keys: the one rule for which records are "the same record" — within an
// import (the importer's duplicates), within a snapshot and from one snapshot to the
// next (the store's validity intervals, and so every stored hash: these must never
// change), and between two snapshots (`diff` pairs records by them). A record's key
// is its id, lowercase; one exported without an id is keyed by what it is about.

/// The key of a record exported without an id: `~principal|role|scope`.
fn anonymous_key(principal: &str, role: &str, scope: &str) -> String {
    format!("~{}|{}|{}", key(principal), role, scope_key(scope))
}

/// `id` as a record key ([`key_cow`]), or `anonymous` when it is blank.
fn id_or(id: &str, anonymous: impl FnOnce() -> String) -> std::borrow::Cow<'_, str> {
    if id.trim().is_empty() {
        std::borrow::Cow::Owned(anonymous())
    } else {
        key_cow(id)
    }
}

impl RoleDefinition {
    /// Its record key: [`role_key`] (its GUID, or `name:<name>` without an id).
    pub(crate) fn record_key(&self) -> String {
        role_key(&self.id, Some(&self.role_name))
    }
}

/// What an assignment's export says of its principal beyond the id: the names a
/// principal in no directory listing is shown and found by ([`Assignment::names`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AssignedNames {
    /// PowerShell's `DisplayName`, else az's `principalName` (a user's UPN, a
    /// group's display name, a service principal's first `servicePrincipalNames`).
    pub(crate) display_name: Option<String>,
    /// A user's sign-in name: az's `principalName` or PowerShell's `SignInName`
    /// for `principalType` `User`, when it is one (has an `@`).
    pub(crate) user_principal_name: Option<String>,
}

impl Assignment {
    /// The names the export gives its principal (empty for a deleted one, whose
    /// `principalName` is `""`). The one reading of `principalName`,
    /// `DisplayName` and `SignInName`: answers, `diff` and name lookup use it.
    pub(crate) fn names(&self) -> AssignedNames {
        let name = self
            .principal_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let display = self
            .principal_display_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .or(name);
        let upn =
            name.filter(|n| self.principal_type.eq_ignore_ascii_case("User") && n.contains('@'));
        AssignedNames {
            display_name: display.map(str::to_string),
            user_principal_name: upn.map(str::to_string),
        }
    }

    /// Its record key: its id, or (none) its principal, role ([`role_key`] of its
    /// reference) and scope.
    pub(crate) fn record_key(&self) -> std::borrow::Cow<'_, str> {
        id_or(&self.id, || {
            anonymous_key(
                &self.principal_id,
                &role_key(
                    &self.role_definition_id,
                    self.role_definition_name.as_deref(),
                ),
                &self.scope,
            )
        })
    }
}

impl Eligibility {
    /// Its record key: its id, or (none) its principal, role and scope.
    pub(crate) fn record_key(&self) -> std::borrow::Cow<'_, str> {
        id_or(&self.id, || {
            anonymous_key(
                &self.principal_id,
                &role_key(&self.role_definition_id, None),
                &self.scope,
            )
        })
    }
}

impl DenyAssignment {
    /// Its record key: its id, or (none) its scope and name.
    pub(crate) fn record_key(&self) -> std::borrow::Cow<'_, str> {
        id_or(&self.id, || {
            format!("~{}|{}", scope_key(&self.scope), key(&self.name))
        })
    }
}

impl GroupEligibility {
    /// Its record key: its id, or (none) its principal, group, access and kind.
    pub(crate) fn record_key(&self) -> std::borrow::Cow<'_, str> {
        id_or(&self.id, || {
            format!(
                "~{}|{}|{}|{}",
                key(&self.principal_id),
                key(&self.group_id),
                key(&self.access_id),
                if self.active { "active" } else { "eligible" }
            )
        })
    }
}

/// Where an active assignment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum AssignmentSource {
    /// `az role assignment list` or ARM roleAssignments.
    RoleAssignment,
    /// A PIM `roleAssignmentScheduleInstances` entry: with no matching role
    /// assignment, or the role assignment its `originRoleAssignmentId` names, which
    /// then carries the instance's window.
    PimActive,
}

/// An active role assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// Full assignment id (`<scope>/providers/Microsoft.Authorization/roleAssignments/<guid>`).
    pub id: String,
    pub(crate) principal_id: String,
    /// `User`, `Group`, `ServicePrincipal`, ... as exported.
    pub(crate) principal_type: String,
    /// `principalName` as exported (`""` for a deleted principal); None when absent.
    pub(crate) principal_name: Option<String>,
    /// Role definition GUID (trailing segment of `roleDefinitionId`), original case;
    /// empty when the export named the role only.
    pub(crate) role_definition_id: String,
    pub(crate) role_definition_name: Option<String>,
    pub scope: String,
    pub(crate) condition: Option<String>,
    pub(crate) condition_version: Option<String>,
    pub(crate) created_on: Option<String>,
    pub(crate) source: AssignmentSource,
    /// A time-bound active assignment (PIM active instance): it grants from its
    /// start until its end, evaluated at the snapshot's `taken_at` (SPEC §2.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) start_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) end_date_time: Option<String>,
    /// The principal's display name when the export gives it apart from
    /// `principal_name` (PowerShell's `DisplayName` next to `SignInName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) principal_display_name: Option<String>,
    /// PowerShell's `CanDelegate`, as exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) can_delegate: Option<bool>,
}

/// A PIM eligibility instance: grants nothing until activated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Eligibility {
    pub(crate) id: String,
    pub(crate) principal_id: String,
    pub(crate) principal_type: String,
    pub(crate) role_definition_id: String,
    pub(crate) scope: String,
    pub(crate) start_date_time: Option<String>,
    pub(crate) end_date_time: Option<String>,
    pub(crate) member_type: Option<String>,
    pub(crate) condition: Option<String>,
    /// The role's display name as the export gives it (ARM
    /// `expandedProperties.roleDefinition.displayName`, Az PowerShell
    /// `RoleDefinitionDisplayName`): the one role join's name half, for a role
    /// defined without an id. Absent from the content hash when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) role_definition_name: Option<String>,
    /// The principal's display name as the export gives it (ARM
    /// `expandedProperties.principal.displayName`, Az PowerShell
    /// `PrincipalDisplayName`): shown for a principal in no directory listing.
    /// Absent from the content hash when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) principal_display_name: Option<String>,
}

/// PIM for Groups: a principal's eligible (or time-bound active) membership or
/// ownership of a group (Graph `identityGovernance/privilegedAccess/group/
/// eligibilityScheduleInstances` / `assignmentScheduleInstances`), SPEC §2.11.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct GroupEligibility {
    /// The instance id as exported.
    pub(crate) id: String,
    pub(crate) group_id: String,
    pub(crate) principal_id: String,
    /// `member` or `owner`.
    pub(crate) access_id: String,
    /// `direct` or `group` (eligible through a group), as exported.
    pub(crate) member_type: Option<String>,
    pub(crate) start_date_time: Option<String>,
    pub(crate) end_date_time: Option<String>,
    /// True for an `assignmentScheduleInstances` entry (an active, possibly
    /// time-bound, membership); false for an eligibility.
    pub(crate) active: bool,
}

/// A principal named in a deny assignment's `principals` or `excludePrincipals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DenyPrincipal {
    pub(crate) id: String,
    /// `User`, `Group`, `ServicePrincipal`, `SystemDefined`, ...
    pub(crate) kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct DenyAssignment {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) scope: String,
    pub(crate) permissions: Vec<PermissionBlock>,
    pub(crate) principals: Vec<DenyPrincipal>,
    pub(crate) exclude_principals: Vec<DenyPrincipal>,
    pub(crate) do_not_apply_to_child_scopes: bool,
    pub(crate) condition: Option<String>,
    /// `denyAssignmentEffect` (API 2024-07-01-preview): `enforced` or `audit`; None
    /// when the export does not say (every stable version), which is enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) effect: Option<String>,
}

impl DenyAssignment {
    /// Whether it blocks what it names: an `audit` deny only logs (Microsoft's
    /// `DenyAssignmentEffect`: "'enforced' blocks access, 'audit' logs without
    /// blocking"). The one copy of this rule: the engine's `Index` and `diff` ask here.
    pub(crate) fn blocks(&self) -> bool {
        !self
            .effect
            .as_deref()
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("audit"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ScopeKind {
    Root,
    ManagementGroup,
    Subscription,
    ResourceGroup,
    Resource,
}

impl ScopeKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Root => "root",
            ScopeKind::ManagementGroup => "managementGroup",
            ScopeKind::Subscription => "subscription",
            ScopeKind::ResourceGroup => "resourceGroup",
            ScopeKind::Resource => "resource",
        }
    }
}

/// A node of the scope tree as imported: management groups (with their parent),
/// subscriptions (with their management group), resource groups and resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeNode {
    /// Full id: `/providers/Microsoft.Management/managementGroups/<name>`,
    /// `/subscriptions/<guid>`, `/subscriptions/<guid>/resourceGroups/<rg>`, or a resource id.
    pub id: String,
    pub kind: ScopeKind,
    /// Short name (`ml-prod`, the subscription GUID, the management group name).
    pub name: String,
    pub(crate) display_name: Option<String>,
    /// Resource type for resources (`Microsoft.MachineLearningServices/workspaces`).
    pub resource_type: Option<String>,
    /// Parent id for management groups and subscriptions (from the management-group
    /// tree); None otherwise (resource parents follow from the id's path).
    pub(crate) parent_id: Option<String>,
}

/// One operation of the provider catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// e.g. `Microsoft.MachineLearningServices/workspaces/computes/write`.
    pub name: String,
    pub(crate) display_name: Option<String>,
    pub(crate) is_data_action: bool,
    /// Provider namespace, e.g. `Microsoft.MachineLearningServices`.
    pub(crate) provider: String,
    /// Resource type name within the provider (`workspaces/computes`), empty for
    /// provider-level operations.
    pub(crate) resource_type: String,
}

/// Everything one snapshot holds: the input of the engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub principals: Vec<Principal>,
    pub member_edges: Vec<MemberEdge>,
    /// Groups whose (direct) member list was imported, even if empty.
    pub(crate) member_lists: Vec<String>,
    /// Groups whose imported member list was one page of several (`@odata.nextLink`
    /// present, pages missing): their members are `members partial` (SPEC §4).
    pub(crate) partial_member_lists: Vec<String>,
    pub(crate) roles: Vec<RoleDefinition>,
    pub assignments: Vec<Assignment>,
    pub(crate) eligibilities: Vec<Eligibility>,
    pub(crate) denies: Vec<DenyAssignment>,
    pub scopes: Vec<ScopeNode>,
    pub operations: Vec<Operation>,
    /// PIM for Groups eligibility and time-bound active membership instances.
    pub(crate) group_eligibilities: Vec<GroupEligibility>,
    /// The principal kinds of which a complete directory listing was imported
    /// (derived by the store from `principals` and the import's `partial-listing`
    /// flags, not content of its own: never hashed); None: derive it from
    /// `principals` ([`Tenant::listed_kinds_of`]). An id in no listing is orphaned
    /// only when its kind is here (SPEC §1).
    #[serde(skip)]
    pub(crate) listed_kinds: Option<Vec<PrincipalKind>>,
    /// The snapshot holds assignments, eligibilities or deny assignments at a
    /// management group, whether or not this (sliced) tenant read them (derived
    /// by the store; never hashed). Without the management-group tree, such
    /// assignments cannot be placed above a subscription (SPEC §4).
    #[serde(skip)]
    pub(crate) mg_holdings: bool,
    /// The completeness ledger of the collection this snapshot was imported from
    /// (`collection.json`, SPEC §6); None when the snapshot was not collected. A
    /// question's slice holds only its unreadable entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) collection: Option<CollectionLedger>,
    /// What resources' own records state that decides who reaches the data behind
    /// a workspace (issue 15): a workspace's linked resources, storage accounts'
    /// Shared Key setting, key vaults' permission model, managed identities,
    /// datastores. One entry per resource id; empty when no such record was
    /// imported (the escalation steps that need them then find nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) resource_facts: Vec<ResourceFacts>,
    /// Assignments a slice read only for what they say of a principal it reached
    /// without a directory record: its names and whether it was deleted
    /// ([`Assignment::names`], SPEC §1 "orphans only on evidence"), so that an
    /// answer shows such a principal the same at every scope. They grant nothing
    /// here (the snapshot's `assignments` are the grants); never stored or hashed.
    #[serde(skip)]
    pub(crate) assignment_notes: Vec<Assignment>,
    /// Eligibilities a slice read only for what they say of such a principal
    /// (the display name a PIM export gives), as `assignment_notes`; never
    /// stored or hashed.
    #[serde(skip)]
    pub(crate) eligibility_notes: Vec<Eligibility>,
    /// Files of role assignments, deny assignments or PIM instances that were one
    /// page of several (their `partial-page` flag): what decides access on their
    /// later pages is missing, and every answer says so. Read from the
    /// snapshot's flags, never hashed.
    #[serde(skip)]
    pub(crate) partial_access_files: Vec<String>,
}

/// The facts of one resource's record that escalation steps read (issue 15).
/// Every field is what the imported record says; `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceFacts {
    /// The resource id, original spelling.
    pub id: String,
    /// The resource type (`Microsoft.Storage/storageAccounts`,
    /// `Microsoft.MachineLearningServices/workspaces/datastores`, ...).
    pub resource_type: String,
    /// Workspace: `properties.storageAccount` (a resource id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_account: Option<String>,
    /// Workspace: `properties.keyVault`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_vault: Option<String>,
    /// Workspace: `properties.containerRegistry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_registry: Option<String>,
    /// Workspace: `properties.applicationInsights`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_insights: Option<String>,
    /// Storage account: `properties.allowSharedKeyAccess`. `None`: not stated,
    /// which Azure treats as allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_shared_key_access: Option<bool>,
    /// Key vault: `properties.enableRbacAuthorization` (false: access policies,
    /// which RBAC exports do not hold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_rbac_authorization: Option<bool>,
    /// User-assigned managed identity resource: `properties.principalId` (the
    /// object id of its service principal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    /// The managed identities assigned to the resource (`identity`: a compute,
    /// a workspace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ManagedIdentities>,
    /// Datastore (`workspaces/datastores`): where its data is and how the
    /// workspace authenticates to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datastore: Option<Datastore>,
}

/// A resource's `identity`: system-assigned and user-assigned identities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentities {
    /// `identity.principalId`: the system-assigned identity's object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_assigned: Option<String>,
    /// `identity.userAssignedIdentities`: resource id → its principal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_assigned: Vec<UserAssignedIdentity>,
}

/// One entry of `identity.userAssignedIdentities`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAssignedIdentity {
    /// The identity's resource id (the map's key).
    pub resource_id: String,
    /// `principalId`, when the record states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// An AzureML datastore's `properties`, as far as reaching its data goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Datastore {
    /// `datastoreType`: `AzureBlob`, `AzureFile`, `AzureDataLakeGen2`,
    /// `AzureDataLakeGen1`, `OneLake`.
    pub datastore_type: String,
    /// `accountName` (blob, file, Data Lake Gen2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// The container: `containerName` (blob), `fileShareName` (file),
    /// `filesystem` (Data Lake Gen2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// `subscriptionId` / `resourceGroup` of the storage account, when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
    /// `credentials.credentialsType`: `AccountKey`, `Sas`, `ServicePrincipal`,
    /// `Certificate` (credential-based: the workspace stores a secret) or
    /// `None` (identity-based).
    pub credentials_type: String,
    /// `credentials.clientId` of a service-principal or certificate credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// The completeness ledger `whocan collect` writes (`collection.json`): what was
/// asked of which API at which scope, and how it went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CollectionLedger {
    pub(crate) tool: Option<String>,
    pub(crate) arm_url: Option<String>,
    pub(crate) graph_url: Option<String>,
    pub(crate) started_at: Option<String>,
    pub(crate) finished_at: Option<String>,
    /// True only when every entry is `complete`.
    pub(crate) complete: bool,
    pub(crate) entries: Vec<LedgerEntry>,
}

/// One collection asked at one scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LedgerEntry {
    /// `arm` or `graph`.
    pub(crate) api: String,
    pub(crate) collection: String,
    /// The ARM scope (`/` for tenant-level lists) or the Graph path.
    pub(crate) scope: String,
    /// `complete`, `forbidden`, `throttled`, `failed`, `refused`, `pending`, or
    /// `skipped` (a scope a filter such as `--subscription` left out: `error` names
    /// the flag).
    pub(crate) status: String,
    pub(crate) http_status: Option<i64>,
    pub(crate) pages: i64,
    pub(crate) items: i64,
    pub(crate) retries: i64,
    pub(crate) error: Option<String>,
    pub(crate) files: Vec<String>,
}

/// What `snapshots` says of a snapshot's collection: whether it was complete and
/// how many distinct scopes were unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CollectionSummary {
    pub(crate) complete: bool,
    pub(crate) unreadable: usize,
}

/// The ledger collections of a group's PIM for Groups eligibility and active
/// assignment instances (`graph` reads, one per group).
pub(crate) const GROUP_ELIGIBILITY_COLLECTION: &str = "groupEligibilityScheduleInstances";
pub(crate) const GROUP_ASSIGNMENT_COLLECTION: &str = "groupAssignmentScheduleInstances";

/// The ledger statuses (the contract's fixed set).
pub(crate) const LEDGER_STATUSES: &[&str] = &[
    "complete",
    "forbidden",
    "throttled",
    "failed",
    "refused",
    "pending",
    "skipped",
];

impl LedgerEntry {
    /// An unreadable scope: an `arm` entry whose status is not `complete`.
    pub(crate) fn unreadable(&self) -> bool {
        self.api.eq_ignore_ascii_case("arm") && !self.status.eq_ignore_ascii_case("complete")
    }

    /// The group whose PIM for Groups instances this `graph` entry read, with
    /// what it read (`eligibilities` or `assignments`), when the read did not
    /// complete: who may join that group through PIM is then not known. None for
    /// any other entry. The scope is the one `collect` writes,
    /// `/identityGovernance/privilegedAccess/group/{kind}?groupId={id}`.
    pub(crate) fn unread_group_pim(&self) -> Option<(&str, &'static str)> {
        if self.status.eq_ignore_ascii_case("complete") || !self.api.eq_ignore_ascii_case("graph") {
            return None;
        }
        let what = match self.collection.as_str() {
            GROUP_ELIGIBILITY_COLLECTION => "eligibilities",
            GROUP_ASSIGNMENT_COLLECTION => "assignments",
            _ => return None,
        };
        let (_, query) = self.scope.split_once('?')?;
        let id = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("groupId="))
            .filter(|id| !id.is_empty())?;
        Some((id, what))
    }

    /// What an answer says of this unreadable entry's scope beyond its name: why
    /// a `skipped` scope was not read (`left out by --subscription`), else None.
    pub(crate) fn unread_detail(&self) -> Option<&str> {
        if self.status.eq_ignore_ascii_case("skipped") {
            self.error.as_deref().or(Some("left out by a filter"))
        } else {
            None
        }
    }

    /// The provider whose operation catalogue this entry read
    /// (`/providers/Microsoft.Authorization/providerOperations/{namespace}`), or
    /// None for an entry at a scope.
    pub(crate) fn catalogue_provider(&self) -> Option<&str> {
        const PREFIX: &str = "/providers/microsoft.authorization/provideroperations/";
        let s = self.scope.split('?').next().unwrap_or("");
        if s.len() <= PREFIX.len() || !s.is_char_boundary(PREFIX.len()) {
            return None;
        }
        let (head, rest) = s.split_at(PREFIX.len());
        if !head.eq_ignore_ascii_case(PREFIX) {
            return None;
        }
        rest.split('/').next().filter(|p| !p.is_empty())
    }
}

impl CollectionLedger {
    /// The entries that make their scope unreadable.
    pub fn unreadable(&self) -> impl Iterator<Item = &LedgerEntry> {
        self.entries.iter().filter(|e| e.unreadable())
    }

    /// The distinct unreadable scopes (by [`scope_key`]).
    pub fn unreadable_scopes(&self) -> usize {
        let mut v: Vec<String> = self.unreadable().map(|e| scope_key(&e.scope)).collect();
        v.sort();
        v.dedup();
        v.len()
    }
}

/// The key prefix of management-group scopes.
pub(crate) const MANAGEMENT_GROUP_PREFIX: &str =
    "/providers/microsoft.management/managementgroups/";

impl Tenant {
    /// [`Tenant::mg_holdings`] computed from this tenant's own records.
    #[cfg(test)]
    pub(crate) fn mg_holdings_of(&self) -> bool {
        self.assignments
            .iter()
            .map(|a| &a.scope)
            .chain(self.eligibilities.iter().map(|e| &e.scope))
            .chain(self.denies.iter().map(|d| &d.scope))
            .any(|s| scope_key(s).starts_with(MANAGEMENT_GROUP_PREFIX))
    }

    /// [`Tenant::listed_kinds`] computed from this tenant's own principals: every
    /// kind with a record that came from a directory listing. Managed identities are
    /// listed with service principals.
    pub(crate) fn listed_kinds_of(principals: &[Principal]) -> Vec<PrincipalKind> {
        let mut kinds: Vec<PrincipalKind> = principals
            .iter()
            .filter(|p| !p.from_member_list)
            .map(|p| match p.kind {
                PrincipalKind::ManagedIdentity => PrincipalKind::ServicePrincipal,
                k => k,
            })
            .filter(|k| {
                matches!(
                    k,
                    PrincipalKind::User | PrincipalKind::Group | PrincipalKind::ServicePrincipal
                )
            })
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

/// A snapshot's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub id: i64,
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub(crate) label: Option<String>,
    pub(crate) tool_version: String,
    pub(crate) imported_at: String,
    pub(crate) content_hash: String,
}

/// One input file of an import: what it was recognised as, and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: String,
    /// The detected kind (`role-definitions`, `role-assignments`, ...).
    pub kind: String,
    /// Hex sha256 of the file's bytes.
    pub sha256: String,
    /// How many records it contributed.
    pub records: usize,
}

/// A non-fatal problem found while importing (SPEC §1: kept and flagged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// Stable identifier, e.g. `undefined-role`, `orphaned-assignment`.
    pub kind: String,
    /// The object it is about (assignment id, principal id, group id...).
    pub subject: String,
    pub detail: String,
}

impl Flag {
    /// A directory listing of one kind was one page of several: principals of that
    /// kind in no listing are of unknown status, not orphaned (SPEC §1). The
    /// subject is the kind (`User`, `Group`, `ServicePrincipal`); the import
    /// raises it, the store reads it back (`store::read::listed_kinds`).
    pub(crate) const PARTIAL_LISTING: &'static str = "partial-listing";
    /// A group below a holder (of an assignment or eligibility, or named or
    /// exempted by a deny assignment), transitively, whose member list was not
    /// imported. The subject is the group's id. The import raises one for every
    /// such group, following every member that is or may be a group (its kind,
    /// its record, a member list or members of its own): `can` and `what` find
    /// the groups their `incomplete` lists among these
    /// (`store::slice::expand_groups`).
    pub(crate) const MEMBERS_NOT_IMPORTED: &'static str = "members-not-imported";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pim_for_groups_read_that_did_not_complete_names_its_group() {
        let e = |collection: &str, scope: &str, api: &str, status: &str| LedgerEntry {
            api: api.into(),
            collection: collection.into(),
            scope: scope.into(),
            status: status.into(),
            ..LedgerEntry::default()
        };
        let base = "/identityGovernance/privilegedAccess/group";
        let elig = format!("{base}/eligibilityScheduleInstances?groupId=g1");
        let active = format!("{base}/assignmentScheduleInstances?groupId=g2");
        assert_eq!(
            e(GROUP_ELIGIBILITY_COLLECTION, &elig, "graph", "forbidden").unread_group_pim(),
            Some(("g1", "eligibilities"))
        );
        assert_eq!(
            e(GROUP_ASSIGNMENT_COLLECTION, &active, "graph", "failed").unread_group_pim(),
            Some(("g2", "assignments"))
        );
        assert_eq!(
            e(GROUP_ELIGIBILITY_COLLECTION, &elig, "graph", "complete").unread_group_pim(),
            None
        );
        assert_eq!(
            e("groupMembers", "/groups/g1/members", "graph", "failed").unread_group_pim(),
            None
        );
        assert_eq!(
            e(GROUP_ELIGIBILITY_COLLECTION, base, "graph", "failed").unread_group_pim(),
            None
        );
    }

    #[test]
    fn role_guid_accepts_both_id_forms() {
        let g = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
        assert_eq!(
            role_guid(&format!(
                "/subscriptions/abc/providers/Microsoft.Authorization/roleDefinitions/{}",
                g.to_uppercase()
            )),
            g
        );
        assert_eq!(
            role_guid(&format!(
                "/providers/Microsoft.Authorization/roleDefinitions/{g}"
            )),
            g
        );
        assert_eq!(role_guid(g), g);
    }

    #[test]
    fn the_role_join_is_by_guid_else_by_name_among_roles_without_id() {
        let role = |id: &str, name: &str| RoleDefinition {
            id: id.into(),
            role_name: name.into(),
            role_type: "CustomRole".into(),
            description: String::new(),
            permissions: Vec::new(),
            assignable_scopes: Vec::new(),
        };
        let g = "8E3AF657-A8FF-443C-A75C-2FE8C4BCB635";
        let mut join = RoleJoin::default();
        assert!(join.add(&role(g, "Owner"), 0));
        assert!(join.add(&role("", " Data Reader "), 1));
        assert!(join.add(&role("  ", "Other"), 2), "a blank id is no id");
        // The first of a GUID, or of a name, is the one.
        assert!(!join.add(&role(&g.to_lowercase(), "Owner again"), 3));
        assert!(!join.add(&role("", "DATA READER"), 4));

        let long =
            format!("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/{g}/");
        assert_eq!(join.find(&long, None), Some(0));
        assert_eq!(join.find(&g.to_lowercase(), Some("Data Reader")), Some(0));
        assert_eq!(join.find("", Some("data reader")), Some(1));
        assert_eq!(join.find("unknown-guid", Some(" DATA reader\t")), Some(1));
        assert_eq!(join.find("", Some("other")), Some(2));
        // A role with an id is never joined by name.
        assert_eq!(join.find("", Some("Owner")), None);
        assert_eq!(join.find("", None), None);
        assert_eq!(role_key(g, Some("Owner")), g.to_lowercase());
        assert_eq!(role_key(" ", Some(" Data Reader ")), "name:data reader");
    }

    #[test]
    fn record_keys_are_the_lowercase_id_or_what_the_record_is_about() {
        let a = |id: &str, rid: &str, name: Option<&str>| Assignment {
            id: id.into(),
            principal_id: "P1".into(),
            principal_type: "User".into(),
            principal_name: None,
            role_definition_id: rid.into(),
            role_definition_name: name.map(Into::into),
            scope: "/Subscriptions/S1/".into(),
            condition: None,
            condition_version: None,
            created_on: None,
            source: AssignmentSource::RoleAssignment,
            start_date_time: None,
            end_date_time: None,
            principal_display_name: None,
            can_delegate: None,
        };
        assert_eq!(a("/X/Ra1", "G", None).record_key(), "/x/ra1");
        assert_eq!(
            a(" ", "/p/roleDefinitions/G1", None).record_key(),
            "~p1|g1|/subscriptions/s1"
        );
        assert_eq!(
            a("", "", Some(" My Role ")).record_key(),
            "~p1|name:my role|/subscriptions/s1"
        );
        let e = Eligibility {
            principal_display_name: None,
            role_definition_name: None,
            id: String::new(),
            principal_id: "P1".into(),
            principal_type: "User".into(),
            role_definition_id: String::new(),
            scope: "/".into(),
            start_date_time: None,
            end_date_time: None,
            member_type: None,
            condition: None,
        };
        assert_eq!(e.record_key(), "~p1|name:|/");
        let d = DenyAssignment {
            id: String::new(),
            name: "Deny-1".into(),
            scope: "/A".into(),
            permissions: Vec::new(),
            principals: Vec::new(),
            exclude_principals: Vec::new(),
            do_not_apply_to_child_scopes: false,
            condition: None,
            effect: None,
        };
        assert_eq!(d.record_key(), "~/a|deny-1");
    }

    #[test]
    fn scope_key_normalises_case_and_trailing_slash() {
        assert_eq!(scope_key("/Subscriptions/ABC/"), "/subscriptions/abc");
        assert_eq!(scope_key("/"), "/");
        assert_eq!(scope_key(""), "/");
    }
}

#[cfg(test)]
mod names_group_tests {
    use super::{names_group, PrincipalKind};
    use proptest::prelude::*;

    proptest! {
        /// `names_group` (compared in place) and `parse` (lowercased) agree on
        /// every spelling, the Graph prefix and its case included.
        #[test]
        fn names_group_is_parse_saying_group(
            prefix in prop::sample::select(vec!["", "#microsoft.graph.", "#Microsoft.Graph.", "#MICROSOFT.GRAPH.#microsoft.graph."]),
            name in prop::sample::select(vec!["group", "Group", "GROUP", "ForeignGroup", "foreigngroup", "User", "groups", "", "foreign", "ServicePrincipal"]),
        ) {
            let t = format!("{prefix}{name}");
            let lower = t.to_ascii_lowercase();
            let by_parse = matches!(lower.trim_start_matches("#microsoft.graph."), "group" | "foreigngroup");
            prop_assert_eq!(names_group(&t), by_parse);
            prop_assert_eq!(PrincipalKind::parse(&t) == PrincipalKind::Group, by_parse);
        }
    }
}
