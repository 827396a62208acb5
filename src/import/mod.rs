//! The importer: reads export files, recognises each one's kind from its content,
//! and turns them into one [`Tenant`] plus the flags raised on the way.
//!
//! It never touches the database (the store writes the snapshot), never prints (the
//! command reports skipped files and flags) and never drops a record silently:
//! anything odd becomes a [`Flag`]. A malformed file is an [`ImportError`] whose
//! message is `path:line:column: what was expected`, and the whole import fails
//! before anything is written.
//!
//! **Memory.** Each file is read into memory once, as bytes: the same bytes feed the
//! sha256 digest and the parser, so nothing is read twice. JSON is parsed from that
//! slice into a *pruned* tree that keeps only the keys the importer knows (see
//! [`json`]), then converted to model records, and the bytes and tree are dropped
//! before the next file. A 200 MB export therefore costs about 200 MB for its bytes
//! plus the records it contributes; the tenant itself holds only the fields whocan
//! uses. One worker thread reads and parses the next file while the calling thread
//! assembles the previous one, so at most two files' worth is held at once.

mod assemble;
mod csv_shapes;
mod edges_csv;
mod facts;
#[cfg(test)]
mod flags_oracle;
mod json;
mod ledger;
mod shapes;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::{AssignmentSource, Flag, InputFile, PrincipalKind, ScopeKind, Tenant};

use assemble::{Assembler, Content};
use json::Val;
use shapes::{Family, Problem, RecordKind};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// `path:line:column: what was expected`. The path is shown escaped, a line
    /// break in a file's name too: it cannot start a line of its own.
    #[error("{}:{line}:{column}: {message}", crate::report::text::sanitize(path))]
    At {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: {message}", crate::report::text::sanitize(path))]
    File { path: String, message: String },
    /// The system could not read an input file: whose failure it is (a path that
    /// is not there is the user's; an I/O error the environment's) is decided by
    /// the error's kind (`commands::classify`).
    #[error(
        "{}: cannot read the file: {error}",
        crate::report::text::sanitize(path)
    )]
    Read { path: String, error: std::io::Error },
    /// Every input was read and none held a record: no snapshot is made of nothing.
    #[error("{0}")]
    NothingImported(String),
}

/// The result of reading every input of one import.
#[derive(Debug, Default)]
pub struct Imported {
    pub tenant: Tenant,
    pub files: Vec<InputFile>,
    pub flags: Vec<Flag>,
    /// Files met while walking directories whose extension is neither `.json` nor
    /// `.csv` (as displayed paths); they were not read.
    pub(crate) skipped: Vec<String>,
    /// PIM active instances that matched an imported role assignment through
    /// `originRoleAssignmentId` and so added no record of their own.
    pub(crate) pim_deduplicated: usize,
    /// The role assignments those instances matched (each once): marked as PIM's,
    /// with the instance's window.
    pub(crate) pim_merged: usize,
}

