//! Recognising a JSON export's kind from its content, and turning its records into
//! model values.
//!
//! A file's records are its top-level array, the `value` array of an ARM / Graph page
//! (or an array of such pages), the `data` array of an Azure Resource Graph response,
//! or a single top-level object. Each record is classified on its own ([`classify`]),
//! a Graph page's items with the help of its `@odata.context`; all records of one
//! file must be of one family (users, groups and service principals together form
//! the directory family; management groups, subscriptions and resources the scope
//! family), except in Resource Graph output, whose rows mix kinds and are each read
//! by their `type`.
//!
//! This module only reads the pruned tree of one file: no I/O, no cross-file logic
//! (de-duplication, flags and PIM matching happen in `assemble`). It must never drop a
//! record it cannot understand: such a record is an error naming where it is and what
//! shapes were expected.

use crate::model::{
    role_guid_spelled, Assignment, AssignmentSource, DenyAssignment, DenyPrincipal, Eligibility,
    GroupEligibility, MemberEdge, Operation, PermissionBlock, Principal, PrincipalKind,
    RoleDefinition, ScopeKind, ScopeNode,
};

use super::json::{path_text, Obj, Seg, Val};

/// Said whenever a record or file has no recognisable shape.
pub(crate) const EXPECTED_SHAPES: &str = "expected one of: role definitions (az role definition \
list, ARM roleDefinitions, or the PowerShell shape of Get-AzRoleDefinition / custom-role files), \
role assignments (az role assignment list, ARM roleAssignments, or Get-AzRoleAssignment | \
ConvertTo-Json), ARM denyAssignments, PIM roleEligibilityScheduleInstances or \
roleAssignmentScheduleInstances, PIM for Groups eligibilityScheduleInstances or \
assignmentScheduleInstances (Graph), users / groups / service principals / devices / contacts \
(az ad ... list or a Graph page), a group member list named <group-object-id>.json, the \
management-group tree (az account management-group entities list / show --expand --recurse, ARM \
getEntities, managementGroups/{id}?$expand=children, or a management group's subscriptions), az \
account list, resources (az resource list, or an ARM or az list of AzureML workspaces, computes \
or datastores, storage accounts, key vaults or user-assigned identities), Azure Resource Graph output (az graph query or Search-AzGraph rows \
of authorizationresources, resourcecontainers or resources), or az provider operation show/list";

/// A problem inside one file, located by a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) path: Vec<Seg>,
    pub(crate) message: String,
}

impl Problem {
    pub(super) fn new(path: &[Seg], message: impl Into<String>) -> Problem {
        Problem {
            path: path.to_vec(),
            message: message.into(),
        }
    }
}

pub(super) fn child(path: &[Seg], seg: Seg) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(seg);
    p
}

/// What one record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKind {
    RoleAz,
    RoleArm,
    RolePowerShell,
    AssignmentAz,
    AssignmentArm,
    /// `Get-AzRoleAssignment | ConvertTo-Json`.
    AssignmentPowerShell,
    Deny,
    Eligibility,
    PimActive,
    /// PIM for Groups: an eligibility (false) or active (true) membership or
    /// ownership instance; None when neither the page nor the record tells.
    GroupPim(Option<bool>),
    /// A directory object; the kind is None when nothing tells it.
    Directory(Option<PrincipalKind>),
    /// A management group or subscription of the management-group tree.
    TreeNode,
    /// `az account list`.
    Subscription,
    /// A Resource Graph `resourcecontainers` subscription row
    /// (`microsoft.resources/subscriptions`, its management-group chain in
    /// `properties.managementGroupAncestorsChain`).
    ResourceGraphSubscription,
    /// Anything whose id is a `/subscriptions/...` path.
    Resource,
    Provider,
}

/// Groups of record kinds that may share a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Roles,
    Assignments,
    Denies,
    Eligibility,
    PimActive,
    GroupPim,
    Directory,
    Scopes,
    Operations,
}

impl RecordKind {
    pub(crate) fn family(self) -> Family {
        match self {
            RecordKind::RoleAz | RecordKind::RoleArm | RecordKind::RolePowerShell => Family::Roles,
            RecordKind::AssignmentAz
            | RecordKind::AssignmentArm
            | RecordKind::AssignmentPowerShell => Family::Assignments,
            RecordKind::Deny => Family::Denies,
            RecordKind::Eligibility => Family::Eligibility,
            RecordKind::PimActive => Family::PimActive,
            RecordKind::GroupPim(_) => Family::GroupPim,
            RecordKind::Directory(_) => Family::Directory,
            RecordKind::TreeNode
            | RecordKind::Subscription
            | RecordKind::ResourceGraphSubscription
            | RecordKind::Resource => Family::Scopes,
            RecordKind::Provider => Family::Operations,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            RecordKind::RoleAz | RecordKind::RoleArm | RecordKind::RolePowerShell => {
                "a role definition"
            }
            RecordKind::AssignmentAz
            | RecordKind::AssignmentArm
            | RecordKind::AssignmentPowerShell => "a role assignment",
            RecordKind::Deny => "a deny assignment",
            RecordKind::Eligibility => "a PIM eligibility instance",
            RecordKind::PimActive => "a PIM assignment schedule instance",
            RecordKind::GroupPim(_) => "a PIM for Groups schedule instance",
            RecordKind::Directory(_) => "a directory object",
            RecordKind::TreeNode => "a management-group tree node",
            RecordKind::Subscription | RecordKind::ResourceGraphSubscription => "a subscription",
            RecordKind::Resource => "a resource",
            RecordKind::Provider => "a provider operation list",
        }
    }
}

/// A GUID written as 32 hex digits without dashes, with its dashes
/// (`8-4-4-4-12`); None for anything else.
pub(crate) fn dashed_guid(s: &str) -> Option<String> {
    let t = s.trim();
    if t.len() != 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}-{}-{}",
        &t[..8],
        &t[8..12],
        &t[12..16],
        &t[16..20],
        &t[20..]
    ))
}

/// A classic subscription administrator as `az role assignment list
/// --include-classic-administrators` lists it (`id` `NA(classic admins)`,
/// `roleDefinitionId` `NA(classic admin role)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClassicAdmin {
    /// Its e-mail (`principalName`), else its object id.
    pub(crate) principal: String,
    /// `ServiceAdministrator;AccountAdministrator`, `CoAdministrator`.
    pub(crate) role: String,
    pub(crate) scope: String,
}

/// The classic administrator this assignment-shaped record is, if it is one.
pub(crate) fn classic_admin(o: &Obj, path: &[Seg]) -> Result<Option<ClassicAdmin>, Problem> {
    let (p, pp) = properties_or_self(o, path);
    let is = |v: Option<String>| {
        v.is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("na(classic admin")
        })
    };
    if !is(opt_str(o, "id", path)?) && !is(opt_str(p, "roleDefinitionId", &pp)?) {
        return Ok(None);
    }
    let principal = opt_str(p, "principalName", &pp)?
        .filter(|s| !s.trim().is_empty())
        .or(opt_str(p, "principalId", &pp)?)
        .unwrap_or_default();
    Ok(Some(ClassicAdmin {
        principal,
        role: opt_str(p, "roleDefinitionName", &pp)?.unwrap_or_default(),
        scope: opt_str(p, "scope", &pp)?.unwrap_or_default(),
    }))
}

pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// One record of a file: where it is, its value, and the collection its Graph page
/// says it holds (`@odata.context`, read once per page), if any.
pub(crate) struct Record<'a> {
    pub(crate) path: Vec<Seg>,
    pub(crate) val: &'a Val,
    pub(crate) context: Option<Collection>,
}

/// The records of a file and where each one is.
pub(crate) struct Records<'a> {
    pub(crate) items: Vec<Record<'a>>,
    /// The export was one page of several (`@odata.nextLink` / `nextLink` present, or
    /// a Resource Graph `skip_token`).
    pub(crate) partial: bool,
    /// Azure Resource Graph output (`az graph query`, `Search-AzGraph`): rows of
    /// several kinds may share the file, each read by its `type`.
    pub(crate) resource_graph: bool,
}

