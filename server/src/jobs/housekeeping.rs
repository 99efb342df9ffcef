//! The purge job: every `HERALD_PURGE_INTERVAL_SECS` it deletes expired
//! sessions (and the push devices turned on from them), idempotency
//! records, old notifications past the retention period, and stale
//! login-throttle entries. A failed run is logged and
//! counted, and the next one comes as usual: one bad moment (a locked
//! database, a full disk) never ends the job. On SQLite a second job
//! checkpoints the write-ahead log every second, off the write path.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::identity::sessions::Sessions;
use tokio_util::sync::CancellationToken;
use tower_sessions::ExpiredDeletion;

use crate::config::Config;
use crate::identity::throttle::LoginThrottle;
use crate::store::{Store, now_ms};

/// What the job has done so far.
#[derive(Debug, Default)]
pub struct Housekeeping {
    pub runs: AtomicU64,
    pub failures: AtomicU64,
}

impl Housekeeping {
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
}

/// Starts the job; it ends when `shutdown` is cancelled.
pub fn spawn(
    store: Store,
    sessions: Sessions,
    throttle: Arc<LoginThrottle>,
    config: Arc<Config>,
    shutdown: CancellationToken,
) -> Arc<Housekeeping> {
    let record = Arc::new(Housekeeping::default());
    let job = Arc::clone(&record);
    every(config.purge_interval(), shutdown, move || {
        let (store, sessions, throttle, config, job) = (
            store.clone(),
            sessions.clone(),
            throttle.clone(),
            config.clone(),
            job.clone(),
        );
        async move {
            throttle.forget_stale();
            let outcome = async {
                let purged = store.purge(now_ms(), config.retention()).await?;
                sessions
                    .delete_expired()
                    .await
                    .map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
                // A device must not outlive the sign-in that turned it on.
                let devices = store
                    .forget_devices_of_ended_sessions(sessions.table())
                    .await?;
                if devices > 0 {
                    tracing::info!(devices, "push devices of expired sign-ins forgotten");
                }
                Ok::<_, crate::store::StoreError>(purged)
            }
            .await;
            match outcome {
                Ok(purged) => {
                    job.runs.fetch_add(1, Ordering::Relaxed);
                    if purged != Default::default() {
                        tracing::info!(?purged, "purged expired data");
                    }
                }
                Err(error) => {
                    job.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%error, "purge failed; trying again next time");
                }
            }
        }
    });
    record
}

/// How often SQLite's write-ahead log is checkpointed.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Starts the checkpoint job (SQLite only); it ends when `shutdown` is
/// cancelled. A failed checkpoint is logged; the next one catches up.
pub fn spawn_checkpoints(store: Store, shutdown: CancellationToken) {
    if store.engine() != crate::store::Engine::Sqlite {
        return;
    }
    every(CHECKPOINT_EVERY, shutdown, move || {
        let store = store.clone();
        async move {
            if let Err(error) = store.checkpoint().await {
                tracing::warn!(%error, "WAL checkpoint failed; trying again next time");
            }
        }
    });
}

/// How often timed changes are made: a notification expires, or comes
/// back from a snooze, within this much of its time.
const DUE_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// The most of each kind made per pass; the rest next pass.
const DUE_BATCH: i64 = 1000;

/// Starts the job that makes timed changes: expiries withdrawn, snoozes
/// ended. It ends when `shutdown` is cancelled. What is due is read from
/// the database each time, so what came due while Herald was down happens
/// on start, and instances on one database share the work (each change is
/// made once, by whichever gets it).
pub fn spawn_due_changes(
    notifier: std::sync::Arc<crate::realtime::notifier::Notifier>,
    shutdown: CancellationToken,
) {
    every(DUE_EVERY, shutdown, move || {
        let notifier = notifier.clone();
        async move {
            let now = crate::store::now_ms();
            match notifier.expire_due(now, DUE_BATCH).await {
                Ok(0) => {}
                Ok(withdrawn) => tracing::info!(withdrawn, "expired notifications withdrawn"),
                Err(error) => tracing::warn!(%error, "expiry failed; trying again next time"),
            }
            match notifier.wake_due(now, DUE_BATCH).await {
                Ok(0) => {}
                Ok(woken) => tracing::debug!(woken, "snoozed notifications back"),
                Err(error) => {
                    tracing::warn!(%error, "ending snoozes failed; trying again next time")
                }
            }
        }
    });
}

/// Runs `pass` every `period` until `shutdown`: a slow pass delays the next
/// one rather than bunching them up after it.
fn every<F, Fut>(period: std::time::Duration, shutdown: CancellationToken, mut pass: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            pass().await;
        }
    });
}
