//! Example-style tests: an article (and its date) in, mentions (text, type, value) out.

use super::*;
use crate::article;

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

/// (text, TYPE, value) of every mention of `body`, given `published`.
fn dates(body: &str, published: Option<&str>) -> Vec<(String, &'static str, String)> {
    let art = article::parse(body);
    let anchor = published.map_or(Anchor::None, |p| Anchor::Published(d(p)));
    recognise(body, &art, &anchor)
        .into_iter()
        .map(|m| {
            (
                m.span.slice(body).to_string(),
                m.kind.as_str(),
                m.value.unwrap_or_default(),
            )
        })
        .collect()
}

fn one(body: &str, published: &str) -> (String, &'static str, String) {
    let all = dates(body, Some(published));
    assert_eq!(all.len(), 1, "{body}: {all:?}");
    all.into_iter().next().unwrap()
}

fn t(text: &str, kind: &'static str, value: &str) -> (String, &'static str, String) {
    (text.to_string(), kind, value.to_string())
}

#[test]
fn seed_phrases_in_english() {
    assert_eq!(
        one(
            "On the afternoon of October 15th, Dr. Philippe ARNAUD visited KUST.",
            "2019-10-16"
        ),
        t("the afternoon of October 15th", "TIME", "2019-10-15TAF")
    );
    assert_eq!(
        one(
            "held in Beijing in February 2019, China and France",
            "2019-10-16"
        ),
        t("February 2019", "DATE", "2019-02")
    );
    assert_eq!(
        one(
            "to be held in Kunming in the second quarter of 2021, and",
            "2019-10-16"
        ),
        t("the second quarter of 2021", "DATE", "2021-Q2")
    );
    assert_eq!(
        one(
            "CNRS, founded in 1939 and headquartered in Paris",
            "2019-10-16"
        ),
        t("1939", "DATE", "1939")
    );
    assert_eq!(
        one(
            "On the morning of September 3rd, the meeting was held",
            "2019-09-04"
        ),
        t("the morning of September 3rd", "TIME", "2019-09-03TMO")
    );
    // Seed 004 is dated Tuesday 2021-12-21 (assumed): "Monday" is the day before.
    assert_eq!(
        one(
            "will step up academic exchanges, experts said Monday.",
            "2021-12-21"
        ),
        t("Monday", "DATE", "2021-12-20")
    );
    assert_eq!(
        one("during the “14th Five-Year Plan” period.", "2021-06-01"),
        t("14th Five-Year Plan", "DATE", "2021/2025")
    );
}

#[test]
fn two_days_away_is_not_tomorrow() {
    assert_eq!(
        one(
            "The delegation arrives the day after tomorrow.",
            "2016-11-07"
        ),
        t("the day after tomorrow", "DATE", "2016-11-09")
    );
    assert_eq!(
        one(
            "The agreement was signed the day before yesterday.",
            "2016-11-07"
        ),
        t("the day before yesterday", "DATE", "2016-11-05")
    );
    assert_eq!(
        one("Day after tomorrow, talks resume.", "2016-11-07"),
        t("Day after tomorrow", "DATE", "2016-11-09")
    );
    // Only `day` makes it two days: "the week after tomorrow" is not parsed as a whole.
    assert_eq!(
        one("the talks after tomorrow", "2016-11-07"),
        t("tomorrow", "DATE", "2016-11-08")
    );
    assert_eq!(
        one("他前天到達北京，", "2016-11-07"),
        t("前天", "DATE", "2016-11-05")
    );
}

#[test]
fn days_written_as_ordinal_words() {
    assert_eq!(
        one("The first of March 2015 was cold.", "2016-11-07"),
        t("The first of March 2015", "DATE", "2015-03-01")
    );
    assert_eq!(
        one("He arrived on the twenty-first of May.", "2016-11-07"),
        t("the twenty-first of May", "DATE", "2016-05-21")
    );
    assert_eq!(
        one("signed on the thirty first of October, 1998", "2016-11-07"),
        t("the thirty first of October, 1998", "DATE", "1998-10-31")
    );
    assert_eq!(
        one("I'll go back second of Aug.", "2016-11-07"),
        t("second of Aug.", "DATE", "2016-08-02")
    );
    // Not a day of the month: the ordinal counts something else, or is no day at all.
    assert!(dates("the second half of March", Some("2016-11-07"))
        .iter()
        .all(|(_, _, value)| !value.ends_with("-03-02")));
    assert_eq!(
        one("one of May's best days", "2016-11-07"),
        t("May", "DATE", "2016-05")
    );
    assert!(dates("the fortieth of May", Some("2016-11-07"))
        .iter()
        .all(|(text, _, _)| !text.contains("fortieth")));
}

#[test]
fn seed_phrases_in_chinese() {
    assert_eq!(
        one("2024-06-27 國際合作局", "2024-06-27"),
        t("2024-06-27", "DATE", "2024-06-27")
    );
    assert_eq!(
        one("近日,中國科學院(CAS)會議在北京舉行", "2024-06-27"),
        t("近日", "DATE", "PAST_REF")
    );
    assert_eq!(
        one("近(jìn)日(rì),會議在北京舉行", "2024-06-27"),
        t("近(jìn)日", "DATE", "PAST_REF")
    );
    assert_eq!(
        one("圍繞面向2030年的重大科研任務", "2024-06-27"),
        t("2030年", "DATE", "2030")
    );
    assert_eq!(
        one("表明雙方46年的合作仍在持續", "2024-06-27"),
        t("46年", "DURATION", "P46Y")
    );
    assert_eq!(
        one("共同慶祝中法建交60周年的重要活動", "2024-06-27"),
        t("60周年", "DURATION", "P60Y")
    );
    assert_eq!(
        one("中國科學院建院70週(zhōu)年賀信", "2024-06-27"),
        t("70週(zhōu)年", "DURATION", "P70Y")
    );
    assert_eq!(
        one("2024年6月27日，会议在北京举行", "2024-06-28"),
        t("2024年6月27日", "DATE", "2024-06-27")
    );
    assert_eq!(
        one("6月27日，会议在北京举行", "2024-06-28"),
        t("6月27日", "DATE", "2024-06-27")
    );
    assert_eq!(
        one("二〇二四年", "2024-06-28"),
        t("二〇二四年", "DATE", "2024")
    );
    assert_eq!(
        one("去年双方签署协议", "2024-06-28"),
        t("去年", "DATE", "2023")
    );
    assert_eq!(
        one("上周一双方签署协议", "2024-06-28"),
        t("上周一", "DATE", "2024-06-17")
    );
    assert_eq!(
        one("第二季度", "2024-06-28"),
        t("第二季度", "DATE", "2024-Q2")
    );
    assert_eq!(
        one("“十四五”期间", "2024-06-28"),
        t("十四五", "DATE", "2021/2025")
    );
}

