//! Notifications: creating them for an audience, reading a user's inbox,
//! and changing their state. Every change takes the next number of the
//! user's sequence and keeps the user's unread counter, in one transaction.

use std::collections::HashSet;

use herald::{
    Action, ActionSpec, Category, InboxView, NewNotification, Notification, ServerMessage, UserId,
};
use sqlx::FromRow;

use super::audit::record;
use super::fanout::Queued;
use super::sends::{NewSend, record_send};
use super::{Announcement, Counts, IDEMPOTENCY_MS, Store, StoreError, Tx, now_ms};

/// The columns of a [`Notification`], in [`NotificationRow`]'s order.
pub(super) const COLUMNS: &str = "id, seq, version, title, body, link, category, actor, \
                       created_at, seen_at, read_at, archived_at, retracted_at, snoozed_until, muted, \
                       actions, interacted_at, chosen_action";

/// A notification as stored for one recipient, with their unread count
/// right after it: exactly what that recipient's connections are sent.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub user_id: UserId,
    pub notification: Notification,
    pub unread: i64,
}

/// A send to recipients named one by one (at most a thousand), as
/// [`Store::create_notifications`] stores it.
pub struct Named {
    pub ids: Vec<UserId>,
    pub content: NewNotification,
    pub actor: Option<String>,
    /// Who sent it (an admin or an API key), for the Sent list and audit log.
    pub sender: String,
    pub remember: Option<Remember>,
    /// Who had a live connection: the send's delivered count.
    pub online: HashSet<UserId>,
}

/// A stored send: its id and every recipient's copy.
pub type Created = (i64, Vec<Delivered>);

