//! ID token checks, without I/O: the token's text, the provider's keys, the expected
//! nonce and the current time in, the signed-in identity out.
//!
//! openidconnect's verifier checks the signature against the provider's keys (only the
//! asymmetric algorithms listed below: `alg: none` has no signature and is refused, and
//! HMAC is refused outright, so a token "signed" with the provider's public key as an
//! HMAC secret is too), `iss`, `aud` (other audiences untrusted), `exp` and the nonce.
//! It leaves `azp` and `iat` to the client: checked here.

use crate::config::Oidc as Settings;
use crate::policy::Identity;
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, ClaimsVerificationError, ClientId, IdTokenVerifier, IssuerUrl, Nonce,
    SignatureVerificationError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::str::FromStr;

/// Every claim of the token, so the configured user and groups claims can be any name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AllClaims(pub serde_json::Map<String, Value>);
impl AdditionalClaims for AllClaims {}

pub type IdToken = openidconnect::IdToken<
    AllClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Signature algorithms accepted: asymmetric ones only.
pub const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// How far a token's `iat` may lie in the future (clocks differ), and how old it may be:
/// the token comes straight from the token endpoint, issued moments ago.
pub const IAT_SKEW_SECS: i64 = 5 * 60;
pub const IAT_MAX_AGE_SECS: i64 = 10 * 60;

/// Why a token was refused. The message is safe to show: it never contains the token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("the ID token is not a signed JWT")]
    Malformed,
    /// No key of the provider's set matches: the set may have rotated, fetch it again.
    #[error("no key of the provider matches the ID token's key id")]
    UnknownKey,
    #[error("the ID token was refused: {0}")]
    Claims(String),
    #[error("the ID token names no user (claims tried: {0})")]
    NoUser(String),
}

/// Verifies `raw` and returns who it signs in. `now` is the current time.
pub fn verify(
    raw: &str,
    settings: &Settings,
    keys: &CoreJsonWebKeySet,
    nonce: &Nonce,
    now: DateTime<Utc>,
) -> Result<Identity, Refused> {
    let token = IdToken::from_str(raw).map_err(|_| Refused::Malformed)?;
    let issuer = IssuerUrl::new(settings.issuer.clone())
        .map_err(|_| Refused::Claims("the configured issuer is not a URL".into()))?;
    let verifier: IdTokenVerifier<'_, _> = IdTokenVerifier::new_public_client(
        ClientId::new(settings.client_id.clone()),
        issuer,
        keys.clone(),
    )
    .set_allowed_algs(ALLOWED_ALGS)
    .set_time_fn(move || now)
    .set_issue_time_verifier_fn(move |iat| {
        let age = now.timestamp() - iat.timestamp();
        if age < -IAT_SKEW_SECS {
            Err(format!("issued {} s in the future", -age))
        } else if age > IAT_MAX_AGE_SECS + IAT_SKEW_SECS {
            Err(format!("issued {age} s ago"))
        } else {
            Ok(())
        }
    });
    let claims = token.claims(&verifier, nonce).map_err(|e| match e {
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        ) => Refused::UnknownKey,
        other => Refused::Claims(other.to_string()),
    })?;
    // azp: required when there are several audiences, and then it must be us.
    let audiences = claims.audiences();
    match claims.authorized_party() {
        Some(azp) if azp.as_str() != settings.client_id => {
            return Err(Refused::Claims(format!(
                "the authorized party (azp) is {:?}, not this client",
                azp.as_str()
            )));
        }
        None if audiences.len() > 1 => {
            return Err(Refused::Claims(
                "several audiences and no authorized party (azp)".into(),
            ));
        }
        _ => {}
    }
    let all = serde_json::to_value(claims).map_err(|_| Refused::Malformed)?;
    identity(&all, settings)
}

