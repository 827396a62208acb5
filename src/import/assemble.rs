//! Putting the files of one import together: de-duplication across files, PIM
//! instances matched against role assignments, scope nodes derived from resource ids,
//! and the flags (SPEC §1: kept and flagged, never dropped, never fatal).
//!
//! Input order is the (sorted) file order, so the result is deterministic: the same
//! files give the same tenant and the same flags. When the same object is listed
//! twice, the first listing is kept (fields it lacks are filled from later ones) and a
//! `duplicate-object` flag is raised if the two disagree. This module never reads
//! files, never prints and never touches the database.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::model::{
    key, role_guid, scope_key, Assignment, AssignmentSource, DenyAssignment, Eligibility, Flag,
    MemberEdge, Operation, Principal, PrincipalKind, RoleDefinition, ScopeKind, ScopeNode, Tenant,
};

use super::shapes::parse_resource_id;

/// Flag kinds raised by the importer.
pub mod kinds {
    pub const UNDEFINED_ROLE: &str = "undefined-role";
    pub const ORPHANED_ASSIGNMENT: &str = "orphaned-assignment";
    pub const UNKNOWN_MEMBER: &str = "unknown-member";
    pub const MEMBERSHIP_CYCLE: &str = "membership-cycle";
    pub const MEMBERS_NOT_IMPORTED: &str = "members-not-imported";
    pub const DUPLICATE_OBJECT: &str = "duplicate-object";
    pub const PARTIAL_PAGE: &str = "partial-page";
}

/// What one file contributed.
#[derive(Debug)]
pub(crate) enum Content {
    Empty,
    Roles(Vec<RoleDefinition>),
    Assignments(Vec<Assignment>),
    /// PIM active instances with their `originRoleAssignmentId`.
    PimActive(Vec<(Assignment, Option<String>)>),
    Eligibility(Vec<Eligibility>),
    Denies(Vec<DenyAssignment>),
    Directory(Vec<Principal>),
    /// A member list file: the group (its stem) and its direct members.
    Members {
        group: String,
        edges: Vec<MemberEdge>,
    },
    /// A CSV edge list; every group it names counts as having its members imported.
    Edges(Vec<MemberEdge>),
    Scopes(Vec<ScopeNode>),
    Operations(Vec<Operation>),
}

/// Accumulates the files of one import in order.
#[derive(Default)]
pub(crate) struct Assembler {
    tenant: Tenant,
    /// Flags raised while adding (duplicates, partial pages), in order.
    flags: Vec<Flag>,
    principals: HashMap<String, (usize, String)>,
    roles: HashMap<String, (usize, String)>,
    assignments: HashMap<String, (usize, String)>,
    pim: Vec<(Assignment, Option<String>, String)>,
    eligibilities: HashMap<String, (usize, String)>,
    denies: HashMap<String, (usize, String)>,
    edges: HashMap<(String, String), usize>,
    member_lists: HashSet<String>,
    scopes: HashMap<String, (usize, String)>,
    operations: HashMap<String, (usize, String)>,
}

/// The assembled import.
pub(crate) struct Assembled {
    pub tenant: Tenant,
    pub flags: Vec<Flag>,
    /// PIM active instances that matched an imported role assignment and added nothing.
    pub pim_deduplicated: usize,
}

fn duplicate(flags: &mut Vec<Flag>, subject: &str, first: &str, again: &str, what: &str) {
    flags.push(Flag {
        kind: kinds::DUPLICATE_OBJECT.to_string(),
        subject: subject.to_string(),
        detail: format!(
            "{what} listed in {first} and again in {again} with different data; the first is kept"
        ),
    });
}

fn fill<T: Clone>(slot: &mut Option<T>, from: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(from);
    }
}

fn fill_str(slot: &mut String, from: &str) {
    if slot.is_empty() && !from.is_empty() {
        *slot = from.to_string();
    }
}

/// Both present and different.
fn clash<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

