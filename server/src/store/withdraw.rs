//! Taking notifications back: a sender's retraction of one notification
//! or a whole send (expiry is in `due.rs`). Each withdrawal is its owner's
//! next change and comes off their count.

use herald::{Notification, UserId};

use super::audit::record;
use super::groups::counted;
use super::rows::{COLUMNS, Changed, OwnedRow};
use super::{Announcement, Store, StoreError, Tx, now_ms};

impl Store {
    /// Withdraws a notification from its recipient's inbox and count.
    /// Returns the owner and the change to announce to them.
    pub async fn retract(&self, id: i64, by: &str) -> Result<Changed, StoreError> {
        let mut tx = self.writer.begin().await?;
        let changed = self
            .withdraw(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        // The last of a send to go marks the send retracted too, unless it
        // is still being written out (its fan-out would then stop short).
        sqlx::query(
            "UPDATE sends SET retracted_at = $2 WHERE retracted_at IS NULL \
             AND id = (SELECT send_id FROM notifications WHERE id = $1) \
             AND NOT EXISTS (SELECT 1 FROM notifications \
                             WHERE send_id = sends.id AND retracted_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM fanouts f WHERE f.send_id = sends.id)",
        )
        .bind(id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            by,
            "retract",
            &format!("notification #{id}"),
            &changed.notification.title,
        )
        .await?;
        self.commit_announcing(tx, &changed.announcements()).await?;
        Ok(changed)
    }

    /// Marks notification `id` withdrawn as its owner's next change, and
    /// takes it off their count. `None` if there is nothing to withdraw.
    async fn withdraw(&self, tx: &mut Tx<'_>, id: i64) -> Result<Option<Changed>, StoreError> {
        let owner: Option<UserId> =
            sqlx::query_scalar("SELECT user_id FROM notifications WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        let Some(owner) = owner else {
            return Ok(None);
        };
        self.lock_user(tx, owner).await?;
        let row: Option<OwnedRow> = sqlx::query_as(&format!(
            "UPDATE notifications SET retracted_at = $2, version = \
             (SELECT last_seq + 1 FROM users WHERE users.id = notifications.user_id) \
             WHERE id = $1 AND retracted_at IS NULL \
             RETURNING user_id AS owner, {COLUMNS}"
        ))
        .bind(id)
        .bind(now_ms())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let notification = Notification::from(row.row);
        let mut before = notification.clone();
        before.retracted_at = None;
        let unread = self
            .count_change(tx, row.owner, &before, &notification)
            .await?;
        Ok(Some(Changed {
            user: row.owner,
            notification,
            unread,
            changed: true,
            also: Vec::new(),
        }))
    }

    /// Withdraws every notification of a send still out, in one
    /// transaction: each recipient's next change, counts kept, and the send
    /// marked retracted last. Returns the changes to announce, one per
    /// recipient; retrying a retracted send changes nothing and returns none.
    pub async fn retract_send(&self, send: i64, by: &str) -> Result<Vec<Changed>, StoreError> {
        let at = now_ms();
        let mut tx = self.writer.begin().await?;
        // The send's row first, as its fan-out batches take it: a batch
        // either committed before this or finds the send retracted.
        self.lock_send(&mut tx, send).await?;
        self.lock_send_recipients(&mut tx, send).await?;
        sqlx::query("DELETE FROM fanouts WHERE send_id = $1")
            .bind(send)
            .execute(&mut *tx)
            .await?;
        let title: Option<String> = sqlx::query_scalar("SELECT title FROM sends WHERE id = $1")
            .bind(send)
            .fetch_optional(&mut *tx)
            .await?;
        let title = title.ok_or(StoreError::NotFound)?;
        // A send holds one notification per recipient, so each owner takes
        // exactly one sequence number here; the count drops by a row, unless
        // the copy shares its row with another counted one.
        let counts: Vec<(UserId, i64)> = sqlx::query_as(&format!(
            "UPDATE users SET last_seq = last_seq + 1, unread = unread - \
             (SELECT COUNT(n.id) FROM notifications n WHERE n.user_id = users.id AND n.send_id = $1 \
              AND {counted} AND (n.group_seq IS NULL OR NOT EXISTS \
                (SELECT 1 FROM notifications o WHERE o.user_id = n.user_id \
                 AND o.group_seq = n.group_seq AND o.id <> n.id AND {other}))) \
             WHERE id IN (SELECT user_id FROM notifications WHERE send_id = $1 AND retracted_at IS NULL) \
             RETURNING id, unread",
            counted = counted("n"),
            other = counted("o"),
        ))
        .bind(send)
        .fetch_all(&mut *tx)
        .await?;
        let rows: Vec<OwnedRow> = sqlx::query_as(&format!(
            "UPDATE notifications SET retracted_at = $2, \
             version = (SELECT last_seq FROM users WHERE users.id = notifications.user_id) \
             WHERE send_id = $1 AND retracted_at IS NULL RETURNING user_id AS owner, {COLUMNS}"
        ))
        .bind(send)
        .bind(at)
        .fetch_all(&mut *tx)
        .await?;
        let marked = sqlx::query(
            "UPDATE sends SET retracted_at = $2 WHERE id = $1 AND retracted_at IS NULL",
        )
        .bind(send)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Audited once: a retry changes nothing. A send still fanning out
        // may be retracted before any copy was written.
        if marked > 0 || !rows.is_empty() {
            record(
                &mut tx,
                by,
                "retract",
                &format!("send #{send}"),
                &format!("“{title}” from {} recipients", rows.len()),
            )
            .await?;
        }
        let counts: std::collections::HashMap<UserId, i64> = counts.into_iter().collect();
        let changes: Vec<Changed> = rows
            .into_iter()
            .map(|r| Changed {
                user: r.owner,
                unread: counts.get(&r.owner).copied().unwrap_or_default(),
                notification: r.row.into(),
                changed: true,
                also: Vec::new(),
            })
            .collect();
        let announcements: Vec<Announcement> =
            changes.iter().flat_map(Changed::announcements).collect();
        self.commit_announcing(tx, &announcements).await?;
        Ok(changes)
    }
}
