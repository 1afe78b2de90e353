//! `make loadtest`: the release `tandem serve` on a registry made by `tandem seed` (100,000
//! patients unless `TANDEM_LOADTEST_PATIENTS` says otherwise), driven over loopback by `wrk` for a
//! bounded time per screen, beside a bare axum "hello" handler measured in the same run.
//!
//! It reports, for the review page (SSR, the psychiatrist), a patient's chart and the caseload
//! page (SSR, the care manager) and the JSON review list (an API token): throughput and p50/p99
//! latency, each as a ratio to the bare handler; the cold start (process start to the first
//! healthy answer, migrations included) on an empty and on the seeded registry; and the server's
//! peak resident memory.
//!
//! SQLite by default; with `DATABASE_URL=postgres://…` the registry is a throwaway database on
//! that server. `TANDEM_LOADTEST_SECONDS` sets each run's length (default 10).
#![allow(clippy::print_stderr, clippy::print_stdout, clippy::unwrap_used)]

#[path = "../tests/support/process.rs"]
#[allow(dead_code)]
mod process;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use process::{free_port, http, serve_with, tandem, Server};

const PASSWORD: &str = "synthetic load phrase";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A PostgreSQL throwaway database for the run, when `DATABASE_URL` names a server.
struct Pg {
    admin: String,
    name: String,
    url: String,
}

fn psql(admin: &str, sql: &str) {
    let ok = Command::new("psql")
        .args([admin, "-q", "-c", sql])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "psql could not run: {sql}");
}

