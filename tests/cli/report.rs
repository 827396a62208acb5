//! The review's report and workbook as their readers get them (issue 13):
//! - the HTML report rendered by real headless Chromium: it runs its own
//!   self-check (`#selftest`: sorts and filters its table, checks the order and
//!   the rows shown) with no console message (no script error, nothing the
//!   Content-Security-Policy blocks); a screenshot of the first screen and a PDF
//!   print are made and checked for size and content. Skipped, saying so, where
//!   no Chromium is installed (`.ci/run` installs one);
//! - the workbook opened with a reader (calamine) and as the XML inside it: its
//!   sheets, the cells of the CSV sheet, the frozen header, the autofilter, the
//!   decision drop-down; filled in and applied, then planned.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use calamine::{Data, Reader, Xlsx};
use sha2::{Digest, Sha256};

use crate::review::check_well_formed;
use crate::support::{sample, Scratch};

// ---------------------------------------------------------------------------
// Headless Chromium
// ---------------------------------------------------------------------------

/// The installed Chromium, or `None` after saying that the browser tests skip.
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        eprintln!(
            "SKIPPED: no chromium on PATH, so the report is not rendered in a browser (apt-get install chromium; .ci/run does)"
        );
    }
    found
}

/// Runs headless Chromium on `url` with its own profile in `dir`; offline, no
/// first-run or background work. Console messages go to stderr.
fn browse(browser: &str, dir: &Path, url: &str, extra: &[String]) -> Output {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    out
}

/// The page's console messages (errors, CSP violations) as Chromium logs them.
fn console_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

fn report(dir: &Path, name: &str, args: &str) -> PathBuf {
    let page = dir.join(name);
    sample()
        .words(format!("review {args} --html"))
        .arg(&page)
        .expect(0)
        .stdout_empty();
    page
}

/// The page's self-check in the browser: `PASS n checks`, or what failed.
fn selftest(browser: &str, dir: &Path, page: &Path) -> (String, Vec<String>) {
    let out = browse(
        browser,
        dir,
        &format!("file://{}#selftest", page.display()),
        &["--virtual-time-budget=10000".into(), "--dump-dom".into()],
    );
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let result = dom
        .split("<output id=\"selftest\"")
        .nth(1)
        .and_then(|r| r.split_once('>'))
        .map(|(_, r)| r.split("</output>").next().unwrap_or("").to_string())
        .unwrap_or_else(|| format!("no #selftest in the DOM:\n{dom}"));
    (result, console_lines(&out.stderr))
}

#[test]
fn the_report_sorts_and_filters_in_chromium_with_no_console_message() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("all.html", "--all-workspaces"),
        ("prod.html", "--workspace ml-prod"),
    ] {
        let page = report(dir.path(), name, args);
        let (result, console) = selftest(browser, dir.path(), &page);
        assert!(result.starts_with("PASS"), "{name}: {result}");
        assert!(console.is_empty(), "{name}: console: {console:#?}");
    }
}

#[test]
fn the_selftest_notices_a_script_the_policy_blocks() {
    // The check above can fail: a page whose script is not the one its policy
    // names runs no script (no PASS) and the browser says so on the console.
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = report(dir.path(), "r.html", "--workspace ml-prod");
    let html = std::fs::read_to_string(&page).unwrap();
    let tampered = dir.path().join("tampered.html");
    std::fs::write(
        &tampered,
        html.replacen("'use strict';", "'use strict';var x=1;", 1),
    )
    .unwrap();
    let (result, console) = selftest(browser, dir.path(), &tampered);
    assert!(!result.starts_with("PASS"), "{result}");
    assert!(
        console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "{console:#?}"
    );
}

/// The share of pixels that are not (nearly) white in an RGB(A) PNG, and its size.
fn ink(png_bytes: &[u8]) -> (f64, u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let px = &buf[..info.buffer_size()];
    let total = px.len() / channels;
    let inked = px
        .chunks(channels)
        .filter(|p| p[0] < 235 || p[1] < 235 || p[2] < 235)
        .count();
    (inked as f64 / total as f64, info.width, info.height)
}

