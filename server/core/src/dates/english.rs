//! The English recogniser. Every expression has a head token found by the scanner (a
//! number, a month or weekday name, a unit such as `years`, a season, a part of the day, a
//! deictic word); the grammar reads forwards from the head for the rest and backwards for
//! modifiers (`the`, `early`, `last`, `three`, `the end of`). Only a handful of tokens around
//! each head are ever looked at.

use std::cell::Cell;

use super::lex::{self, Kind, Lower, Tok};
use super::normalise::{Expr, Holiday, Part, Unit, Yr};

/// A recognised expression: byte span and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Raw {
    pub start: usize,
    pub end: usize,
    pub expr: Expr,
}

/// Every word that can be the head of an English expression (lowercase): what
/// [`word_head`] accepts. The scanner tries the grammar only at words in this list (and at
/// numbers).
pub(crate) const HEAD_WORDS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "day",
    "days",
    "week",
    "weeks",
    "weekend",
    "weekends",
    "month",
    "months",
    "year",
    "years",
    "decade",
    "decades",
    "century",
    "centuries",
    "quarter",
    "quarters",
    "half",
    "hour",
    "hours",
    "minute",
    "minutes",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "morning",
    "afternoon",
    "evening",
    "night",
    "twenties",
    "thirties",
    "forties",
    "fifties",
    "sixties",
    "seventies",
    "eighties",
    "nineties",
    "today",
    "yesterday",
    "tomorrow",
    "tonight",
    "now",
    "currently",
    "nowadays",
    "recently",
    "present",
    "future",
    "past",
    "annually",
    "yearly",
    "daily",
    "weekly",
    "monthly",
    "q",
    "christmas",
    "easter",
    "thanksgiving",
    "halloween",
];

/// The longest head word.
const HEAD_MAX: usize = 12;
/// The head-word hash table has `1 << HEAD_BITS` slots, several times the number of words.
const HEAD_BITS: u32 = 9;
const HEAD_SLOTS: usize = 1 << HEAD_BITS;

const fn head_slot(k: u64) -> usize {
    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - HEAD_BITS)) as usize
}

/// The head words' keys (see [`letters_at`]) in an open-addressing table; 0 is an empty slot.
const HEAD_TABLE: [u64; HEAD_SLOTS] = {
    let mut t = [0u64; HEAD_SLOTS];
    let mut i = 0;
    while i < HEAD_WORDS.len() {
        let w = HEAD_WORDS[i].as_bytes();
        let mut k = 0u64;
        let mut j = 0;
        while j < w.len() {
            k |= ((w[j] & 0x1f) as u64) << (5 * j);
            j += 1;
        }
        let mut slot = head_slot(k);
        while t[slot] != 0 && t[slot] != k {
            slot = (slot + 1) & (HEAD_SLOTS - 1);
        }
        t[slot] = k;
        i += 1;
    }
    t
};

/// The run of ASCII letters starting at `start`: its length, and its first [`HEAD_MAX`]
/// letters case folded and packed 5 bits a letter (letters fold to 1..=26, so different words
/// get different keys).
pub(crate) fn letters_at(b: &[u8], start: usize) -> (usize, u64) {
    let word = b.get(start..).unwrap_or(&[]);
    let mut k = 0u64;
    let mut n = 0;
    for &c in word {
        if !c.is_ascii_alphabetic() {
            break;
        }
        if n < HEAD_MAX {
            k |= u64::from(c & 0x1f) << (5 * n);
        }
        n += 1;
    }
    (n, k)
}

/// The first three letters of the head words (each `c & 0x1f`; 0 after the end of a shorter
/// word): bit `c3` of entry `c1 * 32 + c2`. Most words are ruled out by their first three
/// letters (`the`, `and`, `from`), before the word is read in full.
const HEAD_PREFIXES: [u32; 1024] = {
    let mut t = [0u32; 1024];
    let mut i = 0;
    while i < HEAD_WORDS.len() {
        let w = HEAD_WORDS[i].as_bytes();
        let c2 = if w.len() > 1 { w[1] & 0x1f } else { 0 };
        let c3 = if w.len() > 2 { w[2] & 0x1f } else { 0 };
        t[(w[0] & 0x1f) as usize * 32 + c2 as usize] |= 1 << c3;
        i += 1;
    }
    t
};

/// Whether the run of letters at `start` can be a head word, from its first three letters.
pub(crate) fn may_be_head_word(b: &[u8], start: usize) -> bool {
    let letter = |i: usize| match b.get(i) {
        Some(&c) if c.is_ascii_alphabetic() => usize::from(c & 0x1f),
        _ => 0,
    };
    let c1 = letter(start);
    let c2 = if c1 == 0 { 0 } else { letter(start + 1) };
    let c3 = if c2 == 0 { 0 } else { letter(start + 2) };
    c1 != 0
        && HEAD_PREFIXES
            .get(c1 * 32 + c2)
            .is_some_and(|bits| bits & (1 << c3) != 0)
}

/// Each byte's letter code: `c & 0x1f` for ASCII letters (1..=26), 0 for anything else.
const LETTER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphabetic() {
            t[c] = b & 0x1f;
        }
        c += 1;
    }
    t
};

/// [`HEAD_PREFIXES`] with the entries of one-letter words (second letter 0) widened to every
/// third letter: after a word's end, [`may_be_head_prefix`] reads whatever follows.
const HEAD_PREFIXES_ANY: [u32; 1024] = {
    let mut t = HEAD_PREFIXES;
    let mut c1 = 0;
    while c1 < 32 {
        if t[c1 * 32] & 1 != 0 {
            t[c1 * 32] = u32::MAX;
        }
        c1 += 1;
    }
    t
};

/// What [`may_be_head_word`] says for the word whose first eight bytes are `x` (little endian:
/// the first byte, a letter, in the low byte), without finding where the word ends: its second
/// and third bytes are looked up as they are.
#[inline]
pub(crate) fn may_be_head_prefix(x: u64) -> bool {
    let letter = |i: u32| usize::from(LETTER[((x >> (8 * i)) & 0xff) as usize]);
    let (c1, c2) = ((x & 0x1f) as usize, letter(1));
    // After a one-letter word (`c2` 0) the third byte is not part of it: its entry takes any.
    HEAD_PREFIXES_ANY
        .get(c1 * 32 + c2)
        .is_some_and(|bits| bits & (1 << letter(2)) != 0)
}

/// The hashes that the tokens of the head words carry ([`crate::gazetteer::text::Token`]),
/// as a filter of 4,096 bits: a plain token (only ASCII letters) whose hash is not in it is
/// surely no head word. About one other word in forty passes, and is read in full as before.
pub(crate) struct HeadHashes([u64; 64]);

impl HeadHashes {
    /// Built once, from the head words as the tokenizer cuts them, so that the hashes are
    /// the tokenizer's by construction.
    pub(crate) fn get() -> &'static HeadHashes {
        static HASHES: std::sync::OnceLock<HeadHashes> = std::sync::OnceLock::new();
        HASHES.get_or_init(|| {
            let mut bits = [0u64; 64];
            for w in HEAD_WORDS {
                for t in crate::gazetteer::text::tokenize_str(w) {
                    let i = (t.hash & 4095) as usize;
                    if let Some(b) = bits.get_mut(i >> 6) {
                        *b |= 1 << (i & 63);
                    }
                }
            }
            HeadHashes(bits)
        })
    }

    #[inline]
    pub(crate) fn may_contain(&self, hash: u32) -> bool {
        let i = (hash & 4095) as usize;
        self.0.get(i >> 6).is_some_and(|b| (b >> (i & 63)) & 1 != 0)
    }
}

/// Whether the run of letters [`letters_at`] gave is a head word (key 0: none).
pub(crate) fn is_head_key(len: usize, key: u64) -> bool {
    if len == 0 || len > HEAD_MAX || key == 0 {
        return false;
    }
    let mut slot = head_slot(key);
    loop {
        match HEAD_TABLE.get(slot) {
            Some(&x) if x == key => return true,
            Some(&x) if x != 0 => slot = (slot + 1) & (HEAD_SLOTS - 1),
            _ => return false,
        }
    }
}

/// Whether the ASCII word (run of letters) starting at `start` is a head word, ignoring case.
#[cfg(test)]
pub(crate) fn is_head_word(b: &[u8], start: usize) -> bool {
    let (len, key) = letters_at(b, start);
    is_head_key(len, key)
}

fn month_of(w: &str) -> Option<(u32, bool)> {
    Some(match w {
        "january" => (1, false),
        "february" => (2, false),
        "march" => (3, false),
        "april" => (4, false),
        "may" => (5, false),
        "june" => (6, false),
        "july" => (7, false),
        "august" => (8, false),
        "september" => (9, false),
        "october" => (10, false),
        "november" => (11, false),
        "december" => (12, false),
        "jan" => (1, true),
        "feb" => (2, true),
        "mar" => (3, true),
        "apr" => (4, true),
        "jun" => (6, true),
        "jul" => (7, true),
        "aug" => (8, true),
        "sep" | "sept" => (9, true),
        "oct" => (10, true),
        "nov" => (11, true),
        "dec" => (12, true),
        _ => return None,
    })
}

fn weekday_of(w: &str) -> Option<u32> {
    Some(match w {
        "monday" => 1,
        "tuesday" => 2,
        "wednesday" => 3,
        "thursday" => 4,
        "friday" => 5,
        "saturday" => 6,
        "sunday" => 7,
        _ => return None,
    })
}

fn unit_of(w: &str) -> Option<(Unit, bool)> {
    Some(match w {
        "day" => (Unit::Day, false),
        "days" => (Unit::Day, true),
        "week" => (Unit::Week, false),
        "weeks" => (Unit::Week, true),
        "weekend" => (Unit::Weekend, false),
        "weekends" => (Unit::Weekend, true),
        "month" => (Unit::Month, false),
        "months" => (Unit::Month, true),
        "year" => (Unit::Year, false),
        "years" => (Unit::Year, true),
        "decade" => (Unit::Decade, false),
        "decades" => (Unit::Decade, true),
        "century" => (Unit::Century, false),
        "centuries" => (Unit::Century, true),
        "quarter" => (Unit::Quarter, false),
        "quarters" => (Unit::Quarter, true),
        "half" => (Unit::Half, false),
        "hour" => (Unit::Hour, false),
        "hours" => (Unit::Hour, true),
        "minute" => (Unit::Minute, false),
        "minutes" => (Unit::Minute, true),
        _ => return None,
    })
}

fn numword(w: &str) -> Option<u32> {
    Some(match w {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        "hundred" => 100,
        _ => return None,
    })
}

fn ordword(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        _ => return None,
    })
}

fn season_of(w: &str) -> Option<u32> {
    Some(match w {
        "spring" => 0,
        "summer" => 1,
        "autumn" | "fall" => 2,
        "winter" => 3,
        _ => return None,
    })
}

fn part_of(w: &str) -> Option<Part> {
    Some(match w {
        "morning" => Part::Morning,
        "afternoon" => Part::Afternoon,
        "evening" => Part::Evening,
        "night" => Part::Night,
        _ => return None,
    })
}

