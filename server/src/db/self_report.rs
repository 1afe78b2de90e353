//! The `SelfReportStore` part of the store (patient self-report links), written once for both
//! backends like `impl_care_store!`. Times are compared in Rust, not in SQL, so that SQLite's text
//! timestamps never decide a link's fate.

use app::domain::self_report::{decode_instruments, Draft, LinkLife};
use app::model::{ClinicId, EpisodeId, PatientId};
use app::ports::{StoreError, StoreResult};
use app::self_report::{LinkVisit, SafetyNotice, SelfReportLink};
use chrono::{DateTime, NaiveDate, Utc};

/// A link row with its patient and creator.
#[derive(Debug, sqlx::FromRow)]
pub struct LinkRow {
    pub link_id: i64,
    pub episode_id: i64,
    pub patient_id: i64,
    pub clinic_id: i64,
    pub instruments: String,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub locked_at: Option<DateTime<Utc>>,
    pub failed_attempts: i64,
}

impl LinkRow {
    pub fn into_link(self) -> StoreResult<SelfReportLink> {
        let instruments = decode_instruments(&self.instruments)
            .map_err(|e| StoreError::Corrupt(format!("self-report link instruments: {e}")))?;
        Ok(SelfReportLink {
            id: self.link_id,
            episode_id: EpisodeId(self.episode_id),
            patient_id: PatientId(self.patient_id),
            instruments,
            created_by: self.created_by,
            created_by_name: self.created_by_name,
            life: LinkLife {
                created_at: self.created_at,
                expires_at: self.expires_at,
                opened_at: self.opened_at,
                completed_at: self.completed_at,
                revoked_at: self.revoked_at,
                locked_at: self.locked_at,
                failed_attempts: u32::try_from(self.failed_attempts).unwrap_or(u32::MAX),
            },
        })
    }

    pub fn owner(&self) -> app::model::Owner {
        app::model::Owner {
            patient_id: PatientId(self.patient_id),
            clinic_id: ClinicId(self.clinic_id),
            episode_id: EpisodeId(self.episode_id),
        }
    }
}

/// A link found by its token hash, with what the patient pages need.
#[derive(Debug, sqlx::FromRow)]
pub struct VisitRow {
    #[sqlx(flatten)]
    pub link: LinkRow,
    pub clinic_name: String,
    pub given_name: String,
    pub birth_date: NaiveDate,
    pub visit_hash: Option<String>,
    pub visit_expires_at: Option<DateTime<Utc>>,
    pub draft: String,
}

