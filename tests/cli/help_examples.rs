//! Every `--help` example runs on the sample, as a new user would type it: in a
//! fresh directory and home, the `demo` examples first (`whocan demo --keep
//! whocan.db` makes the default database), then every other command's examples
//! with no `--db`, `verify`'s last (its receipt is `seal`'s). An example that
//! names something the sample does not have ('Build Pipeline', `--snapshot 2`,
//! a `/subscriptions/.../rg` placeholder) is exit 2 and fails here.
//!
//! Not run, each for its reason: `collect` (a live tenant), `import` (the user's
//! own export files), `diff` (two snapshots; the demo's database has one),
//! `review apply` (a sheet a reviewer filled in), and examples that need a
//! shell's variables or a pipe (`$PROFILE`, `${fpath[1]}`, `| man -l -`).

use std::path::Path;

use crate::support::{run, Scratch};

/// The subcommands `whocan --help` lists (and `review`'s own), each as its
/// words; the top level is the empty list.
fn commands() -> Vec<Vec<String>> {
    let help = run().arg("--help").expect(0).stdout();
    let mut out = vec![Vec::new()];
    for line in help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
    {
        let name = line.split_whitespace().next().unwrap().to_string();
        if name != "help" {
            out.push(vec![name]);
        }
    }
    out.push(vec!["review".into(), "apply".into()]);
    out.push(vec!["review".into(), "plan".into()]);
    out
}

/// The example lines of a command's `--help`.
fn examples(command: &[String]) -> Vec<String> {
    let help = run().args(command).arg("--help").expect(0).stdout();
    help.lines()
        .skip_while(|l| !l.starts_with("Examples:"))
        .map(str::trim)
        .filter(|l| l.starts_with("whocan ") || l.starts_with("mkdir "))
        .map(String::from)
        .collect()
}

/// `line` as shell words (single and double quotes, `~/` at a word's start,
/// `$NAME` of `vars`, a `#` comment), or why it is not run here.
pub(crate) fn words(
    line: &str,
    home: &Path,
    vars: &[(String, String)],
) -> Result<Vec<String>, &'static str> {
    // `$NAME` (also inside double quotes) is one of `vars`, or not run.
    let var = |chars: &mut std::iter::Peekable<std::str::Chars>| -> Result<String, &'static str> {
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                chars.next();
            } else {
                break;
            }
        }
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .ok_or("a shell variable")
    };
    let mut out = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                started = true;
                while let Some(q) = chars.next() {
                    if q == c {
                        break;
                    }
                    if c == '"' && q == '$' {
                        word.push_str(&var(&mut chars)?);
                    } else {
                        word.push(q);
                    }
                }
            }
            '$' => {
                started = true;
                word.push_str(&var(&mut chars)?);
            }
            '|' if chars.peek() != Some(&'|') => return Err("a pipe"),
            '#' if !started => break,
            '~' if !started && chars.peek() == Some(&'/') => {
                started = true;
                word.push_str(&home.display().to_string());
            }
            c if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                started = true;
                word.push(c);
            }
        }
    }
    if started {
        out.push(word);
    }
    Ok(out)
}

/// Why an example is not run here, if it is not.
pub(crate) fn skipped(first: &[String]) -> Option<&'static str> {
    match first.get(1).map(String::as_str) {
        Some("collect") => Some("a live tenant"),
        Some("import") => Some("the user's own export files"),
        Some("diff") => Some("two snapshots"),
        Some("review") if first.get(2).map(String::as_str) == Some("apply") => {
            Some("a sheet a reviewer filled in")
        }
        _ => None,
    }
}

/// Runs one example line in `dir` with `home` as HOME: each `&&` part in turn,
/// `mkdir -p` made here, `> FILE` writing nothing (stdout is not looked at).
pub(crate) fn run_example(
    line: &str,
    dir: &Path,
    home: &Path,
    vars: &[(String, String)],
) -> Result<(), String> {
    let all = match words(line, home, vars) {
        Ok(w) => w,
        Err(why) => {
            eprintln!("not run ({why}): {line}");
            return Ok(());
        }
    };
    for part in all.split(|w| w == "&&") {
        if part.first().map(String::as_str) == Some("mkdir") {
            for d in part.iter().skip(1).filter(|w| !w.starts_with('-')) {
                std::fs::create_dir_all(dir.join(d)).unwrap();
            }
            continue;
        }
        assert_eq!(part[0], "whocan", "{line}");
        if let Some(why) = skipped(part) {
            eprintln!("not run ({why}): {line}");
            return Ok(());
        }
        let args: Vec<&String> = part[1..]
            .iter()
            .scan(false, |redirect, w| {
                let skip = *redirect || w == ">" || w == ">>";
                *redirect = w == ">" || w == ">>";
                Some((skip, w))
            })
            .filter(|(skip, _)| !skip)
            .map(|(_, w)| w)
            .collect();
        let ran = run()
            .current_dir(dir)
            .env("HOME", home)
            .args(args.iter().map(|s| s.as_str()))
            .output();
        let no_is_an_answer = matches!(part[1].as_str(), "can" | "verify");
        match ran.code {
            Some(0) => {}
            Some(1) if no_is_an_answer => {}
            _ => return Err(format!("{line}\n{}", ran.transcript())),
        }
    }
    Ok(())
}

#[test]
fn every_help_example_runs_on_the_demo_database_with_no_db() {
    let s = Scratch::new();
    let dir = s.dir();
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut lines: Vec<String> = commands().iter().flat_map(|c| examples(c)).collect();
    lines.dedup();
    // The demo first (it makes whocan.db), verify last (it reads seal's receipt).
    let rank = |l: &String| {
        if l.starts_with("whocan demo") {
            0
        } else if l.starts_with("whocan verify") {
            2
        } else {
            1
        }
    };
    lines.sort_by_key(rank);
    assert!(lines.len() > 40, "{lines:#?}");
    let mut failed = Vec::new();
    for line in &lines {
        if rank(line) == 1 && !dir.join("whocan.db").exists() {
            panic!("no demo example made whocan.db (the README's database) before: {line}");
        }
        if let Err(e) = run_example(line, dir, &home, &[]) {
            failed.push(e);
        }
    }
    assert!(
        failed.is_empty(),
        "{} --help examples fail on the demo's database:\n\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}
