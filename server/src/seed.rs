//! Demo users for a brand-new development database.

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
        let to_hash = password.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(&to_hash))
            .await
            .map_err(|e| StartError::Seed(e.to_string()))?
            .map_err(|e| StartError::Seed(e.to_string()))?;
        store.create_user(username, &hash, role).await?;
        created.push((username.to_owned(), password));
    }
    Ok(created)
}
