//! Normalised tokens for name matching: the text is cut into words (letters and digits,
//! case and diacritics folded) and single CJK characters (Traditional folded to
//! Simplified), each token keeping its exact byte span in the original text. Separators
//! (spaces, NBSPs, line breaks, hyphens and dashes, commas, apostrophes) vanish, so "KUST’s",
//! "Mohan‑Boten" or a name broken over two lines match like their plain forms; brackets,
//! sentence punctuation of CJK text and blank lines are hard breaks no name crosses. The
//! inline pinyin that conversion tools leave after characters (`學(xué)`) is skipped.
//!
//! Each token carries a 64-bit hash of its folded form; the matcher compares hashes, so
//! no normalised copy of the text is built and the work is linear in the text.

/// Token flags.
pub const CJK: u8 = 1;
/// First letter uppercase (`Kunming`, `KUST`).
pub const CAP: u8 = 2;
/// At least two letters, all uppercase (`KUST`, `CNRS`, `COP15`).
pub const ALLCAPS: u8 = 4;
/// Contains an uppercase letter.
pub const UPPER: u8 = 8;
/// A line break lies between this token and the previous one.
pub const NEWLINE: u8 = 16;
/// A hard break (bracket, CJK sentence punctuation, blank line, start of range) lies before.
pub const BREAK: u8 = 32;
/// Only digits.
pub const DIGITS: u8 = 64;
/// Never set by [`tokenize`]: a scratch mark for passes over tokens (cleared after use).
pub const COVERED: u8 = 128;

/// 12 bytes: a CJK text has a token per character, so tokens must stay small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset in the original text.
    pub start: u32,
    /// Hash of the folded form (32 bits: one-word names and acronyms are also compared
    /// exactly, so a collision cannot make a false mention on its own).
    pub hash: u32,
    len: u16,
    pub flags: u8,
    /// Only ASCII letters (`march`, `Kunming`; shorter than `u16::MAX` bytes), so the hash is
    /// that of its lowercased bytes: the date scan tells such a word from its head words by
    /// the hash alone.
    pub plain: bool,
}

/// Whether a word of `bytes` bytes, `letters` of its characters letters, is plain: every
/// byte a letter, and short enough for its length to be kept whole.
fn is_plain(bytes: usize, letters: u32) -> bool {
    bytes == letters as usize && bytes < u16::MAX as usize
}

// Adding `plain` took the padding byte: a token is still 12 bytes.
const _: () = assert!(std::mem::size_of::<Token>() == 12);

impl Token {
    pub fn new(start: usize, end: usize, hash: u64, flags: u8) -> Token {
        Token {
            start: start as u32,
            hash: (hash ^ (hash >> 32)) as u32,
            len: end.saturating_sub(start).min(u16::MAX as usize) as u16,
            flags,
            plain: false,
        }
    }

    /// A word's token, `letters` of its characters being letters: it is plain when every
    /// byte is a letter (a letter of two or more bytes, a digit or a mark makes fewer letters
    /// than bytes).
    fn word(start: usize, end: usize, hash: u64, flags: u8, letters: u32) -> Token {
        Token {
            plain: is_plain(end.saturating_sub(start), letters),
            ..Token::new(start, end, hash, flags)
        }
    }

    /// Byte offset of the end in the original text.
    pub fn end(&self) -> u32 {
        self.start + u32::from(self.len)
    }

    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start as usize..self.end() as usize)
            .unwrap_or("")
    }
}

/// The hash a token carries for a folded word (`token_hash(hash_word("university"))`).
pub fn token_hash(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline]
const fn fnv_byte(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

#[inline]
fn fnv_char(mut h: u64, c: char) -> u64 {
    let mut buf = [0u8; 4];
    for &b in c.encode_utf8(&mut buf).as_bytes() {
        h = fnv_byte(h, b);
    }
    h
}

/// The hash of a folded word, as tokens carry it (`hash_word("university")`).
pub const fn hash_word(folded: &str) -> u64 {
    let b = folded.as_bytes();
    let mut h = FNV_OFFSET;
    let mut i = 0;
    while i < b.len() {
        h = fnv_byte(h, b[i]);
        i += 1;
    }
    h
}

const AND_HASH: u64 = hash_word("and");

/// Whether a character is written without spaces between words (Han, kana, Hangul, Thai,
/// Lao, Khmer, Myanmar): each such character is a token of its own.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x3040..=0x30FF // kana
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF // Hangul
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F)
}

/// Whether a character is a Han character.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_hard_break(c: char) -> bool {
    matches!(
        c,
        '(' | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '（'
            | '）'
            | '【'
            | '】'
            | '。'
            | '；'
            | ';'
            | '!'
            | '?'
            | '！'
            | '？'
            | '|'
            | '、'
            | '，'
            | '《'
            | '》'
            | '「'
            | '」'
            | '『'
            | '』'
            | '：'
            | '〔'
            | '〕'
    )
}

