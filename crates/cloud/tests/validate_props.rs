//! Property tests for ID validation: every generated valid ID of each kind passes, and
//! every single mutation of one (wrong prefix, wrong length, a character outside the
//! class, a Unicode look-alike, inserted whitespace, empty) is rejected.

use proptest::prelude::*;
use rewind_cloud::validate::{IdKind, ValidateOptions, codes, validate_id};

fn strict() -> ValidateOptions {
    ValidateOptions::default()
}

fn any_kind() -> impl Strategy<Value = IdKind> {
    proptest::sample::select(IdKind::ALL.to_vec())
}

fn prefixed_kind() -> impl Strategy<Value = IdKind> {
    proptest::sample::select(
        IdKind::ALL
            .iter()
            .copied()
            .filter(|k| k.prefix().is_some())
            .collect::<Vec<_>>(),
    )
}

/// A valid ID of `kind`, of at least `min_len` characters.
fn valid_id(kind: IdKind, min_len: usize) -> BoxedStrategy<String> {
    match (kind, kind.prefix()) {
        (IdKind::LhInstance | IdKind::LhSnapshot | IdKind::LhDisk, Some(p)) => {
            "[a-z0-9]{8}".prop_map(move |b| format!("{p}{b}")).boxed()
        }
        (_, Some(p)) => {
            let max_body = kind.max_len() - p.len();
            proptest::string::string_regex(&format!("[A-Za-z0-9]{{1,{max_body}}}"))
                .expect("regex")
                .prop_map(move |b| format!("{p}{b}"))
                .boxed()
        }
        (_, None) => proptest::string::string_regex(&format!(
            "[A-Za-z0-9-]{{{},{}}}",
            min_len.max(1),
            kind.max_len()
        ))
        .expect("regex")
        .boxed(),
    }
}

fn kind_and_id() -> impl Strategy<Value = (IdKind, String)> {
    any_kind().prop_flat_map(|k| valid_id(k, 1).prop_map(move |id| (k, id)))
}

/// Characters that look like ASCII letters or digits but are not ASCII.
const LOOKALIKES: &[char] = &[
    'а', 'е', 'о', 'р', 'с', 'у', 'х', 'і', 'ј', 'ѕ', 'ԁ', 'һ', 'А', 'В', 'Е', 'К', 'М', 'Н', 'О',
    'Р', 'С', 'Т', 'Х', 'α', 'ο', 'ν', 'ι', 'κ', 'ρ', 'ı', '０', '１', '２', '９', 'ａ', 'ｚ',
    'Ａ', '－', '‐', '–', '−', '\u{200b}', '\u{feff}', 'é', 'ß',
];

const WHITESPACE: &[char] = &[
    ' ', '\t', '\n', '\r', '\u{a0}', '\u{3000}', '\u{2009}', '\u{85}',
];

fn insert_at(s: &str, char_pos: usize, c: char) -> String {
    let mut out: String = s.chars().take(char_pos).collect();
    out.push(c);
    out.extend(s.chars().skip(char_pos));
    out
}

