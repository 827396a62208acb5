//! `whocan completions` and `whocan man`: generated from the flags the binary has.

use std::os::unix::fs::PermissionsExt;

use crate::support::{run, Scratch};

#[test]
fn completions_for_every_shell_name_the_commands_and_their_flags() {
    for (shell, marker) in [
        ("bash", "_whocan()"),
        ("zsh", "#compdef whocan"),
        ("fish", "complete -c whocan"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[whocan]"),
    ] {
        let out = run()
            .args(["completions", shell])
            .expect(0)
            .stdout_has(marker);
        let script = out.stdout();
        // Subcommands and a flag only one command has are completed.
        // (fish names a long flag without its dashes: `-l workspace`.)
        for word in ["who", "review", "workspace", "all-workspaces"] {
            assert!(script.contains(word), "{shell}: no `{word}` in the script");
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_shells() {
    run()
        .args(["completions", "tcsh"])
        .expect(2)
        .stderr_has("possible values: bash, elvish, fish, powershell, zsh");
}

#[test]
fn man_prints_the_top_page_and_writes_one_page_per_command() {
    run()
        .arg("man")
        .expect(0)
        .stdout_has(".TH whocan 1")
        .stdout_has("Who can do X on Azure Machine Learning workspace W");
    let s = Scratch::new();
    let dir = s.path("man1");
    std::fs::create_dir(&dir).unwrap();
    run()
        .arg("man")
        .arg("--dir")
        .arg(&dir)
        .expect(0)
        .stderr_has("whocan-who.1");
    for page in [
        "whocan.1",
        "whocan-who.1",
        "whocan-review-apply.1",
        "whocan-man.1",
    ] {
        let p = dir.join(page);
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(
            text.starts_with(".ie") || text.contains(".TH"),
            "{page} is not roff"
        );
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{page}");
    }
    let who = std::fs::read_to_string(dir.join("whocan-who.1")).unwrap();
    assert!(
        who.contains("include\\-groups"),
        "who's page lists its flags"
    );
}

/// The pages are written all or none: one that cannot be (its name taken by a
/// directory) used to leave the pages written before it.
#[test]
fn man_pages_are_written_all_or_none() {
    let s = Scratch::new();
    let dir = s.path("man1");
    std::fs::create_dir_all(dir.join("whocan-who.1")).unwrap();
    run()
        .arg("man")
        .arg("--dir")
        .arg(&dir)
        .expect(2)
        .stderr_has("whocan-who.1: is a directory")
        .stderr_lacks("wrote ");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["whocan-who.1"]);
}

#[test]
fn man_into_a_missing_directory_says_how_to_make_it() {
    let s = Scratch::new();
    run()
        .arg("man")
        .arg("--dir")
        .arg(s.path("nope"))
        .expect(2)
        .stderr_has("is not a directory")
        .stderr_has("hint: create it first");
}

/// `-w`, `-s`, `-f` and the az CLI's `--output` ask the same as the long flags.
#[test]
fn short_flags_and_the_output_alias_ask_the_same_question() {
    let long = crate::support::sample()
        .words("who Microsoft.MachineLearningServices/workspaces/computes/write --workspace ml-dev --format json")
        .expect(0)
        .stdout();
    for words in [
        "who Microsoft.MachineLearningServices/workspaces/computes/write -w ml-dev -f json",
        "who Microsoft.MachineLearningServices/workspaces/computes/write -w ml-dev --output json",
    ] {
        assert_eq!(
            crate::support::sample().words(words).expect(0).stdout(),
            long,
            "{words}"
        );
    }
    let scope = crate::support::sample()
        .words("who Microsoft.MachineLearningServices/workspaces/read -s / -f csv")
        .expect(0)
        .stdout();
    assert!(scope.starts_with("principal_id,"), "{scope}");
}

/// Every command's help has an example section.
#[test]
fn every_command_has_examples() {
    for cmd in [
        "import",
        "snapshots",
        "who",
        "can",
        "what",
        "activities",
        "demo",
        "review",
        "review apply",
        "review plan",
        "diff",
        "verify",
        "seal",
        "lint",
        "collect",
        "completions",
        "man",
    ] {
        run()
            .words(format!("{cmd} --help"))
            .expect(0)
            .stdout_has("Examples:");
    }
}

/// Progress is for terminals: piped, stderr carries only the messages it always
/// did (no spinner text, no terminal escapes).
#[test]
fn no_progress_on_a_pipe() {
    let s = Scratch::new();
    let ran = run()
        .arg("--db")
        .arg(s.db())
        .arg("import")
        .arg(crate::support::sample_data())
        .expect(0);
    let err = ran.stderr();
    assert!(!err.contains("writing the snapshot"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
    let err = crate::support::on(s.db())
        .words("lint -f json")
        .expect(0)
        .stderr();
    assert!(!err.contains("checking roles"), "{err}");
}
