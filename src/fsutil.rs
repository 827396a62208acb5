//! Writing output files safely: every file whocan writes goes through [`write_file`].
//!
//! A file that holds directory data (a review sheet, an HTML page) must not be
//! readable by others, must not be redirectable by a link someone planted, and must
//! never be left half-written. So [`write_file`]:
//!
//! - writes to a **random** temporary name in the target's directory, created with
//!   `O_CREAT | O_EXCL | O_NOFOLLOW` and mode 0600: a symbolic link (dangling or not)
//!   or any file already at that name makes the create fail and another name is
//!   tried, so a planted link can never redirect the write;
//! - writes, flushes and `fsync`s it, then renames it over the target (and syncs the
//!   directory), so the target is either as it was or complete; the finished file is
//!   0600 whatever the umask;
//! - never replaces an **SQLite database** (a file that begins with SQLite's
//!   header): an output named like the database would destroy every snapshot;
//! - writes **directly** to a target that exists and is not a regular file (a device
//!   such as `/dev/null` or `/dev/stdout`, a FIFO): renaming over it would replace
//!   the device node with a regular file.
//!
//! Several files of one command ([`write_files`]) are written all or none: all to
//! their temporary files first, renamed into place only when every one is complete.
//!
//! The random names and the retry on a name that exists come from the `tempfile`
//! crate (`Builder::make_in`), which also removes the temporary file when the write
//! fails; the file itself is opened here, with the flags above.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Writing `path` failed; `source` says why (its kind decides the exit code).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub(crate) struct WriteError {
    pub(crate) path: PathBuf,
    #[source]
    pub(crate) source: io::Error,
}

/// The mode of every file whocan writes.
pub(crate) const FILE_MODE: u32 = 0o600;

/// The mode of every directory whocan creates (a collection's folders hold
/// directory data, as its files do).
pub(crate) const DIR_MODE: u32 = 0o700;

/// Creates `path` and its missing parents, each 0700 whatever the umask (a
/// directory that exists is left as it is).
pub(crate) fn create_dirs(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    // The umask can only take bits away from 0700: under `umask 000` the
    // folders are 0700, never 0777.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(path)
}

/// Writes `path` with what `f` writes (see the module documentation).
pub(crate) fn write_file(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), WriteError> {
    write_file_inner(path, f).map_err(|source| WriteError {
        path: path.to_path_buf(),
        source,
    })
}

fn write_file_inner(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match target(path)? {
        Target::Special(file) => write_direct(file, f),
        Target::Replaced => stage(path, f)?.place(),
    }
}

/// Where an output goes: straight into an existing device or FIFO, or into a
/// temporary file renamed over the target (absent, or a regular file).
enum Target {
    Special(File),
    Replaced,
}

/// Looks at `path` before anything is written: a directory and an SQLite
/// database are refused.
fn target(path: &Path) -> io::Result<Target> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory (expected a file name)",
        )),
        Ok(m) if !m.is_file() => Ok(match open_special(path)? {
            Some(file) => Target::Special(file),
            // It became a regular file in between: replace it like one.
            None => Target::Replaced,
        }),
        // An SQLite database (whocan's own, most likely) is never replaced by
        // an output: the snapshots in it would be lost.
        Ok(_) if is_sqlite_database(path) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "is an SQLite database, which an output never replaces (give another file name)",
        )),
        // Absent, or a regular file: replaced through a temporary file.
        Ok(_) => Ok(Target::Replaced),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Target::Replaced),
        Err(e) => Err(e),
    }
}

/// What writes one output file.
pub(crate) type Render<'a> = Box<dyn FnOnce(&mut dyn Write) -> io::Result<()> + 'a>;

