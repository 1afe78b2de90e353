//! Clinic-lead reports: the outcomes dashboard, the lead's home, the quality measures with their
//! patient lists, and the monthly CoCM billing report. Each server function authorizes (and so
//! audits) the request, loads through [`load`], and leaves every figure to [`crate::reports`].

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::StaffMember;
use crate::components::markup::Markup;
use crate::domain::quality::DateRange;
use crate::domain::{TargetCondition, YearMonth};
use crate::error::AppError;
use crate::model::{Clinic, ClinicId};
use crate::reports::{
    earliest_date, BillingReport, ChartData, Dashboard, LeadHome, ListedPatient, MeasureList,
    OutcomeFilter, MAX_PERIOD_DAYS,
};

/// A dashboard chart with its picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartView {
    pub data: ChartData,
    /// The server-drawn SVG; `None` if it could not be drawn (the table still shows).
    pub svg: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomesView {
    pub clinic: Clinic,
    pub clinics: Vec<Clinic>,
    pub care_managers: Vec<StaffMember>,
    pub dashboard: Dashboard,
    pub charts: Vec<ChartView>,
    /// The query string that reproduces this selection, for the CSV links.
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadHomeView {
    pub clinic: Clinic,
    pub clinics: Vec<Clinic>,
    #[serde(with = "crate::wire_dates")]
    pub today: NaiveDate,
    pub home: LeadHome,
}

/// One measure as the quality page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureView {
    pub id: String,
    pub title: String,
    pub definition: String,
    pub numerator: usize,
    pub denominator: usize,
    pub exclusions: usize,
    pub pending: usize,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityView {
    pub clinic: Clinic,
    pub clinics: Vec<Clinic>,
    pub year: i32,
    #[serde(with = "crate::wire_dates")]
    pub as_of: NaiveDate,
    pub measures: Vec<MeasureView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureListView {
    pub clinic: Clinic,
    pub year: i32,
    pub measure: MeasureView,
    pub list: MeasureList,
    pub patients: Vec<ListedPatient>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingView {
    pub clinic: Clinic,
    pub clinics: Vec<Clinic>,
    pub report: BillingReport,
    pub previous: YearMonth,
    pub next: Option<YearMonth>,
}

/// Default enrollment period of the dashboard: the last two years.
pub const DEFAULT_PERIOD_DAYS: u64 = 730;

fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

fn date_field(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    blank(raw)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| AppError::invalid(field, "Enter the date as YYYY-MM-DD."))
        })
        .transpose()
}

/// The dashboard's filter from a form or link. Blank fields take their defaults: every care
/// manager, the two years up to `today`, every target condition.
pub fn outcome_filter(
    clinic: ClinicId,
    care_manager: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    target: Option<&str>,
    today: NaiveDate,
) -> Result<OutcomeFilter, AppError> {
    let care_manager = blank(care_manager)
        .map(|s| {
            s.parse::<i64>().map_err(|_| {
                AppError::invalid("care_manager", "Choose a care manager from the list.")
            })
        })
        .transpose()?;
    let enrolled_to = date_field("to", to)?.unwrap_or(today);
    let enrolled_from = date_field("from", from)?
        .unwrap_or_else(|| enrolled_to - chrono::Days::new(DEFAULT_PERIOD_DAYS));
    if enrolled_from > enrolled_to {
        return Err(AppError::invalid(
            "from",
            "The period must start on or before its end.",
        ));
    }
    if enrolled_from < earliest_date() || (enrolled_to - enrolled_from).num_days() > MAX_PERIOD_DAYS
    {
        return Err(AppError::invalid(
            "from",
            "Choose an enrollment period of at most ten years.",
        ));
    }
    let target = blank(target)
        .map(|s| {
            TargetCondition::from_code(s)
                .ok_or_else(|| AppError::invalid("target", "Choose depression, anxiety or other."))
        })
        .transpose()?;
    Ok(OutcomeFilter {
        clinic,
        care_manager,
        enrolled_from,
        enrolled_to,
        target,
    })
}

