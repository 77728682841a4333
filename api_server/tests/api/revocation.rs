//! Tokens die on logout, password change, deletion and membership removal.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_token_stops_working_after_logout() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let other = app.admin_token().await;
    assert_eq!(app.get("/users", &token).await.status(), 200);
    assert_eq!(app.post("/auth/logout", Some(&token), json!({})).await.status(), 204);
    let res = app.get("/users", &token).await;
    assert_eq!(res.status(), 401);
    assert_eq!(json_of(res).await["code"], "INVALID_ACCESS_TOKEN");
    assert_eq!(
        app.get("/users", &other).await.status(),
        200,
        "only the presented token dies"
    );
}

#[tokio::test]
async fn a_password_change_kills_every_token_but_a_new_login_works_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, _, first) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let second = app.login("alice", PASSWORD).await;
    let res = app
        .put(
            &format!("/users/{alice}/password"),
            &first,
            json!({"current_password": PASSWORD, "new_password": "another-pw-1"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.get("/users", &first).await.status(), 401);
    assert_eq!(app.get("/users", &second).await.status(), 401);
    let fresh = app.login("alice", "another-pw-1").await;
    assert_eq!(app.get("/users", &fresh).await.status(), 200);
}

#[tokio::test]
async fn a_deleted_users_tokens_stop_working() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, _, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    assert_eq!(app.delete(&format!("/users/{alice}"), &admin).await.status(), 204);
    assert_eq!(app.get("/users", &token).await.status(), 401);
}

#[tokio::test]
async fn removing_a_membership_kills_the_tokens_for_that_project_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, team_a, token_a) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let team_b = app.create_project(&admin, "team-b").await;
    app.add_member(&admin, team_b, alice).await;
    let token_b = app.login_to("alice", PASSWORD, Some(team_b)).await;

    let res = app.delete(&format!("/projects/{team_a}/users/{alice}"), &admin).await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.get("/users", &token_a).await.status(), 401);
    assert_eq!(app.get("/users", &token_b).await.status(), 200);
    let res = app.delete(&format!("/projects/{team_a}/users/{alice}"), &admin).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "USER_ROLE_NOT_IN_PROJECT");
}
