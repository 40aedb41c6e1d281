//! Operations as the console shows them, whichever side runs them: a context created by
//! `App` that holds every operation it knows as an [`OperationView`] (the JSON of the
//! server's operations API), newest first.
//!
//! - Portal mode: operations run on the server (`POST /api/v1/operations`); the list
//!   is kept live by the server's event stream (`/api/v1/operations/events`), with
//!   polling every 2 s when the stream fails, so a reload or another tab shows the same
//!   operations.
//! - Relay mode: they run in this tab (`tab`), which publishes their state here.
//!
//! The views start and cancel through [`Ops::start`] and [`Ops::cancel`] and never ask
//! which mode they are in.

use crate::api::{self, Failure, RequestError};
use crate::clock::{now_ms, sleep_ms};
use crate::tab::saved::TabTask;
use crate::tab::{Runner, Update as TabUpdate};
use crate::transport::{Mode, Transport, use_transport};
use leptos::prelude::*;
use leptos::task::spawn_local;
use rewind_cloud::Text;
use rewind_cloud::operation::TaskPlan;
use rewind_cloud::validate::{FieldError, ValidateOptions};
use rewind_cloud::wire::operations::{NewOperation, OpState, OperationView};
use serde_json::Value;
use std::collections::BTreeSet;
use std::rc::Rc;

/// How often a view without its event stream asks again.
pub const POLL_MS: u64 = 2000;

/// The operations context.
#[derive(Clone, Copy)]
pub struct Ops {
    views: RwSignal<Vec<OperationView>>,
    /// Operations of this tab waiting for their cloud's keys.
    waiting_for_keys: RwSignal<BTreeSet<String>>,
    runner: StoredValue<Rc<Runner>, LocalStorage>,
    /// The server's stream of every operation (portal mode), kept while `App` lives.
    live: StoredValue<Option<api::OperationEvents>, LocalStorage>,
    transport: Transport,
}

