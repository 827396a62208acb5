//! What a resource's own record states that decides who reaches the data behind a
//! workspace (issue 15): read from the same records that make resource scopes.
//!
//! | record | read | forms |
//! | --- | --- | --- |
//! | workspace | `properties.storageAccount` / `keyVault` / `containerRegistry` / `applicationInsights`, `identity` | ARM (Workspaces_Get/List), `az ml workspace list` (`storage_account`, ...) |
//! | compute | `identity` | ARM (Compute_List), `az ml compute list` (`principal_id`, `user_assigned_identities: [...]`) |
//! | datastore | `datastoreType`, `accountName`, container, `subscriptionId`, `resourceGroup`, `credentials.credentialsType` / `clientId` | ARM (Datastores_List), `az ml datastore list` |
//! | storage account | `allowSharedKeyAccess` | ARM (StorageAccounts_List), `az storage account list` (flat) |
//! | key vault | `enableRbacAuthorization` | ARM (Vaults_ListBySubscription), `az keyvault list` |
//! | user-assigned identity | `principalId` | ARM (UserAssignedIdentities_ListBySubscription), `az identity list` (flat) |
//!
//! Only the fields [`ResourceFacts`] names are read: a datastore's `secrets` are
//! never looked at, and of `az ml`'s credentials only which kind they are. Unknown
//! fields are ignored; a field of the wrong type is an error at its path. A record
//! that states none of these facts gives none (`Ok(None)`), except a storage
//! account's: every account imported is known by name, for the datastores that
//! name only their `accountName`.

use crate::model::{scope_key, Datastore, ManagedIdentities, ResourceFacts, UserAssignedIdentity};

use super::json::{Obj, Seg, Val};
use super::shapes::{child, opt_bool, req_str, Problem};

/// The kinds of resource whose facts are read, by ARM type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Workspace,
    Compute,
    Datastore,
    StorageAccount,
    KeyVault,
    UserAssignedIdentity,
}

fn kind_of(resource_type: &str) -> Option<Kind> {
    let t = resource_type.to_ascii_lowercase();
    Some(match t.as_str() {
        "microsoft.machinelearningservices/workspaces" => Kind::Workspace,
        "microsoft.machinelearningservices/workspaces/computes" => Kind::Compute,
        "microsoft.machinelearningservices/workspaces/datastores" => Kind::Datastore,
        "microsoft.storage/storageaccounts" => Kind::StorageAccount,
        "microsoft.keyvault/vaults" => Kind::KeyVault,
        "microsoft.managedidentity/userassignedidentities" => Kind::UserAssignedIdentity,
        _ => return None,
    })
}

/// A string field, when present: ids, names and kinds are strings (a number or a
/// boolean is of the wrong type here).
fn opt_str(o: &Obj, key: &'static str, path: &[Seg]) -> Result<Option<String>, Problem> {
    match o.get(key) {
        None | Some(Val::Null) => Ok(None),
        Some(Val::Str(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!("expected a string, found {}", other.describe()),
        )),
    }
}

/// `properties`, when the record has it (ARM); an error when it is not an object.
fn properties<'a>(o: &'a Obj, path: &[Seg]) -> Result<Option<&'a Obj>, Problem> {
    match o.get("properties") {
        None | Some(Val::Null) => Ok(None),
        Some(Val::Obj(p)) => Ok(Some(p)),
        Some(other) => Err(Problem::new(
            &child(path, Seg::Key("properties")),
            format!("expected an object, found {}", other.describe()),
        )),
    }
}

/// An object field, when present; an error when it is not an object.
fn opt_obj<'a>(o: &'a Obj, key: &'static str, path: &[Seg]) -> Result<Option<&'a Obj>, Problem> {
    match o.get(key) {
        None | Some(Val::Null) => Ok(None),
        Some(Val::Obj(x)) => Ok(Some(x)),
        Some(other) => Err(Problem::new(
            &child(path, Seg::Key(key)),
            format!("expected an object, found {}", other.describe()),
        )),
    }
}

/// A string read from `properties.<camel>` (ARM) or else the record's own
/// `<flat>` field (`az` prints some records flat, `az ml` in snake case).
fn linked(
    o: &Obj,
    props: Option<&Obj>,
    path: &[Seg],
    camel: &'static str,
    flat: &'static str,
) -> Result<Option<String>, Problem> {
    if let Some(p) = props {
        let ppath = child(path, Seg::Key("properties"));
        if let Some(v) = opt_str(p, camel, &ppath)? {
            return Ok(Some(v).filter(|v| !v.trim().is_empty()));
        }
    }
    Ok(opt_str(o, flat, path)?.filter(|v| !v.trim().is_empty()))
}

/// A boolean read from `properties.<key>` (ARM) or the record's own `<key>` (`az`
/// storage account list prints the account flat).
fn setting(
    o: &Obj,
    props: Option<&Obj>,
    path: &[Seg],
    key: &'static str,
) -> Result<Option<bool>, Problem> {
    if let Some(p) = props {
        if let Some(v) = opt_bool(p, key, &child(path, Seg::Key("properties")))? {
            return Ok(Some(v));
        }
    }
    opt_bool(o, key, path)
}

