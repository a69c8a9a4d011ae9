//! The JSON-RPC transport: Content-Length framing over the client's streams, feeding
//! tower-lsp-server's service the way its own `Server` does (handlers polled in arrival order),
//! with three differences.
//!
//! - A bad message never ends the session. tower-lsp-server decodes with a tokio-util
//!   `FramedRead`, which ends the stream after the first decoding error. Here a malformed
//!   message (not JSON, no `Content-Length`, not a JSON-RPC shape) is replaced by a request to
//!   `marginalia/invalidMessage`, whose handler answers with the JSON-RPC error (parse error
//!   -32700 or invalid request -32600, with the original id when it could be read).
//! - Memory. Each message is read into a buffer of its own size and dropped once parsed, and
//!   written in pieces: no frame buffer grows to the largest message of the session and stays
//!   (a 2 MB `didOpen` left 4 MB in `FramedRead`, a 2 MB article's diagnostics 4 MB in
//!   `FramedWrite` and tokio's stdout). The server may also queue messages it serialised
//!   itself ([`Outbox`]), and hand over request results it serialised itself for the
//!   response (pulled diagnostics, see [`Outbox::prepare`]), past tower-lsp-server's
//!   `serde_json::Value` conversion.
//! - It mends the one place where lsp-types departs from the specification on input: the
//!   `initialize` request's `capabilities.workspace.diagnostics` (see
//!   [`crate::capabilities::spec_workspace_diagnostics`]).

use futures::channel::mpsc as fmpsc;
use futures::{future, stream, SinkExt, StreamExt};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::{mpsc, Notify};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tower_lsp_server::ClientSocket;
use tower_service::Service;

/// Messages larger than this are discarded (and answered with an error) rather than buffered.
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

pub const INVALID_MESSAGE_METHOD: &str = "marginalia/invalidMessage";

/// What the pump knows about a bad message.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct InvalidMessage {
    pub code: i64,
    pub message: String,
}

/// The largest piece handed to the output (or asked of the input) at once. tokio's stdin and
/// stdout copy each call's bytes through a buffer that grows to the call's size (up to 2 MB)
/// and keeps it: in pieces, a 2 MB message costs 64 KiB of buffer, not 2 MB for the session.
const PIECE: usize = 64 * 1024;

/// How many messages may wait for the output before their senders wait.
const OUTBOX_SIZE: usize = 32;

/// The same as tower-lsp-server's `Server`: up to four handlers polled at once, in arrival
/// order (which keeps `didChange` in order, see `server`), and at most 100 waiting.
const MAX_CONCURRENCY: usize = 4;
const MESSAGE_QUEUE_SIZE: usize = 100;

/// Serialised JSON-RPC messages for the output, in order. Holding one lets the server write a
/// large notification (a 2 MB article's diagnostics) straight from its types: through
/// `Client`, the parameters become a `serde_json::Value` tree first (about ten times the
/// JSON's size).
///
/// It also carries large request results past tower-lsp-server's `Value` conversion
/// ([`Outbox::prepare`]): the handler serialises the result itself and returns a placeholder
/// naming it; the transport writes the serialised result in the placeholder's stead. The
/// request still goes through the service as any other, so its ordering, errors (not
/// initialised, shut down, invalid parameters) and cancellation are tower-lsp-server's.
#[derive(Clone, Debug)]
pub struct Outbox {
    tx: mpsc::Sender<Vec<u8>>,
    prepared: Arc<Prepared>,
}

/// Results serialised by handlers, waiting for their response (keyed by [`PREPARED`] keys).
#[derive(Debug, Default)]
struct Prepared {
    next: AtomicU64,
    /// Each the start of a response body, `{"jsonrpc":"2.0","result":<result>`.
    bodies: Mutex<HashMap<u64, Vec<u8>>>,
}

/// The start of the key that marks a placeholder result (in its `resultId`): no real
/// `resultId` looks like it (they are numbers).
const PREPARED: &str = "marginalia/prepared#";

