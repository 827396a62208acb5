//! `whocan collect`: read a tenant through ARM and Microsoft Graph into DIR, in the
//! shapes `import` reads, with the completeness ledger `DIR/collection.json`
//! (SPEC §6, notes/ledger-contract.md).
//!
//! The plan runs in three waves, each a set of independent reads done with bounded
//! concurrency (std threads pulling from one queue): (1) the management-group tree,
//! the subscriptions and the directory; (2) per management group and subscription the
//! role definitions, assignments, deny assignments, PIM instances, resource groups and
//! workspaces, storage accounts, key vaults and user-assigned identities, and per
//! group its members and PIM for Groups; (3) each workspace's computes and
//! datastores and the operation catalogue of every provider the roles name. When the
//! tree (`getEntities`) cannot be read, the management-group list and each group's
//! descendants stand in for it. Every read is a ledger entry and writes one file,
//! atomically, once read; an entry already `complete` (with `--resume`) is not read
//! again: its files are read back instead, to plan the next wave. The ledger is
//! written by a saver thread a few times a second and at the end of every wave.

pub mod client;
pub mod ledger;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use url::Url;

use client::{Client, PageError, Policy};
use ledger::{Entry, Ledger};

/// What `collect` can fail with besides a file error.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// Bad flags or a bad `--out`: exit 2.
    #[error("{0}")]
    Usage(String),
    /// No token, no network: exit 4.
    #[error("{0}")]
    Environment(String),
}

pub struct Options {
    pub out: PathBuf,
    pub arm_url: String,
    pub graph_url: String,
    pub subscriptions: Vec<String>,
    pub management_groups: Vec<String>,
    pub concurrency: usize,
    pub resume: bool,
    pub progress: bool,
}

/// What the summary reports.
#[derive(Debug, Default)]
pub struct Summary {
    pub out: PathBuf,
    pub requests: u64,
    pub pages: u64,
    pub retries: u64,
    pub skipped: u64,
    /// Items per collection.
    pub items: BTreeMap<String, u64>,
    /// `status collection scope: error` of every entry not complete.
    pub unreadable: Vec<Entry>,
    pub complete: bool,
}

const ARM_MG: &str = "2021-04-01";
const ARM_SUBS: &str = "2022-12-01";
const ARM_AUTHZ: &str = "2022-04-01";
const ARM_PIM: &str = "2020-10-01";
const ARM_ML: &str = "2024-04-01";
const ARM_RG: &str = "2021-04-01";
/// Storage accounts (`allowSharedKeyAccess`), key vaults (`enableRbacAuthorization`),
/// user-assigned identities (`principalId`): the facts issue 15's steps read.
const ARM_STORAGE: &str = "2023-05-01";
const ARM_KEYVAULT: &str = "2023-07-01";
const ARM_MSI: &str = "2023-01-31";

/// One read: a ledger entry, where to ask, where to write.
#[derive(Debug, Clone)]
struct Task {
    api: &'static str,
    collection: &'static str,
    scope: String,
    method: &'static str,
    /// Path and query below the API's base URL.
    path: String,
    /// Folder under DIR.
    dir: &'static str,
    /// `members/<id>.json`: pages combined into one file.
    members_of: Option<String>,
}

impl Task {
    fn entry(&self) -> Entry {
        Entry::pending(self.api, self.collection, &self.scope)
    }
    fn stem(&self) -> String {
        let slug: String = self
            .scope
            .trim_start_matches('/')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let slug = slug.trim_matches('-').to_ascii_lowercase();
        let slug = if slug.is_empty() {
            "tenant".into()
        } else if slug.len() > 150 {
            // A file name stays well under NAME_MAX (255 bytes): a long scope (a
            // workspace's, below a long resource-group name) keeps its start and
            // a hash of the whole.
            format!(
                "{}-{:016x}",
                &slug[..120],
                fnv1a(&self.scope.to_ascii_lowercase())
            )
        } else {
            slug
        };
        let coll: String = self
            .collection
            .chars()
            .flat_map(|c| {
                if c.is_ascii_uppercase() {
                    vec!['-', c.to_ascii_lowercase()]
                } else {
                    vec![c]
                }
            })
            .collect();
        format!("{coll}--{slug}")
    }

    /// The one file this read writes, relative to DIR: every page of a list in one
    /// file, written once the list has been read (or given up), so that a killed
    /// run never leaves some pages of a list that look like all of it.
    fn file(&self) -> String {
        match &self.members_of {
            Some(gid) => format!("members/{gid}.json"),
            None => format!("{}/{}.json", self.dir, self.stem()),
        }
    }
}

/// FNV-1a, 64 bits: a stable short name for a long scope.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The progress phases, in display order, and the collections each counts.
const PHASES: [(&str, &[&str]); 8] = [
    (
        "management groups",
        &[
            "managementGroups",
            "managementGroupList",
            "managementGroupDescendants",
        ],
    ),
    ("subscriptions", &["subscriptions", "resourceGroups"]),
    (
        "roles, assignments",
        &["roleDefinitions", "roleAssignments", "denyAssignments"],
    ),
    (
        "PIM",
        &[
            "roleEligibilityScheduleInstances",
            "roleAssignmentScheduleInstances",
            "groupEligibilityScheduleInstances",
            "groupAssignmentScheduleInstances",
        ],
    ),
    ("directory", &["users", "groups", "servicePrincipals"]),
    ("members", &["groupMembers"]),
    (
        "workspaces",
        &[
            "workspaces",
            "computes",
            "datastores",
            "storageAccounts",
            "keyVaults",
            "userAssignedIdentities",
        ],
    ),
    ("catalogues", &["providerOperations"]),
];

fn phase_of(collection: &str) -> usize {
    PHASES
        .iter()
        .position(|(_, colls)| colls.contains(&collection))
        .unwrap_or(PHASES.len() - 1)
}

