//! Helpers shared by the CLI test modules: running the built binary against a
//! private database, reading its JSON, and finding the shared reference data.
//!
//! Helpers never touch a user's database or environment: every command gets an
//! explicit `--db` and `WHOCAN_DB` is removed.
//!
//! [`Run`] is the builder that makes one CLI test one expression:
//!
//! ```ignore
//! snap!(sample().args(["who", COMPUTE_WRITE, "--workspace", "ml-prod", "--format", "json"]));
//! sample().args(["can", "nobody", WS_READ, "--workspace", "ml-dev"]).expect(2).stderr_has("hint:");
//! ```
//!
//! What a run prints is compared after [filters](Ran::filters) that replace what
//! varies between runs (temporary paths, the checkout's path, the time of the run,
//! chain hashes, which cover the import time, signatures and fresh keys, the tool
//! version) with named placeholders, so a snapshot holds only what a user would
//! see the same way twice.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use regex::Regex;
use tempfile::TempDir;

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

/// The ids of a `who` answer's `principals` (JSON), in its order.
pub fn principal_ids(who: &serde_json::Value) -> Vec<&str> {
    who["principals"]
        .as_array()
        .unwrap_or_else(|| panic!("no principals: {who}"))
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect()
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

// ---------------------------------------------------------------------------
// The Run builder
// ---------------------------------------------------------------------------

/// Copies the directory tree `from` to `to` (a fixture to edit).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The contoso sample tenant shipped with whocan.
pub fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// When the shared sample snapshot was taken: inside the window that
/// `sample-data/README.md` assumes (PIM windows are evaluated at this time).
pub const SAMPLE_TAKEN_AT: &str = "2026-10-01T00:00:00Z";
/// The shared sample snapshot's label.
pub const SAMPLE_LABEL: &str = "2026-Q4";

/// The longest a command may run before the test fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(120);

/// When this test process first built a [`Run`]: every time a command prints that
/// is at or after it (less a margin) is the time of a run, not of the data.
fn process_start() -> SystemTime {
    static START: OnceLock<SystemTime> = OnceLock::new();
    *START.get_or_init(SystemTime::now)
}

/// One invocation of the `whocan` binary, built up and then run: `.args(..)`,
/// `.db(..)`, `.env(..)`, `.stdin(..)`, `.redact(..)`, `.filter(..)`; then
/// [`Run::output`] (or the shortcuts [`Run::transcript`], [`Run::expect`],
/// [`Run::ok_json`]).
///
/// `WHOCAN_*` variables of the test's environment are removed, stdin is empty
/// unless given, and the command is killed after two minutes.
#[must_use = "a Run does nothing until .output() or .transcript()"]
#[derive(Clone, Debug, Default)]
pub struct Run {
    db: Option<PathBuf>,
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    dir: Option<PathBuf>,
    redactions: Vec<(String, String)>,
    filters: Vec<(String, String)>,
}

/// A bare run: no `--db` unless [`Run::db`] gives one (for `--help`, `demo`, usage
/// errors).
pub fn run() -> Run {
    process_start();
    Run::default()
}

/// A run on the database at `db` (`--db DB`).
pub fn on(db: &Path) -> Run {
    run().db(db)
}

/// A run on the shared sample database: `sample-data/` imported once per test
/// process (taken at [`SAMPLE_TAKEN_AT`], labelled [`SAMPLE_LABEL`]). Questions only
/// read, so every test may use it, in parallel; a command that writes must use a
/// [`Scratch`] database instead.
pub fn sample() -> Run {
    static SAMPLE: OnceLock<Scratch> = OnceLock::new();
    SAMPLE
        .get_or_init(|| Scratch::named("sample.db").with_sample())
        .run()
}

impl Run {
    /// `--db PATH` (given before the other arguments).
    pub fn db(mut self, path: impl Into<PathBuf>) -> Self {
        self.db = Some(path.into());
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Arguments written as on a command line, split at whitespace (no quoting:
    /// an argument with a space goes through [`Run::arg`]).
    pub fn words(self, line: impl AsRef<str>) -> Self {
        let words: Vec<String> = line.as_ref().split_whitespace().map(String::from).collect();
        self.args(words)
    }

    /// Sets an environment variable of the command.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), Some(value.into())));
        self
    }

    /// Removes an environment variable from the command's environment.
    pub fn env_remove(mut self, key: impl Into<OsString>) -> Self {
        self.env.push((key.into(), None));
        self
    }

    /// What the command reads on stdin (default: nothing, at once end of file).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// The command's working directory.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Every occurrence of `value` becomes `label` (before any other filter): a
    /// value the test knows varies, such as a key it generated.
    pub fn redact(mut self, value: &str, label: &str) -> Self {
        assert!(!value.is_empty(), "redacting the empty string");
        self.redactions.push((value.to_string(), label.to_string()));
        self
    }

    /// The command line as a user would type it (unfiltered), after the variables
    /// it sets.
    pub fn command_line(&self) -> String {
        let mut words: Vec<String> = self
            .env
            .iter()
            .filter_map(|(k, v)| {
                let v = v.as_ref()?;
                Some(format!("{}={}", k.to_string_lossy(), shell_word(v)))
            })
            .collect();
        words.push("whocan".to_string());
        if let Some(db) = &self.db {
            words.push("--db".into());
            words.push(shell_word(db.as_os_str()));
        }
        words.extend(self.args.iter().map(|a| shell_word(a)));
        words.join(" ")
    }

    /// Runs the command and waits for it.
    pub fn output(&self) -> Ran {
        process_start();
        let mut cmd = assert_cmd::Command::new(bin());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("WHOCAN_") {
                cmd.env_remove(key);
            }
        }
        for (key, value) in &self.env {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        if let Some(db) = &self.db {
            cmd.arg("--db").arg(db);
        }
        cmd.args(&self.args).timeout(TIMEOUT);
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        cmd.write_stdin(self.stdin.clone().unwrap_or_default());
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", self.command_line()));
        let end = SystemTime::now();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let mut filters: Vec<(Regex, String)> = self
            .redactions
            .iter()
            .map(|(value, label)| (Regex::new(&regex::escape(value)).unwrap(), label.clone()))
            .collect();
        filters.extend(default_filters());
        if let Some(db) = &self.db {
            filters.extend(chain_filters(db));
        }
        filters.extend(now_filters(&[&stdout, &stderr], end));
        for (re, rep) in &self.filters {
            filters.push((Regex::new(re).unwrap(), rep.clone()));
        }
        let command_line = apply(&filters, &self.command_line());
        Ran {
            command_line,
            code: out.status.code(),
            stdout,
            stderr,
            filters,
        }
    }

    /// Runs the command: its filtered [`Ran::transcript`].
    pub fn transcript(&self) -> String {
        self.output().transcript()
    }

    /// Runs the command and asserts its exit code.
    pub fn expect(&self, code: i32) -> Ran {
        self.output().expect(code)
    }

    /// Runs the command, asserts exit 0 and parses stdout as JSON.
    pub fn ok_json(&self) -> serde_json::Value {
        self.expect(0).json()
    }
}

/// A word of a command line, quoted when the shell would need it.
fn shell_word(word: &std::ffi::OsStr) -> String {
    let s = word.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What a [`Run`] did: exit code, stdout and stderr, and the filters that make its
/// transcript the same from run to run.
#[derive(Debug)]
pub struct Ran {
    /// The command line, filtered.
    pub command_line: String,
    /// The exit code; None when a signal ended the command.
    pub code: Option<i32>,
    stdout: String,
    stderr: String,
    filters: Vec<(Regex, String)>,
}

impl Ran {
    /// `exit: N`, then stdout and stderr under their headings, filtered.
    pub fn transcript(&self) -> String {
        apply(&self.filters, &self.raw_transcript())
    }

    /// The transcript before filtering (for [`snap!`], which filters through insta).
    pub fn raw_transcript(&self) -> String {
        let code = self
            .code
            .map_or_else(|| "killed by a signal".to_string(), |c| c.to_string());
        format!(
            "exit: {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout.trim_end_matches('\n'),
            self.stderr.trim_end_matches('\n')
        )
    }

    /// Stdout, filtered.
    pub fn stdout(&self) -> String {
        apply(&self.filters, &self.stdout)
    }

    /// Stderr, filtered.
    pub fn stderr(&self) -> String {
        apply(&self.filters, &self.stderr)
    }

    /// The filters, in the order they apply: (regex, replacement).
    pub fn filters(&self) -> impl Iterator<Item = (&str, &str)> {
        self.filters
            .iter()
            .map(|(re, rep)| (re.as_str(), rep.as_str()))
    }

    /// Asserts the exit code (showing the transcript when it differs).
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code,
            Some(code),
            "{}\n{}",
            self.command_line,
            self.transcript()
        );
        self
    }

    /// Asserts that stdout contains `text` (before filtering).
    #[track_caller]
    pub fn stdout_has(self, text: &str) -> Self {
        assert!(
            self.stdout.contains(text),
            "no {text:?} in stdout:\n{}",
            self.transcript()
        );
        self
    }

    /// Asserts that stderr contains `text` (before filtering).
    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Self {
        assert!(
            self.stderr.contains(text),
            "no {text:?} in stderr:\n{}",
            self.transcript()
        );
        self
    }

    /// Asserts that stderr does not contain `text` (before filtering).
    #[track_caller]
    pub fn stderr_lacks(self, text: &str) -> Self {
        assert!(
            !self.stderr.contains(text),
            "{text:?} in stderr:\n{}",
            self.transcript()
        );
        self
    }

    /// Asserts that nothing was written to stdout.
    #[track_caller]
    pub fn stdout_empty(self) -> Self {
        assert!(
            self.stdout.is_empty(),
            "stdout is not empty:\n{}",
            self.transcript()
        );
        self
    }

    /// Stdout (unfiltered) parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.transcript()))
    }
}

