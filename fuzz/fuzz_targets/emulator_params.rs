//! The emulator's reading of requests: `params::{unflatten, pairs_to_object, Params}`,
//! `Action::lookup_rest`, `ecs::region_of_host`, and the whole router (`app`) with the
//! request signed by the demo keys, so the parsing behind the signature check (Tencent
//! JSON, GET and form bodies; ECS query and form; Workspace paths, queries and bodies)
//! is reached.
//!
//! Input: byte 0 picks the signature (TC3, ACS3, ACS v1, SDK-HMAC, or none) and the
//! world's clock offset; the rest is a request in the text form of `rewind_fuzz`.
//!
//! Invariants: nothing panics; `unflatten` keeps the last value of a plain key and
//! `pairs_to_object` the first; a REST match rebuilds the path it matched; the
//! emulator's answer is one our own client reads (`parse_response`) without a
//! `Rewind.*` code, never an HTTP 5xx (no faults are set), and carries a request id.

#![no_main]

use axum::body::Body;
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use rewind_cloud::catalog::{HTTP_STATUS, NOT_JSON, UNEXPECTED_BODY};
use rewind_cloud::error::parse_response;
use rewind_cloud::http::HttpRequest;
use rewind_cloud::sign::{Algorithm, Credentials, SigningParams, sign};
use rewind_cloud::{Action, HttpShape, Provider};
use rewind_emulator::config::demo;
use rewind_emulator::ecs::region_of_host;
use rewind_emulator::params::{ECS, Params, TENCENT, pairs_to_object, unflatten};
use rewind_emulator::{Emulator, EmulatorConfig, ManualClock, World};
use serde_json::Value;
use std::sync::{Arc, LazyLock};
use tower::ServiceExt;

/// 2026-01-01T00:00:00Z, as in the emulator's tests.
const T0_MS: u64 = 1_767_225_600_000;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime")
});

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let req = rewind_fuzz::request_from_text(rest);
    pure_parsers(&req);

    if !rewind_fuzz::wire_safe(&req) {
        return;
    }
    let clock = ManualClock::new(T0_MS);
    let mut cfg = EmulatorConfig::new(World::Demo);
    cfg.clock = Arc::new(clock.clone());
    let emu = Emulator::new(cfg);
    // Later in the world's life (operations settle, snapshots age).
    clock.advance(std::time::Duration::from_secs(u64::from(sel >> 3) * 600));
    let now = (T0_MS / 1000) as i64 + i64::from(sel >> 3) * 600;

    let mut signed = req.clone();
    let key = match sel % 5 {
        0 => Some((
            Algorithm::Tc3,
            demo::TENCENT_SECRET_ID,
            demo::TENCENT_SECRET_KEY,
        )),
        1 => Some((
            Algorithm::Acs3,
            demo::ALIBABA_ACCESS_KEY_ID,
            demo::ALIBABA_ACCESS_KEY_SECRET,
        )),
        2 => Some((
            Algorithm::AcsV1,
            demo::ALIBABA_ACCESS_KEY_ID,
            demo::ALIBABA_ACCESS_KEY_SECRET,
        )),
        3 => Some((Algorithm::SdkHmac, demo::HUAWEI_AK, demo::HUAWEI_SK)),
        _ => None,
    };
    if let Some((alg, id, secret)) = key {
        let creds = Credentials::new(id, secret);
        let params = SigningParams::new(&creds, now).with_nonce("fuzz-nonce-1");
        if sign(alg, &mut signed, &params).is_err() {
            return;
        }
    }
    let tencent_get = signed.header("X-TC-Action").is_some();
    let Some(wire) = rewind_fuzz::to_wire(&signed, tencent_get) else {
        return;
    };
    let (parts, body) = wire.into_parts();
    let http = axum::http::Request::from_parts(parts, Body::from(body));
    let (status, headers, bytes) = RUNTIME.block_on(async move {
        let resp = rewind_emulator::app(emu)
            .oneshot(http)
            .await
            .unwrap_or_else(|e| match e {});
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.map(|b| b.to_bytes());
        (
            status,
            headers,
            bytes.expect("an emulator answer has a body"),
        )
    });
    assert!(
        status < 500,
        "HTTP {status}: {}",
        String::from_utf8_lossy(&bytes)
    );

    // Which surface answered, from the request as the emulator classifies it.
    let received =
        rewind_fuzz::from_wire(&rewind_fuzz::to_wire(&signed, tencent_get).expect("built once"));
    let provider = if received.path.starts_with("/__emulator/") {
        return;
    } else if received.header("X-TC-Action").is_some() {
        Provider::Tencent
    } else if received.path.starts_with("/v2/") {
        Provider::Huawei
    } else if received.header("x-acs-action").is_some() || received.query_param("Action").is_some()
    {
        Provider::Alibaba
    } else {
        assert_eq!(status, 404);
        return;
    };
    let rid = headers.get("x-request-id").and_then(|v| v.to_str().ok());
    match parse_response(provider, status, rid, &bytes) {
        Ok(v) => {
            let key = if provider == Provider::Huawei {
                "request_id"
            } else {
                "RequestId"
            };
            assert!(
                provider == Provider::Huawei || v.get(key).is_some_and(Value::is_string),
                "success without a request id: {v}"
            );
        }
        Err(e) => {
            assert!(
                ![NOT_JSON, UNEXPECTED_BODY, HTTP_STATUS].contains(&e.code.as_str()),
                "our client cannot read the emulator's {provider} answer: {e:?}"
            );
            assert!(e.request_id.is_some(), "error without a request id: {e:?}");
        }
    }
});

fn pure_parsers(req: &HttpRequest) {
    let tree = unflatten(&req.query);
    let Value::Object(obj) = &tree else {
        panic!("unflatten gives an object");
    };
    for (k, v) in req.query.iter().rev() {
        if !k.contains('.') {
            assert_eq!(obj.get(k).and_then(Value::as_str), Some(v.as_str()), "{k}");
            break;
        }
    }
    let flat = pairs_to_object(&req.query);
    if let Some((k, v)) = req.query.first() {
        assert_eq!(flat.get(k).and_then(Value::as_str), Some(v.as_str()));
    }
    for (v, codes) in [(&tree, TENCENT), (&flat, ECS)] {
        let p = Params::new(v, codes);
        for name in [
            "InstanceIds",
            "Filters",
            "Limit",
            "Offset",
            "DryRun",
            "RegionId",
        ] {
            let _ = (
                p.opt_str(name),
                p.opt_u64(name),
                p.opt_bool(name),
                p.opt_str_list(name),
            );
        }
        let _ = (p.filters(), p.ecs_tags(20));
    }
    let _ = region_of_host(&req.host);

    if let Some((action, vars)) = Action::lookup_rest(&req.method, &req.path) {
        let HttpShape::Rest { method, path } = action.spec().shape else {
            panic!("{action} matched a REST path");
        };
        assert!(method.eq_ignore_ascii_case(&req.method));
        let rebuilt: Vec<&str> = path
            .split('/')
            .map(|seg| {
                seg.strip_prefix('{')
                    .and_then(|s| s.strip_suffix('}'))
                    .and_then(|name| vars.iter().find(|(n, _)| *n == name))
                    .map_or(seg, |(_, v)| v.as_str())
            })
            .collect();
        let rebuilt = rebuilt.join("/");
        assert_eq!(rebuilt, req.path.strip_suffix('/').unwrap_or(&req.path));
    }
}
