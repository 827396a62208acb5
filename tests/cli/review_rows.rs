//! The rows of a review at any scale (SPEC §5, issue 13): access held above several
//! reviewed targets is one row where it is held, with `covers`; the rows stand for
//! exactly the (principal, assignment, path, target) set of one review per target;
//! `blocked_by` and `window` on rows; the row count and size estimated before
//! anything is written and `--max-rows` refusing before a byte is; a review to a
//! pipe is CSV that `review apply` reads back; sheets with or without the new
//! columns are applied.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::review::{
    apply, fresh, import, ok, parse_csv, review_csv, review_json, sample, sample_data, text,
    write_sheet, ws_id, Csv, GREG, HEADER, MG_ML, OLD_HEADER, SUB_ML,
};
use crate::support::whocan;

// ---------------------------------------------------------------------------
// Deduplicated rows cover exactly what one review per target gives
// ---------------------------------------------------------------------------

/// What a row says of one (access, target): principal, assignment, the denies
/// that block it there.
type Facts = (String, String, String);

/// Each target's ancestors that hold access, by target key.
type Above = HashMap<String, BTreeSet<String>>;

/// (review key, target key) → facts, from one `review --scope T` per target.
/// Also each target's ancestors that hold access (the scopes of its rows held at
/// or above it), the target included.
fn per_target(db: &Path, targets: &[String]) -> (BTreeMap<(String, String), Facts>, Above) {
    let mut tuples = BTreeMap::new();
    let mut above: HashMap<String, BTreeSet<String>> = HashMap::new();
    for t in targets {
        let tk = t.to_lowercase();
        let sheet = review_csv(db, &["--scope", t]);
        let anc = above.entry(tk.clone()).or_default();
        anc.insert(tk.clone());
        for r in &sheet.rows {
            assert_eq!(r["covers"], "1", "one target: every row covers it: {r:?}");
            if r["inherited"] == "true" {
                anc.insert(r["assignment_scope"].to_lowercase());
            }
            let facts = (
                r["principal_id"].clone(),
                r["assignment_id"].clone(),
                r["blocked_by"].clone(),
            );
            let prev = tuples.insert((r["review_key"].clone(), tk.clone()), facts);
            assert!(prev.is_none(), "a key twice in the review of {t}: {r:?}");
        }
    }
    (tuples, above)
}

/// The (review key, target key) tuples a multi-target sheet stands for: a row of a
/// target is itself; a row held above several stands for every target below its
/// scope that has no row of its own for that key, and says how many in `covers`.
fn expand(
    sheet: &Csv,
    targets: &[String],
    above: &HashMap<String, BTreeSet<String>>,
) -> BTreeMap<(String, String), Facts> {
    let target_keys: Vec<String> = targets.iter().map(|t| t.to_lowercase()).collect();
    let own: BTreeSet<(String, String)> = sheet
        .rows
        .iter()
        .map(|r| (r["review_key"].clone(), r["target_scope"].to_lowercase()))
        .collect();
    let mut out = BTreeMap::new();
    for r in &sheet.rows {
        let scope = r["target_scope"].to_lowercase();
        let key = r["review_key"].clone();
        let covered: Vec<String> = if target_keys.contains(&scope) {
            assert_eq!(r["covers"], "1", "{r:?}");
            vec![scope]
        } else {
            target_keys
                .iter()
                .filter(|t| {
                    above[*t].contains(&scope) && !own.contains(&(key.clone(), (*t).clone()))
                })
                .cloned()
                .collect()
        };
        assert!(
            covered.len() > 1 || target_keys.contains(&r["target_scope"].to_lowercase()),
            "a row held above the targets stands for several: {r:?}"
        );
        assert_eq!(r["covers"], covered.len().to_string(), "{r:?}");
        for t in covered {
            let facts = (
                r["principal_id"].clone(),
                r["assignment_id"].clone(),
                r["blocked_by"].clone(),
            );
            let prev = out.insert((key.clone(), t.clone()), facts);
            assert!(prev.is_none(), "({key}, {t}) stood for twice");
        }
    }
    out
}

