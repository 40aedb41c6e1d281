//! Property tests of the operation machines (`rewind_cloud::operation`) against a
//! simulated cloud run by an adversary. The cloud keeps real state per provider
//! (instances, disks, snapshots, jobs, with the documented transitions and refusals);
//! for every call the adversary picks the answer: success, a refusal, throttling, a
//! retryable server error (with or without the call having taken effect), "not sent",
//! a lost answer (with or without effect), an unreadable success, or a crash of the
//! driver after sending; and between reads it moves the cloud's operations on, holds
//! them, or makes them fail. Once its script runs out it cooperates.
//!
//! Properties (2,000 cases per provider for 1 and 2, 2,000 for 3, 300 batches of up to
//! 44 items for 4; about 12 s in all in a debug build on one core):
//! 1. a destructive call is emitted at most once per action and target (emissions the
//!    cloud certainly did not carry out, "not sent" and throttled, aside), and the cloud
//!    carries each out at most once; `destructive` is set exactly on the calls that
//!    need it, each with its reconcile read;
//! 2. every run ends (Done or Failed) within a bounded number of polls; Done means the
//!    operation's change really happened in the cloud, and a machine that moves on after
//!    a reconcile read does so only when the lost call really took effect;
//! 3. saving the state (serde_json) after any step and continuing from the saved copy
//!    yields exactly the same calls and decisions as not doing so;
//! 4. batches start at most 20 paced calls in any one-second window, and items keep 1.

mod runs;

