//! Unsubscribe links in email digests: a user and the categories to stop
//! emailing them about, signed with a secret every instance shares, so the
//! link works without a session (and from a mail client's one-click POST,
//! RFC 8058) and cannot be made for anyone else.

use herald::{Category, UserId};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The name of the shared secret the links are signed with.
pub const SECRET_NAME: &str = "email-unsubscribe";

/// What a link stops: `user`'s email about `categories`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsubscribe {
    pub user: UserId,
    pub categories: Vec<Category>,
}

fn signature(secret: &[u8], user: UserId, categories: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("unsubscribe:{user}:{categories}").as_bytes());
    mac.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Unsubscribe {
    /// The link's query string: `u=…&c=…&s=…`.
    pub fn query(&self, secret: &[u8]) -> String {
        let categories: Vec<&str> = self.categories.iter().map(|c| c.as_str()).collect();
        let categories = categories.join(",");
        let s = signature(secret, self.user, &categories);
        format!("u={}&c={categories}&s={s}", self.user)
    }

    /// Reads a link's `u`, `c` and `s`; `None` unless the signature holds.
    pub fn verify(secret: &[u8], u: &str, c: &str, s: &str) -> Option<Unsubscribe> {
        let user: UserId = u.parse().ok()?;
        let expected = signature(secret, user, c);
        let equal = expected.len() == s.len()
            && expected
                .bytes()
                .zip(s.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !equal {
            return None;
        }
        let categories = c
            .split(',')
            .map(Category::parse)
            .collect::<Option<Vec<_>>>()?;
        Some(Unsubscribe { user, categories })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_verifies_only_as_signed() {
        let secret = [7u8; 32];
        let link = Unsubscribe {
            user: 12,
            categories: vec![Category::Mention, Category::Info],
        };
        let query = link.query(&secret);
        let parts: std::collections::HashMap<_, _> =
            query.split('&').filter_map(|p| p.split_once('=')).collect();
        let (u, c, s) = (parts["u"], parts["c"], parts["s"]);
        assert_eq!(Unsubscribe::verify(&secret, u, c, s), Some(link));
        assert_eq!(
            Unsubscribe::verify(&secret, "13", c, s),
            None,
            "another user"
        );
        assert_eq!(
            Unsubscribe::verify(&secret, u, "info", s),
            None,
            "other categories"
        );
        assert_eq!(
            Unsubscribe::verify(&[8u8; 32], u, c, s),
            None,
            "another secret"
        );
        assert_eq!(Unsubscribe::verify(&secret, u, c, ""), None);
    }
}
