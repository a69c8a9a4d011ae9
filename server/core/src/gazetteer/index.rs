//! The name index: a trie over token hashes (see [`super::text`]) holding every name,
//! acronym, alias and former name of every record, plus the forms derived for sub-units
//! ("Division of International Cooperation of KUST", "KUST Division of …", `中国科学院国际合作局`).
//!
//! Why a token trie and not a byte-level Aho-Corasick automaton: with a ROR dump loaded the
//! index holds ~200k names; a byte automaton over them takes seconds to build and hundreds of
//! megabytes, while the token trie builds in well under a second, stays around tens of
//! megabytes, and gives whole-word semantics for free. Matching walks the trie from each
//! token; a walk stops at the first token no name continues with (almost always the first),
//! so the cost is linear in the text with a small constant.

use super::text::{hash_word, token_hash, tokenize_str, Token, BREAK, CJK};
use super::Institution;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for keys that are already hashes.
#[derive(Default)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

pub type Fx = BuildHasherDefault<MixHasher>;

/// How a form names its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Name,
    Acronym,
}

/// One form of one record at a trie node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Index of the record in the gazetteer.
    pub inst: u32,
    pub kind: NameKind,
    /// For acronyms and one-word names: the original tokens (joined by U+0001), matched
    /// case-sensitively.
    pub exact: Option<Box<str>>,
    /// A sub-unit's short form ("Division of Overseas Cooperation", `国际合作局`): only a
    /// mention when the parent is mentioned in the same document.
    pub contextual: bool,
    /// Short Latin names (two words) only match text with a capital letter ("Durham
    /// University", not "durham university" in running lowercase text).
    pub needs_caps: bool,
    /// The record's own display name (preferred when several records share a form).
    pub primary: bool,
    /// A variant made here ("Southampton University" from "University of Southampton"):
    /// ignored where a real name of some record has the same form.
    pub derived: bool,
}

/// The trie.
#[derive(Default)]
pub struct Index {
    edges: HashMap<(u32, u32), u32, Fx>,
    terminal: HashMap<u32, u32, Fx>,
    entries: Vec<Vec<Entry>>,
    nodes: u32,
    /// The trie laid out for walks (built on the first one).
    matcher: std::sync::OnceLock<Matcher>,
}

/// The trie laid out for matching (built once, on the first walk).
///
/// The children of a node sit together in `kids`, and the groups follow each other in
/// depth-first order, so a walk along a name reads memory forward; each child carries where
/// its own children are and its entry slot, so a step is one read. Up to eight children are
/// a list; more (the root's thousands, a common first word's dozens) an open-addressing
/// table. Before the root's table, a one-hash Bloom filter of the first tokens: most tokens
/// start no name, and the filter says so from memory that stays in cache.
struct Matcher {
    kids: Box<[Kid]>,
    root: Kid,
    bits: Box<[u64]>,
    bits_shift: u32,
}

/// A trie node as its parent's child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Kid {
    hash: u32,
    /// Its children: `kids[first..first + count]`, a list when `count <= LIST`, else a
    /// table of `count` (a power of two) slots, linear probing, empty slots `Kid::NONE`.
    first: u32,
    count: u32,
    /// Its entries' slot, or `NO_SLOT`.
    slot: u32,
}

const NO_SLOT: u32 = u32::MAX;
/// The most children kept as a list.
const LIST: usize = 8;

impl Kid {
    /// An empty table slot (a node kept has children or entries).
    const NONE: Kid = Kid {
        hash: 0,
        first: 0,
        count: 0,
        slot: NO_SLOT,
    };
}

