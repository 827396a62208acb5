//! Reading only what one question needs from a snapshot: the assignments,
//! eligibilities and deny assignments at the asked scopes' ancestors, the asked
//! principals' groups (upward, transitively) and, for `who`, the members of every
//! holder (downward, transitively), plus the principals, member lists, roles, scope
//! tree and catalogue they touch.
//!
//! The engine gives the same decisions on a slice as on the whole snapshot: every
//! group chain from a candidate up to a holder lies inside the holder's downward
//! closure, and an asked principal's upward closure is complete. Must never write.

use std::collections::VecDeque;

use rustc_hash::FxHashSet as HashSet;

use rusqlite::Connection;

use crate::model::{
    key, role_guid, Assignment, Eligibility, PrincipalKind, RoleDefinition, ScopeNode, Tenant,
    ALL_PRINCIPALS,
};

use super::canon::operation_key;
use super::read::{
    assignment_row, deny_row, edge_row, eligibility_row, group_eligibility_row, operation_row,
    principal_row, role_row, scope_row, ASSIGNMENT_COLS, DENY_COLS, EDGE_COLS, ELIGIBILITY_COLS,
    GROUP_ELIGIBILITY_COLS, IN_SNAPSHOT, OPERATION_COLS, PRINCIPAL_COLS, ROLE_COLS, SCOPE_COLS,
};

/// Keys per `IN (...)` lookup.
const CHUNK: usize = 500;

/// What a question needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct SliceRequest {
    /// Scope keys ([`crate::model::scope_key`]) whose assignments, eligibilities and
    /// deny assignments apply: the asked scopes and all their ancestors.
    pub(crate) scopes: Vec<String>,
    /// Principals asked about: their groups (transitively) and every assignment and
    /// eligibility those holders have anywhere are included.
    pub(crate) principals: Vec<String>,
    /// Include the members (transitively) of every holder at the scopes (for `who`).
    pub(crate) expand_members: bool,
    /// Scope keys whose descendants by path (`KEY/...`; `/` for every scope) hold
    /// assignments, eligibilities and deny assignments to include too (for
    /// `review`: rows below the target).
    pub(crate) below: Vec<String>,
    /// The catalogue operations to read by name; `None` reads the whole catalogue
    /// (activities and `what` expand patterns over it).
    pub(crate) operations: Option<Vec<String>>,
    /// Read every role definition of the snapshot, not only those the slice's
    /// assignments name (`--effective`: a principal that can write role
    /// assignments can assign any role assignable at the scope).
    pub(crate) all_roles: bool,
    /// Read the resources' facts (linked resources, identities, datastores,
    /// Shared Key): only the escalation steps and the data activities use them,
    /// and on a large tenant they are thousands of JSON records.
    pub(crate) facts: bool,
    /// `can` and `what`: of the grants at the scopes, only those the asked
    /// principals' holders hold are needed to decide; the others matter only
    /// to `incomplete` (a group without a complete member list below a holder
    /// that grants there). When the snapshot's flags name every such group
    /// (`snapshots.gap_flags`, and no PIM for Groups membership, which the
    /// flags do not follow), the grants at the scopes are not read: every
    /// group without a complete list is walked up instead, and the grants of
    /// the groups on the way read by holder ([`SliceRounds::gaps_walked`]).
    /// Otherwise the slice is read as without it.
    pub(crate) principals_only: bool,
}

fn query_by<T>(
    conn: &Connection,
    sql: &str,
    s: i64,
    k: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    query_with(conn, sql, rusqlite::params![s, k], map)
}

fn query_with<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map(params, map)?;
    rows.collect()
}

/// The assignments and eligibilities of a slice, each once whichever queries find it.
#[derive(Default)]
struct Held {
    assignments: HashSet<String>,
    eligibilities: HashSet<String>,
}

impl Held {
    fn add(&mut self, t: &mut Tenant, a: Vec<Assignment>, e: Vec<Eligibility>) {
        for x in a {
            if self.assignments.insert(key(&x.id)) {
                t.assignments.push(x);
            }
        }
        for x in e {
            if self.eligibilities.insert(key(&x.id)) {
                t.eligibilities.push(x);
            }
        }
    }
}

fn sql(cols: &str, table: &str, column: &str) -> String {
    format!("SELECT {cols} FROM {table} WHERE {column} = ?2 AND {IN_SNAPSHOT}")
}

/// Every scope node of snapshot `s` (the tree is small: management groups,
/// subscriptions, resource groups, resources).
pub(crate) fn scopes(conn: &Connection, s: i64) -> rusqlite::Result<Vec<ScopeNode>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {SCOPE_COLS} FROM scopes WHERE {IN_SNAPSHOT} ORDER BY key"
    ))?;
    let rows = st.query_map([s], scope_row)?;
    rows.collect()
}

/// The scope nodes that carry the tree: the root, management groups and
/// subscriptions (a resource group's or resource's ancestors follow from its id).
pub(crate) fn tree_scopes(conn: &Connection, s: i64) -> rusqlite::Result<Vec<ScopeNode>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {SCOPE_COLS} FROM scopes WHERE kind IN ('root', 'managementGroup', 'subscription') \
         AND {IN_SNAPSHOT} ORDER BY key"
    ))?;
    let rows = st.query_map([s], scope_row)?;
    rows.collect()
}

