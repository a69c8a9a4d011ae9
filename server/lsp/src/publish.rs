//! Diagnostics serialised straight from the findings: the list (kept by a snapshot for
//! clients that pull diagnostics) and the `textDocument/publishDiagnostics` notification.
//!
//! [`convert::diagnostics`] makes `lsp_types::Diagnostic`s, whose `data` is a
//! `serde_json::Value` tree: every key of every fix an allocated string in a map, the tree
//! built, walked to write it, then freed. On a 10 KB article that was as much of the server's
//! work per edit as the analysis itself. Here each diagnostic borrows its finding's texts and
//! writes the same JSON, byte for byte (a test holds the two ways equal on every fixture).

use crate::convert::{self, FindingsOf, Positions};
use marginalia_core::findings::{Finding, TextEdit};
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::rc::Rc;
use tower_lsp_server::lsp_types::{self as lsp, Uri};

/// The JSON array of the diagnostics of the findings: what
/// `serde_json::to_vec(&convert::diagnostics(of))` writes.
pub fn diagnostics(of: FindingsOf) -> serde_json::Result<Vec<u8>> {
    // Two cursors that each mostly move forwards: one for the findings (sorted by
    // position), one for their fixes' edits (mostly in the front-matter, at the same few
    // places for every finding).
    let mut positions = Positions::new(of.doc, of.text, of.enc);
    let mut at_edits = Positions::new(of.doc, of.text, of.enc);
    // Each code's catalogue link made once, as `convert::diagnostics` does.
    let mut hrefs: HashMap<&str, Option<Uri>> = HashMap::new();
    for f in of.findings {
        hrefs
            .entry(f.code)
            .or_insert_with(|| convert::code_href(f.code));
    }
    let doc_ = DocOf {
        uri: of.uri.as_str(),
        version: of.version,
    };
    let mut wires: Vec<Wire> = of
        .findings
        .iter()
        .map(|f| {
            let href = hrefs.get(f.code).and_then(Option::as_ref);
            Wire::new(f, doc_, (&mut positions, &mut at_edits), href)
        })
        .collect();
    share_repeated_fixes(&mut wires)?;
    // A diagnostic with fixes takes 1 to 2 KB.
    let mut out = Vec::with_capacity(2 + wires.len() * 1024);
    wires.serialize(&mut serde_json::Serializer::new(&mut out))?;
    Ok(out)
}

/// The notification's JSON (one message body) publishing `diagnostics`, a JSON array (from
/// [`diagnostics`]), of `uri` at `version`: lsp-types' `PublishDiagnosticsParams` as it
/// serialises, the array copied as it is.
pub fn notification(uri: &Uri, diagnostics: &[u8], version: Option<i32>) -> Vec<u8> {
    let mut out = Vec::with_capacity(diagnostics.len() + uri.as_str().len() + 96);
    out.extend_from_slice(
        br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#,
    );
    push_json(&mut out, uri.as_str());
    out.extend_from_slice(br#","diagnostics":"#);
    out.extend_from_slice(diagnostics);
    if let Some(v) = version {
        out.extend_from_slice(br#","version":"#);
        push_json(&mut out, &v);
    }
    out.extend_from_slice(b"}}");
    out
}

/// Appends `value`'s JSON to `out` (a string or a number: writing them cannot fail).
pub fn push_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let _ = serde_json::to_writer(&mut *out, value);
}

/// The document the diagnostics are of.
#[derive(Clone, Copy)]
struct DocOf<'a> {
    uri: &'a str,
    version: Option<i32>,
}

/// A diagnostic: its finding, with its ranges converted beforehand.
struct Wire<'a> {
    finding: &'a Finding,
    doc: DocOf<'a>,
    href: Option<&'a Uri>,
    range: lsp::Range,
    /// One per related location of the finding.
    related: Vec<lsp::Range>,
    /// One per edit of each fix, fix after fix.
    edits: Vec<lsp::Range>,
    /// By fix: its JSON, when written once for every diagnostic that has it (see
    /// [`share_repeated_fixes`]); empty, and allocates nothing, up to the last such fix.
    shared: Vec<Option<Rc<RawValue>>>,
}

