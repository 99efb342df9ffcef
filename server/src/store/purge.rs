//! Deleting what is no longer needed, so the database does not grow without
//! bound: expired idempotency records and, with a retention period, old
//! read (or retracted) notifications.

use std::time::Duration;

use super::{IDEMPOTENCY_MS, Store, StoreError};

/// Rows deleted per statement: each batch holds the write lock only briefly.
const BATCH: i64 = 5_000;

/// What one purge deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub idempotency_keys: u64,
    pub notifications: u64,
}

impl Store {
    /// Deletes idempotency records older than 24 hours at `now` (Unix ms)
    /// and, with `retention`, notifications read or retracted longer ago
    /// than that. Unread notifications are never deleted, so no count moves.
    pub async fn purge(&self, now: i64, retention: Option<Duration>) -> Result<Purged, StoreError> {
        let mut purged = Purged {
            idempotency_keys: self
                .delete_in_batches(
                    "DELETE FROM idempotency_keys WHERE (api_key_id, key) IN \
                     (SELECT api_key_id, key FROM idempotency_keys WHERE created_at <= $1 LIMIT $2)",
                    now - IDEMPOTENCY_MS,
                )
                .await?,
            notifications: 0,
        };
        if let Some(retention) = retention {
            let cutoff = now - retention.as_millis() as i64;
            purged.notifications = self
                .delete_in_batches(
                    "DELETE FROM notifications WHERE id IN \
                     (SELECT id FROM notifications WHERE read_at < $1 LIMIT $2)",
                    cutoff,
                )
                .await?
                + self
                    .delete_in_batches(
                        "DELETE FROM notifications WHERE id IN \
                         (SELECT id FROM notifications WHERE retracted_at < $1 LIMIT $2)",
                        cutoff,
                    )
                    .await?;
        }
        Ok(purged)
    }

    async fn delete_in_batches(&self, sql: &str, cutoff: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            let done = sqlx::query(sql)
                .bind(cutoff)
                .bind(BATCH)
                .execute(&self.writer)
                .await?
                .rows_affected();
            total += done;
            if done < BATCH as u64 {
                return Ok(total);
            }
        }
    }
}
