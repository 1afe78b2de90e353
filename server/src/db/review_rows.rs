//! Row structs of the case-review queries and their conversions into the application's records.

use app::case_review::{
    CaseReview, Deferral, Meeting, MeetingEntry, MeetingId, MeetingSummary, QueueState,
    Recommendation, RecommendationId, ReviewMarkRecord, ReviewPrep,
};
use app::domain::{MeetingOutcome, RecommendationKind, TaskStatus};
use app::model::{ClinicId, EpisodeId};
use app::ports::StoreError;
use chrono::{DateTime, NaiveDate, Utc};

fn corrupt(what: &str, id: i64, code: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}: unknown code {code:?}"))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Debug, sqlx::FromRow)]
pub struct ReviewDateRow {
    pub episode_id: i64,
    pub reviewed_on: NaiveDate,
}

#[derive(Debug, sqlx::FromRow)]
pub struct MarkRow {
    pub id: i64,
    pub episode_id: i64,
    pub marked_on: NaiveDate,
    pub reason: String,
    pub marked_by_name: Option<String>,
}

impl From<MarkRow> for ReviewMarkRecord {
    fn from(r: MarkRow) -> Self {
        ReviewMarkRecord {
            id: r.id,
            episode_id: EpisodeId(r.episode_id),
            marked_on: r.marked_on,
            reason: r.reason,
            marked_by_name: r.marked_by_name,
        }
    }
}

/// A review-list candidate and its queue row, if it has one (`care_sql::CANDIDATES`).
#[derive(Debug, sqlx::FromRow)]
pub struct CandidateRow {
    pub episode_id: i64,
    pub version: Option<i64>,
    pub stale: Option<bool>,
    pub due_on: Option<NaiveDate>,
}

impl CandidateRow {
    /// The candidate's queue row.
    pub fn queue(&self) -> Option<QueueState> {
        Some(QueueState {
            episode_id: EpisodeId(self.episode_id),
            version: self.version?,
            stale: self.stale?,
            due_on: self.due_on,
        })
    }
}

/// A case review as a row, or as one object of a packed array (`review_sql::CandidateSql`).
#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub struct CaseReviewRow {
    pub id: i64,
    pub meeting_id: i64,
    pub meets_on: NaiveDate,
    pub episode_id: i64,
    pub reviewed_on: NaiveDate,
    pub reviewer_name: Option<String>,
    pub note: String,
}

impl From<CaseReviewRow> for CaseReview {
    fn from(r: CaseReviewRow) -> Self {
        CaseReview {
            id: r.id,
            meeting_id: MeetingId(r.meeting_id),
            meets_on: r.meets_on,
            episode_id: EpisodeId(r.episode_id),
            reviewed_on: r.reviewed_on,
            reviewer_name: r.reviewer_name,
            note: r.note,
            recommendations: Vec::new(),
        }
    }
}

/// A recommendation as a row, or as one object of a packed array (`review_sql::CandidateSql`).
#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub struct RecommendationRow {
    pub id: i64,
    pub case_review_id: i64,
    pub episode_id: i64,
    pub kind: String,
    pub details: String,
    pub status: String,
    pub due_on: NaiveDate,
    pub version: i64,
    pub recorded_on: NaiveDate,
    pub recorded_by_name: Option<String>,
    pub status_changed_at: Option<DateTime<Utc>>,
    pub status_by_name: Option<String>,
}

impl RecommendationRow {
    /// The recommendation and the case review it belongs to.
    pub fn into_parts(self) -> Result<(i64, Recommendation), StoreError> {
        let kind = RecommendationKind::from_code(&self.kind)
            .ok_or_else(|| corrupt("recommendation", self.id, &self.kind))?;
        let status = TaskStatus::from_code(&self.status)
            .ok_or_else(|| corrupt("recommendation", self.id, &self.status))?;
        Ok((
            self.case_review_id,
            Recommendation {
                id: RecommendationId(self.id),
                episode_id: EpisodeId(self.episode_id),
                kind,
                details: self.details,
                status,
                due_on: self.due_on,
                version: self.version,
                recorded_on: self.recorded_on,
                recorded_by_name: self.recorded_by_name,
                status_changed_at: self.status_changed_at,
                status_by_name: self.status_by_name,
            },
        ))
    }
}

/// Reviews with their recommendations attached, in the reviews' order.
pub fn attach(
    reviews: Vec<CaseReviewRow>,
    recommendations: Vec<RecommendationRow>,
) -> Result<Vec<CaseReview>, StoreError> {
    let mut out: Vec<CaseReview> = reviews.into_iter().map(Into::into).collect();
    let index: std::collections::HashMap<i64, usize> =
        out.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    for row in recommendations {
        let (review, rec) = row.into_parts()?;
        if let Some(&i) = index.get(&review) {
            out[i].recommendations.push(rec);
        }
    }
    Ok(out)
}

