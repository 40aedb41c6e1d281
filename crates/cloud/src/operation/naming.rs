//! Names of the snapshots an operation takes: the safety snapshot named when the plan is
//! made (the target's name and the planner's local time and zone, within each cloud's
//! rules), and the fallbacks derived from the operation id.

use super::SafetySnapshot;
use crate::provider::Provider;

/// A short, name-safe form of the operation id for snapshot names: itself when it is
/// at most 24 letters, digits, `-`, `_` or `.`, else 16 hex characters of its hash.
pub(crate) fn short_id(op_id: &str) -> String {
    let plain = (1..=24).contains(&op_id.len())
        && op_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        op_id.to_string()
    } else {
        crate::sign::sha256_hex(op_id.as_bytes())[..16].to_string()
    }
}

/// The default name of the safety snapshot of operation `op_id`, when the plan gave
/// none (see [`SafetySnapshot::named`] for the name a plan normally carries).
pub(crate) fn safety_name(op_id: &str, what: &str) -> String {
    format!("{SAFETY_NAME_PREFIX}{what}-{}", short_id(op_id))
}

/// Every safety snapshot's name starts with this, whoever named it (the batch never
/// picks such a snapshot by default).
pub const SAFETY_NAME_PREFIX: &str = "rewind-before-";

/// When a plan is made, by the clock of whoever makes it: the console passes the
/// browser's time and zone, the server UTC (`utc_offset_min: 0`, written `Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedAt {
    pub unix_ms: u64,
    /// Minutes east of UTC (UTC+8 is 480; JavaScript's `getTimezoneOffset` is its negation).
    pub utc_offset_min: i32,
}

impl PlannedAt {
    /// `2026-12-03T14.05+0800`: local time to the minute (`.` for `:`, which Lighthouse
    /// names may hold but reads badly in a list) and the zone. ECS snapshot names may not
    /// hold `+` (letters, digits, `:`, `_`, `-`, `.` only), so east of UTC is written
    /// `UTC0800` there; west is `-0500` on both, UTC itself `Z`.
    fn stamp(&self, provider: Provider) -> String {
        let offset = i64::from(self.utc_offset_min.clamp(-18 * 60, 18 * 60));
        let local = (self.unix_ms / 1000) as i64 + offset * 60;
        let c = crate::sign::time::to_civil(local.max(0));
        let (h, m) = (offset.abs() / 60, offset.abs() % 60);
        let zone = match (offset, provider) {
            (0, _) => "Z".to_string(),
            (o, _) if o < 0 => format!("-{h:02}{m:02}"),
            (_, Provider::Alibaba) => format!("UTC{h:02}{m:02}"),
            _ => format!("+{h:02}{m:02}"),
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}.{:02}{zone}",
            c.year, c.month, c.day, c.hour, c.minute
        )
    }
}

/// The longest snapshot name each cloud takes: Lighthouse `SnapshotName` ≤ 60
/// characters, ECS 2–128 (Workspace takes no safety snapshot).
fn snapshot_name_max(provider: Provider) -> usize {
    match provider {
        Provider::Tencent => crate::limits::LIGHTHOUSE_SNAPSHOT_NAME_MAX,
        _ => 128,
    }
}

/// `name` reduced to what every cloud's snapshot names allow: letters (any script),
/// digits, `-`, `_` and `.`, anything else becoming one `-`, at most `max` characters.
fn name_part(name: &str, max: usize) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = if c.is_alphanumeric() || matches!(c, '_' | '.') {
            c
        } else {
            '-'
        };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    let cut: String = out.chars().take(max).collect();
    cut.trim_end_matches(['-', '_', '.']).to_string()
}

impl SafetySnapshot {
    /// The safety snapshot of a rollback of `target` (the Lighthouse instance's or the
    /// ECS disk's name, else its ID), named when the plan is made:
    /// `rewind-before-rollback-web-1-2026-12-03T14.05+0800` (Lighthouse),
    /// `rewind-before-reset-data-disk-2026-12-03T14.05UTC0800` (ECS). The target's part
    /// is shortened so the whole stays within the cloud's length limit; the name starts
    /// with a letter and never with `http`, `aliyun` or `auto`, as ECS requires.
    pub fn named(provider: Provider, target: &str, at: PlannedAt) -> SafetySnapshot {
        let what = match provider {
            Provider::Alibaba => "reset",
            _ => "rollback",
        };
        let head = format!("{SAFETY_NAME_PREFIX}{what}-");
        let stamp = at.stamp(provider);
        let room = snapshot_name_max(provider)
            .saturating_sub(head.chars().count() + stamp.chars().count() + 1);
        let part = name_part(target, room);
        let name = if part.is_empty() {
            format!("{head}{stamp}")
        } else {
            format!("{head}{part}-{stamp}")
        };
        SafetySnapshot {
            name: Some(name),
            ..SafetySnapshot::default()
        }
    }
}
