//! Recognition: names and acronyms from the gazetteer's index, acronyms defined in the
//! text, evidence for ambiguous forms, sub-units, and unknown candidates.

use super::countries::countries;
use super::{InstitutionMention, Link, MatchKind};
use crate::article::{Annotations, Article};
use crate::findings::Span;
use crate::gazetteer::index::{Fx, NameKind};
use crate::gazetteer::text::{
    hash_word, token_hash, tokenize, Token, ALLCAPS, BREAK, CAP, CJK, DIGITS, NEWLINE, UPPER,
};
use crate::gazetteer::words::is_common_word;
use crate::gazetteer::{Gazetteer, Origin};
use std::collections::{HashMap, HashSet};

type FxSet<T> = HashSet<T, Fx>;
type FxMap<K, V> = HashMap<K, V, Fx>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cand {
    inst: u32,
    primary: bool,
    contextual: bool,
}

/// What a draft links to, by record position (turned into keys at the end).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Lk {
    Known(u32),
    Ambiguous(Vec<u32>),
    Unknown,
}

#[derive(Clone, Debug)]
struct Draft {
    start: usize,
    end: usize,
    /// The draft's candidates: `pool[cands.0..cands.1]`.
    cands: (u32, u32),
    kind: MatchKind,
    link: Option<Lk>,
}

impl Draft {
    fn new(start: usize, end: usize, kind: MatchKind, link: Option<Lk>) -> Draft {
        Draft {
            start,
            end,
            cands: (0, 0),
            kind,
            link,
        }
    }

    fn cands<'p>(&self, pool: &'p [Cand]) -> &'p [Cand] {
        pool.get(self.cands.0 as usize..self.cands.1 as usize)
            .unwrap_or(&[])
    }
}

/// Whether the tokens, joined by U+0001, spell `key` exactly (as [`exact_key`] would build
/// it, without building it).
///
/// [`exact_key`]: crate::gazetteer::index::exact_key
fn exact_eq(text: &str, tokens: &[Token], key: &str) -> bool {
    let mut rest = key.as_bytes();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            match rest.split_first() {
                Some((1, r)) => rest = r,
                _ => return false,
            }
        }
        let w = t.text(text).as_bytes();
        if !rest.starts_with(w) {
            return false;
        }
        rest = &rest[w.len()..];
    }
    rest.is_empty()
}

/// Words that head the name of a unit of an institution.
const UNIT_HEADS: &[&str] = &[
    "office",
    "division",
    "department",
    "school",
    "faculty",
    "college",
    "institute",
    "center",
    "centre",
    "bureau",
    "laboratory",
    "laboratories",
    "lab",
    "library",
    "museum",
    "hospital",
    "branch",
    "section",
    "secretariat",
    "observatory",
    "station",
];

/// Words that head the name of an institution (for unknown candidates).
const HEADS: &[&str] = &[
    "university",
    "universities",
    "academy",
    "institute",
    "centre",
    "center",
    "ministry",
    "association",
    "council",
    "commission",
    "foundation",
    "agency",
    "laboratory",
    "observatory",
    "college",
    "society",
    "federation",
    "organisation",
    "organization",
    "zone",
    "bureau",
    "administration",
    "corporation",
    "hospital",
    "museum",
    "embassy",
    "polytechnic",
    "consortium",
    "institution",
    "université",
    "universität",
    "universidad",
    "università",
    "universidade",
    "institut",
];

/// Capitalised words that name places, not institutions.
const VENUES: &[&str] = &[
    "campus", "hall", "building", "street", "road", "square", "avenue", "stadium",
];

const CONNECTORS: &[&str] = &[
    "of", "for", "and", "on", "the", "de", "du", "des", "la", "le", "et", "für", "in",
];

/// Chinese suffixes of institution names (Simplified; the text is folded to it).
const ZH_SUFFIXES: &[&str] = &[
    "大学",
    "学院",
    "科学院",
    "研究院",
    "研究所",
    "研究中心",
    "中心",
    "协会",
    "学会",
    "基金会",
    "委员会",
    "实验室",
    "部",
    "局",
    "厅",
    "署",
    "集团",
    "公司",
    "医院",
    "合作区",
];
/// Suffixes of units after an institution's name (`中国科学院国际合作局`).
const ZH_UNIT_SUFFIXES: &[&str] = &[
    "局",
    "部",
    "处",
    "司",
    "厅",
    "办公室",
    "学院",
    "研究所",
    "研究院",
    "中心",
    "实验室",
    "系",
    "委员会",
];
/// Characters that end a Chinese candidate on their left (particles, prepositions).
const ZH_STOPS: &str =
    "的在与和及同向对由从为是了于将把被让给跟或并也都等之其该此这那以据经受至到位名个";

struct Hashes {
    of: u32,
    university: u32,
    the: u32,
    unit_heads: FxSet<u32>,
    heads: FxSet<u32>,
    venues: FxSet<u32>,
    connectors: FxSet<u32>,
    zh_suffixes: Vec<Vec<u32>>,
    /// The last characters of `zh_suffixes`.
    zh_suffix_last: FxSet<u32>,
    /// For each last character of `zh_suffixes`, the positions in `zh_suffixes` of those
    /// ending with it (in order).
    zh_suffixes_ending: FxMap<u32, Vec<usize>>,
    zh_unit_suffixes: Vec<Vec<u32>>,
    zh_stops: FxSet<u32>,
    he: u32,
    yu: u32,
    /// Characters that may follow a one-character suffix (`部长`, `局负责人`, `部的`).
    zh_role: FxSet<u32>,
    /// Two-character words that start a clause, not a name.
    zh_lead: FxSet<(u32, u32)>,
    /// Two-character modifiers that describe a kind of body, not name one (`联合实验室` is "a
    /// joint laboratory", `国家重点实验室` "a state key laboratory").
    zh_generic: FxSet<(u32, u32)>,
}

fn hashes() -> &'static Hashes {
    static H: std::sync::OnceLock<Hashes> = std::sync::OnceLock::new();
    H.get_or_init(|| {
        let set = |l: &[&str]| {
            l.iter()
                .map(|w| token_hash(hash_word(&crate::gazetteer::text::fold(w))))
                .collect::<FxSet<u32>>()
        };
        let chars = |s: &str| -> Vec<u32> {
            crate::gazetteer::text::tokenize_str(s)
                .iter()
                .map(|t| t.hash)
                .collect()
        };
        Hashes {
            of: token_hash(hash_word("of")),
            university: token_hash(hash_word("university")),
            the: token_hash(hash_word("the")),
            unit_heads: set(UNIT_HEADS),
            heads: set(HEADS),
            venues: set(VENUES),
            connectors: set(CONNECTORS),
            zh_suffixes: ZH_SUFFIXES.iter().map(|s| chars(s)).collect(),
            zh_suffix_last: ZH_SUFFIXES
                .iter()
                .filter_map(|s| chars(s).last().copied())
                .collect(),
            zh_suffixes_ending: {
                let mut m: FxMap<u32, Vec<usize>> = FxMap::default();
                for (k, s) in ZH_SUFFIXES.iter().enumerate() {
                    if let Some(&last) = chars(s).last() {
                        m.entry(last).or_default().push(k);
                    }
                }
                m
            },
            zh_unit_suffixes: ZH_UNIT_SUFFIXES.iter().map(|s| chars(s)).collect(),
            zh_stops: ZH_STOPS.chars().map(|c| chars(&c.to_string())[0]).collect(),
            zh_role: "长负主副的与和及在是将已也"
                .chars()
                .map(|c| chars(&c.to_string())[0])
                .collect(),
            zh_lead: [
                "今年", "去年", "明年", "近日", "日前", "目前", "昨天", "今天", "此次", "同时",
                "双方", "我国", "访问", "会见", "参观", "代表", "来自", "率团", "出席", "建立",
                "成立", "组建", "共建", "设立", "建设", "筹建", "揭牌",
            ]
            .iter()
            .map(|w| {
                let c = chars(w);
                (c[0], c[1])
            })
            .collect(),
            zh_generic: [
                "联合", "共同", "重点", "国家", "国际", "相关", "双边", "多边", "合作", "研究",
                "创新", "开放", "新型", "重大", "前沿", "先进", "综合", "专业", "科研", "技术",
                "工程", "高端", "一流", "示范", "协同", "交叉", "公共", "地方", "海外", "有关",
            ]
            .iter()
            .map(|w| {
                let c = chars(w);
                (c[0], c[1])
            })
            .collect(),
            he: chars("和")[0],
            yu: chars("与")[0],
        }
    })
}