/// Record counts of an import, by kind, in a fixed order (for the summary).
pub fn counts(imported: &Imported) -> Vec<(&'static str, usize)> {
    let t = &imported.tenant;
    // Directory listings by kind; members known only from their group's member file
    // are counted apart.
    let principals = |k: PrincipalKind| {
        t.principals
            .iter()
            .filter(|p| p.kind == k && !p.from_member_list)
            .count()
    };
    let group_pim = |active: bool| {
        t.group_eligibilities
            .iter()
            .filter(|e| e.active == active)
            .count()
    };
    let scopes = |k: ScopeKind| t.scopes.iter().filter(|s| s.kind == k).count();
    let mut out = vec![
        ("files", imported.files.len()),
        ("skippedFiles", imported.skipped.len()),
        ("roleDefinitions", t.roles.len()),
        // Role assignments as the role-assignment exports listed them, those a PIM
        // instance matched included; PIM instances that are records of their own.
        (
            "roleAssignments",
            assemble::count_assignments(t, AssignmentSource::RoleAssignment) + imported.pim_merged,
        ),
        (
            "pimActive",
            assemble::count_assignments(t, AssignmentSource::PimActive) - imported.pim_merged,
        ),
        ("pimActiveDeduplicated", imported.pim_deduplicated),
        ("pimEligible", t.eligibilities.len()),
        ("pimGroupsEligible", group_pim(false)),
        ("pimGroupsActive", group_pim(true)),
        ("denyAssignments", t.denies.len()),
        ("users", principals(PrincipalKind::User)),
        ("groups", principals(PrincipalKind::Group)),
        (
            "servicePrincipals",
            principals(PrincipalKind::ServicePrincipal),
        ),
        (
            "managedIdentities",
            principals(PrincipalKind::ManagedIdentity),
        ),
        ("devices", principals(PrincipalKind::Device)),
        ("orgContacts", principals(PrincipalKind::OrgContact)),
        ("otherDirectoryObjects", principals(PrincipalKind::Unknown)),
        (
            "membersKnownOnlyFromMemberFiles",
            t.principals.iter().filter(|p| p.from_member_list).count(),
        ),
        ("memberLists", t.member_lists.len()),
        ("partialMemberLists", t.partial_member_lists.len()),
        ("memberEdges", t.member_edges.len()),
        ("managementGroups", scopes(ScopeKind::ManagementGroup)),
        ("subscriptions", scopes(ScopeKind::Subscription)),
        ("resourceGroups", scopes(ScopeKind::ResourceGroup)),
        ("resources", scopes(ScopeKind::Resource)),
        ("operations", t.operations.len()),
        ("flags", imported.flags.len()),
    ];
    // Only an import that read resources' facts (issue 15) counts them, by kind.
    let facts = &t.resource_facts;
    if !facts.is_empty() {
        let n = |f: &dyn Fn(&crate::model::ResourceFacts) -> bool| {
            facts.iter().filter(|x| f(x)).count()
        };
        out.push((
            "workspaceLinks",
            n(&|x| {
                x.storage_account.is_some()
                    || x.key_vault.is_some()
                    || x.container_registry.is_some()
                    || x.application_insights.is_some()
            }),
        ));
        out.push(("datastores", n(&|x| x.datastore.is_some())));
        out.push(("assignedIdentities", n(&|x| x.identity.is_some())));
        out.push(("userAssignedIdentities", n(&|x| x.principal_id.is_some())));
        out.push((
            "storageSharedKeySettings",
            n(&|x| x.allow_shared_key_access.is_some()),
        ));
        out.push((
            "keyVaultPermissionModels",
            n(&|x| x.enable_rbac_authorization.is_some()),
        ));
    }
    // Only an import that read a collection ledger lists it.
    if let Some(l) = &t.collection {
        out.push(("ledgerEntries", l.entries.len()));
        out.push(("unreadableScopes", l.unreadable_scopes()));
    }
    out
}

/// Reads files and directories (recursively) into one tenant. `progress` asks for a
/// progress bar on stderr (the caller decides whether stderr is a terminal).
pub fn read_inputs(paths: &[PathBuf], progress: bool) -> Result<Imported, ImportError> {
    let (files, skipped) = collect_files(paths)?;
    let total: u64 = files.iter().map(|f| f.len).sum();
    let bar = if progress {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} reading {bar:30} {bytes}/{total_bytes} {wide_msg}",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    // One worker reads, digests and parses the files in order while this thread
    // assembles the previous one: results arrive in file order, so the tenant, the
    // flags and the first error are the same as reading one file after the other.
    // The rendezvous channel keeps at most one parsed file waiting.
    let mut assembler = Assembler::default();
    let mut inputs = Vec::with_capacity(files.len());
    let mut ledger_from: Option<String> = None;
    let read = std::thread::scope(|scope| -> Result<(), ImportError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Parsed, Failed>>(0);
        let worker_bar = bar.clone();
        let files = &files;
        scope.spawn(move || {
            for file in files {
                worker_bar.set_message(crate::report::text::sanitize(&file.display).into_owned());
                let parsed = parse_one(file);
                let failed = parsed.is_err();
                if tx.send(parsed).is_err() || failed {
                    break;
                }
            }
        });
        for parsed in rx {
            let parsed = match parsed {
                Ok(p) => p,
                Err(Failed::Unreadable(e)) => return Err(e),
                Err(Failed::Invalid(e)) => {
                    bar.finish_and_clear();
                    return Err(e);
                }
            };
            if matches!(parsed.read.content, Content::Ledger(_)) {
                if let Some(first) = &ledger_from {
                    bar.finish_and_clear();
                    return Err(ImportError::File {
                        path: parsed.input.path.clone(),
                        message: format!(
                            "a second collection ledger (`whocanCollection`); {first} is one \
                             already: one import reads one collection"
                        ),
                    });
                }
                ledger_from = Some(parsed.input.path.clone());
            }
            assembler.add(&parsed.input.path, parsed.read.content, parsed.read.partial);
            inputs.push(parsed.input);
            bar.inc(parsed.len);
        }
        Ok(())
    });
    read?;
    bar.finish_and_clear();
    let assembled = assembler.finish();
    if is_empty(&assembled.tenant) {
        return Err(nothing_imported(&inputs, &skipped));
    }
    Ok(Imported {
        tenant: assembled.tenant,
        files: inputs,
        flags: assembled.flags,
        skipped,
        pim_deduplicated: assembled.pim_deduplicated,
        pim_merged: assembled.pim_merged,
    })
}

