//! The broadcast worker: writes out sends to everyone or a role, and
//! scheduled sends when their time comes, in the background, one batch of
//! users per transaction (`store/broadcasts.rs`), and announces each batch
//! as it commits. It wakes when a send is queued here and at the next
//! scheduled time, resumes what a crash or restart left unfinished (or
//! what fell due while Herald was down) when it starts, and looks again
//! every few seconds for sends queued on an instance that stopped. Instances may work on one send side by side: a batch commits
//! only if the send's cursor is where it read it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::jobs::push::Pusher;
use crate::realtime::broker::Broker;
use crate::store::{Batch, Delivered, PendingBroadcast, Store, StoreError};

/// How often pending sends are looked for without a wake-up.
const POLL: Duration = Duration::from_secs(5);

/// Starts the worker; it stops between batches when `shutdown` is
/// cancelled. Returns what wakes it.
pub fn spawn(
    store: Store,
    broker: Arc<Broker>,
    pusher: Arc<Pusher>,
    batch: u32,
    shutdown: CancellationToken,
) -> Arc<Notify> {
    let wake = Arc::new(Notify::new());
    let woken = Arc::clone(&wake);
    tokio::spawn(async move {
        loop {
            if let Err(error) =
                run_pending(&store, &broker, &pusher, i64::from(batch), &shutdown).await
            {
                tracing::warn!(%error, "broadcast paused; trying again shortly");
            }
            let wait = until_next(&store).await;
            tokio::select! {
                _ = shutdown.cancelled() => return,
                // A wake-up while a run was under way is kept, not lost.
                _ = woken.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    });
    wake
}

/// How long to wait for the next scheduled send, at most [`POLL`].
async fn until_next(store: &Store) -> Duration {
    let now = crate::store::now_ms();
    match store.next_scheduled(now).await {
        Ok(Some(at)) => POLL.min(Duration::from_millis((at - now).max(0) as u64)),
        Ok(None) => POLL,
        Err(error) => {
            tracing::warn!(%error, "cannot read the next scheduled send");
            POLL
        }
    }
}

/// Writes out every pending send, oldest first, until none is left.
async fn run_pending(
    store: &Store,
    broker: &Arc<Broker>,
    pusher: &Arc<Pusher>,
    batch: i64,
    shutdown: &CancellationToken,
) -> Result<(), StoreError> {
    loop {
        let pending = store.pending_broadcasts(crate::store::now_ms()).await?;
        if pending.is_empty() {
            return Ok(());
        }
        for broadcast in pending {
            if !write_out(store, broker, pusher, broadcast, batch, shutdown).await? {
                return Ok(());
            }
        }
    }
}

/// Writes out one send batch by batch; false if shutdown stopped it.
async fn write_out(
    store: &Store,
    broker: &Arc<Broker>,
    pusher: &Arc<Pusher>,
    mut broadcast: PendingBroadcast,
    batch: i64,
    shutdown: &CancellationToken,
) -> Result<bool, StoreError> {
    loop {
        if shutdown.is_cancelled() {
            return Ok(false);
        }
        let users = store.next_recipients(&broadcast, batch).await?;
        let last = (users.len() as i64) < batch;
        // Asked before the write, so the delivered count is stored with it.
        let online: HashSet<_> = broker.online(store, &users).await?.into_iter().collect();
        let next = users.last().copied();
        let job = broadcast.clone();
        let was_online = online.clone();
        let outcome = broker
            .run(store, move |store| async move {
                let batch = store.write_batch(&job, &users, last, &online).await?;
                let announcements = match &batch {
                    Batch::Stored { delivered, .. } => {
                        delivered.iter().map(Delivered::announcement).collect()
                    }
                    Batch::Skipped => Vec::new(),
                };
                Ok((batch, announcements))
            })
            .await?;
        match outcome {
            Batch::Stored {
                delivered,
                finished,
            } => {
                crate::telemetry::created(delivered.len());
                pusher.after_delivery(&delivered, &was_online);
                if finished {
                    tracing::info!(send = broadcast.send_id, "send written out to everyone");
                    return Ok(true);
                }
                if let Some(after) = next {
                    broadcast.after_user = after;
                }
            }
            // Someone else moved it on (or it ended): read it afresh.
            Batch::Skipped => return Ok(true),
        }
    }
}