/// Two ways of writing names that the tokenizer reads literally: "U." for University at the
/// end of a name ("Ghent U.", "Hong Kong Polytechnic U.", not "U.S."), and an undecoded
/// HTML `&amp;` ("Texas A&amp;M University": the `&` already reads as "and", the `amp` is
/// dropped). `text` ends where the tokens' range ends.
fn abbreviations(text: &str, toks: &mut Vec<Token>) {
    let b = text.as_bytes();
    let mut amp = false;
    for t in toks.iter_mut() {
        if t.end() - t.start != 1 {
            continue;
        }
        let at = t.start as usize;
        match b.get(at) {
            Some(b'U')
                if at > 0
                    && b.get(at - 1).is_some_and(|c| *c == b' ')
                    && b.get(at + 1) == Some(&b'.')
                    && !b.get(at + 2).is_some_and(|c| c.is_ascii_alphabetic())
                    && !b
                        .get(at + 3)
                        .is_some_and(|c| *c == b'.' || c.is_ascii_lowercase())
                    && !(b.get(at + 3).is_some_and(u8::is_ascii_uppercase)
                        && b.get(at + 4) == Some(&b'.')) =>
            {
                t.hash = hashes().university;
            }
            Some(b'&') => amp |= b.get(at + 1..at + 4) == Some(&b"amp"[..]),
            _ => {}
        }
    }
    if amp {
        // The `;` of `&amp;` is no hard break either.
        let mut k = 1;
        while k < toks.len() {
            let prev = toks[k - 1];
            if toks[k].text(text) == "amp"
                && prev.end() == toks[k].start
                && b.get(prev.start as usize) == Some(&b'&')
            {
                let end = toks[k].end() as usize;
                toks.remove(k);
                if let Some(next) = toks.get_mut(k) {
                    let g = text.get(end..next.start as usize).unwrap_or("");
                    if g.trim_end() == ";" {
                        next.flags &= !BREAK;
                    }
                }
            }
            k += 1;
        }
    }
}

/// Whether [`abbreviations`] may change the tokens of `text[from..to]`: a `U` in the range
/// read as " U." (the byte before `from` included), or an "&amp". Most blocks have neither
/// ("University" has a `U`): they skip the pass over their tokens.
fn may_abbreviate(text: &str, from: usize, to: usize) -> bool {
    let b = text.as_bytes();
    let b = b.get(..to.min(b.len())).unwrap_or(b);
    let Some(range) = b.get(from..) else {
        return false;
    };
    memchr::memchr2_iter(b'&', b'U', range).any(|k| {
        let at = from + k;
        match b.get(at) {
            Some(b'U') => at > 0 && b.get(at - 1) == Some(&b' ') && b.get(at + 1) == Some(&b'.'),
            _ => b.get(at + 1..at + 4) == Some(&b"amp"[..]),
        }
    })
}

/// The text between two tokens.
fn gap<'t>(text: &'t str, a: &Token, b: &Token) -> &'t str {
    text.get(a.end() as usize..b.start as usize).unwrap_or("")
}

fn is_acronym_like(t: &Token) -> bool {
    t.has(UPPER) && !t.has(CJK) && (t.has(ALLCAPS) || t.end() - t.start <= 8)
}

/// An acronym sitting in an all-capitals run ("THE MOST IMPORTANT") is a shouted word.
fn in_caps_run(toks: &[Token], start: usize, end: usize) -> bool {
    let word = |t: &Token| t.has(ALLCAPS) && !t.has(CJK);
    let before = start > 0 && word(&toks[start - 1]) && !toks[start].has(BREAK | NEWLINE);
    let after = end < toks.len() && word(&toks[end]) && !toks[end].has(BREAK | NEWLINE);
    before && after
}

pub fn recognise(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    gaz: &Gazetteer,
) -> Vec<InstitutionMention> {
    let body = article.body;
    let forms = forms(
        text,
        body.start.min(text.len()),
        body.end.min(text.len()),
        gaz,
    );
    recognise_forms(text, forms, annotations, gaz)
}

/// Steps 1–2 of recognition on `text[from..to]`: the tokens and the longest gazetteer forms,
/// not overlapping. Byte offsets are those of `text`.
///
/// Depends only on that text (and the gazetteer): gazetteer forms never cross a hard break
/// (`Index::walk` stops at a `BREAK` token), so the forms of blocks split at blank lines,
/// concatenated with [`Forms::append`], are the forms of the whole text (see `crate::analysis`).
#[derive(Clone, Debug, Default)]
pub struct Forms {
    toks: Vec<Token>,
    /// Sorted by start; token indices into `toks`.
    drafts: Vec<Draft>,
    pool: Vec<Cand>,
}

impl Forms {
    /// Appends the forms of the text that follows (computed on a text of its own: `shift` is
    /// where that text starts in the whole one).
    pub fn append(&mut self, next: &Forms, shift: usize) {
        self.append_expecting(next, shift, None);
    }

    /// [`Forms::append`], growing the vectors (when they must grow) to the size that the text
    /// read so far suggests: `Some((done, total))` says that `done` of the `total` bytes will
    /// have been appended once `next` is. Growing by doubling instead copies each vector
    /// about log2(n) times. Never less than doubling, so many small misses stay linear.
    /// The caller bounds `total` (an estimate off a dense first block over-reserves).
    pub fn append_expecting(&mut self, next: &Forms, shift: usize, seen: Option<(usize, usize)>) {
        if let Some((done, total)) = seen {
            grow(&mut self.toks, next.toks.len(), done, total);
            grow(&mut self.drafts, next.drafts.len(), done, total);
            grow(&mut self.pool, next.pool.len(), done, total);
        }
        let (t0, p0) = (self.toks.len(), self.pool.len() as u32);
        let shift = u32::try_from(shift).unwrap_or(u32::MAX);
        self.toks.extend(next.toks.iter().map(|t| {
            let mut t = *t;
            t.start = t.start.saturating_add(shift);
            t
        }));
        self.pool.extend_from_slice(&next.pool);
        self.drafts.extend(next.drafts.iter().map(|d| Draft {
            start: d.start + t0,
            end: d.end + t0,
            cands: (d.cands.0 + p0, d.cands.1 + p0),
            kind: d.kind,
            link: d.link.clone(),
        }));
    }

    /// Heap bytes held (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.toks.capacity() * std::mem::size_of::<Token>()
            + self.drafts.capacity() * std::mem::size_of::<Draft>()
            + self.pool.capacity() * std::mem::size_of::<Cand>()
    }

    /// Frees spare capacity (cached forms live as long as their block).
    pub fn shrink_to_fit(&mut self) {
        self.toks.shrink_to_fit();
        self.drafts.shrink_to_fit();
        self.pool.shrink_to_fit();
    }
}

/// Makes room in `v` for `add` more, if it lacks it: the length that `done` of `total` bytes
/// give, extrapolated to all of them, with an eighth more (and at least twice the capacity).
fn grow<T>(v: &mut Vec<T>, add: usize, done: usize, total: usize) {
    let need = v.len().saturating_add(add);
    if need <= v.capacity() {
        return;
    }
    let guess = (need as u128 * total.max(done) as u128 / done.max(1) as u128)
        .try_into()
        .unwrap_or(usize::MAX);
    let want = guess
        .saturating_add(guess / 8)
        .max(v.capacity().saturating_mul(2))
        .max(need);
    v.reserve_exact(want - v.len());
}

