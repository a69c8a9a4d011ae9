//! Diagnostics reach each client one way, never both (a client shows pushed and pulled ones
//! side by side, so both would be duplicates):
//!
//! - a client that pulls and can be asked to pull again (VS Code) is offered pulling, gets no
//!   `publishDiagnostics` for articles, and gets `workspace/diagnostic/refresh` when settings
//!   change the results;
//! - a client that can pull but cannot be asked to pull again (Neovim 0.11) is not offered
//!   pulling and gets every change pushed, with the document version;
//! - a broken `marginalia.toml` is pushed to every client as a diagnostic on the file itself
//!   (with one `window/showMessage`), and cleared once the file is fixed.

mod common;
use common::*;
use marginalia_core::analysis::{Analysis, Context};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::lsp_types::Uri;
use tower_lsp_server::UriExt;

const URI: &str = "file:///nonexistent/articles/models.md";
const TEXT: &str = "---\npublished: 2019-10-16\npublsihed: x\n---\nThey met on October 15th.\n";
const FIXED: &str = "---\npublished: 2019-10-16\nlanguage: en\n---\nThey met on October 15th.\n";

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

#[track_caller]
fn same(actual: &Value, expected: &Value) {
    assert!(
        actual == expected,
        "\nactual:\n{}\nexpected:\n{}",
        serde_json::to_string(actual).unwrap(),
        serde_json::to_string(expected).unwrap()
    );
}

/// The MA0104 diagnostic of `TEXT` (the misspelt `publsihed`), at `version`.
fn ma0104(version: i64, severity: i64) -> Value {
    json!({
        "range": range(2, 0, 2, 9),
        "severity": severity,
        "code": "MA0104",
        "codeDescription": {"href": "https://github.com/marginalia-annotations/marginalia/blob/main/docs/findings.md#ma0104"},
        "source": "marginalia",
        "message": "unknown top-level key `publsihed`; did you mean `published`?",
        "data": {"version": version, "fixes": [{"title": "Rename to `published`", "safe": true, "edits": [{"range": range(2, 0, 2, 9), "newText": "published"}]}]}
    })
}

async fn pull(c: &mut TestClient, uri: &str, previous: Option<&Value>) -> Value {
    let mut params = json!({"identifier": "marginalia", "textDocument": {"uri": uri}});
    if let Some(id) = previous {
        params["previousResultId"] = id.clone();
    }
    c.call("textDocument/diagnostic", params).await
}

/// Lets background work (analyses, publications) finish before checking what was not sent.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(500)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_pulls_gets_no_pushes_and_refreshes_after_settings_change() {
    let mut init = pull_init_params(None);
    init["initializationOptions"] = json!({"debounceMs": 0});
    let (mut c, init) = TestClient::start(test_options(), init).await;
    same(
        &init["capabilities"]["diagnosticProvider"],
        &json!({"identifier": "marginalia", "interFileDependencies": false, "workspaceDiagnostics": true}),
    );
    c.open(URI, TEXT).await;
    let first = pull(&mut c, URI, None).await;
    let id1 = first["resultId"].clone();
    same(
        &first,
        &json!({"kind": "full", "resultId": id1, "items": [ma0104(1, 2)]}),
    );
    same(
        &pull(&mut c, URI, Some(&id1)).await,
        &json!({"kind": "unchanged", "resultId": id1}),
    );

    // A severity override: the server asks the client to pull again, and the pull has it.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"marginalia": {"severity": {"MA0104": "error"}}}}),
    )
    .await;
    assert_eq!(
        c.wait_for_server_requests(2).await,
        ["workspace/configuration", "workspace/diagnostic/refresh"]
    );
    let second = pull(&mut c, URI, Some(&id1)).await;
    let id2 = second["resultId"].clone();
    assert_ne!(id2, id1);
    same(
        &second,
        &json!({"kind": "full", "resultId": id2, "items": [ma0104(1, 1)]}),
    );

    // Inlay hints switched off: their refresh, not the diagnostics' (no finding changed).
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"marginalia": {"severity": {"MA0104": "error"}, "inlayHints": false}}}),
    )
    .await;
    assert_eq!(
        c.wait_for_server_requests(3).await,
        [
            "workspace/configuration",
            "workspace/diagnostic/refresh",
            "workspace/inlayHint/refresh"
        ]
    );

    // An edit: the client pulls after its change, as it does after didOpen.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    )
    .await;
    let third = pull(&mut c, URI, Some(&id2)).await;
    same(
        &third,
        &json!({"kind": "full", "resultId": third["resultId"], "items": []}),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    )
    .await;

    settle().await;
    same(
        &json!(c.drain("textDocument/publishDiagnostics")),
        &json!([]),
    );
    assert_eq!(c.server_request_methods().len(), 3);
    assert_eq!(c.shutdown_exit().await, 0);
}

