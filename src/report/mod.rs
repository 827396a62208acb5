//! Renderers: every byte a query prints to stdout. They turn engine values into
//! tables, JSON, CSV and Graphviz DOT; they decide nothing about access.

pub mod answers;
pub mod dot;
pub mod history;
pub mod review;

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};

/// A table with the house style (no colour, fits the terminal).
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    t
}

pub fn print_json(out: &mut dyn Write, v: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}

/// A CSV writer over stdout-like output, RFC 4180 quoting.
pub fn csv_writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().from_writer(out)
}

/// Short, human labels for scope ids in tables and explanations (JSON and CSV keep
/// the full ids).
#[derive(Debug, Default, Clone)]
pub struct ScopeNames {
    names: std::collections::HashMap<String, (crate::model::ScopeKind, String)>,
}

impl ScopeNames {
    pub fn new(nodes: &[crate::model::ScopeNode]) -> ScopeNames {
        let mut names = std::collections::HashMap::new();
        for n in nodes {
            let name = n.display_name.clone().unwrap_or_else(|| n.name.clone());
            names
                .entry(crate::model::scope_key(&n.id))
                .or_insert((n.kind, name));
        }
        ScopeNames { names }
    }

    pub fn label(&self, scope: &str) -> String {
        use crate::model::ScopeKind::*;
        let k = crate::model::scope_key(scope);
        let last = scope
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(scope);
        let (kind, name) = match self.names.get(&k) {
            Some((kind, name)) => (*kind, name.clone()),
            None => (crate::engine::scope::kind_of(&k), last.to_string()),
        };
        match kind {
            Root => "/ (root)".to_string(),
            ManagementGroup => format!("management group {name}"),
            Subscription => format!("subscription {name}"),
            ResourceGroup => format!("resource group {last}"),
            Resource => {
                let segs: Vec<&str> = scope.trim_end_matches('/').split('/').collect();
                let ty = segs
                    .get(segs.len().saturating_sub(2))
                    .copied()
                    .unwrap_or("resource");
                format!("{last} ({})", ty.trim_end_matches('s'))
            }
        }
    }
}
