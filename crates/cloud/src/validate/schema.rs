//! The per-action schema tables: which fields each action takes, whether they are
//! required, and the rule each value is checked against (limits included).

use super::ids::IdKind;
use crate::action::Action;
use crate::limits::{
    ECS_MAX_TAGS, LIGHTHOUSE_MAX_TAGS, LIGHTHOUSE_PAGE_MAX, LIGHTHOUSE_SNAPSHOT_NAME_MAX, LIST_MAX,
    WORKSPACE_BATCH_MAX, WORKSPACE_PAGE_MAX,
};
use crate::{alibaba, huawei, tencent};

#[derive(Clone, Copy)]
pub(super) enum TextCheck {
    Plain,
    RegionId,
    ClientToken,
    ResourceGroupId,
    EcsSnapshotName,
    EcsDescription,
}

#[derive(Clone, Copy)]
pub(super) enum Rule {
    Id(IdKind),
    Ids {
        kind: IdKind,
        min: usize,
        max: usize,
    },
    /// A list of IDs, also accepted as one comma-separated string (normalized to a list).
    IdsOrCsv {
        kind: IdKind,
        max: usize,
    },
    /// A list of 1..=max non-blank strings of at most 255 characters.
    Names {
        max: usize,
    },
    Text {
        min: usize,
        max: usize,
        check: TextCheck,
    },
    Enum(&'static [&'static str]),
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// Lighthouse `Filters`; the names allowed, plus `tag:<key>`.
    Filters(&'static FilterRules),
    LhTags,
    EcsTags,
}

pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) required: bool,
    pub(super) rule: Rule,
}

const fn req(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        required: true,
        rule,
    }
}

const fn opt(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        required: false,
        rule,
    }
}

const fn text(min: usize, max: usize) -> Rule {
    Rule::Text {
        min,
        max,
        check: TextCheck::Plain,
    }
}

const OFFSET: Rule = Rule::Int {
    min: 0,
    max: i64::MAX,
};
const LH_LIMIT: Rule = Rule::Int {
    min: 1,
    max: LIGHTHOUSE_PAGE_MAX as i64,
};
const REGION: Rule = Rule::Text {
    min: 1,
    max: 64,
    check: TextCheck::RegionId,
};
const WS_PROJECT: Field = opt("project_id", Rule::Id(IdKind::WsProject));

/// What a Lighthouse `Filters` list accepts (see [`filter_rules`]).
#[derive(Debug, PartialEq, Eq)]
pub struct FilterRules {
    /// The filter names, as the SDK documents them.
    pub names: &'static [&'static str],
    /// Whether `tag:<key>` names are accepted.
    pub tag_pairs: bool,
    /// The most `Values` one filter takes.
    pub max_values: usize,
}

impl FilterRules {
    /// Whether a filter of this name exists: one of [`FilterRules::names`], or
    /// `tag:<key>` (a key that is not blank) where tag pairs are accepted.
    pub fn accepts(&self, name: &str) -> bool {
        self.names.contains(&name)
            || (self.tag_pairs
                && name
                    .strip_prefix("tag:")
                    .is_some_and(|k| !k.trim().is_empty()))
    }
}

/// The `Filters` a Lighthouse Describe action accepts; `None` for an action without
/// filters. What the console and the proxy let through, and what the emulator serves.
pub fn filter_rules(action: Action) -> Option<&'static FilterRules> {
    match action {
        Action::LhDescribeInstances => Some(&LH_INSTANCE_FILTERS),
        Action::LhDescribeSnapshots => Some(&LH_SNAPSHOT_FILTERS),
        _ => None,
    }
}

/// DescribeInstances filters, per the Lighthouse SDK (tencentcloud-sdk-python-lighthouse
/// 3.1.177, `DescribeInstancesRequest`): at most 100 values each.
const LH_INSTANCE_FILTERS: FilterRules = FilterRules {
    names: &[
        "instance-name",
        "private-ip-address",
        "public-ip-address",
        "zone",
        "instance-state",
        "tag-key",
        "tag-value",
        "bundle-id",
    ],
    tag_pairs: true,
    max_values: 100,
};

/// DescribeSnapshots filters, per the Lighthouse SDK (3.1.177, `DescribeSnapshotsRequest`):
/// at most 5 values each.
const LH_SNAPSHOT_FILTERS: FilterRules = FilterRules {
    names: &[
        "snapshot-id",
        "disk-id",
        "snapshot-name",
        "instance-id",
        "tag-key",
        "tag-value",
    ],
    tag_pairs: true,
    max_values: 5,
};

