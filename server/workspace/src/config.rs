//! Finding and loading `marginalia.toml`: the nearest one walking up from a file is the
//! configuration of that file, and its folder is the corpus root (globs are relative to it).

use marginalia_core::config::{Config, FILE_NAME};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A configuration and where it came from.
#[derive(Clone, Debug, Default)]
pub struct LoadedConfig {
    /// The `marginalia.toml` file, or `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// The corpus root: the config file's folder (absolute). `None` with the defaults.
    pub root: Option<PathBuf>,
    pub config: Config,
}

impl LoadedConfig {
    /// The built-in defaults (no `marginalia.toml` found).
    pub fn defaults() -> LoadedConfig {
        LoadedConfig::default()
    }
}

/// A `marginalia.toml` that could not be read or parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigLoadError {
    pub path: PathBuf,
    /// One-based line of the problem, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigLoadError {}

/// The nearest `marginalia.toml` in `dir` or one of its ancestors.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let abs = absolute(dir);
    abs.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and parses one `marginalia.toml`.
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigLoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigLoadError {
        path: path.to_path_buf(),
        line: None,
        message: format!("cannot read the configuration: {e}"),
    })?;
    let config = Config::parse(&text).map_err(|e| ConfigLoadError {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    })?;
    let abs = absolute(path);
    Ok(LoadedConfig {
        root: abs.parent().map(Path::to_path_buf),
        path: Some(abs),
        config,
    })
}

/// The configuration that applies to a file or folder: the nearest `marginalia.toml` walking
/// up from it, or the defaults.
pub fn for_path(path: &Path) -> Result<LoadedConfig, ConfigLoadError> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    match discover(&dir) {
        Some(file) => load(&file),
        None => Ok(LoadedConfig::defaults()),
    }
}

/// Loads each configuration once, however many files share it (thread-safe).
#[derive(Debug, Default)]
pub struct ConfigCache {
    by_dir: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    by_file: Mutex<HashMap<Option<PathBuf>, Arc<LoadedConfig>>>,
}

impl ConfigCache {
    pub fn new() -> ConfigCache {
        ConfigCache::default()
    }

    /// The configuration of the file at `path` (a file or a folder).
    pub fn for_path(&self, path: &Path) -> Result<Arc<LoadedConfig>, ConfigLoadError> {
        let abs = absolute(path);
        if abs.is_dir() {
            self.for_dir(abs)
        } else {
            self.for_dir(parent_of(&abs))
        }
    }

    /// [`ConfigCache::for_path`] of a path known to be a file (a walk found it): without
    /// asking the file system whether it is a folder, once per file of a corpus.
    pub fn for_file(&self, path: &Path) -> Result<Arc<LoadedConfig>, ConfigLoadError> {
        self.for_dir(parent_of(&absolute(path)))
    }

    fn for_dir(&self, dir: PathBuf) -> Result<Arc<LoadedConfig>, ConfigLoadError> {
        let file = {
            let mut by_dir = lock(&self.by_dir);
            match by_dir.get(&dir) {
                Some(file) => file.clone(),
                None => {
                    let file = discover(&dir);
                    by_dir.insert(dir, file.clone());
                    file
                }
            }
        };
        if let Some(c) = lock(&self.by_file).get(&file) {
            return Ok(Arc::clone(c));
        }
        let loaded = Arc::new(match &file {
            Some(f) => load(f)?,
            None => LoadedConfig::defaults(),
        });
        lock(&self.by_file).insert(file, Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Every configuration loaded so far.
    pub fn loaded(&self) -> Vec<Arc<LoadedConfig>> {
        lock(&self.by_file).values().cloned().collect()
    }
}

fn parent_of(abs: &Path) -> PathBuf {
    abs.parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `path` made absolute against the current folder (without resolving links).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_config_walking_up_applies() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "[limits]\nmax_file_size = 100\n",
        )
        .unwrap();
        let sub = dir.path().join("news/2019");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("a.md"), "hello").unwrap();
        let c = for_path(&sub.join("a.md")).unwrap();
        assert_eq!(c.config.limits.max_file_size, 100);
        assert_eq!(c.root.as_deref(), Some(absolute(dir.path()).as_path()));

        // A nearer config wins.
        std::fs::write(sub.join(FILE_NAME), "").unwrap();
        let cache = ConfigCache::new();
        let c = cache.for_path(&sub.join("a.md")).unwrap();
        assert_eq!(
            c.config.limits.max_file_size,
            marginalia_core::config::DEFAULT_MAX_FILE_SIZE
        );
        assert_eq!(c.root.as_deref(), Some(absolute(&sub).as_path()));
    }

    #[test]
    fn a_bad_config_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        std::fs::write(
            &file,
            "[articles]\ninclude = [\"*.md\"]\nexclude_these = []\n",
        )
        .unwrap();
        let e = ConfigCache::new().for_path(dir.path()).unwrap_err();
        assert_eq!(e.line, Some(3));
        let shown = e.to_string();
        assert!(shown.contains("marginalia.toml:3: "), "{shown}");
        assert!(shown.contains("exclude_these"), "{shown}");
    }
}