/// Where a hash goes in a table of `mask + 1` slots.
#[inline(always)]
fn spot(h: u32, mask: usize) -> usize {
    ((u64::from(h).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize) & mask
}

impl Matcher {
    fn build(ix: &Index) -> Matcher {
        let (edges, start) = edges_by_parent(ix);
        let nodes = start.len().saturating_sub(1);
        let children = |n: u32| -> &[(u32, u32, u32)] {
            let a = start.get(n as usize).copied().unwrap_or(0) as usize;
            let b = start.get(n as usize + 1).copied().unwrap_or(0) as usize;
            edges.get(a..b).unwrap_or(&[])
        };
        // Each node's entry slot from an array: two reads per edge below, no hashing.
        let mut slots = vec![NO_SLOT; nodes];
        for (&n, &s) in &ix.terminal {
            if let Some(x) = slots.get_mut(n as usize) {
                *x = s;
            }
        }
        let slot = |n: u32| slots.get(n as usize).copied().unwrap_or(NO_SLOT);
        // Depth-first from the root: a node's children are laid out when it is visited
        // (each node once, whatever the edges of an index read from bytes). A child with
        // neither children nor entries could only end a walk: it is left out.
        let mut first = vec![u32::MAX; nodes];
        let mut size = vec![0u32; nodes];
        let mut kids: Vec<Kid> = Vec::with_capacity(edges.len());
        let mut node_of: Vec<u32> = Vec::with_capacity(edges.len());
        let mut kept: Vec<(u32, u32)> = Vec::new();
        let mut stack = vec![0u32];
        while let Some(n) = stack.pop() {
            if first[n as usize] != u32::MAX {
                continue;
            }
            let at = kids.len();
            first[n as usize] = at as u32;
            kept.clear();
            kept.extend(
                children(n)
                    .iter()
                    .filter(|e| !children(e.2).is_empty() || slot(e.2) != NO_SLOT)
                    .map(|e| (e.1, e.2)),
            );
            let new = |h: u32, to: u32| Kid {
                hash: h,
                first: 0,
                count: 0,
                slot: slot(to),
            };
            if kept.len() <= LIST {
                size[n as usize] = kept.len() as u32;
                for &(h, to) in &kept {
                    kids.push(new(h, to));
                    node_of.push(to);
                }
            } else {
                let len = (kept.len() * 2).next_power_of_two();
                size[n as usize] = len as u32;
                kids.resize(at + len, Kid::NONE);
                node_of.resize(at + len, u32::MAX);
                for &(h, to) in &kept {
                    let mut p = spot(h, len - 1);
                    while node_of[at + p] != u32::MAX {
                        p = (p + 1) & (len - 1);
                    }
                    kids[at + p] = new(h, to);
                    node_of[at + p] = to;
                }
            }
            stack.extend(kept.iter().rev().map(|e| e.1));
        }
        for (k, &to) in kids.iter_mut().zip(&node_of) {
            if let (Some(&f), Some(&s)) = (first.get(to as usize), size.get(to as usize)) {
                (k.first, k.count) = (f, s);
            }
        }
        let root = Kid {
            hash: 0,
            first: first[0],
            count: size[0],
            slot: NO_SLOT,
        };
        // 16 bits per first token: a false positive rate of about 6%.
        let first_tokens = kids
            .iter()
            .take(root.count as usize)
            .filter(|k| **k != Kid::NONE);
        let bits_log2 = (first_tokens.clone().count() * 16)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(9, 26);
        let mut m = Matcher {
            root,
            bits: vec![0u64; 1 << (bits_log2 - 6)].into_boxed_slice(),
            bits_shift: 64 - bits_log2,
            kids: Box::new([]),
        };
        for k in first_tokens {
            let b = m.bit(k.hash);
            m.bits[b >> 6] |= 1 << (b & 63);
        }
        m.kids = kids.into_boxed_slice();
        m
    }

    #[inline(always)]
    fn bit(&self, h: u32) -> usize {
        filter_bit(h, self.bits_shift)
    }
}

/// The edges `(parent, hash, child)` in the order a sort of them all gives, and where each
/// node's edges start (`start[n]..start[n + 1]`, one more entry than nodes): each parent's
/// edges placed after a count of them, then sorted by hash within the parent (most parents
/// have one), for a fraction of a full sort's instructions.
fn edges_by_parent(ix: &Index) -> (Vec<(u32, u32, u32)>, Vec<u32>) {
    let nodes = ix
        .edges
        .iter()
        .map(|(&(f, _), &t)| f.max(t) as usize + 1)
        .max()
        .unwrap_or(1);
    let mut start = vec![0u32; nodes + 1];
    for &(f, _) in ix.edges.keys() {
        if let Some(s) = start.get_mut(f as usize + 1) {
            *s += 1;
        }
    }
    for k in 1..start.len() {
        start[k] += start[k - 1];
    }
    let mut edges = vec![(0u32, 0u32, 0u32); ix.edges.len()];
    let mut fill = start.clone();
    for (&(f, h), &t) in &ix.edges {
        if let Some(at) = fill.get_mut(f as usize) {
            if let Some(e) = edges.get_mut(*at as usize) {
                *e = (f, h, t);
            }
            *at += 1;
        }
    }
    for w in start.windows(2) {
        if let [a, b] = *w {
            if b - a > 1 {
                if let Some(group) = edges.get_mut(a as usize..b as usize) {
                    group.sort_unstable();
                }
            }
        }
    }
    (edges, start)
}

/// The first-token filter's bit for a hash.
#[inline(always)]
fn filter_bit(h: u32, shift: u32) -> usize {
    (u64::from(h).wrapping_mul(0xd6e8_feb8_6659_fd93) >> shift) as usize
}

/// [`Index::walk`] with the matcher fetched once, for a walk from every token of a text.
///
/// Holds the matcher's fields themselves (slices, the root, the filter's shift), so a
/// walk from each token of a block reads them from registers or the stack, not through a
/// pointer after every call.
#[derive(Clone, Copy)]
pub struct Walker<'a> {
    kids: &'a [Kid],
    bits: &'a [u64],
    bits_shift: u32,
    root: Kid,
    entries: &'a [Vec<Entry>],
}

