//! Time for the drivers: the wall clock in milliseconds, a sleep that does not block the
//! page, "1 min 05 s", a moment in the user's time zone with the zone shown, how long
//! ago it was, and the clouds' own ways of writing a moment read back.

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

/// A cloud's timestamp in Unix milliseconds: `2026-09-03T16:00:48Z` (Lighthouse),
/// `2026-09-03T16:00Z` (ECS, to the minute), `2026-09-03T16:00:48.487Z` (Workspace),
/// and the same with an offset (`+08:00`) or none (read as UTC). `None` for anything
/// else, which is then shown as the cloud wrote it.
pub fn parse_cloud_time(s: &str) -> Option<u64> {
    let s = s.trim();
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-');
    let (y, mo, da) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || y.len() != 4 || mo.len() != 2 || da.len() != 2 {
        return None;
    }
    // The zone: `Z`, `±HH:MM`, or nothing.
    let (clock, offset_min) = if let Some(c) = rest.strip_suffix('Z') {
        (c, 0i64)
    } else if let Some(at) = rest.rfind(['+', '-']) {
        let (c, z) = rest.split_at(at);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (h, m) = z[1..].split_once(':')?;
        (c, sign * (num(h)? * 60 + num(m)?))
    } else {
        (rest, 0)
    };
    let clock = clock.split('.').next()?;
    let mut t = clock.split(':');
    let (h, mi) = (num(t.next()?)?, num(t.next()?)?);
    let sec = match t.next() {
        Some(x) => num(x)?,
        None => 0,
    };
    let (mo, da) = (num(mo)?, num(da)?);
    if t.next().is_some()
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&da)
        || h > 23
        || mi > 59
        || sec > 60
    {
        return None;
    }
    let days = rewind_cloud::sign::time::days_from_civil(num(y)?, mo as u32, da as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    u64::try_from(secs).ok().map(|s| s * 1000)
}

fn num(s: &str) -> Option<i64> {
    (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// How long before `now_ms` the moment `then_ms` was: "3 hours ago" / "3 小时前",
/// in whole units (minutes, hours, days, months of 30 days, years of 365), "just now"
/// under a minute (and for a moment ahead of this browser's clock).
pub fn age(now_ms: u64, then_ms: u64, lang: rewind_cloud::Lang) -> String {
    use rewind_cloud::Lang;
    let s = now_ms.saturating_sub(then_ms) / 1000;
    let (n, en, zh) = match s {
        0..60 => {
            return match lang {
                Lang::En => "just now".into(),
                Lang::Zh => "刚刚".into(),
            };
        }
        60..3600 => (s / 60, "minute", "分钟"),
        3600..86_400 => (s / 3600, "hour", "小时"),
        86_400..5_184_000 => (s / 86_400, "day", "天"),
        5_184_000..63_072_000 => (s / 2_592_000, "month", "个月"),
        _ => (s / 31_536_000, "year", "年"),
    };
    match lang {
        Lang::En if n == 1 => format!("1 {en} ago"),
        Lang::En => format!("{n} {en}s ago"),
        Lang::Zh => format!("{n} {zh}前"),
    }
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
    fn reads_each_clouds_timestamps() {
        let t = 1_796_277_900_000; // 2026-12-03T06:05:00Z
        assert_eq!(parse_cloud_time("2026-12-03T06:05:00Z"), Some(t));
        assert_eq!(parse_cloud_time("2026-12-03T06:05Z"), Some(t));
        assert_eq!(parse_cloud_time("2026-12-03T06:05:00.487Z"), Some(t));
        assert_eq!(parse_cloud_time("2026-12-03T14:05:00+08:00"), Some(t));
        assert_eq!(parse_cloud_time("2026-12-03T01:05:00-05:00"), Some(t));
        assert_eq!(parse_cloud_time("2026-12-03T06:05:00"), Some(t));
        for bad in [
            "",
            "2026-12-03",
            "yesterday",
            "2026-13-03T06:05Z",
            "2026-12-03T25:05Z",
            "2026-12-03T06:05:00+0800",
        ] {
            assert_eq!(parse_cloud_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn ages_read_in_both_languages() {
        use rewind_cloud::Lang;
        let now = 1_796_277_900_000;
        let ago = |s: u64, l| age(now, now - s * 1000, l);
        assert_eq!(ago(5, Lang::En), "just now");
        assert_eq!(ago(5, Lang::Zh), "刚刚");
        assert_eq!(age(now, now + 90_000, Lang::En), "just now");
        assert_eq!(ago(60, Lang::En), "1 minute ago");
        assert_eq!(ago(3 * 3600 + 59, Lang::En), "3 hours ago");
        assert_eq!(ago(3 * 3600, Lang::Zh), "3 小时前");
        assert_eq!(ago(86_400, Lang::En), "1 day ago");
        assert_eq!(ago(59 * 86_400, Lang::Zh), "59 天前");
        assert_eq!(ago(90 * 86_400, Lang::En), "3 months ago");
        assert_eq!(ago(800 * 86_400, Lang::Zh), "2 年前");
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