fn apply(filters: &[(Regex, String)], text: &str) -> String {
    let mut text = text.to_string();
    for (re, rep) in filters {
        text = re.replace_all(&text, rep.as_str()).into_owned();
    }
    text
}

/// What varies from run to run whatever the command: paths of temporary
/// directories (tempfile's `.tmpXXXXXX`, demo's `whocan-demo-XXXXXX/demo.db`), the path of
/// this checkout, signatures and public keys of fresh key pairs, the tool version.
fn default_filters() -> Vec<(Regex, String)> {
    static FILTERS: OnceLock<Vec<(Regex, String)>> = OnceLock::new();
    FILTERS
        .get_or_init(|| {
            let tmp = std::env::temp_dir();
            let tmp = regex::escape(tmp.to_string_lossy().trim_end_matches('/'));
            let root = regex::escape(env!("CARGO_MANIFEST_DIR"));
            let version = regex::escape(env!("CARGO_PKG_VERSION"));
            [
                (format!(r"{tmp}/\.tmp[A-Za-z0-9]{{6,}}"), "[TMP]"),
                (
                    r"whocan-demo-[A-Za-z0-9]+/demo\.db".into(),
                    "whocan-demo-[RANDOM]/demo.db",
                ),
                (root, "[ROOT]"),
                (r"\b[0-9a-f]{128}\b".into(), "[SIGNATURE]"),
                (r"\b(key) [0-9a-f]{64}\b".into(), "$1 [PUBLIC-KEY]"),
                (
                    r#""publicKey": "[0-9a-f]{64}""#.into(),
                    r#""publicKey": "[PUBLIC-KEY]""#,
                ),
                (format!(r"\b{version}\b"), "[VERSION]"),
                // `--version`'s commit and build date (build.rs).
                (
                    r"\((?:[0-9a-f]{12}(?:-dirty)?|unknown) [0-9]{4}-[0-9]{2}-[0-9]{2}\)".into(),
                    "([COMMIT] [BUILD-DATE])",
                ),
            ]
            .into_iter()
            .map(|(re, rep)| (Regex::new(&re).unwrap(), rep.to_string()))
            .collect()
        })
        .clone()
}