impl Pg {
    fn create(tag: &str) -> Option<Pg> {
        let admin = std::env::var("DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))?;
        let name = format!("tandem_loadtest_{}_{tag}", std::process::id());
        psql(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let server = admin.rsplit_once('/').map_or(admin.as_str(), |(s, _)| s);
        Some(Pg {
            url: format!("{server}/{name}"),
            admin,
            name,
        })
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Starts `tandem serve` and returns it with the time until `/healthz` answered 200.
fn start(data_dir: &Path, pg: Option<&Pg>) -> (Server, u16, Duration) {
    let port = free_port();
    let started = Instant::now();
    let mut server = serve_with(
        data_dir,
        port,
        pg.map(|p| p.url.as_str()),
        &["--sweep-seconds", "0"],
    );
    loop {
        if http(port, "GET", "/healthz", &[], "").is_some_and(|r| r.status == 200) {
            return (server, port, started.elapsed());
        }
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("tandem serve exited with {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no healthy answer"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn cold_start(pg_tag: &str) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|i| {
            let dir = tempfile::tempdir().unwrap();
            let pg = Pg::create(&format!("{pg_tag}{i}"));
            let (server, _, took) = start(dir.path(), pg.as_ref());
            drop(server);
            took
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn bare_hello() -> u16 {
    let port = free_port();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while http(port, "GET", "/", &[], "").is_none() {
        assert!(Instant::now() < deadline, "the hello handler did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    port
}

/// One `wrk` run's figures.
#[derive(Debug, Clone, Copy)]
struct Run {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn duration_ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let v: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => v / 1000.0,
        "ms" => v,
        "s" => v * 1000.0,
        "m" => v * 60_000.0,
        _ => return None,
    })
}

fn wrk(port: u16, path: &str, header: Option<&str>, seconds: u32) -> Run {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c16", &format!("-d{seconds}s"), "--latency"]);
    if let Some(h) = header {
        cmd.args(["-H", h]);
    }
    let out = cmd
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .expect("run wrk (make loadtest installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("Non-2xx"),
        "GET {path} answered errors under load:\n{text}"
    );
    let find = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(str::to_owned))
            .unwrap_or_else(|| panic!("no {prefix} in wrk output:\n{text}"))
    };
    Run {
        rps: find("Requests/sec:").trim().parse().expect("rps"),
        p50_ms: duration_ms(&find("50%")).expect("p50"),
        p99_ms: duration_ms(&find("99%")).expect("p99"),
    }
}

fn sign_in(port: u16, email: &str) -> String {
    let r = process::sign_in(port, email, PASSWORD);
    assert_eq!(r.status, 200, "sign-in of {email}: {}", r.body);
    let cookie = r.header("set-cookie").expect("cookie");
    format!("Cookie: {}", cookie.split(';').next().expect("pair"))
}

fn peak_rss_mb(server: &Server) -> (f64, f64) {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmHWM:") / 1024.0, kb("VmRSS:") / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let patients: u32 = env_or("TANDEM_LOADTEST_PATIENTS", 100_000);
    let seconds: u32 = env_or("TANDEM_LOADTEST_SECONDS", 10);
    let backend = if std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        "postgres"
    } else {
        "sqlite"
    };
    println!("Load test: {backend}, {patients} patients, {seconds} s per screen, wrk -t2 -c16");

    let empty_start = cold_start("empty");
    let dir = tempfile::tempdir().unwrap();
    let pg = Pg::create("registry");
    let database_url = pg.as_ref().map(|p| p.url.clone());
    let with_db = |cmd: &mut Command| {
        cmd.env("TANDEM_DATA_DIR", dir.path());
        if let Some(url) = &database_url {
            cmd.env("DATABASE_URL", url);
        }
    };
    let mut seed = tandem();
    with_db(&mut seed);
    let seeded = seed
        .args([
            "seed",
            "--patients",
            &patients.to_string(),
            "--password",
            PASSWORD,
        ])
        .env("RUST_LOG", "warn")
        .output()
        .expect("tandem seed");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    print!(
        "{}",
        String::from_utf8_lossy(&seeded.stdout)
            .lines()
            .next()
            .unwrap_or_default()
    );
    println!();
    let mut token = tandem();
    with_db(&mut token);
    let token = token
        .args([
            "token",
            "create",
            "--user",
            &tandem_server::seed::psychiatrist_email(1),
            "--name",
            "load test",
        ])
        .output()
        .expect("tandem token create");
    let token = String::from_utf8_lossy(&token.stdout)
        .split_whitespace()
        .find(|w| w.starts_with("tandem_"))
        .expect("a token")
        .to_owned();

    let (server, port, seeded_start) = start(dir.path(), pg.as_ref());
    let hello = bare_hello();
    let psychiatrist = sign_in(port, &tandem_server::seed::psychiatrist_email(1));
    let care_manager = sign_in(port, &tandem_server::seed::care_manager_email(1, 1));
    let bearer = format!("Authorization: Bearer {token}");

    let base = wrk(hello, "/", None, seconds);
    let screens = [
        (
            "GET /review (SSR)",
            "/review?clinic=1".to_owned(),
            &psychiatrist,
        ),
        (
            "GET /patients/1 (SSR chart)",
            "/patients/1".to_owned(),
            &care_manager,
        ),
        ("GET /caseload (SSR)", "/caseload".to_owned(), &care_manager),
        (
            "GET /api/v1/clinics/1/review-list",
            "/api/v1/clinics/1/review-list".to_owned(),
            &bearer,
        ),
    ];
    let runs: Vec<(&str, Run)> = screens
        .iter()
        .map(|(name, path, header)| (*name, wrk(port, path, Some(header.as_str()), seconds)))
        .collect();
    let hello_again = wrk(hello, "/", None, seconds);
    let (peak, now) = peak_rss_mb(&server);
    drop(server);

    println!(
        "\n{:<36}{:>10}{:>10}{:>10}{:>12}{:>12}{:>12}",
        "", "req/s", "p50 ms", "p99 ms", "req/s ×", "p50 ×", "p99 ×"
    );
    let line = |name: &str, r: &Run| {
        println!(
            "{name:<36}{:>10.0}{:>10.2}{:>10.2}{:>12.3}{:>12.1}{:>12.1}",
            r.rps,
            r.p50_ms,
            r.p99_ms,
            r.rps / base.rps,
            r.p50_ms / base.p50_ms,
            r.p99_ms / base.p99_ms
        );
    };
    line("bare axum hello (same run)", &base);
    for (name, r) in &runs {
        line(name, r);
    }
    line("bare axum hello (again, at the end)", &hello_again);
    println!("\nratios (×) are to the bare handler's first run; target: review page req/s ≥ 0.5×");
    println!(
        "cold start to the first healthy answer (median of 5, migrations included): {:.0} ms on an \
         empty registry; {:.0} ms on the seeded registry (target ≤ 1000 ms)",
        empty_start.as_secs_f64() * 1000.0,
        seeded_start.as_secs_f64() * 1000.0
    );
    println!(
        "server memory after the runs: peak RSS {peak:.0} MB, RSS {now:.0} MB (target ≤ 150 MB)"
    );
    drop(pg);
}
