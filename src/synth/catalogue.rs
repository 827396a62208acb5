//! The provider operation catalogue: about a thousand real operation names of
//! nine resource providers, written in the `az provider operation show` shape.
//!
//! `operations.txt` (next to this file) lists `name <TAB> resource type <TAB>
//! control|data`, sorted by provider, resource type and name. Its names are real:
//! the complete Microsoft.MachineLearningServices and Microsoft.Authorization
//! catalogues, and for Storage, Compute, KeyVault, Network, Insights, Resources and
//! ContainerRegistry every concrete action or data action that Azure's built-in
//! roles name, completed with the read/write/delete of their resource types. Role
//! patterns are built by sampling these names, so wildcards expand to something.

use std::ops::Range;
use std::path::Path;

use serde_json::{json, Value};

use super::write::Written;
use super::SynthError;

const OPERATIONS: &str = include_str!("operations.txt");

/// One operation of the catalogue.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub name: &'static str,
    pub provider: &'static str,
    /// Resource type within the provider (`workspaces/computes`), empty for
    /// provider-level operations.
    pub rt: &'static str,
    pub data: bool,
}

impl Op {
    /// The verb: `read`, `write`, `delete`, or `start/action` style actions.
    pub(crate) fn verb(&self) -> &'static str {
        let rest = &self.name[self.provider.len() + 1..];
        if self.rt.is_empty() {
            rest
        } else {
            &rest[self.rt.len() + 1..]
        }
    }
}

/// The operations of one resource type of one provider.
#[derive(Debug, Clone)]
pub(crate) struct ResourceType {
    pub provider: &'static str,
    pub rt: &'static str,
    pub ops: Range<usize>,
}

#[derive(Debug)]
pub(crate) struct Catalogue {
    pub ops: Vec<Op>,
    /// Contiguous runs of `ops` with the same provider and resource type.
    pub types: Vec<ResourceType>,
}

impl Catalogue {
    pub(crate) fn load() -> Catalogue {
        let mut ops = Vec::new();
        for line in OPERATIONS.lines().filter(|l| !l.trim().is_empty()) {
            let mut cols = line.split('\t');
            let name = cols.next().unwrap_or_default();
            let rt = cols.next().unwrap_or_default();
            let data = cols.next() == Some("data");
            let provider = name.split('/').next().unwrap_or_default();
            ops.push(Op {
                name,
                provider,
                rt,
                data,
            });
        }
        let mut types: Vec<ResourceType> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            match types.last_mut() {
                Some(t) if t.provider == op.provider && t.rt == op.rt => t.ops.end = i + 1,
                _ => types.push(ResourceType {
                    provider: op.provider,
                    rt: op.rt,
                    ops: i..i + 1,
                }),
            }
        }
        Catalogue { ops, types }
    }

    pub(crate) fn providers(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for op in &self.ops {
            if out.last() != Some(&op.provider) {
                out.push(op.provider);
            }
        }
        out
    }

    /// Every operation whose resource type is `rt` or below it, in one provider.
    pub(crate) fn under(&self, provider: &str, rt: &str) -> Vec<&Op> {
        self.ops
            .iter()
            .filter(|o| {
                o.provider == provider
                    && (rt.is_empty()
                        || o.rt == rt
                        || (o.rt.len() > rt.len()
                            && o.rt.starts_with(rt)
                            && o.rt.as_bytes()[rt.len()] == b'/'))
            })
            .collect()
    }

    #[cfg(test)]
    pub(crate) fn find(&self, name: &str) -> Option<&Op> {
        self.ops.iter().find(|o| o.name.eq_ignore_ascii_case(name))
    }
}

