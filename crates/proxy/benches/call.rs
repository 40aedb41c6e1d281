//! `cargo bench -p rewind-proxy --bench call` (also run by `cargo xtask bench`): the cost
//! of going through the proxy. Prints figures; never fails on timing.
//!
//! The same Lighthouse DescribeSnapshots call is made, in the same run and at the same
//! concurrency, two ways over loopback HTTP:
//! - **direct**: the client builds and signs the request itself (as an SDK would) and
//!   sends it to the embedded emulator;
//! - **proxy**: the client posts `{profile, region, action, params}` to
//!   `POST /api/v1/call` on a real `rewind` listener, which validates, checks policy,
//!   signs and forwards to the same emulator.
//!
//! The emulator stands in for the cloud, so it runs on a runtime and thread of its own
//! (see `Cloud`); the proxy and the callers share the bench's runtime.
//!
//! Goal from the issue: proxy throughput ≥ 0.8× direct (sixteen callers), and ≤ 0.3 ms
//! added at p50 (one caller). Each shape alternates direct and proxy rounds.

use rewind_cloud::build::{self, Target};
use rewind_cloud::sign::{self, Algorithm, Credentials, SigningParams};
use rewind_cloud::{Action, HttpRequest};
use rewind_emulator::config::demo::{TENCENT_SECRET_ID, TENCENT_SECRET_KEY};
use rewind_proxy::app;
use rewind_proxy::demo::{self, EmbeddedEmulator, TENCENT_PROFILE};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const REGION: &str = "ap-guangzhou";
/// (callers, calls per caller): one caller shows the latency added, sixteen the throughput.
const SHAPES: [(usize, usize); 2] = [(1, 2000), (16, 160)];
/// Each shape runs in this many alternating direct/proxy rounds, so that a slow moment of
/// the machine falls on both sides.
const ROUNDS: usize = 4;

/// Latencies of every call and the wall time of the whole batch.
struct Run {
    callers: usize,
    latencies: Vec<Duration>,
    wall: Duration,
    failures: usize,
}

impl Run {
    /// Adds another round's calls to this one.
    fn merge(&mut self, other: Run) {
        self.latencies.extend(other.latencies);
        self.latencies.sort();
        self.wall += other.wall;
        self.failures += other.failures;
    }

    fn per_sec(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    fn pct(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i.min(self.latencies.len() - 1)]
    }

    fn print(&self, name: &str) {
        println!(
            "{name:<8} {:>2} caller(s), {:>4} calls: {:>7.0} req/s  p50 {:>8.2?}  p99 {:>8.2?}  ({} failed)",
            self.callers,
            self.latencies.len(),
            self.per_sec(),
            self.pct(0.5),
            self.pct(0.99),
            self.failures
        );
    }
}