impl Ops {
    /// The context for `App`: in portal mode it follows the server's operations, in
    /// relay mode it resumes the operations this tab saved, and asks before the tab is
    /// closed while one runs.
    pub fn new(transport: Transport) -> Ops {
        let ops = Ops::detached(transport);
        spawn_local(async move {
            match transport.mode().await {
                Mode::Portal => ops.follow_all(),
                Mode::Relay { .. } => ops.runner.with_value(|r| r.resume()),
                Mode::Refused(_) => {}
            }
        });
        // New keys may let an operation waiting for them go on.
        Effect::new(move |_| {
            transport.keys.track();
            ops.runner.with_value(|r| r.wake_all());
        });
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if ops.runner.try_with_value(|r| r.any_running()) == Some(true) {
                ev.prevent_default();
                ev.set_return_value("");
            }
        });
        on_cleanup(move || unload.remove());
        ops
    }

    /// A context that follows nothing by itself (components mounted on their own).
    pub fn detached(transport: Transport) -> Ops {
        let views = RwSignal::new(Vec::<OperationView>::new());
        let waiting_for_keys = RwSignal::new(BTreeSet::<String>::new());
        let runner = Runner::new(transport, move |u| match u {
            TabUpdate::View(v) => {
                views.try_update(|all| merge(all, *v));
            }
            TabUpdate::WaitingForKeys { id, waiting } => {
                waiting_for_keys.try_update(|w| {
                    if waiting {
                        w.insert(id);
                    } else {
                        w.remove(&id);
                    }
                });
            }
        });
        Ops {
            views,
            waiting_for_keys,
            runner: StoredValue::new_local(runner),
            live: StoredValue::new_local(None),
            transport,
        }
    }

    /// One operation (tracked).
    pub fn get(self, id: &str) -> Option<OperationView> {
        self.views
            .with(|all| all.iter().find(|o| o.id == id).cloned())
    }

    /// Its state (tracked).
    pub fn state_of(self, id: &str) -> Option<OpState> {
        self.views
            .with(|all| all.iter().find(|o| o.id == id).map(|o| o.state))
    }

    /// The ids of every operation known, newest first (tracked).
    pub fn ids(self) -> Vec<String> {
        self.views
            .with(|all| all.iter().map(|o| o.id.clone()).collect())
    }

    /// How many are running (tracked).
    pub fn running(self) -> usize {
        self.views
            .with(|all| all.iter().filter(|o| o.state == OpState::Running).count())
    }

    /// True when operation `id` of this tab waits for its cloud's keys (tracked).
    pub fn waiting_for_keys(self, id: &str) -> bool {
        self.waiting_for_keys.with(|w| w.contains(id))
    }

    /// True in relay mode: operations run in this tab (tracked).
    pub fn run_in_tab(self) -> bool {
        self.transport.is_relay()
    }

    /// Adds or updates an operation (an older state than the one held is ignored).
    pub fn upsert(self, view: OperationView) {
        self.views.try_update(|all| merge(all, view));
    }

    /// Starts `plan`: on the server in portal mode, in this tab in relay mode. Answers
    /// the operation's id, or why it was refused (policy, invalid parameters).
    pub async fn start(
        self,
        profile: &str,
        region: &str,
        plan: TaskPlan,
        options: ValidateOptions,
    ) -> Result<String, RequestError> {
        match self.transport.mode().await {
            Mode::Refused(why) => Err(RequestError::Refused(why)),
            Mode::Portal => {
                let view =
                    api::create_operation(&new_operation(profile, region, &plan, options)).await?;
                let id = view.id.clone();
                self.upsert(view);
                Ok(id)
            }
            Mode::Relay { user, .. } => {
                let provider = plan
                    .provider()
                    .or_else(|| crate::relay::provider_of_profile(profile))
                    .ok_or_else(|| invalid(Vec::new()))?;
                let id = format!("tab-{}", &api::random_hex()[..16]);
                let task = TabTask::new(
                    id.clone(),
                    user.unwrap_or_default(),
                    profile.to_string(),
                    region.to_string(),
                    provider,
                    plan,
                    options,
                    now_ms(),
                )
                .map_err(invalid)?;
                self.runner.with_value(|r| r.start(task));
                Ok(id)
            }
        }
    }

    /// Cancels what has not passed its point of no return; `Err` says why it cannot
    /// (the server's `NotCancellable`, or the machine's own words in this tab).
    pub async fn cancel(self, id: &str) -> Result<(), RequestError> {
        match self.transport.mode().await {
            Mode::Refused(why) => Err(RequestError::Refused(why)),
            Mode::Portal => {
                let view = api::cancel_operation(id).await?;
                self.upsert(view);
                Ok(())
            }
            Mode::Relay { .. } => self
                .runner
                .with_value(|r| r.cancel(id))
                .map_err(not_cancellable),
        }
    }

    /// The next page of the server's operations, older than `before`; answers the
    /// `before` of the page after it. Nothing to load in relay mode.
    pub async fn load_page(self, before: Option<String>) -> Result<Option<String>, RequestError> {
        if self.transport.mode().await.is_relay() {
            return Ok(None);
        }
        let page = api::list_operations(None, before.as_deref(), 50).await?;
        for v in page.operations {
            self.upsert(v);
        }
        Ok(page.next_before)
    }

    /// Portal mode: every operation's changes, from the server's stream; when it fails,
    /// the running ones are polled every 2 s instead.
    fn follow_all(self) {
        spawn_local(self.list_running());
        let stream = api::operation_events(
            "/api/v1/operations/events",
            move |v| self.upsert(v),
            move || spawn_local(self.list_running()),
            move || spawn_local(self.poll_running()),
        );
        self.live.set_value(stream);
    }

    /// The running operations as the server lists them now.
    async fn list_running(self) {
        if let Ok(list) = api::list_operations(Some(OpState::Running), None, 50).await {
            for v in list.operations {
                self.upsert(v);
            }
        }
    }

    async fn poll_running(self) {
        loop {
            sleep_ms(POLL_MS).await;
            let Some(known) = self.views.try_with_untracked(|all| {
                all.iter()
                    .filter(|o| o.state == OpState::Running)
                    .map(|o| o.id.clone())
                    .collect::<Vec<_>>()
            }) else {
                return; // the app is gone
            };
            let Ok(list) = api::list_operations(Some(OpState::Running), None, 50).await else {
                continue;
            };
            let still: BTreeSet<String> = list.operations.iter().map(|o| o.id.clone()).collect();
            for v in list.operations {
                self.upsert(v);
            }
            // Those no longer running finished meanwhile: read how.
            for id in known.into_iter().filter(|id| !still.contains(id)) {
                if let Ok(v) = api::get_operation(&id).await {
                    self.upsert(v);
                }
            }
        }
    }

    /// Follows one server operation closely while the calling component lives: its own
    /// event stream, or a GET every 2 s when that fails, until it finishes. Nothing to
    /// do for an operation of this tab.
    pub fn follow(self, id: String) {
        let alive = StoredValue::new(true);
        let stream = StoredValue::new_local(None::<api::OperationEvents>);
        on_cleanup(move || {
            alive.set_value(false);
            stream.set_value(None);
        });
        spawn_local(async move {
            if self.transport.mode().await.is_relay() {
                return;
            }
            // A finished operation changes no more: nothing to follow.
            let finished = self.views.try_with_untracked(|all| {
                all.iter()
                    .any(|o| o.id == id && o.state != OpState::Running)
            });
            if finished != Some(false) {
                return;
            }
            let path = format!("/api/v1/operations/{}/events", api::path_segment(&id));
            let poll_id = id.clone();
            let events = api::operation_events(
                &path,
                move |v| self.upsert(v),
                || {},
                move || {
                    spawn_local(async move {
                        while alive.try_get_value() == Some(true) {
                            match api::get_operation(&poll_id).await {
                                Ok(v) => {
                                    let done = v.state != OpState::Running;
                                    self.upsert(v);
                                    if done {
                                        return;
                                    }
                                }
                                Err(_) if alive.try_get_value() != Some(true) => return,
                                Err(_) => {}
                            }
                            sleep_ms(POLL_MS).await;
                        }
                    })
                },
            );
            if alive.try_get_value() == Some(true) {
                stream.try_set_value(events);
            }
        });
    }
}

