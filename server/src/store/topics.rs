//! Topic subscriptions: who follows which topic (`herald::topics`). A send
//! to a topic fans out to its subscribers in the background
//! (`store/broadcasts.rs`); these are the lists it reads.

use herald::UserId;
use herald::topics::Subscription;

use super::rows::json_array;
use super::{Store, StoreError, now_ms};

/// One subscriber, as the API pages them.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscriber {
    pub user_id: UserId,
    pub external_id: Option<String>,
    pub since: i64,
}

impl Store {
    /// Subscribes `users` to `topic`; those already subscribed stay as
    /// they were. Returns how many were new.
    pub async fn subscribe(&self, topic: &str, users: &[UserId]) -> Result<u64, StoreError> {
        if users.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "INSERT INTO topic_subscriptions (topic, user_id, created_at) \
             SELECT $1, u.id, $3 FROM users u WHERE u.id IN ({}) \
             ON CONFLICT (topic, user_id) DO NOTHING",
            self.engine.json_ids("$2")
        );
        Ok(sqlx::query(&sql)
            .bind(topic)
            .bind(json_array(users)?)
            .bind(now_ms())
            .execute(&self.writer)
            .await?
            .rows_affected())
    }

    /// Unsubscribes `users` from `topic`; returns how many were subscribed.
    pub async fn unsubscribe(&self, topic: &str, users: &[UserId]) -> Result<u64, StoreError> {
        if users.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "DELETE FROM topic_subscriptions WHERE topic = $1 AND user_id IN ({})",
            self.engine.json_ids("$2")
        );
        Ok(sqlx::query(&sql)
            .bind(topic)
            .bind(json_array(users)?)
            .execute(&self.writer)
            .await?
            .rows_affected())
    }

    /// `topic`'s subscribers after user id `after`, in id order (keyset
    /// pages: none skipped or repeated whoever joins meanwhile).
    pub async fn subscribers(
        &self,
        topic: &str,
        after: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<Subscriber>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT t.user_id, u.external_id, t.created_at AS since \
             FROM topic_subscriptions t JOIN users u ON u.id = t.user_id \
             WHERE t.topic = $1 AND t.user_id > $2 ORDER BY t.user_id LIMIT $3",
        )
        .bind(topic)
        .bind(after.unwrap_or(0))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The topics `user` follows, by name.
    pub async fn topics_of(&self, user: UserId) -> Result<Vec<Subscription>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT topic, created_at FROM topic_subscriptions WHERE user_id = $1 ORDER BY topic",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(topic, since)| Subscription { topic, since })
            .collect())
    }
}
