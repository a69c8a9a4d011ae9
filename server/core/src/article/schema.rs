//! The annotation schema (version 1): the typed view of the front-matter, and its checks.
//! `schema/marginalia.schema.json` at the repository root is the same schema for other tools.

use super::codes::*;
use super::ids::{is_country_code, is_language_tag, InstitutionId};
use super::yaml::{Node, Value};
use super::Article;
use crate::calendar::Date;
use crate::findings::{Finding, Fix, Span, TextEdit};
use crate::text::similarity::did_you_mean;

pub const SCHEMA_VERSION: u32 = 1;

/// Top-level keys and their one-line documentation (hover and completion use it).
pub const TOP_LEVEL_KEYS: &[(&str, &str)] = &[
    ("schema", "Version of the annotation schema (1). Optional."),
    ("title", "The article's headline, as published."),
    ("published", "Publication date, ISO 8601 (`2019-10-16`). Anchors relative and year-less dates in the text."),
    ("language", "The article's language as a BCP 47 tag: `en`, `fr`, `zh-Hans`, `zh-Hant`, …"),
    ("source", "Who published the article (a newsroom, a university news office, an agency)."),
    ("url", "Where the article was published (http or https)."),
    ("institutions", "The institutions taking part: a list of entries with `id` (`ror:…`, `wikidata:Q…` or a gazetteer key), `name`, `country` (ISO 3166-1 alpha-2), optional `role` and `note`."),
    ("countries", "The countries involved (ISO 3166-1 alpha-2 codes), usually derived from the institutions."),
    ("dates", "Dates of the events reported: a list of entries with `value` (a TIMEX3 value such as `2019-10-15`, `2019-02`, `2021-Q2`, `2019`), the `text` it was written as, and a `role` (`event`, `publication`, `founding`, `deadline`, `period`, …)."),
    ("tags", "Free keywords for your own grouping (a list of strings)."),
    ("notes", "Free text for the annotator's remarks."),
];

pub const INSTITUTION_KEYS: &[(&str, &str)] = &[
    (
        "id",
        "`ror:<9-char ROR id>`, `wikidata:Q…`, or a key of the gazetteer.",
    ),
    ("name", "The institution's canonical name."),
    (
        "country",
        "ISO 3166-1 alpha-2 country code of the institution.",
    ),
    (
        "role",
        "Its part in the story: `host`, `visitor`, `partner`, `funder`, `organiser`, …",
    ),
    ("note", "Free text."),
];

pub const DATE_KEYS: &[(&str, &str)] = &[
    ("value", "TIMEX3 value: `2019-10-15`, `2019-10-15TAF`, `2019-02`, `2021-Q2`, `2019-W42`, `2019`, `P46Y`, …"),
    ("text", "The words of the article the date was read from."),
    ("role", "What happened then: `event`, `publication`, `founding`, `deadline`, `period`, `anniversary`, …"),
    ("note", "Free text."),
];

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct InstitutionEntry {
    /// The whole list item.
    pub span: Span,
    pub id: Option<Spanned<String>>,
    /// The id, when well-formed.
    pub parsed_id: Option<InstitutionId>,
    pub name: Option<Spanned<String>>,
    pub country: Option<Spanned<String>>,
    pub role: Option<Spanned<String>>,
    pub note: Option<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DateEntry {
    pub span: Span,
    pub value: Option<Spanned<String>>,
    pub text: Option<Spanned<String>>,
    pub role: Option<Spanned<String>>,
    pub note: Option<Spanned<String>>,
}

/// The annotations of an article, as far as they could be read.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Annotations {
    pub schema: Option<Spanned<u32>>,
    pub title: Option<Spanned<String>>,
    pub published: Option<Spanned<Date>>,
    pub language: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub url: Option<Spanned<String>>,
    pub institutions: Vec<InstitutionEntry>,
    pub countries: Vec<Spanned<String>>,
    pub dates: Vec<DateEntry>,
    pub tags: Vec<Spanned<String>>,
    pub notes: Option<Spanned<String>>,
}

/// What the schema checks need besides the text.
#[derive(Clone, Debug, Default)]
pub struct SchemaOptions<'a> {
    /// Top-level fields every article must have (`[annotations] required`).
    pub required: &'a [String],
    /// Today, for `published` in the future; `None` skips that check.
    pub today: Option<Date>,
}

