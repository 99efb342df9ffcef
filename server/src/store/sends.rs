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
    /// A scheduled send's time; `None`: at once.
    pub send_at: Option<i64>,
}

/// Records a send inside `tx`: its row in the Sent list and its audit
/// entry. Returns its id.
pub(super) async fn record_send(tx: &mut Tx<'_>, send: NewSend<'_>) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sends (title, audience, sender, recipients, created_at, delivered, send_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(send.title)
    .bind(send.audience)
    .bind(send.sender)
    .bind(send.recipients)
    .bind(send.created_at)
    .bind(send.delivered)
    .bind(send.send_at)
    .fetch_one(&mut **tx)
    .await?;
    let (action, detail) = match send.send_at {
        None => ("send", format!("#{id} “{}”", send.title)),
        Some(at) => ("schedule", format!("#{id} “{}” for {at}", send.title)),
    };
    record(tx, send.sender, action, send.audience, &detail).await?;
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
    /// Recipients who clicked one of its actions.
    pub interacted: i64,
    pub created_at: i64,
    pub retracted_at: Option<i64>,
    /// When its copies leave their inboxes, if its sender set a time.
    pub expires_at: Option<i64>,
    /// 1 while it is still being written out to its recipients (or waits
    /// for its time), else 0.
    pub fanning_out: i64,
    /// A scheduled send's time.
    pub send_at: Option<i64>,
}

impl From<SendRow> for herald::admin::SendSummary {
    /// A send as the admin console's Sent list shows it.
    fn from(s: SendRow) -> Self {
        herald::admin::SendSummary {
            id: s.id,
            title: s.title,
            audience: s.audience,
            sender: s.sender,
            recipients: s.recipients,
            delivered: s.delivered,
            seen: s.seen,
            read: s.read,
            interacted: s.interacted,
            created_at: s.created_at,
            retracted: s.retracted_at.is_some(),
            expires_at: s.expires_at,
            sending: s.fanning_out > 0,
            send_at: s.send_at,
        }
    }
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
        // The page of sends first, then their copies read once for all the
        // figures (COUNT of a column counts the rows where it is set).
        Ok(sqlx::query_as(
            "WITH page AS ( \
                 SELECT s.id, s.title, s.audience, s.sender, s.recipients, s.delivered, \
                        s.created_at, s.retracted_at, s.send_at FROM sends s \
                 WHERE ($1 IS NULL OR lower(s.title) LIKE lower($1) ESCAPE '\\') AND s.id < $2 \
                 ORDER BY s.id DESC LIMIT $3), \
             copies AS ( \
                 SELECT n.send_id, COUNT(n.seen_at) AS seen, COUNT(n.read_at) AS read, \
                        COUNT(n.interacted_at) AS interacted, MAX(n.expires_at) AS expires_at \
                 FROM notifications n JOIN page ON n.send_id = page.id GROUP BY n.send_id) \
             SELECT page.id, page.title, page.audience, page.sender, page.recipients, page.delivered, \
                    COALESCE(c.seen, 0) AS seen, COALESCE(c.read, 0) AS read, \
                    COALESCE(c.interacted, 0) AS interacted, page.created_at, page.retracted_at, \
                    c.expires_at, \
                    (SELECT COUNT(f.send_id) FROM fanouts f WHERE f.send_id = page.id) AS fanning_out, \
                    page.send_at \
             FROM page LEFT JOIN copies c ON c.send_id = page.id \
             ORDER BY page.id DESC",
        )
        .bind(pattern)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
