//! Typed settings, read from the environment (see `.env.example`).

use std::collections::HashSet;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use url::Url;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// Herald's settings. Each has a default, so a bare `cargo leptos watch`
/// runs on a local SQLite file with demo users.
// No `Debug`: the seed password must never reach a log.
#[derive(Clone, Parser)]
#[command(name = "herald", about = "Real-time in-app notifications")]
pub struct Config {
    /// `development` seeds demo users on a new database; `production` never does.
    #[arg(long, env = "HERALD_ENV", value_enum, default_value = "development")]
    pub env: Environment,

    /// Where the data lives (a SQLite file, created if missing).
    #[arg(
        long,
        env = "HERALD_DATABASE_URL",
        default_value = "sqlite://data/herald.db"
    )]
    pub database_url: String,

    /// Seed admin, alice and bob on a brand-new development database.
    #[arg(long, env = "HERALD_SEED", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed: bool,

    /// Password for the seeded users; random (and printed once) when unset.
    #[arg(long, env = "HERALD_SEED_PASSWORD", hide_env_values = true)]
    pub seed_password: Option<String>,

    /// On a database without users, create this admin (any environment):
    /// how a production Herald gets its first admin.
    #[arg(long, env = "HERALD_ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,

    /// The first admin's password (at least 12 characters); unset creates none.
    #[arg(long, env = "HERALD_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// The key that signs connection tokens for other sites. Set the same on
    /// every instance; unset, a random one per process (tokens then end with
    /// a restart).
    #[arg(long, env = "HERALD_TOKEN_SECRET", hide_env_values = true)]
    pub token_secret: Option<String>,

    /// The URL Herald is served at: https makes the session cookie Secure,
    /// and its origin may open the live socket.
    #[arg(long, env = "HERALD_PUBLIC_URL")]
    pub public_url: Option<Url>,

    /// Further origins allowed to open the live socket, comma-separated.
    #[arg(long, env = "HERALD_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Messages buffered per live connection before a slow client is cut off.
    #[arg(long, env = "HERALD_CONNECTION_QUEUE", default_value_t = 256)]
    pub connection_queue: usize,

    /// How often the server shows each live connection a sign of life (ms).
    #[arg(long, env = "HERALD_HEARTBEAT_MS", default_value_t = 25_000)]
    pub heartbeat_ms: u64,

    /// How long past a heartbeat a silent client is given before it is
    /// closed as dead (ms).
    #[arg(long, env = "HERALD_HEARTBEAT_TIMEOUT_MS", default_value_t = 10_000)]
    pub heartbeat_timeout_ms: u64,

    /// Integration API requests per second per key, after a burst.
    #[arg(long, env = "HERALD_API_RATE", default_value_t = 10)]
    pub api_rate: u32,

    /// Integration API requests per key allowed in a burst.
    #[arg(long, env = "HERALD_API_BURST", default_value_t = 50)]
    pub api_burst: u32,

    /// `auto` uses the WebSocket and falls back to server-sent events;
    /// `sse` makes browsers use server-sent events only (for testing).
    #[arg(
        long,
        env = "HERALD_LIVE_TRANSPORT",
        value_enum,
        default_value = "auto"
    )]
    pub live_transport: Transport,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    Auto,
    Sse,
}

impl Config {
    /// Reads the settings from the environment (and command line).
    pub fn from_env() -> Config {
        Config::parse()
    }

    /// Defaults for everything but the database: what tests start from.
    pub fn for_database(database_url: &str) -> Config {
        let mut config = Config::parse_from(["herald"]);
        config.database_url = database_url.to_owned();
        config
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.heartbeat_ms.max(1))
    }

    pub fn heartbeat_timeout(&self) -> Duration {
        Duration::from_millis(self.heartbeat_timeout_ms)
    }

    /// The transport browsers are told to use.
    pub fn transport(&self) -> herald::wire::Transport {
        match self.live_transport {
            Transport::Auto => herald::wire::Transport::Auto,
            Transport::Sse => herald::wire::Transport::Sse,
        }
    }

    pub fn seeds_demo_users(&self) -> bool {
        self.seed && self.env == Environment::Development
    }

    /// Whether cookies must only travel over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }

    /// The origins explicitly allowed to open the live socket, normalised.
    pub fn allowed_origins(&self) -> HashSet<String> {
        self.public_url
            .iter()
            .map(|u| u.origin().ascii_serialization())
            .chain(
                self.allowed_origins
                    .iter()
                    .filter_map(|o| normalise_origin(o)),
            )
            .collect()
    }
}

/// `scheme://host[:port]` in lower case, without a trailing slash.
pub fn normalise_origin(origin: &str) -> Option<String> {
    let url = Url::parse(origin.trim()).ok()?;
    match url.origin() {
        origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_development_on_sqlite_with_insecure_cookies() {
        let config = Config::for_database("sqlite://x.db");
        assert_eq!(config.env, Environment::Development);
        assert!(config.seeds_demo_users());
        assert!(!config.secure_cookies());
        assert!(config.allowed_origins().is_empty());
    }

    #[test]
    fn https_public_url_makes_cookies_secure_and_its_origin_allowed() {
        let mut config = Config::for_database("sqlite://x.db");
        config.public_url = Some(Url::parse("https://Herald.Example.com/app/").unwrap());
        config.allowed_origins = vec!["http://localhost:8000/".into(), "null".into()];
        assert!(config.secure_cookies());
        let allowed = config.allowed_origins();
        assert!(allowed.contains("https://herald.example.com"));
        assert!(allowed.contains("http://localhost:8000"));
        assert_eq!(allowed.len(), 2);
    }

    #[test]
    fn production_never_seeds() {
        let mut config = Config::for_database("sqlite://x.db");
        config.env = Environment::Production;
        assert!(!config.seeds_demo_users());
    }
}
