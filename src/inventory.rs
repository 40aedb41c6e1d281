//! What each cloud's inventory views list and how: the action, where the rows sit in the
//! answer, the columns, and the provider's paging. Pure data and functions, so the
//! filtering, sorting and paging rules are unit-tested natively.

use crate::i18n::Msg;
use rewind_cloud::Provider;
use serde_json::{Value, json};

/// How a list API pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Tencent: `Offset` / `Limit`, with `TotalCount` in the answer.
    OffsetLimit { limit: u32 },
    /// ECS: `MaxResults` / `NextToken`.
    NextToken { max_results: u32 },
    /// Workspace: `offset` / `limit`, with `total_count`.
    SnakeOffset { limit: u32 },
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    Start,
    Offset(u64),
    Token(String),
    /// Everything is loaded.
    Done,
}

/// One column: the field in a row and its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub field: &'static str,
    pub title: Msg,
    /// A moment (creation time): shown in the user's time zone with its age, and the
    /// list's default order, newest first.
    pub time: bool,
}

/// One inventory view of one cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSpec {
    pub provider: Provider,
    /// URL segment: `/tencent/snapshots`.
    pub key: &'static str,
    pub title: Msg,
    /// The provider's action name.
    pub action: &'static str,
    /// Path to the row array in the answer's `data`.
    pub rows_at: &'static [&'static str],
    pub id_field: &'static str,
    pub name_field: &'static str,
    pub state_field: &'static str,
    pub columns: &'static [Column],
    pub paging: Paging,
    /// What each row offers (links to the restore forms, pre-filled from the row).
    pub row_actions: &'static [RowAction],
    /// Rows the user can pick together for one row action whose form takes a list.
    pub pick: Option<Pick>,
}

/// Picking several rows for one action (Workspace: up to 100 desktop snapshots restored
/// in one batch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    /// Index into `row_actions`: the action, its form, and the query key of the list.
    pub action: usize,
    /// At most this many rows at once.
    pub max: usize,
}

impl ListSpec {
    /// The order a list opens in: newest first when it has a creation time, else by ID.
    pub fn default_sort(&self) -> (&'static str, bool) {
        match self.columns.iter().find(|c| c.time) {
            Some(c) => (c.field, false),
            None => (self.columns[0].field, true),
        }
    }

    /// The row action rows are picked for.
    pub fn pick_action(&self) -> Option<&'static RowAction> {
        self.row_actions.get(self.pick?.action)
    }

    /// The form URL for the picked IDs (comma-separated under the action's list key),
    /// keeping the profile and region.
    pub fn pick_href(&self, ids: &[String], profile: &str, region: &str) -> Option<String> {
        let action = self.pick_action()?;
        let (key, _) = action.fill.first()?;
        Some(format!(
            "/{}/{}?profile={profile}&region={region}&{key}={}",
            self.provider.id(),
            action.form,
            ids.join(",")
        ))
    }
}

/// Picks `id` or un-picks it; a new pick past `max` is refused. Whether `id` is picked
/// afterwards.
pub fn toggle_pick(picked: &mut Vec<String>, id: &str, max: usize) -> bool {
    if let Some(at) = picked.iter().position(|p| p == id) {
        picked.remove(at);
        false
    } else if picked.len() < max {
        picked.push(id.to_string());
        true
    } else {
        false
    }
}

/// A row's link to a restore form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowAction {
    /// The form's URL segment (`rollback`, `reset-disk`, …).
    pub form: &'static str,
    pub label: Msg,
    /// The provider action the form ends in (checked against the user's grants).
    pub action: &'static str,
    /// (query key of the form, row field): what the row pre-fills.
    pub fill: &'static [(&'static str, &'static str)],
    /// The row states in which the action is possible (empty: any).
    pub states: &'static [&'static str],
}

/// Why a row action is not available, or `None` when it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The user's grants on this profile do not include the action.
    Policy {
        action: &'static str,
        profile: String,
    },
    /// The row is in a state where the cloud refuses the action.
    State { state: String },
}