/// Writes several files all or none (`review --out --html --xlsx`): every target
/// is looked at first (a directory or a database among them refuses them all),
/// each regular file is written to its own temporary file (see
/// [`write_file`]), then any device or FIFO is written, and only when all of that
/// succeeded are the temporary files renamed into place, one after the other. A
/// failure before the renames removes every temporary file and leaves every
/// target as it was: no new file, no half-written one.
pub(crate) fn write_files(files: Vec<(&Path, Render<'_>)>) -> Result<(), WriteError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    let mut targets = Vec::with_capacity(files.len());
    for (path, render) in files {
        targets.push((path, target(path).map_err(failed(path))?, render));
    }
    let mut staged = Vec::new();
    let mut direct = Vec::new();
    for (path, target, render) in targets {
        match target {
            Target::Replaced => staged.push((path, stage(path, render).map_err(failed(path))?)),
            Target::Special(file) => direct.push((path, file, render)),
        }
    }
    for (path, file, render) in direct {
        write_direct(file, render).map_err(failed(path))?;
    }
    for (path, file) in staged {
        file.place().map_err(failed(path))?;
    }
    Ok(())
}

/// Whether the regular file at `path` begins with SQLite's header.
fn is_sqlite_database(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}

/// Opens an existing non-regular file (device, FIFO, socket...) for writing,
/// neither creating nor truncating anything; `None` when what was opened turns out
/// to be a regular file (the name was swapped since it was looked at).
fn open_special(path: &Path) -> io::Result<Option<File>> {
    let file = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(path)?;
    let ft = file.metadata()?.file_type();
    if ft.is_file() {
        return Ok(None);
    }
    if !(ft.is_char_device() || ft.is_fifo() || ft.is_socket() || ft.is_block_device()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file, device or FIFO",
        ));
    }
    Ok(Some(file))
}

fn write_direct(file: File, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut w = BufWriter::new(file);
    f(&mut w)?;
    w.flush()
}

/// Creates `path` new, mode 0600, never following a link and never opening
/// anything that exists.
pub(crate) fn create_exclusive(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

/// An output written in full to its temporary file beside the target, not yet in
/// place; dropped, the temporary file is removed.
struct Staged {
    tmp: tempfile::NamedTempFile<File>,
    target: PathBuf,
    dir: PathBuf,
}

impl Staged {
    /// Renames the temporary file over the target, then syncs the directory.
    fn place(self) -> io::Result<()> {
        self.tmp.persist(&self.target).map_err(|e| e.error)?;
        // The rename itself is durable once the directory is synced (best effort:
        // not every file system lets a directory be opened and synced).
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Writes what `f` writes to a new temporary file beside `path`: 0600, random
/// name, exclusive, never through a link, flushed and synced.
fn stage(path: &Path, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<Staged> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "expected a file name, not a directory",
        )
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // `.NAME.XXXXXXXXXXXX.whocan-tmp`, the name cut short enough for NAME_MAX.
    let short: String = name.to_string_lossy().chars().take(64).collect();
    let prefix = format!(".{short}.");
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".whocan-tmp")
        .rand_bytes(12)
        .make_in(dir, create_exclusive)?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        f(&mut w)?;
        w.flush()?;
    }
    // The umask may only have removed bits; make sure of 0600 anyway.
    use std::os::unix::fs::PermissionsExt;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
    tmp.as_file().sync_all()?;
    Ok(Staged {
        tmp,
        target: path.to_path_buf(),
        dir: dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn writes_a_new_file_0600() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_file(&p, |w| w.write_all(b"a,b\n")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"a,b\n");
        assert_eq!(mode(&p), 0o600);
        // Nothing else is left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn replaces_a_0644_file_with_a_0600_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_file(&p, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(mode(&p), 0o600);
    }

    #[test]
    fn a_failed_write_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        std::fs::write(&p, "old").unwrap();
        let err = write_file(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("boom"))
        })
        .unwrap_err();
        assert!(err.source.to_string().contains("boom"), "{err}");
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn several_files_are_written_all_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.html"));
        std::fs::write(&b, "old").unwrap();
        let err = write_files(vec![
            (a.as_path(), Box::new(|w: &mut dyn Write| w.write_all(b"a"))),
            (
                b.as_path(),
                Box::new(|w: &mut dyn Write| {
                    w.write_all(b"half")?;
                    Err(io::Error::other("boom"))
                }),
            ),
        ])
        .unwrap_err();
        assert_eq!(err.path, b);
        assert!(!a.exists());
        assert_eq!(std::fs::read(&b).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_files(vec![
            (a.as_path(), Box::new(|w: &mut dyn Write| w.write_all(b"a"))),
            (b.as_path(), Box::new(|w: &mut dyn Write| w.write_all(b"b"))),
        ])
        .unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"a");
        assert_eq!(std::fs::read(&b).unwrap(), b"b");
        assert_eq!((mode(&a), mode(&b)), (0o600, 0o600));
    }

    #[test]
    fn create_exclusive_never_follows_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let err = create_exclusive(&link).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(create_exclusive(&dangling).is_err());
        assert!(!dir.path().join("nowhere").exists());
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_file(dir.path(), |w| w.write_all(b"x")).unwrap_err();
        assert_eq!(err.source.kind(), io::ErrorKind::IsADirectory);
    }

    #[test]
    fn a_fifo_is_written_through_and_stays_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fifo");
        let st = std::process::Command::new("mkfifo").arg(&p).status();
        if !st.is_ok_and(|s| s.success()) {
            eprintln!("skipping: mkfifo is not available");
            return;
        }
        let reader = {
            let p = p.clone();
            std::thread::spawn(move || std::fs::read(p).unwrap())
        };
        write_file(&p, |w| w.write_all(b"through")).unwrap();
        assert_eq!(reader.join().unwrap(), b"through");
        assert!(std::fs::symlink_metadata(&p).unwrap().file_type().is_fifo());
    }

    #[test]
    fn a_device_is_written_directly() {
        // As root, a device node of the test's own (a regression would replace the
        // machine's /dev/null); otherwise /dev/null, which only root could replace.
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: geteuid has no preconditions and cannot fail.
        let null = if unsafe { libc::geteuid() } == 0 {
            let p = dir.path().join("null");
            let made = std::process::Command::new("mknod")
                .arg(&p)
                .args(["c", "1", "3"])
                .status()
                .is_ok_and(|s| s.success());
            if !made {
                eprintln!("skipping: mknod failed");
                return;
            }
            p
        } else {
            PathBuf::from("/dev/null")
        };
        write_file(&null, |w| w.write_all(b"gone")).unwrap();
        assert!(std::fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device());
    }
}

