//! An in-process LSP client: the real server on one end of a `tokio::io::duplex` pipe, real
//! JSON-RPC with Content-Length framing on the wire. Server-to-client requests are answered
//! (configuration from `settings`, null for the rest) and recorded.
#![allow(dead_code)]

use marginalia_core::analysis::{Analysis, Context};
use marginalia_core::calendar::Date;
use marginalia_core::dates::{Anchor, DateMention, Granularity, Resolution, TimexType};
use marginalia_core::findings::Span;
use marginalia_core::gazetteer::{Gazetteer, Institution, InstitutionType};
use marginalia_core::institutions::{InstitutionMention, Link, MatchKind};
use marginalia_lsp::{Analyser, ServerOptions};
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct TestClient {
    writer: Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>,
    incoming: mpsc::UnboundedReceiver<Value>,
    /// Messages received while waiting for something else.
    backlog: VecDeque<Value>,
    next_id: i64,
    pub server: tokio::task::JoinHandle<i32>,
    /// What `workspace/configuration` answers for the `marginalia` section.
    pub settings: Arc<Mutex<Value>>,
    /// Server-to-client requests seen (method, params).
    pub server_requests: Arc<Mutex<Vec<(String, Value)>>>,
}

async fn write_message(w: &tokio::sync::Mutex<WriteHalf<DuplexStream>>, msg: &Value) {
    let body = serde_json::to_vec(msg).unwrap();
    let mut w = w.lock().await;
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await
        .unwrap();
    w.write_all(&body).await.unwrap();
    w.flush().await.unwrap();
}

impl TestClient {
    /// Starts a server and runs `initialize` + `initialized`. Returns the client and the
    /// `initialize` result.
    pub async fn start(options: ServerOptions, init: Value) -> (TestClient, Value) {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        let server = tokio::spawn(marginalia_lsp::serve_with(
            server_read,
            server_write,
            options,
        ));
        let (client_read, client_write) = tokio::io::split(client_end);
        let writer = Arc::new(tokio::sync::Mutex::new(client_write));
        let (tx, incoming) = mpsc::unbounded_channel();
        let settings = Arc::new(Mutex::new(Value::Null));
        let server_requests = Arc::new(Mutex::new(Vec::new()));
        {
            let writer = Arc::clone(&writer);
            let settings = Arc::clone(&settings);
            let seen = Arc::clone(&server_requests);
            tokio::spawn(async move {
                let mut r = BufReader::new(client_read);
                loop {
                    let Some(msg) = read_message(&mut r).await else {
                        return;
                    };
                    if let (Some(id), Some(method)) =
                        (msg.get("id"), msg.get("method").and_then(Value::as_str))
                    {
                        // A request from the server: answer it.
                        seen.lock()
                            .unwrap()
                            .push((method.to_string(), msg["params"].clone()));
                        let result = match method {
                            "workspace/configuration" => {
                                let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                                Value::Array(vec![settings.lock().unwrap().clone(); n])
                            }
                            _ => Value::Null,
                        };
                        write_message(
                            &writer,
                            &json!({"jsonrpc": "2.0", "id": id, "result": result}),
                        )
                        .await;
                        continue;
                    }
                    if tx.send(msg).is_err() {
                        return;
                    }
                }
            });
        }
        let mut c = TestClient {
            writer,
            incoming,
            backlog: VecDeque::new(),
            next_id: 0,
            server,
            settings,
            server_requests,
        };
        let result = c.request("initialize", init).await;
        let result = result.get("result").cloned().unwrap_or(result);
        c.notify("initialized", json!({})).await;
        (c, result)
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        write_message(
            &self.writer,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        )
        .await;
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        write_message(
            &self.writer,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )
        .await;
        let found = self
            .wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .await;
        found
    }

    /// A request's `result` (panics on an error response).
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params).await;
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// Sends raw bytes (for malformed-input tests).
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let mut w = self.writer.lock().await;
        w.write_all(bytes).await.unwrap();
        w.flush().await.unwrap();
    }

    /// The next message (from the backlog first) matching `pred`.
    pub async fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_within(TIMEOUT, pred).await
    }

    pub async fn wait_for_within(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.incoming.recv())
                .await
                .expect("timed out waiting for a message")
                .expect("server closed the connection");
            if pred(&msg) {
                return msg;
            }
            self.backlog.push_back(msg);
        }
    }

    /// The next `publishDiagnostics` for `uri` with `version`.
    pub async fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        })
        .await["params"]
            .clone()
    }

    /// The methods of the server-to-client requests seen so far, in order.
    pub fn server_request_methods(&self) -> Vec<String> {
        self.server_requests
            .lock()
            .unwrap()
            .iter()
            .map(|(m, _)| m.clone())
            .collect()
    }

    /// Waits until the server has sent `n` requests to the client; returns their methods.
    pub async fn wait_for_server_requests(&self, n: usize) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let methods = self.server_request_methods();
            if methods.len() >= n {
                return methods;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {n} server requests; got {methods:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Every notification received so far with this method (drains them from the backlog).
    pub fn drain(&mut self, method: &str) -> Vec<Value> {
        while let Ok(m) = self.incoming.try_recv() {
            self.backlog.push_back(m);
        }
        let (hit, keep): (Vec<Value>, Vec<Value>) =
            self.backlog.drain(..).partition(|m| m["method"] == method);
        self.backlog = keep.into();
        hit
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
        )
        .await;
    }

    /// `shutdown` then `exit`; returns the server's exit code.
    pub async fn shutdown_exit(mut self) -> i32 {
        let r = self.request("shutdown", Value::Null).await;
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(TIMEOUT, self.server)
            .await
            .expect("server did not stop")
            .unwrap()
    }
}