/// Folds a Latin letter to its base lowercase letters (`É` → `e`, `ß` → `ss`, `ı` → `i`).
/// Returns `None` for characters that fold to themselves lowercased.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' | 'ǎ' | 'Ǎ' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Ĉ' | 'ĉ' | 'Ċ' | 'ċ' | 'Č' | 'č' => "c",
        'Ð' | 'ð' | 'Ď' | 'ď' | 'Đ' | 'đ' => "d",
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ĕ' | 'ĕ' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => {
            "e"
        }
        'Ĝ' | 'ĝ' | 'Ğ' | 'ğ' | 'Ġ' | 'ġ' | 'Ģ' | 'ģ' => "g",
        'Ĥ' | 'ĥ' | 'Ħ' | 'ħ' => "h",
        'Ì'..='Ï'
        | 'ì'..='ï'
        | 'Ĩ'
        | 'ĩ'
        | 'Ī'
        | 'ī'
        | 'Ĭ'
        | 'ĭ'
        | 'Į'
        | 'į'
        | 'İ'
        | 'ı'
        | 'ǐ'
        | 'Ǐ' => "i",
        'Ĵ' | 'ĵ' => "j",
        'Ķ' | 'ķ' => "k",
        'Ĺ' | 'ĺ' | 'Ļ' | 'ļ' | 'Ľ' | 'ľ' | 'Ŀ' | 'ŀ' | 'Ł' | 'ł' => "l",
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ņ' | 'ņ' | 'Ň' | 'ň' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ŏ' | 'ŏ' | 'Ő' | 'ő' | 'ǒ' | 'Ǒ' => {
            "o"
        }
        'Œ' | 'œ' => "oe",
        'Ŕ' | 'ŕ' | 'Ŗ' | 'ŗ' | 'Ř' | 'ř' => "r",
        'Ś' | 'ś' | 'Ŝ' | 'ŝ' | 'Ş' | 'ş' | 'Š' | 'š' | 'Ș' | 'ș' => "s",
        'ß' => "ss",
        'Ţ' | 'ţ' | 'Ť' | 'ť' | 'Ŧ' | 'ŧ' | 'Ț' | 'ț' => "t",
        'Þ' | 'þ' => "th",
        'Ù'..='Ü'
        | 'ù'..='ü'
        | 'Ũ'
        | 'ũ'
        | 'Ū'
        | 'ū'
        | 'Ŭ'
        | 'ŭ'
        | 'Ů'
        | 'ů'
        | 'Ű'
        | 'ű'
        | 'Ų'
        | 'ų'
        | 'ǔ'
        | 'Ǔ'
        | 'ǖ'
        | 'ǘ'
        | 'ǚ'
        | 'ǜ' => "u",
        'Ŵ' | 'ŵ' => "w",
        'Ý' | 'ý' | 'ÿ' | 'Ÿ' | 'Ŷ' | 'ŷ' => "y",
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => "z",
        _ => return None,
    })
}

/// Lowercase pinyin letters, with tone marks.
fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase()
        || matches!(
            c,
            'ā' | 'á'
                | 'ǎ'
                | 'à'
                | 'ē'
                | 'é'
                | 'ě'
                | 'è'
                | 'ī'
                | 'í'
                | 'ǐ'
                | 'ì'
                | 'ō'
                | 'ó'
                | 'ǒ'
                | 'ò'
                | 'ū'
                | 'ú'
                | 'ǔ'
                | 'ù'
                | 'ü'
                | 'ǖ'
                | 'ǘ'
                | 'ǚ'
                | 'ǜ'
                | 'ê'
                | 'ń'
                | 'ň'
                | 'ǹ'
                | 'ḿ'
        )
}

/// If `rest` (starting at an opening bracket that follows a CJK character) is an inline
/// pinyin group such as `(xué)`, its length in bytes.
pub fn pinyin_group_len(rest: &str) -> Option<usize> {
    let mut it = rest.char_indices();
    let (_, open) = it.next()?;
    if open != '(' && open != '（' {
        return None;
    }
    for (letters, (i, c)) in it.enumerate() {
        if c == ')' || c == '）' {
            return (1..=7).contains(&letters).then_some(i + c.len_utf8());
        }
        if !is_pinyin_letter(c) || letters > 7 {
            return None;
        }
    }
    None
}

/// `s` without the inline pinyin groups that follow its Han characters (`中國科學(xué)院` →
/// `中國科學院`), as pages copied from some Chinese sites carry them.
pub fn without_pinyin(s: &str) -> std::borrow::Cow<'_, str> {
    let mut out = String::new();
    let mut kept = 0; // `s[..kept]` is in `out` (or nothing was removed yet)
    let mut prev = None;
    for (i, c) in s.char_indices() {
        if i < kept {
            continue;
        }
        if prev.is_some_and(is_han) {
            if let Some(n) = s.get(i..).and_then(pinyin_group_len) {
                out.push_str(s.get(kept..i).unwrap_or(""));
                kept = i + n;
                continue;
            }
        }
        prev = Some(c);
    }
    if kept == 0 {
        return std::borrow::Cow::Borrowed(s);
    }
    out.push_str(s.get(kept..).unwrap_or(""));
    std::borrow::Cow::Owned(out)
}

/// Folds one character of a word into `h` (lowercase, diacritics removed).
#[inline]
fn fold_into(h: u64, c: char) -> u64 {
    if c.is_ascii() {
        return fnv_byte(h, (c as u8).to_ascii_lowercase());
    }
    if let Some(s) = fold_latin(c) {
        return s.bytes().fold(h, fnv_byte);
    }
    if ('\u{300}'..='\u{36f}').contains(&c) {
        return h; // combining marks
    }
    let mut h = h;
    for l in c.to_lowercase() {
        h = fnv_char(h, l);
    }
    h
}

/// The folded form of a word, for building hashes from names (`hash_word(&fold("Université"))`).
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_word_into(word, &mut out);
    out
}

/// [`fold`], appending to `out` (for callers folding many words into one buffer).
pub fn fold_word_into(word: &str, out: &mut String) {
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(s) = fold_latin(c) {
            out.push_str(s);
        } else if !('\u{300}'..='\u{36f}').contains(&c) {
            out.extend(c.to_lowercase());
        }
    }
}

/// Spelling variants and abbreviations read as one word: Centre/Center,
/// Organisation/Organization, Univ./University, Inst./Institute, Lab/Laboratory, Natl/National.
const SYNONYMS: &[(&str, &str)] = &[
    ("centre", "center"),
    ("centres", "centers"),
    ("organisation", "organization"),
    ("univ", "university"),
    ("inst", "institute"),
    ("lab", "laboratory"),
    ("labs", "laboratories"),
    ("natl", "national"),
    ("dept", "department"),
    ("acad", "academy"),
];