impl RowAction {
    /// The form URL for `row`, keeping the profile and region.
    pub fn href(&self, provider: Provider, row: &Value, profile: &str, region: &str) -> String {
        let mut h = format!(
            "/{}/{}?profile={profile}&region={region}",
            provider.id(),
            self.form
        );
        for (key, field) in self.fill {
            h.push_str(&format!("&{key}={}", cell(row, field)));
        }
        h
    }

    /// Whether the action is possible for `row`, given the actions the user may call.
    pub fn unavailable(
        &self,
        spec: &ListSpec,
        row: &Value,
        allowed: &[String],
        profile: &str,
    ) -> Option<Unavailable> {
        if !allowed.iter().any(|a| a == self.action) {
            return Some(Unavailable::Policy {
                action: self.action,
                profile: profile.to_string(),
            });
        }
        let state = cell(row, spec.state_field);
        if !self.states.is_empty() && !self.states.contains(&state.as_str()) {
            return Some(Unavailable::State { state });
        }
        None
    }
}

impl Unavailable {
    /// The reason shown on hover and focus.
    pub fn reason(&self) -> rewind_cloud::Text {
        match self {
            Unavailable::Policy { action, profile } => rewind_cloud::Text::new(
                format!("Your grants do not include {action} on the profile {profile}"),
                format!("您的权限不包含在配置 {profile} 上执行 {action}"),
            ),
            Unavailable::State { state } => rewind_cloud::Text::new(
                format!("Not possible while the state is {state}"),
                format!("当前状态为 {state}，无法执行"),
            ),
        }
    }
}

const fn act(
    form: &'static str,
    label: Msg,
    action: &'static str,
    fill: &'static [(&'static str, &'static str)],
    states: &'static [&'static str],
) -> RowAction {
    RowAction {
        form,
        label,
        action,
        fill,
        states,
    }
}

const fn col(field: &'static str, title: Msg) -> Column {
    Column {
        field,
        title,
        time: false,
    }
}

/// The creation time column.
const fn created(field: &'static str) -> Column {
    Column {
        field,
        title: Msg::ColCreated,
        time: true,
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
            col("DiskId", Msg::ColDisk),
            col("DiskSize", Msg::ColSize),
            col("Percent", Msg::ColProgress),
            created("CreatedTime"),
        ],
        paging: Paging::OffsetLimit { limit: 100 },
        row_actions: &[],
        pick: None,
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
            col("ZoneId", Msg::ColZone),
            created("CreationTime"),
        ],
        paging: Paging::NextToken { max_results: 100 },
        row_actions: &[],
        pick: None,
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
            col("SourceDiskId", Msg::ColDisk),
            col("Progress", Msg::ColProgress),
            created("CreationTime"),
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

impl ListSpec {
    /// The request parameters for the page at `cursor`.
    pub fn page_params(&self, cursor: &Cursor) -> Value {
        match (self.paging, cursor) {
            (Paging::OffsetLimit { limit }, Cursor::Offset(o)) => {
                json!({"Offset": o, "Limit": limit})
            }
            (Paging::OffsetLimit { limit }, _) => json!({"Offset": 0, "Limit": limit}),
            (Paging::NextToken { max_results }, Cursor::Token(t)) => {
                json!({"MaxResults": max_results, "NextToken": t})
            }
            (Paging::NextToken { max_results }, _) => json!({"MaxResults": max_results}),
            (Paging::SnakeOffset { limit }, Cursor::Offset(o)) => {
                json!({"offset": o, "limit": limit})
            }
            (Paging::SnakeOffset { limit }, _) => json!({"offset": 0, "limit": limit}),
        }
    }

