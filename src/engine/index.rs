//! [`Index`]: a snapshot's content arranged for questions — principals by key,
//! direct memberships both ways, roles by GUID and by name, assignments,
//! eligibilities and deny assignments by scope, compiled patterns, the catalogue.
//!
//! Built once per query from a [`Tenant`]; read-only afterwards. It owns no I/O.

use super::incomplete::Incomplete;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::model::{
    key, key_cow, scope_key, Assignment, DenyAssignment, Eligibility, GroupEligibility, Operation,
    Principal, PrincipalKind, RoleDefinition, RoleJoin, Tenant, Timestamp,
};

pub(crate) use super::permissions::{match_block, Block, BlockMatch};
use super::scope::ScopeTree;
use super::window::{window_state, WindowState};

#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub(crate) def: RoleDefinition,
    pub(crate) blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub(crate) struct Deny {
    pub(crate) def: DenyAssignment,
    pub(crate) blocks: Vec<Block>,
    pub(crate) principals: HashSet<String>,
    pub(crate) excluded: HashSet<String>,
}

/// What the assignments and eligibilities naming an id say of it, for ids in no
/// directory listing.
#[derive(Debug, Clone)]
pub(crate) struct AssignedPrincipal {
    /// `principalType` as first given (empty when none was).
    pub(crate) kind: String,
    /// Some assignment says the principal was deleted, and none gives it a name
    /// (contradicting exports are not evidence).
    pub(crate) deleted: bool,
    /// Some assignment says it was deleted.
    said_deleted: bool,
    pub(crate) names: crate::model::AssignedNames,
}

impl AssignedPrincipal {
    /// What nothing has said yet.
    fn unnamed() -> AssignedPrincipal {
        AssignedPrincipal {
            kind: String::new(),
            deleted: false,
            said_deleted: false,
            names: crate::model::AssignedNames::default(),
        }
    }

    /// What assignment `a` says of its principal, merged into what others said:
    /// the first type and names given; deleted when any assignment says so
    /// (`principalName: ""`, PowerShell's `ObjectType: Unknown`: SPEC §1's evidence).
    pub(crate) fn note<K: std::hash::Hash + Eq>(
        map: &mut HashMap<K, AssignedPrincipal>,
        k: K,
        a: &Assignment,
    ) {
        let seen = map.entry(k).or_insert_with(AssignedPrincipal::unnamed);
        seen.said_deleted |= a.principal_name.as_deref() == Some("")
            || a.principal_type.eq_ignore_ascii_case("Unknown");
        if seen.kind.is_empty() {
            seen.kind = a.principal_type.clone();
        }
        let names = a.names();
        if seen.names.display_name.is_none() {
            seen.names.display_name = names.display_name;
        }
        if seen.names.user_principal_name.is_none() {
            seen.names.user_principal_name = names.user_principal_name;
        }
        seen.deleted = seen.said_deleted && seen.names.display_name.is_none();
    }

    /// What eligibility `e` says of its principal, merged the same way: its type
    /// and the display name its export gives (`expandedProperties.principal`),
    /// when no assignment or eligibility noted before gave one. An eligibility
    /// never says a principal was deleted.
    pub(crate) fn note_eligibility<K: std::hash::Hash + Eq>(
        map: &mut HashMap<K, AssignedPrincipal>,
        k: K,
        e: &crate::model::Eligibility,
    ) {
        let seen = map.entry(k).or_insert_with(AssignedPrincipal::unnamed);
        if seen.kind.is_empty() {
            seen.kind = e.principal_type.clone();
        }
        if seen.names.display_name.is_none() {
            seen.names.display_name = e
                .principal_display_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string);
        }
        seen.deleted = seen.said_deleted && seen.names.display_name.is_none();
    }
}

