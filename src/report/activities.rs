//! Rendering `activities`' catalogue (the AzureML activities `--activity`
//! accepts) as table, JSON and CSV.

use std::io::{self, Write};

use serde_json::Value;

use crate::engine::activities::Activity;

use super::Cell;

pub(crate) fn json(all: &[Activity]) -> serde_json::Result<Value> {
    serde_json::to_value(all)
}

/// One row per requirement: `activity,alternative,pattern,minimum_scope`.
pub(crate) fn csv(out: &mut dyn Write, all: &[Activity]) -> io::Result<()> {
    let mut c = super::csv::Writer::new(out);
    c.row(["activity", "alternative", "pattern", "minimum_scope"])?;
    for a in all {
        for (i, alt) in a.alternatives.iter().enumerate() {
            for r in alt {
                c.row([a.name, &(i + 1).to_string(), &r.pattern, r.level.as_str()])?;
            }
        }
    }
    c.flush()
}

pub(crate) fn table(out: &mut dyn Write, all: &[Activity]) -> io::Result<()> {
    let mut t = super::table(&["activity", "what", "requires (at minimum scope)"]);
    for a in all {
        let mut reqs: Vec<String> = Vec::new();
        for (i, alt) in a.alternatives.iter().enumerate() {
            if i > 0 {
                reqs.push("— or —".into());
            }
            reqs.extend(
                alt.iter()
                    .map(|r| format!("{} ({})", r.pattern, r.level.as_str())),
            );
        }
        let mut what = vec![a.description.to_string()];
        if let Some(n) = a.note {
            what.push(format!("({n})"));
        }
        t.add_row([Cell::from(a.name), Cell::lines(what), Cell::lines(reqs)]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{}", super::count(all.len(), "activity", "activities"))
}
