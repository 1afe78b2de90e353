//! Reading an import file into a plan (see the module above for the layouts). Server-side only.

use std::collections::{BTreeMap, HashSet};

use crate::domain::patient::check_birth_date;
use crate::domain::{Difficulty, Instrument, Mrn, PersonName, Responses, TargetCondition};
use chrono::NaiveDate;

use super::{Layout, RowError};

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 50_000;

/// A patient the import would enroll, with the scores it would store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPatient {
    /// The first row that names the patient.
    pub row: usize,
    pub mrn: Mrn,
    pub given_name: PersonName,
    pub family_name: PersonName,
    pub birth_date: NaiveDate,
    pub enrolled_on: NaiveDate,
    pub targets: Vec<TargetCondition>,
    pub scores: Vec<(NaiveDate, Responses)>,
}

/// What a file would import, or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub layout: Option<Layout>,
    pub rows: usize,
    pub patients: Vec<PlannedPatient>,
    pub errors: Vec<RowError>,
}

impl Plan {
    pub fn scores(&self) -> usize {
        self.patients.iter().map(|p| p.scores.len()).sum()
    }

    fn refuse(&mut self, row: usize, column: &str, message: impl Into<String>) {
        self.errors.push(RowError {
            row,
            column: column.to_owned(),
            message: message.into(),
        });
    }
}

const IDENTITY: [&str; 5] = [
    "mrn",
    "given_name",
    "family_name",
    "birth_date",
    "enrolled_on",
];
const ITEMS: [&str; 9] = [
    "item1", "item2", "item3", "item4", "item5", "item6", "item7", "item8", "item9",
];

/// A header as it is matched: trimmed, lower-case, spaces and hyphens as underscores.
fn normalize(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// An ISO date, or the message that says why not.
pub fn iso_date(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter a date.".to_owned());
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if raw.len() == 10 => Ok(d),
        Ok(_) | Err(_) if raw.len() == 10 && raw.as_bytes()[4] == b'-' => {
            Err(format!("{raw:?} is not a real date."))
        }
        _ => Err(format!(
            "{raw:?} is not an ISO date; write dates as YYYY-MM-DD, like 2026-03-14 \
             (other formats are refused so that day and month are never guessed)."
        )),
    }
}

/// The column layout of a header row: which layout, where each column is, and the errors of
/// unknown or missing columns.
struct Columns {
    layout: Layout,
    index: BTreeMap<String, usize>,
    followups: Vec<(String, String)>,
}

fn columns(header: &[String], plan: &mut Plan) -> Option<Columns> {
    let names: Vec<String> = header.iter().map(|h| normalize(h)).collect();
    let has = |n: &str| names.iter().any(|h| h == n);
    let layout = if has("instrument") {
        Layout::Long
    } else if has("baseline_phq9") || names.iter().any(|h| h.starts_with("followup_")) {
        Layout::Wide
    } else {
        plan.refuse(
            1,
            "",
            "The header names neither an instrument column (one row per score) nor \
             baseline_phq9 / followup_N_phq9 columns (one row per patient).",
        );
        return None;
    };
    let mut index = BTreeMap::new();
    let mut followups = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let known = IDENTITY.contains(&name.as_str())
            || match layout {
                Layout::Long => {
                    ["instrument", "taken_on", "total", "difficulty"].contains(&name.as_str())
                        || ITEMS.contains(&name.as_str())
                }
                Layout::Wide => {
                    ["baseline_phq9", "baseline_date"].contains(&name.as_str())
                        || followup_column(name).is_some()
                }
            };
        if !known {
            plan.refuse(1, name, format!("Unknown column {:?}.", header[i].trim()));
            continue;
        }
        if index.insert(name.clone(), i).is_some() {
            plan.refuse(1, name, "This column appears twice.");
        }
    }
    let required: &[&str] = match layout {
        Layout::Long => &["instrument", "taken_on"],
        Layout::Wide => &[],
    };
    for name in IDENTITY.iter().chain(required) {
        if !index.contains_key(*name) {
            plan.refuse(1, name, format!("The column {name} is missing."));
        }
    }
    if layout == Layout::Wide {
        let mut n = 1;
        loop {
            let date = format!("followup_{n}_date");
            let score = format!("followup_{n}_phq9");
            match (index.contains_key(&date), index.contains_key(&score)) {
                (true, true) => followups.push((date, score)),
                (false, false) => break,
                (true, false) => plan.refuse(1, &score, format!("{date} needs a {score} column.")),
                (false, true) => plan.refuse(1, &date, format!("{score} needs a {date} column.")),
            }
            n += 1;
        }
        for name in index.keys() {
            if followup_column(name).is_some()
                && !followups.iter().any(|(d, s)| d == name || s == name)
            {
                plan.refuse(
                    1,
                    name,
                    "Follow-up columns must be numbered 1, 2, 3, … without gaps.",
                );
            }
        }
    }
    Some(Columns {
        layout,
        index,
        followups,
    })
}

