//! Dates and times as numbers in the wire encoding, and as text everywhere else.
//!
//! Chrono's serde reads every date from text, even from a binary encoding, and its text parser
//! is the largest piece of date code in the wasm. A field marked
//! `#[serde(with = "crate::wire_dates")]` (or `option`, `vec`) is written as before in a
//! human-readable encoding (the JSON API, CSV, FHIR) and as numbers in a binary one (the
//! server-function results the browser decodes, [`crate::api::Wire`]): a date as its day
//! number, a time as seconds and nanoseconds since 1970. The browser, which reads only the
//! binary encoding, then holds no date parser.

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveDateTime, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes `value` as a date field: as chrono does in a human-readable encoding, as numbers in a
/// binary one (`#[serde(with = "crate::wire_dates")]`).
pub fn serialize<T: OnWire, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    value.write(serializer)
}

/// Reads what [`serialize`] wrote.
pub fn deserialize<'de, T: OnWire, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    T::read(deserializer)
}

/// A type that holds dates or times, written by [`serialize`]: a date or a time itself, or an
/// option, a list or a tuple of such types and plain ones.
pub trait OnWire: Sized {
    /// Writes the value.
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
    /// Reads a value.
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// A date or time with a numeric form for binary encodings.
trait Compact: Sized + Serialize + for<'de> Deserialize<'de> {
    type Repr: Serialize + for<'de> Deserialize<'de>;
    fn to_repr(&self) -> Self::Repr;
    fn from_repr(repr: Self::Repr) -> Option<Self>;
}

/// A date is its day number (day 1 is 1 January of year 1).
impl Compact for NaiveDate {
    type Repr = i32;

    fn to_repr(&self) -> i32 {
        self.num_days_from_ce()
    }

    fn from_repr(days: i32) -> Option<Self> {
        NaiveDate::from_num_days_from_ce_opt(days)
    }
}

/// A time is its seconds and nanoseconds since 1970, so it crosses exactly.
impl Compact for DateTime<Utc> {
    type Repr = (i64, u32);

    fn to_repr(&self) -> (i64, u32) {
        (self.timestamp(), self.timestamp_subsec_nanos())
    }

    fn from_repr((seconds, nanos): (i64, u32)) -> Option<Self> {
        DateTime::from_timestamp(seconds, nanos)
    }
}

impl Compact for NaiveDateTime {
    type Repr = (i64, u32);

    fn to_repr(&self) -> (i64, u32) {
        self.and_utc().to_repr()
    }

    fn from_repr(repr: (i64, u32)) -> Option<Self> {
        DateTime::<Utc>::from_repr(repr).map(|t| t.naive_utc())
    }
}

macro_rules! compact {
    ($($t:ty),*) => {$(
        impl OnWire for $t {
            fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    self.serialize(serializer)
                } else {
                    self.to_repr().serialize(serializer)
                }
            }

            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                if deserializer.is_human_readable() {
                    Self::deserialize(deserializer)
                } else {
                    let repr = <Self as Compact>::Repr::deserialize(deserializer)?;
                    Self::from_repr(repr)
                        .ok_or_else(|| D::Error::custom("date or time out of range"))
                }
            }
        }
    )*};
}

compact!(NaiveDate, DateTime<Utc>, NaiveDateTime);

/// Types that sit beside dates in tuples, written as serde writes them.
macro_rules! plain {
    ($($t:ty),*) => {$(
        impl OnWire for $t {
            fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.serialize(serializer)
            }

            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::deserialize(deserializer)
            }
        }
    )*};
}

plain!(
    String,
    crate::model::EpisodeId,
    crate::domain::instrument::Responses
);

struct Out<'a, T>(&'a T);

impl<T: OnWire> Serialize for Out<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.write(serializer)
    }
}

struct In<T>(T);

impl<'de, T: OnWire> Deserialize<'de> for In<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::read(deserializer).map(In)
    }
}

impl<T: OnWire> OnWire for Option<T> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_ref().map(Out).serialize(serializer)
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<In<T>>::deserialize(deserializer).map(|value| value.map(|In(value)| value))
    }
}

impl<T: OnWire> OnWire for Vec<T> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Out))
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<In<T>>::deserialize(deserializer)
            .map(|values| values.into_iter().map(|In(value)| value).collect())
    }
}

impl<A: OnWire, B: OnWire> OnWire for (A, B) {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (Out(&self.0), Out(&self.1)).serialize(serializer)
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <(In<A>, In<B>)>::deserialize(deserializer).map(|(In(a), In(b))| (a, b))
    }
}

