//! The `LanguageServer` implementation: document sync, analysis scheduling, settings,
//! watched files, background indexing, and dispatch to the feature handlers.
//!
//! Ordering: `didOpen`/`didChange`/`didClose` touch the documents synchronously under a
//! `std::sync::Mutex` before any `.await`, so tower-lsp-server's in-order polling of
//! notifications applies changes strictly in arrival order. Everything that waits (analysis,
//! publishing, requests to the client) runs in spawned tasks, never in a notification handler.
//!
//! Scheduling: one analysis loop per open document. The first change after a quiet period is
//! analysed at once; changes that arrive while an analysis is running are coalesced and
//! analysed once the document has been quiet for the debounce (`debounceMs`, default 50 ms).
//! A result whose version is no longer current is dropped; diagnostics carry the version.
//!
//! Diagnostics reach a client one way only (see `capabilities::pulls_diagnostics`): pushed
//! with `publishDiagnostics` after each analysis, or pulled by the client, which the server
//! asks to pull again (`workspace/diagnostic/refresh`) when results change without an edit.
//! A broken `marginalia.toml` is always pushed, as a diagnostic on the file itself.

use crate::capabilities::{self, ClientFeatures};
pub use crate::documents::Analyser;
use crate::documents::{self, Job, OpenDoc, Snapshot};
use crate::handlers::{self, View};
use crate::settings::Settings;
use crate::transport::Outbox;
use crate::workspace::{self, World};
use marginalia_core::calendar::Date;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::text::Encoding;
use marginalia_workspace::config::ConfigLoadError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

/// Options for embedders and tests.
#[derive(Clone, Default)]
pub struct ServerOptions {
    /// Use this gazetteer for every corpus instead of loading one from disk.
    pub gazetteer: Option<Arc<Gazetteer>>,
    /// "Today" for `published` in the future (default: the system clock).
    pub today: Option<Date>,
    /// Replaces `marginalia_core::analyse`.
    pub analyser: Option<Analyser>,
}

/// Diagnostics converted for `textDocument/publishDiagnostics`.
pub(crate) enum Converted {
    /// The whole notification, written straight from the findings (`crate::publish`); made
    /// only when the transport takes serialised messages.
    Json(Vec<u8>),
    /// LSP values, for a transport that serialises them itself.
    Values(Vec<Diagnostic>),
}

/// State shared by the handlers and the background tasks.
pub struct Shared {
    client: Client,
    options: ServerOptions,
    features: RwLock<Arc<ClientFeatures>>,
    docs: Mutex<HashMap<Uri, OpenDoc>>,
    /// Articles on disk that are not open, analysed in the background.
    index: Mutex<HashMap<Uri, Arc<Snapshot>>>,
    world: RwLock<Arc<World>>,
    settings: RwLock<Arc<Settings>>,
    roots: RwLock<Vec<PathBuf>>,
    /// Bumped when settings or the world change: snapshots of older generations are stale.
    generation: AtomicU64,
    shutdown: AtomicBool,
    publish_lock: tokio::sync::Mutex<()>,
    /// The broken `marginalia.toml` files whose diagnostic the client has (held while
    /// publishing, so that publications of one file keep their order).
    config_published: tokio::sync::Mutex<BTreeMap<PathBuf, ConfigLoadError>>,
    index_task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// The transport's queue for messages serialised here (see `publish`); not set when an
    /// embedder brings its own transport.
    outbox: OnceLock<Outbox>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T: Clone>(l: &RwLock<T>) -> T {
    l.read().unwrap_or_else(PoisonError::into_inner).clone()
}

fn write<T>(l: &RwLock<T>, value: T) {
    *l.write().unwrap_or_else(PoisonError::into_inner) = value;
}

/// The server backend given to tower-lsp-server.
pub struct Backend {
    shared: Arc<Shared>,
}

pub fn build_service(
    options: ServerOptions,
) -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(|client| Backend {
        shared: Arc::new(Shared {
            client,
            world: RwLock::new(Arc::new(World::new(options.gazetteer.clone()))),
            options,
            features: RwLock::new(Arc::new(ClientFeatures::default())),
            docs: Mutex::new(HashMap::new()),
            index: Mutex::new(HashMap::new()),
            settings: RwLock::new(Arc::new(Settings::default())),
            roots: RwLock::new(Vec::new()),
            generation: AtomicU64::new(0),
            shutdown: AtomicBool::new(false),
            publish_lock: tokio::sync::Mutex::new(()),
            config_published: tokio::sync::Mutex::new(BTreeMap::new()),
            index_task: Mutex::new(None),
            outbox: OnceLock::new(),
        }),
    })
    .custom_method("marginalia/documentState", Backend::document_state)
    .custom_method(
        crate::transport::INVALID_MESSAGE_METHOD,
        Backend::invalid_message,
    )
    .finish()
}