#[test]
fn the_first_screen_and_the_pdf_print_have_content() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = report(dir.path(), "all.html", "--all-workspaces");
    let url = format!("file://{}", page.display());

    let shot = dir.path().join("first-screen.png");
    let out = browse(
        browser,
        dir.path(),
        &url,
        &[
            "--window-size=1400,900".into(),
            format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        png.len() > 50_000,
        "a nearly empty PNG: {} bytes",
        png.len()
    );
    let (share, w, h) = ink(&png);
    assert_eq!((w, h), (1400, 900));
    assert!(
        share > 0.10,
        "only {:.1}% of the first screen is drawn",
        share * 100.0
    );

    let pdf = dir.path().join("review.pdf");
    let out = browse(
        browser,
        dir.path(),
        &url,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let bytes = std::fs::read(&pdf)
        .unwrap_or_else(|e| panic!("no PDF ({e}):\n{}", String::from_utf8_lossy(&out.stderr)));
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        bytes.len() > 100_000,
        "a nearly empty PDF: {} bytes",
        bytes.len()
    );
    let text = String::from_utf8_lossy(&bytes);
    let pages = regex::Regex::new(r"/Type\s*/Page[^s]")
        .unwrap()
        .find_iter(&text)
        .count();
    assert!((2..=20).contains(&pages), "{pages} pages");
    // Landscape (`@page`): every page is wider than high.
    let boxes = regex::Regex::new(r"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]").unwrap();
    let mut seen = 0;
    for c in boxes.captures_iter(&text) {
        let (w, h): (f64, f64) = (c[1].parse().unwrap(), c[2].parse().unwrap());
        assert!(w > h, "a portrait page: {w} x {h}");
        seen += 1;
    }
    assert!(seen > 0, "no page size in the PDF");
}

// ---------------------------------------------------------------------------
// The page itself
// ---------------------------------------------------------------------------

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let start = s.find(open).unwrap_or_else(|| panic!("no {open}")) + open.len();
    let len = s[start..].find(close).unwrap();
    &s[start..start + len]
}

fn sha256_source(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

#[test]
fn the_policy_allows_exactly_the_pages_own_style_and_script() {
    let dir = tempfile::tempdir().unwrap();
    let page = report(dir.path(), "r.html", "--workspace ml-prod");
    let html = std::fs::read_to_string(&page).unwrap();
    check_well_formed(&html);
    let csp = between(
        &html,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    );
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert_eq!(html.matches("<style>").count(), 1);
    assert_eq!(html.matches("<script>").count(), 1);
    let style = between(&html, "<style>", "</style>");
    let script = between(&html, "<script>", "</script>");
    assert!(
        csp.contains(&format!("style-src {};", sha256_source(style))),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("script-src {};", sha256_source(script))),
        "{csp}"
    );
    assert!(!csp.contains("unsafe"), "{csp}");
    // Nothing the policy would block: no inline style or handler attribute.
    assert!(!html.contains(" style=\""));
    assert!(!regex::Regex::new(r"\son[a-z]+=").unwrap().is_match(&html));
}

#[test]
fn the_first_screen_summarises_and_one_workspace_has_no_reaches_column() {
    let dir = tempfile::tempdir().unwrap();
    let page = report(dir.path(), "r.html", "--workspace ml-dev");
    let html = std::fs::read_to_string(&page).unwrap();
    let first = between(&html, "<section id=\"overview\">", "</section>");
    for what in [
        "principals with access",
        "privileged (can change access)",
        "guests",
        "disabled account",
        "orphaned (deleted)",
        "eligible through PIM",
        "accesses needing a decision",
        "removals recommended",
        "Top findings",
        "Who holds access",
        "Review progress",
    ] {
        assert!(first.contains(what), "{what}");
    }
    // A card's label agrees with its number.
    assert!(
        first.contains("<b>1</b><span>disabled account</span>"),
        "{first}"
    );
    assert_eq!(first.matches("<svg").count(), 2, "two charts");
    assert!(first.contains("from whocan lint, at, above and below ml-dev (workspace)"));
    assert!(
        !html.contains(">Reaches<"),
        "one workspace: nothing to reach"
    );
    // A condition in words, the expression as written in the detail view.
    assert!(html.contains("when the action is"));
    assert!(html.contains("<dt>Condition as written</dt>"));
}

