//! Nothing the client sends crashes the server: unknown documents, positions past the end,
//! inverted ranges, edits to closed documents, malformed JSON and params, requests after
//! `shutdown`, invalid YAML mid-typing, a 10 MB article. Exit codes follow the spec.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const URI: &str = "file:///nonexistent/articles/robust.md";

async fn alive(c: &mut TestClient) {
    let r = c.call("workspace/symbol", json!({"query": ""})).await;
    assert!(r.is_array(), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_errors_and_the_server_lives_on() {
    let (mut c, _) = TestClient::start(test_options(), init_params(None)).await;

    // Unknown document: an InvalidParams error naming it.
    let r = c.request("textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere.md"}, "position": {"line": 0, "character": 0}})).await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("file:///nowhere.md"),
        "{r}"
    );

    // Params of the wrong shape.
    let r = c
        .request("textDocument/hover", json!({"textDocument": 42}))
        .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // An unknown method.
    let r = c.request("marginalia/noSuchThing", json!({})).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Not JSON at all.
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json").await;
    let r = c
        .wait_for(|m| m["id"].is_null() && m.get("error").is_some())
        .await;
    assert_eq!(r["error"]["code"], -32700, "{r}");
    alive(&mut c).await;

    // Positions past the end of a line / of the document clamp.
    c.open(URI, "---\ntitle: 😀\n---\nKUST\n").await;
    c.diagnostics(URI, 1).await;
    for (line, character) in [(1, 999), (999, 0), (u32::MAX, u32::MAX)] {
        let r = c.request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})).await;
        assert!(r.get("error").is_none(), "{r}");
        let r = c.request("textDocument/completion", json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})).await;
        assert!(r.get("error").is_none(), "{r}");
    }
    // Inverted ranges in requests are put in order.
    let r = c.request("textDocument/inlayHint", json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 3, "character": 0}, "end": {"line": 0, "character": 0}}})).await;
    assert_eq!(r["result"], json!([]), "{r}");

    // An inverted range in a change is refused (logged) and the document stays as it was.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"range": {"start": {"line": 3, "character": 2}, "end": {"line": 3, "character": 0}}, "text": "x"}]}),
    )
    .await;
    let log = c.wait_for(|m| m["method"] == "window/logMessage").await;
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("refused"),
        "{log}"
    );
    let state = c
        .call(
            "marginalia/documentState",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert_eq!(state["text"], "---\ntitle: 😀\n---\nKUST\n");

    // A change to a document that is not open is logged, not applied.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///closed.md", "version": 2}, "contentChanges": [{"text": "x"}]}),
    )
    .await;
    let log = c.wait_for(|m| m["method"] == "window/logMessage").await;
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("not open"),
        "{log}"
    );
    let r = c
        .request(
            "marginalia/documentState",
            json!({"textDocument": {"uri": "file:///closed.md"}}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32602);
    alive(&mut c).await;

    // After shutdown every request is refused; exit then ends with code 0.
    let r = c.request("shutdown", Value::Null).await;
    assert_eq!(r["result"], Value::Null);
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.notify("exit", Value::Null).await;
    let code = tokio::time::timeout(TIMEOUT, c.server)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_without_shutdown_is_code_1() {
    let (mut c, _) = TestClient::start(test_options(), init_params(None)).await;
    c.notify("exit", Value::Null).await;
    let code = tokio::time::timeout(TIMEOUT, c.server)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_yaml_while_typing_still_gets_diagnostics_and_completion() {
    let (mut c, _) = TestClient::start(test_options(), init_params(None)).await;
    c.open(URI, "---\ntitle: [oops\nlang\n---\nKUST\n").await;
    let d = c.diagnostics(URI, 1).await;
    assert_eq!(d["diagnostics"][0]["code"], "MA0102", "{d}");
    let r = c
        .call(
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": {"line": 2, "character": 4}}),
        )
        .await;
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"language"), "{labels:?}");
    // An unclosed front-matter while typing the first lines.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": "---\nlang"}]})).await;
    let d = c.diagnostics(URI, 2).await;
    assert_eq!(d["diagnostics"][0]["code"], "MA0103", "{d}");
    let r = c
        .call(
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 4}}),
        )
        .await;
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["label"] == "language"),
        "{r}"
    );
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_megabyte_article_stays_responsive() {
    let (mut c, _) = TestClient::start(test_options(), init_params(None)).await;
    let paragraph = "😀 KUST and CNRS met on October 15th in 昆明理工大学. The delegation discussed cooperation.\n";
    let mut big = String::from("---\ntitle: Big\npublished: 2019-10-16\n---\n");
    while big.len() < 10_000_000 {
        big.push_str(paragraph);
    }
    let lines = big.matches('\n').count() as u32;
    c.open(URI, &big).await;
    let small = "file:///nonexistent/articles/small.md";
    c.open(small, "---\ncountries: [UK]\n---\n").await;
    // Edits to the big document are applied at once, whatever the analysis is doing.
    let t = Instant::now();
    for v in 2..=21 {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": v}, "contentChanges": [{"range": {"start": {"line": lines / 2, "character": 3}, "end": {"line": lines / 2, "character": 3}}, "text": "中"}]}),
        )
        .await;
    }
    let state = c
        .call(
            "marginalia/documentState",
            json!({"textDocument": {"uri": small}}),
        )
        .await;
    assert_eq!(state["version"], 1);
    let elapsed = t.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "20 edits + a request took {elapsed:?}"
    );
    // The small document is served meanwhile, and the big one is analysed in the end.
    let d = c.diagnostics(small, 1).await;
    assert_eq!(d["diagnostics"][0]["code"], "MA0107");
    // Two analyses of 10 MB (the first one's result is dropped): slow in a debug build.
    let t = Instant::now();
    c.wait_for_within(Duration::from_secs(300), |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == URI
            && m["params"]["version"] == 21
    })
    .await;
    eprintln!(
        "10 MB: diagnostics of the last version after {:?}",
        t.elapsed()
    );
    let r = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": lines - 1, "character": 4}}),
        )
        .await;
    assert!(
        r["contents"]["value"].as_str().unwrap().contains("KUST"),
        "{r}"
    );
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_ending_without_exit_is_code_1() {
    let (client_end, server_end) = tokio::io::duplex(1024);
    let (r, w) = tokio::io::split(server_end);
    let server = tokio::spawn(marginalia_lsp::serve(r, w));
    drop(client_end);
    assert_eq!(
        tokio::time::timeout(TIMEOUT, server)
            .await
            .unwrap()
            .unwrap(),
        1
    );
}