impl VisitRow {
    pub fn into_visit(self) -> StoreResult<LinkVisit> {
        let draft: Draft = serde_json::from_str(&self.draft)
            .map_err(|e| StoreError::Corrupt(format!("self-report draft: {e}")))?;
        Ok(LinkVisit {
            clinic_id: ClinicId(self.link.clinic_id),
            link: self.link.into_link()?,
            clinic_name: self.clinic_name,
            given_name: self.given_name,
            birth_date: self.birth_date,
            visit_hash: self.visit_hash,
            visit_expires_at: self.visit_expires_at,
            draft,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct NoticeRow {
    pub link_id: i64,
    pub patient_id: i64,
    pub family_name: String,
    pub given_name: String,
    pub answered_at: DateTime<Utc>,
}

impl From<NoticeRow> for SafetyNotice {
    fn from(r: NoticeRow) -> Self {
        SafetyNotice {
            link_id: r.link_id,
            patient_id: PatientId(r.patient_id),
            patient_name: format!("{}, {}", r.family_name, r.given_name),
            answered_at: r.answered_at,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ReceivedRow {
    pub episode_id: i64,
    pub completed_at: DateTime<Utc>,
}

const LINK_COLUMNS: &str = "l.id AS link_id, l.episode_id, e.patient_id, p.clinic_id, \
     l.instruments, l.created_by, u.display_name AS created_by_name, l.created_at, l.expires_at, \
     l.opened_at, l.completed_at, l.revoked_at, l.locked_at, l.failed_attempts";

const LINK_JOINS: &str = "FROM self_report_links l JOIN episodes e ON e.id = l.episode_id \
     JOIN patients p ON p.id = e.patient_id JOIN users u ON u.id = l.created_by";

pub static LINK_BY_ID: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("SELECT {LINK_COLUMNS} {LINK_JOINS} WHERE l.id = $1"));

pub static LINKS_OF_PATIENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT {LINK_COLUMNS} {LINK_JOINS} WHERE e.patient_id = $1 ORDER BY l.id DESC")
});

pub static VISIT_BY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {LINK_COLUMNS}, c.name AS clinic_name, p.given_name, p.birth_date, l.visit_hash, \
         l.visit_expires_at, l.draft {LINK_JOINS} JOIN clinics c ON c.id = p.clinic_id \
         WHERE l.token_hash = $1"
    )
});

pub const INSERT_LINK: &str = "INSERT INTO self_report_links (episode_id, token_hash, \
     instruments, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

pub const OPEN_EPISODE: &str =
    "SELECT COUNT(*) FROM episodes WHERE id = $1 AND discharged_on IS NULL";

pub const WRONG_BIRTH_DATE: &str = "UPDATE self_report_links SET \
     failed_attempts = failed_attempts + 1, \
     locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= $3 THEN $2 ELSE locked_at END \
     WHERE id = $1";

pub const OPEN_LINK: &str = "UPDATE self_report_links SET opened_at = COALESCE(opened_at, $2), \
     visit_hash = $3, visit_expires_at = $4 WHERE id = $1";

/// Only a link still open for answers takes a draft; times are checked by the caller.
pub const SAVE_DRAFT: &str = "UPDATE self_report_links SET draft = $2, \
     item9_positive_at = CASE WHEN $3 AND item9_positive_at IS NULL THEN $4 ELSE item9_positive_at END \
     WHERE id = $1 AND completed_at IS NULL AND revoked_at IS NULL AND locked_at IS NULL";

/// Uses a link up: the guard on `completed_at` makes it once only, even under a race.
pub const COMPLETE_LINK: &str = "UPDATE self_report_links SET completed_at = $2, \
     visit_hash = NULL, visit_expires_at = NULL \
     WHERE id = $1 AND completed_at IS NULL AND revoked_at IS NULL AND locked_at IS NULL";

pub const REVOKE_LINK: &str =
    "UPDATE self_report_links SET revoked_at = COALESCE(revoked_at, $2), \
     visit_hash = NULL, visit_expires_at = NULL WHERE id = $1";

pub const ACKNOWLEDGE: &str =
    "UPDATE self_report_links SET item9_seen_at = $3, item9_seen_by = $2 \
     WHERE id = $1 AND item9_positive_at IS NOT NULL AND item9_seen_at IS NULL";

/// Unseen safety notices of a clinic's open episodes (binds: clinic[, care manager]).
pub fn notices(mine: bool) -> String {
    format!(
        "SELECT l.id AS link_id, p.id AS patient_id, p.family_name, p.given_name, \
         l.item9_positive_at AS answered_at \
         FROM self_report_links l JOIN episodes e ON e.id = l.episode_id \
         JOIN patients p ON p.id = e.patient_id \
         WHERE l.item9_positive_at IS NOT NULL AND l.item9_seen_at IS NULL \
         AND p.clinic_id = $1 AND e.discharged_on IS NULL{} ORDER BY l.id",
        if mine {
            " AND e.care_manager_id = $2"
        } else {
            ""
        }
    )
}

/// The latest completed link per open episode of a clinic (binds: clinic[, care manager]).
pub fn received(mine: bool) -> String {
    format!(
        "SELECT l.episode_id, l.completed_at FROM self_report_links l \
         JOIN episodes e ON e.id = l.episode_id JOIN patients p ON p.id = e.patient_id \
         WHERE l.completed_at IS NOT NULL AND p.clinic_id = $1 AND e.discharged_on IS NULL{} \
         ORDER BY l.episode_id, l.id",
        if mine {
            " AND e.care_manager_id = $2"
        } else {
            ""
        }
    )
}

/// Keeps the last (newest) completion per episode from rows ordered by episode and link.
pub fn latest_per_episode(rows: Vec<ReceivedRow>) -> Vec<(EpisodeId, DateTime<Utc>)> {
    let mut out: Vec<(EpisodeId, DateTime<Utc>)> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some((e, at)) if e.0 == r.episode_id => *at = r.completed_at,
            _ => out.push((EpisodeId(r.episode_id), r.completed_at)),
        }
    }
    out
}

