//! The pipeline: text → article → annotations → mentions → findings. The CLI calls
//! [`analyse`], the language server [`AnalysisCache::analyse`]; both run the same two stages,
//! so they cannot disagree:
//!
//! 1. **Blocks.** The body is cut into blocks before every run of two or more line breaks
//!    (blank lines; spaces and tabs may stand between the breaks). Each block is tokenised
//!    once, on its own text; the tokens are matched against the gazetteer
//!    (`institutions::forms_of_tokens`), and the text is scanned for date expressions
//!    (`dates::scan_with_words`, which steps over the plain words the tokens show are no
//!    date heads). A block's result depends on the block's text and the gazetteer only. A
//!    name broken over a single line break stays inside one block; gazetteer forms and date expressions never cross a blank line (the tokeniser marks the
//!    token after one as a hard break, where the gazetteer walk stops).
//! 2. **Document.** On the blocks' results, concatenated: acronyms defined anywhere,
//!    ambiguity resolved by the document's evidence, sub-units, candidates
//!    (`institutions::recognise_forms`), dates anchored on `published`/the dateline and on
//!    the dates before them (`dates::resolve_scanned`), and every check.
//!
//! [`AnalysisCache`] keeps stage 1 per block, keyed by the block's text (a 64-bit SipHash and
//! the length), so an edit re-runs stage 1 on the blocks it touched only.

use crate::article::schema::{self, SchemaOptions};
use crate::article::{self, Annotations, Article};
use crate::calendar::Date;
use crate::config::Config;
use crate::dates::{self, Anchor, DateMention};
use crate::findings::Finding;
use crate::findings::Span;
use crate::gazetteer::text::tokenize;
use crate::gazetteer::Gazetteer;
use crate::institutions::{self, InstitutionMention};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything an analysis needs besides the text.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub gazetteer: &'a Gazetteer,
    pub config: &'a Config,
    /// Document creation time given by the user (`--dct`), used when `published` is absent.
    pub dct: Option<Date>,
    /// Today's date, for "published in the future"; `None` skips that check.
    pub today: Option<Date>,
}

/// The result of analysing one article.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub article: Article,
    pub annotations: Annotations,
    pub anchor: Anchor,
    pub institutions: Vec<InstitutionMention>,
    pub dates: Vec<DateMention>,
    /// Sorted by position, then code; severities after the configuration's overrides.
    pub findings: Vec<Finding>,
}

/// Analyses one article's text. Never panics, whatever the text.
pub fn analyse(text: &str, ctx: &Context) -> Analysis {
    analyse_blocks(text, ctx, false, None, |block| {
        Stage1::Fresh(BlockResult::new(block, ctx.gazetteer, None))
    })
}

/// Time spent in each stage, summed over the analyses it was passed to (for the benchmarks'
/// breakdown; the result is the same as [`analyse`]'s).
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    /// Front-matter split, schema and the date anchor.
    pub front_matter: Duration,
    /// Stage 1: cutting the text into tokens (read by both recognisers).
    pub tokens: Duration,
    /// Stage 1: matching the tokens against the gazetteer.
    pub institution_forms: Duration,
    /// Stage 1: finding date expressions.
    pub date_scan: Duration,
    /// Stage 2: acronyms, evidence, sub-units, candidates.
    pub institution_recognise: Duration,
    /// Stage 2: institution findings.
    pub institution_check: Duration,
    /// Stage 2: anchoring and normalising dates.
    pub date_resolve: Duration,
    /// Stage 2: date findings.
    pub date_check: Duration,
    /// Everything, including block splitting and sorting the findings.
    pub total: Duration,
}

/// [`analyse`], adding the time of each stage to `times`.
pub fn analyse_timed(text: &str, ctx: &Context, times: &mut StageTimes) -> Analysis {
    let start = Instant::now();
    let mut stage1 = [Duration::ZERO; 3];
    let analysis = analyse_blocks(text, ctx, false, Some(times), |block| {
        Stage1::Fresh(BlockResult::new(block, ctx.gazetteer, Some(&mut stage1)))
    });
    let [tokens, dates, forms] = stage1;
    times.tokens += tokens;
    times.date_scan += dates;
    times.institution_forms += forms;
    times.total += start.elapsed();
    analysis
}

/// Stage 1 of one block: what depends on the block's text alone. Offsets are relative to
/// the block's start.
#[derive(Debug)]
struct BlockResult {
    forms: institutions::Forms,
    raws: Vec<dates::Raw>,
}