/// The query string of a filter (for CSV links and the browser's address bar).
pub fn filter_query(f: &OutcomeFilter) -> String {
    let mut q = format!(
        "clinic={}&from={}&to={}",
        f.clinic.0, f.enrolled_from, f.enrolled_to
    );
    if let Some(cm) = f.care_manager {
        q.push_str(&format!("&cm={cm}"));
    }
    if let Some(t) = f.target {
        q.push_str(&format!("&target={}", t.code()));
    }
    q
}

/// The quality page's year: the year whose indexes are measured. Default: last year, so that
/// most 12-month windows have closed.
pub fn quality_year(raw: Option<&str>, today: NaiveDate) -> Result<i32, AppError> {
    use chrono::Datelike;
    let year = match blank(raw) {
        None => today.year() - 1,
        Some(s) => s
            .parse::<i32>()
            .map_err(|_| AppError::invalid("year", "Enter a year such as 2025."))?,
    };
    if !(2000..=today.year()).contains(&year) {
        return Err(AppError::invalid(
            "year",
            format!("Choose a year from 2000 to {}.", today.year()),
        ));
    }
    Ok(year)
}

/// The index period of a quality year.
pub fn year_range(year: i32) -> Option<DateRange> {
    DateRange::new(
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year, 12, 31)?,
    )
}

/// The billing report's month, "YYYY-MM"; default the previous month (the one billed now). Months
/// after the current one are refused.
pub fn billing_month(raw: Option<&str>, today: NaiveDate) -> Result<YearMonth, AppError> {
    let this = YearMonth::of(today);
    let month = match blank(raw) {
        None => YearMonth::of(today - chrono::Months::new(1)),
        Some(s) => {
            let (y, m) = s
                .split_once('-')
                .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
                .ok_or_else(|| AppError::invalid("month", "Enter the month as YYYY-MM."))?;
            YearMonth::new(y, m)
                .filter(|_| (2000..=9999).contains(&y))
                .ok_or_else(|| AppError::invalid("month", "Enter the month as YYYY-MM."))?
        }
    };
    if month > this {
        return Err(AppError::invalid(
            "month",
            "The billing report covers months up to the current one.",
        ));
    }
    Ok(month)
}

/// A measure's view without its id lists.
pub fn measure_view(m: &crate::domain::QualityMeasure) -> MeasureView {
    MeasureView {
        id: m.id.clone(),
        title: m.title.clone(),
        definition: m.definition.clone(),
        numerator: m.numerator.len(),
        denominator: m.denominator.len(),
        exclusions: m.exclusions.len(),
        pending: m.pending.len(),
        rate: m.rate,
    }
}

#[cfg(feature = "ssr")]
pub mod load {
    //! The reports as every screen and export builds them.

    use chrono::NaiveDate;

    use crate::domain::quality::DateRange;
    use crate::domain::{QualityMeasure, YearMonth};
    use crate::error::AppError;
    use crate::model::{CaseloadEpisode, ClinicId};
    use crate::ports::Store;
    use crate::reports::{
        billing_report, build_dashboard, headline_scope, lead_home, quality_report, quality_scope,
        BillingReport, Dashboard, LeadHome, OutcomeFilter,
    };

    /// The outcomes dashboard of a filter on `today`.
    pub async fn dashboard(
        store: &dyn Store,
        filter: &OutcomeFilter,
        today: NaiveDate,
    ) -> Result<Dashboard, AppError> {
        // Independent reads, side by side on pooled connections.
        let scope = filter.scope();
        let (settings, population, counts) = futures::try_join!(
            store.clinic_settings(filter.clinic),
            store.outcome_episodes(&scope),
            store.caseload_counts(filter.clinic, filter.care_manager, filter.target),
        )?;
        Ok(build_dashboard(
            filter,
            &population,
            &counts,
            settings.target_caseload,
            today,
        ))
    }

