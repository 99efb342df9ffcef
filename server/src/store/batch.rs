//! Storing a batch of named sends with a fixed number of statements,
//! however many sends and copies it holds: every statement is a round trip
//! (to SQLite's own thread, or to PostgreSQL over the network), and each
//! instance's writer takes one batch at a time. Six statements at most:
//! which copies arrive muted, every recipient's counters, every send's
//! record, every audit entry, every copy and every Idempotency-Key, each
//! over JSON arrays bound once (`Engine::json_rows`); two more when a send
//! is grouped (the rows its copies join, and the count of those that
//! joined one taken back). The sequence numbers and rows are worked out
//! here, under the row locks the counters' update holds, in batch order.

use std::collections::{HashMap, HashSet};

use herald::{Category, UserId};
use serde_json::{Value, json};

use super::copies::muted_sql;
use super::create::{Created, Named};
use super::dialect::Item::{Integer, Text};
use super::idempotency::{Claim, Stored, claim_keys};
use super::params::Params;
use super::rows::{COLUMNS, Delivered, OwnedRow, actions_json, json_array};
use super::{Store, StoreError, Tx, now_ms};

/// One copy of a send in the batch.
struct CopyPlan {
    /// Its send's index in the batch.
    send: usize,
    user: UserId,
    seq: i64,
    muted: bool,
    /// Its row, if grouped.
    group: Option<i64>,
}

/// One recipient's counters before and after the batch.
struct Moved {
    /// Their `last_seq` before the batch: their copies take the next ones.
    seq: i64,
    /// Their unread count before the batch.
    unread: i64,
}