fn clash_str(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && a != b
}

impl Assembler {
    pub(crate) fn add(&mut self, path: &str, content: Content, partial: bool) {
        if partial {
            self.flags.push(Flag {
                kind: kinds::PARTIAL_PAGE.to_string(),
                subject: path.to_string(),
                detail: "the export is one page of several (it has a next-page link): records on \
                         later pages are missing; export with paging followed (az does this)"
                    .to_string(),
            });
        }
        match content {
            Content::Empty => {}
            Content::Roles(roles) => roles.into_iter().for_each(|r| self.add_role(path, r)),
            Content::Assignments(list) => {
                list.into_iter().for_each(|a| self.add_assignment(path, a))
            }
            Content::PimActive(list) => self.pim.extend(
                list.into_iter()
                    .map(|(a, origin)| (a, origin, path.to_string())),
            ),
            Content::Eligibility(list) => {
                list.into_iter().for_each(|e| self.add_eligibility(path, e))
            }
            Content::Denies(list) => list.into_iter().for_each(|d| self.add_deny(path, d)),
            Content::Directory(list) => list.into_iter().for_each(|p| self.add_principal(path, p)),
            Content::Members { group, edges } => {
                self.add_member_list(&group);
                edges.into_iter().for_each(|e| self.add_edge(e));
            }
            Content::Edges(edges) => {
                for e in edges {
                    self.add_member_list(&e.group_id);
                    self.add_edge(e);
                }
            }
            Content::Scopes(nodes) => nodes.into_iter().for_each(|n| self.add_scope(path, n)),
            Content::Operations(ops) => ops.into_iter().for_each(|o| self.add_operation(path, o)),
        }
    }

    fn add_principal(&mut self, path: &str, p: Principal) {
        let k = key(&p.id);
        if let Some((i, first)) = self.principals.get(&k) {
            let have = &mut self.tenant.principals[*i];
            let differs = have.kind != p.kind
                || clash_str(&have.display_name, &p.display_name)
                || clash(&have.user_principal_name, &p.user_principal_name)
                || clash(&have.user_type, &p.user_type)
                || clash(&have.account_enabled, &p.account_enabled)
                || clash(&have.app_id, &p.app_id);
            if differs {
                duplicate(&mut self.flags, &have.id, first, path, "directory object");
            } else {
                fill_str(&mut have.display_name, &p.display_name);
                fill(&mut have.user_principal_name, &p.user_principal_name);
                fill(&mut have.user_type, &p.user_type);
                fill(&mut have.account_enabled, &p.account_enabled);
                fill(&mut have.app_id, &p.app_id);
            }
            return;
        }
        self.principals
            .insert(k, (self.tenant.principals.len(), path.to_string()));
        self.tenant.principals.push(p);
    }

    fn add_role(&mut self, path: &str, r: RoleDefinition) {
        let k = if r.id.is_empty() {
            format!("name:{}", r.role_name.to_lowercase())
        } else {
            format!("id:{}", key(&r.id))
        };
        if let Some((i, first)) = self.roles.get(&k) {
            let have = &self.tenant.roles[*i];
            let differs = !have.role_name.eq_ignore_ascii_case(&r.role_name)
                || have.role_type != r.role_type
                || have.permissions != r.permissions
                || have.assignable_scopes != r.assignable_scopes;
            if differs {
                let subject = if have.id.is_empty() {
                    have.role_name.clone()
                } else {
                    have.id.clone()
                };
                duplicate(
                    &mut self.flags,
                    &subject,
                    first,
                    path,
                    &format!("role definition {}", have.role_name),
                );
            }
            return;
        }
        self.roles
            .insert(k, (self.tenant.roles.len(), path.to_string()));
        self.tenant.roles.push(r);
    }

