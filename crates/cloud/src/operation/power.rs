//! Start or stop an instance and wait until it is there: the same step on Lighthouse
//! (StartInstances / StopInstances) and ECS (StartInstance / StopInstance). What
//! differs, the calls and how an instance reads, is in the provider modules
//! ([`super::tencent::power_calls`], [`super::alibaba::power_calls`]).
//!
//! Reconcile after a lost answer: the instance is on its way to, or at, the state asked
//! for, or (Lighthouse) its `LatestOperation` is a new call of the action.

use super::{
    Failure, Flow, Power, Reconcile, Request, StepWork, alibaba, gone, tencent, unreadable,
};
use crate::action::Action;
use crate::i18n::Text;
use crate::provider::Provider;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What an instance's `LatestOperation*` said (Lighthouse; empty on ECS): a change in
/// it is evidence that a call took effect.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OpMark {
    pub operation: Option<String>,
    pub request_id: Option<String>,
    pub started: Option<String>,
}

/// Where an instance is, seen from a start or a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    /// Where the call takes it (RUNNING / Running for a start).
    There,
    /// On the way there (STARTING / Starting).
    OnTheWay,
    /// Where the call starts from (STOPPED / Stopped for a start).
    From,
    /// In some other transition (PENDING, STOPPING for a start, REBOOTING).
    Moving,
    /// Somewhere the call cannot start from (SHUTDOWN, RESCUE_MODE, …).
    Elsewhere,
}

/// An instance as a power step reads it.
pub(crate) struct Seen {
    pub state: String,
    pub position: Position,
    /// An operation is running on it (Lighthouse `LatestOperationState` OPERATING).
    pub operating: bool,
    /// Its latest operation failed.
    pub failed: bool,
    pub mark: OpMark,
    /// Why nothing may be done to it (ECS security lock).
    pub blocked: Option<Failure>,
}

/// The calls of a power step: the read of the instance and the call itself.
pub(crate) struct PowerCalls {
    pub describe: (Action, Value),
    pub send: (Action, Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PowerPhase {
    /// Already there: done. Moving: wait. Otherwise note `LatestOperation*` and send.
    Check,
    Send,
    Wait,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerStep {
    provider: Provider,
    instance_id: String,
    power: Power,
    /// The operation is this start or stop (its point of no return).
    main: bool,
    phase: PowerPhase,
    before: Option<OpMark>,
    /// ECS stop options (`ForceStop`, `StoppedMode`).
    #[serde(default)]
    stop: StopMode,
    /// For the label only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance_name: Option<String>,
}

/// How an ECS instance is stopped: the console's choices, the provider's parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopMode {
    /// `ForceStop=true`: like pulling the plug (data not yet written may be lost).
    #[serde(default)]
    pub force: bool,
    /// `StoppedMode`: `KeepCharging` or `StopCharging` (pay-as-you-go in a VPC).
    #[serde(default)]
    pub stopped_mode: Option<StoppedMode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoppedMode {
    KeepCharging,
    StopCharging,
}

impl StoppedMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StoppedMode::KeepCharging => "KeepCharging",
            StoppedMode::StopCharging => "StopCharging",
        }
    }
}

impl PowerStep {
    /// With ECS stop options (ignored for a start).
    pub(crate) fn with_stop_mode(mut self, stop: StopMode) -> PowerStep {
        self.stop = stop;
        self
    }

    /// Named in its label as "web-2 (i-…)".
    pub(crate) fn with_name(mut self, name: Option<&str>) -> PowerStep {
        self.instance_name = name.filter(|n| !n.trim().is_empty()).map(str::to_string);
        self
    }

    pub(crate) fn new(
        provider: Provider,
        instance_id: &str,
        power: Power,
        main: bool,
    ) -> PowerStep {
        PowerStep {
            provider,
            instance_id: instance_id.to_string(),
            power,
            main,
            phase: PowerPhase::Check,
            before: None,
            stop: StopMode::default(),
            instance_name: None,
        }
    }

