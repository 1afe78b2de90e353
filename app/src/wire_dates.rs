//! Dates and times as numbers in the wire encoding, and as text everywhere else.
//!
//! Chrono's serde reads every date from text, even from a binary encoding, and its text parser
//! is the largest piece of date code in the wasm. A field marked
//! `#[serde(with = "crate::wire_dates::one")]` (or `option`, `vec`) is written as before in a
//! human-readable encoding (the JSON API, CSV, FHIR) and as numbers in a binary one (the
//! server-function results the browser decodes, [`crate::api::Wire`]): a date as its day
//! number, a time as seconds and nanoseconds since 1970. The browser, which reads only the
//! binary encoding, then holds no date parser.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date or time with a numeric form for binary encodings.
pub trait Compact: Sized + Serialize + DeserializeOwned {
    /// The numeric form.
    type Repr: Serialize + DeserializeOwned;
    /// The value in its numeric form.
    fn to_repr(&self) -> Self::Repr;
    /// The value of a numeric form, if it is in range.
    fn from_repr(repr: Self::Repr) -> Option<Self>;
}

impl Compact for NaiveDate {
    type Repr = i32;

    fn to_repr(&self) -> i32 {
        self.num_days_from_ce()
    }

    fn from_repr(days: i32) -> Option<Self> {
        NaiveDate::from_num_days_from_ce_opt(days)
    }
}

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

use chrono::Datelike as _;

struct Out<'a, T>(&'a T);

impl<T: Compact> Serialize for Out<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            self.0.serialize(serializer)
        } else {
            self.0.to_repr().serialize(serializer)
        }
    }
}

struct In<T>(T);

impl<'de, T: Compact> Deserialize<'de> for In<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            T::deserialize(deserializer).map(In)
        } else {
            let repr = T::Repr::deserialize(deserializer)?;
            T::from_repr(repr)
                .map(In)
                .ok_or_else(|| D::Error::custom("date or time out of range"))
        }
    }
}

/// One date or time.
pub mod one {
    use super::*;

    pub fn serialize<T: Compact, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        Out(value).serialize(s)
    }

    pub fn deserialize<'de, T: Compact, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        In::deserialize(d).map(|In(value)| value)
    }
}

/// A date or time that may be missing.
pub mod option {
    use super::*;

    pub fn serialize<T: Compact, S: Serializer>(
        value: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        value.as_ref().map(Out).serialize(s)
    }

    pub fn deserialize<'de, T: Compact, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        Option::<In<T>>::deserialize(d).map(|value| value.map(|In(value)| value))
    }
}

/// A list of dates or times.
pub mod vec {
    use super::*;

    pub fn serialize<T: Compact, S: Serializer>(values: &[T], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(Out))
    }

    pub fn deserialize<'de, T: Compact, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Vec::<In<T>>::deserialize(d).map(|values| values.into_iter().map(|In(v)| v).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Dated {
        #[serde(with = "one")]
        day: NaiveDate,
        #[serde(with = "option")]
        maybe: Option<NaiveDate>,
        #[serde(with = "one")]
        at: DateTime<Utc>,
        #[serde(with = "option")]
        seen: Option<DateTime<Utc>>,
        #[serde(with = "one")]
        local: NaiveDateTime,
        #[serde(with = "vec")]
        days: Vec<NaiveDate>,
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
            prop_assert_eq!(serde_json::from_value::<Dated>(json).unwrap(), value);
        }
    }

    #[test]
    fn numbers_are_compact_and_out_of_range_is_refused() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        // A date is its day number: a three-byte varint instead of ten characters.
        assert_eq!(postcard::to_allocvec(&Out(&day)).unwrap().len(), 3);
        let too_far = postcard::to_allocvec(&i32::MAX).unwrap();
        let err = postcard::from_bytes::<In<NaiveDate>>(&too_far);
        assert!(err.is_err());
    }
}
