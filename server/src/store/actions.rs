//! Clicking a notification's action: recorded as the recipient's next
//! change (read, and `interacted_at` the first time), and for a webhook
//! action a delivery stored in the same transaction, which the webhook job
//! (`crate::jobs::webhooks`) then POSTs until it is answered.

use herald::{ActionSpec, Notification, UserId};
use serde_json::json;

use super::rows::{COLUMNS, NotificationRow, parse_actions};
use super::{Changed, Store, StoreError, now_ms};

/// A webhook to POST.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub url: String,
    pub body: String,
    pub attempts: i64,
}

/// What a click needs to know of the notification clicked.
#[derive(sqlx::FromRow)]
struct Clicked {
    actions: Option<String>,
    interacted_at: Option<i64>,
    read_at: Option<i64>,
    chosen_action: Option<i64>,
}

/// How many times a webhook is tried before it is given up.
pub const MAX_ATTEMPTS: i64 = 10;

impl Store {
    /// The user clicked action `index` of notification `id`: it is marked
    /// read and interacted as their next change. Webhook actions are one
    /// choice (Approve or Decline): the first one clicked is chosen and
    /// its delivery stored with the change, so a double click never POSTs
    /// twice and a second webhook action, once one is chosen, POSTs
    /// nothing; a link action never spends that choice. Another user's
    /// notification, or an action it does not have, is `NotFound`.
    pub async fn interact(
        &self,
        user: UserId,
        id: i64,
        index: usize,
    ) -> Result<(Changed, ActionSpec), StoreError> {
        let mut tx = self.writer.begin().await?;
        self.lock_user(&mut tx, user).await?;
        let found: Option<Clicked> = sqlx::query_as(
            "SELECT actions, interacted_at, read_at, chosen_action FROM notifications \
             WHERE id = $1 AND user_id = $2 AND retracted_at IS NULL",
        )
        .bind(id)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        let clicked = found.ok_or(StoreError::NotFound)?;
        let action = parse_actions(clicked.actions.as_deref())
            .into_iter()
            .nth(index)
            .ok_or(StoreError::NotFound)?;
        let chooses = action.webhook.is_some() && clicked.chosen_action.is_none();
        if clicked.interacted_at.is_some() && clicked.read_at.is_some() && !chooses {
            drop(tx);
            return Ok((self.unchanged(user, id).await?, action));
        }
        let now = now_ms();
        let choice = chooses.then(|| i64::try_from(index).unwrap_or(i64::MAX));
        let row: NotificationRow = sqlx::query_as(&format!(
            "UPDATE notifications SET version = (SELECT last_seq + 1 FROM users WHERE id = $2), \
             interacted_at = COALESCE(interacted_at, $3), read_at = COALESCE(read_at, $3), \
             chosen_action = COALESCE(chosen_action, $4) \
             WHERE id = $1 AND user_id = $2 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(user)
        .bind(now)
        .bind(choice)
        .fetch_one(&mut *tx)
        .await?;
        let after = Notification::from(row);
        let mut before = after.clone();
        before.read_at = clicked.read_at;
        if let (Some(url), true) = (&action.webhook, chooses) {
            let external: Option<String> =
                sqlx::query_scalar("SELECT external_id FROM users WHERE id = $1")
                    .bind(user)
                    .fetch_one(&mut *tx)
                    .await?;
            let body = json!({
                "type": "notification.action",
                "notification_id": id,
                "action": { "index": index, "label": action.label },
                "user": { "id": user, "external_id": external },
                "interacted_at": now,
            })
            .to_string();
            sqlx::query(
                "INSERT INTO webhook_deliveries (notification_id, url, body, next_at, created_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(id)
            .bind(url)
            .bind(body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let changed = self.finish_change(tx, user, &before, after).await?;
        Ok((changed, action))
    }

    /// Webhooks due by `now` (at most `limit`), oldest first.
    pub async fn due_webhooks(&self, now: i64, limit: i64) -> Result<Vec<Delivery>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, url, body, attempts FROM webhook_deliveries \
             WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= $1 \
             ORDER BY next_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Takes delivery `id` for one attempt until `until`, if it is still
    /// due (another instance may have taken it): whether this one may try.
    pub async fn claim_webhook(&self, id: i64, now: i64, until: i64) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE webhook_deliveries SET next_at = $3, attempts = attempts + 1 \
             WHERE id = $1 AND next_at <= $2 AND delivered_at IS NULL AND failed_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(until)
        .execute(&self.writer)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Puts delivery `id` off until `until` without counting an attempt
    /// (its receiving host is busy), if no instance has claimed it.
    pub async fn defer_webhook(&self, id: i64, until: i64) -> Result<(), StoreError> {
        self.write(
            sqlx::query(
                "UPDATE webhook_deliveries SET next_at = $2 \
                 WHERE id = $1 AND next_at < $2 AND delivered_at IS NULL AND failed_at IS NULL",
            )
            .bind(id)
            .bind(until),
        )
        .await?;
        Ok(())
    }

    /// Records an attempt's answer (`status`, 0 when none came): delivered
    /// on 2xx; otherwise tried again at `retry_at`, or given up with `None`.
    pub async fn webhook_attempted(
        &self,
        id: i64,
        status: u16,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let delivered = (200..300).contains(&status);
        self.write(
            sqlx::query(
                "UPDATE webhook_deliveries SET last_status = $2, \
                 delivered_at = CASE WHEN $3 = 1 THEN $4 ELSE NULL END, \
                 failed_at = CASE WHEN $3 = 0 AND $5 = 0 THEN $4 ELSE NULL END, \
                 next_at = CASE WHEN $5 = 1 THEN $6 ELSE next_at END \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(i64::from(status))
            .bind(i64::from(delivered))
            .bind(now)
            .bind(i64::from(retry_at.is_some()))
            .bind(retry_at.unwrap_or(now)),
        )
        .await?;
        Ok(())
    }

    /// Each delivery of notification `id`'s webhooks: attempts, last
    /// status, and whether it was delivered (for tests and support).
    pub async fn webhook_log(&self, id: i64) -> Result<Vec<(i64, Option<i64>, bool)>, StoreError> {
        let rows: Vec<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT attempts, last_status, delivered_at FROM webhook_deliveries \
             WHERE notification_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(attempts, status, delivered)| (attempts, status, delivered.is_some()))
            .collect())
    }
}
