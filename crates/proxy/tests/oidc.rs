//! OpenID Connect sign-in against a real provider: `oidc-provider` (the OpenID-certified
//! Node implementation) started from `tests/oidc/provider.mjs` on loopback, the server
//! on a real socket, and reqwest with a cookie jar in the browser's place. Needs node on
//! PATH and oidc-provider under `.tools/npm` (`cargo xtask setup` installs it) or
//! `REWIND_NPM_PREFIX`.

use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use rewind_proxy::demo::{self, EmbeddedEmulator, TENCENT_PROFILE};
use rewind_proxy::policy::{ActionPattern, Rule};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "oidc/provider.rs"]
mod provider;

use provider::{SECRET, start_provider};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Harness {
    base: String,
    _node: provider::Node,
    _emulator: EmbeddedEmulator,
    _state: Arc<rewind_proxy::AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// The server in `oidc` mode on a real socket: `ops` may call anything on the Tencent
/// demo profile, `viewers` nothing.
async fn start(idle_secs: u64) -> Harness {
    let emulator = EmbeddedEmulator::start(rewind_emulator::EmulatorConfig::new(
        rewind_emulator::World::Demo,
    ))
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let (node, issuer) = start_provider(&repo_root(), &base);
    let text = format!(
        r#"
        listen = "{addr}"
        [auth]
        mode = "oidc"
        [auth.oidc]
        issuer = "{issuer}"
        client_id = "rewind"
        client_secret_env = "OIDC_SECRET"
        public_url = "{base}"
        groups_scope = "groups"
        [auth.session]
        idle_secs = {idle_secs}
        "#
    );
    let serve = rewind_proxy::config::parse(&text, None, &|k| {
        (k == "OIDC_SECRET").then(|| SECRET.to_string())
    })
    .unwrap();
    let mut cfg = demo::app_config(emulator.addr, None).unwrap();
    cfg.demo = false;
    cfg.auth = serve.auth;
    cfg.sessions = serve.sessions;
    cfg.public_origins = serve.public_origins;
    cfg.listen = Some(addr);
    cfg.policy = vec![Rule {
        users: vec![],
        groups: vec!["ops".into()],
        profiles: vec![TENCENT_PROFILE.into()],
        actions: vec![ActionPattern::parse("*")],
        resources: vec![],
    }];
    let settings = rewind_proxy::listen::Settings::new(&cfg.limits);
    let (router, state) = rewind_proxy::build(cfg);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(rewind_proxy::listen::serve(
        listener,
        router,
        settings,
        async {
            let _ = stopped.await;
        },
    ));
    Harness {
        base,
        _node: node,
        _emulator: emulator,
        _state: state,
        stop: Some(stop),
    }
}

/// A browser: cookies kept, redirects followed by hand so each step is seen.
struct Browser {
    client: reqwest::Client,
    jar: Arc<Jar>,
}

fn browser() -> Browser {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Browser { client, jar }
}

/// The `action` of the page's form, resolved against the page.
fn form_action(page: &reqwest::Url, html: &str) -> reqwest::Url {
    let start = html.find("action=\"").expect("a form") + "action=\"".len();
    let end = start + html[start..].find('"').unwrap();
    page.join(&html[start..end].replace("&amp;", "&")).unwrap()
}

impl Browser {
    /// Signs in as `who` through the provider's login (and consent) pages, starting at
    /// `/auth/login?return=/instances`. Returns the callback URL it went through.
    async fn sign_in(&self, base: &str, who: &str) -> reqwest::Url {
        let mut url = reqwest::Url::parse(&format!("{base}/auth/login?return=/instances")).unwrap();
        let mut callback = None;
        for _ in 0..20 {
            let res = self.client.get(url.clone()).send().await.unwrap();
            if res.status().is_redirection() {
                let location = res.headers()["location"].to_str().unwrap().to_string();
                let next = url.join(&location).unwrap();
                if url.path() == "/auth/callback" {
                    assert_eq!(location, "/instances", "back to the page asked for");
                    return callback.unwrap();
                }
                if next.path() == "/auth/callback" {
                    callback = Some(next.clone());
                }
                url = next;
                continue;
            }
            let status = res.status();
            let page = res.text().await.unwrap();
            assert_eq!(status, StatusCode::OK, "{url}: {page}");
            let action = form_action(&url, &page);
            let form: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
                vec![("prompt", "login"), ("login", who), ("password", "any")]
            } else {
                vec![("prompt", "consent")]
            };
            let res = self
                .client
                .post(action.clone())
                .form(&form)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_redirection(), "{action}: {}", res.status());
            let location = res.headers()["location"].to_str().unwrap().to_string();
            url = action.join(&location).unwrap();
        }
        panic!("sign-in did not finish in 20 steps");
    }

    /// The session cookie as the browser holds it.
    fn session_cookie(&self, base: &str) -> String {
        let url = reqwest::Url::parse(base).unwrap();
        let all = self.jar.cookies(&url).expect("cookies");
        all.to_str()
            .unwrap()
            .split("; ")
            .find(|c| c.starts_with("rewind-session="))
            .expect("a session cookie")
            .to_string()
    }

    async fn get_json(&self, url: &str) -> (StatusCode, Value) {
        let res = self.client.get(url).send().await.unwrap();
        let status = res.status();
        (
            status,
            serde_json::from_str(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null),
        )
    }

    async fn post_json(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (
            status,
            serde_json::from_str(&res.text().await.unwrap_or_default()).unwrap_or(Value::Null),
        )
    }
}

