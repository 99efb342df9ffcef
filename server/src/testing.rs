//! For the unit tests that count the statements sqlx runs (a batch's, a
//! connection's): one recorder of every statement in this process, and a
//! lock so that only one such test runs at a time. No other unit test here
//! touches a database.

use std::sync::{Mutex, Once};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, filter::Targets};

/// Every statement run so far, as sqlx logs it.
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Record;

impl<S: tracing::Subscriber> Layer<S> for Record {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut sql = Sql(String::new());
        event.record(&mut sql);
        // A new pooled SQLite connection's set-up is not the work measured.
        if !sql.0.starts_with("PRAGMA") {
            STATEMENTS.lock().unwrap().push(sql.0);
        }
    }
}

/// The statement's text: its full SQL, or its summary when that is all.
struct Sql(String);

impl Visit for Sql {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "db.statement" && !value.trim().is_empty() {
            self.0 = value.trim().to_owned();
        } else if field.name() == "summary" && self.0.is_empty() {
            self.0 = value.to_owned();
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

/// Starts recording (once) and holds the lock for the calling test.
pub async fn counting_statements() -> tokio::sync::MutexGuard<'static, ()> {
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing_subscriber::registry()
            .with(
                Record
                    .with_filter(Targets::new().with_target("sqlx::query", tracing::Level::TRACE)),
            )
            .init();
    });
    SERIAL.lock().await
}

/// How many statements have run so far.
pub fn statements_run() -> usize {
    STATEMENTS.lock().unwrap().len()
}

/// The statements run since `from` (a [`statements_run`] count).
pub fn statements_since(from: usize) -> Vec<String> {
    STATEMENTS.lock().unwrap()[from..].to_vec()
}

/// A fresh database of the engine this half of the suite runs on: a
/// SQLite file in `dir`, or with `HERALD_TEST_DATABASE=postgres` a new
/// database named after `name` on the local PostgreSQL.
pub async fn fresh_url(dir: &tempfile::TempDir, name: &str) -> String {
    if std::env::var("HERALD_TEST_DATABASE").as_deref() != Ok("postgres") {
        return format!("sqlite://{}", dir.path().join("herald.db").display());
    }
    use sqlx::Connection;
    let server = std::env::var("HERALD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let name = format!("herald_test_{}_{name}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(&sql).execute(&mut admin).await.unwrap();
    }
    format!("{server}/{name}")
}

/// A plain send of `title` to `ids`, for tests to adjust.
pub fn named(title: String, ids: Vec<herald::UserId>) -> crate::store::Named {
    crate::store::Named {
        ids,
        content: herald::NewNotification {
            title,
            body: String::new(),
            link: None,
            category: herald::Category::Info,
            expires_at: None,
            actions: Vec::new(),
            group_key: None,
        },
        actor: None,
        sender: "test".to_owned(),
        remember: None,
        online: std::collections::HashSet::new(),
    }
}

/// The store at `url` (a [`fresh_url`]), migrated, with one user per name.
pub async fn store_with_users(
    url: &str,
    users: &[&str],
) -> (crate::store::Store, Vec<herald::UserId>) {
    let store = crate::store::Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let mut ids = Vec::new();
    for user in users {
        ids.push(store.external_user(user).await.unwrap().unwrap().id);
    }
    (store, ids)
}
