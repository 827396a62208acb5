//! `lint`: findings about a snapshot that an access review should act on, each with
//! a severity, the objects involved and a hint on how to fix it.
//!
//! The checks (each one a function below, each with a test that triggers it and
//! one that does not):
//! - `notactions-overridden`: a principal holds two roles that both apply at some
//!   scope, and one role's `notActions` take out an operation the other grants
//!   (Microsoft's documented gotcha: NotActions are not a deny). Checked
//!   concretely over the imported operation catalogue.
//! - `v1-without-v2` / `v2-without-v1`: a custom role grants AzureML V1 operations
//!   (datasets, experiments, models, metadata/snapshots, modules) of some kind
//!   (read, write, delete) but not their V2 equivalents (datasets/versions, jobs,
//!   models/versions, codes, components), or the reverse.
//! - `unknown-action`: a custom role pattern that matches no operation of the
//!   imported catalogue of its provider (a typo or a retired operation).
//! - `owner-equivalent-role`: a custom role that can change access
//!   (`Microsoft.Authorization/roleAssignments/write`, per SPEC's per-block rule).
//! - `orphaned-assignment`, `undefined-role`.
//! - `assignment-limit`: a subscription at 80% or more of the 4,000 role-assignment
//!   limit, a management group at 80% or more of 500.
//! - `guest-privileged`, `disabled-privileged`: guests and disabled accounts that
//!   hold a privileged role, directly or through groups.
//! - `eligibility-expired`: a PIM eligibility whose end is before the snapshot.
//! - `escalation-to-owner`, `keys-give-data`, `compute-identity-exceeds-users`:
//!   the escalation steps' findings (`audit/lint_escalation.rs`).
//! - `no-catalogue`, `no-directory` (info): a check that needs data the snapshot
//!   does not have was skipped, rather than answered by guessing.
//!
//! Pure: an [`Index`] (and the snapshot's time, given) in, findings out; no SQL, no
//! printing, no clock.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::model::{key, role_guid, scope_key, PrincipalKind, ScopeKind};

use crate::engine::graph::{pack, Below, FxMap, Interner, MemberGraph};
use crate::engine::index::{match_block, BlockMatch, Index};
use crate::engine::permissions::{
    blocks_grant, is_privileged, privileged_pattern, PRIVILEGED_ACTION_KEY,
};
use crate::engine::scope::kind_of;

/// Azure's limits: role assignments per subscription, per management group.
pub(crate) const SUBSCRIPTION_LIMIT: usize = 4000;
pub(crate) const MANAGEMENT_GROUP_LIMIT: usize = 500;
/// The share of a limit from which a finding is raised, in percent.
pub(crate) const LIMIT_WARN_PERCENT: usize = 80;

/// How many principals a finding names (the count is always complete).
const MAX_NAMED: usize = 50;

const AML: &str = "microsoft.machinelearningservices/workspaces/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

/// Something a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Object {
    /// `role`, `assignment`, `eligibility`, `principal`, `group`, `scope`,
    /// `operation` or `action` (a pattern as written in a role).
    pub(crate) kind: String,
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Finding {
    pub(crate) severity: Severity,
    /// Stable identifier of the check.
    pub(crate) kind: String,
    pub(crate) message: String,
    /// The scope the finding is at, when it has one.
    pub(crate) scope: Option<String>,
    pub(crate) objects: Vec<Object>,
    /// Principals affected, when the finding is about principals (all of them,
    /// even when `objects` names only the first ones).
    pub(crate) principals: usize,
    pub(crate) hint: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct LintOptions {
    /// Only findings about objects that apply at, above or below this scope.
    pub(crate) scope: Option<String>,
    /// The snapshot's `takenAt` (RFC 3339): eligibilities that ended before it are
    /// expired.
    pub(crate) taken_at: String,
}

/// A set of catalogue operations.
#[derive(Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn and(&self, o: &Bits) -> Bits {
        Bits(self.0.iter().zip(&o.0).map(|(a, b)| a & b).collect())
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &bits)| {
            (0..64)
                .filter(move |b| bits & (1 << b) != 0)
                .map(move |b| w * 64 + b)
        })
    }
    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

struct Op {
    lower: String,
    name: String,
    data: bool,
    provider: String,
}

/// Everything the checks share.
struct Cx<'a> {
    ix: &'a Index,
    opts: &'a LintOptions,
    ops: Vec<Op>,
    /// Per role: the operations it grants, and those a block lists but its own
    /// `notActions` take out (and no other block of the role grants).
    grants: Vec<Bits>,
    excludes: Vec<Bits>,
    /// Per assignment and eligibility: the role (index into `ix.roles`).
    a_role: Vec<Option<usize>>,
    e_role: Vec<Option<usize>>,
    /// Per assignment: its principal, interned.
    a_pid: Vec<u32>,
    names: Interner,
    graph: MemberGraph,
    below: std::cell::RefCell<Below>,
    filter: Option<(String, HashSet<String>)>,
    anc: std::cell::RefCell<HashMap<String, std::rc::Rc<Vec<String>>>>,
}

impl<'a> Cx<'a> {
    fn new(ix: &'a Index, opts: &'a LintOptions) -> Cx<'a> {
        let ops: Vec<Op> = ix
            .operations
            .iter()
            .map(|o| Op {
                lower: key(o.name.trim()),
                name: o.name.clone(),
                data: o.is_data_action,
                provider: key(if o.provider.is_empty() {
                    o.name.split('/').next().unwrap_or("")
                } else {
                    &o.provider
                }),
            })
            .collect();
        let mut grants = Vec::with_capacity(ix.roles.len());
        let mut excludes = Vec::with_capacity(ix.roles.len());
        for r in &ix.roles {
            let mut g = Bits::new(ops.len());
            let mut x = Bits::new(ops.len());
            for (i, o) in ops.iter().enumerate() {
                let mut granted = false;
                let mut excluded = false;
                for b in &r.blocks {
                    match match_block(b, &o.lower, o.data) {
                        BlockMatch::Grants { .. } => granted = true,
                        BlockMatch::Excluded { .. } => excluded = true,
                        BlockMatch::NoMatch => {}
                    }
                }
                if granted {
                    g.set(i);
                } else if excluded {
                    x.set(i);
                }
            }
            grants.push(g);
            excludes.push(x);
        }
        // Each record's role, as the Index joined it (the one role join).
        let a_role = ix.assignment_role.clone();
        let e_role = ix.eligibility_role.clone();