#[test]
fn copyright_years_are_boilerplate() {
    let body = "© 1996 - 中國科學院 版權所有 京ICP備05002857號-1\n電話: 86 10 68597114(總機)\n";
    let art = article::parse(body);
    let ms = recognise(body, &art, &Anchor::Published(d("2024-06-27")));
    assert_eq!(ms.len(), 1, "{ms:?}");
    assert_eq!(ms[0].span.slice(body), "1996");
    assert_eq!(ms[0].value.as_deref(), Some("1996"));
    assert!(ms[0].boilerplate);
}

#[test]
fn no_false_dates_in_seed_phrases() {
    for s in [
        "Due to restrictions on international travel due to the COVID-19 pandemic, Ma said",
        "the 15th Conference of the Parties (CBD COP15)",
        "at the 14th session of the China-France Joint Committee",
        "電話: 86 10 68597114(總機) 86 10 68597289(總值班室)",
        "京ICP備05002857號-1 京公網安備110402500047號 網站標識碼bm48000002",
        "The Russian Academy of Engineering welcomed 25 new Chinese engineers as foreign academics.",
        "has more than 33,000 researchers and grew 12% to $1,200 million",
        "地址:北京市西城區三里河路52號 郵編:100864",
    ] {
        assert!(dates(s, Some("2024-06-27")).is_empty(), "{s}: {:?}", dates(s, Some("2024-06-27")));
    }
}

/// The straightforward scanner the fast one replaced: one Aho-Corasick pass for every
/// trigger (digits, the prefixes of English head words, Chinese head characters), trying the
/// grammars at each match. The fast scanner must find exactly the same expressions.
fn reference_scan(text: &str, region: Span) -> Vec<english::Raw> {
    use aho_corasick::{AhoCorasick, Input, MatchKind};
    const ZH: &[&str] = &[
        "０", "１", "２", "３", "４", "５", "６", "７", "８", "９", "〇", "零", "一", "二", "三",
        "四", "五", "六", "七", "八", "九", "十", "两", "兩", "今", "昨", "明", "前", "后", "後",
        "去", "上", "本", "这", "這", "下", "当", "當", "周", "週", "星", "礼", "禮", "近", "日",
        "最", "目", "现", "現", "如", "第", "春", "夏", "秋", "冬", "国", "國", "元", "中", "端",
        "除", "圣", "聖", "劳", "勞",
    ];
    let digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let q = ["q1", "q2", "q3", "q4"];
    let patterns: Vec<&str> = english::HEAD_WORDS
        .iter()
        .filter(|w| **w != "q")
        .chain(q.iter())
        .chain(digits.iter())
        .chain(ZH.iter())
        .copied()
        .collect();
    static AC: std::sync::OnceLock<AhoCorasick> = std::sync::OnceLock::new();
    let ac = AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(&patterns)
            .unwrap()
    });
    let mut out = Vec::new();
    let end = region.end.min(text.len());
    let mut pos = region.start.min(end);
    let mut floor = pos;
    let b = text.as_bytes();
    for m in ac.find_iter(Input::new(text).span(pos..end)) {
        let s = m.start();
        if s < pos || !text.is_char_boundary(s) {
            continue;
        }
        let c = b[s];
        let r = if c.is_ascii_digit() {
            chinese::parse(text, s, floor).or_else(|| english::parse(text, s, floor))
        } else if c.is_ascii_alphabetic() {
            english::parse(text, s, floor)
        } else {
            chinese::parse(text, s, floor)
        };
        match r {
            Some(r)
                if r.start >= floor
                    && r.end <= end
                    && r.end > s
                    && text.is_char_boundary(r.start)
                    && text.is_char_boundary(r.end) =>
            {
                pos = r.end;
                floor = r.end;
                out.push(r);
            }
            _ => {
                pos = if c.is_ascii_alphanumeric() {
                    let mut e = s;
                    while e < end && b[e].is_ascii_alphanumeric() {
                        e += 1;
                    }
                    e
                } else {
                    m.end().max(s + 1)
                };
                while pos < end && !text.is_char_boundary(pos) {
                    pos += 1;
                }
            }
        }
    }
    out
}

/// The datelines as first written: the whole top of the body scanned, each date tested.
fn reference_datelines(text: &str, article: &crate::article::Article) -> Vec<Dateline> {
    let body = article.body;
    let body_text = text.get(body.start..body.end).unwrap_or("");
    let mut limit = body_text.len().min(1500);
    while !body_text.is_char_boundary(limit) {
        limit -= 1;
    }
    if let Some((i, _)) = body_text[..limit].match_indices('\n').nth(30) {
        limit = i;
    }
    reference_scan(text, Span::new(body.start, body.start + limit))
        .iter()
        .filter_map(|r| dateline::dateline_of(text, r))
        .collect()
}

/// The fast scanner and the reference agree on `text`, scanned whole and from a few offsets
/// (regions that start inside words and characters).
pub(super) fn assert_scan_matches_reference(text: &str) {
    let mut starts = vec![0, 1, 2, 3, text.len() / 3, text.len() / 2];
    starts.retain(|s| *s <= text.len());
    for s in starts {
        for e in [text.len(), (s + 1500).min(text.len())] {
            let region = Span::new(s, e);
            let reference = reference_scan(text, region);
            assert_eq!(scan(text, region), reference, "region {s}..{e} of {text:?}");
            // Told the region's tokens (as analysis does), it skips plain words by their hash.
            let words = crate::gazetteer::text::tokenize(text, s, e);
            assert_eq!(
                scan_with_words(text, region, &words),
                reference,
                "region {s}..{e} of {text:?}, with its tokens"
            );
        }
    }
    // Boilerplate: the marks searched once per text say what searching each line says.
    for m in recognise_with(text, Span::new(0, text.len()), &Anchor::None, Mode::Auto) {
        assert_eq!(
            m.boilerplate,
            is_boilerplate(text, m.span),
            "{m:?} in {text:?}"
        );
    }
    // Datelines: the article as given, and each of its lines as the top of an article.
    let art = article::parse(text);
    assert_eq!(
        find_datelines(text, &art),
        reference_datelines(text, &art),
        "datelines of {text:?}"
    );
    let line_starts = text.split_inclusive('\n').take(200).scan(0, |from, line| {
        let s = *from;
        *from += line.len();
        Some(s)
    });
    let mid_line = (1..40).filter(|i| text.is_char_boundary(*i));
    assert_datelines_from(text, &art, line_starts.chain(mid_line));
}

