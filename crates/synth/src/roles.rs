//! Role definitions: a core of real built-in roles (Owner, Contributor, Reader,
//! User Access Administrator, AzureML Data Scientist, AzureML Compute Operator,
//! Storage Blob Data Reader, with their real GUIDs and permissions, read at compile
//! time from the project's own `sample-data/roles/builtin-roles.json`), generated
//! stand-ins for the other roles a tenant hands out most (a delegated
//! role-assignment administrator, registry users, workspace developers, blob and
//! key-vault data roles, VM contributors), generated built-in-style roles, and
//! tenant custom roles (first the custom roles of `sample-data/roles/custom/`, then
//! generated ones), written in the `az role definition list` shape.
//!
//! Generated roles follow the patterns of Azure's own: `<Provider>/<type>/*`
//! contributors with a few `notActions`, readers with `.../read` and `*/read`,
//! operators with hand-picked `/action`s, data roles with `dataActions` (and
//! `notDataActions`), administrators with `<Provider>/*`, a few multi-block roles
//! whose second block is an ABAC-conditioned `roleAssignments/write`. Every pattern
//! comes from a real operation of the catalogue with at most one `*`, always a whole
//! segment (as in every real built-in role), so wildcards expand to something.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use super::catalogue::{Catalogue, Op};
use super::names::{self, TEAMS};
use super::rng::Rng;
use super::scopes::{Scope, Scopes};
use super::time::Stamp;
use super::write::{RecordFile, Written};
use super::{Sizes, SynthError};

/// The project's own built-in role definitions (`az role definition list` shape).
const SAMPLE_BUILTIN: &str = include_str!("../../../sample-data/roles/builtin-roles.json");

/// The project's own custom roles (`az role definition create` shape).
const SAMPLE_CUSTOM: &[&str] = &[
    include_str!("../../../sample-data/roles/custom/data-scientist-custom.json"),
    include_str!("../../../sample-data/roles/custom/data-scientist-restricted-custom.json"),
    include_str!("../../../sample-data/roles/custom/labeler-custom.json"),
    include_str!("../../../sample-data/roles/custom/mlops-custom.json"),
    include_str!("../../../sample-data/roles/custom/workspace-admin-custom.json"),
];

/// The real built-in roles, by name, in index order.
const REAL_NAMES: &[&str] = &[
    "Owner",
    "Contributor",
    "Reader",
    "User Access Administrator",
    "AzureML Data Scientist",
    "AzureML Compute Operator",
    "Storage Blob Data Reader",
];

