//! Running operations: each restore, snapshot or stop the user starts becomes an
//! [`OpRecord`] in a context created by `App`, so it keeps running and stays visible
//! when the user navigates away (the operations drawer lists them). A task drives each
//! one step by step through `api::call` and polls the live state with back-off.

use crate::api::{self, Answer, ApiError};
use crate::restore::{self, Kind, Progress, SubJob};
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::{Provider, Text};
use serde_json::{Value, json};

/// Where one step of an operation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Running,
    Done,
    Failed,
}

/// One step: "Take a snapshot of lhins-…", "Roll back", "Start the instance".
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: Text,
    pub state: StepState,
    /// The latest state read while polling (`ROLLBACKING · STOPPED`).
    pub detail: String,
    pub request_id: Option<String>,
}

/// The overall state of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpStatus {
    Running,
    Succeeded,
    Failed,
}

/// One operation as the console shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpRecord {
    pub id: u64,
    pub provider: Provider,
    pub profile: String,
    pub region: String,
    pub title: Text,
    /// The instance, disk or batch it acts on.
    pub target: String,
    pub started_ms: f64,
    pub finished_ms: Option<f64>,
    pub status: OpStatus,
    pub steps: Vec<Step>,
    /// Per desktop, for a Workspace batch.
    pub sub_jobs: Vec<SubJob>,
    pub error: Option<ApiError>,
    /// A failure that is not an API error (the job failed, the state went wrong).
    pub failure: Option<String>,
}

/// The operations of this browser tab, newest first.
#[derive(Debug, Clone, Copy)]
pub struct Ops(pub RwSignal<Vec<OpRecord>>);

impl Ops {
    pub fn new() -> Ops {
        Ops(RwSignal::new(Vec::new()))
    }

    fn update(self, id: u64, f: impl FnOnce(&mut OpRecord)) {
        self.0.update(|all| {
            if let Some(op) = all.iter_mut().find(|o| o.id == id) {
                f(op);
            }
        });
    }

    pub fn get(self, id: u64) -> Option<OpRecord> {
        self.0.with(|all| all.iter().find(|o| o.id == id).cloned())
    }

    pub fn running(self) -> usize {
        self.0
            .with(|all| all.iter().filter(|o| o.status == OpStatus::Running).count())
    }
}

impl Default for Ops {
    fn default() -> Ops {
        Ops::new()
    }
}

/// The operations context provided by `App` (a fresh one outside it, for tests).
pub fn use_ops() -> Ops {
    use_context::<Ops>().unwrap_or_default()
}

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// One of the restore forms, with the options of its confirmation.
    Form {
        kind: Kind,
        params: Value,
        /// Take a snapshot of the target first.
        snapshot_first: bool,
        /// Start this instance once the rollback has finished.
        start_after: Option<String>,
    },
    /// The pre-flight fix: stop an instance and wait until it is stopped.
    StopInstance { instance_id: String },
}

/// Where the operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub provider: Provider,
    pub profile: String,
    pub region: String,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Sleeps without blocking the page.
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Starts `plan` and returns the id of its record.
pub fn start(ops: Ops, target: Target, title: Text, what: String, plan: Plan) -> u64 {
    let id = ops
        .0
        .with_untracked(|all| all.iter().map(|o| o.id).max().unwrap_or(0) + 1);
    ops.0.update(|all| {
        all.insert(
            0,
            OpRecord {
                id,
                provider: target.provider,
                profile: target.profile.clone(),
                region: target.region.clone(),
                title,
                target: what,
                started_ms: now_ms(),
                finished_ms: None,
                status: OpStatus::Running,
                steps: Vec::new(),
                sub_jobs: Vec::new(),
                error: None,
                failure: None,
            },
        )
    });
    let run = Run { ops, id, target };
    spawn_local(async move {
        let outcome = run.plan(plan).await;
        run.ops.update(run.id, |op| {
            op.finished_ms = Some(now_ms());
            match outcome {
                Ok(()) => op.status = OpStatus::Succeeded,
                Err(Stop::Api(e)) => {
                    op.status = OpStatus::Failed;
                    op.error = Some(e);
                }
                Err(Stop::Failed(why)) => {
                    op.status = OpStatus::Failed;
                    op.failure = Some(why);
                }
            }
            if let Some(step) = op.steps.last_mut()
                && step.state == StepState::Running
            {
                step.state = if op.status == OpStatus::Succeeded {
                    StepState::Done
                } else {
                    StepState::Failed
                };
            }
        });
    });
    id
}

/// Why an operation stopped early.
enum Stop {
    Api(ApiError),
    Failed(String),
}

impl From<ApiError> for Stop {
    fn from(e: ApiError) -> Stop {
        Stop::Api(e)
    }
}

/// How long a step may poll before the console stops watching (the cloud carries on).
const POLL_LIMIT_MS: f64 = 30.0 * 60.0 * 1000.0;

struct Run {
    ops: Ops,
    id: u64,
    target: Target,
}

impl Run {
    async fn call(&self, action: &str, params: Value) -> Result<Answer, ApiError> {
        api::call(&self.target.profile, &self.target.region, action, params).await
    }

