//! Completion inside the front-matter, read from the raw lines (the YAML is often invalid
//! while typing): top-level keys, keys of institution and date entries, institution ids by
//! name, acronym or Chinese name (fuzzy), country codes, language tags, date values and texts
//! found in the article, roles.

use super::View;
use marginalia_core::article::ids::country_codes;
use marginalia_core::article::schema::{DATE_KEYS, INSTITUTION_KEYS, TOP_LEVEL_KEYS};
use marginalia_core::findings::Span;
use marginalia_core::gazetteer::Institution;
use marginalia_core::institutions::Link;
use tower_lsp_server::lsp_types::*;

/// Language tags offered for `language` (the corpus is mostly English and Chinese news).
const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("zh-Hans", "Chinese, Simplified script"),
    ("zh-Hant", "Chinese, Traditional script"),
    ("fr", "French"),
    ("ru", "Russian"),
    ("de", "German"),
    ("es", "Spanish"),
    ("pt", "Portuguese"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("ar", "Arabic"),
    ("lo", "Lao"),
    ("vi", "Vietnamese"),
    ("th", "Thai"),
];

const INSTITUTION_ROLES: &[&str] = &["host", "visitor", "partner", "funder", "organiser"];
const DATE_ROLES: &[&str] = &[
    "event",
    "publication",
    "founding",
    "deadline",
    "period",
    "anniversary",
];

/// At most this many institutions are offered (the list is marked incomplete).
const MAX_INSTITUTIONS: usize = 50;

/// The part of the text where front-matter completion applies.
fn region(v: &View) -> Option<Span> {
    let a = &v.snap.analysis.article;
    if let Some(fm) = &a.front_matter {
        return Some(fm.content);
    }
    let open = a.unclosed_opener?;
    let text = v.text();
    let after = text.get(open.end..)?;
    let skip = if after.starts_with("\r\n") {
        2
    } else {
        usize::from(!after.is_empty())
    };
    Some(Span::new(open.end + skip, text.len()))
}

/// One line of the front-matter around the cursor.
struct Line<'t> {
    start: usize,
    /// From the line start to the cursor.
    before: &'t str,
    /// From the cursor to the end of the line.
    after: &'t str,
}

fn line_at(text: &str, offset: usize) -> Line<'_> {
    let start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let rest = &text[offset..];
    let end = offset + rest.find(['\n', '\r']).unwrap_or(rest.len());
    Line {
        start,
        before: &text[start..offset],
        after: &text[offset..end],
    }
}

fn indent(s: &str) -> usize {
    s.len() - s.trim_start_matches(' ').len()
}

/// The top-level key owning the line that starts at `line_start` (the nearest line above
/// with no indentation).
fn parent_key(text: &str, region: Span, line_start: usize) -> Option<&str> {
    let above = text.get(region.start..line_start)?;
    above
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && indent(l) == 0 && !l.starts_with('#'))
        .filter(|l| !l.starts_with('-'))
        .and_then(|l| l.split_once(':').map(|(k, _)| k.trim()))
}

fn present_top_keys(text: &str, region: Span) -> Vec<&str> {
    region
        .slice(text)
        .lines()
        .filter(|l| indent(l) == 0 && !l.starts_with(['#', '-']))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
        .collect()
}

