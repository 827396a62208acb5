//! Names the browsing commands take besides principals (which
//! [`super::resolve::principal`] resolves): a role by name, GUID or role
//! definition id; a subscription by id or display name; a resource group by
//! name. The same contract as the resolver's (SPEC §3, "Nothing is answered about
//! what is not there"): case- and accent-insensitive, an unknown name is exit 2
//! with `did you mean` and a `hint:`, built with the resolver's own closeness
//! ([`resolve::closest`]) and message ([`resolve::not_found`]).

use crate::engine::workspaces::segment_after;
use crate::model::{key, role_guid, scope_key, RoleDefinition, ScopeKind, ScopeNode};
use crate::store::Store;

use super::resolve::{self, shown, Closeness};
use super::UsageError;

/// How many candidates a `did you mean` offers.
const OFFER: usize = 5;

/// `Name (guid)`, or `Name (no id: joined by name)`.
fn describe(r: &RoleDefinition) -> String {
    if r.id.trim().is_empty() {
        format!("{} (no id: joined by name)", shown(&r.role_name))
    } else {
        format!("{} ({})", shown(&r.role_name), shown(&role_guid(&r.id)))
    }
}

fn one_role(text: &str, mut found: Vec<RoleDefinition>) -> anyhow::Result<RoleDefinition> {
    if found.len() == 1 {
        return Ok(found.remove(0));
    }
    let list: Vec<String> = found.iter().map(describe).collect();
    Err(UsageError(format!(
        "`{}` names {} roles; name one by its GUID:\n  {}",
        shown(text.trim()),
        found.len(),
        list.join("\n  ")
    ))
    .into())
}

/// The role `text` names: a role GUID or role definition id (by its trailing
/// GUID), else a role name exactly (ASCII case-insensitive), else a role name
/// case- and accent-insensitively; nothing matched: the closest roles.
pub(crate) fn role(store: &Store, snapshot: i64, text: &str) -> anyhow::Result<RoleDefinition> {
    let t = text.trim();
    if t.is_empty() {
        return Err(UsageError(
            "name a role: its name (Reader, AzureML Data Scientist), its GUID or its role definition id"
                .into(),
        )
        .into());
    }
    let guid = role_guid(t);
    if super::common::is_guid(&guid) {
        if let Some(r) = store.role_by_key(snapshot, &guid)? {
            return Ok(r);
        }
    }
    let named = store.roles_named(snapshot, t)?;
    if !named.is_empty() {
        return one_role(t, named);
    }
    let all = store.all_roles(snapshot)?;
    let mut folded = Closeness::new(t);
    let same: Vec<RoleDefinition> = all
        .iter()
        .filter(|r| folded.same(&r.role_name))
        .cloned()
        .collect();
    if !same.is_empty() {
        return one_role(t, same);
    }
    let suggestions: Vec<String> = resolve::closest(
        if super::common::is_guid(&guid) {
            &guid
        } else {
            t
        },
        all.iter()
            .map(|r| (r, vec![r.role_name.clone(), role_guid(&r.id)])),
        OFFER,
    )
    .into_iter()
    .map(describe)
    .collect();
    let hint = if all.is_empty() {
        "this snapshot has no role definition: import `az role definition list` output".to_string()
    } else {
        format!(
            "name a role as `az role definition list` shows it: its roleName or its name (GUID); this snapshot defines {}",
            crate::words::count(all.len(), "role", "roles")
        )
    };
    Err(resolve::not_found(
        format!(
            "no role definition matches \"{}\" in snapshot {snapshot}",
            shown(t)
        ),
        &suggestions,
        &hint,
    ))
}

/// A subscription as `--subscription` names it: (key `/subscriptions/<id>`, its
/// id and display name when the subscription list gave one).
struct Subscription {
    key: String,
    id: String,
    name: Option<String>,
}

