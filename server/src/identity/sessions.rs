//! Where sessions live: a table in the same database as everything else,
//! through tower-sessions' SQLite or PostgreSQL store. Any instance can
//! serve any session, so no load balancer needs sticky sessions.

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::store::{Engine, StoreError, redact};

/// The advisory lock instances take turns under to create the session
/// table ("herald_s" in ASCII).
const SCHEMA_LOCK: i64 = 0x6865_7261_6c64_5f73;

/// The session store of the configured engine.
#[derive(Clone, Debug)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// Opens the session table in the database at `url`, creating it if needed.
    pub async fn connect(url: &str) -> Result<Sessions, StoreError> {
        let open = |e: sqlx::Error| StoreError::Open(format!("{}: {e}", redact(url)));
        let sessions = match Engine::of(url)? {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(open)?
                    .busy_timeout(std::time::Duration::from_secs(30));
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await
                    .map_err(open)?;
                let store = SqliteStore::new(pool);
                store.migrate().await?;
                Sessions::Sqlite(store)
            }
            Engine::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(4)
                    .connect(url)
                    .await
                    .map_err(open)?;
                let store = PostgresStore::new(pool.clone());
                // Instances starting together would race to create the
                // schema (concurrent `CREATE … IF NOT EXISTS` can fail on
                // PostgreSQL): they take turns under an advisory lock.
                let mut turn = pool.acquire().await.map_err(open)?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(SCHEMA_LOCK)
                    .execute(&mut *turn)
                    .await
                    .map_err(open)?;
                let migrated = store.migrate().await;
                let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(SCHEMA_LOCK)
                    .execute(&mut *turn)
                    .await;
                if unlocked.is_err() {
                    // Back in the pool it would hold the lock, and every
                    // other instance would wait at start: closing ends it.
                    let _ = turn.close().await;
                }
                migrated?;
                Sessions::Postgres(store)
            }
        };
        Ok(sessions)
    }

    /// The session table as SQL names it (tower-sessions' defaults): push
    /// devices turned on from a session gone from it are forgotten.
    pub fn table(&self) -> &'static str {
        match self {
            Sessions::Sqlite(_) => Engine::Sqlite.sessions_table(),
            Sessions::Postgres(_) => Engine::Postgres.sessions_table(),
        }
    }
}

/// The same call on whichever engine's store `sessions` is.
macro_rules! on_store {
    ($sessions:expr, $store:ident => $call:expr) => {
        match $sessions {
            Sessions::Sqlite($store) => $call,
            Sessions::Postgres($store) => $call,
        }
    };
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, store => store.create(record).await)
    }

    /// Saves a session a request loaded. The stores' own `save` is an
    /// upsert, so a request still running when its session was deleted
    /// (logged out in another request) would write it back and undo the
    /// logout. It is saved only while it exists; new sessions (and cycled
    /// ids) go through `create`. The check and the write are two
    /// statements: the window is theirs, no longer the whole request's.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if on_store!(self, store => store.load(&record.id).await)?.is_none() {
            return Ok(());
        }
        on_store!(self, store => store.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, store => store.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, store => store.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_store!(self, store => store.delete_expired().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::cookie::time::{Duration, OffsetDateTime};

    #[tokio::test]
    async fn a_request_still_running_when_its_session_is_logged_out_does_not_bring_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut url = crate::testing::fresh_url(&dir, "sessions").await;
        if url.starts_with("sqlite:") {
            url.push_str("?mode=rwc");
        }
        let sessions = Sessions::connect(&url).await.unwrap();
        let mut record = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: OffsetDateTime::now_utc() + Duration::hours(1),
        };
        sessions.create(&mut record).await.unwrap();
        // A request loads it; meanwhile another logs out.
        let loaded = sessions.load(&record.id).await.unwrap().unwrap();
        sessions.delete(&record.id).await.unwrap();
        // The first request ends and saves what it loaded.
        sessions.save(&loaded).await.unwrap();
        assert!(sessions.load(&record.id).await.unwrap().is_none());
        // A session that exists is still saved.
        let mut live = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: OffsetDateTime::now_utc() + Duration::hours(1),
        };
        sessions.create(&mut live).await.unwrap();
        live.data.insert("k".into(), serde_json::json!(1));
        sessions.save(&live).await.unwrap();
        let again = sessions.load(&live.id).await.unwrap().unwrap();
        assert_eq!(again.data.get("k"), Some(&serde_json::json!(1)));
    }
}
