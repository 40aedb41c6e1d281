//! The inventory views of the three clouds, as data.

use super::*;
use rewind_cloud::operation::Power;

const fn col(field: &'static str, title: Msg) -> Column {
    Column {
        field,
        title,
        time: false,
        sub: None,
        tags: false,
    }
}

/// A column showing `field` with `sub` after it (a name, then its ID).
const fn col_sub(field: &'static str, sub: &'static str, title: Msg) -> Column {
    Column {
        field,
        title,
        time: false,
        sub: Some(sub),
        tags: false,
    }
}

/// The creation time column.
const fn created(field: &'static str) -> Column {
    Column {
        field,
        title: Msg::ColCreated,
        time: true,
        sub: None,
        tags: false,
    }
}

/// The tags column (`Tags`, in either cloud's shape).
const fn tags_col() -> Column {
    Column {
        field: "Tags",
        title: Msg::ColTags,
        time: false,
        sub: None,
        tags: true,
    }
}

pub const VIEWS: &[ListSpec] = &[
    ListSpec {
        provider: Provider::Tencent,
        key: "instances",
        title: Msg::Instances,
        action: "DescribeInstances",
        rows_at: &["InstanceSet"],
        id_field: "InstanceId",
        name_field: "InstanceName",
        state_field: "InstanceState",
        columns: &[
            col("InstanceId", Msg::ColId),
            col("InstanceName", Msg::ColName),
            col("InstanceState", Msg::ColState),
            col("SystemDisk.DiskId", Msg::ColSystemDisk),
            col("Zone", Msg::ColZone),
            created("CreatedTime"),
            tags_col(),
        ],
        paging: Paging::OffsetLimit { limit: 100 },
        row_actions: &[
            act(
                "rollback",
                Msg::RollBack,
                "ApplyInstanceSnapshot",
                &[("instance", "InstanceId")],
                &["RUNNING", "STOPPED"],
            ),
            act(
                "create-snapshot",
                Msg::CreateSnapshot,
                "CreateInstanceSnapshot",
                &[("instance", "InstanceId")],
                &["RUNNING", "STOPPED"],
            ),
        ],
        pick: None,
        join: None,
    },
    ListSpec {
        provider: Provider::Tencent,
        key: "snapshots",
        title: Msg::Snapshots,
        action: "DescribeSnapshots",
        rows_at: &["SnapshotSet"],
        id_field: "SnapshotId",
        name_field: "SnapshotName",
        state_field: "SnapshotState",
        columns: &[
            col("SnapshotId", Msg::ColId),
            col("SnapshotName", Msg::ColName),
            col("SnapshotState", Msg::ColState),
            col_sub("joined.InstanceName", "joined.InstanceId", Msg::ColInstance),
            col("DiskId", Msg::ColDisk),
            col("DiskSize", Msg::ColSize),
            col("Percent", Msg::ColProgress),
            created("CreatedTime"),
            tags_col(),
        ],
        paging: Paging::OffsetLimit { limit: 100 },
        row_actions: &[act(
            "rollback",
            Msg::RollBackToThis,
            "ApplyInstanceSnapshot",
            &[
                ("instance", "joined.InstanceId"),
                ("snapshot", "SnapshotId"),
            ],
            // rewind_cloud::tencent::SnapshotState::allows_rollback
            &["NORMAL"],
        )],
        pick: None,
        // Lighthouse snapshots name their disk only: the instance is the one whose
        // system disk it is.
        join: Some(Join {
            list: "instances",
            on: "DiskId",
            other: "SystemDisk.DiskId",
            copy: &["InstanceId", "InstanceName"],
            only: None,
        }),
    },
    ListSpec {
        provider: Provider::Alibaba,
        key: "instances",
        title: Msg::Instances,
        action: "DescribeInstances",
        rows_at: &["Instances", "Instance"],
        id_field: "InstanceId",
        name_field: "InstanceName",
        state_field: "Status",
        columns: &[
            col("InstanceId", Msg::ColId),
            col("InstanceName", Msg::ColName),
            col("Status", Msg::ColState),
            col("joined.DiskId", Msg::ColSystemDisk),
            col("ZoneId", Msg::ColZone),
            created("CreationTime"),
            tags_col(),
        ],
        paging: Paging::NextToken { max_results: 100 },
        row_actions: &[
            power("stop", Msg::Stop, "StopInstance", Power::Stop, &["Running"]),
            power(
                "start",
                Msg::Start,
                "StartInstance",
                Power::Start,
                &["Stopped"],
            ),
            // The instance's disks, to pick one and its snapshot.
            act(
                "disks",
                Msg::RollBackADisk,
                "ResetDisk",
                &[("q", "InstanceId")],
                &[],
            ),
        ],
        pick: None,
        // ECS lists an instance's disks apart: its system disk is the disk of type
        // `system` attached to it.
        join: Some(Join {
            list: "disks",
            on: "InstanceId",
            other: "InstanceId",
            copy: &["DiskId"],
            only: Some(("Type", "system")),
        }),
    },
    ListSpec {
        provider: Provider::Alibaba,
        key: "disks",
        title: Msg::Disks,
        action: "DescribeDisks",
        rows_at: &["Disks", "Disk"],
        id_field: "DiskId",
        name_field: "DiskName",
        state_field: "Status",
        columns: &[
            col("DiskId", Msg::ColId),
            col("DiskName", Msg::ColName),
            col("Status", Msg::ColState),
            col("Type", Msg::ColType),
            col("Size", Msg::ColSize),
            col("InstanceId", Msg::ColInstance),
        ],
        paging: Paging::NextToken { max_results: 100 },
        row_actions: &[
            act(
                "reset-disk",
                Msg::RollBack,
                "ResetDisk",
                &[("disk", "DiskId")],
                &["In_use", "Available"],
            ),
            act(
                "create-snapshot",
                Msg::CreateSnapshot,
                "CreateSnapshot",
                &[("disk", "DiskId")],
                &["In_use"],
            ),
        ],
        pick: None,
        join: None,
    },
    ListSpec {
        provider: Provider::Alibaba,
        key: "snapshots",
        title: Msg::Snapshots,
        action: "DescribeSnapshots",
        rows_at: &["Snapshots", "Snapshot"],
        id_field: "SnapshotId",
        name_field: "SnapshotName",
        state_field: "Status",
        columns: &[
            col("SnapshotId", Msg::ColId),
            col("SnapshotName", Msg::ColName),
            col("Status", Msg::ColState),
            col_sub("SourceDiskId", "joined.DiskName", Msg::ColDisk),
            col("joined.InstanceId", Msg::ColInstance),
            col("Progress", Msg::ColProgress),
            created("CreationTime"),
            tags_col(),
        ],
        paging: Paging::NextToken { max_results: 100 },
        row_actions: &[act(
            "reset-disk",
            Msg::RollBack,
            "ResetDisk",
            &[("disk", "SourceDiskId"), ("snapshot", "SnapshotId")],
            &["accomplished"],
        )],
        pick: None,
        join: Some(Join {
            list: "disks",
            on: "SourceDiskId",
            other: "DiskId",
            copy: &["DiskName", "InstanceId"],
            only: None,
        }),
    },
    ListSpec {
        provider: Provider::Huawei,
        key: "snapshots",
        title: Msg::DesktopSnapshots,
        action: "ListDesktopSnapshot",
        rows_at: &["desktop_snapshots"],
        id_field: "snapshot_id",
        name_field: "snapshot_name",
        state_field: "status",
        columns: &[
            col("snapshot_id", Msg::ColId),
            col("snapshot_name", Msg::ColName),
            col("status", Msg::ColState),
            col("desktop_name", Msg::ColDesktop),
            col("process", Msg::ColProgress),
            created("create_time"),
        ],
        paging: Paging::SnakeOffset { limit: 1000 },
        row_actions: &[act(
            "restore",
            Msg::RestoreDesktops,
            "BatchRestoreDesktopSnapshot",
            &[("snapshots", "snapshot_id")],
            &["create_success", "restore_success", "restore_failed"],
        )],
        pick: Some(Pick {
            action: 0,
            max: rewind_cloud::validate::LIST_MAX,
        }),
        join: None,
    },
];

/// The views of one cloud, in display order.
pub fn views_of(provider: Provider) -> impl Iterator<Item = &'static ListSpec> {
    VIEWS.iter().filter(move |v| v.provider == provider)
}

/// A view by provider and URL segment; the cloud's first view when `key` is unknown.
pub fn find(provider: Provider, key: Option<&str>) -> Option<&'static ListSpec> {
    views_of(provider)
        .find(|v| Some(v.key) == key)
        .or_else(|| views_of(provider).next())
}
