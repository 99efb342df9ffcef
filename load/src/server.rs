//! The Herald under test: a process of its own on a fresh database, and
//! what /proc says about it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Herald; killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
    /// The run's database, removed with the last instance.
    _scratch: std::sync::Arc<Scratch>,
}

/// Where a run's database lives: a folder for the SQLite file, and on
/// PostgreSQL a database of its own, dropped when the run ends.
struct Scratch {
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres {
            psql(
                server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// The server's memory and CPU time at one moment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    pub rss_kib: u64,
    pub cpu: Duration,
}

pub const ADMIN_PASSWORD: &str = "load-tool-password";

impl Server {
    /// Starts `instances` of `binary` on one fresh database: a SQLite file,
    /// or a new database on `postgres` (a server URL without database).
    /// Each waits for the one before, which has set the database up.
    pub async fn start_all(
        binary: &str,
        postgres: Option<&str>,
        env: &[(&str, String)],
        instances: usize,
    ) -> Vec<Server> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (database, postgres) = match postgres {
            None => (format!("sqlite://{}/herald.db", dir.path().display()), None),
            Some(server) => {
                let name = fresh_postgres(server);
                (format!("{server}/{name}"), Some((server.to_owned(), name)))
            }
        };
        let scratch = std::sync::Arc::new(Scratch {
            _dir: dir,
            postgres,
        });
        let mut servers = Vec::with_capacity(instances);
        for _ in 0..instances.max(1) {
            servers.push(Server::start(binary, &database, env, scratch.clone()).await);
        }
        servers
    }

    async fn start(
        binary: &str,
        database: &str,
        env: &[(&str, String)],
        scratch: std::sync::Arc<Scratch>,
    ) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // A script is the Node baseline (`load/baseline/server.js`).
        let mut command = if binary.ends_with(".js") {
            let mut node = Command::new("node");
            node.arg(binary);
            node
        } else {
            Command::new(binary)
        };
        let child = command
            .env("HERALD_DATABASE_URL", database)
            .env("HERALD_SEED_PASSWORD", ADMIN_PASSWORD)
            .env("HERALD_API_RATE", "1000000")
            .env("HERALD_API_BURST", "1000000")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _scratch: scratch,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let http = reqwest::Client::new();
        while !http
            .get(format!("{}/readyz", server.url))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(Instant::now() < deadline, "Herald did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory and CPU time used so far, from /proc.
    pub fn usage(&self) -> Usage {
        let pid = self.pid();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rss_kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0);
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the command name (which may hold spaces): utime is
        // the 14th field of the line, stime the 15th.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
            + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Usage {
            rss_kib,
            cpu: Duration::from_micros(ticks * 1_000_000 / per_second),
        }
    }
}

/// What several servers use together: memory and CPU summed.
pub fn usage_of(servers: &[Server]) -> Usage {
    servers
        .iter()
        .map(Server::usage)
        .fold(Usage::default(), |a, b| Usage {
            rss_kib: a.rss_kib + b.rss_kib,
            cpu: a.cpu + b.cpu,
        })
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a database on the PostgreSQL at `server` with `psql`; its name.
fn fresh_postgres(server: &str) -> String {
    let name = format!("herald_load_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        assert!(psql(server, &sql), "cannot create a database on {server}");
    }
    name
}

/// Runs `sql` on the PostgreSQL at `server`; whether it succeeded.
fn psql(server: &str, sql: &str) -> bool {
    Command::new("psql")
        .arg(format!("{server}/postgres"))
        .args(["-qc", sql])
        .status()
        .is_ok_and(|s| s.success())
}

/// Raises this process's open-files limit to the hard limit (the server
/// inherits it): every socket is a file.
pub fn raise_open_files_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
        limit.rlim_cur
    }
}
