//! Web push while no tab is open: when a notification is stored for a user
//! with no live connection on any instance, each of their devices (push
//! subscriptions) whose settings allow its category gets it, encrypted for
//! that device (RFC 8291) and signed with Herald's VAPID key (RFC 8292).
//! Clicking it opens the notification through Herald, which marks it read.
//! A device its push service reports gone (404, 410) is forgotten, and so
//! is one that points inside the network: a user must not be able to make
//! Herald POST to an address of their choosing there.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::StreamExt;
use herald::UserId;
use p256::PublicKey;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use web_push_native::{Auth, WebPushBuilder};

use crate::jobs::outbound::{Reach, Unreachable};
use crate::store::{Delivered, PushTarget, Store, StoreError};

/// How long a push service may keep trying a device that is off.
const TTL: Duration = Duration::from_secs(24 * 3600);
const TIMEOUT: Duration = Duration::from_secs(10);
/// Pushes in flight at once, over every send: a push service that
/// answers slowly (or never) holds at most this many.
const IN_FLIGHT: usize = 64;

pub struct Pusher {
    store: Store,
    key: SigningKey,
    /// The `sub` of the VAPID claim: who push services may contact.
    contact: String,
    /// Where pushes may go: the public internet over https, or with
    /// `HERALD_PUSH_ALLOW_LOCAL` anywhere.
    reach: Reach,
    client: reqwest::Client,
    /// Places for pushes in flight.
    in_flight: Arc<tokio::sync::Semaphore>,
    /// The session table: only devices whose sign-in stands are pushed to.
    sessions: &'static str,
}

