//! Sockets spread over several processes. One process may hold at most
//! ~19,900 sockets (open files are capped at 20,000), so `--processes N`
//! opens them in N child processes of this same program. Each child reads
//! its share of tokens from stdin, opens the sockets, says `open`, reports
//! its count of first receipts as it grows (`got <n>`), and, when its stdin
//! closes, every socket's record and every latency sample, then `done`.
//! The parent keeps all the bookkeeping, so every scenario's checks are
//! the same however many processes hold the sockets.

use std::collections::HashSet;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::clients::{self, Received, Totals};

/// The children holding the sockets, until [`Holders::stop`].
pub struct Holders {
    children: Vec<Holder>,
    sockets: usize,
}

struct Holder {
    child: Child,
    stdin: ChildStdin,
    /// Reads the child's reports; ends with its sockets' records.
    reader: JoinHandle<Vec<(usize, Received)>>,
}

/// Starts `processes` children that open sockets `0..tokens.len()` between
/// them (socket `n` for user `users[n]` with `tokens[n]`), each reporting
/// into `totals`; returns once every socket is greeted, and how long that took.
pub async fn open(
    base: &str,
    sockets: &[(usize, &str)],
    processes: usize,
    totals: &Arc<Totals>,
) -> (Holders, Duration) {
    let started = Instant::now();
    let share = sockets.len().div_ceil(processes.max(1)).max(1);
    let mut children = Vec::new();
    let mut opened = Vec::new();
    for (part, chunk) in sockets.chunks(share).enumerate() {
        let first = part * share;
        let mut child = Command::new(std::env::current_exe().expect("this program"))
            .args(["--hold-base", base, "--hold-from", &first.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("a child load process");
        let mut stdin = child.stdin.take().expect("its stdin");
        let mut list = String::new();
        for (user, token) in chunk {
            list.push_str(&format!("{user} {token}\n"));
        }
        list.push('\n');
        stdin.write_all(list.as_bytes()).await.expect("tokens sent");
        let (is_open, open) = oneshot::channel();
        let stdout = child.stdout.take().expect("its stdout");
        let reader = tokio::spawn(read_reports(stdout, first, totals.clone(), is_open));
        opened.push(open);
        children.push(Holder {
            child,
            stdin,
            reader,
        });
    }
    for open in opened {
        open.await.expect("a child process opened its sockets");
    }
    let holders = Holders {
        children,
        sockets: sockets.len(),
    };
    (holders, started.elapsed())
}

/// Follows one child's reports into `totals`; returns its sockets' records.
async fn read_reports(
    stdout: tokio::process::ChildStdout,
    first: usize,
    totals: Arc<Totals>,
    is_open: oneshot::Sender<()>,
) -> Vec<(usize, Received)> {
    let mut is_open = Some(is_open);
    let mut lines = BufReader::new(stdout).lines();
    let (mut got, mut records) = (0u64, Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let mut words = line.split(' ');
        match words.next() {
            Some("open") => {
                if let Some(open) = is_open.take() {
                    let _ = open.send(());
                }
            }
            Some("got") => {
                let now: u64 = words.next().and_then(|w| w.parse().ok()).unwrap_or(got);
                totals.received.fetch_add(now - got, Ordering::Relaxed);
                got = now;
            }
            Some("socket") => {
                let numbers: Vec<u64> = words.filter_map(|w| w.parse().ok()).collect();
                let (n, user, duplicates) = (numbers[0] as usize, numbers[1], numbers[2]);
                let mut record = Received::new(user as usize);
                record.duplicates = duplicates;
                record.seen = numbers[3..].iter().copied().collect();
                totals.duplicates.fetch_add(duplicates, Ordering::Relaxed);
                records.push((first + n, record));
            }
            Some("sample") => {
                let numbers: Vec<u64> = words.filter_map(|w| w.parse().ok()).collect();
                totals
                    .samples
                    .lock()
                    .expect("samples")
                    .push((numbers[0], numbers[1]));
            }
            Some("done") => break,
            _ => {}
        }
    }
    assert!(
        is_open.is_none(),
        "a child load process ended before opening its sockets"
    );
    records
}

impl Holders {
    /// Has every child drop its sockets (as a network failure would) and
    /// report; returns each socket's record, in socket order.
    pub async fn stop(self) -> Vec<Received> {
        let mut all = Vec::new();
        for mut holder in self.children {
            drop(holder.stdin);
            all.extend(holder.reader.await.expect("a report reader"));
            let _ = holder.child.wait().await;
        }
        all.sort_by_key(|(n, _)| *n);
        let numbers: Vec<usize> = all.iter().map(|(n, _)| *n).collect();
        assert!(
            numbers == (0..self.sockets).collect::<Vec<_>>(),
            "the child processes reported {} of {} sockets",
            numbers.len(),
            self.sockets
        );
        all.into_iter().map(|(_, r)| r).collect()
    }
}

/// A child's whole life: reads `user token` lines (ending with an empty
/// one), opens those sockets (numbered from `first`, which spreads their
/// source addresses), reports, and stops when stdin closes.
pub async fn hold(base: &str, first: usize) {
    let mut input = BufReader::new(tokio::io::stdin()).lines();
    let mut sockets = Vec::new();
    while let Ok(Some(line)) = input.next_line().await {
        let Some((user, token)) = line.split_once(' ') else {
            break;
        };
        sockets.push((
            user.parse::<usize>().expect("a user number"),
            token.to_owned(),
        ));
    }
    let totals = Arc::new(Totals::default());
    let opened: Vec<_> = futures::stream::iter(sockets.into_iter().enumerate())
        .map(|(n, (user, token))| {
            let totals = totals.clone();
            async move {
                let mut record = Received::new(user);
                let ws = clients::open(base, first + n, &token, &mut record, &totals).await;
                (n, ws, record)
            }
        })
        .buffer_unordered(256)
        .collect()
        .await;
    println!("open");
    let (stop, stopped) = watch::channel(false);
    let tasks: Vec<_> = opened
        .into_iter()
        .map(|(n, ws, record)| {
            let receiving = clients::receive(ws, record, totals.clone(), stopped.clone());
            tokio::spawn(async move { (n, receiving.await) })
        })
        .collect();
    // Progress, while the parent waits for deliveries; stdin's end stops it.
    let mut reported = 0;
    let mut rest = input;
    let mut ended =
        std::pin::pin!(async move { while let Ok(Some(_)) = rest.next_line().await {} });
    loop {
        tokio::select! {
            _ = &mut ended => break,
            _ = tokio::time::sleep(Duration::from_millis(5)) => {
                let got = totals.received.load(Ordering::Relaxed);
                if got != reported {
                    println!("got {got}");
                    reported = got;
                }
            }
        }
    }
    stop.send_replace(true);
    let mut out = String::new();
    for task in tasks {
        let (n, record) = task.await.expect("a receiver");
        let seen: Vec<String> = sorted(&record.seen).iter().map(u64::to_string).collect();
        out.push_str(&format!(
            "socket {n} {} {} {}\n",
            record.user,
            record.duplicates,
            seen.join(" ")
        ));
    }
    for (index, us) in totals.samples.lock().expect("samples").iter() {
        out.push_str(&format!("sample {index} {us}\n"));
    }
    out.push_str(&format!(
        "got {}\ndone\n",
        totals.received.load(Ordering::Relaxed)
    ));
    let mut stdout = tokio::io::stdout();
    stdout
        .write_all(out.as_bytes())
        .await
        .expect("reports written");
    stdout.flush().await.expect("reports flushed");
}

fn sorted(set: &HashSet<u64>) -> Vec<u64> {
    let mut all: Vec<u64> = set.iter().copied().collect();
    all.sort_unstable();
    all
}