/// A resource's `identity`: ARM (`principalId`, `userAssignedIdentities` keyed by
/// resource id) or `az ml` (`principal_id`, `user_assigned_identities` as a list of
/// `{resource_id, principal_id, client_id}`). None when it names no identity.
fn identity(o: &Obj, path: &[Seg]) -> Result<Option<ManagedIdentities>, Problem> {
    let Some(id) = opt_obj(o, "identity", path)? else {
        return Ok(None);
    };
    let ipath = child(path, Seg::Key("identity"));
    let system_assigned = match opt_str(id, "principalId", &ipath)? {
        Some(p) => Some(p),
        None => opt_str(id, "principal_id", &ipath)?,
    }
    .filter(|p| !p.trim().is_empty());
    let mut user_assigned = Vec::new();
    // ARM: an object keyed by resource id, kept by the parser as [key, value] pairs.
    if let Some(v) = id.get("userAssignedIdentities") {
        let upath = child(&ipath, Seg::Key("userAssignedIdentities"));
        let Val::Arr(pairs) = v else {
            if *v == Val::Null {
                return finish(system_assigned, user_assigned);
            }
            return Err(Problem::new(
                &upath,
                format!("expected an object, found {}", v.describe()),
            ));
        };
        for (i, pair) in pairs.iter().enumerate() {
            let epath = child(&upath, Seg::Index(i));
            let (resource_id, value) = match pair {
                Val::Arr(kv) => match &kv[..] {
                    [Val::Str(k), v] => (k.clone(), v),
                    _ => unreachable!("the parser keeps entries as [key, value]"),
                },
                _ => unreachable!("the parser keeps entries as [key, value]"),
            };
            let entry = match value {
                Val::Null => UserAssignedIdentity {
                    resource_id,
                    principal_id: None,
                    client_id: None,
                },
                Val::Obj(e) => UserAssignedIdentity {
                    resource_id,
                    principal_id: opt_str(e, "principalId", &epath)?,
                    client_id: opt_str(e, "clientId", &epath)?,
                },
                other => {
                    return Err(Problem::new(
                        &epath,
                        format!(
                            "expected an object with principalId and clientId, found {}",
                            other.describe()
                        ),
                    ))
                }
            };
            user_assigned.push(entry);
        }
    }
    // `az ml`: a list of objects.
    match id.get("user_assigned_identities") {
        None | Some(Val::Null) => {}
        Some(Val::Arr(items)) => {
            let upath = child(&ipath, Seg::Key("user_assigned_identities"));
            for (i, item) in items.iter().enumerate() {
                let epath = child(&upath, Seg::Index(i));
                let Val::Obj(e) = item else {
                    return Err(Problem::new(
                        &epath,
                        format!(
                            "expected an object with resource_id, principal_id and client_id, \
                             found {}",
                            item.describe()
                        ),
                    ));
                };
                user_assigned.push(UserAssignedIdentity {
                    resource_id: req_str(e, "resource_id", &epath, "the identity's resource id")?,
                    principal_id: opt_str(e, "principal_id", &epath)?,
                    client_id: opt_str(e, "client_id", &epath)?,
                });
            }
        }
        Some(other) => {
            return Err(Problem::new(
                &child(&ipath, Seg::Key("user_assigned_identities")),
                format!("expected an array, found {}", other.describe()),
            ))
        }
    }
    finish(system_assigned, user_assigned)
}

/// Canonical order (by the identities' resource ids, as keys); None when empty.
fn finish(
    system_assigned: Option<String>,
    mut user_assigned: Vec<UserAssignedIdentity>,
) -> Result<Option<ManagedIdentities>, Problem> {
    user_assigned.sort_by_cached_key(|u| scope_key(&u.resource_id));
    user_assigned.dedup_by(|a, b| scope_key(&a.resource_id) == scope_key(&b.resource_id));
    if system_assigned.is_none() && user_assigned.is_empty() {
        return Ok(None);
    }
    Ok(Some(ManagedIdentities {
        system_assigned,
        user_assigned,
    }))
}

/// `az ml datastore`'s `type` as ARM spells `datastoreType`.
fn datastore_type_of_az(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "azure_blob" => "AzureBlob".into(),
        "azure_file" => "AzureFile".into(),
        "azure_data_lake_gen2" => "AzureDataLakeGen2".into(),
        "azure_data_lake_gen1" => "AzureDataLakeGen1".into(),
        "one_lake" => "OneLake".into(),
        _ => t.to_string(),
    }
}

/// The credential kind `az ml datastore` output tells without its `credentialsType`:
/// a secret's presence says which (its value is never read), none: identity-based,
/// an object that tells nothing: `Unknown`.
fn credentials_of_az(c: Option<&Obj>) -> String {
    let Some(c) = c else {
        return "None".into();
    };
    if c.has_value("account_key") {
        "AccountKey".into()
    } else if c.has_value("sas_token") {
        "Sas".into()
    } else if c.has_value("thumbprint") {
        "Certificate".into()
    } else if c.has_value("client_id") {
        "ServicePrincipal".into()
    } else {
        "Unknown".into()
    }
}