/// Splits a document into records. Errors when the top level is neither an array nor
/// an object.
pub(crate) fn records(doc: &Val) -> Result<Records<'_>, Problem> {
    let partial_of = |o: &Obj| {
        o.has_value("@odata.nextLink") || o.has_value("odata.nextLink") || o.has_value("nextLink")
    };
    // A Graph delta page lists objects deleted since the last round as
    // `{"id": ..., "@removed": {...}}`: not directory objects, and the page is
    // changes, not a whole listing (no evidence of deletion for its kind).
    let removed = |v: &Val| matches!(v, Val::Obj(o) if o.has("@removed"));
    match doc {
        Val::Arr(items) => {
            let all_pages = !items.is_empty()
                && items
                    .iter()
                    .all(|v| matches!(v, Val::Obj(o) if page_items(o).is_some()));
            if all_pages {
                let mut out = Vec::new();
                let mut partial = false;
                for (i, page) in items.iter().enumerate() {
                    if let Val::Obj(o) = page {
                        partial |= partial_of(o);
                        let context = o.str("@odata.context").and_then(collection);
                        for (j, v) in page_items(o).unwrap_or_default().iter().enumerate() {
                            if removed(v) {
                                partial = true;
                                continue;
                            }
                            out.push(Record {
                                path: vec![Seg::Index(i), Seg::Key("value"), Seg::Index(j)],
                                val: v,
                                context,
                            });
                        }
                    }
                }
                return Ok(Records {
                    items: out,
                    partial,
                    resource_graph: false,
                });
            }
            let resource_graph = !items.is_empty()
                && items
                    .iter()
                    .all(|v| matches!(v, Val::Obj(o) if is_resource_graph_row(o)));
            Ok(Records {
                items: items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Record {
                        path: vec![Seg::Index(i)],
                        val: v,
                        context: None,
                    })
                    .collect(),
                partial: false,
                resource_graph,
            })
        }
        Val::Obj(o) => {
            if let Some(rows) = resource_graph_rows(o) {
                let truncated = matches!(o.get("resultTruncated"), Some(Val::Bool(true)))
                    || matches!(o.get("resultTruncated"), Some(Val::Str(t)) if t.eq_ignore_ascii_case("true"));
                return Ok(Records {
                    items: rows
                        .iter()
                        .enumerate()
                        .map(|(i, v)| Record {
                            path: vec![Seg::Key("data"), Seg::Index(i)],
                            val: v,
                            context: None,
                        })
                        .collect(),
                    partial: o.has_value("skip_token") || o.has_value("skipToken") || truncated,
                    resource_graph: true,
                });
            }
            match page_items(o) {
                Some(items) => {
                    let context = o.str("@odata.context").and_then(collection);
                    Ok(Records {
                        items: items
                            .iter()
                            .enumerate()
                            .filter(|(_, v)| !removed(v))
                            .map(|(i, v)| Record {
                                path: vec![Seg::Key("value"), Seg::Index(i)],
                                val: v,
                                context,
                            })
                            .collect(),
                        partial: partial_of(o) || items.iter().any(removed),
                        resource_graph: false,
                    })
                }
                None => Ok(Records {
                    items: vec![Record {
                        path: Vec::new(),
                        val: doc,
                        context: None,
                    }],
                    partial: false,
                    resource_graph: false,
                }),
            }
        }
        other => Err(Problem::new(
            &[],
            format!(
                "unrecognised shape: found {} at the top level; {EXPECTED_SHAPES}",
                other.describe()
            ),
        )),
    }
}

/// The rows of an Azure Resource Graph response: `az graph query` prints `{count,
/// data, skip_token, total_records}`, the REST API `{totalRecords, count,
/// resultTruncated, skipToken, data}`, `Search-AzGraph | ConvertTo-Json` `{Data,
/// SkipToken, ...}`.
fn resource_graph_rows(o: &Obj) -> Option<&[Val]> {
    let wrapper = o.has("count")
        || o.has("total_records")
        || o.has("totalRecords")
        || o.has("skip_token")
        || o.has("skipToken");
    o.arr("data").filter(|_| wrapper && !o.has("value"))
}

/// A Resource Graph row as `Search-AzGraph` prints it in a bare array: every table's
/// standard columns (`type`, `tenantId`, `subscriptionId`, `properties`), which no
/// az CLI listing or ARM response has together at the top level.
fn is_resource_graph_row(o: &Obj) -> bool {
    o.str("type").is_some() && o.has("tenantId") && o.has("subscriptionId") && o.has("properties")
}

/// The `value` array of an ARM / Graph page.
fn page_items(o: &Obj) -> Option<&[Val]> {
    o.arr("value").filter(|_| !looks_like_record(o))
}

/// A page wrapper has `value` and nothing that makes it a record itself.
fn looks_like_record(o: &Obj) -> bool {
    o.has("principalId") || o.has("roleName") || o.has("resourceTypes") || o.has("properties")
}

/// What a Graph page's `@odata.context` says its items are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Collection {
    /// `#users`, `#groups`, `#servicePrincipals`, `#devices`, `#contacts`.
    Directory(PrincipalKind),
    /// `#identityGovernance/privilegedAccess/group/eligibilityScheduleInstances`
    /// (false) or `.../assignmentScheduleInstances` (true).
    GroupPim { active: bool },
}

/// Reads `https://graph.microsoft.com/v1.0/$metadata#users(id,displayName)` and the
/// like: the collection is the last path segment after `#`, without a `$select`
/// list or `/$entity`. `#directoryObjects` (a member list) says nothing.
pub(crate) fn collection(context: &str) -> Option<Collection> {
    let (_, fragment) = context.split_once('#')?;
    // Drop every parenthesised part: `users(id,displayName)`, `groups('x')/members`.
    let mut plain = String::with_capacity(fragment.len());
    let mut depth = 0usize;
    for c in fragment.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let segs: Vec<&str> = plain
        .split('/')
        .filter(|s| !s.is_empty() && *s != "$entity")
        .collect();
    let last = segs.last()?.to_ascii_lowercase();
    let pim_group = segs.len() >= 2
        && segs[segs.len() - 2].eq_ignore_ascii_case("group")
        && segs
            .iter()
            .any(|s| s.eq_ignore_ascii_case("privilegedAccess"));
    Some(match last.as_str() {
        "users" => Collection::Directory(PrincipalKind::User),
        "groups" => Collection::Directory(PrincipalKind::Group),
        "serviceprincipals" => Collection::Directory(PrincipalKind::ServicePrincipal),
        "devices" => Collection::Directory(PrincipalKind::Device),
        "contacts" | "orgcontacts" => Collection::Directory(PrincipalKind::OrgContact),
        "eligibilityscheduleinstances" if pim_group => Collection::GroupPim { active: false },
        "assignmentscheduleinstances" if pim_group => Collection::GroupPim { active: true },
        _ => return None,
    })
}

/// `Microsoft.Authorization/roleEligibilityScheduleRequests`,
/// `roleAssignmentScheduleRequests` (any case): requests, not schedules.
fn is_schedule_request(lower_type: &str) -> bool {
    lower_type.starts_with("microsoft.authorization/") && lower_type.ends_with("schedulerequests")
}

fn type_of(o: &Obj) -> &str {
    o.str("type").unwrap_or("")
}

