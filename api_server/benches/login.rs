#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Prints the resident memory of this process (the api_server runs in it)
//! before and after `MEMORY_LOGINS` logins by 4 concurrent clients, with
//! their logins per second; then the cost of one argon2id hash and verify,
//! login latency (p50, p99) one at a time, and logins per second with 4
//! concurrent clients while `/health` is probed (its p99 shows whether
//! hashing stalls the workers).
//!
//! `cargo bench -p api_server --bench login` (needs a MySQL/MariaDB server, as the tests do;
//! add `--profile dev` to skip the release build; `MEMORY_LOGINS` defaults to 500).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use api_server::settings::Settings;
use api_server::startup::Application;
use common::application::auth::password::PasswordHasher;
use common::application::provisioning::NoCloud;
use common::config::Env;
use common::domain::auth::Password;
use serde_json::json;
use test_support::TestDb;

const ROUNDS: usize = 60;
const CONCURRENT_CLIENTS: usize = 4;
const LOAD_FOR: Duration = Duration::from_secs(6);
const MEMORY_LOGINS_DEFAULT: usize = 500;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A line of `/proc/self/status` (`VmRSS`, `VmHWM`) in MiB; 0 off Linux.
fn status_mib(key: &str) -> f64 {
    test_support::proc_status::own_kib(key).unwrap_or(0) as f64 / 1024.0
}

/// `count` logins shared among `CONCURRENT_CLIENTS` clients; returns how long they took.
async fn logins(client: &reqwest::Client, base: &str, login: &serde_json::Value, count: usize) -> Duration {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENT_CLIENTS {
        let (client, url, login, next) = (
            client.clone(),
            format!("{base}/auth/login"),
            login.clone(),
            next.clone(),
        );
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < count {
                let res = client.post(&url).json(&login).send().await.unwrap();
                assert_eq!(res.status(), 200);
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let db = TestDb::new().await;
    let env: std::collections::HashMap<String, String> = [
        ("DATABASE_URL", db.url()),
        ("JWT_SECRET", "bench-secret-bench-secret-bench-secret-00".to_owned()),
        ("BOOTSTRAP_ADMIN_ACCOUNT", "admin".to_owned()),
        ("BOOTSTRAP_ADMIN_PASSWORD", "bench-password-1".to_owned()),
        ("LOGIN_MAX_FAILURES_PER_IP", "100000".to_owned()),
        ("RUST_LOG", "error".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = Settings::from_env(&Env::new(&env)).unwrap();
    let permits = settings.accounts.max_concurrent_hashes;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_pool(settings, db.pool.clone(), listener, Arc::new(NoCloud))
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let login = json!({"account_id": "admin", "password": "bench-password-1"});

    let count = std::env::var("MEMORY_LOGINS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MEMORY_LOGINS_DEFAULT);
    let (rss_before, hwm_before) = (status_mib("VmRSS"), status_mib("VmHWM"));
    let took = logins(&client, &base, &login, count).await;
    let (rss_after, hwm_after) = (status_mib("VmRSS"), status_mib("VmHWM"));
    println!(
        "{count} logins, {CONCURRENT_CLIENTS} clients, {permits} hash permits: {:.1} logins/s; \
         VmRSS {rss_before:.1} -> {rss_after:.1} MiB (+{:.1}), VmHWM {hwm_before:.1} -> {hwm_after:.1} MiB",
        count as f64 / took.as_secs_f64(),
        rss_after - rss_before,
    );

    let hasher = PasswordHasher::new(1).unwrap();
    let password = Password::parse("bench-password-1").unwrap();
    let mut hashes = Vec::new();
    let mut verifies = Vec::new();
    let mut phc = String::new();
    for _ in 0..10 {
        let t = Instant::now();
        phc = hasher.hash(&password).await.unwrap();
        hashes.push(t.elapsed());
        let t = Instant::now();
        assert!(hasher.verify("bench-password-1", Some(phc.clone())).await.unwrap());
        verifies.push(t.elapsed());
    }
    println!(
        "argon2id ({}): hash p50 {:.1} ms, verify p50 {:.1} ms",
        &phc[..31],
        ms(percentile(&mut hashes, 0.5)),
        ms(percentile(&mut verifies, 0.5))
    );

    let mut latencies = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let res = client
            .post(format!("{base}/auth/login"))
            .json(&login)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        latencies.push(t.elapsed());
    }
    println!(
        "login one at a time ({ROUNDS} rounds): p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&mut latencies, 0.5)),
        ms(percentile(&mut latencies, 0.99))
    );

    let until = Instant::now() + LOAD_FOR;
    let mut workers = Vec::new();
    for _ in 0..CONCURRENT_CLIENTS {
        let (client, base, login) = (client.clone(), base.clone(), login.clone());
        workers.push(tokio::spawn(async move {
            let mut done = 0u32;
            while Instant::now() < until {
                let res = client
                    .post(format!("{base}/auth/login"))
                    .json(&login)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                done += 1;
            }
            done
        }));
    }
    let mut health = Vec::new();
    while Instant::now() < until {
        let t = Instant::now();
        client.get(format!("{base}/health")).send().await.unwrap();
        health.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    println!(
        "{CONCURRENT_CLIENTS} concurrent clients: {:.1} logins/s; /health meanwhile p50 {:.2} ms, p99 {:.2} ms",
        f64::from(total) / LOAD_FOR.as_secs_f64(),
        ms(percentile(&mut health, 0.5)),
        ms(percentile(&mut health, 0.99))
    );
}
