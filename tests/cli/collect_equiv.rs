//! `whocan collect --import` against a fake ARM + Graph that serves a synthetic
//! tenant (whocan-synth's small profile) through the REST shapes, compared with
//! `whocan import` of the synth's own export files: the same workspaces must have the
//! same answers.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::collect::TOKEN;
use super::fake_azure::{s, serve_synth, Synth};
use super::support::whocan;

/// Small pages, so that most lists take several (the small tenant has lists of 4 to 30).
const PAGE: usize = 7;

fn run_ok(cmd: &mut assert_cmd::Command) -> Vec<u8> {
    let r = cmd.output().unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    r.stdout
}

/// (principal id, access) of `who`, the ids eligible and denied, and `incomplete`.
type WhoAnswer = (
    BTreeSet<(String, String)>,
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeSet<String>,
);

fn who(db: &Path, action: &str, ws: &str) -> WhoAnswer {
    let out = run_ok(whocan(db).args(["who", action, "--workspace", ws, "--format", "json"]));
    let v: Value = serde_json::from_slice(&out).unwrap();
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    (
        list("principals")
            .iter()
            .map(|p| (s(p, "id").to_ascii_lowercase(), s(p, "access")))
            .collect(),
        list("eligible")
            .iter()
            .map(|p| s(p, "id").to_ascii_lowercase())
            .collect(),
        list("denied")
            .iter()
            .map(|p| s(p, "id").to_ascii_lowercase())
            .collect(),
        list("incomplete").iter().map(Value::to_string).collect(),
    )
}

fn review(db: &Path, ws: &str) -> BTreeSet<String> {
    let out = run_ok(whocan(db).args(["review", "--workspace", ws, "--format", "csv"]));
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn collect_then_import_answers_as_the_export_files_do() {
    let tmp = tempfile::tempdir().unwrap();
    let synth_dir = tmp.path().join("synth");
    whocan_synth::write_tenant(whocan_synth::Profile::Small, 1, &synth_dir, None).unwrap();
    let synth = Synth::load(&synth_dir);
    let workspaces = synth.workspaces();
    assert!(workspaces.len() >= 2, "{workspaces:?}");
    let fake = serve_synth(synth, PAGE);

    let a = tmp.path().join("a.db");
    let b = tmp.path().join("b.db");
    let out = tmp.path().join("out");
    let r = whocan(&a)
        .env("WHOCAN_ARM_TOKEN", TOKEN)
        .env("WHOCAN_GRAPH_TOKEN", TOKEN)
        .env("WHOCAN_COLLECT_MAX_WAIT_MS", "10")
        .args(["collect", "--out"])
        .arg(&out)
        .args([
            "--import",
            "--arm-url",
            &fake.base,
            "--graph-url",
            &fake.base,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr).to_string();
    assert_eq!(r.status.code(), Some(0), "{stderr}");
    run_ok(whocan(&b).arg("import").arg(&synth_dir));

    let ledger: Value =
        serde_json::from_slice(&std::fs::read(out.join("collection.json")).unwrap()).unwrap();
    let not_complete: Vec<&Value> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] != "complete")
        .collect();
    // Only what the synth has no data for is not read: the members of its group
    // "without member data" and the catalogues of providers it does not write (Azure
    // would answer both). The synth import knows as little, so the answers agree.
    for e in &not_complete {
        assert_eq!(e["httpStatus"], 404, "{e}");
        assert!(
            e["collection"] == "groupMembers" || e["collection"] == "providerOperations",
            "{e}"
        );
    }
    assert!(
        ledger["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["pages"].as_u64() > Some(1)),
        "no list was paged"
    );

    let mut diffs = Vec::new();
    let mut answered = 0;
    for ws in &workspaces {
        for action in [
            "Microsoft.MachineLearningServices/workspaces/read",
            "Microsoft.MachineLearningServices/workspaces/computes/write",
            "Microsoft.Authorization/roleAssignments/write",
        ] {
            let (wa, wb) = (who(&a, action, ws), who(&b, action, ws));
            if wa != wb {
                diffs.push(format!(
                    "who {action} --workspace {ws}:\n  collected only: {:?} / {:?} / {:?} / {:?}\n  exported only: {:?} / {:?} / {:?} / {:?}",
                    wa.0.difference(&wb.0).collect::<Vec<_>>(),
                    wa.1.difference(&wb.1).collect::<Vec<_>>(),
                    wa.2.difference(&wb.2).collect::<Vec<_>>(),
                    wa.3.difference(&wb.3).collect::<Vec<_>>(),
                    wb.0.difference(&wa.0).collect::<Vec<_>>(),
                    wb.1.difference(&wa.1).collect::<Vec<_>>(),
                    wb.2.difference(&wa.2).collect::<Vec<_>>(),
                    wb.3.difference(&wa.3).collect::<Vec<_>>(),
                ));
            }
            answered += wa.0.len();
        }
        let (ra, rb) = (review(&a, ws), review(&b, ws));
        assert!(ra.len() > 1, "review of {ws} is empty");
        if ra != rb {
            diffs.push(format!(
                "review --workspace {ws}:\n  collected only: {:#?}\n  exported only: {:#?}",
                ra.difference(&rb).collect::<Vec<_>>(),
                rb.difference(&ra).collect::<Vec<_>>()
            ));
        }
    }
    assert!(answered > 0, "no principal in any answer");
    assert!(
        diffs.is_empty(),
        "collect stderr: {stderr}\n{}",
        diffs.join("\n")
    );
}
