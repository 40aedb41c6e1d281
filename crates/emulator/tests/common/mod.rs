//! Test helpers: an emulator on a manual clock, and signed calls to each API surface
//! through `tower::ServiceExt::oneshot` (no socket).

#![allow(dead_code)]

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use rewind_cloud::encoding::{encode_path, form_urlencode, rfc3986_query};
use rewind_cloud::http::HttpRequest;
use rewind_cloud::sign::{Algorithm, Credentials as SignCreds, SigningParams, sign};
use rewind_emulator::config::demo;
use rewind_emulator::{Emulator, EmulatorConfig, ManualClock, Timings, World};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower::ServiceExt;

/// 2026-01-01T00:00:00Z
pub const T0: u64 = 1_767_225_600_000;
pub const HOST: &str = "127.0.0.1:8090";

pub fn timings() -> Timings {
    Timings {
        stop: Duration::from_secs(2),
        start: Duration::from_secs(2),
        rollback: Duration::from_secs(5),
        reset_disk: Duration::from_secs(5),
        create_snapshot: Duration::from_secs(10),
        job_queue: Duration::from_secs(1),
        restore_desktop: Duration::from_secs(4),
    }
}

pub struct Env {
    pub emu: Emulator,
    pub clock: ManualClock,
    nonce: AtomicU64,
}

pub fn env() -> Env {
    env_with(World::Demo, |_| {})
}

pub fn env_with(world: World, f: impl FnOnce(&mut EmulatorConfig)) -> Env {
    let clock = ManualClock::new(T0);
    let mut cfg = EmulatorConfig::new(world);
    cfg.clock = Arc::new(clock.clone());
    cfg.timings = timings();
    f(&mut cfg);
    Env {
        emu: Emulator::new(cfg),
        clock,
        nonce: AtomicU64::new(1),
    }
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: axum::http::HeaderMap,
}

