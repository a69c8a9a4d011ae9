//! Hostile files through the built binary: invalid UTF-8, NUL bytes, a 50 MB file, a BOM with
//! CRLF, an unclosed front-matter, a FIFO named like an article, and a language-server client
//! that disappears mid-request. Each gets a clear finding or error within a time bound, and
//! nothing is written.
#![cfg(unix)]

mod common;
use common::*;
use std::fs;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn codes_of(o: &std::process::Output) -> Vec<String> {
    json(o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// Invalid UTF-8 (a GB18030 article): MA0001 with the place of the first bad byte, exit 1;
/// `annotate --write` refuses and the bytes stay as they were. Bound: 5 s.
#[test]
fn invalid_utf8_is_a_finding_and_is_never_rewritten() {
    // "中国科学院" in GB18030 after an ASCII line.
    let bytes: &[u8] = b"News & Events\n\xd6\xd0\xb9\xfa\xbf\xc6\xd1\xa7\xd4\xba\n";
    let dir = corpus(&[("legacy.txt", bytes)]);
    let t = Instant::now();
    let out = run_in(dir.path(), &["check", "--format", "json", "legacy.txt"]);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let findings = json(&out)["findings"].clone();
    assert_eq!(findings[0]["code"], "MA0001", "{findings}");
    assert_eq!(findings[0]["line"], 2, "{findings}");

    let out = run_in(dir.path(), &["annotate", "--write", "legacy.txt"]);
    assert_ne!(code(&out), 0);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let out = run_in(dir.path(), &["check", "--fix", "legacy.txt"]);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(fs::read(dir.path().join("legacy.txt")).unwrap(), bytes);
}

/// NUL bytes make a file binary: MA0002, exit 1, nothing written by --fix.
#[test]
fn nul_bytes_are_a_binary_file_finding() {
    let bytes: &[u8] = b"---\ntitel: x\n---\nKUST\0\0\0 met CNRS\n";
    let dir = corpus(&[("nul.md", bytes)]);
    let out = run_in(
        dir.path(),
        &["check", "--format", "json", "--fix", "nul.md"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(codes_of(&out), ["MA0002"]);
    assert_eq!(fs::read(dir.path().join("nul.md")).unwrap(), bytes);
}

/// A 50 MB file: MA0003 (larger than the 10 MiB default limit) within 5 s, without reading
/// it whole; with `max_file_size` raised in marginalia.toml it is analysed (release bound: the
/// same 50 MB core test, see tests/hostile.rs in marginalia-core).
#[test]
fn a_50_mb_file_is_reported_not_analysed() {
    let dir = corpus(&[]);
    let path = dir.path().join("huge.md");
    let mut f = fs::File::create(&path).unwrap();
    let line = "On the afternoon of October 15th, CNRS visited KUST in Kunming. 中國科學院\n";
    let chunk = line.repeat(1 << 14);
    while f.metadata().unwrap().len() < 50 << 20 {
        f.write_all(chunk.as_bytes()).unwrap();
    }
    drop(f);
    let t = Instant::now();
    let out = run_in(dir.path(), &["check", "--format", "json", "huge.md"]);
    let took = t.elapsed();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(codes_of(&out), ["MA0003"]);
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

/// A BOM and CRLF: line numbers count CRLF once and the BOM is not a column of its own in
/// the report; --fix keeps the BOM and the CRLFs.
#[test]
fn bom_and_crlf_files_keep_both() {
    let text = "\u{feff}---\r\nschema: 1\r\npublsihed: 2019-10-16\r\n---\r\nBody text.\r\n";
    let dir = corpus(&[("bom.md", text.as_bytes())]);
    let out = run_in(dir.path(), &["check", "--format", "json", "bom.md"]);
    let findings = json(&out)["findings"].clone();
    let unknown = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "MA0104")
        .unwrap_or_else(|| panic!("{findings}"));
    assert_eq!(unknown["line"], 3, "{unknown}");
    assert_eq!(unknown["column"], 1, "{unknown}");
    let out = run_in(dir.path(), &["check", "--fix", "bom.md"]);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    let after = fs::read_to_string(dir.path().join("bom.md")).unwrap();
    assert!(after.starts_with("\u{feff}---\r\n"), "{after:?}");
    assert_eq!(
        after.matches('\n').count(),
        after.matches("\r\n").count(),
        "{after:?}"
    );
    assert!(after.contains("\r\npublished: 2019-10-16\r\n"), "{after:?}");
    assert!(after.ends_with("---\r\nBody text.\r\n"));
}

/// An unclosed front-matter and a file that is only front-matter: clear findings, no crash.
#[test]
fn unclosed_and_only_front_matter_files() {
    let dir = corpus(&[
        ("unclosed.md", b"---\ntitle: A visit\n\nKUST met CNRS.\n"),
        (
            "only.md",
            b"---\ntitle: A visit\npublished: 2019-10-16\n---\n",
        ),
        ("empty.md", b""),
    ]);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "unclosed.md",
            "only.md",
            "empty.md",
        ],
    );
    assert!(code(&out) <= 1, "{}", stderr(&out));
    let findings = json(&out)["findings"].clone();
    let for_file = |name: &str| -> Vec<String> {
        findings
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(name))
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        for_file("unclosed.md").contains(&"MA0103".to_string()),
        "{findings}"
    );
    assert!(
        !for_file("only.md").iter().any(|c| c.starts_with("MA00")),
        "{findings}"
    );
}

/// A FIFO named like an article (nobody will ever write to it) does not block a check of the
/// corpus: the walk finishes within 20 s and reports it at most as unreadable.
#[test]
fn a_fifo_in_the_corpus_does_not_hang_check() {
    let dir = corpus(&[("articles/real.md", CLEAN.as_bytes())]);
    let fifo = dir.path().join("articles/pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("note: mkfifo is not available; skipped");
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--today", "2026-01-01", "."])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.code().is_some_and(|c| c <= 2), "{status:?}");
            break;
        }
        if t.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            // Unblock a reader stuck on the FIFO so the child can be reaped.
            let _ = fs::OpenOptions::new().write(true).open(&fifo);
            panic!("check hangs on a FIFO named like an article");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// The language-server client disappears in the middle of a request (its pipes close while
/// a hover and a big didOpen are in flight): the real `marginalia lsp` process exits on its own
/// within 10 s, with the code for "exit without shutdown" (1), and without a panic.
#[test]
fn lsp_client_disappearing_mid_request_ends_the_server_cleanly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    stdin
        .write_all(&frame(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        ))
        .unwrap();
    // Wait for the initialize response so the server is in its main loop.
    let mut buf = [0u8; 4096];
    let n = stdout.read(&mut buf).unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).contains("Content-Length"),
        "no response"
    );
    stdin
        .write_all(&frame(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ))
        .unwrap();
    let big = "On the afternoon of October 15th, CNRS visited KUST. ".repeat(20_000);
    let open = serde_json::json!({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///tmp/gone.md","languageId":"markdown","version":1,"text":big}}});
    stdin.write_all(&frame(&open.to_string())).unwrap();
    let hover = r#"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///tmp/gone.md"},"position":{"line":0,"character":40}}}"#;
    stdin.write_all(&frame(hover)).unwrap();
    // Half a message, then the client is gone: both pipes close.
    stdin
        .write_all(b"Content-Length: 500\r\n\r\n{\"jsonrpc\":")
        .unwrap();
    drop(stdin);
    drop(stdout);
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the server did not exit within 10 s after its client disappeared");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(1), "{status:?} {err}");
}
