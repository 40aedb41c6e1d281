//! Crash tests: the emulator in its own process (its request log is the witness), the
//! server `kill -9`ed right after the emulator answered the k-th call of an operation,
//! for every k, then started again on the same database. Every operation must finish,
//! and the emulator must have seen exactly one destructive call per target.

mod common;

use common::Server;
use rewind_emulator::config::demo as keys;
use rewind_emulator::seed::names;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(90);

/// `rewind emulator` in its own process; every request line of its log is collected.
/// Cloud-side operations take 2.5 s: longer than a restart, as on a real cloud (where a
/// reset takes minutes), so an ECS reset whose answer was lost is still seen ReIniting.
struct Emulator {
    child: Child,
    addr: String,
    /// `(action, status)` per request, in order.
    log: Arc<Mutex<Vec<(String, u16)>>>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of `key=` in a log line (quoted or not).
fn field(line: &str, key: &str) -> Option<String> {
    let at = line.find(&format!(" {key}="))? + key.len() + 2;
    let rest = &line[at..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.split('"').next().map(str::to_string);
    }
    rest.split_whitespace().next().map(str::to_string)
}

impl Emulator {
    fn start(world: &str) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rewind"))
            .args([
                "emulator",
                "--listen",
                "127.0.0.1:0",
                "--op-ms",
                "2500",
                "--world",
                world,
            ])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the emulator");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim()
            .strip_prefix("rewind emulator listening on http://")
            .unwrap_or_else(|| panic!("emulator said {first:?}"))
            .trim_end_matches('/')
            .to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !line.contains("emulator request") {
                    continue;
                }
                let action = field(&line, "action").unwrap_or_default();
                let status = field(&line, "status")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                sink.lock().unwrap().push((action, status));
            }
        });
        Emulator { child, addr, log }
    }

    fn requests(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// Requests of `action` since request number `from`; `Action@200` counts only the
    /// ones answered 200 (an ECS dry run is answered 400 `DryRunOperation`).
    fn count(&self, from: usize, action: &str) -> usize {
        let (action, status) = match action.split_once('@') {
            Some((a, s)) => (a, s.parse::<u16>().ok()),
            None => (action, None),
        };
        self.log.lock().unwrap()[from..]
            .iter()
            .filter(|(a, s)| a == action && status.is_none_or(|want| *s == want))
            .count()
    }

    /// Waits until the emulator has answered `n` requests.
    fn wait_requests(&self, n: usize) {
        let started = Instant::now();
        while self.requests() < n {
            assert!(
                started.elapsed() < DEADLINE,
                "the emulator saw only {} of {n} requests",
                self.requests()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

struct Portal {
    dir: PathBuf,
    config: PathBuf,
}

impl Portal {
    fn new(name: &str, emu: &Emulator) -> Portal {
        let dir = std::env::temp_dir().join(format!("rewind-crash-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("rewind.toml");
        std::fs::write(
            &config,
            format!(
                r#"
listen = "127.0.0.1:0"
[auth]
mode = "none"
[[profiles]]
name = "lh"
provider = "tencent"
regions = ["ap-guangzhou"]
credentials = {{ id_env = "REWIND_TEST_TC_ID", secret_env = "REWIND_TEST_TC_SECRET" }}
endpoint = {{ url = "http://{addr}" }}
[[profiles]]
name = "ecs"
provider = "alibaba"
regions = ["cn-hangzhou"]
credentials = {{ id_env = "REWIND_TEST_ALI_ID", secret_env = "REWIND_TEST_ALI_SECRET" }}
endpoint = {{ url = "http://{addr}" }}
[[policy]]
users = ["*"]
profiles = ["*"]
actions = ["*"]
[audit]
path = "rewind.sqlite"
"#,
                addr = emu.addr
            ),
        )
        .unwrap();
        Portal { dir, config }
    }

    fn start(&self) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rewind"));
        cmd.args([
            "serve",
            "--config",
            self.config.to_str().unwrap(),
            "--dist",
            "/nonexistent-dist",
        ])
        .env("REWIND_TEST_TC_ID", keys::TENCENT_SECRET_ID)
        .env("REWIND_TEST_TC_SECRET", keys::TENCENT_SECRET_KEY)
        .env("REWIND_TEST_ALI_ID", keys::ALIBABA_ACCESS_KEY_ID)
        .env("REWIND_TEST_ALI_SECRET", keys::ALIBABA_ACCESS_KEY_SECRET);
        Server::spawn(cmd)
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn post(server: &Server, path: &str, body: &Value) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", server.url))
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(server: &Server, path: &str) -> Value {
    let text = reqwest::get(format!("{}{path}", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn read(server: &Server, profile: &str, region: &str, action: &str, params: Value) -> Value {
    let (status, v) = post(
        server,
        "/api/v1/call",
        &json!({"profile": profile, "region": region, "action": action, "params": params}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["ok"], true, "{v}");
    v["data"].clone()
}

async fn wait_finished(server: &Server, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let v = get(server, &format!("/api/v1/operations/{id}")).await;
        if v["operation"]["state"] != "running" {
            return v["operation"].clone();
        }
        assert!(started.elapsed() < DEADLINE, "did not finish: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One scenario: the world to seed, how to build the operation (reads through the
/// server allowed), and the destructive actions with how many targets each must hit.
struct Scenario {
    name: &'static str,
    world: &'static str,
    destructive: &'static [&'static str],
    targets: usize,
}

async fn plan(s: &Scenario, server: &Server) -> Value {
    match s.name {
        "lighthouse" => {
            let r = names::LH_REGION;
            let data = read(server, "lh", r, "DescribeInstances", json!({})).await;
            let inst = data["InstanceSet"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["InstanceName"] == names::LH_RUNNING)
                .unwrap()["InstanceId"]
                .clone();
            let snaps = read(
                server,
                "lh",
                r,
                "DescribeSnapshots",
                json!({"Filters": [{"Name": "instance-id", "Values": [inst]}]}),
            )
            .await;
            let snap = snaps["SnapshotSet"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["SnapshotName"] == "blog-daily")
                .unwrap()["SnapshotId"]
                .clone();
            json!({"profile": "lh", "region": r, "kind": "LhRollback", "params": {
                "instance_id": inst, "snapshot_id": snap, "safety_snapshot": {}, "start_afterwards": true}})
        }
        "ecs" => {
            let r = names::ECS_REGION;
            let inst = read(server, "ecs", r, "DescribeInstances", json!({})).await;
            let web2 = inst["Instances"]["Instance"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["InstanceName"] == names::ECS_RUNNING)
                .unwrap()["InstanceId"]
                .clone();
            let disks = read(
                server,
                "ecs",
                r,
                "DescribeDisks",
                json!({"InstanceId": web2, "DiskType": "system"}),
            )
            .await;
            let disk = disks["Disks"]["Disk"][0]["DiskId"].clone();
            let snaps = read(
                server,
                "ecs",
                r,
                "DescribeSnapshots",
                json!({"DiskId": disk}),
            )
            .await;
            let snap = snaps["Snapshots"]["Snapshot"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["Status"] == "accomplished")
                .unwrap()["SnapshotId"]
                .clone();
            json!({"profile": "ecs", "region": r, "kind": "EcsResetDisk", "params": {
                "disk_id": disk, "snapshot_id": snap, "instance_id": web2, "stop_if_running": true,
                "safety_snapshot": {}, "dry_run": true, "start_afterwards": true}})
        }
        _ => {
            // 20 Lighthouse instances of the scale world with a snapshot that fits.
            let r = names::LH_REGION;
            let data = read(server, "lh", r, "DescribeInstances", json!({"Limit": 100})).await;
            let mut items = Vec::new();
            for i in data["InstanceSet"].as_array().unwrap() {
                if items.len() == s.targets {
                    break;
                }
                if i["InstanceState"] != "RUNNING" && i["InstanceState"] != "STOPPED" {
                    continue;
                }
                let snaps = read(
                    server,
                    "lh",
                    r,
                    "DescribeSnapshots",
                    json!({"Filters": [{"Name": "instance-id", "Values": [i["InstanceId"]]}]}),
                )
                .await;
                let fits = snaps["SnapshotSet"].as_array().unwrap().iter().find(|x| {
                    x["SnapshotState"] == "NORMAL" && x["DiskSize"] == i["SystemDisk"]["DiskSize"]
                });
                if let Some(snap) = fits {
                    items.push(json!({"kind": "LhRollback", "instance_id": i["InstanceId"], "snapshot_id": snap["SnapshotId"]}));
                }
            }
            assert_eq!(
                items.len(),
                s.targets,
                "not enough instances with a fitting snapshot"
            );
            json!({"profile": "lh", "region": r, "kind": "Batch", "params": {"items": items}})
        }
    }
}

/// Runs the operation once with no crash; returns how many requests it made.
async fn calls_without_crash(s: &Scenario) -> usize {
    let emu = Emulator::start(s.world);
    let portal = Portal::new(&format!("{}-clean", s.name), &emu);
    let server = portal.start();
    let body = plan(s, &server).await;
    let before = emu.requests();
    let (status, v) = post(&server, "/api/v1/operations", &body).await;
    assert_eq!(status, 201, "{v}");
    let op = wait_finished(&server, v["operation"]["id"].as_str().unwrap()).await;
    assert_eq!(op["state"], "succeeded", "{op}");
    for action in s.destructive {
        assert_eq!(
            emu.count(before, action),
            s.targets,
            "{action} without a crash"
        );
    }
    emu.requests() - before
}

async fn crash_at(s: &Scenario, k: usize) {
    let emu = Emulator::start(s.world);
    let portal = Portal::new(&format!("{}-{k}", s.name), &emu);
    let mut first = portal.start();
    let body = plan(s, &first).await;
    let before = emu.requests();
    let (status, v) = post(&first, "/api/v1/operations", &body).await;
    assert_eq!(status, 201, "{v}");
    let id = v["operation"]["id"].as_str().unwrap().to_string();
    // Until call `k`, or the end: how many calls an operation makes varies a little from
    // run to run (its polling reads follow the clock), so a run may finish in fewer than
    // the clean run's count. It is killed finished then, which the restart must agree with.
    let started = Instant::now();
    let mut polls = 0u32;
    while emu.requests() < before + k {
        polls += 1;
        if polls.is_multiple_of(50)
            && get(&first, &format!("/api/v1/operations/{id}")).await["operation"]["state"]
                != "running"
        {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the emulator saw only {} of {} requests",
            emu.requests() - before,
            k
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // SIGKILL: no shutdown, no last write.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    drop(first);
    let second = portal.start();
    let op = wait_finished(&second, &id).await;
    let outcomes: Vec<&Value> = match op["task"]["items"].as_array() {
        Some(items) => items.iter().map(|i| &i["outcome"]).collect(),
        None => vec![&op["task"]["outcome"]],
    };
    // The one moment a crash leaves undecided is between recording a destructive call
    // as sent and sending it: the cloud then shows no trace, the machine cannot tell
    // "never arrived" from "arrived without a trace", and it stops saying the outcome
    // is unknown rather than send again. Such a call must indeed never have arrived;
    // every other run must succeed, with each destructive call arriving exactly once.
    let mut unknown: Vec<String> = Vec::new();
    for o in &outcomes {
        if o.get("Done").is_some() {
            continue;
        }
        let action = o["Failed"]["kind"]["OutcomeUnknown"]["action"]
            .as_str()
            .unwrap_or_else(|| {
                panic!(
                    "{} killed after call {k}: only an undecided destructive call may fail an operation: {outcomes:?}\ncalls: {}",
                    s.name, op["calls"]
                )
            });
        // `EcsStopInstance` → `StopInstance`.
        let name = ["Ecs", "Lh", "Ws"]
            .iter()
            .find_map(|p| action.strip_prefix(p))
            .unwrap_or(action);
        unknown.push(name.to_string());
    }
    assert!(
        unknown.len() <= 3,
        "{} killed after call {k}: {} calls left undecided: {unknown:?}",
        s.name,
        unknown.len()
    );
    for action in s.destructive {
        let plain = action.split('@').next().unwrap_or(action);
        let undecided = unknown.iter().filter(|u| *u == plain).count();
        let arrived = emu.count(before, action);
        if op["state"] == "succeeded" {
            assert_eq!(
                arrived, s.targets,
                "{} killed after call {k}: {action} must reach the emulator exactly once per target",
                s.name
            );
        } else {
            assert!(
                arrived <= s.targets - undecided,
                "{} killed after call {k}: {action} arrived {arrived} times; {undecided} undecided must not have arrived",
                s.name
            );
        }
    }
    if op["state"] != "succeeded" {
        eprintln!(
            "{}: killed after call {k}, between recording and sending {unknown:?}: failed as outcome unknown, nothing sent twice",
            s.name
        );
    }
}

async fn every_step(s: Scenario, stride: usize) {
    let total = calls_without_crash(&s).await;
    assert!(total > 3, "{total}");
    eprintln!(
        "{}: {total} calls without a crash; killing after every {stride}",
        s.name
    );
    let mut k = 1;
    while k <= total {
        crash_at(&s, k).await;
        k += stride;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lighthouse_rollback_survives_kill_9_at_every_step() {
    every_step(
        Scenario {
            name: "lighthouse",
            world: "demo",
            destructive: &[
                "CreateInstanceSnapshot",
                "ApplyInstanceSnapshot",
                "StartInstances",
            ],
            targets: 1,
        },
        1,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ecs_reset_survives_kill_9_at_every_step() {
    every_step(
        Scenario {
            name: "ecs",
            world: "demo",
            // CreateSnapshot carries a ClientToken: repeating it is safe and not counted.
            destructive: &["StopInstance", "ResetDisk@200", "StartInstance"],
            targets: 1,
        },
        1,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_20_item_batch_survives_kill_9_across_its_run() {
    every_step(
        Scenario {
            name: "batch",
            world: "scale",
            destructive: &["ApplyInstanceSnapshot"],
            targets: 20,
        },
        // 140 calls: every 20th keeps the run short and still lands in each phase.
        20,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_graceful_shutdown_saves_the_operation_and_the_next_start_finishes_it() {
    let s = Scenario {
        name: "sigterm",
        world: "demo",
        destructive: &[
            "CreateInstanceSnapshot",
            "ApplyInstanceSnapshot",
            "StartInstances",
        ],
        targets: 1,
    };
    let emu = Emulator::start(s.world);
    let portal = Portal::new(s.name, &emu);
    let first = portal.start();
    let body = plan(
        &Scenario {
            name: "lighthouse",
            ..s
        },
        &first,
    )
    .await;
    let before = emu.requests();
    let (status, v) = post(&first, "/api/v1/operations", &body).await;
    assert_eq!(status, 201, "{v}");
    let id = v["operation"]["id"].as_str().unwrap().to_string();
    // While the safety snapshot is being waited on.
    emu.wait_requests(before + 3);
    let (clean, log) = first.stop();
    assert!(clean, "SIGTERM must end the server cleanly:\n{log}");
    let sent_before_restart = emu.requests();
    let second = portal.start();
    let op = wait_finished(&second, &id).await;
    assert_eq!(op["state"], "succeeded", "{op}");
    assert!(emu.requests() > sent_before_restart);
    for action in s.destructive {
        assert_eq!(emu.count(before, action), 1, "{action}");
    }
}
