//! Writing one copy of a notification per recipient: each takes the
//! recipient's next sequence number and, unless muted for them, counts as
//! unread. Used by named sends (`create`) and broadcast batches
//! (`broadcasts`) alike.

use herald::{Category, NewNotification, UserId};

use super::groups::counted;
use super::params::Params;
use super::rows::{COLUMNS, Delivered, OwnedRow, actions_json, json_array};
use super::{Store, StoreError, Tx};

impl Store {
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
        group_key: Option<&str>,
    ) -> Result<Vec<Bumped>, StoreError> {
        // On SQLite the UPDATE takes the write lock before anything is
        // read; on PostgreSQL the recipients' rows are locked first. Either
        // way sequence numbers never collide.
        self.lock_recipients(tx, only).await?;
        let mut params = Params::default();
        let reached = self.engine.recipients(&params.bind(only)?);
        let muted = muted_sql(&params.bind(category.as_str())?);
        // A grouped copy joining a row that already counts adds nothing.
        let uncounted = match group_key {
            Some(key) => format!(
                "{muted} OR {}",
                open_row("EXISTS (SELECT 1", &params.bind(key)?)
            ),
            None => muted.clone(),
        };
        let sql = format!(
            "UPDATE users SET last_seq = last_seq + 1, \
             unread = unread + CASE WHEN {uncounted} THEN 0 ELSE 1 END \
             WHERE {reached} \
             RETURNING id, unread, CAST(CASE WHEN {muted} THEN 1 ELSE 0 END AS BIGINT)"
        );
        let rows: Vec<(UserId, i64, i64)> = sqlx::query_as_with(&sql, params.into_args())
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
        let muted_ids: Vec<UserId> = bumped.iter().filter(|b| b.muted).map(|b| b.id).collect();
        let mut p = Params::default();
        let reached = self.engine.recipients(&p.bind(only)?);
        let (title, body, link) = (
            p.bind(content.title.as_str())?,
            p.bind(content.body.as_str())?,
            p.bind(content.link.as_deref())?,
        );
        let category = p.bind(content.category.as_str())?;
        let (actor, created_at, send_id) = (p.bind(actor)?, p.bind(created_at)?, p.bind(send_id)?);
        let expires_at = p.bind(content.expires_at)?;
        let actions = p.bind(actions_json(&content.actions)?)?;
        let muted = self.engine.json_ids(&p.bind(json_array(&muted_ids)?)?);
        // The row it joins, as `bump_recipients` counted it; a muted copy
        // is a row of its own.
        let (group_key, group_seq) = match content.group_key.as_deref() {
            Some(key) => {
                let key = p.bind(key)?;
                let open = open_row("(SELECT MAX(o.group_seq)", &key);
                let seq = format!(
                    "CASE WHEN id IN ({muted}) THEN last_seq ELSE COALESCE({open}, last_seq) END"
                );
                (key, seq)
            }
            None => ("NULL".to_owned(), "NULL".to_owned()),
        };
        let sql = format!(
            "INSERT INTO notifications \
             (user_id, seq, version, title, body, link, category, actor, created_at, send_id, \
              expires_at, muted, actions, group_key, group_seq) \
             SELECT id, last_seq, last_seq, {title}, {body}, {link}, {category}, {actor}, \
                    {created_at}, {send_id}, {expires_at}, \
                    CASE WHEN id IN ({muted}) THEN 1 ELSE 0 END, {actions}, \
                    {group_key}, {group_seq} FROM users \
             WHERE {reached} \
             RETURNING user_id AS owner, {COLUMNS}"
        );
        let rows: Vec<OwnedRow> = sqlx::query_as_with(&sql, p.into_args())
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
}

/// Whether a copy of a `$param` category (bound to its name) for the user
/// row `users` arrives muted: the user muted it, and no admin made it
/// required. The one place this rule is written.
pub(super) fn muted_sql(param: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM preferences p WHERE p.user_id = users.id \
                  AND p.category = {param} AND p.bell = 0) \
          AND NOT EXISTS (SELECT 1 FROM required_categories r WHERE r.category = {param}))"
    )
}

/// `select` (`EXISTS (SELECT 1` or `(SELECT MAX(o.group_seq)`) over the
/// copies of key `$param` that make a row of the user row `users` count:
/// the rows a new copy of that key joins (`groups.rs`).
fn open_row(select: &str, param: &str) -> String {
    format!(
        "{select} FROM notifications o WHERE o.user_id = users.id \
         AND o.group_key = {param} AND {})",
        counted("o")
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
