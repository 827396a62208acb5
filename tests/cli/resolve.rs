//! SPEC §3, "Nothing is answered about what is not there": principals, scopes,
//! workspaces, actions and activities that a snapshot does not know are errors
//! (exit 2) that say what was not found and offer the closest names; what it does
//! know is found by every name it goes by (object id, appId, UPN, mail, other
//! mails, display name; case and accents do not matter).
//!
//! The sample tenant is imported once per test process through the library, with
//! a few additions the sample files do not carry (a guest's mail and other mails,
//! a device in a member list, an assignment below a resource group that no
//! inventory lists), so the tests hold whatever the importer reads of `mail`.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

use whocan::model::{MemberEdge, Principal, PrincipalKind};
use whocan::store::{NewSnapshot, Store};

use crate::support::{on, stdout_json, whocan};

const SUB_ML: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const COMPUTE_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/computes/write";
const COMPUTE_WRITE_TYPO: &str = "Microsoft.MachineLearningServices/workspaces/compute/write";

const MARIA: &str = "68281d4a-0af8-4a60-a548-7b378e9854ca";
const JORDAN: &str = "1eb222f4-273e-4d76-a8d9-e7db40b1fdee";
const JORDAN_MAIL: &str = "jordan.blake@northwindaudit.com";
const PRIYA: &str = "1501b195-5b9c-4bfc-b2ee-861dd686de13";
const PRIYA_OTHER_MAIL: &str = "priya.raman@fabrikam-partners.example";
const TOMAS: &str = "4d14b793-512a-48ac-b3eb-2e141715eeca";
const CICD: &str = "682e4023-ba88-447f-937a-67650b7dccb2";
const CICD_APP_ID: &str = "c4442b4c-3f09-43d2-ab29-d207a2785da0";
const ORPHAN: &str = "b9539884-dcb9-46e1-a4d2-441c2ab481c3";
const QUINN: &str = "a4c48110-ba83-464b-9ed3-0bb300335abc";
const G_COMMUNITY: &str = "26434bb1-6162-456f-8580-60ec83120ec6";
/// In no listing and named by nothing.
const NOBODY: &str = "0d15ea5e-0000-4000-8000-00000000b0d1";
/// A device in ML Community's member list (an edge only).
const DEVICE_EDGE: &str = "de71ce00-0000-4000-8000-000000000001";
/// A device with a record of its own (a member file's entry).
const DEVICE_RECORD: &str = "de71ce00-0000-4000-8000-000000000002";
/// A resource group that no inventory lists; an assignment below it names it.
const RG_LEGACY: &str = "rg-legacy";

struct Fixture {
    _dir: TempDir,
    db: PathBuf,
}

/// The sample tenant plus the additions above, written once per test process.
fn db() -> &'static Path {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    &FIXTURE
        .get_or_init(|| {
            let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
            let mut imported = whocan::import::read_inputs(&[sample], false).unwrap();
            let t = &mut imported.tenant;
            for p in &mut t.principals {
                if p.id == JORDAN {
                    p.mail = Some(JORDAN_MAIL.into());
                }
                if p.id == PRIYA {
                    p.other_mails = vec![PRIYA_OTHER_MAIL.into()];
                }
            }
            t.member_edges.push(MemberEdge {
                group_id: G_COMMUNITY.into(),
                member_id: DEVICE_EDGE.into(),
                member_kind: Some(PrincipalKind::Device),
            });
            t.member_edges.push(MemberEdge {
                group_id: G_COMMUNITY.into(),
                member_id: DEVICE_RECORD.into(),
                member_kind: Some(PrincipalKind::Device),
            });
            t.principals.push(Principal {
                id: DEVICE_RECORD.into(),
                kind: PrincipalKind::Device,
                display_name: "Kiosk Laptop 7".into(),
                from_member_list: true,
                ..Principal::default()
            });
            let mut legacy = t.assignments[0].clone();
            let scope = format!(
                "{SUB_ML}/resourceGroups/{RG_LEGACY}/providers/Microsoft.Storage/storageAccounts/stlegacy01"
            );
            legacy.id = format!(
                "{scope}/providers/Microsoft.Authorization/roleAssignments/5e6f0000-0000-4000-8000-000000000001"
            );
            legacy.scope = scope;
            t.assignments.push(legacy);
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("resolve.db");
            Store::open(&db)
                .unwrap()
                .write_snapshot(
                    &NewSnapshot {
                        taken_at: "2026-11-01T00:00:00Z".into(),
                        label: None,
                        tool_version: "test".into(),
                    },
                    &imported.tenant,
                    &imported.files,
                    &imported.flags,
                )
                .unwrap();
            Fixture { _dir: dir, db }
        })
        .db
}

