//! The server's side of the app's [`Backend`]: server functions reach
//! accounts, the admin console's lists and (through the notifier) every
//! change to notifications here.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use app::backend::{Backend, internal};
use app::error::AppError;
use async_trait::async_trait;
use herald::admin::{ApiKeyInfo, AuditInfo, SendReport, SendSummary, UserSummary};
use herald::wire::Transport;
use herald::{
    Audience, Category, InboxView, NewNotification, Notification, Preference, PreferenceChange,
    User, UserId,
};
use tower_sessions::Session;

use crate::config::Config;
use crate::http::auth;
use crate::identity::passwords::Passwords;
use crate::identity::throttle::{LoginThrottle, PushLimiter};
use crate::realtime::broker::{Broker, Ending};
use crate::realtime::notifier::{Notifier, Outcome};
use crate::store::{Store, StoreError};

/// The pages' server functions' view of Herald; built once at start.
pub struct PageBackend {
    pub store: Store,
    pub broker: Arc<Broker>,
    pub notifier: Arc<Notifier>,
    pub config: Arc<Config>,
    pub passwords: Passwords,
    /// Shared with the purge job, which forgets stale entries.
    pub throttle: Arc<LoginThrottle>,
    pub push_limiter: PushLimiter,
}

impl PageBackend {
    /// Revokes an API key: its requests and connection tokens are refused
    /// from now on, and the live connections its tokens opened close.
    pub async fn revoke_api_key(&self, id: i64, by: &str) -> Result<usize, StoreError> {
        self.store.revoke_api_key(id, by).await?;
        let closed = self.broker.end(&self.store, Ending::Key { key: id }).await;
        tracing::info!(id, closed, "API key revoked");
        Ok(closed)
    }

    /// Checks a password for `username` unless the throttle says wait,
    /// the attempt counted against the username and `address` before it
    /// is judged.
    async fn check_password(
        &self,
        username: &str,
        address: Option<std::net::IpAddr>,
        hash: Option<String>,
        password: &str,
    ) -> Result<bool, AppError> {
        if let Err(wait) = self.throttle.reserve(username, address) {
            tracing::warn!(username, ?address, "login throttled");
            return Err(AppError::RateLimited(wait.as_secs().max(1)));
        }
        let ok = match self.passwords.verify(hash, password.to_owned()).await {
            Ok(ok) => ok,
            Err(error) => {
                self.throttle.refund(username, address);
                return Err(error.into());
            }
        };
        if ok {
            self.throttle.succeeded(username, address);
        } else {
            // The username helps spot an attack; the password is never logged.
            tracing::warn!(username, ?address, "failed login");
        }
        Ok(ok)
    }
}

#[async_trait]
impl Backend for PageBackend {
    async fn log_in(
        &self,
        session: &Session,
        request: &axum::http::request::Parts,
        username: &str,
        password: &str,
    ) -> Result<User, AppError> {
        let address = auth::client_ip(&request.headers, &request.extensions, &self.config);
        let found = self.store.credentials(username).await?;
        let hash = found.as_ref().map(|c| c.password_hash.clone());
        if !self
            .check_password(username, address, hash, password)
            .await?
        {
            return Err(AppError::BadCredentials);
        }
        let found = found.ok_or(AppError::BadCredentials)?;
        // Signing in over another sign-in (no sign-out between) ends it:
        // its devices go with it, as on a sign-out.
        if let Some(earlier) = session.id() {
            self.store
                .forget_session_devices(&earlier.to_string())
                .await?;
        }
        auth::start_session(session, found.user.id, found.epoch)
            .await
            .map_err(internal)?;
        tracing::info!(user_id = found.user.id, ?address, "logged in");
        Ok(found.user)
    }

