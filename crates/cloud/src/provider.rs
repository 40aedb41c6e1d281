//! The three clouds Rewind drives.

use serde::{Deserialize, Serialize};

/// A cloud provider (one API family each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Tencent Cloud Lighthouse, API 3.0 (version 2020-03-24), TC3-HMAC-SHA256.
    Tencent,
    /// Alibaba Cloud ECS, RPC API 2014-05-26, ACS3-HMAC-SHA256 or HMAC-SHA1 v1.
    Alibaba,
    /// Huawei Cloud Workspace, SDK-HMAC-SHA256.
    Huawei,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Tencent, Provider::Alibaba, Provider::Huawei];

    /// Stable lower-case id used in URLs, config files and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Provider::Tencent => "tencent",
            Provider::Alibaba => "alibaba",
            Provider::Huawei => "huawei",
        }
    }

    /// The product name a user recognises.
    pub fn product(self) -> &'static str {
        match self {
            Provider::Tencent => "Tencent Cloud Lighthouse",
            Provider::Alibaba => "Alibaba Cloud ECS",
            Provider::Huawei => "Huawei Cloud Workspace",
        }
    }

    /// The API version string sent with every request.
    pub fn api_version(self) -> &'static str {
        match self {
            Provider::Tencent => "2020-03-24",
            Provider::Alibaba => "2014-05-26",
            Provider::Huawei => "v2",
        }
    }

    pub fn from_id(s: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.id() == s)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_serde_matches() {
        for p in Provider::ALL {
            assert_eq!(Provider::from_id(p.id()), Some(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.id()));
        }
        assert_eq!(Provider::from_id("aws"), None);
    }
}