impl<'a> Walker<'a> {
    /// The node after a first token, if some form starts with it.
    #[inline(always)]
    pub fn first(&self, h: u32) -> Option<Node> {
        // Before the root's table, the one-hash filter of the first tokens.
        let b = filter_bit(h, self.bits_shift);
        if self
            .bits
            .get(b >> 6)
            .is_none_or(|w| w & (1 << (b & 63)) == 0)
        {
            return None;
        }
        self.child(self.root, h).map(Node)
    }

    /// The node after one more token.
    #[inline(always)]
    pub fn next(&self, node: Node, h: u32) -> Option<Node> {
        self.child(node.0, h).map(Node)
    }

    /// The child of `node` for the next token.
    #[inline(always)]
    fn child(&self, node: Kid, h: u32) -> Option<Kid> {
        let (from, count) = (node.first as usize, node.count as usize);
        if count <= LIST {
            let kids = self.kids.get(from..from + count)?;
            return kids.iter().find(|k| k.hash == h).copied();
        }
        let table = self.kids.get(from..from + count)?;
        let mask = count - 1;
        let mut at = spot(h, mask);
        loop {
            let k = table.get(at)?;
            if k.hash == h {
                return (*k != Kid::NONE).then_some(*k);
            }
            if *k == Kid::NONE {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// The forms that end at `node`.
    #[inline(always)]
    pub fn entries(&self, node: Node) -> Option<&'a [Entry]> {
        self.entries.get(node.0.slot as usize).map(Vec::as_slice)
    }

    /// See [`Index::walk`].
    #[inline]
    pub fn walk(&self, tokens: &[Token], i: usize, f: impl FnMut(usize, &'a [Entry])) {
        if let Some(node) = tokens.get(i).and_then(|t| self.first(t.hash)) {
            self.walk_from(tokens, i, node, f);
        }
    }

    /// [`Walker::walk`] when the caller has token `i`'s node already (from [`Walker::first`]).
    #[inline]
    pub fn walk_from(
        &self,
        tokens: &[Token],
        i: usize,
        mut node: Node,
        mut f: impl FnMut(usize, &'a [Entry]),
    ) {
        let mut j = i;
        loop {
            if let Some(list) = self.entries(node) {
                f(j + 1, list);
            }
            j += 1;
            match tokens.get(j) {
                Some(t) if !t.has(BREAK) => match self.next(node, t.hash) {
                    Some(n) => node = n,
                    None => return,
                },
                _ => return,
            }
        }
    }
}

/// A trie node reached by a walk.
#[derive(Clone, Copy, Debug)]
pub struct Node(Kid);

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Index {{ nodes: {}, names: {} }}",
            self.nodes,
            self.entries.len()
        )
    }
}

/// The exact (case-sensitive) key of a token sequence.
pub fn exact_key(text: &str, tokens: &[Token]) -> String {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            s.push('\u{1}');
        }
        s.push_str(t.text(text));
    }
    s
}

/// Removes bracketed parts ("Amgen (United States)" → "Amgen").
fn strip_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '（' | '[' => depth += 1,
            ')' | '）' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

struct Form {
    hashes: Vec<u32>,
    exact: Option<Box<str>>,
    latin: bool,
}

fn form(s: &str, kind: NameKind) -> Option<Form> {
    if s.contains(['(', '（', '[']) {
        let stripped = strip_brackets(s);
        form_of(&stripped, &tokenize_str(&stripped), kind)
    } else {
        form_of(s, &tokenize_str(s), kind)
    }
}

/// [`form`] of a name without brackets, from its tokens.
fn form_of(s: &str, toks: &[Token], kind: NameKind) -> Option<Form> {
    let the = token_hash(hash_word("the"));
    let toks = match toks {
        [first, rest @ ..] if kind == NameKind::Name && !rest.is_empty() && first.hash == the => {
            rest
        }
        _ => toks,
    };
    if toks.is_empty() || (kind == NameKind::Acronym && s.chars().count() < 2) {
        return None;
    }
    let latin = !toks.iter().any(|t| t.has(CJK));
    let exact = (kind == NameKind::Acronym || (latin && toks.len() == 1))
        .then(|| exact_key(s, toks).into_boxed_str());
    Some(Form {
        hashes: toks.iter().map(|t| t.hash).collect(),
        exact,
        latin,
    })
}