/// `marginalia/documentState`: the server's copy of an open document (tests compare it with
/// the client's after many edits; also handy when debugging a client).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentStateParams {
    pub text_document: TextDocumentIdentifier,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentState {
    pub version: i32,
    pub text: String,
    /// The version of the latest stored analysis.
    pub analysed_version: Option<i32>,
}

fn unknown_document(uri: &Uri) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: format!(
            "unknown document {}: it is not open and not an indexed article",
            uri.as_str()
        )
        .into(),
        data: None,
    }
}

impl Shared {
    pub fn exit_code(&self) -> i32 {
        if self.shutdown.load(Ordering::SeqCst) {
            0
        } else {
            1
        }
    }

    /// Lets the server write its own messages to the transport (see `publish`).
    pub(crate) fn set_outbox(&self, outbox: Outbox) {
        let _ = self.outbox.set(outbox);
    }

    /// `textDocument/publishDiagnostics` of an article. Written straight from the LSP types
    /// when the transport takes serialised messages: `Client` would first turn the
    /// parameters into a `serde_json::Value` tree (for a 2 MB article's 2,400 diagnostics,
    /// 17 MB at once, against 1.4 MB of JSON). Every publication of a document goes this one
    /// way, so they keep their order.
    async fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        self.publish_converted(uri, Converted::Values(diagnostics), version)
            .await;
    }

    /// [`Shared::publish`] of diagnostics converted either way.
    async fn publish_converted(&self, uri: Uri, converted: Converted, version: Option<i32>) {
        let diagnostics = match converted {
            Converted::Json(body) => {
                if let Some(outbox) = self.outbox.get() {
                    outbox.send(body).await;
                }
                return;
            }
            Converted::Values(d) => d,
        };
        let Some(outbox) = self.outbox.get() else {
            self.client
                .publish_diagnostics(uri, diagnostics, version)
                .await;
            return;
        };
        #[derive(Serialize)]
        struct Notification {
            jsonrpc: &'static str,
            method: &'static str,
            params: PublishDiagnosticsParams,
        }
        let message = Notification {
            jsonrpc: "2.0",
            method: "textDocument/publishDiagnostics",
            params: PublishDiagnosticsParams::new(uri, diagnostics, version),
        };
        let body = serde_json::to_vec(&message);
        drop(message);
        if let Ok(body) = body {
            outbox.send(body).await;
        }
    }

    /// A snapshot's diagnostics converted for publishing (from `text`, its text, when
    /// given): the ones it keeps for pulls if any, as the notification's JSON when the
    /// transport takes serialised messages.
    fn convert(&self, snap: &Snapshot, text: Option<&str>, enc: Encoding) -> Converted {
        let kept = snap.kept_diagnostics();
        let text = || text.unwrap_or_else(|| snap.text());
        if self.outbox.get().is_some() {
            let made;
            let items = match kept {
                Some(k) => k,
                None => {
                    made = snap.diagnostics_json(text(), enc);
                    &made
                }
            };
            return Converted::Json(crate::publish::notification(&snap.uri, items, snap.version));
        }
        Converted::Values(match kept {
            Some(k) => serde_json::from_slice(k).unwrap_or_default(),
            None => snap.diagnostics_with(text(), enc),
        })
    }

    fn features(&self) -> Arc<ClientFeatures> {
        read(&self.features)
    }

    fn today(&self) -> Option<Date> {
        self.options.today.or_else(workspace::today)
    }

    /// The editor setting `debounceMs`, else the document's `[editor] debounce_ms` (from its
    /// last analysis), else the default.
    fn debounce(&self, od: &OpenDoc) -> Duration {
        let ms = read(&self.settings).debounce_ms.unwrap_or_else(|| {
            od.debounce_ms
                .unwrap_or(marginalia_core::config::EditorConfig::default().debounce_ms)
        });
        Duration::from_millis(ms)
    }

    fn log(self: &Arc<Self>, typ: MessageType, message: String) {
        let client = self.client.clone();
        tokio::spawn(async move { client.log_message(typ, message).await });
    }

    /// Logs what went wrong while loading configurations and gazetteers, and brings the
    /// diagnostics of broken `marginalia.toml` files up to date (in the background).
    fn log_world_problems(self: &Arc<Self>) {
        for p in read(&self.world).take_problems() {
            self.log(MessageType::WARNING, format!("marginalia: {p}"));
        }
        tokio::spawn(Arc::clone(self).sync_config_diagnostics());
    }

    /// Publishes a diagnostic on each `marginalia.toml` that could not be used (with a
    /// `window/showMessage` when it breaks), and clears it once the file loads again or is
    /// gone. Always pushed: the file is not an article, so no client pulls its diagnostics.
    async fn sync_config_diagnostics(self: Arc<Self>) {
        let mut published = self.config_published.lock().await;
        let status = read(&self.world).config_status();
        let enc = self.features().encoding;
        let mut changes: Vec<(PathBuf, Option<ConfigLoadError>)> = Vec::new();
        for (path, state) in &status {
            match state {
                Some(e) if published.get(path) != Some(e) => {
                    changes.push((path.clone(), Some(e.clone())));
                }
                None if published.contains_key(path) => changes.push((path.clone(), None)),
                _ => {}
            }
        }
        // Files this world has not met (yet): cleared when they are gone.
        for path in published.keys() {
            if !status.contains_key(path) && !path.is_file() {
                changes.push((path.clone(), None));
            }
        }
        for (path, error) in changes {
            let Some(uri) = workspace::path_uri(&path) else {
                continue;
            };
            match error {
                Some(e) => {
                    let newly_broken = !published.contains_key(&path);
                    let text = std::fs::read_to_string(&path).ok();
                    let diagnostic = crate::convert::config_diagnostic(&e, text.as_deref(), enc);
                    self.client
                        .publish_diagnostics(uri, vec![diagnostic], None)
                        .await;
                    if newly_broken {
                        self.client
                            .show_message(
                                MessageType::ERROR,
                                format!(
                                    "marginalia: {e}. The default configuration applies until the file is fixed."
                                ),
                            )
                            .await;
                    }
                    published.insert(path, e);
                }
                None => {
                    self.client.publish_diagnostics(uri, Vec::new(), None).await;
                    published.remove(&path);
                }
            }
        }
    }

    /// Asks the client to pull again what changed without an edit: diagnostics (from clients
    /// that pull them), inlay hints and semantic tokens (from clients that support it).
    fn refresh(self: &Arc<Self>, diagnostics: bool, inlay_hints: bool, semantic_tokens: bool) {
        let features = self.features();
        let diagnostics = diagnostics && features.pull_diagnostics;
        let inlay_hints = inlay_hints && features.inlay_hint_refresh;
        let semantic_tokens = semantic_tokens && features.semantic_tokens_refresh;
        if !(diagnostics || inlay_hints || semantic_tokens) {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            if diagnostics {
                let _ = client.workspace_diagnostic_refresh().await;
            }
            if inlay_hints {
                let _ = client.inlay_hint_refresh().await;
            }
            if semantic_tokens {
                let _ = client.semantic_tokens_refresh().await;
            }
        });
    }

    /// Analyses on the current thread (callers are blocking threads). Returns the snapshot
    /// and the text analysed, which it does not keep (see `documents`).
    fn analyse_now(
        &self,
        uri: Uri,
        version: Option<i32>,
        doc: marginalia_core::text::Document,
        cache: Option<Arc<Mutex<documents::DocCache>>>,
    ) -> (Snapshot, String) {
        let generation = self.generation.load(Ordering::SeqCst);
        let world = read(&self.world);
        let settings = read(&self.settings);
        let path = workspace::uri_path(&uri);
        let corpus = world.corpus_for(path.as_deref());
        let config = settings.apply(&corpus.loaded.config);
        documents::analyse(Job {
            uri,
            version,
            generation,
            doc,
            corpus,
            config,
            today: self.today(),
            analyser: self.options.analyser.as_ref(),
            cache,
        })
    }

    /// Analyses on a blocking thread. For a request, the snapshot keeps its text (the
    /// request's handler reads it); for the analysis loop, the text only serves to convert
    /// the diagnostics there and then: returned for publishing, or kept in the snapshot for
    /// clients that pull them. `stale`, the document's previous snapshot, is let go there
    /// first (freeing a 2 MB article's analysis can take tens of milliseconds: not under the
    /// documents' lock, nor on the runtime's threads).
    async fn analyse_async(
        self: &Arc<Self>,
        uri: Uri,
        version: Option<i32>,
        doc: marginalia_core::text::Document,
        stale: Option<Arc<Snapshot>>,
        cache: Option<Arc<Mutex<documents::DocCache>>>,
        for_request: bool,
    ) -> Option<(Arc<Snapshot>, Option<Converted>)> {
        let shared = Arc::clone(self);
        let shown = uri.as_str().to_string();
        let result = tokio::task::spawn_blocking(move || {
            drop(stale);
            let (snap, text) = shared.analyse_now(uri, version, doc, cache);
            let features = shared.features();
            let diagnostics = if for_request {
                snap.keep_text(text);
                None
            } else if features.pull_diagnostics {
                snap.keep_diagnostics(&text, features.encoding);
                None
            } else {
                Some(shared.convert(&snap, Some(&text), features.encoding))
            };
            (snap, diagnostics)
        })
        .await;
        self.log_world_problems();
        match result {
            Ok((s, d)) => Some((Arc::new(s), d)),
            Err(e) => {
                self.log(
                    MessageType::ERROR,
                    format!("marginalia: the analysis of {shown} failed: {e}"),
                );
                None
            }
        }
    }

    fn is_fresh(&self, snap: &Snapshot, version: i32) -> bool {
        snap.version == Some(version) && snap.generation == self.generation.load(Ordering::SeqCst)
    }

    /// Starts the document's analysis loop unless one is running (it will see the change).
    fn request_analysis(self: &Arc<Self>, uri: &Uri, od: &mut OpenDoc) {
        if od.analysis_pending {
            return;
        }
        od.analysis_pending = true;
        let shared = Arc::clone(self);
        let uri = uri.clone();
        tokio::spawn(async move { shared.analysis_loop(uri).await });
    }

    async fn analysis_loop(self: Arc<Self>, uri: Uri) {
        let mut leading = true;
        loop {
            if !leading {
                // Trailing edge: wait until the document has been quiet for the debounce.
                loop {
                    let wait = {
                        let docs = lock(&self.docs);
                        let Some(od) = docs.get(&uri) else { return };
                        let debounce = self.debounce(od);
                        od.last_change
                            .map(|t| (t + debounce).saturating_duration_since(Instant::now()))
                            .unwrap_or_default()
                    };
                    if wait.is_zero() {
                        break;
                    }
                    tokio::time::sleep(wait).await;
                }
            }
            leading = false;
            let Some(turn) = lock(&self.docs)
                .get(&uri)
                .map(|od| Arc::clone(&od.analysing))
            else {
                return;
            };
            let turn = turn.lock_owned().await;
            let (doc, version, cached, cache, stale) = {
                let mut docs = lock(&self.docs);
                let Some(od) = docs.get_mut(&uri) else { return };
                let cached = od.snapshot.clone().filter(|s| self.is_fresh(s, od.version));
                let mut stale = None;
                if cached.is_none() {
                    // The stale analysis goes before the new one is made, not after: both at
                    // once would be the session's peak (a 2 MB article's analysis is several
                    // MB). Until the new one is stored, workspace-wide features do without
                    // this document, as after `didOpen`.
                    stale = od.snapshot.take();
                }
                let doc = od.doc.clone();
                (doc, od.version, cached, Arc::clone(&od.cache), stale)
            };
            let analysed = match cached {
                Some(s) => Some((s, None)),
                None => {
                    let cache = Some(cache);
                    self.analyse_async(uri.clone(), Some(version), doc, stale, cache, false)
                        .await
                }
            };
            let analysed_generation = analysed.as_ref().map(|(s, _)| s.generation);
            if let Some((snap, diagnostics)) = analysed {
                self.store_and_publish(snap, diagnostics).await;
            }
            drop(turn);
            let mut docs = lock(&self.docs);
            let Some(od) = docs.get_mut(&uri) else { return };
            // Done when nothing changed meanwhile; a failed analysis is not retried in a loop.
            let current = self.generation.load(Ordering::SeqCst);
            if analysed_generation.is_none_or(|g| od.version == version && g == current) {
                od.analysis_pending = false;
                return;
            }
        }
    }

    /// Stores a snapshot of an open document and publishes its diagnostics (to clients that
    /// do not pull them; `diagnostics` when converted already), unless a newer version exists
    /// (then the result is dropped).
    async fn store_and_publish(
        self: &Arc<Self>,
        snap: Arc<Snapshot>,
        diagnostics: Option<Converted>,
    ) {
        let _guard = self.publish_lock.lock().await;
        let Some(version) = snap.version else { return };
        let snap = {
            let mut docs = lock(&self.docs);
            let Some(od) = docs.get_mut(&snap.uri) else {
                return;
            };
            od.debounce_ms = Some(snap.config.editor.debounce_ms);
            if !self.is_fresh(&snap, od.version) {
                return;
            }
            if od.published == Some((version, snap.generation)) {
                return;
            }
            od.published = Some((version, snap.generation));
            self.keep_first(od, snap)
        };
        let features = self.features();
        if features.pull_diagnostics {
            return;
        }
        let enc = features.encoding;
        let converted = diagnostics.unwrap_or_else(|| self.convert(&snap, None, enc));
        let uri = snap.uri.clone();
        drop(snap);
        self.publish_converted(uri, converted, Some(version)).await;
    }

    /// The snapshot of the current version of a document (analysing it now if the cached one
    /// is stale), or of an indexed article on disk.
    async fn snapshot(self: &Arc<Self>, uri: &Uri) -> Result<Arc<Snapshot>> {
        let turn = {
            let docs = lock(&self.docs);
            match docs.get(uri) {
                Some(od) => match self.fresh_snapshot(od) {
                    Some(s) => return Ok(s),
                    None => Arc::clone(&od.analysing),
                },
                None => {
                    drop(docs);
                    return self.indexed(uri);
                }
            }
        };
        // An analysis running now is likely of this very version: its snapshot is awaited.
        let _turn = turn.lock().await;
        let (doc, version, cache, stale) = {
            let mut docs = lock(&self.docs);
            let Some(od) = docs.get_mut(uri) else {
                drop(docs);
                return self.indexed(uri); // closed meanwhile
            };
            if let Some(s) = self.fresh_snapshot(od) {
                return Ok(s);
            }
            // As in `analysis_loop`: the stale analysis goes before the new one is made.
            let stale = od.snapshot.take();
            (od.doc.clone(), od.version, Arc::clone(&od.cache), stale)
        };
        let (snap, _) = self
            .analyse_async(uri.clone(), Some(version), doc, stale, Some(cache), true)
            .await
            .ok_or_else(Error::internal_error)?;
        let mut docs = lock(&self.docs);
        match docs.get_mut(uri) {
            Some(od) if self.is_fresh(&snap, od.version) => {
                od.debounce_ms = Some(snap.config.editor.debounce_ms);
                Ok(self.keep_first(od, snap))
            }
            _ => Ok(snap),
        }
    }

    fn indexed(&self, uri: &Uri) -> Result<Arc<Snapshot>> {
        lock(&self.index)
            .get(uri)
            .cloned()
            .ok_or_else(|| unknown_document(uri))
    }

    fn fresh_snapshot(&self, od: &OpenDoc) -> Option<Arc<Snapshot>> {
        od.snapshot
            .as_ref()
            .filter(|s| self.is_fresh(s, od.version))
            .map(Arc::clone)
    }

    /// Stores a fresh snapshot of a document unless one of the same version and generation is
    /// there already (a pull and the analysis loop may both analyse it): then that one stays,
    /// so the `resultId` a client holds does not change for the same results. Returns the
    /// stored one.
    fn keep_first(&self, od: &mut OpenDoc, snap: Arc<Snapshot>) -> Arc<Snapshot> {
        match &od.snapshot {
            Some(old) if self.is_fresh(old, od.version) => Arc::clone(old),
            _ => {
                od.snapshot = Some(Arc::clone(&snap));
                snap
            }
        }
    }

    /// Every article known: open documents (their latest analysis) and indexed files.
    fn all_snapshots(&self) -> Vec<Arc<Snapshot>> {
        let mut out: Vec<Arc<Snapshot>> = Vec::new();
        let open: Vec<(Uri, Option<Arc<Snapshot>>)> = lock(&self.docs)
            .iter()
            .map(|(u, od)| (u.clone(), od.snapshot.clone()))
            .collect();
        let index = lock(&self.index);
        for (uri, snap) in index.iter() {
            if !open.iter().any(|(u, _)| u == uri) {
                out.push(Arc::clone(snap));
            }
        }
        drop(index);
        out.extend(open.into_iter().filter_map(|(_, s)| s));
        out.sort_by(|a, b| a.uri.as_str().cmp(b.uri.as_str()));
        out
    }

    /// Settings or the world changed: every open document is analysed again.
    fn invalidate(self: &Arc<Self>) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let mut docs = lock(&self.docs);
        let uris: Vec<Uri> = docs.keys().cloned().collect();
        for uri in uris {
            if let Some(od) = docs.get_mut(&uri) {
                self.request_analysis(&uri, od);
            }
        }
    }

    fn apply_settings(self: &Arc<Self>, value: &Value) {
        let (settings, problems) = Settings::from_json(value);
        for p in problems {
            self.log(MessageType::WARNING, format!("marginalia: {p}"));
        }
        let old = read(&self.settings);
        if *old == settings {
            return;
        }
        let hints_changed = old.inlay_hints != settings.inlay_hints;
        let severity_changed = old.severity != settings.severity;
        write(&self.settings, Arc::new(settings));
        // Open documents are analysed again: at once for pushing clients, on their next pull
        // (which the refresh asks for) for pulling ones.
        self.invalidate();
        self.refresh(severity_changed, hints_changed, false);
        if severity_changed && self.features().pull_diagnostics {
            // The workspace diagnostics of articles that are not open change too.
            self.start_indexing();
        }
    }

    /// Asks the client for the `marginalia` settings section (spawned: never awaited inside a
    /// notification handler).
    fn pull_settings(self: &Arc<Self>) {
        if !self.features().configuration {
            return;
        }
        let shared = Arc::clone(self);
        tokio::spawn(async move {
            let items = vec![ConfigurationItem {
                scope_uri: None,
                section: Some("marginalia".into()),
            }];
            match shared.client.configuration(items).await {
                Ok(values) => {
                    if let Some(v) = values.first().filter(|v| !v.is_null()) {
                        shared.apply_settings(v);
                    }
                }
                Err(e) => shared.log(
                    MessageType::WARNING,
                    format!("marginalia: workspace/configuration failed: {e}"),
                ),
            }
        });
    }

    /// Reloads configurations and gazetteers from disk and re-analyses everything.
    fn reload_world(self: &Arc<Self>) {
        write(
            &self.world,
            Arc::new(World::new(self.options.gazetteer.clone())),
        );
        self.invalidate();
        self.refresh(true, true, true);
        self.start_indexing();
        self.log_world_problems();
    }

    fn start_indexing(self: &Arc<Self>) {
        let shared = Arc::clone(self);
        let task = tokio::spawn(async move { shared.index_workspace().await });
        if let Some(old) = lock(&self.index_task).replace(task) {
            old.abort();
        }
    }

    async fn index_workspace(self: Arc<Self>) {
        let roots = read(&self.roots);
        if roots.is_empty() {
            return;
        }
        let features = self.features();
        let world = read(&self.world);
        let progress = if features.work_done_progress {
            let token = NumberOrString::String(format!(
                "marginalia/index/{}",
                self.generation.load(Ordering::SeqCst)
            ));
            let created = self
                .client
                .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: token.clone(),
                })
                .await;
            match created {
                Ok(()) => Some(
                    self.client
                        .progress(token, "marginalia: indexing articles")
                        .with_percentage(0)
                        .begin()
                        .await,
                ),
                Err(_) => None,
            }
        } else {
            None
        };
        let walk_world = Arc::clone(&world);
        let walked = tokio::task::spawn_blocking(move || {
            marginalia_workspace::walk::collect(&roots, walk_world.configs())
        })
        .await;
        let targets = match walked {
            Ok(Ok(w)) => w.targets,
            Ok(Err(e)) => {
                if let marginalia_workspace::walk::WalkError::Config(e) = &e {
                    // Also shown on the file, by `log_world_problems` below.
                    world.record_config_error(e);
                }
                self.log(
                    MessageType::WARNING,
                    format!("marginalia: cannot index the workspace: {e}"),
                );
                Vec::new()
            }
            Err(e) => {
                self.log(
                    MessageType::ERROR,
                    format!("marginalia: indexing failed: {e}"),
                );
                Vec::new()
            }
        };
        let total = targets.len();
        let mut fresh: HashMap<Uri, Arc<Snapshot>> = HashMap::new();
        for (i, target) in targets.into_iter().enumerate() {
            let Some(uri) = workspace::path_uri(&target.path) else {
                continue;
            };
            if let Some(snap) = self.index_file(uri.clone(), target.path).await {
                lock(&self.index).insert(uri.clone(), Arc::clone(&snap));
                fresh.insert(uri, snap);
            }
            if let Some(p) = &progress {
                if i % 16 == 0 {
                    let pct = ((i * 100) / total.max(1)) as u32;
                    p.report_with_message(format!("{i}/{total} articles"), pct)
                        .await;
                }
            }
        }
        // Files that are no longer articles (deleted, excluded) leave the index.
        lock(&self.index).retain(|uri, _| fresh.contains_key(uri));
        self.log_world_problems();
        if let Some(p) = progress {
            p.finish_with_message(format!("{total} articles indexed"))
                .await;
        }
        if features.pull_diagnostics {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    /// Reads and analyses one article on disk.
    async fn index_file(self: &Arc<Self>, uri: Uri, path: PathBuf) -> Option<Arc<Snapshot>> {
        let shared = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || {
            let world = read(&shared.world);
            let corpus = world.corpus_for(Some(&path));
            let config = read(&shared.settings).apply(&corpus.loaded.config);
            let generation = shared.generation.load(Ordering::SeqCst);
            match marginalia_workspace::files::read_article(&path, config.limits.max_file_size) {
                Ok(text) => {
                    let doc = marginalia_core::text::Document::new(&text);
                    drop(text);
                    shared.analyse_now(uri, None, doc, None).0
                }
                Err(problem) => documents::problem_snapshot(
                    uri,
                    generation,
                    corpus,
                    config,
                    problem.finding,
                    problem.shown_text,
                ),
            }
        })
        .await;
        result.ok().map(Arc::new)
    }

    async fn on_watched_files(self: Arc<Self>, changes: Vec<FileEvent>) {
        let world = read(&self.world);
        let mut reload = false;
        let mut files: Vec<(Uri, PathBuf, FileChangeType)> = Vec::new();
        for change in changes {
            let Some(path) = workspace::uri_path(&change.uri) else {
                continue;
            };
            if world.depends_on(&path) {
                reload = true;
            } else {
                files.push((change.uri, path, change.typ));
            }
        }
        if reload {
            self.log(
                MessageType::INFO,
                "marginalia: configuration or gazetteer changed; reloading".into(),
            );
            self.reload_world();
            return;
        }
        let mut indexed = false;
        for (uri, path, typ) in files {
            if lock(&self.docs).contains_key(&uri) {
                continue; // the editor's copy wins
            }
            if typ == FileChangeType::DELETED {
                indexed |= lock(&self.index).remove(&uri).is_some();
                continue;
            }
            let is_article = {
                let p = path.clone();
                let w = Arc::clone(&world);
                tokio::task::spawn_blocking(move || {
                    let corpus = w.corpus_for(Some(&p));
                    match &corpus.selection {
                        Some(s) => match s.decide(&p) {
                            marginalia_workspace::files::Decision::Article => true,
                            marginalia_workspace::files::Decision::NotArticle => false,
                            marginalia_workspace::files::Decision::IfFrontMatter => {
                                marginalia_workspace::files::sniff_front_matter(&p)
                            }
                        },
                        None => false,
                    }
                })
                .await
                .unwrap_or(false)
            };
            if !is_article {
                indexed |= lock(&self.index).remove(&uri).is_some();
                continue;
            }
            if let Some(snap) = self.index_file(uri.clone(), path).await {
                lock(&self.index).insert(uri, snap);
                indexed = true;
            }
        }
        if indexed {
            // The workspace diagnostics changed.
            self.refresh(true, false, false);
        }
        self.log_world_problems();
    }

    async fn register_watchers(self: Arc<Self>) {
        let watchers = [
            "**/marginalia.toml",
            "**/*.toml",
            "**/*.json",
            "**/*.zip",
            "**/*.md",
            "**/*.txt",
        ]
        .into_iter()
        .map(|g| FileSystemWatcher {
            glob_pattern: GlobPattern::String(g.into()),
            kind: None,
        })
        .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "marginalia-watched-files".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            self.log(
                MessageType::WARNING,
                format!("marginalia: cannot watch files: {e}"),
            );
        }
    }
}

