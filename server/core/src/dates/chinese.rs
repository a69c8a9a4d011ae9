//! The Chinese recogniser (Simplified and Traditional). Reads forwards from a head character
//! (a digit, a Chinese numeral, or the first character of a temporal word). Inline pinyin after
//! a character (`近(jìn)日`, `週(zhōu)年`) is skipped while reading; spans stay exact on the
//! original text and never end inside a pinyin group.

use super::english::Raw;
use super::normalise::{Expr, Holiday, Part, Unit, Yr};

/// Whether an expression can start at `c` (besides ASCII digits): a numeral or the first
/// character of a temporal word. The scanner tests [`is_head_bytes`]; this says the same.
#[cfg(test)]
pub(crate) fn is_head(c: char) -> bool {
    matches!(
        c,
        '０'
            ..='９'
                | '〇'
                | '零'
                | '一'
                | '二'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
                | '两'
                | '兩'
                | '今'
                | '昨'
                | '明'
                | '前'
                | '后'
                | '後'
                | '去'
                | '上'
                | '本'
                | '这'
                | '這'
                | '下'
                | '当'
                | '當'
                | '周'
                | '週'
                | '星'
                | '礼'
                | '禮'
                | '近'
                | '日'
                | '最'
                | '目'
                | '现'
                | '現'
                | '如'
                | '第'
                | '春'
                | '国'
                | '國'
                | '元'
                | '中'
                | '端'
                | '除'
                | '圣'
                | '聖'
                | '劳'
                | '勞'
                | '夏'
                | '秋'
                | '冬'
    )
}

/// The head characters other than the fullwidth digits (see [`is_head`]).
const HEAD_CHARS: [char; 55] = [
    '〇', '零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '两', '兩', '今', '昨',
    '明', '前', '后', '後', '去', '上', '本', '这', '這', '下', '当', '當', '周', '週', '星', '礼',
    '禮', '近', '日', '最', '目', '现', '現', '如', '第', '春', '国', '國', '元', '中', '端', '除',
    '圣', '聖', '劳', '勞', '夏', '秋', '冬',
];

/// [`is_head`] for three-byte characters as bits: a character's code point without its low six
/// bits indexes the table, its low six bits pick the bit (every head character is three
/// bytes long, so the scanner tests one without decoding it).
const HEAD_TABLE: [u64; 1024] = {
    let mut t = [0u64; 1024];
    let mut i = 0;
    while i < HEAD_CHARS.len() {
        let c = HEAD_CHARS[i] as u32;
        t[(c >> 6) as usize] |= 1 << (c & 0x3f);
        i += 1;
    }
    let mut d = '０' as u32;
    while d <= '９' as u32 {
        t[(d >> 6) as usize] |= 1 << (d & 0x3f);
        d += 1;
    }
    t
};

/// Whether the three-byte character `c0 c1 c2` (lead byte `0xE0..=0xEF`) is a head
/// character ([`is_head`]).
pub(crate) fn is_head_bytes(c0: u8, c1: u8, c2: u8) -> bool {
    let i = (usize::from(c0 & 0x0f) << 6) | usize::from(c1 & 0x3f);
    HEAD_TABLE
        .get(i)
        .is_some_and(|bits| (bits >> (c2 & 0x3f)) & 1 != 0)
}

/// Whether a Chinese unit can follow the ASCII digits ending at `end` (after at most two
/// spaces, as [`number`] reads): every unit (`年`, `月`, `日`, `个`…) is a non-ASCII
/// character, so a number followed by ASCII (`2019,`, `15 October`) is left to the English
/// grammar without reading it here.
pub(crate) fn unit_may_follow(text: &str, end: usize) -> bool {
    let b = text.as_bytes();
    let mut p = end;
    while b.get(p) == Some(&b' ') && p < end + 2 {
        p += 1;
    }
    b.get(p).is_some_and(|c| *c >= 0x80)
}

/// A quick necessary condition for [`parse`] to find an expression at the head character
/// `c` (at `head`): numerals always go on to the grammar (which reads the numeral and looks for
/// its unit); a word head needs a character after it (pinyin skipped) that continues one of
/// the temporal words starting with it (`上` → `上周`, `上个月`, `上半年`, `上世纪`, `上上周`).
pub(crate) fn may_start(text: &str, head: usize, c: char) -> bool {
    if digit(c).is_some() || cjk_digit(c).is_some() || c == '十' {
        return true;
    }
    let z = Z { t: text };
    // Where reading goes on after the head (what `z.at(head)` says for the character `c`).
    let end = head + c.len_utf8();
    let next = if is_han(c) {
        skip_pinyin(text, end)
    } else {
        end
    };
    let Some(c2) = z.at(next).map(|n| n.ch) else {
        return false;
    };
    let week = |c: char| matches!(c, '个' | '個' | '周' | '週' | '星' | '礼' | '禮');
    match c {
        '今' | '明' => matches!(c2, '天' | '日' | '年'),
        '昨' => matches!(c2, '天' | '日'),
        '前' | '后' | '後' => matches!(c2, '天' | '年'),
        '去' => c2 == '年',
        '上' => week(c2) || matches!(c2, '上' | '月' | '半' | '世'),
        '下' => week(c2) || matches!(c2, '下' | '月' | '半'),
        '本' => week(c2) || matches!(c2, '月' | '世'),
        '这' | '這' => week(c2) || c2 == '月',
        '当' | '當' => matches!(c2, '月' | '前' | '今'),
        '周' | '週' => weekday_char(c2).is_some(),
        '星' | '礼' | '禮' => matches!(c2, '期' | '拜'),
        '近' => matches!(c2, '日' | '期' | '来' | '來'),
        '日' | '目' => c2 == '前',
        '最' => c2 == '近',
        '现' | '現' => c2 == '在',
        '如' => c2 == '今',
        '第' => digit(c2).is_some() || cjk_digit(c2).is_some() || matches!(c2, '十' | '百' | '千'),
        '春' => matches!(c2, '季' | '天' | '节' | '節'),
        '夏' | '秋' | '冬' => matches!(c2, '季' | '天'),
        '国' | '國' => matches!(c2, '庆' | '慶'),
        '元' => matches!(c2, '旦' | '宵'),
        '中' => c2 == '秋',
        '端' => c2 == '午',
        '除' => c2 == '夕',
        '圣' | '聖' => matches!(c2, '诞' | '誕'),
        '劳' | '勞' => matches!(c2, '动' | '動'),
        _ => false,
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c) || c == '〇'
}

