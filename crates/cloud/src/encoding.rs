//! Percent-encodings shared by the signers, named after what they reproduce.
//!
//! * [`rfc3986`]: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX` (space `%20`, `*` `%2A`);
//!   Python's `quote(s, safe='~')`, used by ACS3, v1 and SDK-HMAC.
//! * [`quote_plus`]: the same set, but space as `+`; Python's `urlencode`, which is
//!   what the Tencent SDK puts in a GET query and signs verbatim.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything except RFC 3986 unreserved characters.
pub const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// RFC 3986 percent-encoding (upper-case hex).
pub fn rfc3986(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// Form encoding as Python's `quote_plus(s, safe='')`: space becomes `+`.
pub fn quote_plus(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, part) in s.split(' ').enumerate() {
        if i > 0 {
            out.push('+');
        }
        out.extend(utf8_percent_encode(part, RFC3986));
    }
    out
}

/// `k=v&k=v` in the given order, each side [`quote_plus`]-encoded (Python `urlencode`).
pub fn form_urlencode(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&quote_plus(k));
        out.push('=');
        out.push_str(&quote_plus(v));
    }
    out
}

/// `k=v&k=v` in the given order, each side [`rfc3986`]-encoded.
pub fn rfc3986_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&rfc3986(k));
        out.push('=');
        out.push_str(&rfc3986(v));
    }
    out
}

/// Decodes a raw query string into pairs, in order: `+` is a space, `%XX` a byte,
/// invalid UTF-8 is replaced. Every SDK Rewind is tested against encodes a literal `+`
/// as `%2B`, so this reading is unambiguous for them. For servers (the emulator).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_decode_str(&s).decode_utf8_lossy().into_owned()
}

/// Decodes a percent-encoded path (no `+` handling).
pub fn decode_path(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// Encodes a decoded path for a URL: each `/`-separated segment [`rfc3986`]-encoded.
pub fn encode_path(path: &str) -> String {
    path.split('/').map(rfc3986).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc3986_matches_python_quote_safe_tilde() {
        assert_eq!(rfc3986("a b*c~d+e/f:g=h"), "a%20b%2Ac~d%2Be%2Ff%3Ag%3Dh");
        assert_eq!(rfc3986("中"), "%E4%B8%AD");
        assert_eq!(rfc3986("-_.~AZaz09"), "-_.~AZaz09");
    }

    #[test]
    fn quote_plus_matches_python_urlencode() {
        assert_eq!(quote_plus("a b*c~d+e/f:g=h"), "a+b%2Ac~d%2Be%2Ff%3Ag%3Dh");
        assert_eq!(
            form_urlencode(&[
                ("Filters.0.Name".into(), "x y".into()),
                ("Limit".into(), "5".into())
            ]),
            "Filters.0.Name=x+y&Limit=5"
        );
    }

    #[test]
    fn parse_query_decodes_both_space_forms() {
        assert_eq!(
            parse_query("a=x+y&b=x%20y&c=%2B&d&e="),
            vec![
                ("a".into(), "x y".into()),
                ("b".into(), "x y".into()),
                ("c".into(), "+".into()),
                ("d".into(), "".into()),
                ("e".into(), "".into()),
            ]
        );
    }

    proptest! {
        #[test]
        fn encodings_round_trip(k in "\\PC*", v in "\\PC*") {
            let pairs = vec![(k.clone(), v.clone())];
            prop_assert_eq!(parse_query(&form_urlencode(&pairs)), pairs.clone());
            prop_assert_eq!(parse_query(&rfc3986_query(&pairs)), pairs);
        }
    }
}
