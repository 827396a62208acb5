//! `whocan activities`: the AzureML activities `--activity` accepts.

use std::io::Write;

use crate::cli::{ActivitiesArgs, Format};
use crate::engine::activities;
use crate::report;

use super::{output_format, Outcome};

pub(crate) fn run(args: ActivitiesArgs) -> anyhow::Result<Outcome> {
    let all = activities::catalogue();
    let mut out = crate::report::text::data_stdout(args.format);
    match output_format(args.format) {
        Format::Json => report::print_json(&mut out, &report::activities::json(&all)?)?,
        Format::Csv => report::activities::csv(&mut out, &all)?,
        Format::Table => report::activities::table(&mut out, &all)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}
