//! `load`: Herald under load, measured from outside. It starts Herald on a
//! fresh database, makes users and connection tokens through the public
//! API, opens authenticated WebSocket connections, drives notifications
//! through `POST /api/v1/notifications`, and reports latency (from the send
//! time carried in each body), throughput, the server's memory and CPU (from
//! /proc), and whether every socket received each of its notifications
//! exactly once — failing loudly if not. `make bench` runs the scenarios;
//! `make test` runs `smoke` for correctness only.

mod bench;
mod chart;
mod clients;
mod report;
mod scenarios;
mod server;
mod spread;

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use bench::Bench;
use report::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// 500 connections, 2,000 notifications as fast as they go: correctness.
    Smoke,
    /// N connections held across two heartbeats: memory per connection.
    Idle,
    /// 1,000 users, 1,000 notifications a second for 60 seconds.
    Steady,
    /// Steps the rate up (×1.5 every `--seconds`) until a step is not clean.
    Burst,
    /// One notification to every connected user.
    Broadcast,
    /// Every connection dropped at once, a notification each sent while
    /// they are away, then all resume at once: time until all caught up.
    ReconnectStorm,
}

#[derive(Parser)]
#[command(about = "Herald under load, measured from outside")]
pub struct Args {
    #[arg(long, value_enum, default_value = "smoke")]
    scenario: Scenario,
    /// Live connections (default per scenario).
    #[arg(long)]
    connections: Option<usize>,
    /// Notifications per second (steady; burst: the first step).
    #[arg(long)]
    rate: Option<u64>,
    /// How long to send (steady; burst: each step).
    #[arg(long)]
    seconds: Option<u64>,
    /// Burst: a step is clean while its p99 create → receive stays under this.
    #[arg(long, default_value_t = 100.0)]
    clean_p99_ms: f64,
    /// Burst: stop stepping up at this rate.
    #[arg(long, default_value_t = 40_000)]
    max_rate: u64,
    /// The Herald binary to start; a `.js` file is run with Node instead:
    /// `load/baseline/server.js` is the baseline, the Node `ws` recipe
    /// (after `npm ci --prefix load/baseline`).
    #[arg(long, default_value = "target/release/herald")]
    binary: String,
    /// Run on PostgreSQL: the server's URL, e.g. postgres://postgres@127.0.0.1:5432.
    #[arg(long)]
    postgres: Option<String>,
    /// Run this many Herald instances on one PostgreSQL database (needs
    /// `--postgres`); sockets and sends are spread over them in turn.
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Only draw the chart of the bursts already in `--out` (burst.svg).
    #[arg(long)]
    redraw: bool,
    /// Where the JSON report goes.
    #[arg(long, default_value = "target/load")]
    out: PathBuf,
    /// Hold the sockets in this many child processes (one process may hold
    /// at most ~19,900): smoke, idle, steady and broadcast.
    #[arg(long, default_value_t = 1)]
    processes: usize,
    /// A child process's part (see `spread.rs`): Herald's address...
    #[arg(long, hide = true)]
    hold_base: Option<String>,
    /// ...and the number of its first socket.
    #[arg(long, hide = true, default_value_t = 0)]
    hold_from: usize,
}

/// How often Herald sends heartbeats during a run.
pub const HEARTBEAT_MS: u64 = 5_000;