/// The operations context provided by `App` (one following nothing outside it).
pub fn use_ops() -> Ops {
    use_context::<Ops>().unwrap_or_else(|| Ops::detached(use_transport()))
}

fn invalid(errors: Vec<FieldError>) -> RequestError {
    let join = |lang: rewind_cloud::Lang| {
        errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message.get(lang)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let text = Text::new(join(rewind_cloud::Lang::En), join(rewind_cloud::Lang::Zh));
    let mut f = Failure::local(
        "InvalidParams",
        text.en.clone(),
        text,
        Text::new(
            "Correct the parameters and try again.",
            "请修正参数后重试。",
        ),
    );
    f.fields = errors;
    RequestError::Refused(Box::new(f))
}

fn not_cancellable(why: Text) -> RequestError {
    let mut f = Failure::local(
        "NotCancellable",
        why.en.clone(),
        why.clone(),
        Text::new(
            "Wait for it to finish; it is listed under Operations.",
            "请等待其完成；可在“操作记录”中查看。",
        ),
    );
    f.explanation = Some(why.en);
    RequestError::Refused(Box::new(f))
}

/// The body of `POST /api/v1/operations` for `plan`: its `kind`, and its other fields
/// as `params`.
pub fn new_operation(
    profile: &str,
    region: &str,
    plan: &TaskPlan,
    options: ValidateOptions,
) -> NewOperation {
    // Plans are plain data of strings, numbers and lists: they always serialize.
    let mut params = serde_json::to_value(plan).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut params {
        m.remove("kind");
    }
    NewOperation {
        profile: profile.to_string(),
        region: region.to_string(),
        kind: plan.kind().to_string(),
        params,
        options,
    }
}

/// Puts `view` into `all` (newest first). A state older than the one held is ignored,
/// and a view without the call list (the list's and the stream's) keeps the one held.
pub fn merge(all: &mut Vec<OperationView>, mut view: OperationView) {
    match all.iter_mut().find(|o| o.id == view.id) {
        Some(held) if held.updated_ms > view.updated_ms => {}
        Some(held) => {
            if view.calls.is_empty() {
                view.calls = std::mem::take(&mut held.calls);
            }
            *held = view;
        }
        None => {
            let at = all
                .iter()
                .position(|o| o.created_ms < view.created_ms)
                .unwrap_or(all.len());
            all.insert(at, view);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rewind_cloud::operation::{BatchKind, BatchPlan, Operation, SafetySnapshot, tencent};
    use rewind_cloud::wire::operations::CallRecord;

    fn rollback(i: usize) -> Operation {
        Operation::LhRollback(tencent::RollbackPlan {
            instance_id: format!("lhins-{i:08}"),
            snapshot_id: format!("lhsnap-{i:08}"),
            safety_snapshot: Some(SafetySnapshot::default()),
            start_afterwards: true,
        })
    }

    #[test]
    fn the_new_operation_body_is_the_plans_kind_and_fields() {
        let plan = TaskPlan::One(rollback(1));
        let body = new_operation("demo-lighthouse", "ap-guangzhou", &plan, Default::default());
        assert_eq!(body.kind, "LhRollback");
        assert_eq!(body.params["instance_id"], "lhins-00000001");
        assert_eq!(body.params["start_afterwards"], true);
        assert!(body.params.get("kind").is_none());
        // The server reads the same plan back.
        assert_eq!(body.plan().unwrap(), plan);
        let json = serde_json::to_value(&body).unwrap();
        let mut fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["kind", "options", "params", "profile", "region"]);

        let batch = TaskPlan::Batch(BatchPlan {
            kind: BatchKind::Batch,
            items: vec![rollback(1), rollback(2)],
        });
        let body = new_operation(
            "p",
            "r",
            &batch,
            ValidateOptions {
                allow_legacy_ids: true,
            },
        );
        assert_eq!(body.kind, "Batch");
        assert_eq!(body.params["items"][1]["kind"], "LhRollback");
        assert!(body.options.allow_legacy_ids);
        assert_eq!(body.plan().unwrap(), batch);
    }

    fn view(id: &str, created: u64, updated: u64) -> OperationView {
        let t = TabTask::new(
            id.into(),
            String::new(),
            "p".into(),
            "r".into(),
            rewind_cloud::Provider::Tencent,
            TaskPlan::One(rollback(1)),
            Default::default(),
            created,
        )
        .unwrap();
        let mut v = t.view();
        v.updated_ms = updated;
        v
    }

    #[test]
    fn merging_keeps_newest_first_and_never_goes_back_in_time() {
        let mut all = Vec::new();
        merge(&mut all, view("a", 10, 10));
        merge(&mut all, view("c", 30, 30));
        merge(&mut all, view("b", 20, 20));
        let ids: Vec<&str> = all.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["c", "b", "a"]);
        // A newer state replaces; an older one (a slow poll) is ignored.
        let mut newer = view("b", 20, 25);
        newer.state = OpState::Succeeded;
        merge(&mut all, newer);
        merge(&mut all, view("b", 20, 21));
        assert_eq!(all[1].state, OpState::Succeeded);
        // The call list of the single-operation answer survives a list update.
        let mut with_calls = view("a", 10, 11);
        with_calls.calls.push(CallRecord {
            seq: 1,
            item: 0,
            action: "DescribeInstances".into(),
            target: "lhins-00000001".into(),
            destructive: false,
            idempotency_key: "k".into(),
            outcome: Some("ok".into()),
            request_id: None,
            summary: None,
            started_ms: 11,
            elapsed_ms: Some(1),
        });
        merge(&mut all, with_calls);
        merge(&mut all, view("a", 10, 12));
        assert_eq!(all[2].calls.len(), 1);
        assert_eq!(all.len(), 3);
    }
}
