//! The corpus on disk as the server sees it: which configuration applies to a document, which
//! documents are articles, the gazetteer of each corpus, and reading articles that are not
//! open. Discovery, article selection and safe reading are `marginalia_workspace`'s (the CLI
//! uses the same functions, so both agree on what is an article).

use marginalia_core::calendar::Date;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_workspace::config::{ConfigCache, ConfigLoadError, LoadedConfig};
use marginalia_workspace::files::{starts_with_front_matter, Decision, Selection};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use tower_lsp_server::lsp_types::Uri;
use tower_lsp_server::UriExt;

/// A corpus being loaded or loaded (see `World::corpus`).
type CorpusCell = OnceLock<Arc<Corpus>>;

/// One corpus: a `marginalia.toml` (or the defaults), its article selection and gazetteer.
#[derive(Debug)]
pub struct Corpus {
    pub loaded: Arc<LoadedConfig>,
    /// `None` when the configuration's globs are broken (reported once; nothing is an article
    /// by glob then, only by the default rule).
    pub selection: Option<Selection>,
    pub gazetteer: Arc<Gazetteer>,
}

/// The configurations and gazetteers loaded from disk; replaced as a whole when
/// `marginalia.toml` or a gazetteer file changes.
#[derive(Debug)]
pub struct World {
    configs: ConfigCache,
    /// One cell per configuration: the first caller loads the corpus (its gazetteer may take
    /// a second with a ROR dump) while later callers wait for it instead of loading it again.
    corpora: Mutex<HashMap<Option<PathBuf>, Arc<CorpusCell>>>,
    /// A gazetteer that replaces the ones on disk (tests, embedders).
    fixed_gazetteer: Option<Arc<Gazetteer>>,
    /// Problems met while loading (bad config, unreadable gazetteer), drained by the server
    /// into log messages.
    problems: Mutex<Vec<String>>,
    /// Each `marginalia.toml` met so far and whether it loaded (`None`) or why not: the
    /// server shows the broken ones as diagnostics on the file itself.
    config_status: Mutex<BTreeMap<PathBuf, Option<ConfigLoadError>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl World {
    pub fn new(fixed_gazetteer: Option<Arc<Gazetteer>>) -> World {
        World {
            configs: ConfigCache::new(),
            corpora: Mutex::new(HashMap::new()),
            fixed_gazetteer,
            problems: Mutex::new(Vec::new()),
            config_status: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn configs(&self) -> &ConfigCache {
        &self.configs
    }

    pub fn take_problems(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.problems))
    }

    /// The state of every configuration file met in this world (see `config_status`).
    pub fn config_status(&self) -> BTreeMap<PathBuf, Option<ConfigLoadError>> {
        lock(&self.config_status).clone()
    }

    /// A configuration that cannot be used (unreadable, invalid TOML, bad globs): logged, and
    /// remembered for the diagnostics on the file.
    fn config_error(&self, error: &ConfigLoadError) {
        self.problem(format!("{error}; using the default configuration"));
        self.record_config_error(error);
    }

    /// Remembers a configuration that cannot be used (for its diagnostic), without logging.
    pub fn record_config_error(&self, error: &ConfigLoadError) {
        lock(&self.config_status).insert(error.path.clone(), Some(error.clone()));
    }

    fn problem(&self, message: String) {
        let mut p = lock(&self.problems);
        if !p.contains(&message) {
            p.push(message);
        }
    }

    /// The corpus of a file (by the nearest `marginalia.toml`), or of the defaults for
    /// documents that are not files.
    pub fn corpus_for(&self, path: Option<&Path>) -> Arc<Corpus> {
        let loaded = match path {
            Some(p) => match self.configs.for_path(p) {
                Ok(l) => l,
                Err(e) => {
                    self.config_error(&e);
                    Arc::new(LoadedConfig::defaults())
                }
            },
            None => Arc::new(LoadedConfig::defaults()),
        };
        self.corpus(loaded)
    }

    pub fn corpus(&self, loaded: Arc<LoadedConfig>) -> Arc<Corpus> {
        let cell = Arc::clone(lock(&self.corpora).entry(loaded.path.clone()).or_default());
        Arc::clone(cell.get_or_init(|| self.load_corpus(loaded)))
    }

    fn load_corpus(&self, loaded: Arc<LoadedConfig>) -> Arc<Corpus> {
        let selection = match Selection::new(&loaded) {
            Ok(s) => {
                if let Some(path) = &loaded.path {
                    lock(&self.config_status).insert(path.clone(), None);
                }
                Some(s)
            }
            Err(e) => {
                self.problem(e.to_string());
                self.record_config_error(&e);
                None
            }
        };
        let gazetteer = match &self.fixed_gazetteer {
            Some(g) => Arc::clone(g),
            None => self.load_gazetteer(&loaded),
        };
        Arc::new(Corpus {
            loaded,
            selection,
            gazetteer,
        })
    }

    fn load_gazetteer(&self, loaded: &LoadedConfig) -> Arc<Gazetteer> {
        match crate::workspace::gazetteer_of(loaded) {
            Ok(g) => g,
            Err(e) => {
                self.problem(e);
                Arc::new(Gazetteer::default())
            }
        }
    }

    /// Whether a file referenced by some loaded corpus (its config or a gazetteer file)
    /// is `path`.
    pub fn depends_on(&self, path: &Path) -> bool {
        if path
            .file_name()
            .is_some_and(|n| n == marginalia_core::config::FILE_NAME)
        {
            return true;
        }
        lock(&self.corpora)
            .values()
            .filter_map(|c| c.get())
            .any(|c| {
                let Some(root) = &c.loaded.root else {
                    return false;
                };
                let g = &c.loaded.config.gazetteer;
                g.files
                    .iter()
                    .chain(g.ror_dump.iter())
                    .any(|f| same_file(&root.join(f), path))
            })
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// The gazetteer a corpus uses, by the CLI's rule: the embedded default (unless
/// `no_default`), then the configured gazetteer files and ROR dump, relative to the root.
pub fn gazetteer_of(loaded: &LoadedConfig) -> Result<Arc<Gazetteer>, String> {
    let g = &loaded.config.gazetteer;
    match &loaded.root {
        Some(root) if !g.files.is_empty() || g.ror_dump.is_some() || g.no_default => {
            marginalia_workspace::gazetteer::load(root, &loaded.config, None)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        }
        _ if g.no_default => Ok(Arc::new(Gazetteer::default())),
        _ => Ok(embedded()),
    }
}

/// The embedded gazetteer, built once per process and shared by every corpus that uses it
/// as is (and by the worlds that replace each other on reload): each copy costs its records
/// and, once used, its search index (about 3 MB together). Built from the records, not
/// cloned from `Gazetteer::embedded()`, which would keep a second copy alive.
fn embedded() -> Arc<Gazetteer> {
    static EMBEDDED: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    Arc::clone(EMBEDDED.get_or_init(|| {
        Arc::new(Gazetteer::new(
            Gazetteer::embedded_records().iter().cloned(),
        ))
    }))
}

/// Whether a document is an article of its corpus. Documents that are not files (untitled
/// buffers) are articles: the annotator opened them to work on one.
pub fn is_article(corpus: &Corpus, path: Option<&Path>, text: &str) -> bool {
    let Some(path) = path else { return true };
    let decision = match &corpus.selection {
        Some(s) => s.decide(path),
        None => Decision::IfFrontMatter,
    };
    match decision {
        Decision::Article => true,
        Decision::NotArticle => false,
        Decision::IfFrontMatter => starts_with_front_matter(text.as_bytes()),
    }
}

pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().is_some_and(|s| s.as_str() == "file") {
        uri.to_file_path().map(|p| p.into_owned())
    } else {
        None
    }
}

pub fn path_uri(path: &Path) -> Option<Uri> {
    let abs = marginalia_workspace::config::absolute(path);
    Uri::from_file_path(abs)
}

/// Today from the system clock (UTC), for "published in the future", as the CLI does.
pub fn today() -> Option<Date> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Date::from_days((secs / 86_400) as i64))
}
