//! `whocan review`, `review apply` and `review plan` on the contoso sample tenant
//! (SPEC §5, issue 4 "Access review"): hand-checked rows, the exact header, stable
//! review keys, formula and HTML injection through display names, the decision
//! round trip across two snapshots, validation errors that record nothing, the
//! removal plan, and the self-contained HTML page's content (tests/cli/report.rs
//! renders it in headless Chromium and covers the workbook).
//!
//! Read-only tests share one imported sample; every test that records decisions or
//! imports edited data works in its own temporary directory.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::{copy_dir, on, stdout_json, whocan};

pub(super) const TAKEN_AT: &str = "2026-11-01T00:00:00Z";
pub(super) const SUB_ML: &str = "/subscriptions/c90828fc-bcbf-42ea-b475-9b27bdc92563";
pub(super) const MG_ML: &str = "/providers/Microsoft.Management/managementGroups/ml";
const ORPHAN: &str = "b9539884-dcb9-46e1-a4d2-441c2ab481c3";
const QUINN: &str = "a4c48110-ba83-464b-9ed3-0bb300335abc";
pub(super) const GREG: &str = "1ed1525b-b99a-49af-b5db-6c95888da0e9";
const IVAN: &str = "05016168-3c1e-47d5-89fa-edbc5e42dd2d";
const WENDY: &str = "ee826420-6571-40c9-a74f-024c7e539eec";
const G_PLATFORM_ADMINS: &str = "592c55e5-0303-4846-9d88-231e58f43efb";
const G_MLOPS: &str = "ef114048-a748-4d4f-bdb1-b47e8b97fbe4";

pub(super) const HEADER: &str = "review_key,principal_id,principal_type,display_name,user_principal_name,user_type,account_enabled,role_name,role_id,role_type,privileged,assignment_id,assignment_scope,target_scope,inherited,access_path,condition,pim,orphaned,recommendation,decision,reviewer_comment,blocked_by,window,covers";
/// The columns before SPEC §5 added `blocked_by`, `window` and `covers` at the end.
pub(super) const OLD_HEADER: &str = "review_key,principal_id,principal_type,display_name,user_principal_name,user_type,account_enabled,role_name,role_id,role_type,privileged,assignment_id,assignment_scope,target_scope,inherited,access_path,condition,pim,orphaned,recommendation,decision,reviewer_comment";

// ---------------------------------------------------------------------------
// Fixture and helpers
// ---------------------------------------------------------------------------

pub(super) fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

pub(super) fn ws_id(name: &str) -> String {
    let env = name.trim_start_matches("ml-");
    format!("{SUB_ML}/resourceGroups/rg-ml-{env}/providers/Microsoft.MachineLearningServices/workspaces/{name}")
}

pub(super) struct Sample {
    _dir: TempDir,
    pub(super) db: PathBuf,
}

/// The sample tenant, imported once per test process, never written to afterwards.
pub(super) fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("review.db");
        import(&db, &sample_data());
        Sample { _dir: dir, db }
    })
}

pub(super) fn import(db: &Path, data: &Path) {
    let out = whocan(db)
        .args(["import", "--taken-at", TAKEN_AT, "--format", "json"])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "import of {} failed:\n{}",
        data.display(),
        text(&out.stderr)
    );
}

pub(super) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(super) fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// A parsed CSV sheet: records as column → cell maps, in file order.
pub(super) struct Csv {
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<HashMap<String, String>>,
}

pub(super) fn parse_csv(bytes: &[u8]) -> Csv {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect();
    Csv { header, rows }
}

/// `whocan review ARGS --format csv` against `db`.
pub(super) fn review_csv(db: &Path, args: &[&str]) -> Csv {
    let out = ok(whocan(db)
        .arg("review")
        .args(args)
        .args(["--format", "csv"])
        .output()
        .unwrap());
    parse_csv(&out.stdout)
}

pub(super) fn review_json(db: &Path, args: &[&str]) -> Value {
    let out = ok(whocan(db)
        .arg("review")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap());
    stdout_json(&out)
}

impl Csv {
    /// Rows whose cells match every (column, value) given.
    pub(super) fn find(&self, want: &[(&str, &str)]) -> Vec<&HashMap<String, String>> {
        self.rows
            .iter()
            .filter(|r| want.iter().all(|(c, v)| r[*c] == *v))
            .collect()
    }

    pub(super) fn one(&self, want: &[(&str, &str)]) -> &HashMap<String, String> {
        let found = self.find(want);
        assert_eq!(
            found.len(),
            1,
            "expected one row matching {want:?}, got {found:#?}"
        );
        found[0]
    }

    pub(super) fn keys(&self) -> BTreeSet<String> {
        self.rows.iter().map(|r| r["review_key"].clone()).collect()
    }
}

/// A copy of sample-data with `edit` applied to the user with this object id in
/// `directory/users.json`.
pub(crate) fn sample_with_user(dir: &Path, id: &str, edit: impl Fn(&mut Value)) -> PathBuf {
    let data = dir.join("data");
    copy_dir(&sample_data(), &data);
    edit_json(&data.join("directory/users.json"), |v| {
        let user = v["value"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|u| u["id"] == id)
            .unwrap_or_else(|| panic!("no user {id}"));
        edit(user);
    });
    data
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// Writes a sheet: `header` and `rows` with the decision and comment of the rows
/// whose review key is in `decide` filled in.
pub(super) fn write_sheet(path: &Path, sheet: &Csv, decide: &HashMap<String, (&str, &str)>) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&sheet.header).unwrap();
    for r in &sheet.rows {
        let rec: Vec<String> = sheet
            .header
            .iter()
            .map(|c| match (c.as_str(), decide.get(&r["review_key"])) {
                ("decision", Some((d, _))) => d.to_string(),
                ("reviewer_comment", Some((_, m))) => m.to_string(),
                _ => r[c].clone(),
            })
            .collect();
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
}

