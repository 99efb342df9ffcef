//! Notifications: creating them for an audience, and counting unread ones.

use std::collections::HashMap;

use herald::{Audience, NewNotification, Notification, UserId};
use sqlx::FromRow;

use super::{Store, StoreError, now_ms};

/// A notification as stored for one recipient, with their unread count
/// right after it: exactly what that recipient's connections are sent.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub user_id: UserId,
    pub notification: Notification,
    pub unread: i64,
}

#[derive(FromRow)]
struct NotificationRow {
    id: i64,
    seq: i64,
    title: String,
    body: String,
    link: Option<String>,
    created_at: i64,
    read_at: Option<i64>,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Notification {
        Notification {
            id: row.id,
            seq: row.seq,
            title: row.title,
            body: row.body,
            link: row.link,
            created_at: row.created_at,
            read_at: row.read_at,
        }
    }
}

impl Store {
    /// Stores `content` for every user in `audience`, each under the next
    /// number of that user's sequence, all in one transaction: either every
    /// recipient gets it or none does.
    pub async fn create_notifications(
        &self,
        audience: &Audience,
        content: &NewNotification,
    ) -> Result<Vec<Delivered>, StoreError> {
        let created_at = now_ms();
        let mut tx = self.pool.begin().await?;

        // The UPDATE takes SQLite's write lock first, so concurrent senders
        // queue here and sequence numbers never collide.
        let (bump, insert) = match audience {
            Audience::User { .. } => (
                "UPDATE users SET last_seq = last_seq + 1 WHERE id = ?1",
                "INSERT INTO notifications (user_id, seq, title, body, link, created_at) \
                 SELECT id, last_seq, ?2, ?3, ?4, ?5 FROM users WHERE id = ?1 \
                 RETURNING id, user_id, seq",
            ),
            Audience::Everyone => (
                "UPDATE users SET last_seq = last_seq + 1 WHERE ?1 IS NULL",
                "INSERT INTO notifications (user_id, seq, title, body, link, created_at) \
                 SELECT id, last_seq, ?2, ?3, ?4, ?5 FROM users WHERE ?1 IS NULL \
                 RETURNING id, user_id, seq",
            ),
        };
        let only = match audience {
            Audience::User { id } => Some(*id),
            Audience::Everyone => None,
        };
        sqlx::query(bump).bind(only).execute(&mut *tx).await?;
        let rows: Vec<(i64, UserId, i64)> = sqlx::query_as(insert)
            .bind(only)
            .bind(&content.title)
            .bind(&content.body)
            .bind(&content.link)
            .bind(created_at)
            .fetch_all(&mut *tx)
            .await?;
        if let (Some(id), true) = (only, rows.is_empty()) {
            return Err(StoreError::UnknownUser(id));
        }

        let counts: HashMap<UserId, i64> = sqlx::query_as(
            "SELECT user_id, COUNT(id) FROM notifications \
             WHERE read_at IS NULL AND (?1 IS NULL OR user_id = ?1) GROUP BY user_id",
        )
        .bind(only)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        tx.commit().await?;

        Ok(rows
            .into_iter()
            .map(|(id, user_id, seq)| Delivered {
                user_id,
                unread: counts.get(&user_id).copied().unwrap_or_default(),
                notification: Notification {
                    id,
                    seq,
                    title: content.title.clone(),
                    body: content.body.clone(),
                    link: content.link.clone(),
                    created_at,
                    read_at: None,
                },
            })
            .collect())
    }

    /// The user's notifications with `after < seq <= up_to`, oldest first:
    /// what a reconnecting client missed.
    pub async fn missed(
        &self,
        user: UserId,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        Ok(sqlx::query_as::<_, NotificationRow>(
            "SELECT id, seq, title, body, link, created_at, read_at FROM notifications \
             WHERE user_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq",
        )
        .bind(user)
        .bind(after)
        .bind(up_to)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Notification::from)
        .collect())
    }

    /// The user's newest `limit` notifications, newest first.
    pub async fn recent(&self, user: UserId, limit: i64) -> Result<Vec<Notification>, StoreError> {
        Ok(sqlx::query_as::<_, NotificationRow>(
            "SELECT id, seq, title, body, link, created_at, read_at FROM notifications \
             WHERE user_id = ?1 ORDER BY seq DESC LIMIT ?2",
        )
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Notification::from)
        .collect())
    }

    /// The user's unread count and the sequence number it is valid at.
    pub async fn unread(&self, user: UserId) -> Result<(i64, i64), StoreError> {
        sqlx::query_as(
            "SELECT (SELECT COUNT(id) FROM notifications WHERE user_id = ?1 AND read_at IS NULL), \
                    last_seq \
             FROM users WHERE id = ?1",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::UnknownUser(user))
    }
}