/// One bar per phase, on stderr (only when it is a terminal).
struct Bars {
    _multi: indicatif::MultiProgress,
    bars: Vec<indicatif::ProgressBar>,
    not_read: Vec<AtomicU64>,
}

impl Bars {
    fn new() -> Bars {
        let multi = indicatif::MultiProgress::with_draw_target(
            indicatif::ProgressDrawTarget::stderr_with_hz(8),
        );
        let style = indicatif::ProgressStyle::with_template(
            "{prefix:>18} {bar:30} {pos:>6}/{len:<6} eta {eta:<4} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        let bars = PHASES
            .iter()
            .map(|(name, _)| {
                let b = multi.add(indicatif::ProgressBar::new(0));
                b.set_style(style.clone());
                b.set_prefix(*name);
                b
            })
            .collect();
        Bars {
            _multi: multi,
            bars,
            not_read: PHASES.iter().map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn queued(&self, collection: &str) {
        self.bars[phase_of(collection)].inc_length(1);
    }

    fn done(&self, entry: &Entry) {
        let i = phase_of(&entry.collection);
        if entry.status != "complete" {
            let n = self.not_read[i].fetch_add(1, Ordering::Relaxed) + 1;
            self.bars[i].set_message(format!("{n} not read"));
        }
        self.bars[i].inc(1);
    }

    /// Clears the bars: the summary that follows has the same counts.
    fn finish(&self) {
        for b in &self.bars {
            b.finish_and_clear();
        }
    }
}

struct Run {
    opts: Options,
    arm: Client,
    graph: Client,
    policy: Policy,
    requests: AtomicU64,
    pages: AtomicU64,
    retries: AtomicU64,
    ledger: Mutex<Ledger>,
    /// Ledger entries of an interrupted run, by request.
    previous: Vec<Entry>,
    /// [`Entry::key`] → position in `previous`.
    previous_by_key: std::collections::HashMap<String, usize>,
    skipped: AtomicU64,
    bars: Option<Bars>,
    /// The ledger changed since it was last written.
    dirty: std::sync::atomic::AtomicBool,
}

/// Validates the flags, prepares DIR and reads the tenant.
pub fn collect(opts: Options) -> anyhow::Result<Summary> {
    let arm_base = client::parse_base("--arm-url", &opts.arm_url)?;
    let graph_base = client::parse_base("--graph-url", &opts.graph_url)?;
    if opts.concurrency == 0 || opts.concurrency > 64 {
        return Err(CollectError::Usage(
            "--concurrency must be between 1 and 64\nhint: the default is 8".into(),
        )
        .into());
    }
    let previous = check_out(&opts)?;

    let arm_resource = arm_base.as_str().trim_end_matches('/').to_string();
    let arm = Client::new(
        arm_base.clone(),
        "WHOCAN_ARM_TOKEN",
        vec!["--resource".into(), arm_resource],
    );
    let graph_args = if graph_base.host_str() == Some("graph.microsoft.com") {
        vec!["--resource-type".into(), "ms-graph".into()]
    } else {
        vec![
            "--resource".into(),
            graph_base.as_str().trim_end_matches('/').to_string(),
        ]
    };
    let graph = Client::new(graph_base.clone(), "WHOCAN_GRAPH_TOKEN", graph_args);
    // A token is needed before anything is asked: no token is the environment's failure.
    arm.token()?;
    graph.token()?;
    let policy = Policy::from_env();
    // A subscription the tenant does not list is the user's mistake, told before
    // anything is written.
    let preflight = AtomicU64::new(0);
    check_subscription_filter(&arm, &policy, &preflight, &opts.subscriptions)?;
    check_management_group_filter(&arm, &policy, &preflight, &opts.management_groups)?;
    create_out(&opts)?;

    let ledger = Ledger {
        whocan_collection: 1,
        tool: format!("whocan {}", env!("CARGO_PKG_VERSION")),
        arm_url: opts.arm_url.clone(),
        graph_url: opts.graph_url.clone(),
        started_at: crate::model::Timestamp::now().to_string(),
        finished_at: None,
        complete: false,
        entries: Vec::new(),
    };
    let bars = opts.progress.then(Bars::new);
    let run = Arc::new(Run {
        opts,
        arm,
        graph,
        policy,
        requests: preflight,
        pages: AtomicU64::new(0),
        retries: AtomicU64::new(0),
        ledger: Mutex::new(ledger),
        previous_by_key: previous
            .iter()
            .flat_map(|l| l.entries.iter().enumerate())
            .map(|(i, e)| (e.key(), i))
            .collect(),
        previous: previous.map(|l| l.entries).unwrap_or_default(),
        skipped: AtomicU64::new(0),
        bars,
        dirty: std::sync::atomic::AtomicBool::new(false),
    });
    run.save()?;

    // Wave 1.
    let mut wave1 = vec![
        arm_task(
            "managementGroups",
            "/",
            "POST",
            format!("/providers/Microsoft.Management/getEntities?api-version={ARM_MG}"),
            "tree",
        ),
        arm_task(
            "subscriptions",
            "/",
            "GET",
            format!("/subscriptions?api-version={ARM_SUBS}"),
            "subscriptions",
        ),
    ];
    for (coll, path) in [
        ("users", "/users?$select=id,displayName,userPrincipalName,userType,accountEnabled,mail,otherMails"),
        ("groups", "/groups?$select=id,displayName,mail,securityEnabled,mailEnabled,groupTypes,isAssignableToRole"),
        ("servicePrincipals", "/servicePrincipals?$select=id,appId,displayName,servicePrincipalType,accountEnabled,appOwnerOrganizationId"),
    ] {
        wave1.push(graph_task(coll, path.split('?').next().unwrap_or(path), path.into(), "directory", None));
    }
    let r1 = run_wave(&run, wave1)?;
    let mut tree = items_of(&r1, "managementGroups");
    if !run.is_complete("managementGroups", "/") {
        tree = tree_fallback(&run)?;
    } else {
        // Resumed after a run that read the tree through the fallback: its reads
        // stay in the ledger beside the entry that names their files.
        let mut l = run.ledger.lock().unwrap_or_else(|p| p.into_inner());
        for e in run.previous.iter().filter(|e| is_fallback(&e.collection)) {
            if !l.entries.iter().any(|x| x.same_request(e)) {
                l.entries.push(e.clone());
            }
        }
    }
    let subs_listed = items_of(&r1, "subscriptions");
    let groups = items_of(&r1, "groups");

    // Management groups from the tree, subscriptions from the list (and the tree).
    let mut mgs: BTreeSet<String> = BTreeSet::new();
    let mut subs: BTreeSet<String> = BTreeSet::new();
    for v in &tree {
        let id = v.get("id").and_then(Value::as_str).unwrap_or("");
        let typ = v.get("type").and_then(Value::as_str).unwrap_or("");
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        if typ.to_ascii_lowercase().ends_with("managementgroups") && !name.is_empty() {
            mgs.insert(name.to_string());
        } else if typ == "/subscriptions" && !name.is_empty() {
            subs.insert(name.to_ascii_lowercase());
        } else if let Some(s) = id.strip_prefix("/subscriptions/") {
            subs.insert(s.to_ascii_lowercase());
        }
    }
    for v in &subs_listed {
        if let Some(s) = v.get("subscriptionId").and_then(Value::as_str).or_else(|| {
            v.get("id")
                .and_then(Value::as_str)
                .and_then(|i| i.strip_prefix("/subscriptions/"))
        }) {
            subs.insert(s.to_ascii_lowercase());
        }
    }
    // What a filter leaves out is recorded (`skipped`): an answer about it must
    // not look complete.
    let opts = &run.opts;
    let mut left_out: Vec<(String, &str, &str)> = Vec::new();
    if !opts.subscriptions.is_empty() {
        let want: BTreeSet<String> = opts
            .subscriptions
            .iter()
            .map(|s| subscription_id(s))
            .collect();
        for s in subs.difference(&want) {
            left_out.push((
                format!("/subscriptions/{s}"),
                "subscription",
                "--subscription",
            ));
        }
        subs = want;
    }
    if !opts.management_groups.is_empty() {
        // Each as the tree spells it (a name given in another case, or as a whole
        // id); as given when the tree could not be read.
        let want: BTreeSet<String> = opts
            .management_groups
            .iter()
            .map(|w| {
                let name = management_group_name(w);
                mgs.iter()
                    .find(|m| m.eq_ignore_ascii_case(&name))
                    .cloned()
                    .unwrap_or(name)
            })
            .collect();
        for m in &mgs {
            if !want.iter().any(|w| w.eq_ignore_ascii_case(m)) {
                left_out.push((
                    format!("/providers/Microsoft.Management/managementGroups/{m}"),
                    "managementGroup",
                    "--management-group",
                ));
            }
        }
        mgs = want;
    }
    run.left_out(&left_out)?;

    // Wave 2.
    let mut wave2 = Vec::new();
    let mut scopes: Vec<String> = mgs
        .iter()
        .map(|m| format!("/providers/Microsoft.Management/managementGroups/{m}"))
        .collect();
    scopes.extend(subs.iter().map(|s| format!("/subscriptions/{s}")));
    for scope in &scopes {
        wave2.push(arm_task(
            "roleDefinitions",
            scope,
            "GET",
            format!(
                "{scope}/providers/Microsoft.Authorization/roleDefinitions?api-version={ARM_AUTHZ}"
            ),
            "roles",
        ));
        // `$filter=atScope()` lists what is at or above a scope, never below it
        // (Role Assignments - List For Scope): right for a management group, whose
        // subscriptions are read on their own; a subscription is listed without it,
        // so the assignments of its resource groups and resources (a workspace's)
        // come with it.
        let filter = if scope.starts_with("/providers/Microsoft.Management/") {
            "&$filter=atScope()"
        } else {
            ""
        };
        wave2.push(arm_task("roleAssignments", scope, "GET", format!("{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={ARM_AUTHZ}{filter}"), "assignments"));
        wave2.push(arm_task("denyAssignments", scope, "GET", format!("{scope}/providers/Microsoft.Authorization/denyAssignments?api-version={ARM_AUTHZ}{filter}"), "denies"));
        wave2.push(arm_task("roleEligibilityScheduleInstances", scope, "GET", format!("{scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version={ARM_PIM}{filter}"), "pim"));
        wave2.push(arm_task("roleAssignmentScheduleInstances", scope, "GET", format!("{scope}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version={ARM_PIM}{filter}"), "pim"));
    }
    for s in &subs {
        let scope = format!("/subscriptions/{s}");
        wave2.push(arm_task(
            "resourceGroups",
            &scope,
            "GET",
            format!("{scope}/resourcegroups?api-version={ARM_RG}"),
            "resources",
        ));
        wave2.push(arm_task("workspaces", &scope, "GET", format!("{scope}/providers/Microsoft.MachineLearningServices/workspaces?api-version={ARM_ML}"), "resources"));
        wave2.push(arm_task(
            "storageAccounts",
            &scope,
            "GET",
            format!(
                "{scope}/providers/Microsoft.Storage/storageAccounts?api-version={ARM_STORAGE}"
            ),
            "resources",
        ));
        wave2.push(arm_task(
            "keyVaults",
            &scope,
            "GET",
            format!("{scope}/providers/Microsoft.KeyVault/vaults?api-version={ARM_KEYVAULT}"),
            "resources",
        ));
        wave2.push(arm_task("userAssignedIdentities", &scope, "GET", format!("{scope}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version={ARM_MSI}"), "resources"));
    }
    for g in &groups {
        let Some(id) = g.get("id").and_then(Value::as_str).filter(|i| is_guid(i)) else {
            continue;
        };
        let path = format!("/groups/{id}/members");
        wave2.push(graph_task(
            "groupMembers",
            &path,
            format!("{path}?$select=id,displayName,userPrincipalName"),
            "members",
            Some(id.to_string()),
        ));
        for (coll, kind) in [
            (
                "groupEligibilityScheduleInstances",
                "eligibilityScheduleInstances",
            ),
            (
                "groupAssignmentScheduleInstances",
                "assignmentScheduleInstances",
            ),
        ] {
            let base = format!("/identityGovernance/privilegedAccess/group/{kind}");
            wave2.push(graph_task(
                coll,
                &format!("{base}?groupId={id}"),
                format!("{base}?$filter=groupId%20eq%20'{id}'"),
                "pim-groups",
                None,
            ));
        }
    }
    let r2 = run_wave(&run, wave2)?;

    // Wave 3: computes, catalogues.
    let mut wave3 = Vec::new();
    for ws in items_of(&r2, "workspaces") {
        if let Some(id) = ws
            .get("id")
            .and_then(Value::as_str)
            .filter(|i| i.starts_with('/'))
        {
            wave3.push(arm_task(
                "computes",
                id,
                "GET",
                format!("{id}/computes?api-version={ARM_ML}"),
                "resources",
            ));
            // The list never returns a datastore's secrets (Datastores_List).
            wave3.push(arm_task(
                "datastores",
                id,
                "GET",
                format!("{id}/datastores?api-version={ARM_ML}"),
                "resources",
            ));
        }
    }
    // Role definitions come back as the provider namespaces their permissions name
    // (`plan_items`), not whole: at every management group and subscription they
    // are hundreds each.
    let mut providers: BTreeMap<String, String> = BTreeMap::new();
    for ns in items_of(&r2, "roleDefinitions") {
        if let Some(ns) = ns.as_str() {
            providers
                .entry(ns.to_ascii_lowercase())
                .or_insert_with(|| ns.to_string());
        }
    }
    for ns in providers.values() {
        wave3.push(arm_task("providerOperations", "/", "GET", format!("/providers/Microsoft.Authorization/providerOperations/{ns}?api-version={ARM_AUTHZ}&$expand=resourceTypes"), "operations"));
    }
    run_wave(&run, wave3)?;

    // Finish.
    let summary = {
        let mut l = run.ledger.lock().unwrap_or_else(|p| p.into_inner());
        l.finished_at = Some(crate::model::Timestamp::now().to_string());
        l.complete = l.entries.iter().all(|e| e.status == "complete");
        let mut s = Summary {
            out: run.opts.out.clone(),
            requests: run.requests.load(Ordering::Relaxed),
            pages: run.pages.load(Ordering::Relaxed),
            retries: run.retries.load(Ordering::Relaxed),
            skipped: run.skipped.load(Ordering::Relaxed),
            complete: l.complete,
            ..Summary::default()
        };
        for e in &l.entries {
            *s.items.entry(e.collection.clone()).or_default() += e.items;
            if e.status != "complete" {
                s.unreadable.push(e.clone());
            }
        }
        s
    };
    run.save()?;
    if let Some(bars) = &run.bars {
        bars.finish();
    }
    // Nothing at all could be reached: the environment failed (network down).
    if summary.requests > 0
        && summary.pages == 0
        && summary.skipped == 0
        && summary.unreadable.iter().all(|e| {
            e.error
                .as_deref()
                .is_some_and(|m| m.starts_with("transport:"))
        })
    {
        return Err(CollectError::Environment(format!(
            "no request reached {} or {}: {}\nhint: check the network (and a proxy), then run again with --resume",
            run.opts.arm_url,
            run.opts.graph_url,
            summary.unreadable.first().and_then(|e| e.error.clone()).unwrap_or_default()
        ))
        .into());
    }
    Ok(summary)
}

/// The management-group tree when `getEntities` could not be read (a 403 where
/// the caller may not list entities at the root, a failure): the management
/// groups the caller can see (`GET /providers/Microsoft.Management/managementGroups`),
/// then each one's descendants (`.../managementGroups/{id}/descendants`: every
/// group and subscription below it, with its parent), both documented lists of
/// the same items. Each read is a ledger entry of its own; when all of them
/// completed, the tree is whole, and the `getEntities` entry says so: `complete`,
/// its files those of the fallback, its error what `getEntities` answered and
/// what was read instead.
fn tree_fallback(run: &Arc<Run>) -> anyhow::Result<Vec<Value>> {
    let list = run_wave(
        run,
        vec![arm_task(
            "managementGroupList",
            "/",
            "GET",
            format!("/providers/Microsoft.Management/managementGroups?api-version={ARM_MG}"),
            "tree",
        )],
    )?;
    let mut tree = items_of(&list, "managementGroupList");
    let names: BTreeSet<String> = tree
        .iter()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .filter(|n| !n.is_empty() && !n.contains(['/', '?', '#']))
        .map(str::to_string)
        .collect();
    let tasks = names
        .iter()
        .map(|n| {
            let scope = format!("/providers/Microsoft.Management/managementGroups/{n}");
            arm_task(
                "managementGroupDescendants",
                &scope,
                "GET",
                format!("{scope}/descendants?api-version={ARM_MG}"),
                "tree",
            )
        })
        .collect();
    let below = run_wave(run, tasks)?;
    tree.extend(items_of(&below, "managementGroupDescendants"));

    let mut l = run.ledger.lock().unwrap_or_else(|p| p.into_inner());
    let fallback: Vec<Entry> = l
        .entries
        .iter()
        .filter(|e| is_fallback(&e.collection))
        .cloned()
        .collect();
    if fallback.iter().all(|e| e.status == "complete") {
        let files: Vec<String> = fallback.iter().flat_map(|e| e.files.clone()).collect();
        let (pages, items) = fallback
            .iter()
            .fold((0, 0), |(p, i), e| (p + e.pages, i + e.items));
        if let Some(e) = l
            .entries
            .iter_mut()
            .find(|e| e.collection == "managementGroups" && e.scope == "/")
        {
            e.error = Some(format!(
                "getEntities: {} (the tree was read instead through the management-group list and each group's descendants: {} reads)",
                e.error.as_deref().unwrap_or(&e.status),
                fallback.len()
            ));
            e.status = "complete".into();
            e.files = files;
            e.pages = pages;
            e.items = items;
        }
        drop(l);
        run.save()?;
    }
    Ok(tree)
}

/// The reads of the management-group tree's fallback.
fn is_fallback(collection: &str) -> bool {
    collection == "managementGroupList" || collection == "managementGroupDescendants"
}

fn arm_task(
    collection: &'static str,
    scope: &str,
    method: &'static str,
    path: String,
    dir: &'static str,
) -> Task {
    // A scope of `/` has the path as is; providerOperations share `/` but differ by path.
    let scope = if collection == "providerOperations" {
        path.split('?').next().unwrap_or("/").to_string()
    } else {
        scope.to_string()
    };
    Task {
        api: "arm",
        collection,
        scope,
        method,
        path,
        dir,
        members_of: None,
    }
}

fn graph_task(
    collection: &'static str,
    scope: &str,
    path: String,
    dir: &'static str,
    members_of: Option<String>,
) -> Task {
    Task {
        api: "graph",
        collection,
        scope: scope.to_string(),
        method: "GET",
        path: format!("/v1.0{path}"),
        dir,
        members_of,
    }
}

/// `--out` empty or absent (or, with `--resume`, holding a ledger): checked,
/// nothing written yet; returns the ledger to resume.
fn check_out(opts: &Options) -> anyhow::Result<Option<Ledger>> {
    let out = &opts.out;
    let exists = out.exists();
    if exists && !out.is_dir() {
        return Err(CollectError::Usage(format!(
            "--out {}: not a directory\nhint: give a new or empty directory",
            out.display()
        ))
        .into());
    }
    let empty = !exists || std::fs::read_dir(out)?.next().is_none();
    if opts.resume {
        if !Ledger::path(out).is_file() {
            return Err(CollectError::Usage(format!(
                "--resume: {} has no {}\nhint: start the collection without --resume",
                out.display(),
                ledger::FILE
            ))
            .into());
        }
        return Ok(Some(Ledger::load(out)?));
    }
    if !empty {
        return Err(CollectError::Usage(format!(
            "--out {} is not empty\nhint: give a new or empty directory, or --resume to continue the collection there",
            out.display()
        ))
        .into());
    }
    Ok(None)
}

/// Makes `--out` (checked by [`check_out`]) ready: created, or, resumed, rid of
/// what a killed run left of files being written.
fn create_out(opts: &Options) -> anyhow::Result<()> {
    if opts.resume {
        remove_temporary_files(&opts.out, 0);
    } else {
        crate::fsutil::create_dirs(&opts.out)?;
    }
    Ok(())
}

/// A `--subscription` value as the ledger names it: the id in lower case (a
/// `/subscriptions/ID` scope is taken for its id).
fn subscription_id(raw: &str) -> String {
    let t = raw.trim();
    let t = t
        .get(..15)
        .filter(|p| p.eq_ignore_ascii_case("/subscriptions/"))
        .map_or(t, |_| &t[15..]);
    t.trim_matches('/').to_ascii_lowercase()
}

/// Refuses (exit 2) a `--subscription` the tenant's subscription list does not
/// hold, before anything is written: the list (`GET /subscriptions`, every page)
/// is read first, in memory. When it cannot be read whole, the filter is taken
/// as given (the collection's own read of the list records why).
fn check_subscription_filter(
    arm: &Client,
    policy: &Policy,
    requests: &AtomicU64,
    wanted: &[String],
) -> anyhow::Result<()> {
    if wanted.is_empty() {
        return Ok(());
    }
    let Some(listed) = listed_subscriptions(arm, policy, requests) else {
        return Ok(());
    };
    refuse_unknown(
        "--subscription",
        wanted,
        &listed,
        subscription_id,
        ("subscription", "subscriptions", "GET /subscriptions"),
        "give the id of a subscription the signed-in identity can read (`az account list --query \"[].id\" -o tsv`)",
    )
}

/// Exit 2 (a usage error, nothing written) naming the values of `flag` that,
/// made comparable by `norm`, are not in `listed`: `what` is the thing's name
/// (one, many) and the read that listed them; `hint` says what to give instead.
fn refuse_unknown(
    flag: &str,
    wanted: &[String],
    listed: &BTreeSet<String>,
    norm: impl Fn(&str) -> String,
    (one, many, read): (&str, &str, &str),
    hint: &str,
) -> anyhow::Result<()> {
    let mut unknown: Vec<&str> = wanted
        .iter()
        .filter(|w| !listed.contains(&norm(w)))
        .map(|w| w.as_str())
        .collect();
    unknown.dedup();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(CollectError::Usage(format!(
        "{flag} {}: not among the {} the tenant lists ({read}); nothing was collected\nhint: {hint}, or leave {flag} out to collect every one",
        unknown.join(", "),
        crate::words::count(listed.len() as u64, one, many),
    ))
    .into())
}

/// Every subscription id `GET /subscriptions` lists (lower case), or None when
/// some page could not be read.
fn listed_subscriptions(
    arm: &Client,
    policy: &Policy,
    requests: &AtomicU64,
) -> Option<BTreeSet<String>> {
    listed(
        arm,
        policy,
        requests,
        "GET",
        &format!("/subscriptions?api-version={ARM_SUBS}"),
        |v| {
            v.get("subscriptionId").and_then(Value::as_str).or_else(|| {
                v.get("id")
                    .and_then(Value::as_str)
                    .and_then(|i| i.strip_prefix("/subscriptions/"))
            })
        },
    )
}

/// A `--management-group` value as the tree names it: its name (a
/// `/providers/Microsoft.Management/managementGroups/NAME` id is taken for its
/// name).
fn management_group_name(raw: &str) -> String {
    let t = raw.trim().trim_end_matches('/');
    const SEG: &str = "/managementgroups/";
    match t.to_ascii_lowercase().rfind(SEG) {
        Some(i) => t[i + SEG.len()..].to_string(),
        None => t.trim_start_matches('/').to_string(),
    }
}

/// Refuses (exit 2) a `--management-group` that the tenant's management-group
/// tree (`getEntities`, every page) does not hold, before anything is written,
/// as [`check_subscription_filter`] does. When the tree cannot be read whole (a
/// 403 for `getEntities`: the collection then reads it another way), the
/// filter is taken as given.
fn check_management_group_filter(
    arm: &Client,
    policy: &Policy,
    requests: &AtomicU64,
    wanted: &[String],
) -> anyhow::Result<()> {
    if wanted.is_empty() {
        return Ok(());
    }
    let Some(names) = listed(
        arm,
        policy,
        requests,
        "POST",
        &format!("/providers/Microsoft.Management/getEntities?api-version={ARM_MG}"),
        |v| {
            let typ = v.get("type").and_then(Value::as_str)?;
            typ.to_ascii_lowercase()
                .ends_with("managementgroups")
                .then(|| v.get("name").and_then(Value::as_str))
                .flatten()
        },
    ) else {
        return Ok(());
    };
    refuse_unknown(
        "--management-group",
        wanted,
        &names,
        |w| management_group_name(w).to_ascii_lowercase(),
        ("management group", "management groups", "getEntities"),
        "give a management group's name, the last segment of its id (`az account management-group list --query \"[].name\" -o tsv`)",
    )
}

/// What `pick` finds in each item of every page of the ARM list at `path` (lower
/// case), read in memory before a collection writes anything; None when some
/// page could not be read, or a next link leaves ARM's host.
fn listed(
    arm: &Client,
    policy: &Policy,
    requests: &AtomicU64,
    method: &str,
    path: &str,
    pick: impl Fn(&Value) -> Option<&str>,
) -> Option<BTreeSet<String>> {
    let base = arm.base.as_str().trim_end_matches('/');
    let mut url = Url::parse(&format!("{base}{path}")).ok()?;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut ids = BTreeSet::new();
    while seen.insert(url.to_string()) && seen.len() <= 1000 {
        let (page, _) = arm.page(method, &url, policy, requests).ok()?;
        for v in page.get("value")?.as_array()? {
            if let Some(id) = pick(v) {
                ids.insert(id.to_ascii_lowercase());
            }
        }
        let next = NEXT_KEYS
            .iter()
            .find_map(|k| page.get(*k).and_then(Value::as_str))
            .filter(|n| !n.is_empty());
        match next {
            None => return Some(ids),
            Some(n) => {
                let u = Url::parse(n).ok()?;
                if !arm.owns(&u) {
                    return None;
                }
                url = u;
            }
        }
    }
    None
}

/// Removes what a killed run left of files being written (`fsutil`'s temporary
/// `.NAME.XXXX.whocan-tmp` files): `import` skips them anyway, but DIR is then
/// as an uninterrupted run leaves it.
fn remove_temporary_files(dir: &Path, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if ft.is_dir() && depth < 2 {
            remove_temporary_files(&e.path(), depth + 1);
        } else if ft.is_file() && name.starts_with('.') && name.ends_with(".whocan-tmp") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Every item read by the tasks of one collection.
fn items_of(results: &[(Task, Vec<Value>)], collection: &str) -> Vec<Value> {
    results
        .iter()
        .filter(|(t, _)| t.collection == collection)
        .flat_map(|(_, v)| v.iter().cloned())
        .collect()
}

impl Run {
    fn save(&self) -> anyhow::Result<()> {
        let l = self
            .ledger
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        l.save(&self.opts.out)
    }

    /// Records a finished read. The ledger is written by the wave's saver (a few
    /// times a second) and at the end of the wave, not after every read: a run of
    /// tens of thousands of reads would otherwise rewrite it as many times. A read
    /// finished but not yet in the ledger on disk is read again by `--resume`.
    fn set(&self, idx: usize, e: Entry) {
        if let Some(bars) = &self.bars {
            bars.done(&e);
        }
        let mut l = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        l.entries[idx] = e;
        self.dirty.store(true, Ordering::Release);
    }

    /// Records each scope a filter left out: an ARM entry `skipped`, whose error
    /// names the flag, so that `import` makes answers about it incomplete.
    fn left_out(&self, scopes: &[(String, &str, &str)]) -> anyhow::Result<()> {
        if scopes.is_empty() {
            return Ok(());
        }
        {
            let mut l = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
            for (scope, collection, flag) in scopes {
                let mut e = Entry::pending("arm", collection, scope);
                e.status = "skipped".into();
                e.error = Some(format!("left out by {flag}"));
                l.entries.push(e);
            }
        }
        self.save()
    }

    /// Is the ledger's entry for this read `complete`?
    fn is_complete(&self, collection: &str, scope: &str) -> bool {
        let l = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        l.entries
            .iter()
            .any(|e| e.collection == collection && e.scope == scope && e.status == "complete")
    }

    fn client(&self, task: &Task) -> &Client {
        if task.api == "arm" {
            &self.arm
        } else {
            &self.graph
        }
    }
}

/// Runs a wave: every task gets its ledger entry (pending), then workers read them
/// while a saver writes the ledger a few times a second.
fn run_wave(run: &Arc<Run>, tasks: Vec<Task>) -> anyhow::Result<Vec<(Task, Vec<Value>)>> {
    let mut queue = VecDeque::new();
    let mut done = Vec::new();
    {
        let mut l = run.ledger.lock().unwrap_or_else(|p| p.into_inner());
        let mut asked: std::collections::HashSet<String> =
            l.entries.iter().map(Entry::key).collect();
        for t in tasks {
            let entry = t.entry();
            if !asked.insert(entry.key()) {
                continue;
            }
            let prev = run
                .previous_by_key
                .get(&entry.key())
                .map(|&i| run.previous[i].clone());
            match prev {
                Some(p) if p.status == "complete" => {
                    let items = if needed_for_plan(t.collection) {
                        plan_items(t.collection, read_back(&run.opts.out, &p.files))
                    } else {
                        Vec::new()
                    };
                    l.entries.push(p);
                    run.skipped.fetch_add(1, Ordering::Relaxed);
                    done.push((t, items));
                }
                prev => {
                    // What an earlier, unfinished read wrote is removed before it is
                    // read again: its files as the ledger lists them, and its one
                    // file, which a run killed before its ledger was written may
                    // have left.
                    let mut stale: Vec<String> =
                        prev.iter().flat_map(|p| p.files.iter().cloned()).collect();
                    if prev.is_some() {
                        stale.push(t.file());
                    }
                    for f in stale.iter().filter(|f| is_plain_relative(f)) {
                        let _ = std::fs::remove_file(run.opts.out.join(f));
                    }
                    if let Some(bars) = &run.bars {
                        bars.queued(t.collection);
                    }
                    let idx = l.entries.len();
                    l.entries.push(entry);
                    queue.push_back((idx, t));
                }
            }
        }
    }
    run.save()?;
    let queue = Mutex::new(queue);
    let results = Mutex::new(Vec::new());
    let first_error: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let fail = |e: anyhow::Error| {
        first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(e);
    };
    let workers_done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..run.opts.concurrency)
            .map(|_| {
                s.spawn(|| loop {
                    if first_error
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .is_some()
                    {
                        break;
                    }
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                    let Some((idx, task)) = next else { break };
                    match read_task(run, &task) {
                        Ok((entry, items)) => {
                            run.set(idx, entry);
                            results
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((task, items));
                        }
                        Err(e) => {
                            fail(e);
                            break;
                        }
                    }
                })
            })
            .collect();
        s.spawn(|| {
            let mut since = std::time::Instant::now();
            let mut every = SAVE_EVERY;
            while !workers_done.load(Ordering::Acquire) {
                std::thread::sleep(std::time::Duration::from_millis(25));
                if since.elapsed() >= every && run.dirty.swap(false, Ordering::AcqRel) {
                    let started = std::time::Instant::now();
                    if let Err(e) = run.save() {
                        fail(e);
                    }
                    // A ledger of 100,000 entries takes a while to write: the
                    // saver spends at most a tenth of the time writing it.
                    every = SAVE_EVERY.max(started.elapsed() * 10);
                    since = std::time::Instant::now();
                }
            }
        });
        for w in workers {
            let _ = w.join();
        }
        workers_done.store(true, Ordering::Release);
    });
    run.dirty.store(false, Ordering::Release);
    run.save()?;
    if let Some(e) = first_error.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e);
    }
    let mut results = std::mem::take(&mut *results.lock().unwrap_or_else(|p| p.into_inner()));
    results.extend(done);
    Ok(results)
}

