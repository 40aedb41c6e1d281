//! `cargo bench -p rewind-proxy --bench operations` (also run by `cargo xtask bench`):
//! the server running operations in portal mode, at scale. Prints figures against
//! budgets; never fails on timing.
//!
//! The release `rewind` binary (`$REWIND_BIN`, else `target/release/rewind`) runs twice,
//! each in its own process: `rewind emulator --world scale` stands in for the clouds
//! (every cloud-side operation takes [`OP_MS`]; its request log is the witness), and
//! `rewind serve` with a portal configuration pointing at it. Then:
//!
//! 1. **1,000 operations at once**: a snapshot of every fleet machine before a change
//!    window. 400 Lighthouse CreateInstanceSnapshot (the ap-shanghai and ap-singapore
//!    fleets; one access key, so the server paces them at 20/s: some 20 s of the run)
//!    and 600 ECS CreateSnapshot (the fleets of three regions), each waited on until the
//!    snapshot is ready. They are posted by [`POSTERS`] clients at once; the bench's
//!    configuration raises the per-user API rate limit (600/min by default) so that the
//!    posting and the polling are not refused. Reported: wall time, operations/s, the
//!    server's peak RSS (VmHWM) and CPU time, how many succeeded, and when the
//!    unpaced ECS ones and the paced Lighthouse ones were done.
//! 2. **A 100-instance Lighthouse batch**: one `Batch` of 100 rollbacks (ap-guangzhou
//!    fleet, one access key, no safety snapshots: the ApplyInstanceSnapshot pace alone).
//!    Reported: the rate of ApplyInstanceSnapshot calls as the emulator saw them (first
//!    to last), against 20/s, and how many the emulator refused with
//!    `RequestLimitExceeded` (it enforces 20/s per key and action, in a sliding second).

use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long every cloud-side operation takes in the emulator: short, so the run is
/// about the server, but long enough that every operation polls at least once.
const OP_MS: u64 = 300;
const OPERATIONS: usize = 1000;
/// Lighthouse fleet regions of part 1 (200 instances each); ap-guangzhou is part 2's.
const LH_REGIONS: [&str; 2] = ["ap-shanghai", "ap-singapore"];
const ECS_REGIONS: [&str; 3] = ["cn-hangzhou", "cn-shanghai", "cn-beijing"];
const BATCH_REGION: &str = "ap-guangzhou";
const BATCH_ITEMS: usize = 100;
/// Clients posting operations at once.
const POSTERS: usize = 32;
/// Giving up on a part (not a budget: a part that takes this long is broken).
const DEADLINE: Duration = Duration::from_secs(600);

// Budgets: printed against, never asserted.
/// The 400 paced Lighthouse calls alone take 20.6 s.
const BUDGET_WALL: Duration = Duration::from_secs(40);
const BUDGET_RSS_MB: f64 = 128.0;
/// 15 ms per operation (each makes three or four cloud calls).
const BUDGET_CPU: Duration = Duration::from_secs(15);
/// Lighthouse's documented limit and the share of it a batch must reach (95%).
const LH_LIMIT_PER_SEC: f64 = 20.0;
const BUDGET_PACE_PER_SEC: f64 = 0.95 * LH_LIMIT_PER_SEC;

fn main() {
    let bin = std::env::var_os("REWIND_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/rewind")
        });
    assert!(
        bin.is_file(),
        "bench: no {} (build it: cargo build --release -p rewind-proxy, or set REWIND_BIN)",
        bin.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("bench: a runtime");
    let emu = Emulator::start(&bin);
    let portal = Portal::start(&bin, &emu);
    runtime.block_on(async {
        let api = Api::new(&portal.url);
        many_operations(&api, &emu, &portal).await;
        batch(&api, &emu).await;
    });
}

// ------------------------------------------------------------------ part 1

