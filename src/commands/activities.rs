//! `whocan activities`: the AzureML activities `--activity` accepts.

use std::io::Write;

use crate::cli::{ActivitiesArgs, Format};
use crate::engine::activities;
use crate::report;
use crate::report::Cell;

use super::{output_format, Outcome};

pub fn run(args: ActivitiesArgs) -> anyhow::Result<Outcome> {
    let all = activities::catalogue();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match output_format(args.format) {
        Format::Json => report::print_json(&mut out, &serde_json::to_value(&all)?)?,
        Format::Csv => {
            let mut c = report::csv::Writer::new(&mut out);
            c.row(["activity", "alternative", "pattern", "minimum_scope"])?;
            for a in &all {
                for (i, alt) in a.alternatives.iter().enumerate() {
                    for r in alt {
                        c.row([a.name, &(i + 1).to_string(), &r.pattern, r.level.as_str()])?;
                    }
                }
            }
            c.flush()?;
        }
        Format::Table => {
            let mut t = report::table(&["activity", "what", "requires (at minimum scope)"]);
            for a in &all {
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
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}