/// The valid candidates of `entries` for the form `toks[i..end]`, appended to `pool`
/// (one per record); whether one of them is a name.
fn valid(
    text: &str,
    toks: &[Token],
    i: usize,
    end: usize,
    entries: &[crate::gazetteer::index::Entry],
    pool: &mut Vec<Cand>,
) -> bool {
    let fresh = pool.len();
    let mut any_name = false;
    let span = toks.get(i..end).unwrap_or(&[]);
    for e in entries {
        if let Some(x) = &e.exact {
            if !exact_eq(text, span, x) {
                continue;
            }
        }
        if e.needs_caps && !span.iter().any(|t| t.has(UPPER | CJK)) {
            continue;
        }
        if e.kind == NameKind::Acronym && in_caps_run(toks, i, end) {
            continue;
        }
        any_name |= e.kind == NameKind::Name;
        match pool
            .get_mut(fresh..)
            .and_then(|p| p.iter_mut().find(|c| c.inst == e.inst))
        {
            None => pool.push(Cand {
                inst: e.inst,
                primary: e.primary,
                contextual: e.contextual,
            }),
            Some(c) => {
                c.contextual &= e.contextual;
                c.primary |= e.primary;
            }
        }
    }
    any_name
}

pub fn forms(text: &str, from: usize, to: usize, gaz: &Gazetteer) -> Forms {
    forms_of_tokens(text, from, to, tokenize(text, from, to), gaz)
}

/// [`forms`] of the tokens of `text[from..to]` ([`tokenize`]`(text, from, to)`), for a caller
/// that reads them too (the date scan).
pub fn forms_of_tokens(
    text: &str,
    from: usize,
    to: usize,
    mut toks: Vec<Token>,
    gaz: &Gazetteer,
) -> Forms {
    if may_abbreviate(text, from, to) {
        abbreviations(text.get(..to).unwrap_or(text), &mut toks);
    }
    if toks.is_empty() {
        return Forms::default();
    }
    let walker = gaz.index().walker();

    /// The longest valid form from token `i`, given the last forms of the walk from it
    /// (`last`: their end and entries) and how many nodes of the walk had forms (`nested`,
    /// at least 1): its end and kind, its candidates pushed on `pool`. Of the walks that
    /// reach a form, the longest form is nearly always valid, so it is checked first and the
    /// shorter ones only when it is not.
    #[inline(never)]
    fn longest(
        text: &str,
        toks: &[Token],
        i: usize,
        last: (usize, &[crate::gazetteer::index::Entry]),
        nested: u32,
        walker: crate::gazetteer::index::Walker<'_>,
        pool: &mut Vec<Cand>,
    ) -> Option<(usize, MatchKind)> {
        if pool.capacity() == 0 {
            // Sized once for the block (a form for every tenth token or so).
            pool.reserve(toks.len() / 8 + 4);
        }
        let (end, entries) = last;
        // The usual form: one name with no further test ([`valid`] would push it as is).
        if let [e] = entries {
            if e.kind == NameKind::Name && e.exact.is_none() && !e.needs_caps {
                pool.push(Cand {
                    inst: e.inst,
                    primary: e.primary,
                    contextual: e.contextual,
                });
                return Some((end, MatchKind::Name));
            }
        }
        let base = pool.len();
        let any_name = valid(text, toks, i, end, entries, pool);
        if pool.len() > base {
            let kind = if any_name {
                MatchKind::Name
            } else {
                MatchKind::Acronym
            };
            return Some((end, kind));
        }
        if nested == 1 {
            return None;
        }
        longest_forward(text, toks, i, walker, pool)
    }

    /// [`longest`] when the longest form from `i` is not valid: every form from the
    /// shortest on, each valid one replacing the one before in `pool`.
    #[cold]
    fn longest_forward(
        text: &str,
        toks: &[Token],
        i: usize,
        walker: crate::gazetteer::index::Walker<'_>,
        pool: &mut Vec<Cand>,
    ) -> Option<(usize, MatchKind)> {
        let base = pool.len();
        let mut best_at: Option<(usize, MatchKind)> = None;
        walker.walk(toks, i, |end, entries| {
            let fresh = pool.len();
            let any_name = valid(text, toks, i, end, entries, pool);
            if pool.len() > fresh {
                let kind = if any_name {
                    MatchKind::Name
                } else {
                    MatchKind::Acronym
                };
                let n = pool.len() - fresh;
                pool.copy_within(fresh.., base);
                pool.truncate(base + n);
                best_at = Some((end, kind));
            }
        });
        best_at
    }

    // 1. Every form starting at every token: the longest valid one. The candidates of all
    // drafts live in one pool: a form's are written at the pool's end, then moved over
    // those of the shorter form from the same token.
    let mut pool: Vec<Cand> = Vec::new();
    let mut found: Vec<Draft> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        // Most tokens start no name: the trie's first-token filter says so at once.
        let Some(node) = walker.first(t.hash) else {
            continue;
        };
        // The walk, here: most reach no form. The last forms on the path and their end;
        // how many nodes had forms.
        let mut last: (usize, &[crate::gazetteer::index::Entry]) = (0, &[]);
        let mut nested = 0u32;
        walker.walk_from(&toks, i, node, |end, entries| {
            last = (end, entries);
            nested += 1;
        });
        if nested == 0 {
            continue;
        }
        let base = pool.len();
        if let Some((end, kind)) = longest(text, &toks, i, last, nested, walker, &mut pool) {
            if found.capacity() == 0 {
                found.reserve(toks.len() / 8 + 2);
            }
            let mut d = Draft::new(i, end, kind, None);
            d.cands = (base as u32, pool.len() as u32);
            found.push(d);
        }
    }
    // 2. Longest first, then leftmost; no overlaps (starts are unique: the order is total).
    // `found` is by start: the drafts kept stay in its order, and the sort is of keys.
    if found.len() > 1 {
        // A block has a few drafts: their keys fit on the stack.
        let mut small = [0u64; 64];
        let mut large = Vec::new();
        let order = if found.len() <= small.len() {
            small.get_mut(..found.len()).unwrap_or(&mut [])
        } else {
            large.resize(found.len(), 0u64);
            &mut large[..]
        };
        for ((k, d), key) in found.iter().enumerate().zip(order.iter_mut()) {
            let len = u32::try_from(d.end - d.start).unwrap_or(u32::MAX);
            *key = u64::from(u32::MAX - len) << 32 | k as u64;
        }
        order.sort_unstable();
        // Tokens covered by a kept draft carry `COVERED` until the end of this step; the
        // kept drafts' indices are written over the front of `order`.
        let mut kept = 0;
        for at in 0..order.len() {
            let k = (order[at] & u64::from(u32::MAX)) as usize;
            let Some(d) = found.get(k) else { continue };
            let Some(span) = toks.get_mut(d.start..d.end) else {
                continue;
            };
            if span.iter().any(|t| t.has(crate::gazetteer::text::COVERED)) {
                continue;
            }
            span.iter_mut()
                .for_each(|t| t.flags |= crate::gazetteer::text::COVERED);
            order[kept] = k as u64;
            kept += 1;
        }
        let kept = order.get_mut(..kept).unwrap_or(&mut []);
        kept.sort_unstable();
        let mut next = kept.iter().peekable();
        let mut k = 0u64;
        found.retain(|_| {
            k += 1;
            next.next_if(|&&x| x == k - 1).is_some()
        });
        for d in &found {
            if let Some(span) = toks.get_mut(d.start..d.end) {
                span.iter_mut()
                    .for_each(|t| t.flags &= !crate::gazetteer::text::COVERED);
            }
        }
    }
    Forms {
        toks,
        drafts: found,
        pool,
    }
}

