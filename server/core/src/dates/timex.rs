//! TIMEX3 values: validation, the first day a value covers, and the interval it denotes.

use crate::calendar::{days_in_month, Date};

fn num(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

/// `YYYY` possibly with `X` placeholders (`XXXX`, `19XX`).
fn year_part(s: &str) -> Option<Option<i32>> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
        return None;
    }
    Some(num(s).map(|y| y as i32))
}

/// A calendar value: (year, rest) where rest is the part after `YYYY-`.
fn calendar(v: &str) -> Option<(Option<i32>, &str)> {
    let y = year_part(v.get(..4)?)?;
    let rest = v.get(4..)?;
    if rest.is_empty() {
        return Some((y, ""));
    }
    Some((y, rest.strip_prefix('-')?))
}

/// Whether `v` is a TIMEX3 value marginalia understands: dates (`2019-10-15`, `2019-10`,
/// `2019`, decades `201`, centuries `20`, `2021-Q2`, `2021-H1`, `2019-SU`, `2019-W42`,
/// `2019-W42-WE`), times (`2019-10-15TAF`, `2019-10-15T10:30`), `BC0241`, references
/// (`PRESENT_REF`, `PAST_REF`, `FUTURE_REF`), durations (`P46Y`, `P3M`, `PT2H`, `PXY`) and year
/// intervals (`2021/2025`). Placeholders `X` are allowed in the year, month and day.
pub fn is_valid(v: &str) -> bool {
    if matches!(v, "PRESENT_REF" | "PAST_REF" | "FUTURE_REF") {
        return true;
    }
    if let Some(d) = v.strip_prefix('P') {
        return duration(d);
    }
    if let Some(y) = v.strip_prefix("BC") {
        return y.len() == 4 && num(y).is_some();
    }
    if let Some((a, b)) = v.split_once('/') {
        return matches!((num(a), num(b)), (Some(x), Some(y)) if a.len() == 4 && b.len() == 4 && x <= y);
    }
    if (v.len() == 2 || v.len() == 3) && num(v).is_some() {
        return true;
    }
    let (date, time) = match v.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let Some((year, rest)) = calendar(date) else {
        return false;
    };
    if let Some(t) = time {
        let day_ok = rest.len() == 5 && day(year, rest);
        let time_ok = matches!(t, "MO" | "AF" | "EV" | "NI" | "DT" | "MI")
            || (t.len() == 5
                && t.as_bytes()[2] == b':'
                && matches!((num(&t[..2]), num(&t[3..])), (Some(h), Some(m)) if h < 24 && m < 60));
        return day_ok && time_ok;
    }
    match rest.len() {
        0 => true,
        2 => match rest {
            "SP" | "SU" | "FA" | "WI" | "Q1" | "Q2" | "Q3" | "Q4" | "H1" | "H2" => true,
            m => m == "XX" || num(m).is_some_and(|m| (1..=12).contains(&m)),
        },
        3 => rest.starts_with('W') && num(&rest[1..]).is_some_and(|w| (1..=53).contains(&w)),
        6 => {
            rest.starts_with('W')
                && rest.ends_with("-WE")
                && num(&rest[1..3]).is_some_and(|w| (1..=53).contains(&w))
        }
        5 => day(year, rest),
        _ => false,
    }
}

/// `MM-DD` (with placeholders) valid for `year`.
fn day(year: Option<i32>, md: &str) -> bool {
    let Some((m, d)) = md.split_once('-') else {
        return false;
    };
    if m.len() != 2 || d.len() != 2 {
        return false;
    }
    let mo = if m == "XX" { None } else { num(m) };
    let da = if d == "XX" { None } else { num(d) };
    if m != "XX" && !mo.is_some_and(|m| (1..=12).contains(&m)) {
        return false;
    }
    if d != "XX" && !da.is_some_and(|d| (1..=31).contains(&d)) {
        return false;
    }
    match (year, mo, da) {
        (Some(y), Some(m), Some(d)) => d <= days_in_month(y, m),
        (None, Some(m), Some(d)) => d <= days_in_month(2000, m),
        _ => true,
    }
}

