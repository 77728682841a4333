//! Projects: admin create/delete, scoped reads, rename, membership.

use std::sync::atomic::Ordering;

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn an_admin_creates_a_project_with_its_cloud_project() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app.post("/projects", Some(&admin), json!({"name": "team-a"})).await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().contains_key("etag"));
    let body = json_of(res).await;
    let id = body["id"].as_i64().unwrap();
    assert_eq!(body["openstack_id"], format!("os-{id}"));
    assert_eq!(app.cloud.created.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_member_may_not_create_projects() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, _, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let res = app.post("/projects", Some(&token), json!({"name": "mine"})).await;
    assert_eq!(res.status(), 403);
    assert_eq!(json_of(res).await["code"], "ADMIN_ROLE_REQUIRED");
}

#[tokio::test]
async fn project_names_are_unique_among_live_projects() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_project(&admin, "team-a").await;
    let res = app.post("/projects", Some(&admin), json!({"name": "team-a"})).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "PROJECT_NAME_DUPLICATED");
    let b = app.create_project(&admin, "team-b").await;
    let res = app
        .put(&format!("/projects/{b}"), &admin, json!({"name": "team-a"}))
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "PROJECT_NAME_DUPLICATED");
}

#[tokio::test]
async fn a_member_sees_only_its_own_projects_and_others_answer_404() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, mine, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let other = app.create_project(&admin, "team-b").await;
    let list = json_of(app.get("/projects", &token).await).await;
    let ids: Vec<i64> = list["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![mine]);
    for path in [format!("/projects/{other}"), format!("/projects/{other}/quotas")] {
        let res = app.get(&path, &token).await;
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(json_of(res).await["code"], "PROJECT_NOT_FOUND");
    }
    let res = app
        .put(&format!("/projects/{other}"), &token, json!({"name": "stolen"}))
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .call(Method::POST, &format!("/projects/{other}/users/1"), Some(&token), None)
        .await;
    assert_eq!(res.status(), 404);
    let body = json_of(app.get(&format!("/projects/{mine}"), &token).await).await;
    assert_eq!(body["accounts"][0]["account_id"], "alice");
    assert_eq!(body["domain"]["name"], "Default");
}

#[tokio::test]
async fn an_admin_lists_all_projects_with_filters_and_sort() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let a = app.create_project(&admin, "alpha").await;
    let b = app.create_project(&admin, "beta").await;
    let g = app.create_project(&admin, "gamma").await;
    let names = |body: serde_json::Value| -> Vec<String> {
        body["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(json_of(app.get("/projects?sort_by=name&order=desc", &admin).await).await),
        vec!["gamma", "beta", "alpha"]
    );
    assert_eq!(
        names(json_of(app.get("/projects?name_like=et", &admin).await).await),
        vec!["beta"]
    );
    assert_eq!(
        names(json_of(app.get(&format!("/projects?ids={a},{g}"), &admin).await).await),
        vec!["alpha", "gamma"]
    );
    assert_eq!(
        names(json_of(app.get("/projects?name=beta", &admin).await).await),
        vec!["beta"]
    );
    let _ = b;
}

#[tokio::test]
async fn a_member_renames_its_project_with_if_match() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, project, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let etag = app.get(&format!("/projects/{project}"), &token).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let rename = |name: &'static str, tag: String| {
        app.client
            .put(app.url(&format!("/projects/{project}")))
            .bearer_auth(&token)
            .header("if-match", tag)
            .json(&json!({"name": name}))
            .send()
    };
    let res = rename("renamed", etag.clone()).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(json_of(res).await["name"], "renamed");
    let res = rename("again", etag).await.unwrap();
    assert_eq!(res.status(), 412);
}

#[tokio::test]
async fn adding_a_member_twice_is_409() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (alice, project, _) = app.member_in_new_project(&admin, "alice", "team-a").await;
    let res = app
        .call(
            Method::POST,
            &format!("/projects/{project}/users/{alice}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "USER_ROLE_ALREADY_IN_PROJECT");
    let res = app
        .call(
            Method::POST,
            &format!("/projects/{project}/users/9999"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(json_of(res).await["code"], "USER_NOT_FOUND");
}

#[tokio::test]
async fn a_project_with_live_resources_cannot_be_deleted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, project, token) = app.member_in_new_project(&admin, "alice", "team-a").await;
    sqlx::query("INSERT INTO security_group (project_id, name) VALUES (?, 'web')")
        .bind(project)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let res = app.delete(&format!("/projects/{project}"), &admin).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "PROJECT_NOT_EMPTY");

    sqlx::query("UPDATE security_group SET deleted_at = UTC_TIMESTAMP(6) WHERE project_id = ?")
        .bind(project)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(app.delete(&format!("/projects/{project}"), &token).await.status(), 403);
    assert_eq!(app.delete(&format!("/projects/{project}"), &admin).await.status(), 204);
    assert_eq!(app.get(&format!("/projects/{project}"), &admin).await.status(), 404);
    assert_eq!(app.cloud.deleted.load(Ordering::SeqCst), 1);
    assert_eq!(
        app.get("/users", &token).await.status(),
        401,
        "members' tokens for it die"
    );
}

#[tokio::test]
async fn an_nhn_project_stores_the_tenant_password_encrypted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "nhn-team", "provider": "nhn",
        "cloud": {"tenant_id": "tenant-123", "username": "api-user", "password": "tenant-secret-pw"}});
    let res = app.post("/projects", Some(&admin), body).await;
    assert_eq!(res.status(), 201);
    let project = json_of(res).await;
    assert_eq!(project["openstack_id"], "tenant-123");
    assert_eq!(
        app.cloud.created.load(Ordering::SeqCst),
        0,
        "NHN needs no identity call"
    );
    let (ciphertext, username): (Vec<u8>, String) =
        sqlx::query_as("SELECT secret_ciphertext, username FROM cloud_credential WHERE project_id = ?")
            .bind(project["id"].as_i64().unwrap())
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(username, "api-user");
    assert!(!String::from_utf8_lossy(&ciphertext).contains("tenant-secret-pw"));

    let res = app
        .post("/projects", Some(&admin), json!({"name": "x", "provider": "nhn"}))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_of(res).await["errors"][0]["field"], "body.cloud");
    let res = app
        .post("/projects", Some(&admin), json!({"name": "x", "provider": "aws"}))
        .await;
    assert_eq!(json_of(res).await["errors"][0]["field"], "body.provider");
}
