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
    if !unchanged(&target, original)? {
        return Err(WriteError::Changed);
    }
    replace_via_temporary(&target, new, Some(meta.permissions()), || {
        // Last look just before replacing: a concurrent editor's save wins over ours.
        if unchanged(&target, original)? {
            Ok(())
        } else {
            Err(WriteError::Changed)
        }
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
    replace_via_temporary(&target, bytes, permissions, || Ok(()))
}

/// Writes `bytes` to a new temporary file beside `target`, flushed to disk, then renames it over
/// `target` once `last_check` agrees. On any failure the temporary file is removed and
/// `target` is untouched.
fn replace_via_temporary(
    target: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
    last_check: impl FnOnce() -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = temporary_beside(&dir, target);
    let result = (|| -> Result<(), WriteError> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if let Some(p) = permissions {
            f.set_permissions(p)?;
        }
        f.sync_all()?;
        drop(f);
        last_check()?;
        std::fs::rename(&tmp, target)?;
        sync_dir(&dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
}
