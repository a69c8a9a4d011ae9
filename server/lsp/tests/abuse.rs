//! Language-server abuse, one test each, through `marginalia_lsp::serve` over an in-memory
//! pipe with a raw byte-level client (so malformed framing can be sent): malformed JSON, wrong
//! and huge `Content-Length`, unknown methods, requests before `initialize` and after
//! `shutdown`, edits to unknown and closed documents, ranges past the end and inverted, a
//! flood of 10,000 notifications, and a client that disappears mid-request. In every case the
//! server answers what it can, stays alive, and ends cleanly. (The real binary over stdio is
//! exercised in server/cli/tests/hostile_files.rs.)

mod common;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;

const TIMEOUT: Duration = Duration::from_secs(30);
const URI: &str = "file:///abuse/article.md";

struct Raw {
    writer: WriteHalf<DuplexStream>,
    incoming: mpsc::UnboundedReceiver<Value>,
    server: tokio::task::JoinHandle<i32>,
}

impl Raw {
    /// Starts a server; nothing is sent yet.
    fn start() -> Raw {
        let (client, server) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server);
        let server = tokio::spawn(marginalia_lsp::serve(server_read, server_write));
        let (client_read, writer) = tokio::io::split(client);
        let (tx, incoming) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut r = BufReader::new(client_read);
            loop {
                let Some(v) = common::read_message(&mut r).await else {
                    return;
                };
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Raw {
            writer,
            incoming,
            server,
        }
    }

    async fn bytes(&mut self, b: &[u8]) {
        self.writer.write_all(b).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    async fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.bytes(framed.as_bytes()).await;
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    async fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.wait_for(|m| m["id"] == json!(id) && m.get("method").is_none())
            .await
    }

    /// The next message matching `pred`, answering the server's own requests meanwhile.
    async fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = tokio::time::timeout(left, self.incoming.recv())
                .await
                .expect("timed out waiting for the server")
                .expect("the server closed its output");
            if msg.get("method").is_some() && msg.get("id").is_some() {
                // A server-to-client request (configuration, registration, progress).
                let result = match msg["method"].as_str() {
                    Some("workspace/configuration") => {
                        let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                        Value::Array(vec![Value::Null; n])
                    }
                    _ => Value::Null,
                };
                let id = msg["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}))
                    .await;
                continue;
            }
            if pred(&msg) {
                return msg;
            }
        }
    }

    async fn initialize(&mut self) {
        let r = self
            .request(
                0,
                "initialize",
                json!({"processId": null, "rootUri": null, "capabilities": {}}),
            )
            .await;
        assert!(r["result"]["capabilities"].is_object(), "{r}");
        self.notify("initialized", json!({})).await;
    }

    async fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
        )
        .await;
    }

    async fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        })
        .await
    }

    /// A request every live server answers.
    async fn alive(&mut self, id: i64) {
        let r = self
            .request(id, "workspace/symbol", json!({"query": ""}))
            .await;
        assert!(r.get("error").is_none(), "{r}");
    }

    /// Sends shutdown + exit and returns the exit code.
    async fn finish(mut self) -> i32 {
        let r = self.request(9_999_999, "shutdown", Value::Null).await;
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(TIMEOUT, self.server)
            .await
            .expect("the server did not stop after exit")
            .expect("the server task panicked")
    }
}