/// Files that must never replace anything (keys, receipts: they are evidence):
/// created 0600 through a random temp name opened with O_EXCL (never following a
/// link), synced, then hard-linked into place, which refuses a taken name; a
/// target that is a device or FIFO is written directly.
pub(crate) mod new_file {
    use std::fs::{File, OpenOptions};
    use std::io::{self, Write};
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    use std::path::{Path, PathBuf};

    /// A random temp path beside `path`.
    fn temp_beside(path: &Path) -> io::Result<PathBuf> {
        let mut r = [0u8; 12];
        getrandom::fill(&mut r).map_err(|e| io::Error::other(e.to_string()))?;
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let mut tmp = std::ffi::OsString::from(".");
        tmp.push(name);
        tmp.push(format!(
            ".{}.whocan-tmp",
            r.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ));
        Ok(path.with_file_name(tmp))
    }

    fn parent_dir(path: &Path) -> &Path {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    /// Creates `path` with `bytes`, mode 0600, atomically and only if nothing by
    /// that name exists (not even a dangling link): written to a temp file created
    /// with O_CREAT|O_EXCL (which never follows a link, dangling or not), synced,
    /// then hard-linked into place (which refuses an existing name) and the temp
    /// name removed. `AlreadyExists` when the name is taken.
    pub(crate) fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
        let tmp = temp_beside(path)?;
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        let written = f.write_all(bytes).and_then(|_| f.sync_all());
        drop(f);
        let placed = written.and_then(|_| match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
            // A file system without hard links: rename, having checked the name
            // is free (a narrow race, on such file systems only).
            Err(_) => match std::fs::symlink_metadata(path) {
                Ok(_) => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
                Err(_) => std::fs::rename(&tmp, path),
            },
        });
        let _ = std::fs::remove_file(&tmp);
        placed?;
        if let Ok(d) = File::open(parent_dir(path)) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// [`create_new`], except that a target that exists and is not a regular file
    /// (`/dev/stdout`, a FIFO, a terminal) is written directly, never replaced.
    pub(crate) fn write_new_or_device(path: &Path, bytes: &[u8]) -> io::Result<()> {
        if let Ok(meta) = std::fs::metadata(path) {
            let t = meta.file_type();
            if t.is_char_device() || t.is_fifo() || t.is_socket() || t.is_block_device() {
                let mut f = OpenOptions::new().write(true).open(path)?;
                return f.write_all(bytes).and_then(|_| f.flush());
            }
        }
        create_new(path, bytes).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} already exists: refusing to overwrite a receipt (receipts are \
                         evidence; choose a new name)",
                        path.display()
                    ),
                )
            } else {
                e
            }
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::os::unix::fs::PermissionsExt;

        #[test]
        fn creates_private_and_never_replaces() {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("k");
            create_new(&p, b"one").unwrap();
            assert_eq!(std::fs::read(&p).unwrap(), b"one");
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let e = create_new(&p, b"two").unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
            assert_eq!(std::fs::read(&p).unwrap(), b"one");
            // Nothing left behind.
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
            // A dangling link is a taken name too.
            let l = dir.path().join("l");
            std::os::unix::fs::symlink(dir.path().join("nowhere"), &l).unwrap();
            assert!(create_new(&l, b"x").is_err());
            assert!(!dir.path().join("nowhere").exists());
        }

        #[test]
        fn devices_are_written_directly() {
            write_new_or_device(Path::new("/dev/null"), b"receipt").unwrap();
            let meta = std::fs::metadata("/dev/null").unwrap();
            assert!(meta.file_type().is_char_device());
        }
    }
}

