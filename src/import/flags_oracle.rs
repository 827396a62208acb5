//! The flag computation as it was before ids were interned (commit ca80272), kept
//! as a test oracle: `compute_flags` over interned ids must raise exactly the same
//! flags (kinds, subjects, details, order) on any tenant. Since then one change was
//! made to both: a principal known only from a member file (`from_member_list`)
//! names an object and tells its kind, but is no evidence that it is listed. And
//! `undefined-role` asks the one role join (`model::RoleJoin`, as the engine joins)
//! in both, instead of a copy of it that differed on roles without an id (a name
//! was matched in Unicode lowercase, blanks not ignored).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::model::{key, Flag, Principal, PrincipalKind, RoleJoin, Tenant};

use super::assemble::kinds;

fn flag(kind: &str, subject: &str, detail: String) -> Flag {
    Flag {
        kind: kind.to_string(),
        subject: subject.to_string(),
        detail,
    }
}

/// The flags that need the whole tenant, in a fixed order of kinds.
pub(crate) fn compute_flags(t: &Tenant) -> Vec<Flag> {
    let mut flags = Vec::new();
    // Every principal names an object and tells its kind; only a listing's entry (not
    // a member file's, `from_member_list`) is evidence that it exists.
    let known: HashMap<String, &Principal> = t.principals.iter().map(|p| (key(&p.id), p)).collect();
    let listed: HashMap<String, &Principal> = t
        .principals
        .iter()
        .filter(|p| !p.from_member_list)
        .map(|p| (key(&p.id), p))
        .collect();
    let name_of = |id: &str| -> String {
        match known.get(&key(id)) {
            Some(p) if !p.display_name.is_empty() => format!("{} ({id})", p.display_name),
            _ => id.to_string(),
        }
    };

    // undefined-role: the one role join (`RoleJoin`) finds no role.
    let mut join = RoleJoin::default();
    for r in &t.roles {
        join.add(r, ());
    }
    let defined = |guid: &str, name: Option<&str>| join.find(guid, name).is_some();
    let role_text = |guid: &str, name: Option<&str>| match (guid.is_empty(), name) {
        (false, Some(n)) if !n.is_empty() => format!("role {guid} ({n})"),
        (false, _) => format!("role {guid}"),
        (true, Some(n)) => format!("role named {n}"),
        (true, None) => "a role".to_string(),
    };
    for a in &t.assignments {
        let name = a.role_definition_name.as_deref();
        if !defined(&a.role_definition_id, name) {
            flags.push(flag(
                kinds::UNDEFINED_ROLE,
                &a.id,
                format!(
                    "{} is not among the imported role definitions; the assignment is kept",
                    role_text(&a.role_definition_id, name),
                ),
            ));
        }
    }
    for e in &t.eligibilities {
        if !defined(&e.role_definition_id, e.role_definition_name.as_deref()) {
            flags.push(flag(
                kinds::UNDEFINED_ROLE,
                &e.id,
                format!(
                    "{} is not among the imported role definitions; the PIM eligibility is kept",
                    role_text(&e.role_definition_id, e.role_definition_name.as_deref()),
                ),
            ));
        }
    }

    // orphaned-assignment: the holder is in no listing (or was deleted).
    let listed_kinds = Tenant::listed_kinds_of(&t.principals);
    for a in &t.assignments {
        let deleted = a.principal_name.as_deref() == Some("");
        // A listing that has the principal outweighs an assignment calling it deleted.
        if !listed.contains_key(&key(&a.principal_id)) {
            let why = if deleted {
                "was deleted (principalName is empty)"
            } else {
                super::assemble::unlisted(&a.principal_type, &listed_kinds)
            };
            let typ = if a.principal_type.is_empty() {
                String::new()
            } else {
                format!(" ({})", a.principal_type)
            };
            flags.push(flag(
                kinds::ORPHANED_ASSIGNMENT,
                &a.id,
                format!(
                    "principal {}{typ} {why}; the assignment is kept",
                    a.principal_id
                ),
            ));
        }
    }
    for e in &t.eligibilities {
        if !listed.contains_key(&key(&e.principal_id)) {
            flags.push(flag(
                kinds::ORPHANED_ASSIGNMENT,
                &e.id,
                format!(
                    "principal {} {}; the PIM eligibility is kept",
                    e.principal_id,
                    super::assemble::unlisted(&e.principal_type, &listed_kinds)
                ),
            ));
        }
    }

    // unknown-member: a member id in no listing.
    for e in &t.member_edges {
        if !listed.contains_key(&key(&e.member_id)) {
            flags.push(flag(
                kinds::UNKNOWN_MEMBER,
                &e.member_id,
                format!(
                    "member of group {} is in no imported directory listing; the membership is kept",
                    name_of(&e.group_id)
                ),
            ));
        }
    }

    // membership-cycle.
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    let mut spelling: HashMap<String, String> = HashMap::new();
    for e in &t.member_edges {
        children
            .entry(key(&e.group_id))
            .or_default()
            .push(key(&e.member_id));
        spelling
            .entry(key(&e.group_id))
            .or_insert_with(|| e.group_id.clone());
        spelling
            .entry(key(&e.member_id))
            .or_insert_with(|| e.member_id.clone());
    }
    for cycle in cycles(&children) {
        let names: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|g| {
                let id = spelling.get(g).map_or(g.as_str(), String::as_str);
                match known.get(g) {
                    Some(p) if !p.display_name.is_empty() => p.display_name.clone(),
                    _ => id.to_string(),
                }
            })
            .collect();
        let subject = spelling
            .get(&cycle[0])
            .cloned()
            .unwrap_or_else(|| cycle[0].clone());
        flags.push(flag(
            kinds::MEMBERSHIP_CYCLE,
            &subject,
            format!(
                "groups nest in a cycle: {}; every member of one is a member of all",
                names.join(" → ")
            ),
        ));
    }

    // members-not-imported: a group on an access path whose members were never read.
    let is_group = |id: &str, said: &str| {
        crate::model::names_group(said)
            || known
                .get(&key(id))
                .is_some_and(|p| p.kind == PrincipalKind::Group)
    };
    let lists: HashSet<String> = t.member_lists.iter().map(|g| key(g)).collect();
    let mut holds: Vec<(String, String)> = Vec::new(); // (group id, what it holds)
    for a in &t.assignments {
        if is_group(&a.principal_id, &a.principal_type) {
            holds.push((
                a.principal_id.clone(),
                format!("holds an assignment at {}", a.scope),
            ));
        }
    }
    for e in &t.eligibilities {
        if is_group(&e.principal_id, &e.principal_type) {
            holds.push((
                e.principal_id.clone(),
                format!("holds a PIM eligibility at {}", e.scope),
            ));
        }
    }
    for d in &t.denies {
        for (p, role) in d
            .principals
            .iter()
            .map(|p| (p, "is a principal of"))
            .chain(d.exclude_principals.iter().map(|p| (p, "is excluded from")))
        {
            if is_group(&p.id, &p.kind) {
                holds.push((p.id.clone(), format!("{role} deny assignment {}", d.name)));
            }
        }
    }
    let member_kind: HashMap<(String, String), Option<PrincipalKind>> = t
        .member_edges
        .iter()
        .map(|e| ((key(&e.group_id), key(&e.member_id)), e.member_kind))
        .collect();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<(String, String)> = holds;
    let mut seen: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < queue.len() {
        let (group, why) = queue[i].clone();
        i += 1;
        let g = key(&group);
        if !seen.insert(g.clone()) {
            continue;
        }
        if !lists.contains(&g) {
            if reported.insert(g.clone()) {
                flags.push(flag(
                    kinds::MEMBERS_NOT_IMPORTED,
                    &group,
                    format!(
                        "group {} {why}, but its member list was never imported (expected \
                         members/{group}.json); answers through it are incomplete",
                        name_of(&group)
                    ),
                ));
            }
            continue;
        }
        for m in children.get(&g).into_iter().flatten() {
            let said = member_kind
                .get(&(g.clone(), m.clone()))
                .copied()
                .flatten()
                .map_or("", PrincipalKind::as_str);
            let spelled = spelling.get(m).cloned().unwrap_or_else(|| m.clone());
            let may_be_group = is_group(&spelled, said)
                || lists.contains(m)
                || children.get(m).is_some_and(|c| !c.is_empty());
            if may_be_group && !seen.contains(m) {
                queue.push((spelled, format!("is nested in group {}", name_of(&group))));
            }
        }
    }
    flags
}

