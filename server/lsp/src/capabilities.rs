//! What the server announces, and what the client said it supports (read once at
//! `initialize`, as plain flags).

use marginalia_core::text::Encoding;
use serde_json::Value;
use tower_lsp_server::lsp_types::*;

use crate::handlers::semantic_tokens;

/// The code action kind of "apply every safe fix".
pub const FIX_ALL_KIND: &str = "source.fixAll.marginalia";
/// The code action kind of "Annotate article".
pub const ANNOTATE_KIND: &str = "source.marginalia.annotate";

/// The client's capabilities that change what we send.
#[derive(Clone, Debug, Default)]
pub struct ClientFeatures {
    pub encoding: Encoding,
    pub document_changes: bool,
    pub work_done_progress: bool,
    pub watch_registration: bool,
    pub configuration: bool,
    pub hierarchical_symbols: bool,
    pub code_action_disabled: bool,
    /// Diagnostics are pulled (`textDocument/diagnostic`, `workspace/diagnostic`), never
    /// pushed: the client declares pull support *and* `workspace/diagnostic/refresh`. See
    /// [`pulls_diagnostics`].
    pub pull_diagnostics: bool,
    pub inlay_hint_refresh: bool,
    pub semantic_tokens_refresh: bool,
    pub markdown: bool,
    pub link_tooltip: bool,
}

impl ClientFeatures {
    pub fn from_params(params: &InitializeParams) -> ClientFeatures {
        let caps = serde_json::to_value(&params.capabilities).unwrap_or(Value::Null);
        let flag = |path: &str| caps.pointer(path).and_then(Value::as_bool).unwrap_or(false);
        let markdown = caps
            .pointer("/textDocument/hover/contentFormat")
            .and_then(Value::as_array)
            .is_some_and(|formats| formats.iter().any(|f| f == "markdown"));
        ClientFeatures {
            encoding: negotiate_encoding(params),
            document_changes: flag("/workspace/workspaceEdit/documentChanges"),
            work_done_progress: flag("/window/workDoneProgress"),
            watch_registration: flag("/workspace/didChangeWatchedFiles/dynamicRegistration"),
            configuration: flag("/workspace/configuration"),
            hierarchical_symbols: flag(
                "/textDocument/documentSymbol/hierarchicalDocumentSymbolSupport",
            ),
            code_action_disabled: flag("/textDocument/codeAction/disabledSupport"),
            pull_diagnostics: pulls_diagnostics(&caps),
            inlay_hint_refresh: flag("/workspace/inlayHint/refreshSupport"),
            semantic_tokens_refresh: flag("/workspace/semanticTokens/refreshSupport"),
            markdown,
            link_tooltip: flag("/textDocument/documentLink/tooltipSupport"),
        }
    }
}

/// Whether diagnostics go to this client by pull only. A client shows pushed and pulled
/// diagnostics side by side (VS Code in two collections, Neovim in two namespaces), so the
/// server uses one model per client:
///
/// - pull when the client declares `textDocument.diagnostic` and
///   `workspace.diagnostics.refreshSupport` (VS Code): `diagnosticProvider` is announced,
///   nothing is published, and `workspace/diagnostic/refresh` tells the client when results
///   changed without an edit (settings, `marginalia.toml`, gazetteer, indexing);
/// - push otherwise (Neovim 0.10, eglot, ALE, …), including clients that can pull but cannot
///   be told to pull again (Neovim 0.11 pulls only after its own `didOpen`/`didChange`): for
///   them `diagnosticProvider` is not announced, so they do not pull, and every change reaches
///   them by `publishDiagnostics`.
///
/// Either way the server answers `textDocument/diagnostic` and `workspace/diagnostic` when asked.
fn pulls_diagnostics(caps: &Value) -> bool {
    let declares_pull = caps
        .pointer("/textDocument/diagnostic")
        .is_some_and(Value::is_object);
    // `diagnostic`: the field as lsp-types names it (see `spec_workspace_diagnostics`).
    let refresh = caps
        .pointer("/workspace/diagnostic/refreshSupport")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    declares_pull && refresh
}

