//! [`Machine`]: one operation as plain data, driven by `poll` and `on_answer`. The rules
//! it keeps are listed in the module above; the provider steps say what to send and
//! what an answer means, this file does the retrying, polling, reconciling and records.

use super::*;

/// One operation, as plain data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    id: String,
    plan: Operation,
    options: RunOptions,
    steps: Vec<Step>,
    current: usize,
    run: Run,
    in_flight: Option<InFlight>,
    /// Destructive calls that may have taken effect: never emitted again.
    sent: Vec<Sent>,
    /// The operation's main call has been emitted: no cancelling any more.
    no_return: bool,
    /// That call, to say why a cancel is refused.
    #[serde(default)]
    no_return_action: Option<Action>,
    calls: u32,
    outcome: Option<Outcome>,
}

impl Machine {
    /// A machine for `plan`, identified by `id` (unique per operation: names, client
    /// tokens and idempotency keys derive from it). Every state-changing call's
    /// parameters are validated now.
    pub fn new(id: impl Into<String>, plan: Operation) -> Result<Machine, Vec<FieldError>> {
        Machine::with_options(id, plan, RunOptions::default())
    }

    pub fn with_options(
        id: impl Into<String>,
        plan: Operation,
        options: RunOptions,
    ) -> Result<Machine, Vec<FieldError>> {
        let id = id.into();
        let works = plan.steps(&id);
        let mut errors = plan.option_errors();
        if works.is_empty() {
            errors.push(FieldError {
                field: "plan".into(),
                code: validate::codes::REQUIRED,
                message: Text::new("The plan has nothing to do", "该计划没有任何操作"),
            });
        }
        for (action, params) in works.iter().flat_map(|w| w.get().checks()) {
            if let Err(e) = validate::validate_params(action, &params, &options.validate) {
                errors.extend(e);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let steps = works
            .into_iter()
            .map(|work| Step {
                record: StepRecord {
                    label: work.get().label(),
                    state: StepState::Pending,
                    detail: String::new(),
                    request_ids: Vec::new(),
                    last_read_request_id: None,
                },
                work,
                snapshot_known_ms: None,
            })
            .collect();
        Ok(Machine {
            id,
            plan,
            options,
            steps,
            current: 0,
            run: Run::default(),
            in_flight: None,
            sent: Vec::new(),
            no_return: false,
            no_return_action: None,
            calls: 0,
            outcome: None,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn plan(&self) -> &Operation {
        &self.plan
    }

    pub fn steps(&self) -> impl Iterator<Item = &StepRecord> {
        self.steps.iter().map(|s| &s.record)
    }

    /// The call sent and not yet answered.
    pub fn in_flight(&self) -> Option<&InFlight> {
        self.in_flight.as_ref()
    }

    pub fn is_finished(&self) -> bool {
        self.outcome.is_some()
    }

    /// True until the operation's irreversible call has been emitted.
    pub fn cancellable(&self) -> bool {
        self.outcome.is_none() && !self.no_return
    }

    /// The outcome, once finished.
    pub fn outcome(&self) -> Option<Next> {
        self.outcome.as_ref().map(|o| match o {
            Outcome::Done(s) => Next::Done(s.clone()),
            Outcome::Failed(f) => Next::Failed(f.clone()),
        })
    }

    /// Per desktop, for a Workspace restore.
    pub fn sub_jobs(&self) -> &[huawei::SubJobRecord] {
        self.steps
            .iter()
            .find_map(|s| match &s.work {
                Work::WsRestore(r) => Some(r.sub_jobs()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The Workspace job a restore is following, once the cloud named it: its ID and
    /// the status ShowJob last answered.
    pub fn ws_job(&self) -> Option<huawei::JobRecord> {
        self.steps.iter().find_map(|s| match &s.work {
            Work::WsRestore(r) => r.job(),
            _ => None,
        })
    }

    /// The action `poll(now_ms)` would send, if it would send one (a batch paces by it).
    pub fn due_action(&self, now_ms: u64) -> Option<Action> {
        if self.outcome.is_some()
            || self.in_flight.is_some()
            || self.run.wake_ms.is_some_and(|w| w > now_ms)
        {
            return None;
        }
        let req = self.steps.get(self.current)?.work.get().request();
        match (&req.effect, self.run.reconcile) {
            (Effect::Destructive(r), Some(_)) => Some(r.action),
            _ => Some(req.action),
        }
    }

    /// What to do next at `now_ms`.
    pub fn poll(&mut self, now_ms: u64) -> Next {
        if self.in_flight.is_some() && self.outcome.is_none() {
            self.on_answer(Answer::Unknown, now_ms);
        }
        if let Some(next) = self.outcome() {
            return next;
        }
        if let Some(wake) = self.run.wake_ms {
            if wake > now_ms {
                return Next::Wait { until_ms: wake };
            }
            self.run.wake_ms = None;
        }
        self.calls += 1;
        if self.calls > self.options.max_calls {
            self.fail(Failure::new(
                FailureKind::Internal,
                format!("Stopped after {} calls", self.options.max_calls),
                format!("已调用 {} 次，停止", self.options.max_calls),
            ));
            return self.outcome().unwrap_or(Next::Wait { until_ms: now_ms });
        }
        match self.emit() {
            Ok(call) => Next::Send(call),
            Err(f) => {
                self.fail(*f);
                self.outcome().unwrap_or(Next::Wait { until_ms: now_ms })
            }
        }
    }

    fn emit(&mut self) -> Result<Call, Box<Failure>> {
        let key_base = key_base(&self.id);
        let step_index = self.current;
        let step = &mut self.steps[step_index];
        let req = step.work.get().request();
        let reconciling = self.run.reconcile.is_some();
        let (action, params, destructive, reconcile, phase) = match req.effect {
            Effect::Destructive(rec) if reconciling => {
                (rec.action, rec.params, false, None, "reconcile")
            }
            Effect::Destructive(rec) => (req.action, req.params, true, Some(rec), req.phase),
            Effect::Repeatable => (req.action, req.params, false, None, req.phase),
        };
        let params = validate::validate_params(action, &params, &self.options.validate)
            .map_err(|errors| {
                Box::new(Failure::new(
                    FailureKind::InvalidParams { errors },
                    format!("{} parameters do not validate", action.name()),
                    format!("{} 的参数未通过校验", action.name()),
                ))
            })?
            .params;
        if destructive {
            if self
                .sent
                .iter()
                .any(|s| s.action == action && s.target == req.target)
            {
                return Err(Box::new(Failure::new(
                    FailureKind::Internal,
                    format!(
                        "{} on {} was about to be sent twice; stopped",
                        action.name(),
                        req.target
                    ),
                    format!("{} 即将对 {} 重复发送，已停止", action.name(), req.target),
                )));
            }
            self.sent.push(Sent {
                action,
                target: req.target.clone(),
            });
        }
        if req.main && !reconciling {
            self.no_return = true;
            self.no_return_action = Some(action);
        }
        self.run.sends += 1;
        let idempotency_key = format!("{key_base}.{step_index}.{phase}.{}", self.run.sends);
        step.record.state = StepState::Running;
        self.in_flight = Some(InFlight {
            action,
            target: req.target.clone(),
            destructive,
            reconciling,
            idempotency_key: idempotency_key.clone(),
        });
        Ok(Call {
            action,
            params,
            target: req.target,
            destructive,
            idempotency_key,
            reconcile,
        })
    }

    /// Feeds the answer to the call in flight (an answer with none in flight is ignored).
    pub fn on_answer(&mut self, answer: Answer, now_ms: u64) {
        let Some(fl) = self.in_flight.take() else {
            return;
        };
        let rid = answer.request_id();
        if let (Some(rid), Some(step)) = (rid.clone(), self.steps.get_mut(self.current)) {
            if fl.action.mutates() && !fl.reconciling {
                step.record.request_ids.push(rid);
            } else {
                step.record.last_read_request_id = Some(rid);
            }
        }
        if self.outcome.is_some() {
            return; // cancelled meanwhile: the answer is only recorded
        }
        if fl.reconciling {
            return self.on_reconcile_answer(&fl, answer, now_ms);
        }
        match answer {
            Answer::Ok { data, .. } => {
                self.run.failures = 0;
                let flow = self.work_mut().on_ok(&data, rid.as_deref());
                self.apply(flow, now_ms);
            }
            Answer::CloudError {
                code,
                message,
                request_id,
                retryable,
                throttled,
            } => {
                if throttled || is_throttle_code(&code) {
                    self.unsend(&fl);
                    return self.retry(fl.action, false, code, now_ms);
                }
                if let Some(flow) = self.work_mut().on_refused(&code) {
                    return self.apply(flow, now_ms);
                }
                match (fl.destructive, retryable) {
                    // A server-side error may hide an effect: settle it by reading.
                    (true, true) => self.begin_reconcile(now_ms),
                    (false, true) => self.retry(fl.action, false, code, now_ms),
                    (_, false) => {
                        let explained = crate::catalog::explain(self.plan.provider(), &code, 400);
                        let (en, zh) = match explained.matched {
                            Some(_) => (
                                format!(" {}", explained.meaning.en),
                                explained.meaning.zh.clone(),
                            ),
                            None => (String::new(), String::new()),
                        };
                        self.fail(Failure::new(
                            FailureKind::Refused {
                                action: fl.action,
                                code: code.clone(),
                                message: message.clone(),
                                request_id,
                            },
                            format!("{} was refused: {code}: {message}.{en}", fl.action.name()),
                            format!("{} 被拒绝：{code}：{message}。{zh}", fl.action.name()),
                        ));
                    }
                }
            }
            Answer::NotSent => {
                self.unsend(&fl);
                self.retry(fl.action, false, "not sent".into(), now_ms);
            }
            Answer::Unknown if fl.destructive => self.begin_reconcile(now_ms),
            Answer::Unknown => self.retry(fl.action, false, "no answer".into(), now_ms),
        }
    }

    fn on_reconcile_answer(&mut self, fl: &InFlight, answer: Answer, now_ms: u64) {
        let reads = self.run.reconcile.unwrap_or(0);
        match answer {
            Answer::Ok { data, .. } => {
                self.run.failures = 0;
                if let Some(flow) = self.work_mut().on_reconcile(&data) {
                    self.run.reconcile = None;
                    return self.apply(flow, now_ms);
                }
                let reads = reads + 1;
                self.run.reconcile = Some(reads);
                if reads >= self.options.reconcile_reads {
                    self.fail_unknown("the cloud's state does not show it", "云上状态未显示其结果");
                } else {
                    self.run.wake_ms = Some(now_ms + backoff_ms(reads));
                }
            }
            Answer::CloudError { code, .. } => self.retry(fl.action, true, code, now_ms),
            Answer::NotSent | Answer::Unknown => {
                self.retry(fl.action, true, "no answer".into(), now_ms)
            }
        }
    }

    fn fail_unknown(&mut self, why_en: &str, why_zh: &str) {
        let step = &self.steps[self.current];
        let req = step.work.get().request();
        let (action, target) = (req.action, req.target);
        self.fail(Failure::new(
            FailureKind::OutcomeUnknown {
                action,
                target: target.clone(),
            },
            format!(
                "The outcome of {} on {target} is unknown: the answer was lost and {why_en}. It was not sent again; check {target} in the cloud console.",
                action.name()
            ),
            format!(
                "{} 对 {target} 的结果未知：应答丢失，且{why_zh}。未重复发送；请在云控制台检查 {target}。",
                action.name()
            ),
        ));
    }

    fn work_mut(&mut self) -> &mut dyn StepWork {
        self.steps[self.current].work.get_mut()
    }

    /// A destructive call certainly not carried out may be emitted again.
    fn unsend(&mut self, fl: &InFlight) {
        if fl.destructive {
            self.sent
                .retain(|s| !(s.action == fl.action && s.target == fl.target));
        }
    }

    fn begin_reconcile(&mut self, now_ms: u64) {
        self.run.reconcile = Some(0);
        self.run.failures = 0;
        self.run.wake_ms = Some(now_ms + backoff_ms(0));
    }

    fn retry(&mut self, action: Action, reconciling: bool, last: String, now_ms: u64) {
        self.run.failures += 1;
        if self.run.failures < self.options.max_attempts {
            self.run.wake_ms = Some(now_ms + backoff_ms(self.run.failures - 1));
            return;
        }
        if reconciling {
            return self.fail_unknown("its state could not be read", "无法读取其状态");
        }
        self.fail(Failure::new(
            FailureKind::RetriesExhausted {
                action,
                last: last.clone(),
            },
            format!(
                "{} failed {} times in a row (last: {last})",
                action.name(),
                self.run.failures
            ),
            format!(
                "{} 连续失败 {} 次（最后一次：{last}）",
                action.name(),
                self.run.failures
            ),
        ));
    }

    fn apply(&mut self, flow: Flow, now_ms: u64) {
        // The answer just read may have named the snapshot the step creates: note when.
        if let Some(step) = self.steps.get_mut(self.current)
            && step.snapshot_known_ms.is_none()
            && step.work.get().created_snapshot().is_some()
        {
            step.snapshot_known_ms = Some(now_ms);
        }
        match flow {
            Flow::Next => {
                self.run = Run {
                    sends: self.run.sends,
                    ..Run::default()
                };
            }
            Flow::Continue => self.run.wake_ms = None,
            Flow::Poll(detail) => {
                self.steps[self.current].record.detail = detail;
                let since = *self.run.poll_since_ms.get_or_insert(now_ms);
                if now_ms.saturating_sub(since) >= self.options.poll_deadline_ms {
                    let label = self.steps[self.current].record.label.clone();
                    let min = self.options.poll_deadline_ms.div_ceil(60_000);
                    return self.fail(Failure::new(
                        FailureKind::Deadline,
                        format!(
                            "{}: still not finished after {min} min; Rewind stopped watching (the cloud carries on). Check the cloud console.",
                            label.en
                        ),
                        format!(
                            "{}：{min} 分钟后仍未完成；Rewind 已停止跟踪（云上操作仍在继续），请在云控制台查看。",
                            label.zh
                        ),
                    ));
                }
                self.run.wake_ms = Some(now_ms + backoff_ms(self.run.polls));
                self.run.polls += 1;
            }
            Flow::Retry(why) => {
                let action = self.steps[self.current].work.get().request().action;
                self.retry(action, false, why, now_ms);
            }
            Flow::Reconcile => self.begin_reconcile(now_ms),
            Flow::Done(detail) => {
                let record = &mut self.steps[self.current].record;
                record.state = StepState::Done;
                record.detail = detail;
                self.current += 1;
                self.run = Run::default();
                if self.current == self.steps.len() {
                    self.outcome = Some(Outcome::Done(self.summary()));
                }
            }
            Flow::Fail(f) => self.fail(f),
        }
    }

    fn fail(&mut self, mut failure: Failure) {
        if let Some(step) = self.steps.get_mut(self.current) {
            step.record.state = StepState::Failed;
            // The last poll's detail ("RUNNING 3/4") would outlive the end it led to.
            if let Some(detail) = step.work.get().final_detail() {
                step.record.detail = detail;
            }
            failure.step.get_or_insert(self.current);
        }
        self.run.wake_ms = None;
        self.outcome = Some(Outcome::Failed(failure));
    }

    /// The safety snapshot the operation took, once its step knows the snapshot's ID.
    fn safety_snapshot(&self) -> Option<TakenSnapshot> {
        self.steps.iter().find_map(|s| {
            let work = s.work.get();
            Some(TakenSnapshot {
                id: work.created_snapshot()?.to_string(),
                name: work.safety_snapshot_name()?.to_string(),
                taken_at_ms: s.snapshot_known_ms?,
            })
        })
    }

    fn summary(&self) -> Summary {
        let created_snapshots: Vec<String> = self
            .steps
            .iter()
            .filter_map(|s| s.work.get().created_snapshot().map(str::to_string))
            .collect();
        let (en, zh) = match &self.plan {
            Operation::LhRollback(p) => (
                format!("{} rolled back to {}", p.instance_id, p.snapshot_id),
                format!("{} 已回滚到 {}", p.instance_id, p.snapshot_id),
            ),
            Operation::EcsResetDisk(p) => (
                format!("{} reset to {}", p.disk_id, p.snapshot_id),
                format!("{} 已重置为 {}", p.disk_id, p.snapshot_id),
            ),
            Operation::LhCreateSnapshot(_) | Operation::EcsCreateSnapshot(_) => (
                format!("Snapshot {} created", created_snapshots.join(", ")),
                format!("快照 {} 已创建", created_snapshots.join("、")),
            ),
            Operation::LhPower(tencent::PowerPlan {
                instance_id, power, ..
            })
            | Operation::EcsPower(alibaba::PowerPlan {
                instance_id, power, ..
            }) => match power {
                Power::Start => (
                    format!("{instance_id} started"),
                    format!("{instance_id} 已启动"),
                ),
                Power::Stop => (
                    format!("{instance_id} stopped"),
                    format!("{instance_id} 已停止"),
                ),
            },
            Operation::WsRestore(p) => (
                format!("{} desktop snapshot(s) restored", p.snapshots.len()),
                format!("已恢复 {} 个桌面快照", p.snapshots.len()),
            ),
        };
        Summary {
            message: Text::new(en, zh),
            created_snapshots,
            safety_snapshot: self.safety_snapshot(),
        }
    }

    /// Cancels the operation, which is allowed until its irreversible call has been
    /// emitted. A safety snapshot already taken stays.
    pub fn cancel(&mut self) -> Result<(), Text> {
        if self.outcome.is_some() {
            return Err(Text::new(
                "The operation has already finished",
                "该操作已结束",
            ));
        }
        if self.no_return {
            let action = self.no_return_action.map_or("", Action::name);
            return Err(Text::new(
                format!(
                    "{action} has been sent to the cloud and cannot be called back; wait for it to finish"
                ),
                format!("{action} 已发送到云端，无法撤回；请等待其完成"),
            ));
        }
        self.fail(Failure::new(
            FailureKind::Cancelled,
            "Cancelled before anything irreversible was sent",
            "已在发送不可逆操作前取消",
        ));
        Ok(())
    }
}

/// The operation id as it appears in idempotency keys: itself when short and visible
/// ASCII, else a hash of it.
fn key_base(op_id: &str) -> String {
    if (1..=80).contains(&op_id.len()) && op_id.chars().all(|c| c.is_ascii_graphic()) {
        op_id.to_string()
    } else {
        crate::sign::sha256_hex(op_id.as_bytes())[..32].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lh_rollback() -> Operation {
        Operation::LhRollback(tencent::RollbackPlan {
            instance_id: "lhins-k31c771o".into(),
            snapshot_id: "lhsnap-nv6aqcv6".into(),
            safety_snapshot: None,
            start_afterwards: false,
        })
    }

    #[test]
    fn plans_are_validated_when_the_machine_is_made() {
        let bad = Operation::LhRollback(tencent::RollbackPlan {
            instance_id: "lhins-BAD".into(),
            snapshot_id: "lhsnap-nv6aqcv6".into(),
            safety_snapshot: None,
            start_afterwards: false,
        });
        let errors = Machine::new("op-1", bad).unwrap_err();
        assert!(errors.iter().any(|e| e.field == "InstanceId"), "{errors:?}");
        assert!(Machine::new("op-1", lh_rollback()).is_ok());
    }

    #[test]
    fn a_poll_without_an_answer_counts_the_call_as_lost() {
        let mut m = Machine::new("op-1", lh_rollback()).unwrap();
        let Next::Send(first) = m.poll(0) else {
            panic!()
        };
        assert_eq!(first.action, Action::LhDescribeInstances);
        // A read whose answer is lost is simply retried after back-off.
        assert_eq!(m.poll(0), Next::Wait { until_ms: 500 });
        let Next::Send(again) = m.poll(500) else {
            panic!()
        };
        assert_eq!(again.action, first.action);
        assert_ne!(again.idempotency_key, first.idempotency_key);
    }

    #[test]
    fn throttling_is_retried_and_other_refusals_end_the_operation() {
        let mut m = Machine::new("op-1", lh_rollback()).unwrap();
        let Next::Send(_) = m.poll(0) else { panic!() };
        m.on_answer(
            Answer::CloudError {
                code: "RequestLimitExceeded".into(),
                message: String::new(),
                request_id: Some("r-1".into()),
                retryable: false,
                throttled: false,
            },
            0,
        );
        assert_eq!(m.poll(0), Next::Wait { until_ms: 500 });
        let Next::Send(_) = m.poll(500) else { panic!() };
        m.on_answer(
            Answer::CloudError {
                code: "AuthFailure.SignatureFailure".into(),
                message: "bad".into(),
                request_id: None,
                retryable: false,
                throttled: false,
            },
            500,
        );
        let Next::Failed(f) = m.poll(600) else {
            panic!()
        };
        assert!(
            matches!(f.kind, FailureKind::Refused { ref code, .. } if code == "AuthFailure.SignatureFailure")
        );
        assert_eq!(f.step, Some(0));
        assert_eq!(
            m.steps().next().unwrap().last_read_request_id.as_deref(),
            Some("r-1")
        );
    }

    #[test]
    fn retries_are_bounded() {
        let options = RunOptions {
            max_attempts: 3,
            ..RunOptions::default()
        };
        let mut m = Machine::with_options("op-1", lh_rollback(), options).unwrap();
        let mut now = 0;
        for _ in 0..3 {
            let Next::Send(_) = m.poll(now) else { panic!() };
            m.on_answer(Answer::NotSent, now);
            if let Next::Wait { until_ms } = m.poll(now) {
                now = until_ms;
            }
        }
        let Next::Failed(f) = m.poll(now) else {
            panic!()
        };
        assert!(matches!(f.kind, FailureKind::RetriesExhausted { .. }));
    }

    #[test]
    fn ids_in_keys_and_names_are_bounded_and_deterministic() {
        assert_eq!(key_base("op-1"), "op-1");
        let long = "x".repeat(200);
        assert_eq!(key_base(&long).len(), 32);
        assert_eq!(key_base(&long), key_base(&long));
        assert_eq!(short_id("b7.3"), "b7.3");
        assert_eq!(short_id("6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b").len(), 16);
        assert!(safety_name(&long, "rollback").len() <= 60);
        assert!(is_throttle_code("Throttling.User"));
        assert!(is_throttle_code("RequestLimitExceeded.UinLimitExceeded"));
        assert!(!is_throttle_code("InternalError"));
    }

    #[test]
    fn the_request_id_comes_from_the_answer_or_its_data() {
        assert_eq!(
            Answer::ok(json!({"RequestId": "abc"}))
                .request_id()
                .as_deref(),
            Some("abc")
        );
        assert_eq!(
            Answer::Ok {
                data: json!({"RequestId": "abc"}),
                request_id: Some("hdr".into())
            }
            .request_id()
            .as_deref(),
            Some("hdr")
        );
        assert_eq!(Answer::ok(json!({"job_id": "j"})).request_id(), None);
    }
}
