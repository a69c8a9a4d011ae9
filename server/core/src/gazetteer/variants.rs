//! More written forms of a record's name, derived when the index is built (they are
//! `derived` entries: a real name of any record with the same form wins over them).
//!
//! - **Other languages' word for "university".** A label such as "Università degli Studi di
//!   Genova", "Université de Berne", "Universiteit Gent", "Ruprecht-Karls-Universität
//!   Heidelberg" or "Universitatea Valahia din Târgoviște" is also written "Università di
//!   Genova", "University of Berne", "Gent University", "Universität Heidelberg",
//!   "University Valahia of Târgoviște": the foreign head becomes "University", the
//!   connector after it "of", a person's name hyphenated to the head may be dropped.
//! - **German umlauts written out.** "Würzburg" is also "Wuerzburg" (the folding reads
//!   `ü` as `u`, so only the `ue` spelling needs a form of its own).
//! - **The city dropped.** "Sapienza University of Rome", "Erasmus University Rotterdam"
//!   (the record's city ends the name) are also called "Sapienza University", "Erasmus
//!   University", when what is left still has a distinctive word.
//! - **"in" for a place.** "Swiss Federal Institute of Technology in Zurich" ↔ "… Technology
//!   Zurich" (so "…, Zurich" matches), "Catholic University of Lublin" ↔ "… in Lublin".
//!
//! Only Latin names without brackets are varied; every variant has at least two tokens.

use super::text::{fold, hash_word, token_hash, tokenize_str, Token};
use super::words::is_common_word;

fn h(w: &str) -> u32 {
    token_hash(hash_word(w))
}

/// Folded words for "university" in other languages (the folding drops diacritics).
const FOREIGN_HEADS: &[&str] = &[
    "universita",
    "universitat",
    "universite",
    "universidad",
    "universidade",
    "universiteit",
    "universiti",
    "universitatea",
    "universitas",
    "uniwersytet",
    "univerzita",
    "universitet",
];

/// Connectors that mean "of" / "in" after a foreign head.
const FOREIGN_OF: &[&str] = &[
    "di", "de", "din", "do", "da", "zu", "della", "del", "dell", "des", "du", "van", "i", "w",
    "we", "ve", "v",
];

/// Words that say what kind of body a name is, not which one.
const GENERIC: &[&str] = &[
    "university",
    "universities",
    "institute",
    "college",
    "school",
    "academy",
    "hospital",
    "center",
    "centre",
    "technical",
    "technology",
    "national",
    "state",
    "medical",
    "federal",
    "polytechnic",
    "catholic",
    "international",
    "science",
    "sciences",
    "research",
    "applied",
    "open",
    "free",
    "new",
    "city",
    "metropolitan",
    "public",
    "private",
    "central",
    "royal",
    "imperial",
    "american",
    "european",
    "health",
    "clinic",
    "foundation",
    "agricultural",
    "normal",
    "pedagogical",
    "economics",
    "business",
    "management",
    "engineering",
    "arts",
    "art",
    "music",
    "teacher",
    "education",
    "nursing",
    "children",
    "general",
    "women",
    "memorial",
];

/// The variants of one name (`s`, as written in the record) of a record in `city`.
pub fn variants(s: &str, city: Option<&str>) -> Vec<Vec<u32>> {
    if s.contains(['(', '（', '[']) {
        return Vec::new();
    }
    variants_of(s, &tokenize_str(s), city)
}

/// [`variants`] of a name without brackets, from its tokens (the index has them already).
pub fn variants_of(s: &str, toks: &[Token], city: Option<&str>) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    if toks.len() < 2 || toks.iter().any(|t| t.has(super::text::CJK)) {
        return out;
    }
    foreign(s, toks, &mut out);
    drop_city(s, toks, city, &mut out);
    place_in(toks, &mut out);
    dash_parts(s, &mut out);
    // German umlauts written out: the name itself and the variants above.
    if s.contains(['ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü']) {
        let mut e = String::with_capacity(s.len() + 4);
        for c in s.chars() {
            match c {
                'ä' => e.push_str("ae"),
                'ö' => e.push_str("oe"),
                'ü' => e.push_str("ue"),
                'Ä' => e.push_str("Ae"),
                'Ö' => e.push_str("Oe"),
                'Ü' => e.push_str("Ue"),
                c => e.push(c),
            }
        }
        let et = tokenize_str(&e);
        out.push(et.iter().map(|t| t.hash).collect());
        foreign(&e, &et, &mut out);
        drop_city(&e, &et, city, &mut out);
        place_in(&et, &mut out);
    }
    out.retain(|v| v.len() >= 2);
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether the text between two tokens is a hyphen (a joined name: "Ruprecht-Karls-…").
fn hyphen(s: &str, a: &Token, b: &Token) -> bool {
    s.get(a.end() as usize..b.start as usize)
        .is_some_and(|g| g.trim() == "-" || g == "‑" || g == "–")
}

