//! Connection tokens: short-lived, signed permission for one user's browser
//! on another site to open Herald's socket or event stream. `payload.mac`,
//! both base64url; the payload names the user, the API key that minted it
//! and the expiry, the MAC is an HMAC-SHA256 under the server's secret, so
//! a tampered, expired or other server's token is refused. Revoking the key
//! refuses its tokens too (checked at each connect and while connected).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use herald::UserId;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Signs and checks tokens.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

/// What a valid token grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user.
    #[serde(rename = "u")]
    pub user: UserId,
    /// The API key that minted it.
    #[serde(rename = "k")]
    pub key: i64,
    /// Expiry, Unix milliseconds.
    #[serde(rename = "e")]
    pub expires_at: i64,
}

impl Signer {
    /// Signs with `secret` (checked to be long enough by
    /// `Config::validate`), or with a random key when there is none.
    pub fn new(secret: Option<&str>) -> Signer {
        let key = match secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => {
                let mut key = vec![0u8; 32];
                rand::thread_rng().fill_bytes(&mut key);
                key
            }
        };
        Signer { key }
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload);
        mac
    }

    /// A token for what `claims` say.
    pub fn sign(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let mac = self.mac(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(mac)
        )
    }

    /// What a valid token, unexpired at `now` (Unix ms), grants.
    pub fn verify(&self, token: &str, now: i64) -> Option<Claims> {
        let (payload, mac) = token.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        // Constant-time comparison of the MAC.
        self.mac(&payload).verify_slice(&mac).ok()?;
        let claims: Claims = serde_json::from_slice(&payload).ok()?;
        (claims.expires_at > now).then_some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_until_they_expire_and_never_when_altered() {
        let signer = Signer::new(Some("secret"));
        let claims = Claims {
            user: 7,
            key: 3,
            expires_at: 1_000,
        };
        let token = signer.sign(&claims);
        assert_eq!(signer.verify(&token, 999), Some(claims));
        assert_eq!(signer.verify(&token, 1_000), None, "expired");
        let (payload, mac) = token.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"u":1,"k":3,"e":1000}"#);
        assert_eq!(
            signer.verify(&format!("{forged}.{mac}"), 0),
            None,
            "tampered payload"
        );
        assert_eq!(
            signer.verify(&format!("{payload}.{}", &mac[1..]), 0),
            None,
            "tampered MAC"
        );
        assert_eq!(
            Signer::new(Some("other")).verify(&token, 0),
            None,
            "another server's"
        );
        assert_eq!(signer.verify("garbage", 0), None);
    }
}
