//! `marginalia lsp --stdio` starts the language server of the marginalia-lsp crate.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

fn send(w: &mut impl Write, body: &str) {
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    w.flush().unwrap();
}

/// Reads messages until the response with this id (skipping notifications and requests).
fn response(r: &mut impl BufRead, id: u64) -> serde_json::Value {
    loop {
        let mut len = 0;
        loop {
            let mut line = String::new();
            assert!(
                r.read_line(&mut line).unwrap() > 0,
                "the server closed its output"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        if v["id"] == id && v.get("method").is_none() {
            return v;
        }
    }
}

#[test]
fn the_lsp_subcommand_serves_initialize_and_shuts_down_cleanly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}"#,
    );
    let init = response(&mut stdout, 1);
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    );
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}"#,
    );
    let shutdown = response(&mut stdout, 2);
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","method":"exit","params":null}"#,
    );
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
