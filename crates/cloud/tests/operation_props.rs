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

// ============================================================================ scenarios

/// A plan and the cloud it runs against, from a few numbers.
fn scenario(kind: u8, opts: u8, init: u8) -> (Operation, Box<dyn World>) {
    let bit = |b: u8| opts & (1 << b) != 0;
    match kind % 7 {
        k @ 0..=2 => {
            let mut w = Lighthouse::default();
            let state = ["STOPPED", "RUNNING", "STOPPED", "SHUTDOWN"][(init % 4) as usize];
            w.add(1, state, init & 4 != 0);
            let inst = "lhins-00000001".to_string();
            let plan = match k {
                0 => Operation::LhRollback(tencent::RollbackPlan {
                    instance_id: inst,
                    snapshot_id: "lhsnap-00000001".into(),
                    safety_snapshot: bit(0).then(|| SafetySnapshot {
                        name: bit(2).then(|| "rewind-before-rollback-op".into()),
                        ..SafetySnapshot::default()
                    }),
                    start_afterwards: bit(1),
                }),
                1 => Operation::LhCreateSnapshot(tencent::SnapshotPlan {
                    instance_id: inst,
                    name: None,
                    tags: vec![],
                }),
                _ => Operation::LhPower(tencent::PowerPlan {
                    instance_id: inst,
                    power: if bit(0) { Power::Start } else { Power::Stop },
                    stop: Default::default(),
                }),
            };
            (plan, Box::new(w))
        }
        k @ 3..=5 => {
            let mut w = Ecs::default();
            let status = ["Stopped", "Running", "Starting", "Stopped"][(init % 4) as usize];
            let disk = if init & 8 != 0 { "ReIniting" } else { "In_use" };
            w.add(1, status, init & 0x30 == 0x30, disk);
            let plan = match k {
                3 => Operation::EcsResetDisk(alibaba::ResetPlan {
                    disk_id: "d-disk1".into(),
                    snapshot_id: "s-snap1".into(),
                    instance_id: Some("i-inst1".into()),
                    stop_if_running: bit(0),
                    stop: Default::default(),
                    safety_snapshot: bit(1).then(SafetySnapshot::default),
                    start_afterwards: bit(2),
                    dry_run: bit(3),
                }),
                4 => Operation::EcsCreateSnapshot(alibaba::SnapshotPlan {
                    disk_id: "d-disk1".into(),
                    name: Some("before-upgrade".into()),
                    description: None,
                    retention_days: Some(7),
                    tags: vec![],
                }),
                _ => Operation::EcsPower(alibaba::PowerPlan {
                    instance_id: "i-inst1".into(),
                    power: if bit(0) { Power::Start } else { Power::Stop },
                    stop: Default::default(),
                }),
            };
            (plan, Box::new(w))
        }
        _ => {
            let mut w = Workspace::default();
            let n = 1 + (opts % 3) as usize;
            let mut snapshots = Vec::new();
            for i in 0..n {
                let status = [
                    "create_success",
                    "restore_success",
                    "creating",
                    "create_success",
                    "create_failed",
                ][((init as usize) + i) % 5];
                w.snaps.push(WsSnap {
                    id: format!("ws-snap-{i}"),
                    desktop: format!("desk-{i}"),
                    status,
                    restored: (status == "restore_success").then(|| "2026-01-01T00:00:00Z".into()),
                });
                snapshots.push(huawei::SnapshotRef {
                    snapshot_id: format!("ws-snap-{i}"),
                    desktop_id: bit(3).then(|| format!("desk-{i}")),
                });
            }
            (
                Operation::WsRestore(huawei::RestorePlan { snapshots }),
                Box::new(w),
            )
        }
    }
}

fn options() -> RunOptions {
    RunOptions {
        max_attempts: 4,
        poll_deadline_ms: 15_000,
        reconcile_reads: 3,
        max_calls: u32::MAX,
        ..RunOptions::default()
    }
}

/// The most polls any run may take with [`options`]: every poll phase ends by its
/// deadline (≤ 15 s at ≥ 0.5 s a wait, two reads a round, each failing at most 3
/// times in a row), and an operation has at most a dozen phases.
const POLL_BOUND: usize = 3000;