/// Classifies one record, or None when it has no known shape. `collection` is what
/// its page's `@odata.context` says.
pub(crate) fn classify(v: &Val, collection: Option<Collection>) -> Option<RecordKind> {
    let Val::Obj(o) = v else { return None };
    let typ = type_of(o);
    // ARM items keep their payload under `properties`.
    if let Some(p) = o.obj("properties") {
        let t = typ.to_ascii_lowercase();
        // A PIM schedule *request* is what someone asked for (to assign, to
        // remove, maybe revoked or denied), not what is in force: refused.
        if is_schedule_request(&t) {
            return None;
        }
        let by_type = if t == "microsoft.authorization/roleassignments" {
            Some(RecordKind::AssignmentArm)
        } else if t == "microsoft.authorization/denyassignments" {
            Some(RecordKind::Deny)
        } else if t.ends_with("/roleeligibilityscheduleinstances")
            || t.ends_with("/roleeligibilityschedules")
        {
            Some(RecordKind::Eligibility)
        } else if t.ends_with("/roleassignmentscheduleinstances") {
            Some(RecordKind::PimActive)
        } else if t == "microsoft.authorization/roledefinitions" {
            Some(RecordKind::RoleArm)
        } else {
            None
        };
        if by_type.is_some() {
            return by_type;
        }
        if t.is_empty() || t.starts_with("microsoft.authorization/") {
            if p.has("roleName") && p.has("permissions") {
                return Some(RecordKind::RoleArm);
            }
            if p.has("principals") && p.has("permissions") {
                return Some(RecordKind::Deny);
            }
            if p.has("principalId") && p.has("roleDefinitionId") {
                if p.has("originRoleAssignmentId")
                    || p.has("roleAssignmentScheduleId")
                    || p.has("assignmentType")
                {
                    return Some(RecordKind::PimActive);
                }
                if p.has("roleEligibilityScheduleId")
                    || p.has("memberType")
                    || p.has("startDateTime")
                {
                    return Some(RecordKind::Eligibility);
                }
                return Some(RecordKind::AssignmentArm);
            }
        }
        // Another Microsoft.Authorization type (classic administrators, policy
        // assignments in a Resource Graph dump, ...): not a scope of the tree.
        if t.starts_with("microsoft.authorization/") {
            return None;
        }
    }
    if o.has("groupId") && o.has("principalId") && o.has("accessId") {
        let active = match collection {
            Some(Collection::GroupPim { active }) => Some(active),
            _ if o.has("assignmentScheduleId") || o.has("assignmentType") => Some(true),
            _ if o.has("eligibilityScheduleId") => Some(false),
            _ => None,
        };
        return Some(RecordKind::GroupPim(active));
    }
    // Records without `properties` whose own type or fields say what they are:
    // `Get-AzRoleEligibilityScheduleInstance`, `Get-AzRoleAssignmentScheduleInstance`
    // and `Get-AzDenyAssignment` piped to `ConvertTo-Json`.
    if o.obj("properties").is_none() {
        let t = typ.to_ascii_lowercase();
        if is_schedule_request(&t) {
            return None;
        }
        if t.ends_with("/roleeligibilityscheduleinstances")
            || t.ends_with("/roleeligibilityschedules")
            || (o.has("roleEligibilityScheduleId") && o.has("principalId"))
        {
            return Some(RecordKind::Eligibility);
        }
        if t.ends_with("/roleassignmentscheduleinstances")
            || ((o.has("roleAssignmentScheduleId") || o.has("originRoleAssignmentId"))
                && o.has("principalId"))
        {
            return Some(RecordKind::PimActive);
        }
        if t == "microsoft.authorization/denyassignments"
            || o.has("denyAssignmentName")
            || (o.has("principals") && o.has("excludePrincipals"))
        {
            return Some(RecordKind::Deny);
        }
    }
    // Microsoft Entra ID roles (`roleManagement/directory/roleAssignments`) are
    // not Azure RBAC: refused by name ([`unrecognised`]).
    if o.has("directoryScopeId") {
        return None;
    }
    if o.has("roleAssignmentId")
        || (o.has("objectId")
            && o.has("objectType")
            && o.has("scope")
            && (o.has("roleDefinitionId") || o.has("roleDefinitionName")))
    {
        return Some(RecordKind::AssignmentPowerShell);
    }
    if o.has("principalId") && (o.has("roleDefinitionId") || o.has("roleDefinitionName")) {
        return Some(RecordKind::AssignmentAz);
    }
    if o.has("roleName") && o.has("permissions") {
        return Some(RecordKind::RoleAz);
    }
    // PowerShell's role (`Name`, `IsCustom`, flat `Actions`, or since Az 16 its
    // blocks as `Permissions`); `roleName` with `permissions` is az's, above.
    if o.has("name") && (o.has("actions") || o.has("isCustom")) {
        return Some(RecordKind::RolePowerShell);
    }
    if o.has("resourceTypes")
        || ends_with_ci(typ, "/providerOperations")
        || (o.arr("operations").is_some() && o.has("name"))
    {
        return Some(RecordKind::Provider);
    }
    if ends_with_ci(typ, "managementGroups")
        || typ == "/subscriptions"
        || ends_with_ci(typ, "managementGroups/subscriptions")
    {
        return Some(RecordKind::TreeNode);
    }
    if typ.eq_ignore_ascii_case("microsoft.resources/subscriptions") {
        return Some(RecordKind::ResourceGraphSubscription);
    }
    let id = o.str("id").unwrap_or("");
    if is_guid(id)
        && (o.has("tenantId") || o.has("homeTenantId"))
        && (o.has("state") || o.has("isDefault") || o.has("cloudName"))
    {
        return Some(RecordKind::Subscription);
    }
    if starts_with_ci(id, "/subscriptions/") {
        return Some(RecordKind::Resource);
    }
    let object_id = o.str("id").or_else(|| o.str("objectId")).unwrap_or("");
    if !object_id.is_empty() && !object_id.starts_with('/') {
        let from_context = match collection {
            Some(Collection::Directory(k)) => Some(k),
            _ => None,
        };
        let kind = directory_kind(o, from_context);
        if kind.is_some() || is_guid(object_id) {
            return Some(RecordKind::Directory(kind));
        }
    }
    None
}

/// A directory object's kind: from its own `@odata.type` or legacy `objectType`,
/// else from its page's `@odata.context` (`from_context`: a page trimmed with
/// `$select` has no per-item type), else from the fields each kind has.
pub(crate) fn directory_kind(
    o: &Obj,
    from_context: Option<PrincipalKind>,
) -> Option<PrincipalKind> {
    let managed = o
        .str("servicePrincipalType")
        .is_some_and(|t| t.eq_ignore_ascii_case("ManagedIdentity"));
    let as_managed = |k: PrincipalKind| {
        if k == PrincipalKind::ServicePrincipal && managed {
            PrincipalKind::ManagedIdentity
        } else {
            k
        }
    };
    let typed = o.str("@odata.type").or_else(|| o.str("objectType"));
    if let Some(t) = typed {
        return Some(as_managed(PrincipalKind::parse(t)));
    }
    if let Some(k) = from_context {
        return Some(as_managed(k));
    }
    if o.has("userPrincipalName") {
        Some(PrincipalKind::User)
    } else if o.has("servicePrincipalType") || o.has("servicePrincipalNames") || o.has("appId") {
        Some(as_managed(PrincipalKind::ServicePrincipal))
    } else if o.has("securityEnabled") || o.has("mailEnabled") || o.has("groupTypes") {
        Some(PrincipalKind::Group)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------
// Field access with located errors.

fn as_obj<'a>(v: &'a Val, path: &[Seg]) -> Result<&'a Obj, Problem> {
    match v {
        Val::Obj(o) => Ok(o),
        other => Err(Problem::new(
            path,
            format!("expected an object, found {}", other.describe()),
        )),
    }
}

pub(super) fn req_str(
    o: &Obj,
    key: &'static str,
    path: &[Seg],
    what: &str,
) -> Result<String, Problem> {
    match o.get(key) {
        Some(Val::Str(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Val::Str(_)) => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!("expected {what} in `{key}`, found an empty string"),
        )),
        None | Some(Val::Null) => Err(Problem::new(
            path,
            format!("expected `{key}` ({what}) in {}", "this record"),
        )),
        Some(other) => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!("expected {what} (a string), found {}", other.describe()),
        )),
    }
}

pub(super) fn opt_str(o: &Obj, key: &'static str, path: &[Seg]) -> Result<Option<String>, Problem> {
    match o.get(key) {
        None | Some(Val::Null) => Ok(None),
        Some(Val::Str(s)) => Ok(Some(s.clone())),
        Some(Val::Num(n)) => Ok(Some(n.to_string())),
        Some(Val::Bool(b)) => Ok(Some(b.to_string())),
        Some(other) => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!("expected a string, found {}", other.describe()),
        )),
    }
}

/// A window bound (`startDateTime`, `endDateTime`): absent, or a time
/// [`crate::model::Timestamp`] reads. One it cannot read is refused here: a
/// bound taken as no bound would answer an ended activation as in force.
pub(super) fn opt_time(
    o: &Obj,
    key: &'static str,
    path: &[Seg],
) -> Result<Option<String>, Problem> {
    let v = opt_str(o, key, path)?.filter(|s| !s.trim().is_empty());
    match &v {
        Some(s) if crate::model::Timestamp::parse(s).is_none() => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!(
                "expected a date and time (RFC 3339, such as 2026-10-01T00:00:00Z, or Windows PowerShell's /Date(MS)/), found {:?}",
                s.chars().take(60).collect::<String>()
            ),
        )),
        _ => Ok(v),
    }
}

pub(super) fn opt_bool(o: &Obj, key: &'static str, path: &[Seg]) -> Result<Option<bool>, Problem> {
    match o.get(key) {
        None | Some(Val::Null) => Ok(None),
        Some(Val::Bool(b)) => Ok(Some(*b)),
        Some(Val::Str(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Val::Str(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!("expected true or false, found {}", other.describe()),
        )),
    }
}

/// An `az account list` entry for the tenant itself (azure-cli's
/// `_TENANT_LEVEL_ACCOUNT_NAME`, after `az login --allow-no-subscriptions`): its
/// `id` is the tenant's, not a subscription's.
pub(crate) fn is_tenant_level_account(o: &Obj) -> bool {
    match (o.str("id"), o.str("tenantId")) {
        (Some(id), Some(t)) => id.eq_ignore_ascii_case(t),
        _ => false,
    }
}

/// Appended to an error about a value PowerShell's `ConvertTo-Json` cut short.
const CUT_BY_DEPTH: &str = " (ConvertTo-Json writes nested values past its -Depth, 2 by default, as text: export again with -Depth 10)";

/// A list element that is PowerShell's name of a list type (`System.Object[]`,
/// ``System.Collections.Generic.List`1[System.String]``): what ConvertTo-Json
/// writes for a list past its -Depth, never a value of its own.
fn is_type_name(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("System.") && (s.ends_with(']') || s.contains('`'))
}

fn str_list(o: &Obj, key: &'static str, path: &[Seg]) -> Result<Vec<String>, Problem> {
    let item = |s: &String, at: Vec<Seg>| -> Result<String, Problem> {
        if is_type_name(s) {
            return Err(Problem::new(
                &at,
                format!("expected a value, found the type name `{s}`{CUT_BY_DEPTH}"),
            ));
        }
        Ok(s.clone())
    };
    match o.get(key) {
        None | Some(Val::Null) => Ok(Vec::new()),
        Some(Val::Arr(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = child(&child(path, Seg::Key(key)), Seg::Index(i));
                match v {
                    Val::Str(s) => item(s, at),
                    other => Err(Problem::new(
                        &at,
                        format!("expected a string, found {}", other.describe()),
                    )),
                }
            })
            .collect(),
        // A lone string where a list is expected: `"AssignableScopes": "/"`.
        Some(Val::Str(s)) => Ok(vec![item(s, child(path, Seg::Key(key)))?]),
        Some(other) => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!("expected an array of strings, found {}", other.describe()),
        )),
    }
}

