//! The server's side of the app's [`Backend`]: server functions reach the
//! store and the hub through it. Every change is stored first and then
//! announced to all of the owner's connections.

use std::sync::Arc;

use app::admin::{ApiKeyInfo, SendReport, SendSummary, UserSummary};
use app::backend::{Backend, internal};
use app::error::AppError;
use async_trait::async_trait;
use herald::wire::Transport;
use herald::{Audience, InboxView, NewNotification, Notification, ServerMessage, User, UserId};

use crate::auth;
use crate::hub::Hub;
use crate::store::{AllRead, Changed, Store};

/// One recipient's copy of a sent notification.
pub struct Sent {
    pub user_id: UserId,
    pub notification: Notification,
    /// Whether one of their connections was open to take it live.
    pub online: bool,
}

pub struct Services {
    store: Store,
    hub: Arc<Hub>,
    transport: Transport,
    /// Held from each change to its announcement, so each user's events
    /// reach the hub in sequence order and a client's resume cursor never
    /// skips one. SQLite serialises the writes anyway, so this costs no
    /// throughput.
    in_order: tokio::sync::Mutex<()>,
}

impl Services {
    pub fn new(store: Store, hub: Arc<Hub>, transport: Transport) -> Services {
        Services {
            store,
            hub,
            transport,
            in_order: tokio::sync::Mutex::new(()),
        }
    }

    /// Stores a notification for `audience`, then publishes it to each
    /// recipient's open connections: only what is committed is announced.
    pub async fn deliver(
        &self,
        audience: &Audience,
        content: &NewNotification,
        actor: Option<&str>,
        sender: &str,
    ) -> Result<SendReport, AppError> {
        let sent = self.deliver_all(audience, content, actor, sender).await?;
        let online = sent.iter().filter(|s| s.online).count();
        tracing::info!(recipients = sent.len(), online, "notification sent");
        Ok(SendReport {
            title: content.title.clone(),
            recipients: sent.len(),
            online,
        })
    }

    /// Like [`Services::deliver`], returning each recipient's notification.
    pub async fn deliver_all(
        &self,
        audience: &Audience,
        content: &NewNotification,
        actor: Option<&str>,
        sender: &str,
    ) -> Result<Vec<Sent>, AppError> {
        let _in_order = self.in_order.lock().await;
        let (send, delivered) = self
            .store
            .create_notifications(audience, content, actor, sender)
            .await?;
        let sent: Vec<Sent> = delivered
            .into_iter()
            .map(|d| {
                let event = ServerMessage::Created {
                    notification: d.notification.clone(),
                    unread: d.unread,
                };
                let online = self.hub.publish(d.user_id, &event) > 0;
                Sent {
                    user_id: d.user_id,
                    notification: d.notification,
                    online,
                }
            })
            .collect();
        let online = sent.iter().filter(|s| s.online).count() as i64;
        if let Err(error) = self.store.set_delivered(send, online).await {
            tracing::warn!(%error, send, "cannot record delivery count");
        }
        Ok(sent)
    }

    /// Withdraws every notification of a send, live for each recipient.
    pub async fn retract_send(&self, send: i64) -> Result<usize, crate::store::StoreError> {
        let _in_order = self.in_order.lock().await;
        let ids = self.store.start_retracting(send).await?;
        let mut retracted = 0;
        for id in ids {
            match self.store.retract(id).await {
                Ok((owner, changed)) => {
                    self.announce(owner, changed);
                    retracted += 1;
                }
                // Retracted on its own meanwhile: nothing left to do.
                Err(crate::store::StoreError::NotFound) => {}
                Err(error) => return Err(error),
            }
        }
        tracing::info!(send, retracted, "send retracted");
        Ok(retracted)
    }

    /// Reads or unreads one of `user`'s notifications, in every tab.
    pub async fn set_read(
        &self,
        user: UserId,
        id: i64,
        read: bool,
    ) -> Result<Notification, AppError> {
        let _in_order = self.in_order.lock().await;
        let changed = self.store.set_read(user, id, read).await?;
        Ok(self.announce(user, changed))
    }

    /// Archives or unarchives one of `user`'s notifications, in every tab.
    pub async fn set_archived(
        &self,
        user: UserId,
        id: i64,
        archived: bool,
    ) -> Result<Notification, AppError> {
        let _in_order = self.in_order.lock().await;
        let changed = self.store.set_archived(user, id, archived).await?;
        Ok(self.announce(user, changed))
    }

    /// Marks read what `user` had seen (everything up to `up_to`), in every tab.
    pub async fn mark_all_read(&self, user: UserId, up_to: i64) -> Result<AllRead, AppError> {
        let _in_order = self.in_order.lock().await;
        let all = self.store.mark_all_read(user, up_to).await?;
        if all.marked > 0 {
            let event = ServerMessage::AllRead {
                up_to: all.up_to,
                read_at: all.read_at,
                seq: all.seq,
                unread: all.unread,
            };
            self.hub.publish(user, &event);
        }
        Ok(all)
    }