fn pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase()
        || ('\u{c0}'..='\u{24f}').contains(&c)
        || ('\u{300}'..='\u{36f}').contains(&c)
}

/// After a Han character at `pos` (already consumed), skip a `(pinyin)` group if one follows.
#[inline]
fn skip_pinyin(t: &str, pos: usize) -> usize {
    // Only `(` or `（` (EF BC 88) opens a group: most characters end here on one byte.
    if !matches!(t.as_bytes().get(pos), Some(b'(' | 0xef)) {
        return pos;
    }
    skip_pinyin_group(t, pos)
}

/// [`skip_pinyin`] where `(` or a character starting with EF follows.
fn skip_pinyin_group(t: &str, pos: usize) -> usize {
    let Some(rest) = t.get(pos..) else { return pos };
    let mut it = rest.char_indices();
    match it.next() {
        Some((_, '(' | '（')) => {}
        _ => return pos,
    }
    let mut letters = 0;
    for (i, c) in it {
        if pinyin_letter(c) {
            letters += 1;
            if letters > 12 {
                return pos;
            }
        } else if (c == ')' || c == '）') && letters > 0 {
            return pos + i + c.len_utf8();
        } else {
            return pos;
        }
    }
    pos
}

#[derive(Clone, Copy)]
struct C {
    ch: char,
    /// Byte offset of the character.
    at: usize,
    /// Just after the character (span ends).
    end: usize,
    /// Where reading continues (after any pinyin group).
    next: usize,
}

struct Z<'a> {
    t: &'a str,
}

impl Z<'_> {
    fn at(&self, pos: usize) -> Option<C> {
        let b = self.t.as_bytes();
        let ch = match (b.get(pos), b.get(pos + 1), b.get(pos + 2)) {
            // A three-byte character (most of Chinese text), decoded in place.
            (Some(&c0 @ 0xe0..=0xef), Some(&c1), Some(&c2)) => char::from_u32(
                (u32::from(c0 & 0x0f) << 12) | (u32::from(c1 & 0x3f) << 6) | u32::from(c2 & 0x3f),
            )?,
            // ASCII (digits, spaces, punctuation), as it is.
            (Some(&a), _, _) if a < 0x80 => char::from(a),
            _ => self.t.get(pos..)?.chars().next()?,
        };
        let end = pos + ch.len_utf8();
        let next = if is_han(ch) {
            skip_pinyin(self.t, end)
        } else {
            end
        };
        Some(C {
            ch,
            at: pos,
            end,
            next,
        })
    }
    /// The character at `pos`, skipping ASCII spaces first (`2009 年`).
    fn at_sp(&self, pos: usize) -> Option<C> {
        let mut p = pos;
        while self.t.as_bytes().get(p) == Some(&b' ') && p < pos + 2 {
            p += 1;
        }
        self.at(p)
    }
    /// Matches `word` (a sequence of alternatives per position) at `pos`.
    fn word(&self, pos: usize, word: &[&str]) -> Option<C> {
        self.word_from(self.at(pos)?, word)
    }
    /// [`Z::word`] at a character already read (`first`, the character at `pos`).
    fn word_from(&self, first: C, word: &[&str]) -> Option<C> {
        let mut c = first;
        let mut last = None;
        for (i, alts) in word.iter().enumerate() {
            if i > 0 {
                c = self.at(c.next)?;
            }
            // A handful of characters: compared one by one, not searched for.
            if !alts.chars().any(|a| a == c.ch) {
                return None;
            }
            last = Some(c);
        }
        last
    }
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn cjk_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | 'Ｏ' => 0,
        '一' => 1,
        '二' | '两' | '兩' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug)]
struct Num {
    val: u64,
    digits: u32,
    /// Chinese digits read one by one (`二〇二四`).
    digitwise: bool,
    next: usize,
}

