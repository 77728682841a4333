//! Failure drill: api_server is killed with SIGKILL in the middle of a burst
//! of server and volume creates and started again with the same settings.
//! After the batch server's passes every create the API accepted is done or
//! visibly failed, nothing is duplicated in the cloud and nothing accepted is
//! missing from the inventory. `DRILL_CREATES` sets the size (default 30).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::Stack;
use e2e::drill::burst::{self, Answer, Attempt, Burst};
use e2e::drill::census::{self, BURST_TABLES};
use e2e::drill::cloud_listing::OpenStackView;
use e2e::drill::figures::Figures;
use e2e::drill::judge::judge;
use e2e::drill::tenant::{Provider, Tenant};
use e2e::drill::{self, DRILL_SETTINGS, wait};
use e2e::process::Process;
use e2e::stack::wait_healthy;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_cut_by_a_sigkill_of_the_api_end_done_or_visibly_failed_with_none_duplicated_or_lost() {
    let mut stack = Stack::start_with(DRILL_SETTINGS).await;
    let tenant = Tenant::create(&stack, Provider::OpenStack, "drill-kill").await;
    let n = drill::creates(30);

    let burst = Burst::start(&tenant, burst::plan(n, "k"), 6);
    let third = (n / 3).max(1);
    wait::until(Duration::from_secs(120), Duration::from_millis(5), || async {
        (burst.accepted() >= third).then_some(())
    })
    .await
    .expect("a third of the burst is accepted before the kill");
    stack
        .api
        .stop_with("KILL", Duration::from_secs(10))
        .expect("api_server dies on SIGKILL");
    let cut = burst.finish().await;
    let unanswered = cut.iter().filter(|a| matches!(a.answer, Answer::NoAnswer(_))).count();
    assert!(unanswered > 0, "the kill landed before the burst was over: {cut:?}");

    let after_kill = stack.log_dir().join("after-kill");
    std::fs::create_dir_all(&after_kill).unwrap();
    stack.api = Process::spawn("api_server", &[], &stack.env, &after_kill);
    wait_healthy(&format!("{}/ready", stack.api_url), &stack.api).await;
    let restarted = Instant::now();

    // A client retries what got no answer when it sent an Idempotency-Key.
    let retried: Vec<Attempt> = {
        let retries = cut
            .iter()
            .filter(|a| matches!(a.answer, Answer::NoAnswer(_)) && a.create.idempotency_key.is_some())
            .map(|a| a.create.clone())
            .collect::<Vec<_>>();
        Burst::start(&tenant, retries, 6).finish().await
    };
    let attempts: Vec<Attempt> = cut
        .iter()
        .map(|a| {
            retried
                .iter()
                .find(|r| r.create.name == a.create.name)
                .cloned()
                .unwrap_or_else(|| a.clone())
        })
        .collect();

    census::wait_settled(&stack.db.pool, BURST_TABLES, Duration::from_secs(120)).await;
    let took = restarted.elapsed();

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
    let duplicated: usize = agreements.iter().map(|(_, a)| a.duplicated.len()).sum();
    Figures {
        drill: "kill_api",
        requested: n,
        accepted: verdict.accepted,
        converged: verdict.converged,
        failed_visibly: verdict.failed_visibly,
        duplicated,
        lost: verdict.lost.len(),
        time_to_converge: took,
        extra: Vec::new(),
    }
    .with("answers_at_kill", burst::tally(&cut))
    .with("unanswered_at_kill", unanswered)
    .with("retried_with_key", retried.len())
    .with(
        "retries_accepted",
        retried.iter().filter(|a| a.answer.accepted_id().is_some()).count(),
    )
    .with("retry_answers", burst::tally(&retried))
    .with("server_rows", servers.len())
    .with("volume_rows", volumes.len())
    .print();

    assert!(verdict.accepted >= third, "{attempts:?}");
    assert!(verdict.lost.is_empty(), "accepted but lost: {:?}", verdict.lost);
    assert_eq!(
        verdict.converged + verdict.failed_visibly,
        verdict.accepted,
        "every accepted create is done or visibly failed"
    );
    for (kind, agreement) in &agreements {
        assert!(
            agreement.is_one_to_one(),
            "{kind}: cloud and inventory disagree: {agreement:?}"
        );
    }
    for row in servers.iter().chain(&volumes).filter(|r| r.status == "ERROR") {
        assert!(row.failed_visibly(), "an ERROR row says why: {row:?}");
    }
}
