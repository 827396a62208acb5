//! The synthetic tenant generator (`whocan-synth`): a whole enterprise tenant
//! (directory, nested groups, management-group tree, subscriptions, AzureML
//! workspaces, roles, assignments, PIM, denies, operation catalogue) written as the
//! real export files that `whocan import` reads, for benchmarks and tests.
//!
//! Three profiles: `small` (about the size of `sample-data/`), `large` (about a
//! tenth of `xl`) and `xl` (200,000 users, 40,000 groups, over two million
//! membership edges, 150,000 role assignments; see [`Sizes::of`]). The same seed
//! always gives byte-identical files: everything is drawn from per-kind SplitMix64
//! streams ([`rng`]), in a fixed order, with no clock and no hash-map iteration.
//! The tenant is first built in memory as compact indices ([`World`]), optionally
//! churned ([`churn`]), then written by two threads through buffered,
//! hand-formatted JSON and CSV ([`write`]).
//!
//! This library never reads a database and never prints; the `whocan-synth`
//! binary (`src/main.rs`) prints the [`Summary`].

mod catalogue;
mod churn;
mod directory;
mod facts;
mod grants;
mod names;
mod rng;
mod roles;
mod scopes;
mod time;
mod write;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

/// How big a tenant to write (see [`Sizes::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    Small,
    Large,
    Xl,
}
pub use churn::ChurnReport;

use catalogue::Catalogue;
use directory::{Directory, GroupSort};
use grants::Grants;
use roles::Role;
use scopes::Scopes;
use write::Written;

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{0}: the output directory exists and is not empty; give a new or empty directory")]
    OutNotEmpty(String),
    #[error("{0}: exists and is not a directory")]
    NotADirectory(String),
    #[error("churn must be a fraction between 0 and 1, got {0}")]
    BadChurn(f64),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl SynthError {
    /// True when the caller asked for something impossible (exit 2), false for an
    /// I/O failure.
    pub fn is_usage(&self) -> bool {
        !matches!(self, SynthError::Io { .. })
    }
}

/// How big each kind is in a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes {
    pub users: usize,
    /// All groups, of every sort.
    pub groups: usize,
    /// All Employees plus regional staff groups (tens of thousands of members in xl).
    pub huge_groups: usize,
    pub dept_groups: usize,
    /// Groups holding an assignment with no member data at all.
    pub incomplete_groups: usize,
    /// Levels of nesting of the regular groups.
    pub group_depth: usize,
    pub cycles: usize,
    /// Regular groups per member user, inclusive range.
    pub groups_per_user: (usize, usize),
    /// Regular groups written as `members/<id>.json` (besides groups without members).
    pub json_member_groups: usize,
    pub apps: usize,
    /// User-assigned managed identities (workspaces add one system-assigned each).
    pub user_identities: usize,
    /// Deleted principals: one orphaned assignment each.
    pub deleted_principals: usize,
    /// Member entries that name a deleted principal.
    pub stale_members: usize,
    /// Management groups per level, the root first.
    pub mg_levels: &'static [usize],
    pub subs: usize,
    pub rgs: usize,
    pub workspaces: usize,
    pub computes: usize,
    /// Built-in roles, the real core included.
    pub builtin_roles: usize,
    pub custom_roles: usize,
    pub assignments: usize,
    pub root_assignments: usize,
    pub undefined_role_assignments: usize,
    pub max_per_sub: usize,
    pub eligibilities: usize,
    pub denies: usize,
    pub users_per_file: usize,
    pub assignments_per_file: usize,
    pub edges_per_csv: usize,
}