pub struct Index {
    pub(crate) principals: HashMap<String, Principal>,
    /// member key → the groups it is a direct member of (keys).
    pub(crate) groups_of: HashMap<String, Vec<String>>,
    /// group key → its direct members (keys).
    pub(crate) members_of: HashMap<String, Vec<String>>,
    /// Groups whose member list was imported.
    pub(crate) member_lists: HashSet<String>,
    /// Groups whose imported member list was one page of several.
    pub(crate) partial_member_lists: HashSet<String>,
    /// The snapshot holds assignments, eligibilities or deny assignments at a
    /// management group (for `management-group chain missing`).
    pub(crate) mg_holdings: bool,
    /// Scopes the collection ledger records as unreadable (an `arm` entry whose
    /// status is not `complete`, `skipped` by a filter included): scope key → its
    /// `scope unreadable` entry (the scope as the ledger spells it, and why a
    /// skipped one was not read).
    pub(crate) unreadable_scopes: HashMap<String, Incomplete>,
    /// Groups whose PIM for Groups instances the collection could not read (a
    /// `graph` read that did not complete): group key → what was not read, in
    /// words ([`super::query::group_gaps`] makes it a `scope unreadable` entry).
    pub(crate) unreadable_group_pim: HashMap<String, String>,
    /// Exports of access records that were one page of several
    /// ([`crate::model::Tenant::partial_access_files`]).
    pub(crate) partial_access_files: Vec<String>,
    /// Providers whose operation catalogue the ledger records as unreadable (a
    /// `providerOperations` read that did not complete): provider key → the
    /// catalogue's path as the ledger spells it.
    pub(crate) unreadable_catalogues: HashMap<String, String>,
    pub(crate) roles: Vec<Role>,
    /// Positions in `roles` by the one role join (GUID, else name for roles
    /// without an id).
    role_join: RoleJoin<usize>,
    pub(crate) assignments: Vec<Assignment>,
    /// Per assignment: its scope key and the index of its role in `roles`.
    pub(crate) assignment_scope: Vec<String>,
    pub(crate) assignment_role: Vec<Option<usize>>,
    pub(crate) assignments_by_scope: HashMap<String, Vec<usize>>,
    pub(crate) assignments_by_holder: HashMap<String, Vec<usize>>,
    pub(crate) eligibilities: Vec<Eligibility>,
    /// Per eligibility: its scope key and the index of its role in `roles`.
    pub(crate) eligibility_scope: Vec<String>,
    pub(crate) eligibility_role: Vec<Option<usize>>,
    pub(crate) eligibilities_by_scope: HashMap<String, Vec<usize>>,
    pub(crate) eligibilities_by_holder: HashMap<String, Vec<usize>>,
    pub(crate) denies: Vec<Deny>,
    pub(crate) denies_by_scope: HashMap<String, Vec<usize>>,
    pub(crate) tree: ScopeTree,
    pub(crate) operations: Vec<Operation>,
    /// Lowercase name → the control-plane \[0\] and data-plane \[1\] entries: a
    /// catalogue may list one name in both planes (SPEC §2.12).
    operation_by_name: HashMap<String, [Option<usize>; 2]>,
    /// The snapshot's time (`taken_at`): PIM windows are evaluated at it (SPEC
    /// §2.10). None evaluates no window (every instance counts as in force).
    pub(crate) at: Option<Timestamp>,
    /// PIM for Groups instances (SPEC §2.11), and per principal the eligible
    /// (not active) `member` instances it holds, whatever their window.
    pub(crate) group_eligibilities: Vec<GroupEligibility>,
    pub(crate) eligible_groups_of: HashMap<String, Vec<usize>>,
    /// Principal kinds of which a directory listing was imported: an id in no
    /// listing is orphaned only when its kind is here (SPEC §1).
    pub(crate) listed_kinds: Vec<PrincipalKind>,
    /// Best-known principal type and name for ids outside the directory listings,
    /// from the assignments that name them.
    assignment_principal: HashMap<String, AssignedPrincipal>,
    /// Member types as the member lists gave them.
    member_kind: HashMap<String, crate::model::PrincipalKind>,
    /// Resources' own facts (issue 15), by scope key of the resource id.
    pub(crate) facts: std::collections::BTreeMap<String, crate::model::ResourceFacts>,
    /// The storage accounts of the resource inventory (scope key → id as
    /// spelled): with no record of their own, Shared Key is not stated, which
    /// Azure treats as allowed (`lint`'s `keys-give-data`). Empty on a slice.
    pub(crate) storage_accounts: std::collections::BTreeMap<String, String>,
}

