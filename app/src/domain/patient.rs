//! Validated patient identity fields: parse, don't validate. The constructors are the only way to
//! make these values, so a stored MRN or name has always passed the same checks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum IdentityError {
    #[error("MRN is required")]
    MrnEmpty,
    #[error("MRN may be at most 32 characters")]
    MrnTooLong,
    #[error("MRN may contain only letters, digits, '-' and '.'")]
    MrnBadCharacter,
    #[error("{field} is required")]
    NameEmpty { field: &'static str },
    #[error("{field} may be at most 100 characters")]
    NameTooLong { field: &'static str },
    #[error("{field} may not contain control characters")]
    NameControlCharacter { field: &'static str },
    #[error("birth date cannot be in the future")]
    BirthDateInFuture,
    #[error("birth date cannot be before 1900-01-01")]
    BirthDateTooEarly,
}

/// A medical record number, unique within a clinic. Surrounding whitespace is trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mrn(String);

impl Mrn {
    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(IdentityError::MrnEmpty);
        }
        if s.chars().count() > 32 {
            return Err(IdentityError::MrnTooLong);
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(IdentityError::MrnBadCharacter);
        }
        Ok(Mrn(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Unicode bidirectional embedding, override, isolate and mark characters.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl TryFrom<String> for Mrn {
    type Error = IdentityError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Mrn::parse(&s)
    }
}

impl From<Mrn> for String {
    fn from(m: Mrn) -> String {
        m.0
    }
}

/// A given or family name: 1–100 characters after trimming, no control characters and no
/// bidirectional-text controls (which could make a name display as a different one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, IdentityError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(IdentityError::NameEmpty { field });
        }
        if s.chars().count() > 100 {
            return Err(IdentityError::NameTooLong { field });
        }
        if s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
            return Err(IdentityError::NameControlCharacter { field });
        }
        Ok(PersonName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plausible birth date: not in the future relative to `today`, and not before 1900.
pub fn check_birth_date(birth_date: NaiveDate, today: NaiveDate) -> Result<(), IdentityError> {
    if birth_date > today {
        return Err(IdentityError::BirthDateInFuture);
    }
    if birth_date < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(IdentityError::BirthDateTooEarly);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_mrn_is_trimmed() {
        assert_eq!(
            Mrn::parse("  A-100.2 ").map(|m| m.0),
            Ok("A-100.2".to_owned())
        );
    }

    #[test]
    fn an_empty_mrn_is_refused() {
        assert_eq!(Mrn::parse("   "), Err(IdentityError::MrnEmpty));
    }

    #[test]
    fn an_mrn_with_a_quote_is_refused() {
        assert_eq!(Mrn::parse("A1'--"), Err(IdentityError::MrnBadCharacter));
    }

    #[test]
    fn a_name_with_a_newline_is_refused() {
        assert_eq!(
            PersonName::parse("family name", "Doe\nRoe"),
            Err(IdentityError::NameControlCharacter {
                field: "family name"
            })
        );
    }

    #[test]
    fn a_name_with_a_bidi_override_is_refused_and_other_scripts_are_not() {
        for spoof in ["Ada\u{202E}evoL", "\u{2067}Ada", "Ada\u{200F}"] {
            assert_eq!(
                PersonName::parse("given name", spoof),
                Err(IdentityError::NameControlCharacter {
                    field: "given name"
                }),
                "{spoof:?}"
            );
        }
        for name in ["Zoë", "José-María", "محمد", "李", "O'Brien", "Nguyễn"] {
            assert!(PersonName::parse("given name", name).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_birth_date_tomorrow_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        let tomorrow = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
        assert_eq!(
            check_birth_date(tomorrow, today),
            Err(IdentityError::BirthDateInFuture)
        );
        assert_eq!(check_birth_date(today, today), Ok(()));
    }

    proptest! {
        #[test]
        fn any_parsed_mrn_is_short_and_clean(raw in "\\PC{0,40}") {
            if let Ok(m) = Mrn::parse(&raw) {
                prop_assert!(!m.as_str().is_empty() && m.as_str().len() <= 32);
                prop_assert!(m.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
            }
        }
    }
}
