//! Grouping: a copy sent with a `group_key` joins the row of that key
//! that still counts as unread (its `group_seq`: the seq of the copy that
//! started the row), else starts a row of its own. The badge counts rows,
//! not copies: a row counts while any copy in it does, so the counter moves
//! only when a row gains its first counted copy or loses its last. Every
//! write that changes what counts asks here, under its owners' row locks.

use std::collections::HashMap;

use herald::{Notification, UserId};

use super::dialect::Item::{Integer, Text};
use super::rows::json_array;
use super::{Store, StoreError, Tx};

/// SQL: whether copy `alias` counts towards the badge, as
/// [`Notification::counts_as_unread`] says.
pub(super) fn counted(alias: &str) -> String {
    format!(
        "({alias}.read_at IS NULL AND {alias}.archived_at IS NULL \
         AND {alias}.retracted_at IS NULL AND {alias}.snoozed_until IS NULL \
         AND {alias}.muted = 0)"
    )
}

/// One copy's change in a write, in the order made: its owner, its row (if
/// grouped) and how it moved the copy's own count (-1, 0 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Step {
    pub user: UserId,
    pub row: Option<i64>,
    pub delta: i64,
}

impl Step {
    pub fn of(user: UserId, before: &Notification, after: &Notification) -> Step {
        Step {
            user,
            row: after.group,
            delta: i64::from(after.counts_as_unread()) - i64::from(before.counts_as_unread()),
        }
    }
}

/// How each of `steps` moves its owner's badge, given how many counted
/// copies each row had before the first of them (`counted`).
pub(super) fn row_deltas(steps: &[Step], mut counted: HashMap<(UserId, i64), i64>) -> Vec<i64> {
    steps
        .iter()
        .map(|step| match step.row {
            None => step.delta,
            Some(row) => {
                let count = counted.entry((step.user, row)).or_default();
                let before = *count > 0;
                *count += step.delta;
                i64::from(*count > 0) - i64::from(before)
            }
        })
        .collect()
}