/// A permission block's list of action patterns: [`str_list`], and no pattern
/// with a blank inside (no operation has one; PowerShell 7's ConvertTo-Json
/// joins a list past its -Depth with spaces: `"a/*/read b/*"`).
fn action_list(o: &Obj, key: &'static str, path: &[Seg]) -> Result<Vec<String>, Problem> {
    let list = str_list(o, key, path)?;
    if let Some((i, a)) = list
        .iter()
        .enumerate()
        .find(|(_, a)| a.trim().contains(char::is_whitespace))
    {
        let at = match o.get(key) {
            Some(Val::Arr(_)) => child(&child(path, Seg::Key(key)), Seg::Index(i)),
            _ => child(path, Seg::Key(key)),
        };
        return Err(Problem::new(
            &at,
            format!("expected one action pattern, found `{a}` with a blank inside{CUT_BY_DEPTH}"),
        ));
    }
    Ok(list)
}

fn obj_list<'a>(
    o: &'a Obj,
    key: &'static str,
    path: &[Seg],
) -> Result<Vec<(Vec<Seg>, &'a Obj)>, Problem> {
    match o.get(key) {
        None | Some(Val::Null) => Ok(Vec::new()),
        Some(Val::Arr(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let p = child(&child(path, Seg::Key(key)), Seg::Index(i));
                as_obj(v, &p).map(|o| (p, o))
            })
            .collect(),
        Some(other) => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!("expected an array of objects, found {}", other.describe()),
        )),
    }
}

/// An ARM record's `properties`, or the record itself when it has none (the
/// same fields at the top level, as PowerShell's `ConvertTo-Json` writes them).
fn properties_or_self<'a>(o: &'a Obj, path: &[Seg]) -> (&'a Obj, Vec<Seg>) {
    match o.get("properties") {
        Some(Val::Obj(props)) => (props, child(path, Seg::Key("properties"))),
        _ => (o, path.to_vec()),
    }
}

fn properties<'a>(o: &'a Obj, path: &[Seg]) -> Result<(&'a Obj, Vec<Seg>), Problem> {
    let p = child(path, Seg::Key("properties"));
    match o.get("properties") {
        Some(Val::Obj(props)) => Ok((props, p)),
        _ => Err(Problem::new(path, "expected `properties` (an object)")),
    }
}

// ---------------------------------------------------------------------------------
// Conversions.

fn permission_block(o: &Obj, path: &[Seg]) -> Result<PermissionBlock, Problem> {
    Ok(PermissionBlock {
        actions: action_list(o, "actions", path)?,
        not_actions: action_list(o, "notActions", path)?,
        data_actions: action_list(o, "dataActions", path)?,
        not_data_actions: action_list(o, "notDataActions", path)?,
        condition: opt_str(o, "condition", path)?,
        condition_version: opt_str(o, "conditionVersion", path)?,
    })
}

fn permission_blocks(o: &Obj, path: &[Seg]) -> Result<Vec<PermissionBlock>, Problem> {
    obj_list(o, "permissions", path)?
        .into_iter()
        .map(|(p, b)| permission_block(b, &p))
        .collect()
}

/// The role's GUID: `name` when it is one, else the trailing segment of `id`.
fn role_id_of(o: &Obj) -> String {
    match (o.str("name"), o.str("id")) {
        (Some(n), _) if is_guid(n) => n.to_string(),
        (_, Some(id)) if !id.is_empty() => role_guid_spelled(id).to_string(),
        _ => String::new(),
    }
}

pub(crate) fn role(kind: RecordKind, o: &Obj, path: &[Seg]) -> Result<RoleDefinition, Problem> {
    match kind {
        RecordKind::RoleAz => Ok(RoleDefinition {
            id: role_id_of(o),
            role_name: req_str(o, "roleName", path, "the role's name")?,
            role_type: opt_str(o, "roleType", path)?.unwrap_or_else(|| "CustomRole".into()),
            description: opt_str(o, "description", path)?.unwrap_or_default(),
            permissions: permission_blocks(o, path)?,
            assignable_scopes: str_list(o, "assignableScopes", path)?,
        }),
        RecordKind::RoleArm => {
            let (p, pp) = properties(o, path)?;
            Ok(RoleDefinition {
                id: role_id_of(o),
                role_name: req_str(p, "roleName", &pp, "the role's name")?,
                role_type: opt_str(p, "type", &pp)?
                    .or(opt_str(p, "roleType", &pp)?)
                    .unwrap_or_else(|| "CustomRole".into()),
                description: opt_str(p, "description", &pp)?.unwrap_or_default(),
                permissions: permission_blocks(p, &pp)?,
                assignable_scopes: str_list(p, "assignableScopes", &pp)?,
            })
        }
        _ => {
            // PowerShell / custom-role file: `Name` is the role name, `Id` the GUID.
            let custom = opt_bool(o, "isCustom", path)?.unwrap_or(true);
            let id = opt_str(o, "id", path)?.unwrap_or_default();
            Ok(RoleDefinition {
                id: if id.is_empty() {
                    id
                } else {
                    role_guid_original(&id)
                },
                role_name: req_str(o, "name", path, "the role's name")?,
                role_type: if custom { "CustomRole" } else { "BuiltInRole" }.to_string(),
                description: opt_str(o, "description", path)?.unwrap_or_default(),
                // Az.Resources 10 (Az 16) writes the blocks as `Permissions`;
                // earlier versions one flat block.
                permissions: match o.get("permissions") {
                    Some(Val::Arr(items)) if !items.is_empty() => permission_blocks(o, path)?,
                    _ => vec![permission_block(o, path)?],
                },
                assignable_scopes: str_list(o, "assignableScopes", path)?,
            })
        }
    }
}

/// The trailing GUID of a role definition id, in its original case.
fn role_guid_original(id: &str) -> String {
    role_guid_spelled(id).to_string()
}

/// An active role assignment (az flat or ARM nested).
pub(crate) fn assignment(kind: RecordKind, o: &Obj, path: &[Seg]) -> Result<Assignment, Problem> {
    let (p, pp) = if kind == RecordKind::AssignmentArm {
        let (p, pp) = properties(o, path)?;
        (p, pp)
    } else {
        (o, path.to_vec())
    };
    let role_def = opt_str(p, "roleDefinitionId", &pp)?.unwrap_or_default();
    let role_name = opt_str(p, "roleDefinitionName", &pp)?;
    if role_def.is_empty() && role_name.as_deref().unwrap_or("").is_empty() {
        return Err(Problem::new(
            &pp,
            "expected `roleDefinitionId` or `roleDefinitionName` in this role assignment",
        ));
    }
    let scope = req_str(p, "scope", &pp, "the assignment's scope")?;
    let id = record_id(o, path, &scope)?;
    Ok(Assignment {
        principal_display_name: None,
        can_delegate: None,
        start_date_time: None,
        end_date_time: None,
        id,
        principal_id: req_str(p, "principalId", &pp, "the principal's object id")?,
        principal_type: opt_str(p, "principalType", &pp)?.unwrap_or_default(),
        principal_name: opt_str(p, "principalName", &pp)?,
        role_definition_id: if role_def.is_empty() {
            String::new()
        } else {
            role_guid_original(&role_def)
        },
        role_definition_name: role_name,
        scope,
        condition: opt_str(p, "condition", &pp)?,
        condition_version: opt_str(p, "conditionVersion", &pp)?,
        created_on: opt_str(p, "createdOn", &pp)?,
        source: AssignmentSource::RoleAssignment,
    })
}

/// `Get-AzRoleAssignment | ConvertTo-Json`: `RoleAssignmentId`, `Scope`,
/// `RoleDefinitionId` (a bare GUID), `ObjectId`, `ObjectType`, `DisplayName`,
/// `SignInName`, `CanDelegate`, `Condition`, `ConditionVersion`. The principal's name
/// is its sign-in name when it has one (users), else its display name; `ObjectType:
/// Unknown` is a deleted principal (SPEC §1: orphaned on that evidence).
pub(crate) fn assignment_powershell(o: &Obj, path: &[Seg]) -> Result<Assignment, Problem> {
    let scope = req_str(o, "scope", path, "the assignment's scope")?;
    let role_def = opt_str(o, "roleDefinitionId", path)?.unwrap_or_default();
    let role_name = opt_str(o, "roleDefinitionName", path)?.filter(|n| !n.is_empty());
    if role_def.is_empty() && role_name.is_none() {
        return Err(Problem::new(
            path,
            "expected `RoleDefinitionId` or `RoleDefinitionName` in this role assignment",
        ));
    }
    let id =
        match opt_str(o, "roleAssignmentId", path)?.filter(|s| !s.is_empty()) {
            Some(id) => id,
            None => match opt_str(o, "roleAssignmentName", path)?.filter(|s| !s.is_empty()) {
                Some(name) => format!(
                    "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
                    scope.trim_end_matches('/')
                ),
                None => return Err(Problem::new(
                    path,
                    "expected `RoleAssignmentId` or `RoleAssignmentName` in this role assignment",
                )),
            },
        };
    let object_type = opt_str(o, "objectType", path)?.unwrap_or_default();
    let deleted = object_type.eq_ignore_ascii_case("Unknown");
    let display_name = opt_str(o, "displayName", path)?.filter(|n| !n.is_empty());
    let sign_in = opt_str(o, "signInName", path)?.filter(|n| !n.is_empty());
    Ok(Assignment {
        principal_name: if deleted {
            Some(String::new())
        } else {
            sign_in.or_else(|| display_name.clone())
        },
        principal_display_name: display_name,
        can_delegate: opt_bool(o, "canDelegate", path)?,
        start_date_time: None,
        end_date_time: None,
        id,
        principal_id: req_str(o, "objectId", path, "the principal's object id")?,
        principal_type: if deleted {
            "Unknown".to_string()
        } else {
            object_type
        },
        role_definition_id: if role_def.is_empty() {
            String::new()
        } else {
            role_guid_original(&role_def)
        },
        role_definition_name: role_name,
        scope,
        condition: opt_str(o, "condition", path)?.filter(|c| !c.is_empty()),
        condition_version: opt_str(o, "conditionVersion", path)?.filter(|c| !c.is_empty()),
        created_on: None,
        source: AssignmentSource::RoleAssignment,
    })
}

