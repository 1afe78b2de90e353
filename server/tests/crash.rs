//! Crash safety and concurrent writers, against `tandem serve` as a separate process.
//!
//! The crash test drives concurrent writes of measurements and contacts through the JSON API,
//! remembers every write the server acknowledged (201 with the new id), and kills the server with
//! SIGKILL at random moments. After each kill it opens the database itself and checks that every
//! acknowledged write is there with the values sent, that no record is half-written (integrity
//! and foreign-key checks on SQLite; item answers that add up to the stored total on both) and
//! then restarts the server on the same data.
//!
//! `make test` runs a short version (`TANDEM_CRASH_KILLS`, default 5 kills per engine, and
//! `TANDEM_CONCURRENT_WRITES`, default 8 writers x 250 writes, against the debug build).
//! `make crashtest` runs the full one (60 kills per engine and 8 x 1000 writes, against the
//! release server named by `TANDEM_TEST_BIN`) and prints the report that `docs/RELIABILITY.md`
//! quotes.

mod support;

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Days, Local};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use support::process::{bearer, free_port, serve, tandem, wait_for_health, Server};

/// A report line on the terminal, past the test harness's output capture.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn today() -> chrono::NaiveDate {
    Local::now().date_naive()
}

fn days_ago(n: u64) -> String {
    (today() - Days::new(n)).to_string()
}

/// Where the registry lives: a SQLite data directory or a PostgreSQL database.
struct Registry {
    dir: tempfile::TempDir,
    url: Option<String>,
}

impl Registry {
    fn command(&self) -> std::process::Command {
        let mut cmd = tandem();
        cmd.env("TANDEM_DATA_DIR", self.dir.path());
        if let Some(url) = &self.url {
            cmd.env("DATABASE_URL", url);
        }
        cmd
    }

    fn serve(&self, port: u16) -> Server {
        let mut server = serve(self.dir.path(), port, self.url.as_deref());
        wait_for_health(port, &mut server);
        server
    }
}

/// A clinic, a care manager with an API token, and `patients` enrolled 90 days ago.
struct Fixture {
    token: String,
    patients: Vec<i64>,
}

fn run_ok(cmd: &mut std::process::Command, stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tandem");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("tandem ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn fixture(registry: &Registry, patients: usize) -> Fixture {
    run_ok(
        registry
            .command()
            .args(["clinic", "create", "--name", "Synthetic Crash Clinic"]),
        None,
    );
    run_ok(
        registry.command().args([
            "user",
            "create",
            "--email",
            "cm@synthetic.example",
            "--name",
            "Casey Synthetic",
            "--role",
            "care_manager",
            "--clinic",
            "Synthetic Crash Clinic",
            "--password-stdin",
        ]),
        Some("a synthetic pass phrase\n"),
    );
    let token = run_ok(
        registry.command().args([
            "token",
            "create",
            "--user",
            "cm@synthetic.example",
            "--name",
            "writer",
        ]),
        None,
    );
    let port = free_port();
    let _server = registry.serve(port);
    let clinic = api(port, &token, "GET", "/api/v1/clinics", "")
        .and_then(|(_, body)| body[0]["id"].as_i64())
        .expect("the clinic");
    let patients = (0..patients)
        .map(|n| {
            let body = json!({"clinic_id": clinic, "mrn": format!("CRASH-{n}"),
                "given_name": "Synthetic", "family_name": format!("Writer{n}"),
                "birth_date": "1980-01-01", "enrolled_on": days_ago(90)});
            let (status, reply) = api(port, &token, "POST", "/api/v1/patients", &body.to_string())
                .expect("the server answers");
            assert_eq!(status, 201, "{reply}");
            reply["id"].as_i64().expect("patient id")
        })
        .collect();
    Fixture { token, patients }
}

/// One JSON API call with the bearer token: the status and the parsed body, or `None` when no
/// complete response arrived (the server was down or was killed mid-request).
fn api(port: u16, token: &str, method: &str, path: &str, body: &str) -> Option<(u16, Value)> {
    let reply = bearer(port, method, path, token, body)?;
    let json = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    Some((reply.status, json))
}

/// What a write sent, to compare with what the database holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Sent {
    Measurement { items: String },
    Contact { minutes: i64 },
}