pub fn complete(v: &View, pos: Position) -> Option<CompletionResponse> {
    let offset = v.offset(pos);
    let region = region(v)?;
    if offset < region.start || offset > region.end {
        return None;
    }
    let text = v.text();
    let line = line_at(text, offset);
    let lead = indent(line.before);
    let mut body = &line.before[lead..];
    let mut body_start = line.start + lead;
    let item = body.starts_with("- ") || body == "-";
    if item {
        let skip = if body.len() >= 2 { 2 } else { 1 };
        body = &body[skip..];
        body_start += skip;
        let extra = indent(body);
        body = &body[extra..];
        body_start += extra;
    }
    let top = lead == 0 && !item;
    let parent = if top {
        None
    } else {
        parent_key(text, region, line.start)
    };

    // Where the value (or key) being typed starts, and the range it replaces.
    let value_end = offset + line.after.trim_end().len();
    match body.split_once(':') {
        None => {
            let replace = v.range(Span::new(body_start, offset));
            let items = match (top, parent) {
                (true, _) => key_items(
                    v,
                    TOP_LEVEL_KEYS,
                    &present_top_keys(text, region),
                    replace,
                    true,
                ),
                (false, Some("institutions")) => {
                    key_items(v, INSTITUTION_KEYS, &[], replace, false)
                }
                (false, Some("dates")) => key_items(v, DATE_KEYS, &[], replace, false),
                (false, Some("countries")) if item => {
                    country_items(v, body, v.range(Span::new(body_start, value_end)))
                }
                _ => return None,
            };
            Some(CompletionResponse::List(CompletionList {
                is_incomplete: false,
                items,
            }))
        }
        Some((key, typed)) => {
            let key = key.trim();
            let skipped = typed.len() - typed.trim_start().len();
            let typed = typed.trim_start();
            let value_start = body_start + key.len() + 1 + skipped;
            let value_start = value_start.min(offset);
            let replace = v.range(Span::new(value_start, value_end.max(value_start)));
            let (items, incomplete) = match (top.then_some(key), parent, key) {
                (Some("language"), _, _) => (enum_items(LANGUAGES, typed, replace), false),
                (Some("published"), _, _) => (date_items(v, typed, replace, true), false),
                (Some("schema"), _, _) => (
                    enum_items(&[("1", "annotation schema version 1")], typed, replace),
                    false,
                ),
                (None, Some("institutions"), "id") => institution_items(v, typed, replace),
                (None, Some("institutions"), "country") => {
                    (country_items(v, typed, replace), false)
                }
                (None, Some("institutions"), "role") => {
                    (word_items(INSTITUTION_ROLES, typed, replace), false)
                }
                (None, Some("dates"), "value") => (date_items(v, typed, replace, false), false),
                (None, Some("dates"), "text") => (date_text_items(v, typed, replace), false),
                (None, Some("dates"), "role") => (word_items(DATE_ROLES, typed, replace), false),
                _ => return None,
            };
            Some(CompletionResponse::List(CompletionList {
                is_incomplete: incomplete,
                items,
            }))
        }
    }
}

fn edit(range: Range, new_text: String) -> Option<CompletionTextEdit> {
    Some(CompletionTextEdit::Edit(TextEdit { range, new_text }))
}

