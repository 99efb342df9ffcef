//! Starts Herald: settings, database, then serve until told to stop.

use std::time::Duration;

use leptos::prelude::get_configuration;
use server::config::Config;
use server::{Herald, telemetry};

/// How long live connections get to close after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

fn main() {
    server::passwords::return_freed_hash_memory();
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
