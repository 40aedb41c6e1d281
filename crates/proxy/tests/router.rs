//! Router tests without a socket, in the style of axum's examples.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rewind_proxy::{AppConfig, Mode, app};
use tower::ServiceExt;

fn demo(dist: Option<std::path::PathBuf>) -> axum::Router {
    app(AppConfig {
        mode: Mode::Portal,
        demo: true,
        dist,
        ..AppConfig::default()
    })
}

async fn get(router: axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = router
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn session_and_config_describe_the_demo() {
    let (status, _, body) = get(demo(None), "/api/v1/session").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["mode"], "portal");
    assert_eq!(v["demo"], true);
    let (_, _, body) = get(demo(None), "/config.json").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["mode"], "portal");
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s_not_the_spa() {
    let dir = tempdir_with_index();
    let (status, _, body) = get(demo(Some(dir.clone())), "/api/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("\"ok\":false"), "{body}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn deep_links_fall_back_to_index_without_caching() {
    let dir = tempdir_with_index();
    let (status, headers, body) = get(demo(Some(dir.clone())), "/tencent/snapshots").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<title>Rewind</title>"), "{body}");
    assert_eq!(headers["cache-control"], "no-cache");
    let (status, headers, _) = get(demo(Some(dir.clone())), "/app-0123456789abcdef.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/javascript");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_builds_missing_file_is_a_404_not_the_app_and_is_not_cached() {
    let dir = tempdir_with_index();
    let pkg = dir.join("pkg-0123456789abcdef");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("split_batch.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let (status, headers, _) = get(
        demo(Some(dir.clone())),
        "/pkg-0123456789abcdef/split_batch.wasm",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/wasm");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // An earlier build's chunk, or a hashed name that is not here: 404, cached by no one.
    for gone in [
        "/pkg-fedcba9876543210/split_batch.wasm",
        "/pkg-0123456789abcdef/split_restore.wasm",
        "/app-fedcba9876543210.js",
    ] {
        let (status, headers, body) = get(demo(Some(dir.clone())), gone).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{gone}");
        assert!(!body.contains("<title>Rewind</title>"), "{gone}: {body}");
        assert_eq!(headers["cache-control"], "no-cache", "{gone}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn tempdir_with_index() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rewind-router-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html><title>Rewind</title></html>").unwrap();
    std::fs::write(dir.join("app-0123456789abcdef.js"), "export {}").unwrap();
    dir
}