fn read_num(z: &Z, pos: usize) -> Option<Num> {
    let first = z.at(pos)?;
    if digit(first.ch).is_some() {
        let mut val: u64 = 0;
        let mut digits = 0;
        let mut p = pos;
        while let Some(c) = z.at(p) {
            let Some(d) = digit(c.ch) else { break };
            val = val.saturating_mul(10).saturating_add(u64::from(d));
            digits += 1;
            p = c.next;
        }
        return Some(Num {
            val,
            digits,
            digitwise: false,
            next: p,
        });
    }
    // Chinese numerals: positional (二十四) or digit by digit (二〇二四).
    let mut p = pos;
    let mut chars = ['\0'; 8];
    let mut len = 0;
    while let Some(c) = z.at(p) {
        if cjk_digit(c.ch).is_none() && !matches!(c.ch, '十' | '百' | '千') {
            break;
        }
        if len == chars.len() {
            return None;
        }
        chars[len] = c.ch;
        len += 1;
        p = c.next;
    }
    let chars = &chars[..len];
    if chars.is_empty() {
        return None;
    }
    let positional = chars.iter().any(|c| matches!(c, '十' | '百' | '千'));
    let (val, digits) = if positional {
        let (mut total, mut cur) = (0u64, 0u64);
        for c in chars {
            match c {
                '十' => {
                    total += cur.max(1) * 10;
                    cur = 0;
                }
                '百' => {
                    total += cur.max(1) * 100;
                    cur = 0;
                }
                '千' => {
                    total += cur.max(1) * 1000;
                    cur = 0;
                }
                c => cur = u64::from(cjk_digit(*c)?),
            }
        }
        (total + cur, 0)
    } else {
        let mut v = 0u64;
        for c in chars {
            v = v * 10 + u64::from(cjk_digit(*c)?);
        }
        (v, chars.len() as u32)
    };
    Some(Num {
        val,
        digits,
        digitwise: !positional && chars.len() > 1,
        next: p,
    })
}

fn weekday_char(c: char) -> Option<u32> {
    Some(match c {
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '日' | '天' | '末' => 7,
        _ => return None,
    })
}

/// A part of the day after a date: 上午, 下午, 晚上…
fn part_after(z: &Z, pos: usize) -> Option<(Part, usize)> {
    let parts: &[(&[&str], Part)] = &[
        (&["上", "午"], Part::Morning),
        (&["早", "上晨"], Part::Morning),
        (&["清", "晨"], Part::Morning),
        (&["下", "午"], Part::Afternoon),
        (&["傍", "晚"], Part::Evening),
        (&["晚", "上間间"], Part::Evening),
        (&["夜", "間间裡里晚"], Part::Night),
    ];
    // The first characters differ: read the character once and try the one word it starts.
    let first = z.at(pos)?;
    let (w, part) = parts.iter().find(|(w, _)| {
        w.first()
            .is_some_and(|alts| alts.chars().any(|a| a == first.ch))
    })?;
    z.word_from(first, w).map(|c| (*part, c.end))
}

fn with_part(z: &Z, start: usize, end: usize, next: usize, e: Expr) -> Raw {
    if let Some((part, pend)) = part_after(z, next) {
        return Raw {
            start,
            end: pend,
            expr: Expr::Part {
                inner: Box::new(e),
                part,
            },
        };
    }
    Raw {
        start,
        end,
        expr: e,
    }
}

/// Recognises the expression whose head is at `head`.
pub(crate) fn parse(text: &str, head: usize, floor: usize) -> Option<Raw> {
    let z = Z { t: text };
    let c = z.at(head)?;
    if head < floor {
        return None;
    }
    if digit(c.ch).is_some() {
        // Inside a code: bm48000002, ICP備05002857號 (preceded by a letter or digit).
        if text
            .get(..head)
            .and_then(|s| s.chars().next_back())
            .is_some_and(|p| p.is_ascii_alphanumeric() || digit(p).is_some())
        {
            return None;
        }
        return number(&z, head);
    }
    if cjk_digit(c.ch).is_some() || c.ch == '十' {
        if let Some(r) = plan_abbrev(&z, head) {
            return Some(r);
        }
        // Not inside a longer numeral run.
        if text
            .get(..head)
            .and_then(|s| s.chars().next_back())
            .is_some_and(|p| cjk_digit(p).is_some() || p == '十')
        {
            return None;
        }
        return number(&z, head);
    }
    words(&z, head)
}

/// `十四五`: the 14th Five-Year Plan.
fn plan_abbrev(z: &Z, head: usize) -> Option<Raw> {
    let a = z.at(head).filter(|c| c.ch == '十')?;
    let b = z.at(a.next)?;
    let n = match b.ch {
        '一' => 11,
        '二' => 12,
        '三' => 13,
        '四' => 14,
        '五' => 15,
        _ => return None,
    };
    let c = z.at(b.next).filter(|c| c.ch == '五')?;
    // 十四五年 would be a number of years.
    if z.at(c.next)
        .is_some_and(|d| matches!(d.ch, '年' | '月' | '日' | '个' | '個' | '万' | '萬' | '%'))
    {
        return None;
    }
    Some(Raw {
        start: head,
        end: c.end,
        expr: Expr::Plan(n),
    })
}

