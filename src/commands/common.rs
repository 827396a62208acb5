//! Raw flags turned into a validated request before any work: the snapshot to
//! read, the target scope, the principal, the actions. Errors here are the user's
//! (exit 2) and say what would have been valid.

use std::path::Path;

use anyhow::Context;

use crate::cli::{ScopeArgs, SnapshotArgs};
use crate::engine::{ActionReq, Index};
use crate::model::{key, scope_key, PrincipalKind, ScopeKind, Snapshot, Tenant};
use crate::report::text::{eprintln_safe, sanitize};
use crate::store::{SnapshotSelector, Store};

use super::UsageError;

/// A snapshot loaded for questions.
pub struct Loaded {
    pub snapshot: Snapshot,
    pub tenant: Tenant,
    pub index: Index,
}

pub fn open_existing(db: &Path) -> anyhow::Result<Store> {
    if !db.exists() {
        return Err(UsageError(format!(
            "database {} does not exist (hint: run `whocan import PATH...` first, or pass --db)",
            db.display()
        ))
        .into());
    }
    Ok(Store::open(db)?)
}

pub fn selector(args: &SnapshotArgs) -> anyhow::Result<SnapshotSelector> {
    if let Some(id) = args.snapshot {
        return Ok(SnapshotSelector::Id(id));
    }
    if let Some(d) = &args.as_of {
        return Ok(SnapshotSelector::AsOf(parse_instant(d, true)?));
    }
    Ok(SnapshotSelector::Latest)
}

/// RFC 3339, or a date (`YYYY-MM-DD`: its start, or with `end_of_day` its last
/// second), as UTC `%Y-%m-%dT%H:%M:%SZ`.
pub fn parse_instant(s: &str, end_of_day: bool) -> anyhow::Result<String> {
    use chrono::{DateTime, NaiveDate, Utc};
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t
            .with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        let t = if end_of_day {
            d.and_hms_opt(23, 59, 59)
        } else {
            d.and_hms_opt(0, 0, 0)
        }
        .expect("valid time");
        return Ok(t.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    Err(UsageError(format!(
        "`{s}` is not a date: expected RFC 3339 (2026-10-01T00:00:00Z) or YYYY-MM-DD"
    ))
    .into())
}

pub fn load(db: &Path, args: &SnapshotArgs) -> anyhow::Result<Loaded> {
    let store = open_existing(db)?;
    let snapshot = store.resolve(&selector(args)?)?;
    let tenant = store
        .load_tenant(snapshot.id)
        .with_context(|| format!("reading snapshot {}", snapshot.id))?;
    let index = Index::new_at(&tenant, &snapshot.taken_at);
    Ok(Loaded {
        snapshot,
        tenant,
        index,
    })
}

/// The target scope from `--scope` or `--workspace`, in the spelling the snapshot
/// knows when it knows it.
pub fn target_scope(t: &Tenant, args: &ScopeArgs) -> anyhow::Result<String> {
    target_scope_in(t.scopes.as_slice(), args)
}

/// Where scope nodes are looked up: a loaded snapshot's list, or the store.
pub trait ScopeSource {
    /// The node whose [`scope_key`] is `k`.
    fn by_key(&self, k: &str) -> anyhow::Result<Option<crate::model::ScopeNode>>;
    /// AzureML workspaces named `name` (by name or by the id's last segment), or
    /// all of them.
    fn workspaces(&self, name: Option<&str>) -> anyhow::Result<Vec<crate::model::ScopeNode>>;
}

fn is_workspace(n: &crate::model::ScopeNode) -> bool {
    n.kind == ScopeKind::Resource
        && n.resource_type
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces"))
}

impl ScopeSource for [crate::model::ScopeNode] {
    fn by_key(&self, k: &str) -> anyhow::Result<Option<crate::model::ScopeNode>> {
        Ok(self.iter().find(|n| scope_key(&n.id) == k).cloned())
    }

    fn workspaces(&self, name: Option<&str>) -> anyhow::Result<Vec<crate::model::ScopeNode>> {
        Ok(self
            .iter()
            .filter(|n| is_workspace(n))
            .filter(|n| {
                name.is_none_or(|ws| {
                    n.name.eq_ignore_ascii_case(ws)
                        || scope_key(&n.id).ends_with(&format!("/workspaces/{}", key(ws)))
                })
            })
            .cloned()
            .collect())
    }
}

/// The store's scope nodes of one snapshot, read by key or name as asked.
pub struct StoredScopes<'a> {
    pub store: &'a Store,
    pub snapshot: i64,
}

