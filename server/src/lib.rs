#![recursion_limit = "256"]
//! Herald's server: the axum app serving the Leptos pages, their server
//! functions, the API and the live socket. `main.rs` only starts it.
//!
//! A notification's path, folder by folder: `api/` (or the console's
//! server functions in `backend`) -> `realtime::notifier` (the rules) ->
//! `store/` (one transaction) -> `realtime::broker` (every instance) ->
//! `realtime::hub` -> `realtime::live` (the socket). `jobs/` works in the
//! background, `identity/` says who is asking, `http/` is everything
//! around a request.

pub mod api;
pub mod backend;
pub mod config;
pub mod error;
pub mod html;
pub mod http;
pub mod identity;
pub mod jobs;
pub mod realtime;
pub mod start;
pub mod state;
pub mod store;
pub mod telemetry;
#[cfg(test)]
mod testing;

pub use start::{Herald, StartError};
pub use state::AppState;