// Indexes of the real roles (in `REAL_NAMES` order)...
pub(crate) const OWNER: usize = 0;
pub(crate) const CONTRIBUTOR: usize = 1;
pub(crate) const READER: usize = 2;
pub(crate) const USER_ACCESS_ADMIN: usize = 3;
pub(crate) const AML_DATA_SCIENTIST: usize = 4;
pub(crate) const AML_COMPUTE_OPERATOR: usize = 5;
pub(crate) const BLOB_READER: usize = 6;
pub(crate) const REAL: usize = 7;
const _: () = assert!(REAL_NAMES.len() == REAL && ACCESS_DELEGATE == REAL);
// ...and of the generated stand-ins that follow them (see [`stand_ins`]).
/// May assign a few named roles (a condition on `roleAssignments/write`).
pub(crate) const ACCESS_DELEGATE: usize = 7;
pub(crate) const AML_REGISTRY_USER: usize = 8;
pub(crate) const AML_DEVELOPER: usize = 9;
pub(crate) const BLOB_CONTRIBUTOR: usize = 10;
pub(crate) const KV_SECRETS_READER: usize = 11;
pub(crate) const VM_CONTRIBUTOR: usize = 12;
/// Roles at fixed indexes: the real ones and the stand-ins.
pub(crate) const KNOWN: usize = 13;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Block {
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub data_actions: Vec<String>,
    pub not_data_actions: Vec<String>,
    pub condition: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Role {
    /// Lowercase GUID (the join key).
    pub guid: String,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub blocks: Vec<Block>,
    /// Custom roles: where they may be assigned (empty: `/`, built-in roles).
    pub assignable: Vec<Scope>,
    pub created: String,
    pub updated: String,
}

impl Role {
    pub(crate) fn is_custom(&self) -> bool {
        !self.builtin
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The real built-in roles of the sample, in `REAL_NAMES` order.
fn real_roles() -> Vec<Role> {
    let doc: Value = serde_json::from_str(SAMPLE_BUILTIN)
        .expect("sample-data/roles/builtin-roles.json is valid JSON");
    let all = doc.as_array().expect("an array of role definitions");
    REAL_NAMES
        .iter()
        .map(|&name| {
            let r = all
                .iter()
                .find(|r| r["roleName"].as_str() == Some(name))
                .unwrap_or_else(|| panic!("sample-data/roles/builtin-roles.json has no {name}"));
            Role {
                guid: r["name"].as_str().unwrap_or_default().to_lowercase(),
                name: name.to_string(),
                description: r["description"].as_str().unwrap_or_default().to_string(),
                builtin: true,
                blocks: r["permissions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| Block {
                        actions: strings(&p["actions"]),
                        not_actions: strings(&p["notActions"]),
                        data_actions: strings(&p["dataActions"]),
                        not_data_actions: strings(&p["notDataActions"]),
                        condition: p["condition"].as_str().map(str::to_string),
                    })
                    .collect(),
                assignable: Vec::new(),
                created: r["createdOn"].as_str().unwrap_or_default().to_string(),
                updated: r["updatedOn"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// A custom role of the sample: name, GUID (when its file has an `Id`),
/// description, and its one permission block.
struct SampleCustom {
    name: String,
    guid: Option<String>,
    description: String,
    block: Block,
}

fn sample_customs() -> Vec<SampleCustom> {
    SAMPLE_CUSTOM
        .iter()
        .map(|text| {
            let r: Value = serde_json::from_str(text).expect("a sample custom role is valid JSON");
            SampleCustom {
                name: r["Name"].as_str().unwrap_or_default().to_string(),
                guid: r["Id"].as_str().map(str::to_lowercase),
                description: r["Description"].as_str().unwrap_or_default().to_string(),
                block: Block {
                    actions: strings(&r["Actions"]),
                    not_actions: strings(&r["NotActions"]),
                    data_actions: strings(&r["DataActions"]),
                    not_data_actions: strings(&r["NotDataActions"]),
                    condition: None,
                },
            }
        })
        .collect()
}

/// The generated stand-ins, in index order from [`REAL`]: (name, description,
/// blocks). Each is derived from the catalogue by a rule, so every pattern expands.
fn stand_ins(cat: &Catalogue, real: &[Role]) -> Vec<(String, String, Vec<Block>)> {
    const ML: &str = "Microsoft.MachineLearningServices";
    let ops_under = |provider: &str, rt: &str, pred: &dyn Fn(&Op) -> bool| -> Vec<String> {
        cat.under(provider, rt)
            .into_iter()
            .filter(|o| pred(o))
            .map(|o| o.name.to_string())
            .collect()
    };
    let read_like = |o: &Op| {
        let v = o.verb().to_ascii_lowercase();
        v.contains("read") || v.starts_with("get")
    };
    // A data role: the parent type's read (or everything, for a contributor), and
    // the type's read-like data actions (or all of them).
    let data_role = |provider: &str, rt: &str, contributor: bool| -> Block {
        let parent = rt.rsplit_once('/').map_or(rt, |(p, _)| p);
        let mut b = Block::default();
        if contributor {
            b.actions.push(format!("{provider}/{parent}/*"));
            b.data_actions.push(format!("{provider}/{rt}/*"));
        } else {
            b.actions.push(format!("{provider}/{parent}/read"));
            b.data_actions = ops_under(provider, rt, &|o| o.data && o.rt == rt && read_like(o));
        }
        b
    };
    let delegable: Vec<String> = [READER, AML_DATA_SCIENTIST, AML_COMPUTE_OPERATOR]
        .iter()
        .map(|&i| real[i].guid.replace('-', ""))
        .collect();
    let mut registry = Block {
        actions: vec![
            format!("{ML}/registries/read"),
            format!("{ML}/registries/*/read"),
            format!("{ML}/registries/*/write"),
        ],
        ..Block::default()
    };
    registry.actions.extend(ops_under(ML, "registries", &|o| {
        !o.data && o.verb().ends_with("/action")
    }));
    let mut vm = Block {
        actions: vec!["Microsoft.Compute/virtualMachines/*".to_string()],
        ..Block::default()
    };
    vm.actions.extend(ops_under("Microsoft.Network", "", &|o| {
        o.verb() == "join/action"
            && [
                "virtualNetworks/subnets",
                "networkInterfaces",
                "publicIPAddresses",
                "networkSecurityGroups",
            ]
            .contains(&o.rt)
    }));
    vm.actions.extend(COMMON[..3].iter().map(|s| s.to_string()));
    vec![
        (
            "Access Role Assignments Administrator".to_string(),
            "Read access settings, and assign or remove only the roles its condition names.".to_string(),
            vec![
                Block {
                    actions: vec![
                        "Microsoft.Authorization/*/read".to_string(),
                        "Microsoft.Resources/subscriptions/read".to_string(),
                        "Microsoft.Resources/subscriptions/resourceGroups/read".to_string(),
                        "Microsoft.Support/*".to_string(),
                    ],
                    ..Block::default()
                },
                Block {
                    actions: vec![
                        "Microsoft.Authorization/roleAssignments/write".to_string(),
                        "Microsoft.Authorization/roleAssignments/delete".to_string(),
                    ],
                    condition: Some(role_assignment_condition(&delegable)),
                    ..Block::default()
                },
            ],
        ),
        (
            "AzureML Registries User".to_string(),
            "Use the assets of machine learning registries: read, write and stage them.".to_string(),
            vec![registry],
        ),
        (
            "AzureML Workspaces Developer".to_string(),
            "Build and run everything inside a machine learning workspace, but not change or delete the workspace.".to_string(),
            vec![Block {
                actions: vec![
                    format!("{ML}/workspaces/*/read"),
                    format!("{ML}/workspaces/*/action"),
                    format!("{ML}/workspaces/*/write"),
                    format!("{ML}/workspaces/*/delete"),
                    "Microsoft.Resources/deployments/*".to_string(),
                    "Microsoft.Insights/alertRules/*".to_string(),
                ],
                not_actions: vec![
                    format!("{ML}/workspaces/write"),
                    format!("{ML}/workspaces/delete"),
                    format!("{ML}/workspaces/hubs/*"),
                ],
                ..Block::default()
            }],
        ),
        (
            "Storage Blobs Data Contributor".to_string(),
            describe(Flavour::DataContributor, "blobs"),
            vec![data_role(
                "Microsoft.Storage",
                "storageAccounts/blobServices/containers/blobs",
                true,
            )],
        ),
        (
            "Key Vault Secrets Data Reader".to_string(),
            describe(Flavour::DataReader, "key vault secrets"),
            vec![data_role("Microsoft.KeyVault", "vaults/secrets", false)],
        ),
        (
            "Compute Virtual Machines Contributor".to_string(),
            describe(Flavour::Contributor, "virtual machines"),
            vec![vm],
        ),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Reader,
    Contributor,
    Operator,
    Administrator,
    DataReader,
    DataContributor,
    User,
}

impl Flavour {
    fn label(self) -> &'static str {
        match self {
            Flavour::Reader => "Reader",
            Flavour::Contributor => "Contributor",
            Flavour::Operator => "Operator",
            Flavour::Administrator => "Administrator",
            Flavour::DataReader => "Data Reader",
            Flavour::DataContributor => "Data Contributor",
            Flavour::User => "User",
        }
    }
}

fn provider_label(provider: &str) -> &'static str {
    match provider {
        "Microsoft.MachineLearningServices" => "AzureML",
        "Microsoft.Storage" => "Storage",
        "Microsoft.Compute" => "Compute",
        "Microsoft.KeyVault" => "Key Vault",
        "Microsoft.Network" => "Network",
        "Microsoft.Insights" => "Monitoring",
        "Microsoft.Resources" => "Resource Manager",
        "Microsoft.ContainerRegistry" => "Container Registry",
        "Microsoft.Authorization" => "Access",
        _ => "Service",
    }
}

/// A wildcard pattern from a concrete operation, `*` replacing whole segments:
/// `P/a/b/read` → `P/a/*` or `P/a/*/read`.
fn wildcard(rng: &mut Rng, op: &Op) -> String {
    let segs: Vec<&str> = op.name.split('/').collect();
    let verb_len = if op.verb().ends_with("/action") { 2 } else { 1 };
    let n = segs.len();
    // Middle form needs at least one segment between the kept prefix and the verb.
    let middle_ok = n >= verb_len + 3;
    if middle_ok && rng.chance(0.5) {
        let k = rng.range(2, n - verb_len - 1);
        let mut p: Vec<&str> = segs[..k].to_vec();
        p.push("*");
        p.extend_from_slice(&segs[n - verb_len..]);
        p.join("/")
    } else {
        let k = rng.range(2, (n - 1).max(2));
        let mut p: Vec<&str> = segs[..k.min(n - 1).max(1)].to_vec();
        p.push("*");
        p.join("/")
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
        v.push(s);
    }
}

const COMMON: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Support/*",
];

fn sample<'a>(rng: &mut Rng, ops: &[&'a Op], k: usize) -> Vec<&'a Op> {
    let mut idx: Vec<usize> = (0..ops.len()).collect();
    rng.shuffle(&mut idx);
    idx.into_iter().take(k).map(|i| ops[i]).collect()
}

/// One generated permission block for a resource type of the catalogue.
fn block_for(rng: &mut Rng, cat: &Catalogue, flavour: Flavour, provider: &str, rt: &str) -> Block {
    let under = cat.under(provider, rt);
    let control: Vec<&Op> = under.iter().copied().filter(|o| !o.data).collect();
    let data: Vec<&Op> = cat
        .under(provider, "")
        .into_iter()
        .filter(|o| o.data)
        .collect();
    let base = if rt.is_empty() {
        provider.to_string()
    } else {
        format!("{provider}/{rt}")
    };
    let mut b = Block::default();
    match flavour {
        Flavour::Reader => {
            if let Some(r) = nearest_read(cat, provider, rt) {
                push_unique(&mut b.actions, r);
            }
            if under.iter().any(|o| o.rt.len() > rt.len()) {
                push_unique(&mut b.actions, format!("{base}/*/read"));
            }
            let n = rng.range(0, 2);
            add_commons(rng, &mut b, n);
        }
        Flavour::Contributor => {
            push_unique(&mut b.actions, format!("{base}/*"));
            let n = rng.range(1, 4);
            add_commons(rng, &mut b, n);
            let risky: Vec<&Op> = control
                .iter()
                .copied()
                .filter(|o| o.verb() != "read")
                .collect();
            let k = rng.range(0, 2);
            for op in sample(rng, &risky, k) {
                let p = if rng.chance(0.3) {
                    wildcard(rng, op)
                } else {
                    op.name.to_string()
                };
                if p != format!("{base}/*") {
                    push_unique(&mut b.not_actions, p);
                }
            }
        }
        Flavour::Operator => {
            if let Some(r) = nearest_read(cat, provider, rt) {
                push_unique(&mut b.actions, r);
            }
            let actions: Vec<&Op> = control
                .iter()
                .copied()
                .filter(|o| o.verb().ends_with("/action"))
                .collect();
            let pool = if actions.is_empty() {
                &control
            } else {
                &actions
            };
            let k = rng.range(2, 6);
            for op in sample(rng, pool, k) {
                push_unique(&mut b.actions, op.name.to_string());
            }
            add_commons(rng, &mut b, 1);
        }
        Flavour::Administrator => {
            let top = rt.split('/').next().unwrap_or("");
            if top.is_empty() || rng.chance(0.5) {
                push_unique(&mut b.actions, format!("{provider}/*"));
            } else {
                push_unique(&mut b.actions, format!("{provider}/{top}/*"));
            }
            add_commons(rng, &mut b, 2);
            if let Some(op) = sample(rng, &control, 1).first() {
                if op.verb() == "delete" && rng.chance(0.5) {
                    push_unique(&mut b.not_actions, op.name.to_string());
                }
            }
        }
        Flavour::DataReader | Flavour::DataContributor => {
            let reads: Vec<&Op> = data
                .iter()
                .copied()
                .filter(|o| {
                    o.verb().eq_ignore_ascii_case("read") || flavour == Flavour::DataContributor
                })
                .collect();
            let pool = if reads.is_empty() { &data } else { &reads };
            let first = sample(rng, pool, 1);
            if let Some(op) = first.first() {
                if let Some(r) =
                    nearest_read(cat, provider, op.rt.split('/').next().unwrap_or(op.rt))
                {
                    push_unique(&mut b.actions, r);
                }
                if flavour == Flavour::DataContributor {
                    let parent = format!("{provider}/{}", op.rt);
                    push_unique(&mut b.data_actions, format!("{parent}/*"));
                    if let Some(x) = sample(rng, &data, 1).first() {
                        if x.name.starts_with(&parent) && rng.chance(0.5) {
                            push_unique(&mut b.not_data_actions, x.name.to_string());
                        }
                    }
                } else {
                    let k = rng.range(1, 3);
                    for op in sample(rng, pool, k) {
                        let p = if rng.chance(0.25) {
                            wildcard(rng, op)
                        } else {
                            op.name.to_string()
                        };
                        push_unique(&mut b.data_actions, p);
                    }
                }
            }
        }
        Flavour::User => {
            let k = rng.range(3, 10);
            for op in sample(rng, &control, k) {
                let p = if rng.chance(0.15) {
                    wildcard(rng, op)
                } else {
                    op.name.to_string()
                };
                push_unique(&mut b.actions, p);
            }
        }
    }
    if b.actions.is_empty() && b.data_actions.is_empty() {
        let fallback = nearest_read(cat, provider, rt)
            .or_else(|| under.first().map(|o| o.name.to_string()))
            .unwrap_or(format!("{base}/*"));
        b.actions.push(fallback);
    }
    b
}

/// The `read` operation of `rt`, or of the nearest type above it that has one.
fn nearest_read(cat: &Catalogue, provider: &str, rt: &str) -> Option<String> {
    let mut rt = rt;
    loop {
        let name = if rt.is_empty() {
            format!("{provider}/read")
        } else {
            format!("{provider}/{rt}/read")
        };
        if let Some(op) = cat.find(&name).filter(|o| !o.data) {
            return Some(op.name.to_string());
        }
        if rt.is_empty() {
            return None;
        }
        rt = rt.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
}

fn add_commons(rng: &mut Rng, b: &mut Block, n: usize) {
    for c in sample_str(rng, COMMON, n) {
        push_unique(&mut b.actions, c.to_string());
    }
}

fn sample_str<'a>(rng: &mut Rng, xs: &[&'a str], k: usize) -> Vec<&'a str> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    rng.shuffle(&mut idx);
    let mut picked: Vec<usize> = idx.into_iter().take(k).collect();
    picked.sort_unstable();
    picked.into_iter().map(|i| xs[i]).collect()
}