const SYNONYM_HASHES: [(u64, u64); SYNONYMS.len()] = {
    let mut t = [(0, 0); SYNONYMS.len()];
    let mut i = 0;
    while i < SYNONYMS.len() {
        t[i] = (hash_word(SYNONYMS[i].0), hash_word(SYNONYMS[i].1));
        i += 1;
    }
    t
};

/// One bit per synonym (by its hash's low six bits): most words are told apart by one test.
const SYNONYM_BITS: u64 = {
    let mut bits = 0u64;
    let mut i = 0;
    while i < SYNONYM_HASHES.len() {
        bits |= 1 << (SYNONYM_HASHES[i].0 & 63);
        i += 1;
    }
    bits
};

#[inline]
fn synonym(h: u64) -> u64 {
    if SYNONYM_BITS & (1 << (h & 63)) == 0 {
        return h;
    }
    for &(a, b) in &SYNONYM_HASHES {
        if a == h {
            return b;
        }
    }
    h
}

/// The hash of a CJK character's token (Traditional folded to Simplified), as tokens carry
/// it.
#[inline]
fn cjk_hash(c: char) -> u32 {
    let code = c as u32;
    if let Some(&h) = code
        .checked_sub(HAN_FROM)
        .and_then(|k| han_hashes().get(k as usize))
    {
        return h;
    }
    token_hash(fnv_char(FNV_OFFSET, c))
}

/// The Han blocks where Traditional characters fold to Simplified ones.
const HAN_FROM: u32 = 0x3400;
const HAN_TO: u32 = 0x9FFF;

/// Traditional → Simplified for one character, with `fast2s` (a maintained crate whose
/// conversion maps each character to exactly one character, so positions stay exact; its
/// few context-dependent cases are irrelevant to names). Tokens read [`han_hashes`],
/// built from the characters it changes, listed by the build.
#[cfg(test)]
fn simplify(c: char) -> char {
    if !(HAN_FROM..=HAN_TO).contains(&(c as u32)) {
        return c;
    }
    fast2s::convert(c.encode_utf8(&mut [0; 4]))
        .chars()
        .next()
        .unwrap_or(c)
}

mod han_simplified {
    include!(concat!(env!("OUT_DIR"), "/han_simplified.rs"));
}

/// The token hash of every character from `HAN_FROM` to `HAN_TO`, simplified, computed
/// once: a Han character's token costs one load.
fn han_hashes() -> &'static [u32] {
    static TABLE: std::sync::OnceLock<Box<[u32]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Box<[u32]> = (HAN_FROM..=HAN_TO)
            .map(|u| token_hash(fnv_char(FNV_OFFSET, char::from_u32(u).unwrap_or(' '))))
            .collect();
        for &(traditional, simplified) in han_simplified::PAIRS {
            if let Some(h) = (traditional as u32)
                .checked_sub(HAN_FROM)
                .and_then(|k| table.get_mut(k as usize))
            {
                *h = token_hash(fnv_char(FNV_OFFSET, simplified));
            }
        }
        table
    })
}

/// Per byte: the folded byte of an ASCII letter or digit (lowercase), 0 for any other byte.
const WORD_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// Per byte: 1 for an ASCII letter, plus 1 << 32 for an uppercase one; 1 << 63 for a byte
/// that is not an ASCII letter or digit, so that adding it to a run's counts (below
/// 1 << 63) both ends the run and says so by the sum's sign.
const LETTER_COUNTS: [u64; 256] = {
    let mut t = [1u64 << 63; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = 0;
        }
        if c.is_ascii_alphabetic() {
            t[b] = 1;
        }
        if c.is_ascii_uppercase() {
            t[b] |= 1 << 32;
        }
        b += 1;
    }
    t
};

/// [`LETTER_COUNTS`] and [`WORD_BYTE`] in one place, so that the word loop addresses both
/// from one register.
struct RunTables {
    counts: [u64; 256],
    folded: [u8; 256],
}

static RUN: RunTables = RunTables {
    counts: LETTER_COUNTS,
    folded: WORD_BYTE,
};

/// The run of ASCII letters and digits that starts `rest`: its length, `h` with the run's
/// folded bytes hashed in, and its letters plus its uppercase letters << 32.
///
/// Eight bytes at a time while eight remain, unrolled: a byte costs its two table loads
/// and its two hash steps, with no bounds test or counter of its own. The counts' add also
/// tests for the end of the run: a byte that ends it adds the top bit ([`LETTER_COUNTS`]),
/// which no run's counts reach (that would take 2^31 uppercase letters in one word).
#[inline(always)]
fn ascii_run(rest: &[u8], mut h: u64) -> (usize, u64, u64) {
    let mut counts = 0u64;
    let mut n = 0;
    const STOP: u64 = 1 << 63;
    macro_rules! byte {
        ($c:expr, $k:expr) => {
            counts = counts.wrapping_add(RUN.counts[$c as usize]);
            if counts & STOP != 0 {
                return (n + $k, h, counts & !STOP);
            }
            h = fnv_byte(h, RUN.folded[$c as usize]);
        };
    }
    while let Some(&[c0, c1, c2, c3, c4, c5, c6, c7]) = rest.get(n..n + 8) {
        byte!(c0, 0);
        byte!(c1, 1);
        byte!(c2, 2);
        byte!(c3, 3);
        byte!(c4, 4);
        byte!(c5, 5);
        byte!(c6, 6);
        byte!(c7, 7);
        n += 8;
    }
    for &c in rest.get(n..).unwrap_or(&[]) {
        counts = counts.wrapping_add(RUN.counts[c as usize]);
        if counts & STOP != 0 {
            return (n, h, counts & !STOP);
        }
        h = fnv_byte(h, RUN.folded[c as usize]);
        n += 1;
    }
    (n, h, counts)
}

