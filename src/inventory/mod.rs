//! What each cloud's inventory views list and how: the action, where the rows sit in the
//! answer, the columns, and the provider's paging. Pure data and functions, so the
//! filtering, sorting and paging rules are unit-tested natively.

mod actions;
mod rows;
#[cfg(test)]
mod tests;
mod views;

pub use actions::*;
pub use rows::*;
pub use views::{VIEWS, find, views_of};

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
    /// A second field shown after the first, smaller (the ID beside a name).
    pub sub: Option<&'static str>,
    /// The row's tags (either cloud's shape, see [`tags`]), shown as `key=value` chips.
    pub tags: bool,
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
    /// Fields of another list of the same cloud copied into each row (the instance of a
    /// Lighthouse snapshot's disk, the name of an ECS snapshot's disk).
    pub join: Option<Join>,
}

/// Where the fields a [`Join`] copies sit in a row: `joined.InstanceName`.
pub const JOINED: &str = "joined";

/// Another list read once per load, its rows matched to this list's rows by a key and
/// some of their fields copied under [`JOINED`]. A row without a match (or every row,
/// when the other list could not be read) shows `—` there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Join {
    /// The other list: a view key of the same cloud (its action, rows and paging).
    pub list: &'static str,
    /// The field of this list's row that is matched (`DiskId`).
    pub on: &'static str,
    /// The field of the other list's row it is matched with (`SystemDisk.DiskId`).
    pub other: &'static str,
    /// The other row's fields copied (to `joined.<field>`).
    pub copy: &'static [&'static str],
    /// Only the other rows whose field has this value (an ECS instance's `system` disk).
    pub only: Option<(&'static str, &'static str)>,
}

/// At most this many pages of the joined list are read per load.
pub const JOIN_MAX_PAGES: usize = 20;

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

    /// The list a join reads, when the view has one.
    pub fn join_spec(&self) -> Option<&'static ListSpec> {
        let join = self.join?;
        views_of(self.provider).find(|v| v.key == join.list)
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

/// A value a form can be filled with: not absent, not an empty string.
pub(crate) fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        _ => true,
    }
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
