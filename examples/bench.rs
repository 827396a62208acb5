//! The end-to-end benchmark (issue 5 §2–3; the targets are issue 11's): generates a
//! synthetic tenant, imports it with the release binary, measures the floor of the
//! same inserts, asks `who`/`can`/`what`/activity/`review` questions, imports a
//! 1%-churned copy as a second snapshot and diffs the two, then prints a markdown table (measure |
//! target | median | p99 | ratio to target) and writes it into BENCHMARKS.md.
//!
//! ```sh
//! scripts/bench.sh                       # = the two lines below
//! cargo build --release --bin whocan
//! cargo run --release --example bench -- --profile xl --out BENCHMARKS.md
//! ```
//!
//! Options (defaults in brackets): `--profile small|large|xl` [xl], `--seed N` [1],
//! `--out FILE` [print only], `--work DIR` [a temp dir, removed at the end],
//! `--bin PATH` [the `whocan` next to this example's `target/<profile>/`],
//! `--who-ws N` [50] workspaces × 5 actions, `--can N` [1000] triples,
//! `--what N` [100] principals, `--activity-ws N` [5] workspaces, `--repeat N` [3]
//! runs of each heavy step (import, floor, review, diff; a step whose first run
//! takes over 60 s runs once), `--no-library` (only the process-per-query timings),
//! `--library-who-ws N` [10] workspaces of the `who` sample also timed in-process,
//! `--review-all-timeout S` [600] stop `review --all-workspaces` after S seconds.
//!
//! Two ways of timing a query, both reported: **process**, the release binary run
//! once per question exactly as a user runs it (wall time from spawn to exit,
//! output to /dev/null, `--format json`; peak RSS from `/usr/bin/time`), and **library**,
//! the same code path inside this process with the snapshot opened once
//! (`Sliced::open` excluded, reported separately): slice + index + plan + decide,
//! with `who` consuming every streamed answer but printing nothing.
//!
//! The **floor** is the time to insert exactly the rows the import wrote (read
//! back from the imported database beforehand, so nothing but inserting is timed)
//! into a fresh database with the same schema and pragmas, with one bare prepared
//! `INSERT INTO t VALUES (?, ...)` per table, all in one transaction, secondary
//! indexes in place.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use whocan::cli::{ScopeArgs, SnapshotArgs};
use whocan::commands::common::Sliced;
use whocan::engine::decide::Ancestry;
use whocan::engine::query;
use whocan_synth::Profile;

const ACTIONS: [&str; 5] = [
    "Microsoft.MachineLearningServices/workspaces/read",
    "Microsoft.MachineLearningServices/workspaces/computes/write",
    "Microsoft.MachineLearningServices/workspaces/delete",
    "Microsoft.MachineLearningServices/workspaces/experiments/runs/submit/action",
    "Microsoft.Authorization/roleAssignments/write",
];
const TAKEN_1: &str = "2026-09-01T00:00:00Z";
const TAKEN_2: &str = "2026-10-01T00:00:00Z";
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;
const BEGIN: &str = "<!-- bench:begin (written by `cargo run --release --example bench`; edit outside these markers) -->";
const END: &str = "<!-- bench:end -->";

struct Opts {
    profile: Profile,
    seed: u64,
    out: Option<PathBuf>,
    work: Option<PathBuf>,
    bin: PathBuf,
    who_ws: usize,
    can: usize,
    what: usize,
    activity_ws: usize,
    repeat: usize,
    library: bool,
    library_who_ws: usize,
    review_all_timeout: u64,
}

fn parse_args() -> anyhow::Result<Opts> {
    let exe = std::env::current_exe()?;
    // target/<profile>/examples/bench -> target/<profile>/whocan
    let default_bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("whocan"))
        .unwrap_or_else(|| PathBuf::from("whocan"));
    let mut o = Opts {
        profile: Profile::Xl,
        seed: 1,
        out: None,
        work: None,
        bin: default_bin,
        who_ws: 50,
        can: 1000,
        what: 100,
        activity_ws: 5,
        repeat: 3,
        library: true,
        library_who_ws: 10,
        review_all_timeout: 600,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--profile" => {
                o.profile = match val()?.as_str() {
                    "small" => Profile::Small,
                    "large" => Profile::Large,
                    "xl" => Profile::Xl,
                    p => bail!("unknown profile {p}"),
                }
            }
            "--seed" => o.seed = val()?.parse()?,
            "--out" => o.out = Some(val()?.into()),
            "--work" => o.work = Some(val()?.into()),
            "--bin" => o.bin = val()?.into(),
            "--who-ws" => o.who_ws = val()?.parse()?,
            "--can" => o.can = val()?.parse()?,
            "--what" => o.what = val()?.parse()?,
            "--activity-ws" => o.activity_ws = val()?.parse()?,
            "--repeat" => o.repeat = val()?.parse::<usize>()?.max(1),
            "--no-library" => o.library = false,
            "--library-who-ws" => o.library_who_ws = val()?.parse()?,
            "--review-all-timeout" => o.review_all_timeout = val()?.parse()?,
            "-h" | "--help" => {
                println!("see the header of examples/bench.rs");
                std::process::exit(0);
            }
            other => bail!("unknown option {other}"),
        }
    }
    if !o.bin.exists() {
        bail!(
            "{} does not exist: run `cargo build --release --bin whocan` first (or pass --bin)",
            o.bin.display()
        );
    }
    Ok(o)
}

