//! The pre-flight checklist shown before a restore (or a snapshot) is confirmed.
//!
//! Every function here takes the LIVE rows exactly as the providers' Describe/List APIs
//! return them (`serde_json::Value` objects) and answers one [`Check`] per documented
//! rule: pass, warn or fail, with what was found (naming the resource and its state)
//! and, for warnings and failures, what to do about it, in English and Chinese.
//!
//! | function | rows |
//! |---|---|
//! | [`lighthouse_rollback`], [`lighthouse_create_snapshot`] | Lighthouse `InstanceSet[]` / `SnapshotSet[]` items |
//! | [`ecs_reset_disk`], [`ecs_create_snapshot`] | ECS `Instances.Instance[]`, `Disks.Disk[]`, `Snapshots.Snapshot[]` items |
//! | [`workspace_restore`] | Workspace `desktop_snapshots[]` items |
//!
//! `None` means the resource was not found: the check is then a failure with a generic
//! message ("The instance was not found in this region"), because the row that would
//! name it is missing; the caller knows the ID it asked for and can show it alongside.
//!
//! The rules mirror the providers' documentation (see the reference notes) and the
//! emulator's state machines, so a checklist without failures predicts that the call
//! will be accepted. Warnings never block; [`blocked`] is true iff some check failed.
//! Pure: no clock, no I/O.

mod checklist;
mod ecs;
mod lighthouse;
mod workspace;

pub use checklist::{
    Check, ECS_SNAPSHOT_CUTOFF_DATE, ECS_SNAPSHOTS_PER_DISK, FixAction,
    LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE, NAMED_IDS_MAX, Status, WORKSPACE_BATCH_MAX, blocked, rules,
};
pub use ecs::{ecs_create_snapshot, ecs_reset_disk};
pub use lighthouse::{lighthouse_create_snapshot, lighthouse_rollback};
pub use workspace::workspace_restore;
