//! The webhook job: POSTs the deliveries that clicked actions stored
//! (`Store::interact`), signed, until each answers 2xx. A failure is tried
//! again after `HERALD_WEBHOOK_RETRY_MS`, doubling each time up to an
//! hour, at most `MAX_ATTEMPTS` times. Deliveries live in the database, so
//! they survive restarts, and an attempt is claimed before it is made, so
//! instances on one database never POST the same attempt twice.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::store::{Delivery, MAX_ATTEMPTS, Store, now_ms};

/// How long one attempt may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between attempts.
const MAX_BACKOFF_MS: u64 = 3_600_000;
/// How often due deliveries are looked for when nothing wakes the job.
const EVERY: Duration = Duration::from_secs(1);

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

/// The wait before attempt `attempts + 1`, after `attempts` failures.
pub fn backoff_ms(first_ms: u64, attempts: i64) -> u64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    first_ms
        .max(1)
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF_MS)
}

/// Starts the job (only when a signing secret is set: without one no
/// webhook action is accepted). `wake` makes it look at once.
pub fn spawn(
    store: Store,
    secret: String,
    first_retry_ms: u64,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(client) => client,
            Err(error) => {
                tracing::error!(%error, "cannot start the webhook client");
                return;
            }
        };
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(EVERY) => {}
            }
            let due = match store.due_webhooks(now_ms(), 50).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::warn!(%error, "cannot read due webhooks; trying again");
                    continue;
                }
            };
            for delivery in due {
                attempt(&store, &client, secret.as_bytes(), first_retry_ms, delivery).await;
            }
        }
    });
}

async fn attempt(
    store: &Store,
    client: &reqwest::Client,
    secret: &[u8],
    first_retry_ms: u64,
    delivery: Delivery,
) {
    let now = now_ms();
    // Held past the attempt's timeout, so no other instance takes it meanwhile.
    let held = now + TIMEOUT.as_millis() as i64 * 2;
    match store.claim_webhook(delivery.id, now, held).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(%error, "cannot claim a webhook");
            return;
        }
    }
    let attempts = delivery.attempts + 1;
    let t = now / 1000;
    let status = client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("herald-signature", signature(secret, t, &delivery.body))
        .header("herald-delivery", delivery.id.to_string())
        .body(delivery.body.clone())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    let retry_at = (!(200..300).contains(&status) && attempts < MAX_ATTEMPTS)
        .then(|| now_ms() + backoff_ms(first_retry_ms, attempts) as i64);
    if !(200..300).contains(&status) {
        tracing::warn!(
            delivery = delivery.id,
            status,
            attempts,
            "webhook not accepted"
        );
    }
    if let Err(error) = store.webhook_attempted(delivery.id, status, retry_at).await {
        tracing::warn!(%error, "cannot record a webhook attempt");
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
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1000, 1), 1000);
        assert_eq!(backoff_ms(1000, 2), 2000);
        assert_eq!(backoff_ms(1000, 4), 8000);
        assert_eq!(backoff_ms(1000, 40), MAX_BACKOFF_MS);
    }
}