fn decade_word(w: &str) -> Option<i32> {
    Some(match w {
        "twenties" => 2,
        "thirties" => 3,
        "forties" => 4,
        "fifties" => 5,
        "sixties" => 6,
        "seventies" => 7,
        "eighties" => 8,
        "nineties" => 9,
        _ => return None,
    })
}

/// Words after which a bare number is a year.
const YEAR_CONTEXT: &[&str] = &[
    "in",
    "since",
    "by",
    "until",
    "till",
    "from",
    "to",
    "during",
    "before",
    "after",
    "between",
    "and",
    "of",
    "circa",
    "around",
    "early",
    "late",
    "mid",
    "year",
    "through",
    "throughout",
    "end",
    "beginning",
    "start",
    "middle",
    "as",
    "or",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "copyright",
    "fiscal",
    "for",
    "on",
    "than",
    "about",
    "c",
    "ca",
    "about",
    "towards",
    "toward",
    "into",
    "versus",
    "vs",
    "the",
];

/// Words after which a bare month name is a month.
const MONTH_CONTEXT: &[&str] = &[
    "in",
    "since",
    "by",
    "until",
    "till",
    "from",
    "to",
    "during",
    "before",
    "after",
    "between",
    "of",
    "early",
    "late",
    "mid",
    "through",
    "throughout",
    "end",
    "beginning",
    "start",
    "middle",
    "last",
    "next",
    "this",
    "that",
    "each",
    "every",
    "and",
    "or",
    "on",
    "until",
    "around",
    "about",
];

struct P<'a> {
    t: &'a str,
    /// Backward extension never crosses this offset (the end of the previous mention).
    floor: usize,
    /// The last tokens read forwards and backwards: the grammar asks for the same neighbours
    /// of a head several times while it tries the forms of an expression.
    after: Memo,
    before: Memo,
}

/// The tokens lexed at the last two positions asked for (what [`P::next`] or [`P::prev`] said
/// there). A position is never `usize::MAX`, the mark of an empty slot.
struct Memo {
    at: [Cell<usize>; 2],
    tok: [Cell<Option<Tok>>; 2],
}

impl Memo {
    fn new() -> Memo {
        Memo {
            at: [Cell::new(usize::MAX), Cell::new(usize::MAX)],
            tok: [Cell::new(None), Cell::new(None)],
        }
    }
    /// The token at `pos`: remembered, or read by `lex` and remembered.
    #[inline]
    fn get(&self, pos: usize, lex: impl FnOnce() -> Option<Tok>) -> Option<Tok> {
        let [a0, a1] = &self.at;
        let [t0, t1] = &self.tok;
        if a0.get() == pos {
            return t0.get();
        }
        if a1.get() == pos {
            return t1.get();
        }
        let t = lex();
        a1.set(a0.get());
        t1.set(t0.get());
        a0.set(pos);
        t0.set(t);
        t
    }
}

impl<'a> P<'a> {
    fn new(t: &'a str, floor: usize) -> P<'a> {
        P {
            t,
            floor,
            after: Memo::new(),
            before: Memo::new(),
        }
    }
    fn next(&self, pos: usize) -> Option<Tok> {
        self.after
            .get(pos, || lex::next(self.t, pos).filter(|t| !t.newline))
    }
    fn prev(&self, pos: usize) -> Option<Tok> {
        self.before.get(pos, || {
            lex::prev(self.t, pos).filter(|t| t.start >= self.floor && !t.newline)
        })
    }
    fn lw<'b>(&self, t: &Tok, buf: &'b mut [u8; 16]) -> &'b str
    where
        'a: 'b,
    {
        t.lower(self.t, buf)
    }
    fn is(&self, t: Option<Tok>, w: &str) -> bool {
        t.is_some_and(|t| t.is_word(self.t, w))
    }
    /// The previous word, lowercased, if the previous token is a word.
    fn prev_word(&self, pos: usize) -> Option<(Tok, Lower)> {
        let t = self.prev(pos)?;
        (t.kind == Kind::Word).then(|| (t, Lower::of(t.slice(self.t))))
    }
    /// The character just before `pos` (no whitespace skipped).
    fn adjacent_before(&self, pos: usize) -> Option<char> {
        self.t.get(..pos)?.chars().next_back()
    }
    fn adjacent_after(&self, pos: usize) -> Option<char> {
        self.t.get(pos..)?.chars().next()
    }
}

fn is_year(t: &Tok) -> bool {
    t.kind == Kind::Num
        && t.digits == 4
        && !t.ordinal
        && !t.grouped
        && (1000..=2199).contains(&t.val)
}

fn day_num(t: &Tok) -> Option<u32> {
    (t.kind == Kind::Num && t.digits <= 2 && !t.grouped && (1..=31).contains(&t.val))
        .then_some(t.val as u32)
}

/// Recognises the expression whose head starts at `head` (a trigger), extending no further
/// back than `floor`.
pub(crate) fn parse(text: &str, head: usize, floor: usize) -> Option<Raw> {
    let p = P::new(text, floor);
    let t = p.next(head).or_else(|| lex::next(text, head))?;
    if t.start != head {
        return None;
    }
    // Heads inside a word or a code (`COP15`, `bm48000002`, `Summerfield`).
    if p.adjacent_before(head)
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let raw = match t.kind {
        Kind::Num => number_head(&p, t)?,
        Kind::Word => word_head(&p, t)?,
        _ => return None,
    };
    let raw = extend(&p, raw);
    (raw.start >= floor && raw.end > raw.start && raw.end <= text.len()).then_some(raw)
}

/// Whether the expression starting at `start` begins with a count (`three`, `a`, `25`,
/// `a few`, `several`): the form that takes approximators such as `about` or `more than`.
fn starts_with_count(p: &P, start: usize) -> bool {
    let Some(t) = p.next(start) else {
        return false;
    };
    if t.kind == Kind::Num {
        return true;
    }
    let mut b = [0u8; 16];
    let w = p.lw(&t, &mut b);
    numword(w).is_some() || matches!(w, "several" | "many" | "some" | "few")
}

/// Words before a count that TimeML keeps in the expression (with `mod`): `about three
/// years`, `more than a month`, `nearly four weeks`, `another seven months`.
fn approximator_back(p: &P, start: usize, dates_only: bool) -> usize {
    let Some((w, l)) = p.prev_word(start) else {
        // `ca. 466 BC`, `c. 1450`
        if let Some(dot) = p.prev(start).filter(|d| d.is_punct('.') && !d.space) {
            if let Some((c, _)) = p
                .prev_word(dot.start)
                .filter(|(_, l)| matches!(l.as_str(), "ca" | "c" | "circa"))
            {
                return c.start;
            }
        }
        return start;
    };
    match l.as_str() {
        "about" | "around" | "approximately" | "roughly" | "circa" | "ca" => w.start,
        _ if dates_only => start,
        "nearly" | "almost" | "some" | "over" | "under" | "just" | "only" | "another"
        | "barely" | "fully" | "mere" => {
            // `a mere two years`, `well over a year`
            match p.prev_word(w.start) {
                Some((a, la)) if (l == "mere" && la == "a") || (l == "over" && la == "well") => {
                    a.start
                }
                _ => w.start,
            }
        }
        "than" | "least" | "most" | "to" => {
            // more than / less than / fewer than / at least / at most / up to / close to, and
            // `a little more than`
            let Some((x, lx)) = p.prev_word(w.start) else {
                return start;
            };
            let ok = matches!(
                (l.as_str(), lx.as_str()),
                ("than", "more" | "less" | "fewer")
                    | ("least" | "most", "at")
                    | ("to", "up" | "close")
            );
            if !ok {
                return start;
            }
            match (
                p.prev_word(x.start),
                p.prev_word(x.start).and_then(|(y, _)| p.prev_word(y.start)),
            ) {
                (Some((_, ly)), Some((a, la))) if ly == "little" && la == "a" => a.start,
                _ => x.start,
            }
        }
        _ => start,
    }
}

/// Completes an expression with the words TimeML keeps around it: approximators (`about
/// 1910`, `nearly four weeks`), `early in 1914`, `later that month`, `that same day`, `the
/// year 1950`, `July of that year`, `18 years old`, `a month-long`, `a sixty-day period`.
fn extend(p: &P, mut r: Raw) -> Raw {
    let text = p.t;
    let mut b = [0u8; 16];
    match &r.expr {
        Expr::Duration { unit, .. } => {
            let unit = *unit;
            // Suffixes: `18 years old`, `26 years of age`, `year-long`, `3 year long`,
            // `Forty-year-old`, `a sixty-day period`.
            if let Some(n) = p.next(r.end) {
                let glued = n.is_punct('-') && !n.space;
                let after = if glued {
                    p.next(n.end).filter(|x| !x.space)
                } else {
                    Some(n)
                };
                if let Some(a) = after {
                    let w = Lower::of(p.lw(&a, &mut b));
                    match w.as_str() {
                        "old" | "long" if unit == Unit::Year || w == "long" => {
                            r.end = a.end;
                            // `a month-long siege`: the article belongs to the noun.
                            let article = p
                                .next(r.start)
                                .is_some_and(|f| f.is_word(text, "a") || f.is_word(text, "an"));
                            if glued && article {
                                if let Some(u) = p.prev(n.start) {
                                    r.start = u.start;
                                }
                            }
                        }
                        "period" if !glued => {
                            r.end = a.end;
                            if let Some((d, ld)) = p.prev_word(r.start) {
                                if ld == "a" || ld == "the" {
                                    r.start = d.start;
                                } else if ld == "same" {
                                    r.start = p
                                        .prev_word(d.start)
                                        .filter(|(_, l)| l == "the")
                                        .map_or(d.start, |(t, _)| t.start);
                                }
                            }
                        }
                        "of" if !glued && unit == Unit::Year => {
                            if let Some(age) = p.next(a.end).filter(|x| x.is_word(text, "age")) {
                                r.end = age.end;
                            }
                        }
                        _ => {}
                    }
                }
            }
            if starts_with_count(p, r.start) {
                r.start = approximator_back(p, r.start, false);
            }
        }
        Expr::Rel { ana, n, .. } => {
            let (ana, n) = (*ana, *n);
            if starts_with_count(p, r.start) {
                // `over a year earlier`, `just 14 years later`, `almost two decades earlier`
                r.start = approximator_back(p, r.start, false);
            } else if ana {
                // `that same day`
                if n == 0 && p.next(r.start).is_some_and(|t| t.is_word(text, "same")) {
                    if let Some((t, _)) = p.prev_word(r.start).filter(|(_, l)| l == "that") {
                        r.start = t.start;
                    }
                }
                // `later that month`, `earlier that year`, `early the next year`
                if let Some((w, _)) = p
                    .prev_word(r.start)
                    .filter(|(_, l)| matches!(l.as_str(), "later" | "earlier" | "early" | "late"))
                {
                    r.start = w.start;
                }
            }
        }
        Expr::Year(_) | Expr::Month { .. } | Expr::Season { .. } | Expr::BcYear(_) => {
            // `the year 1950`, `the years 1955`
            if matches!(r.expr, Expr::Year(_)) {
                if let Some((y, _)) = p
                    .prev_word(r.start)
                    .filter(|(_, l)| l == "year" || l == "years")
                {
                    if let Some((t, _)) = p.prev_word(y.start).filter(|(_, l)| l == "the") {
                        r.start = t.start;
                    }
                }
            }
            // `early in 1914`, `Late in 1957`, `Later in the summer`
            if let Some((i, _)) = p.prev_word(r.start).filter(|(_, l)| l == "in") {
                if let Some((w, _)) = p
                    .prev_word(i.start)
                    .filter(|(_, l)| matches!(l.as_str(), "early" | "late" | "later" | "earlier"))
                {
                    r.start = w.start;
                }
            }
            r.start = approximator_back(p, r.start, true);
        }
        Expr::Day { .. } | Expr::Decade(_) | Expr::Century(_) => {
            r.start = approximator_back(p, r.start, true);
        }
        Expr::Ref("PRESENT_REF") => {
            if let Some((w, _)) = p.prev_word(r.start).filter(|(_, l)| l == "right") {
                r.start = w.start;
            }
        }
        Expr::Ref(_) if starts_with_count(p, r.start) => {
            // `only a few days earlier`
            r.start = approximator_back(p, r.start, false);
        }
        _ => {}
    }
    r
}

