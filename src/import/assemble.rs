//! Putting the files of one import together: de-duplication across files, PIM
//! instances matched against role assignments, scope nodes derived from resource ids,
//! and the flags (SPEC §1: kept and flagged, never dropped, never fatal).
//!
//! Input order is the (sorted) file order, so the result is deterministic: the same
//! files give the same tenant and the same flags. When the same object is listed
//! twice, the first listing is kept (fields it lacks are filled from later ones) and a
//! `duplicate-object` flag is raised if the two disagree; a directory listing always
//! wins over what a member file says of its member (`from_member_list`). An operation
//! is one per name *and plane*; a Resource Graph file's mixed content is added part
//! by part. This module never reads
//! files, never prints and never touches the database.
//!
//! **Ids.** Directory object ids (principals, groups, members) are interned once, by
//! their lowercase key, into dense `u32`s ([`Ids`]): de-duplicating the millions of
//! member edges and every graph flag (unknown members, cycles, member lists never
//! imported) work on integers, with no per-edge string copies.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::{
    key, scope_key, Assignment, AssignmentSource, DenyAssignment, Eligibility, Flag,
    GroupEligibility, MemberEdge, Operation, Principal, PrincipalKind, ResourceFacts,
    RoleDefinition, RoleJoin, ScopeKind, ScopeNode, Tenant,
};

use super::shapes::parse_resource_id;

/// Flag kinds raised by the importer.
pub(crate) mod kinds {
    pub(crate) const UNDEFINED_ROLE: &str = "undefined-role";
    pub(crate) const ORPHANED_ASSIGNMENT: &str = "orphaned-assignment";
    pub(crate) const UNKNOWN_MEMBER: &str = "unknown-member";
    pub(crate) const MEMBERSHIP_CYCLE: &str = "membership-cycle";
    pub(crate) const MEMBERS_NOT_IMPORTED: &str = crate::model::Flag::MEMBERS_NOT_IMPORTED;
    pub(crate) const DUPLICATE_OBJECT: &str = "duplicate-object";
    pub(crate) const PARTIAL_PAGE: &str = "partial-page";
    pub(crate) const PARTIAL_LISTING: &str = crate::model::Flag::PARTIAL_LISTING;
    pub(crate) const CLASSIC_ADMINISTRATOR: &str = "classic-administrator";
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
    /// A member list file: the group (its stem), its direct members, and who each
    /// member is as the file says (principals marked `from_member_list`).
    Members {
        group: String,
        edges: Vec<MemberEdge>,
        principals: Vec<Principal>,
    },
    /// A CSV edge list; every group it names counts as having its members imported.
    Edges(Vec<MemberEdge>),
    /// Scope nodes, and the facts some resources' records state (issue 15).
    Scopes(Vec<ScopeNode>, Vec<ResourceFacts>),
    Operations(Vec<Operation>),
    /// PIM for Groups eligibility and active membership instances.
    GroupPim(Vec<GroupEligibility>),
    /// Azure Resource Graph output: the contents of each kind of row in the file.
    Mixed(Vec<Content>),
    /// The collection ledger (`collection.json`); one per import.
    Ledger(crate::model::CollectionLedger),
    /// Classic subscription administrators that `az role assignment list
    /// --include-classic-administrators` lists beside the assignments: not Azure
    /// RBAC, so never answered; each is flagged.
    ClassicAdmins(Vec<super::shapes::ClassicAdmin>),
}