/// A pull right after an edit, while the server analyses the new version: the pull waits for
/// that analysis instead of running a second one of the same text (two analyses of a large
/// article at once were the session's peak memory).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_during_the_analysis_of_its_version_waits_for_it() {
    const SLOW: &str =
        "---\npublished: 2019-10-16\npublsihed: x\n---\nThey met on October 15th. (slow)\n";
    let runs = Arc::new(AtomicUsize::new(0));
    let mut options = test_options();
    let (inner, counted) = (test_analyser(), Arc::clone(&runs));
    options.analyser = Some(Arc::new(move |text: &str, ctx: &Context| -> Analysis {
        if text.contains("(slow)") {
            counted.fetch_add(1, Ordering::SeqCst);
            // Long enough for the pull to arrive while this analysis runs.
            std::thread::sleep(Duration::from_millis(300));
        }
        inner(text, ctx)
    }));
    let mut init = pull_init_params(None);
    init["initializationOptions"] = json!({"debounceMs": 0});
    let (mut c, _) = TestClient::start(options, init).await;
    c.open(URI, TEXT).await;
    let first = pull(&mut c, URI, None).await;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": SLOW}]}),
    )
    .await;
    let second = pull(&mut c, URI, Some(&first["resultId"])).await;
    same(
        &second,
        &json!({"kind": "full", "resultId": second["resultId"], "items": [ma0104(2, 2)]}),
    );
    settle().await;
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "version 2 was analysed more than once"
    );
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_cannot_be_asked_to_pull_again_gets_every_change_pushed() {
    let mut init = nvim_011_init_params(None);
    init["initializationOptions"] = json!({"debounceMs": 0});
    let (mut c, init) = TestClient::start(test_options(), init).await;
    // Not offered: Neovim would pull after its edits and show both sets.
    same(&init["capabilities"]["diagnosticProvider"], &Value::Null);
    c.open(URI, TEXT).await;
    same(
        &c.diagnostics(URI, 1).await,
        &json!({"uri": URI, "version": 1, "diagnostics": [ma0104(1, 2)]}),
    );

    // Settings reach it without an edit, by a new publication of the same version.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"marginalia": {"severity": {"MA0104": "error"}}}}),
    )
    .await;
    let d = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["diagnostics"][0]["severity"] == 1
        })
        .await;
    same(
        &d["params"],
        &json!({"uri": URI, "version": 1, "diagnostics": [ma0104(1, 1)]}),
    );

    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    )
    .await;
    same(
        &c.diagnostics(URI, 2).await,
        &json!({"uri": URI, "version": 2, "diagnostics": []}),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    )
    .await;
    let cleared = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"].is_null()
        })
        .await;
    same(&cleared["params"], &json!({"uri": URI, "diagnostics": []}));
    // It was never asked to pull.
    settle().await;
    assert_eq!(c.server_request_methods(), ["workspace/configuration"]);
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_marginalia_toml_is_a_diagnostic_on_the_file_until_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("articles")).unwrap();
    let config = root.join("marginalia.toml");
    std::fs::write(&config, "# 語料庫\n[severity]\nMA0104 = \"loud\"\n").unwrap();
    let article = root.join("articles/a.md");
    std::fs::write(&article, TEXT).unwrap();

    // VS Code's capabilities: article diagnostics are pulled, the configuration's pushed.
    let mut init = pull_init_params(None);
    init["rootUri"] = json!(Uri::from_file_path(&root).unwrap());
    init["capabilities"]["workspace"]["didChangeWatchedFiles"] =
        json!({"dynamicRegistration": true});
    let (mut c, _) = TestClient::start(test_options(), init).await;
    let a = Uri::from_file_path(&article).unwrap();
    let toml = Uri::from_file_path(&config).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": a, "languageId": "markdown", "version": 1, "text": TEXT}}),
    )
    .await;

    let broken = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(toml)
        })
        .await;
    same(
        &broken["params"],
        &json!({"uri": toml, "diagnostics": [{
            "range": range(2, 0, 2, 6),
            "severity": 1,
            "source": "marginalia",
            "message": "`loud` is not a severity (error, warning, info, hint or off); marginalia uses the default configuration until this is fixed"
        }]}),
    );
    let shown = c.wait_for(|m| m["method"] == "window/showMessage").await;
    same(
        &shown["params"],
        &json!({"type": 1, "message": format!(
            "marginalia: {}:3: `loud` is not a severity (error, warning, info, hint or off). The default configuration applies until the file is fixed.",
            config.display()
        )}),
    );
    // Meanwhile the article is checked with the defaults.
    same(
        &pull(&mut c, a.as_str(), None).await["items"],
        &json!([ma0104(1, 2)]),
    );

    // Fixed (MA0104 off): the watcher reports it, the diagnostic goes, the article follows.
    std::fs::write(&config, "# 語料庫\n[severity]\nMA0104 = \"off\"\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": toml, "type": 2}]}),
    )
    .await;
    let cleared = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == json!(toml)
                && m["params"]["diagnostics"] == json!([])
        })
        .await;
    same(&cleared["params"], &json!({"uri": toml, "diagnostics": []}));
    same(&pull(&mut c, a.as_str(), None).await["items"], &json!([]));

    // One message for the breakage, however many analyses met it; the article was never pushed.
    settle().await;
    same(&json!(c.drain("window/showMessage")), &json!([]));
    same(
        &json!(c
            .drain("textDocument/publishDiagnostics")
            .iter()
            .filter(|m| m["params"]["uri"] != json!(toml))
            .collect::<Vec<_>>()),
        &json!([]),
    );
    assert_eq!(c.shutdown_exit().await, 0);
}
