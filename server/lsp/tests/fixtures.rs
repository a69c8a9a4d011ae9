//! For every fixture article, the language server's diagnostics are the findings
//! `marginalia_core::analyse` gives for the file (the pipeline `marginalia check` runs), with
//! the same codes, ranges and messages: pushed for an open document, and pulled through
//! `workspace/diagnostic` after the background index has read the folder from disk (with
//! `$/progress`), which also covers files that cannot be read as text.

mod common;
use common::*;
use marginalia_core::calendar::Date;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::text::{Document, Encoding};
use marginalia_lsp::ServerOptions;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tower_lsp_server::lsp_types::Uri;
use tower_lsp_server::UriExt;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/articles")
        .canonicalize()
        .expect("fixtures/articles")
}

fn today() -> Date {
    Date::new(2026, 1, 1).unwrap()
}

/// (code, range in UTF-16, message) of what `analyse` finds in a file, read as the CLI reads it.
fn expected(path: &Path) -> Vec<Value> {
    let loaded = marginalia_workspace::config::for_path(path).expect("config");
    let gazetteer = if loaded.config.gazetteer.no_default {
        Gazetteer::default()
    } else {
        Gazetteer::embedded().clone()
    };
    let (text, findings) =
        match marginalia_workspace::files::read_article(path, loaded.config.limits.max_file_size) {
            Ok(text) => {
                let ctx = marginalia_core::Context {
                    gazetteer: &gazetteer,
                    config: &loaded.config,
                    dct: None,
                    today: Some(today()),
                };
                let findings = marginalia_core::analyse(&text, &ctx).findings;
                (text, findings)
            }
            Err(problem) => (problem.shown_text, vec![problem.finding]),
        };
    let doc = Document::new(&text);
    findings
        .iter()
        .map(|f| {
            let s = doc.position(f.span.start, Encoding::Utf16);
            let e = doc.position(f.span.end, Encoding::Utf16);
            json!({
                "code": f.code,
                "range": {"start": {"line": s.line, "character": s.character}, "end": {"line": e.line, "character": e.character}},
                "message": f.message,
            })
        })
        .collect()
}

fn summary(diagnostics: &Value) -> Vec<Value> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| json!({"code": d["code"], "range": d["range"], "message": d["message"]}))
        .collect()
}

fn options() -> ServerOptions {
    ServerOptions {
        gazetteer: None,
        today: Some(today()),
        analyser: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_fixtures_get_the_findings_of_the_pipeline() {
    let (mut c, _) = TestClient::start(options(), init_params(None)).await;
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if !path.extension().is_some_and(|e| e == "md" || e == "txt") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not UTF-8: an editor cannot send it as is; the index test covers it
        };
        let uri = Uri::from_file_path(&path).unwrap();
        c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}})).await;
        let pushed = c
            .wait_for_within(Duration::from_secs(60), |m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri)
            })
            .await;
        assert_eq!(
            summary(&pushed["params"]["diagnostics"]),
            expected(&path),
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} fixtures");
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_indexed_workspace_reports_every_fixture_like_the_pipeline() {
    let root = fixtures();
    let mut init = init_params(None);
    init["capabilities"]["window"] = json!({"workDoneProgress": true});
    init["rootUri"] = json!(Uri::from_file_path(&root).unwrap());
    let (mut c, _) = TestClient::start(options(), init).await;
    // Indexing reports progress from begin to end.
    let begin = c
        .wait_for_within(Duration::from_secs(60), |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin"
        })
        .await;
    assert_eq!(
        begin["params"]["value"]["title"],
        "marginalia: indexing articles"
    );
    let end = c
        .wait_for_within(Duration::from_secs(120), |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        })
        .await;
    assert!(c
        .server_requests
        .lock()
        .unwrap()
        .iter()
        .any(|(m, _)| m == "window/workDoneProgress/create"));

    let report = c
        .call("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    let items = report["items"].as_array().unwrap();
    // The articles are what the CLI's walk selects.
    let configs = marginalia_workspace::config::ConfigCache::new();
    let paths: Vec<PathBuf> =
        marginalia_workspace::walk::collect(std::slice::from_ref(&root), &configs)
            .unwrap()
            .targets
            .into_iter()
            .map(|t| t.path)
            .collect();
    assert_eq!(items.len(), paths.len(), "{end}");
    for path in paths {
        let uri = Uri::from_file_path(&path).unwrap();
        let item = items
            .iter()
            .find(|i| i["uri"] == json!(uri))
            .unwrap_or_else(|| panic!("{} not indexed", path.display()));
        assert_eq!(item["kind"], "full");
        assert_eq!(
            summary(&item["items"]),
            expected(&path),
            "{}",
            path.display()
        );
    }
    assert_eq!(c.shutdown_exit().await, 0);
}
