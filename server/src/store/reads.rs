//! Reading a user's notifications: counts, pages of a view, one
//! notification, and what a reconnecting client missed.

use herald::{InboxView, Notification, UserId};

use super::rows::{COLUMNS, NotificationRow, notification_columns, notifications};
use super::{Counts, CountsRow, Store, StoreError};

impl Store {
    /// The user's unread count and the sequence number it is valid at: one
    /// row, however many notifications there are.
    pub async fn unread(&self, user: UserId) -> Result<Counts, StoreError> {
        let row: Option<CountsRow> =
            sqlx::query_as("SELECT unread, last_seq FROM users WHERE id = $1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
        row.map(Counts::from).ok_or(StoreError::UnknownUser(user))
    }

    /// What changed for the user with `after < version <= up_to`, in the
    /// order it changed, at most `limit`: what a reconnecting client missed.
    pub async fn missed(
        &self,
        user: UserId,
        after: i64,
        up_to: i64,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query_as::<_, NotificationRow>(&format!(
            "SELECT {COLUMNS} FROM notifications \
             WHERE user_id = $1 AND version > $2 AND version <= $3 ORDER BY version, id LIMIT $4"
        ))
        .bind(user)
        .bind(after)
        .bind(up_to)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(notifications(rows))
    }

    /// One page of the user's `view`, newest first, strictly older than
    /// `before` (a `seq`; `None` for the first page). Keyset pagination: a
    /// page never skips or repeats an item, whatever arrives meanwhile.
    pub async fn page(
        &self,
        user: UserId,
        view: InboxView,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query_as::<_, NotificationRow>(page_sql(view))
            .bind(user)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(notifications(rows))
    }

    /// How the engine runs the page query of `view`: one line per step, to check
    /// that it reads an index range and never scans the table.
    pub async fn page_plan(&self, view: InboxView) -> Result<Vec<String>, StoreError> {
        self.plan(page_sql(view)).await
    }

    /// One of the user's notifications. Another user's is `None`, exactly
    /// like one that does not exist, so ids reveal nothing.
    pub async fn notification(
        &self,
        user: UserId,
        id: i64,
    ) -> Result<Option<Notification>, StoreError> {
        Ok(sqlx::query_as::<_, NotificationRow>(&format!(
            "SELECT {COLUMNS} FROM notifications \
             WHERE id = $1 AND user_id = $2 AND retracted_at IS NULL"
        ))
        .bind(id)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?
        .map(Notification::from))
    }

    /// Whose notification `id` is (not retracted), if it exists.
    pub async fn owner_of(&self, id: i64) -> Result<Option<UserId>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM notifications WHERE id = $1 AND retracted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }
}

/// The page query of `view`: `$1` user, `$2` before (a seq), `$3` limit.
/// Each view's filter matches one partial index exactly.
fn page_sql(view: InboxView) -> &'static str {
    macro_rules! page {
        ($filter:literal) => {
            concat!(
                "SELECT ",
                notification_columns!(),
                " FROM notifications WHERE user_id = $1 AND ",
                $filter,
                " AND retracted_at IS NULL AND seq < $2 ORDER BY seq DESC LIMIT $3"
            )
        };
    }
    match view {
        InboxView::Unread => {
            page!("read_at IS NULL AND archived_at IS NULL AND snoozed_until IS NULL")
        }
        InboxView::All => page!("archived_at IS NULL AND snoozed_until IS NULL"),
        InboxView::Snoozed => page!("archived_at IS NULL AND snoozed_until IS NOT NULL"),
        InboxView::Archived => page!("archived_at IS NOT NULL"),
    }
}
