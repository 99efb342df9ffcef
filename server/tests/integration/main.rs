//! Herald's integration tests: a real server on a real SQLite file, real
//! HTTP and WebSocket clients over real sockets.

mod accounts;
mod actions;
mod admin;
mod api;
mod arguments;
mod assets;
mod atomic;
mod batches;
mod checks;
mod cluster;
mod common;
mod edges;
mod email;
mod embed;
mod expiry;
mod fanout;
mod grants;
mod groups;
mod identities;
mod inbox;
mod languages;
mod live;
mod logins;
mod me;
mod operations;
mod persistence;
mod preferences;
pub mod process;
mod push;
mod resume;
mod scheduled;
mod snooze;
mod topics;