fn foreign(s: &str, toks: &[Token], out: &mut Vec<Vec<u32>>) {
    let heads: Vec<u32> = FOREIGN_HEADS.iter().map(|w| h(w)).collect();
    let ofs: Vec<u32> = FOREIGN_OF.iter().map(|w| h(w)).collect();
    let hs: Vec<u32> = toks.iter().map(|t| t.hash).collect();
    let Some(p) = hs.iter().position(|x| heads.contains(x)) else {
        return;
    };
    let (uni, of) = (h("university"), h("of"));
    let (degli, studi) = (h("degli"), h("studi"));
    // "degli Studi" after the head says nothing ("Università degli Studi di Genova").
    let mut rest: Vec<u32> = hs.get(p + 1..).unwrap_or(&[]).to_vec();
    let studies = rest.len() >= 2 && rest[0] == degli && rest[1] == studi;
    if studies {
        rest.drain(..2);
    }
    let prefix = &hs[..p];
    // A person's name hyphenated to the head may be left out ("Universität Heidelberg").
    let hyphenated = p > 0 && (1..=p).all(|k| hyphen(s, &toks[k - 1], &toks[k]));
    let translated: Vec<u32> = rest
        .iter()
        .map(|x| if ofs.contains(x) { of } else { *x })
        .collect();
    // "University Complutense de Madrid", "University Valahia of Târgoviște".
    out.push([prefix, &[uni], &rest].concat());
    out.push([prefix, &[uni], &translated].concat());
    if studies {
        out.push([prefix, &[hs[p]], &rest].concat()); // Università di Genova
    }
    // The head followed by a place: "University of Genova", "Gent University".
    let place: &[u32] = match rest.first() {
        Some(x) if ofs.contains(x) => &rest[1..],
        _ => &rest,
    };
    let short = !place.is_empty() && place.len() <= 2 && !place.iter().any(|x| ofs.contains(x));
    if short && (prefix.is_empty() || hyphenated) {
        out.push([&[uni, of][..], place].concat());
        out.push([place, &[uni][..]].concat());
        if hyphenated {
            out.push([&[hs[p]][..], &rest].concat());
        }
    }
}

fn drop_city(s: &str, toks: &[Token], city: Option<&str>, out: &mut Vec<Vec<u32>>) {
    let Some(city) = city else { return };
    let c: Vec<u32> = tokenize_str(city).iter().map(|t| t.hash).collect();
    let hs: Vec<u32> = toks.iter().map(|t| t.hash).collect();
    if c.is_empty() || hs.len() < c.len() + 2 || !hs.ends_with(&c) {
        return;
    }
    let mut rest = &hs[..hs.len() - c.len()];
    let (of, uni) = (h("of"), h("university"));
    if let Some((last, r)) = rest.split_last() {
        if *last == of {
            rest = r;
        }
    }
    // "X University (of) City" only, X capitalised with a distinctive word ("Sapienza",
    // "Erasmus"): "Graduate School at Shenzhen" or "Washington University in St. Louis" keep
    // their place.
    let Some((&last, before)) = rest.split_last() else {
        return;
    };
    let generic: Vec<u32> = GENERIC.iter().map(|w| h(w)).collect();
    let words = &toks[..before.len()];
    let distinctive = words.iter().any(|t| {
        let w = fold(t.text(s));
        w.chars().count() >= 4 && !generic.contains(&t.hash) && !is_common_word(&w)
    });
    if last == uni
        && !before.is_empty()
        && distinctive
        && words.iter().all(|t| t.has(super::text::CAP))
    {
        out.push(rest.to_vec());
    }
}

