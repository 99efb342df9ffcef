//! One run's moving parts: Herald, the API client, a token per user and
//! the sockets, with what every scenario does with them — connect, send,
//! wait for deliveries, and check that each arrived exactly once.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clients::{self, Api, Received, Socket, Totals};
use crate::server::Server;
use crate::spread::{self, Holders};

pub struct Bench {
    /// One Herald, or several on one PostgreSQL database (`--instances`).
    pub servers: Vec<Server>,
    pub api: Api,
    tokens: Vec<String>,
    pub connections: usize,
    pub users: usize,
    /// How many sockets each user has.
    per_user: Vec<u64>,
    pub totals: Arc<Totals>,
}

/// Sockets being read in the background until [`Listening::stop`].
pub enum Listening {
    /// By this process.
    Here {
        stop: watch::Sender<bool>,
        tasks: Vec<JoinHandle<Received>>,
    },
    /// By child processes (`--processes`).
    Spread(Holders),
}

/// The name of load user `user` (its external id).
pub fn user_name(user: usize) -> String {
    format!("load-{user}")
}

impl Bench {
    /// Starts Herald and makes a token for each of `users` users.
    pub async fn start(
        binary: &str,
        postgres: Option<&str>,
        env: &[(&str, String)],
        connections: usize,
        users: usize,
        instances: usize,
    ) -> Bench {
        let servers = Server::start_all(binary, postgres, env, instances).await;
        let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
        eprintln!("Herald is up at {}; making {users} users", urls.join(", "));
        let api = Api::new(&urls).await;
        let tokens: Vec<String> = futures::stream::iter(0..users)
            .map(|u| {
                let api = api.clone();
                async move { api.token(&user_name(u)).await }
            })
            .buffered(64)
            .collect()
            .await;
        let mut per_user = vec![0; users];
        for n in 0..connections {
            per_user[n % users] += 1;
        }
        Bench {
            servers,
            api,
            tokens,
            connections,
            users,
            per_user,
            totals: Arc::new(Totals::default()),
        }
    }

    /// Memory and CPU of every instance, summed.
    pub fn usage(&self) -> crate::server::Usage {
        crate::server::usage_of(&self.servers)
    }

    /// The user socket `n` belongs to.
    pub fn user_of(&self, n: usize) -> usize {
        n % self.users
    }

    /// Opens (or reopens, resuming from each record) every socket, at most
    /// `at_once` opening at a time; returns them in socket order and how
    /// long it took until the last was caught up and greeted.
    pub async fn connect(
        &self,
        records: Vec<Received>,
        at_once: usize,
    ) -> (Vec<(Socket, Received)>, Duration) {
        let started = Instant::now();
        let mut sockets: Vec<(usize, Socket, Received)> =
            futures::stream::iter(records.into_iter().enumerate())
                .map(|(n, mut record)| {
                    // Sockets are spread over the instances in turn.
                    let base = self.servers[n % self.servers.len()].url.clone();
                    let token = self.tokens[record.user].clone();
                    let totals = self.totals.clone();
                    async move {
                        let ws = clients::open(&base, n, &token, &mut record, &totals).await;
                        (n, ws, record)
                    }
                })
                .buffer_unordered(at_once)
                .collect()
                .await;
        let took = started.elapsed();
        sockets.sort_by_key(|(n, ..)| *n);
        (
            sockets.into_iter().map(|(_, ws, r)| (ws, r)).collect(),
            took,
        )
    }

    /// Opens every socket afresh and reads them in the background, in this
    /// process or spread over `processes` child processes; returns how long
    /// it took until the last was greeted.
    pub async fn open_and_listen(&self, processes: usize) -> (Listening, Duration) {
        if processes <= 1 {
            let (sockets, took) = self.connect(self.fresh_records(), 256).await;
            return (self.listen(sockets), took);
        }
        let sockets: Vec<(usize, &str)> = (0..self.connections)
            .map(|n| (self.user_of(n), self.tokens[self.user_of(n)].as_str()))
            .collect();
        let (holders, took) =
            spread::open(&self.servers[0].url, &sockets, processes, &self.totals).await;
        (Listening::Spread(holders), took)
    }

