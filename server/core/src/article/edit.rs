//! Edits to the front-matter that keep everything else byte for byte: add an entry to a
//! list, remove one, set a scalar, create the block. Each returns [`TextEdit`]s against the
//! original text, in the article's own line ending, so fixes compose and never touch the body.

use super::schema::TOP_LEVEL_KEYS;
use super::yaml::Node;
use super::Article;
use crate::findings::{Span, TextEdit};

/// A YAML value to write: a scalar, or a flat mapping of scalars (a list entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Scalar(String),
    Map(Vec<(String, String)>),
}

/// Writes a string as a YAML scalar, quoting only when the plain form would change meaning.
pub fn yaml_scalar(s: &str) -> String {
    let needs_quotes = s.is_empty()
        || s.trim() != s
        || s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~".contains(c))
        || s.as_bytes().windows(2).any(|w| w == b": " || w == b" #")
        || s.ends_with(':')
        || s.contains(|c: char| c.is_control())
        || ["null", "true", "false", "yes", "no", "on", "off", "y", "n"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
        // Only these can start a number, `inf` or `nan` (a parse is costly).
        || (s.starts_with(|c: char| c.is_ascii_digit() || "+-.iInN".contains(c))
            && s.parse::<f64>().is_ok());
    if !needs_quotes {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Scalars that are dates or codes are written plain; [`yaml_scalar`] quotes what needs it.
fn render_block_item(item: &Item, indent: &str, nl: &str) -> String {
    // Pushed piece by piece: fixes are rendered for every finding of every article.
    let mut out = String::with_capacity(64);
    match item {
        Item::Scalar(s) => {
            for piece in [indent, "- ", &yaml_scalar(s), nl] {
                out.push_str(piece);
            }
        }
        Item::Map(fields) => {
            for (i, (k, v)) in fields.iter().enumerate() {
                let lead = if i == 0 { "- " } else { "  " };
                for piece in [indent, lead, k, ": ", &yaml_scalar(v), nl] {
                    out.push_str(piece);
                }
            }
        }
    }
    out
}

fn render_flow_item(item: &Item) -> String {
    match item {
        Item::Scalar(s) => yaml_scalar(s),
        Item::Map(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", yaml_scalar(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Offset just after the line break of the line holding `offset` (or the text's end).
fn after_line(text: &str, offset: usize) -> usize {
    let rest = &text[offset.min(text.len())..];
    match rest.find(['\n', '\r']) {
        Some(i) if rest[i..].starts_with("\r\n") => offset + i + 2,
        Some(i) => offset + i + 1,
        None => text.len(),
    }
}

/// Offset of the start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1)
}

/// End of the line holding `offset`, before its line break.
fn line_end(text: &str, offset: usize) -> usize {
    let rest = &text[offset.min(text.len())..];
    offset + rest.find(['\n', '\r']).unwrap_or(rest.len())
}

/// Creates a whole front-matter block holding `lines` (each already rendered, without the
/// final line break), at the top of the article.
pub fn create_front_matter(article: &Article, lines: &[String]) -> TextEdit {
    let nl = article.line_ending.as_str();
    let mut block = format!("---{nl}");
    for l in lines {
        block.push_str(l);
        block.push_str(nl);
    }
    block.push_str(&format!("---{nl}"));
    TextEdit::insert(article.start(), block)
}

fn key_rank(key: &str) -> usize {
    TOP_LEVEL_KEYS
        .iter()
        .position(|(k, _)| *k == key)
        .unwrap_or(TOP_LEVEL_KEYS.len())
}

/// Inserts a new top-level `rendered` block (one or more lines, each ending in a line break)
/// where `key` belongs in the canonical key order. `None` when there is no parsed front-matter.
fn insert_top_level(
    text: &str,
    article: &Article,
    key: &str,
    rendered: String,
) -> Option<TextEdit> {
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
    let at = match after {
        Some(end) => after_line(text, end).min(fm.close.start),
        None => fm.content.start,
    };
    Some(TextEdit::insert(at, rendered))
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
    let nl = article.line_ending.as_str();
    let block = |indent: &str| -> String {
        items
            .iter()
            .map(|i| render_block_item(i, indent, nl))
            .collect()
    };
    let Some(fm) = &article.front_matter else {
        let body = block("  ");
        let mut lines = vec!["schema: 1".to_string(), format!("{key}:")];
        lines.extend(body.lines().map(str::to_string));
        return Some(vec![create_front_matter(article, &lines)]);
    };
    if !fm.errors.is_empty() {
        return None;
    }
    let Some(entry) = fm.root.as_ref().and_then(|r| r.get(key)) else {
        return insert_top_level(text, article, key, format!("{key}:{nl}{}", block("  ")))
            .map(|e| vec![e]);
    };
    let value = &entry.value;
    if value.is_null() {
        let from = entry.key.span.end;
        return Some(vec![TextEdit::replace(
            Span::new(from, line_end(text, from)),
            format!(":{nl}{}", block("  ").trim_end_matches(nl)),
        )]);
    }
    let list = value.as_seq()?;
    if value.span.slice(text).starts_with('[') || text[value.span.start..].starts_with('[') {
        // Flow list: insert before the closing bracket.
        let after_last = list.last().map_or(value.span.start + 1, |n| n.span.end);
        let close = after_last + text[after_last..fm.close.start].find(']')?;
        let rendered: Vec<String> = items.iter().map(render_flow_item).collect();
        let sep = if list.is_empty() { "" } else { ", " };
        return Some(vec![TextEdit::insert(
            close,
            format!("{sep}{}", rendered.join(", ")),
        )]);
    }
    let last = list.last()?;
    let first = list.first()?;
    let ls = line_start(text, first.span.start);
    let dash = text[ls..first.span.start].find('-').map_or(0, |i| i);
    let indent = &text[ls..ls + dash];
    let at = after_line(text, last.span.end).min(fm.close.start);
    // The last item might end the content without a line break before the closer: impossible
    // (the closer is on its own line), so `at` is always a line start.
    Some(vec![TextEdit::insert(at, block(indent))])
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
