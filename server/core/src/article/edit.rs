//! Edits to the front-matter that keep everything else byte for byte: add an entry to a
//! list, remove one, set a scalar, create the block. Each returns [`TextEdit`]s against the
//! original text, in the article's own line ending, so fixes compose and never touch the body.

use super::schema::TOP_LEVEL_KEYS;
use super::yaml::Node;
use super::Article;
use crate::findings::{Span, TextEdit};
use std::fmt::Write as _;

/// A YAML value to write: a scalar, or a flat mapping of scalars (a list entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Scalar(String),
    Map(Vec<(String, String)>),
}

/// A list entry as [`ListAppend::edit`] writes it: implemented by [`Item`], by `str` (a
/// scalar) and by callers' own borrowed records, so that nothing is copied to render it.
pub trait Entry {
    /// The scalar; `None` for a mapping.
    fn scalar(&self) -> Option<&str>;
    /// Calls `f` with each field of a mapping, in order.
    fn fields(&self, f: &mut dyn FnMut(&str, &str));
}

impl Entry for Item {
    fn scalar(&self) -> Option<&str> {
        match self {
            Item::Scalar(s) => Some(s),
            Item::Map(_) => None,
        }
    }

    fn fields(&self, f: &mut dyn FnMut(&str, &str)) {
        if let Item::Map(fields) = self {
            for (k, v) in fields {
                f(k, v);
            }
        }
    }
}

impl Entry for str {
    fn scalar(&self) -> Option<&str> {
        Some(self)
    }

    fn fields(&self, _: &mut dyn FnMut(&str, &str)) {}
}

impl<T: Entry + ?Sized> Entry for &T {
    fn scalar(&self) -> Option<&str> {
        (**self).scalar()
    }

    fn fields(&self, f: &mut dyn FnMut(&str, &str)) {
        (**self).fields(f)
    }
}

/// Words YAML 1.1 reads as null or booleans (any case).
const RESERVED: [&str; 9] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"];

/// The bytes that may make a scalar need quotes where they stand (controls, the lead byte of
/// C1 controls, `:` and `#`): any other byte is skipped at once. (` #` is found at its `#`,
/// not at the space: spaces are common, `#` is rare.)
const MAY_QUOTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[b':' as usize] = true;
    t[b'#' as usize] = true;
    t
};

/// Whether the plain form of `s` would read as something else (one pass over the bytes; the
/// rules of [`yaml_scalar`]).
fn needs_quotes(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true; // empty
    };
    if matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
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
            | b'~'
    ) || last == b':'
    {
        return true;
    }
    // Leading or trailing white space (as `str::trim` sees it).
    let edge = |c: Option<char>| c.is_some_and(char::is_whitespace);
    if edge(s.chars().next()) || edge(s.chars().next_back()) {
        return true;
    }
    for (i, &c) in b.iter().enumerate() {
        if !MAY_QUOTE[c as usize] {
            continue;
        }
        let next = b.get(i + 1).copied();
        let quote = match c {
            // Controls: C0, DEL, and C1 (U+0080–U+009F, `C2 80`–`C2 9F` in UTF-8).
            0..=0x1f | 0x7f => true,
            0xc2 => next.is_some_and(|n| (0x80..=0x9f).contains(&n)),
            b':' => next == Some(b' '),
            b'#' => i > 0 && b.get(i - 1) == Some(&b' '),
            _ => false,
        };
        if quote {
            return true;
        }
    }
    let reserved_start = matches!(first.to_ascii_lowercase(), b'n' | b't' | b'f' | b'y' | b'o');
    if reserved_start && b.len() <= 5 && RESERVED.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return true;
    }
    // Only these can start a number, `inf` or `nan` (a parse is costly).
    let number_start = matches!(
        first,
        b'0'..=b'9' | b'+' | b'-' | b'.' | b'i' | b'I' | b'n' | b'N'
    );
    number_start && s.parse::<f64>().is_ok()
}

/// Writes a string as a YAML scalar, quoting only when the plain form would change meaning.
pub fn yaml_scalar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_yaml_scalar(&mut out, s);
    out
}