impl Sizes {
    pub fn of(profile: Profile) -> Sizes {
        match profile {
            Profile::Small => Sizes {
                users: 30,
                groups: 12,
                huge_groups: 1,
                dept_groups: 0,
                incomplete_groups: 1,
                group_depth: 4,
                cycles: 1,
                groups_per_user: (1, 3),
                json_member_groups: 8,
                apps: 2,
                user_identities: 0,
                deleted_principals: 1,
                stale_members: 1,
                mg_levels: &[1, 1, 2],
                subs: 2,
                rgs: 4,
                workspaces: 3,
                computes: 6,
                builtin_roles: 20,
                custom_roles: 5,
                assignments: 30,
                root_assignments: 1,
                undefined_role_assignments: 1,
                max_per_sub: 4_000,
                eligibilities: 4,
                denies: 1,
                users_per_file: 50_000,
                assignments_per_file: 25_000,
                edges_per_csv: 500_000,
            },
            Profile::Large => Sizes {
                users: 20_000,
                groups: 4_000,
                huge_groups: 4,
                dept_groups: 40,
                incomplete_groups: 3,
                group_depth: 8,
                cycles: 2,
                groups_per_user: (2, 14),
                json_member_groups: 200,
                apps: 300,
                user_identities: 100,
                deleted_principals: 15,
                stale_members: 5,
                mg_levels: &[1, 2, 2, 3, 3, 2, 2],
                subs: 10,
                rgs: 200,
                workspaces: 100,
                computes: 500,
                builtin_roles: 300,
                custom_roles: 40,
                assignments: 15_000,
                root_assignments: 3,
                undefined_role_assignments: 1,
                max_per_sub: 4_000,
                eligibilities: 2_000,
                denies: 20,
                users_per_file: 50_000,
                assignments_per_file: 25_000,
                edges_per_csv: 500_000,
            },
            Profile::Xl => Sizes {
                users: 200_000,
                groups: 40_000,
                huge_groups: 4,
                dept_groups: 400,
                incomplete_groups: 5,
                group_depth: 8,
                cycles: 3,
                groups_per_user: (2, 14),
                json_member_groups: 1_000,
                apps: 3_000,
                user_identities: 1_000,
                deleted_principals: 150,
                stale_members: 20,
                mg_levels: &[1, 3, 8, 12, 14, 12, 10],
                subs: 50,
                rgs: 2_000,
                workspaces: 1_000,
                computes: 5_000,
                builtin_roles: 600,
                custom_roles: 200,
                assignments: 150_000,
                root_assignments: 8,
                undefined_role_assignments: 3,
                max_per_sub: 4_000,
                eligibilities: 20_000,
                denies: 200,
                users_per_file: 50_000,
                assignments_per_file: 25_000,
                edges_per_csv: 500_000,
            },
        }
    }

    /// Service principals in the directory: applications, one identity per
    /// workspace, the user-assigned identities, and one per compute (its
    /// system-assigned identity or a user-assigned one of its own).
    pub fn service_principals(&self) -> usize {
        self.apps + self.workspaces + self.user_identities + self.computes
    }

    /// Management groups, the root included.
    pub fn management_groups(&self) -> usize {
        self.mg_levels.iter().sum()
    }

    /// Storage accounts (one per resource group), workspaces, one key vault per
    /// workspace, computes, user-assigned identities.
    pub fn resources(&self) -> usize {
        self.rgs + 2 * self.workspaces + self.computes + self.user_identities
    }
}

/// The whole tenant in memory, before it is written.
pub(crate) struct World {
    pub sizes: Sizes,
    pub cat: Catalogue,
    pub scopes: Scopes,
    pub dir: Directory,
    pub roles: Vec<Role>,
    pub grants: Grants,
    pub facts: facts::Facts,
}

pub(crate) fn generate(profile: Profile, seed: u64) -> World {
    let sizes = Sizes::of(profile);
    let cat = Catalogue::load();
    let scopes = scopes::generate(&sizes, seed);
    let mut dir = directory::generate(&sizes, seed, &scopes);
    let facts = facts::generate(seed, &scopes, &mut dir);
    let roles = roles::generate(&sizes, seed, &cat, &scopes);
    let grants = grants::generate(&sizes, seed, &scopes, &dir, &roles, &facts.assignments);
    World {
        sizes,
        cat,
        scopes,
        dir,
        roles,
        grants,
        facts,
    }
}

/// One line of the summary: a kind, how many records, in how many files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSummary {
    pub kind: &'static str,
    pub records: usize,
    pub files: usize,
    pub bytes: u64,
    pub detail: String,
}

impl fmt::Display for KindSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<18} {:>9}  in {:>3} file{} {:>8.1} MB",
            self.kind,
            self.records,
            self.files,
            if self.files == 1 { " " } else { "s" },
            self.bytes as f64 / 1e6
        )?;
        if !self.detail.is_empty() {
            write!(f, "  ({})", self.detail)?;
        }
        Ok(())
    }
}

/// What `write_tenant` wrote.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub kinds: Vec<KindSummary>,
    pub churn: Option<ChurnReport>,
}

impl Summary {
    pub fn files(&self) -> usize {
        self.kinds.iter().map(|k| k.files).sum()
    }

