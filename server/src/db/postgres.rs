//! The PostgreSQL store, used when `DATABASE_URL` is a `postgres://` URL.

use std::time::Duration;

use app::ports::{Backend, StoreError};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use super::care::impl_care_store;
use super::common::{impl_store, map_err};
use super::interop::impl_interop_store;
use super::report::impl_report_store;
use super::review::impl_review_store;
use super::self_report::impl_self_report_store;
use super::shared_state::impl_shared_state_store;
use super::token::impl_token_store;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url`. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(PgStore { pool })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    pub(crate) fn read_pool(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool.begin().await.map_err(map_err)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl_store!(PgStore, sqlx::Postgres, Backend::Postgres);
impl_care_store!(PgStore, sqlx::Postgres);
impl_review_store!(PgStore, sqlx::Postgres);
impl_report_store!(PgStore, sqlx::Postgres);
impl_token_store!(PgStore, sqlx::Postgres);
impl_interop_store!(PgStore, sqlx::Postgres);
impl_shared_state_store!(PgStore, sqlx::Postgres);
impl_self_report_store!(PgStore, sqlx::Postgres);