impl Pusher {
    /// Loads Herald's VAPID key, making and storing one on first start.
    pub async fn load(
        store: Store,
        contact: String,
        allow_local: bool,
        sessions: &'static str,
    ) -> Result<Arc<Pusher>, StoreError> {
        let stored = store
            .vapid_key(|| {
                let key = SigningKey::random(&mut rand::rngs::OsRng);
                URL_SAFE_NO_PAD.encode(key.to_bytes())
            })
            .await?;
        let key = URL_SAFE_NO_PAD
            .decode(&stored)
            .ok()
            .and_then(|bytes| SigningKey::from_slice(&bytes).ok())
            .ok_or_else(|| StoreError::Corrupt("the stored VAPID key is unreadable".into()))?;
        let reach = if allow_local {
            Reach::everywhere()
        } else {
            Reach::public()
        };
        let client = reach
            .clone()
            .client(TIMEOUT)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Arc::new(Pusher {
            store,
            key,
            contact,
            reach,
            client,
            in_flight: Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT)),
            sessions,
        }))
    }

    /// The public key browsers subscribe with (`applicationServerKey`):
    /// an uncompressed P-256 point, base64url.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.verifying_key().to_encoded_point(false).as_bytes())
    }

    /// Pushes the copies in `delivered` whose users had no live connection
    /// (`online` is who had), unless muted; in the background, so a send
    /// never waits for push services.
    pub fn after_delivery(self: &Arc<Self>, delivered: &[Delivered], online: &HashSet<UserId>) {
        let offline: Vec<Delivered> = delivered
            .iter()
            .filter(|d| !online.contains(&d.user_id) && !d.notification.muted)
            .cloned()
            .collect();
        if offline.is_empty() {
            return;
        }
        let pusher = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(error) = pusher.push_all(offline).await {
                tracing::warn!(%error, "web push failed");
            }
        });
    }

    async fn push_all(&self, copies: Vec<Delivered>) -> Result<(), StoreError> {
        // A send's copies share a category; snoozes waking together may not.
        let mut by_category: HashMap<_, HashMap<UserId, &Delivered>> = HashMap::new();
        for copy in &copies {
            by_category
                .entry(copy.notification.category)
                .or_default()
                .insert(copy.user_id, copy);
        }
        for (category, by_user) in by_category {
            let users: Vec<UserId> = by_user.keys().copied().collect();
            let targets = self
                .store
                .push_targets(&users, category, self.sessions)
                .await?;
            // At once, under the shared bound: a device that does not
            // answer (or fails to be forgotten) holds up no other.
            futures::stream::iter(targets)
                .for_each_concurrent(IN_FLIGHT, |target| {
                    let by_user = &by_user;
                    async move {
                        let Some(copy) = by_user.get(&target.user_id) else {
                            return;
                        };
                        let Ok(_place) = self.in_flight.acquire().await else {
                            return;
                        };
                        if let Err(error) = self.push(&target, copy).await {
                            tracing::warn!(device = target.id, %error, "web push failed");
                        }
                    }
                })
                .await;
        }
        Ok(())
    }

    async fn push(&self, target: &PushTarget, copy: &Delivered) -> Result<(), StoreError> {
        let n = &copy.notification;
        let payload = serde_json::json!({
            "id": n.id,
            "title": n.title,
            "body": n.body,
            // One system notification per row: a group's next replaces it.
            "tag": match n.group {
                Some(row) => format!("herald-row-{row}"),
                None => format!("herald-{}", n.id),
            },
            // Through Herald: opening it marks it read, then follows its link.
            "url": format!("/notifications/{}/open", n.id),
            "unread": copy.unread,
        })
        .to_string();
        if let Some(refusal) = self.refusal(&target.endpoint).await {
            tracing::warn!(device = target.id, %refusal, "push subscription refused; dropped");
            return self.store.drop_push_target(target.id).await;
        }
        let request = match self.request(target, payload) {
            Ok(request) => request,
            Err(error) => {
                // A subscription whose keys cannot be used never will be.
                tracing::warn!(device = target.id, %error, "unusable push subscription dropped");
                return self.store.drop_push_target(target.id).await;
            }
        };
        let (parts, body) = request.into_parts();
        let sent = self
            .client
            .post(parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await;
        match sent.map(|r| r.status().as_u16()) {
            Ok(404 | 410) => {
                tracing::info!(device = target.id, "push subscription gone; forgotten");
                self.store.drop_push_target(target.id).await?;
            }
            Ok(status) if !(200..300).contains(&status) => {
                tracing::warn!(device = target.id, status, "push service refused a push");
            }
            Ok(_) => {}
            // Without the URL: a push endpoint is a capability.
            Err(error) => {
                let error = error.without_url();
                tracing::warn!(device = target.id, %error, "push service unreachable")
            }
        }
        Ok(())
    }

    fn request(
        &self,
        target: &PushTarget,
        payload: String,
    ) -> Result<axum::http::Request<Vec<u8>>, String> {
        let endpoint = target
            .endpoint
            .parse()
            .map_err(|e| format!("endpoint: {e}"))?;
        let p256dh = URL_SAFE_NO_PAD
            .decode(target.p256dh.trim_end_matches('='))
            .map_err(|e| format!("p256dh: {e}"))?;
        let public = PublicKey::from_sec1_bytes(&p256dh).map_err(|e| format!("p256dh: {e}"))?;
        let auth = URL_SAFE_NO_PAD
            .decode(target.auth.trim_end_matches('='))
            .map_err(|e| format!("auth: {e}"))?;
        if auth.len() != 16 {
            return Err("auth: must be 16 bytes".into());
        }
        let vapid = self.vapid(&target.endpoint)?;
        let mut request = WebPushBuilder::new(endpoint, public, Auth::clone_from_slice(&auth))
            .with_valid_duration(TTL)
            .build(payload)
            .map_err(|e| e.to_string())?;
        let header = vapid.parse().map_err(|_| "vapid header".to_owned())?;
        request
            .headers_mut()
            .insert(axum::http::header::AUTHORIZATION, header);
        Ok(request)
    }

    /// Why `endpoint` may not be pushed to, as far as its text tells:
    /// plain http, or an address inside the network written out — unless
    /// local pushes are allowed. Checked when a device is offered and
    /// before each push.
    pub fn written_refusal(&self, endpoint: &str) -> Option<&'static str> {
        self.reach.written_refusal(endpoint)
    }

    /// Why a push to `endpoint` may not go out, if it may not: what its
    /// text tells, then where its name points now (the setting may have
    /// been turned off, or the name re-pointed, since the device
    /// subscribed). A name that does not resolve now is not refused (the
    /// push fails, the device stays).
    async fn refusal(&self, endpoint: &str) -> Option<String> {
        if let Some(refusal) = self.written_refusal(endpoint) {
            return Some(refusal.into());
        }
        let url = url::Url::parse(endpoint).ok()?;
        let host = url.domain()?;
        match self.reach.resolve(host).await {
            Err(Unreachable::Inside(why)) => Some(why),
            Ok(_) | Err(Unreachable::Unresolved(_)) => None,
        }
    }

    /// The `Authorization: vapid t=<JWT>, k=<public key>` of a push to
    /// `endpoint` (RFC 8292): an ES256 token for the push service's origin,
    /// valid twelve hours, naming `contact`.
    fn vapid(&self, endpoint: &str) -> Result<String, String> {
        let origin = url::Url::parse(endpoint)
            .map_err(|e| format!("endpoint: {e}"))?
            .origin()
            .ascii_serialization();
        let expires = crate::store::now_ms() / 1000 + 12 * 3600;
        let header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": origin, "exp": expires, "sub": self.contact });
        let signed = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature: Signature = self.key.sign(signed.as_bytes());
        Ok(format!(
            "vapid t={signed}.{}, k={}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes()),
            self.public_key()
        ))
    }
}