    fn add_assignment(&mut self, path: &str, a: Assignment) {
        let k = key(&a.id);
        if let Some((i, first)) = self.assignments.get(&k) {
            let have = &mut self.tenant.assignments[*i];
            let differs = key(&have.principal_id) != key(&a.principal_id)
                || (!have.role_definition_id.is_empty()
                    && !a.role_definition_id.is_empty()
                    && key(&have.role_definition_id) != key(&a.role_definition_id))
                || scope_key(&have.scope) != scope_key(&a.scope)
                || clash(&have.condition, &a.condition);
            if differs {
                duplicate(&mut self.flags, &have.id, first, path, "role assignment");
            } else {
                fill_str(&mut have.principal_type, &a.principal_type);
                fill(&mut have.principal_name, &a.principal_name);
                fill_str(&mut have.role_definition_id, &a.role_definition_id);
                fill(&mut have.role_definition_name, &a.role_definition_name);
                fill(&mut have.condition, &a.condition);
                fill(&mut have.condition_version, &a.condition_version);
                fill(&mut have.created_on, &a.created_on);
            }
            return;
        }
        self.assignments
            .insert(k, (self.tenant.assignments.len(), path.to_string()));
        self.tenant.assignments.push(a);
    }

    fn add_eligibility(&mut self, path: &str, e: Eligibility) {
        let k = key(&e.id);
        if let Some((i, first)) = self.eligibilities.get(&k) {
            let have = &self.tenant.eligibilities[*i];
            let differs = key(&have.principal_id) != key(&e.principal_id)
                || key(&have.role_definition_id) != key(&e.role_definition_id)
                || scope_key(&have.scope) != scope_key(&e.scope)
                || clash(&have.start_date_time, &e.start_date_time)
                || clash(&have.end_date_time, &e.end_date_time);
            if differs {
                duplicate(&mut self.flags, &have.id, first, path, "PIM eligibility");
            }
            return;
        }
        self.eligibilities
            .insert(k, (self.tenant.eligibilities.len(), path.to_string()));
        self.tenant.eligibilities.push(e);
    }

    fn add_deny(&mut self, path: &str, d: DenyAssignment) {
        let k = key(&d.id);
        if let Some((i, first)) = self.denies.get(&k) {
            if self.tenant.denies[*i] != d {
                let subject = self.tenant.denies[*i].id.clone();
                duplicate(&mut self.flags, &subject, first, path, "deny assignment");
            }
            return;
        }
        self.denies
            .insert(k, (self.tenant.denies.len(), path.to_string()));
        self.tenant.denies.push(d);
    }

    fn add_member_list(&mut self, group: &str) {
        if self.member_lists.insert(key(group)) {
            self.tenant.member_lists.push(group.to_string());
        }
    }

    fn add_edge(&mut self, e: MemberEdge) {
        let k = (key(&e.group_id), key(&e.member_id));
        if let Some(i) = self.edges.get(&k) {
            fill(
                &mut self.tenant.member_edges[*i].member_kind,
                &e.member_kind,
            );
            return;
        }
        self.edges.insert(k, self.tenant.member_edges.len());
        self.tenant.member_edges.push(e);
    }

    fn add_scope(&mut self, path: &str, n: ScopeNode) {
        let k = scope_key(&n.id);
        if let Some((i, first)) = self.scopes.get(&k) {
            let have = &mut self.tenant.scopes[*i];
            let differs = have.kind != n.kind
                || matches!((&have.parent_id, &n.parent_id),
                    (Some(a), Some(b)) if scope_key(a) != scope_key(b))
                || clash(&have.resource_type, &n.resource_type);
            if differs {
                duplicate(&mut self.flags, &have.id, first, path, "scope");
            } else {
                fill(&mut have.display_name, &n.display_name);
                fill(&mut have.resource_type, &n.resource_type);
                fill(&mut have.parent_id, &n.parent_id);
            }
            return;
        }
        self.scopes
            .insert(k, (self.tenant.scopes.len(), path.to_string()));
        self.tenant.scopes.push(n);
    }

