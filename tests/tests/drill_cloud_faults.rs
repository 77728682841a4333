//! Failure drill: the cloud answers 20 % of compute, network and block
//! storage requests with 503, is slow, and loses the answers of a share of
//! the creates it applied, during a burst of server and volume creates. Once
//! it is healthy again everything converges: every row settles and the cloud
//! and the inventory agree one to one. `DRILL_CREATES` sets the size
//! (default 30).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::Stack;
use e2e::drill::burst::{self, Burst};
use e2e::drill::census::{self, BURST_TABLES};
use e2e::drill::cloud_listing::OpenStackView;
use e2e::drill::figures::Figures;
use e2e::drill::judge::judge;
use e2e::drill::sim_control::SimControl;
use e2e::drill::tenant::{Provider, Tenant};
use e2e::drill::{self, DRILL_SETTINGS};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_through_errors_latency_and_lost_answers_converges_one_to_one_once_the_cloud_heals() {
    let stack = Stack::start_with(DRILL_SETTINGS).await;
    let tenant = Tenant::create(&stack, Provider::OpenStack, "drill-faults").await;
    let sim = SimControl::new(&stack.sim_url);
    let n = drill::creates(30);

    for service in ["compute", "network", "block-storage"] {
        sim.add_fault(json!({"service": service, "probability": 0.2, "action": "error", "status": 503}))
            .await;
    }
    sim.add_fault(json!({"service": "*", "action": "latency", "ms": 100}))
        .await;
    for (service, path) in [("compute", "/servers"), ("block-storage", "/volumes")] {
        sim.add_fault(json!({"service": service, "method": "POST", "path_contains": path,
            "probability": 0.2, "action": "lose_response", "mode": "gateway_timeout"}))
            .await;
    }
    let attempts = Burst::start(&tenant, burst::plan(n, "f"), 8).finish().await;
    let counters = sim.counters().await;
    sim.clear_faults().await;
    let healed = Instant::now();

    census::wait_settled(&stack.db.pool, BURST_TABLES, Duration::from_secs(120)).await;
    let took = healed.elapsed();

    let servers = census::rows(&stack.db.pool, "server").await;
    let volumes = census::rows(&stack.db.pool, "volume").await;
    let interfaces = census::rows(&stack.db.pool, "network_interface").await;
    let cloud = OpenStackView::connect(&stack.sim_url).await;
    let agreements = [
        ("server", census::agreement("server", &servers, &cloud.servers().await)),
        ("volume", census::agreement("volume", &volumes, &cloud.volumes().await)),
        (
            "network_interface",
            census::agreement("network_interface", &interfaces, &cloud.ports().await),
        ),
    ];
    let verdict = judge(&attempts, &servers, &volumes);
    let failed_passes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reconcile_run WHERE outcome = 'failed'")
        .fetch_one(&stack.db.pool)
        .await
        .unwrap();
    Figures {
        drill: "cloud_faults",
        requested: n,
        accepted: verdict.accepted,
        converged: verdict.converged,
        failed_visibly: verdict.failed_visibly,
        duplicated: agreements.iter().map(|(_, a)| a.duplicated.len()).sum(),
        lost: verdict.lost.len(),
        time_to_converge: took,
        extra: Vec::new(),
    }
    .with("answers", burst::tally(&attempts))
    .with("server_creates_sent_to_cloud", &counters["compute POST /servers"])
    .with("server_creates_applied", &counters["server.create"])
    .with("passes_failed", failed_passes)
    .with("server_rows", servers.len())
    .with("volume_rows", volumes.len())
    .print();

    assert!(verdict.accepted > 0, "{attempts:?}");
    assert!(verdict.lost.is_empty(), "accepted but lost: {:?}", verdict.lost);
    assert_eq!(verdict.converged + verdict.failed_visibly, verdict.accepted);
    for (kind, agreement) in &agreements {
        assert!(
            agreement.is_one_to_one(),
            "{kind}: cloud and inventory disagree: {agreement:?}"
        );
    }
    for row in servers.iter().chain(&volumes).filter(|r| r.status == "ERROR") {
        assert!(row.failed_visibly(), "an ERROR row says why: {row:?}");
    }
    for a in &attempts {
        if let burst::Answer::Status { status, .. } = a.answer {
            assert!(status < 500 || status == 502 || status == 503, "{a:?}");
        }
    }
}