/// The scope node whose key is `k`, if the snapshot has one.
pub(crate) fn scope_by_key(
    conn: &Connection,
    s: i64,
    k: &str,
) -> rusqlite::Result<Option<ScopeNode>> {
    Ok(
        query_by(conn, &sql(SCOPE_COLS, "scopes", "key"), s, k, scope_row)?
            .into_iter()
            .next(),
    )
}

/// AzureML workspaces named `name` (by name, or by the last segment of the id;
/// case-insensitive), or every workspace when `name` is `None`.
pub(crate) fn workspaces(
    conn: &Connection,
    s: i64,
    name: Option<&str>,
) -> rusqlite::Result<Vec<ScopeNode>> {
    // `+kind`: look the name up in its indexes, not every resource by kind.
    let is_ws = "+kind = 'resource' \
        AND lower(resource_type) = 'microsoft.machinelearningservices/workspaces'";
    match name {
        Some(n) => query_by(
            conn,
            &format!(
                "SELECT {SCOPE_COLS} FROM scopes WHERE {is_ws} AND {IN_SNAPSHOT} \
                 AND (lower(name) = ?2 OR (replace(key, rtrim(key, replace(key, '/', '')), '') = ?2 \
                      AND substr(key, -length(?2) - 12) = '/workspaces/' || ?2)) \
                 ORDER BY key"
            ),
            s,
            &key(n),
            scope_row,
        ),
        None => {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {SCOPE_COLS} FROM scopes WHERE {is_ws} AND {IN_SNAPSHOT} ORDER BY key"
            ))?;
            let rows = st.query_map([s], scope_row)?;
            rows.collect()
        }
    }
}

/// The slice's `scopes` are left empty: the caller has the tree nodes already
/// ([`tree_scopes`]) and adds them.
pub(crate) fn load_slice(
    conn: &Connection,
    s: i64,
    req: &SliceRequest,
) -> rusqlite::Result<Tenant> {
    let mut rounds = SliceRounds::default();
    rounds.read(conn, s, req)?;
    Ok(rounds.tenant)
}

/// A slice read in rounds, each asking for more scopes and principals than the
/// one before (`--effective`: each identity hop names more of both): a round
/// reads only what the rounds before it did not, and the slice it leaves is the
/// one [`load_slice`] would read for the last round's request (the same records;
/// their order in the vectors may differ, which no answer depends on).
#[derive(Default)]
pub(crate) struct SliceRounds {
    pub(crate) tenant: Tenant,
    /// Whether the first round (the snapshot-wide records) was read.
    started: bool,
    held: Held,
    /// Keys of the deny assignments read.
    denies_read: HashSet<String>,
    scopes_read: HashSet<String>,
    below_read: HashSet<String>,
    /// The upward closure walked so far (asked principals and their groups).
    up: HashSet<String>,
    /// The slice's member edges as (group, member) keys: the first `edges_seen`
    /// of them (the downward walks add edges of their own).
    edges: HashSet<(String, String)>,
    edges_seen: usize,
    /// Holders whose member list or record was looked up.
    nodes_read: HashSet<String>,
    /// Principals whose record was looked up (found or not).
    records_read: HashSet<String>,
    all_roles_read: bool,
    all_operations_read: bool,
    facts_read: bool,
    /// Whether a `principals_only` round walked up from every group without a
    /// complete member list ([`walk_up_gaps`]): the slice then holds all that
    /// `incomplete` needs, and [`expand_groups`] has nothing to add.
    pub(crate) gaps_walked: bool,
}