    fn add_operation(&mut self, path: &str, o: Operation) {
        let k = key(&o.name);
        if let Some((i, first)) = self.operations.get(&k) {
            let have = &mut self.tenant.operations[*i];
            if have.is_data_action != o.is_data_action {
                duplicate(&mut self.flags, &have.name, first, path, "operation");
            } else {
                fill(&mut have.display_name, &o.display_name);
            }
            return;
        }
        self.operations
            .insert(k, (self.tenant.operations.len(), path.to_string()));
        self.tenant.operations.push(o);
    }

    /// Matches PIM instances, derives scope nodes, computes the flags.
    pub(crate) fn finish(mut self) -> Assembled {
        // PIM active instances: one whose originRoleAssignmentId is an imported role
        // assignment (full id, or its trailing GUID) adds nothing.
        let ids: HashSet<String> = self.tenant.assignments.iter().map(|a| key(&a.id)).collect();
        let names: HashSet<String> = self
            .tenant
            .assignments
            .iter()
            .filter_map(|a| a.id.rsplit('/').next().map(key))
            .filter(|n| super::shapes::is_guid(n))
            .collect();
        let mut pim_deduplicated = 0;
        for (a, origin, path) in std::mem::take(&mut self.pim) {
            let matched = origin.as_deref().is_some_and(|o| {
                let o = key(o.trim_end_matches('/'));
                ids.contains(&o)
                    || o.rsplit('/')
                        .next()
                        .is_some_and(|n| super::shapes::is_guid(n) && names.contains(n))
            });
            if matched {
                pim_deduplicated += 1;
            } else {
                self.add_assignment(&path, a);
            }
        }
        self.derive_scopes();
        let mut flags = std::mem::take(&mut self.flags);
        flags.extend(compute_flags(&self.tenant));
        Assembled {
            tenant: self.tenant,
            flags,
            pim_deduplicated,
        }
    }

    /// Resource groups and subscriptions named by resource ids but not listed.
    fn derive_scopes(&mut self) {
        let mut derived = Vec::new();
        for n in &self.tenant.scopes {
            if !matches!(n.kind, ScopeKind::Resource | ScopeKind::ResourceGroup) {
                continue;
            }
            let Some(p) = parse_resource_id(&n.id) else {
                continue;
            };
            let sub_id = format!("/subscriptions/{}", p.subscription);
            if let Some(rg) = &p.resource_group {
                derived.push(ScopeNode {
                    id: format!("{sub_id}/resourceGroups/{rg}"),
                    kind: ScopeKind::ResourceGroup,
                    name: rg.clone(),
                    display_name: None,
                    resource_type: None,
                    parent_id: None,
                });
            }
            derived.push(ScopeNode {
                id: sub_id,
                kind: ScopeKind::Subscription,
                name: p.subscription.clone(),
                display_name: None,
                resource_type: None,
                parent_id: None,
            });
        }
        for n in derived {
            let k = scope_key(&n.id);
            if !self.scopes.contains_key(&k) {
                self.scopes
                    .insert(k, (self.tenant.scopes.len(), "(derived)".to_string()));
                self.tenant.scopes.push(n);
            }
        }
    }
}

fn flag(kind: &str, subject: &str, detail: String) -> Flag {
    Flag {
        kind: kind.to_string(),
        subject: subject.to_string(),
        detail,
    }
}