        let mut names = Interner::default();
        let mut edges = Vec::new();
        let mut groups: Vec<&String> = ix.members_of.keys().collect();
        groups.sort();
        for g in groups {
            let gi = names.exact(g);
            for m in &ix.members_of[g] {
                edges.push(pack(gi, names.exact(m)));
            }
        }
        let a_pid: Vec<u32> = ix
            .assignments
            .iter()
            .map(|a| names.lower(&a.principal_id))
            .collect();
        for e in &ix.eligibilities {
            names.lower(&e.principal_id);
        }
        // PIM for Groups: who may join which group (`privileged_holders`).
        for ge in &ix.group_eligibilities {
            names.lower(&ge.principal_id);
            names.lower(&ge.group_id);
        }
        edges.sort_unstable();
        edges.dedup();
        let n = names.len();
        let graph = MemberGraph::new(n, &edges);
        let filter = opts.scope.as_deref().map(|s| {
            let k = scope_key(s);
            let anc = ix.tree.ancestors(&k).into_iter().collect();
            (k, anc)
        });
        Cx {
            ix,
            opts,
            ops,
            grants,
            excludes,
            a_role,
            e_role,
            a_pid,
            names,
            below: std::cell::RefCell::new(Below::new(n)),
            graph,
            filter,
            anc: Default::default(),
        }
    }

    fn ancestors(&self, scope_key: &str) -> std::rc::Rc<Vec<String>> {
        if let Some(a) = self.anc.borrow().get(scope_key) {
            return a.clone();
        }
        let a = std::rc::Rc::new(self.ix.tree.ancestors(scope_key));
        self.anc
            .borrow_mut()
            .insert(scope_key.to_string(), a.clone());
        a
    }

    /// Does something at this scope apply at, above or below the asked scope?
    fn relevant(&self, scope: &str) -> bool {
        let Some((s, anc)) = &self.filter else {
            return true;
        };
        let k = scope_key(scope);
        anc.contains(&k) || self.ancestors(&k).contains(s)
    }

    /// `h` and every principal below it, as interned ids (`None` for an id in no
    /// assignment and no membership).
    fn below(&self, h: &str) -> Option<std::sync::Arc<[u32]>> {
        let i = self.names.find_lower(h)?;
        Some(self.below.borrow_mut().get(&self.graph, i))
    }

    /// Principals below both `ia` and `ib` (each included), as interned ids.
    fn below_both(&self, ia: u32, ib: u32) -> Vec<u32> {
        let (da, db) = {
            let mut b = self.below.borrow_mut();
            (b.get(&self.graph, ia), b.get(&self.graph, ib))
        };
        let (small, other) = if da.len() <= db.len() {
            (da, ib)
        } else {
            (db, ia)
        };
        small
            .iter()
            .copied()
            .filter(|&p| self.graph.holders(p).binary_search(&other).is_ok())
            .collect()
    }

    /// The lowercase object id of an interned principal.
    fn id(&self, p: u32) -> &str {
        self.names.name(p)
    }

    fn role_name(&self, r: usize) -> &str {
        &self.ix.roles[r].def.role_name
    }

    fn role_object(&self, r: usize) -> Object {
        let d = &self.ix.roles[r].def;
        Object {
            kind: "role".into(),
            // A custom-role file without `Id` is known by its name.
            id: if d.id.trim().is_empty() {
                format!("name:{}", d.role_name)
            } else {
                role_guid(&d.id)
            },
            name: d.role_name.clone(),
        }
    }

    fn principal_object(&self, id: &str) -> Object {
        Object {
            kind: if self.ix.is_group(id) {
                "group"
            } else {
                "principal"
            }
            .into(),
            id: key(id),
            name: self.ix.name_of(id),
        }
    }

    fn assignment_object(&self, i: usize) -> Object {
        let a = &self.ix.assignments[i];
        Object {
            kind: "assignment".into(),
            id: a.id.clone(),
            name: format!(
                "{} → {} at {}",
                self.ix.name_of(&a.principal_id),
                self.a_role[i]
                    .map(|r| self.role_name(r).to_string())
                    .or_else(|| a.role_definition_name.clone())
                    .unwrap_or_else(|| role_guid(&a.role_definition_id)),
                self.short(&a.scope)
            ),
        }
    }

    fn scope_object(&self, scope: &str) -> Object {
        Object {
            kind: "scope".into(),
            id: scope.to_string(),
            name: self.short(scope),
        }
    }

    /// A short label for a scope: its kind and imported name (or last segment).
    fn short(&self, scope: &str) -> String {
        let k = scope_key(scope);
        let last = scope
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(scope)
            .to_string();
        let name = self
            .ix
            .tree
            .display_name(scope)
            .map(str::to_string)
            .unwrap_or_else(|| last.clone());
        match kind_of(&k) {
            ScopeKind::Root => "/ (root)".into(),
            ScopeKind::ManagementGroup => format!("management group {name}"),
            ScopeKind::Subscription => format!("subscription {name}"),
            ScopeKind::ResourceGroup => format!("resource group {last}"),
            ScopeKind::Resource => name,
        }
    }

    /// Custom roles that matter for the asked scope: held (actively or eligibly) at
    /// a relevant scope; without --scope, every custom role.
    fn relevant_roles(&self) -> Vec<usize> {
        let custom: Vec<usize> = (0..self.ix.roles.len())
            .filter(|&r| self.ix.roles[r].def.is_custom())
            .collect();
        if self.filter.is_none() {
            return custom;
        }
        let mut held = HashSet::new();
        for (i, a) in self.ix.assignments.iter().enumerate() {
            if let Some(r) = self.a_role[i] {
                if self.relevant(&a.scope) {
                    held.insert(r);
                }
            }
        }
        for (i, e) in self.ix.eligibilities.iter().enumerate() {
            if let Some(r) = self.e_role[i] {
                if self.relevant(&e.scope) {
                    held.insert(r);
                }
            }
        }
        custom.into_iter().filter(|r| held.contains(r)).collect()
    }
}

/// All findings, most severe first.
pub(crate) fn lint(ix: &Index, opts: &LintOptions) -> Vec<Finding> {
    let cx = Cx::new(ix, opts);
    let mut out = Vec::new();
    if cx.ops.is_empty() {
        out.push(Finding {
            severity: Severity::Info,
            kind: "no-catalogue".into(),
            message: "no operation catalogue was imported: the notActions and unknown-action checks were skipped".into(),
            scope: None,
            objects: vec![],
            principals: 0,
            hint: "import `az provider operation show -n <namespace>` output for the providers your roles use".into(),
        });
    }
    if ix.principals.is_empty() {
        out.push(Finding {
            severity: Severity::Info,
            kind: "no-directory".into(),
            message: "no directory listing (users, groups, service principals) was imported: the guest and disabled-account checks were skipped, and an assignment is called orphaned only where it marks its principal deleted itself (`principalName: \"\"`, `ObjectType: Unknown`)".into(),
            scope: None,
            objects: vec![],
            principals: 0,
            hint: "import `az ad user list`, `az ad group list` and `az ad sp list` output".into(),
        });
    }
    notactions_overridden(&cx, &mut out);
    v1_without_v2(&cx, &mut out);
    unknown_actions(&cx, &mut out);
    owner_equivalent(&cx, &mut out);
    orphaned_and_undefined(&cx, &mut out);
    assignment_limits(&cx, &mut out);
    privileged_holders(&cx, &mut out);
    expired_eligibilities(&cx, &mut out);
    super::lint_escalation::findings(ix, &|s| cx.relevant(s), &mut out);
    out.sort_by(|a, b| {
        (a.severity, &a.kind, &a.message, &a.scope)
            .cmp(&(b.severity, &b.kind, &b.message, &b.scope))
    });
    out
}

/// Names for a list of principals: the first few, then how many more.
fn who(cx: &Cx, ps: &[u32]) -> String {
    let shown: Vec<String> = ps
        .iter()
        .take(3)
        .map(|&p| cx.ix.name_of(cx.id(p)))
        .collect();
    if ps.len() > shown.len() {
        format!("{} and {} more", shown.join(", "), ps.len() - shown.len())
    } else {
        shown.join(", ")
    }
}

/// What one pair of roles (A's notActions, B's grants) overrides, gathered over
/// every pair of assignments where both apply to someone.
struct Overridden {
    ops: Bits,
    /// Scope keys already in `scopes`.
    seen_scopes: HashSet<String>,
    principals: Vec<u32>,
    /// The scopes where both apply (the deeper of the two assignments' scopes):
    /// key and spelling.
    scopes: Vec<(String, String)>,
    /// Example assignment pairs (A's, B's).
    examples: Vec<(usize, usize)>,
}

/// The assignments held by a holder of some principal below `h` (`h` included):
/// every assignment that can share a principal with one `h` holds. None when
/// that would be more than `limit` (read the scope chain instead).
fn held_near(cx: &Cx, by_pid: &FxMap<u32, Vec<usize>>, h: u32, limit: usize) -> Option<Vec<usize>> {
    let below = cx.below.borrow_mut().get(&cx.graph, h);
    if below.len() > limit {
        return None;
    }
    let mut out = Vec::new();
    for &p in below.iter() {
        for hp in cx.graph.holders(p) {
            out.extend(by_pid.get(hp).into_iter().flatten());
            if out.len() > limit {
                return None;
            }
        }
    }
    Some(out)
}

