//! Password guessing is slowed down per username and per client address:
//! a few failures are free, then each further one doubles the wait before
//! the next attempt is even checked (up to [`MAX_LOCKOUT`]). Each attempt
//! is counted before its password is checked, so parallel guesses get no
//! more than sequential ones. A success
//! clears the username's record. Entries are forgotten after an hour of
//! quiet, and the table is capped, so an attacker cannot grow it without
//! bound.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per username before attempts are slowed down.
pub const FREE_PER_USERNAME: u32 = 5;
/// Failures allowed per client address (across usernames): enough for a
/// household or an office behind one address.
pub const FREE_PER_ADDRESS: u32 = 20;
/// The longest wait between attempts.
pub const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Quiet time after which an entry is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// The most entries kept; past it, the stalest are dropped first.
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Username(String),
    Address(IpAddr),
}

#[derive(Clone, Copy)]
struct Record {
    failures: u32,
    last: Instant,
}

/// Failed logins by username and by client address.
#[derive(Default)]
pub struct LoginThrottle {
    records: Mutex<HashMap<Key, Record>>,
}

impl Key {
    fn free(&self) -> u32 {
        match self {
            Key::Username(_) => FREE_PER_USERNAME,
            Key::Address(_) => FREE_PER_ADDRESS,
        }
    }
}

impl Record {
    /// How long after the last failure the next attempt is allowed.
    fn lockout(&self, free: u32) -> Duration {
        match self.failures.checked_sub(free) {
            None => Duration::ZERO,
            Some(over) => Duration::from_secs(1 << over.min(20)).min(MAX_LOCKOUT),
        }
    }
}

impl LoginThrottle {
    fn keys(username: &str, address: Option<IpAddr>) -> Vec<Key> {
        let mut keys = vec![Key::Username(herald::normalise_username(username))];
        keys.extend(address.map(Key::Address));
        keys
    }

