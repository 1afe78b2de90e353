//! CoCM and general-BHI billing for one patient-month (DOMAIN.md §7), by the CPT midpoint rule.
//!
//! Only care-manager minutes count: every contact recorded by a care manager in the calendar
//! month, attempts and no-shows included. The first month is the calendar month of enrollment.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::episode::{Contact, EpisodeData, Program};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// `None` unless `month` is 1–12 and the year is one chrono can represent.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| YearMonth { year, month })
    }

    pub fn of(date: NaiveDate) -> Self {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        YearMonth::of(date) == self
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A billable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BillingCode {
    /// CoCM, first month, 70 minutes (billable from 36).
    #[serde(rename = "99492")]
    Cpt99492,
    /// CoCM, subsequent month, 60 minutes (billable from 31).
    #[serde(rename = "99493")]
    Cpt99493,
    /// CoCM add-on, each further 30 minutes (billable from the midpoint, 16).
    #[serde(rename = "99494")]
    Cpt99494,
    /// CoCM, first 30 minutes in any month (billable from 16).
    #[serde(rename = "G2214")]
    G2214,
    /// General BHI, 20 minutes or more.
    #[serde(rename = "99484")]
    Cpt99484,
    /// APCM behavioral-health add-on mirroring 99492.
    #[serde(rename = "G0568")]
    G0568,
    /// APCM behavioral-health add-on mirroring 99493.
    #[serde(rename = "G0569")]
    G0569,
    /// APCM behavioral-health add-on mirroring 99484.
    #[serde(rename = "G0570")]
    G0570,
}

impl BillingCode {
    pub fn code(self) -> &'static str {
        match self {
            BillingCode::Cpt99492 => "99492",
            BillingCode::Cpt99493 => "99493",
            BillingCode::Cpt99494 => "99494",
            BillingCode::G2214 => "G2214",
            BillingCode::Cpt99484 => "99484",
            BillingCode::G0568 => "G0568",
            BillingCode::G0569 => "G0569",
            BillingCode::G0570 => "G0570",
        }
    }
}

impl fmt::Display for BillingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Clinic billing settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingSettings {
    /// The practice bills APCM: 99492, 99493 and 99484 are reported as G0568, G0569 and G0570.
    pub apcm: bool,
    /// The practice bills G2214 for short CoCM months (default true; some payers do not accept it).
    pub g2214: bool,
}

impl Default for BillingSettings {
    fn default() -> Self {
        BillingSettings {
            apcm: false,
            g2214: true,
        }
    }
}

