//! The date recogniser never panics and its spans are always valid: arbitrary text (ASCII,
//! CJK, pinyin with tone marks, emoji, combining marks, digits and date words mixed), with or
//! without an anchor.

use marginalia_core::article;
use marginalia_core::calendar::Date;
use marginalia_core::dates::{self, timex, Anchor};
use proptest::prelude::*;

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{1,6}",
        Just("2024年6月27日".to_string()),
        Just("近(jìn)日(rì)".to_string()),
        Just("70週(zhōu)年".to_string()),
        Just("上上周一".to_string()),
        Just("二〇二四年第二季度".to_string()),
        Just("the afternoon of October 15th".to_string()),
        Just(" the 14th Five-Year Plan ".to_string()),
        Just("Monday".to_string()),
        Just("2019-02-30".to_string()),
        Just("Q4 ".to_string()),
        Just("mid-".to_string()),
        Just("three years ago".to_string()),
        Just("©".to_string()),
        Just("😀\u{301}".to_string()),
        Just("(".to_string()),
        Just("\u{a0}\n".to_string()),
        "[a-zA-Z ,.\\-]{0,12}",
        "[年月日周週号號天前后近今去上下本第十一二三四五六七八九〇()jìn]{0,8}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512)))]

    #[test]
    fn recognise_never_panics_and_spans_are_valid(t in text(), anchored in any::<bool>(), days in -40_000i64..40_000) {
        let art = article::parse(&t);
        let anchor = if anchored { Anchor::Dct(Date::from_days(days)) } else { Anchor::None };
        let ms = dates::recognise(&t, &art, &anchor);
        let mut last_end = 0;
        for m in &ms {
            prop_assert!(m.span.start < m.span.end && m.span.end <= t.len());
            prop_assert!(t.is_char_boundary(m.span.start) && t.is_char_boundary(m.span.end));
            prop_assert!(m.span.start >= last_end, "overlapping mentions");
            last_end = m.span.end;
            if let Some(v) = &m.value {
                prop_assert!(timex::is_valid(v), "invalid value {v} for {:?}", m.span.slice(&t));
            }
        }
        let (annotations, _) = article::schema::read(&t, &art, &Default::default());
        let _ = dates::check(&t, &art, &annotations, &ms);
        let _ = dates::anchor(&t, &art, &annotations, None);
    }
}