/// Steps 3–8 of recognition (document-level: acronyms defined anywhere, evidence, sub-units,
/// candidates) on the forms of the whole body.
pub fn recognise_forms(
    text: &str,
    forms: Forms,
    annotations: &Annotations,
    gaz: &Gazetteer,
) -> Vec<InstitutionMention> {
    let Forms {
        toks,
        mut drafts,
        pool,
    } = forms;
    if toks.is_empty() {
        return Vec::new();
    }
    let h = hashes();
    let sites = Sites::find(&toks, h);
    let mut covered = vec![false; toks.len()];
    for d in &drafts {
        if let Some(c) = covered.get_mut(d.start..d.end) {
            c.iter_mut().for_each(|c| *c = true);
        }
    }

    // 3. Acronyms defined in the text: "… Technology (CAST)", `中國科學院(CAS)`.
    let mut bindings: FxMap<&str, (u32, usize)> = FxMap::default();
    for &k in &sites.defined {
        let Some(t) = toks.get(k) else { continue };
        let open = gap(text, &toks[k - 1], t);
        let after = text
            .get(t.end() as usize..)
            .unwrap_or("")
            .trim_start_matches([' ', '\u{a0}']);
        if !(open.contains('(') || open.contains('（'))
            || !(after.starts_with(')') || after.starts_with('）'))
        {
            continue;
        }
        let acr = t.text(text);
        // The last name ending at most three tokens before the bracket (drafts are sorted).
        let before = drafts.partition_point(|d| d.start < k);
        let Some(p) = drafts[..before]
            .iter()
            .rev()
            .take(4)
            .find(|d| d.end <= k && d.end + 3 >= k && d.kind == MatchKind::Name)
        else {
            continue;
        };
        // Confirmed by the gazetteer: the record or an ancestor has this acronym.
        let has_acr = |i: usize| {
            gaz.at(i)
                .is_some_and(|r| r.acronyms.iter().any(|a| a == acr))
        };
        let mut bound: Option<u32> = None;
        for c in p.cands(&pool) {
            if has_acr(c.inst as usize) {
                bound = Some(c.inst);
                break;
            }
            gaz.any_ancestor(c.inst as usize, |a| {
                if has_acr(a) {
                    bound = Some(a as u32);
                }
                bound.is_some()
            });
            if bound.is_some() {
                break;
            }
        }
        // Or by the initials of the name right before the bracket.
        if bound.is_none()
            && p.end == k
            && p.cands(&pool).len() == 1
            && initials_match(text, &toks[p.start..p.end], acr)
        {
            bound = Some(p.cands(&pool)[0].inst);
        }
        if let Some(b) = bound {
            bindings.entry(acr).or_insert((b, k));
        }
    }
    // A defined acronym the gazetteer does not list still binds.
    if !bindings.is_empty() {
        // The bound acronyms' lengths and first bytes: most words differ in one of them, and
        // are passed over without hashing their text.
        let shapes: Vec<(u32, u8)> = bindings
            .keys()
            .map(|a| (a.len() as u32, a.as_bytes().first().copied().unwrap_or(0)))
            .collect();
        let bytes = text.as_bytes();
        for &k in &sites.acronyms {
            let Some(t) = toks.get(k) else { continue };
            if covered[k] {
                continue;
            }
            let shape = (
                t.end() - t.start,
                bytes.get(t.start as usize).copied().unwrap_or(0),
            );
            if shapes.contains(&shape) && bindings.contains_key(t.text(text)) {
                covered[k] = true;
                drafts.push(Draft::new(k, k + 1, MatchKind::Acronym, None));
            }
        }
        drafts.sort_by_key(|d| d.start);
    }

    // 4. Evidence: records named unambiguously, annotated records, countries named. Sorted
    // lists; the annotations and countries are gathered only when a form needs evidence.
    // A bit per record marks those already listed: a text names few records many times.
    let mut named_bits = vec![0u64; gaz.len().div_ceil(64)];
    let bit = |i: u32| (i as usize / 64, 1u64 << (i % 64));
    let mut named: Vec<u32> = Vec::new();
    for d in &drafts {
        if d.kind != MatchKind::Name {
            continue;
        }
        let mut direct = d.cands(&pool).iter().filter(|c| !c.contextual);
        if let (Some(c), None) = (direct.next(), direct.next()) {
            let (w, b) = bit(c.inst);
            match named_bits.get_mut(w) {
                Some(word) if *word & b != 0 => {}
                Some(word) => {
                    *word |= b;
                    named.push(c.inst);
                }
                None => named.push(c.inst),
            }
        }
    }
    named.sort_unstable();
    named.dedup();
    let is_named = |i: u32| {
        let (w, b) = bit(i);
        match named_bits.get(w) {
            Some(word) => word & b != 0,
            None => named.binary_search(&i).is_ok(),
        }
    };
    let evidence = std::cell::OnceCell::new();
    let evidence = || {
        evidence.get_or_init(|| {
            let mut countries = countries().mentioned_at(text, &toks, &sites.countries);
            countries.extend(annotations.countries.iter().map(|c| c.value.as_str()));
            let mut annotated: Vec<u32> = Vec::new();
            for e in &annotations.institutions {
                if let Some(r) = e.parsed_id.as_ref().and_then(|id| gaz.resolve(id)) {
                    if let Some(p) = gaz.position(&r.key) {
                        annotated.push(p as u32);
                    }
                }
                if let Some(c) = &e.country {
                    countries.push(c.value.as_str());
                }
            }
            let mut family = named.clone();
            for &n in &named {
                if let Some(c) = gaz.at(n as usize).and_then(|r| r.country.as_deref()) {
                    countries.push(c);
                }
                gaz.any_ancestor(n as usize, |a| {
                    family.push(a as u32);
                    false
                });
            }
            for v in [&mut annotated, &mut family] {
                v.sort_unstable();
                v.dedup();
            }
            countries.sort_unstable();
            countries.dedup();
            Evidence {
                countries,
                annotated,
                family,
            }
        })
    };

    // 5. Resolve.
    let mut scored: Vec<(Cand, (u32, u32, u32))> = Vec::new();
    // The text of a draft (only acronyms need it).
    let form_of = |d: &Draft| {
        text.get(toks[d.start].start as usize..toks[d.end - 1].end() as usize)
            .unwrap_or("")
    };
    for d in drafts.iter_mut() {
        if d.kind == MatchKind::Acronym && !bindings.is_empty() {
            if let Some(&(inst, at)) = bindings.get(form_of(d)) {
                d.link = Some(Lk::Known(inst));
                if d.start > at {
                    d.kind = MatchKind::DefinedAcronym;
                }
                continue;
            }
        }
        let cands = d.cands(&pool);
        let n_direct = cands.iter().filter(|c| !c.contextual).count();
        if n_direct == 0 {
            continue; // contextual only: step 6
        }
        if d.kind == MatchKind::Name && n_direct == 1 {
            if let Some(c) = cands.iter().find(|c| !c.contextual) {
                d.link = Some(Lk::Known(c.inst));
            }
            continue;
        }
        let direct = cands.iter().filter(|c| !c.contextual);
        let ev = evidence();
        let score = |c: &Cand| -> (u32, u32, u32) {
            let r = gaz.at(c.inst as usize);
            let mut e = 0;
            if ev.annotated.binary_search(&c.inst).is_ok() {
                e += 10;
            }
            if is_named(c.inst) {
                e += 8;
            } else if ev.family.binary_search(&c.inst).is_ok()
                || gaz.any_ancestor(c.inst as usize, |a| is_named(a as u32))
            {
                e += 4;
            }
            if r.and_then(|r| r.country.as_deref())
                .is_some_and(|c| ev.countries.binary_search(&c).is_ok())
            {
                e += 2;
            }
            // The record's city next to the name ("Institute of Physics, Zagreb").
            if d.kind == MatchKind::Name
                && r.and_then(|r| r.city.as_deref())
                    .is_some_and(|c| city_near(&toks, d.start, d.end, c))
            {
                e += 3;
            }
            let curated = u32::from(r.is_some_and(|r| r.origin != Origin::Ror));
            // For names: the record whose own display name this is comes first.
            let primary = u32::from(d.kind == MatchKind::Name && c.primary);
            (e, primary, curated)
        };
        scored.clear();
        scored.extend(direct.map(|c| (*c, score(c))));
        scored.sort_by_key(|x| std::cmp::Reverse(x.1));
        let Some(&(_, best)) = scored.first() else {
            continue;
        };
        if d.kind == MatchKind::Acronym {
            let all_ror = scored.iter().all(|(_, s)| s.2 == 0);
            let form = form_of(d);
            let weak = form.chars().count() <= 3 || is_common_word(form);
            let need = if all_ror {
                4
            } else if weak {
                2
            } else {
                0
            };
            if best.0 < need {
                continue; // not enough evidence that this word is an institution
            }
        }
        let mut tied = scored
            .iter()
            .filter(|(_, s)| *s == best)
            .map(|(c, _)| c.inst);
        d.link = match (tied.next(), tied.next()) {
            (Some(a), None) => Some(Lk::Known(a)),
            (Some(a), Some(b)) => Some(Lk::Ambiguous([a, b].into_iter().chain(tied).collect())),
            (None, _) => None,
        };
    }

    // 6. Sub-units' short forms count when their parent is mentioned.
    let weak_link = |d: &Draft| match &d.link {
        None | Some(Lk::Ambiguous(_)) => true,
        Some(Lk::Known(p)) => gaz.at(*p as usize).is_some_and(|r| r.origin == Origin::Ror),
        Some(Lk::Unknown) => false,
    };
    let is_open = |d: &Draft| weak_link(d) && d.cands(&pool).iter().any(|c| c.contextual);
    // The records mentioned and their ancestors, sorted (only when a short form is open).
    let mut linked: Vec<u32> = Vec::new();
    if drafts.iter().any(is_open) {
        for d in &drafts {
            if let Some(Lk::Known(p)) = d.link {
                linked.push(p);
                gaz.any_ancestor(p as usize, |a| {
                    linked.push(a as u32);
                    false
                });
            }
        }
        linked.sort_unstable();
        linked.dedup();
    }
    let is_linked = |i: usize| linked.binary_search(&(i as u32)).is_ok();
    for d in drafts.iter_mut().filter(|d| is_open(d)) {
        let cands = d.cands(&pool);
        // "International Technology Transfer Center (MOST)": the bracket names another owner.
        if let Some(next) = toks.get(d.end) {
            let g = gap(text, &toks[d.end - 1], next);
            let acr = next.text(text);
            let has_acr = |x: usize| {
                gaz.at(x)
                    .is_some_and(|r| r.acronyms.iter().any(|a| a == acr))
            };
            let owns = |i: u32| has_acr(i as usize) || gaz.any_ancestor(i as usize, has_acr);
            if g.contains('(') && is_acronym_like(next) && !cands.iter().any(|c| owns(c.inst)) {
                continue;
            }
        }
        let fits: Vec<u32> = cands
            .iter()
            .filter(|c| c.contextual && gaz.any_ancestor(c.inst as usize, is_linked))
            .map(|c| c.inst)
            .collect();
        match fits.len() {
            0 => {}
            // The unit of an institution the article names beats a homonym of the dump.
            1 => d.link = Some(Lk::Known(fits[0])),
            _ => d.link = Some(Lk::Ambiguous(fits)),
        }
    }
    drafts.retain(|d| d.link.is_some());
    // The candidates are decided: free them (a long CJK text has a draft every few bytes).
    drop(pool);

    // 7. Units of a known institution that the gazetteer does not list belong to it.
    merge_units(text, &toks, gaz, &mut drafts, h);

    // 8. Unknown candidates on what is left.
    covered.iter_mut().for_each(|c| *c = false);
    for d in &drafts {
        covered[d.start..d.end].iter_mut().for_each(|c| *c = true);
    }
    let first_candidate = drafts.len();
    english_candidates(text, &toks, &covered, h, &sites.heads, &mut drafts);
    near_names(text, &toks, gaz, &covered, first_candidate, &mut drafts);
    chinese_candidates(&toks, &covered, h, &sites.zh_suffixes, &mut drafts);
    drafts.sort_by_key(|d| d.start);

    let key = |i: u32| {
        gaz.at(i as usize)
            .map(|r| r.key.clone())
            .unwrap_or_default()
    };
    drafts
        .into_iter()
        .filter_map(|d| {
            Some(InstitutionMention {
                span: Span::new(toks[d.start].start as usize, toks[d.end - 1].end() as usize),
                link: match d.link? {
                    Lk::Known(i) => Link::Known(key(i)),
                    Lk::Ambiguous(v) => Link::Ambiguous(v.into_iter().map(key).collect()),
                    Lk::Unknown => Link::Unknown,
                },
                kind: d.kind,
            })
        })
        .collect()
}