/// SPEC §5's `blocked_by` and `window` on the page: a grant a deny assignment
/// blocks names it (friendly name in the table, its id and scope in the detail
/// view), and a PIM window is shown as dates in the row and whole in the detail.
#[test]
fn the_report_names_the_deny_that_blocks_a_grant_and_the_pim_window() {
    let dir = tempfile::tempdir().unwrap();
    let page = report(dir.path(), "r.html", "--workspace ml-prod");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains(">Blocked by</th>"), "a Blocked by column");
    let deny = "Deny assignment &#39;ml-prod-stack&#39; (deployment stack protection)";
    let cell = html
        .split("<td class=\"small deny\">")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap_or(c))
        .find(|c| c.contains(deny))
        .expect("a row blocked by the stack's deny");
    assert!(cell.starts_with("<div title=\"deny assignment /"), "{cell}");
    assert!(
        html.contains(&format!(
            "<dt>Blocked by</dt><dd>{deny} at ml-prod (workspace)"
        )),
        "the detail view names the deny and where it is"
    );
    // Data Platform On-Call's eligible Contributor: its window in the row and in the detail view.
    assert!(html.contains(
        "title=\"window 2026-09-01T00:00:00Z..2027-03-01T00:00:00Z\">2026-09-01 → 2027-03-01<"
    ));
    assert!(html.contains(
        "<dt>Window</dt><dd class=\"mono\">2026-09-01T00:00:00Z..2027-03-01T00:00:00Z</dd>"
    ));
    // A workspace no deny reaches has no such column.
    let dev =
        std::fs::read_to_string(report(dir.path(), "dev.html", "--workspace ml-dev")).unwrap();
    assert!(!dev.contains(">Blocked by<"), "nothing blocked at ml-dev");
}

// ---------------------------------------------------------------------------
// The workbook
// ---------------------------------------------------------------------------

fn workbook(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap()
}

