//! The gazetteer data format (TOML), shared by the embedded files and workspace gazetteer
//! files:
//!
//! ```toml
//! [[institution]]
//! key = "kust"                      # unique slug: lowercase letters, digits, hyphens
//! type = "university"               # university, academy, research-organisation, government,
//!                                   # association, company, international-organisation, facility, other
//! country = "CN"                    # ISO 3166-1 alpha-2
//! name = "Kunming University of Science and Technology"
//! names = { zh-Hans = "昆明理工大学", zh-Hant = "昆明理工大學" }
//! acronyms = ["KUST"]               # matched case-sensitively, whole words
//! aliases = []
//! former_names = []
//! parent = "cas"                    # key of the parent, for sub-units
//! ror = "0xxxxxxNN"                 # bare ROR id (checksum verified)
//! wikidata = "Q123"
//! ```

use super::{Institution, InstitutionType, Origin};
use crate::article::ids::{check_ror, is_country_code};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A problem in a gazetteer data file, at a line when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// One-based line.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    institution: Vec<RawInstitution>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstitution {
    key: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    country: Option<String>,
    name: String,
    #[serde(default)]
    names: BTreeMap<String, String>,
    #[serde(default)]
    acronyms: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    former_names: Vec<String>,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    ror: Option<String>,
    #[serde(default)]
    wikidata: Option<String>,
}

/// Parses an institution type name (`research-organisation`, …).
pub fn parse_type(s: &str) -> Option<InstitutionType> {
    Some(match s {
        "university" => InstitutionType::University,
        "academy" => InstitutionType::Academy,
        "research-organisation" | "research-organization" => InstitutionType::ResearchOrganisation,
        "government" => InstitutionType::Government,
        "association" => InstitutionType::Association,
        "company" => InstitutionType::Company,
        "international-organisation" | "international-organization" => {
            InstitutionType::InternationalOrganisation
        }
        "facility" => InstitutionType::Facility,
        "other" => InstitutionType::Other,
        _ => return None,
    })
}

/// Whether `key` is a well-formed gazetteer key.
pub fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 100
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !key.starts_with('-')
        && !key.ends_with('-')
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses one gazetteer file. Every problem is reported with its line; records with
/// problems are left out, the others are returned.
pub fn parse(text: &str, origin: &Origin) -> (Vec<Institution>, Vec<DataError>) {
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            return (
                Vec::new(),
                vec![DataError {
                    line: e.span().map(|s| line_of(text, s.start)),
                    message: e.message().to_string(),
                }],
            )
        }
    };
    // Lines of each `key = "…"` in file order, to point errors at their record.
    let key_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            t.starts_with("key") && t[3..].trim_start().starts_with('=')
        })
        .map(|(i, _)| i + 1)
        .collect();
    let mut out = Vec::with_capacity(raw.institution.len());
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, r) in raw.institution.into_iter().enumerate() {
        let line = key_lines.get(i).copied();
        let mut err = |message: String| errors.push(DataError { line, message });
        if !is_key(&r.key) {
            err(format!(
                "`{}` is not a valid key (lowercase letters, digits and hyphens)",
                r.key
            ));
            continue;
        }
        if let Some(first) = seen.get(&r.key) {
            err(format!(
                "key `{}` is already used by the record at line {first}",
                r.key
            ));
            continue;
        }
        seen.insert(r.key.clone(), line.unwrap_or(0));
        let kind = match r.kind.as_deref() {
            None => InstitutionType::Other,
            Some(t) => match parse_type(t) {
                Some(k) => k,
                None => {
                    err(format!("`{}`: unknown type `{t}`", r.key));
                    continue;
                }
            },
        };
        if let Some(c) = &r.country {
            if !is_country_code(c) {
                err(format!(
                    "`{}`: `{c}` is not an ISO 3166-1 alpha-2 country code",
                    r.key
                ));
                continue;
            }
        }
        if let Some(id) = &r.ror {
            if let Err(e) = check_ror(id) {
                err(format!("`{}`: ROR id `{id}`: {e}", r.key));
                continue;
            }
        }
        if let Some(q) = &r.wikidata {
            let ok =
                q.len() > 1 && q.starts_with('Q') && q[1..].bytes().all(|b| b.is_ascii_digit());
            if !ok {
                err(format!(
                    "`{}`: `{q}` is not a Wikidata item id (Q and digits)",
                    r.key
                ));
                continue;
            }
        }
        if r.name.trim().is_empty() {
            err(format!("`{}`: the name is empty", r.key));
            continue;
        }
        out.push(Institution {
            key: r.key,
            kind,
            country: r.country,
            city: None,
            name: r.name,
            names: r.names,
            acronyms: r.acronyms,
            aliases: r.aliases,
            former_names: r.former_names,
            parent: r.parent,
            successor: None,
            ror: r.ror,
            wikidata: r.wikidata,
            origin: origin.clone(),
        });
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_parses_with_all_fields() {
        let text = "[[institution]]\nkey = \"ustb\"\ntype = \"university\"\ncountry = \"CN\"\nname = \"University of Science and Technology Beijing\"\nnames = { zh-Hans = \"北京科技大学\" }\nacronyms = [\"USTB\"]\nror = \"02egmk993\"\nwikidata = \"Q1510516\"\n";
        let (records, errors) = parse(text, &Origin::Embedded);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.kind, InstitutionType::University);
        assert_eq!(
            r.names.get("zh-Hans").map(String::as_str),
            Some("北京科技大学")
        );
        assert_eq!(r.annotation_id(), "ror:02egmk993");
    }

    #[test]
    fn errors_name_their_line_and_keep_the_good_records() {
        let text = "[[institution]]\nkey = \"a\"\nname = \"A\"\n\n[[institution]]\nkey = \"b\"\nname = \"B\"\nror = \"02egmk994\"\n\n[[institution]]\nkey = \"a\"\nname = \"Again\"\n";
        let (records, errors) = parse(text, &Origin::Embedded);
        assert_eq!(records.len(), 1);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, Some(6));
        assert!(errors[0].message.contains("check digits"), "{}", errors[0]);
        assert_eq!(errors[1].line, Some(11));
        let (_, errors) = parse(
            "[[institution]]\nkey = \"a\"\nnmae = \"A\"\n",
            &Origin::Embedded,
        );
        assert_eq!(errors[0].line, Some(3), "{errors:?}");
    }
}