    /// The lead's headline numbers for a clinic.
    pub async fn home(
        store: &dyn Store,
        clinic: ClinicId,
        today: NaiveDate,
    ) -> Result<LeadHome, AppError> {
        let scope = headline_scope(clinic, today).ok_or(AppError::Internal)?;
        let population = store.outcome_episodes(&scope).await?;
        lead_home(&population, today).ok_or(AppError::Internal)
    }

    /// The quality measures of a clinic for an index period, with the population they were
    /// computed from (for the patient lists).
    pub async fn quality(
        store: &dyn Store,
        clinic: ClinicId,
        period: DateRange,
        today: NaiveDate,
    ) -> Result<(Vec<QualityMeasure>, Vec<CaseloadEpisode>), AppError> {
        let population = store
            .report_population(&quality_scope(clinic, period))
            .await?;
        let exclusions = store.measure_exclusions(clinic).await?;
        let report = quality_report(&population, &exclusions, period, today);
        Ok((report.measures, population))
    }

    /// The billing report of a clinic's month.
    pub async fn billing(
        store: &dyn Store,
        clinic: ClinicId,
        month: YearMonth,
    ) -> Result<BillingReport, AppError> {
        let settings = store.clinic_settings(clinic).await?;
        let minutes = store.billing_minutes(clinic, month).await?;
        Ok(billing_report(month, &minutes, &settings.billing))
    }
}

/// The clinic asked for, or the user's first.
#[cfg(feature = "ssr")]
fn chosen_clinic(clinic: Option<i64>) -> Result<Option<ClinicId>, AppError> {
    let current = super::context::current_user().ok_or(AppError::Unauthenticated)?;
    Ok(clinic
        .map(ClinicId)
        .or_else(|| current.user.clinics.first().copied()))
}

/// Authorizes a report of a clinic (audited as `audit_action`) and returns the clinic and the
/// user's clinics.
#[cfg(feature = "ssr")]
async fn report_clinic(
    clinic: Option<i64>,
    action: crate::policy::Action,
    audit_action: &str,
) -> Result<(ClinicId, Vec<Clinic>, Clinic), AppError> {
    let clinic = chosen_clinic(clinic)?;
    let principal = super::context::require(
        action,
        clinic,
        audit_action,
        clinic.map(|c| ("clinic", c.0)),
    )
    .await?;
    let clinic = clinic.ok_or_else(|| AppError::NotFound("the clinic".to_owned()))?;
    let (clinics, this) = super::context::member_clinics(&principal, clinic).await?;
    Ok((clinic, clinics, this))
}

#[server(GetOutcomes, "/api/fn", output = crate::api::Wire)]
pub async fn get_outcomes(
    clinic: Option<i64>,
    cm: Option<String>,
    from: Option<String>,
    to: Option<String>,
    target: Option<String>,
) -> Result<Markup, AppError> {
    Ok(crate::pages::reports::sections::outcomes(
        outcomes_view(clinic, cm, from, to, target).await?,
    ))
}

#[cfg(feature = "ssr")]
async fn outcomes_view(
    clinic: Option<i64>,
    cm: Option<String>,
    from: Option<String>,
    to: Option<String>,
    target: Option<String>,
) -> Result<OutcomesView, AppError> {
    use crate::model::today;
    use crate::policy::{Action, Role};
    use crate::reports::dashboard_charts;
    let (id, clinics, this) = report_clinic(clinic, Action::ViewReports, "outcomes.view").await?;
    let today = today();
    let filter = outcome_filter(
        id,
        cm.as_deref(),
        from.as_deref(),
        to.as_deref(),
        target.as_deref(),
        today,
    )?;
    let store = super::context::store()?;
    let (dashboard, staff) =
        futures::try_join!(load::dashboard(store.as_ref(), &filter, today), async {
            Ok::<_, AppError>(store.clinic_staff(id).await?)
        },)?;
    let charts = dashboard_charts(&dashboard)
        .into_iter()
        .map(|data| {
            let svg = match crate::charts::dashboard_svg(&dashboard, &data) {
                Some(Ok(svg)) => Some(svg),
                Some(Err(e)) => {
                    tracing::error!(error = %e, chart = %data.id, "chart not drawn");
                    None
                }
                None => None,
            };
            ChartView { data, svg }
        })
        .collect();
    let care_managers = staff
        .into_iter()
        .filter(|s| s.role == Role::CareManager)
        .collect();
    Ok(OutcomesView {
        clinic: this,
        clinics,
        care_managers,
        query: filter_query(&dashboard.filter),
        dashboard,
        charts,
    })
}