/// Every acknowledged write by id, and every answer that was neither a 201 nor a dropped
/// connection.
#[derive(Default)]
struct Ledger {
    measurements: HashMap<i64, Sent>,
    contacts: HashMap<i64, Sent>,
    /// Answers other than 201, by status, with one message each: a busy database would show here.
    errors: Vec<(u16, String)>,
    /// Requests that got no complete answer (in flight at a kill, or sent while it was down).
    unanswered: u64,
}

impl Ledger {
    fn acknowledged(&self) -> usize {
        self.measurements.len() + self.contacts.len()
    }
}

/// One write of a random kind to a random patient; records the outcome in the ledger.
fn write_once(
    port: u16,
    token: &str,
    patients: &[i64],
    rng: &mut ChaCha8Rng,
    ledger: &Mutex<Ledger>,
) {
    let patient = patients[rng.random_range(0..patients.len())];
    let (path, body, sent) = if rng.random_bool(0.6) {
        let items: Vec<u8> = (0..9).map(|_| rng.random_range(0..=3)).collect();
        let text = items
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(",");
        (
            format!("/api/v1/patients/{patient}/measurements"),
            json!({"instrument": "PHQ-9", "taken_on": days_ago(rng.random_range(0..80)), "items": items}),
            Sent::Measurement { items: text },
        )
    } else {
        let minutes = rng.random_range(1..=60);
        (
            format!("/api/v1/patients/{patient}/contacts"),
            json!({"occurred_on": days_ago(rng.random_range(0..80)), "kind": "phone", "minutes": minutes}),
            Sent::Contact { minutes },
        )
    };
    let answer = api(port, token, "POST", &path, &body.to_string());
    let mut ledger = ledger.lock().expect("ledger");
    match answer {
        Some((201, reply)) => {
            let id = reply["id"].as_i64().expect("a 201 names the new id");
            let book = match sent {
                Sent::Measurement { .. } => &mut ledger.measurements,
                Sent::Contact { .. } => &mut ledger.contacts,
            };
            assert!(
                book.insert(id, sent).is_none(),
                "id {id} acknowledged twice"
            );
        }
        Some((status, reply)) => ledger.errors.push((status, reply.to_string())),
        None => ledger.unanswered += 1,
    }
}

/// What the database holds after a kill.
struct Found {
    measurements: HashMap<i64, Sent>,
    contacts: HashMap<i64, Sent>,
    /// Problems a half-written record or a damaged file would show.
    damage: Vec<String>,
    /// Acknowledged creations that have no audit entry (the audit entry is its own transaction).
    unaudited: i64,
}

fn check_items(id: i64, items: &Option<String>, total: i64, damage: &mut Vec<String>) {
    let Some(items) = items else {
        damage.push(format!("measurement {id} has no item answers"));
        return;
    };
    let sum: i64 = items
        .split(',')
        .map(|a| a.parse::<i64>().unwrap_or(99))
        .sum();
    if sum != total || items.split(',').count() != 9 {
        damage.push(format!(
            "measurement {id}: items {items} do not add up to {total}"
        ));
    }
}

/// The stored scores (id, items, total), contacts (id, minutes) and creation audit entries, read
/// on an open connection of either engine.
macro_rules! read_records {
    ($conn:ident) => {{
        let rows: Vec<(i64, Option<String>, i64)> =
            sqlx::query_as("SELECT id, items, total FROM measurements")
                .fetch_all(&mut $conn)
                .await
                .expect("measurements");
        let contacts: Vec<(i64, i64)> = sqlx::query_as("SELECT id, minutes FROM contacts")
            .fetch_all(&mut $conn)
            .await
            .expect("contacts");
        let audited: i64 = sqlx::query_scalar(AUDITED)
            .fetch_one(&mut $conn)
            .await
            .expect("audit");
        (rows, contacts, audited)
    }};
}

