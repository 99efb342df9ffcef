//! Keys for the integration API, users named by the caller's own ids, and
//! remembered responses for idempotent requests.

use herald::{Role, User, UserId};
use rand::Rng;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use super::audit::record;
use super::{Store, StoreError, now_ms};

/// How stale a key's "last used" time may get: it is written at most this
/// often, so API traffic does not turn into a stream of writes.
pub const LAST_USED_GRANULARITY_MS: i64 = 60_000;

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

/// A live key with its secret's hash, as looked up by prefix.
#[derive(FromRow)]
struct KeyRow {
    secret_hash: Vec<u8>,
    id: i64,
    name: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
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
    pub async fn create_api_key(
        &self,
        name: &str,
        by: &str,
    ) -> Result<(ApiKey, String), StoreError> {
        let prefix = format!("hk_{}", random(8));
        let secret = random(32);
        let mut tx = self.writer.begin().await?;
        let key: ApiKey = sqlx::query_as(
            "INSERT INTO api_keys (name, prefix, secret_hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(name)
        .bind(&prefix)
        .bind(sha256(secret.as_bytes()))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        record(&mut tx, by, "key.create", &key_label(&key), "").await?;
        tx.commit().await?;
        Ok((key, format!("{prefix}_{secret}")))
    }

    /// The live key `token` stands for, if any: revoked keys, unknown
    /// prefixes and wrong secrets are all `None`.
    pub async fn api_key_for(&self, token: &str) -> Result<Option<ApiKey>, StoreError> {
        let Some((prefix, secret)) = token.rsplit_once('_') else {
            return Ok(None);
        };
        let digest = sha256(token.as_bytes());
        if let Some(key) = self.checked_keys.get(&digest) {
            return Ok(Some(key));
        }
        let generation = self.checked_keys.generation();
        let row: Option<KeyRow> = sqlx::query_as(
            "SELECT secret_hash, id, name, prefix, created_at, last_used_at FROM api_keys \
             WHERE prefix = $1 AND revoked_at IS NULL",
        )
        .bind(prefix)
        .fetch_optional(&self.pool)
        .await?;
        let Some(KeyRow {
            secret_hash: stored,
            id,
            name,
            prefix,
            created_at,
            last_used_at,
        }) = row
        else {
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
        let key = ApiKey {
            id,
            name,
            prefix,
            created_at,
            last_used_at,
            revoked_at: None,
        };
        self.checked_keys.keep(generation, digest, key.clone());
        Ok(Some(key))
    }

    /// Records that `key` was used now, unless that was recorded less than
    /// [`LAST_USED_GRANULARITY_MS`] ago (checked before writing anything).
    pub async fn touch_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        let now = now_ms();
        if key
            .last_used_at
            .is_some_and(|at| now - at < LAST_USED_GRANULARITY_MS)
        {
            return Ok(());
        }
        self.write(
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(key.id)
            .bind(now)
            .bind(now - LAST_USED_GRANULARITY_MS),
        )
        .await?;
        // A key reused from memory must not look unused, or each request
        // would write this again until it is read afresh.
        self.checked_keys.update(|kept| {
            if kept.id == key.id {
                kept.last_used_at = Some(now);
            }
        });
        Ok(())
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
    pub async fn revoke_api_key(&self, id: i64, by: &str) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let key: Option<ApiKey> = sqlx::query_as(
            "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL \
             RETURNING id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(id)
        .bind(now_ms())
        .fetch_optional(&mut *tx)
        .await?;
        let key = key.ok_or(StoreError::NotFound)?;
        record(&mut tx, by, "key.revoke", &key_label(&key), "").await?;
        tx.commit().await?;
        self.forget_checks();
        Ok(())
    }

    /// The active user the calling application knows as `external_id`.
    pub async fn user_by_external_id(&self, external_id: &str) -> Result<Option<User>, StoreError> {
        let row: Option<(UserId, String)> = sqlx::query_as(
            "SELECT id, username FROM users WHERE external_id = $1 AND deactivated_at IS NULL",
        )
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, username)| User {
            id,
            username,
            role: Role::Member,
        }))
    }

    /// Like [`Store::user_by_external_id`], creating the user (a member who
    /// cannot log in with a password) on first use. `None`: deactivated.
    pub async fn external_user(&self, external_id: &str) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.user_by_external_id(external_id).await? {
            return Ok(Some(user));
        }
        // "!" is no valid password hash, and `credentials` skips external
        // users anyway: nobody can log in as one.
        sqlx::query(
            "INSERT INTO users (username, password_hash, role, created_at, external_id) \
             VALUES ($1, '!', 'member', $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(format!("ext:{external_id}"))
        .bind(now_ms())
        .bind(external_id)
        .execute(&self.writer)
        .await?;
        self.user_by_external_id(external_id).await
    }

    /// The Herald id of the user a send names by `external_id`, created on
    /// first use. Remembered: the pairing never changes (users are never
    /// deleted), and a deactivated user is skipped by the send itself, so
    /// a send asks the database once per external id, not once per request.
    pub async fn external_recipient(
        &self,
        external_id: &str,
    ) -> Result<Option<UserId>, StoreError> {
        let known = self.external_ids().get(external_id).copied();
        if known.is_some() {
            return Ok(known);
        }
        let Some(user) = self.external_user(external_id).await? else {
            // Deactivated: not remembered, the next send asks again.
            return Ok(None);
        };
        self.external_ids().insert(external_id.to_owned(), user.id);
        Ok(Some(user.id))
    }

    fn external_ids(&self) -> std::sync::MutexGuard<'_, hashlink::LruCache<String, UserId>> {
        // A cache: whatever a panic left in it is still a true pairing.
        self.external_ids.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The remembered response to `key` from this API key, within 24 hours.
    pub async fn remembered(
        &self,
        api_key: i64,
        key: &str,
    ) -> Result<Option<Remembered>, StoreError> {
        let row: Option<(Vec<u8>, i64, String)> = sqlx::query_as(
            "SELECT request_hash, status, response FROM idempotency_keys \
             WHERE api_key_id = $1 AND key = $2 AND created_at > $3",
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
}

/// How the audit log names a key.
pub fn key_label(key: &ApiKey) -> String {
    format!("API key “{}” ({})", key.name, key.prefix)
}