impl SliceRounds {
    /// Adds to the slice what `req` asks that the rounds before did not read.
    pub(crate) fn read(
        &mut self,
        conn: &Connection,
        s: i64,
        req: &SliceRequest,
    ) -> rusqlite::Result<()> {
        let t = &mut self.tenant;
        let first = !self.started;
        if first {
            self.started = true;
            t.listed_kinds = Some(super::read::listed_kinds(conn, s)?);
            t.mg_holdings = super::read::mg_holdings(conn, s)?;
            t.collection = super::read::ledger(conn, s, true)?;
            t.partial_access_files = super::read::partial_access_files(conn, s)?;
            // PIM for Groups instances are few: every one is read, and their
            // groups and principals join the walks below.
            t.group_eligibilities = query_with(
                conn,
                &format!("SELECT {GROUP_ELIGIBILITY_COLS} FROM group_eligibilities WHERE {IN_SNAPSHOT} ORDER BY key"),
                [s],
                group_eligibility_row,
            )?;
        }
        // Resources' facts (one per workspace, storage account, vault, identity,
        // compute, datastore): every one is read when the question uses them.
        if req.facts && !self.facts_read {
            self.facts_read = true;
            t.resource_facts = super::read::resource_facts(conn, s)?;
        }
        let principals_only = req.principals_only
            && !req.expand_members
            && req.below.is_empty()
            && t.group_eligibilities.is_empty()
            && gap_rule(conn, s)? >= GAP_FLAGS
            && gap_count(conn, s)? <= MAX_GAPS_WALKED;
        let held = &mut self.held;
        for sk in &req.scopes {
            if principals_only {
                // Only the denies here: the grants the principals' holders hold
                // are read by holder below (a later round may still read all).
                if self.scopes_read.contains(sk) {
                    continue;
                }
            } else {
                if !self.scopes_read.insert(sk.clone()) {
                    continue;
                }
                let (a, e) = grants_by(conn, s, "scope_key", sk)?;
                held.add(t, a, e);
            }
            for d in query_by(
                conn,
                &sql(DENY_COLS, "deny_assignments", "scope_key"),
                s,
                sk,
                deny_row,
            )? {
                if self.denies_read.insert(key(&d.id)) {
                    t.denies.push(d);
                }
            }
        }
        for p in &req.below {
            if !self.below_read.insert(p.clone()) {
                continue;
            }
            let (lo, hi) = if p == "/" {
                ("/".to_string(), "0".to_string())
            } else {
                (format!("{p}/"), format!("{p}0"))
            };
            let range = |cols: &str, table: &str| {
                format!(
                    "SELECT {cols} FROM {table} WHERE scope_key >= ?2 AND scope_key < ?3 \
                     AND {IN_SNAPSHOT} ORDER BY scope_key, key"
                )
            };
            let params = rusqlite::params![s, lo, hi];
            held.add(
                t,
                query_with(
                    conn,
                    &range(ASSIGNMENT_COLS, "role_assignments"),
                    params,
                    assignment_row,
                )?,
                query_with(
                    conn,
                    &range(ELIGIBILITY_COLS, "eligibilities"),
                    params,
                    eligibility_row,
                )?,
            );
            for d in query_with(
                conn,
                &range(DENY_COLS, "deny_assignments"),
                params,
                deny_row,
            )? {
                if self.denies_read.insert(key(&d.id)) {
                    t.denies.push(d);
                }
            }
        }

        // Upward: the asked principals' groups, transitively, and all their grants.
        // A group someone is eligible (PIM for Groups) to join is walked upward too.
        // This walk reads SQL rows, one query per node, to decide what to load; the
        // engine then walks what was loaded with its own (`engine::walk`), on the
        // Index. A node walked by an earlier round is not walked again: its
        // groups were read then.
        let up = &mut self.up;
        let seeds = req.principals.iter().map(|p| key(p)).chain(
            first
                .then(|| t.group_eligibilities.iter().map(|g| key(&g.group_id)))
                .into_iter()
                .flatten(),
        );
        let mut queue: VecDeque<String> = VecDeque::new();
        for k in seeds {
            if up.insert(k.clone()) {
                queue.push_back(k);
            }
        }
        let mut new_up: Vec<String> = queue.iter().cloned().collect();
        for e in &t.member_edges[self.edges_seen..] {
            self.edges.insert((key(&e.group_id), key(&e.member_id)));
        }
        let edges_before = t.member_edges.len();
        while let Some(m) = queue.pop_front() {
            for e in query_by(
                conn,
                &sql(EDGE_COLS, "member_edges", "member_key"),
                s,
                &m,
                edge_row,
            )? {
                let g = key(&e.group_id);
                if self.edges.insert((g.clone(), key(&e.member_id))) {
                    t.member_edges.push(e);
                }
                if up.insert(g.clone()) {
                    new_up.push(g.clone());
                    queue.push_back(g);
                }
            }
        }
        for h in &new_up {
            let (a, e) = grants_by(conn, s, "principal_key", h)?;
            held.add(t, a, e);
        }
        let walked = if principals_only && !self.gaps_walked {
            self.gaps_walked = true;
            walk_up_gaps(conn, s, t, held, &mut self.edges, up)?
        } else {
            Vec::new()
        };
        self.edges_seen = t.member_edges.len();

        // Every holder (and every principal a deny assignment names or exempts).
        let named: Vec<String> = t
            .denies
            .iter()
            .flat_map(|d| d.principals.iter().chain(d.exclude_principals.iter()))
            .map(|p| key(&p.id))
            .filter(|k| k != ALL_PRINCIPALS)
            .collect();
        let mut nodes: Vec<String> = t
            .assignments
            .iter()
            .map(|a| key(&a.principal_id))
            .chain(t.eligibilities.iter().map(|e| key(&e.principal_id)))
            .chain(named.iter().cloned())
            .chain(up.iter().cloned())
            .chain(walked)
            .chain(t.group_eligibilities.iter().map(|g| key(&g.principal_id)))
            .collect();
        nodes.sort();
        nodes.dedup();
        // Of the groups the walk found, those an earlier round did not.
        let groups: Vec<String> = t.member_edges[edges_before..]
            .iter()
            .map(|e| key(&e.group_id))
            .collect();
        let new_nodes: Vec<String> = nodes
            .iter()
            .filter(|n| !self.nodes_read.contains(n.as_str()))
            .cloned()
            .collect();
        self.nodes_read.extend(new_nodes.iter().cloned());
        if req.expand_members {
            let wanted = unread(&mut self.records_read, new_nodes.iter());
            add_principals(conn, s, t, &wanted, &groups)?;
        } else {
            // `can` and `what` describe only the asked principal and its groups; of
            // the other holders they need only whether they are groups whose
            // members were imported (for `incomplete`). A holder with a member list
            // is such a group: its record is not read. Every other holder's record
            // is, as before. (A holder an earlier round left unread may be needed
            // now: it joined the asked principals' groups.)
            let listed = member_lists_of(conn, s, &new_nodes)?;
            t.member_lists.extend(listed);
            let listed_keys: HashSet<String> = t.member_lists.iter().map(|l| key(l)).collect();
            let named: HashSet<&str> = named.iter().map(String::as_str).collect();
            let needed = nodes.iter().filter(|n| {
                up.contains(n.as_str())
                    || named.contains(n.as_str())
                    || !listed_keys.contains(n.as_str())
            });
            let wanted = unread(&mut self.records_read, needed);
            add_principals(conn, s, t, &wanted, &groups)?;
        }

        if req.all_roles {
            if !self.all_roles_read {
                self.all_roles_read = true;
                t.roles = all_roles(conn, s)?;
            }
        } else if !self.all_roles_read {
            t.roles = roles_for(conn, s, t)?;
        }
        match &req.operations {
            None => {
                if !self.all_operations_read {
                    self.all_operations_read = true;
                    let mut st = conn.prepare_cached(&format!(
                        "SELECT {OPERATION_COLS} FROM operations WHERE {IN_SNAPSHOT} ORDER BY key"
                    ))?;
                    let rows = st.query_map([s], operation_row)?;
                    t.operations = rows.collect::<rusqlite::Result<_>>()?;
                }
            }
            Some(_) if self.all_operations_read => {}
            Some(names) => {
                // Both planes of each name (SPEC §2.12): the engine picks the one asked.
                let mut keys: Vec<String> = names
                    .iter()
                    .flat_map(|n| {
                        [
                            operation_key(n.trim(), false),
                            operation_key(n.trim(), true),
                        ]
                    })
                    .collect();
                keys.sort();
                keys.dedup();
                let mut ops = Vec::new();
                for k in &keys {
                    ops.extend(query_by(
                        conn,
                        &sql(OPERATION_COLS, "operations", "key"),
                        s,
                        k,
                        operation_row,
                    )?);
                }
                t.operations = ops;
            }
        }
        if req.expand_members {
            expand(conn, s, t, &new_nodes)?;
        }
        add_partial_lists(conn, s, t)
    }
}