/// (a) Two roles applying at one scope to one principal, one's notActions granted
/// by the other. One finding per pair of roles, naming the principals (and groups)
/// concerned and the scopes where it happens.
fn notactions_overridden(cx: &Cx, out: &mut Vec<Finding>) {
    if cx.ops.is_empty() {
        return;
    }
    let ix = cx.ix;
    let scopes: Vec<String> = ix.assignments.iter().map(|a| scope_key(&a.scope)).collect();
    // Assignments strictly below each scope.
    let mut below_scope: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, s) in scopes.iter().enumerate() {
        for anc in cx.ancestors(s).iter().skip(1) {
            below_scope.entry(anc.clone()).or_default().push(j);
        }
    }
    let mut overlap: FxMap<(usize, usize), Option<Bits>> = FxMap::default();
    let mut found: BTreeMap<(usize, usize), Overridden> = BTreeMap::new();
    // Assignments by their holder's interned id.
    let mut by_pid: FxMap<u32, Vec<usize>> = FxMap::default();
    for (j, &p) in cx.a_pid.iter().enumerate() {
        by_pid.entry(p).or_default().push(j);
    }
    for i in 0..ix.assignments.len() {
        let Some(ra) = cx.a_role[i] else { continue };
        if cx.excludes[ra].is_empty() {
            continue;
        }
        let below_i = below_scope.get(&scopes[i]);
        let anc_i = cx.ancestors(&scopes[i]);
        // The assignments that may pair with i: those on its scope chain (at or
        // above it, or below it). Where i's holder has few members, those held by
        // a holder of one of them is the smaller superset of the pairs that
        // affect anyone (`below_both` is empty for any other): taken, less those
        // off the chain. Either way every pair is checked the same way below.
        let on_chain = anc_i
            .iter()
            .map(|s| ix.assignments_by_scope.get(s).map_or(0, Vec::len))
            .sum::<usize>()
            + below_i.map_or(0, Vec::len);
        let mut candidates: Vec<usize> = match held_near(cx, &by_pid, cx.a_pid[i], on_chain) {
            Some(near) => near
                .into_iter()
                .filter(|&j| {
                    anc_i.contains(&scopes[j])
                        || below_i.is_some_and(|v| v.binary_search(&j).is_ok())
                })
                .collect(),
            None => anc_i
                .iter()
                .flat_map(|s| {
                    ix.assignments_by_scope
                        .get(s)
                        .into_iter()
                        .flatten()
                        .copied()
                })
                .chain(below_i.into_iter().flatten().copied())
                .collect(),
        };
        candidates.sort_unstable();
        candidates.dedup();
        for j in candidates {
            let Some(rb) = cx.a_role[j] else { continue };
            if rb == ra || j == i {
                continue;
            }
            let ops = overlap.entry((ra, rb)).or_insert_with(|| {
                let o = cx.excludes[ra].and(&cx.grants[rb]);
                (!o.is_empty()).then_some(o)
            });
            let Some(ops) = ops else { continue };
            // The scope where both apply: the deeper one.
            let deeper = if below_i.is_some_and(|v| v.binary_search(&j).is_ok()) {
                j
            } else {
                i
            };
            if !cx.relevant(&ix.assignments[deeper].scope) {
                continue;
            }
            let affected = cx.below_both(cx.a_pid[i], cx.a_pid[j]);
            if affected.is_empty() {
                continue;
            }
            let f = found.entry((ra, rb)).or_insert_with(|| Overridden {
                ops: ops.clone(),
                seen_scopes: HashSet::new(),
                principals: Vec::new(),
                scopes: Vec::new(),
                examples: Vec::new(),
            });
            f.principals.extend(affected);
            if f.seen_scopes.insert(scopes[deeper].clone()) {
                f.scopes
                    .push((scopes[deeper].clone(), ix.assignments[deeper].scope.clone()));
            }
            if f.examples.len() < 5 {
                f.examples.push((i, j));
            }
        }
    }
    for ((ra, rb), mut f) in found {
        f.principals.sort_unstable();
        f.principals.dedup();
        // People first, then groups; by name.
        let mut ps: Vec<(bool, String, u32)> = f
            .principals
            .iter()
            .map(|&p| {
                (
                    cx.ix.is_group(cx.id(p)),
                    cx.ix.name_of(cx.id(p)).to_lowercase(),
                    p,
                )
            })
            .collect();
        ps.sort();
        let ps: Vec<u32> = ps.into_iter().map(|x| x.2).collect();
        f.scopes.sort();
        let names: Vec<&str> = f.ops.ones().map(|o| cx.ops[o].name.as_str()).collect();
        let shown_scopes: Vec<String> = f.scopes.iter().take(3).map(|s| cx.short(&s.1)).collect();
        let where_ = if f.scopes.len() > shown_scopes.len() {
            format!(
                "{} and {} more scopes",
                shown_scopes.join(", "),
                f.scopes.len() - shown_scopes.len()
            )
        } else {
            shown_scopes.join(", ")
        };
        let mut objects = vec![cx.role_object(ra), cx.role_object(rb)];
        for &(i, j) in &f.examples {
            objects.push(cx.assignment_object(i));
            objects.push(cx.assignment_object(j));
        }
        objects.extend(
            ps.iter()
                .take(MAX_NAMED)
                .map(|&p| cx.principal_object(cx.id(p))),
        );
        objects.extend(f.scopes.iter().take(10).map(|s| cx.scope_object(&s.1)));
        objects.extend(names.iter().take(5).map(|n| Object {
            kind: "operation".into(),
            id: n.to_string(),
            name: n.to_string(),
        }));
        out.push(Finding {
            severity: Severity::Medium,
            kind: "notactions-overridden".into(),
            message: format!(
                "{}: {}'s notActions exclude {} that {} grants where both apply ({}), e.g. {}; notActions are not a deny, so the exclusion does not take effect",
                who(cx, &ps),
                cx.role_name(ra),
                crate::words::count(f.ops.count(), "operation", "operations"),
                cx.role_name(rb),
                where_,
                names[0]
            ),
            scope: (f.scopes.len() == 1).then(|| f.scopes[0].1.clone()),
            objects,
            principals: ps.len(),
            hint: format!(
                "if these principals must not be able to do them, remove the overlap (drop or narrow the {} assignments where {} applies too), or add a deny assignment",
                cx.role_name(rb),
                cx.role_name(ra)
            ),
        });
    }
}

/// A V1 family of AzureML operations and its V2 equivalent (prefixes below
/// `Microsoft.MachineLearningServices/workspaces/`).
struct Family {
    v1_name: &'static str,
    v2_name: &'static str,
    v1: &'static str,
    /// A prefix inside `v1` that belongs to V2 (`datasets/versions/`).
    v1_except: Option<&'static str>,
    v2: &'static str,
}

const FAMILIES: [Family; 5] = [
    Family {
        v1_name: "datasets",
        v2_name: "datasets/versions",
        v1: "datasets/",
        v1_except: Some("datasets/versions/"),
        v2: "datasets/versions/",
    },
    Family {
        v1_name: "experiments",
        v2_name: "jobs",
        v1: "experiments/",
        v1_except: None,
        v2: "jobs/",
    },
    Family {
        v1_name: "models",
        v2_name: "models/versions",
        v1: "models/",
        v1_except: Some("models/versions/"),
        v2: "models/versions/",
    },
    Family {
        v1_name: "metadata/snapshots",
        v2_name: "codes/versions",
        v1: "metadata/snapshots/",
        v1_except: None,
        v2: "codes/",
    },
    Family {
        v1_name: "modules",
        v2_name: "components",
        v1: "modules/",
        v1_except: None,
        v2: "components/",
    },
];

const VERBS: [&str; 3] = ["read", "write", "delete"];

