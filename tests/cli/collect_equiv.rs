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

/// Every file under `dir` but the ledger, by relative path, with its bytes.
fn data_files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
                if rel != "collection.json" {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The ledger's entries without what depends on timing (retries), sorted.
fn ledger_entries(dir: &Path) -> (Value, BTreeSet<String>) {
    let l: Value =
        serde_json::from_slice(&std::fs::read(dir.join("collection.json")).unwrap()).unwrap();
    let entries = l["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("retries");
            e.to_string()
        })
        .collect();
    (l["complete"].clone(), entries)
}

#[test]
fn a_killed_collection_resumes_to_the_same_result_with_fewer_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let synth_dir = tmp.path().join("synth");
    whocan_synth::write_tenant(whocan_synth::Profile::Small, 1, &synth_dir, None).unwrap();
    let synth = Synth::load(&synth_dir);
    let workspaces = synth.workspaces();
    let fake = serve_synth(synth, PAGE);
    let collect = |db: &Path, out: &Path| {
        let mut cmd = std::process::Command::new(crate::support::bin());
        cmd.env_remove("WHOCAN_DB")
            .env("WHOCAN_ARM_TOKEN", TOKEN)
            .env("WHOCAN_GRAPH_TOKEN", TOKEN)
            .env("WHOCAN_COLLECT_MAX_WAIT_MS", "10")
            .arg("--db")
            .arg(db)
            .args(["collect", "--out"])
            .arg(out)
            .args([
                "--arm-url",
                &fake.base,
                "--graph-url",
                &fake.base,
                "--concurrency",
                "4",
            ]);
        cmd
    };

    // Uninterrupted.
    let full_out = tmp.path().join("full");
    let full_db = tmp.path().join("full.db");
    let r = collect(&full_db, &full_out).output().unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let full_requests = fake.served();

    // Killed once the fake has answered 60% of that and holds the rest unanswered.
    let part_out = tmp.path().join("part");
    let part_db = tmp.path().join("part.db");
    let answered = full_requests * 3 / 5;
    let before = fake.served();
    fake.hold_after(answered);
    let mut child = collect(&part_db, &part_out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let reached = fake.wait_for(before + answered + 1, std::time::Duration::from_secs(60));
    // What had been read is on disk (the ledger saver runs a few times a second).
    std::thread::sleep(std::time::Duration::from_millis(600));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reached, "the collection never reached the held request");
    fake.release();
    // The held requests of the killed run are answered (to no one) first.
    std::thread::sleep(std::time::Duration::from_millis(300));

    // Nothing half-done looks done: every data file there is, byte for byte, the
    // file the uninterrupted run wrote (all of a list or nothing), and the ledger
    // says the collection is not complete.
    let full_files = data_files(&full_out);
    let part_files = data_files(&part_out);
    assert!(!part_files.is_empty() && part_files.len() < full_files.len());
    for (rel, bytes) in &part_files {
        assert!(
            !rel.ends_with(".whocan-tmp"),
            "{rel}: a temporary file left where import could see it"
        );
        assert_eq!(
            Some(bytes),
            full_files.get(rel),
            "{rel} differs from the full run's"
        );
    }
    // A read's files are all there or none is (a list of several pages is never
    // cut short on disk).
    let full_ledger: Value =
        serde_json::from_slice(&std::fs::read(full_out.join("collection.json")).unwrap()).unwrap();
    for e in full_ledger["entries"].as_array().unwrap() {
        let files: Vec<&str> = e["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        let present = files
            .iter()
            .filter(|f| part_files.contains_key(**f))
            .count();
        assert!(
            present == 0 || present == files.len(),
            "{e}: {present} of its files"
        );
    }
    let (complete, entries) = ledger_entries(&part_out);
    assert_eq!(complete, false);
    assert!(
        entries.iter().any(|e| e.contains(r#""status":"pending""#)),
        "the held read is pending: {entries:?}"
    );
    // Importing the interrupted export as it is says it is incomplete.
    run_ok(whocan(&part_db).arg("import").arg(&part_out));
    let snaps = crate::support::snapshots(&part_db);
    assert_eq!(snaps[0]["collection"]["complete"], false, "{snaps:?}");

    // Resumed: fewer requests than a whole run, and the same files and ledger.
    let start = fake.served();
    let r = collect(&part_db, &part_out)
        .arg("--resume")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr).to_string();
    assert_eq!(r.status.code(), Some(0), "{stderr}");
    let resumed_requests = fake.served() - start;
    assert!(
        resumed_requests > 0 && resumed_requests < full_requests,
        "resumed with {resumed_requests} requests, a whole run takes {full_requests}"
    );
    assert!(stderr.contains("already complete (resumed)"), "{stderr}");
    assert_eq!(data_files(&part_out), full_files);
    assert_eq!(ledger_entries(&part_out), ledger_entries(&full_out));

    // And the same answers.
    let (a, b) = (tmp.path().join("a.db"), tmp.path().join("b.db"));
    run_ok(whocan(&a).arg("import").arg(&full_out));
    run_ok(whocan(&b).arg("import").arg(&part_out));
    for ws in &workspaces {
        for action in [
            "Microsoft.MachineLearningServices/workspaces/read",
            "Microsoft.MachineLearningServices/workspaces/computes/write",
        ] {
            assert_eq!(
                who(&a, action, ws),
                who(&b, action, ws),
                "who {action} {ws}"
            );
        }
        assert_eq!(review(&a, ws), review(&b, ws), "review {ws}");
    }
}