/// The assignments and eligibilities of snapshot `s` whose `column` (a scope
/// key or a holder's key) is `k`.
fn grants_by(
    conn: &Connection,
    s: i64,
    column: &str,
    k: &str,
) -> rusqlite::Result<(Vec<Assignment>, Vec<Eligibility>)> {
    Ok((
        query_by(
            conn,
            &sql(ASSIGNMENT_COLS, "role_assignments", column),
            s,
            k,
            assignment_row,
        )?,
        query_by(
            conn,
            &sql(ELIGIBILITY_COLS, "eligibilities", column),
            s,
            k,
            eligibility_row,
        )?,
    ))
}

/// Of `nodes`, those not yet in `read`, now added to it.
fn unread<'a>(read: &mut HashSet<String>, nodes: impl Iterator<Item = &'a String>) -> Vec<String> {
    nodes
        .filter(|n| read.insert((*n).clone()))
        .cloned()
        .collect()
}

/// The partial member lists (one page of several) among the slice's member lists.
fn add_partial_lists(conn: &Connection, s: i64, t: &mut Tenant) -> rusqlite::Result<()> {
    if !any_partial_lists(conn, s)? {
        t.partial_member_lists.clear();
        return Ok(());
    }
    let mut keys: Vec<String> = t.member_lists.iter().map(|g| key(g)).collect();
    keys.sort();
    keys.dedup();
    t.partial_member_lists = query_keys(
        conn,
        "COALESCE(group_id, key)",
        "partial_member_lists",
        s,
        &keys,
        "ORDER BY key",
        |r| r.get(0),
    )?;
    Ok(())
}

/// Whether snapshot `s` holds any partial member list: most hold none, and then
/// no group of a slice needs to be looked up for one.
fn any_partial_lists(conn: &Connection, s: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM partial_member_lists WHERE {IN_SNAPSHOT})"
    ))?
    .query_row([s], |r| r.get(0))
}

/// The role definitions the slice's assignments and eligibilities refer to (by
/// GUID), and every role defined without an id (they are joined by name): the
/// SQL half of the one role join ([`crate::model::RoleJoin`]), which the engine's
/// `Index` then applies to what this reads, as it does to a whole snapshot.
fn roles_for(conn: &Connection, s: i64, t: &Tenant) -> rusqlite::Result<Vec<RoleDefinition>> {
    let mut keys: Vec<String> = t
        .assignments
        .iter()
        .map(|a| role_guid(&a.role_definition_id))
        .chain(
            t.eligibilities
                .iter()
                .map(|e| role_guid(&e.role_definition_id)),
        )
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    let mut roles = query_keys(
        conn,
        ROLE_COLS,
        "role_definitions",
        s,
        &keys,
        "ORDER BY key",
        role_row,
    )?;
    let mut st = conn.prepare_cached(&format!(
        "SELECT {ROLE_COLS} FROM role_definitions WHERE key >= 'name:' AND key < 'name;' \
         AND {IN_SNAPSHOT} ORDER BY key"
    ))?;
    for r in st.query_map([s], role_row)? {
        roles.push(r?);
    }
    roles.sort_by(|a, b| {
        crate::model::role_key(&a.id, Some(&a.role_name))
            .cmp(&crate::model::role_key(&b.id, Some(&b.role_name)))
    });
    Ok(roles)
}

/// Every role definition of snapshot `s`, by key.
fn all_roles(conn: &Connection, s: i64) -> rusqlite::Result<Vec<RoleDefinition>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {ROLE_COLS} FROM role_definitions WHERE {IN_SNAPSHOT} ORDER BY key"
    ))?;
    let rows = st.query_map([s], role_row)?;
    rows.collect()
}

/// The member lists (original spelling) of those of `keys` that have one.
fn member_lists_of(conn: &Connection, s: i64, keys: &[String]) -> rusqlite::Result<Vec<String>> {
    by_key(conn, s, &MEMBER_LISTS, keys, |r| r.get(0))
}

