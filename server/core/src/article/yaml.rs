//! A small YAML tree with exact byte spans, built from saphyr-parser's events.
//!
//! Anchors are ignored and aliases are kept as [`Value::Alias`] without expansion, so an
//! "billion laughs" document costs no more than its own length. Size and depth are bounded.

use crate::findings::Span;
use saphyr_parser::{Event, Parser, ScalarStyle};

/// Nodes beyond this count make the front-matter an error rather than a memory sink.
pub const MAX_NODES: usize = 100_000;
/// Nesting beyond this depth is refused (annotations are at most 3 levels deep).
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Byte span in the whole text (not just the front-matter).
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    /// `*name`: not expanded.
    Alias,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    pub text: String,
    /// Written without quotes (so `null`, `~`, `true`, numbers keep their YAML meaning).
    pub plain: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) if !self.is_null() => Some(&s.text),
            _ => None,
        }
    }

    /// `~`, `null`, or nothing at all (`key:`).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The entry for `key` in a mapping (the first, if duplicated).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key.as_str() == Some(key))
    }

    /// What kind of value this is, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(_) if self.is_null() => "null",
            Value::Scalar(s) if s.plain && s.text.parse::<f64>().is_ok() => "number",
            Value::Scalar(s) if s.plain && matches!(s.text.as_str(), "true" | "false") => "boolean",
            Value::Scalar(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
            Value::Alias => "alias",
        }
    }
}

/// A YAML error at an exact place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub span: Span,
    pub message: String,
}

/// Parses `text[content]` as one YAML document. Returns the root (None for an empty document
/// or on error) and the errors found. Spans are offsets into `text`.
pub fn parse(text: &str, content: Span) -> (Option<Node>, Vec<YamlError>) {
    if let Some(root) = simple::parse(text, content) {
        return (Some(root), Vec::new());
    }
    parse_general(text, content)
}

/// [`parse`] through saphyr-parser's events, for any document.
fn parse_general(text: &str, content: Span) -> (Option<Node>, Vec<YamlError>) {
    let src = content.slice(text);
    let mut offsets = CharOffsets::new(src, content.start);
    let mut builder = Builder::default();
    let mut errors = Vec::new();
    let mut parser = Parser::new_from_str(src);
    let mut documents = 0;
    for item in parser.by_ref() {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                errors.push(YamlError {
                    span: line_span_from(text, at, content.end),
                    message: e.info().to_string(),
                });
                return (None, errors);
            }
        };
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index()).max(start);
        let span = Span::new(start, end);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    errors.push(YamlError {
                        span,
                        message: "the front-matter must hold a single YAML document".into(),
                    });
                    return (None, errors);
                }
            }
            Event::Scalar(value, style, _, _) => {
                let (text_span, plain) = (span, matches!(style, ScalarStyle::Plain));
                builder.push_leaf(Node {
                    span: text_span,
                    value: Value::Scalar(Scalar {
                        text: value.into_owned(),
                        plain,
                    }),
                });
            }
            Event::Alias(_) => builder.push_leaf(Node {
                span,
                value: Value::Alias,
            }),
            Event::SequenceStart(..) => builder.open(span.start, Value::Seq(Vec::new())),
            Event::MappingStart(..) => builder.open(span.start, Value::Map(Vec::new())),
            Event::SequenceEnd | Event::MappingEnd => builder.close(),
            _ => {}
        }
        if let Some(message) = builder.overflow.take() {
            errors.push(YamlError { span, message });
            return (None, errors);
        }
    }
    (builder.root, errors)
}

/// The front-matter most articles have, read without the general parser (about a sixth of
/// its instructions): top-level `key: value` lines, `key: [A, B]` flow lists of
/// simple words, and `key:` followed by an indented block list whose items are plain
/// scalars or flat mappings (`- id: …`, then `  name: …`). Anything else returns `None` for
/// the general parser: quotes or indicators at a scalar's start, `: ` inside a scalar,
/// comments, blank lines, tabs, CR line ends, continuation lines, empty values, deeper
/// nesting, and characters YAML or Unicode treat as special. The tree it builds is the one
/// the general parser builds (tested against it).
mod simple {
    use super::{Entry, Node, Scalar, Value};
    use crate::findings::Span;