/// A private copy of the sample in a fresh database.
pub(super) fn fresh() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    import(&db, &sample_data());
    (dir, db)
}

pub(super) fn apply(db: &Path, sheet: &Path, reviewer: &str) -> Output {
    whocan(db)
        .args(["review", "apply"])
        .arg(sheet)
        .args(["--reviewer", reviewer])
        .output()
        .unwrap()
}

// ---------------------------------------------------------------------------
// The sheet
// ---------------------------------------------------------------------------

#[test]
fn header_is_exactly_the_spec_columns() {
    assert_eq!(
        on(&sample().db)
            .args(["review", "--workspace", "ml-prod", "--format", "csv"])
            .expect(0)
            .stdout()
            .lines()
            .next(),
        Some(HEADER)
    );
}

#[test]
fn out_file_is_csv_by_default_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prod.csv");
    let out = ok(whocan(&sample().db)
        .args(["review", "--workspace", "ml-prod", "--out"])
        .arg(&file)
        .output()
        .unwrap());
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("rows"), "{}", text(&out.stderr));
    let sheet = parse_csv(&std::fs::read(&file).unwrap());
    assert_eq!(sheet.header.join(","), HEADER);
    assert!(!sheet.rows.is_empty());
}

#[test]
fn greg_walsh_owner_via_platform_admins_is_privileged_inherited_and_disabled() {
    let s = review_csv(&sample().db, &["--workspace", "ml-prod"]);
    let greg = s.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    assert_eq!(greg["display_name"], "Greg Walsh");
    assert_eq!(greg["privileged"], "true");
    assert_eq!(greg["inherited"], "true");
    assert_eq!(greg["account_enabled"], "false");
    assert_eq!(greg["assignment_scope"], MG_ML);
    assert_eq!(greg["target_scope"], ws_id("ml-prod"));
    assert_eq!(greg["access_path"], "Greg Walsh → Platform Admins");
    assert_eq!(greg["pim"], "active");
    assert_eq!(greg["role_type"], "BuiltInRole");
    assert_eq!(greg["role_id"], "8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
    assert!(greg["recommendation"].starts_with("remove:"), "{greg:?}");
    assert!(greg["recommendation"].contains("disabled"), "{greg:?}");
    // The group holder itself has its own row.
    let group = s.one(&[("principal_id", G_PLATFORM_ADMINS), ("role_name", "Owner")]);
    assert_eq!(group["access_path"], "direct");
    assert_eq!(group["principal_type"], "Group");
}

#[test]
fn orphaned_principals_say_remove() {
    let s = review_csv(&sample().db, &["--workspace", "ml-prod"]);
    let orphan = s.one(&[("principal_id", ORPHAN)]);
    assert_eq!(orphan["orphaned"], "true");
    assert_eq!(orphan["role_name"], "AzureML Data Scientist");
    assert_eq!(orphan["access_path"], "direct");
    assert!(
        orphan["recommendation"].starts_with("remove:"),
        "{orphan:?}"
    );
    // Quinn Archer, deleted after the member lists were exported: through MLOps.
    for r in s.find(&[("principal_id", QUINN)]) {
        assert_eq!(r["orphaned"], "true");
        assert!(r["access_path"].ends_with("→ MLOps"), "{r:?}");
        assert!(r["recommendation"].starts_with("remove:"), "{r:?}");
    }
    assert_eq!(s.find(&[("principal_id", QUINN)]).len(), 2);
}

#[test]
fn guest_priya_with_a_privileged_role_says_review() {
    let s = review_csv(&sample().db, &["--workspace", "ml-dev"]);
    let priya = s.one(&[("display_name", "Priya Raman (Fabrikam)")]);
    assert_eq!(priya["user_type"], "Guest");
    assert_eq!(priya["role_name"], "Workspace Admin Custom");
    assert_eq!(priya["role_type"], "CustomRole");
    assert_eq!(priya["privileged"], "true");
    assert_eq!(priya["inherited"], "false");
    assert!(priya["recommendation"].starts_with("review:"), "{priya:?}");
    assert!(priya["recommendation"].contains("guest"), "{priya:?}");
    // Guest Jordan holds only Reader: nothing to say.
    let jordan = s.one(&[("display_name", "Jordan Blake (Northwind Audit)")]);
    assert_eq!(jordan["privileged"], "false");
    assert_eq!(jordan["recommendation"], "");
}

#[test]
fn ivan_eligible_owner_is_eligible_with_a_note() {
    let s = review_csv(&sample().db, &["--workspace", "ml-prod"]);
    let ivan = s.one(&[("principal_id", IVAN), ("role_name", "Owner")]);
    assert_eq!(ivan["pim"], "eligible");
    assert_eq!(ivan["privileged"], "true");
    assert_eq!(ivan["access_path"], "direct");
    assert!(ivan["recommendation"].starts_with("note:"), "{ivan:?}");
    assert!(ivan["recommendation"].contains("eligib"), "{ivan:?}");
    assert!(ivan["assignment_id"].contains("RoleEligibilityScheduleInstances"));
}

#[test]
fn bob_expired_eligibility_says_remove() {
    let s = review_csv(&sample().db, &["--workspace", "ml-test"]);
    let bob = s.one(&[("display_name", "Bob Okafor"), ("role_name", "Contributor")]);
    assert_eq!(bob["pim"], "eligible");
    assert_eq!(bob["inherited"], "true");
    assert!(bob["recommendation"].starts_with("remove:"), "{bob:?}");
    assert!(bob["recommendation"].contains("2026-06-30"), "{bob:?}");
}

#[test]
fn nested_groups_and_the_cycle_give_one_row_per_path() {
    let dev = review_csv(&sample().db, &["--workspace", "ml-dev"]);
    let hana = dev.one(&[("display_name", "Hana Sato"), ("role_name", "Reader")]);
    assert_eq!(
        hana["access_path"],
        "Hana Sato → ML Interns → ML Data Scientists → All ML Staff"
    );
    // Hana's own compute assignment is below the workspace.
    let compute = dev.one(&[
        ("display_name", "Hana Sato"),
        ("role_name", "AzureML Compute Operator"),
    ]);
    assert!(compute["assignment_scope"].ends_with("/computes/ci-hana-sato"));
    assert_eq!(compute["inherited"], "false");
    let prod = review_csv(&sample().db, &["--workspace", "ml-prod"]);
    let kyle = prod.one(&[
        ("display_name", "Kyle Jensen"),
        ("role_name", "AzureML Compute Operator"),
    ]);
    assert_eq!(
        kyle["access_path"],
        "Kyle Jensen → Data Platform Team → Data Platform On-Call"
    );
    // Through the cycle, each simple path once: On-Call holds Reader via the Team.
    let oncall = prod.one(&[
        ("display_name", "Data Platform On-Call"),
        ("role_name", "Reader"),
    ]);
    assert_eq!(
        oncall["access_path"],
        "Data Platform On-Call → Data Platform Team"
    );
    // Every key is unique within one target.
    assert_eq!(prod.keys().len(), prod.rows.len());
}

#[test]
fn fact_41_privileged_roles() {
    let s = review_csv(&sample().db, &["--all-workspaces"]);
    let privileged: BTreeSet<&str> = s
        .rows
        .iter()
        .filter(|r| r["privileged"] == "true")
        .map(|r| r["role_name"].as_str())
        .collect();
    assert_eq!(
        privileged,
        BTreeSet::from([
            "Owner",
            "User Access Administrator",
            "Workspace Admin Custom"
        ])
    );
    for role in [
        "Data Scientist Custom",
        "Contributor",
        "Reader",
        "MLOps Custom",
    ] {
        assert!(
            s.rows
                .iter()
                .filter(|r| r["role_name"] == role)
                .all(|r| r["privileged"] == "false"),
            "{role}"
        );
    }
}

#[test]
fn all_workspaces_holds_shared_access_once_where_it_is_held() {
    let s = review_csv(&sample().db, &["--all-workspaces"]);
    let scopes: BTreeSet<&str> = s.rows.iter().map(|r| r["target_scope"].as_str()).collect();
    let workspaces: BTreeSet<String> = ["ml-dev", "ml-prod", "ml-test"]
        .iter()
        .map(|w| ws_id(w))
        .collect();
    for w in &workspaces {
        assert!(scopes.contains(w.as_str()), "{w} has rows of its own");
    }
    // Break Glass Admin (UAA at /) reaches every workspace: one row, held at /.
    let bg = s.one(&[("display_name", "Break Glass Admin 01")]);
    assert_eq!(bg["target_scope"], "/");
    assert_eq!(bg["assignment_scope"], "/");
    assert_eq!(bg["covers"], "3");
    // Owner at the ML management group through Platform Admins: one row each.
    let greg = s.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    assert_eq!(
        (greg["target_scope"].as_str(), greg["covers"].as_str()),
        (MG_ML, "3")
    );
    // Held at a workspace's own resource group: a row of that workspace only.
    for r in s
        .rows
        .iter()
        .filter(|r| workspaces.contains(&r["target_scope"]))
    {
        assert_eq!(r["covers"], "1", "{r:?}");
    }
    // Dave Kim's Contributor at contoso-ml reaches all three workspaces, but the
    // ml-prod deny assignment blocks it there: a shared row for the other two, and
    // a row of ml-prod naming the deny.
    let dave = s.find(&[("display_name", "Dave Kim")]);
    assert_eq!(dave.len(), 2, "{dave:#?}");
    let shared = s.one(&[("display_name", "Dave Kim"), ("target_scope", SUB_ML)]);
    assert_eq!(
        (shared["covers"].as_str(), shared["blocked_by"].as_str()),
        ("2", "")
    );
    let prod = s.one(&[
        ("display_name", "Dave Kim"),
        ("target_scope", &ws_id("ml-prod")),
    ]);
    assert_eq!(prod["covers"], "1");
    assert_eq!(
        prod["blocked_by"],
        "Deny assignment 'ml-prod-stack' (deployment stack protection) [07a74ecb-7fd4-4786-9e95-233e56bba12b]"
    );
    assert_eq!(
        prod["review_key"], shared["review_key"],
        "one access, one key"
    );

    let json = review_json(&sample().db, &["--all-workspaces"]);
    let summary = json["summary"].as_array().unwrap();
    let at = |scope: &str| summary.iter().find(|t| t["targetScope"] == scope).unwrap();
    // One summary per scope of rows: root, three management groups, the
    // subscription, and each workspace.
    assert_eq!(summary.len(), 8, "{summary:#?}");
    assert_eq!(
        (at("/")["covers"].clone(), at("/")["privileged"].clone()),
        (3.into(), 1.into())
    );
    // Erin, Greg, Raj through Platform Admins; Greg is disabled.
    assert_eq!(at(MG_ML)["privileged"], 3);
    assert_eq!(at(MG_ML)["disabled"], 1);
    let prod = at(&ws_id("ml-prod"));
    assert_eq!(prod["covers"], 1);
    assert_eq!(prod["orphaned"], 2);
}

#[test]
fn review_keys_are_stable_across_imports() {
    // Two snapshots of the same data in one database, and a second database.
    let (_dir, db) = fresh();
    import(&db, &sample_data());
    let one = review_csv(&db, &["--all-workspaces", "--snapshot", "1"]);
    let two = review_csv(&db, &["--all-workspaces", "--snapshot", "2"]);
    let other = review_csv(&sample().db, &["--all-workspaces"]);
    assert_eq!(one.keys(), two.keys());
    assert_eq!(one.keys(), other.keys());
    assert!(one.keys().iter().all(|k| k.len() == 16));
}

#[test]
fn no_scope_is_a_usage_error() {
    on(&sample().db)
        .arg("review")
        .expect(2)
        .stderr_has("--all-workspaces");
}

// ---------------------------------------------------------------------------
// Injection through display names
// ---------------------------------------------------------------------------

#[test]
fn formula_display_names_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    // Wei Chen holds an (undefined-role) assignment on ml-prod directly.
    let data = sample_with_user(dir.path(), "8cb5306f-e720-4c05-bf87-cc21e8cd3c08", |u| {
        u["displayName"] = Value::from("=HYPERLINK(\"http://x\",\"y\")");
    });
    let db = dir.path().join("x.db");
    import(&db, &data);
    let s = review_csv(&db, &["--workspace", "ml-prod"]);
    let wei = s.one(&[("principal_id", "8cb5306f-e720-4c05-bf87-cc21e8cd3c08")]);
    assert_eq!(wei["display_name"], "'=HYPERLINK(\"http://x\",\"y\")");
    // Raw bytes: the cell is quoted (RFC 4180) and begins with '=.
    let raw = text(
        &ok(whocan(&db)
            .args(["review", "--workspace", "ml-prod", "--format", "csv"])
            .output()
            .unwrap())
        .stdout,
    );
    assert!(
        raw.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","),
        "{raw}"
    );
    // No cell of the sheet starts with a formula character.
    for r in &s.rows {
        for (c, v) in r {
            assert!(
                !v.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{c} = {v:?}"
            );
        }
    }
    // Through a group, the path cell starts with the name too.
    let dev = review_csv(&db, &["--workspace", "ml-dev"]);
    let path = dev
        .find(&[("principal_id", "8cb5306f-e720-4c05-bf87-cc21e8cd3c08")])
        .iter()
        .map(|r| r["access_path"].clone())
        .find(|p| p != "direct")
        .unwrap();
    assert!(path.starts_with("'=HYPERLINK"), "{path}");
}

