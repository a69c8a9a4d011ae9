//! What the recognisers read (an [`Expr`]: fields as written, nothing resolved) and how an
//! expression becomes a TIMEX3 value given a reference date.

use super::{Granularity, TimexType};
use crate::calendar::Date;

/// A year as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Yr {
    /// `2019`.
    Abs(i32),
    /// Relative to the article's date: `last year` = `Rel(-1)`, `去年`.
    Rel(i32),
    /// Not written: `October 15th`.
    Missing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Day,
    Week,
    Weekend,
    Month,
    Quarter,
    Half,
    Year,
    Decade,
    Century,
    Hour,
}

impl Unit {
    fn duration_code(self) -> (&'static str, u32) {
        match self {
            Unit::Day => ("D", 1),
            Unit::Week | Unit::Weekend => ("W", 1),
            Unit::Month => ("M", 1),
            Unit::Quarter => ("M", 3),
            Unit::Half => ("M", 6),
            Unit::Year => ("Y", 1),
            Unit::Decade => ("Y", 10),
            Unit::Century => ("Y", 100),
            Unit::Hour => ("H", 1),
        }
    }
}

/// Parts of the day, with their TIMEX3 suffixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Morning,
    Afternoon,
    Evening,
    Night,
}

impl Part {
    fn code(self) -> &'static str {
        match self {
            Part::Morning => "MO",
            Part::Afternoon => "AF",
            Part::Evening => "EV",
            Part::Night => "NI",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Part::Morning => "morning",
            Part::Afternoon => "afternoon",
            Part::Evening => "evening",
            Part::Night => "night",
        }
    }
}

/// A temporal expression as read from the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    Day {
        y: Yr,
        m: u32,
        d: u32,
    },
    /// `27日`, `the 15th`: the month comes from the reference.
    DayOfMonth(u32),
    Month {
        y: Yr,
        m: u32,
    },
    /// `last March` (-1), `next March` (+1): the nearest such month before/after the reference.
    MonthShift {
        m: u32,
        shift: i32,
    },
    Year(Yr),
    /// `241 BC`.
    BcYear(u32),
    /// `the 1990s` → 199.
    Decade(i32),
    /// `the 20th century` → 19.
    Century(i32),
    Quarter {
        y: Yr,
        q: u32,
    },
    Half {
        y: Yr,
        h: u32,
    },
    /// Season 0..=3: spring, summer, autumn, winter.
    Season {
        y: Yr,
        s: u32,
    },
    /// ISO weekday 1..=7; `week`: `None` = the nearest by tense, `Some(n)` = in the week `n`
    /// weeks from the reference's (`上周一` = `Some(-1)`).
    Weekday {
        wd: u32,
        week: Option<i32>,
    },
    /// `n` units from the reference: `yesterday` (Day, -1), `last week`, `two years ago`;
    /// `ana`: from the last mentioned date (`two days later`, `the following year`).
    Rel {
        unit: Unit,
        n: i32,
        ana: bool,
    },
    Ref(&'static str),
    /// `46 years`; `n: None` = unspecified (`several years`).
    Duration {
        n: Option<u32>,
        unit: Unit,
    },
    Set(Unit),
    /// The n-th Five-Year Plan of China.
    Plan(u32),
    /// A part of a day: `the afternoon of October 15th`, `yesterday morning`.
    Part {
        inner: Box<Expr>,
        part: Part,
    },
    /// A clock time on a day: `10 a.m.`.
    Clock {
        inner: Box<Expr>,
        h: u32,
        min: u32,
    },
}

/// What an expression needs to get a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Needs {
    Nothing,
    /// The article's date (deictic: yesterday, last week, Monday).
    Anchor,
    /// A year (or month) from context: the article's date in news, the last date in narratives.
    Year,
    /// The last mentioned date (anaphoric: the following year).
    Previous,
}