fn duration(d: &str) -> bool {
    let (date, time) = match d.split_once('T') {
        Some((a, b)) => (a, Some(b)),
        None => (d, None),
    };
    let units = |s: &str, allowed: &str| -> bool {
        let mut seen_any = false;
        let mut n = String::new();
        let mut order = 0usize;
        for c in s.chars() {
            if c.is_ascii_digit() || c == '.' || c == 'X' {
                n.push(c);
                continue;
            }
            let Some(pos) = allowed.find(c) else {
                return false;
            };
            let valid_n =
                n == "X" || (!n.is_empty() && !n.contains('X') && n.parse::<f64>().is_ok());
            if !valid_n || pos < order {
                return false;
            }
            order = pos + 1;
            n.clear();
            seen_any = true;
        }
        n.is_empty() && seen_any
    };
    let date_ok = date.is_empty()
        || units(date, "YMWD")
        || matches!(date, "XDE" | "XCE")
        || date.ends_with("DE") && num(&date[..date.len() - 2]).is_some();
    match time {
        Some(t) => date_ok && units(t, "HMS"),
        None => !date.is_empty() && date_ok,
    }
}

/// The interval `[start, end)` a calendar value covers, when fully specified.
pub fn interval(v: &str) -> Option<(Date, Date)> {
    if let Some((a, b)) = v.split_once('/') {
        let (a, b) = (num(a)? as i32, num(b)? as i32);
        return Some((Date::new(a, 1, 1)?, Date::new(b + 1, 1, 1)?));
    }
    if !is_valid(v)
        || v.starts_with('P')
        || v.ends_with("_REF")
        || v.starts_with("BC")
        || v.contains('X')
    {
        return None;
    }
    let date = v.split('T').next()?;
    if date.len() == 2 || date.len() == 3 {
        let n = num(date)? as i32;
        let (start, len) = if date.len() == 2 {
            (n * 100, 100)
        } else {
            (n * 10, 10)
        };
        return Some((Date::new(start, 1, 1)?, Date::new(start + len, 1, 1)?));
    }
    let (y, rest) = calendar(date)?;
    let y = y?;
    let year = |a: i32| Date::new(a, 1, 1);
    Some(match rest.len() {
        0 => (year(y)?, year(y + 1)?),
        2 => match rest {
            "Q1" | "Q2" | "Q3" | "Q4" => {
                let q = u32::from(rest.as_bytes()[1] - b'0');
                let s = Date::new(y, (q - 1) * 3 + 1, 1)?;
                (s, s.add_months(3))
            }
            "H1" | "H2" => {
                let h = u32::from(rest.as_bytes()[1] - b'0');
                let s = Date::new(y, (h - 1) * 6 + 1, 1)?;
                (s, s.add_months(6))
            }
            "SP" | "SU" | "FA" | "WI" => {
                let m = match rest {
                    "SP" => 3,
                    "SU" => 6,
                    "FA" => 9,
                    _ => 12,
                };
                let s = Date::new(y, m, 1)?;
                (s, s.add_months(3))
            }
            m => {
                let s = Date::new(y, num(m)?, 1)?;
                (s, s.add_months(1))
            }
        },
        3 | 6 => {
            let w = num(&rest[1..3])?;
            let s = Date::from_iso_week(y, w)?;
            if rest.len() == 6 {
                (s.add_days(5), s.add_days(7))
            } else {
                (s, s.add_days(7))
            }
        }
        5 => {
            let s = Date::new(y, num(&rest[..2])?, num(&rest[3..])?)?;
            (s, s.add_days(1))
        }
        _ => return None,
    })
}

/// The first day a value covers.
pub fn start_date(v: &str) -> Option<Date> {
    match plain_start(v) {
        Some(start) => start,
        None => interval(v).map(|(s, _)| s),
    }
}