fn number_head(p: &P, t: Tok) -> Option<Raw> {
    let text = p.t;
    // Codes and amounts: `COVID-19`, `No.5`, `$2019`, `#12`.
    if let Some(c) = p.adjacent_before(t.start) {
        if matches!(
            c,
            '$' | '€' | '£' | '¥' | '#' | '+' | '@' | '.' | ':' | '/' | '\\'
        ) {
            return None;
        }
        if c == '-' {
            let before = p.adjacent_before(t.start - 1);
            let mid = lex::prev(text, t.start - 1).is_some_and(|w| w.is_word(text, "mid"));
            if before.is_some_and(|c| c.is_ascii_alphabetic()) && !mid {
                return None;
            }
        }
    }
    let after = p.adjacent_after(t.end);
    if matches!(after, Some('%' | '_')) {
        return None;
    }
    if let Some(r) = numeric_date(p, t) {
        return Some(r);
    }
    if t.grouped || t.digits > 4 {
        return None;
    }
    // `1915–17`: the second year of a range, written with two digits.
    if t.digits == 2 && !t.ordinal {
        if let Some(dash) = p
            .adjacent_before(t.start)
            .filter(|c| matches!(c, '-' | '–'))
        {
            let at = t.start - dash.len_utf8();
            let y1 = lex::prev(text, at).filter(|y| is_year(y) && y.end == at);
            let code_after = match p.adjacent_after(t.end) {
                Some(c) if c.is_ascii_alphanumeric() || c == '%' => true,
                Some('-' | '/' | '.') => text
                    .get(t.end + 1..)
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())),
                _ => false,
            };
            if let (Some(y1), false) = (y1, code_after) {
                let y2 = (y1.val / 100 * 100 + t.val) as i32;
                if y2 > y1.val as i32 {
                    return Some(Raw {
                        start: t.start,
                        end: t.end,
                        expr: Expr::Year(Yr::Abs(y2)),
                    });
                }
            }
        }
    }
    let n1 = p.next(t.end);
    let mut b = [0u8; 16];
    // 1990s
    if t.digits == 4
        && !t.ordinal
        && t.val % 10 == 0
        && n1.is_some_and(|n| !n.space && n.is_word(text, "s"))
    {
        let n = n1?;
        let start = modifiers_back(p, t.start, true);
        return Some(Raw {
            start,
            end: n.end,
            expr: Expr::Decade((t.val / 10) as i32),
        });
    }
    // Letters glued to the number (`15km`, `3D`) other than ordinals and `3pm`.
    if after.is_some_and(|c| c.is_ascii_alphabetic()) && !t.ordinal {
        let glued = text.get(t.end..).unwrap_or("");
        let meridian = glued
            .get(..2)
            .is_some_and(|m| m.eq_ignore_ascii_case("am") || m.eq_ignore_ascii_case("pm"))
            && !glued
                .as_bytes()
                .get(2)
                .is_some_and(|c| c.is_ascii_alphanumeric());
        return if meridian { clock(p, t) } else { None };
    }
    // 241 BC / 1066 AD
    if let Some(n) = n1 {
        let w = Lower::of(p.lw(&n, &mut b));
        if (w == "bc" || w == "bce") && !t.ordinal && t.val > 0 && t.val < 10000 {
            return Some(Raw {
                start: t.start,
                end: n.end,
                expr: Expr::BcYear(t.val as u32),
            });
        }
        if w == "b" && p.next(n.end).is_some_and(|d| d.is_punct('.')) {
            let c = p.next(n.end).and_then(|d| p.next(d.end));
            if c.is_some_and(|c| c.is_word(text, "c")) {
                let c = c?;
                let end = p
                    .next(c.end)
                    .filter(|d| d.is_punct('.') && !d.space)
                    .map_or(c.end, |d| d.end);
                return Some(Raw {
                    start: t.start,
                    end,
                    expr: Expr::BcYear(t.val as u32),
                });
            }
        }
    }
    // Day-led dates: 15 October 2019, 15th of October, the 27th June.
    if let Some(d) = day_num(&t) {
        let mut m_tok = n1;
        // Ranges, as two dates: `6–7 January 1916` (`6` takes the month and year of the
        // second), `March 5–9, 1918` (`9, 1918` takes the month of the first).
        if let Some((sep, _)) = range_sep(p, t.end) {
            if let Some(d2) = p.next(sep.end).filter(|x| day_num(x).is_some()) {
                let mut mt = p.next(d2.end);
                if p.is(mt, "of") {
                    mt = mt.and_then(|o| p.next(o.end));
                }
                let mut bm = [0u8; 16];
                let month = mt.and_then(|mt| {
                    let w = p.lw(&mt, &mut bm);
                    let (m, abbrev) = month_of(w)?;
                    let ok = (!abbrev && w != "may" && w != "march") || mt.capitalised(text);
                    ok.then_some((m, mt))
                });
                if let Some((m, mt)) = month {
                    let mut mend = mt.end;
                    if let Some(dot) = p.next(mend).filter(|d| d.is_punct('.') && !d.space) {
                        mend = dot.end;
                    }
                    let (y, _) = year_after(p, mend);
                    let s0 = modifiers_back(p, t.start, true);
                    return Some(Raw {
                        start: weekday_back(p, s0),
                        end: t.end,
                        expr: Expr::Day { y, m, d },
                    });
                }
            }
        }
        if !t.ordinal {
            if let Some(r) = range_second(p, t, d) {
                return Some(r);
            }
        }
        if p.is(m_tok, "of") {
            m_tok = m_tok.and_then(|o| p.next(o.end));
        }
        if let Some(mt) = m_tok {
            let w = Lower::of(p.lw(&mt, &mut b));
            if let Some((m, abbrev)) = month_of(&w) {
                if (!abbrev && w != "may" && w != "march") || mt.capitalised(text) {
                    let mut end = mt.end;
                    if abbrev {
                        if let Some(dot) = p.next(end).filter(|d| d.is_punct('.') && !d.space) {
                            end = dot.end;
                        }
                    }
                    let (y, yend) = year_after(p, end);
                    let start = modifiers_back(p, t.start, true);
                    let start = weekday_back(p, start);
                    return Some(Raw {
                        start,
                        end: yend.unwrap_or(end),
                        expr: Expr::Day { y, m, d },
                    });
                }
            }
        }
    }
    // Ordinals: the 20th century, the 14th Five-Year Plan, the 2nd quarter.
    if t.ordinal {
        let n = n1?;
        let w = Lower::of(p.lw(&n, &mut b));
        let val = t.val as u32;
        if w == "century" && (1..=30).contains(&val) {
            let start = modifiers_back(p, t.start, true);
            // `the 4th century BC` → `BC03` (kept as `Century(-4)`).
            let bc = p.next(n.end).filter(|e| {
                let w = Lower::of(p.lw(e, &mut b));
                w == "bc" || w == "bce"
            });
            return Some(Raw {
                start,
                end: bc.map_or(n.end, |e| e.end),
                expr: Expr::Century(if bc.is_some() {
                    -(val as i32)
                } else {
                    val as i32 - 1
                }),
            });
        }
        if w == "quarter" || w == "half" {
            return quarter_or_half(p, t.start, n, val, &w);
        }
        if w == "five" {
            return plan(p, t.start, n, val);
        }
        return None;
    }
    // Clock times: 10 a.m., 3:30 pm, 14:00.
    if let Some(r) = clock(p, t) {
        return Some(r);
    }
    // Durations and relative offsets: 46 years, two-day, 3 days ago.
    {
        let mut u = n1;
        if u.is_some_and(|x| x.is_punct('-') && !x.space) {
            u = u.and_then(|x| p.next(x.end)).filter(|x| !x.space);
        }
        if let Some(ut) = u {
            let w = Lower::of(p.lw(&ut, &mut b));
            if let Some((unit, _)) = unit_of(&w) {
                if t.val < 10000 && !(t.digits == 4 && unit == Unit::Year && t.val >= 1000) {
                    return Some(counted(p, t.start, ut.end, Some(t.val as u32), unit));
                }
            }
        }
    }
    // Bare years in date context.
    if is_year(&t) {
        let y = t.val as i32;
        let (start, ctx) = year_context(p, t);
        // 1939–45 and 1939-1945 ranges count as context for the first year.
        let range = matches!(after, Some('-' | '–' | '—'))
            && p.next(t.end)
                .and_then(|d| p.next(d.end))
                .is_some_and(|n| n.kind == Kind::Num && !n.space);
        let next_punct = match n1 {
            None => true,
            Some(n) => {
                n.newline
                    || (n.kind == Kind::Punct
                        && matches!(n.ch, ',' | '.' | ')' | ';' | ':' | '?' | '!' | ']'))
            }
        };
        if ctx || range || next_punct {
            let mut end = t.end;
            if let Some(n) = n1.filter(|n| n.is_word(text, "ad") || n.is_word(text, "ce")) {
                end = n.end;
            }
            return Some(Raw {
                start,
                end,
                expr: Expr::Year(Yr::Abs(y)),
            });
        }
    }
    None
}