/// The flags that need the whole tenant, in a fixed order of kinds.
fn compute_flags(t: &Tenant) -> Vec<Flag> {
    let mut flags = Vec::new();
    let listed: HashMap<String, &Principal> =
        t.principals.iter().map(|p| (key(&p.id), p)).collect();
    let name_of = |id: &str| -> String {
        match listed.get(&key(id)) {
            Some(p) if !p.display_name.is_empty() => format!("{} ({id})", p.display_name),
            _ => id.to_string(),
        }
    };

    // undefined-role: neither the GUID nor (for roles without id) the name matches.
    let role_ids: HashSet<String> = t
        .roles
        .iter()
        .filter(|r| !r.id.is_empty())
        .map(|r| role_guid(&r.id))
        .collect();
    let idless_names: HashSet<String> = t
        .roles
        .iter()
        .filter(|r| r.id.is_empty())
        .map(|r| r.role_name.to_lowercase())
        .collect();
    let defined = |guid: &str, name: Option<&str>| {
        (!guid.is_empty() && role_ids.contains(&role_guid(guid)))
            || name.is_some_and(|n| idless_names.contains(&n.to_lowercase()))
    };
    let role_text = |guid: &str, name: Option<&str>| match (guid.is_empty(), name) {
        (false, Some(n)) if !n.is_empty() => format!("role {guid} ({n})"),
        (false, _) => format!("role {guid}"),
        (true, Some(n)) => format!("role named {n}"),
        (true, None) => "a role".to_string(),
    };
    for a in &t.assignments {
        let name = a.role_definition_name.as_deref();
        if !defined(&a.role_definition_id, name) {
            flags.push(flag(
                kinds::UNDEFINED_ROLE,
                &a.id,
                format!(
                    "{} is not among the imported role definitions; the assignment is kept",
                    role_text(&a.role_definition_id, name),
                ),
            ));
        }
    }
    for e in &t.eligibilities {
        if !defined(&e.role_definition_id, None) {
            flags.push(flag(
                kinds::UNDEFINED_ROLE,
                &e.id,
                format!(
                    "{} is not among the imported role definitions; the PIM eligibility is kept",
                    role_text(&e.role_definition_id, None),
                ),
            ));
        }
    }

    // orphaned-assignment: the holder is in no listing (or was deleted).
    for a in &t.assignments {
        let deleted = a.principal_name.as_deref() == Some("");
        if deleted || !listed.contains_key(&key(&a.principal_id)) {
            let why = if deleted {
                "was deleted (principalName is empty)".to_string()
            } else {
                "is in no imported directory listing".to_string()
            };
            let typ = if a.principal_type.is_empty() {
                String::new()
            } else {
                format!(" ({})", a.principal_type)
            };
            flags.push(flag(
                kinds::ORPHANED_ASSIGNMENT,
                &a.id,
                format!(
                    "principal {}{typ} {why}; the assignment is kept",
                    a.principal_id
                ),
            ));
        }
    }
    for e in &t.eligibilities {
        if !listed.contains_key(&key(&e.principal_id)) {
            flags.push(flag(
                kinds::ORPHANED_ASSIGNMENT,
                &e.id,
                format!(
                    "principal {} is in no imported directory listing; the PIM eligibility is kept",
                    e.principal_id
                ),
            ));
        }
    }

    // unknown-member: a member id in no listing.
    for e in &t.member_edges {
        if !listed.contains_key(&key(&e.member_id)) {
            flags.push(flag(
                kinds::UNKNOWN_MEMBER,
                &e.member_id,
                format!(
                    "member of group {} is in no imported directory listing; the membership is kept",
                    name_of(&e.group_id)
                ),
            ));
        }
    }

    // membership-cycle.
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    let mut spelling: HashMap<String, String> = HashMap::new();
    for e in &t.member_edges {
        children
            .entry(key(&e.group_id))
            .or_default()
            .push(key(&e.member_id));
        spelling
            .entry(key(&e.group_id))
            .or_insert_with(|| e.group_id.clone());
        spelling
            .entry(key(&e.member_id))
            .or_insert_with(|| e.member_id.clone());
    }
    for cycle in cycles(&children) {
        let names: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|g| {
                let id = spelling.get(g).map_or(g.as_str(), String::as_str);
                match listed.get(g) {
                    Some(p) if !p.display_name.is_empty() => p.display_name.clone(),
                    _ => id.to_string(),
                }
            })
            .collect();
        let subject = spelling
            .get(&cycle[0])
            .cloned()
            .unwrap_or_else(|| cycle[0].clone());
        flags.push(flag(
            kinds::MEMBERSHIP_CYCLE,
            &subject,
            format!(
                "groups nest in a cycle: {}; every member of one is a member of all",
                names.join(" → ")
            ),
        ));
    }

    // members-not-imported: a group on an access path whose members were never read.
    let is_group = |id: &str, said: &str| {
        said.eq_ignore_ascii_case("Group")
            || listed
                .get(&key(id))
                .is_some_and(|p| p.kind == PrincipalKind::Group)
    };
    let lists: HashSet<String> = t.member_lists.iter().map(|g| key(g)).collect();
    let mut holds: Vec<(String, String)> = Vec::new(); // (group id, what it holds)
    for a in &t.assignments {
        if is_group(&a.principal_id, &a.principal_type) {
            holds.push((
                a.principal_id.clone(),
                format!("holds an assignment at {}", a.scope),
            ));
        }
    }
    for e in &t.eligibilities {
        if is_group(&e.principal_id, &e.principal_type) {
            holds.push((
                e.principal_id.clone(),
                format!("holds a PIM eligibility at {}", e.scope),
            ));
        }
    }
    for d in &t.denies {
        for (p, role) in d
            .principals
            .iter()
            .map(|p| (p, "is a principal of"))
            .chain(d.exclude_principals.iter().map(|p| (p, "is excluded from")))
        {
            if is_group(&p.id, &p.kind) {
                holds.push((p.id.clone(), format!("{role} deny assignment {}", d.name)));
            }
        }
    }
    let member_kind: HashMap<(String, String), Option<PrincipalKind>> = t
        .member_edges
        .iter()
        .map(|e| ((key(&e.group_id), key(&e.member_id)), e.member_kind))
        .collect();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<(String, String)> = holds;
    let mut seen: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < queue.len() {
        let (group, why) = queue[i].clone();
        i += 1;
        let g = key(&group);
        if !seen.insert(g.clone()) {
            continue;
        }
        if !lists.contains(&g) {
            if reported.insert(g.clone()) {
                flags.push(flag(
                    kinds::MEMBERS_NOT_IMPORTED,
                    &group,
                    format!(
                        "group {} {why}, but its member list was never imported (expected \
                         members/{group}.json); answers through it are incomplete",
                        name_of(&group)
                    ),
                ));
            }
            continue;
        }
        for m in children.get(&g).into_iter().flatten() {
            let said = member_kind
                .get(&(g.clone(), m.clone()))
                .copied()
                .flatten()
                .map_or("", PrincipalKind::as_str);
            let spelled = spelling.get(m).cloned().unwrap_or_else(|| m.clone());
            if is_group(&spelled, said) && !seen.contains(m) {
                queue.push((spelled, format!("is nested in group {}", name_of(&group))));
            }
        }
    }
    flags
}

