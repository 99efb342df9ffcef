//! Who is connected to which instance (PostgreSQL; one instance on SQLite
//! knows from its own hub). Each instance writes its own rows and a
//! heartbeat; rows of an instance whose heartbeat stopped are ignored, and
//! replaced when it comes back.

use herald::UserId;

use super::params::Params;
use super::rows::json_array;
use super::{Store, StoreError, now_ms};

/// Instances unseen for this long count for nothing.
const STALE_MS: i64 = 15_000;

impl Store {
    /// Records that `instance` is alive at `now`.
    pub async fn instance_alive(&self, instance: &str, now: i64) -> Result<(), StoreError> {
        self.write(
            sqlx::query(
                "INSERT INTO instances (id, seen_at) VALUES ($1, $2) \
                 ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            )
            .bind(instance)
            .bind(now),
        )
        .await?;
        Ok(())
    }

    /// Users who connected to `instance` (`joined`) or left it (`left`).
    pub async fn set_presence(
        &self,
        instance: &str,
        joined: &[UserId],
        left: &[UserId],
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut params = Params::default();
        let instance_at = params.bind(instance)?;
        let ids = self.engine.json_ids(&params.bind(json_array(left)?)?);
        let sql =
            format!("DELETE FROM presence WHERE instance = {instance_at} AND user_id IN ({ids})");
        sqlx::query_with(&sql, params.into_args())
            .execute(&mut *tx)
            .await?;
        let mut params = Params::default();
        let instance_at = params.bind(instance)?;
        let ids = self.engine.json_ids(&params.bind(json_array(joined)?)?);
        let sql = format!(
            "INSERT INTO presence (instance, user_id) SELECT {instance_at}, j.value FROM ({ids}) j \
             ON CONFLICT DO NOTHING"
        );
        sqlx::query_with(&sql, params.into_args())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets `instance` and its presence (it is shutting down).
    pub async fn leave(&self, instance: &str) -> Result<(), StoreError> {
        self.write(sqlx::query("DELETE FROM instances WHERE id = $1").bind(instance))
            .await?;
        Ok(())
    }

    /// Which of `users` are connected to a live instance.
    pub async fn online(&self, users: &[UserId]) -> Result<Vec<UserId>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = Params::default();
        let ids = self.engine.json_ids(&params.bind(json_array(users)?)?);
        let since = params.bind(now_ms() - STALE_MS)?;
        let sql = format!(
            "SELECT DISTINCT p.user_id FROM presence p JOIN instances i ON i.id = p.instance \
             WHERE i.seen_at > {since} AND p.user_id IN ({ids})"
        );
        Ok(sqlx::query_scalar_with(&sql, params.into_args())
            .fetch_all(&self.pool)
            .await?)
    }
}