use proptest::prelude::*;
use rewind_cloud::Action;
use rewind_cloud::operation::{
    Answer, Batch, BatchNext, Call, Machine, Next, Operation, Power, RunOptions, SafetySnapshot,
    alibaba, batch::pace_limit, huawei, tencent,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

// ============================================================================ adversary

/// A script of choices; once it runs out every choice is 0, the cooperative one.
struct Adversary {
    script: Vec<u8>,
    pos: usize,
}

impl Adversary {
    fn new(script: Vec<u8>) -> Adversary {
        Adversary { script, pos: 0 }
    }

    fn pick(&mut self, n: u8) -> u8 {
        let c = self.script.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        c % n
    }
}

type Effects = BTreeMap<(Action, String), u32>;

/// A simulated cloud.
trait World {
    fn read(&mut self, call: &Call) -> Result<Value, &'static str>;
    /// Carries the call out (counting it in `effects`) or refuses it with a code.
    fn mutate(&mut self, call: &Call, rid: &str) -> Result<Value, &'static str>;
    /// Moves every operation under way one stage on, or makes it fail.
    fn progress(&mut self, fail: bool);
    fn throttle_code(&self) -> &'static str;
    fn effects(&self) -> &Effects;
}

/// What the driver does with a call.
enum Reply {
    Answer(Answer, bool),
    /// The driver crashed after sending: it restarts from the saved state and polls.
    Crash,
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The adversary's answer to `call`; the bool says "certainly not carried out".
fn respond(world: &mut dyn World, call: &Call, adv: &mut Adversary, n: &mut u32) -> Reply {
    *n += 1;
    let rid = format!("req-{n}");
    let mutating = call.action.mutates();
    if !mutating {
        match adv.pick(8) {
            0 | 1 => world.progress(false),
            7 => world.progress(true),
            _ => {}
        }
    }
    let carry_out = |world: &mut dyn World| {
        if mutating {
            world.mutate(call, &rid)
        } else {
            world.read(call)
        }
    };
    let error = |code: &str, retryable: bool, rid: &str| Answer::CloudError {
        code: code.to_string(),
        message: "simulated".into(),
        request_id: Some(rid.to_string()),
        retryable,
        throttled: false,
    };
    let answer = match adv.pick(26) {
        0..=11 => match carry_out(world) {
            Ok(data) => Answer::Ok {
                data,
                request_id: Some(rid),
            },
            Err(code) => error(code, false, &rid),
        },
        12 | 13 => return Reply::Answer(error(world.throttle_code(), false, &rid), true),
        14 | 15 => return Reply::Answer(Answer::NotSent, true),
        // Sent and carried out, but the answer was lost.
        16 | 17 => {
            let _ = carry_out(world);
            Answer::Unknown
        }
        // Lost on the way: never carried out, but nobody can tell.
        18 | 19 => Answer::Unknown,
        20 => {
            let _ = carry_out(world);
            error("InternalError", true, &rid)
        }
        21 => error("InternalError", true, &rid),
        22 => error("UnauthorizedOperation.NoPermission", false, &rid),
        // Carried out, but the answer's body is unreadable.
        23 => match carry_out(world) {
            Ok(_) => Answer::ok(json!({})),
            Err(code) => error(code, false, &rid),
        },
        24 => {
            let _ = carry_out(world);
            return Reply::Crash;
        }
        _ => return Reply::Crash,
    };
    Reply::Answer(answer, false)
}

/// The calls that could do their work twice if repeated.
fn must_be_destructive(call: &Call) -> bool {
    match call.action {
        Action::LhApplyInstanceSnapshot
        | Action::LhCreateInstanceSnapshot
        | Action::LhStartInstances
        | Action::LhStopInstances
        | Action::EcsStartInstance
        | Action::EcsStopInstance
        | Action::WsBatchRestoreDesktopSnapshot => true,
        Action::EcsResetDisk => call.params.get("DryRun") != Some(&json!(true)),
        Action::EcsCreateSnapshot => call.params.get("ClientToken").is_none(),
        _ => false,
    }
}

// ============================================================================ Lighthouse

#[derive(Clone)]
struct LhOp {
    name: &'static str,
    state: &'static str,
    rid: String,
}

#[derive(Clone)]
enum LhPending {
    Create(String),
    Rollback(String),
    Power(&'static str, &'static str),
}

struct LhInstance {
    id: String,
    state: &'static str,
    op: Option<LhOp>,
    pending: Option<LhPending>,
}

struct LhSnap {
    id: String,
    instance: String,
    name: String,
    state: &'static str,
    op: Option<LhOp>,
}

#[derive(Default)]
struct Lighthouse {
    instances: Vec<LhInstance>,
    snaps: Vec<LhSnap>,
    created: u32,
    effects: Effects,
}

fn lh_op_json(op: &Option<LhOp>) -> Value {
    match op {
        Some(o) => json!({"LatestOperation": o.name, "LatestOperationState": o.state,
            "LatestOperationRequestId": o.rid}),
        None => json!({}),
    }
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

impl Lighthouse {
    /// Instance `i` in `state`, with a NORMAL snapshot `lhsnap-0000000i` (CREATING when
    /// `snap_creating`) and a leftover snapshot carrying the default safety name.
    fn add(&mut self, i: usize, state: &'static str, snap_creating: bool) {
        let id = format!("lhins-{i:08}");
        let snap = format!("lhsnap-{i:08}");
        self.instances.push(LhInstance {
            id: id.clone(),
            state,
            op: Some(LhOp {
                name: "ApplyInstanceSnapshot",
                state: "SUCCESS",
                rid: "r-old".into(),
            }),
            pending: snap_creating.then(|| LhPending::Create(snap.clone())),
        });
        self.snaps.push(LhSnap {
            id: snap,
            instance: id.clone(),
            name: "nightly".into(),
            state: if snap_creating { "CREATING" } else { "NORMAL" },
            op: None,
        });
        self.snaps.push(LhSnap {
            id: format!("lhsnap-x{i:07}"),
            instance: id,
            name: "rewind-before-rollback-op".into(),
            state: "NORMAL",
            op: None,
        });
    }
}

impl World for Lighthouse {
    fn read(&mut self, call: &Call) -> Result<Value, &'static str> {
        Ok(match call.action {
            Action::LhDescribeInstances => {
                let want = ids(&call.params["InstanceIds"]);
                let set: Vec<Value> = self
                    .instances
                    .iter()
                    .filter(|i| want.contains(&i.id))
                    .map(|i| {
                        merge(
                            json!({"InstanceId": i.id, "InstanceState": i.state, "Unknown": [1]}),
                            lh_op_json(&i.op),
                        )
                    })
                    .collect();
                json!({"TotalCount": set.len(), "InstanceSet": set, "RequestId": "r"})
            }
            _ => {
                let want = ids(&call.params["SnapshotIds"]);
                let filters = call.params["Filters"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let value = |name: &str| {
                    filters
                        .iter()
                        .find(|f| f["Name"] == name)
                        .map(|f| f["Values"][0].clone())
                };
                let set: Vec<Value> = self.snaps.iter().filter(|s| {
                    want.contains(&s.id)
                        || (value("instance-id") == Some(json!(s.instance)) && value("snapshot-name") == Some(json!(s.name)))
                }).map(|s| merge(json!({"SnapshotId": s.id, "SnapshotName": s.name, "SnapshotState": s.state,
                    "DiskUsage": "SYSTEM_DISK", "Percent": 50}), lh_op_json(&s.op))).collect();
                json!({"TotalCount": set.len(), "SnapshotSet": set, "RequestId": "r"})
            }
        })
    }

    fn mutate(&mut self, call: &Call, rid: &str) -> Result<Value, &'static str> {
        let snap_id = call.params["SnapshotId"].as_str().unwrap_or("").to_string();
        let new_id = format!("lhsnap-n{:07}", self.created + 1);
        let snap_ok = self
            .snaps
            .iter()
            .any(|s| s.id == snap_id && s.state == "NORMAL");
        let Some(inst) = self.instances.iter_mut().find(|i| i.id == call.target) else {
            return Err("ResourceNotFound.InstanceIdNotFound");
        };
        if inst.pending.is_some() {
            return Err("UnsupportedOperation.LatestOperationUnfinished");
        }
        let op = |name| {
            Some(LhOp {
                name,
                state: "OPERATING",
                rid: rid.to_string(),
            })
        };
        let result = match (call.action, inst.state) {
            (Action::LhCreateInstanceSnapshot, "RUNNING" | "STOPPED") => {
                inst.op = op("CreateInstanceSnapshot");
                inst.pending = Some(LhPending::Create(new_id.clone()));
                json!({"SnapshotId": new_id, "RequestId": rid})
            }
            (Action::LhApplyInstanceSnapshot, "RUNNING" | "STOPPED") if snap_ok => {
                inst.op = op("ApplyInstanceSnapshot");
                inst.state = "STOPPED";
                inst.pending = Some(LhPending::Rollback(snap_id.clone()));
                json!({"RequestId": rid})
            }
            (Action::LhApplyInstanceSnapshot, _) if !snap_ok => {
                return Err("UnsupportedOperation.InvalidSnapshotState");
            }
            (Action::LhStartInstances, "STOPPED") => {
                inst.op = op("StartInstances");
                inst.state = "STARTING";
                inst.pending = Some(LhPending::Power("RUNNING", "STOPPED"));
                json!({"RequestId": rid})
            }
            (Action::LhStopInstances, "RUNNING") => {
                inst.op = op("StopInstances");
                inst.state = "STOPPING";
                inst.pending = Some(LhPending::Power("STOPPED", "RUNNING"));
                json!({"RequestId": rid})
            }
            _ => return Err("UnsupportedOperation.InvalidInstanceState"),
        };
        let inst_id = inst.id.clone();
        match call.action {
            Action::LhCreateInstanceSnapshot => {
                self.created += 1;
                self.snaps.push(LhSnap {
                    id: new_id,
                    instance: inst_id,
                    name: call.params["SnapshotName"].as_str().unwrap_or("").into(),
                    state: "CREATING",
                    op: op("CreateInstanceSnapshot"),
                });
            }
            Action::LhApplyInstanceSnapshot => {
                let s = self
                    .snaps
                    .iter_mut()
                    .find(|s| s.id == snap_id)
                    .expect("checked");
                s.state = "ROLLBACKING";
                s.op = op("RollbackInstanceSnapshot");
            }
            _ => {}
        }
        *self
            .effects
            .entry((call.action, call.target.clone()))
            .or_default() += 1;
        Ok(result)
    }

    fn progress(&mut self, fail: bool) {
        let end = if fail { "FAILED" } else { "SUCCESS" };
        for inst in &mut self.instances {
            let Some(p) = inst.pending.take() else {
                continue;
            };
            if let Some(op) = &mut inst.op {
                op.state = end;
            }
            match p {
                LhPending::Create(id) | LhPending::Rollback(id) => {
                    if let Some(s) = self.snaps.iter_mut().find(|s| s.id == id) {
                        s.state = "NORMAL";
                        if let Some(op) = &mut s.op {
                            op.state = end;
                        }
                    }
                }
                LhPending::Power(done, back) => inst.state = if fail { back } else { done },
            }
        }
    }

    fn throttle_code(&self) -> &'static str {
        "RequestLimitExceeded.UinLimitExceeded"
    }

    fn effects(&self) -> &Effects {
        &self.effects
    }
}

// ============================================================================ ECS

struct EcsInstance {
    id: String,
    status: &'static str,
    locked: bool,
    pending: Option<(&'static str, &'static str)>,
}

struct EcsDisk {
    id: String,
    instance: String,
    status: &'static str,
}

struct EcsSnap {
    id: String,
    disk: String,
    status: &'static str,
    token: Option<String>,
}

#[derive(Default)]
struct Ecs {
    instances: Vec<EcsInstance>,
    disks: Vec<EcsDisk>,
    snaps: Vec<EcsSnap>,
    effects: Effects,
}

impl Ecs {
    fn add(&mut self, i: usize, status: &'static str, locked: bool, disk: &'static str) {
        self.instances.push(EcsInstance {
            id: format!("i-inst{i}"),
            status,
            locked,
            pending: (status == "Starting").then_some(("Running", "Stopped")),
        });
        self.disks.push(EcsDisk {
            id: format!("d-disk{i}"),
            instance: format!("i-inst{i}"),
            status: disk,
        });
        self.snaps.push(EcsSnap {
            id: format!("s-snap{i}"),
            disk: format!("d-disk{i}"),
            status: "accomplished",
            token: None,
        });
    }
}

impl World for Ecs {
    fn read(&mut self, call: &Call) -> Result<Value, &'static str> {
        Ok(match call.action {
            Action::EcsDescribeInstances => {
                let want = ids(&call.params["InstanceIds"]);
                let list: Vec<Value> = self.instances.iter().filter(|i| want.contains(&i.id)).map(|i| {
                    let locks: Vec<Value> = if i.locked { vec![json!({"LockReason": "security"})] } else { vec![] };
                    json!({"InstanceId": i.id, "Status": i.status, "OperationLocks": {"LockReason": locks}})
                }).collect();
                json!({"RequestId": "r", "Instances": {"Instance": list}})
            }
            Action::EcsDescribeDisks => {
                let want = ids(&call.params["DiskIds"]);
                let list: Vec<Value> = self.disks.iter().filter(|d| want.contains(&d.id)).map(|d| {
                    json!({"DiskId": d.id, "InstanceId": d.instance, "Status": d.status, "Type": "system"})
                }).collect();
                json!({"RequestId": "r", "Disks": {"Disk": list}})
            }
            _ => {
                let want = ids(&call.params["SnapshotIds"]);
                let list: Vec<Value> = self.snaps.iter().filter(|s| want.contains(&s.id)).map(|s| {
                    json!({"SnapshotId": s.id, "SourceDiskId": s.disk, "Status": s.status, "Progress": "40%"})
                }).collect();
                json!({"RequestId": "r", "Snapshots": {"Snapshot": list}})
            }
        })
    }

    fn mutate(&mut self, call: &Call, rid: &str) -> Result<Value, &'static str> {
        let p = &call.params;
        let ok = json!({"RequestId": rid});
        match call.action {
            Action::EcsStopInstance | Action::EcsStartInstance => {
                let inst = self
                    .instances
                    .iter_mut()
                    .find(|i| i.id == call.target)
                    .ok_or("InvalidInstanceId.NotFound")?;
                if inst.locked {
                    return Err("InstanceLockedForSecurity");
                }
                let (from, via, to) = match call.action {
                    Action::EcsStopInstance => ("Running", "Stopping", "Stopped"),
                    _ => ("Stopped", "Starting", "Running"),
                };
                if inst.status != from {
                    return Err("IncorrectInstanceStatus");
                }
                inst.status = via;
                inst.pending = Some((to, from));
            }
            Action::EcsCreateSnapshot => {
                let token = p["ClientToken"].as_str().map(String::from);
                if let Some(s) = self
                    .snaps
                    .iter()
                    .find(|s| s.token.is_some() && s.token == token)
                {
                    return Ok(json!({"SnapshotId": s.id, "RequestId": rid}));
                }
                let id = format!("s-new{}", self.snaps.len());
                self.snaps.push(EcsSnap {
                    id: id.clone(),
                    disk: call.target.clone(),
                    status: "progressing",
                    token,
                });
                *self
                    .effects
                    .entry((call.action, call.target.clone()))
                    .or_default() += 1;
                return Ok(json!({"SnapshotId": id, "RequestId": rid}));
            }
            _ => {
                let disk = self
                    .disks
                    .iter()
                    .find(|d| d.id == call.target)
                    .ok_or("InvalidDiskId.NotFound")?;
                let inst = self
                    .instances
                    .iter()
                    .find(|i| i.id == disk.instance)
                    .ok_or("InvalidInstanceId.NotFound")?;
                let snap_ok = self.snaps.iter().any(|s| {
                    s.id == p["SnapshotId"] && s.status == "accomplished" && s.disk == disk.id
                });
                if inst.status != "Stopped" {
                    return Err("IncorrectInstanceStatus");
                }
                if !matches!(disk.status, "In_use" | "Available") {
                    return Err("IncorrectDiskStatus");
                }
                if !snap_ok {
                    return Err("InvalidSnapshotId.NotReady");
                }
                if p.get("DryRun") == Some(&json!(true)) {
                    return Err("DryRunOperation");
                }
                let disk = self
                    .disks
                    .iter_mut()
                    .find(|d| d.id == call.target)
                    .expect("found");
                disk.status = "ReIniting";
            }
        }
        *self
            .effects
            .entry((call.action, call.target.clone()))
            .or_default() += 1;
        Ok(ok)
    }

    fn progress(&mut self, fail: bool) {
        for i in &mut self.instances {
            if let Some((to, back)) = i.pending.take() {
                i.status = if fail { back } else { to };
            }
        }
        for d in &mut self.disks {
            if d.status == "ReIniting" {
                d.status = "In_use";
            }
        }
        for s in &mut self.snaps {
            if s.status == "progressing" {
                s.status = if fail { "failed" } else { "accomplished" };
            }
        }
    }

    fn throttle_code(&self) -> &'static str {
        "Throttling.User"
    }

    fn effects(&self) -> &Effects {
        &self.effects
    }
}

