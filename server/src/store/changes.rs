//! A user's changes to their notifications: read, archived, snoozed, all
//! read, seen (a snooze's end is in `due.rs`). Each copy changed is the
//! user's next sequence number and keeps their unread counter (by rows,
//! `groups.rs`), in one transaction.

use herald::{Change, Notification, UserId};

use super::groups::Step;
use super::rows::{AllRead, COLUMNS, Changed, NotificationRow};
use super::{Counts, CountsRow, Store, StoreError, Tx, now_ms};

impl Store {
    /// Applies `change` to one of the user's notifications (unchanged if
    /// it is so already; `NotFound` if it is not theirs).
    pub async fn change(
        &self,
        user: UserId,
        id: i64,
        change: Change,
    ) -> Result<Changed, StoreError> {
        let (assignment, at, undo): (&'static str, _, fn(&mut Notification)) = match change {
            Change::Read(read) => (
                "read_at = $3 WHERE id = $1 AND user_id = $2 AND retracted_at IS NULL \
                 AND (read_at IS NULL) = ($3 IS NOT NULL)",
                read.then(now_ms),
                |n| n.read_at = toggled(n.read_at),
            ),
            Change::Archived(archived) => (
                "archived_at = $3 WHERE id = $1 AND user_id = $2 AND retracted_at IS NULL \
                 AND (archived_at IS NULL) = ($3 IS NOT NULL)",
                archived.then(now_ms),
                |n| n.archived_at = toggled(n.archived_at),
            ),
            // Out of every view and the count till then; archived ones stay put.
            Change::Snoozed(until) => (
                "snoozed_until = $3 WHERE id = $1 AND user_id = $2 AND retracted_at IS NULL \
                 AND archived_at IS NULL AND (snoozed_until IS NULL) = ($3 IS NOT NULL)",
                until,
                |n| n.snoozed_until = toggled(n.snoozed_until),
            ),
        };
        self.change_with(user, id, assignment, at, undo).await
    }