/// Appends `v` to the list under `k`, making the list (and copying the key)
/// only when `k` has none yet.
fn push_under(map: &mut HashMap<String, Vec<String>>, k: &str, v: String) {
    match map.get_mut(k) {
        Some(list) => list.push(v),
        None => {
            map.insert(k.to_string(), vec![v]);
        }
    }
}

impl Index {
    /// An index that evaluates no time window (tests, and tools that ask about
    /// content rather than a moment). Questions use [`Index::new_at`].
    pub fn new(t: &Tenant) -> Index {
        Index::build(
            t,
            t.principals.clone(),
            t.assignments.clone(),
            t.eligibilities.clone(),
            None,
        )
    }

    /// The index of a snapshot taken at `taken_at` (RFC 3339): PIM windows are
    /// evaluated at that time (SPEC §2.10).
    pub fn new_at(t: &Tenant, taken_at: &str) -> Index {
        Index::build(
            t,
            t.principals.clone(),
            t.assignments.clone(),
            t.eligibilities.clone(),
            Timestamp::parse(taken_at),
        )
    }

    /// [`Index::new_at`] taking the tenant's records instead of copying them.
    pub(crate) fn from_tenant_at(mut t: Tenant, taken_at: Option<&str>) -> Index {
        let principals = std::mem::take(&mut t.principals);
        let assignments = std::mem::take(&mut t.assignments);
        let eligibilities = std::mem::take(&mut t.eligibilities);
        Index::build(
            &t,
            principals,
            assignments,
            eligibilities,
            taken_at.and_then(Timestamp::parse),
        )
    }

    /// This index, built from `t` when it held its first `edges` member edges
    /// and `principals` principals, made the index of all of `t` — as
    /// [`Index::from_tenant_at`] would build it — when a slice has since grown
    /// only `t`'s members: member edges and principals appended, member lists
    /// and partial member lists added. The roles, assignments, deny
    /// assignments and catalogue it already holds are not built again.
    pub(crate) fn grow(&mut self, mut t: Tenant, edges: usize, principals: usize) {
        let new_principals = t.principals.split_off(principals.min(t.principals.len()));
        if t.listed_kinds.is_none() {
            let mut kinds = Tenant::listed_kinds_of(&new_principals);
            kinds.extend(self.listed_kinds.iter().copied());
            kinds.sort();
            kinds.dedup();
            self.listed_kinds = kinds;
        }
        self.principals.reserve(new_principals.len());
        for p in new_principals {
            if let std::collections::hash_map::Entry::Vacant(e) = self.principals.entry(key(&p.id))
            {
                e.insert(p);
            }
        }
        let mut added = false;
        for e in t.member_edges.iter().skip(edges) {
            added = true;
            let (g, m) = (key(&e.group_id), key(&e.member_id));
            if let Some(k) = e.member_kind {
                if !self.member_kind.contains_key(&m) {
                    self.member_kind.insert(m.clone(), k);
                }
            }
            push_under(&mut self.groups_of, &m, g.clone());
            push_under(&mut self.members_of, &g, m);
        }
        // In key order, as [`Index::build`] leaves them: a list the edges left
        // in order is only checked (one pass), not sorted.
        if added {
            for v in self
                .groups_of
                .values_mut()
                .chain(self.members_of.values_mut())
            {
                if !v.is_sorted() {
                    v.sort_unstable();
                }
                v.dedup();
            }
        }
        for a in &t.assignment_notes {
            AssignedPrincipal::note(&mut self.assignment_principal, key(&a.principal_id), a);
        }
        for e in &t.eligibility_notes {
            AssignedPrincipal::note_eligibility(
                &mut self.assignment_principal,
                key(&e.principal_id),
                e,
            );
        }
        self.member_lists = t.member_lists.iter().map(|g| key(g)).collect();
        self.partial_member_lists = t.partial_member_lists.iter().map(|g| key(g)).collect();
    }