/// ISO (`2024-06-27`, `2024/6/27`, `2024.06.27`) and numeric day-month-year dates.
fn numeric_date(p: &P, t: Tok) -> Option<Raw> {
    if t.ordinal || t.grouped {
        return None;
    }
    let s1 = p
        .next(t.end)
        .filter(|s| !s.space && matches!(s.ch, '-' | '/' | '.') && s.kind == Kind::Punct)?;
    let n2 = p
        .next(s1.end)
        .filter(|n| !n.space && n.kind == Kind::Num && n.digits <= 2 && !n.ordinal)?;
    let s2 = p
        .next(n2.end)
        .filter(|s| !s.space && s.ch == s1.ch && s.kind == Kind::Punct)?;
    let n3 = p
        .next(s2.end)
        .filter(|n| !n.space && n.kind == Kind::Num && !n.ordinal && !n.grouped)?;
    if p.adjacent_after(n3.end)
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    // A following separator and digit means a longer code (phone numbers, versions).
    if p.adjacent_after(n3.end)
        .is_some_and(|c| matches!(c, '-' | '/' | '.'))
        && p.t
            .get(n3.end + 1..)
            .and_then(|r| r.chars().next())
            .is_some_and(|c| c.is_ascii_digit())
    {
        return None;
    }
    let (y, m, d) = if t.digits == 4 && n3.digits <= 2 {
        (t.val as i32, n2.val as u32, n3.val as u32)
    } else if t.digits <= 2 && (n3.digits == 4 || n3.digits == 2) {
        let y = if n3.digits == 4 {
            n3.val as i32
        } else if n3.val < 50 {
            2000 + n3.val as i32
        } else {
            1900 + n3.val as i32
        };
        let (a, b) = (t.val as u32, n2.val as u32);
        // Unambiguous when one part exceeds 12; otherwise US order with slashes, day first
        // with dots and dashes.
        let month_first = b > 12 || (a <= 12 && s1.ch == '/');
        let (m, d) = if month_first { (a, b) } else { (b, a) };
        (y, m, d)
    } else {
        return None;
    };
    crate::calendar::Date::new(y, m, d)?;
    let start = weekday_back(p, t.start);
    Some(Raw {
        start,
        end: n3.end,
        expr: Expr::Day {
            y: Yr::Abs(y),
            m,
            d,
        },
    })
}

/// An optional year after a month or day: `, 2019`, ` 2019`, `of 2019`. Returns the year
/// (`Missing` when none) and where it ends.
fn year_after(p: &P, pos: usize) -> (Yr, Option<usize>) {
    let mut n = p.next(pos);
    if let Some(o) = n.filter(|o| o.is_word(p.t, "of")) {
        if let Some((y, e)) = anaphoric_year(p, o.end) {
            return (y, Some(e));
        }
    }
    if n.is_some_and(|c| c.is_punct(',') || c.is_word(p.t, "of")) {
        n = n.and_then(|c| p.next(c.end));
    }
    match n {
        Some(y)
            if is_year(&y)
                && !p
                    .adjacent_after(y.end)
                    .is_some_and(|c| c == ':' || c.is_ascii_alphanumeric()) =>
        {
            // `April 480 BC`
            if let Some(bc) = p
                .next(y.end)
                .filter(|b| b.is_word(p.t, "bc") || b.is_word(p.t, "bce"))
            {
                return (Yr::Abs(1 - y.val as i32), Some(bc.end));
            }
            (Yr::Abs(y.val as i32), Some(y.end))
        }
        Some(y)
            if y.kind == Kind::Num
                && !y.grouped
                && !y.ordinal
                && (1..1000).contains(&y.val)
                && p.next(y.end)
                    .is_some_and(|b| b.is_word(p.t, "bc") || b.is_word(p.t, "bce")) =>
        {
            let bc = p.next(y.end).map_or(y.end, |b| b.end);
            (Yr::Abs(1 - y.val as i32), Some(bc))
        }
        _ => (Yr::Missing, None),
    }
}

/// `that year`, `the same year`, `the following year`, `the previous year` (after `of`).
fn anaphoric_year(p: &P, pos: usize) -> Option<(Yr, usize)> {
    let d = p.next(pos)?;
    let mut b = [0u8; 16];
    let (n, y) = match p.lw(&d, &mut b) {
        "that" => (0, p.next(d.end)?),
        "the" => {
            let w = p.next(d.end)?;
            let mut b2 = [0u8; 16];
            let n = match p.lw(&w, &mut b2) {
                "same" => 0,
                "following" | "next" => 1,
                "previous" | "preceding" => -1,
                _ => return None,
            };
            (n, p.next(w.end)?)
        }
        _ => return None,
    };
    y.is_word(p.t, "year").then_some((Yr::Prev(n), y.end))
}

/// A range separator between two days: `-`, `–`, `to`, `and`, `through`; whether it is a word.
fn range_sep(p: &P, pos: usize) -> Option<(Tok, bool)> {
    // Cheap test first: the next non-space byte starts a dash or one of the words.
    let b = p.t.as_bytes();
    let mut i = pos;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if !matches!(b.get(i), Some(b'-' | 0xE2 | b't' | b'a' | b'u')) {
        return None;
    }
    let s = p.next(pos)?;
    if s.is_punct('-') || s.is_punct('–') || s.is_punct('—') {
        return Some((s, false));
    }
    let mut b = [0u8; 16];
    matches!(
        p.lw(&s, &mut b),
        "to" | "and" | "through" | "until" | "till"
    )
    .then_some((s, true))
}

/// `March 5–9, 1918`: the year written after the second day of a range (for the first).
fn range_year(p: &P, day_end: usize) -> Option<(Yr, Tok)> {
    let (sep, _) = range_sep(p, day_end)?;
    let d2 = p.next(sep.end).filter(|d| day_num(d).is_some())?;
    let (y, _) = year_after(p, d2.end);
    (y != Yr::Missing).then_some((y, d2))
}

/// The second day of a range whose month comes before the first (`March 5–9, 1918`: `9,
/// 1918`), as TimeML annotates ranges: two dates.
fn range_second(p: &P, t: Tok, d: u32) -> Option<Raw> {
    // Cheap test first: the last non-space byte before the number ends a dash or one of the
    // words (`to`, `and`, `through`, `until`, `till`).
    let b = p.t.as_bytes();
    let mut i = t.start;
    while i > 0 && b.get(i - 1) == Some(&b' ') {
        i -= 1;
    }
    if !matches!(
        i.checked_sub(1).and_then(|j| b.get(j)),
        Some(b'-' | 0x80..=0xBF | b'o' | b'd' | b'h' | b'l')
    ) {
        return None;
    }
    let sep = p.prev(t.start)?;
    let word = sep.kind == Kind::Word;
    if !(sep.is_punct('-') || sep.is_punct('–') || sep.is_punct('—')) {
        let mut b = [0u8; 16];
        if !matches!(
            p.lw(&sep, &mut b),
            "to" | "and" | "through" | "until" | "till"
        ) {
            return None;
        }
    }
    let d1 = lex::prev(p.t, sep.start).filter(|x| day_num(x).is_some() && !x.newline)?;
    let mt = lex::prev(p.t, d1.start).filter(|x| x.kind == Kind::Word && !x.newline)?;
    let mut b = [0u8; 16];
    let (m, abbrev) = month_of(p.lw(&mt, &mut b))?;
    if abbrev && !mt.capitalised(p.t) {
        return None;
    }
    let (y, yend) = year_after(p, t.end);
    if word && yend.is_none() {
        // `March 5 and 30 people`: a word separator needs the year or the end of a phrase.
        let n = p.next(t.end);
        if !n.is_none_or(|n| n.kind == Kind::Punct && matches!(n.ch, '.' | ',' | ';' | ')' | ':')) {
            return None;
        }
    }
    Some(Raw {
        start: t.start,
        end: yend.unwrap_or(t.end),
        expr: Expr::Day { y, m, d },
    })
}

/// Whether a bare year has date context before it; returns the span start (with modifiers).
fn year_context(p: &P, t: Tok) -> (usize, bool) {
    let start = modifiers_back(p, t.start, false);
    if start < t.start {
        return (start, true);
    }
    let Some(prev) = lex::prev(p.t, t.start) else {
        return (start, true); // start of text
    };
    if prev.newline {
        return (start, true);
    }
    match prev.kind {
        Kind::Word => {
            let w = Lower::of(prev.slice(p.t));
            (
                start,
                YEAR_CONTEXT.contains(&w.as_str()) || month_of(&w).is_some(),
            )
        }
        Kind::Num => (start, false),
        _ => (
            start,
            matches!(
                prev.ch,
                '(' | '©' | '–' | '—' | '-' | '.' | '!' | '?' | '"' | '“' | '[' | '/' | ','
            ),
        ),
    }
}

/// Extends a span backwards over `the`, `early`/`late`/`mid(-)`, and `the end/beginning/
/// start/middle of`.
fn modifiers_back(p: &P, start: usize, allow_the: bool) -> usize {
    let mut s = start;
    // mid-1941, mid-October
    if p.adjacent_before(s) == Some('-') {
        if let Some(w) = p
            .prev(s - 1)
            .filter(|w| w.is_word(p.t, "mid") && w.end == s - 1)
        {
            s = w.start;
        }
    }
    if let Some((w, lw)) = p.prev_word(s) {
        match lw.as_str() {
            "early" | "late" | "mid" => {
                s = w.start;
            }
            "of" => {
                if let Some((x, lx)) = p.prev_word(w.start) {
                    if matches!(
                        lx.as_str(),
                        "end" | "beginning" | "start" | "middle" | "close" | "turn"
                    ) {
                        s = x.start;
                        if let Some((th, _)) = p.prev_word(x.start).filter(|(_, l)| l == "the") {
                            s = th.start;
                        }
                        return s;
                    }
                }
            }
            _ => {}
        }
    }
    if allow_the {
        if let Some((th, _)) = p.prev_word(s).filter(|(_, l)| l == "the") {
            s = th.start;
        }
    }
    s
}

/// `Monday, ` before a date.
fn weekday_back(p: &P, start: usize) -> usize {
    let mut s = start;
    let mut prev = p.prev(s);
    if prev.is_some_and(|c| c.is_punct(',')) {
        prev = prev.and_then(|c| p.prev(c.start));
    }
    if let Some(w) = prev {
        let mut b = [0u8; 16];
        if weekday_of(p.lw(&w, &mut b)).is_some() {
            s = w.start;
        }
    }
    s
}

/// Whether the sentence up to `pos` speaks of the future (`will`, `plans to`).
fn clause_before_is_future(text: &str, pos: usize) -> bool {
    let mut from = pos.saturating_sub(200);
    while from < pos && !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text.get(from..pos).unwrap_or("");
    let clause = before
        .rfind(['.', '!', '?', '\n', '。'])
        .map_or(before, |i| before.get(i + 1..).unwrap_or(""));
    super::future_tense(clause)
}