/// `find_datelines` and the reference agree on bodies of `text` starting at each of `froms`.
fn assert_datelines_from(
    text: &str,
    art: &crate::article::Article,
    froms: impl Iterator<Item = usize>,
) {
    for from in froms {
        let art = crate::article::Article {
            body: Span::new(from, text.len()),
            ..art.clone()
        };
        assert_eq!(
            find_datelines(text, &art),
            reference_datelines(text, &art),
            "datelines from {from} of {text:?}"
        );
    }
}

#[test]
fn the_scanner_finds_what_trying_every_trigger_finds() {
    for s in [
        "On the afternoon of October 15th, Dr. Philippe ARNAUD visited KUST. I know now.",
        "Now, COP15 and COVID-19 in Q3 2020; q5; the 1990s; mid-1941; 10 a.m.; 3:30 pm",
        "Holidays, Mondays, mayday, Summerfield, today_2019, _2019年, x2019年",
        "2024-06-27 國際合作局 近(jìn)日(rì)，上上周一、一一二、统一、十四五、第十四个五年规划",
        "二〇二四年第二季度 上个月 本世纪 上世纪90年代 当前页 如今 最近 目前 现在 春季 周末",
        "BEIJING, June 27 (Xinhua) -- On Monday, scientists met.\nPublished: October 16, 2019\n",
        "PARIS, Oct. 3 — x\n发布时间：2024年6月27日 来源：国际合作局\n更新 六月二十七日\n© 2019 CAS",
        "A long first line of prose that mentions June 27, 2019 without any cue at all, really.\n",
        "© 2019, 2020 and 2021 CAS.\nIn 2019 we met. Copyright 1996-2024 Xinhua. All rights reserved 2020.",
        "版權所有：中國科學院 2024年 京ICP備05002857號 2024年6月27日 overall rights reserved 1999.",
        "１２月３日 Ｏ年 建院70周年 60週(zhōu)年 三年前 40多年 三个星期 两小时 日前 今天上午",
        "\u{a0}2019年\u{3000}5月 5 日 Monday, October 14, 2019 the past five years ago",
    ] {
        assert_scan_matches_reference(s);
    }
}

/// The texts of the expressions `scan` finds in the whole of `text`, after checking that the
/// reference scanner finds the same.
fn scanned(text: &str) -> Vec<&str> {
    let region = Span::new(0, text.len());
    let found = scan(text, region);
    assert_eq!(found, reference_scan(text, region), "{text:?}");
    let words = crate::gazetteer::text::tokenize(text, 0, text.len());
    assert_eq!(
        scan_with_words(text, region, &words),
        found,
        "{text:?}, with its tokens"
    );
    found
        .iter()
        .map(|r| text.get(r.start..r.end).unwrap_or("?"))
        .collect()
}

#[test]
fn plain_words_are_stepped_over_by_their_hash_only_when_no_head_word_has_it() {
    use crate::gazetteer::text::tokenize_str;
    let heads = english::HeadHashes::get();
    // Every head word, in any case, is one plain token whose hash passes the filter.
    for w in english::HEAD_WORDS {
        let title = w[..1].to_uppercase() + &w[1..];
        for form in [w.to_string(), w.to_uppercase(), title] {
            let toks = tokenize_str(&form);
            assert_eq!(toks.len(), 1, "{form}");
            assert!(toks[0].plain, "{form}");
            assert!(heads.may_contain(toks[0].hash), "{form}");
        }
    }
    // Common words mostly do not (the filter would be no use otherwise).
    let common = "the of and in to a for on with by at from that is was as it are be this \
                  has have said which new university science research academy institute \
                  chinese national international cooperation its their were been more will";
    let passing: Vec<&str> = common
        .split_whitespace()
        .filter(|w| heads.may_contain(tokenize_str(w)[0].hash))
        .collect();
    assert!(passing.len() <= 4, "{passing:?}");
    // Words that are not plain (letters with digits, letters of two bytes, a mark) around and
    // inside head words, and pinyin the tokenizer drops: read byte by byte, as before.
    for s in [
        "Zürich may 2019, Mäy 2019, mayñ 2019, Ümay 2019",
        "May’s 2019 report, May2019, 2019May, x2019年, mid-May 2019",
        "學(may)院 May 5 學（today）院 today",
        "Universitätmay today e\u{301}may 5 May\u{301} 5",
        "the day after tomorrow, know now, snow today, Mayday May day",
    ] {
        assert_scan_matches_reference(s);
    }
}

#[test]
fn the_byte_tables_find_dates_at_the_edges_and_next_to_any_character() {
    // At the very start and the very end of the text, and alone.
    assert_eq!(scanned("2019年5月"), ["2019年5月"]);
    assert_eq!(scanned("May 2019"), ["May 2019"]);
    assert_eq!(scanned("It was in 2019"), ["2019"]);
    assert_eq!(scanned("會議於今天"), ["今天"]);
    assert_eq!(scanned("today"), ["today"]);
    // After CJK, emoji, two-byte letters, NBSP and the ideographic space.
    assert_eq!(scanned("會議October 15, 2019"), ["October 15, 2019"]);
    assert_eq!(scanned("🎉October 15, 2019🎉"), ["October 15, 2019"]);
    assert_eq!(scanned("café October 15"), ["October 15"]);
    assert_eq!(scanned("é2019年"), ["2019年"]);
    assert_eq!(scanned("🎉2019年🎉上周一"), ["2019年", "上周一"]);
    assert_eq!(
        scanned("October\u{a0}15,\u{a0}2019"),
        ["October\u{a0}15,\u{a0}2019"]
    );
    assert_eq!(scanned("2019年\u{3000}5月"), ["2019年", "5月"]);
    // Words longer than eight bytes, and words glued to letters or digits, in any case.
    assert_eq!(
        scanned("Administrationally speaking, SEPTEMBER 2019 and x2019 or Mayday"),
        ["SEPTEMBER 2019"]
    );
    assert_eq!(scanned("abcdefghijklmnopqrstuvwxyz0123456789 now"), ["now"]);
    // Fullwidth digits and 〇 are head characters; 一 inside 统一 is not a date.
    assert_eq!(
        scanned("１２月３日 二〇二四年 统一"),
        ["１２月３日", "二〇二四年"]
    );
    // Every region start, including inside a character and inside a word.
    let text = "😀 Monday, 今天 October 15, 2019年5月 abc2019 🎉";
    for s in 0..=text.len() {
        let region = Span::new(s, text.len());
        assert_eq!(scan(text, region), reference_scan(text, region), "from {s}");
    }
}