/// A holiday at `pos`: `国庆节`, `国庆`, `春节`, `元旦`, `中秋节`, `元宵节`, `端午节`, `除夕`,
/// `圣诞节`, `劳动节` (Simplified and Traditional); its end.
fn holiday(z: &Z, pos: usize) -> Option<(Holiday, usize)> {
    // Most heads start no holiday: test the first character before the table.
    let first = z.t.get(pos..)?.chars().next()?;
    if !matches!(
        first,
        '国' | '國' | '春' | '元' | '中' | '端' | '除' | '圣' | '聖' | '劳' | '勞'
    ) {
        return None;
    }
    let fixed = |m: u32, d: u32, name: &'static str| Holiday::Fixed { m, d, name };
    let sf = |offset: i32, name: &'static str| Holiday::SpringFestival { offset, name };
    // (characters, whether 节/節 must follow, the holiday)
    let table: [(&[&str], bool, Holiday); 9] = [
        (&["国國", "庆慶"], false, fixed(10, 1, "National Day")),
        (&["春", "节節"], false, sf(0, "the Spring Festival")),
        (&["元", "旦"], false, fixed(1, 1, "New Year's Day")),
        (&["中", "秋"], false, Holiday::MidAutumn),
        (&["元", "宵"], true, sf(14, "the Lantern Festival")),
        (&["端", "午"], false, Holiday::DragonBoat),
        (&["除", "夕"], false, sf(-1, "the Spring Festival's eve")),
        (&["圣聖", "诞誕"], true, fixed(12, 25, "Christmas")),
        (&["劳勞", "动動"], true, fixed(5, 1, "Labour Day")),
    ];
    for (word, needs_jie, h) in table {
        let Some(c) = z.word(pos, word) else {
            continue;
        };
        let jie = z.at(c.next).filter(|j| matches!(j.ch, '节' | '節'));
        match jie {
            Some(j) => return Some((h, j.end)),
            None if needs_jie => continue,
            None => return Some((h, c.end)),
        }
    }
    None
}

/// What may follow a year: month and day, a quarter, a half, a season, 年初/年底.
fn after_year(z: &Z, start: usize, yend: usize, ynext: usize, y: Yr) -> Raw {
    if let Some((h, end)) = holiday(z, ynext) {
        return Raw {
            start,
            end,
            expr: Expr::Holiday { y, h },
        };
    }
    // Month [day]
    if let Some(m) = read_num(z, ynext).or_else(|| z.at_sp(ynext).and_then(|c| read_num(z, c.at))) {
        if let Some(mc) = z.at_sp(m.next).filter(|c| c.ch == '月') {
            if (1..=12).contains(&m.val) {
                let mo = m.val as u32;
                if let Some(d) = read_num(z, mc.next)
                    .or_else(|| z.at_sp(mc.next).and_then(|c| read_num(z, c.at)))
                {
                    if let Some(dc) = z
                        .at_sp(d.next)
                        .filter(|c| matches!(c.ch, '日' | '号' | '號'))
                    {
                        let leap_year = match y {
                            Yr::Abs(y) => y,
                            _ => 2000,
                        };
                        if (1..=31).contains(&d.val)
                            && crate::calendar::Date::new(leap_year, mo, d.val as u32).is_some()
                        {
                            return with_part(
                                z,
                                start,
                                dc.end,
                                dc.next,
                                Expr::Day {
                                    y,
                                    m: mo,
                                    d: d.val as u32,
                                },
                            );
                        }
                    }
                }
                return Raw {
                    start,
                    end: mc.end,
                    expr: Expr::Month { y, m: mo },
                };
            }
        }
    }
    // 第二季度 / 二季度 / 一季度
    let mut q_at = ynext;
    if let Some(c) = z.at(ynext).filter(|c| c.ch == '第') {
        q_at = c.next;
    }
    if let Some(n) = read_num(z, q_at) {
        if let Some(e) = z.word(n.next, &["季"]) {
            let end = z
                .at(e.next)
                .filter(|c| c.ch == '度')
                .map_or(e.end, |c| c.end);
            if (1..=4).contains(&n.val) {
                return Raw {
                    start,
                    end,
                    expr: Expr::Quarter { y, q: n.val as u32 },
                };
            }
        }
    }
    if let Some(c) = z.word(ynext, &["上下前后後", "半"]) {
        if let Some(n) = z.at(c.next).filter(|n| n.ch == '年') {
            let h = if matches!(z.at(ynext).map(|c| c.ch), Some('上' | '前')) {
                1
            } else {
                2
            };
            return Raw {
                start,
                end: n.end,
                expr: Expr::Half { y, h },
            };
        }
    }
    if let Some(s) = z.at(ynext) {
        let season = match s.ch {
            '春' => Some(0),
            '夏' => Some(1),
            '秋' => Some(2),
            '冬' => Some(3),
            _ => None,
        };
        if let Some(sn) = season {
            let end = z
                .at(s.next)
                .filter(|c| matches!(c.ch, '季' | '天'))
                .map_or(s.end, |c| c.end);
            return Raw {
                start,
                end,
                expr: Expr::Season { y, s: sn },
            };
        }
    }
    if let Some(c) = z.word(ynext, &["初底末中度"]) {
        let _ = c;
        if let Some(c) = z.at(ynext) {
            return Raw {
                start,
                end: c.end,
                expr: Expr::Year(y),
            };
        }
    }
    Raw {
        start,
        end: yend,
        expr: Expr::Year(y),
    }
}