/// SplitMix64, for reproducible samples.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ---------------------------------------------------------------------------
// Running the binary: wall time and peak RSS of exactly that child.

struct Run {
    wall: Duration,
    /// Peak resident set of the whocan process, bytes (0 when not measured).
    rss: u64,
    code: i32,
    stderr: String,
    timed_out: bool,
}

/// Runs the binary once, output to /dev/null. With `rss`, through `/usr/bin/time
/// -f %M` (the peak RSS of a child that a big parent spawns directly is polluted
/// by the parent's own: Linux carries the old address space's high-water mark
/// across exec), which adds about a millisecond of wall time; with `timeout`
/// seconds, through `timeout`, which stops it then (exit 124).
fn run_with(bin: &Path, args: &[&str], rss: bool, timeout: Option<u64>) -> anyhow::Result<Run> {
    let rss_file = tempfile::NamedTempFile::new()?;
    let mut argv: Vec<String> = Vec::new();
    if rss {
        argv.extend([
            "/usr/bin/time".into(),
            "-f".into(),
            "%M".into(),
            "-o".into(),
        ]);
        argv.push(rss_file.path().to_string_lossy().into_owned());
    }
    if let Some(t) = timeout {
        argv.extend(["timeout".into(), t.to_string()]);
    }
    argv.push(bin.to_string_lossy().into_owned());
    argv.extend(args.iter().map(|a| a.to_string()));
    let started = Instant::now();
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", argv[0]))?;
    let mut err = child.stderr.take().expect("piped");
    let mut stderr = String::new();
    let _ = err.read_to_string(&mut stderr);
    let status = child.wait()?;
    let wall = started.elapsed();
    let code = status.code().unwrap_or(-1);
    let rss = if rss {
        std::fs::read_to_string(rss_file.path())
            .ok()
            .and_then(|s| s.lines().last().and_then(|l| l.trim().parse::<u64>().ok()))
            .map_or(0, |kb| kb * 1024)
    } else {
        0
    };
    Ok(Run {
        wall,
        rss,
        code,
        stderr,
        timed_out: timeout.is_some() && code == 124,
    })
}

fn run(bin: &Path, args: &[&str]) -> anyhow::Result<Run> {
    run_with(bin, args, false, None)
}

fn run_rss(bin: &Path, args: &[&str]) -> anyhow::Result<Run> {
    run_with(bin, args, true, None)
}

fn db_size(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}

// ---------------------------------------------------------------------------
// Results.

#[derive(Clone, Copy)]
enum Unit {
    Secs,
    Millis,
    Bytes,
    Ratio,
}

fn fmt(v: f64, u: Unit) -> String {
    match u {
        Unit::Secs => format!("{v:.2} s"),
        Unit::Millis => {
            if v < 10.0 {
                format!("{v:.2} ms")
            } else {
                format!("{v:.0} ms")
            }
        }
        Unit::Bytes => {
            if v >= GIB {
                format!("{:.2} GiB", v / GIB)
            } else {
                format!("{:.0} MiB", v / 1024.0 / 1024.0)
            }
        }
        Unit::Ratio => format!("{v:.2}×"),
    }
}

struct Row {
    measure: String,
    target: String,
    median: String,
    p99: String,
    /// median / target (> 1: missed).
    ratio: Option<f64>,
    n: usize,
    note: String,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

impl Report {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        measure: &str,
        target: Option<(f64, &str)>,
        samples: &[f64],
        unit: Unit,
        with_p99: bool,
        note: &str,
    ) {
        let mut s = samples.to_vec();
        s.sort_by(|a, b| a.total_cmp(b));
        let med = percentile(&s, 0.5);
        let p99 = percentile(&s, 0.99);
        let row = Row {
            measure: measure.to_string(),
            target: target.map_or("–".to_string(), |t| t.1.to_string()),
            median: if s.is_empty() {
                "–".into()
            } else {
                fmt(med, unit)
            },
            p99: if with_p99 && !s.is_empty() {
                fmt(p99, unit)
            } else {
                "–".into()
            },
            ratio: target.map(|t| med / t.0),
            n: s.len(),
            note: note.to_string(),
        };
        println!(
            "  {:<48} median {:>10}  p99 {:>10}  n={}",
            row.measure, row.median, row.p99, row.n
        );
        self.rows.push(row);
    }