async fn many_operations(api: &Api, emu: &Emulator, portal: &Portal) {
    let mut bodies = Vec::new();
    for region in LH_REGIONS {
        for (_, id) in lh_fleet(api, region).await {
            bodies.push(
                json!({"profile": "lh", "region": region, "kind": "LhCreateSnapshot",
                "params": {"instance_id": id}}),
            );
        }
    }
    for region in ECS_REGIONS {
        for disk in ecs_fleet_disks(api, region).await {
            bodies.push(
                json!({"profile": "ecs", "region": region, "kind": "EcsCreateSnapshot",
                "params": {"disk_id": disk}}),
            );
        }
    }
    assert_eq!(bodies.len(), OPERATIONS, "bench: the scale world's fleets");
    let lh_ops = bodies.iter().filter(|b| b["profile"] == "lh").count();

    let mark = emu.requests().len();
    let cpu_before = cpu_time(portal.pid());
    let started = Instant::now();
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let mut posters = Vec::new();
    for _ in 0..POSTERS {
        let (api, bodies, next) = (api.clone(), bodies.clone(), next.clone());
        posters.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else {
                    return ids;
                };
                let (status, v) = api.post("/api/v1/operations", body).await;
                assert_eq!(status, 201, "bench: POST /api/v1/operations: {v}");
                ids.push(
                    v["operation"]["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        }));
    }
    let mut ids = HashSet::new();
    for p in posters {
        ids.extend(p.await.expect("bench: a poster"));
    }
    let posted = started.elapsed();
    // The list of running operations, polled until it is empty.
    loop {
        let v = api.get("/api/v1/operations?state=running&limit=1").await;
        if v["operations"].as_array().is_some_and(Vec::is_empty) {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "bench: operations still running after {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let wall = started.elapsed();
    let cpu = cpu_time(portal.pid()).saturating_sub(cpu_before);
    let rss_mb = peak_rss_kb(portal.pid()) as f64 / 1024.0;
    let ops = finished(api, &ids).await;
    let succeeded = ops.iter().filter(|o| o.state == "succeeded").count();
    let log = emu.requests();
    let calls = &log[mark..];
    let throttled = calls
        .iter()
        .filter(|r| r.code == "RequestLimitExceeded")
        .count();
    let creates = rate(calls, "CreateInstanceSnapshot");

    println!(
        "\n==> {OPERATIONS} operations at once on one server (scale world, cloud operations take {OP_MS} ms)"
    );
    println!(
        "    {lh_ops} Lighthouse CreateInstanceSnapshot (one key, paced at 20/s) + {} ECS CreateSnapshot, posted by {POSTERS} clients in {posted:.1?}",
        OPERATIONS - lh_ops
    );
    println!("    {:<28} {:>12}   budget", "", "");
    row(
        "wall time",
        format!("{wall:.1?}"),
        format!("<= {BUDGET_WALL:?}"),
        wall <= BUDGET_WALL,
    );
    println!(
        "    {:<28} {:>12.1}",
        "operations/s",
        OPERATIONS as f64 / wall.as_secs_f64()
    );
    row(
        "server peak RSS (VmHWM)",
        format!("{rss_mb:.1} MB"),
        format!("<= {BUDGET_RSS_MB} MB"),
        rss_mb <= BUDGET_RSS_MB,
    );
    row(
        "server CPU (user+sys)",
        format!("{cpu:.1?}"),
        format!("<= {BUDGET_CPU:?}"),
        cpu <= BUDGET_CPU,
    );
    row(
        "succeeded",
        format!("{succeeded}/{OPERATIONS}"),
        format!("{OPERATIONS}"),
        succeeded == OPERATIONS,
    );
    if succeeded != OPERATIONS {
        let mut states: HashMap<&str, usize> = HashMap::new();
        for o in &ops {
            *states.entry(o.state.as_str()).or_insert(0) += 1;
        }
        println!("    final states: {states:?}");
    }
    println!(
        "    {:<28} {:>12}",
        "ECS ones done in",
        format!("{:.1?}", span(&ops, "ecs"))
    );
    println!(
        "    {:<28} {:>12}",
        "Lighthouse ones done in",
        format!("{:.1?}", span(&ops, "lh"))
    );
    println!("    {:<28} {:>12}", "cloud calls", calls.len());
    println!(
        "    {:<28} {:>12}",
        "CreateInstanceSnapshot pace",
        format!("{:.2}/s", creates.per_sec)
    );
    // Not a budget of this part: a refused call is retried by its operation after a
    // back-off. It counts arrivals bunched by more than the pace's margin (30 ms) on the
    // way, which a loaded two-core machine running all three processes can do.
    println!(
        "    {:<28} {:>12}   (retried; the batch below has the budget of 0)",
        "RequestLimitExceeded", throttled
    );
}

/// One finished operation, as the list shows it.
struct Finished {
    profile: String,
    state: String,
    created_ms: u64,
    finished_ms: u64,
}

/// The operations of `ids` (the list, paged from newest to oldest).
async fn finished(api: &Api, ids: &HashSet<String>) -> Vec<Finished> {
    let mut out = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let path = match &before {
            Some(b) => format!("/api/v1/operations?limit=200&before={b}"),
            None => "/api/v1/operations?limit=200".to_string(),
        };
        let v = api.get(&path).await;
        for op in v["operations"].as_array().into_iter().flatten() {
            if op["id"].as_str().is_some_and(|id| ids.contains(id)) {
                out.push(Finished {
                    profile: op["profile"].as_str().unwrap_or_default().to_string(),
                    state: op["state"].as_str().unwrap_or("?").to_string(),
                    created_ms: op["created_ms"].as_u64().unwrap_or(0),
                    finished_ms: op["finished_ms"].as_u64().unwrap_or(0),
                });
            }
        }
        match v["next_before"].as_str() {
            Some(b) => before = Some(b.to_string()),
            None => return out,
        }
    }
}

/// From the first start to the last finish of `profile`'s operations.
fn span(ops: &[Finished], profile: &str) -> Duration {
    let of = || ops.iter().filter(|o| o.profile == profile);
    let first = of().map(|o| o.created_ms).min().unwrap_or(0);
    let last = of().map(|o| o.finished_ms).max().unwrap_or(0);
    Duration::from_millis(last.saturating_sub(first))
}

// ------------------------------------------------------------------ part 2

async fn batch(api: &Api, emu: &Emulator) {
    let snapshots = lh_fleet_snapshots(api, BATCH_REGION).await;
    let items: Vec<Value> = lh_fleet(api, BATCH_REGION)
        .await
        .into_iter()
        .filter_map(|(name, id)| {
            let snap = snapshots.get(&format!("{name}-base"))?;
            Some(json!({"kind": "LhRollback", "instance_id": id, "snapshot_id": snap}))
        })
        .take(BATCH_ITEMS)
        .collect();
    assert_eq!(items.len(), BATCH_ITEMS, "bench: the ap-guangzhou fleet");
    let mark = emu.requests().len();
    let started = Instant::now();
    let (status, v) = api
        .post(
            "/api/v1/operations",
            &json!({"profile": "lh", "region": BATCH_REGION, "kind": "Batch", "params": {"items": items}}),
        )
        .await;
    assert_eq!(status, 201, "bench: POST the batch: {v}");
    let id = v["operation"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let op = loop {
        let v = api.get(&format!("/api/v1/operations/{id}")).await;
        if v["operation"]["state"] != "running" {
            break v["operation"].clone();
        }
        assert!(
            started.elapsed() < DEADLINE,
            "bench: the batch is still running after {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let wall = started.elapsed();
    let done = op["task"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["outcome"].get("Done").is_some())
        .count();
    let log = emu.requests();
    let calls = &log[mark..];
    let applies = rate(calls, "ApplyInstanceSnapshot");
    let throttled = calls
        .iter()
        .filter(|r| r.code == "RequestLimitExceeded")
        .count();

    println!("\n==> one Batch of {BATCH_ITEMS} Lighthouse rollbacks ({BATCH_REGION}, one key)");
    println!("    {:<28} {:>12}   budget", "", "");
    println!("    {:<28} {:>12}", "wall time", format!("{wall:.1?}"));
    row(
        "ApplyInstanceSnapshot pace",
        format!("{:.2}/s", applies.per_sec),
        format!(">= {BUDGET_PACE_PER_SEC:.0}/s (95% of {LH_LIMIT_PER_SEC:.0}/s)"),
        applies.per_sec >= BUDGET_PACE_PER_SEC,
    );
    println!(
        "    {:<28} {:>12}",
        "  (calls, first to last)",
        format!("{} in {:.2} s", applies.count, applies.span_secs)
    );
    row(
        "RequestLimitExceeded",
        throttled.to_string(),
        "0".into(),
        throttled == 0,
    );
    row(
        "items succeeded",
        format!("{done}/{BATCH_ITEMS}"),
        format!("{BATCH_ITEMS}"),
        done == BATCH_ITEMS,
    );
    if done != BATCH_ITEMS {
        println!("    operation state: {}", op["state"]);
    }
}

// ------------------------------------------------------------------ figures

fn row(name: &str, value: String, budget: String, within: bool) {
    let mark = if within { "" } else { "  OVER BUDGET" };
    println!("    {name:<28} {value:>12}   {budget}{mark}");
}

struct Rate {
    count: usize,
    span_secs: f64,
    per_sec: f64,
}

/// The rate of accepted `action` calls in `calls`, first to last, as the emulator saw them.
fn rate(calls: &[Request], action: &str) -> Rate {
    let times: Vec<f64> = calls
        .iter()
        .filter(|r| r.action == action && r.code.is_empty())
        .map(|r| r.at)
        .collect();
    let span_secs = match (times.first(), times.last()) {
        (Some(a), Some(b)) => b - a,
        _ => 0.0,
    };
    let per_sec = if span_secs > 0.0 {
        (times.len() - 1) as f64 / span_secs
    } else {
        0.0
    };
    Rate {
        count: times.len(),
        span_secs,
        per_sec,
    }
}

/// Kernel clock ticks per second (`getconf CLK_TCK`; 100 on Linux almost everywhere).
fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// User + system CPU time of `pid` so far (`/proc/<pid>/stat`, fields 14 and 15).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<u64> = rest
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // `rest` starts at field 3 (state): utime is field 14, stime 15.
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64)
}

/// The peak resident set size of `pid` in KiB (`VmHWM` in `/proc/<pid>/status`).
fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

// ------------------------------------------------------------------ the fleets

/// `(name, id)` of the Lighthouse fleet instances of `region`, in name order.
async fn lh_fleet(api: &Api, region: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for offset in (0..).step_by(100) {
        let data = api
            .read(
                "lh",
                region,
                "DescribeInstances",
                json!({"Offset": offset, "Limit": 100}),
            )
            .await;
        let rows = data["InstanceSet"].as_array().cloned().unwrap_or_default();
        for i in &rows {
            let name = i["InstanceName"].as_str().unwrap_or_default();
            if name.starts_with("fleet-") {
                out.push((
                    name.to_string(),
                    i["InstanceId"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
        if rows.len() < 100 {
            break;
        }
    }
    out.sort();
    out
}

/// Snapshot name → id of the Lighthouse fleet's snapshots in `region`.
async fn lh_fleet_snapshots(api: &Api, region: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for offset in (0..).step_by(100) {
        let data = api
            .read(
                "lh",
                region,
                "DescribeSnapshots",
                json!({"Offset": offset, "Limit": 100}),
            )
            .await;
        let rows = data["SnapshotSet"].as_array().cloned().unwrap_or_default();
        for s in &rows {
            let name = s["SnapshotName"].as_str().unwrap_or_default();
            if name.starts_with("fleet-") && s["SnapshotState"] == "NORMAL" {
                out.insert(
                    name.to_string(),
                    s["SnapshotId"].as_str().unwrap_or_default().to_string(),
                );
            }
        }
        if rows.len() < 100 {
            break;
        }
    }
    out
}

/// The system disks of the ECS fleet instances of `region`.
async fn ecs_fleet_disks(api: &Api, region: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut params = json!({"DiskType": "system", "MaxResults": 500});
    loop {
        let data = api
            .read("ecs", region, "DescribeDisks", params.clone())
            .await;
        for d in data["Disks"]["Disk"].as_array().into_iter().flatten() {
            if d["DiskName"]
                .as_str()
                .is_some_and(|n| n.starts_with("fleet-"))
            {
                out.push(d["DiskId"].as_str().unwrap_or_default().to_string());
            }
        }
        match data["NextToken"].as_str() {
            Some(t) if !t.is_empty() => params["NextToken"] = json!(t),
            _ => return out,
        }
    }
}

// ------------------------------------------------------------------ processes

/// One request as the emulator logged it.
#[derive(Debug, Clone)]
struct Request {
    /// Seconds since midnight UTC, from the log line's timestamp.
    at: f64,
    action: String,
    /// The error code; empty for an answer that is not an error.
    code: String,
}

/// `rewind emulator --world scale` in its own process; every request line of its log
/// is collected. Killed on drop.
struct Emulator {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Emulator {
    fn start(bin: &PathBuf) -> Emulator {
        let mut child = Command::new(bin)
            .args([
                "emulator",
                "--listen",
                "127.0.0.1:0",
                "--world",
                "scale",
                "--op-ms",
            ])
            .arg(OP_MS.to_string())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bench: start the emulator");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("bench: emulator stdout"))
            .read_line(&mut first)
            .expect("bench: the emulator's first line");
        let addr = first
            .trim()
            .strip_prefix("rewind emulator listening on http://")
            .unwrap_or_else(|| panic!("bench: the emulator said {first:?}"))
            .trim_end_matches('/')
            .to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let stderr = child.stderr.take().expect("bench: emulator stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !line.contains("emulator request") {
                    continue;
                }
                let request = Request {
                    at: seconds_of_day(&line).unwrap_or(0.0),
                    action: field(&line, "action").unwrap_or_default(),
                    code: field(&line, "code").unwrap_or_default(),
                };
                sink.lock().unwrap_or_else(|e| e.into_inner()).push(request);
            }
        });
        Emulator { child, addr, log }
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
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

/// `2025-01-02T03:04:05.678901Z  INFO …` → seconds since midnight (03:04:05.678901).
fn seconds_of_day(line: &str) -> Option<f64> {
    let stamp = line.split_whitespace().next()?;
    let time = stamp.split_once('T')?.1.trim_end_matches('Z');
    let mut parts = time.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// `rewind serve` with a portal configuration pointing at the emulator; its log goes to
/// a file in its directory. Killed (and the directory removed) on drop.
struct Portal {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Portal {
    fn start(bin: &PathBuf, emu: &Emulator) -> Portal {
        let dir =
            std::env::temp_dir().join(format!("rewind-bench-operations-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench: a temporary directory");
        let config = dir.join("rewind.toml");
        std::fs::write(
            &config,
            format!(
                r#"
listen = "127.0.0.1:0"
[auth]
mode = "none"
[limits]
# The default (600 per user and minute) would refuse the bench's posting and polling.
requests_per_minute = 1000000
[[profiles]]
name = "lh"
provider = "tencent"
regions = ["ap-guangzhou", "ap-shanghai", "ap-singapore"]
credentials = {{ id_env = "REWIND_BENCH_TC_ID", secret_env = "REWIND_BENCH_TC_SECRET" }}
endpoint = {{ url = "http://{addr}" }}
[[profiles]]
name = "ecs"
provider = "alibaba"
regions = ["cn-hangzhou", "cn-shanghai", "cn-beijing"]
credentials = {{ id_env = "REWIND_BENCH_ALI_ID", secret_env = "REWIND_BENCH_ALI_SECRET" }}
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
        .expect("bench: write the configuration");
        let log = std::fs::File::create(dir.join("server.log")).expect("bench: the server log");
        use rewind_emulator::config::demo as keys;
        let mut child = Command::new(bin)
            .args(["serve", "--config"])
            .arg(&config)
            .args(["--dist", "/nonexistent-dist"])
            .current_dir(&dir)
            .env("REWIND_BENCH_TC_ID", keys::TENCENT_SECRET_ID)
            .env("REWIND_BENCH_TC_SECRET", keys::TENCENT_SECRET_KEY)
            .env("REWIND_BENCH_ALI_ID", keys::ALIBABA_ACCESS_KEY_ID)
            .env("REWIND_BENCH_ALI_SECRET", keys::ALIBABA_ACCESS_KEY_SECRET)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("bench: start rewind serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("bench: server stdout"))
            .read_line(&mut first)
            .expect("bench: the server's first line");
        let url = first
            .trim()
            .strip_prefix("rewind listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "bench: the server said {first:?} (log in {})",
                    dir.display()
                )
            })
            .trim_end_matches('/')
            .to_string();
        Portal { child, url, dir }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The server's API, as the console calls it.
#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    url: String,
}

impl Api {
    fn new(url: &str) -> Api {
        Api {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(POSTERS)
                .build()
                .expect("bench: an HTTP client"),
            url: url.to_string(),
        }
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = self
            .client
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .header("x-rewind-request", "1")
            .body(body.to_string())
            .send()
            .await
            .expect("bench: POST");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let res = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("bench: GET");
        let text = res.text().await.unwrap_or_default();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bench: GET {path}: {e}: {text}"))
    }

    /// A read through `POST /api/v1/call`; its `data`.
    async fn read(&self, profile: &str, region: &str, action: &str, params: Value) -> Value {
        let (status, v) = self
            .post(
                "/api/v1/call",
                &json!({"profile": profile, "region": region, "action": action, "params": params}),
            )
            .await;
        assert!(
            status == 200 && v["ok"] == true,
            "bench: {action}: {status} {v}"
        );
        v["data"].clone()
    }
}