const ARTICLE: &str = "---\ntitle: KUST and CNRS\npublished: 2019-10-16\n---\nOn October 15th, CNRS visited KUST. 中國科學(xué)院 😀\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_gets_a_parse_error_and_the_session_goes_on() {
    let mut c = Raw::start();
    c.initialize().await;
    for bad in [
        &b"{\"jsonrpc\":\"2.0\",\"id\":5,"[..],
        b"\xff\xfe\x00garbage",
        b"[]",
        b"null",
        b"{\"jsonrpc\":\"1.0\",\"id\":6,\"method\":\"x\"}",
    ] {
        let framed = [
            format!("Content-Length: {}\r\n\r\n", bad.len()).as_bytes(),
            bad,
        ]
        .concat();
        c.bytes(&framed).await;
        let r = c.wait_for(|m| m.get("error").is_some()).await;
        let code = r["error"]["code"].as_i64().unwrap();
        assert!(code == -32700 || code == -32600, "{r}");
    }
    c.alive(1).await;
    assert_eq!(c.finish().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_content_lengths_cost_a_message_not_the_session() {
    let mut c = Raw::start();
    c.initialize().await;
    // Too short: the body's tail is read as a header, then the framing resynchronises.
    let body =
        json!({"jsonrpc": "2.0", "id": 10, "method": "workspace/symbol", "params": {"query": ""}})
            .to_string();
    c.bytes(format!("Content-Length: {}\r\n\r\n{body}\r\n\r\n", body.len() - 5).as_bytes())
        .await;
    let r = c.wait_for(|m| m.get("error").is_some()).await;
    assert!(r["error"]["code"].is_i64(), "{r}");
    // A header that is not a number, a missing header.
    c.bytes(b"Content-Length: twelve\r\n\r\n").await;
    c.wait_for(|m| m.get("error").is_some()).await;
    c.bytes(b"Content-Type: application/json\r\n\r\n").await;
    c.wait_for(|m| m.get("error").is_some()).await;
    c.alive(11).await;
    // Too long: the next message is swallowed into this one (one parse error for both),
    // and the one after that is answered.
    let short = json!({"jsonrpc": "2.0", "method": "$/noSuchNotification"}).to_string();
    let next = json!({"jsonrpc": "2.0", "method": "$/alsoUnknown", "params": {}}).to_string();
    let needed = short.len() + format!("Content-Length: {}\r\n\r\n", next.len()).len() + next.len();
    c.bytes(format!("Content-Length: {needed}\r\n\r\n{short}").as_bytes())
        .await;
    c.bytes(format!("Content-Length: {}\r\n\r\n{next}", next.len()).as_bytes())
        .await;
    c.wait_for(|m| m["error"]["code"] == -32700).await;
    c.alive(12).await;
    assert_eq!(c.finish().await, 0);
}

/// A `Content-Length` of 10^15 bytes: nothing that size is allocated; the server waits for
/// the bytes and ends cleanly when the client leaves. Bound: the process's resident memory
/// grows by less than 256 MB; the server ends within 30 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_content_length_allocates_nothing_and_ends_cleanly() {
    let rss = || -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    };
    let before = rss();
    let mut c = Raw::start();
    c.initialize().await;
    c.alive(1).await;
    c.bytes(b"Content-Length: 1000000000000000\r\n\r\n{\"jsonrpc\":\"2.0\"")
        .await;
    // A few MB of filler that the server has to skip.
    let filler = vec![b' '; 4 << 20];
    c.bytes(&filler).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let grown_mb = rss().saturating_sub(before) / 1024;
    assert!(grown_mb < 256, "resident memory grew by {grown_mb} MB");
    let Raw {
        mut writer, server, ..
    } = c;
    writer.shutdown().await.unwrap();
    drop(writer);
    let code = tokio::time::timeout(TIMEOUT, server)
        .await
        .expect("the server did not stop when its client left")
        .expect("the server task panicked");
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_are_errors_or_ignored() {
    let mut c = Raw::start();
    c.initialize().await;
    let r = c.request(1, "textDocument/noSuchRequest", json!({})).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.request(2, "", json!(null)).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
    c.notify("$/unknownNotification", json!({"x": 1})).await;
    c.notify("textDocument/noSuchNotification", json!([1, 2]))
        .await;
    c.alive(3).await;
    assert_eq!(c.finish().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_before_initialize_are_refused() {
    let mut c = Raw::start();
    let r = c
        .request(
            1,
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32002, "{r}");
    // Notifications before initialize are dropped; initialize still works afterwards.
    c.open(URI, ARTICLE).await;
    c.initialize().await;
    c.alive(2).await;
    assert_eq!(c.finish().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_after_shutdown_are_refused_and_exit_is_clean() {
    let mut c = Raw::start();
    c.initialize().await;
    c.open(URI, ARTICLE).await;
    c.diagnostics(URI, 1).await;
    let r = c.request(1, "shutdown", Value::Null).await;
    assert!(r.get("error").is_none(), "{r}");
    let r = c
        .request(
            2,
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    let r = c.request(3, "shutdown", Value::Null).await;
    assert!(r.get("error").is_some(), "a second shutdown: {r}");
    // Edits after shutdown are ignored without a crash.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": "x"}]}),
    )
    .await;
    c.notify("exit", Value::Null).await;
    let code = tokio::time::timeout(TIMEOUT, c.server)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_to_unknown_and_closed_documents_are_ignored() {
    let mut c = Raw::start();
    c.initialize().await;
    let change = |uri: &str, v: i64| json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]});
    c.notify(
        "textDocument/didChange",
        change("file:///never/opened.md", 2),
    )
    .await;
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": "file:///never/opened.md"}}),
    )
    .await;
    c.open(URI, ARTICLE).await;
    c.diagnostics(URI, 1).await;
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    )
    .await;
    c.notify("textDocument/didChange", change(URI, 2)).await;
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": URI}}),
    )
    .await;
    let r = c
        .request(
            1,
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(
        r.get("error").is_some() || r["result"].is_null(),
        "a closed document answered: {r}"
    );
    // Reopening starts from the text sent, not from the ignored edit.
    c.open(URI, ARTICLE).await;
    c.diagnostics(URI, 1).await;
    c.alive(2).await;
    assert_eq!(c.finish().await, 0);
}

