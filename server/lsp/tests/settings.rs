//! Live configuration: `workspace/configuration` settings (severity overrides, inlay hints,
//! debounce) apply without a restart; `marginalia.toml` changes reported through
//! `didChangeWatchedFiles` reload the configuration; files that are not articles get nothing.

mod common;
use common::*;
use serde_json::{json, Value};
use tower_lsp_server::lsp_types::Uri;
use tower_lsp_server::UriExt;

const URI: &str = "file:///nonexistent/articles/settings.md";
const TEXT: &str = "---\npublished: 2019-10-16\npublsihed: x\n---\nThey met on October 15th.\n";

fn codes(d: &Value) -> Vec<String> {
    d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect()
}

async fn hints(c: &mut TestClient) -> Value {
    let params = json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}}});
    c.call("textDocument/inlayHint", params).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_settings_apply_live() {
    let mut init = init_params(None);
    init["initializationOptions"] = json!({"debounceMs": 0});
    let (mut c, _) = TestClient::start(test_options(), init).await;
    c.open(URI, TEXT).await;
    assert_eq!(codes(&c.diagnostics(URI, 1).await), ["MA0104"]);
    assert_eq!(hints(&mut c).await.as_array().unwrap().len(), 1);

    // Settings pushed with the notification: MA0104 becomes an error.
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
    assert_eq!(d["params"]["version"], 1);

    // Settings pulled with workspace/configuration: MA0104 off, inlay hints off.
    *c.settings.lock().unwrap() = json!({"severity": {"MA0104": "off"}, "inlayHints": false});
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    )
    .await;
    let d = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["diagnostics"] == json!([])
        })
        .await;
    assert_eq!(d["params"]["uri"], URI);
    assert_eq!(hints(&mut c).await, json!([]));
    assert!(
        c.server_requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, _)| m == "workspace/configuration")
            .count()
            >= 2
    );
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marginalia_toml_changes_reload_and_non_articles_get_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("articles")).unwrap();
    std::fs::write(root.join("marginalia.toml"), "").unwrap();
    let article = root.join("articles/a.md");
    std::fs::write(&article, TEXT).unwrap();
    let notes = root.join("notes.md");
    std::fs::write(&notes, "Plain notes about CNRS, no front-matter.\n").unwrap();

    let mut init = init_params(None);
    init["rootUri"] = json!(Uri::from_file_path(&root).unwrap());
    init["capabilities"]["workspace"]["didChangeWatchedFiles"] =
        json!({"dynamicRegistration": true});
    let (mut c, _) = TestClient::start(test_options(), init).await;
    let a = Uri::from_file_path(&article).unwrap();
    let n = Uri::from_file_path(&notes).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": a, "languageId": "markdown", "version": 1, "text": TEXT}}),
    )
    .await;
    assert_eq!(codes(&c.diagnostics(a.as_str(), 1).await), ["MA0104"]);
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": n, "languageId": "markdown", "version": 1, "text": "Plain notes about CNRS, no front-matter.\n"}})).await;
    assert_eq!(
        codes(&c.diagnostics(n.as_str(), 1).await),
        Vec::<String>::new()
    );
    // The server asked to watch the configuration and gazetteer files.
    let reqs = c.server_requests.lock().unwrap().clone();
    let reg = reqs
        .iter()
        .find(|(m, _)| m == "client/registerCapability")
        .expect("registration");
    assert!(
        reg.1.to_string().contains("**/marginalia.toml"),
        "{}",
        reg.1
    );

    // The corpus turns MA0104 off; the watcher reports the change; the article is re-checked.
    std::fs::write(
        root.join("marginalia.toml"),
        "[severity]\nMA0104 = \"off\"\n",
    )
    .unwrap();
    let toml = Uri::from_file_path(root.join("marginalia.toml")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": toml, "type": 2}]}),
    )
    .await;
    let d = c
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == json!(a)
                && m["params"]["diagnostics"] == json!([])
        })
        .await;
    assert_eq!(d["params"]["version"], 1);
    assert_eq!(c.shutdown_exit().await, 0);
}
