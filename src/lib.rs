//! Herald's shared vocabulary: the domain types, their validation and the
//! messages the server and the browser exchange. No I/O, so it compiles for
//! both the server and the wasm32 client, and each rule is written once.

pub mod actions;
pub mod admin;
pub mod group;
pub mod i18n;
pub mod notification;
pub mod preferences;
pub mod push;
pub mod send;
pub mod snooze;
pub mod topics;
pub mod user;
pub mod validate;
pub mod wire;

pub use actions::{Action, ActionSpec};
pub use notification::{Audience, Category, Change, Counts, InboxView, Notification, badge_text};
pub use preferences::{Preference, PreferenceChange};
pub use send::{Content, Draft};
pub use snooze::SnoozeFor;
pub use user::{
    Role, User, UserId, check_email, check_password, check_username, normalise_username,
};
pub use validate::{FieldError, FieldErrors, NewNotification};
pub use wire::ServerMessage;
