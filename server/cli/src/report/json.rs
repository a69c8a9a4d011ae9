//! The JSON format (documented in docs/json-output.md): one document with a version, the
//! counts, and every finding with byte offsets and 1-based line / UTF-16 column positions.

use super::{FileReport, Fixed, Tally, TOOL_NAME, TOOL_VERSION};
use marginalia_core::findings::{Finding, Fix, Severity, Span};
use serde::Serialize;

/// Version of the JSON output's shape; bumped on incompatible changes.
pub const JSON_VERSION: u32 = 1;

/// Positions of a span: byte offsets and 1-based line / UTF-16 column.
#[cfg_attr(test, derive(Serialize))]
pub struct Place {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Place {
    pub fn of(file: &FileReport, span: Span) -> Place {
        let (s, e) = file.range(span);
        Place {
            start: span.start,
            end: span.end,
            line: s.line,
            column: s.column,
            end_line: e.line,
            end_column: e.column,
        }
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Positions {
    offsets: &'static str,
    line: &'static str,
    column: &'static str,
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
    hint: usize,
}

#[derive(Serialize)]
struct JsonFixed<'a> {
    path: &'a str,
    fixes: &'a [String],
}

/// The document without its findings. What needs the whole run comes after them, so that
/// the findings can be written as the files come (see [`super::Stream`]).
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    positions: Positions,
    /// Always empty here: the findings are spliced in (see [`opening`], [`closing`]).
    findings: [(); 0],
    files_checked: usize,
    summary: Summary,
    fixed: Vec<JsonFixed<'a>>,
}

impl Document<'_> {
    /// The document as serde_json pretty-prints it, split around the empty findings list:
    /// the bytes before `"findings": ` and those after `[]`.
    fn halves(&self) -> std::io::Result<(String, String)> {
        let shell = serde_json::to_string_pretty(self)?;
        let at = shell.find(NO_FINDINGS).unwrap_or(shell.len());
        let after = shell.get(at + NO_FINDINGS.len()..).unwrap_or("");
        let before = shell.get(..at).unwrap_or("");
        Ok((format!("{before}\"findings\": "), format!("{after}\n")))
    }
}

fn document<'a>(files_checked: usize, tally: &Tally, fixed: &'a [Fixed]) -> Document<'a> {
    Document {
        version: JSON_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        positions: Positions {
            offsets: "bytes",
            line: "1-based",
            column: "1-based, UTF-16 code units",
        },
        findings: [],
        files_checked,
        summary: Summary {
            error: tally.count(Severity::Error),
            warning: tally.count(Severity::Warning),
            info: tally.count(Severity::Info),
            hint: tally.count(Severity::Hint),
        },
        fixed: fixed
            .iter()
            .map(|f| JsonFixed {
                path: &f.path,
                fixes: &f.fixes,
            })
            .collect(),
    }
}

/// The document up to its findings list (the same whatever the run finds).
pub(super) fn opening() -> String {
    document(0, &Tally::default(), &[])
        .halves()
        .map(|(before, _)| before)
        .unwrap_or_default()
}

/// The document after its findings list: the counts and the files fixed.
pub(super) fn closing(
    files_checked: usize,
    tally: &Tally,
    fixed: &[Fixed],
) -> std::io::Result<String> {
    Ok(document(files_checked, tally, fixed).halves()?.1)
}

/// The `"findings"` field as the pretty printer writes it for an empty list.
const NO_FINDINGS: &str = "\"findings\": []";

/// A file's findings as items of the document's `"findings"` list, indented and separated
/// as serde_json's pretty printer writes them there (two spaces a level; the tests compare
/// the two). Written by hand: through serde, with its flattened places, this took as long
/// as a tenth of the analysis.
pub(super) fn render_file(file: &FileReport) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(rendered_size_hint(file));
    let mut shared = SharedFixes::default();
    for f in &file.findings {
        if !out.is_empty() {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(FINDING_INDENT);
        finding(&mut out, file, f, &mut shared);
    }
    Ok(out)
}

/// The large fixes a file's findings share, each rendered once: the fix that adds every
/// missing institution comes with each of their findings (a third of the JSON report's bytes
/// over the generated corpus). A repeat is copied from the bytes already written, which are
/// the same since the fix sits at the same depth in every finding.
#[derive(Default)]
pub(super) struct SharedFixes<'a> {
    rendered: Vec<(&'a Fix, std::ops::Range<usize>)>,
}

