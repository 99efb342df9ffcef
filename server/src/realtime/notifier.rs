//! The notifier: the one way notifications change. Each change is stored
//! (one transaction, the user's next sequence number) and then announced
//! through the broker to the owner's connections on every instance; a
//! change is never committed and left unannounced. The console (through
//! `backend`) and the integration API both come here, with a send already
//! validated (`herald::Draft`).

use std::collections::HashSet;
use std::sync::Arc;

use herald::{ActionSpec, Audience, Change, NewNotification, Notification, UserId};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::jobs::push::Pusher;
use crate::realtime::broker::Broker;
use crate::store::{
    AllRead, Changed, Created, Delivered, Due, Named, Queued, Remember, Store, StoreError,
};

/// One recipient's copy of a sent notification.
pub struct Sent {
    pub user_id: UserId,
    pub notification: Notification,
    /// Whether one of their connections (on any instance) was open to take it live.
    pub online: bool,
}

/// What a send did.
pub enum Outcome {
    /// Named recipients: every copy is stored and announced.
    Sent(Vec<Sent>),
    /// Everyone or a role: accepted, and being written out in the
    /// background (`jobs::broadcast`), however many users there are.
    Queued(Queued),
}

pub struct Notifier {
    store: Store,
    broker: Arc<Broker>,
    /// Wakes the fan-out worker.
    fanout: Arc<Notify>,
    /// Named sends for [`write_named`], this instance's one writer of them.
    named: mpsc::UnboundedSender<Job>,
    /// Wakes the webhook job (`crate::jobs::webhooks`) when a click stored one.
    webhooks: Arc<Notify>,
    /// Pushes to the devices of recipients with no live connection.
    pusher: Arc<Pusher>,
}

/// A named send waiting to be stored, and where its outcome goes.
type Job = (
    Named,
    oneshot::Sender<Result<(Created, HashSet<UserId>), StoreError>>,
);

/// The most sends stored in one transaction.
const MAX_BATCH: usize = 64;

impl Notifier {
    /// A notifier; it starts the task that stores named sends.
    pub fn new(
        store: Store,
        broker: Arc<Broker>,
        fanout: Arc<Notify>,
        pusher: Arc<Pusher>,
    ) -> Notifier {
        let (named, waiting) = mpsc::unbounded_channel();
        tokio::spawn(write_named(store.clone(), Arc::clone(&broker), waiting));
        Notifier {
            store,
            broker,
            fanout,
            named,
            webhooks: Arc::new(Notify::new()),
            pusher,
        }
    }

    /// Web push, for what needs its key and devices.
    pub fn pusher(&self) -> &Arc<Pusher> {
        &self.pusher
    }

    /// What wakes the webhook job.
    pub fn webhook_wake(&self) -> Arc<Notify> {
        Arc::clone(&self.webhooks)
    }

    /// `user` clicked action `index` of notification `id`: read and
    /// interacted in every tab, and a webhook action's POST on its way.
    /// Returns the notification and the action.
    pub async fn interact(
        &self,
        user: UserId,
        id: i64,
        index: usize,
    ) -> Result<(Notification, ActionSpec), StoreError> {
        let (changed, action) = self
            .broker
            .run(&self.store, move |store| async move {
                let (changed, action) = store.interact(user, id, index).await?;
                let announcements = changed.announcements();
                Ok(((changed, action), announcements))
            })
            .await?;
        if changed.changed && action.webhook.is_some() {
            self.webhooks.notify_one();
        }
        Ok((changed.notification, action))
    }

    /// Stores `content` for `audience` and announces it to each recipient;
    /// with `remember`, the Idempotency-Key is stored with it. `sender` is
    /// who sent it (an admin or an API key), for the Sent list and audit log.
    pub async fn send(
        &self,
        audience: &Audience,
        content: &NewNotification,
        actor: Option<&str>,
        sender: &str,
        remember: Option<Remember>,
    ) -> Result<Outcome, StoreError> {
        let ids = match audience {
            Audience::User { id } => vec![*id],
            Audience::Users { ids } => ids.clone(),
            Audience::Role { .. } | Audience::Everyone | Audience::Topics { .. } => {
                return self
                    .queue(audience, content, actor, sender, remember, None)
                    .await;
            }
        };
        let named = Named {
            ids,
            content: content.clone(),
            actor: actor.map(str::to_owned),
            sender: sender.to_owned(),
            remember,
            // The writer asks, for its whole batch at once.
            online: HashSet::new(),
        };
        let (
            Created {
                send,
                copies: delivered,
            },
            online,
        ) = self.store_named(named).await?;
        crate::telemetry::created(delivered.len());
        self.pusher.after_delivery(&delivered, &online);
        tracing::info!(
            send,
            recipients = delivered.len(),
            online = online.len(),
            "sent"
        );
        Ok(Outcome::Sent(
            delivered
                .into_iter()
                .map(|d| Sent {
                    online: online.contains(&d.user_id),
                    user_id: d.user_id,
                    notification: d.notification,
                })
                .collect(),
        ))
    }

