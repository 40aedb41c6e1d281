//! The console split per page (`src/pages.rs`, `xtask/src/split.rs`), in Chromium: the
//! first view fetches no page's code, each page fetches its own chunk when it opens, and
//! no chunk fails to load.

use crate::support::Harness;

/// Every page of `src/pages.rs`: a path that opens it, what is on screen once its code
/// has run, and its chunk's file name.
const SPLIT_PAGES: &[(&str, &str, &str)] = &[
    (
        "/operations",
        "section.operations h1",
        "split_operations.wasm",
    ),
    (
        "/settings",
        "[data-testid=settings] h1",
        "split_settings.wasm",
    ),
    ("/signin", "[data-testid=signin] h1", "split_sign_in.wasm"),
    (
        "/tencent/rollback",
        "section.restore[data-form=rollback] form",
        "split_restore.wasm",
    ),
    (
        "/tencent/create-snapshot",
        "section.restore[data-form=create-snapshot] form",
        "split_restore.wasm",
    ),
    (
        "/alibaba/reset-disk",
        "section.restore[data-form=reset-disk] form",
        "split_restore.wasm",
    ),
    (
        "/alibaba/create-snapshot",
        "section.restore[data-form=create-snapshot] form",
        "split_restore.wasm",
    ),
    (
        "/huawei/restore",
        "section.restore[data-form=restore] form",
        "split_restore.wasm",
    ),
    (
        "/tencent/batch",
        "[data-testid=batch] h2",
        "split_batch.wasm",
    ),
    (
        "/alibaba/batch",
        "[data-testid=batch] h2",
        "split_batch.wasm",
    ),
];

/// The paths of the wasm modules this document has fetched so far.
const WASM_FETCHED: &str = "return performance.getEntriesByType('resource')
    .map(e => new URL(e.name).pathname).filter(p => p.endsWith('.wasm'));";

async fn wasm_fetched(h: &Harness) -> Vec<String> {
    h.js(WASM_FETCHED)
        .await
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn fetched(modules: &[String], chunk: &str) -> bool {
    modules.iter().any(|m| m.rsplit('/').next() == Some(chunk))
}

#[tokio::test]
async fn the_first_view_fetches_no_pages_code_and_a_link_fetches_the_pages_chunk() {
    let h = Harness::start().await;
    h.open("/").await;
    h.wait_css("nav.clouds a").await;
    h.click("nav.clouds a[href='/tencent']").await;
    h.wait_css(".inventory tbody tr[data-id]").await;
    let first = wasm_fetched(&h).await;
    assert!(
        first.iter().any(|m| m.ends_with("/rewind-console_bg.wasm")),
        "the main module was not fetched: {first:?}"
    );
    assert!(
        !first.iter().any(|m| m.contains("/split_")),
        "the first view fetched a page's chunk: {first:?}"
    );

    // The form's tab, in the same document: its chunk is fetched now, once.
    h.click(".tabs a[href^='/tencent/rollback']").await;
    h.wait_css("section.restore[data-form=rollback] form").await;
    let after = wasm_fetched(&h).await;
    assert!(fetched(&after, "split_restore.wasm"), "{after:?}");
    assert!(!fetched(&after, "split_batch.wasm"), "{after:?}");
    // Back to a list and to the form again: nothing fetched twice.
    h.click(".tabs a[href^='/tencent/instances']").await;
    h.wait_css(".inventory tbody tr[data-id]").await;
    h.click(".tabs a[href^='/tencent/rollback']").await;
    h.wait_css("section.restore[data-form=rollback] form").await;
    let again = wasm_fetched(&h).await;
    assert_eq!(again.len(), after.len(), "{after:?} then {again:?}");
    h.assert_no_console_errors().await;
    h.stop().await;
}

#[tokio::test]
async fn every_page_opened_directly_loads_its_chunk_with_no_browser_error() {
    let h = Harness::start().await;
    for (path, shown, chunk) in SPLIT_PAGES {
        h.open(path).await;
        h.wait_css(shown).await;
        let modules = wasm_fetched(&h).await;
        assert!(
            fetched(&modules, chunk),
            "{path}: no {chunk} among the modules fetched: {modules:?}"
        );
        let severe: Vec<_> = h
            .browser_log()
            .await
            .into_iter()
            .filter(|e| e["level"] == "SEVERE")
            .collect();
        assert!(severe.is_empty(), "{path}: browser errors: {severe:#?}");
    }
    h.stop().await;
}

#[tokio::test]
async fn a_chunk_that_cannot_be_fetched_is_explained_and_tried_again_and_the_rest_works() {
    // The batch page's chunk is missing from the host, as after a redeploy that removed
    // this tab's build: the server answers its URL with index.html.
    let dist = crate::support::copy_dist("missing-chunk");
    let pkg = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("pkg-"))
        .expect("a pkg-<hash>/ folder in dist");
    let aside = dist.join("aside");
    std::fs::create_dir_all(&aside).unwrap();
    let mut moved = Vec::new();
    for entry in std::fs::read_dir(&pkg).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("split_batch") {
            std::fs::rename(&path, aside.join(&name)).unwrap();
            moved.push(name);
        }
    }
    assert!(
        !moved.is_empty(),
        "no split_batch chunk in {}",
        pkg.display()
    );
    let h = Harness::start_with_dist(&dist).await;

    h.open("/tencent/batch").await;
    let panel = h.wait_css("[data-testid=page-not-loaded]").await;
    let text = panel.text().await.unwrap();
    assert!(text.contains("could not be loaded"), "{text}");
    assert_eq!(h.count_css("[data-testid=batch]").await, 0);
    // The tab still works: the header's links and another page.
    h.click(".tabs a[href^='/tencent/instances']").await;
    h.wait_css(".inventory tbody tr[data-id]").await;

    // The chunk is back (the network came back): "Try again" loads it, in this document.
    h.client.back().await.unwrap();
    h.wait_css("[data-testid=page-try-again]").await;
    for name in &moved {
        std::fs::rename(aside.join(name), pkg.join(name)).unwrap();
    }
    h.click("[data-testid=page-try-again]").await;
    h.wait_css("[data-testid=batch] h2").await;
    assert_eq!(h.count_css("[data-testid=page-not-loaded]").await, 0);
    h.stop().await;
    let _ = std::fs::remove_dir_all(&dist);
}