/// The chain hashes of the database's snapshots and review applies, which cover
/// their import (or apply) time: `[CHAIN-n]`, `[REVIEW-CHAIN-n]`. Equal hashes stay
/// equal after filtering; a hash the database does not hold stays as it is.
fn chain_filters(db: &Path) -> Vec<(Regex, String)> {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (sql, label) in [
        ("SELECT id, chain_hash FROM snapshots", "CHAIN"),
        (
            "SELECT id, chain_hash FROM review_applies WHERE chain_hash IS NOT NULL",
            "REVIEW-CHAIN",
        ),
    ] {
        let Ok(mut stmt) = conn.prepare(sql) else {
            continue;
        };
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .unwrap();
        for row in rows {
            let (id, hash) = row.unwrap();
            if !hash.is_empty() {
                out.push((
                    Regex::new(&regex::escape(&hash)).unwrap(),
                    format!("[{label}-{id}]"),
                ));
            }
        }
    }
    out
}

/// Every RFC 3339 time in `texts` from this test process's start (less a minute)
/// to `end` (plus a minute) is the time of a run: `[NOW]`.
fn now_filters(texts: &[&str], end: SystemTime) -> Vec<(Regex, String)> {
    static TIME: OnceLock<Regex> = OnceLock::new();
    let time = TIME.get_or_init(|| {
        Regex::new(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})").unwrap()
    });
    let margin = Duration::from_secs(60);
    let from: chrono::DateTime<chrono::Utc> = (process_start() - margin).into();
    let to: chrono::DateTime<chrono::Utc> = (end + margin).into();
    let mut seen = std::collections::BTreeSet::new();
    for text in texts {
        for m in time.find_iter(text) {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(m.as_str()) {
                if t >= from && t <= to {
                    seen.insert(m.as_str().to_string());
                }
            }
        }
    }
    seen.into_iter()
        .map(|t| (Regex::new(&regex::escape(&t)).unwrap(), "[NOW]".to_string()))
        .collect()
}

