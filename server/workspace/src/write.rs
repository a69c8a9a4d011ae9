//! Writing an article back atomically: a temporary file in the same folder, flushed to disk,
//! then renamed over the original, keeping its permissions. Refuses (writing nothing) when the
//! file changed since it was read, is read-only, or is a link leading outside the corpus.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a write was refused or failed. Nothing was written in any case.
#[derive(Debug)]
pub enum WriteError {
    /// The file on disk is no longer the text that was read and edited.
    Changed,
    /// Another program keeps the file open for writing.
    InUse,
    ReadOnly,
    /// A symbolic link whose target lies outside the corpus root.
    LinkOutsideRoot {
        target: PathBuf,
        root: PathBuf,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Changed => {
                f.write_str("the file changed on disk since it was read; not written (run again)")
            }
            WriteError::InUse => f.write_str(
                "another program has kept the file open for writing for a second; not written \
                 (save and close it there, then run again)",
            ),
            WriteError::ReadOnly => f.write_str("the file is read-only; not written"),
            WriteError::LinkOutsideRoot { target, root } => write!(
                f,
                "the file is a symbolic link to {}, outside the corpus root {}; not written",
                target.display(),
                root.display()
            ),
            WriteError::Io(e) => write!(f, "could not write the file: {e}"),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces the file at `path`, whose content was `original` when read, with `new`.
///
/// `root` is the corpus root: when `path` is a symbolic link, its target must lie inside it
/// (with no root, inside the folder holding the link). The link itself is kept; its target is
/// replaced.
pub fn write_atomic(
    path: &Path,
    original: &[u8],
    new: &[u8],
    root: Option<&Path>,
) -> Result<(), WriteError> {
    let link_meta = std::fs::symlink_metadata(path)?;
    let target = if link_meta.file_type().is_symlink() {
        let target = std::fs::canonicalize(path)?;
        let root = match root {
            Some(r) => r.to_path_buf(),
            None => crate::config::absolute(path)
                .parent()
                .map_or_else(|| PathBuf::from("/"), Path::to_path_buf),
        };
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        if !target.starts_with(&root) {
            return Err(WriteError::LinkOutsideRoot { target, root });
        }
        target
    } else {
        path.to_path_buf()
    };
    let meta = std::fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    // The look at the file happens once, just before the swap (a change found there costs a
    // temporary file written for nothing, which is rare, rather than a second read every time).
    replace_via_temporary(&target, new, Some(meta.permissions()), |tmp| {
        replace_if_unchanged(tmp, &target, original)
    })
}

/// Writes a generated output file (an export, a report) at `path`, creating it or replacing
/// it whole: a temporary file in the same folder, flushed, then renamed. A reader sees the old
/// content or the new, never a half-written file. A symbolic link is followed (the user named
/// it), and an existing file keeps its permissions.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let target = match std::fs::canonicalize(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e.into()),
    };
    let permissions = match std::fs::metadata(&target) {
        Ok(m) if m.permissions().readonly() => return Err(WriteError::ReadOnly),
        Ok(m) => Some(m.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    replace_via_temporary(&target, bytes, permissions, |tmp| {
        std::fs::rename(tmp, &target).map_err(|e| {
            let _ = std::fs::remove_file(tmp);
            e.into()
        })
    })
}

/// Writes `bytes` to a new temporary file beside `target`, flushed to disk, then hands it to
/// `put`, which moves it over `target` or removes it. If writing the temporary file fails, it
/// is removed and `target` is untouched.
fn replace_via_temporary(
    target: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
    put: impl FnOnce(&Path) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = temporary_beside(&dir, target);
    let written = (|| -> Result<(), WriteError> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if let Some(p) = permissions {
            f.set_permissions(p)?;
        }
        f.sync_all()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    put(&tmp)?;
    sync_dir(&dir);
    Ok(())
}

/// Puts the temporary file `tmp` in place of `target` if `target` still holds `original`, and
/// never loses a save another program makes meanwhile. Removes `tmp` when refusing.
///
/// A look followed by a rename leaves a gap. A program that opens the file in between writes
/// into the old file, which the rename then unlinks; a program that renames its own save over
/// the file in between sees it replaced by ours. Either way its save is gone (measured before
/// this function existed: 25 to 31 of 400 saves racing a 1 MB replacement were lost). Two kernel
/// features close the gap on Linux:
/// - a read lease: from the moment we hold it, any open of the file for writing waits for us,
///   and we can see that it is waiting;
/// - an exchanging rename: our file and the one at `target` swap names in one step, so the
///   file we displaced is still there to inspect, and to put back.
///
/// So we look under the lease, swap, and keep the swap only if the file we displaced is the
/// one we leased and nobody asked to open it meanwhile. Otherwise we swap back and refuse;
/// a waiting open then lands on the other program's file, where it belongs. Where either
/// feature is missing (another system, a file system without them, a file owned by someone
/// else) a last look just before the rename narrows the gap to one read of the file.
fn replace_if_unchanged(tmp: &Path, target: &Path, original: &[u8]) -> Result<(), WriteError> {
    let refuse = |e: WriteError| {
        let _ = std::fs::remove_file(tmp);
        Err(e)
    };
    let lease = match lease::Lease::take(target) {
        Ok(l) => l,
        Err(e) => return refuse(e),
    };
    let still_original = match &lease {
        Some(l) => l.holds(original),
        None => unchanged(target, original),
    };
    match still_original {
        Ok(true) => {}
        Ok(false) => return refuse(WriteError::Changed),
        Err(e) => return refuse(e),
    }
    match exchange(tmp, target) {
        Ok(()) => {}
        Err(e) if unsupported(&e) => {
            // No exchanging rename: the plain rename, right after the look.
            return std::fs::rename(tmp, target).or_else(|e| refuse(e.into()));
        }
        Err(e) => return refuse(e.into()),
    }
    // `tmp` now names the file we displaced.
    let displaced_original = match &lease {
        Some(l) => l.is_file_at(tmp),
        None => unchanged(tmp, original),
    };
    if let Ok(true) = displaced_original {
        drop(lease);
        let _ = std::fs::remove_file(tmp);
        return Ok(());
    }
    // Another program saved meanwhile: give the name back to its file and drop ours.
    if let Err(e) = exchange(tmp, target) {
        return Err(WriteError::Io(std::io::Error::new(
            e.kind(),
            format!(
                "another program saved the file while it was being replaced, and putting its \
                 version back failed ({e}); its version is kept at {}",
                tmp.display()
            ),
        )));
    }
    drop(lease);
    let _ = std::fs::remove_file(tmp);
    Err(WriteError::Changed)
}

fn temporary_beside(dir: &Path, target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(
        ".{name}.marginalia-{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

fn unchanged(path: &Path, original: &[u8]) -> Result<bool, WriteError> {
    if std::fs::metadata(path)?.len() != original.len() as u64 {
        return Ok(false);
    }
    Ok(std::fs::read(path)? == original)
}

/// Swaps the names of two files in one step (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are NUL-terminated strings that outlive the call; the system call
    // reads them and touches no other memory of ours. Called through `syscall` because not
    // every C library has a `renameat2` wrapper.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The file system or kernel cannot swap names (older kernels, some network file systems).
fn unsupported(e: &std::io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if let Some(code) = e.raw_os_error() {
        return [libc::EINVAL, libc::ENOSYS, libc::EOPNOTSUPP].contains(&code);
    }
    e.kind() == std::io::ErrorKind::Unsupported
}

/// A read lease on an article (Linux `fcntl(F_SETLEASE)`): while we hold it, another program's
/// open of the file for writing waits (up to `/proc/sys/fs/lease-break-time`, 45 s by default;
/// we hold it for milliseconds) and we can tell that it is waiting.
#[cfg(target_os = "linux")]
mod lease {
    use super::WriteError;
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;

    pub struct Lease(std::fs::File);

    impl Lease {
        /// `None` when no lease can be had here (a file system without leases, a file owned
        /// by another user, leases switched off). Refuses with `InUse` when another program
        /// keeps the file open for writing for a second.
        pub fn take(path: &Path) -> Result<Option<Lease>, WriteError> {
            ignore_break_signal();
            let file = std::fs::File::open(path)?;
            for _ in 0..100 {
                // SAFETY: `fcntl` on a descriptor we own, with an integer argument.
                let r = unsafe {
                    libc::fcntl(
                        file.as_raw_fd(),
                        libc::F_SETLEASE,
                        libc::c_int::from(libc::F_RDLCK),
                    )
                };
                if r == 0 {
                    return Ok(Some(Lease(file)));
                }
                if std::io::Error::last_os_error().raw_os_error() != Some(libc::EAGAIN) {
                    return Ok(None);
                }
                // Open for writing right now (an editor in the middle of a save): wait a little.
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(WriteError::InUse)
        }

        /// Another program asked to open the file for writing since the lease was taken.
        fn broken(&self) -> bool {
            // SAFETY: as above; F_GETLEASE takes no argument.
            let r = unsafe { libc::fcntl(self.0.as_raw_fd(), libc::F_GETLEASE) };
            r != libc::c_int::from(libc::F_RDLCK)
        }

        /// The leased file holds `original`, and nobody asked to write it.
        pub fn holds(&self, original: &[u8]) -> Result<bool, WriteError> {
            if self.0.metadata()?.len() != original.len() as u64 {
                return Ok(false);
            }
            let mut now = Vec::with_capacity(original.len());
            (&self.0).read_to_end(&mut now)?;
            Ok(now == original && !self.broken())
        }

        /// `path` names the leased file, and nobody asked to write it.
        pub fn is_file_at(&self, path: &Path) -> Result<bool, WriteError> {
            let (ours, there) = (self.0.metadata()?, std::fs::symlink_metadata(path)?);
            Ok(ours.dev() == there.dev() && ours.ino() == there.ino() && !self.broken())
        }
    }

    impl Drop for Lease {
        fn drop(&mut self) {
            // Closing the file would end the lease too; saying so lets a waiting open go on
            // before the descriptor is closed.
            // SAFETY: as above.
            unsafe {
                libc::fcntl(
                    self.0.as_raw_fd(),
                    libc::F_SETLEASE,
                    libc::c_int::from(libc::F_UNLCK),
                );
            }
        }
    }

    /// When a lease is broken the kernel signals the holder with SIGIO, whose default action
    /// ends the process. We ask the lease itself instead, so the signal is ignored, unless
    /// the program installed its own handler.
    fn ignore_break_signal() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: `sigaction` reads and writes only the structures passed; an all-zero
            // `sigaction` is a valid value to be filled in.
            unsafe {
                let mut current: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(libc::SIGIO, std::ptr::null(), &mut current) == 0
                    && current.sa_sigaction == libc::SIG_DFL
                {
                    libc::signal(libc::SIGIO, libc::SIG_IGN);
                }
            }
        });
    }
}

/// Without leases the last look before the rename is all there is.
#[cfg(not(target_os = "linux"))]
mod lease {
    use super::WriteError;
    use std::path::Path;

    pub enum Lease {}

    impl Lease {
        pub fn take(_path: &Path) -> Result<Option<Lease>, WriteError> {
            Ok(None)
        }
        pub fn holds(&self, _original: &[u8]) -> Result<bool, WriteError> {
            match *self {}
        }
        pub fn is_file_at(&self, _path: &Path) -> Result<bool, WriteError> {
            match *self {}
        }
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    // Makes the rename durable; failure here does not undo the write, so it is not reported.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_write_replaces_the_content_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "old\r\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&p, b"old\r\n", b"new\r\n", None).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new\r\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "as read\n").unwrap();
        let original = fs::read(&p).unwrap();
        fs::write(&p, "edited by a person meanwhile\n").unwrap();
        let e = write_atomic(&p, &original, b"fixed\n", None).unwrap_err();
        assert!(matches!(e, WriteError::Changed), "{e}");
        assert_eq!(fs::read(&p).unwrap(), b"edited by a person meanwhile\n");
        // Same length, different bytes: still refused.
        fs::write(&p, "AS READ\n").unwrap();
        assert!(matches!(
            write_atomic(&p, &original, b"x", None),
            Err(WriteError::Changed)
        ));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// A program that keeps the article open for writing could write into it at any time,
    /// so on Linux (where leases tell us) marginalia waits a second for it, then refuses.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_kept_open_for_writing_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "text\n").unwrap();
        let held = fs::OpenOptions::new().append(true).open(&p).unwrap();
        let e = write_atomic(&p, b"text\n", b"new\n", None).unwrap_err();
        assert!(matches!(e, WriteError::InUse), "{e}");
        assert!(e.to_string().contains("open for writing"), "{e}");
        assert_eq!(fs::read(&p).unwrap(), b"text\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // Once it lets go, the write goes through.
        drop(held);
        write_atomic(&p, b"text\n", b"new\n", None).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_output_file_is_created_or_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("export.csv");
        write_output(&p, "a,b\r\n中文,😀\r\n".as_bytes()).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "a,b\r\n中文,😀\r\n");
        write_output(&p, b"replaced\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"replaced\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // A folder that does not exist: an error, and nothing is left behind.
        let missing = dir.path().join("no-such-folder").join("x.csv");
        assert!(matches!(
            write_output(&missing, b"x"),
            Err(WriteError::Io(_))
        ));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn read_only_files_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "text\n").unwrap();
        let mut perm = fs::metadata(&p).unwrap().permissions();
        perm.set_readonly(true);
        fs::set_permissions(&p, perm).unwrap();
        let e = write_atomic(&p, b"text\n", b"new\n", None).unwrap_err();
        assert!(matches!(e, WriteError::ReadOnly), "{e}");
        assert_eq!(fs::read(&p).unwrap(), b"text\n");
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_corpus_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let corpus = tempfile::tempdir().unwrap();
        let real = outside.path().join("real.md");
        fs::write(&real, "text\n").unwrap();
        let link = corpus.path().join("link.md");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = write_atomic(&link, b"text\n", b"new\n", Some(corpus.path())).unwrap_err();
        assert!(matches!(e, WriteError::LinkOutsideRoot { .. }), "{e}");
        assert_eq!(fs::read(&real).unwrap(), b"text\n");

        // A link inside the corpus is written through, and stays a link.
        let inner = corpus.path().join("inner.md");
        fs::write(&inner, "text\n").unwrap();
        let link2 = corpus.path().join("link2.md");
        std::os::unix::fs::symlink(&inner, &link2).unwrap();
        write_atomic(&link2, b"text\n", b"new\n", Some(corpus.path())).unwrap();
        assert_eq!(fs::read(&inner).unwrap(), b"new\n");
        assert!(fs::symlink_metadata(&link2)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    /// Another program saves the article at an arbitrary moment while marginalia replaces it,
    /// either writing the file in place (as nano or VS Code do) or renaming its own new file
    /// over it (as Vim or Emacs may). Its save always starts after marginalia read the text, so
    /// whatever the moment, its bytes must be on disk at the end: either marginalia saw the
    /// change and refused, or the save landed after marginalia's. The moments sweep the whole
    /// replacement, including the instant between the last look and the rename (before the
    /// lease and the exchanging rename, 20 of 300 such saves were lost).
    #[test]
    fn a_save_racing_the_replacement_is_never_lost() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        // Big enough that reading and writing it take a measurable while.
        let original = "原文 original text 😀\n".repeat(40_000).into_bytes();
        let ours = "ours\n".repeat(200_000).into_bytes();
        let theirs = "theirs, saved by an editor 中文\n"
            .repeat(30_000)
            .into_bytes();
        fs::write(&p, &original).unwrap();
        let t = std::time::Instant::now();
        write_atomic(&p, &original, &ours, None).unwrap();
        let full = t.elapsed();
        let mut outcomes = [[0; 2]; 2];
        for attempt in 0..400u32 {
            fs::write(&p, &original).unwrap();
            // Moments from 0 to 120 % of an undisturbed replacement, in a scrambled order.
            let at = full * ((attempt * 37) % 120) / 100;
            let by_rename = attempt % 2 == 1;
            let (path, bytes) = (p.clone(), theirs.clone());
            let saver = std::thread::spawn(move || {
                std::thread::sleep(at);
                if by_rename {
                    let side = path.with_file_name("a.md~");
                    fs::write(&side, &bytes).unwrap();
                    fs::rename(&side, &path).unwrap();
                } else {
                    fs::write(&path, &bytes).unwrap();
                }
            });
            let result = write_atomic(&p, &original, &ours, None);
            saver.join().unwrap();
            let now = fs::read(&p).unwrap();
            assert!(
                now == theirs,
                "attempt {attempt} (saved by rename: {by_rename}) at {at:?} of {full:?}: the \
                 other save was lost ({result:?}, {} bytes on disk)",
                now.len()
            );
            let refused = match result {
                Ok(()) => 0,
                Err(WriteError::Changed) => 1,
                Err(e) => panic!("attempt {attempt}: {e}"),
            };
            outcomes[usize::from(by_rename)][refused] += 1;
            // Nothing but the article is left in the folder.
            assert_eq!(
                fs::read_dir(dir.path()).unwrap().count(),
                1,
                "attempt {attempt}"
            );
        }
        // Both outcomes happened for both kinds of save, so the moments did sweep the
        // replacement.
        for [written, refused] in outcomes {
            assert!(written > 0 && refused > 0, "{outcomes:?}");
        }
    }
}