impl Outbox {
    /// Queues one message (its JSON body); false when the output is gone.
    pub async fn send(&self, body: Vec<u8>) -> bool {
        self.tx.send(body).await.is_ok()
    }

    /// Keeps the result of the request being handled, `result` (its JSON), to be sent in
    /// place of a placeholder result holding the returned key as its `resultId` (at the top
    /// or as the only item's): `{"resultId": key, …}` or `{"items": [{"resultId": key, …}]}`.
    /// The handler must return the placeholder without waiting after this (so that a
    /// cancellation cannot come between).
    pub fn prepare(&self, result: &[u8]) -> String {
        let mut body = Vec::with_capacity(result.len() + 48);
        body.extend_from_slice(br#"{"jsonrpc":"2.0","result":"#);
        body.extend_from_slice(result);
        let key = self.prepared.next.fetch_add(1, Ordering::Relaxed);
        self.prepared
            .bodies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, body);
        format!("{PREPARED}{key}")
    }

    /// The body of `response`: its prepared result when it is a placeholder.
    fn body_of(&self, response: &Response) -> Vec<u8> {
        let Some(key) = response.result().and_then(placeholder_key) else {
            return to_body(response);
        };
        let prepared = self
            .prepared
            .bodies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
        let Some(mut body) = prepared else {
            return to_body(response);
        };
        body.extend_from_slice(br#","id":"#);
        if serde_json::to_writer(&mut body, response.id()).is_err() {
            return to_body(response);
        }
        body.push(b'}');
        body
    }
}

/// The key of a placeholder result (see [`Outbox::prepare`]).
fn placeholder_key(result: &Value) -> Option<u64> {
    let holder = match result.get("items").and_then(Value::as_array) {
        Some(items) if items.len() == 1 => items.first()?,
        _ => result,
    };
    holder
        .get("resultId")?
        .as_str()?
        .strip_prefix(PREPARED)?
        .parse()
        .ok()
}

/// tower-lsp-server's `Server::serve` with our framing: messages are read one at a time into
/// a buffer of their own size (no growing frame buffer kept for the session), malformed ones
/// become `marginalia/invalidMessage` requests instead of ending the session, and the output
/// also takes already serialised messages from the [`Outbox`] given to `install`.
pub async fn serve<I, O, S>(
    input: I,
    output: O,
    mut service: S,
    socket: ClientSocket,
    install: impl FnOnce(Outbox),
) where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
    S: Service<Request, Response = Option<Response>>,
    S::Error: std::fmt::Display,
{
    let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(OUTBOX_SIZE);
    let outbox = Outbox {
        tx: out_tx.clone(),
        prepared: Arc::default(),
    };
    install(outbox.clone());
    let (client_requests, mut client_responses) = socket.split();
    let (client_requests, client_abort) = stream::abortable(client_requests);
    let (mut tasks_tx, tasks_rx) = fmpsc::channel(MESSAGE_QUEUE_SIZE);
    let done = Notify::new();

    let process_tasks = tasks_rx
        .buffer_unordered(MAX_CONCURRENCY)
        .filter_map(future::ready)
        .for_each(|response: Response| {
            let out = outbox.clone();
            async move {
                let body = out.body_of(&response);
                drop(response);
                let _ = out.send(body).await;
            }
        });
    let requests_out = out_tx.clone();
    let forward_requests = client_requests.for_each(|request: Request| {
        let out = requests_out.clone();
        async move {
            let _ = out.send(to_body(&request)).await;
        }
    });
    let errors_out = out_tx;

    let read_input = async {
        let mut r = BufReader::new(input);
        while let Some((body, kind)) = read_message(&mut r).await {
            match kind {
                Kind::Request => {
                    let request = match serde_json::from_slice::<Request>(&body) {
                        Ok(r) => r,
                        Err(e) => {
                            drop(body);
                            let error = Error {
                                code: ErrorCode::InvalidRequest,
                                message: format!("not a JSON-RPC request: {e}").into(),
                                data: None,
                            };
                            let response = Response::from_error(Id::Null, error);
                            let _ = errors_out.send(to_body(&response)).await;
                            continue;
                        }
                    };
                    drop(body);
                    if future::poll_fn(|cx| service.poll_ready(cx)).await.is_err() {
                        break;
                    }
                    let will_exit = request.method() == "exit";
                    let call = service.call(request);
                    let task = async move { call.await.ok().flatten() };
                    let _ = tasks_tx.send(task).await;
                    if will_exit {
                        break;
                    }
                }
                Kind::Response => {
                    let Ok(response) = serde_json::from_slice::<Response>(&body) else {
                        continue; // a reply to nothing we can match: nobody waits for it
                    };
                    if client_responses.send(response).await.is_err() {
                        break;
                    }
                }
            }
        }
        tasks_tx.disconnect();
        client_abort.abort();
    };

    let write_output = async {
        let mut out = std::pin::pin!(output);
        let (mut closing, mut failed) = (false, false);
        loop {
            let body = if closing {
                out_rx.recv().await
            } else {
                tokio::select! {
                    b = out_rx.recv() => b,
                    () = done.notified() => {
                        // No new messages; what is queued still goes out.
                        out_rx.close();
                        closing = true;
                        continue;
                    }
                }
            };
            let Some(body) = body else { break };
            if !failed && write_message(&mut out, &body).await.is_err() {
                // The client is gone: senders are told so (none waits on a full queue), and
                // what is queued is dropped.
                out_rx.close();
                (closing, failed) = (true, true);
            }
        }
    };

    let inputs = async {
        futures::join!(process_tasks, forward_requests, read_input);
        done.notify_one();
    };
    futures::join!(inputs, write_output);
}

fn to_body<T: serde::Serialize>(message: &T) -> Vec<u8> {
    // Requests and responses are JSON trees of strings and numbers: serialising cannot fail.
    serde_json::to_vec(message).unwrap_or_default()
}

async fn write_message<O: AsyncWrite + Unpin>(out: &mut O, body: &[u8]) -> std::io::Result<()> {
    // The header goes with the first piece: each write to tokio's stdout waits for the one
    // before, so a separate header would add a round trip to every message.
    let mut first = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    let (head, rest) = body.split_at(body.len().min(PIECE.saturating_sub(first.len())));
    first.extend_from_slice(head);
    out.write_all(&first).await?;
    for piece in rest.chunks(PIECE) {
        out.write_all(piece).await?;
    }
    out.flush().await
}

/// What a well-formed message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Request,
    Response,
}