impl Index {
    fn insert(&mut self, hashes: &[u32], entry: Entry) {
        let mut node = 0u32;
        // One probe of the map per token, whether the edge is new or not.
        let nodes = &mut self.nodes;
        for &h in hashes {
            node = *self.edges.entry((node, h)).or_insert_with(|| {
                *nodes += 1;
                *nodes
            });
        }
        let entries = &mut self.entries;
        let slot = *self.terminal.entry(node).or_insert_with(|| {
            entries.push(Vec::new());
            (entries.len() - 1) as u32
        }) as usize;
        let list = &mut self.entries[slot];
        if entry.derived && list.iter().any(|e| !e.derived) {
            return;
        }
        if !entry.derived {
            list.retain(|e| !e.derived);
        }
        if let Some(e) = list
            .iter_mut()
            .find(|e| e.inst == entry.inst && e.kind == entry.kind && e.exact == entry.exact)
        {
            if e.contextual && !entry.contextual {
                *e = entry;
            }
            return;
        }
        list.push(entry);
    }

    /// Builds the index of `records` (`by_key` maps keys to positions, for parents).
    pub fn build(records: &[Institution], by_key: &HashMap<String, usize>) -> Index {
        let mut ix = Index {
            nodes: 0,
            ..Default::default()
        };
        let of = token_hash(hash_word("of"));
        let the = token_hash(hash_word("the"));
        let s_hash = token_hash(hash_word("s"));
        let mut parent_refs: HashMap<usize, Vec<(Vec<u32>, bool)>, Fx> = HashMap::default();
        for (i, r) in records.iter().enumerate() {
            // A replaced record's names are former names of its successor.
            if r.successor.as_ref().is_some_and(|k| by_key.contains_key(k)) {
                continue;
            }
            let inst = i as u32;
            // A dump record's parent (from the ROR relationships) makes it a unit for
            // ancestry, not a short form that needs its parent in the text.
            let parent_at = r
                .parent
                .as_ref()
                .filter(|_| r.origin != super::Origin::Ror)
                .and_then(|k| by_key.get(k))
                .copied();
            let parent = parent_at.map(|p| &records[p]);
            // The parent's references: its names and acronyms as token-hash sequences (made
            // once per parent, which may have many units).
            let refs: &[(Vec<u32>, bool)] = match parent_at {
                Some(p) => parent_refs.entry(p).or_insert_with(|| {
                    name_forms(&records[p])
                        .filter_map(|(s, k)| form(s, k))
                        .map(|f| (f.hashes, f.latin))
                        .collect()
                }),
                None => &[],
            };
            for (s, kind) in name_forms(r) {
                // A name without brackets is tokenised once, for its form and its variants.
                let toks = (!s.contains(['(', '（', '['])).then(|| tokenize_str(s));
                let f = match &toks {
                    Some(t) => form_of(s, t, kind),
                    None => form(s, kind),
                };
                let Some(f) = f else { continue };
                let needs_caps = kind == NameKind::Name && f.latin && f.hashes.len() == 2;
                // A curated record's English label is the dump's display name (see
                // `Gazetteer::merge_ror`).
                let primary = kind == NameKind::Name
                    && (s == r.name
                        || (r.origin != super::Origin::Ror
                            && r.names.get("en").is_some_and(|e| e == s)));
                if kind == NameKind::Name && f.latin && parent.is_none() {
                    for v in university_variants(&f.hashes)
                        .into_iter()
                        .chain(place_variants(s, toks.as_deref()))
                        .chain(
                            toks.as_deref()
                                .map(|t| super::variants::variants_of(s, t, r.city.as_deref()))
                                .unwrap_or_default(),
                        )
                    {
                        // A derived word order is written with capitals ("University of
                        // Life", not "the university of life").
                        let needs_caps = true;
                        ix.insert(
                            &v,
                            Entry {
                                inst,
                                kind,
                                exact: None,
                                contextual: false,
                                needs_caps,
                                primary: false,
                                derived: true,
                            },
                        );
                    }
                }
                // A full name of its own ("Max Planck Institute for Biogeochemistry") is not a
                // unit's short form: it needs no parent in the text.
                if parent.is_none() || kind == NameKind::Acronym || !unit_like(r, s, &f) {
                    ix.insert(
                        &f.hashes,
                        Entry {
                            inst,
                            kind,
                            exact: f.exact,
                            contextual: false,
                            needs_caps,
                            primary,
                            derived: false,
                        },
                    );
                    continue;
                }
                // A sub-unit: find the unit part U of the form by removing the parent's reference.
                let h = &f.hashes;
                let mut unit: Option<Vec<u32>> = None;
                for (rh, _) in refs {
                    if rh.len() >= h.len() {
                        continue;
                    }
                    if h.ends_with(rh) {
                        let mut u = h[..h.len() - rh.len()].to_vec();
                        if u.last() == Some(&the) {
                            u.pop();
                        }
                        if u.last() == Some(&of) {
                            u.pop();
                        }
                        unit = Some(u);
                        break;
                    }
                    if h.starts_with(rh) {
                        let mut u = h[rh.len()..].to_vec();
                        if u.first() == Some(&s_hash) {
                            u.remove(0);
                        }
                        unit = Some(u);
                        break;
                    }
                }
                // The parent named inside the form ("Office of the French National Centre for
                // Scientific Research in China"): an ordinary name.
                if unit.is_none()
                    && refs.iter().any(|(rh, _)| {
                        rh.len() < h.len() && h.windows(rh.len()).any(|w| w == rh.as_slice())
                    })
                {
                    ix.insert(
                        h,
                        Entry {
                            inst,
                            kind,
                            exact: f.exact,
                            contextual: false,
                            needs_caps,
                            primary,
                            derived: false,
                        },
                    );
                    continue;
                }
                let unit = match unit {
                    Some(u) => {
                        ix.insert(
                            h,
                            Entry {
                                inst,
                                kind,
                                exact: f.exact.clone(),
                                contextual: false,
                                needs_caps,
                                primary,
                                derived: false,
                            },
                        );
                        u
                    }
                    None => h.clone(),
                };
                if unit.is_empty() {
                    continue;
                }
                // Two words or two characters at least: "Design Institute", `国际合作局`.
                if unit.len() >= 2 {
                    let exact = (f.latin && unit.len() == 1)
                        .then(|| f.exact.clone())
                        .flatten();
                    ix.insert(
                        &unit,
                        Entry {
                            inst,
                            kind,
                            exact,
                            contextual: true,
                            needs_caps: f.latin && unit.len() <= 2,
                            primary: false,
                            derived: false,
                        },
                    );
                }
                for (rh, rlatin) in refs {
                    if *rlatin != f.latin {
                        continue;
                    }
                    let mut variants: Vec<Vec<u32>> = Vec::new();
                    if f.latin {
                        variants.push([unit.as_slice(), &[of], rh].concat());
                        variants.push([unit.as_slice(), &[of, the], rh].concat());
                        variants.push([unit.as_slice(), rh].concat());
                        variants.push([rh.as_slice(), &[s_hash], &unit].concat());
                    }
                    variants.push([rh.as_slice(), &unit].concat());
                    for v in variants {
                        ix.insert(
                            &v,
                            Entry {
                                inst,
                                kind: NameKind::Name,
                                exact: None,
                                contextual: false,
                                needs_caps: false,
                                primary: false,
                                derived: false,
                            },
                        );
                    }
                }
            }
        }
        ix.prefer_among_homonyms(records, by_key);
        ix
    }

