//! The `tandem` binary as an operator meets it: help and version, migrate, serve, and one clear
//! line with a non-zero exit for each start-up failure, never a panic.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::process::{free_port, http_get, serve, tandem, wait_for_health, Server};

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run tandem")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a start-up failure: non-zero exit, no panic, and a last stderr line that is a single
/// `tandem: error:` line containing `expected`.
fn assert_clear_failure(out: &Output, expected: &str) {
    let err = stderr(out);
    assert!(!out.status.success(), "expected failure, stderr: {err}");
    assert!(!err.contains("panicked"), "panicked: {err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("tandem: error: "), "stderr: {err}");
    assert!(last.contains(expected), "expected {expected:?} in {last:?}");
}

#[test]
fn version_prints_the_package_version() {
    let out = run(tandem().arg("--version"));
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("tandem {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_documents_every_option_and_its_environment_variable() {
    let top = String::from_utf8_lossy(&run(tandem().arg("--help")).stdout).into_owned();
    for needle in [
        "serve",
        "migrate",
        "--database-url",
        "DATABASE_URL",
        "--data-dir",
        "TANDEM_DATA_DIR",
    ] {
        assert!(top.contains(needle), "{needle} missing from:\n{top}");
    }
    let serve =
        String::from_utf8_lossy(&run(tandem().args(["serve", "--help"])).stdout).into_owned();
    for needle in ["--addr", "TANDEM_ADDR", "--site-root", "LEPTOS_SITE_ROOT"] {
        assert!(serve.contains(needle), "{needle} missing from:\n{serve}");
    }
}

#[test]
fn migrate_creates_the_sqlite_file_in_the_data_dir() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("nested/data");
    let out = run(tandem().arg("migrate").env("TANDEM_DATA_DIR", &data));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(data.join("tandem.db").is_file());
    // Running it again is a no-op.
    let again = run(tandem().arg("migrate").env("TANDEM_DATA_DIR", &data));
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn serve_answers_health_and_pages_on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut server = serve(dir.path(), port, None);
    let health = wait_for_health(port, &mut server);
    assert!(health.contains(r#""database":"sqlite""#), "{health}");
    let home = http_get(port, "/").expect("home");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(
        home.contains("Tandem") && home.contains("Please sign in"),
        "{home}"
    );
    assert!(dir.path().join("tandem.db").is_file());
}

#[test]
fn serve_without_a_subcommand_reads_the_address_from_the_environment() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut server = Server(
        tandem()
            .env("TANDEM_DATA_DIR", dir.path())
            .env("TANDEM_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    wait_for_health(port, &mut server);
}

#[tokio::test]
async fn serve_answers_health_on_postgres() {
    let Some(db) = support::TempPgDb::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let url = db.url.clone();
    let health = tokio::task::spawn_blocking(move || {
        let mut server = serve(dir.path(), port, Some(&url));
        wait_for_health(port, &mut server)
    })
    .await;
    db.drop_db().await;
    let health = health.expect("server thread");
    assert!(health.contains(r#""database":"postgres""#), "{health}");
}

#[test]
fn an_unsupported_database_url_is_one_clear_line() {
    let out = run(tandem()
        .arg("migrate")
        .env("DATABASE_URL", "mysql://root@localhost/tandem"));
    assert_clear_failure(&out, "invalid DATABASE_URL: unsupported scheme \"mysql\"");
}

#[test]
fn a_postgres_url_with_a_bad_port_is_one_clear_line() {
    let out = run(tandem()
        .arg("migrate")
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:notaport/x"));
    assert_clear_failure(&out, "invalid DATABASE_URL");
}

#[test]
fn an_unreachable_postgres_is_one_clear_line_without_the_password() {
    let port = free_port();
    let out = run(tandem().arg("migrate").env(
        "DATABASE_URL",
        format!("postgres://tandem:hunter2@127.0.0.1:{port}/tandem"),
    ));
    assert_clear_failure(
        &out,
        "cannot connect to PostgreSQL at postgres://tandem:***@127.0.0.1",
    );
    assert!(!stderr(&out).contains("hunter2"));
}

#[test]
fn an_unusable_data_dir_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    // A regular file where a directory should be: unusable even for root.
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("file");
    let out = run(tandem()
        .arg("serve")
        .env("TANDEM_DATA_DIR", file.join("data")));
    assert_clear_failure(&out, "data directory");
    assert_clear_failure(&out, "is not usable");
}

#[test]
fn a_port_in_use_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let out = run(tandem()
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("TANDEM_DATA_DIR", dir.path()));
    assert_clear_failure(&out, &format!("cannot listen on 127.0.0.1:{port}"));
}

#[test]
fn a_malformed_listen_address_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(tandem()
        .args(["serve", "--addr", "port-three-thousand"])
        .env("TANDEM_DATA_DIR", dir.path()));
    assert_clear_failure(&out, "invalid address \"port-three-thousand\"");
}

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let migrated = run(tandem().arg("migrate").env("TANDEM_DATA_DIR", dir.path()));
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    // Pretend a newer tandem applied a migration this binary does not know.
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("tandem.db").display()
    ))
    .await
    .expect("open");
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (29991231000000, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .expect("insert");
    pool.close().await;
    let out = run(tandem().arg("serve").env("TANDEM_DATA_DIR", dir.path()));
    assert_clear_failure(
        &out,
        "database schema (version 29991231000000) is newer than this tandem binary",
    );
}

fn with_stdin(cmd: &mut Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

#[test]
fn the_first_admin_is_created_with_a_password_from_stdin() {
    let dir = tempfile::tempdir().expect("dir");
    let out = with_stdin(
        tandem()
            .args([
                "user",
                "create",
                "--email",
                "Admin@Clinic.Example",
                "--name",
                "First Admin",
            ])
            .args(["--role", "admin", "--password-stdin"])
            .env("TANDEM_DATA_DIR", dir.path()),
        "a long enough password\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("created user 1 (admin) admin@clinic.example"),
        "{said}"
    );
    // The same email again is refused, in one line.
    let again = with_stdin(
        tandem()
            .args([
                "user",
                "create",
                "--email",
                "admin@clinic.example",
                "--name",
                "Again",
            ])
            .args(["--role", "admin", "--password-stdin"])
            .env("TANDEM_DATA_DIR", dir.path()),
        "a long enough password\n",
    );
    assert_clear_failure(&again, "already exists");
}

#[test]
fn a_password_is_never_taken_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(tandem()
        .args([
            "user",
            "create",
            "--email",
            "a@clinic.example",
            "--name",
            "A",
        ])
        .args(["--role", "admin", "--password", "hunter2hunter2"])
        .env("TANDEM_DATA_DIR", dir.path()));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unexpected argument '--password'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_short_password_and_a_missing_clinic_are_refused_in_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    let short = with_stdin(
        tandem()
            .args([
                "user",
                "create",
                "--email",
                "a@clinic.example",
                "--name",
                "A",
            ])
            .args(["--role", "admin", "--password-stdin"])
            .env("TANDEM_DATA_DIR", dir.path()),
        "short\n",
    );
    assert_clear_failure(&short, "password must be at least 12 characters");
    let no_clinic = with_stdin(
        tandem()
            .args([
                "user",
                "create",
                "--email",
                "cm@clinic.example",
                "--name",
                "CM",
            ])
            .args([
                "--role",
                "care_manager",
                "--clinic",
                "Nowhere",
                "--password-stdin",
            ])
            .env("TANDEM_DATA_DIR", dir.path()),
        "a long enough password\n",
    );
    assert_clear_failure(&no_clinic, "no clinic with id or name \"Nowhere\"");
}

#[test]
fn without_a_terminal_the_password_prompt_explains_password_stdin() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(tandem()
        .args([
            "user",
            "create",
            "--email",
            "a@clinic.example",
            "--name",
            "A",
            "--role",
            "admin",
        ])
        .env("TANDEM_DATA_DIR", dir.path()));
    assert_clear_failure(&out, "--password-stdin");
}

fn http_get_bearer(port: u16, path: &str, token: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[test]
fn an_api_token_is_printed_once_works_and_stops_when_revoked() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path();
    let admin = with_stdin(
        tandem()
            .args(["user", "create", "--email", "admin@synthetic.example"])
            .args([
                "--name",
                "Alex Admin",
                "--role",
                "admin",
                "--password-stdin",
            ])
            .env("TANDEM_DATA_DIR", data),
        "a long enough password\n",
    );
    assert!(admin.status.success(), "{}", stderr(&admin));
    let unknown = run(tandem()
        .args([
            "token",
            "create",
            "--user",
            "nobody@synthetic.example",
            "--name",
            "x",
        ])
        .env("TANDEM_DATA_DIR", data));
    assert_clear_failure(&unknown, "nobody@synthetic.example");

    let made = run(tandem()
        .args(["token", "create", "--user", "admin@synthetic.example"])
        .args(["--name", "EHR interface"])
        .env("TANDEM_DATA_DIR", data));
    assert!(made.status.success(), "{}", stderr(&made));
    let token = String::from_utf8_lossy(&made.stdout).trim().to_owned();
    assert!(
        token.starts_with("tandem_") && token.len() == 71,
        "{token:?}"
    );
    assert!(
        stderr(&made).contains("shown only now"),
        "{}",
        stderr(&made)
    );

    let list = run(tandem()
        .args(["token", "list"])
        .env("TANDEM_DATA_DIR", data));
    let listed = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(listed.starts_with("1\t"), "{listed}");
    assert!(
        listed.contains("EHR interface") && listed.contains("active"),
        "{listed}"
    );
    assert!(
        listed.contains(&token[7..15]),
        "the prefix is shown: {listed}"
    );
    assert!(!listed.contains(&token), "the token itself is never listed");

    let port = free_port();
    let mut server = serve(data, port, None);
    wait_for_health(port, &mut server);
    let ok = http_get_bearer(port, "/api/v1/clinics", &token);
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let revoked = run(tandem()
        .args(["token", "revoke", "--id", "1"])
        .env("TANDEM_DATA_DIR", data));
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("revoked token 1"));
    let refused = http_get_bearer(port, "/api/v1/clinics", &token);
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let missing = run(tandem()
        .args(["token", "revoke", "--id", "99"])
        .env("TANDEM_DATA_DIR", data));
    assert_clear_failure(&missing, "not found");
}

