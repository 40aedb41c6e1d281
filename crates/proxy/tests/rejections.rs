//! Every way `/api/v1/*` refuses a request, driven with `oneshot` (no socket, no cloud:
//! each of these is refused before anything is signed or sent).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rewind_proxy::config::{self, Auth};
use rewind_proxy::{AppConfig, app};
use serde_json::{Value, json};
use tower::ServiceExt;

const ALICE: &str = "fake-token-alice";
const BOB: &str = "fake-token-bob";

/// Alice (ops) may roll back `lhins-web*`; everyone may read. The profile points at a
/// port nothing listens on, so a request that got through would fail loudly.
fn config() -> AppConfig {
    let alice = sha256_hex(ALICE);
    let bob = sha256_hex(BOB);
    let text = format!(
        r#"
        listen = "127.0.0.1:8080"
        [auth]
        mode = "token"
        [[auth.tokens]]
        user = "alice"
        sha256 = "{alice}"
        groups = ["ops"]
        [[auth.tokens]]
        user = "bob"
        sha256 = "{bob}"

        [[profiles]]
        name = "lh"
        provider = "tencent"
        regions = ["ap-guangzhou"]
        credentials = {{ id_env = "ID", secret_env = "SECRET" }}
        endpoint = {{ url = "http://127.0.0.1:9" }}

        [[policy]]
        users = ["*"]
        profiles = ["*"]
        actions = ["read"]

        [[policy]]
        groups = ["ops"]
        profiles = ["lh"]
        actions = ["ApplyInstanceSnapshot"]
        resources = ["lhins-web*", "lhsnap-*"]

        [limits]
        body_bytes = 1024
        "#
    );
    let env = |k: &str| match k {
        "ID" => Some("AKIDFAKEFAKEFAKE".to_string()),
        "SECRET" => Some("fake-secret-never-shown".to_string()),
        _ => None,
    };
    let c = config::parse(&text, None, &env).unwrap();
    AppConfig::from_serve(c, None)
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

struct Post {
    token: Option<&'static str>,
    content_type: Option<&'static str>,
    csrf: bool,
    origin: Option<&'static str>,
    body: String,
}

impl Post {
    fn new(body: Value) -> Post {
        Post {
            token: Some(ALICE),
            content_type: Some("application/json"),
            csrf: true,
            origin: None,
            body: body.to_string(),
        }
    }
}

async fn send(router: axum::Router, p: Post) -> (StatusCode, Value) {
    let mut req = Request::post("/api/v1/call").header("host", "rewind.internal:8080");
    if let Some(t) = p.token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(ct) = p.content_type {
        req = req.header("content-type", ct);
    }
    if p.csrf {
        req = req.header("x-rewind-request", "1");
    }
    if let Some(o) = p.origin {
        req = req.header("origin", o);
    }
    let res = router
        .oneshot(req.body(Body::from(p.body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("fake-secret-never-shown"), "{text}");
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, v)
}

fn apply(instance: &str, snapshot: &str) -> Value {
    json!({"profile": "lh", "region": "ap-guangzhou", "action": "ApplyInstanceSnapshot",
           "params": {"InstanceId": instance, "SnapshotId": snapshot}})
}

async fn expect(p: Post, status: StatusCode, code: &str) -> Value {
    let (s, v) = send(app(config()), p).await;
    assert_eq!(s, status, "{v}");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    v
}

#[tokio::test]
async fn bad_json() {
    let mut p = Post::new(json!({}));
    p.body = "{\"profile\": ".into();
    expect(p, StatusCode::BAD_REQUEST, "BadJson").await;
    // Valid JSON, wrong shape: named field.
    let v = expect(
        Post::new(json!({"profile": "lh"})),
        StatusCode::BAD_REQUEST,
        "BadJson",
    )
    .await;
    assert!(
        v["error"]["message"].as_str().unwrap().contains("region"),
        "{v}"
    );
}

#[tokio::test]
async fn unknown_action_profile_and_region() {
    let mut body = apply("lhins-web00001", "lhsnap-00000001");
    body["action"] = json!("TerminateInstances");
    expect(Post::new(body), StatusCode::BAD_REQUEST, "UnknownAction").await;
    // ECS's action on a Lighthouse profile is not Lighthouse's.
    let mut body = apply("lhins-web00001", "lhsnap-00000001");
    body["action"] = json!("ResetDisk");
    expect(Post::new(body), StatusCode::BAD_REQUEST, "UnknownAction").await;
    let mut body = apply("lhins-web00001", "lhsnap-00000001");
    body["profile"] = json!("prod");
    expect(Post::new(body), StatusCode::BAD_REQUEST, "UnknownProfile").await;
    let mut body = apply("lhins-web00001", "lhsnap-00000001");
    body["region"] = json!("us-east-1");
    expect(Post::new(body), StatusCode::BAD_REQUEST, "UnknownRegion").await;
}

#[tokio::test]
async fn invalid_ids_are_reported_per_field() {
    let v = expect(
        Post::new(apply("lhins-WEB", "snap-1")),
        StatusCode::UNPROCESSABLE_ENTITY,
        "InvalidParams",
    )
    .await;
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["InstanceId", "SnapshotId"], "{v}");
    assert!(v["error"]["fields"][0]["message"]["zh"].is_string(), "{v}");
}

#[tokio::test]
async fn policy_denials_say_why() {
    let mut p = Post::new(apply("lhins-web00001", "lhsnap-00000001"));
    p.token = Some(BOB);
    let v = expect(p, StatusCode::FORBIDDEN, "PolicyDenied").await;
    assert_eq!(
        v["error"]["reason"],
        "bob may not call ApplyInstanceSnapshot on profile lh"
    );
    // Alice, on an instance outside her grant.
    let v = expect(
        Post::new(apply("lhins-db000001", "lhsnap-00000001")),
        StatusCode::FORBIDDEN,
        "PolicyDenied",
    )
    .await;
    assert!(
        v["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("lhins-db000001"),
        "{v}"
    );
}

#[tokio::test]
async fn authentication_is_required() {
    let mut p = Post::new(apply("lhins-web00001", "lhsnap-00000001"));
    p.token = None;
    expect(p, StatusCode::UNAUTHORIZED, "Unauthorized").await;
    let mut p = Post::new(apply("lhins-web00001", "lhsnap-00000001"));
    p.token = Some("fake-token-mallory");
    expect(p, StatusCode::UNAUTHORIZED, "Unauthorized").await;
}

#[tokio::test]
async fn csrf_header_content_type_and_origin() {
    let mut p = Post::new(apply("lhins-web00001", "lhsnap-00000001"));
    p.csrf = false;
    expect(p, StatusCode::FORBIDDEN, "MissingCsrfHeader").await;
    let mut p = Post::new(apply("lhins-web00001", "lhsnap-00000001"));
    p.content_type = Some("text/plain");
    expect(
        p,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UnsupportedMediaType",
    )
    .await;
    let mut p = Post::new(apply("lhins-web00001", "lhsnap-00000001"));
    p.content_type = None;
    expect(
        p,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UnsupportedMediaType",
    )
    .await;
    let mut p = Post::new(apply("lhins-web00001", "lhsnap-00000001"));
    p.origin = Some("https://evil.test");
    expect(p, StatusCode::FORBIDDEN, "OriginNotAllowed").await;
    // Look-alike of the server's own origin.
    let mut p = Post::new(apply("lhins-web00001", "lhsnap-00000001"));
    p.origin = Some("http://rewind.internal:8080.evil.test");
    expect(p, StatusCode::FORBIDDEN, "OriginNotAllowed").await;
}

#[tokio::test]
async fn oversize_bodies_are_refused() {
    let mut body = apply("lhins-web00001", "lhsnap-00000001");
    body["params"]["Padding"] = json!("x".repeat(2000));
    expect(
        Post::new(body),
        StatusCode::PAYLOAD_TOO_LARGE,
        "PayloadTooLarge",
    )
    .await;
}

#[tokio::test]
async fn a_call_that_passes_every_check_reaches_for_the_cloud() {
    // The configured endpoint has no listener: proves the checks above are what stopped
    // the others, and that a connection failure is reported as not sent.
    let (s, v) = send(
        app(config()),
        Post::new(apply("lhins-web00001", "lhsnap-00000001")),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["error"]["code"], "UpstreamUnreachable", "{v}");
}

#[tokio::test]
async fn session_lists_what_each_user_may_do() {
    async fn session(token: &str) -> Value {
        let res = app(config())
            .oneshot(
                Request::get("/api/v1/session")
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }
    let alice = session(ALICE).await;
    assert_eq!(alice["user"], "alice");
    assert_eq!(alice["auth"], "token");
    let actions = alice["profiles"][0]["actions"].as_array().unwrap();
    assert!(actions.contains(&json!("ApplyInstanceSnapshot")));
    assert!(!actions.contains(&json!("CreateInstanceSnapshot")));
    let bob = session(BOB).await;
    let actions = bob["profiles"][0]["actions"].as_array().unwrap();
    assert_eq!(
        actions,
        &[json!("DescribeInstances"), json!("DescribeSnapshots")]
    );
    // No credential material anywhere.
    assert!(!alice.to_string().contains("AKIDFAKE"));
    let res = app(config())
        .oneshot(Request::get("/api/v1/session").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn header_auth_trusts_only_the_configured_proxy() {
    let mut cfg = config();
    cfg.auth = Auth::Header {
        user_header: "X-Forwarded-User".into(),
        groups_header: Some("X-Forwarded-Groups".into()),
        trusted_sources: vec!["10.0.0.2".parse().unwrap()],
    };
    let req = |peer: &str| {
        let mut r = Request::get("/api/v1/session")
            .header("x-forwarded-user", "carol")
            .header("x-forwarded-groups", "ops")
            .body(Body::empty())
            .unwrap();
        let addr: std::net::SocketAddr = peer.parse().unwrap();
        r.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        r
    };
    let res = app(cfg.clone())
        .oneshot(req("10.0.0.2:4000"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app(cfg).oneshot(req("10.0.0.9:4000")).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn profiles_never_show_credentials_and_ops_endpoints_answer() {
    let res = app(config())
        .oneshot(
            Request::get("/api/v1/profiles")
                .header("authorization", format!("Bearer {BOB}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(res.headers().contains_key("x-request-id"));
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["profiles"][0]["name"], "lh");
    assert_eq!(v["profiles"][0]["provider"], "tencent");
    assert!(!v.to_string().contains("AKIDFAKE") && !v.to_string().contains("fake-secret"));
    let router = app(config());
    let res = router
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Metrics say what an account is doing: outside auth "none" they need a sign-in.
    let res = router
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = router
        .oneshot(
            Request::get("/metrics")
                .header("authorization", format!("Bearer {BOB}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("# TYPE rewind_http_requests_total counter"),
        "{text}"
    );
}

#[tokio::test]
async fn each_user_has_a_request_budget() {
    let mut cfg = config();
    cfg.limits.requests_per_minute = 2;
    let router = app(cfg);
    // Refused by policy, but counted: the budget is spent before anything else.
    let mut last = StatusCode::OK;
    for _ in 0..3 {
        let mut p = Post::new(apply("lhins-db000001", "lhsnap-00000001"));
        p.token = Some(BOB);
        last = send(router.clone(), p).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Another user is unaffected.
    let (s, v) = send(
        router,
        Post::new(apply("lhins-db000001", "lhsnap-00000001")),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
}

#[tokio::test]
async fn cors_preflight_answers_configured_origins_only() {
    let mut cfg = config();
    cfg.cors_origins = vec!["https://console.example".into()];
    let preflight = |origin: &str| {
        Request::options("/api/v1/call")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,x-rewind-request,authorization",
            )
            .body(Body::empty())
            .unwrap()
    };
    let res = app(cfg.clone())
        .oneshot(preflight("https://console.example"))
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://console.example"
    );
    assert_eq!(res.headers()["access-control-max-age"], "600");
    // The relay's marker of a cloud answer is readable across origins.
    let relayed = app(cfg.clone())
        .oneshot(
            Request::get("/healthz")
                .header("origin", "https://console.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        relayed.headers()["access-control-expose-headers"],
        "x-rewind-relay"
    );
    let allowed = res.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "content-type",
        "authorization",
        "x-rewind-request",
        "idempotency-key",
    ] {
        assert!(allowed.contains(h), "{h} not in {allowed}");
    }
    let res = app(cfg.clone())
        .oneshot(preflight("https://evil.test"))
        .await
        .unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));
    // And the configured origin passes the CSRF origin check.
    let mut p = Post::new(apply("lhins-db000001", "lhsnap-00000001"));
    p.origin = Some("https://console.example");
    let (s, v) = send(app(cfg), p).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "PolicyDenied");
}

/// A console on an origin the server does not accept learns why from `/config.json`
/// (readable across origins, saying nothing about the server); an accepted origin gets
/// the settings under the CORS rules; the API itself stays closed to the other origin.
#[tokio::test]
async fn config_json_tells_a_console_on_another_origin_whether_it_is_accepted() {
    let mut cfg = config();
    cfg.cors_origins = vec!["https://console.example".into()];
    let get = |origin: &str| {
        Request::get("/config.json")
            .header("origin", origin)
            .body(Body::empty())
            .unwrap()
    };
    let res = app(cfg.clone())
        .oneshot(get("https://evil.test"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://evil.test"
    );
    assert!(
        !res.headers()
            .contains_key("access-control-allow-credentials")
    );
    let body = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "OriginNotAllowed", "{v}");
    assert!(
        v.get("mode").is_none() && v.get("relay_hosts").is_none(),
        "{v}"
    );

    let res = app(cfg.clone())
        .oneshot(get("https://console.example"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://console.example"
    );
    let body = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(v["mode"].is_string(), "{v}");

    // Same origin (no Origin header) is unchanged.
    let res = app(cfg)
        .oneshot(Request::get("/config.json").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!res.headers().contains_key("access-control-allow-origin"));
}