    /// Where several records share a name ("University of Palermo" in Italy and in
    /// Argentina), marks one as primary when it stands out: the one whose display name this
    /// is, then a curated record, a record over its own units, one with more names,
    /// acronyms and units (a better-known institution). Evidence in the text still decides
    /// first; this only breaks the remaining ties.
    fn prefer_among_homonyms(&mut self, records: &[Institution], by_key: &HashMap<String, usize>) {
        let mut units = vec![0u32; records.len()];
        for r in records {
            if let Some(&p) = r.parent.as_ref().and_then(|k| by_key.get(k)) {
                units[p] += 1;
            }
        }
        for list in &mut self.entries {
            let mut insts: Vec<u32> = list
                .iter()
                .filter(|e| e.kind == NameKind::Name && !e.contextual && !e.derived)
                .map(|e| e.inst)
                .collect();
            insts.sort_unstable();
            insts.dedup();
            if insts.len() < 2 {
                continue;
            }
            let rank = |i: u32| {
                let r = &records[i as usize];
                let primary = list.iter().any(|e| e.inst == i && e.primary);
                let parent_here = r
                    .parent
                    .as_ref()
                    .and_then(|k| by_key.get(k))
                    .is_some_and(|&p| insts.contains(&(p as u32)));
                let names = r.names.len()
                    + r.aliases.len()
                    + r.acronyms.len()
                    + r.former_names.len()
                    + usize::from(r.wikidata.is_some())
                    + units[i as usize] as usize;
                (primary, r.origin != super::Origin::Ror, !parent_here, names)
            };
            let mut ranked: Vec<_> = insts.iter().map(|&i| (rank(i), i)).collect();
            ranked.sort_unstable_by_key(|x| std::cmp::Reverse(x.0));
            if ranked[0].0 == ranked[1].0 {
                continue;
            }
            let best = ranked[0].1;
            for e in list.iter_mut().filter(|e| e.kind == NameKind::Name) {
                e.primary = e.inst == best;
            }
        }
    }