/// `SELECT cols FROM table WHERE key IN (keys)` in snapshot `s`, [`CHUNK`] keys
/// per statement, each statement's rows in `order` (an `ORDER BY`, or nothing).
fn query_keys<T>(
    conn: &Connection,
    cols: &str,
    table: &str,
    s: i64,
    keys: &[impl AsRef<str>],
    order: &str,
    mut map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    // Most keys find one row: room for them up front, not grown row by row.
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(",");
        let mut st = conn.prepare_cached(&format!(
            "SELECT {cols} FROM {table} WHERE key IN ({marks}) \
             AND valid_from <= ?{n} AND (valid_to IS NULL OR valid_to >= ?{n}) {order}",
            n = chunk.len() + 1
        ))?;
        let params = chunk
            .iter()
            .map(|k| rusqlite::types::Value::Text(k.as_ref().to_string()))
            .chain(std::iter::once(rusqlite::types::Value::Integer(s)));
        for row in st.query_map(rusqlite::params_from_iter(params), &mut map)? {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Adds the principal records of `nodes` not yet in `t`, and the member lists of
/// those of them that are (or may be) groups.
fn add_principals(
    conn: &Connection,
    s: i64,
    t: &mut Tenant,
    nodes: &[String],
    groups: &[String],
) -> rusqlite::Result<()> {
    let have: HashSet<String> = t.principals.iter().map(|p| key(&p.id)).collect();
    let listed: HashSet<String> = t.member_lists.iter().map(|g| key(g)).collect();
    let mut group_set: HashSet<String> = groups.iter().cloned().collect();
    let wanted: Vec<&String> = nodes.iter().filter(|k| !have.contains(*k)).collect();
    let mut found_keys: HashSet<String> =
        HashSet::with_capacity_and_hasher(wanted.len(), Default::default());
    let found = principals_by_key(conn, s, &wanted)?;
    t.principals.reserve(found.len());
    // Ids in no directory listing (no record, or only a member file's entry):
    // what their assignments anywhere say of them (names, deleted) is read, so
    // that an answer shows them the same at every scope.
    let mut unlisted: Vec<String> = Vec::new();
    for p in found {
        let k = key(&p.id);
        if p.kind == PrincipalKind::Group {
            group_set.insert(k.clone());
        }
        if p.from_member_list {
            unlisted.push(k.clone());
        }
        found_keys.insert(k);
        t.principals.push(p);
    }
    // Ids with no record may be groups too (their member lists say so).
    for k in &wanted {
        if !found_keys.contains(k.as_str()) {
            group_set.insert(k.to_string());
            unlisted.push(k.to_string());
        }
    }
    if !unlisted.is_empty() {
        let mut noted: HashSet<String> = t.assignment_notes.iter().map(|a| key(&a.id)).collect();
        let mut noted_e: HashSet<String> = t.eligibility_notes.iter().map(|e| key(&e.id)).collect();
        let eligibility_sql = sql(ELIGIBILITY_COLS, "eligibilities", "principal_key");
        for k in &unlisted {
            for e in query_by(conn, &eligibility_sql, s, k, eligibility_row)? {
                if noted_e.insert(key(&e.id)) {
                    t.eligibility_notes.push(e);
                }
            }
            for a in query_by(
                conn,
                &sql(ASSIGNMENT_COLS, "role_assignments", "principal_key"),
                s,
                k,
                assignment_row,
            )? {
                if noted.insert(key(&a.id)) {
                    t.assignment_notes.push(a);
                }
            }
        }
    }
    let mut groups: Vec<String> = group_set
        .into_iter()
        .filter(|g| !listed.contains(g))
        .collect();
    groups.sort();
    t.member_lists.extend(member_lists_of(conn, s, &groups)?);
    Ok(())
}

/// The principal records of `keys` in snapshot `s` ([`by_key`]).
fn principals_by_key(
    conn: &Connection,
    s: i64,
    keys: &[&String],
) -> rusqlite::Result<Vec<crate::model::Principal>> {
    by_key(conn, s, &PRINCIPALS, keys, principal_row)
}

/// A table read by key: its name, the columns a row gives (how many), and the
/// order of each chunk's rows.
pub(super) struct Keyed {
    table: &'static str,
    cols: &'static str,
    n_cols: usize,
    order: &'static str,
}

pub(super) const PRINCIPALS: Keyed = Keyed {
    table: "principals",
    cols: PRINCIPAL_COLS,
    n_cols: 10,
    order: "",
};

pub(super) const MEMBER_LISTS: Keyed = Keyed {
    table: "member_lists",
    cols: "COALESCE(group_id, key)",
    n_cols: 1,
    order: "ORDER BY key",
};

/// The rows of `keys` in snapshot `s`, in the order [`query_keys`] gives them
/// (each chunk's keys once, in key order). Wanted for most of the table (a
/// review, or `who` on a scope everyone can reach), they are read in one pass
/// over it, which costs less than a lookup each.
fn by_key<T: Clone>(
    conn: &Connection,
    s: i64,
    t: &Keyed,
    keys: &[impl AsRef<str>],
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    // Rows of every snapshot, from the largest rowid: no count is needed to
    // tell a few keys from most of them.
    let rows: i64 = conn
        .prepare_cached(&format!("SELECT COALESCE(max(rowid), 0) FROM {}", t.table))?
        .query_row([], |r| r.get(0))?;
    if (keys.len() as i64).saturating_mul(SCAN_RATIO) < rows {
        query_keys(conn, t.cols, t.table, s, keys, t.order, map)
    } else {
        scanned(conn, s, t, keys, map)
    }
}

/// [`by_key`] a lookup per key (for tests: [`by_key`] chooses).
#[cfg(test)]
pub(super) fn looked_up<T>(
    conn: &Connection,
    s: i64,
    t: &Keyed,
    keys: &[&String],
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    query_keys(conn, t.cols, t.table, s, keys, t.order, map)
}

/// [`by_key`], one pass over the table.
pub(super) fn scanned<T: Clone>(
    conn: &Connection,
    s: i64,
    t: &Keyed,
    keys: &[impl AsRef<str>],
    mut map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let wanted: HashSet<&str> = keys.iter().map(|k| k.as_ref()).collect();
    let mut by_key: rustc_hash::FxHashMap<String, T> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(keys.len(), Default::default());
    let key_at = t.n_cols;
    let mut st = conn.prepare_cached(&format!(
        "SELECT {}, key FROM {} WHERE {IN_SNAPSHOT}",
        t.cols, t.table
    ))?;
    let mut rows = st.query([s])?;
    while let Some(r) = rows.next()? {
        let k = r.get_ref(key_at)?.as_str()?;
        if wanted.contains(k) && !by_key.contains_key(k) {
            by_key.insert(k.to_string(), map(r)?);
        }
    }
    // Each chunk's keys once, in key order; a key in several chunks is given
    // by each, as the lookups give it.
    let chunks: Vec<Vec<&str>> = keys
        .chunks(CHUNK)
        .map(|chunk| {
            let mut sorted: Vec<&str> = chunk.iter().map(|k| k.as_ref()).collect();
            sorted.sort_unstable();
            sorted.dedup();
            sorted
        })
        .collect();
    let mut left: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for k in chunks.iter().flatten() {
        *left.entry(k).or_default() += 1;
    }
    let mut out = Vec::with_capacity(by_key.len());
    for k in chunks.iter().flatten() {
        let n = left.get_mut(k).expect("counted");
        *n -= 1;
        let row = if *n == 0 {
            by_key.remove(*k)
        } else {
            by_key.get(*k).cloned()
        };
        out.extend(row);
    }
    Ok(out)
}

/// A lookup by key costs about as much as reading this many rows in one pass
/// ([`by_key`]).
const SCAN_RATIO: i64 = 6;

/// Adds to `t` the groups nested in `seeds`, transitively (members whose kind is
/// `Group` or unknown; users and service principals are not read): the edges,
/// their records and their member lists. Enough for `can` to list, as `who` does,
/// every group below a holder whose members were not imported.
///
/// Without PIM for Groups memberships (the slice holds every one), the groups
/// whose member list is missing are among those the import flagged
/// (`Flag::MEMBERS_NOT_IMPORTED`, raised for every such group below any holder,
/// through every member that may be a group), and those whose list is partial
/// are the snapshot's partial lists: a handful, where the walk down from the
/// holders seeks every nested group below them (hundreds on a large tenant).
/// So each of them is walked up instead ([`gaps_up`]), and the edges from a seed
/// down to it added: the engine's walk below the seeds then reaches exactly the
/// groups without a complete list that it reaches on the whole snapshot (a unit
/// test holds the two ways to each other).
pub(crate) fn expand_groups(
    conn: &Connection,
    s: i64,
    t: &mut Tenant,
    seeds: &[String],
) -> rusqlite::Result<()> {
    if t.group_eligibilities.is_empty() && gap_rule(conn, s)? >= GAP_FLAGS {
        gaps_up(conn, s, t, seeds)
    } else {
        walk_down(conn, s, t, seeds, true)
    }
}

/// The rule of the `members-not-imported` flags an import writes, recorded with
/// each snapshot (`snapshots.gap_flags`, `migrations/V12`): 1, every member that
/// is or may be a group is followed. A snapshot imported before (0) keeps the
/// walk down.
pub(crate) const GAP_FLAGS: i64 = 1;

/// The rule snapshot `s`'s `members-not-imported` flags were raised by
/// (`snapshots.gap_flags`).
fn gap_rule(conn: &Connection, s: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT gap_flags FROM snapshots WHERE id = ?1")?
        .query_row([s], |r| r.get(0))
}

/// How many groups without a complete member list a `principals_only` slice
/// walks up from at most. Each costs a walk and the grants of the groups on the
/// way (two statements a group); a snapshot imported without member lists flags
/// every group that holds something (35,279 on the xl tenant: a `can` took 1.3 s
/// and 593 MB that way, against 0.08 s reading the grants at the scopes), so
/// past this many the slice reads the grants at the scopes, as without
/// `principals_only`.
pub(crate) const MAX_GAPS_WALKED: i64 = 256;

/// How many groups of snapshot `s` lack a complete member list (flagged
/// `members-not-imported`, or a partial list): [`gap_groups`]' length, or
/// more when a group is both; counted no further than past
/// [`MAX_GAPS_WALKED`].
fn gap_count(conn: &Connection, s: i64) -> rusqlite::Result<i64> {
    let flagged: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM snapshot_flags \
             WHERE snapshot_id = ?1 AND kind = ?2 LIMIT ?3)",
        )?
        .query_row(
            rusqlite::params![
                s,
                crate::model::Flag::MEMBERS_NOT_IMPORTED,
                MAX_GAPS_WALKED + 1
            ],
            |r| r.get(0),
        )?;
    if flagged > MAX_GAPS_WALKED || !any_partial_lists(conn, s)? {
        return Ok(flagged);
    }
    let partial: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM partial_member_lists WHERE {IN_SNAPSHOT}"
        ))?
        .query_row([s], |r| r.get(0))?;
    Ok(flagged + partial)
}

