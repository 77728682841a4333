//! The batch server's shared call rate against cloud_sim over real HTTP,
//! on each provider protocol: a pass of many direct gets keeps to the rate,
//! and a `Retry-After` from the cloud holds back every job sharing the
//! connector instead of letting them call again at once. Request counts are
//! read at the simulator while the passes run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use batch_server::jobs::reconcile::Kind;
use chrono::Utc;
use cloud_sim::{FaultAction, FaultRule, SimServer};
use common::application::reconcile::managed::ManagedProjects;
use common::application::reconcile::network_interfaces::NetworkInterfacesPass;
use common::application::reconcile::report::PassReport;
use common::application::reconcile::security_groups::SecurityGroupsPass;
use common::application::reconcile::{Listing, Policy};
use common::infrastructure::cloud::HttpSettings;
use support::world::{Protocol, World, connector, http, world};

/// Every request the simulator received, on any service.
fn requests(sim: &SimServer) -> u64 {
    sim.counters().by_cloud.get("http").map_or(0, |m| m.values().sum())
}

/// `(time since start, requests so far)` every 10 ms until `done`.
async fn sample(sim: &SimServer, started: Instant, done: &AtomicBool) -> Vec<(Duration, u64)> {
    let mut samples = Vec::new();
    while !done.load(Ordering::SeqCst) {
        samples.push((started.elapsed(), requests(sim)));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    samples.push((started.elapsed(), requests(sim)));
    samples
}

/// A security group row whose cloud id the cloud does not know: a complete
/// pass confirms it gone with one direct get.
async fn gone_group(w: &World) -> (i64, String) {
    let os_id = uuid::Uuid::new_v4().to_string();
    let id = sqlx::query(
        "INSERT INTO security_group (project_id, name, status, openstack_id) VALUES (?, UUID(), 'ACTIVE', ?)",
    )
    .bind(w.project_id)
    .bind(&os_id)
    .execute(&w.db.pool)
    .await
    .unwrap()
    .last_insert_id() as i64;
    (id, os_id)
}

async fn gone_port(w: &World) -> i64 {
    sqlx::query(
        "INSERT INTO network_interface (project_id, network_id, status, openstack_id) VALUES (?, 'net', 'ACTIVE', ?)",
    )
    .bind(w.project_id)
    .bind(uuid::Uuid::new_v4().to_string())
    .execute(&w.db.pool)
    .await
    .unwrap()
    .last_insert_id() as i64
}

async fn live_groups(w: &World) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM security_group WHERE deleted_at IS NULL")
        .fetch_one(&w.db.pool)
        .await
        .unwrap()
}

async fn live_ports(w: &World) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM network_interface WHERE deleted_at IS NULL")
        .fetch_one(&w.db.pool)
        .await
        .unwrap()
}

async fn managed(w: &World) -> ManagedProjects {
    ManagedProjects::load(&w.db.pool, w.job.cipher.as_ref()).await.unwrap()
}

async fn groups_pass(w: &World, managed: &ManagedProjects) -> PassReport {
    SecurityGroupsPass {
        pool: &w.db.pool,
        connector: &w.job.connector,
        policy: Policy::default(),
        listing: Listing::Complete,
        dry_run: false,
        now: Utc::now(),
    }
    .run(managed)
    .await
    .unwrap()
}

async fn ports_pass(w: &World, managed: &ManagedProjects) -> PassReport {
    NetworkInterfacesPass {
        pool: &w.db.pool,
        connector: &w.job.connector,
        policy: Policy::default(),
        listing: Listing::Complete,
        dry_run: false,
        now: Utc::now(),
    }
    .run(managed)
    .await
    .unwrap()
}

fn patient_http() -> HttpSettings {
    let mut settings = http();
    settings.retry.max_retry_after = Duration::from_secs(5);
    settings
}

fn rate_limited_get_of(os_id: &str, retry_after_secs: u64) -> FaultRule {
    FaultRule::new(FaultAction::RateLimit {
        retry_after_secs,
        per_second: None,
    })
    .method("GET")
    .path_contains(os_id)
    .count(1)
}

const RATE: u32 = 25;
const INTERVAL: Duration = Duration::from_millis(1000 / RATE as u64);