/// Reads the ASCII words that start at `i` (a letter or digit) and follow each other with
/// only separators (spaces, commas, full stops, …) between, pushing their tokens (offsets shifted by `from`; the first takes the
/// flags `pending`); stops at any other byte. Returns where it stopped, the last word when a
/// byte of 0x80 or more follows it (it may go on: "Universität"), and whether it pushed any
/// token. Apart from [`tokenize`]'s loop so that its few variables stay in registers.
#[inline(never)]
fn ascii_words(
    bytes: &[u8],
    mut i: usize,
    from: usize,
    mut pending: u8,
    out: &mut Vec<Token>,
) -> (usize, Option<Word>, bool) {
    let mut pushed = false;
    loop {
        let start = i;
        let rest = bytes.get(i..).unwrap_or(&[]);
        let (n, h, counts) = ascii_run(rest, FNV_OFFSET);
        i += n;
        let next = rest.get(n).copied();
        let (letters, uppers) = (counts as u32, (counts >> 32) as u32);
        // A capital first letter means an uppercase letter: most words, in lowercase, skip
        // all three tests.
        let cap = |rest: &[u8]| {
            if rest.first().is_some_and(u8::is_ascii_uppercase) {
                CAP
            } else {
                0
            }
        };
        if next.is_some_and(|c| c >= 0x80) {
            let w = Word {
                start: from + start,
                hash: h,
                flags: pending | cap(rest),
                letters,
                uppers,
            };
            return (i, Some(w), pushed);
        }
        let mut flags = pending;
        if uppers > 0 {
            flags |= UPPER | cap(rest);
            if letters >= 2 && uppers == letters {
                flags |= ALLCAPS;
            }
        }
        if letters == 0 {
            flags |= DIGITS;
        }
        out.push(Token {
            start: (from + start) as u32,
            hash: token_hash(synonym(h)),
            len: n.min(u16::MAX as usize) as u16,
            flags,
            plain: is_plain(n, letters),
        });
        pending = 0;
        pushed = true;
        // Spaces and punctuation that only separate words (", ", ". "), as `tokenize`'s
        // loop reads them.
        while bytes.get(i).is_some_and(|&c| SEPARATOR[c as usize]) {
            i += 1;
        }
        if bytes.get(i).is_none_or(|&c| RUN.folded[c as usize] == 0) {
            return (i, None, pushed);
        }
    }
}

/// ASCII bytes that only end a word: neither letters nor digits nor [`SPECIAL`].
const SEPARATOR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = !(b as u8).is_ascii_alphanumeric() && !SPECIAL[b];
        b += 1;
    }
    t
};

/// ASCII bytes handled one by one: `&`, line breaks and hard breaks.
const SPECIAL: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = matches!(
            b as u8,
            b'&' | b'\n'
                | b'\r'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b';'
                | b'!'
                | b'?'
                | b'|'
        );
        b += 1;
    }
    t
};

/// Punctuation and spaces common in news text (Latin-1, general punctuation, CJK and
/// fullwidth punctuation) that are surely neither letters nor digits: they skip the slow
/// Unicode lookup of `char::is_alphanumeric`.
#[inline]
fn surely_not_alphanumeric(c: char) -> bool {
    matches!(c as u32,
        0x80..=0xA9
        | 0xAB..=0xB1
        | 0xB4
        | 0xB6..=0xB8
        | 0xBB
        | 0xBF
        | 0x2000..=0x206F
        | 0x3000..=0x3004
        | 0x3008..=0x3020
        | 0x3030
        | 0x303D..=0x303F
        | 0xFF00..=0xFF0F
        | 0xFF1A..=0xFF20
        | 0xFF3B..=0xFF40
        | 0xFF5B..=0xFF65)
}

/// The word being read by [`tokenize`].
struct Word {
    start: usize,
    hash: u64,
    flags: u8,
    letters: u32,
    uppers: u32,
}

impl Word {
    #[inline]
    fn finish(self, end: usize) -> Token {
        let mut f = self.flags;
        if self.uppers > 0 {
            f |= UPPER;
        }
        if self.letters >= 2 && self.uppers == self.letters {
            f |= ALLCAPS;
        }
        if self.letters == 0 {
            f |= DIGITS;
        }
        Token::word(self.start, end, synonym(self.hash), f, self.letters)
    }
}

/// Pushes a token for each Han character from `i` on (offsets shifted by `from`; `table`
/// is [`han_hashes`]); returns where they stop. Apart from [`tokenize`]'s loop so that its
/// few variables stay in registers.
#[inline(never)]
fn han_run(bytes: &[u8], mut i: usize, from: usize, table: &[u32], out: &mut Vec<Token>) -> usize {
    // The Yijing hexagrams between the two Han blocks, as offsets into `table`.
    const GAP: std::ops::Range<u32> = 0x4DC0 - HAN_FROM..0x4E00 - HAN_FROM;
    while let Some(&[c0, c1, c2]) = bytes.get(i..i + 3) {
        if !(0xE3..=0xE9).contains(&c0) {
            break;
        }
        // From 0x3000 to 0x9FFF: the table ends at HAN_TO.
        let code = u32::from(c0 & 0x0F) << 12 | u32::from(c1 & 0x3F) << 6 | u32::from(c2 & 0x3F);
        let k = code.wrapping_sub(HAN_FROM);
        if GAP.contains(&k) {
            break;
        }
        let Some(&hash) = table.get(k as usize) else {
            break;
        };
        out.push(Token {
            start: (from + i) as u32,
            hash,
            len: 3,
            flags: CJK,
            plain: false,
        });
        i += 3;
    }
    i
}

