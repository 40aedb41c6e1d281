//! The Authorization header parsers and the signature verifier
//! (`rewind_cloud::sign::{tc3, acs3, sdk_hmac}::parse_authorization`, `verify::detect`,
//! `verify::verify`), the timestamp parsers they use, and sign → wire → verify.
//!
//! Input: a first line `NOW SECRET` (the server's clock in Unix seconds and the secret
//! of every access key), then a request in the text form of `rewind_fuzz`.
//!
//! Invariants: nothing panics; parsed headers have a key id and non-empty, lower-case
//! signed header names; a timestamp that parses prints back as the same text; a
//! verified request used the detected scheme, is within the allowed clock skew and
//! fails with any other secret; an error names the detected scheme; and a request that
//! is valid HTTP, signed by any of the four schemes and read back off the wire the way
//! the emulator reads it (`http::Uri`, `decode_path`, `parse_query`, lower-case header
//! names), verifies.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind_cloud::sign::verify::{MAX_CLOCK_SKEW_SECS, detect};
use rewind_cloud::sign::{
    Algorithm, Credentials, SigningParams, VerifyError, acs3, sdk_hmac, sign, tc3, time, verify,
};

fuzz_target!(|data: &[u8]| {
    let (first, rest) = rewind_fuzz::first_line(data);
    let (now_text, secret) = first.split_once(' ').unwrap_or((&first, ""));
    // The emulator's clock: milliseconds since 1970 as u64, divided by 1000.
    let now = now_text
        .trim()
        .parse::<i64>()
        .unwrap_or(1_700_000_000)
        .clamp(0, (u64::MAX / 1000) as i64);
    let req = rewind_fuzz::request_from_text(rest);

    // The three header parsers, on the header and on the raw text.
    let auth = req.header("authorization").unwrap_or("").to_string();
    for value in [auth.as_str(), &rewind_fuzz::text(rest)] {
        if let Ok(a) = tc3::parse_authorization(value) {
            assert!(!a.access_key_id.is_empty() && !a.date.is_empty() && !a.service.is_empty());
            check_signed_headers(&a.signed_headers);
        }
        let keyed = [
            acs3::parse_authorization(value),
            sdk_hmac::parse_authorization(value),
        ];
        for a in keyed.into_iter().flatten() {
            assert!(!a.access_key_id.is_empty());
            check_signed_headers(&a.signed_headers);
        }
    }

    // The timestamp formats, on every header and query value.
    for v in req
        .headers
        .iter()
        .chain(req.query.iter())
        .map(|(_, v)| v.as_str())
    {
        if let Some(t) = time::parse_iso8601(v) {
            assert_eq!(time::format_iso8601(t), v);
        }
        if let Some(t) = time::parse_compact(v) {
            assert_eq!(time::format_compact(t), v);
        }
        if let Some(t) = time::parse_unix(v) {
            assert!(time::in_range(t));
        }
    }

    let detected = detect(&req);
    let lookup = |_: &str| Some(secret.to_string());
    match verify(&req, now, lookup) {
        Ok(v) => {
            assert_eq!(Ok(v.algorithm), detected);
            assert!((v.timestamp - now).abs() <= MAX_CLOCK_SKEW_SECS);
            assert!(!v.access_key_id.is_empty());
            let other = format!("{secret}-other");
            assert!(matches!(
                verify(&req, now, |_: &str| Some(other.clone())),
                Err(VerifyError::SignatureMismatch { .. })
            ));
        }
        Err(e) => {
            let _ = e.to_string();
            match &detected {
                Ok(alg) => assert_eq!(e.algorithm(), Some(*alg), "{e:?}"),
                Err(d) => assert_eq!(&e, d),
            }
        }
    }

    // What we sign, we verify: through the wire, as the emulator reads requests.
    if secret.is_empty() || !rewind_fuzz::wire_safe(&req) || !time::in_range(now) {
        return;
    }
    for alg in Algorithm::ALL {
        // TC3 always signs content-type, and `verify` requires signed headers to be
        // present; every Tencent request carries one (`build` sets it).
        if alg == Algorithm::Tc3 && req.header("content-type").is_none() {
            continue;
        }
        let mut signed = req.clone();
        signed
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
        signed.query.retain(|(k, _)| k != "Signature");
        let creds = Credentials::new("AKIDFUZZ", secret);
        let params = SigningParams::new(&creds, now).with_nonce("fuzz-nonce");
        if sign(alg, &mut signed, &params).is_err() {
            continue;
        }
        let Some(wire) = rewind_fuzz::to_wire(&signed, alg == Algorithm::Tc3) else {
            continue;
        };
        let received = rewind_fuzz::from_wire(&wire);
        if let Err(e) = verify(&received, now, lookup) {
            panic!(
                "{alg}: signed request does not verify: {e:?}\nsigned: {signed:?}\nreceived: {received:?}"
            );
        }
    }
});

fn check_signed_headers(names: &[String]) {
    assert!(!names.is_empty());
    for n in names {
        assert!(!n.is_empty());
        assert_eq!(n, &n.to_ascii_lowercase());
        assert_eq!(n, n.trim());
    }
}
