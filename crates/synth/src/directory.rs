//! The directory: users, groups, service principals and managed identities, the
//! direct membership edges between them, and their export files.
//!
//! Groups come in four sorts. A few *huge* groups (All Employees, regional staff)
//! hold tens of thousands of users directly; *department* groups hold every member
//! user once; *regular* groups are nested in levels (a group on level L is a member
//! of one or two groups on level L−1, so chains are as deep as the profile says),
//! receive users with a skewed popularity (a few groups get thousands, most a few
//! dozen), and a handful are closed into cycles; *incomplete* groups hold role
//! assignments but have no member data at all, so answers must report them.
//!
//! Members are written two ways, both real shapes: one `members/<group-id>.json`
//! file per group for a sample of small groups (alternating the `az ad group member
//! list` array and the Graph `/members` page, every entry with `@odata.type`), an
//! empty `[]` file for each group without members, and the `groupId,memberId,
//! memberType` CSV edge list for everything else, cut at group boundaries into a few
//! large files. Every group except the incomplete ones has member data in exactly
//! one of them.

use std::collections::HashMap;
use std::path::Path;

use super::names::{
    self, DEPARTMENTS, FIRST, GROUP_ROLES, JOB_TITLES, LAST, PARTNERS, REGIONS, TEAMS,
};
use super::rng::{Guid, Rng};
use super::scopes::{ResKind, Scopes};
use super::time::Stamp;
use super::write::{LineFile, Rec, RecordFile, Written};
use super::{Sizes, SynthError};

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub guid: Guid,
    pub first: u16,
    pub last: u16,
    pub upn: String,
    /// The partner organisation of a guest.
    pub guest: Option<u16>,
    pub enabled: bool,
}

impl User {
    pub(crate) fn display(&self) -> String {
        let (f, l) = (FIRST[self.first as usize].0, LAST[self.last as usize].0);
        match self.guest {
            Some(p) => format!("{f} {l} ({})", PARTNERS[p as usize].0),
            None => format!("{f} {l}"),
        }
    }

