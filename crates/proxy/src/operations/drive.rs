//! The loop that runs one operation: poll the machine, save, send, save the answer,
//! repeat; several calls at once for a batch. The state is written before a call leaves
//! (so a crash while it is out is settled by the machine's reconcile read) and after its
//! answer, and a change is published to the event streams after every save.

use super::{Command, Record, now_ms};
use crate::AppState;
use crate::api::{Failure, forward};
use crate::audit::{Completion, Pending};
use crate::config::Profile;
use crate::policy::{self, Identity};
use crate::upstream::SendError;
use rewind_cloud::operation::{Answer, Call, TaskNext};
use rewind_cloud::wire::operations::{CallRecord, OpState};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Where the calls of one operation go.
struct Route {
    op_id: String,
    profile: Profile,
    region: String,
    who: Identity,
}

type Answered = (usize, Answer, CallRecord);

pub(super) async fn run(
    state: &Arc<AppState>,
    mut rec: Record,
    mut seq: u32,
    mut commands: mpsc::Receiver<Command>,
) {
    let exec = &state.executor;
    let mut stopping = exec.stopping();
    let Some(profile) = state
        .config
        .profiles
        .iter()
        .find(|p| p.name == rec.profile)
        .cloned()
    else {
        // The profile left the configuration while the operation was stopped: nothing
        // can be sent for it, so it stays as it is, to be resumed when it is back.
        tracing::error!(operation = %rec.id, profile = %rec.profile, "the operation's profile is not configured; not resumed");
        return;
    };
    let target = Arc::new(Route {
        op_id: rec.id.clone(),
        profile,
        region: rec.region.clone(),
        who: rec.identity(),
    });
    let mut inflight: JoinSet<Answered> = JoinSet::new();
    loop {
        if inflight.is_empty() {
            if rec.task.outcome().is_some() {
                finish(state, &mut rec).await;
                return;
            }
            if *stopping.borrow() {
                // Saved after every step already; it resumes at the next start.
                return;
            }
        }
        let next = if *stopping.borrow() {
            TaskNext::AwaitAnswers
        } else {
            rec.task.poll(now_ms())
        };
        let wake = match next {
            TaskNext::Send { item, call } => {
                // The per-key rate limit (20/s for Lighthouse rollbacks and snapshots,
                // shared by every operation on this server) is waited for before the
                // call is recorded as sent, so a crash while queued leaves nothing in
                // doubt.
                state
                    .limiters
                    .upstream_ready(call.action, &target.profile.credentials.id)
                    .await;
                seq += 1;
                let record = call_record(seq, item, &call);
                rec.updated_ms = now_ms();
                // Written before the call leaves: after a crash, the machine finds the
                // call in flight and settles it by reading.
                if !save(state, &rec, Some(&record)).await {
                    return;
                }
                exec.publish(&rec);
                inflight.spawn(send(state.clone(), target.clone(), item, call, record));
                continue;
            }
            TaskNext::Wait { until_ms } => Some(until_ms),
            TaskNext::AwaitAnswers | TaskNext::Done(_) | TaskNext::Failed(_) => {
                if inflight.is_empty() && !*stopping.borrow() {
                    // A call marked in flight with nobody sending it: its answer is lost.
                    rec.task.recover(now_ms());
                    continue;
                }
                None
            }
        };
        let sleep = wake.map(|until| Duration::from_millis(until.saturating_sub(now_ms())));
        tokio::select! {
            joined = inflight.join_next(), if !inflight.is_empty() => {
                match joined {
                    Some(Ok((item, answer, record))) => {
                        rec.task.on_answer(item, answer, now_ms());
                        rec.updated_ms = now_ms();
                        if !save(state, &rec, Some(&record)).await {
                            return;
                        }
                        exec.publish(&rec);
                    }
                    Some(Err(e)) => {
                        tracing::error!(operation = %rec.id, error = %e, "a call task failed; its answer counts as lost");
                        rec.task.recover(now_ms());
                    }
                    None => {}
                }
            }
            Some(cmd) = commands.recv() => match cmd {
                Command::Cancel(reply) => {
                    let result = rec.task.cancel();
                    rec.cancel_requested = true;
                    rec.updated_ms = now_ms();
                    if save(state, &rec, None).await {
                        exec.publish(&rec);
                    }
                    let _ = reply.send(result);
                }
            },
            _ = tokio::time::sleep(sleep.unwrap_or_default()), if sleep.is_some() => {}
            _ = stopping.changed(), if !*stopping.borrow() => {}
        }
    }
}

fn call_record(seq: u32, item: usize, call: &Call) -> CallRecord {
    CallRecord {
        seq,
        item,
        action: call.action.name().to_string(),
        target: call.target.clone(),
        destructive: call.destructive,
        idempotency_key: call.idempotency_key.clone(),
        outcome: None,
        request_id: None,
        summary: None,
        started_ms: now_ms(),
        elapsed_ms: None,
    }
}