/// Every elementary cycle's representative: one cycle per strongly connected
/// component with more than one node (or a self-loop), starting at its smallest id.
fn cycles(children: &HashMap<String, Vec<String>>) -> Vec<Vec<String>> {
    // Tarjan's algorithm, iterative, over sorted nodes for determinism.
    let mut nodes: Vec<&String> = children.keys().collect();
    nodes.sort();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut low: HashMap<&str, usize> = HashMap::new();
    let mut on_stack: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut next = 0;
    let mut sccs: Vec<Vec<String>> = Vec::new();
    let empty: Vec<String> = Vec::new();
    for start in nodes {
        if index.contains_key(start.as_str()) {
            continue;
        }
        let mut work: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
        while let Some((v, ci)) = work.pop() {
            if ci == 0 {
                index.insert(v, next);
                low.insert(v, next);
                next += 1;
                stack.push(v);
                on_stack.insert(v);
            }
            let kids = children.get(v).unwrap_or(&empty);
            if ci < kids.len() {
                work.push((v, ci + 1));
                let w = kids[ci].as_str();
                if !index.contains_key(w) {
                    work.push((w, 0));
                } else if on_stack.contains(w) {
                    let lw = index[w].min(low[v]);
                    low.insert(v, lw);
                }
                continue;
            }
            // All children done: propagate low to the parent, pop the component.
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack.remove(w);
                    comp.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                let self_loop = kids.iter().any(|k| k == v);
                if comp.len() > 1 || self_loop {
                    sccs.push(comp);
                }
            }
            if let Some((parent, _)) = work.last() {
                let lv = low[v].min(low[*parent]);
                low.insert(parent, lv);
            }
        }
    }
    // Within each component, walk one cycle from its smallest node.
    let mut out = Vec::new();
    for comp in sccs {
        let members: HashSet<&str> = comp.iter().map(String::as_str).collect();
        let start = comp.iter().min().cloned().unwrap_or_default();
        out.push(cycle_path(children, &members, &start));
    }
    out.sort();
    out
}

/// A shortest path start → ... → start inside one component (BFS).
fn cycle_path(
    children: &HashMap<String, Vec<String>>,
    members: &HashSet<&str>,
    start: &str,
) -> Vec<String> {
    let mut prev: HashMap<&str, &str> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen: HashSet<&str> = HashSet::from([start]);
    while let Some(v) = queue.pop_front() {
        let mut kids: Vec<&String> = children
            .get(v)
            .map(|k| k.iter().collect())
            .unwrap_or_default();
        kids.sort();
        for w in kids {
            let w = w.as_str();
            if !members.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![v.to_string()];
                let mut cur = v;
                while let Some(p) = prev.get(cur) {
                    path.push(p.to_string());
                    cur = p;
                }
                path.reverse();
                return path;
            }
            if seen.insert(w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start.to_string()]
}