    async fn log_out(&self, session: &Session) -> Result<(), AppError> {
        if let Some(session) = session.id() {
            // Before the session ends: a device left subscribed would go
            // on showing this user's notifications to the next one. If that
            // fails the sign-out still happens (staying signed in on a
            // shared computer is worse); the purge job forgets the device
            // once the session is gone.
            if let Err(error) = self
                .store
                .forget_session_devices(&session.to_string())
                .await
            {
                tracing::warn!(%error, "cannot forget a signed-out session's devices yet");
            }
            let session = self.broker.hub().session_tag(&session);
            self.broker
                .end(&self.store, Ending::Session { session })
                .await;
        }
        session.flush().await.map_err(internal)
    }

    async fn session_user(&self, session: &Session) -> Result<Option<User>, AppError> {
        auth::session_user(session, &self.store, &self.config)
            .await
            .map_err(internal)
    }

    async fn change_password(
        &self,
        session: &Session,
        user: &User,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        if let Err(problem) = herald::check_password(new) {
            return Err(AppError::invalid("new_password", problem));
        }
        let found = self.store.credentials(&user.username).await?;
        let hash = found.map(|c| c.password_hash);
        if !self
            .check_password(&user.username, None, hash, current)
            .await?
        {
            return Err(AppError::invalid(
                "current_password",
                "That is not your current password.",
            ));
        }
        let hash = self.passwords.hash(new.to_owned()).await?;
        let keep = session.id().map(|id| id.to_string());
        let epoch = self
            .store
            .set_password(user, &hash, keep.as_deref())
            .await?;
        // This session carries on in the new epoch; every other one ends,
        // with the live connections it opened.
        auth::continue_session(session, user.id, epoch)
            .await
            .map_err(internal)?;
        let ending = Ending::OtherSessions {
            user: user.id,
            keep: session.id().map(|id| self.broker.hub().session_tag(&id)),
        };
        let closed = self.broker.end(&self.store, ending).await;
        tracing::info!(
            user_id = user.id,
            closed,
            "password changed; other sessions ended"
        );
        Ok(())
    }

    async fn unread(&self, id: UserId) -> Result<herald::Counts, AppError> {
        Ok(self.store.unread(id).await?)
    }

    async fn users(&self) -> Result<Vec<User>, AppError> {
        Ok(self.store.users().await?)
    }

