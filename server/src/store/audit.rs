//! The audit log: who did what to whom, and when. Each entry is written in
//! the same transaction as the change it records, so the log never claims
//! a change that did not happen, nor misses one that did.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, FromRow};

use super::{Store, StoreError, like_pattern, now_ms};

/// One recorded action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Writes one entry inside the caller's transaction.
pub(super) async fn record(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_ms())
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Entries newest first, older than `before` (an id), whose actor,
    /// action, target or detail contains `search`.
    pub async fn audit_log(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let pattern = like_pattern(search);
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, target, detail FROM audit_log \
             WHERE id < $2 AND (lower(actor) LIKE lower($1) ESCAPE '\\' OR lower(action) LIKE lower($1) ESCAPE '\\' \
                                OR lower(target) LIKE lower($1) ESCAPE '\\' OR lower(detail) LIKE lower($1) ESCAPE '\\') \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(pattern)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
