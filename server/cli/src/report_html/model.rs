//! What the report shows, computed from the articles: institutions, the co-occurrence network,
//! countries and country pairs, the timeline of event dates, and the findings by code.
//!
//! Everything here is pure and ordered (B-trees, explicit sort keys), so the same articles
//! always give the same model and the same bytes.

use marginalia_core::article::ids::{is_country_code, InstitutionId};
use marginalia_core::article::Annotations;
use marginalia_core::calendar::Date;
use marginalia_core::findings::Finding;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One institution entry of an article, as the report identifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstitutionRef {
    /// `ror:…`, `wikidata:Q…`, a gazetteer key, the `id` as written when malformed, or
    /// `name:` + the name when the entry has no `id`.
    pub key: String,
    pub name: Option<String>,
    pub country: Option<String>,
}

/// Where an annotated event date falls on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum When {
    /// A day, a part of a day, a month or a week: its month.
    Month(i32, u32),
    /// A year or a quarter: only the year.
    Year(i32),
}

/// What the report needs of one article.
#[derive(Clone, Debug, Default)]
pub struct ArticleFacts {
    /// The path relative to the corpus root (the common folder of all articles), `/` separated.
    pub path: String,
    pub title: Option<String>,
    pub published: Option<String>,
    /// Each institution once, in annotation order.
    pub institutions: Vec<InstitutionRef>,
    /// Valid ISO 3166-1 alpha-2 codes of the institutions and of `countries`, sorted, once each.
    pub countries: Vec<String>,
    /// Event dates that can be placed on the timeline.
    pub events: Vec<When>,
    /// Event dates that cannot (decades, durations, `PAST_REF`, malformed values).
    pub unplaced_events: usize,
    /// Finding codes and how many findings of each, sorted by code.
    pub findings: Vec<(&'static str, usize)>,
}

impl ArticleFacts {
    /// The facts of an analysed article (`annotations` and `findings` as [`marginalia_core::analyse`]
    /// returns them).
    pub fn new(path: String, annotations: &Annotations, findings: &[Finding]) -> ArticleFacts {
        let mut institutions: Vec<InstitutionRef> = Vec::new();
        for e in &annotations.institutions {
            let name = e.name.as_ref().map(|n| n.value.trim().to_string());
            let name = name.filter(|n| !n.is_empty());
            let key = match (&e.parsed_id, &e.id) {
                (Some(InstitutionId::Ror(r)), _) => format!("ror:{r}"),
                (Some(InstitutionId::Wikidata(q)), _) => format!("wikidata:{q}"),
                (Some(InstitutionId::Key(k)), _) => k.clone(),
                (None, Some(id)) if !id.value.trim().is_empty() => id.value.trim().to_string(),
                _ => match &name {
                    Some(n) => format!("name:{n}"),
                    None => continue,
                },
            };
            if institutions.iter().any(|i| i.key == key) {
                continue;
            }
            let country = e
                .country
                .as_ref()
                .map(|c| c.value.trim().to_string())
                .filter(|c| is_country_code(c));
            institutions.push(InstitutionRef { key, name, country });
        }
        let countries: BTreeSet<String> = institutions
            .iter()
            .filter_map(|i| i.country.clone())
            .chain(
                annotations
                    .countries
                    .iter()
                    .map(|c| c.value.trim().to_string())
                    .filter(|c| is_country_code(c)),
            )
            .collect();
        let mut events = Vec::new();
        let mut unplaced_events = 0;
        for d in &annotations.dates {
            let role = d.role.as_ref().map(|r| r.value.trim());
            if !matches!(role, None | Some("event")) {
                continue;
            }
            match d.value.as_ref().and_then(|v| when(v.value.trim())) {
                Some(w) => events.push(w),
                None => unplaced_events += 1,
            }
        }
        let mut by_code: BTreeMap<&'static str, usize> = BTreeMap::new();
        for f in findings {
            *by_code.entry(f.code).or_default() += 1;
        }
        ArticleFacts {
            path,
            title: annotations
                .title
                .as_ref()
                .map(|t| t.value.trim().to_string())
                .filter(|t| !t.is_empty()),
            published: annotations.published.as_ref().map(|p| p.value.iso()),
            institutions,
            countries: countries.into_iter().collect(),
            events,
            unplaced_events,
            findings: by_code.into_iter().collect(),
        }
    }
}

/// Where a TIMEX3 value falls: `2019-10-15`, `2019-10-15TAF`, `2019-10` and `2019-W42` give a
/// month; `2019` and `2021-Q2` a year; anything else nothing.
pub fn when(value: &str) -> Option<When> {
    let year: i32 = value.get(..4)?.parse().ok()?;
    if !value.get(..4)?.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = value.get(4..)?;
    if rest.is_empty() {
        return Some(When::Year(year));
    }
    let rest = rest.strip_prefix('-')?;
    if let Some(q) = rest.strip_prefix('Q') {
        return matches!(q, "1" | "2" | "3" | "4").then_some(When::Year(year));
    }
    if let Some(w) = rest.strip_prefix('W') {
        let week: u32 = w.get(..2)?.parse().ok()?;
        // The month of the week's Thursday (ISO weeks belong to the year of their Thursday).
        let thursday = Date::from_iso_week(year, week)?.add_days(3);
        return Some(When::Month(thursday.year, thursday.month));
    }
    let month: u32 = rest.get(..2)?.parse().ok()?;
    if !(1..=12).contains(&month) || !rest.get(..2)?.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tail = rest.get(2..)?;
    if tail.is_empty() {
        return Some(When::Month(year, month));
    }
    let day = Date::parse_iso(value.get(..10)?)?;
    let after = value.get(10..)?;
    (after.is_empty() || after.starts_with('T')).then_some(When::Month(day.year, day.month))
}

/// Options of the model.
#[derive(Clone, Debug)]
pub struct ModelOptions {
    /// At most this many institutions in the network (the most active ones).
    pub top: usize,
}

/// A country, with its colour in the network.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Country {
    pub code: String,
    /// Articles involving the country.
    pub articles: usize,
    /// Institutions of the country (all, not only those in the network).
    pub institutions: usize,
    /// Index into [`PALETTE`]; the last entry is the shared colour of the other countries.
    pub colour: usize,
}

