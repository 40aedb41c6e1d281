//! Tampering: a one-byte change to any signed part of a request the official SDK sent
//! (the secret, the body, the host, a query value, the timestamp) makes verification
//! fail. Run over every checked-in fixture.
//!
//! Not signed, by design of the schemes (so not tested here): v1 covers neither the
//! host nor the body (ECS RPC bodies are empty), and the Tencent SDK signs only
//! `content-type;host`, so its `X-TC-*` headers are outside the signature.

mod sign_common;

use rewind_cloud::HttpRequest;
use rewind_cloud::sign::{self, Algorithm, VerifyError, time};
use sign_common::{Fixture, load_dir, sent_request};
use std::path::PathBuf;

fn fixtures() -> Vec<Fixture> {
    load_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sign"))
}

/// Changes one byte of an ASCII-or-UTF-8 string, keeping it valid UTF-8.
fn flip(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    match chars.last_mut() {
        Some(c) if *c == 'a' => *c = 'b',
        Some(c) if c.is_ascii() => *c = 'a',
        Some(c) => *c = 'x',
        None => return "a".to_string(),
    }
    chars.into_iter().collect()
}

fn verify_with(
    f: &Fixture,
    req: &HttpRequest,
    secret: &str,
) -> Result<sign::Verified, VerifyError> {
    let id = f.access_key_id.clone();
    let secret = secret.to_string();
    sign::verify(req, f.time, move |k| (k == id).then(|| secret.clone()))
}

fn expect_rejected(
    f: &Fixture,
    what: &str,
    result: Result<sign::Verified, VerifyError>,
    failures: &mut Vec<String>,
) {
    match result {
        Err(VerifyError::SignatureMismatch { .. }) => {}
        // Moving the TC3 timestamp across midnight changes the credential date.
        Err(VerifyError::MalformedAuthorization { .. }) if what == "timestamp" => {}
        other => failures.push(format!(
            "{}: tampered {what} was not rejected: {other:?}",
            f.file
        )),
    }
}

fn algorithm(f: &Fixture) -> Algorithm {
    Algorithm::ALL
        .into_iter()
        .find(|a| a.id() == f.algorithm)
        .unwrap_or_else(|| panic!("{}: unknown algorithm {}", f.file, f.algorithm))
}

#[test]
fn one_byte_changes_to_signed_parts_are_rejected() {
    let mut failures = Vec::new();
    let mut tried = 0usize;
    for f in fixtures() {
        let alg = algorithm(&f);
        let sent = sent_request(&f);
        if let Err(e) = verify_with(&f, &sent, &f.secret) {
            failures.push(format!("{}: untouched request rejected: {e:?}", f.file));
            continue;
        }

        // The secret.
        expect_rejected(
            &f,
            "secret",
            verify_with(&f, &sent, &flip(&f.secret)),
            &mut failures,
        );
        tried += 1;

        // The body (one byte changed, or one byte added to an empty body).
        if alg != Algorithm::AcsV1 {
            let mut r = sent.clone();
            match r.body.last_mut() {
                Some(b) => *b ^= 0x01,
                None => r.body.push(b' '),
            }
            expect_rejected(&f, "body", verify_with(&f, &r, &f.secret), &mut failures);
            tried += 1;
        }

        // The host, both as the request's host and its Host header.
        if alg != Algorithm::AcsV1 {
            let mut r = sent.clone();
            r.host = flip(&r.host);
            let h = r.host.clone();
            r.set_header("Host", h);
            expect_rejected(&f, "host", verify_with(&f, &r, &f.secret), &mut failures);
            tried += 1;
        }

        // A query value (the first one that is not the v1 signature itself).
        if let Some(i) = sent.query.iter().position(|(k, _)| k != "Signature") {
            let mut r = sent.clone();
            r.query[i].1 = flip(&r.query[i].1);
            expect_rejected(
                &f,
                "query value",
                verify_with(&f, &r, &f.secret),
                &mut failures,
            );
            tried += 1;
        }

        // The timestamp, one second later (well inside the allowed skew).
        let mut r = sent.clone();
        match alg {
            Algorithm::Tc3 => r.set_header("X-TC-Timestamp", (f.time + 1).to_string()),
            Algorithm::Acs3 => r.set_header("x-acs-date", time::format_iso8601(f.time + 1)),
            Algorithm::SdkHmac => r.set_header("X-Sdk-Date", time::format_compact(f.time + 1)),
            Algorithm::AcsV1 => {
                if let Some(slot) = r.query.iter_mut().find(|(k, _)| k == "Timestamp") {
                    slot.1 = time::format_iso8601(f.time + 1);
                }
            }
        }
        expect_rejected(
            &f,
            "timestamp",
            verify_with(&f, &r, &f.secret),
            &mut failures,
        );
        tried += 1;

        // The signature itself.
        let mut r = sent.clone();
        if alg == Algorithm::AcsV1 {
            if let Some(slot) = r.query.iter_mut().find(|(k, _)| k == "Signature") {
                slot.1 = flip(&slot.1);
            }
        } else if let Some(auth) = r.header("Authorization").map(flip) {
            r.set_header("Authorization", auth);
        }
        expect_rejected(
            &f,
            "signature",
            verify_with(&f, &r, &f.secret),
            &mut failures,
        );
        tried += 1;
    }
    assert!(tried > 1000, "only {tried} tamperings tried");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn stale_and_future_requests_are_rejected_as_skewed() {
    for f in fixtures() {
        let sent = sent_request(&f);
        for now in [f.time + 301, f.time - 301] {
            let id = f.access_key_id.clone();
            let secret = f.secret.clone();
            let r = sign::verify(&sent, now, move |k| (k == id).then(|| secret.clone()));
            assert!(
                matches!(r, Err(VerifyError::TimestampSkewed { .. })),
                "{}: now={now}: {r:?}",
                f.file
            );
        }
    }
}