/// The groups of snapshot `s` without a complete member list: those the import
/// flagged `members-not-imported`, and the partial lists (keys, sorted, once).
fn gap_groups(conn: &Connection, s: i64) -> rusqlite::Result<Vec<String>> {
    let mut gaps: Vec<String> = conn
        .prepare_cached("SELECT subject FROM snapshot_flags WHERE snapshot_id = ?1 AND kind = ?2")?
        .query_map(
            rusqlite::params![s, crate::model::Flag::MEMBERS_NOT_IMPORTED],
            |r| r.get::<_, String>(0),
        )?
        .map(|k| k.map(|k| key(&k)))
        .collect::<rusqlite::Result<_>>()?;
    if any_partial_lists(conn, s)? {
        let mut st = conn.prepare_cached(&format!(
            "SELECT key FROM partial_member_lists WHERE {IN_SNAPSHOT}"
        ))?;
        for k in st.query_map([s], |r| r.get::<_, String>(0))? {
            gaps.push(key(&k?));
        }
    }
    gaps.sort();
    gaps.dedup();
    Ok(gaps)
}

/// For a `principals_only` slice: every group without a complete member list
/// ([`gap_groups`]) and every group above it (every path up), with the edges on
/// the way and the grants those groups hold (by holder; `up`'s were read
/// already). A group among them that holds a grant at the asked scopes is one
/// of the holders [`gaps_up`] would have been given as seeds, and the engine's
/// walk down from it reaches, over these edges, exactly the gaps below it.
/// Returns the groups walked (the gaps included), whose member lists and (for
/// those without one) records the slice then reads as a holder's.
fn walk_up_gaps(
    conn: &Connection,
    s: i64,
    t: &mut Tenant,
    held: &mut Held,
    edges: &mut HashSet<(String, String)>,
    up: &HashSet<String>,
) -> rusqlite::Result<Vec<String>> {
    let mut seen: HashSet<String> = HashSet::default();
    let mut queue: Vec<String> = Vec::new();
    for g in gap_groups(conn, s)? {
        if seen.insert(g.clone()) {
            queue.push(g);
        }
    }
    let up_sql = sql(EDGE_COLS, "member_edges", "member_key");
    while let Some(x) = queue.pop() {
        for e in query_by(conn, &up_sql, s, &x, edge_row)? {
            let parent = key(&e.group_id);
            if edges.insert((parent.clone(), key(&e.member_id))) {
                t.member_edges.push(e);
            }
            if seen.insert(parent.clone()) {
                queue.push(parent);
            }
        }
    }
    let mut walked: Vec<String> = seen.into_iter().collect();
    walked.sort();
    for g in &walked {
        if !up.contains(g) {
            let (a, e) = grants_by(conn, s, "principal_key", g)?;
            held.add(t, a, e);
        }
    }
    Ok(walked)
}

