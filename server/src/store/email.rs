//! Email digests: users' addresses, which users have something to be
//! emailed about, the decision to email them (made once, with the digest
//! queued in the same transaction), and the outbox the email job sends
//! from (`crate::jobs::email`).

use herald::i18n::Locale;
use herald::{Category, UserId};

use super::rows::{COLUMNS, NotificationRow, notifications};
use super::{Store, StoreError, now_ms};

/// The most notifications one digest lists.
pub const DIGEST_MAX_ITEMS: i64 = 50;

/// What unread, unseen copies a digest may hold: not muted, not snoozed,
/// in a category the user is emailed about (their choice, else the
/// admin's default). `n` is the notification, `u` its owner.
const EMAILABLE: &str = "n.read_at IS NULL AND n.seen_at IS NULL AND n.archived_at IS NULL \
     AND n.retracted_at IS NULL AND n.snoozed_until IS NULL AND n.muted = 0 \
     AND n.id > u.emailed_up_to \
     AND COALESCE((SELECT p.email FROM preferences p \
                   WHERE p.user_id = n.user_id AND p.category = n.category), \
                  (SELECT COUNT(d.category) FROM email_defaults d WHERE d.category = n.category)) = 1";

/// A digest to write: who, what, and up to which notification.
#[derive(Clone, Debug)]
pub struct DigestDraft {
    pub user: UserId,
    pub to: String,
    pub name: Option<String>,
    /// The language the user chose for Herald, else English.
    pub locale: Locale,
    pub items: Vec<herald::Notification>,
}

impl DigestDraft {
    /// The categories it holds, each once.
    pub fn categories(&self) -> Vec<Category> {
        let mut all: Vec<Category> = self.items.iter().map(|n| n.category).collect();
        all.sort_by_key(|c| c.as_str());
        all.dedup();
        all
    }
}

/// A digest rendered for sending.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe: String,
}

/// One email to send, as the outbox holds it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub unsubscribe: String,
    pub attempts: i64,
}