/// [`yaml_scalar`] written at the end of `out`.
pub fn push_yaml_scalar(out: &mut String, s: &str) {
    if !needs_quotes(s) {
        out.push_str(s);
        return;
    }
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Writing to a String cannot fail.
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Scalars that are dates or codes are written plain; [`yaml_scalar`] quotes what needs it.
fn push_block_item(out: &mut String, item: &impl Entry, indent: &str, nl: &str) {
    if let Some(s) = item.scalar() {
        out.push_str(indent);
        out.push_str("- ");
        push_yaml_scalar(out, s);
        out.push_str(nl);
        return;
    }
    let mut first = true;
    item.fields(&mut |k, v| {
        out.push_str(indent);
        out.push_str(if first { "- " } else { "  " });
        first = false;
        out.push_str(k);
        out.push_str(": ");
        push_yaml_scalar(out, v);
        out.push_str(nl);
    });
}

fn push_flow_item(out: &mut String, item: &impl Entry) {
    if let Some(s) = item.scalar() {
        push_yaml_scalar(out, s);
        return;
    }
    out.push('{');
    let mut first = true;
    item.fields(&mut |k, v| {
        if !first {
            out.push_str(", ");
        }
        first = false;
        out.push_str(k);
        out.push_str(": ");
        push_yaml_scalar(out, v);
    });
    out.push('}');
}

/// Offset just after the line break of the line holding `offset` (or the text's end).
fn after_line(text: &str, offset: usize) -> usize {
    let rest = text.get(offset.min(text.len())..).unwrap_or("");
    match rest.find(['\n', '\r']) {
        Some(i) if rest[i..].starts_with("\r\n") => offset + i + 2,
        Some(i) => offset + i + 1,
        None => text.len(),
    }
}

/// Offset of the start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .unwrap_or("")
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1)
}

/// End of the line holding `offset`, before its line break.
fn line_end(text: &str, offset: usize) -> usize {
    let rest = text.get(offset.min(text.len())..).unwrap_or("");
    offset + rest.find(['\n', '\r']).unwrap_or(rest.len())
}

/// Creates a whole front-matter block holding `lines` (each already rendered, without the
/// final line break), at the top of the article.
pub fn create_front_matter(article: &Article, lines: &[String]) -> TextEdit {
    let nl = article.line_ending.as_str();
    let size: usize = lines.iter().map(|l| l.len() + nl.len()).sum();
    let mut block = String::with_capacity(size + 2 * (3 + nl.len()));
    block.push_str("---");
    block.push_str(nl);
    for l in lines {
        block.push_str(l);
        block.push_str(nl);
    }
    block.push_str("---");
    block.push_str(nl);
    TextEdit::insert(article.start(), block)
}

fn key_rank(key: &str) -> usize {
    TOP_LEVEL_KEYS
        .iter()
        .position(|(k, _)| *k == key)
        .unwrap_or(TOP_LEVEL_KEYS.len())
}

/// Where a new top-level `key` belongs in the canonical key order. `None` when there is no
/// parsed front-matter.
fn top_level_at(text: &str, article: &Article, key: &str) -> Option<usize> {
    let fm = article.front_matter.as_ref()?;
    if !fm.errors.is_empty() {
        return None;
    }
    let entries = match &fm.root {
        None => &[][..],
        Some(root) => root.as_map()?,
    };
    let rank = key_rank(key);
    let after = entries
        .iter()
        .filter(|e| e.key.as_str().is_some_and(|k| key_rank(k) <= rank))
        .map(|e| e.value.span.end.max(e.key.span.end))
        .max();
    Some(match after {
        Some(end) => after_line(text, end).min(fm.close.start),
        None => fm.content.start,
    })
}

/// Inserts a new top-level `rendered` block (one or more lines, each ending in a line break)
/// where `key` belongs in the canonical key order. `None` when there is no parsed front-matter.
fn insert_top_level(
    text: &str,
    article: &Article,
    key: &str,
    rendered: String,
) -> Option<TextEdit> {
    top_level_at(text, article, key).map(|at| TextEdit::insert(at, rendered))
}