#[test]
fn html_escapes_display_names() {
    let dir = tempfile::tempdir().unwrap();
    // Priya: guest, privileged, so her name is in the table and in a picture.
    let data = sample_with_user(dir.path(), "1501b195-5b9c-4bfc-b2ee-861dd686de13", |u| {
        u["displayName"] = Value::from("<script>alert('x')</script><img src=x onerror=alert(1)>");
    });
    let db = dir.path().join("x.db");
    import(&db, &data);
    let page = dir.path().join("r.html");
    ok(whocan(&db)
        .args(["review", "--workspace", "ml-dev", "--html"])
        .arg(&page)
        .output()
        .unwrap());
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("<script").count(), 1, "only our own script");
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    check_well_formed(&html);
}

// ---------------------------------------------------------------------------
// Decisions: apply, carry over, plan
// ---------------------------------------------------------------------------

#[test]
fn decisions_round_trip_and_carry_over_to_the_next_snapshot() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    let greg = sheet.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    let erin = sheet.one(&[("display_name", "Erin Walker"), ("role_name", "Owner")]);
    let ivan = sheet.one(&[("principal_id", IVAN), ("role_name", "Owner")]);
    let decide: HashMap<String, (&str, &str)> = [
        (greg["review_key"].clone(), ("Remove", "left in March")),
        (erin["review_key"].clone(), ("approve", "=on call, keep")),
        (ivan["review_key"].clone(), ("FLAG", "")),
    ]
    .into();
    let filled = dir.path().join("filled.csv");
    write_sheet(&filled, &sheet, &decide);
    let out = ok(apply(&db, &filled, "Olivia Bennett"));
    assert!(
        text(&out.stderr).contains("1 approve, 1 remove, 1 flag"),
        "{}",
        text(&out.stderr)
    );

    // Same snapshot: decisions pre-filled, nothing new.
    let again = review_csv(&db, &["--workspace", "ml-prod"]);
    let cell = |s: &Csv, k: &str, c: &str| s.one(&[("review_key", k)])[c].clone();
    assert_eq!(cell(&again, &greg["review_key"], "decision"), "remove");
    assert_eq!(
        cell(&again, &greg["review_key"], "reviewer_comment"),
        "left in March"
    );
    assert_eq!(cell(&again, &erin["review_key"], "decision"), "approve");
    assert_eq!(
        cell(&again, &erin["review_key"], "reviewer_comment"),
        "'=on call, keep",
        "comments are neutralised too"
    );
    assert_eq!(cell(&again, &ivan["review_key"], "decision"), "flag");
    assert!(again
        .rows
        .iter()
        .all(|r| !r["recommendation"].contains("new since")));
    let json = review_json(&db, &["--workspace", "ml-prod"]);
    let prev = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reviewKey"] == greg["review_key"].as_str())
        .unwrap();
    assert_eq!(prev["status"], "decided");
    assert_eq!(prev["previousDecision"]["reviewer"], "Olivia Bennett");
    assert_eq!(prev["previousDecision"]["snapshotId"], 1);

    // Next quarter: Wendy joins MLOps (new rows), Greg is re-enabled (changed row),
    // Erin and Ivan unchanged.
    let data = sample_with_user(dir.path(), GREG, |u| {
        u["accountEnabled"] = Value::from(true);
    });
    edit_json(&data.join(format!("members/{G_MLOPS}.json")), |v| {
        v.as_array_mut().unwrap().push(serde_json::json!({
            "@odata.type": "#microsoft.graph.user",
            "id": WENDY,
            "displayName": "Wendy Zhou",
            "userPrincipalName": "wendy.zhou@contoso.com"
        }));
    });
    let out = ok(whocan(&db)
        .args(["import", "--taken-at", "2027-02-01T00:00:00Z"])
        .arg(&data)
        .output()
        .unwrap());
    drop(out);
    let next = review_csv(&db, &["--workspace", "ml-prod"]);
    assert_eq!(cell(&next, &erin["review_key"], "decision"), "approve");
    assert_eq!(cell(&next, &ivan["review_key"], "decision"), "flag");
    let greg_next = next.one(&[("review_key", &greg["review_key"])]);
    assert_eq!(greg_next["decision"], "", "changed since: not pre-filled");
    assert!(
        greg_next["recommendation"].contains("changed since last review"),
        "{greg_next:?}"
    );
    let wendy = next.find(&[("principal_id", WENDY)]);
    assert_eq!(
        wendy.len(),
        2,
        "AzureML Data Scientist and Reader via MLOps"
    );
    for w in wendy {
        assert_eq!(w["decision"], "");
        assert!(
            w["recommendation"].contains("new since last review"),
            "{w:?}"
        );
    }
    // Rows that were on the sheet but left blank are neither new nor pre-filled.
    let dave = next.one(&[("display_name", "Dave Kim")]);
    assert_eq!(dave["decision"], "");
    assert!(!dave["recommendation"].contains("new since"));
    // The CSV columns never change.
    assert_eq!(next.header.join(","), HEADER);
}

