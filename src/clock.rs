//! Time for the drivers: the wall clock in milliseconds, a sleep that does not block the
//! page, "1 min 05 s", and a moment in the user's time zone with the zone shown.

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// Sleeps without blocking the page (a `setTimeout` promise).
pub async fn sleep_ms(ms: u64) {
    let ms = ms.min(i32::MAX as u64) as i32;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// "1 min 05 s" / "42 s".
pub fn elapsed(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

/// The browser's offset from UTC at `unix_ms`, in minutes east (UTC+8 is 480): the
/// negated `getTimezoneOffset`, taken at that moment so summer time is right.
pub fn utc_offset_min(unix_ms: u64) -> i32 {
    let date = js_sys::Date::new(&(unix_ms as f64).into());
    -(date.get_timezone_offset() as i32)
}

/// `2026-12-03 14:05 UTC+08:00`: `unix_ms` at `utc_offset_min` minutes east of UTC, to
/// the minute, with the zone (`UTC+00:00` for UTC, `UTC-05:00` west of it).
pub fn local_time(unix_ms: u64, utc_offset_min: i32) -> String {
    let offset = i64::from(utc_offset_min.clamp(-18 * 60, 18 * 60));
    let local = (unix_ms / 1000) as i64 + offset * 60;
    let c = rewind_cloud::sign::time::to_civil(local.max(0));
    let sign = if offset < 0 { '-' } else { '+' };
    let (h, m) = (offset.abs() / 60, offset.abs() % 60);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC{sign}{h:02}:{m:02}",
        c.year, c.month, c.day, c.hour, c.minute
    )
}

/// `2026-12-03T06:05:00Z`: `unix_ms` in UTC, for a `<time datetime>` attribute.
pub fn iso_utc(unix_ms: u64) -> String {
    rewind_cloud::sign::time::format_iso8601((unix_ms / 1000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_reads_well() {
        assert_eq!(elapsed(42_300), "42 s");
        assert_eq!(elapsed(65_000), "1 min 05 s");
    }

    #[test]
    fn local_time_shows_the_zone() {
        let t = 1_796_277_900_000; // 2026-12-03T06:05:00Z
        assert_eq!(local_time(t, 480), "2026-12-03 14:05 UTC+08:00");
        assert_eq!(local_time(t, 0), "2026-12-03 06:05 UTC+00:00");
        assert_eq!(local_time(t, -300), "2026-12-03 01:05 UTC-05:00");
        assert_eq!(local_time(t, 330), "2026-12-03 11:35 UTC+05:30");
        // Across midnight and the year's end.
        assert_eq!(local_time(t, -420), "2026-12-02 23:05 UTC-07:00");
        assert_eq!(
            local_time(1_798_761_600_000 - 60_000, 60),
            "2027-01-01 00:59 UTC+01:00"
        );
        // Seconds are dropped, not rounded.
        assert_eq!(local_time(t + 59_999, 0), "2026-12-03 06:05 UTC+00:00");
        assert_eq!(iso_utc(t + 999), "2026-12-03T06:05:00Z");
    }
}