    pub fn bytes(&self) -> u64 {
        self.kinds.iter().map(|k| k.bytes).sum()
    }

    /// The record count of a kind (`users`, `memberEdges`, `roleAssignments`...).
    pub fn count(&self, kind: &str) -> Option<usize> {
        self.kinds
            .iter()
            .find(|k| k.kind == kind)
            .map(|k| k.records)
    }
}

fn kind(kind: &'static str, files: &[&Written], detail: String) -> KindSummary {
    KindSummary {
        kind,
        records: files.iter().map(|f| f.records).sum(),
        files: files.len(),
        bytes: files.iter().map(|f| f.bytes).sum(),
        detail,
    }
}

fn prepare_out(out: &Path) -> Result<(), SynthError> {
    let shown = out.display().to_string();
    match std::fs::metadata(out) {
        Ok(m) if !m.is_dir() => return Err(SynthError::NotADirectory(shown)),
        Ok(_) => {
            let mut entries = std::fs::read_dir(out).map_err(|e| SynthError::Io {
                path: shown.clone(),
                source: e,
            })?;
            if entries.next().is_some() {
                return Err(SynthError::OutNotEmpty(shown));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(SynthError::Io {
                path: shown,
                source: e,
            })
        }
    }
    std::fs::create_dir_all(out).map_err(|e| SynthError::Io {
        path: shown,
        source: e,
    })
}

/// Generates the tenant of `profile` for `seed` and writes it under `out`, which
/// must not exist or be empty. With `churn = Some(f)`, writes the same tenant with
/// a fraction `f` of its role assignments and membership edges replaced and one
/// custom role's actions edited (deterministic too): the "second import" of a
/// benchmark.
pub fn write_tenant(
    profile: Profile,
    seed: u64,
    out: &Path,
    churn: Option<f64>,
) -> Result<Summary, SynthError> {
    if let Some(f) = churn {
        if !(0.0..=1.0).contains(&f) {
            return Err(SynthError::BadChurn(f));
        }
    }
    prepare_out(out)?;
    let mut world = generate(profile, seed);
    let churned = churn.map(|f| churn::apply(&mut world, seed, f));
    let mut summary = write_world(&world, out)?;
    summary.churn = churned;
    Ok(summary)
}

fn write_world(w: &World, out: &Path) -> Result<Summary, SynthError> {
    // The directory (users and two million edges) on its own thread; the rest here.
    let (dir_files, rest) = std::thread::scope(|s| {
        let dir_job = s.spawn(|| directory::write(&w.dir, &w.scopes, &w.sizes, out));
        let rest = (|| -> Result<_, SynthError> {
            let grant_files = grants::write(&w.grants, &w.roles, &w.scopes, &w.dir, &w.sizes, out)?;
            let scope_files = scopes::write(&w.scopes, out)?;
            let role_files = roles::write(&w.roles, &w.scopes, out)?;
            let op_files = catalogue::write(&w.cat, out)?;
            let fact_files = facts::write(&w.facts, &w.scopes, out)?;
            Ok((grant_files, scope_files, role_files, op_files, fact_files))
        })();
        let dir_files = dir_job.join().expect("the directory writer does not panic");
        (dir_files, rest)
    });
    let dir_files = dir_files?;
    let (grant_files, scope_files, role_files, op_files, fact_files) = rest?;

    let d = &w.dir;
    let s = &w.scopes;
    let mut kinds = Vec::new();
    let guests = d.users.iter().filter(|u| u.guest.is_some()).count();
    let disabled = d.users.iter().filter(|u| !u.enabled).count();
    kinds.push(kind(
        "users",
        &dir_files.users.iter().collect::<Vec<_>>(),
        format!("{guests} guests, {disabled} disabled"),
    ));
    let runs = d.runs();
    let largest = runs.iter().map(|(a, b)| b - a).max().unwrap_or(0);
    let big = runs.iter().filter(|(a, b)| b - a >= 50_000).count();
    kinds.push(kind(
        "groups",
        &dir_files.groups.iter().collect::<Vec<_>>(),
        format!(
            "{} nesting levels, {} cycles, largest {largest} direct members, {big} with 50,000+, {} without member data",
            w.sizes.group_depth,
            w.sizes.cycles,
            d.groups_of(GroupSort::Incomplete).len()
        ),
    ));
    let managed = d.sps.iter().filter(|p| p.managed).count();
    kinds.push(kind(
        "servicePrincipals",
        &dir_files.sps.iter().collect::<Vec<_>>(),
        format!(
            "{} applications, {managed} managed identities",
            d.sps.len() - managed
        ),
    ));
    let member_files: Vec<&Written> = dir_files
        .member_files
        .iter()
        .chain(&dir_files.member_csv)
        .collect();
    kinds.push(kind(
        "memberEdges",
        &member_files,
        format!(
            "{} JSON member files, {} CSV edge lists",
            dir_files.member_files.len(),
            dir_files.member_csv.len()
        ),
    ));
    let mg = KindSummary {
        records: s.mgs.len(),
        ..kind(
            "managementGroups",
            &[&scope_files[0]],
            format!(
                "{} levels below the root; the file also places the subscriptions",
                w.sizes.mg_levels.len() - 1
            ),
        )
    };
    kinds.push(mg);
    kinds.push(kind("subscriptions", &[&scope_files[1]], String::new()));
    kinds.push(kind("resourceGroups", &[&scope_files[2]], String::new()));
    kinds.push(kind(
        "resources",
        &[&scope_files[3]],
        format!(
            "{} workspaces, {} computes",
            s.workspaces.len(),
            s.computes.len()
        ),
    ));
    let ff = &fact_files;
    let f = &w.facts;
    let by_cred = |c: fn(&facts::Cred) -> bool| {
        f.workspaces
            .iter()
            .flat_map(|x| &x.datastores)
            .filter(|d| c(&d.cred))
            .count()
    };
    kinds.push(kind(
        "resourceFacts",
        &[
            &ff.workspaces,
            &ff.computes,
            &ff.datastores,
            &ff.storage,
            &ff.key_vaults,
            &ff.registries,
            &ff.identities,
        ],
        format!(
            "{} datastores ({} account key, {} SAS, {} service principal), {} computes with a user-assigned identity, {} accounts without Shared Key, {} access-policy vaults, {} identities' assignments",
            ff.datastores.records,
            by_cred(|c| *c == facts::Cred::AccountKey),
            by_cred(|c| *c == facts::Cred::Sas),
            by_cred(|c| matches!(c, facts::Cred::ServicePrincipal(_))),
            f.identities.len(),
            f.shared_key.iter().filter(|&&k| !k).count(),
            f.workspaces.iter().filter(|x| !x.kv_rbac).count(),
            f.assignments.len()
        ),
    ));
    let custom = w.roles.iter().filter(|r| r.is_custom()).count();
    let multi = w.roles.iter().filter(|r| r.blocks.len() > 1).count();
    let conditional = w
        .roles
        .iter()
        .filter(|r| r.blocks.iter().any(|b| b.condition.is_some()))
        .count();
    kinds.push(kind(
        "roleDefinitions",
        &role_files.iter().collect::<Vec<_>>(),
        format!(
            "{} built-in, {custom} custom, {multi} multi-block, {conditional} with conditions",
            w.roles.len() - custom
        ),
    ));
    let a = &w.grants.assignments;
    let mut per_sub = vec![0usize; s.subs.len()];
    for x in a {
        if let Some(i) = s.sub_of(x.scope) {
            per_sub[i] += 1;
        }
    }
    let to_groups = a
        .iter()
        .filter(|x| matches!(d.who(x.principal), directory::Who::Group(_)))
        .count();
    kinds.push(kind(
        "roleAssignments",
        &grant_files.assignments.iter().collect::<Vec<_>>(),
        format!(
            "{to_groups} to groups, at most {} per subscription, {} orphaned, {} of an undefined role",
            per_sub.iter().max().unwrap_or(&0),
            d.ghosts.len(),
            a.iter().filter(|x| x.role == grants::UNDEFINED).count()
        ),
    ));
    kinds.push(kind(
        "pimEligibility",
        &grant_files.eligibilities.iter().collect::<Vec<_>>(),
        String::new(),
    ));
    kinds.push(kind(
        "denyAssignments",
        &grant_files.denies.iter().collect::<Vec<_>>(),
        String::new(),
    ));
    kinds.push(kind(
        "operations",
        &op_files.iter().collect::<Vec<_>>(),
        format!(
            "{} providers, {} data actions",
            op_files.len(),
            w.cat.ops.iter().filter(|o| o.data).count()
        ),
    ));
    Ok(Summary { kinds, churn: None })
}