    fn begin(&self, label: Text) {
        self.ops.update(self.id, |op| {
            if let Some(last) = op.steps.last_mut()
                && last.state == StepState::Running
            {
                last.state = StepState::Done;
            }
            op.steps.push(Step {
                label,
                state: StepState::Running,
                detail: String::new(),
                request_id: None,
            });
        });
    }

    fn note(&self, detail: String, request_id: Option<String>) {
        self.ops.update(self.id, |op| {
            if let Some(step) = op.steps.last_mut() {
                step.detail = detail;
                if request_id.is_some() {
                    step.request_id = request_id;
                }
            }
        });
    }

    /// Sends the mutating call of the current step.
    async fn send(&self, action: &str, params: Value) -> Result<Answer, Stop> {
        let answer = self.call(action, params).await?;
        self.note(String::new(), answer.request_id.clone());
        Ok(answer)
    }

    /// Reads with `action` until `judge` says done or failed (see [`Run::poll_with`]).
    async fn poll(
        &self,
        action: &str,
        params: Value,
        judge: impl Fn(&Value) -> Progress,
    ) -> Result<(), Stop> {
        let judge = &judge;
        self.poll_with(|| {
            let params = params.clone();
            async move { Ok(judge(&self.call(action, params).await?.data)) }
        })
        .await
    }

    /// Calls `read` until it says done or failed, backing off between reads and noting
    /// where the step is. A failed read is retried (reads are safe to repeat) until the
    /// limit, after which the console stops watching (the cloud carries on).
    async fn poll_with<F, Fut>(&self, mut read: F) -> Result<(), Stop>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Progress, ApiError>>,
    {
        let started = now_ms();
        let mut attempt = 0u32;
        loop {
            match read().await {
                Ok(Progress::Done) => {
                    self.note(String::new(), None);
                    return Ok(());
                }
                Ok(Progress::Failed(why)) => return Err(Stop::Failed(why)),
                Ok(Progress::Running(detail)) => self.note(detail, None),
                Err(e) if now_ms() - started > POLL_LIMIT_MS => return Err(e.into()),
                Err(_) => {}
            }
            if now_ms() - started > POLL_LIMIT_MS {
                return Err(Stop::Failed(
                    "still not finished; check the cloud console".into(),
                ));
            }
            sleep_ms(restore::poll_delay_ms(attempt)).await;
            attempt += 1;
        }
    }

