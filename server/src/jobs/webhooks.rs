//! The webhook job: POSTs the deliveries that clicked actions stored
//! (`Store::interact`), signed, until each answers 2xx. A failure is tried
//! again after `HERALD_WEBHOOK_RETRY_MS`, doubling each time up to an
//! hour, at most `MAX_ATTEMPTS` times. Deliveries live in the database, so
//! they survive restarts, and an attempt is claimed before it is made, so
//! instances on one database never POST the same attempt twice.
//!
//! Receivers are reached only at https addresses on the public internet,
//! unless `HERALD_WEBHOOK_ALLOW` names a host or network inside
//! (`crate::jobs::outbound`). Attempts run at once, at most [`IN_FLIGHT`] in
//! all and [`PER_HOST`] per receiving host, so a receiver that never
//! answers delays nobody else's webhooks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::jobs::outbound::Reach;
use crate::store::{Delivery, MAX_ATTEMPTS, Store, now_ms};

/// How long one attempt may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between attempts.
const MAX_BACKOFF_MS: u64 = 3_600_000;
/// How often due deliveries are looked for when nothing wakes the job.
const EVERY: Duration = Duration::from_secs(1);
/// Attempts in flight at once, over every receiver.
pub const IN_FLIGHT: usize = 32;
/// Attempts in flight at once to one host.
pub const PER_HOST: usize = 4;
/// How long a delivery waits when its host already has [`PER_HOST`]
/// attempts in flight, so the deliveries behind it get their turn.
const HOST_BUSY_MS: i64 = 1_000;

/// The `Herald-Signature` header of `body` sent at `t` (Unix seconds):
/// `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs, so the
/// receiver can refuse old or forged calls.
pub fn signature(secret: &[u8], t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{t}.{body}").as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// The body POSTed for a delivery: what was stored at the click, with the
/// delivery's id inside it, so the id a receiver deduplicates on is
/// covered by the signature (`Herald-Delivery` repeats it, unsigned).
pub fn signed_body(stored: &str, delivery: i64) -> String {
    match serde_json::from_str::<serde_json::Value>(stored) {
        Ok(serde_json::Value::Object(mut fields)) => {
            fields.insert("delivery_id".into(), delivery.into());
            serde_json::Value::Object(fields).to_string()
        }
        _ => stored.to_owned(),
    }
}

/// The wait before attempt `attempts + 1`, after `attempts` failures.
pub fn backoff_ms(first_ms: u64, attempts: i64) -> u64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    first_ms
        .max(1)
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF_MS)
}

/// What the job needs for every attempt.
struct Job {
    store: Store,
    client: reqwest::Client,
    reach: Reach,
    secret: String,
    first_retry_ms: u64,
    in_flight: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Starts the job (only when a signing secret is set: without one no
/// webhook action is accepted). `wake` makes it look at once.
pub fn spawn(
    store: Store,
    secret: String,
    reach: Reach,
    first_retry_ms: u64,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
) {
    let client = match reach.clone().client(TIMEOUT) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot start the webhook client");
            return;
        }
    };
    let job = Arc::new(Job {
        store,
        client,
        reach,
        secret,
        first_retry_ms,
        in_flight: Arc::new(Semaphore::new(IN_FLIGHT)),
        hosts: Mutex::default(),
    });
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(EVERY) => {}
            }
            let free = job.in_flight.available_permits();
            if free == 0 {
                continue;
            }
            let due = match job.store.due_webhooks(now_ms(), free as i64).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::warn!(%error, "cannot read due webhooks; trying again");
                    continue;
                }
            };
            for delivery in due {
                let Ok(place) = Arc::clone(&job.in_flight).try_acquire_owned() else {
                    break;
                };
                let Some(host_place) = job.host_place(&delivery.url) else {
                    // Its host is busy: the deliveries behind it go first.
                    if let Err(error) = job
                        .store
                        .defer_webhook(delivery.id, now_ms() + HOST_BUSY_MS)
                        .await
                    {
                        tracing::warn!(%error, "cannot defer a webhook");
                    }
                    continue;
                };
                let job = Arc::clone(&job);
                tokio::spawn(async move {
                    job.attempt(delivery).await;
                    drop((place, host_place));
                    job.forget_idle_hosts();
                });
            }
        }
    });
}

impl Job {
    /// A place among the attempts in flight to `url`'s host, if it has one.
    fn host_place(&self, url: &str) -> Option<OwnedSemaphorePermit> {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        let places = hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(PER_HOST)));
        Arc::clone(places).try_acquire_owned().ok()
    }

    /// Drops the record of hosts with nothing in flight.
    fn forget_idle_hosts(&self) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts.retain(|_, places| places.available_permits() < PER_HOST);
    }

    async fn attempt(&self, delivery: Delivery) {
        let now = now_ms();
        // Held past the attempt's timeout, so no other instance takes it meanwhile.
        let held = now + TIMEOUT.as_millis() as i64 * 2;
        match self.store.claim_webhook(delivery.id, now, held).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                tracing::warn!(%error, "cannot claim a webhook");
                return;
            }
        }
        let attempts = delivery.attempts + 1;
        // Checked again at each attempt: the setting may have changed
        // since the click. (Names are checked where they are resolved.)
        let status = match self.reach.written_refusal(&delivery.url) {
            Some(refusal) => {
                tracing::warn!(delivery = delivery.id, refusal, "webhook address refused");
                0
            }
            None => self.post(&delivery, now).await,
        };
        let retry_at = (!(200..300).contains(&status) && attempts < MAX_ATTEMPTS)
            .then(|| now_ms() + backoff_ms(self.first_retry_ms, attempts) as i64);
        if !(200..300).contains(&status) {
            tracing::warn!(
                delivery = delivery.id,
                status,
                attempts,
                "webhook not accepted"
            );
        }
        if let Err(error) = self
            .store
            .webhook_attempted(delivery.id, status, retry_at)
            .await
        {
            tracing::warn!(%error, "cannot record a webhook attempt");
        }
    }

    /// POSTs `delivery`: the answer's status, 0 when none came.
    async fn post(&self, delivery: &Delivery, now: i64) -> u16 {
        let body = signed_body(&delivery.body, delivery.id);
        let t = now / 1000;
        self.client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header(
                "herald-signature",
                signature(self.secret.as_bytes(), t, &body),
            )
            .header("herald-delivery", delivery.id.to_string())
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_time_and_body() {
        let sig = signature(b"Jefe", 1, "x");
        assert!(sig.starts_with("t=1,v1="));
        assert_eq!(sig.len(), "t=1,v1=".len() + 64);
        assert_ne!(sig, signature(b"Jefe", 2, "x"), "the time is signed");
        assert_ne!(sig, signature(b"other", 1, "x"));
    }

    #[test]
    fn the_delivery_id_is_inside_the_signed_body() {
        let body = signed_body(r#"{"type":"notification.action","notification_id":3}"#, 41);
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["delivery_id"], 41);
        assert_eq!(value["notification_id"], 3);
        assert_ne!(
            signature(b"k", 1, &body),
            signature(b"k", 1, &signed_body(r#"{"notification_id":3}"#, 42))
        );
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1000, 1), 1000);
        assert_eq!(backoff_ms(1000, 2), 2000);
        assert_eq!(backoff_ms(1000, 4), 8000);
        assert_eq!(backoff_ms(1000, 40), MAX_BACKOFF_MS);
    }
}