/// The user from the first configured user claim that holds a string, and the groups
/// from the groups claim (a list of strings or one string; missing: none).
pub fn identity(claims: &Value, settings: &Settings) -> Result<Identity, Refused> {
    let user = settings
        .user_claims
        .iter()
        .filter_map(|c| claims.get(c).and_then(Value::as_str))
        .map(str::trim)
        .find(|u| !u.is_empty() && u.len() <= 256)
        .ok_or_else(|| Refused::NoUser(settings.user_claims.join(", ")))?;
    let groups = match claims.get(&settings.groups_claim) {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .filter(|g| !g.is_empty() && g.len() <= 256)
            .take(512)
            .map(str::to_string)
            .collect(),
        Some(Value::String(g)) if !g.is_empty() => vec![g.clone()],
        _ => Vec::new(),
    };
    Ok(Identity {
        user: user.to_string(),
        groups,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use base64::Engine;
    use openidconnect::core::CoreRsaPrivateSigningKey;
    use openidconnect::{
        Audience, EndUserUsername, JsonWebKeyId, PrivateSigningKey, StandardClaims,
        SubjectIdentifier,
    };

    pub(crate) const KEY: &str = include_str!("testdata/provider-key.pem");
    pub(crate) const OTHER_KEY: &str = include_str!("testdata/other-key.pem");
    const ISSUER: &str = "https://idp.example.test";

    pub(crate) fn settings() -> Settings {
        Settings {
            issuer: ISSUER.into(),
            client_id: "rewind".into(),
            client_secret: None,
            public_url: "https://rewind.example.test".into(),
            redirect_url: "https://rewind.example.test/auth/callback".into(),
            scopes: vec!["openid".into()],
            user_claims: vec!["preferred_username".into(), "email".into()],
            groups_claim: "groups".into(),
        }
    }

    pub(crate) fn key(pem: &str) -> CoreRsaPrivateSigningKey {
        CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("k1".into()))).unwrap()
    }

    fn provider_keys() -> CoreJsonWebKeySet {
        CoreJsonWebKeySet::new(vec![key(KEY).as_verification_key()])
    }

    pub(crate) struct Claims {
        pub(crate) aud: Vec<&'static str>,
        pub(crate) azp: Option<&'static str>,
        pub(crate) nonce: &'static str,
        pub(crate) iat: DateTime<Utc>,
        pub(crate) exp: DateTime<Utc>,
        pub(crate) iss: &'static str,
    }

    pub(crate) fn good() -> Claims {
        let now = Utc::now();
        Claims {
            aud: vec!["rewind"],
            azp: None,
            nonce: "n-1",
            iat: now,
            exp: now + chrono::Duration::minutes(5),
            iss: ISSUER,
        }
    }

    pub(crate) fn token(c: Claims, signer: &CoreRsaPrivateSigningKey) -> String {
        let mut extra = serde_json::Map::new();
        extra.insert("groups".into(), serde_json::json!(["ops"]));
        let claims = openidconnect::IdTokenClaims::new(
            IssuerUrl::new(c.iss.into()).unwrap(),
            c.aud.iter().map(|a| Audience::new(a.to_string())).collect(),
            c.exp,
            c.iat,
            StandardClaims::new(SubjectIdentifier::new("sub-olivia".into()))
                .set_preferred_username(Some(EndUserUsername::new("olivia".into()))),
            AllClaims(extra),
        )
        .set_nonce(Some(Nonce::new(c.nonce.into())))
        .set_authorized_party(c.azp.map(|a| ClientId::new(a.into())));
        let t = IdToken::new(
            claims,
            signer,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            None,
            None,
        )
        .unwrap();
        serde_json::to_value(&t)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    fn check(raw: &str) -> Result<Identity, Refused> {
        verify(
            raw,
            &settings(),
            &provider_keys(),
            &Nonce::new("n-1".into()),
            Utc::now(),
        )
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn a_good_token_signs_in_with_user_and_groups() {
        let who = check(&token(good(), &key(KEY))).unwrap();
        assert_eq!(who.user, "olivia");
        assert_eq!(who.groups, ["ops"]);
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let raw = token(good(), &key(KEY));
        let parts: Vec<&str> = raw.split('.').collect();
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap();
        let forged = String::from_utf8(payload)
            .unwrap()
            .replace("olivia", "mallory");
        let raw = format!("{}.{}.{}", parts[0], b64(forged.as_bytes()), parts[2]);
        assert!(matches!(check(&raw), Err(Refused::Claims(_))), "{raw}");
    }

    #[test]
    fn a_token_signed_by_another_key_is_refused() {
        let raw = token(good(), &key(OTHER_KEY));
        assert!(matches!(check(&raw), Err(Refused::Claims(_))));
    }

    #[test]
    fn an_unknown_key_id_asks_for_fresh_keys() {
        let other = CoreRsaPrivateSigningKey::from_pem(
            OTHER_KEY,
            Some(JsonWebKeyId::new("rotated".into())),
        )
        .unwrap();
        assert_eq!(check(&token(good(), &other)), Err(Refused::UnknownKey));
    }

    #[test]
    fn wrong_nonce_audience_issuer_azp_and_times_are_refused() {
        let cases: Vec<(&str, Claims)> = vec![
            (
                "nonce",
                Claims {
                    nonce: "n-other",
                    ..good()
                },
            ),
            (
                "audience",
                Claims {
                    aud: vec!["another-client"],
                    ..good()
                },
            ),
            (
                "untrusted second audience",
                Claims {
                    aud: vec!["rewind", "another-client"],
                    azp: Some("rewind"),
                    ..good()
                },
            ),
            (
                "azp",
                Claims {
                    azp: Some("another-client"),
                    ..good()
                },
            ),
            (
                "issuer",
                Claims {
                    iss: "https://evil.test",
                    ..good()
                },
            ),
            (
                "expired",
                Claims {
                    exp: Utc::now() - chrono::Duration::seconds(1),
                    ..good()
                },
            ),
            (
                "issued in the future",
                Claims {
                    iat: Utc::now() + chrono::Duration::minutes(10),
                    exp: Utc::now() + chrono::Duration::minutes(20),
                    ..good()
                },
            ),
            (
                "issued long ago",
                Claims {
                    iat: Utc::now() - chrono::Duration::hours(2),
                    ..good()
                },
            ),
        ];
        for (what, c) in cases {
            let r = check(&token(c, &key(KEY)));
            assert!(matches!(r, Err(Refused::Claims(_))), "{what}: {r:?}");
        }
    }

    #[test]
    fn alg_none_is_refused() {
        let raw = token(good(), &key(KEY));
        let payload = raw.split('.').nth(1).unwrap();
        let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        for sig in ["", "AAAA"] {
            let forged = format!("{header}.{payload}.{sig}");
            let r = check(&forged);
            assert!(r.is_err(), "alg none accepted: {r:?}");
        }
    }

    /// The classic confusion: an attacker "signs" with HS256 using the provider's public
    /// key as the HMAC secret, hoping the verifier reuses the key it was given.
    #[test]
    fn hmac_signed_with_the_public_key_is_refused() {
        use hmac::Mac;
        let raw = token(good(), &key(KEY));
        let payload = raw.split('.').nth(1).unwrap();
        let public_jwk = serde_json::to_vec(&key(KEY).as_verification_key()).unwrap();
        for secret in [public_jwk.as_slice(), b"rewind".as_slice()] {
            let header = b64(br#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#);
            let input = format!("{header}.{payload}");
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
            mac.update(input.as_bytes());
            let sig = b64(&mac.finalize().into_bytes());
            let r = check(&format!("{input}.{sig}"));
            assert!(
                matches!(r, Err(Refused::Claims(_))),
                "HS256 accepted: {r:?}"
            );
        }
    }

    #[test]
    fn user_and_groups_claims_are_configurable() {
        let mut s = settings();
        let claims = serde_json::json!({"email": "v@example.test", "roles": "viewers", "upn": "victor@corp"});
        let who = identity(&claims, &s).unwrap();
        assert_eq!(who.user, "v@example.test");
        assert!(who.groups.is_empty());
        s.user_claims = vec!["upn".into()];
        s.groups_claim = "roles".into();
        let who = identity(&claims, &s).unwrap();
        assert_eq!(
            (who.user.as_str(), who.groups),
            ("victor@corp", vec!["viewers".to_string()])
        );
        s.user_claims = vec!["name".into()];
        assert!(matches!(identity(&claims, &s), Err(Refused::NoUser(_))));
    }
}