/// The rows (owner, row) whose count `steps` may move, once each.
fn grouped_rows(steps: &[Step]) -> Vec<(UserId, i64)> {
    let mut rows: Vec<(UserId, i64)> = steps
        .iter()
        .filter(|s| s.delta != 0)
        .filter_map(|s| s.row.map(|row| (s.user, row)))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

impl Store {
    /// How many counted copies each of `rows` (owner, row) has now.
    pub(super) async fn counted_in_rows(
        &self,
        tx: &mut Tx<'_>,
        rows: &[(UserId, i64)],
    ) -> Result<HashMap<(UserId, i64), i64>, StoreError> {
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let pairs: Vec<[i64; 2]> = rows.iter().map(|&(u, g)| [u, g]).collect();
        let e = self.engine;
        let sql = format!(
            "SELECT n.user_id, n.group_seq, COUNT(n.id) FROM {rows} \
             JOIN notifications n ON n.user_id = {user} AND n.group_seq = {row} \
             WHERE {counted} GROUP BY n.user_id, n.group_seq",
            rows = e.json_rows("$1", "r"),
            user = e.json_item("r", 0, Integer),
            row = e.json_item("r", 1, Integer),
            counted = counted("n"),
        );
        let found: Vec<(UserId, i64, i64)> = sqlx::query_as(&sql)
            .bind(json_array(&pairs)?)
            .fetch_all(&mut **tx)
            .await?;
        Ok(found.into_iter().map(|(u, g, n)| ((u, g), n)).collect())
    }

    /// How each of `steps`, about to be written in `tx` (under their
    /// owners' locks), moves its owner's badge: the rows' counts now are
    /// the counts before them.
    pub(super) async fn row_deltas_before(
        &self,
        tx: &mut Tx<'_>,
        steps: &[Step],
    ) -> Result<Vec<i64>, StoreError> {
        let rows = grouped_rows(steps);
        Ok(row_deltas(steps, self.counted_in_rows(tx, &rows).await?))
    }

    /// How each of `steps`, already written in `tx`, moves its owner's
    /// badge: the rows' counts now, less what the steps did, are the counts
    /// before them.
    pub(super) async fn row_deltas_after(
        &self,
        tx: &mut Tx<'_>,
        steps: &[Step],
    ) -> Result<Vec<i64>, StoreError> {
        let mut counted = self.counted_in_rows(tx, &grouped_rows(steps)).await?;
        for step in steps {
            if let Some(row) = step.row {
                *counted.entry((step.user, row)).or_default() -= step.delta;
            }
        }
        Ok(row_deltas(steps, counted))
    }

    /// The row a new copy of each (owner, key) joins now: the newest row of
    /// that key with a counted copy. Absent: the copy starts a row.
    pub(super) async fn open_rows(
        &self,
        tx: &mut Tx<'_>,
        pairs: &[(UserId, String)],
    ) -> Result<HashMap<(UserId, String), i64>, StoreError> {
        if pairs.is_empty() {
            return Ok(HashMap::new());
        }
        let json: Vec<(UserId, &str)> = pairs.iter().map(|(u, k)| (*u, k.as_str())).collect();
        let e = self.engine;
        let sql = format!(
            "SELECT n.user_id, n.group_key, MAX(n.group_seq) FROM {rows} \
             JOIN notifications n ON n.user_id = {user} AND n.group_key = {key} \
             WHERE {counted} GROUP BY n.user_id, n.group_key",
            rows = e.json_rows("$1", "r"),
            user = e.json_item("r", 0, Integer),
            key = e.json_item("r", 1, Text),
            counted = counted("n"),
        );
        let found: Vec<(UserId, String, i64)> = sqlx::query_as(&sql)
            .bind(json_array(&json)?)
            .fetch_all(&mut **tx)
            .await?;
        Ok(found.into_iter().map(|(u, k, g)| ((u, k), g)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(row: Option<i64>, delta: i64) -> Step {
        Step {
            user: 1,
            row,
            delta,
        }
    }

    #[test]
    fn a_row_counts_once_whatever_its_copies_do() {
        // Three copies join row 5: the first counts, the others do not.
        let joins = [step(Some(5), 1), step(Some(5), 1), step(Some(5), 1)];
        assert_eq!(row_deltas(&joins, HashMap::new()), [1, 0, 0]);
        // Read one by one: only the last takes the row off the badge.
        let reads = [step(Some(5), -1), step(Some(5), -1), step(Some(5), -1)];
        let before = HashMap::from([((1, 5), 3)]);
        assert_eq!(row_deltas(&reads, before), [0, 0, -1]);
        // Ungrouped copies count as themselves; a change that moves nothing
        // moves no row.
        let mixed = [step(None, 1), step(Some(7), 0), step(None, -1)];
        assert_eq!(row_deltas(&mixed, HashMap::new()), [1, 0, -1]);
    }

    /// Reading a row of 3 and one of 30 costs the same statements (the
    /// second row's copies arrive in batches, joining the first's row).
    #[tokio::test]
    async fn a_row_changes_in_the_same_statements_however_long() {
        use crate::testing::{
            counting_statements, fresh_url, named, statements_run, store_with_users,
        };
        let _alone = counting_statements().await;
        let dir = tempfile::tempdir().unwrap();
        let (store, users) = store_with_users(&fresh_url(&dir, "rows").await, &["ann"]).await;
        let mut cost = Vec::new();
        for (key, copies) in [("post:1", 3), ("post:2", 30)] {
            let sends: Vec<_> = (0..copies)
                .map(|n| {
                    let mut send = named(format!("{key} #{n}"), users.clone());
                    send.content.group_key = Some(key.to_owned());
                    send
                })
                .collect();
            let made = store.create_together(&sends).await.unwrap();
            let newest = made.last().unwrap().copies[0].notification.id;
            let before = statements_run();
            let changed = store
                .change(users[0], newest, herald::Change::Read(true))
                .await
                .unwrap();
            cost.push(statements_run() - before);
            assert_eq!(changed.also.len() + 1, copies, "the whole row");
        }
        eprintln!("statements to read a row of 3 and of 30: {cost:?}");
        assert!(cost[0] > 0, "statements are counted");
        assert_eq!(cost[0], cost[1], "3 copies and 30: the same statements");
        assert!(cost[1] <= 7, "at most 7 statements, took {}", cost[1]);
    }
}