/// "Iscte – Instituto Universitário de Lisboa": a one-word brand or acronym and the full
/// name joined by a dash; the full name alone is a name of the record.
fn dash_parts(s: &str, out: &mut Vec<Vec<u32>>) {
    // Most names have no dash: no `-`, and no 0xE2 byte (which starts `–` and `—` in UTF-8),
    // so none of the searches below could match.
    if !s.bytes().any(|b| b == b'-' || b == 0xe2) {
        return;
    }
    for dash in [" – ", " - ", " — "] {
        let mut parts = s.split(dash);
        let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (ta, tb) = (tokenize_str(a), tokenize_str(b));
        let full = match (ta.len(), tb.len()) {
            (1, n) if n >= 3 => tb,
            (n, 1) if n >= 3 => ta,
            _ => continue,
        };
        out.push(full.iter().map(|t| t.hash).collect());
    }
}

fn place_in(toks: &[Token], out: &mut Vec<Vec<u32>>) {
    let hs: Vec<u32> = toks.iter().map(|t| t.hash).collect();
    let (of, in_) = (h("of"), h("in"));
    // "… Technology in Zurich" → "… Technology Zurich", "… of Zurich".
    if let Some(p) = hs.iter().rposition(|&x| x == in_) {
        if p >= 2 && p + 1 < hs.len() && hs.len() - p <= 3 {
            out.push([&hs[..p], &hs[p + 1..]].concat());
            out.push([&hs[..p], &[of], &hs[p + 1..]].concat());
        }
    }
    // "Catholic University of Lublin" → "… in Lublin".
    let uni = h("university");
    if let Some(p) = hs.iter().rposition(|&x| x == of) {
        if p >= 2 && hs[p - 1] == uni && p + 1 < hs.len() && hs.len() - p <= 2 {
            out.push([&hs[..p], &[in_], &hs[p + 1..]].concat());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(s: &str, city: Option<&str>) -> Vec<String> {
        let all = variants(s, city);
        let mut out = Vec::new();
        for v in all {
            out.push(format!("{v:?}"));
        }
        out
    }

    fn hashes(s: &str) -> String {
        format!(
            "{:?}",
            tokenize_str(s).iter().map(|t| t.hash).collect::<Vec<u32>>()
        )
    }

    #[test]
    fn foreign_heads_read_as_university() {
        let v = forms("Università degli Studi di Genova", None);
        assert!(v.contains(&hashes("Università di Genova")));
        assert!(v.contains(&hashes("University of Genova")));
        let v = forms("Ruprecht-Karls-Universität Heidelberg", None);
        assert!(v.contains(&hashes("Universität Heidelberg")));
        assert!(v.contains(&hashes("University of Heidelberg")));
        let v = forms("Universiteit Gent", None);
        assert!(v.contains(&hashes("Gent University")));
        let v = forms("Universitatea Valahia din Târgoviște", None);
        assert!(v.contains(&hashes("University Valahia of Targoviste")));
        // A separate adjective before the head is kept: "Freie Universität Berlin" is not
        // "University of Berlin".
        let v = forms("Freie Universität Berlin", None);
        assert!(!v.contains(&hashes("University of Berlin")));
    }

    #[test]
    fn umlauts_cities_and_in() {
        assert!(forms("University of Würzburg", None).contains(&hashes("University of Wuerzburg")));
        assert!(forms("Sapienza University of Rome", Some("Rome"))
            .contains(&hashes("Sapienza University")));
        assert!(forms("Erasmus University Rotterdam", Some("Rotterdam"))
            .contains(&hashes("Erasmus University")));
        assert!(
            !forms("Washington University in St. Louis", Some("St. Louis"))
                .contains(&hashes("Washington University"))
        );
        assert!(!forms("Graduate School at Shenzhen", Some("Shenzhen"))
            .contains(&hashes("Graduate School")));
        assert!(!forms("University of California, Davis", Some("Davis"))
            .contains(&hashes("University of California")));
        // Nothing distinctive left: no variant.
        assert!(!forms("Technical University of Munich", Some("Munich"))
            .contains(&hashes("Technical University")));
        assert!(
            forms("Swiss Federal Institute of Technology in Zurich", None)
                .contains(&hashes("Swiss Federal Institute of Technology Zurich"))
        );
        assert!(forms("John Paul II Catholic University of Lublin", None)
            .contains(&hashes("John Paul II Catholic University in Lublin")));
        assert!(variants("Amgen (United States)", None).is_empty());
        assert!(forms("Iscte – Instituto Universitário de Lisboa", None)
            .contains(&hashes("Instituto Universitário de Lisboa")));
        assert!(forms("Instituto Universitário de Lisboa — Iscte", None)
            .contains(&hashes("Instituto Universitário de Lisboa")));
        assert!(forms("Iscte - Instituto Universitário de Lisboa", None)
            .contains(&hashes("Instituto Universitário de Lisboa")));
    }
}