/// `id`, or `<scope>/providers/Microsoft.Authorization/roleAssignments/<name>`.
fn record_id(o: &Obj, path: &[Seg], scope: &str) -> Result<String, Problem> {
    if let Some(id) = opt_str(o, "id", path)?.filter(|s| !s.is_empty()) {
        return Ok(id);
    }
    match opt_str(o, "name", path)?.filter(|s| !s.is_empty()) {
        Some(name) => Ok(format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
            scope.trim_end_matches('/')
        )),
        None => Err(Problem::new(path, "expected `id` or `name` in this record")),
    }
}

/// A PIM `roleAssignmentScheduleInstances` entry as an assignment, with its
/// `originRoleAssignmentId`.
pub(crate) fn pim_active(o: &Obj, path: &[Seg]) -> Result<(Assignment, Option<String>), Problem> {
    let (p, pp) = properties_or_self(o, path);
    let scope = req_str(p, "scope", &pp, "the assignment's scope")?;
    let role_def = req_str(p, "roleDefinitionId", &pp, "the role definition id")?;
    let id = match opt_str(o, "id", path)?.filter(|s| !s.is_empty()) {
        Some(id) => id,
        None => format!(
            "{}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances/{}",
            scope.trim_end_matches('/'),
            req_str(o, "name", path, "the instance's name")?
        ),
    };
    let assignment = Assignment {
        principal_display_name: pim_principal_name(p, &pp)?,
        can_delegate: None,
        // A time-bound activation grants from its start until its end (SPEC §2.10).
        start_date_time: opt_time(p, "startDateTime", &pp)?,
        end_date_time: opt_time(p, "endDateTime", &pp)?,
        id,
        principal_id: req_str(p, "principalId", &pp, "the principal's object id")?,
        principal_type: opt_str(p, "principalType", &pp)?.unwrap_or_default(),
        principal_name: None,
        role_definition_id: role_guid_original(&role_def),
        role_definition_name: pim_role_name(p, &pp)?,
        scope,
        condition: opt_str(p, "condition", &pp)?,
        condition_version: opt_str(p, "conditionVersion", &pp)?,
        created_on: opt_str(p, "createdOn", &pp)?.or(opt_str(p, "startDateTime", &pp)?),
        source: AssignmentSource::PimActive,
    };
    Ok((assignment, opt_str(p, "originRoleAssignmentId", &pp)?))
}

/// The role's display name a PIM instance gives: ARM's
/// `expandedProperties.roleDefinition.displayName`, or Az PowerShell's flattened
/// `RoleDefinitionDisplayName`.
fn pim_role_name(p: &Obj, pp: &[Seg]) -> Result<Option<String>, Problem> {
    pim_expanded_name(p, pp, "roleDefinition", "roleDefinitionDisplayName")
}

/// The principal's display name a PIM instance gives: ARM's
/// `expandedProperties.principal.displayName`, or Az PowerShell's flattened
/// `PrincipalDisplayName`: what answers show for a principal in no directory
/// listing, as a role assignment's `principalName` is.
fn pim_principal_name(p: &Obj, pp: &[Seg]) -> Result<Option<String>, Problem> {
    pim_expanded_name(p, pp, "principal", "principalDisplayName")
}

/// `expandedProperties.<object>.displayName` (ARM), else the flattened `<flat>`
/// (Az PowerShell). Either, when present, must be what the shape says
/// (objects, a string): never half-read. Blank is absent.
fn pim_expanded_name(
    p: &Obj,
    pp: &[Seg],
    object: &'static str,
    flat: &'static str,
) -> Result<Option<String>, Problem> {
    let mut name = None;
    if let Some(v) = p
        .get("expandedProperties")
        .filter(|v| !matches!(v, Val::Null))
    {
        let ep = child(pp, Seg::Key("expandedProperties"));
        let expanded = as_obj(v, &ep)?;
        if let Some(v) = expanded.get(object).filter(|v| !matches!(v, Val::Null)) {
            let rp = child(&ep, Seg::Key(object));
            name = opt_str(as_obj(v, &rp)?, "displayName", &rp)?;
        }
    }
    if name.is_none() {
        name = opt_str(p, flat, pp)?;
    }
    Ok(name.filter(|n| !n.trim().is_empty()))
}

pub(crate) fn eligibility(o: &Obj, path: &[Seg]) -> Result<Eligibility, Problem> {
    let (p, pp) = properties_or_self(o, path);
    let scope = req_str(p, "scope", &pp, "the eligibility's scope")?;
    let role_def = req_str(p, "roleDefinitionId", &pp, "the role definition id")?;
    let id = match opt_str(o, "id", path)?.filter(|s| !s.is_empty()) {
        Some(id) => id,
        None => format!(
            "{}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/{}",
            scope.trim_end_matches('/'),
            req_str(o, "name", path, "the instance's name")?
        ),
    };
    Ok(Eligibility {
        id,
        principal_id: req_str(p, "principalId", &pp, "the principal's object id")?,
        principal_type: opt_str(p, "principalType", &pp)?.unwrap_or_default(),
        role_definition_id: role_guid_original(&role_def),
        scope,
        start_date_time: opt_time(p, "startDateTime", &pp)?,
        end_date_time: opt_time(p, "endDateTime", &pp)?,
        member_type: opt_str(p, "memberType", &pp)?,
        condition: opt_str(p, "condition", &pp)?,
        role_definition_name: pim_role_name(p, &pp)?,
        principal_display_name: pim_principal_name(p, &pp)?,
    })
}

/// A PIM for Groups schedule instance (Graph `identityGovernance/privilegedAccess/
/// group/eligibilityScheduleInstances` or `assignmentScheduleInstances`). `active`
/// comes from the page's `@odata.context` or the record's own schedule id; when
/// neither tells, the record is refused rather than guessed.
pub(crate) fn group_pim(
    active: Option<bool>,
    o: &Obj,
    path: &[Seg],
) -> Result<GroupEligibility, Problem> {
    let Some(active) = active else {
        return Err(Problem::new(
            path,
            "a PIM for Groups instance, but whether it is eligible or active cannot be told: \
             export the whole Graph page (its @odata.context names eligibilityScheduleInstances \
             or assignmentScheduleInstances), or keep eligibilityScheduleId / assignmentScheduleId",
        ));
    };
    Ok(GroupEligibility {
        id: req_str(o, "id", path, "the instance's id")?,
        group_id: req_str(o, "groupId", path, "the group's object id")?,
        principal_id: req_str(o, "principalId", path, "the principal's object id")?,
        access_id: req_str(o, "accessId", path, "`member` or `owner`")?,
        member_type: opt_str(o, "memberType", path)?,
        start_date_time: opt_time(o, "startDateTime", path)?,
        end_date_time: opt_time(o, "endDateTime", path)?,
        active,
    })
}