impl<'a> SharedFixes<'a> {
    /// Fixes with less replacement text than this are rendered each time: comparing them
    /// would cost about as much.
    const WORTH_KEEPING: usize = 256;
    /// At most this many kept per file (the search is linear).
    const MOST: usize = 8;

    /// Writes `fix` into `out` (the file's rendering, which holds every range kept) with
    /// `render`, or copies its earlier rendering.
    pub(super) fn write(
        &mut self,
        out: &mut Vec<u8>,
        fix: &'a Fix,
        render: impl FnOnce(&mut Vec<u8>),
    ) {
        if let Some((_, done)) = self.rendered.iter().find(|(f, _)| *f == fix) {
            out.extend_from_within(done.clone());
            return;
        }
        let from = out.len();
        render(out);
        let text: usize = fix.edits.iter().map(|e| e.new_text.len()).sum();
        if text >= Self::WORTH_KEEPING && self.rendered.len() < Self::MOST {
            self.rendered.push((fix, from..out.len()));
        }
    }
}

/// About the size of [`render_file`]'s output, a little over as a rule: the buffer is made
/// once instead of doubling (each doubling copied the rendered fixes, often whole
/// front-matter blocks, again).
fn rendered_size_hint(file: &FileReport) -> usize {
    // The keys, indentation and place numbers of each object (measured on the example
    // articles: ~300 bytes a finding, ~190 a related place, ~230 a fix with one edit), and an
    // eighth more text for escapes (line breaks in the fixes' front matter).
    const FINDING: usize = 320;
    const RELATED: usize = 210;
    const FIX: usize = 120;
    const EDIT: usize = 130;
    file.findings
        .iter()
        .map(|f| {
            let related: usize = f.related.iter().map(|r| RELATED + r.message.len()).sum();
            let fixes: usize = f
                .fixes
                .iter()
                .map(|x| {
                    let edits: usize = x.edits.iter().map(|e| EDIT + e.new_text.len()).sum();
                    FIX + x.title.len() + edits
                })
                .sum();
            let text = file.path.len() + f.message.len();
            FINDING + text + text / 8 + related + fixes + fixes / 8
        })
        .sum()
}

/// Depth of a finding's object in the document (the list is inside the top-level object).
const FINDING_DEPTH: usize = 2;
const FINDING_INDENT: &[u8] = b"    ";

fn finding<'a>(out: &mut Vec<u8>, file: &FileReport, f: &'a Finding, shared: &mut SharedFixes<'a>) {
    let d = FINDING_DEPTH + 1;
    out.push(b'{');
    key(out, d, true, "path");
    string(out, &file.path);
    key(out, d, false, "code");
    string(out, f.code);
    key(out, d, false, "name");
    match marginalia_core::findings::lookup(f.code) {
        Some(c) => string(out, c.name),
        None => out.extend_from_slice(b"null"),
    }
    key(out, d, false, "severity");
    string(out, f.severity.as_str());
    key(out, d, false, "message");
    string(out, &f.message);
    place(out, d, &Place::of(file, f.span));
    key(out, d, false, "related");
    list(out, d, &f.related, |out, r| {
        out.push(b'{');
        let d = d + 2;
        key(out, d, true, "start");
        place_fields(out, d, &Place::of(file, r.span));
        key(out, d, false, "message");
        string(out, &r.message);
        close(out, d - 1, b'}');
    });
    key(out, d, false, "fixes");
    list(out, d, &f.fixes, |out, fix| {
        shared.write(out, fix, |out| {
            out.push(b'{');
            let d = d + 2;
            key(out, d, true, "title");
            string(out, &fix.title);
            key(out, d, false, "safe");
            out.extend_from_slice(if fix.safe { b"true" } else { b"false" });
            key(out, d, false, "edits");
            list(out, d, &fix.edits, |out, e| {
                out.push(b'{');
                let d = d + 2;
                key(out, d, true, "start");
                number(out, e.span.start);
                key(out, d, false, "end");
                number(out, e.span.end);
                key(out, d, false, "new_text");
                string(out, &e.new_text);
                close(out, d - 1, b'}');
            });
            close(out, d - 1, b'}');
        })
    });
    close(out, d - 1, b'}');
}

/// The six fields of a place after a key of its own (`"start"` is written by the caller, so
/// that it can be the object's first key or not).
fn place(out: &mut Vec<u8>, depth: usize, p: &Place) {
    key(out, depth, false, "start");
    place_fields(out, depth, p);
}