impl ScopeSource for StoredScopes<'_> {
    fn by_key(&self, k: &str) -> anyhow::Result<Option<crate::model::ScopeNode>> {
        Ok(self.store.scope_by_key(self.snapshot, k)?)
    }

    fn workspaces(&self, name: Option<&str>) -> anyhow::Result<Vec<crate::model::ScopeNode>> {
        Ok(self.store.workspaces(self.snapshot, name)?)
    }
}

/// [`target_scope`] over the snapshot's scope nodes.
pub fn target_scope_in(
    scopes: &(impl ScopeSource + ?Sized),
    args: &ScopeArgs,
) -> anyhow::Result<String> {
    if let Some(s) = &args.scope {
        let k = scope_key(s);
        if let Some(n) = scopes.by_key(&k)? {
            return Ok(n.id);
        }
        if !s.trim().starts_with('/') {
            return Err(UsageError(format!(
                "--scope `{s}` is not a scope id: expected /, /providers/Microsoft.Management/managementGroups/NAME, /subscriptions/ID[/resourceGroups/RG[/providers/...]]"
            ))
            .into());
        }
        return Ok(if k == "/" {
            "/".into()
        } else {
            s.trim().trim_end_matches('/').to_string()
        });
    }
    let Some(w) = &args.workspace else {
        return Err(UsageError("say where: --scope SCOPE or --workspace NAME".into()).into());
    };
    let (ws, compute) = match w.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (w.as_str(), None),
    };
    let found = scopes.workspaces(Some(ws))?;
    let ws_id = match found.as_slice() {
        [one] => one.id.clone(),
        [] => {
            let all = scopes.workspaces(None)?;
            let mut names: Vec<&str> = all.iter().map(|n| n.name.as_str()).collect();
            names.sort();
            names.dedup();
            let more = names.len().saturating_sub(20);
            names.truncate(20);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            return Err(UsageError(format!(
                "no workspace named `{ws}` in this snapshot; known workspaces: {}",
                if names.is_empty() {
                    "none (import `az resource list` or `az ml workspace list` output)".to_string()
                } else {
                    format!("{}{more}", names.join(", "))
                }
            ))
            .into());
        }
        many => {
            let ids: Vec<_> = many.iter().map(|n| sanitize(&n.id)).collect();
            return Err(UsageError(format!(
                "workspace name `{ws}` is ambiguous; use --scope with one of:\n  {}",
                ids.join("\n  ")
            ))
            .into());
        }
    };
    Ok(match compute {
        None => ws_id,
        Some(c) => {
            let want = format!("{}/computes/{}", scope_key(&ws_id), key(c));
            scopes
                .by_key(&want)?
                .map(|n| n.id)
                .unwrap_or_else(|| format!("{ws_id}/computes/{c}"))
        }
    })
}

/// The principal named by object id, user principal name or display name.
pub fn resolve_principal(ix: &Index, t: &Tenant, name: &str) -> anyhow::Result<String> {
    let k = key(name.trim());
    if ix.principals.contains_key(&k)
        || ix.assignment_principal(&k).is_some()
        || ix.groups_of.contains_key(&k)
        || ix.members_of.contains_key(&k)
    {
        return Ok(k);
    }
    let by_upn: Vec<_> = t
        .principals
        .iter()
        .filter(|p| {
            p.user_principal_name
                .as_deref()
                .is_some_and(|u| key(u) == k)
        })
        .collect();
    if let [p] = by_upn.as_slice() {
        return Ok(key(&p.id));
    }
    let mut by_name: Vec<_> = t
        .principals
        .iter()
        .filter(|p| key(&p.display_name) == k)
        .collect();
    by_name.dedup_by(|a, b| key(&a.id) == key(&b.id));
    match by_name.as_slice() {
        [p] => Ok(key(&p.id)),
        [] if is_guid(&k) => {
            eprintln_safe!(
                "warning: {name} is in no directory listing and holds nothing in this snapshot"
            );
            Ok(k)
        }
        [] => Err(UsageError(format!(
            "no principal matches `{name}` (by object id, user principal name or display name)"
        ))
        .into()),
        many => Err(ambiguous(name, many)),
    }
}

pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A snapshot opened for one question: only the slice of it the question needs.
pub struct Sliced {
    pub store: Store,
    pub snapshot: Snapshot,
    /// The nodes that carry the scope tree: root, management groups and
    /// subscriptions (not the resource groups and resources below them).
    pub scopes: Vec<crate::model::ScopeNode>,
    pub tree: crate::engine::scope::ScopeTree,
}

impl Sliced {
    pub fn open(db: &Path, args: &SnapshotArgs) -> anyhow::Result<Sliced> {
        let store = open_existing(db)?;
        let snapshot = store.resolve(&selector(args)?)?;
        let scopes = store.tree_scopes(snapshot.id)?;
        let tree = crate::engine::scope::ScopeTree::new(&scopes);
        Ok(Sliced {
            store,
            snapshot,
            scopes,
            tree,
        })
    }

    /// The scope `--scope` or `--workspace` names, in the snapshot's spelling.
    pub fn target(&self, args: &ScopeArgs) -> anyhow::Result<String> {
        target_scope_in(
            &StoredScopes {
                store: &self.store,
                snapshot: self.snapshot.id,
            },
            args,
        )
    }

    /// The index of everything that decides access at `target` (and its ancestors)
    /// for `principals`, and with `expand_members` for every principal (`who`).
    /// `operations`: the catalogue entries to read (the asked actions), or `None`
    /// for the whole catalogue (activities, `what`).
    pub fn index(
        &self,
        target: &str,
        principals: &[String],
        expand_members: bool,
        operations: Option<&[String]>,
    ) -> anyhow::Result<(Tenant, Index)> {
        let req = crate::store::SliceRequest {
            scopes: self.tree.ancestors(target),
            principals: principals.to_vec(),
            expand_members,
            below: vec![],
            operations: operations.map(<[String]>::to_vec),
        };
        let mut tenant = self
            .store
            .load_slice(self.snapshot.id, &req)
            .with_context(|| format!("reading snapshot {}", self.snapshot.id))?;
        tenant.scopes = self.scopes.clone();
        let index = Index::new_at(&tenant, &self.snapshot.taken_at);
        Ok((tenant, index))
    }

    /// For `review`: the index of every assignment and eligibility at, above or
    /// below `target`, with the members (transitively) of every holder.
    pub fn review_index(&self, target: &str) -> anyhow::Result<Index> {
        use crate::engine::scope::kind_of;
        let k = scope_key(target);
        let mut scopes = self.tree.ancestors(&k);
        let mut below = vec![k.clone()];
        // Below a management group: its management groups and subscriptions (by
        // the tree), and everything inside those subscriptions (by path).
        for n in &self.scopes {
            let nk = scope_key(&n.id);
            if self.tree.is_below(&nk, &k) {
                if kind_of(&nk) == ScopeKind::Subscription {
                    below.push(nk.clone());
                }
                scopes.push(nk);
            }
        }
        let req = crate::store::SliceRequest {
            scopes,
            principals: vec![],
            expand_members: true,
            below,
            operations: None,
        };
        let mut tenant = self
            .store
            .load_slice(self.snapshot.id, &req)
            .with_context(|| format!("reading snapshot {}", self.snapshot.id))?;
        tenant.scopes = self.scopes.clone();
        Ok(Index::from_tenant_at(tenant, Some(&self.snapshot.taken_at)))
    }

    /// For `who`: adds to a slice the members (transitively) of every holder that
    /// matters for these alternatives (with `explain`, of every holder at the
    /// scopes and above, for the why-not reasons), and indexes the result.
    pub fn expand_for(
        &self,
        mut tenant: Tenant,
        base: &Index,
        alts: &crate::engine::query::Alternatives,
        explain: bool,
    ) -> anyhow::Result<Index> {
        let seeds = crate::engine::query::expansion_seeds(base, alts, explain);
        self.store
            .expand_members(self.snapshot.id, &mut tenant, &seeds)?;
        Ok(Index::from_tenant_at(tenant, Some(&self.snapshot.taken_at)))
    }

