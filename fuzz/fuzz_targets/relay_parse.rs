//! `rewind_cloud::relay::read`: a request the browser signed, read as the cloud reads it.
//!
//! Input, byte 0 bit 7 clear: a raw request (bits 0–1 the provider, bit 2 a region
//! hint) in the text form of `rewind_fuzz`. Invariants: nothing panics; an accepted
//! request names an action of that provider, the same action the emulator (our model of
//! the cloud) would run, with parameters that are a fixed point of `validate_params`, a
//! region that is a region ID, and (Tencent) exactly the JSON body the cloud reads.
//!
//! Byte 0 bit 7 set: byte 1 picks an action, bit 0 of byte 0 the ECS v1 wire form, and
//! the rest is JSON parameters. Parameters that validate are built with `build_with` and
//! signed as the console does; the relay must then accept the request and read back the
//! same action and parameters ("what Rewind sends, the relay takes").

#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind_cloud::build::{Target, Variant, build_with, default_endpoint};
use rewind_cloud::http::HttpRequest;
use rewind_cloud::relay::{Relayed, read};
use rewind_cloud::sign::{Credentials, SigningParams, sign};
use rewind_cloud::validate::{ValidateOptions, is_region_id, validate_params};
use rewind_cloud::{Action, Provider};
use serde_json::Value;

const PROVIDERS: [Provider; 3] = [Provider::Tencent, Provider::Alibaba, Provider::Huawei];
/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    if sel & 0x80 == 0 {
        raw(sel, rest);
    } else {
        built(sel, rest);
    }
});

fn raw(sel: u8, text: &[u8]) {
    let provider = PROVIDERS[usize::from(sel & 3) % 3];
    let hint = (sel & 4 != 0).then_some("cn-hangzhou");
    let req = rewind_fuzz::request_from_text(text);
    let Ok(r) = read(provider, &req, hint) else {
        return;
    };
    check_accepted(provider, &req, &r);
    // What the emulator would run for this request.
    let cloud_action = match provider {
        Provider::Tencent => req
            .header("X-TC-Action")
            .and_then(|n| Action::lookup(provider, n)),
        Provider::Alibaba => req
            .header("x-acs-action")
            .or_else(|| req.query_param("Action"))
            .and_then(|n| Action::lookup(provider, n)),
        Provider::Huawei => Action::lookup_rest(&req.method, &req.path).map(|(a, _)| a),
    };
    assert_eq!(
        cloud_action,
        Some(r.action),
        "the cloud would run another action"
    );
    if provider == Provider::Tencent {
        let body: Value = serde_json::from_slice(&req.body).expect("an accepted body is JSON");
        assert_eq!(
            body, r.params,
            "Tencent reads other parameters than the relay checked"
        );
    }
}

fn check_accepted(provider: Provider, req: &HttpRequest, r: &Relayed) {
    assert_eq!(r.action.provider(), provider);
    let again = validate_params(r.action, &r.params, &ValidateOptions::default())
        .unwrap_or_else(|e| panic!("{}: accepted parameters do not validate: {e:?}", r.action));
    assert_eq!(
        again.params, r.params,
        "{}: parameters are not normalized",
        r.action
    );
    if let Some(region) = &r.region {
        assert!(is_region_id(region), "{region:?} from {req:?}");
    }
}

fn built(sel: u8, rest: &[u8]) {
    let [a, json @ ..] = rest else {
        return;
    };
    let action = Action::ALL[usize::from(*a) % Action::ALL.len()];
    let provider = action.provider();
    let Ok(params) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    let Ok(valid) = validate_params(action, &params, &ValidateOptions::default()) else {
        return;
    };
    let variant = if provider == Provider::Alibaba && sel & 1 != 0 {
        Variant::AlibabaV1
    } else {
        Variant::Default
    };
    let str_param = |name: &str| {
        valid
            .params
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let region = match provider {
        Provider::Tencent => "ap-guangzhou".to_string(),
        Provider::Alibaba => str_param("RegionId").unwrap_or_else(|| "cn-hangzhou".into()),
        Provider::Huawei => "cn-north-4".to_string(),
    };
    let target_region = Some(Value::String(region.clone()));
    let target = Target {
        endpoint: Some(default_endpoint(provider, &region)),
        region,
        scheme: None,
        project_id: Some(
            str_param("project_id").unwrap_or_else(|| "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into()),
        ),
    };
    let mut req = match build_with(action, &valid.params, &target, variant) {
        Ok(req) => req,
        Err(e) => panic!(
            "{action}: valid parameters do not build: {e}\n{}",
            valid.params
        ),
    };
    let creds = Credentials::new("AKIDFUZZ", "fuzz-secret").with_token("fuzz-sts-token");
    let signing = SigningParams::new(&creds, NOW).with_nonce("fuzz-nonce");
    sign(variant.algorithm(action), &mut req, &signing).expect("a built request signs");
    let r = read(provider, &req, None).unwrap_or_else(|e| {
        panic!("{action} {variant:?}: the relay refuses what Rewind sends: {e}\nparams: {}\nrequest: {req:?}", valid.params)
    });
    assert_eq!(r.action, action);
    assert_eq!(r.variant, variant);
    // The builder fills an ECS Describe action's RegionId from the region when left out.
    let mut expected = valid.params.clone();
    if provider == Provider::Alibaba
        && let (Value::Object(m), Some(filled)) = (&mut expected, r.params.get("RegionId"))
        && !m.contains_key("RegionId")
        && Some(filled) == target_region.as_ref()
    {
        m.insert("RegionId".into(), filled.clone());
    }
    assert_eq!(
        r.params, expected,
        "{action}: the relay reads other parameters"
    );
    check_accepted(provider, &req, &r);
}