/// `46 years`, `three months ago`, `two days later`, `the past five years`.
fn counted(p: &P, nstart: usize, uend: usize, n: Option<u32>, unit: Unit) -> Raw {
    let text = p.t;
    let after = p.next(uend);
    let mut b = [0u8; 16];
    let aw = after
        .map(|a| Lower::of(p.lw(&a, &mut b)))
        .unwrap_or_default();
    let count = n.map_or(1, |n| n.min(100_000) as i32);
    match aw.as_str() {
        // `a few days ago`, `many years earlier`, `a few weeks later`: an unspecified past or
        // future.
        "ago" | "earlier" | "later" | "before" if n.is_none() => {
            let end = after.map_or(uend, |a| a.end);
            let before = aw.as_str() == "before";
            // `a few months before the war`: the clause after it anchors it; leave the duration.
            let ends_clause = after
                .and_then(|a| p.next(a.end))
                .is_none_or(|x| x.kind != Kind::Word);
            if !before || ends_clause {
                return Raw {
                    start: nstart,
                    end,
                    expr: Expr::Ref(if aw.as_str() == "later" {
                        "FUTURE_REF"
                    } else {
                        "PAST_REF"
                    }),
                };
            }
        }
        "ago" if n.is_some() => {
            let end = after.map_or(uend, |a| a.end);
            return Raw {
                start: nstart,
                end,
                expr: Expr::Rel {
                    unit,
                    n: -count,
                    ana: false,
                },
            };
        }
        "later" | "afterwards" if n.is_some() => {
            let end = after.map_or(uend, |a| a.end);
            return Raw {
                start: nstart,
                end,
                expr: Expr::Rel {
                    unit,
                    n: count,
                    ana: true,
                },
            };
        }
        "earlier" if n.is_some() => {
            let end = after.map_or(uend, |a| a.end);
            return Raw {
                start: nstart,
                end,
                expr: Expr::Rel {
                    unit,
                    n: -count,
                    ana: true,
                },
            };
        }
        "from" if n.is_some() => {
            // `two weeks from now`
            if let Some(now) = after
                .and_then(|a| p.next(a.end))
                .filter(|x| x.is_word(text, "now"))
            {
                return Raw {
                    start: nstart,
                    end: now.end,
                    expr: Expr::Rel {
                        unit,
                        n: count,
                        ana: false,
                    },
                };
            }
        }
        _ => {}
    }
    // `will meet in two weeks`: a date that far from the article's date (future tense only;
    // `built in two weeks` is a duration).
    if n.is_some() && !matches!(aw.as_str(), "of" | "time") {
        if let Some((i, _)) = p.prev_word(nstart).filter(|(_, l)| l == "in") {
            if clause_before_is_future(text, i.start) {
                return Raw {
                    start: nstart,
                    end: uend,
                    expr: Expr::Rel {
                        unit,
                        n: count,
                        ana: false,
                    },
                };
            }
        }
    }
    let mut start = nstart;
    if let Some((w, lw)) = p.prev_word(start) {
        if matches!(
            lw.as_str(),
            "past" | "last" | "next" | "first" | "coming" | "previous" | "following"
        ) {
            start = w.start;
            if let Some((th, _)) = p.prev_word(start).filter(|(_, l)| l == "the") {
                start = th.start;
            }
        }
    }
    let _ = text;
    Raw {
        start,
        end: uend,
        expr: Expr::Duration { n, unit },
    }
}

fn quarter_or_half(p: &P, nstart: usize, unit_tok: Tok, n: u32, w: &str) -> Option<Raw> {
    let is_q = w == "quarter";
    if (is_q && !(1..=4).contains(&n)) || (!is_q && !(1..=2).contains(&n)) {
        return None;
    }
    let mut end = unit_tok.end;
    let mut y = Yr::Missing;
    let of = p.next(end).filter(|o| o.is_word(p.t, "of"));
    if let Some(o) = of {
        let n2 = p.next(o.end);
        if let Some(yt) = n2.filter(is_year) {
            y = Yr::Abs(yt.val as i32);
            end = yt.end;
        } else if let Some(d) = n2 {
            let mut b = [0u8; 16];
            let shift = match p.lw(&d, &mut b) {
                "this" | "the" => Some(0),
                "last" => Some(-1),
                "next" => Some(1),
                _ => None,
            };
            if let Some(s) = shift {
                if let Some(yr) = p.next(d.end).filter(|x| x.is_word(p.t, "year")) {
                    y = if d.is_word(p.t, "the") {
                        Yr::Missing
                    } else {
                        Yr::Rel(s)
                    };
                    end = yr.end;
                }
            }
        }
    } else if let Some(yt) = p.next(end).filter(is_year) {
        y = Yr::Abs(yt.val as i32);
        end = yt.end;
    }
    let mut start = nstart;
    if let Some((th, _)) = p.prev_word(start).filter(|(_, l)| l == "the") {
        start = th.start;
    }
    let expr = if is_q {
        Expr::Quarter { y, q: n }
    } else {
        Expr::Half { y, h: n }
    };
    Some(Raw { start, end, expr })
}

/// `the 14th Five-Year Plan` (with `five` at `five`).
fn plan(p: &P, nstart: usize, five: Tok, n: u32) -> Option<Raw> {
    let dash = p.next(five.end)?;
    let year = if dash.is_punct('-') {
        p.next(dash.end)?
    } else {
        dash
    };
    if !year.is_word(p.t, "year") {
        return None;
    }
    let pl = p.next(year.end).filter(|x| x.is_word(p.t, "plan"))?;
    super::normalise::plan_years(n)?;
    let mut start = nstart;
    if let Some((th, _)) = p.prev_word(start).filter(|(_, l)| l == "the") {
        start = th.start;
    }
    Some(Raw {
        start,
        end: pl.end,
        expr: Expr::Plan(n),
    })
}

fn clock(p: &P, t: Tok) -> Option<Raw> {
    if t.digits > 2 || t.ordinal {
        return None;
    }
    let mut h = t.val as u32;
    let mut min = 0;
    let mut end = t.end;
    let mut explicit_minutes = false;
    if let Some(c) = p.next(end).filter(|c| c.is_punct(':') && !c.space) {
        let m = p
            .next(c.end)
            .filter(|m| m.kind == Kind::Num && m.digits == 2 && !m.space && m.val < 60)?;
        min = m.val as u32;
        end = m.end;
        explicit_minutes = true;
    }
    // a.m. / p.m. / am / pm
    let mut b = [0u8; 16];
    let mut meridian = None;
    if let Some(w) = p.next(end) {
        let lw = Lower::of(p.lw(&w, &mut b));
        match lw.as_str() {
            "am" | "pm" => {
                meridian = Some(lw == "pm");
                end = w.end;
                if let Some(d) = p
                    .next(end)
                    .filter(|d| d.is_punct('.') && !d.space && lw.len() == 2)
                {
                    // "pm." at a sentence end: keep the dot out.
                    let _ = d;
                }
            }
            "a" | "p" => {
                let d1 = p.next(w.end).filter(|d| d.is_punct('.') && !d.space)?;
                let m = p.next(d1.end).filter(|m| m.is_word(p.t, "m") && !m.space)?;
                end = m.end;
                if let Some(d2) = p.next(m.end).filter(|d| d.is_punct('.') && !d.space) {
                    end = d2.end;
                }
                meridian = Some(lw == "p");
            }
            _ => {}
        }
    }
    match meridian {
        Some(pm) => {
            if !(1..=12).contains(&h) {
                return None;
            }
            if pm && h != 12 {
                h += 12;
            } else if !pm && h == 12 {
                h = 0;
            }
        }
        None if explicit_minutes && h < 24 => {}
        None => return None,
    }
    Some(Raw {
        start: t.start,
        end,
        expr: Expr::Clock {
            inner: Box::new(Expr::Rel {
                unit: Unit::Day,
                n: 0,
                ana: false,
            }),
            h,
            min,
        },
    })
}

fn word_head(p: &P, t: Tok) -> Option<Raw> {
    let text = p.t;
    let mut b = [0u8; 16];
    // Lowercased once into `b` (and validated once: the lookups below take the `&str`).
    let w = p.lw(&t, &mut b);
    if w.is_empty() {
        return None;
    }
    if let Some((m, abbrev)) = month_of(w) {
        return month_head(p, t, m, abbrev, w);
    }
    if let Some(wd) = weekday_of(w) {
        return weekday_head(p, t, wd);
    }
    if let Some((unit, plural)) = unit_of(w) {
        return unit_head(p, t, unit, plural);
    }
    if let Some(s) = season_of(w) {
        return season_head(p, t, s);
    }
    if let Some(part) = part_of(w) {
        return part_head(p, t, part);
    }
    if let Some(d) = decade_word(w) {
        // the nineties → 199 (relative to the 20th century)
        let th = p.prev_word(t.start).filter(|(_, l)| l == "the")?;
        return Some(Raw {
            start: th.0.start,
            end: t.end,
            expr: Expr::Decade(190 + d),
        });
    }
    if let Some(r) = holiday_head(p, t, w) {
        return Some(r);
    }
    let rel_day = |n: i32| Expr::Rel {
        unit: Unit::Day,
        n,
        ana: false,
    };
    let with_part = |inner: Expr, end: usize| -> Raw {
        let mut b2 = [0u8; 16];
        if let Some(pt) = p.next(end) {
            if let Some(part) = part_of(pt.lower(text, &mut b2)) {
                return Raw {
                    start: t.start,
                    end: pt.end,
                    expr: Expr::Part {
                        inner: Box::new(inner),
                        part,
                    },
                };
            }
        }
        Raw {
            start: t.start,
            end,
            expr: inner,
        }
    };
    Some(match w {
        "today" => with_part(rel_day(0), t.end),
        "yesterday" | "tomorrow" => {
            let (n, far) = if w == "tomorrow" {
                (1, "after")
            } else {
                (-1, "before")
            };
            match day_beyond(p, t.start, far) {
                Some(start) => Raw {
                    start,
                    ..with_part(rel_day(2 * n), t.end)
                },
                None => with_part(rel_day(n), t.end),
            }
        }
        "tonight" => Raw {
            start: t.start,
            end: t.end,
            expr: Expr::Part {
                inner: Box::new(rel_day(0)),
                part: Part::Night,
            },
        },
        "now" | "currently" | "nowadays" => {
            // "now" as a discourse marker at a clause start ("Now, …") still refers to the present.
            Raw {
                start: t.start,
                end: t.end,
                expr: Expr::Ref("PRESENT_REF"),
            }
        }
        "recently" => Raw {
            start: t.start,
            end: t.end,
            expr: Expr::Ref("PAST_REF"),
        },
        "present" => {
            let (pw, l) = p.prev_word(t.start)?;
            if !(l == "the" || l == "at") {
                return None;
            }
            // "the present study" is not a time.
            if p.next(t.end).is_some_and(|n| n.kind == Kind::Word) && l == "the" {
                return None;
            }
            Raw {
                start: pw.start,
                end: t.end,
                expr: Expr::Ref("PRESENT_REF"),
            }
        }
        "future" | "past" => {
            let (pw, l) = p.prev_word(t.start)?;
            if l != "the" {
                return None;
            }
            // `the past decade`, `the past two years`: the unit's head reads them.
            if p.next(t.end).is_some_and(|n| {
                let mut b2 = [0u8; 16];
                let nw = n.lower(text, &mut b2);
                unit_of(nw).is_some()
                    || numword(nw).is_some()
                    || n.kind == Kind::Num
                    || matches!(nw, "few" | "several")
            }) {
                return None;
            }
            let (_, l2) = p.prev_word(pw.start)?;
            if !matches!(
                l2.as_str(),
                "in" | "near" | "distant" | "recent" | "foreseeable"
            ) {
                return None;
            }
            let r = if w == "future" {
                "FUTURE_REF"
            } else {
                "PAST_REF"
            };
            Raw {
                start: pw.start,
                end: t.end,
                expr: Expr::Ref(r),
            }
        }
        "annually" | "yearly" => Raw {
            start: t.start,
            end: t.end,
            expr: Expr::Set(Unit::Year),
        },
        "daily" => Raw {
            start: t.start,
            end: t.end,
            expr: Expr::Set(Unit::Day),
        },
        "weekly" => Raw {
            start: t.start,
            end: t.end,
            expr: Expr::Set(Unit::Week),
        },
        "monthly" => Raw {
            start: t.start,
            end: t.end,
            expr: Expr::Set(Unit::Month),
        },
        "q" => {
            let qt = p.next(t.end).filter(|n| {
                !n.space && n.kind == Kind::Num && n.digits == 1 && (1..=4).contains(&n.val)
            })?;
            if p.adjacent_after(qt.end)
                .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                return None;
            }
            let q = qt.val as u32;
            let mut end = qt.end;
            let mut y = Yr::Missing;
            if let Some(yt) = p.next(qt.end).filter(is_year) {
                y = Yr::Abs(yt.val as i32);
                end = yt.end;
            }
            Raw {
                start: t.start,
                end,
                expr: Expr::Quarter { y, q },
            }
        }
        _ => return None,
    })
}

