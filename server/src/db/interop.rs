//! The `InteropStore` part of the store (imports and exports), written once for both backends
//! like `impl_care_store!`.

use std::sync::LazyLock;

use super::care_sql::{CONTACT_COLUMNS, MEASUREMENT_COLUMNS};
use super::sql::PATIENT_COLUMNS;

pub static CLINIC_PATIENTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {PATIENT_COLUMNS} FROM patients WHERE clinic_id = $1 \
         ORDER BY family_name, given_name, id"
    )
});

pub const CLINIC_MRNS: &str = "SELECT mrn FROM patients WHERE clinic_id = $1";

pub const CLINIC_EPISODES: &str = "SELECT e.id, e.patient_id, e.enrolled_on, e.discharged_on, \
     e.status FROM episodes e JOIN patients p ON p.id = e.patient_id WHERE p.clinic_id = $1 \
     ORDER BY e.patient_id, e.enrolled_on, e.id";

pub static CLINIC_MEASUREMENTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MEASUREMENT_COLUMNS} FROM measurements m JOIN episodes e ON e.id = m.episode_id \
         JOIN patients p ON p.id = e.patient_id \
         WHERE p.clinic_id = $1 AND m.deleted_at IS NULL ORDER BY m.episode_id, m.taken_on, m.id"
    )
});

pub static CLINIC_CONTACTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts c JOIN episodes e ON e.id = c.episode_id \
         JOIN patients p ON p.id = e.patient_id LEFT JOIN users u ON u.id = c.user_id \
         WHERE p.clinic_id = $1 ORDER BY c.episode_id, c.occurred_on, c.id"
    )
});

macro_rules! impl_interop_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl app::ports::InteropStore for $store {
            async fn import_enrollments(
                &self,
                imports: &[app::model::ImportedEnrollment],
            ) -> app::ports::StoreResult<Vec<app::model::Enrolled>> {
                let now = chrono::Utc::now();
                let mut tx = self.begin_write().await?;
                let mut out = Vec::with_capacity(imports.len());
                for import in imports {
                    let enrolled = Self::enroll_in(&mut tx, &import.enrollment, now).await?;
                    for (taken_on, responses) in &import.measurements {
                        let m = app::model::NewMeasurement {
                            episode_id: enrolled.episode_id,
                            taken_on: *taken_on,
                            responses: responses.clone(),
                            source: app::model::MeasurementSource::Import,
                            entered_by: import.enrollment.by_user,
                        };
                        Self::insert_measurement(&mut tx, &m).await?;
                    }
                    out.push(enrolled);
                }
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(out)
            }

            async fn clinic_mrns(
                &self,
                clinic: app::model::ClinicId,
            ) -> app::ports::StoreResult<Vec<String>> {
                sqlx::query_scalar($crate::db::interop::CLINIC_MRNS)
                    .bind(clinic.0)
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)
            }

            async fn clinic_records(
                &self,
                clinic: app::model::ClinicId,
            ) -> app::ports::StoreResult<app::model::ClinicRecords> {
                use $crate::db::care_rows::ContactRow;
                use $crate::db::rows::{EpisodeRow, MeasurementRow, PatientRow};
                let pool = self.read_pool();
                let (patients, episodes, measurements, contacts): (
                    Vec<PatientRow>,
                    Vec<EpisodeRow>,
                    Vec<MeasurementRow>,
                    Vec<ContactRow>,
                ) = tokio::try_join!(
                    sqlx::query_as(&$crate::db::interop::CLINIC_PATIENTS)
                        .bind(clinic.0)
                        .fetch_all(pool),
                    sqlx::query_as($crate::db::interop::CLINIC_EPISODES)
                        .bind(clinic.0)
                        .fetch_all(pool),
                    sqlx::query_as(&$crate::db::interop::CLINIC_MEASUREMENTS)
                        .bind(clinic.0)
                        .fetch_all(pool),
                    sqlx::query_as(&$crate::db::interop::CLINIC_CONTACTS)
                        .bind(clinic.0)
                        .fetch_all(pool),
                )
                .map_err($crate::db::common::map_err)?;
                Ok(app::model::ClinicRecords {
                    patients: patients.into_iter().map(Into::into).collect(),
                    episodes: episodes
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                    measurements: measurements
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                    contacts: contacts
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                })
            }
        }
    };
}

pub(crate) use impl_interop_store;