pub(crate) fn provider_display(provider: &str) -> &'static str {
    match provider {
        "Microsoft.MachineLearningServices" => "Machine Learning Services Resource Provider",
        "Microsoft.Authorization" => "Microsoft.Authorization",
        "Microsoft.Storage" => "Microsoft Storage",
        "Microsoft.Compute" => "Microsoft Compute",
        "Microsoft.KeyVault" => "Key Vault",
        "Microsoft.Network" => "Microsoft Network",
        "Microsoft.Insights" => "Microsoft Monitoring Insights",
        "Microsoft.Resources" => "Microsoft Resources",
        "Microsoft.ContainerRegistry" => "Microsoft Container Registry",
        _ => "Resource Provider",
    }
}

fn describe(op: &Op) -> (String, String) {
    let what = if op.rt.is_empty() {
        "the resource provider".to_string()
    } else {
        super::names::humanize(op.rt).to_lowercase()
    };
    let verb = op.verb();
    let (display, desc) = match verb.to_ascii_lowercase().as_str() {
        "read" => (format!("Read {what}"), format!("Gets or lists {what}.")),
        "write" => (
            format!("Create or update {what}"),
            format!("Creates or updates {what}."),
        ),
        "delete" => (format!("Delete {what}"), format!("Deletes {what}.")),
        _ => {
            let action = verb.trim_end_matches("/action");
            let action = super::names::humanize(action);
            (
                format!("{action} {what}"),
                format!("Performs the {action} action on {what}."),
            )
        }
    };
    (display, desc)
}

fn op_json(op: &Op) -> Value {
    let (display, desc) = describe(op);
    json!({
        "description": desc,
        "displayName": display,
        "isDataAction": op.data,
        "name": op.name,
        "origin": if op.data { "user" } else { "user,system" },
        "properties": null,
    })
}

/// Writes `operations/<provider>.json` for every provider.
pub(crate) fn write(cat: &Catalogue, out: &Path) -> Result<Vec<Written>, SynthError> {
    let dir = out.join("operations");
    std::fs::create_dir_all(&dir).map_err(|e| SynthError::Io {
        path: dir.display().to_string(),
        source: e,
    })?;
    let mut written = Vec::new();
    for provider in cat.providers() {
        let mut top = Vec::new();
        let mut types = Vec::new();
        let mut count = 0;
        for t in cat.types.iter().filter(|t| t.provider == provider) {
            let ops: Vec<Value> = cat.ops[t.ops.clone()].iter().map(op_json).collect();
            count += ops.len();
            if t.rt.is_empty() {
                top.extend(ops);
            } else {
                types.push(json!({
                    "displayName": super::names::humanize(t.rt),
                    "name": t.rt,
                    "operations": ops,
                }));
            }
        }
        let doc = json!({
            "displayName": provider_display(provider),
            "id": format!("/providers/Microsoft.Authorization/providerOperations/{provider}"),
            "name": provider,
            "operations": top,
            "resourceTypes": types,
            "type": "Microsoft.Authorization/providerOperations",
        });
        let path = dir.join(format!("{}.json", provider.to_ascii_lowercase()));
        let mut text = serde_json::to_vec_pretty(&doc).expect("serialisable");
        text.push(b'\n');
        std::fs::write(&path, &text).map_err(|e| SynthError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        written.push(Written {
            records: count,
            bytes: text.len() as u64,
        });
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_realistic() {
        let cat = Catalogue::load();
        assert!(cat.ops.len() >= 1000, "{}", cat.ops.len());
        assert!(cat.ops.iter().any(|o| o.data));
        assert!(cat.providers().len() >= 5);
        assert!(cat.ops.iter().all(|o| !o.name.contains('*')));
        let c = cat
            .find("Microsoft.MachineLearningServices/workspaces/computes/start/action")
            .unwrap();
        assert_eq!(c.rt, "workspaces/computes");
        assert_eq!(c.verb(), "start/action");
        assert!(cat
            .under("Microsoft.MachineLearningServices", "workspaces")
            .iter()
            .any(|o| o.rt == "workspaces/computes"));
        // Runs are contiguous: each (provider, rt) appears once.
        let mut seen = std::collections::HashSet::new();
        for t in &cat.types {
            assert!(seen.insert((t.provider, t.rt)), "{} {}", t.provider, t.rt);
        }
    }
}