fn key_items(
    v: &View,
    keys: &[(&str, &str)],
    present: &[&str],
    replace: Range,
    top: bool,
) -> Vec<CompletionItem> {
    let nl = v.snap.analysis.article.line_ending.as_str();
    keys.iter()
        .enumerate()
        .filter(|(_, (k, _))| !present.contains(k))
        .map(|(i, (k, doc))| {
            let is_list = top && matches!(*k, "institutions" | "countries" | "dates" | "tags");
            let insert = if is_list {
                format!("{k}:{nl}  - ")
            } else {
                format!("{k}: ")
            };
            CompletionItem {
                label: k.to_string(),
                kind: Some(CompletionItemKind::PROPERTY),
                documentation: Some(Documentation::MarkupContent(crate::convert::markup(
                    v.features.markdown,
                    doc.to_string(),
                ))),
                sort_text: Some(format!("{i:02}")),
                text_edit: edit(replace, insert),
                ..Default::default()
            }
        })
        .collect()
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn enum_items(values: &[(&str, &str)], typed: &str, replace: Range) -> Vec<CompletionItem> {
    values
        .iter()
        .enumerate()
        .filter(|(_, (value, _))| starts_with_ci(value, typed))
        .map(|(i, (value, detail))| CompletionItem {
            label: value.to_string(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(detail.to_string()),
            sort_text: Some(format!("{i:03}")),
            text_edit: edit(replace, value.to_string()),
            ..Default::default()
        })
        .collect()
}

fn word_items(words: &[&str], typed: &str, replace: Range) -> Vec<CompletionItem> {
    let pairs: Vec<(&str, &str)> = words.iter().map(|w| (*w, "role")).collect();
    enum_items(&pairs, typed, replace)
}

/// Country codes; those of the institutions mentioned in the article come first.
fn country_items(v: &View, typed: &str, replace: Range) -> Vec<CompletionItem> {
    let g = v.gazetteer();
    let mut mentioned: Vec<&str> = Vec::new();
    for m in &v.snap.analysis.institutions {
        if let Link::Known(k) = &m.link {
            if let Some(c) = g.get(k).and_then(|i| i.country.as_deref()) {
                if !mentioned.contains(&c) {
                    mentioned.push(c);
                }
            }
        }
    }
    let typed = typed.trim_start_matches('[').trim();
    country_codes()
        .filter(|c| starts_with_ci(c, typed))
        .map(|c| {
            let rank = mentioned.iter().position(|m| *m == c);
            CompletionItem {
                label: c.to_string(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: rank
                    .map(|_| "country of an institution mentioned in the article".to_string()),
                sort_text: Some(match rank {
                    Some(r) => format!("0{r:03}"),
                    None => format!("1{c}"),
                }),
                text_edit: edit(replace, c.to_string()),
                ..Default::default()
            }
        })
        .collect()
}

/// Date values found in the text (full dates only for `published`).
fn date_items(v: &View, typed: &str, replace: Range, full_only: bool) -> Vec<CompletionItem> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for d in &v.snap.analysis.dates {
        let Some(value) = d.value.as_deref() else {
            continue;
        };
        let full = marginalia_core::calendar::Date::parse_iso(value).is_some();
        if !value.starts_with(|c: char| c.is_ascii_digit()) || (full_only && !full) {
            continue;
        }
        if seen.contains(&value) || !value.starts_with(typed) {
            continue;
        }
        seen.push(value);
        let written = d.span.slice(v.text()).replace(['\n', '\r'], " ");
        out.push(CompletionItem {
            label: value.to_string(),
            kind: Some(CompletionItemKind::VALUE),
            detail: Some(format!("“{written}” in the text")),
            sort_text: Some(format!("{:04}", out.len())),
            text_edit: edit(replace, value.to_string()),
            ..Default::default()
        });
    }
    out
}

fn date_text_items(v: &View, typed: &str, replace: Range) -> Vec<CompletionItem> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for d in &v.snap.analysis.dates {
        let written = d.span.slice(v.text()).replace(['\n', '\r'], " ");
        if seen.contains(&written) || !starts_with_ci(&written, typed) {
            continue;
        }
        let value = marginalia_core::article::edit::yaml_scalar(&written);
        out.push(CompletionItem {
            label: written.clone(),
            kind: Some(CompletionItemKind::TEXT),
            detail: d.value.clone(),
            sort_text: Some(format!("{:04}", out.len())),
            text_edit: edit(replace, value),
            ..Default::default()
        });
        seen.push(written);
    }
    out
}

/// How well `query` matches `candidate`: exact, prefix, word prefix, substring, or letters in
/// order (subsequence); case-insensitive. `None` when it does not match.
pub fn fuzzy_score(query: &str, candidate: &str) -> Option<u32> {
    if query.is_empty() {
        return Some(1);
    }
    let q = query.to_lowercase();
    let c = candidate.to_lowercase();
    if c == q {
        return Some(1000);
    }
    if c.starts_with(&q) {
        return Some(800);
    }
    if c.split(|ch: char| !ch.is_alphanumeric())
        .any(|w| w.starts_with(&q))
    {
        return Some(700);
    }
    if c.contains(&q) {
        return Some(600);
    }
    let mut chars = c.chars();
    let mut gaps = 0u32;
    for qc in q.chars().filter(|ch| !ch.is_whitespace()) {
        let mut skipped = 0;
        loop {
            match chars.next() {
                Some(ch) if ch == qc => break,
                Some(_) => skipped += 1,
                None => return None,
            }
        }
        gaps += skipped;
    }
    Some(300u32.saturating_sub(gaps.min(290)))
}

fn institution_score(query: &str, inst: &Institution) -> Option<u32> {
    let mut best = fuzzy_score(query, &inst.name);
    let mut consider = |s: Option<u32>| {
        if s > best {
            best = s;
        }
    };
    consider(fuzzy_score(query, &inst.key));
    for a in &inst.acronyms {
        // An acronym typed exactly (case included) is the strongest signal.
        consider(if a == query {
            Some(1100)
        } else {
            fuzzy_score(query, a)
        });
    }
    for n in inst
        .names
        .values()
        .chain(&inst.aliases)
        .chain(&inst.former_names)
    {
        consider(fuzzy_score(query, n));
    }
    if let Some(r) = &inst.ror {
        consider(fuzzy_score(query, r).filter(|s| *s >= 800));
    }
    best
}

/// Institution ids, best match first; institutions mentioned in the article rank higher.
fn institution_items(v: &View, typed: &str, replace: Range) -> (Vec<CompletionItem>, bool) {
    let g = v.gazetteer();
    let query = typed.trim().trim_matches('"');
    let mentioned: Vec<&str> = v
        .snap
        .analysis
        .institutions
        .iter()
        .filter_map(super::known_key)
        .collect();
    let mut scored: Vec<(u32, &Institution)> = g
        .iter()
        .filter_map(|inst| {
            let s = institution_score(query, inst)?;
            let bonus = if mentioned.contains(&inst.key.as_str()) {
                250
            } else {
                0
            };
            Some((s + bonus, inst))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let truncated = scored.len() > MAX_INSTITUTIONS;
    scored.truncate(MAX_INSTITUTIONS);
    let items = scored
        .into_iter()
        .enumerate()
        .map(|(rank, (_, inst))| {
            let id = inst.annotation_id();
            let mut words: Vec<&str> = vec![query, &inst.name, &inst.key];
            words.extend(inst.acronyms.iter().map(String::as_str));
            words.extend(inst.names.values().map(String::as_str));
            let mut detail = inst.acronyms.join(", ");
            if let Some(zh) = inst
                .names
                .get("zh-Hans")
                .or_else(|| inst.names.get("zh-Hant"))
            {
                if !detail.is_empty() {
                    detail.push(' ');
                }
                detail.push_str(zh);
            }
            CompletionItem {
                label: inst.name.clone(),
                label_details: Some(CompletionItemLabelDetails {
                    detail: None,
                    description: Some(id.clone()),
                }),
                kind: Some(CompletionItemKind::REFERENCE),
                detail: (!detail.is_empty()).then_some(detail),
                documentation: Some(Documentation::MarkupContent(crate::convert::markup(
                    v.features.markdown,
                    super::institution_markdown(inst, g),
                ))),
                // The server has already matched; the filter text keeps the client from
                // discarding matches by Chinese name or acronym.
                filter_text: Some(words.join(" ")),
                sort_text: Some(format!("{rank:04}")),
                text_edit: edit(replace, id),
                ..Default::default()
            }
        })
        .collect();
    (items, truncated || !query.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_matching_ranks_exact_prefix_word_substring_subsequence() {
        assert_eq!(fuzzy_score("kust", "KUST"), Some(1000));
        assert_eq!(fuzzy_score("kun", "Kunming University"), Some(800));
        assert_eq!(fuzzy_score("univ", "Kunming University"), Some(700));
        assert_eq!(fuzzy_score("ming", "Kunming University"), Some(600));
        assert!(fuzzy_score("kmust", "Kunming University of Science and Technology").is_some());
        assert_eq!(fuzzy_score("科学院", "中国科学院"), Some(600));
        assert_eq!(fuzzy_score("xyz", "CNRS"), None);
    }
}