    pub(super) fn calls(&self) -> PowerCalls {
        match self.provider {
            Provider::Tencent => tencent::power_calls(&self.instance_id, self.power),
            _ => alibaba::power_calls(&self.instance_id, self.power, &self.stop),
        }
    }

    /// `None`: the answer could not be read; `Some(None)`: the instance is not listed.
    fn seen(&self, data: &Value) -> Option<Option<Seen>> {
        match self.provider {
            Provider::Tencent => tencent::power_seen(data, &self.instance_id, self.power),
            _ => alibaba::power_seen(data, &self.instance_id, self.power),
        }
    }

    /// A new call of this step's action is the instance's latest operation.
    fn new_call(&self, s: &Seen) -> bool {
        s.mark.operation.as_deref() == Some(self.calls().send.0.name())
            && self.before.as_ref() != Some(&s.mark)
    }
}

impl StepWork for PowerStep {
    fn label(&self) -> Text {
        let id = match &self.instance_name {
            Some(name) => format!("{name} ({})", self.instance_id),
            None => self.instance_id.clone(),
        };
        match self.power {
            Power::Start => Text::new(format!("Start {id}"), format!("启动 {id}")),
            Power::Stop => Text::new(format!("Stop {id}"), format!("停止 {id}")),
        }
    }

    fn request(&self) -> Request {
        let id = &self.instance_id;
        let PowerCalls { describe, send } = self.calls();
        match self.phase {
            PowerPhase::Check => Request::read(describe.0, &describe.1, id, "check"),
            PowerPhase::Wait => Request::read(describe.0, &describe.1, id, "wait"),
            PowerPhase::Send => {
                let (en, zh) = match self.power {
                    Power::Start => ("starting or running", "正在启动或已运行"),
                    Power::Stop => ("stopping or stopped", "正在停止或已停止"),
                };
                let reconcile = Reconcile {
                    action: describe.0,
                    params: describe.1,
                    evidence: Text::new(format!("{id} is {en}"), format!("{id} {zh}")),
                };
                Request::destructive(send.0, &send.1, id, "send", reconcile).main(self.main)
            }
        }
    }

    fn on_ok(&mut self, data: &Value, _request_id: Option<&str>) -> Flow {
        let id = self.instance_id.clone();
        if self.phase == PowerPhase::Send {
            self.phase = PowerPhase::Wait;
            return Flow::Next;
        }
        let mut s = match self.seen(data) {
            None => return unreadable(self.calls().describe.0),
            Some(None) => return gone("instance", "实例", &id),
            Some(Some(s)) => s,
        };
        if let (PowerPhase::Check, Some(why)) = (self.phase, s.blocked.take()) {
            return Flow::Fail(why);
        }
        let action = self.calls().send.0.name();
        match (self.phase, s.position) {
            (PowerPhase::Check, Position::There) if !s.operating => {
                Flow::Done(format!("already {}", s.state))
            }
            (PowerPhase::Check, Position::From) if !s.operating => {
                self.before = Some(s.mark);
                self.phase = PowerPhase::Send;
                Flow::Next
            }
            (PowerPhase::Check, Position::Elsewhere) if !s.operating => Flow::Fail(Failure::state(
                format!("{id} is {}; {action} cannot be applied to it", s.state),
                format!("{id} 的状态为 {}，无法执行 {action}", s.state),
            )),
            (PowerPhase::Check, _) => Flow::Poll(s.state),
            _ if s.failed && self.new_call(&s) => Flow::Fail(Failure::state(
                format!("{action} on {id} failed"),
                format!("{action} 对 {id} 执行失败"),
            )),
            (_, Position::There) => Flow::Done(s.state),
            // Not there yet (or the call has not shown yet): the deadline bounds this.
            _ => Flow::Poll(s.state),
        }
    }

    fn on_reconcile(&mut self, data: &Value) -> Option<Flow> {
        let s = self.seen(data)??;
        let arrived = matches!(s.position, Position::There | Position::OnTheWay);
        if !arrived && !self.new_call(&s) {
            return None;
        }
        self.phase = PowerPhase::Wait;
        Some(Flow::Next)
    }

    fn checks(&self) -> Vec<(Action, Value)> {
        vec![self.calls().send]
    }
}