/// The result tower-lsp-server converts in place of a `textDocument/diagnostic` report the
/// transport writes itself (see `Outbox::prepare`): the key as its `resultId`.
fn document_placeholder(key: String) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Unchanged(
        RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                result_id: key,
            },
        },
    ))
}

/// [`document_placeholder`] for `workspace/diagnostic`: one item with the key as its
/// `resultId` (and [`PLACEHOLDER_URI`]).
fn workspace_placeholder(uri: Uri, key: String) -> WorkspaceDiagnosticReportResult {
    let item = WorkspaceUnchangedDocumentDiagnosticReport {
        uri,
        version: None,
        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id: key },
    };
    WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport {
        items: vec![WorkspaceDocumentDiagnosticReport::Unchanged(item)],
    })
}

const PLACEHOLDER_URI: &str = "marginalia:prepared";

impl Backend {
    pub fn shared(&self) -> Arc<Shared> {
        Arc::clone(&self.shared)
    }

    async fn document_state(&self, params: DocumentStateParams) -> Result<DocumentState> {
        let docs = lock(&self.shared.docs);
        let od = docs
            .get(&params.text_document.uri)
            .ok_or_else(|| unknown_document(&params.text_document.uri))?;
        Ok(DocumentState {
            version: od.version,
            text: od.doc.text(),
            analysed_version: od.snapshot.as_ref().and_then(|s| s.version),
        })
    }