fn replace_at(s: &str, char_pos: usize, c: char) -> String {
    s.chars()
        .enumerate()
        .map(|(i, x)| if i == char_pos { c } else { x })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn valid_ids_pass_unchanged((kind, id) in kind_and_id()) {
        let (out, warnings) = validate_id(kind, &id, &strict()).map_err(|e| TestCaseError::fail(e.message.en))?;
        prop_assert_eq!(out, id);
        prop_assert!(warnings.is_empty());
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_with_a_warning(
        (kind, id) in kind_and_id(),
        lead in proptest::sample::select(WHITESPACE.to_vec()),
        trail in proptest::sample::select(WHITESPACE.to_vec()),
    ) {
        let raw = format!("{lead}{id}{trail}");
        let (out, warnings) = validate_id(kind, &raw, &strict()).map_err(|e| TestCaseError::fail(e.message.en))?;
        prop_assert_eq!(out, id);
        prop_assert_eq!(warnings.len(), 1);
        prop_assert_eq!(warnings[0].code, codes::TRIMMED);
    }

    #[test]
    fn a_wrong_prefix_is_rejected(
        kind in prefixed_kind(),
        other in proptest::sample::select(vec!["lhins-", "lhsnap-", "lhdisk-", "d-", "s-", "i-", "", "lh-", "LHINS-", "D-", "S-", "I-", "x-", "lhsnap_", "d_"]),
        seed in any::<u64>(),
    ) {
        let prefix = kind.prefix().expect("prefixed");
        prop_assume!(other != prefix);
        let bad = {
            // A body that would be valid after the right prefix.
            let body: String = (0..8).map(|i| char::from(b'a' + ((seed >> (i * 5)) % 26) as u8)).collect();
            format!("{other}{body}")
        };
        let e = validate_id(kind, &bad, &strict()).err();
        prop_assert!(e.is_some(), "{:?} accepted {:?}", kind, bad);
        prop_assert_eq!(e.map(|e| e.code), Some(codes::ID_PREFIX));
    }

    #[test]
    fn a_wrong_length_is_rejected(kind in any_kind(), extra in 1usize..40, short in any::<bool>()) {
        let id = match (kind, kind.prefix()) {
            (IdKind::LhInstance | IdKind::LhSnapshot | IdKind::LhDisk, Some(p)) => {
                let n = if short { 8usize.saturating_sub(extra.min(8)) } else { 8 + extra };
                format!("{p}{}", "a".repeat(n))
            }
            (_, Some(p)) => {
                if short { p.to_string() } else { format!("{p}{}", "a".repeat(kind.max_len() - p.len() + extra)) }
            }
            (_, None) => {
                if short { String::new() } else { "a".repeat(kind.max_len() + extra) }
            }
        };
        let e = validate_id(kind, &id, &strict()).err();
        prop_assert!(e.is_some(), "{:?} accepted {:?}", kind, id);
        let code = e.map(|e| e.code).unwrap_or_default();
        prop_assert!([codes::ID_LENGTH, codes::BLANK].contains(&code), "{}", code);
    }

    #[test]
    fn a_character_outside_the_class_is_rejected(
        (kind, id) in kind_and_id(),
        pos in any::<proptest::sample::Index>(),
        c in proptest::sample::select(vec!['_', '.', ':', '/', '!', '@', '#', '+', '=', '*', '~', ',', '"', '\'', 'A', 'Z', '-']),
    ) {
        let prefix_len = kind.prefix().map_or(0, str::len);
        let body_len = id.chars().count() - prefix_len;
        let at = prefix_len + pos.index(body_len);
        let allowed = match kind {
            IdKind::LhInstance | IdKind::LhSnapshot | IdKind::LhDisk => c.is_ascii_lowercase() || c.is_ascii_digit(),
            IdKind::EcsInstance | IdKind::EcsDisk | IdKind::EcsSnapshot => c.is_ascii_alphanumeric(),
            _ => c.is_ascii_alphanumeric() || c == '-',
        };
        prop_assume!(!allowed);
        let bad = replace_at(&id, at, c);
        let e = validate_id(kind, &bad, &strict()).err();
        prop_assert!(e.is_some(), "{:?} accepted {:?}", kind, bad);
        prop_assert_eq!(e.map(|e| e.code), Some(codes::ID_CHARSET));
    }

    #[test]
    fn a_unicode_lookalike_is_rejected(
        (kind, id) in kind_and_id(),
        pos in any::<proptest::sample::Index>(),
        c in proptest::sample::select(LOOKALIKES.to_vec()),
        insert in any::<bool>(),
        legacy in any::<bool>(),
    ) {
        let n = id.chars().count();
        let bad = if insert { insert_at(&id, pos.index(n + 1), c) } else { replace_at(&id, pos.index(n), c) };
        let opts = ValidateOptions { allow_legacy_ids: legacy };
        let e = validate_id(kind, &bad, &opts).err();
        prop_assert!(e.is_some(), "{:?} accepted {:?}", kind, bad);
        prop_assert_eq!(e.map(|e| e.code), Some(codes::ID_UNICODE));
    }

    #[test]
    fn interior_whitespace_is_rejected(
        kind in any_kind(),
        seed in any::<proptest::sample::Index>(),
        c in proptest::sample::select(WHITESPACE.to_vec()),
        legacy in any::<bool>(),
    ) {
        let id = kind.example();
        let n = id.chars().count();
        let at = 1 + seed.index(n - 1);
        let bad = insert_at(id, at, c);
        let opts = ValidateOptions { allow_legacy_ids: legacy };
        let e = validate_id(kind, &bad, &opts).err();
        prop_assert!(e.is_some(), "{:?} accepted {:?}", kind, bad);
        prop_assert_eq!(e.map(|e| e.code), Some(codes::ID_WHITESPACE));
    }

    #[test]
    fn empty_or_blank_is_rejected(kind in any_kind(), n in 0usize..4, legacy in any::<bool>()) {
        let raw = " ".repeat(n);
        let opts = ValidateOptions { allow_legacy_ids: legacy };
        let e = validate_id(kind, &raw, &opts).err();
        prop_assert_eq!(e.map(|e| e.code), Some(codes::BLANK));
    }

    #[test]
    fn every_rejection_explains_itself_in_both_languages(kind in any_kind(), raw in "\\PC{0,40}") {
        if let Err(e) = validate_id(kind, &raw, &strict()) {
            let (en, zh) = kind.label();
            prop_assert!(e.message.en.starts_with(en), "{}", e.message.en);
            prop_assert!(e.message.zh.starts_with(zh), "{}", e.message.zh);
        }
    }
}

#[test]
fn legacy_override_is_only_for_alibaba_shapes() {
    let opts = ValidateOptions {
        allow_legacy_ids: true,
    };
    assert!(validate_id(IdKind::EcsDisk, "1033-60053321", &opts).is_ok());
    assert!(validate_id(IdKind::LhSnapshot, "lhsnap-ABCDEFGH", &opts).is_err());
    assert!(validate_id(IdKind::WsSnapshot, "a_b", &opts).is_err());
}