#[test]
fn a_csv_file_is_checked_then_imported_all_or_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path();
    let clinic = run(tandem()
        .args(["clinic", "create", "--name", "Import Clinic"])
        .env("TANDEM_DATA_DIR", data));
    assert!(clinic.status.success(), "{}", stderr(&clinic));
    let bad = data.join("bad.csv");
    std::fs::write(
        &bad,
        "mrn;given_name;family_name;birth_date;enrolled_on;baseline_phq9\n\
         T-1;Tess;Synthetic;1980-01-01;2026-01-05;12\n\
         T-2;Tom;Synthetic;05/06/1980;2026-01-05;30\n",
    )
    .expect("write");
    let refused = run(tandem()
        .args(["import", "--clinic", "Import Clinic", "--file"])
        .arg(&bad)
        .env("TANDEM_DATA_DIR", data));
    assert_clear_failure(&refused, "2 error(s)");
    let err = stderr(&refused);
    assert!(err.contains("row 3, column birth_date: "), "{err}");
    assert!(err.contains("row 3, column baseline_phq9: "), "{err}");

    let good = data.join("good.csv");
    std::fs::write(
        &good,
        "mrn,given_name,family_name,birth_date,enrolled_on,baseline_phq9,followup_1_date,followup_1_phq9\n\
         T-1,Tess,Synthetic,1980-01-01,2026-01-05,12,2026-02-05,6\n",
    )
    .expect("write");
    let dry = run(tandem()
        .args(["import", "--clinic", "1", "--dry-run", "--file"])
        .arg(&good)
        .env("TANDEM_DATA_DIR", data));
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        String::from_utf8_lossy(&dry.stdout).contains("would import 1 patient(s) with 2 score(s)")
    );
    let done = run(tandem()
        .args(["import", "--clinic", "1", "--file"])
        .arg(&good)
        .env("TANDEM_DATA_DIR", data));
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(String::from_utf8_lossy(&done.stdout).contains("imported 1 patient(s) with 2 score(s)"));
    // The same file again: the MRN is now taken, and nothing more is stored.
    let again = run(tandem()
        .args(["import", "--clinic", "1", "--file"])
        .arg(&good)
        .env("TANDEM_DATA_DIR", data));
    assert_clear_failure(&again, "nothing was imported");
    assert!(stderr(&again).contains("already registered"));
}