/// An institution.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Institution {
    pub id: String,
    /// The name most articles give it (ties: the first in code-point order); the key when no
    /// article names it.
    pub name: String,
    /// Its country: the one most articles give (ties: the first in order); empty when none.
    pub country: String,
    pub articles: usize,
    /// Distinct institutions it appears with.
    pub partners: usize,
    /// The latest `published` date of its articles, when any.
    pub latest: Option<String>,
}

/// A pair of institutions annotated in the same articles: indices into the network's nodes
/// (`a < b`) and the number of articles.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub articles: usize,
}

/// Two countries whose institutions (or `countries` entries) appear in the same articles.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CountryPair {
    pub a: String,
    pub b: String,
    pub articles: usize,
}

/// A finding code and how often it occurs.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CodeCount {
    pub code: String,
    pub name: String,
    pub severity: String,
    pub summary: String,
    pub articles: usize,
    pub findings: usize,
}

/// The timeline: counts of event dates by month (or by year for long spans).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Timeline {
    /// `month` or `year`.
    pub unit: &'static str,
    /// Contiguous buckets from the first to the last: (`2024-06` or `2024`, count).
    pub buckets: Vec<(String, usize)>,
    /// Dates known only to the year (or quarter), not shown in a monthly timeline.
    pub year_only: usize,
    /// Event dates that cannot be placed at all.
    pub unplaced: usize,
}

/// One article in the page's data: only those the page links to (in the network, or with
/// findings). Written as an array `[p, t, d, n, f, e]` to keep the page small.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleRow {
    /// Path relative to the corpus root, `/` separated.
    pub p: String,
    /// Title (empty when none).
    pub t: String,
    /// `published` (empty when none).
    pub d: String,
    /// Indices of its institutions among the network's nodes.
    pub n: Vec<usize>,
    /// Findings: (index into `codes`, count).
    pub f: Vec<(usize, usize)>,
    /// Its event dates: indices into the timeline's buckets (sorted, repeated when several
    /// dates fall in the same bucket; dates the timeline does not show are left out).
    pub e: Vec<usize>,
}