fn number(z: &Z, head: usize) -> Option<Raw> {
    let n = read_num(z, head)?;
    let u = z.at_sp(n.next)?;
    let count = |v: u64| -> Option<u32> { (v > 0 && v < 100_000).then_some(v as u32) };
    match u.ch {
        '年' => {
            let after = z.at(u.next);
            // 90年代, 1990年代
            if after.is_some_and(|c| c.ch == '代') {
                let a = after?;
                let dec = match n.val {
                    10..=99 if n.val % 10 == 0 => 190 + (n.val / 10) as i32,
                    1000..=2190 if n.val % 10 == 0 => (n.val / 10) as i32,
                    _ => return None,
                };
                return Some(Raw {
                    start: head,
                    end: a.end,
                    expr: Expr::Decade(dec),
                });
            }
            let year_like = (n.digits == 4 && (1000..=2199).contains(&n.val))
                || (n.digitwise && (3..=4).contains(&n.digits))
                || (n.digits == 2
                    && z.at(u.next)
                        .and_then(|c| read_num(z, c.at))
                        .and_then(|m| z.at(m.next))
                        .is_some_and(|c| c.ch == '月'));
            if year_like {
                let y = match n.digits {
                    2 if n.val < 50 => 2000 + n.val as i32,
                    2 => 1900 + n.val as i32,
                    _ => n.val as i32,
                };
                return Some(after_year(z, head, u.end, u.next, Yr::Abs(y)));
            }
            // A count of years: 46年的合作, 三年前, 40多年来.
            let v = count(n.val)?;
            if let Some(c) = after {
                match c.ch {
                    '前' => {
                        return Some(Raw {
                            start: head,
                            end: c.end,
                            expr: Expr::Rel {
                                unit: Unit::Year,
                                n: -(v as i32),
                                ana: false,
                            },
                        })
                    }
                    '后' | '後' => {
                        return Some(Raw {
                            start: head,
                            end: c.end,
                            expr: Expr::Rel {
                                unit: Unit::Year,
                                n: v as i32,
                                ana: true,
                            },
                        })
                    }
                    _ => {}
                }
            }
            Some(Raw {
                start: head,
                end: u.end,
                expr: Expr::Duration {
                    n: Some(v),
                    unit: Unit::Year,
                },
            })
        }
        '多' => {
            // 40多年
            let y = z.at(u.next).filter(|c| matches!(c.ch, '年' | '天'))?;
            let unit = if y.ch == '年' { Unit::Year } else { Unit::Day };
            Some(Raw {
                start: head,
                end: y.end,
                expr: Expr::Duration {
                    n: Some(count(n.val)?),
                    unit,
                },
            })
        }
        '月' => {
            if !(1..=12).contains(&n.val) {
                return None;
            }
            Some(after_month(z, head, u, n.val as u32, Yr::Missing))
        }
        '个' | '個' => {
            let v = count(n.val)?;
            if let Some(m) = z.at(u.next).filter(|c| c.ch == '月') {
                return Some(Raw {
                    start: head,
                    end: m.end,
                    expr: Expr::Duration {
                        n: Some(v),
                        unit: Unit::Month,
                    },
                });
            }
            if let Some(w) = z.word(u.next, &["星礼禮", "期拜"]) {
                return Some(Raw {
                    start: head,
                    end: w.end,
                    expr: Expr::Duration {
                        n: Some(v),
                        unit: Unit::Week,
                    },
                });
            }
            if let Some(w) = z.word(u.next, &["小", "时時"]) {
                return Some(Raw {
                    start: head,
                    end: w.end,
                    expr: Expr::Duration {
                        n: Some(v),
                        unit: Unit::Hour,
                    },
                });
            }
            if let Some(w) = z.word(u.next, &["季", "度"]) {
                return Some(Raw {
                    start: head,
                    end: w.end,
                    expr: Expr::Duration {
                        n: Some(v),
                        unit: Unit::Quarter,
                    },
                });
            }
            None
        }
        '日' => {
            if !(1..=31).contains(&n.val) || n.digitwise && n.digits > 2 {
                return None;
            }
            Some(with_part(
                z,
                head,
                u.end,
                u.next,
                Expr::DayOfMonth(n.val as u32),
            ))
        }
        '天' => {
            let v = count(n.val)?;
            if let Some(c) = z.at(u.next) {
                match c.ch {
                    '前' => {
                        return Some(Raw {
                            start: head,
                            end: c.end,
                            expr: Expr::Rel {
                                unit: Unit::Day,
                                n: -(v as i32),
                                ana: false,
                            },
                        })
                    }
                    '后' | '後' => {
                        return Some(Raw {
                            start: head,
                            end: c.end,
                            expr: Expr::Rel {
                                unit: Unit::Day,
                                n: v as i32,
                                ana: true,
                            },
                        })
                    }
                    _ => {}
                }
            }
            Some(Raw {
                start: head,
                end: u.end,
                expr: Expr::Duration {
                    n: Some(v),
                    unit: Unit::Day,
                },
            })
        }
        '周' | '週' => {
            let v = count(n.val)?;
            if let Some(y) = z.at(u.next).filter(|c| c.ch == '年') {
                // 70周年: an anniversary, a duration of 70 years.
                return Some(Raw {
                    start: head,
                    end: y.end,
                    expr: Expr::Duration {
                        n: Some(v),
                        unit: Unit::Year,
                    },
                });
            }
            if z.at(u.next).is_some_and(|c| matches!(c.ch, '岁' | '歲')) {
                return None;
            }
            Some(Raw {
                start: head,
                end: u.end,
                expr: Expr::Duration {
                    n: Some(v),
                    unit: Unit::Week,
                },
            })
        }
        '星' | '礼' | '禮' => {
            let w = z.word(u.at, &["星礼禮", "期拜"])?;
            Some(Raw {
                start: head,
                end: w.end,
                expr: Expr::Duration {
                    n: Some(count(n.val)?),
                    unit: Unit::Week,
                },
            })
        }
        '世' => {
            let w = z
                .word(u.at, &["世"])
                .and_then(|s| z.at(s.next))
                .filter(|c| matches!(c.ch, '纪' | '紀'))?;
            let cent = n.val as i32;
            if !(1..=30).contains(&cent) {
                return None;
            }
            // 20世纪80年代
            if let Some(d) = read_num(z, w.next) {
                if let Some(y) = z.word(d.next, &["年", "代"]) {
                    if d.val % 10 == 0 && d.val < 100 {
                        return Some(Raw {
                            start: head,
                            end: y.end,
                            expr: Expr::Decade((cent - 1) * 10 + (d.val / 10) as i32),
                        });
                    }
                }
            }
            Some(Raw {
                start: head,
                end: w.end,
                expr: Expr::Century(cent - 1),
            })
        }
        '季' => {
            let end = z
                .at(u.next)
                .filter(|c| c.ch == '度')
                .map_or(u.end, |c| c.end);
            if !(1..=4).contains(&n.val) || end == u.end {
                return None;
            }
            Some(Raw {
                start: head,
                end,
                expr: Expr::Quarter {
                    y: Yr::Missing,
                    q: n.val as u32,
                },
            })
        }
        '小' => {
            let w = z.word(u.at, &["小", "时時"])?;
            Some(Raw {
                start: head,
                end: w.end,
                expr: Expr::Duration {
                    n: Some(count(n.val)?),
                    unit: Unit::Hour,
                },
            })
        }
        _ => None,
    }
}

