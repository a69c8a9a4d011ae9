//! SARIF 2.1.0 (what GitHub code scanning loads): one run, the catalogue as rules, a result
//! per finding with its region in UTF-16 columns, and the fixes as byte-offset replacements.

use super::json::{close, key, list, number, string, SharedFixes};
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

#[cfg(test)]
fn artifact(file: &FileReport) -> Value {
    if file.path.starts_with('/') {
        json!({ "uri": uri(&file.path) })
    } else {
        json!({ "uri": uri(&file.path), "uriBaseId": SRCROOT })
    }
}

#[cfg(test)]
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

/// A result as a JSON value: what [`result_into`] writes, built through serde (the tests'
/// reference).
#[cfg(test)]
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
pub(super) fn halves() -> std::io::Result<(String, String)> {
    let shell = serde_json::to_string_pretty(&document(json!([])))?;
    let at = shell.find(NO_RESULTS).unwrap_or(shell.len());
    let before = shell.get(..at).unwrap_or("");
    let after = shell.get(at + NO_RESULTS.len()..).unwrap_or("");
    Ok((format!("{before}\"results\": "), format!("{after}\n")))
}

/// The depth of a result object: the fifth level (document, runs, run, results, result).
const RESULT_DEPTH: usize = 4;
const RESULT_INDENT: &[u8] = b"        ";

/// A file's findings as items of the run's `"results"` list, indented and separated as
/// serde_json's pretty printer writes them there (keys in byte order, two spaces a level;
/// the tests compare the two). Written by hand: through `serde_json::Value` it cost more
/// than the analysis.
pub(super) fn render_file(file: &FileReport) -> std::io::Result<Vec<u8>> {
    let codes = catalogue();
    let here = Here {
        file,
        uri: uri(&file.path),
        absolute: file.path.starts_with('/'),
    };
    let mut out = Vec::new();
    let mut shared = SharedFixes::default();
    for f in &file.findings {
        if !out.is_empty() {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(RESULT_INDENT);
        let rule_index = codes.iter().position(|c| c.code == f.code);
        result_into(&mut out, &here, f, rule_index, &mut shared);
    }
    Ok(out)
}

/// The file the results are about, and its URI (computed once per file).
struct Here<'a> {
    file: &'a FileReport,
    uri: String,
    absolute: bool,
}

/// One result (see [`render_file`]). Each helper writes the value of a key whose object
/// members sit at `d`, the depth of that key plus one; lists take the key's own depth.
fn result_into<'a>(
    out: &mut Vec<u8>,
    here: &Here,
    f: &'a Finding,
    rule_index: Option<usize>,
    shared: &mut SharedFixes<'a>,
) {
    let d = RESULT_DEPTH + 1;
    out.push(b'{');
    let fixes = !f.fixes.is_empty();
    if fixes {
        key(out, d, true, "fixes");
        list(out, d, &f.fixes, |out, fix| {
            shared.write(out, fix, |out| {
                let d = d + 2;
                out.push(b'{');
                key(out, d, true, "artifactChanges");
                list(out, d, &[()], |out, ()| {
                    let d = d + 2;
                    out.push(b'{');
                    key(out, d, true, "artifactLocation");
                    artifact_into(out, d + 1, here);
                    key(out, d, false, "replacements");
                    list(out, d, &fix.edits, |out, e| {
                        let d = d + 2;
                        out.push(b'{');
                        key(out, d, true, "deletedRegion");
                        out.push(b'{');
                        key(out, d + 1, true, "byteLength");
                        number(out, e.span.len());
                        key(out, d + 1, false, "byteOffset");
                        number(out, e.span.start);
                        close(out, d, b'}');
                        key(out, d, false, "insertedContent");
                        text_into(out, d + 1, &e.new_text);
                        close(out, d - 1, b'}');
                    });
                    close(out, d - 1, b'}');
                });
                key(out, d, false, "description");
                text_into(out, d + 1, &fix.title);
                close(out, d - 1, b'}');
            })
        });
    }
    key(out, d, !fixes, "level");
    string(out, level(f.severity));
    key(out, d, false, "locations");
    list(out, d, &[()], |out, ()| {
        let d = d + 2;
        out.push(b'{');
        key(out, d, true, "physicalLocation");
        physical_into(out, d + 1, here, f.span);
        close(out, d - 1, b'}');
    });
    key(out, d, false, "message");
    text_into(out, d + 1, &f.message);
    if !f.related.is_empty() {
        key(out, d, false, "relatedLocations");
        let mut id = 0;
        list(out, d, &f.related, |out, rel| {
            let d = d + 2;
            id += 1;
            out.push(b'{');
            key(out, d, true, "id");
            number(out, id);
            key(out, d, false, "message");
            text_into(out, d + 1, &rel.message);
            key(out, d, false, "physicalLocation");
            physical_into(out, d + 1, here, rel.span);
            close(out, d - 1, b'}');
        });
    }
    key(out, d, false, "ruleId");
    string(out, f.code);
    if let Some(i) = rule_index {
        key(out, d, false, "ruleIndex");
        number(out, i);
    }
    close(out, d - 1, b'}');
}