/// A place's value of `"start"` and its five other fields.
fn place_fields(out: &mut Vec<u8>, depth: usize, p: &Place) {
    number(out, p.start);
    for (name, value) in [
        ("end", p.end),
        ("line", p.line),
        ("column", p.column),
        ("end_line", p.end_line),
        ("end_column", p.end_column),
    ] {
        key(out, depth, false, name);
        number(out, value);
    }
}

/// A list at `depth` (the depth of the key holding it): `[]` when empty, else one item a
/// line one level deeper.
pub(super) fn list<'t, T>(
    out: &mut Vec<u8>,
    depth: usize,
    items: &'t [T],
    mut item: impl FnMut(&mut Vec<u8>, &'t T),
) {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return;
    }
    out.push(b'[');
    for (i, x) in items.iter().enumerate() {
        new_line(out, depth + 1, i == 0);
        item(out, x);
    }
    close(out, depth, b']');
}

/// A key of an object whose members sit at `depth`.
pub(super) fn key(out: &mut Vec<u8>, depth: usize, first: bool, name: &str) {
    new_line(out, depth, first);
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\": ");
}

/// Ends a non-empty object or list opened at `depth`.
pub(super) fn close(out: &mut Vec<u8>, depth: usize, bracket: u8) {
    new_line(out, depth, true);
    out.push(bracket);
}

/// A comma unless `first`, a line break, and the indentation of `depth`.
fn new_line(out: &mut Vec<u8>, depth: usize, first: bool) {
    const BREAKS: &[u8] = b",\n                                ";
    let end = 2 + depth * INDENT.len();
    match BREAKS.get(usize::from(first)..end) {
        Some(b) => out.extend_from_slice(b),
        None => {
            out.extend_from_slice(&BREAKS[usize::from(first)..2]);
            indent(out, depth);
        }
    }
}

fn indent(out: &mut Vec<u8>, depth: usize) {
    for _ in 0..depth {
        out.extend_from_slice(INDENT);
    }
}

pub(super) fn number(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A JSON string with serde_json's escapes: `\"`, `\\`, the short forms of backspace, tab,
/// line feed, form feed and carriage return, `\u00XX` (lower-case hex) for the other control
/// characters, everything else as it is.
pub(super) fn string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut run = 0; // start of the bytes not yet copied
    let mut i = 0;
    while i < b.len() {
        // Sixteen bytes at a time, or eight: jump straight to the first that needs an escape.
        if let Some(mask) = escapes16(b, i) {
            if mask == 0 {
                i += 16;
                continue;
            }
            i += mask.trailing_zeros() as usize;
        } else if let Some(chunk) = b.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let mask = needs_escape(u64::from_le_bytes(word));
            if mask == 0 {
                i += 8;
                continue;
            }
            i += (mask.trailing_zeros() / 8) as usize;
        }
        let c = b[i];
        if c < 0x20 || c == b'"' || c == b'\\' {
            out.extend_from_slice(&b[run..i]);
            escape(out, c);
            run = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&b[run..]);
    out.push(b'"');
}

/// The escape of a control character, `"` or `\`.
fn escape(out: &mut Vec<u8>, c: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match c {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        b'\t' => b't',
        b'\n' => b'n',
        0x0C => b'f',
        b'\r' => b'r',
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(c >> 4)]);
            out.push(HEX[usize::from(c & 0xF)]);
            return;
        }
    };
    out.push(b'\\');
    out.push(short);
}

/// A bit for each of the sixteen bytes from `at` that is a control character, `"` or `\`;
/// `None` when fewer than sixteen remain.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn escapes16(b: &[u8], at: usize) -> Option<u32> {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let chunk: &[u8; 16] = b.get(at..at.checked_add(16)?)?.try_into().ok()?;
    // SAFETY: SSE2 is part of the x86-64 baseline; the load reads the sixteen bytes of
    // `chunk` (unaligned).
    let mask = unsafe {
        let x = _mm_loadu_si128(chunk.as_ptr().cast());
        let is = |c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
        // At most 0x1F, unsigned: the maximum with 0x1F is 0x1F.
        let control = _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(is(b'"'), is(b'\\')), control))
    };
    Some(mask as u32)
}

