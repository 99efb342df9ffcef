//! The first users of a brand-new database: demo users in development, or
//! the one admin an operator names in production.

use herald::Role;
use rand::Rng;
use rand::distributions::Alphanumeric;

use crate::StartError;
use crate::auth::hash_password;
use crate::config::Config;
use crate::store::Store;

const DEMO_USERS: [(&str, Role); 3] = [
    ("admin", Role::Admin),
    ("alice", Role::Member),
    ("bob", Role::Member),
];

/// Creates admin, alice and bob when seeding is on and the database has no
/// users yet; returns their credentials so they can be shown once.
pub async fn demo_users(
    store: &Store,
    config: &Config,
) -> Result<Vec<(String, String)>, StartError> {
    if !config.seeds_demo_users() || store.count_users().await? > 0 {
        return Ok(Vec::new());
    }
    let mut created = Vec::new();
    for (username, role) in DEMO_USERS {
        let password = config.seed_password.clone().unwrap_or_else(|| {
            rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(16)
                .map(char::from)
                .collect()
        });
        create(store, username, &password, role).await?;
        created.push((username.to_owned(), password));
    }
    Ok(created)
}

/// Creates the admin named by `HERALD_ADMIN_USERNAME`/`HERALD_ADMIN_PASSWORD`
/// when the database has no users at all: how a production Herald gets its
/// first admin. Returns the username if it created one.
pub async fn first_admin(store: &Store, config: &Config) -> Result<Option<String>, StartError> {
    let Some(password) = config.admin_password.as_deref() else {
        return Ok(None);
    };
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    if password.chars().count() < 12 {
        return Err(StartError::Seed(
            "HERALD_ADMIN_PASSWORD must have at least 12 characters".into(),
        ));
    }
    create(store, &config.admin_username, password, Role::Admin).await?;
    Ok(Some(config.admin_username.clone()))
}

async fn create(
    store: &Store,
    username: &str,
    password: &str,
    role: Role,
) -> Result<(), StartError> {
    let to_hash = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&to_hash))
        .await
        .map_err(|e| StartError::Seed(e.to_string()))?
        .map_err(|e| StartError::Seed(e.to_string()))?;
    store.create_user(username, &hash, role).await?;
    Ok(())
}
