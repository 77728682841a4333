//! cloud_sim, api_server and batch_server as real processes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use test_support::TestDb;

use crate::process::{Process, free_port};

pub const ADMIN_ACCOUNT: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-e2e";

pub struct Stack {
    pub db: TestDb,
    pub sim: Process,
    pub api: Process,
    pub batch: Process,
    pub sim_url: String,
    pub api_url: String,
    pub batch_url: String,
    pub env: BTreeMap<String, String>,
    _logs: tempdir::TempDir,
}

mod tempdir {
    use std::path::{Path, PathBuf};

    /// A folder for the processes' logs; kept when the test panics so the
    /// logs can be read, removed otherwise.
    pub struct TempDir(PathBuf);

    impl TempDir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!("cloudplane-e2e-{}", uuid::Uuid::new_v4().simple()));
            let _ = std::fs::create_dir_all(&path);
            TempDir(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}

impl Stack {
    pub async fn start() -> Stack {
        Stack::start_with(&[]).await
    }

    /// Starts the stack with `overrides` replacing or adding to the
    /// environment both servers get (e.g. faster cron schedules).
    pub async fn start_with(overrides: &[(&str, &str)]) -> Stack {
        Stack::start_on(TestDb::new().await, overrides).await
    }

    /// Starts the stack against `db`, e.g. a database on a private server
    /// the test stops and starts.
    pub async fn start_on(db: TestDb, overrides: &[(&str, &str)]) -> Stack {
        let logs = tempdir::TempDir::new();
        let (sim_port, api_port, batch_port) = (free_port(), free_port(), free_port());
        let sim_url = format!("http://127.0.0.1:{sim_port}");
        let sim = Process::spawn(
            "cloud_sim",
            &["--listen", &format!("127.0.0.1:{sim_port}"), "--transition-ms", "50"],
            &BTreeMap::new(),
            logs.path(),
        );
        wait_healthy(&format!("{sim_url}/_sim/health"), &sim).await;

        let mut env: BTreeMap<String, String> = [
            ("DATABASE_URL", db.url()),
            ("JWT_SECRET", "e2e-secret-that-is-long-enough-for-hs256!".to_string()),
            (
                "CLOUD_CREDENTIAL_KEY",
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
            ),
            ("BOOTSTRAP_ADMIN_ACCOUNT", ADMIN_ACCOUNT.to_string()),
            ("BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD.to_string()),
            ("API_LISTEN", format!("127.0.0.1:{api_port}")),
            ("BATCH_LISTEN", format!("127.0.0.1:{batch_port}")),
            ("OS_AUTH_URL", format!("{sim_url}/identity/v3")),
            ("OS_USERNAME", "cloudplane".to_string()),
            ("OS_PASSWORD", "cloudplane-secret".to_string()),
            ("OS_USER_DOMAIN_NAME", "Default".to_string()),
            ("OS_PROJECT_NAME", "service".to_string()),
            ("OS_PROJECT_DOMAIN_NAME", "Default".to_string()),
            ("NHN_IDENTITY_URL", format!("{sim_url}/nhn/identity")),
            ("LOG_FORMAT", "json".to_string()),
            ("RUST_LOG", "info".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        env.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())));

        let api = Process::spawn("api_server", &[], &env, logs.path());
        let api_url = format!("http://127.0.0.1:{api_port}");
        wait_healthy(&format!("{api_url}/ready"), &api).await;
        let batch = Process::spawn("batch_server", &[], &env, logs.path());
        let batch_url = format!("http://127.0.0.1:{batch_port}");
        wait_healthy(&format!("{batch_url}/health"), &batch).await;

        Stack {
            db,
            sim,
            api,
            batch,
            sim_url,
            api_url,
            batch_url,
            env,
            _logs: logs,
        }
    }

    pub fn log_dir(&self) -> PathBuf {
        self._logs.path().to_path_buf()
    }
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("http client: {e}"))
}

pub async fn wait_healthy(url: &str, process: &Process) {
    let client = client();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{} did not become healthy at {url}; its log:\n{}",
        process.name,
        process.logs()
    );
}
