//! Feedback on stderr for long steps (issue 14): a spinner saying what is being
//! done, drawn only when stderr is a terminal, cleared before anything else is
//! printed; piped, stderr holds the messages alone and no terminal control.
//!
//! The terminal is a pseudo-terminal made by util-linux `script`; those tests
//! skip, saying so, where it is missing.

use std::path::Path;
use std::process::Command;

use crate::support::{bin, Scratch};

/// `whocan --db DB ARGS` run on a pseudo-terminal (stdout and stderr both on
/// it), its whole transcript; `None` after saying so where `script` is missing.
fn on_terminal(db: &Path, dir: &Path, args: &str) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: no `script` (util-linux) to run whocan on a pseudo-terminal");
        return None;
    }
    let line = format!("{} --db {} {args}", bin(), db.display());
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir)
        .env_remove("WHOCAN_DB")
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{line}: {out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Each step the command goes through is named on a terminal, and the last
/// message ("wrote ...") is on a clean line after the spinner is cleared.
#[test]
fn review_names_its_steps_on_a_terminal_and_clears_them() {
    let s = Scratch::new().with_sample();
    let Some(shown) = on_terminal(s.db(), s.dir(), "review --workspace ml-prod --html r.html")
    else {
        return;
    };
    for step in [
        "reading the snapshot",
        "planning the rows for 1 scope",
        "making 38 rows",
        "checking findings (lint) for the reviewed scopes",
        "writing r.html",
    ] {
        assert!(shown.contains(step), "{step}: {shown:?}");
    }
    let wrote = shown.rfind("wrote r.html").expect("the wrote line");
    // The spinner's line is erased (ESC[2K) before the message is printed.
    assert!(shown[..wrote].ends_with("\r\u{1b}[2K"), "{shown:?}");
}

#[test]
fn verify_names_its_step_on_a_terminal() {
    let s = Scratch::new().with_sample();
    let Some(shown) = on_terminal(s.db(), s.dir(), "verify --format table") else {
        return;
    };
    assert!(
        shown.contains("recomputing every snapshot's hashes"),
        "{shown:?}"
    );
    assert!(shown.contains("The 1 check passes"), "{shown:?}");
}

/// Piped, the steps draw nothing: stderr is the messages alone, stdout the data.
#[test]
fn piped_stderr_carries_no_spinner() {
    let s = Scratch::new().with_sample();
    for args in [
        "review --workspace ml-prod --format csv",
        "review --workspace ml-prod --format table",
        "review plan --workspace ml-prod",
        "lint --format table",
        "diff 1 1 --format table",
        "verify --format table",
    ] {
        let ran = s.run().words(args).output();
        let err = ran.stderr();
        assert!(
            !err.contains(['\r', '\u{1b}']) && !err.contains("reading"),
            "{args}: {err:?}"
        );
    }
}
