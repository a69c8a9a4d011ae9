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

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    institution: Vec<RawInstitution>,
}

#[derive(Deserialize, Debug, PartialEq)]
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

/// The lines (one-based) that start with `key =`, in file order.
fn key_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            t.starts_with("key") && t[3..].trim_start().starts_with('=')
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Parses one gazetteer file. Every problem is reported with its line; records with
/// problems are left out, the others are returned.
pub fn parse(text: &str, origin: &Origin) -> (Vec<Institution>, Vec<DataError>) {
    // Lines of each `key = "…"` in file order, to point errors at their record.
    let (raw, key_lines): (RawFile, Vec<usize>) = match simple::read(text) {
        Some(read) => read,
        None => match toml::from_str(text) {
            Ok(r) => (r, key_lines(text)),
            Err(e) => {
                return (
                    Vec::new(),
                    vec![DataError {
                        line: e.span().map(|s| line_of(text, s.start)),
                        message: e.message().to_string(),
                    }],
                )
            }
        },
    };
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

/// The gazetteer files as they are written, read without the TOML parser (a small part of
/// its instructions, which every start-up paid for the embedded files): comment and blank
/// lines, `[[institution]]` headers, and `field = value` lines whose value is a basic string,
/// a one-line array of basic strings or a one-line inline table of basic strings under bare
/// keys, each followed by nothing or a comment. Anything else returns `None` for the TOML
/// parser, which then reports errors as before: other headers, keys before the first
/// header, unknown or repeated fields, a record without `key` or `name`, quoted or dotted
/// keys, literal and multi-line strings, escapes other than `\" \\ \b \t \n \f \r \uXXXX
/// \UXXXXXXXX`, values of another type, arrays or tables over several lines, controls
/// (but tab and CR before LF), DEL and a byte-order mark. What it reads is what the TOML
/// parser reads (tested against it).
mod simple {
    use super::{RawFile, RawInstitution};
    use std::collections::BTreeMap;

    /// The file's records and the lines of their `key` fields (as [`super::key_lines`]
    /// finds them: in the subset, exactly the lines that set `key`).
    pub(super) fn read(text: &str) -> Option<(RawFile, Vec<usize>)> {
        if !safe(text) {
            return None;
        }
        let mut institution = Vec::new();
        let mut key_lines = Vec::new();
        let mut record: Option<Fields> = None;
        // The lines as `split('\n')` gives them, from one search for all the line ends.
        let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
        let mut from = 0;
        for (n, stop) in ends.enumerate() {
            let line = text.get(from..stop)?;
            from = stop + 1;
            // `safe` let a CR through only before a LF.
            let line = line.strip_suffix('\r').unwrap_or(line);
            let l = skip_ws(line);
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if let Some(rest) = l.strip_prefix("[[institution]]") {
                end(rest)?;
                if let Some(done) = record.take() {
                    institution.push(done.finish()?);
                }
                record = Some(Fields::default());
                continue;
            }
            let fields = record.as_mut()?;
            let (field, rest) = bare_key(l)?;
            let v = skip_ws(skip_ws(rest).strip_prefix('=')?);
            let rest = match field {
                "key" => {
                    key_lines.push(n + 1);
                    fields.key.set(v, string)?
                }
                "type" => fields.kind.set(v, string)?,
                "country" => fields.country.set(v, string)?,
                "name" => fields.name.set(v, string)?,
                "names" => fields.names.set(v, table)?,
                "acronyms" => fields.acronyms.set(v, array)?,
                "aliases" => fields.aliases.set(v, array)?,
                "former_names" => fields.former_names.set(v, array)?,
                "parent" => fields.parent.set(v, string)?,
                "ror" => fields.ror.set(v, string)?,
                "wikidata" => fields.wikidata.set(v, string)?,
                _ => return None,
            };
            end(rest)?;
        }
        if let Some(done) = record {
            institution.push(done.finish()?);
        }
        Some((RawFile { institution }, key_lines))
    }

    /// One record's fields as read so far.
    #[derive(Default)]
    struct Fields {
        key: Option<String>,
        kind: Option<String>,
        country: Option<String>,
        name: Option<String>,
        names: Option<BTreeMap<String, String>>,
        acronyms: Option<Vec<String>>,
        aliases: Option<Vec<String>>,
        former_names: Option<Vec<String>>,
        parent: Option<String>,
        ror: Option<String>,
        wikidata: Option<String>,
    }

    impl Fields {
        /// The record, when it has the fields the format requires.
        fn finish(self) -> Option<RawInstitution> {
            Some(RawInstitution {
                key: self.key?,
                kind: self.kind,
                country: self.country,
                name: self.name?,
                names: self.names.unwrap_or_default(),
                acronyms: self.acronyms.unwrap_or_default(),
                aliases: self.aliases.unwrap_or_default(),
                former_names: self.former_names.unwrap_or_default(),
                parent: self.parent,
                ror: self.ror,
                wikidata: self.wikidata,
            })
        }
    }

    trait Set<T> {
        /// Reads the value at the start of `v` into an unset field; what follows it.
        fn set<'a>(
            &mut self,
            v: &'a str,
            read: fn(&'a str) -> Option<(T, &'a str)>,
        ) -> Option<&'a str>;
    }

    impl<T> Set<T> for Option<T> {
        fn set<'a>(
            &mut self,
            v: &'a str,
            read: fn(&'a str) -> Option<(T, &'a str)>,
        ) -> Option<&'a str> {
            // A repeated field is a TOML error: the parser reports it.
            if self.is_some() {
                return None;
            }
            let (value, rest) = read(v)?;
            *self = Some(value);
            Some(rest)
        }
    }

    /// Whether every byte may stand in the subset: no control but tab, LF and CR before LF,
    /// no DEL, no byte-order mark. (TOML takes every other character in strings and
    /// comments.)
    fn safe(text: &str) -> bool {
        let b = text.as_bytes();
        let bad = |c: u8| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r')) || c == 0x7f;
        // Blocks without an early exit inside, which the compiler vectorises.
        !text.starts_with('\u{feff}')
            && b.chunks(64)
                .all(|block| !block.iter().fold(false, |any, &c| any | bad(c)))
            && memchr::memchr_iter(b'\r', b).all(|i| b.get(i + 1) == Some(&b'\n'))
    }

    /// Skips TOML white space (spaces and tabs).
    fn skip_ws(s: &str) -> &str {
        s.trim_start_matches([' ', '\t'])
    }

    /// Nothing but white space and a comment.
    fn end(rest: &str) -> Option<()> {
        let rest = skip_ws(rest);
        (rest.is_empty() || rest.starts_with('#')).then_some(())
    }

    /// A bare key (ASCII letters, digits, `_`, `-`) and what follows it.
    fn bare_key(s: &str) -> Option<(&str, &str)> {
        let len = s
            .bytes()
            .position(|c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
            .unwrap_or(s.len());
        if len == 0 {
            return None;
        }
        Some((s.get(..len)?, s.get(len..)?))
    }

    /// A one-line basic string (`"…"`) and what follows it.
    fn string(s: &str) -> Option<(String, &str)> {
        let body = s.strip_prefix('"')?;
        let b = body.as_bytes();
        let stop = memchr::memchr2(b'"', b'\\', b)?;
        if b.get(stop) == Some(&b'"') {
            return Some((body.get(..stop)?.to_owned(), body.get(stop + 1..)?));
        }
        let mut out = String::with_capacity(stop + 16);
        let mut rest = body;
        loop {
            let at = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
            out.push_str(rest.get(..at)?);
            let tail = rest.get(at..)?;
            if let Some(after) = tail.strip_prefix('"') {
                return Some((out, after));
            }
            let esc = tail.get(1..)?;
            let (c, after) = match esc.as_bytes().first()? {
                b'"' => ('"', esc.get(1..)?),
                b'\\' => ('\\', esc.get(1..)?),
                b'b' => ('\u{8}', esc.get(1..)?),
                b't' => ('\t', esc.get(1..)?),
                b'n' => ('\n', esc.get(1..)?),
                b'f' => ('\u{c}', esc.get(1..)?),
                b'r' => ('\r', esc.get(1..)?),
                b'u' => (hex_char(esc.get(1..5)?)?, esc.get(5..)?),
                b'U' => (hex_char(esc.get(1..9)?)?, esc.get(9..)?),
                _ => return None,
            };
            out.push(c);
            rest = after;
        }
    }

    /// The character of a `\u` or `\U` escape's hex digits (a Unicode scalar value).
    fn hex_char(digits: &str) -> Option<char> {
        if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        char::from_u32(u32::from_str_radix(digits, 16).ok()?)
    }

    /// `[ "a", "b" ]` on one line (a trailing comma allowed, as in TOML) and what follows.
    fn array(s: &str) -> Option<(Vec<String>, &str)> {
        let mut rest = skip_ws(s.strip_prefix('[')?);
        let mut items = Vec::new();
        loop {
            if let Some(after) = rest.strip_prefix(']') {
                return Some((items, after));
            }
            let (item, after) = string(rest)?;
            items.push(item);
            rest = skip_ws(after);
            match rest.strip_prefix(',') {
                Some(after) => rest = skip_ws(after),
                None => {
                    let after = rest.strip_prefix(']')?;
                    return Some((items, after));
                }
            }
        }
    }

    /// `{ zh-Hans = "…", zh-Hant = "…" }` on one line, bare keys, no repeated key and no
    /// trailing comma (as in TOML), and what follows.
    fn table(s: &str) -> Option<(BTreeMap<String, String>, &str)> {
        let mut rest = skip_ws(s.strip_prefix('{')?);
        let mut map = BTreeMap::new();
        if let Some(after) = rest.strip_prefix('}') {
            return Some((map, after));
        }
        loop {
            let (key, after) = bare_key(rest)?;
            let (value, after) = string(skip_ws(skip_ws(after).strip_prefix('=')?))?;
            if map.insert(key.to_owned(), value).is_some() {
                return None;
            }
            rest = skip_ws(after);
            match rest.strip_prefix(',') {
                Some(after) => rest = skip_ws(after),
                None => return Some((map, rest.strip_prefix('}')?)),
            }
        }
    }
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

    /// The fast reader's answer, when it has one, is the TOML parser's (and its key lines
    /// are the ones `key_lines` finds).
    fn same_as_toml(text: &str) -> bool {
        let fast = simple::read(text);
        if let Some((raw, lines)) = &fast {
            match toml::from_str::<RawFile>(text) {
                Ok(general) => assert_eq!(&general, raw, "{text:?}"),
                Err(e) => panic!("the fast reader read {text:?}, TOML says: {e}"),
            }
            assert_eq!(lines, &key_lines(text), "{text:?}");
        }
        fast.is_some()
    }

    #[test]
    fn the_embedded_files_take_the_fast_reader() {
        for (file, text) in crate::gazetteer::embedded_files::FILES {
            assert!(same_as_toml(text), "{file} needs the TOML parser");
        }
    }

    /// Deterministic pseudo-random numbers below `n` (xorshift).
    fn rng(mut state: u64) -> impl FnMut(usize) -> usize {
        move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n.max(1) as u64) as usize
        }
    }

    /// Documents assembled from pieces in and just outside the subset (CJK, emoji, escapes,
    /// comments after values, CRLF, tabs, literal and multi-line strings, inline tables with
    /// odd keys, repeated fields): wherever the fast reader answers, it answers like the TOML
    /// parser; and it does answer for many of them.
    #[test]
    fn the_fast_reader_reads_what_toml_reads() {
        let strings = [
            r#""kust""#,
            r#""Kunming University of Science and Technology""#,
            r#""昆明理工大学""#,
            r#""中國科學院 😀""#,
            r#""National Research Centre \"Kurchatov Institute\"""#,
            r#""a\\b""#,
            r#""\u4e2d\u570B""#,
            r#""\U0001F600""#,
            r#""tab\there\n""#,
            r#""\b\f\r""#,
            r#""""#,
            r#""a # not a comment""#,
            "\"a\tb\"",
            r#""Ünï [x] {y} 'q'""#,
            r#""CN""#,
            r#""02egmk993""#,
            r#""Q1510516""#,
            r#""university""#,
            // Outside the subset or not TOML.
            r#"'literal'"#,
            r#""""multi""""#,
            r#""a\qb""#,
            r#""\ud800""#,
            r#""\u12""#,
            r#""\u+4e2""#,
            r#""\U00110000""#,
            r#""\e""#,
            r#""\x41""#,
            r#""unterminated"#,
            r#""a"b""#,
            "\"a\u{7f}\"",
            "\"a\u{1}b\"",
            "1",
            "true",
            "x",
        ];
        let good_strings = 18;
        let keys = [
            "zh-Hans", "zh-Hant", "fr", "en", "ja", "_x", "1", "a-b", "-", "A", // outside:
            "\"q\"", "a.b", "a b", "中", "'l'", "",
        ];
        let good_keys = 10;
        let string_fields = ["type", "country", "parent", "ror", "wikidata"];
        let array_fields = ["acronyms", "aliases", "former_names"];
        let bad_fields = ["nmae", "Key", "\"key\"", "key.x", "institution", "names.fr"];
        let eqs = [" = ", "=", "\t=\t", " =", "= ", "  =  "];
        let ends = [
            "",
            " # comment 中文 😀",
            "#",
            " ",
            "\t# c",
            "# \"quoted\" [x] {y}",
            // Outside.
            "x",
            " ,",
            " \"",
        ];
        let good_ends = 6;
        let headers = [
            "[[institution]]",
            "[[institution]] # next",
            "  [[institution]]",
            "\t[[institution]]\t",
            // Outside.
            "[[ institution ]]",
            "[institution]",
            "[[institution]]x",
            "[[other]]",
            "[[institution.names]]",
            "[[\"institution\"]]",
        ];
        let good_headers = 4;
        let newlines = ["\n", "\r\n", "\r", "\n\n"];
        let mut next = rng(0x2545_f491_4f6c_dd1d);
        // Mostly pieces the reader takes, one in sixteen from all of them.
        let pick = |all: &[&'static str], good: usize, next: &mut dyn FnMut(usize) -> usize| {
            if next(16) == 0 {
                all[next(all.len())]
            } else {
                all[next(good)]
            }
        };
        let mut fast = 0;
        for _ in 0..20_000 {
            let mut doc = String::new();
            let nl = if next(8) == 0 {
                newlines[next(newlines.len())]
            } else {
                "\n"
            };
            if next(6) == 0 {
                doc.push_str("# a gazetteer file\n");
            }
            if next(30) == 0 {
                doc.push('\u{feff}');
            }
            for _ in 0..1 + next(3) {
                doc.push_str(pick(&headers, good_headers, &mut next));
                doc.push_str(nl);
                let mut lines: Vec<String> = vec![
                    format!("key = {}", strings[next(2)]),
                    format!("name = {}", pick(&strings, good_strings, &mut next)),
                ];
                // Each field once (a repeated one is made below, now and then).
                let mut used: Vec<&str> = Vec::new();
                for _ in 0..next(7) {
                    let eq = if next(4) == 0 {
                        eqs[next(eqs.len())]
                    } else {
                        " = "
                    };
                    let f = match next(20) {
                        0..=5 => string_fields[next(string_fields.len())],
                        6..=11 => array_fields[next(array_fields.len())],
                        12..=18 => "names",
                        _ => bad_fields[next(bad_fields.len())],
                    };
                    if used.contains(&f) {
                        continue;
                    }
                    used.push(f);
                    let line = if string_fields.contains(&f) {
                        format!("{f}{eq}{}", pick(&strings, good_strings, &mut next))
                    } else if array_fields.contains(&f) {
                        let items: Vec<&str> = (0..next(4))
                            .map(|_| pick(&strings, good_strings, &mut next))
                            .collect();
                        let sep = [", ", ",", " , ", ",\t"][next(4)];
                        let trail = ["", ",", " ,", ", "][if next(4) == 0 { next(4) } else { 0 }];
                        let (open, close) = match next(12) {
                            0 => ("[", ""),
                            1 => ("[\n", "\n]"),
                            2 => ("[ # c\n", "]"),
                            _ => (["[", "[ ", "[\t"][next(3)], ["]", " ]"][next(2)]),
                        };
                        format!("{f}{eq}{open}{}{trail}{close}", items.join(sep))
                    } else if f == "names" {
                        let mut seen: Vec<&str> = Vec::new();
                        let mut pairs: Vec<String> = Vec::new();
                        for _ in 0..next(4) {
                            let k = pick(&keys, good_keys, &mut next);
                            if seen.contains(&k) && next(10) != 0 {
                                continue;
                            }
                            seen.push(k);
                            let eq = [" = ", "=", " =\t"][next(3)];
                            let v = pick(&strings, good_strings, &mut next);
                            pairs.push(format!("{k}{eq}{v}"));
                        }
                        let trail = if next(10) == 0 { "," } else { "" };
                        let (open, close) = match next(12) {
                            0 => ("{\n", "\n}"),
                            1 => ("{", ""),
                            _ => (["{ ", "{", "{\t"][next(3)], [" }", "}"][next(2)]),
                        };
                        format!("names{eq}{open}{}{trail}{close}", pairs.join(", "))
                    } else {
                        format!("{f}{eq}{}", strings[next(good_strings)])
                    };
                    lines.push(line);
                }
                // Fields in any order; now and then one left out or repeated.
                for i in (1..lines.len()).rev() {
                    lines.swap(i, next(i + 1));
                }
                match next(20) {
                    0 => {
                        lines.remove(next(lines.len()));
                    }
                    1 => {
                        let again = lines[next(lines.len())].clone();
                        lines.push(again);
                    }
                    _ => {}
                }
                for l in lines {
                    if next(8) == 0 {
                        doc.push_str(["  ", "\t", " "][next(3)]);
                    }
                    doc.push_str(&l);
                    doc.push_str(pick(&ends, good_ends, &mut next));
                    doc.push_str(nl);
                    if next(10) == 0 {
                        doc.push_str(["", "# c", "  ", "\t", "#中文😀"][next(5)]);
                        doc.push_str(nl);
                    }
                }
            }
            if next(15) == 0 {
                doc.pop();
            }
            if same_as_toml(&doc) {
                fast += 1;
            }
        }
        assert!(fast > 3_000, "the fast reader answered {fast} times");
    }

    /// The embedded files with a few characters inserted, removed or replaced: wherever the
    /// fast reader answers, it answers like the TOML parser.
    #[test]
    fn mutated_files_read_alike() {
        let inserts = [
            "\"", "\\", "'", "#", "=", ",", "[", "]", "{", "}", " ", "\t", "\n", "\r", "\r\n", ".",
            "a", "中", "😀", "\\u4e2d", "\\\"", "\u{1}", "\u{7f}", "\u{a0}",
        ];
        let mut next = rng(0x9e37_79b9_7f4a_7c15);
        let files = crate::gazetteer::embedded_files::FILES;
        let mut fast = 0;
        for _ in 0..300 {
            let Some((_, text)) = files.get(next(files.len())) else {
                continue;
            };
            // A window of the file, from a record's header on, keeps each parse small.
            let starts: Vec<usize> = text.match_indices("[[institution]]").map(|m| m.0).collect();
            let from = starts[next(starts.len())];
            let to = text[from..]
                .match_indices("[[institution]]")
                .nth(1 + next(3))
                .map_or(text.len(), |(i, _)| from + i);
            let mut doc = text[from..to].to_string();
            for _ in 0..1 + next(3) {
                let bounds: Vec<usize> = doc.char_indices().map(|(i, _)| i).collect();
                let at = bounds[next(bounds.len())];
                match next(3) {
                    0 => doc.insert_str(at, inserts[next(inserts.len())]),
                    1 => {
                        doc.remove(at);
                    }
                    _ => {
                        doc.remove(at);
                        doc.insert_str(at, inserts[next(inserts.len())]);
                    }
                }
            }
            if same_as_toml(&doc) {
                fast += 1;
            }
        }
        assert!(fast > 50, "the fast reader answered {fast} times");
    }
}
