//! CSV in and out of Tandem, as spreadsheets hold it. Pure: no I/O.
//!
//! Two import layouts are read (the README shows both):
//! - **long**: one row per score, with the columns `mrn, given_name, family_name, birth_date,
//!   enrolled_on, instrument, taken_on`, then either `item1` … `item9` (item answers 0–3; the GAD-7
//!   leaves `item8` and `item9` empty) or `total` (a historical total without items), and
//!   optionally `difficulty` (PHQ-9 only). This is also the layout of the measurements export, so
//!   an export imports back as it was.
//! - **wide**, the tracking spreadsheet: one row per patient with `mrn, given_name, family_name,
//!   birth_date, enrolled_on`, an optional `baseline_phq9` (taken on `baseline_date`, or on the
//!   enrollment date) and follow-up pairs `followup_1_date`, `followup_1_phq9`, `followup_2_date`, …
//!
//! Files are UTF-8 with or without a byte-order mark, separated by `,` or `;` (whichever the
//! header uses; cells pasted from a spreadsheet into the import page are tab-separated), and dates
//! are ISO (`YYYY-MM-DD`). Any other date is refused, never guessed.
//! Headers are matched without regard to case, spaces or hyphens. A file is checked whole: every
//! error is reported with its row (the header is row 1), column and message, and nothing is
//! stored unless there are none.
#[cfg(feature = "ssr")]
mod reader;
#[cfg(feature = "ssr")]
pub use reader::{iso_date, plan, Plan, PlannedPatient, MAX_ROWS};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    Long,
    Wide,
}

impl Layout {
    pub fn label(self) -> &'static str {
        match self {
            Layout::Long => "one row per score",
            Layout::Wide => "one row per patient, as a tracking spreadsheet",
        }
    }
}

/// One refusal: the spreadsheet row (header = 1), the column, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// What an import did, or would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    /// `None` when the header could not be read.
    pub layout: Option<Layout>,
    /// Data rows read.
    pub rows: usize,
    /// Patients that are (or would be) enrolled.
    pub patients: usize,
    /// Scores that are (or would be) stored.
    pub scores: usize,
    /// Whether anything was stored: false for a check and for a file with errors.
    pub committed: bool,
    /// Each patient the file enrolls.
    pub preview: Vec<PreviewRow>,
    /// Every error, with its row (the header is row 1) and column.
    pub errors: Vec<RowError>,
}

/// A patient an import enrolls: the first row naming them, the MRN, the enrollment date and the
/// number of scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub row: usize,
    pub mrn: String,
    pub enrolled_on: String,
    pub scores: usize,
}

/// A cell as exported: text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a
/// tab or carriage return first) gets a leading apostrophe, which the reader takes off again.
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// The header of the measurements export, which is the long import layout.
pub const MEASUREMENT_HEADER: [&str; 18] = [
    "mrn",
    "given_name",
    "family_name",
    "birth_date",
    "enrolled_on",
    "instrument",
    "taken_on",
    "item1",
    "item2",
    "item3",
    "item4",
    "item5",
    "item6",
    "item7",
    "item8",
    "item9",
    "difficulty",
    "total",
];