/// Reads the annotations and reports every front-matter and schema problem.
pub fn read(text: &str, article: &Article, options: &SchemaOptions) -> (Annotations, Vec<Finding>) {
    let mut r = Reader {
        text,
        findings: Vec::new(),
    };
    let mut a = Annotations::default();
    if let Some(open) = article.unclosed_opener {
        r.findings.push(Finding::new(
            &UNCLOSED_FRONT_MATTER,
            open,
            "this `---` opens a front-matter block that is never closed by `---` or `...`",
        ));
    }
    let Some(fm) = &article.front_matter else {
        if article.unclosed_opener.is_none() {
            r.findings.push(missing_front_matter(text, article));
        }
        return (a, r.findings);
    };
    for e in &fm.errors {
        r.findings.push(Finding::new(
            &YAML_SYNTAX,
            e.span,
            format!("invalid YAML: {}", e.message),
        ));
    }
    if !fm.errors.is_empty() {
        return (a, r.findings);
    }
    let Some(root) = &fm.root else {
        r.check_required(&a, options.required, fm.span);
        return (a, r.findings);
    };
    let Some(entries) = root.as_map() else {
        r.wrong_type(root, "the front-matter", "a mapping of keys to values");
        return (a, r.findings);
    };
    r.check_node_tree(root);
    r.duplicate_keys(entries);
    let mut seen: Vec<&str> = Vec::new();
    for entry in entries {
        let Some(key) = entry.key.as_str() else {
            r.wrong_type(&entry.key, "a key", "a string");
            continue;
        };
        // A repeated key is reported (MA0115); the first one counts, as it does for edits.
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let v = &entry.value;
        if v.is_null() {
            continue;
        }
        match key {
            "schema" => {
                let n = v.as_str().and_then(|s| s.parse::<u32>().ok());
                match n {
                    Some(SCHEMA_VERSION) => a.schema = r.spanned(v, SCHEMA_VERSION),
                    _ => r.findings.push(Finding::new(
                        &SCHEMA_VERSION_CODE,
                        v.span,
                        format!("schema version `{}` is not supported; this marginalia reads version {SCHEMA_VERSION}", v.span.slice(text)),
                    )),
                }
            }
            "title" => a.title = r.string(v, "title"),
            "source" => a.source = r.string(v, "source"),
            "notes" => a.notes = r.string(v, "notes"),
            "language" => {
                a.language = r.string(v, "language");
                if let Some(l) = &a.language {
                    if !is_language_tag(&l.value) {
                        r.findings.push(Finding::new(
                            &INVALID_LANGUAGE,
                            l.span,
                            format!(
                                "`{}` is not a BCP 47 language tag (e.g. `en`, `zh-Hant`)",
                                l.value
                            ),
                        ));
                    }
                }
            }
            "url" => {
                a.url = r.string(v, "url");
                if let Some(u) = &a.url {
                    let ok = (u.value.starts_with("https://") || u.value.starts_with("http://"))
                        && u.value.len() > 8
                        && !u.value.contains(char::is_whitespace);
                    if !ok {
                        r.findings.push(Finding::new(
                            &INVALID_URL,
                            u.span,
                            format!("`{}` is not an http(s) URL", u.value),
                        ));
                    }
                }
            }
            "published" => a.published = r.published(v, options.today),
            "institutions" => a.institutions = r.institutions(v),
            "countries" => a.countries = r.countries(v),
            "dates" => a.dates = r.dates(v),
            "tags" => a.tags = r.strings(v, "tags"),
            other => r.unknown_key(&entry.key, other, TOP_LEVEL_KEYS, "top-level key"),
        }
    }
    r.check_required(&a, options.required, fm.span);
    (a, r.findings)
}

// The code constant is named apart from the version number.
use super::codes::SCHEMA_VERSION as SCHEMA_VERSION_CODE;

fn missing_front_matter(text: &str, article: &Article) -> Finding {
    let at = article.start();
    let nl = article.line_ending.as_str();
    let title = text.get(at..).and_then(super::title::guess);
    // Written into one String (sized for the usual, unquoted title).
    let mut skeleton =
        String::with_capacity(64 + title.as_ref().map_or(0, |t| t.len()) + 7 * nl.len());
    for piece in ["---", nl, "schema: 1", nl] {
        skeleton.push_str(piece);
    }
    if let Some(t) = title {
        skeleton.push_str("title: ");
        super::edit::push_yaml_scalar(&mut skeleton, &t);
        skeleton.push_str(nl);
    }
    for piece in [
        "published:",
        nl,
        "language:",
        nl,
        "institutions: []",
        nl,
        "---",
        nl,
    ] {
        skeleton.push_str(piece);
    }
    let first_line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    Finding::new(
        &MISSING_FRONT_MATTER,
        Span::new(at, first_line_end),
        "the article has no annotation front-matter",
    )
    .with_fix(Fix::new(
        "Insert a front-matter skeleton",
        vec![TextEdit::insert(at, skeleton)],
        false,
    ))
}