    /// Lays the trie out for walks now rather than on the first walk.
    pub fn prepare(&self) {
        self.matcher.get_or_init(|| Matcher::build(self));
    }

    /// The trie ready for walks (laid out on the first call), to walk from many tokens.
    #[inline]
    pub fn walker(&self) -> Walker<'_> {
        let m = self.matcher.get_or_init(|| Matcher::build(self));
        Walker {
            kids: &m.kids,
            bits: &m.bits,
            bits_shift: m.bits_shift,
            root: m.root,
            entries: &self.entries,
        }
    }

    /// Calls `f(end, entries)` for every form that starts at token `i` (`end` exclusive),
    /// shortest first. No form crosses a hard break.
    #[inline]
    pub fn walk(&self, tokens: &[Token], i: usize, f: impl FnMut(usize, &[Entry])) {
        self.walker().walk(tokens, i, f);
    }

    /// The entries of a whole token sequence.
    pub fn lookup(&self, hashes: &[u32]) -> &[Entry] {
        let mut node = 0u32;
        for &h in hashes {
            match self.edges.get(&(node, h)) {
                Some(&n) => node = n,
                None => return &[],
            }
        }
        match self.terminal.get(&node) {
            Some(&e) => &self.entries[e as usize],
            None => &[],
        }
    }

    pub fn node_count(&self) -> usize {
        self.nodes as usize
    }
}

/// "University of Bristol" ↔ "Bristol University", "Medical University of Vienna" →
/// "Medical University Vienna": the word orders in which people write university names.
fn university_variants(h: &[u32]) -> Vec<Vec<u32>> {
    let uni = token_hash(hash_word("university"));
    let of = token_hash(hash_word("of"));
    let short = |x: &[u32]| {
        !x.is_empty()
            && x.len() <= 2
            && !x.contains(&of)
            && !x.contains(&token_hash(hash_word("and")))
    };
    let the = token_hash(hash_word("the"));
    let hospital = token_hash(hash_word("hospital"));
    // Words that qualify "University" ("Polytechnic University of Marche" ↔ "Marche
    // Polytechnic University").
    let kinds: Vec<u32> = [
        "polytechnic",
        "technical",
        "medical",
        "normal",
        "state",
        "national",
        "catholic",
        "agricultural",
        "pedagogical",
        "technological",
        "federal",
    ]
    .iter()
    .map(|w| token_hash(hash_word(w)))
    .collect();
    let mut out = Vec::new();
    if let Some(p) = h.iter().position(|&x| x == of) {
        // "University of the Aegean" → "Aegean University".
        let place = if h.get(p + 1) == Some(&the) {
            &h[p + 2..]
        } else {
            &h[p + 1..]
        };
        if p >= 1 && h[p - 1] == uni && short(place) {
            out.push([&h[..p], place].concat()); // Medical University Vienna
            if p == 1 {
                out.push([place, &[uni][..]].concat()); // Bristol University
            }
            if p == 2 && kinds.contains(&h[0]) {
                out.push([place, &h[..p]].concat()); // Marche Polytechnic University
            }
        }
        // "University Hospital of Zurich" → "University Hospital Zurich", "Zurich University
        // Hospital".
        if p == 2 && h[0] == uni && h[1] == hospital && short(place) {
            out.push([&h[..p], place].concat());
            out.push([place, &h[..p]].concat());
        }
    } else if h.len() >= 2 && h.len() <= 3 && h[h.len() - 1] == uni && short(&h[..h.len() - 1]) {
        out.push([&[uni, of][..], &h[..h.len() - 1]].concat()); // University of Fukui
        out.push([&[uni][..], &h[..h.len() - 1]].concat()); // University Leipzig
        let n = h.len();
        if n == 3 && kinds.contains(&h[1]) {
            out.push([&h[1..], &[of][..], &h[..1]].concat()); // Polytechnic University of Marche
        }
    } else if let Some(p) = h.iter().rposition(|&x| x == uni) {
        // "Otto von Guericke University Magdeburg" → "… University of Magdeburg".
        if p >= 1 && p + 1 < h.len() && short(&h[p + 1..]) && h[p + 1] != hospital {
            out.push([&h[..=p], &[of][..], &h[p + 1..]].concat());
        }
        // "Essen University Hospital" → "University Hospital Essen", "… of Essen".
        if p >= 1 && p + 2 == h.len() && h[p + 1] == hospital && short(&h[..p]) {
            out.push([&h[p..], &h[..p]].concat());
            out.push([&h[p..], &[of][..], &h[..p]].concat());
        }
    }
    out
}

