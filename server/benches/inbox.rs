//! How fast the badge and the first inbox page are for a user with a huge
//! inbox. Run with `cargo bench -p server --bench inbox` (optionally
//! `HERALD_BENCH_ROWS=…`; default 1,000,000). Prints per-query latency; the
//! goal is under 5 ms for the count and for each view's first page.

use std::time::{Duration, Instant};

use herald::{InboxView, Role};
use server::store::Store;

const RUNS: usize = 500;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rows: i64 = std::env::var("HERALD_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::connect(&url).await.expect("database");
    store.migrate().await.expect("migrations");
    let user = store
        .create_user("alice", "not-a-real-hash", Role::Member, "bench")
        .await
        .expect("user")
        .id;

    let started = Instant::now();
    // Every third read, every tenth archived: all three views are large.
    store
        .execute_script(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
             INSERT INTO notifications (user_id, seq, version, title, body, category, created_at, read_at, archived_at) \
             SELECT {user}, i, i, 'Notification ' || i, 'Body of notification ' || i, 'info', i, \
                    CASE WHEN i % 3 = 0 THEN i END, CASE WHEN i % 10 = 0 THEN i END FROM n; \
             UPDATE users SET last_seq = {rows}, unread = (SELECT COUNT(id) FROM notifications \
             WHERE user_id = {user} AND read_at IS NULL AND archived_at IS NULL) WHERE id = {user}; \
             ANALYZE;"
        ))
        .await
        .expect("bulk insert");
    println!(
        "inserted {rows} notifications for one user in {:.1?}",
        started.elapsed()
    );

    let unread = store.unread(user).await.expect("count").unread;
    println!("unread: {unread}");
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "query", "median", "p99", "max"
    );
    report(
        "unread count",
        time(|| async { store.unread(user).await.map(|_| ()) }).await,
    );
    for view in InboxView::ALL {
        let label = format!("first page of {}", view.as_str());
        report(
            &label,
            time(|| async { store.page(user, view, None, 20).await.map(|_| ()) }).await,
        );
    }
    let middle = Some(rows / 2);
    report(
        "a page halfway down (all)",
        time(|| async {
            store
                .page(user, InboxView::All, middle, 20)
                .await
                .map(|_| ())
        })
        .await,
    );
}

async fn time<F, Fut, E>(mut run: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Debug,
{
    run().await.expect("warm-up");
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        run().await.expect("query");
        samples.push(start.elapsed());
    }
    samples.sort();
    samples
}

fn report(label: &str, samples: Vec<Duration>) {
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!(
        "{label:<28} {:>10.3?} {:>10.3?} {:>10.3?}",
        at(0.5),
        at(0.99),
        samples[samples.len() - 1]
    );
}