    /// Nodes beyond this go to the general parser (which bounds the count).
    const MAX_NODES: usize = 10_000;

    /// Lines of the content: (offset in the content, line without its `\n`).
    struct Lines<'a> {
        src: &'a str,
        pos: usize,
    }

    impl<'a> Iterator for Lines<'a> {
        type Item = (usize, &'a str);

        fn next(&mut self) -> Option<(usize, &'a str)> {
            let rest = self.src.get(self.pos..).filter(|r| !r.is_empty())?;
            let at = self.pos;
            let len = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
            self.pos += len + 1;
            rest.get(..len).map(|l| (at, l))
        }
    }

    struct Reader<'a> {
        /// Offset of the content in the text.
        base: usize,
        lines: Lines<'a>,
        nodes: usize,
    }

    pub(super) fn parse(text: &str, content: Span) -> Option<Node> {
        let src = text.get(content.start..content.end)?;
        if !src.ends_with('\n') || !safe(src) {
            return None;
        }
        let mut r = Reader {
            base: content.start,
            lines: Lines { src, pos: 0 },
            nodes: 0,
        };
        let mut entries = Vec::new();
        let mut line = r.lines.next();
        while let Some((at, l)) = line {
            let (key, rest) = key_at(l)?;
            let key = r.scalar(at, key)?;
            if rest.is_empty() {
                let (list, next) = r.block_list()?;
                entries.push(Entry { key, value: list });
                line = next;
            } else {
                let value = r.value(at + l.len() - rest.len() + 1, rest.strip_prefix(' ')?)?;
                entries.push(Entry { key, value });
                line = r.lines.next();
            }
        }
        r.container(content.start, Value::Map(entries))
    }

    /// The bytes [`safe`] lets through (every byte from 0x80: their characters are checked
    /// apart).
    const SAFE_BYTE: [bool; 256] = {
        let mut t = [true; 256];
        let mut b = 0;
        while b < 0x20 {
            t[b] = b == b'\n' as usize;
            b += 1;
        }
        t[0x7f] = false;
        t[b'#' as usize] = false;
        t[b'{' as usize] = false;
        t[b'}' as usize] = false;
        t
    };

    /// Whether every character may stand in the subset: no controls but `\n` (so no tab or
    /// CR), no `#`, `{` or `}`, and no character YAML or Unicode treats specially (C1
    /// controls, NBSP, other white space, line and paragraph separators, BOM, non-characters).
    fn safe(src: &str) -> bool {
        if !src.bytes().all(|b| SAFE_BYTE[usize::from(b)]) {
            return false;
        }
        src.is_ascii()
            || src.chars().all(|c| {
                c.is_ascii()
                    || !(c <= '\u{a0}'
                        || c.is_whitespace()
                        || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}'))
            })
    }

    /// Keys longer than this go to the general parser (YAML bounds implicit keys).
    const MAX_KEY: usize = 100;

    /// `key:` and what follows the colon (`""` or starting with a space), for a key made of
    /// ASCII letters, digits, `_` and `-` that does not start with `-`.
    fn key_at(l: &str) -> Option<(&str, &str)> {
        let b = l.as_bytes();
        if !b.first()?.is_ascii_alphanumeric() && b.first() != Some(&b'_') {
            return None;
        }
        let len = b
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
            .filter(|&n| n <= MAX_KEY)?;
        let rest = l.get(len..)?.strip_prefix(':')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        Some((l.get(..len)?, rest))
    }

    impl<'a> Reader<'a> {
        fn count(&mut self) -> Option<()> {
            self.nodes += 1;
            (self.nodes <= MAX_NODES).then_some(())
        }

        /// A plain scalar written at content offset `at`.
        fn scalar(&mut self, at: usize, s: &str) -> Option<Node> {
            self.count()?;
            let start = self.base + at;
            Some(Node {
                span: Span::new(start, start + s.len()),
                value: Value::Scalar(Scalar {
                    text: s.to_owned(),
                    plain: true,
                }),
            })
        }

        /// A container starting at text offset `start`, ending where its last child ends (as
        /// the general parser's builder makes it).
        fn container(&mut self, start: usize, value: Value) -> Option<Node> {
            self.count()?;
            let end = match &value {
                Value::Seq(items) => items.last().map(|n| n.span.end),
                Value::Map(entries) => entries.last().map(|e| e.value.span.end.max(e.key.span.end)),
                _ => None,
            }
            .unwrap_or(start);
            Some(Node {
                span: Span::new(start, end),
                value,
            })
        }

        /// The value after `key: ` at content offset `at`: a flow list or a plain scalar.
        fn value(&mut self, at: usize, v: &str) -> Option<Node> {
            if v.starts_with('[') {
                self.flow_list(at, v)
            } else {
                plain(v)?;
                self.scalar(at, v)
            }
        }

        /// `[A, B]`: items of ASCII letters, digits, `_`, `.` and `-` (not first), separated
        /// by `, `, nothing after the bracket.
        fn flow_list(&mut self, at: usize, v: &str) -> Option<Node> {
            let inner = v.strip_prefix('[')?.strip_suffix(']')?;
            let mut items = Vec::new();
            if !inner.is_empty() {
                let mut from = at + 1;
                for item in inner.split(", ") {
                    let b = item.as_bytes();
                    let word =
                        |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
                    if !b.first()?.is_ascii_alphanumeric() || !b.iter().all(word) {
                        return None;
                    }
                    items.push(self.scalar(from, item)?);
                    from += item.len() + 2;
                }
            }
            self.container(self.base + at, Value::Seq(items))
        }

        /// The indented block list after a `key:` line, and the top-level line after it.
        fn block_list(&mut self) -> Option<(Node, Option<(usize, &'a str)>)> {
            let (first_at, first) = self.lines.next()?;
            let indent = first.len() - first.trim_start_matches(' ').len();
            if indent == 0 {
                return None;
            }
            let mut items = Vec::new();
            let mut line = Some((first_at, first));
            while let Some((at, l)) = line {
                let lead = l.len() - l.trim_start_matches(' ').len();
                if lead == 0 {
                    break;
                }
                if lead != indent {
                    return None;
                }
                let item = l.get(indent..)?.strip_prefix("- ")?;
                let item_at = at + indent + 2;
                match key_at(item) {
                    Some((key, rest)) => {
                        // A mapping: this pair, then the lines indented to its key.
                        let mut entries = Vec::new();
                        let mut pair = (item_at, key, rest);
                        loop {
                            let (pat, key, rest) = pair;
                            let k = self.scalar(pat, key)?;
                            let value = self.value(pat + key.len() + 2, rest.strip_prefix(' ')?)?;
                            entries.push(Entry { key: k, value });
                            line = self.lines.next();
                            let Some((at, l)) = line else { break };
                            let lead = l.len() - l.trim_start_matches(' ').len();
                            if lead != indent + 2 {
                                break;
                            }
                            let (key, rest) = key_at(l.get(lead..)?)?;
                            pair = (at + lead, key, rest);
                        }
                        items.push(self.container(self.base + item_at, Value::Map(entries))?);
                    }
                    None => {
                        plain(item)?;
                        items.push(self.scalar(item_at, item)?);
                        line = self.lines.next();
                    }
                }
            }
            let list = self.container(self.base + first_at + indent, Value::Seq(items))?;
            Some((list, line))
        }
    }

    /// Whether `v` reads as this plain scalar in block context, on one line: not empty, no
    /// indicator or space first, no space or `:` last, no `: ` inside, no brackets.
    fn plain(v: &str) -> Option<()> {
        let b = v.as_bytes();
        let (first, last) = (*b.first()?, *b.last()?);
        let bad_first = matches!(
            first,
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
                | b' '
        );
        if bad_first || last == b' ' || last == b':' {
            return None;
        }
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'[' | b']' => return None,
                b':' if b.get(i + 1) == Some(&b' ') => return None,
                _ => {}
            }
        }
        Some(())
    }
}

