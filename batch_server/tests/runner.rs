//! A pass runs only under its lease, and every pass is recorded.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use batch_server::metrics::Metrics;
use batch_server::runner::{PassResult, Runner};
use common::infrastructure::db::leases;
use common::infrastructure::db::reconcile_runs::{self, RunOutcome};
use support::ScriptedJob;
use test_support::TestDb;
use tokio_util::sync::CancellationToken;

fn runner(db: &TestDb, owner: &str) -> Runner {
    Runner::new(
        db.pool.clone(),
        owner.into(),
        Duration::from_secs(3),
        Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
}

#[tokio::test]
async fn two_replicas_starting_the_same_job_run_it_once() {
    let db = TestDb::new().await;
    let job = ScriptedJob::new("servers", Duration::from_millis(500));
    let (a, b) = (runner(&db, "replica-a"), runner(&db, "replica-b"));

    let (ra, rb) = tokio::join!(a.run_pass(&job, "schedule"), b.run_pass(&job, "schedule"));

    let results = [ra.unwrap(), rb.unwrap()];
    assert_eq!(
        results.iter().filter(|r| **r == PassResult::Skipped).count(),
        1,
        "{results:?}"
    );
    assert_eq!(job.passes.load(Ordering::SeqCst), 1);
    assert_eq!(
        reconcile_runs::list_for_job(&db.pool, "servers").await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn one_process_never_overlaps_its_own_passes() {
    let db = TestDb::new().await;
    let job = ScriptedJob::new("servers", Duration::from_millis(300));
    let r = runner(&db, "replica-a");
    let (first, second) = tokio::join!(r.run_pass(&job, "schedule"), r.run_pass(&job, "schedule"));
    assert!(matches!(first.unwrap(), PassResult::Ran { .. }));
    assert_eq!(second.unwrap(), PassResult::Skipped);
}

#[tokio::test]
async fn a_pass_is_recorded_with_its_counts_and_releases_the_lease() {
    let db = TestDb::new().await;
    let job = ScriptedJob::new("volumes", Duration::from_millis(10));
    let PassResult::Ran { run_id, outcome, .. } = runner(&db, "replica-a").run_pass(&job, "schedule").await.unwrap()
    else {
        panic!("the pass should have run");
    };
    assert_eq!(outcome, RunOutcome::Success);
    let run = reconcile_runs::find(&db.pool, run_id).await.unwrap().unwrap();
    assert_eq!((run.examined, run.changed, run.errors), (10, 1, 0));
    assert_eq!(run.outcome, "success");
    assert_eq!(run.runner, "replica-a");
    assert!(run.finished_at.is_some());
    assert_eq!(leases::holder(&db.pool, "volumes").await.unwrap(), None);
}

#[tokio::test]
async fn a_failed_pass_is_recorded_as_failed_with_the_reason() {
    let db = TestDb::new().await;
    let mut job = ScriptedJob::new("ports", Duration::ZERO);
    job.fail = true;
    let PassResult::Ran { run_id, outcome, .. } = runner(&db, "replica-a").run_pass(&job, "api").await.unwrap() else {
        panic!("the pass should have run");
    };
    assert_eq!(outcome, RunOutcome::Failed);
    let run = reconcile_runs::find(&db.pool, run_id).await.unwrap().unwrap();
    assert_eq!(run.outcome, "failed");
    assert_eq!(run.trigger_source, "api");
    assert!(run.error_message.unwrap().contains("the cloud refused the listing"));
}

#[tokio::test]
async fn a_pass_longer_than_the_lease_keeps_it_by_renewing() {
    let db = TestDb::new().await;
    let mut job = ScriptedJob::new("servers", Duration::from_millis(700));
    job.batches = 5;
    let holder = runner(&db, "replica-a");
    let pass = tokio::spawn({
        let holder = holder.clone();
        async move { holder.run_pass(&job, "schedule").await }
    });
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    assert!(
        !leases::acquire(&db.pool, "servers", "replica-b", Duration::from_secs(3))
            .await
            .unwrap(),
        "the lease is still held past its first TTL"
    );
    assert!(matches!(
        pass.await.unwrap().unwrap(),
        PassResult::Ran {
            outcome: RunOutcome::Success,
            ..
        }
    ));
}

#[tokio::test]
async fn a_stop_request_lets_the_batch_in_hand_finish() {
    let db = TestDb::new().await;
    let stop = CancellationToken::new();
    let r = Runner::new(
        db.pool.clone(),
        "a".into(),
        Duration::from_secs(3),
        Arc::default(),
        stop.clone(),
    );
    let mut job = ScriptedJob::new("servers", Duration::from_millis(300));
    job.batches = 10;
    let done = job.batches_done.clone();
    let pass = tokio::spawn(async move { r.run_pass(&job, "schedule").await });
    tokio::time::sleep(Duration::from_millis(450)).await;
    stop.cancel();

    let PassResult::Ran {
        run_id,
        outcome,
        counts,
    } = pass.await.unwrap().unwrap()
    else {
        panic!("ran")
    };

    assert_eq!(outcome, RunOutcome::Interrupted);
    assert_eq!(
        done.load(Ordering::SeqCst),
        2,
        "the second batch finished, no third began"
    );
    assert_eq!(counts.examined, 20);
    assert_eq!(
        reconcile_runs::find(&db.pool, run_id).await.unwrap().unwrap().outcome,
        "interrupted"
    );
    assert_eq!(
        leases::holder(&db.pool, "servers").await.unwrap(),
        None,
        "lease released"
    );
}
