//! The parts of the store that are the same on both backends.
//!
//! `impl_store!` writes the `Store` implementation once for a backend type that provides
//! `read_pool()` and `begin_write()`. Each query is shared SQL from `sql.rs`; only connection
//! handling and transaction start differ by engine.

use app::ports::StoreError;

/// Maps a database error to a store error. Unique violations become `Conflict` with the given
/// message; connection-level failures become `Unavailable`.
pub fn map_err(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(err)),
        other => StoreError::Database(Box::new(other)),
    }
}

/// Like [`map_err`], but reports a unique-constraint violation as a conflict with `message`.
pub fn conflict_on_unique(message: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(message.to_owned())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::Invalid("a referenced record does not exist".to_owned())
        }
        _ => map_err(err),
    }
}

/// Midnight UTC at the start of `day`, for date-bounded queries on instants.
pub fn start_of(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The page size actually used: at least 1 and at most `PatientQuery::MAX_LIMIT`.
pub fn clamp_limit(limit: u32) -> u32 {
    limit.clamp(1, app::model::PatientQuery::MAX_LIMIT)
}

macro_rules! impl_store {
    ($store:ty, $db:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl app::ports::Store for $store {
            fn backend(&self) -> app::ports::Backend {
                $backend
            }

            async fn ping(&self) -> app::ports::StoreResult<()> {
                sqlx::query($crate::db::sql::PING)
                    .execute(self.read_pool())
                    .await
                    .map(|_| ())
                    .map_err($crate::db::common::map_err)
            }

            async fn create_clinic(&self, name: &str) -> app::ports::StoreResult<app::model::Clinic> {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(app::ports::StoreError::Invalid(
                        "clinic name must be 1–200 characters".to_owned(),
                    ));
                }
                let mut tx = self.begin_write().await?;
                let row: $crate::db::rows::ClinicRow = sqlx::query_as($crate::db::sql::INSERT_CLINIC)
                    .bind(name)
                    .bind(chrono::Utc::now())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(
                        "a clinic with this name already exists",
                    ))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into())
            }

            async fn list_clinics(&self) -> app::ports::StoreResult<Vec<app::model::Clinic>> {
                let rows: Vec<$crate::db::rows::ClinicRow> =
                    sqlx::query_as($crate::db::sql::LIST_CLINICS)
                        .fetch_all(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn get_clinic(
                &self,
                id: app::model::ClinicId,
            ) -> app::ports::StoreResult<Option<app::model::Clinic>> {
                let row: Option<$crate::db::rows::ClinicRow> =
                    sqlx::query_as($crate::db::sql::GET_CLINIC)
                        .bind(id.0)
                        .fetch_optional(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                Ok(row.map(Into::into))
            }

            async fn create_patient(
                &self,
                p: &app::model::NewPatient,
            ) -> app::ports::StoreResult<app::model::Patient> {
                let sql = $crate::db::sql::insert_patient();
                let mut tx = self.begin_write().await?;
                let row: $crate::db::rows::PatientRow = sqlx::query_as(&sql)
                    .bind(p.clinic_id.0)
                    .bind(p.mrn.as_str())
                    .bind(p.given_name.as_str())
                    .bind(p.family_name.as_str())
                    .bind(p.birth_date)
                    .bind(chrono::Utc::now())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(
                        "this MRN is already registered in this clinic",
                    ))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into())
            }

            async fn get_patient(
                &self,
                id: app::model::PatientId,
            ) -> app::ports::StoreResult<Option<app::model::Patient>> {
                let sql = $crate::db::sql::get_patient();
                let row: Option<$crate::db::rows::PatientRow> = sqlx::query_as(&sql)
                    .bind(id.0)
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                Ok(row.map(Into::into))
            }

            async fn patient_by_mrn(
                &self,
                clinic: app::model::ClinicId,
                mrn: &str,
            ) -> app::ports::StoreResult<Option<app::model::Patient>> {
                let sql = $crate::db::sql::patient_by_mrn();
                let row: Option<$crate::db::rows::PatientRow> = sqlx::query_as(&sql)
                    .bind(clinic.0)
                    .bind(mrn)
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                Ok(row.map(Into::into))
            }

            async fn list_patients(
                &self,
                q: &app::model::PatientQuery,
            ) -> app::ports::StoreResult<app::model::Page<app::model::PatientListRow>> {
                let limit = $crate::db::common::clamp_limit(q.limit);
                let (rows, total) = match q.clinic_id {
                    Some(clinic) => {
                        let rows = sqlx::query_as($crate::db::sql::list_patients(true))
                            .bind(clinic.0)
                            .bind(i64::from(limit))
                            .bind(i64::from(q.offset))
                            .fetch_all(self.read_pool());
                        let total = sqlx::query_scalar($crate::db::sql::COUNT_PATIENTS_BY_CLINIC)
                            .bind(clinic.0)
                            .fetch_one(self.read_pool());
                        (rows.await, total.await)
                    }
                    None => {
                        let rows = sqlx::query_as($crate::db::sql::list_patients(false))
                            .bind(i64::from(limit))
                            .bind(i64::from(q.offset))
                            .fetch_all(self.read_pool());
                        let total = sqlx::query_scalar($crate::db::sql::COUNT_PATIENTS)
                            .fetch_one(self.read_pool());
                        (rows.await, total.await)
                    }
                };
                let rows: Vec<$crate::db::rows::PatientListSqlRow> =
                    rows.map_err($crate::db::common::map_err)?;
                let total: i64 = total.map_err($crate::db::common::map_err)?;
                Ok(app::model::Page {
                    rows: rows
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                    total: u64::try_from(total).unwrap_or(0),
                    offset: q.offset,
                    limit,
                })
            }

            async fn open_episode(
                &self,
                e: &app::model::NewEpisode,
            ) -> app::ports::StoreResult<app::model::Episode> {
                let sql = $crate::db::sql::insert_episode();
                let mut tx = self.begin_write().await?;
                let row: $crate::db::rows::EpisodeRow = sqlx::query_as(&sql)
                    .bind(e.patient_id.0)
                    .bind(e.enrolled_on)
                    .bind(chrono::Utc::now())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(
                        "this patient already has an open episode; discharge it before re-enrolling",
                    ))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                row.try_into()
            }

            async fn discharge_episode(
                &self,
                id: app::model::EpisodeId,
                on: chrono::NaiveDate,
            ) -> app::ports::StoreResult<app::model::Episode> {
                let get = $crate::db::sql::get_episode();
                let update = $crate::db::sql::discharge_episode();
                let mut tx = self.begin_write().await?;
                let current: Option<$crate::db::rows::EpisodeRow> = sqlx::query_as(&get)
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                let current = current.ok_or(app::ports::StoreError::NotFound("episode"))?;
                if current.discharged_on.is_some() {
                    return Err(app::ports::StoreError::Conflict(
                        "this episode is already discharged".to_owned(),
                    ));
                }
                if on < current.enrolled_on {
                    return Err(app::ports::StoreError::Invalid(format!(
                        "discharge date cannot be before enrollment on {}",
                        current.enrolled_on
                    )));
                }
                let row: $crate::db::rows::EpisodeRow = sqlx::query_as(&update)
                    .bind(id.0)
                    .bind(on)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                row.try_into()
            }

            async fn episodes_for_patient(
                &self,
                patient: app::model::PatientId,
            ) -> app::ports::StoreResult<Vec<app::model::Episode>> {
                let sql = $crate::db::sql::episodes_for_patient();
                let rows: Vec<$crate::db::rows::EpisodeRow> = sqlx::query_as(&sql)
                    .bind(patient.0)
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn add_measurement(
                &self,
                m: &app::model::NewMeasurement,
            ) -> app::ports::StoreResult<app::model::Measurement> {
                let mut tx = self.begin_write().await?;
                let measurement = Self::insert_measurement(&mut tx, m).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(measurement)
            }

            async fn measurements_for_episode(
                &self,
                episode: app::model::EpisodeId,
            ) -> app::ports::StoreResult<Vec<app::model::Measurement>> {
                let rows: Vec<$crate::db::rows::MeasurementRow> =
                    sqlx::query_as(&$crate::db::care_sql::MEASUREMENTS_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn count_users(&self) -> app::ports::StoreResult<u64> {
                let n: i64 = sqlx::query_scalar($crate::db::sql::COUNT_USERS)
                    .fetch_one(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            async fn create_user(
                &self,
                u: &app::accounts::NewUser,
            ) -> app::ports::StoreResult<app::accounts::User> {
                let sql = $crate::db::sql::insert_user();
                let mut tx = self.begin_write().await?;
                let row: $crate::db::rows::UserRow = sqlx::query_as(&sql)
                    .bind(u.email.as_str())
                    .bind(u.display_name.as_str())
                    .bind(u.role.code())
                    .bind(u.password_hash.as_str())
                    .bind(chrono::Utc::now())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(
                        "a user with this email address already exists",
                    ))?;
                let clinics = Self::insert_memberships(&mut tx, row.id, &u.clinics).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into_user(clinics)?.0)
            }

            async fn get_user(
                &self,
                id: i64,
            ) -> app::ports::StoreResult<Option<app::accounts::User>> {
                let sql = $crate::db::sql::get_user();
                let row: Option<$crate::db::rows::UserRow> = sqlx::query_as(&sql)
                    .bind(id)
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                match row {
                    Some(row) => Ok(Some(self.with_clinics(row).await?.0)),
                    None => Ok(None),
                }
            }

            async fn find_user_by_email(
                &self,
                email: &app::accounts::Email,
            ) -> app::ports::StoreResult<Option<(app::accounts::User, String)>> {
                let sql = $crate::db::sql::find_user_by_email();
                let row: Option<$crate::db::rows::UserRow> = sqlx::query_as(&sql)
                    .bind(email.as_str())
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                match row {
                    Some(row) => Ok(Some(self.with_clinics(row).await?)),
                    None => Ok(None),
                }
            }

            async fn set_password_hash(
                &self,
                user_id: i64,
                password_hash: &str,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::sql::SET_PASSWORD_HASH)
                    .bind(user_id)
                    .bind(password_hash)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err(app::ports::StoreError::NotFound("user"));
                }
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn set_user_active(
                &self,
                user_id: i64,
                active: bool,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::sql::SET_USER_ACTIVE)
                    .bind(user_id)
                    .bind(active)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err(app::ports::StoreError::NotFound("user"));
                }
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn rename_clinic(
                &self,
                id: app::model::ClinicId,
                name: &str,
            ) -> app::ports::StoreResult<app::model::Clinic> {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(app::ports::StoreError::Invalid(
                        "clinic name must be 1–200 characters".to_owned(),
                    ));
                }
                let mut tx = self.begin_write().await?;
                let row: Option<$crate::db::rows::ClinicRow> =
                    sqlx::query_as($crate::db::sql::RENAME_CLINIC)
                        .bind(id.0)
                        .bind(name)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err($crate::db::common::conflict_on_unique(
                            "a clinic with this name already exists",
                        ))?;
                let row = row.ok_or(app::ports::StoreError::NotFound("clinic"))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into())
            }

            async fn clinic_settings(
                &self,
                id: app::model::ClinicId,
            ) -> app::ports::StoreResult<app::settings::ClinicSettings> {
                let json: Option<String> = sqlx::query_scalar($crate::db::sql::GET_CLINIC_SETTINGS)
                    .bind(id.0)
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                match json {
                    None => Ok(app::settings::ClinicSettings::default()),
                    Some(json) => serde_json::from_str(&json).map_err(|e| {
                        app::ports::StoreError::Corrupt(format!("settings of clinic {id}: {e}"))
                    }),
                }
            }

            async fn save_clinic_settings(
                &self,
                id: app::model::ClinicId,
                settings: &app::settings::ClinicSettings,
            ) -> app::ports::StoreResult<()> {
                let json = serde_json::to_string(settings)
                    .map_err(|e| app::ports::StoreError::Invalid(e.to_string()))?;
                let mut tx = self.begin_write().await?;
                sqlx::query($crate::db::sql::UPSERT_CLINIC_SETTINGS)
                    .bind(id.0)
                    .bind(json)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match $crate::db::common::conflict_on_unique("")(e) {
                        app::ports::StoreError::Invalid(_) => {
                            app::ports::StoreError::NotFound("clinic")
                        }
                        other => other,
                    })?;
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn list_users(&self) -> app::ports::StoreResult<Vec<app::accounts::User>> {
                let sql = $crate::db::sql::list_users();
                let rows: Vec<$crate::db::rows::UserRow> = sqlx::query_as(&sql)
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                let memberships: Vec<(i64, i64)> =
                    sqlx::query_as($crate::db::sql::ALL_MEMBERSHIPS)
                        .fetch_all(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                let mut by_user: std::collections::HashMap<i64, Vec<i64>> =
                    std::collections::HashMap::new();
                for (user, clinic) in memberships {
                    by_user.entry(user).or_default().push(clinic);
                }
                rows.into_iter()
                    .map(|row| {
                        let clinics = by_user.remove(&row.id).unwrap_or_default();
                        row.into_user(clinics).map(|(u, _)| u)
                    })
                    .collect()
            }

            async fn update_user(
                &self,
                id: i64,
                display_name: &str,
                role: app::policy::Role,
                clinics: &[app::model::ClinicId],
            ) -> app::ports::StoreResult<app::accounts::User> {
                let sql = $crate::db::sql::update_user();
                let mut tx = self.begin_write().await?;
                let row: Option<$crate::db::rows::UserRow> = sqlx::query_as(&sql)
                    .bind(id)
                    .bind(display_name)
                    .bind(role.code())
                    .bind(chrono::Utc::now())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                let row = row.ok_or(app::ports::StoreError::NotFound("user"))?;
                sqlx::query($crate::db::sql::DELETE_MEMBERSHIPS)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                let clinics = Self::insert_memberships(&mut tx, id, clinics).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into_user(clinics)?.0)
            }

            async fn create_session(
                &self,
                session: &app::accounts::NewSession,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query($crate::db::sql::INSERT_SESSION)
                    .bind(session.id_hash.as_str())
                    .bind(session.user_id)
                    .bind(session.created_at)
                    .bind(session.expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique("session id collision"))?;
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn get_session(
                &self,
                id_hash: &str,
            ) -> app::ports::StoreResult<Option<app::accounts::SessionRecord>> {
                let row: Option<$crate::db::rows::SessionRow> =
                    sqlx::query_as($crate::db::sql::GET_SESSION)
                        .bind(id_hash)
                        .fetch_optional(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let (user, _) = self.with_clinics(row.user).await?;
                Ok(Some(app::accounts::SessionRecord {
                    user,
                    created_at: row.session_created_at,
                    last_seen_at: row.last_seen_at,
                    expires_at: row.expires_at,
                }))
            }

            async fn touch_session(
                &self,
                id_hash: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<()> {
                self.write_one($crate::db::sql::TOUCH_SESSION, id_hash, Some(at)).await
            }

            async fn delete_session(&self, id_hash: &str) -> app::ports::StoreResult<()> {
                self.write_one($crate::db::sql::DELETE_SESSION, id_hash, None).await
            }

            async fn delete_user_sessions(&self, user_id: i64) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query($crate::db::sql::DELETE_USER_SESSIONS)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn append_audit(
                &self,
                e: &app::audit::AuditEntry,
            ) -> app::ports::StoreResult<app::audit::AuditRecord> {
                let sql = $crate::db::sql::insert_audit();
                let mut tx = self.begin_write().await?;
                let row: $crate::db::rows::AuditRow = sqlx::query_as(&sql)
                    .bind(chrono::Utc::now())
                    .bind(e.user_id)
                    .bind(e.action.as_str())
                    .bind(e.entity_type.as_deref())
                    .bind(e.entity_id)
                    .bind(e.ip.as_deref())
                    .bind(e.outcome.code())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                row.try_into()
            }

            async fn list_audit(
                &self,
                q: &app::audit::AuditQuery,
            ) -> app::ports::StoreResult<Vec<app::audit::AuditRecord>> {
                let mut sql = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {} FROM audit_log WHERE 1 = 1",
                    $crate::db::sql::AUDIT_COLUMNS
                ));
                if let Some(user) = q.user_id {
                    sql.push(" AND user_id = ").push_bind(user);
                }
                if let Some(kind) = &q.entity_type {
                    sql.push(" AND entity_type = ").push_bind(kind.clone());
                }
                if let Some(id) = q.entity_id {
                    sql.push(" AND entity_id = ").push_bind(id);
                }
                if let Some(from) = q.from {
                    sql.push(" AND at >= ").push_bind($crate::db::common::start_of(from));
                }
                if let Some(to) = q.to.and_then(|d| d.succ_opt()) {
                    sql.push(" AND at < ").push_bind($crate::db::common::start_of(to));
                }
                sql.push(" ORDER BY at DESC, id DESC LIMIT ")
                    .push_bind(i64::from(q.limit.clamp(1, 10_000)));
                let rows: Vec<$crate::db::rows::AuditRow> = sql
                    .build_query_as()
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }

        impl $store {
            /// Adds a user's clinic memberships (deduplicated) inside a write transaction.
            async fn insert_memberships(
                tx: &mut sqlx::Transaction<'static, $db>,
                user_id: i64,
                clinics: &[app::model::ClinicId],
            ) -> app::ports::StoreResult<Vec<i64>> {
                let mut ids: Vec<i64> = clinics.iter().map(|c| c.0).collect();
                ids.sort_unstable();
                ids.dedup();
                for clinic in &ids {
                    sqlx::query($crate::db::sql::INSERT_USER_CLINIC)
                        .bind(user_id)
                        .bind(*clinic)
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| match $crate::db::common::conflict_on_unique("")(e) {
                            app::ports::StoreError::Invalid(_) => app::ports::StoreError::Invalid(
                                format!("clinic {clinic} does not exist"),
                            ),
                            other => other,
                        })?;
                }
                Ok(ids)
            }

            /// Runs a one-row session statement keyed by token hash, with an optional instant.
            async fn write_one(
                &self,
                sql: &'static str,
                id_hash: &str,
                at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let mut query = sqlx::query(sql).bind(id_hash.to_owned());
                if let Some(at) = at {
                    query = query.bind(at);
                }
                query
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn with_clinics(
                &self,
                row: $crate::db::rows::UserRow,
            ) -> app::ports::StoreResult<(app::accounts::User, String)> {
                let clinics: Vec<i64> = sqlx::query_scalar($crate::db::sql::USER_CLINICS)
                    .bind(row.id)
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                row.into_user(clinics)
            }
        }
    };
}

pub(crate) use impl_store;
