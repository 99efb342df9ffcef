//! Herald's own calls to addresses others choose: webhook receivers (an
//! integrator's) and push services (a browser's). They reach only the
//! public internet over https, unless an operator allows a host or a
//! network by name; the rule is checked on the written address and again
//! on every address a name resolves to, where the connection is made, so
//! a name re-pointed inside in between does not get through.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use herald::push::is_public_address;

/// How long a name may take to resolve.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a name gives no address to call.
#[derive(Debug, thiserror::Error)]
pub enum Unreachable {
    /// Every address it has is inside the network (and not allowed).
    #[error("{0}")]
    Inside(String),
    /// It did not resolve (now, or in time).
    #[error("{0}")]
    Unresolved(String),
}

/// Where outbound calls may go beyond the public internet.
#[derive(Clone, Debug, Default)]
pub struct Reach {
    /// Everywhere, over http too (tests with a local push service).
    everywhere: bool,
    /// Networks allowed: an address and its prefix length.
    networks: Vec<(IpAddr, u8)>,
    /// Host names allowed, lower case without a trailing dot.
    hosts: Vec<String>,
}

impl Reach {
    /// The public internet only.
    pub fn public() -> Reach {
        Reach::default()
    }

    /// Any address, over http too.
    pub fn everywhere() -> Reach {
        Reach {
            everywhere: true,
            ..Reach::default()
        }
    }

    /// The public internet and what `allowed` names: addresses
    /// (`10.0.0.5`), networks (`10.0.0.0/8`, `fd00::/8`) and host names
    /// (`hooks.internal`). An entry that is none of these is refused, named.
    pub fn allowing(allowed: &[String]) -> Result<Reach, String> {
        let mut reach = Reach::default();
        for entry in allowed.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            if let Some((ip, bits)) = entry.split_once('/') {
                let ip: IpAddr = ip.parse().map_err(|_| entry.to_owned())?;
                let max = if ip.is_ipv4() { 32 } else { 128 };
                let bits: u8 = bits
                    .parse()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| entry.to_owned())?;
                reach.networks.push((ip, bits));
            } else if let Ok(ip) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
                reach
                    .networks
                    .push((ip, if ip.is_ipv4() { 32 } else { 128 }));
            } else if url::Host::parse(entry).is_ok_and(|h| matches!(h, url::Host::Domain(_))) {
                reach.hosts.push(normal_host(entry));
            } else {
                return Err(entry.to_owned());
            }
        }
        Ok(reach)
    }

    /// Whether a call may connect to `ip`.
    pub fn allows_address(&self, ip: IpAddr) -> bool {
        self.everywhere
            || is_public_address(ip)
            || self
                .networks
                .iter()
                .any(|(net, bits)| in_network(ip, *net, *bits))
    }

    /// Whether `ip` is inside the network but allowed by name (so plain
    /// http may reach it too).
    fn names_address(&self, ip: IpAddr) -> bool {
        self.everywhere
            || self
                .networks
                .iter()
                .any(|(net, bits)| in_network(ip, *net, *bits))
    }

    /// Whether host name `host` is allowed by name: it may resolve
    /// anywhere, and be called over plain http.
    fn names_host(&self, host: &str) -> bool {
        self.everywhere || self.hosts.contains(&normal_host(host))
    }

    /// Why a call to `url` may not go out, as far as its text tells: not
    /// an http(s) URL, plain http to a host not allowed by name, or an
    /// address inside the network written out (however spelled: the URL
    /// parser normalises it).
    pub fn written_refusal(&self, url: &str) -> Option<&'static str> {
        let Ok(parsed) = url::Url::parse(url) else {
            return Some("not a URL");
        };
        if !matches!(parsed.scheme(), "https" | "http") {
            return Some("not an http(s) URL");
        }
        let named = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => {
                if !self.allows_address(ip.into()) {
                    return Some("an address inside the network");
                }
                self.names_address(ip.into())
            }
            Some(url::Host::Ipv6(ip)) => {
                if !self.allows_address(ip.into()) {
                    return Some("an address inside the network");
                }
                self.names_address(ip.into())
            }
            Some(url::Host::Domain(host)) => self.names_host(host),
            None => return Some("not a URL"),
        };
        (parsed.scheme() == "http" && !named).then_some("not https")
    }

    /// The addresses of `host` a call may connect to: all of them for a
    /// host allowed by name, else those allowed; an error if none is, or
    /// the name does not resolve in [`LOOKUP_TIMEOUT`].
    pub async fn resolve(&self, host: &str) -> Result<Vec<SocketAddr>, Unreachable> {
        let found = tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((host, 0)))
            .await
            .map_err(|_| Unreachable::Unresolved(format!("{host} did not resolve in time")))?
            .map_err(|e| Unreachable::Unresolved(format!("{host}: {e}")))?;
        let named = self.names_host(host);
        let allowed: Vec<SocketAddr> = found
            .filter(|a| named || self.allows_address(a.ip()))
            .collect();
        if allowed.is_empty() {
            return Err(Unreachable::Inside(format!(
                "{host} points inside the network"
            )));
        }
        Ok(allowed)
    }

    /// An HTTP client whose connections keep to this reach: names are
    /// resolved by [`Reach::resolve`], never through a proxy, redirects
    /// are not followed (they could lead anywhere), and each call ends
    /// after `timeout`.
    pub fn client(self, timeout: Duration) -> reqwest::Result<reqwest::Client> {
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve names itself, past the check above.
            .no_proxy()
            .dns_resolver(Arc::new(self))
            .build()
    }
}

