//! Quotas: defaults, stored limits, live usage and the check creations run.

use common::application::quotas::check_quota;
use common::domain::quota::{Amounts, QuotaKind};
use serde_json::json;

use crate::helpers::*;

async fn add_server(app: &TestApp, project: i64, name: &str, vcpus: i32, ram_mb: i32) {
    sqlx::query(
        "INSERT INTO server (project_id, name, flavor_id, network_id, status, vcpus, ram_mb) VALUES (?, ?, 'f1', 'n1', 'ACTIVE', ?, ?)",
    )
    .bind(project)
    .bind(name)
    .bind(vcpus)
    .bind(ram_mb)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn quotas_show_default_limits_and_usage_from_live_rows() {
    let app = spawn_app_with(&[("QUOTA_DEFAULT_VCPUS", "8")], Default::default()).await;
    let admin = app.admin_token().await;
    let (_, project, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    add_server(&app, project, "web-1", 2, 2048).await;
    add_server(&app, project, "web-2", 4, 4096).await;
    sqlx::query("UPDATE server SET deleted_at = UTC_TIMESTAMP(6) WHERE name = 'web-2'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let body = json_of(app.get(&format!("/projects/{project}/quotas"), &token).await).await;
    assert_eq!(body["project_id"], project);
    assert_eq!(body["quotas"]["vcpus"], json!({"limit": 8, "in_use": 2}));
    assert_eq!(body["quotas"]["servers"], json!({"limit": 10, "in_use": 1}));
    assert_eq!(body["quotas"]["ram_mb"]["in_use"], 2048);
    assert_eq!(body["quotas"].as_object().unwrap().len(), 7);
}

#[tokio::test]
async fn only_an_admin_sets_limits_and_unknown_kinds_are_422() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, project, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let path = format!("/projects/{project}/quotas");
    assert_eq!(app.put(&path, &token, json!({"servers": 50})).await.status(), 403);
    let res = app
        .put(&path, &admin, json!({"servers": 50, "gpus": 1, "vcpus": -1}))
        .await;
    assert_eq!(res.status(), 422);
    let body = json_of(res).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["body.gpus", "body.vcpus"]);
    let res = app.put(&path, &admin, json!({"servers": 50})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(json_of(res).await["quotas"]["servers"]["limit"], 50);
    let body = json_of(app.get(&path, &token).await).await;
    assert_eq!(body["quotas"]["servers"]["limit"], 50);
    assert_eq!(body["quotas"]["vcpus"]["limit"], 20, "kinds left out keep their limit");
}

#[tokio::test]
async fn check_quota_refuses_a_request_past_the_limit_naming_the_kind() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let project = app.create_project(&admin, "team-a").await;
    add_server(&app, project, "web-1", 3, 1024).await;
    let defaults = Amounts::new().with(QuotaKind::Servers, 10).with(QuotaKind::Vcpus, 4);
    let mut tx = app.db.pool.begin().await.unwrap();
    let fits = Amounts::new().with(QuotaKind::Servers, 1).with(QuotaKind::Vcpus, 1);
    check_quota(&mut tx, &defaults, project, &fits).await.unwrap();
    let too_big = Amounts::new().with(QuotaKind::Servers, 1).with(QuotaKind::Vcpus, 2);
    let err = check_quota(&mut tx, &defaults, project, &too_big).await.unwrap_err();
    assert_eq!(err.code, "QUOTA_EXCEEDED");
    assert!(err.message.contains("vcpus"), "{}", err.message);
}