// ============================================================================ Workspace

struct WsSnap {
    id: String,
    desktop: String,
    status: &'static str,
    restored: Option<String>,
}

#[derive(Default)]
struct Workspace {
    snaps: Vec<WsSnap>,
    /// (job id, status, snapshot ids)
    jobs: Vec<(String, &'static str, Vec<String>)>,
    ticks: u32,
    effects: Effects,
}

impl World for Workspace {
    fn read(&mut self, call: &Call) -> Result<Value, &'static str> {
        if call.action == Action::WsShowJob {
            let (id, status, snaps) = self
                .jobs
                .iter()
                .find(|j| j.0 == call.params["job_id"])
                .ok_or("WKS.0004")?;
            let sub = |s: &String| {
                json!({"id": format!("sub-{s}"), "status": status, "process": 50,
                "entities": {"desktop_id": s}})
            };
            return Ok(
                json!({"id": id, "status": status, "sub_jobs": snaps.iter().map(sub).collect::<Vec<_>>()}),
            );
        }
        let want = ids(&call.params["desktop_ids"]);
        let list: Vec<Value> = self.snaps.iter().filter(|s| want.is_empty() || want.contains(&s.desktop)).map(|s| {
            json!({"snapshot_id": s.id, "desktop_id": s.desktop, "status": s.status, "last_restore_time": s.restored})
        }).collect();
        Ok(json!({"total_count": list.len(), "desktop_snapshots": list}))
    }