impl BlockResult {
    /// `times`, when given, gets the time of its three steps added: tokens, date scan,
    /// gazetteer matching.
    fn new(block: &str, gazetteer: &Gazetteer, times: Option<&mut [Duration; 3]>) -> BlockResult {
        // One tokenization for both recognisers: the date scan steps over the plain words
        // it shows are no date heads.
        let start = times.as_ref().map(|_| Instant::now());
        let tokens = tokenize(block, 0, block.len());
        let middle = times.as_ref().map(|_| Instant::now());
        let raws = dates::scan_with_words(block, Span::new(0, block.len()), &tokens);
        let last = times.as_ref().map(|_| Instant::now());
        let forms = institutions::forms_of_tokens(block, 0, block.len(), tokens, gazetteer);
        if let (Some(t), Some(a), Some(b), Some(c)) = (times, start, middle, last) {
            t[0] += b - a;
            t[1] += c - b;
            t[2] += c.elapsed();
        }
        BlockResult { forms, raws }
    }

    /// Frees spare capacity (for results kept in a cache).
    fn shrink_to_fit(&mut self) {
        self.forms.shrink_to_fit();
        self.raws.shrink_to_fit();
    }

    fn heap_bytes(&self) -> usize {
        self.forms.heap_bytes() + self.raws.capacity() * std::mem::size_of::<dates::Raw>()
    }
}

/// Stage 1 of a block: computed for this analysis only, or shared with a cache.
enum Stage1 {
    Fresh(BlockResult),
    Cached(Arc<BlockResult>),
}

/// Where the body's blocks start: the body's start, then the first line break of every run
/// of two or more line breaks (`\n`, `\r\n` or `\r`, with only spaces and tabs between).
/// Each block runs to the next start (the last to the body's end).
pub fn block_starts(text: &str, body: Span) -> Vec<usize> {
    let b = text.as_bytes();
    let end = body.end.min(b.len());
    let start = body.start.min(end);
    let mut out = vec![start];
    let mut i = start;
    while i < end {
        // The next line break, found with a vectorised search.
        match b.get(i..end).and_then(|r| memchr::memchr2(b'\n', b'\r', r)) {
            Some(k) => i += k,
            None => break,
        }
        // A run of line breaks and blanks from `i`.
        let run = i;
        let mut breaks = 0;
        while i < end {
            match b[i] {
                b'\n' => breaks += 1,
                b'\r' => {
                    if b.get(i + 1) != Some(&b'\n') {
                        breaks += 1;
                    }
                }
                b' ' | b'\t' => {}
                _ => break,
            }
            i += 1;
        }
        if breaks >= 2 && run > start {
            out.push(run);
        }
    }
    out
}

/// Texts from this size run stage 2 on two threads when the cache asks for it.
const PARALLEL_FROM: usize = 256 * 1024;

/// The two stages, with stage 1 of each block from `block` (given the block's text).
fn analyse_blocks(
    text: &str,
    ctx: &Context,
    parallel: bool,
    times: Option<&mut StageTimes>,
    mut block: impl FnMut(&str) -> Stage1,
) -> Analysis {
    let clock = times.as_ref().map(|_| Instant::now());
    let article = article::parse(text);
    let options = SchemaOptions {
        required: &ctx.config.annotations.required,
        today: ctx.today,
    };
    let (annotations, mut findings) = schema::read(text, &article, &options);
    // Found once: the anchor may need them and the date checks always do.
    let datelines = dates::find_datelines(text, &article);
    let anchor = dates::anchor_with(text, &article, &annotations, ctx.dct, &datelines);
    let front_matter = clock.map(|c| c.elapsed());

    // Stage 1 by block, concatenated.
    let body = Span::new(
        article.body.start.min(text.len()),
        article.body.end.min(text.len()),
    );
    let starts = block_starts(text, body);
    // Appended block by block, each block's own result dropped at once: collecting them
    // first to size the vectors exactly held every block's forms twice (a 50 MB article's
    // peak heap went from under 8x to 10.5x its text).
    // Below `SIZED`, the merged vectors are sized by extrapolating from the blocks read so far
    // rather than doubled (fewer copies); larger texts keep doubling, which bounds their peak.
    const SIZED: usize = 1 << 20;
    let sized = body.len() <= SIZED;
    let mut forms = institutions::Forms::default();
    let mut raws: Vec<dates::Raw> = Vec::new();
    for (k, &from) in starts.iter().enumerate() {
        let to = starts.get(k + 1).copied().unwrap_or(body.end);
        let Some(slice) = text.get(from..to) else {
            continue;
        };
        let shift = |x: dates::Raw| dates::Raw {
            start: x.start + from,
            end: x.end + from,
            expr: x.expr,
        };
        let seen = sized.then(|| (to.saturating_sub(body.start), body.len()));
        match block(slice) {
            Stage1::Fresh(r) => {
                forms.append_expecting(&r.forms, from, seen);
                raws.extend(r.raws.into_iter().map(shift));
            }
            Stage1::Cached(r) => {
                forms.append_expecting(&r.forms, from, seen);
                raws.extend(r.raws.iter().cloned().map(shift));
            }
        }
    }

    // Stage 2 on the whole document. Institutions and dates do not depend on each other: on
    // a large text, when asked, the dates run on a second thread (same functions, same
    // results; the findings are gathered in the same order).
    // Each stage also returns how long its two halves took (read only when timing).
    let institution_stage = || {
        let t = Instant::now();
        let mentions = institutions::recognise_forms(text, forms, &annotations, ctx.gazetteer);
        let m = Instant::now();
        let found = institutions::check(text, &article, &annotations, &mentions, ctx.gazetteer);
        (mentions, found, (m - t, m.elapsed()))
    };
    let date_stage = || {
        let t = Instant::now();
        let mentions = dates::resolve_scanned(text, &raws, &anchor, dates::Mode::Auto);
        let m = Instant::now();
        let found = dates::check_with(text, &article, &annotations, &mentions, &datelines);
        (mentions, found, (m - t, m.elapsed()))
    };
    let ((institutions, by_institutions, i_times), (dates, by_dates, d_times)) =
        if parallel && text.len() >= PARALLEL_FROM {
            std::thread::scope(|scope| {
                match std::thread::Builder::new().spawn_scoped(scope, date_stage) {
                    Ok(handle) => {
                        let i = institution_stage();
                        // A failed thread (it cannot panic: the core never does) is redone here.
                        (i, handle.join().unwrap_or_else(|_| date_stage()))
                    }
                    Err(_) => (institution_stage(), date_stage()),
                }
            })
        } else {
            (institution_stage(), date_stage())
        };
    drop(raws);
    if let Some(t) = times {
        t.front_matter += front_matter.unwrap_or_default();
        t.institution_recognise += i_times.0;
        t.institution_check += i_times.1;
        t.date_resolve += d_times.0;
        t.date_check += d_times.1;
    }
    findings.extend(by_institutions);
    findings.extend(by_dates);

    findings.retain_mut(|f| match ctx.config.severity_of(f.code, f.severity) {
        Some(s) => {
            f.severity = s;
            true
        }
        None => false,
    });
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code))
    });
    Analysis {
        article,
        annotations,
        anchor,
        institutions,
        dates,
        findings,
    }
}

