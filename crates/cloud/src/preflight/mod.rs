//! The pre-flight checklist shown before a restore (or a snapshot) is confirmed.
//!
//! Each provider module reads the LIVE rows, as the providers' Describe/List APIs return
//! them, once into the typed model of [`crate::tencent`], [`crate::alibaba`] or
//! [`crate::huawei`] (unknown fields are ignored), and answers one [`Check`] per
//! documented rule: pass, warn or fail, with what was found (naming the resource and its
//! state) and, for warnings and failures, what to do about it, in English and Chinese.
//! The rules themselves are the model's (`InstanceState::allows_rollback`,
//! `DiskStatus::allows_reset`, …), the limits [`crate::limits`]'.
//!
//! | function (rows as JSON) | typed | rows |
//! |---|---|---|
//! | [`lighthouse_rollback`], [`lighthouse_rollback_with_safety`], [`lighthouse_create_snapshot`] | [`lighthouse::rollback`], [`lighthouse::create_snapshot`] | Lighthouse `InstanceSet[]` / `SnapshotSet[]` items |
//! | [`ecs_reset_disk`], [`ecs_reset_disk_with_safety`], [`ecs_create_snapshot`] | [`ecs::reset_disk`], [`ecs::create_snapshot`] | ECS `Instances.Instance[]`, `Disks.Disk[]`, `Snapshots.Snapshot[]` items |
//! | [`workspace_restore`] | [`workspace::restore`] | Workspace `desktop_snapshots[]` items |
//!
//! A resource is a [`Row`]: not found (a failure with a generic message, "The instance
//! was not found in this region", because the row that would name it is missing; the
//! caller knows the ID it asked for and can show it alongside), found but not the
//! provider's shape (a failure saying so), or read.
//!
//! When the operation takes a safety snapshot first ([`SafetyStep::Take`]), the
//! rollback's checklist also says whether the instance (or disk) has room for it under
//! the snapshot quota; when it has none, the failure offers
//! [`Choice::ContinueWithoutSafetySnapshot`].
//!
//! The rules mirror the providers' documentation (see the reference notes) and the
//! emulator's state machines, so a checklist without failures predicts that the call
//! will be accepted. Warnings never block; [`blocked`] is true iff some check failed.
//! Pure: no clock, no I/O.

mod checklist;
pub mod ecs;
pub mod lighthouse;
pub mod workspace;

pub use checklist::{
    Check, Choice, ECS_SNAPSHOT_CUTOFF_DATE, FixAction, NAMED_IDS_MAX, Row, SafetyStep, Status,
    blocked, rules,
};
pub use ecs::{ecs_create_snapshot, ecs_reset_disk, ecs_reset_disk_with_safety};
pub use lighthouse::{
    lighthouse_create_snapshot, lighthouse_rollback, lighthouse_rollback_with_safety,
};
pub use workspace::workspace_restore;

/// The quotas pre-flight checks against, defined in [`crate::limits`].
pub use crate::limits::{
    ECS_SNAPSHOTS_PER_DISK, LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE, WORKSPACE_BATCH_MAX,
};