    async fn users_named(&self, names: &[String]) -> Result<Vec<User>, AppError> {
        Ok(self.store.users_named(names).await?)
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

    async fn change(
        &self,
        user: UserId,
        id: i64,
        change: herald::Change,
    ) -> Result<Notification, AppError> {
        Ok(self.notifier.change_one(user, id, change).await?)
    }

    async fn interact(
        &self,
        user: UserId,
        id: i64,
        index: usize,
    ) -> Result<Notification, AppError> {
        Ok(self.notifier.interact(user, id, index).await?.0)
    }

    async fn mark_all_read(&self, user: UserId, up_to: i64) -> Result<i64, AppError> {
        Ok(self.notifier.mark_all_read(user, up_to).await?.unread)
    }

    async fn mark_seen(&self, user: UserId, up_to: i64) -> Result<(), AppError> {
        Ok(self.store.mark_seen(user, up_to).await?)
    }

    async fn email(&self, user: UserId) -> Result<Option<String>, AppError> {
        Ok(self.store.contact(user).await?.0)
    }

    async fn set_email(&self, user: UserId, email: Option<String>) -> Result<(), AppError> {
        let (_, name) = self.store.contact(user).await?;
        self.store
            .set_contact(user, email.as_deref(), name.as_deref())
            .await?;
        Ok(())
    }

    async fn locale(&self, user: UserId) -> Result<Option<herald::i18n::Locale>, AppError> {
        Ok(self.store.locale(user).await?)
    }

    async fn set_locale(
        &self,
        user: UserId,
        locale: Option<herald::i18n::Locale>,
    ) -> Result<(), AppError> {
        Ok(self.store.set_locale(user, locale).await?)
    }

    async fn topics(&self, user: UserId) -> Result<Vec<herald::topics::Subscription>, AppError> {
        Ok(self.store.topics_of(user).await?)
    }

    async fn leave_topic(&self, user: UserId, topic: &str) -> Result<(), AppError> {
        self.store.unsubscribe(topic, &[user]).await?;
        Ok(())
    }

    async fn preferences(&self, user: UserId) -> Result<Vec<Preference>, AppError> {
        Ok(self.store.preferences(user).await?)
    }

    async fn set_preference(
        &self,
        user: UserId,
        choice: Preference,
    ) -> Result<Vec<Preference>, AppError> {
        let change = PreferenceChange {
            bell: Some(choice.bell),
            desktop: Some(choice.desktop),
            push: Some(choice.push),
            email: Some(choice.email),
        };
        let changes = BTreeMap::from([(choice.category.as_str().to_owned(), change)]);
        match self.store.set_preferences(user, &changes).await? {
            Ok(all) => Ok(all),
            // The form has one row per category: name the field as it does.
            Err(_) => Err(AppError::invalid(
                "bell",
                "Required by the administrator: it cannot be muted.",
            )),
        }
    }

    fn push_key(&self) -> String {
        self.notifier.pusher().public_key()
    }

    async fn subscribe_push(
        &self,
        session: &Session,
        user: UserId,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<(), AppError> {
        if let Err(wait) = self.push_limiter.0.check_key(&user) {
            use governor::clock::Clock;
            let wait = wait.wait_time_from(self.push_limiter.0.clock().now());
            return Err(AppError::RateLimited(wait.as_secs().max(1)));
        }
        let allow_local = self.config.push_allow_local;
        herald::push::check_subscription(endpoint, p256dh, auth, allow_local)
            .map_err(AppError::Invalid)?;
        // The scheme was checked above; what is left is the address.
        if self.notifier.pusher().written_refusal(endpoint).is_some() {
            let mut errors = herald::FieldErrors::default();
            errors.push(
                "endpoint",
                "Must be at a public address, as push services are.",
            );
            return Err(AppError::Invalid(errors));
        }
        // A signed-in session has an id; without one the device could not
        // be forgotten when it signs out, so it is not stored.
        let id = session
            .id()
            .ok_or_else(|| internal("a signed-in session without an id"))?;
        let signed_in = crate::http::auth::session_auth(session)
            .await
            .map_err(internal)?
            .filter(|a| a.user == user)
            .ok_or(AppError::Unauthorized)?;
        let stored = self
            .store
            .subscribe_push(
                user,
                signed_in.epoch,
                &id.to_string(),
                crate::store::Device {
                    endpoint,
                    p256dh,
                    auth,
                },
                i64::from(self.config.push_devices_per_user),
            )
            .await?;
        if stored {
            Ok(())
        } else {
            // The sign-in ended meanwhile (a password change, deactivation).
            Err(AppError::Unauthorized)
        }
    }

    async fn is_push_device(&self, user: UserId, endpoint: &str) -> Result<bool, AppError> {
        Ok(self.store.is_push_device(user, endpoint).await?)
    }

    async fn claim_push_device(
        &self,
        session: &Session,
        user: UserId,
        endpoint: &str,
    ) -> Result<(), AppError> {
        let id = session.id().ok_or(AppError::Unauthorized)?;
        let forgotten = self
            .store
            .claim_push_endpoint(user, &id.to_string(), endpoint)
            .await?;
        if forgotten {
            tracing::info!(user, "a device left by another sign-in was forgotten");
        }
        Ok(())
    }

    async fn unsubscribe_push(&self, user: UserId, endpoint: &str) -> Result<(), AppError> {
        Ok(self.store.unsubscribe_push(user, endpoint).await?)
    }

    async fn required_categories(&self) -> Result<Vec<Category>, AppError> {
        Ok(self.store.required_categories().await?)
    }

    async fn set_required(
        &self,
        by: &User,
        category: Category,
        required: bool,
    ) -> Result<(), AppError> {
        Ok(self
            .store
            .set_required(category, required, &by.username)
            .await?)
    }

    async fn emailed_categories(&self) -> Result<Vec<Category>, AppError> {
        Ok(self.store.emailed_categories().await?)
    }

    async fn set_emailed(
        &self,
        by: &User,
        category: Category,
        emailed: bool,
    ) -> Result<(), AppError> {
        Ok(self
            .store
            .set_emailed(category, emailed, &by.username)
            .await?)
    }

    fn transport(&self) -> Transport {
        self.config.transport()
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

    async fn create_api_key(&self, by: &User, name: &str) -> Result<String, AppError> {
        let (key, secret) = self.store.create_api_key(name, &by.username).await?;
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
            .map(SendSummary::from)
            .collect())
    }

    async fn user_list(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<UserSummary>, AppError> {
        let users = self.store.user_list(search, before, limit).await?;
        let ids: Vec<UserId> = users.iter().map(|(user, _, _)| user.id).collect();
        let online: HashSet<UserId> = self
            .broker
            .online(&self.store, &ids)
            .await?
            .into_iter()
            .collect();
        Ok(users
            .into_iter()
            .map(|(user, unread, deactivated)| UserSummary {
                online: online.contains(&user.id),
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
        by: &User,
        username: &str,
        password: &str,
        role: herald::Role,
    ) -> Result<(), AppError> {
        let hash = self.passwords.hash(password.to_owned()).await?;
        match self
            .store
            .create_user(username, &hash, role, &by.username)
            .await
        {
            Ok(user) => {
                tracing::info!(user = user.id, "user created");
                Ok(())
            }
            Err(refused) => Err(refused.into()),
        }
    }

    async fn deactivate_user(&self, by: &User, id: UserId) -> Result<(), AppError> {
        self.store.deactivate(id, &by.username).await?;
        let closed = self
            .broker
            .end(&self.store, Ending::User { user: id })
            .await;
        tracing::info!(user = id, closed, "user deactivated");
        Ok(())
    }

    async fn reactivate_user(&self, by: &User, id: UserId) -> Result<(), AppError> {
        self.store.reactivate(id, &by.username).await?;
        tracing::info!(user = id, "user reactivated");
        Ok(())
    }

    async fn set_role(&self, by: &User, id: UserId, role: herald::Role) -> Result<(), AppError> {
        self.store.set_role(id, role, &by.username).await?;
        tracing::info!(user = id, role = role.as_str(), "role changed");
        Ok(())
    }

    async fn audit_log(
        &self,
        search: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditInfo>, AppError> {
        Ok(self
            .store
            .audit_log(search, before, limit)
            .await?
            .into_iter()
            .map(|e| AuditInfo {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                target: e.target,
                detail: e.detail,
            })
            .collect())
    }

    async fn retract_send(&self, by: &User, id: i64) -> Result<usize, AppError> {
        Ok(self.notifier.retract_send(id, &by.username).await?)
    }

    async fn revoke_api_key(&self, by: &User, id: i64) -> Result<(), AppError> {
        PageBackend::revoke_api_key(self, id, &by.username).await?;
        Ok(())
    }

    async fn send(
        &self,
        actor: &User,
        audience: Audience,
        content: NewNotification,
        send_at: Option<i64>,
    ) -> Result<SendReport, AppError> {
        let (by, name) = (Some(actor.username.as_str()), &actor.username);
        let outcome = match send_at {
            None => self.notifier.deliver(&audience, &content, by, name).await?,
            Some(at) => {
                self.notifier
                    .schedule(&audience, &content, by, name, None, at)
                    .await?
            }
        };
        Ok(match outcome {
            Outcome::Sent(sent) => SendReport {
                title: content.title,
                recipients: sent.len(),
                online: sent.iter().filter(|s| s.online).count(),
                queued: false,
                send_at: None,
            },
            Outcome::Queued(queued) => SendReport {
                title: content.title,
                recipients: queued.recipients as usize,
                online: 0,
                queued: true,
                send_at: queued.send_at,
            },
        })
    }
}
