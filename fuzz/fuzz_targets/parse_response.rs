//! `parse_response` and `parse_response_raw` on the three providers' answer shapes, and
//! `parse_typed` into each typed response.
//!
//! Input: byte 0 picks the provider (mod 3) and, with bit 2, an `X-Request-Id` header;
//! bytes 1–2 are the HTTP status (big-endian); the rest is the body.
//!
//! Invariants: nothing panics; a non-2xx answer is never a success; an error carries the
//! provider and status it was read with, and a `Rewind.*` code only from the catalog;
//! the raw path agrees with the full one (same success payload and request id, or the
//! same error), except the two documented cases the raw path passes on as sent (a number
//! too large for `f64`, a lone surrogate escape), and floats, compared within a few ulps
//! (see `same`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind_cloud::catalog::{HTTP_STATUS, NOT_JSON, UNEXPECTED_BODY};
use rewind_cloud::error::{parse_response, parse_response_raw, parse_typed};
use rewind_cloud::{Provider, alibaba, huawei, tencent};
use serde_json::Value;

const PROVIDERS: [Provider; 3] = [Provider::Tencent, Provider::Alibaba, Provider::Huawei];

fuzz_target!(|data: &[u8]| {
    let [sel, hi, lo, body @ ..] = data else {
        return;
    };
    let provider = PROVIDERS[usize::from(*sel) % 3];
    let status = u16::from_be_bytes([*hi, *lo]);
    let header_rid = (sel & 4 != 0).then_some("hdr-request-id");

    let full = parse_response(provider, status, header_rid, body);
    let raw = parse_response_raw(provider, status, header_rid, body);
    if !(200..300).contains(&status) {
        assert!(full.is_err(), "HTTP {status} read as a success");
        assert!(raw.is_err(), "HTTP {status} read as a success (raw)");
    }
    if let Err(e) = &full {
        assert_eq!(e.provider, provider);
        assert_eq!(e.http_status, status);
        if e.is_synthetic() {
            assert!(
                [NOT_JSON, UNEXPECTED_BODY, HTTP_STATUS].contains(&e.code.as_str()),
                "{}",
                e.code
            );
        }
        let _ = (
            e.explain(),
            e.retryable(),
            e.is_dry_run_pass(),
            e.to_string(),
        );
    }
    match (&full, &raw) {
        (Ok(v), Ok(r)) => {
            let back: Value = serde_json::from_str(&r.data).expect("raw payload is JSON");
            assert!(same(&back, v), "raw and full payloads differ: {back} / {v}");
            let key = match provider {
                Provider::Huawei => "request_id",
                _ => "RequestId",
            };
            assert_eq!(
                r.request_id.as_deref(),
                v.get(key).and_then(Value::as_str),
                "request ids differ"
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "raw and full errors differ"),
        (Err(e), Ok(_)) => {
            // Only a number out of f64 range or a lone surrogate escape: JSON to the raw
            // reader (and to serde's skipping), not to `Value`.
            assert_eq!(e.code, NOT_JSON, "raw passed what full refused: {e:?}");
            assert!(
                serde_json::from_slice::<serde::de::IgnoredAny>(body.trim_ascii()).is_ok(),
                "raw passed a body that is not JSON: {e:?}"
            );
        }
        (Ok(v), Err(e)) => panic!("full read a success ({v}) that raw refused: {e:?}"),
    }

    macro_rules! typed {
        ($($t:ty),*) => {{$(
            if let Err(e) = parse_typed::<$t>(provider, status, header_rid, body) {
                assert_eq!(e.provider, provider);
                assert_eq!(e.http_status, status);
            }
        )*}};
    }
    match provider {
        Provider::Tencent => typed!(
            tencent::DescribeInstancesResponse,
            tencent::DescribeSnapshotsResponse,
            tencent::RequestIdResponse,
            tencent::CreateInstanceSnapshotResponse
        ),
        Provider::Alibaba => typed!(
            alibaba::DescribeInstancesResponse,
            alibaba::DescribeDisksResponse,
            alibaba::DescribeSnapshotsResponse,
            alibaba::RequestIdResponse,
            alibaba::CreateSnapshotResponse
        ),
        Provider::Huawei => typed!(
            huawei::ListDesktopSnapshotResponse,
            huawei::BatchRestoreDesktopSnapshotResponse,
            huawei::ShowJobResponse
        ),
    }
});

/// JSON equality, with floats equal within a few ulps: serde_json's default float parsing
/// is best-effort, so a re-encoded float (the raw path's slow path) can read back one ulp
/// away from the value it was printed from.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs()),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, x), (ky, y))| kx == ky && same(x, y))
        }
        _ => a == b,
    }
}