fn verb(op: &str) -> Option<&'static str> {
    let last = op.rsplit('/').next()?;
    VERBS.iter().find(|v| **v == last).copied()
}

/// (b) Custom roles with V1 AzureML operations but not their V2 equivalents, or the
/// reverse, per kind of operation (read, write, delete).
fn v1_without_v2(cx: &Cx, out: &mut Vec<Finding>) {
    for r in cx.relevant_roles() {
        let role = &cx.ix.roles[r];
        for f in &FAMILIES {
            // The operations of each side, from the catalogue, else representatives.
            let side = |v1: bool| -> Vec<String> {
                let (prefix, except) = if v1 {
                    (
                        format!("{AML}{}", f.v1),
                        f.v1_except.map(|e| format!("{AML}{e}")),
                    )
                } else {
                    (format!("{AML}{}", f.v2), None)
                };
                let from_catalogue: Vec<String> = cx
                    .ops
                    .iter()
                    .filter(|o| {
                        !o.data
                            && o.lower.starts_with(&prefix)
                            && except.as_ref().is_none_or(|e| !o.lower.starts_with(e))
                    })
                    .map(|o| o.lower.clone())
                    .collect();
                if from_catalogue.is_empty() {
                    let base = if v1 && f.v1_except.is_some() {
                        format!("{prefix}registered/")
                    } else {
                        prefix
                    };
                    VERBS.iter().map(|v| format!("{base}{v}")).collect()
                } else {
                    from_catalogue
                }
            };
            let (ops1, ops2) = (side(true), side(false));
            let granted = |ops: &[String], v: &str| -> Option<String> {
                ops.iter()
                    .filter(|o| verb(o) == Some(v))
                    .find(|o| blocks_grant(&role.blocks, o, false))
                    .cloned()
            };
            let has = |ops: &[String], v: &str| ops.iter().any(|o| verb(o) == Some(v));
            let mut only1 = Vec::new();
            let mut only2 = Vec::new();
            for v in VERBS {
                if !has(&ops1, v) || !has(&ops2, v) {
                    continue;
                }
                match (granted(&ops1, v), granted(&ops2, v)) {
                    (Some(op), None) => only1.push((v, op)),
                    (None, Some(op)) => only2.push((v, op)),
                    _ => {}
                }
            }
            for (v1_first, list) in [(true, only1), (false, only2)] {
                if list.is_empty() {
                    continue;
                }
                let (have, lack) = if v1_first {
                    (f.v1_name, f.v2_name)
                } else {
                    (f.v2_name, f.v1_name)
                };
                let verbs: Vec<&str> = list.iter().map(|(v, _)| *v).collect();
                let example = &list[0].1;
                let shown = cx
                    .ops
                    .iter()
                    .find(|o| &o.lower == example)
                    .map_or(example.clone(), |o| o.name.clone());
                let lacking = if v1_first { &ops2 } else { &ops1 };
                let examples: Vec<String> = verbs
                    .iter()
                    .filter_map(|v| lacking.iter().find(|o| verb(o) == Some(v)))
                    .map(|o| {
                        cx.ops
                            .iter()
                            .find(|x| &x.lower == o)
                            .map_or(o.clone(), |x| x.name.clone())
                    })
                    .collect();
                out.push(Finding {
                    severity: Severity::Low,
                    kind: if v1_first { "v1-without-v2" } else { "v2-without-v1" }.into(),
                    message: format!(
                        "custom role {} grants {} {} ({}, e.g. {}) but not the {} equivalent ({})",
                        role.def.role_name,
                        if v1_first { "V1" } else { "V2" },
                        have,
                        verbs.join(", "),
                        shown,
                        if v1_first { "V2" } else { "V1" },
                        lack
                    ),
                    scope: None,
                    objects: vec![
                        cx.role_object(r),
                        Object {
                            kind: "operation".into(),
                            id: shown.clone(),
                            name: shown,
                        },
                    ],
                    principals: 0,
                    hint: format!(
                        "add the {} equivalents ({}) so the role works the same through the {} API, or drop the {} actions if it should not use the {} API",
                        if v1_first { "V2" } else { "V1" },
                        examples.join(", "),
                        if v1_first { "V2" } else { "V1" },
                        have,
                        if v1_first { "V1" } else { "V2" },
                    ),
                });
            }
        }
    }
}

/// (c) Custom-role patterns that match no operation of their provider's imported
/// catalogue.
fn unknown_actions(cx: &Cx, out: &mut Vec<Finding>) {
    if cx.ops.is_empty() {
        return;
    }
    let providers: HashSet<&str> = cx.ops.iter().map(|o| o.provider.as_str()).collect();
    for r in cx.relevant_roles() {
        let role = &cx.ix.roles[r];
        for (bi, block) in role.blocks.iter().enumerate() {
            // Each list matches only its own plane (SPEC §2.4).
            let lists = [
                ("actions", &block.actions, Severity::Low, false),
                ("notActions", &block.not_actions, Severity::Medium, false),
                ("dataActions", &block.data_actions, Severity::Low, true),
                (
                    "notDataActions",
                    &block.not_data_actions,
                    Severity::Medium,
                    true,
                ),
            ];
            for (list, patterns, severity, data) in lists {
                for p in patterns.iter() {
                    let text = p.as_str();
                    let provider = key(text.trim().split('/').next().unwrap_or(""));
                    if provider.contains('*') || !providers.contains(provider.as_str()) {
                        continue;
                    }
                    if cx
                        .ops
                        .iter()
                        .any(|o| o.data == data && p.matches_lower(&o.lower))
                    {
                        continue;
                    }
                    // Operations of the other plane only: the pattern is in the
                    // wrong list.
                    let other_plane = cx.ops.iter().any(|o| p.matches_lower(&o.lower));
                    let effect = match (list.starts_with("not"), other_plane) {
                        (true, false) => {
                            "excludes nothing (the exclusion meant here does not happen)"
                                .to_string()
                        }
                        (false, false) => "grants nothing".to_string(),
                        (not, true) => format!(
                            "{} nothing: the operations it matches are {}, which belong in `{}`",
                            if not { "excludes" } else { "grants" },
                            if data { "control-plane" } else { "data-plane" },
                            match list {
                                "actions" => "dataActions",
                                "notActions" => "notDataActions",
                                "dataActions" => "actions",
                                _ => "notActions",
                            }
                        ),
                    };
                    let effect = effect.as_str();
                    out.push(Finding {
                        severity,
                        kind: "unknown-action".into(),
                        message: format!(
                            "custom role {}: {} `{}`{} matches no {}operation of the imported {} catalogue: it {}",
                            role.def.role_name,
                            list,
                            text,
                            if role.blocks.len() > 1 {
                                format!(" (block {bi})")
                            } else {
                                String::new()
                            },
                            match (other_plane, data) {
                                (false, _) => "",
                                (true, false) => "control-plane ",
                                (true, true) => "data-plane ",
                            },
                            provider_display(cx, &provider),
                            effect
                        ),
                        scope: None,
                        objects: vec![
                            cx.role_object(r),
                            Object {
                                kind: "action".into(),
                                id: text.to_string(),
                                name: list.to_string(),
                            },
                        ],
                        principals: 0,
                        hint: format!(
                            "check the spelling against `az provider operation show -n {}`; remove retired operations",
                            provider_display(cx, &provider)
                        ),
                    });
                }
            }
        }
    }
}

fn provider_display(cx: &Cx, lower: &str) -> String {
    cx.ix
        .operations
        .iter()
        .find(|o| key(&o.provider) == lower)
        .map_or(lower.to_string(), |o| o.provider.clone())
}

