//! Signing in to the portal in Chromium: single sign-on through a real OpenID provider
//! (`oidc-provider` from npm, its own login and consent pages) for a user of `ops` and
//! one of `viewers`, sign-out at the provider too, an expired session that leads to
//! sign-in and back to the page, and token sign-in beside a scripted bearer call.

use crate::support::portal::{OPS_TOKEN, SignIn};
use crate::support::{DEADLINE, Harness};
use crate::world::*;
use fantoccini::Locator;
use rewind_cloud::Action;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const REGION: &str = "ap-guangzhou";

/// The browser's address, as the page sees it.
async fn location(h: &Harness) -> url::Url {
    h.client.current_url().await.unwrap()
}

/// Path and query of the browser's address.
async fn here(h: &Harness) -> String {
    let url = location(h).await;
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// Signs in as `who` on the provider's own pages (its login form, then its consent
/// form, each only if it is shown) and waits until the browser is back on the console.
async fn at_the_provider(h: &Harness, who: &str) {
    let start = Instant::now();
    loop {
        let url = location(h).await;
        if url.as_str().starts_with(&h.url) && !url.path().starts_with("/auth/") {
            return;
        }
        if !url.as_str().starts_with(&h.url) {
            if let Ok(login) = h.client.find(Locator::Css("input[name=login]")).await {
                let _ = login.clear().await;
                let _ = login.send_keys(who).await;
                if let Ok(password) = h.client.find(Locator::Css("input[name=password]")).await {
                    let _ = password.send_keys("any").await;
                }
                if let Ok(go) = h.client.find(Locator::Css("button.login-submit")).await {
                    let _ = go.click().await;
                }
            } else if let Ok(consent) = h.client.find(Locator::Css("button.login-submit")).await {
                let _ = consent.click().await;
            }
        }
        assert!(
            start.elapsed() < DEADLINE,
            "signing in as {who} did not come back to the console; at {url}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Clicks the console's sign-in button and signs in at the provider.
async fn single_sign_on(h: &Harness, who: &str) {
    h.click("[data-testid=signin-sso]").await;
    at_the_provider(h, who).await;
    h.wait_css_text("[data-testid=session-user]", who).await;
}

/// Signs out of the console and, on the provider's page, out of the provider too;
/// then the console's start shows the sign-in page.
async fn sign_out(h: &Harness) {
    h.click("[data-testid=sign-out]").await;
    let start = Instant::now();
    loop {
        let url = location(h).await;
        if url.as_str().starts_with(&h.url) && url.path() == "/signin" {
            break;
        }
        if !url.as_str().starts_with(&h.url)
            && let Ok(yes) = h
                .client
                .find(Locator::Css("button[name=logout][value=yes]"))
                .await
        {
            let _ = yes.click().await;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "sign-out did not end at sign-in; at {url}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    h.wait_css("[data-testid=signed-out]").await;
}

/// A request from the page itself, with its cookies and the console's headers.
async fn page_fetch(h: &Harness, method: &str, path: &str, body: Value) -> (u64, Value) {
    let script = format!(
        r#"return fetch({path:?}, {{
            method: {method:?},
            headers: {{"Content-Type": "application/json", "X-Rewind-Request": "1",
                      "Idempotency-Key": "e2e-" + Math.random().toString(16).slice(2)}},
            body: {method:?} === "GET" ? undefined : {body:?}
        }}).then(async r => [r.status, await r.text()])"#,
        body = body.to_string()
    );
    let out = h.js(&script).await;
    let status = out[0].as_u64().unwrap_or(0);
    let body = serde_json::from_str(out[1].as_str().unwrap_or("null")).unwrap_or(Value::Null);
    (status, body)
}

/// The console's own errors: failed scripts, panics, a chunk that did not load. The
/// 401s and 403s this file provokes on purpose are network entries, and the provider's
/// pages are not the console's.
async fn assert_no_script_errors(h: &Harness) {
    let errors: Vec<Value> = h
        .browser_log()
        .await
        .into_iter()
        .filter(|e| e["level"] == "SEVERE" && e["source"] != "network")
        .filter(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(h.url.as_str()))
        })
        .collect();
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
}

/// The Lighthouse snapshot named `name` of the instance `inst`.
async fn snapshot_of(h: &Harness, inst: &str, name: &str) -> String {
    let snaps = h
        .emulator()
        .call(
            Action::LhDescribeSnapshots,
            REGION,
            json!({"Filters": [{"Name": "instance-id", "Values": [inst]}], "Limit": 100}),
        )
        .await;
    find(&rows(&snaps, &["SnapshotSet"]), "SnapshotName", name)["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn single_sign_on_for_ops_and_viewers_with_policy_and_sign_out() {
    let h = Harness::start_portal(SignIn::Oidc {
        lifetime_secs: 3600,
    })
    .await;
    // Signed out, a page leads to sign-in, which names the way back.
    h.open("tencent/instances").await;
    h.wait_css("[data-testid=signin-sso]").await;
    assert_eq!(here(&h).await, "/signin?return=%2Ftencent%2Finstances");
    h.wait_css("[data-testid=signed-out]").await;
    h.screenshot("signin-sso").await;

    // olivia (ops) signs in at the provider and comes back to the instances.
    single_sign_on(&h, "olivia").await;
    assert_eq!(here(&h).await, "/tencent/instances");
    let inst = h.row_id("blog-prod").await;
    let snap = snapshot_of(&h, &inst, "blog-daily").await;
    h.click(&format!(
        "tr[data-id='{inst}'] [data-testid=action-rollback]"
    ))
    .await;
    h.type_into("[data-testid=SnapshotId]", &snap).await;
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=forced-shutdown-confirm]").await;
    h.confirm_and_start(&inst).await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    let s = h
        .emulator()
        .call(
            Action::LhDescribeSnapshots,
            REGION,
            json!({"SnapshotIds": [snap]}),
        )
        .await;
    assert_eq!(
        s["SnapshotSet"][0]["LatestOperationState"], "SUCCESS",
        "{s}"
    );
    // The audit log (a SQLite file) names her as the one who rolled back.
    let (status, audit) = page_fetch(&h, "GET", "/api/v1/audit?limit=100", Value::Null).await;
    assert_eq!(status, 200, "{audit}");
    let entries = audit["entries"].as_array().cloned().unwrap_or_default();
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "ApplyInstanceSnapshot" && e["user"] == "olivia"),
        "{audit}"
    );
    assert_no_script_errors(&h).await;

    // Signing out ends the session here and at the provider.
    sign_out(&h).await;
    let (status, _) = page_fetch(&h, "GET", "/api/v1/session", Value::Null).await;
    assert_eq!(status, 401);

    // victor (viewers) must log in again at the provider: its session ended too.
    single_sign_on(&h, "victor").await;
    h.open("tencent/instances").await;
    h.wait_css_text("[data-testid=session-user]", "victor")
        .await;
    let button = format!("tr[data-id='{inst}'] [data-testid=action-rollback]");
    h.wait_attr(&button, "aria-disabled", "true", DEADLINE)
        .await;
    let reason = h
        .wait_css(&format!(
            "tr[data-id='{inst}'] [data-testid=disabled-reason]"
        ))
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        reason.contains("ApplyInstanceSnapshot") && reason.contains("demo-lighthouse"),
        "{reason}"
    );
    // And the server refuses him whatever the page shows: 403 with the policy's reason.
    let (status, body) = page_fetch(
        &h,
        "POST",
        "/api/v1/call",
        json!({"profile": "demo-lighthouse", "region": REGION,
               "action": "ApplyInstanceSnapshot",
               "params": {"InstanceId": inst, "SnapshotId": snap}}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "PolicyDenied", "{body}");
    let (status, body) = page_fetch(&h, "GET", "/api/v1/session", Value::Null).await;
    assert_eq!((status, body["user"].clone()), (200, json!("victor")));
    sign_out(&h).await;
    assert_no_script_errors(&h).await;
    h.stop().await;
}

