//! Relay mode (keys held in the browser), end to end in Chromium against `rewind serve --demo --relay`:
//! keys typed into the Keys page sign requests in the browser, which reach the embedded
//! emulator through `/relay` only; the secret never appears in the page; keys live in
//! the tab's memory, or its sessionStorage when remembered, never in localStorage.

use crate::support::Harness;
use rewind_cloud::Action;
use rewind_emulator::config::demo;
use serde_json::json;

async fn enter_keys(h: &Harness, cloud: &str, id: &str, secret: &str) {
    h.type_into(&format!("[data-testid={cloud}-id]"), id).await;
    h.type_into(&format!("[data-testid={cloud}-secret]"), secret)
        .await;
    h.click(&format!("[data-testid={cloud}-save]")).await;
}

async fn status_reads(h: &Harness, cloud: &str, needle: &str) {
    h.wait_css_text(&format!("[data-testid={cloud}-status]"), needle)
        .await;
}

/// Client-side navigation (a page load would start a fresh tab state).
async fn open_view(h: &Harness, cloud: &str, view: &str) {
    h.click(&format!("nav.clouds a[href='/{cloud}']")).await;
    // Let the default view finish loading: a table left mid-load races its own task.
    h.wait_until("the default view to load", || async {
        h.count_css(".inventory tbody tr[data-id], [data-testid=error]")
            .await
            > 0
    })
    .await;
    h.click(&format!("nav.tabs a[href^='/{cloud}/{view}']"))
        .await;
}

fn last4(id: &str) -> String {
    format!("…{}", &id[id.len() - 4..])
}

