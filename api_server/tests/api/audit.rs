//! Every mutation leaves an audit row in its transaction; none holds a secret.

use common::infrastructure::db::audit_events;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn every_mutation_is_audited_with_its_request_id_and_no_secret() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app
        .client
        .post(app.url("/users"))
        .header("x-request-id", "signup-req-1")
        .json(&json!({"account_id": "alice", "name": "Alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let alice = json_of(res).await["id"].as_i64().unwrap();
    let project = app.create_project(&admin, "team-a").await;
    app.add_member(&admin, project, alice).await;
    let token = app.login("alice", PASSWORD).await;
    app.put(&format!("/users/{alice}/info"), &token, json!({"name": "Al"}))
        .await;
    app.put(
        &format!("/users/{alice}/password"),
        &token,
        json!({"current_password": PASSWORD, "new_password": "second-pw-22"}),
    )
    .await;
    let nhn = json!({"name": "nhn", "provider": "nhn", "cloud": {"tenant_id": "t1", "username": "u", "password": "tenant-secret-pw"}});
    app.post("/projects", Some(&admin), nhn).await;
    app.put(&format!("/projects/{project}/quotas"), &admin, json!({"servers": 3}))
        .await;
    app.put(&format!("/projects/{project}"), &admin, json!({"name": "team-b"}))
        .await;
    app.delete(&format!("/projects/{project}/users/{alice}"), &admin).await;
    app.post("/auth/logout", Some(&admin), json!({})).await;
    app.login_raw("alice", "wrong-password", None).await;

    let events = audit_events::recent(&app.db.pool, 100).await.unwrap();
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    for expected in [
        "user.create",
        "project.create",
        "project.member_add",
        "auth.login",
        "user.rename",
        "user.password_change",
        "project.quota_update",
        "project.rename",
        "project.member_remove",
        "auth.logout",
    ] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    let signup = events
        .iter()
        .find(|e| e.action == "user.create" && e.resource_id == Some(alice))
        .unwrap();
    assert_eq!(signup.request_id.as_deref(), Some("signup-req-1"));
    assert_eq!(signup.outcome, "success");
    let failed = events
        .iter()
        .find(|e| e.action == "auth.login" && e.outcome == "failure");
    assert!(failed.is_some(), "failed logins are audited");
    let renamed = events.iter().find(|e| e.action == "user.rename").unwrap();
    assert_eq!(renamed.actor_user_id, Some(alice));

    let everything = format!("{events:?}");
    for secret in [
        PASSWORD,
        "second-pw-22",
        "tenant-secret-pw",
        "argon2",
        token.as_str(),
        admin.as_str(),
    ] {
        assert!(!everything.contains(secret), "audit holds a secret: {secret}");
    }
}