fn roundtrip<T: serde::Serialize + serde::de::DeserializeOwned>(t: &T) -> T {
    serde_json::from_str(&serde_json::to_string(t).expect("serializes")).expect("deserializes")
}

/// What one run did.
struct RunLog {
    outcome: Next,
    polls: usize,
    /// Emissions of destructive calls the cloud may have carried out, per action and target.
    emitted: BTreeMap<(Action, String), u32>,
}

/// Runs `m` against `world` with the adversary's answers. With `save_restore`, a second
/// machine is saved and restored before every poll and must decide exactly alike.
fn run(mut m: Machine, world: &mut dyn World, adv: &mut Adversary, save_restore: bool) -> RunLog {
    let mut twin = save_restore.then(|| m.clone());
    let (mut now, mut polls, mut n) = (0u64, 0usize, 0u32);
    let mut emitted = BTreeMap::new();
    // The destructive call last emitted, and whether a reconcile read of it was answered.
    let mut last_destructive: Option<(Action, String)> = None;
    let mut settled_by_reading = false;
    loop {
        polls += 1;
        assert!(
            polls <= POLL_BOUND,
            "no end after {POLL_BOUND} polls: {m:?}"
        );
        let next = m.poll(now);
        let reconciling = m.in_flight().is_some_and(|f| f.reconciling);
        if let (Next::Send(_), true, false) = (&next, settled_by_reading, reconciling) {
            // The machine moved on after reading: the call must really have taken effect.
            let key = last_destructive
                .clone()
                .expect("a reconcile follows a destructive call");
            assert_eq!(
                world.effects().get(&key),
                Some(&1),
                "settled {key:?} as done, but it was not"
            );
        }
        if !matches!(next, Next::Wait { .. }) {
            settled_by_reading = false;
        }
        if let Some(t) = &mut twin {
            let mut restored = roundtrip(t);
            assert_eq!(&restored, t, "state changed across save/restore");
            assert_eq!(
                restored.poll(now),
                next,
                "a restored machine decided differently"
            );
            *t = restored;
        }
        match next {
            Next::Send(call) => {
                assert_eq!(call.destructive, must_be_destructive(&call), "{call:?}");
                assert_eq!(call.reconcile.is_some(), call.destructive, "{call:?}");
                assert!((1..=128).contains(&call.idempotency_key.len()));
                if call.destructive {
                    last_destructive = Some((call.action, call.target.clone()));
                }
                match respond(world, &call, adv, &mut n) {
                    Reply::Answer(answer, not_carried_out) => {
                        if call.destructive && !not_carried_out {
                            *emitted
                                .entry((call.action, call.target.clone()))
                                .or_default() += 1;
                        }
                        settled_by_reading = reconciling && matches!(answer, Answer::Ok { .. });
                        if let Some(t) = &mut twin {
                            t.on_answer(answer.clone(), now);
                        }
                        m.on_answer(answer, now);
                    }
                    Reply::Crash => {
                        if call.destructive {
                            *emitted
                                .entry((call.action, call.target.clone()))
                                .or_default() += 1;
                        }
                        // Restart from the state saved when the call was emitted.
                        m = roundtrip(&m);
                    }
                }
            }
            Next::Wait { until_ms } => {
                assert!(until_ms > now, "a wait must move time on");
                now = until_ms;
            }
            done => {
                return RunLog {
                    outcome: done,
                    polls,
                    emitted,
                };
            }
        }
    }
}

/// The change the operation exists for, in the simulated cloud's effects.
fn main_effect(plan: &Operation) -> Option<(Action, String)> {
    Some(match plan {
        Operation::LhRollback(p) => (Action::LhApplyInstanceSnapshot, p.instance_id.clone()),
        Operation::LhCreateSnapshot(p) => (Action::LhCreateInstanceSnapshot, p.instance_id.clone()),
        Operation::EcsResetDisk(p) => (Action::EcsResetDisk, p.disk_id.clone()),
        Operation::EcsCreateSnapshot(p) => (Action::EcsCreateSnapshot, p.disk_id.clone()),
        Operation::WsRestore(p) => (
            Action::WsBatchRestoreDesktopSnapshot,
            p.snapshots[0].snapshot_id.clone(),
        ),
        // A power step may find the instance already there.
        Operation::LhPower(_) | Operation::EcsPower(_) => return None,
    })
}