/// lsp-types 0.97 reads the client's workspace diagnostic capabilities from
/// `capabilities.workspace.diagnostic`, but the specification (and every client) sends
/// `capabilities.workspace.diagnostics`, which the typed `InitializeParams` then drops, losing
/// `refreshSupport`. The transport calls this on the raw `initialize` params before
/// tower-lsp-server parses them: it copies `diagnostics` to `diagnostic`. Returns whether it
/// changed anything.
pub fn spec_workspace_diagnostics(params: &mut Value) -> bool {
    let Some(workspace) = params
        .pointer_mut("/capabilities/workspace")
        .and_then(Value::as_object_mut)
    else {
        return false;
    };
    match workspace.get("diagnostics") {
        Some(v) if v.is_object() && !workspace.contains_key("diagnostic") => {
            let v = v.clone();
            workspace.insert("diagnostic".into(), v);
            true
        }
        _ => false,
    }
}

/// LSP 3.17: pick from `general.positionEncodings`; UTF-16 when the client offers nothing.
/// UTF-8 is preferred when offered (our offsets are bytes, so it costs nothing), then UTF-16,
/// the one every client understands, then UTF-32.
pub fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered: Vec<Encoding> = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .map(|list| {
            list.iter()
                .filter_map(|k| Encoding::from_lsp_name(k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32]
        .into_iter()
        .find(|e| offered.contains(e))
        .unwrap_or(Encoding::Utf16)
}

pub fn position_encoding_kind(encoding: Encoding) -> PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// The server's capabilities for a client.
pub fn server_capabilities(features: &ClientFeatures) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(position_encoding_kind(features.encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: None,
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), "-".into()]),
            resolve_provider: Some(false),
            ..Default::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(FIX_ALL_KIND),
                CodeActionKind::from(ANNOTATE_KIND),
            ]),
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: semantic_tokens::legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                work_done_progress_options: Default::default(),
            },
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        diagnostic_provider: features.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("marginalia".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(encodings: Option<Vec<&str>>) -> InitializeParams {
        InitializeParams {
            capabilities: ClientCapabilities {
                general: encodings.map(|list| GeneralClientCapabilities {
                    position_encodings: Some(
                        list.into_iter()
                            .map(|s| PositionEncodingKind::from(s.to_string()))
                            .collect(),
                    ),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn diagnostics_are_pulled_only_by_clients_that_can_be_asked_to_pull_again() {
        use serde_json::json;
        let features = |caps: Value| {
            let mut raw = json!({"processId": null, "rootUri": null, "capabilities": caps});
            spec_workspace_diagnostics(&mut raw);
            let params: InitializeParams = serde_json::from_value(raw).unwrap();
            let f = ClientFeatures::from_params(&params);
            let announced = server_capabilities(&f).diagnostic_provider.is_some();
            (f.pull_diagnostics, announced)
        };
        // VS Code (vscode-languageclient 9).
        let vscode = json!({
            "textDocument": {"diagnostic": {"dynamicRegistration": true, "relatedDocumentSupport": false}},
            "workspace": {"diagnostics": {"refreshSupport": true}}
        });
        assert_eq!(features(vscode), (true, true));
        // Neovim 0.11: pulls after its own didOpen/didChange, cannot be asked to pull again.
        let nvim = json!({
            "textDocument": {"diagnostic": {"dynamicRegistration": false}},
            "workspace": {"inlayHint": {"refreshSupport": true}}
        });
        assert_eq!(features(nvim), (false, false));
        // eglot, ALE: no pull at all.
        let eglot = json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}}});
        assert_eq!(features(eglot), (false, false));
        // Refresh without pull is still push.
        let odd = json!({"workspace": {"diagnostics": {"refreshSupport": true}}});
        assert_eq!(features(odd), (false, false));
    }

    #[test]
    fn encoding_defaults_to_utf16_and_prefers_utf8() {
        assert_eq!(negotiate_encoding(&params(None)), Encoding::Utf16);
        assert_eq!(negotiate_encoding(&params(Some(vec![]))), Encoding::Utf16);
        assert_eq!(
            negotiate_encoding(&params(Some(vec!["utf-16", "utf-8"]))),
            Encoding::Utf8
        );
        assert_eq!(
            negotiate_encoding(&params(Some(vec!["utf-32"]))),
            Encoding::Utf32
        );
        assert_eq!(
            negotiate_encoding(&params(Some(vec!["latin-1"]))),
            Encoding::Utf16
        );
    }
}