/// Without SSE2 at hand, strings are scanned eight bytes at a time.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn escapes16(_b: &[u8], _at: usize) -> Option<u32> {
    None
}

/// The high bit of each of eight bytes that is a control character, `"` or `\` (exactly:
/// the sums below never carry from one byte into the next).
fn needs_escape(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F * ONES;
    const HIGH: u64 = 0x80 * ONES;
    // Below 0x20: an ASCII byte (high bit clear) whose low seven bits plus 0x60 stay under 0x80.
    let control = !((w & LOW7) + 0x60 * ONES) & !w & HIGH;
    // Zero bytes of `x`: neither the high bit nor the low seven bits plus 0x7F reach 0x80.
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x) & HIGH;
    control | zero(w ^ (u64::from(b'"') * ONES)) | zero(w ^ (u64::from(b'\\') * ONES))
}

/// One level of the pretty printer's indentation.
const INDENT: &[u8] = b"  ";

#[cfg(test)]
mod tests {
    //! The hand-written findings against serde_json's pretty printer, which wrote them before.
    use super::*;
    use marginalia_core::findings::{Fix, Related, TextEdit};
    use std::io::Write;

    #[derive(Serialize)]
    struct JsonEdit<'a> {
        start: usize,
        end: usize,
        new_text: &'a str,
    }

    #[derive(Serialize)]
    struct JsonFix<'a> {
        title: &'a str,
        safe: bool,
        edits: Vec<JsonEdit<'a>>,
    }

    #[derive(Serialize)]
    struct JsonRelated<'a> {
        #[serde(flatten)]
        place: Place,
        message: &'a str,
    }

    #[derive(Serialize)]
    struct JsonFinding<'a> {
        path: &'a str,
        code: &'a str,
        name: Option<&'a str>,
        severity: &'a str,
        message: &'a str,
        #[serde(flatten)]
        place: Place,
        related: Vec<JsonRelated<'a>>,
        fixes: Vec<JsonFix<'a>>,
    }

    fn finding_json<'a>(file: &'a FileReport, f: &'a Finding) -> JsonFinding<'a> {
        JsonFinding {
            path: &file.path,
            code: f.code,
            name: marginalia_core::findings::lookup(f.code).map(|c| c.name),
            severity: f.severity.as_str(),
            message: &f.message,
            place: Place::of(file, f.span),
            related: f
                .related
                .iter()
                .map(|r| JsonRelated {
                    place: Place::of(file, r.span),
                    message: &r.message,
                })
                .collect(),
            fixes: f
                .fixes
                .iter()
                .map(|fix| JsonFix {
                    title: &fix.title,
                    safe: fix.safe,
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            start: e.span.start,
                            end: e.span.end,
                            new_text: &e.new_text,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn render_file_serde(file: &FileReport) -> std::io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        for f in &file.findings {
            if !buf.is_empty() {
                buf.extend_from_slice(b",\n");
            }
            buf.extend_from_slice(FINDING_INDENT);
            let mut ser = serde_json::Serializer::with_formatter(
                &mut buf,
                Indented::at(FINDING_INDENT.len() / INDENT.len()),
            );
            finding_json(file, f).serialize(&mut ser)?;
        }
        Ok(buf)
    }

    /// serde_json's pretty printing (two spaces a level) starting at a given depth, so that a
    /// finding rendered on its own has the bytes it has inside the whole document.
    struct Indented {
        depth: usize,
        has_value: bool,
    }

    impl Indented {
        fn at(depth: usize) -> Indented {
            Indented {
                depth,
                has_value: false,
            }
        }

        fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
            self.depth += 1;
            self.has_value = false;
            w.write_all(bracket)
        }

        fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
            self.depth -= 1;
            if self.has_value {
                w.write_all(b"\n")?;
                self.indent(w)?;
            }
            w.write_all(bracket)
        }

        fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
            w.write_all(if first { b"\n" } else { b",\n" })?;
            self.indent(w)
        }

        fn indent<W: ?Sized + Write>(&self, w: &mut W) -> std::io::Result<()> {
            for _ in 0..self.depth {
                w.write_all(INDENT)?;
            }
            Ok(())
        }
    }

    impl serde_json::ser::Formatter for Indented {
        fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            self.open(w, b"[")
        }
        fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            self.close(w, b"]")
        }
        fn begin_array_value<W: ?Sized + Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            self.item(w, first)
        }
        fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> std::io::Result<()> {
            self.has_value = true;
            Ok(())
        }
        fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            self.open(w, b"{")
        }
        fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            self.close(w, b"}")
        }
        fn begin_object_key<W: ?Sized + Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            self.item(w, first)
        }
        fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            w.write_all(b": ")
        }
        fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> std::io::Result<()> {
            self.has_value = true;
            Ok(())
        }
    }

    fn awkward_strings() -> Vec<String> {
        let mut all: Vec<String> = [
            "",
            "plain",
            "quote \" and backslash \\ and slash /",
            "中文「北京大学」 😀 é\u{a0}NBSP \u{2028} \u{7f} del",
            "tabs\tand\nlines\r\nand \u{8}\u{c} feeds",
            "---\ninstitutions:\n  - name: \"Peking University\"\n    ror: https://ror.org/02v51f717\n---\n",
            "0123456\"89abcdef\\",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every control character, and each escape at every position of a 17-byte string.
        all.push((0u8..0x20).map(char::from).collect());
        for c in ['"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '~', 'é'] {
            for at in 0..17 {
                let mut s: String = "abcdefghijklmnopq".into();
                s.replace_range(at..at + 1, &c.to_string());
                all.push(s);
            }
        }
        all
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        for s in awkward_strings() {
            let mut ours = Vec::new();
            string(&mut ours, &s);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&s).unwrap()
            );
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_does() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX / 3, usize::MAX] {
            let mut ours = Vec::new();
            number(&mut ours, n);
            assert_eq!(String::from_utf8(ours).unwrap(), n.to_string());
        }
    }

    #[test]
    fn the_escape_mask_marks_exactly_the_bytes_to_escape() {
        let needs = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
        for b in 0..=255u8 {
            for c in [b'a', 0x00, b'"', 0x80, 0xFF, 0x1F, 0x20, b'\\'] {
                for at in 0..8 {
                    let mut w = [c; 8];
                    w[at] = b;
                    let expected = w
                        .iter()
                        .enumerate()
                        .filter(|(_, &x)| needs(x))
                        .fold(0u64, |m, (i, _)| m | 0x80 << (8 * i));
                    assert_eq!(needs_escape(u64::from_le_bytes(w)), expected, "{w:?}");
                }
                for at in 0..16 {
                    let mut w = [c; 17];
                    w[at] = b;
                    let expected = w[..16]
                        .iter()
                        .enumerate()
                        .filter(|(_, &x)| needs(x))
                        .fold(0u32, |m, (i, _)| m | 1 << i);
                    let mask = escapes16(&w, 0);
                    let vector_unit = cfg!(target_arch = "x86_64");
                    assert_eq!(mask.is_some(), vector_unit, "SSE2 used where there is one");
                    if let Some(mask) = mask {
                        assert_eq!(mask, expected, "{w:?}");
                    }
                    assert_eq!(escapes16(&w, 2), None, "fewer than sixteen bytes left");
                }
            }
        }
    }

    const TEXT: &str = "---\ntitle: 「北京」 😀\r\n---\nBody\tline\u{a0}two\n\nlast 中文";

    /// Findings with awkward messages, spans (some past the end), related places and fixes.
    fn awkward_findings() -> Vec<Finding> {
        let len = TEXT.len();
        let strings = awkward_strings();
        let mut findings = Vec::new();
        for (i, s) in strings.iter().enumerate() {
            let code = ["MA0101", "MA0201", "MA9999"][i % 3];
            let at = (i * 7) % (len + 3);
            let span = Span::new(at.min(len), (at + i).min(len + 2));
            let related = (0..i % 3)
                .map(|k| Related {
                    span: Span::new(k, k + i),
                    message: strings[(i + k) % strings.len()].clone(),
                })
                .collect();
            let fixes = (0..i % 4)
                .map(|k| Fix {
                    title: strings[(i + 2 * k) % strings.len()].clone(),
                    edits: (0..k)
                        .map(|e| TextEdit::replace(Span::new(e, e + 1), s.clone()))
                        .collect(),
                    safe: k % 2 == 0,
                })
                .collect();
            findings.push(Finding {
                code,
                severity: [
                    Severity::Error,
                    Severity::Warning,
                    Severity::Info,
                    Severity::Hint,
                ][i % 4],
                span,
                message: s.clone(),
                related,
                fixes,
            });
        }
        findings
    }

    #[test]
    fn findings_are_written_as_serde_json_pretty_prints_them() {
        let findings = awkward_findings();
        for n in [0, 1, 2, findings.len()] {
            let file = FileReport::new(
                "dir/ünï \"cödé\".md".into(),
                TEXT.to_string(),
                findings[..n].to_vec(),
            );
            let ours = render_file(&file).unwrap();
            let serde = render_file_serde(&file).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(serde).unwrap(),
                "{n} findings"
            );
        }
    }

    /// A fix that several findings share is rendered once and copied: the copies are the
    /// bytes serde_json prints for each, among fixes differing in their last byte only and
    /// more shared ones than are kept.
    #[test]
    fn shared_fixes_are_written_as_serde_json_pretty_prints_them() {
        let file = super::super::report_sharing_fixes();
        let ours = String::from_utf8(render_file(&file).unwrap()).unwrap();
        let serde = String::from_utf8(render_file_serde(&file).unwrap()).unwrap();
        assert_eq!(ours, serde);
        assert_eq!(ours.matches("Add all 4 missing institutions").count(), 4);
    }

    /// The buffer is sized from the findings once: on the example articles' real findings the
    /// estimate covers what is written without wasting more than half of it.
    #[test]
    fn the_size_hint_covers_real_reports_without_doubling_them() {
        for (path, text, findings) in super::super::example_reports() {
            let file = FileReport::new(path.display().to_string(), text, findings);
            let written = render_file(&file).unwrap().len();
            let hint = rendered_size_hint(&file);
            assert!(
                written <= hint && hint <= written * 3 / 2,
                "{}: {written} bytes written, {hint} expected",
                path.display()
            );
        }
    }

    /// The whole document, as serde_json pretty-prints it in one piece.
    #[derive(Serialize)]
    struct WholeDocument<'a> {
        version: u32,
        tool: Tool,
        positions: Positions,
        findings: Vec<JsonFinding<'a>>,
        files_checked: usize,
        summary: Summary,
        fixed: Vec<JsonFixed<'a>>,
    }

    /// The document written file by file (some rendered on a worker, some by the stream)
    /// has the bytes of printing it whole, with no finding, one file, or many.
    #[test]
    fn streamed_documents_are_what_serde_json_prints_whole() {
        let findings = awkward_findings();
        let fixed = vec![Fixed {
            path: "a/😀.md".into(),
            fixes: vec!["Add `cas`".into(), "quote \" \\".into()],
        }];
        // Files: path, which findings, whether a worker rendered them already.
        type Files = Vec<(&'static str, std::ops::Range<usize>, bool)>;
        let runs: [(Files, &[Fixed]); 4] = [
            (vec![], &[]),
            (vec![("one.md", 0..1, false)], &[]),
            (vec![("one.md", 0..0, false)], &fixed),
            (
                vec![
                    ("a/1.md", 0..3, true),
                    ("a/2.md", 3..3, false),
                    ("b/文.md", 3..findings.len(), false),
                ],
                &fixed,
            ),
        ];
        for (files, fixed) in runs {
            let full = |(path, range, _): &(&str, std::ops::Range<usize>, bool)| {
                FileReport::new(
                    path.to_string(),
                    TEXT.into(),
                    findings[range.clone()].to_vec(),
                )
            };
            let whole_files: Vec<FileReport> = files.iter().map(full).collect();
            let report = super::super::Report {
                files: files
                    .iter()
                    .map(|f| {
                        let mut r = full(f);
                        if f.2 {
                            r.prerender(
                                crate::Format::Json,
                                &super::super::HumanOptions { color: false },
                            )
                            .unwrap();
                        }
                        r
                    })
                    .collect(),
                files_checked: 7,
                fixed: fixed.to_vec(),
            };
            // The same fields as the streamed document, with the findings in their place.
            let d = document(report.files_checked, &report.tally(), &report.fixed);
            let whole = WholeDocument {
                version: d.version,
                tool: d.tool,
                positions: d.positions,
                findings: whole_files
                    .iter()
                    .flat_map(|f| f.findings.iter().map(move |x| finding_json(f, x)))
                    .collect(),
                files_checked: d.files_checked,
                summary: d.summary,
                fixed: d.fixed,
            };
            let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            let mut ours = Vec::new();
            super::super::render(
                &report,
                crate::Format::Json,
                &super::super::HumanOptions { color: false },
                &mut ours,
            )
            .unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), expected);
        }
    }
}