/// Nothing at all: not one record (an empty member file still records its group's
/// member list).
fn is_empty(t: &Tenant) -> bool {
    t.principals.is_empty()
        && t.member_edges.is_empty()
        && t.member_lists.is_empty()
        && t.roles.is_empty()
        && t.assignments.is_empty()
        && t.eligibilities.is_empty()
        && t.denies.is_empty()
        && t.scopes.is_empty()
        && t.operations.is_empty()
        && t.group_eligibilities.is_empty()
}

fn nothing_imported(inputs: &[InputFile], skipped: &[String]) -> ImportError {
    let what = match inputs.len() {
        0 if skipped.is_empty() => "no .json or .csv file was found".to_string(),
        0 => format!(
            "no .json or .csv file was found ({} skipped)",
            crate::words::count(skipped.len(), "other file", "other files")
        ),
        1 => format!("{} holds no record", inputs[0].path),
        n => format!(
            "none of the {} read holds a record",
            crate::words::count(n, "file", "files")
        ),
    };
    ImportError::NothingImported(format!(
        "nothing to import: {what}, so no snapshot was made\nhint: point `whocan import` at the \
         export files (empty files and empty arrays are not a tenant), or check that the export \
         did not fail"
    ))
}

/// One file read and parsed, ready to assemble.
struct Parsed {
    input: InputFile,
    read: ReadFile,
    len: u64,
}

/// Why a file could not be parsed: it could not be read (the progress bar is left
/// as it is), or its content is refused (the bar is cleared first).
enum Failed {
    Unreadable(ImportError),
    Invalid(ImportError),
}

/// Reads one file, digests its bytes and parses them; the bytes are dropped here.
fn parse_one(file: &FileToRead) -> Result<Parsed, Failed> {
    let bytes = read_regular(file).map_err(Failed::Unreadable)?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let read =
        read_file(&file.display, &file.path, file.in_members, &bytes).map_err(Failed::Invalid)?;
    drop(bytes);
    Ok(Parsed {
        input: InputFile {
            path: file.display.clone(),
            kind: read.kind.to_string(),
            sha256,
            records: read.records,
        },
        read,
        len: file.len,
    })
}

/// The environment variable that sets the largest input file read, in bytes.
pub(crate) const MAX_INPUT_ENV: &str = "WHOCAN_MAX_INPUT_BYTES";

/// The largest input file read unless [`MAX_INPUT_ENV`] says otherwise: 4 GiB.
pub(crate) const DEFAULT_MAX_INPUT: u64 = 4 << 30;

/// The largest input file this import reads: [`MAX_INPUT_ENV`] when set (a plain
/// number of bytes), else [`DEFAULT_MAX_INPUT`].
pub(crate) fn max_input_bytes() -> Result<u64, ImportError> {
    match std::env::var(MAX_INPUT_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_MAX_INPUT),
        Ok(v) => v.trim().parse::<u64>().map_err(|_| ImportError::File {
            path: MAX_INPUT_ENV.to_string(),
            message: format!(
                "expected a number of bytes, found `{v}`\nhint: set {MAX_INPUT_ENV} to a plain \
                 number such as 8589934592 (8 GiB), or unset it for the default of 4 GiB"
            ),
        }),
        Err(std::env::VarError::NotUnicode(v)) => Err(ImportError::File {
            path: MAX_INPUT_ENV.to_string(),
            message: format!("expected a number of bytes, found {v:?}"),
        }),
    }
}

