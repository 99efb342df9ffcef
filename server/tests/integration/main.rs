//! Herald's integration tests: a real server on a real SQLite file, real
//! HTTP and WebSocket clients over real sockets.

mod accounts;
mod admin;
mod api;
mod common;
mod inbox;
mod live;
mod persistence;
mod resume;
