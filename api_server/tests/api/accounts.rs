//! Sign-up, reads, rename, password change and deletion of accounts.

use common::domain::user::{AccountId, Role, UserName};
use common::infrastructure::db::users::{self, NewUser};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn sign_up_answers_201_with_the_user_response_and_no_hash() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/users",
            None,
            json!({"account_id": "alice", "name": "Alice", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let body = json_of(res).await;
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "account_id",
            "created_at",
            "deleted_at",
            "domain_id",
            "id",
            "name",
            "openstack_id",
            "role",
            "updated_at",
            "version"
        ]
    );
    assert_eq!(body["role"], "member");
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(!body.to_string().contains("argon2"));
}

#[tokio::test]
async fn a_live_account_id_cannot_be_taken_twice() {
    let app = spawn_app().await;
    app.sign_up("alice").await;
    let res = app
        .post(
            "/users",
            None,
            json!({"account_id": "alice", "name": "Other", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "USER_ACCOUNT_ID_DUPLICATE");
}

#[tokio::test]
async fn sign_up_can_be_switched_off() {
    let app = spawn_app_with(&[("SIGNUP_ENABLED", "false")], Default::default()).await;
    let res = app
        .post(
            "/users",
            None,
            json!({"account_id": "alice", "name": "Alice", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(json_of(res).await["code"], "SIGNUP_DISABLED");
}

#[tokio::test]
async fn users_are_read_with_their_domain_and_projects() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user_id, project_id, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let body = json_of(app.get(&format!("/users/{user_id}"), &token).await).await;
    assert_eq!(body["account_id"], "alice");
    assert_eq!(body["domain"]["name"], "Default");
    assert_eq!(body["projects"][0]["id"], project_id);
    let res = app.get("/users/9999", &token).await;
    assert_eq!(res.status(), 404);
    assert_eq!(json_of(res).await["code"], "USER_NOT_FOUND");
    let list = json_of(app.get("/users?account_id=alice", &token).await).await;
    assert_eq!(list["users"].as_array().unwrap().len(), 1);
    assert!(list["next_cursor"].is_null());
}

#[tokio::test]
async fn a_user_renames_itself_but_not_others() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, _, alice_token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let bob = app.sign_up("bobby").await;
    let res = app
        .put(&format!("/users/{alice}/info"), &alice_token, json!({"name": "Al"}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    assert_eq!(json_of(res).await["name"], "Al");
    let res = app
        .put(&format!("/users/{bob}/info"), &alice_token, json!({"name": "Bob"}))
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(json_of(res).await["code"], "USER_UPDATE_PERMISSION_DENIED");
    let res = app
        .put(&format!("/users/{bob}/info"), &admin, json!({"name": "Bob"}))
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn if_match_with_a_stale_version_is_412_and_nothing_changes() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.sign_up("alice").await;
    let rename = |name: &'static str, etag: &'static str| {
        app.client
            .put(app.url(&format!("/users/{id}/info")))
            .bearer_auth(&admin)
            .header("if-match", etag)
            .json(&json!({"name": name}))
            .send()
    };
    assert_eq!(rename("First", "\"1\"").await.unwrap().status(), 200);
    let res = rename("Second", "\"1\"").await.unwrap();
    assert_eq!(res.status(), 412);
    assert_eq!(json_of(res).await["code"], "PRECONDITION_FAILED");
    let body = json_of(app.get(&format!("/users/{id}"), &admin).await).await;
    assert_eq!(body["name"], "First");
    assert_eq!(body["version"], 2);
}

#[tokio::test]
async fn a_write_with_a_stale_version_is_409_optimistic_lock_conflict() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let id = app.sign_up("alice").await;
    app.put(&format!("/users/{id}/info"), &admin, json!({"name": "Newer"}))
        .await;
    let mut conn = app.db.pool.acquire().await.unwrap();
    let err = users::rename(&mut conn, id, 1, &UserName::parse("Stale").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code, "OPTIMISTIC_LOCK_CONFLICT");
}

#[tokio::test]
async fn own_password_change_needs_the_current_password() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, _, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let path = format!("/users/{alice}/password");
    let res = app.put(&path, &token, json!({"new_password": "brand-new-pw"})).await;
    assert_eq!(res.status(), 422);
    let res = app
        .put(
            &path,
            &token,
            json!({"current_password": "not-my-password", "new_password": "brand-new-pw"}),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(json_of(res).await["code"], "CURRENT_PASSWORD_MISMATCH");
    let res = app
        .put(
            &path,
            &token,
            json!({"current_password": PASSWORD, "new_password": "brand-new-pw"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.login_raw("alice", PASSWORD, None).await.status(), 401);
    assert_eq!(app.login_raw("alice", "brand-new-pw", None).await.status(), 200);
}

#[tokio::test]
async fn an_admin_sets_another_users_password_without_the_current_one() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, _, _) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let res = app
        .put(
            &format!("/users/{alice}/password"),
            &admin,
            json!({"new_password": "set-by-admin"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.login_raw("alice", "set-by-admin", None).await.status(), 200);
}

#[tokio::test]
async fn deletion_is_soft_and_removes_memberships() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, project_id, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let bob = app.sign_up("bobby").await;
    assert_eq!(app.delete(&format!("/users/{bob}"), &token).await.status(), 403);
    assert_eq!(app.delete(&format!("/users/{alice}"), &token).await.status(), 204);
    assert_eq!(app.get(&format!("/users/{alice}"), &admin).await.status(), 404);
    let project = json_of(app.get(&format!("/projects/{project_id}"), &admin).await).await;
    assert_eq!(project["accounts"].as_array().unwrap().len(), 0);
    let row = users::find_including_deleted(&app.db.pool, alice)
        .await
        .unwrap()
        .unwrap();
    assert!(row.deleted_at.is_some());
    // The account id is free again.
    app.sign_up("alice").await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_deleted_but_one_of_two_can() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = json_of(app.get("/users?account_id=admin", &admin).await).await["users"][0]["id"]
        .as_i64()
        .unwrap();
    let res = app.delete(&format!("/users/{me}"), &admin).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "LAST_ADMIN_DELETION_NOT_ALLOWED");

    let mut conn = app.db.pool.acquire().await.unwrap();
    let other = users::insert(
        &mut conn,
        NewUser {
            domain_id: 1,
            account_id: &AccountId::parse("admin2").unwrap(),
            name: &UserName::parse("Second").unwrap(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$x$y",
            role: Role::Admin,
        },
    )
    .await
    .unwrap();
    assert_eq!(app.delete(&format!("/users/{other}"), &admin).await.status(), 204);
    assert_eq!(app.delete(&format!("/users/{me}"), &admin).await.status(), 409);
}

#[tokio::test]
async fn two_admins_deleting_each_other_at_once_leave_one_admin() {
    let app = spawn_app().await;
    let first = app.admin_token().await;
    let me = json_of(app.get("/users?account_id=admin", &first).await).await["users"][0]["id"]
        .as_i64()
        .unwrap();
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM user WHERE id = ?")
        .bind(me)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let mut conn = app.db.pool.acquire().await.unwrap();
    let other = users::insert(
        &mut conn,
        NewUser {
            domain_id: 1,
            account_id: &AccountId::parse("admin2").unwrap(),
            name: &UserName::parse("Second").unwrap(),
            password_hash: &hash,
            role: Role::Admin,
        },
    )
    .await
    .unwrap();
    drop(conn);
    let second = app.login("admin2", ADMIN_PASSWORD).await;
    let (other_path, my_path) = (format!("/users/{other}"), format!("/users/{me}"));
    let (a, b) = tokio::join!(app.delete(&other_path, &first), app.delete(&my_path, &second));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    // Racing: 409 from the admin check. One after the other: 401, the loser's token died with it.
    assert!(statuses == [204, 409] || statuses == [204, 401], "{statuses:?}");
    assert!(users::any_live_admin(&app.db.pool).await.unwrap());
}
