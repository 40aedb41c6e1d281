//! `GET /api/v1/session` and `GET /api/v1/profiles`: who is signed in, how the console
//! reaches the clouds, and the accounts this user may call (never their secrets).

use crate::call::AlibabaSignature;
use crate::provider::Provider;
use serde::{Deserialize, Serialize};

/// How the console reaches the clouds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The server holds the keys and signs (`/api/v1/call`).
    #[default]
    Portal,
    /// The browser holds the keys and signs; the server relays (`/relay`).
    Relay,
}

impl Mode {
    pub fn is_relay(self) -> bool {
        self == Mode::Relay
    }
}

/// What `/api/v1/session` says about the current user. In relay mode the console
/// makes its own from the relay's hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// The server's sign-in method (`none`, `header`, `token`, …).
    #[serde(default)]
    pub auth: String,
    pub mode: Mode,
    pub demo: bool,
    /// Whether the server relays browser-signed requests.
    #[serde(default)]
    pub relay: bool,
    /// The profiles this user may call anything on.
    #[serde(default)]
    pub profiles: Vec<Profile>,
}

impl Session {
    /// The profiles of one cloud.
    pub fn profiles_of(&self, provider: Provider) -> impl Iterator<Item = &Profile> {
        self.profiles.iter().filter(move |p| p.provider == provider)
    }

    /// Keys held in this browser, requests relayed.
    pub fn is_relay(&self) -> bool {
        self.mode.is_relay()
    }
}

/// A configured cloud account, as a user may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub provider: Provider,
    /// The product's name (`Tencent Cloud Lighthouse`, …).
    #[serde(default)]
    pub product: String,
    pub regions: Vec<String>,
    /// `scheme://host` of the endpoint override: the name requests are signed for, never
    /// the address the server connects to.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Alibaba only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<AlibabaSignature>,
    /// The provider's names of the actions this user may call here.
    #[serde(default)]
    pub actions: Vec<String>,
}

impl Profile {
    /// A profile with no endpoint override and the provider's default signature.
    pub fn new(name: impl Into<String>, provider: Provider, regions: Vec<String>) -> Profile {
        Profile {
            name: name.into(),
            provider,
            product: provider.product().to_string(),
            regions,
            endpoint: None,
            signature: None,
            actions: Vec::new(),
        }
    }
}

/// The page to come back to after sign-in (`/auth/login?return=`, the console's
/// `/signin?return=`): a path on the same origin, nothing else. Refused: anything not
/// starting with one `/` (`//evil.test` is another host to a browser), a backslash
/// (browsers read `/\evil.test` as `//evil.test`), any control character or space
/// (browsers drop tabs and newlines inside URLs), and over 2048 bytes. The server and
/// the console apply the same rule.
pub fn safe_return(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2048
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    ok.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn return_paths_stay_on_this_origin() {
        for ok in [
            "/",
            "/instances",
            "/ops?id=1&x=https://a",
            "/%2F%2Fevil.test",
            "/tencent/snapshots?profile=demo&region=ap-guangzhou",
        ] {
            assert_eq!(safe_return(ok), Some(ok), "{ok}");
        }
        let long = format!("/{}", "a".repeat(2048));
        for bad in [
            "//evil.test",
            "https://evil.test",
            "/\\evil.test",
            "\\\\evil.test",
            "/\t/evil.test",
            "/\n/evil.test",
            "/ /evil.test",
            "evil.test",
            "",
            "javascript:alert(1)",
            long.as_str(),
        ] {
            assert_eq!(safe_return(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_servers_session_shape() {
        let mut p = Profile::new("demo-ecs", Provider::Alibaba, vec!["cn-hangzhou".into()]);
        p.signature = Some(AlibabaSignature::V1);
        p.actions = vec!["ResetDisk".into()];
        let s = Session {
            user: Some("demo".into()),
            auth: "none".into(),
            mode: Mode::Portal,
            demo: true,
            profiles: vec![p, Profile::new("lh", Provider::Tencent, vec![])],
            ..Default::default()
        };
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v,
            json!({"user": "demo", "groups": [], "auth": "none", "mode": "portal", "demo": true,
                   "relay": false, "profiles": [
                {"name": "demo-ecs", "provider": "alibaba", "product": "Alibaba Cloud ECS",
                 "regions": ["cn-hangzhou"], "endpoint": null, "signature": "v1",
                 "actions": ["ResetDisk"]},
                {"name": "lh", "provider": "tencent", "product": "Tencent Cloud Lighthouse",
                 "regions": [], "endpoint": null, "actions": []}]})
        );
        assert_eq!(serde_json::from_value::<Session>(v).unwrap(), s);
        // The console reads what it needs of older or smaller shapes.
        let s: Session =
            serde_json::from_str(r#"{"user":"demo","mode":"relay","demo":true}"#).unwrap();
        assert!(s.is_relay() && s.profiles.is_empty());
    }
}