/// Ranges past the end (clamped, as LSP says) and inverted (refused, the text unchanged):
/// the server keeps publishing diagnostics for each version, and its diagnostics stay inside
/// the document. Checked against a model: after the edits the text is `expected`, shown by the
/// diagnostics of a full re-analysis matching those of the same text opened fresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranges_past_the_end_and_inverted_do_not_corrupt_the_text() {
    let mut c = Raw::start();
    c.initialize().await;
    c.open(URI, ARTICLE).await;
    c.diagnostics(URI, 1).await;
    let range = |sl: u32, sc: u32, el: u32, ec: u32| json!({"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}});
    let edits = [
        (
            range(4, 9999, 4, 9999),
            "\nAppended past the end of the last line.",
        ),
        (range(999, 0, 999, 5), "\nAppended past the last line."),
        (range(u32::MAX, u32::MAX, u32::MAX, u32::MAX), ""),
        (range(3, 5, 1, 0), "INVERTED"),
        (range(1, 7, 1, 9999), "KUST, CNRS and CAS"),
    ];
    for (i, (r, text)) in edits.iter().enumerate() {
        let version = i as i64 + 2;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"range": r, "text": text}]}),
        )
        .await;
    }
    let after = c.diagnostics(URI, 6).await;
    let expected = "---\ntitle: KUST, CNRS and CAS\npublished: 2019-10-16\n---\nOn October 15th, CNRS visited KUST. 中國科學(xué)院 😀\n\nAppended past the end of the last line.\nAppended past the last line.";
    let other = "file:///abuse/fresh.md";
    c.open(other, expected).await;
    let fresh = c.diagnostics(other, 1).await;
    // Equal but for the version each diagnostic carries.
    let strip = |v: &Value| {
        let mut v = v["params"]["diagnostics"].clone();
        for d in v.as_array_mut().unwrap() {
            if let Some(data) = d.get_mut("data").and_then(Value::as_object_mut) {
                data.remove("version");
            }
        }
        v
    };
    assert_eq!(
        strip(&after),
        strip(&fresh),
        "the edited text differs from the model"
    );
    let a = c
        .request(
            1,
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .await["result"]
        .clone();
    let b = c
        .request(
            2,
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": other}}),
        )
        .await["result"]
        .clone();
    // Equal but for the document's name.
    let b: Value = serde_json::from_str(&b.to_string().replace(other, URI)).unwrap();
    assert_eq!(a, b, "the edited text differs from the model");
    assert_eq!(c.finish().await, 0);
}

/// 10,000 didChange notifications as fast as the pipe takes them (each appending a word):
/// the server keeps up, publishes the diagnostics of the last version, and answers a request
/// afterwards. Bound: the whole flood is absorbed within 30 s (debug build).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_ten_thousand_notifications() {
    let mut c = Raw::start();
    c.initialize().await;
    c.open(URI, ARTICLE).await;
    c.diagnostics(URI, 1).await;
    let t = Instant::now();
    for v in 2..=10_001i64 {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": v}, "contentChanges": [{"range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}}, "text": "KUST "}]}),
        )
        .await;
    }
    let last = c.diagnostics(URI, 10_001).await;
    let took = t.elapsed();
    assert!(took < TIMEOUT, "took {took:?}");
    assert!(last["params"]["diagnostics"].is_array());
    c.alive(1).await;
    eprintln!("10,000 notifications absorbed in {took:?}");
    assert_eq!(c.finish().await, 0);
}

/// The client disappears while a request is in flight (its half-written next message and
/// both pipe ends dropped): `serve` returns 1 (no `shutdown`) within 30 s, without a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_disappearing_mid_request_ends_the_server_cleanly() {
    let mut c = Raw::start();
    c.initialize().await;
    let big = "On October 15th, CNRS visited KUST. ".repeat(50_000);
    c.open(URI, &big).await;
    c.send(json!({"jsonrpc": "2.0", "id": 1, "method": "textDocument/codeAction", "params": {"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 10}}, "context": {"diagnostics": []}}})).await;
    c.bytes(b"Content-Length: 900\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":2,")
        .await;
    let Raw {
        mut writer,
        incoming,
        server,
    } = c;
    writer.shutdown().await.unwrap();
    drop(writer);
    drop(incoming);
    let code = tokio::time::timeout(TIMEOUT, server)
        .await
        .expect("the server did not stop when its client disappeared")
        .expect("the server task panicked");
    assert_eq!(code, 1);
}
