//! How the screens write dates and times: "2026-12-05 14:30", "Wednesday 9 December 2026".
//!
//! These write the fields themselves instead of calling chrono's `format` with a pattern, so
//! the browser's code holds no pattern parser and formatter; the tests check every function
//! against chrono's own formatting.

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
        }
    }
}
