//! Resource facts (issue 15): what each workspace links to and how its data is
//! reached, written as the ARM records `whocan import` reads for `--effective`
//! (`resources/*.json`, the shapes of `sample-data/resources/`).
//!
//! For every workspace: its record with links to its resource group's storage
//! account, its key vault (most with RBAC authorization, some with access
//! policies) and a container registry of its own, and its managed identity;
//! 1–3 datastores (`workspaceblobstore` with an account key, or identity-based
//! when the account refuses Shared Key; then identity-based, SAS or service
//! principal ones, the latter with the appId of a generated application). Every
//! compute gets an identity: four in five system-assigned, one in five a
//! user-assigned identity of its own (a resource in the compute's resource
//! group); both are service principals of type ManagedIdentity in the directory.
//! About a fifth of storage accounts set `allowSharedKeyAccess: false`.
//!
//! The identities hold a few roles ([`Facts::assignments`]): Storage Blob Data
//! Reader or Contributor on the workspace's account for most, Contributor on the
//! resource group for a few, Owner there for very few (always the first compute's
//! identity, so that `lint`'s escalation-to-owner has something to find); a
//! service-principal datastore's application reads its account. They are part of
//! the profile's assignment count, not added to it, and the churn leaves them.
//!
//! Counts follow from the sizes alone ([`Sizes::fact_resources`]); which kind of
//! datastore, vault or role each gets is drawn from the `facts` stream, so the
//! other streams (and files of other kinds) are unchanged by it.

use std::collections::HashSet;
use std::path::Path;