/// The final state, saved and published.
async fn finish(state: &Arc<AppState>, rec: &mut Record) {
    rec.state = OpState::of(&rec.task);
    let now = now_ms();
    rec.updated_ms = now;
    rec.finished_ms = Some(now);
    if save(state, rec, None).await {
        tracing::info!(operation = %rec.id, kind = %rec.kind, state = rec.state.as_str(), "operation finished");
        state.executor.publish(rec);
    }
}

/// Saves off the async threads; false (and logged) when the database refused, in which
/// case the driver stops: nothing is sent that was not written first.
async fn save(state: &Arc<AppState>, rec: &Record, call: Option<&CallRecord>) -> bool {
    let store = state.executor.store.clone();
    let (rec, call) = (rec.clone(), call.cloned());
    let id = rec.id.clone();
    match tokio::task::spawn_blocking(move || store.save(&rec, call.as_ref())).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::error!(operation = %id, error = %e, "cannot save the operation; it stops here and resumes at the next start");
            false
        }
        Err(e) => {
            tracing::error!(operation = %id, error = %e, "cannot save the operation");
            false
        }
    }
}

/// Sends one call once (the machine does the retrying) and reads what came back.
async fn send(
    state: Arc<AppState>,
    t: Arc<Route>,
    item: usize,
    call: Call,
    mut record: CallRecord,
) -> Answered {
    let started = Instant::now();
    let refused = |code: &str, message: String| Answer::CloudError {
        code: code.to_string(),
        message,
        request_id: None,
        retryable: false,
        throttled: false,
    };
    // Policy is checked again per call: the rules may have changed since the start.
    if let Err(reason) = policy::check(
        &state.config.policy,
        &t.who,
        &t.profile.name,
        call.action,
        &call.params,
    ) {
        record.outcome = Some("not_sent".into());
        record.summary = Some(format!("PolicyDenied: {reason}"));
        record.elapsed_ms = Some(0);
        return (item, refused("PolicyDenied", reason), record);
    }
    let audit_id = if call.action.mutates() {
        match state
            .audit_begin(Pending {
                user: t.who.user.clone(),
                via: "operation",
                profile: t.profile.name.clone(),
                provider: t.profile.provider.id(),
                region: t.region.clone(),
                action: call.action.name(),
                params: call.params.clone(),
                operation_id: Some(t.op_id.clone()),
            })
            .await
        {
            Ok(id) => id,
            Err(_) => {
                record.outcome = Some("not_sent".into());
                record.summary = Some("the audit log could not be written".into());
                record.elapsed_ms = Some(0);
                return (item, Answer::NotSent, record);
            }
        }
    } else {
        None
    };
    // The pace was kept when the call was recorded; the writes since then may have
    // held it up unevenly, and the cloud counts the calls as they arrive.
    state
        .limiters
        .upstream_send(call.action, &t.profile.credentials.id)
        .await;
    let result = forward(
        &state,
        &t.profile,
        &t.region,
        call.action,
        &call.params,
        1,
        false,
    )
    .await;
    let elapsed = started.elapsed();
    let (answer, completion) = match result {
        Ok((data, request_id)) => {
            let data: Value = serde_json::from_slice(&data).unwrap_or(Value::Null);
            (
                Answer::Ok {
                    data,
                    request_id: request_id.clone(),
                },
                Completion {
                    outcome: "ok".into(),
                    request_id,
                    http_status: Some(200),
                    ..Default::default()
                },
            )
        }
        Err(Failure::Cloud(e)) => (Answer::from_cloud_error(&e), Completion::from_cloud(&e)),
        Err(Failure::Send(e)) => {
            let not_sent = matches!(e, SendError::NotSent(_) | SendError::Invalid(_));
            let answer = if not_sent {
                Answer::NotSent
            } else {
                Answer::Unknown
            };
            (answer, Completion::no_answer(not_sent, e.to_string()))
        }
        Err(Failure::Build(m)) => (
            refused("CannotBuild", m.clone()),
            Completion::no_answer(true, m),
        ),
    };
    state.metrics.record_upstream(
        t.profile.provider.id(),
        call.action.name(),
        outcome_label(&completion.outcome),
        elapsed.as_secs_f64(),
    );
    tracing::info!(
        operation = %t.op_id,
        user = ?t.who.user,
        profile = ?t.profile.name,
        action = %call.action.name(),
        target = ?call.target,
        idempotency_key = %call.idempotency_key,
        outcome = %completion.outcome,
        elapsed_ms = elapsed.as_millis() as u64,
        "operation call"
    );
    record.outcome = Some(completion.outcome.clone());
    record.request_id = completion.request_id.clone();
    record.summary = completion
        .provider_code
        .clone()
        .or_else(|| completion.message.clone());
    record.elapsed_ms = Some(elapsed.as_millis() as u64);
    state.audit_complete(audit_id, completion).await;
    (item, answer, record)
}

/// The metrics label of an outcome (a fixed set).
fn outcome_label(outcome: &str) -> &'static str {
    match outcome {
        "ok" => "ok",
        "error" => "error",
        "dry_run_passed" => "dry_run_passed",
        "not_sent" => "not_sent",
        _ => "unknown",
    }
}
