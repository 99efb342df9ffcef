//! Who is asking: sign-in sessions, password hashing, the login throttle,
//! connection tokens, and the first users of a new database.

pub mod passwords;
pub mod seed;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod unsubscribe;
