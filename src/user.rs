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
