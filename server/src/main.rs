//! Starts Herald: settings, database, then serve until told to stop.

use std::time::Duration;

use leptos::prelude::get_configuration;
use server::config::Config;
use server::{Herald, telemetry};

/// How long live connections get to close after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// mimalloc, not glibc's malloc: an idle connection's many small blocks
/// cost less (load --scenario idle: 4.2 -> 3.7 KiB per socket), allocation
/// is cheaper on the send path, and an argon2 hash's ~19 MiB goes back to
/// the system when freed (glibc kept it in per-thread arenas: +370 MiB
/// after 500 logins, `process::five_hundred_concurrent_logins_…`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(start());
}

async fn start() {
    telemetry::init();
    if let Err(error) = run().await {
        tracing::error!("Herald could not start: {error}");
        eprintln!("error: Herald could not start: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env();
    let chosen_password = config.seed_password.is_some();
    let leptos_options = get_configuration(None)?.leptos_options;
    let addr = leptos_options.site_addr;
    let herald = Herald::prepare(config, leptos_options).await?;
    if !herald.seeded.is_empty() {
        // Printed once, on the console only: on a new database, never again.
        // A password the operator chose is theirs already: never echoed.
        println!("\nHerald created demo users on this new database:");
        for (username, password) in &herald.seeded {
            let shown = if chosen_password {
                "(HERALD_SEED_PASSWORD)"
            } else {
                password
            };
            println!("    {username:<6}  password: {shown}");
        }
        println!();
    }

    let (shutdown, draining) = (herald.state.shutdown.clone(), herald.state.draining.clone());
    let drain = Duration::from_secs(herald.state.config.drain_secs);
    tokio::spawn(async move {
        wait_for_signal().await;
        // Not ready, live connections asked to move; HTTP still answered
        // while the load balancer notices, then the listener closes.
        tracing::info!(?drain, "draining");
        draining.cancel();
        tokio::time::sleep(drain).await;
        tracing::info!("shutting down");
        shutdown.cancel();
    });

    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("Herald listening on http://{addr}");
    herald.serve(listener, SHUTDOWN_GRACE).await?;
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
