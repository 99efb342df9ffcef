//! Answers the database gave a moment ago, reused for at most [`RECHECK`].
//! An API key is checked on every request and a user's pass on every page
//! and connection; at thousands a second a round trip each was a large part
//! of the cost. This instance forgets every answer the moment it revokes a
//! key or changes a user's standing (`Store::forget_checks`); a change made
//! on another instance is seen here within `RECHECK`.

use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hashlink::LruCache;

/// How long a checked answer is reused: the bound on how late another
/// instance refuses a revoked key, a deactivated user or a changed password.
pub const RECHECK: Duration = Duration::from_secs(1);

/// Recently checked answers, at most `capacity` of them.
pub(super) struct Recent<K: Hash + Eq, V> {
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K: Hash + Eq, V> {
    entries: LruCache<K, (V, Instant)>,
    /// Counts forgettings: an answer read before one is never kept after it.
    generation: u64,
}

impl<K: Hash + Eq, V: Clone> Recent<K, V> {
    pub fn new(capacity: usize) -> Recent<K, V> {
        Recent {
            inner: Mutex::new(Inner {
                entries: LruCache::new(capacity),
                generation: 0,
            }),
        }
    }

    /// Call before reading the database; pass to [`Recent::keep`].
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// The answer for `key` if it was checked less than `RECHECK` ago.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut inner = self.lock();
        match inner.entries.get(key) {
            Some((value, at)) if at.elapsed() < RECHECK => Some(value.clone()),
            Some(_) => {
                inner.entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps `value`, read from the database since `generation`, unless
    /// something was forgotten meanwhile (the read may predate that change).
    pub fn keep(&self, generation: u64, key: K, value: V) {
        let mut inner = self.lock();
        if inner.generation == generation {
            inner.entries.insert(key, (value, Instant::now()));
        }
    }

    /// Changes every kept answer `change` applies to, keeping its age.
    pub fn update(&self, mut change: impl FnMut(&mut V)) {
        for (_, (value, _)) in self.lock().entries.iter_mut() {
            change(value);
        }
    }

    /// Forgets every answer, and any read now under way.
    pub fn forget(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.generation += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // A panic while holding this lock leaves nothing half-done.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_read_before_a_forgetting_is_not_kept() {
        let recent = Recent::new(4);
        let before = recent.generation();
        recent.forget();
        recent.keep(before, 1, "stale");
        assert_eq!(recent.get(&1), None);
        let now = recent.generation();
        recent.keep(now, 1, "fresh");
        assert_eq!(recent.get(&1), Some("fresh"));
        recent.forget();
        assert_eq!(recent.get(&1), None, "forgotten at once");
    }

    #[test]
    fn an_answer_is_reused_for_recheck_and_no_longer() {
        let recent = Recent::new(4);
        recent.keep(0, 1, 7);
        assert_eq!(recent.get(&1), Some(7));
        // Age the entry past RECHECK without waiting.
        let mut inner = recent.lock();
        let kept = &mut inner.entries.get_mut(&1).unwrap().1;
        *kept = kept.checked_sub(RECHECK).unwrap();
        drop(inner);
        assert_eq!(recent.get(&1), None);
    }
}