#[test]
fn apply_errors_exit_2_name_file_and_row_and_record_nothing() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    let keys: Vec<String> = sheet.rows.iter().map(|r| r["review_key"].clone()).collect();
    type Edit = Box<dyn Fn(&mut Csv)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "unknown-key.csv",
            Box::new(|s: &mut Csv| {
                s.rows[2].insert("review_key".into(), "0123456789abcdef".into());
                s.rows[0].insert("decision".into(), "approve".into());
            }),
            "unknown-key.csv:4: review_key 0123456789abcdef is not a row",
        ),
        (
            "bad-value.csv",
            Box::new(|s: &mut Csv| {
                s.rows[0].insert("decision".into(), "approve".into());
                s.rows[1].insert("decision".into(), "keep".into());
            }),
            "bad-value.csv:3: decision `keep` is not one of approve, remove, flag",
        ),
        (
            "other-scope.csv",
            Box::new(|s: &mut Csv| {
                s.rows[0].insert("decision".into(), "approve".into());
                for r in &mut s.rows {
                    let t = r["target_scope"].replace("ml-prod", "ml-dev");
                    r.insert("target_scope".into(), t);
                }
            }),
            "is not a row of the review of ml-dev (workspace)",
        ),
        (
            "other-tenant.csv",
            Box::new(|s: &mut Csv| {
                s.rows[0].insert("decision".into(), "approve".into());
                s.rows[5].insert(
                    "target_scope".into(),
                    "/subscriptions/00000000-0000-0000-0000-00000000dead".into(),
                );
            }),
            "other-tenant.csv:7: target_scope /subscriptions/00000000-0000-0000-0000-00000000dead is not a scope of snapshot 1",
        ),
    ];
    for (name, edit, expected) in cases {
        let mut s = Csv {
            header: sheet.header.clone(),
            rows: sheet.rows.clone(),
        };
        edit(&mut s);
        let path = dir.path().join(name);
        write_sheet(&path, &s, &HashMap::new());
        let out = whocan(&db)
            .current_dir(dir.path())
            .args(["review", "apply", name])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains(expected),
            "{name}: expected {expected:?} in\n{err}"
        );
        assert!(err.contains("nothing recorded"), "{err}");
    }
    // A missing column.
    let path = dir.path().join("no-decision.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(["review_key", "target_scope", "reviewer_comment"])
        .unwrap();
    w.write_record([keys[0].as_str(), &ws_id("ml-prod"), ""])
        .unwrap();
    w.flush().unwrap();
    let out = whocan(&db)
        .args(["review", "apply"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no-decision.csv:1: missing column decision"),
        "{err}"
    );
    // Nothing was recorded by any of them.
    let json = review_json(&db, &["--workspace", "ml-prod"]);
    assert!(json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "firstReview"));
    let plan = ok(whocan(&db).args(["review", "plan"]).output().unwrap());
    assert!(
        text(&plan.stdout).contains("0 commands for 0 rows"),
        "{}",
        text(&plan.stdout)
    );
}