async fn inspect_sqlite(path: &std::path::Path) -> Found {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::ConnectOptions;
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("open the killed server's database");
    let mut damage = Vec::new();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .expect("integrity check");
    if integrity != ["ok"] {
        damage.push(format!("integrity_check: {integrity:?}"));
    }
    let orphans: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
            .fetch_all(&mut conn)
            .await
            .expect("foreign key check");
    if !orphans.is_empty() {
        damage.push(format!("foreign_key_check: {orphans:?}"));
    }
    let (rows, contacts, audited) = read_records!(conn);
    found(rows, contacts, audited, damage)
}

async fn inspect_postgres(url: &str) -> Found {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = url
        .parse::<sqlx::postgres::PgConnectOptions>()
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let (rows, contacts, audited) = read_records!(conn);
    let _ = conn.close().await;
    found(rows, contacts, audited, Vec::new())
}

const AUDITED: &str = "SELECT count(*) FROM audit_log \
    WHERE action IN ('measurement.create', 'contact.create') AND outcome = 'ok'";

fn found(
    rows: Vec<(i64, Option<String>, i64)>,
    contacts: Vec<(i64, i64)>,
    audited: i64,
    mut damage: Vec<String>,
) -> Found {
    let mut measurements = HashMap::new();
    for (id, items, total) in rows {
        check_items(id, &items, total, &mut damage);
        measurements.insert(
            id,
            Sent::Measurement {
                items: items.unwrap_or_default(),
            },
        );
    }
    let records = i64::try_from(measurements.len() + contacts.len()).unwrap_or(i64::MAX);
    Found {
        measurements,
        contacts: contacts
            .into_iter()
            .map(|(id, minutes)| (id, Sent::Contact { minutes }))
            .collect(),
        damage,
        unaudited: (records - audited).max(0),
    }
}

/// The figures of one run, printed and asserted.
#[derive(Debug, Default)]
struct Report {
    kills: usize,
    acknowledged: usize,
    lost: usize,
    altered: usize,
    integrity_failures: usize,
    errors: usize,
    unanswered: u64,
    unaudited: i64,
}