impl Store {
    /// `user`'s address and display name.
    pub async fn contact(
        &self,
        user: UserId,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        Ok(
            sqlx::query_as("SELECT email, display_name FROM users WHERE id = $1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or((None, None)),
        )
    }

    /// Sets `user`'s address and display name (`None` removes them). A
    /// first address starts digests from now: what was already there is
    /// not emailed.
    pub async fn set_contact(
        &self,
        user: UserId,
        email: Option<&str>,
        display_name: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(
            sqlx::query(
                "UPDATE users SET email = $2, display_name = $3, emailed_up_to = \
                 CASE WHEN email IS NULL AND $2 IS NOT NULL \
                      THEN (SELECT COALESCE(MAX(n.id), 0) FROM notifications n WHERE n.user_id = $1) \
                      ELSE emailed_up_to END \
                 WHERE id = $1",
            )
            .bind(user)
            .bind(email)
            .bind(display_name),
        )
        .await?;
        Ok(())
    }

    /// Users with a copy unseen since `unseen_before` to email about, whose
    /// last digest was made before `last_before` (at most `limit`).
    pub async fn digest_candidates(
        &self,
        unseen_before: i64,
        last_before: i64,
        limit: i64,
    ) -> Result<Vec<UserId>, StoreError> {
        // Driven from the users with an address, the longest without a
        // digest first, so nobody waits behind others for ever.
        Ok(sqlx::query_scalar(&format!(
            "SELECT u.id FROM users u \
             WHERE u.email IS NOT NULL AND u.deactivated_at IS NULL AND u.emailed_at <= $2 \
             AND EXISTS (SELECT 1 FROM notifications n \
                         WHERE n.user_id = u.id AND n.created_at <= $1 AND {EMAILABLE}) \
             ORDER BY u.emailed_at, u.id LIMIT $3"
        ))
        .bind(unseen_before)
        .bind(last_before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Decides `user`'s digest and queues it, in one transaction that holds
    /// their row: due when a copy has been unseen since `unseen_before` and
    /// their last digest was made before `last_before` (checked again under
    /// the lock, so of instances racing one queues it). It lists everything
    /// emailable since their last digest (the oldest [`DIGEST_MAX_ITEMS`];
    /// the next digest goes on from there), rendered by `render` newest
    /// first. Whether it queued one.
    pub async fn queue_digest(
        &self,
        user: UserId,
        unseen_before: i64,
        last_before: i64,
        render: impl FnOnce(&DigestDraft) -> Rendered,
    ) -> Result<bool, StoreError> {
        let e = self.engine;
        let mut tx = self.writer.begin().await?;
        let owner: Option<(Option<String>, Option<String>, Option<String>)> =
            sqlx::query_as(&format!(
                "SELECT email, display_name, locale FROM users \
             WHERE id = $1 AND deactivated_at IS NULL AND emailed_at <= $2{}",
                e.for_update()
            ))
            .bind(user)
            .bind(last_before)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((Some(to), name, locale)) = owner else {
            return Ok(false);
        };
        let rows: Vec<NotificationRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM notifications WHERE id IN ( \
                 SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id \
                 WHERE n.user_id = $1 AND {EMAILABLE}) \
             ORDER BY id LIMIT $2"
        ))
        .bind(user)
        .bind(DIGEST_MAX_ITEMS)
        .fetch_all(&mut *tx)
        .await?;
        let mut items = notifications(rows);
        if !items.iter().any(|n| n.created_at <= unseen_before) {
            return Ok(false);
        }
        let up_to = items.iter().map(|n| n.id).max().unwrap_or(0);
        items.reverse();
        let draft = DigestDraft {
            user,
            to,
            name,
            locale: locale
                .as_deref()
                .and_then(Locale::parse)
                .unwrap_or_default(),
            items,
        };
        let email = render(&draft);
        let now = now_ms();
        sqlx::query(
            "INSERT INTO email_outbox \
             (user_id, to_address, subject, text_body, html_body, unsubscribe, created_at, next_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(user)
        .bind(&draft.to)
        .bind(&email.subject)
        .bind(&email.text)
        .bind(&email.html)
        .bind(&email.unsubscribe)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET emailed_up_to = $2, emailed_at = $3 WHERE id = $1")
            .bind(user)
            .bind(up_to)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Emails due by `now` (at most `limit`), oldest first.
    pub async fn due_emails(&self, now: i64, limit: i64) -> Result<Vec<Outgoing>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, to_address, subject, text_body, html_body, unsubscribe, attempts \
             FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_at <= $1 \
             ORDER BY next_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Takes email `id` for one attempt until `until`, if it is still due
    /// (another instance may have taken it): whether this one may send it.
    pub async fn claim_email(&self, id: i64, now: i64, until: i64) -> Result<bool, StoreError> {
        let claimed = self
            .write(
                sqlx::query(
                    "UPDATE email_outbox SET next_at = $3, attempts = attempts + 1 \
                     WHERE id = $1 AND next_at <= $2 AND sent_at IS NULL AND failed_at IS NULL",
                )
                .bind(id)
                .bind(now)
                .bind(until),
            )
            .await?;
        Ok(claimed == 1)
    }

    /// Records an attempt: sent; or `error`, tried again at `retry_at` or
    /// given up with `None`.
    pub async fn email_attempted(
        &self,
        id: i64,
        error: Option<&str>,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let sql = match (error, retry_at) {
            (None, _) => "UPDATE email_outbox SET sent_at = $2, last_error = $3 WHERE id = $1",
            (Some(_), Some(_)) => {
                "UPDATE email_outbox SET next_at = $4, last_error = $3 WHERE id = $1"
            }
            (Some(_), None) => {
                "UPDATE email_outbox SET failed_at = $2, last_error = $3 WHERE id = $1"
            }
        };
        self.write(
            sqlx::query(sql)
                .bind(id)
                .bind(now)
                .bind(error)
                .bind(retry_at.unwrap_or(now)),
        )
        .await?;
        Ok(())
    }

    /// Every email queued for `user`: attempts and whether it went (tests,
    /// support).
    pub async fn email_log(&self, user: UserId) -> Result<Vec<(i64, bool)>, StoreError> {
        let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT attempts, sent_at FROM email_outbox WHERE user_id = $1 ORDER BY id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(a, sent)| (a, sent.is_some()))
            .collect())
    }
}