/// The next message's body (a malformed one replaced by an `invalidMessage` request), or
/// `None` at the end of the input.
async fn read_message<R: AsyncBufRead + Unpin>(r: &mut R) -> Option<(Vec<u8>, Kind)> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        match r.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                length = value.trim().parse().ok();
            }
            // Content-Type and others: the body is UTF-8 JSON in any case. A line that is no
            // header at all leaves the length unknown only if no Content-Length comes.
            _ => {}
        }
    }
    Some(match length {
        None => (
            invalid(
                -32700,
                "a message header without a valid Content-Length",
                Value::Null,
            ),
            Kind::Request,
        ),
        Some(n) if n > MAX_MESSAGE => {
            discard(r, n).await.ok()?;
            (
                invalid(
                    -32600,
                    &format!("a message of {n} bytes is larger than {MAX_MESSAGE}"),
                    Value::Null,
                ),
                Kind::Request,
            )
        }
        Some(n) => {
            let mut body = vec![0; n];
            for piece in body.chunks_mut(PIECE) {
                r.read_exact(piece).await.ok()?;
            }
            check_message(body)
        }
    })
}

async fn discard<R: AsyncRead + Unpin>(r: &mut R, mut n: usize) -> std::io::Result<()> {
    let mut buf = vec![0; 64 * 1024];
    while n > 0 {
        let want = n.min(buf.len());
        let got = r.read(&mut buf[..want]).await?;
        if got == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        n -= got;
    }
    Ok(())
}