#[test]
fn seed_fills_an_empty_registry_once_and_says_how_to_sign_in() {
    let dir = tempfile::tempdir().expect("dir");
    let seed = |args: &[&str]| {
        run(tandem()
            .arg("seed")
            .args(args)
            .env("TANDEM_DATA_DIR", dir.path())
            .env("TANDEM_SEED_PASSWORD", "synthetic smoke phrase"))
    };
    let out = seed(&["--patients", "1000", "--seed", "7"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 clinics") && text.contains("1000 patients"),
        "{text}"
    );
    assert!(text.contains("cm1.c01@synthetic.example"), "{text}");
    assert!(
        !text.contains("synthetic smoke phrase"),
        "a given password is not printed"
    );
    assert_clear_failure(
        &seed(&["--patients", "10"]),
        "the registry already has 1000 patients",
    );

    let other = tempfile::tempdir().expect("dir");
    let out = run(tandem()
        .args(["seed", "--patients", "20", "--clinics", "2"])
        .env("TANDEM_DATA_DIR", other.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2 clinics") && text.contains("password is: "),
        "{text}"
    );

    let empty = tempfile::tempdir().expect("dir");
    for (args, expected) in [
        (vec!["--patients", "0"], "--patients must be between 1"),
        (
            vec!["--patients", "5", "--clinics", "9"],
            "no more than the patients",
        ),
        (
            vec!["--patients", "5", "--as-of", "24/11/2026"],
            "--as-of must be a date",
        ),
        (vec!["--patients", "5", "--password", "short"], "password"),
    ] {
        let out = run(tandem()
            .arg("seed")
            .args(&args)
            .env("TANDEM_DATA_DIR", empty.path()));
        assert_clear_failure(&out, expected);
    }
}

/// A backup taken while clinics are being written is one consistent registry; restoring it gives
/// the same tables, row counts and rows. A backup never overwrites a file, and a restore refuses
/// to replace a registry that holds data unless forced.
#[tokio::test]
async fn a_backup_taken_under_writes_restores_table_for_table() {
    let dir = tempfile::tempdir().expect("dir");
    let live = dir.path().join("live");
    let seeded = run(tandem()
        .args(["seed", "--patients", "40", "--clinics", "2"])
        .env("TANDEM_DATA_DIR", &live)
        .env("TANDEM_SEED_PASSWORD", "synthetic backup phrase"));
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let live_db = live.join("tandem.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", live_db.display()))
        .await
        .expect("open");
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM clinics")
            .fetch_one(&pool)
            .await
            .expect("count")
    };
    let before = count().await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let pool = pool.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                sqlx::query(
                    "INSERT INTO clinics (name, created_at) VALUES ($1, CURRENT_TIMESTAMP)",
                )
                .bind(format!("Synthetic clinic under backup {n}"))
                .execute(&pool)
                .await
                .expect("write during the backup");
                n += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            n
        })
    };
    let file = dir.path().join("registry.backup");
    let taken = {
        let file = file.clone();
        let live = live.clone();
        tokio::task::spawn_blocking(move || {
            run(tandem()
                .args(["backup", "--to"])
                .arg(&file)
                .env("TANDEM_DATA_DIR", &live))
        })
        .await
        .expect("backup")
    };
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.expect("writer");
    assert!(taken.status.success(), "{}", stderr(&taken));
    assert!(written > 0, "no write ran beside the backup");
    let after = count().await;
    pool.close().await;

    let backup = support::sqlite_table_digests(&file).await;
    let clinics = backup
        .iter()
        .find(|(t, ..)| t == "clinics")
        .expect("clinics")
        .1;
    assert!(
        (before..=after).contains(&clinics),
        "{before} ≤ {clinics} ≤ {after}"
    );
    assert!(backup.iter().any(|(t, n, _)| t == "measurements" && *n > 0));

    let restored_dir = dir.path().join("restored");
    let restored = run(tandem()
        .args(["restore", "--from"])
        .arg(&file)
        .env("TANDEM_DATA_DIR", &restored_dir));
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert_eq!(
        support::sqlite_table_digests(&restored_dir.join("tandem.db")).await,
        backup
    );

    // Never over a file, never over data without --force.
    let again = run(tandem()
        .args(["backup", "--to"])
        .arg(&file)
        .env("TANDEM_DATA_DIR", &live));
    assert_clear_failure(&again, "already exists");
    let refused = run(tandem()
        .args(["restore", "--from"])
        .arg(&file)
        .env("TANDEM_DATA_DIR", &live));
    assert_clear_failure(&refused, "already holds a registry");
    assert_eq!(
        support::sqlite_table_digests(&live_db)
            .await
            .iter()
            .find(|(t, ..)| t == "clinics")
            .map(|c| c.1),
        Some(after),
        "a refused restore changed the registry"
    );
    let forced = run(tandem()
        .args(["restore", "--force", "--from"])
        .arg(&file)
        .env("TANDEM_DATA_DIR", &live));
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(support::sqlite_table_digests(&live_db).await, backup);
    let not_a_backup = run(tandem()
        .args(["restore", "--from"])
        .arg(dir.path().join("missing.backup"))
        .env("TANDEM_DATA_DIR", dir.path().join("elsewhere")));
    assert_clear_failure(&not_a_backup, "does not exist");
}

