//! Herald's storage: the one place that speaks SQL. SQLite for now; every
//! query is plain runtime SQL, so no live database is needed to build.
//!
//! Writes go through one connection (`writer`), reads through a pool.
//! SQLite takes one writer at a time anyway, and its busy handler is no
//! queue: under a stream of large sends another writer could wait past any
//! timeout. The writer pool hands its connection out in arrival order, so a
//! write waits its turn instead of failing.

mod api_keys;
mod audit;
mod notifications;
mod purge;
mod sends;
mod users;

use std::str::FromStr;
use std::time::Duration;

use herald::UserId;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use thiserror::Error;

pub use api_keys::{ApiKey, IDEMPOTENCY_MS, Remembered, key_label, sha256};
pub use audit::AuditEntry;
pub use notifications::{AllRead, Changed, Delivered, Remember};
pub use purge::Purged;
pub use sends::SendRow;
pub use users::Credentials;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("no such user: {0}")]
    UnknownUser(UserId),
    /// Not found, or not the asking user's: the two look the same.
    #[error("no such notification")]
    NotFound,
    #[error("the username {0:?} is taken")]
    UsernameTaken(String),
    /// The change would leave Herald without an active admin.
    #[error("the last active admin must stay an active admin")]
    LastAdmin,
    /// Another request with this Idempotency-Key was stored first.
    #[error("the idempotency key is already used")]
    IdempotencyKeyUsed,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// Reads (and the session store).
    pool: SqlitePool,
    /// Every write of Herald's own, one at a time, first come first served.
    writer: SqlitePool,
}

/// How long a write may wait for its turn before it fails: far longer than
/// any single write holds the lock.
const WRITE_QUEUE_TIMEOUT: Duration = Duration::from_secs(120);

impl Store {
    /// Opens (creating if needed) the SQLite database at `url`, in WAL mode
    /// with foreign keys enforced.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Open(format!("{url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Only other processes (and the session store) contend for the
            // lock: Herald's own writes queue in `writer`.
            .busy_timeout(Duration::from_secs(30));
        if let Some(dir) = options
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Open(format!("{}: {e}", dir.display())))?;
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITE_QUEUE_TIMEOUT)
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Open(format!("{url}: {e}")))?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(format!("{url}: {e}")))?;
        Ok(Store { pool, writer })
    }

    /// Brings the schema up to date with the migrations built into the binary.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&self.writer)
            .await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// A `LIKE … ESCAPE '\'` pattern matching anything that contains `search`,
/// its own `%` and `_` taken literally.
pub(crate) fn like_pattern(search: &str) -> String {
    let escaped = search
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The current time as Unix milliseconds, the unit every stored time uses.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