/// [`key`] without a copy when the text is already lowercase (the common case).
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(key(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// No principal / no id.
const NONE: u32 = u32::MAX;

/// Directory object ids interned by their lowercase key: `0..len()`, dense.
#[derive(Default)]
pub(crate) struct Ids {
    map: FxHashMap<Box<str>, u32>,
}

impl Ids {
    /// The id of `s`'s key, adding it when new.
    fn intern(&mut self, s: &str) -> u32 {
        let k = lower(s);
        if let Some(&i) = self.map.get(k.as_ref()) {
            return i;
        }
        let i = u32::try_from(self.map.len()).expect("fewer than 2^32 - 1 ids");
        assert!(i != NONE, "fewer than 2^32 - 1 ids");
        self.map.insert(k.into_owned().into_boxed_str(), i);
        i
    }

    /// The id of `s`'s key, if interned.
    fn get(&self, s: &str) -> Option<u32> {
        self.map.get(lower(s).as_ref()).copied()
    }

    fn len(&self) -> usize {
        self.map.len()
    }
}

/// Accumulates the files of one import in order.
#[derive(Default)]
pub(crate) struct Assembler {
    tenant: Tenant,
    /// Flags raised while adding (duplicates, partial pages), in order.
    flags: Vec<Flag>,
    /// The paths records came from; records remember an index into it.
    paths: Vec<String>,
    ids: Ids,
    /// By id: the index of its principal in `tenant.principals`, or `NONE`.
    principal_at: Vec<u32>,
    /// By principal index: the path it was first listed in.
    principal_path: Vec<u32>,
    /// Roles, assignments, eligibilities and deny assignments by record key (the
    /// model's one rule, `record_key`: what the store keys them by, so the store
    /// never finds two records of one key that the import did not flag).
    roles: FxHashMap<String, (usize, u32)>,
    assignments: FxHashMap<String, (usize, u32)>,
    pim: Vec<(Assignment, Option<String>, u32)>,
    eligibilities: FxHashMap<String, (usize, u32)>,
    denies: FxHashMap<String, (usize, u32)>,
    /// (group id, member id) → index in `tenant.member_edges`.
    edges: FxHashMap<(u32, u32), u32>,
    /// By edge index: its (group id, member id).
    edge_ids: Vec<(u32, u32)>,
    /// By id: whether its member list was imported.
    has_list: Vec<bool>,
    scopes: FxHashMap<String, (usize, u32)>,
    /// Resource facts by resource key: (index in `tenant.resource_facts`, path id).
    facts: FxHashMap<String, (usize, u32)>,
    /// By (lowercase name, is data action): an operation may be listed in both
    /// planes (SPEC §2.12), and both entries are kept.
    operations: FxHashMap<(String, bool), (usize, u32)>,
    /// By (active, lowercase id).
    group_pim: FxHashMap<(bool, String), (usize, u32)>,
    /// By id: whether its member list is already in `tenant.partial_member_lists`.
    partial_list: Vec<bool>,
    /// Kinds with a directory listing that was one page of several.
    partial_listings: Vec<PrincipalKind>,
}

/// The assembled import.
pub(crate) struct Assembled {
    pub(crate) tenant: Tenant,
    pub(crate) flags: Vec<Flag>,
    /// PIM active instances that matched an imported role assignment and added no
    /// record of their own.
    pub(crate) pim_deduplicated: usize,
    /// The role assignments those instances matched (each once), now marked as
    /// PIM's: they still count as role assignments in the summary.
    pub(crate) pim_merged: usize,
}

/// Two records of one assignment agree on what it grants: the same principal and
/// scope, and the same role where both name one by id.
fn same_grant(have: &Assignment, a: &Assignment) -> bool {
    lower(&have.principal_id) == lower(&a.principal_id)
        && scope_key(&have.scope) == scope_key(&a.scope)
        && (have.role_definition_id.is_empty()
            || a.role_definition_id.is_empty()
            || lower(&have.role_definition_id) == lower(&a.role_definition_id))
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

/// Fills what `have` lacks from `p` (same object, no disagreement).
fn merge_principal(have: &mut Principal, p: &Principal) {
    fill_str(&mut have.display_name, &p.display_name);
    fill(&mut have.user_principal_name, &p.user_principal_name);
    fill(&mut have.user_type, &p.user_type);
    fill(&mut have.account_enabled, &p.account_enabled);
    fill(&mut have.app_id, &p.app_id);
    fill(&mut have.mail, &p.mail);
    if have.other_mails.is_empty() {
        have.other_mails.clone_from(&p.other_mails);
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

/// `v[i]`, growing `v` with `fill` as needed.
fn slot<T: Clone>(v: &mut Vec<T>, i: u32, fill: T) -> &mut T {
    let i = i as usize;
    if v.len() <= i {
        v.resize(i + 1, fill);
    }
    &mut v[i]
}

impl Assembler {
    /// The index of `path` in `paths` (records of one file arrive together).
    fn path_id(&mut self, path: &str) -> u32 {
        if self.paths.last().map(String::as_str) != Some(path) {
            self.paths.push(path.to_string());
        }
        (self.paths.len() - 1) as u32
    }

    pub(crate) fn add(&mut self, path: &str, content: Content, partial: bool) {
        if let (Content::Members { group, .. }, true) = (&content, partial) {
            let g = self.ids.intern(group);
            if !std::mem::replace(slot(&mut self.partial_list, g, false), true) {
                self.tenant.partial_member_lists.push(group.clone());
            }
        }
        if let (Content::Directory(list), true) = (&content, partial) {
            for k in Tenant::listed_kinds_of(list) {
                if !self.partial_listings.contains(&k) {
                    self.partial_listings.push(k);
                    self.flags.push(flag(
                        kinds::PARTIAL_LISTING,
                        k.as_str(),
                        format!(
                            "the {} listing is one page of several ({path}): one that is in no \
                             listing is of unknown status, not orphaned",
                            k.as_str()
                        ),
                    ));
                }
            }
        }
        if partial {
            self.flags.push(Flag {
                kind: kinds::PARTIAL_PAGE.to_string(),
                subject: path.to_string(),
                detail: "the export is one page of several (it has a next-page link): records on \
                         later pages are missing; export with paging followed (az does this)"
                    .to_string(),
            });
        }
        let at = self.path_id(path);
        self.add_content(at, content);
    }

    fn add_content(&mut self, at: u32, content: Content) {
        match content {
            Content::Empty => {}
            Content::Roles(roles) => roles.into_iter().for_each(|r| self.add_role(at, r)),
            Content::Assignments(list) => list.into_iter().for_each(|a| self.add_assignment(at, a)),
            Content::PimActive(list) => self
                .pim
                .extend(list.into_iter().map(|(a, origin)| (a, origin, at))),
            Content::Eligibility(list) => {
                list.into_iter().for_each(|e| self.add_eligibility(at, e))
            }
            Content::Denies(list) => list.into_iter().for_each(|d| self.add_deny(at, d)),
            Content::Directory(list) => list.into_iter().for_each(|p| self.add_principal(at, p)),
            Content::Members {
                group,
                edges,
                principals,
            } => {
                principals
                    .into_iter()
                    .for_each(|p| self.add_principal(at, p));
                let g = self.add_member_list(&group);
                for e in edges {
                    let g = if e.group_id == group {
                        g
                    } else {
                        self.ids.intern(&e.group_id)
                    };
                    self.add_edge(g, e);
                }
            }
            Content::Edges(edges) => {
                // Rows usually come grouped by group: intern a group once per run.
                let mut group = String::new();
                let mut g = NONE;
                for e in edges {
                    if g == NONE || e.group_id != group {
                        g = self.add_member_list(&e.group_id);
                        group.clone_from(&e.group_id);
                    }
                    self.add_edge(g, e);
                }
            }
            Content::Scopes(nodes, facts) => {
                nodes.into_iter().for_each(|n| self.add_scope(at, n));
                facts.into_iter().for_each(|f| self.add_facts(at, f));
            }
            Content::Operations(ops) => ops.into_iter().for_each(|o| self.add_operation(at, o)),
            Content::GroupPim(list) => list.into_iter().for_each(|e| self.add_group_pim(at, e)),
            Content::Mixed(parts) => parts.into_iter().for_each(|c| self.add_content(at, c)),
            Content::Ledger(l) => {
                self.tenant.collection.get_or_insert(l);
            }
            Content::ClassicAdmins(list) => {
                for c in list {
                    self.flags.push(flag(
                        kinds::CLASSIC_ADMINISTRATOR,
                        &c.principal,
                        format!(
                            "{} at {}: a classic subscription administrator, Owner-equivalent \
                             under the classic model that Microsoft retired on 31 August 2024; not \
                             an Azure RBAC assignment, so no answer counts it (make it a role \
                             assignment, or remove it, in the portal)",
                            c.role, c.scope
                        ),
                    ));
                }
            }
        }
    }

    /// A directory listing's entry wins over a member file's (`from_member_list`)
    /// entry for the same id, whichever comes first; two listings that disagree are
    /// flagged, two member files' entries are merged silently.
    fn add_principal(&mut self, at: u32, p: Principal) {
        let id = self.ids.intern(&p.id);
        let i = *slot(&mut self.principal_at, id, NONE);
        if i != NONE {
            let have = &mut self.tenant.principals[i as usize];
            match (have.from_member_list, p.from_member_list) {
                (true, false) => {
                    // The listing replaces what a member file said.
                    *have = p;
                    self.principal_path[i as usize] = at;
                    return;
                }
                (false, true) => return,
                (true, true) => {
                    if have.kind == PrincipalKind::Unknown {
                        have.kind = p.kind;
                    }
                    merge_principal(have, &p);
                    return;
                }
                (false, false) => {}
            }
            let first = &self.paths[self.principal_path[i as usize] as usize];
            let differs = have.kind != p.kind
                || clash_str(&have.display_name, &p.display_name)
                || clash(&have.user_principal_name, &p.user_principal_name)
                || clash(&have.user_type, &p.user_type)
                || clash(&have.account_enabled, &p.account_enabled)
                || clash(&have.app_id, &p.app_id)
                || clash(&have.mail, &p.mail);
            if differs {
                let again = &self.paths[at as usize];
                duplicate(&mut self.flags, &have.id, first, again, "directory object");
            } else {
                merge_principal(have, &p);
            }
            return;
        }
        let i = u32::try_from(self.tenant.principals.len()).expect("fewer than 2^32 principals");
        self.principal_at[id as usize] = i;
        self.principal_path.push(at);
        self.tenant.principals.push(p);
    }

    fn add_role(&mut self, at: u32, r: RoleDefinition) {
        let k = r.record_key();
        if let Some(&(i, first)) = self.roles.get(&k) {
            let have = &self.tenant.roles[i];
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
                    &self.paths[first as usize],
                    &self.paths[at as usize],
                    &format!("role definition {}", have.role_name),
                );
            }
            return;
        }
        self.roles.insert(k, (self.tenant.roles.len(), at));
        self.tenant.roles.push(r);
    }

    fn add_assignment(&mut self, at: u32, a: Assignment) {
        let k = a.record_key();
        if let Some(&(i, first)) = self.assignments.get(k.as_ref()) {
            let have = &mut self.tenant.assignments[i];
            let differs = !same_grant(have, &a) || clash(&have.condition, &a.condition);
            if differs {
                let (first, again) = (&self.paths[first as usize], &self.paths[at as usize]);
                duplicate(&mut self.flags, &have.id, first, again, "role assignment");
            } else {
                fill_str(&mut have.principal_type, &a.principal_type);
                fill(&mut have.principal_name, &a.principal_name);
                fill_str(&mut have.role_definition_id, &a.role_definition_id);
                fill(&mut have.role_definition_name, &a.role_definition_name);
                fill(&mut have.condition, &a.condition);
                fill(&mut have.condition_version, &a.condition_version);
                fill(&mut have.created_on, &a.created_on);
                fill(&mut have.start_date_time, &a.start_date_time);
                fill(&mut have.end_date_time, &a.end_date_time);
                fill(&mut have.principal_display_name, &a.principal_display_name);
                fill(&mut have.can_delegate, &a.can_delegate);
            }
            return;
        }
        let k = k.into_owned();
        self.assignments
            .insert(k, (self.tenant.assignments.len(), at));
        self.tenant.assignments.push(a);
    }

    fn add_eligibility(&mut self, at: u32, e: Eligibility) {
        let k = e.record_key();
        if let Some(&(i, first)) = self.eligibilities.get(k.as_ref()) {
            let have = &self.tenant.eligibilities[i];
            let differs = lower(&have.principal_id) != lower(&e.principal_id)
                || lower(&have.role_definition_id) != lower(&e.role_definition_id)
                || scope_key(&have.scope) != scope_key(&e.scope)
                || clash(&have.start_date_time, &e.start_date_time)
                || clash(&have.end_date_time, &e.end_date_time);
            if differs {
                let (first, again) = (&self.paths[first as usize], &self.paths[at as usize]);
                duplicate(&mut self.flags, &have.id, first, again, "PIM eligibility");
            }
            return;
        }
        let k = k.into_owned();
        self.eligibilities
            .insert(k, (self.tenant.eligibilities.len(), at));
        self.tenant.eligibilities.push(e);
    }

    fn add_deny(&mut self, at: u32, d: DenyAssignment) {
        let k = d.record_key().into_owned();
        if let Some(&(i, first)) = self.denies.get(&k) {
            if self.tenant.denies[i] != d {
                let subject = self.tenant.denies[i].id.clone();
                let (first, again) = (&self.paths[first as usize], &self.paths[at as usize]);
                duplicate(&mut self.flags, &subject, first, again, "deny assignment");
            }
            return;
        }
        self.denies.insert(k, (self.tenant.denies.len(), at));
        self.tenant.denies.push(d);
    }

    /// Records that `group`'s member list was imported; returns the group's id.
    fn add_member_list(&mut self, group: &str) -> u32 {
        let g = self.ids.intern(group);
        let listed = slot(&mut self.has_list, g, false);
        if !*listed {
            *listed = true;
            self.tenant.member_lists.push(group.to_string());
        }
        g
    }

    /// Adds an edge whose group is interned as `g`.
    fn add_edge(&mut self, g: u32, e: MemberEdge) {
        let m = self.ids.intern(&e.member_id);
        match self.edges.entry((g, m)) {
            Entry::Occupied(o) => {
                let have = &mut self.tenant.member_edges[*o.get() as usize];
                fill(&mut have.member_kind, &e.member_kind);
            }
            Entry::Vacant(v) => {
                let i = u32::try_from(self.tenant.member_edges.len())
                    .expect("fewer than 2^32 member edges");
                v.insert(i);
                self.edge_ids.push((g, m));
                self.tenant.member_edges.push(e);
            }
        }
    }

    fn add_scope(&mut self, at: u32, n: ScopeNode) {
        let k = scope_key(&n.id);
        if let Some(&(i, first)) = self.scopes.get(&k) {
            let have = &mut self.tenant.scopes[i];
            let differs = have.kind != n.kind
                || matches!((&have.parent_id, &n.parent_id),
                    (Some(a), Some(b)) if scope_key(a) != scope_key(b))
                // Resource types compare case-insensitively: Resource Graph
                // writes them in lower case, `az resource list` as registered.
                || matches!((&have.resource_type, &n.resource_type),
                    (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b));
            if differs {
                let (first, again) = (&self.paths[first as usize], &self.paths[at as usize]);
                duplicate(&mut self.flags, &have.id, first, again, "scope");
            } else {
                fill(&mut have.display_name, &n.display_name);
                fill(&mut have.resource_type, &n.resource_type);
                fill(&mut have.parent_id, &n.parent_id);
            }
            return;
        }
        self.scopes.insert(k, (self.tenant.scopes.len(), at));
        self.tenant.scopes.push(n);
    }

    /// One entry per resource id: a second record of the same resource fills what
    /// the first did not state; two records that state different values are
    /// flagged (`duplicate-object`) and the first is kept.
    fn add_facts(&mut self, at: u32, f: ResourceFacts) {
        let k = scope_key(&f.id);
        let Some(&(i, first)) = self.facts.get(&k) else {
            self.facts.insert(k, (self.tenant.resource_facts.len(), at));
            self.tenant.resource_facts.push(f);
            return;
        };
        let have = &mut self.tenant.resource_facts[i];
        let differs = clash(&have.storage_account, &f.storage_account)
            || clash(&have.key_vault, &f.key_vault)
            || clash(&have.container_registry, &f.container_registry)
            || clash(&have.application_insights, &f.application_insights)
            || clash(&have.allow_shared_key_access, &f.allow_shared_key_access)
            || clash(
                &have.enable_rbac_authorization,
                &f.enable_rbac_authorization,
            )
            || clash(&have.principal_id, &f.principal_id)
            || clash(&have.identity, &f.identity)
            || clash(&have.datastore, &f.datastore);
        if differs {
            let (first, again) = (&self.paths[first as usize], &self.paths[at as usize]);
            duplicate(&mut self.flags, &have.id, first, again, "resource facts");
            return;
        }
        fill(&mut have.storage_account, &f.storage_account);
        fill(&mut have.key_vault, &f.key_vault);
        fill(&mut have.container_registry, &f.container_registry);
        fill(&mut have.application_insights, &f.application_insights);
        fill(
            &mut have.allow_shared_key_access,
            &f.allow_shared_key_access,
        );
        fill(
            &mut have.enable_rbac_authorization,
            &f.enable_rbac_authorization,
        );
        fill(&mut have.principal_id, &f.principal_id);
        fill(&mut have.identity, &f.identity);
        fill(&mut have.datastore, &f.datastore);
    }

    /// Operations are keyed by name *and* plane: the catalogue may list one name as
    /// a control-plane and as a data-plane operation, and both are kept.
    fn add_operation(&mut self, at: u32, o: Operation) {
        match self.operations.entry((key(&o.name), o.is_data_action)) {
            Entry::Occupied(e) => {
                let have = &mut self.tenant.operations[e.get().0];
                fill(&mut have.display_name, &o.display_name);
            }
            Entry::Vacant(v) => {
                v.insert((self.tenant.operations.len(), at));
                self.tenant.operations.push(o);
            }
        }
    }

    fn add_group_pim(&mut self, at: u32, e: GroupEligibility) {
        match self.group_pim.entry((e.active, key(&e.id))) {
            Entry::Occupied(o) => {
                let (i, first) = *o.get();
                let have = &self.tenant.group_eligibilities[i];
                let differs = lower(&have.group_id) != lower(&e.group_id)
                    || lower(&have.principal_id) != lower(&e.principal_id)
                    || !have.access_id.eq_ignore_ascii_case(&e.access_id)
                    || clash(&have.start_date_time, &e.start_date_time)
                    || clash(&have.end_date_time, &e.end_date_time);
                if differs {
                    let (first, again) = (&self.paths[first as usize], &self.paths[at as usize]);
                    duplicate(
                        &mut self.flags,
                        &have.id,
                        first,
                        again,
                        "PIM for Groups instance",
                    );
                }
            }
            Entry::Vacant(v) => {
                v.insert((self.tenant.group_eligibilities.len(), at));
                self.tenant.group_eligibilities.push(e);
            }
        }
    }

    /// Matches PIM instances, derives scope nodes, computes the flags.
    pub(crate) fn finish(mut self) -> Assembled {
        // PIM active instances: one whose originRoleAssignmentId is an imported role
        // assignment (full id, or its trailing GUID) is that assignment, made
        // through PIM: no record of its own, but the assignment takes the
        // instance's window (an activation grants until its end, SPEC §2.10) and
        // is marked as PIM's. Kept only as the role assignment, an activation that
        // ended would read as standing access.
        let mut pim_deduplicated = 0;
        let mut pim_merged = 0;
        let pim = std::mem::take(&mut self.pim);
        if !pim.is_empty() {
            let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
            let mut by_name: FxHashMap<String, usize> = FxHashMap::default();
            for (i, a) in self.tenant.assignments.iter().enumerate() {
                by_id.entry(key(&a.id)).or_insert(i);
                if let Some(n) = a.id.rsplit('/').next().map(key) {
                    if super::shapes::is_guid(&n) {
                        by_name.entry(n).or_insert(i);
                    }
                }
            }
            for (a, origin, at) in pim {
                let matched = origin
                    .as_deref()
                    .and_then(|o| {
                        let o = key(o.trim_end_matches('/'));
                        by_id.get(&o).copied().or_else(|| {
                            o.rsplit('/')
                                .next()
                                .filter(|n| super::shapes::is_guid(n))
                                .and_then(|n| by_name.get(n).copied())
                        })
                    })
                    // The same grant (principal, role, scope), as Azure keeps them;
                    // an instance that says otherwise stays a record of its own.
                    .filter(|&i| same_grant(&self.tenant.assignments[i], &a));
                match matched {
                    Some(i) => {
                        pim_deduplicated += 1;
                        let have = &mut self.tenant.assignments[i];
                        if have.source != AssignmentSource::PimActive {
                            have.source = AssignmentSource::PimActive;
                            pim_merged += 1;
                        }
                        fill(&mut have.start_date_time, &a.start_date_time);
                        fill(&mut have.end_date_time, &a.end_date_time);
                    }
                    None => self.add_assignment(at, a),
                }
            }
        }
        self.derive_scopes();
        // Drop the de-duplication maps before the flags need memory of their own.
        self.edges = FxHashMap::default();
        self.assignments = FxHashMap::default();
        let mut flags = std::mem::take(&mut self.flags);
        let graph = Graph {
            ids: &mut self.ids,
            principal_at: &self.principal_at,
            edge_ids: &self.edge_ids,
            has_list: &self.has_list,
        };
        flags.extend(compute_flags(&self.tenant, graph, &self.partial_listings));
        Assembled {
            tenant: self.tenant,
            flags,
            pim_deduplicated,
            pim_merged,
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
        let at = self.path_id("(derived)");
        for n in derived {
            let k = scope_key(&n.id);
            if let Entry::Vacant(v) = self.scopes.entry(k) {
                v.insert((self.tenant.scopes.len(), at));
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

/// The interned membership graph the flags are computed on.
struct Graph<'a> {
    ids: &'a mut Ids,
    /// By id: index into `tenant.principals`, or `NONE` (may be shorter than `ids`).
    principal_at: &'a [u32],
    /// By edge index: (group id, member id).
    edge_ids: &'a [(u32, u32)],
    /// By id: member list imported (may be shorter than `ids`).
    has_list: &'a [bool],
}

/// Why a principal in no directory listing is flagged: orphaned, or, with no
/// listing of its kind imported, of unknown status (SPEC §1, "Orphans only on
/// evidence"; the rule is `engine::decide::orphan_status`).
pub(super) fn unlisted(principal_type: &str, listed_kinds: &[PrincipalKind]) -> &'static str {
    if crate::engine::decide::orphan_status(None, false, principal_type, listed_kinds).is_none() {
        "is in no imported directory listing, and no complete listing of its kind was imported: its status is unknown"
    } else {
        "is in no imported directory listing"
    }
}

/// The flags that need the whole tenant, in a fixed order of kinds.
fn compute_flags(t: &Tenant, g: Graph<'_>, partial_listings: &[PrincipalKind]) -> Vec<Flag> {
    let Graph {
        ids,
        principal_at,
        edge_ids,
        has_list,
    } = g;
    let mut flags = Vec::new();
    // Known: any principal record, which names it and tells its kind. Listed: in a
    // directory listing, the evidence that it exists (a member file's own entry is
    // not: SPEC §1, "Orphans only on evidence").
    let known_id = |id: u32| -> Option<&Principal> {
        match principal_at.get(id as usize) {
            Some(&i) if i != NONE => Some(&t.principals[i as usize]),
            _ => None,
        }
    };
    let listed_id = |id: u32| known_id(id).filter(|p| !p.from_member_list);
    let known = |ids: &Ids, id: &str| ids.get(id).and_then(known_id);
    let listed = |ids: &Ids, id: &str| ids.get(id).and_then(listed_id);
    let name_of = |ids: &Ids, id: &str| -> String {
        match known(ids, id) {
            Some(p) if !p.display_name.is_empty() => format!("{} ({id})", p.display_name),
            _ => id.to_string(),
        }
    };

    // undefined-role: the one role join (`RoleJoin`) finds no role.
    let mut join = RoleJoin::default();
    for r in &t.roles {
        join.add(r, ());
    }
    let defined = |guid: &str, name: Option<&str>| join.find(guid, name).is_some();
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
        if !defined(&e.role_definition_id, e.role_definition_name.as_deref()) {
            flags.push(flag(
                kinds::UNDEFINED_ROLE,
                &e.id,
                format!(
                    "{} is not among the imported role definitions; the PIM eligibility is kept",
                    role_text(&e.role_definition_id, e.role_definition_name.as_deref()),
                ),
            ));
        }
    }

    // orphaned-assignment: the holder is in no listing (said deleted, or just
    // absent).
    // A listing that was one page of several is no evidence (SPEC §1).
    let mut listed_kinds = Tenant::listed_kinds_of(&t.principals);
    listed_kinds.retain(|k| !partial_listings.contains(k));
    for a in &t.assignments {
        let deleted = a.principal_name.as_deref() == Some("");
        // A directory listing that has the principal outweighs an assignment
        // calling it deleted (contradicting exports are no evidence: the answers
        // call it not orphaned, and so does this summary).
        if listed(ids, &a.principal_id).is_none() {
            let why = if deleted {
                "was deleted (principalName is empty)"
            } else {
                unlisted(&a.principal_type, &listed_kinds)
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
        if listed(ids, &e.principal_id).is_none() {
            flags.push(flag(
                kinds::ORPHANED_ASSIGNMENT,
                &e.id,
                format!(
                    "principal {} {}; the PIM eligibility is kept",
                    e.principal_id,
                    unlisted(&e.principal_type, &listed_kinds)
                ),
            ));
        }
    }

    // unknown-member: a member id in no listing.
    for (e, &(_, m)) in t.member_edges.iter().zip(edge_ids) {
        if listed_id(m).is_none() {
            flags.push(flag(
                kinds::UNKNOWN_MEMBER,
                &e.member_id,
                format!(
                    "member of group {} is in no imported directory listing; the membership is kept",
                    name_of(ids, &e.group_id)
                ),
            ));
        }
    }

    // membership-cycle. Children in edge order (CSR: edge indexes by group), and each
    // id's first spelling in edge order (group before member). This and the
    // members-not-imported walk below run on the importer's own ids and edge
    // indexes (so a flag can name edges in file order), before any index exists,
    // and ask other questions than a closure (strongly connected components; the
    // first holding that leads to a group): the engine's membership walks are
    // `engine::walk` on an `Index` and `engine::graph` on interned ids.
    let n = ids.len();
    let mut spelling: Vec<Option<&str>> = vec![None; n];
    for (e, &(g, m)) in t.member_edges.iter().zip(edge_ids) {
        spelling[g as usize].get_or_insert(e.group_id.as_str());
        spelling[m as usize].get_or_insert(e.member_id.as_str());
    }
    let children = Children::new(n, edge_ids);
    let spelled = |id: u32| spelling[id as usize].expect("every graph node is on an edge");
    for cycle in cycles(&children, &|id| key(spelled(id))) {
        let names: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&g| match known_id(g) {
                Some(p) if !p.display_name.is_empty() => p.display_name.clone(),
                _ => spelled(g).to_string(),
            })
            .collect();
        flags.push(flag(
            kinds::MEMBERSHIP_CYCLE,
            spelled(cycle[0]),
            format!(
                "groups nest in a cycle: {}; every member of one is a member of all",
                names.join(" → ")
            ),
        ));
    }

    // members-not-imported: a group on an access path whose members were never read.
    let is_group = |ids: &Ids, id: &str, said: &str| {
        crate::model::names_group(said)
            || known(ids, id).is_some_and(|p| p.kind == PrincipalKind::Group)
    };
    let mut queue: Vec<(Cow<'_, str>, String)> = Vec::new(); // (group id, what it holds)
    for a in &t.assignments {
        if is_group(ids, &a.principal_id, &a.principal_type) {
            queue.push((
                Cow::Borrowed(&a.principal_id),
                format!("holds an assignment at {}", a.scope),
            ));
        }
    }
    for e in &t.eligibilities {
        if is_group(ids, &e.principal_id, &e.principal_type) {
            queue.push((
                Cow::Borrowed(&e.principal_id),
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
            if is_group(ids, &p.id, &p.kind) {
                queue.push((
                    Cow::Borrowed(&p.id),
                    format!("{role} deny assignment {}", d.name),
                ));
            }
        }
    }
    // Groups only named by a holding get ids too (they have no edges).
    let mut seen: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < queue.len() {
        let g = ids.intern(&queue[i].0);
        let (group, why) = std::mem::take(&mut queue[i]);
        i += 1;
        if std::mem::replace(slot(&mut seen, g, false), true) {
            continue;
        }
        if !has_list.get(g as usize).copied().unwrap_or(false) {
            flags.push(flag(
                kinds::MEMBERS_NOT_IMPORTED,
                &group,
                format!(
                    "group {} {why}, but its member list was never imported (expected \
                     members/{group}.json); answers through it are incomplete",
                    name_of(ids, &group)
                ),
            ));
            continue;
        }
        let mut nested_in: Option<String> = None;
        for &ei in children.of(g) {
            let (_, m) = edge_ids[ei as usize];
            let said = t.member_edges[ei as usize]
                .member_kind
                .map_or("", PrincipalKind::as_str);
            let seen_m = seen.get(m as usize).copied().unwrap_or(false);
            // A member that is a group, or may be one: its kind or record says
            // so, or it has a member list or members of its own (the engine
            // walks through those too, so the flags name every group without
            // a list that a question could reach: `Flag::MEMBERS_NOT_IMPORTED`).
            let m_is_group = crate::model::names_group(said)
                || known_id(m).is_some_and(|p| p.kind == PrincipalKind::Group)
                || has_list.get(m as usize).copied().unwrap_or(false)
                || !children.of(m).is_empty();
            if m_is_group && !seen_m {
                let why = nested_in
                    .get_or_insert_with(|| format!("is nested in group {}", name_of(ids, &group)));
                queue.push((Cow::Borrowed(spelled(m)), why.clone()));
            }
        }
    }
    flags
}

/// Children of each node, in edge order.
struct Children<'a> {
    /// CSR offsets into `edges`, by node.
    start: Vec<u32>,
    /// Edge indexes, grouped by group, each group's in edge order.
    edges: Vec<u32>,
    edge_ids: &'a [(u32, u32)],
}

impl<'a> Children<'a> {
    /// The graph of `edge_ids` over nodes `0..n`.
    fn new(n: usize, edge_ids: &'a [(u32, u32)]) -> Children<'a> {
        let mut start = vec![0u32; n + 1];
        for &(g, _) in edge_ids {
            start[g as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut edges = vec![0u32; edge_ids.len()];
        for (i, &(g, _)) in edge_ids.iter().enumerate() {
            edges[next[g as usize] as usize] = i as u32;
            next[g as usize] += 1;
        }
        Children {
            start,
            edges,
            edge_ids,
        }
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// The edge indexes of `v`'s direct members.
    fn of(&self, v: u32) -> &[u32] {
        match (self.start.get(v as usize), self.start.get(v as usize + 1)) {
            (Some(&a), Some(&b)) => &self.edges[a as usize..b as usize],
            _ => &[],
        }
    }

    fn kids(&self, v: u32) -> impl Iterator<Item = u32> + '_ {
        self.of(v).iter().map(|&e| self.edge_ids[e as usize].1)
    }
}

/// Every elementary cycle's representative: one cycle per strongly connected
/// component with more than one node (or a self-loop), starting at its smallest
/// key, cycles in key order (`key_of` gives a node's key).
fn cycles(children: &Children<'_>, key_of: &dyn Fn(u32) -> String) -> Vec<Vec<u32>> {
    // Tarjan's algorithm, iterative. Which components exist does not depend on the
    // order nodes are visited in; the path through each is chosen by key below.
    let n = children.len();
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut next = 0u32;
    let mut sccs: Vec<Vec<u32>> = Vec::new();
    let mut work: Vec<(u32, usize)> = Vec::new();
    for root in 0..n as u32 {
        if index[root as usize] != NONE || children.of(root).is_empty() {
            continue;
        }
        work.push((root, 0));
        while let Some((v, ci)) = work.pop() {
            let vu = v as usize;
            if ci == 0 {
                index[vu] = next;
                low[vu] = next;
                next += 1;
                stack.push(v);
                on_stack[vu] = true;
            }
            let kids = children.of(v);
            if ci < kids.len() {
                work.push((v, ci + 1));
                let w = children.edge_ids[kids[ci] as usize].1;
                if index[w as usize] == NONE {
                    work.push((w, 0));
                } else if on_stack[w as usize] {
                    low[vu] = low[vu].min(index[w as usize]);
                }
                continue;
            }
            // All children done: pop the component, propagate low to the parent.
            if low[vu] == index[vu] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                let self_loop = children.kids(v).any(|k| k == v);
                if comp.len() > 1 || self_loop {
                    sccs.push(comp);
                }
            }
            if let Some(&(parent, _)) = work.last() {
                let lv = low[vu].min(low[parent as usize]);
                low[parent as usize] = lv;
            }
        }
    }
    // Within each component, walk one cycle from its smallest node.
    let mut keys: FxHashMap<u32, String> = FxHashMap::default();
    for &v in sccs.iter().flatten() {
        keys.insert(v, key_of(v));
    }
    let mut out: Vec<Vec<u32>> = sccs
        .iter()
        .map(|comp| {
            let members: FxHashSet<u32> = comp.iter().copied().collect();
            let start = *comp
                .iter()
                .min_by(|a, b| keys[a].cmp(&keys[b]))
                .expect("components are not empty");
            cycle_path(children, &members, start, &keys)
        })
        .collect();
    out.sort_by(|a, b| a.iter().map(|v| &keys[v]).cmp(b.iter().map(|v| &keys[v])));
    out
}

/// A shortest path start → ... → start inside one component (BFS, members visited
/// in key order).
fn cycle_path(
    children: &Children<'_>,
    members: &FxHashSet<u32>,
    start: u32,
    keys: &FxHashMap<u32, String>,
) -> Vec<u32> {
    let mut prev: FxHashMap<u32, u32> = FxHashMap::default();
    let mut queue = VecDeque::from([start]);
    let mut seen: FxHashSet<u32> = FxHashSet::from_iter([start]);
    while let Some(v) = queue.pop_front() {
        let mut kids: Vec<u32> = children.kids(v).filter(|w| members.contains(w)).collect();
        kids.sort_by(|a, b| keys[a].cmp(&keys[b]));
        for w in kids {
            if w == start {
                let mut path = vec![v];
                let mut cur = v;
                while let Some(&p) = prev.get(&cur) {
                    path.push(p);
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
    vec![start]
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

    /// The cycles of a graph given by named edges, as names.
    fn cycles_of(edges: &[(&str, &str)]) -> Vec<Vec<String>> {
        let mut names: Vec<&str> = Vec::new();
        let mut edge_ids: Vec<(u32, u32)> = Vec::new();
        for &(a, b) in edges {
            let mut id = |s| match names.iter().position(|n| *n == s) {
                Some(i) => i as u32,
                None => {
                    names.push(s);
                    (names.len() - 1) as u32
                }
            };
            edge_ids.push((id(a), id(b)));
        }
        let children = Children::new(names.len(), &edge_ids);
        cycles(&children, &|v| names[v as usize].to_string())
            .into_iter()
            .map(|c| c.iter().map(|&v| names[v as usize].to_string()).collect())
            .collect()
    }

    #[test]
    fn finds_one_cycle_per_component() {
        let c = cycles_of(&[
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("c", "d"),
            ("d", "d"),
            ("e", "a"),
        ]);
        assert_eq!(c, vec![vec!["a", "b", "c"], vec!["d"]]);
        assert!(cycles_of(&[("a", "b"), ("b", "c")]).is_empty());
    }

    #[test]
    fn cycle_flag_names_the_groups() {
        let mut asm = Assembler::default();
        asm.add(
            "g.json",
            Content::Directory(vec![
                Principal {
                    mail: None,
                    other_mails: Vec::new(),
                    from_member_list: false,
                    id: "A".into(),
                    kind: PrincipalKind::Group,
                    display_name: "Alpha".into(),
                    user_principal_name: None,
                    user_type: None,
                    account_enabled: None,
                    app_id: None,
                },
                Principal {
                    mail: None,
                    other_mails: Vec::new(),
                    from_member_list: false,
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

    mod same_flags_as_before {
        //! The interned computation against the string-keyed one it replaced
        //! (`super::super::super::flags_oracle`), on random tenants: small id pools in
        //! mixed case, so that duplicates, cycles, unknown members, missing member
        //! lists and holders of every kind all occur.
        use proptest::prelude::*;

        use super::super::*;
        use crate::import::flags_oracle;
        use crate::model::DenyPrincipal;

        const KINDS: [PrincipalKind; 4] = [
            PrincipalKind::User,
            PrincipalKind::Group,
            PrincipalKind::ServicePrincipal,
            PrincipalKind::Unknown,
        ];

        fn id(i: u8, upper: bool) -> String {
            let s = format!("id-{:02}-x", i % 24);
            if upper {
                s.to_uppercase()
            } else {
                s
            }
        }

        #[derive(Debug, Clone)]
        enum Item {
            Principal(u8, bool, u8, bool),
            Edge(u8, bool, u8, bool, Option<u8>),
            List(u8, bool),
            /// A member file's entry: an edge, and a principal `from_member_list`.
            Member(u8, bool, u8, bool, u8, bool),
            Assignment(u8, bool, u8, bool, bool),
            Eligibility(u8, bool, u8, bool),
            Deny(u8, bool, u8, bool),
        }

        fn item() -> impl Strategy<Value = Item> {
            prop_oneof![
                (any::<u8>(), any::<bool>(), 0u8..4, any::<bool>())
                    .prop_map(|(a, b, c, d)| Item::Principal(a, b, c, d)),
                (
                    any::<u8>(),
                    any::<bool>(),
                    any::<u8>(),
                    any::<bool>(),
                    proptest::option::of(0u8..4)
                )
                    .prop_map(|(a, b, c, d, e)| Item::Edge(a, b, c, d, e)),
                (any::<u8>(), any::<bool>()).prop_map(|(a, b)| Item::List(a, b)),
                (
                    any::<u8>(),
                    any::<bool>(),
                    any::<u8>(),
                    any::<bool>(),
                    0u8..4,
                    any::<bool>()
                )
                    .prop_map(|(a, b, c, d, e, f)| Item::Member(a, b, c, d, e, f)),
                (
                    any::<u8>(),
                    any::<bool>(),
                    0u8..3,
                    any::<bool>(),
                    any::<bool>()
                )
                    .prop_map(|(a, b, c, d, e)| Item::Assignment(a, b, c, d, e)),
                (any::<u8>(), any::<bool>(), 0u8..3, any::<bool>())
                    .prop_map(|(a, b, c, d)| Item::Eligibility(a, b, c, d)),
                (any::<u8>(), any::<bool>(), 0u8..3, any::<bool>())
                    .prop_map(|(a, b, c, d)| Item::Deny(a, b, c, d)),
            ]
        }

        fn ptype(i: u8) -> &'static str {
            ["Group", "User", "group"][i as usize % 3]
        }

        fn content(n: usize, item: Item) -> Content {
            match item {
                Item::Principal(i, up, k, named) => Content::Directory(vec![Principal {
                    mail: None,
                    other_mails: Vec::new(),
                    from_member_list: false,
                    id: id(i, up),
                    kind: KINDS[k as usize],
                    display_name: if named {
                        format!("Name {i}")
                    } else {
                        String::new()
                    },
                    user_principal_name: None,
                    user_type: None,
                    account_enabled: None,
                    app_id: None,
                }]),
                Item::Edge(g, gu, m, mu, k) => Content::Edges(vec![MemberEdge {
                    group_id: id(g, gu),
                    member_id: id(m, mu),
                    member_kind: k.map(|k| KINDS[k as usize]),
                }]),
                Item::List(g, up) => {
                    let group = id(g, up);
                    Content::Members {
                        group,
                        edges: Vec::new(),
                        principals: Vec::new(),
                    }
                }
                Item::Member(g, gu, m, mu, k, named) => Content::Members {
                    group: id(g, gu),
                    edges: vec![MemberEdge {
                        group_id: id(g, gu),
                        member_id: id(m, mu),
                        member_kind: Some(KINDS[k as usize]),
                    }],
                    principals: vec![Principal {
                        from_member_list: true,
                        id: id(m, mu),
                        kind: KINDS[k as usize],
                        display_name: if named {
                            format!("Member {m}")
                        } else {
                            String::new()
                        },
                        ..Principal::default()
                    }],
                },
                Item::Assignment(p, up, t, deleted, defined) => {
                    Content::Assignments(vec![Assignment {
                        principal_display_name: None,
                        can_delegate: None,
                        start_date_time: None,
                        end_date_time: None,
                        id: format!("/A/{n}"),
                        principal_id: id(p, up),
                        principal_type: ptype(t).to_string(),
                        principal_name: deleted.then(String::new),
                        role_definition_id: if defined { "r1" } else { "r9" }.to_string(),
                        role_definition_name: None,
                        scope: format!("/s/{n}"),
                        condition: None,
                        condition_version: None,
                        created_on: None,
                        source: AssignmentSource::RoleAssignment,
                    }])
                }
                Item::Eligibility(p, up, t, defined) => Content::Eligibility(vec![Eligibility {
                    principal_display_name: None,
                    role_definition_name: None,
                    id: format!("/E/{n}"),
                    principal_id: id(p, up),
                    principal_type: ptype(t).to_string(),
                    role_definition_id: if defined { "R1" } else { "r9" }.to_string(),
                    scope: "/".to_string(),
                    start_date_time: None,
                    end_date_time: None,
                    member_type: None,
                    condition: None,
                }]),
                Item::Deny(p, up, t, exclude) => {
                    let who = vec![DenyPrincipal {
                        id: id(p, up),
                        kind: ptype(t).to_string(),
                    }];
                    let (principals, exclude_principals) = if exclude {
                        (Vec::new(), who)
                    } else {
                        (who, Vec::new())
                    };
                    Content::Denies(vec![DenyAssignment {
                        id: format!("/D/{n}"),
                        name: format!("deny {n}"),
                        scope: "/".to_string(),
                        permissions: Vec::new(),
                        principals,
                        exclude_principals,
                        do_not_apply_to_child_scopes: false,
                        condition: None,
                        effect: None,
                    }])
                }
            }
        }

        fn role() -> Content {
            Content::Roles(vec![RoleDefinition {
                id: "r1".to_string(),
                role_name: "Reader".to_string(),
                role_type: "BuiltInRole".to_string(),
                description: String::new(),
                permissions: Vec::new(),
                assignable_scopes: Vec::new(),
            }])
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]
            #[test]
            fn on_random_tenants(items in proptest::collection::vec(item(), 0..120)) {
                let mut asm = Assembler::default();
                asm.add("roles.json", role(), false);
                for (n, it) in items.into_iter().enumerate() {
                    asm.add(&format!("f{n}.json"), content(n, it), false);
                }
                let added = asm.flags.clone();
                let out = asm.finish();
                let mut expected = added;
                expected.extend(flags_oracle::compute_flags(&out.tenant));
                prop_assert_eq!(out.flags, expected);
            }
        }
    }
}