    /// Stores a named send and announces it, through the queue of
    /// [`write_named`]; with who among its recipients was online.
    async fn store_named(&self, named: Named) -> Result<(Created, HashSet<UserId>), StoreError> {
        let stopped = || StoreError::Corrupt("the writer of sends has stopped".into());
        let (reply, answer) = oneshot::channel();
        self.named.send((named, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Stores `content` for `audience` to go out at `send_at` (Unix ms),
    /// through the fan-out worker, whatever the audience: accepted now,
    /// delivered at its time (or when Herald next runs), once.
    pub async fn schedule(
        &self,
        audience: &Audience,
        content: &NewNotification,
        actor: Option<&str>,
        sender: &str,
        remember: Option<Remember>,
        send_at: i64,
    ) -> Result<Outcome, StoreError> {
        self.queue(audience, content, actor, sender, remember, Some(send_at))
            .await
    }

    /// Accepts a send for the fan-out worker and wakes it: a send to
    /// everyone (or a role) under way at once, or a scheduled one, which
    /// the worker then waits for.
    async fn queue(
        &self,
        audience: &Audience,
        content: &NewNotification,
        actor: Option<&str>,
        sender: &str,
        remember: Option<Remember>,
        send_at: Option<i64>,
    ) -> Result<Outcome, StoreError> {
        let queued = self
            .store
            .queue_send(audience, content, actor, sender, remember.as_ref(), send_at)
            .await?;
        self.fanout.notify_one();
        tracing::info!(
            send = queued.send,
            recipients = queued.recipients,
            send_at = queued.send_at,
            "send queued"
        );
        Ok(Outcome::Queued(queued))
    }

    /// [`Notifier::send`] without an Idempotency-Key.
    pub async fn deliver(
        &self,
        audience: &Audience,
        content: &NewNotification,
        actor: Option<&str>,
        sender: &str,
    ) -> Result<Outcome, StoreError> {
        self.send(audience, content, actor, sender, None).await
    }

    /// Withdraws every notification of a send, live for each recipient.
    pub async fn retract_send(&self, send: i64, by: &str) -> Result<usize, StoreError> {
        let by = by.to_owned();
        let retracted = self
            .broker
            .run(&self.store, move |store| async move {
                let changes = store.retract_send(send, &by).await?;
                let announcements = changes.iter().flat_map(Changed::announcements).collect();
                Ok((changes.len(), announcements))
            })
            .await?;
        tracing::info!(send, retracted, "send retracted");
        Ok(retracted)
    }

    /// Runs a change of one notification and announces it, in every tab.
    async fn change<F, Fut>(&self, change: F) -> Result<Changed, StoreError>
    where
        F: FnOnce(Store) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<Changed, StoreError>> + Send + 'static,
    {
        self.broker
            .run(&self.store, move |store| async move {
                let changed = change(store).await?;
                let announcements = changed.announcements();
                Ok((changed, announcements))
            })
            .await
    }

    /// Applies `change` to one of `user`'s notifications, in every tab.
    pub async fn change_one(
        &self,
        user: UserId,
        id: i64,
        change: Change,
    ) -> Result<Notification, StoreError> {
        let changed = self
            .change(move |store| async move { store.change(user, id, change).await })
            .await?;
        Ok(changed.notification)
    }

    /// Marks read what `user` had seen (everything up to `up_to`), in every tab.
    pub async fn mark_all_read(&self, user: UserId, up_to: i64) -> Result<AllRead, StoreError> {
        self.broker
            .run(&self.store, move |store| async move {
                let all = store.mark_all_read(user, up_to).await?;
                let announcements = all.announcement().into_iter().collect();
                Ok((all, announcements))
            })
            .await
    }

    /// Withdraws a notification: it leaves its recipient's inbox and count,
    /// in every tab.
    pub async fn retract(&self, id: i64, by: &str) -> Result<(), StoreError> {
        let by = by.to_owned();
        let changed = self
            .change(move |store| async move { store.retract(id, &by).await })
            .await?;
        tracing::info!(id, owner = changed.user, "notification retracted");
        Ok(())
    }
}

impl Notifier {
    /// Brings back snoozed notifications whose time came by `now` (at most
    /// `limit`, in one transaction), live in every tab; returns how many.
    pub async fn wake_due(&self, now: i64, limit: i64) -> Result<usize, StoreError> {
        let woken = self.change_due(Due::Wake, now, limit).await?;
        // A snooze is a reminder: one that comes back unread to a user with
        // no tab open is pushed to their devices as a new one would be.
        let reminders: Vec<Delivered> = woken
            .iter()
            .filter(|c| c.notification.is_unread())
            .map(|c| Delivered {
                user_id: c.user,
                notification: c.notification.clone(),
                unread: c.unread,
            })
            .collect();
        if !reminders.is_empty() {
            let users: Vec<UserId> = reminders.iter().map(|d| d.user_id).collect();
            let online = online_among(&self.broker, &self.store, &users).await;
            self.pusher.after_delivery(&reminders, &online);
        }
        Ok(woken.len())
    }

    /// Withdraws notifications whose expiry has come by `now` (at most
    /// `limit`, in one transaction), live in every tab; returns how many.
    pub async fn expire_due(&self, now: i64, limit: i64) -> Result<usize, StoreError> {
        Ok(self.change_due(Due::Expiry, now, limit).await?.len())
    }

    /// Makes what `what` has due, announced in every tab.
    async fn change_due(
        &self,
        what: Due,
        now: i64,
        limit: i64,
    ) -> Result<Vec<Changed>, StoreError> {
        self.broker
            .run(&self.store, move |store| async move {
                let changes = store.change_due(what, now, limit).await?;
                let announcements = changes.iter().flat_map(Changed::announcements).collect();
                Ok((changes, announcements))
            })
            .await
    }
}

/// Stores named sends in arrival order, all those that queued while the
/// previous batch committed in one transaction of a fixed number of
/// statements (`Store::create_many`; a failing send is then stored alone,
/// and fails alone). A lone send commits at once; under load the batches
/// grow, sharing one commit, the round trips and, on PostgreSQL, one NOTIFY,
/// whose commit-time lock serialises every notifying transaction in the
/// database.
async fn write_named(store: Store, broker: Arc<Broker>, mut queue: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH
            && let Ok(job) = queue.try_recv()
        {
            jobs.push(job);
        }
        let (mut sends, replies): (Vec<Named>, Vec<_>) = jobs.into_iter().unzip();
        let (count, started) = (sends.len(), std::time::Instant::now());
        // Who is online, asked once for the whole batch (on PostgreSQL a
        // query), so each send's delivered count is stored with it.
        let mut everyone: Vec<UserId> = sends.iter().flat_map(|s| s.ids.clone()).collect();
        everyone.sort_unstable();
        everyone.dedup();
        let online = online_among(&broker, &store, &everyone).await;
        let onlines: Vec<HashSet<UserId>> = sends
            .iter_mut()
            .map(|send| {
                send.online = send
                    .ids
                    .iter()
                    .copied()
                    .filter(|u| online.contains(u))
                    .collect();
                send.online.clone()
            })
            .collect();
        let stored = broker
            .run_in_place(&store, move |store| async move {
                let results = store.create_many(&sends).await;
                let announcements = results
                    .iter()
                    .flatten()
                    .flat_map(|created| created.copies.iter().map(Delivered::announcement))
                    .collect();
                Ok((results, announcements))
            })
            .await;
        crate::telemetry::wrote_batch(count, started.elapsed());
        match stored {
            Ok(results) => {
                for ((reply, result), online) in replies.into_iter().zip(results).zip(onlines) {
                    let _ = reply.send(result.map(|created| (created, online)));
                }
            }
            Err(error) => {
                tracing::error!(%error, "cannot store sends");
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Corrupt(error.to_string())));
                }
            }
        }
    }
}

/// Which of `users` have a live connection on any instance; none when
/// that cannot be told (they then count as offline: web push reaches them).
async fn online_among(broker: &Broker, store: &Store, users: &[UserId]) -> HashSet<UserId> {
    match broker.online(store, users).await {
        Ok(online) => online.into_iter().collect(),
        Err(error) => {
            tracing::warn!(%error, "cannot tell who is online");
            HashSet::new()
        }
    }
}