fn after_month(z: &Z, start: usize, mc: C, m: u32, y: Yr) -> Raw {
    if let Some(d) =
        read_num(z, mc.next).or_else(|| z.at_sp(mc.next).and_then(|c| read_num(z, c.at)))
    {
        if let Some(dc) = z
            .at_sp(d.next)
            .filter(|c| matches!(c.ch, '日' | '号' | '號'))
        {
            if (1..=31).contains(&d.val)
                && crate::calendar::Date::new(2000, m, d.val as u32).is_some()
            {
                return with_part(
                    z,
                    start,
                    dc.end,
                    dc.next,
                    Expr::Day {
                        y,
                        m,
                        d: d.val as u32,
                    },
                );
            }
        }
    }
    Raw {
        start,
        end: mc.end,
        expr: Expr::Month { y, m },
    }
}

fn words(z: &Z, head: usize) -> Option<Raw> {
    // The head character, read once for the many words tried at it.
    let hc = z.at(head)?;
    if let Some((h, end)) = holiday(z, head) {
        // 国庆 without 节 inside a longer word: 中国庆祝 (China celebrates), 美国庆典.
        let before = z.t.get(..head).and_then(|s| s.chars().next_back());
        let bare_guoqing = matches!(h, Holiday::Fixed { m: 10, d: 1, .. })
            && z.t.get(..end).is_some_and(|s| !s.ends_with(['节', '節']));
        let inside = bare_guoqing
            && before.is_some_and(|c| {
                "中全建爱愛祖美英法德韩韓泰俄王各两兩本该該我外强強大帝民邻鄰".contains(c)
            });
        if !inside {
            return Some(Raw {
                start: head,
                end,
                expr: Expr::Holiday { y: Yr::Missing, h },
            });
        }
    }
    let rel_day = |n: i32| Expr::Rel {
        unit: Unit::Day,
        n,
        ana: false,
    };
    // Relative days.
    let days: &[(&[&str], i32)] = &[
        (&["今", "天日"], 0),
        (&["昨", "天日"], -1),
        (&["明", "天日"], 1),
        (&["前", "天"], -2),
        (&["后後", "天"], 2),
    ];
    for (w, n) in days {
        if let Some(c) = z.word_from(hc, w) {
            return Some(with_part(z, head, c.end, c.next, rel_day(*n)));
        }
    }
    // Relative years, with what may follow (去年5月, 今年第一季度).
    let years: &[(&[&str], i32)] = &[
        (&["今", "年"], 0),
        (&["去", "年"], -1),
        (&["明", "年"], 1),
        (&["前", "年"], -2),
        (&["后後", "年"], 2),
    ];
    for (w, n) in years {
        if let Some(c) = z.word_from(hc, w) {
            return Some(after_year(z, head, c.end, c.next, Yr::Rel(*n)));
        }
    }
    // Weeks: 上周, 上上周, 本周, 下周一, 上週末
    if let Some(r) = week(z, head) {
        return Some(r);
    }
    // Months: 上个月, 本月, 下月
    let months: &[(&[&str], i32)] = &[
        (&["上", "个個", "月"], -1),
        (&["上", "月"], -1),
        (&["本", "月"], 0),
        (&["这這", "个個", "月"], 0),
        (&["当當", "月"], 0),
        (&["下", "个個", "月"], 1),
        (&["下", "月"], 1),
    ];
    for (w, n) in months {
        if let Some(c) = z.word_from(hc, w) {
            return Some(Raw {
                start: head,
                end: c.end,
                expr: Expr::Rel {
                    unit: Unit::Month,
                    n: *n,
                    ana: false,
                },
            });
        }
    }
    // Halves of the current year: 上半年, 下半年
    if let Some(c) = z.word_from(hc, &["上下", "半", "年"]) {
        let h = if z.at(head).is_some_and(|c| c.ch == '上') {
            1
        } else {
            2
        };
        return Some(Raw {
            start: head,
            end: c.end,
            expr: Expr::Half { y: Yr::Rel(0), h },
        });
    }
    // Centuries: 上世纪90年代, 本世纪
    for (w, n) in [
        (&["上", "世", "纪紀"][..], -1),
        (&["本", "世", "纪紀"][..], 0),
    ] {
        if let Some(c) = z.word_from(hc, w) {
            if let Some(d) = read_num(z, c.next) {
                if let Some(y) = z.word(d.next, &["年", "代"]) {
                    if d.val % 10 == 0 && d.val < 100 {
                        // Resolved against 2000s: 上世纪 = 20th century.
                        let base = if n < 0 { 190 } else { 200 };
                        return Some(Raw {
                            start: head,
                            end: y.end,
                            expr: Expr::Decade(base + (d.val / 10) as i32),
                        });
                    }
                }
            }
            return Some(Raw {
                start: head,
                end: c.end,
                expr: Expr::Rel {
                    unit: Unit::Century,
                    n,
                    ana: false,
                },
            });
        }
    }
    // References.
    let refs: &[(&[&str], &str)] = &[
        (&["近"], "PAST_REF"),
        (&["日", "前"], "PAST_REF"),
        (&["最", "近"], "PAST_REF"),
        (&["目", "前"], "PRESENT_REF"),
        (&["当當", "前"], "PRESENT_REF"),
        (&["现現", "在"], "PRESENT_REF"),
        (&["如", "今"], "PRESENT_REF"),
        (&["当當", "今"], "PRESENT_REF"),
    ];
    for (w, r) in refs {
        if w.len() == 1 {
            // 近日, 近期, 近来
            if let Some(c) = z.word_from(hc, &["近", "日期来來"]) {
                return Some(Raw {
                    start: head,
                    end: c.end,
                    expr: Expr::Ref(r),
                });
            }
            continue;
        }
        if let Some(c) = z.word_from(hc, w) {
            // 当前页 (the current page) is navigation, not a time.
            if *r == "PRESENT_REF"
                && z.at(c.next)
                    .is_some_and(|n| matches!(n.ch, '页' | '頁' | '位'))
            {
                return None;
            }
            return Some(Raw {
                start: head,
                end: c.end,
                expr: Expr::Ref(r),
            });
        }
    }
    // 第二季度, 第十四个五年规划
    if let Some(c) = z.at(head).filter(|c| c.ch == '第') {
        let n = read_num(z, c.next)?;
        if let Some(q) = z.word(n.next, &["季", "度"]) {
            return (1..=4).contains(&n.val).then_some(Raw {
                start: head,
                end: q.end,
                expr: Expr::Quarter {
                    y: Yr::Missing,
                    q: n.val as u32,
                },
            });
        }
        if let Some(pl) = z.word(n.next, &["个個", "五", "年", "规規计計", "划劃"]) {
            super::normalise::plan_years(n.val as u32)?;
            return Some(Raw {
                start: head,
                end: pl.end,
                expr: Expr::Plan(n.val as u32),
            });
        }
        return None;
    }
    // Weekdays: 周一, 星期三, 礼拜天
    if let Some(r) = weekday(z, head, None, head) {
        return Some(r);
    }
    // Seasons: 春季, 夏天
    if let Some(c) = z.word_from(hc, &["春夏秋冬", "季天"]) {
        let s = match z.at(head)?.ch {
            '春' => 0,
            '夏' => 1,
            '秋' => 2,
            _ => 3,
        };
        return Some(Raw {
            start: head,
            end: c.end,
            expr: Expr::Season { y: Yr::Missing, s },
        });
    }
    None
}

