//! Near-miss lookup of long Latin names: "Tabriz University of Medical Science" for
//! "… Sciences", "National Institute for Material Science", "Omer El-Mukhtar University",
//! "University Kebangsan Malaysia" for "Universiti Kebangsaan Malaysia".
//!
//! Only for phrases that already read as an institution name but match no name exactly (the
//! recogniser's unknown candidates), and only against names of at least three content words
//! and fifteen letters. Names are grouped by a skeleton (each content word folded, a plural
//! `s` dropped, vowels dropped, doubled letters collapsed); a phrase with the same skeleton is
//! a near miss when its words differ from the name's by at most two edits in all (no word by
//! more than one unless it has six letters or more). The record is taken only when a single
//! record is nearest. Curated units are left out (their short forms need the parent in
//! the text, which the exact index checks).

use super::index::{name_forms, Fx, NameKind};
use super::text::{fold, fold_word_into, is_cjk};
use super::Institution;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// Words left out of the skeleton and of the comparison.
const STOP: &[&str] = &[
    "of", "the", "for", "and", "de", "di", "at", "in", "du", "des", "la", "le", "da", "do", "del",
    "della", "y", "e", "et", "und", "fur", "a", "an", "on",
];

/// The skeleton index.
#[derive(Debug, Default)]
pub struct Fuzzy {
    /// (skeleton key, record position), sorted: one flat list rather than a list per key,
    /// so building it for 50k records is one sort, not 100k small allocations.
    by_skeleton: Vec<(u64, u32)>,
}

/// The folded content words of a phrase.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

/// Writes the skeleton of a folded word into `out` (cleared first).
fn skeleton_into(w: &str, out: &mut String) {
    out.clear();
    let w = if w.len() > 3 {
        w.strip_suffix('s').unwrap_or(w)
    } else {
        w
    };
    for c in w.chars() {
        if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y') || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    if out.is_empty() {
        out.extend(w.chars().take(1));
    }
}

/// Scratch buffers for [`Keys::of`], reused across the names of a whole gazetteer.
#[derive(Default)]
struct Keys {
    word: String,
    skeleton: String,
}

impl Keys {
    /// The skeleton key of a phrase (its content words, folded), when the phrase is long
    /// enough to be compared: `key(&words(s))` without building the words.
    fn of(&mut self, s: &str) -> Option<u64> {
        let mut h = Fx::default().build_hasher();
        let (mut n, mut letters) = (0, 0);
        for raw in s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            self.word.clear();
            fold_word_into(raw, &mut self.word);
            if STOP.contains(&self.word.as_str()) {
                continue;
            }
            n += 1;
            letters += self.word.chars().count();
            skeleton_into(&self.word, &mut self.skeleton);
            h.write(self.skeleton.as_bytes());
            h.write_u8(0xff);
        }
        (n >= 3 && letters >= 15).then(|| h.finish())
    }
}

/// The skeleton key of a phrase's words, when the phrase is long enough to be compared.
fn key(words: &[String]) -> Option<u64> {
    let letters: usize = words.iter().map(|w| w.chars().count()).sum();
    if words.len() < 3 || letters < 15 {
        return None;
    }
    let mut h = Fx::default().build_hasher();
    let mut skeleton = String::new();
    for w in words {
        skeleton_into(w, &mut skeleton);
        h.write(skeleton.as_bytes());
        h.write_u8(0xff);
    }
    Some(h.finish())
}

/// Edit distance of two short words (characters), stopping early above `max`.
fn distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// How far a phrase's words are from a name's (`None`: not a near miss).
fn near(phrase: &[String], name: &[String]) -> Option<usize> {
    if phrase.len() != name.len() {
        return None;
    }
    let mut total = 0;
    for (p, n) in phrase.iter().zip(name) {
        let d = distance(p, n, 2);
        let long = p.chars().count() >= 6 && n.chars().count() >= 6;
        if d > 2 || (d == 2 && !long) {
            return None;
        }
        total += d;
    }
    (total <= 2).then_some(total)
}