/// Cuts `text[from..to]` into tokens (offsets are into `text`).
///
/// ASCII letters and digits are folded and hashed byte by byte without decoding (the bulk
/// of English text), Han characters hashed by one table load (the bulk of Chinese text);
/// other characters are decoded and classified one by one.
pub fn tokenize(text: &str, from: usize, to: usize) -> Vec<Token> {
    let Some(slice) = text.get(from..to) else {
        return Vec::new();
    };
    // About a token per 5 bytes of ASCII and per CJK character (a lead byte of 3 or 4).
    let wide = slice
        .as_bytes()
        .chunks(255)
        .map(|c| c.iter().map(|&b| u8::from(b >= 0xE0)).sum::<u8>() as usize)
        .sum::<usize>();
    let mut out = Vec::with_capacity((slice.len().saturating_sub(3 * wide)) / 5 + wide + 1);
    let mut pending: u8 = BREAK;
    let mut newlines = 0u8;
    let mut word: Option<Word> = None;
    let mut prev_cjk = false;
    // Fetched at the first Han character: a text without any needs no table.
    let mut han: Option<&[u32]> = None;
    let bytes = slice.as_bytes();
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        let at = from + i;
        let folded = WORD_BYTE[b as usize];
        if folded != 0 {
            if let Some(mut w) = word.take() {
                // ASCII letters and digits continuing a word ("Universität").
                let (n, h, counts) = ascii_run(bytes.get(i..).unwrap_or(&[]), w.hash);
                i += n;
                w.hash = h;
                w.letters += counts as u32;
                w.uppers += (counts >> 32) as u32;
                word = Some(w);
                continue;
            }
            // Plain ASCII words, one after the other while only separators come between.
            prev_cjk = false;
            let (next, unfinished, pushed) = ascii_words(bytes, i, from, pending, &mut out);
            i = next;
            word = unfinished;
            if pushed {
                pending = 0;
                newlines = 0;
            }
            continue;
        }
        if b < 0x80 {
            // Any other character ends the current word.
            if let Some(w) = word.take() {
                out.push(w.finish(at));
                pending = 0;
                newlines = 0;
            }
            let after_cjk = std::mem::replace(&mut prev_cjk, false);
            if SPECIAL[b as usize] {
                match b {
                    b'&' => {
                        out.push(Token::new(at, at + 1, AND_HASH, pending));
                        pending = 0;
                        newlines = 0;
                    }
                    b'\n' => {
                        newlines = newlines.saturating_add(1);
                        pending |= NEWLINE;
                        if newlines >= 2 {
                            pending |= BREAK;
                        }
                    }
                    b'\r' => {
                        if bytes.get(i + 1) != Some(&b'\n') {
                            newlines = newlines.saturating_add(1);
                            pending |= NEWLINE;
                            if newlines >= 2 {
                                pending |= BREAK;
                            }
                        }
                    }
                    b'(' if after_cjk => {
                        if let Some(n) = slice.get(i..).and_then(pinyin_group_len) {
                            i += n;
                            prev_cjk = true; // 學(xué)院 reads as 學院
                            continue;
                        }
                        pending |= BREAK;
                    }
                    _ => pending |= BREAK,
                }
            }
            i += 1;
            continue;
        }
        // A Han character (three bytes in UTF-8, `i` on a character boundary).
        if (0xE3..=0xE9).contains(&b) {
            if let (Some(&b1), Some(&b2)) = (bytes.get(i + 1), bytes.get(i + 2)) {
                let code =
                    u32::from(b & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F);
                if matches!(code, 0x3400..=0x4DBF | 0x4E00..=0x9FFF) {
                    let table = *han.get_or_insert_with(han_hashes);
                    if let Some(&hash) = table.get((code - HAN_FROM) as usize) {
                        if let Some(w) = word.take() {
                            out.push(w.finish(at));
                            pending = 0;
                        }
                        out.push(Token {
                            start: at as u32,
                            hash,
                            len: 3,
                            flags: pending | CJK,
                            plain: false,
                        });
                        pending = 0;
                        newlines = 0;
                        prev_cjk = true;
                        // The Han characters that follow, in a loop of their own.
                        i = han_run(bytes, i + 3, from, table, &mut out);
                        continue;
                    }
                }
            }
        }
        // Punctuation of three bytes common in CJK and news text (`，`, `。`, `、`, `“`, `（`):
        // neither a letter nor a digit nor CJK, so it only ends the word, as below, without
        // decoding.
        if matches!(b, 0xE2 | 0xE3 | 0xEF) {
            if let (Some(&b1), Some(&b2)) = (bytes.get(i + 1), bytes.get(i + 2)) {
                let code =
                    u32::from(b & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F);
                if let Some(c) = char::from_u32(code).filter(|&c| surely_not_alphanumeric(c)) {
                    if let Some(w) = word.take() {
                        out.push(w.finish(at));
                        pending = 0;
                        newlines = 0;
                    }
                    if prev_cjk && c == '（' {
                        if let Some(n) = slice.get(i..).and_then(pinyin_group_len) {
                            i += n;
                            continue; // stays "after a CJK char"
                        }
                    }
                    prev_cjk = false;
                    if is_hard_break(c) {
                        pending |= BREAK;
                    }
                    i += 3;
                    continue;
                }
            }
        }
        // Any other character: decoded.
        let Some(c) = slice.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        let len = c.len_utf8();
        let cjk = is_cjk(c);
        let is_word_char = (!cjk && !surely_not_alphanumeric(c) && c.is_alphanumeric())
            || (('\u{300}'..='\u{36f}').contains(&c) && word.is_some());
        if is_word_char {
            let (upper, lower) = (c.is_uppercase(), c.is_lowercase());
            let w = word.get_or_insert(Word {
                start: at,
                hash: FNV_OFFSET,
                flags: pending | if upper { CAP } else { 0 },
                letters: 0,
                uppers: 0,
            });
            w.hash = fold_into(w.hash, c);
            if upper || lower {
                w.letters += 1;
            }
            if upper {
                w.uppers += 1;
            }
            prev_cjk = false;
            i += len;
            continue;
        }
        if let Some(w) = word.take() {
            out.push(w.finish(at));
            pending = 0;
            newlines = 0;
        }
        if cjk {
            out.push(Token {
                start: at as u32,
                hash: cjk_hash(c),
                len: len as u16,
                flags: pending | CJK,
                plain: false,
            });
            pending = 0;
            newlines = 0;
            prev_cjk = true;
            i += len;
            continue;
        }
        if prev_cjk && c == '（' {
            if let Some(n) = slice.get(i..).and_then(pinyin_group_len) {
                i += n;
                continue; // stays "after a CJK char"
            }
        }
        prev_cjk = false;
        if is_hard_break(c) {
            pending |= BREAK;
        }
        i += len;
    }
    if let Some(w) = word.take() {
        out.push(w.finish(to));
    }
    out
}