/// Bit filters of the [`Hashes`] sets tested at every token.
struct Filters {
    heads: super::HashBits,
    zh_suffix_last: super::HashBits,
    zh_stops: super::HashBits,
    /// The last characters of the unit suffixes.
    zh_unit_last: super::HashBits,
}

fn filters() -> &'static Filters {
    static F: std::sync::OnceLock<Filters> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let h = hashes();
        Filters {
            heads: super::HashBits::new(h.heads.iter().copied()),
            zh_suffix_last: super::HashBits::new(h.zh_suffix_last.iter().copied()),
            zh_stops: super::HashBits::new(h.zh_stops.iter().copied()),
            zh_unit_last: super::HashBits::new(
                h.zh_unit_suffixes.iter().filter_map(|s| s.last().copied()),
            ),
        }
    })
}

/// The few tokens where a later step may start, found in one pass over the tokens: the
/// steps then visit these instead of every token (each list is sorted).
struct Sites {
    /// Acronym-like words ([`is_acronym_like`]).
    acronyms: Vec<usize>,
    /// Those right after a hard break (a bracket), but the first: acronyms defined in the text.
    defined: Vec<usize>,
    /// Tokens that may start a country name.
    countries: Vec<usize>,
    /// Capitalised head words of institution names (English candidates).
    heads: Vec<usize>,
    /// Characters that end a Chinese institution suffix (Chinese candidates).
    zh_suffixes: Vec<usize>,
}

impl Sites {
    fn find(toks: &[Token], h: &Hashes) -> Sites {
        let (f, countries) = (filters(), countries());
        // Sized for the usual share of each (a few per cent of the tokens): no regrowth.
        let few = toks.len() / 32 + 8;
        let mut s = Sites {
            acronyms: Vec::with_capacity(toks.len() / 8 + 8),
            defined: Vec::with_capacity(few),
            countries: Vec::with_capacity(few),
            heads: Vec::with_capacity(few),
            zh_suffixes: Vec::with_capacity(few),
        };
        for (k, t) in toks.iter().enumerate() {
            if countries.may_start(t.hash) {
                s.countries.push(k);
            }
            if t.has(CJK) {
                if f.zh_suffix_last.may_contain(t.hash) && h.zh_suffix_last.contains(&t.hash) {
                    s.zh_suffixes.push(k);
                }
                continue;
            }
            // Both other sites need an uppercase letter.
            if !t.has(UPPER | CAP) {
                continue;
            }
            if is_acronym_like(t) {
                s.acronyms.push(k);
                if k > 0 && t.has(BREAK) {
                    s.defined.push(k);
                }
            }
            if t.has(CAP)
                && !t.has(DIGITS)
                && f.heads.may_contain(t.hash)
                && h.heads.contains(&t.hash)
            {
                s.heads.push(k);
            }
        }
        s
    }
}

/// What the document says about which record an ambiguous form means (sorted lists).
struct Evidence<'a> {
    /// Countries named in the text, annotated, or of records named unambiguously.
    countries: Vec<&'a str>,
    /// Records the annotations designate.
    annotated: Vec<u32>,
    /// Records named unambiguously and their ancestors.
    family: Vec<u32>,
}