impl Serialize for ArticleRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.p, &self.t, &self.d, &self.n, &self.f, &self.e).serialize(s)
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub articles: usize,
    /// Articles with at least one institution.
    pub annotated: usize,
    pub institutions: usize,
    pub countries: usize,
    /// Pairs of institutions annotated together (all, not only among the nodes).
    pub pairs: usize,
    pub articles_with_findings: usize,
    pub findings: usize,
    /// Event dates on the timeline.
    pub event_dates: usize,
}

/// Everything the page shows, as serialised into its data blob.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Model {
    pub totals: Totals,
    pub countries: Vec<Country>,
    /// The network's nodes: the most active institutions, by articles then id.
    pub nodes: Vec<Institution>,
    /// Edges between nodes, by (a, b).
    pub edges: Vec<Edge>,
    /// Institutions left out of the network.
    pub omitted_institutions: usize,
    /// Pairs of institutions left out of the network (one side or both omitted).
    pub omitted_edges: usize,
    /// The most active institutions (at most 20), ranked like the nodes.
    pub top: Vec<Institution>,
    /// Country pairs by articles (at most 25).
    pub country_pairs: Vec<CountryPair>,
    /// Country pairs in all.
    pub country_pairs_total: usize,
    pub timeline: Timeline,
    /// Finding codes by code.
    pub codes: Vec<CodeCount>,
    pub articles: Vec<ArticleRow>,
}

/// Colours of the countries, by rank; the last is for every other country.
pub const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#1f9e89", "#8c6bb1", "#a0a4a8",
];

const TOP_TABLE: usize = 20;
const COUNTRY_PAIRS: usize = 25;
/// Above this many months, the timeline counts by year.
const MAX_MONTHS: i64 = 72;

struct InstAcc {
    articles: usize,
    names: BTreeMap<String, usize>,
    countries: BTreeMap<String, usize>,
    partners: BTreeSet<usize>,
    latest: Option<String>,
}

fn most_common(m: &BTreeMap<String, usize>) -> Option<String> {
    // max_by_key keeps the last maximum; iterate in reverse so the first in order wins ties.
    m.iter()
        .rev()
        .max_by_key(|(_, n)| **n)
        .map(|(k, _)| k.clone())
}