/// A datastore's facts: ARM (`properties.datastoreType`, ...) or `az ml`
/// (`type: azure_blob`, `account_name`, ...). None when the record names no
/// datastore type (a bare id).
fn datastore(o: &Obj, props: Option<&Obj>, path: &[Seg]) -> Result<Option<Datastore>, Problem> {
    if let Some(p) = props {
        let ppath = child(path, Seg::Key("properties"));
        let Some(datastore_type) = opt_str(p, "datastoreType", &ppath)? else {
            return Ok(None);
        };
        let Some(cred) = opt_obj(p, "credentials", &ppath)? else {
            return Err(Problem::new(
                &ppath,
                "expected `credentials` (with `credentialsType`) in this datastore's properties",
            ));
        };
        let cpath = child(&ppath, Seg::Key("credentials"));
        let container = match opt_str(p, "containerName", &ppath)? {
            Some(c) => Some(c),
            None => match opt_str(p, "fileShareName", &ppath)? {
                Some(c) => Some(c),
                None => opt_str(p, "filesystem", &ppath)?,
            },
        };
        return Ok(Some(Datastore {
            datastore_type,
            account_name: opt_str(p, "accountName", &ppath)?,
            container_name: container,
            subscription_id: opt_str(p, "subscriptionId", &ppath)?,
            resource_group: opt_str(p, "resourceGroup", &ppath)?,
            credentials_type: req_str(cred, "credentialsType", &cpath, "the credentials' type")?,
            client_id: opt_str(cred, "clientId", &cpath)?,
        }));
    }
    // `az ml datastore list`: flat, snake case, `type` says the kind.
    let Some(t) = opt_str(o, "type", path)?.filter(|t| !t.contains('/')) else {
        return Ok(None);
    };
    let cred = opt_obj(o, "credentials", path)?;
    let container = match opt_str(o, "container_name", path)? {
        Some(c) => Some(c),
        None => match opt_str(o, "file_share_name", path)? {
            Some(c) => Some(c),
            None => opt_str(o, "filesystem", path)?,
        },
    };
    let cpath = child(path, Seg::Key("credentials"));
    Ok(Some(Datastore {
        datastore_type: datastore_type_of_az(&t),
        account_name: opt_str(o, "account_name", path)?,
        container_name: container,
        subscription_id: opt_str(o, "subscription_id", path)?,
        resource_group: opt_str(o, "resource_group", path)?,
        credentials_type: credentials_of_az(cred),
        client_id: match cred {
            Some(c) => opt_str(c, "client_id", &cpath)?,
            None => None,
        },
    }))
}

/// The facts of one resource record whose id and ARM type are known (its scope
/// node's); None when the type is not one whose facts are read, or the record
/// states none.
pub(crate) fn resource_facts(
    o: &Obj,
    path: &[Seg],
    id: &str,
    resource_type: Option<&str>,
) -> Result<Option<ResourceFacts>, Problem> {
    let Some(resource_type) = resource_type else {
        return Ok(None);
    };
    let Some(kind) = kind_of(resource_type) else {
        return Ok(None);
    };
    let props = properties(o, path)?;
    let mut f = ResourceFacts {
        id: id.to_string(),
        resource_type: resource_type.to_string(),
        ..Default::default()
    };
    match kind {
        Kind::Workspace => {
            f.storage_account = linked(o, props, path, "storageAccount", "storage_account")?;
            f.key_vault = linked(o, props, path, "keyVault", "key_vault")?;
            f.container_registry =
                linked(o, props, path, "containerRegistry", "container_registry")?;
            f.application_insights = linked(
                o,
                props,
                path,
                "applicationInsights",
                "application_insights",
            )?;
            f.identity = identity(o, path)?;
        }
        Kind::Compute => f.identity = identity(o, path)?,
        Kind::Datastore => f.datastore = datastore(o, props, path)?,
        Kind::StorageAccount => {
            f.allow_shared_key_access = setting(o, props, path, "allowSharedKeyAccess")?
        }
        Kind::KeyVault => {
            f.enable_rbac_authorization = setting(o, props, path, "enableRbacAuthorization")?
        }
        Kind::UserAssignedIdentity => {
            f.principal_id = linked(o, props, path, "principalId", "principalId")?
        }
    }
    let empty = ResourceFacts {
        id: f.id.clone(),
        resource_type: f.resource_type.clone(),
        ..Default::default()
    };
    // A storage account is kept even when its record states nothing: a
    // datastore that names only its `accountName` is resolved by name among
    // the imported accounts (docs/semantics.md), and Azure leaves
    // `allowSharedKeyAccess` out of an account's record unless it was set.
    Ok((f != empty || kind == Kind::StorageAccount).then_some(f))
}