/// Runs `callers` tasks of `per_caller` calls each; `one` makes one call.
async fn run<F, Fut>(callers: usize, per_caller: usize, one: Arc<F>) -> Run
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let _ = one().await; // warm the connection pool
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let one = one.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::with_capacity(per_caller);
            for _ in 0..per_caller {
                let t = Instant::now();
                let ok = one().await;
                out.push((t.elapsed(), ok));
            }
            out
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for t in tasks {
        for (d, ok) in t.await.unwrap_or_default() {
            latencies.push(d);
            failures += usize::from(!ok);
        }
    }
    let wall = started.elapsed();
    latencies.sort();
    Run {
        callers,
        latencies,
        wall,
        failures,
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A signed DescribeSnapshots for the emulator, as an SDK would send it.
fn signed_request(emulator: &str) -> Option<HttpRequest> {
    let target = Target {
        region: REGION.into(),
        endpoint: Some(emulator.into()),
        scheme: Some("http".into()),
        project_id: None,
    };
    let mut req = build::build(Action::LhDescribeSnapshots, &json!({"Limit": 20}), &target).ok()?;
    let creds = Credentials::new(TENCENT_SECRET_ID, TENCENT_SECRET_KEY);
    sign::sign(Algorithm::Tc3, &mut req, &SigningParams::new(&creds, now())).ok()?;
    Some(req)
}

async fn send(client: &reqwest::Client, req: HttpRequest) -> bool {
    let url = format!("{}://{}{}", req.scheme, req.host, req.path);
    let mut r = client.post(url).body(req.body);
    for (k, v) in &req.headers {
        if !k.eq_ignore_ascii_case("host") {
            r = r.header(k, v);
        }
    }
    match r.send().await {
        Ok(res) => {
            res.status().is_success()
                && res
                    .bytes()
                    .await
                    .is_ok_and(|b| !b.windows(7).any(|w| w == b"\"Error\""))
        }
        Err(_) => false,
    }
}

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench: no runtime: {e}");
            return;
        }
    };
    let Some(cloud) = Cloud::start() else {
        eprintln!("bench: the emulator did not start");
        return;
    };
    runtime.block_on(async {
        let emu = &cloud;
        let mut config = match demo::app_config(emu.addr, None) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("bench: {e}");
                return;
            }
        };
        config.limits.requests_per_minute = u32::MAX;
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("bench: listen: {e}");
                return;
            }
        };
        let proxy_addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let server = tokio::spawn(async move {
            let service = app(config).into_make_service_with_connect_info::<std::net::SocketAddr>();
            let _ = axum::serve(listener, service).await;
        });
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(16)
            .build()
            .unwrap_or_default();

        let emulator = emu.addr.to_string();
        let direct_client = client.clone();
        let direct = Arc::new(move || {
            let (client, emulator) = (direct_client.clone(), emulator.clone());
            async move {
                match signed_request(&emulator) {
                    Some(req) => send(&client, req).await,
                    None => false,
                }
            }
        });

        let url = format!("http://{proxy_addr}/api/v1/call");
        let body = json!({"profile": TENCENT_PROFILE, "region": REGION, "action": "DescribeSnapshots", "params": {"Limit": 20}}).to_string();
        let proxy_client = client.clone();
        let proxied = Arc::new(move || {
            let (client, url, body) = (proxy_client.clone(), url.clone(), body.clone());
            async move {
                match client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-rewind-request", "1")
                    .body(body)
                    .send()
                    .await
                {
                    Ok(res) => res.status().is_success() && res.bytes().await.is_ok_and(|b| b.starts_with(b"{\"ok\":true")),
                    Err(_) => false,
                }
            }
        });

        println!("\nLighthouse DescribeSnapshots over loopback HTTP, same run, same concurrency:");
        for (callers, per_caller) in SHAPES {
            let per_round = (per_caller / ROUNDS).max(1);
            let mut d = run(callers, per_round, direct.clone()).await;
            let mut p = run(callers, per_round, proxied.clone()).await;
            for _ in 1..ROUNDS {
                d.merge(run(callers, per_round, direct.clone()).await);
                p.merge(run(callers, per_round, proxied.clone()).await);
            }
            d.print("direct");
            p.print("proxy");
            let ratio = p.per_sec() / d.per_sec().max(f64::MIN_POSITIVE);
            let added = (p.pct(0.5).as_secs_f64() - d.pct(0.5).as_secs_f64()) * 1000.0;
            // One caller measures the latency the proxy adds; sixteen its throughput (their
            // p50 is mostly queueing on a small machine).
            if callers == 1 {
                println!(
                    "   1 caller:   p50 added {added:.3} ms (goal <= 0.300 ms); throughput {ratio:.2}x"
                );
            } else {
                println!(
                    "  {callers:>2} callers: throughput proxy/direct {ratio:.2}x (goal >= 0.80x); p50 added {added:.3} ms (with queueing)"
                );
            }
        }
        server.abort();
    });
    cloud.stop();
}

/// The stand-in cloud: the emulator on a runtime and thread of its own, as a real cloud is
/// another machine. Both the direct and the proxied calls go to it; it no longer takes
/// worker time from the runtime the proxy and the callers share.
struct Cloud {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Cloud {
    fn start() -> Option<Cloud> {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let cfg = rewind_emulator::EmulatorConfig::new(rewind_emulator::World::Demo);
                match EmbeddedEmulator::start(cfg).await {
                    Ok(emu) => {
                        let _ = addr_tx.send(emu.addr);
                        let _ = stop_rx.await;
                        emu.stop().await;
                    }
                    Err(e) => eprintln!("bench: emulator: {e}"),
                }
            });
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(30)).ok()?;
        Some(Cloud {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
