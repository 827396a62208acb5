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
//! The search runs backward from the asked access first ([`Effective::prune`]):
//! the identities that can reach it, and the computes, user-assigned identities
//! and datastores that lead to them. Every RBAC question a search asks (the
//! asked requests, and each step's action where it matters) is known then, with
//! the holders of the assignments that could grant it: an actor none of whose
//! holders is among them is not asked (`Asks`). Past its first step, a
//! principal's chain depends only on the identities that step reaches (in
//! order): that search is made once per such list and shared by every
//! principal whose first steps reach the same identities.
//!
//! `who --effective` and `can --effective` both ask the same search of each
//! principal ([`Effective::of`], [`Effective::who_each`]); `who` asks it of every
//! principal below the holders of a step it could take first; a property test
//! holds the two to each other.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet};

use serde::Serialize;

use crate::model::{key, scope_key};

use super::decide::{
    decide_each, principal_info, Access, ActionDecision, ActionReq, Ancestry, Grant, Holder,
    PrincipalInfo,
};
use super::index::Index;
use super::permissions::{blocks_grant, match_block, BlockMatch};
use super::query::Alternatives;

/// How many identities a chain may pass through (the asked principal acting as
/// an identity that acts as another ...). Deeper chains are not searched.
pub(crate) const MAX_IDENTITY_HOPS: usize = 3;

pub(crate) const ROLE_ASSIGNMENTS_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
pub(crate) const STORAGE_LIST_KEYS: &str = "Microsoft.Storage/storageAccounts/listKeys/action";
pub(crate) const STORAGE_REGENERATE_KEY: &str =
    "Microsoft.Storage/storageAccounts/regeneratekey/action";
/// An account SAS, signed with one of the account's keys (`listAccountSas`).
pub(crate) const STORAGE_LIST_ACCOUNT_SAS: &str =
    "Microsoft.Storage/storageAccounts/ListAccountSas/action";
/// A service SAS for any container, share, queue or table of the account,
/// signed with one of its keys (`listServiceSas`).
pub(crate) const STORAGE_LIST_SERVICE_SAS: &str =
    "Microsoft.Storage/storageAccounts/listServiceSas/action";
/// The actions that put a storage account's keys to use, each giving every data
/// action on the account where Shared Key is allowed (the `storage-keys` step):
/// the keys themselves, and the account and service SAS that the storage
/// resource provider signs with them (a SAS is refused, as Shared Key is, by an
/// account with `allowSharedKeyAccess: false`).
pub(crate) const STORAGE_KEY_ACTIONS: [&str; 4] = [
    STORAGE_LIST_KEYS,
    STORAGE_REGENERATE_KEY,
    STORAGE_LIST_ACCOUNT_SAS,
    STORAGE_LIST_SERVICE_SAS,
];
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

/// Every action some step needs its actor to have (each step's `needs`).
const STEP_ACTIONS: [&str; 11] = [
    ROLE_ASSIGNMENTS_WRITE,
    STORAGE_LIST_KEYS,
    STORAGE_REGENERATE_KEY,
    STORAGE_LIST_ACCOUNT_SAS,
    STORAGE_LIST_SERVICE_SAS,
    WORKSPACE_LIST_KEYS,
    IDENTITY_ASSIGN,
    COMPUTES_WRITE,
    JOBS_WRITE,
    RUNS_SUBMIT,
    DATASTORE_LIST_SECRETS,
];

/// Could `principal` take a first step at all? A chain starts with a step the
/// principal takes itself, and every step needs an action of [`STEP_ACTIONS`]
/// from a role it holds. So when no role held by the principal or its groups
/// (or by a group it may join through PIM for Groups), at any scope, in any
/// window, has a block that grants one of them, [`Effective::of`] finds no
/// chain, and what the steps need is not worth reading. `ix` needs only the
/// principal's own slice (its groups upward and everything they hold).
pub(crate) fn may_take_a_step(ix: &Index, principal: &str) -> bool {
    let mut roles: FxHashSet<usize> = FxHashSet::default();
    let mut holders = super::decide::holders(ix, principal);
    for h in holders.clone() {
        for &gi in ix.eligible_groups_of.get(&h.id).into_iter().flatten() {
            holders.extend(super::decide::holders(
                ix,
                &key(&ix.group_eligibilities[gi].group_id),
            ));
        }
    }
    for h in &holders {
        for &ai in ix.assignments_by_holder.get(&h.id).into_iter().flatten() {
            match ix.assignment_role[ai] {
                Some(ri) => {
                    roles.insert(ri);
                }
                // A role that is not defined could be anything.
                None => return true,
            }
        }
    }
    roles.into_iter().any(|ri| {
        STEP_ACTIONS
            .iter()
            .any(|a| blocks_grant(&ix.roles[ri].blocks, &key(a), false))
    })
}

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
    /// `listKeys`/`regeneratekey`/`ListAccountSas`/`listServiceSas` on a storage
    /// account ([`STORAGE_KEY_ACTIONS`]): every data action on it by Shared Key
    /// or a SAS signed with a key, unless Shared Key is disallowed.
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
    /// Set when the step is only conditionally allowed: the grant's condition, or
    /// for `grant-role` the condition of the assigned role's block when the write is
    /// unconditional.
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
fn allowed(mut a: ActionDecision) -> Option<Allowed> {
    if !a.access.grants() {
        return None;
    }
    a.keep_nearest_grant();
    let condition = if a.access == Access::Conditional {
        a.grants.iter().find_map(|g| g.condition.clone())
    } else {
        None
    };
    Some((a.grants, condition))
}

/// A datastore as the steps read it.
#[derive(Clone)]
struct Store {
    /// Its resource id, and its workspace (scope key).
    id: String,
    workspace: String,
    /// `credentials.credentialsType`, lowercase.
    kind: String,
    /// [`datastore_target`]: its storage account and container.
    target: Option<(String, Option<String>)>,
    /// A service-principal or certificate credential: the service principal
    /// whose `appId` is its `clientId` (object id, lowercase).
    sp: Option<String>,
}

/// The facts' lists a search walks.
#[derive(Clone)]
struct Lists {
    workspace_storage: Vec<(String, String)>,
    computes: Vec<(String, String, Vec<String>)>,
    user_assigned: Vec<(String, String)>,
    datastores: Vec<Store>,
}

/// The RBAC questions a search asks: the asked requests and each step's action
/// where it matters, each once, with the holders of the assignments (and
/// eligibilities) that could grant it ([`super::query::grant_seeds`]). An actor
/// none of whose holders (itself and its groups) is among them is not allowed
/// it, so it is not decided; the rest are decided by [`decide`], as asked.
#[derive(Default)]
struct Asks {
    reqs: Vec<ActionReq>,
    /// Per ask: its action (lowercase) and scope (key).
    action: Vec<String>,
    scope: Vec<String>,
    /// Per ask: a step a principal can take first, towards what the last
    /// [`Effective::prune`] kept (its holders' members are `who`'s candidates).
    first: Vec<bool>,
    by_key: HashMap<(String, bool, String), usize>,
    /// Holder → the asks it holds an assignment for that could grant them.
    seeds: HashMap<String, Vec<usize>>,
}

impl Asks {
    fn find(&self, req: &ActionReq) -> Option<usize> {
        self.by_key
            .get(&(key(&req.action), req.data, scope_key(&req.scope)))
            .copied()
    }

    fn push(&mut self, req: ActionReq) -> usize {
        let k = (key(&req.action), req.data, scope_key(&req.scope));
        if let Some(&i) = self.by_key.get(&k) {
            return i;
        }
        let i = self.reqs.len();
        self.by_key.insert(k.clone(), i);
        self.action.push(k.0);
        self.scope.push(k.2);
        self.reqs.push(req);
        self.first.push(false);
        i
    }

    /// The holders of each ask, once every ask is pushed.
    fn index(&mut self, ix: &Index, anc: &mut Ancestry) {
        let mut memo = super::query::SeedMemo::default();
        for (i, req) in self.reqs.iter().enumerate() {
            for list in memo.lists_of(ix, req, anc) {
                for h in list.iter() {
                    // Asks come in order: a holder already noted for this
                    // ask (at a nearer scope) has it last.
                    match self.seeds.get_mut(h.as_str()) {
                        Some(v) if v.last() == Some(&i) => {}
                        Some(v) => v.push(i),
                        None => {
                            self.seeds.insert(h.clone(), vec![i]);
                        }
                    }
                }
            }
        }
    }
}

/// What RBAC answers alike for every principal with the same relevant holders
/// (those among its holders that hold an assignment that could grant an ask,
/// that a deny assignment names or excludes, or that could write computes):
/// the asks they touch, whether each is allowed, and whether a deny on an asked
/// request names them — filled as they are asked. Whether `decide` allows,
/// and whether it denies, depends on nothing else (the grants themselves, with
/// the group chain each comes through, are the principal's own).
#[derive(Default)]
struct Shared {
    touched: Vec<usize>,
    allows: HashMap<usize, bool>,
    denied: HashMap<usize, bool>,
    /// The principal's search before its grants ([`Effective::outline`]).
    outline: Option<std::rc::Rc<Outline>>,
}

/// One actor's RBAC answers: its holders, what it shares with the actors of
/// the same relevant holders, and its grants decided so far.
struct ActorRbac {
    holders: Vec<Holder>,
    shared: std::rc::Rc<std::cell::RefCell<Shared>>,
    grants: HashMap<usize, Option<Allowed>>,
    /// Its relevant holders (their numbers in [`Effective::relevant`]) per ask
    /// they hold an assignment for, sorted; those a deny names or excludes; those
    /// that hold an assignment that could grant a compute write. Whether RBAC
    /// allows an ask depends only on the first for that ask and the second
    /// ([`Effective::allows`]); where a compute can be written, on the last two.
    per_ask: Vec<(usize, u32)>,
    deny_ids: Vec<u32>,
    cw_ids: Vec<u32>,
    /// Per holder: its number in [`Effective::relevant`], if it is relevant.
    rel: Vec<Option<u32>>,
}

