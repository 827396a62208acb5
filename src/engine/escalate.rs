//! Escalation (`--effective`, issue 15): besides what RBAC grants now, who can
//! reach an action in one or more **documented steps** — granting themselves a
//! role, using a storage account's keys, running code as a managed identity,
//! reading a datastore's stored secret.
//!
//! Each step is one [`StepKind`], whose rule (what it needs, what it gives, where
//! Microsoft documents it) is written once, here. Whether an actor can take a
//! step is always RBAC's answer ([`decide`]) for the step's own action: a deny on
//! it stops the step, a condition makes it conditional. An actor is the asked
//! principal or a managed identity (or service principal) it can act as; the
//! search is breadth first over actors, so a chain is never longer than needed,
//! and depth-limited and cycle-safe ([`MAX_IDENTITY_HOPS`]).
//!
//! `who --effective` and `can --effective` both ask [`Effective::of`]; `who`
//! gathers its candidates from the holders of every step's action
//! ([`Effective::candidates`]); a property test holds the two to each other.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::model::{key, scope_key};

use super::decide::{decide, principal_info, Access, ActionReq, Ancestry, Grant, PrincipalInfo};
use super::index::Index;
use super::permissions::{match_block, BlockMatch};
use super::query::Alternatives;

/// How many identities a chain may pass through (the asked principal acting as
/// an identity that acts as another ...). Deeper chains are not searched.
pub(crate) const MAX_IDENTITY_HOPS: usize = 3;

pub(crate) const ROLE_ASSIGNMENTS_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
pub(crate) const STORAGE_LIST_KEYS: &str = "Microsoft.Storage/storageAccounts/listKeys/action";
pub(crate) const STORAGE_REGENERATE_KEY: &str =
    "Microsoft.Storage/storageAccounts/regeneratekey/action";
pub(crate) const WORKSPACE_LIST_KEYS: &str =
    "Microsoft.MachineLearningServices/workspaces/listKeys/action";
pub(crate) const IDENTITY_ASSIGN: &str =
    "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action";
pub(crate) const COMPUTES_WRITE: &str =
    "Microsoft.MachineLearningServices/workspaces/computes/write";
pub(crate) const JOBS_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/jobs/write";
pub(crate) const RUNS_SUBMIT: &str =
    "Microsoft.MachineLearningServices/workspaces/experiments/runs/submit/action";
pub(crate) const DATASTORE_LIST_SECRETS: &str =
    "Microsoft.MachineLearningServices/workspaces/datastores/listsecrets/action";

const STORAGE_ACCOUNTS: &str = "microsoft.storage/storageaccounts";
const WORKSPACES: &str = "microsoft.machinelearningservices/workspaces";
const COMPUTES: &str = "microsoft.machinelearningservices/workspaces/computes";
const DATASTORES: &str = "microsoft.machinelearningservices/workspaces/datastores";
const USER_ASSIGNED: &str = "microsoft.managedidentity/userassignedidentities";

/// The documented escalation steps, and the plain RBAC grant that ends a chain
/// at an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// `roleAssignments/write` at or above the scope: assign yourself any role
    /// assignable there.
    GrantRole,
    /// `listKeys`/`regeneratekey` on a storage account: every data action on it
    /// by Shared Key, unless Shared Key is disallowed.
    StorageKeys,
    /// `workspaces/listKeys/action`: the keys of the workspace's linked storage
    /// account (the "list workspace keys" API returns them).
    WorkspaceKeys,
    /// `workspaces/datastores/listsecrets/action`: a credential-based datastore's
    /// stored secret (account key, SAS, service principal).
    DatastoreSecret,
    /// `userAssignedIdentities/*/assign/action` on an identity and
    /// `workspaces/computes/write`: a compute running as that identity.
    AssignIdentity,
    /// `workspaces/jobs/write` (or V1 `experiments/runs/submit/action`): code run
    /// as the identities of the workspace's computes.
    SubmitJob,
    /// The identity reached holds the access through RBAC.
    Rbac,
}

impl StepKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StepKind::GrantRole => "grant-role",
            StepKind::StorageKeys => "storage-keys",
            StepKind::WorkspaceKeys => "workspace-keys",
            StepKind::DatastoreSecret => "datastore-secret",
            StepKind::AssignIdentity => "assign-identity",
            StepKind::SubmitJob => "submit-job",
            StepKind::Rbac => "rbac",
        }
    }

    /// Where Microsoft documents that the step gives what it gives.
    pub(crate) fn doc(self) -> &'static str {
        match self {
            StepKind::GrantRole => "https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-overview",
            StepKind::StorageKeys => "https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent",
            StepKind::WorkspaceKeys => "https://learn.microsoft.com/rest/api/azureml/workspaces/list-keys",
            StepKind::DatastoreSecret => "https://learn.microsoft.com/azure/machine-learning/how-to-administrate-data-authentication",
            StepKind::AssignIdentity => "https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-manage-user-assigned-managed-identities",
            StepKind::SubmitJob => "https://learn.microsoft.com/azure/machine-learning/how-to-identity-based-service-authentication",
            StepKind::Rbac => "https://learn.microsoft.com/azure/role-based-access-control/overview",
        }
    }
}