impl Args {
    /// Live connections and users of this run's scenario.
    fn sizes(&self) -> (usize, usize) {
        let (connections, per_user) = match self.scenario {
            Scenario::Smoke => (500, 2),
            Scenario::Idle | Scenario::Broadcast | Scenario::ReconnectStorm => (10_000, 1),
            Scenario::Steady | Scenario::Burst => (1_000, 1),
        };
        let connections = self.connections.unwrap_or(connections);
        (connections, (connections / per_user).max(1))
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.redraw {
        let svg = chart::draw_bursts(&args.out).expect("the chart");
        println!("(chart: {})", svg.display());
        return;
    }
    let files = server::raise_open_files_limit();
    if let Some(base) = &args.hold_base {
        spread::hold(base, args.hold_from).await;
        return;
    }
    let (connections, users) = args.sizes();
    let processes = args.processes.max(1);
    assert!(
        processes == 1
            || matches!(
                args.scenario,
                Scenario::Smoke | Scenario::Idle | Scenario::Steady | Scenario::Broadcast
            ),
        "--processes works with smoke, idle, steady and broadcast"
    );
    assert!(
        // Each holding process and the server hold one file per socket.
        (connections.div_ceil(processes) as u64) + 500 < files,
        "{connections} connections in {processes} process(es) need more open files than the limit ({files}) allows"
    );
    assert!(
        !args.binary.ends_with(".js")
            || (args.postgres.is_none() && args.scenario != Scenario::ReconnectStorm),
        "the Node baseline stores nothing: no --postgres, no reconnect-storm"
    );
    let instances = args.instances.max(1);
    assert!(
        instances == 1 || (args.postgres.is_some() && processes == 1),
        "--instances needs --postgres, and works with --processes 1"
    );
    let env = [
        ("HERALD_HEARTBEAT_MS", HEARTBEAT_MS.to_string()),
        ("HERALD_MAX_CONNECTIONS_PER_USER", "1000".to_owned()),
        // Shared, so a token minted by one instance opens a socket on another.
        (
            "HERALD_TOKEN_SECRET",
            "the load tool's token secret, thirty-two bytes or more".to_owned(),
        ),
    ];
    let bench = Bench::start(
        &args.binary,
        args.postgres.as_deref(),
        &env,
        connections,
        users,
        instances,
    )
    .await;
    let mut report = match args.scenario {
        Scenario::Burst => scenarios::burst(&bench, &args).await,
        Scenario::ReconnectStorm => scenarios::reconnect_storm(&bench).await,
        _ => scenarios::send_and_receive(&bench, &args).await,
    };
    report.scenario = format!("{:?}", args.scenario).to_lowercase();
    if args.scenario == Scenario::ReconnectStorm {
        report.scenario = "reconnect-storm".into();
    }
    report.engine = if args.binary.ends_with(".js") {
        "Node ws, stores nothing"
    } else if args.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    }
    .to_owned();
    report.connections = connections;
    report.users = users;
    report.processes = processes;
    report.instances = instances;
    drop(bench);

    std::fs::create_dir_all(&args.out).expect("the output folder");
    // One file per scenario and what served it, so runs side by side
    // (Node, SQLite, PostgreSQL with 1 or 2 instances) keep theirs.
    let served = match (args.binary.ends_with(".js"), &args.postgres, instances) {
        (true, _, _) => "node".to_owned(),
        (false, None, _) => "sqlite".to_owned(),
        (false, Some(_), 1) => "postgres".to_owned(),
        (false, Some(_), n) => format!("postgres-{n}"),
    };
    let path = args.out.join(format!("{}-{served}.json", report.scenario));
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).expect("the report");
    println!("{}\n{}", Report::HEADER, report.row());
    if !report.steps.is_empty() {
        println!("\n{}", report.steps_table());
    }
    println!("(JSON: {})", path.display());
    if args.scenario == Scenario::Burst {
        // The curves of every burst in the folder so far, as one picture.
        match chart::draw_bursts(&args.out) {
            Ok(svg) => println!("(chart: {})", svg.display()),
            Err(error) => eprintln!("cannot draw the chart: {error}"),
        }
    }
    if !report.exactly_once {
        eprintln!(
            "FAILED: not every created notification reached each of its sockets exactly once \
             ({} of {} deliveries, {} duplicates)",
            report.deliveries, report.deliveries_expected, report.duplicates
        );
        std::process::exit(1);
    }
    if report.send_errors > 0 && args.scenario != Scenario::Burst {
        eprintln!(
            "FAILED: {} of {} creates failed",
            report.send_errors, report.notifications
        );
        std::process::exit(1);
    }
}