fn role_assignment_condition(guids: &[String]) -> String {
    let list = guids.join(", ");
    format!(
        "((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/write'}})) OR \
         (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{{{list}}})) \
         AND ((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/delete'}})) OR \
         (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{{{list}}}))"
    )
}

fn unique_name(used: &mut HashSet<String>, base: &str) -> String {
    let candidates = std::iter::once(base.to_string())
        .chain(std::iter::once(format!("{base} (Preview)")))
        .chain((2..).map(|n| format!("{base} v{n}")));
    for c in candidates {
        if used.insert(c.to_lowercase()) {
            return c;
        }
    }
    unreachable!("an unbounded candidate list")
}

fn pick_flavour(rng: &mut Rng, has_data: bool) -> Flavour {
    let i = rng.weighted(&[
        20,
        22,
        16,
        8,
        if has_data { 10 } else { 0 },
        if has_data { 8 } else { 0 },
        16,
    ]);
    [
        Flavour::Reader,
        Flavour::Contributor,
        Flavour::Operator,
        Flavour::Administrator,
        Flavour::DataReader,
        Flavour::DataContributor,
        Flavour::User,
    ][i]
}

fn describe(flavour: Flavour, what: &str) -> String {
    match flavour {
        Flavour::Reader => format!("View {what}, but not make changes."),
        Flavour::Contributor => format!("Lets you manage {what}, but not access to them."),
        Flavour::Operator => format!(
            "Lets you operate {what} (start, stop, list keys) but not create or delete them."
        ),
        Flavour::Administrator => format!("Full management of {what}, including settings."),
        Flavour::DataReader => format!("Read access to the data in {what}."),
        Flavour::DataContributor => format!("Read, write and delete access to the data in {what}."),
        Flavour::User => format!("Use {what} day to day."),
    }
}

