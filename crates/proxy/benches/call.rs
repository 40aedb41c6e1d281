//! Proxy latency and throughput against the embedded emulator: `cargo bench -p
//! rewind-proxy --bench call`. Prints figures; never fails on timing.
//!
//! Measures `POST /api/v1/call` end to end (parse, validate, policy, sign, forward over
//! loopback, parse the answer) for a read on each provider, sequentially and with 16
//! concurrent callers.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use rewind_proxy::app;
use rewind_proxy::demo::{
    self, ALIBABA_PROFILE, EmbeddedEmulator, HUAWEI_PROFILE, TENCENT_PROFILE,
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tower::ServiceExt;

async fn call(router: &axum::Router, body: &Value) -> bool {
    let req = Request::post("/api/v1/call")
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(Body::from(body.to_string()));
    let Ok(req) = req else { return false };
    match router.clone().oneshot(req).await {
        Ok(res) => {
            let ok = res.status().is_success();
            let _ = res.into_body().collect().await;
            ok
        }
        Err(e) => match e {},
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
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
    runtime.block_on(async {
        let emu = match EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
            rewind_emulator::World::Demo,
        ))
        .await
        {
            Ok(e) => e,
            Err(e) => {
                eprintln!("bench: emulator: {e}");
                return;
            }
        };
        let mut config = match demo::app_config(emu.addr, None) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("bench: {e}");
                return;
            }
        };
        config.limits.requests_per_minute = u32::MAX;
        let router = app(config);
        let cases = [
            ("Lighthouse DescribeInstances", json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou", "action": "DescribeInstances", "params": {"Limit": 5}})),
            ("ECS DescribeDisks", json!({"profile": ALIBABA_PROFILE, "region": "cn-hangzhou", "action": "DescribeDisks", "params": {"MaxResults": 10}})),
            ("Workspace ListDesktopSnapshot", json!({"profile": HUAWEI_PROFILE, "region": "cn-north-4", "action": "ListDesktopSnapshot", "params": {"limit": 10}})),
        ];
        const N: usize = 300;
        for (name, body) in &cases {
            let _ = call(&router, body).await; // warm up the connection pool
            let mut times = Vec::with_capacity(N);
            let started = Instant::now();
            let mut failures = 0;
            for _ in 0..N {
                let t = Instant::now();
                if !call(&router, body).await {
                    failures += 1;
                }
                times.push(t.elapsed());
            }
            let total = started.elapsed();
            times.sort();
            println!(
                "call {name:<32} sequential: p50 {:>7.2?}  p99 {:>7.2?}  {:>7.0} calls/s  ({failures} failed)",
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                N as f64 / total.as_secs_f64()
            );
            let started = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..16 {
                let router = router.clone();
                let body = body.clone();
                tasks.push(tokio::spawn(async move {
                    let mut ok = 0;
                    for _ in 0..N / 16 {
                        if call(&router, &body).await {
                            ok += 1;
                        }
                    }
                    ok
                }));
            }
            let mut ok = 0;
            for t in tasks {
                ok += t.await.unwrap_or(0);
            }
            println!(
                "call {name:<32} 16 callers:  {:>7.0} calls/s  ({ok} ok)",
                ok as f64 / started.elapsed().as_secs_f64()
            );
        }
        emu.stop().await;
    });
}