fn followup_column(name: &str) -> Option<usize> {
    let rest = name.strip_prefix("followup_")?;
    let (n, kind) = rest.split_once('_')?;
    (kind == "date" || kind == "phq9").then(|| n.parse().ok())?
}

/// One data row with its cells by column name.
struct Row<'a> {
    number: usize,
    cells: &'a csv::StringRecord,
    columns: &'a Columns,
}

impl Row<'_> {
    /// A cell, trimmed, with the apostrophe that [`cell`] puts before formula-like text taken
    /// off again, so that an export imports back as it was.
    fn get(&self, name: &str) -> &str {
        let text = self
            .columns
            .index
            .get(name)
            .and_then(|i| self.cells.get(*i))
            .map_or("", str::trim);
        match text.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
            _ => text,
        }
    }
}

/// The patient's identity columns of a row.
fn identity(row: &Row<'_>, today: NaiveDate, plan: &mut Plan) -> Option<PlannedPatient> {
    let before = plan.errors.len();
    let mut field = |name: &str, r: Result<(), String>| {
        if let Err(m) = r {
            plan.refuse(row.number, name, m);
        }
    };
    let mrn = Mrn::parse(row.get("mrn")).map_err(|e| e.to_string());
    field("mrn", mrn.as_ref().map(|_| ()).map_err(Clone::clone));
    let given = PersonName::parse("given name", row.get("given_name")).map_err(|e| e.to_string());
    field(
        "given_name",
        given.as_ref().map(|_| ()).map_err(Clone::clone),
    );
    let family =
        PersonName::parse("family name", row.get("family_name")).map_err(|e| e.to_string());
    field(
        "family_name",
        family.as_ref().map(|_| ()).map_err(Clone::clone),
    );
    let birth = iso_date(row.get("birth_date")).and_then(|d| {
        check_birth_date(d, today)
            .map(|()| d)
            .map_err(|e| e.to_string())
    });
    field(
        "birth_date",
        birth.as_ref().map(|_| ()).map_err(Clone::clone),
    );
    let enrolled = iso_date(row.get("enrolled_on")).and_then(|d| {
        if d > today {
            Err("The enrollment date cannot be in the future.".to_owned())
        } else if birth.as_ref().is_ok_and(|b| d < *b) {
            Err("The enrollment date is before the birth date.".to_owned())
        } else {
            Ok(d)
        }
    });
    field(
        "enrolled_on",
        enrolled.as_ref().map(|_| ()).map_err(Clone::clone),
    );
    if plan.errors.len() > before {
        return None;
    }
    Some(PlannedPatient {
        row: row.number,
        mrn: mrn.ok()?,
        given_name: given.ok()?,
        family_name: family.ok()?,
        birth_date: birth.ok()?,
        enrolled_on: enrolled.ok()?,
        targets: vec![TargetCondition::Depression],
        scores: Vec::new(),
    })
}