/// Sets a top-level scalar (`published`, `language`, …), replacing any value it has.
pub fn set_scalar(text: &str, article: &Article, key: &str, value: &str) -> Option<Vec<TextEdit>> {
    let nl = article.line_ending.as_str();
    let Some(fm) = &article.front_matter else {
        return Some(vec![create_front_matter(
            article,
            &[format!("{key}: {}", yaml_scalar(value))],
        )]);
    };
    let entry = fm.root.as_ref().and_then(|r| r.get(key));
    match entry {
        Some(e) if e.value.is_null() => {
            let from = e.key.span.end;
            Some(vec![TextEdit::replace(
                Span::new(from, line_end(text, from)),
                format!(": {}", yaml_scalar(value)),
            )])
        }
        Some(e) => Some(vec![TextEdit::replace(e.value.span, yaml_scalar(value))]),
        None => insert_top_level(
            text,
            article,
            key,
            format!("{key}: {}{nl}", yaml_scalar(value)),
        )
        .map(|e| vec![e]),
    }
}

/// How items are appended to one top-level list of one article: found once by
/// [`list_append`], then used for as many sets of items as needed (a fix per finding).
#[derive(Clone, Debug)]
pub struct ListAppend<'t> {
    /// Replaced by the rendered items (empty for an insertion).
    span: Span,
    nl: &'static str,
    how: How<'t>,
}

