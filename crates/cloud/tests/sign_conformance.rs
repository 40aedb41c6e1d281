//! Conformance against the official SDKs: every fixture under `tests/fixtures/sign/`
//! (and, when `REWIND_SIGN_FIXTURES` names a directory, every fixture there too) is a
//! call captured from a real SDK by `conformance/gen_sign_fixtures.py`.
//!
//! For each one we build and sign the same call from its `input` and require byte
//! equality with the SDK's canonical request, string to sign and signature, the same
//! request on the wire (method, path, query, body, every header we send), and that our
//! verifier accepts the request exactly as the SDK sent it.

mod sign_common;

use rewind_cloud::sign::{self, Algorithm};
use rewind_cloud::signcli;
use sign_common::{Fixture, diff, load_dir, sent_request};
use std::path::PathBuf;

fn checked_in_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sign")
}

/// Checks one fixture; returns every mismatch found.
fn check(f: &Fixture) -> Vec<String> {
    let mut problems = Vec::new();
    let ours = match signcli::sign_item(0, &f.input) {
        Ok(o) => o,
        Err(e) => return vec![format!("our signer refused the input: {e}")],
    };
    if ours.algorithm.id() != f.algorithm {
        problems.push(format!(
            "algorithm: ours {} vs fixture {}",
            ours.algorithm, f.algorithm
        ));
    }

    // 1. Every signing stage, byte for byte.
    let stages = [
        (
            "canonical request",
            &ours.signed.canonical_request,
            &f.sdk_canonical_request,
        ),
        (
            "string to sign",
            &ours.signed.string_to_sign,
            &f.sdk_string_to_sign,
        ),
        ("signature", &ours.signed.signature, &f.sdk_signature),
    ];
    for (stage, ours, sdk) in stages {
        match sdk {
            Some(sdk) if sdk != ours => problems.push(format!(
                "{stage} differs (- sdk, + ours):\n{}",
                diff(sdk, ours)
            )),
            Some(_) => {}
            None => problems.push(format!("fixture has no SDK {stage}")),
        }
    }

    // 2. The same request on the wire.
    let sent = sent_request(f);
    let r = &ours.request;
    if r.method != sent.method {
        problems.push(format!("method: ours {} vs sdk {}", r.method, sent.method));
    }
    let our_path = if r.path.is_empty() {
        "/"
    } else {
        r.path.as_str()
    };
    if our_path != sent.path {
        problems.push(format!("path: ours {our_path:?} vs sdk {:?}", sent.path));
    }
    if r.body != sent.body {
        problems.push(format!(
            "body differs (- sdk, + ours):\n{}",
            diff(
                &String::from_utf8_lossy(&sent.body),
                &String::from_utf8_lossy(&r.body)
            )
        ));
    }
    let mut q_ours = r.query.clone();
    let mut q_sdk = sent.query.clone();
    q_ours.sort();
    q_sdk.sort();
    if q_ours != q_sdk {
        problems.push(format!(
            "query differs:\n  sdk:  {q_sdk:?}\n  ours: {q_ours:?}"
        ));
    }
    if ours.algorithm == Algorithm::Tc3 && r.method == "GET" {
        // Tencent GET signs the query string as sent: it must be ours exactly.
        let our_raw = rewind_cloud::encoding::form_urlencode(&r.query);
        if our_raw != f.sent_raw_query {
            problems.push(format!(
                "raw query: ours {our_raw:?} vs sdk {:?}",
                f.sent_raw_query
            ));
        }
    }
    for (name, value) in &r.headers {
        match sent
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            None => problems.push(format!("header {name} is ours only")),
            Some((k, v)) => {
                if v != value {
                    problems.push(format!("header {name}: ours {value:?} vs sdk {v:?}"));
                }
                if k != name {
                    problems.push(format!("header name casing: ours {name:?} vs sdk {k:?}"));
                }
            }
        }
    }

    // 3. Our verifier accepts what the SDK actually sent.
    let secret = f.secret.clone();
    let id = f.access_key_id.clone();
    match sign::verify(&sent, f.time, |k| (k == id).then(|| secret.clone())) {
        Ok(v) => {
            if v.algorithm.id() != f.algorithm {
                problems.push(format!(
                    "verifier saw {} for a {} fixture",
                    v.algorithm, f.algorithm
                ));
            }
            if v.access_key_id != f.access_key_id {
                problems.push(format!("verifier key id {:?}", v.access_key_id));
            }
            if v.token != f.token {
                problems.push(format!(
                    "verifier token {:?} vs input {:?}",
                    v.token, f.token
                ));
            }
            if matches!(v.algorithm, Algorithm::Acs3 | Algorithm::AcsV1) && v.nonce != f.nonce {
                problems.push(format!(
                    "verifier nonce {:?} vs input {:?}",
                    v.nonce, f.nonce
                ));
            }
            if v.timestamp != f.time {
                problems.push(format!(
                    "verifier timestamp {} vs input {}",
                    v.timestamp, f.time
                ));
            }
        }
        Err(e) => problems.push(format!("verifier rejected the SDK's request: {e:?}")),
    }
    problems
}

