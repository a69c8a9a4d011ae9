//! Document sync: 1,000 rapid incremental edits (CJK, emoji, line breaks, several changes per
//! notification) sent without waiting; afterwards the server's text equals the client's byte
//! for byte, and diagnostics were published for increasing versions only, ending with the
//! last one.

mod common;
use common::*;
use serde_json::{json, Value};

const URI: &str = "file:///nonexistent/articles/edits.md";

/// LSP position of a byte offset in `text`, in UTF-16 or UTF-8 units.
fn position(text: &str, byte: usize, utf8: bool) -> Value {
    let before = &text[..byte];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count();
    let col = if utf8 {
        byte - line_start
    } else {
        before[line_start..].encode_utf16().count()
    };
    json!({"line": line, "character": col})
}

/// A deterministic pseudo-random sequence (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

async fn rapid_edits(utf8: bool) {
    let encodings: Option<&[&str]> = if utf8 { Some(&["utf-8"]) } else { None };
    let (mut c, _) = TestClient::start(test_options(), init_params(encodings)).await;
    let mut text = String::from(
        "---\ntitle: 昆明 😀\npublished: 2019-10-16\n---\nKUST 🇨🇳 met CNRS on October 15th.\n",
    );
    c.open(URI, &text).await;
    let pieces = [
        "中",
        "😀",
        "a",
        "\n",
        "",
        "KUST ",
        "🇨🇳",
        "學(xué)",
        "\u{a0}",
        "CNRS\n",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for version in 2..=1001 {
        let changes_in_message = 1 + rng.below(3);
        let mut changes = Vec::new();
        for _ in 0..changes_in_message {
            let a = char_boundary(&text, rng.below(text.len() + 1));
            let b = char_boundary(&text, (a + rng.below(8)).min(text.len()));
            let new = pieces[rng.below(pieces.len())];
            changes.push(json!({"range": {"start": position(&text, a, utf8), "end": position(&text, b, utf8)}, "text": new}));
            text.replace_range(a..b, new);
        }
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": changes}),
        )
        .await;
    }
    let state = c
        .call(
            "marginalia/documentState",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert_eq!(state["version"], 1001);
    assert_eq!(state["text"].as_str().unwrap().as_bytes(), text.as_bytes());

    // The last version's diagnostics arrive; no older version is published after a newer one.
    c.diagnostics(URI, 1001).await;
    let state = c
        .call(
            "marginalia/documentState",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert_eq!(state["analysedVersion"], 1001);
    let mut published: Vec<i64> = c
        .drain("textDocument/publishDiagnostics")
        .iter()
        .map(|m| m["params"]["version"].as_i64().unwrap())
        .collect();
    published.push(1001);
    assert!(published.windows(2).all(|w| w[0] <= w[1]), "{published:?}");
    // Debounced: far fewer analyses than edits.
    assert!(
        published.len() < 100,
        "{} publications for 1,000 edits",
        published.len()
    );
    assert_eq!(c.shutdown_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_rapid_edits_in_utf16_leave_identical_text() {
    rapid_edits(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_rapid_edits_in_utf8_leave_identical_text() {
    rapid_edits(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_text_changes_replace_the_document_and_diagnostics_carry_the_version() {
    let (mut c, _) = TestClient::start(test_options(), init_params(None)).await;
    c.open(URI, "---\ncountries: [UK]\n---\n").await;
    let d = c.diagnostics(URI, 1).await;
    assert_eq!(d["diagnostics"][0]["code"], "MA0107");
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 7}, "contentChanges": [{"text": "---\ncountries: [GB]\n---\n"}]})).await;
    let d = c.diagnostics(URI, 7).await;
    assert_eq!(d["diagnostics"], json!([]));
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
    assert_eq!(cleared["params"], json!({"uri": URI, "diagnostics": []}));
    assert_eq!(c.shutdown_exit().await, 0);
}
