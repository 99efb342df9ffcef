//! The real-time core: the notifier applies the rules and writes through
//! the store, the broker carries each committed change to every instance,
//! the hub hands it to this instance's live connections.

pub mod broker;
pub mod hub;
pub mod live;
pub mod notifier;