impl<'a> Wire<'a> {
    fn new(
        finding: &'a Finding,
        doc: DocOf<'a>,
        (positions, at_edits): (&mut Positions, &mut Positions),
        href: Option<&'a Uri>,
    ) -> Wire<'a> {
        let range = positions.range(finding.span);
        let related = finding
            .related
            .iter()
            .map(|r| positions.range(r.span))
            .collect();
        let edits = finding
            .fixes
            .iter()
            .flat_map(|f| &f.edits)
            .map(|e| at_edits.range(e.span))
            .collect();
        Wire {
            finding,
            doc,
            href,
            range,
            related,
            edits,
            shared: Vec::new(),
        }
    }
}

impl Serialize for Wire<'_> {
    /// `lsp_types::Diagnostic`'s fields in its order, the absent ones left out as it does.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.finding;
        let mut d = s.serialize_struct("Diagnostic", 9)?;
        d.serialize_field("range", &self.range)?;
        d.serialize_field("severity", &convert::severity(f.severity))?;
        d.serialize_field("code", f.code)?;
        if let Some(href) = self.href {
            d.serialize_field("codeDescription", &Href(href.as_str()))?;
        }
        d.serialize_field("source", convert::SOURCE)?;
        d.serialize_field("message", &f.message)?;
        if !f.related.is_empty() {
            d.serialize_field("relatedInformation", &Related(self))?;
        }
        if !f.fixes.is_empty() {
            d.serialize_field("data", &Data(self))?;
        }
        d.end()
    }
}

/// `codeDescription`.
struct Href<'a>(&'a str);

impl Serialize for Href<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("CodeDescription", 1)?;
        m.serialize_field("href", self.0)?;
        m.end()
    }
}

/// Fixes with this many bytes of new text or more are written once per notification and
/// copied where they come again: "add all missing institutions" comes with every "not
/// annotated" finding (8 copies of 900 bytes in a 10 KB article: a third of its diagnostics'
/// JSON).
const SHARED_FROM: usize = 128;

/// Fills each diagnostic's `shared`: the JSON of its large fixes, one per distinct fix. Equal
/// fixes have equal spans, so equal ranges: their JSON is the same.
fn share_repeated_fixes(wires: &mut [Wire]) -> serde_json::Result<()> {
    type Written<'a> = Vec<(&'a marginalia_core::findings::Fix, Rc<RawValue>)>;
    let mut seen: HashMap<(&str, usize), Written> = HashMap::new();
    for w in wires.iter_mut() {
        let finding = w.finding;
        let mut at = 0;
        for (k, fix) in finding.fixes.iter().enumerate() {
            let n = fix.edits.len();
            let ranges = w.edits.get(at..at + n).unwrap_or(&[]);
            at += n;
            let size: usize = fix.edits.iter().map(|e| e.new_text.len()).sum();
            if size < SHARED_FROM {
                continue;
            }
            let written = seen.entry((fix.title.as_str(), size)).or_default();
            let json = match written.iter().find(|(f, _)| *f == fix) {
                Some((_, json)) => Rc::clone(json),
                None => {
                    let json: Rc<RawValue> = serde_json::value::to_raw_value(&Fix {
                        edits: &fix.edits,
                        ranges,
                        safe: fix.safe,
                        title: &fix.title,
                    })?
                    .into();
                    written.push((fix, Rc::clone(&json)));
                    json
                }
            };
            w.shared.resize(k, None);
            w.shared.push(Some(json));
        }
    }
    Ok(())
}

/// `relatedInformation`: locations in the diagnostic's own document.
struct Related<'a>(&'a Wire<'a>);

impl Serialize for Related<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = self.0;
        let mut seq = s.serialize_seq(Some(w.related.len()))?;
        for (r, &range) in w.finding.related.iter().zip(&w.related) {
            seq.serialize_element(&RelatedInfo {
                uri: w.doc.uri,
                range,
                message: &r.message,
            })?;
        }
        seq.end()
    }
}

/// One `DiagnosticRelatedInformation`: `{"location": {"uri", "range"}, "message"}`.
struct RelatedInfo<'a> {
    uri: &'a str,
    range: lsp::Range,
    message: &'a str,
}