async fn a_pass_of_many_direct_gets_keeps_to_the_call_rate(protocol: Protocol) {
    let mut w = world(protocol, Kind::SecurityGroups).await;
    w.job.connector = connector(&w.sim, http(), Some(RATE));
    for _ in 0..20 {
        gone_group(&w).await;
    }
    let managed = managed(&w).await;
    w.sim.reset_counters();
    let done = AtomicBool::new(false);
    let started = Instant::now();

    let (pass, samples) = tokio::join!(
        async {
            let pass = groups_pass(&w, &managed).await;
            done.store(true, Ordering::SeqCst);
            pass
        },
        sample(&w.sim, started, &done)
    );

    assert_eq!((pass.changed, pass.errors), (20, 0), "{pass:?}");
    let total = requests(&w.sim);
    assert!(total > 20, "a listing and 20 gets: {total}");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= INTERVAL * (total as u32 - 1) * 9 / 10,
        "{total} calls at {RATE}/s cannot finish in {elapsed:?}"
    );
    // No stretch of the pass saw more calls than the rate allows (with a
    // margin of three for calls in flight between samples).
    for (i, (t1, c1)) in samples.iter().enumerate() {
        for (t2, c2) in &samples[i + 1..] {
            let allowed = (*t2 - *t1).as_millis() as u64 / INTERVAL.as_millis() as u64 + 1 + 3;
            assert!(
                c2 - c1 <= allowed,
                "{} calls between {t1:?} and {t2:?}, at most {allowed} allowed",
                c2 - c1
            );
        }
    }
}

async fn a_retry_after_holds_back_every_job_sharing_the_connector(protocol: Protocol) {
    let mut w = world(protocol, Kind::SecurityGroups).await;
    w.job.connector = connector(&w.sim, patient_http(), Some(20));
    let (_, throttled) = gone_group(&w).await;
    gone_group(&w).await;
    for _ in 0..10 {
        gone_port(&w).await;
    }
    w.sim.faults().add(rate_limited_get_of(&throttled, 2));
    let managed = managed(&w).await;
    let done = AtomicBool::new(false);
    let started = Instant::now();

    let watch = async {
        // From the moment the cloud answered 429 until well inside its
        // Retry-After, nothing but a call already in flight may arrive.
        while w.sim.faults().injected() == 0 && !done.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let seen = Instant::now();
        let at_429 = requests(&w.sim);
        let mut most = at_429;
        while seen.elapsed() < Duration::from_millis(1200) {
            most = most.max(requests(&w.sim));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        (at_429, most)
    };
    let passes = async {
        let both = tokio::join!(groups_pass(&w, &managed), ports_pass(&w, &managed));
        done.store(true, Ordering::SeqCst);
        both
    };
    let ((groups, ports), (at_429, most)) = tokio::join!(passes, watch);

    assert_eq!(w.sim.faults().injected(), 1, "one 429, never repeated");
    assert!(
        most <= at_429 + 1,
        "{} calls reached the cloud during its Retry-After",
        most - at_429
    );
    assert_eq!((groups.errors, ports.errors), (0, 0), "{groups:?} {ports:?}");
    assert_eq!(
        live_groups(&w).await,
        0,
        "the throttled get was retried after the pause"
    );
    assert_eq!(live_ports(&w).await, 0);
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}

async fn a_retry_after_longer_than_a_call_may_wait_fails_the_rest_without_calling(protocol: Protocol) {
    let mut w = world(protocol, Kind::SecurityGroups).await;
    w.job.connector = connector(&w.sim, http(), Some(0));
    let (_, throttled) = gone_group(&w).await;
    for _ in 0..3 {
        gone_group(&w).await;
    }
    w.sim.faults().add(rate_limited_get_of(&throttled, 30));
    let managed = managed(&w).await;
    w.sim.reset_counters();

    let started = Instant::now();
    let pass = groups_pass(&w, &managed).await;

    let gets: u64 = w.sim.counters().by_cloud["http"]
        .iter()
        .filter(|(key, _)| key.contains(" GET ") && key.ends_with("security-groups/{id}"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(gets, 1, "only the throttled get reached the cloud");
    assert_eq!(pass.errors, 4, "{pass:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "refused, not waited out");
    assert_eq!(live_groups(&w).await, 4, "nothing is marked gone");
    assert_eq!(w.open_findings("missing_in_cloud").await, 0);
    let backing_off: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reconcile_backoff WHERE resource_type = 'security_group'")
            .fetch_one(&w.db.pool)
            .await
            .unwrap();
    assert_eq!(backing_off, 4);
}

both_protocols!(
    a_pass_of_many_direct_gets_keeps_to_the_call_rate,
    a_retry_after_holds_back_every_job_sharing_the_connector,
    a_retry_after_longer_than_a_call_may_wait_fails_the_rest_without_calling,
);
