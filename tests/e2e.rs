//! Browser end-to-end tests: a real `rewind serve --demo` serving the release console,
//! driven in headless Chromium through chromedriver (fantoccini).
//!
//! Run by `cargo xtask test`, which builds both and sets `REWIND_BIN` and `REWIND_DIST`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "e2e/a11y.rs"]
mod a11y;
#[path = "e2e/batch.rs"]
mod batch;
#[path = "e2e/chunks.rs"]
mod chunks;
#[path = "e2e/details.rs"]
mod details;
#[path = "e2e/layout.rs"]
mod layout;
#[path = "e2e/lists.rs"]
mod lists;
#[path = "e2e/operations.rs"]
mod operations;
#[path = "e2e/relay.rs"]
mod relay;
#[path = "e2e/restore.rs"]
mod restore;
#[path = "e2e/safety.rs"]
mod safety;
#[path = "e2e/security.rs"]
mod security;
#[path = "e2e/signin.rs"]
mod signin;
#[path = "e2e/static_host.rs"]
mod static_host;
mod support;
#[path = "e2e/world.rs"]
mod world;

use fantoccini::Locator;
use support::Harness;

#[tokio::test]
async fn console_shell_loads_with_three_clouds_and_no_console_errors() {
    let h = Harness::start().await;
    h.client.goto(&h.url).await.unwrap();
    // The nav is rendered by the wasm module: if the module fails to load, this times out.
    let nav = h.wait_css("nav.clouds").await;
    h.wait_text(&nav, "Huawei Workspace").await;
    let nav_text = nav.text().await.unwrap();
    for cloud in ["Tencent Lighthouse", "Alibaba ECS", "Huawei Workspace"] {
        assert!(
            nav_text.contains(cloud),
            "navigation lacks {cloud}: {nav_text}"
        );
    }
    assert_eq!(h.client.title().await.unwrap(), "Rewind");
    let banner = h.wait_css("[data-testid=session]").await;
    // The demo says so, and names nobody: `--demo` has no sign-in.
    let banner = banner.text().await.unwrap();
    assert!(banner.contains("Demo mode"), "{banner}");
    assert!(!banner.contains("Signed in as"), "{banner}");
    h.screenshot("shell-en").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn language_switch_and_deep_links_work_in_the_served_console() {
    let h = Harness::start().await;
    // A deep link is answered by the SPA fallback and routed client-side.
    h.open("alibaba").await;
    let heading = h.wait_css("section.cloud h1").await;
    h.wait_text(&heading, "Alibaba ECS").await;
    h.client
        .find(Locator::Css(".lang-switch button[lang='zh-CN']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_text(&heading, "阿里云 ECS").await;
    h.wait_css_text("nav.clouds", "腾讯云轻量应用服务器").await;
    // The choice is remembered by this browser across a reload.
    h.client.refresh().await.unwrap();
    h.wait_css_text("section.cloud h1", "阿里云 ECS").await;
    h.screenshot("alibaba-zh").await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

/// The console's own router: links change the page without reloading it (the wasm module
/// and its state stay), the current page's links say so, back and forward work, the
/// profile and region stay in the URL, and a page's fragment link stays with the browser.
#[tokio::test]
async fn links_navigate_in_the_page_and_history_moves_back_and_forward() {
    let h = Harness::start().await;
    h.client.goto(&h.url).await.unwrap();
    h.wait_css(".cloud-cards a").await;
    // A marker on `window` survives in-page navigation and is lost by any reload.
    h.js("window.__rewindMarker = 42; return null;").await;
    let marker = || async { h.js("return window.__rewindMarker ?? null;").await };
    let path = || async {
        h.js("return location.pathname + location.search;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    };

    h.click("nav.clouds a[href='/alibaba']").await;
    h.wait_css_text("section.cloud h1", "Alibaba ECS").await;
    h.wait_attr(
        "nav.clouds a[href='/alibaba']",
        "aria-current",
        "page",
        support::DEADLINE,
    )
    .await;
    assert_eq!(
        h.count_css("nav.clouds a[aria-current]").await,
        1,
        "only the current cloud is marked"
    );

    // A tab keeps the cloud page and carries the profile and region in its URL.
    let tab = h.wait_css("nav.tabs a[href^='/alibaba/disks']").await;
    let href = tab.attr("href").await.unwrap().unwrap_or_default();
    assert!(
        href.contains("profile=") && href.contains("region="),
        "{href}"
    );
    tab.click().await.unwrap();
    h.wait_css(".inventory[data-view=disks] tbody tr[data-id]")
        .await;
    assert_eq!(path().await, href);
    h.wait_attr(
        "nav.tabs a[href^='/alibaba/disks']",
        "aria-current",
        "page",
        support::DEADLINE,
    )
    .await;
    assert_eq!(
        marker().await,
        serde_json::json!(42),
        "a link click reloaded the page"
    );

    // Back to the cloud's first view, back to home, forward again: no reloads either.
    h.client.back().await.unwrap();
    h.wait_until("back to /alibaba", || async { path().await == "/alibaba" })
        .await;
    h.wait_css(".inventory[data-view]:not([data-view=disks])")
        .await;
    h.client.back().await.unwrap();
    h.wait_css(".cloud-cards a").await;
    h.client.forward().await.unwrap();
    h.wait_css_text("section.cloud h1", "Alibaba ECS").await;
    assert_eq!(
        marker().await,
        serde_json::json!(42),
        "history moves reloaded the page"
    );

    // The skip link is a fragment: it moves focus to the page, not the router.
    h.js("document.querySelector('.skip-link').click(); return null;")
        .await;
    h.wait_until("the #main fragment", || async {
        h.js("return location.hash;").await == serde_json::json!("#main")
    })
    .await;
    assert_eq!(path().await, "/alibaba");
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn inventory_lists_lighthouse_snapshots_and_filters_them() {
    let h = Harness::start().await;
    h.open("tencent/snapshots").await;
    // Rows come from the embedded emulator through /api/v1/call.
    let table = h
        .wait_css(".inventory[data-view=snapshots] tbody tr[data-id]")
        .await;
    let first_id = table.attr("data-id").await.unwrap().unwrap_or_default();
    assert!(first_id.starts_with("lhsnap-"), "first row: {first_id:?}");
    let rows = h.count_css(".inventory tbody tr[data-id]").await;
    assert!(rows >= 2, "expected several snapshots, got {rows}");
    // The profile and region are in the URL, so the view is deep-linkable.
    let url = h.client.current_url().await.unwrap();
    assert!(url.as_str().ends_with("/tencent/snapshots"), "{url}");

    // Typing an ID narrows the table to that row.
    let filter = h.wait_css("[data-testid=filter]").await;
    filter.send_keys(&first_id).await.unwrap();
    h.wait_until("the filter to leave one row", || async {
        h.count_css(".inventory tbody tr[data-id]").await == 1
    })
    .await;

    // Another view of another cloud: ECS disks, nested rows and NextToken paging.
    h.open("alibaba/disks").await;
    let disk = h
        .wait_css(".inventory[data-view=disks] tbody tr[data-id]")
        .await;
    assert!(
        disk.attr("data-id")
            .await
            .unwrap()
            .unwrap_or_default()
            .starts_with("d-")
    );
    h.screenshot("alibaba-disks").await;
    // Leaving tables while they load (tab after tab, no waiting) cancels their requests
    // and leaves no error behind (checked on the browser console below).
    for tab in ["Instances", "Snapshots", "Disks", "Snapshots"] {
        h.client
            .find(Locator::LinkText(tab))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    h.wait_css(".inventory[data-view=snapshots] tbody tr[data-id]")
        .await;
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn ten_thousand_snapshots_stay_windowed_and_filterable() {
    let h = Harness::start_with(&["--world", "scale"]).await;
    h.open("alibaba/snapshots").await;
    // Every page arrives (NextToken paging); the count says so.
    h.load_all_rows(10_000).await;
    // Only the rows in view (plus a margin) are in the DOM.
    let rendered = h.count_css(".inventory tbody tr[data-id]").await;
    assert!(
        (10..200).contains(&rendered),
        "{rendered} rows rendered for 10,000"
    );
    // Scrolling to the end renders the last rows.
    let first_id = h
        .client
        .find(Locator::Css(".inventory tbody tr[data-id]"))
        .await
        .unwrap()
        .attr("data-id")
        .await
        .unwrap();
    h.js("const w = document.querySelector('.table-wrap.virtual'); w.scrollTop = w.scrollHeight;")
        .await;
    h.wait_until("the window to move", || async {
        let now = match h
            .client
            .find(Locator::Css(".inventory tbody tr[data-id]"))
            .await
        {
            Ok(el) => el.attr("data-id").await.unwrap_or_default(),
            Err(_) => None,
        };
        now != first_id
    })
    .await;
    assert!(h.count_css(".inventory tbody tr[data-id]").await < 200);
    // The filter works over all rows, not only the rendered ones.
    let filter = h.wait_css("[data-testid=filter]").await;
    filter.send_keys("app-099-1").await.unwrap();
    h.wait_until("the filter to narrow the table", || async {
        let n = h.count_css(".inventory tbody tr[data-id]").await;
        (1..30).contains(&n)
    })
    .await;
    h.screenshot("alibaba-10k-filtered").await;
    // Rows are recycled by position: every row in view shows its own snapshot (ID cell,
    // copy button and data-id agree, and it matches the filter).
    h.wait_until("the rows in view to match the filter", || async {
        let rows: serde_json::Value = h
            .js(
                "return [...document.querySelectorAll('.inventory tbody tr[data-id]')].map(r => \
                 [r.dataset.id, r.querySelector('td.id code').textContent, \
                  r.querySelector('button.copy').getAttribute('aria-label'), r.textContent]);",
            )
            .await;
        let rows = rows.as_array().cloned().unwrap_or_default();
        !rows.is_empty()
            && rows.iter().all(|r| {
                let id = r[0].as_str().unwrap_or("?");
                r[1] == r[0]
                    && r[2].as_str().is_some_and(|l| l.ends_with(id))
                    && r[3].as_str().is_some_and(|t| t.contains("app-099-1"))
            })
    })
    .await;
    // The action of a recycled row opens the form for the snapshot now in it.
    let row = h.wait_css(".inventory tbody tr[data-id]").await;
    let snapshot = row.attr("data-id").await.unwrap().unwrap_or_default();
    h.click(&format!(
        "tr[data-id='{snapshot}'] [data-testid=action-reset-disk]"
    ))
    .await;
    assert_eq!(h.value("[data-testid=SnapshotId]").await, snapshot);
    h.assert_no_console_errors().await;
    h.stop().await;
}