impl Serialize for RelatedInfo<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Location<'a> {
            uri: &'a str,
            range: lsp::Range,
        }
        let mut m = s.serialize_struct("DiagnosticRelatedInformation", 2)?;
        m.serialize_field(
            "location",
            &Location {
                uri: self.uri,
                range: self.range,
            },
        )?;
        m.serialize_field("message", self.message)?;
        m.end()
    }
}

/// `data`: `convert::DiagnosticData` as its `serde_json::Value` is written, keys sorted
/// (`fixes`, `version`; a fix's `edits`, `safe`, `title`; an edit's `newText`, `range`; a
/// range's `end`, `start`; a position's `character`, `line`).
struct Data<'a>(&'a Wire<'a>);

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = self.0;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("fixes", &Fixes(w))?;
        m.serialize_entry("version", &w.doc.version)?;
        m.end()
    }
}

struct Fixes<'a>(&'a Wire<'a>);

impl Serialize for Fixes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = self.0;
        let mut seq = s.serialize_seq(Some(w.finding.fixes.len()))?;
        let mut at = 0;
        for (k, fix) in w.finding.fixes.iter().enumerate() {
            let n = fix.edits.len();
            let ranges = w.edits.get(at..at + n).unwrap_or(&[]);
            at += n;
            if let Some(Some(json)) = w.shared.get(k) {
                seq.serialize_element(&**json)?;
                continue;
            }
            seq.serialize_element(&Fix {
                edits: &fix.edits,
                ranges,
                safe: fix.safe,
                title: &fix.title,
            })?;
        }
        seq.end()
    }
}

/// A fix; `ranges` are its edits' (as many).
struct Fix<'a> {
    edits: &'a [TextEdit],
    ranges: &'a [lsp::Range],
    safe: bool,
    title: &'a str,
}

impl Serialize for Fix<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Edits<'a>(&'a Fix<'a>);
        impl Serialize for Edits<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let f = self.0;
                let mut seq = s.serialize_seq(Some(f.edits.len()))?;
                for (e, &range) in f.edits.iter().zip(f.ranges) {
                    seq.serialize_element(&Edit {
                        new_text: &e.new_text,
                        range,
                    })?;
                }
                seq.end()
            }
        }
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("edits", &Edits(self))?;
        m.serialize_entry("safe", &self.safe)?;
        m.serialize_entry("title", self.title)?;
        m.end()
    }
}

struct Edit<'a> {
    new_text: &'a str,
    range: lsp::Range,
}

impl Serialize for Edit<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("newText", self.new_text)?;
        m.serialize_entry("range", &SortedRange(self.range))?;
        m.end()
    }
}

struct SortedRange(lsp::Range);

impl Serialize for SortedRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("end", &SortedPosition(self.0.end))?;
        m.serialize_entry("start", &SortedPosition(self.0.start))?;
        m.end()
    }
}

struct SortedPosition(lsp::Position);