#[derive(Clone, Debug)]
enum How<'t> {
    /// No front-matter: a new block with `schema: 1` and the key.
    Create(&'t str),
    /// A new key in the front-matter.
    NewKey(&'t str),
    /// The key is there with no value.
    Null,
    /// A flow list (`[a, b]`); `sep` goes before the first new item.
    Flow { sep: &'static str },
    /// A block list, its items indented by `indent`.
    Block { indent: &'t str },
}

/// Where and how items go in the top-level list `key`, or `None` when the front-matter cannot
/// be edited safely (broken YAML, or `key` holds something other than a list).
pub fn list_append<'t>(text: &'t str, article: &Article, key: &'t str) -> Option<ListAppend<'t>> {
    let nl = article.line_ending.as_str();
    let plan = |span, how| Some(ListAppend { span, nl, how });
    let Some(fm) = &article.front_matter else {
        return plan(Span::empty(article.start()), How::Create(key));
    };
    if !fm.errors.is_empty() {
        return None;
    }
    let Some(entry) = fm.root.as_ref().and_then(|r| r.get(key)) else {
        let at = top_level_at(text, article, key)?;
        return plan(Span::empty(at), How::NewKey(key));
    };
    let value = &entry.value;
    if value.is_null() {
        let from = entry.key.span.end;
        return plan(Span::new(from, line_end(text, from)), How::Null);
    }
    let list = value.as_seq()?;
    let starts_flow = |at: usize| text.get(at..).is_some_and(|s| s.starts_with('['));
    if value.span.slice(text).starts_with('[') || starts_flow(value.span.start) {
        // Flow list: insert before the closing bracket.
        let after_last = list.last().map_or(value.span.start + 1, |n| n.span.end);
        let close = after_last + text.get(after_last..fm.close.start)?.find(']')?;
        let sep = if list.is_empty() { "" } else { ", " };
        return plan(Span::empty(close), How::Flow { sep });
    }
    let last = list.last()?;
    let first = list.first()?;
    let ls = line_start(text, first.span.start);
    let dash = text.get(ls..first.span.start)?.find('-').unwrap_or(0);
    let indent = text.get(ls..ls + dash)?;
    let at = after_line(text, last.span.end).min(fm.close.start);
    // The last item might end the content without a line break before the closer: impossible
    // (the closer is on its own line), so `at` is always a line start.
    plan(Span::empty(at), How::Block { indent })
}

impl ListAppend<'_> {
    /// The edit appending `items` (at least one) to the list.
    pub fn edit<E: Entry, I>(&self, items: I) -> TextEdit
    where
        I: IntoIterator<Item = E>,
        I::IntoIter: Clone,
    {
        let nl = self.nl;
        let items = items.into_iter();
        // Sized once: the lines' lengths without quotes or escapes (the usual case).
        let indent = match &self.how {
            How::Block { indent } => indent.len(),
            _ => 2,
        };
        let line = indent + 4 + nl.len();
        let mut size = 3 * (3 + nl.len()) + 16;
        for i in items.clone() {
            match i.scalar() {
                Some(s) => size += line + s.len(),
                None => i.fields(&mut |k, v| size += line + k.len() + v.len()),
            }
        }
        let mut out = String::with_capacity(size);
        match &self.how {
            How::Create(key) => {
                for piece in ["---", nl, "schema: 1", nl, key, ":", nl] {
                    out.push_str(piece);
                }
                if nl == "\r" {
                    // Written as `append_to_list` always has: the items' lines re-split with
                    // `str::lines` (which splits at `\n` only).
                    let mut body = String::new();
                    for i in items {
                        push_block_item(&mut body, &i, "  ", nl);
                    }
                    for l in body.lines() {
                        out.push_str(l);
                        out.push_str(nl);
                    }
                } else {
                    // Every rendered line ends with `nl` and holds no other line break (scalars
                    // escape theirs): splitting into lines and joining them again is a no-op.
                    for i in items {
                        push_block_item(&mut out, &i, "  ", nl);
                    }
                }
                out.push_str("---");
                out.push_str(nl);
            }
            How::NewKey(key) => {
                out.push_str(key);
                out.push(':');
                out.push_str(nl);
                for i in items {
                    push_block_item(&mut out, &i, "  ", nl);
                }
            }
            How::Null => {
                out.push(':');
                out.push_str(nl);
                let head = out.len();
                for i in items {
                    push_block_item(&mut out, &i, "  ", nl);
                }
                // The items' final line breaks go: the key's line keeps its own.
                while out.len() > head && out.ends_with(nl) {
                    out.truncate(out.len() - nl.len());
                }
            }
            How::Flow { sep } => {
                let mut first = true;
                for i in items {
                    out.push_str(if first { sep } else { ", " });
                    first = false;
                    push_flow_item(&mut out, &i);
                }
            }
            How::Block { indent } => {
                for i in items {
                    push_block_item(&mut out, &i, indent, nl);
                }
            }
        }
        TextEdit::replace(self.span, out)
    }
}

/// Appends `items` to the top-level list `key` (`institutions`, `countries`, `dates`),
/// creating the key, or the whole front-matter, when absent. Keeps the list's style (block or
/// flow) and indentation. `None` when the front-matter cannot be edited safely (broken YAML, or
/// `key` holds something other than a list).
pub fn append_to_list(
    text: &str,
    article: &Article,
    key: &str,
    items: &[Item],
) -> Option<Vec<TextEdit>> {
    if items.is_empty() {
        return Some(Vec::new());
    }
    Some(vec![list_append(text, article, key)?.edit(items)])
}

/// Removes one list item (a block `- …` item with all its lines, or a flow item with its
/// comma), given the item's span.
pub fn remove_list_item(text: &str, item: Span) -> TextEdit {
    let ls = line_start(text, item.start);
    let lead = &text[ls..item.start];
    if lead.trim_start().starts_with('-') && lead.trim_start()[1..].trim().is_empty() {
        return TextEdit::delete(Span::new(ls, after_line(text, item.end)));
    }
    // Flow item: take the following ", " or else the preceding ", ".
    let after = &text[item.end..];
    let trailing = after.len() - after.trim_start_matches([',', ' ']).len();
    if after.starts_with(',') {
        return TextEdit::delete(Span::new(item.start, item.end + trailing));
    }
    let before = &text[..item.start];
    let leading = before.len() - before.trim_end_matches([',', ' ']).len();
    TextEdit::delete(Span::new(item.start - leading, item.end))
}

/// The node of a top-level key, for callers that need spans.
pub fn top_level<'a>(article: &'a Article, key: &str) -> Option<&'a Node> {
    article
        .front_matter
        .as_ref()?
        .root
        .as_ref()?
        .get(key)
        .map(|e| &e.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::parse;
    use crate::findings::apply_edits;

    fn apply(text: &str, edits: Option<Vec<TextEdit>>) -> String {
        apply_edits(text, &edits.expect("editable")).unwrap()
    }

    fn kust() -> Item {
        Item::Map(vec![
            ("id".into(), "ror:02egmk993".into()),
            (
                "name".into(),
                "University of Science and Technology Beijing".into(),
            ),
            ("country".into(), "CN".into()),
        ])
    }

    #[test]
    fn append_to_a_block_list_keeps_its_indentation() {
        let text = "---\ntitle: A\ninstitutions:\n    - id: cnrs\n      name: CNRS\ncountries: [FR]\n---\nBody\n";
        let out = apply(
            text,
            append_to_list(text, &parse(text), "institutions", &[kust()]),
        );
        assert_eq!(out, "---\ntitle: A\ninstitutions:\n    - id: cnrs\n      name: CNRS\n    - id: ror:02egmk993\n      name: University of Science and Technology Beijing\n      country: CN\ncountries: [FR]\n---\nBody\n");
    }

    #[test]
    fn append_to_a_flow_list_and_to_an_empty_one() {
        let text = "---\ncountries: [FR]\ntags: []\n---\n";
        let a = parse(text);
        let out = apply(
            text,
            append_to_list(text, &a, "countries", &[Item::Scalar("CN".into())]),
        );
        assert_eq!(out, "---\ncountries: [FR, CN]\ntags: []\n---\n");
        let out = apply(
            text,
            append_to_list(text, &a, "tags", &[Item::Scalar("energy".into())]),
        );
        assert_eq!(out, "---\ncountries: [FR]\ntags: [energy]\n---\n");
    }

    #[test]
    fn append_creates_the_key_in_canonical_order_and_keeps_crlf() {
        let text = "---\r\ntitle: A\r\ntags: [x]\r\n---\r\nBody\r\n";
        let out = apply(
            text,
            append_to_list(text, &parse(text), "institutions", &[kust()]),
        );
        assert_eq!(out, "---\r\ntitle: A\r\ninstitutions:\r\n  - id: ror:02egmk993\r\n    name: University of Science and Technology Beijing\r\n    country: CN\r\ntags: [x]\r\n---\r\nBody\r\n");
    }

    #[test]
    fn append_to_a_null_key_and_to_an_article_without_front_matter() {
        let text = "---\ninstitutions:\n---\n";
        let out = apply(
            text,
            append_to_list(
                text,
                &parse(text),
                "countries",
                &[Item::Scalar("CN".into())],
            ),
        );
        assert_eq!(out, "---\ninstitutions:\ncountries:\n  - CN\n---\n");
        let out = apply(
            text,
            append_to_list(
                text,
                &parse(text),
                "institutions",
                &[Item::Scalar("x".into())],
            ),
        );
        assert_eq!(out, "---\ninstitutions:\n  - x\n---\n");
        let body = "\u{feff}中国科学院\n";
        let out = apply(
            body,
            append_to_list(
                body,
                &parse(body),
                "countries",
                &[Item::Scalar("CN".into())],
            ),
        );
        assert_eq!(
            out,
            "\u{feff}---\nschema: 1\ncountries:\n  - CN\n---\n中国科学院\n"
        );
    }

    #[test]
    fn remove_block_and_flow_items() {
        let text =
            "---\ninstitutions:\n  - id: a\n    name: A\n  - id: b\ncountries: [CN, FR, CN]\n---\n";
        let a = parse(text);
        let list = top_level(&a, "institutions").unwrap().as_seq().unwrap();
        let out = apply(text, Some(vec![remove_list_item(text, list[0].span)]));
        assert_eq!(
            out,
            "---\ninstitutions:\n  - id: b\ncountries: [CN, FR, CN]\n---\n"
        );
        let countries = top_level(&a, "countries").unwrap().as_seq().unwrap();
        let out = apply(text, Some(vec![remove_list_item(text, countries[2].span)]));
        assert!(out.contains("countries: [CN, FR]\n"), "{out}");
        let out = apply(text, Some(vec![remove_list_item(text, countries[0].span)]));
        assert!(out.contains("countries: [FR, CN]\n"), "{out}");
    }

    #[test]
    fn set_scalar_replaces_inserts_or_fills() {
        let text = "---\ntitle: A\nlanguage:\n---\n";
        let a = parse(text);
        assert_eq!(
            apply(text, set_scalar(text, &a, "title", "B: c")),
            "---\ntitle: \"B: c\"\nlanguage:\n---\n"
        );
        assert_eq!(
            apply(text, set_scalar(text, &a, "language", "zh-Hant")),
            "---\ntitle: A\nlanguage: zh-Hant\n---\n"
        );
        assert_eq!(
            apply(text, set_scalar(text, &a, "published", "2024-06-27")),
            "---\ntitle: A\npublished: 2024-06-27\nlanguage:\n---\n"
        );
    }

    /// The quoting rules as first written (string searches), to check the byte scan against.
    fn needs_quotes_reference(s: &str) -> bool {
        s.is_empty()
            || s.trim() != s
            || s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~".contains(c))
            || s.as_bytes().windows(2).any(|w| w == b": " || w == b" #")
            || s.ends_with(':')
            || s.contains(|c: char| c.is_control())
            || RESERVED.iter().any(|w| s.eq_ignore_ascii_case(w))
            || (s.starts_with(|c: char| c.is_ascii_digit() || "+-.iInN".contains(c))
                && s.parse::<f64>().is_ok())
    }

    #[test]
    fn quoting_follows_the_written_rules() {
        let cases = [
            "",
            "Kunming University",
            " lead",
            "trail ",
            "\u{a0}nbsp",
            "nbsp\u{3000}",
            "-x",
            "a-b",
            "?",
            "key: value",
            "a:b",
            "a :b",
            "x #y",
            "x#y",
            "x ##",
            "x# y",
            "a #",
            "中 #x",
            "x\u{a0}#y",
            "##",
            "ends:",
            "tab\there",
            "c1\u{85}x",
            "\u{a0}",
            "é\u{9f}",
            "中国科学院",
            "No",
            "NULL",
            "yEs",
            "n",
            "Y",
            "off",
            "Nope",
            "on the",
            "inf",
            "-inf",
            "NaN",
            "Infinity",
            "nan?",
            "1e5",
            ".5",
            "+3",
            "2019",
            "2019-06",
            "Institute",
            "National Lab",
            "\u{7f}",
            "\"q\"",
            "@x",
            "`x",
            "ror:02egmk993",
            "wikidata:Q123",
        ];
        for c in cases {
            assert_eq!(needs_quotes(c), needs_quotes_reference(c), "{c:?}");
        }
        assert_eq!(yaml_scalar("c1\u{85}x"), "\"c1\\u0085x\"");
    }

    #[test]
    fn one_plan_serves_many_edits() {
        let text = "---\ntitle: A\ninstitutions:\n  - id: cnrs\ncountries: [FR]\n---\nBody\n";
        let a = parse(text);
        let plan = list_append(text, &a, "institutions").expect("a block list");
        for _ in 0..2 {
            assert_eq!(
                Some(vec![plan.edit([kust()])]),
                append_to_list(text, &a, "institutions", &[kust()])
            );
        }
        let countries = list_append(text, &a, "countries").expect("a flow list");
        let out = apply(text, Some(vec![countries.edit(["CN", "LA"])]));
        assert!(out.contains("countries: [FR, CN, LA]\n"), "{out}");
    }

    #[test]
    fn a_new_front_matter_with_lone_cr_line_ends_keeps_its_old_form() {
        // `str::lines` does not split at a lone CR: the items' block stays one line and gets
        // one more CR, as fixes have always been written.
        let body = "中国科学院\rline\r";
        let out = apply(
            body,
            append_to_list(
                body,
                &parse(body),
                "countries",
                &[Item::Scalar("CN".into()), Item::Scalar("LA".into())],
            ),
        );
        assert_eq!(
            out,
            "---\rschema: 1\rcountries:\r  - CN\r  - LA\r\r---\r中国科学院\rline\r"
        );
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(yaml_scalar("Kunming University"), "Kunming University");
        assert_eq!(yaml_scalar("中国科学院"), "中国科学院");
        assert_eq!(yaml_scalar("2019"), "\"2019\"");
        assert_eq!(yaml_scalar("no"), "\"no\"");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("say \"hi\""), "say \"hi\"");
        assert_eq!(yaml_scalar("\"hi\""), "\"\\\"hi\\\"\"");
    }
}
