//! UTC calendar conversions for the date formats the signers put on the wire.
//!
//! Howard Hinnant's `civil_from_days`/`days_from_civil`; no time zones, no leap seconds
//! (Unix time has none), so this is all the date handling signing needs.

/// Earliest and latest supported times: years 1970–9999, which keeps every format
/// at four-digit years.
pub const MIN_TIME: i64 = 0;
pub const MAX_TIME: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

pub fn in_range(t: i64) -> bool {
    (MIN_TIME..=MAX_TIME).contains(&t)
}

/// A broken-down UTC time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Days since 1970-01-01 → (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn to_civil(t: i64) -> Civil {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: (secs / 3600) as u32,
        minute: (secs % 3600 / 60) as u32,
        second: (secs % 60) as u32,
    }
}

fn from_civil(c: Civil) -> Option<i64> {
    let days_in_month = match c.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if c.day == 0 || c.day > days_in_month || c.hour > 23 || c.minute > 59 || c.second > 59 {
        return None;
    }
    let t = days_from_civil(c.year, c.month, c.day) * 86_400
        + i64::from(c.hour) * 3600
        + i64::from(c.minute) * 60
        + i64::from(c.second);
    in_range(t).then_some(t)
}

/// `YYYY-MM-DD` (TC3 credential scope).
pub fn format_date(t: i64) -> String {
    let c = to_civil(t);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// `YYYY-MM-DDTHH:MM:SSZ` (ACS3 `x-acs-date`, v1 `Timestamp`).
pub fn format_iso8601(t: i64) -> String {
    let c = to_civil(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `YYYYMMDDTHHMMSSZ` (Huawei `X-Sdk-Date`).
pub fn format_compact(t: i64) -> String {
    let c = to_civil(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    from_civil(Civil {
        year: i64::from(digits(s.get(0..4)?)?),
        month: digits(s.get(5..7)?)?,
        day: digits(s.get(8..10)?)?,
        hour: digits(s.get(11..13)?)?,
        minute: digits(s.get(14..16)?)?,
        second: digits(s.get(17..19)?)?,
    })
}

/// Parses `YYYYMMDDTHHMMSSZ`.
pub fn parse_compact(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    from_civil(Civil {
        year: i64::from(digits(s.get(0..4)?)?),
        month: digits(s.get(4..6)?)?,
        day: digits(s.get(6..8)?)?,
        hour: digits(s.get(9..11)?)?,
        minute: digits(s.get(11..13)?)?,
        second: digits(s.get(13..15)?)?,
    })
}

/// Parses decimal Unix seconds (TC3 `X-TC-Timestamp`).
pub fn parse_unix(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = s.parse().ok()?;
    in_range(v).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(format_iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_iso8601(1_551_113_065), "2019-02-25T16:44:25Z");
        assert_eq!(format_date(1_551_113_065), "2019-02-25");
        assert_eq!(format_compact(951_782_400), "20000229T000000Z");
        assert_eq!(format_iso8601(MAX_TIME), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn parse_rejects_garbage() {
        assert_eq!(parse_iso8601("2019-02-30T00:00:00Z"), None);
        assert_eq!(parse_iso8601("2019-02-25 16:44:25Z"), None);
        assert_eq!(parse_iso8601("2019-02-25T16:44:2xZ"), None);
        assert_eq!(parse_compact("20190225T164425"), None);
        assert_eq!(parse_compact("2019022ET164425Z"), None);
        assert_eq!(parse_unix("-5"), None);
        assert_eq!(parse_unix("12a"), None);
        assert_eq!(parse_unix("1551113065"), Some(1_551_113_065));
    }

    proptest! {
        #[test]
        fn formats_round_trip(t in MIN_TIME..=MAX_TIME) {
            prop_assert_eq!(parse_iso8601(&format_iso8601(t)), Some(t));
            prop_assert_eq!(parse_compact(&format_compact(t)), Some(t));
            prop_assert_eq!(parse_unix(&t.to_string()), Some(t));
        }
    }
}