/// Builds the model of a corpus. `articles` in any order; the result does not depend on it
/// except through the paths (ties are broken by path and id).
pub fn build(articles: &[ArticleFacts], options: &ModelOptions) -> Model {
    let mut order: Vec<&ArticleFacts> = articles.iter().collect();
    order.sort_by(|a, b| a.path.cmp(&b.path));

    // Institutions, by key.
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut keys: Vec<&str> = Vec::new();
    let mut acc: Vec<InstAcc> = Vec::new();
    let mut pairs: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut country_articles: BTreeMap<&str, usize> = BTreeMap::new();
    let mut country_pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut months: BTreeMap<(i32, u32), usize> = BTreeMap::new();
    let mut years: BTreeMap<i32, usize> = BTreeMap::new();
    let mut year_only = 0;
    let mut unplaced = 0;
    let mut codes: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut annotated = 0;
    let mut with_findings = 0;
    let mut findings_total = 0;

    for a in &order {
        let mut ids = Vec::with_capacity(a.institutions.len());
        for i in &a.institutions {
            let id = *index.entry(i.key.as_str()).or_insert_with(|| {
                keys.push(i.key.as_str());
                acc.push(InstAcc {
                    articles: 0,
                    names: BTreeMap::new(),
                    countries: BTreeMap::new(),
                    partners: BTreeSet::new(),
                    latest: None,
                });
                acc.len() - 1
            });
            if ids.contains(&id) {
                continue;
            }
            ids.push(id);
            if let Some(x) = acc.get_mut(id) {
                x.articles += 1;
                if let Some(n) = &i.name {
                    *x.names.entry(n.clone()).or_default() += 1;
                }
                if let Some(c) = &i.country {
                    *x.countries.entry(c.clone()).or_default() += 1;
                }
                if let Some(p) = &a.published {
                    if x.latest.as_ref().is_none_or(|l| p > l) {
                        x.latest = Some(p.clone());
                    }
                }
            }
        }
        if !ids.is_empty() {
            annotated += 1;
        }
        for (n, &x) in ids.iter().enumerate() {
            for &y in ids.iter().skip(n + 1) {
                let key = (x.min(y), x.max(y));
                *pairs.entry(key).or_default() += 1;
                if let Some(ax) = acc.get_mut(x) {
                    ax.partners.insert(y);
                }
                if let Some(ay) = acc.get_mut(y) {
                    ay.partners.insert(x);
                }
            }
        }
        for (n, c) in a.countries.iter().enumerate() {
            *country_articles.entry(c.as_str()).or_default() += 1;
            for d in a.countries.iter().skip(n + 1) {
                *country_pairs.entry((c.as_str(), d.as_str())).or_default() += 1;
            }
        }
        for w in &a.events {
            match *w {
                When::Month(y, m) => {
                    *months.entry((y, m)).or_default() += 1;
                    *years.entry(y).or_default() += 1;
                }
                When::Year(y) => {
                    year_only += 1;
                    *years.entry(y).or_default() += 1;
                }
            }
        }
        unplaced += a.unplaced_events;
        if !a.findings.is_empty() {
            with_findings += 1;
        }
        for &(code, n) in &a.findings {
            let e = codes.entry(code).or_default();
            e.0 += 1;
            e.1 += n;
            findings_total += n;
        }
    }

    // Institutions ranked: most articles first, then by id.
    let institution = |i: usize| -> Option<Institution> {
        let x = acc.get(i)?;
        let id = keys.get(i)?.to_string();
        Some(Institution {
            name: most_common(&x.names).unwrap_or_else(|| id.clone()),
            country: most_common(&x.countries).unwrap_or_default(),
            id,
            articles: x.articles,
            partners: x.partners.len(),
            latest: x.latest.clone(),
        })
    };
    let mut ranked: Vec<usize> = (0..acc.len()).collect();
    ranked.sort_by(|&x, &y| {
        let ax = acc.get(x).map_or(0, |a| a.articles);
        let ay = acc.get(y).map_or(0, |a| a.articles);
        ay.cmp(&ax).then_with(|| keys.get(x).cmp(&keys.get(y)))
    });
    let shown: Vec<usize> = ranked.iter().copied().take(options.top).collect();
    let mut node_of: BTreeMap<usize, usize> = BTreeMap::new();
    for (n, &i) in shown.iter().enumerate() {
        node_of.insert(i, n);
    }
    let nodes: Vec<Institution> = shown.iter().filter_map(|&i| institution(i)).collect();
    let top: Vec<Institution> = ranked
        .iter()
        .take(TOP_TABLE)
        .filter_map(|&i| institution(i))
        .collect();
    let mut edges: Vec<Edge> = pairs
        .iter()
        .filter_map(|(&(x, y), &n)| {
            let (a, b) = (*node_of.get(&x)?, *node_of.get(&y)?);
            Some(Edge {
                a: a.min(b),
                b: a.max(b),
                articles: n,
            })
        })
        .collect();
    edges.sort_by_key(|e| (e.a, e.b));

    // Countries ranked: most articles first, then by code; colours by rank.
    let mut country_institutions: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..acc.len() {
        if let Some(c) = acc.get(i).and_then(|x| most_common(&x.countries)) {
            *country_institutions.entry(c).or_default() += 1;
        }
    }
    let mut countries: Vec<Country> = country_articles
        .iter()
        .map(|(&code, &articles)| Country {
            code: code.to_string(),
            articles,
            institutions: country_institutions.get(code).copied().unwrap_or(0),
            colour: 0,
        })
        .collect();
    // Countries of institutions that only appear in no valid `countries` list still count.
    for (code, &n) in &country_institutions {
        if !countries.iter().any(|c| &c.code == code) {
            countries.push(Country {
                code: code.clone(),
                articles: 0,
                institutions: n,
                colour: 0,
            });
        }
    }
    countries.sort_by(|a, b| b.articles.cmp(&a.articles).then(a.code.cmp(&b.code)));
    let other = PALETTE.len() - 1;
    for (rank, c) in countries.iter_mut().enumerate() {
        c.colour = rank.min(other);
    }

    let mut pairs_ranked: Vec<CountryPair> = country_pairs
        .iter()
        .map(|(&(a, b), &n)| CountryPair {
            a: a.to_string(),
            b: b.to_string(),
            articles: n,
        })
        .collect();
    pairs_ranked.sort_by(|x, y| {
        y.articles
            .cmp(&x.articles)
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });
    let country_pairs_total = pairs_ranked.len();
    pairs_ranked.truncate(COUNTRY_PAIRS);

    let timeline = timeline(&months, &years, year_only, unplaced);

    let code_list: Vec<CodeCount> = codes
        .iter()
        .map(|(&code, &(articles, findings))| {
            let info = marginalia_core::findings::lookup(code);
            CodeCount {
                code: code.to_string(),
                name: info.map(|i| i.name.to_string()).unwrap_or_default(),
                severity: info
                    .map(|i| i.severity.as_str().to_string())
                    .unwrap_or_default(),
                summary: info.map(|i| i.summary.to_string()).unwrap_or_default(),
                articles,
                findings,
            }
        })
        .collect();
    let code_index: BTreeMap<&str, usize> =
        codes.keys().enumerate().map(|(n, &c)| (c, n)).collect();

    let rows: Vec<ArticleRow> = order
        .iter()
        .filter_map(|a| {
            let mut n: Vec<usize> = a
                .institutions
                .iter()
                .filter_map(|i| index.get(i.key.as_str()))
                .filter_map(|i| node_of.get(i).copied())
                .collect();
            n.sort_unstable();
            n.dedup();
            let f: Vec<(usize, usize)> = a
                .findings
                .iter()
                .filter_map(|&(c, k)| Some((*code_index.get(c)?, k)))
                .collect();
            if n.is_empty() && f.is_empty() {
                return None;
            }
            let mut e: Vec<usize> = a
                .events
                .iter()
                .filter_map(|w| timeline.bucket(*w))
                .collect();
            e.sort_unstable();
            Some(ArticleRow {
                p: a.path.clone(),
                t: a.title.clone().unwrap_or_default(),
                d: a.published.clone().unwrap_or_default(),
                n,
                f,
                e,
            })
        })
        .collect();

    Model {
        totals: Totals {
            articles: order.len(),
            annotated,
            institutions: acc.len(),
            countries: countries.len(),
            pairs: pairs.len(),
            articles_with_findings: with_findings,
            findings: findings_total,
            event_dates: timeline.buckets.iter().map(|b| b.1).sum::<usize>(),
        },
        omitted_institutions: acc.len().saturating_sub(nodes.len()),
        omitted_edges: pairs.len().saturating_sub(edges.len()),
        countries,
        nodes,
        edges,
        top,
        country_pairs: pairs_ranked,
        country_pairs_total,
        timeline,
        codes: code_list,
        articles: rows,
    }
}

