//! Failure drill: the cloud's identity service (Keystone and NHN identity)
//! is down while the batch server reconciles a project whose resources are
//! ACTIVE, once with an OpenStack project and once with an NHN one. Every pass during the outage is recorded
//! failed with the error, nothing is marked gone or deleted and no
//! `missing_in_cloud` finding appears; once identity is back the next passes
//! succeed and the inventory is as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::Stack;
use e2e::drill::burst::{self, Create, Kind};
use e2e::drill::census::{self, BURST_TABLES, Row};
use e2e::drill::figures::Figures;
use e2e::drill::http::expect_json;
use e2e::drill::runs::{self, Run};
use e2e::drill::sim_control::SimControl;
use e2e::drill::tenant::{Provider, Tenant, admin_token};
use e2e::drill::{DRILL_SETTINGS, wait};
use e2e::stack::client;

const JOBS: [&str; 4] = ["servers", "volumes", "network-interfaces", "security-groups"];
const TABLES: [&str; 4] = ["server", "volume", "network_interface", "security_group"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openstack_passes_during_an_identity_outage_fail_and_mark_nothing_gone() {
    outage_drill(Provider::OpenStack, "auth_outage_openstack").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nhn_passes_during_an_identity_outage_fail_and_mark_nothing_gone() {
    outage_drill(Provider::Nhn, "auth_outage_nhn").await;
}

async fn outage_drill(provider: Provider, drill: &'static str) {
    let mut settings = DRILL_SETTINGS.to_vec();
    settings.push(("BATCH_SECURITY_GROUPS_CRON", "*/3 * * * * *"));
    let stack = Stack::start_with(&settings).await;
    let sim = SimControl::new(&stack.sim_url);
    let admin = admin_token(&stack.api_url, None).await;

    let tenant = Tenant::create(&stack, provider, "drill-auth").await;
    let creates = [Kind::Server, Kind::Server, Kind::Volume];
    for (i, kind) in creates.into_iter().enumerate() {
        let create = Create {
            kind,
            name: format!("auth-{i}"),
            idempotency_key: None,
        };
        let answer = burst::send(&tenant, &create).await;
        assert!(answer.accepted_id().is_some(), "{create:?}: {answer:?}");
    }
    census::wait_settled(&stack.db.pool, BURST_TABLES, Duration::from_secs(90)).await;
    let settled_mark = runs::latest_id(&stack.api_url, &admin).await;
    succeed_once_each(&stack.api_url, &admin, settled_mark).await;
    let before = snapshot(&stack).await;
    let converged = before
        .iter()
        .filter(|(t, r)| {
            (*t == "server" || *t == "volume") && ["ACTIVE", "IN_USE", "AVAILABLE"].contains(&r.status.as_str())
        })
        .count();
    assert_eq!(
        converged, 5,
        "both servers, their root volumes and the volume are up: {before:?}"
    );

    let outage = sim.auth_outage(503).await;
    sim.revoke_every_token().await;
    // Passes that start from here on must log in again, and cannot.
    let outage_mark = runs::latest_id(&stack.api_url, &admin).await;
    let during = wait::until(Duration::from_secs(90), Duration::from_millis(250), || async {
        let mut all = Vec::new();
        for job in JOBS {
            let runs = runs::finished_since(&stack.api_url, &admin, job, outage_mark).await;
            if runs.len() < 2 {
                return None;
            }
            all.extend(runs);
        }
        Some(all)
    })
    .await
    .expect("two passes of every job ran during the outage");
    let during_outage = snapshot(&stack).await;
    let missing_findings = drift_missing_in_cloud(&stack.api_url, &admin).await;

    sim.remove_fault(outage).await;
    let healed = Instant::now();
    let recovery_mark = runs::latest_id(&stack.api_url, &admin).await;
    succeed_once_each(&stack.api_url, &admin, recovery_mark).await;
    let took = healed.elapsed();
    let after = snapshot(&stack).await;

    let failed: Vec<&Run> = during.iter().filter(|r| r.outcome == "failed").collect();
    let lost = before.iter().filter(|b| !after.contains(b)).count();
    Figures {
        drill,
        requested: creates.len(),
        accepted: creates.len(),
        converged,
        failed_visibly: 0,
        duplicated: 0,
        lost,
        time_to_converge: took,
        extra: Vec::new(),
    }
    .with("passes_during_outage", during.len())
    .with("passes_failed", failed.len())
    .with(
        "rows_changed_during_outage",
        before.iter().filter(|b| !during_outage.contains(b)).count(),
    )
    .with("missing_in_cloud_findings", missing_findings)
    .print();

    assert_eq!(
        failed.len(),
        during.len(),
        "every pass during the outage failed: {during:?}"
    );
    for run in &failed {
        assert!(
            run.error_message.as_deref().is_some_and(|m| !m.is_empty()),
            "a failed pass says why: {run:?}"
        );
    }
    assert_eq!(during_outage, before, "nothing changed during the outage");
    assert_eq!(missing_findings, 0, "no missing_in_cloud finding");
    assert_eq!(after, before, "the inventory is as it was after the outage");
}

/// Every (table, row) of the tables the drill watches.
async fn snapshot(stack: &Stack) -> Vec<(&'static str, Row)> {
    let mut all = Vec::new();
    for table in TABLES {
        for row in census::rows(&stack.db.pool, table).await {
            all.push((table, row));
        }
    }
    all
}

/// Waits until each job has a successful pass that started after `mark`.
async fn succeed_once_each(api_url: &str, admin: &str, mark: i64) {
    for job in JOBS {
        wait::until(Duration::from_secs(60), Duration::from_millis(250), || async {
            let runs = runs::finished_since(api_url, admin, job, mark).await;
            runs.iter().any(|r| r.outcome == "success").then_some(())
        })
        .await
        .unwrap_or_else(|| panic!("a {job} pass succeeds after run {mark}"));
    }
}

async fn drift_missing_in_cloud(api_url: &str, admin: &str) -> usize {
    let url = format!("{api_url}/admin/drift?kind=missing_in_cloud&limit=1000");
    let body = expect_json(client().get(&url).bearer_auth(admin), 200, &url).await;
    body["drift_findings"].as_array().map(Vec::len).unwrap_or(0)
}