#[test]
fn sentence_stops_are_found_where_reading_byte_by_byte_finds_them() {
    let slow_stop = |b: &[u8]| {
        (0..b.len()).find(|&i| {
            matches!(
                (b[i], b.get(i + 1..i + 3)),
                (b'!' | b'?' | b'\n', _)
                    | (0xe3, Some([0x80, 0x82]))
                    | (0xef, Some([0xbc, 0x81 | 0x9f | 0x9b]))
            )
        })
    };
    let slow_dot = |b: &[u8]| b.windows(2).position(|w| w == b". ");
    let pieces = [
        "a", ". ", ".", "!", "?", "\n", "。", "！", "？", "；", "，", "中", "㈠", "\u{ef00}", " ",
        "Dr.", "3 p.m. ", "、",
    ];
    for x in pieces {
        for y in pieces {
            for z in pieces {
                let s = format!("{x}{y}{z}");
                let b = s.as_bytes();
                assert_eq!(stop_after(b), slow_stop(b), "{s:?}");
                assert_eq!(dot_space(b), slow_dot(b), "{s:?}");
                // Cut inside a character at either end.
                for cut in 1..b.len() {
                    let (l, r) = b.split_at(cut);
                    assert_eq!(stop_after(r), slow_stop(r), "{s:?} from {cut}");
                    assert_eq!(stop_after(l), slow_stop(l), "{s:?} to {cut}");
                }
            }
        }
    }
}

#[test]
fn the_head_character_table_says_what_is_head_says() {
    for code in 0x800u32..0x10000 {
        let Some(c) = char::from_u32(code) else {
            continue;
        };
        let mut buf = [0u8; 4];
        let b = c.encode_utf8(&mut buf).as_bytes();
        assert_eq!(
            chinese::is_head_bytes(b[0], b[1], b[2]),
            chinese::is_head(c),
            "{c:?}"
        );
    }
}

#[test]
fn skipping_words_eight_bytes_at_a_time_stops_where_byte_by_byte_does() {
    let slow = |b: &[u8], from: usize, end: usize| {
        let mut i = from;
        while i < end && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        i
    };
    // Every byte value at every place of a run of letters.
    for v in 0..=255u8 {
        for at in 0..20 {
            let mut b = vec![b'k'; 20];
            b[at] = v;
            for from in [0, 1, 7] {
                for end in [20, 9, 8] {
                    assert_eq!(
                        skip_alnum(&b, from, end),
                        slow(&b, from, end),
                        "{v} at {at} from {from} to {end}"
                    );
                }
            }
        }
    }
}

#[test]
fn head_words_are_found_in_any_case_and_nothing_else() {
    for w in english::HEAD_WORDS {
        for v in [
            w.to_string(),
            w.to_uppercase(),
            w[..1].to_uppercase() + &w[1..],
        ] {
            assert!(english::is_head_word(v.as_bytes(), 0), "{v}");
            let glued = format!("{v}x");
            assert!(!english::is_head_word(glued.as_bytes(), 0), "{glued}");
        }
    }
    for w in [
        "the",
        "know",
        "mayor",
        "",
        "1",
        "weekendsx",
        "septembers",
        "Ｑ",
    ] {
        assert!(!english::is_head_word(w.as_bytes(), 0), "{w}");
    }
    // The word is the run of letters: `Q3`, `days1` and `years,` are head words.
    for (w, at) in [("Q3", 0), ("days1", 0), ("years,", 0), ("in May", 3)] {
        assert!(english::is_head_word(w.as_bytes(), at), "{w}");
    }
}

#[test]
fn the_head_prefix_from_eight_bytes_says_what_the_first_three_letters_say() {
    // Every first letter, every value of the second and third bytes, and bytes after them
    // that are letters or not.
    for c1 in (b'a'..=b'z').chain(b'A'..=b'Z') {
        for c2 in 0..=255u8 {
            for c3 in 0..=255u8 {
                for rest in [*b"aaaaa", *b" k9.x"] {
                    let mut w = [c1, c2, c3, 0, 0, 0, 0, 0];
                    w[3..].copy_from_slice(&rest);
                    assert_eq!(
                        english::may_be_head_prefix(u64::from_le_bytes(w)),
                        english::may_be_head_word(&w, 0),
                        "{w:?}"
                    );
                }
            }
        }
    }
}

/// The scanners agree on real text: WikiWars, every recognizers-text input (English and
/// Chinese, all files) and the seeds, when `../shared` is present.
#[test]
#[allow(clippy::print_stderr)] // the note that the shared data is absent
fn the_scanner_agrees_with_the_reference_on_the_shared_corpora() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let mut texts: Vec<String> = Vec::new();
    let read_dir = |d: std::path::PathBuf| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    for f in read_dir(shared.join("data/dates/wikiwars")) {
        if let Ok(t) = std::fs::read_to_string(&f) {
            texts.push(eval::parse_timeml(&t).text);
        }
    }
    for lang in ["English", "Chinese"] {
        for f in read_dir(shared.join("data/dates/recognizers-text").join(lang)) {
            let Ok(src) = std::fs::read_to_string(&f) else {
                continue;
            };
            let Ok(cases) =
                serde_json::from_str::<serde_json::Value>(src.trim_start_matches('\u{feff}'))
            else {
                continue;
            };
            let inputs: Vec<&str> = cases
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["Input"].as_str())
                .collect();
            texts.push(inputs.join("\n"));
        }
    }
    for f in read_dir(shared.join("seeds")) {
        if let Ok(t) = std::fs::read_to_string(&f) {
            texts.push(t);
        }
    }
    if texts.is_empty() {
        eprintln!(
            "note: {} not found; skipping the corpus comparison",
            shared.display()
        );
        return;
    }
    for t in &texts {
        assert_scan_matches_reference(t);
    }
}

/// Runs the date pipeline as `analyse` does and returns the MA03xx findings.
fn findings(text: &str) -> Vec<Finding> {
    let art = article::parse(text);
    let (ann, _) = article::schema::read(text, &art, &Default::default());
    let anchor = anchor(text, &art, &ann, None);
    let ms = recognise(text, &art, &anchor);
    check(text, &art, &ann, &ms)
}

fn fixed(text: &str, f: &Finding) -> String {
    crate::findings::apply_edits(text, &f.fixes[0].edits).unwrap()
}