/// An Idempotency-Key claimed in the same transaction as the send it
/// answers: both are stored, or neither.
pub struct Remember {
    pub api_key: i64,
    pub key: String,
    pub request_hash: Vec<u8>,
    /// The response to replay, made from what was stored.
    pub response: fn(Stored<'_>) -> String,
}

/// What a send stored, for the response an Idempotency-Key replays.
pub enum Stored<'a> {
    /// Every recipient's copy (named recipients).
    Copies(&'a [Delivered]),
    /// A send to everyone or a role, fanning out in the background.
    Queued(&'a Queued),
}

/// Claims `remember`'s key inside `tx`, answered with `status`; an
/// unexpired claim of another request (committed, since writes take turns)
/// makes this one a replay.
pub(super) async fn claim_key(
    tx: &mut Tx<'_>,
    remember: &Remember,
    status: u16,
    now: i64,
) -> Result<(), StoreError> {
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys \
         (api_key_id, key, request_hash, status, response, created_at) \
         VALUES ($1, $2, $3, $4, '', $5) \
         ON CONFLICT (api_key_id, key) DO UPDATE SET request_hash = excluded.request_hash, \
         status = excluded.status, response = excluded.response, created_at = excluded.created_at \
         WHERE idempotency_keys.created_at <= $6",
    )
    .bind(remember.api_key)
    .bind(&remember.key)
    .bind(&remember.request_hash)
    .bind(i64::from(status))
    .bind(now)
    .bind(now - IDEMPOTENCY_MS)
    .execute(&mut **tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(StoreError::IdempotencyKeyUsed);
    }
    Ok(())
}

/// Stores the response a claimed key replays.
pub(super) async fn store_response(
    tx: &mut Tx<'_>,
    remember: &Remember,
    response: String,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE idempotency_keys SET response = $3 WHERE api_key_id = $1 AND key = $2")
        .bind(remember.api_key)
        .bind(&remember.key)
        .bind(response)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `ids` as a JSON array, the way queries take a list.
pub(super) fn json_array(ids: &[UserId]) -> Result<String, StoreError> {
    serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Delivered {
    /// What the recipient's connections are told.
    pub fn announcement(&self) -> Announcement {
        Announcement {
            user: self.user_id,
            message: ServerMessage::Created {
                notification: self.notification.clone(),
                unread: self.unread,
            },
        }
    }
}

/// One notification after a change, with the owner's count at its version.
#[derive(Clone, Debug)]
pub struct Changed {
    pub user: UserId,
    pub notification: Notification,
    pub unread: i64,
    /// False when it already was in the asked-for state: nothing to announce.
    pub changed: bool,
}

impl Changed {
    /// What the owner's connections are told, if anything changed.
    pub fn announcement(&self) -> Option<Announcement> {
        self.changed.then(|| Announcement {
            user: self.user,
            message: ServerMessage::Updated {
                notification: self.notification.clone(),
                unread: self.unread,
            },
        })
    }
}

/// The outcome of "mark all read".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllRead {
    pub user: UserId,
    pub up_to: i64,
    pub read_at: i64,
    /// The sequence number of this change (unchanged when nothing was unread).
    pub seq: i64,
    pub unread: i64,
    /// How many notifications it marked.
    pub marked: u64,
}

impl AllRead {
    /// What the user's connections are told, if anything was marked.
    pub fn announcement(&self) -> Option<Announcement> {
        (self.marked > 0).then_some(Announcement {
            user: self.user,
            message: ServerMessage::AllRead {
                up_to: self.up_to,
                read_at: self.read_at,
                seq: self.seq,
                unread: self.unread,
            },
        })
    }
}

#[derive(FromRow)]
pub(super) struct NotificationRow {
    id: i64,
    seq: i64,
    version: i64,
    title: String,
    body: String,
    link: Option<String>,
    category: String,
    actor: Option<String>,
    created_at: i64,
    seen_at: Option<i64>,
    read_at: Option<i64>,
    archived_at: Option<i64>,
    retracted_at: Option<i64>,
    snoozed_until: Option<i64>,
    /// 0 or 1: both engines store flags as integers.
    muted: i64,
    /// JSON, as [`actions_json`] writes it.
    actions: Option<String>,
    interacted_at: Option<i64>,
    chosen_action: Option<i64>,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Notification {
        Notification {
            id: row.id,
            seq: row.seq,
            version: row.version,
            title: row.title,
            body: row.body,
            link: row.link,
            // The CHECK constraint admits only known names.
            category: Category::parse(&row.category).unwrap_or_default(),
            actor: row.actor,
            created_at: row.created_at,
            seen_at: row.seen_at,
            read_at: row.read_at,
            archived_at: row.archived_at,
            retracted_at: row.retracted_at,
            snoozed_until: row.snoozed_until,
            muted: row.muted != 0,
            actions: parse_actions(row.actions.as_deref())
                .iter()
                .map(Action::from)
                .collect(),
            interacted_at: row.interacted_at,
            chosen_action: row.chosen_action.and_then(|i| usize::try_from(i).ok()),
        }
    }
}

impl Store {
    /// Stores `send`'s content for each active user among its recipients,
    /// each under the next number of that user's sequence, all in one
    /// transaction with the send's record, its audit entry and (with
    /// `remember`) the idempotency record: either all of it is stored or
    /// none. Deactivated users are skipped; an unknown one fails the whole
    /// send. Sends to everyone or a role go through [`Store::queue_send`].
    pub async fn create_notifications(&self, send: &Named) -> Result<Created, StoreError> {
        let mut tx = self.writer.begin().await?;
        let created = self.create_in(&mut tx, send).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// [`Store::create_notifications`] for several sends in one transaction
    /// (one commit, and on SQLite one turn of the writer for all). If any
    /// of them fails, the transaction is undone and each is stored on its
    /// own instead, so one send's failure is never another's.
    pub async fn create_many(&self, sends: &[Named]) -> Vec<Result<Created, StoreError>> {
        if sends.len() > 1 {
            let together = async {
                let mut tx = self.writer.begin().await?;
                let mut created = Vec::with_capacity(sends.len());
                for send in sends {
                    created.push(Ok(self.create_in(&mut tx, send).await?));
                }
                tx.commit().await?;
                Ok::<_, StoreError>(created)
            };
            if let Ok(created) = together.await {
                return created;
            }
        }
        let mut each = Vec::with_capacity(sends.len());
        for send in sends {
            each.push(self.create_notifications(send).await);
        }
        each
    }

    async fn create_in(&self, tx: &mut Tx<'_>, send: &Named) -> Result<Created, StoreError> {
        let created_at = now_ms();
        let mut ids = send.ids.clone();
        ids.sort_unstable();
        ids.dedup();
        let only = json_array(&ids)?;
        if let Some(remember) = &send.remember {
            claim_key(tx, remember, 201, created_at).await?;
        }
        let counts = self
            .bump_recipients(tx, &only, send.content.category)
            .await?;
        if counts.len() != ids.len() {
            let recipients = self.engine.json_ids("$1");
            let known: Vec<UserId> =
                sqlx::query_scalar(&format!("SELECT id FROM users WHERE id IN ({recipients})"))
                    .bind(&only)
                    .fetch_all(&mut **tx)
                    .await?;
            if let Some(missing) = ids.iter().find(|id| !known.contains(id)) {
                // Dropping the transaction undoes the counters already bumped.
                return Err(StoreError::UnknownUser(*missing));
            }
        }
        let audience_label = match counts.len() {
            1 => "1 user".to_owned(),
            n => format!("{n} users"),
        };
        let send_id = record_send(
            tx,
            NewSend {
                title: &send.content.title,
                audience: &audience_label,
                sender: &send.sender,
                recipients: counts.len() as i64,
                delivered: counts
                    .iter()
                    .filter(|b| send.online.contains(&b.id))
                    .count() as i64,
                created_at,
            },
        )
        .await?;
        let delivered = self
            .insert_copies(
                tx,
                &only,
                counts,
                &send.content,
                send.actor.as_deref(),
                created_at,
                send_id,
            )
            .await?;
        if let Some(remember) = &send.remember {
            let response = (remember.response)(Stored::Copies(&delivered));
            store_response(tx, remember, response).await?;
        }
        let announcements: Vec<Announcement> =
            delivered.iter().map(Delivered::announcement).collect();
        self.announce(tx, &announcements).await?;
        Ok((send_id, delivered))
    }

    /// Takes the next sequence number of each active user among `only` (a
    /// JSON array of ids) and counts the copy about to be stored as unread
    /// unless muted for them: each user's id, new unread count and whether
    /// it is muted. Muting is decided here, once: on PostgreSQL a later
    /// statement could see a category made required meanwhile, and the
    /// copy would disagree with the count.
    pub(super) async fn bump_recipients(
        &self,
        tx: &mut Tx<'_>,
        only: &str,
        category: Category,
    ) -> Result<Vec<Bumped>, StoreError> {
        // On SQLite the UPDATE takes the write lock before anything is
        // read; on PostgreSQL the recipients' rows are locked first. Either
        // way sequence numbers never collide.
        self.lock_recipients(tx, only).await?;
        let reached = self.engine.recipients();
        let muted = muted_sql("$2");
        let rows: Vec<(UserId, i64, i64)> = sqlx::query_as(&format!(
            "UPDATE users SET last_seq = last_seq + 1, \
             unread = unread + CASE WHEN {muted} THEN 0 ELSE 1 END \
             WHERE {reached} \
             RETURNING id, unread, CAST(CASE WHEN {muted} THEN 1 ELSE 0 END AS BIGINT)"
        ))
        .bind(only)
        .bind(category.as_str())
        .fetch_all(&mut **tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, unread, muted)| Bumped {
                id,
                unread,
                muted: muted != 0,
            })
            .collect())
    }

    /// Stores a copy of `content` for each user [`Store::bump_recipients`]
    /// just moved (`bumped`), under their new sequence number, muted as
    /// decided there.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn insert_copies(
        &self,
        tx: &mut Tx<'_>,
        only: &str,
        bumped: Vec<Bumped>,
        content: &NewNotification,
        actor: Option<&str>,
        created_at: i64,
        send_id: i64,
    ) -> Result<Vec<Delivered>, StoreError> {
        let reached = self.engine.recipients();
        let muted_ids: Vec<UserId> = bumped.iter().filter(|b| b.muted).map(|b| b.id).collect();
        let muted = self.engine.json_ids("$11");
        let rows: Vec<OwnedRow> = sqlx::query_as(&format!(
            "INSERT INTO notifications \
             (user_id, seq, version, title, body, link, category, actor, created_at, send_id, \
              expires_at, muted, actions) \
             SELECT id, last_seq, last_seq, $2, $3, $4, $5, $6, $7, $8, $9, \
                    CASE WHEN id IN ({muted}) THEN 1 ELSE 0 END, $10 FROM users \
             WHERE {reached} \
             RETURNING user_id AS owner, {COLUMNS}"
        ))
        .bind(only)
        .bind(&content.title)
        .bind(&content.body)
        .bind(&content.link)
        .bind(content.category.as_str())
        .bind(actor)
        .bind(created_at)
        .bind(send_id)
        .bind(content.expires_at)
        .bind(actions_json(&content.actions)?)
        .bind(json_array(&muted_ids)?)
        .fetch_all(&mut **tx)
        .await?;
        let counts: std::collections::HashMap<UserId, i64> =
            bumped.into_iter().map(|b| (b.id, b.unread)).collect();
        Ok(rows
            .into_iter()
            .map(|r| Delivered {
                user_id: r.owner,
                unread: counts.get(&r.owner).copied().unwrap_or_default(),
                notification: r.row.into(),
            })
            .collect())
    }