pub(crate) fn generate(sizes: &Sizes, seed: u64, cat: &Catalogue, scopes: &Scopes) -> Vec<Role> {
    let mut rng = Rng::stream(seed, "roles");
    let mut roles: Vec<Role> = real_roles();
    let created_from = Stamp::ymd(2016, 1, 1);
    let created_to = Stamp::ymd(2026, 6, 1);
    let stand_ins = stand_ins(cat, &roles);
    for (name, description, blocks) in stand_ins {
        let created = Stamp::between(&mut rng, created_from, created_to);
        roles.push(Role {
            guid: rng.guid().to_string(),
            name,
            description,
            builtin: true,
            blocks,
            assignable: Vec::new(),
            created: created.az(),
            updated: Stamp::between(&mut rng, created, created_to.plus_days(60)).az(),
        });
    }
    roles.truncate(sizes.builtin_roles.min(KNOWN));
    let mut used: HashSet<String> = roles.iter().map(|r| r.name.to_lowercase()).collect();
    let types: Vec<usize> = (0..cat.types.len())
        .filter(|&i| !cat.types[i].rt.is_empty() && cat.types[i].ops.len() >= 2)
        .collect();
    let providers_with_data: HashSet<&str> = cat
        .ops
        .iter()
        .filter(|o| o.data)
        .map(|o| o.provider)
        .collect();

    // Built-in-style roles.
    while roles.len() < sizes.builtin_roles {
        let t = &cat.types[*rng.pick(&types)];
        let flavour = pick_flavour(&mut rng, providers_with_data.contains(t.provider));
        let what = names::humanize(t.rt);
        let base = format!(
            "{} {} {}",
            provider_label(t.provider),
            what,
            flavour.label()
        );
        let name = unique_name(&mut used, &base);
        let mut blocks = vec![block_for(&mut rng, cat, flavour, t.provider, t.rt)];
        let condition_data = matches!(flavour, Flavour::DataReader | Flavour::DataContributor)
            && !blocks[0].data_actions.is_empty()
            && rng.chance(0.05);
        if condition_data {
            let a = blocks[0].data_actions[0].clone();
            blocks[0].condition = Some(format!(
                "((!(ActionMatches{{'{a}'}})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals 'audit-logs'))"
            ));
        }
        if rng.chance(0.03) {
            // "May assign only these roles": GUIDs of roles defined so far, as ABAC
            // conditions spell them (no hyphens).
            let k = rng.range(1, 3);
            let delegable: Vec<String> = (0..k)
                .map(|_| roles[rng.below(roles.len())].guid.replace('-', ""))
                .collect();
            blocks.push(Block {
                actions: vec![
                    "Microsoft.Authorization/roleAssignments/write".to_string(),
                    "Microsoft.Authorization/roleAssignments/delete".to_string(),
                ],
                condition: Some(role_assignment_condition(&delegable)),
                ..Block::default()
            });
        }
        let created = Stamp::between(&mut rng, created_from, created_to);
        roles.push(Role {
            guid: rng.guid().to_string(),
            description: describe(flavour, &what.to_lowercase()),
            name,
            builtin: true,
            blocks,
            assignable: Vec::new(),
            created: created.az(),
            updated: Stamp::between(&mut rng, created, created_to.plus_days(60)).az(),
        });
    }

    // Custom roles, assignable at one to three subscriptions or one management
    // group: first the sample's own, then generated ones.
    let n_builtin = roles.len();
    let mgs_below_top: Vec<usize> = (0..scopes.mgs.len())
        .filter(|&m| scopes.mgs[m].parent.is_some())
        .collect();
    let samples = sample_customs();
    const ML: &str = "Microsoft.MachineLearningServices";
    while roles.len() < n_builtin + sizes.custom_roles {
        let k = roles.len() - n_builtin;
        let (name, guid, description, blocks) = if let Some(s) = samples.get(k) {
            (
                unique_name(&mut used, &s.name),
                s.guid.clone(),
                s.description.clone(),
                vec![s.block.clone()],
            )
        } else {
            let team = names::title(TEAMS[rng.below(TEAMS.len())]);
            let (base, blocks, description) = if rng.chance(0.1) {
                // One of the sample's roles, adopted by a team.
                let s = rng.pick(&samples);
                (
                    format!("Contoso {team} {}", s.name.trim_end_matches(" Custom")),
                    vec![s.block.clone()],
                    format!(
                        "{} (the {team} team's copy).",
                        s.description.trim_end_matches('.')
                    ),
                )
            } else {
                // Custom roles lean towards AzureML and storage.
                let t = loop {
                    let t = &cat.types[*rng.pick(&types)];
                    if t.provider == ML || t.provider == "Microsoft.Storage" || rng.chance(0.3) {
                        break t;
                    }
                };
                let flavour = pick_flavour(&mut rng, providers_with_data.contains(t.provider));
                let b = block_for(&mut rng, cat, flavour, t.provider, t.rt);
                (
                    format!(
                        "Contoso {team} {} {}",
                        names::humanize(t.rt),
                        flavour.label()
                    ),
                    vec![b],
                    format!(
                        "Custom {} role for the {team} team.",
                        flavour.label().to_lowercase()
                    ),
                )
            };
            (unique_name(&mut used, &base), None, description, blocks)
        };
        let assignable = if !mgs_below_top.is_empty() && rng.chance(0.15) {
            vec![Scope::Mg(*rng.pick(&mgs_below_top) as u32)]
        } else {
            let k = rng.range(1, 3.min(scopes.subs.len()));
            let mut subs: Vec<usize> = (0..scopes.subs.len()).collect();
            rng.shuffle(&mut subs);
            let mut subs: Vec<usize> = subs.into_iter().take(k).collect();
            subs.sort_unstable();
            subs.into_iter().map(|s| Scope::Sub(s as u32)).collect()
        };
        let created = Stamp::between(&mut rng, Stamp::ymd(2020, 1, 1), created_to);
        roles.push(Role {
            guid: guid.unwrap_or_else(|| rng.guid().to_string()),
            description,
            name,
            builtin: false,
            blocks,
            assignable,
            created: created.az(),
            updated: Stamp::between(&mut rng, created, created_to.plus_days(60)).az(),
        });
    }
    roles
}