/// [`expand_groups`] by walking up from each group without a complete member
/// list: when a seed is at or above it, the edges on the way (every path up, so
/// every path from a seed down to it), the member lists of the groups they pass
/// through, and its record, with the seeds' records, are added to `t`.
fn gaps_up(conn: &Connection, s: i64, t: &mut Tenant, seeds: &[String]) -> rusqlite::Result<()> {
    let gaps = gap_groups(conn, s)?;
    let seeds_set: HashSet<&str> = seeds.iter().map(String::as_str).collect();
    let mut have: HashSet<(String, String)> = t
        .member_edges
        .iter()
        .map(|e| (key(&e.group_id), key(&e.member_id)))
        .collect();
    let up_sql = sql(EDGE_COLS, "member_edges", "member_key");
    let mut found: Vec<String> = Vec::new();
    let mut passed: Vec<String> = Vec::new();
    for g in gaps {
        let mut seen: HashSet<String> = HashSet::default();
        seen.insert(g.clone());
        let mut reached = seeds_set.contains(g.as_str());
        let mut queue = vec![g.clone()];
        let mut edges = Vec::new();
        while let Some(x) = queue.pop() {
            for e in query_by(conn, &up_sql, s, &x, edge_row)? {
                let parent = key(&e.group_id);
                reached |= seeds_set.contains(parent.as_str());
                if seen.insert(parent.clone()) {
                    queue.push(parent);
                }
                edges.push(e);
            }
        }
        if !reached {
            continue;
        }
        for e in edges {
            if have.insert((key(&e.group_id), key(&e.member_id))) {
                t.member_edges.push(e);
            }
        }
        seen.remove(&g);
        passed.extend(seen);
        found.push(g);
    }
    // The groups on the way have member lists (they have edges): the engine
    // must know it, or it would call them groups without one.
    passed.sort();
    passed.dedup();
    let listed: HashSet<String> = t.member_lists.iter().map(|g| key(g)).collect();
    passed.retain(|p| !listed.contains(p));
    t.member_lists.extend(member_lists_of(conn, s, &passed)?);
    // Their records (a partial list's group has its list read too), and the
    // seeds', as the walk down adds them.
    let mut nodes: Vec<String> = seeds.iter().chain(&found).cloned().collect();
    nodes.sort();
    nodes.dedup();
    add_principals(conn, s, t, &nodes, &found)?;
    add_partial_lists(conn, s, t)
}

