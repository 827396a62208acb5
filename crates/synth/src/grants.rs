//! Who holds which role where: role assignments, PIM eligibility instances and
//! deny assignments, and their export files.
//!
//! Assignments are spread over every scope level (root, management groups,
//! subscriptions, resource groups, workspaces, computes, storage accounts, key
//! vaults), go mostly to groups, never exceed the per-subscription cap (Azure's
//! 4,000) and never repeat a (principal, role, scope) triple, as Azure refuses
//! duplicates. Custom roles are assigned only inside their assignable scopes. A few
//! deliberate oddities are always present: an assignment at `/`, one per incomplete
//! group, orphaned assignments of deleted principals (`principalName: ""`), and
//! assignments of a role that is defined nowhere. The [`Picker`] is reused by the
//! churn to add assignments that obey the same rules.

use std::collections::HashSet;
use std::path::Path;

use super::directory::{Directory, GroupSort, Who};
use super::rng::{Guid, Rng};
use super::roles::{self, Role};
use super::scopes::{ResKind, Scope, Scopes};
use super::time::Stamp;
use super::write::{Rec, RecordFile, Written};
use super::{Sizes, SynthError};

/// Role index of an assignment whose role is defined nowhere.
pub(crate) const UNDEFINED: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub(crate) struct Assignment {
    pub name: Guid,
    pub principal: u32,
    pub role: u32,
    pub scope: Scope,
    /// `roleDefinitionId` in the `/providers/...` form instead of `/subscriptions/...`.
    pub short_form: bool,
    pub created: Stamp,
    /// The user who created it.
    pub created_by: u32,
    pub condition: Option<String>,
    /// One of the resource facts' assignments ([`super::facts`]): kept by the churn.
    pub fact: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Eligibility {
    pub name: Guid,
    pub schedule: Guid,
    pub principal: u32,
    pub role: u32,
    pub scope: Scope,
    pub start: Stamp,
    pub end: Option<Stamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DenyMode {
    /// Deployment stack, `DenyDelete`.
    Delete,
    /// Deployment stack, `DenyWriteAndDelete`.
    WriteAndDelete,
    /// Managed application: everything but reads.
    ManagedApp,
    /// Protects one workspace from being changed or deleted.
    Workspace,
}

#[derive(Debug, Clone)]
pub(crate) struct Deny {
    pub name: Guid,
    pub scope: Scope,
    pub title: String,
    pub mode: DenyMode,
    /// None: All Principals.
    pub principal: Option<u32>,
    pub excludes: Vec<u32>,
    pub no_children: bool,
    pub created: Stamp,
    pub created_by: u32,
}

#[derive(Debug)]
pub(crate) struct Grants {
    pub assignments: Vec<Assignment>,
    pub eligibilities: Vec<Eligibility>,
    pub denies: Vec<Deny>,
    /// The GUID of the role no definition file holds.
    pub undefined_role: Guid,
}

/// Draws assignments that respect the caps, the custom roles' assignable scopes
/// and uniqueness.
pub(crate) struct Picker<'a> {
    scopes: &'a Scopes,
    dir: &'a Directory,
    roles: &'a [Role],
    max_per_sub: usize,
    /// Groups that may hold assignments (security groups with member data).
    group_pool: Vec<usize>,
    generated_builtin: Vec<usize>,
    custom: Vec<usize>,
    /// Subscriptions each custom role may be assigned in, and its management group.
    custom_subs: Vec<Vec<usize>>,
    sub_count: Vec<usize>,
    seen: HashSet<(u32, u32, Scope)>,
    admins: usize,
}

/// Groups drawn at random as holders: security groups with member data. The huge
/// groups get only their deliberate assignments (see [`generate`]), so that only a
/// few answers list a whole region.
fn is_ok_group(dir: &Directory, g: usize) -> bool {
    let gr = &dir.groups[g];
    !gr.unified && matches!(gr.sort, GroupSort::Regular | GroupSort::Department)
}

impl<'a> Picker<'a> {
    pub(crate) fn new(
        scopes: &'a Scopes,
        dir: &'a Directory,
        roles: &'a [Role],
        sizes: &Sizes,
        existing: &[Assignment],
    ) -> Picker<'a> {
        let group_pool = (0..dir.groups.len())
            .filter(|&g| is_ok_group(dir, g))
            .collect();
        let generated_builtin = (roles::KNOWN.min(roles.len())..roles.len())
            .filter(|&i| roles[i].builtin)
            .collect();
        let custom: Vec<usize> = (0..roles.len()).filter(|&i| roles[i].is_custom()).collect();
        let custom_subs = custom
            .iter()
            .map(|&i| {
                let mut subs = Vec::new();
                for &s in &roles[i].assignable {
                    match s {
                        Scope::Sub(x) => subs.push(x as usize),
                        Scope::Mg(m) => subs.extend(scopes.subs_under(m as usize)),
                        _ => {}
                    }
                }
                subs
            })
            .collect();
        let mut p = Picker {
            scopes,
            dir,
            roles,
            max_per_sub: sizes.max_per_sub,
            group_pool,
            generated_builtin,
            custom,
            custom_subs,
            sub_count: vec![0; scopes.subs.len()],
            seen: HashSet::new(),
            admins: dir.users.len().clamp(1, 40),
        };
        for a in existing {
            p.note(a);
        }
        p
    }

    fn note(&mut self, a: &Assignment) {
        if let Some(s) = self.scopes.sub_of(a.scope) {
            self.sub_count[s] += 1;
        }
        self.seen.insert((a.principal, a.role, a.scope));
    }

    fn known(&self, i: usize) -> Option<u32> {
        (i < self.roles.len().min(roles::KNOWN) && self.roles[i].builtin).then_some(i as u32)
    }

    /// A role, and the scope hint that goes with it.
    fn pick_role(&self, rng: &mut Rng) -> u32 {
        use roles::*;
        let table: [(usize, u32); 13] = [
            (OWNER, 3),
            (CONTRIBUTOR, 10),
            (READER, 14),
            (USER_ACCESS_ADMIN, 1),
            (ACCESS_DELEGATE, 1),
            (AML_DATA_SCIENTIST, 14),
            (AML_COMPUTE_OPERATOR, 6),
            (AML_REGISTRY_USER, 1),
            (AML_DEVELOPER, 4),
            (BLOB_READER, 4),
            (BLOB_CONTRIBUTOR, 3),
            (KV_SECRETS_READER, 2),
            (VM_CONTRIBUTOR, 2),
        ];
        let mut weights: Vec<u32> = table
            .iter()
            .map(|&(i, w)| if self.known(i).is_some() { w } else { 0 })
            .collect();
        weights.push(if self.generated_builtin.is_empty() {
            0
        } else {
            22
        });
        weights.push(if self.custom.is_empty() { 0 } else { 12 });
        if weights.iter().all(|&w| w == 0) {
            return 0;
        }
        let k = rng.weighted(&weights);
        if k < table.len() {
            table[k].0 as u32
        } else if k == table.len() {
            *rng.pick(&self.generated_builtin) as u32
        } else {
            *rng.pick(&self.custom) as u32
        }
    }

    fn resource_of(&self, rng: &mut Rng, kind: fn(ResKind) -> bool) -> Option<Scope> {
        for _ in 0..8 {
            let i = rng.below(self.scopes.res.len().max(1));
            if self.scopes.res.get(i).is_some_and(|r| kind(r.kind)) {
                return Some(Scope::Res(i as u32));
            }
        }
        None
    }

    /// A scope below (or at) a subscription: the subscription, a resource group, or
    /// a resource.
    fn within_sub(&self, rng: &mut Rng, sub: usize) -> Scope {
        let rgs = &self.scopes.sub_rgs[sub];
        if rgs.is_empty() || rng.chance(0.2) {
            return Scope::Sub(sub as u32);
        }
        let rg = *rng.pick(rgs);
        let res = &self.scopes.rg_res[rg];
        if res.is_empty() || rng.chance(0.55) {
            Scope::Rg(rg as u32)
        } else {
            Scope::Res(*rng.pick(res) as u32)
        }
    }

    fn pick_scope(&self, rng: &mut Rng, role: u32) -> Scope {
        use roles::*;
        let s = self.scopes;
        if let Some(ci) = self.custom.iter().position(|&c| c as u32 == role) {
            let subs = &self.custom_subs[ci];
            if let Some(Scope::Mg(m)) = self.roles[role as usize].assignable.first() {
                if subs.is_empty() || rng.chance(0.2) {
                    return Scope::Mg(*m);
                }
            }
            if subs.is_empty() {
                return self.roles[role as usize].assignable[0];
            }
            let sub = *rng.pick(subs);
            return self.within_sub(rng, sub);
        }
        // Hints: data roles on storage, compute roles on computes, ...
        let hinted = match role as usize {
            BLOB_READER | BLOB_CONTRIBUTOR if rng.chance(0.7) => {
                let rg = rng.below(s.rgs.len());
                Some(Scope::Res(s.storage_of_rg[rg] as u32))
            }
            AML_COMPUTE_OPERATOR if rng.chance(0.5) => {
                self.resource_of(rng, |k| matches!(k, ResKind::Compute(_)))
            }
            KV_SECRETS_READER if rng.chance(0.6) => {
                self.resource_of(rng, |k| k == ResKind::KeyVault)
            }
            AML_DATA_SCIENTIST | AML_DEVELOPER if rng.chance(0.6) => {
                self.resource_of(rng, |k| k == ResKind::Workspace)
            }
            _ => None,
        };
        if let Some(h) = hinted {
            return h;
        }
        let level = rng.weighted(&[
            if s.mgs.len() > 1 { 2 } else { 0 },
            12,
            38,
            if s.workspaces.is_empty() { 0 } else { 30 },
            if s.computes.is_empty() { 0 } else { 8 },
            10,
        ]);
        match level {
            0 => Scope::Mg(1 + rng.below(s.mgs.len() - 1) as u32),
            1 => Scope::Sub(rng.below(s.subs.len()) as u32),
            2 => Scope::Rg(rng.below(s.rgs.len()) as u32),
            3 => Scope::Res(*rng.pick(&s.workspaces) as u32),
            4 => Scope::Res(*rng.pick(&s.computes) as u32),
            _ => Scope::Res(rng.below(s.res.len()) as u32),
        }
    }

    fn pick_principal(&self, rng: &mut Rng) -> u32 {
        let d = self.dir;
        let k = rng.weighted(&[
            if self.group_pool.is_empty() { 0 } else { 72 },
            20,
            if d.sps.is_empty() { 0 } else { 8 },
        ]);
        match k {
            0 => d.group_p(*rng.pick(&self.group_pool)),
            1 => d.user_p(rng.below(d.users.len())),
            _ => d.sp_p(rng.below(d.sps.len())),
        }
    }

    fn fits(&self, principal: u32, role: u32, scope: Scope) -> bool {
        if self.seen.contains(&(principal, role, scope)) {
            return false;
        }
        match self.scopes.sub_of(scope) {
            Some(s) => self.sub_count[s] < self.max_per_sub,
            None => true,
        }
    }

    fn make(&mut self, rng: &mut Rng, principal: u32, role: u32, scope: Scope) -> Assignment {
        let condition = (matches!(role as usize, roles::BLOB_READER | roles::BLOB_CONTRIBUTOR)
            && role as usize != usize::MAX
            && rng.chance(0.1))
        .then(|| {
            let container = ["training-data", "features", "models", "raw", "curated"][rng.below(5)];
            format!(
                "((!(ActionMatches{{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'}})) \
                 OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '{container}'))"
            )
        });
        let a = Assignment {
            name: rng.guid(),
            principal,
            role,
            scope,
            short_form: self.scopes.sub_of(scope).is_none() || rng.chance(0.2),
            created: Stamp::between(rng, Stamp::ymd(2019, 1, 1), Stamp::ymd(2026, 8, 15)),
            created_by: self.dir.user_p(rng.below(self.admins)),
            condition,
            fact: false,
        };
        self.note(&a);
        a
    }

    /// One more assignment, drawn at random under the rules.
    pub(crate) fn one(&mut self, rng: &mut Rng) -> Assignment {
        loop {
            let role = self.pick_role(rng);
            let scope = self.pick_scope(rng, role);
            let principal = self.pick_principal(rng);
            if self.fits(principal, role, scope) {
                return self.make(rng, principal, role, scope);
            }
        }
    }

    /// An assignment of a chosen principal (and optionally role and scope).
    fn forced(
        &mut self,
        rng: &mut Rng,
        principal: u32,
        role: Option<u32>,
        scope: Option<Scope>,
    ) -> Assignment {
        loop {
            let role = role.unwrap_or_else(|| self.pick_role(rng));
            let scope = scope.unwrap_or_else(|| self.pick_scope(rng, role));
            if self.fits(principal, role, scope) || role == UNDEFINED {
                return self.make(rng, principal, role, scope);
            }
        }
    }
}