/// A sheet's cells as text, row by row.
fn sheet_text(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<String>> {
    wb.worksheet_range(name)
        .unwrap()
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

/// A file of the workbook's zip, as text.
fn part(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
    s
}

/// The CSV sheet's cells exactly as written (neutralised), row by row.
fn csv_cells(args: &str) -> Vec<Vec<String>> {
    let out = sample()
        .words(format!("review {args} --format csv"))
        .expect(0)
        .stdout();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_workbook_has_the_sheets_cells_and_controls_a_reviewer_needs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.xlsx");
    sample()
        .words("review --workspace ml-prod --xlsx")
        .arg(&path)
        .expect(0)
        .stdout_empty()
        .stderr_has("wrote ");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let mut wb = workbook(&path);
    assert_eq!(wb.sheet_names(), ["Summary", "Review"]);
    // The rows: exactly the CSV sheet's cells, the same neutralising included.
    let rows = sheet_text(&mut wb, "Review");
    let csv = csv_cells("--workspace ml-prod");
    assert_eq!(rows.len(), csv.len());
    for (i, (x, c)) in rows.iter().zip(&csv).enumerate() {
        let x: Vec<&str> = x.iter().map(String::as_str).collect();
        let c: Vec<&str> = c.iter().map(String::as_str).collect();
        assert_eq!(x, c, "row {}", i + 1);
    }
    let summary = sheet_text(&mut wb, "Summary");
    let flat = summary.concat().join("|");
    for what in [
        "Principals",
        "Privileged",
        "To decide",
        "Removals recommended",
        "ml-prod (workspace)",
        "whocan review apply",
    ] {
        assert!(flat.contains(what), "{what}: {flat}");
    }

    // What calamine does not show: read from the sheet's XML.
    let xml = part(&path, "xl/worksheets/sheet2.xml");
    let last = rows.len();
    assert!(
        xml.contains(
            "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
        ),
        "frozen header"
    );
    let last_col = char::from(b'A' + rows[0].len() as u8 - 1);
    assert!(
        xml.contains(&format!("<autoFilter ref=\"A1:{last_col}{last}\"/>")),
        "autofilter"
    );
    // SPEC §5's added columns, at the end as in the CSV, and filled.
    assert_eq!(rows[0][22..], ["blocked_by", "window", "covers"]);
    assert!(rows[1..].iter().any(|r| r[22].contains("ml-prod-stack")));
    assert!(rows[1..]
        .iter()
        .any(|r| r[23] == "2026-09-01T00:00:00Z..2027-03-01T00:00:00Z"));
    let decision = rows[0].iter().position(|c| c == "decision").unwrap();
    assert_eq!(decision, 20, "column U");
    let dv = between(&xml, "<dataValidation ", "</dataValidation>");
    assert!(dv.contains("type=\"list\""), "{dv}");
    assert!(dv.contains(&format!("sqref=\"U2:U{last}\"")), "{dv}");
    assert!(
        dv.contains("<formula1>\"approve,remove,flag\"</formula1>"),
        "{dv}"
    );
    assert!(xml.contains("<col min=\"20\" max=\"20\""), "column widths");
    // Privileged rows and recommendations are filled.
    let styles = part(&path, "xl/styles.xml");
    assert!(
        styles.contains("FFFDE2E1") && styles.contains("FFFFEDD5"),
        "{styles}"
    );
}

#[test]
fn a_formula_in_a_name_is_neutralised_in_the_workbook_as_in_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data =
        crate::review::sample_with_user(dir.path(), "1501b195-5b9c-4bfc-b2ee-861dd686de13", |u| {
            u["displayName"] = serde_json::Value::from("=HYPERLINK(\"x\",\"y\")")
        });
    let s = Scratch::new();
    s.import(&data, "2026-10-01T00:00:00Z", "q");
    let path = s.path("r.xlsx");
    s.run()
        .words("review --workspace ml-dev --xlsx")
        .arg(&path)
        .expect(0);
    let rows = sheet_text(&mut workbook(&path), "Review");
    let name = rows[0].iter().position(|c| c == "display_name").unwrap();
    assert!(rows.iter().any(|r| r[name] == "'=HYPERLINK(\"x\",\"y\")"));
    assert!(!rows.iter().any(|r| r[name].starts_with('=')));
}

#[test]
fn a_name_longer_than_a_cell_holds_is_cut_in_the_workbook_and_applies_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("Dana {}", "x".repeat(40_000));
    let data =
        crate::review::sample_with_user(dir.path(), "1501b195-5b9c-4bfc-b2ee-861dd686de13", |u| {
            u["displayName"] = serde_json::Value::from(long.clone())
        });
    let s = Scratch::new();
    s.import(&data, "2026-10-01T00:00:00Z", "q");
    let (xlsx, csv_out) = (s.path("r.xlsx"), s.path("r.csv"));
    s.run()
        .words("review --workspace ml-dev --xlsx")
        .arg(&xlsx)
        .arg("--out")
        .arg(&csv_out)
        .expect(0);
    let rows = sheet_text(&mut workbook(&xlsx), "Review");
    let name = rows[0].iter().position(|c| c == "display_name").unwrap();
    let cut = rows
        .iter()
        .find(|r| r[name].starts_with("Dana x"))
        .expect("the long name's row");
    assert_eq!(cut[name].chars().count(), 32_767);
    assert!(cut[name].contains("more characters; the CSV sheet has the whole value]"));
    // The CSV written with it has the whole name.
    let sheet = std::fs::read_to_string(&csv_out).unwrap();
    assert!(sheet.contains(&long));
    // Applied back, the cut cell is not a change.
    let key = rows[0].iter().position(|c| c == "review_key").unwrap();
    let decision = rows[0].iter().position(|c| c == "decision").unwrap();
    let mut filled = rows.clone();
    for r in filled.iter_mut().skip(1) {
        if r[name].starts_with("Dana x") {
            r[decision] = "approve".into();
        }
    }
    let saved = s.path("filled.xlsx");
    save_filled(&saved, &filled);
    let out = s
        .run()
        .words("review apply --reviewer olivia")
        .arg(&saved)
        .expect(0);
    assert!(!out.stderr().contains("changed since"), "{}", out.stderr());
    // And the decision carries over (it was recorded on unchanged content).
    let again = s
        .run()
        .words("review --workspace ml-dev --format csv")
        .expect(0)
        .stdout();
    let row = again
        .lines()
        .find(|l| l.starts_with(&cut[key]))
        .expect("the row again");
    assert!(row.contains(",approve,"), "{}", &row[row.len() - 200..]);
}