    /// `t`'s principals, assignments and eligibilities are the other arguments.
    fn build(
        t: &Tenant,
        principal_list: Vec<Principal>,
        assignments: Vec<Assignment>,
        eligibilities: Vec<Eligibility>,
        at: Option<Timestamp>,
    ) -> Index {
        let listed_kinds = match &t.listed_kinds {
            Some(k) => k.clone(),
            None => Tenant::listed_kinds_of(&principal_list),
        };
        let mut principals =
            HashMap::with_capacity_and_hasher(principal_list.len(), Default::default());
        for p in principal_list {
            if let std::collections::hash_map::Entry::Vacant(e) = principals.entry(key(&p.id)) {
                e.insert(p);
            }
        }
        let n = t.member_edges.len();
        let mut groups_of: HashMap<String, Vec<String>> =
            HashMap::with_capacity_and_hasher(n, Default::default());
        let mut members_of: HashMap<String, Vec<String>> = HashMap::default();
        let mut member_kind = HashMap::default();
        for e in &t.member_edges {
            let (g, m) = (key(&e.group_id), key(&e.member_id));
            if let Some(k) = e.member_kind {
                if !member_kind.contains_key(&m) {
                    member_kind.insert(m.clone(), k);
                }
            }
            push_under(&mut groups_of, &m, g.clone());
            push_under(&mut members_of, &g, m);
        }
        // PIM for Groups (SPEC §2.11): an active membership in force is a
        // membership; an eligible one is kept apart (it makes its holder eligible
        // for the group's grants, `decide` reads it).
        let group_eligibilities = t.group_eligibilities.clone();
        let mut eligible_groups_of: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, ge) in group_eligibilities.iter().enumerate() {
            if !ge.access_id.eq_ignore_ascii_case("member") {
                continue;
            }
            let (g, m) = (key(&ge.group_id), key(&ge.principal_id));
            if !ge.active {
                eligible_groups_of.entry(m).or_default().push(i);
                continue;
            }
            let state = window_state(
                ge.start_date_time.as_deref(),
                ge.end_date_time.as_deref(),
                at,
            );
            if state == WindowState::Active {
                groups_of.entry(m.clone()).or_default().push(g.clone());
                members_of.entry(g).or_default().push(m);
            }
        }
        // In key order whatever order the edges came in (a whole snapshot reads
        // them sorted, a slice in the order it discovers them): the breadth-first
        // walks then find the same shortest chain of groups on either. An edge
        // given twice (a member file and a PIM membership) is one.
        for v in groups_of.values_mut().chain(members_of.values_mut()) {
            v.sort_unstable();
            v.dedup();
        }
        let member_lists = t.member_lists.iter().map(|g| key(g)).collect();
        let partial_member_lists = t.partial_member_lists.iter().map(|g| key(g)).collect();
        let mg_holdings = t.mg_holdings
            || assignments
                .iter()
                .map(|a| &a.scope)
                .chain(eligibilities.iter().map(|e| &e.scope))
                .chain(t.denies.iter().map(|d| &d.scope))
                .any(|s| scope_key(s).starts_with(crate::model::MANAGEMENT_GROUP_PREFIX));

        let mut roles = Vec::new();
        let mut role_join = RoleJoin::default();
        for r in &t.roles {
            let i = roles.len();
            roles.push(Role {
                def: r.clone(),
                blocks: r.permissions.iter().map(Block::compile).collect(),
            });
            role_join.add(r, i);
        }

