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
    /// Relative to the year of the date mentioned before: `July of that year` = `Prev(0)`,
    /// `of the following year` = `Prev(1)`.
    Prev(i32),
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
    Minute,
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
            // TimeML's own units: `P1DE` (a decade), `P2CE` (two centuries).
            Unit::Decade => ("DE", 1),
            Unit::Century => ("CE", 1),
            Unit::Hour => ("H", 1),
            Unit::Minute => ("M", 1),
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
    /// `every Monday` (ISO weekday 1..=7).
    SetWeekday(u32),
    /// The n-th Five-Year Plan of China.
    Plan(u32),
    /// A part of a day: `the afternoon of October 15th`, `yesterday morning`.
    Part {
        inner: Box<Expr>,
        part: Part,
    },
    /// A holiday: `Christmas 2007`, `国庆节`, `今年春节`.
    Holiday {
        y: Yr,
        h: Holiday,
    },
    /// A clock time on a day: `10 a.m.`.
    Clock {
        inner: Box<Expr>,
        h: u32,
        min: u32,
    },
}

/// Holidays whose date a year determines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holiday {
    /// The same day every year (`Christmas` = 12-25, `国庆节` = 10-01, `元旦` = 01-01).
    Fixed { m: u32, d: u32, name: &'static str },
    /// Easter Sunday plus `offset` days (`Good Friday` = -2).
    Easter { offset: i32, name: &'static str },
    /// US Thanksgiving: the fourth Thursday of November.
    Thanksgiving,
    /// The Spring Festival (lunar 1/1) plus `offset` days (`除夕` = -1, `元宵` = +14).
    SpringFestival { offset: i32, name: &'static str },
    /// The Mid-Autumn Festival (lunar 8/15).
    MidAutumn,
    /// The Dragon Boat Festival (lunar 5/5).
    DragonBoat,
}

/// First year of [`LUNAR`].
const LUNAR_FROM: i32 = 1990;
/// Gregorian month and day of the Spring Festival, the Mid-Autumn Festival and the Dragon
/// Boat Festival, 1990–2040 (computed from the Chinese calendar).
const LUNAR: [[u8; 6]; 51] = [
    [1, 27, 10, 3, 5, 28], // 1990
    [2, 15, 9, 22, 6, 16], // 1991
    [2, 4, 9, 11, 6, 5],   // 1992
    [1, 23, 9, 30, 6, 24], // 1993
    [2, 10, 9, 20, 6, 13], // 1994
    [1, 31, 9, 9, 6, 2],   // 1995
    [2, 19, 9, 27, 6, 20], // 1996
    [2, 7, 9, 16, 6, 9],   // 1997
    [1, 28, 10, 5, 5, 30], // 1998
    [2, 16, 9, 24, 6, 18], // 1999
    [2, 5, 9, 12, 6, 6],   // 2000
    [1, 24, 10, 1, 6, 25], // 2001
    [2, 12, 9, 21, 6, 15], // 2002
    [2, 1, 9, 11, 6, 4],   // 2003
    [1, 22, 9, 28, 6, 22], // 2004
    [2, 9, 9, 18, 6, 11],  // 2005
    [1, 29, 10, 6, 5, 31], // 2006
    [2, 18, 9, 25, 6, 19], // 2007
    [2, 7, 9, 14, 6, 8],   // 2008
    [1, 26, 10, 3, 5, 28], // 2009
    [2, 14, 9, 22, 6, 16], // 2010
    [2, 3, 9, 12, 6, 6],   // 2011
    [1, 23, 9, 30, 6, 23], // 2012
    [2, 10, 9, 19, 6, 12], // 2013
    [1, 31, 9, 8, 6, 2],   // 2014
    [2, 19, 9, 27, 6, 20], // 2015
    [2, 8, 9, 15, 6, 9],   // 2016
    [1, 28, 10, 4, 5, 30], // 2017
    [2, 16, 9, 24, 6, 18], // 2018
    [2, 5, 9, 13, 6, 7],   // 2019
    [1, 25, 10, 1, 6, 25], // 2020
    [2, 12, 9, 21, 6, 14], // 2021
    [2, 1, 9, 10, 6, 3],   // 2022
    [1, 22, 9, 29, 6, 22], // 2023
    [2, 10, 9, 17, 6, 10], // 2024
    [1, 29, 10, 6, 5, 31], // 2025
    [2, 17, 9, 25, 6, 19], // 2026
    [2, 6, 9, 15, 6, 9],   // 2027
    [1, 26, 10, 3, 5, 28], // 2028
    [2, 13, 9, 22, 6, 16], // 2029
    [2, 3, 9, 12, 6, 5],   // 2030
    [1, 23, 10, 1, 6, 24], // 2031
    [2, 11, 9, 19, 6, 12], // 2032
    [1, 31, 9, 8, 6, 1],   // 2033
    [2, 19, 9, 27, 6, 20], // 2034
    [2, 8, 9, 16, 6, 10],  // 2035
    [1, 28, 10, 4, 5, 30], // 2036
    [2, 15, 9, 24, 6, 18], // 2037
    [2, 4, 9, 13, 6, 7],   // 2038
    [1, 24, 10, 2, 5, 27], // 2039
    [2, 12, 9, 20, 6, 14], // 2040
];

impl Holiday {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Holiday::Fixed { name, .. }
            | Holiday::Easter { name, .. }
            | Holiday::SpringFestival { name, .. } => name,
            Holiday::Thanksgiving => "Thanksgiving",
            Holiday::MidAutumn => "the Mid-Autumn Festival",
            Holiday::DragonBoat => "the Dragon Boat Festival",
        }
    }

    /// The holiday's date in `year` (lunar holidays only for the years of [`LUNAR`]).
    pub(crate) fn date(self, year: i32) -> Option<Date> {
        let lunar = |i: usize| -> Option<Date> {
            let row = LUNAR.get(usize::try_from(year.checked_sub(LUNAR_FROM)?).ok()?)?;
            Date::new(year, u32::from(*row.get(i)?), u32::from(*row.get(i + 1)?))
        };
        match self {
            Holiday::Fixed { m, d, .. } => Date::new(year, m, d),
            Holiday::Easter { offset, .. } => {
                if year < 1583 {
                    return None;
                }
                // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
                let a = year % 19;
                let b = year / 100;
                let c = year % 100;
                let d = b / 4;
                let e = b % 4;
                let f = (b + 8) / 25;
                let g = (b - f + 1) / 3;
                let h = (19 * a + b - d - g + 15) % 30;
                let i = c / 4;
                let k = c % 4;
                let l = (32 + 2 * e + 2 * i - h - k) % 7;
                let m = (a + 11 * h + 22 * l) / 451;
                let month = (h + l - 7 * m + 114) / 31;
                let day = (h + l - 7 * m + 114) % 31 + 1;
                Some(Date::new(year, month as u32, day as u32)?.add_days(i64::from(offset)))
            }
            Holiday::Thanksgiving => {
                let first = Date::new(year, 11, 1)?;
                // ISO weekday: Thursday = 4.
                let to_thu = (4 + 7 - first.weekday()) % 7;
                Some(first.add_days(i64::from(to_thu) + 21))
            }
            Holiday::SpringFestival { offset, .. } => Some(lunar(0)?.add_days(i64::from(offset))),
            Holiday::MidAutumn => lunar(2),
            Holiday::DragonBoat => lunar(4),
        }
    }
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
            Yr::Prev(_) => Needs::Previous,
        };
        match self {
            Expr::Day { y, .. } | Expr::Month { y, .. } | Expr::Year(y) => yr(y),
            Expr::Quarter { y, .. } | Expr::Half { y, .. } | Expr::Season { y, .. } => yr(y),
            Expr::Holiday { y, .. } => yr(y),
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
            | Expr::SetWeekday(_)
            | Expr::Plan(_) => Needs::Nothing,
        }
    }

    pub(crate) fn kind(&self) -> TimexType {
        match self {
            Expr::Duration { .. } => TimexType::Duration,
            Expr::Set(_) | Expr::SetWeekday(_) => TimexType::Set,
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

/// The numbers 00 to 99, two digits each.
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// `n % 100` as two digits.
fn pair(n: u32) -> &'static str {
    let i = (n % 100) as usize * 2;
    PAIRS.get(i..i + 2).unwrap_or("00")
}

/// Appends `n` with at least `width` digits (zero-padded), without the formatting machinery.
pub(crate) fn push_num(s: &mut String, n: u32, width: usize) {
    // Days, months and years (below 10,000, at most four digits wide) from the table of pairs.
    if n < 10_000 && width <= 4 {
        let digits = match n {
            0..=9 => 1,
            10..=99 => 2,
            100..=999 => 3,
            _ => 4,
        };
        let (hi, lo) = (pair(n / 100), pair(n));
        match digits.max(width) {
            4 => {
                s.push_str(hi);
                s.push_str(lo);
            }
            3 => {
                s.push_str(hi.get(1..).unwrap_or(""));
                s.push_str(lo);
            }
            2 => s.push_str(lo),
            _ => s.push_str(lo.get(1..).unwrap_or("")),
        }
        return;
    }
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
        // The usual date, from the table of pairs in one go (what the arm below writes).
        Some(y) if d.month < 100 && d.day < 100 => {
            s.reserve(10);
            s.push_str(pair(y / 100));
            s.push_str(pair(y));
            s.push('-');
            s.push_str(pair(d.month));
            s.push('-');
            s.push_str(pair(d.day));
        }
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

/// Appends `n` as `{n:0width$}` writes it (the sign counts in the width).
fn push_int_width(s: &mut String, n: i32, width: usize) {
    if n < 0 {
        s.push('-');
    }
    push_num(
        s,
        n.unsigned_abs(),
        width.saturating_sub(usize::from(n < 0)),
    );
}

/// The `n`th quarter or half of a year: `2024-Q3`, "the 3rd quarter of 2024".
fn part_of_year(year: i32, n: u32, granularity: Granularity) -> Value {
    let (tag, name, months) = match granularity {
        Granularity::Half => ("-H", " half of ", 6),
        _ => ("-Q", " quarter of ", 3),
    };
    let mut value = year_str(year);
    value.push_str(tag);
    push_num(&mut value, n, 1);
    let mut describe = String::with_capacity(24);
    describe.push_str("the ");
    push_ordinal(&mut describe, n as i32);
    describe.push_str(name);
    push_int(&mut describe, year);
    Value {
        value,
        granularity,
        start: Date::new(
            year,
            n.wrapping_sub(1).wrapping_mul(months).wrapping_add(1),
            1,
        ),
        describe,
    }
}

fn year_str(y: i32) -> String {
    if y <= 0 {
        // Astronomical year 0 is 1 BC (TIMEX3 `BC0001`).
        let mut s = String::with_capacity(6);
        s.push_str("BC");
        push_num(&mut s, (1 - i64::from(y)).min(999_999) as u32, 4);
        return s;
    }
    match u32::try_from(y).ok().filter(|y| *y <= 9999) {
        Some(y) => {
            // Room for what the values append (`-10`, `-Q2`, `-W42-WE`).
            let mut s = String::with_capacity(12);
            push_num(&mut s, y, 4);
            s
        }
        None => format!("{y}"),
    }
}

fn day_value(d: Date, describe: String) -> Value {
    // Room for a time or a part of the day (`2019-10-15T15:30`).
    let mut value = String::with_capacity(16);
    push_iso(&mut value, d);
    Value {
        value,
        granularity: Granularity::Day,
        start: Some(d),
        describe,
    }
}

fn long_date(d: Date) -> String {
    // Room for what a part of the day or a time appends (`, afternoon`).
    let mut s = String::with_capacity(40);
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

/// How far before the previous date a year-less date of a narrative may lie and keep its year.
const NARRATIVE_BACK_DAYS: i64 = 240;

/// Year for a year-less month/day: nearest to the reference (news) or the reference's.
fn pick_year(r: &Reference, m: u32, d: u32) -> i32 {
    if !r.nearest {
        // Narratives move forwards: after "7 December 1941", "in January" is January 1942.
        // A month that lies well before the previous date (known to the month) is in the next
        // year.
        if r.month_known {
            let day = d.min(crate::calendar::days_in_month(r.date.year, m)).max(1);
            if let Some(c) = Date::new(r.date.year, m, day) {
                if r.date.to_days() - c.to_days() > NARRATIVE_BACK_DAYS {
                    return r.date.year + 1;
                }
            }
        }
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
        Yr::Rel(n) | Yr::Prev(n) => Some(r?.date.year + n),
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
                    let mut value = String::with_capacity(10);
                    value.push_str("XXXX-");
                    push_num(&mut value, *m, 2);
                    value.push('-');
                    push_num(&mut value, *d, 2);
                    let mut describe = String::with_capacity(32);
                    push_num(&mut describe, *d, 1);
                    describe.push(' ');
                    describe.push_str(month_name(*m));
                    describe.push_str(" (year unknown)");
                    return Some(Value {
                        value,
                        granularity: Granularity::Day,
                        start: None,
                        describe,
                    });
                }
                _ => resolve_year(*y, r)?,
            };
            let date = Date::new(year, *m, *d)?;
            day_value(date, long_date(date))
        }
        Expr::DayOfMonth(d) => {
            let Some(r) = r.filter(|r| r.month_known) else {
                let mut value = String::with_capacity(10);
                value.push_str("XXXX-XX-");
                push_num(&mut value, *d, 2);
                let mut describe = String::with_capacity(32);
                describe.push_str("day ");
                push_num(&mut describe, *d, 1);
                describe.push_str(" of an unknown month");
                return Some(Value {
                    value,
                    granularity: Granularity::Day,
                    start: None,
                    describe,
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
                    let mut value = String::with_capacity(7);
                    value.push_str("XXXX-");
                    push_num(&mut value, *m, 2);
                    let mut describe = String::with_capacity(24);
                    describe.push_str(month_name(*m));
                    describe.push_str(" (year unknown)");
                    return Some(Value {
                        value,
                        granularity: Granularity::Month,
                        start: None,
                        describe,
                    });
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
            start: Date::new(1 - (*y).min(100_000) as i32, 1, 1),
            describe: format!("{y} BC"),
        },
        // BC: `Decade(-49)` is `BC048` (the 480s BC), `Century(-4)` is `BC03`.
        Expr::Decade(d) if *d < 0 => {
            let bc = d.saturating_neg().saturating_sub(1).min(99_999);
            Value {
                value: format!("BC{bc:03}"),
                granularity: Granularity::Decade,
                start: Date::new(-(bc * 10 + 8), 1, 1),
                describe: format!("the {}s BC", bc * 10),
            }
        }
        Expr::Century(c) if *c < 0 => {
            let bc = c.saturating_neg().saturating_sub(1).min(9_999);
            Value {
                value: format!("BC{bc:02}"),
                granularity: Granularity::Century,
                start: Date::new(-(bc * 100 + 98), 1, 1),
                describe: format!("the {} century BC", ordinal(bc + 1)),
            }
        }
        Expr::Decade(d) => Value {
            value: {
                let mut v = String::with_capacity(3);
                push_int_width(&mut v, *d, 3);
                v
            },
            granularity: Granularity::Decade,
            start: Date::new(d * 10, 1, 1),
            describe: {
                let mut s = String::with_capacity(12);
                s.push_str("the ");
                push_int(&mut s, d * 10);
                s.push('s');
                s
            },
        },
        Expr::Century(c) => Value {
            value: {
                let mut v = String::with_capacity(2);
                push_int_width(&mut v, *c, 2);
                v
            },
            granularity: Granularity::Century,
            start: Date::new(c * 100, 1, 1),
            describe: {
                let mut s = String::with_capacity(40);
                s.push_str("the ");
                push_ordinal(&mut s, c + 1);
                s.push_str(" century (years ");
                push_int(&mut s, c * 100);
                s.push('–');
                push_int(&mut s, c * 100 + 99);
                s.push(')');
                s
            },
        },
        Expr::Holiday { y, h } => {
            let year = match (y, r) {
                (Yr::Missing, Some(r)) if r.nearest => {
                    // The occurrence nearest the reference; ties go to the past.
                    let base = r.date.to_days();
                    let mut best: Option<(i64, i32)> = None;
                    for y in [r.date.year - 1, r.date.year, r.date.year + 1] {
                        if let Some(d) = h.date(y) {
                            let dist = (d.to_days() - base).abs();
                            if best.is_none_or(|b| dist < b.0) {
                                best = Some((dist, y));
                            }
                        }
                    }
                    best?.1
                }
                (Yr::Missing, None) => {
                    let Holiday::Fixed { m, d, name } = h else {
                        return None;
                    };
                    return Some(Value {
                        value: format!("XXXX-{m:02}-{d:02}"),
                        granularity: Granularity::Day,
                        start: None,
                        describe: format!("{name} (year unknown)"),
                    });
                }
                _ => resolve_year(*y, r)?,
            };
            let date = h.date(year)?;
            let mut describe = String::with_capacity(32);
            describe.push_str(h.name());
            describe.push_str(", ");
            describe.push_str(&long_date(date));
            let mut v = day_value(date, describe);
            v.start = Some(date);
            v
        }
        Expr::Quarter { y, q } => part_of_year(resolve_year(*y, r)?, *q, Granularity::Quarter),
        Expr::Half { y, h } => part_of_year(resolve_year(*y, r)?, *h, Granularity::Half),
        Expr::Season { y, s } => {
            let year = resolve_year(*y, r)?;
            let mut value = year_str(year);
            value.push('-');
            value.push_str(SEASONS.get(*s as usize)?);
            let mut describe = String::with_capacity(16);
            describe.push_str(SEASON_NAMES.get(*s as usize)?);
            describe.push(' ');
            push_int(&mut describe, year);
            Value {
                value,
                granularity: Granularity::Season,
                start: Date::new(year, [3, 6, 9, 12][*s as usize % 4], 1),
                describe,
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
            let mut describe = String::with_capacity(32);
            describe.push_str(w);
            describe.push(' ');
            describe.push_str(&long_date(date));
            day_value(date, describe)
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
            let time = matches!(*unit, Unit::Hour | Unit::Minute);
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
            let mut value = String::with_capacity(4);
            value.push('P');
            push_num(&mut value, mult, 1);
            value.push_str(code);
            let mut describe = String::with_capacity(16);
            describe.push_str("every ");
            describe.push_str(unit_name(*unit, false));
            Value {
                value,
                granularity: Granularity::Set,
                start: None,
                describe,
            }
        }
        Expr::SetWeekday(wd) => Value {
            value: format!("XXXX-WXX-{wd}"),
            granularity: Granularity::Set,
            start: None,
            describe: format!("every {}", WEEKDAYS.get((*wd as usize).wrapping_sub(1))?),
        },
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
            let (mut value, mut describe) = (v.value, v.describe);
            value.push('T');
            value.push_str(part.code());
            describe.push_str(", ");
            describe.push_str(part.name());
            Value {
                value,
                granularity: Granularity::PartOfDay,
                start: v.start,
                describe,
            }
        }
        Expr::Clock { inner, h, min } => {
            let v = value(inner, r)?;
            if v.granularity != Granularity::Day {
                return None;
            }
            let (mut value, mut describe) = (v.value, v.describe);
            value.push('T');
            push_num(&mut value, *h, 2);
            value.push(':');
            push_num(&mut value, *min, 2);
            describe.push_str(", ");
            push_num(&mut describe, *h, 2);
            describe.push(':');
            push_num(&mut describe, *min, 2);
            Value {
                value,
                granularity: Granularity::Time,
                start: v.start,
                describe,
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
        Unit::Minute => ("minute", "minutes"),
    };
    if plural {
        many
    } else {
        one
    }
}

pub(crate) fn ordinal(n: i32) -> String {
    let mut s = String::with_capacity(6);
    push_ordinal(&mut s, n);
    s
}

/// Appends `n` as an English ordinal (`1st`, `12th`, `22nd`).
fn push_ordinal(s: &mut String, n: i32) {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    push_int(s, n);
    s.push_str(suffix);
}

fn rel(r: &Reference, unit: Unit, n: i32) -> Option<Value> {
    let n64 = i64::from(n);
    Some(match unit {
        Unit::Day | Unit::Hour | Unit::Minute => {
            let d = r.date.add_days(n64);
            day_value(d, long_date(d))
        }
        Unit::Week | Unit::Weekend => {
            let d = r.date.add_days(7 * n64);
            let (y, w) = d.iso_week();
            let we = if unit == Unit::Weekend { "-WE" } else { "" };
            let mut value = year_str(y);
            value.push_str("-W");
            push_num(&mut value, w, 2);
            value.push_str(we);
            let mut describe = String::with_capacity(32);
            describe.push_str(if we.is_empty() {
                "week"
            } else {
                "the weekend of week"
            });
            describe.push(' ');
            push_num(&mut describe, w, 1);
            describe.push_str(" of ");
            push_int(&mut describe, y);
            Value {
                value,
                granularity: Granularity::Week,
                start: Date::from_iso_week(y, w),
                describe,
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
        // Before year 1 the decades and centuries count back (`BC048` follows `BC049`).
        Unit::Decade if r.date.year <= 0 => {
            let bc = (1i32.saturating_sub(r.date.year) / 10).saturating_sub(n);
            value(&Expr::Decade(bc.saturating_neg().saturating_sub(1)), None)?
        }
        Unit::Century if r.date.year <= 0 => {
            let bc = (1i32.saturating_sub(r.date.year) / 100).saturating_sub(n);
            value(&Expr::Century(bc.saturating_neg().saturating_sub(1)), None)?
        }
        Unit::Decade => value(&Expr::Decade((r.date.year / 10).checked_add(n)?), None)?,
        Unit::Century => value(&Expr::Century((r.date.year / 100).checked_add(n)?), None)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_the_formatter_writes_them() {
        for n in (0..12_000).chain([99_999, 100_000, 4_294_967_295]) {
            for width in 0..7 {
                let mut s = String::new();
                push_num(&mut s, n, width);
                assert_eq!(s, format!("{n:0width$}"), "{n} {width}");
            }
        }
    }

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
        for n in [
            -1234, -100, -5, 0, 1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 2019,
        ] {
            for w in [1, 2, 3, 4] {
                let mut s = String::new();
                push_int_width(&mut s, n, w);
                assert_eq!(s, format!("{n:0w$}"));
            }
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            assert_eq!(ordinal(n), format!("{n}{suffix}"));
        }
    }

    #[test]
    fn iso_dates_are_written_as_the_calendar_writes_them_whatever_their_fields() {
        // Fields out of range too (months and days of three digits, years of five), after
        // text already in the string.
        for year in [
            -10_000, -44, -1, 0, 5, 99, 100, 999, 1000, 2019, 9999, 10_000, 123_456,
        ] {
            for month in (0..=130).chain([999, 4_294_967_295]) {
                for day in [0, 1, 9, 10, 31, 99, 100, 1234] {
                    let date = Date { year, month, day };
                    let mut s = String::from("at ");
                    push_iso(&mut s, date);
                    assert_eq!(s, format!("at {}", date.iso()));
                }
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