/// What a file that is not a regular file is, for messages: `None` for a regular
/// file (or a directory, which the caller walks).
fn special_kind(ft: &std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_file() || ft.is_dir() {
        None
    } else if ft.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if ft.is_socket() {
        Some("a socket")
    } else if ft.is_char_device() {
        Some("a character device")
    } else if ft.is_block_device() {
        Some("a block device")
    } else {
        Some("not a regular file")
    }
}

/// The refusal of an input that is not a regular file: reading a FIFO blocks until
/// something writes to it, a device such as `/dev/zero` never ends.
fn not_regular(display: &str, what: &str, via_link: bool) -> ImportError {
    let link = if via_link {
        " (through a symbolic link)"
    } else {
        ""
    };
    ImportError::File {
        path: display.to_string(),
        message: format!(
            "is {what}{link}, not a regular file: whocan reads only regular files, so the import \
             is refused and nothing was read\nhint: copy the export into a regular file, or \
             remove this entry from the input directory"
        ),
    }
}

/// The refusal of a file larger than the limit.
fn too_large(display: &str, len: u64, max: u64) -> ImportError {
    ImportError::File {
        path: display.to_string(),
        message: format!(
            "is {len} bytes, larger than the limit of {max} bytes for one input file, so the \
             import is refused and nothing was read\nhint: split the export into several \
             files (for example one per page of results), or raise the limit with \
             {MAX_INPUT_ENV}=BYTES if this machine has about three times that much memory"
        ),
    }
}

/// Reads one input: opened without blocking (a FIFO swapped in after the walk does
/// not hang the import), checked again to be a regular file on the open handle, and
/// read up to the size limit (a file that grew past it is refused).
fn read_regular(file: &FileToRead) -> Result<Vec<u8>, ImportError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let cannot = |error: std::io::Error| ImportError::Read {
        path: file.display.clone(),
        error,
    };
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&file.path)
        .map_err(cannot)?;
    let meta = f.metadata().map_err(cannot)?;
    if let Some(what) = special_kind(&meta.file_type()) {
        return Err(not_regular(&file.display, what, false));
    }
    if meta.is_dir() {
        return Err(not_regular(&file.display, "a directory", false));
    }
    if meta.len() > file.max {
        return Err(too_large(&file.display, meta.len(), file.max));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    f.take(file.max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > file.max {
        return Err(too_large(&file.display, bytes.len() as u64, file.max));
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct FileToRead {
    path: PathBuf,
    display: String,
    len: u64,
    /// The size limit of one input file ([`max_input_bytes`]).
    max: u64,
    /// In a folder named `members`: the folder that holds the file when it was given
    /// by name, or any folder from a walked argument down to the file (SPEC §1: a
    /// JSON file there is a member list named after its group).
    in_members: bool,
}

/// A folder named `members` (any case).
fn is_members_folder(dir: &Path) -> bool {
    dir.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case("members"))
}

/// Expands the arguments: files as given (whatever their extension), directories
/// walked recursively in name order, keeping `.json` and `.csv` files and reporting
/// the others as skipped. A file reached twice is read once.
///
/// Nothing is opened here: every file that would be read must be a regular file
/// (checked on the link's target, `metadata` follows links) no larger than the size
/// limit, or the whole import is refused by that file's name before any is read.
/// A FIFO, socket or device met while walking is refused too, not skipped: an audit
/// import does not silently leave out an entry named like an export.
fn collect_files(paths: &[PathBuf]) -> Result<(Vec<FileToRead>, Vec<String>), ImportError> {
    let max = max_input_bytes()?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| ImportError::File {
            path: path.display().to_string(),
            message: format!("cannot read: {e}"),
        })?;
        if meta.is_dir() {
            let mut dirs_seen = HashSet::new();
            let walk_into = Walk {
                in_members: is_members_folder(path),
                max,
            };
            walk_into.dir(path, &mut files, &mut skipped, &mut seen, &mut dirs_seen)?;
        } else {
            let display = path.display().to_string();
            check_regular(path, &display, &meta, max)?;
            if seen.insert(canonical(path)) {
                files.push(FileToRead {
                    path: path.clone(),
                    display,
                    len: meta.len(),
                    max,
                    in_members: path.parent().is_some_and(is_members_folder),
                });
            }
        }
    }
    Ok((files, skipped))
}