impl Serialize for SortedPosition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("character", &self.0.character)?;
        m.serialize_entry("line", &self.0.line)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marginalia_core::config::Config;
    use marginalia_core::gazetteer::Gazetteer;
    use marginalia_core::text::{Document, Encoding};
    use marginalia_core::{analyse, Context};

    /// What `Shared::publish` wrote before: the LSP values serialised as tower-lsp would.
    fn through_values(
        findings: &[Finding],
        uri: &Uri,
        doc: &Document,
        text: &str,
        enc: Encoding,
    ) -> Vec<u8> {
        #[derive(Serialize)]
        struct Notification {
            jsonrpc: &'static str,
            method: &'static str,
            params: lsp::PublishDiagnosticsParams,
        }
        let diagnostics = convert::diagnostics(FindingsOf {
            findings,
            uri,
            doc,
            text,
            version: Some(7),
            enc,
        });
        serde_json::to_vec(&Notification {
            jsonrpc: "2.0",
            method: "textDocument/publishDiagnostics",
            params: lsp::PublishDiagnosticsParams::new(uri.clone(), diagnostics, Some(7)),
        })
        .unwrap()
    }

    /// Both ways for `text` in every encoding; the findings, to say what was covered.
    fn assert_same(name: &str, text: &str) -> Vec<Finding> {
        let config = Config::default();
        let ctx = Context {
            gazetteer: Gazetteer::embedded(),
            config: &config,
            dct: None,
            today: None,
        };
        let findings = analyse(text, &ctx).findings;
        let doc = Document::new(text);
        let uri: Uri = format!("file:///articles/{name}").parse().unwrap();
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let of = FindingsOf {
                findings: &findings,
                uri: &uri,
                doc: &doc,
                text,
                version: Some(7),
                enc,
            };
            let items = diagnostics(of).unwrap();
            let direct = notification(&uri, &items, Some(7));
            let values = through_values(&findings, &uri, &doc, text, enc);
            assert!(
                direct == values,
                "{name} ({enc:?}):\n{}\n{}",
                String::from_utf8_lossy(&direct),
                String::from_utf8_lossy(&values)
            );
        }
        findings
    }

    #[test]
    fn the_notification_is_the_one_the_lsp_values_give_on_every_fixture_and_seed() {
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut dirs = vec![repo.join("fixtures/articles"), repo.join("fixtures/corpus")];
        let seeds = repo.join("../shared/seeds");
        if seeds.is_dir() {
            dirs.push(seeds);
        } else {
            // CI sets this: there the seeds must be present.
            assert!(
                std::env::var_os("MARGINALIA_REQUIRE_SHARED").is_none(),
                "../shared/seeds is absent and MARGINALIA_REQUIRE_SHARED is set"
            );
        }
        let (mut files, mut diagnostics, mut fixes, mut repeated) = (0, 0, 0, 0);
        for dir in &dirs {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.ends_with(".findings") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let found = assert_same(&name, &text);
                diagnostics += found.len();
                fixes += found.iter().filter(|f| !f.fixes.is_empty()).count();
                files += 1;
                repeated += repeated_large_fixes(&found);
            }
        }
        // The fixtures alone: 34 diagnostics, 15 of them with fixes (when this was written).
        assert!(files >= 20, "{files} files read");
        assert!(
            diagnostics >= 30 && fixes >= 10,
            "{diagnostics} diagnostics, {fixes} with fixes"
        );
        assert!(repeated >= 1, "{repeated} large fixes repeated");
    }

    /// Large fixes that come again in another finding: written once, then copied.
    fn repeated_large_fixes(found: &[Finding]) -> usize {
        let large: Vec<_> = found
            .iter()
            .flat_map(|f| &f.fixes)
            .filter(|x| x.edits.iter().map(|e| e.new_text.len()).sum::<usize>() >= SHARED_FROM)
            .collect();
        large
            .iter()
            .enumerate()
            .filter(|(k, x)| large[..*k].contains(x))
            .count()
    }

    #[test]
    fn related_locations_fixes_cjk_and_emoji_are_written_alike() {
        let text = "---\n\
            title: 中國科學院 😀 visit\n\
            published: 2024-03-01\n\
            language: en\n\
            institutions:\n  \
              - id: ror:02feahw73\n    \
                name: Tsinghua 大學 😀\n    \
                country: DE\n  \
              - id: ror:02feahw73\n    \
                name: French National Centre for Scientific Research\n\
            countries: [FR]\n\
            ---\n\
            😀 The French National Centre for Scientific Research (CNRS) met 清华大学 \
            and Peking University on 2024年3月1日 and on 5 March, with Campus France, the \
            National University of Laos and Clausthal University of Technology.\n";
        let findings = assert_same("crafted.md", text);
        assert!(
            findings.iter().any(|f| !f.related.is_empty()),
            "no related location: {findings:?}"
        );
        assert!(findings.iter().any(|f| f.fixes.len() > 1), "{findings:?}");
        assert!(repeated_large_fixes(&findings) >= 2, "{findings:?}");
        // Nothing to say is one empty list, and no version leaves the key out.
        let doc = Document::new("");
        let uri: Uri = "file:///a.md".parse().unwrap();
        let none = diagnostics(FindingsOf {
            findings: &[],
            uri: &uri,
            doc: &doc,
            text: "",
            version: None,
            enc: Encoding::Utf16,
        })
        .unwrap();
        let empty = notification(&uri, &none, None);
        assert_eq!(
            String::from_utf8(empty).unwrap(),
            r#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///a.md","diagnostics":[]}}"#
        );
    }
}