/// "University of California, San Diego" ↔ "University of California at San Diego" ↔
/// "University of North Carolina Chapel Hill": a campus or place after a comma or "at".
///
/// `toks` are the tokens of `s` when the caller has them.
fn place_variants(s: &str, toks: Option<&[Token]>) -> Vec<Vec<u32>> {
    let hashes = |x: &str| -> Vec<u32> { tokenize_str(x).iter().map(|t| t.hash).collect() };
    let at = token_hash(hash_word("at"));
    let mut out = Vec::new();
    if s.contains('(') {
        return out;
    }
    // Most names have no comma: no substring search for them.
    let mut parts = s.contains(',').then(|| s.splitn(3, ", "));
    let mut part = || parts.as_mut().and_then(Iterator::next);
    if let (Some(a), Some(b), None) = (part(), part(), part()) {
        let (a, b) = (hashes(a), hashes(b));
        if a.len() >= 2 && !b.is_empty() && b.len() <= 3 {
            out.push([&a[..], &[at][..], &b[..]].concat());
        }
    }
    let h = match toks {
        Some(t) => t.iter().map(|t| t.hash).collect(),
        None => hashes(s),
    };
    if let Some(p) = h.iter().position(|&x| x == at) {
        if p >= 2 && p + 1 < h.len() && h.len() - p <= 4 {
            out.push([&h[..p], &h[p + 1..]].concat());
        }
    }
    out
}

/// Whether a sub-unit's form may be a short form that only makes sense next to its parent:
/// Chinese forms (`国际合作局`), forms of administrative units (type government, company,
/// other), and "Office of …", "Faculty of …", "Institute for …" forms.
fn unit_like(r: &Institution, s: &str, f: &Form) -> bool {
    use super::InstitutionType as T;
    if !f.latin || matches!(r.kind, T::Government | T::Company | T::Other) {
        return true;
    }
    let mut words = s.split_whitespace();
    let first = words.next().map(super::text::fold).unwrap_or_default();
    let second = words.next().map(super::text::fold).unwrap_or_default();
    const HEADS: &[&str] = &[
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
        "lab",
        "library",
        "museum",
        "hospital",
        "branch",
        "section",
        "secretariat",
        "unit",
    ];
    HEADS.contains(&first.as_str()) && matches!(second.as_str(), "of" | "for" | "on")
}

/// Every name form of a record with its kind.
pub fn name_forms(r: &Institution) -> impl Iterator<Item = (&str, NameKind)> {
    std::iter::once(r.name.as_str())
        .chain(r.names.values().map(String::as_str))
        .chain(r.aliases.iter().map(String::as_str))
        .chain(r.former_names.iter().map(String::as_str))
        .map(|s| (s, NameKind::Name))
        .chain(r.acronyms.iter().map(|s| (s.as_str(), NameKind::Acronym)))
}

