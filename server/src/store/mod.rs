//! Herald's storage: the one place that speaks SQL, to SQLite (the default,
//! nothing to install) or PostgreSQL (several instances). Queries are plain
//! runtime SQL through sqlx's `Any` driver, written once in the dialect both
//! engines share (`$1` parameters, `RETURNING`, `ON CONFLICT`); what they
//! spell differently lives in `dialect.rs`, and PostgreSQL's transactional
//! announcements in `outbox.rs`.
//!
//! On SQLite, writes go through one connection (`writer`), reads through a
//! pool: SQLite takes one writer at a time anyway, and its busy handler is
//! no queue, so under a stream of large sends another writer could wait past
//! any timeout. The writer pool hands its connection out in arrival order.
//! On PostgreSQL both are one pool; row locks taken in id order (see
//! `dialect.rs`) keep each user's sequence gap-free under concurrent writes.

mod actions;
mod api_keys;
mod audit;
mod batch;
mod broadcasts;
mod changes;
mod copies;
mod create;
mod dialect;
mod due;
mod email;
mod groups;
mod idempotency;
mod locale;
mod outbox;
mod params;
mod preferences;
mod presence;
mod purge;
mod push;
mod reads;
mod recent;
mod rows;
mod secrets;
mod sends;
mod topics;
mod users;
mod withdraw;

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hashlink::LruCache;
use herald::UserId;
use sqlx::AnyPool;
use sqlx::any::{AnyArguments, AnyPoolOptions};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Any, Executor};
use thiserror::Error;

pub use actions::{Delivery, MAX_ATTEMPTS};
pub use api_keys::{ApiKey, IDEMPOTENCY_MS, Remembered, key_label, sha256};
pub use audit::AuditEntry;
pub use broadcasts::{Batch, PendingBroadcast};
pub use create::{Created, Named};
pub use due::Due;
pub use email::{DIGEST_MAX_ITEMS, DigestDraft, Outgoing, Rendered};
pub use idempotency::{Remember, Stored};
pub use outbox::{Announcement, CONTROL_CHANNEL, EVENTS_CHANNEL, parse_payload};
pub use purge::Purged;
pub use push::{Device, PushTarget};
pub use recent::RECHECK;
use recent::Recent;
pub use rows::{AllRead, Changed, Delivered, Queued};
pub use sends::SendRow;
pub use topics::Subscriber;
pub use users::{Credentials, Pass};

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

/// Which database engine a [`Store`] speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a `HERALD_DATABASE_URL` names.
    pub fn of(url: &str) -> Result<Engine, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(StoreError::Open(
                "HERALD_DATABASE_URL must start with sqlite: or postgres://".into(),
            ))
        }
    }
}

/// A transaction on either engine.
pub(crate) type Tx<'c> = sqlx::Transaction<'c, Any>;

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// Reads.
    pool: AnyPool,
    /// Every write of Herald's own: on SQLite one at a time, first come
    /// first served; on PostgreSQL the same pool as reads.
    writer: AnyPool,
    engine: Engine,
    /// The SQLite file, if that is the engine.
    file: Option<std::path::PathBuf>,
    /// Herald ids of external ids already seen (`api_keys.rs`).
    external_ids: Arc<Mutex<LruCache<String, UserId>>>,
    /// API keys checked a moment ago, by their token's SHA-256.
    checked_keys: Arc<Recent<Vec<u8>, ApiKey>>,
    /// Users a pass let in a moment ago.
    checked_passes: Arc<Recent<(UserId, Pass), herald::User>>,
}

/// A user's unread count and the sequence number of their latest change.
pub use herald::Counts;

/// [`Counts`] as read from a user's row.
#[derive(sqlx::FromRow)]
pub(crate) struct CountsRow {
    unread: i64,
    last_seq: i64,
}

impl From<CountsRow> for Counts {
    fn from(row: CountsRow) -> Counts {
        Counts {
            unread: row.unread,
            seq: row.last_seq,
        }
    }
}

/// How long a write may wait for its turn before it fails: far longer than
/// any single write holds the lock.
const WRITE_QUEUE_TIMEOUT: Duration = Duration::from_secs(120);

/// How many external ids' Herald ids are kept in memory (~100 B each).
const EXTERNAL_IDS_KEPT: usize = 100_000;

/// How many recently checked keys, and passes, are kept (~200 B each).
const CHECKS_KEPT: usize = 50_000;

/// PostgreSQL connections per instance unless configured
/// (`HERALD_DATABASE_POOL`).
const POSTGRES_POOL: u32 = 16;

impl Store {
    fn new(pool: AnyPool, writer: AnyPool, engine: Engine) -> Store {
        Store {
            pool,
            writer,
            engine,
            file: None,
            external_ids: Arc::new(Mutex::new(LruCache::new(EXTERNAL_IDS_KEPT))),
            checked_keys: Arc::new(Recent::new(CHECKS_KEPT)),
            checked_passes: Arc::new(Recent::new(CHECKS_KEPT)),
        }
    }

