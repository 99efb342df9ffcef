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
        sqlx::query_as::<_, UserRow>("SELECT id, username, role FROM users WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(User::try_from)
            .transpose()
    }

    /// A user and their password hash, looked up by username.
    pub async fn credentials(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row: Option<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, username, role, password_hash FROM users WHERE username = ?1",
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
        sqlx::query_as::<_, UserRow>("SELECT id, username, role FROM users ORDER BY username")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(User::try_from)
            .collect()
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(id) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }
}