impl reqwest::dns::Resolve for Reach {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let reach = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match Reach::resolve(&reach, &host).await {
                Ok(found) => Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs),
                Err(unreachable) => Err(unreachable.into()),
            }
        })
    }
}

fn normal_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `ip` is in the network `net`/`bits` (an IPv4-mapped IPv6
/// address counts as the IPv4 address it maps).
fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowing(list: &[&str]) -> Reach {
        Reach::allowing(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn only_https_to_the_public_internet_by_default() {
        let reach = Reach::public();
        assert_eq!(reach.written_refusal("https://hooks.example.com/x"), None);
        assert_eq!(reach.written_refusal("https://8.8.8.8/x"), None);
        for (url, why) in [
            ("http://hooks.example.com/x", "not https"),
            ("https://127.0.0.1/x", "an address inside the network"),
            ("https://10.1.2.3/x", "an address inside the network"),
            (
                "https://169.254.169.254/latest",
                "an address inside the network",
            ),
            (
                "https://[::ffff:127.0.0.1]/x",
                "an address inside the network",
            ),
            ("https://[::1]:8443/x", "an address inside the network"),
            ("https://0x7f000001/x", "an address inside the network"),
            ("ftp://hooks.example.com/x", "not an http(s) URL"),
            ("not a url", "not a URL"),
        ] {
            assert_eq!(reach.written_refusal(url), Some(why), "{url}");
        }
    }

    #[test]
    fn an_operator_allows_hosts_and_networks_by_name() {
        let reach = allowing(&["10.0.0.0/8", "hooks.internal", "fd00::1"]);
        assert_eq!(reach.written_refusal("http://10.2.3.4/x"), None);
        assert_eq!(reach.written_refusal("https://[::ffff:10.2.3.4]/x"), None);
        assert_eq!(reach.written_refusal("http://HOOKS.internal./x"), None);
        assert_eq!(reach.written_refusal("https://[fd00::1]/x"), None);
        assert_eq!(
            reach.written_refusal("https://11.0.0.1/x"),
            None,
            "public anyway"
        );
        assert_eq!(
            reach.written_refusal("http://11.0.0.1/x"),
            Some("not https"),
            "public, but not allowed by name"
        );
        assert_eq!(
            reach.written_refusal("https://192.168.1.1/x"),
            Some("an address inside the network")
        );
        assert!(Reach::allowing(&["10.0.0.0/33".into()]).is_err());
        assert!(Reach::allowing(&["not a host!".into()]).is_err());
    }

    #[tokio::test]
    async fn a_name_inside_the_network_resolves_to_nothing_unless_allowed() {
        assert!(Reach::public().resolve("localhost").await.is_err());
        assert!(
            !allowing(&["localhost"])
                .resolve("localhost")
                .await
                .unwrap()
                .is_empty()
        );
        let found = allowing(&["127.0.0.0/8"])
            .resolve("localhost")
            .await
            .unwrap();
        assert!(found.iter().all(|a| a.ip().is_loopback()));
    }
}