/// The subscriptions a snapshot knows: its subscription nodes, and the
/// subscriptions of every other scope node.
fn subscriptions(nodes: &[ScopeNode]) -> Vec<Subscription> {
    let mut out: Vec<Subscription> = Vec::new();
    let mut add = |id: &str, name: Option<String>| {
        let k = scope_key(&format!("/subscriptions/{id}"));
        match out.iter_mut().find(|s| s.key == k) {
            Some(s) => {
                if s.name.is_none() {
                    s.name = name;
                }
            }
            None => out.push(Subscription {
                key: k,
                id: id.to_string(),
                name,
            }),
        }
    };
    for n in nodes {
        if let Some(id) = segment_after(&n.id, "subscriptions") {
            let name = (n.kind == ScopeKind::Subscription)
                .then(|| n.display_name.clone())
                .flatten();
            add(id, name);
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// `--subscription`: a subscription id (or `/subscriptions/<id>`) or display
/// name that the snapshot knows, as its key.
pub(crate) fn subscription(nodes: &[ScopeNode], text: &str) -> anyhow::Result<String> {
    let t = text.trim();
    let known = subscriptions(nodes);
    let id = segment_after(t, "subscriptions").unwrap_or(t);
    let k = scope_key(&format!("/subscriptions/{id}"));
    if let Some(s) = known.iter().find(|s| s.key == k) {
        return Ok(s.key.clone());
    }
    let mut c = Closeness::new(t);
    let same: Vec<&Subscription> = known
        .iter()
        .filter(|s| s.name.as_deref().is_some_and(|n| c.same(n)))
        .collect();
    match same.as_slice() {
        [one] => return Ok(one.key.clone()),
        [] => {}
        many => {
            return Err(UsageError(format!(
                "`{}` names {} subscriptions; name one by its id: {}",
                shown(t),
                many.len(),
                many.iter()
                    .map(|s| shown(&s.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into())
        }
    }
    let label = |s: &Subscription| match &s.name {
        Some(n) => format!("{} ({})", shown(n), shown(&s.id)),
        None => shown(&s.id),
    };
    let suggestions: Vec<String> = resolve::closest(
        t,
        known.iter().map(|s| {
            let mut names = vec![s.id.clone()];
            names.extend(s.name.clone());
            (s, names)
        }),
        OFFER,
    )
    .into_iter()
    .map(label)
    .collect();
    let hint = if known.is_empty() {
        "this snapshot names no subscription: import `az account list` output".to_string()
    } else {
        format!(
            "known subscriptions: {}",
            known.iter().map(label).collect::<Vec<_>>().join(", ")
        )
    };
    Err(resolve::not_found(
        format!("no subscription \"{}\" in this snapshot", shown(t)),
        &suggestions,
        &hint,
    ))
}

/// `--resource-group`: a resource group the snapshot's inventory names (within
/// `subscription`, a key, when given), as spelled there.
pub(crate) fn resource_group(
    nodes: &[ScopeNode],
    subscription: Option<&str>,
    text: &str,
) -> anyhow::Result<String> {
    let t = text.trim();
    let mut known: Vec<String> = nodes
        .iter()
        .filter(|n| {
            subscription.is_none_or(|s| {
                let k = scope_key(&n.id);
                k == s || k.starts_with(&format!("{s}/"))
            })
        })
        .filter_map(|n| segment_after(&n.id, "resourceGroups").map(str::to_string))
        .collect();
    known.sort_by_key(|g| key(g));
    known.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    if let Some(g) = known.iter().find(|g| g.eq_ignore_ascii_case(t)) {
        return Ok(g.clone());
    }
    let mut c = Closeness::new(t);
    if let Some(g) = known.iter().find(|g| c.same(g)) {
        return Ok(g.clone());
    }
    let suggestions: Vec<String> =
        resolve::closest(t, known.iter().map(|g| (g, vec![g.clone()])), OFFER)
            .into_iter()
            .map(|g| shown(g))
            .collect();
    let within = if subscription.is_some() {
        " in that subscription"
    } else {
        ""
    };
    Err(resolve::not_found(
        format!(
            "no resource group \"{}\"{within} in this snapshot's inventory",
            shown(t)
        ),
        &suggestions,
        "resource groups are known from the resource inventory (`az resource list`); check the name",
    ))
}