/// Stage 1 results kept across versions of one document, for [`AnalysisCache::analyse`].
///
/// Holds the results of the blocks of the last text analysed only (older blocks are
/// dropped), so its size follows the document's. Use one cache per document and gazetteer;
/// a different gazetteer empties it.
#[derive(Default)]
pub struct AnalysisCache {
    /// The gazetteer the blocks were recognised with (its address and record count).
    gazetteer: Option<(usize, usize)>,
    blocks: HashMap<(u64, usize), Arc<BlockResult>>,
    last: CacheStats,
    parallel: bool,
}

/// What the last [`AnalysisCache::analyse`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Blocks of the text.
    pub blocks: usize,
    /// Of those, blocks whose stage 1 was computed (not found in the cache).
    pub computed: usize,
    /// Heap bytes held by the cache afterwards (approximate).
    pub heap_bytes: usize,
}

fn block_key(block: &str) -> (u64, usize) {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    block.hash(&mut h);
    (h.finish(), block.len())
}

impl AnalysisCache {
    pub fn new() -> AnalysisCache {
        AnalysisCache::default()
    }

    /// Lets stage 2 of large texts (from 256 KiB) use a second thread (for an editor, where
    /// one document is analysed at a time; the CLI already runs files in parallel).
    pub fn set_parallel(&mut self, parallel: bool) {
        self.parallel = parallel;
    }

    /// The same result as [`analyse`]`(text, ctx)`, re-running stage 1 only on the blocks
    /// that were not in the last text analysed.
    pub fn analyse(&mut self, text: &str, ctx: &Context) -> Analysis {
        let gaz = (
            std::ptr::from_ref(ctx.gazetteer) as usize,
            ctx.gazetteer.len(),
        );
        if self.gazetteer != Some(gaz) {
            self.blocks.clear();
            self.gazetteer = Some(gaz);
        }
        let mut old = std::mem::take(&mut self.blocks);
        let mut next: HashMap<(u64, usize), Arc<BlockResult>> = HashMap::with_capacity(old.len());
        let mut stats = CacheStats::default();
        let analysis = analyse_blocks(text, ctx, self.parallel, None, |block| {
            stats.blocks += 1;
            let key = block_key(block);
            if let Some(r) = next.get(&key) {
                return Stage1::Cached(Arc::clone(r));
            }
            let r = old.remove(&key).unwrap_or_else(|| {
                stats.computed += 1;
                let mut r = BlockResult::new(block, ctx.gazetteer, None);
                r.shrink_to_fit();
                Arc::new(r)
            });
            next.insert(key, Arc::clone(&r));
            Stage1::Cached(r)
        });
        drop(old);
        stats.heap_bytes = next.values().map(|r| r.heap_bytes()).sum::<usize>()
            + next.capacity() * std::mem::size_of::<((u64, usize), Arc<BlockResult>)>();
        self.blocks = next;
        self.last = stats;
        analysis
    }

    /// What the last analysis did.
    pub fn stats(&self) -> CacheStats {
        self.last
    }

    /// Forgets every block.
    pub fn clear(&mut self) {
        self.blocks = HashMap::new();
        self.gazetteer = None;
    }
}
