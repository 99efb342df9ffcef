//! Creating a send's notifications for recipients named one by one: every
//! copy, the send's record, its audit entry and its idempotency record in
//! one transaction. (Sends to everyone or a role queue in `broadcasts`.)

use std::collections::HashSet;

use herald::{NewNotification, UserId};

use super::idempotency::{Claim, Remember, Stored, claim_keys};
use super::params::Params;
use super::rows::{Delivered, json_array};
use super::sends::{NewSend, record_send};
use super::{Announcement, Store, StoreError, Tx, now_ms};

/// A send to recipients named one by one (at most a thousand), as
/// [`Store::create_notifications`] stores it.
pub struct Named {
    pub ids: Vec<UserId>,
    pub content: NewNotification,
    pub actor: Option<String>,
    /// Who sent it (an admin or an API key), for the Sent list and audit log.
    pub sender: String,
    pub remember: Option<Remember>,
    /// Who had a live connection: the send's delivered count.
    pub online: HashSet<UserId>,
}

/// A stored send: its id and every recipient's copy.
#[derive(Debug)]
pub struct Created {
    pub send: i64,
    pub copies: Vec<Delivered>,
}

impl Store {
    /// Stores `send`'s content for each active user among its recipients,
    /// each under the next number of that user's sequence, all in one
    /// transaction with the send's record, its audit entry and (with
    /// `remember`) the idempotency record: either all of it is stored or
    /// none. Deactivated users are skipped; an unknown one fails the whole
    /// send. Sends to everyone or a role go through [`Store::queue_send`].
    pub async fn create_notifications(&self, send: &Named) -> Result<Created, StoreError> {
        let mut tx = self.writer.begin().await?;
        let created = self.create_in(&mut tx, send).await?;
        self.commit_announcing(tx, &announcements(std::slice::from_ref(&created)))
            .await?;
        Ok(created)
    }

    /// [`Store::create_notifications`] for several sends in one transaction
    /// (one commit, and on SQLite one turn of the writer for all). If any
    /// of them fails, the transaction is undone and each is stored on its
    /// own instead, so one send's failure is never another's.
    pub async fn create_many(&self, sends: &[Named]) -> Vec<Result<Created, StoreError>> {
        if sends.len() > 1 {
            match self.create_together(sends).await {
                Ok(created) => return created.into_iter().map(Ok).collect(),
                Err(error) => {
                    tracing::debug!(%error, sends = sends.len(), "storing a batch's sends one by one");
                }
            }
        }
        let mut each = Vec::with_capacity(sends.len());
        for send in sends {
            each.push(self.create_notifications(send).await);
        }
        each
    }

    /// All of `sends` in one transaction, or none, announced together
    /// (on PostgreSQL one NOTIFY), with the same few statements however
    /// many there are (`batch.rs`).
    pub async fn create_together(&self, sends: &[Named]) -> Result<Vec<Created>, StoreError> {
        let mut tx = self.writer.begin().await?;
        // On PostgreSQL every recipient of the batch is locked first, in id
        // order, as a lone send locks its own: writers on several instances
        // never wait on each other in a circle.
        let mut everyone: Vec<UserId> = sends.iter().flat_map(|s| s.ids.clone()).collect();
        everyone.sort_unstable();
        everyone.dedup();
        self.lock_recipients(&mut tx, &json_array(&everyone)?)
            .await?;
        let all: Vec<&Named> = sends.iter().collect();
        let created = self.create_set(&mut tx, &all).await?;
        self.commit_announcing(tx, &announcements(&created)).await?;
        Ok(created)
    }

    async fn create_in(&self, tx: &mut Tx<'_>, send: &Named) -> Result<Created, StoreError> {
        let created_at = now_ms();
        let mut ids = send.ids.clone();
        ids.sort_unstable();
        ids.dedup();
        let only = json_array(&ids)?;
        let counts = self
            .bump_recipients(
                tx,
                &only,
                send.content.category,
                send.content.group_key.as_deref(),
            )
            .await?;
        if counts.len() != ids.len() {
            let mut params = Params::default();
            let recipients = self.engine.json_ids(&params.bind(only.as_str())?);
            let sql = format!("SELECT id FROM users WHERE id IN ({recipients})");
            let known: Vec<UserId> = sqlx::query_scalar_with(&sql, params.into_args())
                .fetch_all(&mut **tx)
                .await?;
            if let Some(missing) = ids.iter().find(|id| !known.contains(id)) {
                // Dropping the transaction undoes the counters already bumped.
                return Err(StoreError::UnknownUser(*missing));
            }
        }
        let audience_label = herald::admin::SentTo::Users(counts.len()).label();
        let send_id = record_send(
            tx,
            NewSend {
                title: &send.content.title,
                audience: &audience_label,
                sender: &send.sender,
                recipients: counts.len() as i64,
                delivered: counts
                    .iter()
                    .filter(|b| send.online.contains(&b.id))
                    .count() as i64,
                created_at,
                send_at: None,
            },
        )
        .await?;
        let delivered = self
            .insert_copies(
                tx,
                &only,
                counts,
                &send.content,
                send.actor.as_deref(),
                created_at,
                send_id,
            )
            .await?;
        let claims: Vec<Claim> = send
            .remember
            .iter()
            .map(|remember| Claim {
                remember,
                status: 201,
                response: (remember.response)(Stored::Copies(&delivered)),
            })
            .collect();
        claim_keys(tx, self.engine, &claims, created_at).await?;
        Ok(Created {
            send: send_id,
            copies: delivered,
        })
    }
}

/// What the recipients of `created` are told.
fn announcements(created: &[Created]) -> Vec<Announcement> {
    created
        .iter()
        .flat_map(|c| c.copies.iter().map(Delivered::announcement))
        .collect()
}