/// Writers run against the server while it is killed `kills` times at random moments.
async fn crash_run(registry: Registry, engine: &str) {
    let kills = env_number("TANDEM_CRASH_KILLS", 5);
    let writers = env_number("TANDEM_CRASH_WRITERS", 4);
    let seed: u64 = std::env::var("TANDEM_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    say(&format!(
        "crash test ({engine}): {kills} kills, {writers} writers, seed {seed}"
    ));
    let fix = fixture(&registry, 20);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let port = Arc::new(AtomicU16::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (ledger, port, stop) = (ledger.clone(), port.clone(), stop.clone());
            let (token, patients) = (fix.token.clone(), fix.patients.clone());
            std::thread::spawn(move || {
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (w as u64 + 1));
                while !stop.load(Ordering::SeqCst) {
                    let p = port.load(Ordering::SeqCst);
                    if p == 0 {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                    write_once(p, &token, &patients, &mut rng, &ledger);
                }
            })
        })
        .collect();

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut report = Report::default();
    let started = Instant::now();
    for _ in 0..kills {
        let p = free_port();
        let mut server = registry.serve(p);
        port.store(p, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(rng.random_range(150..900)));
        // SIGKILL: no shutdown handler runs, whatever the server was doing.
        server.0.kill().expect("kill -9");
        server.0.wait().expect("reap");
        port.store(0, Ordering::SeqCst);
        report.kills += 1;
        // Give requests that were on their way a moment to fail before the books are read.
        std::thread::sleep(Duration::from_millis(20));
        let found = match &registry.url {
            None => inspect_sqlite(&registry.dir.path().join("tandem.db")).await,
            Some(url) => inspect_postgres(url).await,
        };
        let book = ledger.lock().expect("ledger");
        let mut lost = 0;
        let mut altered = 0;
        for (held, sent) in [
            (&found.measurements, &book.measurements),
            (&found.contacts, &book.contacts),
        ] {
            for (id, what) in sent {
                match held.get(id) {
                    None => lost += 1,
                    Some(stored) if stored != what => altered += 1,
                    Some(_) => {}
                }
            }
        }
        report.lost = lost;
        report.altered = altered;
        report.acknowledged = book.acknowledged();
        report.unaudited = found.unaudited;
        if !found.damage.is_empty() {
            report.integrity_failures += 1;
            say(&format!(
                "damage after kill {}: {:?}",
                report.kills, found.damage
            ));
        }
        assert_eq!(
            lost, 0,
            "acknowledged writes lost after kill {}",
            report.kills
        );
        assert_eq!(
            altered, 0,
            "acknowledged writes changed after kill {}",
            report.kills
        );
    }
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().expect("writer");
    }
    {
        let book = ledger.lock().expect("ledger");
        report.errors = book.errors.len();
        report.unanswered = book.unanswered;
        report.acknowledged = book.acknowledged();
        assert!(
            book.errors.is_empty(),
            "the server refused writes: {:?}",
            &book.errors[..book.errors.len().min(5)]
        );
    }
    // The registry still serves after the last kill and takes a new write.
    let p = free_port();
    let _server = registry.serve(p);
    let (status, body) = api(
        p,
        &fix.token,
        "POST",
        &format!("/api/v1/patients/{}/contacts", fix.patients[0]),
        &json!({"occurred_on": days_ago(0), "kind": "phone", "minutes": 5}).to_string(),
    )
    .expect("answer after the last restart");
    assert_eq!(status, 201, "{body}");
    say(&format!(
        "CRASH REPORT ({engine}): kills {}, writes acknowledged {}, lost {}, altered {}, \
         integrity failures {}, error answers {}, requests without an answer (in flight at a kill, or sent to the stopped server) {}, acknowledged writes \
         without an audit entry {}, {:.0} s",
        report.kills,
        report.acknowledged,
        report.lost,
        report.altered,
        report.integrity_failures,
        report.errors,
        report.unanswered,
        report.unaudited,
        started.elapsed().as_secs_f64()
    ));
    assert_eq!(report.kills, kills);
    assert_eq!(report.integrity_failures, 0);
    assert!(
        report.acknowledged >= kills,
        "too few writes were acknowledged ({}) for the run to mean anything",
        report.acknowledged
    );
}

fn sqlite_registry() -> Registry {
    Registry {
        dir: tempfile::tempdir().expect("dir"),
        url: None,
    }
}