/// Every elementary cycle's representative: one cycle per strongly connected
/// component with more than one node (or a self-loop), starting at its smallest id.
fn cycles(children: &HashMap<String, Vec<String>>) -> Vec<Vec<String>> {
    // Tarjan's algorithm, iterative, over sorted nodes for determinism.
    let mut nodes: Vec<&String> = children.keys().collect();
    nodes.sort();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut low: HashMap<&str, usize> = HashMap::new();
    let mut on_stack: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut next = 0;
    let mut sccs: Vec<Vec<String>> = Vec::new();
    let empty: Vec<String> = Vec::new();
    for start in nodes {
        if index.contains_key(start.as_str()) {
            continue;
        }
        let mut work: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
        while let Some((v, ci)) = work.pop() {
            if ci == 0 {
                index.insert(v, next);
                low.insert(v, next);
                next += 1;
                stack.push(v);
                on_stack.insert(v);
            }
            let kids = children.get(v).unwrap_or(&empty);
            if ci < kids.len() {
                work.push((v, ci + 1));
                let w = kids[ci].as_str();
                if !index.contains_key(w) {
                    work.push((w, 0));
                } else if on_stack.contains(w) {
                    let lw = index[w].min(low[v]);
                    low.insert(v, lw);
                }
                continue;
            }
            // All children done: propagate low to the parent, pop the component.
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack.remove(w);
                    comp.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                let self_loop = kids.iter().any(|k| k == v);
                if comp.len() > 1 || self_loop {
                    sccs.push(comp);
                }
            }
            if let Some((parent, _)) = work.last() {
                let lv = low[v].min(low[*parent]);
                low.insert(parent, lv);
            }
        }
    }
    // Within each component, walk one cycle from its smallest node.
    let mut out = Vec::new();
    for comp in sccs {
        let members: HashSet<&str> = comp.iter().map(String::as_str).collect();
        let start = comp.iter().min().cloned().unwrap_or_default();
        out.push(cycle_path(children, &members, &start));
    }
    out.sort();
    out
}

