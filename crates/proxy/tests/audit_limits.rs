//! `GET /api/v1/audit` is rate-limited per user (security review, finding 4), and the
//! refusals are counted in `/metrics`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rewind_proxy::limits::AUDIT_QUERIES_PER_MINUTE;
use rewind_proxy::{app, demo};
use tower::ServiceExt;

#[tokio::test]
async fn audit_queries_past_the_per_user_budget_are_refused_and_counted() {
    let router = app(demo::app_config("127.0.0.1:9".parse().unwrap(), None).unwrap());
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    for i in 0..AUDIT_QUERIES_PER_MINUTE {
        let res = router.clone().oneshot(get("/api/v1/audit")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "query {i}");
    }
    let res = router.clone().oneshot(get("/api/v1/audit")).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = router.oneshot(get("/metrics")).await.unwrap();
    let text =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(
        text.contains("rewind_audit_queries_refused_total{reason=\"rate_limited\"} 1"),
        "{text}"
    );
}