    fn note(&mut self, s: String) {
        println!("  note: {s}");
        self.notes.push(s);
    }

    fn markdown(&self) -> String {
        let mut t = String::from(
            "| measure | target | median | p99 | ratio to target | n | how |\n| --- | --- | --- | --- | --- | --- | --- |\n",
        );
        for r in &self.rows {
            let ratio = match r.ratio {
                Some(x) if x.is_finite() => {
                    if x > 1.0 {
                        format!("**{x:.2}** (missed)")
                    } else {
                        format!("{x:.2}")
                    }
                }
                _ => "–".into(),
            };
            t.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                r.measure, r.target, r.median, r.p99, ratio, r.n, r.note
            ));
        }
        if !self.notes.is_empty() {
            t.push('\n');
            for n in &self.notes {
                t.push_str(&format!("- {n}\n"));
            }
        }
        t
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs `step` up to `repeat` times (once if the first run is over a minute).
fn repeated<T>(
    repeat: usize,
    mut step: impl FnMut(usize) -> anyhow::Result<(Duration, T)>,
) -> anyhow::Result<Vec<(Duration, T)>> {
    let mut out = Vec::new();
    for i in 0..repeat {
        let r = step(i)?;
        let long = r.0 > Duration::from_secs(60);
        out.push(r);
        if long {
            break;
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// The floor.

type Rows = Vec<Vec<rusqlite::types::Value>>;

/// Every non-empty table of `db` (snapshots first, for the foreign keys) with
/// all its rows.
fn read_all_rows(db: &Path) -> anyhow::Result<Vec<(String, usize, Rows)>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'refinery%' ORDER BY name <> 'snapshots', name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    names.retain(|n| !n.is_empty());
    let mut out = Vec::new();
    for name in names {
        let mut st = conn.prepare(&format!("SELECT * FROM \"{name}\""))?;
        let cols = st.column_count();
        let rows: Rows = st
            .query_map([], |r| {
                (0..cols)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i))
                    .collect()
            })?
            .collect::<Result<_, _>>()?;
        if !rows.is_empty() {
            out.push((name, cols, rows));
        }
    }
    Ok(out)
}

/// Inserts `tables` into a fresh, migrated database at `path` in one transaction.
fn floor_once(path: &Path, tables: &[(String, usize, Rows)]) -> anyhow::Result<Duration> {
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    drop(whocan::store::Store::open(path)?);
    let mut conn = rusqlite::Connection::open(path)?;
    // The store's own pragmas (Store::setup).
    let _: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    conn.pragma_update(None, "cache_size", -64 * 1024)?;
    let started = Instant::now();
    let tx = conn.transaction()?;
    for (name, cols, rows) in tables {
        let marks = vec!["?"; *cols].join(", ");
        let mut st = tx.prepare(&format!("INSERT INTO \"{name}\" VALUES ({marks})"))?;
        for r in rows {
            st.execute(rusqlite::params_from_iter(r.iter()))?;
        }
    }
    tx.commit()?;
    let t = started.elapsed();
    drop(conn);
    Ok(t)
}

// ---------------------------------------------------------------------------

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or("unknown".into(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        });
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let sh = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let rustc = sh("rustc", &["-V"]);
    // BENCH_COMMIT: what was built, when that is not the checkout's state.
    let (commit, dirty) = match std::env::var("BENCH_COMMIT") {
        Ok(c) => (c, ""),
        Err(_) => (
            sh("git", &["rev-parse", "--short", "HEAD"]),
            if sh("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty() {
                ""
            } else {
                " + uncommitted changes"
            },
        ),
    };
    format!(
        "- date: {} UTC\n- machine: {cores} cores (nproc), {mem} memory, CPU `{cpu}`; shared with other work\n- build: release profile, {rustc}, commit {commit}{dirty}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M")
    )
}

fn profile_name(p: Profile) -> &'static str {
    match p {
        Profile::Small => "small",
        Profile::Large => "large",
        Profile::Xl => "xl",
    }
}

fn not_built(r: &Run) -> bool {
    r.code == 2 && r.stderr.contains("not built yet")
}