/// How often, at most, the ledger is rewritten while a wave runs (less often when
/// writing it takes more than a tenth of that).
const SAVE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// What a read's items plan next: the items themselves, except that role
/// definitions are reduced to the provider namespaces their permissions name
/// (each once), whose catalogues are read in the last wave.
fn plan_items(collection: &str, items: Vec<Value>) -> Vec<Value> {
    if collection != "roleDefinitions" {
        return items;
    }
    let mut namespaces: BTreeSet<String> = BTreeSet::new();
    for role in &items {
        let props = role.get("properties").unwrap_or(role);
        for block in props
            .get("permissions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for key in ["actions", "notActions", "dataActions", "notDataActions"] {
                for a in block
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let ns = a.as_str().unwrap_or("").split('/').next().unwrap_or("");
                    if ns.contains('.') && !ns.contains('*') {
                        namespaces.insert(ns.to_string());
                    }
                }
            }
        }
    }
    namespaces.into_iter().map(Value::String).collect()
}

/// The collections whose items plan the next wave (the others are not kept in
/// memory once written).
fn needed_for_plan(collection: &str) -> bool {
    matches!(
        collection,
        "managementGroups"
            | "managementGroupList"
            | "managementGroupDescendants"
            | "subscriptions"
            | "groups"
            | "workspaces"
            | "roleDefinitions"
    )
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_plain_relative(f: &str) -> bool {
    let p = Path::new(f);
    p.is_relative()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// The items of files written earlier (for planning a resumed run).
fn read_back(dir: &Path, files: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for f in files.iter().filter(|f| is_plain_relative(f)) {
        if let Ok(bytes) = std::fs::read(dir.join(f)) {
            if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
                match v.get("value").and_then(Value::as_array) {
                    Some(items) => out.extend(items.iter().cloned()),
                    None => out.push(v),
                }
            }
        }
    }
    out
}

const NEXT_KEYS: [&str; 2] = ["nextLink", "@odata.nextLink"];

/// The most pages one list is read to (a million items at Graph's largest page
/// size is 1,000 pages; ARM's lists are smaller).
const MAX_PAGES: u32 = 100_000;

/// Reads every page of one task and writes its one file. Errors only when the
/// file cannot be written; what the service refused is in the entry.
///
/// The pages are combined into one `{"value": [...]}` (the first page's other
/// keys kept, `@odata.context` among them) and written once, atomically, when
/// the list is read or given up. A list given up after some pages keeps the
/// link to the page that could not be read (`nextLink` / `@odata.nextLink`), and
/// so does a list whose next link was refused: `import` sees it is partial.
fn read_task(run: &Run, task: &Task) -> anyhow::Result<(Entry, Vec<Value>)> {
    let client = run.client(task);
    let mut entry = task.entry();
    let mut combined: Option<Value> = None;
    let base = client.base.as_str().trim_end_matches('/');
    let mut url = match Url::parse(&format!("{base}{}", task.path)) {
        Ok(u) => u,
        Err(e) => {
            entry.status = "failed".into();
            entry.error = Some(format!("bad URL: {e}"));
            return Ok((entry, Vec::new()));
        }
    };
    let mut page_no = 0u32;
    // The pages asked so far, the first one included: a service whose next link
    // comes back to a page read before would be read forever (and a link back to
    // the first page would add its items twice before the loop was seen).
    let mut followed: std::collections::HashSet<String> =
        std::collections::HashSet::from([url.as_str().to_string()]);
    loop {
        // A next page is asked the way the first was: `getEntities` is a POST
        // API, and so is the request for its `nextLink` (Entities - List).
        let method = task.method;
        match client.page(method, &url, &run.policy, &run.requests) {
            Ok((mut page, retries)) => {
                entry.retries += u64::from(retries);
                run.retries.fetch_add(u64::from(retries), Ordering::Relaxed);
                run.pages.fetch_add(1, Ordering::Relaxed);
                entry.pages += 1;
                entry.http_status = Some(200);
                page_no += 1;
                let next = NEXT_KEYS
                    .iter()
                    .find_map(|k| page.get(*k).and_then(Value::as_str).map(str::to_string))
                    .filter(|n| !n.is_empty());
                let list = matches!(page.get("value"), Some(Value::Array(_)));
                // Every read but a provider's catalogue is a list page: an answer
                // without its `value` list is not one, and written as it is it
                // would look complete (and `import` would refuse the whole folder).
                if !list && task.collection != "providerOperations" {
                    entry.status = "failed".into();
                    entry.error = Some(format!(
                        "page {page_no} is not a list page (no `value` array): {} given up",
                        if page_no == 1 {
                            "the list was"
                        } else {
                            "the rest of the list was"
                        }
                    ));
                    if let Some(Value::Object(c)) = &mut combined {
                        // The pages read end where this one was asked for.
                        c.insert(
                            NEXT_KEYS[usize::from(task.api == "graph")].to_string(),
                            Value::String(url.to_string()),
                        );
                    }
                    break;
                }
                entry.items += match page.get("value").and_then(Value::as_array) {
                    Some(v) => v.len() as u64,
                    None => 1,
                };
                let next_url = match next {
                    None => None,
                    Some(n) => {
                        match Url::parse(&n).or_else(|_| Url::parse(&format!("{base}{n}"))) {
                            Ok(u) if client.owns(&u) => Some(u),
                            Ok(u) => {
                                // Not followed: the token would go to another origin.
                                entry.status = "refused".into();
                                // Both origins in full, ports included: one
                                // that differs only by its port reads so.
                                entry.error = Some(format!(
                                    "nextLink to another origin not followed: {} (the token is sent only to {})",
                                    client::origin(&u),
                                    client::origin(&client.base)
                                ));
                                None
                            }
                            Err(e) => {
                                entry.status = "failed".into();
                                entry.error = Some(format!("nextLink is not a URL: {e}"));
                                None
                            }
                        }
                    }
                };
                match &mut combined {
                    None => combined = Some(page),
                    Some(c) if list => {
                        let more = match page.get_mut("value") {
                            Some(Value::Array(v)) => std::mem::take(v),
                            _ => Vec::new(),
                        };
                        if let Some(Value::Array(all)) = c.get_mut("value") {
                            all.extend(more);
                        }
                        // The combined list ends where the last page read ends.
                        if let (Value::Object(c), Value::Object(p)) = (c, &page) {
                            for k in NEXT_KEYS {
                                match p.get(k) {
                                    Some(v) => c.insert(k.to_string(), v.clone()),
                                    None => c.remove(k),
                                };
                            }
                        }
                    }
                    // A next page that is not a list: nothing to combine it with.
                    Some(_) => {
                        entry.status = "failed".into();
                        entry.error = Some("a next page is not a list".into());
                        break;
                    }
                }
                match next_url {
                    Some(u) if !followed.insert(u.as_str().to_string()) || page_no >= MAX_PAGES => {
                        // Given up: the combined list keeps the link, so `import`
                        // sees it is partial.
                        entry.status = "failed".into();
                        entry.error = Some(if page_no >= MAX_PAGES {
                            format!("more than {MAX_PAGES} pages: the list was given up")
                        } else {
                            "the next link repeats a page already read: the list was given up"
                                .into()
                        });
                        break;
                    }
                    Some(u) => url = u,
                    None => break,
                }
            }
            Err((err, retries)) => {
                entry.retries += u64::from(retries);
                run.retries.fetch_add(u64::from(retries), Ordering::Relaxed);
                let (status, http, msg) = match err {
                    PageError::Forbidden(c, m) => ("forbidden", Some(c), m),
                    PageError::Throttled(c, m) => ("throttled", Some(c), m),
                    PageError::Failed(c, m) => ("failed", c, m),
                    PageError::Transport(m) => ("failed", None, format!("transport: {m}")),
                };
                entry.status = status.into();
                entry.http_status = http;
                entry.error = Some(msg);
                break;
            }
        }
    }
    let mut items = Vec::new();
    if let Some(all) = combined {
        let rel = task.file();
        write_json(&run.opts.out, &rel, &all)?;
        entry.files.push(rel);
        if needed_for_plan(task.collection) {
            items = plan_items(
                task.collection,
                match all {
                    Value::Object(mut o) => match o.remove("value") {
                        Some(Value::Array(v)) => v,
                        Some(other) => {
                            o.insert("value".into(), other);
                            vec![Value::Object(o)]
                        }
                        None => vec![Value::Object(o)],
                    },
                    other => vec![other],
                },
            );
        }
    }
    if entry.status == "pending" {
        entry.status = "complete".into();
    }
    Ok((entry, items))
}

fn write_json(dir: &Path, rel: &str, v: &Value) -> anyhow::Result<()> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        crate::fsutil::create_dirs(parent)?;
    }
    let bytes = serde_json::to_vec_pretty(v)?;
    crate::fsutil::write_file(&path, |w| {
        w.write_all(&bytes)?;
        w.write_all(b"\n")
    })?;
    Ok(())
}
