//! Injected faults answer in each provider's error shape.

use super::*;

pub(super) async fn faults(seen: &mut Codes) {
    let e = env_with(World::Demo, |cfg| cfg.faults_enabled = true);
    let add = |j: Value| e.emu.add_fault(serde_json::from_value(j).unwrap()).unwrap();
    add(
        json!({"provider": "tencent", "action": "DescribeInstances", "count": 1, "kind": "throttle"}),
    );
    let r = e.tc("DescribeInstances", GZ, json!({})).await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (200, Some("RequestLimitExceeded"))
    );
    assert!(
        e.tc("DescribeInstances", GZ, json!({}))
            .await
            .code()
            .is_none(),
        "count 1 retires"
    );
    add(json!({"provider": "alibaba", "count": 1, "kind": "internal"}));
    let r = e
        .ecs("DescribeInstances", &[("RegionId", names::ECS_REGION)])
        .await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (500, Some("InternalError"))
    );
    seen.insert("InternalError".into());
    add(json!({"provider": "alibaba", "count": 1, "kind": "throttle"}));
    let r = e
        .ecs("DescribeInstances", &[("RegionId", names::ECS_REGION)])
        .await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("Throttling.User"))
    );
    seen.insert("Throttling.User".into());
    add(json!({"provider": "huawei", "count": 1, "kind": "throttle"}));
    let r = e.ws("GET", &ws_path("snapshots"), &[], None).await;
    assert_eq!((r.status, r.code().as_deref()), (429, Some("APIGW.0308")));
    seen.insert("APIGW.0308".into());
    add(json!({"provider": "huawei", "count": 1, "kind": "internal"}));
    let r = e.ws("GET", &ws_path("snapshots"), &[], None).await;
    assert_eq!((r.status, r.code().as_deref()), (500, Some("WKS.0500")));
    seen.insert("WKS.0500".into());
    add(
        json!({"provider": "alibaba", "count": 1, "kind": "error", "code": "ServiceUnavailable", "status": 503}),
    );
    let r = e
        .ecs("DescribeInstances", &[("RegionId", names::ECS_REGION)])
        .await;
    assert_eq!(
        (r.status, r.code().as_deref()),
        (503, Some("ServiceUnavailable"))
    );
    seen.insert("ServiceUnavailable".into());
    add(json!({"provider": "tencent", "count": 1, "kind": "internal"}));
    let r = e.tc("DescribeInstances", GZ, json!({})).await;
    assert_eq!(r.code().as_deref(), Some("InternalError"));
}
