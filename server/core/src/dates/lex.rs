//! A tiny on-demand lexer for the English recogniser: words (ASCII letters), numbers (with
//! ordinal suffixes and thousands groups), punctuation, CJK and other characters. Tokens are
//! read one at a time from a byte offset, forwards or backwards, so the recogniser only looks at
//! the few tokens around a trigger and the whole pass stays linear.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Num,
    Punct,
    Other,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Numbers: the value (saturating).
    pub val: u64,
    /// Numbers: how many digits (before any ordinal suffix).
    pub digits: u8,
    /// Numbers: `3rd`, `15th`.
    pub ordinal: bool,
    /// Numbers written with thousands separators (`33,000`).
    pub grouped: bool,
    /// Punctuation and other characters: the character.
    pub ch: char,
    /// Whitespace separates this token from the previous one.
    pub space: bool,
    /// A line break separates this token from the previous one.
    pub newline: bool,
}

impl Tok {
    pub fn is_word(&self, text: &str, w: &str) -> bool {
        self.kind == Kind::Word
            && text
                .get(self.start..self.end)
                .is_some_and(|s| s.eq_ignore_ascii_case(w))
    }

    pub fn is_punct(&self, c: char) -> bool {
        matches!(self.kind, Kind::Punct | Kind::Other) && self.ch == c
    }

    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// The word lowercased into `buf` (words longer than the buffer give ""); a word already
    /// in lowercase is returned as it is in `text`, without copying or validating it again.
    pub fn lower<'b>(&self, text: &'b str, buf: &'b mut [u8; 16]) -> &'b str {
        let word = self.slice(text);
        let s = word.as_bytes();
        if self.kind != Kind::Word || s.len() > buf.len() {
            return "";
        }
        if !s.iter().any(u8::is_ascii_uppercase) {
            return word;
        }
        for (i, b) in s.iter().enumerate() {
            buf[i] = b.to_ascii_lowercase();
        }
        std::str::from_utf8(&buf[..s.len()]).unwrap_or("")
    }

    /// Starts with an uppercase letter.
    pub fn capitalised(&self, text: &str) -> bool {
        text.as_bytes()
            .get(self.start)
            .is_some_and(|b| b.is_ascii_uppercase())
    }
}

/// A word lowercased (ASCII) without allocating. Words longer than the buffer become `#`,
/// which equals none of the words the grammar compares with.
#[derive(Clone, Copy, Default)]
pub(crate) struct Lower {
    buf: [u8; 24],
    len: u8,
}

impl Lower {
    pub fn of(s: &str) -> Lower {
        let mut buf = [0u8; 24];
        let b = s.as_bytes();
        if b.len() > buf.len() {
            buf[0] = b'#';
            return Lower { buf, len: 1 };
        }
        for (d, c) in buf.iter_mut().zip(b) {
            *d = c.to_ascii_lowercase();
        }
        Lower {
            buf,
            len: b.len() as u8,
        }
    }

    /// The lowercase bytes (valid UTF-8: ASCII letters lowercased in a `str`, or `#`).
    fn bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or(b"#")
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("#")
    }
}