/// (d) Custom roles that can change access.
fn owner_equivalent(cx: &Cx, out: &mut Vec<Finding>) {
    for r in cx.relevant_roles() {
        let role = &cx.ix.roles[r];
        let Some(pattern) = privileged_pattern(&role.blocks) else {
            continue;
        };
        let star = role.blocks.iter().any(|b| {
            b.actions.iter().any(|p| p.as_str().trim() == "*")
                && matches!(
                    match_block(b, PRIVILEGED_ACTION_KEY, false),
                    BlockMatch::Grants { .. }
                )
        });
        out.push(Finding {
            severity: Severity::High,
            kind: "owner-equivalent-role".into(),
            message: if star {
                format!(
                    "custom role {} is equivalent to Owner: actions `*` without excluding Microsoft.Authorization writes",
                    role.def.role_name
                )
            } else {
                format!(
                    "custom role {} can change access like Owner: `{}` grants Microsoft.Authorization/roleAssignments/write, so its holders can give anyone any role",
                    role.def.role_name, pattern
                )
            },
            scope: None,
            objects: vec![
                cx.role_object(r),
                Object {
                    kind: "action".into(),
                    id: pattern.clone(),
                    name: "actions".into(),
                },
            ],
            principals: 0,
            hint: "add Microsoft.Authorization/*/Write and Microsoft.Authorization/*/Delete to notActions unless the role is meant to administer access".into(),
        });
    }
}

/// (e) Assignments to principals in no listing, and to roles that are not defined.
fn orphaned_and_undefined(cx: &Cx, out: &mut Vec<Finding>) {
    let ix = cx.ix;
    for (i, a) in ix.assignments.iter().enumerate() {
        if !cx.relevant(&a.scope) {
            continue;
        }
        // Orphaned only on evidence (SPEC §1), by the one rule `who` uses.
        if crate::engine::decide::principal_info(ix, &a.principal_id).is_orphaned() {
            out.push(Finding {
                severity: Severity::Medium,
                kind: "orphaned-assignment".into(),
                message: format!(
                    "assignment of {} at {} to {} ({}), which is in no directory listing (deleted?)",
                    cx.a_role[i]
                        .map(|r| cx.role_name(r).to_string())
                        .or_else(|| a.role_definition_name.clone())
                        .unwrap_or_else(|| role_guid(&a.role_definition_id)),
                    cx.short(&a.scope),
                    key(&a.principal_id),
                    if a.principal_type.is_empty() {
                        "unknown type"
                    } else {
                        a.principal_type.as_str()
                    }
                ),
                scope: Some(a.scope.clone()),
                objects: vec![
                    cx.assignment_object(i),
                    cx.principal_object(&a.principal_id),
                ],
                principals: 1,
                hint: format!("az role assignment delete --ids {}", a.id),
            });
        }
        if cx.a_role[i].is_none() {
            out.push(Finding {
                severity: Severity::Medium,
                kind: "undefined-role".into(),
                message: format!(
                    "assignment of {} at {} refers to role {}{}, which is not defined: it grants nothing",
                    ix.name_of(&a.principal_id),
                    cx.short(&a.scope),
                    role_guid(&a.role_definition_id),
                    a.role_definition_name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
                scope: Some(a.scope.clone()),
                objects: vec![cx.assignment_object(i)],
                principals: 1,
                hint: format!(
                    "import the role definition (az role definition list --custom-role-only true), or delete the assignment: az role assignment delete --ids {}",
                    a.id
                ),
            });
        }
    }
}

/// (f) Subscriptions and management groups near their role-assignment limits.
fn assignment_limits(cx: &Cx, out: &mut Vec<Finding>) {
    let mut per_sub: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut per_mg: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for a in &cx.ix.assignments {
        let k = scope_key(&a.scope);
        let segs: Vec<&str> = k.trim_start_matches('/').split('/').collect();
        if segs.len() >= 2 && segs[0] == "subscriptions" {
            let sub = format!("/subscriptions/{}", segs[1]);
            let shown = a.scope.split('/').take(3).collect::<Vec<_>>().join("/");
            per_sub.entry(sub).or_insert((0, shown)).0 += 1;
        } else if kind_of(&k) == ScopeKind::ManagementGroup {
            per_mg.entry(k).or_insert((0, a.scope.clone())).0 += 1;
        }
    }
    for (what, map, limit) in [
        ("subscription", per_sub, SUBSCRIPTION_LIMIT),
        ("management group", per_mg, MANAGEMENT_GROUP_LIMIT),
    ] {
        for (_, (n, scope)) in map {
            if n * 100 < limit * LIMIT_WARN_PERCENT || !cx.relevant(&scope) {
                continue;
            }
            out.push(Finding {
                severity: if n >= limit {
                    Severity::High
                } else {
                    Severity::Medium
                },
                kind: "assignment-limit".into(),
                message: format!(
                    "{} holds {n} role assignments ({}% of Azure's limit of {limit} per {what})",
                    cx.short(&scope),
                    n * 100 / limit
                ),
                scope: Some(scope.clone()),
                objects: vec![cx.scope_object(&scope)],
                principals: 0,
                hint: "assign roles to groups rather than to individuals, and remove orphaned and redundant assignments".into(),
            });
        }
    }
}

fn role_is_privileged(cx: &Cx, r: usize) -> bool {
    is_privileged(&cx.ix.roles[r].blocks)
}

/// A privileged grant an account holds: eligible (or active), the index of the
/// eligibility (or assignment), the role, and the group it comes through (None:
/// directly).
type PrivilegedGrant = (bool, usize, usize, Option<String>);

/// What makes a privileged record's holder `eligible` rather than active: the
/// record is an eligibility, or the account reaches its holder by an eligible
/// membership (PIM for Groups) of this group.
#[derive(Clone)]
enum Through {
    /// Memberships only (or directly).
    Members(Option<String>),
    /// An eligible membership of the group (its id).
    EligibleMembership(String),
}

/// (g) Guests and disabled accounts holding a privileged role, directly or through
/// groups (active assignments and PIM eligibilities). One finding per account,
/// naming every privileged grant it has.
fn privileged_holders(cx: &Cx, out: &mut Vec<Finding>) {
    let ix = cx.ix;
    // The accounts at risk: guests and disabled accounts (not groups).
    let mut risky: FxMap<u32, (bool, bool)> = FxMap::default();
    for (k, p) in &ix.principals {
        if p.kind == PrincipalKind::Group {
            continue;
        }
        let guest = p
            .user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("Guest"));
        let disabled = p.account_enabled == Some(false);
        if guest || disabled {
            if let Some(i) = cx.names.find_lower(k) {
                risky.insert(i, (guest, disabled));
            }
        }
    }
    if risky.is_empty() {
        return;
    }
    let mut privileged: HashMap<usize, bool> = HashMap::new();
    // Only what grants at the snapshot's time (SPEC §2.10): a time-bound
    // assignment in its window, an eligibility not ended (a scheduled one is
    // named as such).
    let grants = ix
        .assignments
        .iter()
        .enumerate()
        .filter(|(i, _)| ix.assignment_in_force(*i))
        .map(|(i, a)| (false, i, &a.principal_id, &a.scope, cx.a_role[i]))
        .chain(
            ix.eligibilities
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    ix.window(e.start_date_time.as_deref(), e.end_date_time.as_deref())
                        != crate::engine::window::WindowState::Ended
                })
                .map(|(i, e)| (true, i, &e.principal_id, &e.scope, cx.e_role[i])),
        );
    // PIM for Groups (SPEC §2.11): eligible memberships not ended, as (the
    // group, interned; the principal eligible to join it).
    let eligible_joins: Vec<(u32, &str)> = ix
        .group_eligibilities
        .iter()
        .filter(|ge| !ge.active && ge.access_id.eq_ignore_ascii_case("member"))
        .filter(|ge| {
            ix.window(ge.start_date_time.as_deref(), ge.end_date_time.as_deref())
                != crate::engine::window::WindowState::Ended
        })
        .filter_map(|ge| Some((cx.names.find_lower(&ge.group_id)?, ge.principal_id.as_str())))
        .collect();
    let mut held: BTreeMap<u32, Vec<PrivilegedGrant>> = BTreeMap::new();
    let mut through_eligible: HashMap<(u32, bool, usize), String> = HashMap::new();
    for (eligible, i, holder, scope, role) in grants {
        let Some(r) = role else { continue };
        let is_priv = *privileged
            .entry(r)
            .or_insert_with(|| role_is_privileged(cx, r));
        if !is_priv || !cx.relevant(scope) {
            continue;
        }
        let Some(below) = cx.below(holder) else {
            continue;
        };
        let mut add = |p: u32, via: Through| {
            if !risky.contains_key(&p) {
                return;
            }
            let list = held.entry(p).or_default();
            match via {
                Through::Members(via) => list.push((eligible, i, r, via)),
                Through::EligibleMembership(g) => {
                    // Active memberships first: a grant already listed is not
                    // listed again as eligible.
                    if list.iter().any(|x| x.0 == eligible && x.1 == i) {
                        return;
                    }
                    through_eligible.insert((p, eligible, i), g.clone());
                    list.push((eligible, i, r, Some(g)));
                }
            }
        };
        for &p in below.iter() {
            let via = (key(holder) != cx.id(p)).then(|| holder.clone());
            add(p, Through::Members(via));
        }
        // An active grant reached by an eligible membership is eligible (as
        // `decide` answers it); an eligibility reached so grants nothing more.
        if !eligible {
            for &(g, m) in &eligible_joins {
                if !below.contains(&g) {
                    continue;
                }
                for &p in cx.below(m).iter().flat_map(|b| b.iter()) {
                    add(p, Through::EligibleMembership(cx.id(g).to_string()));
                }
            }
        }
    }
    for (p, grants) in held {
        let (guest, disabled) = risky[&p];
        let id = cx.id(p);
        let described: Vec<String> = grants
            .iter()
            .map(|(eligible, i, r, via)| {
                let scope = if *eligible {
                    &ix.eligibilities[*i].scope
                } else {
                    &ix.assignments[*i].scope
                };
                let pim_group = through_eligible.get(&(p, *eligible, *i));
                let scheduled = *eligible && {
                    let e = &ix.eligibilities[*i];
                    ix.window(e.start_date_time.as_deref(), e.end_date_time.as_deref())
                        == crate::engine::window::WindowState::Scheduled
                };
                format!(
                    "{}{} at {}{}",
                    if scheduled {
                        "scheduled eligibility for "
                    } else if *eligible || pim_group.is_some() {
                        "eligible for "
                    } else {
                        ""
                    },
                    cx.role_name(*r),
                    cx.short(scope),
                    match (pim_group, via.as_deref()) {
                        (Some(g), _) => format!(
                            " through an eligible membership (PIM for Groups) of group {}",
                            ix.name_of(g)
                        ),
                        (None, Some(g)) => format!(" through group {}", ix.name_of(g)),
                        (None, None) => " directly".into(),
                    }
                )
            })
            .collect();
        let mut objects = vec![cx.principal_object(id)];
        let mut roles: Vec<usize> = grants.iter().map(|g| g.2).collect();
        roles.sort_unstable();
        roles.dedup();
        objects.extend(roles.iter().map(|&r| cx.role_object(r)));
        objects.extend(grants.iter().take(20).map(|(eligible, i, r, _)| {
            if *eligible {
                let e = &ix.eligibilities[*i];
                Object {
                    kind: "eligibility".into(),
                    id: e.id.clone(),
                    name: format!("{} at {}", cx.role_name(*r), cx.short(&e.scope)),
                }
            } else {
                cx.assignment_object(*i)
            }
        }));
        let list = if described.len() > 3 {
            format!(
                "{} and {} more",
                described[..3].join("; "),
                described.len() - 3
            )
        } else {
            described.join("; ")
        };
        let single_scope = {
            let mut ss: Vec<&String> = grants
                .iter()
                .map(|(eligible, i, _, _)| {
                    if *eligible {
                        &ix.eligibilities[*i].scope
                    } else {
                        &ix.assignments[*i].scope
                    }
                })
                .collect();
            ss.sort();
            ss.dedup();
            (ss.len() == 1).then(|| ss[0].clone())
        };
        for (flag, kind, severity, what, hint) in [
            (
                guest,
                "guest-privileged",
                Severity::High,
                "guest",
                "review whether the guest needs to administer access; prefer an eligible (PIM) assignment with approval, or remove it",
            ),
            (
                disabled,
                "disabled-privileged",
                Severity::Medium,
                "disabled account",
                "remove the disabled account's access (from the group or the assignment) so that re-enabling it does not restore privileges",
            ),
        ] {
            if !flag {
                continue;
            }
            out.push(Finding {
                severity,
                kind: kind.into(),
                message: format!(
                    "{what} {} holds privileged roles (they can change access): {list}",
                    ix.name_of(id)
                ),
                scope: single_scope.clone(),
                objects: objects.clone(),
                principals: 1,
                hint: hint.into(),
            });
        }
    }
}