macro_rules! impl_self_report_store {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn link_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: i64,
            ) -> app::ports::StoreResult<Option<$crate::db::self_report::LinkRow>> {
                sqlx::query_as(&$crate::db::self_report::LINK_BY_ID)
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err($crate::db::common::map_err)
            }
        }

        #[async_trait::async_trait]
        impl app::ports::SelfReportStore for $store {
            async fn create_self_report_link(
                &self,
                link: &app::self_report::NewSelfReportLink,
            ) -> app::ports::StoreResult<app::self_report::SelfReportLink> {
                let mut tx = self.begin_write().await?;
                let open: i64 = sqlx::query_scalar($crate::db::self_report::OPEN_EPISODE)
                    .bind(link.episode_id.0)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if open == 0 {
                    return Err(app::ports::StoreError::Invalid(
                        "self-report links are for open episodes only".to_owned(),
                    ));
                }
                let id: i64 = sqlx::query_scalar($crate::db::self_report::INSERT_LINK)
                    .bind(link.episode_id.0)
                    .bind(link.token_hash.as_str())
                    .bind(app::domain::self_report::encode_instruments(
                        &link.instruments,
                    ))
                    .bind(link.created_by)
                    .bind(link.life.created_at)
                    .bind(link.life.expires_at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique("token collision"))?;
                let row = Self::link_in(&mut tx, id)
                    .await?
                    .ok_or(app::ports::StoreError::NotFound("self-report link"))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                row.into_link()
            }

            async fn self_report_links(
                &self,
                patient: app::model::PatientId,
            ) -> app::ports::StoreResult<Vec<app::self_report::SelfReportLink>> {
                let rows: Vec<$crate::db::self_report::LinkRow> =
                    sqlx::query_as(&$crate::db::self_report::LINKS_OF_PATIENT)
                        .bind(patient.0)
                        .fetch_all(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                rows.into_iter()
                    .map($crate::db::self_report::LinkRow::into_link)
                    .collect()
            }

            async fn self_report_link(
                &self,
                id: i64,
            ) -> app::ports::StoreResult<
                Option<(app::self_report::SelfReportLink, app::model::Owner)>,
            > {
                let row: Option<$crate::db::self_report::LinkRow> =
                    sqlx::query_as(&$crate::db::self_report::LINK_BY_ID)
                        .bind(id)
                        .fetch_optional(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                row.map(|r| {
                    let owner = r.owner();
                    r.into_link().map(|l| (l, owner))
                })
                .transpose()
            }

            async fn self_report_visit(
                &self,
                token_hash: &str,
            ) -> app::ports::StoreResult<Option<app::self_report::LinkVisit>> {
                let row: Option<$crate::db::self_report::VisitRow> =
                    sqlx::query_as(&$crate::db::self_report::VISIT_BY_HASH)
                        .bind(token_hash)
                        .fetch_optional(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                row.map($crate::db::self_report::VisitRow::into_visit)
                    .transpose()
            }

            async fn wrong_birth_date(
                &self,
                id: i64,
                at: chrono::DateTime<chrono::Utc>,
                lock_after: u32,
            ) -> app::ports::StoreResult<app::domain::self_report::LinkLife> {
                let mut tx = self.begin_write().await?;
                sqlx::query($crate::db::self_report::WRONG_BIRTH_DATE)
                    .bind(id)
                    .bind(at)
                    .bind(i64::from(lock_after))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                let row = Self::link_in(&mut tx, id)
                    .await?
                    .ok_or(app::ports::StoreError::NotFound("self-report link"))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into_link()?.life)
            }

            async fn open_self_report(
                &self,
                id: i64,
                at: chrono::DateTime<chrono::Utc>,
                visit_hash: &str,
                visit_until: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::self_report::OPEN_LINK)
                    .bind(id)
                    .bind(at)
                    .bind(visit_hash)
                    .bind(visit_until)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err(app::ports::StoreError::NotFound("self-report link"));
                }
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn save_self_report_draft(
                &self,
                id: i64,
                draft: &app::domain::self_report::Draft,
                at: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<()> {
                let json = serde_json::to_string(draft)
                    .map_err(|e| app::ports::StoreError::Database(Box::new(e)))?;
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::self_report::SAVE_DRAFT)
                    .bind(id)
                    .bind(json)
                    .bind(draft.item9_positive())
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err(app::ports::StoreError::Conflict(
                        "this questionnaire can no longer be answered".to_owned(),
                    ));
                }
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn complete_self_report(
                &self,
                id: i64,
                scores: &[app::model::NewMeasurement],
                at: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<Vec<app::model::Measurement>> {
                let mut tx = self.begin_write().await?;
                let row = Self::link_in(&mut tx, id)
                    .await?
                    .ok_or(app::ports::StoreError::NotFound("self-report link"))?;
                let link = row.into_link()?;
                if let Err(why) = link.life.usable(at) {
                    return Err(app::ports::StoreError::Conflict(why.to_string()));
                }
                let done = sqlx::query($crate::db::self_report::COMPLETE_LINK)
                    .bind(id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err(app::ports::StoreError::Conflict(
                        app::domain::self_report::Unusable::Used.to_string(),
                    ));
                }
                let mut out = Vec::with_capacity(scores.len());
                for m in scores {
                    if m.episode_id != link.episode_id {
                        return Err(app::ports::StoreError::Invalid(
                            "a self-report score belongs to its link's episode".to_owned(),
                        ));
                    }
                    out.push(Self::insert_measurement(&mut tx, m).await?);
                }
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(out)
            }

            async fn revoke_self_report_link(
                &self,
                id: i64,
                at: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<app::self_report::SelfReportLink> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::self_report::REVOKE_LINK)
                    .bind(id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err(app::ports::StoreError::NotFound("self-report link"));
                }
                let row = Self::link_in(&mut tx, id)
                    .await?
                    .ok_or(app::ports::StoreError::NotFound("self-report link"))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                row.into_link()
            }

            async fn self_report_caseload(
                &self,
                clinic: app::model::ClinicId,
                care_manager: Option<i64>,
            ) -> app::ports::StoreResult<app::self_report::SelfReportCaseload> {
                let mine = care_manager.is_some();
                let notices_sql = $crate::db::self_report::notices(mine);
                let mut q = sqlx::query_as::<_, $crate::db::self_report::NoticeRow>(&notices_sql)
                    .bind(clinic.0);
                if let Some(cm) = care_manager {
                    q = q.bind(cm);
                }
                let notices = q
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                let received_sql = $crate::db::self_report::received(mine);
                let mut q =
                    sqlx::query_as::<_, $crate::db::self_report::ReceivedRow>(&received_sql)
                        .bind(clinic.0);
                if let Some(cm) = care_manager {
                    q = q.bind(cm);
                }
                let received = q
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                Ok(app::self_report::SelfReportCaseload {
                    notices: notices.into_iter().map(Into::into).collect(),
                    received: $crate::db::self_report::latest_per_episode(received),
                })
            }

            async fn acknowledge_safety_notice(
                &self,
                link: i64,
                user: i64,
                at: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::self_report::ACKNOWLEDGE)
                    .bind(link)
                    .bind(user)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err(app::ports::StoreError::NotFound("safety notice"));
                }
                tx.commit().await.map_err($crate::db::common::map_err)
            }
        }
    };
}

pub(crate) use impl_self_report_store;
