//! The `TokenStore` part of the store (API tokens), written once for both backends like
//! `impl_care_store!`.

use app::accounts::ApiToken;
use chrono::{DateTime, Utc};

/// A stored token with its user's email, and the user's row for sign-in by token.
#[derive(Debug, sqlx::FromRow)]
pub struct TokenRow {
    pub token_id: i64,
    pub user_id: i64,
    pub user_email: String,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenRow {
    pub fn into_token(self) -> ApiToken {
        ApiToken {
            id: self.token_id,
            user_id: self.user_id,
            user_email: self.user_email,
            name: self.name,
            prefix: self.prefix,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        }
    }
}

/// A token found by its hash, with the whole user row.
#[derive(Debug, sqlx::FromRow)]
pub struct TokenUserRow {
    #[sqlx(flatten)]
    pub token: TokenRow,
    #[sqlx(flatten)]
    pub user: crate::db::rows::UserRow,
}

const TOKEN_COLUMNS: &str = "t.id AS token_id, t.user_id, u.email AS user_email, t.name, \
     t.prefix, t.created_at, t.last_used_at, t.revoked_at";

pub static INSERT_TOKEN: &str = "INSERT INTO api_tokens (user_id, name, token_hash, prefix, \
     created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";

pub static TOKEN_BY_ID: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1"
    )
});

pub static TOKEN_BY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {TOKEN_COLUMNS}, u.id, u.email, u.display_name, u.role, u.password_hash, \
         u.active FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
    )
});

pub static LIST_TOKENS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
         ORDER BY t.id DESC"
    )
});

pub static REVOKE_TOKEN: &str =
    "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1";
pub static TOUCH_TOKEN: &str = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";

macro_rules! impl_token_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl app::ports::TokenStore for $store {
            async fn create_api_token(
                &self,
                t: &app::accounts::NewApiToken,
            ) -> app::ports::StoreResult<app::accounts::ApiToken> {
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar($crate::db::token::INSERT_TOKEN)
                    .bind(t.user_id)
                    .bind(t.name.as_str())
                    .bind(t.token_hash.as_str())
                    .bind(t.prefix.as_str())
                    .bind(t.created_at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($crate::db::common::conflict_on_unique("token collision"))?;
                let row: $crate::db::token::TokenRow =
                    sqlx::query_as(&$crate::db::token::TOKEN_BY_ID)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into_token())
            }

            async fn api_token_by_hash(
                &self,
                token_hash: &str,
            ) -> app::ports::StoreResult<Option<(app::accounts::ApiToken, app::accounts::User)>>
            {
                let row: Option<$crate::db::token::TokenUserRow> =
                    sqlx::query_as(&$crate::db::token::TOKEN_BY_HASH)
                        .bind(token_hash)
                        .fetch_optional(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let (user, _) = self.with_clinics(row.user).await?;
                Ok(Some((row.token.into_token(), user)))
            }

            async fn list_api_tokens(
                &self,
            ) -> app::ports::StoreResult<Vec<app::accounts::ApiToken>> {
                let rows: Vec<$crate::db::token::TokenRow> =
                    sqlx::query_as(&$crate::db::token::LIST_TOKENS)
                        .fetch_all(self.read_pool())
                        .await
                        .map_err($crate::db::common::map_err)?;
                Ok(rows
                    .into_iter()
                    .map($crate::db::token::TokenRow::into_token)
                    .collect())
            }

            async fn revoke_api_token(
                &self,
                id: i64,
                at: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<app::accounts::ApiToken> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query($crate::db::token::REVOKE_TOKEN)
                    .bind(id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                if done.rows_affected() == 0 {
                    return Err(app::ports::StoreError::NotFound("token"));
                }
                let row: $crate::db::token::TokenRow =
                    sqlx::query_as(&$crate::db::token::TOKEN_BY_ID)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)?;
                Ok(row.into_token())
            }

            async fn touch_api_token(
                &self,
                id: i64,
                at: chrono::DateTime<chrono::Utc>,
            ) -> app::ports::StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query($crate::db::token::TOUCH_TOKEN)
                    .bind(id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::db::common::map_err)?;
                tx.commit().await.map_err($crate::db::common::map_err)
            }
        }
    };
}

pub(crate) use impl_token_store;
