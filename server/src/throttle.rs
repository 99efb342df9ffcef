//! Password guessing is slowed down per username and per client address:
//! a few failures are free, then each further one doubles the wait before
//! the next attempt is even checked (up to [`MAX_LOCKOUT`]). A success
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

    /// `Err(wait)` if an attempt for `username` from `address` must wait.
    pub fn check(&self, username: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        let wait = LoginThrottle::keys(username, address)
            .iter()
            .filter_map(|key| {
                let record = records.get(key)?;
                let until = record.last + record.lockout(key.free());
                (until > now).then(|| until - now)
            })
            .max();
        match wait {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub fn failed(&self, username: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if records.len() >= MAX_ENTRIES {
            records.retain(|_, r| now - r.last < FORGET_AFTER);
            if records.len() >= MAX_ENTRIES {
                // Still full: forget the half that failed longest ago.
                let mut ages: Vec<Instant> = records.values().map(|r| r.last).collect();
                let (_, median, _) = ages.select_nth_unstable(records.len() / 2);
                let median = *median;
                records.retain(|_, r| r.last > median);
            }
        }
        for key in LoginThrottle::keys(username, address) {
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
    }

    /// A successful login clears the username's failures (not the
    /// address's: one right guess must not reset a spray across accounts).
    pub fn succeeded(&self, username: &str) {
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        records.remove(&Key::Username(herald::normalise_username(username)));
    }

    /// Drops entries quiet for an hour (run by the purge job).
    pub fn forget_stale(&self) {
        let now = Instant::now();
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        records.retain(|_, r| now - r.last < FORGET_AFTER);
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
            assert_eq!(throttle.check("alice", ip("10.0.0.1")), Ok(()));
            throttle.failed("Alice", ip("10.0.0.1"));
        }
        let first = throttle.check("ALICE", ip("10.0.0.2")).unwrap_err();
        assert!(first <= Duration::from_secs(1) && first > Duration::ZERO);
        throttle.failed("alice", ip("10.0.0.2"));
        let second = throttle.check("alice", None).unwrap_err();
        assert!(second > Duration::from_secs(1), "{second:?}");
        assert_eq!(
            throttle.check("bob", ip("10.0.0.3")),
            Ok(()),
            "other users unaffected"
        );
        throttle.succeeded("alice");
        assert_eq!(throttle.check("alice", ip("10.0.0.3")), Ok(()));
    }

    #[test]
    fn one_address_spraying_many_usernames_is_slowed_down() {
        let throttle = LoginThrottle::default();
        for n in 0..FREE_PER_ADDRESS {
            throttle.failed(&format!("user{n}"), ip("10.0.0.9"));
        }
        assert!(throttle.check("someone", ip("10.0.0.9")).is_err());
        assert_eq!(throttle.check("someone", ip("10.0.0.8")), Ok(()));
        // A success on one account does not clear the address.
        throttle.succeeded("user1");
        assert!(throttle.check("someone", ip("10.0.0.9")).is_err());
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