fn check_once_and_end(kind: u8, opts: u8, init: u8, script: Vec<u8>) -> Result<(), TestCaseError> {
    let (plan, mut world) = scenario(kind, opts, init);
    let m = Machine::with_options("op", plan.clone(), options()).expect("valid plan");
    let log = run(m, world.as_mut(), &mut Adversary::new(script), false);
    for (key, count) in &log.emitted {
        prop_assert!(*count <= 1, "{key:?} emitted {count} times");
    }
    for (key, count) in world.effects() {
        prop_assert!(*count <= 1, "{key:?} carried out {count} times");
    }
    prop_assert!(log.polls <= POLL_BOUND);
    if let (Next::Done(_), Some(effect)) = (&log.outcome, main_effect(&plan)) {
        prop_assert_eq!(
            world.effects().get(&effect),
            Some(&1),
            "Done without {:?}",
            effect
        );
    }
    if let Next::Failed(f) = &log.outcome {
        prop_assert!(
            !matches!(f.kind, rewind_cloud::operation::FailureKind::Internal),
            "{f:?}"
        );
    }
    Ok(())
}

fn script() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..160)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn lighthouse_destructive_calls_go_at_most_once_and_runs_end(kind in 0u8..3, opts: u8, init: u8, script in script()) {
        check_once_and_end(kind, opts, init, script)?;
    }

    #[test]
    fn ecs_destructive_calls_go_at_most_once_and_runs_end(kind in 3u8..6, opts: u8, init: u8, script in script()) {
        check_once_and_end(kind, opts, init, script)?;
    }

    #[test]
    fn workspace_restore_goes_at_most_once_and_runs_end(opts: u8, init: u8, script in script()) {
        check_once_and_end(6, opts, init, script)?;
    }

    #[test]
    fn a_saved_and_restored_state_continues_exactly_alike(kind in 0u8..7, opts: u8, init: u8, script in script()) {
        let (plan, mut world) = scenario(kind, opts, init);
        let m = Machine::with_options("op", plan, options()).expect("valid plan");
        run(m, world.as_mut(), &mut Adversary::new(script), true);
    }
}

// ============================================================================ batches

