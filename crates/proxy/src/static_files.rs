//! Serves the built console: precompressed files where present, long caching for
//! Trunk's content-hashed assets, no caching for `index.html`, and SPA fallback so a
//! deep link such as `/tencent/snapshots` loads the app.

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
    let dir = ServeDir::new(&dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(index));
    tower::service_fn(move |req: Request<axum::body::Body>| {
        let dir = dir.clone();
        async move {
            let path = req.uri().path().to_string();
            let res = dir.oneshot(req).await.map_err(|e| match e {})?;
            let mut res = res.map(axum::body::Body::new);
            let cache = if is_hashed_asset(&path) {
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

/// Trunk names built assets `name-<16 hex>.ext`; such a file never changes content.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
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
    }
}