/// The fields an action takes, as the provider names them.
pub(super) fn schema(action: Action) -> &'static [Field] {
    use IdKind::*;
    match action {
        Action::LhDescribeInstances => {
            const {
                &[
                    opt(
                        "InstanceIds",
                        Rule::Ids {
                            kind: LhInstance,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("Filters", Rule::Filters(&LH_INSTANCE_FILTERS)),
                    opt("Offset", OFFSET),
                    opt("Limit", LH_LIMIT),
                    opt("OrderField", Rule::Enum(&["EXPIRED_TIME"])),
                    opt("Order", Rule::Enum(&["ASC", "DESC"])),
                ]
            }
        }
        Action::LhDescribeSnapshots => {
            const {
                &[
                    opt(
                        "SnapshotIds",
                        Rule::Ids {
                            kind: LhSnapshot,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("Filters", Rule::Filters(&LH_SNAPSHOT_FILTERS)),
                    opt("Offset", OFFSET),
                    opt("Limit", LH_LIMIT),
                ]
            }
        }
        Action::LhApplyInstanceSnapshot => {
            const {
                &[
                    req("InstanceId", Rule::Id(LhInstance)),
                    req("SnapshotId", Rule::Id(LhSnapshot)),
                ]
            }
        }
        Action::LhCreateInstanceSnapshot => {
            const {
                &[
                    req("InstanceId", Rule::Id(LhInstance)),
                    opt("SnapshotName", text(1, LIGHTHOUSE_SNAPSHOT_NAME_MAX)),
                    opt("Tags", Rule::LhTags),
                ]
            }
        }
        Action::LhStopInstances => {
            const {
                &[
                    req(
                        "InstanceIds",
                        Rule::Ids {
                            kind: LhInstance,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("StopType", Rule::Enum(tencent::StopType::KNOWN)),
                ]
            }
        }
        Action::LhStartInstances => {
            const {
                &[req(
                    "InstanceIds",
                    Rule::Ids {
                        kind: LhInstance,
                        min: 1,
                        max: LIST_MAX,
                    },
                )]
            }
        }
        Action::EcsDescribeInstances => {
            const {
                &[
                    opt("RegionId", REGION),
                    opt(
                        "InstanceIds",
                        Rule::Ids {
                            kind: EcsInstance,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("Status", Rule::Enum(alibaba::InstanceStatus::KNOWN)),
                    opt(
                        "ZoneId",
                        Rule::Text {
                            min: 1,
                            max: 64,
                            check: TextCheck::RegionId,
                        },
                    ),
                    opt("Tag", Rule::EcsTags),
                    opt("MaxResults", Rule::Int { min: 1, max: 100 }),
                    opt("NextToken", text(1, 1024)),
                ]
            }
        }
        Action::EcsDescribeDisks => {
            const {
                &[
                    opt("RegionId", REGION),
                    opt(
                        "DiskIds",
                        Rule::Ids {
                            kind: EcsDisk,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("InstanceId", Rule::Id(EcsInstance)),
                    opt("DiskType", Rule::Enum(&["all", "system", "data"])),
                    opt("Status", Rule::Enum(ECS_DISK_STATUS_FILTER)),
                    opt("SnapshotId", Rule::Id(EcsSnapshot)),
                    opt("Tag", Rule::EcsTags),
                    opt("MaxResults", Rule::Int { min: 10, max: 500 }),
                    opt("NextToken", text(1, 1024)),
                ]
            }
        }
        Action::EcsDescribeSnapshots => {
            const {
                &[
                    opt("RegionId", REGION),
                    opt("InstanceId", Rule::Id(EcsInstance)),
                    opt("DiskId", Rule::Id(EcsDisk)),
                    opt(
                        "SnapshotIds",
                        Rule::Ids {
                            kind: EcsSnapshot,
                            min: 1,
                            max: LIST_MAX,
                        },
                    ),
                    opt("SnapshotType", Rule::Enum(&["auto", "user", "all"])),
                    opt("SourceDiskType", Rule::Enum(&["system", "data"])),
                    opt(
                        "Status",
                        Rule::Enum(&["progressing", "accomplished", "failed", "all"]),
                    ),
                    opt("Tag", Rule::EcsTags),
                    opt("MaxResults", Rule::Int { min: 1, max: 100 }),
                    opt("NextToken", text(1, 1024)),
                ]
            }
        }
        Action::EcsResetDisk => {
            const {
                &[
                    req("DiskId", Rule::Id(EcsDisk)),
                    req("SnapshotId", Rule::Id(EcsSnapshot)),
                    opt("DryRun", Rule::Bool),
                ]
            }
        }
        Action::EcsCreateSnapshot => {
            const {
                &[
                    req("DiskId", Rule::Id(EcsDisk)),
                    opt(
                        "SnapshotName",
                        Rule::Text {
                            min: 2,
                            max: 128,
                            check: TextCheck::EcsSnapshotName,
                        },
                    ),
                    opt(
                        "Description",
                        Rule::Text {
                            min: 2,
                            max: 256,
                            check: TextCheck::EcsDescription,
                        },
                    ),
                    opt("RetentionDays", Rule::Int { min: 1, max: 65536 }),
                    opt(
                        "ClientToken",
                        Rule::Text {
                            min: 1,
                            max: 64,
                            check: TextCheck::ClientToken,
                        },
                    ),
                    opt(
                        "ResourceGroupId",
                        Rule::Text {
                            min: 1,
                            max: 64,
                            check: TextCheck::ResourceGroupId,
                        },
                    ),
                    opt("Tag", Rule::EcsTags),
                ]
            }
        }
        Action::EcsStopInstance => {
            const {
                &[
                    req("InstanceId", Rule::Id(EcsInstance)),
                    opt("ForceStop", Rule::Bool),
                    opt("StoppedMode", Rule::Enum(&["StopCharging", "KeepCharging"])),
                    opt("DryRun", Rule::Bool),
                ]
            }
        }
        Action::EcsStartInstance => {
            const {
                &[
                    req("InstanceId", Rule::Id(EcsInstance)),
                    opt("DryRun", Rule::Bool),
                ]
            }
        }
        Action::WsListDesktopSnapshot => {
            const {
                &[
                    WS_PROJECT,
                    opt("desktop_id", Rule::Id(WsDesktop)),
                    opt(
                        "desktop_ids",
                        Rule::IdsOrCsv {
                            kind: WsDesktop,
                            max: LIST_MAX,
                        },
                    ),
                    opt("desktop_name", text(1, 255)),
                    opt("desktop_names", Rule::Names { max: LIST_MAX }),
                    opt("snapshot_name", text(1, 255)),
                    opt("snapshot_names", Rule::Names { max: LIST_MAX }),
                    opt(
                        "disk_type",
                        Rule::Enum(&["SYSTEM_DISK", "DATA_DISKS", "ALL"]),
                    ),
                    opt("create_type", Rule::Enum(&["AUTO", "MANUALLY"])),
                    opt("status", Rule::Enum(huawei::SnapshotStatus::KNOWN)),
                    opt("sort_field", Rule::Enum(&["create_time", "snapshot_name"])),
                    opt("sort_type", Rule::Enum(&["ASC", "DESC"])),
                    opt("offset", OFFSET),
                    opt(
                        "limit",
                        Rule::Int {
                            min: 1,
                            max: WORKSPACE_PAGE_MAX as i64,
                        },
                    ),
                ]
            }
        }
        Action::WsBatchRestoreDesktopSnapshot => {
            const {
                &[
                    WS_PROJECT,
                    req(
                        "snapshot_ids",
                        Rule::Ids {
                            kind: WsSnapshot,
                            min: 1,
                            max: WORKSPACE_BATCH_MAX,
                        },
                    ),
                ]
            }
        }
        Action::WsShowJob => const { &[WS_PROJECT, req("job_id", Rule::Id(WsJob))] },
    }
}

const ECS_DISK_STATUS_FILTER: &[&str] = &[
    "In_use",
    "Available",
    "Attaching",
    "Detaching",
    "Creating",
    "ReIniting",
    "All",
];

#[derive(Clone, Copy)]
pub(super) struct TagRules {
    pub(super) max_tags: usize,
    pub(super) max_key: usize,
    pub(super) max_value: usize,
    pub(super) value_required: bool,
    pub(super) ecs: bool,
}

impl TagRules {
    /// Tencent tags: key up to 127 characters, value up to 255, both given.
    pub(super) const LIGHTHOUSE: TagRules = TagRules {
        max_tags: LIGHTHOUSE_MAX_TAGS,
        max_key: 127,
        max_value: 255,
        value_required: true,
        ecs: false,
    };
    /// ECS `Tag.N`: N from 1 to 20, key and value up to 128 characters, value optional.
    pub(super) const ECS: TagRules = TagRules {
        max_tags: ECS_MAX_TAGS,
        max_key: 128,
        max_value: 128,
        value_required: false,
        ecs: true,
    };
}

pub(super) fn filter_id_kind(name: &str) -> Option<IdKind> {
    match name {
        "instance-id" => Some(IdKind::LhInstance),
        "snapshot-id" => Some(IdKind::LhSnapshot),
        "disk-id" => Some(IdKind::LhDisk),
        _ => None,
    }
}