impl ActorRbac {
    /// The numbers of its holders that hold an assignment for ask `i`.
    fn holding(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        let from = self.per_ask.partition_point(|x| x.0 < i);
        self.per_ask[from..]
            .iter()
            .take_while(move |x| x.0 == i)
            .map(|x| x.1)
    }
}

/// How an actor reaches one asked request without changing identity, in the
/// order the steps are tried: RBAC (the request's own ask), then the storage
/// keys, workspace keys and datastore secrets that reach it, then granting
/// itself a role (its ask, and the role it would assign).
struct Plan {
    rbac: usize,
    keys: Vec<Direct>,
    grant_role: Option<(usize, RoleToGrant)>,
}

/// The role a grant-role step assigns: its name, and the condition of its block
/// that grants the action when that block has one (the role then grants only
/// conditionally, SPEC §2.7).
#[derive(Debug, Clone, PartialEq, Eq)]
struct RoleToGrant {
    name: String,
    condition: Option<String>,
}

/// A direct step of a [`Plan`]: its kind, the action it needs (its ask), what
/// it is taken on and what it gives.
struct Direct {
    kind: StepKind,
    needs: &'static str,
    ask: usize,
    on: String,
    gives: String,
}

/// A principal's first step towards an identity, before it is made a [`Step`]
/// with its grants: a job on a compute (its position, the identity, the
/// action), a user-assigned identity assigned to a compute (its position, the
/// workspace it creates the compute in), a service-principal datastore's secret
/// (its position).
enum FirstMove {
    Job(usize, String, &'static str),
    Assign(usize, String),
    Secret(usize),
}

/// What an ask leads to, when a principal holds it: jobs on computes, an
/// assignable identity, a datastore's secret.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lead {
    Computes,
    Identities,
    Stores,
}

/// What the search decides for a principal before its grants are made
/// ([`Effective::outline`]): alike for every principal of the same relevant
/// holders.
enum Outline {
    /// RBAC alone gives the access, or no chain does.
    None,
    /// Its own steps: the alternative (its position), the step per request.
    Own(usize, Vec<Option<Pick>>),
    /// Its first move, to the identity named, then that identity's chain.
    Move(String, FirstMove),
}

/// The step an actor takes towards one request without changing identity
/// ([`Effective::pick_one`]): RBAC, its plan's direct step (by position), or
/// granting itself a role.
#[derive(Clone, Copy)]
enum Pick {
    Rbac,
    Key(usize),
    GrantRole,
}

/// The escalation engine for one index: facts read once, each identity's steps
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
    /// Workspaces known (original ids), in the facts' order.
    workspaces: Vec<String>,
    /// Datastores.
    datastores: Vec<Store>,
    /// The lists above as the index holds them, before [`Effective::prune`]
    /// kept what one question can use, and the question they were pruned for.
    full: Option<Box<Lists>>,
    pruned_for: Option<Alternatives>,
    /// The questions of the pruned-for question, and where they lead: the
    /// positions of the kept computes per workspace key, of the kept
    /// user-assigned identities and service-principal datastores per key.
    asks: Asks,
    computes_at: HashMap<String, Vec<usize>>,
    /// Per ask: the kept computes, identities or datastores it leads to (a
    /// principal's moves); per kept compute its job asks (`jobs/write`, V1
    /// submit), per identity its assign ask, per datastore its secret ask.
    leads: Vec<(Lead, Vec<usize>)>,
    compute_asks: Vec<[Option<usize>; 2]>,
    assign_asks: Vec<Option<usize>>,
    secret_asks: Vec<Option<usize>>,
    identities_at: HashMap<String, Vec<usize>>,
    stores_at: HashMap<String, Vec<usize>>,
    /// The identities of the facts (compute, user-assigned, datastore service
    /// principals).
    identities: BTreeSet<String>,
    /// RBAC's answers per identity (kept), and for the principal being
    /// searched (`who` searches from each of its candidates: not kept).
    rbac: HashMap<String, ActorRbac>,
    current: Option<(String, ActorRbac)>,
    /// The holders that make principals' RBAC answers differ ([`Shared`]), and
    /// what the principals of each set of them share.
    relevant: HashMap<String, u32>,
    /// The membership graph upward as numbers (every principal `groups_of`
    /// names: its id, its groups in `groups_of`'s order, its relevant number),
    /// and the asks each relevant holder holds an assignment for.
    gid: HashMap<String, u32>,
    gname: Vec<String>,
    gup: Vec<Vec<u32>>,
    grel: Vec<Option<u32>>,
    rel_seeds: Vec<Vec<usize>>,
    /// Per relevant holder (by number): a deny names or excludes it; it holds
    /// an assignment that could grant a compute write.
    relevant_deny: Vec<bool>,
    relevant_cw: Vec<bool>,
    shared: HashMap<Vec<u32>, std::rc::Rc<std::cell::RefCell<Shared>>>,
    /// What RBAC answers alike for any actor with the same holders that matter
    /// to one question: whether ask `i` is allowed (by the holders of ask `i`
    /// and those a deny names), whether a deny on it applies (by the latter),
    /// and the first workspace where a compute can be written (by the holders
    /// of a compute write and the denied).
    allow_by: HashMap<(usize, Vec<u32>), bool>,
    deny_by: HashMap<(usize, Vec<u32>), bool>,
    cw_by: HashMap<Vec<u32>, Option<String>>,
    /// How each asked request is reached without changing identity.
    plans: HashMap<ActionReq, std::rc::Rc<Plan>>,
    /// Per identity: its moves, where it can create a compute, and the steps
    /// by which it reaches the asked access itself.
    moves: HashMap<String, std::rc::Rc<Vec<Step>>>,
    compute_write: HashMap<String, Option<(String, Allowed)>>,
    direct: HashMap<String, Option<Vec<Step>>>,
    /// Per identity that reaches the asked access within the hops a first
    /// step leaves: the fewest identity hops it needs (0: itself), and its
    /// chain (made once, shared by every principal that reaches it first).
    dist: Option<HashMap<String, usize>>,
    /// Per kept compute: its identity with the fewest hops (the first of
    /// them), as (hops, position).
    compute_hops: Vec<Option<(usize, usize)>>,
    best: HashMap<String, std::rc::Rc<Vec<Step>>>,
    /// The role [`Effective::assignable_role`] names, per (action, data, scope).
    roles_for: HashMap<(String, bool, String), Option<RoleToGrant>>,
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
    // `w.contains(WORKSPACE_PATH)`, without building a searcher for the long
    // needle each time (this is asked of every compute and datastore).
    w.match_indices("/workspaces/")
        .any(|(i, _)| w[..i].ends_with("/providers/microsoft.machinelearningservices"))
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

/// The data a datastore points at: its storage account and the container's
/// scope (blob container or file share), when they resolve; in their own
/// spelling (an answer shows them), compared by [`scope_key`].
pub(crate) fn datastore_target(
    ix: &Index,
    ds: &crate::model::Datastore,
) -> Option<(String, Option<String>)> {
    let name = ds.account_name.as_deref()?.trim();
    let account = match (&ds.subscription_id, &ds.resource_group) {
        (Some(s), Some(rg)) => format!(
            "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}"
        ),
        // Storage account names are unique in Azure: find the account by name.
        _ => {
            let name = key(name);
            ix.facts
                .iter()
                .find(|(k, _)| {
                    storage_account_of(k).as_deref() == Some(k.as_str())
                        && k.rsplit('/').next() == Some(name.as_str())
                })
                .map(|(_, f)| f.id.clone())?
        }
    };
    let container = ds.container_name.as_deref().map(|c| {
        let service = if key(&ds.datastore_type) == "azurefile" {
            "fileServices/default/shares"
        } else {
            "blobServices/default/containers"
        };
        format!("{}/{service}/{c}", account.trim_end_matches('/'))
    });
    Some((account, container))
}

