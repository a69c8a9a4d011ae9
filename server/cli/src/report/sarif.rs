//! SARIF 2.1.0 (what GitHub code scanning loads): one run, the catalogue as rules, a result
//! per finding with its region in UTF-16 columns, and the fixes as byte-offset replacements.

use super::{FileReport, Report, CATALOGUE_PATH, INFORMATION_URI, TOOL_NAME, TOOL_VERSION};
use marginalia_core::findings::{catalogue, Finding, Severity, Span};
use serde_json::{json, Value};
use std::io::Write;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// A relative URI reference for a path shown relative to the current folder (percent-encoding
/// what a URI cannot hold); absolute paths become `file://` URIs.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'@'
            | b'+'
            | b'=' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

fn artifact(file: &FileReport) -> Value {
    if file.path.starts_with('/') {
        json!({ "uri": uri(&file.path) })
    } else {
        json!({ "uri": uri(&file.path), "uriBaseId": SRCROOT })
    }
}

fn region(file: &FileReport, span: Span) -> Value {
    let (s, e) = file.range(span);
    json!({
        "startLine": s.line,
        "startColumn": s.column,
        "endLine": e.line,
        "endColumn": e.column,
        "byteOffset": span.start,
        "byteLength": span.len(),
    })
}

fn result(file: &FileReport, f: &Finding, rule_index: Option<usize>) -> Value {
    let mut r = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact(file),
                "region": region(file, f.span),
            }
        }],
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if !f.related.is_empty() {
        r["relatedLocations"] = Value::Array(
            f.related
                .iter()
                .enumerate()
                .map(|(i, rel)| {
                    json!({
                        "id": i + 1,
                        "message": { "text": rel.message },
                        "physicalLocation": {
                            "artifactLocation": artifact(file),
                            "region": region(file, rel.span),
                        }
                    })
                })
                .collect(),
        );
    }
    if !f.fixes.is_empty() {
        r["fixes"] = Value::Array(
            f.fixes
                .iter()
                .map(|fix| {
                    json!({
                        "description": { "text": fix.title },
                        "artifactChanges": [{
                            "artifactLocation": artifact(file),
                            "replacements": fix.edits.iter().map(|e| json!({
                                "deletedRegion": { "byteOffset": e.span.start, "byteLength": e.span.len() },
                                "insertedContent": { "text": e.new_text },
                            })).collect::<Vec<_>>(),
                        }],
                    })
                })
                .collect(),
        );
    }
    r
}

/// The explanation's first paragraph (its plain-text lead).
fn first_paragraph(explanation: &str) -> &str {
    explanation
        .split("\n\n")
        .next()
        .unwrap_or(explanation)
        .trim()
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let rules_list = catalogue();
    let rules: Vec<Value> = rules_list
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "name": c.name,
                "shortDescription": { "text": c.summary },
                "fullDescription": { "text": first_paragraph(c.explanation) },
                "help": { "text": c.explanation, "markdown": c.explanation },
                "helpUri": format!("{INFORMATION_URI}/blob/main/{CATALOGUE_PATH}#{}", c.code.to_ascii_lowercase()),
                "defaultConfiguration": { "level": level(c.severity) },
                "properties": { "tags": ["marginalia"] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings()
        .map(|(file, f)| result(file, f, rules_list.iter().position(|c| c.code == f.code)))
        .collect();
    let cwd = std::env::current_dir().ok().map(|d| {
        let s = marginalia_workspace::files::slash_path(&d);
        let s = if s.ends_with('/') { s } else { format!("{s}/") };
        uri(&s)
    });
    let mut run = json!({
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": TOOL_VERSION,
                "semanticVersion": TOOL_VERSION,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "columnKind": "utf16CodeUnits",
        "results": results,
    });
    if let Some(cwd) = cwd {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": cwd } });
    }
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_with_forward_slashes_and_escaped() {
        assert_eq!(
            uri("fixtures/articles/kust.md"),
            "fixtures/articles/kust.md"
        );
        assert_eq!(uri("news/中 文.md"), "news/%E4%B8%AD%20%E6%96%87.md");
        assert_eq!(uri("/srv/corpus/a.md"), "file:///srv/corpus/a.md");
    }
}
