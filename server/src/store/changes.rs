//! A user's changes to their notifications: read, archived, snoozed, all
//! read, seen (a snooze's end is in `due.rs`). Each copy changed is the
//! user's next sequence number and keeps their unread counter (by rows,
//! `groups.rs`), in one transaction.

use std::collections::HashMap;

use herald::{Change, Notification, UserId};

use super::dialect::Item::Integer;
use super::groups::{Step, row_deltas};
use super::rows::{AllRead, COLUMNS, Changed, NotificationRow, json_array};
use super::{Counts, CountsRow, Store, StoreError, Tx, now_ms};

impl Store {
    /// Applies `change` to one of the user's notifications and, if it is
    /// grouped, to every other copy of its row (a row is read, archived or
    /// snoozed as one): each copy changed is the user's next sequence
    /// number, the one asked about last, the count kept by rows. Four
    /// statements however long the row. Unchanged if it is so
    /// already; `NotFound` if it is not theirs.
    pub async fn change(
        &self,
        user: UserId,
        id: i64,
        change: Change,
    ) -> Result<Changed, StoreError> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let Counts { seq, unread } = self.lock_counters(&mut tx, user).await?;
        let found: Vec<NotificationRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM notifications WHERE user_id = $1 AND (id = $2 OR group_seq = \
             (SELECT group_seq FROM notifications WHERE id = $2 AND user_id = $1)) ORDER BY seq"
        ))
        .bind(user)
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let (mut asked, mut row): (Vec<Notification>, Vec<Notification>) = found
            .into_iter()
            .map(Notification::from)
            .partition(|n| n.id == id);
        let Some(asked) = asked.pop() else {
            return Err(StoreError::NotFound);
        };
        row.push(asked.clone());
        // The row is read whole, so how many of it count now is known here.
        let mut counted: HashMap<(UserId, i64), i64> = HashMap::new();
        for n in row.iter().filter(|n| n.counts_as_unread()) {
            if let Some(group) = n.group {
                *counted.entry((user, group)).or_default() += 1;
            }
        }
        // What the change makes of each copy it applies to, in order.
        let planned: Vec<(Notification, Notification)> = row
            .into_iter()
            .filter_map(|before| change.apply(&before, now).map(|after| (before, after)))
            .collect();
        if planned.is_empty() {
            drop(tx);
            return self.unchanged(user, id).await;
        }
        let steps: Vec<Step> = planned
            .iter()
            .map(|(before, after)| Step::of(user, before, after))
            .collect();
        let deltas = row_deltas(&steps, counted);
        let (mut seq, mut unread) = (seq, unread);
        let mut made = Vec::with_capacity(planned.len());
        for ((_, mut after), delta) in planned.into_iter().zip(deltas) {
            seq += 1;
            unread += delta;
            after.version = seq;
            made.push((after, unread));
        }
        self.write_changes(&mut tx, user, &made).await?;
        let changed = match made.pop_if(|(n, _)| n.id == id) {
            Some((notification, unread)) => Changed {
                user,
                notification,
                unread,
                changed: true,
                also: made,
            },
            // It was so already, the rest of its row was not: answered as
            // it stands, the rest announced.
            None => Changed {
                user,
                notification: asked,
                unread,
                changed: false,
                also: made,
            },
        };
        self.commit_announcing(tx, &changed.announcements()).await?;
        Ok(changed)
    }

    /// Stores `made` (copies of the user's, each at its new version, with
    /// the count after it) in two statements: every copy's states and
    /// version, then the user's sequence and count.
    async fn write_changes(
        &self,
        tx: &mut Tx<'_>,
        user: UserId,
        made: &[(Notification, i64)],
    ) -> Result<(), StoreError> {
        let e = self.engine;
        let rows: Vec<serde_json::Value> = made
            .iter()
            .map(|(n, _)| {
                serde_json::json!([n.id, n.version, n.read_at, n.archived_at, n.snoozed_until])
            })
            .collect();
        let sql = format!(
            "UPDATE notifications SET version = {version}, read_at = {read}, \
             archived_at = {archived}, snoozed_until = {snoozed} FROM {rows} \
             WHERE notifications.id = {id} AND notifications.user_id = $2",
            rows = e.json_rows("$1", "c"),
            id = e.json_item("c", 0, Integer),
            version = e.json_item("c", 1, Integer),
            read = e.json_item("c", 2, Integer),
            archived = e.json_item("c", 3, Integer),
            snoozed = e.json_item("c", 4, Integer),
        );
        let written = sqlx::query(&sql)
            .bind(json_array(&rows)?)
            .bind(user)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if written != made.len() as u64 {
            return Err(StoreError::Corrupt(
                "a change lost a copy under the lock".into(),
            ));
        }
        let Some((last, unread)) = made.last() else {
            return Ok(());
        };
        sqlx::query("UPDATE users SET last_seq = $2, unread = $3 WHERE id = $1")
            .bind(user)
            .bind(last.version)
            .bind(unread)
            .execute(&mut **tx)
            .await?;
        Ok(())
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