/// One step of a chain: who takes it, with which RBAC grant, on what, and what it
/// gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub(crate) kind: StepKind,
    /// Who takes the step (object id, lowercase) and its name.
    pub(crate) actor: String,
    pub(crate) actor_name: String,
    /// The action the step needs, and the scope (resource) it is taken on.
    pub(crate) needs: String,
    pub(crate) on: String,
    /// The RBAC grants that allow it (for `rbac`: the grants of the asked actions).
    pub(crate) grants: Vec<Grant>,
    /// Set when the step is only conditionally allowed (the grant's condition).
    pub(crate) condition: Option<String>,
    /// What the step gives: the identity acted as (object id), the role assigned,
    /// or the data reached.
    pub(crate) gives: String,
    /// When the step gives an identity: its object id.
    #[serde(skip)]
    pub(crate) identity: Option<String>,
    /// `grant-role`: the role the principal would assign itself.
    pub(crate) role: Option<String>,
    pub(crate) doc: &'static str,
}

/// A principal that can reach the asked access through documented steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Escalation {
    pub(crate) principal: PrincipalInfo,
    /// Always `escalation` (never mixed with RBAC's `allowed`).
    pub(crate) access: &'static str,
    /// True when some step of the chain is only conditionally allowed.
    pub(crate) conditional: bool,
    /// The chain, in order: the identity hops, then the steps that reach the
    /// asked actions.
    pub(crate) steps: Vec<Step>,
}

/// RBAC allows it: the grants, and the condition when only conditionally.
type Allowed = (Vec<Grant>, Option<String>);

/// A one-action decision as a step needs it: its nearest grant, and the
/// condition when it allows only conditionally; None when it does not allow.
fn allowed(mut d: super::decide::Decision) -> Option<Allowed> {
    if !d.access.grants() {
        return None;
    }
    d.keep_nearest_grants();
    let grants = d.actions.pop().map(|a| a.grants).unwrap_or_default();
    let condition = if d.access == Access::Conditional {
        grants.iter().find_map(|g| g.condition.clone())
    } else {
        None
    };
    Some((grants, condition))
}

/// The facts' lists a search walks.
#[derive(Clone)]
struct Lists {
    workspace_storage: Vec<(String, String)>,
    computes: Vec<(String, String, Vec<String>)>,
    user_assigned: Vec<(String, String)>,
    datastores: Vec<(String, String, crate::model::Datastore)>,
}

/// The escalation engine for one index: facts read once, each actor's steps
/// worked out once (identities are shared by every principal's search).
pub struct Effective<'a> {
    ix: &'a Index,
    anc: Ancestry,
    /// Storage account (scope key) → whether Shared Key is allowed.
    shared_key: HashMap<String, bool>,
    /// Workspace (scope key) → its linked storage account (scope key).
    workspace_storage: Vec<(String, String)>,
    /// Computes with identities: (workspace key, compute id, identity object ids).
    computes: Vec<(String, String, Vec<String>)>,
    /// User-assigned identities: (resource id, principal object id).
    user_assigned: Vec<(String, String)>,
    /// Workspaces known (scope keys, original ids).
    workspaces: Vec<String>,
    /// Datastores: (datastore id, workspace key, facts).
    datastores: Vec<(String, String, crate::model::Datastore)>,
    moves: HashMap<String, Vec<Step>>,
    /// The lists above as the index holds them, before [`Effective::prune`]
    /// kept what one question can use, and the question they were pruned for.
    full: Option<Box<Lists>>,
    pruned_for: Option<Alternatives>,
    /// RBAC's answers already asked: (actor, action, scope) → grants.
    asked: HashMap<(String, String, String), Option<Allowed>>,
    /// RBAC's answer for every principal at once, per (action, scope): asked
    /// of `who` once, then looked up (a question may ask it of every member
    /// of a large group).
    maps: HashMap<(String, String), std::rc::Rc<HashMap<String, Allowed>>>,
    /// The role [`Effective::assignable_role`] names, per (action, data, scope).
    roles_for: HashMap<(String, bool, String), Option<String>>,
}

/// The scope key of the storage account a scope is in (or is), if any.
pub(crate) fn storage_account_of(scope: &str) -> Option<String> {
    let k = scope_key(scope);
    let i = k.find("/providers/microsoft.storage/storageaccounts/")?;
    let rest = &k[i + "/providers/microsoft.storage/storageaccounts/".len()..];
    let name = rest.split('/').next().filter(|n| !n.is_empty())?;
    Some(format!(
        "{}/providers/microsoft.storage/storageaccounts/{name}",
        &k[..i]
    ))
}