/// From `at` to the end of its line (at least one byte when possible), for error squiggles.
fn line_span_from(text: &str, at: usize, limit: usize) -> Span {
    let rest = text.get(at..limit).unwrap_or("");
    let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
    Span::new(at, at + len)
}

#[derive(Default)]
struct Builder {
    /// Open containers: (start, value, pending mapping key).
    stack: Vec<(usize, Value, Option<Node>)>,
    root: Option<Node>,
    nodes: usize,
    overflow: Option<String>,
}

impl Builder {
    fn count(&mut self) {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.overflow = Some(format!(
                "the front-matter has more than {MAX_NODES} YAML nodes"
            ));
        }
    }

    fn open(&mut self, start: usize, value: Value) {
        self.count();
        if self.stack.len() >= MAX_DEPTH {
            self.overflow = Some(format!(
                "the front-matter nests deeper than {MAX_DEPTH} levels"
            ));
            return;
        }
        self.stack.push((start, value, None));
    }

    fn close(&mut self) {
        let Some((start, value, _)) = self.stack.pop() else {
            return;
        };
        // A container ends where its last child ends (its own end event is often on the next
        // line), which is what edits that append after it need.
        let end = match &value {
            Value::Seq(items) => items.last().map(|n| n.span.end),
            Value::Map(entries) => entries.last().map(|e| e.value.span.end.max(e.key.span.end)),
            _ => None,
        }
        .unwrap_or(start);
        self.attach(Node {
            span: Span::new(start, end),
            value,
        });
    }

    fn push_leaf(&mut self, node: Node) {
        self.count();
        self.attach(node);
    }

    fn attach(&mut self, node: Node) {
        let Some((_, parent, pending_key)) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        match parent {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push(Entry { key, value: node }),
            },
            _ => {}
        }
    }
}

