//! `marginalia annotate` and the "Annotate article" action: build or update the front-matter
//! from what the recognisers found. Merges: never drops or duplicates what a person wrote,
//! and a second run changes nothing.

use crate::analysis::{Analysis, Context};
use crate::article::edit::{self, Item};
use crate::findings::TextEdit;
use crate::institutions::Link;

/// The edits that bring the front-matter up to date with the text.
pub fn annotate(text: &str, analysis: &Analysis, ctx: &Context) -> Vec<TextEdit> {
    let a = &analysis.annotations;
    let article = &analysis.article;
    if article
        .front_matter
        .as_ref()
        .is_some_and(|fm| !fm.errors.is_empty())
    {
        return Vec::new(); // never rewrite YAML we could not read
    }
    if has_duplicate_top_level_keys(article) {
        // The reader takes the last of two equal keys and the edits the first: appending
        // would never converge. MA0115 asks the person to remove one first.
        return Vec::new();
    }
    let mut lines: Vec<String> = Vec::new(); // for a new front-matter
    let mut edits: Vec<TextEdit> = Vec::new();
    let creating = article.front_matter.is_none();

    let mut scalars: Vec<(&str, String)> = Vec::new();
    if a.title.is_none() {
        if let Some(t) = crate::article::title::guess(analysis.article.body.slice(text)) {
            scalars.push(("title", t.into_owned()));
        }
    }
    if a.published.is_none() {
        if let crate::dates::Anchor::Dateline(d) = analysis.anchor {
            scalars.push(("published", d.iso()));
        }
    }
    if a.language.is_none() {
        if let Some(l) = detect_language(analysis.article.body.slice(text)) {
            scalars.push(("language", l.to_string()));
        }
    }

    // Institutions found in the text and not yet annotated, each once, in text order.
    let mut new_institutions: Vec<Item> = Vec::new();
    let mut new_ids: Vec<String> = Vec::new();
    let mut countries: Vec<String> = Vec::new();
    for m in &analysis.institutions {
        let Link::Known(key) = &m.link else { continue };
        let Some(inst) = ctx.gazetteer.get(key) else {
            continue;
        };
        if let Some(c) = &inst.country {
            if !countries.contains(c) {
                countries.push(c.clone());
            }
        }
        let annotated = a
            .institutions
            .iter()
            .any(|e| e.parsed_id.as_ref().is_some_and(|id| inst.has_id(id)));
        let id = inst.annotation_id();
        if annotated || new_ids.contains(&id) {
            continue;
        }
        let mut fields = vec![
            ("id".to_string(), id.clone()),
            ("name".to_string(), inst.name.clone()),
        ];
        if let Some(c) = &inst.country {
            fields.push(("country".to_string(), c.clone()));
        }
        new_ids.push(id);
        new_institutions.push(Item::Map(fields));
    }
    // Countries of annotated institutions count too.
    for e in &a.institutions {
        if let Some(c) = &e.country {
            if !countries.contains(&c.value) {
                countries.push(c.value.clone());
            }
        }
    }
    let new_countries: Vec<Item> = countries
        .into_iter()
        .filter(|c| !a.countries.iter().any(|x| &x.value == c))
        .map(Item::Scalar)
        .collect();

    let mut new_dates: Vec<Item> = Vec::new();
    let mut seen_values: Vec<String> = Vec::new();
    for d in &analysis.dates {
        if d.boilerplate || d.kind != crate::dates::TimexType::Date {
            continue;
        }
        let Some(v) = &d.value else { continue };
        if !v.starts_with(|c: char| c.is_ascii_digit()) {
            continue; // PRESENT_REF and the like are not event dates
        }
        let already = a
            .dates
            .iter()
            .any(|e| e.value.as_ref().is_some_and(|x| &x.value == v));
        if already || seen_values.contains(v) {
            continue;
        }
        seen_values.push(v.clone());
        new_dates.push(Item::Map(vec![
            ("value".into(), v.clone()),
            ("text".into(), d.span.slice(text).replace(['\n', '\r'], " ")),
            ("role".into(), "event".into()),
        ]));
    }

    if creating {
        lines.push("schema: 1".into());
        for (k, v) in &scalars {
            lines.push(format!("{k}: {}", edit::yaml_scalar(v)));
        }
        let mut list = |key: &str, items: &[Item]| {
            if items.is_empty() {
                return;
            }
            lines.push(format!("{key}:"));
            let block = render_list(items);
            lines.extend(block);
        };
        list("institutions", &new_institutions);
        list("countries", &new_countries);
        list("dates", &new_dates);
        edits.push(edit::create_front_matter(article, &lines));
        return edits;
    }
    for (k, v) in &scalars {
        edits.extend(edit::set_scalar(text, article, k, v).unwrap_or_default());
    }
    for (key, items) in [
        ("institutions", &new_institutions),
        ("countries", &new_countries),
        ("dates", &new_dates),
    ] {
        edits.extend(edit::append_to_list(text, article, key, items).unwrap_or_default());
    }
    edits
}

fn has_duplicate_top_level_keys(article: &crate::article::Article) -> bool {
    let Some(entries) = article
        .front_matter
        .as_ref()
        .and_then(|fm| fm.root.as_ref())
        .and_then(|r| r.as_map())
    else {
        return false;
    };
    let keys: Vec<&str> = entries.iter().filter_map(|e| e.key.as_str()).collect();
    keys.iter().enumerate().any(|(i, k)| keys[..i].contains(k))
}

fn render_list(items: &[Item]) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Scalar(s) => out.push(format!("  - {}", edit::yaml_scalar(s))),
            Item::Map(fields) => {
                for (i, (k, v)) in fields.iter().enumerate() {
                    let lead = if i == 0 { "  - " } else { "    " };
                    out.push(format!("{lead}{k}: {}", edit::yaml_scalar(v)));
                }
            }
        }
    }
    out
}

/// `en`, `zh-Hans`, `zh-Hant`, or `None` when the body gives too little to tell.
pub fn detect_language(body: &str) -> Option<&'static str> {
    let (mut latin, mut han, mut trad, mut simp) = (0usize, 0usize, 0usize, 0usize);
    // Characters that exist in only one of the two scripts (common words).
    const TRAD: &str = "國學會這為說與發經際開對們來時後過從現問關於機構術東長門間";
    const SIMP: &str = "国学会这为说与发经际开对们来时后过从现问关于机构术东长门间";
    for c in body.chars() {
        if c.is_ascii_alphabetic() {
            latin += 1;
        } else if ('\u{4e00}'..='\u{9fff}').contains(&c) {
            han += 1;
            if TRAD.contains(c) && !SIMP.contains(c) {
                trad += 1;
            } else if SIMP.contains(c) && !TRAD.contains(c) {
                simp += 1;
            }
        }
    }
    if han * 2 > latin && han >= 10 {
        return Some(if trad > simp { "zh-Hant" } else { "zh-Hans" });
    }
    (latin >= 20).then_some("en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_is_detected_by_script() {
        assert_eq!(
            detect_language(
                "The Chinese and Russian scientific communities will step up exchanges."
            ),
            Some("en")
        );
        assert_eq!(
            detect_language("中國科學院與法國國家科學研究中心的科技合作由來已久"),
            Some("zh-Hant")
        );
        assert_eq!(
            detect_language("中国科学院与法国国家科学研究中心的科技合作由来已久"),
            Some("zh-Hans")
        );
        assert_eq!(detect_language("ok"), None);
    }
}