impl std::ops::Deref for Lower {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

// Compared as bytes: what comparing `as_str()` says, without validating the UTF-8 again.
impl PartialEq<str> for Lower {
    fn eq(&self, other: &str) -> bool {
        self.bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Lower {
    fn eq(&self, other: &&str) -> bool {
        self.bytes() == other.as_bytes()
    }
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..)?.chars().next()
}

fn char_before(text: &str, pos: usize) -> Option<char> {
    text.get(..pos)?.chars().next_back()
}

pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The token starting at or after `pos` (skipping whitespace), or `None` at the end.
pub(crate) fn next(text: &str, mut pos: usize) -> Option<Tok> {
    let b = text.as_bytes();
    let mut space = false;
    let mut newline = false;
    let c = loop {
        // ASCII without decoding (what `char_at` and `is_space` say for it).
        let c = match b.get(pos) {
            Some(&a) if a < 0x80 => char::from(a),
            _ => char_at(text, pos)?,
        };
        if is_space(c) {
            space = true;
            newline |= c == '\n' || c == '\r';
            pos += c.len_utf8();
            continue;
        }
        break c;
    };
    let start = pos;
    let mut t = Tok {
        start,
        end: start + c.len_utf8(),
        kind: Kind::Other,
        val: 0,
        digits: 0,
        ordinal: false,
        grouped: false,
        ch: c,
        space,
        newline,
    };
    if c.is_ascii_alphabetic() {
        let mut e = start;
        while e < b.len() && b[e].is_ascii_alphabetic() {
            e += 1;
        }
        t.kind = Kind::Word;
        t.end = e;
    } else if c.is_ascii_digit() {
        let mut e = start;
        let mut val: u64 = 0;
        while e < b.len() && b[e].is_ascii_digit() {
            val = val
                .saturating_mul(10)
                .saturating_add(u64::from(b[e] - b'0'));
            e += 1;
        }
        let digits = (e - start).min(255) as u8;
        t.kind = Kind::Num;
        t.digits = digits;
        // Thousands groups: 33,000 / 1,000,000 (only after a short first group).
        if digits <= 3 {
            while e + 3 < b.len() + 1
                && b.get(e) == Some(&b',')
                && b.get(e + 1..e + 4)
                    .is_some_and(|g| g.iter().all(u8::is_ascii_digit))
                && !b.get(e + 4).is_some_and(u8::is_ascii_digit)
            {
                for &g in &b[e + 1..e + 4] {
                    val = val.saturating_mul(10).saturating_add(u64::from(g - b'0'));
                }
                t.grouped = true;
                e += 4;
            }
        }
        // Ordinal suffix.
        if !t.grouped && e + 2 <= b.len() {
            let suf = [b[e].to_ascii_lowercase(), b[e + 1].to_ascii_lowercase()];
            let after_letter = b.get(e + 2).is_some_and(u8::is_ascii_alphabetic);
            if matches!(&suf, b"st" | b"nd" | b"rd" | b"th") && !after_letter {
                t.ordinal = true;
                e += 2;
            }
        }
        t.val = val;
        t.end = e;
    } else if c.is_ascii() {
        t.kind = Kind::Punct;
    }
    Some(t)
}

/// The token ending at or before `pos` (skipping whitespace backwards), or `None`.
pub(crate) fn prev(text: &str, pos: usize) -> Option<Tok> {
    let mut p = pos.min(text.len());
    let mut newline = false;
    let b = text.as_bytes();
    let c = loop {
        // An ASCII byte before `p` ends a character, so `p` is a boundary: no decoding.
        let c = match p.checked_sub(1).and_then(|i| b.get(i)) {
            Some(&a) if a < 0x80 => char::from(a),
            _ => char_before(text, p)?,
        };
        if is_space(c) {
            newline |= c == '\n' || c == '\r';
            p -= c.len_utf8();
            continue;
        }
        break c;
    };
    let end = p;
    let mut start = end - c.len_utf8();
    if c.is_ascii_alphabetic() || c.is_ascii_digit() {
        // Words and numbers: take the whole run, then re-lex forwards for the details.
        while start > 0 && b[start - 1].is_ascii_alphanumeric() {
            start -= 1;
        }
        if b.get(start..end)
            .is_some_and(|r| r.iter().all(u8::is_ascii_alphabetic))
        {
            // A plain word: the token is the whole run (what re-lexing it says).
            return Some(Tok {
                start,
                end,
                kind: Kind::Word,
                val: 0,
                digits: 0,
                ordinal: false,
                grouped: false,
                ch: char::from(b.get(start).copied().unwrap_or(b' ')),
                space: false,
                newline,
            });
        }
        // A run such as `15th` or `COP15`: find the start of the last token in it.
        let mut s = start;
        let mut last = start;
        while s < end {
            let Some(t) = next(text, s) else { break };
            if t.end > end || t.start >= end {
                break;
            }
            last = t.start;
            s = t.end;
        }
        start = last;
    }
    let mut t = next(text, start)?;
    if t.end > end {
        t.end = end;
    }
    // Whether whitespace precedes it is not known here; newline says whether one follows.
    t.newline = newline;
    Some(t)
}

/// A small set of needles (at most 32, each of at least two bytes, ASCII letters in
/// lowercase) searched for ignoring ASCII case: what `hay.to_ascii_lowercase().contains(n)`
/// says for some `n`, without allocating. Tables of the needles' first and second bytes (both
/// cases) leave a full comparison only where two bytes already match. The pipeline finds its
/// marks and cues with automata; this is the reference they are tested against.
#[cfg(test)]
pub(crate) struct Needles {
    list: &'static [&'static str],
    first: [u32; 256],
    second: [u32; 256],
}

#[cfg(test)]
impl Needles {
    pub const fn new(list: &'static [&'static str]) -> Needles {
        let mut first = [0u32; 256];
        let mut second = [0u32; 256];
        let mut i = 0;
        while i < list.len() && i < 32 {
            let n = list[i].as_bytes();
            if n.len() >= 2 {
                let mut k = 0;
                while k < 2 {
                    let lo = n[k].to_ascii_lowercase() as usize;
                    let up = n[k].to_ascii_uppercase() as usize;
                    if k == 0 {
                        first[lo] |= 1 << i;
                        first[up] |= 1 << i;
                    } else {
                        second[lo] |= 1 << i;
                        second[up] |= 1 << i;
                    }
                    k += 1;
                }
            }
            i += 1;
        }
        Needles {
            list,
            first,
            second,
        }
    }

