//! The scenarios: what each one sends, when, and what it measures.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::bench::{Bench, drive};
use crate::report::{Percentiles, Report, Step};
use crate::{Args, HEARTBEAT_MS, Scenario};

/// How long deliveries may trail the last send before they count as lost.
const DRAIN: Duration = Duration::from_secs(30);

/// smoke, idle, steady and broadcast: connect, (idle: hold), send, receive.
pub async fn send_and_receive(bench: &Bench, args: &Args) -> Report {
    let broadcast = args.scenario == Scenario::Broadcast;
    let (notifications, rate) = match args.scenario {
        Scenario::Smoke => (2_000, None),
        Scenario::Idle => (0, None),
        Scenario::Broadcast => (1, None),
        _ => {
            let rate = args.rate.unwrap_or(1_000);
            (rate * args.seconds.unwrap_or(60), Some(rate))
        }
    };
    let before = bench.usage();
    eprintln!("opening {} connections", bench.connections);
    let (listening, connect) = bench.open_and_listen(args.processes).await;
    if args.scenario == Scenario::Idle {
        // The scenario itself: connections sit idle through two heartbeats.
        tokio::time::sleep(Duration::from_millis(2 * HEARTBEAT_MS + 1_000)).await;
    }
    let connected = bench.usage();
    eprintln!(
        "connected in {:.2} s; sending {notifications} notifications",
        connect.as_secs_f64()
    );
    let sending = Instant::now();
    let (api, failed) = drive(&bench.api, 0..notifications, bench.users, rate, broadcast).await;
    // A failed create reaches nobody: expect only what was created.
    let created = (0..notifications).filter(|i| !failed.contains(i));
    let expected = bench.deliveries_of(created, broadcast);
    bench.wait_for(expected, DRAIN).await;
    let elapsed = sending.elapsed().as_secs_f64();
    let after = bench.usage();
    let received = listening.stop().await;
    let users = bench.users as u64;
    let exactly_once = bench.exactly_once(&received, |user| {
        (0..notifications)
            .filter(|i| broadcast || i % users == user as u64)
            .filter(|i| !failed.contains(i))
            .collect()
    });
    let deliveries = bench.totals.received.load(Ordering::Relaxed);
    Report {
        notifications,
        deliveries_expected: expected,
        deliveries,
        duplicates: bench.totals.duplicates.load(Ordering::Relaxed),
        send_errors: failed.len() as u64,
        latency_ms: Percentiles::of(bench.totals.latencies(0, notifications)),
        api_ms: Percentiles::of(api),
        deliveries_per_second: per_second(deliveries, elapsed),
        connect_seconds: connect.as_secs_f64(),
        rss_before_connections_kib: before.rss_kib,
        rss_connected_kib: connected.rss_kib,
        rss_after_kib: after.rss_kib,
        kib_per_connection: connected.rss_kib.saturating_sub(before.rss_kib) as f64
            / bench.connections.max(1) as f64,
        server_cpu_us_per_notification: cpu_per(after.cpu - connected.cpu, notifications),
        exactly_once,
        ..Report::default()
    }
}