    /// The rows of one answer and where the next page starts, given how many rows were
    /// loaded before this page.
    pub fn read_page(&self, data: &Value, loaded_before: u64) -> (Vec<Value>, Cursor) {
        let mut at = data;
        for key in self.rows_at {
            at = &at[*key];
        }
        let rows = at.as_array().cloned().unwrap_or_default();
        let loaded = loaded_before + rows.len() as u64;
        let next = match self.paging {
            Paging::OffsetLimit { .. } | Paging::SnakeOffset { .. } => {
                let total = data["TotalCount"]
                    .as_u64()
                    .or_else(|| data["total_count"].as_u64());
                match total {
                    Some(t) if loaded < t && !rows.is_empty() => Cursor::Offset(loaded),
                    _ => Cursor::Done,
                }
            }
            Paging::NextToken { .. } => match data["NextToken"].as_str() {
                Some(t) if !t.is_empty() && !rows.is_empty() => Cursor::Token(t.to_string()),
                _ => Cursor::Done,
            },
        };
        (rows, next)
    }

    /// The total the provider reports, when it reports one.
    pub fn total(&self, data: &Value) -> Option<u64> {
        data["TotalCount"]
            .as_u64()
            .or_else(|| data["total_count"].as_u64())
    }
}

/// A field of a row; a dotted name reads inside an object (`SystemDisk.DiskId`).
pub fn value_at<'a>(row: &'a Value, field: &str) -> &'a Value {
    field.split('.').fold(row, |v, k| &v[k])
}