impl Expr {
    pub(crate) fn needs(&self) -> Needs {
        let yr = |y: &Yr| match y {
            Yr::Abs(_) => Needs::Nothing,
            Yr::Rel(_) => Needs::Anchor,
            Yr::Missing => Needs::Year,
        };
        match self {
            Expr::Day { y, .. } | Expr::Month { y, .. } | Expr::Year(y) => yr(y),
            Expr::Quarter { y, .. } | Expr::Half { y, .. } | Expr::Season { y, .. } => yr(y),
            Expr::DayOfMonth(_) => Needs::Year,
            Expr::MonthShift { .. } | Expr::Weekday { .. } => Needs::Anchor,
            Expr::Rel { ana: true, .. } => Needs::Previous,
            Expr::Rel { ana: false, .. } => Needs::Anchor,
            Expr::Part { inner, .. } | Expr::Clock { inner, .. } => inner.needs(),
            Expr::BcYear(_)
            | Expr::Decade(_)
            | Expr::Century(_)
            | Expr::Ref(_)
            | Expr::Duration { .. }
            | Expr::Set(_)
            | Expr::Plan(_) => Needs::Nothing,
        }
    }

    pub(crate) fn kind(&self) -> TimexType {
        match self {
            Expr::Duration { .. } => TimexType::Duration,
            Expr::Set(_) => TimexType::Set,
            Expr::Part { .. } | Expr::Clock { .. } => TimexType::Time,
            _ => TimexType::Date,
        }
    }
}

/// The context a value is computed in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reference {
    /// The date relative expressions count from.
    pub date: Date,
    /// How precise `date` is (a previous mention may only give a year).
    pub month_known: bool,
    /// Year-less dates take the year that puts them nearest to `date` (news), or `date`'s
    /// year as it is (narratives, where the previous mention sets the year).
    pub nearest: bool,
    /// The sentence is in the future tense (for weekdays).
    pub future: bool,
}

/// A computed value: the TIMEX3 value, its granularity, the first day it covers, and a
/// human description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Value {
    pub value: String,
    pub granularity: Granularity,
    /// First day covered (for comparisons with `published`), when calendar-based.
    pub start: Option<Date>,
    pub describe: String,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SEASONS: [&str; 4] = ["SP", "SU", "FA", "WI"];
const SEASON_NAMES: [&str; 4] = ["spring", "summer", "autumn", "winter"];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub(crate) fn month_name(m: u32) -> &'static str {
    MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

/// Appends `n` with at least `width` digits (zero-padded), without the formatting machinery.
pub(crate) fn push_num(s: &mut String, n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(digits.len().saturating_sub(width));
    s.extend(digits[start..].iter().map(|&c| char::from(c)));
}

/// `Date::iso` (`2019-10-15`), written directly for the years 0–9999.
pub(crate) fn push_iso(s: &mut String, d: Date) {
    match u32::try_from(d.year).ok().filter(|y| *y <= 9999) {
        Some(y) => {
            push_num(s, y, 4);
            s.push('-');
            push_num(s, d.month, 2);
            s.push('-');
            push_num(s, d.day, 2);
        }
        None => s.push_str(&d.iso()),
    }
}

/// Appends `n` as `{n}` writes it.
fn push_int(s: &mut String, n: i32) {
    if n < 0 {
        s.push('-');
    }
    push_num(s, n.unsigned_abs(), 1);
}

fn year_str(y: i32) -> String {
    match u32::try_from(y).ok().filter(|y| *y <= 9999) {
        Some(y) => {
            let mut s = String::with_capacity(4);
            push_num(&mut s, y, 4);
            s
        }
        None => format!("{y}"),
    }
}

fn day_value(d: Date, describe: String) -> Value {
    let mut value = String::with_capacity(10);
    push_iso(&mut value, d);
    Value {
        value,
        granularity: Granularity::Day,
        start: Some(d),
        describe,
    }
}

fn long_date(d: Date) -> String {
    let mut s = String::with_capacity(20);
    push_num(&mut s, d.day, 1);
    s.push(' ');
    s.push_str(month_name(d.month));
    s.push(' ');
    match u32::try_from(d.year) {
        Ok(y) => push_num(&mut s, y, 1),
        Err(_) => s.push_str(&d.year.to_string()),
    }
    s
}