#[test]
fn one_access_on_several_rows_needs_one_decision() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--all-workspaces"]);
    // Dave Kim's Contributor: shared by ml-dev and ml-test, blocked at ml-prod.
    let dave: Vec<String> = sheet
        .find(&[("display_name", "Dave Kim")])
        .iter()
        .map(|r| r["target_scope"].clone())
        .collect();
    assert_eq!(dave.len(), 2);
    let mut s = Csv {
        header: sheet.header.clone(),
        rows: sheet.rows.clone(),
    };
    let mut n = 0;
    for r in &mut s.rows {
        if r["display_name"] == "Dave Kim" {
            let d = if n == 0 { "approve" } else { "remove" };
            r.insert("decision".into(), d.into());
            n += 1;
        }
    }
    let path = dir.path().join("conflict.csv");
    write_sheet(&path, &s, &HashMap::new());
    let out = apply(&db, &path, "x");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("needs one decision"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn excel_style_sheets_with_bom_and_semicolons_are_read() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    let greg = sheet.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    let path = dir.path().join("excel.csv");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut bytes);
        w.write_record(&sheet.header).unwrap();
        for r in &sheet.rows {
            let rec: Vec<String> = sheet
                .header
                .iter()
                .map(|c| {
                    if c == "decision" && r["review_key"] == greg["review_key"] {
                        " Remove ".to_string()
                    } else {
                        r[c].clone()
                    }
                })
                .collect();
            w.write_record(&rec).unwrap();
        }
        w.flush().unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    ok(apply(&db, &path, "x"));
    let again = review_csv(&db, &["--workspace", "ml-prod"]);
    assert_eq!(
        again.one(&[("review_key", &greg["review_key"])])["decision"],
        "remove"
    );
}