/// `review --all-workspaces` against one review per workspace.
fn assert_dedup_covers_exactly(db: &Path) -> (usize, usize) {
    let json = review_json(db, &["--all-workspaces"]);
    let targets: Vec<String> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    assert!(targets.len() > 1, "{targets:?}");
    let sheet = review_csv(db, &["--all-workspaces"]);
    let (brute, above) = per_target(db, &targets);
    let dedup = expand(&sheet, &targets, &above);
    let missing: Vec<_> = brute.keys().filter(|k| !dedup.contains_key(*k)).collect();
    let extra: Vec<_> = dedup.keys().filter(|k| !brute.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    assert_eq!(
        dedup, brute,
        "same principal, assignment and denies per target"
    );
    (sheet.rows.len(), brute.len())
}

#[test]
fn deduplicated_rows_of_the_sample_cover_exactly_the_per_target_rows() {
    let (rows, tuples) = assert_dedup_covers_exactly(&sample().db);
    assert!(
        rows < tuples,
        "{rows} rows for {tuples} (access, target) pairs"
    );
}

#[test]
fn deduplicated_rows_of_a_synthetic_tenant_cover_exactly_the_per_target_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("synth");
    whocan_synth::write_tenant(whocan_synth::Profile::Small, 1, &data, None).unwrap();
    let db = dir.path().join("synth.db");
    import(&db, &data);
    let (rows, tuples) = assert_dedup_covers_exactly(&db);
    assert!(
        rows < tuples,
        "{rows} rows for {tuples} (access, target) pairs"
    );
}

/// SPEC §5: a scope with several workspaces below is reviewed over them. On the
/// sample, whose three workspaces are all in one subscription, the rows of
/// `review --scope SUB` are the rows of `--all-workspaces`, in the same order,
/// then a row of the subscription itself for each access held below it that
/// reaches no workspace (the storage accounts' data roles).
#[test]
fn a_subscription_with_several_workspaces_is_reviewed_over_them() {
    let db = &sample().db;
    let json = review_json(db, &["--scope", SUB_ML]);
    let targets: Vec<&str> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let all = review_json(db, &["--all-workspaces"]);
    let workspaces: Vec<&str> = all["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(workspaces.len(), 3);
    assert_eq!(targets, [&workspaces[..], &[SUB_ML]].concat());

    let sheet = review_csv(db, &["--scope", SUB_ML]);
    let all = review_csv(db, &["--all-workspaces"]);
    let (own, rest): (Vec<_>, Vec<_>) = sheet
        .rows
        .iter()
        .partition(|r| r["target_scope"] == SUB_ML && r["covers"] == "1");
    assert_eq!(rest, all.rows.iter().collect::<Vec<_>>());
    assert!(!own.is_empty());
    for r in &own {
        let held = r["assignment_scope"].to_lowercase();
        assert_eq!(r["inherited"], "false", "{r:?}");
        assert!(held.contains("/providers/microsoft.storage/"), "{r:?}");
    }
    // Access held at the subscription or above is one row there, covering the three
    // workspaces (Dave Kim's Contributor also has a row of ml-prod, where a deny
    // assignment blocks part of it).
    let at = |name: &str, held: &str| -> Vec<(String, String)> {
        sheet
            .rows
            .iter()
            .filter(|r| r["display_name"] == name && r["assignment_scope"] == held)
            .map(|r| (r["target_scope"].clone(), r["covers"].clone()))
            .collect()
    };
    assert_eq!(
        at("Greg Walsh", MG_ML),
        [(MG_ML.to_string(), "3".to_string())]
    );
    assert_eq!(
        at("Dave Kim", SUB_ML),
        [
            (SUB_ML.to_string(), "2".to_string()),
            (ws_id("ml-prod"), "1".to_string())
        ]
    );
    // A resource group's access is a row of its one workspace, inherited.
    let rg_dev = format!("{SUB_ML}/resourceGroups/rg-ml-dev");
    let alice: Vec<_> = sheet
        .rows
        .iter()
        .filter(|r| r["display_name"] == "Alice Nguyen" && r["assignment_scope"] == rg_dev)
        .map(|r| (r["target_scope"].clone(), r["inherited"].clone()))
        .collect();
    assert!(!alice.is_empty());
    for a in alice {
        assert_eq!(a, (ws_id("ml-dev"), "true".to_string()));
    }
}

// ---------------------------------------------------------------------------
// New columns
// ---------------------------------------------------------------------------

#[test]
fn window_is_the_pim_window_in_the_one_timestamp_format() {
    let s = review_csv(&sample().db, &["--workspace", "ml-test"]);
    let bob = s.one(&[("display_name", "Bob Okafor"), ("pim", "eligible")]);
    assert_eq!(bob["window"], "2026-01-05T08:00:00Z..2026-06-30T00:00:00Z");
    // Plain role assignments have no window.
    assert!(s
        .rows
        .iter()
        .filter(|r| r["pim"] == "active")
        .all(|r| r["window"].is_empty()));
    let json = review_json(&sample().db, &["--workspace", "ml-test"]);
    let rows = json["rows"].as_array().unwrap();
    let bob = rows
        .iter()
        .find(|r| r["displayName"] == "Bob Okafor" && r["pim"] == "eligible")
        .unwrap();
    assert_eq!(bob["window"], "2026-01-05T08:00:00Z..2026-06-30T00:00:00Z");
    assert!(rows
        .iter()
        .any(|r| r["pim"] == "active" && r["window"].is_null()));
}

#[test]
fn blocked_by_names_the_deny_that_blocks_the_role_and_spares_the_excluded() {
    let s = review_csv(&sample().db, &["--workspace", "ml-prod"]);
    let deny = "Deny assignment 'ml-prod-stack' (deployment stack protection) [07a74ecb-7fd4-4786-9e95-233e56bba12b]";
    // Dave Kim: Contributor at the subscription; the deny takes workspaces/write.
    let dave = s.one(&[("display_name", "Dave Kim")]);
    assert_eq!(dave["blocked_by"], deny);
    // Platform Admins are excluded from the deny: Greg's Owner is not blocked.
    let greg = s.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    assert_eq!(greg["blocked_by"], "");
    // Reader grants no write: never blocked by it.
    assert!(s
        .find(&[("role_name", "Reader")])
        .iter()
        .all(|r| r["blocked_by"].is_empty()));
    // JSON names it with its id and scope; the table in a column of its own.
    let json = review_json(&sample().db, &["--workspace", "ml-prod"]);
    let dave = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["displayName"] == "Dave Kim")
        .unwrap();
    assert_eq!(
        dave["blockedBy"][0]["id"],
        format!(
            "{}/providers/Microsoft.Authorization/denyAssignments/07a74ecb-7fd4-4786-9e95-233e56bba12b",
            ws_id("ml-prod")
        )
    );
    assert_eq!(dave["blockedBy"][0]["scope"], ws_id("ml-prod"));
    let table = ok(whocan(&sample().db)
        .args(["review", "--workspace", "ml-prod", "--format", "table"])
        .output()
        .unwrap());
    assert!(text(&table.stdout).contains("Blocked by"));
}

