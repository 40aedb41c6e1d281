//! Name resolution that only hands out public addresses: the relay's pre-check before it
//! sends, and the resolver of its HTTP client, so a destination that resolves to a
//! private, loopback or otherwise special address is refused both times.

use std::net::{IpAddr, SocketAddr};

/// Whether `ip` is in public address space (not private, loopback, link-local, shared,
/// benchmarking, documentation, multicast or reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves `name` and refuses any answer outside public address space. Used both as a
/// pre-check (for a clear refusal) and as the relay client's resolver (so a second,
/// different DNS answer at connect time cannot slip through).
pub async fn resolve_public(name: &str) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, 443))
        .await
        .map_err(|_| format!("{name} does not resolve"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{name} does not resolve"));
    }
    if addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(format!(
            "{name} resolves to a private or loopback address; the relay refuses it"
        ));
    }
    Ok(addrs)
}

/// reqwest resolver that only hands out public addresses.
#[derive(Debug)]
pub struct PublicOnlyResolver;

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_string();
        Box::pin(async move {
            let addrs = resolve_public(&name).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
