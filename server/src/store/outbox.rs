//! Announcing a change in the transaction that makes it. On PostgreSQL the
//! change's messages are written to the `outbox` table under one batch
//! number, and `NOTIFY herald_events, '<batch>:<user ids>'` is issued before
//! the commit: PostgreSQL delivers it to every instance's listener only if
//! the transaction commits, in commit order. Nothing is announced that was
//! not committed, and nothing committed goes unannounced. On SQLite (one
//! instance) there is nothing to write: the in-process broker publishes
//! after the commit.

use herald::{ServerMessage, UserId};

use super::rows::json_array;
use super::{Engine, Store, StoreError, Tx, now_ms};

/// The channel that carries announcements.
pub const EVENTS_CHANNEL: &str = "herald_events";
/// The channel that carries connection endings (sign-outs, revocations).
pub const CONTROL_CHANNEL: &str = "herald_control";
/// NOTIFY payloads must stay under 8000 bytes; a batch whose recipients do
/// not fit names none (`*`), and every instance reads it.
const PAYLOAD_LIMIT: usize = 7_000;

/// One message of an announced batch: `(batch, recipient, seq, JSON)`.
pub type OutboxRow = (i64, UserId, i64, String);

/// A change to announce to one user's connections once it is committed.
#[derive(Clone, Debug, PartialEq)]
pub struct Announcement {
    pub user: UserId,
    pub message: ServerMessage,
}

/// What a NOTIFY on [`EVENTS_CHANNEL`] says: a batch, and its recipients
/// when they fit (`None`: anyone).
pub fn parse_payload(payload: &str) -> Option<(i64, Option<Vec<UserId>>)> {
    let (batch, users) = payload.split_once(':')?;
    let batch = batch.parse().ok()?;
    if users == "*" {
        return Some((batch, None));
    }
    let users = users
        .split(',')
        .map(str::parse)
        .collect::<Result<Vec<UserId>, _>>()
        .ok()?;
    Some((batch, Some(users)))
}

fn recipients(announcements: &[Announcement]) -> String {
    let mut users: Vec<UserId> = announcements.iter().map(|a| a.user).collect();
    users.sort_unstable();
    users.dedup();
    let listed = users
        .iter()
        .map(UserId::to_string)
        .collect::<Vec<_>>()
        .join(",");
    if listed.len() > PAYLOAD_LIMIT {
        "*".to_owned()
    } else {
        listed
    }
}

impl Store {
    /// Commits `tx` with `announcements` written in it: listeners hear of
    /// them when, and only if, it commits.
    pub(super) async fn commit_announcing(
        &self,
        mut tx: Tx<'_>,
        announcements: &[Announcement],
    ) -> Result<(), StoreError> {
        self.announce(&mut tx, announcements).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes `announcements` to the outbox and notifies every instance,
    /// inside `tx` (PostgreSQL; nothing on SQLite).
    pub(super) async fn announce(
        &self,
        tx: &mut Tx<'_>,
        announcements: &[Announcement],
    ) -> Result<(), StoreError> {
        if self.engine != Engine::Postgres || announcements.is_empty() {
            return Ok(());
        }
        let rows: Vec<(UserId, i64, String)> = announcements
            .iter()
            .map(|a| {
                let json = serde_json::to_string(&a.message)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((a.user, a.message.seq().unwrap_or_default(), json))
            })
            .collect::<Result<_, StoreError>>()?;
        let rows = serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "WITH b AS (SELECT nextval('outbox_batches') AS batch), \
             written AS (INSERT INTO outbox (batch, user_id, seq, message, created_at) \
                         SELECT b.batch, (e->>0)::bigint, (e->>1)::bigint, e->>2, $2 \
                         FROM b, json_array_elements($1::json) e) \
             SELECT pg_notify($3, b.batch || ':' || $4)::text FROM b",
        )
        .bind(rows)
        .bind(now_ms())
        .bind(EVENTS_CHANNEL)
        .bind(recipients(announcements))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The messages of announced batches, in one query: batch by batch in
    /// the order given (the order their notices arrived: commit order),
    /// each in the order it was written. Each row: its batch, recipient,
    /// the sequence number it is about, and the message as JSON.
    pub async fn outboxes(&self, batches: &[i64]) -> Result<Vec<OutboxRow>, StoreError> {
        let messages = sqlx::query_as(
            "SELECT o.batch, o.user_id, o.seq, o.message \
             FROM json_array_elements_text($1::json) WITH ORDINALITY AS b(batch, position) \
             JOIN outbox o ON o.batch = b.batch::bigint \
             ORDER BY b.position, o.id",
        )
        .bind(json_array(batches)?)
        .fetch_all(&self.pool)
        .await?;
        Ok(messages)
    }

    /// Deletes outbox rows written before `before` (Unix ms): listeners read
    /// each batch within moments, and one that fell behind catches up from
    /// the notifications themselves.
    pub async fn purge_outbox(&self, before: i64) -> Result<u64, StoreError> {
        if self.engine != Engine::Postgres {
            return Ok(0);
        }
        Ok(sqlx::query("DELETE FROM outbox WHERE created_at < $1")
            .bind(before)
            .execute(&self.writer)
            .await?
            .rows_affected())
    }

    /// Tells every instance (this one too) on `CONTROL_CHANNEL`; PostgreSQL only.
    pub async fn notify_control(&self, payload: &str) -> Result<(), StoreError> {
        self.write(
            sqlx::query("SELECT pg_notify($1, $2)::text")
                .bind(CONTROL_CHANNEL)
                .bind(payload),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_the_batch_and_its_recipients_when_they_fit() {
        assert_eq!(parse_payload("12:3,5"), Some((12, Some(vec![3, 5]))));
        assert_eq!(parse_payload("12:*"), Some((12, None)));
        assert_eq!(parse_payload("x:1"), None);
        assert_eq!(parse_payload("12"), None);
        let many: Vec<Announcement> = (1..=5_000)
            .map(|user| Announcement {
                user,
                message: ServerMessage::Heartbeat,
            })
            .collect();
        assert_eq!(recipients(&many), "*");
        assert_eq!(recipients(&many[..3]), "1,2,3");
    }
}