fn run_dir(dir: &std::path::Path, min_per_algorithm: usize) {
    let fixtures = load_dir(dir);
    let mut failures = Vec::new();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for f in &fixtures {
        *counts.entry(f.algorithm.clone()).or_default() += 1;
        let problems = check(f);
        if !problems.is_empty() {
            failures.push(format!(
                "=== {} ({})\n{}",
                f.file,
                f.sdk,
                problems.join("\n")
            ));
        }
    }
    eprintln!(
        "{}: {} fixtures {:?}",
        dir.display(),
        fixtures.len(),
        counts
    );
    for alg in Algorithm::ALL {
        let n = counts.get(alg.id()).copied().unwrap_or(0);
        assert!(
            n >= min_per_algorithm,
            "{}: only {n} {alg} fixtures (want at least {min_per_algorithm})",
            dir.display()
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures in {} do not conform:\n{}",
        failures.len(),
        fixtures.len(),
        dir.display(),
        failures.join("\n\n")
    );
}

#[test]
fn checked_in_fixtures_conform() {
    run_dir(&checked_in_dir(), 50);
}

/// `cargo xtask test` points this at a fresh batch generated with a new random seed.
#[test]
fn fresh_fixtures_conform() {
    match std::env::var_os("REWIND_SIGN_FIXTURES") {
        Some(dir) => run_dir(std::path::Path::new(&dir), 1),
        None => {
            eprintln!("REWIND_SIGN_FIXTURES not set: only the checked-in fixtures were compared")
        }
    }
}

/// The checked-in batch covers what it must: every action under each of its
/// algorithms, STS tokens, Tencent GET, both v1 SDKs, Workspace query parameters,
/// tags, empty lists, and the characters encoders disagree on.
#[test]
fn checked_in_fixtures_cover_the_matrix() {
    use rewind_cloud::Action;
    use rewind_cloud::build::Variant;
    let fixtures = load_dir(&checked_in_dir());
    let mut missing = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in &fixtures {
        let input = signcli::parse_item(0, &f.input).unwrap_or_else(|e| panic!("{}: {e}", f.file));
        seen.insert((input.action, input.variant.algorithm(input.action).id()));
    }
    for &a in Action::ALL {
        let variants: &[Variant] = match a.provider() {
            rewind_cloud::Provider::Alibaba => &[Variant::Default, Variant::AlibabaV1],
            _ => &[Variant::Default],
        };
        for v in variants {
            if !seen.contains(&(a, v.algorithm(a).id())) {
                missing.push(format!("{a} under {}", v.algorithm(a)));
            }
        }
    }
    let any = |pred: &dyn Fn(&Fixture) -> bool| fixtures.iter().any(pred);
    let text = |f: &Fixture| f.input["params"].to_string();
    let checks: [(&str, bool); 12] = [
        (
            "STS token (tc3)",
            any(&|f| f.algorithm == "tc3" && f.token.is_some()),
        ),
        (
            "STS token (acs3)",
            any(&|f| f.algorithm == "acs3" && f.token.is_some()),
        ),
        (
            "STS token (acs-v1)",
            any(&|f| f.algorithm == "acs-v1" && f.token.is_some()),
        ),
        (
            "STS token (sdk-hmac)",
            any(&|f| f.algorithm == "sdk-hmac" && f.token.is_some()),
        ),
        ("Tencent GET", any(&|f| f.input["method"] == "GET")),
        (
            "legacy aliyun-python-sdk-core",
            any(&|f| f.sdk.contains("aliyun-python-sdk-core")),
        ),
        (
            "Tea signature_algorithm=v2",
            any(&|f| f.sdk.contains("signature_algorithm=v2")),
        ),
        (
            "Workspace query",
            any(&|f| f.algorithm == "sdk-hmac" && !f.sent_raw_query.is_empty()),
        ),
        ("ECS tags", any(&|f| f.sent_raw_query.contains("Tag.1.Key"))),
        ("empty list", any(&|f| text(f).contains("[]"))),
        ("unicode", any(&|f| !text(f).is_ascii())),
        (
            "space * ~ + / : =",
            [' ', '*', '~', '+', '/', ':', '=']
                .iter()
                .all(|c| any(&|f| text(f).contains(*c))),
        ),
    ];
    for (what, ok) in checks {
        if !ok {
            missing.push(what.to_string());
        }
    }
    assert!(missing.is_empty(), "checked-in fixtures miss: {missing:?}");
}
