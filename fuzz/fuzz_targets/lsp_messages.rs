//! The language server's message loop, in process over an in-memory pipe: a session of
//! fuzzed messages (well-framed JSON-RPC built from fuzzed parts, raw bytes, wrong
//! Content-Length headers) must never panic the server nor hang it: when the input ends the
//! server returns within the time limit.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use std::time::Duration;

const METHODS: &[&str] = &[
    "initialize",
    "initialized",
    "shutdown",
    "exit",
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/didSave",
    "textDocument/hover",
    "textDocument/codeAction",
    "textDocument/completion",
    "textDocument/documentSymbol",
    "textDocument/inlayHint",
    "textDocument/definition",
    "textDocument/formatting",
    "textDocument/diagnostic",
    "workspace/symbol",
    "workspace/executeCommand",
    "workspace/didChangeConfiguration",
    "$/cancelRequest",
    "$/setTrace",
    "marginalia/noSuchMethod",
];

const URIS: &[&str] = &[
    "file:///corpus/a.md",
    "file:///corpus/b.txt",
    "untitled:Untitled-1",
    "not a uri",
];

fn pos(u: &mut Unstructured) -> arbitrary::Result<Value> {
    let small = bool::arbitrary(u)?;
    let (l, c) = if small {
        (
            u32::from(u8::arbitrary(u)? % 8),
            u32::from(u8::arbitrary(u)? % 40),
        )
    } else {
        (u32::arbitrary(u)?, u32::arbitrary(u)?)
    };
    Ok(json!({"line": l, "character": c}))
}

fn params(u: &mut Unstructured, method: &str) -> arbitrary::Result<Value> {
    let uri = *u.choose(URIS)?;
    let text = String::arbitrary(u)?;
    Ok(match method {
        "initialize" => {
            let enc = *u.choose(&["utf-8", "utf-16", "utf-32", "latin-1"])?;
            json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": [enc]}}})
        }
        "textDocument/didOpen" => {
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": i32::arbitrary(u)?, "text": text}})
        }
        "textDocument/didChange" => {
            let change = if bool::arbitrary(u)? {
                json!({"text": text})
            } else {
                json!({"range": {"start": pos(u)?, "end": pos(u)?}, "text": text})
            };
            json!({"textDocument": {"uri": uri, "version": i32::arbitrary(u)?}, "contentChanges": [change]})
        }
        "textDocument/didClose"
        | "textDocument/didSave"
        | "textDocument/documentSymbol"
        | "textDocument/formatting"
        | "textDocument/diagnostic" => {
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}})
        }
        "textDocument/codeAction" | "textDocument/inlayHint" => json!({
            "textDocument": {"uri": uri},
            "range": {"start": pos(u)?, "end": pos(u)?},
            "context": {"diagnostics": [], "only": if bool::arbitrary(u)? { json!(["source.fixAll"]) } else { Value::Null }}
        }),
        "workspace/symbol" => json!({"query": text}),
        "workspace/executeCommand" => json!({"command": text, "arguments": [uri]}),
        "workspace/didChangeConfiguration" => {
            json!({"settings": {"marginalia": {"debounceMs": u8::arbitrary(u)?}}})
        }
        "$/cancelRequest" => json!({"id": u8::arbitrary(u)?}),
        _ => json!({"textDocument": {"uri": uri}, "position": pos(u)?}),
    })
}

fn frame(out: &mut Vec<u8>, body: &[u8], length_delta: i8) {
    let len = (body.len() as i64 + i64::from(length_delta)).max(0);
    out.extend_from_slice(format!("Content-Length: {len}\r\n\r\n").as_bytes());
    out.extend_from_slice(body);
}

fn session(u: &mut Unstructured) -> arbitrary::Result<Vec<u8>> {
    let mut out = Vec::new();
    // Most sessions start properly so the fuzzer reaches the document handlers.
    if u8::arbitrary(u)? % 4 != 0 {
        frame(
            &mut out,
            br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}}"#,
            0,
        );
        frame(
            &mut out,
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            0,
        );
    }
    let n = u8::arbitrary(u)? % 24;
    for id in 1..=i64::from(n) {
        match u8::arbitrary(u)? % 16 {
            0 => out.extend_from_slice(&Vec::<u8>::arbitrary(u)?), // raw bytes
            1 => {
                let body = Vec::<u8>::arbitrary(u)?;
                frame(&mut out, &body, 0);
            }
            2 => {
                // A well-formed message with a wrong Content-Length.
                let body = json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {}});
                frame(&mut out, body.to_string().as_bytes(), i8::arbitrary(u)?);
            }
            _ => {
                let method = *u.choose(METHODS)?;
                let mut msg =
                    json!({"jsonrpc": "2.0", "method": method, "params": params(u, method)?});
                if bool::arbitrary(u)? {
                    msg["id"] = json!(id);
                }
                frame(&mut out, msg.to_string().as_bytes(), 0);
            }
        }
    }
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(input) = session(&mut u) else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let (client, server) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server);
        let (mut client_read, mut client_write) = tokio::io::split(client);
        // Drain what the server says so it never blocks on a full pipe.
        let drain = tokio::spawn(async move {
            let _ = tokio::io::copy(&mut client_read, &mut tokio::io::sink()).await;
        });
        let server = tokio::spawn(marginalia_lsp::serve(server_read, server_write));
        use tokio::io::AsyncWriteExt;
        let _ = client_write.write_all(&input).await;
        let _ = client_write.shutdown().await;
        drop(client_write);
        match tokio::time::timeout(Duration::from_secs(10), server).await {
            Ok(Ok(code)) => assert!(code == 0 || code == 1, "exit code {code}"),
            Ok(Err(e)) => panic!("the server task failed: {e}"),
            Err(_) => panic!("the server did not stop within 10 s of the end of its input"),
        }
        drain.abort();
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
});
