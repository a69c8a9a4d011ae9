//! What every command needs around the analysis: the configuration of each file, its
//! gazetteer (loaded once per corpus), today's date, and reading files.

use crate::AnalysisArgs;
use marginalia_core::calendar::Date;
use marginalia_core::findings::{Finding, Span};
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::Context;
use marginalia_workspace::config::{ConfigCache, LoadedConfig};
use marginalia_workspace::files::read_article;
use marginalia_workspace::walk::{self, Target, Walked};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A gazetteer: the embedded default shared by every corpus that adds nothing to it, or one
/// built for a corpus (extra files, ROR dumps).
pub enum CorpusGazetteer {
    Shared(&'static Gazetteer),
    Owned(Box<Gazetteer>),
}

impl std::ops::Deref for CorpusGazetteer {
    type Target = Gazetteer;
    fn deref(&self) -> &Gazetteer {
        match self {
            CorpusGazetteer::Shared(g) => g,
            CorpusGazetteer::Owned(g) => g,
        }
    }
}

/// A configuration with its gazetteer: everything to build a [`Context`].
pub struct Corpus {
    pub loaded: Arc<LoadedConfig>,
    pub gazetteer: CorpusGazetteer,
}

impl Corpus {
    pub fn context<'a>(&'a self, args: &AnalysisArgs, today: Date) -> Context<'a> {
        Context {
            gazetteer: &self.gazetteer,
            config: &self.loaded.config,
            dct: args.dct,
            today: Some(today),
        }
    }
}

/// The gazetteer of a corpus: the embedded default, the configuration's extra files and ROR
/// dump, and the `--ror` dump of the command line.
///
/// This is the one place the CLI builds a gazetteer.
pub fn load_gazetteer(
    loaded: &LoadedConfig,
    ror: Option<&Path>,
) -> Result<CorpusGazetteer, String> {
    let g = &loaded.config.gazetteer;
    if g.files.is_empty() && g.ror_dump.is_none() && ror.is_none() && !g.no_default {
        return Ok(CorpusGazetteer::Shared(Gazetteer::embedded()));
    }
    let root = loaded
        .root
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    marginalia_workspace::gazetteer::load(&root, &loaded.config, ror)
        .map(|g| CorpusGazetteer::Owned(Box::new(g)))
        .map_err(|e| e.to_string())
}

/// Corpora by configuration file, each loaded once.
#[derive(Default)]
pub struct Corpora {
    by_config: HashMap<Option<std::path::PathBuf>, Arc<Corpus>>,
}

impl Corpora {
    pub fn get(
        &mut self,
        loaded: &Arc<LoadedConfig>,
        ror: Option<&Path>,
    ) -> Result<Arc<Corpus>, String> {
        if let Some(c) = self.by_config.get(&loaded.path) {
            return Ok(Arc::clone(c));
        }
        let gazetteer = load_gazetteer(loaded, ror)?;
        let corpus = Arc::new(Corpus {
            loaded: Arc::clone(loaded),
            gazetteer,
        });
        self.by_config
            .insert(loaded.path.clone(), Arc::clone(&corpus));
        Ok(corpus)
    }
}

/// The files of a run, each with its corpus.
pub struct Jobs {
    pub list: Vec<(Target, Arc<Corpus>)>,
    /// When the paths hold no article: what the walk passed over and how to take it (for
    /// `check` an error, since a run that checks nothing would pass; for the others a warning).
    pub nothing_found: Option<String>,
}

