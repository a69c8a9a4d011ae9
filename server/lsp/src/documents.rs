//! Open documents and analysed snapshots.
//!
//! An open document is a rope edited in place by `didChange` (strictly in arrival order: the
//! server applies changes synchronously under a `std::sync::Mutex`, before any `.await`). A
//! [`Snapshot`] is one analysed version: the rope at that version (cloning a rope is O(1)),
//! the [`Analysis`], and the text as one string when a request needs it. Requests read the
//! snapshot of the current version, so hover, completion and the rest never re-analyse for
//! themselves.
//!
//! Memory: the string the analysis ran on is not kept by default (the rope holds the text;
//! a 2 MB article would otherwise hold a second 2 MB copy per snapshot, and the stale
//! snapshot's copy next to the new one during each analysis). The server converts the
//! diagnostics with it before it goes, keeps it for requests ([`Snapshot::keep_text`]), or
//! lets [`Snapshot::text`] make it again from the rope on first use.
//!
//! Each open document keeps an [`AnalysisCache`] (the per-block recognition of its last
//! analysis), so an edit re-recognises only the blocks it touched; the result equals
//! `marginalia_core::analyse` of the same text (`server/core/tests/incremental.rs`). The
//! cache goes with the document on `didClose`, and is emptied when the document's corpus
//! (its gazetteer) changes. Published diagnostics are converted per publication and not
//! kept; pulled ones are converted once per snapshot.

use crate::convert;
use crate::workspace::{self, Corpus};
use marginalia_core::analysis::{Analysis, AnalysisCache, Context};
use marginalia_core::article::{self, Annotations, FILE_TOO_LARGE};
use marginalia_core::calendar::Date;
use marginalia_core::config::Config;
use marginalia_core::dates::Anchor;
use marginalia_core::findings::{Finding, Span};
use marginalia_core::text::{Document, Encoding};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;
use tower_lsp_server::lsp_types::{Diagnostic, Uri};

/// The analysis function: `marginalia_core::analyse` unless an embedder gives another.
pub type Analyser = Arc<dyn Fn(&str, &Context) -> Analysis + Send + Sync>;

/// A document the client has open.
pub struct OpenDoc {
    pub doc: Document,
    pub version: i32,
    /// When the last change arrived (for the debounce).
    pub last_change: Option<Instant>,
    /// The latest analysis stored for this document (possibly of an older version; none
    /// while the analysis of a newer version runs).
    pub snapshot: Option<Arc<Snapshot>>,
    /// The `[editor] debounce_ms` of the document's configuration, from its last analysis.
    pub debounce_ms: Option<u64>,
    /// The (version, generation) whose diagnostics were last published.
    pub published: Option<(i32, u64)>,
    /// An analysis loop is running for this document.
    pub analysis_pending: bool,
    /// The per-block results of its last analysis (dropped with the document on close).
    pub cache: Arc<Mutex<DocCache>>,
    /// Held from the start of an analysis until its snapshot is stored, so that a request
    /// arriving meanwhile (a pull right after an edit) waits for that snapshot instead of
    /// analysing the same version a second time: two analyses of a 2 MB article at once
    /// were the session's peak memory.
    pub analysing: Arc<tokio::sync::Mutex<()>>,
}

/// An open document's [`AnalysisCache`], with the corpus its blocks were recognised in (held,
/// so that another corpus is told apart by identity).
pub struct DocCache {
    corpus: Option<Arc<Corpus>>,
    cache: AnalysisCache,
}

impl Default for DocCache {
    fn default() -> DocCache {
        let mut cache = AnalysisCache::new();
        cache.set_parallel(true);
        DocCache {
            corpus: None,
            cache,
        }
    }
}

/// One analysed version of a document (open, or read from disk).
pub struct Snapshot {
    /// Unique per analysis: the `resultId` of pulled diagnostics.
    pub id: u64,
    pub uri: Uri,
    /// The document version (`None` for a file read from disk).
    pub version: Option<i32>,
    /// The settings/world generation it was analysed with.
    pub generation: u64,
    pub doc: Document,
    /// `doc`'s text as one string, made on first use (see the module documentation).
    text: OnceLock<String>,
    /// Per the corpus configuration; a document that is not an article has no findings.
    pub is_article: bool,
    pub analysis: Analysis,
    pub corpus: Arc<Corpus>,
    /// The effective configuration (file + editor settings).
    pub config: Config,
    /// The diagnostics' JSON array, for clients that pull them (see `crate::publish`).
    diagnostics: OnceLock<Vec<u8>>,
}