fn describe() -> Value {
    json!({"profile": TENCENT_PROFILE, "region": "ap-guangzhou",
        "action": "DescribeInstances", "params": {}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_a_real_provider_then_policy_csrf_and_sign_out() {
    let h = start(3600).await;
    let base = h.base.clone();
    let olivia = browser();
    let callback = olivia.sign_in(&base, "olivia").await;

    let (status, who) = olivia.get_json(&format!("{base}/api/v1/session")).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["user"], "olivia");
    assert_eq!(who["groups"], json!(["ops"]));
    assert_eq!(who["auth"], "oidc");

    // A replayed callback (same code, same state) signs no one in.
    let (status, body) = olivia.get_json(callback.as_str()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Nor does a made-up state.
    let (status, _) = olivia
        .get_json(&format!("{base}/auth/callback?code=x&state=made-up"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The cookie alone does not make a state-changing request: the CSRF rules first.
    let call = format!("{base}/api/v1/call");
    let (status, body) = olivia.post_json(&call, &[], &describe()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "MissingCsrfHeader");
    let (status, body) = olivia
        .post_json(
            &call,
            &[("x-rewind-request", "1"), ("origin", "https://evil.test")],
            &describe(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "OriginNotAllowed");

    // With the console's headers, ops may call.
    let (status, body) = olivia
        .post_json(
            &call,
            &[("x-rewind-request", "1"), ("origin", base.as_str())],
            &describe(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ok"], true, "{body}");

    // viewers may not: 403 with the policy's reason.
    let victor = browser();
    victor.sign_in(&base, "victor").await;
    let (_, who) = victor.get_json(&format!("{base}/api/v1/session")).await;
    assert_eq!(who["groups"], json!(["viewers"]));
    let (status, body) = victor
        .post_json(
            &call,
            &[("x-rewind-request", "1"), ("origin", base.as_str())],
            &describe(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "PolicyDenied");
    assert!(
        body["error"]["reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty()),
        "{body}"
    );

    // Sign-out deletes the session: the old cookie is refused afterwards.
    let old = olivia.session_cookie(&base);
    let (status, body) = olivia
        .post_json(
            &format!("{base}/auth/logout"),
            &[("x-rewind-request", "1"), ("origin", base.as_str())],
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let redirect = body["redirect"].as_str().unwrap();
    assert!(redirect.contains("/session/end"), "{redirect}");
    let replay = reqwest::Client::new()
        .get(format!("{base}/api/v1/session"))
        .header("cookie", &old)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = olivia.get_json(&format!("{base}/api/v1/session")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Return paths to another origin are refused before the provider is involved.
    for bad in ["//evil.test", "https://evil.test", "/\\evil.test"] {
        let res = olivia
            .client
            .get(format!("{base}/auth/login"))
            .query(&[("return", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends() {
    let idle = Duration::from_secs(1);
    let h = start(idle.as_secs()).await;
    let base = h.base.clone();
    let b = browser();
    b.sign_in(&base, "olivia").await;
    let (status, _) = b.get_json(&format!("{base}/api/v1/session")).await;
    let last_use = Instant::now();
    assert_eq!(status, StatusCode::OK);
    // The session's idle deadline is a fixed point in time: wait until it has passed.
    let deadline = last_use + idle + Duration::from_millis(300);
    tokio::time::sleep_until(deadline.into()).await;
    let (status, body) = b.get_json(&format!("{base}/api/v1/session")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "Unauthorized");
}

// ------------------------------------------------------------------ token sign-in
// The same cookie session without SSO (`auth.mode = "token"`), driven with `oneshot`.

mod token_sign_in {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use http_body_util::BodyExt;
    use serde_json::{Value, json};
    use sha2::{Digest, Sha256};
    use tower::ServiceExt;

    const TOKEN: &str = "fake-token-alice-0123456789";

    fn router() -> axum::Router {
        let text = format!(
            "listen = \"127.0.0.1:8080\"\n[auth]\nmode = \"token\"\n[[auth.tokens]]\nuser = \"alice\"\nsha256 = \"{}\"\ngroups = [\"ops\"]",
            hex::encode(Sha256::digest(TOKEN.as_bytes()))
        );
        let serve = rewind_proxy::config::parse(&text, None, &|_| None).unwrap();
        let mut cfg = rewind_proxy::AppConfig::from_serve(serve, None);
        cfg.listen = Some("127.0.0.1:8080".parse().unwrap());
        rewind_proxy::app(cfg)
    }

    async fn send(r: &axum::Router, req: Request<Body>) -> (StatusCode, Option<String>, Value) {
        let res = r.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            cookie,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    fn post(path: &str, cookie: Option<&str>, _body: &Value) -> axum::http::request::Builder {
        let mut b = Request::post(path)
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/json")
            .header("x-rewind-request", "1");
        if let Some(c) = cookie {
            b = b.header("cookie", c);
        }
        b
    }

    fn session(cookie: Option<&str>) -> Request<Body> {
        let mut b = Request::get("/api/v1/session").header("host", "127.0.0.1:8080");
        if let Some(c) = cookie {
            b = b.header("cookie", c);
        }
        b.body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn a_token_is_exchanged_for_a_cookie_session() {
        let r = router();
        let body = json!({"token": TOKEN});
        let (status, set, answer) = send(
            &r,
            post("/api/v1/session/token", None, &body)
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["user"], "alice");
        let set = set.expect("a session cookie");
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        assert!(!set.contains(TOKEN), "the cookie is not the token");
        let cookie = set.split(';').next().unwrap().to_string();

        let (status, _, who) = send(&r, session(Some(&cookie))).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert_eq!(
            (who["user"].as_str(), who["auth"].as_str()),
            (Some("alice"), Some("token"))
        );
        assert_eq!(who["groups"], json!(["ops"]));

        // Bearer keeps working for scripts.
        let bearer = Request::get("/api/v1/session")
            .header("host", "127.0.0.1:8080")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&r, bearer).await.0, StatusCode::OK);

        // A cross-site form post and a cross-site fetch with credentials carry the
        // cookie but fail the CSRF rules: refused, and never signed in.
        let form = Request::post("/api/v1/session/logout")
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://evil.test")
            .header("cookie", &cookie)
            .body(Body::from("a=1"))
            .unwrap();
        assert_eq!(send(&r, form).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let fetch = post("/api/v1/session/logout", Some(&cookie), &json!({}))
            .header("origin", "https://evil.test")
            .body(Body::from("{}"))
            .unwrap();
        assert_eq!(send(&r, fetch).await.0, StatusCode::FORBIDDEN);
        assert_eq!(
            send(&r, session(Some(&cookie))).await.0,
            StatusCode::OK,
            "still signed in"
        );

        // Sign-out: the cookie is cleared and refused afterwards.
        let (status, set, answer) = send(
            &r,
            post("/api/v1/session/logout", Some(&cookie), &json!({}))
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["redirect"], "/");
        assert!(set.unwrap().contains("Max-Age=0"));
        assert_eq!(
            send(&r, session(Some(&cookie))).await.0,
            StatusCode::UNAUTHORIZED
        );
    }

    #[tokio::test]
    async fn a_wrong_token_signs_no_one_in() {
        let r = router();
        let body = json!({"token": "not-the-token"});
        let (status, set, _) = send(
            &r,
            post("/api/v1/session/token", None, &body)
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(set.is_none());
        // A made-up cookie is no session.
        let (status, _, _) = send(&r, session(Some("rewind-session=00ff"))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Without the CSRF header the exchange is refused before the token is looked at.
        let req = Request::post("/api/v1/session/token")
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/json")
            .body(Body::from(json!({"token": TOKEN}).to_string()))
            .unwrap();
        assert_eq!(send(&r, req).await.0, StatusCode::FORBIDDEN);
    }
}