impl<'a> Effective<'a> {
    pub fn new(ix: &'a Index) -> Effective<'a> {
        let mut e = Effective {
            ix,
            anc: Ancestry::default(),
            shared_key: HashMap::default(),
            workspace_storage: Vec::new(),
            computes: Vec::new(),
            user_assigned: Vec::new(),
            workspaces: Vec::new(),
            datastores: Vec::new(),
            full: None,
            pruned_for: None,
            asks: Asks::default(),
            computes_at: HashMap::default(),
            leads: Vec::new(),
            compute_asks: Vec::new(),
            assign_asks: Vec::new(),
            secret_asks: Vec::new(),
            identities_at: HashMap::default(),
            stores_at: HashMap::default(),
            identities: BTreeSet::new(),
            rbac: HashMap::default(),
            current: None,
            relevant: HashMap::default(),
            gid: HashMap::default(),
            gname: Vec::new(),
            gup: Vec::new(),
            grel: Vec::new(),
            rel_seeds: Vec::new(),
            relevant_deny: Vec::new(),
            relevant_cw: Vec::new(),
            allow_by: HashMap::default(),
            deny_by: HashMap::default(),
            cw_by: HashMap::default(),
            shared: HashMap::default(),
            plans: HashMap::default(),
            moves: HashMap::default(),
            compute_write: HashMap::default(),
            direct: HashMap::default(),
            dist: None,
            compute_hops: Vec::new(),
            best: HashMap::default(),
            roles_for: HashMap::default(),
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
        // Service principals by appId (a datastore's credential names its
        // client id); of several with one appId, the first by object id.
        let mut by_app: BTreeMap<String, String> = BTreeMap::new();
        for (k, p) in &ix.principals {
            if let Some(app) = &p.app_id {
                let e = by_app.entry(key(app)).or_insert_with(|| k.clone());
                if k < e {
                    *e = k.clone();
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
                    let kind = key(&ds.credentials_type);
                    let sp = if kind == "serviceprincipal" || kind == "certificate" {
                        ds.client_id
                            .as_deref()
                            .and_then(|c| by_app.get(&key(c)).cloned())
                    } else {
                        None
                    };
                    e.datastores.push(Store {
                        id: f.id.clone(),
                        workspace: w,
                        kind,
                        // Compared as keys below.
                        target: datastore_target(ix, ds)
                            .map(|(a, c)| (scope_key(&a), c.as_deref().map(scope_key))),
                        sp,
                    });
                }
            }
        }
        // Identities whose principal id a compute's record did not state: the
        // identity resources' own records.
        for (_, _, ids) in &mut e.computes {
            ids.retain(|i| !i.is_empty());
        }
        e.user_assigned = uami.into_values().collect();
        for (m, gs) in &ix.groups_of {
            let m = e.gnum(m);
            let up: Vec<u32> = gs.iter().map(|g| e.gnum(g)).collect();
            e.gup[m as usize] = up;
        }
        e.full = Some(Box::new(Lists {
            workspace_storage: e.workspace_storage.clone(),
            computes: e.computes.clone(),
            user_assigned: e.user_assigned.clone(),
            datastores: e.datastores.clone(),
        }));
        e
    }

    /// The number of a principal in the upward membership graph.
    fn gnum(&mut self, id: &str) -> u32 {
        if let Some(&n) = self.gid.get(id) {
            return n;
        }
        let n = self.gname.len() as u32;
        self.gid.insert(id.to_string(), n);
        self.gname.push(id.to_string());
        self.gup.push(Vec::new());
        n
    }

    /// The step's request for `action` at `scope` (its plane from the catalogue).
    fn req(&self, action: &str, scope: &str) -> ActionReq {
        ActionReq {
            action: action.to_string(),
            data: self.ix.is_data_action(action),
            scope: scope.to_string(),
        }
    }

    /// The key or SAS datastores whose secret reaches `req` (a storage data
    /// request on account `sa`), in order, with whether the secret is a key.
    fn secrets_for(&self, req: &ActionReq, sa: &str) -> Vec<(String, bool)> {
        self.datastores
            .iter()
            .filter_map(|st| {
                let is_key = st.kind == "accountkey";
                if !is_key && st.kind != "sas" {
                    return None;
                }
                let (account, container) = st.target.as_ref()?;
                let covered = if is_key {
                    account == sa
                } else {
                    container
                        .as_deref()
                        .is_some_and(|c| at_or_below(&req.scope, c))
                };
                covered.then(|| (st.id.clone(), is_key))
            })
            .collect()
    }

    /// The [`Plan`] of an asked request (its asks pushed).
    fn plan(&mut self, req: &ActionReq) -> Plan {
        let rbac = self.asks.push(req.clone());
        let mut keys: Vec<Direct> = Vec::new();
        // Shared Key: the account's keys, the workspace's keys, a datastore's key.
        if is_storage_data(req) {
            if let Some(sa) = storage_account_of(&req.scope) {
                // What the steps show: the imported account's id, else the
                // request's own spelling (`sa` is a key).
                let sa_shown = match self.ix.facts.get(&sa) {
                    Some(f) => f.id.clone(),
                    None => super::scope::spelled_as(&req.scope, sa.clone()),
                };
                if self.shared_key.get(&sa).copied().unwrap_or(true) {
                    for needs in STORAGE_KEY_ACTIONS {
                        let by = if needs == STORAGE_LIST_KEYS || needs == STORAGE_REGENERATE_KEY {
                            "Shared Key"
                        } else {
                            "a SAS signed with its key"
                        };
                        keys.push(Direct {
                            kind: StepKind::StorageKeys,
                            needs,
                            ask: self.asks.push(self.req(needs, &sa)),
                            on: sa_shown.clone(),
                            gives: format!("every data action on the account by {by}"),
                        });
                    }
                    let linked: Vec<String> = self
                        .workspace_storage
                        .iter()
                        .filter(|(_, s)| *s == sa)
                        .map(|(w, _)| w.clone())
                        .collect();
                    for w in linked {
                        let on = self
                            .ix
                            .facts
                            .get(&w)
                            .map_or_else(|| w.clone(), |f| f.id.clone());
                        keys.push(Direct {
                            kind: StepKind::WorkspaceKeys,
                            needs: WORKSPACE_LIST_KEYS,
                            ask: self.asks.push(self.req(WORKSPACE_LIST_KEYS, &w)),
                            on,
                            gives: format!("the key of the workspace's storage account {sa_shown}"),
                        });
                    }
                    for (ds_id, is_key) in self.secrets_for(req, &sa) {
                        keys.push(Direct {
                            kind: StepKind::DatastoreSecret,
                            needs: DATASTORE_LIST_SECRETS,
                            ask: self.asks.push(self.req(DATASTORE_LIST_SECRETS, &ds_id)),
                            on: ds_id,
                            gives: if is_key {
                                format!("the account key of {sa_shown} stored by the datastore")
                            } else {
                                "the datastore's SAS token (its permissions are not in the export)"
                                    .to_string()
                            },
                        });
                    }
                }
            }
        }
        // Grant yourself a role: a role assignable at the scope that grants it.
        let grant_role = self.assignable_role(req).map(|role| {
            let ask = self.asks.push(self.req(ROLE_ASSIGNMENTS_WRITE, &req.scope));
            (ask, role)
        });
        Plan {
            rbac,
            keys,
            grant_role,
        }
    }

    /// Keeps only what a question about `alts` can use: the storage accounts
    /// of its requests (keys, workspace keys, key and SAS datastores), and the
    /// identities that can reach it — by RBAC or a direct step, or by acting as
    /// such an identity, up to [`MAX_IDENTITY_HOPS`] — with the computes,
    /// user-assigned identities and service-principal datastores that lead to
    /// them: the search backward from the asked access. Exact: a chain only
    /// ever passes through such identities. Every RBAC question a search will
    /// ask is listed then ([`Asks`]).
    fn prune(&mut self, alts: &Alternatives) {
        if self.pruned_for.as_ref() == Some(alts) {
            return;
        }
        let Some(full) = self.full.clone() else {
            return;
        };
        self.rbac.clear();
        self.current = None;
        self.shared.clear();
        self.moves.clear();
        self.compute_write.clear();
        self.direct.clear();
        self.dist = None;
        self.best.clear();
        let accounts: BTreeSet<String> = alts
            .iter()
            .flatten()
            .filter(|r| is_storage_data(r))
            .filter_map(|r| storage_account_of(&r.scope))
            .collect();
        self.workspace_storage = full.workspace_storage.clone();
        self.workspace_storage
            .retain(|(_, sa)| accounts.contains(sa));
        // Datastores: a key or SAS one on an asked account, or a service
        // principal one (acting as it).
        self.datastores = full
            .datastores
            .iter()
            .filter(|st| {
                if st.kind == "accountkey" || st.kind == "sas" {
                    st.target
                        .as_ref()
                        .is_some_and(|(a, _)| accounts.contains(a))
                } else {
                    st.sp.is_some()
                }
            })
            .cloned()
            .collect();
        self.computes = full.computes.clone();
        self.user_assigned = full.user_assigned.clone();

        // Every question: the asked requests, the direct steps towards them
        // (each request's plan), and the identity steps of the whole lists.
        self.asks = Asks::default();
        for req in alts.iter().flatten() {
            self.asks.push(req.clone());
        }
        self.plans.clear();
        let mut first: Vec<usize> = Vec::new();
        for req in alts.iter().flatten() {
            let plan = self.plan(req);
            first.extend(plan.keys.iter().map(|d| d.ask));
            first.extend(plan.grant_role.as_ref().map(|g| g.0));
            self.plans.insert(req.clone(), std::rc::Rc::new(plan));
        }
        for (w, _, _) in &self.computes {
            self.asks.push(self.req(JOBS_WRITE, w));
            self.asks.push(self.req(RUNS_SUBMIT, w));
        }
        for (u, _) in &self.user_assigned {
            self.asks.push(self.req(IDENTITY_ASSIGN, u));
        }
        for st in &self.datastores {
            if st.sp.is_some() {
                self.asks.push(self.req(DATASTORE_LIST_SECRETS, &st.id));
            }
        }
        self.asks.index(self.ix, &mut self.anc);
        self.relevant = self.relevant_holders();
        self.grel = self
            .gname
            .iter()
            .map(|g| self.relevant.get(g).copied())
            .collect();
        let mut rel_seeds = vec![Vec::new(); self.relevant.len()];
        for (h, &r) in &self.relevant {
            if let Some(v) = self.asks.seeds.get(h) {
                rel_seeds[r as usize] = v.clone();
            }
        }
        self.rel_seeds = rel_seeds;
        self.allow_by.clear();
        self.deny_by.clear();
        self.cw_by.clear();

        let mut identities: BTreeSet<String> = BTreeSet::new();
        for (_, _, ids) in &self.computes {
            identities.extend(ids.iter().cloned());
        }
        identities.extend(self.user_assigned.iter().map(|(_, p)| p.clone()));
        identities.extend(self.datastores.iter().filter_map(|st| st.sp.clone()));
        self.identities = identities.clone();
        let mut useful: BTreeSet<String> = BTreeSet::new();
        for i in &identities {
            let direct = alts.iter().any(|reqs| {
                !reqs.is_empty() && reqs.iter().all(|r| self.pick_one(i, r, false).is_ok())
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
                .map(|(w, _, _)| scope_key(w))
                .collect();
            let uamis: BTreeSet<String> = self
                .user_assigned
                .iter()
                .filter(|(_, p)| useful.contains(p))
                .map(|(u, _)| scope_key(u))
                .collect();
            let sp_stores: BTreeSet<String> = self
                .datastores
                .iter()
                .filter(|st| st.sp.as_ref().is_some_and(|p| useful.contains(p)))
                .map(|st| scope_key(&st.id))
                .collect();
            let mut added = Vec::new();
            for i in identities.iter().filter(|i| !useful.contains(*i)) {
                let reached = !self
                    .allowed_at(i, &[JOBS_WRITE, RUNS_SUBMIT], &job_workspaces)
                    .is_empty()
                    || !self
                        .allowed_at(i, &[DATASTORE_LIST_SECRETS], &sp_stores)
                        .is_empty()
                    || (!self.allowed_at(i, &[IDENTITY_ASSIGN], &uamis).is_empty()
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
            .retain(|st| st.sp.as_ref().is_none_or(|p| useful.contains(p)));

        // Where each identity step leads now, and the first steps of a
        // principal: the direct ones and those towards a kept identity.
        self.computes_at.clear();
        self.identities_at.clear();
        self.stores_at.clear();
        for (n, (w, _, _)) in self.computes.iter().enumerate() {
            self.computes_at.entry(scope_key(w)).or_default().push(n);
        }
        for (n, (u, _)) in self.user_assigned.iter().enumerate() {
            self.identities_at.entry(scope_key(u)).or_default().push(n);
        }
        for (n, st) in self.datastores.iter().enumerate() {
            if st.sp.is_some() {
                self.stores_at.entry(scope_key(&st.id)).or_default().push(n);
            }
        }
        for i in first {
            self.asks.first[i] = true;
        }
        self.leads.clear();
        let (jobs, runs) = (key(JOBS_WRITE), key(RUNS_SUBMIT));
        let (assign, secrets) = (key(IDENTITY_ASSIGN), key(DATASTORE_LIST_SECRETS));
        for i in 0..self.asks.reqs.len() {
            let (a, s) = (&self.asks.action[i], &self.asks.scope[i]);
            let (kind, at) = if *a == jobs || *a == runs {
                (Lead::Computes, self.computes_at.get(s))
            } else if *a == assign {
                (Lead::Identities, self.identities_at.get(s))
            } else if *a == secrets {
                (Lead::Stores, self.stores_at.get(s))
            } else {
                (Lead::Computes, None)
            };
            if at.is_some() {
                self.asks.first[i] = true;
            }
            self.leads.push((kind, at.cloned().unwrap_or_default()));
        }
        // Each kept compute's job asks, identity's assign ask, datastore's
        // secret ask (all listed above).
        self.compute_asks = (0..self.computes.len())
            .map(|c| {
                let ws = self.computes[c].0.clone();
                [JOBS_WRITE, RUNS_SUBMIT].map(|a| self.asks.find(&self.req(a, &ws)))
            })
            .collect();
        self.assign_asks = (0..self.user_assigned.len())
            .map(|u| {
                self.asks
                    .find(&self.req(IDENTITY_ASSIGN, &self.user_assigned[u].0))
            })
            .collect();
        self.secret_asks = (0..self.datastores.len())
            .map(|n| {
                self.asks
                    .find(&self.req(DATASTORE_LIST_SECRETS, &self.datastores[n].id))
            })
            .collect();
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
        // `assign-identity` needs a compute write in *a* workspace, any of them:
        // where an identity can be assigned, every known workspace's assignments
        // are read, as `can` reads every assignment of its principal's groups
        // (else `who` misses a compute write held on a workspace nothing else
        // leads to).
        if !self.user_assigned.is_empty() {
            v.extend(self.workspaces.iter().map(|w| scope_key(w)));
        }
        for st in &self.datastores {
            v.insert(scope_key(&st.id));
            v.insert(st.workspace.clone());
        }
        v.into_iter().collect()
    }

    /// The client ids (appIds) that service-principal and certificate
    /// datastores name, sorted, each once: a slice reads those principals (a
    /// datastore's identity is known by its record's appId).
    pub fn datastore_client_ids(&self) -> Vec<String> {
        let mut v: BTreeSet<String> = BTreeSet::new();
        for f in self.ix.facts.values() {
            if let Some(ds) = &f.datastore {
                let kind = key(&ds.credentials_type);
                if kind == "serviceprincipal" || kind == "certificate" {
                    v.extend(ds.client_id.as_deref().map(key));
                }
            }
        }
        v.into_iter().collect()
    }

    /// Every identity the facts name (the computes' identities, the
    /// user-assigned identities' principals, the service principals of
    /// datastores whose record is read), sorted: a chain acts as them, so a
    /// slice reads their groups as it reads the asked principal's.
    pub fn identities(&self) -> Vec<String> {
        let Some(full) = &self.full else {
            return Vec::new();
        };
        let mut v: BTreeSet<String> = BTreeSet::new();
        for (_, _, ids) in &full.computes {
            v.extend(ids.iter().cloned());
        }
        v.extend(full.user_assigned.iter().map(|(_, p)| p.clone()));
        v.extend(full.datastores.iter().filter_map(|st| st.sp.clone()));
        v.into_iter().collect()
    }

    /// The holders whose members a question's slice reads: the holders of the
    /// assignments that could grant an asked request or a first step (where
    /// `who --effective` finds its candidates).
    pub fn seeds(&mut self, alts: &Alternatives) -> Vec<String> {
        self.prune(alts);
        let asked: BTreeSet<usize> = alts
            .iter()
            .flatten()
            .filter_map(|r| self.asks.find(r))
            .collect();
        let mut out: Vec<String> = self
            .asks
            .seeds
            .iter()
            .filter(|(_, v)| v.iter().any(|i| asked.contains(i) || self.asks.first[*i]))
            .map(|(h, _)| h.clone())
            .collect();
        // `assign-identity` also needs a compute write somewhere: where an
        // identity can be assigned, the members of the holders that could grant
        // one are read too (else a principal whose compute write comes through
        // such a group is answered by `can` and missed by `who`).
        if !self.user_assigned.is_empty() {
            let mut rel: Vec<(&String, &u32)> = self.relevant.iter().collect();
            rel.sort();
            out.extend(
                rel.into_iter()
                    .filter(|(_, &r)| self.relevant_cw[r as usize])
                    .map(|(h, _)| h.clone()),
            );
            out.sort();
            out.dedup();
        }
        out.sort();
        out
    }

    /// The holders that make principals' RBAC answers to the asks differ: the
    /// holders of the asks, those a deny assignment names or excludes, and the
    /// holders of an assignment that could grant a compute write (where an
    /// identity can be assigned, [`Effective::compute_write`]).
    fn relevant_holders(&mut self) -> HashMap<String, u32> {
        let ix = self.ix;
        let mut out: FxHashSet<String> = self.asks.seeds.keys().cloned().collect();
        let mut denied: FxHashSet<String> = FxHashSet::default();
        let mut cw: FxHashSet<String> = FxHashSet::default();
        for d in &ix.denies {
            denied.extend(d.principals.iter().cloned());
            denied.extend(d.excluded.iter().cloned());
        }
        let action = key(COMPUTES_WRITE);
        let data = ix.is_data_action(COMPUTES_WRITE);
        let slot = self.anc.action_slot(&action, data);
        for (ai, a) in ix.assignments.iter().enumerate() {
            let Some(ri) = ix.assignment_role[ai] else {
                continue;
            };
            let grants = self
                .anc
                .role_matches(ix, ri, slot, &action, data)
                .iter()
                .any(|m| matches!(m, BlockMatch::Grants { .. }));
            if grants {
                cw.insert(key(&a.principal_id));
            }
        }
        out.extend(denied.iter().cloned());
        out.extend(cw.iter().cloned());
        let mut v: Vec<String> = out.into_iter().collect();
        v.sort_unstable();
        self.relevant_deny = v.iter().map(|h| denied.contains(h)).collect();
        self.relevant_cw = v.iter().map(|h| cw.contains(h)).collect();
        v.into_iter().zip(0u32..).collect()
    }

    /// An actor's RBAC state, made on first use (kept for identities).
    fn actor(&mut self, actor: &str) -> &mut ActorRbac {
        if self.current.as_ref().is_some_and(|(p, _)| p == actor) {
            return &mut self.current.as_mut().expect("current").1;
        }
        if !self.rbac.contains_key(actor) {
            let st = self.actor_rbac(actor);
            self.rbac.insert(actor.to_string(), st);
        }
        self.rbac.get_mut(actor).expect("inserted")
    }

    /// An actor's holders, and what it shares with the principals of the same
    /// relevant holders (an identity shares nothing: its own moves depend on
    /// who it is).
    fn actor_rbac(&mut self, actor: &str) -> ActorRbac {
        let (holders, rel) = self.holders_of(actor);
        let (mut sig, mut per_ask, mut deny_ids, mut cw_ids) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for &r in rel.iter().flatten() {
            sig.push(r);
            for &i in &self.rel_seeds[r as usize] {
                per_ask.push((i, r));
            }
            if self.relevant_deny[r as usize] {
                deny_ids.push(r);
            }
            if self.relevant_cw[r as usize] {
                cw_ids.push(r);
            }
        }
        for v in [&mut sig, &mut deny_ids, &mut cw_ids] {
            v.sort_unstable();
            v.dedup();
        }
        per_ask.sort_unstable();
        per_ask.dedup();
        // The asks its holders hold an assignment for (sorted, once).
        let new = || {
            let mut touched: Vec<usize> = per_ask.iter().map(|x| x.0).collect();
            touched.dedup();
            std::rc::Rc::new(std::cell::RefCell::new(Shared {
                touched,
                ..Shared::default()
            }))
        };
        let shared = if self.identities.contains(actor) {
            new()
        } else {
            match self.shared.get(&sig) {
                Some(s) => s.clone(),
                None => {
                    let s = new();
                    self.shared.insert(sig, s.clone());
                    s
                }
            }
        };
        ActorRbac {
            holders,
            shared,
            grants: HashMap::default(),
            per_ask,
            deny_ids,
            cw_ids,
            rel,
        }
    }

    /// An actor's holders as the search asks RBAC about them: those of
    /// [`super::decide::holders`] (the one membership walk; each with the same
    /// group chain) that are the actor itself or relevant ([`Shared`]). The
    /// others hold no assignment that could grant an ask or a compute write and
    /// no deny names or excludes them: `decide` gives the same grants, denies
    /// and so the same allowed answer without them (a test holds every ask to
    /// `decide` over all the holders).
    fn holders_of(&self, actor: &str) -> (Vec<Holder>, Vec<Option<u32>>) {
        let me = key(actor);
        let own = self.relevant.get(&me).copied();
        let Some(&start) = self.gid.get(&me) else {
            return (
                vec![Holder {
                    id: me,
                    via: Vec::new(),
                }],
                vec![own],
            );
        };
        let walk =
            super::walk::breadth_first_by([start], |&g| self.gup[g as usize].iter().copied());
        let (mut out, mut rel) = (Vec::new(), Vec::new());
        for (n, &(g, _)) in walk.iter().enumerate() {
            let r = if n == 0 { own } else { self.grel[g as usize] };
            if n > 0 && r.is_none() {
                continue;
            }
            // The chain of groups from the actor to it (nearest first).
            let mut via = Vec::new();
            let mut at = n;
            while let Some(f) = walk[at].1 {
                via.push(self.gname[walk[at].0 as usize].clone());
                at = f;
            }
            via.reverse();
            let id = if n == 0 {
                me.clone()
            } else {
                self.gname[g as usize].clone()
            };
            out.push(Holder { id, via });
            rel.push(r);
        }
        (out, rel)
    }

    /// Whether RBAC allows ask `i` to `actor`: asked of `decide` only when one
    /// of its holders could be granted it, and once for the actors of the same
    /// relevant holders.
    fn allows(&mut self, actor: &str, i: usize) -> bool {
        {
            let st = self.actor(actor);
            let sh = st.shared.borrow();
            if sh.touched.binary_search(&i).is_err() {
                return false;
            }
            if let Some(&b) = sh.allows.get(&i) {
                return b;
            }
        }
        let st = self.actor(actor);
        let mut k: Vec<u32> = st.holding(i).collect();
        k.push(u32::MAX);
        k.extend(st.deny_ids.iter().copied());
        let k = (i, k);
        if let Some(&b) = self.allow_by.get(&k) {
            self.actor(actor).shared.borrow_mut().allows.insert(i, b);
            return b;
        }
        let b = self.ask(actor, i).is_some();
        self.allow_by.insert(k, b);
        b
    }

    /// RBAC's answer to ask `i` for `actor`, with the grant: decided once per
    /// actor, and only when one of its holders could be granted it.
    fn ask(&mut self, actor: &str, i: usize) -> Option<Allowed> {
        let ix = self.ix;
        let req = self.asks.reqs[i].clone();
        let mut anc = std::mem::take(&mut self.anc);
        let st = self.actor(actor);
        let out = if st.shared.borrow().touched.binary_search(&i).is_err() {
            None
        } else if let Some(d) = st.grants.get(&i) {
            d.clone()
        } else {
            // Only the holders that hold an assignment for it and those a deny
            // names or excludes: `decide` answers the same without the others.
            let mut wanted: Vec<u32> = st.holding(i).collect();
            wanted.extend(st.deny_ids.iter().copied());
            let hs: Vec<Holder> = st
                .holders
                .iter()
                .zip(&st.rel)
                .filter(|(_, r)| r.is_some_and(|r| wanted.contains(&r)))
                .map(|(h, _)| h.clone())
                .collect();
            let d = decide_each(ix, &hs, [&req], false, &mut anc)
                .pop()
                .and_then(allowed);
            st.grants.insert(i, d.clone());
            let mut sh = st.shared.borrow_mut();
            let b = *sh.allows.entry(i).or_insert(d.is_some());
            debug_assert_eq!(b, d.is_some(), "the same relevant holders, the same answer");
            d
        };
        self.anc = anc;
        out
    }

    /// Whether a deny assignment on asked request `req` (ask `i`) applies to
    /// `actor` (a new role assignment would not lift it): once for the actors
    /// of the same relevant holders.
    fn denied(&mut self, actor: &str, i: usize, req: &ActionReq) -> bool {
        if let Some(&b) = self.actor(actor).shared.borrow().denied.get(&i) {
            return b;
        }
        let k = (i, self.actor(actor).deny_ids.clone());
        if let Some(&b) = self.deny_by.get(&k) {
            self.actor(actor).shared.borrow_mut().denied.insert(i, b);
            return b;
        }
        let b = self.denied_uncached(actor, i, req);
        self.deny_by.insert(k, b);
        b
    }

    fn denied_uncached(&mut self, actor: &str, i: usize, req: &ActionReq) -> bool {
        let ix = self.ix;
        let mut anc = std::mem::take(&mut self.anc);
        let st = self.actor(actor);
        let d = decide_each(ix, &st.holders, [req], false, &mut anc);
        let b = d.iter().any(|a| !a.denies.is_empty());
        st.shared.borrow_mut().denied.insert(i, b);
        self.anc = anc;
        b
    }

    /// The asks `actor`'s holders touch whose action is one of `actions` (in
    /// its own plane) and whose scope key is in `scopes`, that RBAC allows.
    fn allowed_at(
        &mut self,
        actor: &str,
        actions: &[&str],
        scopes: &BTreeSet<String>,
    ) -> Vec<usize> {
        let wanted: Vec<(String, bool)> = actions
            .iter()
            .map(|a| (key(a), self.ix.is_data_action(a)))
            .collect();
        let touched = self.actor(actor).shared.borrow().touched.clone();
        let mut out = Vec::new();
        for i in touched {
            let this = (self.asks.action[i].clone(), self.asks.reqs[i].data);
            if wanted.contains(&this)
                && scopes.contains(&self.asks.scope[i])
                && self.allows(actor, i)
            {
                out.push(i);
            }
        }
        out
    }

    /// RBAC's answer for one actor, one action, at one scope: the grants when it
    /// is allowed or conditional (with the condition), else None.
    fn can(&mut self, actor: &str, action: &str, scope: &str) -> Option<Allowed> {
        let req = self.req(action, scope);
        self.can_req(actor, &req)
    }

    /// Whether RBAC allows `req` to `actor` ([`Effective::can_req`] without
    /// the grant).
    fn can_allows(&mut self, actor: &str, req: &ActionReq) -> bool {
        match self.asks.find(req) {
            Some(i) => self.allows(actor, i),
            None => self.can_req(actor, req).is_some(),
        }
    }

    fn can_req(&mut self, actor: &str, req: &ActionReq) -> Option<Allowed> {
        match self.asks.find(req) {
            Some(i) => self.ask(actor, i),
            // Not a question the search lists (a compute write): asked of
            // `decide` as it comes.
            None => {
                let ix = self.ix;
                let mut anc = std::mem::take(&mut self.anc);
                let hs = &self.actor(actor).holders;
                let d = decide_each(ix, hs, [req], false, &mut anc)
                    .pop()
                    .and_then(allowed);
                self.anc = anc;
                d
            }
        }
    }

    /// A workspace where the actor can create or update a compute, and the
    /// grant, if any: the first in the facts' order. Only workspaces at or
    /// below a scope where one of its holders holds an assignment are asked of
    /// `decide` (no grant reaches the others).
    fn compute_write(&mut self, actor: &str) -> Option<(String, Allowed)> {
        let keep = self.current.as_ref().is_none_or(|(p, _)| p != actor);
        if let Some(c) = self.compute_write.get(actor) {
            return c.clone();
        }
        let st = self.actor(actor);
        let mut k = st.cw_ids.clone();
        k.push(u32::MAX);
        k.extend(st.deny_ids.iter().copied());
        let found = match self.cw_by.get(&k).cloned() {
            Some(w) => w.map(|w| {
                let g = self.can(actor, COMPUTES_WRITE, &w).expect("allowed");
                (w, g)
            }),
            None => {
                let found = self.compute_write_uncached(actor);
                self.cw_by.insert(k, found.as_ref().map(|f| f.0.clone()));
                found
            }
        };
        if keep {
            self.compute_write.insert(actor.to_string(), found.clone());
        }
        found
    }

    /// The workspace of [`Effective::compute_write`], without its grant.
    fn compute_write_ws(&mut self, actor: &str) -> Option<String> {
        if let Some(c) = self.compute_write.get(actor) {
            return c.as_ref().map(|c| c.0.clone());
        }
        let st = self.actor(actor);
        let mut k = st.cw_ids.clone();
        k.push(u32::MAX);
        k.extend(st.deny_ids.iter().copied());
        match self.cw_by.get(&k) {
            Some(w) => w.clone(),
            None => self.compute_write(actor).map(|c| c.0),
        }
    }

    fn compute_write_uncached(&mut self, actor: &str) -> Option<(String, Allowed)> {
        let ix = self.ix;
        let held: std::collections::HashSet<&String> = self
            .actor(actor)
            .holders
            .iter()
            .filter_map(|h| ix.assignments_by_holder.get(&h.id))
            .flatten()
            .map(|&ai| &ix.assignment_scope[ai])
            .collect();
        let mut found = None;
        if !held.is_empty() {
            for w in self.workspaces.clone() {
                let chain = self.anc.get(ix, &w);
                if !chain.0.iter().any(|s| held.contains(s)) {
                    continue;
                }
                if let Some(g) = self.can(actor, COMPUTES_WRITE, &w) {
                    found = Some((w, g));
                    break;
                }
            }
        }
        found
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

    /// `submit-job`: `actor` runs code as identity `id` of `compute`.
    fn job_step(&self, actor: &str, compute: &str, id: &str, needs: &str, g: Allowed) -> Step {
        self.step(
            StepKind::SubmitJob,
            actor,
            needs,
            compute,
            g,
            (
                format!(
                    "runs code as {} on compute {}",
                    self.ix.name_of(id),
                    compute.rsplit('/').next().unwrap_or(compute)
                ),
                Some(id.to_string()),
            ),
        )
    }

    /// `assign-identity`: `actor` creates a compute in workspace `w` (by the
    /// compute write `cw`) running as user-assigned identity `uid`.
    fn assign_step(
        &self,
        actor: &str,
        uid: &str,
        principal: &str,
        (mut grants, cond): Allowed,
        (w, cw): &(String, Allowed),
    ) -> Step {
        grants.extend(cw.0.iter().cloned());
        let cond = cond.or_else(|| cw.1.clone());
        self.step(
            StepKind::AssignIdentity,
            actor,
            &format!("{IDENTITY_ASSIGN} + {COMPUTES_WRITE}"),
            uid,
            (grants, cond),
            (
                format!(
                    "creates a compute in {} running as {}",
                    w.rsplit('/').next().unwrap_or(w),
                    self.ix.name_of(principal)
                ),
                Some(principal.to_string()),
            ),
        )
    }

    /// `datastore-secret`: `actor` reads datastore `ds`'s service-principal
    /// credential and acts as `sp`.
    fn secret_step(&self, actor: &str, ds: &str, sp: &str, g: Allowed) -> Step {
        self.step(
            StepKind::DatastoreSecret,
            actor,
            DATASTORE_LIST_SECRETS,
            ds,
            g,
            (
                format!(
                    "reads the datastore's credentials of {}",
                    self.ix.name_of(sp)
                ),
                Some(sp.to_string()),
            ),
        )
    }

    /// The identities an actor can act as, each by its step, in order: jobs on
    /// the kept computes (in the facts' order), then the kept user-assigned
    /// identities it can assign, then the kept service-principal datastores it
    /// can read. Kept per identity; not for the principal being searched.
    fn moves(&mut self, actor: &str) -> std::rc::Rc<Vec<Step>> {
        if let Some(m) = self.moves.get(actor) {
            return m.clone();
        }
        let out = std::rc::Rc::new(self.moves_uncached(actor));
        self.moves.insert(actor.to_string(), out.clone());
        out
    }

    /// Where `actor`'s holders touch a step's action: the positions of the
    /// kept computes it may submit jobs to, of the user-assigned identities it
    /// may assign, and of the service-principal datastores whose secrets it may
    /// read (each sorted, once; RBAC not yet asked).
    fn move_targets(&mut self, actor: &str) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
        let st = self.actor(actor).shared.clone();
        let (mut cs, mut us, mut ss) = (Vec::new(), Vec::new(), Vec::new());
        for &i in &st.borrow().touched {
            let (kind, at) = &self.leads[i];
            match kind {
                Lead::Computes => cs.extend(at.iter().copied()),
                Lead::Identities => us.extend(at.iter().copied()),
                Lead::Stores => ss.extend(at.iter().copied()),
            }
        }
        for v in [&mut cs, &mut us, &mut ss] {
            v.sort_unstable();
            v.dedup();
        }
        (cs, us, ss)
    }

    /// Whether RBAC allows `action` at `scope` to `actor`, by its ask when the
    /// search lists it.
    fn allows_at(&mut self, actor: &str, ask: Option<usize>, action: &str, scope: &str) -> bool {
        match ask {
            Some(i) => self.allows(actor, i),
            None => self.can_allows(actor, &self.req(action, scope)),
        }
    }

    fn moves_uncached(&mut self, actor: &str) -> Vec<Step> {
        let (cs, us, ss) = self.move_targets(actor);
        let mut out: Vec<Step> = Vec::new();
        // Submit jobs to a compute: run as its identities.
        let mut by_ws: BTreeMap<String, Option<(String, Allowed)>> = BTreeMap::new();
        for c in cs {
            let (ws, compute, ids) = self.computes[c].clone();
            let grant = match by_ws.get(&ws) {
                Some(g) => g.clone(),
                None => {
                    let g = self
                        .can(actor, JOBS_WRITE, &ws)
                        .map(|g| (JOBS_WRITE.to_string(), g))
                        .or_else(|| {
                            self.can(actor, RUNS_SUBMIT, &ws)
                                .map(|g| (RUNS_SUBMIT.to_string(), g))
                        });
                    by_ws.insert(ws.clone(), g.clone());
                    g
                }
            };
            if let Some((needs, g)) = grant {
                for id in &ids {
                    out.push(self.job_step(actor, &compute, id, &needs, g.clone()));
                }
            }
        }
        // Assign a user-assigned identity to a compute it creates.
        let mut uamis: Vec<(String, String, Allowed)> = Vec::new();
        for u in us {
            let (uid, p) = self.user_assigned[u].clone();
            if let Some(g) = self.can(actor, IDENTITY_ASSIGN, &uid) {
                uamis.push((uid, p, g));
            }
        }
        if !uamis.is_empty() {
            if let Some(cw) = self.compute_write(actor) {
                for (uid, principal, g) in uamis {
                    out.push(self.assign_step(actor, &uid, &principal, g, &cw));
                }
            }
        }
        // A service-principal datastore's secret: act as that service principal.
        for s in ss {
            let st = self.datastores[s].clone();
            let Some(sp) = st.sp else { continue };
            if let Some(g) = self.can(actor, DATASTORE_LIST_SECRETS, &st.id) {
                out.push(self.secret_step(actor, &st.id, &sp, g));
            }
        }
        out.retain(|s| s.identity.as_deref() != Some(actor));
        out
    }

    /// Which step takes `actor` to one request without changing identity: RBAC
    /// (`None` for the asked principal itself), or a direct step, as the
    /// request's [`Plan`] orders them. `Err(())`: it cannot. Only whether RBAC
    /// allows is asked ([`Effective::allows`], alike for the same relevant
    /// holders); [`Effective::take`] makes the step with the actor's grant.
    fn pick_one(&mut self, actor: &str, req: &ActionReq, asked: bool) -> Result<Option<Pick>, ()> {
        let Some(plan) = self.plans.get(req).cloned() else {
            return Err(());
        };
        if self.allows(actor, plan.rbac) {
            return Ok((!asked).then_some(Pick::Rbac));
        }
        // The first step in the plan's order that the actor can take without a
        // condition; else the first it can take at all (SPEC §2.9: a condition
        // is reported only when nothing unconditional gives the access).
        let mut conditional: Option<Pick> = None;
        for (n, d) in plan.keys.iter().enumerate() {
            if self.allows(actor, d.ask) {
                if self.unconditional(actor, d.ask) {
                    return Ok(Some(Pick::Key(n)));
                }
                conditional.get_or_insert(Pick::Key(n));
            }
        }
        // Grant yourself a role: only where the actor is not denied the action
        // (a deny assignment still applies after the new assignment).
        if let Some((ask, role)) = &plan.grant_role {
            if self.allows(actor, *ask) && !self.denied(actor, plan.rbac, req) {
                if role.condition.is_none() && self.unconditional(actor, *ask) {
                    return Ok(Some(Pick::GrantRole));
                }
                conditional.get_or_insert(Pick::GrantRole);
            }
        }
        conditional.map(Some).ok_or(())
    }

    /// Whether RBAC allows ask `i` to `actor` without a condition.
    fn unconditional(&mut self, actor: &str, i: usize) -> bool {
        self.ask(actor, i).is_some_and(|(_, c)| c.is_none())
    }

    /// The step [`Effective::pick_one`] picked for `actor` and `req`, with the
    /// actor's own grant.
    fn take(&mut self, actor: &str, req: &ActionReq, pick: Pick) -> Step {
        let plan = self.plans.get(req).cloned().expect("a planned request");
        match pick {
            Pick::Rbac => {
                let g = self.ask(actor, plan.rbac).expect("allowed");
                self.step(
                    StepKind::Rbac,
                    actor,
                    &req.action,
                    &req.scope,
                    g,
                    (format!("holds {}", req.action), None),
                )
            }
            Pick::Key(n) => {
                let d = &plan.keys[n];
                let g = self.ask(actor, d.ask).expect("allowed");
                self.step(d.kind, actor, d.needs, &d.on, g, (d.gives.clone(), None))
            }
            Pick::GrantRole => {
                let (ask, role) = plan.grant_role.as_ref().expect("a role to grant");
                let (grants, condition) = self.ask(actor, *ask).expect("allowed");
                // The step is conditional when the write is, or when the role
                // grants the action only under its block's condition.
                let condition = condition.or_else(|| role.condition.clone());
                let mut step = self.step(
                    StepKind::GrantRole,
                    actor,
                    ROLE_ASSIGNMENTS_WRITE,
                    &req.scope,
                    (grants, condition),
                    (format!("assigns itself {}", role.name), None),
                );
                step.role = Some(role.name.clone());
                step
            }
        }
    }

    /// The steps by which `actor` reaches one alternative of `alts` without
    /// changing identity (the first alternative it reaches, in order): for the
    /// asked principal, at least one step beside RBAC.
    fn reach(&mut self, actor: &str, alts: &Alternatives, asked: bool) -> Option<Vec<Step>> {
        let (n, picks) = self.reach_picks(actor, alts, asked)?;
        Some(self.take_all(actor, &alts[n], &picks))
    }

    /// [`Effective::reach`] before any grant is made: the alternative (its
    /// position) and the step picked per request.
    fn reach_picks(
        &mut self,
        actor: &str,
        alts: &Alternatives,
        asked: bool,
    ) -> Option<(usize, Vec<Option<Pick>>)> {
        for (n, reqs) in alts.iter().enumerate() {
            match self.picks(actor, reqs, asked) {
                Some(picks) if picks.iter().any(Option::is_some) => return Some((n, picks)),
                _ => {}
            }
        }
        None
    }

    /// The step picked per request of one alternative, or `None` when the actor
    /// misses one (or there is none).
    fn picks(&mut self, actor: &str, reqs: &[ActionReq], asked: bool) -> Option<Vec<Option<Pick>>> {
        if reqs.is_empty() {
            return None;
        }
        reqs.iter()
            .map(|req| self.pick_one(actor, req, asked).ok())
            .collect()
    }

    /// The steps by which `actor` reaches every request of one alternative
    /// without changing identity (a step shared by several requests once, RBAC
    /// steps' grants joined), or `None` when it misses one (or there is none).
    /// The steps may be none: the asked principal's own RBAC answer is not a
    /// step ([`Effective::pick_one`]).
    #[cfg(test)]
    fn reach_all(&mut self, actor: &str, reqs: &[ActionReq], asked: bool) -> Option<Vec<Step>> {
        let picks = self.picks(actor, reqs, asked)?;
        Some(self.take_all(actor, reqs, &picks))
    }

    /// The steps of [`Effective::picks`], made with the actor's grants.
    fn take_all(&mut self, actor: &str, reqs: &[ActionReq], picks: &[Option<Pick>]) -> Vec<Step> {
        let mut steps: Vec<Step> = Vec::new();
        for (req, pick) in reqs.iter().zip(picks) {
            let Some(pick) = *pick else { continue };
            let s = self.take(actor, req, pick);
            if let Some(prev) = steps.iter_mut().find(|x| {
                x.kind == s.kind && x.on.eq_ignore_ascii_case(&s.on) && x.needs == s.needs
            }) {
                if s.kind == StepKind::Rbac {
                    prev.grants.extend(s.grants);
                }
            } else {
                steps.push(s);
            }
        }
        steps
    }

    /// A role assignable at the request's scope that grants its action
    /// (unconditionally preferred, then the fewest permissions, then by name).
    fn assignable_role(&mut self, req: &ActionReq) -> Option<RoleToGrant> {
        let k = (key(&req.action), req.data, scope_key(&req.scope));
        if let Some(r) = self.roles_for.get(&k) {
            return r.clone();
        }
        let r = self.assignable_role_uncached(req);
        self.roles_for.insert(k, r.clone());
        r
    }

    fn assignable_role_uncached(&self, req: &ActionReq) -> Option<RoleToGrant> {
        let action = key(&req.action);
        let above: BTreeSet<String> = self.ix.tree.ancestors(&req.scope).into_iter().collect();
        let mut best: Option<(bool, usize, String, Option<String>)> = None;
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
            let cand = (
                b.condition.is_some(),
                size,
                r.def.role_name.clone(),
                b.condition.clone(),
            );
            if best.as_ref().is_none_or(|x| cand < *x) {
                best = Some(cand);
            }
        }
        best.map(|b| RoleToGrant {
            name: b.2,
            condition: b.3,
        })
    }

    /// The shortest chain by which `principal` reaches one alternative of `alts`,
    /// when RBAC alone does not give it. None: RBAC gives it, or no chain does.
    pub fn of(&mut self, principal: &str, alts: &Alternatives) -> Option<Escalation> {
        self.prune(alts);
        let p = key(principal);
        let steps = self.chain(&p, alts)?;
        Some(escalation(principal_info(self.ix, &p), steps))
    }

    /// The chain of [`Effective::of`], breadth first over actors: the principal
    /// itself (RBAC and direct steps), then the identities its first steps
    /// reach, and so on. Past the first step the search depends only on those
    /// identities, in order ([`Effective::from_identities`]).
    fn chain(&mut self, p: &str, alts: &Alternatives) -> Option<Vec<Step>> {
        let st = match self.rbac.remove(p) {
            Some(st) => st,
            None => self.actor_rbac(p),
        };
        self.current = Some((p.to_string(), st));
        let out = self.chain_current(p, alts);
        if let Some((p, st)) = self.current.take() {
            // An identity's answers serve later searches through it.
            if self.identities.contains(&p) {
                self.rbac.insert(p, st);
            }
        }
        out
    }

    fn chain_current(&mut self, p: &str, alts: &Alternatives) -> Option<Vec<Step>> {
        let shared = self.actor(p).shared.clone();
        let known = shared.borrow().outline.clone();
        let outline = match known {
            Some(o) => o,
            None => {
                let o = std::rc::Rc::new(self.outline(p, alts));
                shared.borrow_mut().outline = Some(o.clone());
                o
            }
        };
        match &*outline {
            Outline::None => None,
            Outline::Own(n, picks) => Some(self.take_all(p, &alts[*n], picks)),
            Outline::Move(target, first) => {
                let first = self.take_move(p, target, first);
                let mut chain = vec![first];
                chain.extend(self.best(target, alts).iter().cloned());
                Some(chain)
            }
        }
    }

    /// What [`Effective::chain`] decides for `p` before any grant is made:
    /// nothing (RBAC alone gives it, or no chain does), its own steps, or its
    /// first move. It depends only on which asks RBAC allows `p` (alike for the
    /// principals of the same relevant holders, [`Shared`], which keep it).
    fn outline(&mut self, p: &str, alts: &Alternatives) -> Outline {
        // RBAC alone gives one alternative: not an escalation.
        let plain = alts
            .iter()
            .any(|reqs| !reqs.is_empty() && reqs.iter().all(|r| self.can_allows(p, r)));
        if plain {
            return Outline::None;
        }
        if let Some((n, picks)) = self.reach_picks(p, alts, true) {
            return Outline::Own(n, picks);
        }
        if MAX_IDENTITY_HOPS == 0 {
            return Outline::None;
        }
        self.ensure_dist(alts);
        match self.first_move(p) {
            Some((target, first)) => Outline::Move(target, first),
            None => Outline::None,
        }
    }

    /// The first step of [`Effective::first_move`], with `p`'s own grants.
    fn take_move(&mut self, p: &str, target: &str, first: &FirstMove) -> Step {
        match first {
            FirstMove::Job(c, id, needs) => {
                let ws = self.computes[*c].0.clone();
                let g = self.can(p, needs, &ws).expect("allowed");
                self.job_step(p, &self.computes[*c].1, id, needs, g)
            }
            FirstMove::Assign(u, w) => {
                let (uid, principal) = self.user_assigned[*u].clone();
                let g = self.can(p, IDENTITY_ASSIGN, &uid).expect("allowed");
                let cw = self.can(p, COMPUTES_WRITE, w).expect("allowed");
                self.assign_step(p, &uid, &principal, g, &(w.clone(), cw))
            }
            FirstMove::Secret(n) => {
                let id = self.datastores[*n].id.clone();
                let g = self.can(p, DATASTORE_LIST_SECRETS, &id).expect("allowed");
                self.secret_step(p, &id, target, g)
            }
        }
    }

    /// The first of `p`'s moves (in [`Effective::moves`]' order) to an
    /// identity that needs the fewest hops: the move a breadth-first search
    /// from `p` takes first on its shortest chain. Moves that cannot beat the
    /// best so far are not asked of RBAC; only whether RBAC allows is asked.
    fn first_move(&mut self, p: &str) -> Option<(String, FirstMove)> {
        let (cs, us, ss) = self.move_targets(p);
        let dist = self.dist.take().unwrap_or_default();
        let hops = |i: &str| if i == p { None } else { dist.get(i).copied() };
        // Not an identity: no compute's identity is `p` (each compute's nearest
        // identity is known).
        let is_identity = self.identities.contains(p);
        let mut found: Option<(usize, String, FirstMove)> = None;
        let beats = |d: usize, found: &Option<(usize, String, FirstMove)>| {
            found.as_ref().is_none_or(|f| d < f.0)
        };
        // Jobs on computes, in order; each compute's identities in order.
        let mut by_ws: HashMap<[Option<usize>; 2], Option<&'static str>> = HashMap::default();
        for c in cs {
            let (ws, _, ids) = &self.computes[c];
            let nearest = if is_identity {
                ids.iter()
                    .filter_map(|i| hops(i).map(|d| (d, i)))
                    .min_by_key(|x| x.0)
            } else {
                self.compute_hops[c].map(|(d, k)| (d, &ids[k]))
            };
            let Some((d, id)) = nearest else {
                continue;
            };
            if !beats(d, &found) {
                continue;
            }
            let (ws, id) = (ws.clone(), id.clone());
            let asks = self.compute_asks[c];
            let needs = match by_ws.get(&asks) {
                Some(n) => *n,
                None => {
                    let n = [JOBS_WRITE, RUNS_SUBMIT]
                        .into_iter()
                        .zip(asks)
                        .find(|(a, i)| self.allows_at(p, *i, a, &ws))
                        .map(|x| x.0);
                    if asks.iter().all(Option::is_some) {
                        by_ws.insert(asks, n);
                    }
                    n
                }
            };
            if let Some(needs) = needs {
                found = Some((d, id.clone(), FirstMove::Job(c, id, needs)));
                if d == 0 {
                    break;
                }
            }
        }
        // Then user-assigned identities it can assign (with a compute write).
        let mut cw: Option<Option<String>> = None;
        for u in us {
            let t = self.user_assigned[u].1.clone();
            let Some(d) = hops(&t) else { continue };
            if !beats(d, &found) {
                continue;
            }
            let uid = self.user_assigned[u].0.clone();
            if !self.allows_at(p, self.assign_asks[u], IDENTITY_ASSIGN, &uid) {
                continue;
            }
            if cw.is_none() {
                cw = Some(self.compute_write_ws(p));
            }
            if let Some(Some(w)) = &cw {
                found = Some((d, t, FirstMove::Assign(u, w.clone())));
            }
        }
        // Then service-principal datastores whose secret it can read.
        for n in ss {
            let Some(t) = self.datastores[n].sp.clone() else {
                continue;
            };
            let Some(d) = hops(&t) else { continue };
            if !beats(d, &found) {
                continue;
            }
            let id = self.datastores[n].id.clone();
            if !self.allows_at(p, self.secret_asks[n], DATASTORE_LIST_SECRETS, &id) {
                continue;
            }
            found = Some((d, t, FirstMove::Secret(n)));
        }
        self.dist = Some(dist);
        found.map(|(_, t, m)| (t, m))
    }

    /// Each kept identity's fewest hops to one that reaches the access itself
    /// (0: it does), up to what a first step leaves ([`MAX_IDENTITY_HOPS`] − 1):
    /// the backward search over identities, made once per question.
    fn ensure_dist(&mut self, alts: &Alternatives) {
        if self.dist.is_some() {
            return;
        }
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for (_, _, v) in &self.computes {
            ids.extend(v.iter().cloned());
        }
        ids.extend(self.user_assigned.iter().map(|(_, p)| p.clone()));
        ids.extend(self.datastores.iter().filter_map(|st| st.sp.clone()));
        let mut dist: HashMap<String, usize> = HashMap::default();
        for i in &ids {
            if self.direct(i, alts).is_some() {
                dist.insert(i.clone(), 0);
            }
        }
        for d in 1..MAX_IDENTITY_HOPS {
            let mut next = Vec::new();
            for i in ids.iter().filter(|i| !dist.contains_key(*i)) {
                let m = self.moves(i);
                let reaches = m.iter().any(|s| {
                    s.identity
                        .as_deref()
                        .is_some_and(|t| dist.get(t) == Some(&(d - 1)))
                });
                if reaches {
                    next.push(i.clone());
                }
            }
            if next.is_empty() {
                break;
            }
            dist.extend(next.into_iter().map(|i| (i, d)));
        }
        self.compute_hops = self
            .computes
            .iter()
            .map(|(_, _, ids)| {
                ids.iter()
                    .enumerate()
                    .filter_map(|(k, i)| dist.get(i).map(|&d| (d, k)))
                    .min_by_key(|x| x.0)
            })
            .collect();
        self.dist = Some(dist);
    }

    /// An identity's chain to the access: its own steps when it reaches it
    /// itself, else its first move (in order) to an identity one hop nearer,
    /// and that one's chain — breadth first's choice (made once per identity).
    fn best(&mut self, identity: &str, alts: &Alternatives) -> std::rc::Rc<Vec<Step>> {
        if let Some(b) = self.best.get(identity) {
            return b.clone();
        }
        let d = self
            .dist
            .as_ref()
            .and_then(|m| m.get(identity).copied())
            .expect("an identity with a chain");
        let chain = if d == 0 {
            self.direct(identity, alts).expect("reaches it itself")
        } else {
            let m = self.moves(identity);
            let next = m
                .iter()
                .find(|s| {
                    s.identity.as_deref().is_some_and(|t| {
                        self.dist.as_ref().and_then(|x| x.get(t)) == Some(&(d - 1))
                    })
                })
                .expect("a move one hop nearer")
                .clone();
            let rest = self.best(next.identity.as_deref().expect("an identity"), alts);
            let mut chain = vec![next];
            chain.extend(rest.iter().cloned());
            chain
        };
        let chain = std::rc::Rc::new(chain);
        self.best.insert(identity.to_string(), chain.clone());
        chain
    }

    /// The steps by which an identity reaches the access itself (kept).
    fn direct(&mut self, identity: &str, alts: &Alternatives) -> Option<Vec<Step>> {
        if let Some(d) = self.direct.get(identity) {
            return d.clone();
        }
        let d = self.reach(identity, alts, false);
        self.direct.insert(identity.to_string(), d.clone());
        d
    }

    /// `who --effective`: every principal (not a group) RBAC does not give the
    /// access to and a chain does, sorted by name then id.
    pub fn who(&mut self, alts: &Alternatives) -> Vec<Escalation> {
        let mut out = Vec::new();
        self.who_each(alts, &std::collections::HashSet::new(), |e| out.push(e));
        out
    }

    /// [`Effective::who`] one principal at a time, in its order, given the
    /// principals RBAC already gives the access to (`who`'s answer): they are
    /// not escalations, and are not asked again. The candidates are the
    /// principals below the holders of a first step (a direct step, or one
    /// towards an identity [`Effective::prune`] kept); each is asked the search
    /// of [`Effective::of`].
    pub fn who_each(
        &mut self,
        alts: &Alternatives,
        granted: &std::collections::HashSet<String>,
        mut each: impl FnMut(Escalation),
    ) {
        self.prune(alts);
        let mut seeds: Vec<String> = self
            .asks
            .seeds
            .iter()
            .filter(|(_, v)| v.iter().any(|&i| self.asks.first[i]))
            .map(|(h, _)| h.clone())
            .collect();
        seeds.sort();
        let ix = self.ix;
        let mut candidates: Vec<(String, PrincipalInfo)> = super::query::below(ix, seeds)
            .into_iter()
            .map(|r| r.id)
            .filter(|c| !ix.is_group(c) && ix.is_principal(c) && !granted.contains(c))
            .map(|c| {
                let info = principal_info(ix, &c);
                (c, info)
            })
            .collect();
        candidates.sort_by_cached_key(|(c, info)| (info.display_name.to_lowercase(), c.clone()));
        for (c, info) in candidates {
            if let Some(steps) = self.chain(&c, alts) {
                each(escalation(info, steps));
            }
        }
    }
}

/// A principal's escalation by `steps`.
fn escalation(principal: PrincipalInfo, steps: Vec<Step>) -> Escalation {
    Escalation {
        principal,
        access: "escalation",
        conditional: steps.iter().any(|s| s.condition.is_some()),
        steps,
    }
}

/// What the tests hold the search to: its parts, asked one at a time.
#[cfg(test)]
impl Effective<'_> {
    /// The forward search as first written: breadth first from the principal
    /// over actors, each actor's RBAC answers and steps asked as it comes —
    /// with no list of identities shared between principals, and `decide`
    /// alone for the principal's own access. The backward search must find
    /// the same chain.
    pub(super) fn forward(&mut self, principal: &str, alts: &Alternatives) -> Option<Vec<Step>> {
        self.prune(alts);
        let p = key(principal);
        let ix = self.ix;
        let plain = alts.iter().any(|reqs| {
            !reqs.is_empty()
                && reqs.iter().all(|r| {
                    let d = super::decide::decide(
                        ix,
                        &p,
                        std::slice::from_ref(r),
                        false,
                        &mut self.anc,
                    );
                    d.actions.into_iter().next().and_then(allowed).is_some()
                })
        });
        if plain {
            return None;
        }
        let mut seen: BTreeSet<String> = BTreeSet::from([p.clone()]);
        let mut queue: std::collections::VecDeque<(String, Vec<Step>)> =
            std::collections::VecDeque::from([(p.clone(), Vec::new())]);
        while let Some((actor, path)) = queue.pop_front() {
            let asked = actor == p;
            for reqs in alts {
                match self.reach_all(&actor, reqs, asked) {
                    Some(steps) if !steps.is_empty() || !path.is_empty() => {
                        let mut chain = path.clone();
                        chain.extend(steps);
                        return Some(chain);
                    }
                    _ => {}
                }
            }
            if path.len() >= MAX_IDENTITY_HOPS {
                continue;
            }
            for m in self.moves_uncached(&actor) {
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

    /// Every question the search lists for `alts`, each answered for `actor`
    /// through [`Asks`] and by `decide` alone: the two must agree.
    pub(super) fn asks_against_decide(
        &mut self,
        actor: &str,
        alts: &Alternatives,
    ) -> Vec<(ActionReq, Option<Allowed>, Option<Allowed>)> {
        self.prune(alts);
        let ix = self.ix;
        let mut out = Vec::new();
        for i in 0..self.asks.reqs.len() {
            let req = self.asks.reqs[i].clone();
            let listed = self.ask(actor, i);
            let d =
                super::decide::decide(ix, actor, std::slice::from_ref(&req), false, &mut self.anc);
            let alone = d.actions.into_iter().next().and_then(allowed);
            out.push((req, listed, alone));
        }
        out
    }
}