/// [`start_date`] of the usual values (`2019`, `2019-10`, `2019-10-15`), read straight from
/// their digits: `Some(start)` for those (with `start` what [`interval`] gives: `None` when the
/// month or day does not exist), `None` for every other form (then [`interval`] decides).
fn plain_start(v: &str) -> Option<Option<Date>> {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let y = digits(0..4)? as i32;
    match b.len() {
        4 => Some(Date::new(y, 1, 1)),
        7 if b.get(4) == Some(&b'-') => Some(Date::new(y, digits(5..7)?, 1)),
        10 if b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') => {
            Some(Date::new(y, digits(5..7)?, digits(8..10)?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_values() {
        for v in [
            "2019-10-15",
            "2019-10-15TAF",
            "2019-10-15T10:30",
            "2019-02",
            "2021-Q2",
            "2019-W42",
            "2019-W42-WE",
            "2019",
            "201",
            "19",
            "PRESENT_REF",
            "PAST_REF",
            "P46Y",
            "P3M",
            "PT2H",
            "PXY",
            "P1Y6M",
            "2021/2025",
            "BC0241",
            "2019-SU",
            "XXXX-10-15",
            "2024-02-29",
            "2021-H1",
        ] {
            assert!(is_valid(v), "{v}");
        }
        for v in [
            "2019-13",
            "2023-02-29",
            "October 15",
            "P",
            "PY",
            "P3Q",
            "2019-W60",
            "2025/2021",
            "2019-10-15TXX",
            "",
            "20199",
        ] {
            assert!(!is_valid(v), "{v}");
        }
    }

    #[test]
    fn intervals() {
        let d = |y, m, d| Date::new(y, m, d).unwrap();
        assert_eq!(interval("2021-Q2"), Some((d(2021, 4, 1), d(2021, 7, 1))));
        assert_eq!(interval("199"), Some((d(1990, 1, 1), d(2000, 1, 1))));
        assert_eq!(
            interval("2019-10-15TAF"),
            Some((d(2019, 10, 15), d(2019, 10, 16)))
        );
        assert_eq!(interval("2021/2025"), Some((d(2021, 1, 1), d(2026, 1, 1))));
        assert_eq!(
            interval("2019-W42"),
            Some((d(2019, 10, 14), d(2019, 10, 21)))
        );
        assert_eq!(interval("P3Y"), None);
    }

    /// What `start_date` gave before its fast path: the start of the interval.
    fn start_by_interval(v: &str) -> Option<Date> {
        interval(v).map(|(s, _)| s)
    }

    #[test]
    fn plain_starts_agree_with_the_interval_on_awkward_values() {
        let mut taken = 0;
        for v in [
            "2019",
            "0000",
            "9999",
            "2019-10",
            "2019-00",
            "2019-13",
            "2019-10-15",
            "2019-02-29",
            "2020-02-29",
            "1900-02-29",
            "2019-04-31",
            "2019-10-00",
            "2019-10-32",
            "2019-1-15",
            "2019-10-5",
            "2019/10/15",
            "2019.10.15",
            "2019-10-15TAF",
            "2019-10-15T10:30",
            "2019-XX-15",
            "XXXX-10-15",
            "19XX",
            "201",
            "20",
            "2021-Q2",
            "2021-H1",
            "2019-SU",
            "2019-W42",
            "2019-W42-WE",
            "2021/2025",
            "BC0241",
            "P46Y",
            "PRESENT_REF",
            "+2019",
            "-201-10",
            "２０１９-10-15",
            "2019-１0-15",
            "2019-10-1５",
            "2019\u{a0}10-15",
            "2019-10\u{a0}15",
            "2019-10-15\u{a0}",
            "年2019",
            "2019年",
            "2019-10-1😀",
            "😀019-10-15",
            "",
        ] {
            let plain = plain_start(v);
            if let Some(start) = plain {
                taken += 1;
                assert_eq!(start, start_by_interval(v), "{v:?}");
            }
            assert_eq!(start_date(v), start_by_interval(v), "{v:?}");
        }
        // The fast path answers the usual forms, valid or not, and only those.
        assert_eq!(taken, 13);
        assert_eq!(plain_start("2019-10-15TAF"), None);
        assert_eq!(plain_start("２０１９-10-15"), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(512)))]

        #[test]
        fn start_date_agrees_with_the_interval_on_any_value(
            v in "[0-9X]{4}(-[0-9XQHWSUFAI]{1,3}(-[0-9XWE]{1,3})?)?(T[0-9A-Z:]{0,5})?|[0-9]{0,11}|[-0-9/T\u{a0}２０一😀]{0,12}|\\PC{0,12}"
        ) {
            proptest::prop_assert_eq!(start_date(&v), start_by_interval(&v), "{:?}", v);
        }
    }
}