/// `review plan --workspace ml-prod`: its stdout and stderr.
fn plan_of(db: &Path) -> (String, String) {
    let out = ok(whocan(db)
        .args(["review", "plan", "--workspace", "ml-prod"])
        .output()
        .unwrap());
    (text(&out.stdout), text(&out.stderr))
}

#[test]
fn plan_prints_the_az_commands_for_remove_decisions() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    let greg = sheet.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    let orphan = sheet.one(&[("principal_id", ORPHAN)]);
    let ivan = sheet.one(&[("principal_id", IVAN), ("role_name", "Owner")]);
    let erin = sheet.one(&[("display_name", "Erin Walker"), ("role_name", "Owner")]);
    let mut decide: HashMap<String, (&str, &str)> = [
        (greg["review_key"].clone(), ("remove", "disabled\nrm -rf /")),
        (orphan["review_key"].clone(), ("remove", "")),
        (ivan["review_key"].clone(), ("remove", "")),
        (erin["review_key"].clone(), ("approve", "")),
    ]
    .into();
    // Both of Quinn's rows go through MLOps: one command.
    for q in sheet.find(&[("principal_id", QUINN)]) {
        decide.insert(q["review_key"].clone(), ("remove", ""));
    }
    let filled = dir.path().join("filled.csv");
    write_sheet(&filled, &sheet, &decide);
    ok(apply(&db, &filled, "olivia"));

    let out = ok(whocan(&db)
        .args(["review", "plan", "--workspace", "ml-prod"])
        .output()
        .unwrap());
    let plan = text(&out.stdout);
    let commands: Vec<&str> = plan.lines().filter(|l| !l.starts_with('#')).collect();
    let expected_greg =
        format!("az ad group member remove --group {G_PLATFORM_ADMINS} --member-id {GREG}");
    let expected_orphan = format!(
        "az role assignment delete --ids {}",
        orphan["assignment_id"]
    );
    let expected_quinn = format!("az ad group member remove --group {G_MLOPS} --member-id {QUINN}");
    assert!(commands.contains(&expected_greg.as_str()), "{plan}");
    assert!(commands.contains(&expected_orphan.as_str()), "{plan}");
    assert_eq!(
        commands.iter().filter(|c| **c == expected_quinn).count(),
        1,
        "deduplicated: {plan}"
    );
    let pim: Vec<&&str> = commands
        .iter()
        .filter(|c| c.contains("roleEligibilityScheduleRequests"))
        .collect();
    assert_eq!(pim.len(), 1, "{plan}");
    assert!(pim[0].starts_with("az rest --method put --url '"));
    assert!(pim[0].contains("AdminRemove") && pim[0].contains(IVAN));
    assert!(plan.contains("PIM eligibility is removed in PIM"));
    assert_eq!(commands.len(), 4, "approve plans nothing: {plan}");
    // Each command is preceded by a comment naming its row; a newline in a comment
    // cannot start a command.
    let lines: Vec<&str> = plan.lines().collect();
    let at = lines.iter().position(|l| *l == expected_greg).unwrap();
    assert!(
        lines[at - 1].starts_with("# row: Greg Walsh (User) · Owner"),
        "{plan}"
    );
    assert!(lines[at - 1].contains("disabled rm -rf /"));
    assert!(!lines.contains(&"rm -rf /"));
    // Without a scope: every target a decision was recorded for (the same here).
    let all = ok(whocan(&db).args(["review", "plan"]).output().unwrap());
    assert_eq!(text(&all.stdout), plan);
}

