//! `marginalia lsp --stdio`, the built binary, over real pipes: initialize, open an article
//! with emoji, receive its diagnostics, hover a key, shut down, exit with code 0; and exit
//! without shutdown ends with code 1.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start marginalia lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Server {
            child,
            stdin,
            stdout,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "server closed stdout"
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
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// Reads until a message matches, answering the server's own requests with null.
    fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self.receive();
            if m.get("method").is_some() && m.get("id").is_some() {
                self.send(json!({"jsonrpc": "2.0", "id": m["id"], "result": null}));
                continue;
            }
            if pred(&m) {
                return m;
            }
        }
    }
}

#[test]
fn the_binary_serves_lsp_over_stdio() {
    let mut s = Server::start();
    s.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "rootUri": null, "capabilities": {}}}));
    let init = s.until(|m| m["id"] == 1);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    s.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let uri = "untitled:smoke.md";
    let text = "---\ntitle: \"🎉 A visit\"\npublsihed: 2019-10-16\n---\nKUST met CNRS.\n";
    s.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}}));
    let d = s.until(|m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(d["params"]["version"], 1);
    let first = &d["params"]["diagnostics"][0];
    assert_eq!(first["code"], "MA0104");
    assert_eq!(
        first["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 9}})
    );
    s.send(json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}}}));
    let hover = s.until(|m| m["id"] == 2);
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("headline"),
        "{hover}"
    );
    s.send(json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}));
    s.until(|m| m["id"] == 3);
    s.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(s.child.wait().unwrap().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let mut s = Server::start();
    s.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "capabilities": {}}}));
    s.until(|m| m["id"] == 1);
    s.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(s.child.wait().unwrap().code(), Some(1));
}
