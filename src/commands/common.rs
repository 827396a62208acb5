//! Raw flags turned into a validated request before any work: the snapshot to
//! read, the target scope, the principal, the actions. Errors here are the user's
//! (exit 2) and say what would have been valid.

use std::path::Path;

use anyhow::Context;

use crate::cli::{ScopeArgs, SnapshotArgs};
use crate::engine::{ActionReq, Index};
use crate::model::time::Forms;
use crate::model::{scope_key, ScopeKind, Snapshot, Tenant, Timestamp};
use crate::report::text::eprintln_safe;
use crate::store::{Reads, SnapshotSelector, Store};

use super::resolve;
pub(crate) use super::resolve::{ScopeSource, Stored, Target};
use super::UsageError;

/// A snapshot loaded for questions.
pub(crate) struct Loaded {
    pub(crate) snapshot: Snapshot,
    pub(crate) tenant: Tenant,
    pub(crate) index: Index,
}

pub(crate) fn open_existing(db: &Path) -> anyhow::Result<Store> {
    open_existing_for(db, Reads::Many)
}

/// [`open_existing`] for a question that reads as much as `reads` says.
pub(crate) fn open_existing_for(db: &Path, reads: Reads) -> anyhow::Result<Store> {
    if !db.exists() {
        return Err(UsageError(format!(
            "database {} does not exist\nhint: run `whocan import PATH...` first, or pass --db",
            crate::report::text::sanitize(&db.display().to_string())
        ))
        .into());
    }
    // Questions only read: a read-only copy answers them (SPEC §3).
    Ok(Store::open_read(db, reads)?)
}

pub(crate) fn selector(args: &SnapshotArgs) -> anyhow::Result<SnapshotSelector> {
    if let Some(id) = args.snapshot {
        return Ok(SnapshotSelector::Id(id));
    }
    if let Some(d) = &args.as_of {
        return Ok(SnapshotSelector::AsOf(parse_instant(d, true)?));
    }
    Ok(SnapshotSelector::Latest)
}

/// A time the user typed ([`Forms::COMMAND_LINE`]: RFC 3339, or a date
/// `YYYY-MM-DD`, its start or with `end_of_day` its last second), written in the
/// one format (UTC, `%Y-%m-%dT%H:%M:%SZ`).
pub(crate) fn parse_instant(s: &str, end_of_day: bool) -> anyhow::Result<String> {
    let forms = if end_of_day {
        Forms::COMMAND_LINE.end_of_day()
    } else {
        Forms::COMMAND_LINE
    };
    match Timestamp::parse_with(s, forms) {
        Some(t) => Ok(t.to_string()),
        None => Err(UsageError(format!(
            "`{}` is not a date: expected RFC 3339 (2026-10-01T00:00:00Z) or YYYY-MM-DD",
            crate::report::text::sanitize(s)
        ))
        .into()),
    }
}