/// The scope key of the workspace a scope is in (or is), if any.
pub(crate) fn workspace_of(scope: &str) -> Option<String> {
    // The one workspace-level rule (`scope::at_level`); it answers the scope
    // itself when there is no workspace in it.
    let w = super::scope::at_level(scope, super::scope::Level::Workspace);
    w.contains("/providers/microsoft.machinelearningservices/workspaces/")
        .then_some(w)
}

/// Is `inner` the scope `outer` or below it by path?
fn at_or_below(inner: &str, outer: &str) -> bool {
    let (i, o) = (scope_key(inner), scope_key(outer));
    i == o || (i.starts_with(&o) && i.as_bytes().get(o.len()) == Some(&b'/'))
}

/// A storage data action (`Microsoft.Storage/storageAccounts/...`, data plane):
/// what Shared Key authorizes.
fn is_storage_data(req: &ActionReq) -> bool {
    req.data && key(&req.action).starts_with("microsoft.storage/storageaccounts/")
}

/// The data a datastore points at: its storage account (scope key) and the
/// container's scope (blob container or file share), when they resolve.
pub(crate) fn datastore_target(
    ix: &Index,
    ds: &crate::model::Datastore,
) -> Option<(String, Option<String>)> {
    let name = key(ds.account_name.as_deref()?);
    let account = match (&ds.subscription_id, &ds.resource_group) {
        (Some(s), Some(rg)) => scope_key(&format!(
            "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}"
        )),
        // Storage account names are unique in Azure: find the account by name.
        _ => ix
            .facts
            .keys()
            .find(|k| {
                storage_account_of(k).as_deref() == Some(k.as_str())
                    && k.rsplit('/').next() == Some(name.as_str())
            })?
            .clone(),
    };
    let container = ds.container_name.as_deref().map(|c| {
        let service = if key(&ds.datastore_type) == "azurefile" {
            "fileServices/default/shares"
        } else {
            "blobServices/default/containers"
        };
        scope_key(&format!("{account}/{service}/{c}"))
    });
    Some((account, container))
}

