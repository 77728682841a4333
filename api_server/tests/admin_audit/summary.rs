//! `GET /admin/summary`.

use common::infrastructure::db::reconcile_runs::{self, RunCounts, RunOutcome};
use serde_json::Value;

use crate::helpers::*;
use crate::support::*;

fn count_of(body: &Value, kind: &str, project: Option<i64>, status: &str) -> i64 {
    body["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind && c["project_id"].as_i64() == project && c["status"] == status)
        .map(|c| c["count"].as_i64().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn summary_counts_per_kind_status_and_project_with_drift_last_runs_and_stuck_rows() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let a = add_project(pool, "team-a").await;
    let b = add_project(pool, "team-b").await;
    add_servers(pool, a, "ok", "ACTIVE", 3).await;
    add_servers(pool, a, "bad", "ERROR", 2).await;
    add_servers(pool, b, "ok", "ACTIVE", 1).await;
    let stuck = add_server(pool, b, "stuck", "BUILD").await;
    let fresh = add_server(pool, b, "fresh", "BUILD").await;
    sqlx::query(
        "UPDATE server SET pending_action = 'create', pending_since = UTC_TIMESTAMP(6) - INTERVAL 2 HOUR WHERE id = ?",
    )
    .bind(stuck)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE server SET pending_action = 'create', pending_since = UTC_TIMESTAMP(6) - INTERVAL 5 MINUTE WHERE id = ?")
        .bind(fresh)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO drift_finding (kind, resource_type, openstack_id) VALUES ('unmanaged_in_cloud', 'server', 'x'), ('unmanaged_in_cloud', 'server', 'y')")
        .execute(pool)
        .await
        .unwrap();
    for outcome in [RunOutcome::Failed, RunOutcome::Success] {
        let id = reconcile_runs::start(pool, "servers", "test", "schedule")
            .await
            .unwrap();
        reconcile_runs::finish(pool, id, RunCounts::default(), outcome, None)
            .await
            .unwrap();
    }

    let body = ok_json(app.get("/admin/summary", &admin).await).await;
    assert_eq!(count_of(&body, "servers", Some(a), "ACTIVE"), 3);
    assert_eq!(count_of(&body, "servers", Some(a), "ERROR"), 2);
    assert_eq!(count_of(&body, "servers", Some(b), "BUILD"), 2);
    assert_eq!(count_of(&body, "projects", Some(a), "ACTIVE"), 1);
    assert_eq!(count_of(&body, "users", None, "ACTIVE"), 1);
    assert_eq!(body["open_drift"][0]["count"], 2);
    assert_eq!(body["open_drift"][0]["kind"], "unmanaged_in_cloud");
    let last = body["last_runs"].as_array().unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0]["outcome"], "success");
    assert_eq!(body["pending_older_than_minutes"], 30);
    let pending: Vec<i64> = body["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(pending, [stuck]);

    let body = ok_json(app.get("/admin/summary?pending_older_than_minutes=1", &admin).await).await;
    assert_eq!(body["pending"].as_array().unwrap().len(), 2);
    let res = app.get("/admin/summary?pending_older_than_minutes=0", &admin).await;
    assert_eq!(field_of(&json_of(res).await), ["query.pending_older_than_minutes"]);
}