#[test]
fn an_invalid_value_is_fixed_from_its_text() {
    let text = "---\npublished: 2019-10-16\ndates:\n  - value: 15.10.2019 afternoon\n    text: the afternoon of October 15th\n---\nOn the afternoon of October 15th, he visited KUST.\n";
    let f = findings(text);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].code, "MA0301");
    assert!(fixed(text, &f[0]).contains("  - value: 2019-10-15TAF\n"));
    // Without a text, a value written as a date is normalised.
    let text = "---\npublished: 2019-10-16\ndates:\n  - value: October 15, 2019\n---\nOn October 15, 2019, he visited KUST.\n";
    let f = findings(text);
    assert_eq!(f[0].code, "MA0301");
    assert!(fixed(text, &f[0]).contains("  - value: 2019-10-15\n"));
}

#[test]
fn a_value_the_text_does_not_support_is_reported_with_the_texts_value() {
    let text = "---\npublished: 2019-10-16\ndates:\n  - value: 2019-03\n    text: February 2019\n  - value: 2019-10-15\n---\nThe committee met in February 2019. On the afternoon of October 15th, he visited KUST.\n";
    let f = findings(text);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].code, "MA0302");
    assert!(f[0].message.contains("`2019-02`"), "{}", f[0].message);
    assert!(fixed(text, &f[0]).contains("  - value: 2019-02\n"));
    // 2019-10-15 is supported by 2019-10-15TAF (finer).
}

#[test]
fn a_value_without_text_gets_the_nearest_mentions_as_fixes() {
    let text = "---\npublished: 2019-10-16\ndates:\n  - value: 2019-10-14\n---\nOn the afternoon of October 15th, he visited KUST. CNRS was founded in 1939.\n";
    let f = findings(text);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].code, "MA0302");
    assert_eq!(f[0].fixes.len(), 1);
    assert!(!f[0].fixes[0].safe);
    assert!(fixed(text, &f[0]).contains("value: 2019-10-15TAF"));
}

#[test]
fn relative_dates_without_published_ask_for_it_from_the_dateline() {
    let text = "2024-06-27 國際合作局\n\n上周一,雙方簽署了協議。\n";
    let f = findings(text);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].code, "MA0303");
    assert_eq!(f[0].severity, crate::findings::Severity::Info);
    assert_eq!(f[0].span.slice(text), "上周一");
    let out = fixed(text, &f[0]);
    assert!(
        out.starts_with("---\npublished: 2024-06-27\n---\n2024-06-27 國際合作局"),
        "{out}"
    );
    assert!(findings(&out).is_empty());
    // No dateline: the finding stays, without a fix.
    let f = findings("The delegation arrived on Monday.\n");
    assert_eq!((f.len(), f[0].fixes.len()), (1, 0));
}

#[test]
fn published_after_the_dateline_is_reported() {
    let text = "---\npublished: 2024-07-02\n---\n2024-06-27 國際合作局\n\n近日,會議在北京舉行。\n";
    let f = findings(text);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].code, "MA0304");
    assert!(fixed(text, &f[0]).contains("published: 2024-06-27\n"));
    // A year-less agency dateline is read with the year of `published`.
    let text = "---\npublished: 2023-03-20\n---\nBEIJING, March 14 (Xinhua) -- Scientists met on Tuesday.\n";
    assert_eq!(
        findings(text).iter().map(|f| f.code).collect::<Vec<_>>(),
        ["MA0304"]
    );
}

#[test]
fn past_events_after_published_are_reported_but_plans_are_not() {
    let text = "---\npublished: 2019-10-01\n---\nThe meeting was held on 15 October 2019. The conference will be held in the second quarter of 2021.\n";
    let f = findings(text);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].code, "MA0305");
    assert_eq!(f[0].span.slice(text), "15 October 2019");
}

#[test]
fn unresolved_mentions_say_why() {
    let body = "On the afternoon of October 15th, he visited KUST.";
    let ms = recognise(body, &article::parse(body), &Anchor::None);
    assert_eq!(ms[0].value.as_deref(), Some("XXXX-10-15TAF"));
    assert!(matches!(&ms[0].resolution, Resolution::Unresolved(why) if why.contains("published")));
    assert!(
        ms[0].explanation.contains("not resolved"),
        "{}",
        ms[0].explanation
    );
    let ms = recognise(body, &article::parse(body), &Anchor::Dct(d("2019-10-16")));
    assert_eq!(ms[0].resolution, Resolution::Dct(d("2019-10-16")));
    assert_eq!(ms[0].granularity, Granularity::PartOfDay);
}

#[test]
fn narratives_take_the_year_of_the_previous_date() {
    let body = "Finland was invaded in November 1939. The conflict ended in March 1940. In April, Germany prepared. On April 9, it invaded Denmark. Two days later, Norway fell. In 1941, Germany attacked.";
    let ms = recognise_with(
        body,
        Span::new(0, body.len()),
        &Anchor::Dct(d("2009-12-19")),
        Mode::Auto,
    );
    let got: Vec<(&str, &str)> = ms
        .iter()
        .map(|m| (m.span.slice(body), m.value.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        [
            ("November 1939", "1939-11"),
            ("March 1940", "1940-03"),
            ("April", "1940-04"),
            ("April 9", "1940-04-09"),
            ("Two days later", "1940-04-11"),
            ("1941", "1941")
        ]
    );
    assert!(matches!(ms[2].resolution, Resolution::Nearby(_)));
}

mod scanner_props {
    use super::assert_scan_matches_reference;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9]{1,5}",
            "[a-zA-Z0-9 ,.:/_\\-]{0,12}",
            "(the|in|on|last|next|this|early|mid|of|a|few|two|[Mm]onday|[Oo]ctober|[Mm]ay|Q|days?|years?|now|know|ago|later|[0-9]{1,4}(st|nd|rd|th)?|Five-Year|Plan|a\\.m\\.| )+",
            "[年月日周週号號天前后後近今去上下本第十一二三四五六七八九〇两个個半世纪季度期拜星礼末初底代多小时当现在如最目春夏秋冬０-９()jìnǎ \u{3000}]{0,10}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512)))]

        #[test]
        fn the_scanner_agrees_with_the_reference_on_any_text(
            v in prop::collection::vec(piece(), 0..12)
        ) {
            assert_scan_matches_reference(&v.concat());
        }
    }
}

