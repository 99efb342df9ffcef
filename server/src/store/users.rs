//! Users, their credentials and roles. Usernames are compared in lower case
//! (they are ASCII, see `herald::check_username`), and there is always at
//! least one active admin.

use herald::{Role, User, UserId};
use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::{Any, FromRow};

use super::audit::record;
use super::params::Params;
use super::rows::json_array;
use super::{Counts, CountsRow, Engine, Store, StoreError, now_ms};

#[derive(FromRow)]
struct UserRow {
    id: i64,
    username: String,
    role: String,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<User, StoreError> {
        let role = Role::parse(&row.role).ok_or_else(|| {
            StoreError::Corrupt(format!("user {} has role {:?}", row.id, row.role))
        })?;
        Ok(User {
            id: row.id,
            username: row.username,
            role,
        })
    }
}

/// What a login checks: the user, their password hash, and the session
/// epoch a new session of theirs starts in.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub epoch: i64,
}

/// Leaves an admin in place: true unless `id` is the last active admin.
const NOT_LAST_ADMIN: &str = "(role <> 'admin' OR (SELECT COUNT(id) FROM users \
                              WHERE role = 'admin' AND deactivated_at IS NULL) > 1)";

/// What lets a user in, checked against the database on every use: the
/// user active and, for a connection token, the API key that minted it not
/// revoked; for a session, their auth epoch unchanged (no password change or
/// sign-out everywhere since).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pass {
    Token { key: i64 },
    Session { epoch: i64 },
}

impl Pass {
    /// The rows it lets in: user `$1`, with the key or epoch as `$2`.
    fn rows(self) -> &'static str {
        match self {
            Pass::Token { .. } => {
                "FROM users JOIN api_keys ON api_keys.id = $2 AND api_keys.revoked_at IS NULL \
                 WHERE users.id = $1 AND users.deactivated_at IS NULL"
            }
            Pass::Session { .. } => {
                "FROM users \
                 WHERE users.id = $1 AND users.auth_epoch = $2 AND users.deactivated_at IS NULL"
            }
        }
    }

    fn value(self) -> i64 {
        match self {
            Pass::Token { key } => key,
            Pass::Session { epoch } => epoch,
        }
    }
}