/// Unknown English candidates that nearly spell a long gazetteer name ("Tabriz University of
/// Medical Science", "University of California, Los Angles") link to it. A candidate that
/// stops at a comma is tried first with up to three capitalised words after the comma (the
/// campus or city of "University of California, Los Angeles").
fn near_names(
    text: &str,
    toks: &[Token],
    gaz: &Gazetteer,
    covered: &[bool],
    first: usize,
    drafts: &mut [Draft],
) {
    let Some(cands) = drafts.get(first..) else {
        return;
    };
    let mut taken: Vec<(usize, usize)> = cands.iter().map(|d| (d.start, d.end)).collect();
    taken.sort_unstable();
    let free = |k: usize| {
        !covered.get(k).copied().unwrap_or(true) && !taken.iter().any(|&(s, e)| s <= k && k < e)
    };
    let is_cap = |t: &Token| t.has(CAP) && !t.has(CJK) && !t.has(DIGITS);
    let mut memo: FxMap<&str, Option<usize>> = FxMap::default();
    for d in drafts.iter_mut().skip(first) {
        if d.kind != MatchKind::Candidate || d.link != Some(Lk::Unknown) {
            continue;
        }
        let phrase = |end: usize| {
            text.get(toks[d.start].start as usize..toks[end - 1].end() as usize)
                .unwrap_or("")
        };
        // The words after a comma: "…, Los Angeles".
        let mut ext = d.end;
        if let Some(next) = toks.get(d.end) {
            let g = gap(text, &toks[d.end - 1], next);
            if g.trim() == "," && !next.has(BREAK | NEWLINE) {
                let mut k = d.end;
                while k < toks.len()
                    && k - d.end < 3
                    && is_cap(&toks[k])
                    && free(k)
                    && (k == d.end
                        || (!toks[k].has(BREAK | NEWLINE)
                            && gap(text, &toks[k - 1], &toks[k])
                                .chars()
                                .all(|c| c == ' ' || c == '-' || c == '\u{a0}')))
                {
                    k += 1;
                }
                ext = k;
            }
        }
        let mut ends = vec![d.end];
        if ext > d.end {
            ends.insert(0, ext);
        }
        for end in ends {
            // The same phrase is often met again in one text: looked up once.
            let p = phrase(end);
            let near = *memo.entry(p).or_insert_with(|| gaz.near_name(p));
            if let Some(i) = near {
                d.link = Some(Lk::Known(i as u32));
                d.kind = MatchKind::Name;
                d.end = end;
                break;
            }
        }
    }
}

/// Whether a city's words stand within a few tokens before or after `start..end` (on the
/// same side of any hard break).
fn city_near(toks: &[Token], start: usize, end: usize, city: &str) -> bool {
    let c: Vec<u32> = crate::gazetteer::text::tokenize_str(city)
        .iter()
        .map(|t| t.hash)
        .collect();
    if c.is_empty() {
        return false;
    }
    let at = |k: usize| {
        toks.get(k..k + c.len()).is_some_and(|w| {
            w.iter().zip(&c).all(|(t, h)| t.hash == *h) && !w.iter().skip(1).any(|t| t.has(BREAK))
        })
    };
    // After: up to 12 tokens, not past a hard break.
    let mut k = end;
    while k < toks.len() && k < end + 12 && !toks[k].has(BREAK) {
        if at(k) {
            return true;
        }
        k += 1;
    }
    // Before: up to 8 tokens.
    let mut k = start;
    while k > 0 && start - k < 8 && !toks[k].has(BREAK) {
        k -= 1;
        if k + c.len() <= start && at(k) {
            return true;
        }
    }
    false
}

/// Whether `acr` is the initials of the capitalised words of a name (`China Association for
/// Science and Technology` → CAST), allowing a letter of the acronym per word or skipping
/// words.
fn initials_match(text: &str, name: &[Token], acr: &str) -> bool {
    let initials: Vec<char> = name
        .iter()
        .filter(|t| t.has(CAP) && !t.has(CJK))
        .filter_map(|t| t.text(text).chars().next())
        .collect();
    let letters: Vec<char> = acr.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 || initials.is_empty() || letters[0] != initials[0] {
        return false;
    }
    let mut it = initials.iter();
    letters.iter().all(|l| it.any(|i| i == l))
}

fn merge_units(text: &str, toks: &[Token], gaz: &Gazetteer, drafts: &mut Vec<Draft>, h: &Hashes) {
    let is_cap = |t: &Token| t.has(CAP) && !t.has(CJK) && !t.has(DIGITS);
    let is_conn = |t: &Token| h.connectors.contains(&t.hash) && !t.has(CAP) && t.hash != h.the;
    let filt = filters();
    let mut merges: Vec<(usize, usize, u32)> = Vec::new();
    // Per token: inside a unit or candidate (a unit phrase does not run through them), and
    // whether a draft starts there. One buffer for both.
    const BLOCKED: u8 = 1;
    const STARTS: u8 = 2;
    let mut marks = vec![0u8; toks.len()];
    for d in drafts.iter() {
        let unit = match d.link {
            Some(Lk::Known(p)) => gaz.at(p as usize).is_some_and(|r| r.parent.is_some()),
            _ => true,
        };
        if let Some(m) = marks.get_mut(d.start..d.end) {
            if unit {
                m.iter_mut().for_each(|b| *b |= BLOCKED);
            }
            if let Some(first) = m.first_mut() {
                *first |= STARTS;
            }
        }
    }
    let blocked = |k: usize| marks.get(k).is_some_and(|m| m & BLOCKED != 0);
    let starts = |k: usize| marks.get(k).is_some_and(|m| m & STARTS != 0);
    for d in drafts.iter() {
        let Some(Lk::Known(key)) = d.link else {
            continue;
        };
        let (s, e) = (d.start, d.end);
        // Backward: "Office of (the) P", "Office of International Affairs, P".
        let unit_end = if s >= 2
            && toks[s - 1].hash == h.the
            && toks[s - 2].hash == h.of
            && !toks[s - 1].has(BREAK)
        {
            Some(s - 2)
        } else if s >= 1 && toks[s - 1].hash == h.of && !toks[s].has(BREAK) {
            Some(s - 1)
        } else if s >= 1 && !toks[s].has(BREAK) && gap(text, &toks[s - 1], &toks[s]).contains(',') {
            Some(s)
        } else {
            None
        };
        if let Some(ue) = unit_end.filter(|&ue| ue >= 1 && is_cap(&toks[ue - 1])) {
            let mut head: Option<usize> = None;
            let mut j = ue;
            while j > 0 && ue - j < 10 {
                let t = &toks[j - 1];
                let comma = j < ue && gap(text, t, &toks[j]).contains(',');
                if !(is_cap(t) || is_conn(t))
                    || (toks[j].has(BREAK) && j < ue)
                    || comma
                    || blocked(j - 1)
                {
                    break;
                }
                if is_cap(t) && h.unit_heads.contains(&t.hash) {
                    head = Some(j - 1);
                }
                if t.has(BREAK) {
                    break;
                }
                j -= 1;
            }
            if let Some(mut hs) = head {
                let mut extra = 0;
                while hs > 0 && extra < 2 {
                    let p = &toks[hs - 1];
                    let g = gap(text, p, &toks[hs]);
                    if is_cap(p)
                        && !is_conn(p)
                        && !toks[hs].has(BREAK | NEWLINE)
                        && g.chars().all(|c| c == ' ' || c == '-' || c == '\u{a0}')
                        && !h.unit_heads.contains(&p.hash)
                    {
                        hs -= 1;
                        extra += 1;
                    } else {
                        break;
                    }
                }
                merges.push((hs, e, key));
                continue;
            }
        }
        // Forward: "CAS Institute of …", `中国科学院某某局`.
        if e < toks.len() && !toks[e].has(BREAK) {
            let next = &toks[e];
            if is_cap(next) && h.unit_heads.contains(&next.hash) && !toks[e - 1].has(CJK) {
                let mut f = e + 1;
                let mut last_cap = e + 1;
                while f < toks.len()
                    && f - e < 8
                    && !toks[f].has(BREAK | NEWLINE)
                    && (is_cap(&toks[f]) || is_conn(&toks[f]))
                {
                    if is_cap(&toks[f]) {
                        last_cap = f + 1;
                    }
                    f += 1;
                }
                merges.push((s, last_cap, key));
                continue;
            }
            if next.has(CJK) && toks[e - 1].has(CJK) && gap(text, &toks[e - 1], next).is_empty() {
                let mut f = e;
                while f < toks.len()
                    && f - e < 10
                    && toks[f].has(CJK)
                    && !(f > e && toks[f].has(BREAK))
                {
                    let hash = toks[f].hash;
                    let stop = filt.zh_stops.may_contain(hash)
                        && h.zh_stops.contains(&hash)
                        && hash != h.he
                        && hash != h.yu;
                    if stop || starts(f) {
                        break;
                    }
                    f += 1;
                    let run = &toks[e..f];
                    let ends_with = |suf: &[u32]| {
                        run.len() >= suf.len() + 2
                            && run[run.len() - suf.len()..]
                                .iter()
                                .zip(suf)
                                .all(|(t, h)| t.hash == *h)
                    };
                    // A suffix matches only when the run ends with its last character.
                    if run.len() >= 3
                        && filt.zh_unit_last.may_contain(hash)
                        && h.zh_unit_suffixes.iter().any(|suf| ends_with(suf))
                    {
                        merges.push((s, f, key));
                        break;
                    }
                }
            }
        }
    }
    if merges.is_empty() {
        return; // the drafts stay as they are (sorted)
    }
    // A unit phrase replaces what was found inside it (e.g. a homonym of the unit).
    let mut replaced = vec![false; toks.len()];
    let mut added: Vec<Draft> = Vec::new();
    for (s, e, key) in merges {
        if gaz.at(key as usize).is_none() || replaced[s..e].iter().any(|&r| r) {
            continue;
        }
        replaced[s..e].iter_mut().for_each(|r| *r = true);
        added.push(Draft::new(s, e, MatchKind::Name, Some(Lk::Known(key))));
    }
    drafts.retain(|d| !replaced[d.start..d.end].iter().any(|&r| r));
    drafts.extend(added);
    drafts.sort_by_key(|d| d.start);
}

