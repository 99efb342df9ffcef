//! Sends to everyone or to a role, and scheduled sends, written out in the
//! background. The request stores the send and a `fanouts` row (what to
//! store, for whom, from when) and answers at once; the fan-out worker (`crate::jobs::broadcast`) then stores
//! the copies one batch of users at a time, in id order. Each batch moves
//! the row's `after_user` in the transaction that stores its copies, and
//! the last one deletes the row: a crash resumes after the last commit,
//! and no user is skipped or reached twice (a unique index on
//! `(send_id, user_id)` stands behind that).

use std::collections::HashSet;

use herald::{Audience, Category, NewNotification, UserId};
use sqlx::FromRow;

use super::idempotency::{Claim, Remember, Stored, claim_keys};
use super::rows::{Queued, actions_json, json_array, parse_actions};
use super::sends::{NewSend, record_send};
use super::{Announcement, Delivered, Store, StoreError, now_ms};

/// A send still under way, as the worker resumes it.
#[derive(Clone, Debug, FromRow)]
pub struct PendingBroadcast {
    pub send_id: i64,
    title: String,
    body: String,
    link: Option<String>,
    category: String,
    actor: Option<String>,
    #[sqlx(flatten)]
    target: Target,
    expires_at: Option<i64>,
    actions: Option<String>,
    group_key: Option<String>,
    created_at: i64,
    up_to_user: i64,
    pub after_user: i64,
}

impl PendingBroadcast {
    fn content(&self) -> NewNotification {
        NewNotification {
            title: self.title.clone(),
            body: self.body.clone(),
            link: self.link.clone(),
            // The CHECK constraint on notifications admits only known names.
            category: Category::parse(&self.category).unwrap_or_default(),
            expires_at: self.expires_at,
            actions: parse_actions(self.actions.as_deref()),
            group_key: self.group_key.clone(),
        }
    }
}

/// What one batch did.
#[derive(Debug)]
pub enum Batch {
    /// It stored these copies (announced as it committed); with
    /// `finished`, they were the last.
    Stored {
        delivered: Vec<Delivered>,
        finished: bool,
    },
    /// Nothing: the send was finished, retracted, or moved on by another
    /// instance meanwhile. Read the pending sends again.
    Skipped,
}

