//! marginalia-lsp: the language server. The only crate that knows about `lsp-types`.
//!
//! It serves [`marginalia_core::analyse`] (the same pipeline `marginalia check` runs) to any
//! LSP client over stdio. Layout:
//! - [`server`]: the `LanguageServer` implementation: document sync, scheduling, dispatch;
//! - `documents`: open documents (ropes) and the cached analysis of each version;
//! - `convert`: the one place converting core spans/findings to and from LSP types, in the
//!   negotiated position encoding;
//! - `capabilities`: what we announce and what the client supports;
//! - `workspace`: the corpus on disk (configuration, gazetteer, background index);
//! - `handlers`: one module per feature, pure functions from a snapshot to LSP results.
//!
//! Positions on the wire are in the negotiated encoding (utf-8, utf-16 or utf-32); inside,
//! everything is a byte offset into the document's text, as in the core crate.
#![warn(clippy::print_stdout)]
// `Uri` caches its parts internally; its hash and equality use the text only, as
// `lsp_types::WorkspaceEdit::changes` (a `HashMap<Uri, _>`) itself relies on.
#![allow(clippy::mutable_key_type)]

mod capabilities;
mod convert;
mod documents;
mod handlers;
mod publish;
pub mod server;
mod settings;
mod transport;
mod workspace;

pub use convert::CATALOGUE_URL;
pub use server::{Analyser, Backend, ServerOptions};

use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::LspService;

/// Serves the protocol on `input`/`output` until `exit` (or the end of the input). Returns the
/// process exit code the specification asks for: 0 when `shutdown` came before `exit`, 1
/// otherwise.
pub async fn serve<I, O>(input: I, output: O) -> i32
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    serve_with(input, output, ServerOptions::default()).await
}

/// [`serve`] with options (a fixed gazetteer, "today", another analysis function): for tests
/// and embedders.
pub async fn serve_with<I, O>(input: I, output: O, options: ServerOptions) -> i32
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    let (service, socket) = server::build_service(options);
    let shared = service.inner().shared();
    // A malformed message must not end the session; large messages leave no buffers behind
    // (see `transport`).
    let outbox = Arc::clone(&shared);
    transport::serve(input, output, service, socket, move |o| {
        outbox.set_outbox(o)
    })
    .await;
    shared.exit_code()
}

/// `marginalia lsp [--stdio]`: serves on the process's stdin/stdout and returns the exit code.
pub fn run_stdio() -> i32 {
    tune_malloc();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("marginalia lsp: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let code = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Background indexing or an analysis may still run; the process is leaving anyway.
    runtime.shutdown_background();
    code
}

/// Builds the service without a transport (for embedders that bring their own).
pub fn service(options: ServerOptions) -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    server::build_service(options)
}

/// glibc gives each thread that allocates its own arena (up to 8 per core): the analyses of a
/// large document, run on whichever blocking thread is free, then leave their freed memory in
/// several arenas, and the resident size grows to several times what is live (measured: a
/// session with a 2 MB article peaked at 159 MB with the default, 71 MB with one arena, at no
/// cost in latency: the server allocates from one thread at a time).
///
/// glibc also raises its mmap threshold (from 128 KiB up to 32 MiB) each time a large block
/// is freed, so that the large vectors of each analysis (several MB for a 2 MB article) come
/// from the heap, where they leave holes that the next analysis does not fit: fixing the
/// threshold at its default keeps them in their own mappings, given back when freed
/// (measured on that session, before the other savings of issue 7 were complete: 57 MB → 52
/// MB). Called before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    extern "C" {
        fn mallopt(param: std::os::raw::c_int, value: std::os::raw::c_int) -> std::os::raw::c_int;
    }
    /// `M_ARENA_MAX` and `M_MMAP_THRESHOLD` in glibc's `malloc.h`.
    const M_ARENA_MAX: std::os::raw::c_int = -8;
    const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
    // SAFETY: `mallopt` only sets allocator parameters; glibc documents it as callable at
    // any time, and no other thread exists yet.
    unsafe {
        mallopt(M_ARENA_MAX, 1);
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}