fn run(args: &[&str]) -> Output {
    whocan(db()).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ws_id(name: &str) -> String {
    let env = name.trim_start_matches("ml-");
    format!(
        "{SUB_ML}/resourceGroups/rg-ml-{env}/providers/Microsoft.MachineLearningServices/workspaces/{name}"
    )
}

/// `can PRINCIPAL ACTION --workspace WS --format json`, which must answer (exit 0
/// or 1): the answer's principal id and scope.
fn can(principal: &str, action: &str, workspace: &str) -> (String, Value) {
    let out = run(&[
        "can",
        principal,
        action,
        "--workspace",
        workspace,
        "--format",
        "json",
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "can {principal:?} did not answer: {}",
        text(&out.stderr)
    );
    let json = stdout_json(&out);
    (
        json["principal"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        json,
    )
}

/// A command that must fail with exit 2, nothing on stdout: its stderr.
fn usage_error(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: stdout {} stderr {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    text(&out.stderr)
}

/// The `did you mean` part of an error, up to its hint.
fn did_you_mean(err: &str) -> &str {
    let from = err
        .find("did you mean")
        .unwrap_or_else(|| panic!("no `did you mean` in: {err}"));
    let to = err[from..].find("\nhint:").map_or(err.len(), |i| from + i);
    &err[from..to]
}

// ---------------------------------------------------------------------------
// Principals
// ---------------------------------------------------------------------------

/// An object id that nothing in the snapshot names is unknown: exit 2, not "no
/// (orphaned)".
#[test]
fn an_object_id_named_nowhere_is_unknown() {
    let err = usage_error(&["can", NOBODY, WS_READ, "--workspace", "ml-prod"]);
    assert!(err.contains("no principal matches"), "{err}");
    assert!(err.contains(NOBODY), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let err = usage_error(&["what", NOBODY, "--workspace", "ml-prod"]);
    assert!(err.contains(NOBODY), "{err}");
}

/// Ids that something names are still answered: the deleted principal of an
/// assignment, a member found only in a member file.
#[test]
fn object_ids_named_by_an_assignment_or_a_member_file_are_answered() {
    let (id, json) = can(ORPHAN, WS_READ, "ml-prod");
    assert_eq!(id, ORPHAN);
    assert_eq!(json["access"], "allowed");
    let (id, _) = can(QUINN, WS_READ, "ml-dev");
    assert_eq!(id, QUINN);
}

/// A service principal by its appId.
#[test]
fn a_service_principal_is_found_by_app_id() {
    let (id, json) = can(CICD_APP_ID, WS_READ, "ml-test");
    assert_eq!(id, CICD, "{json}");
    assert_eq!(json["access"], "allowed");
    let (id, _) = can(&CICD_APP_ID.to_uppercase(), WS_READ, "ml-test");
    assert_eq!(id, CICD);
}

/// A guest by their real mail (`mail`, or one of `otherMails`), not only by the
/// `#EXT#` user principal name.
#[test]
fn a_guest_is_found_by_mail_and_other_mails() {
    let (id, _) = can(JORDAN_MAIL, WS_READ, "ml-prod");
    assert_eq!(id, JORDAN);
    let (id, _) = can(&JORDAN_MAIL.to_uppercase(), WS_READ, "ml-prod");
    assert_eq!(id, JORDAN);
    let (id, _) = can(PRIYA_OTHER_MAIL, WS_READ, "ml-dev");
    assert_eq!(id, PRIYA);
}

/// Display names match whatever the case and the accents.
#[test]
fn display_names_match_without_case_or_accents() {
    for name in ["Maria Gonzalez", "maria  GONZALEZ", "María González"] {
        let (id, _) = can(name, COMPUTE_WRITE, "ml-prod");
        assert_eq!(id, MARIA, "{name}");
    }
    let (id, _) = can("tomas herrera (fabrikam)", WS_READ, "ml-dev");
    assert_eq!(id, TOMAS);
}

/// A name that matches nothing: the closest principals, with their type and id.
#[test]
fn a_misspelt_principal_offers_the_closest() {
    let err = usage_error(&["can", "Maria Gonzales", WS_READ, "--workspace", "ml-prod"]);
    assert!(
        err.starts_with("error: no principal matches \"Maria Gonzales\""),
        "{err}"
    );
    let dym = did_you_mean(&err);
    assert!(dym.contains("María González"), "{err}");
    assert!(dym.contains(MARIA), "{err}");
    assert!(dym.contains("User"), "{err}");
    assert!(err.contains("\nhint: "), "{err}");
    // A part of a name is offered too.
    let err = usage_error(&["what", "alice", "--workspace", "ml-dev"]);
    assert!(did_you_mean(&err).contains("Alice Nguyen"), "{err}");
    // Nothing close: no suggestion, still the hint.
    let err = usage_error(&["can", "zzzzzzzzzzzz", WS_READ, "--workspace", "ml-dev"]);
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

/// Devices are group members, never principals: asking about one is an error
/// that says so, whether it has a record or only a membership edge.
#[test]
fn a_device_is_never_a_principal() {
    for device in [DEVICE_EDGE, DEVICE_RECORD, "Kiosk Laptop 7"] {
        let err = usage_error(&["can", device, WS_READ, "--workspace", "ml-dev"]);
        assert!(err.contains("is a device"), "{device}: {err}");
    }
    // And never offered as a suggestion.
    let err = usage_error(&["can", "Kiosk Laptop", WS_READ, "--workspace", "ml-dev"]);
    assert!(!err.contains("Kiosk Laptop 7"), "{err}");
    assert!(!err.contains(DEVICE_RECORD), "{err}");
}

/// Names are echoed back with their control characters escaped.
#[test]
fn echoed_names_are_sanitised() {
    on(db())
        .args([
            "can",
            "evil\u{1b}[31m\u{202e}name",
            WS_READ,
            "--workspace",
            "ml-dev",
        ])
        .expect(2)
        .stdout_empty()
        .stderr_lacks("\u{1b}")
        .stderr_lacks("\u{202e}")
        .stderr_has("evil\\e[31m\\u{202e}name");
}

// ---------------------------------------------------------------------------
// Scopes and workspaces
// ---------------------------------------------------------------------------

/// A resource group that nothing names is not answered with its ancestors'
/// holders.
#[test]
fn an_unknown_resource_group_is_an_error_offering_the_closest() {
    let asked = format!("{SUB_ML}/resourceGroups/rg-ml-dve");
    let err = usage_error(&["who", WS_READ, "--scope", &asked]);
    assert!(err.contains(&asked), "{err}");
    assert!(
        did_you_mean(&err).contains(&format!("{SUB_ML}/resourceGroups/rg-ml-dev")),
        "{err}"
    );
    let err = usage_error(&[
        "can",
        "alice.nguyen@contoso.com",
        WS_READ,
        "--scope",
        &asked,
    ]);
    assert!(err.contains("is not in snapshot"), "{err}");
    let err = usage_error(&["review", "--scope", &asked, "--format", "json"]);
    assert!(err.contains(&asked), "{err}");
    // Below an unknown resource group, a resource is unknown too.
    let err = usage_error(&[
        "who",
        WS_READ,
        "--scope",
        &format!("{asked}/providers/Microsoft.Storage/storageAccounts/x"),
    ]);
    assert!(err.contains("is not in snapshot"), "{err}");
}

#[test]
fn unknown_subscriptions_and_management_groups_are_errors() {
    let err = usage_error(&[
        "who",
        WS_READ,
        "--scope",
        "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92564",
    ]);
    assert!(did_you_mean(&err).contains(SUB_ML), "{err}");
    let err = usage_error(&[
        "who",
        WS_READ,
        "--scope",
        "/providers/Microsoft.Management/managementGroups/mlx",
    ]);
    assert!(
        did_you_mean(&err).contains("/providers/Microsoft.Management/managementGroups/ml"),
        "{err}"
    );
}

/// A scope is known when an assignment names it or lies below it, even with no
/// inventory; `/` always is.
#[test]
fn scopes_named_only_by_assignments_are_known() {
    let rg = format!("{SUB_ML}/resourceGroups/{RG_LEGACY}");
    for scope in [
        "/".to_string(),
        rg.clone(),
        format!("{rg}/providers/Microsoft.Storage/storageAccounts/stlegacy01"),
    ] {
        let out = run(&["who", WS_READ, "--scope", &scope, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{scope}: {}", text(&out.stderr));
        assert!(
            !text(&out.stderr).contains("inventory"),
            "{scope}: {}",
            text(&out.stderr)
        );
    }
}

/// A resource below a known resource group that nothing names is answered, and
/// flagged as missing from the inventory.
#[test]
fn a_resource_missing_from_the_inventory_is_answered_and_flagged() {
    let asked = format!(
        "{SUB_ML}/resourceGroups/rg-ml-dev/providers/Microsoft.Storage/storageAccounts/stnotlisted"
    );
    let out = run(&["who", WS_READ, "--scope", &asked, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("inventory missing"),
        "{}",
        text(&out.stderr)
    );
    let answer = stdout_json(&out);
    assert_eq!(answer["scope"], asked.as_str());
    let entry = answer["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reason"] == "inventory missing")
        .cloned();
    assert_eq!(
        entry.map(|i| i["scope"].clone()),
        Some(serde_json::json!(asked)),
        "{answer}"
    );
    // `can` carries it too.
    let out = run(&[
        "can",
        "alice.nguyen@contoso.com",
        WS_READ,
        "--scope",
        &asked,
        "--format",
        "json",
    ]);
    assert!(
        stdout_json(&out)["incomplete"]
            .to_string()
            .contains("inventory missing"),
        "{}",
        text(&out.stdout)
    );
    // A question refused for another argument warns of nothing: the refusal
    // is its only message.
    for args in [
        &["can", "nobody-at-all", WS_READ, "--scope", &asked][..],
        &["what", "nobody-at-all", "--scope", &asked],
        &[
            "who",
            "Microsoft.MachineLearningServices/workspaces/notanop",
            "--scope",
            &asked,
        ],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(!err.contains("warning:"), "{args:?}: {err}");
        assert!(err.contains("hint:"), "{args:?}: {err}");
    }
    // A compute the inventory does not list, named as WORKSPACE/COMPUTE.
    let out = run(&[
        "who",
        WS_READ,
        "--workspace",
        "ml-dev/not-a-cluster",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("inventory missing"));
    // A typo of a listed compute is still answered (SPEC §3), and the warning
    // names the compute it is closest to.
    let out = run(&[
        "who",
        WS_READ,
        "--workspace",
        "ml-dev/cpu-clustr",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("(did you mean ")
            && text(&out.stderr).contains("/computes/cpu-cluster?)"),
        "{}",
        text(&out.stderr)
    );
}

/// `--workspace` takes a workspace's (or a compute's) full resource id.
#[test]
fn workspace_accepts_a_resource_id() {
    let id = ws_id("ml-prod");
    let (_, json) = can("alice.nguyen@contoso.com", WS_READ, &id);
    assert_eq!(json["scope"], id.as_str());
    let (_, json) = can("alice.nguyen@contoso.com", WS_READ, &id.to_lowercase());
    assert_eq!(json["scope"], id.as_str());
    let compute = format!("{}/computes/ci-hana-sato", ws_id("ml-dev"));
    let (_, json) = can("hana.sato@contoso.com", COMPUTE_WRITE, &compute);
    assert_eq!(json["scope"], compute.as_str());
    assert_eq!(json["access"], "allowed");
}

#[test]
fn an_unknown_workspace_offers_the_closest() {
    let err = usage_error(&["who", WS_READ, "--workspace", "ml-prd"]);
    assert!(err.contains("no workspace named \"ml-prd\""), "{err}");
    assert!(did_you_mean(&err).contains("ml-prod"), "{err}");
    let asked = format!(
        "{SUB_ML}/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/ml-prd"
    );
    let err = usage_error(&["who", WS_READ, "--workspace", &asked]);
    assert!(did_you_mean(&err).contains(&ws_id("ml-prod")), "{err}");
    let err = usage_error(&["who", WS_READ, "--workspace", SUB_ML]);
    assert!(err.contains("not an AzureML workspace id"), "{err}");
}

// ---------------------------------------------------------------------------
// Actions and activities
// ---------------------------------------------------------------------------

/// An action of a provider whose catalogue was imported must be one of its
/// operations: a misspelt one is not answered through wildcards.
#[test]
fn a_misspelt_action_is_an_error_offering_the_operations() {
    for cmd in [
        vec!["who", COMPUTE_WRITE_TYPO, "--workspace", "ml-prod"],
        vec![
            "can",
            "dave.kim@contoso.com",
            COMPUTE_WRITE_TYPO,
            "--workspace",
            "ml-prod",
        ],
    ] {
        let err = usage_error(&cmd);
        assert!(err.contains(COMPUTE_WRITE_TYPO), "{err}");
        assert!(did_you_mean(&err).contains(COMPUTE_WRITE), "{err}");
        assert!(err.contains("--allow-unknown-action"), "{err}");
    }
    // Case does not matter, and either plane counts.
    let out = run(&[
        "who",
        &COMPUTE_WRITE.to_uppercase(),
        "--workspace",
        "ml-prod",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `--allow-unknown-action` asks anyway.
#[test]
fn allow_unknown_action_asks_anyway() {
    assert_eq!(
        on(db())
            .words(format!(
                "can dave.kim@contoso.com {COMPUTE_WRITE_TYPO} --workspace ml-prod \
                 --allow-unknown-action --format json"
            ))
            .ok_json()["access"],
        "allowed"
    );
}

/// An action of a provider with no imported catalogue is answered as before,
/// with a note (naming the closest catalogued provider when the namespace looks
/// misspelt).
#[test]
fn an_action_of_a_provider_without_catalogue_is_answered_with_a_note() {
    let out = run(&[
        "who",
        "Microsoft.Compute/virtualMachines/read",
        "--scope",
        SUB_ML,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("no operation catalogue of Microsoft.Compute"),
        "{err}"
    );
    let out = run(&[
        "who",
        "Microsoft.MachineLearningServics/workspaces/computes/write",
        "--workspace",
        "ml-prod",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("did you mean Microsoft.MachineLearningServices"),
        "{err}"
    );
}

#[test]
fn an_unknown_activity_offers_the_closest() {
    let err = usage_error(&[
        "who",
        "--activity",
        "submit-run-v3",
        "--workspace",
        "ml-dev",
    ]);
    assert!(err.contains("no activity named \"submit-run-v3\""), "{err}");
    let dym = did_you_mean(&err);
    assert!(
        dym.contains("submit-run-v1") && dym.contains("submit-run-v2"),
        "{err}"
    );
    let err = usage_error(&[
        "can",
        "alice.nguyen@contoso.com",
        "--activity",
        "create-compte",
        "--workspace",
        "ml-dev",
    ]);
    assert!(did_you_mean(&err).contains("create-compute"), "{err}");
}