// ---------------------------------------------------------------------------
// Estimate, --max-rows
// ---------------------------------------------------------------------------

#[test]
fn the_estimate_counts_the_rows_before_they_are_written() {
    let out = ok(whocan(&sample().db)
        .args(["review", "--all-workspaces", "--format", "csv"])
        .output()
        .unwrap());
    let rows = parse_csv(&out.stdout).rows.len();
    let err = text(&out.stderr);
    let line = err.lines().next().unwrap();
    assert!(
        line.starts_with(&format!("review: {rows} rows for 3 target scopes")),
        "{line}"
    );
    assert!(line.contains("of CSV"), "{line}");
    // The size is about right: within a factor of two of what was written.
    let kb: f64 = line
        .rsplit("about ")
        .next()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let written = out.stdout.len() as f64 / 1000.0;
    assert!(
        kb > written / 2.0 && kb < written * 2.0,
        "{line}: {written} kB"
    );
}

#[test]
fn max_rows_refuses_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.csv");
    let n = review_csv(&sample().db, &["--all-workspaces"]).rows.len();
    let out = whocan(&sample().db)
        .args([
            "review",
            "--all-workspaces",
            "--max-rows",
            &(n - 1).to_string(),
            "--out",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "this review has {n} rows, more than --max-rows {}",
            n - 1
        )),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(!file.exists(), "no file, not even a partial one");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
    // To stdout: nothing at all.
    let out = whocan(&sample().db)
        .args([
            "review",
            "--all-workspaces",
            "--format",
            "json",
            "--max-rows",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    // Exactly as many rows as allowed is fine.
    ok(whocan(&sample().db)
        .args([
            "review",
            "--all-workspaces",
            "--max-rows",
            &n.to_string(),
            "--out",
        ])
        .arg(&file)
        .output()
        .unwrap());
    assert_eq!(parse_csv(&std::fs::read(&file).unwrap()).rows.len(), n);
}

// ---------------------------------------------------------------------------
// Pipes and applying sheets
// ---------------------------------------------------------------------------

#[test]
fn a_review_redirected_to_a_file_is_csv_that_review_apply_reads() {
    let (dir, db) = fresh();
    // Exactly what a user types: the shell redirects stdout to the file.
    let sheet = dir.path().join("sheet.csv");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#""$0" --db "$1" review --workspace ml-prod > "$2""#)
        .arg(crate::support::bin())
        .arg(&db)
        .arg(&sheet)
        .env_remove("WHOCAN_DB")
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&sheet).unwrap();
    let csv = parse_csv(&bytes);
    assert_eq!(csv.header.join(","), HEADER);
    // As written, nobody has decided anything yet: nothing to record.
    let out = apply(&db, &sheet, "Olivia Bennett");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // Decided through the same pipe: the decision carries into the next sheet.
    let greg = csv.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    let filled = dir.path().join("filled.csv");
    write_sheet(
        &filled,
        &csv,
        &[(greg["review_key"].clone(), ("remove", "left"))].into(),
    );
    let out = ok(apply(&db, &filled, "Olivia Bennett"));
    assert!(
        text(&out.stderr).contains(&format!("recorded {} rows", csv.rows.len())),
        "{}",
        text(&out.stderr)
    );
    let next = review_csv(&db, &["--workspace", "ml-prod"]);
    assert_eq!(
        next.one(&[("review_key", &greg["review_key"])])["decision"],
        "remove"
    );
}

