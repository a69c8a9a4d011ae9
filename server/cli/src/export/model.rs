//! What is exported of one article: the annotations a person confirmed (the front-matter),
//! and, on request, what the recognisers found that the front-matter does not list.
//!
//! Built from one [`Analysis`], so the export reads the front-matter exactly as `check` and the
//! language server do.

use marginalia_core::article::{Annotations, Article};
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::institutions::{self, Link, NOT_ANNOTATED};
use marginalia_core::{Analysis, Severity};

/// One article, ready to be written in any format and mode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArticleExport {
    /// As walked or named on the command line, `/` separators.
    pub path: String,
    pub title: Option<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<String>,
    pub language: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    /// The front-matter's entries in their order, then (with `--include-unannotated`) the
    /// recognised institutions it does not list, in text order.
    pub institutions: Vec<InstitutionExport>,
    pub countries: Vec<String>,
    /// Same order rule as `institutions`.
    pub dates: Vec<DateExport>,
    pub tags: Vec<String>,
    /// Findings of severity `error` that `check` reports for the file.
    pub errors: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstitutionExport {
    /// Canonical form (`ror:…`, `wikidata:Q…`, a gazetteer key) when the id is well-formed,
    /// else as written.
    pub id: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub role: Option<String>,
    /// `true`: an entry of the front-matter; `false`: only recognised in the text.
    pub confirmed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DateExport {
    /// TIMEX3 value.
    pub value: Option<String>,
    pub text: Option<String>,
    pub role: Option<String>,
    /// `true`: an entry of the front-matter; `false`: only recognised in the text.
    pub confirmed: bool,
}

impl ArticleExport {
    /// The confirmed annotations of an analysed article; with `unannotated`, also the
    /// institutions and dates recognised in the text that the front-matter does not list.
    pub fn new(
        path: String,
        text: &str,
        analysis: &Analysis,
        gazetteer: &Gazetteer,
        unannotated: bool,
    ) -> ArticleExport {
        let a = &analysis.annotations;
        let mut e = ArticleExport {
            path,
            errors: count_errors(&analysis.findings),
            ..confirmed(a)
        };
        if unannotated {
            e.institutions
                .extend(unannotated_institutions(text, analysis, gazetteer));
            e.dates.extend(unannotated_dates(text, analysis));
        }
        e
    }

    /// A file whose text could not be read at all: its path and its errors, nothing else.
    pub fn unreadable(path: String, errors: usize) -> ArticleExport {
        ArticleExport {
            path,
            errors,
            ..ArticleExport::default()
        }
    }
}

pub fn count_errors(findings: &[marginalia_core::Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count()
}

fn confirmed(a: &Annotations) -> ArticleExport {
    let value =
        |s: &Option<marginalia_core::article::Spanned<String>>| s.as_ref().map(|x| x.value.clone());
    ArticleExport {
        title: value(&a.title),
        published: a.published.as_ref().map(|d| d.value.iso()),
        language: value(&a.language),
        source: value(&a.source),
        url: value(&a.url),
        institutions: a
            .institutions
            .iter()
            .map(|i| InstitutionExport {
                id: match &i.parsed_id {
                    Some(id) => Some(id.to_annotation()),
                    None => value(&i.id),
                },
                name: value(&i.name),
                country: value(&i.country),
                role: value(&i.role),
                confirmed: true,
            })
            .collect(),
        countries: a.countries.iter().map(|c| c.value.clone()).collect(),
        dates: a
            .dates
            .iter()
            .map(|d| DateExport {
                value: value(&d.value),
                text: value(&d.text),
                role: value(&d.role),
                confirmed: true,
            })
            .collect(),
        tags: a.tags.iter().map(|t| t.value.clone()).collect(),
        ..ArticleExport::default()
    }
}

/// Whether the front-matter could be read: present, closed and valid YAML. When it cannot,
/// nothing of it is exported and the run says so.
pub fn front_matter_problem(article: &Article) -> Option<(usize, String)> {
    if let Some(open) = article.unclosed_opener {
        return Some((
            open.start,
            "the front-matter is never closed by `---` or `...`".to_string(),
        ));
    }
    let fm = article.front_matter.as_ref()?;
    fm.errors
        .first()
        .map(|e| (e.span.start, format!("invalid YAML: {}", e.message)))
}

/// Gazetteer institutions mentioned in the body and not annotated (neither they nor a parent),
/// one per institution, at its first mention: exactly what finding MA0201 reports, whatever
/// the severity configuration. When the front-matter is missing or unreadable (MA0201 is not
/// computed then), every linked institution counts, as nothing is annotated.
fn unannotated_institutions(
    text: &str,
    analysis: &Analysis,
    gazetteer: &Gazetteer,
) -> Vec<InstitutionExport> {
    let readable = analysis
        .article
        .front_matter
        .as_ref()
        .is_some_and(|fm| fm.errors.is_empty());
    let keys: Vec<&str> = if readable {
        let missing = institutions::check(
            text,
            &analysis.article,
            &analysis.annotations,
            &analysis.institutions,
            gazetteer,
        );
        let spans: Vec<_> = missing
            .iter()
            .filter(|f| f.code == NOT_ANNOTATED.code)
            .map(|f| f.span)
            .collect();
        analysis
            .institutions
            .iter()
            .filter(|m| spans.contains(&m.span))
            .filter_map(|m| match &m.link {
                Link::Known(k) => Some(k.as_str()),
                _ => None,
            })
            .collect()
    } else {
        analysis
            .institutions
            .iter()
            .filter_map(|m| match &m.link {
                Link::Known(k) => Some(k.as_str()),
                _ => None,
            })
            .collect()
    };
    let mut out: Vec<InstitutionExport> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for k in keys {
        if seen.contains(&k) {
            continue;
        }
        seen.push(k);
        if let Some(r) = gazetteer.get(k) {
            out.push(InstitutionExport {
                id: Some(r.annotation_id()),
                name: Some(r.name.clone()),
                country: r.country.clone(),
                role: None,
                confirmed: false,
            });
        }
    }
    out
}

/// Dates recognised in the body (not boilerplate, with a value) that no `dates` entry
/// covers; one per value, at its first mention.
fn unannotated_dates(text: &str, analysis: &Analysis) -> Vec<DateExport> {
    let annotated = &analysis.annotations.dates;
    let mut out: Vec<DateExport> = Vec::new();
    for m in &analysis.dates {
        let Some(value) = &m.value else { continue };
        if m.boilerplate {
            continue;
        }
        let words = m.span.slice(text);
        // The same value, or the same words (or words inside the mention's: an entry for
        // "October 15th" covers "the afternoon of October 15th").
        let listed = annotated.iter().any(|d| {
            d.value.as_ref().is_some_and(|v| &v.value == value)
                || d.text
                    .as_ref()
                    .is_some_and(|t| !t.value.is_empty() && words.contains(t.value.as_str()))
        });
        if listed || out.iter().any(|d| d.value.as_ref() == Some(value)) {
            continue;
        }
        out.push(DateExport {
            value: Some(value.clone()),
            text: Some(words.to_string()),
            role: None,
            confirmed: false,
        });
    }
    out
}
