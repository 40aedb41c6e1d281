//! Parsing of `Authorization` headers, shared by the header schemes (TC3, ACS3,
//! SDK-HMAC): the `K=V, K=V` fields, the `SignedHeaders` list, and the
//! `ALGORITHM <Id>=…, SignedHeaders=…, Signature=…` shape ACS3 and SDK-HMAC share.
//! A leaf: it depends on nothing else in `sign`, so the schemes can use it and
//! `verify` can use the schemes without a cycle.

/// A parsed `ALGORITHM <Id>=…, SignedHeaders=a;b, Signature=…` header: the shape ACS3
/// (`Credential=`) and SDK-HMAC (`Access=`) share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedAuthorization {
    pub access_key_id: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses a [`KeyedAuthorization`] whose key id is in the field `id_field`.
pub(crate) fn parse_keyed_authorization(
    value: &str,
    algorithm: &str,
    id_field: &str,
) -> Result<KeyedAuthorization, String> {
    let rest = value
        .strip_prefix(algorithm)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(|| format!("Authorization does not start with {algorithm}"))?;
    let fields = auth_fields(rest, ',')?;
    let access_key_id = field(&fields, id_field)?;
    if access_key_id.is_empty() {
        return Err(format!("{id_field} is empty"));
    }
    Ok(KeyedAuthorization {
        access_key_id: access_key_id.to_string(),
        signed_headers: signed_header_list(field(&fields, "SignedHeaders")?)?,
        signature: field(&fields, "Signature")?.to_string(),
    })
}

/// Splits `K=V<sep> K=V…` into trimmed pairs.
pub(crate) fn auth_fields(rest: &str, sep: char) -> Result<Vec<(String, String)>, String> {
    rest.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("Authorization field {kv:?} is not key=value"))
        })
        .collect()
}

pub(crate) fn field<'f>(fields: &'f [(String, String)], name: &str) -> Result<&'f str, String> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| format!("Authorization has no {name}"))
}

/// `a;b;c` → lower-cased names; empty names are refused.
pub(crate) fn signed_header_list(value: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> = value
        .split(';')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    if names.iter().any(String::is_empty) {
        return Err("SignedHeaders has an empty name".into());
    }
    Ok(names)
}
