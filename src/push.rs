//! A browser's push subscription, as the settings page hands it over:
//! checked here so that what is stored can be encrypted for, and only
//! pushed to the public internet, where push services are.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::FieldErrors;

pub const ENDPOINT_MAX_CHARS: usize = 2000;

/// Checks a subscription's endpoint (an absolute https URL, as browsers'
/// push services use; http too with `allow_local`) and keys (base64url: an
/// uncompressed P-256 point of 65 bytes, and a 16-byte secret), naming
/// each bad field.
pub fn check_subscription(
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    allow_local: bool,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if !is_push_endpoint(endpoint, allow_local)
        || endpoint.len() > ENDPOINT_MAX_CHARS
        || endpoint
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        let problem = if allow_local {
            "Must be an absolute http(s) URL."
        } else {
            "Must be an absolute https URL."
        };
        errors.push("endpoint", problem);
    }
    if !is_base64url_of(p256dh, 65) {
        errors.push("p256dh", "Must be a P-256 public key, base64url.");
    }
    if !is_base64url_of(auth, 16) {
        errors.push("auth", "Must be 16 bytes, base64url.");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Whether Herald may POST pushes to `endpoint`'s scheme: https, or http
/// with `allow_local` (a push service on this machine, in tests).
pub fn is_push_endpoint(endpoint: &str, allow_local: bool) -> bool {
    endpoint.starts_with("https://") || (allow_local && endpoint.starts_with("http://"))
}

/// Whether `text` is base64url (padded or not) of exactly `bytes` bytes.
fn is_base64url_of(text: &str, bytes: usize) -> bool {
    let bare = text.trim_end_matches('=');
    bare.len() == (bytes * 4).div_ceil(3)
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `ip` is on the public internet: not loopback, private,
/// link-local (cloud metadata), shared (CGNAT), unique-local, multicast,
/// documentation or reserved. The one rule for an endpoint's literal
/// address and for every address its name resolves to.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b)))
}

/// Only global unicast (2000::/3) counts, less the ranges that are
/// documentation or carry an IPv4 address a relay would reach (6to4,
/// Teredo): everything else (loopback, unique-local, link-local,
/// site-local, multicast, NAT64, IPv4-compatible or -translated forms,
/// discard) is not the public internet.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, ..] = ip.segments();
    (first & 0xe000) == 0x2000
        && !(first == 0x2001 && second == 0x0db8)
        && first != 0x2002
        && !(first == 0x2001 && second == 0x0000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browsers_subscription_passes_and_bad_fields_are_named() {
        let p256dh = "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY";
        let auth = "_ordMnz7uTCmrpBTeUV4Bw";
        let push_service = "https://fcm.googleapis.com/fcm/send/x";
        assert!(check_subscription(push_service, p256dh, auth, false).is_ok());
        let errors = check_subscription("javascript:alert(1)", "short", "a b", true).unwrap_err();
        assert!(errors.get("endpoint").is_some());
        assert!(errors.get("p256dh").is_some());
        assert!(errors.get("auth").is_some());
    }

    #[test]
    fn only_public_addresses_count_as_public() {
        let public = ["8.8.8.8", "142.250.74.78", "2a00:1450:4001:82b::200a"];
        for ip in public {
            assert!(is_public_address(ip.parse().unwrap()), "{ip}");
        }
        let inside = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::ffff:0:7f00:1",
            "::7f00:1",
            "fec0::1",
            "100::1",
            "ff02::1",
        ];
        for ip in inside {
            assert!(!is_public_address(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn plain_http_endpoints_only_where_allowed() {
        let p256dh = "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY";
        let auth = "_ordMnz7uTCmrpBTeUV4Bw";
        let local = "http://127.0.0.1:8080/admin/reset";
        let refused = check_subscription(local, p256dh, auth, false).unwrap_err();
        assert!(refused.get("endpoint").is_some());
        assert!(check_subscription(local, p256dh, auth, true).is_ok());
    }
}