impl<'a> Effective<'a> {
    pub fn new(ix: &'a Index) -> Effective<'a> {
        let mut e = Effective {
            ix,
            anc: Ancestry::default(),
            shared_key: HashMap::new(),
            workspace_storage: Vec::new(),
            computes: Vec::new(),
            user_assigned: Vec::new(),
            workspaces: Vec::new(),
            datastores: Vec::new(),
            moves: HashMap::new(),
            full: None,
            pruned_for: None,
            asked: HashMap::new(),
            maps: HashMap::new(),
            roles_for: HashMap::new(),
        };
        // User-assigned identities first (a compute's record may not state its
        // identity's principal id; the identity's own record does).
        let mut uami: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (k, f) in &ix.facts {
            if key(&f.resource_type) == USER_ASSIGNED {
                if let Some(p) = &f.principal_id {
                    uami.insert(k.clone(), (f.id.clone(), key(p)));
                }
            }
        }
        for (k, f) in &ix.facts {
            let t = key(&f.resource_type);
            if t == STORAGE_ACCOUNTS {
                e.shared_key
                    .insert(k.clone(), f.allow_shared_key_access != Some(false));
            }
            if t == WORKSPACES {
                e.workspaces.push(f.id.clone());
                if let Some(sa) = &f.storage_account {
                    e.workspace_storage.push((k.clone(), scope_key(sa)));
                }
            }
            if let Some(id) = &f.identity {
                for u in &id.user_assigned {
                    if let Some(p) = &u.principal_id {
                        uami.entry(scope_key(&u.resource_id))
                            .or_insert_with(|| (u.resource_id.clone(), key(p)));
                    }
                }
            }
            if t == COMPUTES {
                if let (Some(w), Some(id)) = (workspace_of(k), &f.identity) {
                    let mut ids: Vec<String> = id.system_assigned.iter().map(|p| key(p)).collect();
                    for u in &id.user_assigned {
                        let p =
                            u.principal_id.as_ref().map(|p| key(p)).or_else(|| {
                                uami.get(&scope_key(&u.resource_id)).map(|x| x.1.clone())
                            });
                        ids.extend(p);
                    }
                    ids.sort();
                    ids.dedup();
                    e.computes.push((w, f.id.clone(), ids));
                }
            }
            if t == DATASTORES {
                if let (Some(w), Some(ds)) = (workspace_of(k), &f.datastore) {
                    e.datastores.push((f.id.clone(), w, ds.clone()));
                }
            }
        }
        // Identities whose principal id a compute's record did not state: the
        // identity resources' own records.
        for (_, _, ids) in &mut e.computes {
            ids.retain(|i| !i.is_empty());
        }
        e.user_assigned = uami.into_values().collect();
        e.full = Some(Box::new(Lists {
            workspace_storage: e.workspace_storage.clone(),
            computes: e.computes.clone(),
            user_assigned: e.user_assigned.clone(),
            datastores: e.datastores.clone(),
        }));
        e
    }

    /// Keeps only what a question about `alts` can use: the storage accounts
    /// of its requests (keys, workspace keys, key and SAS datastores), and the
    /// identities that can reach it — by RBAC or a direct step, or by acting as
    /// such an identity, up to [`MAX_IDENTITY_HOPS`] — with the computes,
    /// user-assigned identities and service-principal datastores that lead to
    /// them. Exact: a chain only ever passes through such identities; it keeps
    /// every principal's search from looking at every compute of the tenant.
    fn prune(&mut self, alts: &Alternatives) {
        if self.pruned_for.as_ref() == Some(alts) {
            return;
        }
        let Some(full) = self.full.clone() else {
            return;
        };
        self.moves.clear();
        let accounts: BTreeSet<String> = alts
            .iter()
            .flatten()
            .filter(|r| is_storage_data(r))
            .filter_map(|r| storage_account_of(&r.scope))
            .collect();
        self.workspace_storage = full.workspace_storage.clone();
        self.workspace_storage
            .retain(|(_, sa)| accounts.contains(sa));
        let ix = self.ix;
        let sp_of = |ds: &crate::model::Datastore| -> Option<String> {
            let kind = key(&ds.credentials_type);
            if kind != "serviceprincipal" && kind != "certificate" {
                return None;
            }
            let client = key(ds.client_id.as_deref()?);
            ix.principals
                .values()
                .find(|p| p.app_id.as_deref().map(key).as_deref() == Some(client.as_str()))
                .map(|p| key(&p.id))
        };
        // Datastores: a key or SAS one on an asked account, or a service
        // principal one (acting as it).
        self.datastores = full
            .datastores
            .iter()
            .filter(|(_, _, ds)| {
                let kind = key(&ds.credentials_type);
                if kind == "accountkey" || kind == "sas" {
                    datastore_target(ix, ds).is_some_and(|(a, _)| accounts.contains(&a))
                } else {
                    sp_of(ds).is_some()
                }
            })
            .cloned()
            .collect();
        self.computes = full.computes.clone();
        self.user_assigned = full.user_assigned.clone();
        let mut identities: BTreeSet<String> = BTreeSet::new();
        for (_, _, ids) in &self.computes {
            identities.extend(ids.iter().cloned());
        }
        identities.extend(self.user_assigned.iter().map(|(_, p)| p.clone()));
        for (_, _, ds) in &self.datastores {
            identities.extend(sp_of(ds));
        }
        let mut useful: BTreeSet<String> = BTreeSet::new();
        for i in &identities {
            let direct = alts.iter().any(|reqs| {
                !reqs.is_empty() && reqs.iter().all(|r| self.reach_one(i, r, false).is_ok())
            });
            if direct {
                useful.insert(i.clone());
            }
        }
        for _ in 0..MAX_IDENTITY_HOPS {
            let job_workspaces: BTreeSet<String> = self
                .computes
                .iter()
                .filter(|(_, _, ids)| ids.iter().any(|i| useful.contains(i)))
                .map(|(w, _, _)| w.clone())
                .collect();
            let uamis: Vec<String> = self
                .user_assigned
                .iter()
                .filter(|(_, p)| useful.contains(p))
                .map(|(u, _)| u.clone())
                .collect();
            let sp_stores: Vec<String> = self
                .datastores
                .iter()
                .filter(|(_, _, ds)| sp_of(ds).is_some_and(|p| useful.contains(&p)))
                .map(|(d, _, _)| d.clone())
                .collect();
            let mut added = Vec::new();
            for i in identities.iter().filter(|i| !useful.contains(*i)) {
                let by_job = job_workspaces.iter().any(|w| {
                    self.can_alone(i, JOBS_WRITE, w).is_some()
                        || self.can_alone(i, RUNS_SUBMIT, w).is_some()
                });
                let reached = by_job
                    || sp_stores
                        .iter()
                        .any(|d| self.can_alone(i, DATASTORE_LIST_SECRETS, d).is_some())
                    || (uamis
                        .iter()
                        .any(|u| self.can_alone(i, IDENTITY_ASSIGN, u).is_some())
                        && self.compute_write(i).is_some());
                if reached {
                    added.push(i.clone());
                }
            }
            if added.is_empty() {
                break;
            }
            useful.extend(added);
        }
        for (_, _, ids) in &mut self.computes {
            ids.retain(|i| useful.contains(i));
        }
        self.computes.retain(|(_, _, ids)| !ids.is_empty());
        self.user_assigned.retain(|(_, p)| useful.contains(p));
        self.datastores
            .retain(|(_, _, ds)| sp_of(ds).is_none_or(|p| useful.contains(&p)));
        self.pruned_for = Some(alts.clone());
    }

    /// The resources a question about `alts` reads the assignments of (at and
    /// above each): the storage accounts and workspaces of the key steps, the
    /// computes' workspaces, the identities and the datastores left after
    /// [`Effective::prune`].
    pub fn relevant_scopes(&mut self, alts: &Alternatives) -> Vec<String> {
        self.prune(alts);
        let mut v: BTreeSet<String> = BTreeSet::new();
        for (w, sa) in &self.workspace_storage {
            v.insert(w.clone());
            v.insert(sa.clone());
        }
        for (w, c, _) in &self.computes {
            v.insert(w.clone());
            v.insert(scope_key(c));
        }
        for (u, _) in &self.user_assigned {
            v.insert(scope_key(u));
        }
        for (d, w, _) in &self.datastores {
            v.insert(scope_key(d));
            v.insert(w.clone());
        }
        v.into_iter().collect()
    }

    /// A workspace where the actor can create or update a compute, and the
    /// grant, if any.
    /// Asked of `decide` for this actor alone (not of `who` for every
    /// workspace of the tenant): few actors get this far.
    fn compute_write(&mut self, actor: &str) -> Option<(String, Allowed)> {
        for w in self.workspaces.clone() {
            if let Some(g) = self.can_alone(actor, COMPUTES_WRITE, &w) {
                return Some((w, g));
            }
        }
        None
    }

    /// RBAC's answer for one actor, asked of `decide` alone: for the few
    /// identities [`Effective::prune`] asks about at many scopes, where a
    /// `who` per scope would cost more than it saves.
    fn can_alone(&mut self, actor: &str, action: &str, scope: &str) -> Option<Allowed> {
        let req = ActionReq {
            action: action.to_string(),
            data: self.ix.is_data_action(action),
            scope: scope.to_string(),
        };
        allowed(decide(
            self.ix,
            actor,
            std::slice::from_ref(&req),
            false,
            &mut self.anc,
        ))
    }

    /// RBAC's answer for one actor, one action, at one scope: the grants when it
    /// is allowed or conditional (with the condition), else None.
    fn can(&mut self, actor: &str, action: &str, scope: &str) -> Option<Allowed> {
        let req = ActionReq {
            action: action.to_string(),
            data: self.ix.is_data_action(action),
            scope: scope.to_string(),
        };
        self.can_req(actor, &req)
    }

    fn can_req(&mut self, actor: &str, req: &ActionReq) -> Option<Allowed> {
        let k = (actor.to_string(), key(&req.action), scope_key(&req.scope));
        if let Some(a) = self.asked.get(&k) {
            return a.clone();
        }
        let a = self.can_uncached(actor, req);
        self.asked.insert(k, a.clone());
        a
    }

    fn can_uncached(&mut self, actor: &str, req: &ActionReq) -> Option<Allowed> {
        let k = (key(&req.action), scope_key(&req.scope));
        let map = match self.maps.get(&k) {
            Some(m) => m.clone(),
            None => {
                let m = std::rc::Rc::new(self.rbac_map(req));
                self.maps.insert(k, m.clone());
                m
            }
        };
        map.get(actor).cloned()
    }

    /// Every principal RBAC lets do `req` (allowed or conditional), with its
    /// nearest grant and the condition when conditional: `who`'s answer, which
    /// is `decide`'s for each principal (a property test holds them equal).
    fn rbac_map(&self, req: &ActionReq) -> HashMap<String, Allowed> {
        let answer = super::query::who(self.ix, &vec![vec![req.clone()]], true, false);
        let mut out = HashMap::new();
        for a in answer.answers {
            let id = a.decision.principal.id.clone();
            if let Some(g) = allowed(a.decision) {
                out.insert(id, g);
            }
        }
        out
    }

    fn step(
        &self,
        kind: StepKind,
        actor: &str,
        needs: &str,
        on: &str,
        (grants, condition): Allowed,
        (gives, identity): (String, Option<String>),
    ) -> Step {
        Step {
            kind,
            actor: actor.to_string(),
            actor_name: self.ix.name_of(actor),
            needs: needs.to_string(),
            on: on.to_string(),
            grants,
            condition,
            gives,
            identity,
            role: None,
            doc: kind.doc(),
        }
    }

    /// The identities an actor can act as, each by its step (worked out once per
    /// actor).
    fn moves(&mut self, actor: &str) -> Vec<Step> {
        if let Some(m) = self.moves.get(actor) {
            return m.clone();
        }
        let mut out: Vec<Step> = Vec::new();
        // Submit jobs to a compute: run as its identities.
        let computes = self.computes.clone();
        let mut by_ws: BTreeMap<String, Option<(String, Allowed)>> = BTreeMap::new();
        for (ws, compute, ids) in &computes {
            let grant = match by_ws.get(ws) {
                Some(g) => g.clone(),
                None => {
                    let g = self
                        .can(actor, JOBS_WRITE, ws)
                        .map(|g| (JOBS_WRITE.to_string(), g))
                        .or_else(|| {
                            self.can(actor, RUNS_SUBMIT, ws)
                                .map(|g| (RUNS_SUBMIT.to_string(), g))
                        });
                    by_ws.insert(ws.clone(), g.clone());
                    g
                }
            };
            if let Some((needs, g)) = grant {
                for id in ids {
                    out.push(self.step(
                        StepKind::SubmitJob,
                        actor,
                        &needs,
                        compute,
                        g.clone(),
                        (
                            format!(
                                "runs code as {} on compute {}",
                                self.ix.name_of(id),
                                compute.rsplit('/').next().unwrap_or(compute)
                            ),
                            Some(id.clone()),
                        ),
                    ));
                }
            }
        }
        // Assign a user-assigned identity to a compute it creates.
        let uamis: Vec<(String, String, Allowed)> = self
            .user_assigned
            .clone()
            .into_iter()
            .filter_map(|(u, p)| self.can(actor, IDENTITY_ASSIGN, &u).map(|g| (u, p, g)))
            .collect();
        if !uamis.is_empty() {
            if let Some((w, cw)) = self.compute_write(actor) {
                for (uid, principal, (mut grants, cond)) in uamis {
                    {
                        grants.extend(cw.0.iter().cloned());
                        let cond = cond.or_else(|| cw.1.clone());
                        out.push(self.step(
                            StepKind::AssignIdentity,
                            actor,
                            &format!("{IDENTITY_ASSIGN} + {COMPUTES_WRITE}"),
                            &uid,
                            (grants, cond),
                            (
                                format!(
                                    "creates a compute in {} running as {}",
                                    w.rsplit('/').next().unwrap_or(&w),
                                    self.ix.name_of(&principal)
                                ),
                                Some(principal.clone()),
                            ),
                        ));
                    }
                }
            }
        }
        // A service-principal datastore's secret: act as that service principal.
        for (ds_id, _, ds) in self.datastores.clone() {
            let kind = key(&ds.credentials_type);
            if kind != "serviceprincipal" && kind != "certificate" {
                continue;
            }
            let Some(client) = ds.client_id.as_deref().map(key) else {
                continue;
            };
            let Some(sp) = self
                .ix
                .principals
                .values()
                .find(|p| p.app_id.as_deref().map(key).as_deref() == Some(client.as_str()))
                .map(|p| key(&p.id))
            else {
                continue;
            };
            if let Some(g) = self.can(actor, DATASTORE_LIST_SECRETS, &ds_id) {
                out.push(self.step(
                    StepKind::DatastoreSecret,
                    actor,
                    DATASTORE_LIST_SECRETS,
                    &ds_id,
                    g,
                    (
                        format!(
                            "reads the datastore's credentials of {}",
                            self.ix.name_of(&sp)
                        ),
                        Some(sp),
                    ),
                ));
            }
        }
        out.retain(|s| s.identity.as_deref() != Some(actor));
        self.moves.insert(actor.to_string(), out.clone());
        out
    }

    /// The step by which `actor` reaches one request without changing identity:
    /// RBAC (`None` step for the asked principal itself), or a direct step.
    /// `Err(())`: it cannot.
    fn reach_one(&mut self, actor: &str, req: &ActionReq, asked: bool) -> Result<Option<Step>, ()> {
        if let Some(g) = self.can_req(actor, req) {
            if asked {
                return Ok(None);
            }
            let (needs, on) = (req.action.clone(), req.scope.clone());
            return Ok(Some(self.step(
                StepKind::Rbac,
                actor,
                &needs,
                &on,
                g,
                (format!("holds {}", needs), None),
            )));
        }
        // Shared Key: the account's keys, the workspace's keys, a datastore's key.
        if is_storage_data(req) {
            if let Some(sa) = storage_account_of(&req.scope) {
                if self.shared_key.get(&sa).copied().unwrap_or(true) {
                    for needs in [STORAGE_LIST_KEYS, STORAGE_REGENERATE_KEY] {
                        if let Some(g) = self.can(actor, needs, &sa) {
                            return Ok(Some(self.step(
                                StepKind::StorageKeys,
                                actor,
                                needs,
                                &sa,
                                g,
                                (format!("every data action on {sa} by Shared Key"), None),
                            )));
                        }
                    }
                    let linked: Vec<String> = self
                        .workspace_storage
                        .iter()
                        .filter(|(_, s)| *s == sa)
                        .map(|(w, _)| w.clone())
                        .collect();
                    for w in linked {
                        if let Some(g) = self.can(actor, WORKSPACE_LIST_KEYS, &w) {
                            return Ok(Some(self.step(
                                StepKind::WorkspaceKeys,
                                actor,
                                WORKSPACE_LIST_KEYS,
                                &w,
                                g,
                                (
                                    format!("the key of the workspace's storage account {sa}"),
                                    None,
                                ),
                            )));
                        }
                    }
                    for (ds_id, _, ds) in self.datastores.clone() {
                        let kind = key(&ds.credentials_type);
                        if kind != "accountkey" && kind != "sas" {
                            continue;
                        }
                        let Some((account, container)) = datastore_target(self.ix, &ds) else {
                            continue;
                        };
                        let covered = if kind == "accountkey" {
                            account == sa
                        } else {
                            container
                                .as_deref()
                                .is_some_and(|c| at_or_below(&req.scope, c))
                        };
                        if !covered {
                            continue;
                        }
                        if let Some(g) = self.can(actor, DATASTORE_LIST_SECRETS, &ds_id) {
                            let what = if kind == "accountkey" {
                                format!("the account key of {sa} stored by the datastore")
                            } else {
                                "the datastore's SAS token (its permissions are not in the export)"
                                    .to_string()
                            };
                            return Ok(Some(self.step(
                                StepKind::DatastoreSecret,
                                actor,
                                DATASTORE_LIST_SECRETS,
                                &ds_id,
                                g,
                                (what, None),
                            )));
                        }
                    }
                }
            }
        }
        // Grant yourself a role: only where the actor is not denied the action
        // (a deny assignment still applies after the new assignment).
        if let Some(role) = self.assignable_role(req) {
            if let Some(g) = self.can(actor, ROLE_ASSIGNMENTS_WRITE, &req.scope) {
                let rbac = decide(
                    self.ix,
                    actor,
                    std::slice::from_ref(req),
                    false,
                    &mut self.anc,
                );
                if rbac.actions.iter().all(|a| a.denies.is_empty()) {
                    let mut step = self.step(
                        StepKind::GrantRole,
                        actor,
                        ROLE_ASSIGNMENTS_WRITE,
                        &req.scope,
                        g,
                        (format!("assigns itself {role}"), None),
                    );
                    step.role = Some(role);
                    return Ok(Some(step));
                }
            }
        }
        Err(())
    }

    /// A role assignable at the request's scope that grants its action
    /// (unconditionally preferred, then the fewest permissions, then by name).
    fn assignable_role(&mut self, req: &ActionReq) -> Option<String> {
        let k = (key(&req.action), req.data, scope_key(&req.scope));
        if let Some(r) = self.roles_for.get(&k) {
            return r.clone();
        }
        let r = self.assignable_role_uncached(req);
        self.roles_for.insert(k, r.clone());
        r
    }

    fn assignable_role_uncached(&self, req: &ActionReq) -> Option<String> {
        let action = key(&req.action);
        let above: BTreeSet<String> = self.ix.tree.ancestors(&req.scope).into_iter().collect();
        let mut best: Option<(bool, usize, String)> = None;
        for r in &self.ix.roles {
            let assignable = r
                .def
                .assignable_scopes
                .iter()
                .any(|s| above.contains(&scope_key(s)));
            if !assignable {
                continue;
            }
            let grants = r
                .blocks
                .iter()
                .find(|b| matches!(match_block(b, &action, req.data), BlockMatch::Grants { .. }));
            let Some(b) = grants else { continue };
            let size: usize = r
                .blocks
                .iter()
                .map(|b| b.actions.len() + b.data_actions.len())
                .sum();
            let cand = (b.condition.is_some(), size, r.def.role_name.clone());
            if best.as_ref().is_none_or(|x| cand < *x) {
                best = Some(cand);
            }
        }
        best.map(|b| b.2)
    }

    /// The shortest chain by which `principal` reaches one alternative of `alts`,
    /// when RBAC alone does not give it. None: RBAC gives it, or no chain does.
    pub fn of(&mut self, principal: &str, alts: &Alternatives) -> Option<Escalation> {
        self.prune(alts);
        let p = key(principal);
        // RBAC alone gives one alternative: not an escalation.
        let plain = alts
            .iter()
            .any(|reqs| !reqs.is_empty() && reqs.iter().all(|r| self.can_req(&p, r).is_some()));
        if plain {
            return None;
        }
        let mut seen: BTreeSet<String> = BTreeSet::from([p.clone()]);
        let mut queue: VecDeque<(String, Vec<Step>)> = VecDeque::from([(p.clone(), Vec::new())]);
        while let Some((actor, path)) = queue.pop_front() {
            let asked = actor == p;
            for reqs in alts {
                let mut steps: Vec<Step> = Vec::new();
                let mut ok = !reqs.is_empty();
                for req in reqs {
                    match self.reach_one(&actor, req, asked) {
                        Ok(Some(s)) => {
                            if let Some(prev) = steps
                                .iter_mut()
                                .find(|x| x.kind == s.kind && x.on == s.on && x.needs == s.needs)
                            {
                                if s.kind == StepKind::Rbac {
                                    prev.grants.extend(s.grants);
                                }
                            } else {
                                steps.push(s);
                            }
                        }
                        Ok(None) => {}
                        Err(()) => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok && (!steps.is_empty() || !path.is_empty()) {
                    let mut chain = path.clone();
                    chain.extend(steps);
                    return Some(Escalation {
                        principal: principal_info(self.ix, &p),
                        access: "escalation",
                        conditional: chain.iter().any(|s| s.condition.is_some()),
                        steps: chain,
                    });
                }
            }
            if path.len() >= MAX_IDENTITY_HOPS {
                continue;
            }
            for m in self.moves(&actor) {
                let Some(next) = m.identity.clone() else {
                    continue;
                };
                if seen.insert(next.clone()) {
                    let mut chain = path.clone();
                    chain.push(m);
                    queue.push_back((next, chain));
                }
            }
        }
        None
    }

    /// Every principal that could take a first step towards `alts`: the members
    /// (transitively) of the holders of every step's action at the scopes where
    /// it matters. `who --effective` asks [`Effective::of`] for each.
    pub fn candidates(&mut self, alts: &Alternatives) -> Vec<String> {
        self.prune(alts);
        let mut out: BTreeSet<String> = BTreeSet::new();
        for a in self.step_asks(alts) {
            let (cands, _) = super::query::candidates(self.ix, &vec![vec![a]], false);
            out.extend(cands);
        }
        // Principals of the RBAC answer are found too (they may need a step for
        // one action of several).
        let (cands, _) = super::query::candidates(self.ix, alts, false);
        out.extend(cands);
        out.into_iter().collect()
    }

    /// The holders whose members [`Effective::candidates`] walks: the holders of
    /// assignments that grant a step's action (or an asked one) where it
    /// matters. A question's slice reads their members.
    pub fn seeds(&mut self, alts: &Alternatives) -> Vec<String> {
        self.prune(alts);
        let mut anc = Ancestry::default();
        let mut out: BTreeSet<String> = BTreeSet::new();
        for a in self.step_asks(alts) {
            out.extend(super::query::grant_seeds(self.ix, &vec![vec![a]], &mut anc));
        }
        out.extend(super::query::grant_seeds(self.ix, alts, &mut anc));
        out.into_iter().collect()
    }

    /// Every step's action at the scope where it matters for `alts`.
    fn step_asks(&self, alts: &Alternatives) -> Vec<ActionReq> {
        let mut asks: Vec<ActionReq> = Vec::new();
        let mut push = |ix: &Index, action: &str, scope: &str| {
            asks.push(ActionReq {
                action: action.to_string(),
                data: ix.is_data_action(action),
                scope: scope_key(scope),
            })
        };
        for req in alts.iter().flatten() {
            push(self.ix, ROLE_ASSIGNMENTS_WRITE, &req.scope);
            if let Some(sa) = storage_account_of(&req.scope) {
                push(self.ix, STORAGE_LIST_KEYS, &sa);
                push(self.ix, STORAGE_REGENERATE_KEY, &sa);
            }
        }
        for (w, _) in &self.workspace_storage {
            push(self.ix, WORKSPACE_LIST_KEYS, w);
        }
        for (ds, _, _) in &self.datastores {
            push(self.ix, DATASTORE_LIST_SECRETS, ds);
        }
        for (w, _, _) in &self.computes {
            push(self.ix, JOBS_WRITE, w);
            push(self.ix, RUNS_SUBMIT, w);
        }
        for (u, _) in &self.user_assigned {
            push(self.ix, IDENTITY_ASSIGN, u);
        }
        asks.sort_by(|a, b| (&a.action, &a.scope).cmp(&(&b.action, &b.scope)));
        asks.dedup();
        asks
    }

    /// `who --effective`: every principal (not a group) RBAC does not give the
    /// access to and a chain does, sorted by name then id.
    pub fn who(&mut self, alts: &Alternatives) -> Vec<Escalation> {
        self.who_except(alts, &std::collections::HashSet::new())
    }

    /// [`Effective::who`], given the principals RBAC already gives the access
    /// to (`who`'s answer): they are not escalations, and are not asked again.
    pub fn who_except(
        &mut self,
        alts: &Alternatives,
        granted: &std::collections::HashSet<String>,
    ) -> Vec<Escalation> {
        let mut out: Vec<Escalation> = Vec::new();
        for c in self.candidates(alts) {
            if self.ix.is_group(&c) || granted.contains(&c) {
                continue;
            }
            if let Some(e) = self.of(&c, alts) {
                out.push(e);
            }
        }
        out.sort_by(|a, b| {
            (a.principal.display_name.to_lowercase(), &a.principal.id)
                .cmp(&(b.principal.display_name.to_lowercase(), &b.principal.id))
        });
        out
    }
}
