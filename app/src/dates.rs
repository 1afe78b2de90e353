//! How the screens write dates and times: "2026-12-05 14:30", "Wednesday 9 December 2026"; and
//! how they read a date from the address ("2026-12-05").
//!
//! These write and read the fields themselves instead of calling chrono's `format` with a
//! pattern or its parser, so the browser's code holds no pattern parser and formatter; the tests
//! check every function against chrono's own.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};

/// "2026-12-05 14:30" (chrono's `%Y-%m-%d %H:%M`).
pub fn date_time(at: NaiveDateTime) -> String {
    format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute())
}

/// "2026-12-05 14:30:07" (chrono's `%Y-%m-%d %H:%M:%S`).
pub fn date_time_seconds(at: NaiveDateTime) -> String {
    format!("{}:{:02}", date_time(at), at.second())
}

/// "Wednesday 9 December" (chrono's `%A %-d %B`).
pub fn day_and_month(day: NaiveDate) -> String {
    format!(
        "{} {} {}",
        weekday_name(day.weekday()),
        day.day(),
        month_name(day.month())
    )
}

/// "Wednesday 9 December 2026" (chrono's `%A %-d %B %Y`).
pub fn long_date(day: NaiveDate) -> String {
    format!("{} {}", day_and_month(day), day.year())
}

/// The weekday's English name.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// The month's English name (1 = January); empty outside 1–12.
pub fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
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
    month
        .checked_sub(1)
        .and_then(|i| NAMES.get(i as usize))
        .copied()
        .unwrap_or_default()
}

/// The date in "2026-12-05" (a date field's value), as chrono's `parse::<NaiveDate>()` reads it:
/// a four-digit year, and a month and day of one or two digits.
pub fn iso_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.splitn(3, '-');
    let mut number = |digits: std::ops::RangeInclusive<usize>| {
        parts
            .next()
            .filter(|p| digits.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let year = number(4..=4)?;
    let month = number(1..=2)?;
    let day = number(1..=2)?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(seconds, 0)
            .unwrap_or_default()
            .naive_utc()
    }

    #[test]
    fn a_known_moment_is_written_as_clinicians_read_it() {
        let t = at(1_765_290_607); // 2025-12-09 14:30:07 UTC
        assert_eq!(date_time(t), "2025-12-09 14:30");
        assert_eq!(date_time_seconds(t), "2025-12-09 14:30:07");
        assert_eq!(day_and_month(t.date()), "Tuesday 9 December");
        assert_eq!(long_date(t.date()), "Tuesday 9 December 2025");
        assert_eq!(month_name(0), "");
        assert_eq!(month_name(13), "");
        assert_eq!(iso_date("2026-12-05"), NaiveDate::from_ymd_opt(2026, 12, 5));
        assert_eq!(iso_date("2026-02-30"), None);
        assert_eq!(iso_date("05/12/2026"), None);
        assert_eq!(iso_date(""), None);
    }

    proptest! {
        // From 1970 to 2100, every second.
        #[test]
        fn every_function_writes_what_chrono_writes(seconds in 0i64..4_102_444_800) {
            let t = at(seconds);
            prop_assert_eq!(date_time(t), t.format("%Y-%m-%d %H:%M").to_string());
            prop_assert_eq!(date_time_seconds(t), t.format("%Y-%m-%d %H:%M:%S").to_string());
            prop_assert_eq!(day_and_month(t.date()), t.format("%A %-d %B").to_string());
            prop_assert_eq!(long_date(t.date()), t.format("%A %-d %B %Y").to_string());
            let day = t.date().to_string();
            prop_assert_eq!(iso_date(&day), Some(t.date()));
        }

        // Whatever it reads, chrono reads the same; and it reads every date chrono writes.
        #[test]
        fn a_date_is_read_as_chrono_reads_it(text in "[0-9]{0,5}-?[0-9]{0,3}-?[0-9]{0,3}[ a]?") {
            if let Some(day) = iso_date(&text) {
                prop_assert_eq!(text.parse::<NaiveDate>().ok(), Some(day));
            }
        }
    }
}