impl Snapshot {
    /// The text of this version as one string (made from the rope on first use).
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| self.doc.text())
    }

    /// Keeps `text`, this version's text, for [`Snapshot::text`].
    pub fn keep_text(&self, text: String) {
        let _ = self.text.set(text);
    }

    /// Converts and keeps the diagnostics (for clients that pull them) from `text`, this
    /// version's text, without keeping the text.
    pub fn keep_diagnostics(&self, text: &str, enc: Encoding) {
        let _ = self.diagnostics.set(self.diagnostics_json(text, enc));
    }

    /// The diagnostics of this version as LSP values, converted from `text`, its text.
    pub fn diagnostics_with(&self, text: &str, enc: Encoding) -> Vec<Diagnostic> {
        convert::diagnostics(self.findings_of(text, enc))
    }

    fn findings_of<'a>(&'a self, text: &'a str, enc: Encoding) -> convert::FindingsOf<'a> {
        convert::FindingsOf {
            findings: &self.analysis.findings,
            uri: &self.uri,
            doc: &self.doc,
            text,
            version: self.version,
            enc,
        }
    }

    /// The diagnostics of this version as their JSON array, written from `text`, its text.
    pub fn diagnostics_json(&self, text: &str, enc: Encoding) -> Vec<u8> {
        // Writing these values into memory cannot fail; if it ever did, the slower way, else
        // no diagnostics.
        crate::publish::diagnostics(self.findings_of(text, enc))
            .or_else(|_| serde_json::to_vec(&self.diagnostics_with(text, enc)))
            .unwrap_or_else(|_| b"[]".to_vec())
    }

    /// The diagnostics of this version as their JSON array, converted once (for clients that
    /// pull them).
    pub fn diagnostics(&self, enc: Encoding) -> &[u8] {
        self.diagnostics
            .get_or_init(|| self.diagnostics_json(self.text(), enc))
    }

    /// The diagnostics kept by [`Snapshot::keep_diagnostics`] or [`Snapshot::diagnostics`].
    pub fn kept_diagnostics(&self) -> Option<&[u8]> {
        self.diagnostics.get().map(Vec::as_slice)
    }

    pub fn gazetteer(&self) -> &marginalia_core::gazetteer::Gazetteer {
        &self.corpus.gazetteer
    }

    /// The core context this snapshot was analysed with.
    pub fn context(&self, today: Option<Date>) -> Context<'_> {
        Context {
            gazetteer: &self.corpus.gazetteer,
            config: &self.config,
            dct: None,
            today,
        }
    }
}

fn next_id() -> u64 {
    static IDS: AtomicU64 = AtomicU64::new(1);
    IDS.fetch_add(1, Ordering::Relaxed)
}

/// What an analysis needs besides the text.
pub struct Job<'a> {
    pub uri: Uri,
    pub version: Option<i32>,
    pub generation: u64,
    pub doc: Document,
    pub corpus: Arc<Corpus>,
    pub config: Config,
    pub today: Option<Date>,
    pub analyser: Option<&'a Analyser>,
    /// The document's cache (open documents); `None` analyses from scratch.
    pub cache: Option<Arc<Mutex<DocCache>>>,
}

/// An analysis with nothing found (documents that are not articles, files too large).
pub fn empty_analysis(findings: Vec<Finding>) -> Analysis {
    Analysis {
        article: article::parse(""),
        annotations: Annotations::default(),
        anchor: Anchor::None,
        institutions: Vec::new(),
        dates: Vec::new(),
        findings,
    }
}

/// Analyses one version; returns the snapshot and the text it was analysed on (which the
/// snapshot does not keep: see the module documentation). CPU-bound: callers run it on a
/// blocking thread.
pub fn analyse(job: Job) -> (Snapshot, String) {
    let text = job.doc.text();
    let path = workspace::uri_path(&job.uri);
    let is_article = workspace::is_article(&job.corpus, path.as_deref(), &text);
    let max = job.config.limits.max_file_size;
    let analysis = if !is_article {
        empty_analysis(Vec::new())
    } else if text.len() as u64 > max {
        empty_analysis(vec![Finding::new(
            &FILE_TOO_LARGE,
            Span::empty(0),
            format!(
                "the file has {} bytes, more than the limit of {max} (`[limits] max_file_size` in marginalia.toml)",
                text.len()
            ),
        )])
    } else {
        let ctx = Context {
            gazetteer: &job.corpus.gazetteer,
            config: &job.config,
            dct: None,
            today: job.today,
        };
        match (job.analyser, &job.cache) {
            (Some(f), _) => f(&text, &ctx),
            (None, Some(cache)) => {
                let mut c = cache.lock().unwrap_or_else(PoisonError::into_inner);
                if !c
                    .corpus
                    .as_ref()
                    .is_some_and(|k| Arc::ptr_eq(k, &job.corpus))
                {
                    c.cache.clear();
                    c.corpus = Some(Arc::clone(&job.corpus));
                }
                c.cache.analyse(&text, &ctx)
            }
            (None, None) => marginalia_core::analyse(&text, &ctx),
        }
    };
    let snapshot = Snapshot {
        id: next_id(),
        uri: job.uri,
        version: job.version,
        generation: job.generation,
        doc: job.doc,
        text: OnceLock::new(),
        is_article,
        analysis,
        corpus: job.corpus,
        config: job.config,
        diagnostics: OnceLock::new(),
    };
    (snapshot, text)
}

/// A snapshot of a file that could not be read as an article (its one finding).
pub fn problem_snapshot(
    uri: Uri,
    generation: u64,
    corpus: Arc<Corpus>,
    config: Config,
    finding: Finding,
    shown_text: String,
) -> Snapshot {
    Snapshot {
        id: next_id(),
        uri,
        version: None,
        generation,
        doc: Document::new(&shown_text),
        text: OnceLock::from(shown_text),
        is_article: true,
        analysis: empty_analysis(vec![finding]),
        corpus,
        config,
        diagnostics: OnceLock::new(),
    }
}