    /// Takes one attempt for `username` from `address`, or `Err(wait)` if
    /// it must wait. The attempt is counted as failed before its password
    /// is checked, in the same lock as the check, so guesses sent at once
    /// cannot all pass the check before any is counted: at most the free
    /// number is ever evaluated. [`LoginThrottle::succeeded`] and
    /// [`LoginThrottle::refund`] give it back.
    pub fn reserve(&self, username: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        let keys = LoginThrottle::keys(username, address);
        let wait = keys
            .iter()
            .filter_map(|key| {
                let record = records.get(key)?;
                if now - record.last >= FORGET_AFTER {
                    return None;
                }
                let until = record.last + record.lockout(key.free());
                (until > now).then(|| until - now)
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        if records.len() >= MAX_ENTRIES {
            make_room(&mut records, now);
        }
        for key in keys {
            let record = records.entry(key).or_insert(Record {
                failures: 0,
                last: now,
            });
            if now - record.last >= FORGET_AFTER {
                record.failures = 0;
            }
            record.failures = record.failures.saturating_add(1);
            record.last = now;
        }
        Ok(())
    }

    /// The reserved attempt was right: the username's failures are cleared
    /// and the address gets its attempt back (not its earlier failures:
    /// one right guess must not reset a spray across accounts).
    pub fn succeeded(&self, username: &str, address: Option<IpAddr>) {
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        records.remove(&Key::Username(herald::normalise_username(username)));
        if let Some(record) = address.and_then(|a| records.get_mut(&Key::Address(a))) {
            record.failures = record.failures.saturating_sub(1);
        }
    }

    /// The reserved attempt was never judged (Herald failed, not the
    /// guess): both keys get it back.
    pub fn refund(&self, username: &str, address: Option<IpAddr>) {
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        for key in LoginThrottle::keys(username, address) {
            if let Some(record) = records.get_mut(&key) {
                record.failures = record.failures.saturating_sub(1);
            }
        }
    }

    /// Drops entries quiet for an hour (run by the purge job).
    pub fn forget_stale(&self) {
        let now = Instant::now();
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        records.retain(|_, r| now - r.last < FORGET_AFTER);
    }
}

/// A full table: forget entries quiet for an hour, and if still full,
/// the half that failed longest ago.
fn make_room(records: &mut HashMap<Key, Record>, now: Instant) {
    records.retain(|_, r| now - r.last < FORGET_AFTER);
    if records.len() >= MAX_ENTRIES {
        let mut ages: Vec<Instant> = records.values().map(|r| r.last).collect();
        let (_, median, _) = ages.select_nth_unstable(records.len() / 2);
        let median = *median;
        records.retain(|_, r| r.last > median);
    }
}

/// Turning push on, per user: each time may store a device, so a few at
/// once, then one a minute.
pub struct PushLimiter(pub(crate) governor::DefaultKeyedRateLimiter<herald::UserId>);

impl Default for PushLimiter {
    fn default() -> PushLimiter {
        use std::num::NonZeroU32;
        let quota = governor::Quota::per_minute(NonZeroU32::new(1).expect("non-zero"))
            .allow_burst(NonZeroU32::new(10).expect("non-zero"));
        PushLimiter(governor::RateLimiter::keyed(quota))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_few_failures_are_free_then_each_one_doubles_the_wait() {
        let throttle = LoginThrottle::default();
        for _ in 0..FREE_PER_USERNAME {
            assert_eq!(throttle.reserve("Alice", ip("10.0.0.1")), Ok(()));
        }
        let first = throttle.reserve("ALICE", ip("10.0.0.2")).unwrap_err();
        assert!(first <= Duration::from_secs(1) && first > Duration::ZERO);
        assert_eq!(
            throttle.reserve("bob", ip("10.0.0.3")),
            Ok(()),
            "other users unaffected"
        );
        throttle.succeeded("alice", ip("10.0.0.3"));
        assert_eq!(throttle.reserve("alice", ip("10.0.0.3")), Ok(()));
    }

    #[test]
    fn attempts_at_once_are_counted_before_any_is_judged() {
        let throttle = std::sync::Arc::new(LoginThrottle::default());
        let taken: u32 = (0..30)
            .map(|_| {
                let throttle = std::sync::Arc::clone(&throttle);
                std::thread::spawn(move || throttle.reserve("carol", ip("10.0.0.4")).is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| u32::from(t.join().unwrap()))
            .sum();
        assert_eq!(taken, FREE_PER_USERNAME);
    }

    #[test]
    fn a_refunded_attempt_is_not_counted() {
        let throttle = LoginThrottle::default();
        for _ in 0..FREE_PER_USERNAME * 3 {
            assert_eq!(throttle.reserve("dave", ip("10.0.0.5")), Ok(()));
            throttle.refund("dave", ip("10.0.0.5"));
        }
    }

    #[test]
    fn one_address_spraying_many_usernames_is_slowed_down() {
        let throttle = LoginThrottle::default();
        for n in 0..FREE_PER_ADDRESS {
            assert_eq!(
                throttle.reserve(&format!("user{n}"), ip("10.0.0.9")),
                Ok(())
            );
        }
        assert!(throttle.reserve("someone", ip("10.0.0.9")).is_err());
        assert_eq!(throttle.reserve("someone", ip("10.0.0.8")), Ok(()));
        // A success on one account does not clear the address.
        throttle.succeeded("user1", ip("10.0.0.9"));
        assert_eq!(throttle.reserve("user1", ip("10.0.0.9")), Ok(()));
        assert!(throttle.reserve("someone", ip("10.0.0.9")).is_err());
    }

    #[test]
    fn the_wait_is_capped() {
        let record = Record {
            failures: 1_000,
            last: Instant::now(),
        };
        assert_eq!(record.lockout(FREE_PER_USERNAME), MAX_LOCKOUT);
    }
}
