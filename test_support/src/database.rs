//! A fresh, migrated database per test on a real MySQL/MariaDB server.
//!
//! The server comes from `TEST_DATABASE_URL` or `DATABASE_URL` (the database
//! part of the URL is ignored). When neither is set, the local default
//! `mysql://root@127.0.0.1:3306` is tried, then a `mysql:8` container through
//! testcontainers when a Docker daemon answers. Each database is named
//! `cpt_<pid>_<unix seconds>_<random>`; it is dropped when the `TestDb` is
//! dropped, and databases left by a crashed test process are dropped by the
//! next test that starts.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{AssertSqlSafe, Connection, MySqlConnection, MySqlPool};
use testcontainers_modules::mysql::Mysql;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use testcontainers_modules::testcontainers::{ContainerAsync, ImageExt};
use tokio::sync::OnceCell;

const DEFAULT_SERVER: &str = "mysql://root@127.0.0.1:3306";
const PREFIX: &str = "cpt_";
const ABANDONED_AFTER: Duration = Duration::from_secs(6 * 3600);

pub struct TestDb {
    pub pool: MySqlPool,
    pub name: String,
    server: MySqlConnectOptions,
    password: Option<String>,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();

struct Server {
    options: MySqlConnectOptions,
    _container: Option<ContainerAsync<Mysql>>,
}

impl TestDb {
    /// Creates and migrates a fresh database. Panics with one sentence saying
    /// how to get a database server when none can be reached.
    pub async fn new() -> TestDb {
        match Self::try_new().await {
            Ok(db) => db,
            Err(message) => panic!("{message}"),
        }
    }

    pub async fn try_new() -> Result<TestDb, String> {
        let server = SERVER.get_or_try_init(find_server).await?;
        Self::create_on(server.options.clone(), server_password()).await
    }

    /// A fresh, migrated database on a server of the test's own (e.g. a
    /// private instance the test stops and starts), not the shared one.
    /// `url` names the server; its database part is ignored.
    pub async fn on_server(url: &str) -> Result<TestDb, String> {
        let parsed =
            MySqlConnectOptions::from_str(url).map_err(|e| format!("{url:?} is not a valid mysql:// URL: {e}"))?;
        let password = password_in(url).filter(|p| !p.is_empty());
        let mut options = MySqlConnectOptions::new()
            .host(parsed.get_host())
            .port(parsed.get_port())
            .username(parsed.get_username())
            .charset("utf8mb4");
        if let Some(p) = password.as_deref() {
            options = options.password(p);
        }
        Self::create_on(options, password).await
    }

    async fn create_on(server: MySqlConnectOptions, password: Option<String>) -> Result<TestDb, String> {
        let mut admin = MySqlConnection::connect_with(&server)
            .await
            .map_err(|e| format!("cannot connect to the test database server: {e}"))?;
        drop_abandoned(&mut admin).await;
        let name = fresh_name();
        sqlx::query(AssertSqlSafe(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )))
        .execute(&mut admin)
        .await
        .map_err(|e| format!("cannot create test database {name}: {e}"))?;
        let pool = MySqlPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(server.clone().database(&name))
            .await
            .map_err(|e| format!("cannot open test database {name}: {e}"))?;
        common::infrastructure::db::MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| format!("migrations failed on {name}: {e}"))?;
        Ok(TestDb {
            pool,
            name,
            server,
            password,
        })
    }

    /// A URL naming this database, for processes started by the test.
    pub fn url(&self) -> String {
        url_of(&self.server, self.password.as_deref(), Some(&self.name))
    }

    /// A URL naming the server only.
    pub fn server_url(&self) -> String {
        url_of(&self.server, self.password.as_deref(), None)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let options = self.server.clone();
        let name = std::mem::take(&mut self.name);
        // Drop has no async context of its own; a short-lived runtime on its
        // own thread does the cleanup and is joined before the test ends. The
        // pool is not closed here: closing waits for connections that only
        // the (now blocked) test runtime can hand back.
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = MySqlConnection::connect_with(&options).await {
                    // A transaction the test left open must not hang the drop;
                    // a database that could not be dropped now is dropped by a later run.
                    let _ = sqlx::query("SET SESSION lock_wait_timeout = 5")
                        .execute(&mut conn)
                        .await;
                    let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS `{name}`")))
                        .execute(&mut conn)
                        .await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

fn url_of(options: &MySqlConnectOptions, password: Option<&str>, database: Option<&str>) -> String {
    let user = options.get_username();
    let host = options.get_host();
    let port = options.get_port();
    let db = database.map(|d| format!("/{d}")).unwrap_or_default();
    match password {
        Some(pw) => format!("mysql://{user}:{pw}@{host}:{port}{db}"),
        None => format!("mysql://{user}@{host}:{port}{db}"),
    }
}

fn server_password() -> Option<String> {
    static PASSWORD: OnceLock<Option<String>> = OnceLock::new();
    PASSWORD.get_or_init(|| password_in(&configured_url()?)).clone()
}

fn password_in(url: &str) -> Option<String> {
    let after_scheme = url.split_once("://")?.1;
    let userinfo = after_scheme.split_once('@')?.0;
    userinfo.split_once(':').map(|(_, p)| p.to_owned())
}

fn configured_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|v| !v.trim().is_empty())
}