#[test]
fn ranges_are_two_dates_sharing_month_and_year() {
    // TimeML (and WikiWars) annotate a range as two expressions; the first takes the month and
    // year written after the second, the second the month written before the first.
    assert_eq!(
        dates("The battle lasted 6–7 January 1916, then", None),
        vec![
            t("6", "DATE", "1916-01-06"),
            t("7 January 1916", "DATE", "1916-01-07")
        ]
    );
    assert_eq!(
        dates("Talks ran March 5-9, 1918 in Brest.", None),
        vec![
            t("March 5", "DATE", "1918-03-05"),
            t("9, 1918", "DATE", "1918-03-09")
        ]
    );
    assert_eq!(
        dates("Throughout 1915–17, the army", None),
        vec![t("1915", "DATE", "1915"), t("17", "DATE", "1917")]
    );
    // A word separator needs the year or the end of the phrase after the second number.
    assert_eq!(
        dates("On March 5 and 30 people were hurt.", Some("2024-06-27")),
        vec![t("March 5", "DATE", "2024-03-05")]
    );
}

#[test]
fn timeml_extents_approximators_and_suffixes() {
    let p = Some("2024-06-27");
    assert_eq!(
        dates("The 1941 campaign failed.", p),
        vec![t("1941", "DATE", "1941")]
    );
    assert_eq!(
        dates("after the May 8, 1945 massacre", p),
        vec![t("May 8, 1945", "DATE", "1945-05-08")]
    );
    assert_eq!(
        dates("He served nearly four weeks and more than three years.", p),
        vec![
            t("nearly four weeks", "DURATION", "P4W"),
            t("more than three years", "DURATION", "P3Y")
        ]
    );
    assert_eq!(
        dates("recruits 18 years old, a month-long siege", p),
        vec![
            t("18 years old", "DURATION", "P18Y"),
            t("month-long", "DURATION", "P1M")
        ]
    );
    assert_eq!(
        dates("It began early in 1914. In July of that year it spread.", p),
        vec![
            t("early in 1914", "DATE", "1914"),
            t("July of that year", "DATE", "1914-07")
        ]
    );
    assert_eq!(
        dates("Troops left about 1910, ca. 466 BC.", p),
        vec![
            t("about 1910", "DATE", "1910"),
            t("ca. 466 BC", "DATE", "BC0466")
        ]
    );
    assert_eq!(
        dates("In April 480 BC the fleet sailed.", p),
        vec![t("April 480 BC", "DATE", "BC0480-04")]
    );
    // `a quarter of` is a share, not a duration.
    assert!(dates("about a quarter of the population", p).is_empty());
}

#[test]
fn holidays_in_english_and_chinese() {
    let p = Some("2024-06-27");
    assert_eq!(
        dates("Shops closed on Christmas Eve 2023 and at Easter.", p),
        vec![
            t("Christmas Eve 2023", "DATE", "2023-12-24"),
            t("Easter", "DATE", "2024-03-31")
        ]
    );
    assert_eq!(
        dates("Thanksgiving Day and New Year's Day", Some("2023-11-01")),
        vec![
            t("Thanksgiving Day", "DATE", "2023-11-23"),
            t("New Year's Day", "DATE", "2024-01-01")
        ]
    );
    assert!(dates("They sailed to Easter Island.", p).is_empty());
    assert_eq!(
        dates("Travel peaked before Chinese New Year.", p),
        vec![t("Chinese New Year", "DATE", "2024-02-10")]
    );
    assert_eq!(
        dates("2024年春节期间，今年中秋节，去年国庆假期，元旦", p),
        vec![
            t("2024年春节", "DATE", "2024-02-10"),
            t("今年中秋节", "DATE", "2024-09-17"),
            t("去年国庆", "DATE", "2023-10-01"),
            t("元旦", "DATE", "2024-01-01")
        ]
    );
    // 国庆 inside 中国庆祝 (China celebrates) is not the holiday.
    assert!(dates("中国庆祝胜利", p).is_empty());
}

#[test]
fn news_times_sets_and_relative_offsets() {
    let p = Some("2024-06-27");
    assert_eq!(
        dates(
            "The board will meet in two weeks. It was built in two weeks.",
            p
        ),
        vec![
            t("two weeks", "DATE", "2024-W28"),
            t("two weeks", "DURATION", "P2W")
        ]
    );
    assert_eq!(
        dates("We meet every Monday at 3pm for 25 minutes.", p),
        vec![
            t("every Monday", "SET", "XXXX-WXX-1"),
            t("3pm", "TIME", "2024-06-27T15:00"),
            t("25 minutes", "DURATION", "PT25M")
        ]
    );
    assert_eq!(
        dates("It opens two weeks from now.", p),
        vec![t("two weeks from now", "DATE", "2024-W28")]
    );
}

#[test]
fn a_year_less_dateline_takes_the_year_of_the_explicit_dates() {
    let body = "BEIJING, June 27 (Xinhua) -- Talks resumed yesterday.\nThey were agreed on March 3, 2024.\n";
    let art = article::parse(body);
    let a = anchor(body, &art, &article::Annotations::default(), None);
    assert_eq!(a, Anchor::Dateline(d("2024-06-27")));
    let m = recognise(body, &art, &a);
    assert!(m
        .iter()
        .any(|m| m.span.slice(body) == "yesterday" && m.value.as_deref() == Some("2024-06-26")));
}

#[test]
fn context_sets_years_and_days_in_news() {
    // A background paragraph: the written year carries to the year-less dates after it.
    assert_eq!(
        dates(
            "The war began on March 20, 2003. On April 9, Baghdad fell; on April 15 the \
             fighting ended.",
            Some("2009-12-19")
        ),
        vec![
            t("March 20, 2003", "DATE", "2003-03-20"),
            t("April 9", "DATE", "2003-04-09"),
            t("April 15", "DATE", "2003-04-15")
        ]
    );
    // A year near the article's date does not override the nearest-year rule.
    assert_eq!(
        dates(
            "Sales rose in 2023. On June 3, the plant opened.",
            Some("2024-06-27")
        ),
        vec![t("2023", "DATE", "2023"), t("June 3", "DATE", "2024-06-03")]
    );
    // A bare clock time is on the day mentioned before it.
    assert_eq!(
        dates(
            "On Monday, the talks ended at 5:30 p.m. that night.",
            Some("2024-06-27")
        ),
        vec![
            t("Monday", "DATE", "2024-06-24"),
            t("5:30 p.m.", "TIME", "2024-06-24T17:30"),
            t("that night", "TIME", "2024-06-24TNI")
        ]
    );
    assert_eq!(
        dates(
            "By mid-November output fell; by the end of the year it recovered.",
            Some("2024-06-27")
        ),
        vec![
            t("mid-November", "DATE", "2024-11"),
            t("the end of the year", "DATE", "2024")
        ]
    );
}