    /// For `can`: adds to a slice the groups nested (transitively) in every holder
    /// that grants these alternatives, so `incomplete` lists, as `who` does, every
    /// such group whose members were not imported; indexes the result.
    pub fn expand_groups_for(
        &self,
        mut tenant: Tenant,
        base: &Index,
        alts: &crate::engine::query::Alternatives,
    ) -> anyhow::Result<Index> {
        let mut anc = crate::engine::decide::Ancestry::default();
        let seeds = crate::engine::query::grant_seeds(base, alts, &mut anc);
        self.store
            .expand_groups(self.snapshot.id, &mut tenant, &seeds)?;
        Ok(Index::from_tenant_at(tenant, Some(&self.snapshot.taken_at)))
    }

    /// The principal named by object id, user principal name or display name.
    pub fn principal(&self, name: &str) -> anyhow::Result<String> {
        let found = self.store.find_principals(self.snapshot.id, name)?;
        let mut ids: Vec<&crate::model::Principal> = found.iter().collect();
        ids.dedup_by(|a, b| key(&a.id) == key(&b.id));
        match ids.as_slice() {
            [p] => Ok(key(&p.id)),
            [] if is_guid(&key(name.trim())) => Ok(key(name.trim())),
            [] => Err(UsageError(format!(
                "no principal matches `{name}` (by object id, user principal name or display name)"
            ))
            .into()),
            many => Err(ambiguous(name, many)),
        }
    }
}

fn ambiguous(name: &str, many: &[&crate::model::Principal]) -> anyhow::Error {
    let list: Vec<String> = many
        .iter()
        .map(|p| {
            format!(
                "{}  {}  {}{}",
                key(&p.id),
                match p.kind {
                    PrincipalKind::ManagedIdentity => "ManagedIdentity",
                    k => k.as_str(),
                },
                p.display_name,
                p.user_principal_name
                    .as_deref()
                    .map(|u| format!("  {u}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    UsageError(format!(
        "`{name}` matches {} principals; name one by object id or user principal name:\n  {}",
        many.len(),
        list.iter()
            .map(|l| sanitize(l))
            .collect::<Vec<_>>()
            .join("\n  ")
    ))
    .into()
}

/// Plain actions as requests at one scope; data plane from `--data` or the catalogue.
pub fn action_requests(
    ix: &Index,
    actions: &[String],
    scope: &str,
    data: bool,
) -> anyhow::Result<Vec<ActionReq>> {
    let mut out = Vec::new();
    for a in actions {
        let a = a.trim();
        if a.is_empty() || !a.contains('/') {
            return Err(UsageError(format!(
                "`{a}` is not an action: expected Provider.Namespace/resourceType/operation, e.g. Microsoft.MachineLearningServices/workspaces/computes/write"
            ))
            .into());
        }
        if a.contains('*') {
            return Err(UsageError(format!(
                "`{a}` is a pattern; ask about concrete actions (use `whocan what` or an --activity to expand patterns)"
            ))
            .into());
        }
        out.push(ActionReq {
            action: a.to_string(),
            data: data || ix.is_data_action(a),
            scope: scope.to_string(),
        });
    }
    Ok(out)
}

/// Phase timings on stderr when `WHOCAN_TIMING` is set (for profiling; the
/// benchmark in BENCHMARKS.md measures whole commands).
pub struct Timing {
    start: Option<std::time::Instant>,
}

impl Timing {
    pub fn start() -> Timing {
        Timing {
            start: std::env::var_os("WHOCAN_TIMING").map(|_| std::time::Instant::now()),
        }
    }

    pub fn mark(&self, phase: &str) {
        if let Some(t) = self.start {
            eprintln_safe!(
                "timing: {phase} at {:.1} ms",
                t.elapsed().as_secs_f64() * 1e3
            );
        }
    }
}
