//! `Idempotency-Key`: replay, reuse with another body, concurrent repeats.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;

async fn create_with_key(app: &TestApp, token: &str, key: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/projects"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn project_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM project")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_repeat_with_the_same_key_and_body_replays_the_first_answer() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let first = create_with_key(&app, &admin, "key-1", json!({"name": "team-a"})).await;
    assert_eq!(first.status(), 201);
    let first_body = json_of(first).await;
    let again = create_with_key(&app, &admin, "key-1", json!({"name": "team-a"})).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json_of(again).await, first_body);
    assert_eq!(project_count(&app).await, 1);
    assert_eq!(app.cloud.created.load(Ordering::SeqCst), 1, "no second cloud call");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422_idempotency_key_reused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    assert_eq!(
        create_with_key(&app, &admin, "key-1", json!({"name": "team-a"}))
            .await
            .status(),
        201
    );
    let res = create_with_key(&app, &admin, "key-1", json!({"name": "team-b"})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_of(res).await["code"], "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(project_count(&app).await, 1);
}

#[tokio::test]
async fn two_concurrent_requests_with_one_key_have_one_effect() {
    let cloud = FakeProvisioner {
        delay: Duration::from_millis(400),
        ..Default::default()
    };
    let app = spawn_app_with(&[], cloud).await;
    let admin = app.admin_token().await;
    let body = json!({"name": "team-a"});
    let (a, b) = tokio::join!(
        create_with_key(&app, &admin, "same", body.clone()),
        create_with_key(&app, &admin, "same", body.clone())
    );
    assert_eq!(a.status(), 201);
    assert_eq!(b.status(), 201);
    assert_eq!(json_of(a).await["id"], json_of(b).await["id"]);
    assert_eq!(project_count(&app).await, 1);
    assert_eq!(app.cloud.created.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failed_request_frees_its_key_for_a_retry() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = create_with_key(&app, &admin, "key-1", json!({"name": ""})).await;
    assert_eq!(res.status(), 422);
    let res = create_with_key(&app, &admin, "key-1", json!({"name": ""})).await;
    assert_eq!(res.status(), 422);
    assert!(!res.headers().contains_key("idempotent-replayed"));
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, _, member) = app.member_in_new_project(&admin, "alice", "team-a").await;
    assert_eq!(
        create_with_key(&app, &admin, "shared", json!({"name": "team-b"}))
            .await
            .status(),
        201
    );
    let res = create_with_key(&app, &member, "shared", json!({"name": "team-b"})).await;
    assert_eq!(res.status(), 403, "the member's request runs on its own and is refused");
}

/// Writes the claim a process leaves when it dies mid-request.
async fn leave_claim_in_progress(app: &TestApp, key: &str, claimed_secs_ago: i64) {
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM user WHERE account_id = ?")
        .bind(ADMIN)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO idempotency_key (user_id, idempotency_key, method, path, request_hash, state, expires_at)
         VALUES (?, ?, 'POST', '/projects', ?, 'in_progress', TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP(6)))",
    )
    .bind(admin_id)
    .bind(key)
    .bind("0".repeat(64))
    .bind(24 * 3600 - claimed_secs_ago)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_claim_left_in_progress_by_a_dead_process_is_given_up_after_five_minutes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    leave_claim_in_progress(&app, "crashed", 6 * 60).await;
    let res = create_with_key(&app, &admin, "crashed", json!({"name": "team-a"})).await;
    assert_eq!(
        res.status(),
        201,
        "the retry runs instead of waiting for a dead request"
    );
    assert_eq!(project_count(&app).await, 1);

    leave_claim_in_progress(&app, "running", 60).await;
    let res = create_with_key(&app, &admin, "running", json!({"name": "team-b"})).await;
    assert_eq!(res.status(), 422, "a claim a minute old still holds its key");
    assert_eq!(json_of(res).await["code"], "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(project_count(&app).await, 1);
}