/// (text, value) of every mention of `body` read as a narrative anchored at `dct`.
fn narrative_values(body: &str, dct: &str) -> Vec<(String, String)> {
    recognise_with(
        body,
        Span::new(0, body.len()),
        &Anchor::Dct(d(dct)),
        Mode::Narrative,
    )
    .into_iter()
    .map(|m| (m.span.slice(body).to_string(), m.value.unwrap_or_default()))
    .collect()
}

fn tv(text: &str, value: &str) -> (String, String) {
    (text.to_string(), value.to_string())
}

#[test]
fn a_far_year_between_dates_of_the_narrative_is_a_digression() {
    // `2004` lies far from 1920 and from the next written year: July 29 stays in 1920.
    assert_eq!(
        narrative_values(
            "The offensive began on 4 July 1920. Documents found in 2004 show it. \
             On July 29, the army crossed the river. The treaty was signed in March 1921.",
            "2009-12-19"
        ),
        vec![
            tv("4 July 1920", "1920-07-04"),
            tv("2004", "2004"),
            tv("July 29", "1920-07-29"),
            tv("March 1921", "1921-03")
        ]
    );
    // After the last written year only a bare year is a digression.
    assert_eq!(
        narrative_values(
            "The battle began on 12 August 1920, the largest since 1813. On 6 September, \
             the army retreated.",
            "2009-12-19"
        ),
        vec![
            tv("12 August 1920", "1920-08-12"),
            tv("1813", "1813"),
            tv("6 September", "1920-09-06")
        ]
    );
    // A near year is not a digression: the narrative moves on.
    assert_eq!(
        narrative_values(
            "The war began in May 1920. In 1922, peace came. In March, troops left.",
            "2009-12-19"
        ),
        vec![
            tv("May 1920", "1920-05"),
            tv("1922", "1922"),
            tv("March", "1922-03")
        ]
    );
}

#[test]
fn a_look_back_does_not_move_the_narratives_year() {
    assert_eq!(
        narrative_values(
            "On 6 September 1920 the army retreated; the previous year it had won. \
             On 21 September, it stopped.",
            "2009-12-19"
        ),
        vec![
            tv("6 September 1920", "1920-09-06"),
            tv("the previous year", "1919"),
            tv("21 September", "1920-09-21")
        ]
    );
}

#[test]
fn bc_centuries_and_decades() {
    let p = Some("2024-06-27");
    assert_eq!(
        dates("By the 4th century BC the city had grown.", p),
        vec![t("the 4th century BC", "DATE", "BC03")]
    );
    assert_eq!(
        narrative_values(
            "In 350 BC the city grew. In the previous century it was small.",
            "2009-12-19"
        ),
        vec![tv("350 BC", "BC0350"), tv("the previous century", "BC04")]
    );
    assert_eq!(
        narrative_values(
            "The revolt ended in 494 BC. The following decade saw war.",
            "2009-12-19"
        ),
        vec![tv("494 BC", "BC0494"), tv("The following decade", "BC048")]
    );
}

#[test]
fn decades_and_centuries_as_durations_use_timeml_units() {
    let p = Some("2024-06-27");
    assert_eq!(
        dates("It took a decade; the empire lasted two centuries.", p),
        vec![
            t("a decade", "DURATION", "P1DE"),
            t("two centuries", "DURATION", "P2CE")
        ]
    );
}

#[test]
fn a_season_naming_a_campaign_is_a_date() {
    assert_eq!(
        narrative_values(
            "The army lost in May 1942. Its summer offensive failed; the Spring Offensive \
             of the enemy did too. The troops entered winter quarters.",
            "2009-12-19"
        ),
        vec![
            tv("May 1942", "1942-05"),
            tv("summer", "1942-SU"),
            tv("Spring", "1942-SP"),
            tv("winter", "1942-WI")
        ]
    );
    // Not before other nouns.
    assert!(dates(
        "The summer school and the Spring Festival gala",
        Some("2024-06-27")
    )
    .is_empty());
}

#[test]
fn a_year_of_the_date_before_keeps_the_finer_date_as_context() {
    assert_eq!(
        narrative_values(
            "Japan attacked on December 7, 1941. The war spread in 1941. In January, Manila fell.",
            "2009-12-19"
        ),
        vec![
            tv("December 7, 1941", "1941-12-07"),
            tv("1941", "1941"),
            tv("January", "1942-01")
        ]
    );
}

#[test]
fn in_narratives_next_spring_counts_from_the_narratives_date() {
    assert_eq!(
        narrative_values(
            "The army wintered at Valley Forge in December 1777. The next spring it marched.",
            "2009-12-19"
        ),
        vec![tv("December 1777", "1777-12"), tv("next spring", "1778-SP")]
    );
    // In news, from the publication date.
    assert_eq!(
        dates("The plant will open next spring.", Some("2024-06-27")),
        vec![t("next spring", "DATE", "2025-SP")]
    );
}

#[test]
fn marks_and_cues_are_found_in_any_case_across_the_pieces_read() {
    for pad in [0, 4090, 4093, 4095, 4096, 8180] {
        for mark in [
            "CopyRight",
            "©",
            "版權所有",
            "ALL RIGHTS reserved",
            "all rights",
        ] {
            let text = format!("{}{mark} 2019 x{}", "a".repeat(pad), "版".repeat(3));
            let lower = text.to_ascii_lowercase();
            let mut want: Vec<(usize, usize)> = MARK_WORDS
                .iter()
                .flat_map(|w| lower.match_indices(w).map(|(s, m)| (s, s + m.len())))
                .collect();
            want.sort_unstable();
            assert_eq!(Marks::of(&text).found, want, "{mark} after {pad}");
        }
        for (cue, future) in [
            ("WILL ", true),
            ("Is To ", true),
            ("將", true),
            ("wil l", false),
        ] {
            let s = format!("{}{cue}", "x".repeat(pad));
            assert_eq!(future_tense(&s), future, "{cue} after {pad}");
        }
    }
}

#[test]
fn datelines_line_walk_matches_reference_on_awkward_text() {
    // The line walk of `find_datelines` (byte search for line breaks, the line start carried
    // from one line to the next) finds what scanning the whole top of the body finds, for
    // bodies starting anywhere: at a line start, inside a line, inside a character.
    let texts = [
        "BEIJING, June 27 (Xinhua) -- 国际合作局\n2024-06-27 國際合作局\n发布时间：2024年6月27日 😀\n",
        "\u{a0}Published:\u{a0}October\u{a0}16,\u{a0}2019\r\nİSTANBUL, Oct 3 — straße\r\n",
        "ÉCOLE, 3 March 2021 -- 😀😀 PUBLISHED ON 4 March 2021 by ß and İ\n\n\nUpdated 2020-01-02\n",
        "一段很长的中文没有日期但是有很多字符一段很长的中文没有日期但是有很多字符一段很长的中文\n六月二十七日 来源：新华社\n",
        "no break at all, a long line with a date 2019-10-16 and the word RELEASE in it 🎉",
        "\n\n\nPARİS, 5 May 2022 (AFP) —\n日期：2022-05-05\u{3000}時間：12:00\n",
    ];
    for text in texts {
        assert_datelines_from(text, &article::parse(text), 0..=text.len());
    }
}

