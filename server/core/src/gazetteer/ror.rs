//! Reading a ROR v2 data dump (the JSON array of the official release) into institutions.
//!
//! Names that would make ordinary words institutions are left out here, once, so that every
//! lookup is safe: acronyms shorter than three characters, with fewer than two capitals, or
//! that are common English words ("MOST", "AIM"); one-word names without an inner capital or
//! digit ("Amgen" stays reachable by its other names, "Energy" does not become a name); and
//! names of at most two words written all in lowercase. Withdrawn records are skipped.

use super::words::is_common_word;
use super::{Institution, InstitutionType, Origin};
use crate::article::ids::check_ror;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize)]
struct RawRecord<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    names: Vec<RawName<'a>>,
    #[serde(default, borrow)]
    locations: Vec<RawLocation<'a>>,
    #[serde(default, borrow)]
    types: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    status: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    external_ids: Vec<RawExternal<'a>>,
    #[serde(default, borrow)]
    relationships: Vec<RawRelation<'a>>,
}

#[derive(Deserialize)]
struct RawRelation<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
}

#[derive(Deserialize)]
struct RawName<'a> {
    #[serde(borrow)]
    value: Cow<'a, str>,
    #[serde(default, borrow)]
    types: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    lang: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct RawLocation<'a> {
    #[serde(default, borrow)]
    geonames_details: Option<RawGeo<'a>>,
}

#[derive(Deserialize)]
struct RawGeo<'a> {
    #[serde(default, borrow)]
    country_code: Option<Cow<'a, str>>,
    /// The city.
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct RawExternal<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    preferred: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    all: Vec<Cow<'a, str>>,
}

/// A dump that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RorError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for RorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Whether a ROR acronym is safe to match (case-sensitively, as a whole word).
pub fn acronym_is_safe(a: &str) -> bool {
    let uppers = a.chars().filter(|c| c.is_uppercase()).count();
    a.chars().count() >= 3
        && uppers >= 2
        && !a.contains(char::is_whitespace)
        && !a.chars().all(|c| c.is_ascii_digit())
        && !is_common_word(a)
}

/// Whether a ROR label or alias is safe to match as a name.
pub fn name_is_safe(n: &str) -> bool {
    let words: Vec<&str> = n
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let cjk = n.chars().any(super::text::is_cjk);
    if cjk {
        return n.chars().filter(|c| super::text::is_cjk(*c)).count() >= 2;
    }
    match words.len() {
        0 => false,
        1 => {
            let w = words[0];
            let inner_cap = w.chars().skip(1).any(char::is_uppercase);
            let digit = w.chars().any(|c| c.is_ascii_digit());
            w.chars().count() >= 4 && (inner_cap || digit) && !is_common_word(w)
        }
        2 => n.chars().any(char::is_uppercase) && !words.iter().all(|w| is_common_word(w)),
        _ => true,
    }
}

fn kind_of(types: &[Cow<str>]) -> InstitutionType {
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("education") {
        InstitutionType::University
    } else if has("government") || has("funder") {
        InstitutionType::Government
    } else if has("facility") {
        InstitutionType::Facility
    } else if has("company") {
        InstitutionType::Company
    } else if has("nonprofit") {
        InstitutionType::Association
    } else {
        InstitutionType::Other
    }
}

/// The bare id of a ROR URL (`https://ror.org/02egmk993` → `02egmk993`).
fn bare(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or("")
}

