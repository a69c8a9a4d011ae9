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

    /// The start of [`Fuzzy::to_bytes`]: a tag and the format's version.
    const MAGIC: &'static [u8] = b"MGFZ\x01";

    /// The index as bytes, to cache it on disk (read back with [`Fuzzy::from_bytes`]):
    /// the tag, the number of entries (u32, little-endian), then each entry's skeleton key
    /// (u64) and record position (u32).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::MAGIC.len() + 4 + self.by_skeleton.len() * 12);
        out.extend_from_slice(Self::MAGIC);
        out.extend_from_slice(&(self.by_skeleton.len() as u32).to_le_bytes());
        for &(k, i) in &self.by_skeleton {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&i.to_le_bytes());
        }
        out
    }

    /// Reads bytes written by [`Fuzzy::to_bytes`] for a gazetteer of `records` records;
    /// `None` unless they are a complete index of this format whose entries are in order,
    /// without repeats, and name positions below `records`.
    pub fn from_bytes(b: &[u8], records: usize) -> Option<Fuzzy> {
        let rest = b.strip_prefix(Self::MAGIC)?;
        let (n, rest) = rest.split_first_chunk::<4>()?;
        let n = u32::from_le_bytes(*n) as usize;
        if rest.len() != n.checked_mul(12)? {
            return None;
        }
        let mut by_skeleton = Vec::with_capacity(n);
        for e in rest.chunks_exact(12) {
            let (k, i) = e.split_first_chunk::<8>()?;
            let i: [u8; 4] = i.try_into().ok()?;
            let entry = (u64::from_le_bytes(*k), u32::from_le_bytes(i));
            if entry.1 as usize >= records || by_skeleton.last().is_some_and(|l| *l >= entry) {
                return None;
            }
            by_skeleton.push(entry);
        }
        Some(Fuzzy { by_skeleton })
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

    /// The index read back from its bytes is the index built, and answers alike.
    #[test]
    fn bytes_round_trip_and_give_the_same_answers() {
        let records = vec![
            rec("a", "Tabriz University of Medical Sciences"),
            rec("b", "Universiti Kebangsaan Malaysia"),
            rec("c", "Omar Al-Mukhtar University"),
            rec("d", "National Institute of Material Sciences"),
            rec("e", "National Institute of Materials Sciences"),
        ];
        let built = Fuzzy::build(&records, &HashMap::new());
        assert!(built.by_skeleton.len() >= 4);
        let bytes = built.to_bytes();
        let read = Fuzzy::from_bytes(&bytes, records.len()).expect("the bytes read back");
        assert_eq!(read.by_skeleton, built.by_skeleton);
        for phrase in [
            "Tabriz University of Medical Science",
            "University Kebangsan Malaysia",
            "Omer El-Mukhtar University",
            "National Institute for Materiale Sciences",
            "Tabriz University of Dental Sciences",
        ] {
            assert_eq!(
                read.lookup(&records, phrase),
                built.lookup(&records, phrase),
                "{phrase}"
            );
        }
        assert_eq!(
            read.lookup(&records, "Tabriz University of Medical Science"),
            Some(0)
        );
        // An empty index reads back too.
        let empty = Fuzzy::default().to_bytes();
        assert!(Fuzzy::from_bytes(&empty, 0).is_some_and(|f| f.by_skeleton.is_empty()));
    }

    /// Truncated, padded, altered or foreign bytes are refused, never trusted or panicked on.
    #[test]
    fn corrupt_bytes_are_refused() {
        let records = vec![
            rec("a", "Tabriz University of Medical Sciences"),
            rec("b", "Universiti Kebangsaan Malaysia"),
        ];
        let bytes = Fuzzy::build(&records, &HashMap::new()).to_bytes();
        assert!(Fuzzy::from_bytes(&bytes, records.len()).is_some());
        // Every truncation, and a byte too many.
        for end in 0..bytes.len() {
            assert!(
                Fuzzy::from_bytes(&bytes[..end], records.len()).is_none(),
                "{end}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Fuzzy::from_bytes(&longer, records.len()).is_none());
        // A gazetteer with fewer records than the positions named.
        assert!(Fuzzy::from_bytes(&bytes, 1).is_none());
        // A wrong tag; a count that does not fit the bytes (also one that would overflow).
        let mut tag = bytes.clone();
        tag[0] ^= 1;
        assert!(Fuzzy::from_bytes(&tag, records.len()).is_none());
        let at = Fuzzy::MAGIC.len();
        for n in [3u32, u32::MAX] {
            let mut count = bytes.clone();
            count[at..at + 4].copy_from_slice(&n.to_le_bytes());
            assert!(Fuzzy::from_bytes(&count, records.len()).is_none(), "{n}");
        }
        // A position out of range, and entries out of order.
        let mut far = bytes.clone();
        far[at + 4 + 8..at + 4 + 12].copy_from_slice(&7u32.to_le_bytes());
        assert!(Fuzzy::from_bytes(&far, records.len()).is_none());
        let mut swapped = bytes.clone();
        let (first, second) = (at + 4, at + 4 + 12);
        let a = swapped[first..second].to_vec();
        let b = swapped[second..second + 12].to_vec();
        swapped[first..second].copy_from_slice(&b);
        swapped[second..second + 12].copy_from_slice(&a);
        assert!(Fuzzy::from_bytes(&swapped, records.len()).is_none());
        // Arbitrary bytes of every length up to a few entries: no panic.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in 0..64 {
            let mut junk = Fuzzy::MAGIC.to_vec();
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                junk.push(x as u8);
            }
            let _ = Fuzzy::from_bytes(&junk, records.len());
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