/// Year for a year-less month/day: nearest to the reference (news) or the reference's.
fn pick_year(r: &Reference, m: u32, d: u32) -> i32 {
    if !r.nearest {
        return r.date.year;
    }
    let base = r.date.to_days();
    let mut best = (i64::MAX, r.date.year);
    for y in [r.date.year - 1, r.date.year, r.date.year + 1] {
        let day = d.min(crate::calendar::days_in_month(y, m)).max(1);
        let Some(c) = Date::new(y, m, day) else {
            continue;
        };
        let dist = (c.to_days() - base).abs();
        // Ties go to the past: news reports what happened.
        if dist < best.0 || (dist == best.0 && y < best.1) {
            best = (dist, y);
        }
    }
    best.1
}

fn resolve_year(y: Yr, r: Option<&Reference>) -> Option<i32> {
    match y {
        Yr::Abs(y) => Some(y),
        Yr::Rel(n) => Some(r?.date.year + n),
        Yr::Missing => Some(r?.date.year),
    }
}

/// The value of `e`, or its underspecified form (`XXXX-10-15`) when `r` is `None`.
pub(crate) fn value(e: &Expr, r: Option<&Reference>) -> Option<Value> {
    Some(match e {
        Expr::Day { y, m, d } => {
            let year = match (y, r) {
                (Yr::Missing, Some(r)) => pick_year(r, *m, *d),
                (Yr::Missing, None) => {
                    return Some(Value {
                        value: format!("XXXX-{m:02}-{d:02}"),
                        granularity: Granularity::Day,
                        start: None,
                        describe: format!("{d} {} (year unknown)", month_name(*m)),
                    })
                }
                _ => resolve_year(*y, r)?,
            };
            let date = Date::new(year, *m, *d)?;
            day_value(date, long_date(date))
        }
        Expr::DayOfMonth(d) => {
            let Some(r) = r.filter(|r| r.month_known) else {
                return Some(Value {
                    value: format!("XXXX-XX-{d:02}"),
                    granularity: Granularity::Day,
                    start: None,
                    describe: format!("day {d} of an unknown month"),
                });
            };
            let mut base = r.date.first_of_month();
            if r.nearest {
                // The nearest month holding that day: this month, or the previous one when the
                // day lies well ahead of the reference.
                if *d > r.date.day + 7 {
                    base = base.add_months(-1);
                }
            }
            let date = Date::new(base.year, base.month, *d)?;
            day_value(date, long_date(date))
        }
        Expr::Month { y, m } => {
            let year = match (y, r) {
                (Yr::Missing, Some(r)) => pick_year(r, *m, 15),
                (Yr::Missing, None) => {
                    return Some(Value {
                        value: format!("XXXX-{m:02}"),
                        granularity: Granularity::Month,
                        start: None,
                        describe: format!("{} (year unknown)", month_name(*m)),
                    })
                }
                _ => resolve_year(*y, r)?,
            };
            let start = Date::new(year, *m, 1)?;
            let mut value = year_str(year);
            value.push('-');
            push_num(&mut value, *m, 2);
            let mut describe = String::with_capacity(16);
            describe.push_str(month_name(*m));
            describe.push(' ');
            push_int(&mut describe, year);
            Value {
                value,
                granularity: Granularity::Month,
                start: Some(start),
                describe,
            }
        }
        Expr::MonthShift { m, shift } => {
            let r = r?;
            let mut y = r.date.year;
            if *shift < 0 && *m >= r.date.month {
                y -= 1;
            } else if *shift > 0 && *m <= r.date.month {
                y += 1;
            }
            value(
                &Expr::Month {
                    y: Yr::Abs(y),
                    m: *m,
                },
                None,
            )?
        }
        Expr::Year(y) => {
            let year = resolve_year(*y, r)?;
            Value {
                value: year_str(year),
                granularity: Granularity::Year,
                start: Date::new(year, 1, 1),
                describe: {
                    let mut d = String::with_capacity(13);
                    d.push_str("the year ");
                    push_int(&mut d, year);
                    d
                },
            }
        }
        Expr::BcYear(y) => Value {
            value: format!("BC{y:04}"),
            granularity: Granularity::Year,
            start: None,
            describe: format!("{y} BC"),
        },
        Expr::Decade(d) => Value {
            value: format!("{d:03}"),
            granularity: Granularity::Decade,
            start: Date::new(d * 10, 1, 1),
            describe: format!("the {}s", d * 10),
        },
        Expr::Century(c) => Value {
            value: format!("{c:02}"),
            granularity: Granularity::Century,
            start: Date::new(c * 100, 1, 1),
            describe: format!(
                "the {} century (years {}–{})",
                ordinal(c + 1),
                c * 100,
                c * 100 + 99
            ),
        },
        Expr::Quarter { y, q } => {
            let year = resolve_year(*y, r)?;
            Value {
                value: format!("{}-Q{q}", year_str(year)),
                granularity: Granularity::Quarter,
                start: Date::new(year, (q - 1) * 3 + 1, 1),
                describe: format!("the {} quarter of {year}", ordinal(*q as i32)),
            }
        }
        Expr::Half { y, h } => {
            let year = resolve_year(*y, r)?;
            Value {
                value: format!("{}-H{h}", year_str(year)),
                granularity: Granularity::Half,
                start: Date::new(year, (h - 1) * 6 + 1, 1),
                describe: format!("the {} half of {year}", ordinal(*h as i32)),
            }
        }
        Expr::Season { y, s } => {
            let year = resolve_year(*y, r)?;
            Value {
                value: format!("{}-{}", year_str(year), SEASONS.get(*s as usize)?),
                granularity: Granularity::Season,
                start: Date::new(year, [3, 6, 9, 12][*s as usize % 4], 1),
                describe: format!("{} {year}", SEASON_NAMES.get(*s as usize)?),
            }
        }
        Expr::Weekday { wd, week } => {
            let r = r?;
            let cur = r.date.weekday() as i64;
            let wd64 = i64::from(*wd);
            let date = match week {
                // `last Monday` / `next Monday`: strictly before / after the reference.
                Some(n) if *n <= -100 => {
                    let back = (cur - wd64).rem_euclid(7);
                    r.date.add_days(-(if back == 0 { 7 } else { back }))
                }
                Some(n) if *n >= 100 => {
                    let ahead = (wd64 - cur).rem_euclid(7);
                    r.date.add_days(if ahead == 0 { 7 } else { ahead })
                }
                Some(n) => r.date.add_days(7 * i64::from(*n) + wd64 - cur),
                None if wd64 == cur => r.date,
                None if r.future => r.date.add_days((wd64 - cur).rem_euclid(7)),
                None => r.date.add_days(-(cur - wd64).rem_euclid(7)),
            };
            let w = WEEKDAYS
                .get((*wd as usize).wrapping_sub(1))
                .copied()
                .unwrap_or("?");
            day_value(date, format!("{w} {}", long_date(date)))
        }
        Expr::Rel { unit, n, .. } => rel(r?, *unit, *n)?,
        Expr::Ref(s) => Value {
            value: (*s).to_string(),
            granularity: Granularity::Reference,
            start: None,
            describe: match *s {
                "PRESENT_REF" => "the present",
                "PAST_REF" => "the (recent) past",
                _ => "the future",
            }
            .to_string(),
        },
        Expr::Duration { n, unit } => {
            let (code, mult) = unit.duration_code();
            let time = *unit == Unit::Hour;
            let t = if time { "T" } else { "" };
            let (value, describe) = match n {
                Some(n) => {
                    let mut value = String::with_capacity(8);
                    value.push('P');
                    value.push_str(t);
                    push_num(&mut value, n.saturating_mul(mult), 1);
                    value.push_str(code);
                    let mut describe = String::with_capacity(24);
                    describe.push_str("a duration of ");
                    push_num(&mut describe, *n, 1);
                    describe.push(' ');
                    describe.push_str(unit_name(*unit, *n != 1));
                    (value, describe)
                }
                None => (
                    format!("P{t}X{code}"),
                    format!("an unspecified number of {}", unit_name(*unit, true)),
                ),
            };
            Value {
                value,
                granularity: Granularity::Duration,
                start: None,
                describe,
            }
        }
        Expr::Set(unit) => {
            let (code, mult) = unit.duration_code();
            Value {
                value: format!("P{mult}{code}"),
                granularity: Granularity::Set,
                start: None,
                describe: format!("every {}", unit_name(*unit, false)),
            }
        }
        Expr::Plan(n) => {
            let (a, b) = plan_years(*n)?;
            Value {
                value: format!("{a}/{b}"),
                granularity: Granularity::Year,
                start: Date::new(a, 1, 1),
                describe: format!("the {} Five-Year Plan, {a}–{b}", ordinal(*n as i32)),
            }
        }
        Expr::Part { inner, part } => {
            let v = value(inner, r)?;
            if v.granularity != Granularity::Day {
                return None;
            }
            Value {
                value: format!("{}T{}", v.value, part.code()),
                granularity: Granularity::PartOfDay,
                start: v.start,
                describe: format!("{}, {}", v.describe, part.name()),
            }
        }
        Expr::Clock { inner, h, min } => {
            let v = value(inner, r)?;
            if v.granularity != Granularity::Day {
                return None;
            }
            Value {
                value: format!("{}T{h:02}:{min:02}", v.value),
                granularity: Granularity::Time,
                start: v.start,
                describe: format!("{}, {h:02}:{min:02}", v.describe),
            }
        }
    })
}