/// A compact binary form of a built index, so an editor can start without rebuilding it
/// (the workspace crate caches it on disk next to the parsed dump). The caller ties a saved
/// index to the records and the program that built it; [`Index::from_bytes`] only checks
/// that the bytes are complete and consistent.
impl Index {
    const MAGIC: &'static [u8] = b"MGIDX1";

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.edges.len() * 12 + self.entries.len() * 16);
        let u32s = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
        out.extend_from_slice(Self::MAGIC);
        u32s(&mut out, self.nodes);
        u32s(&mut out, self.edges.len() as u32);
        for (&(from, h), &to) in &self.edges {
            u32s(&mut out, from);
            u32s(&mut out, h);
            u32s(&mut out, to);
        }
        u32s(&mut out, self.terminal.len() as u32);
        for (&node, &slot) in &self.terminal {
            u32s(&mut out, node);
            u32s(&mut out, slot);
        }
        u32s(&mut out, self.entries.len() as u32);
        for list in &self.entries {
            u32s(&mut out, list.len() as u32);
            for e in list {
                u32s(&mut out, e.inst);
                let flags = u8::from(e.kind == NameKind::Acronym)
                    | u8::from(e.contextual) << 1
                    | u8::from(e.needs_caps) << 2
                    | u8::from(e.primary) << 3
                    | u8::from(e.derived) << 4
                    | u8::from(e.exact.is_some()) << 5;
                out.push(flags);
                if let Some(x) = &e.exact {
                    u32s(&mut out, x.len() as u32);
                    out.extend_from_slice(x.as_bytes());
                }
            }
        }
        out
    }

    /// Reads [`Index::to_bytes`]; `None` when the bytes are not a complete, consistent index
    /// of `records` records.
    pub fn from_bytes(b: &[u8], records: usize) -> Option<Index> {
        let mut at = Self::MAGIC.len();
        if b.get(..at)? != Self::MAGIC {
            return None;
        }
        let u32s = |at: &mut usize| -> Option<u32> {
            let s = b.get(*at..*at + 4)?;
            *at += 4;
            Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        };
        let nodes = u32s(&mut at)?;
        let n = u32s(&mut at)? as usize;
        if n > b.len() / 12 {
            return None;
        }
        let mut edges = HashMap::with_capacity_and_hasher(n, Fx::default());
        for _ in 0..n {
            let (from, h, to) = (u32s(&mut at)?, u32s(&mut at)?, u32s(&mut at)?);
            if from > nodes || to > nodes {
                return None;
            }
            edges.insert((from, h), to);
        }
        let n = u32s(&mut at)? as usize;
        if n > b.len() / 8 {
            return None;
        }
        let mut terminal = HashMap::with_capacity_and_hasher(n, Fx::default());
        let mut slots = Vec::with_capacity(n);
        for _ in 0..n {
            let (node, slot) = (u32s(&mut at)?, u32s(&mut at)?);
            terminal.insert(node, slot);
            slots.push(slot);
        }
        let n = u32s(&mut at)? as usize;
        if n > b.len() / 4 || slots.iter().any(|&s| s as usize >= n) {
            return None;
        }
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let len = u32s(&mut at)? as usize;
            if len > b.len() / 5 {
                return None;
            }
            let mut list = Vec::with_capacity(len);
            for _ in 0..len {
                let inst = u32s(&mut at)?;
                let flags = *b.get(at)?;
                at += 1;
                if inst as usize >= records {
                    return None;
                }
                let exact = if flags & 32 != 0 {
                    let l = u32s(&mut at)? as usize;
                    let s = std::str::from_utf8(b.get(at..at.checked_add(l)?)?).ok()?;
                    at += l;
                    Some(Box::from(s))
                } else {
                    None
                };
                list.push(Entry {
                    inst,
                    kind: if flags & 1 != 0 {
                        NameKind::Acronym
                    } else {
                        NameKind::Name
                    },
                    exact,
                    contextual: flags & 2 != 0,
                    needs_caps: flags & 4 != 0,
                    primary: flags & 8 != 0,
                    derived: flags & 16 != 0,
                });
            }
            entries.push(list);
        }
        (at == b.len()).then_some(Index {
            edges,
            terminal,
            entries,
            nodes,
            matcher: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The edges as [`edges_by_parent`] orders them are the edges sorted, and each node's
    /// edges start where it says.
    fn ordered_as_a_sort(ix: &Index) {
        let (edges, start) = edges_by_parent(ix);
        let mut sorted: Vec<(u32, u32, u32)> =
            ix.edges.iter().map(|(&(f, h), &t)| (f, h, t)).collect();
        sorted.sort_unstable();
        assert_eq!(edges, sorted);
        for (n, w) in start.windows(2).enumerate() {
            let group = &edges[w[0] as usize..w[1] as usize];
            assert!(group.iter().all(|e| e.0 as usize == n), "node {n}");
        }
        assert_eq!(start.last().copied(), Some(edges.len() as u32));
    }

    #[test]
    fn edges_by_parent_orders_them_as_a_sort() {
        ordered_as_a_sort(&Index::default());
        let g = super::super::Gazetteer::embedded();
        ordered_as_a_sort(g.index());
        // An index of a few records, and the same read back from bytes (other hash-map
        // orders).
        let records: Vec<Institution> = g.iter().take(40).cloned().collect();
        let small = super::super::Gazetteer::new(records);
        ordered_as_a_sort(small.index());
        let again = Index::from_bytes(&small.index().to_bytes(), small.len()).unwrap();
        ordered_as_a_sort(&again);
    }
}
