//! A mutation whose outcome the cloud has yet to show queues a refresh of
//! that one resource; the batch server's trigger poll picks it up and
//! converges it with no scheduled pass, leaving every other row alone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use batch_server::jobs::Job;
use batch_server::jobs::reconcile::{IncrementalListing, Kind, ReconcileJob};
use batch_server::settings::ScheduleSettings;
use batch_server::startup::{Application, Parts};
use cloud_sim::ResourceKind;
use common::application::server;
use serde_json::json;
use support::api::api;
use support::world::{Protocol, World, world};
use tokio_util::sync::CancellationToken;

const NEVER: &str = "0 0 0 1 1 *";

fn job(w: &World, kind: Kind) -> Arc<dyn Job> {
    Arc::new(ReconcileJob {
        kind,
        pool: w.db.pool.clone(),
        connector: w.job.connector.clone(),
        cipher: w.job.cipher.clone(),
        schedule: NEVER.into(),
        policy: w.job.policy,
        incremental: IncrementalListing::new(1),
    })
}

/// batch_server with its servers and volumes jobs scheduled next New Year
/// and the trigger poll every second.
async fn start(w: &World) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let parts = Parts {
        pool: w.db.pool.clone(),
        runner_id: "refresh-test".into(),
        schedule: ScheduleSettings {
            lease_ttl: Duration::from_secs(5),
            jitter: Duration::ZERO,
            trigger_poll_cron: "* * * * * *".into(),
            housekeeping_cron: NEVER.into(),
            shutdown_grace: Duration::from_secs(5),
        },
        jobs: vec![job(w, Kind::Servers), job(w, Kind::Volumes)],
    };
    let app = Application::build(parts, TcpListener::bind("127.0.0.1:0").unwrap())
        .await
        .unwrap();
    let stop = app.stop_token();
    (
        stop,
        tokio::spawn(async move { app.run_until_stopped().await.unwrap() }),
    )
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn version_of(w: &World, table: &str, id: i64) -> (String, i64) {
    let sql = match table {
        "server" => "SELECT status, version FROM server WHERE id = ?",
        _ => "SELECT status, version FROM volume WHERE id = ?",
    };
    sqlx::query_as(sql).bind(id).fetch_one(&w.db.pool).await.unwrap()
}

async fn triggers_of_runs(w: &World) -> Vec<String> {
    sqlx::query_scalar("SELECT DISTINCT trigger_source FROM reconcile_run")
        .fetch_all(&w.db.pool)
        .await
        .unwrap()
}

async fn refresh_runs_of(w: &World, resource_type: &str, id: i64) -> Vec<Option<i64>> {
    sqlx::query_scalar("SELECT reconcile_run_id FROM reconcile_request WHERE resource_type = ? AND resource_id = ?")
        .bind(resource_type)
        .bind(id)
        .fetch_all(&w.db.pool)
        .await
        .unwrap()
}

async fn a_server_create_and_delete_converge_by_targeted_refresh_alone(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    let api = api(&w).await;
    let bystander_cloud = w.cloud_server("ACTIVE", None);
    let bystander = w.row(Some(&bystander_cloud), "BUILD", Some("creating")).await;
    let bystander_before = version_of(&w, "server", bystander).await;
    let (stop, app) = start(&w).await;

    let id = api.create_server("web-1").await.unwrap().server.id;
    eventually("the created server to show ACTIVE", || async {
        let (status, task, _, _) = w.status_of(id).await;
        status == "ACTIVE" && task.is_none()
    })
    .await;
    server::delete(&api.svc, &api.ctx, id, None).await.unwrap();
    eventually("the deleted server's row to go", || async {
        w.status_of(id).await.3.is_some()
    })
    .await;

    assert_eq!(
        version_of(&w, "server", bystander).await,
        bystander_before,
        "a row nobody changed is not refreshed"
    );
    assert_eq!(
        triggers_of_runs(&w).await,
        ["refresh"],
        "no scheduled or whole pass ran"
    );
    eventually("each refresh request to be linked to its run", || async {
        refresh_runs_of(&w, "server", id).await.iter().all(Option::is_some)
    })
    .await;
    assert_eq!(
        refresh_runs_of(&w, "server", id).await.len(),
        2,
        "one refresh per mutation"
    );
    assert_eq!(
        w.oob().count(ResourceKind::Server),
        1,
        "only the bystander is left in the cloud"
    );
    stop.cancel();
    app.await.unwrap();
}

async fn a_volume_create_and_resize_converge_by_targeted_refresh_alone(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let api = api(&w).await;
    let bystander_cloud = w
        .oob()
        .create(
            ResourceKind::Volume,
            &w.cloud_project,
            &json!({"size": 5, "status": "available"}),
        )
        .unwrap();
    let bystander = sqlx::query(
        "INSERT INTO volume (project_id, name, size_gb, status, pending_action, task_state, pending_since, openstack_id) \
         VALUES (?, 'bystander', 5, 'CREATING', 'create', 'creating', UTC_TIMESTAMP(6), ?)",
    )
    .bind(w.project_id)
    .bind(&bystander_cloud)
    .execute(&w.db.pool)
    .await
    .unwrap()
    .last_insert_id() as i64;
    let bystander_before = version_of(&w, "volume", bystander).await;
    let (stop, app) = start(&w).await;

    let id = api.create_volume("data-1", 10).await.unwrap().volume.id;
    eventually("the created volume to show AVAILABLE", || async {
        version_of(&w, "volume", id).await.0 == "AVAILABLE"
    })
    .await;
    let version = version_of(&w, "volume", id).await.1;
    common::application::volume::resize(&api.svc, &api.ctx, id, 20, Some(version))
        .await
        .unwrap();
    eventually("the extend to be stored", || async {
        let (size, requested): (i32, Option<i32>) =
            sqlx::query_as("SELECT size_gb, requested_size_gb FROM volume WHERE id = ?")
                .bind(id)
                .fetch_one(&w.db.pool)
                .await
                .unwrap();
        size == 20 && requested.is_none()
    })
    .await;

    assert_eq!(version_of(&w, "volume", bystander).await, bystander_before);
    assert_eq!(triggers_of_runs(&w).await, ["refresh"]);
    eventually("each refresh request to be linked to its run", || async {
        refresh_runs_of(&w, "volume", id).await.iter().all(Option::is_some)
    })
    .await;
    assert_eq!(
        refresh_runs_of(&w, "volume", id).await.len(),
        2,
        "one refresh per mutation"
    );
    stop.cancel();
    app.await.unwrap();
}

both_protocols!(
    a_server_create_and_delete_converge_by_targeted_refresh_alone,
    a_volume_create_and_resize_converge_by_targeted_refresh_alone,
);