/// Every file the paths name (the current folder when none), each with its corpus: the one
/// walk `check`, `export` and `report` share, so they choose the same files.
pub fn jobs(paths: &[PathBuf], ror: Option<&Path>) -> Result<Jobs, String> {
    let here = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &here[..] } else { paths };
    let configs = ConfigCache::new();
    // While the walk reads folders, a second thread builds the gazetteer the analyses need
    // first: the embedded one, or with `--ror` (which every corpus then adds, so none uses
    // the embedded one as it is) that of the first path's corpus, the one a run over a single
    // corpus needs (a third of a second with the ROR subset).
    let (targets, early) = std::thread::scope(|scope| {
        let early = scope.spawn(|| match ror {
            None => {
                Gazetteer::embedded().prepare();
                None
            }
            Some(_) => {
                let loaded = configs.for_path(paths.first()?).ok()?;
                // A gazetteer that fails to load is loaded again below, to report it in
                // the walk's order.
                let gazetteer = load_gazetteer(&loaded, ror).ok()?;
                Some(Corpus { loaded, gazetteer })
            }
        });
        let targets = walk::collect(paths, &configs);
        (targets, early.join().ok().flatten())
    });
    let walked = targets.map_err(|e| e.to_string())?;
    let nothing_found = walked
        .targets
        .is_empty()
        .then(|| nothing_found(paths, &walked));
    let mut corpora = Corpora::default();
    if let Some(c) = early {
        corpora.by_config.insert(c.loaded.path.clone(), Arc::new(c));
    }
    let list = walked
        .targets
        .into_iter()
        .map(|t| corpora.get(&t.config, ror).map(|c| (t, c)))
        .collect::<Result<_, _>>()?;
    Ok(Jobs {
        list,
        nothing_found,
    })
}

/// Why a walk that found no article is an error: a run that checks nothing would pass
/// whatever the corpus holds. Most often the articles are plain files kept outside an
/// `articles/` folder, which the default rule passes over: the message says so and how to
/// take them.
fn nothing_found(paths: &[PathBuf], walked: &Walked) -> String {
    let shown = |p: &Path| match display_path(p) {
        s if s.is_empty() => ".".to_string(),
        s => s,
    };
    let under = paths
        .iter()
        .map(|p| format!("`{}`", shown(p)))
        .collect::<Vec<_>>()
        .join(", ");
    let how = |them: &str| {
        format!(
            "name {them} on the command line, keep {them} under a folder named `articles`, or \
             list {them} in `[articles] include` in marginalia.toml"
        )
    };
    match (&walked.first_passed_over, walked.passed_over) {
        (Some(first), 1) => format!(
            "no article found under {under}: one .md/.txt file ({}) was passed over, as it \
             has no front-matter and is not under an `articles/` folder; {}",
            shown(first),
            how("it")
        ),
        (Some(first), n) => format!(
            "no article found under {under}: {n} .md/.txt files (the first: {}) were passed \
             over, as they have no front-matter and are not under an `articles/` folder; {}",
            shown(first),
            how("them")
        ),
        (None, _) => format!(
            "no article found under {under}: articles are .md/.txt files under an \
             `articles/` folder or with a front-matter, unless `[articles] include` in \
             marginalia.toml says otherwise"
        ),
    }
}

/// A file as read from disk: its text, or the finding that says why it cannot be read, with
/// the text that finding points into (the decoded prefix up to a bad byte, or nothing).
pub enum ReadFile {
    Text(String),
    Unreadable { finding: Finding, shown: String },
}

/// Reads one file of a walk, within its configuration's size limit.
pub fn read_file(t: &Target, corpus: &Corpus) -> ReadFile {
    if let Some(problem) = &t.problem {
        return ReadFile::Unreadable {
            finding: Finding::new(
                &marginalia_core::article::UNREADABLE_FILE,
                Span::empty(0),
                format!("cannot read: {problem}"),
            ),
            shown: String::new(),
        };
    }
    match read_article(&t.path, corpus.loaded.config.limits.max_file_size) {
        Ok(text) => ReadFile::Text(text),
        Err(p) => ReadFile::Unreadable {
            finding: p.finding,
            shown: p.shown_text,
        },
    }
}

impl Corpus {
    /// A finding made outside the analysis (an unreadable file) with the configuration's
    /// severity, or `None` when the configuration turns its code off: as `analyse` does.
    pub fn configured(&self, finding: Finding) -> Option<Finding> {
        self.loaded
            .config
            .severity_of(finding.code, finding.severity)
            .map(|severity| Finding {
                severity,
                ..finding
            })
    }
}

/// Today in UTC, from the system clock, unless `--today` says otherwise.
pub fn today(args: &AnalysisArgs) -> Date {
    args.today.unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((secs / 86_400) as i64)
    })
}

/// A path as shown in reports: forward slashes, relative as given.
pub fn display_path(path: &Path) -> String {
    marginalia_workspace::files::slash_path(path)
}
