//! Pulled diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`). Pushed ones are
//! published by the server's analysis loop from the same [`Snapshot::diagnostics`].

use super::View;
use crate::documents::Snapshot;
use marginalia_core::text::Encoding;
use std::sync::Arc;
use tower_lsp_server::lsp_types::*;

fn result_id(snap: &Snapshot) -> String {
    snap.id.to_string()
}

/// The report of one document; `Unchanged` when the client already has this analysis.
pub fn document(v: &View, previous_result_id: Option<&str>) -> DocumentDiagnosticReportResult {
    let id = result_id(v.snap);
    let report = if previous_result_id == Some(id.as_str()) {
        DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                result_id: id,
            },
        })
    } else {
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: Some(id),
                items: v.snap.diagnostics(v.enc).to_vec(),
            },
        })
    };
    DocumentDiagnosticReportResult::Report(report)
}

/// Every known article (open documents and the background index).
pub fn workspace(
    snaps: &[Arc<Snapshot>],
    previous: &[PreviousResultId],
    enc: Encoding,
) -> WorkspaceDiagnosticReportResult {
    let items = snaps
        .iter()
        .filter(|s| s.is_article)
        .map(|s| {
            let id = result_id(s);
            let unchanged = previous.iter().any(|p| p.uri == s.uri && p.value == id);
            if unchanged {
                WorkspaceDocumentDiagnosticReport::Unchanged(
                    WorkspaceUnchangedDocumentDiagnosticReport {
                        uri: s.uri.clone(),
                        version: s.version.map(i64::from),
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id: id,
                        },
                    },
                )
            } else {
                WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                    uri: s.uri.clone(),
                    version: s.version.map(i64::from),
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: Some(id),
                        items: s.diagnostics(enc).to_vec(),
                    },
                })
            }
        })
        .collect();
    WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
}
