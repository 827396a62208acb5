//! `whocan activities`: the AzureML activities `--activity` accepts.

use std::io::Write;

use crate::cli::{ActivitiesArgs, Format};
use crate::engine::activities;
use crate::report;

use super::{output_format, Outcome};

pub fn run(args: ActivitiesArgs) -> anyhow::Result<Outcome> {
    let all = activities::catalogue();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match output_format(args.format) {
        Format::Json => report::print_json(&mut out, &serde_json::to_value(&all)?)?,
        Format::Csv => {
            let mut c = report::csv_writer(&mut out);
            c.write_record(["activity", "alternative", "pattern", "minimum_scope"])?;
            for a in &all {
                for (i, alt) in a.alternatives.iter().enumerate() {
                    for r in alt {
                        c.write_record([
                            a.name,
                            &(i + 1).to_string(),
                            &r.pattern,
                            r.level.as_str(),
                        ])?;
                    }
                }
            }
            c.flush()?;
        }
        Format::Table => {
            let mut t = report::table(&["activity", "what", "requires (at minimum scope)"]);
            for a in &all {
                let reqs: Vec<String> = a
                    .alternatives
                    .iter()
                    .map(|alt| {
                        alt.iter()
                            .map(|r| format!("{} ({})", r.pattern, r.level.as_str()))
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .collect();
                let mut what = a.description.to_string();
                if let Some(n) = a.note {
                    what.push_str(&format!("\n({n})"));
                }
                t.add_row(vec![a.name.to_string(), what, reqs.join("\n— or —\n")]);
            }
            writeln!(out, "{t}")?;
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}