    /// A malformed message, replaced by the input pump: answered with its error.
    async fn invalid_message(&self, params: crate::transport::InvalidMessage) -> Result<Value> {
        Err(Error {
            code: ErrorCode::from(params.code),
            message: params.message.into(),
            data: None,
        })
    }

    async fn view<T>(&self, uri: &Uri, f: impl FnOnce(&View) -> T) -> Result<T> {
        let snap = self.shared.snapshot(uri).await?;
        let features = self.shared.features();
        let view = View {
            snap: &snap,
            enc: features.encoding,
            features: &features,
        };
        Ok(f(&view))
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let features = ClientFeatures::from_params(&params);
        let capabilities = capabilities::server_capabilities(&features);
        write(&self.shared.features, Arc::new(features));
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| workspace::uri_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            if let Some(p) = params.root_uri.as_ref().and_then(workspace::uri_path) {
                roots.push(p);
            } else if let Some(p) = &params.root_path {
                roots.push(PathBuf::from(p));
            }
        }
        write(&self.shared.roots, roots);
        if let Some(options) = &params.initialization_options {
            let (settings, _) = Settings::from_json(options);
            write(&self.shared.settings, Arc::new(settings));
        }
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "marginalia".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let shared = self.shared();
        let features = shared.features();
        if features.watch_registration {
            tokio::spawn(Arc::clone(&shared).register_watchers());
        }
        shared.pull_settings();
        shared.start_indexing();
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        if let Some(task) = lock(&self.shared.index_task).take() {
            task.abort();
        }
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let shared = &self.shared;
        let td = params.text_document;
        let mut docs = lock(&shared.docs);
        let od = docs
            .entry(td.uri.clone())
            .or_insert_with(|| OpenDoc::new(td.version));
        od.doc = marginalia_core::text::Document::new(&td.text);
        od.version = td.version;
        od.snapshot = None;
        od.published = None;
        shared.request_analysis(&td.uri, od);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let shared = &self.shared;
        let enc = shared.features().encoding;
        let uri = params.text_document.uri;
        let mut docs = lock(&shared.docs);
        let Some(od) = docs.get_mut(&uri) else {
            drop(docs);
            shared.log(
                MessageType::WARNING,
                format!(
                    "marginalia: didChange for {} which is not open; ignored",
                    uri.as_str()
                ),
            );
            return;
        };
        for change in &params.content_changes {
            let range = change.range.map(|r| {
                (
                    crate::convert::core_position(r.start),
                    crate::convert::core_position(r.end),
                )
            });
            if let Err(e) = od.doc.apply_change(range, &change.text, enc) {
                shared.log(
                    MessageType::ERROR,
                    format!("marginalia: a change to {} was refused ({e}); the document may be out of sync", uri.as_str()),
                );
            }
        }
        od.version = params.text_document.version;
        od.last_change = Some(Instant::now());
        shared.request_analysis(&uri, od);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let shared = self.shared();
        let uri = params.text_document.uri;
        let was_open = lock(&shared.docs).remove(&uri).is_some();
        if !was_open {
            return;
        }
        tokio::spawn(async move {
            // A pulling client forgets the diagnostics of closed documents itself.
            if !shared.features().pull_diagnostics {
                let _guard = shared.publish_lock.lock().await;
                if !lock(&shared.docs).contains_key(&uri) {
                    shared.publish(uri.clone(), Vec::new(), None).await;
                }
            }
            // The file on disk is what the index holds again.
            if let Some(path) = workspace::uri_path(&uri) {
                if path.is_file() {
                    let s = Arc::clone(&shared);
                    s.on_watched_files(vec![FileEvent::new(uri, FileChangeType::CHANGED)])
                        .await;
                }
            }
        });
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = params.settings;
        let has_section = settings.get("marginalia").is_some_and(|v| v.is_object())
            || settings.as_object().is_some_and(|o| {
                o.contains_key("severity")
                    || o.contains_key("inlayHints")
                    || o.contains_key("debounceMs")
            });
        if has_section {
            self.shared.apply_settings(&settings);
        } else {
            self.shared.pull_settings();
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        tokio::spawn(self.shared().on_watched_files(params.changes));
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut roots = read(&self.shared.roots);
        for removed in &params.event.removed {
            if let Some(p) = workspace::uri_path(&removed.uri) {
                roots.retain(|r| *r != p);
            }
        }
        for added in &params.event.added {
            if let Some(p) = workspace::uri_path(&added.uri) {
                if !roots.contains(&p) {
                    roots.push(p);
                }
            }
        }
        write(&self.shared.roots, roots);
        self.shared.start_indexing();
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let previous = params.previous_result_id;
        let outbox = self.shared.outbox.get();
        self.view(&uri, |v| {
            let report = handlers::diagnostics::document(v, previous.as_deref());
            // Written by the transport from the report itself (see `Outbox::prepare`).
            match outbox.map(|o| o.prepare(&report.json())) {
                Some(key) => document_placeholder(key),
                None => report.to_lsp(),
            }
        })
        .await
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let snaps = self.shared.all_snapshots();
        let enc = self.shared.features().encoding;
        let report = handlers::diagnostics::workspace(&snaps, &params.previous_result_ids, enc);
        // Written by the transport from the report itself (see `Outbox::prepare`).
        let prepared = match (self.shared.outbox.get(), PLACEHOLDER_URI.parse::<Uri>()) {
            (Some(outbox), Ok(uri)) => Some((uri, outbox.prepare(&report.json()))),
            _ => None,
        };
        Ok(match prepared {
            Some((uri, key)) => workspace_placeholder(uri, key),
            None => report.to_lsp(),
        })
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        let all = self.shared.all_snapshots();
        self.view(&p.text_document.uri, |v| {
            handlers::hover::hover(v, p.position, &all)
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.view(&p.text_document.uri, |v| {
            handlers::completion::complete(v, p.position)
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let today = self.shared.today();
        let uri = params.text_document.uri.clone();
        self.view(&uri, |v| {
            Some(handlers::code_action::actions(v, &params, today))
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.view(&params.text_document.uri, |v| {
            Some(SemanticTokensResult::Tokens(
                handlers::semantic_tokens::tokens(v, None),
            ))
        })
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        self.view(&params.text_document.uri, |v| {
            Some(SemanticTokensRangeResult::Tokens(
                handlers::semantic_tokens::tokens(v, Some(params.range)),
            ))
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.view(&params.text_document.uri, |v| {
            Some(handlers::inlay_hints::hints(v, params.range))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.view(&params.text_document.uri, |v| {
            Some(handlers::symbols::document(v))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<OneOf<Vec<SymbolInformation>, Vec<WorkspaceSymbol>>>> {
        let snaps = self.shared.all_snapshots();
        let enc = self.shared.features().encoding;
        Ok(Some(OneOf::Left(handlers::symbols::workspace(
            &snaps,
            &params.query,
            enc,
        ))))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.view(&p.text_document.uri, |v| {
            handlers::navigation::definition(v, p.position)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let all = self.shared.all_snapshots();
        let include = params.context.include_declaration;
        self.view(&p.text_document.uri, |v| {
            handlers::navigation::references(v, p.position, &all, include)
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.view(&params.text_document.uri, |v| {
            Some(handlers::links::links(v))
        })
        .await
    }
}

impl OpenDoc {
    pub fn new(version: i32) -> OpenDoc {
        OpenDoc {
            doc: marginalia_core::text::Document::default(),
            version,
            last_change: None,
            snapshot: None,
            debounce_ms: None,
            published: None,
            analysis_pending: false,
            cache: Arc::default(),
            analysing: Arc::default(),
        }
    }
}