/// A score's date: inside the episode and not in the future.
fn score_date(
    raw: &str,
    enrolled_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, String> {
    let d = iso_date(raw)?;
    if d > today {
        return Err("A score cannot be dated in the future.".to_owned());
    }
    if let Some(enrolled_on) = enrolled_on.filter(|e| d < *e) {
        return Err(format!(
            "The score is dated before the enrollment date {enrolled_on}."
        ));
    }
    Ok(d)
}

/// The score of a long-layout row.
fn long_score(row: &Row<'_>, plan: &mut Plan) -> Option<Responses> {
    let instrument = match row
        .get("instrument")
        .to_uppercase()
        .replace(' ', "")
        .as_str()
    {
        "PHQ-9" | "PHQ9" => Instrument::Phq9,
        "GAD-7" | "GAD7" => Instrument::Gad7,
        other => {
            plan.refuse(
                row.number,
                "instrument",
                format!("{other:?} is not an instrument; write PHQ-9 or GAD-7."),
            );
            return None;
        }
    };
    let given: Vec<(usize, &str)> = ITEMS
        .iter()
        .enumerate()
        .map(|(i, name)| (i + 1, row.get(name)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let mut responses = if given.is_empty() {
        let raw = row.get("total");
        if raw.is_empty() {
            plan.refuse(
                row.number,
                "total",
                "Give the item answers (item1 …) or the total.",
            );
            return None;
        }
        let total = raw.parse::<i64>().map_err(|_| ());
        match total.and_then(|t| Responses::total_only(instrument, t).map_err(|_| ())) {
            Ok(r) => r,
            Err(()) => {
                plan.refuse(
                    row.number,
                    "total",
                    format!(
                        "The {instrument} total must be a whole number from 0 to {}.",
                        instrument.max_total()
                    ),
                );
                return None;
            }
        }
    } else {
        let mut answers = Vec::with_capacity(instrument.item_count());
        let mut ok = true;
        for n in 1..=ITEMS.len() {
            let raw = row.get(ITEMS[n - 1]);
            let column = ITEMS[n - 1];
            if n > instrument.item_count() {
                if !raw.is_empty() {
                    plan.refuse(
                        row.number,
                        column,
                        format!("The {instrument} has no item {n}."),
                    );
                    ok = false;
                }
                continue;
            }
            match raw.parse::<i64>() {
                Ok(v) if (0..=3).contains(&v) => answers.push(Some(v)),
                _ if raw.is_empty() => {
                    plan.refuse(
                        row.number,
                        column,
                        format!("Answer {instrument} item {n} (0–3)."),
                    );
                    ok = false;
                }
                _ => {
                    plan.refuse(
                        row.number,
                        column,
                        format!("{instrument} item {n} must be 0, 1, 2 or 3, not {raw:?}."),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        let r = match Responses::from_items(instrument, &answers) {
            Ok(r) => r,
            Err(e) => {
                plan.refuse(row.number, "item1", e.to_string());
                return None;
            }
        };
        let stated = row.get("total");
        if !stated.is_empty() && stated != r.total().to_string() {
            plan.refuse(
                row.number,
                "total",
                format!(
                    "The total {stated} is not the sum of the items ({}).",
                    r.total()
                ),
            );
            return None;
        }
        r
    };
    let difficulty = row.get("difficulty");
    if !difficulty.is_empty() {
        let d = Difficulty::from_code(&difficulty.to_lowercase().replace(' ', "_"));
        match d.map(|d| responses.clone().with_difficulty(d)) {
            Some(Ok(r)) => responses = r,
            _ => {
                plan.refuse(
                    row.number,
                    "difficulty",
                    "The difficulty is not_difficult, somewhat, very or extremely (PHQ-9 only).",
                );
                return None;
            }
        }
    }
    Some(responses)
}

/// The scores of a row. `enrolled_on` is the episode's start, when the row's identity is sound;
/// without it the scores are still checked, so that a row reports all its errors at once.
fn row_scores(
    row: &Row<'_>,
    enrolled_on: Option<NaiveDate>,
    today: NaiveDate,
    plan: &mut Plan,
) -> Vec<(NaiveDate, Responses)> {
    let number = row.number;
    let mut out = Vec::new();
    match row.columns.layout {
        Layout::Long => {
            let date = score_date(row.get("taken_on"), enrolled_on, today);
            let score = long_score(row, plan);
            match (date, score) {
                (Ok(d), Some(r)) => out.push((d, r)),
                (Err(m), _) => plan.refuse(number, "taken_on", m),
                (Ok(_), None) => {}
            }
        }
        Layout::Wide => {
            let mut pairs = vec![("baseline_date".to_owned(), "baseline_phq9".to_owned())];
            pairs.extend(row.columns.followups.iter().cloned());
            for (date_col, score_col) in pairs {
                let raw_score = row.get(&score_col);
                let raw_date = row.get(&date_col);
                if raw_score.is_empty() {
                    if !raw_date.is_empty() {
                        plan.refuse(number, &score_col, "A date is given without a score.");
                    }
                    continue;
                }
                let date = match (
                    raw_date.is_empty() && date_col == "baseline_date",
                    enrolled_on,
                ) {
                    (true, Some(e)) => Ok(e),
                    (true, None) => Err(String::new()),
                    (false, _) => score_date(raw_date, enrolled_on, today),
                };
                let score = raw_score
                    .parse::<i64>()
                    .ok()
                    .and_then(|t| Responses::total_only(Instrument::Phq9, t).ok());
                match (date, score) {
                    (Ok(d), Some(r)) => out.push((d, r)),
                    (Err(m), _) if m.is_empty() => {}
                    (Err(m), _) => plan.refuse(number, &date_col, m),
                    (Ok(_), None) => plan.refuse(
                        number,
                        &score_col,
                        format!("A PHQ-9 total is a whole number from 0 to 27, not {raw_score:?}."),
                    ),
                }
            }
        }
    }
    out
}

/// Reads a whole file into a plan. `existing` holds the MRNs the clinic already has.
pub fn plan(bytes: &[u8], existing: &HashSet<String>, today: NaiveDate) -> Plan {
    let mut plan = Plan::default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    // The header's most frequent separator: `,` or `;` in a file, a tab in cells pasted from a
    // spreadsheet.
    let count = |d: u8| first_line.iter().filter(|b| **b == d).count();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (count(*d), *d == b','))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h.iter().map(str::to_owned).collect::<Vec<_>>(),
        Some(Err(e)) => {
            plan.refuse(1, "", csv_message(&e));
            return plan;
        }
        None => {
            plan.refuse(
                1,
                "",
                "The file is empty; it needs a header row and data rows.",
            );
            return plan;
        }
    };
    let Some(cols) = columns(&header, &mut plan) else {
        return plan;
    };
    plan.layout = Some(cols.layout);
    if !plan.errors.is_empty() {
        return plan;
    }
    let mut by_mrn: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in records.enumerate() {
        let number = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                plan.refuse(number, "", csv_message(&e));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        plan.rows += 1;
        if plan.rows > MAX_ROWS {
            plan.refuse(
                number,
                "",
                format!("A file may hold at most {MAX_ROWS} rows; split it."),
            );
            break;
        }
        if record.len() != header.len() {
            plan.refuse(
                number,
                "",
                format!(
                    "The row has {} cells; the header has {}.",
                    record.len(),
                    header.len()
                ),
            );
            continue;
        }
        let row = Row {
            number,
            cells: &record,
            columns: &cols,
        };
        let Some(who) = identity(&row, today, &mut plan) else {
            let enrolled_on = iso_date(row.get("enrolled_on")).ok();
            row_scores(&row, enrolled_on, today, &mut plan);
            continue;
        };
        let key = who.mrn.as_str().to_owned();
        if existing.contains(&key) {
            plan.refuse(
                number,
                "mrn",
                "This MRN is already registered in this clinic; an import enrolls new patients only.",
            );
            continue;
        }
        let at = match (cols.layout, by_mrn.get(&key)) {
            (Layout::Wide, Some(first)) => {
                let first = plan.patients[*first].row;
                plan.refuse(
                    number,
                    "mrn",
                    format!("This MRN is already on row {first}."),
                );
                continue;
            }
            (Layout::Long, Some(at)) => {
                let known = &plan.patients[*at];
                let same = known.given_name == who.given_name
                    && known.family_name == who.family_name
                    && known.birth_date == who.birth_date;
                if !same {
                    plan.refuse(
                        number,
                        "mrn",
                        format!(
                            "Row {} has the same MRN with another name or birth date.",
                            known.row
                        ),
                    );
                    continue;
                }
                if known.enrolled_on != who.enrolled_on {
                    plan.refuse(
                        number,
                        "enrolled_on",
                        format!(
                            "Row {} enrolls this patient on {}; one episode per patient can be imported.",
                            known.row, known.enrolled_on
                        ),
                    );
                    continue;
                }
                *at
            }
            (_, None) => {
                by_mrn.insert(key, plan.patients.len());
                plan.patients.push(who);
                plan.patients.len() - 1
            }
        };
        let enrolled_on = plan.patients[at].enrolled_on;
        let scores = row_scores(&row, Some(enrolled_on), today, &mut plan);
        plan.patients[at].scores.extend(scores);
    }
    if plan.rows == 0 && plan.errors.is_empty() {
        plan.refuse(2, "", "The file has a header but no data rows.");
    }
    for p in &mut plan.patients {
        p.scores.sort_by_key(|(d, _)| *d);
        if p.scores
            .iter()
            .any(|(_, r)| r.instrument() == Instrument::Gad7)
        {
            p.targets.push(TargetCondition::Anxiety);
        }
    }
    plan
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "The file is not UTF-8 text; save it from the spreadsheet as \"CSV UTF-8\".".to_owned()
        }
        _ => format!("The row cannot be read as CSV: {e}."),
    }
}

#[cfg(test)]
mod tests {
    use super::super::cell;
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    const TODAY: &str = "2026-11-23";

    fn run(text: &str) -> Plan {
        plan(text.as_bytes(), &HashSet::new(), day(TODAY))
    }

    #[test]
    fn a_long_file_with_items_and_totals_plans_patients_and_scores() {
        let p = run("mrn,given_name,family_name,birth_date,enrolled_on,instrument,taken_on,item1,item2,item3,item4,item5,item6,item7,item8,item9,difficulty,total\n\
            A1,Ada,Synthetic,1970-01-02,2026-01-05,PHQ-9,2026-01-05,3,3,3,3,3,1,0,0,0,very,16\n\
            A1,Ada,Synthetic,1970-01-02,2026-01-05,GAD-7,2026-02-02,1,1,1,1,1,1,1,,,,\n\
            A1,Ada,Synthetic,1970-01-02,2026-01-05,PHQ-9,2026-03-02,,,,,,,,,,,7\n");
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.layout, Some(Layout::Long));
        assert_eq!(p.patients.len(), 1);
        let a = &p.patients[0];
        assert_eq!(a.scores.len(), 3);
        assert_eq!(a.scores[0].1.total(), 16);
        assert_eq!(a.scores[0].1.difficulty(), Some(Difficulty::Very));
        assert!(a.scores[2].1.is_total_only());
        assert_eq!(
            a.targets,
            vec![TargetCondition::Depression, TargetCondition::Anxiety]
        );
    }

    #[test]
    fn a_wide_tracking_sheet_with_semicolons_and_a_bom_plans_totals() {
        let p = run("\u{feff}MRN;Given Name;Family Name;Birth Date;Enrolled On;Baseline PHQ9;Followup 1 Date;Followup 1 PHQ9;Followup-2-Date;Followup-2-PHQ9\n\
            W1;Wren;Synthetic;1980-05-05;2026-02-01;18;2026-03-01;12;;\n\
            W2;Wes;Synthetic;1981-06-06;2026-02-02;;;;;\n");
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.layout, Some(Layout::Wide));
        assert_eq!(p.patients.len(), 2);
        let totals: Vec<(NaiveDate, u8)> = p.patients[0]
            .scores
            .iter()
            .map(|(d, r)| (*d, r.total()))
            .collect();
        assert_eq!(
            totals,
            vec![(day("2026-02-01"), 18), (day("2026-03-01"), 12)]
        );
        assert!(p.patients[1].scores.is_empty());
    }

    #[test]
    fn cells_pasted_from_a_spreadsheet_are_tab_separated() {
        let p = run(
            "mrn\tgiven_name\tfamily_name\tbirth_date\tenrolled_on\tbaseline_phq9\n\
            P1\tPia\tSynthetic, Jr\t1980-05-05\t2026-02-01\t11\n",
        );
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.patients[0].family_name.as_str(), "Synthetic, Jr");
    }

    #[test]
    fn other_date_formats_are_refused_never_guessed() {
        let p = run(
            "mrn,given_name,family_name,birth_date,enrolled_on,baseline_phq9\n\
            D1,Dee,Synthetic,03/04/1980,2026-02-01,10\n\
            D2,Dan,Synthetic,1980-02-30,2026-02-01,10\n",
        );
        assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
        assert_eq!(
            (p.errors[0].row, p.errors[0].column.as_str()),
            (2, "birth_date")
        );
        assert!(
            p.errors[0].message.contains("YYYY-MM-DD"),
            "{}",
            p.errors[0].message
        );
        assert_eq!(
            (p.errors[1].row, p.errors[1].column.as_str()),
            (3, "birth_date")
        );
        assert!(p.errors[1].message.contains("not a real date"));
        assert!(p.patients.is_empty());
    }

    #[test]
    fn every_error_names_its_row_and_column() {
        let p = run("mrn,given_name,family_name,birth_date,enrolled_on,instrument,taken_on,item1,item2,item3,item4,item5,item6,item7,item8,item9,total\n\
            E1,Eve,Synthetic,1970-01-01,2026-01-05,PHQ-9,2026-01-05,0,0,0,0,0,0,0,0,4,\n\
            E2,Eli,Synthetic,1970-01-01,2026-01-05,BDI,2026-01-05,,,,,,,,,,5\n\
            E3,Ezra,Synthetic,1970-01-01,2026-01-05,PHQ-9,2025-12-31,,,,,,,,,,5\n\
            E1,Eva,Synthetic,1970-01-01,2026-01-05,PHQ-9,2026-02-05,,,,,,,,,,5\n\
            E4,Emil,Synthetic,1970-01-01,2026-01-05,GAD-7,2026-01-05,1,1,1,1,1,1,1,1,,\n\
            E5,Esme,Synthetic,1970-01-01,2026-01-05,PHQ-9,2026-01-05,,,,,,,,,,28\n");
        let found: Vec<(usize, &str)> = p
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, "item9"),
                (3, "instrument"),
                (4, "taken_on"),
                (5, "mrn"),
                (6, "item8"),
                (7, "total")
            ],
            "{:?}",
            p.errors
        );
    }

    #[test]
    fn unknown_and_missing_columns_are_reported_on_the_header_row() {
        let p = run("mrn,given_name,surname,birth_date,enrolled_on,instrument,taken_on,total\n");
        let found: Vec<(usize, &str)> = p
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(found, vec![(1, "surname"), (1, "family_name")]);
        let p = run("name,score\nX,1\n");
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].message.contains("instrument"));
    }

    #[test]
    fn existing_and_repeated_mrns_are_refused() {
        let existing: HashSet<String> = ["TAKEN".to_owned()].into();
        let p = plan(
            b"mrn,given_name,family_name,birth_date,enrolled_on,baseline_phq9\n\
              TAKEN,Tia,Synthetic,1970-01-01,2026-01-05,9\n\
              R1,Ray,Synthetic,1970-01-01,2026-01-05,9\n\
              R1,Ray,Synthetic,1970-01-01,2026-01-05,9\n",
            &existing,
            day(TODAY),
        );
        let found: Vec<(usize, &str)> = p
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        assert_eq!(found, vec![(2, "mrn"), (4, "mrn")]);
    }

    #[test]
    fn bad_bytes_and_ragged_rows_are_reported() {
        let p = plan(
            b"mrn,given_name,family_name,birth_date,enrolled_on,baseline_phq9\nX1,\xff\xfe,S,1970-01-01,2026-01-05,9\nX2,Al\n",
            &HashSet::new(),
            day(TODAY),
        );
        assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
        assert!(p.errors[0].message.contains("UTF-8"));
        assert!(p.errors[1].message.contains("cells"));
    }

    #[test]
    fn formula_like_cells_are_defused_on_export() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("Ada"), "Ada");
    }

    proptest::proptest! {
        /// Whatever the bytes, planning never panics, and a plan with errors stores nothing.
        #[test]
        fn any_input_plans_without_panicking(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let p = plan(&bytes, &HashSet::new(), day(TODAY));
            proptest::prop_assert!(!p.errors.is_empty() || p.rows > 0);
        }
    }
}
