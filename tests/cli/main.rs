//! Command-line tests of the `whocan` binary, one module per area. Every test works
//! in its own temporary directory with an explicit `--db`; none reads or writes a
//! user's database.

mod activity_paths;
mod browse;
mod collect;
mod collect_equiv;
mod concurrency;
mod deny_gaps;
mod diff_regressions;
mod effective;
mod evidence;
mod facts;
mod fake_azure;
mod fuzzish;
mod gaps;
mod help_examples;
mod history;
mod holder_types;
mod hostile;
mod import;
mod import_csv;
mod import_shapes;
mod incomplete_csv;
mod inputs;
mod layout;
mod ledger;
mod limits;
mod lint;
mod manual;
mod pim_groups;
mod pim_role_name;
mod progress;
mod readme_walk;
mod recorded;
mod report;
mod resolve;
mod review;
mod review_rows;
mod safety;
mod slice;
mod snap;
mod support;
mod synth_facts;
mod trust;
mod unlisted;