struct Reader<'t> {
    text: &'t str,
    findings: Vec<Finding>,
}

impl Reader<'_> {
    fn spanned<T>(&self, node: &Node, value: T) -> Option<Spanned<T>> {
        Some(Spanned {
            value,
            span: node.span,
        })
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.findings.push(Finding::new(
            &WRONG_TYPE,
            node.span,
            format!("{what} must be {expected}, not a {}", node.kind_name()),
        ));
    }

    fn string(&mut self, node: &Node, key: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::Scalar(s) => self.spanned(node, s.text.clone()),
            _ => {
                self.wrong_type(node, &format!("`{key}`"), "a string");
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, key: &str) -> Vec<Spanned<String>> {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, &format!("`{key}`"), "a list");
            return Vec::new();
        };
        // The item's description is written only for a finding.
        items
            .iter()
            .filter_map(|item| match &item.value {
                Value::Scalar(s) => self.spanned(item, s.text.clone()),
                _ => {
                    self.wrong_type(item, &format!("an item of `{key}`"), "a string");
                    None
                }
            })
            .collect()
    }

    fn published(&mut self, node: &Node, today: Option<Date>) -> Option<Spanned<Date>> {
        let s = self.string(node, "published")?;
        // An ISO 8601 date-time is accepted; its date part is what anchors the text.
        let date_part = s.value.get(..10).filter(|_| {
            s.value.len() == 10
                || s.value
                    .as_bytes()
                    .get(10)
                    .is_some_and(|&b| b == b'T' || b == b' ')
        });
        let Some(date) = date_part.and_then(Date::parse_iso) else {
            self.findings.push(Finding::new(
                &INVALID_DATE,
                s.span,
                format!("`{}` is not an ISO 8601 date (write YYYY-MM-DD)", s.value),
            ));
            return None;
        };
        if let Some(today) = today {
            if date > today {
                self.findings.push(Finding::new(
                    &PUBLISHED_IN_FUTURE,
                    s.span,
                    format!("published {date} is after today ({today})"),
                ));
            }
        }
        Some(Spanned {
            value: date,
            span: s.span,
        })
    }

    fn countries(&mut self, node: &Node) -> Vec<Spanned<String>> {
        let list = self.strings(node, "countries");
        for c in &list {
            self.check_country(c);
        }
        self.duplicates(&list, |c| c.value.clone(), |c| c.span, "country");
        list
    }

    fn check_country(&mut self, c: &Spanned<String>) {
        if !is_country_code(&c.value) {
            let upper = c.value.to_ascii_uppercase();
            let mut f = Finding::new(
                &INVALID_COUNTRY,
                c.span,
                format!("`{}` is not an ISO 3166-1 alpha-2 country code", c.value),
            );
            let suggestion = match upper.as_str() {
                "UK" => Some("GB"),
                _ if is_country_code(&upper) => Some(upper.as_str()),
                _ => None,
            };
            if let Some(s) = suggestion {
                f = f.with_fix(Fix::new(
                    format!("Change to `{s}`"),
                    vec![TextEdit::replace(c.span, s)],
                    true,
                ));
            }
            self.findings.push(f);
        }
    }

    fn institutions(&mut self, node: &Node) -> Vec<InstitutionEntry> {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, "`institutions`", "a list of entries");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(fields) = item.as_map() else {
                self.wrong_type(
                    item,
                    "an institution entry",
                    "a mapping with `id`, `name`, `country`",
                );
                continue;
            };
            let mut e = InstitutionEntry {
                span: item.span,
                ..Default::default()
            };
            for f in fields {
                let Some(k) = f.key.as_str() else { continue };
                if f.value.is_null() {
                    continue;
                }
                match k {
                    "id" => e.id = self.string(&f.value, "id"),
                    "name" => e.name = self.string(&f.value, "name"),
                    "country" => e.country = self.string(&f.value, "country"),
                    "role" => e.role = self.string(&f.value, "role"),
                    "note" => e.note = self.string(&f.value, "note"),
                    other => self.unknown_key(
                        &f.key,
                        other,
                        INSTITUTION_KEYS,
                        "key of an institution entry",
                    ),
                }
            }
            if let Some(id) = &e.id {
                match InstitutionId::parse(&id.value) {
                    Ok(p) => e.parsed_id = Some(p),
                    Err(err) => self.findings.push(
                        Finding::new(&INVALID_ID, id.span, format!("`{}`: {err}", id.value))
                            .with_fixes(ror_checksum_fix(&id.value, id.span, &err)),
                    ),
                }
            }
            if let Some(c) = &e.country {
                let c = c.clone();
                self.check_country(&c);
            }
            out.push(e);
        }
        self.duplicates(
            &out,
            |e| {
                e.parsed_id
                    .as_ref()
                    .map(|i| i.to_annotation())
                    .unwrap_or_default()
            },
            |e| e.span,
            "institution",
        );
        out
    }

    fn dates(&mut self, node: &Node) -> Vec<DateEntry> {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, "`dates`", "a list of entries");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(fields) = item.as_map() else {
                self.wrong_type(
                    item,
                    "a date entry",
                    "a mapping with `value`, `text`, `role`",
                );
                continue;
            };
            let mut e = DateEntry {
                span: item.span,
                ..Default::default()
            };
            for f in fields {
                let Some(k) = f.key.as_str() else { continue };
                if f.value.is_null() {
                    continue;
                }
                match k {
                    "value" => e.value = self.string(&f.value, "value"),
                    "text" => e.text = self.string(&f.value, "text"),
                    "role" => e.role = self.string(&f.value, "role"),
                    "note" => e.note = self.string(&f.value, "note"),
                    other => self.unknown_key(&f.key, other, DATE_KEYS, "key of a date entry"),
                }
            }
            out.push(e);
        }
        self.duplicates(
            &out,
            |e| match (&e.value, &e.role) {
                (Some(v), r) => format!(
                    "{}|{}",
                    v.value,
                    r.as_ref().map_or("", |r| r.value.as_str())
                ),
                _ => String::new(),
            },
            |e| e.span,
            "date",
        );
        out
    }

    /// Reports later duplicates (by a non-empty identity) with a safe removal fix.
    fn duplicates<T>(
        &mut self,
        items: &[T],
        identity: impl Fn(&T) -> String,
        span: impl Fn(&T) -> Span,
        what: &str,
    ) {
        let mut seen: Vec<(String, Span)> = Vec::new();
        for item in items {
            let id = identity(item);
            let s = span(item);
            if id.is_empty() {
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == id) {
                self.findings.push(
                    Finding::new(
                        &DUPLICATE_ENTRY,
                        s,
                        format!("this {what} is already listed"),
                    )
                    .with_related(*first, "first listed here")
                    .with_fix(Fix::new(
                        "Remove the duplicate",
                        vec![super::edit::remove_list_item(self.text, s)],
                        true,
                    )),
                );
            } else {
                seen.push((id, s));
            }
        }
    }

    fn unknown_key(&mut self, key: &Node, name: &str, known: &[(&str, &str)], what: &str) {
        let suggestion = did_you_mean(name, known.iter().map(|(k, _)| *k));
        let mut f = Finding::new(
            &UNKNOWN_KEY,
            key.span,
            match suggestion {
                Some(s) => format!("unknown {what} `{name}`; did you mean `{s}`?"),
                None => format!(
                    "unknown {what} `{name}`; known keys: {}",
                    known.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                ),
            },
        );
        if let Some(s) = suggestion {
            f = f.with_fix(Fix::new(
                format!("Rename to `{s}`"),
                vec![TextEdit::replace(key.span, s)],
                true,
            ));
        }
        self.findings.push(f);
    }

    fn duplicate_keys(&mut self, entries: &[super::yaml::Entry]) {
        for (i, e) in entries.iter().enumerate() {
            let Some(k) = e.key.as_str() else { continue };
            if let Some(first) = entries[..i].iter().find(|p| p.key.as_str() == Some(k)) {
                self.findings.push(
                    Finding::new(
                        &DUPLICATE_KEY,
                        e.key.span,
                        format!("`{k}` is already set above"),
                    )
                    .with_related(first.key.span, "first set here"),
                );
            }
        }
    }

    /// Walks the whole tree once for what applies everywhere: aliases, nested duplicate keys.
    fn check_node_tree(&mut self, root: &Node) {
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            match &n.value {
                Value::Alias => self.findings.push(Finding::new(
                    &YAML_ALIAS,
                    n.span,
                    "aliases are not expanded in annotations; write the value out",
                )),
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Map(entries) => {
                    if !std::ptr::eq(n, root) {
                        self.duplicate_keys(entries);
                    }
                    stack.extend(entries.iter().map(|e| &e.value));
                }
                Value::Scalar(_) => {}
            }
        }
    }

    fn check_required(&mut self, a: &Annotations, required: &[String], at: Span) {
        for field in required {
            let present = match field.as_str() {
                "schema" => a.schema.is_some(),
                "title" => a.title.is_some(),
                "published" => a.published.is_some(),
                "language" => a.language.is_some(),
                "source" => a.source.is_some(),
                "url" => a.url.is_some(),
                "institutions" => !a.institutions.is_empty(),
                "countries" => !a.countries.is_empty(),
                "dates" => !a.dates.is_empty(),
                "tags" => !a.tags.is_empty(),
                "notes" => a.notes.is_some(),
                _ => true,
            };
            if !present {
                self.findings.push(Finding::new(
                    &MISSING_FIELD,
                    Span::new(at.start, at.start + 3),
                    format!("`{field}` is required by marginalia.toml but is missing or empty"),
                ));
            }
        }
    }
}

