//! `validate_id` and `parse_id_list` for every `IdKind`, strict and with legacy IDs.
//!
//! Input: byte 0 picks the kind (low nibble) and whether legacy IDs are allowed (bit 4);
//! the rest is the text the user typed or pasted.
//!
//! Invariants: nothing panics; an accepted ID is the trimmed input, ASCII, without
//! whitespace, and validates again to itself with no `trimmed` warning; what the strict
//! rules accept, the legacy option accepts with the same warnings; every code is one of
//! `codes::ALL`; a parsed list never accepts the same ID twice.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rewind_cloud::validate::{
    IdKind, ValidateOptions, codes, parse_id_list, valid_ids, validate_id,
};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let kind = IdKind::ALL[usize::from(sel & 0x0f) % IdKind::ALL.len()];
    let opts = ValidateOptions {
        allow_legacy_ids: sel & 0x10 != 0,
    };
    let raw = rewind_fuzz::text(rest);

    let strict = validate_id(kind, &raw, &ValidateOptions::default());
    let result = validate_id(kind, &raw, &opts);
    for r in [&strict, &result] {
        match r {
            Ok((id, warnings)) => {
                assert_eq!(id, raw.trim(), "the ID sent is the trimmed input");
                assert!(!id.is_empty());
                assert!(id.chars().all(|c| c.is_ascii_graphic()), "{id:?}");
                for w in warnings {
                    assert!(codes::intern(w.code).is_some(), "{}", w.code);
                }
            }
            Err(e) => assert!(codes::intern(e.code).is_some(), "{}", e.code),
        }
    }
    if let Ok((id, w)) = &strict {
        assert!(
            id.len() <= kind.max_len(),
            "{id:?} longer than {}",
            kind.max_len()
        );
        assert!(
            w.iter().all(|w| w.code == codes::TRIMMED),
            "strict rules only warn about trimming: {w:?}"
        );
        if let Some(p) = kind.prefix() {
            assert!(id.starts_with(p));
        }
        // Legacy IDs are a superset of the strict shapes.
        assert_eq!(
            validate_id(
                kind,
                &raw,
                &ValidateOptions {
                    allow_legacy_ids: true
                }
            ),
            strict
        );
    }
    if let Ok((id, warnings)) = &result {
        let (again, again_w) =
            validate_id(kind, id, &opts).expect("an accepted ID validates again");
        assert_eq!(&again, id);
        let expected: Vec<_> = warnings
            .iter()
            .filter(|w| w.code != codes::TRIMMED)
            .map(|w| w.code)
            .collect();
        let got: Vec<_> = again_w.iter().map(|w| w.code).collect();
        assert_eq!(got, expected, "validating {id:?} again");
    }

    let lines = parse_id_list(kind, &raw, &opts);
    let line_count = raw.split('\n').count();
    for l in &lines {
        assert!(l.line >= 1 && l.line <= line_count);
        assert!(!l.raw.trim().is_empty());
        match &l.result {
            Ok(id) => assert_eq!(
                validate_id(kind, id, &opts).map(|(s, _)| s).as_ref(),
                Ok(id)
            ),
            Err(e) => assert!(codes::intern(e.code).is_some(), "{}", e.code),
        }
    }
    let ids = valid_ids(&lines);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        ids.len(),
        "a list accepts an ID once: {ids:?}"
    );
});
