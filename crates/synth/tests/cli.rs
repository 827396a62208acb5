//! The `whocan-synth` binary as a user runs it.

use std::process::Command;

fn synth() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whocan-synth"))
}

#[test]
fn writes_a_small_tenant_and_prints_its_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tenant");
    let run = synth()
        .args(["--profile", "small", "--seed", "1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        out.display().to_string()
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("wrote "), "{stderr}");
    assert!(out.join("directory").is_dir() || std::fs::read_dir(&out).unwrap().count() > 3);
}

#[test]
fn a_non_empty_out_is_refused_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.json"), "[]").unwrap();
    let run = synth().arg("--out").arg(tmp.path()).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("not empty"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("keep.json")).unwrap(),
        "[]"
    );
}