/// Writes `rows` (the Review sheet's cells) into a new workbook, as a reviewer's
/// Excel would save it: a sheet of their own first, then `Review`.
fn save_filled(path: &Path, rows: &[Vec<String>]) {
    save_filled_with(path, rows, &[]);
}

/// [`save_filled`], with `extra` cells (row, column, text) on the review sheet.
fn save_filled_with(path: &Path, rows: &[Vec<String>], extra: &[(u32, u16, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("My notes").unwrap();
    notes
        .write_string(0, 0, "checked with the team lead")
        .unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Review").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    for &(r, c, v) in extra {
        ws.write_string(r, c, v).unwrap();
    }
    wb.save(path).unwrap();
}

/// The cells of ml-prod's review workbook, written by `review --xlsx`.
fn ml_prod_workbook_rows(s: &Scratch) -> Vec<Vec<String>> {
    let path = s.path("review.xlsx");
    s.run()
        .words("review --workspace ml-prod --xlsx")
        .arg(&path)
        .expect(0);
    sheet_text(&mut workbook(&path), "Review")
}

/// A returned workbook with one stray cell at the sheet's last position (a
/// reviewer's typo, or a hostile file) is read cell by cell: its memory follows
/// the cells, not the 17-billion-cell span they name, and the rows apply.
#[test]
fn a_workbook_with_a_cell_at_the_far_corner_is_applied() {
    let s = Scratch::new().with_sample();
    let mut rows = ml_prod_workbook_rows(&s);
    let decision = rows[0].iter().position(|h| h == "decision").unwrap();
    rows[1][decision] = "approve".into();
    let far = s.path("far.xlsx");
    save_filled_with(&far, &rows, &[(1_048_575, 16_383, "x")]);
    s.run()
        .args(["review", "apply"])
        .arg(&far)
        .args(["--reviewer", "Olivia Bennett"])
        .expect(0)
        .stderr_has("1 approve");
}

#[test]
fn a_filled_workbook_is_applied_and_planned() {
    let s = Scratch::new().with_sample();
    let mut rows = ml_prod_workbook_rows(&s);
    let header = rows[0].clone();
    let col = |n: &str| header.iter().position(|c| c == n).unwrap();
    let (decision, comment, path_col, assignment, pim) = (
        col("decision"),
        col("reviewer_comment"),
        col("access_path"),
        col("assignment_id"),
        col("pim"),
    );
    // Remove one active assignment held directly; approve and flag two more.
    let remove = (1..rows.len())
        .find(|&i| rows[i][path_col] == "direct" && rows[i][pim] == "active")
        .unwrap();
    rows[remove][decision] = "remove".into();
    rows[remove][comment] = "left the team".into();
    let removed_id = rows[remove][assignment].clone();
    let others: Vec<usize> = (1..rows.len()).filter(|&i| i != remove).take(2).collect();
    rows[others[0]][decision] = "Approve".into();
    rows[others[1]][decision] = " flag".into();
    let filled = s.path("filled.xlsx");
    save_filled(&filled, &rows);

    s.run()
        .args(["review", "apply"])
        .arg(&filled)
        .args(["--reviewer", "Olivia Bennett"])
        .expect(0)
        .stderr_has("1 approve, 1 remove, 1 flag");
    let plan = s
        .run()
        .words("review plan --workspace ml-prod")
        .expect(0)
        .stdout();
    assert!(
        plan.contains(&format!("az role assignment delete --ids {removed_id}")),
        "{plan}"
    );
    assert!(plan.contains("left the team"), "{plan}");
    // The next workbook carries the decisions over.
    let again = s.path("again.xlsx");
    s.run()
        .words("review --workspace ml-prod --xlsx")
        .arg(&again)
        .expect(0)
        .stderr_has("3 decisions pre-filled");
    let next = sheet_text(&mut workbook(&again), "Review");
    let key = col("review_key");
    let carried = next.iter().find(|r| r[key] == rows[remove][key]).unwrap();
    assert_eq!(carried[decision], "remove");
}

#[test]
fn a_bad_decision_in_a_workbook_is_refused_with_its_sheet_and_row() {
    let s = Scratch::new().with_sample();
    let path = s.path("review.xlsx");
    s.run()
        .words("review --workspace ml-prod --xlsx")
        .arg(&path)
        .expect(0);
    let mut rows = sheet_text(&mut workbook(&path), "Review");
    // SPEC §5's added columns, at the end as in the CSV, and filled.
    assert_eq!(rows[0][22..], ["blocked_by", "window", "covers"]);
    assert!(rows[1..].iter().any(|r| r[22].contains("ml-prod-stack")));
    assert!(rows[1..]
        .iter()
        .any(|r| r[23] == "2026-09-01T00:00:00Z..2027-03-01T00:00:00Z"));
    let decision = rows[0].iter().position(|c| c == "decision").unwrap();
    rows[4][decision] = "maybe".into();
    rows[6][decision] = "approve".into();
    let filled = s.path("filled.xlsx");
    save_filled(&filled, &rows);
    let ran = s
        .run()
        .args(["review", "apply"])
        .arg(&filled)
        .args(["--reviewer", "r"])
        .expect(2);
    ran.stderr_has(&format!(
        "{}:Review:5: decision `maybe` is not one of approve, remove, flag (or blank for undecided)",
        filled.display()
    ))
    .stderr_has("nothing recorded");
    // Nothing was recorded: the plan has nothing to remove.
    let plan = s
        .run()
        .words("review plan --workspace ml-prod")
        .expect(0)
        .stdout();
    assert!(!plan.contains("az "), "{plan}");

    // A workbook without the review sheet.
    let other = s.path("other.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "hello").unwrap();
    wb.save(&other).unwrap();
    s.run()
        .args(["review", "apply"])
        .arg(&other)
        .args(["--reviewer", "r"])
        .expect(2)
        .stderr_has("no sheet has a review_key column in its first row (sheets: Sheet1)");
}

/// Where a part's entry is in a workbook's zip: (its local header, its central
/// directory header).
fn zip_entry(bytes: &[u8], name: &str) -> (usize, usize) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let entry = zip.by_name(name).unwrap();
    (
        entry.header_start() as usize,
        entry.central_header_start() as usize,
    )
}

/// The `Review` sheet's part in a workbook `review --xlsx` writes.
const REVIEW_PART: &str = "xl/worksheets/sheet2.xml";

/// Whatever `review --xlsx` writes, `review apply` reads back. The Review sheet
/// and the shared strings whocan writes for the sample, per row, projected to a
/// sheet of Excel's most rows (1,048,575), stay within half the bounds a
/// workbook is read within (they were 1 GiB for all parts together, below a
/// full review sheet's 1.1 GB).
#[test]
fn a_workbook_of_excels_most_rows_is_within_the_bounds_it_is_read_within() {
    use whocan::commands::review::{MAX_INFLATED, MAX_PART_INFLATED, MAX_WORKSHEET_INFLATED};
    let s = Scratch::new().with_sample();
    let path = s.path("all.xlsx");
    s.run()
        .words("review --all-workspaces --xlsx")
        .arg(&path)
        .expect(0);
    let rows = sheet_text(&mut workbook(&path), "Review").len() as u64 - 1;
    assert!(rows > 50, "{rows}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut size = |name: &str| zip.by_name(name).unwrap().size();
    let (sheet, strings) = (size(REVIEW_PART), size("xl/sharedStrings.xml"));
    let full = |part: u64| part / rows * 1_048_575;
    assert!(2 * full(sheet) <= MAX_WORKSHEET_INFLATED, "{}", full(sheet));
    assert!(2 * full(strings) <= MAX_PART_INFLATED, "{}", full(strings));
    assert!(2 * (full(sheet) + full(strings)) <= MAX_INFLATED);
}

/// A workbook whose zip directory says a part inflates to 3.75 GiB (a zip
/// bomb) is refused without inflating it, naming the part, with a hint.
#[test]
fn a_workbook_part_that_would_inflate_past_its_bound_is_refused_unopened() {
    let s = Scratch::new().with_sample();
    let rows = ml_prod_workbook_rows(&s);
    let filled = s.path("filled.xlsx");
    save_filled(&filled, &rows);
    let mut bytes = std::fs::read(&filled).unwrap();
    let (_, central) = zip_entry(&bytes, "xl/sharedStrings.xml");
    // The uncompressed size of the central directory's entry.
    bytes[central + 24..central + 28].copy_from_slice(&0xF000_0000u32.to_le_bytes());
    let bomb = s.path("bomb.xlsx");
    std::fs::write(&bomb, &bytes).unwrap();
    s.run()
        .args(["review", "apply"])
        .arg(&bomb)
        .args(["--reviewer", "r"])
        .expect(2)
        .stderr_has(&format!(
            "{}: its part xl/sharedStrings.xml would inflate to 4026531840 bytes, more than the \
             1 GiB a workbook part may hold",
            bomb.display()
        ))
        .stderr_has("\nhint: export the review again");
}

/// A workbook cut short (a download that stopped) or changed in part (a disk
/// error in its Review sheet) is bad input with a hint, not a raw zip error
/// with the hint "`whocan COMMAND --help` lists each command's flags".
#[test]
fn a_damaged_workbook_is_refused_with_a_hint() {
    let s = Scratch::new().with_sample();
    let rows = ml_prod_workbook_rows(&s);
    let filled = s.path("filled.xlsx");
    save_filled(&filled, &rows);
    let bytes = std::fs::read(&filled).unwrap();

    let cut = s.path("cut.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    // Bytes of the Review sheet's compressed data overwritten.
    let mut changed = bytes.clone();
    let (local, _) = zip_entry(&bytes, REVIEW_PART);
    let field = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
    let data = local + 30 + field(local + 26) + field(local + 28);
    changed[data + 200..data + 216].fill(0xA5);
    let damaged = s.path("damaged.xlsx");
    std::fs::write(&damaged, &changed).unwrap();

    for (file, at) in [
        (&cut, cut.display().to_string()),
        (&damaged, format!("{}:Review", damaged.display())),
    ] {
        s.run()
            .args(["review", "apply"])
            .arg(file)
            .args(["--reviewer", "r"])
            .expect(2)
            .stderr_has(&format!(
                "error: {at}: the workbook cannot be read: it is cut short or damaged ("
            ))
            .stderr_has("\nhint: export the review again (`whocan review --xlsx FILE`)")
            .stderr_lacks("--help");
    }
    // Nothing was recorded.
    let plan = s.run().words("review plan --workspace ml-prod").expect(0);
    assert!(!plan.stdout().contains("az "), "{}", plan.stdout());
}
