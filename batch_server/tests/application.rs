//! The whole batch_server: trigger path, HTTP side and clean stop.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use batch_server::jobs::Job;
use batch_server::settings::ScheduleSettings;
use batch_server::startup::{Application, Parts};
use common::infrastructure::db::{reconcile_requests, reconcile_runs};
use support::ScriptedJob;
use test_support::TestDb;

fn schedule() -> ScheduleSettings {
    ScheduleSettings {
        lease_ttl: Duration::from_secs(5),
        jitter: Duration::ZERO,
        trigger_poll_cron: "* * * * * *".into(),
        housekeeping_cron: "0 0 0 1 1 *".into(),
        shutdown_grace: Duration::from_secs(5),
    }
}

async fn spawn(
    db: &TestDb,
    jobs: Vec<Arc<dyn Job>>,
) -> (u16, tokio_util::sync::CancellationToken, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::build(
        Parts {
            pool: db.pool.clone(),
            runner_id: "test-runner".into(),
            schedule: schedule(),
            jobs,
        },
        listener,
    )
    .await
    .unwrap();
    let (port, stop) = (app.port(), app.stop_token());
    let handle = tokio::spawn(async move { app.run_until_stopped().await.unwrap() });
    (port, stop, handle)
}

#[tokio::test]
async fn a_requested_reconcile_runs_without_waiting_for_the_schedule() {
    let db = TestDb::new().await;
    let job = Arc::new(ScriptedJob::new("servers", Duration::ZERO));
    let passes = job.passes.clone();
    let (_, stop, handle) = spawn(&db, vec![job]).await;

    let request = reconcile_requests::enqueue(&db.pool, "servers", None, Some("req-1"))
        .await
        .unwrap();

    let mut linked: Option<i64> = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        linked = sqlx::query_scalar("SELECT reconcile_run_id FROM reconcile_request WHERE id = ?")
            .bind(request)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if linked.is_some() {
            break;
        }
    }
    let run = reconcile_runs::find(&db.pool, linked.expect("the request was picked up"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.trigger_source, "api");
    assert_eq!(passes.load(Ordering::SeqCst), 1);
    stop.cancel();
    handle.await.unwrap();
}

#[tokio::test]
async fn health_and_metrics_answer_over_http() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = TestDb::new().await;
    let (port, stop, handle) = spawn(&db, vec![]).await;
    let client = reqwest::Client::new();

    let health: serde_json::Value = client
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["runner_id"], "test-runner");
    let metrics = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("# TYPE batch_job_runs_total counter")
    );
    stop.cancel();
    handle.await.unwrap();
}

#[tokio::test]
async fn stopping_waits_for_the_running_pass_and_releases_its_lease() {
    let db = TestDb::new().await;
    let mut job = ScriptedJob::new("volumes", Duration::from_millis(400));
    job.batches = 20;
    let done = job.batches_done.clone();
    let (_, stop, handle) = spawn(&db, vec![Arc::new(job)]).await;
    reconcile_requests::enqueue(&db.pool, "volumes", None, None)
        .await
        .unwrap();
    for _ in 0..50 {
        if done.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    stop.cancel();
    handle.await.unwrap();

    let runs = reconcile_runs::list_for_job(&db.pool, "volumes").await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome, "interrupted");
    assert!(runs[0].finished_at.is_some());
    assert!(done.load(Ordering::SeqCst) < 20);
    let lease: Option<String> = sqlx::query_scalar("SELECT owner FROM job_lease WHERE name = 'volumes'")
        .fetch_optional(&db.pool)
        .await
        .unwrap();
    assert_eq!(lease, None);
}
