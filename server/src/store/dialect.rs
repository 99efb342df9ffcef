//! What SQLite and PostgreSQL spell differently, one function per
//! difference, so that every other query is written once for both.
//!
//! The main difference is concurrency. SQLite runs one write transaction at
//! a time, so a transaction's reads are never stale. PostgreSQL runs them
//! side by side: a transaction that will take a user's next sequence number
//! (or count the active admins) first locks the rows it depends on, always
//! in id order so that two transactions never wait for each other.

use herald::UserId;

use super::params::Params;
use super::{Counts, CountsRow, Engine, Store, StoreError, Tx};

/// What [`Engine::json_item`] reads an item as.
#[derive(Clone, Copy)]
pub(super) enum Item {
    Integer,
    Text,
}

/// Whose rows a transaction locks before it moves their sequences.
enum Lock<'a> {
    User(UserId),
    /// The active users among a JSON array of ids.
    Recipients(&'a str),
    /// The users still holding a notification of a send.
    HoldersOf(i64),
    Admins,
}

impl Engine {
    /// A subquery listing the ids in the JSON array bound at `param`.
    pub(super) fn json_ids(self, param: &str) -> String {
        match self {
            Engine::Sqlite => format!("SELECT value FROM json_each({param})"),
            Engine::Postgres => {
                format!("SELECT value::bigint FROM json_array_elements_text({param}::json)")
            }
        }
    }
}

impl Engine {
    /// A subquery listing the strings in the JSON array bound at `param`.
    pub(super) fn json_texts(self, param: &str) -> String {
        match self {
            Engine::Sqlite => format!("SELECT value FROM json_each({param})"),
            Engine::Postgres => {
                format!("SELECT value FROM json_array_elements_text({param}::json)")
            }
        }
    }

    /// The JSON array bound at `param` as rows `alias` with columns
    /// `key` (position, from 0) and `value` (each element), for set-based
    /// writes: read its items with [`Engine::json_item`].
    pub(super) fn json_rows(self, param: &str, alias: &str) -> String {
        match self {
            Engine::Sqlite => format!("json_each({param}) {alias}"),
            Engine::Postgres => format!(
                "(SELECT value, ordinality - 1 AS key \
                 FROM json_array_elements({param}::json) WITH ORDINALITY) {alias}"
            ),
        }
    }

    /// Item `index` of the JSON array in row `alias` of [`Engine::json_rows`],
    /// as an integer or text.
    pub(super) fn json_item(self, alias: &str, index: usize, kind: Item) -> String {
        match (self, kind) {
            (Engine::Sqlite, _) => format!("json_extract({alias}.value, '$[{index}]')"),
            (Engine::Postgres, Item::Integer) => format!("({alias}.value->>{index})::bigint"),
            (Engine::Postgres, Item::Text) => format!("({alias}.value->>{index})"),
        }
    }

    /// What ends a `SELECT` of rows the transaction then changes: a row
    /// lock on PostgreSQL; nothing on SQLite, where it is the only writer.
    pub(super) fn for_update(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }

    /// The bytes written in hex by the text expression `hex`.
    pub(super) fn unhex(self, hex: &str) -> String {
        match self {
            Engine::Sqlite => format!("unhex({hex})"),
            Engine::Postgres => format!("decode({hex}, 'hex')"),
        }
    }

    /// tower-sessions' table of sessions on this engine (its defaults).
    pub fn sessions_table(self) -> &'static str {
        match self {
            Engine::Sqlite => "tower_sessions",
            Engine::Postgres => "\"tower_sessions\".\"session\"",
        }
    }

    /// Whether the session row `alias` (tower-sessions' table) has not
    /// expired, as that store keeps expiry on this engine: an RFC 3339
    /// text on SQLite, a timestamp on PostgreSQL.
    pub(super) fn session_unexpired(self, alias: &str) -> String {
        match self {
            Engine::Sqlite => format!("datetime({alias}.expiry_date) > datetime('now')"),
            Engine::Postgres => format!("{alias}.expiry_date > now()"),
        }
    }

    /// The active users a send reaches: those named in the JSON array of
    /// ids bound at `param`, found by primary key. (An earlier `$1 IS NULL OR …` form
    /// for "everyone" scanned every user on every send; everyone is now
    /// reached in batches of named ids, `jobs::broadcast`.)
    pub(super) fn recipients(self, param: &str) -> String {
        format!(
            "deactivated_at IS NULL AND id IN ({})",
            self.json_ids(param)
        )
    }
}

