//! Relay mode: when `/config.json` says `mode: "relay"`, the browser holds the access
//! keys, builds and signs each request with the cloud crate (the same code the proxy
//! signs with) and posts it to `/relay`, which forwards it unchanged to a host the
//! server allows. The proxy never sees a secret.
//!
//! - [`keys`]: the keys typed into the Keys page, kept in memory (or the tab's
//!   sessionStorage when remembered);
//! - [`hosts`]: where requests may go, and the one profile per cloud that stands in for
//!   the server's profiles;
//! - [`send`]: the transport itself (sign, send through `/relay`, read the answer);
//! - [`show`]: "Show signed request";
//! - [`check`]: keys checked by one cheap read when they are saved.

pub mod check;
pub mod hosts;
pub mod keys;
pub mod send;
pub mod show;

pub use hosts::{Relay, profile_name};
pub use keys::{AlibabaSignature, Keys, ProviderKeys};
pub use send::Sent;

use rewind_cloud::Provider;

/// Relay mode's profiles are named `keys-<provider>`.
pub const PROFILE_PREFIX: &str = "keys-";

/// The cloud of a relay profile name (`keys-tencent`).
pub fn provider_of_profile(profile: &str) -> Option<Provider> {
    profile
        .strip_prefix(PROFILE_PREFIX)
        .and_then(Provider::from_id)
}

#[cfg(test)]
pub(crate) mod testkit {
    //! Keys and a relay shared by the relay module's tests.
    use super::*;
    use crate::session::ConsoleConfig;
    use serde_json::json;

    pub const ID: &str = "AKIDTESTKEY000000000000000000000WXYZ";
    pub const SECRET: &str = "test-secret-that-must-never-show";
    pub const TOKEN: &str = "sts-token-that-must-be-masked";

    pub fn keys(signature: AlibabaSignature) -> ProviderKeys {
        ProviderKeys {
            id: ID.into(),
            secret: SECRET.into(),
            token: None,
            signature,
            project_ids: [("cn-north-4".to_string(), "p-north".to_string())].into(),
        }
    }

    pub fn demo_relay() -> Relay {
        let config: ConsoleConfig = serde_json::from_str(
            r#"{"mode":"relay","demo":true,"auth":"none","relay":true,"version":"0.1.0",
                "relay_hosts":{"tencent":["127.0.0.1:40123"],"alibaba":["127.0.0.1:40123"],
                               "huawei":["127.0.0.1:40123"]}}"#,
        )
        .unwrap();
        assert!(config.relay_mode());
        let server = json!([{"name": "demo-ecs", "endpoint": "http://127.0.0.1:40123"}]);
        Relay::new(&config, &server)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_profiles_name_their_cloud() {
        assert_eq!(profile_name(Provider::Alibaba), "keys-alibaba");
        assert_eq!(provider_of_profile("keys-huawei"), Some(Provider::Huawei));
        assert_eq!(provider_of_profile("demo-ecs"), None);
    }
}
