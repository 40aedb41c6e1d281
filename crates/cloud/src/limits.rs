//! The providers' documented quotas and size limits, defined once: pre-flight checks
//! against them, validation enforces them on the way out, and the emulator enforces
//! them (as its defaults) on the way in. Per-action rate limits live with the actions
//! ([`crate::action::ActionSpec::rate_limit_per_sec`]).

/// Lighthouse: snapshots per instance before CreateInstanceSnapshot answers
/// `LimitExceeded.SnapshotQuotaLimitExceeded`. Tencent documents the error but not one
/// figure for every bundle; 4 is the figure Rewind plans with (the demo world's
/// `game-server` instance has reached it).
pub const LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE: usize = 4;

/// ECS: snapshots per disk (documented: 64); CreateSnapshot answers `QuotaExceed.Snapshot`.
pub const ECS_SNAPSHOTS_PER_DISK: usize = 64;

/// Workspace: BatchRestoreDesktopSnapshot takes 1 to 100 snapshot IDs (documented).
pub const WORKSPACE_BATCH_MAX: usize = 100;

/// The most IDs one list parameter takes (`InstanceIds`, `DiskIds`, `SnapshotIds`,
/// `desktop_ids`, …), on all three clouds.
pub const LIST_MAX: usize = 100;

/// Lighthouse Describe*: at most 10 `Filters` in one request.
pub const LIGHTHOUSE_MAX_FILTERS: usize = 10;

/// Lighthouse Describe*: `Limit` is 1 to 100 (default 20).
pub const LIGHTHOUSE_PAGE_MAX: usize = 100;

/// Lighthouse CreateInstanceSnapshot: `SnapshotName` is at most 60 characters.
pub const LIGHTHOUSE_SNAPSHOT_NAME_MAX: usize = 60;

/// Lighthouse CreateInstanceSnapshot: at most 10 `Tags`.
pub const LIGHTHOUSE_MAX_TAGS: usize = 10;

/// ECS: `Tag.N` with N from 1 to 20.
pub const ECS_MAX_TAGS: usize = 20;

/// Workspace ListDesktopSnapshot: `limit` is 1 to 1000 (default 1000).
pub const WORKSPACE_PAGE_MAX: usize = 1000;