#[tokio::test]
async fn an_expired_session_leads_to_sign_in_and_back_to_the_page() {
    let lifetime = 5;
    let h = Harness::start_portal(SignIn::Oidc {
        lifetime_secs: lifetime,
    })
    .await;
    h.open("tencent/snapshots").await;
    single_sign_on(&h, "olivia").await;
    let page = here(&h).await;
    assert!(page.starts_with("/tencent/snapshots"), "{page}");
    h.wait_css(".inventory tbody tr").await;
    let signed_in = Instant::now();

    // The session ends `lifetime` seconds after sign-in, however it is used: asked with
    // the browser's cookie until the server says 401 (asking does not extend it).
    let cookie = h
        .client
        .get_named_cookie("rewind-session")
        .await
        .expect("a session cookie");
    let ask = reqwest::Client::new();
    let session_url = format!("{}api/v1/session", h.url);
    h.wait_until("the session to expire", || async {
        ask.get(&session_url)
            .header("cookie", format!("rewind-session={}", cookie.value()))
            .send()
            .await
            .is_ok_and(|r| r.status() == 401)
    })
    .await;
    assert!(signed_in.elapsed() >= Duration::from_secs(lifetime - 1));

    // The next read of the page meets the 401 and goes to sign-in, naming the page.
    if h.count_css("[data-testid=signin]").await == 0 {
        h.click("[data-testid=refresh]").await;
    }
    h.wait_css("[data-testid=signin-sso]").await;
    let signin = here(&h).await;
    let back = url::Url::parse(&format!("{}{}", h.url.trim_end_matches('/'), signin))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "return")
        .map(|(_, v)| v.into_owned());
    assert_eq!(back.as_deref(), Some(page.as_str()), "{signin}");
    single_sign_on(&h, "olivia").await;
    assert_eq!(here(&h).await, page, "back on the page left");
    h.wait_css(".inventory tbody tr").await;
    assert_no_script_errors(&h).await;
    h.stop().await;
}

