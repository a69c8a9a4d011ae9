//! Walking the paths given on the command line: folders are walked respecting `.gitignore`,
//! `.ignore` and hidden files, and each file found is kept when its configuration says it is
//! an article. Files named explicitly are always kept.

use crate::config::{absolute, ConfigCache, ConfigLoadError, LoadedConfig};
use crate::files::{sniff_front_matter, Decision, Selection};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file to check.
#[derive(Clone, Debug)]
pub struct Target {
    /// The path as found (relative paths stay relative to the current folder).
    pub path: PathBuf,
    /// Named on the command line (not found by walking).
    pub explicit: bool,
    /// The configuration that applies to it.
    pub config: Arc<LoadedConfig>,
    /// Walking could not look at it (a folder that cannot be listed, …): why.
    pub problem: Option<String>,
}

/// Why the paths could not be walked: the tool cannot do its job (exit code 2).
#[derive(Debug)]
pub enum WalkError {
    /// A path given on the command line does not exist or cannot be accessed.
    Missing {
        path: PathBuf,
        error: std::io::Error,
    },
    Config(ConfigLoadError),
}

impl std::fmt::Display for WalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalkError::Missing { path, error } => write!(f, "{}: {error}", path.display()),
            WalkError::Config(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WalkError {}

impl From<ConfigLoadError> for WalkError {
    fn from(e: ConfigLoadError) -> Self {
        WalkError::Config(e)
    }
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// The articles, sorted by path, each once.
    pub targets: Vec<Target>,
    /// Files with an article's extension that the default rule passed over: outside an
    /// `articles/` folder and without a front-matter (`README.md`, or a corpus of plain
    /// `.txt` articles kept elsewhere). How many, and the first found.
    pub passed_over: usize,
    pub first_passed_over: Option<PathBuf>,
}

/// Finds the articles under the given paths (files or folders), in a stable order (sorted by
/// path), each once.
pub fn collect(paths: &[PathBuf], configs: &ConfigCache) -> Result<Walked, WalkError> {
    let mut selections: HashMap<Option<PathBuf>, Arc<Selection>> = HashMap::new();
    let mut selection_for = |loaded: &LoadedConfig| -> Result<Arc<Selection>, ConfigLoadError> {
        if let Some(s) = selections.get(&loaded.path) {
            return Ok(Arc::clone(s));
        }
        let s = Arc::new(Selection::new(loaded)?);
        selections.insert(loaded.path.clone(), Arc::clone(&s));
        Ok(s)
    };
    let mut out: Vec<Target> = Vec::new();
    let mut walked = Walked::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    // Asked once: `std::path::absolute` asks the kernel for the current folder on every
    // relative path, three times per file (a tenth of a walk over 10,000 articles).
    let here = std::env::current_dir().ok();
    let absolute_here = |p: &Path| absolute_in(here.as_deref(), p);
    for given in paths {
        let meta = std::fs::metadata(given).map_err(|error| WalkError::Missing {
            path: given.clone(),
            error,
        })?;
        if !meta.is_dir() {
            let config = configs.for_path(given)?;
            selection_for(&config)?; // a bad glob is reported even for explicit files
            if seen.insert(absolute_here(given)) {
                out.push(Target {
                    path: given.clone(),
                    explicit: true,
                    config,
                    problem: None,
                });
            }
            continue;
        }
        // Configurations of the folder itself are loaded even when it holds no article, so
        // that a broken `marginalia.toml` is never silently skipped.
        configs.for_path(given)?;
        let walker = ignore::WalkBuilder::new(given)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .ignore(true)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            // Siblings share their folder's path, so comparing whole paths as bytes orders them
            // by name (`sort_by_file_name` splits each path into components to find the name:
            // a third of a walk over a folder of 10,000 articles).
            .sort_by_file_path(|a, b| a.as_os_str().cmp(b.as_os_str()))
            .build();
        // The configuration, selection and folder rule of the last file's folder: the same for
        // every file of a folder, so asked once per folder.
        let mut folder: Option<Folder> = None;
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    if let Some(path) = error_path(&err) {
                        if seen.insert(absolute_here(&path)) {
                            out.push(Target {
                                config: configs.for_path(&path)?,
                                path,
                                explicit: false,
                                problem: Some(err.to_string()),
                            });
                        }
                    }
                    continue;
                }
            };
            let path = entry.path();
            let is_file = entry.file_type().is_some_and(|t| t.is_file())
                || (entry.path_is_symlink() && path.is_file());
            if !is_file
                || path
                    .file_name()
                    .is_some_and(|n| n == marginalia_core::config::FILE_NAME)
            {
                continue;
            }
            let abs = absolute_here(path);
            let dir = abs
                .parent()
                .map_or(&[][..], |d| d.as_os_str().as_encoded_bytes());
            let f = match folder {
                Some(ref mut f) if f.dir == dir => f,
                _ => {
                    let config = configs.for_file(&abs)?;
                    folder.insert(Folder {
                        dir: dir.to_vec(),
                        selection: selection_for(&config)?,
                        config,
                        under_articles: None,
                    })
                }
            };
            let keep = match f.selection.decide_absolute(&abs, || {
                *f.under_articles
                    .get_or_insert_with(|| f.selection.under_articles(&abs))
            }) {
                Decision::Article => true,
                Decision::NotArticle => false,
                Decision::IfFrontMatter => {
                    let annotated = sniff_front_matter(path);
                    if !annotated {
                        walked.passed_over += 1;
                        walked
                            .first_passed_over
                            .get_or_insert_with(|| path.to_path_buf());
                    }
                    annotated
                }
            };
            if keep && seen.insert(abs) {
                out.push(Target {
                    path: path.to_path_buf(),
                    explicit: false,
                    config: Arc::clone(&f.config),
                    problem: None,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    walked.targets = out;
    Ok(walked)
}

/// What every file of one folder shares during a walk.
struct Folder {
    /// The folder's absolute path, as bytes.
    dir: Vec<u8>,
    config: Arc<LoadedConfig>,
    selection: Arc<Selection>,
    /// The selection's folder rule, once a file of the folder has needed it.
    under_articles: Option<bool>,
}

/// [`absolute`] with the current folder already known: the same path, without a system call.
fn absolute_in(cwd: Option<&Path>, p: &Path) -> PathBuf {
    match cwd {
        Some(cwd) if p.is_relative() => absolute(&cwd.join(p)),
        _ => absolute(p),
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Whether `path` (after resolving links) lies inside `root`.
pub fn is_inside(path: &Path, root: &Path) -> bool {
    match (std::fs::canonicalize(path), std::fs::canonicalize(root)) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names(targets: &[Target], base: &Path) -> Vec<String> {
        targets
            .iter()
            .map(|t| crate::files::slash_path(t.path.strip_prefix(base).unwrap()))
            .collect()
    }

    #[test]
    fn walking_keeps_articles_and_respects_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("articles/old")).unwrap();
        fs::create_dir_all(d.join("notes")).unwrap();
        fs::create_dir_all(d.join(".hidden")).unwrap();
        fs::write(d.join("README.md"), "# Corpus\n\nHow to annotate.\n").unwrap();
        fs::write(d.join("articles/kust.md"), "News & Events\n").unwrap();
        fs::write(d.join("articles/photo.png"), b"\x89PNG").unwrap();
        fs::write(d.join("articles/old/cnrs.txt"), "CNRS\n").unwrap();
        fs::write(d.join("articles/old/skip.md"), "ignored\n").unwrap();
        fs::write(d.join("notes/annotated.md"), "---\ntitle: x\n---\nbody\n").unwrap();
        fs::write(d.join("notes/plain.md"), "no front-matter\n").unwrap();
        fs::write(d.join(".hidden/a.md"), "---\n---\n").unwrap();
        fs::write(d.join(".gitignore"), "articles/old/skip.md\n").unwrap();
        let walked = collect(&[d.to_path_buf()], &ConfigCache::new()).unwrap();
        assert_eq!(
            names(&walked.targets, d),
            [
                "articles/kust.md",
                "articles/old/cnrs.txt",
                "notes/annotated.md"
            ]
        );
        // Outside `articles/`, two Markdown files without a front-matter were passed over
        // (the hidden folder, the ignored file and the picture are not counted).
        assert_eq!(walked.passed_over, 2);
        assert_eq!(walked.first_passed_over, Some(d.join("README.md")));
        // Named files are always checked; a file named twice is checked once.
        let targets = collect(
            &[
                d.join("README.md"),
                d.join("articles"),
                d.join("articles/kust.md"),
            ],
            &ConfigCache::new(),
        )
        .unwrap()
        .targets;
        assert_eq!(
            names(&targets, d),
            ["README.md", "articles/kust.md", "articles/old/cnrs.txt"]
        );
        assert!(targets[0].explicit && !targets[2].explicit);
    }

    #[test]
    fn a_walk_decides_each_file_as_deciding_it_alone_would() {
        // Folders under and outside `articles/`, a nested configuration with its own globs,
        // files of one folder interleaved in name order with a subfolder's; the walk asks the
        // configuration and the folder rule once per folder.
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in [
            "articles/b",
            "notes/articles",
            "notes/x",
            "other/deep/articles",
            "glob",
        ] {
            fs::create_dir_all(d.join(sub)).unwrap();
        }
        fs::write(
            d.join("glob/marginalia.toml"),
            "[articles]\ninclude = [\"*.txt\"]\n",
        )
        .unwrap();
        let files = [
            "articles/a.md",
            "articles/b/c.md",
            "articles/b.md",
            "articles/c d.txt",
            "articles/É.md",
            "articles/Z.MD",
            "articles/x.png",
            "notes/articles/n.md",
            "notes/plain.md",
            "notes/x/fm.md",
            "other/deep/articles/o.txt",
            "glob/g.txt",
            "glob/g.md",
        ];
        for f in files {
            let text = if f.ends_with("fm.md") {
                "---\ntitle: t\n---\n"
            } else {
                "body\n"
            };
            fs::write(d.join(f), text).unwrap();
        }
        let configs = ConfigCache::new();
        let targets = collect(&[d.to_path_buf()], &configs).unwrap().targets;
        let mut expected: Vec<PathBuf> = files
            .iter()
            .map(|f| d.join(f))
            .filter(|p| {
                let config = configs.for_file(p).unwrap();
                match Selection::new(&config).unwrap().decide(p) {
                    Decision::Article => true,
                    Decision::NotArticle => false,
                    Decision::IfFrontMatter => sniff_front_matter(p),
                }
            })
            .collect();
        expected.sort();
        let got: Vec<&Path> = targets.iter().map(|t| t.path.as_path()).collect();
        assert_eq!(got, expected);
        assert_eq!(
            names(&targets, d),
            [
                "articles/Z.MD",
                "articles/a.md",
                "articles/b/c.md",
                "articles/b.md",
                "articles/c d.txt",
                "articles/É.md",
                "glob/g.txt",
                "notes/articles/n.md",
                "notes/x/fm.md",
                "other/deep/articles/o.txt",
            ]
        );
        // Each file carries the configuration of its own folder.
        for t in &targets {
            let want = configs.for_file(&t.path).unwrap();
            assert!(Arc::ptr_eq(&t.config, &want), "{}", t.path.display());
        }
    }

    #[test]
    fn the_known_current_folder_gives_the_same_absolute_paths() {
        let cwd = std::env::current_dir().unwrap();
        for p in [
            "a",
            "./a",
            "a/./b",
            "a/../b",
            "a/",
            ".",
            "./",
            "a//b",
            "../x",
            "./../x/",
            "中文 😀.md",
            "/abs/./x",
            "//net/x",
            "///x",
        ] {
            let p = Path::new(p);
            assert_eq!(absolute_in(Some(&cwd), p), absolute(p), "{p:?}");
        }
    }

    #[test]
    fn config_globs_choose_the_articles() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("news/drafts")).unwrap();
        fs::write(
            d.join("marginalia.toml"),
            "[articles]\ninclude = [\"news/**/*.txt\"]\nexclude = [\"news/drafts/**\"]\n",
        )
        .unwrap();
        fs::write(d.join("news/a.txt"), "a\n").unwrap();
        fs::write(d.join("news/b.md"), "---\n---\n").unwrap();
        fs::write(d.join("news/drafts/c.txt"), "c\n").unwrap();
        let walked = collect(&[d.to_path_buf()], &ConfigCache::new()).unwrap();
        assert_eq!(names(&walked.targets, d), ["news/a.txt"]);
        // A configuration's own globs pass nothing over: only the default rule does.
        assert_eq!(walked.passed_over, 0);
    }

    #[test]
    fn missing_paths_and_bad_configs_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let e = collect(&[d.join("nope")], &ConfigCache::new()).unwrap_err();
        assert!(matches!(e, WalkError::Missing { .. }), "{e}");
        fs::write(
            d.join("marginalia.toml"),
            "[limits]\nmax_file_size = \"big\"\n",
        )
        .unwrap();
        let e = collect(&[d.to_path_buf()], &ConfigCache::new()).unwrap_err();
        assert!(e.to_string().contains("marginalia.toml:2:"), "{e}");
    }
}