/// Years of the n-th Five-Year Plan (the first ran 1953–1957; 1963–1965 had none).
pub(crate) fn plan_years(n: u32) -> Option<(i32, i32)> {
    let start = match n {
        1 => 1953,
        2 => 1958,
        3..=30 => 1966 + 5 * (n as i32 - 3),
        _ => return None,
    };
    Some((start, start + 4))
}

fn unit_name(u: Unit, plural: bool) -> &'static str {
    let (one, many) = match u {
        Unit::Day => ("day", "days"),
        Unit::Week => ("week", "weeks"),
        Unit::Weekend => ("weekend", "weekends"),
        Unit::Month => ("month", "months"),
        Unit::Quarter => ("quarter", "quarters"),
        Unit::Half => ("half-year", "half-years"),
        Unit::Year => ("year", "years"),
        Unit::Decade => ("decade", "decades"),
        Unit::Century => ("century", "centuries"),
        Unit::Hour => ("hour", "hours"),
    };
    if plural {
        many
    } else {
        one
    }
}

pub(crate) fn ordinal(n: i32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn rel(r: &Reference, unit: Unit, n: i32) -> Option<Value> {
    let n64 = i64::from(n);
    Some(match unit {
        Unit::Day | Unit::Hour => {
            let d = r.date.add_days(n64);
            day_value(d, long_date(d))
        }
        Unit::Week | Unit::Weekend => {
            let d = r.date.add_days(7 * n64);
            let (y, w) = d.iso_week();
            let we = if unit == Unit::Weekend { "-WE" } else { "" };
            Value {
                value: format!("{}-W{w:02}{we}", year_str(y)),
                granularity: Granularity::Week,
                start: Date::from_iso_week(y, w),
                describe: format!(
                    "{} {w} of {y}",
                    if we.is_empty() {
                        "week"
                    } else {
                        "the weekend of week"
                    }
                ),
            }
        }
        Unit::Month => {
            let d = r.date.add_months(n64);
            value(
                &Expr::Month {
                    y: Yr::Abs(d.year),
                    m: d.month,
                },
                None,
            )?
        }
        Unit::Quarter => {
            let d = r.date.add_months(3 * n64);
            value(
                &Expr::Quarter {
                    y: Yr::Abs(d.year),
                    q: d.quarter(),
                },
                None,
            )?
        }
        Unit::Half => {
            let d = r.date.add_months(6 * n64);
            value(
                &Expr::Half {
                    y: Yr::Abs(d.year),
                    h: if d.month <= 6 { 1 } else { 2 },
                },
                None,
            )?
        }
        Unit::Year => value(&Expr::Year(Yr::Abs(r.date.year.checked_add(n)?)), None)?,
        Unit::Decade => value(&Expr::Decade((r.date.year / 10).checked_add(n)?), None)?,
        Unit::Century => value(&Expr::Century((r.date.year / 100).checked_add(n)?), None)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_are_written_as_format_writes_them() {
        for (n, w) in [
            (0, 4),
            (7, 2),
            (15, 2),
            (2019, 4),
            (123, 4),
            (12345, 4),
            (9, 1),
            (4294967295, 2),
        ] {
            let mut s = String::new();
            push_num(&mut s, n, w);
            assert_eq!(s, format!("{n:0w$}"));
        }
        for (y, m, d) in [
            (2019, 10, 15),
            (5, 1, 2),
            (0, 12, 31),
            (9999, 2, 28),
            (10000, 3, 1),
            (-44, 3, 15),
        ] {
            if let Some(date) = Date::new(y, m, d) {
                let mut s = String::new();
                push_iso(&mut s, date);
                assert_eq!(s, date.iso());
                assert_eq!(long_date(date), format!("{} {} {}", d, month_name(m), y));
                let mut s = String::new();
                push_int(&mut s, y);
                assert_eq!(s, format!("{y}"));
            }
        }
    }

    fn at(y: i32, m: u32, d: u32) -> Reference {
        Reference {
            date: Date::new(y, m, d).unwrap(),
            month_known: true,
            nearest: true,
            future: false,
        }
    }

    fn v(e: Expr, r: Option<&Reference>) -> String {
        value(&e, r).map(|v| v.value).unwrap_or_default()
    }

    #[test]
    fn year_less_dates_take_the_nearest_year() {
        let r = at(2019, 10, 16);
        assert_eq!(
            v(
                Expr::Day {
                    y: Yr::Missing,
                    m: 10,
                    d: 15
                },
                Some(&r)
            ),
            "2019-10-15"
        );
        let r = at(2020, 1, 5);
        assert_eq!(
            v(
                Expr::Day {
                    y: Yr::Missing,
                    m: 12,
                    d: 28
                },
                Some(&r)
            ),
            "2019-12-28"
        );
        assert_eq!(
            v(
                Expr::Day {
                    y: Yr::Missing,
                    m: 12,
                    d: 28
                },
                None
            ),
            "XXXX-12-28"
        );
        assert_eq!(
            v(
                Expr::Day {
                    y: Yr::Abs(2019),
                    m: 2,
                    d: 29
                },
                None
            ),
            ""
        );
    }

    #[test]
    fn relative_and_calendar_units() {
        let r = at(2019, 10, 16); // a Wednesday
        assert_eq!(
            v(
                Expr::Rel {
                    unit: Unit::Week,
                    n: -1,
                    ana: false
                },
                Some(&r)
            ),
            "2019-W41"
        );
        assert_eq!(
            v(
                Expr::Rel {
                    unit: Unit::Year,
                    n: -2,
                    ana: false
                },
                Some(&r)
            ),
            "2017"
        );
        assert_eq!(
            v(
                Expr::Rel {
                    unit: Unit::Month,
                    n: 1,
                    ana: false
                },
                Some(&r)
            ),
            "2019-11"
        );
        assert_eq!(
            v(Expr::Weekday { wd: 1, week: None }, Some(&r)),
            "2019-10-14"
        );
        assert_eq!(
            v(Expr::Weekday { wd: 3, week: None }, Some(&r)),
            "2019-10-16"
        );
        assert_eq!(
            v(
                Expr::Weekday {
                    wd: 1,
                    week: Some(-1)
                },
                Some(&r)
            ),
            "2019-10-07"
        );
        let fut = Reference { future: true, ..r };
        assert_eq!(
            v(Expr::Weekday { wd: 1, week: None }, Some(&fut)),
            "2019-10-21"
        );
        assert_eq!(
            v(
                Expr::Quarter {
                    y: Yr::Abs(2021),
                    q: 2
                },
                None
            ),
            "2021-Q2"
        );
        assert_eq!(v(Expr::Decade(201), None), "201");
        assert_eq!(
            v(
                Expr::Duration {
                    n: Some(46),
                    unit: Unit::Year
                },
                None
            ),
            "P46Y"
        );
        assert_eq!(
            v(
                Expr::Duration {
                    n: None,
                    unit: Unit::Day
                },
                None
            ),
            "PXD"
        );
        assert_eq!(
            v(
                Expr::Duration {
                    n: Some(3),
                    unit: Unit::Hour
                },
                None
            ),
            "PT3H"
        );
        assert_eq!(v(Expr::Plan(14), None), "2021/2025");
        assert_eq!(v(Expr::Plan(13), None), "2016/2020");
        let part = Expr::Part {
            inner: Box::new(Expr::Day {
                y: Yr::Missing,
                m: 10,
                d: 15,
            }),
            part: Part::Afternoon,
        };
        assert_eq!(v(part, Some(&r)), "2019-10-15TAF");
    }
}