/// `{"text": …}` with its member at `d`.
fn text_into(out: &mut Vec<u8>, d: usize, text: &str) {
    out.push(b'{');
    key(out, d, true, "text");
    string(out, text);
    close(out, d - 1, b'}');
}

/// The file's `artifactLocation`, members at `d`.
fn artifact_into(out: &mut Vec<u8>, d: usize, here: &Here) {
    out.push(b'{');
    key(out, d, true, "uri");
    string(out, &here.uri);
    if !here.absolute {
        key(out, d, false, "uriBaseId");
        string(out, SRCROOT);
    }
    close(out, d - 1, b'}');
}

/// A `physicalLocation`: the file and the span's region, members at `d`.
fn physical_into(out: &mut Vec<u8>, d: usize, here: &Here, span: Span) {
    let (s, e) = here.file.range(span);
    out.push(b'{');
    key(out, d, true, "artifactLocation");
    artifact_into(out, d + 1, here);
    key(out, d, false, "region");
    out.push(b'{');
    for (k, (name, value)) in [
        ("byteLength", span.len()),
        ("byteOffset", span.start),
        ("endColumn", e.column),
        ("endLine", e.line),
        ("startColumn", s.column),
        ("startLine", s.line),
    ]
    .into_iter()
    .enumerate()
    {
        key(out, d + 1, k == 0, name);
        number(out, value);
    }
    close(out, d, b'}');
    close(out, d - 1, b'}');
}

/// What ends a non-empty results list (its bracket at the fourth level).
pub(super) const RESULTS_CLOSE: &[u8] = b"\n      ]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{render, HumanOptions, Report};
    use crate::Format;

    /// The example articles' reports (real findings: fixes, related places, CJK text), the
    /// first under a path that needs escaping, the second under an absolute path; then a
    /// report whose findings share large fixes.
    fn example_reports() -> Vec<FileReport> {
        crate::report::example_reports()
            .into_iter()
            .enumerate()
            .map(|(k, (path, text, findings))| {
                let shown = match k {
                    0 => "新聞/a \"b\" 😀.md".to_string(),
                    1 => "/srv/corpus/文 1.md".to_string(),
                    _ => format!("articles/{}", path.file_name().unwrap().to_string_lossy()),
                };
                FileReport::new(shown, text, findings)
            })
            .chain([crate::report::report_sharing_fixes()])
            .collect()
    }

    /// The document written file by file (some files rendered on a worker, some by the
    /// stream) has the bytes serde_json prints for the whole document built at once: with no
    /// result, one file's, and every example article's.
    #[test]
    fn streamed_sarif_is_what_serde_json_prints_whole() {
        let all = example_reports().len();
        for n in [0, 1, all] {
            let mut files: Vec<FileReport> = example_reports().into_iter().take(n).collect();
            if n > 1 {
                // A file without findings writes nothing, not even a separator.
                let empty = FileReport::new("b/empty.md".into(), String::new(), vec![]);
                files.insert(n / 2, empty);
            }
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