pub(crate) fn generate(
    sizes: &Sizes,
    seed: u64,
    scopes: &Scopes,
    dir: &Directory,
    roles: &[Role],
    preset: &[Assignment],
) -> Grants {
    let mut rng = Rng::stream(seed, "grants");
    let undefined_role = rng.guid();
    let mut picker = Picker::new(scopes, dir, roles, sizes, &[]);
    let mut list: Vec<Assignment> = Vec::with_capacity(sizes.assignments);

    // The deliberate oddities first.
    for i in 0..sizes.root_assignments {
        let role = if i % 2 == 0 {
            roles::USER_ACCESS_ADMIN
        } else {
            roles::OWNER
        };
        let role = if role < roles.len() { role as u32 } else { 0 };
        for _ in 0..1000 {
            let principal = dir.user_p(rng.below(dir.users.len()));
            if picker.fits(principal, role, Scope::Root) {
                list.push(picker.make(&mut rng, principal, role, Scope::Root));
                break;
            }
        }
    }
    for g in dir.groups_of(GroupSort::Incomplete) {
        list.push(picker.forced(&mut rng, dir.group_p(g), None, None));
    }
    for i in 0..dir.ghosts.len() {
        list.push(picker.forced(&mut rng, dir.ghost_p(i), None, None));
    }
    // The huge groups: All Employees reads one subscription (a `who` answer of
    // every employee), each regional group is AzureML Data Scientist on one workspace.
    for (k, h) in dir.groups_of(GroupSort::Huge).into_iter().enumerate() {
        let (role, scope) = if k == 0 || scopes.workspaces.is_empty() {
            (roles::READER, Scope::Sub(0))
        } else {
            (
                roles::AML_DATA_SCIENTIST,
                Scope::Res(*rng.pick(&scopes.workspaces) as u32),
            )
        };
        if role < roles.len() && picker.fits(dir.group_p(h), role as u32, scope) {
            list.push(picker.make(&mut rng, dir.group_p(h), role as u32, scope));
        }
    }
    for _ in 0..sizes.undefined_role_assignments {
        let principal = dir.group_p(*rng.pick(&picker.group_pool.clone()));
        let scope = picker.pick_scope(&mut rng, 0);
        list.push(picker.forced(&mut rng, principal, Some(UNDEFINED), Some(scope)));
    }
    // The resource facts' assignments count in the total.
    for a in preset {
        picker.note(a);
        list.push(a.clone());
    }
    while list.len() < sizes.assignments {
        list.push(picker.one(&mut rng));
    }
    rng.shuffle(&mut list);

    // PIM eligibility.
    let mut seen = HashSet::new();
    let mut eligibilities = Vec::with_capacity(sizes.eligibilities);
    let group_pool = picker.group_pool.clone();
    let elig_roles: Vec<(u32, u32)> = [
        (roles::OWNER, 20),
        (roles::CONTRIBUTOR, 30),
        (roles::USER_ACCESS_ADMIN, 10),
        (roles::ACCESS_DELEGATE, 5),
        (roles::AML_DATA_SCIENTIST, 15),
    ]
    .into_iter()
    .filter(|&(r, _)| r < roles.len())
    .map(|(r, w)| (r as u32, w))
    .collect();
    let weights: Vec<u32> = elig_roles.iter().map(|&(_, w)| w).collect();
    while eligibilities.len() < sizes.eligibilities {
        let principal = if group_pool.is_empty() || rng.chance(0.55) {
            dir.user_p(rng.below(dir.users.len()))
        } else {
            dir.group_p(*rng.pick(&group_pool))
        };
        let role = if rng.chance(0.2) && roles.len() > roles::KNOWN {
            (roles::KNOWN + rng.below(roles.len() - roles::KNOWN)) as u32
        } else {
            elig_roles[rng.weighted(&weights)].0
        };
        if roles[role as usize].is_custom() {
            continue;
        }
        let scope = match rng.weighted(&[25, 45, if scopes.workspaces.is_empty() { 0 } else { 30 }])
        {
            0 => Scope::Sub(rng.below(scopes.subs.len()) as u32),
            1 => Scope::Rg(rng.below(scopes.rgs.len()) as u32),
            _ => Scope::Res(*rng.pick(&scopes.workspaces) as u32),
        };
        if !seen.insert((principal, role, scope)) {
            continue;
        }
        let start = Stamp::between(&mut rng, Stamp::ymd(2025, 6, 1), Stamp::ymd(2026, 9, 1));
        let end = match rng.weighted(&[20, 30, 40, 10]) {
            0 => Some(start.plus_days(90)),
            1 => Some(start.plus_days(180)),
            2 => Some(start.plus_days(365)),
            _ => None,
        };
        eligibilities.push(Eligibility {
            name: rng.guid(),
            schedule: rng.guid(),
            principal,
            role,
            scope,
            start,
            end,
        });
    }

    // Deny assignments.
    let apps: Vec<usize> = (0..dir.sps.len())
        .filter(|&s| !dir.sps[s].managed)
        .collect();
    let mut denies = Vec::with_capacity(sizes.denies);
    for i in 0..sizes.denies {
        // Mostly resource groups (deployment stacks, managed applications) and
        // workspaces; a subscription-wide deny is rare and only ever DenyDelete.
        let scope = match rng.weighted(&[2, 63, if scopes.workspaces.is_empty() { 0 } else { 35 }])
        {
            0 => Scope::Sub(rng.below(scopes.subs.len()) as u32),
            1 => Scope::Rg(rng.below(scopes.rgs.len()) as u32),
            _ => Scope::Res(*rng.pick(&scopes.workspaces) as u32),
        };
        let mode = match scope {
            Scope::Res(_) => {
                if rng.chance(0.6) {
                    DenyMode::Workspace
                } else {
                    DenyMode::WriteAndDelete
                }
            }
            Scope::Sub(_) => DenyMode::Delete,
            _ => [
                DenyMode::Delete,
                DenyMode::WriteAndDelete,
                DenyMode::ManagedApp,
            ][rng.weighted(&[45, 40, 15])],
        };
        let mut excludes = Vec::new();
        if !group_pool.is_empty() {
            excludes.push(dir.group_p(*rng.pick(&group_pool)));
        }
        if !apps.is_empty() && (excludes.is_empty() || rng.chance(0.6)) {
            excludes.push(dir.sp_p(*rng.pick(&apps)));
        }
        let principal = (rng.chance(0.05) && !group_pool.is_empty())
            .then(|| dir.group_p(*rng.pick(&group_pool)));
        let target = scopes
            .id(scope)
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        let title = match mode {
            DenyMode::ManagedApp => {
                format!("System deny assignment created by managed application 'app-{target}'")
            }
            DenyMode::Workspace => {
                format!("Deny assignment 'protect-{target}' (deployment stack protection)")
            }
            _ => format!("Deny assignment 'stack-{target}-{i:03}' (deployment stack)"),
        };
        denies.push(Deny {
            name: rng.guid(),
            scope,
            title,
            mode,
            principal,
            excludes,
            no_children: rng.chance(0.1),
            created: Stamp::between(&mut rng, Stamp::ymd(2023, 1, 1), Stamp::ymd(2026, 8, 1)),
            created_by: dir.user_p(rng.below(dir.users.len().clamp(1, 40))),
        });
    }
    Grants {
        assignments: list,
        eligibilities,
        denies,
        undefined_role,
    }
}

