//! Parsing form input into domain values, with a field-level message for every refusal. Server
//! functions take text (so that a bad date is a message, not a decoding failure) and call these.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::{Difficulty, Instrument, Responses};
use crate::error::AppError;

/// The answers of one questionnaire as a form posts them: `prefix[i1]` … `prefix[i9]` hold 0–3,
/// and `prefix[difficulty]` the PHQ-9 difficulty code.
pub type AnswerFields = BTreeMap<String, String>;

/// The form key of a 1-based item.
pub fn item_key(item: usize) -> String {
    format!("i{item}")
}

/// A required date in `YYYY-MM-DD`, not in the future.
pub fn past_date(
    field: &str,
    label: &str,
    raw: &str,
    today: NaiveDate,
) -> Result<NaiveDate, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::invalid(field, format!("Enter the {label}.")));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            field,
            format!("The {label} must be a real date, like 2026-03-14."),
        )
    })?;
    if date > today {
        return Err(AppError::invalid(
            field,
            format!("The {label} cannot be in the future."),
        ));
    }
    Ok(date)
}

/// A required date and time (`YYYY-MM-DDTHH:MM`, as a datetime-local field sends it), not in the
/// future.
pub fn past_datetime(
    field: &str,
    label: &str,
    raw: &str,
    now: NaiveDateTime,
) -> Result<NaiveDateTime, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::invalid(field, format!("Enter the {label}.")));
    }
    let at = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            AppError::invalid(
                field,
                format!("The {label} must be a date and time, like 2026-03-14 09:30."),
            )
        })?;
    if at > now {
        return Err(AppError::invalid(
            field,
            format!("The {label} cannot be in the future."),
        ));
    }
    Ok(at)
}

/// Free text of at most `max` characters, trimmed; required when `required`.
pub fn text(
    field: &str,
    label: &str,
    raw: &str,
    max: usize,
    required: bool,
) -> Result<String, AppError> {
    let value = raw.trim();
    if required && value.is_empty() {
        return Err(AppError::invalid(field, format!("Enter the {label}.")));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("The {label} can be at most {max} characters."),
        ));
    }
    Ok(value.to_owned())
}

/// Whole minutes, 0 to 480.
pub fn minutes(field: &str, raw: &str) -> Result<u32, AppError> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|m| *m <= 480)
        .ok_or_else(|| AppError::invalid(field, "Minutes must be a whole number from 0 to 480."))
}

/// Whether any answer of the questionnaire was given (an untouched optional questionnaire is
/// skipped, a partly answered one is an error).
pub fn any_answer(fields: &AnswerFields) -> bool {
    fields
        .iter()
        .any(|(k, v)| k.starts_with('i') && !v.trim().is_empty())
}

/// Parses a questionnaire's answers. The field of an error is `prefix[iN]` for the first
/// unanswered or invalid item.
pub fn responses(
    prefix: &str,
    instrument: Instrument,
    fields: &AnswerFields,
) -> Result<Responses, AppError> {
    let mut answers = Vec::with_capacity(instrument.item_count());
    for item in 1..=instrument.item_count() {
        let field = format!("{prefix}[{}]", item_key(item));
        let raw = fields.get(&item_key(item)).map(|v| v.trim()).unwrap_or("");
        if raw.is_empty() {
            return Err(AppError::invalid(
                field,
                format!("Answer {instrument} item {item} (0–3)."),
            ));
        }
        let value = raw.parse::<i64>().map_err(|_| {
            AppError::invalid(
                field.clone(),
                format!("{instrument} item {item} must be 0, 1, 2 or 3."),
            )
        })?;
        answers.push(Some(value));
    }
    let responses = Responses::from_items(instrument, &answers).map_err(|e| AppError::Invalid {
        field: Some(prefix.to_owned()),
        message: e.to_string(),
    })?;
    match fields
        .get("difficulty")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        None => Ok(responses),
        Some(code) => {
            let field = format!("{prefix}[difficulty]");
            let difficulty = Difficulty::from_code(code).ok_or_else(|| {
                AppError::invalid(field.clone(), "Choose one of the difficulty answers.")
            })?;
            responses
                .with_difficulty(difficulty)
                .map_err(|e| AppError::invalid(field, e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(values: &[(&str, &str)]) -> AnswerFields {
        values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn responses_name_the_first_missing_item() {
        let f = fields(&[("i1", "1"), ("i2", "2")]);
        let err = responses("phq9", Instrument::Phq9, &f).unwrap_err();
        assert_eq!(
            err,
            AppError::invalid("phq9[i3]", "Answer PHQ-9 item 3 (0–3).")
        );
    }

    #[test]
    fn responses_refuse_out_of_range_and_text() {
        let mut f: AnswerFields = (1..=7).map(|i| (item_key(i), "1".to_owned())).collect();
        f.insert("i4".to_owned(), "4".to_owned());
        let err = responses("gad7", Instrument::Gad7, &f).unwrap_err();
        assert!(
            matches!(err, AppError::Invalid { field: Some(ref f), .. } if f == "gad7"),
            "{err:?}"
        );
        f.insert("i4".to_owned(), "two".to_owned());
        let err = responses("gad7", Instrument::Gad7, &f).unwrap_err();
        assert!(matches!(err, AppError::Invalid { field: Some(ref f), .. } if f == "gad7[i4]"));
    }

    #[test]
    fn responses_with_difficulty() {
        let mut f: AnswerFields = (1..=9).map(|i| (item_key(i), "2".to_owned())).collect();
        f.insert("difficulty".to_owned(), "very".to_owned());
        let r = responses("phq9", Instrument::Phq9, &f).expect("valid");
        assert_eq!(r.total(), 18);
        assert_eq!(r.difficulty(), Some(Difficulty::Very));
        f.insert("difficulty".to_owned(), "hard".to_owned());
        assert!(responses("phq9", Instrument::Phq9, &f).is_err());
    }

    #[test]
    fn dates_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        assert!(past_date("d", "date", "2026-03-02", today).is_err());
        assert!(past_date("d", "date", "2026-02-30", today).is_err());
        assert!(past_date("d", "date", "", today).is_err());
        assert_eq!(
            past_date("d", "date", " 2026-03-01 ", today).ok(),
            Some(today)
        );
        assert!(minutes("m", "481").is_err());
        assert!(minutes("m", "-1").is_err());
        assert_eq!(minutes("m", "30").ok(), Some(30));
    }
}