// ---------------------------------------------------------------------------
// Databases a test may write
// ---------------------------------------------------------------------------

/// A private temporary directory with a database (`whocan.db`) for commands that
/// write: import, review apply, seal. Removed when dropped.
pub struct Scratch {
    dir: TempDir,
    db: PathBuf,
}

impl Scratch {
    /// An empty directory; the database does not exist yet.
    pub fn new() -> Self {
        Self::named("whocan.db")
    }

    fn named(db: &str) -> Self {
        process_start();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(db);
        Scratch { dir, db }
    }

    /// Imports `sample-data/` as the shared sample is imported.
    pub fn with_sample(self) -> Self {
        self.import(&sample_data(), SAMPLE_TAKEN_AT, SAMPLE_LABEL);
        self
    }

    /// Imports `data` as one snapshot, asserting success.
    pub fn import(&self, data: &Path, taken_at: &str, label: &str) -> &Self {
        self.run()
            .args([
                "import",
                "--format",
                "json",
                "--taken-at",
                taken_at,
                "--label",
                label,
            ])
            .arg(data)
            .expect(0);
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A path in the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The database's path.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// A run on this database.
    pub fn run(&self) -> Run {
        run().db(&self.db)
    }
}

/// Asserts a run's transcript as an insta snapshot in `tests/cli/snapshots/`, named
/// after the test function (or `snap!("name", run)`), with the command line as the
/// snapshot's description and the run's filters given to insta.
macro_rules! snap {
    ($run:expr $(,)?) => {
        $crate::support::snap_with(&$run, |t| insta::assert_snapshot!(t))
    };
    ($name:expr, $run:expr $(,)?) => {
        $crate::support::snap_with(&$run, |t| insta::assert_snapshot!($name, t))
    };
}
pub(crate) use snap;

/// Runs `run` and hands its raw transcript to `assert` under settings that carry
/// the filters and the command line. (The body of [`snap!`].)
pub fn snap_with(run: &Run, assert: impl FnOnce(String)) {
    let ran = run.output();
    let mut settings = insta::Settings::clone_current();
    settings.set_description(ran.command_line.clone());
    settings.set_omit_expression(true);
    settings.set_prepend_module_to_snapshot(true);
    for (re, rep) in ran.filters() {
        settings.add_filter(re, rep);
    }
    settings.bind(|| assert(ran.raw_transcript()));
}

// ---------------------------------------------------------------------------
// A terminal
// ---------------------------------------------------------------------------

/// Runs `whocan --db DB ARGS` with stdout on a pseudo-terminal, as a user at a
/// terminal meets it (stdin empty, stderr a pipe): the exit code and the bytes
/// the terminal received. `None`, with a note, where no pseudo-terminal opens.
pub fn on_terminal(db: &Path, args: &[&str]) -> Option<(Option<i32>, String)> {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two descriptors into the given integers; the null
    // name, termios and window size are allowed.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if opened != 0 {
        eprintln!("skipping: no pseudo-terminal");
        return None;
    }
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // Raw: the bytes as written, no `\n` turned into `\r\n` on the way.
    // SAFETY: termios is plain data, filled by tcgetattr before it is used.
    unsafe {
        use std::os::fd::AsRawFd;
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(slave.as_raw_fd(), &mut t) == 0 {
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(slave.as_raw_fd(), libc::TCSANOW, &t);
        }
    }
    let child = {
        let mut cmd = std::process::Command::new(bin());
        cmd.env_remove("WHOCAN_DB")
            .env("COLUMNS", "200")
            .arg("--db")
            .arg(db)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::from(slave))
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
        // The command, and with it this process's copy of the terminal's slave
        // side, is dropped here: the reader sees the end when the child exits.
    };
    let reader = std::thread::spawn(move || {
        let mut f = std::fs::File::from(master);
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 8192];
        // Linux says EIO, not end of file, once the slave side is closed.
        while let Ok(n) = f.read(&mut chunk) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        bytes
    });
    let out = child.wait_with_output().unwrap();
    let shown = reader.join().unwrap();
    Some((
        out.status.code(),
        String::from_utf8_lossy(&shown).into_owned(),
    ))
}

/// The built-in Reader (`*/read`), in `az role definition list`'s shape: enough
/// role for a test tenant that only needs something to read.
pub fn reader_role_json() -> serde_json::Value {
    const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    serde_json::json!([{
        "roleName": "Reader", "name": READER, "roleType": "BuiltInRole",
        "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "permissions": [{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}],
        "assignableScopes": ["/"]
    }])
}