#[test]
fn sheets_with_or_without_the_new_columns_are_applied() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    let greg = sheet.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    let dave = sheet.one(&[("display_name", "Dave Kim")]);
    // Last quarter's sheet: the 22 columns before blocked_by, window and covers.
    let old = Csv {
        header: OLD_HEADER.split(',').map(String::from).collect(),
        rows: sheet.rows.clone(),
    };
    let old_path = dir.path().join("old.csv");
    write_sheet(
        &old_path,
        &old,
        &[(greg["review_key"].clone(), ("remove", "left"))].into(),
    );
    assert!(!std::fs::read_to_string(&old_path)
        .unwrap()
        .contains("covers"));
    let out = ok(apply(&db, &old_path, "Olivia Bennett"));
    assert!(
        text(&out.stderr).contains("1 remove"),
        "{}",
        text(&out.stderr)
    );
    // This quarter's, with them.
    let new_path = dir.path().join("new.csv");
    write_sheet(
        &new_path,
        &sheet,
        &[(dave["review_key"].clone(), ("approve", ""))].into(),
    );
    let out = ok(apply(&db, &new_path, "Olivia Bennett"));
    assert!(
        text(&out.stderr).contains("1 approve"),
        "{}",
        text(&out.stderr)
    );
    let next = review_csv(&db, &["--workspace", "ml-prod"]);
    let cell = |k: &str| next.one(&[("review_key", k)])["decision"].clone();
    assert_eq!(cell(&greg["review_key"]), "remove");
    assert_eq!(cell(&dave["review_key"]), "approve");
    // A window edited since the sheet was made: recorded, but asked again.
    let mut edited = Csv {
        header: sheet.header.clone(),
        rows: sheet.rows.clone(),
    };
    let ivan = edited
        .rows
        .iter_mut()
        .find(|r| r["display_name"] == "Ivan Horvat" && r["pim"] == "eligible")
        .unwrap();
    ivan.insert(
        "window".into(),
        "2026-07-01T09:00:00Z..2028-01-01T00:00:00Z".into(),
    );
    let ivan_key = ivan["review_key"].clone();
    let edited_path = dir.path().join("edited.csv");
    write_sheet(&edited_path, &edited, &[(ivan_key, ("approve", ""))].into());
    let out = ok(apply(&db, &edited_path, "Olivia Bennett"));
    assert!(
        text(&out.stderr).contains("changed since the sheet was made (window)"),
        "{}",
        text(&out.stderr)
    );
}

