//! What every operation is given: the time, the request id, limits and an id generator
//! ([`OpCtx`]), plus the small helpers the three surfaces share (paging, rate windows).
//! The accounts themselves are in `accounts`.

use crate::config::{Limits, Timings};
use crate::prng::SplitMix64;
use std::collections::VecDeque;

/// What an operation is given: the current time, the request id, settings and ids.
pub struct OpCtx<'a> {
    pub now: u64,
    pub request_id: &'a str,
    pub timings: &'a Timings,
    pub limits: &'a Limits,
    pub rng: &'a mut SplitMix64,
}

/// A sliding one-second window of admitted calls, measured on the injected clock.
#[derive(Debug, Clone, Default)]
pub struct RateWindow(VecDeque<u64>);

impl RateWindow {
    /// True (and counted) when fewer than `per_sec` calls were admitted in the last second.
    pub fn admit(&mut self, now: u64, per_sec: usize) -> bool {
        while self.0.front().is_some_and(|&t| t + 1000 <= now) {
            self.0.pop_front();
        }
        if self.0.len() >= per_sec {
            return false;
        }
        self.0.push_back(now);
        true
    }
}

/// `items[offset..offset+limit]`, clamped.
pub fn page<T>(items: &[T], offset: usize, limit: usize) -> &[T] {
    let start = offset.min(items.len());
    let end = start.saturating_add(limit).min(items.len());
    &items[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_window_admits_n_per_second() {
        let mut w = RateWindow::default();
        for i in 0..20 {
            assert!(w.admit(1000 + i, 20));
        }
        assert!(!w.admit(1500, 20));
        // The first call leaves the window one second after it was made.
        assert!(!w.admit(1999, 20));
        assert!(w.admit(2000, 20));
    }

    #[test]
    fn page_clamps() {
        let v = [1, 2, 3];
        assert_eq!(page(&v, 1, 5), &[2, 3]);
        assert!(page(&v, 9, 5).is_empty());
        assert_eq!(page(&v, 0, usize::MAX), &[1, 2, 3]);
    }
}