#[tokio::test]
async fn token_sign_in_in_the_browser_and_a_scripted_bearer_call() {
    let h = Harness::start_portal(SignIn::Token).await;
    h.open("tencent/instances").await;
    h.wait_css("[data-testid=signin-token-form]").await;
    assert_eq!(here(&h).await, "/signin?return=%2Ftencent%2Finstances");
    // The field has focus: the token can be typed at once.
    let focused = h.js("return document.activeElement.id").await;
    assert_eq!(focused, "signin-token");

    // A wrong token: the server's reason, and still on the sign-in page.
    h.type_into("#signin-token", "e2e-token-wrong-not-real")
        .await;
    h.click("[data-testid=signin-submit]").await;
    h.wait_css_text("[data-testid=signin-error]", "not valid")
        .await;
    assert!(here(&h).await.starts_with("/signin"));

    h.type_into("#signin-token", OPS_TOKEN).await;
    h.click("[data-testid=signin-submit]").await;
    h.wait_css_text("[data-testid=session-user]", "olivia")
        .await;
    assert_eq!(here(&h).await, "/tencent/instances");
    h.row_id("blog-prod").await;
    // The token is not kept in the browser: only the session cookie is.
    let stored = h
        .js("return JSON.stringify([Object.assign({}, localStorage), Object.assign({}, sessionStorage)])")
        .await;
    assert!(!stored.to_string().contains(OPS_TOKEN), "{stored}");

    // A script uses the same token as a bearer token, no cookie, no sign-in page.
    let script = reqwest::Client::new();
    let res = script
        .get(format!("{}api/v1/session", h.url))
        .bearer_auth(OPS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let who: Value = res.json().await.unwrap();
    assert_eq!(
        (who["user"].clone(), who["auth"].clone()),
        (json!("olivia"), json!("token"))
    );
    let res = script
        .get(format!("{}api/v1/profiles", h.url))
        .bearer_auth("e2e-token-wrong-not-real")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Signing out in the browser leaves the script's token working.
    sign_out(&h).await;
    h.wait_css("[data-testid=signin-token-form]").await;
    let res = script
        .get(format!("{}api/v1/profiles", h.url))
        .bearer_auth(OPS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_no_script_errors(&h).await;
    h.stop().await;
}
