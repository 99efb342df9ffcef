//! What was sent: one row per compose or API request, with how many it
//! reached live, and how many have seen and read it.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::audit::record;
use super::{Store, StoreError, Tx};

/// A send about to be stored, as the Sent list and the audit log name it.
pub(super) struct NewSend<'a> {
    pub title: &'a str,
    /// Who it goes to, as shown ("Everyone", "2 users").
    pub audience: &'a str,
    pub sender: &'a str,
    pub recipients: i64,
    pub delivered: i64,
    pub created_at: i64,
}

/// Records a send inside `tx`: its row in the Sent list and its audit
/// entry. Returns its id.
pub(super) async fn record_send(tx: &mut Tx<'_>, send: NewSend<'_>) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sends (title, audience, sender, recipients, created_at, delivered) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(send.title)
    .bind(send.audience)
    .bind(send.sender)
    .bind(send.recipients)
    .bind(send.created_at)
    .bind(send.delivered)
    .fetch_one(&mut **tx)
    .await?;
    record(
        tx,
        send.sender,
        "send",
        send.audience,
        &format!("#{id} “{}”", send.title),
    )
    .await?;
    Ok(id)
}

/// One send as the admin console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct SendRow {
    pub id: i64,
    pub title: String,
    pub audience: String,
    pub sender: String,
    pub recipients: i64,
    pub delivered: i64,
    pub seen: i64,
    pub read: i64,
    pub created_at: i64,
    pub retracted_at: Option<i64>,
    /// 1 while it is still being written out to its recipients, else 0.
    pub fanning_out: i64,
}

impl Store {
    /// Sends newest first, older than `before` (an id), whose title contains
    /// `search` (case-insensitive), with their seen and read counts.
    pub async fn sends(
        &self,
        search: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<SendRow>, StoreError> {
        // LIKE's wildcards in the search are taken literally.
        let pattern = search
            .filter(|s| !s.trim().is_empty())
            .map(super::like_pattern);
        Ok(sqlx::query_as(
            "SELECT s.id, s.title, s.audience, s.sender, s.recipients, s.delivered, \
                    (SELECT COUNT(n.id) FROM notifications n WHERE n.send_id = s.id AND n.seen_at IS NOT NULL) AS seen, \
                    (SELECT COUNT(n.id) FROM notifications n WHERE n.send_id = s.id AND n.read_at IS NOT NULL) AS read, \
                    s.created_at, s.retracted_at, \
                    (SELECT COUNT(f.send_id) FROM fanouts f WHERE f.send_id = s.id) AS fanning_out \
             FROM sends s \
             WHERE ($1 IS NULL OR lower(s.title) LIKE lower($1) ESCAPE '\\') AND s.id < $2 \
             ORDER BY s.id DESC LIMIT $3",
        )
        .bind(pattern)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
