//! Serves the built console: precompressed files where present, long caching for the
//! build's content-hashed assets (a missing one is a 404), no caching for `index.html`,
//! and SPA fallback so a deep link such as `/tencent/snapshots` loads the app.

use axum::http::{HeaderValue, Request, header};
use axum::response::Response;
use std::path::PathBuf;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// A service for the whole `dist/` folder.
pub fn service(
    dist: PathBuf,
) -> impl tower::Service<
    Request<axum::body::Body>,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    let index = dist.join("index.html");
    let files = ServeDir::new(&dist).precompressed_br().precompressed_gzip();
    let pages = files.clone().fallback(ServeFile::new(index));
    tower::service_fn(move |req: Request<axum::body::Body>| {
        let (files, pages) = (files.clone(), pages.clone());
        async move {
            let path = req.uri().path().to_string();
            // A build's file that is not here (a tab of an earlier build asking for a
            // chunk after a redeploy) is a 404, never the app's page: a module loader
            // must see the failure, and nothing wrong may be cached for a year.
            let hashed = is_hashed_asset(&path);
            let res = if hashed {
                files.oneshot(req).await
            } else {
                pages.oneshot(req).await
            };
            let mut res = res.map_err(|e| match e {})?.map(axum::body::Body::new);
            let cache = if hashed && res.status().is_success() {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            Ok(res)
        }
    })
}

/// The build names assets `name-<16 hex>.ext` (Trunk did too), and puts the console's
/// modules, which name each other, in `pkg-<16 hex>/`: the hash is of the content, so
/// such a file never changes.
fn is_hashed_asset(path: &str) -> bool {
    let hashed = |name: &str| {
        name.rsplit_once('-')
            .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    if first.starts_with("pkg-") && hashed(first) {
        return segments.next().is_some_and(|file| !file.is_empty());
    }
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    hashed(stem.strip_suffix("_bg").unwrap_or(stem))
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn only_content_hashed_files_are_cached_forever() {
        assert!(is_hashed_asset("/rewind-console-8a3f9b2c1d4e5f60_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/tencent/snapshots"));
        assert!(!is_hashed_asset("/style-0123.css"));
        assert!(is_hashed_asset("/pkg-0123456789abcdef/__wasm_split.js"));
        assert!(is_hashed_asset(
            "/pkg-0123456789abcdef/split_batch_615183561472381352.wasm"
        ));
        assert!(!is_hashed_asset("/pkg-0123456789abcdef/"));
        assert!(!is_hashed_asset("/pkg-0123/chunk_1.wasm"));
    }
}