    /// Applies `assignment` (an `UPDATE … SET` tail over `$1` id, `$2` user,
    /// `$3` time) as the user's next change, to the notification and, if it
    /// is grouped, to every other copy of its row first (a row is read,
    /// archived or snoozed as one): each copy its own sequence number, the
    /// counter kept in step. `undo` turns a changed copy back into what it
    /// was, to tell what the change did to the count.
    async fn change_with(
        &self,
        user: UserId,
        id: i64,
        assignment: &'static str,
        at: Option<i64>,
        undo: impl Fn(&mut Notification),
    ) -> Result<Changed, StoreError> {
        let mut tx = self.writer.begin().await?;
        // The row's copies are read first: on SQLite a write that changes
        // nothing takes the write lock before it (a transaction that read
        // first fails if the session store writes in between).
        self.lock_user_before_reading(&mut tx, user).await?;
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM notifications WHERE user_id = $1 AND id <> $2 AND group_seq = \
             (SELECT group_seq FROM notifications WHERE id = $2 AND user_id = $1) ORDER BY seq",
        )
        .bind(user)
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        ids.push(id);
        let mut made = Vec::with_capacity(ids.len());
        for each in ids {
            let updated: Option<NotificationRow> = sqlx::query_as(&format!(
                "UPDATE notifications SET version = \
                 (SELECT last_seq + 1 FROM users WHERE id = $2), {assignment} RETURNING {COLUMNS}"
            ))
            .bind(each)
            .bind(user)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            // Unchanged: already so, or not this user's (the same to them).
            let Some(updated) = updated else { continue };
            let after = Notification::from(updated);
            let mut before = after.clone();
            undo(&mut before);
            let unread = self.count_change(&mut tx, user, &before, &after).await?;
            made.push((after, unread));
        }
        let changed = if let Some((notification, unread)) = made.pop_if(|(n, _)| n.id == id) {
            Changed {
                user,
                notification,
                unread,
                changed: true,
                also: made,
            }
        } else if let Some(&(_, unread)) = made.last() {
            // It was so already, the rest of its row was not: answered as
            // it stands, the rest announced.
            let asked: NotificationRow = sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM notifications WHERE id = $1 AND user_id = $2"
            ))
            .bind(id)
            .bind(user)
            .fetch_one(&mut *tx)
            .await?;
            Changed {
                user,
                notification: asked.into(),
                unread,
                changed: false,
                also: made,
            }
        } else {
            drop(tx);
            return self.unchanged(user, id).await;
        };
        self.commit_announcing(tx, &changed.announcements()).await?;
        Ok(changed)
    }

    /// What a change that found nothing to do answers: the notification as
    /// it stands and the user's count (`NotFound` if it is not theirs).
    pub(super) async fn unchanged(&self, user: UserId, id: i64) -> Result<Changed, StoreError> {
        let notification = self
            .notification(user, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let Counts { unread, .. } = self.unread(user).await?;
        Ok(Changed {
            user,
            notification,
            unread,
            changed: false,
            also: Vec::new(),
        })
    }

    /// Takes the user's next sequence number for a change of one copy
    /// already written in `tx` (from `before` to `after`, which carries
    /// that number) and moves the count by what it did to the copy's row.
    /// Returns the count after it.
    pub(super) async fn count_change(
        &self,
        tx: &mut Tx<'_>,
        user: UserId,
        before: &Notification,
        after: &Notification,
    ) -> Result<i64, StoreError> {
        let step = Step::of(user, before, after);
        let delta = self.row_deltas_after(tx, &[step]).await?[0];
        Ok(bump(tx, user, delta).await?.unread)
    }

    /// Finishes a change of one copy written in `tx` ([`Store::count_change`]),
    /// announces it and commits.
    pub(super) async fn finish_change(
        &self,
        mut tx: Tx<'_>,
        user: UserId,
        before: &Notification,
        after: Notification,
    ) -> Result<Changed, StoreError> {
        let unread = self.count_change(&mut tx, user, before, &after).await?;
        let changed = Changed {
            user,
            notification: after,
            unread,
            changed: true,
            also: Vec::new(),
        };
        self.commit_announcing(tx, &changed.announcements()).await?;
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
            let Counts { unread, seq } = self.unread(user).await?;
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
        // What reading each did to the count, by rows.
        let steps: Vec<Step> = marked
            .into_iter()
            .map(Notification::from)
            .map(|after| {
                let mut before = after.clone();
                before.read_at = None;
                Step::of(user, &before, &after)
            })
            .collect();
        let delta: i64 = self.row_deltas_after(&mut tx, &steps).await?.iter().sum();
        let Counts { unread, seq } = bump(&mut tx, user, delta).await?;
        let all = AllRead {
            user,
            up_to,
            read_at,
            seq,
            unread,
            marked: marked_count,
        };
        self.commit_announcing(tx, all.announcement().as_slice())
            .await?;
        Ok(all)
    }

    /// Records that the user's bell panel showed everything up to `up_to`.
    /// Seeing is not reading: it changes no count and takes no sequence number.
    pub async fn mark_seen(&self, user: UserId, up_to: i64) -> Result<(), StoreError> {
        self.write(
            sqlx::query(
                "UPDATE notifications SET seen_at = $3 \
                 WHERE user_id = $1 AND seq <= $2 AND seen_at IS NULL",
            )
            .bind(user)
            .bind(up_to)
            .bind(now_ms()),
        )
        .await?;
        Ok(())
    }
}

/// Takes the user's next sequence number for a change just written in `tx`
/// (whose rows already carry it as their version) and moves their unread
/// counter by `delta`. Returns the new count and sequence number.
pub(super) async fn bump(tx: &mut Tx<'_>, user: UserId, delta: i64) -> Result<Counts, StoreError> {
    let row: CountsRow = sqlx::query_as(
        "UPDATE users SET last_seq = last_seq + 1, unread = unread + $2 \
         WHERE id = $1 RETURNING unread, last_seq",
    )
    .bind(user)
    .bind(delta)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.into())
}

/// A time that is set when unset and unset when set: what undoes a change
/// of it, as far as counting goes.
fn toggled(at: Option<i64>) -> Option<i64> {
    match at {
        Some(_) => None,
        None => Some(0),
    }
}
