//! The console under the server's security headers (issue #11): every page runs under
//! the Content-Security-Policy without a single violation, the policy is really enforced
//! (an injected inline script is refused), and a page of another origin cannot frame the
//! console (clickjacking).

use crate::support::Harness;
use fantoccini::Locator;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Every console route (README "Console routes") and what shows it has rendered.
const PAGES: &[(&str, &str)] = &[
    ("", ".cloud-cards a"),
    ("tencent/instances", ".inventory tbody tr[data-id]"),
    ("tencent/snapshots", ".inventory tbody tr[data-id]"),
    ("alibaba/instances", ".inventory tbody tr[data-id]"),
    ("alibaba/disks", ".inventory tbody tr[data-id]"),
    ("alibaba/snapshots", ".inventory tbody tr[data-id]"),
    ("huawei/snapshots", ".inventory tbody tr[data-id]"),
    ("tencent/rollback", "[data-testid=check]"),
    ("tencent/create-snapshot", "[data-testid=check]"),
    ("alibaba/reset-disk", "[data-testid=check]"),
    ("alibaba/create-snapshot", "[data-testid=check]"),
    ("huawei/restore", "[data-testid=check]"),
    ("tencent/batch", "[data-testid=batch-targets] tbody tr"),
    ("alibaba/batch", "[data-testid=batch-targets] tbody tr"),
    ("operations", "[data-testid=audit]"),
    ("settings", "[data-testid=settings] p"),
    ("alibaba/instances?region=cn-shanghai", ".inventory"),
    ("no/such/page", "main h1"),
];

/// Console entries that are errors: CSP violations are logged as SEVERE.
fn severe(entries: &[Value]) -> Vec<&Value> {
    entries.iter().filter(|e| e["level"] == "SEVERE").collect()
}

#[tokio::test]
async fn every_page_runs_under_the_content_security_policy_without_a_violation() {
    let h = Harness::start().await;
    // The policy is on the page, with the console's own loader allowed by hash.
    let res = reqwest::get(&h.url).await.unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    for (page, ready) in PAGES {
        h.open(page).await;
        h.wait_css(ready).await;
        let errors = h.browser_log().await;
        assert!(
            severe(&errors).is_empty(),
            "/{page}: browser console errors under {csp}: {errors:#?}"
        );
    }

    assert_policy_enforced(&h).await;
    h.stop().await;
}

/// The page is under a policy the browser enforces, and the checks for console errors
/// can see a violation: an inline script the console did not ship is refused, and the
/// refusal is a SEVERE console entry.
async fn assert_policy_enforced(h: &Harness) {
    let ran = h
        .js("const s = document.createElement('script');\
             s.textContent = 'window.__injected = true;';\
             document.head.appendChild(s);\
             return window.__injected === true;")
        .await;
    assert_eq!(ran, Value::Bool(false), "an injected inline script ran");
    let refusal = h.wait_log("Content Security Policy").await;
    assert_eq!(refusal["level"], "SEVERE", "{refusal}");
}

/// `/settings` in bring-your-own-keys mode: the key forms and the signed-request panel.
#[tokio::test]
async fn the_keys_page_runs_under_the_policy_in_relay_mode() {
    let h = Harness::start_with(&["--relay"]).await;
    h.open("settings").await;
    h.wait_css("[data-testid=remember]").await;
    h.click("[data-testid=show-signed]").await;
    h.wait_css("[data-testid=sign]").await;
    h.assert_no_console_errors().await;
    assert_policy_enforced(&h).await;
    h.stop().await;
}

/// A tiny site of another origin on a free loopback port: `/` frames the console and a
/// page of its own (`/inner`, the control that shows frames do render here).
async fn framing_site(console: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let console = console.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&request);
                let path = head.split_whitespace().nth(1).unwrap_or("/");
                let (status, body) = match path {
                    "/" => (
                        "200 OK",
                        format!(
                            "<!DOCTYPE html><title>framer</title>\
                             <iframe id=\"console\" src=\"{console}\" width=\"800\" height=\"400\"></iframe>\
                             <iframe id=\"control\" src=\"/inner\"></iframe>"
                        ),
                    ),
                    "/inner" => (
                        "200 OK",
                        "<!DOCTYPE html><title>inner</title><p id=\"inner\">framed</p>".into(),
                    ),
                    _ => ("404 Not Found", String::new()),
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/")
}

#[tokio::test]
async fn another_origin_cannot_frame_the_console() {
    let h = Harness::start().await;
    let framer = framing_site(h.url.clone()).await;
    assert_ne!(framer, h.url);
    h.client.goto(&framer).await.unwrap();

    // The control: a frame of the framing site's own renders, and we can look inside.
    let control = h.wait_css("iframe#control").await;
    control.enter_frame().await.unwrap();
    h.wait_css("#inner").await;
    h.client.enter_parent_frame().await.unwrap();

    // The console was asked for and answered, and the browser refused to show it.
    h.wait_until("the framed console to be requested", || async {
        h.requests_to("/") > 0
    })
    .await;
    // Chromium: "Framing 'http://127.0.0.1:PORT/' violates the following Content Security
    // Policy directive: "frame-ancestors 'none'". The request has been blocked."
    let refusal = h.wait_log("frame-ancestors 'none'").await;
    let message = refusal["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&h.url) && message.contains("blocked"),
        "{refusal}"
    );
    let frame = h.wait_css("iframe#console").await;
    frame.enter_frame().await.unwrap();
    let consoles = h
        .client
        .find_all(Locator::Css("nav.clouds"))
        .await
        .map(|v| v.len())
        .unwrap_or(0);
    assert_eq!(
        consoles, 0,
        "the console rendered inside another origin's frame"
    );
    let title = h.js("return document.title;").await;
    assert_ne!(
        title,
        Value::from("Rewind"),
        "the console's document is in the frame"
    );
    h.stop().await;
}
