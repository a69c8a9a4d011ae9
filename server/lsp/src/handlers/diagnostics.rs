//! Pulled diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`). Pushed ones are
//! published by the server's analysis loop from the same [`Snapshot::diagnostics`].
//!
//! The reports are built borrowing the snapshots' diagnostics ([`DocumentReport`],
//! [`WorkspaceReport`]), serialised to the same JSON as lsp-types' report types: the server
//! writes them straight to the transport (see `transport::Outbox::prepare`) rather than
//! through tower-lsp-server's `serde_json::Value` conversion (17 MB at once for a 2 MB
//! article's 1.4 MB of diagnostics). [`DocumentReport::to_lsp`] and
//! [`WorkspaceReport::to_lsp`] give the lsp-types values for a transport that is not ours.

use super::View;
use crate::documents::Snapshot;
use marginalia_core::text::Encoding;
use serde::Serialize;
use std::sync::Arc;
use tower_lsp_server::lsp_types::*;

fn result_id(snap: &Snapshot) -> String {
    snap.id.to_string()
}

/// A `textDocument/diagnostic` report: serialises as lsp-types'
/// `DocumentDiagnosticReportResult::Report` (no related documents).
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DocumentReport<'a> {
    Full {
        #[serde(rename = "resultId")]
        result_id: String,
        items: &'a [Diagnostic],
    },
    Unchanged {
        #[serde(rename = "resultId")]
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
                        items: items.to_vec(),
                    },
                })
            }
        };
        DocumentDiagnosticReportResult::Report(report)
    }
}

/// A `workspace/diagnostic` report: serialises as lsp-types'
/// `WorkspaceDiagnosticReportResult::Report`.
#[derive(Debug, Serialize)]
pub struct WorkspaceReport<'a> {
    items: Vec<WorkspaceItem<'a>>,
}

/// Serialises as lsp-types' `WorkspaceDocumentDiagnosticReport` (`version` is `null` for a
/// file that is not open, as there).
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum WorkspaceItem<'a> {
    Full {
        uri: &'a Uri,
        version: Option<i64>,
        #[serde(rename = "resultId")]
        result_id: String,
        items: &'a [Diagnostic],
    },
    Unchanged {
        uri: &'a Uri,
        version: Option<i64>,
        #[serde(rename = "resultId")]
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
                            items: items.to_vec(),
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

    fn diagnostics() -> Vec<Diagnostic> {
        let range = Range::new(Position::new(1, 2), Position::new(1, 9));
        vec![
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
        ]
    }

    fn same_json<A: Serialize, B: Serialize>(ours: &A, theirs: &B) {
        // Equal as text, not only as trees: the key order is the same too.
        assert_eq!(
            serde_json::to_string(ours).unwrap(),
            serde_json::to_string(theirs).unwrap()
        );
    }

    #[test]
    fn document_reports_serialise_as_lsp_types() {
        let d = diagnostics();
        for report in [
            DocumentReport::Full {
                result_id: "7".into(),
                items: &d,
            },
            DocumentReport::Full {
                result_id: "8".into(),
                items: &[],
            },
            DocumentReport::Unchanged {
                result_id: "9".into(),
            },
        ] {
            same_json(&report, &report.to_lsp());
        }
    }

    #[test]
    fn workspace_reports_serialise_as_lsp_types() {
        let d = diagnostics();
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
                    items: &[],
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
        same_json(&report, &report.to_lsp());
        let empty = WorkspaceReport { items: Vec::new() };
        same_json(&empty, &empty.to_lsp());
    }
}