pub(crate) fn load(db: &Path, args: &SnapshotArgs) -> anyhow::Result<Loaded> {
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

/// Prints the warning of a target whose inventory is missing, if it has one.
pub(crate) fn warn_target(target: &Target) {
    if let Some(w) = target.warning() {
        eprintln_safe!("{w}");
    }
}

/// The target scope from `--scope` or `--workspace`, in the spelling the snapshot
/// knows when it knows it (see [`resolve::target`]; a whole snapshot in memory).
pub(crate) fn target_scope(t: &Tenant, args: &ScopeArgs) -> anyhow::Result<String> {
    let target = target_scope_in(t, args)?;
    warn_target(&target);
    Ok(target.id)
}

/// [`target_scope`] over any [`ScopeSource`]: the scope must be known to the
/// snapshot (SPEC §3), else an error with the closest scopes.
pub(crate) fn target_scope_in(
    scopes: &(impl ScopeSource + ?Sized),
    args: &ScopeArgs,
) -> anyhow::Result<Target> {
    resolve::target(scopes, args)
}

pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A snapshot opened for one question: only the slice of it the question needs.
pub struct Sliced {
    pub(crate) store: Store,
    pub(crate) snapshot: Snapshot,
    /// The nodes that carry the scope tree: root, management groups and
    /// subscriptions (not the resource groups and resources below them).
    pub scopes: Vec<crate::model::ScopeNode>,
    pub(crate) tree: crate::engine::scope::ScopeTree,
}

impl Sliced {
    pub fn open(db: &Path, args: &SnapshotArgs) -> anyhow::Result<Sliced> {
        Self::open_for(db, args, Reads::Many)
    }

    /// [`Sliced::open`] for a question that reads as much as `reads` says: one
    /// principal's (`can`, `what`) reads few pages.
    pub(crate) fn open_for(db: &Path, args: &SnapshotArgs, reads: Reads) -> anyhow::Result<Sliced> {
        let store = open_existing_for(db, reads)?;
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

    fn stored(&self) -> Stored<'_> {
        Stored {
            store: &self.store,
            snapshot: self.snapshot.id,
        }
    }

    /// The scope `--scope` or `--workspace` names, in the snapshot's spelling; an
    /// unknown scope is an error (SPEC §3). A resource below a known resource
    /// group that nothing names comes back with `inventory_missing`, whose
    /// warning [`warn_target`] prints once the rest of the question is
    /// resolved (a question refused for another argument warns of nothing).
    pub fn target(&self, args: &ScopeArgs) -> anyhow::Result<Target> {
        target_scope_in(&self.stored(), args)
    }

    /// Checks the asked actions against the imported catalogue (see
    /// [`resolve::check_actions`]), printing its notes.
    pub(crate) fn check_actions(
        &self,
        actions: &[String],
        allow_unknown: bool,
    ) -> anyhow::Result<()> {
        for note in resolve::check_actions(&self.stored(), actions, allow_unknown)? {
            eprintln_safe!("{note}");
        }
        Ok(())
    }

    /// The index of everything that decides access at `target` (and its ancestors)
    /// for `principals`, and with `expand_members` for every principal (`who`).
    /// `operations`: the catalogue entries to read (the asked actions), or `None`
    /// for the whole catalogue (activities, `what`). `facts`: read the
    /// resources' facts too (a data activity follows them).
    pub fn index(
        &self,
        target: &str,
        principals: &[String],
        expand_members: bool,
        operations: Option<&[String]>,
        facts: bool,
    ) -> anyhow::Result<(Tenant, Index)> {
        let req = crate::store::SliceRequest {
            scopes: self.tree.ancestors(target),
            principals: principals.to_vec(),
            expand_members,
            below: vec![],
            operations: operations.map(<[String]>::to_vec),
            all_roles: false,
            facts,
            principals_only: false,
        };
        let (tenant, index, _) = self.read_index(&req)?;
        Ok((tenant, index))
    }

    /// For `can` and `what`: the index of what decides `principal`'s access at
    /// `target` (its own grants, the denies there) and of what `incomplete`
    /// needs ([`crate::store::SliceRequest::principals_only`]). True when that
    /// slice already holds every group `incomplete` could name; false when the
    /// snapshot's flags cannot tell them, and [`Sliced::expand_groups_for`] must
    /// add them (the slice then holds every grant at the scopes, as
    /// [`Sliced::index`]'s).
    pub fn principal_index(
        &self,
        target: &str,
        principal: &str,
        operations: Option<&[String]>,
        facts: bool,
    ) -> anyhow::Result<(Tenant, Index, bool)> {
        self.read_index(&crate::store::SliceRequest {
            scopes: self.tree.ancestors(target),
            principals: vec![principal.to_string()],
            expand_members: false,
            below: vec![],
            operations: operations.map(<[String]>::to_vec),
            all_roles: false,
            facts,
            principals_only: true,
        })
    }

    fn read_index(
        &self,
        req: &crate::store::SliceRequest,
    ) -> anyhow::Result<(Tenant, Index, bool)> {
        let mut rounds = crate::store::SliceRounds::default();
        self.store
            .read_slice_round(self.snapshot.id, &mut rounds, req)
            .with_context(|| format!("reading snapshot {}", self.snapshot.id))?;
        let walked = rounds.gaps_walked;
        let mut tenant = rounds.tenant;
        tenant.scopes = self.scopes.clone();
        let index = Index::new_at(&tenant, &self.snapshot.taken_at);
        Ok((tenant, index, walked))
    }

    /// For `--effective`: the index of everything that decides access at
    /// `target` and at every resource whose facts the escalation steps read
    /// (storage accounts, workspaces, computes, identities, datastores), with
    /// the members of the holders that grant the asked actions or a step's
    /// action there, the `principals` asked about and their groups, and every
    /// role definition (a principal that can write role assignments can assign
    /// any role assignable there).
    /// `also`: more scopes whose assignments matter (a data activity's). The
    /// resources the steps lead through are found in rounds
    /// ([`crate::engine::escalate::Effective::relevant_scopes`]).
    ///
    /// `escalate` (for `can`, one principal): also the principal's shortest
    /// chain ([`crate::engine::escalate::Effective::of`]), found by the search
    /// the last round pruned. The groups `can` then adds below the holders (for
    /// `incomplete`) change no actor's holders: every actor's groups upward
    /// were read with it.
    pub fn effective_index(
        &self,
        target: &str,
        also: &[String],
        principals: &[String],
        alts: &crate::engine::query::Alternatives,
        explain: bool,
        escalate: bool,
    ) -> anyhow::Result<(Index, Option<crate::engine::escalate::Escalation>)> {
        use crate::engine::escalate::{storage_account_of, Effective, MAX_IDENTITY_HOPS};
        let mut scopes: std::collections::BTreeSet<String> =
            self.tree.ancestors(target).into_iter().collect();
        let accounts = alts
            .iter()
            .flatten()
            .filter_map(|r| storage_account_of(&r.scope));
        for s in also.iter().cloned().chain(accounts) {
            scopes.extend(self.tree.ancestors(&s));
        }
        // Read, find the resources the steps lead through (their assignments
        // decide who can take them), read those too; a few rounds, one per
        // identity hop.
        // The identities a chain acts as are read with their groups, as the
        // asked principals are: whether one can take a step may come through a
        // group (the rounds would otherwise drop it, and the resources behind it).
        let timing = Timing::start();
        let mut round = 0;
        let mut actors: std::collections::BTreeSet<String> = principals.iter().cloned().collect();
        let mut clients_read = false;
        // Each round reads only what the rounds before it did not
        // ([`crate::store::SliceRounds`]); the last round's index is the answer's.
        let mut rounds = crate::store::SliceRounds::default();
        rounds.tenant.scopes = self.scopes.clone();
        let escalate_for = principals
            .first()
            .filter(|_| escalate && principals.len() == 1);
        let (tenant, base, last_seeds, last_chain) = loop {
            let req = crate::store::SliceRequest {
                scopes: scopes.iter().cloned().collect(),
                principals: actors.iter().cloned().collect(),
                expand_members: false,
                below: vec![],
                operations: None,
                all_roles: true,
                facts: true,
                principals_only: false,
            };
            self.store
                .read_slice_round(self.snapshot.id, &mut rounds, &req)
                .with_context(|| format!("reading snapshot {}", self.snapshot.id))?;
            round += 1;
            timing.mark(&format!("effective slice round {round} read"));
            let base = Index::new_at(&rounds.tenant, &self.snapshot.taken_at);
            if round > MAX_IDENTITY_HOPS + 1 {
                break (rounds.tenant, base, None, None);
            }
            let before = (scopes.len(), actors.len());
            let mut e = Effective::new(&base);
            if !clients_read {
                // Datastores' service principals are named by appId: their
                // records (and so their object ids) are read here, once.
                clients_read = true;
                actors.extend(
                    self.store
                        .principal_keys_by_app_id(self.snapshot.id, &e.datastore_client_ids())?,
                );
            }
            actors.extend(e.identities());
            for r in e.relevant_scopes(alts) {
                scopes.extend(self.tree.ancestors(&r));
            }
            timing.mark(&format!("effective slice round {round} pruned"));
            if (scopes.len(), actors.len()) == before {
                // `who` reads the members of the seeds this index gives: the
                // search just pruned on it is asked for them.
                let seeds = principals.is_empty().then(|| e.seeds(alts));
                let chain = escalate_for.map(|p| e.of(p, alts));
                drop(e);
                break (rounds.tenant, base, seeds, chain);
            }
        };
        if !principals.is_empty() {
            // `can`: the asked principals and the identities are read with their
            // groups; the groups on their paths are walked for members not
            // imported, as plain `can` does ([`Sliced::expand_groups_for`]).
            let chain = last_chain
                .unwrap_or_else(|| escalate_for.and_then(|p| Effective::new(&base).of(p, alts)));
            let ix = self.expand_groups_for(tenant, base, alts)?;
            timing.mark("effective slice groups read, indexed");
            return Ok((ix, chain));
        }
        // `who`: the members of the holders that matter (as `who` reads them),
        // and of the holders of every escalation step's action where it matters.
        let mut seeds = crate::engine::query::expansion_seeds(&base, alts, explain);
        seeds.extend(last_seeds.unwrap_or_else(|| Effective::new(&base).seeds(alts)));
        seeds.sort();
        seeds.dedup();
        timing.mark(&format!("effective slice seeds ({})", seeds.len()));
        let ix = self.with_members(tenant, base, &seeds)?;
        timing.mark("effective slice members read, indexed");
        Ok((ix, None))
    }

    /// For `review`: the index of every assignment and eligibility at, above or
    /// below `target`, with the members (transitively) of every holder.
    /// Every AzureML workspace of the snapshot.
    pub(crate) fn workspaces(&self) -> anyhow::Result<Vec<crate::model::ScopeNode>> {
        Ok(self.store.workspaces(self.snapshot.id, None)?)
    }

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
            all_roles: false,
            facts: false,
            principals_only: false,
        };
        let timing = Timing::start();
        let mut tenant = self
            .store
            .load_slice(self.snapshot.id, &req)
            .with_context(|| format!("reading snapshot {}", self.snapshot.id))?;
        timing.mark(&format!(
            "review slice read ({} principals, {} member edges, {} assignments)",
            tenant.principals.len(),
            tenant.member_edges.len(),
            tenant.assignments.len()
        ));
        tenant.scopes = self.scopes.clone();
        Ok(Index::from_tenant_at(tenant, Some(&self.snapshot.taken_at)))
    }

    /// For `who`: adds to a slice the members (transitively) of every holder that
    /// matters for these alternatives (with `explain`, of every holder at the
    /// scopes and above, for the why-not reasons), and indexes the result.
    ///
    /// `base` is the index of `tenant` as read: it grows with what the walk
    /// adds ([`Index::grow`]) instead of being built again.
    pub fn expand_for(
        &self,
        tenant: Tenant,
        base: Index,
        alts: &crate::engine::query::Alternatives,
        explain: bool,
    ) -> anyhow::Result<Index> {
        let seeds = crate::engine::query::expansion_seeds(&base, alts, explain);
        self.with_members(tenant, base, &seeds)
    }

    /// `base`, the index of `tenant`, grown with the members (transitively)
    /// of `seeds` ([`Index::grow`]).
    fn with_members(
        &self,
        mut tenant: Tenant,
        mut base: Index,
        seeds: &[String],
    ) -> anyhow::Result<Index> {
        let (edges, principals) = (tenant.member_edges.len(), tenant.principals.len());
        self.store
            .expand_members(self.snapshot.id, &mut tenant, seeds)?;
        base.grow(tenant, edges, principals);
        Ok(base)
    }

    /// For `can`: adds to a slice the groups nested (transitively) in every holder
    /// that grants these alternatives, and in every principal a deny that applies
    /// names or exempts, so `incomplete` lists, as `who` does, every such group
    /// whose members were not imported; indexes the result.
    /// `base` grows as [`Sliced::expand_for`]'s does.
    pub fn expand_groups_for(
        &self,
        mut tenant: Tenant,
        mut base: Index,
        alts: &crate::engine::query::Alternatives,
    ) -> anyhow::Result<Index> {
        let mut anc = crate::engine::decide::Ancestry::default();
        let mut seeds = crate::engine::query::grant_seeds(&base, alts, &mut anc);
        // And the groups the denies that apply name or exempt (`incomplete` lists
        // those nested in them too).
        seeds.extend(
            crate::engine::query::deny_seeds(&base, alts, &mut anc)
                .into_iter()
                .map(|(k, _)| k),
        );
        seeds.sort();
        seeds.dedup();
        let (edges, principals) = (tenant.member_edges.len(), tenant.principals.len());
        self.store
            .expand_groups(self.snapshot.id, &mut tenant, &seeds)?;
        base.grow(tenant, edges, principals);
        Ok(base)
    }

    /// The principal named by object id, appId, user principal name, mail or
    /// display name (see [`resolve::principal`]), as a key.
    pub fn principal(&self, name: &str) -> anyhow::Result<String> {
        resolve::principal(&self.stored(), name)
    }
}

