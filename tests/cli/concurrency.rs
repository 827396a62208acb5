//! Readers query while an import runs: WAL lets `who` and `snapshots` read the
//! last committed snapshot while a long import holds the write transaction.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{bin, whocan};

#[test]
fn readers_query_while_an_import_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    whocan(&db).arg("import").arg(&sample).assert().success();

    let big = dir.path().join("big");
    whocan_synth::write_tenant(whocan_synth::Profile::Large, 7, &big, None).unwrap();

    let mut child = Command::new(bin())
        .env_remove("WHOCAN_DB")
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&big)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    let started = Instant::now();
    let mut answered_during_import = 0;
    while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(300) {
        let out = whocan(&db)
            .args([
                "who",
                "Microsoft.MachineLearningServices/workspaces/computes/write",
                "--workspace",
                "ml-dev",
                "--format",
                "json",
                "--snapshot",
                "1",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["snapshot"]["id"], 1,
            "readers see the last committed snapshot"
        );
        if child.try_wait().unwrap().is_none() {
            answered_during_import += 1;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(
        answered_during_import > 0,
        "the import finished before any query could run alongside it"
    );
    let snaps = crate::support::snapshots(&db);
    assert_eq!(snaps.len(), 2);
}
