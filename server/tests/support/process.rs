//! `tandem` as a separate process: the binary with a clean environment, free ports, `serve`
//! children that are killed when dropped, and a minimal HTTP/1.1 client for them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `tandem` binary, with no database, address or data directory from the environment: this
/// build's, or the one `TANDEM_TEST_BIN` names (`make crashtest` points it at the release build).
pub fn tandem() -> Command {
    let bin =
        std::env::var_os("TANDEM_TEST_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_tandem").into());
    let mut cmd = Command::new(bin);
    cmd.env_remove("DATABASE_URL")
        .env_remove("TANDEM_ADDR")
        .env_remove("TANDEM_DATA_DIR")
        .env_remove("TANDEM_SEED_PASSWORD")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    cmd
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A `tandem serve` child that is killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A response: status code, the header block, and the body as text.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One HTTP/1.1 request with `Connection: close`; `None` when nothing answers.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<Reply> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}

/// A JSON call with a bearer token; `None` when nothing answers.
pub fn bearer(port: u16, method: &str, path: &str, token: &str, body: &str) -> Option<Reply> {
    let auth = format!("Bearer {token}");
    http(
        port,
        method,
        path,
        &[
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ],
        body,
    )
}

pub fn http_get(port: u16, path: &str) -> Option<String> {
    http(port, "GET", path, &[], "")
        .map(|r| format!("HTTP/1.1 {} \r\n{}\r\n\r\n{}", r.status, r.head, r.body))
}

/// Waits until the server answers `/healthz` with 200 and returns the response.
pub fn wait_for_health(port: u16, server: &mut Server) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(resp) = http_get(port, "/healthz") {
            if resp.starts_with("HTTP/1.1 200") {
                return resp;
            }
        }
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("server exited early with {status}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server did not become healthy on port {port}");
}

/// `tandem serve` on `port`, with SQLite in `data_dir` or the given database.
pub fn serve(data_dir: &Path, port: u16, database_url: Option<&str>) -> Server {
    serve_with(data_dir, port, database_url, &[])
}

/// `tandem serve` with extra arguments.
pub fn serve_with(data_dir: &Path, port: u16, database_url: Option<&str>, args: &[&str]) -> Server {
    let mut cmd = tandem();
    cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(args)
        .env("TANDEM_DATA_DIR", data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    Server(cmd.spawn().expect("spawn tandem"))
}

/// Signs in through the sign-in server function, as a browser form would.
pub fn sign_in(port: u16, email: &str, password: &str) -> Reply {
    use leptos::server_fn::ServerFn;
    let body = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    http(
        port,
        "POST",
        app::api::auth::SignIn::PATH,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        &body,
    )
    .expect("sign-in answered")
}
