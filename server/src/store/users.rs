//! Users and their credentials.

use herald::{Role, User, UserId};
use sqlx::FromRow;

use super::{Store, StoreError, now_ms};

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

impl Store {
    /// Creates a user; `password_hash` is an argon2 PHC string.
    pub async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<User, StoreError> {
        let id: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO users (username, password_hash, role, created_at) \
             VALUES (?1, ?2, ?3, ?4) RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await;
        match id {
            Ok(id) => Ok(User {
                id,
                username: username.to_owned(),
                role,
            }),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::UsernameTaken(username.to_owned()))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        sqlx::query_as::<_, UserRow>(
            "SELECT id, username, role FROM users WHERE id = ?1 AND deactivated_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(User::try_from)
        .transpose()
    }

    /// A user and their password hash, looked up by username.
    pub async fn credentials(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row: Option<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, username, role, password_hash FROM users \
             WHERE username = ?1 AND deactivated_at IS NULL",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, username, role, hash)| {
            User::try_from(UserRow { id, username, role }).map(|user| (user, hash))
        })
        .transpose()
    }

    /// Every user, by username.
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

    /// Users whose name contains `search` (all when empty), by name, with
    /// their unread count and when they were deactivated, if they were.
    pub async fn user_list(
        &self,
        search: &str,
        limit: i64,
    ) -> Result<Vec<(User, i64, Option<i64>)>, StoreError> {
        let pattern = super::like_pattern(search);
        let rows: Vec<(i64, String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, username, role, unread, deactivated_at FROM users \
             WHERE username LIKE ?1 ESCAPE '\\' ORDER BY username LIMIT ?2",
        )
        .bind(pattern)
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
    /// theirs stops being accepted at once (each request checks).
    pub async fn deactivate(&self, id: UserId) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE users SET deactivated_at = ?2 WHERE id = ?1 AND deactivated_at IS NULL",
        )
        .bind(id)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The active users with `role`.
    pub async fn user_ids_with_role(&self, role: Role) -> Result<Vec<UserId>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM users WHERE role = ?1 AND deactivated_at IS NULL")
                .bind(role.as_str())
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(id) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }
}
