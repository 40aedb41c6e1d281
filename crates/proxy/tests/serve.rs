//! The `rewind serve` binary: `--demo` and `--config FILE` on a real socket, graceful
//! shutdown on SIGTERM, start-up failures naming the key, and a secret scan over
//! everything the server wrote or answered.

mod common;

use common::{Server, demo_command};
use rewind_emulator::config::demo as keys;
use rewind_proxy::demo::EmbeddedEmulator;
use serde_json::{Value, json};
use std::process::Command;

fn spawn(args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rewind"));
    cmd.args(args).env("RUST_LOG", "debug");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Server::spawn(cmd)
}

/// `rewind serve --demo` on a free loopback port, API only, with `extra` arguments.
fn spawn_demo(extra: &[&str]) -> Server {
    let mut cmd = demo_command(extra);
    cmd.env("RUST_LOG", "debug");
    Server::spawn(cmd)
}

async fn post(url: &str, body: Value) -> (u16, String) {
    let res = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn get(url: &str) -> (u16, String) {
    let res = reqwest::get(url).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_prints_its_url_first_and_shuts_down_gracefully() {
    let server = spawn_demo(&[]);
    let (status, body) = get(&format!("{}/api/v1/session", server.url)).await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["demo"], true);
    assert_eq!(v["profiles"].as_array().unwrap().len(), 3);
    let (status, body) = post(
        &format!("{}/api/v1/call", server.url),
        json!({"profile": "demo-ecs", "region": "cn-hangzhou", "action": "DescribeDisks", "params": {}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (ok, printed) = server.stop();
    assert!(ok, "did not exit cleanly: {printed}");
    for secret in [
        keys::TENCENT_SECRET_KEY,
        keys::ALIBABA_ACCESS_KEY_SECRET,
        keys::HUAWEI_SK,
    ] {
        assert!(
            !printed.contains(secret),
            "secret in the output:\n{printed}"
        );
    }
}

/// The request log, with the default filter (no RUST_LOG): one INFO line per request with
/// its id, method, path (never the query), status and latency.
#[tokio::test(flavor = "multi_thread")]
async fn each_request_logs_one_line_by_default() {
    let mut cmd = demo_command(&[]);
    cmd.env_remove("RUST_LOG");
    let server = Server::spawn(cmd);
    let client = reqwest::Client::new();
    let res = client
        .get(format!(
            "{}/healthz?token=query-must-not-be-logged",
            server.url
        ))
        .header("x-request-id", "test-req-healthz")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client
        .post(format!("{}/api/v1/call", server.url))
        .header("x-request-id", "test-req-call")
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(
            json!({"profile": "demo-lighthouse", "region": "ap-guangzhou",
                "action": "DescribeSnapshots", "params": {"Limit": 1}})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client
        .get(format!("{}/api/v1/nothing-here", server.url))
        .header("x-request-id", "test-req-missing")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let (ok, printed) = server.stop();
    assert!(ok, "did not exit cleanly: {printed}");
    assert!(!printed.contains("query-must-not-be-logged"), "{printed}");
    for (id, method, path, status) in [
        ("test-req-healthz", "GET", "/healthz", 200),
        ("test-req-call", "POST", "/api/v1/call", 200),
        ("test-req-missing", "GET", "/api/v1/nothing-here", 404),
    ] {
        let lines: Vec<&str> = printed
            .lines()
            .filter(|l| {
                l.contains(&format!("client_request_id=Some(\"{id}\")")) && l.contains(" answered ")
            })
            .collect();
        assert_eq!(lines.len(), 1, "{id}: {lines:?}\n{printed}");
        let line = lines[0];
        assert!(line.contains(" INFO "), "{line}");
        // The server's own id, never the client's.
        assert!(!line.contains(&format!("{{id=\"{id}\"")), "{line}");
        assert!(
            line.contains(&format!("method={method} path={path}}}")),
            "{line}"
        );
        assert!(
            line.contains(&format!("status={status} latency_us=")),
            "{line}"
        );
    }
}

#[test]
fn demo_refuses_a_non_loopback_address_and_bad_configs_name_the_key() {
    let out = Command::new(env!("CARGO_BIN_EXE_rewind"))
        .args(["serve", "--demo", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));

    let dir = tempdir("badconfig");
    let path = dir.join("rewind.toml");
    std::fs::write(
        &path,
        "[auth]\nmode = \"none\"\n[[profiles]]\nname = \"a\"\nprovider = \"alibaba\"\nregions = [\"cn-hangzhou\"]\ncredentials = { id_env = \"REWIND_TEST_ID\", secret_env = \"REWIND_TEST_UNSET_SECRET\" }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rewind"))
        .args(["serve", "--config", path.to_str().unwrap()])
        .env("REWIND_TEST_ID", "LTAIFAKE")
        .env_remove("REWIND_TEST_UNSET_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "profiles[0].credentials.secret_env: environment variable REWIND_TEST_UNSET_SECRET is not set"
        ),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    // Fault injection acts on the embedded emulator: never with a real configuration.
    let out = Command::new(env!("CARGO_BIN_EXE_rewind"))
        .args(["serve", "--config", path.to_str().unwrap(), "--faults"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--faults only goes with --demo"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rewind-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A token-auth portal from a config file, against an emulator: the rollback is audited
/// in the SQLite file, which a new process reads back; no secret appears anywhere.
#[tokio::test(flavor = "multi_thread")]
async fn config_file_portal_audits_to_disk_and_leaks_nothing() {
    let emu = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let dir = tempdir("portal");
    let token = "fake-token-for-serve-test";
    let token_hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    };
    let config = format!(
        r#"
listen = "127.0.0.1:0"
[auth]
mode = "token"
[[auth.tokens]]
user = "alice"
sha256 = "{token_hash}"
[[profiles]]
name = "lh"
provider = "tencent"
regions = ["ap-guangzhou"]
credentials = {{ id_env = "REWIND_TEST_TC_ID", secret_env = "REWIND_TEST_TC_SECRET" }}
endpoint = {{ url = "http://{addr}" }}
[[policy]]
users = ["alice"]
profiles = ["lh"]
actions = ["*"]
[audit]
path = "audit.sqlite"
"#,
        addr = emu.addr
    );
    let path = dir.join("rewind.toml");
    std::fs::write(&path, config).unwrap();
    let server = spawn(
        &[
            "serve",
            "--config",
            path.to_str().unwrap(),
            "--dist",
            "/nonexistent-dist",
        ],
        &[
            ("REWIND_TEST_TC_ID", keys::TENCENT_SECRET_ID),
            ("REWIND_TEST_TC_SECRET", keys::TENCENT_SECRET_KEY),
        ],
    );
    let client = reqwest::Client::new();
    let call = |body: Value| {
        client
            .post(format!("{}/api/v1/call", server.url))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .header("x-rewind-request", "1")
            .body(body.to_string())
            .send()
    };
    let mut answers = Vec::new();
    let res = call(
        json!({"profile": "lh", "region": "ap-guangzhou", "action": "DescribeInstances",
        "params": {"Filters": [{"Name": "instance-name", "Values": ["wiki"]}]}}),
    )
    .await
    .unwrap();
    let text = res.text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let instance = v["data"]["InstanceSet"][0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    answers.push(text);
    let res = call(
        json!({"profile": "lh", "region": "ap-guangzhou", "action": "ApplyInstanceSnapshot",
        "params": {"InstanceId": instance, "SnapshotId": "lhsnap-zzzzzzzz"}}),
    )
    .await
    .unwrap();
    answers.push(res.text().await.unwrap());
    for endpoint in [
        "/api/v1/session",
        "/api/v1/profiles",
        "/api/v1/audit",
        "/metrics",
        "/config.json",
    ] {
        let res = client
            .get(format!("{}{endpoint}", server.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{endpoint}");
        answers.push(res.text().await.unwrap());
    }
    let (ok, printed) = server.stop();
    assert!(ok, "did not exit cleanly: {printed}");
    emu.stop().await;

    // Restart loses nothing: a new reader finds the completed row.
    let log = rewind_proxy::audit::AuditLog::open(&dir.join("audit.sqlite")).unwrap();
    let rows = log
        .query(&rewind_proxy::audit::Query::default(), None)
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].action, "ApplyInstanceSnapshot");
    assert_eq!(rows[0].user, "alice");
    assert_eq!(rows[0].outcome, "error");
    assert!(rows[0].request_id.is_some());
    drop(log);

    // The secret scan: answers, logs, metrics and the database file.
    let mut haystacks = answers;
    haystacks.push(printed);
    for f in ["audit.sqlite", "audit.sqlite-wal"] {
        if let Ok(bytes) = std::fs::read(dir.join(f)) {
            haystacks.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    for h in &haystacks {
        for needle in [
            keys::TENCENT_SECRET_KEY,
            token,
            "Signature=",
            "TC3-HMAC-SHA256 Credential",
        ] {
            assert!(!h.contains(needle), "{needle:?} leaked in:\n{h}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `serve --demo --relay`: `/config.json` starts the console in bring-your-own-keys mode,
/// with the embedded emulator (an explicit endpoint override) as the relay host of all
/// three providers, and a request signed with the demo keys goes through `/relay`.
#[tokio::test(flavor = "multi_thread")]
async fn demo_relay_serves_relay_mode_config_and_relays_to_the_emulator() {
    use rewind_cloud::Action;

    let server = spawn_demo(&["--relay"]);
    let (status, body) = get(&format!("{}/config.json", server.url)).await;
    assert_eq!(status, 200, "{body}");
    let cfg: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(cfg["mode"], "relay", "{cfg}");
    assert_eq!(cfg["relay"], true, "{cfg}");
    assert_eq!(cfg["demo"], true, "{cfg}");
    let host = cfg["relay_hosts"]["tencent"][0]
        .as_str()
        .unwrap_or_else(|| panic!("{cfg}"))
        .to_string();
    assert!(host.starts_with("127.0.0.1:"), "{cfg}");
    for p in ["tencent", "alibaba", "huawei"] {
        assert_eq!(cfg["relay_hosts"][p], json!([host]), "{p}: {cfg}");
    }

    // What the console does in the browser: build, sign with the user's keys, relay.
    let relay_body = relayed(
        &host,
        Action::LhDescribeInstances,
        &json!({"Limit": 1}),
        "ap-guangzhou",
    );
    let res = reqwest::Client::new()
        .post(format!("{}/relay", server.url))
        .header("content-type", "application/json")
        .header("x-rewind-request", "1")
        .body(relay_body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-rewind-relay"], "upstream");
    let v: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert!(v["Response"]["InstanceSet"].is_array(), "{v}");
    let (ok, printed) = server.stop();
    assert!(ok, "did not exit cleanly: {printed}");
    assert!(!printed.contains(keys::TENCENT_SECRET_KEY), "{printed}");

    // --relay only goes with --demo; plain --demo stays in portal mode.
    let out = Command::new(env!("CARGO_BIN_EXE_rewind"))
        .args(["serve", "--relay", "--config", "/nonexistent.toml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--demo"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = spawn_demo(&[]);
    let (_, body) = get(&format!("{}/config.json", server.url)).await;
    let cfg: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(cfg["mode"], "portal", "{cfg}");
    assert_eq!(cfg["relay"], false, "{cfg}");
    let (ok, printed) = server.stop();
    assert!(ok, "{printed}");
}

/// The body of `POST /relay` for `action`, built and signed as the console does with the
/// emulator's demo keys, for `host`.
fn relayed(host: &str, action: rewind_cloud::Action, params: &Value, region: &str) -> Value {
    use rewind_cloud::Provider;
    use rewind_cloud::build::{self, Target, Variant};
    use rewind_cloud::sign::{self, SigningParams};
    let provider = action.provider();
    let target = Target {
        region: region.into(),
        endpoint: Some(host.into()),
        scheme: Some("http".into()),
        project_id: (provider == Provider::Huawei).then(|| keys::HUAWEI_PROJECTS[0].0.into()),
    };
    let mut req = build::build(action, params, &target).unwrap();
    let creds = common::demo_credentials(provider);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let nonce = format!(
        "serve-test-{}",
        now.wrapping_mul(31) ^ params.to_string().len() as i64
    );
    sign::sign(
        Variant::Default.algorithm(action),
        &mut req,
        &SigningParams::new(&creds, now).with_nonce(&nonce),
    )
    .unwrap();
    common::relay_body(provider, &req)
}

/// Resident and peak resident memory of a process, in KiB (Linux).
fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Security review, finding 4: 500 relayed calls with the largest parameters validation
/// lets through (100 snapshot IDs each), then 20 concurrent reads of the whole log. Each
/// answer is capped and paged, and the server's memory stays flat.
#[tokio::test(flavor = "multi_thread")]
async fn an_audit_flood_gets_capped_answers_and_memory_stays_flat() {
    let server = spawn_demo(&["--relay"]);
    let (_, body) = get(&format!("{}/config.json", server.url)).await;
    let cfg: Value = serde_json::from_str(&body).unwrap();
    let host = cfg["relay_hosts"]["huawei"][0]
        .as_str()
        .unwrap()
        .to_string();
    let client = reqwest::Client::new();
    for i in 0..500u32 {
        let ids: Vec<String> = (0..100u32)
            .map(|j| format!("{:08x}-0000-4000-8000-{:012x}", i, j))
            .collect();
        let body = relayed(
            &host,
            rewind_cloud::Action::WsBatchRestoreDesktopSnapshot,
            &json!({"snapshot_ids": ids}),
            keys::HUAWEI_PROJECTS[0].1,
        );
        let res = client
            .post(format!("{}/relay", server.url))
            .header("content-type", "application/json")
            .header("x-rewind-request", "1")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        // The emulator refuses made-up snapshots: the call was relayed and recorded.
        assert_eq!(res.headers()["x-rewind-relay"], "upstream", "{i}");
    }
    let pid = server.child.id();
    // Forget the peak so far: what follows is the queries' own.
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
    let (before, _) = rss_kib(pid);
    let queries = (0..20).map(|_| {
        let client = client.clone();
        let url = format!("{}/api/v1/audit?limit=500", server.url);
        tokio::spawn(async move {
            let res = client.get(url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.bytes().await.unwrap()
        })
    });
    let mut largest = 0;
    for q in queries {
        let bytes = q.await.unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let rows = v["entries"].as_array().unwrap().len();
        assert!(
            rows > 0 && rows < 500,
            "{rows} rows: the byte cap should cut the page"
        );
        assert!(v["next_before"].is_i64(), "a cut page says where to go on");
        largest = largest.max(bytes.len());
    }
    let (_, peak) = rss_kib(pid);
    let growth_mib = peak.saturating_sub(before) as f64 / 1024.0;
    println!(
        "audit flood: largest answer {largest} bytes; RSS {before} KiB before, peak {peak} KiB during 20 concurrent queries (+{growth_mib:.1} MiB)"
    );
    assert!(
        largest <= rewind_proxy::audit::ANSWER_MAX_BYTES + 64 * 1024,
        "answer of {largest} bytes"
    );
    assert!(growth_mib < 50.0, "RSS grew by {growth_mib:.1} MiB");
    let (ok, printed) = server.stop();
    assert!(ok, "{printed}");
}
