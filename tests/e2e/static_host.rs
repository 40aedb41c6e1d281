//! The console on a static host, end to end in Chromium: `dist/` served by nginx on one
//! loopback origin with a `config.json` naming the Rewind server (`api_base`) and the
//! security headers `rewind headers` prints, `rewind serve --demo --relay` on another.
//! With the console's origin in `cors.origins` it lists and rolls back through the
//! relay; with it missing the console says so and sends nothing.

use crate::support::Harness;
use crate::world::*;
use rewind_cloud::Action;
use rewind_emulator::config::demo;
use serde_json::json;

#[tokio::test]
async fn a_console_on_a_static_host_rolls_back_through_a_server_on_another_origin() {
    let h = Harness::start_static_host(true).await;
    assert_ne!(h.url, h.api, "two origins");
    let emu = h.emulator();
    let inst = lh_instance(&emu, "blog-prod").await;
    let snap = lh_snapshot(&emu, &inst, "blog-daily").await;

    // nginx sends the policy rewind would, with the server's origin allowed for fetch.
    let page = reqwest::get(&h.url).await.unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(&format!(
            "connect-src 'self' {}",
            h.api.trim_end_matches('/')
        )),
        "{csp}"
    );
    assert_eq!(page.headers()["x-frame-options"], "DENY");

    h.open("settings").await;
    h.type_into("[data-testid=tencent-id]", demo::TENCENT_SECRET_ID)
        .await;
    h.type_into("[data-testid=tencent-secret]", demo::TENCENT_SECRET_KEY)
        .await;
    h.click("[data-testid=tencent-save]").await;
    h.wait_css_text("[data-testid=tencent-status]", "secret •••• set")
        .await;

    // The instance list comes through the other origin's relay.
    h.click("nav.clouds a[href='/tencent']").await;
    h.wait_css(".inventory tbody tr[data-id]").await;
    h.type_into("[data-testid=filter]", &inst).await;
    h.wait_css(&format!(".inventory tbody tr[data-id='{inst}']"))
        .await;
    assert!(h.requests_to("/relay") > 0, "listed through the relay");

    // A rollback, to completion, run in this tab.
    h.click(&format!(
        "tr[data-id='{inst}'] [data-testid=action-rollback]"
    ))
    .await;
    h.type_into("[data-testid=SnapshotId]", &snap).await;
    h.click("[data-testid=check]").await;
    h.wait_css("[data-testid=confirm]").await;
    h.click("[data-testid=snapshot-first]").await;
    h.confirm_and_start(&inst).await;
    h.wait_attr("[data-testid=op]", "data-status", "succeeded", OP_LIMIT)
        .await;
    let state = emu
        .call(
            Action::LhDescribeInstances,
            LH_REGION,
            json!({"InstanceIds": [inst]}),
        )
        .await;
    // Rolled back, then started again (it was running): two steps done, no safety
    // snapshot asked for.
    assert_eq!(
        h.count_css("[data-testid=op] [data-testid=step][data-state=done]")
            .await,
        2
    );
    let i = &state["InstanceSet"][0];
    assert_eq!(i["LatestOperation"], "StartInstances", "{state}");
    assert_eq!(i["LatestOperationState"], "SUCCESS", "{state}");
    assert_eq!(i["InstanceState"], "RUNNING", "{state}");
    // The console's files came from nginx only; the server answered data only.
    let host = h.static_host.as_ref().unwrap();
    assert!(host.requests_to("/config.json") >= 1);
    assert_eq!(h.requests_to("/index.html") + h.requests_to("/"), 0);
    h.screenshot("static-host-rolled-back").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn a_console_on_an_origin_the_server_does_not_accept_says_so_and_sends_nothing() {
    let h = Harness::start_static_host(false).await;
    h.open("").await;
    let refused = h.wait_css("[data-testid=origin-refused]").await;
    let text = refused.text().await.unwrap();
    assert!(text.contains("does not accept"), "{text}");
    assert!(
        text.contains(h.url.trim_end_matches('/')),
        "names the origin: {text}"
    );
    h.screenshot("static-host-origin-refused").await;
    // Only the settings were asked for; nothing reached the API or the relay.
    assert_eq!(h.requests_to("/config.json"), 1);
    assert_eq!(h.requests_to("/relay"), 0);
    let api_requests = std::fs::read_to_string(&h.server_log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(" answered ") && l.contains("path=/api/"))
        .count();
    assert_eq!(api_requests, 0);
    h.stop().await;
}
