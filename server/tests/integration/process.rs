//! The real binary, as an operator starts it: settings that would open a
//! hole stop it, and a storm of logins neither stalls it nor eats memory.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A port for a child process to listen on. Not one the kernel hands out
/// (port 0): released here, it could go to one of the suite's own outgoing
/// connections before the child binds it ("Address already in use"). Ports
/// below the ephemeral range (32768 on Linux) are never given to outgoing
/// connections, and each is handed out once per run.
fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    // Runs start at different places: a port of a killed run may linger.
    let start = (std::process::id() % 12_000) as u16;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed) % 12_000;
        let port = 20_000 + (start + n) % 12_000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A `herald` process on a free port; killed on drop.
pub struct Process {
    child: Child,
    pub url: String,
    pub database_url: String,
    output: Arc<Mutex<String>>,
    _dir: Option<tempfile::TempDir>,
}

impl Process {
    /// Herald over a fresh SQLite file.
    pub fn start(env: &[(&str, &str)]) -> Process {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/herald.db", dir.path().display());
        let mut process = Process::start_on(&url, env);
        process._dir = Some(dir);
        process
    }

    /// Herald over the database at `database_url` (shared with others).
    pub fn start_on(database_url: &str, env: &[(&str, &str)]) -> Process {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HERALD_DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env(
                "LEPTOS_SITE_ROOT",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../public"),
            )
            .env("LEPTOS_OUTPUT_NAME", "herald")
            .env("RUST_LOG", "warn")
            // Small, as in `test_config`: the machine's PostgreSQL is shared.
            .env("HERALD_DATABASE_POOL", "2")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the herald binary starts");
        let output = Arc::new(Mutex::new(String::new()));
        for mut pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    output
                        .lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        Process {
            child,
            url: format!("http://127.0.0.1:{port}"),
            database_url: database_url.to_owned(),
            output,
            _dir: None,
        }
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Its output once it contains `wanted`, or after two seconds as it is.
    pub async fn output_with(&self, wanted: &str) -> String {
        let mut output = String::new();
        for _ in 0..100 {
            output = self.output();
            if output.contains(wanted) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        output
    }

    pub async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("herald exited ({status}):\n{}", self.output());
            }
            if let Ok(res) = reqwest::get(format!("{}/healthz", self.url)).await
                && res.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "herald did not start:\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The most memory the process has held (VmHWM), in KiB.
    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_that_would_open_a_hole_stop_the_binary() {
    for (name, value) in [
        ("HERALD_TOKEN_SECRET", ""),
        ("HERALD_TOKEN_SECRET", "short-secret"),
        ("HERALD_SEED_PASSWORD", ""),
        ("HERALD_ADMIN_PASSWORD", ""),
    ] {
        let mut process = Process::start(&[(name, value)]);
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = process.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "{name}={value:?} did not stop it"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(!status.success(), "{name}={value:?}");
        // Give the reader threads a moment to drain the pipes.
        let mut output = String::new();
        for _ in 0..100 {
            output = process.output();
            if output.contains(name) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(output.contains(name), "{name}={value:?}:\n{output}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_logins_leave_the_server_answering_with_bounded_memory() {
    let password = "storm-password-123";
    // Behind a proxy, so the storm can come from 500 addresses: the login
    // throttle (per username and per address) then lets most of it through
    // to the password hashing, whose bound is what this test is about.
    let mut herald = Process::start(&[
        ("HERALD_SEED_PASSWORD", password),
        ("HERALD_TRUST_PROXY", "true"),
    ]);
    herald.ready().await;
    let before = herald.peak_rss_kib();

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let logins = futures::future::join_all((0..500).map(|n| {
        // Every tenth is alice with her password; the rest guess at
        // accounts that do not exist (hashed all the same, so a guess
        // cannot tell which names exist by how long it takes).
        let username = if n % 10 == 0 {
            "alice".to_owned()
        } else {
            format!("storm-{n}")
        };
        http.post(format!("{}/api/login", herald.url))
            .header("accept", "application/json")
            .header(
                "x-forwarded-for",
                format!("10.0.{}.{}", n / 250, n % 250 + 1),
            )
            .form(&[("username", username.as_str()), ("password", password)])
            .timeout(Duration::from_secs(60))
            .send()
    }));
    let probes = async {
        let mut slowest = Duration::ZERO;
        for _ in 0..10 {
            for path in ["/healthz", "/favicon.svg"] {
                let started = Instant::now();
                let res = reqwest::get(format!("{}{path}", herald.url)).await.unwrap();
                assert_eq!(res.status(), 200, "{path}");
                slowest = slowest.max(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        slowest
    };
    let (answers, slowest) = tokio::join!(logins, probes);
    // Logins queued on the hashing threads would stall probes for the
    // whole storm (about ten seconds here); a bound well above scheduling
    // noise on a loaded two-core machine tells the two apart.
    assert!(
        slowest < Duration::from_secs(3),
        "slowest probe {slowest:?}"
    );
    let mut statuses = std::collections::BTreeMap::new();
    for answer in answers {
        *statuses
            .entry(answer.unwrap().status().as_u16())
            .or_insert(0) += 1;
    }
    // Alice's own attempts beyond the throttle's free few at once are told
    // to slow down (429): each is counted before its password is judged.
    assert!(
        statuses.keys().all(|s| [200, 401, 429, 503].contains(s)),
        "only logins, refusals, 'slow down' or 'busy, retry': {statuses:?}"
    );
    assert!(statuses.get(&200).is_some_and(|n| *n > 0), "{statuses:?}");
    let hashed_or_queued_out = statuses.get(&401).unwrap_or(&0) + statuses.get(&503).unwrap_or(&0);
    assert!(
        hashed_or_queued_out >= 400,
        "the guesses (450) reached the hashing or its bound: {statuses:?}"
    );
    // Two argon2id hashes at a time use ~40 MiB; unbounded, 500 would use ~9 GiB.
    let grown = herald.peak_rss_kib().saturating_sub(before);
    assert!(grown < 256 * 1024, "memory grew by {grown} KiB");

    // A failed login is logged with the username, never the password.
    let res = http
        .post(format!("{}/api/login", herald.url))
        .header("accept", "application/json")
        .form(&[("username", "alice"), ("password", "hunter2-never-logged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let output = herald.output_with("failed login").await;
    assert!(
        output.contains("failed login") && output.contains("alice"),
        "{output}"
    );
    assert!(!output.contains("hunter2-never-logged"));
    assert!(!output.contains(password));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_first_then_exits() {
    let password = "drain-password-123";
    let mut herald = Process::start(&[
        ("HERALD_SEED_PASSWORD", password),
        ("HERALD_DRAIN_SECS", "2"),
    ]);
    herald.ready().await;
    let alice = crate::common::Client::new(&herald.url);
    assert_eq!(alice.login("alice", password).await.status(), 200);
    let mut socket = alice.socket_after(0).await;
    crate::common::hello(&mut socket).await;

    // SAFETY: signalling our own child process.
    let sent = unsafe { libc::kill(herald.child.id() as i32, libc::SIGTERM) };
    assert_eq!(sent, 0);
    // Live connections are asked to move at once...
    assert_eq!(crate::common::close_code(&mut socket).await, 1001);
    // ...while HTTP still answers, unready, for the balancer to notice.
    let ready = reqwest::get(format!("{}/readyz", herald.url))
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    // Then it stops, cleanly.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = herald.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after the drain");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}:\n{}", herald.output());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_logs_never_carry_a_connection_token() {
    // Every request span at debug: what an operator chasing a problem sets.
    let mut herald = Process::start(&[("RUST_LOG", "debug")]);
    herald.ready().await;
    let token = "a-connection-token-that-must-stay-out-of-logs";
    let res = reqwest::get(format!("{}/events?token={token}", herald.url))
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let output = herald.output_with("/events").await;
    assert!(
        output.contains("/events"),
        "the request is logged: {output}"
    );
    assert!(!output.contains(token), "its token is not");
}

/// The value of `client`'s session cookie: a live credential.
fn session_cookie(client: &crate::common::Client) -> String {
    let header = client.cookie_header().expect("a session cookie");
    let header = header.to_str().unwrap();
    header
        .split("; ")
        .find_map(|pair| pair.strip_prefix("herald_session="))
        .expect("the session cookie")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_ids_never_leave_the_process() {
    use crate::common::{Client, Db, PASSWORD, on_postgres};
    let db = Db::fresh().await;
    let herald = Process::start_on(
        &db.url,
        &[("RUST_LOG", "debug"), ("HERALD_SEED_PASSWORD", PASSWORD)],
    );
    let mut herald = herald;
    herald.ready().await;
    // On PostgreSQL: what any role that can connect hears between instances.
    let mut listener = match on_postgres() {
        true => {
            let mut listener = sqlx::postgres::PgListener::connect(&db.url).await.unwrap();
            listener.listen("herald_control").await.unwrap();
            Some(listener)
        }
        false => None,
    };
    let here = Client::new(&herald.url);
    let elsewhere = Client::new(&herald.url);
    for client in [&here, &elsewhere] {
        assert_eq!(client.login("alice", PASSWORD).await.status(), 200);
    }
    let credentials = [session_cookie(&here), session_cookie(&elsewhere)];
    let new = "a brand new passphrase";
    let res = here
        .post_form(
            "/api/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(here.post_form("/api/logout", &[]).await.status(), 200);

    if let Some(listener) = &mut listener {
        for ending in ["other_sessions", "session"] {
            let heard = tokio::time::timeout(Duration::from_secs(5), listener.recv())
                .await
                .expect("the ending is announced")
                .unwrap();
            let payload = heard.payload();
            assert!(payload.contains(ending), "{payload}");
            for credential in &credentials {
                assert!(!payload.contains(credential.as_str()), "{payload}");
            }
        }
    }
    let output = herald.output_with("logged in").await;
    assert!(output.contains("logged in"), "the logins are logged");
    for credential in &credentials {
        assert!(
            !output.contains(credential.as_str()),
            "a session id in the log:\n{output}"
        );
    }
}

/// How many rows `sql` (a `SELECT COUNT(…)`) counts in the database at `url`.
async fn count(url: &str, sql: &str) -> i64 {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut db).await.unwrap()
}

/// An operator's deployment of several replicas on a brand-new database,
/// all started at the same moment: every one starts and becomes ready,
/// and what is made once at the first start is made once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_started_together_on_a_new_database_all_start() {
    use crate::common::{Db, PASSWORD};
    for production in [false, true] {
        let db = Db::fresh().await;
        let mut env = vec![(
            "HERALD_TOKEN_SECRET",
            "a shared token secret of 32+ bytes!!",
        )];
        if production {
            env.extend([
                ("HERALD_ENV", "production"),
                ("HERALD_ADMIN_PASSWORD", PASSWORD),
            ]);
        } else {
            env.push(("HERALD_SEED_PASSWORD", PASSWORD));
        }
        let mut instances: Vec<Process> =
            (0..3).map(|_| Process::start_on(&db.url, &env)).collect();
        for instance in &mut instances {
            instance.ready().await;
        }
        let client = reqwest::Client::new();
        for instance in &instances {
            let readyz = format!("{}/readyz", instance.url);
            crate::common::eventually("every instance to be ready", async || {
                client.get(&readyz).send().await.unwrap().status() == 200
            })
            .await;
        }
        let mode = if production {
            "production"
        } else {
            "development"
        };
        let users = count(&db.url, "SELECT COUNT(id) FROM users").await;
        let admins = count(&db.url, "SELECT COUNT(id) FROM users WHERE role = 'admin'").await;
        assert_eq!(users, if production { 1 } else { 3 }, "{mode}");
        assert_eq!(admins, 1, "{mode}");
        let keys = count(&db.url, "SELECT COUNT(id) FROM vapid_keys").await;
        assert_eq!(keys, 1, "{mode}: one VAPID key");
        let secrets = count(&db.url, "SELECT COUNT(name) FROM secrets").await;
        assert_eq!(secrets, 1, "{mode}: one session-tag key");
        // Whichever instance a user signs in on, the first users work.
        for instance in &instances {
            let login = crate::common::Client::new(&instance.url);
            assert_eq!(login.login("admin", PASSWORD).await.status(), 200, "{mode}");
        }
    }
}
