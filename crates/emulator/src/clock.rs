//! Time for the emulator: an injected clock, so that every simulated duration and the
//! rate limits are driven by tests without sleeping, plus the few date formats the
//! three APIs use.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Where the emulator reads "now" from: milliseconds since the Unix epoch.
pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> u64;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    pub fn new(start_ms: u64) -> ManualClock {
        ManualClock(Arc::new(AtomicU64::new(start_ms)))
    }
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
    pub fn set_ms(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

// Calendar arithmetic is the cloud crate's (the signers need the same formats).
use rewind_cloud::sign::time;

/// `2024-05-01T08:30:00Z`: Tencent's and Alibaba's timestamps.
pub fn iso8601(ms: u64) -> String {
    time::format_iso8601((ms / 1000) as i64)
}

/// `2024-05-01T08:30:00.000Z`: Huawei's timestamps.
pub fn iso8601_millis(ms: u64) -> String {
    let c = time::to_civil((ms / 1000) as i64);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        ms % 1000
    )
}

/// Milliseconds of a UTC calendar date and time.
pub fn utc_ms(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> u64 {
    let days = time::days_from_civil(y, mo, d);
    ((days * 86_400 + i64::from(h * 3600 + mi * 60 + s)).max(0) as u64) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_dates_of_both_kinds() {
        let ms = utc_ms(2024, 2, 29, 23, 59, 58) + 123;
        assert_eq!(iso8601(ms), "2024-02-29T23:59:58Z");
        assert_eq!(iso8601_millis(ms), "2024-02-29T23:59:58.123Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(1000);
        let c2 = c.clone();
        c.advance(Duration::from_millis(1500));
        assert_eq!(c2.now_ms(), 2500);
    }
}
