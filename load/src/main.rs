//! `load`: Herald under load, measured from outside. It starts Herald on a
//! fresh database, makes users and connection tokens through the public
//! API, opens authenticated WebSocket connections, drives notifications
//! through `POST /api/v1/notifications`, and reports latency (from the send
//! time carried in each body), throughput, the server's memory and CPU (from
//! /proc), and whether every socket received each of its notifications
//! exactly once — failing loudly if not. `make bench` runs the scenarios;
//! `make test` runs `smoke` for correctness only.

mod clients;
mod report;
mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use futures::StreamExt;

use clients::{Api, Received, Totals};
use report::{Percentiles, Report};
use server::Server;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// 500 connections, 2,000 notifications as fast as they go: correctness.
    Smoke,
    /// N connections held across two heartbeats: memory per connection.
    Idle,
    /// 1,000 users, 1,000 notifications a second for 60 seconds.
    Steady,
    /// One notification to every connected user.
    Broadcast,
}

#[derive(Parser)]
#[command(about = "Herald under load, measured from outside")]
struct Args {
    #[arg(long, value_enum, default_value = "smoke")]
    scenario: Scenario,
    /// Live connections (default per scenario).
    #[arg(long)]
    connections: Option<usize>,
    /// Notifications per second (steady).
    #[arg(long)]
    rate: Option<u64>,
    /// How long to send (steady).
    #[arg(long)]
    seconds: Option<u64>,
    /// The Herald binary to start.
    #[arg(long, default_value = "target/release/herald")]
    binary: String,
    /// Run on PostgreSQL: the server's URL, e.g. postgres://postgres@127.0.0.1:5432.
    #[arg(long)]
    postgres: Option<String>,
    /// Where the JSON report goes.
    #[arg(long, default_value = "target/load")]
    out: PathBuf,
}

/// What one run does.
struct Plan {
    connections: usize,
    users: usize,
    notifications: u64,
    /// Sends per second; `None`: as fast as 64 in flight allow.
    rate: Option<u64>,
    broadcast: bool,
    heartbeat_ms: u64,
    /// How long to hold the connections idle before measuring.
    hold: Duration,
}

impl Plan {
    fn of(args: &Args) -> Plan {
        let heartbeat_ms = 5_000;
        match args.scenario {
            Scenario::Smoke => Plan {
                connections: args.connections.unwrap_or(500),
                users: args.connections.unwrap_or(500) / 2,
                notifications: 2_000,
                rate: None,
                broadcast: false,
                heartbeat_ms,
                hold: Duration::ZERO,
            },
            Scenario::Idle => Plan {
                connections: args.connections.unwrap_or(10_000),
                users: args.connections.unwrap_or(10_000),
                notifications: 0,
                rate: None,
                broadcast: false,
                heartbeat_ms,
                hold: Duration::from_millis(2 * heartbeat_ms + 1_000),
            },
            Scenario::Steady => {
                let rate = args.rate.unwrap_or(1_000);
                Plan {
                    connections: args.connections.unwrap_or(1_000),
                    users: args.connections.unwrap_or(1_000),
                    notifications: rate * args.seconds.unwrap_or(60),
                    rate: Some(rate),
                    broadcast: false,
                    heartbeat_ms,
                    hold: Duration::ZERO,
                }
            }
            Scenario::Broadcast => Plan {
                connections: args.connections.unwrap_or(10_000),
                users: args.connections.unwrap_or(10_000),
                notifications: 1,
                rate: None,
                broadcast: true,
                heartbeat_ms,
                hold: Duration::ZERO,
            },
        }
    }
}