    fn mail(&self) -> String {
        match self.guest {
            Some(p) => format!(
                "{}.{}@{}",
                FIRST[self.first as usize].1, LAST[self.last as usize].1, PARTNERS[p as usize].1
            ),
            None => self.upn.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupSort {
    Huge,
    Department,
    Incomplete,
    Regular,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub guid: Guid,
    pub name: String,
    pub description: String,
    pub unified: bool,
    pub sort: GroupSort,
    pub created: Stamp,
}

#[derive(Debug, Clone)]
pub(crate) struct Sp {
    pub guid: Guid,
    pub app_id: Guid,
    pub name: String,
    pub managed: bool,
    /// The resource whose identity this is (managed identities).
    pub resource: Option<usize>,
}

/// What a principal index names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    User(usize),
    Group(usize),
    Sp(usize),
    /// Deleted: in no listing.
    Ghost(usize),
}

#[derive(Debug)]
pub(crate) struct Directory {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub sps: Vec<Sp>,
    /// Deleted principals (orphaned assignments, stale member entries).
    pub ghosts: Vec<(Guid, u16, u16)>,
    /// Direct memberships `(group index, member principal index)`, sorted by group.
    pub edges: Vec<(u32, u32)>,
    /// Groups whose member list is written as a JSON file (the rest: CSV, or none
    /// for incomplete groups).
    pub json_members: Vec<bool>,
}

impl Directory {
    /// Appends service principals (the computes' identities, [`super::facts`])
    /// after the directory's own, keeping the deleted principals' member entries
    /// pointing at them (their indices follow the service principals').
    pub(crate) fn add_sps(&mut self, sps: Vec<Sp>) {
        let ghost_base = (self.users.len() + self.groups.len() + self.sps.len()) as u32;
        let n = sps.len() as u32;
        for e in &mut self.edges {
            if e.1 >= ghost_base {
                e.1 += n;
            }
        }
        self.sps.extend(sps);
    }

    pub(crate) fn user_p(&self, i: usize) -> u32 {
        i as u32
    }

    pub(crate) fn group_p(&self, i: usize) -> u32 {
        (self.users.len() + i) as u32
    }

    pub(crate) fn sp_p(&self, i: usize) -> u32 {
        (self.users.len() + self.groups.len() + i) as u32
    }

    pub(crate) fn ghost_p(&self, i: usize) -> u32 {
        (self.users.len() + self.groups.len() + self.sps.len() + i) as u32
    }

    pub(crate) fn who(&self, p: u32) -> Who {
        let mut p = p as usize;
        if p < self.users.len() {
            return Who::User(p);
        }
        p -= self.users.len();
        if p < self.groups.len() {
            return Who::Group(p);
        }
        p -= self.groups.len();
        if p < self.sps.len() {
            return Who::Sp(p);
        }
        Who::Ghost(p - self.sps.len())
    }

    pub(crate) fn guid(&self, p: u32) -> Guid {
        match self.who(p) {
            Who::User(i) => self.users[i].guid,
            Who::Group(i) => self.groups[i].guid,
            Who::Sp(i) => self.sps[i].guid,
            Who::Ghost(i) => self.ghosts[i].0,
        }
    }

    /// `principalType` as role assignments spell it.
    pub(crate) fn principal_type(&self, p: u32) -> &'static str {
        match self.who(p) {
            Who::User(_) | Who::Ghost(_) => "User",
            Who::Group(_) => "Group",
            Who::Sp(_) => "ServicePrincipal",
        }
    }

    /// `principalName` as `az role assignment list` prints it: the UPN of a user,
    /// the display name of a group, the application id of a service principal, and
    /// `""` for a deleted principal.
    pub(crate) fn principal_name(&self, p: u32) -> String {
        match self.who(p) {
            Who::User(i) => self.users[i].upn.clone(),
            Who::Group(i) => self.groups[i].name.clone(),
            Who::Sp(i) => self.sps[i].app_id.to_string(),
            Who::Ghost(_) => String::new(),
        }
    }

    pub(crate) fn groups_of(&self, sort: GroupSort) -> Vec<usize> {
        (0..self.groups.len())
            .filter(|&g| self.groups[g].sort == sort)
            .collect()
    }

    /// `(start, end)` offsets of each group's run in `edges`.
    pub(crate) fn runs(&self) -> Vec<(usize, usize)> {
        let mut runs = vec![(0, 0); self.groups.len()];
        let mut i = 0;
        while i < self.edges.len() {
            let g = self.edges[i].0 as usize;
            let start = i;
            while i < self.edges.len() && self.edges[i].0 as usize == g {
                i += 1;
            }
            runs[g] = (start, i);
        }
        runs
    }

    /// Re-sorts the edges by group, keeping each group's order.
    pub(crate) fn sort_edges(&mut self) {
        self.edges.sort_by_key(|e| e.0);
    }
}

fn level_counts(n: usize, depth: usize) -> Vec<usize> {
    const W: [usize; 8] = [10, 20, 25, 20, 12, 7, 4, 2];
    let depth = depth.clamp(1, 8);
    let w = &W[..depth];
    let total: usize = w.iter().sum();
    let mut counts: Vec<usize> = w.iter().map(|x| n * x / total).collect();
    for c in counts.iter_mut() {
        if *c == 0 && n >= depth {
            *c = 1;
        }
    }
    let sum: usize = counts.iter().sum();
    if sum < n {
        counts[1.min(depth - 1)] += n - sum;
    } else {
        let mut extra = sum - n;
        for c in counts.iter_mut() {
            let take = extra.min(c.saturating_sub(1));
            *c -= take;
            extra -= take;
        }
    }
    counts
}

fn unique(used: &mut HashMap<String, u32>, base: String) -> String {
    let n = used.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base} {n}")
    }
}

