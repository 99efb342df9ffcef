//! The language a user chose for Herald's pages.

use herald::UserId;
use herald::i18n::Locale;

use super::{Store, StoreError};

impl Store {
    /// `user`'s chosen language; `None` when they chose none (or the stored
    /// tag is one Herald no longer speaks).
    pub async fn locale(&self, user: UserId) -> Result<Option<Locale>, StoreError> {
        let tag: Option<Option<String>> =
            sqlx::query_scalar("SELECT locale FROM users WHERE id = $1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
        Ok(tag.flatten().and_then(|t| Locale::parse(&t)))
    }

    /// Sets (or, `None`, forgets) `user`'s language.
    pub async fn set_locale(&self, user: UserId, locale: Option<Locale>) -> Result<(), StoreError> {
        self.write(
            sqlx::query("UPDATE users SET locale = $2 WHERE id = $1")
                .bind(user)
                .bind(locale.map(Locale::tag)),
        )
        .await?;
        Ok(())
    }
}
