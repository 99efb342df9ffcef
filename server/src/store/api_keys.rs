//! Keys for the integration API, users named by the caller's own ids, and
//! remembered responses for idempotent requests.

use herald::{Role, User, UserId};
use rand::Rng;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use super::{Store, StoreError, now_ms};

/// What an admin sees of a key: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The public start of the key (`hk_…`), to tell keys apart.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A remembered response to an idempotent request.
pub struct Remembered {
    pub request_hash: Vec<u8>,
    pub status: u16,
    pub response: String,
}

/// How long an Idempotency-Key is remembered.
pub const IDEMPOTENCY_MS: i64 = 24 * 60 * 60 * 1000;

fn random(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

impl Store {
    /// Creates a key; the returned secret is shown once and never stored.
    pub async fn create_api_key(&self, name: &str) -> Result<(ApiKey, String), StoreError> {
        let prefix = format!("hk_{}", random(8));
        let secret = random(32);
        let key: ApiKey = sqlx::query_as(
            "INSERT INTO api_keys (name, prefix, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4) \
             RETURNING id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(name)
        .bind(&prefix)
        .bind(sha256(secret.as_bytes()))
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok((key, format!("{prefix}_{secret}")))
    }

    /// The live key `token` stands for, if any: revoked keys, unknown
    /// prefixes and wrong secrets are all `None`.
    pub async fn api_key_for(&self, token: &str) -> Result<Option<ApiKey>, StoreError> {
        let Some((prefix, secret)) = token.rsplit_once('_') else {
            return Ok(None);
        };
        let row: Option<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT id, secret_hash FROM api_keys WHERE prefix = ?1 AND revoked_at IS NULL",
        )
        .bind(prefix)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, stored)) = row else {
            return Ok(None);
        };
        // Constant time, so the comparison leaks nothing about the hash.
        let given = sha256(secret.as_bytes());
        let same = given.len() == stored.len()
            && given
                .iter()
                .zip(&stored)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !same {
            return Ok(None);
        }
        let key = sqlx::query_as(
            "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 \
             RETURNING id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(id)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        Ok(key)
    }

    /// Every key, newest first.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes a key; it is refused from the next request on.
    pub async fn revoke_api_key(&self, id: i64) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
                .bind(id)
                .bind(now_ms())
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The user the calling application knows as `external_id`, created as a
    /// member (who cannot log in with a password) on first use.
    pub async fn user_by_external_id(&self, external_id: &str) -> Result<User, StoreError> {
        let username = format!("ext:{external_id}");
        // "!" is no valid password hash, so nobody can log in as this user.
        sqlx::query(
            "INSERT INTO users (username, password_hash, role, created_at, external_id) \
             VALUES (?1, '!', 'member', ?2, ?3) ON CONFLICT DO NOTHING",
        )
        .bind(&username)
        .bind(now_ms())
        .bind(external_id)
        .execute(&self.pool)
        .await?;
        let (id, name): (UserId, String) =
            sqlx::query_as("SELECT id, username FROM users WHERE external_id = ?1")
                .bind(external_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::UsernameTaken(username.clone()))?;
        Ok(User {
            id,
            username: name,
            role: Role::Member,
        })
    }

    /// The remembered response to `key` from this API key, within 24 hours.
    pub async fn remembered(
        &self,
        api_key: i64,
        key: &str,
    ) -> Result<Option<Remembered>, StoreError> {
        let row: Option<(Vec<u8>, i64, String)> = sqlx::query_as(
            "SELECT request_hash, status, response FROM idempotency_keys \
             WHERE api_key_id = ?1 AND key = ?2 AND created_at > ?3",
        )
        .bind(api_key)
        .bind(key)
        .bind(now_ms() - IDEMPOTENCY_MS)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(request_hash, status, response)| Remembered {
            request_hash,
            status: status as u16,
            response,
        }))
    }

    /// Remembers the response to `key` (replacing one older than 24 hours).
    pub async fn remember(
        &self,
        api_key: i64,
        key: &str,
        request_hash: &[u8],
        status: u16,
        response: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO idempotency_keys (api_key_id, key, request_hash, status, response, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT (api_key_id, key) DO UPDATE SET request_hash = excluded.request_hash, \
             status = excluded.status, response = excluded.response, created_at = excluded.created_at",
        )
        .bind(api_key)
        .bind(key)
        .bind(request_hash)
        .bind(status as i64)
        .bind(response)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