pub(crate) fn generate(sizes: &Sizes, seed: u64, scopes: &Scopes) -> Directory {
    let mut rng = Rng::stream(seed, "directory");
    let from = Stamp::ymd(2018, 1, 1);
    let to = Stamp::ymd(2026, 6, 1);

    // Users: exactly the profile's share of guests and of disabled accounts.
    let n_users = sizes.users;
    let n_guests = (n_users * 5).div_ceil(100);
    let n_disabled = (n_users * 2).div_ceil(100);
    let mut order: Vec<usize> = (0..n_users).collect();
    rng.shuffle(&mut order);
    let mut guest = vec![false; n_users];
    let mut disabled = vec![false; n_users];
    for &u in &order[..n_guests.min(n_users)] {
        guest[u] = true;
    }
    for &u in order.iter().skip(n_guests).take(n_disabled) {
        disabled[u] = true;
    }
    let mut name_count: HashMap<String, u32> = HashMap::new();
    let mut users = Vec::with_capacity(n_users);
    for i in 0..n_users {
        let first = rng.below(FIRST.len()) as u16;
        let last = rng.below(LAST.len()) as u16;
        let (fa, la) = (FIRST[first as usize].1, LAST[last as usize].1);
        let partner = guest[i].then(|| rng.below(PARTNERS.len()) as u16);
        let base = match partner {
            Some(p) => format!("{fa}.{la}_{}", PARTNERS[p as usize].1),
            None => format!("{fa}.{la}"),
        };
        let n = name_count.entry(base.clone()).or_insert(0);
        *n += 1;
        let local = if *n == 1 { base } else { format!("{base}{n}") };
        let upn = if partner.is_some() {
            format!("{local}#EXT#@contoso.onmicrosoft.com")
        } else {
            format!("{local}@contoso.com")
        };
        users.push(User {
            guid: rng.guid(),
            first,
            last,
            upn,
            guest: partner,
            enabled: !disabled[i],
        });
    }

    // Groups: huge, department, incomplete, then regular groups by level.
    let mut groups = Vec::with_capacity(sizes.groups);
    let mut used = HashMap::new();
    let push = |groups: &mut Vec<Group>,
                rng: &mut Rng,
                name: String,
                description: String,
                sort: GroupSort| {
        let unified = sort == GroupSort::Regular && rng.chance(0.08);
        groups.push(Group {
            guid: rng.guid(),
            name,
            description,
            unified,
            sort,
            created: Stamp::between(rng, from, to),
        });
    };
    for h in 0..sizes.huge_groups {
        let (name, desc) = if h == 0 {
            (
                "All Employees".to_string(),
                "Every employee (dynamic membership, synced).".to_string(),
            )
        } else {
            let region = REGIONS[(h - 1) % REGIONS.len()];
            (
                format!("All Staff - {region}"),
                format!("Every employee based in {region}."),
            )
        };
        let name = unique(&mut used, name);
        push(&mut groups, &mut rng, name, desc, GroupSort::Huge);
    }
    for d in 0..sizes.dept_groups {
        let dept = DEPARTMENTS[d % DEPARTMENTS.len()];
        let team = names::title(TEAMS[(d / DEPARTMENTS.len()) % TEAMS.len()]);
        let name = unique(&mut used, format!("Dept - {dept} - {team}"));
        let desc = format!("Department {dept}, cost centre {team}.");
        push(&mut groups, &mut rng, name, desc, GroupSort::Department);
    }
    for k in 0..sizes.incomplete_groups {
        let partner = PARTNERS[k % PARTNERS.len()].0;
        let name = unique(&mut used, format!("Contractors - {partner}"));
        let desc = format!("External staff from {partner}; membership managed by the partner.");
        push(&mut groups, &mut rng, name, desc, GroupSort::Incomplete);
    }
    let n_regular = sizes
        .groups
        .saturating_sub(sizes.huge_groups + sizes.dept_groups + sizes.incomplete_groups);
    let mut levels: Vec<Vec<usize>> = Vec::new();
    for count in level_counts(n_regular, sizes.group_depth) {
        let mut this = Vec::new();
        for _ in 0..count {
            let team = names::title(TEAMS[rng.below(TEAMS.len())]);
            let role = *rng.pick(GROUP_ROLES);
            let name = unique(&mut used, format!("{team} {role}"));
            let desc = format!("{role} of the {team} team.");
            this.push(groups.len());
            push(&mut groups, &mut rng, name, desc, GroupSort::Regular);
        }
        levels.push(this);
    }

    // Service principals: applications, then workspace identities, then
    // user-assigned identities.
    let mut sps = Vec::new();
    const PURPOSES: &[&str] = &[
        "pipeline",
        "deploy",
        "scoring",
        "etl",
        "monitoring",
        "batch",
        "api",
        "ingest",
        "sync",
        "training",
    ];
    let mut app_names = HashMap::new();
    for _ in 0..sizes.apps {
        let base = format!(
            "{}-{}-{}",
            rng.pick(TEAMS),
            rng.pick(PURPOSES),
            rng.pick(names::ENVS)
        );
        let name = unique(&mut app_names, base).replace(' ', "-");
        sps.push(Sp {
            guid: rng.guid(),
            app_id: rng.guid(),
            name,
            managed: false,
            resource: None,
        });
    }
    for (i, r) in scopes.res.iter().enumerate() {
        if let (ResKind::Workspace | ResKind::Identity, Some(id)) = (r.kind, r.identity) {
            sps.push(Sp {
                guid: id,
                app_id: rng.guid(),
                name: r.name.clone(),
                managed: true,
                resource: Some(i),
            });
        }
    }

    let ghosts: Vec<(Guid, u16, u16)> = (0..sizes.deleted_principals)
        .map(|_| {
            (
                rng.guid(),
                rng.below(FIRST.len()) as u16,
                rng.below(LAST.len()) as u16,
            )
        })
        .collect();

    let mut dir = Directory {
        users,
        groups,
        sps,
        ghosts,
        edges: Vec::new(),
        json_members: Vec::new(),
    };
    memberships(&mut dir, sizes, &levels, &mut rng);
    dir
}