impl Store {
    /// Accepts `content` for `audience` to be written out in the
    /// background, at once or (with `send_at`) from then on: stores the
    /// send, its audit entry, its fan-out row and (with `remember`) the
    /// idempotency record, in one transaction. Everyone and a role are the
    /// active users then (or, scheduled, at its time); named users are those
    /// still active when it goes.
    pub async fn queue_send(
        &self,
        audience: &Audience,
        content: &NewNotification,
        actor: Option<&str>,
        sender: &str,
        remember: Option<&Remember>,
        send_at: Option<i64>,
    ) -> Result<Queued, StoreError> {
        let created_at = now_ms();
        let target = Target::of(audience)?;
        let mut tx = self.writer.begin().await?;
        let (filter, params) = target.filter(self.engine, 1);
        let count = format!(
            "SELECT MAX(id), COUNT(id) FROM users WHERE deactivated_at IS NULL AND {filter}"
        );
        let (up_to, recipients): (Option<i64>, i64) = params
            .into_iter()
            .fold(sqlx::query_as(&count), |q, p| q.bind(p))
            .fetch_one(&mut *tx)
            .await?;
        let label = herald::admin::SentTo::of(audience, recipients as usize).label();
        let send = record_send(
            &mut tx,
            NewSend {
                title: &content.title,
                audience: &label,
                sender,
                recipients: 0,
                delivered: 0,
                created_at,
                send_at,
            },
        )
        .await?;
        sqlx::query(
            "INSERT INTO fanouts \
             (send_id, body, link, category, actor, role, up_to_user, expires_at, actions, \
              after_user, users, send_at, topics, excluded_users, group_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13, $14)",
        )
        .bind(send)
        .bind(&content.body)
        .bind(&content.link)
        .bind(content.category.as_str())
        .bind(actor)
        .bind(&target.role)
        // Open audiences reach whoever is there when their batches run.
        .bind(if target.is_open(send_at.is_some()) {
            i64::MAX
        } else {
            up_to.unwrap_or(0)
        })
        .bind(content.expires_at)
        .bind(actions_json(&content.actions)?)
        .bind(&target.users)
        .bind(send_at.unwrap_or(0))
        .bind(&target.topics)
        .bind(&target.excluded_users)
        .bind(&content.group_key)
        .execute(&mut *tx)
        .await?;
        let queued = Queued {
            send,
            recipients,
            send_at,
        };
        let claims: Vec<Claim> = remember
            .map(|remember| Claim {
                remember,
                status: 202,
                response: (remember.response)(Stored::Queued(&queued)),
            })
            .into_iter()
            .collect();
        claim_keys(&mut tx, self.engine, &claims, created_at).await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// The sends fanning out by `now` (scheduled ones from their time),
    /// oldest first. A scheduled send's copies are dated when they are
    /// written: at its time, or later if Herald was down then (so they are
    /// not already overdue for an email or past an expiry).
    pub async fn pending_broadcasts(&self, now: i64) -> Result<Vec<PendingBroadcast>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT f.send_id, s.title, f.body, f.link, f.category, f.actor, f.role, f.users, \
                    f.topics, f.excluded_users, \
                    f.expires_at, f.actions, f.group_key, \
                    CASE WHEN f.send_at <= s.created_at THEN s.created_at \
                         WHEN f.send_at >= $1 THEN f.send_at ELSE $1 END AS created_at, \
                    f.up_to_user, f.after_user \
             FROM fanouts f JOIN sends s ON s.id = f.send_id WHERE f.send_at <= $1 \
             ORDER BY f.send_id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// When the next scheduled send after `now` is due, if one is waiting.
    pub async fn next_scheduled(&self, now: i64) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MIN(send_at) FROM fanouts WHERE send_at > $1")
                .bind(now)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The next (at most `limit`) users `broadcast` is for, in id order.
    pub async fn next_recipients(
        &self,
        broadcast: &PendingBroadcast,
        limit: i64,
    ) -> Result<Vec<UserId>, StoreError> {
        let (sql, params) = next_recipients_sql(self.engine, &broadcast.target);
        let query = sqlx::query_scalar(&sql)
            .bind(broadcast.after_user)
            .bind(broadcast.up_to_user)
            .bind(limit);
        let query = params.into_iter().fold(query, |q, p| q.bind(p));
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// How the engine finds the next batch of a send to everyone: one line
    /// per step, to check that it reads a range of the primary key.
    pub async fn next_recipients_plan(&self) -> Result<Vec<String>, StoreError> {
        self.plan(&next_recipients_sql(self.engine, &Target::default()).0)
            .await
    }

    /// How the engine finds the next batch of a send to a topic, without
    /// an excluded user: one line per step, to check that the subscribers
    /// drive it rather than a walk over every user.
    pub async fn topic_recipients_plan(&self) -> Result<Vec<String>, StoreError> {
        let target = Target::of(&Audience::Topics {
            topics: vec!["project:42".to_owned()],
            users: Vec::new(),
            exclude: vec![1],
        })?;
        let (sql, params) = next_recipients_sql(self.engine, &target);
        self.plan_with(&sql, params).await
    }

    /// Stores `broadcast`'s copies for `users` (read by
    /// [`Store::next_recipients`]; `last` when they are the final batch)
    /// and moves its cursor past them, in one transaction; `online` gives
    /// the delivered count. Does nothing if another worker got there first
    /// or the send was retracted meanwhile.
    pub async fn write_batch(
        &self,
        broadcast: &PendingBroadcast,
        users: &[UserId],
        last: bool,
        online: &HashSet<UserId>,
    ) -> Result<Batch, StoreError> {
        let mut tx = self.writer.begin().await?;
        self.lock_send(&mut tx, broadcast.send_id).await?;
        let cursor: Option<i64> = sqlx::query_scalar(
            "SELECT f.after_user FROM fanouts f JOIN sends s ON s.id = f.send_id \
             WHERE f.send_id = $1 AND s.retracted_at IS NULL",
        )
        .bind(broadcast.send_id)
        .fetch_optional(&mut *tx)
        .await?;
        if cursor != Some(broadcast.after_user) {
            // Done, retracted, or moved on by another instance.
            return Ok(Batch::Skipped);
        }
        let delivered = if users.is_empty() {
            Vec::new()
        } else {
            let only = json_array(users)?;
            let content = broadcast.content();
            let counts = self
                .bump_recipients(
                    &mut tx,
                    &only,
                    content.category,
                    content.group_key.as_deref(),
                )
                .await?;
            let reached = counts.iter().filter(|b| online.contains(&b.id)).count() as i64;
            let delivered = self
                .insert_copies(
                    &mut tx,
                    &only,
                    counts,
                    &content,
                    broadcast.actor.as_deref(),
                    broadcast.created_at,
                    broadcast.send_id,
                )
                .await?;
            sqlx::query(
                "UPDATE sends SET recipients = recipients + $2, delivered = delivered + $3 \
                 WHERE id = $1",
            )
            .bind(broadcast.send_id)
            .bind(delivered.len() as i64)
            .bind(reached)
            .execute(&mut *tx)
            .await?;
            delivered
        };
        if last {
            sqlx::query("DELETE FROM fanouts WHERE send_id = $1")
                .bind(broadcast.send_id)
                .execute(&mut *tx)
                .await?;
        } else if let Some(after) = users.last() {
            sqlx::query("UPDATE fanouts SET after_user = $2 WHERE send_id = $1")
                .bind(broadcast.send_id)
                .bind(after)
                .execute(&mut *tx)
                .await?;
        }
        let announcements: Vec<Announcement> =
            delivered.iter().map(Delivered::announcement).collect();
        self.commit_announcing(tx, &announcements).await?;
        Ok(Batch::Stored {
            delivered,
            finished: last,
        })
    }
}

/// The next batch of a fan-out: `$1` after, `$2` up to, `$3` at most, and
/// its [`Target`] from `$4` (with those parameters). A range of the
/// primary key, or the target's members in it, never a scan of all users.
fn next_recipients_sql(engine: super::Engine, target: &Target) -> (String, Vec<String>) {
    let (filter, params) = target.filter(engine, 4);
    let sql = format!(
        "SELECT id FROM users WHERE id > $1 AND id <= $2 AND deactivated_at IS NULL \
         AND {filter} ORDER BY id LIMIT $3"
    );
    (sql, params)
}

/// How the Sent list names a send to topics: "Topic project:42".
mod target;
use target::Target;

#[cfg(test)]
mod tests;
