//! Secrets every instance of one database shares, made by the first to ask.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Store, StoreError, now_ms};

impl Store {
    /// The 32-byte secret called `name`, made and stored by the first
    /// instance to ask (instances starting at once all get the same one).
    pub async fn shared_secret(&self, name: &str) -> Result<[u8; 32], StoreError> {
        let made: [u8; 32] = rand::random();
        sqlx::query(
            "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(URL_SAFE_NO_PAD.encode(made))
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        let stored: String = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.writer)
            .await?;
        URL_SAFE_NO_PAD
            .decode(&stored)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| StoreError::Corrupt(format!("the stored secret {name} is unreadable")))
    }
}