/// The shape of a JSON-RPC message, read without building its params. A member that is
/// present counts even when it is `null` (`"result": null` is a response).
#[derive(Deserialize)]
struct Shape {
    jsonrpc: Option<String>,
    method: Option<Value>,
    #[serde(default, deserialize_with = "some_value")]
    id: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    result: bool,
    #[serde(default, deserialize_with = "present")]
    error: bool,
    #[allow(dead_code)]
    params: Option<IgnoredAny>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

fn some_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The body unchanged when it is a JSON-RPC message, else the replacement request.
#[cfg(test)]
fn check(body: Vec<u8>) -> Vec<u8> {
    check_message(body).0
}

/// [`check`], with what the message is.
fn check_message(body: Vec<u8>) -> (Vec<u8>, Kind) {
    let shape: Shape = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            // Valid JSON of another shape (an array, a number) is an invalid request.
            let code = if serde_json::from_slice::<IgnoredAny>(&body).is_ok() {
                -32600
            } else {
                -32700
            };
            let message = format!("not a JSON-RPC message: {e}");
            return (invalid(code, &message, Value::Null), Kind::Request);
        }
    };
    let id = shape.id.clone().unwrap_or(Value::Null);
    if shape.jsonrpc.as_deref() != Some("2.0") {
        let message = "the message lacks `\"jsonrpc\": \"2.0\"`";
        return (invalid(-32600, message, id), Kind::Request);
    }
    let id_ok = matches!(
        shape.id,
        None | Some(Value::Number(_) | Value::String(_) | Value::Null)
    );
    let request = |b| (b, Kind::Request);
    match (&shape.method, shape.result || shape.error) {
        (Some(Value::String(m)), _) if id_ok && m == "initialize" => request(mend_initialize(body)),
        (Some(Value::String(_)), _) if id_ok => request(body),
        (None, true) if id_ok && shape.id.is_some() => (body, Kind::Response),
        (Some(_), _) if !id_ok => request(invalid(
            -32600,
            "the message's `id` must be a number or a string",
            Value::Null,
        )),
        (Some(_), _) => request(invalid(
            -32600,
            "the message's `method` must be a string",
            id,
        )),
        (None, _) => request(invalid(
            -32600,
            "the message has neither a `method` nor a `result`/`error`",
            id,
        )),
    }
}

/// The `initialize` request with the workspace diagnostic capabilities where lsp-types reads
/// them (unchanged when there is nothing to mend).
fn mend_initialize(body: Vec<u8>) -> Vec<u8> {
    let Ok(mut message) = serde_json::from_slice::<Value>(&body) else {
        return body;
    };
    let Some(params) = message.get_mut("params") else {
        return body;
    };
    if !crate::capabilities::spec_workspace_diagnostics(params) {
        return body;
    }
    serde_json::to_vec(&message).unwrap_or(body)
}