async fn find_server() -> Result<Server, String> {
    if let Some(url) = configured_url() {
        let options = server_options(&url)?;
        return match ping(&options).await {
            Ok(()) => Ok(Server {
                options,
                _container: None,
            }),
            Err(e) => Err(format!(
                "the test database server named by DATABASE_URL does not answer ({e}); start it (e.g. `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`) or point DATABASE_URL at one"
            )),
        };
    }
    let local = server_options(DEFAULT_SERVER)?;
    if ping(&local).await.is_ok() {
        return Ok(Server {
            options: local,
            _container: None,
        });
    }
    match Mysql::default().with_tag("8.4").start().await {
        Ok(container) => {
            let host = container.get_host().await.map_err(|e| e.to_string())?;
            let port = container.get_host_port_ipv4(3306).await.map_err(|e| e.to_string())?;
            let options = server_options(&format!("mysql://root@{host}:{port}"))?;
            Ok(Server {
                options,
                _container: Some(container),
            })
        }
        Err(e) => Err(format!(
            "no test database: DATABASE_URL is unset, nothing answers on {DEFAULT_SERVER}, and starting a mysql:8 container failed ({e}); set DATABASE_URL=mysql://root@127.0.0.1:3306 to a MySQL 8 or MariaDB 10.11 server, or start a Docker daemon"
        )),
    }
}

fn server_options(url: &str) -> Result<MySqlConnectOptions, String> {
    let options =
        MySqlConnectOptions::from_str(url).map_err(|e| format!("DATABASE_URL is not a valid mysql:// URL: {e}"))?;
    let server = MySqlConnectOptions::new()
        .host(options.get_host())
        .port(options.get_port())
        .username(options.get_username())
        .charset("utf8mb4");
    Ok(match server_password().filter(|p| !p.is_empty()) {
        Some(password) => server.password(&password),
        None => server,
    })
}

async fn ping(options: &MySqlConnectOptions) -> Result<(), sqlx::Error> {
    let connect = MySqlConnection::connect_with(options);
    match tokio::time::timeout(Duration::from_secs(3), connect).await {
        Ok(conn) => conn?.close().await,
        Err(_) => Err(sqlx::Error::PoolTimedOut),
    }
}

fn fresh_name() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{PREFIX}{}_{secs}_{}", std::process::id(), &random[..12])
}

/// Drops databases whose creating process is gone (same machine) or that
/// are older than a day's working session (another machine's leftovers).
async fn drop_abandoned(admin: &mut MySqlConnection) {
    let Ok(names) = sqlx::query_scalar::<_, String>(
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'cpt\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    else {
        return;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for name in names {
        if is_abandoned(&name, now) {
            let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS `{name}`")))
                .execute(&mut *admin)
                .await;
        }
    }
}

fn is_abandoned(name: &str, now_secs: u64) -> bool {
    let mut parts = name.trim_start_matches(PREFIX).split('_');
    let (Some(pid), Some(secs)) = (
        parts.next().and_then(|p| p.parse::<u32>().ok()),
        parts.next().and_then(|s| s.parse::<u64>().ok()),
    ) else {
        return false;
    };
    let process_gone = !std::path::Path::new(&format!("/proc/{pid}")).exists();
    let too_old = now_secs.saturating_sub(secs) > ABANDONED_AFTER.as_secs();
    (process_gone && now_secs.saturating_sub(secs) > 5) || too_old
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_of_a_live_process_is_kept() {
        let name = format!("{PREFIX}{}_{}_abc", std::process::id(), 1_000);
        assert!(!is_abandoned(&name, 1_010));
    }

    #[test]
    fn a_database_of_a_dead_process_is_abandoned() {
        let name = format!("{PREFIX}{}_{}_abc", u32::MAX - 1, 1_000);
        assert!(is_abandoned(&name, 1_010));
    }

    #[test]
    fn an_unrecognised_name_is_never_dropped() {
        assert!(!is_abandoned("cpt_something_else", 1_000_000));
    }
}
