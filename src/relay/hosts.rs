//! Where relayed requests may go: the hosts per cloud that `/config.json` lists, the
//! regions they serve, the scheme the relay connects with, and the one profile per
//! cloud that stands in for the server's profiles in relay mode.

use super::PROFILE_PREFIX;
use crate::session::{ConsoleConfig, Profile};
use rewind_cloud::{Action, Provider};
use serde_json::Value;
use std::collections::BTreeMap;

/// The relay as the console uses it: where each provider's requests may go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relay {
    pub hosts: BTreeMap<Provider, Vec<String>>,
    /// `host → scheme` of the server's endpoint overrides (the relay connects to those
    /// with their configured scheme, to every other host with HTTPS).
    pub schemes: BTreeMap<String, String>,
}

/// Regions offered when a provider's relay host serves every region (the reference's
/// examples, which the emulator's demo world also uses).
pub fn documented_regions(provider: Provider) -> &'static [&'static str] {
    match provider {
        Provider::Tencent => &["ap-guangzhou", "ap-shanghai", "ap-singapore"],
        Provider::Alibaba => &["cn-hangzhou", "cn-shanghai", "cn-beijing"],
        Provider::Huawei => &["cn-north-4", "cn-east-3", "ap-southeast-1"],
    }
}

/// `cn-hangzhou`, `ap-southeast-1`: a region-shaped name.
fn is_region(s: &str) -> bool {
    const AREAS: &[&str] = &[
        "cn", "ap", "eu", "us", "me", "sa", "af", "la", "na", "ru", "tr",
    ];
    let mut parts = s.split('-');
    let (Some(area), Some(place)) = (parts.next(), parts.next()) else {
        return false;
    };
    let number_ok = match parts.next() {
        None => true,
        Some(n) => !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && parts.next().is_none(),
    };
    AREAS.contains(&area)
        && !place.is_empty()
        && place.bytes().all(|b| b.is_ascii_lowercase())
        && number_ok
}

/// The region a regional endpoint names (`ecs-cn-hangzhou.aliyuncs.com`,
/// `workspace.cn-north-4.myhuaweicloud.com`); `None` for a host that serves any region
/// (`lighthouse.tencentcloudapi.com`, an override such as `127.0.0.1:8090`).
pub fn region_of_host(host: &str) -> Option<String> {
    let name = host.rsplit_once(':').map_or(host, |(n, _)| n);
    for label in name.split('.') {
        let mut rest = label;
        loop {
            if is_region(rest) {
                return Some(rest.to_string());
            }
            match rest.split_once('-') {
                Some((_, tail)) => rest = tail,
                None => break,
            }
        }
    }
    None
}

impl Relay {
    pub fn new(config: &ConsoleConfig, server_profiles: &Value) -> Relay {
        // `endpoint` of a server profile is `scheme://connect`; the relay connects to an
        // override with its scheme when the signed host is that address.
        let schemes = server_profiles
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["endpoint"].as_str())
            .filter_map(|e| e.split_once("://"))
            .map(|(scheme, host)| (host.to_ascii_lowercase(), scheme.to_string()))
            .collect();
        Relay {
            hosts: config.relay_hosts.clone(),
            schemes,
        }
    }

    /// The regions a provider's requests can be relayed for.
    pub fn regions(&self, provider: Provider) -> Vec<String> {
        let hosts = self.hosts.get(&provider).map(Vec::as_slice).unwrap_or(&[]);
        let mut out: Vec<String> = Vec::new();
        if hosts.iter().any(|h| region_of_host(h).is_none()) {
            out.extend(documented_regions(provider).iter().map(|r| r.to_string()));
        }
        for r in hosts.iter().filter_map(|h| region_of_host(h)) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// The host to sign for: the region's own endpoint, else one serving every region.
    pub fn host_for(&self, provider: Provider, region: &str) -> Option<&str> {
        let hosts = self.hosts.get(&provider)?;
        hosts
            .iter()
            .find(|h| region_of_host(h).as_deref() == Some(region))
            .or_else(|| hosts.iter().find(|h| region_of_host(h).is_none()))
            .map(String::as_str)
    }

    /// The scheme the relay will use for `host`.
    pub fn scheme_for(&self, host: &str) -> &str {
        self.schemes
            .get(&host.to_ascii_lowercase())
            .map_or("https", String::as_str)
    }

    /// One "profile" per provider the relay serves, with every action, so the profile
    /// and region switchers and the views work as in portal mode.
    pub fn profiles(&self) -> Vec<Profile> {
        Provider::ALL
            .into_iter()
            .filter(|p| !self.regions(*p).is_empty())
            .map(|p| Profile {
                actions: Action::of(p).map(|a| a.name().to_string()).collect(),
                ..Profile::new(profile_name(p), p, self.regions(p))
            })
            .collect()
    }
}

pub fn profile_name(provider: Provider) -> String {
    format!("{PROFILE_PREFIX}{}", provider.id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::testkit::*;

    #[test]
    fn regions_and_hosts_come_from_the_relay_hosts() {
        assert_eq!(
            region_of_host("ecs-cn-hangzhou.aliyuncs.com").as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(
            region_of_host("ecs-vpc.cn-shanghai.aliyuncs.com").as_deref(),
            Some("cn-shanghai")
        );
        assert_eq!(
            region_of_host("workspace.ap-southeast-1.myhuaweicloud.com").as_deref(),
            Some("ap-southeast-1")
        );
        for generic in [
            "lighthouse.tencentcloudapi.com",
            "ecs.aliyuncs.com",
            "127.0.0.1:8090",
            "my-host.example.com",
        ] {
            assert_eq!(region_of_host(generic), None, "{generic}");
        }
        let relay = Relay {
            hosts: [
                (
                    Provider::Alibaba,
                    vec!["ecs-cn-hangzhou.aliyuncs.com".to_string()],
                ),
                (
                    Provider::Tencent,
                    vec!["lighthouse.tencentcloudapi.com".to_string()],
                ),
            ]
            .into(),
            schemes: Default::default(),
        };
        assert_eq!(relay.regions(Provider::Alibaba), ["cn-hangzhou"]);
        assert_eq!(relay.host_for(Provider::Alibaba, "cn-beijing"), None);
        assert_eq!(
            relay.regions(Provider::Tencent),
            documented_regions(Provider::Tencent)
        );
        assert_eq!(relay.scheme_for("lighthouse.tencentcloudapi.com"), "https");
        let profiles = relay.profiles();
        assert_eq!(
            profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["keys-tencent", "keys-alibaba"]
        );
        assert!(
            profiles[0]
                .actions
                .iter()
                .any(|a| a == "ApplyInstanceSnapshot")
        );
        // The demo: the emulator override, over http, for all three.
        let demo = demo_relay();
        assert_eq!(demo.profiles().len(), 3);
        assert_eq!(demo.scheme_for("127.0.0.1:40123"), "http");
        assert_eq!(
            demo.host_for(Provider::Huawei, "cn-east-3"),
            Some("127.0.0.1:40123")
        );
    }
}