pub(crate) fn deny(o: &Obj, path: &[Seg]) -> Result<DenyAssignment, Problem> {
    let (p, pp) = properties_or_self(o, path);
    let scope = req_str(p, "scope", &pp, "the deny assignment's scope")?;
    let name = opt_str(o, "name", path)?.unwrap_or_default();
    let id = match opt_str(o, "id", path)?.filter(|s| !s.is_empty()) {
        Some(id) => id,
        None if !name.is_empty() => format!(
            "{}/providers/Microsoft.Authorization/denyAssignments/{name}",
            scope.trim_end_matches('/')
        ),
        None => return Err(Problem::new(path, "expected `id` or `name` in this record")),
    };
    let principals = |key: &'static str| -> Result<Vec<DenyPrincipal>, Problem> {
        obj_list(p, key, &pp)?
            .into_iter()
            .map(|(ppath, po)| {
                // ARM `{id, type}`; PowerShell's `PSPrincipal` `{Id, Type}` or
                // `{ObjectId, ObjectType}`. Some exports write a GUID without its
                // dashes (`000...0` for everyone): the same object id.
                let id = match opt_str(po, "id", &ppath)?.filter(|s| !s.is_empty()) {
                    Some(id) => id,
                    None => req_str(po, "objectId", &ppath, "the principal's object id")?,
                };
                let kind = match opt_str(po, "type", &ppath)? {
                    Some(k) => k,
                    None => opt_str(po, "objectType", &ppath)?.unwrap_or_default(),
                };
                Ok(DenyPrincipal {
                    id: dashed_guid(&id).unwrap_or(id),
                    kind,
                })
            })
            .collect()
    };
    // PowerShell's `PSDenyAssignment` flattens its one permission block.
    let permissions = if p.has("permissions") || !p.has("actions") {
        permission_blocks(p, &pp)?
    } else {
        vec![permission_block(p, &pp)?]
    };
    Ok(DenyAssignment {
        name: opt_str(p, "denyAssignmentName", &pp)?
            .filter(|s| !s.is_empty())
            .unwrap_or(name),
        id,
        permissions,
        principals: principals("principals")?,
        exclude_principals: principals("excludePrincipals")?,
        do_not_apply_to_child_scopes: opt_bool(p, "doNotApplyToChildScopes", &pp)?.unwrap_or(false),
        condition: opt_str(p, "condition", &pp)?,
        effect: opt_str(p, "denyAssignmentEffect", &pp)?.filter(|e| !e.trim().is_empty()),
        scope,
    })
}

fn object_id(o: &Obj, path: &[Seg]) -> Result<String, Problem> {
    match opt_str(o, "id", path)?.filter(|s| !s.is_empty()) {
        Some(id) => Ok(id),
        None => req_str(o, "objectId", path, "the object id"),
    }
}

/// A directory listing entry. `kind` must be known (the caller refuses the rest).
pub(crate) fn principal(kind: PrincipalKind, o: &Obj, path: &[Seg]) -> Result<Principal, Problem> {
    // Graph's recycle bin (`directory/deletedItems`, or `$select=deletedDateTime`)
    // lists deleted objects: read as a listing, they would stop being orphaned.
    if opt_str(o, "deletedDateTime", path)?.is_some_and(|d| !d.trim().is_empty()) {
        return Err(Problem::new(
            &child(path, Seg::Key("deletedDateTime")),
            "expected a live directory object, found a deleted one (deletedDateTime is set): this is \
             Graph's recycle bin (directory/deletedItems), not a listing of the directory; \
             import the live listing (GET /users, /groups, /servicePrincipals) instead",
        ));
    }
    // A member file's entry may have no type: keep what it says of a user.
    let is_user = matches!(kind, PrincipalKind::User | PrincipalKind::Unknown);
    let is_sp = matches!(
        kind,
        PrincipalKind::ServicePrincipal | PrincipalKind::ManagedIdentity
    );
    Ok(Principal {
        mail: opt_str(o, "mail", path)?.filter(|m| !m.is_empty()),
        other_mails: str_list(o, "otherMails", path)?,
        from_member_list: false,
        id: object_id(o, path)?,
        kind,
        display_name: opt_str(o, "displayName", path)?.unwrap_or_default(),
        user_principal_name: if is_user {
            opt_str(o, "userPrincipalName", path)?
        } else {
            None
        },
        user_type: if is_user {
            opt_str(o, "userType", path)?
        } else {
            None
        },
        account_enabled: if is_user || is_sp {
            opt_bool(o, "accountEnabled", path)?
        } else {
            None
        },
        app_id: if is_sp {
            opt_str(o, "appId", path)?
        } else {
            None
        },
    })
}

/// Who a member file's entry is, as the entry says (SPEC §1: its `displayName`,
/// `userPrincipalName` and `@odata.type` are kept): a principal marked
/// `from_member_list`, which a directory listing of the same id replaces. None when
/// the entry says nothing but its id.
pub(crate) fn member_principal(
    kind: Option<PrincipalKind>,
    o: &Obj,
    path: &[Seg],
) -> Result<Option<Principal>, Problem> {
    let mut p = principal(kind.unwrap_or(PrincipalKind::Unknown), o, path)?;
    p.from_member_list = true;
    let says_something = kind.is_some()
        || !p.display_name.is_empty()
        || p.user_principal_name.is_some()
        || p.mail.is_some()
        || !p.other_mails.is_empty();
    Ok(says_something.then_some(p))
}

/// A group member list entry.
pub(crate) fn member(
    group_id: &str,
    kind: Option<PrincipalKind>,
    o: &Obj,
    path: &[Seg],
) -> Result<MemberEdge, Problem> {
    Ok(MemberEdge {
        group_id: group_id.to_string(),
        member_id: object_id(o, path)?,
        member_kind: kind,
    })
}

/// The id of a management group given by name.
fn management_group_id(name: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{name}")
}

/// A field of a tree node: at the top (`az account management-group ...`) or under
/// `properties` (ARM REST, Resource Graph).
fn node_field<'a>(o: &'a Obj, props: Option<&'a Obj>, key: &'static str) -> Option<&'a Val> {
    match o.get(key) {
        None | Some(Val::Null) => props.and_then(|p| p.get(key)),
        found => found,
    }
}

/// A `parent` object's id, or the id of the management group it names.
fn parent_ref(p: &Obj, path: &[Seg]) -> Result<Option<String>, Problem> {
    if let Some(id) = opt_str(p, "id", path)?.filter(|s| !s.is_empty()) {
        return Ok(Some(id));
    }
    Ok(opt_str(p, "name", path)?
        .filter(|s| !s.is_empty())
        .map(|n| management_group_id(&n)))
}

/// Management-group tree nodes, parents from the nesting or given:
/// `az account management-group entities list` items and `show --expand --recurse`
/// trees (fields at the top); ARM `getEntities`, `managementGroups/{id}?$expand=
/// children&$recurse=true` and a group's `subscriptions` list (fields under
/// `properties`); Resource Graph `microsoft.management/managementgroups` rows.
pub(crate) fn tree_nodes(
    o: &Obj,
    path: &[Seg],
    parent: Option<&str>,
    out: &mut Vec<ScopeNode>,
) -> Result<(), Problem> {
    let props = o.obj("properties");
    let ppath = child(path, Seg::Key("properties"));
    let at = |key: &'static str| -> Vec<Seg> {
        if matches!(o.get(key), None | Some(Val::Null)) && props.is_some() {
            child(&ppath, Seg::Key(key))
        } else {
            child(path, Seg::Key(key))
        }
    };
    let mut id = req_str(o, "id", path, "the node's id")?;
    let typ = type_of(o);
    // `GET managementGroups/{g}/subscriptions`: the item's id is
    // `/providers/Microsoft.Management/managementGroups/{g}/subscriptions/{sub}`.
    let under_group = ends_with_ci(typ, "managementGroups/subscriptions");
    let is_sub = typ == "/subscriptions"
        || ends_with_ci(typ, "/subscriptions")
        || starts_with_ci(&id, "/subscriptions/");
    let mut implied_parent = None;
    if under_group && !starts_with_ci(&id, "/subscriptions/") {
        let sub = opt_str(o, "name", path)?
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| last_segment(&id).to_string());
        let trimmed = id.trim_end_matches('/');
        if let Some(cut) = trimmed
            .to_ascii_lowercase()
            .rfind("/subscriptions/")
            .filter(|&i| i > 0)
        {
            implied_parent = Some(trimmed[..cut].to_string());
        }
        id = format!("/subscriptions/{sub}");
    }
    // An object or nothing: anything else (a string such as
    // `@{managementGroupAncestorsChain=System.Object[]; parent=; ...}`, what
    // PowerShell's ConvertTo-Json writes past its -Depth) would lose the tree.
    let object_or_none = |v: Option<&'_ Val>, at: &[Seg]| -> Result<(), Problem> {
        match v {
            None | Some(Val::Null) | Some(Val::Obj(_)) => Ok(()),
            Some(other) => Err(Problem::new(
                at,
                format!(
                    "expected an object, found {}{}",
                    other.describe(),
                    CUT_BY_DEPTH
                ),
            )),
        }
    };
    object_or_none(node_field(o, props, "parent"), &at("parent"))?;
    object_or_none(node_field(o, props, "details"), &at("details"))?;
    let explicit_parent = match node_field(o, props, "parent") {
        Some(Val::Obj(p)) => parent_ref(p, &at("parent"))?,
        _ => None,
    };
    let details = match node_field(o, props, "details") {
        Some(Val::Obj(d)) => Some(d),
        _ => None,
    };
    if let Some(d) = details {
        object_or_none(d.get("parent"), &child(&at("details"), Seg::Key("parent")))?;
    }
    let details_parent = match details.and_then(|d| d.get("parent")) {
        Some(Val::Obj(p)) => parent_ref(p, &child(&at("details"), Seg::Key("parent")))?,
        _ => None,
    };
    // `GET managementGroups/{id}?$expand=path`: `details.path` names the groups from
    // the root down to the parent (`{name, displayName}`), each the parent of the
    // next; `$expand=ancestors` gives the same from the parent up
    // (`details.managementGroupAncestorsChain`, or `managementGroupAncestors`). They join the tree as nodes of their own, so a group
    // read alone still reaches its every ancestor.
    let mut path_groups = Vec::new();
    if let Some(d) = details {
        // Each element `{name, displayName}`, or (`managementGroupAncestors` in some
        // API versions) the name alone.
        let read = |key: &'static str| -> Result<Vec<(String, Option<String>)>, Problem> {
            let mut groups = Vec::new();
            let items = match d.get(key) {
                Some(Val::Arr(items)) => items,
                None | Some(Val::Null) => return Ok(groups),
                Some(other) => {
                    return Err(Problem::new(
                        &child(&at("details"), Seg::Key(key)),
                        format!(
                            "expected an array, found {}{}",
                            other.describe(),
                            CUT_BY_DEPTH
                        ),
                    ))
                }
            };
            for (i, v) in items.iter().enumerate() {
                let gpath = child(&child(&at("details"), Seg::Key(key)), Seg::Index(i));
                match v {
                    Val::Str(name) if !name.is_empty() => groups.push((name.clone(), None)),
                    Val::Obj(g) => {
                        let name = req_str(g, "name", &gpath, "the management group's name")?;
                        groups.push((name, opt_str(g, "displayName", &gpath)?));
                    }
                    other => {
                        return Err(Problem::new(
                            &gpath,
                            format!(
                                "expected a management group ({{name, displayName}} or its name), found {}",
                                other.describe()
                            ),
                        ))
                    }
                }
            }
            Ok(groups)
        };
        path_groups = read("path")?;
        for nearest_first in ["managementGroupAncestorsChain", "managementGroupAncestors"] {
            if path_groups.is_empty() {
                path_groups = read(nearest_first)?;
                path_groups.reverse();
            }
        }
    }
    let name = if is_sub {
        last_segment(&id).to_string()
    } else {
        opt_str(o, "name", path)?
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| last_segment(&id).to_string())
    };
    let display_name = match node_field(o, props, "displayName") {
        Some(Val::Str(s)) => Some(s.clone()),
        None | Some(Val::Null) => None,
        Some(other) => {
            return Err(Problem::new(
                &at("displayName"),
                format!("expected a string, found {}", other.describe()),
            ))
        }
    };
    out.push(ScopeNode {
        id: id.clone(),
        kind: if is_sub {
            ScopeKind::Subscription
        } else {
            ScopeKind::ManagementGroup
        },
        name,
        display_name,
        resource_type: None,
        parent_id: parent
            .map(str::to_string)
            .or(explicit_parent)
            .or(details_parent)
            .or(implied_parent),
    });
    let mut above: Option<String> = None;
    for (name, display_name) in path_groups {
        let gid = management_group_id(&name);
        out.push(ScopeNode {
            id: gid.clone(),
            kind: ScopeKind::ManagementGroup,
            name,
            display_name,
            resource_type: None,
            parent_id: above.replace(gid),
        });
    }
    let children_path = at("children");
    match node_field(o, props, "children") {
        None | Some(Val::Null) => {}
        Some(Val::Arr(items)) => {
            for (i, c) in items.iter().enumerate() {
                let cp = child(&children_path, Seg::Index(i));
                tree_nodes(as_obj(c, &cp)?, &cp, Some(&id), out)?;
            }
        }
        Some(other) => {
            return Err(Problem::new(
                &children_path,
                format!("expected an array of objects, found {}", other.describe()),
            ))
        }
    }
    Ok(())
}