/// A file to be read is a regular file within the size limit (`meta` is the link
/// target's).
fn check_regular(
    path: &Path,
    display: &str,
    meta: &std::fs::Metadata,
    max: u64,
) -> Result<(), ImportError> {
    if let Some(what) = special_kind(&meta.file_type()) {
        let via_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        return Err(not_regular(display, what, via_link));
    }
    if meta.len() > max {
        return Err(too_large(display, meta.len(), max));
    }
    Ok(())
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Where a walk is: below a `members` folder or not.
#[derive(Clone, Copy)]
struct Walk {
    in_members: bool,
    max: u64,
}

impl Walk {
    fn dir(
        self,
        dir: &Path,
        files: &mut Vec<FileToRead>,
        skipped: &mut Vec<String>,
        seen: &mut HashSet<PathBuf>,
        dirs_seen: &mut HashSet<PathBuf>,
    ) -> Result<(), ImportError> {
        // A symlink loop would otherwise recurse forever.
        if !dirs_seen.insert(canonical(dir)) {
            return Ok(());
        }
        let io_err = |p: &Path, e: std::io::Error| ImportError::File {
            path: p.display().to_string(),
            message: format!("cannot read: {e}"),
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io_err(dir, e))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|e| io_err(dir, e))?;
        entries.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        for path in entries {
            let meta = std::fs::metadata(&path).map_err(|e| io_err(&path, e))?;
            if meta.is_dir() {
                let below = Walk {
                    in_members: self.in_members || is_members_folder(&path),
                    max: self.max,
                };
                below.dir(&path, files, skipped, seen, dirs_seen)?;
                continue;
            }
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ext != "json" && ext != "csv" {
                // Not read, whatever it is (a FIFO named `notes` is listed, not opened).
                skipped.push(path.display().to_string());
                continue;
            }
            let display = path.display().to_string();
            check_regular(&path, &display, &meta, self.max)?;
            if seen.insert(canonical(&path)) {
                files.push(FileToRead {
                    display,
                    path,
                    len: meta.len(),
                    max: self.max,
                    in_members: self.in_members,
                });
            }
        }
        Ok(())
    }
}

struct ReadFile {
    kind: &'static str,
    records: usize,
    content: Content,
    partial: bool,
}

/// Reads one file's bytes: JSON when the content starts like JSON or the name does
/// not end in `.csv`, else CSV, recognised from its header ([`csv_shapes`]).
fn read_file(
    display: &str,
    path: &Path,
    in_members: bool,
    bytes: &[u8],
) -> Result<ReadFile, ImportError> {
    let at = |e: json::TextError| ImportError::At {
        path: display.to_string(),
        line: e.line,
        column: e.column,
        message: e.message,
    };
    let text = json::decode(bytes).map_err(at)?;
    let is_csv_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let starts_like_json = matches!(text.trim_start().chars().next(), Some('[' | '{'));
    if is_csv_name && !starts_like_json {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let read = csv_shapes::read(&text, stem).map_err(at)?;
        return Ok(read.into_read_file());
    }
    // The collection ledger, whatever its name (SPEC §6).
    if let Some(doc) = ledger::detect(&text) {
        let l = ledger::read(&doc).map_err(|p| located(display, &text, p))?;
        return Ok(ReadFile {
            kind: "collection-ledger",
            records: l.entries.len(),
            content: Content::Ledger(l),
            partial: false,
        });
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if in_members && !shapes::is_guid(stem) {
        return Err(ImportError::File {
            path: display.to_string(),
            message: format!(
                "a JSON file in a `members` folder is a group's member list and must be named \
                 <group-object-id>.json (the group's object id, a GUID); `{stem}` is not a GUID, \
                 so the file is refused rather than read as a directory listing"
            ),
        });
    }
    let doc = json::parse_export(&text).map_err(at)?;
    read_json(&doc, stem).map_err(|p| located(display, &text, p))
}

/// Fuzzing entry point: one file's bytes under `name` (its extension decides CSV or
/// JSON, a `members/<guid>.json` name a member list) read from shape detection
/// through assembly, as an import reads them. Returns the record count.
#[doc(hidden)]
pub fn fuzz_read(bytes: &[u8], name: &str) -> Result<usize, ImportError> {
    let path = Path::new(name);
    let in_members = path.parent().is_some_and(is_members_folder);
    let read = read_file(name, path, in_members, bytes)?;
    let records = read.records;
    let mut assembler = Assembler::default();
    assembler.add(name, read.content, read.partial);
    drop(assembler.finish());
    Ok(records)
}

/// A problem inside a parsed file, as `path:line:column: json.path: message`.
fn located(display: &str, text: &str, p: Problem) -> ImportError {
    let where_ = json::path_text(&p.path);
    let message = if p.path.is_empty() || p.message.contains(&where_) {
        p.message
    } else {
        format!("{where_}: {}", p.message)
    };
    match json::locate(text, &p.path) {
        Some(offset) => {
            let (line, column) = json::line_col(text, offset);
            ImportError::At {
                path: display.to_string(),
                line,
                column,
                message,
            }
        }
        None => ImportError::File {
            path: display.to_string(),
            message,
        },
    }
}

/// One record with its recognised kind.
struct Classified<'a> {
    path: &'a [json::Seg],
    obj: &'a json::Obj,
    kind: RecordKind,
}