/// The rows of packed JSON arrays, one array per episode.
fn unpack_json<T: serde::de::DeserializeOwned>(
    rows: &[super::packed::PackedRow],
    what: &str,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        let items: Vec<T> = serde_json::from_str(&row.packed)
            .map_err(|_| super::packed::corrupt(row.episode_id, what))?;
        out.extend(items);
    }
    Ok(out)
}

/// Packed case reviews (oldest first) with their packed recommendations attached in the order
/// they were made, as [`attach`] gives them from rows.
pub fn attach_packed(
    reviews: &[super::packed::PackedRow],
    recommendations: &[super::packed::PackedRow],
) -> Result<Vec<CaseReview>, StoreError> {
    let mut reviews: Vec<CaseReviewRow> = unpack_json(reviews, "case reviews")?;
    reviews.sort_by_key(|r| (r.reviewed_on, r.id));
    let mut recommendations: Vec<RecommendationRow> =
        unpack_json(recommendations, "recommendations")?;
    recommendations.sort_by_key(|r| r.id);
    attach(reviews, recommendations)
}

#[derive(Debug, sqlx::FromRow)]
pub struct PrepRow {
    pub episode_id: i64,
    pub prepared_on: NaiveDate,
    pub summary: String,
    pub prepared_by_name: Option<String>,
}

impl From<PrepRow> for ReviewPrep {
    fn from(r: PrepRow) -> Self {
        ReviewPrep {
            episode_id: EpisodeId(r.episode_id),
            prepared_on: r.prepared_on,
            summary: r.summary,
            prepared_by_name: r.prepared_by_name,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct DeferralRow {
    pub episode_id: i64,
    pub meets_on: NaiveDate,
    pub reason: String,
    pub deferred_by_name: Option<String>,
}

impl From<DeferralRow> for Deferral {
    fn from(r: DeferralRow) -> Self {
        Deferral {
            episode_id: EpisodeId(r.episode_id),
            meets_on: r.meets_on,
            reason: r.reason,
            deferred_by_name: r.deferred_by_name,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub clinic_id: i64,
    pub meets_on: NaiveDate,
    pub attendees: String,
    pub started_by_name: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<MeetingRow> for Meeting {
    fn from(r: MeetingRow) -> Self {
        Meeting {
            id: MeetingId(r.id),
            clinic_id: ClinicId(r.clinic_id),
            meets_on: r.meets_on,
            attendees: r.attendees,
            started_by_name: r.started_by_name,
            started_at: r.started_at,
            ended_at: r.ended_at,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct MeetingSummaryRow {
    #[sqlx(flatten)]
    pub meeting: MeetingRow,
    pub reviewed: i64,
    pub recommendations: i64,
    pub carried: i64,
}

impl From<MeetingSummaryRow> for MeetingSummary {
    fn from(r: MeetingSummaryRow) -> Self {
        MeetingSummary {
            meeting: r.meeting.into(),
            reviewed: count(r.reviewed),
            recommendations: count(r.recommendations),
            carried: count(r.carried),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct EntryRow {
    pub episode_id: i64,
    pub outcome: String,
    pub carried_weeks: i64,
}

impl TryFrom<EntryRow> for MeetingEntry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> Result<Self, StoreError> {
        Ok(MeetingEntry {
            episode_id: EpisodeId(r.episode_id),
            outcome: MeetingOutcome::from_code(&r.outcome)
                .ok_or_else(|| corrupt("meeting entry", r.episode_id, &r.outcome))?,
            carried_weeks: count(r.carried_weeks),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct MeetingPatientRow {
    #[sqlx(flatten)]
    pub entry: EntryRow,
    pub patient_id: i64,
    pub given_name: String,
    pub family_name: String,
}

#[derive(Debug, sqlx::FromRow)]
pub struct TaskRow {
    #[sqlx(flatten)]
    pub recommendation: RecommendationRow,
    pub patient_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub mrn: String,
    pub care_manager_name: Option<String>,
    pub meets_on: NaiveDate,
}

impl TryFrom<TaskRow> for app::case_review::Task {
    type Error = StoreError;
    fn try_from(r: TaskRow) -> Result<Self, StoreError> {
        let (_, recommendation) = r.recommendation.into_parts()?;
        Ok(app::case_review::Task {
            recommendation,
            patient_id: app::model::PatientId(r.patient_id),
            patient_name: format!("{}, {}", r.family_name, r.given_name),
            mrn: r.mrn,
            care_manager_name: r.care_manager_name,
            meets_on: r.meets_on,
        })
    }
}