    /// The user's unread count and the sequence number it is valid at: one
    /// row, however many notifications there are.
    pub async fn unread(&self, user: UserId) -> Result<Counts, StoreError> {
        sqlx::query_as("SELECT unread, last_seq FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::UnknownUser(user))
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
        Ok(sqlx::query_as::<_, NotificationRow>(&format!(
            "SELECT {COLUMNS} FROM notifications \
             WHERE user_id = $1 AND version > $2 AND version <= $3 ORDER BY version, id LIMIT $4"
        ))
        .bind(user)
        .bind(after)
        .bind(up_to)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(Notification::from)
        .collect())
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
        Ok(sqlx::query_as::<_, NotificationRow>(&page_sql(view))
            .bind(user)
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(Notification::from)
            .collect())
    }

    /// How the engine runs the page query of `view`: one line per step, to check
    /// that it reads an index range and never scans the table.
    pub async fn page_plan(&self, view: InboxView) -> Result<Vec<String>, StoreError> {
        self.plan(&page_sql(view)).await
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

    /// Marks one of the user's notifications read (or unread again).
    pub async fn set_read(&self, user: UserId, id: i64, read: bool) -> Result<Changed, StoreError> {
        self.change(
            user,
            id,
            "read_at = $3 WHERE id = $1 AND user_id = $2 AND retracted_at IS NULL \
             AND (read_at IS NULL) = ($3 IS NOT NULL)",
            read.then(now_ms),
            |n| n.read_at = toggled(n.read_at),
        )
        .await
    }

    /// Archives one of the user's notifications (or brings it back).
    pub async fn set_archived(
        &self,
        user: UserId,
        id: i64,
        archived: bool,
    ) -> Result<Changed, StoreError> {
        self.change(
            user,
            id,
            "archived_at = $3 WHERE id = $1 AND user_id = $2 AND retracted_at IS NULL \
             AND (archived_at IS NULL) = ($3 IS NOT NULL)",
            archived.then(now_ms),
            |n| n.archived_at = toggled(n.archived_at),
        )
        .await
    }

    /// Snoozes one of the user's notifications in their inbox until `until`
    /// (out of every view and the count till then), or with `None` brings
    /// a snoozed one back now.
    pub async fn set_snoozed(
        &self,
        user: UserId,
        id: i64,
        until: Option<i64>,
    ) -> Result<Changed, StoreError> {
        self.change(
            user,
            id,
            "snoozed_until = $3 WHERE id = $1 AND user_id = $2 AND retracted_at IS NULL \
             AND archived_at IS NULL AND (snoozed_until IS NULL) = ($3 IS NOT NULL)",
            until,
            |n| n.snoozed_until = toggled(n.snoozed_until),
        )
        .await
    }

    /// Brings back one of the user's notifications whose snooze ended by
    /// `now`; unchanged if it is not due (snoozed again meanwhile, say).
    pub async fn wake(&self, user: UserId, id: i64, now: i64) -> Result<Changed, StoreError> {
        self.change(
            user,
            id,
            "snoozed_until = NULL WHERE id = $1 AND user_id = $2 AND snoozed_until <= $3",
            Some(now),
            |n| n.snoozed_until = toggled(n.snoozed_until),
        )
        .await
    }

    /// Snoozed notifications whose time has come (at most `limit`), with
    /// their owners: what the job brings back next.
    pub async fn due_wakes(&self, now: i64, limit: i64) -> Result<Vec<(i64, UserId)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, user_id FROM notifications \
             WHERE snoozed_until IS NOT NULL AND snoozed_until <= $1 \
             ORDER BY snoozed_until LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Applies `assignment` (an `UPDATE … SET` tail over `$1` id, `$2` user,
    /// `$3` time) to one notification as the user's next change, keeping
    /// the unread counter in step: `undo` turns the changed notification
    /// back into what it was, and the counter moves by the difference.
    async fn change(
        &self,
        user: UserId,
        id: i64,
        assignment: &str,
        at: Option<i64>,
        undo: impl Fn(&mut Notification),
    ) -> Result<Changed, StoreError> {
        let mut tx = self.writer.begin().await?;
        // Writing first takes SQLite's write lock before anything is read.
        self.lock_user(&mut tx, user).await?;
        let updated: Option<NotificationRow> = sqlx::query_as(&format!(
            "UPDATE notifications SET version = \
             (SELECT last_seq + 1 FROM users WHERE id = $2), {assignment} RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(user)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(updated) = updated else {
            // Unchanged: already so, or not this user's (the same to them).
            drop(tx);
            return self.unchanged(user, id).await;
        };
        let after = Notification::from(updated);
        let mut before = after.clone();
        undo(&mut before);
        self.finish_change(tx, user, &before, after).await
    }

    /// What a change that found nothing to do answers: the notification as
    /// it stands and the user's count (`NotFound` if it is not theirs).
    pub(super) async fn unchanged(&self, user: UserId, id: i64) -> Result<Changed, StoreError> {
        let notification = self
            .notification(user, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let (unread, _) = self.unread(user).await?;
        Ok(Changed {
            user,
            notification,
            unread,
            changed: false,
        })
    }

    /// Finishes a change written in `tx` whose row (`after`) already carries
    /// the user's next sequence number: takes that number, moves the count
    /// by what the change did (from `before`), announces it and commits.
    pub(super) async fn finish_change(
        &self,
        mut tx: Tx<'_>,
        user: UserId,
        before: &Notification,
        after: Notification,
    ) -> Result<Changed, StoreError> {
        let delta = after.counts_as_unread() as i64 - before.counts_as_unread() as i64;
        let (unread, _) = bump(&mut tx, user, delta).await?;
        let changed = Changed {
            user,
            notification: after,
            unread,
            changed: true,
        };
        self.announce(&mut tx, changed.announcement().as_slice())
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Marks read every unread notification of the user with `seq <= up_to`
    /// (what they had seen when they asked), archived ones included; one
    /// arriving meanwhile stays unread.
    pub async fn mark_all_read(&self, user: UserId, up_to: i64) -> Result<AllRead, StoreError> {
        let read_at = now_ms();
        let mut tx = self.writer.begin().await?;
        self.lock_user(&mut tx, user).await?;
        let marked: Vec<NotificationRow> = sqlx::query_as(&format!(
            "UPDATE notifications SET read_at = $3, \
             version = (SELECT last_seq + 1 FROM users WHERE id = $1) \
             WHERE user_id = $1 AND read_at IS NULL AND retracted_at IS NULL AND seq <= $2 \
             RETURNING {COLUMNS}"
        ))
        .bind(user)
        .bind(up_to)
        .bind(read_at)
        .fetch_all(&mut *tx)
        .await?;
        if marked.is_empty() {
            drop(tx);
            let (unread, seq) = self.unread(user).await?;
            return Ok(AllRead {
                user,
                up_to,
                read_at,
                seq,
                unread,
                marked: 0,
            });
        }
        let marked_count = marked.len() as u64;
        // What each counted before it was read.
        let counted = marked
            .into_iter()
            .map(Notification::from)
            .filter(|n| {
                let mut before = n.clone();
                before.read_at = None;
                before.counts_as_unread()
            })
            .count() as i64;
        let (unread, seq) = bump(&mut tx, user, -counted).await?;
        let all = AllRead {
            user,
            up_to,
            read_at,
            seq,
            unread,
            marked: marked_count,
        };
        self.announce(&mut tx, all.announcement().as_slice())
            .await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Withdraws a notification from its recipient's inbox and count.
    /// Returns the owner and the change to announce to them.
    pub async fn retract(&self, id: i64, by: &str) -> Result<Changed, StoreError> {
        let mut tx = self.writer.begin().await?;
        let changed = self
            .withdraw(&mut tx, id, None)
            .await?
            .ok_or(StoreError::NotFound)?;
        // The last of a send to go marks the send retracted too.
        sqlx::query(
            "UPDATE sends SET retracted_at = $2 WHERE retracted_at IS NULL \
             AND id = (SELECT send_id FROM notifications WHERE id = $1) \
             AND NOT EXISTS (SELECT 1 FROM notifications \
                             WHERE send_id = sends.id AND retracted_at IS NULL)",
        )
        .bind(id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            by,
            "retract",
            &format!("notification #{id}"),
            &changed.notification.title,
        )
        .await?;
        self.announce(&mut tx, changed.announcement().as_slice())
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Notifications whose expiry has come (at most `limit`): what the
    /// expiry job withdraws next.
    pub async fn due_expiries(&self, now: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM notifications \
             WHERE expires_at IS NOT NULL AND retracted_at IS NULL AND expires_at <= $1 \
             ORDER BY expires_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Withdraws notification `id` if its expiry is at or before `now`, as
    /// a retraction does but without a sender to audit. `None` when it is
    /// not due, or already gone (another instance's job got there first).
    pub async fn expire(&self, id: i64, now: i64) -> Result<Option<Changed>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let Some(changed) = self.withdraw(&mut tx, id, Some(now)).await? else {
            return Ok(None);
        };
        self.announce(&mut tx, changed.announcement().as_slice())
            .await?;
        tx.commit().await?;
        Ok(Some(changed))
    }

    /// Marks notification `id` withdrawn as its owner's next change, and
    /// takes it off their count; with `due`, only if it expires by then.
    /// `None` if there is nothing to withdraw.
    async fn withdraw(
        &self,
        tx: &mut Tx<'_>,
        id: i64,
        due: Option<i64>,
    ) -> Result<Option<Changed>, StoreError> {
        let owner: Option<UserId> =
            sqlx::query_scalar("SELECT user_id FROM notifications WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        let Some(owner) = owner else {
            return Ok(None);
        };
        self.lock_user(tx, owner).await?;
        let due_clause = if due.is_some() {
            " AND expires_at <= $3"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE notifications SET retracted_at = $2, version = \
             (SELECT last_seq + 1 FROM users WHERE users.id = notifications.user_id) \
             WHERE id = $1 AND retracted_at IS NULL{due_clause} \
             RETURNING user_id AS owner, {COLUMNS}"
        );
        let mut update = sqlx::query_as::<_, OwnedRow>(&sql).bind(id).bind(now_ms());
        if let Some(due) = due {
            update = update.bind(due);
        }
        let Some(row) = update.fetch_optional(&mut **tx).await? else {
            return Ok(None);
        };
        let notification = Notification::from(row.row);
        let mut before = notification.clone();
        before.retracted_at = None;
        let counted = before.counts_as_unread();
        let (unread, _) = bump(tx, row.owner, -(counted as i64)).await?;
        Ok(Some(Changed {
            user: row.owner,
            notification,
            unread,
            changed: true,
        }))
    }

    /// Withdraws every notification of a send still out, in one
    /// transaction: each recipient's next change, counts kept, and the send
    /// marked retracted last. Returns the changes to announce, one per
    /// recipient; retrying a retracted send changes nothing and returns none.
    pub async fn retract_send(&self, send: i64, by: &str) -> Result<Vec<Changed>, StoreError> {
        let at = now_ms();
        let mut tx = self.writer.begin().await?;
        // The send's row first, as its fan-out batches take it: a batch
        // either committed before this or finds the send retracted.
        self.lock_send(&mut tx, send).await?;
        self.lock_send_recipients(&mut tx, send).await?;
        sqlx::query("DELETE FROM fanouts WHERE send_id = $1")
            .bind(send)
            .execute(&mut *tx)
            .await?;
        let title: Option<String> = sqlx::query_scalar("SELECT title FROM sends WHERE id = $1")
            .bind(send)
            .fetch_optional(&mut *tx)
            .await?;
        let title = title.ok_or(StoreError::NotFound)?;
        // A send holds one notification per recipient, so each owner takes
        // exactly one sequence number here.
        let counts: Vec<(UserId, i64)> = sqlx::query_as(
            "UPDATE users SET last_seq = last_seq + 1, unread = unread - \
             (SELECT COUNT(n.id) FROM notifications n WHERE n.user_id = users.id AND n.send_id = $1 \
              AND n.retracted_at IS NULL AND n.read_at IS NULL AND n.archived_at IS NULL \
              AND n.snoozed_until IS NULL AND n.muted = 0) \
             WHERE id IN (SELECT user_id FROM notifications WHERE send_id = $1 AND retracted_at IS NULL) \
             RETURNING id, unread",
        )
        .bind(send)
        .fetch_all(&mut *tx)
        .await?;
        let rows: Vec<OwnedRow> = sqlx::query_as(&format!(
            "UPDATE notifications SET retracted_at = $2, \
             version = (SELECT last_seq FROM users WHERE users.id = notifications.user_id) \
             WHERE send_id = $1 AND retracted_at IS NULL RETURNING user_id AS owner, {COLUMNS}"
        ))
        .bind(send)
        .bind(at)
        .fetch_all(&mut *tx)
        .await?;
        let marked = sqlx::query(
            "UPDATE sends SET retracted_at = $2 WHERE id = $1 AND retracted_at IS NULL",
        )
        .bind(send)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Audited once: a retry changes nothing. A send still fanning out
        // may be retracted before any copy was written.
        if marked > 0 || !rows.is_empty() {
            record(
                &mut tx,
                by,
                "retract",
                &format!("send #{send}"),
                &format!("“{title}” from {} recipients", rows.len()),
            )
            .await?;
        }
        let counts: std::collections::HashMap<UserId, i64> = counts.into_iter().collect();
        let changes: Vec<Changed> = rows
            .into_iter()
            .map(|r| Changed {
                user: r.owner,
                unread: counts.get(&r.owner).copied().unwrap_or_default(),
                notification: r.row.into(),
                changed: true,
            })
            .collect();
        let announcements: Vec<Announcement> =
            changes.iter().filter_map(Changed::announcement).collect();
        self.announce(&mut tx, &announcements).await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// Records that the user's bell panel showed everything up to `up_to`.
    /// Seeing is not reading: it changes no count and takes no sequence number.
    pub async fn mark_seen(&self, user: UserId, up_to: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE notifications SET seen_at = $3 \
             WHERE user_id = $1 AND seq <= $2 AND seen_at IS NULL",
        )
        .bind(user)
        .bind(up_to)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}

/// Takes the user's next sequence number for a change just written in `tx`
/// (whose rows already carry it as their version) and moves their unread
/// counter by `delta`. Returns the new count and sequence number.
async fn bump(tx: &mut Tx<'_>, user: UserId, delta: i64) -> Result<(i64, i64), StoreError> {
    Ok(sqlx::query_as(
        "UPDATE users SET last_seq = last_seq + 1, unread = unread + $2 \
         WHERE id = $1 RETURNING unread, last_seq",
    )
    .bind(user)
    .bind(delta)
    .fetch_one(&mut **tx)
    .await?)
}

/// The page query of `view`: `$1` user, `$2` before (a seq), `$3` limit.
/// Each view's filter matches one partial index exactly.
fn page_sql(view: InboxView) -> String {
    let filter = match view {
        InboxView::Unread => "read_at IS NULL AND archived_at IS NULL AND snoozed_until IS NULL",
        InboxView::All => "archived_at IS NULL AND snoozed_until IS NULL",
        InboxView::Snoozed => "archived_at IS NULL AND snoozed_until IS NOT NULL",
        InboxView::Archived => "archived_at IS NOT NULL",
    };
    format!(
        "SELECT {COLUMNS} FROM notifications \
         WHERE user_id = $1 AND {filter} AND retracted_at IS NULL AND seq < $2 \
         ORDER BY seq DESC LIMIT $3"
    )
}

/// A send's actions as stored: JSON, or NULL for none.
pub(super) fn actions_json(actions: &[ActionSpec]) -> Result<Option<String>, StoreError> {
    if actions.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(actions)
        .map(Some)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The actions [`actions_json`] stored (none if unreadable: they were
/// checked before they were written).
pub(super) fn parse_actions(json: Option<&str>) -> Vec<ActionSpec> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// A time that is set when unset and unset when set: what undoes a change
/// of it, as far as counting goes.
fn toggled(at: Option<i64>) -> Option<i64> {
    match at {
        Some(_) => None,
        None => Some(0),
    }
}

/// Whether a copy of a `$param` category (bound to its name) for the user
/// row `users` arrives muted: the user muted it, and no admin made it
/// required. The one place this rule is written.
fn muted_sql(param: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM preferences p WHERE p.user_id = users.id \
                  AND p.category = {param} AND p.bell = 0) \
          AND NOT EXISTS (SELECT 1 FROM required_categories r WHERE r.category = {param}))"
    )
}

/// A recipient [`Store::bump_recipients`] moved on.
pub(super) struct Bumped {
    pub id: UserId,
    /// Their unread count with the new copy.
    pub unread: i64,
    /// Whether the new copy arrives muted (not counted).
    pub muted: bool,
}

#[derive(FromRow)]
struct OwnedRow {
    owner: UserId,
    #[sqlx(flatten)]
    row: NotificationRow,
}
