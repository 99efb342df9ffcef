//! The first users of a brand-new database: demo users in development, or
//! the one admin an operator names in production.

use std::net::SocketAddr;

use herald::Role;
use rand::Rng;
use rand::distributions::Alphanumeric;

use crate::config::Config;
use crate::identity::passwords::Passwords;
use crate::start::StartError;
use crate::store::Store;

/// How the audit log names changes made at startup.
const SETUP: &str = "setup";

const DEMO_USERS: [(&str, Role); 3] = [
    ("admin", Role::Admin),
    ("alice", Role::Member),
    ("bob", Role::Member),
];

/// Creates admin, alice and bob when seeding is on, Herald listens on
/// `listen` (a loopback address, see `Config::seeds_demo_users`) and the
/// database has no users yet; returns their credentials so they can be
/// shown once. Of instances starting together, one creates them.
pub async fn demo_users(
    store: &Store,
    config: &Config,
    passwords: &Passwords,
    listen: SocketAddr,
) -> Result<Vec<(String, String)>, StartError> {
    if !config.seeds_demo_users(listen) {
        if config.seed && config.env == crate::config::Environment::Development {
            tracing::warn!(
                %listen,
                "not seeding demo users: Herald listens beyond this machine (set HERALD_ENV=production to silence this)"
            );
        }
        return Ok(Vec::new());
    }
    if store.count_users().await? > 0 {
        return Ok(Vec::new());
    }
    let mut created = Vec::new();
    for (username, _) in DEMO_USERS {
        let password = config.seed_password.clone().unwrap_or_else(|| {
            rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(16)
                .map(char::from)
                .collect()
        });
        created.push((username.to_owned(), password));
    }
    let mut users = Vec::new();
    for ((username, role), (_, password)) in DEMO_USERS.iter().zip(&created) {
        users.push((*username, hash(passwords, password).await?, *role));
    }
    if !store.create_first_users(&users, SETUP).await? {
        tracing::info!("another instance created the first users");
        return Ok(Vec::new());
    }
    Ok(created)
}

/// Creates the admin named by `HERALD_ADMIN_USERNAME`/`HERALD_ADMIN_PASSWORD`
/// when the database has no users at all: how a production Herald gets its
/// first admin. Returns the username if it created one.
pub async fn first_admin(
    store: &Store,
    config: &Config,
    passwords: &Passwords,
) -> Result<Option<String>, StartError> {
    let Some(password) = config.admin_password.as_deref() else {
        return Ok(None);
    };
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    // The password was checked by `Config::validate`.
    if let Err(problem) = herald::check_username(&config.admin_username) {
        return Err(StartError::Seed(format!(
            "HERALD_ADMIN_USERNAME: {problem}"
        )));
    }
    let users = [(
        config.admin_username.as_str(),
        hash(passwords, password).await?,
        Role::Admin,
    )];
    if !store.create_first_users(&users, SETUP).await? {
        tracing::info!("another instance created the first users");
        return Ok(None);
    }
    Ok(Some(config.admin_username.clone()))
}

async fn hash(passwords: &Passwords, password: &str) -> Result<String, StartError> {
    passwords
        .hash(password.to_owned())
        .await
        .map_err(|e| StartError::Seed(e.to_string()))
}
