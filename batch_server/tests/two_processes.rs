//! Two real batch_server processes against one database and one cloud_sim:
//! every scheduled tick's pass is done once, no two passes of a job
//! overlap, and when the replica running a pass is killed the other takes
//! over once the lease has expired.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use batch_server::jobs::reconcile::Kind;
use chrono::{DateTime, SubsecRound, Utc};
use common::infrastructure::db::reconcile_runs::{self, ReconcileRun};
use support::world::{Protocol, World, world};

const NEVER: &str = "0 0 0 1 1 *";
const LEASE_TTL_SECS: &str = "3";

struct Replica {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Replica {
    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the real binary with the servers pass every second and waits for `/health`.
async fn spawn(w: &World, name: &'static str) -> Replica {
    let c = w.sim.service_credentials();
    let port = free_port();
    let env: HashMap<&str, String> = [
        ("DATABASE_URL", w.db.url()),
        ("BATCH_LISTEN", format!("127.0.0.1:{port}")),
        ("BATCH_RUNNER_ID", name.to_owned()),
        ("BATCH_LEASE_TTL_SECS", LEASE_TTL_SECS.to_owned()),
        ("BATCH_JITTER_MS", "0".to_owned()),
        ("BATCH_FULL_PASS_EVERY", "1".to_owned()),
        ("BATCH_SERVERS_CRON", "* * * * * *".to_owned()),
        ("BATCH_VOLUMES_CRON", NEVER.to_owned()),
        ("BATCH_FLOATING_IPS_CRON", NEVER.to_owned()),
        ("BATCH_NETWORK_INTERFACES_CRON", NEVER.to_owned()),
        ("BATCH_SECURITY_GROUPS_CRON", NEVER.to_owned()),
        ("BATCH_HOUSEKEEPING_CRON", NEVER.to_owned()),
        ("BATCH_TRIGGER_POLL_CRON", NEVER.to_owned()),
        ("OS_AUTH_URL", c.auth_url),
        ("OS_USERNAME", c.username),
        ("OS_PASSWORD", c.password),
        ("OS_USER_DOMAIN_NAME", c.user_domain),
        ("OS_PROJECT_NAME", c.project),
        ("OS_PROJECT_DOMAIN_NAME", c.project_domain),
        ("OS_REGION_NAME", c.region),
        ("CLOUD_TIMEOUT_SECS", "20".to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ]
    .into();
    let log = std::env::temp_dir().join(format!("batch-{name}-{}.log", uuid::Uuid::new_v4().simple()));
    let out = std::fs::File::create(&log).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_batch_server"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    let replica = Replica { name, child, log };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/health")).send().await
            && r.status().is_success()
        {
            return replica;
        }
        assert!(Instant::now() < deadline, "{name} did not start:\n{}", replica.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Oldest first.
async fn runs(w: &World) -> Vec<ReconcileRun> {
    let mut runs = reconcile_runs::list_for_job(&w.db.pool, "servers").await.unwrap();
    runs.reverse();
    runs
}

async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn assert_no_overlap(runs: &[ReconcileRun]) {
    for pair in runs.windows(2) {
        let ended = pair[0].finished_at.expect("an earlier pass finished");
        assert!(
            pair[1].started_at >= ended,
            "pass {} ({}) started at {} before pass {} ({}) ended at {ended}",
            pair[1].id,
            pair[1].runner,
            pair[1].started_at,
            pair[0].id,
            pair[0].runner
        );
    }
}

fn assert_once_per_tick(runs: &[ReconcileRun]) {
    let mut per_tick: BTreeMap<DateTime<Utc>, Vec<&str>> = BTreeMap::new();
    for run in runs {
        per_tick
            .entry(run.started_at.trunc_subsecs(0))
            .or_default()
            .push(&run.runner);
    }
    for (tick, runners) in per_tick {
        assert_eq!(runners.len(), 1, "the tick at {tick} was run by {runners:?}");
    }
}

#[tokio::test]
async fn two_replicas_share_the_schedule_and_the_survivor_takes_over_after_the_lease_ttl() {
    let w = world(Protocol::OpenStack, Kind::Servers).await;
    let os_id = w.cloud_server("ACTIVE", None);
    w.row(Some(&os_id), "ACTIVE", None).await;
    let mut replicas = vec![spawn(&w, "replica-a").await, spawn(&w, "replica-b").await];

    let settled = wait_for("six passes", Duration::from_secs(30), || async {
        let runs = runs(&w).await;
        (runs.iter().filter(|r| r.finished_at.is_some()).count() >= 6).then_some(runs)
    })
    .await;
    let finished: Vec<ReconcileRun> = settled.into_iter().filter(|r| r.finished_at.is_some()).collect();
    assert!(finished.iter().all(|r| r.outcome == "success"), "{finished:?}");
    assert!(finished.iter().all(|r| r.trigger_source == "schedule"));
    assert_no_overlap(&finished);
    assert_once_per_tick(&finished);

    // Passes now outlast the lease TTL (kept by renewal); kill the replica
    // in the middle of one.
    w.sim.faults().latency("compute", 4_000);
    let slow_from = Utc::now();
    let (victim_run, lease_expiry): (ReconcileRun, DateTime<Utc>) =
        wait_for("a slow pass", Duration::from_secs(30), || async {
            let running = runs(&w)
                .await
                .into_iter()
                .find(|r| r.finished_at.is_none() && r.started_at > slow_from)
                .filter(|r| Utc::now() - r.started_at > chrono::Duration::seconds(1))?;
            let expiry: DateTime<Utc> = sqlx::query_scalar("SELECT expires_at FROM job_lease WHERE name = 'servers'")
                .fetch_optional(&w.db.pool)
                .await
                .unwrap()?;
            Some((running, expiry))
        })
        .await;
    let victim = replicas.iter().position(|r| r.name == victim_run.runner).unwrap();
    let mut killed = replicas.remove(victim);
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();
    let survivor = replicas[0].name;

    let takeover = wait_for("the survivor's pass", Duration::from_secs(30), || async {
        runs(&w)
            .await
            .into_iter()
            .find(|r| r.id > victim_run.id && r.runner == survivor)
    })
    .await;

    assert!(
        takeover.started_at >= lease_expiry,
        "the survivor started at {} while the killed replica's lease ran until {lease_expiry}",
        takeover.started_at
    );
    let crashed = reconcile_runs::find(&w.db.pool, victim_run.id).await.unwrap().unwrap();
    assert_eq!(
        (crashed.outcome.as_str(), crashed.finished_at),
        ("running", None),
        "a crashed pass stays visible as running"
    );
    let later: Vec<ReconcileRun> = runs(&w).await.into_iter().filter(|r| r.id > victim_run.id).collect();
    assert!(later.iter().all(|r| r.runner == survivor), "{later:?}");
    w.sim.faults().clear();
    drop(killed);
}