fn role_guid(grants: &Grants, roles: &[Role], role: u32) -> String {
    if role == UNDEFINED {
        grants.undefined_role.to_string()
    } else {
        roles[role as usize].guid.clone()
    }
}

fn role_definition_id(scopes: &Scopes, scope: Scope, short: bool, guid: &str) -> String {
    match scopes.sub_of(scope) {
        Some(s) if !short => format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
            scopes.sub_ids[s]
        ),
        _ => format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
    }
}

fn child_id(scope_id: &str, tail: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/{tail}",
        scope_id.trim_end_matches('/')
    )
}

fn block(r: &mut Rec<'_>, actions: &[&str], not_actions: &[&str]) {
    r.strs("actions", actions)
        .null("condition")
        .null("conditionVersion")
        .raw("dataActions", "[]")
        .strs("notActions", not_actions)
        .raw("notDataActions", "[]");
}

/// Writes `assignments/role-assignments*.json` (az flat), `pim-eligibility.json`
/// and `deny-assignments.json` (ARM pages).
pub(crate) fn write(
    g: &Grants,
    roles: &[Role],
    scopes: &Scopes,
    dir: &Directory,
    sizes: &Sizes,
    out: &Path,
) -> Result<GrantFiles, SynthError> {
    let adir = out.join("assignments");
    let mut files = GrantFiles::default();
    let chunks: Vec<&[Assignment]> = g
        .assignments
        .chunks(sizes.assignments_per_file.max(1))
        .collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let name = if chunks.len() == 1 {
            "role-assignments.json".to_string()
        } else {
            format!("role-assignments-{:03}.json", i + 1)
        };
        let mut f = RecordFile::create(&adir.join(name), "[\n", "\n]\n")?;
        for a in chunk.iter() {
            let scope = scopes.id(a.scope);
            let guid = role_guid(g, roles, a.role);
            let created = a.created.az();
            let by = dir.guid(a.created_by);
            f.record(|r| {
                r.null("canDelegate")
                    .opt_str("condition", a.condition.as_deref())
                    .opt_str("conditionVersion", a.condition.as_ref().map(|_| "2.0"))
                    .guid("createdBy", by)
                    .str("createdOn", &created)
                    .null("delegatedManagedIdentityResourceId")
                    .null("description")
                    .str(
                        "id",
                        &child_id(scope, &format!("roleAssignments/{}", a.name)),
                    )
                    .guid("name", a.name)
                    .guid("principalId", dir.guid(a.principal))
                    .str("principalName", &dir.principal_name(a.principal))
                    .str("principalType", dir.principal_type(a.principal));
                if let Some(rg) = scopes.rg_of(a.scope) {
                    r.str("resourceGroup", &scopes.rgs[rg].name);
                }
                r.str(
                    "roleDefinitionId",
                    &role_definition_id(scopes, a.scope, a.short_form, &guid),
                )
                .opt_str(
                    "roleDefinitionName",
                    (a.role != UNDEFINED).then(|| roles[a.role as usize].name.as_str()),
                )
                .str("scope", scope)
                .str("type", "Microsoft.Authorization/roleAssignments")
                .guid("updatedBy", by)
                .str("updatedOn", &created);
            })?;
        }
        files.assignments.push(f.finish()?);
    }

    let mut f = RecordFile::create(
        &adir.join("pim-eligibility.json"),
        "{\"value\":[\n",
        "\n]}\n",
    )?;
    for e in &g.eligibilities {
        let scope = scopes.id(e.scope);
        let guid = role_guid(g, roles, e.role);
        f.record(|r| {
            r.str(
                "id",
                &child_id(
                    scope,
                    &format!("roleEligibilityScheduleInstances/{}", e.name),
                ),
            )
            .guid("name", e.name)
            .obj("properties", |p| {
                p.null("condition")
                    .null("conditionVersion")
                    .str("createdOn", &e.start.plus_days(-1).zulu())
                    .opt_str("endDateTime", e.end.map(|t| t.zulu()).as_deref())
                    .str("memberType", "Direct")
                    .guid("principalId", dir.guid(e.principal))
                    .str("principalType", dir.principal_type(e.principal))
                    .str(
                        "roleDefinitionId",
                        &role_definition_id(scopes, e.scope, false, &guid),
                    )
                    .str(
                        "roleEligibilityScheduleId",
                        &child_id(scope, &format!("roleEligibilitySchedules/{}", e.schedule)),
                    )
                    .str("scope", scope)
                    .str("startDateTime", &e.start.zulu())
                    .str("status", "Provisioned");
            })
            .str(
                "type",
                "Microsoft.Authorization/roleEligibilityScheduleInstances",
            );
        })?;
    }
    files.eligibilities = Some(f.finish()?);

    let mut f = RecordFile::create(
        &adir.join("deny-assignments.json"),
        "{\"value\":[\n",
        "\n]}\n",
    )?;
    for d in &g.denies {
        let scope = scopes.id(d.scope);
        let created = d.created.zulu();
        let by = dir.guid(d.created_by);
        let description = match d.mode {
            DenyMode::Delete => "Created by a deployment stack with denySettings mode DenyDelete.",
            DenyMode::WriteAndDelete => {
                "Created by a deployment stack with denySettings mode DenyWriteAndDelete."
            }
            DenyMode::ManagedApp => "Created by a managed application: only reads are allowed.",
            DenyMode::Workspace => {
                "The workspace cannot be modified or deleted except by its excluded principals."
            }
        };
        f.record(|r| {
            r.str("id", &child_id(scope, &format!("denyAssignments/{}", d.name)))
                .guid("name", d.name)
                .obj("properties", |p| {
                    p.null("condition")
                        .null("conditionVersion")
                        .guid("createdBy", by)
                        .str("createdOn", &created)
                        .str("denyAssignmentName", &d.title)
                        .str("description", description)
                        .bool("doNotApplyToChildScopes", d.no_children)
                        .objs("excludePrincipals", &d.excludes, |x, &pid| {
                            x.guid("id", dir.guid(pid)).str(
                                "type",
                                match dir.who(pid) {
                                    Who::Group(_) => "Group",
                                    Who::Sp(_) => "ServicePrincipal",
                                    _ => "User",
                                },
                            );
                        })
                        .bool("isSystemProtected", true)
                        .objs("permissions", &[d.mode], |b, mode| match mode {
                            DenyMode::Delete => {
                                block(b, &["*/delete"], &["Microsoft.Authorization/locks/delete"])
                            }
                            DenyMode::WriteAndDelete => block(
                                b,
                                &["*/write", "*/delete"],
                                &[
                                    "Microsoft.Authorization/locks/delete",
                                    "Microsoft.Authorization/locks/write",
                                ],
                            ),
                            DenyMode::ManagedApp => block(b, &["*"], &["*/read"]),
                            DenyMode::Workspace => block(
                                b,
                                &[
                                    "Microsoft.MachineLearningServices/workspaces/delete",
                                    "Microsoft.MachineLearningServices/workspaces/write",
                                ],
                                &[],
                            ),
                        });
                    match d.principal {
                        Some(pid) => p.objs("principals", &[pid], |x, &pid| {
                            x.guid("id", dir.guid(pid)).str("type", "Group");
                        }),
                        None => p.raw(
                            "principals",
                            "[{\"id\":\"00000000-0000-0000-0000-000000000000\",\"type\":\"SystemDefined\"}]",
                        ),
                    };
                    p.str("scope", scope)
                        .guid("updatedBy", by)
                        .str("updatedOn", &created);
                })
                .str("type", "Microsoft.Authorization/denyAssignments");
        })?;
    }
    files.denies = Some(f.finish()?);
    Ok(files)
}

#[derive(Debug, Default)]
pub(crate) struct GrantFiles {
    pub assignments: Vec<Written>,
    pub eligibilities: Option<Written>,
    pub denies: Option<Written>,
}
