//! Typed settings, read from the environment (see `.env.example`).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use thiserror::Error;
use url::Url;

/// The shortest token secret accepted: 256 bits, the HMAC-SHA256 key size.
pub const TOKEN_SECRET_MIN_BYTES: usize = 32;

/// A setting Herald refuses to start with.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "HERALD_TOKEN_SECRET must be at least {TOKEN_SECRET_MIN_BYTES} bytes (try `openssl rand -hex 32`), or unset for a random key per process"
    )]
    WeakTokenSecret,
    #[error(
        "HERALD_WEBHOOK_SECRET must be at least {TOKEN_SECRET_MIN_BYTES} bytes (try `openssl rand -hex 32`), or unset to refuse webhook actions"
    )]
    WeakWebhookSecret,
    #[error("{name}: {problem}")]
    BadPassword { name: &'static str, problem: String },
    #[error("HERALD_WEBHOOK_ALLOW: {0:?} is not an address, a network (10.0.0.0/8) or a host name")]
    BadWebhookAllow(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// Herald's settings. Each has a default, so a bare `cargo leptos watch`
/// runs on a local SQLite file with demo users; none of the defaults opens
/// a hole on a server others can reach (see [`Config::seeds_demo_users`]).
// No `Debug`: the seed password must never reach a log.
#[derive(Clone, Parser)]
#[command(name = "herald", about = "Real-time in-app notifications")]
pub struct Config {
    /// `development` seeds demo users on a new database, if Herald listens
    /// on a loopback address only; `production` never does.
    #[arg(long, env = "HERALD_ENV", value_enum, default_value = "development")]
    pub env: Environment,

    /// Where the data lives (a SQLite file, created if missing).
    #[arg(
        long,
        env = "HERALD_DATABASE_URL",
        default_value = "sqlite://data/herald.db"
    )]
    pub database_url: String,

    /// PostgreSQL connections one instance opens for its queries (the
    /// session store takes up to 4 more, the listener 1): keep instances ×
    /// (this + 5) under the server's `max_connections`. Unused on SQLite.
    #[arg(long, env = "HERALD_DATABASE_POOL", default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub database_pool: u32,

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

    /// The key that signs the webhooks of notifications' actions
    /// (`Herald-Signature`, HMAC-SHA256). Unset, webhook actions are refused.
    #[arg(long, env = "HERALD_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,

    /// Who push services may contact about Herald's web pushes (the VAPID
    /// `sub` claim): a `mailto:` or `https:` URL.
    #[arg(
        long,
        env = "HERALD_PUSH_CONTACT",
        default_value = "mailto:herald@localhost"
    )]
    pub push_contact: String,

    /// Accept web push subscriptions at plain-http endpoints and at
    /// addresses inside the network (a local push service in tests).
    /// Browsers' push services are all https on the public internet; off,
    /// a user cannot have Herald POST to an address of their choosing.
    #[arg(long, env = "HERALD_PUSH_ALLOW_LOCAL", default_value_t = false, action = clap::ArgAction::Set)]
    pub push_allow_local: bool,

    /// Hosts and networks inside the network that webhooks may reach
    /// (plain http too), comma-separated: `10.0.0.0/8,hooks.internal`.
    /// Unset, webhooks go only to https addresses on the public internet.
    #[arg(long, env = "HERALD_WEBHOOK_ALLOW", value_delimiter = ',')]
    pub webhook_allow: Vec<String>,

    /// The most push devices one user keeps: turning push on for another
    /// forgets the one turned on longest ago.
    #[arg(long, env = "HERALD_PUSH_DEVICES_PER_USER", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub push_devices_per_user: u32,

    /// The first wait before a failed webhook is tried again (ms); it
    /// doubles with each attempt, up to an hour, for at most 10 attempts.
    #[arg(long, env = "HERALD_WEBHOOK_RETRY_MS", default_value_t = 10_000)]
    pub webhook_retry_ms: u64,

    /// The SMTP server email digests go through, as
    /// `smtps://user:password@host:465` (TLS), `smtp://user:password@host:587?tls=required`
    /// (STARTTLS) or `smtp://host:25`. Unset, Herald sends no email.
    /// Needs HERALD_PUBLIC_URL for the links in them.
    #[arg(long, env = "HERALD_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of email digests.
    #[arg(
        long,
        env = "HERALD_EMAIL_FROM",
        default_value = "Herald <herald@localhost>"
    )]
    pub email_from: String,

    /// How long a notification stays unread and unseen in every tab before
    /// it goes into an email digest (minutes).
    #[arg(long, env = "HERALD_EMAIL_AFTER_MINUTES", default_value_t = 30.0)]
    pub email_after_minutes: f64,

    /// The least time between two digests to one user (minutes).
    #[arg(long, env = "HERALD_EMAIL_INTERVAL_MINUTES", default_value_t = 60.0)]
    pub email_interval_minutes: f64,

    /// The first wait before a digest the mail server refused is tried
    /// again (ms); it doubles with each attempt, up to an hour, 10 attempts.
    #[arg(long, env = "HERALD_EMAIL_RETRY_MS", default_value_t = 30_000)]
    pub email_retry_ms: u64,

    /// The URL Herald is served at: https makes the session cookie Secure,
    /// and its origin may open the live socket.
    #[arg(long, env = "HERALD_PUBLIC_URL")]
    pub public_url: Option<Url>,

    /// Further origins allowed to open the live socket with a session, and
    /// to call `/api/v1/me` and `/events` with a token (CORS), comma-separated.
    #[arg(long, env = "HERALD_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Live connections one user may hold open on this instance; a further
    /// one is closed with code 4029.
    #[arg(long, env = "HERALD_MAX_CONNECTIONS_PER_USER", default_value_t = 20)]
    pub max_connections_per_user: usize,

    /// How long a session lasts without activity (seconds; default 14 days).
    /// Each use extends it.
    #[arg(long, env = "HERALD_SESSION_IDLE_SECS", default_value_t = 14 * 24 * 60 * 60)]
    pub session_idle_secs: u64,

    /// Delete read notifications this many days after they were read (and
    /// retracted ones as long after they were retracted); 0 keeps them forever.
    #[arg(long, env = "HERALD_RETENTION_DAYS", default_value_t = 0)]
    pub retention_days: u64,

    /// How often expired sessions, idempotency records and (with a retention
    /// period) old notifications are deleted (seconds).
    #[arg(long, env = "HERALD_PURGE_INTERVAL_SECS", default_value_t = 3600)]
    pub purge_interval_secs: u64,

    /// Trust the last `X-Forwarded-For` hop as the client's address (only
    /// behind a proxy that sets it, such as the documented nginx).
    #[arg(long, env = "HERALD_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,

    /// How long a client may take to send a request's headers (seconds).
    #[arg(long, env = "HERALD_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// How long a request may take, body included, until its response
    /// starts (seconds). Live streams are not cut: their response starts at once.
    #[arg(long, env = "HERALD_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Requests handled at once (live connections not counted); past it,
    /// 503 with Retry-After at once instead of a queue that only grows.
    #[arg(long, env = "HERALD_MAX_CONCURRENT_REQUESTS", default_value_t = 1024)]
    pub max_concurrent_requests: usize,

    /// This instance's name among several (PostgreSQL): in logs, presence
    /// and its listener's `application_name`. Random when unset.
    #[arg(long, env = "HERALD_INSTANCE_ID")]
    pub instance_id: Option<String>,

    /// On SIGTERM, how long to keep answering HTTP after `/readyz` turns
    /// 503 and live connections are asked to move (1001), so a load
    /// balancer stops sending traffic before the process goes.
    #[arg(long, env = "HERALD_DRAIN_SECS", default_value_t = 0)]
    pub drain_secs: u64,

    /// The first wait before reconnecting a lost PostgreSQL listener (ms);
    /// it doubles on each failure, up to five seconds.
    #[arg(long, env = "HERALD_LISTENER_RETRY_MS", default_value_t = 100)]
    pub listener_retry_ms: u64,

    /// How often each instance pings itself through its PostgreSQL
    /// listener (ms). A listener that hears nothing for three pings has
    /// lost its connection, even if nothing reset it (a NAT or load
    /// balancer that drops idle connections silently): the instance is
    /// unready until it has reconnected and caught every client up.
    #[arg(long, env = "HERALD_LISTENER_PING_MS", default_value_t = 2_000,
          value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub listener_ping_ms: u64,

    /// Users written per transaction when a send to everyone or a role
    /// fans out in the background: larger batches finish sooner, smaller
    /// ones let other writes in between.
    #[arg(long, env = "HERALD_FANOUT_BATCH", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub fanout_batch: u32,

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

    /// Integration API requests per second per key (and per user with a
    /// connection token, on `/api/v1/me`), after a burst.
    #[arg(long, env = "HERALD_API_RATE", default_value_t = 10)]
    pub api_rate: u32,

    /// Integration API requests per key (or per user) allowed in a burst.
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

    /// Demo users (with passwords anyone can read in the README or a log)
    /// only where nobody else can reach them: in development, listening on
    /// a loopback address. A forgotten `HERALD_ENV` on a server bound to a
    /// public address therefore seeds nothing.
    pub fn seeds_demo_users(&self, listen: SocketAddr) -> bool {
        self.seed && self.env == Environment::Development && listen.ip().is_loopback()
    }

    /// Refuses settings that would leave a hole: a guessable token key, or
    /// an empty or short password for the seeded users or the first admin.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self
            .token_secret
            .as_ref()
            .is_some_and(|s| s.len() < TOKEN_SECRET_MIN_BYTES)
        {
            return Err(ConfigError::WeakTokenSecret);
        }
        if self
            .webhook_secret
            .as_ref()
            .is_some_and(|s| s.len() < TOKEN_SECRET_MIN_BYTES)
        {
            return Err(ConfigError::WeakWebhookSecret);
        }
        self.webhook_reach()?;
        for (name, password) in [
            ("HERALD_SEED_PASSWORD", &self.seed_password),
            ("HERALD_ADMIN_PASSWORD", &self.admin_password),
        ] {
            if let Some(Err(problem)) = password.as_deref().map(herald::check_password) {
                return Err(ConfigError::BadPassword {
                    name,
                    problem: problem.to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Where webhooks may be delivered.
    pub fn webhook_reach(&self) -> Result<crate::jobs::outbound::Reach, ConfigError> {
        crate::jobs::outbound::Reach::allowing(&self.webhook_allow)
            .map_err(ConfigError::BadWebhookAllow)
    }

    /// Minutes as milliseconds, never below one.
    fn minutes_ms(minutes: f64) -> i64 {
        ((minutes * 60_000.0) as i64).max(1)
    }

    /// How long a notification waits unseen before it is emailed (ms).
    pub fn email_after_ms(&self) -> i64 {
        Config::minutes_ms(self.email_after_minutes)
    }

    /// The least time between two digests to one user (ms).
    pub fn email_interval_ms(&self) -> i64 {
        Config::minutes_ms(self.email_interval_minutes)
    }

    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_secs.max(1))
    }

    pub fn purge_interval(&self) -> Duration {
        Duration::from_secs(self.purge_interval_secs).max(Duration::from_millis(10))
    }

    /// How long read notifications are kept, if not forever.
    pub fn retention(&self) -> Option<Duration> {
        (self.retention_days > 0).then(|| Duration::from_secs(self.retention_days * 24 * 60 * 60))
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

    fn at(addr: &str) -> SocketAddr {
        addr.parse().unwrap()
    }

    #[test]
    fn defaults_are_development_on_sqlite_with_insecure_cookies() {
        let config = Config::for_database("sqlite://x.db");
        assert_eq!(config.env, Environment::Development);
        assert!(config.seeds_demo_users(at("127.0.0.1:3000")));
        assert!(config.seeds_demo_users(at("[::1]:3000")));
        assert_eq!(config.validate(), Ok(()));
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
        assert!(!config.seeds_demo_users(at("127.0.0.1:3000")));
    }

    #[test]
    fn a_forgotten_env_never_seeds_a_server_others_can_reach() {
        let config = Config::for_database("sqlite://x.db");
        assert!(!config.seeds_demo_users(at("0.0.0.0:3000")));
        assert!(!config.seeds_demo_users(at("192.0.2.7:3000")));
        assert!(!config.seeds_demo_users(at("[::]:3000")));
    }

    #[test]
    fn weak_secrets_and_passwords_are_refused() {
        let mut config = Config::for_database("sqlite://x.db");
        for weak in ["", "short", &"x".repeat(31)] {
            config.token_secret = Some(weak.to_owned());
            assert_eq!(
                config.validate(),
                Err(ConfigError::WeakTokenSecret),
                "{weak:?}"
            );
        }
        config.token_secret = Some("x".repeat(32));
        assert_eq!(config.validate(), Ok(()));
        config.seed_password = Some(String::new());
        assert!(matches!(
            config.validate(),
            Err(ConfigError::BadPassword {
                name: "HERALD_SEED_PASSWORD",
                ..
            })
        ));
        config.seed_password = None;
        config.admin_password = Some("eleven char".into());
        assert!(matches!(
            config.validate(),
            Err(ConfigError::BadPassword {
                name: "HERALD_ADMIN_PASSWORD",
                ..
            })
        ));
    }

    #[test]
    fn a_database_pool_under_two_is_refused_by_name() {
        assert_eq!(Config::for_database("sqlite://x.db").database_pool, 16);
        let parsed = Config::try_parse_from(["herald", "--database-pool", "1"]);
        let error = parsed.err().expect("a pool of one is refused").to_string();
        assert!(error.contains("--database-pool"), "{error}");
        let parsed = Config::try_parse_from(["herald", "--database-pool", "2"]).unwrap();
        assert_eq!(parsed.database_pool, 2);
    }
}
