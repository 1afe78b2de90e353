//! The `ReviewStore` third of the store, written once for both backends like `impl_care_store!`:
//! the review list's candidates and queue, marks, summaries, deferrals, meetings, reviews and
//! recommendations.

macro_rules! impl_review_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// One row or none.
            async fn fetch_one_bound<R>(
                &self,
                sql: &str,
                binds: &[$crate::db::care_sql::Bind],
            ) -> app::ports::StoreResult<Option<R>>
            where
                R: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
            {
                Ok(self.fetch_bound::<R>(sql, binds).await?.into_iter().next())
            }

            async fn meeting_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: app::case_review::MeetingId,
            ) -> app::ports::StoreResult<app::case_review::Meeting> {
                let row: Option<$crate::db::review_rows::MeetingRow> =
                    sqlx::query_as(&$crate::db::review_sql::MEETING_BY_ID)
                        .bind(id.0)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                row.map(Into::into)
                    .ok_or(app::ports::StoreError::NotFound("meeting"))
            }

            async fn insert_entries(
                tx: &mut sqlx::Transaction<'static, $db>,
                meeting: app::case_review::MeetingId,
                entries: &[app::case_review::MeetingEntry],
            ) -> app::ports::StoreResult<()> {
                for e in entries {
                    sqlx::query($crate::db::review_sql::INSERT_ENTRY)
                        .bind(meeting.0)
                        .bind(e.episode_id.0)
                        .bind(e.outcome.code())
                        .bind(i64::from(e.carried_weeks))
                        .execute(&mut **tx)
                        .await
                        .map_err($crate::db::common::conflict_on_unique(""))?;
                }
                Ok(())
            }

            async fn review_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: i64,
            ) -> app::ports::StoreResult<app::case_review::CaseReview> {
                let review: Option<$crate::db::review_rows::CaseReviewRow> =
                    sqlx::query_as(&$crate::db::review_sql::CASE_REVIEW_BY_ID)
                        .bind(id)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let review = review.ok_or(app::ports::StoreError::NotFound("case review"))?;
                let recs: Vec<$crate::db::review_rows::RecommendationRow> =
                    sqlx::query_as(&$crate::db::review_sql::RECOMMENDATIONS_OF_REVIEW)
                        .bind(id)
                        .fetch_all(&mut **tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                $crate::db::review_rows::attach(vec![review], recs)?
                    .pop()
                    .ok_or(app::ports::StoreError::NotFound("case review"))
            }

            /// Refuses a review write on an episode that has ended.
            async fn open_episode_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                episode: app::model::EpisodeId,
            ) -> app::ports::StoreResult<$crate::db::care_rows::EpisodeBoundsRow> {
                let bounds = Self::episode_bounds(tx, episode).await?;
                if bounds.discharged_on.is_some() {
                    return Err(app::ports::StoreError::Invalid(
                        "the episode has ended; only open episodes are reviewed".to_owned(),
                    ));
                }
                Ok(bounds)
            }
        }

        #[async_trait::async_trait]
        impl app::ports::ReviewStore for $store {
            async fn review_candidates(
                &self,
                scope: &app::case_review::ReviewScope,
            ) -> app::ports::StoreResult<app::case_review::ReviewCandidates> {
                use $crate::db::care_sql::Bind;
                use $crate::db::review_rows as rows;
                use $crate::db::review_sql as sql;
                let binds = [
                    Bind::Int(scope.clinic_id.0),
                    Bind::Date(scope.as_of),
                    Bind::Date(scope.meets_on),
                ];
                let meeting_binds = [Bind::Int(scope.clinic_id.0), Bind::Date(scope.meets_on)];
                // The candidates with their queue rows first (see `care_sql::CANDIDATES`), and
                // beside them what depends on the meeting only; the records then, side by side
                // on pooled connections.
                let (candidates, deferrals, meeting, previous) = tokio::try_join!(
                    self.fetch_bound::<rows::CandidateRow>(
                        &$crate::db::care_sql::CANDIDATES,
                        &binds
                    ),
                    self.fetch_bound::<rows::DeferralRow>(sql::DEFERRALS, &meeting_binds),
                    self.fetch_one_bound::<rows::MeetingRow>(&sql::MEETING_ON, &meeting_binds),
                    self.fetch_bound::<rows::EntryRow>(sql::PREVIOUS_ENTRIES, &meeting_binds),
                )?;
                let ids: Vec<i64> = candidates.iter().map(|c| c.episode_id).collect();
                let lists: Vec<(&'static sql::CandidateSql, Vec<Bind>)> = ids
                    .chunks(sql::MAX_IDS)
                    .map(|chunk| {
                        let size = sql::id_bucket(chunk.len());
                        let last = chunk.last().copied().unwrap_or_default();
                        let list = chunk
                            .iter()
                            .copied()
                            .chain(std::iter::repeat(last))
                            .take(size)
                            .map(Bind::Int)
                            .collect();
                        (sql::candidates_for(size, <$db as sql::Dialect>::JSON), list)
                    })
                    .collect();
                let mut loaded = $crate::db::care_rows::LoadedEpisodes::default();
                let mut reviews = Vec::new();
                let mut recs = Vec::new();
                let mut latest_prep = std::collections::HashMap::new();
                for (statements, list) in &lists {
                    let (part, part_reviews, part_recs, preps) = tokio::try_join!(
                        self.load_episodes(&statements.records, list),
                        self.fetch_bound::<$crate::db::packed::PackedRow>(
                            &statements.reviews,
                            list
                        ),
                        self.fetch_bound::<$crate::db::packed::PackedRow>(
                            &statements.recommendations,
                            list
                        ),
                        self.fetch_bound::<rows::PrepRow>(&statements.preps, list),
                    )?;
                    loaded.episodes.extend(part.episodes);
                    loaded.care_plans.extend(part.care_plans);
                    loaded.last_changes.extend(part.last_changes);
                    reviews.extend(part_reviews);
                    recs.extend(part_recs);
                    for p in preps {
                        latest_prep.insert(p.episode_id, p);
                    }
                }
                Ok(app::case_review::ReviewCandidates {
                    episodes: loaded.episodes,
                    care_plans: loaded.care_plans,
                    last_changes: loaded.last_changes,
                    queue: candidates
                        .iter()
                        .filter_map(rows::CandidateRow::queue)
                        .collect(),
                    reviews: rows::attach_packed(&reviews, &recs)?,
                    preps: latest_prep.into_values().map(Into::into).collect(),
                    deferrals: deferrals.into_iter().map(Into::into).collect(),
                    meeting: meeting.map(Into::into),
                    previous: previous
                        .into_iter()
                        .map(TryInto::try_into)
                        .collect::<Result<_, _>>()?,
                })
            }

            async fn refresh_review_queue(
                &self,
                updates: &[app::case_review::QueueUpdate],
            ) -> app::ports::StoreResult<u64> {
                if updates.is_empty() {
                    return Ok(0);
                }
                let mut tx = self.begin_write().await?;
                let mut written = 0;
                for u in updates {
                    written += sqlx::query($crate::db::review_sql::UPDATE_QUEUE)
                        .bind(u.episode_id.0)
                        .bind(u.version)
                        .bind(u.due_on)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?
                        .rows_affected();
                }
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(written)
            }

            async fn mark_for_review(
                &self,
                mark: &app::case_review::NewReviewMark,
            ) -> app::ports::StoreResult<app::case_review::ReviewMarkRecord> {
                let now = chrono::Utc::now();
                let mut tx = self.begin_write().await?;
                Self::open_episode_in(&mut tx, mark.episode_id).await?;
                sqlx::query($crate::db::review_sql::REMOVE_MARKS)
                    .bind(mark.episode_id.0)
                    .bind(now)
                    .bind(mark.user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                sqlx::query($crate::db::review_sql::INSERT_MARK)
                    .bind(mark.episode_id.0)
                    .bind(mark.marked_on)
                    .bind(mark.reason.trim())
                    .bind(mark.user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                let row: $crate::db::review_rows::MarkRow =
                    sqlx::query_as(&$crate::db::review_sql::MARK_OF_EPISODE)
                        .bind(mark.episode_id.0)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into())
            }

            async fn remove_review_mark(
                &self,
                episode: app::model::EpisodeId,
                user_id: i64,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let removed = sqlx::query($crate::db::review_sql::REMOVE_MARKS)
                    .bind(episode.0)
                    .bind(chrono::Utc::now())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?
                    .rows_affected();
                if removed == 0 {
                    return Err(app::ports::StoreError::NotFound("review mark"));
                }
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn prepare_review(
                &self,
                prep: &app::case_review::NewReviewPrep,
            ) -> app::ports::StoreResult<app::case_review::ReviewPrep> {
                let mut tx = self.begin_write().await?;
                Self::open_episode_in(&mut tx, prep.episode_id).await?;
                sqlx::query($crate::db::review_sql::INSERT_PREP)
                    .bind(prep.episode_id.0)
                    .bind(prep.prepared_on)
                    .bind(prep.summary.trim())
                    .bind(prep.user_id)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                let row: $crate::db::review_rows::PrepRow =
                    sqlx::query_as($crate::db::review_sql::PREP_BY_EPISODE)
                        .bind(prep.episode_id.0)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into())
            }

            async fn defer_review(
                &self,
                d: &app::case_review::NewDeferral,
            ) -> app::ports::StoreResult<app::case_review::Deferral> {
                let mut tx = self.begin_write().await?;
                Self::open_episode_in(&mut tx, d.episode_id).await?;
                sqlx::query($crate::db::review_sql::INSERT_DEFERRAL)
                    .bind(d.episode_id.0)
                    .bind(d.clinic_id.0)
                    .bind(d.meets_on)
                    .bind(d.reason.trim())
                    .bind(d.user_id)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(
                        "the patient is already deferred from this meeting",
                    ))?;
                sqlx::query($crate::db::review_sql::MARK_ENTRY_DEFERRED)
                    .bind(d.episode_id.0)
                    .bind(d.clinic_id.0)
                    .bind(d.meets_on)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                let row: $crate::db::review_rows::DeferralRow =
                    sqlx::query_as($crate::db::review_sql::DEFERRAL)
                        .bind(d.episode_id.0)
                        .bind(d.meets_on)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into())
            }

            async fn start_meeting(
                &self,
                m: &app::case_review::NewMeeting,
                entries: &[app::case_review::MeetingEntry],
            ) -> app::ports::StoreResult<app::case_review::Meeting> {
                let mut tx = self.begin_write().await?;
                sqlx::query($crate::db::review_sql::INSERT_MEETING)
                    .bind(m.clinic_id.0)
                    .bind(m.meets_on)
                    .bind(m.attendees.trim())
                    .bind(m.user_id)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                let row: $crate::db::review_rows::MeetingRow =
                    sqlx::query_as(&$crate::db::review_sql::MEETING_ON)
                        .bind(m.clinic_id.0)
                        .bind(m.meets_on)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let meeting: app::case_review::Meeting = row.into();
                Self::insert_entries(&mut tx, meeting.id, entries).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(meeting)
            }

            async fn end_meeting(
                &self,
                id: app::case_review::MeetingId,
                entries: &[app::case_review::MeetingEntry],
            ) -> app::ports::StoreResult<app::case_review::Meeting> {
                let mut tx = self.begin_write().await?;
                Self::meeting_in(&mut tx, id).await?;
                Self::insert_entries(&mut tx, id, entries).await?;
                sqlx::query($crate::db::review_sql::END_MEETING)
                    .bind(id.0)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                let meeting = Self::meeting_in(&mut tx, id).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(meeting)
            }

            async fn meeting(
                &self,
                id: app::case_review::MeetingId,
            ) -> app::ports::StoreResult<Option<app::case_review::Meeting>> {
                use $crate::db::care_sql::Bind;
                let row: Option<$crate::db::review_rows::MeetingRow> = self
                    .fetch_one_bound(&$crate::db::review_sql::MEETING_BY_ID, &[Bind::Int(id.0)])
                    .await?;
                Ok(row.map(Into::into))
            }

            async fn meeting_on(
                &self,
                clinic: app::model::ClinicId,
                on: chrono::NaiveDate,
            ) -> app::ports::StoreResult<Option<app::case_review::Meeting>> {
                use $crate::db::care_sql::Bind;
                let row: Option<$crate::db::review_rows::MeetingRow> = self
                    .fetch_one_bound(
                        &$crate::db::review_sql::MEETING_ON,
                        &[Bind::Int(clinic.0), Bind::Date(on)],
                    )
                    .await?;
                Ok(row.map(Into::into))
            }

            async fn meetings(
                &self,
                clinic: app::model::ClinicId,
                limit: u32,
            ) -> app::ports::StoreResult<Vec<app::case_review::MeetingSummary>> {
                use $crate::db::care_sql::Bind;
                let rows: Vec<$crate::db::review_rows::MeetingSummaryRow> = self
                    .fetch_bound(
                        &$crate::db::review_sql::MEETINGS,
                        &[
                            Bind::Int(clinic.0),
                            Bind::Int(i64::from(limit.clamp(1, 500))),
                        ],
                    )
                    .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn meeting_record(
                &self,
                id: app::case_review::MeetingId,
            ) -> app::ports::StoreResult<Option<app::case_review::MeetingRecord>> {
                use $crate::db::care_sql::Bind;
                use $crate::db::review_rows as rows;
                let Some(meeting) = self.meeting(id).await? else {
                    return Ok(None);
                };
                let binds = [Bind::Int(id.0)];
                let reviews: Vec<rows::CaseReviewRow> = self
                    .fetch_bound(&$crate::db::review_sql::REVIEWS_OF_MEETING, &binds)
                    .await?;
                let recs: Vec<rows::RecommendationRow> = self
                    .fetch_bound(&$crate::db::review_sql::RECOMMENDATIONS_OF_MEETING, &binds)
                    .await?;
                let mut reviews: std::collections::HashMap<_, _> = rows::attach(reviews, recs)?
                    .into_iter()
                    .map(|r| (r.episode_id, r))
                    .collect();
                let entries: Vec<rows::MeetingPatientRow> = self
                    .fetch_bound($crate::db::review_sql::ENTRIES_OF_MEETING, &binds)
                    .await?;
                let mut patients = Vec::with_capacity(entries.len());
                for row in entries {
                    let entry: app::case_review::MeetingEntry = row.entry.try_into()?;
                    patients.push(app::case_review::MeetingPatient {
                        patient_id: app::model::PatientId(row.patient_id),
                        episode_id: entry.episode_id,
                        name: format!("{}, {}", row.family_name, row.given_name),
                        outcome: entry.outcome,
                        carried_weeks: entry.carried_weeks,
                        review: reviews.remove(&entry.episode_id),
                    });
                }
                Ok(Some(app::case_review::MeetingRecord { meeting, patients }))
            }

            async fn record_review(
                &self,
                r: &app::case_review::NewCaseReview,
            ) -> app::ports::StoreResult<app::case_review::CaseReview> {
                let now = chrono::Utc::now();
                let mut tx = self.begin_write().await?;
                Self::meeting_in(&mut tx, r.meeting_id).await?;
                let bounds = Self::episode_bounds(&mut tx, r.episode_id).await?;
                $crate::db::care::check_in_episode("review", r.reviewed_on, &bounds)?;
                let existing: Option<i64> =
                    sqlx::query_scalar($crate::db::review_sql::CASE_REVIEW_ID)
                        .bind(r.meeting_id.0)
                        .bind(r.episode_id.0)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let id = match existing {
                    Some(id) => {
                        let note = r.note.trim();
                        if !note.is_empty() {
                            let old = Self::review_in(&mut tx, id).await?.note;
                            let joined = if old.is_empty() {
                                note.to_owned()
                            } else {
                                format!("{old}\n{note}")
                            };
                            sqlx::query($crate::db::review_sql::SET_REVIEW_NOTE)
                                .bind(id)
                                .bind(joined)
                                .execute(&mut *tx)
                                .await
                                .map_err($crate::db::common::conflict_on_unique(""))?;
                        }
                        id
                    }
                    None => sqlx::query_scalar($crate::db::review_sql::INSERT_CASE_REVIEW)
                        .bind(r.meeting_id.0)
                        .bind(r.episode_id.0)
                        .bind(r.reviewed_on)
                        .bind(r.user_id)
                        .bind(r.note.trim())
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::conflict_on_unique(""))?,
                };
                if let Some(rec) = &r.recommendation {
                    sqlx::query($crate::db::review_sql::INSERT_RECOMMENDATION)
                        .bind(id)
                        .bind(r.episode_id.0)
                        .bind(rec.kind.code())
                        .bind(rec.details.trim())
                        .bind(rec.due_on)
                        .bind(r.user_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::db::common::conflict_on_unique(""))?;
                }
                sqlx::query($crate::db::review_sql::UPSERT_ENTRY)
                    .bind(r.meeting_id.0)
                    .bind(r.episode_id.0)
                    .bind(app::domain::MeetingOutcome::Reviewed.code())
                    .bind(i64::from(r.carried_weeks))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique(""))?;
                let review = Self::review_in(&mut tx, id).await?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(review)
            }

            async fn tasks(
                &self,
                scope: &app::case_review::TaskScope,
            ) -> app::ports::StoreResult<Vec<app::case_review::Task>> {
                use $crate::db::care_sql::Bind;
                let rows: Vec<$crate::db::review_rows::TaskRow> = self
                    .fetch_bound(
                        &$crate::db::review_sql::TASKS,
                        &[
                            Bind::Int(scope.clinic_id.0),
                            Bind::OptInt(scope.care_manager_id),
                        ],
                    )
                    .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn recommendation(
                &self,
                id: app::case_review::RecommendationId,
            ) -> app::ports::StoreResult<
                Option<(app::case_review::Recommendation, app::model::Owner)>,
            > {
                use sqlx::FromRow as _;
                let row = sqlx::query(&$crate::db::review_sql::RECOMMENDATION_WITH_OWNER)
                    .bind(id.0)
                    .fetch_optional(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                let Some(row) = row else { return Ok(None) };
                let rec = $crate::db::review_rows::RecommendationRow::from_row(&row)
                    .map_err($crate::db::common::map_err)?;
                let owner = $crate::db::care_rows::OwnerRow::from_row(&row)
                    .map_err($crate::db::common::map_err)?;
                Ok(Some((rec.into_parts()?.1, owner.into())))
            }

            async fn update_task(
                &self,
                u: &app::case_review::TaskUpdate,
            ) -> app::ports::StoreResult<app::case_review::Recommendation> {
                let now = chrono::Utc::now();
                let mut tx = self.begin_write().await?;
                let current: Option<$crate::db::review_rows::RecommendationRow> =
                    sqlx::query_as(&$crate::db::review_sql::RECOMMENDATION_BY_ID)
                        .bind(u.id.0)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                let (_, current) = current
                    .ok_or(app::ports::StoreError::NotFound("recommendation"))?
                    .into_parts()?;
                if current.version != u.expected_version {
                    return Err(app::ports::StoreError::Conflict(
                        app::model::STALE_EDIT.to_owned(),
                    ));
                }
                sqlx::query($crate::db::review_sql::UPDATE_TASK)
                    .bind(u.id.0)
                    .bind(u.expected_version)
                    .bind(u.status.code())
                    .bind(now)
                    .bind(u.user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if let Some((on, description)) = &u.treatment_change {
                    let bounds = Self::episode_bounds(&mut tx, current.episode_id).await?;
                    $crate::db::care::check_in_episode("treatment change", *on, &bounds)?;
                    sqlx::query($crate::db::care_sql::INSERT_TREATMENT_CHANGE)
                        .bind(current.episode_id.0)
                        .bind(*on)
                        .bind(description.trim())
                        .bind(u.user_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::db::common::conflict_on_unique(""))?;
                }
                let row: $crate::db::review_rows::RecommendationRow =
                    sqlx::query_as(&$crate::db::review_sql::RECOMMENDATION_BY_ID)
                        .bind(u.id.0)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into_parts()?.1)
            }
        }
    };
}

pub(crate) use impl_review_store;
