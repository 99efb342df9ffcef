//! Each user's preferences per category, and the categories an admin made
//! required. Whether a new copy arrives muted is decided where it is
//! stored (`copies::muted_sql`), from these same tables.

use std::collections::BTreeMap;

use herald::preferences::{apply, resolve};
use herald::{Category, FieldErrors, Preference, PreferenceChange, UserId};

use super::audit::record;
use super::{Store, StoreError, Tx, now_ms};

/// A stored row: category name, then the flags as 0 or 1 (email: the
/// user's own choice, or NULL for the category's default).
type Row = (String, i64, i64, i64, Option<i64>);

impl Store {
    /// The user's preference for every category, defaults filled in.
    pub async fn preferences(&self, user: UserId) -> Result<Vec<Preference>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let emailed = emailed(&mut conn).await?;
        let chosen = chosen(&mut conn, user, &emailed).await?;
        let required = required(&mut conn).await?;
        Ok(resolve(&chosen, &required, &emailed))
    }

    /// Applies `changes` to the user's preferences: all of them, or none
    /// with every refused field named. Holds the user's row while it
    /// writes, so a send to them sees the old choices or the new, never a
    /// mix.
    pub async fn set_preferences(
        &self,
        user: UserId,
        changes: &BTreeMap<String, PreferenceChange>,
    ) -> Result<Result<Vec<Preference>, FieldErrors>, StoreError> {
        let mut tx = self.writer.begin().await?;
        self.lock_user(&mut tx, user).await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND deactivated_at IS NULL")
                .bind(user)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Err(StoreError::UnknownUser(user));
        }
        let emailed = emailed(&mut tx).await?;
        let chosen = chosen(&mut tx, user, &emailed).await?;
        let current = resolve(&chosen, &required(&mut tx).await?, &emailed);
        let next = match apply(&current, changes) {
            Ok(next) => next,
            Err(errors) => return Ok(Err(errors)),
        };
        let now = now_ms();
        for preference in next.iter().filter(|p| !current.contains(p)) {
            // An email choice is the user's own once they make one (an
            // unsubscribe too); until then it follows the admin's default.
            let chose_email = changes
                .get(preference.category.as_str())
                .is_some_and(|c| c.email.is_some());
            store(&mut tx, user, preference, chose_email, now).await?;
        }
        tx.commit().await?;
        Ok(Ok(next))
    }

    /// The categories emailed by default (an admin's choice).
    pub async fn emailed_categories(&self) -> Result<Vec<Category>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        emailed(&mut conn).await
    }

    /// Makes `category` emailed by default or not, for everyone who has not
    /// chosen for themselves; audited as `by`'s doing when it changes.
    pub async fn set_emailed(
        &self,
        category: Category,
        emailed: bool,
        by: &str,
    ) -> Result<(), StoreError> {
        let actions = ("email by default", "no email by default");
        self.list_category(AdminList::Emailed, category, emailed, by, actions)
            .await
    }

    /// The categories an admin made required.
    pub async fn required_categories(&self) -> Result<Vec<Category>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        required(&mut conn).await
    }

    /// Makes `category` required (nobody can mute it) or optional again;
    /// audited as `by`'s doing when it changes anything.
    pub async fn set_required(
        &self,
        category: Category,
        required: bool,
        by: &str,
    ) -> Result<(), StoreError> {
        let actions = ("require", "unrequire");
        self.list_category(AdminList::Required, category, required, by, actions)
            .await
    }

    /// Puts `category` on an admin's `list` or takes it off, audited as
    /// `by`'s `actions` (on, off) when that changes anything.
    async fn list_category(
        &self,
        list: AdminList,
        category: Category,
        on: bool,
        by: &str,
        (added, removed): (&str, &str),
    ) -> Result<(), StoreError> {
        let table = list.table();
        let mut tx = self.writer.begin().await?;
        let changed = if on {
            sqlx::query(&format!(
                "INSERT INTO {table} (category, set_at) VALUES ($1, $2) \
                 ON CONFLICT (category) DO NOTHING"
            ))
            .bind(category.as_str())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(&format!("DELETE FROM {table} WHERE category = $1"))
                .bind(category.as_str())
                .execute(&mut *tx)
                .await?
        };
        if changed.rows_affected() > 0 {
            let action = if on { added } else { removed };
            let target = format!("category {}", category.as_str());
            record(&mut tx, by, action, &target, "").await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn chosen(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    emailed: &[Category],
) -> Result<Vec<Preference>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT category, bell, desktop, push, email FROM preferences WHERE user_id = $1",
    )
    .bind(user)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(category, bell, desktop, push, email)| {
            // The CHECK constraint admits only known names.
            let category = Category::parse(&category)?;
            Some(Preference {
                category,
                bell: bell != 0,
                desktop: desktop != 0,
                push: push != 0,
                email: email.map_or(emailed.contains(&category), |e| e != 0),
                required: false,
            })
        })
        .collect())
}

async fn emailed(conn: &mut sqlx::AnyConnection) -> Result<Vec<Category>, StoreError> {
    AdminList::Emailed.read(conn).await
}

/// The lists of categories an admin keeps.
#[derive(Clone, Copy)]
enum AdminList {
    /// Nobody can mute these.
    Required,
    /// Emailed to users who did not choose.
    Emailed,
}

impl AdminList {
    fn table(self) -> &'static str {
        match self {
            AdminList::Required => "required_categories",
            AdminList::Emailed => "email_defaults",
        }
    }

    async fn read(self, conn: &mut sqlx::AnyConnection) -> Result<Vec<Category>, StoreError> {
        let sql = format!("SELECT category FROM {}", self.table());
        let names: Vec<String> = sqlx::query_scalar(&sql).fetch_all(conn).await?;
        // The CHECK constraints admit only known names.
        Ok(names.iter().filter_map(|n| Category::parse(n)).collect())
    }
}

async fn required(conn: &mut sqlx::AnyConnection) -> Result<Vec<Category>, StoreError> {
    AdminList::Required.read(conn).await
}

async fn store(
    tx: &mut Tx<'_>,
    user: UserId,
    preference: &Preference,
    chose_email: bool,
    now: i64,
) -> Result<(), StoreError> {
    // NULL keeps what is stored: the default, or an earlier choice.
    let email = chose_email.then_some(i64::from(preference.email));
    sqlx::query(
        "INSERT INTO preferences (user_id, category, bell, desktop, push, updated_at, email) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (user_id, category) DO UPDATE SET bell = excluded.bell, \
         desktop = excluded.desktop, push = excluded.push, updated_at = excluded.updated_at, \
         email = COALESCE(excluded.email, preferences.email)",
    )
    .bind(user)
    .bind(preference.category.as_str())
    .bind(i64::from(preference.bell))
    .bind(i64::from(preference.desktop))
    .bind(i64::from(preference.push))
    .bind(now)
    .bind(email)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