/// `Christmas`, `Christmas Eve`, `Easter Sunday`, `Thanksgiving Day`, `Halloween`, each with
/// an optional year (`Christmas 2007`). Capitalised only; `Easter Island` is a place.
fn holiday_head(p: &P, t: Tok, w: &str) -> Option<Raw> {
    let text = p.t;
    let h = match w {
        "christmas" => Holiday::Fixed {
            m: 12,
            d: 25,
            name: "Christmas",
        },
        "easter" => Holiday::Easter {
            offset: 0,
            name: "Easter Sunday",
        },
        "thanksgiving" => Holiday::Thanksgiving,
        "halloween" => Holiday::Fixed {
            m: 10,
            d: 31,
            name: "Halloween",
        },
        _ => return None,
    };
    if !t.capitalised(text) {
        return None;
    }
    let mut end = t.end;
    let mut h = h;
    if let Some(n) = p.next(end).filter(|n| n.kind == Kind::Word) {
        let mut b = [0u8; 16];
        match (w, n.lower(text, &mut b)) {
            (_, "island" | "islands") => return None,
            ("christmas", "eve") => {
                h = Holiday::Fixed {
                    m: 12,
                    d: 24,
                    name: "Christmas Eve",
                };
                end = n.end;
            }
            ("christmas" | "thanksgiving", "day") | ("easter", "sunday") => end = n.end,
            ("easter", "monday") => {
                h = Holiday::Easter {
                    offset: 1,
                    name: "Easter Monday",
                };
                end = n.end;
            }
            _ => {}
        }
    }
    let (y, yend) = year_after(p, end);
    Some(Raw {
        start: t.start,
        end: yend.unwrap_or(end),
        expr: Expr::Holiday { y, h },
    })
}

/// `New Year's Day`, `New Year's Eve`, `New Year 2020` (at `Year`, after a capitalised `New`).
fn new_year(p: &P, t: Tok) -> Option<Raw> {
    let text = p.t;
    let new = p
        .prev(t.start)
        .filter(|n| n.is_word(text, "new") && n.capitalised(text))?;
    if !t.capitalised(text) {
        return None;
    }
    let mut end = t.end;
    let mut start = new.start;
    let mut h = Holiday::Fixed {
        m: 1,
        d: 1,
        name: "New Year's Day",
    };
    // `Chinese New Year`, `Lunar New Year`: the Spring Festival.
    if let Some((c, _)) = p
        .prev_word(new.start)
        .filter(|(_, l)| l == "chinese" || l == "lunar")
    {
        start = c.start;
        h = Holiday::SpringFestival {
            offset: 0,
            name: "the Spring Festival",
        };
    }
    // `'s`, `’s`
    let mut at = end;
    if let Some(q) = p
        .next(at)
        .filter(|q| (q.is_punct('\'') || q.is_punct('’')) && !q.space)
    {
        if let Some(s) = p.next(q.end).filter(|s| s.is_word(text, "s") && !s.space) {
            at = s.end;
        }
    }
    match p.next(at) {
        Some(d) if d.is_word(text, "day") => end = d.end,
        Some(e) if e.is_word(text, "eve") && start == new.start => {
            end = e.end;
            h = Holiday::Fixed {
                m: 12,
                d: 31,
                name: "New Year's Eve",
            };
        }
        _ => {
            // `New Year 2020`, `the New Year holiday`; `New Year's` alone is the day too.
            end = at;
        }
    }
    let (y, yend) = year_after(p, end);
    Some(Raw {
        start,
        end: yend.unwrap_or(end),
        expr: Expr::Holiday { y, h },
    })
}

/// `the end of the year`, `late in the year`, `the beginning of the year`: the year of the
/// context (the article's in news, the last mentioned in narratives).
fn part_of_the_year(p: &P, t: Tok) -> Option<Raw> {
    let (th, _) = p.prev_word(t.start).filter(|(_, l)| l == "the")?;
    let (prep, lp) = p.prev_word(th.start)?;
    let (m, lm) = p.prev_word(prep.start)?;
    let start = match (lp.as_str(), lm.as_str()) {
        ("of", "end" | "beginning" | "start" | "middle" | "rest" | "close" | "turn") => p
            .prev_word(m.start)
            .filter(|(_, l)| l == "the")
            .map_or(m.start, |(x, _)| x.start),
        ("in", "late" | "early" | "later" | "earlier") => m.start,
        _ => return None,
    };
    Some(Raw {
        start,
        end: t.end,
        expr: Expr::Year(Yr::Missing),
    })
}

/// `Good Friday` (at `Friday`).
fn good_friday(p: &P, t: Tok) -> Option<Raw> {
    let g = p
        .prev(t.start)
        .filter(|g| g.is_word(p.t, "good") && g.capitalised(p.t) && t.capitalised(p.t))?;
    let (y, yend) = year_after(p, t.end);
    Some(Raw {
        start: g.start,
        end: yend.unwrap_or(t.end),
        expr: Expr::Holiday {
            y,
            h: Holiday::Easter {
                offset: -2,
                name: "Good Friday",
            },
        },
    })
}

fn month_head(p: &P, t: Tok, m: u32, abbrev: bool, w: &str) -> Option<Raw> {
    let text = p.t;
    let cap = t.capitalised(text);
    if abbrev && !cap {
        return None;
    }
    let mut end = t.end;
    if abbrev {
        if let Some(dot) = p.next(end).filter(|d| d.is_punct('.') && !d.space) {
            end = dot.end;
        }
    }
    let n1 = p.next(end);
    // Month day [, year]
    if let Some(dt) = n1 {
        if let Some(d) = day_num(&dt) {
            let colon = p.adjacent_after(dt.end).is_some_and(|c| {
                c == ':'
                    || c == '.'
                        && p.t
                            .get(dt.end + 1..)
                            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            });
            let glued = p
                .adjacent_after(dt.end)
                .is_some_and(|c| c.is_ascii_alphabetic())
                && !dt.ordinal;
            if !colon && !glued && (dt.digits != 2 || dt.val <= 31) {
                let (y, yend) = year_after(p, dt.end);
                // `March 5–9, 1918`: the first day takes the year written after the second.
                let y = match (y, yend) {
                    (Yr::Missing, None) => range_year(p, dt.end).map_or(y, |(y, _)| y),
                    _ => y,
                };
                let start = weekday_back(p, modifiers_back(p, t.start, false));
                return Some(Raw {
                    start,
                    end: yend.unwrap_or(dt.end),
                    expr: Expr::Day { y, m, d },
                });
            }
        }
    }
    // `the first of March [2015]`, `twenty-first of May`: the day as an ordinal word.
    if let Some((start, d)) = ordinal_day_before(p, t.start) {
        let (y, yend) = year_after(p, end);
        return Some(Raw {
            start,
            end: yend.unwrap_or(end),
            expr: Expr::Day { y, m, d },
        });
    }
    // Month year
    let (y, yend) = year_after(p, end);
    if let Some(e) = yend {
        if !abbrev || cap {
            let start = modifiers_back(p, t.start, false);
            return Some(Raw {
                start,
                end: e,
                expr: Expr::Month { y, m },
            });
        }
    }
    // A month alone needs a capital and date context ("in April", "early October", "last March").
    if !cap || abbrev {
        return None;
    }
    let prev = p.prev_word(t.start);
    if let Some((pw, l)) = &prev {
        match l.as_str() {
            "last" => {
                return Some(Raw {
                    start: pw.start,
                    end,
                    expr: Expr::MonthShift { m, shift: -1 },
                })
            }
            "next" => {
                return Some(Raw {
                    start: pw.start,
                    end,
                    expr: Expr::MonthShift { m, shift: 1 },
                })
            }
            "this" => {
                return Some(Raw {
                    start: pw.start,
                    end,
                    expr: Expr::Month { y: Yr::Rel(0), m },
                })
            }
            _ => {}
        }
    }
    // `mid-November`
    let mid = p.adjacent_before(t.start) == Some('-')
        && p.prev(t.start - 1)
            .is_some_and(|m| m.is_word(text, "mid") && m.end == t.start - 1);
    let ctx = mid
        || prev
            .as_ref()
            .is_some_and(|(_, l)| MONTH_CONTEXT.contains(&l.as_str()));
    if !ctx
        || ((w == "may" || w == "march")
            && prev
                .as_ref()
                .is_some_and(|(_, l)| matches!(l.as_str(), "and" | "or" | "to" | "on")))
    {
        return None;
    }
    let start = modifiers_back(p, t.start, false);
    Some(Raw {
        start,
        end,
        expr: Expr::Month { y: Yr::Missing, m },
    })
}

/// A day of the month written as an ordinal word before `of` and the month at `month`
/// (`first of`, `the twenty-first of`, `thirty first of`): where it starts and the day.
fn ordinal_day_before(p: &P, month: usize) -> Option<(usize, u32)> {
    let (of, l) = p.prev_word(month)?;
    if l != "of" {
        return None;
    }
    let (ord, l) = p.prev_word(of.start)?;
    let mut d = match l.as_str() {
        "thirtieth" => 30,
        w => ordword(w)?,
    };
    let mut start = ord.start;
    if d < 10 {
        // The tens, joined by a hyphen or a space.
        let tens = if p.adjacent_before(start) == Some('-') {
            p.prev(start - 1)
                .filter(|w| w.kind == Kind::Word && w.end == start - 1)
                .map(|w| (w, Lower::of(w.slice(p.t))))
        } else {
            p.prev_word(start)
        };
        if let Some((w, l)) = tens {
            let add = match l.as_str() {
                "twenty" => 20,
                "thirty" => 30,
                _ => 0,
            };
            if add > 0 {
                d += add;
                start = w.start;
            }
        }
    }
    if d > 31 {
        return None;
    }
    if let Some((th, _)) = p.prev_word(start).filter(|(_, l)| l == "the") {
        start = th.start;
    }
    Some((start, d))
}