#[test]
fn digit_test_of_dateline_lines_matches_byte_by_byte() {
    let texts = [
        "no digits here at all, not one, in a line longer than thirty-two bytes",
        "国际合作局六月二十七日😀\u{a0}İstanbul straße ÉCOLE ３ full-width three",
        "a line whose only digit comes at the very end of a long stretch: 7",
        "0 at the start",
        "",
        "/:9",
    ];
    for text in texts {
        let b = text.as_bytes();
        for s in 0..=b.len() {
            for e in s..=b.len() {
                let part = &b[s..e];
                assert_eq!(
                    dateline::has_ascii_digit(part),
                    part.iter().any(u8::is_ascii_digit),
                    "{part:?}"
                );
            }
        }
    }
}

/// Awkward sentences for the tense and cue tests: CJK (Simplified and Traditional), emoji,
/// NBSP, pinyin, mixed scripts, odd case and the two characters that lowercase to ASCII.
const AWKWARD: &[&str] = &[
    "The summit WILL open on Monday",
    "The summit Will\u{a0}open on Monday",
    "会议将于周一举行",
    "會議將於週一舉行",
    "计划到2030年完成 😀 Plans To finish",
    "Jìnnián jiāng kāi huì 将",
    "it'll rain, they’LL see",
    "İt wİll be held",
    "the \u{212a}elvin ship is to sail",
    "wil l not, shal l not",
    "Exp😀ected to",
    "SCHEDULED\u{3000}for 周一",
    "面向2030年的重大科研任務",
    "",
];

/// `future_tense` as it was written first: the whole sentence lowercased, each cue looked for.
fn future_tense_by_contains(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    FUTURE_EN.iter().any(|w| lower.contains(w)) || FUTURE_ZH.iter().any(|w| s.contains(w))
}

#[test]
fn cues_on_the_stack_agree_with_searching_a_lowercase_copy() {
    // Around the length read on the stack (1024 bytes) and the pieces of longer texts.
    for pad in [0, 1, 600, 1000, 1017, 1020, 1023, 1024, 1025, 4090, 5000] {
        for s in AWKWARD {
            for text in [
                format!("{}{s}", "x".repeat(pad)),
                format!("{s}{}", "版".repeat(pad / 3)),
                format!("{}{s}", "é".repeat(pad / 2)),
            ] {
                let want = future_tense_by_contains(&text);
                assert_eq!(future_tense(&text), want, "{text:?}");
                assert_eq!(
                    future_tense_lowered(&text.to_ascii_lowercase()),
                    want,
                    "{text:?}"
                );
            }
        }
    }
    // Both paths see a cue cut by nothing and miss a cue cut by a space.
    let at_end = format!("{}will ", "a".repeat(1019));
    assert_eq!(at_end.len(), 1024);
    assert!(future_tense(&at_end));
    assert!(!future_tense(&format!("{}wil l", "a".repeat(1019))));
}

/// `reported_past` as it was written first: each word lowercased into a new string.
fn reported_past_by_lowercase(text: &str, span: Span) -> bool {
    let (_, before) = window_before(text, span.start, 40);
    let mut words = before
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty());
    let is_past = |w: &str| {
        let w = w.to_ascii_lowercase();
        matches!(
            w.as_str(),
            "said"
                | "told"
                | "met"
                | "held"
                | "was"
                | "were"
                | "began"
                | "took"
                | "signed"
                | "announced"
        ) || (w.len() > 4 && w.ends_with("ed"))
    };
    let w1 = words.next();
    let w2 = words.next();
    let recent = |w: Option<&str>| w.is_some_and(|w| before.contains(w) && is_past(w));
    recent(w1) || (w1.is_some_and(|w| matches!(w, "on" | "last" | "On")) && recent(w2))
}

#[test]
fn reported_past_agrees_with_lowercasing_each_word() {
    let mut past = 0;
    for before in [
        "officials SAID ",
        "officials Said\u{a0}",
        "they met on ",
        "They MET ON ",
        "it was last ",
        "signed 😀 ",
        "会议舉行了 said ",
        "Jìnnián announced ",
        "they Ed ",
        "they LAUNCHED ",
        "he launchEd on ",
        "the İed on ",
        "a \u{212a}illED ",
        "will meet on ",
        "said, and will meet next ",
        "",
    ] {
        for pad in ["", "x", "版版", "😀😀 padding words to cut the window "] {
            let text = format!("{pad}{before}Monday");
            let span = Span::new(text.len() - "Monday".len(), text.len());
            let want = reported_past_by_lowercase(&text, span);
            past += usize::from(want);
            assert_eq!(reported_past(&text, span), want, "{text:?}");
        }
    }
    // Both kinds of answer are tested.
    assert!(past > 10 && past < 60, "{past}");
}

mod cue_props {
    use super::{
        future_tense, future_tense_by_contains, reported_past, reported_past_by_lowercase,
    };
    use crate::findings::Span;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "(will |WILL |Will|is to |planned|'ll |’LL |said|SAID|met|on|On|last|ended|wIl|l )+",
            "[将將计计劃划拟擬预預计計即面向到至20年周一 \u{a0}\u{3000}😀İ\u{212a}jìnǎ]{0,8}",
            "[a-zA-Z ]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512)))]

        #[test]
        fn tense_cues_agree_with_the_plain_search_on_any_text(
            v in prop::collection::vec(piece(), 0..12),
            pad in 0usize..1100,
        ) {
            let text = format!("{}{}", "x".repeat(pad), v.concat());
            prop_assert_eq!(future_tense(&text), future_tense_by_contains(&text));
            let mut end = text.len();
            let stop = text.len().saturating_sub(300);
            while end > stop {
                let span = Span::new(end, text.len());
                prop_assert_eq!(
                    reported_past(&text, span),
                    reported_past_by_lowercase(&text, span),
                    "{:?} at {}", text, end
                );
                end = text.get(..end).and_then(|s| s.char_indices().next_back()).map_or(0, |(i, _)| i);
            }
        }
    }
}