/// burst: steps of `--seconds` (default 5) at a rising rate, from `--rate`
/// (default 1,000/s) up by half each step, until a step is not clean: a
/// create fails, a delivery is missing when the step's drain ends, or the
/// step's p99 create → receive passes `--clean-p99-ms`. Reports every step
/// and the highest clean rate; exactly-once is checked over all of them.
pub async fn burst(bench: &Bench, args: &Args) -> Report {
    let step_seconds = args.seconds.unwrap_or(5);
    let mut rate = args.rate.unwrap_or(1_000);
    let (sockets, connect) = bench.connect(bench.fresh_records(), 256).await;
    let listening = bench.listen(sockets);
    let mut steps = Vec::new();
    let mut failed = HashSet::new();
    let mut api = Vec::new();
    let (mut sent, mut expected) = (0u64, 0u64);
    loop {
        let indices = sent..sent + rate * step_seconds;
        eprintln!("step: {rate} notifications/s for {step_seconds} s");
        let usage = bench.usage();
        let started = Instant::now();
        let (answers, step_failed) =
            drive(&bench.api, indices.clone(), bench.users, Some(rate), false).await;
        let created = indices.clone().filter(|i| !step_failed.contains(i));
        expected += bench.deliveries_of(created, false);
        // A clean step's deliveries all land within a second of its last send.
        let kept_up = bench.wait_for(expected, Duration::from_secs(1)).await;
        let elapsed = started.elapsed().as_secs_f64();
        let latency = Percentiles::of(bench.totals.latencies(indices.start, indices.end));
        let clean = kept_up && step_failed.is_empty() && latency.p99 <= args.clean_p99_ms;
        steps.push(Step {
            rate,
            notifications: indices.end - indices.start,
            send_errors: step_failed.len() as u64,
            latency_ms: latency,
            api_ms: Percentiles::of(answers.clone()),
            server_cpu_us_per_notification: cpu_per(
                bench.usage().cpu - usage.cpu,
                indices.end - indices.start,
            ),
            achieved_per_second: per_second(indices.end - indices.start, elapsed),
            clean,
        });
        failed.extend(step_failed);
        api.extend(answers);
        sent = indices.end;
        if !clean || rate >= args.max_rate {
            break;
        }
        rate = (rate * 3 / 2).min(args.max_rate);
    }
    // However far over capacity the last step went, every created
    // notification must still arrive exactly once.
    bench.wait_for(expected, DRAIN).await;
    let received = listening.stop().await;
    let users = bench.users as u64;
    let exactly_once = bench.exactly_once(&received, |user| {
        (0..sent)
            .filter(|i| i % users == user as u64 && !failed.contains(i))
            .collect()
    });
    let clean: Vec<&Step> = steps.iter().filter(|s| s.clean).collect();
    let best = clean.last().copied();
    Report {
        notifications: sent,
        deliveries_expected: expected,
        deliveries: bench.totals.received.load(Ordering::Relaxed),
        duplicates: bench.totals.duplicates.load(Ordering::Relaxed),
        send_errors: failed.len() as u64,
        latency_ms: best.map(|s| s.latency_ms.clone()).unwrap_or_default(),
        api_ms: best.map(|s| s.api_ms.clone()).unwrap_or_default(),
        deliveries_per_second: best.map_or(0.0, |s| s.achieved_per_second),
        connect_seconds: connect.as_secs_f64(),
        server_cpu_us_per_notification: best.map_or(0.0, |s| s.server_cpu_us_per_notification),
        highest_clean_rate: best.map(|s| s.rate),
        steps,
        exactly_once,
        ..Report::default()
    }
}

/// reconnect-storm: every socket gets a notification live, then all drop
/// at once; each user gets another while away; then all resume at once,
/// each from where it left off. Measures the time until the last socket
/// has replayed what it missed and is greeted; nothing may be lost or doubled.
pub async fn reconnect_storm(bench: &Bench) -> Report {
    let users = bench.users as u64;
    let (sockets, connect) = bench.connect(bench.fresh_records(), 256).await;
    let listening = bench.listen(sockets);
    let (_, mut failed) = drive(&bench.api, 0..users, bench.users, None, false).await;
    let live = bench.deliveries_of((0..users).filter(|i| !failed.contains(i)), false);
    assert!(
        bench.wait_for(live, DRAIN).await,
        "the live notifications did not all arrive"
    );
    let records = listening.stop().await;
    eprintln!(
        "dropped {} connections; sending while they are away",
        records.len()
    );
    let (_, away_failed) = drive(&bench.api, users..2 * users, bench.users, None, false).await;
    failed.extend(away_failed);
    let expected =
        live + bench.deliveries_of((users..2 * users).filter(|i| !failed.contains(i)), false);
    // All at once: as many opening together as there are sockets.
    let (sockets, storm) = bench.connect(records, bench.connections).await;
    eprintln!("all resumed in {:.2} s", storm.as_secs_f64());
    let listening = bench.listen(sockets);
    bench.wait_for(expected, Duration::from_secs(1)).await;
    let received = listening.stop().await;
    let exactly_once = bench.exactly_once(&received, |user| {
        [user as u64, users + user as u64]
            .into_iter()
            .filter(|i| !failed.contains(i))
            .collect()
    });
    Report {
        notifications: 2 * users,
        deliveries_expected: expected,
        deliveries: bench.totals.received.load(Ordering::Relaxed),
        duplicates: bench.totals.duplicates.load(Ordering::Relaxed),
        send_errors: failed.len() as u64,
        connect_seconds: connect.as_secs_f64(),
        catch_up_seconds: Some(storm.as_secs_f64()),
        exactly_once,
        ..Report::default()
    }
}

fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

fn cpu_per(cpu: Duration, notifications: u64) -> f64 {
    if notifications > 0 {
        cpu.as_micros() as f64 / notifications as f64
    } else {
        0.0
    }
}