fn memberships(dir: &mut Directory, sizes: &Sizes, levels: &[Vec<usize>], rng: &mut Rng) {
    let mut edges: Vec<(u32, u32)> = Vec::new();
    let huge = dir.groups_of(GroupSort::Huge);
    let depts = dir.groups_of(GroupSort::Department);
    let regular: Vec<usize> = levels.iter().flatten().copied().collect();

    // Huge and department groups: member (not guest) users.
    for u in 0..dir.users.len() {
        if dir.users[u].guest.is_some() {
            continue;
        }
        let p = dir.user_p(u);
        if let Some(&all) = huge.first() {
            edges.push((all as u32, p));
        }
        if huge.len() > 1 {
            let region = huge[1 + rng.below(huge.len() - 1)];
            edges.push((region as u32, p));
        }
        if !depts.is_empty() {
            edges.push((*rng.pick(&depts) as u32, p));
        }
    }

    // Nesting: each group below level 0 is a member of one or two groups above it.
    let mut parents_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for l in 1..levels.len() {
        for &g in &levels[l] {
            let above = &levels[l - 1];
            let first = *rng.pick(above);
            let mut ps = vec![first];
            if above.len() > 1 && rng.chance(0.1) {
                let second = *rng.pick(above);
                if second != first {
                    ps.push(second);
                }
            }
            for &p in &ps {
                edges.push((p as u32, dir.group_p(g)));
            }
            parents_of.insert(g, ps);
        }
    }
    // Cycles: a group contains its parent (2-cycle) or its grandparent (3-cycle).
    let mut made = 0;
    let deep: Vec<usize> = levels.iter().skip(1).flatten().copied().collect();
    let mut tries = 0;
    while made < sizes.cycles && !deep.is_empty() && tries < 1000 {
        tries += 1;
        let g = *rng.pick(&deep);
        let parent = parents_of[&g][0];
        let target = if made % 2 == 1 {
            match parents_of.get(&parent) {
                Some(gp) => gp[0],
                None => continue,
            }
        } else {
            parent
        };
        let e = (g as u32, dir.group_p(target));
        if edges.contains(&e) {
            continue;
        }
        edges.push(e);
        made += 1;
    }

    // Users into regular groups, with skewed popularity.
    if !regular.is_empty() {
        let mut popularity = regular.clone();
        rng.shuffle(&mut popularity);
        let (lo, hi) = sizes.groups_per_user;
        let mut chosen: Vec<usize> = Vec::with_capacity(hi + 1);
        for u in 0..dir.users.len() {
            let k = if dir.users[u].guest.is_some() {
                rng.range(1, 2)
            } else {
                rng.range(lo, hi)
            }
            .min(popularity.len());
            chosen.clear();
            while chosen.len() < k {
                let g = popularity[rng.skewed(popularity.len())];
                if !chosen.contains(&g) {
                    chosen.push(g);
                }
            }
            for &g in &chosen {
                edges.push((g as u32, dir.user_p(u)));
            }
        }
        // Service principals and identities in a few groups.
        for s in 0..dir.sps.len() {
            let p = if dir.sps[s].managed { 0.15 } else { 0.3 };
            if rng.chance(p) {
                let g = *rng.pick(&regular);
                edges.push((g as u32, dir.sp_p(s)));
                if rng.chance(0.3) {
                    let g2 = *rng.pick(&regular);
                    if g2 != g {
                        edges.push((g2 as u32, dir.sp_p(s)));
                    }
                }
            }
        }
        // Stale entries: deleted users still listed as members.
        for i in 0..dir.ghosts.len().min(sizes.stale_members) {
            edges.push((*rng.pick(&regular) as u32, dir.ghost_p(i)));
        }
    }
    dir.edges = edges;
    dir.sort_edges();

    // Which groups get a JSON member file: every group without members, and a
    // sample of small regular groups; the rest go to the CSV edge lists.
    let runs = dir.runs();
    let mut json = vec![false; dir.groups.len()];
    let mut candidates = Vec::new();
    for (g, &(s, e)) in runs.iter().enumerate() {
        if dir.groups[g].sort == GroupSort::Incomplete {
            continue;
        }
        if s == e {
            json[g] = true;
        } else if dir.groups[g].sort == GroupSort::Regular && e - s <= 500 {
            candidates.push(g);
        }
    }
    rng.shuffle(&mut candidates);
    for &g in candidates.iter().take(sizes.json_member_groups) {
        json[g] = true;
    }
    dir.json_members = json;
}