use super::directory::{Directory, Sp};
use super::grants::Assignment;
use super::rng::{Guid, Rng};
use super::roles;
use super::scopes::{ResKind, Scope, Scopes};
use super::time::Stamp;
use super::write::{Rec, RecordFile, Written};
use super::{Sizes, SynthError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cred {
    AccountKey,
    Sas,
    ServicePrincipal(Guid),
    None,
}

#[derive(Debug, Clone)]
pub(crate) struct Datastore {
    pub name: String,
    /// The storage account (resource index).
    pub account: usize,
    pub container: String,
    pub cred: Cred,
}

#[derive(Debug, Clone)]
pub(crate) struct WsFacts {
    /// The workspace (resource index).
    pub ws: usize,
    pub key_vault: usize,
    pub registry_name: String,
    pub registry_id: String,
    pub kv_rbac: bool,
    pub datastores: Vec<Datastore>,
}

#[derive(Debug, Clone)]
pub(crate) enum ComputeIdentity {
    System(Guid),
    /// A user-assigned identity: its resource id, principal id, client id.
    User(String, Guid, Guid),
}

#[derive(Debug, Clone)]
pub(crate) struct Uai {
    pub rg: usize,
    pub name: String,
    pub id: String,
    pub principal: Guid,
    pub client: Guid,
}

#[derive(Debug)]
pub(crate) struct Facts {
    pub workspaces: Vec<WsFacts>,
    /// One per compute, in `Scopes::computes` order.
    pub computes: Vec<ComputeIdentity>,
    pub identities: Vec<Uai>,
    /// `allowSharedKeyAccess` per storage account, in `Scopes::storage_of_rg` order.
    pub shared_key: Vec<bool>,
    /// The identities' and datastore applications' role assignments.
    pub assignments: Vec<Assignment>,
}

impl Sizes {
    /// Datastores of the workspace with this index: 1, 2 or 3 in turn.
    pub fn datastores_of(w: usize) -> usize {
        1 + w % 3
    }

    /// Whether the compute with this index has a user-assigned identity (one in
    /// five; the others are system-assigned).
    pub fn user_assigned_compute(c: usize) -> bool {
        c % 5 == 1
    }

    /// Resources that only the facts files hold: a container registry per
    /// workspace, the datastores, the computes' user-assigned identities.
    pub fn fact_resources(&self) -> usize {
        self.workspaces
            + (0..self.workspaces)
                .map(Sizes::datastores_of)
                .sum::<usize>()
            + (0..self.computes)
                .filter(|&c| Sizes::user_assigned_compute(c))
                .count()
    }
}

fn alnum(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Draws the facts, adds the computes' identities to the directory as service
/// principals, and returns the facts with their role assignments.
pub(crate) fn generate(seed: u64, s: &Scopes, dir: &mut Directory) -> Facts {
    let mut rng = Rng::stream(seed, "facts");
    // One account in five refuses Shared Key (by index, so every profile has one).
    let shared_key: Vec<bool> = (0..s.storage_of_rg.len()).map(|i| i % 5 != 2).collect();
    let mut extra = 0usize;
    let apps: Vec<usize> = (0..dir.sps.len())
        .filter(|&i| !dir.sps[i].managed)
        .collect();

    let mut workspaces = Vec::with_capacity(s.workspaces.len());
    for (w, &ws) in s.workspaces.iter().enumerate() {
        let r = &s.res[ws];
        let rg = r.rg;
        let own = s.storage_of_rg[rg];
        let rg_id = &s.rg_ids[rg];
        let registry_name: String = format!("cr{}{w:04}", alnum(&r.name[4..]))
            .chars()
            .take(50)
            .collect();
        let registry_id =
            format!("{rg_id}/providers/Microsoft.ContainerRegistry/registries/{registry_name}");
        let mut datastores = Vec::new();
        for k in 0..Sizes::datastores_of(w) {
            let ds = if k == 0 {
                Datastore {
                    name: "workspaceblobstore".into(),
                    account: own,
                    container: format!("azureml-blobstore-{}", rng.guid()),
                    cred: if shared_key[rg] {
                        Cred::AccountKey
                    } else {
                        Cred::None
                    },
                }
            } else {
                // The first three of the tenant are one of each, the rest drawn.
                let k = match extra {
                    0 => 0,
                    1 => 2,
                    2 => 1,
                    _ => rng.weighted(&[50, 25, 25]),
                };
                extra += 1;
                let cred = match if apps.is_empty() && k == 2 { 0 } else { k } {
                    0 => Cred::None,
                    1 => Cred::Sas,
                    _ => Cred::ServicePrincipal(dir.sps[*rng.pick(&apps)].app_id),
                };
                // Another account of the subscription now and then.
                let sub_rgs = &s.sub_rgs[s.rgs[rg].sub];
                let account = if rng.chance(0.3) {
                    s.storage_of_rg[*rng.pick(sub_rgs)]
                } else {
                    own
                };
                let container = [
                    "training-data",
                    "features",
                    "curated",
                    "raw",
                    "partner-drop",
                ][rng.below(5)];
                Datastore {
                    name: format!("{}_{k}", container.replace('-', "_")),
                    account,
                    container: container.to_string(),
                    cred,
                }
            };
            datastores.push(ds);
        }
        workspaces.push(WsFacts {
            ws,
            key_vault: ws + 1,
            registry_name,
            registry_id,
            // One vault in seven keeps access policies (by index, as above).
            kv_rbac: w % 7 != 2,
            datastores,
        });
        debug_assert_eq!(s.res[ws + 1].kind, ResKind::KeyVault);
    }

    // Compute identities, added to the directory after its own principals.
    let mut computes = Vec::with_capacity(s.computes.len());
    let mut identities = Vec::new();
    let mut new_sps = Vec::new();
    for (c, &ci) in s.computes.iter().enumerate() {
        let r = &s.res[ci];
        let principal = rng.guid();
        let app_id = rng.guid();
        if Sizes::user_assigned_compute(c) {
            let short = r.name.rsplit('/').next().unwrap_or(&r.name);
            let ws_name = r.name.split('/').next().unwrap_or(&r.name);
            let name = format!("id-{}-{short}", &ws_name[4..]);
            let id = format!(
                "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
                s.rg_ids[r.rg]
            );
            new_sps.push(Sp {
                guid: principal,
                app_id,
                name: name.clone(),
                managed: true,
                resource: None,
            });
            identities.push(Uai {
                rg: r.rg,
                name,
                id: id.clone(),
                principal,
                client: app_id,
            });
            computes.push(ComputeIdentity::User(id, principal, app_id));
        } else {
            new_sps.push(Sp {
                guid: principal,
                app_id,
                name: r.name.clone(),
                managed: true,
                resource: None,
            });
            computes.push(ComputeIdentity::System(principal));
        }
    }
    let first_new = dir.sps.len();
    dir.add_sps(new_sps);

    // Their role assignments.
    let mut assignments = Vec::new();
    let mut seen = HashSet::new();
    let admins = dir.users.len().clamp(1, 40);
    let known = |role: usize| role < roles::KNOWN;
    let mut assign = |rng: &mut Rng, principal: u32, role: usize, scope: Scope| {
        if !known(role) || !seen.insert((principal, role, scope)) {
            return;
        }
        assignments.push(Assignment {
            name: rng.guid(),
            principal,
            role: role as u32,
            scope,
            short_form: rng.chance(0.2),
            created: Stamp::between(rng, Stamp::ymd(2021, 1, 1), Stamp::ymd(2026, 8, 15)),
            created_by: dir.user_p(rng.below(admins)),
            condition: None,
            fact: true,
        });
    };
    for (c, &ci) in s.computes.iter().enumerate() {
        let principal = dir.sp_p(first_new + c);
        let rg = s.res[ci].rg;
        let account = Scope::Res(s.storage_of_rg[rg] as u32);
        if rng.chance(0.55) {
            assign(&mut rng, principal, roles::BLOB_READER, account);
        } else if rng.chance(0.5) {
            assign(&mut rng, principal, roles::BLOB_CONTRIBUTOR, account);
        }
        if c == 0 || rng.chance(0.015) {
            assign(&mut rng, principal, roles::OWNER, Scope::Rg(rg as u32));
        } else if rng.chance(0.06) {
            assign(
                &mut rng,
                principal,
                roles::CONTRIBUTOR,
                Scope::Rg(rg as u32),
            );
        }
    }
    for w in &workspaces {
        for d in &w.datastores {
            if let Cred::ServicePrincipal(app) = d.cred {
                if let Some(i) = apps.iter().find(|&&i| dir.sps[i].app_id == app) {
                    let scope = Scope::Res(d.account as u32);
                    assign(&mut rng, dir.sp_p(*i), roles::BLOB_READER, scope);
                }
            }
        }
    }
    Facts {
        workspaces,
        computes,
        identities,
        shared_key,
        assignments,
    }
}

fn system_data(r: &mut Rec<'_>, created: Stamp) {
    r.obj("systemData", |o| {
        o.str("createdAt", &created.az())
            .str("createdBy", "platform-automation@contoso.com")
            .str("createdByType", "User")
            .str("lastModifiedAt", &created.plus_days(30).az())
            .str("lastModifiedBy", "platform-automation@contoso.com")
            .str("lastModifiedByType", "User");
    });
}

/// The files written, in the order of [`write`].
#[derive(Debug)]
pub(crate) struct FactFiles {
    pub workspaces: Written,
    pub computes: Written,
    pub datastores: Written,
    pub storage: Written,
    pub key_vaults: Written,
    pub registries: Written,
    pub identities: Written,
}

/// Writes `resources/workspaces.json`, `computes.json`, `datastores.json`,
/// `storage-accounts.json`, `key-vaults.json`, `container-registries.json` and
/// `user-assigned-identities.json`, as ARM list pages (`{"value": [...]}`).
pub(crate) fn write(f: &Facts, s: &Scopes, out: &Path) -> Result<FactFiles, SynthError> {
    let dir = out.join("resources");
    let tenant = s.tenant.to_string();
    let open = "{\"value\":[\n";
    let close = "\n]}\n";

    let mut file = RecordFile::create(&dir.join("workspaces.json"), open, close)?;
    for w in &f.workspaces {
        let r = &s.res[w.ws];
        let rg = &s.rgs[r.rg];
        file.record(|o| {
            o.str("id", &r.id)
                .str("name", &r.name)
                .str("type", "Microsoft.MachineLearningServices/workspaces")
                .str("location", rg.location);
            if let Some(id) = r.identity {
                o.obj("identity", |i| {
                    i.str("type", "SystemAssigned")
                        .guid("principalId", id)
                        .str("tenantId", &tenant);
                });
            }
            o.str("kind", "Default").obj("properties", |p| {
                p.str("friendlyName", &r.name)
                    .str("storageAccount", &s.res[s.storage_of_rg[r.rg]].id)
                    .str("keyVault", &s.res[w.key_vault].id)
                    .str("containerRegistry", &w.registry_id)
                    .str(
                        "applicationInsights",
                        &format!(
                            "{}/providers/Microsoft.Insights/components/appi-{}",
                            s.rg_ids[r.rg],
                            &r.name[4..]
                        ),
                    )
                    .bool("hbiWorkspace", false)
                    .str("publicNetworkAccess", "Enabled")
                    .str("provisioningState", "Succeeded");
            });
            system_data(o, r.created);
        })?;
    }
    let workspaces = file.finish()?;

    let mut file = RecordFile::create(&dir.join("computes.json"), open, close)?;
    for (c, &ci) in s.computes.iter().enumerate() {
        let r = &s.res[ci];
        let short = r.name.rsplit('/').next().unwrap_or(&r.name);
        file.record(|o| {
            o.str("id", &r.id)
                .str("name", short)
                .str(
                    "type",
                    "Microsoft.MachineLearningServices/workspaces/computes",
                )
                .str("location", s.rgs[r.rg].location)
                .obj("identity", |i| match &f.computes[c] {
                    ComputeIdentity::System(p) => {
                        i.str("type", "SystemAssigned")
                            .guid("principalId", *p)
                            .str("tenantId", &tenant);
                    }
                    ComputeIdentity::User(id, p, client) => {
                        i.str("type", "UserAssigned")
                            .obj("userAssignedIdentities", |u| {
                                u.obj(id, |e| {
                                    e.guid("principalId", *p).guid("clientId", *client);
                                });
                            });
                    }
                })
                .obj("properties", |p| {
                    p.str(
                        "computeType",
                        if short.starts_with("ci-") {
                            "ComputeInstance"
                        } else {
                            "AmlCompute"
                        },
                    )
                    .str("provisioningState", "Succeeded")
                    .bool("disableLocalAuth", true);
                });
            system_data(o, r.created);
        })?;
    }
    let computes = file.finish()?;

    let mut file = RecordFile::create(&dir.join("datastores.json"), open, close)?;
    for w in &f.workspaces {
        let ws = &s.res[w.ws];
        for (k, d) in w.datastores.iter().enumerate() {
            let acc = &s.res[d.account];
            let acc_rg = &s.rgs[acc.rg];
            file.record(|o| {
                o.str("id", &format!("{}/datastores/{}", ws.id, d.name))
                    .str("name", &d.name)
                    .str(
                        "type",
                        "Microsoft.MachineLearningServices/workspaces/datastores",
                    )
                    .obj("properties", |p| {
                        p.bool("isDefault", k == 0)
                            .obj("credentials", |c| match d.cred {
                                Cred::AccountKey => {
                                    c.str("credentialsType", "AccountKey").obj("secrets", |x| {
                                        x.str("secretsType", "AccountKey");
                                    });
                                }
                                Cred::Sas => {
                                    c.str("credentialsType", "Sas").obj("secrets", |x| {
                                        x.str("secretsType", "Sas");
                                    });
                                }
                                Cred::ServicePrincipal(app) => {
                                    c.str("credentialsType", "ServicePrincipal")
                                        .str("authorityUrl", "https://login.microsoftonline.com")
                                        .guid("clientId", app)
                                        .str("resourceUrl", "https://storage.azure.com/")
                                        .str("tenantId", &tenant)
                                        .obj("secrets", |x| {
                                            x.str("secretsType", "ServicePrincipal");
                                        });
                                }
                                Cred::None => {
                                    c.str("credentialsType", "None");
                                }
                            });
                        let file_share = d.cred == Cred::Sas;
                        p.str(
                            "datastoreType",
                            if file_share { "AzureFile" } else { "AzureBlob" },
                        )
                        .str("endpoint", "core.windows.net")
                        .str("protocol", "https")
                        .str("accountName", &acc.name)
                        .str(
                            if file_share {
                                "fileShareName"
                            } else {
                                "containerName"
                            },
                            &d.container,
                        )
                        .guid("subscriptionId", s.subs[acc_rg.sub].guid)
                        .str("resourceGroup", &acc_rg.name)
                        .str(
                            "serviceDataAccessAuthIdentity",
                            if d.cred == Cred::None {
                                "WorkspaceSystemAssignedIdentity"
                            } else {
                                "None"
                            },
                        );
                    });
                system_data(o, ws.created);
            })?;
        }
    }
    let datastores = file.finish()?;

    let mut file = RecordFile::create(&dir.join("storage-accounts.json"), open, close)?;
    for (i, &st) in s.storage_of_rg.iter().enumerate() {
        let r = &s.res[st];
        file.record(|o| {
            o.str("id", &r.id)
                .str("name", &r.name)
                .str("type", "Microsoft.Storage/storageAccounts")
                .str("location", s.rgs[r.rg].location)
                .str("kind", "StorageV2")
                .obj("properties", |p| {
                    p.str("minimumTlsVersion", "TLS1_2")
                        .bool("allowBlobPublicAccess", false)
                        .bool("supportsHttpsTrafficOnly", true)
                        .str("provisioningState", "Succeeded")
                        .bool("allowSharedKeyAccess", f.shared_key[i]);
                });
        })?;
    }
    let storage = file.finish()?;

    let mut file = RecordFile::create(&dir.join("key-vaults.json"), open, close)?;
    for w in &f.workspaces {
        let r = &s.res[w.key_vault];
        let ws_identity = s.res[w.ws].identity;
        file.record(|o| {
            o.str("id", &r.id)
                .str("name", &r.name)
                .str("type", "Microsoft.KeyVault/vaults")
                .str("location", s.rgs[r.rg].location)
                .obj("properties", |p| {
                    p.str("tenantId", &tenant);
                    match (w.kv_rbac, ws_identity) {
                        (false, Some(id)) => p.objs("accessPolicies", &[id], |a, id| {
                            a.str("tenantId", &tenant).guid("objectId", *id).obj(
                                "permissions",
                                |x| {
                                    x.strs("secrets", &["get", "list", "set", "delete"]);
                                },
                            );
                        }),
                        _ => p.raw("accessPolicies", "[]"),
                    };
                    p.bool("enableRbacAuthorization", w.kv_rbac)
                        .bool("enableSoftDelete", true)
                        .str("vaultUri", &format!("https://{}.vault.azure.net/", r.name))
                        .str("provisioningState", "Succeeded");
                });
        })?;
    }
    let key_vaults = file.finish()?;

    let mut file = RecordFile::create(&dir.join("container-registries.json"), open, close)?;
    for w in &f.workspaces {
        let rg = &s.rgs[s.res[w.ws].rg];
        file.record(|o| {
            o.str("id", &w.registry_id)
                .str("name", &w.registry_name)
                .str("type", "Microsoft.ContainerRegistry/registries")
                .str("location", rg.location)
                .obj("properties", |p| {
                    p.str("loginServer", &format!("{}.azurecr.io", w.registry_name))
                        .bool("adminUserEnabled", false)
                        .str("provisioningState", "Succeeded");
                });
        })?;
    }
    let registries = file.finish()?;

    let mut file = RecordFile::create(&dir.join("user-assigned-identities.json"), open, close)?;
    for u in &f.identities {
        file.record(|o| {
            o.str("id", &u.id)
                .str("name", &u.name)
                .str("type", "Microsoft.ManagedIdentity/userAssignedIdentities")
                .str("location", s.rgs[u.rg].location)
                .obj("properties", |p| {
                    p.str("tenantId", &tenant)
                        .guid("principalId", u.principal)
                        .guid("clientId", u.client);
                });
        })?;
    }
    let identities = file.finish()?;
    Ok(FactFiles {
        workspaces,
        computes,
        datastores,
        storage,
        key_vaults,
        registries,
        identities,
    })
}