impl Store {
    /// Locks the rows of the users `which` names, in id order, until `tx`
    /// ends. Nothing to do on SQLite, where `tx` is the only writer.
    async fn lock_users(&self, tx: &mut Tx<'_>, which: Lock<'_>) -> Result<(), StoreError> {
        if self.engine == Engine::Sqlite {
            return Ok(());
        }
        let mut params = Params::default();
        let filter = match which {
            Lock::User(user) => format!("id = {}", params.bind(user)?),
            Lock::Recipients(only) => self.engine.recipients(&params.bind(only)?),
            Lock::HoldersOf(send) => format!(
                "id IN (SELECT user_id FROM notifications \
                 WHERE send_id = {} AND retracted_at IS NULL)",
                params.bind(send)?
            ),
            Lock::Admins => "role = 'admin' AND deactivated_at IS NULL".to_owned(),
        };
        let sql = format!("SELECT id FROM users WHERE {filter} ORDER BY id FOR UPDATE");
        sqlx::query_with(&sql, params.into_args())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Locks one user's row: their sequence is about to move.
    pub(super) async fn lock_user(&self, tx: &mut Tx<'_>, user: UserId) -> Result<(), StoreError> {
        self.lock_users(tx, Lock::User(user)).await
    }

    /// Locks one user's row and reads their counters, for a change that
    /// reads before it writes: on SQLite with a write that changes nothing,
    /// since a transaction that read first cannot write after another
    /// connection (the session store's) did. `NotFound` for no such user.
    pub(super) async fn lock_counters(
        &self,
        tx: &mut Tx<'_>,
        user: UserId,
    ) -> Result<Counts, StoreError> {
        let sql = match self.engine {
            Engine::Sqlite => {
                "UPDATE users SET last_seq = last_seq WHERE id = $1 RETURNING unread, last_seq"
            }
            Engine::Postgres => "SELECT unread, last_seq FROM users WHERE id = $1 FOR UPDATE",
        };
        let row: Option<CountsRow> = sqlx::query_as(sql)
            .bind(user)
            .fetch_optional(&mut **tx)
            .await?;
        row.map(Counts::from).ok_or(StoreError::NotFound)
    }

    /// Locks the active users among `only` (a JSON array of ids): a send
    /// is about to take their next sequence numbers.
    pub(super) async fn lock_recipients(
        &self,
        tx: &mut Tx<'_>,
        only: &str,
    ) -> Result<(), StoreError> {
        self.lock_users(tx, Lock::Recipients(only)).await
    }

    /// Locks a send's row: its retraction and its background batches take
    /// turns, and each takes this lock before any user's.
    pub(super) async fn lock_send(&self, tx: &mut Tx<'_>, send: i64) -> Result<(), StoreError> {
        if self.engine == Engine::Postgres {
            sqlx::query("SELECT id FROM sends WHERE id = $1 FOR UPDATE")
                .bind(send)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Locks the users who still hold a notification of `send`.
    pub(super) async fn lock_send_recipients(
        &self,
        tx: &mut Tx<'_>,
        send: i64,
    ) -> Result<(), StoreError> {
        self.lock_users(tx, Lock::HoldersOf(send)).await
    }

    /// Locks the active admins: whether one may stop being one depends on
    /// how many there are.
    pub(super) async fn lock_admins(&self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        self.lock_users(tx, Lock::Admins).await
    }

    /// How the engine runs `sql` (bound to a user, an unbounded cursor and a
    /// page size): one line per step, to check that it reads an index range.
    pub(super) async fn plan(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        self.plan_with(sql, Vec::new()).await
    }

    /// [`Store::plan`] with `more` text parameters after those three.
    pub(super) async fn plan_with(
        &self,
        sql: &str,
        more: Vec<String>,
    ) -> Result<Vec<String>, StoreError> {
        let explain = self.explain(sql);
        let query = sqlx::query(&explain)
            .bind(1_i64)
            .bind(i64::MAX)
            .bind(20_i64);
        let query = more.into_iter().fold(query, |q, p| q.bind(p));
        self.plan_lines(query.fetch_all(&self.pool).await?)
    }

    /// How the engine finds a send's named recipients (`[1, 2]`).
    pub async fn recipients_plan(&self) -> Result<Vec<String>, StoreError> {
        let sql = format!(
            "SELECT id FROM users WHERE {}",
            self.engine.recipients("$1")
        );
        let explain = self.explain(&sql);
        let query = sqlx::query(&explain).bind("[1, 2]");
        self.plan_lines(query.fetch_all(&self.pool).await?)
    }

    fn explain(&self, sql: &str) -> String {
        match self.engine {
            Engine::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Engine::Postgres => format!("EXPLAIN {sql}"),
        }
    }

    fn plan_lines(&self, rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<String>, StoreError> {
        use sqlx::Row;
        let column = match self.engine {
            Engine::Sqlite => 3,
            Engine::Postgres => 0,
        };
        rows.iter()
            .map(|row| Ok(row.try_get::<String, _>(column)?))
            .collect()
    }
}