/// A cell's text: strings as they are, numbers and booleans printed, absent as `—`.
pub fn cell(row: &Value, field: &str) -> String {
    match value_at(row, field) {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The row order for a sort: indices into `rows`, by `field`, numbers numerically and
/// everything else as text. Stable, so equal rows keep the provider's order.
pub fn order(rows: &[Value], field: &str, ascending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    idx.sort_by(|&a, &b| {
        let ord = compare(value_at(&rows[a], field), value_at(&rows[b], field));
        if ascending { ord } else { ord.reverse() }
    });
    idx
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(std::cmp::Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => text_of(a).cmp(&text_of(b)),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of `order` that match a free-text filter (over ID and name,
/// case-insensitive) and a state. Views keep the [`search_keys`] and call
/// [`filter_keys`] per keystroke instead.
pub fn filter_indices(
    spec: &ListSpec,
    rows: &[Value],
    order: &[usize],
    text: &str,
    state: &str,
) -> Vec<usize> {
    filter_keys(&search_keys(spec, rows), order, text, state)
}

/// What the text and state filters read of one row: ID and name lower-cased, state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKey {
    pub text: String,
    pub state: String,
}

/// The filter keys of every row, computed once per load (not per keystroke): its ID,
/// name and the other IDs it shows (disk, instance), so `d-…` finds a disk's snapshots.
pub fn search_keys(spec: &ListSpec, rows: &[Value]) -> Vec<SearchKey> {
    let ids: Vec<&str> = spec
        .columns
        .iter()
        .map(|c| c.field)
        .filter(|f| *f != spec.id_field && (f.ends_with("Id") || f.ends_with("_id")))
        .collect();
    rows.iter()
        .map(|r| {
            let field = |f: &str| value_at(r, f).as_str().unwrap_or("").to_lowercase();
            // A separator no typed needle contains keeps the fields apart.
            let mut text = format!("{}\u{1}{}", field(spec.id_field), field(spec.name_field));
            for f in &ids {
                text.push('\u{1}');
                text.push_str(&field(f));
            }
            SearchKey {
                text,
                state: r[spec.state_field].as_str().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// [`filter_indices`] over precomputed keys: the same rows, in `order`.
pub fn filter_keys(keys: &[SearchKey], order: &[usize], text: &str, state: &str) -> Vec<usize> {
    let needle = text.trim().to_lowercase();
    order
        .iter()
        .copied()
        .filter(|&i| {
            let k = &keys[i];
            (state.is_empty() || k.state == state)
                && (needle.is_empty() || k.text.contains(&needle))
        })
        .collect()
}

/// The rows to render for a scroll position: `(first, last)` indices (exclusive end) of
/// the filtered list, with `overscan` extra rows above and below the viewport.
pub fn window(
    total: usize,
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    overscan: usize,
) -> (usize, usize) {
    if total == 0 || row_height <= 0.0 {
        return (0, 0);
    }
    let first = ((scroll_top.max(0.0) / row_height) as usize).min(total.saturating_sub(1));
    let shown = (viewport.max(row_height) / row_height).ceil() as usize;
    let start = first.saturating_sub(overscan);
    let end = (first + shown + overscan).min(total);
    (start, end)
}

/// The list's count: "12 shown of 40" / "显示 12 条，共 40 条" when the cloud says the
/// total, else what is shown of what is loaded.
pub fn count_text(
    lang: rewind_cloud::Lang,
    shown: usize,
    loaded: usize,
    total: Option<u64>,
) -> String {
    use rewind_cloud::Lang;
    match (lang, total) {
        (Lang::En, Some(t)) => format!("{shown} shown of {t}"),
        (Lang::En, None) => format!("{shown} shown of {loaded} loaded"),
        (Lang::Zh, Some(t)) => format!("显示 {shown} 条，共 {t} 条"),
        (Lang::Zh, None) => format!("显示 {shown} 条，已加载 {loaded} 条"),
    }
}

/// The Chinese name the provider's console gives a row's state ("运行中" for
/// `RUNNING`), from the cloud crate's typed model; `None` for a value it does not know.
pub fn state_zh(spec: &ListSpec, state: &str) -> Option<&'static str> {
    use rewind_cloud::tencent::ProviderValue;
    use rewind_cloud::{alibaba, huawei, tencent};
    match (spec.provider, spec.key) {
        (Provider::Tencent, "instances") => tencent::InstanceState::parse(state).zh(),
        (Provider::Tencent, "snapshots") => tencent::SnapshotState::parse(state).zh(),
        (Provider::Alibaba, "instances") => alibaba::InstanceStatus::parse(state).zh(),
        (Provider::Alibaba, "disks") => alibaba::DiskStatus::parse(state).zh(),
        (Provider::Alibaba, "snapshots") => alibaba::SnapshotStatus::parse(state).zh(),
        (Provider::Huawei, "snapshots") => huawei::SnapshotStatus::parse(state).zh(),
        _ => None,
    }
}

/// A state as shown in `lang`: the provider's spelling in English, its Chinese name in
/// Chinese when it has one.
pub fn state_label(spec: &ListSpec, state: &str, lang: rewind_cloud::Lang) -> String {
    match (lang, state_zh(spec, state)) {
        (rewind_cloud::Lang::Zh, Some(zh)) => zh.to_string(),
        _ => state.to_string(),
    }
}

/// The distinct states present, sorted, for the state filter.
pub fn states(spec: &ListSpec, rows: &[Value]) -> Vec<String> {
    let mut s: Vec<String> = rows
        .iter()
        .filter_map(|r| r[spec.state_field].as_str().map(str::to_string))
        .collect();
    s.sort();
    s.dedup();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(p: Provider, key: &str) -> &'static ListSpec {
        find(p, Some(key)).unwrap()
    }

    #[test]
    fn every_view_names_a_real_read_action_of_its_cloud() {
        for v in VIEWS {
            let action = rewind_cloud::Action::lookup(v.provider, v.action)
                .unwrap_or_else(|| panic!("{} is not an action of {}", v.action, v.provider));
            assert!(!action.mutates(), "{} must be a read", v.action);
            assert!(v.columns.iter().any(|c| c.field == v.id_field));
        }
        assert_eq!(
            find(Provider::Alibaba, Some("nope")).unwrap().key,
            "instances"
        );
    }

    #[test]
    fn tencent_pages_by_offset_until_the_total() {
        let s = spec(Provider::Tencent, "snapshots");
        assert_eq!(
            s.page_params(&Cursor::Start),
            json!({"Offset": 0, "Limit": 100})
        );
        let data = json!({"TotalCount": 3, "SnapshotSet": [{"SnapshotId": "lhsnap-1"}, {"SnapshotId": "lhsnap-2"}]});
        let (rows, next) = s.read_page(&data, 0);
        assert_eq!(rows.len(), 2);
        assert_eq!(next, Cursor::Offset(2));
        assert_eq!(s.page_params(&next), json!({"Offset": 2, "Limit": 100}));
        let (_, next) = s.read_page(&json!({"TotalCount": 3, "SnapshotSet": [{}]}), 2);
        assert_eq!(next, Cursor::Done);
        // A provider that reports more than it returns must not loop forever.
        let (_, next) = s.read_page(&json!({"TotalCount": 9, "SnapshotSet": []}), 2);
        assert_eq!(next, Cursor::Done);
    }

    #[test]
    fn ecs_pages_by_next_token_and_reads_nested_rows() {
        let s = spec(Provider::Alibaba, "disks");
        let data = json!({"NextToken": "t2", "Disks": {"Disk": [{"DiskId": "d-1"}]}});
        let (rows, next) = s.read_page(&data, 0);
        assert_eq!(rows[0]["DiskId"], "d-1");
        assert_eq!(next, Cursor::Token("t2".into()));
        assert_eq!(
            s.page_params(&next),
            json!({"MaxResults": 100, "NextToken": "t2"})
        );
        let (_, next) = s.read_page(&json!({"NextToken": "", "Disks": {"Disk": [{}]}}), 1);
        assert_eq!(next, Cursor::Done);
    }

    #[test]
    fn filters_match_the_disk_and_instance_ids_a_row_shows() {
        // ECS snapshots: `d-…` finds the snapshots of that disk.
        let s = spec(Provider::Alibaba, "snapshots");
        let rows = vec![
            json!({"SnapshotId": "s-1", "SnapshotName": "a", "SourceDiskId": "d-fwcklzt5", "Status": "accomplished"}),
            json!({"SnapshotId": "s-2", "SnapshotName": "b", "SourceDiskId": "d-other", "Status": "accomplished"}),
        ];
        assert_eq!(filter_indices(s, &rows, &[0, 1], "d-fwcklzt5", ""), vec![0]);
        // Lighthouse instances show their system disk, read inside the row, and match it.
        let s = spec(Provider::Tencent, "instances");
        let rows = vec![
            json!({"InstanceId": "lhins-1", "InstanceName": "web", "InstanceState": "RUNNING", "SystemDisk": {"DiskId": "lhdisk-aaa"}}),
            json!({"InstanceId": "lhins-2", "InstanceName": "db", "InstanceState": "RUNNING", "SystemDisk": {"DiskId": "lhdisk-bbb"}}),
        ];
        assert_eq!(cell(&rows[1], "SystemDisk.DiskId"), "lhdisk-bbb");
        assert_eq!(cell(&rows[1], "SystemDisk.Missing"), "—");
        assert_eq!(filter_indices(s, &rows, &[0, 1], "LHDISK-BBB", ""), vec![1]);
        assert_eq!(order(&rows, "SystemDisk.DiskId", false), vec![1, 0]);
    }

    #[test]
    fn states_and_counts_read_naturally_in_chinese() {
        use rewind_cloud::Lang;
        let lh = spec(Provider::Tencent, "instances");
        assert_eq!(state_label(lh, "RUNNING", Lang::Zh), "运行中");
        assert_eq!(state_label(lh, "RUNNING", Lang::En), "RUNNING");
        // A state the model does not know stays as the cloud wrote it.
        assert_eq!(state_label(lh, "HIBERNATING", Lang::Zh), "HIBERNATING");
        let disks = spec(Provider::Alibaba, "disks");
        assert_eq!(state_label(disks, "In_use", Lang::Zh), "使用中");
        let ecs = spec(Provider::Alibaba, "snapshots");
        assert!(state_zh(ecs, "accomplished").is_some());
        let ws = spec(Provider::Huawei, "snapshots");
        assert!(state_zh(ws, "create_success").is_some());
        assert_eq!(
            count_text(Lang::Zh, 10, 10, Some(10)),
            "显示 10 条，共 10 条"
        );
        assert_eq!(count_text(Lang::En, 3, 100, None), "3 shown of 100 loaded");
    }

    #[test]
    fn lists_open_newest_first_when_they_have_a_creation_time() {
        for v in VIEWS {
            let (field, ascending) = v.default_sort();
            match v.columns.iter().find(|c| c.time) {
                Some(c) => assert_eq!((field, ascending), (c.field, false), "{}", v.key),
                None => assert_eq!((field, ascending), (v.id_field, true), "{}", v.key),
            }
        }
        let snaps = spec(Provider::Tencent, "snapshots");
        assert_eq!(snaps.default_sort(), ("CreatedTime", false));
    }

    #[test]
    fn filters_by_text_and_state_and_sorts_numbers_numerically() {
        let s = spec(Provider::Alibaba, "disks");
        let rows = vec![
            json!({"DiskId": "d-aaa", "DiskName": "web-system", "Status": "In_use", "Size": 100}),
            json!({"DiskId": "d-bbb", "DiskName": "db-data", "Status": "Available", "Size": 20}),
            json!({"DiskId": "d-ccc", "DiskName": "Web-logs", "Status": "In_use", "Size": 9}),
        ];
        let natural: Vec<usize> = (0..rows.len()).collect();
        assert_eq!(filter_indices(s, &rows, &natural, " WEB ", ""), vec![0, 2]);
        assert_eq!(filter_indices(s, &rows, &natural, "", "Available"), vec![1]);
        assert_eq!(
            filter_indices(s, &rows, &natural, "web", "In_use"),
            vec![0, 2]
        );
        let by_size = order(&rows, "Size", true);
        let sizes: Vec<_> = by_size
            .iter()
            .map(|&i| rows[i]["Size"].as_u64().unwrap())
            .collect();
        assert_eq!(sizes, vec![9, 20, 100]);
        // Filtering keeps the sort order.
        assert_eq!(filter_indices(s, &rows, &by_size, "web", ""), vec![2, 0]);
        let by_name = order(&rows, "DiskName", false);
        assert_eq!(rows[by_name[0]]["DiskName"], "web-system");
        // ID and name are matched separately, never across their boundary.
        assert_eq!(filter_indices(s, &rows, &natural, "d-b", ""), vec![1]);
        assert!(filter_indices(s, &rows, &natural, "bbbdb", "").is_empty());
        // Non-ASCII names still match case-insensitively.
        let zh = vec![json!({"DiskId": "d-zzz", "DiskName": "Ünïcode-数据盘", "Status": "In_use"})];
        assert_eq!(filter_indices(s, &zh, &[0], "ünï", ""), vec![0]);
        assert_eq!(filter_keys(&search_keys(s, &zh), &[0], "ÜNÏ", ""), vec![0]);
        assert_eq!(states(s, &rows), vec!["Available", "In_use"]);
        assert_eq!(cell(&rows[0], "Missing"), "—");
        assert_eq!(cell(&rows[0], "Size"), "100");
    }

    #[test]
    fn row_actions_link_prefilled_forms_and_say_why_they_are_disabled() {
        let snaps = spec(Provider::Alibaba, "snapshots");
        let reset = &snaps.row_actions[0];
        let row = json!({"SnapshotId": "s-1", "SourceDiskId": "d-9", "Status": "accomplished"});
        assert_eq!(
            reset.href(Provider::Alibaba, &row, "prod", "cn-hangzhou"),
            "/alibaba/reset-disk?profile=prod&region=cn-hangzhou&disk=d-9&snapshot=s-1"
        );
        let allowed = vec!["ResetDisk".to_string()];
        assert_eq!(reset.unavailable(snaps, &row, &allowed, "prod"), None);
        // Not granted: the policy reason names the action and the profile.
        let why = reset.unavailable(snaps, &row, &[], "prod").unwrap();
        assert!(why.reason().en.contains("ResetDisk") && why.reason().en.contains("prod"));
        assert!(why.reason().zh.contains("ResetDisk"));
        // Granted but the snapshot is still being made: the state reason.
        let busy = json!({"SnapshotId": "s-2", "SourceDiskId": "d-9", "Status": "progressing"});
        let why = reset.unavailable(snaps, &busy, &allowed, "prod").unwrap();
        assert_eq!(
            why,
            Unavailable::State {
                state: "progressing".into()
            }
        );
        assert!(why.reason().en.contains("progressing"));
        // Every row action opens a form that exists, with fields the row has.
        for v in VIEWS {
            for a in v.row_actions {
                assert!(
                    crate::restore::find(v.provider, a.form).is_some() || a.form == "batch",
                    "{}",
                    a.form
                );
                assert!(
                    rewind_cloud::Action::lookup(v.provider, a.action).is_some(),
                    "{}",
                    a.action
                );
            }
        }
    }

    #[test]
    fn the_window_covers_the_viewport_plus_overscan() {
        // 10,000 rows of 33 px, a 660 px viewport: 20 rows shown, 10 above and below.
        assert_eq!(window(10_000, 0.0, 660.0, 33.0, 10), (0, 30));
        assert_eq!(window(10_000, 33.0 * 5000.0, 660.0, 33.0, 10), (4990, 5030));
        assert_eq!(window(10_000, 1e9, 660.0, 33.0, 10), (9989, 10_000));
        assert_eq!(window(3, 0.0, 660.0, 33.0, 10), (0, 3));
        assert_eq!(window(0, 0.0, 660.0, 33.0, 10), (0, 0));
    }

    #[test]
    fn picking_toggles_and_stops_at_the_limit() {
        let mut picked = Vec::new();
        assert!(toggle_pick(&mut picked, "a", 2));
        assert!(toggle_pick(&mut picked, "b", 2));
        assert!(
            !toggle_pick(&mut picked, "c", 2),
            "a third pick past the limit"
        );
        assert_eq!(picked, ["a", "b"]);
        assert!(!toggle_pick(&mut picked, "a", 2), "a second click un-picks");
        assert_eq!(picked, ["b"]);
        assert!(toggle_pick(&mut picked, "c", 2));
        assert_eq!(picked, ["b", "c"]);
    }

    #[test]
    fn only_workspace_snapshots_are_picked_and_they_open_the_restore_form() {
        let picking: Vec<_> = VIEWS.iter().filter(|v| v.pick.is_some()).collect();
        assert_eq!(picking.len(), 1);
        let ws = picking[0];
        assert_eq!((ws.provider, ws.key), (Provider::Huawei, "snapshots"));
        assert_eq!(
            ws.pick.map(|p| p.max),
            Some(rewind_cloud::validate::LIST_MAX)
        );
        let ids = [
            "9a2b0f3e-0000-4000-8000-000000000001",
            "9a2b0f3e-0000-4000-8000-000000000002",
        ]
        .map(String::from);
        let href = ws.pick_href(&ids, "demo", "cn-north-4").unwrap();
        assert_eq!(
            href,
            format!(
                "/huawei/restore?profile=demo&region=cn-north-4&snapshots={},{}",
                ids[0], ids[1]
            )
        );
        // The form reads that key and accepts the list.
        let form = crate::restore::find(Provider::Huawei, "restore").unwrap();
        let loc = crate::router::Location::parse(&href);
        let text = loc.query(form.fields[0].query).unwrap();
        let check = crate::restore::check_field(
            form,
            &form.fields[0],
            &text,
            &rewind_cloud::validate::ValidateOptions::default(),
        );
        assert!(check.is_ok(), "{check:?}");
        assert!(
            VIEWS
                .iter()
                .filter(|v| v.pick.is_none())
                .all(|v| v.pick_href(&ids, "p", "r").is_none())
        );
    }
}