/// The sheet with, on the rows of `key`, the decision and the comments in turn.
fn write_rows_of(
    path: &std::path::Path,
    sheet: &Csv,
    key: &str,
    decision: &str,
    comments: &[&str],
) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&sheet.header).unwrap();
    let mut next = comments.iter();
    for r in &sheet.rows {
        let mine = r["review_key"] == key;
        let comment = if mine { next.next().copied() } else { None };
        let rec: Vec<String> = sheet
            .header
            .iter()
            .map(|c| match (c.as_str(), mine) {
                ("decision", true) => decision.to_string(),
                ("reviewer_comment", true) => comment.unwrap_or("").to_string(),
                _ => r[c].clone(),
            })
            .collect();
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn one_access_on_two_rows_keeps_one_comment() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--all-workspaces"]);
    let dave = sheet.one(&[("display_name", "Dave Kim"), ("target_scope", SUB_ML)]);
    let key = dave["review_key"].clone();
    assert_eq!(
        sheet.find(&[("review_key", &key)]).len(),
        2,
        "shared, and blocked at ml-prod"
    );
    let path = dir.path().join("all.csv");
    // Two different comments for one access: refused, nothing recorded.
    write_rows_of(
        &path,
        &sheet,
        &key,
        "remove",
        &["for the subscription", "for ml-prod"],
    );
    let out = apply(&db, &path, "olivia");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("has a different reviewer_comment here than on row"),
        "{}",
        text(&out.stderr)
    );
    assert!(review_csv(&db, &["--all-workspaces"])
        .rows
        .iter()
        .all(|r| r["decision"].is_empty()));
    // A comment on one row only is the access's comment, on both rows.
    write_rows_of(&path, &sheet, &key, "remove", &["left in March", ""]);
    ok(apply(&db, &path, "olivia"));
    let again = review_csv(&db, &["--all-workspaces"]);
    let rows = again.find(&[("review_key", &key)]);
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["reviewer_comment"] == "left in March" && r["decision"] == "remove"),
        "{rows:?}"
    );
}

#[test]
fn an_all_workspaces_sheet_round_trips_through_apply_carry_over_and_plan() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--all-workspaces"]);
    // Greg's Owner is one row, held at the ML management group for all three.
    let greg = sheet.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    assert_eq!(greg["target_scope"], MG_ML);
    let dave_shared = sheet.one(&[("display_name", "Dave Kim"), ("target_scope", SUB_ML)]);
    let path = dir.path().join("all.csv");
    write_sheet(
        &path,
        &sheet,
        &[
            (greg["review_key"].clone(), ("remove", "left in March")),
            (dave_shared["review_key"].clone(), ("approve", "")),
        ]
        .into(),
    );
    let out = ok(apply(&db, &path, "Olivia Bennett"));
    assert!(
        text(&out.stderr).contains(&format!("recorded {} rows", sheet.rows.len())),
        "{}",
        text(&out.stderr)
    );
    // Pre-filled on the shared row, and on the workspace sheets (one key).
    let again = review_csv(&db, &["--all-workspaces"]);
    assert_eq!(
        again.one(&[("review_key", &greg["review_key"])])["decision"],
        "remove"
    );
    // Dave's key is on two rows (shared, and blocked at ml-prod): both pre-filled.
    assert!(again
        .find(&[("review_key", &dave_shared["review_key"])])
        .iter()
        .all(|r| r["decision"] == "approve"));
    let prod = review_csv(&db, &["--workspace", "ml-prod"]);
    assert_eq!(
        prod.one(&[("review_key", &greg["review_key"])])["decision"],
        "remove"
    );
    // The plan of every decided scope removes Greg from Platform Admins once.
    let plan = ok(whocan(&db).args(["review", "plan"]).output().unwrap());
    let plan = text(&plan.stdout);
    assert_eq!(
        plan.matches(&format!("--member-id {GREG}")).count(),
        1,
        "{plan}"
    );
    // A later import with the same data: nothing new, the decisions carried.
    import(&db, &sample_data());
    let next = review_csv(&db, &["--all-workspaces"]);
    assert!(next
        .rows
        .iter()
        .all(|r| !r["recommendation"].contains("new since")));
    assert_eq!(
        next.one(&[("review_key", &greg["review_key"])])["decision"],
        "remove"
    );
}

// ---------------------------------------------------------------------------
// blocked_by and PIM for Groups rows on a tiny tenant
// ---------------------------------------------------------------------------