/// A Resource Graph `resourcecontainers` subscription row, and the management
/// groups of its `properties.managementGroupAncestorsChain` (nearest first, each
/// `{name, displayName}`): the subscription's parent is the first, each group's the
/// next one.
pub(crate) fn resource_graph_subscription(
    o: &Obj,
    path: &[Seg],
    out: &mut Vec<ScopeNode>,
) -> Result<(), Problem> {
    let id = req_str(o, "id", path, "the subscription's id")?;
    let guid = match opt_str(o, "subscriptionId", path)?.filter(|s| !s.is_empty()) {
        Some(g) => g,
        None => match parse_resource_id(&id) {
            Some(p) => p.subscription,
            None => {
                return Err(Problem::new(
                    &child(path, Seg::Key("id")),
                    "expected a subscription id of the form /subscriptions/<id>",
                ))
            }
        },
    };
    let props = o.obj("properties");
    let ppath = child(path, Seg::Key("properties"));
    let chain = match props {
        Some(p) => obj_list(p, "managementGroupAncestorsChain", &ppath)?,
        None => Vec::new(),
    };
    let mut groups = Vec::with_capacity(chain.len());
    for (gpath, g) in &chain {
        let name = req_str(g, "name", gpath, "the management group's name")?;
        groups.push((
            management_group_id(&name),
            name,
            opt_str(g, "displayName", gpath)?,
        ));
    }
    // Resource Graph names a subscription row after the subscription's display name.
    let display_name = match props {
        Some(p) => opt_str(p, "displayName", &ppath)?,
        None => None,
    }
    .or(opt_str(o, "name", path)?)
    .filter(|n| !n.is_empty() && *n != guid);
    out.push(ScopeNode {
        id: format!("/subscriptions/{guid}"),
        kind: ScopeKind::Subscription,
        name: guid,
        display_name,
        resource_type: None,
        parent_id: groups.first().map(|g| g.0.clone()),
    });
    for i in 0..groups.len() {
        let parent_id = groups.get(i + 1).map(|g| g.0.clone());
        let (id, name, display_name) = &groups[i];
        out.push(ScopeNode {
            id: id.clone(),
            kind: ScopeKind::ManagementGroup,
            name: name.clone(),
            display_name: display_name.clone(),
            resource_type: None,
            parent_id,
        });
    }
    Ok(())
}

/// `az account list` entry.
pub(crate) fn subscription(o: &Obj, path: &[Seg]) -> Result<ScopeNode, Problem> {
    let guid = req_str(o, "id", path, "the subscription id")?;
    Ok(ScopeNode {
        id: format!("/subscriptions/{guid}"),
        kind: ScopeKind::Subscription,
        name: guid,
        display_name: opt_str(o, "name", path)?,
        resource_type: None,
        parent_id: None,
    })
}

fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

/// What a `/subscriptions/...` id names, from its path.
pub(crate) struct ResourcePath {
    pub(crate) subscription: String,
    pub(crate) resource_group: Option<String>,
    /// Provider namespace and type segments (`Microsoft.MachineLearningServices/workspaces`).
    pub(crate) resource_type: Option<String>,
}

pub(crate) fn parse_resource_id(id: &str) -> Option<ResourcePath> {
    let segs: Vec<&str> = id.trim_matches('/').split('/').collect();
    if segs.len() < 2 || !segs[0].eq_ignore_ascii_case("subscriptions") || segs[1].is_empty() {
        return None;
    }
    let resource_group = (segs.len() >= 4 && segs[2].eq_ignore_ascii_case("resourceGroups"))
        .then(|| segs[3].to_string());
    let resource_type = segs
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))
        .and_then(|i| {
            let rest = &segs[i + 1..];
            if rest.len() < 3 {
                return None;
            }
            let mut t = vec![rest[0]];
            t.extend(rest[1..].iter().step_by(2));
            Some(t.join("/"))
        });
    Some(ResourcePath {
        subscription: segs[1].to_string(),
        resource_group,
        resource_type,
    })
}

/// `az resource list` / `az group list` / `az ml workspace list` entry.
pub(crate) fn resource(o: &Obj, path: &[Seg]) -> Result<ScopeNode, Problem> {
    let id = req_str(o, "id", path, "the resource id")?;
    let Some(parsed) = parse_resource_id(&id) else {
        return Err(Problem::new(
            &child(path, Seg::Key("id")),
            "expected a resource id of the form /subscriptions/<id>/resourceGroups/<rg>/providers/...",
        ));
    };
    let depth = id.trim_matches('/').split('/').count();
    let typ = opt_str(o, "type", path)?;
    let kind = if depth == 2 {
        ScopeKind::Subscription
    } else if depth == 4 && parsed.resource_group.is_some() {
        ScopeKind::ResourceGroup
    } else {
        ScopeKind::Resource
    };
    let name = opt_str(o, "name", path)?
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| last_segment(&id).to_string());
    Ok(ScopeNode {
        display_name: opt_str(o, "displayName", path)?,
        resource_type: match kind {
            // `az ml compute list` says `"type": "amlcompute"`: only a full ARM type
            // (`Namespace/type`) is taken, else the type follows from the id.
            ScopeKind::Resource => typ.filter(|t| t.contains('/')).or(parsed.resource_type),
            _ => None,
        },
        name: if kind == ScopeKind::Subscription {
            parsed.subscription.clone()
        } else {
            name
        },
        id,
        kind,
        parent_id: None,
    })
}