/// Converts saphyr's char indices to byte offsets; markers arrive nearly in order, so a
/// moving cursor makes this linear overall.
struct CharOffsets<'a> {
    src: &'a str,
    base: usize,
    char_idx: usize,
    byte_idx: usize,
}

impl<'a> CharOffsets<'a> {
    fn new(src: &'a str, base: usize) -> Self {
        CharOffsets {
            src,
            base,
            char_idx: 0,
            byte_idx: 0,
        }
    }

    fn byte(&mut self, target: usize) -> usize {
        if target < self.char_idx {
            if self.char_idx - target < target {
                for c in self.src[..self.byte_idx].chars().rev() {
                    if self.char_idx == target {
                        break;
                    }
                    self.char_idx -= 1;
                    self.byte_idx -= c.len_utf8();
                }
            } else {
                self.char_idx = 0;
                self.byte_idx = 0;
            }
        }
        for c in self.src[self.byte_idx..].chars() {
            if self.char_idx >= target {
                break;
            }
            self.char_idx += 1;
            self.byte_idx += c.len_utf8();
        }
        self.base + self.byte_idx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(src: &str) -> (Option<Node>, Vec<YamlError>) {
        parse(src, Span::new(0, src.len()))
    }

    #[test]
    fn spans_point_at_keys_and_values_in_bytes() {
        let src = "title: 中国科学院 😀\ninstitutions:\n  - id: ror:034t30j35\n";
        let (root, errors) = parse_all(src);
        assert!(errors.is_empty(), "{errors:?}");
        let root = root.unwrap();
        let title = root.get("title").unwrap();
        assert_eq!(title.key.span.slice(src), "title");
        assert_eq!(title.value.span.slice(src), "中国科学院 😀");
        let list = root.get("institutions").unwrap().value.as_seq().unwrap();
        let id = list[0].get("id").unwrap();
        assert_eq!(id.value.span.slice(src), "ror:034t30j35");
    }

    #[test]
    fn quoted_scalars_span_includes_quotes() {
        let src = "title: \"Hello: world\"\n";
        let (root, _) = parse_all(src);
        let root = root.unwrap();
        let v = &root.get("title").unwrap().value;
        assert_eq!(v.as_str(), Some("Hello: world"));
        assert_eq!(v.span.slice(src), "\"Hello: world\"");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let src = "title: ok\ninstitutions: [a, b\n";
        let (root, errors) = parse_all(src);
        assert!(root.is_none());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].span.start >= "title: ok\n".len(), "{errors:?}");
    }

    #[test]
    fn aliases_are_not_expanded() {
        let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..20 {
            src.push_str(&format!(
                "b{i}: &b{i} [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            ));
        }
        let (root, errors) = parse_all(&src);
        assert!(errors.is_empty());
        assert_eq!(root.unwrap().as_map().unwrap().len(), 21);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (root, errors) = parse_all(&src);
        assert!(root.is_none());
        assert!(!errors.is_empty());
    }

    #[test]
    fn empty_values_are_null() {
        let (root, _) = parse_all("title:\ntags: ~\n");
        let root = root.unwrap();
        assert!(root.get("title").unwrap().value.is_null());
        assert!(root.get("tags").unwrap().value.is_null());
    }

    /// The fast path's answer, when it has one, is the general parser's.
    fn same_as_general(text: &str, content: Span) -> bool {
        let fast = simple::parse(text, content);
        if let Some(root) = &fast {
            let (general, errors) = parse_general(text, content);
            assert!(errors.is_empty(), "{text:?}: {errors:?}");
            assert_eq!(general.as_ref(), Some(root), "{text:?}");
        }
        fast.is_some()
    }

    #[test]
    fn the_usual_front_matter_takes_the_fast_path() {
        let src = "schema: 1\ntitle: CNRS Representative in China Visited KUST\npublished: 2019-10-06\nlanguage: en\ninstitutions:\n  - id: ror:02feahw73\n    name: French National Centre for Scientific Research\n    country: FR\n  - id: kust\n    name: 昆明理工大学 😀\ncountries: [FR, CN]\ntags: []\ndates:\n - 2019-10-06\n - China's R&D, 50% off!\n";
        let text = format!("---\n{src}---\nBody\n");
        assert!(same_as_general(&text, Span::new(4, 4 + src.len())));
        let (root, errors) = parse(&text, Span::new(4, 4 + src.len()));
        assert!(errors.is_empty());
        let list = root.unwrap().get("institutions").unwrap().value.clone();
        assert_eq!(list.as_seq().unwrap().len(), 2);
    }

    /// Front-matters assembled from awkward pieces (quotes, indicators, comments, tabs, CR,
    /// NBSP, CJK, emoji, odd indentation): wherever the fast path answers, it answers like
    /// the general parser; and it does answer for many of them.
    #[test]
    fn the_fast_path_builds_what_the_general_parser_builds() {
        // Pieces the fast path takes first, then awkward ones.
        let keys = [
            "title",
            "schema",
            "id",
            "name",
            "a-b",
            "_x",
            "1",
            "countries",
            "dates",
            "-x",
            "x y",
            "x.y",
            "k:",
            "",
            "中文",
            "a#b",
        ];
        let good_keys = 9;
        let values = [
            "KUST",
            "ror:02feahw73",
            "2019-10-06",
            "中国科学院",
            "😀 x",
            "China's",
            "R&D",
            "a:b",
            "a::b",
            "a :b",
            "[FR, CN]",
            "[]",
            "[2019-01-01, x.y]",
            "q'",
            "x -",
            "~",
            "null",
            "a  b",
            "a\u{3000}b",
            "a,b",
            "a, b",
            "a!",
            "a*",
            "a\\b",
            "50%",
            "a -b",
            "a - b",
            "a ? b",
            "Ünï",
            "1.5",
            "-1",
            "+1",
            ".inf",
            "yes",
            "a\u{200b}b",
            "a \"b\"",
            "a 'b'",
            "a|b",
            "a>b",
            "a@b",
            "a`b",
            "a%b",
            "a&b",
            "a*b",
            "a!b",
            "a?",
            "a,",
            "a?b",
            "a-",
            // Awkward.
            "a #c",
            "#c",
            "[ ]",
            "[FR,CN]",
            "[a b]",
            "[-a, b]",
            "[a, ]",
            "[a]]",
            "[a] x",
            "\"q\"",
            "'q'",
            "- x",
            "?x",
            "? x",
            "",
            " ",
            "a\tb",
            "a\u{a0}b",
            "\u{a0}",
            "a\u{2028}b",
            "a\u{85}b",
            "\u{feff}a",
            ", a",
            "a]",
            "a[",
            "@a",
            "%a",
            "`a",
            "|",
            ">",
            "*a",
            "&a",
            "!a",
            "x ",
            "{a: b}",
            "a}",
            "...",
            "---",
            ":a",
            "a:",
            "a :",
            "a\u{7f}",
            "a\u{fffe}",
            "a: b",
            "a\r",
            "-",
            "- ",
            "[",
            "]",
            "a\u{1}b",
            " x",
            "  x",
            "x  ",
        ];
        let good_values = 49;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        // Mostly pieces the fast path takes, one in eight from all of them.
        let pick = |all: &[&'static str], good: usize, next: &mut dyn FnMut(usize) -> usize| {
            if next(8) == 0 {
                all[next(all.len())]
            } else {
                all[next(good)]
            }
        };
        let mut fast = 0;
        for _ in 0..30_000 {
            let mut src = String::new();
            for _ in 0..1 + next(5) {
                let key = pick(&keys, good_keys, &mut next);
                match next(7) {
                    0 | 1 => {
                        let indent = " ".repeat(if next(8) == 0 { next(5) } else { 1 + next(4) });
                        src.push_str(key);
                        src.push_str(":\n");
                        for _ in 0..next(4) {
                            if next(2) == 0 {
                                let v = pick(&values, good_values, &mut next);
                                src.push_str(&format!("{indent}- {v}\n"));
                                continue;
                            }
                            for f in 0..1 + next(3) {
                                let k = pick(&keys, good_keys, &mut next);
                                let v = pick(&values, good_values, &mut next);
                                let lead = if f == 0 {
                                    format!("{indent}- ")
                                } else if next(6) == 0 {
                                    " ".repeat(indent.len() + 1 + 2 * next(2))
                                } else {
                                    " ".repeat(indent.len() + 2)
                                };
                                src.push_str(&format!("{lead}{k}: {v}\n"));
                            }
                        }
                    }
                    2 if next(3) == 0 => {
                        let v = pick(&values, good_values, &mut next);
                        src.push_str(&format!("{key}:{v}\n"));
                    }
                    3 if next(3) == 0 => {
                        src.push_str(["\n", "# c\n", "  x\n", "key: a\r\n", " \n"][next(5)])
                    }
                    _ => {
                        let v = pick(&values, good_values, &mut next);
                        src.push_str(&format!("{key}: {v}\n"));
                    }
                }
            }
            if next(20) == 0 {
                src.pop();
            }
            let text = format!("---\n{src}---\n");
            if same_as_general(&text, Span::new(4, 4 + src.len())) {
                fast += 1;
            }
        }
        assert!(fast > 5_000, "the fast path answered {fast} times");
    }
}
