//! Login: one answer for unknown account and wrong password, throttling,
//! project choice and the token's claims.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::helpers::*;

fn without_request_id(mut body: Value) -> Value {
    body.as_object_mut().unwrap().remove("request_id");
    body
}

#[tokio::test]
async fn unknown_account_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.sign_up("alice").await;
    let unknown = app.login_raw("nobody", PASSWORD, None).await;
    let wrong = app.login_raw("alice", "wrong-password", None).await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(wrong.status(), 401);
    let (a, b) = (json_of(unknown).await, json_of(wrong).await);
    assert_eq!(a["code"], "INVALID_AUTH");
    assert_eq!(without_request_id(a), without_request_id(b));
}

#[tokio::test]
async fn repeated_failures_for_an_account_answer_429_with_retry_after() {
    let app = spawn_app_with(&[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")], Default::default()).await;
    app.sign_up("alice").await;
    for _ in 0..3 {
        assert_eq!(app.login_raw("alice", "wrong-password", None).await.status(), 401);
    }
    let res = app.login_raw("alice", PASSWORD, None).await;
    assert_eq!(res.status(), 429, "locked even with the right password");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry));
    assert_eq!(json_of(res).await["code"], "TOO_MANY_LOGIN_ATTEMPTS");
}

#[tokio::test]
async fn repeated_failures_from_one_address_answer_429_for_every_account() {
    let app = spawn_app_with(
        &[
            ("LOGIN_MAX_FAILURES_PER_IP", "3"),
            ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "100"),
        ],
        Default::default(),
    )
    .await;
    for account in ["aaaa", "bbbb", "cccc"] {
        assert_eq!(app.login_raw(account, "wrong-password", None).await.status(), 401);
    }
    assert_eq!(app.login_raw("dddd", "wrong-password", None).await.status(), 429);
}

#[tokio::test]
async fn a_member_without_projects_cannot_log_in() {
    let app = spawn_app().await;
    app.sign_up("alice").await;
    let res = app.login_raw("alice", PASSWORD, None).await;
    assert_eq!(res.status(), 400);
    assert_eq!(json_of(res).await["code"], "USER_NOT_JOINED_ANY_PROJECT");
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn the_token_names_the_first_project_unless_another_membership_is_asked_for() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, first, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let second = app.create_project(&admin, "team-b").await;
    let foreign = app.create_project(&admin, "team-c").await;
    app.add_member(&admin, second, alice).await;

    let claims = claims_of(&token);
    assert_eq!(claims["sub"], alice.to_string());
    assert_eq!(claims["project_id"], first);
    assert_eq!(claims["role"], "member");
    assert!(claims["jti"].as_str().is_some());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);

    let token = app.login_to("alice", PASSWORD, Some(second)).await;
    assert_eq!(claims_of(&token)["project_id"], second);
    let res = app.login_raw("alice", PASSWORD, Some(foreign)).await;
    assert_eq!(res.status(), 403);
    assert_eq!(json_of(res).await["code"], "PROJECT_ACCESS_DENIED");
}

#[tokio::test]
async fn an_admin_without_projects_gets_a_token_without_project_and_may_pick_any() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    assert!(claims_of(&admin)["project_id"].is_null());
    assert_eq!(claims_of(&admin)["role"], "admin");
    let project = app.create_project(&admin, "team-a").await;
    let token = app.login_to(ADMIN, ADMIN_PASSWORD, Some(project)).await;
    assert_eq!(claims_of(&token)["project_id"], project);
    let res = app.login_raw(ADMIN, ADMIN_PASSWORD, Some(9999)).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn login_answers_the_user_and_a_token() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/auth/login",
            None,
            json!({"account_id": ADMIN, "password": ADMIN_PASSWORD}),
        )
        .await;
    let body = json_of(res).await;
    assert_eq!(body["user"]["account_id"], ADMIN);
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["token"].as_str().unwrap().split('.').count(), 3);
}

#[tokio::test]
async fn a_locked_account_can_log_in_again_after_the_lockout() {
    let app = spawn_app_with(
        &[
            ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "2"),
            ("LOGIN_THROTTLE_LOCKOUT_SECS", "1"),
        ],
        Default::default(),
    )
    .await;
    for _ in 0..2 {
        app.login_raw(ADMIN, "wrong-password", None).await;
    }
    assert_eq!(app.login_raw(ADMIN, ADMIN_PASSWORD, None).await.status(), 429);
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    assert_eq!(app.login_raw(ADMIN, ADMIN_PASSWORD, None).await.status(), 200);
    assert_eq!(
        app.login_raw(ADMIN, "wrong-password", None).await.status(),
        401,
        "a success clears the account's count"
    );
}