/// The edges of group `g` in snapshot `s` whose member is a group or of unknown
/// kind: one seek in the small `member_edges_nested_by_group` index (V9), whose
/// predicate this statement repeats so that SQLite reads only the index, not the
/// group's every member.
fn nested_edges_of(
    conn: &Connection,
    s: i64,
    g: &str,
) -> rusqlite::Result<Vec<crate::model::MemberEdge>> {
    query_by(
        conn,
        &format!(
            "SELECT {EDGE_COLS} FROM member_edges INDEXED BY member_edges_nested_by_group \
             WHERE group_key = ?2 AND (member_kind IS NULL OR member_kind = 'Group') \
             AND {IN_SNAPSHOT}"
        ),
        s,
        g,
        edge_row,
    )
}

/// Adds to `t` the members of `seeds`, transitively: the edges, the principals and
/// the groups' member lists.
pub(crate) fn expand(
    conn: &Connection,
    s: i64,
    t: &mut Tenant,
    seeds: &[String],
) -> rusqlite::Result<()> {
    walk_down(conn, s, t, seeds, false)
}

/// The downward walk of [`expand`] (every member, one query per group) and
/// [`expand_groups`] (`groups_only`: only members that may be groups, read by
/// [`nested_edges_of`] from an index that holds nothing else), to decide what to
/// load; the engine's walk over what was loaded is
/// `engine::walk::breadth_first` (the two stay apart: one reads the database, the
/// other is pure).
fn walk_down(
    conn: &Connection,
    s: i64,
    t: &mut Tenant,
    seeds: &[String],
    groups_only: bool,
) -> rusqlite::Result<()> {
    // Each group is walked once, so the edges it finds can repeat only those
    // the slice read before the walk.
    let mut before: rustc_hash::FxHashMap<String, HashSet<String>> = Default::default();
    for e in &t.member_edges {
        before
            .entry(key(&e.group_id))
            .or_default()
            .insert(key(&e.member_id));
    }
    let mut seen: HashSet<String> = HashSet::default();
    let mut queue: VecDeque<String> = VecDeque::new();
    for g in seeds {
        if seen.insert(g.clone()) {
            queue.push_back(g.clone());
        }
    }
    let mut new_nodes = Vec::new();
    let mut groups = Vec::new();
    // PIM for Groups memberships (SPEC §2.11; the slice holds every one): the
    // engine counts an active one in force as a membership and an eligible one
    // as eligibility for the group's grants, so the walk goes below both, to
    // members that may be groups themselves.
    let mut pim_members: rustc_hash::FxHashMap<String, Vec<String>> = Default::default();
    for ge in &t.group_eligibilities {
        if ge.access_id.eq_ignore_ascii_case("member") {
            pim_members
                .entry(key(&ge.group_id))
                .or_default()
                .push(key(&ge.principal_id));
        }
    }
    let edge_sql = sql(EDGE_COLS, "member_edges", "group_key");
    while let Some(g) = queue.pop_front() {
        for m in pim_members.get(&g).into_iter().flatten() {
            if seen.insert(m.clone()) {
                new_nodes.push(m.clone());
                queue.push_back(m.clone());
            }
        }
        let mut any = false;
        let found = if groups_only {
            nested_edges_of(conn, s, &g)?
        } else {
            query_by(conn, &edge_sql, s, &g, edge_row)?
        };
        for e in found {
            any = true;
            let m = key(&e.member_id);
            // Users, service principals, devices and contacts have no members.
            let leaf = matches!(
                e.member_kind,
                Some(
                    PrincipalKind::User
                        | PrincipalKind::ServicePrincipal
                        | PrincipalKind::ManagedIdentity
                        | PrincipalKind::Device
                        | PrincipalKind::OrgContact
                )
            );
            if !before.get(&g).is_some_and(|ms| ms.contains(&m)) {
                t.member_edges.push(e);
            }
            if seen.insert(m.clone()) {
                new_nodes.push(m.clone());
                if !leaf {
                    queue.push_back(m);
                }
            }
        }
        if any {
            groups.push(g);
        }
    }
    // The seeds' own records too: a slice read for `can` may have left out those
    // of holders with a member list.
    let mut nodes: Vec<String> = seeds.to_vec();
    if groups_only {
        // Every node here is a group or may be one. One with a complete member
        // list is a group whose record `can` does not need (it names only groups
        // whose members were not imported, or were one page of several): its list
        // is read, its record is not.
        let have: HashSet<String> = t.member_lists.iter().map(|g| key(g)).collect();
        let listed = member_lists_of(conn, s, &new_nodes)?;
        let listed_keys: Vec<String> = listed.iter().map(|g| key(g)).collect();
        let partial: HashSet<String> = if any_partial_lists(conn, s)? {
            query_keys(
                conn,
                "key",
                "partial_member_lists",
                s,
                &listed_keys,
                "",
                |r| r.get::<_, String>(0),
            )?
            .into_iter()
            .collect()
        } else {
            HashSet::default()
        };
        let complete: HashSet<&String> = listed_keys
            .iter()
            .filter(|k| !partial.contains(*k))
            .collect();
        for (g, k) in listed.into_iter().zip(&listed_keys) {
            if !have.contains(k) {
                t.member_lists.push(g);
            }
        }
        new_nodes.retain(|n| !complete.contains(n));
    }
    nodes.extend(new_nodes);
    add_principals(conn, s, t, &nodes, &groups)?;
    add_partial_lists(conn, s, t)
}
