//! The `CareStore` half of the store, written once for both backends like `impl_store!`: the
//! records of care (enrollment, episodes, scores, contacts, events) and the caseload read.

/// The stale-edit outcome of a versioned update that changed no row: `Conflict` when the record
/// still exists (someone else changed it), `NotFound` when it does not.
pub fn stale_or_missing(exists: bool, what: &'static str) -> app::ports::StoreError {
    if exists {
        app::ports::StoreError::Conflict(app::model::STALE_EDIT.to_owned())
    } else {
        app::ports::StoreError::NotFound(what)
    }
}

/// Refuses a date outside an episode (before enrollment, or after its discharge).
pub fn check_in_episode(
    what: &str,
    on: chrono::NaiveDate,
    bounds: &super::care_rows::EpisodeBoundsRow,
) -> app::ports::StoreResult<()> {
    let after_discharge = bounds.discharged_on.is_some_and(|d| on > d);
    if on < bounds.enrolled_on || after_discharge {
        return Err(app::ports::StoreError::Invalid(format!(
            "the {what} date {on} is outside the episode ({} to {})",
            bounds.enrolled_on,
            bounds
                .discharged_on
                .map_or_else(|| "now".to_owned(), |d| d.to_string())
        )));
    }
    Ok(())
}

macro_rules! impl_care_store {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn episode_bounds(
                tx: &mut sqlx::Transaction<'static, $db>,
                episode: app::model::EpisodeId,
            ) -> app::ports::StoreResult<$crate::db::care_rows::EpisodeBoundsRow> {
                let bounds: Option<$crate::db::care_rows::EpisodeBoundsRow> =
                    sqlx::query_as($crate::db::care_sql::EPISODE_BOUNDS)
                        .bind(episode.0)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                bounds.ok_or(app::ports::StoreError::NotFound("episode"))
            }

            /// One statement with its binds on a pooled read connection, every row read as `R`.
            async fn fetch_bound<R>(
                &self,
                sql: &str,
                binds: &[$crate::db::care_sql::Bind],
            ) -> app::ports::StoreResult<Vec<R>>
            where
                R: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
            {
                use $crate::db::care_sql::Bind;
                let mut query = sqlx::query_as(sql);
                for b in binds {
                    query = match b {
                        Bind::Int(v) => query.bind(*v),
                        Bind::OptInt(v) => query.bind(*v),
                        Bind::Text(v) => query.bind(v.clone()),
                        Bind::Date(v) => query.bind(*v),
                    };
                }
                query
                    .fetch_all(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)
            }

            /// The open episodes one set of statements selects, each with every score, contact,
            /// hospital event, treatment change, review and mark the rules read: seven queries,
            /// whatever the number of episodes, run side by side on pooled connections.
            async fn load_episodes(
                &self,
                sql: &$crate::db::care_sql::CaseloadSql,
                binds: &[$crate::db::care_sql::Bind],
            ) -> app::ports::StoreResult<$crate::db::care_rows::LoadedEpisodes> {
                let (episodes, measurements, contacts, events, changes, reviews, marks) =
                    tokio::try_join!(
                        self.fetch_bound(&sql.episodes, binds),
                        self.fetch_bound(&sql.measurements, binds),
                        self.fetch_bound(&sql.contacts, binds),
                        self.fetch_bound(&sql.hospital_events, binds),
                        self.fetch_bound(&sql.treatment_changes, binds),
                        self.fetch_bound(&sql.reviews, binds),
                        self.fetch_bound(&sql.marks, binds),
                    )?;
                $crate::db::care_rows::assemble(
                    episodes,
                    measurements,
                    contacts,
                    events,
                    changes,
                    reviews,
                    marks,
                )
            }

            /// Enrolls inside a write transaction (see `CareStore::enroll`).
            pub(crate) async fn enroll_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                e: &app::model::Enrollment,
                now: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<app::model::Enrolled> {
                let patient_id = match &e.patient {
                    app::model::EnrollPatient::New(p) => {
                        let row: $crate::db::rows::PatientRow =
                            sqlx::query_as(&$crate::db::sql::insert_patient())
                                .bind(p.clinic_id.0)
                                .bind(p.mrn.as_str())
                                .bind(p.given_name.as_str())
                                .bind(p.family_name.as_str())
                                .bind(p.birth_date)
                                .bind(now)
                                .fetch_one(&mut **tx)
                                .await
                                .map_err($crate::db::common::conflict_on_unique(
                                    "this MRN is already registered in this clinic",
                                ))?;
                        row.id
                    }
                    app::model::EnrollPatient::Existing(id) => {
                        Self::patient_record_in(tx, *id)
                            .await?
                            .ok_or(app::ports::StoreError::NotFound("patient"))?;
                        id.0
                    }
                };
                let episode_id: i64 = sqlx::query_scalar($crate::db::care_sql::INSERT_EPISODE)
                    .bind(patient_id)
                    .bind(e.enrolled_on)
                    .bind(now)
                    .bind(e.details.care_manager_id)
                    .bind(e.details.consultant_id)
                    .bind(e.details.pcp.trim())
                    .bind($crate::db::care_rows::encode_targets(&e.details.targets))
                    .fetch_one(&mut **tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(
                        "this patient already has an open episode; discharge it before re-enrolling",
                    ))?;
                let episode_id = app::model::EpisodeId(episode_id);
                Self::insert_status_change(
                    tx,
                    episode_id,
                    e.enrolled_on,
                    "",
                    app::model::EpisodeStatus::Active,
                    app::domain::StatusReason::Started,
                    "",
                    e.by_user,
                )
                .await?;
                for responses in &e.baselines {
                    let m = app::model::NewMeasurement {
                        episode_id,
                        taken_on: e.enrolled_on,
                        responses: responses.clone(),
                        source: app::model::MeasurementSource::Clinician,
                        entered_by: e.by_user,
                    };
                    Self::insert_measurement(tx, &m).await?;
                }
                Ok(app::model::Enrolled {
                    patient_id: app::model::PatientId(patient_id),
                    episode_id,
                })
            }

            /// Inserts a score after checking that its date falls inside the episode.
            async fn insert_measurement(
                tx: &mut sqlx::Transaction<'static, $db>,
                m: &app::model::NewMeasurement,
            ) -> app::ports::StoreResult<app::model::Measurement> {
                let bounds = Self::episode_bounds(tx, m.episode_id).await?;
                $crate::db::care::check_in_episode("measurement", m.taken_on, &bounds)?;
                let items = m.responses.items().map($crate::db::rows::encode_items);
                let id: i64 = sqlx::query_scalar($crate::db::care_sql::INSERT_MEASUREMENT)
                    .bind(m.episode_id.0)
                    .bind(m.responses.instrument().code())
                    .bind(m.taken_on)
                    .bind(items)
                    .bind(i64::from(m.responses.total()))
                    .bind(m.source.code())
                    .bind(chrono::Utc::now())
                    .bind(m.responses.difficulty().map(|d| d.code()))
                    .bind(m.entered_by)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                Self::measurement_in(tx, app::model::MeasurementId(id))
                    .await?
                    .map(|(m, _)| m)
                    .ok_or(app::ports::StoreError::NotFound("measurement"))
            }

            async fn measurement_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: app::model::MeasurementId,
            ) -> app::ports::StoreResult<Option<(app::model::Measurement, app::model::Owner)>> {
                let row = sqlx::query(&$crate::db::care_sql::MEASUREMENT_WITH_OWNER)
                    .bind(id.0)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                Self::measurement_with_owner(row.as_ref())
            }

            fn measurement_with_owner(
                row: Option<&<$db as sqlx::Database>::Row>,
            ) -> app::ports::StoreResult<Option<(app::model::Measurement, app::model::Owner)>> {
                use sqlx::FromRow as _;
                let Some(row) = row else { return Ok(None) };
                let m = $crate::db::rows::MeasurementRow::from_row(row)
                    .map_err($crate::db::common::map_err)?;
                let owner = $crate::db::care_rows::OwnerRow::from_row(row)
                    .map_err($crate::db::common::map_err)?;
                Ok(Some((m.try_into()?, owner.into())))
            }

            async fn episode_record_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: app::model::EpisodeId,
            ) -> app::ports::StoreResult<app::model::EpisodeRecord> {
                let row: Option<$crate::db::care_rows::EpisodeRecordRow> =
                    sqlx::query_as(&$crate::db::care_sql::EPISODE_RECORD)
                        .bind(id.0)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                row.ok_or(app::ports::StoreError::NotFound("episode"))?
                    .try_into()
            }

            async fn patient_record_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: app::model::PatientId,
            ) -> app::ports::StoreResult<Option<app::model::PatientRecord>> {
                let row: Option<$crate::db::care_rows::PatientRecordRow> =
                    sqlx::query_as(&$crate::db::care_sql::PATIENT_RECORD)
                        .bind(id.0)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                row.map(TryInto::try_into).transpose()
            }

            #[allow(clippy::too_many_arguments)]
            async fn insert_status_change(
                tx: &mut sqlx::Transaction<'static, $db>,
                episode: app::model::EpisodeId,
                on: chrono::NaiveDate,
                from: &str,
                to: app::model::EpisodeStatus,
                reason: app::domain::StatusReason,
                note: &str,
                user: Option<i64>,
            ) -> app::ports::StoreResult<()> {
                sqlx::query($crate::db::care_sql::INSERT_STATUS_CHANGE)
                    .bind(episode.0)
                    .bind(on)
                    .bind(from)
                    .bind(to.code())
                    .bind(reason.code())
                    .bind(note.trim())
                    .bind(user)
                    .bind(chrono::Utc::now())
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl app::ports::CareStore for $store {
            async fn enroll(
                &self,
                e: &app::model::Enrollment,
            ) -> app::ports::StoreResult<app::model::Enrolled> {
                let mut tx = self.begin_write().await?;
                let enrolled = Self::enroll_in(&mut tx, e, chrono::Utc::now()).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(enrolled)
            }

            async fn patient_record(
                &self,
                id: app::model::PatientId,
            ) -> app::ports::StoreResult<Option<app::model::PatientRecord>> {
                let row: Option<$crate::db::care_rows::PatientRecordRow> =
                    sqlx::query_as(&$crate::db::care_sql::PATIENT_RECORD)
                        .bind(id.0)
                        .fetch_optional(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                row.map(TryInto::try_into).transpose()
            }

            async fn save_patient_facts(
                &self,
                id: app::model::PatientId,
                expected_version: i64,
                facts: &app::model::PatientFacts,
            ) -> app::ports::StoreResult<app::model::PatientRecord> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::care_sql::UPDATE_PATIENT_FACTS)
                    .bind(id.0)
                    .bind(expected_version)
                    .bind(facts.chronic_conditions.join("\n"))
                    .bind($crate::db::care_rows::encode_social_needs(&facts.social_needs))
                    .bind(facts.substance_use_disorder)
                    .bind(facts.serious_mental_illness)
                    .bind(facts.long_term_care_decision)
                    .bind(chrono::Utc::now())
                    .bind($crate::db::care_rows::encode_exclusions(&facts.measure_exclusions))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                let record = Self::patient_record_in(&mut tx, id).await?;
                if done.rows_affected() == 0 {
                    return Err($crate::db::care::stale_or_missing(record.is_some(), "patient"));
                }
                tx.commit().await.map_err($crate::db::common::map_err)?;
                record.ok_or(app::ports::StoreError::NotFound("patient"))
            }

            async fn episode_records(
                &self,
                patient: app::model::PatientId,
            ) -> app::ports::StoreResult<Vec<app::model::EpisodeRecord>> {
                let rows: Vec<$crate::db::care_rows::EpisodeRecordRow> =
                    sqlx::query_as(&$crate::db::care_sql::EPISODE_RECORDS_FOR_PATIENT)
                        .bind(patient.0)
                        .fetch_all(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn update_episode(
                &self,
                u: &app::model::EpisodeUpdate,
            ) -> app::ports::StoreResult<app::model::EpisodeRecord> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::care_sql::UPDATE_EPISODE)
                    .bind(u.episode_id.0)
                    .bind(u.expected_version)
                    .bind(u.details.care_manager_id)
                    .bind(u.details.consultant_id)
                    .bind(u.details.pcp.trim())
                    .bind($crate::db::care_rows::encode_targets(&u.details.targets))
                    .bind(u.care_plan.trim())
                    .bind(u.relapse_plan.trim())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                if done.rows_affected() == 0 {
                    let exists = Self::episode_bounds(&mut tx, u.episode_id).await.is_ok();
                    return Err($crate::db::care::stale_or_missing(exists, "episode"));
                }
                let record = Self::episode_record_in(&mut tx, u.episode_id).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(record)
            }

            async fn change_status(
                &self,
                c: &app::model::StatusChangeRequest,
            ) -> app::ports::StoreResult<app::model::EpisodeRecord> {
                let mut tx = self.begin_write().await?;
                let current = Self::episode_record_in(&mut tx, c.episode_id).await?;
                if current.version != c.expected_version {
                    return Err(app::ports::StoreError::Conflict(
                        app::model::STALE_EDIT.to_owned(),
                    ));
                }
                let from = current.episode.status;
                app::domain::check_status_change(from, c.to, c.reason, &c.note)
                    .map_err(|e| app::ports::StoreError::Invalid(e.to_string()))?;
                if c.on < current.episode.enrolled_on {
                    return Err(app::ports::StoreError::Invalid(format!(
                        "the status change date cannot be before enrollment on {}",
                        current.episode.enrolled_on
                    )));
                }
                let discharged_on =
                    (c.to == app::model::EpisodeStatus::Discharged).then_some(c.on);
                let done = sqlx::query($crate::db::care_sql::SET_EPISODE_STATUS)
                    .bind(c.episode_id.0)
                    .bind(c.expected_version)
                    .bind(c.to.code())
                    .bind(discharged_on)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err($crate::db::care::stale_or_missing(true, "episode"));
                }
                Self::insert_status_change(
                    &mut tx,
                    c.episode_id,
                    c.on,
                    from.code(),
                    c.to,
                    c.reason,
                    &c.note,
                    Some(c.user_id),
                )
                .await?;
                let record = Self::episode_record_in(&mut tx, c.episode_id).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(record)
            }

            async fn episode_history(
                &self,
                episode: app::model::EpisodeId,
            ) -> app::ports::StoreResult<app::model::EpisodeHistory> {
                let pool = self.read_pool();
                let measurements: Vec<$crate::db::rows::MeasurementRow> =
                    sqlx::query_as(&$crate::db::care_sql::MEASUREMENTS_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let contacts: Vec<$crate::db::care_rows::ContactRow> =
                    sqlx::query_as(&$crate::db::care_sql::CONTACTS_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let events: Vec<$crate::db::care_rows::HospitalEventRow> =
                    sqlx::query_as(&$crate::db::care_sql::HOSPITAL_EVENTS_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let changes: Vec<$crate::db::care_rows::TreatmentChangeRow> =
                    sqlx::query_as(&$crate::db::care_sql::TREATMENT_CHANGES_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let statuses: Vec<$crate::db::care_rows::StatusChangeRow> =
                    sqlx::query_as($crate::db::care_sql::STATUS_CHANGES_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let score_changes: Vec<$crate::db::care_rows::ScoreChangeRow> =
                    sqlx::query_as($crate::db::care_sql::SCORE_CHANGES_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let reviews: Vec<$crate::db::review_rows::CaseReviewRow> =
                    sqlx::query_as(&$crate::db::review_sql::REVIEWS_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let recommendations: Vec<$crate::db::review_rows::RecommendationRow> =
                    sqlx::query_as(&$crate::db::review_sql::RECOMMENDATIONS_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_all(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let mark: Option<$crate::db::review_rows::MarkRow> =
                    sqlx::query_as(&$crate::db::review_sql::MARK_OF_EPISODE)
                        .bind(episode.0)
                        .fetch_optional(pool)
                        .await
                        .map_err($crate::db::common::map_err)?;
                Ok(app::model::EpisodeHistory {
                    reviews: $crate::db::review_rows::attach(reviews, recommendations)?,
                    review_mark: mark.map(Into::into),
                    score_changes: score_changes
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
                    hospital_events: events
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                    treatment_changes: changes.into_iter().map(Into::into).collect(),
                    status_changes: statuses
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                })
            }

            async fn episode_owner(
                &self,
                episode: app::model::EpisodeId,
            ) -> app::ports::StoreResult<Option<app::model::Owner>> {
                let row: Option<$crate::db::care_rows::OwnerRow> =
                    sqlx::query_as($crate::db::care_sql::EPISODE_OWNER)
                        .bind(episode.0)
                        .fetch_optional(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                Ok(row.map(Into::into))
            }

            async fn get_measurement(
                &self,
                id: app::model::MeasurementId,
            ) -> app::ports::StoreResult<Option<(app::model::Measurement, app::model::Owner)>>
            {
                let row = sqlx::query(&$crate::db::care_sql::MEASUREMENT_WITH_OWNER)
                    .bind(id.0)
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                Self::measurement_with_owner(row.as_ref())
            }

            async fn update_measurement(
                &self,
                edit: &app::model::MeasurementEdit,
            ) -> app::ports::StoreResult<app::model::Measurement> {
                let mut tx = self.begin_write().await?;
                let (current, owner) = Self::measurement_in(&mut tx, edit.id)
                    .await?
                    .ok_or(app::ports::StoreError::NotFound("measurement"))?;
                if current.version != edit.expected_version {
                    return Err(app::ports::StoreError::Conflict(
                        app::model::STALE_EDIT.to_owned(),
                    ));
                }
                if current.instrument() != edit.responses.instrument() {
                    return Err(app::ports::StoreError::Invalid(format!(
                        "a {} cannot be changed into a {}",
                        current.instrument(),
                        edit.responses.instrument()
                    )));
                }
                let bounds = Self::episode_bounds(&mut tx, owner.episode_id).await?;
                $crate::db::care::check_in_episode("measurement", edit.taken_on, &bounds)?;
                sqlx::query($crate::db::care_sql::INSERT_MEASUREMENT_CHANGE)
                    .bind(edit.id.0)
                    .bind("edit")
                    .bind(edit.reason.trim())
                    .bind(edit.user_id)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                sqlx::query($crate::db::care_sql::UPDATE_MEASUREMENT)
                    .bind(edit.id.0)
                    .bind(edit.expected_version)
                    .bind(edit.taken_on)
                    .bind(edit.responses.items().map($crate::db::rows::encode_items))
                    .bind(i64::from(edit.responses.total()))
                    .bind(edit.responses.difficulty().map(|d| d.code()))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                let (updated, _) = Self::measurement_in(&mut tx, edit.id)
                    .await?
                    .ok_or(app::ports::StoreError::NotFound("measurement"))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(updated)
            }

            async fn delete_measurement(
                &self,
                d: &app::model::MeasurementDeletion,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let (current, _) = Self::measurement_in(&mut tx, d.id)
                    .await?
                    .ok_or(app::ports::StoreError::NotFound("measurement"))?;
                if current.version != d.expected_version {
                    return Err(app::ports::StoreError::Conflict(
                        app::model::STALE_EDIT.to_owned(),
                    ));
                }
                sqlx::query($crate::db::care_sql::INSERT_MEASUREMENT_CHANGE)
                    .bind(d.id.0)
                    .bind("delete")
                    .bind(d.reason.trim())
                    .bind(d.user_id)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                sqlx::query($crate::db::care_sql::DELETE_MEASUREMENT)
                    .bind(d.id.0)
                    .bind(d.expected_version)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn add_contact(
                &self,
                c: &app::model::NewContact,
            ) -> app::ports::StoreResult<app::model::ContactRecord> {
                let mut tx = self.begin_write().await?;
                let bounds = Self::episode_bounds(&mut tx, c.episode_id).await?;
                $crate::db::care::check_in_episode("contact", c.occurred_on, &bounds)?;
                let id: i64 = sqlx::query_scalar($crate::db::care_sql::INSERT_CONTACT)
                    .bind(c.episode_id.0)
                    .bind(c.occurred_on)
                    .bind(c.kind.code())
                    .bind(i64::from(c.minutes))
                    .bind(c.note.trim())
                    .bind(c.user_id)
                    .bind(c.by_care_manager)
                    .bind(chrono::Utc::now())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                let row: $crate::db::care_rows::ContactRow =
                    sqlx::query_as(&$crate::db::care_sql::CONTACT_BY_ID)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                row.try_into()
            }

            async fn add_hospital_event(
                &self,
                h: &app::model::NewHospitalEvent,
            ) -> app::ports::StoreResult<app::model::HospitalEvent> {
                let mut tx = self.begin_write().await?;
                let bounds = Self::episode_bounds(&mut tx, h.episode_id).await?;
                if bounds.discharged_on.is_some_and(|d| h.discharged_at.date() > d) {
                    return Err(app::ports::StoreError::Invalid(
                        "the discharge date is after the end of this episode".to_owned(),
                    ));
                }
                let row: $crate::db::care_rows::HospitalEventRow =
                    sqlx::query_as(&$crate::db::care_sql::INSERT_HOSPITAL_EVENT)
                        .bind(h.episode_id.0)
                        .bind(h.setting.code())
                        .bind(h.discharged_at)
                        .bind(h.user_id)
                        .bind(chrono::Utc::now())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::conflict_on_unique(""))?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                row.try_into()
            }

            async fn add_treatment_change(
                &self,
                t: &app::model::NewTreatmentChange,
            ) -> app::ports::StoreResult<app::model::TreatmentChange> {
                let mut tx = self.begin_write().await?;
                let bounds = Self::episode_bounds(&mut tx, t.episode_id).await?;
                $crate::db::care::check_in_episode("treatment change", t.changed_on, &bounds)?;
                let id: i64 = sqlx::query_scalar($crate::db::care_sql::INSERT_TREATMENT_CHANGE)
                    .bind(t.episode_id.0)
                    .bind(t.changed_on)
                    .bind(t.description.trim())
                    .bind(t.user_id)
                    .bind(chrono::Utc::now())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                let row: $crate::db::care_rows::TreatmentChangeRow =
                    sqlx::query_as(&$crate::db::care_sql::TREATMENT_CHANGE_BY_ID)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into())
            }

            async fn caseload(
                &self,
                scope: &app::model::CaseloadScope,
            ) -> app::ports::StoreResult<Vec<app::model::CaseloadEpisode>> {
                use $crate::db::care_sql::Bind;
                let sql = $crate::db::care_sql::caseload(scope.care_manager_id.is_some());
                let pattern =
                    $crate::db::care_sql::contains_pattern(scope.search.as_deref().unwrap_or(""));
                let binds = [
                    Bind::Int(scope.clinic_id.0),
                    Bind::OptInt(scope.care_manager_id),
                    Bind::Text(pattern),
                ];
                Ok(self.load_episodes(sql, &binds).await?.episodes)
            }

            async fn clinic_staff(
                &self,
                clinic: app::model::ClinicId,
            ) -> app::ports::StoreResult<Vec<app::accounts::StaffMember>> {
                let rows: Vec<$crate::db::care_rows::StaffRow> =
                    sqlx::query_as($crate::db::care_sql::CLINIC_STAFF)
                        .bind(clinic.0)
                        .fetch_all(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    };
}

pub(crate) use impl_care_store;