/// Plain actions as requests at one scope; data plane from `--data` or the catalogue.
pub(crate) fn action_requests(
    ix: &Index,
    actions: &[String],
    scope: &str,
    data: bool,
) -> anyhow::Result<Vec<ActionReq>> {
    let mut out = Vec::new();
    for a in actions {
        let a = a.trim();
        resolve::action_syntax(a)?;
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
pub(crate) struct Timing {
    start: Option<std::time::Instant>,
}

impl Timing {
    pub(crate) fn start() -> Timing {
        Timing {
            start: std::env::var_os("WHOCAN_TIMING").map(|_| std::time::Instant::now()),
        }
    }

    pub(crate) fn mark(&self, phase: &str) {
        if let Some(t) = self.start {
            // Resident and peak resident memory, from Linux's `/proc`.
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let kb = |field: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(field))
                    .map(|v| v.trim().trim_end_matches(" kB").trim().to_string())
                    .unwrap_or_default()
            };
            eprintln_safe!(
                "timing: {phase} at {:.1} ms (rss {} kB, anon {} kB, file {} kB, peak {} kB)",
                t.elapsed().as_secs_f64() * 1e3,
                kb("VmRSS:"),
                kb("RssAnon:"),
                kb("RssFile:"),
                kb("VmHWM:")
            );
        }
    }
}

/// A CSV answer has no place for what it could not see (`incomplete`): one line
/// on stderr says it is incomplete and where to read why, so a spreadsheet of
/// the rows is never taken for the whole answer. Nothing when it is complete.
pub(crate) fn warn_incomplete_csv(
    incomplete: &[crate::engine::decide::Incomplete],
    uncovered: &[String],
) {
    let n = incomplete.len() + uncovered.len();
    let Some(first) = incomplete.first().map(|i| i.describe()).or_else(|| {
        uncovered
            .first()
            .map(|u| format!("wildcard {u} covers no operation of the imported catalogue"))
    }) else {
        return;
    };
    eprintln_safe!(
        "warning: this answer is incomplete: {} it could not see ({}{}); CSV has no column for them: `--format json` lists them under `incomplete`, `--format table` under the answer",
        crate::words::count(n, "thing", "things"),
        first,
        if n > 1 { ", ..." } else { "" }
    );
}