#[test]
fn a_row_longer_or_shorter_than_its_header_is_refused_and_nothing_recorded() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    let greg = sheet.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    let filled = dir.path().join("filled.csv");
    write_sheet(
        &filled,
        &sheet,
        &[(greg["review_key"].clone(), ("approve", "keep for now"))].into(),
    );
    // An unquoted comma in the comment; another row cut short.
    let body = std::fs::read_to_string(&filled).unwrap();
    let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .position(|l| l.contains("keep for now"))
        .unwrap();
    lines[at] = lines[at].replace("keep for now", "keep for now, ask Bob");
    let short = (1..lines.len())
        .find(|&i| i != at && !lines[i].split(',').take(15).any(|c| c.contains('"')))
        .unwrap();
    lines[short] = lines[short]
        .split(',')
        .take(14)
        .collect::<Vec<_>>()
        .join(",");
    std::fs::write(&filled, lines.join("\n") + "\n").unwrap();
    let out = apply(&db, &filled, "olivia");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    let file = filled.display().to_string();
    assert!(
        err.contains(&format!(
            "{file}:{}: 26 fields where the header has 25",
            at + 1
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:{}: 14 fields where the header has 25: the row is cut short",
            short + 1
        )),
        "{err}"
    );
    assert!(err.contains("nothing recorded"), "{err}");
    let again = review_csv(&db, &["--workspace", "ml-prod"]);
    assert!(again.rows.iter().all(|r| r["decision"].is_empty()));
}

#[test]
fn a_control_character_in_a_comment_is_refused() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    let greg = sheet.one(&[("principal_id", GREG), ("role_name", "Owner")]);
    let filled = dir.path().join("filled.csv");
    for bad in ["ok\u{0}", "see \u{1b}[2Jhere", "x\u{85}y"] {
        write_sheet(
            &filled,
            &sheet,
            &[(greg["review_key"].clone(), ("approve", bad))].into(),
        );
        let out = apply(&db, &filled, "olivia");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(text(&out.stderr).contains("reviewer_comment holds the control character U+"));
    }
    // Line breaks and tabs are text.
    write_sheet(
        &filled,
        &sheet,
        &[(
            greg["review_key"].clone(),
            ("approve", "two\r\nlines\tand a tab"),
        )]
        .into(),
    );
    ok(apply(&db, &filled, "olivia"));
}