/// Parses a ROR v2 dump. Records without a valid id or display name are skipped.
///
/// The record relationships are kept where they help linking: a `parent` relationship
/// becomes the record's parent (`ror:<id>`), so a department's name counts as a mention of
/// its university; an inactive or withdrawn record with exactly one successor lends its
/// names to the successor as former names ("Université Bordeaux 1" → University of
/// Bordeaux) and points to it (`successor`); other withdrawn records are skipped.
pub fn parse(json: &[u8]) -> Result<Vec<Institution>, RorError> {
    let raw: Vec<RawRecord> = serde_json::from_slice(json).map_err(|e| RorError {
        line: Some(e.line()),
        message: format!("not a ROR v2 dump (a JSON array of records): {e}"),
    })?;
    // Position of every usable record by id, and its status.
    let mut at: HashMap<&str, usize> = HashMap::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        at.insert(bare(&r.id), i);
    }
    let withdrawn = |r: &RawRecord| r.status.as_deref() == Some("withdrawn");
    let retired = |r: &RawRecord| matches!(r.status.as_deref(), Some("withdrawn" | "inactive"));
    // The active record that replaced a retired one (a single successor, followed a few steps).
    let successor_of = |r: &RawRecord| -> Option<usize> {
        let mut cur = r;
        let mut pos = None;
        for _ in 0..4 {
            if !retired(cur) {
                return pos;
            }
            let mut next = cur.relationships.iter().filter(|x| x.kind == "successor");
            let (Some(s), None) = (next.next(), next.next()) else {
                return None;
            };
            let p = *at.get(bare(&s.id))?;
            cur = &raw[p];
            pos = Some(p);
        }
        None
    };
    let mut out: Vec<Institution> = Vec::with_capacity(raw.len());
    let mut out_of: HashMap<usize, usize> = HashMap::with_capacity(raw.len());
    // (retired record's position in `raw`, its successor's position in `raw`)
    let mut lent: Vec<(usize, usize)> = Vec::new();
    for (pos, r) in raw.iter().enumerate() {
        let succ = successor_of(r);
        if let Some(s) = succ {
            lent.push((pos, s));
        }
        if withdrawn(r) {
            continue;
        }
        let Some(mut inst) = record(r) else { continue };
        inst.parent = r
            .relationships
            .iter()
            .filter(|x| x.kind == "parent")
            .map(|x| bare(&x.id))
            .find(|p| at.get(p).is_some_and(|&i| !withdrawn(&raw[i]) && i != pos))
            .map(|p| format!("ror:{p}"));
        inst.successor = succ.map(|s| format!("ror:{}", bare(&raw[s].id)));
        out_of.insert(pos, out.len());
        out.push(inst);
    }
    // The names of retired records become former names of their successors.
    for (from, to) in lent {
        let Some(&target) = out_of.get(&to) else {
            continue;
        };
        let Some(old) = record(&raw[from]) else {
            continue;
        };
        let t = &mut out[target];
        let mut have: Vec<String> = std::iter::once(&t.name)
            .chain(t.names.values())
            .chain(&t.aliases)
            .chain(&t.former_names)
            .map(|n| super::text::fold(n))
            .collect();
        for n in std::iter::once(old.name)
            .chain(old.names.into_values())
            .chain(old.aliases)
        {
            let f = super::text::fold(&n);
            if name_is_safe(&n) && !have.contains(&f) {
                have.push(f);
                t.former_names.push(n);
            }
        }
    }
    Ok(out)
}