/// Edits one custom role's actions (the churn's "role edit"): adds a real
/// operation it did not list. Returns the role's index.
pub(crate) fn edit_one(roles: &mut [Role], cat: &Catalogue, rng: &mut Rng) -> Option<usize> {
    let custom: Vec<usize> = (0..roles.len()).filter(|&i| roles[i].is_custom()).collect();
    if custom.is_empty() {
        return None;
    }
    let i = *rng.pick(&custom);
    let candidates: Vec<&Op> = cat
        .ops
        .iter()
        .filter(|o| !o.data && o.provider == "Microsoft.MachineLearningServices")
        .collect();
    let block = &mut roles[i].blocks[0];
    for _ in 0..100 {
        let op = *rng.pick(&candidates);
        if !block
            .actions
            .iter()
            .any(|a| a.eq_ignore_ascii_case(op.name))
        {
            block.actions.push(op.name.to_string());
            return Some(i);
        }
    }
    None
}

/// Writes `roles/builtin-roles.json` and `roles/custom-roles.json`
/// (`az role definition list`).
pub(crate) fn write(
    roles: &[Role],
    scopes: &Scopes,
    out: &Path,
) -> Result<Vec<Written>, SynthError> {
    let dir = out.join("roles");
    let sub0 = scopes.sub_ids.first().map(String::as_str).unwrap_or("");
    let mut written = Vec::new();
    for (file, builtin) in [("builtin-roles.json", true), ("custom-roles.json", false)] {
        let mut f = RecordFile::create(&dir.join(file), "[\n", "\n]\n")?;
        for r in roles.iter().filter(|r| r.builtin == builtin) {
            let assignable: Vec<&str> = if r.assignable.is_empty() {
                vec!["/"]
            } else {
                r.assignable.iter().map(|&s| scopes.id(s)).collect()
            };
            let id_prefix = match r.assignable.first() {
                Some(&s @ Scope::Sub(_)) => scopes.id(s).to_string(),
                Some(_) => String::new(),
                None => sub0.to_string(),
            };
            f.record(|o| {
                o.strs("assignableScopes", &assignable)
                    .null("createdBy")
                    .str("createdOn", &r.created)
                    .str("description", &r.description)
                    .str(
                        "id",
                        &format!(
                            "{id_prefix}/providers/Microsoft.Authorization/roleDefinitions/{}",
                            r.guid
                        ),
                    )
                    .str("name", &r.guid)
                    .objs("permissions", &r.blocks, |p, b| {
                        p.strs("actions", &b.actions)
                            .opt_str("condition", b.condition.as_deref())
                            .opt_str("conditionVersion", b.condition.as_ref().map(|_| "2.0"))
                            .strs("dataActions", &b.data_actions)
                            .strs("notActions", &b.not_actions)
                            .strs("notDataActions", &b.not_data_actions);
                    })
                    .str("roleName", &r.name)
                    .str(
                        "roleType",
                        if r.builtin {
                            "BuiltInRole"
                        } else {
                            "CustomRole"
                        },
                    )
                    .str("type", "Microsoft.Authorization/roleDefinitions")
                    .null("updatedBy")
                    .str("updatedOn", &r.updated);
            })?;
        }
        written.push(f.finish()?);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_roles_are_in_the_expected_order() {
        let cat = Catalogue::load();
        let scopes = crate::scopes::generate(&Sizes::of(crate::Profile::Small), 1);
        let sizes = Sizes::of(crate::Profile::Small);
        let k = generate(&sizes, 1, &cat, &scopes);
        assert!(k.len() > KNOWN);
        for (i, name) in REAL_NAMES.iter().enumerate() {
            assert_eq!(&k[i].name, name);
        }
        assert_eq!(k[OWNER].name, "Owner");
        assert_eq!(k[USER_ACCESS_ADMIN].name, "User Access Administrator");
        assert_eq!(k[BLOB_READER].name, "Storage Blob Data Reader");
        assert_eq!(
            k[AML_DATA_SCIENTIST].guid,
            "f6c7c914-8db3-469d-8ca1-694a8f32e121"
        );
        assert_eq!(k[AML_COMPUTE_OPERATOR].name, "AzureML Compute Operator");
        // The stand-ins, by what they grant.
        let d = &k[ACCESS_DELEGATE];
        assert_eq!(d.blocks.len(), 2);
        assert!(d.blocks[1]
            .condition
            .as_deref()
            .unwrap()
            .contains(&k[READER].guid.replace('-', "")));
        assert!(k[AML_REGISTRY_USER].blocks[0]
            .actions
            .iter()
            .all(|a| a.contains("/registries/")));
        assert!(k[AML_DEVELOPER].blocks[0]
            .not_actions
            .iter()
            .any(|a| a.ends_with("workspaces/delete")));
        assert!(k[BLOB_CONTRIBUTOR].blocks[0].data_actions[0].starts_with("Microsoft.Storage/"));
        let kv = &k[KV_SECRETS_READER].blocks[0].data_actions;
        assert!(kv.iter().any(|a| a.ends_with("getSecret/action")), "{kv:?}");
        assert!(
            kv.iter().all(|a| !a.ends_with("setSecret/action")),
            "{kv:?}"
        );
        assert!(k[VM_CONTRIBUTOR].blocks[0]
            .actions
            .iter()
            .any(|a| a.ends_with("subnets/join/action")));
        assert!(k[..KNOWN].iter().all(|r| r.builtin));
        // The sample's custom roles come first among the custom ones, with their ids.
        let customs: Vec<&Role> = k.iter().filter(|r| r.is_custom()).collect();
        assert_eq!(customs[0].name, "Data Scientist Custom");
        assert_eq!(customs[0].guid, "9c34e588-4f4a-4cf0-90dd-a606b73eb428");
        assert_eq!(customs[0].blocks[0].actions, vec!["*".to_string()]);
        assert_eq!(customs[1].name, "Data Scientist Restricted Custom");
    }

    #[test]
    fn every_pattern_of_every_role_expands_to_an_operation() {
        use whocan::engine::pattern::ActionPattern;
        let cat = Catalogue::load();
        let sizes = Sizes::of(crate::Profile::Large);
        let scopes = crate::scopes::generate(&sizes, 3);
        let lower: Vec<String> = cat
            .ops
            .iter()
            .map(|o| o.name.to_ascii_lowercase())
            .collect();
        // The real roles and the sample's custom roles name operations outside the
        // catalogue (Blueprint, Purview, experiments/jobs...); generated ones may not.
        let samples: Vec<Block> = sample_customs().into_iter().map(|s| s.block).collect();
        for r in generate(&sizes, 3, &cat, &scopes).into_iter().skip(REAL) {
            if samples.contains(&r.blocks[0]) {
                continue;
            }
            for b in &r.blocks {
                for p in b
                    .actions
                    .iter()
                    .chain(&b.data_actions)
                    .chain(&b.not_actions)
                {
                    let pat = ActionPattern::new(p);
                    assert!(
                        lower.iter().any(|o| pat.matches_lower(o)),
                        "{}: {p} matches no operation",
                        r.name
                    );
                }
            }
        }
    }

    #[test]
    fn wildcards_are_whole_segments_and_single() {
        let cat = Catalogue::load();
        let mut rng = Rng::new(9);
        for op in cat.ops.iter().step_by(7) {
            let p = wildcard(&mut rng, op);
            assert_eq!(p.matches('*').count(), 1, "{p}");
            assert!(p.split('/').all(|s| s == "*" || !s.contains('*')), "{p}");
            assert!(p.starts_with(op.provider), "{p}");
        }
    }
}
