//! The `ReportStore` part of the store, written once for both backends like `impl_care_store!`.

macro_rules! impl_report_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl app::ports::ReportStore for $store {
            async fn report_population(
                &self,
                scope: &app::reports::PopulationScope,
            ) -> app::ports::StoreResult<Vec<app::model::CaseloadEpisode>> {
                let binds = $crate::db::report::population_binds(scope);
                let sql = &*$crate::db::report_sql::POPULATION;
                let (episodes, scores, contacts, reviews) = tokio::try_join!(
                    self.fetch_bound(&sql.episodes, &binds),
                    self.fetch_bound(&$crate::db::report_sql::PACKED_SCORES, &binds),
                    self.fetch_bound(&$crate::db::report_sql::PACKED_CONTACTS, &binds),
                    self.fetch_bound(&sql.reviews, &binds),
                )?;
                $crate::db::report_rows::assemble_population(episodes, scores, contacts, reviews)
            }

            async fn outcome_episodes(
                &self,
                scope: &app::reports::PopulationScope,
            ) -> app::ports::StoreResult<Vec<app::domain::EpisodeData>> {
                use $crate::db::care_sql::Bind;
                let [a, b, c, d, e] = $crate::db::report::population_binds(scope);
                let even = [a, b, c, d, e, Bind::Int(0)];
                let mut odd = even.clone();
                odd[5] = Bind::Int(1);
                let sql = &*$crate::db::report_sql::OUTCOME_EPISODES;
                let (mut rows, more): (
                    Vec<$crate::db::report_rows::PackedChunkRow>,
                    Vec<$crate::db::report_rows::PackedChunkRow>,
                ) = tokio::try_join!(self.fetch_bound(sql, &even), self.fetch_bound(sql, &odd))?;
                rows.extend(more);
                $crate::db::report_rows::unpack_episodes(&rows)
            }

            async fn caseload_counts(
                &self,
                clinic: app::model::ClinicId,
                care_manager: Option<i64>,
                target: Option<app::domain::TargetCondition>,
            ) -> app::ports::StoreResult<Vec<app::reports::CaseloadCount>> {
                use $crate::db::care_sql::Bind;
                let rows: Vec<$crate::db::report_rows::CaseloadCountRow> = self
                    .fetch_bound(
                        $crate::db::report_sql::CASELOAD_COUNTS,
                        &[
                            Bind::Int(clinic.0),
                            Bind::OptInt(care_manager),
                            Bind::Text($crate::db::report_rows::target_code(target)),
                        ],
                    )
                    .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn billing_minutes(
                &self,
                clinic: app::model::ClinicId,
                month: app::domain::YearMonth,
            ) -> app::ports::StoreResult<Vec<app::reports::BillingMinutes>> {
                use $crate::db::care_sql::Bind;
                let (first, last) = app::domain::programme::month_bounds(month);
                let rows: Vec<$crate::db::report_rows::BillingMinutesRow> = self
                    .fetch_bound(
                        $crate::db::report_sql::BILLING_MINUTES,
                        &[Bind::Int(clinic.0), Bind::Date(first), Bind::Date(last)],
                    )
                    .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn measure_exclusions(
                &self,
                clinic: app::model::ClinicId,
            ) -> app::ports::StoreResult<Vec<app::domain::quality::PatientFacts>> {
                use $crate::db::care_sql::Bind;
                let rows: Vec<$crate::db::report_rows::ExclusionRow> = self
                    .fetch_bound(
                        $crate::db::report_sql::MEASURE_EXCLUSIONS,
                        &[Bind::Int(clinic.0)],
                    )
                    .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    };
}

pub(crate) use impl_report_store;

/// The binds of a report's population statements: clinic, care manager, enrollment period, and
/// the first day an episode must still have been open.
pub(crate) fn population_binds(
    scope: &app::reports::PopulationScope,
) -> [super::care_sql::Bind; 5] {
    use super::care_sql::Bind;
    let from = scope.enrolled_from.max(app::reports::earliest_date());
    [
        Bind::Int(scope.clinic.0),
        Bind::OptInt(scope.care_manager),
        Bind::Date(from),
        Bind::Date(scope.enrolled_to),
        Bind::Date(scope.open_since.unwrap_or(from).max(from)),
    ]
}