fn user_name(user: usize) -> String {
    format!("load-{user}")
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let plan = Plan::of(&args);
    let files = server::raise_open_files_limit();
    assert!(
        // This process and the server each hold one file per socket.
        (plan.connections as u64) + 500 < files,
        "{} connections need more open files than the limit ({files}) allows",
        plan.connections
    );
    let env = [
        ("HERALD_HEARTBEAT_MS", plan.heartbeat_ms.to_string()),
        ("HERALD_MAX_CONNECTIONS_PER_USER", "1000".to_owned()),
    ];
    let server = Server::start(&args.binary, args.postgres.as_deref(), &env).await;
    eprintln!(
        "Herald is up at {}; making {} users",
        server.url, plan.users
    );
    let api = Api::new(&server.url).await;

    let tokens: Vec<String> = futures::stream::iter(0..plan.users)
        .map(|u| {
            let api = api.clone();
            async move { api.token(&user_name(u)).await }
        })
        .buffered(64)
        .collect()
        .await;
    let before = server.usage();
    eprintln!("opening {} connections", plan.connections);

    let started = Instant::now();
    let sockets: Vec<_> = futures::stream::iter(0..plan.connections)
        .map(|n| {
            let (base, token) = (server.url.clone(), tokens[n % plan.users].clone());
            async move { (n, clients::open(&base, n, &token).await) }
        })
        .buffer_unordered(256)
        .collect()
        .await;
    let connect_seconds = started.elapsed().as_secs_f64();
    if !plan.hold.is_zero() {
        // The scenario itself: connections sit idle through two heartbeats.
        tokio::time::sleep(plan.hold).await;
    }
    let connected = server.usage();
    eprintln!(
        "connected in {connect_seconds:.2} s; sending {} notifications",
        plan.notifications
    );

    // Which user each socket belongs to follows from its index (they
    // opened in any order).
    let totals = Arc::new(Totals::default());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let receivers: Vec<_> = sockets
        .into_iter()
        .map(|(n, ws)| {
            tokio::spawn(clients::receive(
                ws,
                n % plan.users,
                totals.clone(),
                stopped.clone(),
            ))
        })
        .collect();

    let expected = if plan.broadcast {
        plan.connections as u64
    } else {
        (0..plan.connections)
            .map(|n| {
                let user = (n % plan.users) as u64;
                (0..plan.notifications)
                    .filter(|i| i % plan.users as u64 == user)
                    .count() as u64
            })
            .sum()
    };
    let sending = Instant::now();
    let (api_latencies, failed) = drive(&api, &plan).await;
    let send_errors = failed.len() as u64;
    // A failed create reaches nobody: expect only what was created.
    let expected = expected
        - failed
            .iter()
            .map(|i| {
                if plan.broadcast {
                    plan.connections as u64
                } else {
                    (0..plan.connections)
                        .filter(|n| (n % plan.users) as u64 == i % plan.users as u64)
                        .count() as u64
                }
            })
            .sum::<u64>();
    let deadline = Instant::now() + Duration::from_secs(30);
    while totals.received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = sending.elapsed().as_secs_f64();
    let after = server.usage();
    stop.send_replace(true);
    let mut received: Vec<Received> = Vec::new();
    for receiver in receivers {
        received.push(receiver.await.expect("a receiver"));
    }

    let exactly_once = received.iter().all(|r| {
        let want: std::collections::HashSet<u64> = (0..plan.notifications)
            .filter(|i| plan.broadcast || i % plan.users as u64 == r.user as u64)
            .filter(|i| !failed.contains(i))
            .collect();
        let same = r.duplicates == 0 && r.seen == want;
        if !same {
            let missing = want.difference(&r.seen).take(5).collect::<Vec<_>>();
            let extra = r.seen.difference(&want).take(5).collect::<Vec<_>>();
            eprintln!("user {}: missing {missing:?}, unexpected {extra:?}", r.user);
        }
        same
    });
    let deliveries = totals.received.load(Ordering::Relaxed);
    let latencies: Vec<u64> = received
        .iter()
        .flat_map(|r| r.latencies_us.iter().copied())
        .collect();
    let cpu = after.cpu.saturating_sub(connected.cpu);
    let report = Report {
        scenario: format!("{:?}", args.scenario).to_lowercase(),
        engine: if args.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
        .to_owned(),
        connections: plan.connections,
        users: plan.users,
        notifications: plan.notifications,
        deliveries_expected: expected,
        deliveries,
        duplicates: totals.duplicates.load(Ordering::Relaxed),
        send_errors,
        latency_ms: Percentiles::of(latencies),
        api_ms: Percentiles::of(api_latencies),
        deliveries_per_second: if elapsed > 0.0 {
            deliveries as f64 / elapsed
        } else {
            0.0
        },
        connect_seconds,
        rss_before_connections_kib: before.rss_kib,
        rss_connected_kib: connected.rss_kib,
        rss_after_kib: after.rss_kib,
        kib_per_connection: connected.rss_kib.saturating_sub(before.rss_kib) as f64
            / plan.connections.max(1) as f64,
        server_cpu_us_per_notification: if plan.notifications > 0 {
            cpu.as_micros() as f64 / plan.notifications as f64
        } else {
            0.0
        },
        exactly_once,
    };
    std::fs::create_dir_all(&args.out).expect("the output folder");
    let path = args.out.join(format!("{}.json", report.scenario));
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).expect("the report");
    println!("{}\n{}", Report::HEADER, report.row());
    println!("(JSON: {})", path.display());
    drop(server);
    if !exactly_once {
        eprintln!(
            "FAILED: not every created notification reached each of its sockets exactly once \
             ({deliveries} of {expected} deliveries, {} duplicates)",
            report.duplicates
        );
        std::process::exit(1);
    }
    if send_errors > 0 {
        eprintln!(
            "FAILED: {send_errors} of {} creates failed",
            plan.notifications
        );
        std::process::exit(1);
    }
}

/// Sends the plan's notifications; returns each API answer time (µs) and
/// which sends failed.
async fn drive(api: &Api, plan: &Plan) -> (Vec<u64>, std::collections::HashSet<u64>) {
    let send = |i: u64| {
        let api = api.clone();
        let user = (!plan.broadcast).then(|| user_name((i % plan.users as u64) as usize));
        async move { (i, api.send(user.as_deref(), i).await) }
    };
    let answers: Vec<(u64, Result<Duration, String>)> = match plan.rate {
        None => {
            futures::stream::iter(0..plan.notifications)
                .map(send)
                .buffer_unordered(64)
                .collect()
                .await
        }
        Some(rate) => {
            // Each send starts on schedule, however long earlier ones take.
            let start = tokio::time::Instant::now();
            let tasks: Vec<_> = (0..plan.notifications)
                .map(|i| {
                    let at = start + Duration::from_micros(i * 1_000_000 / rate.max(1));
                    let send = send(i);
                    tokio::spawn(async move {
                        tokio::time::sleep_until(at).await;
                        send.await
                    })
                })
                .collect();
            let mut answers = Vec::with_capacity(tasks.len());
            for task in tasks {
                answers.push(task.await.expect("a send task"));
            }
            answers
        }
    };
    let mut failed = std::collections::HashSet::new();
    let mut latencies = Vec::with_capacity(answers.len());
    for (i, answer) in answers {
        match answer {
            Ok(took) => latencies.push(took.as_micros() as u64),
            Err(error) => {
                if failed.is_empty() {
                    eprintln!("a send failed: {error}");
                }
                failed.insert(i);
            }
        }
    }
    (latencies, failed)
}