/// Runs `run` on a registry in a throwaway PostgreSQL database, with a second one for a copy,
/// dropping both afterwards even when it panics. Skips (loudly) when PostgreSQL does not answer.
async fn on_postgres<F, Fut>(run: F)
where
    F: FnOnce(Registry, Registry) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(source) = support::TempPgDb::create().await else {
        return;
    };
    let Some(copy) = support::TempPgDb::create().await else {
        source.drop_db().await;
        return;
    };
    let registry = |db: &support::TempPgDb| Registry {
        dir: tempfile::tempdir().expect("dir"),
        url: Some(db.url.clone()),
    };
    let result = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(run(
        registry(&source),
        registry(&copy),
    )))
    .await;
    source.drop_db().await;
    copy.drop_db().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_on_sqlite() {
    crash_run(sqlite_registry(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_on_postgres() {
    on_postgres(|registry, _| crash_run(registry, "postgres")).await;
}

/// `writers` threads each make `per_writer` writes to the same clinic; every one must be a 201.
async fn concurrent_run(registry: Registry, engine: &str) {
    let writers = 8;
    let per_writer = env_number("TANDEM_CONCURRENT_WRITES", 250);
    let fix = fixture(&registry, 16);
    let port = free_port();
    let _server = registry.serve(port);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let started = Instant::now();
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let ledger = ledger.clone();
            let (token, patients) = (fix.token.clone(), fix.patients.clone());
            std::thread::spawn(move || {
                let mut rng = ChaCha8Rng::seed_from_u64(w);
                for _ in 0..per_writer {
                    write_once(port, &token, &patients, &mut rng, &ledger);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let book = ledger.lock().expect("ledger");
    let busy = book
        .errors
        .iter()
        .filter(|(_, m)| {
            let m = m.to_lowercase();
            m.contains("locked") || m.contains("busy")
        })
        .count();
    say(&format!(
        "CONCURRENCY REPORT ({engine}): {writers} writers x {per_writer} writes: {} acknowledged, \
         {} error answers ({busy} busy or locked), {} unanswered, {:.1} s, {:.0} writes/s",
        book.acknowledged(),
        book.errors.len(),
        book.unanswered,
        elapsed,
        book.acknowledged() as f64 / elapsed
    ));
    assert_eq!(busy, 0);
    assert!(
        book.errors.is_empty(),
        "{:?}",
        &book.errors[..book.errors.len().min(5)]
    );
    assert_eq!(book.unanswered, 0);
    assert_eq!(book.acknowledged(), writers as usize * per_writer);

    // Optimistic concurrency: eight simultaneous status changes made against the same version.
    // Exactly one wins; the others are refused (409 for the stale version, or 422 when the
    // episode they meant to change has already been discharged) and change nothing.
    let patient = fix.patients[0];
    let read = || {
        api(
            port,
            &fix.token,
            "GET",
            &format!("/api/v1/patients/{patient}"),
            "",
        )
        .expect("patient")
        .1
    };
    let version = read()["episode"]["version"]
        .as_i64()
        .expect("the episode's version");
    let answers: Vec<(u16, String)> = (0..8)
        .map(|_| {
            let token = fix.token.clone();
            let body = json!({"status": "discharged", "on": days_ago(0),
                "reason": "referred_specialty", "version": version})
            .to_string();
            std::thread::spawn(move || {
                api(
                    port,
                    &token,
                    "POST",
                    &format!("/api/v1/patients/{patient}/status"),
                    &body,
                )
                .map(|(s, b)| {
                    (
                        s,
                        b["error"]["message"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                })
                .unwrap_or_default()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("editor"))
        .collect();
    assert_eq!(
        answers.iter().filter(|(s, _)| *s == 200).count(),
        1,
        "{answers:?}"
    );
    for (status, message) in answers.iter().filter(|(s, _)| *s != 200) {
        assert!(matches!(status, 409 | 422), "{answers:?}");
        assert!(!message.is_empty(), "a refusal says why: {answers:?}");
    }
    let after = read();
    assert_eq!(after["episode"]["status"], "discharged");
    assert_eq!(
        after["episode"]["version"].as_i64(),
        Some(version + 1),
        "exactly one change was applied"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_writers_to_one_clinic_never_see_a_busy_database_on_sqlite() {
    concurrent_run(sqlite_registry(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_writers_to_one_clinic_never_see_a_busy_database_on_postgres() {
    on_postgres(|registry, _| concurrent_run(registry, "postgres")).await;
}

/// `tandem backup` while writers are storing scores and contacts through the server; the backup
/// restores into a new registry with the same rows in every table, and holds every write that
/// was acknowledged before the backup began.
async fn backup_under_load(registry: Registry, target: Registry, engine: &str) {
    let fix = fixture(&registry, 10);
    let port = free_port();
    let _server = registry.serve(port);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..4)
        .map(|w| {
            let (ledger, stop) = (ledger.clone(), stop.clone());
            let (token, patients) = (fix.token.clone(), fix.patients.clone());
            std::thread::spawn(move || {
                let mut rng = ChaCha8Rng::seed_from_u64(100 + w);
                while !stop.load(Ordering::SeqCst) {
                    write_once(port, &token, &patients, &mut rng, &ledger);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let before: Vec<i64> = ledger
        .lock()
        .expect("ledger")
        .measurements
        .keys()
        .copied()
        .collect();
    let file = registry.dir.path().join(match engine {
        "sqlite" => "registry.backup",
        _ => "registry.dump",
    });
    let started = Instant::now();
    let taken = registry
        .command()
        .args(["backup", "--to"])
        .arg(&file)
        .output()
        .expect("backup");
    let took = started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().expect("writer");
    }
    assert!(
        taken.status.success(),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    let (acknowledged, scores_after, unanswered) = {
        let book = ledger.lock().expect("ledger");
        assert!(book.errors.is_empty(), "{:?}", book.errors);
        (
            book.acknowledged(),
            book.measurements.len(),
            book.unanswered,
        )
    };
    let restored = target
        .command()
        .args(["restore", "--from"])
        .arg(&file)
        .output()
        .expect("restore");
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let (in_backup, tables) = match (&registry.url, &target.url) {
        (None, None) => {
            let backup = support::sqlite_table_digests(&file).await;
            let copy = support::sqlite_table_digests(&target.dir.path().join("tandem.db")).await;
            assert_eq!(
                copy, backup,
                "the restored registry differs from the backup"
            );
            let found = inspect_sqlite(&file).await;
            assert!(found.damage.is_empty(), "{:?}", found.damage);
            let tables: Vec<String> = backup
                .iter()
                .map(|(t, n, d)| format!("{t} {n} rows {d:016x}"))
                .collect();
            (found.measurements, tables)
        }
        (Some(source_url), Some(copy_url)) => {
            // The live database has moved on since the dump; every row the restore holds must
            // still be in it, unchanged (these writers only insert; the tables the server updates
            // in place, a token's last use, the sweep's lease and its review-queue write-back,
            // are left out).
            let copy = support::pg_table_digests(copy_url).await;
            for (table, _, _) in &copy {
                if matches!(
                    table.as_str(),
                    "api_tokens" | "leases" | "sessions" | "review_queue"
                ) {
                    continue;
                }
                let restored = pg_rows(copy_url, table).await;
                let live: std::collections::HashSet<String> =
                    pg_rows(source_url, table).await.into_iter().collect();
                let strays = restored.iter().filter(|r| !live.contains(*r)).count();
                assert_eq!(
                    strays, 0,
                    "{table}: rows in the restore that the source never had"
                );
            }
            let found = inspect_postgres(copy_url).await;
            let tables: Vec<String> = copy
                .iter()
                .map(|(t, n, d)| format!("{t} {n} rows {d}"))
                .collect();
            (found.measurements, tables)
        }
        _ => unreachable!("both registries use the same engine"),
    };
    let missing = before
        .iter()
        .filter(|id| !in_backup.contains_key(id))
        .count();
    assert_eq!(
        missing, 0,
        "writes acknowledged before the backup are missing from it"
    );
    assert!(
        in_backup.len() <= scores_after + unanswered as usize,
        "the backup holds scores nobody wrote"
    );
    say(&format!(
        "BACKUP REPORT ({engine}): taken in {took:.2} s under {} acknowledged writes; scores \
         acknowledged before it {}, in it {}, after the run {}; restored table for table:\n  {}",
        acknowledged,
        before.len(),
        in_backup.len(),
        scores_after,
        tables.join("\n  ")
    ));
}

/// Every row of a table as text.
async fn pg_rows(url: &str, table: &str) -> Vec<String> {
    let pool = sqlx::PgPool::connect(url).await.expect("connect");
    let rows = sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t"))
        .fetch_all(&pool)
        .await
        .expect("rows");
    pool.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_http_write_load_restores_table_for_table_on_sqlite() {
    backup_under_load(sqlite_registry(), sqlite_registry(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_http_write_load_restores_table_for_table_on_postgres() {
    on_postgres(|registry, copy| backup_under_load(registry, copy, "postgres")).await;
}
