//! The `SharedStateStore` part of the store (failed sign-ins and leases), written once for both
//! backends like `impl_token_store!`.

pub static INSERT_FAILURE: &str =
    "INSERT INTO sign_in_failures (key_hash, failed_at) VALUES ($1, $2)";
pub static COUNT_FAILURES: &str =
    "SELECT COUNT(*) FROM sign_in_failures WHERE key_hash = $1 AND failed_at > $2";
pub static CLEAR_FAILURES: &str = "DELETE FROM sign_in_failures WHERE key_hash = $1";
pub static PRUNE_FAILURES: &str = "DELETE FROM sign_in_failures WHERE failed_at < $1";
/// Takes a free or run-out lease, or renews one's own: one atomic statement, so two instances
/// asking at once cannot both get it.
pub static TRY_LEASE: &str = "INSERT INTO leases (name, holder, expires_at, runs) \
     VALUES ($1, $2, $3, 1) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
     expires_at = excluded.expires_at, runs = leases.runs + 1 \
     WHERE leases.expires_at <= $4 OR leases.holder = excluded.holder";
pub static RELEASE_LEASE: &str = "UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2";

macro_rules! impl_shared_state_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl app::ports::SharedStateStore for $store {
            async fn record_sign_in_failure(
                &self,
                keys: &[String],
                at: i64,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                for key in keys {
                    sqlx::query($crate::db::shared_state::INSERT_FAILURE)
                        .bind(key.as_str())
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                }
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn sign_in_failures_since(
                &self,
                key: &str,
                since: i64,
            ) -> app::ports::StoreResult<u64> {
                let n: i64 = sqlx::query_scalar($crate::db::shared_state::COUNT_FAILURES)
                    .bind(key)
                    .bind(since)
                    .fetch_one(self.read_pool())
                    .await
                    .map_err($crate::db::common::map_err)?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            async fn clear_sign_in_failures(&self, key: &str) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query($crate::db::shared_state::CLEAR_FAILURES)
                    .bind(key)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)
            }

            async fn prune_sign_in_failures(&self, before: i64) -> app::ports::StoreResult<u64> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::shared_state::PRUNE_FAILURES)
                    .bind(before)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(done.rows_affected())
            }

            async fn try_lease(
                &self,
                name: &str,
                holder: &str,
                now: i64,
                until: i64,
            ) -> app::ports::StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::shared_state::TRY_LEASE)
                    .bind(name)
                    .bind(holder)
                    .bind(until)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_lease(&self, name: &str, holder: &str) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query($crate::db::shared_state::RELEASE_LEASE)
                    .bind(name)
                    .bind(holder)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)
            }
        }
    };
}

pub(crate) use impl_shared_state_store;