#[tokio::test]
async fn keys_sign_in_the_browser_through_the_relay_and_stay_in_the_tab() {
    let h = Harness::start_with(&["--relay"]).await;
    h.open("settings").await;
    status_reads(&h, "tencent", "No keys set").await;
    // The Keys link is in the header in relay mode.
    h.wait_css("[data-testid=keys-link]").await;

    // Enter the demo keys: once saved, only the ID's last four characters show.
    enter_keys(
        &h,
        "tencent",
        demo::TENCENT_SECRET_ID,
        demo::TENCENT_SECRET_KEY,
    )
    .await;
    status_reads(&h, "tencent", &last4(demo::TENCENT_SECRET_ID)).await;
    status_reads(&h, "tencent", "secret •••• set").await;
    let secret = h.wait_css("[data-testid=tencent-secret]").await;
    assert_eq!(secret.prop("value").await.unwrap().as_deref(), Some(""));
    assert_eq!(
        secret.attr("type").await.unwrap().as_deref(),
        Some("password")
    );
    assert_eq!(
        secret.attr("autocomplete").await.unwrap().as_deref(),
        Some("off")
    );

    // The Lighthouse snapshots load through /relay, signed here; no /api/v1/call.
    open_view(&h, "tencent", "snapshots").await;
    let row = h
        .wait_css(".inventory[data-view=snapshots] tbody tr[data-id]")
        .await;
    let id = row.attr("data-id").await.unwrap().unwrap_or_default();
    assert!(id.starts_with("lhsnap-"), "first row: {id:?}");
    let profile = h.wait_css("[data-testid=profile]").await;
    assert_eq!(
        profile.prop("value").await.unwrap().as_deref(),
        Some("keys-tencent")
    );
    // The rows are the cloud's own (read directly from the emulator).
    let direct = h
        .emulator()
        .call(
            Action::LhDescribeSnapshots,
            "ap-guangzhou",
            json!({"Limit": 100}),
        )
        .await;
    assert!(
        direct["SnapshotSet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["SnapshotId"] == id.as_str()),
        "{id} is not a snapshot of the emulator: {direct}"
    );
    assert!(h.requests_to("/relay") >= 1, "no /relay in the request log");
    assert_eq!(
        h.requests_to("/api/v1/call"),
        0,
        "a call bypassed the relay"
    );
    h.screenshot("relay-snapshots").await;

    // "Show signed request": the signature, never the secret.
    h.click("[data-testid=keys-link]").await;
    h.click("[data-testid=show-signed]").await;
    h.click("[data-testid=sign]").await;
    let shown = h.wait_css("[data-testid=signed-request]").await;
    h.wait_text(&shown, "Signature=").await;
    let text = shown.text().await.unwrap();
    assert!(
        text.contains(&format!(
            "TC3-HMAC-SHA256 Credential={}/",
            demo::TENCENT_SECRET_ID
        )),
        "{text}"
    );
    let curl = h.wait_css("[data-testid=signed-curl]").await;
    assert!(
        curl.text()
            .await
            .unwrap()
            .starts_with("curl -X POST 'http://127.0.0.1:")
    );
    let html = h.client.source().await.unwrap();
    assert!(
        !html.contains(demo::TENCENT_SECRET_KEY),
        "the secret is in the page"
    );
    h.js("document.querySelector('[data-testid=signed-request]').scrollIntoView(); return null")
        .await;
    h.screenshot("relay-signed-request").await;
    assert_eq!(h.requests_to("/api/v1/call"), 0);

    // Not remembered: a reload forgets the keys, and nothing was stored.
    h.client.refresh().await.unwrap();
    status_reads(&h, "tencent", "No keys set").await;
    let stored = h.js("return sessionStorage.getItem('rewind.keys')").await;
    assert!(stored.is_null(), "{stored}");

    // Remembered for the tab: sessionStorage keeps them across a reload, localStorage never.
    h.click("[data-testid=remember]").await;
    enter_keys(
        &h,
        "tencent",
        demo::TENCENT_SECRET_ID,
        demo::TENCENT_SECRET_KEY,
    )
    .await;
    status_reads(&h, "tencent", "secret •••• set").await;
    h.client.refresh().await.unwrap();
    status_reads(&h, "tencent", &last4(demo::TENCENT_SECRET_ID)).await;
    let remember = h.wait_css("[data-testid=remember]").await;
    assert_eq!(
        remember.prop("checked").await.unwrap().as_deref(),
        Some("true")
    );
    let local = h.js("return JSON.stringify(localStorage)").await;
    let local = local.as_str().unwrap_or_default();
    assert!(
        !local.contains("rewind.keys") && !local.contains(demo::TENCENT_SECRET_KEY),
        "keys in localStorage: {local}"
    );
    let session = h.js("return sessionStorage.getItem('rewind.keys')").await;
    assert!(
        session
            .as_str()
            .is_some_and(|s| s.contains(demo::TENCENT_SECRET_ID)),
        "{session}"
    );
    open_view(&h, "tencent", "snapshots").await;
    h.wait_css(".inventory[data-view=snapshots] tbody tr[data-id]")
        .await;

    // Unticking removes them from sessionStorage at once; "Forget keys" from memory too.
    h.click("[data-testid=keys-link]").await;
    h.click("[data-testid=remember]").await;
    h.wait_until("sessionStorage to be cleared", || async {
        h.js("return sessionStorage.getItem('rewind.keys')")
            .await
            .is_null()
    })
    .await;
    status_reads(&h, "tencent", "secret •••• set").await;
    h.click("[data-testid=forget]").await;
    status_reads(&h, "tencent", "No keys set").await;
    assert_eq!(h.requests_to("/api/v1/call"), 0);
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_shows_the_clouds_auth_failure_with_remedy_and_request_id() {
    let h = Harness::start_with(&["--relay"]).await;
    h.open("settings").await;
    status_reads(&h, "tencent", "No keys set").await;
    // Keys typed into the Keys page are checked before they are saved, so a wrong secret
    // reaches a call only as keys remembered by the tab are restored (unchecked), or as
    // keys revoked after they were saved: plant one in the tab's sessionStorage.
    let planted = json!({"remember": true, "clouds": {"tencent": {
        "id": demo::TENCENT_SECRET_ID, "secret": "not-the-demo-secret-at-all", "signature": "v3"
    }}});
    h.js(&format!(
        "sessionStorage.setItem('rewind.keys', {}); return null",
        serde_json::to_string(&planted.to_string()).unwrap()
    ))
    .await;
    h.client.refresh().await.unwrap();
    status_reads(&h, "tencent", "secret •••• set").await;
    open_view(&h, "tencent", "snapshots").await;
    let code = h.wait_css("[data-testid=error-code]").await;
    h.wait_text(&code, "AuthFailure").await;
    let code = code.text().await.unwrap();
    assert_eq!(code, "AuthFailure.SignatureFailure");
    let panel = h.wait_css("[data-testid=error]").await;
    h.wait_text(&panel, "What to do").await;
    let rid = h.wait_css("[data-testid=request-id]").await;
    assert!(!rid.text().await.unwrap().trim().is_empty());
    h.screenshot("relay-auth-failure").await;
    // The catalog's explanation and remedy follow the language, as in portal mode.
    h.click(".lang-switch button[lang='zh-CN']").await;
    h.wait_text(&panel, "处理建议").await;
    assert!(h.requests_to("/relay") >= 1);
    assert_eq!(h.requests_to("/api/v1/call"), 0);
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn workspace_snapshots_load_with_the_regions_project_id() {
    let h = Harness::start_with(&["--relay"]).await;
    h.open("settings").await;
    let (project, region) = demo::HUAWEI_PROJECTS[0];
    // Without the region's project id, nothing is sent and the page says what is missing.
    enter_keys(&h, "huawei", demo::HUAWEI_AK, demo::HUAWEI_SK).await;
    status_reads(&h, "huawei", "secret •••• set").await;
    open_view(&h, "huawei", "snapshots").await;
    h.wait_css_text("[data-testid=error-code]", "NoProjectId")
        .await;
    assert_eq!(h.requests_to("/relay"), 0);

    h.click("[data-testid=keys-link]").await;
    h.type_into(&format!("[data-testid=huawei-project-{region}]"), project)
        .await;
    h.click("[data-testid=huawei-save]").await;
    open_view(&h, "huawei", "snapshots").await;
    let direct = h
        .emulator()
        .call(Action::WsListDesktopSnapshot, region, json!({"limit": 100}))
        .await;
    let row = h.wait_css(".inventory tbody tr[data-id]").await;
    let id = row.attr("data-id").await.unwrap().unwrap_or_default();
    assert!(
        direct["desktop_snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["snapshot_id"] == id.as_str()),
        "{id} is not a snapshot of the emulator: {direct}"
    );
    assert!(h.requests_to("/relay") >= 1);
    assert_eq!(h.requests_to("/api/v1/call"), 0);
    let html = h.client.source().await.unwrap();
    assert!(!html.contains(demo::HUAWEI_SK), "the secret is in the page");
    h.assert_no_console_errors().await;
    h.stop().await;
}

/// The emulator's log lines of `action` (one per request it answered), from the server log.
fn emulator_lines(h: &Harness, action: &str) -> Vec<String> {
    std::fs::read_to_string(&h.server_log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("emulator request") && l.contains(action))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn keys_are_checked_by_one_read_when_saved_and_refused_keys_are_not_saved() {
    let h = Harness::start_with(&["--relay", "--faults"]).await;
    h.open("settings").await;
    status_reads(&h, "tencent", "No keys set").await;
    // The banner says which mode this is.
    h.wait_css_text("[data-testid=relay-mode]", "Relay mode")
        .await;
    // Nobody signs in to a relay: the banner names no user.
    let banner = h
        .wait_css("[data-testid=session]")
        .await
        .text()
        .await
        .unwrap();
    assert!(!banner.contains("Signed in as"), "{banner}");
    assert_eq!(h.count_css("[data-testid=session-user]").await, 0);
    assert!(emulator_lines(&h, "DescribeInstances").is_empty());

    // A wrong secret: while the check is out the button is busy, and a second submit
    // sends nothing more (the cloud's answer is held back 1.5 s).
    h.emulator()
        .inject(
            json!({"provider": "tencent", "action": "DescribeInstances", "count": 1,
                       "kind": "latency", "ms": 1500}),
        )
        .await;
    let wrong = "fake-wrong-secret-for-e2e";
    enter_keys(&h, "tencent", demo::TENCENT_SECRET_ID, wrong).await;
    let save = h.wait_css("[data-testid=tencent-save]").await;
    h.wait_text(&save, "Checking…").await;
    assert_eq!(
        save.attr("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        save.attr("aria-busy").await.unwrap().as_deref(),
        Some("true")
    );
    let _ = save.click().await;
    h.wait_css("[data-testid=tencent-id]")
        .await
        .send_keys("\n")
        .await
        .unwrap();
    // The catalog's explanation and remedy, with the cloud's code and RequestId.
    let check = h.wait_css("[data-testid=tencent-check]").await;
    h.wait_text(&check, "Not saved: the cloud refused these keys")
        .await;
    let code = h
        .wait_css("[data-testid=tencent-check] [data-testid=error-code]")
        .await;
    assert_eq!(code.text().await.unwrap(), "AuthFailure.SignatureFailure");
    h.wait_text(&check, "The signature does not match").await;
    h.wait_text(&check, "What to do").await;
    let rid = h
        .wait_css("[data-testid=tencent-check] [data-testid=request-id]")
        .await
        .text()
        .await
        .unwrap();
    assert!(!rid.trim().is_empty());
    // Not saved; the secret left the page; the button is back.
    status_reads(&h, "tencent", "No keys set").await;
    assert_eq!(h.value("[data-testid=tencent-secret]").await, "");
    assert_eq!(save.text().await.unwrap(), "Save keys");
    assert_eq!(save.attr("disabled").await.unwrap(), None);
    // The emulator saw exactly that one call, refused with that RequestId.
    let seen = emulator_lines(&h, "DescribeInstances");
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert!(
        seen[0].contains(rid.trim()) && seen[0].contains("AuthFailure.SignatureFailure"),
        "{seen:#?}"
    );
    assert!(!seen[0].contains(wrong), "a secret in the log");
    h.screenshot("relay-keys-refused").await;

    // The demo keys pass the check and are saved, with the check's RequestId.
    enter_keys(
        &h,
        "tencent",
        demo::TENCENT_SECRET_ID,
        demo::TENCENT_SECRET_KEY,
    )
    .await;
    status_reads(&h, "tencent", "secret •••• set").await;
    status_reads(&h, "tencent", &last4(demo::TENCENT_SECRET_ID)).await;
    h.wait_css_text(
        "[data-testid=tencent-check]",
        "Checked on saving: the cloud accepted these keys",
    )
    .await;
    let rid = h
        .wait_css("[data-testid=tencent-check-request-id]")
        .await
        .text()
        .await
        .unwrap();
    let seen = emulator_lines(&h, "DescribeInstances");
    assert_eq!(seen.len(), 2, "{seen:#?}");
    assert!(
        seen[1].contains(&rid) && seen[1].contains(demo::TENCENT_SECRET_ID),
        "{seen:#?}"
    );
    assert_eq!(h.value("[data-testid=tencent-id]").await, "");
    h.screenshot("relay-keys-checked").await;
    h.click(".lang-switch button[lang='zh-CN']").await;
    h.wait_css_text("[data-testid=tencent-check]", "保存时已校验")
        .await;
    h.click(".lang-switch button[lang='en']").await;

    // A wrong secret again: refused, and the keys saved before stay.
    h.type_into("[data-testid=tencent-secret]", wrong).await;
    h.click("[data-testid=tencent-save]").await;
    h.wait_css_text(
        "[data-testid=tencent-check] [data-testid=error-code]",
        "AuthFailure",
    )
    .await;
    status_reads(&h, "tencent", &last4(demo::TENCENT_SECRET_ID)).await;
    status_reads(&h, "tencent", "secret •••• set").await;
    assert_eq!(emulator_lines(&h, "DescribeInstances").len(), 3);
    // ... and still sign the cloud's reads.
    open_view(&h, "tencent", "snapshots").await;
    h.wait_css(".inventory[data-view=snapshots] tbody tr[data-id]")
        .await;

    let html = h.client.source().await.unwrap();
    assert!(!html.contains(wrong) && !html.contains(demo::TENCENT_SECRET_KEY));
    assert_eq!(h.requests_to("/api/v1/call"), 0);
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn a_check_without_a_verdict_is_not_a_refusal_and_can_save_unchecked() {
    let h = Harness::start_with(&["--relay", "--faults"]).await;
    h.open("settings").await;
    status_reads(&h, "alibaba", "No keys set").await;
    // The emulator closes the connection: the relay answers, the cloud never did.
    h.emulator()
        .inject(
            json!({"provider": "alibaba", "action": "DescribeInstances", "count": 1,
                       "kind": "drop"}),
        )
        .await;
    enter_keys(
        &h,
        "alibaba",
        demo::ALIBABA_ACCESS_KEY_ID,
        demo::ALIBABA_ACCESS_KEY_SECRET,
    )
    .await;
    let check = h.wait_css("[data-testid=alibaba-check]").await;
    h.wait_text(&check, "That is not proof they are wrong")
        .await;
    h.wait_css("[data-testid=alibaba-check] [data-testid=error]")
        .await;
    status_reads(&h, "alibaba", "No keys set").await;
    assert_eq!(h.value("[data-testid=alibaba-secret]").await, "");
    h.screenshot("relay-keys-unsure").await;

    // Saved unchecked, clearly labelled; the held keys sign the next read.
    h.click("[data-testid=alibaba-save-anyway]").await;
    status_reads(&h, "alibaba", "secret •••• set").await;
    status_reads(&h, "alibaba", &last4(demo::ALIBABA_ACCESS_KEY_ID)).await;
    h.wait_css_text("[data-testid=alibaba-check]", "Saved without a check")
        .await;
    assert_eq!(h.count_css("[data-testid=alibaba-save-anyway]").await, 0);
    // Saved again with nothing typed: the saved keys are checked, and pass.
    h.click("[data-testid=alibaba-save]").await;
    h.wait_css_text("[data-testid=alibaba-check]", "Checked on saving")
        .await;
    h.wait_css("[data-testid=alibaba-check-request-id]").await;
    assert_eq!(emulator_lines(&h, "DescribeInstances").len(), 2);
    assert_eq!(h.requests_to("/api/v1/call"), 0);
    h.stop().await;
}
