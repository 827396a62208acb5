//! Helpers shared by the CLI test modules: running the built binary against a
//! private database, reading its JSON, and finding the shared reference data.
//!
//! Helpers never touch a user's database or environment: every command gets an
//! explicit `--db` and `WHOCAN_DB` is removed.

use std::path::{Path, PathBuf};

/// The `whocan` binary cargo built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_whocan")
}

/// `whocan --db DB ...`, with `WHOCAN_DB` cleared.
pub fn whocan(db: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin());
    cmd.env_remove("WHOCAN_DB").arg("--db").arg(db);
    cmd
}

/// `../shared` beside the crate, or None (with a note) when absent.
pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

/// Parses a command's stdout as JSON.
pub fn stdout_json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `whocan snapshots --format json`, as an array.
pub fn snapshots(db: &Path) -> Vec<serde_json::Value> {
    let out = whocan(db)
        .args(["snapshots", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match stdout_json(&out) {
        serde_json::Value::Array(a) => a,
        other => panic!("expected an array, got {other}"),
    }
}

/// Writes `text` to `dir/name`, creating parent directories.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}