impl Store {
    /// Stores `sends` inside `tx`, each remembered under its Idempotency-Key
    /// if it has one.
    /// Any failure fails the whole batch (the caller then stores each on its
    /// own); an unknown recipient is such a failure.
    pub(super) async fn create_set(
        &self,
        tx: &mut Tx<'_>,
        sends: &[&Named],
    ) -> Result<Vec<Created>, StoreError> {
        let created_at = now_ms();
        let recipients: Vec<Vec<UserId>> = sends
            .iter()
            .map(|send| {
                let mut ids = send.ids.clone();
                ids.sort_unstable();
                ids.dedup();
                ids
            })
            .collect();
        let mut everyone: Vec<UserId> = recipients.iter().flatten().copied().collect();
        everyone.sort_unstable();
        everyone.dedup();

        let muted = self.muted_pairs(tx, &everyone, sends).await?;
        let is_muted =
            |user: UserId, send: usize| muted.contains(&(user, sends[send].content.category));
        // How many copies, and how many counted ones, each recipient gets.
        let mut added: HashMap<UserId, (i64, i64)> = HashMap::new();
        for (s, ids) in recipients.iter().enumerate() {
            for &user in ids {
                let entry = added.entry(user).or_default();
                entry.0 += 1;
                entry.1 += i64::from(!is_muted(user, s));
            }
        }
        let mut moved = self.move_counters(tx, &added).await?;
        if moved.len() != everyone.len() {
            self.check_known(tx, &everyone).await?;
        }

        // The rows grouped copies join, read under the counters' locks.
        let mut keyed: Vec<(UserId, String)> = Vec::new();
        for (s, ids) in recipients.iter().enumerate() {
            if let Some(key) = &sends[s].content.group_key {
                let joining = ids.iter().filter(|&&u| !is_muted(u, s));
                keyed.extend(joining.map(|&u| (u, key.clone())));
            }
        }
        keyed.sort_unstable();
        keyed.dedup();
        let mut open = self.open_rows(tx, &keyed).await?;
        // Counted copies that joined a counted row: counted above, taken back.
        let mut joined: HashMap<UserId, i64> = HashMap::new();

        // Each copy: its recipient's next number, row and count, in batch order.
        let mut copies = Vec::new();
        // Each copy's send and its recipient's count right after it.
        let mut made_by: HashMap<(UserId, i64), (usize, i64)> = HashMap::new();
        let mut reached = vec![(0_i64, 0_i64); sends.len()];
        for (s, ids) in recipients.iter().enumerate() {
            for &user in ids {
                let Some(counters) = moved.get_mut(&user) else {
                    continue; // Deactivated: skipped, as in a lone send.
                };
                counters.seq += 1;
                let muted = is_muted(user, s);
                let mut counts = !muted;
                let group = sends[s].content.group_key.as_ref().map(|key| {
                    if muted {
                        return counters.seq; // A row of its own, never counted.
                    }
                    match open.get(&(user, key.clone())) {
                        Some(&row) => {
                            counts = false;
                            *joined.entry(user).or_default() += 1;
                            row
                        }
                        None => {
                            open.insert((user, key.clone()), counters.seq);
                            counters.seq
                        }
                    }
                });
                counters.unread += i64::from(counts);
                made_by.insert((user, counters.seq), (s, counters.unread));
                reached[s].0 += 1;
                reached[s].1 += i64::from(sends[s].online.contains(&user));
                copies.push(CopyPlan {
                    send: s,
                    user,
                    seq: counters.seq,
                    muted,
                    group,
                });
            }
        }
        if !joined.is_empty() {
            self.uncount(tx, &joined).await?;
        }

        let send_ids = self.record_sends(tx, sends, &reached, created_at).await?;
        let rows = self
            .insert_copy_set(tx, sends, &send_ids, &copies, created_at)
            .await?;
        let mut created: Vec<Created> = send_ids
            .iter()
            .map(|&send| Created {
                send,
                copies: Vec::new(),
            })
            .collect();
        for row in rows {
            let notification: herald::Notification = row.row.into();
            let key = (row.owner, notification.seq);
            let Some(&(s, unread)) = made_by.get(&key) else {
                return Err(StoreError::Corrupt(
                    "a stored copy no send asked for".into(),
                ));
            };
            created[s].copies.push(Delivered {
                user_id: row.owner,
                notification,
                unread,
            });
        }
        for made in &mut created {
            // As a lone send lists them, whatever order the rows came back in.
            made.copies.sort_unstable_by_key(|copy| copy.user_id);
        }
        let claims: Vec<Claim> = sends
            .iter()
            .zip(&created)
            .filter_map(|(send, made)| {
                let remember = send.remember.as_ref()?;
                Some(Claim {
                    remember,
                    status: 201,
                    response: (remember.response)(Stored::Copies(&made.copies)),
                })
            })
            .collect();
        claim_keys(tx, self.engine, &claims, created_at).await?;
        Ok(created)
    }

    /// Which (recipient, category) pairs of the batch arrive muted: the
    /// rule of [`muted_sql`], for every recipient and category at once.
    async fn muted_pairs(
        &self,
        tx: &mut Tx<'_>,
        everyone: &[UserId],
        sends: &[&Named],
    ) -> Result<HashSet<(UserId, Category)>, StoreError> {
        let mut categories: Vec<&str> = sends.iter().map(|s| s.content.category.as_str()).collect();
        categories.sort_unstable();
        categories.dedup();
        let mut params = Params::default();
        let ids = self.engine.json_ids(&params.bind(json_array(everyone)?)?);
        let names = self
            .engine
            .json_texts(&params.bind(json_array(&categories)?)?);
        let muted = muted_sql("c.value");
        let sql = format!(
            "SELECT users.id, c.value FROM users CROSS JOIN ({names}) c \
             WHERE users.id IN ({ids}) AND {muted}"
        );
        let pairs: Vec<(UserId, String)> = sqlx::query_as_with(&sql, params.into_args())
            .fetch_all(&mut **tx)
            .await?;
        // Only the names bound above come back, so each parses.
        Ok(pairs
            .into_iter()
            .filter_map(|(user, name)| Category::parse(&name).map(|c| (user, c)))
            .collect())
    }