/// A shortest path start → ... → start inside one component (BFS).
fn cycle_path(
    children: &HashMap<String, Vec<String>>,
    members: &HashSet<&str>,
    start: &str,
) -> Vec<String> {
    let mut prev: HashMap<&str, &str> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen: HashSet<&str> = HashSet::from([start]);
    while let Some(v) = queue.pop_front() {
        let mut kids: Vec<&String> = children
            .get(v)
            .map(|k| k.iter().collect())
            .unwrap_or_default();
        kids.sort();
        for w in kids {
            let w = w.as_str();
            if !members.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![v.to_string()];
                let mut cur = v;
                while let Some(p) = prev.get(cur) {
                    path.push(p.to_string());
                    cur = p;
                }
                path.reverse();
                return path;
            }
            if seen.insert(w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start.to_string()]
}

/// Counts used by the import summary.
pub(crate) fn count_assignments(t: &Tenant, source: AssignmentSource) -> usize {
    t.assignments.iter().filter(|a| a.source == source).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(g: &str, m: &str) -> MemberEdge {
        MemberEdge {
            group_id: g.into(),
            member_id: m.into(),
            member_kind: Some(PrincipalKind::Group),
        }
    }

    fn graph(edges: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
        let mut g: HashMap<String, Vec<String>> = HashMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().push(b.to_string());
        }
        g
    }

    #[test]
    fn finds_one_cycle_per_component() {
        let g = graph(&[
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("c", "d"),
            ("d", "d"),
            ("e", "a"),
        ]);
        let c = cycles(&g);
        assert_eq!(c, vec![vec!["a", "b", "c"], vec!["d"]]);
        assert!(cycles(&graph(&[("a", "b"), ("b", "c")])).is_empty());
    }

    #[test]
    fn cycle_flag_names_the_groups() {
        let mut asm = Assembler::default();
        asm.add(
            "g.json",
            Content::Directory(vec![
                Principal {
                    id: "A".into(),
                    kind: PrincipalKind::Group,
                    display_name: "Alpha".into(),
                    user_principal_name: None,
                    user_type: None,
                    account_enabled: None,
                    app_id: None,
                },
                Principal {
                    id: "B".into(),
                    kind: PrincipalKind::Group,
                    display_name: "Beta".into(),
                    user_principal_name: None,
                    user_type: None,
                    account_enabled: None,
                    app_id: None,
                },
            ]),
            false,
        );
        asm.add(
            "e.csv",
            Content::Edges(vec![edge("A", "b"), edge("b", "a")]),
            false,
        );
        let out = asm.finish();
        let cycles: Vec<&Flag> = out
            .flags
            .iter()
            .filter(|f| f.kind == kinds::MEMBERSHIP_CYCLE)
            .collect();
        assert_eq!(cycles.len(), 1, "{:?}", out.flags);
        assert_eq!(cycles[0].subject, "A");
        assert!(
            cycles[0].detail.contains("Alpha → Beta → Alpha"),
            "{}",
            cycles[0].detail
        );
    }
}