/// Tokens of a whole string (for names).
pub fn tokenize_str(s: &str) -> Vec<Token> {
    tokenize(s, 0, s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokenizer as first written, char by char: the fast one must agree with it.
    fn tokenize_reference(text: &str, from: usize, to: usize) -> Vec<Token> {
        let mut out = Vec::with_capacity((to.saturating_sub(from)) / 5 + 1);
        let Some(slice) = text.get(from..to) else {
            return out;
        };
        let and_hash = hash_word("and");
        let mut pending: u8 = BREAK;
        let mut newlines = 0u8;
        let mut word: Option<(usize, u64, u8, u32, u32)> = None; // start, hash, flags, letters, uppers
        let mut prev_cjk = false;
        let mut skip_until = 0usize;
        let bytes = slice.as_bytes();
        for (i, c) in slice.char_indices() {
            if i < skip_until {
                continue;
            }
            let at = from + i;
            let is_word_char = if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                (!is_cjk(c) && c.is_alphanumeric())
                    || (('\u{300}'..='\u{36f}').contains(&c) && word.is_some())
            };
            if is_word_char {
                let (upper, lower) = (c.is_uppercase(), c.is_lowercase());
                match &mut word {
                    Some((_, h, _, letters, uppers)) => {
                        *h = fold_into(*h, c);
                        if upper || lower {
                            *letters += 1;
                        }
                        if upper {
                            *uppers += 1;
                        }
                    }
                    None => {
                        let mut f = pending;
                        if upper {
                            f |= CAP;
                        }
                        word = Some((
                            at,
                            fold_into(FNV_OFFSET, c),
                            f,
                            u32::from(upper || lower),
                            u32::from(upper),
                        ));
                    }
                }
                prev_cjk = false;
                continue;
            }
            // Any other character ends the current word.
            if let Some((s, h, mut f, letters, uppers)) = word.take() {
                if uppers > 0 {
                    f |= UPPER;
                }
                if letters >= 2 && uppers == letters {
                    f |= ALLCAPS;
                }
                if letters == 0 {
                    f |= DIGITS;
                }
                out.push(Token::word(s, at, synonym(h), f, letters));
                pending = 0;
                newlines = 0;
            }
            if is_cjk(c) {
                let folded = simplify(c);
                out.push(Token::new(
                    at,
                    at + c.len_utf8(),
                    fnv_char(FNV_OFFSET, folded),
                    pending | CJK,
                ));
                pending = 0;
                newlines = 0;
                prev_cjk = true;
                continue;
            }
            if prev_cjk && (c == '(' || c == '（') {
                if let Some(n) = pinyin_group_len(&slice[i..]) {
                    skip_until = i + n;
                    continue; // stays "after a CJK char": 學(xué)院 reads as 學院
                }
            }
            prev_cjk = false;
            match c {
                '&' => {
                    out.push(Token::new(at, at + 1, and_hash, pending));
                    pending = 0;
                    newlines = 0;
                }
                '\n' => {
                    newlines += 1;
                    pending |= NEWLINE;
                    if newlines >= 2 {
                        pending |= BREAK;
                    }
                }
                '\r' if bytes.get(i + 1) != Some(&b'\n') => {
                    newlines += 1;
                    pending |= NEWLINE;
                    if newlines >= 2 {
                        pending |= BREAK;
                    }
                }
                c if is_hard_break(c) => pending |= BREAK,
                _ => {}
            }
        }
        if let Some((s, h, mut f, letters, uppers)) = word.take() {
            if uppers > 0 {
                f |= UPPER;
            }
            if letters >= 2 && uppers == letters {
                f |= ALLCAPS;
            }
            if letters == 0 {
                f |= DIGITS;
            }
            out.push(Token::word(s, to, synonym(h), f, letters));
        }
        out
    }

    fn words(s: &str) -> Vec<&str> {
        tokenize_str(s).iter().map(|t| t.text(s)).collect()
    }

    #[test]
    fn the_fast_tokenizer_agrees_with_the_reference() {
        let samples = [
            "KUST’s Mohan‑Boten\u{a0}Zone,\r\nS&T (CAS) [x] {y}; a!b?c|d",
            "中國科學(xué)院(CAS)代表團（zhōng）訪問 Université Köln ÉCOLE ǅemal İstanbul",
            "a\r\rb\n\n\nc\r\n\r\nd e\u{301}f 𠀀x 學(xué)(院) 學（xué）院 學(xx1) COP15 15th",
            "Kunming University of Science and Technology (KUST) met 中国科学院 & CNRS.",
            "",
            "(",
            "學(",
            "ÀB\u{300}\u{301}c",
        ];
        for s in samples {
            for (a, b) in [(0, s.len()), (1.min(s.len()), s.len())] {
                if s.is_char_boundary(a) {
                    assert_eq!(tokenize(s, a, b), tokenize_reference(s, a, b), "{s:?}");
                }
            }
        }
        let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
        for e in std::fs::read_dir(seeds).into_iter().flatten().flatten() {
            let s = std::fs::read_to_string(e.path()).unwrap_or_default();
            assert_eq!(tokenize_str(&s), tokenize_reference(&s, 0, s.len()));
        }
    }

    #[test]
    fn the_ascii_word_fast_path_agrees_with_the_reference() {
        let every_ascii: String = (0..128u8).map(char::from).collect();
        let every_ascii_spaced: String = (0..128u8).flat_map(|b| [char::from(b), ' ']).collect();
        let samples = [
            every_ascii.as_str(),
            every_ascii_spaced.as_str(),
            // Words of 1 to 17 bytes, ending at a chunk's edge or across it.
            "a ab abc abcd abcde abcdef abcdefg abcdefgh abcdefghi abcdefghijklmnop abcdefghijklmnopq",
            "ABCDEFGH ABCDEFGHI ABCDEFGHIJKLMNOPQ Abcdefghij aBCDEFGHIJ 12345678 123456789 COP15 15th",
            "abcdefgh",
            "ABCDEFGHIJKLMNOP",
            "x",
            "Universität Universitätsklinikum ÉCOLE École UNIVERSITÄT straße STRASSE İstanbul",
            "CNRS\u{a0}KUST\u{a0}\u{a0}Zone\u{2009}U.S. Univ.\u{202f}Lab. e\u{301}cole",
            "中國科學(xué)院(CAS)KUST代表團訪問CNRS，中国科学院ABCDEFGHIJ昆明理工大学",
            "😀KUST😀 👩‍🔬Lab 🇨🇳China ❤️ 𠀀abcdefghi𠀀",
            "Xué xiào Běijīng Dàxué (Peking) 學(xué)院 學（xué）院 中(zhōng)國(guó)",
            "Москва МГУ Ελλάδα ΕΚΠΑ العربية עברית हिन्दी ไทยภาษา 한국어 カタカナ",
            "tab\tsep\x0bvt\x0cff\x7fdel\x00nul\x1besc end",
            "a\r\nb\rc\n\nd&e;f!g?h|i(j)k[l]m{n}o",
        ];
        for s in samples {
            for from in 0..s.len().min(10) {
                if s.is_char_boundary(from) {
                    assert_eq!(
                        tokenize(s, from, s.len()),
                        tokenize_reference(s, from, s.len()),
                        "{s:?} from {from}"
                    );
                }
            }
            for to in (0..s.len()).rev().take(10) {
                if s.is_char_boundary(to) {
                    assert_eq!(
                        tokenize(s, 0, to),
                        tokenize_reference(s, 0, to),
                        "{s:?} to {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn ascii_runs_of_every_length_and_ending_agree_with_the_reference() {
        // Runs of 0 to 20 bytes (the unrolled eight-byte steps, their edges and the tail),
        // in every case mix, ended by every ASCII byte and by non-ASCII letters and
        // punctuation, at the end of the range or not.
        let shapes = [
            "abcdefghijklmnopqrst",
            "ABCDEFGHIJKLMNOPQRST",
            "Ab3dEf7hIjK1mNoP9rSt",
            "01234567890123456789",
        ];
        let mut ends: Vec<String> = (0..128u8).map(|b| char::from(b).to_string()).collect();
        ends.extend(["é", "Ü", "中", "’", "\u{a0}", "\u{301}"].map(String::from));
        for shape in shapes {
            for len in 0..=shape.len() {
                let word = &shape[..len];
                for end in &ends {
                    for s in [
                        format!("{word}{end}x"),
                        format!(" {word}{end}"),
                        word.to_string(),
                        // Eight bytes and more after the run: the unrolled steps end it.
                        format!("{word}{end}{word}{end}abcdefghijklmnop"),
                    ] {
                        for from in 0..2.min(s.len() + 1) {
                            assert_eq!(
                                tokenize(&s, from, s.len()),
                                tokenize_reference(&s, from, s.len()),
                                "{s:?} from {from}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// The word loop ends a run where the counts table's entry sets the top bit: exactly
    /// the bytes whose folded byte is 0; other entries count letters and uppercase ones.
    #[test]
    fn the_run_tables_agree_on_what_ends_a_run() {
        for b in 0..=255u8 {
            let ends = !b.is_ascii_alphanumeric();
            let (counts, folded) = (RUN.counts[b as usize], RUN.folded[b as usize]);
            assert_eq!(counts == 1 << 63, ends, "{b:#x}");
            assert_eq!(folded == 0, ends, "{b:#x}");
            if !ends {
                let want =
                    u64::from(b.is_ascii_alphabetic()) | u64::from(b.is_ascii_uppercase()) << 32;
                assert_eq!(counts, want, "{b:#x}");
                assert_eq!(folded, b.to_ascii_lowercase(), "{b:#x}");
            }
        }
    }

    /// Long runs: the counts stay below the stop bit and the flags come out as the
    /// reference's (all capitals, digits only, mixed).
    #[test]
    fn long_ascii_runs_agree_with_the_reference() {
        for unit in ["A", "a", "7", "Ab9", "ZZ1"] {
            for len in [70_000, 70_001] {
                let word = unit.repeat(len / unit.len() + 1);
                for s in [
                    word.clone(),
                    format!("{word} x {word}é"),
                    format!("x{word}, {word}"),
                ] {
                    assert_eq!(
                        tokenize_str(&s),
                        tokenize_reference(&s, 0, s.len()),
                        "{unit} {len}"
                    );
                }
            }
        }
    }

    /// The table built from the build's list of changed characters holds, for every
    /// character, the hash of the character converted alone.
    #[test]
    fn the_han_table_is_one_conversion_per_character() {
        let table = han_hashes();
        assert_eq!(table.len(), (HAN_TO - HAN_FROM + 1) as usize);
        let mut changed = 0;
        for (u, &h) in (HAN_FROM..=HAN_TO).zip(table) {
            let c = char::from_u32(u).unwrap();
            let s = simplify(c);
            changed += usize::from(s != c);
            assert_eq!(h, token_hash(fnv_char(FNV_OFFSET, s)), "{c}");
        }
        // Traditional characters are there to fold.
        assert!(changed > 1_000, "{changed}");
        assert_eq!(cjk_hash('國'), cjk_hash('国'));
    }

    #[test]
    fn han_runs_stop_where_the_han_blocks_do() {
        // The edges of the two Han blocks, the hexagrams between them, and other characters
        // with the same UTF-8 lead bytes (CJK punctuation, kana, Yi), each inside a Han run.
        let edges = [
            '\u{3000}', '\u{3001}', '\u{3041}', '\u{33FF}', '\u{3400}', '\u{4DBF}', '\u{4DC0}',
            '\u{4DFF}', '\u{4E00}', '\u{9FFF}', '\u{A000}', '\u{2FFF}',
        ];
        for c in edges {
            for s in [
                format!("中{c}国"),
                format!("中国{c}"),
                format!("{c}中{c}{c}国学"),
            ] {
                assert_eq!(
                    tokenize_str(&s),
                    tokenize_reference(&s, 0, s.len()),
                    "{s:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_and_reference_tokenizers_agree(s in "[a-zA-Z0-9 &()（）\n\r.,學院中國xuéÉß\u{a0}\u{301}，。“”·ª²《》々〇Ａ䷀㐀鿿]{0,60}") {
            proptest::prop_assert_eq!(tokenize_str(&s), tokenize_reference(&s, 0, s.len()));
        }
    }

    /// Every character of three bytes with a lead byte of 0xE2, 0xE3 or 0xEF (the
    /// punctuation read without decoding, and those around it), and every Han character
    /// with its neighbours, between words, Han characters, pinyin and brackets: as the
    /// reference reads them.
    #[test]
    fn three_byte_characters_agree_with_the_reference() {
        let chars = (0x2000..=0x2FFF)
            .chain(0x3000..=0x3FFF)
            .chain(0xF000..=0xFFFF)
            .chain((0x3400..=0x9FFF).step_by(7))
            .filter_map(char::from_u32);
        let mut fast_path = 0;
        for c in chars {
            fast_path += usize::from(
                matches!(c as u32, 0x2000..=0x3FFF | 0xF000..=0xFFFF) && surely_not_alphanumeric(c),
            );
            for s in [
                format!("學{c}(xué)院{c}（xué）x{c}Ab{c}{c}中"),
                format!("Université{c}MIT{c}\u{a0}U.{c}\n\n{c}國"),
                format!("{c}"),
                format!("中{c}"),
                format!("ab{c}cd 學院{c}（Zhōng）"),
            ] {
                assert_eq!(
                    tokenize_str(&s),
                    tokenize_reference(&s, 0, s.len()),
                    "{s:?}"
                );
            }
        }
        assert!(fast_path > 100, "{fast_path}");
    }

    #[test]
    fn punctuation_that_skips_the_unicode_lookup_is_no_letter_or_digit() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            assert!(!surely_not_alphanumeric(c) || !c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn separators_vanish_and_spans_are_exact() {
        let s = "KUST’s Mohan‑Boten\u{a0}Zone,\r\nS&T";
        assert_eq!(
            words(s),
            ["KUST", "s", "Mohan", "Boten", "Zone", "S", "&", "T"]
        );
        let a = tokenize_str("kust");
        let b = tokenize_str("KUST");
        assert_eq!(a[0].hash, b[0].hash);
        assert!(b[0].has(ALLCAPS) && b[0].has(CAP) && !a[0].has(CAP));
        assert_eq!(
            tokenize_str("Université")[0].hash,
            tokenize_str("universite")[0].hash
        );
    }

    #[test]
    fn traditional_folds_and_pinyin_is_skipped() {
        let s = "中國科學(xué)院(CAS)";
        let t = tokenize_str(s);
        let texts: Vec<&str> = t.iter().map(|t| t.text(s)).collect();
        assert_eq!(texts, ["中", "國", "科", "學", "院", "CAS"]);
        let simp = tokenize_str("中国科学院");
        for (a, b) in t.iter().zip(&simp) {
            assert_eq!(a.hash, b.hash);
        }
        assert!(!t[4].has(BREAK), "pinyin is no break");
        assert!(t[5].has(BREAK), "a bracket is");
    }

    #[test]
    fn inline_pinyin_is_removed_after_han_characters_only() {
        assert_eq!(
            without_pinyin("中國科學(xué)院—法國國家科學(xué)研究中心雙邊戰(zhàn)略對話會議"),
            "中國科學院—法國國家科學研究中心雙邊戰略對話會議"
        );
        // Brackets after Latin text, acronyms and long words stay; nothing removed, nothing copied.
        for kept in [
            "KUST (kunming)",
            "中國科學院(CAS)",
            "院(abcdefghij)",
            "🙂(xué)",
            "",
        ] {
            assert!(matches!(without_pinyin(kept), std::borrow::Cow::Borrowed(k) if k == kept));
        }
        assert_eq!(without_pinyin("學（xué）院 (yuàn)"), "學院 (yuàn)");
    }

    #[test]
    fn blank_lines_break_single_line_breaks_do_not() {
        let s = "Kunming\nUniversity\n\nof";
        let t = tokenize_str(s);
        assert!(t[1].has(NEWLINE) && !t[1].has(BREAK));
        assert!(t[2].has(BREAK));
        let crlf = tokenize_str("a\r\n\r\nb");
        assert!(crlf[1].has(BREAK));
    }
}