fn read_json(doc: &Val, stem: &str) -> Result<ReadFile, Problem> {
    let recs = shapes::records(doc)?;
    let partial = recs.partial;
    let stem_is_group = shapes::is_guid(stem);
    if recs.items.is_empty() {
        return Ok(if stem_is_group {
            ReadFile {
                kind: "group-members",
                records: 0,
                content: Content::Members {
                    group: stem.to_string(),
                    edges: Vec::new(),
                    principals: Vec::new(),
                },
                partial,
            }
        } else {
            ReadFile {
                kind: "empty",
                records: 0,
                content: Content::Empty,
                partial,
            }
        });
    }
    let mut classified = Vec::with_capacity(recs.items.len());
    for r in &recs.items {
        match (r.val, shapes::classify(r.val, r.context)) {
            (Val::Obj(obj), Some(kind)) => classified.push(Classified {
                path: &r.path,
                obj,
                kind,
            }),
            _ => return Err(shapes::unrecognised(r.val, &r.path, r.context)),
        }
    }
    // One file holds one family of records, except Resource Graph output, whose
    // rows are read each by its own `type`.
    let first = &classified[0];
    let mut families = vec![first.kind.family()];
    for c in &classified {
        let family = c.kind.family();
        if families.contains(&family) {
            continue;
        }
        if !recs.resource_graph {
            return Err(Problem {
                path: c.path.to_vec(),
                message: format!(
                    "{} is {}, but {} is {}: one file holds one kind of record (only Azure \
                     Resource Graph output mixes kinds)",
                    json::path_text(c.path),
                    c.kind.label(),
                    json::path_text(first.path),
                    first.kind.label()
                ),
            });
        }
        families.push(family);
    }
    if let [family] = families[..] {
        let all: Vec<&Classified> = classified.iter().collect();
        let (kind, records, content) = read_family(family, &all, stem, stem_is_group)?;
        return Ok(ReadFile {
            kind,
            records,
            content,
            partial,
        });
    }
    let mut parts = Vec::with_capacity(families.len());
    let mut records = 0;
    for family in families {
        let rows: Vec<&Classified> = classified
            .iter()
            .filter(|c| c.kind.family() == family)
            .collect();
        let (_, n, content) = read_family(family, &rows, stem, false)?;
        records += n;
        parts.push(content);
    }
    Ok(ReadFile {
        kind: "resource-graph",
        records,
        content: Content::Mixed(parts),
        partial,
    })
}