impl<A: OnWire, B: OnWire, C: OnWire> OnWire for (A, B, C) {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (Out(&self.0), Out(&self.1), Out(&self.2)).serialize(serializer)
    }

    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <(In<A>, In<B>, In<C>)>::deserialize(deserializer).map(|(In(a), In(b), In(c))| (a, b, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Dated {
        #[serde(with = "super")]
        day: NaiveDate,
        #[serde(default, with = "super")]
        maybe: Option<NaiveDate>,
        #[serde(with = "super")]
        at: DateTime<Utc>,
        #[serde(default, with = "super")]
        seen: Option<DateTime<Utc>>,
        #[serde(with = "super")]
        local: NaiveDateTime,
        #[serde(with = "super")]
        days: Vec<NaiveDate>,
        #[serde(with = "super")]
        changes: Vec<(crate::model::EpisodeId, NaiveDate, String)>,
        #[serde(default, with = "super")]
        change: Option<(NaiveDate, String)>,
    }

    fn dated(days: i32, seconds: i64, nanos: u32, missing: bool) -> Dated {
        let day = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
        let at = DateTime::from_timestamp(seconds, nanos).unwrap();
        Dated {
            day,
            maybe: (!missing).then_some(day),
            at,
            seen: missing.then_some(at),
            local: at.naive_utc(),
            days: vec![day, day.succ_opt().unwrap()],
            changes: vec![(crate::model::EpisodeId(3), day, "dose up".to_owned())],
            change: (!missing).then(|| (day, "switched".to_owned())),
        }
    }

    proptest! {
        #[test]
        fn binary_round_trip_is_exact(
            days in 1i32..3_000_000,
            seconds in -60_000_000_000i64..60_000_000_000,
            nanos in 0u32..1_000_000_000,
            missing: bool,
        ) {
            let value = dated(days, seconds, nanos, missing);
            let bytes = postcard::to_allocvec(&value).unwrap();
            prop_assert_eq!(postcard::from_bytes::<Dated>(&bytes).unwrap(), value);
        }

        #[test]
        fn text_is_chrono_text(
            days in 1i32..3_000_000,
            seconds in -60_000_000_000i64..60_000_000_000,
            nanos in 0u32..1_000_000_000,
        ) {
            let value = dated(days, seconds, nanos, false);
            let json = serde_json::to_value(&value).unwrap();
            prop_assert_eq!(&json["day"], &serde_json::to_value(value.day).unwrap());
            prop_assert_eq!(&json["at"], &serde_json::to_value(value.at).unwrap());
            prop_assert_eq!(&json["local"], &serde_json::to_value(value.local).unwrap());
            prop_assert_eq!(&json["changes"], &serde_json::to_value(&value.changes).unwrap());
            prop_assert_eq!(&json["change"], &serde_json::to_value(&value.change).unwrap());
            prop_assert_eq!(serde_json::from_value::<Dated>(json).unwrap(), value);
        }
    }

    /// Every date or time field of a type that derives `Deserialize` in this crate is marked: one
    /// unmarked field brings chrono's text parser back into every screen that reads the type.
    #[test]
    fn every_date_in_a_serde_type_is_marked() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut paths = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut paths,
        );
        let dated = ["NaiveDate", "NaiveDateTime", "DateTime<"];
        let mut unmarked = Vec::new();
        let mut fields = 0;
        for path in paths.iter().filter(|p| !p.ends_with("wire_dates.rs")) {
            let text = std::fs::read_to_string(path).unwrap();
            let mut derives_deserialize = false;
            let mut in_type = false;
            let mut attributes: Vec<&str> = Vec::new();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim();
                if code.starts_with("#[derive(") {
                    derives_deserialize = code.contains("Deserialize");
                } else if (code.starts_with("pub struct ") || code.starts_with("struct "))
                    && code.ends_with('{')
                {
                    in_type = derives_deserialize;
                    derives_deserialize = false;
                } else if line == "}" {
                    in_type = false;
                } else if in_type
                    && code.contains(": ")
                    && code.ends_with(',')
                    && !code.starts_with("//")
                    && dated.iter().any(|d| code.contains(d))
                {
                    fields += 1;
                    if !attributes.iter().any(|a| a.contains("crate::wire_dates")) {
                        unmarked.push(format!("{}:{}: {code}", path.display(), n + 1));
                    }
                }
                if code.starts_with("#[") {
                    attributes.push(code);
                } else if !code.starts_with("///") {
                    attributes.clear();
                }
            }
        }
        assert!(fields > 100, "the scan found only {fields} date fields");
        assert!(
            unmarked.is_empty(),
            "mark these with #[serde(with = \"crate::wire_dates\")]:\n{}",
            unmarked.join("\n")
        );
    }

    #[test]
    fn missing_optional_dates_read_as_none_in_json() {
        let json = serde_json::json!({
            "day": "2026-12-05", "at": "2026-12-05T14:30:00Z", "local": "2026-12-05T14:30:00",
            "days": [], "changes": [],
        });
        let value: Dated = serde_json::from_value(json).unwrap();
        assert_eq!((value.maybe, value.seen, value.change), (None, None, None));
    }

    #[test]
    fn numbers_are_compact_and_out_of_range_is_refused() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        // A date is its day number: a three-byte varint instead of ten characters.
        assert_eq!(postcard::to_allocvec(&Out(&day)).unwrap().len(), 3);
        assert_eq!(
            postcard::from_bytes::<In<NaiveDate>>(&[0xe6, 0xa9, 0x5a])
                .unwrap()
                .0,
            day
        );
        let too_far = postcard::to_allocvec(&i32::MAX).unwrap();
        let err = postcard::from_bytes::<In<NaiveDate>>(&too_far);
        assert!(err.is_err());
    }
}