    /// Adds each active recipient's copies to their sequence and counted
    /// ones to their unread count, in one statement; their counters before.
    async fn move_counters(
        &self,
        tx: &mut Tx<'_>,
        added: &HashMap<UserId, (i64, i64)>,
    ) -> Result<HashMap<UserId, Moved>, StoreError> {
        let moves: Vec<[i64; 3]> = added.iter().map(|(&u, &(n, k))| [u, n, k]).collect();
        let e = self.engine;
        let sql = format!(
            "UPDATE users SET last_seq = last_seq + {n}, unread = unread + {k} FROM {rows} \
             WHERE users.id = {user} AND users.deactivated_at IS NULL \
             RETURNING users.id, users.last_seq, users.unread",
            rows = e.json_rows("$1", "c"),
            user = e.json_item("c", 0, Integer),
            n = e.json_item("c", 1, Integer),
            k = e.json_item("c", 2, Integer),
        );
        let rows: Vec<(UserId, i64, i64)> = sqlx::query_as(&sql)
            .bind(json_array(&moves)?)
            .fetch_all(&mut **tx)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(user, seq, unread)| {
                let (n, k) = added[&user];
                let before = Moved {
                    seq: seq - n,
                    unread: unread - k,
                };
                (user, before)
            })
            .collect())
    }

    /// Fails with the first of `everyone` that is no user at all.
    async fn check_known(&self, tx: &mut Tx<'_>, everyone: &[UserId]) -> Result<(), StoreError> {
        let mut params = Params::default();
        let ids = self.engine.json_ids(&params.bind(json_array(everyone)?)?);
        let sql = format!("SELECT id FROM users WHERE id IN ({ids})");
        let known: Vec<UserId> = sqlx::query_scalar_with(&sql, params.into_args())
            .fetch_all(&mut **tx)
            .await?;
        match everyone.iter().find(|id| !known.contains(id)) {
            Some(&missing) => Err(StoreError::UnknownUser(missing)),
            None => Ok(()),
        }
    }

    /// Every send's record and audit entry, two statements; their ids in
    /// the batch's order.
    async fn record_sends(
        &self,
        tx: &mut Tx<'_>,
        sends: &[&Named],
        reached: &[(i64, i64)],
        created_at: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let records: Vec<Value> = sends
            .iter()
            .zip(reached)
            .map(|(send, &(n, delivered))| {
                json!([
                    send.content.title,
                    herald::admin::SentTo::Users(n as usize).label(),
                    send.sender,
                    n,
                    delivered
                ])
            })
            .collect();
        // Inserted in the batch's order under the write lock, so the new
        // ids rise in that order; the titles check it.
        let e = self.engine;
        let sql = format!(
            "INSERT INTO sends (title, audience, sender, recipients, created_at, delivered) \
             SELECT {title}, {audience}, {sender}, {recipients}, $2, {delivered} \
             FROM {rows} ORDER BY r.key \
             RETURNING id, title",
            rows = e.json_rows("$1", "r"),
            title = e.json_item("r", 0, Text),
            audience = e.json_item("r", 1, Text),
            sender = e.json_item("r", 2, Text),
            recipients = e.json_item("r", 3, Integer),
            delivered = e.json_item("r", 4, Integer),
        );
        let mut rows: Vec<(i64, String)> = sqlx::query_as(&sql)
            .bind(json_array(&records)?)
            .bind(created_at)
            .fetch_all(&mut **tx)
            .await?;
        rows.sort_unstable();
        let in_order = rows.len() == sends.len()
            && rows
                .iter()
                .zip(sends)
                .all(|((_, t), s)| *t == s.content.title);
        if !in_order {
            return Err(StoreError::Corrupt("send records out of order".into()));
        }
        let ids: Vec<i64> = rows.into_iter().map(|(id, _)| id).collect();
        let entries: Vec<Value> = sends
            .iter()
            .zip(&ids)
            .zip(records)
            .map(|((send, id), record)| {
                json!([
                    send.sender,
                    record[1],
                    format!("#{id} “{}”", send.content.title)
                ])
            })
            .collect();
        let sql = format!(
            "INSERT INTO audit_log (at, actor, action, target, detail) \
             SELECT $2, {actor}, 'send', {target}, {detail} FROM {rows} ORDER BY r.key",
            rows = e.json_rows("$1", "r"),
            actor = e.json_item("r", 0, Text),
            target = e.json_item("r", 1, Text),
            detail = e.json_item("r", 2, Text),
        );
        sqlx::query(&sql)
            .bind(json_array(&entries)?)
            .bind(now_ms())
            .execute(&mut **tx)
            .await?;
        Ok(ids)
    }

    /// Takes back from each user's count the `joined` copies counted in
    /// [`Store::move_counters`] that joined a row already counted.
    async fn uncount(
        &self,
        tx: &mut Tx<'_>,
        joined: &HashMap<UserId, i64>,
    ) -> Result<(), StoreError> {
        let rows: Vec<[i64; 2]> = joined.iter().map(|(&u, &k)| [u, k]).collect();
        let e = self.engine;
        let sql = format!(
            "UPDATE users SET unread = unread - {k} FROM {rows} WHERE users.id = {user}",
            rows = e.json_rows("$1", "c"),
            user = e.json_item("c", 0, Integer),
            k = e.json_item("c", 1, Integer),
        );
        sqlx::query(&sql)
            .bind(json_array(&rows)?)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Every copy, in one statement.
    async fn insert_copy_set(
        &self,
        tx: &mut Tx<'_>,
        sends: &[&Named],
        send_ids: &[i64],
        copies: &[CopyPlan],
        created_at: i64,
    ) -> Result<Vec<OwnedRow>, StoreError> {
        // Each send's content once; each copy names its send by index.
        let contents: Vec<Value> = sends
            .iter()
            .zip(send_ids)
            .map(|(send, id)| {
                let c = &send.content;
                Ok(json!([
                    c.title,
                    c.body,
                    c.link,
                    c.category.as_str(),
                    send.actor,
                    id,
                    c.expires_at,
                    actions_json(&c.actions)?,
                    c.group_key
                ]))
            })
            .collect::<Result<_, StoreError>>()?;
        let rows: Vec<Value> = copies
            .iter()
            .map(|c| json!([c.send, c.user, c.seq, i64::from(c.muted), c.group]))
            .collect();
        let e = self.engine;
        let (copy, send) = (
            |i| e.json_item("r", i, Integer),
            |i, kind| e.json_item("s", i, kind),
        );
        let sql = format!(
            "INSERT INTO notifications \
             (user_id, seq, version, title, body, link, category, actor, created_at, send_id, \
              expires_at, muted, actions, group_key, group_seq) \
             SELECT {user}, {seq}, {seq}, {title}, {body}, {link}, {category}, {actor}, $3, \
                    {send_id}, {expires_at}, {muted}, {actions}, {group_key}, {group_seq} \
             FROM {copies} JOIN {sends} ON s.key = {of_send} \
             ORDER BY r.key \
             RETURNING user_id AS owner, {COLUMNS}",
            copies = e.json_rows("$1", "r"),
            sends = e.json_rows("$2", "s"),
            of_send = copy(0),
            user = copy(1),
            seq = copy(2),
            muted = copy(3),
            group_seq = copy(4),
            title = send(0, Text),
            body = send(1, Text),
            link = send(2, Text),
            category = send(3, Text),
            actor = send(4, Text),
            send_id = send(5, Integer),
            expires_at = send(6, Integer),
            actions = send(7, Text),
            group_key = send(8, Text),
        );
        Ok(sqlx::query_as(&sql)
            .bind(json_array(&rows)?)
            .bind(json_array(&contents)?)
            .bind(created_at)
            .fetch_all(&mut **tx)
            .await?)
    }
}

#[cfg(test)]
mod tests;