fn ror_checksum_fix(value: &str, span: Span, err: &super::ids::IdError) -> Vec<Fix> {
    // A wrong checksum is usually a typo in the check digits; offering the corrected digits
    // is only a guess, so it is not a safe fix.
    if let super::ids::IdError::RorChecksum { expected } = err {
        let fixed = format!("{}{}", &value[..value.len() - 2], expected);
        return vec![Fix::new(
            format!("Change to `{fixed}`"),
            vec![TextEdit::replace(span, fixed)],
            false,
        )];
    }
    Vec::new()
}

impl Finding {
    pub fn with_fixes(mut self, fixes: Vec<Fix>) -> Finding {
        self.fixes.extend(fixes);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::parse;

    fn check(text: &str) -> (Annotations, Vec<Finding>) {
        let opts = SchemaOptions {
            required: &[],
            today: Date::new(2026, 11, 23),
        };
        read(text, &parse(text), &opts)
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_valid_annotation_reads_cleanly() {
        let text = "---\nschema: 1\ntitle: CNRS Representative in China Visited KUST\npublished: 2019-10-16\nlanguage: en\ninstitutions:\n  - id: ror:02egmk993\n    name: University of Science and Technology Beijing\n    country: CN\ncountries: [CN, FR]\ndates:\n  - value: 2019-10-15\n    text: October 15th\n    role: event\n---\nBody\n";
        let (a, findings) = check(text);
        assert_eq!(codes(&findings), Vec::<&str>::new());
        assert_eq!(a.published.unwrap().value, Date::new(2019, 10, 16).unwrap());
        assert_eq!(a.institutions.len(), 1);
        assert_eq!(
            a.institutions[0].parsed_id,
            Some(InstitutionId::Ror("02egmk993".into()))
        );
        assert_eq!(a.countries.len(), 2);
        assert_eq!(a.dates[0].value.as_ref().unwrap().value, "2019-10-15");
    }

    #[test]
    fn missing_front_matter_offers_a_skeleton() {
        // The title is the headline, not the site's section name above it.
        let text = "News & Events\n\nCNRS Representative Visited KUST\n\nKUST met CNRS.\n";
        let (_, findings) = check(text);
        assert_eq!(codes(&findings), ["MA0101"]);
        let fixed = crate::findings::apply_edits(text, &findings[0].fixes[0].edits).unwrap();
        assert!(
            fixed.starts_with("---\nschema: 1\ntitle: CNRS Representative Visited KUST\n"),
            "{fixed}"
        );
        let (_, again) = check(&fixed);
        assert_eq!(codes(&again), Vec::<&str>::new());
    }

    #[test]
    fn schema_violations_are_each_reported() {
        let text = "---\npublsihed: 2019-13-01\npublished: 2019-13-01\nlanguage: english\ncountries: [UK, cn, CN, CN]\ninstitutions:\n  - id: ror:00xs6mb19\n  - id: kust\n  - id: kust\n---\n";
        let (_, findings) = check(text);
        assert_eq!(
            codes(&findings),
            ["MA0104", "MA0106", "MA0111", "MA0107", "MA0107", "MA0109", "MA0108", "MA0109"]
        );
        let rename = &findings[0].fixes[0];
        assert_eq!(rename.title, "Rename to `published`");
    }

    #[test]
    fn yaml_errors_stop_schema_checks_but_not_the_article() {
        let (_, findings) = check("---\ntitle: [oops\n---\nBody\n");
        assert_eq!(codes(&findings), ["MA0102"]);
    }

    #[test]
    fn future_publication_is_flagged() {
        let (_, findings) = check("---\npublished: 2027-01-01\n---\n");
        assert_eq!(codes(&findings), ["MA0110"]);
    }

    #[test]
    fn wrong_shapes_are_type_errors() {
        let (_, findings) = check("---\ninstitutions: KUST\ndates: {a: 1}\ntitle: [a]\n---\n");
        assert_eq!(codes(&findings), ["MA0105", "MA0105", "MA0105"]);
    }
}