impl Reply {
    /// The error code in whichever shape the provider uses.
    pub fn code(&self) -> Option<String> {
        let b = &self.body;
        b.pointer("/Response/Error/Code")
            .or_else(|| b.get("Code"))
            .or_else(|| b.get("error_code"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

/// Who signs, and how.
#[derive(Clone)]
pub struct Signer {
    pub alg: Algorithm,
    pub id: String,
    pub secret: String,
    pub token: Option<String>,
    /// Offset from the emulator's clock, to test skew.
    pub skew_secs: i64,
}

impl Signer {
    pub fn tencent() -> Signer {
        Signer {
            alg: Algorithm::Tc3,
            id: demo::TENCENT_SECRET_ID.into(),
            secret: demo::TENCENT_SECRET_KEY.into(),
            token: None,
            skew_secs: 0,
        }
    }
    pub fn alibaba() -> Signer {
        Signer {
            alg: Algorithm::Acs3,
            id: demo::ALIBABA_ACCESS_KEY_ID.into(),
            secret: demo::ALIBABA_ACCESS_KEY_SECRET.into(),
            token: None,
            skew_secs: 0,
        }
    }
    pub fn alibaba_v1() -> Signer {
        Signer {
            alg: Algorithm::AcsV1,
            ..Signer::alibaba()
        }
    }
    pub fn huawei() -> Signer {
        Signer {
            alg: Algorithm::SdkHmac,
            id: demo::HUAWEI_AK.into(),
            secret: demo::HUAWEI_SK.into(),
            token: None,
            skew_secs: 0,
        }
    }
}

impl Env {
    pub fn now_secs(&self) -> i64 {
        use rewind_emulator::Clock;
        (self.clock.now_ms() / 1000) as i64
    }

    pub fn next_nonce(&self) -> String {
        format!("nonce-{}", self.nonce.fetch_add(1, Ordering::SeqCst))
    }

    /// Signs `req` as `signer` at the emulator's time (plus the signer's skew).
    pub fn sign(&self, req: &mut HttpRequest, s: &Signer) {
        let creds = match &s.token {
            Some(t) => SignCreds::new(&s.id, &s.secret).with_token(t),
            None => SignCreds::new(&s.id, &s.secret),
        };
        let nonce = self.next_nonce();
        let p = SigningParams::new(&creds, self.now_secs() + s.skew_secs).with_nonce(&nonce);
        sign(s.alg, req, &p).unwrap();
    }

    /// Signs (when `signer` is given) and sends `req` through the router.
    pub async fn send(&self, mut req: HttpRequest, signer: Option<&Signer>) -> Reply {
        if let Some(s) = signer {
            self.sign(&mut req, s);
        }
        self.send_raw(&req).await
    }

    pub fn to_http(req: &HttpRequest) -> Request<Body> {
        let mut uri = encode_path(&req.path);
        if !req.query.is_empty() {
            uri.push('?');
            if req.header("X-TC-Action").is_some() {
                uri.push_str(&form_urlencode(&req.query));
            } else {
                uri.push_str(&rfc3986_query(&req.query));
            }
        }
        let mut b = Request::builder().method(req.method.as_str()).uri(uri);
        if req.header("host").is_none() {
            b = b.header("host", &req.host);
        }
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        b.body(Body::from(req.body.clone())).unwrap()
    }

    pub async fn send_raw(&self, req: &HttpRequest) -> Reply {
        self.send_http(Env::to_http(req)).await
    }

    pub async fn send_http(&self, req: Request<Body>) -> Reply {
        let resp = rewind_emulator::app(self.emu.clone())
            .oneshot(req)
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            headers,
        }
    }

    // ---------------------------------------------------------------- Tencent

    pub fn tc_request(action: &str, region: Option<&str>, body: &Value) -> HttpRequest {
        let mut headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("X-TC-Action".to_string(), action.to_string()),
            ("X-TC-Version".to_string(), "2020-03-24".to_string()),
        ];
        if let Some(r) = region {
            headers.push(("X-TC-Region".to_string(), r.to_string()));
        }
        HttpRequest {
            method: "POST".into(),
            scheme: "http".into(),
            host: HOST.into(),
            path: "/".into(),
            query: Vec::new(),
            headers,
            body: serde_json::to_vec(body).unwrap(),
        }
    }

    pub async fn tc(&self, action: &str, region: Option<&str>, body: Value) -> Reply {
        self.send(
            Env::tc_request(action, region, &body),
            Some(&Signer::tencent()),
        )
        .await
    }

    /// The Tencent call's `Response` object.
    pub async fn tc_ok(&self, action: &str, region: Option<&str>, body: Value) -> Value {
        let r = self.tc(action, region, body).await;
        assert_eq!(r.code(), None, "{action}: {}", r.body);
        r.body["Response"].clone()
    }

    pub async fn tc_code(&self, action: &str, region: Option<&str>, body: Value) -> String {
        let r = self.tc(action, region, body).await;
        assert_eq!(r.status, 200, "Tencent answers errors with HTTP 200");
        assert!(r.body.pointer("/Response/RequestId").is_some());
        r.code()
            .unwrap_or_else(|| panic!("{action} succeeded: {}", r.body))
    }

    // ---------------------------------------------------------------- ECS

    pub fn ecs_request(action: &str, params: &[(&str, &str)]) -> HttpRequest {
        let mut query: Vec<(String, String)> = vec![
            ("Action".into(), action.into()),
            ("Version".into(), "2014-05-26".into()),
        ];
        query.extend(params.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        HttpRequest {
            method: "POST".into(),
            scheme: "http".into(),
            host: HOST.into(),
            path: "/".into(),
            query,
            headers: vec![
                ("x-acs-action".to_string(), action.to_string()),
                ("x-acs-version".to_string(), "2014-05-26".to_string()),
            ],
            body: Vec::new(),
        }
    }

    pub async fn ecs(&self, action: &str, params: &[(&str, &str)]) -> Reply {
        self.send(Env::ecs_request(action, params), Some(&Signer::alibaba()))
            .await
    }

    pub async fn ecs_ok(&self, action: &str, params: &[(&str, &str)]) -> Value {
        let r = self.ecs(action, params).await;
        assert_eq!((r.status, r.code()), (200, None), "{action}: {}", r.body);
        r.body
    }

    pub async fn ecs_code(&self, action: &str, params: &[(&str, &str)]) -> (u16, String) {
        let r = self.ecs(action, params).await;
        for f in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
            assert!(r.body.get(f).is_some(), "ECS error lacks {f}: {}", r.body);
        }
        (r.status, r.code().unwrap())
    }

    // ---------------------------------------------------------------- Workspace

    pub fn ws_request(
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            scheme: "http".into(),
            host: HOST.into(),
            path: path.into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: vec![("Content-Type".to_string(), "application/json".to_string())],
            body: body
                .map(|b| serde_json::to_vec(b).unwrap())
                .unwrap_or_default(),
        }
    }

    pub async fn ws(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        self.send(
            Env::ws_request(method, path, query, body.as_ref()),
            Some(&Signer::huawei()),
        )
        .await
    }

    // ---------------------------------------------------------------- seed lookups

    pub fn lh_instance(&self, name: &str) -> String {
        self.emu.with_state(|s| {
            let a = s.lighthouse(demo::TENCENT_SECRET_ID);
            a.regions
                .values()
                .flat_map(|r| &r.instances)
                .find(|i| i.name == name)
                .map(|i| i.id.clone())
                .unwrap()
        })
    }

    pub fn lh_snapshot(&self, name: &str) -> String {
        self.emu.with_state(|s| {
            let a = s.lighthouse(demo::TENCENT_SECRET_ID);
            a.regions
                .values()
                .flat_map(|r| &r.snapshots)
                .find(|i| i.name == name)
                .map(|i| i.id.clone())
                .unwrap()
        })
    }

    pub fn ecs_instance(&self, name: &str) -> String {
        self.emu.with_state(|s| {
            let a = s.ecs(demo::ALIBABA_ACCESS_KEY_ID);
            a.regions
                .values()
                .flat_map(|r| &r.instances)
                .find(|i| i.name == name)
                .map(|i| i.id.clone())
                .unwrap()
        })
    }

    /// The disk named `{instance}-{system|data}`.
    pub fn ecs_disk(&self, name: &str) -> String {
        self.emu.with_state(|s| {
            let a = s.ecs(demo::ALIBABA_ACCESS_KEY_ID);
            a.regions
                .values()
                .flat_map(|r| &r.disks)
                .find(|i| i.name == name)
                .map(|i| i.id.clone())
                .unwrap()
        })
    }

    pub fn ecs_snapshot(&self, name: &str) -> String {
        self.emu.with_state(|s| {
            let a = s.ecs(demo::ALIBABA_ACCESS_KEY_ID);
            a.regions
                .values()
                .flat_map(|r| &r.snapshots)
                .find(|i| i.name == name)
                .map(|i| i.id.clone())
                .unwrap()
        })
    }

    pub fn ws_snapshot(&self, name: &str) -> String {
        let creds = self.emu.config().credentials.clone();
        self.emu.with_state(|s| {
            let a = s.workspace(demo::HUAWEI_AK, &creds);
            a.projects
                .values()
                .flat_map(|p| &p.snapshots)
                .find(|i| i.name == name)
                .map(|i| i.id.clone())
                .unwrap()
        })
    }
}

pub fn project() -> &'static str {
    demo::HUAWEI_PROJECTS[0].0
}

pub fn ws_path(rest: &str) -> String {
    format!("/v2/{}/{rest}", project())
}