/// An input larger than its limit: the error inside the `io::Error` of
/// [`read_regular`] and [`read_regular_or_stdin`] (`len` when known before reading).
#[derive(Debug, thiserror::Error)]
#[error("{}more than the {max} bytes this input may have", len.map(|l| format!("{l} bytes, ")).unwrap_or_default())]
pub(crate) struct TooLarge {
    pub(crate) len: Option<u64>,
    pub(crate) max: u64,
}

impl TooLarge {
    fn error(len: Option<u64>, max: u64) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, TooLarge { len, max })
    }

    /// The [`TooLarge`] inside `e`, if that is why it failed.
    pub(crate) fn within(e: &io::Error) -> Option<&TooLarge> {
        e.get_ref().and_then(|inner| inner.downcast_ref())
    }
}

/// Whether `path` names standard input (`-`, `/dev/stdin`).
pub(crate) fn is_stdin(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdin")
}

/// [`read_regular`], except that `-` or `/dev/stdin` reads standard input (a
/// sheet piped in), up to `max` bytes too: an endless stream is cut at `max + 1`
/// bytes and refused.
pub fn read_regular_or_stdin(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    if is_stdin(path) {
        let mut out = Vec::new();
        io::stdin().lock().take(max + 1).read_to_end(&mut out)?;
        if out.len() as u64 > max {
            return Err(TooLarge::error(None, max));
        }
        return Ok(out);
    }
    read_regular(path, max)
}

/// Reads a whole input file the user named (a review sheet, a key, a receipt),
/// refusing what is not a regular file (a FIFO would block for ever, `/dev/zero`
/// never ends) and anything larger than `max` bytes, before reading a byte.
/// The error says which; the caller names the file.
pub fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device or directory): whocan reads only regular files",
        ));
    }
    if meta.len() > max {
        return Err(TooLarge::error(Some(meta.len()), max));
    }
    let f = std::fs::File::open(path)?;
    let mut out = Vec::with_capacity(meta.len() as usize);
    // The file may grow after it was looked at: read no more than allowed.
    f.take(max + 1).read_to_end(&mut out)?;
    if out.len() as u64 > max {
        return Err(TooLarge::error(None, max));
    }
    Ok(out)
}
