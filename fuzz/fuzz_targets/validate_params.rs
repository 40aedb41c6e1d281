//! `validate_params` and `validate_field` for every action with arbitrary JSON.
//!
//! Input: byte 0 picks the action, byte 1 bit 0 allows legacy IDs; the rest is JSON
//! (inputs that are not JSON are skipped: serde_json is not under test).
//!
//! Invariants: nothing panics; every error and warning code is one of `codes::ALL`; a
//! failure reports at least one error; the normalized parameters are an object of the
//! action's own fields that validates again to itself (normalization is idempotent) with
//! no warning but `id.legacy`; each given field of accepted parameters passes
//! `validate_field` alone with the same normalized value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind_cloud::Action;
use rewind_cloud::validate::{ValidateOptions, codes, fields, validate_field, validate_params};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let [a, o, json @ ..] = data else {
        return;
    };
    let action = Action::ALL[usize::from(*a) % Action::ALL.len()];
    let opts = ValidateOptions {
        allow_legacy_ids: o & 1 != 0,
    };
    let Ok(params) = serde_json::from_slice::<Value>(json) else {
        return;
    };

    match validate_params(action, &params, &opts) {
        Ok(v) => {
            for w in &v.warnings {
                assert!(codes::intern(w.code).is_some(), "{}", w.code);
            }
            let Value::Object(out) = &v.params else {
                panic!("normalized params are not an object: {}", v.params);
            };
            let known: Vec<&str> = fields(action).map(|(name, _)| name).collect();
            for k in out.keys() {
                assert!(known.contains(&k.as_str()), "{action}: {k} is not a field");
            }
            let again = validate_params(action, &v.params, &opts)
                .unwrap_or_else(|e| panic!("{action}: normalized params fail again: {e:?}"));
            assert_eq!(
                again.params, v.params,
                "{action}: normalization is not idempotent"
            );
            for w in &again.warnings {
                assert_eq!(w.code, codes::ID_LEGACY, "{action}: warns again: {w:?}");
            }
            if let Value::Object(given) = &params {
                for (k, value) in given {
                    let empty = value.is_null() || value.as_array().is_some_and(Vec::is_empty);
                    if empty {
                        continue;
                    }
                    let (one, _) = validate_field(action, k, value, &opts).unwrap_or_else(|e| {
                        panic!("{action}: {k} passes in the whole but not alone: {e:?}")
                    });
                    assert_eq!(
                        one.as_ref(),
                        out.get(k),
                        "{action}: {k} normalized differently"
                    );
                }
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "{action}: failed without an error");
            for e in &errors {
                assert!(codes::intern(e.code).is_some(), "{}", e.code);
                // The console reads these back from the proxy's JSON answer.
                let text = serde_json::to_string(e).expect("a FieldError serializes");
                let back: rewind_cloud::validate::FieldError =
                    serde_json::from_str(&text).expect("a FieldError reads back");
                assert_eq!(&back, e);
            }
        }
    }
    if let Value::Object(given) = &params {
        for (k, value) in given {
            match validate_field(action, k, value, &opts) {
                Ok((_, warnings)) => {
                    for w in &warnings {
                        assert!(codes::intern(w.code).is_some(), "{}", w.code);
                    }
                }
                Err(errors) => assert!(!errors.is_empty()),
            }
        }
    }
});