impl Timeline {
    /// The index of the bucket a date falls in, when the timeline shows it.
    pub fn bucket(&self, w: When) -> Option<usize> {
        let label = match (self.unit, w) {
            ("month", When::Month(y, m)) => format!("{y:04}-{m:02}"),
            ("month", When::Year(_)) => return None,
            (_, When::Month(y, _) | When::Year(y)) => format!("{y:04}"),
        };
        self.buckets
            .binary_search_by(|b| b.0.as_str().cmp(label.as_str()))
            .ok()
    }
}

fn timeline(
    months: &BTreeMap<(i32, u32), usize>,
    years: &BTreeMap<i32, usize>,
    year_only: usize,
    unplaced: usize,
) -> Timeline {
    let month_number = |y: i32, m: u32| i64::from(y) * 12 + i64::from(m) - 1;
    let span = match (months.keys().next(), months.keys().next_back()) {
        (Some(&(y0, m0)), Some(&(y1, m1))) => month_number(y1, m1) - month_number(y0, m0) + 1,
        _ => 0,
    };
    if span > 0 && span <= MAX_MONTHS {
        let (y0, m0) = months.keys().next().copied().unwrap_or((0, 1));
        let start = month_number(y0, m0);
        let buckets = (0..span)
            .map(|k| {
                let n = start + k;
                let (y, m) = (n.div_euclid(12), n.rem_euclid(12) + 1);
                let count = months
                    .get(&(y as i32, m as u32))
                    .copied()
                    .unwrap_or_default();
                (format!("{y:04}-{m:02}"), count)
            })
            .collect();
        return Timeline {
            unit: "month",
            buckets,
            year_only,
            unplaced,
        };
    }
    let buckets = match (years.keys().next(), years.keys().next_back()) {
        (Some(&y0), Some(&y1)) => (y0..=y1)
            .map(|y| {
                (
                    format!("{y:04}"),
                    years.get(&y).copied().unwrap_or_default(),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    Timeline {
        unit: "year",
        buckets,
        year_only: 0,
        unplaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timex_values_fall_in_months_or_years() {
        assert_eq!(when("2019-10-15"), Some(When::Month(2019, 10)));
        assert_eq!(when("2019-10-15TAF"), Some(When::Month(2019, 10)));
        assert_eq!(when("2019-02"), Some(When::Month(2019, 2)));
        assert_eq!(when("2019"), Some(When::Year(2019)));
        assert_eq!(when("2021-Q2"), Some(When::Year(2021)));
        // Week 1 of 2020 has its Thursday on 2020-01-02; week 1 of 2026 on 2026-01-01.
        assert_eq!(when("2020-W01"), Some(When::Month(2020, 1)));
        assert_eq!(when("2019-W42"), Some(When::Month(2019, 10)));
        for bad in [
            "201X",
            "P46Y",
            "PAST_REF",
            "2019-13",
            "2019-02-30",
            "",
            "２０１９",
            "2019-1",
        ] {
            assert_eq!(when(bad), None, "{bad}");
        }
    }

    fn facts(path: &str, insts: &[(&str, &str)], events: &[When]) -> ArticleFacts {
        ArticleFacts {
            path: path.to_string(),
            institutions: insts
                .iter()
                .map(|(k, c)| InstitutionRef {
                    key: k.to_string(),
                    name: Some(k.to_uppercase()),
                    country: Some(c.to_string()),
                })
                .collect(),
            countries: {
                let s: BTreeSet<String> = insts.iter().map(|(_, c)| c.to_string()).collect();
                s.into_iter().collect()
            },
            events: events.to_vec(),
            ..ArticleFacts::default()
        }
    }

    #[test]
    fn the_network_keeps_the_top_institutions_and_counts_what_it_leaves_out() {
        let arts = vec![
            facts("a.md", &[("x", "CN"), ("y", "FR"), ("z", "DE")], &[]),
            facts("b.md", &[("x", "CN"), ("y", "FR")], &[]),
            facts("c.md", &[("x", "CN"), ("w", "RU")], &[]),
        ];
        let m = build(&arts, &ModelOptions { top: 2 });
        let ids: Vec<&str> = m.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["x", "y"]);
        assert_eq!(
            m.edges,
            [Edge {
                a: 0,
                b: 1,
                articles: 2
            }]
        );
        assert_eq!(m.omitted_institutions, 2);
        // x-y, x-z, y-z, x-w: one drawn.
        assert_eq!(m.totals.pairs, 4);
        assert_eq!(m.omitted_edges, 3);
        assert_eq!(m.nodes[0].partners, 3);
        let fr_cn = m.country_pairs.iter().find(|p| p.a == "CN" && p.b == "FR");
        assert_eq!(fr_cn.map(|p| p.articles), Some(2));
        // The same articles in another order give the same model.
        let mut rev = arts.clone();
        rev.reverse();
        assert_eq!(build(&rev, &ModelOptions { top: 2 }), m);
    }

    #[test]
    fn long_timelines_count_by_year_short_ones_by_month() {
        let short = build(
            &[facts(
                "a.md",
                &[],
                &[
                    When::Month(2024, 11),
                    When::Month(2025, 2),
                    When::Year(2024),
                ],
            )],
            &ModelOptions { top: 10 },
        );
        assert_eq!(short.timeline.unit, "month");
        let labels: Vec<&str> = short
            .timeline
            .buckets
            .iter()
            .map(|b| b.0.as_str())
            .collect();
        assert_eq!(labels, ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert_eq!(short.timeline.year_only, 1);
        let long = build(
            &[facts(
                "a.md",
                &[],
                &[When::Month(2001, 1), When::Month(2020, 1), When::Year(2010)],
            )],
            &ModelOptions { top: 10 },
        );
        assert_eq!(long.timeline.unit, "year");
        assert_eq!(long.timeline.buckets.len(), 20);
        assert_eq!(long.timeline.buckets.iter().map(|b| b.1).sum::<usize>(), 3);
    }
}
