//! Timed changes: snoozes that end and expiries that come. Whatever is due
//! (up to a limit) changes in one transaction of a fixed number of
//! statements, however many notifications and owners it touches: each
//! change is its owner's next sequence number, announced with their count
//! right after it, as a change one by one would be.

use std::collections::HashMap;

use herald::{Notification, UserId};

use super::dialect::Item::Integer;
use super::groups::Step;
use super::rows::{COLUMNS, Changed, OwnedRow, json_array};
use super::{Store, StoreError};

/// What comes due at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// A snooze ends: the notification is back in its views (and count).
    Wake,
    /// An expiry comes: the notification is withdrawn, as a retraction.
    Expiry,
}

impl Due {
    /// Which notifications are due by `$1`.
    fn filter(self) -> &'static str {
        match self {
            Due::Wake => "snoozed_until IS NOT NULL AND snoozed_until <= $1",
            Due::Expiry => "expires_at IS NOT NULL AND retracted_at IS NULL AND expires_at <= $1",
        }
    }

    /// The time that makes one due: the earliest are taken first.
    fn time(self) -> &'static str {
        match self {
            Due::Wake => "snoozed_until",
            Due::Expiry => "expires_at",
        }
    }

    /// The change, as `SET` assignments (`$1`: the time it is made at).
    fn assignment(self) -> &'static str {
        match self {
            Due::Wake => "snoozed_until = NULL",
            Due::Expiry => "retracted_at = $1",
        }
    }

    /// `n` as the change leaves it, for counting.
    fn apply(self, n: &mut Notification, now: i64) {
        match self {
            Due::Wake => n.snoozed_until = None,
            Due::Expiry => n.retracted_at = Some(now),
        }
    }
}

impl Store {
    /// Notifications `what` makes due by `now` (at most `limit`, the
    /// earliest first), with their owners.
    pub async fn due(
        &self,
        what: Due,
        now: i64,
        limit: i64,
    ) -> Result<Vec<(i64, UserId)>, StoreError> {
        let sql = format!(
            "SELECT id, user_id FROM notifications WHERE {} ORDER BY {} LIMIT $2",
            what.filter(),
            what.time()
        );
        Ok(sqlx::query_as(&sql)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Makes every change `what` has due by `now` (at most `limit`) in one
    /// transaction, and returns them in the order made (per owner, their
    /// sequence order). Another instance doing the same at once takes
    /// turns on the owners' rows: each change is made once.
    pub async fn change_due(
        &self,
        what: Due,
        now: i64,
        limit: i64,
    ) -> Result<Vec<Changed>, StoreError> {
        let mut owners: Vec<UserId> = self
            .due(what, now, limit)
            .await?
            .into_iter()
            .map(|(_, user)| user)
            .collect();
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        owners.sort_unstable();
        owners.dedup();
        let owners = json_array(&owners)?;
        let e = self.engine;
        let mut tx = self.writer.begin().await?;

        // The owners' counters, locked (in id order) until the commit: no
        // other change of theirs runs meanwhile, on any instance.
        let counters: Vec<(UserId, i64, i64)> = sqlx::query_as(&format!(
            "SELECT id, last_seq, unread FROM users WHERE id IN ({}) ORDER BY id{}",
            e.json_ids("$1"),
            e.for_update()
        ))
        .bind(&owners)
        .fetch_all(&mut *tx)
        .await?;
        let mut counters: HashMap<UserId, (i64, i64)> = counters
            .into_iter()
            .map(|(user, seq, unread)| (user, (seq, unread)))
            .collect();
        // What is due now that they are locked: nothing of theirs changes
        // before the commit.
        let due: Vec<OwnedRow> = sqlx::query_as(&format!(
            "SELECT user_id AS owner, {COLUMNS} FROM notifications \
             WHERE {} AND user_id IN ({}) ORDER BY {}, id LIMIT $3",
            what.filter(),
            e.json_ids("$2"),
            what.time()
        ))
        .bind(now)
        .bind(&owners)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }

        // What each change does to its copy, and so (by rows, counted as
        // they stand before any of them) to its owner's count.
        let due: Vec<(UserId, Notification)> = due
            .into_iter()
            .map(|row| (row.owner, Notification::from(row.row)))
            .collect();
        let steps: Vec<Step> = due
            .iter()
            .map(|(user, before)| {
                let mut after = before.clone();
                what.apply(&mut after, now);
                Step::of(*user, before, &after)
            })
            .collect();
        let deltas = self.row_deltas_before(&mut tx, &steps).await?;

        // Each change's version and its owner's count after it, in order.
        let mut planned: Vec<(i64, UserId, i64, i64)> = Vec::with_capacity(due.len());
        let mut moved: HashMap<UserId, (i64, i64)> = HashMap::new();
        for ((owner, before), delta) in due.into_iter().zip(deltas) {
            let (seq, unread) = counters
                .get_mut(&owner)
                .ok_or_else(|| StoreError::Corrupt("a notification without its owner".into()))?;
            *seq += 1;
            *unread += delta;
            let total = moved.entry(owner).or_default();
            total.0 += 1;
            total.1 += delta;
            planned.push((before.id, owner, *seq, *unread));
        }

        let versions: Vec<[i64; 2]> = planned.iter().map(|p| [p.0, p.2]).collect();
        let changed: Vec<OwnedRow> = sqlx::query_as(&format!(
            "UPDATE notifications SET {}, version = {} FROM {} \
             WHERE notifications.id = {} AND {} RETURNING user_id AS owner, {COLUMNS}",
            what.assignment(),
            e.json_item("c", 1, Integer),
            e.json_rows("$2", "c"),
            e.json_item("c", 0, Integer),
            what.filter(),
        ))
        .bind(now)
        .bind(json_array(&versions)?)
        .fetch_all(&mut *tx)
        .await?;
        if changed.len() != planned.len() {
            // A gap in an owner's sequence would send their tabs to resync.
            return Err(StoreError::Corrupt(
                "a due change found its notification changed under the lock".into(),
            ));
        }
        let moves: Vec<[i64; 3]> = moved.iter().map(|(&u, &(n, k))| [u, n, k]).collect();
        sqlx::query(&format!(
            "UPDATE users SET last_seq = last_seq + {n}, unread = unread + {k} FROM {rows} \
             WHERE users.id = {user}",
            rows = e.json_rows("$1", "c"),
            user = e.json_item("c", 0, Integer),
            n = e.json_item("c", 1, Integer),
            k = e.json_item("c", 2, Integer),
        ))
        .bind(json_array(&moves)?)
        .execute(&mut *tx)
        .await?;

        let mut made: HashMap<i64, Notification> = changed
            .into_iter()
            .map(|r| Notification::from(r.row))
            .map(|n| (n.id, n))
            .collect();
        let changes = planned
            .into_iter()
            .map(|(id, user, _, unread)| {
                let notification = made
                    .remove(&id)
                    .ok_or_else(|| StoreError::Corrupt("a due change not made".into()))?;
                Ok(Changed {
                    user,
                    notification,
                    unread,
                    changed: true,
                    also: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let announcements: Vec<_> = changes.iter().flat_map(Changed::announcements).collect();
        self.commit_announcing(tx, &announcements).await?;
        Ok(changes)
    }
}

#[cfg(test)]
mod tests;
