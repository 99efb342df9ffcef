//! Password hashing: argon2id, at most one hash per core at a time. Each
//! hash takes tens of milliseconds and ~19 MiB; a burst of logins would
//! otherwise fill the blocking pool, use gigabytes and starve every other
//! request. A caller that cannot get a turn within [`WAIT`] is told to come
//! back later (503) instead of queueing without bound.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use thiserror::Error;
use tokio::sync::Semaphore;

/// How long a login waits for a free hashing slot before it gets 503.
pub const WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Error)]
pub enum PasswordError {
    /// Every slot stayed busy for [`WAIT`].
    #[error("too many password checks at once")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Hashes and checks passwords, a bounded number at a time.
#[derive(Clone)]
pub struct Passwords {
    slots: Arc<Semaphore>,
}

impl Passwords {
    /// At most `concurrent` hashes at once (at least one).
    pub fn new(concurrent: usize) -> Passwords {
        Passwords {
            slots: Arc::new(Semaphore::new(concurrent.max(1))),
        }
    }

    /// One slot per core.
    pub fn per_core() -> Passwords {
        Passwords::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let slot = tokio::time::timeout(WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| PasswordError::Busy)?
            .map_err(|e| PasswordError::Failed(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        })
        .await
        .map_err(|e| PasswordError::Failed(e.to_string()))
    }

    /// An argon2id PHC string for `password`, with a random salt.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        self.run(move || hash_password(&password))
            .await?
            .map_err(|e| PasswordError::Failed(e.to_string()))
    }

    /// Whether `password` matches `hash`. With no usable hash (unknown user,
    /// or one who cannot log in with a password) it checks a dummy instead,
    /// so every failed login costs the same and timing tells nothing.
    pub async fn verify(
        &self,
        hash: Option<String>,
        password: String,
    ) -> Result<bool, PasswordError> {
        self.run(move || verify_password(hash.as_deref(), &password))
            .await
    }
}

/// Hashes a password with argon2id and a random salt (CPU-heavy: blocking).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks `password` against `hash`; anything but a valid argon2 hash is
/// checked against a dummy, with the same cost, and fails.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    let stored = hash.and_then(|h| PasswordHash::new(h).ok());
    let usable = stored.is_some();
    let Some(parsed) = stored.or_else(|| PasswordHash::new(dummy).ok()) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && usable
}

impl From<PasswordError> for app::error::AppError {
    fn from(error: PasswordError) -> app::error::AppError {
        match error {
            PasswordError::Busy => app::error::AppError::Busy,
            other => app::backend::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(Some(&hash), "correct horse"));
        assert!(!verify_password(Some(&hash), "wrong"));
        assert!(!verify_password(None, "not a real password"));
        assert!(!verify_password(Some("!"), "not a real password"));
    }

    #[test]
    fn a_user_without_a_usable_hash_costs_a_full_hash() {
        let _ = verify_password(None, "warm up");
        let hash = hash_password("correct horse").unwrap();
        let time = |stored: Option<&str>| {
            let start = Instant::now();
            assert!(!verify_password(stored, "guess"));
            start.elapsed()
        };
        let real = time(Some(&hash));
        let external = time(Some("!"));
        // Both run one argon2id verification; a shortcut would be ~1000x faster.
        assert!(
            external * 20 > real,
            "external {external:?} vs real {real:?}"
        );
    }

    #[tokio::test]
    async fn a_caller_who_gets_no_slot_in_time_is_told_busy() {
        let passwords = Passwords::new(1);
        let held = passwords.slots.clone().acquire_owned().await.unwrap();
        let busy = passwords.verify(None, "x".into()).await;
        assert!(matches!(busy, Err(PasswordError::Busy)));
        drop(held);
        assert!(!passwords.verify(None, "x".into()).await.unwrap());
    }
}
