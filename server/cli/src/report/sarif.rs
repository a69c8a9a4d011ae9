//! SARIF 2.1.0 (what GitHub code scanning loads): one run, the catalogue as rules, a result
//! per finding with its region in UTF-16 columns, and the fixes as byte-offset replacements.

use super::{FileReport, CATALOGUE_PATH, INFORMATION_URI, TOOL_NAME, TOOL_VERSION};
use marginalia_core::findings::{catalogue, Finding, Severity, Span};
use serde_json::{json, Value};

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

/// The rules: the catalogue of codes.
fn rules() -> Vec<Value> {
    catalogue()
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
        .collect()
}

/// The `"results"` field as the pretty printer writes it for an empty list.
const NO_RESULTS: &str = "\"results\": []";

/// The SARIF document around `results` (keys in any order: serde_json sorts them).
fn document(results: Value) -> Value {
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
                "rules": rules(),
            }
        },
        "columnKind": "utf16CodeUnits",
        "results": results,
    });
    if let Some(cwd) = cwd {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": cwd } });
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    })
}

/// The document with no results, as serde_json pretty-prints it, split around the empty
/// results list: the bytes before `"results": ` and those after `[]`. Nothing in it depends
/// on the findings, so the results can be written between the two halves as the files come
/// (see [`super::Stream`]).
fn halves() -> std::io::Result<(String, String)> {
    let shell = serde_json::to_string_pretty(&document(json!([])))?;
    let at = shell.find(NO_RESULTS).unwrap_or(shell.len());
    let before = shell.get(..at).unwrap_or("");
    let after = shell.get(at + NO_RESULTS.len()..).unwrap_or("");
    Ok((format!("{before}\"results\": "), format!("{after}\n")))
}

/// The document up to its results list.
pub(super) fn opening() -> std::io::Result<String> {
    Ok(halves()?.0)
}

/// The document after its results list: the tool and its rules.
pub(super) fn closing() -> std::io::Result<String> {
    Ok(halves()?.1)
}

/// The indentation of a result: the fifth level (document, runs, run, results, result).
const RESULT_INDENT: &[u8] = b"        ";

/// A file's findings as items of the run's `"results"` list, indented and separated as
/// serde_json's pretty printer writes them there. Each result is pretty-printed on its own
/// and indented: serde_json escapes every line break inside a string, so each one in its
/// output starts a new line of the document.
pub(super) fn render_file(file: &FileReport) -> std::io::Result<Vec<u8>> {
    let codes = catalogue();
    let mut out = Vec::new();
    let mut one = Vec::new();
    for f in &file.findings {
        if !out.is_empty() {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(RESULT_INDENT);
        one.clear();
        let rule_index = codes.iter().position(|c| c.code == f.code);
        serde_json::to_writer_pretty(&mut one, &result(file, f, rule_index))?;
        for (k, line) in one.split(|&b| b == b'\n').enumerate() {
            if k > 0 {
                out.push(b'\n');
                out.extend_from_slice(RESULT_INDENT);
            }
            out.extend_from_slice(line);
        }
    }
    Ok(out)
}

/// What ends a non-empty results list (its bracket at the fourth level).
pub(super) const RESULTS_CLOSE: &[u8] = b"\n      ]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{render, HumanOptions, Report};
    use crate::Format;

    /// The example articles' reports (real findings: fixes, related places, CJK text), the
    /// first under a path that needs escaping.
    fn example_reports() -> Vec<FileReport> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/articles");
        let config = marginalia_core::config::Config::default();
        let ctx = marginalia_core::analysis::Context {
            gazetteer: marginalia_core::gazetteer::Gazetteer::embedded(),
            config: &config,
            dct: None,
            today: None,
        };
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "txt"))
            .collect();
        paths.sort();
        let mut reports = Vec::new();
        for (k, path) in paths.iter().enumerate() {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue; // the legacy-encoding example is no UTF-8
            };
            let findings = marginalia_core::analysis::analyse(&text, &ctx).findings;
            let shown = match k {
                0 => "新聞/a \"b\" 😀.md".to_string(),
                _ => format!("articles/{}", path.file_name().unwrap().to_string_lossy()),
            };
            reports.push(FileReport::new(shown, text, findings));
        }
        assert!(reports.iter().filter(|r| !r.findings.is_empty()).count() >= 8);
        reports
    }

    /// The document written file by file (some files rendered on a worker, some by the
    /// stream) has the bytes serde_json prints for the whole document built at once: with no
    /// result, one file's, and every example article's.
    #[test]
    fn streamed_sarif_is_what_serde_json_prints_whole() {
        let all = example_reports().len();
        for n in [0, 1, all] {
            let mut files: Vec<FileReport> = example_reports().into_iter().take(n).collect();
            let codes = &catalogue();
            let results: Vec<Value> = files
                .iter()
                .flat_map(|file| {
                    file.findings
                        .iter()
                        .map(move |f| result(file, f, codes.iter().position(|c| c.code == f.code)))
                })
                .collect();
            let expected =
                serde_json::to_string_pretty(&document(Value::Array(results))).unwrap() + "\n";
            let opts = HumanOptions { color: false };
            for (k, file) in files.iter_mut().enumerate() {
                if k % 2 == 0 && !file.findings.is_empty() {
                    file.prerender(Format::Sarif, &opts).unwrap();
                }
            }
            let report = Report {
                files,
                files_checked: n,
                fixed: vec![],
            };
            let mut ours = Vec::new();
            render(&report, Format::Sarif, &opts, &mut ours).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), expected, "{n} files");
        }
    }

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