const TINY_SUB: &str = "11111111-1111-1111-1111-111111111111";
const URSULA: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const VICTOR: &str = "aaaaaaaa-0000-0000-0000-000000000002";
const GROUP_G: &str = "eeeeeeee-0000-0000-0000-000000000001";
const COMPUTE_WRITER: &str =
    "/providers/Microsoft.Authorization/roleDefinitions/bbbbbbbb-0000-0000-0000-000000000001";

fn tiny_ws() -> String {
    format!("/subscriptions/{TINY_SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws1")
}

/// Ursula and Victor; group G (Victor its one member) holds Compute Writer
/// (`workspaces/*`) on ws1 through `assignment` (a role assignment, or a PIM
/// schedule instance); `extra` files are added as given. Imported as the
/// review tests import; the rows of `review --workspace ws1`.
fn tiny_review(assignment: serde_json::Value, extra: &[(&str, serde_json::Value)]) -> Csv {
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let op = |name: &str| json!({"name": name, "isDataAction": false, "displayName": name, "description": name, "origin": "user"});
    let files = [
        (
            "ops.json",
            json!({"name": "Microsoft.MachineLearningServices",
            "id": "/providers/Microsoft.Authorization/providerOperations/Microsoft.MachineLearningServices",
            "type": "Microsoft.Authorization/providerOperations", "displayName": "ML", "operations": [],
            "resourceTypes": [{"name": "workspaces", "displayName": "w", "operations": [
                op("Microsoft.MachineLearningServices/workspaces/read"),
                op("Microsoft.MachineLearningServices/workspaces/computes/write")]}]}),
        ),
        (
            "roles.json",
            json!([{"roleName": "Compute Writer", "name": "bbbbbbbb-0000-0000-0000-000000000001",
            "id": COMPUTE_WRITER, "roleType": "CustomRole", "assignableScopes": ["/"],
            "permissions": [{"actions": ["Microsoft.MachineLearningServices/workspaces/*"],
                "notActions": [], "dataActions": [], "notDataActions": []}]}]),
        ),
        (
            "users.json",
            json!([
            {"id": URSULA, "displayName": "Ursula", "userPrincipalName": "ursula@x.com", "userType": "Member", "accountEnabled": true},
            {"id": VICTOR, "displayName": "Victor", "userPrincipalName": "victor@x.com", "userType": "Member", "accountEnabled": true}]),
        ),
        (
            "groups.json",
            json!([{"id": GROUP_G, "displayName": "G", "securityEnabled": true}]),
        ),
        (
            "resources.json",
            json!([{"id": tiny_ws(), "name": "ws1",
            "type": "Microsoft.MachineLearningServices/workspaces", "resourceGroup": "rg"}]),
        ),
        ("assignment.json", assignment),
    ];
    for (name, v) in files.iter().chain(
        extra
            .iter()
            .map(|(n, v)| (*n, v.clone()))
            .collect::<Vec<_>>()
            .iter(),
    ) {
        crate::support::write(d, name, v.to_string());
    }
    crate::support::write(
        &d.join("members"),
        &format!("{GROUP_G}.json"),
        json!([{"@odata.type": "#microsoft.graph.user", "id": VICTOR, "displayName": "Victor"}])
            .to_string(),
    );
    let db = d.join("db");
    import(&db, d);
    review_csv(&db, &["--workspace", "ws1"])
}

fn g_holds_compute_writer() -> serde_json::Value {
    serde_json::json!([{"id": format!("{}/providers/Microsoft.Authorization/roleAssignments/cccccccc-0000-0000-0000-000000000001", tiny_ws()),
        "name": "cccccccc-0000-0000-0000-000000000001", "principalId": GROUP_G, "principalType": "Group",
        "principalName": "G", "roleDefinitionId": COMPUTE_WRITER, "roleDefinitionName": "Compute Writer",
        "scope": tiny_ws()}])
}

fn deny(
    n: u32,
    name: &str,
    action: &str,
    not_actions: &[&str],
    principals: serde_json::Value,
    excluded: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({"id": format!("{}/providers/Microsoft.Authorization/denyAssignments/dddddddd-0000-0000-0000-00000000000{n}", tiny_ws()),
        "name": format!("dddddddd-0000-0000-0000-00000000000{n}"), "type": "Microsoft.Authorization/denyAssignments",
        "properties": {"denyAssignmentName": name,
            "permissions": [{"actions": [action], "notActions": not_actions, "dataActions": [], "notDataActions": []}],
            "scope": tiny_ws(), "doNotApplyToChildScopes": false,
            "principals": principals, "excludePrincipals": excluded}})
}

