//! The address a request comes from, for the failed-login limit: the TCP peer, or — only when
//! that peer is a configured trusted proxy (`--trusted-proxy`) — the client address the proxy
//! appended to `X-Forwarded-For`. Without trusted proxies the header is ignored, since anyone
//! can write it. IPv6 clients count by their /64 network: one subscriber usually holds a whole
//! /64 and could otherwise take a fresh address for every guess.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::state::AppState;

/// The header a reverse proxy reports the client's address in.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// Where a request comes from; `None` when the server was not told (a router called without
/// a listener, as in tests), which counts as one address of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The client of a request from `peer`: the rightmost `X-Forwarded-For` entry that is not
    /// itself a trusted proxy when `peer` is one (each proxy appends the address it saw, so
    /// entries left of the last trusted hop are whatever the client wrote), else `peer`.
    pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> ClientAddr {
        let Some(peer) = peer.map(|p| p.to_canonical()) else {
            return ClientAddr(None);
        };
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| t.to_canonical() == *ip);
        if !is_trusted(&peer) {
            return ClientAddr(Some(peer));
        }
        let hops: Vec<&str> = headers
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
                Ok(ip) if is_trusted(&ip) => continue,
                Ok(ip) => return ClientAddr(Some(ip)),
                // Unreadable: not written by a proxy we trust, so the proxy is all we know.
                Err(_) => break,
            }
        }
        ClientAddr(Some(peer))
    }

    /// The key failed logins are counted under: the IPv4 address, the IPv6 /64 network, or
    /// `unknown`.
    pub fn key(&self) -> String {
        match self.0 {
            None => "unknown".to_owned(),
            Some(IpAddr::V4(ip)) => ip.to_string(),
            Some(IpAddr::V6(ip)) => {
                let s = ip.segments();
                let network = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{network}/64")
            }
        }
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientAddr, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr::resolve(
            peer,
            &parts.headers,
            &state.config.trusted_proxies,
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn without_trusted_proxies_the_forwarded_header_is_ignored() {
        let h = forwarded(&["198.51.100.7"]);

        let c = ClientAddr::resolve(Some(ip("203.0.113.9")), &h, &[]);

        assert_eq!(c.key(), "203.0.113.9");
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = [ip("10.0.0.2"), ip("10.0.0.3")];
        // The client wrote a fake first entry; the proxies appended what they saw.
        let h = forwarded(&["1.1.1.1, 198.51.100.7", "10.0.0.3"]);

        let via_proxy = ClientAddr::resolve(Some(ip("10.0.0.2")), &h, &proxies);
        let direct = ClientAddr::resolve(Some(ip("203.0.113.9")), &h, &proxies);
        let garbage = ClientAddr::resolve(
            Some(ip("10.0.0.2")),
            &forwarded(&["not an address"]),
            &proxies,
        );
        let no_header = ClientAddr::resolve(Some(ip("10.0.0.2")), &HeaderMap::new(), &proxies);

        assert_eq!(via_proxy.key(), "198.51.100.7");
        assert_eq!(
            direct.key(),
            "203.0.113.9",
            "only a trusted peer is believed"
        );
        assert_eq!(garbage.key(), "10.0.0.2");
        assert_eq!(no_header.key(), "10.0.0.2");
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network_and_mapped_ipv4_as_ipv4() {
        let a = ClientAddr::resolve(Some(ip("2001:db8:1:2::1")), &HeaderMap::new(), &[]);
        let b = ClientAddr::resolve(Some(ip("2001:db8:1:2:ffff::9")), &HeaderMap::new(), &[]);
        let mapped = ClientAddr::resolve(Some(ip("::ffff:192.0.2.1")), &HeaderMap::new(), &[]);

        assert_eq!(a.key(), "2001:db8:1:2::/64");
        assert_eq!(a.key(), b.key());
        assert_eq!(mapped.key(), "192.0.2.1");
        assert_eq!(ClientAddr(None).key(), "unknown");
    }
}