        let mut assignments_by_scope: HashMap<String, Vec<usize>> = HashMap::default();
        let mut assignments_by_holder: HashMap<String, Vec<usize>> = HashMap::default();
        let mut assignment_principal = HashMap::default();
        for (i, a) in assignments.iter().enumerate() {
            assignments_by_scope
                .entry(scope_key(&a.scope))
                .or_default()
                .push(i);
            assignments_by_holder
                .entry(key(&a.principal_id))
                .or_default()
                .push(i);
            AssignedPrincipal::note(&mut assignment_principal, key(&a.principal_id), a);
        }
        for a in &t.assignment_notes {
            AssignedPrincipal::note(&mut assignment_principal, key(&a.principal_id), a);
        }
        let mut eligibilities_by_scope: HashMap<String, Vec<usize>> = HashMap::default();
        let mut eligibilities_by_holder: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, e) in eligibilities.iter().enumerate() {
            eligibilities_by_scope
                .entry(scope_key(&e.scope))
                .or_default()
                .push(i);
            eligibilities_by_holder
                .entry(key(&e.principal_id))
                .or_default()
                .push(i);
            AssignedPrincipal::note_eligibility(&mut assignment_principal, key(&e.principal_id), e);
        }
        for e in &t.eligibility_notes {
            AssignedPrincipal::note_eligibility(&mut assignment_principal, key(&e.principal_id), e);
        }
        let mut denies = Vec::new();
        let mut denies_by_scope: HashMap<String, Vec<usize>> = HashMap::default();
        // An `audit` deny blocks nothing (`DenyAssignment::blocks`): it is not one
        // of the index's denies, so no question, review or step reads it as one.
        for d in t.denies.iter().filter(|d| d.blocks()) {
            denies_by_scope
                .entry(scope_key(&d.scope))
                .or_default()
                .push(denies.len());
            denies.push(Deny {
                def: d.clone(),
                blocks: d.permissions.iter().map(Block::compile).collect(),
                principals: d.principals.iter().map(|p| key(&p.id)).collect(),
                excluded: d.exclude_principals.iter().map(|p| key(&p.id)).collect(),
            });
        }
        let mut operations = Vec::new();
        let mut operation_by_name: HashMap<String, [Option<usize>; 2]> = HashMap::default();
        for o in &t.operations {
            let slot = &mut operation_by_name.entry(key(&o.name)).or_default()
                [usize::from(o.is_data_action)];
            if slot.is_none() {
                *slot = Some(operations.len());
                operations.push(o.clone());
            }
        }
        let mut unreadable_scopes: HashMap<String, Incomplete> = HashMap::default();
        let mut unreadable_catalogues: HashMap<String, String> = HashMap::default();
        for e in t.collection.iter().flat_map(|l| l.unreadable()) {
            match e.catalogue_provider() {
                Some(p) => {
                    unreadable_catalogues
                        .entry(key(p))
                        .or_insert_with(|| e.scope.clone());
                }
                None => {
                    unreadable_scopes
                        .entry(scope_key(&e.scope))
                        .or_insert_with(|| {
                            Incomplete::unreadable_scope(&e.scope, e.unread_detail())
                        });
                }
            }
        }
        // Per group, what of its PIM for Groups the collection could not read
        // (eligibilities, assignments) and how each read ended.
        let mut unread_pim: std::collections::BTreeMap<String, Vec<(&str, &str)>> =
            Default::default();
        for e in t.collection.iter().flat_map(|l| &l.entries) {
            if let Some((group, what)) = e.unread_group_pim() {
                unread_pim
                    .entry(key(group))
                    .or_default()
                    .push((what, e.status.as_str()));
            }
        }
        let unreadable_group_pim = unread_pim
            .into_iter()
            .map(|(group, mut reads)| {
                reads.sort();
                reads.dedup();
                let mut what: Vec<&str> = reads.iter().map(|r| r.0).collect();
                what.dedup();
                let mut how: Vec<&str> = reads.iter().map(|r| r.1).collect();
                how.sort();
                how.dedup();
                let detail = format!(
                    "its PIM for Groups {} could not be read when collected ({}): who may join it through PIM is not known",
                    what.join(" and "),
                    how.join(", ")
                );
                (group, detail)
            })
            .collect();
        let mut ix = Index {
            unreadable_scopes,
            unreadable_group_pim,
            unreadable_catalogues,
            partial_access_files: t.partial_access_files.clone(),
            principals,
            groups_of,
            members_of,
            member_lists,
            partial_member_lists,
            mg_holdings,
            roles,
            role_join,
            assignment_scope: assignments.iter().map(|a| scope_key(&a.scope)).collect(),
            assignment_role: Vec::new(),
            assignments,
            assignments_by_scope,
            assignments_by_holder,
            eligibility_scope: eligibilities.iter().map(|e| scope_key(&e.scope)).collect(),
            eligibility_role: Vec::new(),
            eligibilities,
            eligibilities_by_scope,
            eligibilities_by_holder,
            denies,
            denies_by_scope,
            tree: ScopeTree::new(&t.scopes),
            operations,
            operation_by_name,
            at,
            group_eligibilities,
            eligible_groups_of,
            listed_kinds,
            assignment_principal,
            member_kind,
            facts: t
                .resource_facts
                .iter()
                .map(|f| (scope_key(&f.id), f.clone()))
                .collect(),
            storage_accounts: t
                .scopes
                .iter()
                .filter(|n| {
                    n.resource_type.as_deref().is_some_and(|r| {
                        r.eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
                    })
                })
                .map(|n| (scope_key(&n.id), n.id.clone()))
                .collect(),
        };
        ix.assignment_role = ix
            .assignments
            .iter()
            .map(|a| ix.role_index(&a.role_definition_id, a.role_definition_name.as_deref()))
            .collect();
        ix.eligibility_role = ix
            .eligibilities
            .iter()
            .map(|e| ix.role_index(&e.role_definition_id, e.role_definition_name.as_deref()))
            .collect();
        ix
    }

    /// The type a member list gave an object, if any.
    pub(crate) fn member_kind(&self, id: &str) -> Option<crate::model::PrincipalKind> {
        self.member_kind.get(key_cow(id).as_ref()).copied()
    }

    /// The role an assignment refers to, as a position in `roles`: by GUID, else
    /// (for custom role files that carried no `Id`) by name ([`RoleJoin::find`]).
    pub(crate) fn role_index(&self, guid: &str, name: Option<&str>) -> Option<usize> {
        self.role_join.find(guid, name)
    }

    /// The catalogue entry of an action in one plane.
    pub(crate) fn operation_in(&self, name: &str, data: bool) -> Option<&Operation> {
        self.operation_by_name.get(&key(name))?[usize::from(data)].map(|i| &self.operations[i])
    }

    /// Is this action, asked without `--data`, a data action according to the
    /// catalogue? Only when the catalogue lists it in the data plane alone: a name
    /// listed in both planes is the control-plane operation unless `--data` asks
    /// for the other (SPEC §2.12), whatever the order of the catalogue.
    pub fn is_data_action(&self, action: &str) -> bool {
        self.operation_by_name
            .get(&key(action))
            .is_some_and(|[control, data]| control.is_none() && data.is_some())
    }

    /// The state of a window at the snapshot's time (SPEC §2.10).
    pub(crate) fn window(&self, start: Option<&str>, end: Option<&str>) -> WindowState {
        window_state(start, end, self.at)
    }

    /// Does assignment `ai` grant at the snapshot's time: no window, or a
    /// time-bound (PIM active) one in force (SPEC §2.10)?
    pub(crate) fn assignment_in_force(&self, ai: usize) -> bool {
        let a = &self.assignments[ai];
        (a.start_date_time.is_none() && a.end_date_time.is_none())
            || self
                .window(a.start_date_time.as_deref(), a.end_date_time.as_deref())
                .is_active()
    }

    /// Can this object hold access? Devices and organisational contacts in member
    /// lists cannot (SPEC §1, "Not principals").
    pub(crate) fn is_principal(&self, id: &str) -> bool {
        let k = key_cow(id);
        let kind = match self.principals.get(k.as_ref()) {
            Some(p) => Some(p.kind),
            None => self.member_kind.get(k.as_ref()).copied(),
        };
        kind.is_none_or(PrincipalKind::is_principal)
    }

    pub(crate) fn is_group(&self, id: &str) -> bool {
        let k = key_cow(id);
        let k = k.as_ref();
        match self.principals.get(k) {
            Some(p) => p.kind == crate::model::PrincipalKind::Group,
            None => {
                self.members_of.contains_key(k)
                    || self.member_lists.contains(k)
                    || self.member_kind.get(k) == Some(&PrincipalKind::Group)
                    || self
                        .assignment_principal
                        .get(k)
                        .is_some_and(|a| crate::model::names_group(&a.kind))
            }
        }
    }

    /// Type and names for ids found only in assignments.
    pub(crate) fn assignment_principal(&self, id: &str) -> Option<&AssignedPrincipal> {
        self.assignment_principal.get(key_cow(id).as_ref())
    }

    /// A group's display name, or its id.
    pub(crate) fn name_of(&self, id: &str) -> String {
        match self.principals.get(key_cow(id).as_ref()) {
            Some(p) if !p.display_name.is_empty() => p.display_name.clone(),
            _ => match self
                .assignment_principal(id)
                .and_then(|a| a.names.display_name.as_ref())
            {
                Some(n) => n.clone(),
                None => id.to_string(),
            },
        }
    }
}