const USERS_CONTEXT: &str = "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,userPrincipalName,userType,accountEnabled)";
const MEMBERS_CONTEXT: &str = "https://graph.microsoft.com/v1.0/$metadata#directoryObjects";

fn member_record(dir: &Directory, p: u32, r: &mut Rec<'_>) {
    match dir.who(p) {
        Who::User(i) => {
            let u = &dir.users[i];
            let title = JOB_TITLES[(u.guid.0 % JOB_TITLES.len() as u128) as usize];
            r.str("@odata.type", "#microsoft.graph.user")
                .guid("id", u.guid)
                .raw("businessPhones", "[]")
                .str("displayName", &u.display())
                .str("givenName", FIRST[u.first as usize].0)
                .str("jobTitle", title)
                .str("mail", &u.mail())
                .null("mobilePhone")
                .null("officeLocation")
                .null("preferredLanguage")
                .str("surname", LAST[u.last as usize].0)
                .str("userPrincipalName", &u.upn);
        }
        Who::Ghost(i) => {
            let (g, f, l) = dir.ghosts[i];
            let (fd, fa) = FIRST[f as usize];
            let (ld, la) = LAST[l as usize];
            r.str("@odata.type", "#microsoft.graph.user")
                .guid("id", g)
                .raw("businessPhones", "[]")
                .str("displayName", &format!("{fd} {ld}"))
                .str("givenName", fd)
                .null("jobTitle")
                .str("mail", &format!("{fa}.{la}.former@contoso.com"))
                .null("mobilePhone")
                .null("officeLocation")
                .null("preferredLanguage")
                .str("surname", ld)
                .str(
                    "userPrincipalName",
                    &format!("{fa}.{la}.former@contoso.com"),
                );
        }
        Who::Group(i) => {
            let g = &dir.groups[i];
            r.str("@odata.type", "#microsoft.graph.group")
                .guid("id", g.guid)
                .str("description", &g.description)
                .str("displayName", &g.name)
                .raw("groupTypes", if g.unified { "[\"Unified\"]" } else { "[]" })
                .bool("mailEnabled", g.unified)
                .bool("securityEnabled", !g.unified);
        }
        Who::Sp(i) => {
            let s = &dir.sps[i];
            r.str("@odata.type", "#microsoft.graph.servicePrincipal")
                .guid("id", s.guid)
                .guid("appId", s.app_id)
                .str("displayName", &s.name)
                .str(
                    "servicePrincipalType",
                    if s.managed {
                        "ManagedIdentity"
                    } else {
                        "Application"
                    },
                );
        }
    }
}