#[test]
fn two_outputs_naming_one_file_are_refused() {
    let (dir, db) = fresh();
    let same = dir.path().join("r.x");
    for (a, b) in [
        ("--html", "--xlsx"),
        ("--out", "--xlsx"),
        ("--out", "--html"),
    ] {
        let out = whocan(&db)
            .args(["review", "--workspace", "ml-prod", a])
            .arg(&same)
            .arg(b)
            .arg(dir.path().join(".").join("r.x"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{a} {b}");
        let err = text(&out.stderr);
        assert!(err.contains(&format!("{a} and {b} both name")), "{err}");
        assert!(err.contains("hint:"), "{err}");
        assert!(!same.exists());
    }
}

/// An output named like the database (or its journal), however spelled, is
/// refused before any work, and an output over any other SQLite database too:
/// the snapshots are kept.
#[test]
fn an_output_never_replaces_a_database() {
    let (dir, db) = fresh();
    let before = std::fs::read(&db).unwrap();
    let name = db.file_name().unwrap().to_str().unwrap().to_string();
    let wal = dir.path().join(format!("{name}-wal"));
    let dotted = dir.path().join(".").join(&name);
    for flag in ["--out", "--html", "--xlsx"] {
        for target in [db.clone(), dotted.clone(), wal.clone()] {
            let out = whocan(&db)
                .args(["review", "--workspace", "ml-prod", flag])
                .arg(&target)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{flag} {}", target.display());
            let err = text(&out.stderr);
            assert!(err.contains("the database"), "{err}");
            assert!(err.contains("hint:"), "{err}");
        }
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // Another database (a copy): not ours to replace either.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    let out = whocan(&db)
        .args(["review", "--workspace", "ml-prod", "--out"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("SQLite database"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    let out = whocan(&db)
        .args(["snapshots", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn plan_holds_back_a_membership_removal_that_takes_away_approved_rows() {
    let (dir, db) = fresh();
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    let kyle = sheet.find(&[("display_name", "Kyle Jensen")]);
    let reader = sheet.one(&[("display_name", "Kyle Jensen"), ("role_name", "Reader")]);
    let deeper: Vec<&HashMap<String, String>> = kyle
        .iter()
        .copied()
        .filter(|r| r["access_path"].starts_with("Kyle Jensen → Data Platform Team → "))
        .collect();
    assert!(!deeper.is_empty(), "{kyle:?}");
    let mut decide: HashMap<String, (&str, &str)> =
        [(reader["review_key"].clone(), ("remove", "left the team"))].into();
    for r in &deeper {
        decide.insert(r["review_key"].clone(), ("approve", ""));
    }
    let filled = dir.path().join("filled.csv");
    write_sheet(&filled, &sheet, &decide);
    ok(apply(&db, &filled, "olivia"));
    let (plan, stderr) = plan_of(&db);
    assert!(
        plan.lines().all(|l| l.starts_with('#')),
        "no command takes away approved access: {plan}"
    );
    assert!(
        plan.contains("# not planned: this removal would also take away"),
        "{plan}"
    );
    for r in &deeper {
        assert!(
            plan.lines().any(|l| l.starts_with("# kept: Kyle Jensen")
                && l.contains(&r["review_key"])
                && l.contains("approve by olivia")),
            "{plan}"
        );
    }
    assert!(
        stderr.contains("1 `remove` decision not planned"),
        "{stderr}"
    );
    // Decided `remove` together, the one command carries them all out.
    for r in &deeper {
        decide.insert(r["review_key"].clone(), ("remove", ""));
    }
    let sheet = review_csv(&db, &["--workspace", "ml-prod"]);
    write_sheet(&filled, &sheet, &decide);
    ok(apply(&db, &filled, "olivia"));
    let (plan, _) = plan_of(&db);
    let commands: Vec<&str> = plan.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(commands.len(), 1, "{plan}");
    assert!(
        commands[0].starts_with("az ad group member remove"),
        "{plan}"
    );
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

/// Elements that never have a closing tag.
const VOID: [&str; 7] = ["meta", "br", "input", "hr", "img", "link", "col"];

/// A small well-formedness check: a doctype, and every start tag closed in order
/// (void elements and `<x/>` excepted; script and style content skipped).
pub(crate) fn check_well_formed(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "no doctype");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").expect("unclosed comment");
            rest = &rest[end + 3..];
            continue;
        }
        if rest.starts_with("<!") {
            let end = rest.find('>').unwrap();
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest.find('>').expect("unclosed tag");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
            continue;
        }
        assert!(!tag.contains('<'), "`<` inside a tag: {tag}");
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "bad tag <{tag}>");
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            let end = rest
                .find(&close)
                .unwrap_or_else(|| panic!("unclosed <{name}>"));
            rest = &rest[end + close.len()..];
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn html_page_is_self_contained_and_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("review.html");
    let out = ok(whocan(&sample().db)
        .args(["review", "--all-workspaces", "--html"])
        .arg(&page)
        .output()
        .unwrap());
    assert!(out.stdout.is_empty(), "only the page was asked for");
    let html = std::fs::read_to_string(&page).unwrap();
    check_well_formed(&html);
    // No network: no URL at all, no external resource.
    for bad in ["http://", "https://", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(bad), "found {bad}");
    }
    // Figures per workspace, the filterable table, a picture per access.
    for ws in [
        "ml-dev (workspace)",
        "ml-test (workspace)",
        "ml-prod (workspace)",
    ] {
        assert!(html.contains(&format!(">{ws}</td>")), "{ws}");
    }
    assert!(html.contains("id=\"q\"") && html.contains("data-attr=\"data-privileged\""));
    let sheet = review_csv(&sample().db, &["--all-workspaces"]);
    let keys: BTreeSet<&str> = sheet
        .rows
        .iter()
        .map(|r| r["review_key"].as_str())
        .collect();
    assert!(
        keys.len() < sheet.rows.len(),
        "access inherited by several workspaces"
    );
    assert_eq!(
        html.matches("<tr class=\"ac").count(),
        keys.len(),
        "one table row per access, however many workspaces it reaches"
    );
    assert_eq!(
        html.matches("<figure class=\"grant\"><figcaption>").count(),
        keys.len(),
        "a path diagram per access"
    );
    // Greg's path: principal → group → role → scope, once, reaching every workspace.
    let greg =
        "aria-label=\"Greg Walsh → Platform Admins → Owner → management group Machine Learning\"";
    assert_eq!(html.matches(greg).count(), 1);
    let greg_row = html
        .split("<tr class=\"ac")
        .find(|r| {
            r.contains("<td>Greg Walsh</td>") && r.contains("management group Machine Learning")
        })
        .unwrap();
    assert!(greg_row.contains("all 3 reviewed scopes"), "{greg_row}");
}

/// The README's step as a new user types it: `review --out`, then `review
/// apply` of that sheet before anyone filled it in. Nothing to record: exit 2,
/// a hint, and no apply in the trail (it was recorded as an apply of 38
/// undecided rows). A sheet with one comment and no decision is recorded.
#[test]
fn applying_a_sheet_nobody_filled_in_is_refused_and_recorded_nowhere() {
    let (dir, db) = fresh();
    let sheet = dir.path().join("ml-prod-2026Q4.csv");
    ok(whocan(&db)
        .args(["review", "--workspace", "ml-prod", "--out"])
        .arg(&sheet)
        .output()
        .unwrap());
    let out = apply(&db, &sheet, "Olivia Bennett");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("none of its 38 rows has a decision or a comment; nothing recorded"),
        "{err}"
    );
    assert!(err.contains("\nhint: fill `decision`"), "{err}");
    let v = serde_json::from_slice::<Value>(
        &ok(whocan(&db)
            .args(["verify", "--format", "json"])
            .output()
            .unwrap())
        .stdout,
    )
    .unwrap();
    assert_eq!(v["reviewTrail"]["applies"], serde_json::json!([]), "{v}");
    // A comment alone is something a reviewer wrote: recorded.
    let csv = review_csv(&db, &["--workspace", "ml-prod"]);
    let key = csv.rows[0]["review_key"].clone();
    let commented = dir.path().join("commented.csv");
    write_sheet(
        &commented,
        &csv,
        &HashMap::from([(key, ("", "asked the owner"))]),
    );
    ok(apply(&db, &commented, "Olivia Bennett"));
}