/// Where `the day after tomorrow` (`far` "after", before `tomorrow` at `at`) or `the day
/// before yesterday` starts.
fn day_beyond(p: &P, at: usize, far: &str) -> Option<usize> {
    let (rel, l) = p.prev_word(at)?;
    if l != far {
        return None;
    }
    let (day, l) = p.prev_word(rel.start)?;
    if l != "day" {
        return None;
    }
    Some(
        p.prev_word(day.start)
            .filter(|(_, l)| l == "the")
            .map_or(day.start, |(th, _)| th.start),
    )
}

fn weekday_head(p: &P, t: Tok, wd: u32) -> Option<Raw> {
    let text = p.t;
    if wd == 5 {
        if let Some(r) = good_friday(p, t) {
            return Some(r);
        }
    }
    let mut end = t.end;
    // Monday, October 14, 2019 / Monday 14 October
    let mut n = p.next(end);
    if n.is_some_and(|c| c.is_punct(',')) {
        n = n.and_then(|c| p.next(c.end));
    }
    if let Some(nt) = n {
        let sub = match nt.kind {
            Kind::Num => number_head(p, nt),
            Kind::Word => {
                let mut b = [0u8; 16];
                let w = Lower::of(p.lw(&nt, &mut b));
                month_of(&w).and_then(|(m, ab)| month_head(p, nt, m, ab, &w))
            }
            _ => None,
        };
        if let Some(r) = sub.filter(|r| matches!(r.expr, Expr::Day { .. })) {
            return Some(Raw {
                start: t.start,
                end: r.end,
                expr: r.expr,
            });
        }
    }
    let mut start = t.start;
    let mut expr = Expr::Weekday { wd, week: None };
    // `every Monday`
    if let Some((pw, _)) = p
        .prev_word(t.start)
        .filter(|(_, l)| l == "every" || l == "each")
    {
        return Some(Raw {
            start: pw.start,
            end,
            expr: Expr::SetWeekday(wd),
        });
    }
    if let Some((pw, l)) = p.prev_word(t.start) {
        let shift = match l.as_str() {
            "last" | "past" => Some(-1),
            "next" | "coming" => Some(1),
            "this" => Some(0),
            _ => None,
        };
        if let Some(s) = shift {
            start = pw.start;
            // `this Monday`: in this week; `last`/`next Monday`: strictly before/after (±100).
            expr = Expr::Weekday {
                wd,
                week: Some(s * 100),
            };
        }
    }
    // Monday morning
    if let Some(pt) = p.next(end) {
        let mut b = [0u8; 16];
        if let Some(part) = part_of(pt.lower(text, &mut b)) {
            end = pt.end;
            expr = Expr::Part {
                inner: Box::new(expr),
                part,
            };
        }
    }
    // A capital is expected for weekday names in running text.
    if !t.capitalised(text) && start == t.start {
        return None;
    }
    Some(Raw { start, end, expr })
}

fn unit_head(p: &P, t: Tok, unit: Unit, plural: bool) -> Option<Raw> {
    let text = p.t;
    if unit == Unit::Year && !plural {
        if let Some(r) = new_year(p, t) {
            return Some(r);
        }
        if let Some(r) = part_of_the_year(p, t) {
            return Some(r);
        }
    }
    let prev = p.prev(t.start)?;
    let mut b = [0u8; 16];
    // Hyphenated: two-day, one-year
    let (numtok, hyphen) = if prev.is_punct('-') && p.adjacent_before(t.start) == Some('-') {
        (p.prev(prev.start)?, true)
    } else {
        (prev, false)
    };
    let pw = Lower::of(p.lw(&numtok, &mut b));
    // Counted: three months, a year, several years, a few days, twenty-five years
    let mut count: Option<Option<u32>> = None;
    let mut nstart = numtok.start;
    if let Some(n) = numword(&pw) {
        let mut n = n;
        // twenty-five
        if n < 10 && p.adjacent_before(numtok.start) == Some('-') {
            if let Some(tens) = p.prev(numtok.start - 1) {
                let mut b2 = [0u8; 16];
                if let Some(tv) =
                    numword(tens.lower(text, &mut b2)).filter(|v| (20..=90).contains(v))
                {
                    n += tv;
                    nstart = tens.start;
                }
            }
        }
        // "a" and "an" only before singular units; "one" too.
        if (n == 1) != plural || (pw != "a" && pw != "an" && n != 1) {
            count = Some(Some(n));
        }
    } else if matches!(pw.as_str(), "several" | "few" | "many" | "some") && plural {
        if pw == "few" {
            if let Some((a, _)) = p.prev_word(numtok.start).filter(|(_, l)| l == "a") {
                nstart = a.start;
            }
        }
        count = Some(None);
    } else if numtok.kind == Kind::Num && hyphen && !numtok.grouped && numtok.val < 10000 {
        count = Some(Some(numtok.val as u32));
    }
    if let Some(n) = count {
        if matches!(unit, Unit::Quarter | Unit::Half)
            && (n.is_none() || p.next(t.end).is_some_and(|o| o.is_word(text, "of")))
        {
            // `a quarter of the population`, `one half of`
            return None;
        }
        return Some(counted(p, nstart, t.end, n, unit));
    }
    if hyphen {
        return None;
    }
    let prev_start = prev.start;
    // Bare plural units after a preposition: "for decades", "for years".
    if plural
        && matches!(pw.as_str(), "for" | "over" | "within")
        && matches!(unit, Unit::Year | Unit::Decade | Unit::Month)
    {
        return Some(Raw {
            start: t.start,
            end: t.end,
            expr: Expr::Duration { n: None, unit },
        });
    }
    let with_the = |s: usize| -> usize {
        p.prev_word(s)
            .filter(|(_, l)| l == "the")
            .map_or(s, |(th, _)| th.start)
    };
    match pw.as_str() {
        "recent" if plural => {
            return Some(Raw {
                start: prev_start,
                end: t.end,
                expr: Expr::Ref("PAST_REF"),
            });
        }
        "every" | "each" | "per" if !plural => {
            return Some(Raw {
                start: prev_start,
                end: t.end,
                expr: Expr::Set(unit),
            });
        }
        _ => {}
    }
    if plural {
        return None;
    }
    // Ordinals: the second quarter, the first half, the nineteenth century.
    if let Some(o) = ordword(&pw) {
        return match unit {
            Unit::Quarter | Unit::Half => quarter_or_half(
                p,
                prev_start,
                t,
                o,
                if unit == Unit::Quarter {
                    "quarter"
                } else {
                    "half"
                },
            ),
            Unit::Century => Some(Raw {
                start: with_the(prev_start),
                end: t.end,
                expr: Expr::Century(o as i32 - 1),
            }),
            _ => None,
        };
    }
    if matches!(unit, Unit::Quarter | Unit::Half) && pw == "last" {
        let r = quarter_or_half(
            p,
            prev_start,
            t,
            if unit == Unit::Quarter { 4 } else { 2 },
            if unit == Unit::Quarter {
                "quarter"
            } else {
                "half"
            },
        )?;
        if r.end > t.end {
            return Some(r);
        }
        return Some(Raw {
            start: r.start,
            end: t.end,
            expr: Expr::Rel {
                unit,
                n: -1,
                ana: false,
            },
        });
    }
    let the = p.prev_word(prev_start).is_some_and(|(_, l)| l == "the");
    let (n, ana) = match pw.as_str() {
        "this" | "current" => (0, false),
        "last" if !the => (-1, false),
        "next" if !the => (1, false),
        "coming" => (1, false),
        "past" => {
            // "the past year" is a duration of one year.
            return Some(Raw {
                start: with_the(prev_start),
                end: t.end,
                expr: Expr::Duration { n: Some(1), unit },
            });
        }
        "previous" | "preceding" | "last" => (-1, true),
        "following" | "next" | "subsequent" => (1, true),
        "same" => (0, true),
        "that" => (0, true),
        _ => return None,
    };
    if unit == Unit::Day && !ana {
        return None; // "this day" is rarely a date
    }
    if matches!(unit, Unit::Hour | Unit::Minute) {
        return None;
    }
    let start = if ana {
        with_the(prev_start)
    } else {
        prev_start
    };
    Some(Raw {
        start,
        end: t.end,
        expr: Expr::Rel { unit, n, ana },
    })
}

fn season_head(p: &P, t: Tok, s: u32) -> Option<Raw> {
    let text = p.t;
    let mut end = t.end;
    let mut y = Yr::Missing;
    // summer 1943 / summer of 1943
    let (yr, yend) = year_after(p, t.end);
    if let Some(e) = yend {
        y = yr;
        end = e;
    } else if p.next(t.end).is_some_and(|o| o.is_word(text, "of")) {
        return None; // "the fall of Saigon"
    }
    let prev = p.prev_word(t.start);
    let mut start = t.start;
    if let Some((pw, l)) = &prev {
        match l.as_str() {
            "this" => {
                return Some(Raw {
                    start: pw.start,
                    end,
                    expr: Expr::Season { y: Yr::Rel(0), s },
                })
            }
            "last" | "past" => {
                return Some(Raw {
                    start: pw.start,
                    end,
                    expr: Expr::Season { y: Yr::Rel(-1), s },
                })
            }
            "next" | "coming" => {
                return Some(Raw {
                    start: pw.start,
                    end,
                    expr: Expr::Season { y: Yr::Rel(1), s },
                })
            }
            _ => {}
        }
    }
    if y == Yr::Missing {
        // A season naming a campaign ("the summer offensive", "the Chinese Winter Offensive",
        // "winter quarters") is a date of its own; the extent is the season word.
        let mut b = [0u8; 16];
        let campaign = p
            .next(t.end)
            .filter(|n| n.kind == Kind::Word)
            .is_some_and(|n| {
                matches!(
                    Lower::of(n.lower(text, &mut b)).as_str(),
                    "offensive" | "offensives" | "campaign" | "campaigns" | "counter" | "quarters"
                )
            });
        if campaign {
            return Some(Raw {
                start: t.start,
                end,
                expr: Expr::Season { y, s },
            });
        }
        // Needs context: "in spring", "the summer", "early summer".
        let ok = prev.as_ref().is_some_and(|(_, l)| {
            matches!(
                l.as_str(),
                "the"
                    | "in"
                    | "early"
                    | "late"
                    | "mid"
                    | "during"
                    | "by"
                    | "until"
                    | "since"
                    | "through"
            )
        });
        if !ok
            || (s == 2
                && t.is_word(text, "fall")
                && !prev.as_ref().is_some_and(|(_, l)| l == "the" || l == "in"))
        {
            return None;
        }
        if prev.as_ref().is_some_and(|(_, l)| l == "the")
            && p.next(t.end)
                .is_some_and(|n| n.kind == Kind::Word && !n.is_word(text, "and"))
        {
            // "the summer school", "the spring festival": a modifier, not a time.
            let mut b = [0u8; 16];
            let nw = p
                .next(t.end)
                .map(|n| Lower::of(n.lower(text, &mut b)))
                .unwrap_or_default();
            if !matches!(
                nw.as_str(),
                "of" | "the"
                    | "when"
                    | "before"
                    | "after"
                    | "that"
                    | "he"
                    | "they"
                    | "it"
                    | "was"
                    | "saw"
                    | "and"
            ) {
                return None;
            }
        }
    }
    start = modifiers_back(p, start, true);
    Some(Raw {
        start,
        end,
        expr: Expr::Season { y, s },
    })
}