fn mail_nickname(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Writes `directory/` (users, groups, service principals) and `members/`.
pub(crate) fn write(
    dir: &Directory,
    scopes: &Scopes,
    sizes: &Sizes,
    out: &Path,
) -> Result<DirectoryFiles, SynthError> {
    let ddir = out.join("directory");
    let tenant = scopes.tenant.to_string();
    let mut files = DirectoryFiles::default();

    // Users: Graph pages, in chunks.
    let chunks: Vec<&[User]> = dir.users.chunks(sizes.users_per_file.max(1)).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let name = if chunks.len() == 1 {
            "users.json".to_string()
        } else {
            format!("users-{:03}.json", i + 1)
        };
        let open = format!("{{\"@odata.context\":\"{USERS_CONTEXT}\",\"value\":[\n");
        let mut f = RecordFile::create(&ddir.join(name), &open, "\n]}\n")?;
        for u in chunk.iter() {
            f.record(|r| {
                r.guid("id", u.guid)
                    .str("displayName", &u.display())
                    .str("userPrincipalName", &u.upn)
                    .str(
                        "userType",
                        if u.guest.is_some() { "Guest" } else { "Member" },
                    )
                    .bool("accountEnabled", u.enabled);
            })?;
        }
        files.users.push(f.finish()?);
    }

    // Groups: az ad group list.
    let mut f = RecordFile::create(&ddir.join("groups.json"), "[\n", "\n]\n")?;
    for g in &dir.groups {
        let nick = mail_nickname(&g.name);
        f.record(|r| {
            r.null("classification")
                .str("createdDateTime", &g.created.zulu())
                .str("description", &g.description)
                .str("displayName", &g.name)
                .raw("groupTypes", if g.unified { "[\"Unified\"]" } else { "[]" })
                .guid("id", g.guid);
            if g.unified {
                r.str("mail", &format!("{nick}@contoso.com"));
            } else {
                r.null("mail");
            }
            r.bool("mailEnabled", g.unified)
                .str("mailNickname", &nick)
                .bool("securityEnabled", !g.unified)
                .opt_str("visibility", g.unified.then_some("Private"));
        })?;
    }
    files.groups = Some(f.finish()?);

    // Service principals: az ad sp list.
    let mut f = RecordFile::create(&ddir.join("service-principals.json"), "[\n", "\n]\n")?;
    for s in &dir.sps {
        let alt: Vec<String> = match s.resource {
            Some(r) => {
                let explicit = scopes.res[r].kind == ResKind::Identity;
                vec![
                    format!("isExplicit={}", if explicit { "True" } else { "False" }),
                    scopes.res[r].id.clone(),
                ]
            }
            None => Vec::new(),
        };
        let names: Vec<String> = if s.managed {
            vec![
                s.app_id.to_string(),
                format!("https://identity.azure.net/{}", s.guid.simple()),
            ]
        } else {
            vec![s.app_id.to_string(), format!("api://{}", s.name)]
        };
        f.record(|r| {
            r.bool("accountEnabled", true)
                .strs("alternativeNames", &alt)
                .opt_str("appDisplayName", (!s.managed).then_some(s.name.as_str()))
                .guid("appId", s.app_id);
            if s.managed {
                r.str(
                    "appOwnerOrganizationId",
                    "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
                );
            } else {
                r.str("appOwnerOrganizationId", &tenant);
            }
            r.str("displayName", &s.name)
                .guid("id", s.guid)
                .strs("servicePrincipalNames", &names)
                .str(
                    "servicePrincipalType",
                    if s.managed {
                        "ManagedIdentity"
                    } else {
                        "Application"
                    },
                )
                .opt_str("signInAudience", (!s.managed).then_some("AzureADMyOrg"))
                .raw("tags", "[]");
        })?;
    }
    files.sps = Some(f.finish()?);

    // Members.
    let mdir = out.join("members");
    std::fs::create_dir_all(&mdir).map_err(|e| SynthError::Io {
        path: mdir.display().to_string(),
        source: e,
    })?;
    let runs = dir.runs();
    let mut json_count = 0;
    for (g, &(s, e)) in runs.iter().enumerate() {
        if !dir.json_members[g] {
            continue;
        }
        let path = mdir.join(format!("{}.json", dir.groups[g].guid));
        let graph = json_count % 3 == 2;
        json_count += 1;
        let mut f = if graph {
            let open = format!("{{\"@odata.context\":\"{MEMBERS_CONTEXT}\",\"value\":[\n");
            RecordFile::create(&path, &open, "\n]}\n")?
        } else {
            RecordFile::create(&path, "[\n", "\n]\n")?
        };
        for &(_, m) in &dir.edges[s..e] {
            f.record(|r| member_record(dir, m, r))?;
        }
        files.member_files.push(f.finish()?);
    }
    let mut csv: Option<LineFile> = None;
    let mut line = Vec::with_capacity(96);
    let mut csv_no = 0;
    for (g, &(s, e)) in runs.iter().enumerate() {
        if dir.json_members[g] || s == e {
            continue;
        }
        let full = csv
            .as_ref()
            .is_some_and(|f| f.records() >= sizes.edges_per_csv);
        if csv.is_none() || full {
            if let Some(f) = csv.take() {
                files.member_csv.push(f.finish()?);
            }
            csv_no += 1;
            let path = mdir.join(format!("edges-{csv_no:03}.csv"));
            csv = Some(LineFile::create(&path, "groupId,memberId,memberType")?);
        }
        let f = csv.as_mut().expect("open");
        let gid = dir.groups[g].guid.bytes();
        for &(_, m) in &dir.edges[s..e] {
            line.clear();
            line.extend_from_slice(&gid);
            line.push(b',');
            line.extend_from_slice(&dir.guid(m).bytes());
            line.push(b',');
            line.extend_from_slice(match dir.who(m) {
                Who::User(_) | Who::Ghost(_) => b"User" as &[u8],
                Who::Group(_) => b"Group",
                Who::Sp(_) => b"ServicePrincipal",
            });
            f.line(&line)?;
        }
    }
    if let Some(f) = csv.take() {
        files.member_csv.push(f.finish()?);
    }
    Ok(files)
}

#[derive(Debug, Default)]
pub(crate) struct DirectoryFiles {
    pub users: Vec<Written>,
    pub groups: Option<Written>,
    pub sps: Option<Written>,
    pub member_files: Vec<Written>,
    pub member_csv: Vec<Written>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_counts_sum_and_cover_every_level() {
        for (n, d) in [(10, 4), (39_591, 8), (3_957, 8), (8, 8), (3, 8)] {
            let c = level_counts(n, d);
            assert_eq!(c.iter().sum::<usize>(), n, "{n} {d} {c:?}");
            if n >= d {
                assert!(c.iter().all(|&x| x > 0), "{c:?}");
            }
        }
    }
}