fn ursula_eligible_for_g() -> serde_json::Value {
    serde_json::json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identityGovernance/privilegedAccess/group/eligibilityScheduleInstances",
        "value": [{"id": format!("{GROUP_G}_member_1"), "startDateTime": "2026-06-01T00:00:00Z",
            "endDateTime": "2027-06-01T00:00:00Z", "accessId": "member", "principalId": URSULA,
            "groupId": GROUP_G, "memberType": "Direct"}]})
}

fn rows_by_name(sheet: &Csv) -> BTreeMap<String, (String, String)> {
    sheet
        .rows
        .iter()
        .map(|r| {
            (
                r["display_name"].clone(),
                (r["pim"].clone(), r["blocked_by"].clone()),
            )
        })
        .collect()
}

/// A deny whose own `notActions` take out all its `actions` blocks nothing
/// (SPEC §2.6 with §2.3's block rule): `can` says allowed, and the row names no
/// deny.
#[test]
fn a_deny_whose_not_actions_take_out_its_actions_blocks_no_row() {
    let everyone = serde_json::json!([{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}]);
    let sheet = tiny_review(
        g_holds_compute_writer(),
        &[(
            "deny.json",
            serde_json::json!({"value": [deny(1, "empty deny",
            "Microsoft.MachineLearningServices/workspaces/computes/write", &["*/write"], everyone, serde_json::json!([]))]}),
        )],
    );
    let rows = rows_by_name(&sheet);
    assert_eq!(rows["Victor"].1, "", "{rows:?}");
    assert_eq!(rows["G"].1, "", "{rows:?}");
}

/// An eligible row (PIM for Groups) names the denies that would block its
/// principal once it has joined the group: one that names the group does, one
/// that exempts the group does not — as for the group's active members.
#[test]
fn an_eligible_rows_blocked_by_is_the_groups_members() {
    use serde_json::json;
    let g = json!([{"id": GROUP_G, "type": "Group"}]);
    let everyone = json!([{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}]);
    let sheet = tiny_review(
        g_holds_compute_writer(),
        &[
            ("pimg.json", ursula_eligible_for_g()),
            (
                "deny.json",
                json!({"value": [
                    deny(1, "deny1 names G", "Microsoft.MachineLearningServices/workspaces/computes/write", &[], g.clone(), json!([])),
                    deny(2, "deny2 exempts G", "Microsoft.MachineLearningServices/workspaces/read", &[], everyone, g),
                ]}),
            ),
        ],
    );
    let rows = rows_by_name(&sheet);
    let victor = &rows["Victor"].1;
    assert!(
        victor.contains("deny1 names G") && !victor.contains("deny2"),
        "{rows:?}"
    );
    let (pim, ursula) = &rows["Ursula"];
    assert_eq!(pim, "eligible", "{rows:?}");
    assert_eq!(ursula, victor, "{rows:?}");
}

/// A group's time-bound assignment that ended before the snapshot gives the
/// group's eligible members no row: there is nothing to activate into (`who` and
/// `can` say they have nothing).
#[test]
fn an_ended_group_assignment_gives_its_eligible_members_no_row() {
    let ended = serde_json::json!({"value": [{
        "id": format!("{}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances/ffffffff-0000-0000-0000-000000000001", tiny_ws()),
        "name": "ffffffff-0000-0000-0000-000000000001",
        "type": "Microsoft.Authorization/roleAssignmentScheduleInstances",
        "properties": {"scope": tiny_ws(), "roleDefinitionId": COMPUTE_WRITER, "principalId": GROUP_G,
            "principalType": "Group", "startDateTime": "2026-01-01T00:00:00Z",
            "endDateTime": "2026-09-01T00:00:00Z", "memberType": "Direct", "status": "Provisioned",
            "assignmentType": "Activated"}}]});
    let sheet = tiny_review(ended, &[("pimg.json", ursula_eligible_for_g())]);
    let rows = rows_by_name(&sheet);
    assert!(
        rows.contains_key("G"),
        "the group's own row, to remove: {rows:?}"
    );
    assert!(!rows.contains_key("Ursula"), "{rows:?}");
}