/// `heads`: the capitalised head words ([`Sites::heads`]).
fn english_candidates(
    text: &str,
    toks: &[Token],
    covered: &[bool],
    h: &Hashes,
    heads: &[usize],
    out: &mut Vec<Draft>,
) {
    let is_cap = |t: &Token| t.has(CAP) && !t.has(CJK) && !t.has(DIGITS);
    let is_conn = |t: &Token| h.connectors.contains(&t.hash) && !t.has(CAP);
    let joined = |a: usize| -> bool {
        // Token a+1 continues the phrase of token a.
        let (p, n) = (&toks[a], &toks[a + 1]);
        !n.has(BREAK | NEWLINE)
            && !covered[a + 1]
            && !gap(text, p, n).contains([',', '.', ':', '"', '“', '”'])
    };
    let countries = countries();
    // Heads before `next` are inside the last candidate.
    let mut next = 0;
    for &i in heads {
        if i < next || i >= toks.len() || covered[i] {
            continue;
        }
        // Capitalised words right before the head.
        let mut s = i;
        while s > 0 && !covered[s - 1] && is_cap(&toks[s - 1]) && joined(s - 1) && i - s < 6 {
            s -= 1;
        }
        // "of Energy and Mines", "for Science and Technology" after it.
        let mut e = i + 1;
        let mut j = i + 1;
        while j < toks.len() && joined(j - 1) && j - i < 10 {
            if is_cap(&toks[j]) {
                e = j + 1;
            } else if !is_conn(&toks[j]) {
                break;
            }
            j += 1;
        }
        // Trim countries at either end while the rest still reads as a name.
        let qualifies = |s: usize, e: usize| -> bool {
            let words = (s..e).filter(|&k| is_cap(&toks[k])).count();
            words >= 2 && (s..e).any(|k| h.heads.contains(&toks[k].hash))
        };
        while let Some((_, n)) = countries.at(text, toks, s) {
            if s + n <= i && qualifies(s + n, e) {
                s += n;
            } else {
                break;
            }
        }
        // Trailing "of Laos", "in China".
        while let Some(k) = ((i + 1)..e).find(|&k| {
            is_conn(&toks[k])
                && toks[k].hash != h.the
                && countries
                    .at(text, toks, k + 1)
                    .is_some_and(|(_, n)| k + 1 + n == e)
                && qualifies(s, k)
        }) {
            e = k;
        }
        while s < i && toks[s].hash == h.the {
            s += 1;
        }
        let venue = (s..e).any(|k| h.venues.contains(&toks[k].hash));
        if qualifies(s, e) && !venue {
            out.push(Draft::new(s, e, MatchKind::Candidate, Some(Lk::Unknown)));
            next = e;
        }
    }
}

/// `ends`: the characters that end a suffix ([`Sites::zh_suffixes`]).
fn chinese_candidates(
    toks: &[Token],
    covered: &[bool],
    h: &Hashes,
    ends: &[usize],
    out: &mut Vec<Draft>,
) {
    let filt = filters();
    let mut taken_until = 0;
    for &i in ends {
        if i < taken_until || i >= toks.len() || covered[i] {
            continue;
        }
        // Does a suffix end at token i? Only those ending with its character can.
        let Some(ending) = h.zh_suffixes_ending.get(&toks[i].hash) else {
            continue;
        };
        let mut best: Option<(usize, usize)> = None; // (start, end)
        for suf in ending.iter().filter_map(|&k| h.zh_suffixes.get(k)) {
            let n = suf.len();
            if i + 1 < n || suf.last() != Some(&toks[i].hash) {
                continue;
            }
            let from = i + 1 - n;
            if (from..=i)
                .any(|k| covered[k] || !toks[k].has(CJK) || (k > from && toks[k].has(BREAK)))
                || !toks[from..=i].iter().zip(suf).all(|(t, h)| t.hash == *h)
            {
                continue;
            }
            let mut s = from;
            while s > 0 && from - s < 12 {
                let p = &toks[s - 1];
                if covered[s - 1]
                    || !p.has(CJK)
                    || toks[s].has(BREAK)
                    || (filt.zh_stops.may_contain(p.hash) && h.zh_stops.contains(&p.hash))
                {
                    break;
                }
                s -= 1;
            }
            // Time words and the like before a name: `今年`, `近日`, `双方`.
            while s + 2 <= from && h.zh_lead.contains(&(toks[s].hash, toks[s + 1].hash)) {
                s += 2;
            }
            let mut proper = s;
            while proper + 2 <= from
                && h.zh_generic
                    .contains(&(toks[proper].hash, toks[proper + 1].hash))
            {
                proper += 2;
            }
            let min = if n == 1 { 3 } else { 2 };
            // Only generic modifiers before the suffix: a kind of body, not a named one.
            if proper == from {
                continue;
            }
            // `新局面`, `部分`: a one-character suffix must end the word.
            let ends_word = n > 1
                || toks
                    .get(i + 1)
                    .is_none_or(|t| !t.has(CJK) || t.has(BREAK) || h.zh_role.contains(&t.hash));
            if ends_word && from - s >= min && best.is_none_or(|(bs, _)| s < bs) {
                best = Some((s, i + 1));
            }
        }
        if let Some((s, e)) = best {
            out.push(Draft::new(s, e, MatchKind::Candidate, Some(Lk::Unknown)));
            taken_until = e;
        }
    }
}

#[cfg(test)]
mod sites_tests {
    use super::*;
    use crate::gazetteer::text::tokenize_str;

    #[test]
    fn sites_are_the_tokens_each_step_would_test() {
        let text = "The Kunming University of Science (KUST) and the Ministry of Education, \
                    China; 中国科学院国际合作局与老挝国立大学 (NUOL) signed. UNESCO Hall";
        let toks = tokenize_str(text);
        let (h, f) = (hashes(), filters());
        let s = Sites::find(&toks, h);
        let all = |p: &dyn Fn(usize, &Token) -> bool| -> Vec<usize> {
            toks.iter()
                .enumerate()
                .filter(|(k, t)| p(*k, t))
                .map(|(k, _)| k)
                .collect()
        };
        let is_cap = |t: &Token| t.has(CAP) && !t.has(CJK) && !t.has(DIGITS);
        assert_eq!(s.acronyms, all(&|_, t| is_acronym_like(t)));
        assert_eq!(
            s.defined,
            all(&|k, t| k > 0 && t.has(BREAK) && is_acronym_like(t))
        );
        assert_eq!(s.countries, all(&|_, t| countries().may_start(t.hash)));
        assert_eq!(
            s.heads,
            all(&|_, t| is_cap(t) && f.heads.may_contain(t.hash) && h.heads.contains(&t.hash))
        );
        assert_eq!(
            s.zh_suffixes,
            all(&|_, t| t.has(CJK) && h.zh_suffix_last.contains(&t.hash))
        );
        assert!(!s.heads.is_empty() && !s.zh_suffixes.is_empty() && !s.defined.is_empty());
    }
}