#[server(GetLeadHome, "/api/fn", output = crate::api::Wire)]
pub async fn get_lead_home(clinic: Option<i64>) -> Result<Markup, AppError> {
    Ok(crate::pages::reports::sections::lead_home(
        lead_home_view(clinic).await?,
    ))
}

#[cfg(feature = "ssr")]
async fn lead_home_view(clinic: Option<i64>) -> Result<LeadHomeView, AppError> {
    use crate::model::today;
    use crate::policy::Action;
    let (id, clinics, this) = report_clinic(clinic, Action::ViewReports, "reports.home").await?;
    let today = today();
    let home = load::home(super::context::store()?.as_ref(), id, today).await?;
    Ok(LeadHomeView {
        clinic: this,
        clinics,
        today,
        home,
    })
}

#[server(GetQuality, "/api/fn", output = crate::api::Wire)]
pub async fn get_quality(clinic: Option<i64>, year: Option<String>) -> Result<Markup, AppError> {
    Ok(crate::pages::reports::sections::quality(
        quality_view(clinic, year).await?,
    ))
}

#[cfg(feature = "ssr")]
async fn quality_view(clinic: Option<i64>, year: Option<String>) -> Result<QualityView, AppError> {
    use crate::model::today;
    use crate::policy::Action;
    let (id, clinics, this) = report_clinic(clinic, Action::ViewReports, "quality.view").await?;
    let today = today();
    let year = quality_year(year.as_deref(), today)?;
    let period = year_range(year).ok_or(AppError::Internal)?;
    let (measures, _) = load::quality(super::context::store()?.as_ref(), id, period, today).await?;
    Ok(QualityView {
        clinic: this,
        clinics,
        year,
        as_of: today,
        measures: measures.iter().map(measure_view).collect(),
    })
}

/// The patients behind one number of a measure. Patient-level data, so it needs the export
/// permission, and every view is audited.
#[server(GetMeasureList, "/api/fn", output = crate::api::Wire)]
pub async fn get_measure_list(
    clinic: Option<i64>,
    year: Option<String>,
    measure: String,
    list: String,
) -> Result<Markup, AppError> {
    Ok(crate::pages::reports::sections::measure_list(
        measure_list_view(clinic, year, measure, list).await?,
    ))
}

#[cfg(feature = "ssr")]
async fn measure_list_view(
    clinic: Option<i64>,
    year: Option<String>,
    measure: String,
    list: String,
) -> Result<MeasureListView, AppError> {
    use crate::model::today;
    use crate::policy::Action;
    use crate::reports::measure_patients;
    let (id, _, this) = report_clinic(clinic, Action::ExportData, "quality.drill_down").await?;
    let today = today();
    let year = quality_year(year.as_deref(), today)?;
    let list = MeasureList::from_code(list.trim()).ok_or_else(|| {
        AppError::invalid(
            "list",
            "Choose numerator, denominator, exclusions or pending.",
        )
    })?;
    let period = year_range(year).ok_or(AppError::Internal)?;
    let (measures, population) =
        load::quality(super::context::store()?.as_ref(), id, period, today).await?;
    let m = measures
        .iter()
        .find(|m| m.id == measure.trim())
        .ok_or_else(|| AppError::NotFound("the measure".to_owned()))?;
    Ok(MeasureListView {
        clinic: this,
        year,
        measure: measure_view(m),
        list,
        patients: measure_patients(&population, list.ids(m)),
    })
}