impl Store {
    /// Creates a user; `password_hash` is an argon2 PHC string. `by` is who
    /// did it, for the audit log.
    pub async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        by: &str,
    ) -> Result<User, StoreError> {
        let mut tx = self.writer.begin().await?;
        let user = insert_user(&mut tx, username, password_hash, role, by).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Creates `users` (username, argon2 hash, role) if the database has
    /// no users at all, all or none; false if it has some. Instances
    /// starting together on a new database take turns here, so exactly
    /// one of them creates the first users and the others find them.
    pub async fn create_first_users(
        &self,
        users: &[(&str, String, Role)],
        by: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        // Take the write lock before reading: on PostgreSQL by locking the
        // table against other writers; on SQLite (another process on the
        // same file) by a write that changes nothing, since a transaction
        // that read first could not take the lock after another writer.
        let lock = match self.engine {
            Engine::Postgres => "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE",
            Engine::Sqlite => "UPDATE users SET role = role WHERE id < 0",
        };
        sqlx::query(lock).execute(&mut *tx).await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(id) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Ok(false);
        }
        for (username, hash, role) in users {
            insert_user(&mut tx, username, hash, *role, by).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// An active user.
    pub async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.one_user(
            sqlx::query_as(
                "SELECT id, username, role FROM users WHERE id = $1 AND deactivated_at IS NULL",
            )
            .bind(id),
        )
        .await
    }

    /// The active user `pass` still lets in; an answer is reused for up to
    /// [`super::RECHECK`] (see `recent.rs`).
    pub async fn user_let_in(&self, id: UserId, pass: Pass) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.checked_passes.get(&(id, pass)) {
            return Ok(Some(user));
        }
        let generation = self.checked_passes.generation();
        let sql = format!(
            "SELECT users.id, users.username, users.role {}",
            pass.rows()
        );
        let user = self
            .one_user(sqlx::query_as(&sql).bind(id).bind(pass.value()))
            .await?;
        if let Some(user) = &user {
            self.checked_passes
                .keep(generation, (id, pass), user.clone());
        }
        Ok(user)
    }

    /// The user `query` reads, if any.
    async fn one_user<'q>(
        &self,
        query: QueryAs<'q, Any, UserRow, AnyArguments<'q>>,
    ) -> Result<Option<User>, StoreError> {
        query
            .fetch_optional(&self.pool)
            .await?
            .map(User::try_from)
            .transpose()
    }

    /// The unread count and latest sequence number of `id` while `pass`
    /// still lets them in (and the session of id `session`, if given,
    /// stands): a live connection's re-check and opening count in one read.
    pub async fn counts_let_in(
        &self,
        id: UserId,
        pass: Pass,
        session: Option<&str>,
    ) -> Result<Option<Counts>, StoreError> {
        // With a session's id, also that it still stands (not signed out
        // or expired): one read instead of the session's and then this.
        let standing = match session {
            Some(_) => format!(
                " AND EXISTS (SELECT 1 FROM {} t WHERE t.id = $3 AND {})",
                self.engine.sessions_table(),
                self.engine.session_unexpired("t")
            ),
            None => String::new(),
        };
        let sql = format!(
            "SELECT users.unread, users.last_seq {}{standing}",
            pass.rows()
        );
        let mut query = sqlx::query_as(&sql).bind(id).bind(pass.value());
        if let Some(session) = session {
            query = query.bind(session);
        }
        let row: Option<CountsRow> = query.fetch_optional(&self.pool).await?;
        Ok(row.map(Counts::from))
    }

    /// An active user who logs in with a password, by username in any case.
    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        let row: Option<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, username, role, password_hash, auth_epoch FROM users \
             WHERE lower(username) = $1 AND external_id IS NULL AND deactivated_at IS NULL",
        )
        .bind(herald::normalise_username(username))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, username, role, password_hash, epoch)| {
            Ok(Credentials {
                user: User::try_from(UserRow { id, username, role })?,
                password_hash,
                epoch,
            })
        })
        .transpose()
    }

    /// Replaces a user's password and starts a new session epoch, which ends
    /// every session opened before but `keep`, and forgets the push devices
    /// turned on from those. Returns the new epoch.
    pub async fn set_password(
        &self,
        user: &User,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let epoch: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET password_hash = $2, auth_epoch = auth_epoch + 1 \
             WHERE id = $1 AND deactivated_at IS NULL RETURNING auth_epoch",
        )
        .bind(user.id)
        .bind(password_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let epoch = epoch.ok_or(StoreError::NotFound)?;
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = $1 \
             AND (session_id IS NULL OR session_id <> $2)",
        )
        .bind(user.id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            &user.username,
            "password.change",
            &user.username,
            "other sessions ended",
        )
        .await?;
        tx.commit().await?;
        self.forget_checks();
        Ok(epoch)
    }

    /// Every active user, by username.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        sqlx::query_as::<_, UserRow>(
            "SELECT id, username, role FROM users WHERE deactivated_at IS NULL ORDER BY username",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
    }

    /// The active users among `names` (normalised usernames, at most a
    /// send's worth), found by name: never every user.
    pub async fn users_named(&self, names: &[String]) -> Result<Vec<User>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = Params::default();
        let listed = self.engine.json_texts(&params.bind(json_array(names)?)?);
        let sql = format!(
            "SELECT id, username, role FROM users \
             WHERE deactivated_at IS NULL AND lower(username) IN ({listed})"
        );
        sqlx::query_as_with::<_, UserRow, _>(&sql, params.into_args())
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(User::try_from)
            .collect()
    }

    /// Users whose name contains `search` (all when empty), newest first and
    /// older than `before` (an id), with their unread count and when they
    /// were deactivated, if they were.
    pub async fn user_list(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(User, i64, Option<i64>)>, StoreError> {
        let pattern = super::like_pattern(search);
        let rows: Vec<(i64, String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, username, role, unread, deactivated_at FROM users \
             WHERE lower(username) LIKE lower($1) ESCAPE '\\' AND id < $2 \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(pattern)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, username, role, unread, deactivated)| {
                Ok((
                    User::try_from(UserRow { id, username, role })?,
                    unread,
                    deactivated,
                ))
            })
            .collect()
    }

    /// Deactivates a user: they can no longer log in, and every session of
    /// theirs stops being accepted at once (each request checks). The last
    /// active admin cannot be deactivated.
    pub async fn deactivate(&self, id: UserId, by: &str) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        self.lock_admins(&mut tx).await?;
        let done: Option<String> = sqlx::query_scalar(&format!(
            "UPDATE users SET deactivated_at = $2 \
             WHERE id = $1 AND deactivated_at IS NULL AND {NOT_LAST_ADMIN} RETURNING username"
        ))
        .bind(id)
        .bind(now_ms())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(username) = done else {
            // Let the connection go before asking why: on PostgreSQL the
            // pool is the writer's, and a small one could run dry.
            drop(tx);
            return Err(self.why_unchanged(id).await?);
        };
        // Their devices stop showing their notifications at once.
        sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(&mut tx, by, "user.deactivate", &username, "").await?;
        tx.commit().await?;
        self.forget_checks();
        Ok(())
    }

    /// Lets a deactivated user log in again.
    pub async fn reactivate(&self, id: UserId, by: &str) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let done: Option<String> = sqlx::query_scalar(
            "UPDATE users SET deactivated_at = NULL \
             WHERE id = $1 AND deactivated_at IS NOT NULL RETURNING username",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let username = done.ok_or(StoreError::NotFound)?;
        record(&mut tx, by, "user.reactivate", &username, "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes an active user an admin or a member; the last active admin
    /// stays an admin.
    pub async fn set_role(&self, id: UserId, role: Role, by: &str) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        self.lock_admins(&mut tx).await?;
        let done: Option<String> = sqlx::query_scalar(&format!(
            "UPDATE users SET role = $2 WHERE id = $1 AND deactivated_at IS NULL \
             AND external_id IS NULL AND role <> $2 AND ($2 = 'admin' OR {NOT_LAST_ADMIN}) \
             RETURNING username"
        ))
        .bind(id)
        .bind(role.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(username) = done else {
            drop(tx);
            return match self.user(id).await? {
                Some(user) if user.role == role => Ok(()),
                Some(user) if user.is_admin() => Err(StoreError::LastAdmin),
                _ => Err(StoreError::NotFound),
            };
        };
        record(&mut tx, by, "user.role", &username, role.as_str()).await?;
        tx.commit().await?;
        self.forget_checks();
        Ok(())
    }

    /// Why deactivating `id` changed nothing.
    async fn why_unchanged(&self, id: UserId) -> Result<StoreError, StoreError> {
        Ok(match self.user(id).await? {
            Some(user) if user.is_admin() => StoreError::LastAdmin,
            _ => StoreError::NotFound,
        })
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(id) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }
}

/// Inserts a user in `tx`, with its audit record.
async fn insert_user(
    tx: &mut super::Tx<'_>,
    username: &str,
    password_hash: &str,
    role: Role,
    by: &str,
) -> Result<User, StoreError> {
    let id: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, role, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(username)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await;
    let id = match id {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(StoreError::UsernameTaken(username.to_owned()));
        }
        Err(e) => return Err(e.into()),
    };
    record(tx, by, "user.create", username, role.as_str()).await?;
    Ok(User {
        id,
        username: username.to_owned(),
        role,
    })
}
