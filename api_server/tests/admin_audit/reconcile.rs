//! `POST /admin/reconcile/{job}` queues for the batch server;
//! `GET /admin/reconcile-runs` lists what ran.

use common::infrastructure::db::reconcile_requests;
use common::infrastructure::db::reconcile_runs::{self, RunCounts, RunOutcome};
use serde_json::json;

use crate::helpers::*;
use crate::support::*;

#[tokio::test]
async fn a_run_request_is_queued_for_the_batch_server_and_audited() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app.post("/admin/reconcile/volumes", Some(&admin), json!({})).await;
    assert_eq!(res.status(), 202);
    let body = json_of(res).await;
    assert_eq!(body["job"], "volumes");
    let claimed = reconcile_requests::claim_open(&app.db.pool).await.unwrap();
    assert_eq!(claimed.len(), 1, "the batch server's claim sees the request");
    assert_eq!(claimed[0].job, "volumes");
    assert_eq!(claimed[0].id, body["reconcile_request_id"].as_i64().unwrap());
    let (outcome,): (String,) =
        sqlx::query_as("SELECT outcome FROM audit_event WHERE action = 'reconcile.request' AND resource_id = ?")
            .bind(claimed[0].id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(outcome, "accepted");
    let (runs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reconcile_run")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(runs, 0, "nothing runs inside the API process");
}

#[tokio::test]
async fn an_unknown_job_is_422_naming_the_jobs_and_queues_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app.post("/admin/reconcile/everything", Some(&admin), json!({})).await;
    assert_eq!(res.status(), 422);
    let body = json_of(res).await;
    assert_eq!(field_of(&body), ["path.job"]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    for job in [
        "servers",
        "volumes",
        "network-interfaces",
        "security-groups",
        "floating-ips",
        "housekeeping",
    ] {
        assert!(message.contains(job), "{message}");
    }
    assert!(reconcile_requests::claim_open(&app.db.pool).await.unwrap().is_empty());
}

#[tokio::test]
async fn runs_filter_by_job_and_outcome_newest_first_in_pages() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let mut servers_runs = Vec::new();
    for (job, outcome) in [
        ("servers", RunOutcome::Success),
        ("volumes", RunOutcome::Failed),
        ("servers", RunOutcome::Partial),
        ("servers", RunOutcome::Success),
    ] {
        let id = reconcile_runs::start(pool, job, "test", "schedule").await.unwrap();
        reconcile_runs::finish(
            pool,
            id,
            RunCounts {
                examined: 3,
                ..RunCounts::default()
            },
            outcome,
            None,
        )
        .await
        .unwrap();
        if job == "servers" {
            servers_runs.push(id);
        }
    }
    servers_runs.reverse();
    let (items, pages) = walk(
        &app,
        &admin,
        "/admin/reconcile-runs?job=servers&limit=2",
        "reconcile_runs",
    )
    .await;
    assert_eq!((ids(&items), pages), (servers_runs.clone(), 2));
    assert_eq!(items[0]["examined"], 3);
    let body = ok_json(app.get("/admin/reconcile-runs?outcome=failed", &admin).await).await;
    let runs = body["reconcile_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["job"], "volumes");
    let body = ok_json(
        app.get("/admin/reconcile-runs?job=servers&outcome=success", &admin)
            .await,
    )
    .await;
    assert_eq!(body["reconcile_runs"].as_array().unwrap().len(), 2);
    let res = app.get("/admin/reconcile-runs?job=nope&outcome=great", &admin).await;
    let mut fields = field_of(&json_of(res).await);
    fields.sort();
    assert_eq!(fields, ["query.job", "query.outcome"]);
}
