//! Input framing that never ends the session on a bad message.
//!
//! tower-lsp-server decodes with a tokio-util `FramedRead`, which ends the stream after the
//! first decoding error: one malformed message (not JSON, no `Content-Length`, not a JSON-RPC
//! shape) would stop the server. This pump sits in front of it: well-formed messages are
//! forwarded unchanged and in order; a malformed one is replaced by a request to
//! `marginalia/invalidMessage`, whose handler answers with the JSON-RPC error (parse error
//! -32700 or invalid request -32600, with the original id when it could be read).
//!
//! It also mends the one place where lsp-types departs from the specification on input: the
//! `initialize` request's `capabilities.workspace.diagnostics` (see
//! [`crate::capabilities::spec_workspace_diagnostics`]).

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// Messages larger than this are discarded (and answered with an error) rather than buffered.
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

pub const INVALID_MESSAGE_METHOD: &str = "marginalia/invalidMessage";

/// What the pump knows about a bad message.
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct InvalidMessage {
    pub code: i64,
    pub message: String,
}

/// Starts the pump; returns what tower-lsp-server should read.
pub fn sanitize<I>(input: I) -> DuplexStream
where
    I: AsyncRead + Unpin + Send + 'static,
{
    let (reader, writer) = tokio::io::duplex(1 << 16);
    tokio::spawn(pump(input, writer));
    reader
}

async fn pump<I: AsyncRead + Unpin>(input: I, mut out: DuplexStream) {
    let mut r = BufReader::new(input);
    loop {
        let mut length: Option<usize> = None;
        let mut bad_header = false;
        let mut saw_header = false;
        loop {
            let mut line = Vec::new();
            match r.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return, // end of input: tower-lsp sees it too
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
                    bad_header |= length.is_none();
                }
                Some(_) => {} // Content-Type and others: the body is UTF-8 JSON in any case
                None => bad_header = true,
            }
        }
        let forwarded = match length {
            None => invalid(
                -32700,
                "a message header without a valid Content-Length",
                Value::Null,
            ),
            Some(n) if n > MAX_MESSAGE => {
                if discard(&mut r, n).await.is_err() {
                    return;
                }
                invalid(
                    -32600,
                    &format!("a message of {n} bytes is larger than {MAX_MESSAGE}"),
                    Value::Null,
                )
            }
            Some(n) => {
                let mut body = vec![0; n];
                if r.read_exact(&mut body).await.is_err() {
                    return;
                }
                let _ = bad_header;
                check(body)
            }
        };
        let header = format!("Content-Length: {}\r\n\r\n", forwarded.len());
        if out.write_all(header.as_bytes()).await.is_err()
            || out.write_all(&forwarded).await.is_err()
        {
            return; // the server is gone
        }
    }
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
fn check(body: Vec<u8>) -> Vec<u8> {
    let shape: Shape = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            // Valid JSON of another shape (an array, a number) is an invalid request.
            let code = if serde_json::from_slice::<IgnoredAny>(&body).is_ok() {
                -32600
            } else {
                -32700
            };
            return invalid(code, &format!("not a JSON-RPC message: {e}"), Value::Null);
        }
    };
    let id = shape.id.clone().unwrap_or(Value::Null);
    if shape.jsonrpc.as_deref() != Some("2.0") {
        return invalid(-32600, "the message lacks `\"jsonrpc\": \"2.0\"`", id);
    }
    let id_ok = matches!(
        shape.id,
        None | Some(Value::Number(_) | Value::String(_) | Value::Null)
    );
    match (&shape.method, shape.result || shape.error) {
        (Some(Value::String(m)), _) if id_ok && m == "initialize" => mend_initialize(body),
        (Some(Value::String(_)), _) if id_ok => body,
        (None, true) if id_ok && shape.id.is_some() => body,
        (Some(_), _) if !id_ok => invalid(
            -32600,
            "the message's `id` must be a number or a string",
            Value::Null,
        ),
        (Some(_), _) => invalid(-32600, "the message's `method` must be a string", id),
        (None, _) => invalid(
            -32600,
            "the message has neither a `method` nor a `result`/`error`",
            id,
        ),
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
}