impl BillingSettings {
    /// The code actually reported. Choice: 99494 and G2214 have no APCM mirror in DOMAIN.md and
    /// are reported unchanged.
    pub fn map(&self, code: BillingCode) -> BillingCode {
        match (self.apcm, code) {
            (true, BillingCode::Cpt99492) => BillingCode::G0568,
            (true, BillingCode::Cpt99493) => BillingCode::G0569,
            (true, BillingCode::Cpt99484) => BillingCode::G0570,
            _ => code,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeUnits {
    pub code: BillingCode,
    pub units: u32,
}

/// The billing of one patient-month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthBill {
    pub minutes: u32,
    pub first_month: bool,
    pub program: Program,
    pub codes: Vec<CodeUnits>,
    /// Why the month's main code is not billed, e.g. "22 of 36 minutes for 99492". Present
    /// whenever the main code (99492, 99493 or 99484) is missing, even if G2214 was billed.
    pub shortfall: Option<String>,
}

impl MonthBill {
    pub fn is_billable(&self) -> bool {
        !self.codes.is_empty()
    }
}

/// Minutes from which G2214 applies (the midpoint of 30).
pub const G2214_FROM: u32 = 16;
/// Minutes from which 99492 applies (the midpoint of 70).
pub const FIRST_MONTH_FROM: u32 = 36;
/// Minutes from which 99493 applies (the midpoint of 60).
pub const SUBSEQUENT_MONTH_FROM: u32 = 31;
/// Minutes from which 99484 applies.
pub const GENERAL_BHI_FROM: u32 = 20;
/// Base minutes of 99492 and 99493, after which 99494 units count.
pub const FIRST_MONTH_BASE: u32 = 70;
pub const SUBSEQUENT_MONTH_BASE: u32 = 60;

/// 99494 units: n = floor((minutes − base − 16) / 30) + 1 once minutes ≥ base + 16, where base is
/// 70 in the first month and 60 later. 86 first-month minutes give 1, 116 give 2, 146 give 3.
pub fn add_on_units(minutes: u32, first_month: bool) -> u32 {
    let base = if first_month {
        FIRST_MONTH_BASE
    } else {
        SUBSEQUENT_MONTH_BASE
    };
    minutes
        .checked_sub(base + 16)
        .map_or(0, |over| over / 30 + 1)
}

/// The codes and units for a month's care-manager minutes.
pub fn bill_month(
    minutes: u32,
    first_month: bool,
    program: Program,
    settings: &BillingSettings,
) -> MonthBill {
    let unit = |code| CodeUnits {
        code: settings.map(code),
        units: 1,
    };
    let (main, from) = match program {
        Program::GeneralBhi => (BillingCode::Cpt99484, GENERAL_BHI_FROM),
        Program::CollaborativeCare if first_month => (BillingCode::Cpt99492, FIRST_MONTH_FROM),
        Program::CollaborativeCare => (BillingCode::Cpt99493, SUBSEQUENT_MONTH_FROM),
    };
    let mut codes = Vec::new();
    let mut shortfall = None;
    if minutes >= from {
        codes.push(unit(main));
        let extra = match program {
            Program::CollaborativeCare => add_on_units(minutes, first_month),
            Program::GeneralBhi => 0,
        };
        if extra > 0 {
            codes.push(CodeUnits {
                code: BillingCode::Cpt99494,
                units: extra,
            });
        }
    } else {
        let g2214 = program == Program::CollaborativeCare && settings.g2214;
        if g2214 && minutes >= G2214_FROM {
            codes.push(unit(BillingCode::G2214));
        }
        let next = if g2214 && minutes < G2214_FROM {
            format!(
                "{minutes} of {G2214_FROM} minutes for {}; ",
                BillingCode::G2214
            )
        } else {
            String::new()
        };
        shortfall = Some(format!(
            "{next}{minutes} of {from} minutes for {}",
            settings.map(main)
        ));
    }
    MonthBill {
        minutes,
        first_month,
        program,
        codes,
        shortfall,
    }
}

/// Care-manager minutes in a calendar month: every contact by a care manager, attempts included.
pub fn care_manager_minutes(contacts: &[Contact], month: YearMonth) -> u32 {
    contacts
        .iter()
        .filter(|c| c.by_care_manager && month.contains(c.on))
        .fold(0u32, |sum, c| sum.saturating_add(c.minutes))
}

/// The first month is the calendar month of the episode's enrollment.
pub fn is_first_month(enrolled_on: NaiveDate, month: YearMonth) -> bool {
    YearMonth::of(enrolled_on) == month
}

/// The billing of one episode in one calendar month. Choice: months before the enrollment month
/// bill nothing.
pub fn bill_episode_month(
    episode: &EpisodeData,
    month: YearMonth,
    settings: &BillingSettings,
) -> MonthBill {
    let minutes = care_manager_minutes(&episode.contacts, month);
    let first_month = is_first_month(episode.enrolled_on, month);
    if month < YearMonth::of(episode.enrolled_on) {
        return MonthBill {
            minutes,
            first_month,
            program: episode.program,
            codes: Vec::new(),
            shortfall: Some(format!(
                "{month} is before enrollment on {}",
                episode.enrolled_on
            )),
        };
    }
    bill_month(minutes, first_month, episode.program, settings)
}

/// Codes as billing staff read them: "99492, 99494 × 2".
pub fn format_codes(codes: &[CodeUnits]) -> String {
    codes
        .iter()
        .map(|c| match c.units {
            1 => c.code.code().to_owned(),
            n => format!("{} \u{d7} {n}", c.code),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row of the monthly billing report, as billing staff need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingReportRow {
    pub patient_name: String,
    pub mrn: String,
    pub month: YearMonth,
    /// ICD-10 codes recorded on the episode.
    pub diagnoses: Vec<String>,
    /// The billing (treating) practitioner.
    pub billing_practitioner: String,
    pub payer: String,
    pub minutes: u32,
    pub codes: Vec<CodeUnits>,
    pub shortfall: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::episode::tests::{contact, date, episode};
    use crate::domain::episode::ContactKind;
    use proptest::prelude::*;

    fn codes(minutes: u32, first_month: bool) -> String {
        let bill = bill_month(
            minutes,
            first_month,
            Program::CollaborativeCare,
            &BillingSettings::default(),
        );
        format_codes(&bill.codes)
    }

    #[test]
    fn domain_md_worked_examples_give_1_2_and_3_add_on_units() {
        assert_eq!(codes(86, true), "99492, 99494");
        assert_eq!(codes(116, true), "99492, 99494 \u{d7} 2");
        assert_eq!(codes(146, true), "99492, 99494 \u{d7} 3");
        assert_eq!(codes(85, true), "99492");
        assert_eq!(codes(115, true), "99492, 99494");
    }

    #[test]
    fn first_month_thresholds_follow_the_midpoint_rule() {
        assert_eq!(codes(15, true), "");
        assert_eq!(codes(16, true), "G2214");
        assert_eq!(codes(35, true), "G2214");
        assert_eq!(codes(36, true), "99492");
    }

    #[test]
    fn subsequent_month_thresholds_follow_the_midpoint_rule() {
        assert_eq!(codes(15, false), "");
        assert_eq!(codes(16, false), "G2214");
        assert_eq!(codes(30, false), "G2214");
        assert_eq!(codes(31, false), "99493");
        assert_eq!(codes(75, false), "99493");
        assert_eq!(codes(76, false), "99493, 99494");
        assert_eq!(codes(106, false), "99493, 99494 \u{d7} 2");
    }

    #[test]
    fn a_strict_70_minute_rule_is_not_applied() {
        // A peer registry's ">70 minutes" rule is wrong: 36 first-month minutes bill 99492.
        assert_eq!(codes(50, true), "99492");
    }

    #[test]
    fn a_month_without_its_main_code_says_why() {
        let s = BillingSettings {
            g2214: false,
            ..BillingSettings::default()
        };
        let bill = bill_month(22, true, Program::CollaborativeCare, &s);
        assert!(!bill.is_billable());
        assert_eq!(
            bill.shortfall.as_deref(),
            Some("22 of 36 minutes for 99492")
        );
        let bill = bill_month(
            22,
            true,
            Program::CollaborativeCare,
            &BillingSettings::default(),
        );
        assert_eq!(format_codes(&bill.codes), "G2214");
        assert_eq!(
            bill.shortfall.as_deref(),
            Some("22 of 36 minutes for 99492")
        );
        let bill = bill_month(
            12,
            false,
            Program::CollaborativeCare,
            &BillingSettings::default(),
        );
        assert_eq!(
            bill.shortfall.as_deref(),
            Some("12 of 16 minutes for G2214; 12 of 31 minutes for 99493")
        );
    }

    #[test]
    fn general_bhi_bills_99484_once_from_20_minutes_and_never_cocm_codes() {
        let s = BillingSettings::default();
        let bill = bill_month(19, true, Program::GeneralBhi, &s);
        assert!(bill.codes.is_empty());
        assert_eq!(
            bill.shortfall.as_deref(),
            Some("19 of 20 minutes for 99484")
        );
        let bill = bill_month(200, true, Program::GeneralBhi, &s);
        assert_eq!(format_codes(&bill.codes), "99484");
    }

    #[test]
    fn apcm_practices_report_g0568_g0569_and_g0570() {
        let s = BillingSettings {
            apcm: true,
            ..BillingSettings::default()
        };
        let f = |m, first, p| format_codes(&bill_month(m, first, p, &s).codes);
        assert_eq!(f(90, true, Program::CollaborativeCare), "G0568, 99494");
        assert_eq!(f(40, false, Program::CollaborativeCare), "G0569");
        assert_eq!(f(25, false, Program::GeneralBhi), "G0570");
    }

    #[test]
    fn only_care_manager_minutes_in_the_calendar_month_count_attempts_included() {
        let mut e = episode(&[]);
        e.contacts = vec![
            contact("2026-01-05", ContactKind::InPerson),
            contact("2026-01-20", ContactKind::AttemptNoAnswer),
            contact("2026-01-31", ContactKind::Phone),
            contact("2026-02-01", ContactKind::Phone),
        ];
        e.contacts[2].by_care_manager = false;
        e.contacts[0].minutes = 60;
        let jan = YearMonth::new(2026, 1).expect("month");
        assert_eq!(care_manager_minutes(&e.contacts, jan), 80);
        let bill = bill_episode_month(&e, jan, &BillingSettings::default());
        assert!(bill.first_month);
        assert_eq!(format_codes(&bill.codes), "99492");
        let feb = YearMonth::new(2026, 2).expect("month");
        let bill = bill_episode_month(&e, feb, &BillingSettings::default());
        assert!(!bill.first_month);
        assert_eq!(format_codes(&bill.codes), "G2214");
        let dec = YearMonth::new(2025, 12).expect("month");
        assert!(!bill_episode_month(&e, dec, &BillingSettings::default()).is_billable());
        assert_eq!(jan.to_string(), "2026-01");
        assert!(YearMonth::new(2026, 13).is_none());
        assert!(is_first_month(date("2026-01-31"), jan));
    }

    /// A rank for the month's codes: nothing < G2214 < main code, then add-on units.
    fn level(bill: &MonthBill) -> (u32, u32) {
        let tier = match bill.codes.first().map(|c| c.code) {
            None => 0,
            Some(BillingCode::G2214) => 1,
            Some(_) => 2,
        };
        let add_on = bill
            .codes
            .iter()
            .filter(|c| c.code == BillingCode::Cpt99494)
            .map(|c| c.units)
            .sum();
        (tier, add_on)
    }

    proptest! {
        #[test]
        fn billing_never_decreases_as_minutes_grow(
            m in 0u32..2000, extra in 0u32..200, first in any::<bool>(), bhi in any::<bool>(),
        ) {
            let program = if bhi { Program::GeneralBhi } else { Program::CollaborativeCare };
            let s = BillingSettings::default();
            let a = bill_month(m, first, program, &s);
            let b = bill_month(m + extra, first, program, &s);
            prop_assert!(level(&a) <= level(&b));
            prop_assert!(add_on_units(m, first) <= add_on_units(m + extra, first));
        }

        #[test]
        fn a_month_without_its_main_code_always_explains_itself(m in 0u32..200, first in any::<bool>()) {
            let bill = bill_month(m, first, Program::CollaborativeCare, &BillingSettings::default());
            let main = bill.codes.iter().any(|c| matches!(c.code, BillingCode::Cpt99492 | BillingCode::Cpt99493));
            prop_assert_eq!(main, bill.shortfall.is_none());
        }
    }
}