    /// Whether one of the needles occurs in `hay`, ignoring ASCII case.
    pub fn found_in(&self, hay: &str) -> bool {
        self.first_match(hay.as_bytes(), 0).is_some()
    }

    /// The first occurrence (start, end) of a needle in `hay` starting at or after `from`
    /// (`hay` is UTF-8, possibly cut inside a character at either end).
    pub fn first_match(&self, hay: &[u8], from: usize) -> Option<(usize, usize)> {
        let mut i = from;
        while i + 1 < hay.len() {
            let f = self.first[usize::from(hay[i])];
            if f != 0 {
                let mut m = f & self.second[usize::from(hay[i + 1])];
                while m != 0 {
                    let j = m.trailing_zeros() as usize;
                    m &= m - 1;
                    let n = self.list[j].as_bytes();
                    if hay
                        .get(i..i + n.len())
                        .is_some_and(|x| x.eq_ignore_ascii_case(n))
                    {
                        return Some((i, i + n.len()));
                    }
                }
            }
            // Needles start at character boundaries: step over whole characters.
            const STEP: [u8; 16] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4];
            i += usize::from(STEP[usize::from(hay[i] >> 4)]);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut p = 0;
        while let Some(t) = next(s, p) {
            out.push(format!("{:?}:{}", t.kind, t.slice(s)));
            p = t.end;
        }
        out
    }

    #[test]
    fn lexes_numbers_ordinals_and_groups() {
        assert_eq!(
            toks("On 15th Oct, 33,000 COP15 3.5%"),
            [
                "Word:On",
                "Num:15th",
                "Word:Oct",
                "Punct:,",
                "Num:33,000",
                "Word:COP",
                "Num:15",
                "Num:3",
                "Punct:.",
                "Num:5",
                "Punct:%"
            ]
        );
        let t = next("  1st", 0).unwrap();
        assert!(t.ordinal && t.val == 1 && t.space);
    }

    #[test]
    fn finds_needles_ignoring_ascii_case() {
        static N: Needles = Needles::new(&["copyright", "©", "版權所有", "all rights reserved"]);
        let n = ["copyright", "©", "版權所有", "all rights reserved"];
        for (hay, found) in [
            ("COPYRIGHT 2019", true),
            ("Copyright", true),
            ("© 1996", true),
            ("版權所有：中國科學院", true),
            ("All Rights Reserved.", true),
            ("copyrigh", false),
            ("all rights", false),
            ("", false),
            ("版权", false),
            ("中文段落，版權所有", true),
            ("é©", true),
            ("𠀀copyright", true),
            ("中文段落，版權所", false),
        ] {
            assert_eq!(N.found_in(hay), found, "{hay}");
            // From any byte, cut characters included: the matches that start there or later.
            for from in 0..hay.len() {
                let expect = (from..hay.len()).any(|i| {
                    n.iter().any(|x| {
                        hay.as_bytes()
                            .get(i..i + x.len())
                            .is_some_and(|w| w.eq_ignore_ascii_case(x.as_bytes()))
                    })
                });
                assert_eq!(
                    N.first_match(hay.as_bytes(), from).is_some(),
                    expect,
                    "{hay} from {from}"
                );
            }
            let lower = hay.to_ascii_lowercase();
            assert_eq!(n.iter().any(|x| lower.contains(x)), found, "{hay}");
        }
    }

    #[test]
    fn lexes_backwards() {
        let s = "in the 15th";
        let t = prev(s, s.len()).unwrap();
        assert_eq!(t.slice(s), "15th");
        let t = prev(s, t.start).unwrap();
        assert_eq!(t.slice(s), "the");
        let s = "COP15";
        assert_eq!(prev(s, 5).unwrap().slice(s), "15");
        assert!(prev("   ", 3).is_none());
        assert_eq!(prev("日 x", 4).map(|t| t.ch), Some('日'));
    }
}