    /// Opens the database at `url`: a SQLite file (created if needed, in
    /// WAL mode with foreign keys enforced) or a PostgreSQL database.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_sized(url, POSTGRES_POOL).await
    }

    /// Like [`Store::connect`], with at most `postgres_pool` connections on
    /// PostgreSQL (SQLite's pools are sized for its one writer).
    pub async fn connect_sized(url: &str, postgres_pool: u32) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let open = |e: sqlx::Error| StoreError::Open(format!("{}: {e}", redact(url)));
        match Engine::of(url)? {
            Engine::Sqlite => {
                let file = prepare_sqlite_file(url).await?;
                let writer = sqlite_pool(1)
                    .acquire_timeout(WRITE_QUEUE_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(open)?;
                let pool = sqlite_pool(8).connect(url).await.map_err(open)?;
                Ok(Store {
                    file: Some(file),
                    ..Store::new(pool, writer, Engine::Sqlite)
                })
            }
            Engine::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(postgres_pool)
                    .test_before_acquire(false)
                    .connect(url)
                    .await
                    .map_err(open)?;
                Ok(Store::new(pool.clone(), pool, Engine::Postgres))
            }
        }
    }

    /// Brings the schema up to date with the engine's migrations, built
    /// into the binary.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.engine {
            Engine::Sqlite => {
                // sqlx's SQLite migrator takes no lock: processes starting
                // together on one new file take turns by a lock file.
                let _turn = match &self.file {
                    Some(file) => Some(lock_beside(file).await?),
                    None => None,
                };
                sqlx::migrate!("../migrations/sqlite")
                    .run(&self.writer)
                    .await?
            }
            Engine::Postgres => {
                sqlx::migrate!("../migrations/postgres")
                    .run(&self.writer)
                    .await?
            }
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Connections in use now, for the metrics.
    pub fn connections_in_use(&self) -> u32 {
        let busy = |p: &AnyPool| p.size().saturating_sub(p.num_idle() as u32);
        match self.engine {
            Engine::Sqlite => busy(&self.pool) + busy(&self.writer),
            Engine::Postgres => busy(&self.pool),
        }
    }

    /// How many notifications are stored, retracted ones included.
    pub async fn count_notifications(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(id) FROM notifications")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Forgets every recently checked key and pass: called when this
    /// instance revokes a key or changes a user's standing, so it refuses
    /// them from the next request on.
    fn forget_checks(&self) {
        self.checked_keys.forget();
        self.checked_passes.forget();
    }

    /// Runs one statement on the writer; how many rows it changed.
    async fn write<'q>(&self, query: Query<'q, Any, AnyArguments<'q>>) -> Result<u64, StoreError> {
        Ok(query.execute(&self.writer).await?.rows_affected())
    }

    /// Runs hand-written SQL: for tests that break the database on purpose.
    #[doc(hidden)]
    pub async fn execute_script(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::raw_sql(sql).execute(&self.writer).await?;
        Ok(())
    }

    /// Copies what the SQLite write-ahead log holds into the database
    /// without waiting for readers or the writer, so the log starts over
    /// instead of growing: the frames in the log and how many of them are
    /// now in the database. `None` on PostgreSQL, which checkpoints itself.
    pub async fn checkpoint(&self) -> Result<Option<(i64, i64)>, StoreError> {
        if self.engine != Engine::Sqlite {
            return Ok(None);
        }
        let (_busy, log, done): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&self.pool)
            .await?;
        Ok(Some((log, done)))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// A SQLite pool of `size` connections, each set up as Herald needs.
fn sqlite_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        // A local file does not go stale; pinging it before each use cost a
        // round trip to its worker thread per query (perf, docs/performance.md).
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // Only other processes (and the session store) contend for
                // the lock: Herald's own writes queue in `writer`. The WAL
                // is checkpointed in the background (`Store::checkpoint`),
                // not by whichever commit passes 1,000 pages: that send
                // waited several ms (steady 1,000/s: p99 5.5–5.9 -> 3.3–4.2 ms).
                conn.execute(
                    "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA busy_timeout = 30000; PRAGMA wal_autocheckpoint = 0;",
                )
                .await?;
                Ok(())
            })
        })
}

/// Creates the SQLite file (and its directory) if missing, in WAL mode,
/// which the file keeps.
/// Holds an exclusive lock on `<file>.lock` (made if missing) until the
/// returned file is dropped. Not on the database file itself: closing any
/// descriptor of it would drop SQLite's own locks in this process.
async fn lock_beside(file: &std::path::Path) -> Result<std::fs::File, StoreError> {
    let path = format!("{}.lock", file.display());
    tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        lock.lock()?;
        Ok(lock)
    })
    .await
    .map_err(|e| StoreError::Open(e.to_string()))?
    .map_err(|e| StoreError::Open(format!("cannot lock the database for migration: {e}")))
}

/// Creates the SQLite file at `url` (and its folder) if missing, in WAL
/// mode; returns its path.
async fn prepare_sqlite_file(url: &str) -> Result<std::path::PathBuf, StoreError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Open(format!("{url}: {e}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    if let Some(dir) = options
        .get_filename()
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Open(format!("{}: {e}", dir.display())))?;
    }
    use sqlx::ConnectOptions;
    let conn = options
        .connect()
        .await
        .map_err(|e| StoreError::Open(format!("{url}: {e}")))?;
    sqlx::Connection::close(conn).await?;
    Ok(options.get_filename().to_path_buf())
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// A `lower(column) LIKE lower(…) ESCAPE '\'` pattern matching anything that
/// contains `search` in any case (PostgreSQL's LIKE minds case, SQLite's
/// does not), its own `%` and `_` taken literally.
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