/// (h) PIM eligibilities that ended before the snapshot was taken.
fn expired_eligibilities(cx: &Cx, out: &mut Vec<Finding>) {
    use crate::engine::window::{window_state, WindowState};
    let Some(now) = crate::model::Timestamp::parse(&cx.opts.taken_at) else {
        return;
    };
    for (i, e) in cx.ix.eligibilities.iter().enumerate() {
        let Some(end) = e.end_date_time.as_deref() else {
            continue;
        };
        // The one window rule (SPEC §2.10).
        let state = window_state(e.start_date_time.as_deref(), Some(end), Some(now));
        if state != WindowState::Ended || !cx.relevant(&e.scope) {
            continue;
        }
        let role = cx.e_role[i]
            .map(|r| cx.role_name(r).to_string())
            .unwrap_or_else(|| role_guid(&e.role_definition_id));
        out.push(Finding {
            severity: Severity::Low,
            kind: "eligibility-expired".into(),
            message: format!(
                "{} is eligible for {} at {} until {end}, before this snapshot ({}): the eligibility has ended",
                cx.ix.name_of(&e.principal_id),
                role,
                cx.short(&e.scope),
                cx.opts.taken_at
            ),
            scope: Some(e.scope.clone()),
            objects: vec![
                cx.principal_object(&e.principal_id),
                Object {
                    kind: "eligibility".into(),
                    id: e.id.clone(),
                    name: format!("{role} at {}", cx.short(&e.scope)),
                },
            ],
            principals: 1,
            hint: "remove the expired eligibility schedule, or renew it if it is still needed".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fixtures::{assign, group, user, RG, SUB, WS};
    use crate::model::*;

    const ML: &str = "Microsoft.MachineLearningServices/workspaces/";

    fn role(id: &str, name: &str, actions: &[&str], not_actions: &[&str]) -> RoleDefinition {
        RoleDefinition {
            id: id.into(),
            role_name: name.into(),
            role_type: "CustomRole".into(),
            description: String::new(),
            permissions: vec![PermissionBlock {
                actions: actions.iter().map(|s| s.to_string()).collect(),
                not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }],
            assignable_scopes: vec!["/".into()],
        }
    }

    fn builtin(mut r: RoleDefinition) -> RoleDefinition {
        r.role_type = "BuiltInRole".into();
        r
    }

    fn op(name: &str) -> Operation {
        Operation {
            name: name.into(),
            display_name: None,
            is_data_action: false,
            provider: name.split('/').next().unwrap().into(),
            resource_type: String::new(),
        }
    }

    fn catalogue() -> Vec<Operation> {
        [
            "workspaces/read",
            "workspaces/write",
            "workspaces/delete",
            "workspaces/computes/read",
            "workspaces/computes/write",
            "workspaces/experiments/read",
            "workspaces/experiments/write",
            "workspaces/jobs/read",
            "workspaces/jobs/write",
            "workspaces/models/read",
            "workspaces/models/versions/read",
        ]
        .iter()
        .map(|s| op(&format!("Microsoft.MachineLearningServices/{s}")))
        .chain([op("Microsoft.Authorization/roleAssignments/write")])
        .collect()
    }

    fn tenant() -> Tenant {
        Tenant {
            principals: vec![user("u1"), user("u2"), group("g1"), group("g2")],
            member_edges: vec![
                MemberEdge {
                    group_id: "g1".into(),
                    member_id: "u1".into(),
                    member_kind: None,
                },
                MemberEdge {
                    group_id: "g2".into(),
                    member_id: "u1".into(),
                    member_kind: None,
                },
                MemberEdge {
                    group_id: "g2".into(),
                    member_id: "u2".into(),
                    member_kind: None,
                },
            ],
            member_lists: vec!["g1".into(), "g2".into()],
            roles: vec![
                builtin(role("r-reader", "Reader", &["*/read"], &[])),
                role(
                    "r-noread",
                    "No Compute Read",
                    &[&format!("{ML}*/read")],
                    &[&format!("{ML}computes/read")],
                ),
            ],
            operations: catalogue(),
            ..Default::default()
        }
    }

    fn run(t: &Tenant) -> Vec<Finding> {
        lint(
            &Index::new(t),
            &LintOptions {
                scope: None,
                taken_at: "2026-10-01T00:00:00Z".into(),
            },
        )
    }

    fn kinds(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.kind.as_str()).collect()
    }

    #[test]
    fn notactions_granted_by_another_role_on_the_same_chain() {
        let mut t = tenant();
        t.assignments = vec![
            assign("a1", "g1", "r-noread", WS),
            assign("a2", "g2", "r-reader", RG),
        ];
        let f = run(&t);
        let hits: Vec<&Finding> = f
            .iter()
            .filter(|f| f.kind == "notactions-overridden")
            .collect();
        assert_eq!(hits.len(), 1, "{f:#?}");
        assert_eq!(hits[0].principals, 1, "only u1 is in both groups");
        assert_eq!(hits[0].scope.as_deref(), Some(WS));
        assert!(
            hits[0].message.contains("computes/read"),
            "{}",
            hits[0].message
        );
    }

    #[test]
    fn notactions_not_flagged_on_unrelated_scopes_or_disjoint_holders() {
        let mut t = tenant();
        // Same principal, sibling scopes.
        t.assignments = vec![
            assign("a1", "u1", "r-noread", WS),
            assign(
                "a2",
                "u1",
                "r-reader",
                "/subscriptions/S1/resourceGroups/RG2",
            ),
            // Same chain, but nobody holds both.
            assign("a3", "g1", "r-noread", WS),
            assign("a4", "u2", "r-reader", SUB),
        ];
        assert!(!kinds(&run(&t)).contains(&"notactions-overridden"));
    }

    #[test]
    fn v1_without_v2_and_reverse() {
        let mut t = tenant();
        t.roles.push(role(
            "r-v1",
            "Old API",
            &[&format!("{ML}experiments/write")],
            &[],
        ));
        t.roles.push(role(
            "r-v2",
            "New API",
            &[&format!("{ML}models/versions/read")],
            &[],
        ));
        t.roles.push(role(
            "r-both",
            "Both APIs",
            &[
                &format!("{ML}experiments/write"),
                &format!("{ML}jobs/write"),
            ],
            &[],
        ));
        let f = run(&t);
        let v: Vec<&Finding> = f.iter().filter(|f| f.kind.starts_with("v")).collect();
        assert_eq!(v.len(), 2, "{v:#?}");
        assert!(v
            .iter()
            .any(|f| f.kind == "v1-without-v2" && f.message.contains("Old API")));
        assert!(v
            .iter()
            .any(|f| f.kind == "v2-without-v1" && f.message.contains("New API")));
    }

    #[test]
    fn unknown_actions_only_for_imported_providers() {
        let mut t = tenant();
        t.roles.push(role(
            "r-typo",
            "Typo",
            &[
                &format!("{ML}computes/wrte"),
                &format!("{ML}computes/write"),
                "Microsoft.Storage/storageAccounts/whatever",
                "*/read",
            ],
            &[],
        ));
        let f = run(&t);
        let u: Vec<&Finding> = f.iter().filter(|f| f.kind == "unknown-action").collect();
        assert_eq!(u.len(), 1, "{u:#?}");
        assert!(u[0].message.contains("computes/wrte"));
    }

    #[test]
    fn owner_equivalent_custom_roles() {
        let mut t = tenant();
        t.roles.push(role("r-star", "Star", &["*"], &[]));
        t.roles.push(role(
            "r-ra",
            "RA",
            &["Microsoft.Authorization/roleAssignments/*"],
            &[],
        ));
        t.roles.push(role(
            "r-safe",
            "Safe",
            &["*"],
            &["Microsoft.Authorization/*/write"],
        ));
        t.roles.push(builtin(role("r-owner", "Owner", &["*"], &[])));
        let f = run(&t);
        let o: Vec<&str> = f
            .iter()
            .filter(|f| f.kind == "owner-equivalent-role")
            .map(|f| f.objects[0].name.as_str())
            .collect();
        assert_eq!(o, vec!["RA", "Star"]);
    }

    #[test]
    fn orphaned_and_undefined_assignments() {
        let mut t = tenant();
        t.assignments = vec![
            assign("a1", "gone", "r-reader", WS),
            assign("a2", "u1", "r-missing", WS),
            assign("a3", "u2", "r-reader", WS),
        ];
        let f = run(&t);
        let k = kinds(&f);
        assert_eq!(k.iter().filter(|k| **k == "orphaned-assignment").count(), 1);
        assert_eq!(k.iter().filter(|k| **k == "undefined-role").count(), 1);
    }

    #[test]
    fn subscription_near_the_limit() {
        let mut t = tenant();
        t.assignments = (0..3200)
            .map(|i| assign(&format!("a{i}"), "u1", "r-reader", &format!("{RG}/x{i}")))
            .collect();
        t.assignments.extend(
            (0..10).map(|i| assign(&format!("b{i}"), "u1", "r-reader", "/subscriptions/S2")),
        );
        let f = run(&t);
        let l: Vec<&Finding> = f.iter().filter(|f| f.kind == "assignment-limit").collect();
        assert_eq!(l.len(), 1, "S2 is far below");
        assert_eq!(l[0].severity, Severity::Medium);
        assert!(l[0].message.contains("3200"));
        t.assignments.truncate(3199);
        assert!(!kinds(&run(&t)).contains(&"assignment-limit"));
    }

    #[test]
    fn missing_catalogue_and_directory_are_reported_not_guessed() {
        let f = run(&Tenant::default());
        assert_eq!(kinds(&f), vec!["no-catalogue", "no-directory"]);
        assert!(f.iter().all(|f| f.severity == Severity::Info));
        assert!(!kinds(&run(&tenant())).iter().any(|k| k.starts_with("no-")));
    }

    #[test]
    fn management_group_near_the_limit() {
        let mut t = tenant();
        let mg = "/providers/Microsoft.Management/managementGroups/mg1";
        t.assignments = (0..400)
            .map(|i| assign(&format!("a{i}"), &format!("u{i}"), "r-reader", mg))
            .collect();
        let f = run(&t);
        let l: Vec<&Finding> = f.iter().filter(|f| f.kind == "assignment-limit").collect();
        assert_eq!(l.len(), 1);
        assert!(
            l[0].message.starts_with("management group"),
            "{}",
            l[0].message
        );
        assert!(l[0].message.contains("400") && l[0].message.contains("500"));
        t.assignments.truncate(399);
        assert!(!kinds(&run(&t)).contains(&"assignment-limit"));
    }

    #[test]
    fn guests_and_disabled_accounts_with_privileged_roles() {
        let mut t = tenant();
        t.roles.push(builtin(role("r-owner", "Owner", &["*"], &[])));
        t.principals[0].user_type = Some("Guest".into()); // u1, in g1 and g2
        t.principals[1].account_enabled = Some(false); // u2, in g2
        t.assignments = vec![
            assign("a1", "g2", "r-owner", WS),
            assign("a2", "g1", "r-reader", WS),
        ];
        let f = run(&t);
        let k = kinds(&f);
        assert_eq!(k.iter().filter(|k| **k == "guest-privileged").count(), 1);
        assert_eq!(k.iter().filter(|k| **k == "disabled-privileged").count(), 1);
        // Not privileged: no finding.
        t.assignments.remove(0);
        let k2 = run(&t);
        assert!(!kinds(&k2).iter().any(|k| k.ends_with("-privileged")));
    }

    /// Lint at the snapshot's time (PIM windows evaluated at it).
    fn run_at(t: &Tenant) -> Vec<Finding> {
        lint(
            &Index::new_at(t, "2026-10-01T00:00:00Z"),
            &LintOptions {
                scope: None,
                taken_at: "2026-10-01T00:00:00Z".into(),
            },
        )
    }

    #[test]
    fn privileged_guests_only_by_what_grants_at_the_snapshots_time() {
        let mut t = tenant();
        t.roles.push(builtin(role("r-owner", "Owner", &["*"], &[])));
        t.principals[0].user_type = Some("Guest".into()); // u1
        let e = |id: &str, start: Option<&str>, end: &str| Eligibility {
            principal_display_name: None,
            role_definition_name: None,
            id: id.into(),
            principal_id: "u1".into(),
            principal_type: "User".into(),
            role_definition_id: "r-owner".into(),
            scope: WS.into(),
            start_date_time: start.map(str::to_string),
            end_date_time: Some(end.into()),
            member_type: None,
            condition: None,
        };
        let guest = |f: &[Finding]| -> Vec<String> {
            f.iter()
                .filter(|f| f.kind == "guest-privileged")
                .map(|f| f.message.clone())
                .collect()
        };
        // Ended before the snapshot: grants nothing, not even eligible (SPEC §2.10).
        t.eligibilities = vec![e("e1", None, "2026-01-01T00:00:00Z")];
        assert!(guest(&run_at(&t)).is_empty());
        // A time-bound active assignment that ended: nothing either.
        let mut a = assign("a1", "u1", "r-owner", WS);
        a.start_date_time = Some("2025-01-01T00:00:00Z".into());
        a.end_date_time = Some("2026-02-01T00:00:00Z".into());
        t.assignments = vec![a];
        assert!(guest(&run_at(&t)).is_empty());
        // Scheduled: named as such.
        t.eligibilities = vec![e(
            "e2",
            Some("2027-01-01T00:00:00Z"),
            "2027-06-01T00:00:00Z",
        )];
        let m = guest(&run_at(&t));
        assert!(
            m.len() == 1 && m[0].contains("scheduled eligibility for Owner"),
            "{m:?}"
        );
        // In force: eligible.
        t.eligibilities = vec![e("e3", None, "2027-06-01T00:00:00Z")];
        let m = guest(&run_at(&t));
        assert!(
            m.len() == 1 && m[0].contains(": eligible for Owner"),
            "{m:?}"
        );
    }

    #[test]
    fn privileged_guests_through_an_eligible_group_membership() {
        let mut t = tenant();
        t.roles.push(builtin(role("r-owner", "Owner", &["*"], &[])));
        // A guest in no group and no assignment, eligible to join `admins`.
        let mut guest = user("guest1");
        guest.user_type = Some("Guest".into());
        t.principals.push(guest);
        t.principals.push(group("admins"));
        t.member_lists.push("admins".into());
        t.assignments = vec![assign("a1", "admins", "r-owner", RG)];
        let ge = |end: &str| GroupEligibility {
            id: "ge1".into(),
            group_id: "admins".into(),
            principal_id: "guest1".into(),
            access_id: "member".into(),
            member_type: Some("direct".into()),
            start_date_time: Some("2026-01-01T00:00:00Z".into()),
            end_date_time: Some(end.into()),
            active: false,
        };
        t.group_eligibilities = vec![ge("2027-01-01T00:00:00Z")];
        let f = run_at(&t);
        let m: Vec<&Finding> = f.iter().filter(|f| f.kind == "guest-privileged").collect();
        assert_eq!(m.len(), 1, "{f:?}");
        assert!(m[0]
            .message
            .contains("eligible for Owner at resource group RG1 through an eligible membership (PIM for Groups) of group"));
        // Its window ended: nothing.
        t.group_eligibilities = vec![ge("2026-02-01T00:00:00Z")];
        assert!(!run_at(&t).iter().any(|f| f.kind == "guest-privileged"));
    }

    #[test]
    fn a_pattern_in_the_other_planes_list_is_an_unknown_action() {
        let mut t = tenant();
        let mut blob = op("Microsoft.MachineLearningServices/workspaces/datastores/blobs/read");
        blob.is_data_action = true;
        t.operations.push(blob);
        let mut r = role(
            "r-typo",
            "Typo",
            &[&format!("{ML}datastores/blobs/read")],
            &[],
        );
        r.permissions[0].data_actions = vec![format!("{ML}jobs/write")];
        t.roles.push(r);
        let f = run(&t);
        let m: Vec<&str> = f
            .iter()
            .filter(|f| f.kind == "unknown-action")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(
            m.iter().any(|m| m.contains(
                "actions `Microsoft.MachineLearningServices/workspaces/datastores/blobs/read` matches no control-plane operation"
            ) && m.contains("which belong in `dataActions`")),
            "{m:?}"
        );
        assert!(
            m.iter().any(|m| m.contains("which belong in `actions`")),
            "{m:?}"
        );
        // In the right lists: nothing.
        let r = t.roles.last_mut().unwrap();
        r.permissions[0].actions = vec![format!("{ML}jobs/write")];
        r.permissions[0].data_actions = vec![format!("{ML}datastores/blobs/read")];
        assert!(!run(&t).iter().any(|f| f.kind == "unknown-action"));
    }

    #[test]
    fn expired_eligibility() {
        let mut t = tenant();
        let e = |id: &str, end: &str| Eligibility {
            principal_display_name: None,
            role_definition_name: None,
            id: id.into(),
            principal_id: "u1".into(),
            principal_type: "User".into(),
            role_definition_id: "r-reader".into(),
            scope: WS.into(),
            start_date_time: None,
            end_date_time: Some(end.into()),
            member_type: None,
            condition: None,
        };
        t.eligibilities = vec![
            e("e1", "2026-06-30T00:00:00Z"),
            e("e2", "2027-01-01T00:00:00Z"),
        ];
        let f = run(&t);
        let x: Vec<&Finding> = f
            .iter()
            .filter(|f| f.kind == "eligibility-expired")
            .collect();
        assert_eq!(x.len(), 1);
        assert_eq!(x[0].objects[1].id, "e1");
    }

    #[test]
    fn scope_filter_keeps_related_scopes_only() {
        let mut t = tenant();
        t.assignments = vec![
            assign("a1", "gone", "r-reader", WS),
            assign(
                "a2",
                "gone",
                "r-reader",
                "/subscriptions/S1/resourceGroups/RG2",
            ),
            assign("a3", "gone", "r-reader", SUB),
        ];
        let f = lint(
            &Index::new(&t),
            &LintOptions {
                scope: Some(WS.into()),
                taken_at: "2026-10-01T00:00:00Z".into(),
            },
        );
        let scopes: Vec<&str> = f.iter().filter_map(|f| f.scope.as_deref()).collect();
        assert_eq!(scopes.len(), 2, "{scopes:?}");
        assert!(!scopes.iter().any(|s| s.ends_with("RG2")));
    }
}
