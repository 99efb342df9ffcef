//! Who uses Herald and what they may do.

use serde::{Deserialize, Serialize};

/// A Herald user's id.
pub type UserId = i64;

/// What a user may do. Admins send notifications and manage Herald.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    /// The name stored in the database and shown in the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// Parses the stored name; anything unknown is `None`, never a guess.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// A user as the rest of Herald sees them (never with a password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub role: Role,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Usernames: 1 to 50 ASCII letters, digits, dots, dashes or underscores,
/// starting with a letter or digit. ASCII only, so a look-alike such as a
/// Cyrillic `а` cannot pose as `admin`; compared without regard to case.
pub const USERNAME_MAX_CHARS: usize = 50;
/// Passwords: at least 12 characters (NIST SP 800-63B), at most 256 so a
/// huge one cannot make hashing a denial of service.
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Checks a new username; the message says what is allowed.
pub fn check_username(username: &str) -> Result<(), &'static str> {
    let ok = (1..=USERNAME_MAX_CHARS).contains(&username.len())
        && username.starts_with(|c: char| c.is_ascii_alphanumeric())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(
            "1 to 50 letters (a to z), digits, dots, dashes or underscores, starting with a letter or digit.",
        )
    }
}

/// The longest email address (RFC 5321's path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// The longest display name.
pub const DISPLAY_NAME_MAX_CHARS: usize = 100;

/// Checks an email address's shape: one `@` with text on both sides, a dot
/// in the domain, no spaces or control characters. (The mail server is
/// the judge of whether it exists.)
pub fn check_email(email: &str) -> Result<(), &'static str> {
    let ok = email.chars().count() <= EMAIL_MAX_CHARS
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"\\".contains(c))
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if ok {
        Ok(())
    } else {
        Err("An email address such as ana@example.com.")
    }
}

/// The form a username is compared and stored in: ASCII lower case.
pub fn normalise_username(username: &str) -> String {
    username.trim().to_ascii_lowercase()
}

/// Checks a new password's length, in characters.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    match password.chars().count() {
        n if n < PASSWORD_MIN_CHARS => Err("At least 12 characters."),
        n if n > PASSWORD_MAX_CHARS => Err("At most 256 characters."),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_address_has_one_at_and_a_domain_with_a_dot() {
        for (email, ok) in [
            ("ana@example.com", true),
            ("a.b+tag@mail.example.co.uk", true),
            ("ana", false),
            ("@example.com", false),
            ("ana@localhost", false),
            ("ana@@example.com", false),
            ("ana @example.com", false),
            ("ana@example.com\r\nBcc: x@y.z", false),
            ("<ana@example.com>", false),
        ] {
            assert_eq!(check_email(email).is_ok(), ok, "{email:?}");
        }
    }

    #[test]
    fn usernames_are_ascii_and_compared_in_lower_case() {
        for ok in ["admin", "alice.b", "bob_2", "x", "a-b"] {
            assert_eq!(check_username(ok), Ok(()), "{ok}");
        }
        // The first is a Cyrillic a.
        for bad in [
            "\u{430}dmin",
            "",
            "-lead",
            ".dot",
            "a b",
            "a:b",
            "ext:42",
            &"a".repeat(51),
        ] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
        assert_eq!(normalise_username(" Admin "), "admin");
    }

    #[test]
    fn passwords_are_12_to_256_characters() {
        assert!(check_password(&"x".repeat(11)).is_err());
        assert!(check_password(&"é".repeat(12)).is_ok());
        assert!(check_password(&"x".repeat(256)).is_ok());
        assert!(check_password(&"x".repeat(257)).is_err());
    }

    #[test]
    fn role_round_trips_through_its_stored_name() {
        for role in [Role::Admin, Role::Member] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
