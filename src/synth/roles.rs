//! Role definitions: a core of real built-in roles (Owner, Contributor, Reader,
//! the AzureML and Storage roles... with their real GUIDs and permissions, from
//! `known-roles.json`), generated built-in-style roles, and tenant custom roles,
//! written in the `az role definition list` shape.
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

const KNOWN_ROLES: &str = include_str!("known-roles.json");

// Indexes of the real roles, in `known-roles.json` order.
pub(crate) const OWNER: usize = 0;
pub(crate) const CONTRIBUTOR: usize = 1;
pub(crate) const READER: usize = 2;
pub(crate) const USER_ACCESS_ADMIN: usize = 3;
pub(crate) const RBAC_ADMIN: usize = 4;
pub(crate) const AML_DATA_SCIENTIST: usize = 5;
pub(crate) const AML_COMPUTE_OPERATOR: usize = 6;
pub(crate) const AML_REGISTRY_USER: usize = 7;
pub(crate) const AI_DEVELOPER: usize = 8;
pub(crate) const BLOB_READER: usize = 9;
pub(crate) const BLOB_CONTRIBUTOR: usize = 10;
pub(crate) const KV_SECRETS_USER: usize = 11;
pub(crate) const VM_CONTRIBUTOR: usize = 12;
pub(crate) const KNOWN: usize = 14;

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

fn known_roles() -> Vec<Role> {
    let doc: Value = serde_json::from_str(KNOWN_ROLES).expect("known-roles.json is valid JSON");
    doc.as_array()
        .expect("an array")
        .iter()
        .map(|r| Role {
            guid: r["name"].as_str().unwrap_or_default().to_string(),
            name: r["roleName"].as_str().unwrap_or_default().to_string(),
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
        })
        .collect()
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
            push_unique(&mut b.actions, format!("{base}/read"));
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
            push_unique(&mut b.actions, format!("{base}/read"));
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
                push_unique(
                    &mut b.actions,
                    format!(
                        "{provider}/{}/read",
                        op.rt.split('/').next().unwrap_or(op.rt)
                    ),
                );
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
        b.actions.push(format!("{base}/read"));
    }
    b
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
    let mut roles: Vec<Role> = known_roles();
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
    let created_from = Stamp::ymd(2016, 1, 1);
    let created_to = Stamp::ymd(2026, 6, 1);

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

    // Custom roles, assignable at one to three subscriptions or one management group.
    let n_builtin = roles.len();
    let mgs_below_top: Vec<usize> = (0..scopes.mgs.len())
        .filter(|&m| scopes.mgs[m].parent.is_some())
        .collect();
    const ML: &str = "Microsoft.MachineLearningServices";
    while roles.len() < n_builtin + sizes.custom_roles {
        let team = names::title(TEAMS[rng.below(TEAMS.len())]);
        let docs_style = rng.chance(0.1);
        let (base, blocks, flavour_label) = if docs_style {
            let b = Block {
                actions: vec!["*".to_string()],
                not_actions: vec![
                    format!("{ML}/workspaces/*/delete"),
                    format!("{ML}/workspaces/write"),
                    format!("{ML}/workspaces/computes/*/write"),
                    format!("{ML}/workspaces/computes/*/delete"),
                    "Microsoft.Authorization/*/write".to_string(),
                ],
                ..Block::default()
            };
            (
                format!("Contoso {team} Data Scientist"),
                vec![b],
                "data scientist",
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
                flavour.label(),
            )
        };
        let name = unique_name(&mut used, &base);
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
            guid: rng.guid().to_string(),
            description: format!(
                "Custom {} role for the {team} team.",
                flavour_label.to_lowercase()
            ),
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
        let k = known_roles();
        assert_eq!(k.len(), KNOWN);
        assert_eq!(k[OWNER].name, "Owner");
        assert_eq!(k[CONTRIBUTOR].name, "Contributor");
        assert_eq!(k[READER].name, "Reader");
        assert_eq!(k[USER_ACCESS_ADMIN].name, "User Access Administrator");
        assert_eq!(
            k[RBAC_ADMIN].name,
            "Role Based Access Control Administrator"
        );
        assert_eq!(
            k[AML_DATA_SCIENTIST].guid,
            "f6c7c914-8db3-469d-8ca1-694a8f32e121"
        );
        assert_eq!(k[AML_COMPUTE_OPERATOR].name, "AzureML Compute Operator");
        assert_eq!(k[AML_REGISTRY_USER].name, "AzureML Registry User");
        assert_eq!(k[AI_DEVELOPER].name, "Azure AI Developer");
        assert_eq!(k[BLOB_READER].name, "Storage Blob Data Reader");
        assert_eq!(k[BLOB_CONTRIBUTOR].name, "Storage Blob Data Contributor");
        assert_eq!(k[KV_SECRETS_USER].name, "Key Vault Secrets User");
        assert_eq!(k[VM_CONTRIBUTOR].name, "Virtual Machine Contributor");
        assert_eq!(k[KNOWN - 1].blocks.len(), 2);
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
