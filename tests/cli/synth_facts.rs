//! whocan-synth's resource facts (issue 15's data): a small synthetic tenant
//! imports with its workspaces' links, datastores and compute identities counted,
//! and `--effective` and `lint` find the escalations they make possible.

use std::path::Path;

use serde_json::Value;

use crate::support::{on, Scratch};

fn small_tenant(s: &Scratch) -> Value {
    let data = s.path("synth");
    whocan_synth::write_tenant(whocan_synth::Profile::Small, 1, &data, None).unwrap();
    on(s.db())
        .args([
            "import",
            "--format",
            "json",
            "--taken-at",
            "2026-11-01T00:00:00Z",
        ])
        .arg(&data)
        .ok_json()
}

fn workspace_names(data: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(data.join("resources/workspaces.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_small_synthetic_tenant_imports_with_its_resource_facts_counted() {
    let s = Scratch::new();
    let summary = small_tenant(&s);
    let c = &summary["counts"];
    let sizes = whocan_synth::Sizes::of(whocan_synth::Profile::Small);
    assert_eq!(c["workspaceLinks"], sizes.workspaces as u64, "{c}");
    let datastores: usize = (0..sizes.workspaces)
        .map(whocan_synth::Sizes::datastores_of)
        .sum();
    assert_eq!(c["datastores"], datastores as u64, "{c}");
    // A workspace identity each, and an identity per compute.
    assert_eq!(
        c["assignedIdentities"],
        (sizes.workspaces + sizes.computes) as u64,
        "{c}"
    );
    assert!(c["userAssignedIdentities"].as_u64().unwrap() >= 1, "{c}");
    assert_eq!(c["storageSharedKeySettings"], sizes.rgs as u64, "{c}");
    assert_eq!(
        c["keyVaultPermissionModels"], sizes.workspaces as u64,
        "{c}"
    );
    // The facts' records agree with the resource list: no duplicate flagged.
    let flags = summary["flags"].as_array().unwrap();
    assert!(
        !flags.iter().any(|f| f["kind"] == "duplicate-object"),
        "{flags:?}"
    );
    assert_eq!(c["roleAssignments"], sizes.assignments as u64);
}

#[test]
fn effective_finds_submit_job_chains_and_lint_finds_keys_give_data_on_a_synthetic_tenant() {
    let s = Scratch::new();
    small_tenant(&s);
    let workspaces = workspace_names(&s.path("synth"));
    let mut chains = 0;
    for ws in &workspaces {
        let v = on(s.db())
            .args(["who", "--activity", "read-training-data", "--workspace", ws])
            .args(["--effective", "--format", "json"])
            .ok_json();
        for e in v["escalations"].as_array().unwrap() {
            assert_eq!(e["access"], "escalation");
            if e["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|st| st["step"] == "submit-job")
            {
                chains += 1;
            }
        }
    }
    assert!(chains >= 1, "no submit-job chain in {workspaces:?}");

    let lint = on(s.db()).args(["lint", "--format", "json"]).ok_json();
    let kinds: Vec<&str> = lint["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"keys-give-data"), "{kinds:?}");
    assert!(kinds.contains(&"escalation-to-owner"), "{kinds:?}");
}