/// The billing page: the report of [`get_billing`], drawn here.
#[server(GetBillingPage, "/api/fn", output = crate::api::Wire)]
pub async fn get_billing_page(
    clinic: Option<i64>,
    month: Option<String>,
) -> Result<Markup, AppError> {
    Ok(crate::pages::reports::sections::billing(
        get_billing(clinic, month).await?,
    ))
}

/// The monthly CoCM billing report: patient-level, so it needs the export permission; audited.
#[server(GetBilling, "/api/fn", output = crate::api::Wire)]
pub async fn get_billing(
    clinic: Option<i64>,
    month: Option<String>,
) -> Result<BillingView, AppError> {
    use crate::domain::programme::next_month;
    use crate::model::today;
    use crate::policy::Action;
    let (id, clinics, this) = report_clinic(clinic, Action::ExportData, "billing.view").await?;
    let today = today();
    let month = billing_month(month.as_deref(), today)?;
    let report = load::billing(super::context::store()?.as_ref(), id, month).await?;
    let (first, _) = crate::domain::programme::month_bounds(month);
    let previous = YearMonth::of(first - chrono::Days::new(1));
    let next = Some(next_month(month)).filter(|n| *n <= YearMonth::of(today) && *n != month);
    Ok(BillingView {
        clinic: this,
        clinics,
        report,
        previous,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_blank_filter_covers_the_last_two_years_of_every_care_manager() {
        let f = outcome_filter(
            ClinicId(1),
            Some(""),
            None,
            Some(" "),
            None,
            day("2026-11-23"),
        )
        .expect("filter");
        assert_eq!(f.enrolled_from, day("2024-11-23"));
        assert_eq!(f.enrolled_to, day("2026-11-23"));
        assert_eq!((f.care_manager, f.target), (None, None));
        assert_eq!(filter_query(&f), "clinic=1&from=2024-11-23&to=2026-11-23");
    }

    #[test]
    fn bad_filters_are_refused_by_field() {
        let today = day("2026-11-23");
        let field = |r: Result<OutcomeFilter, AppError>| match r {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        let f = |cm, from, to, target| outcome_filter(ClinicId(1), cm, from, to, target, today);
        assert_eq!(
            field(f(Some("x"), None, None, None)).as_deref(),
            Some("care_manager")
        );
        assert_eq!(
            field(f(None, Some("2026-13-01"), None, None)).as_deref(),
            Some("from")
        );
        assert_eq!(
            field(f(None, Some("2026-06-01"), Some("2026-01-01"), None)).as_deref(),
            Some("from")
        );
        assert_eq!(
            field(f(None, Some("1800-01-01"), None, None)).as_deref(),
            Some("from")
        );
        assert_eq!(
            field(f(None, None, None, Some("ptsd"))).as_deref(),
            Some("target")
        );
    }

    #[test]
    fn the_billing_month_defaults_to_last_month_and_refuses_the_future() {
        let today = day("2026-01-15");
        assert_eq!(
            billing_month(None, today).expect("month").to_string(),
            "2025-12"
        );
        assert_eq!(
            billing_month(Some("2026-01"), today)
                .expect("month")
                .to_string(),
            "2026-01"
        );
        assert!(billing_month(Some("2026-02"), today).is_err());
        assert!(billing_month(Some("2026-1x"), today).is_err());
        assert!(billing_month(Some("2026-13"), today).is_err());
    }

    #[test]
    fn the_quality_year_defaults_to_last_year() {
        let today = day("2026-11-23");
        assert_eq!(quality_year(None, today).expect("year"), 2025);
        assert!(quality_year(Some("2027"), today).is_err());
        assert!(quality_year(Some("twenty"), today).is_err());
    }
}