    /// A fresh record for every socket.
    pub fn fresh_records(&self) -> Vec<Received> {
        (0..self.connections)
            .map(|n| Received::new(self.user_of(n)))
            .collect()
    }

    /// Reads every socket in the background.
    pub fn listen(&self, sockets: Vec<(Socket, Received)>) -> Listening {
        let (stop, stopped) = watch::channel(false);
        let tasks = sockets
            .into_iter()
            .map(|(ws, record)| {
                tokio::spawn(clients::receive(
                    ws,
                    record,
                    self.totals.clone(),
                    stopped.clone(),
                ))
            })
            .collect();
        Listening::Here { stop, tasks }
    }

    /// How many deliveries notifications `indices` make: one per socket of
    /// each recipient (`broadcast`: every socket).
    pub fn deliveries_of(&self, indices: impl Iterator<Item = u64>, broadcast: bool) -> u64 {
        indices
            .map(|i| {
                if broadcast {
                    self.connections as u64
                } else {
                    self.per_user[(i % self.users as u64) as usize]
                }
            })
            .sum()
    }

    /// Waits until `expected` deliveries in all have arrived or `limit`
    /// passes; whether they all did.
    pub async fn wait_for(&self, expected: u64, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            if self.totals.received.load(Ordering::Relaxed) >= expected {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Whether every socket saw exactly the notifications `wanted` says its
    /// user should have (each once), naming the first few that did not.
    pub fn exactly_once(
        &self,
        received: &[Received],
        wanted: impl Fn(usize) -> HashSet<u64>,
    ) -> bool {
        let mut wrong = 0;
        for r in received {
            let want = wanted(r.user);
            if r.duplicates == 0 && r.seen == want {
                continue;
            }
            wrong += 1;
            if wrong <= 5 {
                let missing = want.difference(&r.seen).take(5).collect::<Vec<_>>();
                let extra = r.seen.difference(&want).take(5).collect::<Vec<_>>();
                eprintln!(
                    "user {}: missing {missing:?}, unexpected {extra:?}, {} duplicates",
                    r.user, r.duplicates
                );
            }
        }
        wrong == 0
    }
}

impl Listening {
    /// Stops reading and drops every socket (as a network failure would);
    /// returns each socket's record, in socket order.
    pub async fn stop(self) -> Vec<Received> {
        match self {
            Listening::Here { stop, tasks } => {
                stop.send_replace(true);
                let mut received = Vec::with_capacity(tasks.len());
                for task in tasks {
                    received.push(task.await.expect("a receiver"));
                }
                received
            }
            Listening::Spread(holders) => holders.stop().await,
        }
    }
}

/// Sends notifications `indices` (each to user `i % users`, or to everyone
/// when `broadcast`), `rate` a second on schedule or as fast as 64 in
/// flight allow; returns each API answer time (µs) and which sends failed.
pub async fn drive(
    api: &Api,
    indices: std::ops::Range<u64>,
    users: usize,
    rate: Option<u64>,
    broadcast: bool,
) -> (Vec<u64>, HashSet<u64>) {
    let send = |i: u64| {
        let api = api.clone();
        let user = (!broadcast).then(|| user_name((i % users as u64) as usize));
        async move { (i, api.send(user.as_deref(), i).await) }
    };
    let first = indices.start;
    let answers: Vec<(u64, Result<Duration, String>)> = match rate {
        None => {
            futures::stream::iter(indices)
                .map(send)
                .buffer_unordered(64)
                .collect()
                .await
        }
        Some(rate) => {
            // Each send starts on schedule, however long earlier ones take.
            let start = tokio::time::Instant::now();
            let tasks: Vec<_> = indices
                .map(|i| {
                    let at = start + Duration::from_micros((i - first) * 1_000_000 / rate.max(1));
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
    let mut failed = HashSet::new();
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