#[cfg(test)]
mod append_tests {
    use super::*;

    /// Sized appending gives the same forms as plain appending, whatever the estimate (too
    /// small, right, too large), on awkward text split into blocks of uneven density.
    #[test]
    fn sized_append_is_plain_append() {
        let gaz = Gazetteer::embedded();
        let blocks = [
            "Hello.",
            "The\u{a0}University of Oxford 🎓 and MIT, with the Ministry of Education (MoE), China;",
            "中国科学院国际合作局与老挝国立大学 (NUOL) signed 😀 at UNESCO Hall.",
            "",
            "Université de Montréal, ETH Zürich, Max Planck Society; UCLA & UCSF, U.S. Army.",
            "🙂 x",
        ];
        let mut text = String::new();
        let mut starts = Vec::new();
        for b in blocks {
            starts.push(text.len());
            text.push_str(b);
            text.push_str("\n\n");
        }
        let total = text.len();
        let mut plain = Forms::default();
        for (k, &from) in starts.iter().enumerate() {
            let to = starts.get(k + 1).copied().unwrap_or(total);
            plain.append(&forms(&text[from..to], 0, to - from, gaz), from);
        }
        assert!(!plain.drafts.is_empty() && !plain.pool.is_empty());
        for scale in [1, 3, 1000] {
            for claimed in [1, total / 4, total, total * scale] {
                let mut sized = Forms::default();
                for (k, &from) in starts.iter().enumerate() {
                    let to = starts.get(k + 1).copied().unwrap_or(total);
                    let next = forms(&text[from..to], 0, to - from, gaz);
                    sized.append_expecting(&next, from, Some((to, claimed)));
                }
                assert_eq!(format!("{sized:?}"), format!("{plain:?}"));
            }
        }
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use crate::gazetteer::text::tokenize_str;

    /// The tokens of `text[from..to]` after the abbreviations, with the pass run only when
    /// [`may_abbreviate`] says so (as [`forms`] does) and always.
    fn gated_and_always(text: &str, from: usize, to: usize) -> (Vec<Token>, Vec<Token>) {
        let before = text.get(..to).unwrap_or(text);
        let mut gated = tokenize(text, from, to);
        if may_abbreviate(text, from, to) {
            abbreviations(before, &mut gated);
        }
        let mut always = tokenize(text, from, to);
        abbreviations(before, &mut always);
        (gated, always)
    }

    /// Every range of `text` that starts and ends on character boundaries.
    fn every_range(text: &str, check: &mut dyn FnMut(usize, usize)) {
        let bounds: Vec<usize> = (0..=text.len())
            .filter(|&k| text.is_char_boundary(k))
            .collect();
        for (a, &from) in bounds.iter().enumerate() {
            for &to in &bounds[a..] {
                check(from, to);
            }
        }
    }

    #[test]
    fn the_abbreviation_gate_skips_only_ranges_the_pass_leaves_alone() {
        let texts = [
            "Ghent U. and Hong Kong Polytechnic U., not the U.S. or U.K.; U. S. Army",
            " U.",
            "U. at the start, U.\u{a0}after an NBSP,\u{a0}U. after one",
            "Texas A&amp;M University & Texas A&M; &amp",
            "&am &amp&amp;amp; U.&amp;",
            "中國科學院 U. 學(xué)院 😀 U.\u{a0}U. Université de Montréal",
            "NUS U. (國立) 中国科学院国际合作局 🎓 &amp; Zhōngguó U.",
            "University of Oxford and UNESCO, USA; no abbreviation here",
        ];
        let mut changed = 0;
        let mut skipped = 0;
        for text in texts {
            every_range(text, &mut |from, to| {
                let (gated, always) = gated_and_always(text, from, to);
                assert_eq!(gated, always, "{text:?}[{from}..{to}]");
                if always != tokenize(text, from, to) {
                    changed += 1;
                }
                if !may_abbreviate(text, from, to) {
                    skipped += 1;
                }
            });
        }
        // Both cases occur: ranges the pass changes, and ranges the gate skips.
        assert!(changed > 100 && skipped > 100, "{changed} {skipped}");
        assert!(!may_abbreviate(texts[7], 0, texts[7].len()));
        assert!(may_abbreviate(texts[0], 0, 10));
    }

    proptest::proptest! {
        #[test]
        fn the_abbreviation_gate_agrees_with_always_running_the_pass(
            s in "[U. &amp;xS\u{a0}學院中国😀é\n()（）]{0,40}",
            a in 0usize..48,
            b in 0usize..48,
        ) {
            let (mut from, mut to) = (a.min(b).min(s.len()), a.max(b).min(s.len()));
            while !s.is_char_boundary(from) {
                from -= 1;
            }
            while !s.is_char_boundary(to) {
                to -= 1;
            }
            let (from, to) = (from.min(to), to);
            let (gated, always) = gated_and_always(&s, from, to);
            proptest::prop_assert_eq!(gated, always);
        }
    }

    /// Where [`forms`] takes its shortcut for the longest form (one name entry, no exact
    /// spelling, no capitals needed), [`valid`] accepts that entry alone, as a name, after
    /// the candidates already in the pool.
    #[test]
    fn the_single_name_shortcut_is_what_valid_does() {
        let gaz = Gazetteer::embedded();
        let walker = gaz.index().walker();
        let text = "The University of Oxford, Kunming University of Science and Technology, \
                    Tsinghua University and the Chinese Academy of Sciences; 中国科学院、清華大學、\
                    老挝国立大学 and the Max Planck Society 🎓 with\u{a0}ETH Zürich (Zhōngguó).";
        let toks = tokenize_str(text);
        let mut shortcuts = 0;
        let mut others = 0;
        for i in 0..toks.len() {
            walker.walk(&toks, i, |end, entries| match entries {
                [e] if e.kind == NameKind::Name && e.exact.is_none() && !e.needs_caps => {
                    let before = Cand {
                        inst: u32::MAX,
                        primary: false,
                        contextual: true,
                    };
                    let mut pool = vec![before];
                    assert!(valid(text, &toks, i, end, entries, &mut pool));
                    let want = Cand {
                        inst: e.inst,
                        primary: e.primary,
                        contextual: e.contextual,
                    };
                    assert_eq!(
                        pool,
                        [before, want],
                        "{:?}",
                        &text[toks[i].start as usize..]
                    );
                    shortcuts += 1;
                }
                _ => others += 1,
            });
        }
        assert!(shortcuts >= 5 && others >= 1, "{shortcuts} {others}");
    }

    /// The suffixes listed for a character are those ending with it, in their order; the
    /// bit filters hold every stop and every unit suffix's last character.
    #[test]
    fn chinese_suffix_lookups_match_the_lists() {
        let (h, f) = (hashes(), filters());
        let text = "中国科学院国际合作局与老挝国立大学的研究中心、实验室和委员会，學院 😀 部长\
                    办公室 系 处 司 厅 集團公司 醫院 Zhōngguó\u{a0}U.";
        let mut listed = 0;
        for t in tokenize_str(text) {
            let scanned: Vec<usize> = (0..h.zh_suffixes.len())
                .filter(|&k| h.zh_suffixes[k].last() == Some(&t.hash))
                .collect();
            let mapped = h.zh_suffixes_ending.get(&t.hash).cloned();
            assert_eq!(mapped.clone().unwrap_or_default(), scanned);
            listed += usize::from(mapped.is_some());
            if h.zh_stops.contains(&t.hash) {
                assert!(f.zh_stops.may_contain(t.hash));
            }
            if h.zh_unit_suffixes.iter().any(|s| s.last() == Some(&t.hash)) {
                assert!(f.zh_unit_last.may_contain(t.hash));
            }
        }
        assert!(listed >= 8, "{listed}");
        for s in &h.zh_suffixes {
            let last = s.last().copied().unwrap_or_default();
            assert!(h.zh_suffixes_ending.contains_key(&last));
        }
        for s in &h.zh_unit_suffixes {
            assert!(f
                .zh_unit_last
                .may_contain(s.last().copied().unwrap_or_default()));
        }
        assert!(h.zh_stops.iter().all(|&c| f.zh_stops.may_contain(c)));
    }
}
