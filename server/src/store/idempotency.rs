//! Idempotency-Key records: claimed in the same transaction as the send
//! they answer, so a retried request replays the first one's response and
//! never stores a second send.

use super::dialect::Item::{Integer, Text};
use super::rows::{Delivered, Queued, json_array};
use super::{Engine, IDEMPOTENCY_MS, StoreError, Tx};

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

/// A key to claim, with the status and response it will replay.
pub(super) struct Claim<'a> {
    pub remember: &'a Remember,
    pub status: u16,
    pub response: String,
}

/// Claims every key of `claims` inside `tx` in one statement, each with
/// the response it replays (made from what the transaction stored, so
/// claimed at its end: the transaction is all or nothing either way). An
/// unexpired claim of another request (committed, since writers of the
/// same user take turns) makes this one a replay.
pub(super) async fn claim_keys(
    tx: &mut Tx<'_>,
    engine: Engine,
    claims: &[Claim<'_>],
    now: i64,
) -> Result<(), StoreError> {
    if claims.is_empty() {
        return Ok(());
    }
    let mut rows: Vec<(i64, &str, String, i64, &str)> = claims
        .iter()
        .map(|c| {
            let hash = c.remember.request_hash.iter().map(|b| format!("{b:02x}"));
            (
                c.remember.api_key,
                c.remember.key.as_str(),
                hash.collect(),
                i64::from(c.status),
                c.response.as_str(),
            )
        })
        .collect();
    // In key order: two transactions claiming the same keys wait for each
    // other in that order, never in a circle.
    rows.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let item = |i, kind| engine.json_item("k", i, kind);
    // (`WHERE true`: SQLite's parser needs it before ON CONFLICT.)
    let sql = format!(
        "INSERT INTO idempotency_keys \
         (api_key_id, key, request_hash, status, response, created_at) \
         SELECT {api_key}, {key}, {hash}, {status}, {response}, $2 FROM {keys} WHERE true \
         ORDER BY k.key \
         ON CONFLICT (api_key_id, key) DO UPDATE SET request_hash = excluded.request_hash, \
         status = excluded.status, response = excluded.response, \
         created_at = excluded.created_at \
         WHERE idempotency_keys.created_at <= $3",
        keys = engine.json_rows("$1", "k"),
        api_key = item(0, Integer),
        key = item(1, Text),
        hash = engine.unhex(&item(2, Text)),
        status = item(3, Integer),
        response = item(4, Text),
    );
    let claimed = sqlx::query(&sql)
        .bind(json_array(&rows)?)
        .bind(now)
        .bind(now - IDEMPOTENCY_MS)
        .execute(&mut **tx)
        .await?;
    if claimed.rows_affected() != rows.len() as u64 {
        return Err(StoreError::IdempotencyKeyUsed);
    }
    Ok(())
}