/// All operations of one provider (`az provider operation show`): the provider-level
/// `operations` and those of every resource type.
pub(crate) fn provider_operations(o: &Obj, path: &[Seg]) -> Result<Vec<Operation>, Problem> {
    let provider_name = opt_str(o, "name", path)?.unwrap_or_default();
    let mut out = Vec::new();
    let mut push = |op: &Obj, opath: &[Seg], resource_type: &str| -> Result<(), Problem> {
        let name = req_str(op, "name", opath, "the operation name")?;
        let provider = if provider_name.is_empty() {
            name.split('/').next().unwrap_or("").to_string()
        } else {
            provider_name.clone()
        };
        out.push(Operation {
            display_name: opt_str(op, "displayName", opath)?,
            is_data_action: opt_bool(op, "isDataAction", opath)?.unwrap_or(false),
            provider,
            resource_type: resource_type.to_string(),
            name,
        });
        Ok(())
    };
    for (opath, op) in obj_list(o, "operations", path)? {
        push(op, &opath, "")?;
    }
    for (rpath, rt) in obj_list(o, "resourceTypes", path)? {
        let rt_name = opt_str(rt, "name", &rpath)?.unwrap_or_default();
        for (opath, op) in obj_list(rt, "operations", &rpath)? {
            push(op, &opath, &rt_name)?;
        }
    }
    Ok(out)
}

/// The message for a record with no known shape. `collection`: what its page's
/// `@odata.context` says it is (a directory object without an `id` is told apart).
pub(crate) fn unrecognised(v: &Val, path: &[Seg], collection: Option<Collection>) -> Problem {
    if let (Val::Obj(o), Some(Collection::Directory(kind))) = (v, collection) {
        if o.str("id").is_none() && o.str("objectId").is_none() {
            return Problem::new(
                path,
                format!(
                    "{} is a Graph {} record without `id` (its page's @odata.context says so); \
                     whocan needs each object's id (hint: export the page again with `id`, \
                     e.g. `$select=id,displayName,...`)",
                    path_text(path),
                    kind.as_str()
                ),
            );
        }
    }
    if let Val::Obj(o) = v {
        if o.has("directoryScopeId") {
            return Problem::new(
                path,
                format!(
                    "{} is a Microsoft Entra ID directory role assignment \
                     (roleManagement/directory): Entra roles are not Azure RBAC, which is what \
                     whocan answers; export Azure role assignments (az role assignment list \
                     --all) instead",
                    path_text(path)
                ),
            );
        }
    }
    let found = match v {
        Val::Obj(o) if o.is_empty() => "an object with none of the expected fields".to_string(),
        Val::Obj(o) if !type_of(o).is_empty() => format!(
            "an object of type `{}`, which whocan does not read",
            type_of(o)
        ),
        Val::Obj(_) => "an object that matches none of the expected shapes".to_string(),
        other => other.describe().to_string(),
    };
    Problem::new(
        path,
        format!(
            "unrecognised shape: {} is {found}; {EXPECTED_SHAPES}",
            path_text(path)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::json::parse;
    use super::*;

    fn kind_of(text: &str) -> Option<RecordKind> {
        classify(&parse(text).unwrap(), None)
    }

    #[test]
    fn an_entra_directory_role_assignment_is_refused_by_name() {
        let text = r#"{"id":"lAPpYvVpN0KRkAEhdxReEJC2sEqbR_9Hr48lds9SGHI-1","principalId":"4a5a2d0b-0000-0000-0000-000000000001","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","directoryScopeId":"/"}"#;
        let v = parse(text).unwrap();
        assert_eq!(classify(&v, None), None);
        let p = unrecognised(&v, &[], None);
        assert!(
            p.message.contains("Entra ID directory role assignment"),
            "{}",
            p.message
        );
    }

    #[test]
    fn classifies_each_record_shape() {
        assert_eq!(
            kind_of(r#"{"roleName":"R","permissions":[],"name":"g"}"#),
            Some(RecordKind::RoleAz)
        );
        assert_eq!(
            kind_of(r#"{"Name":"R","IsCustom":true,"Actions":[]}"#),
            Some(RecordKind::RolePowerShell)
        );
        assert_eq!(
            kind_of(r#"{"principalId":"p","roleDefinitionId":"r","scope":"/"}"#),
            Some(RecordKind::AssignmentAz)
        );
        assert_eq!(
            kind_of(
                r#"{"type":"Microsoft.Authorization/roleAssignments","properties":{"principalId":"p","roleDefinitionId":"r","scope":"/"}}"#
            ),
            Some(RecordKind::AssignmentArm)
        );
        assert_eq!(
            kind_of(
                r#"{"properties":{"principalId":"p","roleDefinitionId":"r","memberType":"Direct"}}"#
            ),
            Some(RecordKind::Eligibility)
        );
        assert_eq!(
            kind_of(
                r#"{"properties":{"principalId":"p","roleDefinitionId":"r","originRoleAssignmentId":"x"}}"#
            ),
            Some(RecordKind::PimActive)
        );
        assert_eq!(
            kind_of(r#"{"id":"11111111-2222-3333-4444-555555555555","mail":"x"}"#),
            Some(RecordKind::Directory(None))
        );
        assert_eq!(
            kind_of(r#"{"id":"x1","userPrincipalName":"a@b"}"#),
            Some(RecordKind::Directory(Some(PrincipalKind::User)))
        );
        assert_eq!(
            kind_of(r#"{"id":"x1","servicePrincipalType":"ManagedIdentity"}"#),
            Some(RecordKind::Directory(Some(PrincipalKind::ManagedIdentity)))
        );
        assert_eq!(
            kind_of(r##"{"id":"x1","@odata.type":"#microsoft.graph.group"}"##),
            Some(RecordKind::Directory(Some(PrincipalKind::Group)))
        );
        assert_eq!(
            kind_of(
                r#"{"id":"c90828fc-bcbf-42ea-b475-9b27bdc92563","tenantId":"t","state":"Enabled"}"#
            ),
            Some(RecordKind::Subscription)
        );
        assert_eq!(
            kind_of(r#"{"id":"/subscriptions/s/resourceGroups/rg","name":"rg"}"#),
            Some(RecordKind::Resource)
        );
        assert_eq!(
            kind_of(r#"{"id":"/subscriptions/s","type":"/subscriptions","parent":null}"#),
            Some(RecordKind::TreeNode)
        );
        assert_eq!(
            kind_of(r#"{"name":"Microsoft.X","resourceTypes":[]}"#),
            Some(RecordKind::Provider)
        );
        assert_eq!(kind_of("1"), None);
        assert_eq!(kind_of(r#"{"foo":1}"#), None);
    }

    #[test]
    fn resource_ids_give_subscription_group_and_type() {
        let p = parse_resource_id(
            "/subscriptions/S/resourcegroups/RG/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c",
        )
        .unwrap();
        assert_eq!(p.subscription, "S");
        assert_eq!(p.resource_group.as_deref(), Some("RG"));
        assert_eq!(
            p.resource_type.as_deref(),
            Some("Microsoft.MachineLearningServices/workspaces/computes")
        );
        assert!(parse_resource_id("/providers/Microsoft.Management/managementGroups/x").is_none());
    }

    #[test]
    fn compute_list_type_is_replaced_by_the_arm_type() {
        let v = parse(
            r#"{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes/gpu","name":"gpu","type":"amlcompute"}"#,
        )
        .unwrap();
        let Val::Obj(o) = &v else { unreachable!() };
        let node = resource(o, &[]).unwrap();
        assert_eq!(node.kind, ScopeKind::Resource);
        assert_eq!(
            node.resource_type.as_deref(),
            Some("Microsoft.MachineLearningServices/workspaces/computes")
        );
    }

    #[test]
    fn odata_context_names_the_collection() {
        let at = |fragment: &str| {
            collection(&format!(
                "https://graph.microsoft.com/v1.0/$metadata#{fragment}"
            ))
        };
        let dir = |k| Some(Collection::Directory(k));
        assert_eq!(at("users"), dir(PrincipalKind::User));
        assert_eq!(at("users(id,displayName,mail)"), dir(PrincipalKind::User));
        assert_eq!(at("users/$entity"), dir(PrincipalKind::User));
        assert_eq!(at("Groups(id)"), dir(PrincipalKind::Group));
        assert_eq!(
            at("servicePrincipals"),
            dir(PrincipalKind::ServicePrincipal)
        );
        assert_eq!(at("devices(id,displayName)"), dir(PrincipalKind::Device));
        assert_eq!(at("contacts"), dir(PrincipalKind::OrgContact));
        assert_eq!(at("directoryObjects"), None);
        assert_eq!(at("groups('x')/members(id)"), None);
        assert_eq!(
            at("identityGovernance/privilegedAccess/group/eligibilityScheduleInstances"),
            Some(Collection::GroupPim { active: false })
        );
        assert_eq!(
            at("identityGovernance/privilegedAccess/group/assignmentScheduleInstances"),
            Some(Collection::GroupPim { active: true })
        );
        // Entra roles' schedules are not groups'.
        assert_eq!(
            at("roleManagement/directory/roleEligibilityScheduleInstances"),
            None
        );
        assert_eq!(collection("no fragment"), None);
    }

    #[test]
    fn guid_check() {
        assert!(is_guid("7e666535-0fad-42c2-be97-d2bf62869490"));
        assert!(is_guid("7E666535-0FAD-42C2-BE97-D2BF62869490"));
        assert!(!is_guid("graph-group-members"));
        assert!(!is_guid("7e666535-0fad-42c2-be97-d2bf6286949"));
    }
}
