//! The README, walked as a new user walks it: every `whocan` command of its
//! `sh` blocks, in the order written, pasted into a fresh directory and home
//! (`VAR=value` lines set what later lines use as `"$VAR"`, `mkdir -p` lines
//! make their folders). The Set up block's `whocan demo --keep whocan.db` makes
//! the database the rest ask with no `--db`; each command must exit 0 (or 1 for
//! `can` and `verify`, whose no is an answer). A step that needs something the
//! README has not made yet fails here: a placeholder (`<sub>`, `st1`), a name
//! the sample does not have, a receipt verified before `seal` wrote it.
//!
//! Not run, each for its reason (`help_examples::skipped`): `collect` (a live
//! tenant), `import` (the user's own export files), `diff` (two snapshots),
//! `review apply` (a sheet a reviewer filled in); lines that are not `whocan`
//! commands (`cargo`, `az`, `jq`, `openssl`), and those with a pipe.

use std::path::Path;

use crate::help_examples::run_example;
use crate::support::Scratch;

/// The README's `sh` lines, in order, a line ending in `\` joined to the next.
fn sh_lines(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(line);
        out.push(std::mem::take(&mut pending).trim().to_string());
    }
    out
}

#[test]
fn every_whocan_command_of_the_readme_runs_in_order_on_the_demo_database() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let s = Scratch::new();
    let dir = s.dir();
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut ran = 0;
    let mut failed = Vec::new();
    for line in sh_lines(&readme) {
        // `NAME=value  # comment`: a variable later lines use.
        if let Some((name, rest)) = line.split_once('=') {
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                let value = rest.split_whitespace().next().unwrap_or("").to_string();
                vars.push((name.to_string(), value));
                continue;
            }
        }
        // `whocan ...`, `mkdir -p DIR`, or `mkdir -p DIR && whocan ...`.
        let first = line.split_whitespace().next().unwrap_or("");
        let runs = match first {
            "whocan" => true,
            "mkdir" => !line.contains("&&") || line.contains("&& whocan"),
            _ => false,
        };
        if !runs {
            continue;
        }
        ran += 1;
        if let Err(e) = run_example(&line, dir, &home, &vars) {
            failed.push(e);
        }
    }
    assert!(ran > 40, "only {ran} README lines ran");
    assert!(
        failed.is_empty(),
        "{} README commands fail, in order, on the demo's database:\n\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}