fn invalid(code: i64, message: &str, id: Value) -> Vec<u8> {
    let id = match id {
        Value::Number(_) | Value::String(_) => id,
        _ => Value::Null,
    };
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": INVALID_MESSAGE_METHOD,
        "params": InvalidMessage { code, message: message.to_string() },
    }))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method_of(v: &[u8]) -> Value {
        serde_json::from_slice::<Value>(v).unwrap()["method"].clone()
    }

    #[test]
    fn good_messages_pass_bad_ones_become_errors() {
        let good = br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#.to_vec();
        assert_eq!(check(good.clone()), good);
        let response = br#"{"jsonrpc":"2.0","id":1,"result":null}"#.to_vec();
        assert_eq!(check(response.clone()), response);
        let notification = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#.to_vec();
        assert_eq!(check(notification.clone()), notification);
        for bad in [
            &b"{not json"[..],
            b"[1,2]",
            br#"{"id":3,"method":"x"}"#,
            br#"{"jsonrpc":"2.0","id":{},"method":"x"}"#,
            br#"{"jsonrpc":"2.0","id":3}"#,
        ] {
            assert_eq!(
                method_of(&check(bad.to_vec())),
                json!(INVALID_MESSAGE_METHOD),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let v: Value =
            serde_json::from_slice(&check(br#"{"jsonrpc":"2.0","id":7,"method":5}"#.to_vec()))
                .unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["params"]["code"], -32600);
        let v: Value = serde_json::from_slice(&check(b"{oops".to_vec())).unwrap();
        assert_eq!(v["params"]["code"], -32700);
    }

    #[test]
    fn initialize_gets_workspace_diagnostics_where_lsp_types_reads_them() {
        let vscode = br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{"workspace":{"diagnostics":{"refreshSupport":true}}}}}"#;
        let v: Value = serde_json::from_slice(&check(vscode.to_vec())).unwrap();
        assert_eq!(
            v["params"]["capabilities"]["workspace"],
            json!({"diagnostics": {"refreshSupport": true}, "diagnostic": {"refreshSupport": true}})
        );
        let params: tower_lsp_server::lsp_types::InitializeParams =
            serde_json::from_value(v["params"].clone()).unwrap();
        let refresh = params
            .capabilities
            .workspace
            .and_then(|w| w.diagnostic)
            .and_then(|d| d.refresh_support);
        assert_eq!(refresh, Some(true));
        // Nothing to mend: the very same bytes.
        let eglot = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"workspace":{"applyEdit":true}}}}"#;
        assert_eq!(check(eglot.to_vec()), eglot.to_vec());
    }

    #[test]
    fn prepared_results_replace_their_placeholders_once() {
        let (tx, _rx) = mpsc::channel(1);
        let outbox = Outbox {
            tx,
            prepared: Arc::default(),
        };
        let result = json!({"kind": "full", "resultId": "12", "items": [{"message": "昆明 😀"}]});
        let key = outbox.prepare(&serde_json::to_vec(&result).unwrap());
        let other = outbox.prepare(br#"{"items":[]}"#);
        assert_ne!(key, other);
        let placeholder =
            Response::from_ok(Id::Number(5), json!({"kind": "unchanged", "resultId": key}));
        let body: Value = serde_json::from_slice(&outbox.body_of(&placeholder)).unwrap();
        assert_eq!(body, json!({"jsonrpc": "2.0", "result": result, "id": 5}));
        // Taken: the same placeholder again is sent as it is (it cannot happen, but nothing
        // is sent twice), and so are results that are no placeholders.
        let again: Value = serde_json::from_slice(&outbox.body_of(&placeholder)).unwrap();
        assert_eq!(again["result"]["resultId"], json!(key));
        let plain = Response::from_ok(
            Id::String("a".into()),
            json!({"kind": "unchanged", "resultId": "12"}),
        );
        assert_eq!(outbox.body_of(&plain), to_body(&plain));
        // The workspace form: the only item's resultId.
        let ws = Response::from_ok(
            Id::String("w".into()),
            json!({"items": [{"kind": "unchanged", "uri": "marginalia:prepared", "version": null, "resultId": other}]}),
        );
        let body: Value = serde_json::from_slice(&outbox.body_of(&ws)).unwrap();
        assert_eq!(
            body,
            json!({"jsonrpc": "2.0", "result": {"items": []}, "id": "w"})
        );
        let error = Response::from_error(Id::Number(6), Error::request_cancelled());
        assert_eq!(outbox.body_of(&error), to_body(&error));
        assert!(outbox.prepared.bodies.lock().unwrap().is_empty());
    }
}
