//! Pulled diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`). Pushed ones are
//! published by the server's analysis loop from the same [`Snapshot::diagnostics`].
//!
//! The reports are built borrowing the snapshots' diagnostics, which they keep as their
//! JSON (`crate::publish`): [`DocumentReport::json`] and [`WorkspaceReport::json`] write the
//! same JSON as lsp-types' report types, the diagnostics copied as they are. The server
//! hands that to the transport (see `transport::Outbox::prepare`) rather than going through
//! tower-lsp-server's `serde_json::Value` conversion (17 MB at once for a 2 MB article's
//! 1.4 MB of diagnostics). [`DocumentReport::to_lsp`] and
//! [`WorkspaceReport::to_lsp`] give the lsp-types values for a transport that is not ours.

use super::View;
use crate::documents::Snapshot;
use crate::publish::push_json;
use marginalia_core::text::Encoding;
use std::sync::Arc;
use tower_lsp_server::lsp_types::*;

fn result_id(snap: &Snapshot) -> String {
    snap.id.to_string()
}

/// Diagnostics kept as JSON (see `crate::publish`) as lsp-types' values.
fn lsp_values(items: &[u8]) -> Vec<Diagnostic> {
    serde_json::from_slice(items).unwrap_or_default()
}

/// A `textDocument/diagnostic` report: lsp-types' `DocumentDiagnosticReportResult::Report`
/// (no related documents).
#[derive(Debug)]
pub enum DocumentReport<'a> {
    /// `items`: the diagnostics' JSON array.
    Full {
        result_id: String,
        items: &'a [u8],
    },
    Unchanged {
        result_id: String,
    },
}

/// The report of one document; `Unchanged` when the client already has this analysis.
pub fn document<'a>(v: &View<'a>, previous_result_id: Option<&str>) -> DocumentReport<'a> {
    let id = result_id(v.snap);
    if previous_result_id == Some(id.as_str()) {
        DocumentReport::Unchanged { result_id: id }
    } else {
        DocumentReport::Full {
            result_id: id,
            items: v.snap.diagnostics(v.enc),
        }
    }
}

impl DocumentReport<'_> {
    /// The report's JSON, as lsp-types' value serialises.
    pub fn json(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            DocumentReport::Full { result_id, items } => {
                out.reserve(items.len() + 48);
                out.extend_from_slice(br#"{"kind":"full","resultId":"#);
                push_json(&mut out, result_id);
                out.extend_from_slice(br#","items":"#);
                out.extend_from_slice(items);
            }
            DocumentReport::Unchanged { result_id } => {
                out.extend_from_slice(br#"{"kind":"unchanged","resultId":"#);
                push_json(&mut out, result_id);
            }
        }
        out.push(b'}');
        out
    }

    /// The same report as lsp-types' value (it copies the diagnostics).
    pub fn to_lsp(&self) -> DocumentDiagnosticReportResult {
        let report = match self {
            DocumentReport::Unchanged { result_id } => {
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: result_id.clone(),
                    },
                })
            }
            DocumentReport::Full { result_id, items } => {
                DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: Some(result_id.clone()),
                        items: lsp_values(items),
                    },
                })
            }
        };
        DocumentDiagnosticReportResult::Report(report)
    }
}

/// A `workspace/diagnostic` report: lsp-types' `WorkspaceDiagnosticReportResult::Report`.
#[derive(Debug)]
pub struct WorkspaceReport<'a> {
    items: Vec<WorkspaceItem<'a>>,
}

/// lsp-types' `WorkspaceDocumentDiagnosticReport` (`version` is `null` for a file that is not
/// open, as there).
#[derive(Debug)]
enum WorkspaceItem<'a> {
    /// `items`: the diagnostics' JSON array.
    Full {
        uri: &'a Uri,
        version: Option<i64>,
        result_id: String,
        items: &'a [u8],
    },
    Unchanged {
        uri: &'a Uri,
        version: Option<i64>,
        result_id: String,
    },
}

/// Every known article (open documents and the background index).
pub fn workspace<'a>(
    snaps: &'a [Arc<Snapshot>],
    previous: &[PreviousResultId],
    enc: Encoding,
) -> WorkspaceReport<'a> {
    let items = snaps
        .iter()
        .filter(|s| s.is_article)
        .map(|s| {
            let id = result_id(s);
            let unchanged = previous.iter().any(|p| p.uri == s.uri && p.value == id);
            let version = s.version.map(i64::from);
            if unchanged {
                WorkspaceItem::Unchanged {
                    uri: &s.uri,
                    version,
                    result_id: id,
                }
            } else {
                WorkspaceItem::Full {
                    uri: &s.uri,
                    version,
                    result_id: id,
                    items: s.diagnostics(enc),
                }
            }
        })
        .collect();
    WorkspaceReport { items }
}

