//! What a row offers: links to the restore forms filled from the row, and power
//! operations; and why one is not available for a row.

use super::*;
use rewind_cloud::operation::power::StopMode;
use rewind_cloud::operation::{Operation, Power, PowerPlan};
use serde_json::Value;

/// What a row action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// Opens a form (or another list of the cloud), pre-filled from the row.
    Link,
    /// Starts or stops the row's instance as an operation, once confirmed.
    Power(Power),
}

/// A row's link to a restore form, or an operation on the row's instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowAction {
    /// The form's (or list's) URL segment (`rollback`, `reset-disk`, `disks`, …); for a
    /// power action, its name (`stop`, `start`). Buttons are `action-<form>`.
    pub form: &'static str,
    pub label: Msg,
    /// The provider action the form ends in (checked against the user's grants).
    pub action: &'static str,
    /// (query key of the form, row field): what the row pre-fills.
    pub fill: &'static [(&'static str, &'static str)],
    /// The row states in which the action is possible (empty: any).
    pub states: &'static [&'static str],
    pub kind: ActionKind,
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
    /// The row lacks what the form needs: its query `key` (a snapshot whose disk belongs
    /// to no instance has no instance to roll back).
    Missing { key: &'static str },
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
        if self.kind == ActionKind::Link
            && let Some((key, _)) = self
                .fill
                .iter()
                .find(|(_, field)| !present(value_at(row, field)))
        {
            return Some(Unavailable::Missing { key });
        }
        None
    }

    /// The operation a confirmed power action runs on `row`'s instance, named by the
    /// row's name; `None` for a link.
    pub fn power_plan(&self, spec: &ListSpec, row: &Value, stop: StopMode) -> Option<Operation> {
        let ActionKind::Power(power) = self.kind else {
            return None;
        };
        let id = value_at(row, spec.id_field)
            .as_str()
            .filter(|s| !s.is_empty())?;
        let name = value_at(row, spec.name_field)
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .map(str::to_string);
        let plan = PowerPlan {
            instance_id: id.to_string(),
            power,
            // Only ECS takes stop options, and only a stop reads them.
            stop: if spec.provider == Provider::Alibaba && power == Power::Stop {
                stop
            } else {
                StopMode::default()
            },
            instance_name: name,
        };
        match spec.provider {
            Provider::Tencent => Some(Operation::LhPower(plan)),
            Provider::Alibaba => Some(Operation::EcsPower(plan)),
            Provider::Huawei => None,
        }
    }
}

impl Unavailable {
    /// The reason shown on hover and focus.
    pub fn reason(&self) -> rewind_cloud::Text {
        match self {
            Unavailable::Policy { action, profile } => rewind_cloud::Text::new(
                format!("Your grants do not include {action} on the profile {profile}"),
                format!("您的权限不包含在云账号 {profile} 上执行 {action}"),
            ),
            Unavailable::State { state } => rewind_cloud::Text::new(
                format!("Not possible while the state is {state}"),
                format!("当前状态为 {state}，无法执行"),
            ),
            Unavailable::Missing { key: "instance" } => rewind_cloud::Text::new(
                "No instance in this region uses this snapshot's disk",
                "此快照的云盘不属于本地域的任何实例",
            ),
            Unavailable::Missing { key } => rewind_cloud::Text::new(
                format!("This row has no {key} to fill the form with"),
                format!("此行没有可填入表单的 {key}"),
            ),
        }
    }
}

pub(super) const fn act(
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
        kind: ActionKind::Link,
    }
}

/// Start or stop the row's instance (`form` names the button: `action-stop`).
pub(super) const fn power(
    form: &'static str,
    label: Msg,
    action: &'static str,
    power: Power,
    states: &'static [&'static str],
) -> RowAction {
    RowAction {
        form,
        label,
        action,
        fill: &[],
        states,
        kind: ActionKind::Power(power),
    }
}
