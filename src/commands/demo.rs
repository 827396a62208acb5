//! `whocan demo`: import the bundled contoso tenant into a scratch database and ask
//! it the questions an access review starts with.
//!
//! It runs no other command: it shares their work (`import::import`,
//! `who::answer`, `can::answer`, `what::answer`) and writes their answers and
//! its own headings (`report::demo`) to one stdout.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{CanArgs, Format, ImportArgs, ScopeArgs, SnapshotArgs, WhatArgs, WhoArgs};
use crate::report::{self, demo};

use super::{Outcome, UsageError};

/// sample-data/ beside the sources (a `cargo run` checkout), else in the working directory.
fn sample_dir(asked: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = asked {
        return Ok(p);
    }
    let candidates = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"),
        PathBuf::from("sample-data"),
    ];
    candidates.into_iter().find(|p| p.is_dir()).ok_or_else(|| {
        UsageError("sample-data/ not found; run from a whocan checkout or pass --data DIR".into())
            .into()
    })
}

fn ws(name: &str) -> ScopeArgs {
    ScopeArgs {
        scope: None,
        workspace: Some(name.to_string()),
    }
}

fn latest() -> SnapshotArgs {
    SnapshotArgs {
        snapshot: None,
        as_of: None,
    }
}

fn who(
    out: &mut dyn Write,
    db: &Path,
    actions: &[&str],
    activity: Option<&str>,
    workspace: &str,
    explain: bool,
) -> anyhow::Result<()> {
    super::who::answer(
        db,
        &WhoArgs {
            effective: false,
            actions: actions.iter().map(|s| s.to_string()).collect(),
            activity: activity.map(str::to_string),
            all_paths: false,
            scope: ws(workspace),
            data: false,
            allow_unknown_action: false,
            include_groups: false,
            explain,
            format: Some(Format::Table),
            graph: None,
            anywhere: false,
            snapshot: latest(),
        },
        out,
    )?;
    Ok(())
}

fn can(
    out: &mut dyn Write,
    db: &Path,
    principal: &str,
    actions: &[&str],
    activity: Option<&str>,
    workspace: &str,
    effective: bool,
) -> anyhow::Result<()> {
    super::can::answer(
        db,
        &CanArgs {
            effective,
            principal: principal.to_string(),
            actions: actions.iter().map(|s| s.to_string()).collect(),
            activity: activity.map(str::to_string),
            all_paths: false,
            scope: ws(workspace),
            data: false,
            allow_unknown_action: false,
            explain: false,
            format: Some(Format::Table),
            graph: None,
            snapshot: latest(),
        },
        out,
    )?;
    Ok(())
}

/// `db`: a `--db` given on the command line, which keeps the demo's database
/// there as `--keep` does.
pub(crate) fn run(args: crate::cli::DemoArgs, db: Option<&Path>) -> anyhow::Result<Outcome> {
    let data = sample_dir(args.data)?;
    let keep = match (args.keep, db) {
        (Some(k), Some(d)) if k != d => {
            return Err(UsageError(format!(
            "--db {} and --keep {} name two databases for the demo to keep\nhint: give one of them",
            d.display(),
            k.display()
        ))
            .into())
        }
        (Some(k), _) => Some(k),
        (None, d) => d.map(Path::to_path_buf),
    };
    let (db, _scratch) = match keep {
        Some(p) if std::fs::symlink_metadata(&p).is_ok() => {
            return Err(UsageError(format!(
                "{} already exists: the demo imports into a new database, so that it never adds a snapshot to one you keep\nhint: ask it directly (whocan --db {} who ... ), or choose a path that does not exist",
                p.display(),
                p.display()
            ))
            .into())
        }
        Some(p) => (p, None),
        None => {
            // A fresh directory of our own (random name, mode 0700), removed on
            // exit: nothing another user planted in the temp directory is opened.
            let dir = tempfile::Builder::new().prefix("whocan-demo-").tempdir()?;
            (dir.path().join("demo.db"), Some(dir))
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let out: &mut dyn Write = &mut out;
    demo::heading(out, &format!("whocan import {}", data.display()))?;
    let (snapshot, imported) = super::import::import(
        &db,
        &ImportArgs {
            paths: vec![data],
            label: Some("contoso demo".into()),
            taken_at: None,
            format: Some(Format::Table),
        },
    )?;
    report::import::brief(out, &snapshot, &imported)?;
    drop(imported);

    const ML: &str = "Microsoft.MachineLearningServices/workspaces";
    let computes_write = format!("{ML}/computes/write");
    let ws_delete = format!("{ML}/delete");

    demo::heading(out, "Who can create or change compute on ml-dev?")?;
    who(out, &db, &[&computes_write], None, "ml-dev", false)?;

    demo::heading(out, "Can Alice (Data Scientist Custom, Actions: *) delete ml-dev? NotActions `workspaces/*/delete` says no")?;
    can(
        out,
        &db,
        "alice.nguyen@contoso.com",
        &[&ws_delete],
        None,
        "ml-dev",
        false,
    )?;

    demo::heading(
        out,
        "Bob holds Data Scientist Custom too, but AzureML Compute Operator grants what it excludes",
    )?;
    can(
        out,
        &db,
        "bob.okafor@contoso.com",
        &[&computes_write],
        None,
        "ml-dev",
        false,
    )?;

    demo::heading(
        out,
        "Who can delete ml-prod? A deny assignment and PIM eligibility, explained",
    )?;
    who(out, &db, &[&ws_delete], None, "ml-prod", true)?;

    demo::heading(
        out,
        "Who can submit a V1 run on ml-test (an activity: every operation it needs)?",
    )?;
    who(out, &db, &[], Some("submit-run-v1"), "ml-test", false)?;

    demo::heading(
        out,
        "Can a Contributor create a custom role? The doc says yes, the role says no",
    )?;
    can(
        out,
        &db,
        "dave.kim@contoso.com",
        &[],
        Some("create-custom-role"),
        "ml-dev",
        false,
    )?;

    demo::heading(
        out,
        "Priya cannot change ml-dev by RBAC, but can give herself a role that can (--effective)",
    )?;
    can(
        out,
        &db,
        "priya.raman@fabrikam.com",
        &[&format!("{ML}/write")],
        None,
        "ml-dev",
        true,
    )?;

    demo::heading(out, "What can the MLOps deployment service principal do on ml-prod (Microsoft.MachineLearningServices)?")?;
    super::what::answer(
        &db,
        &WhatArgs {
            principal: "contoso-mlops-deploy".into(),
            scope: ws("ml-prod"),
            provider: Some("Microsoft.MachineLearningServices".into()),
            format: Some(Format::Table),
            snapshot: latest(),
        },
        out,
    )?;
    demo::try_it(
        out,
        &computes_write,
        _scratch.is_none().then_some(db.as_path()),
    )?;
    out.flush()?;
    Ok(Outcome::Success)
}