/// On PostgreSQL a backup is `pg_dump`'s custom format and a restore `pg_restore` in one
/// transaction: the restored database has the same tables and rows, and a database that holds a
/// registry is only replaced with `--force`.
#[tokio::test]
async fn a_postgres_backup_restores_table_for_table() {
    let Some(source) = support::TempPgDb::create().await else {
        return;
    };
    let Some(target) = support::TempPgDb::create().await else {
        source.drop_db().await;
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("registry.dump");
    let (src, dst, f) = (source.url.clone(), target.url.clone(), file.clone());
    let outputs = tokio::task::spawn_blocking(move || {
        let seeded = run(tandem()
            .args(["seed", "--patients", "30"])
            .env("DATABASE_URL", &src)
            .env("TANDEM_SEED_PASSWORD", "synthetic backup phrase"));
        let taken = run(tandem()
            .args(["backup", "--to"])
            .arg(&f)
            .env("DATABASE_URL", &src));
        let restored = run(tandem()
            .args(["restore", "--from"])
            .arg(&f)
            .env("DATABASE_URL", &dst));
        let refused = run(tandem()
            .args(["restore", "--from"])
            .arg(&f)
            .env("DATABASE_URL", &dst));
        let forced = run(tandem()
            .args(["restore", "--force", "--from"])
            .arg(&f)
            .env("DATABASE_URL", &dst));
        [seeded, taken, restored, refused, forced]
    })
    .await
    .expect("commands");
    let digests = (
        support::pg_table_digests(&source.url).await,
        support::pg_table_digests(&target.url).await,
    );
    source.drop_db().await;
    target.drop_db().await;
    let [seeded, taken, restored, refused, forced] = outputs;
    for out in [&seeded, &taken, &restored, &forced] {
        assert!(out.status.success(), "{}", stderr(out));
    }
    assert_clear_failure(&refused, "already holds a registry");
    let (from, to) = digests;
    assert!(from.iter().any(|(t, n, _)| t == "measurements" && *n > 0));
    assert_eq!(from, to);
}

/// With `TANDEM_LOG_FORMAT=json` every log line is one JSON object with a level and a message,
/// for a log collector; the default stays plain text.
#[test]
fn json_logs_are_one_object_per_line() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(tandem()
        .arg("migrate")
        .env("TANDEM_DATA_DIR", dir.path())
        .env("RUST_LOG", "info")
        .env("TANDEM_LOG_FORMAT", "json"));
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["level"] == "INFO" && l["message"] == "schema is up to date"),
        "{lines:?}"
    );
    let text = run(tandem()
        .arg("migrate")
        .env("TANDEM_DATA_DIR", dir.path())
        .env("RUST_LOG", "info"));
    assert!(stderr(&text).contains("schema is up to date"));
    assert!(!stderr(&text).trim_start().starts_with('{'));
    let bad = run(tandem().args(["--log-format", "xml", "migrate"]));
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("xml"), "{}", stderr(&bad));
}

