//! Hostile and odd input, one test each, through the whole pipeline (`analyse`, fixes,
//! `annotate`, position conversion). Every test states its bounds; they are checked:
//!
//! * **time**: wall-clock of the analysis, with a generous allowance for unoptimised builds
//!   (`cargo test` in debug is 10–30× slower than release). The bound in release is the one
//!   documented in docs/reliability.md.
//! * **memory**: the peak of heap bytes allocated by the test's own thread while analysing,
//!   counted by a global allocator installed in this test binary (so tests running in
//!   parallel do not disturb each other).
//!
//! The 50 MB article is ignored in debug builds; CI runs it in release:
//! `cargo test --release -p marginalia-core --test hostile`.

use marginalia_core::article::{self, LineEnding};
use marginalia_core::calendar::Date;
use marginalia_core::config::Config;
use marginalia_core::findings::apply_edits;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::text::{Document, Encoding, Position};
use marginalia_core::{analyse, annotate, Analysis, Context};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Per-thread heap accounting.

struct Counting;

thread_local! {
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = CURRENT.try_with(|c| {
        let now = c.get() + delta;
        c.set(now);
        let _ = PEAK.try_with(|p| {
            if now > p.get() {
                p.set(now);
            }
        });
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            track(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            track(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        track(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            track(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, returning its result, its wall time and the peak of extra heap bytes it held.
fn measure<R>(f: impl FnOnce() -> R) -> (R, Duration, usize) {
    let base = CURRENT.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let t = Instant::now();
    let r = f();
    let elapsed = t.elapsed();
    let peak = PEAK.with(Cell::get) - base;
    (r, elapsed, peak.max(0) as usize)
}

/// Release bound, or 30× that in an unoptimised build.
fn time_bound(release: Duration) -> Duration {
    if cfg!(debug_assertions) {
        release * 30
    } else {
        release
    }
}

const MB: usize = 1024 * 1024;

// ---------------------------------------------------------------------------------------------

/// The embedded gazetteer (KUST, CNRS, CAS, USTB, CAST and the rest), as the CLI uses it.
fn gazetteer() -> &'static Gazetteer {
    Gazetteer::embedded()
}

/// Analyses `text` and checks what must hold for every input: findings and mentions point
/// into the text on char boundaries, every fix applies, annotate keeps the body. Returns the
/// analysis with its time and peak heap.
fn check(text: &str) -> (Analysis, Duration, usize) {
    let (g, config) = (gazetteer(), Config::default());
    let ctx = Context {
        gazetteer: g,
        config: &config,
        dct: Date::new(2019, 10, 16),
        today: Date::new(2024, 6, 1),
    };
    // One-time lazily built tables (regexes, automata) are not the input's cost.
    let _ = analyse(
        "---\ntitle: warm-up\n---\nCNRS visited KUST on October 15th, 2019.\n",
        &ctx,
    );
    let (analysis, elapsed, peak) = measure(|| analyse(text, &ctx));
    let valid = |s: marginalia_core::Span| {
        s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };
    for f in &analysis.findings {
        assert!(valid(f.span), "{} span {:?} invalid", f.code, f.span);
        for fix in &f.fixes {
            apply_edits(text, &fix.edits)
                .unwrap_or_else(|e| panic!("fix of {} does not apply: {e}", f.code));
        }
    }
    for m in &analysis.institutions {
        assert!(valid(m.span));
    }
    for m in &analysis.dates {
        assert!(valid(m.span));
    }
    let edits = annotate::annotate(text, &analysis, &ctx);
    let annotated = apply_edits(text, &edits).expect("annotate's edits apply");
    let after = article::parse(&annotated);
    assert_eq!(
        after.body.slice(&annotated),
        analysis.article.body.slice(text),
        "annotate changed the body"
    );
    (analysis, elapsed, peak)
}

fn codes(a: &Analysis) -> Vec<&'static str> {
    a.findings.iter().map(|f| f.code).collect()
}

const FRONT_MATTER: &str = "---\nschema: 1\ntitle: CNRS Representative in China Visited KUST\npublished: 2019-10-16\nlanguage: en\ninstitutions:\n  - id: ror:02feahw73\n    name: French National Centre for Scientific Research\n    country: FR\ncountries: [FR, CN]\n---\n";

const PARAGRAPH_EN: &str = "On the afternoon of October 15th, Dr. Philippe ARNAUD, Director of the Office of the French National Centre for Scientific Research in China (CNRS), visited KUST and met the Division of International Cooperation.\u{a0}The two sides agreed in February 2019 to deepen cooperation.\n\n";
const PARAGRAPH_ZH: &str = "2019年10月15日，中國科學(xué)院與法國國家科學(xué)研究中心在北京舉行第十四屆中法科技合作聯(lián)委會。\n\n";

/// About `bytes` of seed-style text, English and Chinese paragraphs alternating.
fn body_of_size(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 512);
    while s.len() < bytes {
        s.push_str(PARAGRAPH_EN);
        s.push_str(PARAGRAPH_ZH);
    }
    s
}

/// A 50 MB annotated article (five times the CLI's default file-size limit, which the core
/// does not apply). Bounds (release): analysis under 30 s, peak heap under 8× the text.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "50 MB: run in release (`cargo test --release -p marginalia-core --test hostile`)"
)]
fn article_of_50_mb() {
    let text = format!("{FRONT_MATTER}{}", body_of_size(50 * MB));
    let (a, elapsed, peak) = check(&text);
    eprintln!(
        "50 MB article: {elapsed:?}, peak heap {} MB, {} findings",
        peak / MB,
        a.findings.len()
    );
    assert!(a.article.front_matter.is_some());
    assert!(
        elapsed < time_bound(Duration::from_secs(30)),
        "took {elapsed:?}"
    );
    assert!(
        peak < 8 * text.len(),
        "peak heap {peak} bytes for {} bytes of text",
        text.len()
    );
    // The end of the text is still addressable in O(log n).
    let doc = Document::new(&text);
    let end = doc.position(text.len(), Encoding::Utf16);
    assert_eq!(doc.offset(end, Encoding::Utf16), text.len());
}

/// One line of 10 MB (no line break at all, English and CJK words). Bounds (release):
/// analysis under 10 s, peak heap under 16× the text (the text is unusually dense: every 80
/// bytes hold four institution mentions and a date, each a mention record); positions at its
/// end convert both ways in O(log n).
#[test]
fn single_line_of_10_mb() {
    let unit =
        "KUST and CNRS met in Kunming on October 15th 2019; 中國科學(xué)院代表團 visited 😀 ";
    let text = unit.repeat(10 * MB / unit.len() + 1);
    assert!(!text.contains(['\n', '\r']));
    let (a, elapsed, peak) = check(&text);
    eprintln!("10 MB line: {elapsed:?}, peak heap {} MB", peak / MB);
    assert!(
        elapsed < time_bound(Duration::from_secs(10)),
        "took {elapsed:?}"
    );
    assert!(
        peak < 16 * text.len(),
        "peak heap {peak} for {} bytes",
        text.len()
    );
    // Without front-matter, the one finding about the file is its missing annotation.
    assert!(codes(&a).contains(&"MA0101"), "{:?}", codes(&a));
    let doc = Document::new(&text);
    let (end, t, _) = measure(|| doc.position(text.len(), Encoding::Utf16));
    assert!(
        t < time_bound(Duration::from_millis(5)),
        "position took {t:?}"
    );
    assert_eq!(end.line, 0);
    assert_eq!(end.character as usize, text.encode_utf16().count());
    assert_eq!(doc.offset(end, Encoding::Utf16), text.len());
    assert_eq!(
        doc.offset(Position::new(0, u32::MAX), Encoding::Utf32),
        text.len()
    );
}

/// Nesting far beyond the 64 levels annotations could need, in flow and block style: one
/// YAML finding (MA0102) naming the limit (ours, 64 levels, or the parser's recursion limit),
/// no stack overflow. Bounds: under 1 s (release),
/// peak heap under 64× the front-matter.
#[test]
fn deeply_nested_yaml() {
    let depth = 100_000;
    let flow = format!(
        "---\ntitle: {}{}\n---\nBody text.\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let mut block = String::from("---\n");
    for i in 0..2_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    block.push_str("---\nBody text.\n");
    let mut seqs = String::from("---\ntags:\n");
    for i in 0..2_000 {
        seqs.push_str(&" ".repeat(i));
        seqs.push_str("- \n");
    }
    seqs.push_str("---\n");
    for text in [&flow, &block, &seqs] {
        let (a, elapsed, peak) = check(text);
        assert!(
            elapsed < time_bound(Duration::from_secs(1)),
            "took {elapsed:?}"
        );
        assert!(
            peak < 64 * text.len() + MB,
            "peak heap {peak} for {} bytes",
            text.len()
        );
        let yaml: Vec<_> = a.findings.iter().filter(|f| f.code == "MA0102").collect();
        assert_eq!(yaml.len(), 1, "{:?}", codes(&a));
        let m = &yaml[0].message;
        assert!(m.contains("64") || m.contains("recursion limit"), "{m}");
        assert_eq!(
            a.article.body.slice(text).trim(),
            if text == &seqs { "" } else { "Body text." }
        );
    }
}

/// "Billion laughs": nine levels of anchors each aliasing the previous one nine times. Aliases
/// are never expanded, so the cost is that of the text itself: one MA0116 warning per alias,
/// under 1 s (release) and under 64× the text in heap.
#[test]
fn billion_laughs_yaml() {
    let mut text = String::from("---\nlol0: &l0 \"lol\"\n");
    for level in 1..=9 {
        let refs: Vec<String> = (0..9).map(|_| format!("*l{}", level - 1)).collect();
        text.push_str(&format!("lol{level}: &l{level} [{}]\n", refs.join(", ")));
    }
    text.push_str("title: *l9\n---\nThe body.\n");
    let (a, elapsed, peak) = check(&text);
    assert!(
        elapsed < time_bound(Duration::from_secs(1)),
        "took {elapsed:?}"
    );
    assert!(peak < 64 * text.len() + MB, "peak heap {peak}");
    let aliases = a.findings.iter().filter(|f| f.code == "MA0116").count();
    assert_eq!(aliases, 9 * 9 + 1, "{:?}", codes(&a));
    // The title is an alias, so it was not read as a string.
    assert!(a.annotations.title.is_none());
}

/// Valid YAML of the wrong shape in every place the schema reads: each is a wrong-type finding
/// (MA0105) at the value, nothing is read from it, and annotate refuses to rewrite lists that
/// are not lists. Bounds: under 1 s (release).
#[test]
fn yaml_of_the_wrong_shape_everywhere() {
    let text = "---\n\
schema: [1]\n\
title: [CNRS, KUST]\n\
published: {year: 2019}\n\
language: [en]\n\
source: {name: KUST}\n\
url: [https://www.kust.edu.cn]\n\
institutions: KUST\n\
countries: {CN: China}\n\
dates: 2019-10-15\n\
tags: {a: b}\n\
notes: [1, 2]\n\
---\n\
On the afternoon of October 15th, CNRS visited KUST.\n";
    let (a, elapsed, _) = check(text);
    assert!(elapsed < time_bound(Duration::from_secs(1)));
    let wrong = a
        .findings
        .iter()
        .filter(|f| f.code == "MA0105" || f.code == "MA0114" || f.code == "MA0106")
        .count();
    assert!(
        wrong >= 10,
        "expected a finding per key, got {:?}",
        codes(&a)
    );
    assert!(a.annotations.title.is_none() && a.annotations.institutions.is_empty());

    // Entries of the wrong shape inside the lists, and roots that are not mappings.
    for text in [
        "---\ninstitutions: [KUST, [CNRS], {id: [x]}]\ndates: [[2019], {value: {a: 1}}]\ncountries: [[CN]]\n---\nBody.\n",
        "---\n- just\n- a list\n---\nBody.\n",
        "---\njust a scalar\n---\nBody.\n",
        "---\n? [a, b]\n: c\n1: 2\n---\nBody.\n",
        "---\n!!binary aGVsbG8=\n---\nBody.\n",
    ] {
        let (a, _, _) = check(text);
        assert!(
            a.findings.iter().any(|f| f.code == "MA0105"),
            "{text:?} gave {:?}",
            codes(&a)
        );
    }
}

/// NUL bytes inside the front-matter and the body: the core analyses them as text (the file
/// reader reports binary files, MA0002, before analysis); nothing panics, spans stay valid.
#[test]
fn nul_bytes() {
    let text = "---\ntitle: A\0B\nlanguage: en\0\n---\nKUST\0 met CNRS on October 15th.\0\0\n";
    let (a, elapsed, _) = check(text);
    assert!(elapsed < time_bound(Duration::from_millis(200)));
    assert!(a.article.front_matter.is_some());
    assert!(a.article.body.slice(text).contains('\0'));
    let only_nuls = "\0".repeat(4096);
    let (a, _, _) = check(&only_nuls);
    assert_eq!(a.article.body.slice(&only_nuls), only_nuls);
}

/// A byte-order mark: offsets count it (3 bytes), the front-matter after it is recognised, and
/// the missing-front-matter fix inserts after it, never before.
#[test]
fn byte_order_mark() {
    let text = "\u{feff}---\ntitle: A visit\n---\nBody.\n";
    let (a, _, _) = check(text);
    assert!(a.article.bom);
    let fm = a
        .article
        .front_matter
        .as_ref()
        .expect("front-matter after the BOM");
    assert_eq!(fm.span.start, 3);
    let doc = Document::new(text);
    assert_eq!(doc.position(3, Encoding::Utf16), Position::new(0, 1));

    let bare = "\u{feff}News & Events\n\nKUST met CNRS.\n";
    let (a, _, _) = check(bare);
    let fix = a
        .findings
        .iter()
        .find(|f| f.code == "MA0101")
        .and_then(|f| f.fixes.first())
        .expect("missing front-matter has a fix");
    let fixed = apply_edits(bare, &fix.edits).unwrap();
    assert!(fixed.starts_with("\u{feff}---"), "{fixed:?}");
    assert!(fixed.ends_with("News & Events\n\nKUST met CNRS.\n"));
    // A BOM in the middle of the text is an ordinary character.
    let (a, _, _) = check("KUST\u{feff}CNRS\n");
    assert!(!a.article.bom);
}

/// CRLF and lone CR line endings: the front-matter splits the same way, line numbers follow
/// LSP (CRLF is one break, a lone CR is one), and fixes write the file's own line ending.
#[test]
fn crlf_and_lone_cr() {
    for (nl, ending) in [("\r\n", LineEnding::CrLf), ("\r", LineEnding::Cr)] {
        let text = format!("---{nl}titel: A visit{nl}language: en{nl}---{nl}KUST met CNRS.{nl}{nl}Second paragraph.{nl}");
        let (a, _, _) = check(&text);
        assert_eq!(a.article.line_ending, ending);
        assert!(a.article.front_matter.is_some(), "{text:?}");
        assert_eq!(
            a.article.body.slice(&text),
            format!("KUST met CNRS.{nl}{nl}Second paragraph.{nl}")
        );
        let doc = Document::new(&text);
        assert_eq!(doc.len_lines(), 8);
        assert_eq!(doc.line_text(4), "KUST met CNRS.");
        // Creating a front-matter uses the file's line ending only.
        let bare = format!("News{nl}{nl}KUST met CNRS.{nl}");
        let (a, _, _) = check(&bare);
        for f in &a.findings {
            for fix in &f.fixes {
                let fixed = apply_edits(&bare, &fix.edits).unwrap();
                let other = if nl == "\r\n" {
                    fixed.replace("\r\n", "")
                } else {
                    fixed.clone()
                };
                assert!(
                    !other.contains('\n'),
                    "{} fix mixes line endings: {fixed:?}",
                    f.code
                );
            }
        }
    }
    // Mixed endings: a lone CR between CRLFs.
    let mixed = "---\r\ntitle: A\r---\r\nBody\rmore\r\n";
    let (a, _, _) = check(mixed);
    assert!(a.article.front_matter.is_some());
    assert_eq!(a.article.body.slice(mixed), "Body\rmore\r\n");
}

/// Right-to-left scripts, combining marks and bidi controls in the front-matter and the
/// body: spans stay on char boundaries and UTF-16 columns count code units, not bytes.
#[test]
fn right_to_left_and_combining_text() {
    let title = "جامعة\u{200f} כּוּנְמִינְג e\u{301}cole\u{202e}evil\u{202c}";
    let text = format!("---\ntitle: \"{title}\"\nlanguage: ar\n---\nوقعت جامعة كونمينغ اتفاقية مع CNRS في ١٥ أكتوبر ٢٠١٩.\nÉcole\u{301}\u{302}\u{303} normale supérieure, שיתוף פעולה.\n");
    let (a, _, _) = check(&text);
    assert_eq!(
        a.annotations.title.as_ref().map(|t| t.value.as_str()),
        Some(title)
    );
    let doc = Document::new(&text);
    let line = 4;
    let line_text = doc.line_text(line);
    let end = doc.position(text.find("\nÉcole").unwrap(), Encoding::Utf16);
    assert_eq!(end.line as usize, line);
    assert_eq!(end.character as usize, line_text.encode_utf16().count());
    // Every char boundary round-trips in every encoding.
    for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
        for (i, _) in text.char_indices() {
            assert_eq!(doc.offset(doc.position(i, enc), enc), i);
        }
    }
}

/// A front-matter opener without a closer: one MA0103 finding at the opener, the whole text is
/// body, nothing is read as annotations, and annotate keeps every byte of it.
#[test]
fn front_matter_opener_without_closer() {
    let text = "---\ntitle: A visit\npublished: 2019-10-16\n\nKUST met CNRS on October 15th.\n";
    let (a, _, _) = check(text);
    assert_eq!(
        a.article.unclosed_opener.map(|s| s.slice(text)),
        Some("---")
    );
    assert_eq!(a.article.body.slice(text), text);
    assert!(a.annotations.title.is_none());
    let unclosed: Vec<_> = a.findings.iter().filter(|f| f.code == "MA0103").collect();
    assert_eq!(unclosed.len(), 1);
    assert_eq!(unclosed[0].span.slice(text), "---");
    // The opener alone, with and without a line break.
    for text in ["---", "---\n", "---\r\n", "\u{feff}---"] {
        let (a, _, _) = check(text);
        assert!(codes(&a).contains(&"MA0103"), "{text:?}: {:?}", codes(&a));
    }
}

/// An article that is only front-matter: an empty body, no mention, no panic; with and
/// without a final line break, and with an empty front-matter.
#[test]
fn article_that_is_only_front_matter() {
    for text in [
        "---\ntitle: A visit\npublished: 2019-10-16\n---\n",
        "---\ntitle: A visit\npublished: 2019-10-16\n---",
        "---\n---\n",
        "---\n...",
        "\u{feff}---\r\n---\r\n",
    ] {
        let (a, _, _) = check(text);
        assert!(a.article.front_matter.is_some(), "{text:?}");
        assert!(a.article.body.is_empty(), "{text:?}");
        assert!(a.institutions.is_empty() && a.dates.is_empty());
    }
}