fn weekday(z: &Z, at: usize, week: Option<i32>, start: usize) -> Option<Raw> {
    let w = z
        .word(at, &["周週"])
        .or_else(|| z.word(at, &["星礼禮", "期拜"]))?;
    let d = z.at(w.next)?;
    let wd = weekday_char(d.ch)?;
    if d.ch == '末' {
        return Some(Raw {
            start,
            end: d.end,
            expr: Expr::Rel {
                unit: Unit::Weekend,
                n: week.unwrap_or(0),
                ana: false,
            },
        });
    }
    // 周日 vs 周年: 周年 is caught by the number path; 星期天/周天 fine.
    Some(with_part(
        z,
        start,
        d.end,
        d.next,
        Expr::Weekday { wd, week },
    ))
}

fn week(z: &Z, head: usize) -> Option<Raw> {
    let mut n = 0i32;
    let mut p = head;
    // 上上, 下下, 上, 下, 本, 这
    let mut dir = 0;
    while let Some(c) = z.at(p) {
        match c.ch {
            '上' if dir <= 0 => {
                n -= 1;
                dir = -1;
            }
            '下' if dir >= 0 => {
                n += 1;
                dir = 1;
            }
            '本' | '这' | '這' if dir == 0 && p == head => {
                dir = 2;
            }
            _ => break,
        }
        p = c.next;
        if (n.abs() > 2) || (dir == 2 && p != head) {
            break;
        }
    }
    if p == head {
        return None;
    }
    if dir == 2 {
        n = 0;
    }
    // optional 个/個 before 星期/週
    let mut q = p;
    if let Some(c) = z.at(q).filter(|c| matches!(c.ch, '个' | '個')) {
        q = c.next;
    }
    let unit = z
        .word(q, &["周週"])
        .or_else(|| z.word(q, &["星礼禮", "期拜"]))?;
    if let Some(r) = weekday(z, q, Some(n), head) {
        return Some(r);
    }
    Some(Raw {
        start: head,
        end: unit.end,
        expr: Expr::Rel {
            unit: Unit::Week,
            n,
            ana: false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> Vec<(String, Expr)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < s.len() {
            let c = s[pos..].chars().next().unwrap();
            if let Some(r) = parse(s, pos, 0) {
                out.push((s[r.start..r.end].to_string(), r.expr.clone()));
                pos = r.end;
            } else {
                pos += c.len_utf8();
            }
        }
        out
    }

    #[test]
    fn full_and_partial_dates() {
        assert_eq!(
            scan("2024年6月27日，会议")[0],
            (
                "2024年6月27日".into(),
                Expr::Day {
                    y: Yr::Abs(2024),
                    m: 6,
                    d: 27
                }
            )
        );
        assert_eq!(
            scan("于6月27日举行")[0],
            (
                "6月27日".into(),
                Expr::Day {
                    y: Yr::Missing,
                    m: 6,
                    d: 27
                }
            )
        );
        assert_eq!(scan("二〇二四年")[0].1, Expr::Year(Yr::Abs(2024)));
        assert_eq!(
            scan("面向2030年的重大科研任務")[0],
            ("2030年".into(), Expr::Year(Yr::Abs(2030)))
        );
        assert_eq!(
            scan("27日上午")[0].1,
            Expr::Part {
                inner: Box::new(Expr::DayOfMonth(27)),
                part: Part::Morning
            }
        );
        assert_eq!(
            scan("2021年第二季度")[0].1,
            Expr::Quarter {
                y: Yr::Abs(2021),
                q: 2
            }
        );
        assert_eq!(scan("九十年代")[0].1, Expr::Decade(199));
        assert_eq!(scan("20世纪80年代")[0].1, Expr::Decade(198));
    }

    #[test]
    fn relative_words_and_pinyin() {
        assert_eq!(scan("去年")[0].1, Expr::Year(Yr::Rel(-1)));
        assert_eq!(
            scan("去年5月")[0].1,
            Expr::Month {
                y: Yr::Rel(-1),
                m: 5
            }
        );
        assert_eq!(
            scan("上周一")[0].1,
            Expr::Weekday {
                wd: 1,
                week: Some(-1)
            }
        );
        assert_eq!(
            scan("下下周")[0].1,
            Expr::Rel {
                unit: Unit::Week,
                n: 2,
                ana: false
            }
        );
        assert_eq!(scan("近日，")[0], ("近日".into(), Expr::Ref("PAST_REF")));
        assert_eq!(scan("近(jìn)日(rì),")[0].0, "近(jìn)日");
        assert_eq!(
            scan("第二季度")[0].1,
            Expr::Quarter {
                y: Yr::Missing,
                q: 2
            }
        );
        assert_eq!(scan("“十四五”规划")[0], ("十四五".into(), Expr::Plan(14)));
        assert_eq!(
            scan("今年夏天")[0].1,
            Expr::Season {
                y: Yr::Rel(0),
                s: 1
            }
        );
    }

    #[test]
    fn durations_and_anniversaries() {
        assert_eq!(
            scan("雙方46年的合作")[0],
            (
                "46年".into(),
                Expr::Duration {
                    n: Some(46),
                    unit: Unit::Year
                }
            )
        );
        assert_eq!(
            scan("建院70周年")[0].1,
            Expr::Duration {
                n: Some(70),
                unit: Unit::Year
            }
        );
        assert_eq!(scan("建交60週(zhōu)年(nián)")[0].0, "60週(zhōu)年");
        assert_eq!(
            scan("三个月")[0].1,
            Expr::Duration {
                n: Some(3),
                unit: Unit::Month
            }
        );
        assert_eq!(
            scan("三年前")[0].1,
            Expr::Rel {
                unit: Unit::Year,
                n: -3,
                ana: false
            }
        );
    }

    #[test]
    fn no_false_dates() {
        for s in [
            "京ICP備05002857號-1",
            "三里河路52號",
            "電話: 86 10 68597114",
            "網站標識碼bm48000002",
            "建立了4個國際研究網絡",
            "統一",
            "當前頁",
        ] {
            assert!(scan(s).is_empty(), "{s}: {:?}", scan(s));
        }
    }
}