    fn mutate(&mut self, call: &Call, _rid: &str) -> Result<Value, &'static str> {
        let want = ids(&call.params["snapshot_ids"]);
        for id in &want {
            let s = self.snaps.iter().find(|s| &s.id == id).ok_or("WKS.0004")?;
            if !matches!(
                s.status,
                "create_success" | "restore_success" | "restore_failed"
            ) {
                return Err("WKS.0009");
            }
        }
        for s in self.snaps.iter_mut().filter(|s| want.contains(&s.id)) {
            s.status = "restoring";
        }
        let job = format!("job-{}", self.jobs.len() + 1);
        self.jobs.push((job.clone(), "WAITING", want));
        *self
            .effects
            .entry((call.action, call.target.clone()))
            .or_default() += 1;
        Ok(json!({"job_id": job}))
    }

    fn progress(&mut self, fail: bool) {
        self.ticks += 1;
        for (_, status, snaps) in &mut self.jobs {
            let next = match *status {
                "WAITING" => "RUNNING",
                "RUNNING" if fail => "FAIL",
                "RUNNING" => "SUCCESS",
                other => other,
            };
            if next != *status && matches!(next, "SUCCESS" | "FAIL") {
                for s in self.snaps.iter_mut().filter(|s| snaps.contains(&s.id)) {
                    s.status = if fail {
                        "restore_failed"
                    } else {
                        "restore_success"
                    };
                    s.restored = Some(format!("2026-03-01T00:00:{:02}Z", self.ticks % 60));
                }
            }
            *status = next;
        }
        for s in &mut self.snaps {
            if s.status == "creating" {
                s.status = if fail {
                    "create_failed"
                } else {
                    "create_success"
                };
            }
        }
    }

    fn throttle_code(&self) -> &'static str {
        "APIGW.0308"
    }

    fn effects(&self) -> &Effects {
        &self.effects
    }
}