/// `initialize` params: no workspace, the given position encodings, a capable client that
/// takes pushed diagnostics (like eglot or Neovim 0.10).
/// Reads one Content-Length-framed JSON-RPC message; `None` when the server closed the pipe.
pub async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len.expect("the server framed a message with a Content-Length")];
    r.read_exact(&mut body).await.ok()?;
    Some(serde_json::from_slice(&body).expect("the server sent JSON"))
}

pub fn init_params(encodings: Option<&[&str]>) -> Value {
    let mut caps = json!({
        "textDocument": {
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true, "dataSupport": true},
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
            "codeAction": {"disabledSupport": true, "dataSupport": true},
            "documentLink": {"tooltipSupport": true}
        },
        "workspace": {"workspaceEdit": {"documentChanges": true}, "configuration": true}
    });
    if let Some(list) = encodings {
        caps["general"] = json!({"positionEncodings": list});
    }
    json!({"processId": null, "rootUri": null, "capabilities": caps})
}

/// [`init_params`] of a client that pulls diagnostics and can be asked to pull again, as
/// VS Code (vscode-languageclient 9) declares it, with inlay hint and semantic token refresh.
pub fn pull_init_params(encodings: Option<&[&str]>) -> Value {
    let mut p = init_params(encodings);
    p["capabilities"]["textDocument"]["diagnostic"] =
        json!({"dynamicRegistration": true, "relatedDocumentSupport": false});
    p["capabilities"]["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    p["capabilities"]["workspace"]["inlayHint"] = json!({"refreshSupport": true});
    p["capabilities"]["workspace"]["semanticTokens"] = json!({"refreshSupport": true});
    p
}

/// [`init_params`] of a client that can pull diagnostics but not be asked to pull again, as
/// Neovim 0.11 declares it (it pulls after its own `didOpen`/`didChange` only).
pub fn nvim_011_init_params(encodings: Option<&[&str]>) -> Value {
    let mut p = init_params(encodings);
    p["capabilities"]["textDocument"]["diagnostic"] =
        json!({"dynamicRegistration": false, "tagSupport": {"valueSet": [1, 2]}});
    p["capabilities"]["workspace"]["inlayHint"] = json!({"refreshSupport": true});
    p["capabilities"]["workspace"]["semanticTokens"] = json!({"refreshSupport": true});
    p
}

/// A small gazetteer (facts from the embedded one), with `CAS` shared by two records so that
/// a bare "CAS" is ambiguous.
pub fn test_gazetteer() -> Gazetteer {
    let names = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    Gazetteer::new(vec![
        Institution {
            key: "kust".into(),
            kind: InstitutionType::University,
            country: Some("CN".into()),
            name: "Kunming University of Science and Technology".into(),
            names: names(&[("zh-Hans", "昆明理工大学"), ("zh-Hant", "昆明理工大學")]),
            acronyms: vec!["KUST".into()],
            ..Default::default()
        },
        Institution {
            key: "cnrs".into(),
            kind: InstitutionType::ResearchOrganisation,
            country: Some("FR".into()),
            name: "French National Centre for Scientific Research".into(),
            names: names(&[
                ("fr", "Centre national de la recherche scientifique"),
                ("zh-Hans", "法国国家科学研究中心"),
            ]),
            acronyms: vec!["CNRS".into()],
            ror: Some("02feahw73".into()),
            wikidata: Some("Q280413".into()),
            ..Default::default()
        },
        Institution {
            key: "cas".into(),
            kind: InstitutionType::Academy,
            country: Some("CN".into()),
            name: "Chinese Academy of Sciences".into(),
            names: names(&[("zh-Hans", "中国科学院")]),
            acronyms: vec!["CAS".into()],
            ror: Some("034t30j35".into()),
            wikidata: Some("Q530471".into()),
            ..Default::default()
        },
        Institution {
            key: "cas-cz".into(),
            kind: InstitutionType::Academy,
            country: Some("CZ".into()),
            name: "Czech Academy of Sciences".into(),
            acronyms: vec!["CAS".into()],
            ..Default::default()
        },
        Institution {
            key: "kust-faculty".into(),
            kind: InstitutionType::Other,
            country: Some("CN".into()),
            name: "Faculty of Land Resources Engineering, KUST".into(),
            parent: Some("kust".into()),
            ..Default::default()
        },
    ])
}

/// The analysis the LSP tests run: the core pipeline for the article and its schema findings,
/// with the mentions given by literal matching of the test gazetteer and a fixed table of
/// dates. This pins the language server's behaviour independently of the recognisers'
/// heuristics (they have their own tests); institution and date findings are left out for
/// the same reason.
pub fn test_analyser() -> Analyser {
    Arc::new(|text: &str, ctx: &Context| -> Analysis {
        let mut a = marginalia_core::analyse(text, ctx);
        a.findings
            .retain(|f| f.code.starts_with("MA00") || f.code.starts_with("MA01"));
        a.institutions = literal_institutions(text, a.article.body, ctx.gazetteer);
        a.dates = literal_dates(text, a.article.body, &a.anchor);
        a
    })
}

fn find_all(text: &str, body: Span, needle: &str) -> Vec<Span> {
    let hay = body.slice(text);
    hay.match_indices(needle)
        .map(|(i, _)| Span::new(body.start + i, body.start + i + needle.len()))
        .collect()
}

fn literal_institutions(text: &str, body: Span, g: &Gazetteer) -> Vec<InstitutionMention> {
    let mut found: Vec<(Span, String, MatchKind)> = Vec::new();
    for inst in g.iter() {
        for name in std::iter::once(&inst.name).chain(inst.names.values()) {
            for s in find_all(text, body, name) {
                found.push((s, inst.key.clone(), MatchKind::Name));
            }
        }
        for a in &inst.acronyms {
            for s in find_all(text, body, a) {
                found.push((s, inst.key.clone(), MatchKind::Acronym));
            }
        }
    }
    found.sort_by(|a, b| {
        (a.0.start, std::cmp::Reverse(a.0.end)).cmp(&(b.0.start, std::cmp::Reverse(b.0.end)))
    });
    let mut out: Vec<InstitutionMention> = Vec::new();
    for (span, key, kind) in found {
        if let Some(last) = out.last_mut() {
            if last.span == span {
                // The same words name two records: ambiguous.
                let mut keys = match &last.link {
                    Link::Known(k) => vec![k.clone()],
                    Link::Ambiguous(ks) => ks.clone(),
                    Link::Unknown => vec![],
                };
                keys.push(key);
                keys.sort();
                last.link = Link::Ambiguous(keys);
                continue;
            }
            if span.start < last.span.end {
                continue;
            }
        }
        out.push(InstitutionMention {
            span,
            link: Link::Known(key),
            kind,
        });
    }
    out
}

fn literal_dates(text: &str, body: Span, anchor: &Anchor) -> Vec<DateMention> {
    let anchor_date = match anchor {
        Anchor::Published(d) | Anchor::Dct(d) | Anchor::Dateline(d) => Some(*d),
        Anchor::None => None,
    };
    let resolution = |d: Date| match anchor {
        Anchor::Published(_) => Resolution::Published(d),
        Anchor::Dct(_) => Resolution::Dct(d),
        _ => Resolution::Dateline(d),
    };
    let mut out = Vec::new();
    for s in find_all(text, body, "October 15th") {
        out.push(match anchor_date {
            Some(a) => DateMention {
                span: s,
                kind: TimexType::Date,
                value: Some(format!("{}-10-15", a.year)),
                granularity: Granularity::Day,
                resolution: resolution(a),
                boilerplate: false,
                explanation: "October 15 of the anchor's year".into(),
            },
            None => DateMention {
                span: s,
                kind: TimexType::Date,
                value: None,
                granularity: Granularity::Day,
                resolution: Resolution::Unresolved("no publication date".into()),
                boilerplate: false,
                explanation: String::new(),
            },
        });
    }
    for s in find_all(text, body, "yesterday") {
        if let Some(a) = anchor_date {
            out.push(DateMention {
                span: s,
                kind: TimexType::Date,
                value: Some(a.add_days(-1).iso()),
                granularity: Granularity::Day,
                resolution: resolution(a),
                boilerplate: false,
                explanation: "the day before the anchor".into(),
            });
        }
    }
    for s in find_all(text, body, "2019年10月15日") {
        out.push(DateMention {
            span: s,
            kind: TimexType::Date,
            value: Some("2019-10-15".into()),
            granularity: Granularity::Day,
            resolution: Resolution::Explicit,
            boilerplate: false,
            explanation: "written in full".into(),
        });
    }
    out.sort_by_key(|d| d.span.start);
    out
}

pub fn test_options() -> ServerOptions {
    ServerOptions {
        gazetteer: Some(Arc::new(test_gazetteer())),
        today: Date::new(2024, 6, 1),
        analyser: Some(test_analyser()),
    }
}
