//! A private MariaDB server for one test: its own data directory and free
//! port, so a failure drill can kill and restart its database without
//! touching the shared server other tests use.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::{Connection, MySqlConnection};

use crate::process::free_port;

const INSTALL_DB: &str = "mariadb-install-db";
const SERVER_BINARIES: &[&str] = &["/usr/sbin/mariadbd", "/usr/sbin/mysqld", "/usr/bin/mariadbd"];
const START_WITHIN: Duration = Duration::from_secs(60);

/// Small and fast: this server holds one test's few rows.
const SERVER_OPTIONS: &[&str] = &[
    "--innodb-log-file-size=8M",
    "--innodb-buffer-pool-size=32M",
    "--innodb-flush-log-at-trx-commit=2",
    "--skip-log-bin",
    "--skip-name-resolve",
    "--max-connections=200",
];

pub struct MariaDbInstance {
    pub port: u16,
    dir: PathBuf,
    server_binary: PathBuf,
    child: Option<Child>,
    starts: u32,
}

impl MariaDbInstance {
    /// Initialises a data directory (root without a password on
    /// 127.0.0.1) and starts the server on a free port.
    pub async fn start() -> MariaDbInstance {
        let server_binary = SERVER_BINARIES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .unwrap_or_else(|| {
                panic!("no MariaDB server binary at any of {SERVER_BINARIES:?}; install mariadb-server")
            });
        let dir = std::env::temp_dir().join(format!("cloudplane-mariadb-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let user = os_user();
        let log = log_file(&dir, "install.log");
        let status = Command::new(INSTALL_DB)
            .arg("--no-defaults")
            .arg(format!("--user={user}"))
            .arg(format!("--datadir={}", dir.join("data").display()))
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db")
            .args(SERVER_OPTIONS)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap_or_else(|e| panic!("log handle: {e}")))
            .stderr(log)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {INSTALL_DB} (install mariadb-server): {e}"));
        assert!(
            status.success(),
            "{INSTALL_DB} failed ({status}):\n{}",
            std::fs::read_to_string(dir.join("install.log")).unwrap_or_default()
        );
        let mut instance = MariaDbInstance {
            port: free_port(),
            dir,
            server_binary,
            child: None,
            starts: 0,
        };
        instance.spawn_and_wait().await;
        instance
    }

    /// The server, for `TestDb::on_server`.
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    /// SIGKILL: the server dies at once, as on a crash.
    pub fn kill(&mut self) {
        self.signal("KILL");
    }

    /// Starts the server again on the same port and data directory.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "restart of a running server");
        self.spawn_and_wait().await;
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }

    fn signal(&mut self, signal: &str) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    async fn spawn_and_wait(&mut self) {
        self.starts += 1;
        let log = log_file(&self.dir, &format!("server-{}.log", self.starts));
        let child = Command::new(&self.server_binary)
            .arg("--no-defaults")
            .arg(format!("--user={}", os_user()))
            .arg(format!("--datadir={}", self.dir.join("data").display()))
            .arg(format!("--port={}", self.port))
            .arg(format!("--socket={}", self.dir.join("mysqld.sock").display()))
            .arg(format!("--pid-file={}", self.dir.join("mysqld.pid").display()))
            .arg(format!("--log-error={}", self.dir.join("error.log").display()))
            .arg("--bind-address=127.0.0.1")
            .args(SERVER_OPTIONS)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap_or_else(|e| panic!("log handle: {e}")))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.server_binary.display()));
        self.child = Some(child);
        let deadline = Instant::now() + START_WITHIN;
        while Instant::now() < deadline {
            if let Ok(Ok(conn)) =
                tokio::time::timeout(Duration::from_secs(2), MySqlConnection::connect(&self.url())).await
            {
                let _ = conn.close().await;
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("mariadbd exited with {status}:\n{}", self.error_log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("mariadbd did not answer within {START_WITHIN:?}:\n{}", self.error_log());
    }
}

impl Drop for MariaDbInstance {
    fn drop(&mut self) {
        self.kill();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn log_file(dir: &Path, name: &str) -> File {
    let path = dir.join(name);
    File::create(&path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()))
}

/// The account the test runs as; mariadbd needs `--user` when that is root.
fn os_user() -> String {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().next().map(str::to_owned))
        })
        .unwrap_or_default();
    if uid == "0" {
        "root".to_owned()
    } else {
        std::env::var("USER").unwrap_or_else(|_| "root".to_owned())
    }
}
