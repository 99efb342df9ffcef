//! Web push: Herald's VAPID key, made once and kept, and each user's
//! devices (push subscriptions).

use herald::{Category, UserId};

use super::params::Params;
use super::rows::json_array;
use super::{Store, StoreError, now_ms};

/// A browser's push subscription, as it hands it over.
pub struct Device<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
}

/// A device to push to.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PushTarget {
    pub id: i64,
    pub user_id: UserId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl Store {
    /// The stored VAPID private key; `make` makes one if there is none yet.
    /// Instances starting together agree on the first one stored.
    pub async fn vapid_key(&self, make: impl FnOnce() -> String) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO vapid_keys (id, private_key, created_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(make())
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT private_key FROM vapid_keys WHERE id = 1")
                .fetch_one(&self.writer)
                .await?,
        )
    }

    /// Stores a device of `user`'s, turned on from sign-in `session` (made
    /// with password `epoch`); an endpoint already known moves to them (a
    /// browser signed in as someone else now), and of `user`'s devices
    /// only the newest `keep` stay. Stores nothing, and answers
    /// false, if that sign-in has ended: the user's row is held, so a
    /// password change or deactivation (which forget devices with it)
    /// comes wholly before or after.
    pub async fn subscribe_push(
        &self,
        user: UserId,
        epoch: i64,
        session: &str,
        device: Device<'_>,
        keep: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        self.lock_user(&mut tx, user).await?;
        let valid: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE id = $1 AND auth_epoch = $2 AND deactivated_at IS NULL",
        )
        .bind(user)
        .bind(epoch)
        .fetch_optional(&mut *tx)
        .await?;
        if valid.is_none() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
             session_id = excluded.session_id, p256dh = excluded.p256dh, auth = excluded.auth, \
             created_at = excluded.created_at",
        )
        .bind(user)
        .bind(session)
        .bind(device.endpoint)
        .bind(device.p256dh)
        .bind(device.auth)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        // At most `keep` devices a user: the ones turned on longest ago go.
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = $1 AND id NOT IN \
             (SELECT id FROM push_subscriptions WHERE user_id = $1 \
              ORDER BY created_at DESC, id DESC LIMIT $2)",
        )
        .bind(user)
        .bind(keep)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Forgets one of `user`'s devices.
    pub async fn unsubscribe_push(&self, user: UserId, endpoint: &str) -> Result<(), StoreError> {
        self.write(
            sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2")
                .bind(user)
                .bind(endpoint),
        )
        .await?;
        Ok(())
    }

    /// This browser, signed in as `user` with sign-in `session`, holds the
    /// subscription `endpoint`: a device stored for it under another user
    /// (a previous user of the browser, whose cookies were cleared without
    /// signing out) is forgotten, so their notifications are no longer
    /// pushed here; the same user's device moves to this sign-in, so
    /// signing in again keeps push on. Whether another user's was forgotten.
    pub async fn claim_push_endpoint(
        &self,
        user: UserId,
        session: &str,
        endpoint: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        let forgotten =
            sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1 AND user_id <> $2")
                .bind(endpoint)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        sqlx::query(
            "UPDATE push_subscriptions SET session_id = $3 WHERE endpoint = $1 AND user_id = $2 \
             AND (session_id IS NULL OR session_id <> $3)",
        )
        .bind(endpoint)
        .bind(user)
        .bind(session)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(forgotten.rows_affected() > 0)
    }

    /// Forgets the devices turned on from sign-in `session` (it signed out).
    pub async fn forget_session_devices(&self, session: &str) -> Result<(), StoreError> {
        self.write(
            sqlx::query("DELETE FROM push_subscriptions WHERE session_id = $1").bind(session),
        )
        .await?;
        Ok(())
    }

    /// Forgets the devices whose sign-in ended without a sign-out: its
    /// session expired and is gone from `sessions` (the session table).
    pub async fn forget_devices_of_ended_sessions(
        &self,
        sessions: &'static str,
    ) -> Result<u64, StoreError> {
        let forgotten = sqlx::query(&format!(
            "DELETE FROM push_subscriptions WHERE session_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {sessions} t WHERE t.id = push_subscriptions.session_id)"
        ))
        .execute(&self.writer)
        .await?;
        Ok(forgotten.rows_affected())
    }

    /// Whether `endpoint` is one of `user`'s devices (a browser may hold a
    /// subscription Herald forgot, or one of a user signed out before).
    pub async fn is_push_device(&self, user: UserId, endpoint: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2",
        )
        .bind(user)
        .bind(endpoint)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Forgets a device its push service says is gone.
    pub async fn drop_push_target(&self, id: i64) -> Result<(), StoreError> {
        self.write(sqlx::query("DELETE FROM push_subscriptions WHERE id = $1").bind(id))
            .await?;
        Ok(())
    }

    /// How many devices `user` gets pushes on.
    pub async fn push_devices(&self, user: UserId) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(id) FROM push_subscriptions WHERE user_id = $1")
                .bind(user)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The devices of `users` whose push setting for `category` is on,
    /// and whose sign-in still stands: its session (in table `sessions`)
    /// not ended or expired, even if the purge job has not forgotten the
    /// device yet.
    pub async fn push_targets(
        &self,
        users: &[UserId],
        category: Category,
        sessions: &'static str,
    ) -> Result<Vec<PushTarget>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = Params::default();
        let listed = self.engine.json_ids(&params.bind(json_array(users)?)?);
        let category = params.bind(category.as_str())?;
        let unexpired = self.engine.session_unexpired("t");
        let sql = format!(
            "SELECT s.id, s.user_id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s \
             WHERE s.user_id IN ({listed}) AND NOT EXISTS (SELECT 1 FROM preferences p \
                   WHERE p.user_id = s.user_id AND p.category = {category} AND p.push = 0) \
             AND EXISTS (SELECT 1 FROM {sessions} t WHERE t.id = s.session_id AND {unexpired})"
        );
        Ok(sqlx::query_as_with(&sql, params.into_args())
            .fetch_all(&self.pool)
            .await?)
    }
}