    async fn plan(&self, plan: Plan) -> Result<(), Stop> {
        match plan {
            Plan::StopInstance { instance_id } => self.stop_instance(&instance_id).await,
            Plan::Form {
                kind,
                params,
                snapshot_first,
                start_after,
            } => {
                match kind {
                    Kind::LhRollback => {
                        let inst = params["InstanceId"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        let snap = params["SnapshotId"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        if snapshot_first {
                            self.lh_snapshot(&inst, json!({"InstanceId": inst, "SnapshotName": auto_name("before-rollback")}))
                                .await?;
                        }
                        self.begin(Text::new(
                            format!("Roll back {inst} to {snap}"),
                            format!("将 {inst} 回滚到 {snap}"),
                        ));
                        self.send("ApplyInstanceSnapshot", params.clone()).await?;
                        self.poll_lh_rollback(&inst, &snap).await?;
                    }
                    Kind::LhCreateSnapshot => {
                        let inst = params["InstanceId"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        self.lh_snapshot(&inst, params.clone()).await?;
                    }
                    Kind::EcsResetDisk => {
                        let disk = params["DiskId"].as_str().unwrap_or_default().to_string();
                        let snap = params["SnapshotId"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        if snapshot_first {
                            self.ecs_snapshot(
                                &disk,
                                json!({"DiskId": disk, "SnapshotName": auto_name("before-reset")}),
                            )
                            .await?;
                        }
                        self.begin(Text::new(
                            format!("Reset {disk} to {snap}"),
                            format!("将 {disk} 重置为 {snap}"),
                        ));
                        self.send("ResetDisk", params.clone()).await?;
                        self.poll(
                            "DescribeDisks",
                            json!({"DiskIds": [disk]}),
                            |d| match d["Disks"]["Disk"].get(0) {
                                Some(disk) => restore::ecs_reset_progress(disk),
                                None => Progress::Failed("the disk is gone".into()),
                            },
                        )
                        .await?;
                    }
                    Kind::EcsCreateSnapshot => {
                        let disk = params["DiskId"].as_str().unwrap_or_default().to_string();
                        self.ecs_snapshot(&disk, params.clone()).await?;
                    }
                    Kind::WsRestore => self.ws_restore(params.clone()).await?,
                }
                if let Some(inst) = start_after {
                    self.start_instance(&inst).await?;
                }
                Ok(())
            }
        }
    }

    async fn lh_snapshot(&self, inst: &str, params: Value) -> Result<(), Stop> {
        self.begin(Text::new(
            format!("Take a snapshot of {inst}"),
            format!("为 {inst} 创建快照"),
        ));
        let answer = self.send("CreateInstanceSnapshot", params).await?;
        let Some(id) = answer.data["SnapshotId"].as_str().map(str::to_string) else {
            return Err(Stop::Failed("the answer has no SnapshotId".into()));
        };
        self.note(id.clone(), None);
        self.poll(
            "DescribeSnapshots",
            json!({"SnapshotIds": [id]}),
            |d| match d["SnapshotSet"].get(0) {
                Some(s) => restore::snapshot_progress(Provider::Tencent, s),
                None => Progress::Running("…".into()),
            },
        )
        .await
    }

    async fn ecs_snapshot(&self, disk: &str, params: Value) -> Result<(), Stop> {
        self.begin(Text::new(
            format!("Take a snapshot of {disk}"),
            format!("为 {disk} 创建快照"),
        ));
        let answer = self.send("CreateSnapshot", params).await?;
        let Some(id) = answer.data["SnapshotId"].as_str().map(str::to_string) else {
            return Err(Stop::Failed("the answer has no SnapshotId".into()));
        };
        self.note(id.clone(), None);
        self.poll("DescribeSnapshots", json!({"SnapshotIds": [id]}), |d| {
            match d["Snapshots"]["Snapshot"].get(0) {
                Some(s) => restore::snapshot_progress(Provider::Alibaba, s),
                None => Progress::Running("…".into()),
            }
        })
        .await
    }

    async fn poll_lh_rollback(&self, inst: &str, snap: &str) -> Result<(), Stop> {
        self.poll_with(|| async move {
            let i = self
                .call("DescribeInstances", json!({"InstanceIds": [inst]}))
                .await?;
            let s = self
                .call("DescribeSnapshots", json!({"SnapshotIds": [snap]}))
                .await?;
            Ok(
                match (i.data["InstanceSet"].get(0), s.data["SnapshotSet"].get(0)) {
                    (Some(i), Some(s)) => restore::lighthouse_rollback_progress(i, s),
                    _ => Progress::Failed("the instance or the snapshot is gone".into()),
                },
            )
        })
        .await
    }

    async fn stop_instance(&self, inst: &str) -> Result<(), Stop> {
        self.begin(Text::new(format!("Stop {inst}"), format!("停止 {inst}")));
        self.power(inst, false).await
    }

    async fn start_instance(&self, inst: &str) -> Result<(), Stop> {
        self.begin(Text::new(format!("Start {inst}"), format!("启动 {inst}")));
        self.power(inst, true).await
    }

    /// Starts or stops an instance and waits until it is in that state.
    async fn power(&self, inst: &str, on: bool) -> Result<(), Stop> {
        let provider = self.target.provider;
        let (action, params, target) = match (provider, on) {
            (Provider::Tencent, true) => {
                ("StartInstances", json!({"InstanceIds": [inst]}), "RUNNING")
            }
            (Provider::Tencent, false) => {
                ("StopInstances", json!({"InstanceIds": [inst]}), "STOPPED")
            }
            (_, true) => ("StartInstance", json!({"InstanceId": inst}), "Running"),
            (_, false) => ("StopInstance", json!({"InstanceId": inst}), "Stopped"),
        };
        self.send(action, params).await?;
        self.poll("DescribeInstances", json!({"InstanceIds": [inst]}), |d| {
            instance_progress(provider, d, target)
        })
        .await
    }

    async fn ws_restore(&self, params: Value) -> Result<(), Stop> {
        let n = params["snapshot_ids"].as_array().map(Vec::len).unwrap_or(0);
        self.begin(Text::new(
            format!("Restore {n} desktop snapshot(s)"),
            format!("恢复 {n} 个桌面快照"),
        ));
        let answer = self.send("BatchRestoreDesktopSnapshot", params).await?;
        let Some(job) = answer.data["job_id"].as_str().map(str::to_string) else {
            return Err(Stop::Failed("the answer has no job_id".into()));
        };
        self.begin(Text::new(format!("Job {job}"), format!("任务 {job}")));
        let job = &job;
        self.poll_with(|| async move {
            let answer = self.call("ShowJob", json!({"job_id": job})).await?;
            let (progress, subs) = restore::workspace_job_progress(&answer.data);
            self.ops.update(self.id, |op| op.sub_jobs = subs);
            Ok(progress)
        })
        .await
    }
}

fn instance_progress(provider: Provider, data: &Value, target: &str) -> Progress {
    let row = match provider {
        Provider::Tencent => data["InstanceSet"].get(0),
        _ => data["Instances"]["Instance"].get(0),
    };
    match row {
        Some(i) => restore::instance_state_progress(provider, i, target),
        None => Progress::Failed("the instance is gone".into()),
    }
}

/// A snapshot name that says where it came from: `rewind-before-rollback-20261122-2350`.
fn auto_name(what: &str) -> String {
    let iso: String = js_sys::Date::new_0().to_iso_string().into();
    let stamp: String = iso
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(12)
        .collect();
    let (date, time) = stamp.split_at(stamp.len().min(8));
    format!("rewind-{what}-{date}-{time}")
}