    /// Withdraws a notification: it leaves its recipient's inbox and count,
    /// in every tab.
    pub async fn retract(&self, id: i64) -> Result<(), crate::store::StoreError> {
        let _in_order = self.in_order.lock().await;
        let (owner, changed) = self.store.retract(id).await?;
        tracing::info!(id, owner, "notification retracted");
        self.announce(owner, changed);
        Ok(())
    }

    fn announce(&self, user: UserId, changed: Changed) -> Notification {
        if changed.changed {
            let event = ServerMessage::Updated {
                notification: changed.notification.clone(),
                unread: changed.unread,
            };
            self.hub.publish(user, &event);
        }
        changed.notification
    }
}

#[async_trait]
impl Backend for Services {
    async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>, AppError> {
        let found = self.store.credentials(username).await?;
        let password = password.to_owned();
        let hash = found.as_ref().map(|(_, hash)| hash.clone());
        let ok =
            tokio::task::spawn_blocking(move || auth::verify_password(hash.as_deref(), &password))
                .await
                .map_err(internal)?;
        Ok(found.filter(|_| ok).map(|(user, _)| user))
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, AppError> {
        Ok(self.store.user(id).await?)
    }

    async fn unread(&self, id: UserId) -> Result<(i64, i64), AppError> {
        Ok(self.store.unread(id).await?)
    }

    async fn users(&self) -> Result<Vec<User>, AppError> {
        Ok(self.store.users().await?)
    }

    async fn page(
        &self,
        user: UserId,
        view: InboxView,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>, AppError> {
        Ok(self.store.page(user, view, before, limit).await?)
    }

    async fn set_read(&self, user: UserId, id: i64, read: bool) -> Result<Notification, AppError> {
        Services::set_read(self, user, id, read).await
    }

    async fn set_archived(
        &self,
        user: UserId,
        id: i64,
        archived: bool,
    ) -> Result<Notification, AppError> {
        Services::set_archived(self, user, id, archived).await
    }

    async fn mark_all_read(&self, user: UserId, up_to: i64) -> Result<i64, AppError> {
        Ok(Services::mark_all_read(self, user, up_to).await?.unread)
    }

    async fn mark_seen(&self, user: UserId, up_to: i64) -> Result<(), AppError> {
        Ok(self.store.mark_seen(user, up_to).await?)
    }

    fn transport(&self) -> Transport {
        self.transport
    }

    async fn api_keys(&self) -> Result<Vec<ApiKeyInfo>, AppError> {
        Ok(self
            .store
            .api_keys()
            .await?
            .into_iter()
            .map(|k| ApiKeyInfo {
                id: k.id,
                name: k.name,
                prefix: k.prefix,
                created_at: k.created_at,
                last_used_at: k.last_used_at,
                revoked_at: k.revoked_at,
            })
            .collect())
    }

    async fn create_api_key(&self, name: &str) -> Result<String, AppError> {
        let (key, secret) = self.store.create_api_key(name).await?;
        tracing::info!(key = key.prefix, name, "API key created");
        Ok(secret)
    }

    async fn sends(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<SendSummary>, AppError> {
        Ok(self
            .store
            .sends(Some(search), before, limit)
            .await?
            .into_iter()
            .map(|s| SendSummary {
                id: s.id,
                title: s.title,
                audience: s.audience,
                sender: s.sender,
                recipients: s.recipients,
                delivered: s.delivered,
                seen: s.seen,
                read: s.read,
                created_at: s.created_at,
                retracted: s.retracted_at.is_some(),
            })
            .collect())
    }

    async fn user_list(&self, search: &str) -> Result<Vec<UserSummary>, AppError> {
        Ok(self
            .store
            .user_list(search, 100)
            .await?
            .into_iter()
            .map(|(user, unread, deactivated)| UserSummary {
                online: self.hub.is_online(user.id),
                id: user.id,
                username: user.username,
                role: user.role,
                unread,
                active: deactivated.is_none(),
            })
            .collect())
    }

    async fn create_user(
        &self,
        username: &str,
        password: &str,
        role: herald::Role,
    ) -> Result<(), AppError> {
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
            .await
            .map_err(internal)?
            .map_err(internal)?;
        match self.store.create_user(username, &hash, role).await {
            Ok(user) => {
                tracing::info!(user = user.id, "user created");
                Ok(())
            }
            Err(crate::store::StoreError::UsernameTaken(_)) => {
                Err(AppError::invalid("username", "That username is taken."))
            }
            Err(other) => Err(other.into()),
        }
    }

    async fn deactivate_user(&self, id: UserId) -> Result<(), AppError> {
        self.store.deactivate(id).await?;
        let closed = self.hub.disconnect(id);
        tracing::info!(user = id, closed, "user deactivated");
        Ok(())
    }

    async fn retract_send(&self, id: i64) -> Result<usize, AppError> {
        Ok(Services::retract_send(self, id).await?)
    }

    async fn revoke_api_key(&self, id: i64) -> Result<(), AppError> {
        self.store.revoke_api_key(id).await?;
        tracing::info!(id, "API key revoked");
        Ok(())
    }

    async fn send(
        &self,
        actor: &User,
        audience: Audience,
        content: NewNotification,
    ) -> Result<SendReport, AppError> {
        self.deliver(&audience, &content, Some(&actor.username), &actor.username)
            .await
    }
}
