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
}