fn main() -> anyhow::Result<()> {
    let o = parse_args()?;
    let tmp;
    let work = match &o.work {
        Some(w) => {
            std::fs::create_dir_all(w)?;
            w.clone()
        }
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let bin = o.bin.as_path();
    let mut rep = Report::default();
    let prof = profile_name(o.profile);
    println!(
        "bench: profile {prof}, seed {}, work dir {}",
        o.seed,
        work.display()
    );

    // 1. Generate the tenant and its churned twin.
    let base_dir = work.join("tenant-base");
    let churn_dir = work.join("tenant-churn");
    for d in [&base_dir, &churn_dir] {
        if d.exists() {
            std::fs::remove_dir_all(d)?;
        }
    }
    let t = Instant::now();
    let summary = whocan_synth::write_tenant(o.profile, o.seed, &base_dir, None)?;
    let synth_time = t.elapsed();
    let t = Instant::now();
    whocan_synth::write_tenant(o.profile, o.seed, &churn_dir, Some(0.01))?;
    let synth_churn_time = t.elapsed();
    let edges = summary.count("memberEdges").unwrap_or(0);
    rep.note(format!(
        "tenant: `whocan-synth --profile {prof} --seed {}`: {} files, {:.0} MB, {} users, {} groups, {edges} membership edges, {} role assignments, {} operations",
        o.seed,
        summary.files(),
        summary.bytes() as f64 / 1e6,
        summary.count("users").unwrap_or(0),
        summary.count("groups").unwrap_or(0),
        summary.count("roleAssignments").unwrap_or(0),
        summary.count("operations").unwrap_or(0),
    ));

    // 2. Import (process), repeated into fresh databases; keep the first.
    println!("import...");
    let db = work.join("bench.db");
    let base_s = base_dir.to_string_lossy().to_string();
    let imports = repeated(o.repeat, |i| {
        let path = if i == 0 {
            db.clone()
        } else {
            work.join(format!("import-{i}.db"))
        };
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", path.display()));
        }
        let p = path.to_string_lossy().to_string();
        let r = run_rss(
            bin,
            &[
                "--db",
                &p,
                "import",
                "--taken-at",
                TAKEN_1,
                "--label",
                "base",
                "--format",
                "json",
                &base_s,
            ],
        )?;
        if r.code != 0 {
            bail!("import failed ({}): {}", r.code, r.stderr);
        }
        let size = db_size(&path);
        if i > 0 {
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{s}", p));
            }
        }
        Ok((r.wall, (r.rss, size)))
    })?;
    let import_secs: Vec<f64> = imports.iter().map(|r| secs(r.0)).collect();
    let import_rss: Vec<f64> = imports.iter().map(|r| r.1 .0 as f64).collect();
    let db_bytes = imports[0].1 .1;
    rep.add(
        &format!("import {prof}: wall time"),
        Some((8.0, "≤ 8 s")),
        &import_secs,
        Unit::Secs,
        false,
        "process, fresh database each run",
    );
    rep.add(
        &format!("import {prof}: peak RSS"),
        Some((GIB, "≤ 1 GiB")),
        &import_rss,
        Unit::Bytes,
        false,
        "maximum resident set of the import process (`/usr/bin/time -f %M`)",
    );
    rep.add(
        &format!("import {prof}: database size"),
        None,
        &[db_bytes as f64],
        Unit::Bytes,
        false,
        "database file (+ WAL) after the import",
    );
    rep.add(
        &format!("synth {prof} (generation, for comparison)"),
        Some((
            percentile(
                &{
                    let mut v = import_secs.clone();
                    v.sort_by(|a, b| a.total_cmp(b));
                    v
                },
                0.5,
            ),
            "≤ import time",
        )),
        &[secs(synth_time)],
        Unit::Secs,
        false,
        &format!(
            "in-process `write_tenant`; the churned twin took {:.2} s",
            secs(synth_churn_time)
        ),
    );

    // 3. The floor.
    println!("floor...");
    let tables = read_all_rows(&db)?;
    let total_rows: usize = tables.iter().map(|t| t.2.len()).sum();
    let floor_db = work.join("floor.db");
    let floors = repeated(o.repeat, |_| Ok((floor_once(&floor_db, &tables)?, ())))?;
    let floor_secs: Vec<f64> = floors.iter().map(|f| secs(f.0)).collect();
    let floor_size = db_size(&floor_db);
    drop(tables);
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", floor_db.display()));
    }
    rep.add(
        "floor: bare inserts of the same rows",
        None,
        &floor_secs,
        Unit::Secs,
        false,
        &format!("{total_rows} rows, one transaction, prepared `INSERT ... VALUES (?...)` per table, indexes in place; {:.0} MiB", floor_size as f64 / 1048576.0),
    );
    let mut fs = floor_secs.clone();
    fs.sort_by(|a, b| a.total_cmp(b));
    let floor_med = percentile(&fs, 0.5);
    let ratios: Vec<f64> = import_secs.iter().map(|s| s / floor_med).collect();
    rep.add(
        "import / floor",
        Some((2.0, "≤ 2×")),
        &ratios,
        Unit::Ratio,
        false,
        "each import run over the floor's median",
    );

    // 3b. Where the import's time goes (library path, one run).
    if o.library {
        println!("import phases (library)...");
        let t = Instant::now();
        let imported = whocan::import::read_inputs(std::slice::from_ref(&base_dir), false)?;
        let read = t.elapsed();
        let phase_db = work.join("phases.db");
        let mut store = whocan::store::Store::open(&phase_db)?;
        let t = Instant::now();
        store.write_snapshot(
            &whocan::store::NewSnapshot {
                taken_at: TAKEN_1.into(),
                label: None,
                tool_version: "bench".into(),
            },
            &imported.tenant,
            &imported.files,
            &imported.flags,
        )?;
        let write = t.elapsed();
        drop(store);
        drop(imported);
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", phase_db.display()));
        }
        rep.add(
            "import phase: read + parse + check inputs",
            None,
            &[secs(read)],
            Unit::Secs,
            false,
            "library `import::read_inputs`, one run",
        );
        rep.add(
            "import phase: write the snapshot",
            None,
            &[secs(write)],
            Unit::Secs,
            false,
            "library `Store::write_snapshot`, one run",
        );
    }

    // Samples.
    let store = whocan::store::Store::open(&db)?;
    let scopes = store.scopes(1)?;
    drop(store);
    let workspaces: Vec<String> = scopes
        .iter()
        .filter(|n| {
            n.resource_type.as_deref().is_some_and(|r| {
                r.eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces")
            })
        })
        .map(|n| n.name.clone())
        .collect();
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let principals: Vec<String> = conn
        .prepare("SELECT key FROM principals WHERE kind <> 'Group' ORDER BY key")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut per_sub: BTreeMap<String, usize> = BTreeMap::new();
    {
        let mut st = conn.prepare("SELECT scope_key FROM role_assignments")?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            let s: String = r.get(0)?;
            if let Some(rest) = s.strip_prefix("/subscriptions/") {
                let sub = rest.split('/').next().unwrap_or(rest);
                *per_sub.entry(format!("/subscriptions/{sub}")).or_default() += 1;
            }
        }
    }
    drop(conn);
    let (largest_sub, largest_n) = per_sub
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse((*k).clone())))
        .map(|(k, n)| (k.clone(), *n))
        .context("no subscription holds an assignment")?;
    if workspaces.is_empty() || principals.is_empty() {
        bail!("the snapshot has no workspaces or principals");
    }
    let mut rng = Rng(o.seed ^ 0x5eed);
    let who_ws: Vec<String> = (0..o.who_ws)
        .map(|_| rng.pick(&workspaces).clone())
        .collect();
    let can_triples: Vec<(String, &str, String)> = (0..o.can)
        .map(|_| {
            (
                rng.pick(&principals).clone(),
                *rng.pick(&ACTIONS),
                rng.pick(&workspaces).clone(),
            )
        })
        .collect();
    let what_pairs: Vec<(String, String)> = (0..o.what)
        .map(|_| (rng.pick(&principals).clone(), rng.pick(&workspaces).clone()))
        .collect();
    let act_ws: Vec<String> = (0..o.activity_ws)
        .map(|_| rng.pick(&workspaces).clone())
        .collect();
    let dbs = db.to_string_lossy().to_string();

    // 4. Queries, process per question.
    println!("who (process)...");
    let mut who_ms = Vec::new();
    let mut slowest: (f64, &str, &str) = (0.0, "", "");
    for ws in &who_ws {
        for a in ACTIONS {
            let r = run(
                bin,
                &[
                    "--db",
                    &dbs,
                    "who",
                    a,
                    "--workspace",
                    ws,
                    "--format",
                    "json",
                ],
            )?;
            if r.code != 0 {
                bail!("who failed: {}", r.stderr);
            }
            who_ms.push(millis(r.wall));
            if millis(r.wall) > slowest.0 {
                slowest = (millis(r.wall), a, ws.as_str());
            }
        }
    }
    let r = run_rss(
        bin,
        &[
            "--db",
            &dbs,
            "who",
            slowest.1,
            "--workspace",
            slowest.2,
            "--format",
            "json",
        ],
    )?;
    let who_rss = vec![r.rss as f64];
    rep.add(
        "`who` on a workspace (process)",
        Some((25.0, "p50 ≤ 25 ms")),
        &who_ms,
        Unit::Millis,
        true,
        &format!(
            "{} workspaces × 5 actions, one action per question",
            who_ws.len()
        ),
    );
    let mut who_sorted = who_ms.clone();
    who_sorted.sort_by(|a, b| a.total_cmp(b));
    rep.add(
        "`who` on a workspace (process), p95 target",
        Some((80.0, "p95 ≤ 80 ms")),
        &[percentile(&who_sorted, 0.95)],
        Unit::Millis,
        false,
        "the p95 of the row above against its own target",
    );
    rep.add(
        "`who` (process): peak RSS of the slowest question",
        None,
        &who_rss,
        Unit::Bytes,
        false,
        &format!(
            "`who {} --workspace {}`, run again under `/usr/bin/time`",
            slowest.1, slowest.2
        ),
    );

    println!("can (process)...");
    let mut can_ms = Vec::new();
    for (p, a, ws) in &can_triples {
        let r = run(
            bin,
            &[
                "--db",
                &dbs,
                "can",
                p,
                a,
                "--workspace",
                ws,
                "--format",
                "json",
            ],
        )?;
        if r.code > 1 {
            bail!("can failed: {}", r.stderr);
        }
        can_ms.push(millis(r.wall));
    }
    rep.add(
        "`can` (process)",
        Some((2.0, "p50 ≤ 2 ms")),
        &can_ms,
        Unit::Millis,
        true,
        &format!(
            "{} random (principal, action, workspace) triples",
            can_triples.len()
        ),
    );

    println!("what (process)...");
    let mut what_ms = Vec::new();
    for (p, ws) in &what_pairs {
        let r = run(
            bin,
            &[
                "--db",
                &dbs,
                "what",
                p,
                "--workspace",
                ws,
                "--format",
                "json",
            ],
        )?;
        if r.code != 0 {
            bail!("what failed: {}", r.stderr);
        }
        what_ms.push(millis(r.wall));
    }
    rep.add(
        "`what` (process)",
        Some((5.0, "p50 ≤ 5 ms")),
        &what_ms,
        Unit::Millis,
        true,
        &format!("{} random (principal, workspace) pairs", what_pairs.len()),
    );

    println!("who --activity (process)...");
    let mut act_ms = Vec::new();
    let mut act_rss = Vec::new();
    for ws in &act_ws {
        let r = run_rss(
            bin,
            &[
                "--db",
                &dbs,
                "who",
                "--activity",
                "submit-run-v2",
                "--workspace",
                ws,
                "--format",
                "json",
            ],
        )?;
        if r.code != 0 {
            bail!("who --activity failed: {}", r.stderr);
        }
        act_ms.push(millis(r.wall));
        act_rss.push(r.rss as f64);
    }
    rep.add(
        "`who --activity submit-run-v2` (process)",
        Some((150.0, "p50 ≤ 150 ms")),
        &act_ms,
        Unit::Millis,
        true,
        &format!("{} random workspaces", act_ws.len()),
    );
    rep.add(
        "`who --activity submit-run-v2`: peak RSS",
        None,
        &act_rss,
        Unit::Bytes,
        true,
        "",
    );

    // 5. The same questions through the library, the snapshot opened once.
    if o.library {
        println!("library...");
        let snap = SnapshotArgs {
            snapshot: None,
            as_of: None,
        };
        let t = Instant::now();
        let sl = Sliced::open(&db, &snap)?;
        let open = t.elapsed();
        rep.add(
            "open a snapshot (`Sliced::open`, library)",
            None,
            &[millis(open)],
            Unit::Millis,
            false,
            &format!(
                "resolve + read the {} tree scope nodes (root, management groups, subscriptions); paid once per process",
                sl.scopes.len()
            ),
        );
        let ws_scope = |ws: &str| {
            sl.target(&ScopeArgs {
                scope: None,
                workspace: Some(ws.to_string()),
            })
            .map(|t| t.id)
        };
        let mut ms = Vec::new();
        let mut answers = 0usize;
        for ws in who_ws.iter().take(o.library_who_ws) {
            for a in ACTIONS {
                let t = Instant::now();
                let scope = ws_scope(ws)?;
                let asked = [a.to_string()];
                let (tenant, base) = sl.index(&scope, &[], false, Some(&asked), false)?;
                let whocan::commands::who::Plan { alts, .. } =
                    whocan::commands::who::plan(&base, &[a.to_string()], None, &scope, false)?;
                let ix = sl.expand_for(tenant, base, &alts, false)?;
                query::who_each(&ix, &alts, false, false, false, |_| answers += 1);
                ms.push(millis(t.elapsed()));
            }
        }
        rep.add("`who` on a workspace (library)", Some((5.0, "p50 ≤ 5 ms")), &ms, Unit::Millis, true,
            &format!("the first {} workspaces' questions of the row above; slice + index + decide, answers consumed not printed ({answers} in all)", o.library_who_ws.min(who_ws.len())));
        let mut ms = Vec::new();
        let mut yes = 0;
        for (p, a, ws) in &can_triples {
            let t = Instant::now();
            let scope = ws_scope(ws)?;
            let principal = sl.principal(p)?;
            let asked = [a.to_string()];
            // As `can` does: the principal's slice, the groups `incomplete`
            // needs when the snapshot's flags cannot name them, decide, incomplete.
            let (tenant, base, gaps_read) =
                sl.principal_index(&scope, &principal, Some(&asked), false)?;
            let whocan::commands::who::Plan { alts, .. } =
                whocan::commands::who::plan(&base, &[a.to_string()], None, &scope, false)?;
            let ix = if gaps_read {
                base
            } else {
                sl.expand_groups_for(tenant, base, &alts)?
            };
            let mut anc = Ancestry::default();
            let ans = query::decide_alternatives(&ix, &principal, &alts, true, &mut anc);
            std::hint::black_box(query::incomplete_for(&ix, &alts, Some(&principal)));
            if ans.decision.access.grants() {
                yes += 1;
            }
            ms.push(millis(t.elapsed()));
        }
        rep.add(
            "`can` (library)",
            Some((2.0, "p50 ≤ 2 ms")),
            &ms,
            Unit::Millis,
            true,
            &format!(
                "same triples, with `--explain`'s why-not reasons and `incomplete`; {yes} of {} allowed",
                can_triples.len()
            ),
        );
        let mut ms = Vec::new();
        for (p, ws) in &what_pairs {
            let t = Instant::now();
            let scope = ws_scope(ws)?;
            let principal = sl.principal(p)?;
            let (tenant, base, gaps_read) = sl.principal_index(&scope, &principal, None, false)?;
            let alts = query::what_alternatives(&base, &scope, None);
            let ix = if gaps_read {
                base
            } else {
                sl.expand_groups_for(tenant, base, &alts)?
            };
            let rows = query::what(&ix, &principal, &scope, None);
            std::hint::black_box(query::incomplete_for(&ix, &alts, Some(&principal)));
            std::hint::black_box(rows);
            ms.push(millis(t.elapsed()));
        }
        rep.add(
            "`what` (library)",
            None,
            &ms,
            Unit::Millis,
            true,
            "same pairs, with `incomplete`",
        );
    }

    // 6. Review.
    println!("review...");
    let sub_scope = largest_sub.clone();
    let probe = run_rss(
        bin,
        &[
            "--db", &dbs, "review", "--scope", &sub_scope, "--format", "csv",
        ],
    )?;
    if not_built(&probe) {
        rep.note("`review`: not built yet when this ran (skipped)".into());
    } else if probe.code != 0 {
        rep.note(format!(
            "`review --scope {sub_scope}` failed (exit {}): {}",
            probe.code,
            probe.stderr.lines().next().unwrap_or("")
        ));
    } else {
        let mut runs = vec![secs(probe.wall)];
        let mut rss = vec![probe.rss as f64];
        if probe.wall < Duration::from_secs(60) {
            for _ in 1..o.repeat {
                let r = run_rss(
                    bin,
                    &[
                        "--db", &dbs, "review", "--scope", &sub_scope, "--format", "csv",
                    ],
                )?;
                runs.push(secs(r.wall));
                rss.push(r.rss as f64);
            }
        }
        rep.add("`review` of the largest subscription (process)", Some((3.0, "≤ 3 s")), &runs, Unit::Secs, false,
            &format!("`--scope` the subscription with the most assignments ({largest_n}), CSV to /dev/null"));
        rep.add(
            "`review` of a subscription: peak RSS",
            Some((300.0 * MIB, "≤ 300 MiB")),
            &rss,
            Unit::Bytes,
            false,
            "",
        );
        let r = run_with(
            bin,
            &[
                "--db",
                &dbs,
                "review",
                "--all-workspaces",
                "--format",
                "csv",
            ],
            true,
            Some(o.review_all_timeout),
        )?;
        if r.timed_out {
            rep.note(format!("`review --all-workspaces` ({} workspaces): stopped after {} s (`--review-all-timeout`), so it takes longer than that", workspaces.len(), o.review_all_timeout));
        } else if r.code != 0 {
            rep.note(format!(
                "`review --all-workspaces` failed (exit {}): {}",
                r.code,
                r.stderr.lines().next().unwrap_or("")
            ));
        } else {
            rep.add(
                "`review --all-workspaces` (process)",
                None,
                &[secs(r.wall)],
                Unit::Secs,
                false,
                &format!(
                    "{} workspaces, CSV to /dev/null, one run; peak RSS {}",
                    workspaces.len(),
                    fmt(r.rss as f64, Unit::Bytes)
                ),
            );
        }
    }

    // 7. Second snapshot with 1% churn, and the diff.
    println!("churn import...");
    let churn_s = churn_dir.to_string_lossy().to_string();
    let churn_db = work.join("churn.db");
    let churns = repeated(o.repeat, |_| {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", churn_db.display()));
        }
        std::fs::copy(&db, &churn_db)?;
        let before = db_size(&churn_db);
        let p = churn_db.to_string_lossy().to_string();
        let r = run_rss(
            bin,
            &[
                "--db",
                &p,
                "import",
                "--taken-at",
                TAKEN_2,
                "--label",
                "churn",
                "--format",
                "json",
                &churn_s,
            ],
        )?;
        if r.code != 0 {
            bail!("churn import failed: {}", r.stderr);
        }
        Ok((r.wall, (db_size(&churn_db) as f64 - before as f64, r.rss)))
    })?;
    let churn_secs: Vec<f64> = churns.iter().map(|c| secs(c.0)).collect();
    let growth = churns[0].1 .0;
    rep.add(
        "second import, 1% churn: wall time",
        None,
        &churn_secs,
        Unit::Secs,
        false,
        &format!(
            "into a copy of the first database; peak RSS {}",
            fmt(churns[0].1 .1 as f64, Unit::Bytes)
        ),
    );
    rep.add(
        "second import, 1% churn: database growth",
        Some((0.10 * db_bytes as f64, "≤ 10% of the first")),
        &[growth],
        Unit::Bytes,
        false,
        &format!(
            "{:.1}% of the first snapshot's {}",
            100.0 * growth / db_bytes as f64,
            fmt(db_bytes as f64, Unit::Bytes)
        ),
    );
    let cdb = churn_db.to_string_lossy().to_string();
    let probe = run_rss(bin, &["--db", &cdb, "diff", "1", "2", "--format", "json"])?;
    if not_built(&probe) {
        rep.note("`diff`: not built yet when this ran (skipped)".into());
    } else if probe.code != 0 {
        rep.note(format!(
            "`diff 1 2` failed (exit {}): {}",
            probe.code,
            probe.stderr.lines().next().unwrap_or("")
        ));
    } else {
        let mut runs = vec![secs(probe.wall)];
        let mut rss = vec![probe.rss as f64];
        if probe.wall < Duration::from_secs(60) {
            for _ in 1..o.repeat {
                let r = run_rss(bin, &["--db", &cdb, "diff", "1", "2", "--format", "json"])?;
                runs.push(secs(r.wall));
                rss.push(r.rss as f64);
            }
        }
        rep.add(
            "`diff 1 2` of the two snapshots (process)",
            Some((3.0, "≤ 3 s")),
            &runs,
            Unit::Secs,
            false,
            "JSON to /dev/null",
        );
        rep.add(
            "`diff 1 2`: peak RSS",
            Some((GIB, "≤ 1 GiB")),
            &rss,
            Unit::Bytes,
            false,
            "",
        );
    }

    // Output.
    let cmd = format!(
        "scripts/bench.sh --profile {prof} --seed {} --who-ws {} --can {} --what {} --activity-ws {} --repeat {} --library-who-ws {} --review-all-timeout {}{}",
        o.seed, o.who_ws, o.can, o.what, o.activity_ws, o.repeat, o.library_who_ws, o.review_all_timeout,
        if o.library { "" } else { " --no-library" }
    );
    let body = format!(
        "{BEGIN}\n\n### Results ({prof}, seed {})\n\n{}\n\nReproduce with `{cmd} --out BENCHMARKS.md` (= `cargo build --release --bin whocan && cargo run --release --example bench -- ...`).\n\n{}\n\n{END}",
        o.seed,
        machine(),
        rep.markdown()
    );
    println!("\n{}", rep.markdown());
    if let Some(out) = &o.out {
        let old = std::fs::read_to_string(out).unwrap_or_default();
        let text = match (old.find(BEGIN), old.find(END)) {
            (Some(a), Some(b)) if b > a => format!("{}{body}{}", &old[..a], &old[b + END.len()..]),
            _ => format!("# Benchmarks\n\n{body}\n"),
        };
        std::fs::write(out, text)?;
        println!("wrote {}", out.display());
    }
    Ok(())
}
