//! The resource hierarchy: management-group tree, subscriptions, resource groups
//! and resources (AzureML workspaces with their computes, storage accounts, key
//! vaults, user-assigned identities), and their four export files.
//!
//! The tree is generated level by level so that its depth is exactly the profile's
//! (every level has at least one group whose parent is on the level above). Every
//! resource group holds at least a storage account, and is also listed in
//! `scopes/resource-groups.json` (`az group list`), so every scope an assignment
//! names exists in the inputs. Workspaces and user-assigned identities carry the
//! object id of their managed identity, which the directory lists as a service
//! principal.

use std::collections::HashSet;
use std::path::Path;

use super::names::{self, ENVS, LOCATIONS, MG_WORDS, TEAMS};
use super::rng::{Guid, Rng};
use super::time::Stamp;
use super::write::{RecordFile, Written};
use super::{Sizes, SynthError};

pub(crate) const MG_PREFIX: &str = "/providers/Microsoft.Management/managementGroups/";

#[derive(Debug, Clone)]
pub(crate) struct Mg {
    pub name: String,
    pub display: String,
    pub parent: Option<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Sub {
    pub guid: Guid,
    pub name: String,
    pub mg: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Rg {
    pub sub: usize,
    pub name: String,
    pub location: &'static str,
    pub env: &'static str,
    pub team: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResKind {
    Workspace,
    /// A compute of the workspace with this resource index.
    Compute(usize),
    Storage,
    KeyVault,
    Identity,
}

#[derive(Debug, Clone)]
pub(crate) struct Res {
    pub rg: usize,
    pub kind: ResKind,
    /// As `az resource list` prints it (`ws/compute` for computes).
    pub name: String,
    pub id: String,
    pub created: Stamp,
    /// The managed identity's object id (workspaces, user-assigned identities).
    pub identity: Option<Guid>,
}

/// A scope, by index into [`Scopes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Scope {
    Root,
    Mg(u32),
    Sub(u32),
    Rg(u32),
    Res(u32),
}

#[derive(Debug)]
pub(crate) struct Scopes {
    pub tenant: Guid,
    pub mgs: Vec<Mg>,
    pub subs: Vec<Sub>,
    pub rgs: Vec<Rg>,
    pub res: Vec<Res>,
    pub mg_ids: Vec<String>,
    pub sub_ids: Vec<String>,
    pub rg_ids: Vec<String>,
    pub sub_rgs: Vec<Vec<usize>>,
    pub rg_res: Vec<Vec<usize>>,
    pub workspaces: Vec<usize>,
    pub computes: Vec<usize>,
    /// The storage account of each resource group.
    pub storage_of_rg: Vec<usize>,
}

impl Scopes {
    pub(crate) fn id(&self, s: Scope) -> &str {
        match s {
            Scope::Root => "/",
            Scope::Mg(i) => &self.mg_ids[i as usize],
            Scope::Sub(i) => &self.sub_ids[i as usize],
            Scope::Rg(i) => &self.rg_ids[i as usize],
            Scope::Res(i) => &self.res[i as usize].id,
        }
    }

    /// The subscription a scope is in (None for root and management groups).
    pub(crate) fn sub_of(&self, s: Scope) -> Option<usize> {
        match s {
            Scope::Root | Scope::Mg(_) => None,
            Scope::Sub(i) => Some(i as usize),
            Scope::Rg(i) => Some(self.rgs[i as usize].sub),
            Scope::Res(i) => Some(self.rgs[self.res[i as usize].rg].sub),
        }
    }

    /// The resource group a scope is in.
    pub(crate) fn rg_of(&self, s: Scope) -> Option<usize> {
        match s {
            Scope::Rg(i) => Some(i as usize),
            Scope::Res(i) => Some(self.res[i as usize].rg),
            _ => None,
        }
    }

    /// The management groups from `mg` up to the root, `mg` first.
    pub(crate) fn mg_chain(&self, mg: usize) -> Vec<usize> {
        let mut chain = vec![mg];
        let mut at = mg;
        while let Some(p) = self.mgs[at].parent {
            chain.push(p);
            at = p;
        }
        chain
    }

    /// Subscriptions under a management group (at any depth).
    pub(crate) fn subs_under(&self, mg: usize) -> Vec<usize> {
        (0..self.subs.len())
            .filter(|&s| self.mg_chain(self.subs[s].mg).contains(&mg))
            .collect()
    }
}

fn unique(used: &mut HashSet<String>, base: String) -> String {
    if used.insert(base.clone()) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| used.insert(c.clone()))
        .expect("some suffix is free")
}

pub(crate) fn generate(sizes: &Sizes, seed: u64) -> Scopes {
    let mut rng = Rng::stream(seed, "scopes");
    let tenant = rng.guid();

    // Management groups, level by level.
    let mut mgs = vec![Mg {
        name: tenant.to_string(),
        display: "Tenant Root Group".to_string(),
        parent: None,
    }];
    let mut used = HashSet::new();
    let mut levels: Vec<Vec<usize>> = vec![vec![0]];
    for (level, &count) in sizes.mg_levels.iter().enumerate().skip(1) {
        let prev = levels[level - 1].clone();
        let mut this = Vec::new();
        for k in 0..count {
            let parent = if k < prev.len() {
                prev[k]
            } else {
                *rng.pick(&prev)
            };
            let (name, display) = if level == 1 && k == 0 {
                used.insert("contoso".to_string());
                ("contoso".to_string(), "Contoso".to_string())
            } else {
                let word = *rng.pick(MG_WORDS);
                let name = unique(&mut used, word.to_string());
                let display = names::title(&name);
                (name, display)
            };
            this.push(mgs.len());
            mgs.push(Mg {
                name,
                display,
                parent: Some(parent),
            });
        }
        levels.push(this);
    }
    let mg_ids: Vec<String> = mgs
        .iter()
        .map(|m| format!("{MG_PREFIX}{}", m.name))
        .collect();

    // Subscriptions hang under management groups two levels down or deeper.
    let homes: Vec<usize> = levels.iter().skip(2).flatten().copied().collect();
    let homes = if homes.is_empty() {
        levels.last().cloned().unwrap_or_default()
    } else {
        homes
    };
    let mut sub_names = HashSet::new();
    let mut subs = Vec::new();
    for i in 0..sizes.subs {
        let team = *rng.pick(TEAMS);
        let env = *rng.pick(ENVS);
        let mg = if i < homes.len() && sizes.subs >= homes.len() {
            homes[i]
        } else {
            *rng.pick(&homes)
        };
        subs.push(Sub {
            guid: rng.guid(),
            name: unique(&mut sub_names, format!("contoso-{team}-{env}")),
            mg,
        });
    }
    let sub_ids: Vec<String> = subs
        .iter()
        .map(|s| format!("/subscriptions/{}", s.guid))
        .collect();

    // Resource groups: every subscription gets one, the rest by uneven weights.
    let weights: Vec<u32> = (0..subs.len()).map(|_| rng.range(1, 4) as u32).collect();
    let mut rg_names = HashSet::new();
    let mut rgs = Vec::new();
    for i in 0..sizes.rgs {
        let sub = if i < subs.len() {
            i
        } else {
            rng.weighted(&weights)
        };
        let team = *rng.pick(TEAMS);
        let env = *rng.pick(ENVS);
        rgs.push(Rg {
            sub,
            name: unique(&mut rg_names, format!("rg-{team}-{env}")),
            location: LOCATIONS[rng.below(LOCATIONS.len())],
            env,
            team,
        });
    }
    let rg_ids: Vec<String> = rgs
        .iter()
        .map(|r| format!("{}/resourceGroups/{}", sub_ids[r.sub], r.name))
        .collect();
    let mut sub_rgs = vec![Vec::new(); subs.len()];
    for (i, r) in rgs.iter().enumerate() {
        sub_rgs[r.sub].push(i);
    }

    // Resources.
    let from = Stamp::ymd(2021, 1, 1);
    let to = Stamp::ymd(2026, 6, 1);
    let mut res: Vec<Res> = Vec::new();
    let mut storage_of_rg = Vec::with_capacity(rgs.len());
    for (i, rg) in rgs.iter().enumerate() {
        let team: String = rg
            .team
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let env: String = rg.env.chars().take(5).collect();
        let name = format!("st{team}{env}{i:05}");
        storage_of_rg.push(res.len());
        res.push(Res {
            rg: i,
            kind: ResKind::Storage,
            id: format!(
                "{}/providers/Microsoft.Storage/storageAccounts/{name}",
                rg_ids[i]
            ),
            name,
            created: Stamp::between(&mut rng, from, to),
            identity: None,
        });
    }
    let mut rg_order: Vec<usize> = (0..rgs.len()).collect();
    rng.shuffle(&mut rg_order);
    let mut ws_names = HashSet::new();
    let mut workspaces = Vec::new();
    for i in 0..sizes.workspaces {
        let rg = rg_order[i % rg_order.len()];
        let base = format!("mlw-{}", rgs[rg].name.trim_start_matches("rg-"));
        let name = unique(&mut ws_names, base);
        let kv = format!("kv-{}", &name[4..]);
        let kv: String = kv.chars().take(24).collect::<String>();
        let kv = kv.trim_end_matches('-').to_string();
        workspaces.push(res.len());
        let created = Stamp::between(&mut rng, from, to);
        res.push(Res {
            rg,
            kind: ResKind::Workspace,
            id: format!(
                "{}/providers/Microsoft.MachineLearningServices/workspaces/{name}",
                rg_ids[rg]
            ),
            name,
            created,
            identity: Some(rng.guid()),
        });
        res.push(Res {
            rg,
            kind: ResKind::KeyVault,
            id: format!("{}/providers/Microsoft.KeyVault/vaults/{kv}", rg_ids[rg]),
            name: kv,
            created,
            identity: None,
        });
    }
    let mut per_ws = vec![0usize; workspaces.len()];
    let mut computes = Vec::new();
    if !workspaces.is_empty() {
        for i in 0..sizes.computes {
            let w = if i < workspaces.len() {
                i
            } else {
                rng.below(workspaces.len())
            };
            let k = per_ws[w];
            per_ws[w] += 1;
            let cname = match k {
                0 => "cpu-cluster".to_string(),
                1 => "gpu-cluster".to_string(),
                2 => "inference-cluster".to_string(),
                3 => "spark-pool".to_string(),
                _ => format!("ci-{}-{k:02}", rng.pick(names::FIRST).1),
            };
            let ws = &res[workspaces[w]];
            let (rg, created) = (
                ws.rg,
                Stamp::between(&mut rng, ws.created, to.plus_days(90)),
            );
            let id = format!("{}/computes/{cname}", ws.id);
            let name = format!("{}/{cname}", ws.name);
            computes.push(res.len());
            res.push(Res {
                rg,
                kind: ResKind::Compute(workspaces[w]),
                name,
                id,
                created,
                identity: None,
            });
        }
    }
    for i in 0..sizes.user_identities {
        let rg = rng.below(rgs.len());
        let name = format!("id-{}-{i:04}", rgs[rg].team);
        res.push(Res {
            rg,
            kind: ResKind::Identity,
            id: format!(
                "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
                rg_ids[rg]
            ),
            name,
            created: Stamp::between(&mut rng, from, to),
            identity: Some(rng.guid()),
        });
    }
    let mut rg_res = vec![Vec::new(); rgs.len()];
    for (i, r) in res.iter().enumerate() {
        rg_res[r.rg].push(i);
    }
    Scopes {
        tenant,
        mgs,
        subs,
        rgs,
        res,
        mg_ids,
        sub_ids,
        rg_ids,
        sub_rgs,
        rg_res,
        workspaces,
        computes,
        storage_of_rg,
    }
}

fn tags(r: &mut super::write::Rec<'_>, rg: &Rg, idx: usize) {
    let env = rg.env;
    let team = rg.team;
    r.obj("tags", |t| {
        t.str("environment", env)
            .str("costCenter", &format!("CC-{:04}", 1000 + idx % 9000))
            .str("owner", &format!("{team}@contoso.com"));
    });
}

/// Writes `scopes/management-groups.json`, `subscriptions.json`,
/// `resource-groups.json` and `resources.json`.
pub(crate) fn write(s: &Scopes, out: &Path) -> Result<Vec<Written>, SynthError> {
    let dir = out.join("scopes");
    let tenant = s.tenant.to_string();
    let mut written = Vec::new();

    // az account management-group entities list: management groups and subscriptions.
    let n = s.mgs.len();
    let mut child_groups = vec![0usize; n];
    let mut child_subs = vec![0usize; n];
    for m in &s.mgs {
        if let Some(p) = m.parent {
            child_groups[p] += 1;
        }
    }
    for sub in &s.subs {
        child_subs[sub.mg] += 1;
    }
    let mut descendants = vec![0usize; n];
    for i in 0..n {
        for a in s.mg_chain(i).into_iter().skip(1) {
            descendants[a] += 1;
        }
    }
    for sub in &s.subs {
        for a in s.mg_chain(sub.mg) {
            descendants[a] += 1;
        }
    }
    let chains = |mg: Option<usize>| -> (Vec<&str>, Vec<&str>) {
        let Some(mg) = mg else {
            return (Vec::new(), Vec::new());
        };
        let mut c = s.mg_chain(mg);
        c.reverse();
        (
            c.iter().map(|&i| s.mgs[i].display.as_str()).collect(),
            c.iter().map(|&i| s.mgs[i].name.as_str()).collect(),
        )
    };
    let mut f = RecordFile::create(&dir.join("management-groups.json"), "[\n", "\n]\n")?;
    for (i, m) in s.mgs.iter().enumerate() {
        let (displays, names) = chains(m.parent);
        f.record(|r| {
            r.str("displayName", &m.display)
                .str("id", &s.mg_ids[i])
                .str("inheritedPermissions", "view")
                .str("name", &m.name)
                .num("numberOfChildGroups", child_groups[i])
                .num("numberOfChildren", child_groups[i] + child_subs[i])
                .num("numberOfDescendants", descendants[i]);
            match m.parent {
                Some(p) => r.obj("parent", |o| {
                    o.str("id", &s.mg_ids[p]);
                }),
                None => r.null("parent"),
            };
            r.strs("parentDisplayNameChain", &displays)
                .strs("parentNameChain", &names)
                .str("permissions", "view")
                .str("tenantId", &tenant)
                .str("type", "Microsoft.Management/managementGroups");
        })?;
    }
    for (i, sub) in s.subs.iter().enumerate() {
        let (displays, names) = chains(Some(sub.mg));
        f.record(|r| {
            r.str("displayName", &sub.name)
                .str("id", &s.sub_ids[i])
                .str("inheritedPermissions", "view")
                .guid("name", sub.guid)
                .null("numberOfChildGroups")
                .null("numberOfChildren")
                .null("numberOfDescendants")
                .obj("parent", |o| {
                    o.str("id", &s.mg_ids[sub.mg]);
                })
                .strs("parentDisplayNameChain", &displays)
                .strs("parentNameChain", &names)
                .str("permissions", "view")
                .str("tenantId", &tenant)
                .str("type", "/subscriptions");
        })?;
    }
    written.push(f.finish()?);

    // az account list
    let mut f = RecordFile::create(&dir.join("subscriptions.json"), "[\n", "\n]\n")?;
    for (i, sub) in s.subs.iter().enumerate() {
        f.record(|r| {
            r.str("cloudName", "AzureCloud")
                .str("homeTenantId", &tenant)
                .guid("id", sub.guid)
                .bool("isDefault", i == 0)
                .raw("managedByTenants", "[]")
                .str("name", &sub.name)
                .str("state", "Enabled")
                .str("tenantId", &tenant)
                .obj("user", |u| {
                    u.str("name", "platform-automation@contoso.com")
                        .str("type", "user");
                });
        })?;
    }
    written.push(f.finish()?);

    // az group list
    let mut f = RecordFile::create(&dir.join("resource-groups.json"), "[\n", "\n]\n")?;
    for (i, rg) in s.rgs.iter().enumerate() {
        f.record(|r| {
            r.str("id", &s.rg_ids[i])
                .str("location", rg.location)
                .null("managedBy")
                .str("name", &rg.name)
                .obj("properties", |p| {
                    p.str("provisioningState", "Succeeded");
                });
            tags(r, rg, i);
            r.str("type", "Microsoft.Resources/resourceGroups");
        })?;
    }
    written.push(f.finish()?);

    // az resource list
    let mut f = RecordFile::create(&dir.join("resources.json"), "[\n", "\n]\n")?;
    for res in &s.res {
        let rg = &s.rgs[res.rg];
        let (typ, kind, sku) = match res.kind {
            ResKind::Workspace => (
                "Microsoft.MachineLearningServices/workspaces",
                Some("Default"),
                Some(("Basic", "Basic")),
            ),
            ResKind::Compute(_) => (
                "Microsoft.MachineLearningServices/workspaces/computes",
                None,
                None,
            ),
            ResKind::Storage => (
                "Microsoft.Storage/storageAccounts",
                Some("StorageV2"),
                Some(("Standard_LRS", "Standard")),
            ),
            ResKind::KeyVault => ("Microsoft.KeyVault/vaults", None, None),
            ResKind::Identity => (
                "Microsoft.ManagedIdentity/userAssignedIdentities",
                None,
                None,
            ),
        };
        f.record(|r| {
            r.str("changedTime", &res.created.plus_days(30).az())
                .str("createdTime", &res.created.az())
                .null("extendedLocation")
                .str("id", &res.id);
            match (res.kind, res.identity) {
                (ResKind::Workspace, Some(id)) => r.obj("identity", |o| {
                    o.guid("principalId", id)
                        .str("tenantId", &tenant)
                        .str("type", "SystemAssigned")
                        .null("userAssignedIdentities");
                }),
                _ => r.null("identity"),
            };
            r.opt_str("kind", kind)
                .str("location", rg.location)
                .null("managedBy")
                .str("name", &res.name)
                .null("plan")
                .null("properties")
                .str("provisioningState", "Succeeded")
                .str("resourceGroup", &rg.name);
            match sku {
                Some((name, tier)) => r.obj("sku", |o| {
                    o.null("capacity")
                        .null("family")
                        .null("model")
                        .str("name", name)
                        .null("size")
                        .str("tier", tier);
                }),
                None => r.null("sku"),
            };
            tags(r, rg, res.rg);
            r.str("type", typ);
        })?;
    }
    written.push(f.finish()?);
    Ok(written)
}