#[tokio::test]
async fn export_all_writes_every_clinic_as_csv_and_fhir_and_refuses_a_used_directory() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_owned();
    let target = dir.path().join("leaving");
    let (d, t) = (data.clone(), target.clone());
    let [seeded, exported, again, neither] = tokio::task::spawn_blocking(move || {
        let seeded = run(tandem()
            .args(["seed", "--patients", "40", "--clinics", "2"])
            .env("TANDEM_DATA_DIR", &d)
            .env("TANDEM_SEED_PASSWORD", "synthetic export phrase"));
        let export = || {
            run(tandem()
                .args(["export", "--all", "--to"])
                .arg(&t)
                .env("TANDEM_DATA_DIR", &d))
        };
        let exported = export();
        let again = export();
        let neither = run(tandem()
            .args(["export", "--to"])
            .arg(d.join("other"))
            .env("TANDEM_DATA_DIR", &d));
        [seeded, exported, again, neither]
    })
    .await
    .expect("commands");
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(
        String::from_utf8_lossy(&exported.stdout).contains("exported 2 clinic(s), 40 patient(s)"),
        "{}",
        String::from_utf8_lossy(&exported.stdout)
    );
    assert_clear_failure(&again, "not empty");
    assert!(!neither.status.success());
    assert!(stderr(&neither).contains("--all"), "{}", stderr(&neither));

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("tandem.db").display()))
        .await
        .expect("open");
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.expect(sql);
            usize::try_from(n).expect("count")
        }
    };
    let measurements = count("SELECT count(*) FROM measurements").await;
    let itemised = count("SELECT count(*) FROM measurements WHERE items IS NOT NULL").await;
    let contacts = count("SELECT count(*) FROM contacts").await;
    let audited =
        count("SELECT count(*) FROM audit_log WHERE action = 'registry.export' AND outcome = 'ok'")
            .await;
    pool.close().await;
    assert!(
        measurements > 40 && contacts > 40,
        "{measurements} {contacts}"
    );
    assert_eq!(audited, 2, "each exported clinic is audited");

    let lines = |path: std::path::PathBuf| {
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let clinics = lines(target.join("clinics.csv"));
    assert_eq!(clinics.len(), 3, "{clinics:?}");
    let mut csv_scores = 0;
    let mut csv_contacts = 0;
    for row in &clinics[1..] {
        let id = row.split(',').next().expect("id");
        let folder = target.join(format!("clinic-{id}"));
        let mut reader = csv::Reader::from_path(folder.join("measurements.csv")).expect("csv");
        csv_scores += reader.records().count();
        let mut reader = csv::Reader::from_path(folder.join("contacts.csv")).expect("csv");
        csv_contacts += reader.records().count();
        assert!(folder.join("caseload.csv").is_file());
    }
    assert_eq!(csv_scores, measurements);
    assert_eq!(csv_contacts, contacts);
    let resources = |name: &str, kind: &str| {
        let all = lines(target.join("fhir").join(name));
        for line in &all {
            let v: serde_json::Value = serde_json::from_str(line).expect("one resource per line");
            assert_eq!(v["resourceType"], kind, "{line}");
        }
        all.len()
    };
    assert_eq!(resources("Patient.ndjson", "Patient"), 40);
    assert_eq!(resources("Observation.ndjson", "Observation"), measurements);
    assert_eq!(
        resources("QuestionnaireResponse.ndjson", "QuestionnaireResponse"),
        itemised
    );
    assert!(
        !dir.path().join(".leaving.partial").exists(),
        "no staging directory is left"
    );
}

/// SIGTERM stops new connections but lets a request already being received finish; then the
/// pools close and the process exits 0.
#[test]
fn sigterm_lets_an_in_flight_request_finish_and_exits_cleanly() {
    use leptos::server_fn::ServerFn;
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut server = serve(dir.path(), port, None);
    wait_for_health(port, &mut server);
    let body = "email=nobody%40synthetic.example&password=not+the+password";
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Sec-Fetch-Site: same-origin\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
        app::api::auth::SignIn::PATH,
        body.len(),
        &body[..10]
    )
    .expect("write the first part");
    stream.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));
    let term = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        server.0.try_wait().expect("status").is_none(),
        "the server waits for the request it is receiving"
    );
    assert!(
        http_get(port, "/healthz").is_none(),
        "no new connection is accepted once shutdown has begun"
    );
    stream
        .write_all(&body.as_bytes()[10..])
        .expect("write the rest");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    // The sign-in ran to its end and refused the made-up account.
    assert!(response.starts_with("HTTP/1.1 4"), "{response}");
    assert!(response.contains("serverfnerror"), "{response}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.0.try_wait().expect("status") {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not exit"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}