/// One record's own fields (no relationships).
fn record(r: &RawRecord) -> Option<Institution> {
    let id = bare(&r.id).to_string();
    if check_ror(&id).is_err() {
        return None;
    }
    let display = r
        .names
        .iter()
        .find(|n| n.types.iter().any(|t| t == "ror_display"))
        .or_else(|| {
            r.names
                .iter()
                .find(|n| n.types.iter().any(|t| t == "label"))
        })?;
    let name = display.value.trim().to_string();
    if name.is_empty() {
        return None;
    }
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut aliases: Vec<String> = Vec::new();
    let mut acronyms: Vec<String> = Vec::new();
    for n in &r.names {
        let v = n.value.trim();
        if v == name || v.is_empty() {
            continue;
        }
        if n.types.iter().any(|t| t == "acronym") {
            if acronym_is_safe(v) && !acronyms.iter().any(|a| a == v) {
                acronyms.push(v.to_string());
            }
            continue;
        }
        // A one-word label in capitals ("CAS") is an acronym: it needs the evidence an
        // acronym needs.
        if !v.contains(char::is_whitespace)
            && v.chars().filter(|c| c.is_uppercase()).count() >= 2
            && !v.chars().any(char::is_lowercase)
        {
            if acronym_is_safe(v) && !acronyms.iter().any(|a| a == v) {
                acronyms.push(v.to_string());
            }
            continue;
        }
        if !name_is_safe(v) {
            continue;
        }
        let is_label = n.types.iter().any(|t| t == "label");
        match (&n.lang, is_label) {
            (Some(lang), true) if !names.contains_key(lang.as_ref()) => {
                names.insert(lang.to_string(), v.to_string());
            }
            _ => {
                if !aliases.iter().any(|a| a == v) {
                    aliases.push(v.to_string());
                }
            }
        }
    }
    let geo = r.locations.iter().find_map(|l| l.geonames_details.as_ref());
    let country = geo
        .and_then(|g| g.country_code.as_ref())
        .map(|c| c.to_string());
    let city = geo
        .and_then(|g| g.name.as_ref())
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let wikidata = r
        .external_ids
        .iter()
        .find(|e| e.kind == "wikidata")
        .and_then(|e| e.preferred.clone().or_else(|| e.all.first().cloned()))
        .map(|q| q.to_string());
    Some(Institution {
        key: format!("ror:{id}"),
        kind: kind_of(&r.types),
        country,
        city,
        name,
        names,
        acronyms,
        aliases,
        former_names: Vec::new(),
        parent: None,
        successor: None,
        ror: Some(id),
        wikidata,
        origin: Origin::Ror,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = r#"[
      {"id": "https://ror.org/02egmk993", "status": "active", "types": ["education", "funder"],
       "names": [
         {"value": "USTB", "types": ["acronym"], "lang": null},
         {"value": "University of Science and Technology Beijing", "types": ["ror_display", "label"], "lang": "en"},
         {"value": "北京科技大学", "types": ["label"], "lang": "zh"},
         {"value": "Beijing Institute of Iron and Steel Technology", "types": ["alias"], "lang": null},
         {"value": "MOST", "types": ["acronym"], "lang": null},
         {"value": "steel", "types": ["alias"], "lang": null}],
       "locations": [{"geonames_details": {"country_code": "CN"}}],
       "external_ids": [{"type": "wikidata", "preferred": null, "all": ["Q1510516"]}]},
      {"id": "https://ror.org/000000000", "status": "withdrawn", "names": []}
    ]"#;

    #[test]
    fn a_dump_reads_into_records_with_unsafe_names_left_out() {
        let records = parse(DUMP.as_bytes()).unwrap();
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.key, "ror:02egmk993");
        assert_eq!(r.name, "University of Science and Technology Beijing");
        assert_eq!(r.country.as_deref(), Some("CN"));
        assert_eq!(r.kind, InstitutionType::University);
        assert_eq!(r.acronyms, ["USTB"]);
        assert_eq!(r.names.get("zh").map(String::as_str), Some("北京科技大学"));
        assert_eq!(
            r.aliases,
            ["Beijing Institute of Iron and Steel Technology"]
        );
        assert_eq!(r.wikidata.as_deref(), Some("Q1510516"));
    }

    #[test]
    fn parents_and_successors_come_from_the_relationships() {
        let dump = r#"[
          {"id": "https://ror.org/057qpr032", "status": "active", "types": ["education"],
           "names": [{"value": "University of Bordeaux", "types": ["ror_display", "label"], "lang": "en"}],
           "locations": [{"geonames_details": {"country_code": "FR", "name": "Talence"}}]},
          {"id": "https://ror.org/001anga17", "status": "inactive", "types": ["education"],
           "names": [{"value": "University of Bordeaux 1", "types": ["ror_display", "label"], "lang": "en"},
                     {"value": "Université Bordeaux 1", "types": ["label"], "lang": "fr"}],
           "relationships": [{"type": "successor", "id": "https://ror.org/057qpr032", "label": "x"}]},
          {"id": "https://ror.org/00tfaab58", "status": "active", "types": ["education"],
           "names": [{"value": "Bordeaux College of Dentistry", "types": ["ror_display"], "lang": "en"}],
           "relationships": [{"type": "parent", "id": "https://ror.org/057qpr032", "label": "x"},
                             {"type": "parent", "id": "https://ror.org/0000000zz", "label": "gone"}]}
        ]"#;
        let records = parse(dump.as_bytes()).unwrap();
        assert_eq!(records.len(), 3, "the retired record stays resolvable");
        assert_eq!(records[0].city.as_deref(), Some("Talence"));
        assert_eq!(
            records[0].former_names,
            ["University of Bordeaux 1", "Université Bordeaux 1"]
        );
        assert_eq!(records[1].successor.as_deref(), Some("ror:057qpr032"));
        assert_eq!(records[2].parent.as_deref(), Some("ror:057qpr032"));

        let mut g = super::super::Gazetteer::default();
        g.merge_ror(records);
        let found = g.find_by_name("Université Bordeaux 1");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "ror:057qpr032");
        let unit = g.position("ror:00tfaab58").unwrap();
        assert_eq!(g.ancestors(unit), [g.position("ror:057qpr032").unwrap()]);
    }

    #[test]
    fn a_broken_dump_names_its_line() {
        let e = parse(b"[\n{\"id\": 3}\n]").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn safety_rules() {
        assert!(!acronym_is_safe("MOST") && !acronym_is_safe("UN") && acronym_is_safe("CNRS"));
        assert!(
            !name_is_safe("Energy") && name_is_safe("BioNTech") && !name_is_safe("public health")
        );
        assert!(name_is_safe("Durham University") && name_is_safe("北京大学"));
    }

    #[test]
    fn a_one_word_label_in_capitals_is_an_acronym() {
        let dump = r#"[{"id": "https://ror.org/00j4ngr24", "status": "active",
           "names": [{"value": "CAS", "types": ["label"], "lang": "en"},
                     {"value": "Casualty Actuarial Society", "types": ["ror_display", "label"], "lang": "en"}]}]"#;
        let r = &parse(dump.as_bytes()).unwrap()[0];
        assert_eq!(r.acronyms, ["CAS"]);
        assert!(r.names.is_empty() && r.aliases.is_empty());
    }
}
