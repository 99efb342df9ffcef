//! A batch costs the same statements however many sends it holds: every
//! statement sqlx runs in this process is counted (the only test here that
//! touches a database, so nothing else is counted with it), for a batch of
//! 3 sends and one of 40, on SQLite and, when this half of the suite runs
//! on it (`HERALD_TEST_DATABASE=postgres`), on PostgreSQL.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use herald::{Category, NewNotification, UserId};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, filter::Targets};

use crate::store::{Named, Remember, Store, Stored};

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

/// Counts sqlx's one event per statement run.
struct CountStatements;

impl<S: tracing::Subscriber> Layer<S> for CountStatements {
    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        STATEMENTS.fetch_add(1, Ordering::SeqCst);
    }
}

/// A fresh database of the engine this half of the suite runs on.
async fn fresh_url(dir: &tempfile::TempDir) -> String {
    if std::env::var("HERALD_TEST_DATABASE").as_deref() != Ok("postgres") {
        return format!("sqlite://{}", dir.path().join("herald.db").display());
    }
    use sqlx::Connection;
    let server = std::env::var("HERALD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let name = format!("herald_test_{}_statements", std::process::id());
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

fn send(n: usize, users: &[UserId], key: Option<i64>) -> Named {
    // Each send reaches up to five users, overlapping its neighbours'.
    let ids = (0..=n % 5).map(|i| users[(n + i) % users.len()]).collect();
    Named {
        ids,
        content: NewNotification {
            title: format!("send {n}"),
            body: String::new(),
            link: None,
            category: if n.is_multiple_of(3) {
                Category::Mention
            } else {
                Category::Info
            },
            expires_at: None,
            actions: Vec::new(),
        },
        actor: None,
        sender: "test".to_owned(),
        remember: key.map(|api_key| Remember {
            api_key,
            key: format!("key-{n}"),
            request_hash: vec![n as u8, 0xff],
            response: |_: Stored<'_>| "{}".to_owned(),
        }),
        online: HashSet::new(),
    }
}

#[tokio::test]
async fn a_batch_costs_the_same_statements_however_many_sends_it_holds() {
    tracing_subscriber::registry()
        .with(
            CountStatements
                .with_filter(Targets::new().with_target("sqlx::query", tracing::Level::TRACE)),
        )
        .init();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&fresh_url(&dir).await).await.unwrap();
    store.migrate().await.unwrap();
    let mut users = Vec::new();
    for name in ["ann", "ben", "cy", "dee", "eve", "fay", "gus"] {
        users.push(store.external_user(name).await.unwrap().unwrap().id);
    }
    let key = store.create_api_key("batch", "test").await.unwrap().0.id;

    let mut cost = Vec::new();
    for (first, count) in [(0, 3), (3, 40)] {
        // Every other send carries an Idempotency-Key.
        let sends: Vec<Named> = (first..first + count)
            .map(|n| send(n, &users, n.is_multiple_of(2).then_some(key)))
            .collect();
        let before = STATEMENTS.load(Ordering::SeqCst);
        let created = store.create_together(&sends).await.unwrap();
        cost.push(STATEMENTS.load(Ordering::SeqCst) - before);
        assert_eq!(created.len(), count);
    }
    eprintln!("statements for a batch of 3 and of 40: {cost:?}");
    assert!(cost[0] > 0, "statements are counted");
    assert_eq!(
        cost[0], cost[1],
        "3 sends and 40 sends: the same statements"
    );
    assert!(
        cost[1] <= 9,
        "a batch takes at most 9 statements, took {}",
        cost[1]
    );
}