impl Fuzzy {
    /// Builds the skeleton index of `records` (replaced records are left out: their names
    /// are names of their successors).
    pub fn build(records: &[Institution], by_key: &HashMap<String, usize>) -> Fuzzy {
        let mut f = Fuzzy::default();
        let mut keys = Keys::default();
        for (i, r) in records.iter().enumerate() {
            // A curated unit's names may be short forms that need the parent in the text
            // ("Medical Research Council" of UKRI): the exact index decides those.
            let curated_unit = r.origin != super::Origin::Ror && r.parent.is_some();
            if curated_unit || r.successor.as_ref().is_some_and(|k| by_key.contains_key(k)) {
                continue;
            }
            for (s, kind) in name_forms(r) {
                if kind != NameKind::Name || s.chars().any(is_cjk) {
                    continue;
                }
                if let Some(k) = keys.of(s) {
                    f.by_skeleton.push((k, i as u32));
                }
            }
        }
        f.by_skeleton.sort_unstable();
        f.by_skeleton.dedup();
        f
    }

    /// The record a phrase nearly names (its position), when one record is nearest.
    pub fn lookup(&self, records: &[Institution], phrase: &str) -> Option<usize> {
        let pw = words(phrase);
        let k = key(&pw)?;
        let from = self.by_skeleton.partition_point(|e| e.0 < k);
        let cands = self.by_skeleton.get(from..).unwrap_or(&[]);
        let mut best: Option<(usize, usize)> = None; // (distance, record)
        let mut tie = false;
        for &(_, i) in cands.iter().take_while(|e| e.0 == k) {
            let Some(r) = records.get(i as usize) else {
                continue;
            };
            let d = name_forms(r)
                .filter(|(_, k)| *k == NameKind::Name)
                .filter_map(|(s, _)| near(&pw, &words(s)))
                .min();
            let Some(d) = d else { continue };
            match best {
                Some((bd, _)) if d > bd => {}
                Some((bd, _)) if d == bd => tie = true,
                _ => {
                    best = Some((d, i as usize));
                    tie = false;
                }
            }
        }
        best.filter(|_| !tie).map(|(_, i)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(key: &str, name: &str) -> Institution {
        Institution {
            key: key.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn near_misses_of_long_names_only() {
        let records = vec![
            rec("a", "Tabriz University of Medical Sciences"),
            rec("b", "Universiti Kebangsaan Malaysia"),
            rec("c", "Omar Al-Mukhtar University"),
            rec("d", "Confucius Institute"),
        ];
        let f = Fuzzy::build(&records, &HashMap::new());
        assert_eq!(
            f.lookup(&records, "Tabriz University of Medical Science"),
            Some(0)
        );
        assert_eq!(f.lookup(&records, "University Kebangsan Malaysia"), Some(1));
        assert_eq!(f.lookup(&records, "Omer El-Mukhtar University"), Some(2));
        // Too short to compare, or too far.
        assert_eq!(f.lookup(&records, "Confucius Institutes"), None);
        assert_eq!(
            f.lookup(&records, "Tabriz University of Dental Sciences"),
            None
        );
        assert_eq!(
            f.lookup(&records, "Tebrez Univarsity of Medecal Sciences"),
            None
        );
    }

    /// The key computed in place is the key of the phrase's words.
    #[test]
    fn keys_in_place_equal_keys_of_words() {
        let mut keys = Keys::default();
        for s in [
            "Tabriz University of Medical Sciences",
            "Universität für Bodenkultur Wien",
            "Université Paris-Saclay et des Sciences",
            "Institut de Ciències del Mar",
            "A B C",
            "Ludwig-Maximilians-Universität München",
            "ÉCOLE NORMALE SUPÉRIEURE DE LYON",
            "",
        ] {
            assert_eq!(keys.of(s), key(&words(s)), "{s}");
        }
    }

    #[test]
    fn two_equally_near_records_give_nothing() {
        let records = vec![
            rec("a", "National Institute of Material Sciences"),
            rec("b", "National Institute of Materials Sciences"),
        ];
        let f = Fuzzy::build(&records, &HashMap::new());
        assert_eq!(
            f.lookup(&records, "National Institute for Materiale Sciences"),
            None
        );
    }
}