fn part_head(p: &P, t: Tok, part: Part) -> Option<Raw> {
    let text = p.t;
    let (pw, l) = p.prev_word(t.start)?;
    match l.as_str() {
        "the" => {
            // the afternoon of October 15th
            let of = p.next(t.end).filter(|o| o.is_word(text, "of"))?;
            let dt = p.next(of.end)?;
            let inner = match dt.kind {
                Kind::Num => number_head(&P::new(text, dt.start), dt),
                Kind::Word => {
                    let mut b = [0u8; 16];
                    let w = Lower::of(dt.lower(text, &mut b));
                    let q = P::new(text, dt.start);
                    if let Some((m, ab)) = month_of(&w) {
                        month_head(&q, dt, m, ab, &w)
                    } else if let Some(wd) = weekday_of(&w) {
                        weekday_head(&q, dt, wd)
                    } else {
                        match w.as_str() {
                            "today" | "yesterday" | "tomorrow" => word_head(&q, dt),
                            _ => None,
                        }
                    }
                }
                _ => None,
            }?;
            match inner.expr {
                Expr::Day { .. }
                | Expr::Weekday { .. }
                | Expr::Rel {
                    unit: Unit::Day, ..
                } => {}
                _ => return None,
            }
            Some(Raw {
                start: pw.start,
                end: inner.end,
                expr: Expr::Part {
                    inner: Box::new(inner.expr),
                    part,
                },
            })
        }
        // `this morning` is the anchor's day; `that night`, `that afternoon`: the part of the
        // day mentioned before.
        "this" | "that" => Some(Raw {
            start: pw.start,
            end: t.end,
            expr: Expr::Part {
                inner: Box::new(Expr::Rel {
                    unit: Unit::Day,
                    n: 0,
                    ana: l == "that",
                }),
                part,
            },
        }),
        "last" if part == Part::Night => Some(Raw {
            start: pw.start,
            end: t.end,
            expr: Expr::Part {
                inner: Box::new(Expr::Rel {
                    unit: Unit::Day,
                    n: -1,
                    ana: false,
                }),
                part,
            },
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All expressions of `s` as (text, expr) in order, scanning every token like the driver.
    fn scan(s: &str) -> Vec<(String, Expr)> {
        let mut out = Vec::new();
        let mut pos = 0;
        let mut floor = 0;
        while let Some(t) = lex::next(s, pos) {
            if let Some(r) = parse(s, t.start, floor) {
                out.push((s[r.start..r.end].to_string(), r.expr.clone()));
                pos = r.end;
                floor = r.end;
            } else {
                pos = t.end;
            }
        }
        out
    }

    fn texts(s: &str) -> Vec<String> {
        scan(s).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn calendar_dates_in_every_order() {
        assert_eq!(
            scan("On the afternoon of October 15th, he came.")[0].0,
            "the afternoon of October 15th"
        );
        assert_eq!(
            scan("on 2024-06-27 and")[0].1,
            Expr::Day {
                y: Yr::Abs(2024),
                m: 6,
                d: 27
            }
        );
        assert_eq!(
            scan("15/10/2019")[0].1,
            Expr::Day {
                y: Yr::Abs(2019),
                m: 10,
                d: 15
            }
        );
        assert_eq!(
            scan("10/15/2019")[0].1,
            Expr::Day {
                y: Yr::Abs(2019),
                m: 10,
                d: 15
            }
        );
        assert_eq!(
            scan("On 27 June 1950, x")[0],
            (
                "27 June 1950".into(),
                Expr::Day {
                    y: Yr::Abs(1950),
                    m: 6,
                    d: 27
                }
            )
        );
        assert_eq!(
            scan("the 15th of October 2019")[0].0,
            "the 15th of October 2019"
        );
        assert_eq!(
            scan("Sept. 3, 2019")[0].1,
            Expr::Day {
                y: Yr::Abs(2019),
                m: 9,
                d: 3
            }
        );
        assert_eq!(
            scan("Monday, October 14, 2019")[0].0,
            "Monday, October 14, 2019"
        );
        assert_eq!(
            scan("in February 2019 the")[0],
            (
                "February 2019".into(),
                Expr::Month {
                    y: Yr::Abs(2019),
                    m: 2
                }
            )
        );
        assert_eq!(scan("in February of 1940")[0].0, "February of 1940");
        assert_eq!(
            scan("By early October, Poland")[0],
            (
                "early October".into(),
                Expr::Month {
                    y: Yr::Missing,
                    m: 10
                }
            )
        );
        assert_eq!(
            scan("On the morning of September 3rd")[0].0,
            "the morning of September 3rd"
        );
    }

    #[test]
    fn years_need_context() {
        assert_eq!(texts("CNRS, founded in 1939 and headquartered"), ["1939"]);
        assert_eq!(
            texts("Since the establishment of its office in Beijing in 1995, CNRS"),
            ["1995"]
        );
        assert_eq!(texts("from 1939 to 1945."), ["1939", "1945"]);
        assert_eq!(texts("mid-1941 and late 1943"), ["mid-1941", "late 1943"]);
        assert_eq!(texts("the 1990s"), ["the 1990s"]);
        assert_eq!(scan("in 241 BC")[0].1, Expr::BcYear(241));
        assert!(texts("welcomed 1500 engineers").is_empty());
        assert!(texts("more than 33,000 researchers").is_empty());
    }

    #[test]
    fn no_false_dates() {
        for s in [
            "the COVID-19 pandemic",
            "CBD COP15 to be held",
            "at the 14th session of the Committee",
            "Tel: 86 10 68597114",
            "welcomed 25 new Chinese engineers",
            "rose 15% to $2019 million",
            "from around 30 countries",
            "a meeting was held",
            "The Spring Festival gala",
            "the fall of Saigon",
            "You may go",
            "the present study",
        ] {
            assert!(scan(s).is_empty(), "{s}: {:?}", scan(s));
        }
    }

    #[test]
    fn quarters_halves_seasons_decades_centuries_plans() {
        assert_eq!(
            scan("in the second quarter of 2021, and")[0],
            (
                "the second quarter of 2021".into(),
                Expr::Quarter {
                    y: Yr::Abs(2021),
                    q: 2
                }
            )
        );
        assert_eq!(
            scan("the first half of next year")[0].1,
            Expr::Half {
                y: Yr::Rel(1),
                h: 1
            }
        );
        assert_eq!(
            scan("in Q3 2020")[0].1,
            Expr::Quarter {
                y: Yr::Abs(2020),
                q: 3
            }
        );
        assert_eq!(
            scan("in the summer of 1943")[0],
            (
                "the summer of 1943".into(),
                Expr::Season {
                    y: Yr::Abs(1943),
                    s: 1
                }
            )
        );
        assert_eq!(
            scan("last winter")[0].1,
            Expr::Season {
                y: Yr::Rel(-1),
                s: 3
            }
        );
        assert_eq!(scan("the 20th century")[0].1, Expr::Century(19));
        assert_eq!(scan("the nineteenth century")[0].1, Expr::Century(18));
        assert_eq!(
            scan("during the “14th Five-Year Plan” period")[0],
            ("14th Five-Year Plan".into(), Expr::Plan(14))
        );
        assert_eq!(
            scan("in the 14th Five-Year Plan")[0].0,
            "the 14th Five-Year Plan"
        );
    }

    #[test]
    fn relative_expressions_and_durations() {
        assert_eq!(
            scan("experts said Monday.")[0].1,
            Expr::Weekday { wd: 1, week: None }
        );
        assert_eq!(scan("for Monday’s ceremony")[0].0, "Monday");
        assert_eq!(
            scan("yesterday")[0].1,
            Expr::Rel {
                unit: Unit::Day,
                n: -1,
                ana: false
            }
        );
        assert_eq!(
            scan("met last week.")[0],
            (
                "last week".into(),
                Expr::Rel {
                    unit: Unit::Week,
                    n: -1,
                    ana: false
                }
            )
        );
        assert_eq!(
            scan("opens next month")[0].1,
            Expr::Rel {
                unit: Unit::Month,
                n: 1,
                ana: false
            }
        );
        assert_eq!(
            scan("two years ago")[0],
            (
                "two years ago".into(),
                Expr::Rel {
                    unit: Unit::Year,
                    n: -2,
                    ana: false
                }
            )
        );
        assert_eq!(
            scan("Two days later, it")[0].1,
            Expr::Rel {
                unit: Unit::Day,
                n: 2,
                ana: true
            }
        );
        assert_eq!(
            scan("the following year")[0].1,
            Expr::Rel {
                unit: Unit::Year,
                n: 1,
                ana: true
            }
        );
        assert_eq!(scan("it was recently built")[0].1, Expr::Ref("PAST_REF"));
        assert_eq!(
            scan("46 years of cooperation")[0],
            (
                "46 years".into(),
                Expr::Duration {
                    n: Some(46),
                    unit: Unit::Year
                }
            )
        );
        assert_eq!(
            scan("for three months")[0].1,
            Expr::Duration {
                n: Some(3),
                unit: Unit::Month
            }
        );
        assert_eq!(
            scan("a two-day visit")[0],
            (
                "two-day".into(),
                Expr::Duration {
                    n: Some(2),
                    unit: Unit::Day
                }
            )
        );
        assert_eq!(
            scan("twenty-five years")[0].1,
            Expr::Duration {
                n: Some(25),
                unit: Unit::Year
            }
        );
        assert_eq!(
            scan("a few days")[0],
            (
                "a few days".into(),
                Expr::Duration {
                    n: None,
                    unit: Unit::Day
                }
            )
        );
        assert_eq!(scan("over the past five years")[0].0, "the past five years");
        assert_eq!(scan("in recent years")[0].0, "recent years");
        assert_eq!(
            scan("in the future")[0],
            ("the future".into(), Expr::Ref("FUTURE_REF"))
        );
        assert_eq!(
            scan("the meeting is held annually")[0].1,
            Expr::Set(Unit::Year)
        );
        assert_eq!(scan("at 10 a.m. on")[0].0, "10 a.m.");
        assert_eq!(scan("this morning")[0].0, "this morning");
    }
}
