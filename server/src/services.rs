//! The server's side of the app's [`Backend`]: server functions reach the
//! store and the hub through it.

use std::sync::Arc;

use app::admin::SendReport;
use app::backend::{Backend, internal};
use app::error::AppError;
use async_trait::async_trait;
use herald::wire::Transport;
use herald::{Audience, NewNotification, Notification, ServerMessage, User, UserId};

use crate::auth;
use crate::hub::Hub;
use crate::store::Store;

pub struct Services {
    store: Store,
    transport: Transport,
    hub: Arc<Hub>,
    /// Held from insert to publish, so each user's events reach the hub in
    /// sequence order and a client's resume cursor never skips one. SQLite
    /// serialises the writes anyway, so this costs no throughput.
    in_order: tokio::sync::Mutex<()>,
}

impl Services {
    pub fn new(store: Store, hub: Arc<Hub>, transport: Transport) -> Services {
        Services {
            store,
            transport,
            hub,
            in_order: tokio::sync::Mutex::new(()),
        }
    }

    /// Stores a notification, then publishes it to each recipient's open
    /// connections: only what is committed is ever announced.
    pub async fn deliver(
        &self,
        audience: &Audience,
        content: &NewNotification,
    ) -> Result<SendReport, AppError> {
        let _in_order = self.in_order.lock().await;
        let delivered = self.store.create_notifications(audience, content).await?;
        let online = delivered
            .iter()
            .filter(|d| {
                let event = ServerMessage::Created {
                    notification: d.notification.clone(),
                    unread: d.unread,
                };
                self.hub.publish(d.user_id, &event) > 0
            })
            .count();
        tracing::info!(recipients = delivered.len(), online, "notification sent");
        Ok(SendReport {
            title: content.title.clone(),
            recipients: delivered.len(),
            online,
        })
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

    async fn recent(&self, id: UserId, limit: i64) -> Result<Vec<Notification>, AppError> {
        Ok(self.store.recent(id, limit).await?)
    }

    fn transport(&self) -> Transport {
        self.transport
    }

    async fn send(
        &self,
        audience: Audience,
        content: NewNotification,
    ) -> Result<SendReport, AppError> {
        self.deliver(&audience, &content).await
    }
}