fn check_batch(ecs: bool, n: usize, script: Vec<u8>) -> Result<(), TestCaseError> {
    let mut adv = Adversary::new(script);
    let (plans, mut world): (Vec<Operation>, Box<dyn World>) = if ecs {
        let mut w = Ecs::default();
        let plans = (0..n)
            .map(|i| {
                w.add(i, ["Stopped", "Running"][i % 2], false, "In_use");
                Operation::EcsResetDisk(alibaba::ResetPlan {
                    disk_id: format!("d-disk{i}"),
                    snapshot_id: format!("s-snap{i}"),
                    instance_id: Some(format!("i-inst{i}")),
                    stop_if_running: true,
                    stop: Default::default(),
                    safety_snapshot: (i % 3 == 0).then(SafetySnapshot::default),
                    start_afterwards: i % 2 == 0,
                    dry_run: i % 4 == 1,
                })
            })
            .collect();
        (plans, Box::new(w))
    } else {
        let mut w = Lighthouse::default();
        let plans = (0..n)
            .map(|i| {
                w.add(i, ["STOPPED", "RUNNING"][i % 2], false);
                Operation::LhRollback(tencent::RollbackPlan {
                    instance_id: format!("lhins-{i:08}"),
                    snapshot_id: format!("lhsnap-{i:08}"),
                    safety_snapshot: (i % 3 == 0).then(SafetySnapshot::default),
                    start_afterwards: i % 2 == 0,
                })
            })
            .collect();
        (plans, Box::new(w))
    };
    let mut batch = Batch::new("b", plans, options()).expect("valid batch");
    let (mut now, mut polls, mut k) = (0u64, 0usize, 0u32);
    let mut paced: Vec<u64> = Vec::new();
    let mut emitted: BTreeMap<(Action, String), u32> = BTreeMap::new();
    let mut outstanding: Vec<(usize, Answer)> = Vec::new();
    loop {
        polls += 1;
        prop_assert!(polls <= POLL_BOUND * (n + 1), "batch did not end");
        let deliver = |batch: &mut Batch,
                       outstanding: &mut Vec<(usize, Answer)>,
                       adv: &mut Adversary,
                       now| {
            let i = adv.pick(255) as usize % outstanding.len();
            let (item, answer) = outstanding.swap_remove(i);
            batch.on_answer(item, answer, now);
        };
        match batch.poll(now) {
            BatchNext::Send { item, call } => {
                prop_assert_eq!(call.destructive, must_be_destructive(&call));
                if pace_limit(call.action).is_some() {
                    paced.push(now);
                }
                match respond(world.as_mut(), &call, &mut adv, &mut k) {
                    Reply::Answer(answer, not_carried_out) => {
                        if call.destructive && !not_carried_out {
                            *emitted
                                .entry((call.action, call.target.clone()))
                                .or_default() += 1;
                        }
                        outstanding.push((item, answer));
                    }
                    Reply::Crash => {
                        if call.destructive {
                            *emitted
                                .entry((call.action, call.target.clone()))
                                .or_default() += 1;
                        }
                        // The driver restarts from saved state: every answer in flight is lost.
                        batch = roundtrip(&batch);
                        batch.recover(now);
                        outstanding.clear();
                    }
                }
                if !outstanding.is_empty() && adv.pick(2) == 0 {
                    deliver(&mut batch, &mut outstanding, &mut adv, now);
                }
            }
            BatchNext::Wait { until_ms } if !outstanding.is_empty() && adv.pick(3) == 0 => {
                let _ = until_ms;
                deliver(&mut batch, &mut outstanding, &mut adv, now);
            }
            BatchNext::Wait { until_ms } => {
                while !outstanding.is_empty() {
                    deliver(&mut batch, &mut outstanding, &mut adv, now);
                }
                now = now.max(until_ms);
            }
            BatchNext::AwaitAnswers => {
                prop_assert!(!outstanding.is_empty(), "awaiting answers to no call");
                deliver(&mut batch, &mut outstanding, &mut adv, now);
            }
            BatchNext::Done(_) | BatchNext::Failed(_) => break,
        }
    }
    for (i, t) in paced.iter().enumerate() {
        let in_window = paced[i..].iter().filter(|u| **u < t + 1000).count();
        prop_assert!(
            in_window <= 20,
            "{} paced starts within a second of {}",
            in_window,
            t
        );
    }
    for (key, count) in emitted.iter().chain(world.effects()) {
        prop_assert!(*count <= 1, "{:?}: {} times", key, count);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn batches_pace_their_starts_and_send_each_rollback_at_most_once(
        ecs: bool, n in 1usize..45, script in prop::collection::vec(any::<u8>(), 0..400)
    ) {
        check_batch(ecs, n, script)?;
    }
}

// ============================================================================ examples

/// With nothing going wrong, every plan against a cloud that allows it ends Done.
#[test]
fn a_cooperative_cloud_lets_every_valid_plan_finish() {
    for kind in 0..7u8 {
        for opts in 0..16u8 {
            // init 0: STOPPED / Stopped, snapshots ready.
            let (plan, mut world) = scenario(kind, opts, 0);
            let plan_text = format!("{plan:?}");
            let m = Machine::with_options("op", plan, options()).expect("valid plan");
            let log = run(m, world.as_mut(), &mut Adversary::new(vec![]), true);
            assert!(
                matches!(log.outcome, Next::Done(_)),
                "{plan_text}: {:?}",
                log.outcome
            );
        }
    }
}

/// The driver's side of a lost rollback: no second ApplyInstanceSnapshot, whatever the
/// reconcile reads say, and a clear reason.
#[test]
fn a_lost_apply_that_did_not_happen_fails_as_unknown_without_resending() {
    let (plan, mut world) = scenario(0, 0, 0);
    let m = Machine::with_options("op", plan, options()).expect("valid plan");
    // Check the instance, check the snapshot (each: move on, answer), then the apply is
    // lost without effect; then the cloud cooperates.
    let script = vec![0, 0, 0, 0, 18];
    let log = run(m, world.as_mut(), &mut Adversary::new(script), true);
    let Next::Failed(f) = log.outcome else {
        panic!("{:?}", log.outcome)
    };
    assert!(
        f.message.en.contains("unknown") && f.message.en.contains("not sent again"),
        "{}",
        f.message.en
    );
    assert_eq!(world.effects().len(), 0);
    assert_eq!(log.emitted.values().sum::<u32>(), 1);
}
