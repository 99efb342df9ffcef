//! Idempotency-Key records: claimed in the same transaction as the send
//! they answer, so a retried request replays the first one's response and
//! never stores a second send.

use super::rows::{Delivered, Queued};
use super::{IDEMPOTENCY_MS, StoreError, Tx};

/// An Idempotency-Key claimed in the same transaction as the send it
/// answers: both are stored, or neither.
pub struct Remember {
    pub api_key: i64,
    pub key: String,
    pub request_hash: Vec<u8>,
    /// The response to replay, made from what was stored.
    pub response: fn(Stored<'_>) -> String,
}

/// What a send stored, for the response an Idempotency-Key replays.
pub enum Stored<'a> {
    /// Every recipient's copy (named recipients).
    Copies(&'a [Delivered]),
    /// A send to everyone or a role, fanning out in the background.
    Queued(&'a Queued),
}

/// Claims `remember`'s key inside `tx`, answered with `status`; an
/// unexpired claim of another request (committed, since writes take turns)
/// makes this one a replay.
pub(super) async fn claim_key(
    tx: &mut Tx<'_>,
    remember: &Remember,
    status: u16,
    now: i64,
) -> Result<(), StoreError> {
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys \
         (api_key_id, key, request_hash, status, response, created_at) \
         VALUES ($1, $2, $3, $4, '', $5) \
         ON CONFLICT (api_key_id, key) DO UPDATE SET request_hash = excluded.request_hash, \
         status = excluded.status, response = excluded.response, created_at = excluded.created_at \
         WHERE idempotency_keys.created_at <= $6",
    )
    .bind(remember.api_key)
    .bind(&remember.key)
    .bind(&remember.request_hash)
    .bind(i64::from(status))
    .bind(now)
    .bind(now - IDEMPOTENCY_MS)
    .execute(&mut **tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(StoreError::IdempotencyKeyUsed);
    }
    Ok(())
}

/// Stores the response a claimed key replays.
pub(super) async fn store_response(
    tx: &mut Tx<'_>,
    remember: &Remember,
    response: String,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE idempotency_keys SET response = $3 WHERE api_key_id = $1 AND key = $2")
        .bind(remember.api_key)
        .bind(&remember.key)
        .bind(response)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