/// Converts the records of one family: the file kind, the record count and the
/// content.
fn read_family(
    family: Family,
    items: &[&Classified],
    stem: &str,
    stem_is_group: bool,
) -> Result<(&'static str, usize, Content), Problem> {
    let n = items.len();
    Ok(match family {
        Family::Roles => {
            let mut roles = Vec::with_capacity(n);
            for c in items {
                roles.push(shapes::role(c.kind, c.obj, c.path)?);
            }
            ("role-definitions", n, Content::Roles(roles))
        }
        Family::Assignments => {
            let mut list = Vec::with_capacity(n);
            let mut classic = Vec::new();
            for c in items {
                if let Some(admin) = shapes::classic_admin(c.obj, c.path)? {
                    classic.push(admin);
                    continue;
                }
                list.push(if c.kind == RecordKind::AssignmentPowerShell {
                    shapes::assignment_powershell(c.obj, c.path)?
                } else {
                    shapes::assignment(c.kind, c.obj, c.path)?
                });
            }
            let content = if classic.is_empty() {
                Content::Assignments(list)
            } else {
                Content::Mixed(vec![
                    Content::Assignments(list),
                    Content::ClassicAdmins(classic),
                ])
            };
            ("role-assignments", n, content)
        }
        Family::PimActive => {
            let mut list = Vec::with_capacity(n);
            for c in items {
                list.push(shapes::pim_active(c.obj, c.path)?);
            }
            ("pim-active", n, Content::PimActive(list))
        }
        Family::Eligibility => {
            let mut list = Vec::with_capacity(n);
            for c in items {
                list.push(shapes::eligibility(c.obj, c.path)?);
            }
            ("pim-eligibility", n, Content::Eligibility(list))
        }
        Family::GroupPim => {
            let mut list = Vec::with_capacity(n);
            for c in items {
                let RecordKind::GroupPim(active) = c.kind else {
                    unreachable!("PIM for Groups family")
                };
                list.push(shapes::group_pim(active, c.obj, c.path)?);
            }
            ("pim-groups", n, Content::GroupPim(list))
        }
        Family::Denies => {
            let mut list = Vec::with_capacity(n);
            for c in items {
                list.push(shapes::deny(c.obj, c.path)?);
            }
            ("deny-assignments", n, Content::Denies(list))
        }
        Family::Directory if stem_is_group => {
            // A member list: each entry is an edge, and says who the member is.
            let mut edges = Vec::with_capacity(n);
            let mut principals = Vec::new();
            for c in items {
                let RecordKind::Directory(k) = c.kind else {
                    unreachable!("directory family")
                };
                edges.push(shapes::member(stem, k, c.obj, c.path)?);
                principals.extend(shapes::member_principal(k, c.obj, c.path)?);
            }
            let content = Content::Members {
                group: stem.to_string(),
                edges,
                principals,
            };
            ("group-members", n, content)
        }
        Family::Directory => {
            let mut list = Vec::with_capacity(n);
            for c in items {
                let RecordKind::Directory(Some(k)) = c.kind else {
                    return Err(Problem {
                        path: c.path.to_vec(),
                        message: format!(
                            "{} is a directory object whose type cannot be told (no \
                             @odata.type, userPrincipalName, servicePrincipalType/appId, or \
                             securityEnabled/mailEnabled/groupTypes, and no @odata.context \
                             naming users, groups, servicePrincipals, devices or contacts). If \
                             this file is a group's member list, its stem must be the group's \
                             object id (members/<group-object-id>.json); `{stem}` is not a GUID",
                            json::path_text(c.path)
                        ),
                    });
                };
                list.push(shapes::principal(k, c.obj, c.path)?);
            }
            ("directory", n, Content::Directory(list))
        }
        Family::Scopes => {
            let kind = match items[0].kind {
                RecordKind::TreeNode => "management-groups",
                RecordKind::Subscription | RecordKind::ResourceGraphSubscription => "subscriptions",
                _ => "resources",
            };
            let mut nodes = Vec::new();
            let mut facts = Vec::new();
            for c in items {
                match c.kind {
                    RecordKind::TreeNode => shapes::tree_nodes(c.obj, c.path, None, &mut nodes)?,
                    // `az login --allow-no-subscriptions` lists the tenant itself as
                    // an account (`id` = `tenantId`, "N/A(tenant level account)"):
                    // no subscription, and no scope.
                    RecordKind::Subscription if shapes::is_tenant_level_account(c.obj) => {}
                    RecordKind::Subscription => nodes.push(shapes::subscription(c.obj, c.path)?),
                    RecordKind::ResourceGraphSubscription => {
                        shapes::resource_graph_subscription(c.obj, c.path, &mut nodes)?
                    }
                    _ => {
                        let node = shapes::resource(c.obj, c.path)?;
                        let typ = node.resource_type.as_deref();
                        facts.extend(facts::resource_facts(c.obj, c.path, &node.id, typ)?);
                        nodes.push(node);
                    }
                }
            }
            (kind, nodes.len(), Content::Scopes(nodes, facts))
        }
        Family::Operations => {
            let mut ops = Vec::new();
            for c in items {
                ops.extend(shapes::provider_operations(c.obj, c.path)?);
            }
            ("provider-operations", ops.len(), Content::Operations(ops))
        }
    })
}

#[cfg(test)]
mod facts_tests;
#[cfg(test)]
mod tests;