impl WorkspaceReport<'_> {
    /// The report's JSON, as lsp-types' value serialises.
    pub fn json(&self) -> Vec<u8> {
        let size: usize = self
            .items
            .iter()
            .map(|i| match i {
                WorkspaceItem::Full { items, .. } => items.len() + 128,
                WorkspaceItem::Unchanged { .. } => 128,
            })
            .sum();
        let mut out = Vec::with_capacity(size + 16);
        out.extend_from_slice(br#"{"items":["#);
        for (k, item) in self.items.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            let (kind, uri, version, result_id, items) = match item {
                WorkspaceItem::Full {
                    uri,
                    version,
                    result_id,
                    items,
                } => ("full", uri, version, result_id, Some(items)),
                WorkspaceItem::Unchanged {
                    uri,
                    version,
                    result_id,
                } => ("unchanged", uri, version, result_id, None),
            };
            out.extend_from_slice(br#"{"kind":"#);
            push_json(&mut out, kind);
            out.extend_from_slice(br#","uri":"#);
            push_json(&mut out, uri.as_str());
            out.extend_from_slice(br#","version":"#);
            push_json(&mut out, version);
            out.extend_from_slice(br#","resultId":"#);
            push_json(&mut out, result_id);
            if let Some(items) = items {
                out.extend_from_slice(br#","items":"#);
                out.extend_from_slice(items);
            }
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
        out
    }

    /// The same report as lsp-types' value (it copies the diagnostics).
    pub fn to_lsp(&self) -> WorkspaceDiagnosticReportResult {
        let items = self
            .items
            .iter()
            .map(|item| match item {
                WorkspaceItem::Unchanged {
                    uri,
                    version,
                    result_id,
                } => WorkspaceDocumentDiagnosticReport::Unchanged(
                    WorkspaceUnchangedDocumentDiagnosticReport {
                        uri: (*uri).clone(),
                        version: *version,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id: result_id.clone(),
                        },
                    },
                ),
                WorkspaceItem::Full {
                    uri,
                    version,
                    result_id,
                    items,
                } => {
                    WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                        uri: (*uri).clone(),
                        version: *version,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(result_id.clone()),
                            items: lsp_values(items),
                        },
                    })
                }
            })
            .collect();
        WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// Two diagnostics as a snapshot keeps them (their JSON), and none.
    fn diagnostics() -> (Vec<u8>, Vec<u8>) {
        let range = Range::new(Position::new(1, 2), Position::new(1, 9));
        let list = vec![
            Diagnostic {
                range,
                severity: Some(DiagnosticSeverity::WARNING),
                code: Some(NumberOrString::String("MA0104".into())),
                source: Some("marginalia".into()),
                message: "清华大学 🎉 \"quoted\"".into(),
                data: Some(serde_json::json!({"fix": ["a", 1]})),
                ..Diagnostic::default()
            },
            Diagnostic::new_simple(range, String::new()),
        ];
        let none: Vec<Diagnostic> = Vec::new();
        (
            serde_json::to_vec(&list).unwrap(),
            serde_json::to_vec(&none).unwrap(),
        )
    }

    fn same_json<B: serde::Serialize>(ours: Vec<u8>, theirs: &B) {
        // Equal as text, not only as trees: the key order is the same too.
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            serde_json::to_string(theirs).unwrap()
        );
    }

    #[test]
    fn document_reports_serialise_as_lsp_types() {
        let (d, none) = diagnostics();
        for report in [
            DocumentReport::Full {
                result_id: "7".into(),
                items: &d,
            },
            DocumentReport::Full {
                result_id: "8".into(),
                items: &none,
            },
            DocumentReport::Unchanged {
                result_id: "9".into(),
            },
        ] {
            same_json(report.json(), &report.to_lsp());
        }
    }

    #[test]
    fn workspace_reports_serialise_as_lsp_types() {
        let (d, none) = diagnostics();
        let a = Uri::from_str("file:///w/a.md").unwrap();
        let b = Uri::from_str("file:///w/b%20c.md").unwrap();
        let report = WorkspaceReport {
            items: vec![
                WorkspaceItem::Full {
                    uri: &a,
                    version: Some(3),
                    result_id: "1".into(),
                    items: &d,
                },
                WorkspaceItem::Full {
                    uri: &b,
                    version: None,
                    result_id: "2".into(),
                    items: &none,
                },
                WorkspaceItem::Unchanged {
                    uri: &b,
                    version: None,
                    result_id: "3".into(),
                },
                WorkspaceItem::Unchanged {
                    uri: &a,
                    version: Some(4),
                    result_id: "4".into(),
                },
            ],
        };
        same_json(report.json(), &report.to_lsp());
        let empty = WorkspaceReport { items: Vec::new() };
        same_json(empty.json(), &empty.to_lsp());
    }
}
