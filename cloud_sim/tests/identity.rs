#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use serde_json::{Value, json};

fn endpoint(catalog: &Value, kind: &str) -> String {
    catalog
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == kind)
        .and_then(|s| {
            s["endpoints"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["interface"] == "public")
        })
        .map(|e| e["url"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {kind} endpoint"))
}

#[tokio::test]
async fn password_auth_returns_subject_token_and_catalog_pointing_at_the_simulator() {
    let env = common::start().await;
    let admin = env.admin().await;
    let token = &admin.body["token"];
    assert_eq!(token["project"]["id"], admin.project_id.as_str());
    assert!(token["roles"].as_array().unwrap().iter().any(|r| r["name"] == "admin"));
    let base = env.sim.base_url();
    let catalog = &token["catalog"];
    assert_eq!(endpoint(catalog, "compute"), format!("{base}/compute/v2.1"));
    assert_eq!(endpoint(catalog, "network"), format!("{base}/networking"));
    assert_eq!(
        endpoint(catalog, "block-storage"),
        format!("{base}/volume/v3/{}", admin.project_id)
    );
    assert_eq!(
        endpoint(catalog, "volumev3"),
        format!("{base}/volume/v3/{}", admin.project_id)
    );
    assert_eq!(endpoint(catalog, "image"), format!("{base}/image"));
    assert!(token["expires_at"].as_str().unwrap().ends_with('Z'));
    env.sim.stop().await;
}

#[tokio::test]
async fn wrong_password_is_401_with_keystone_error_body() {
    let env = common::start().await;
    let creds = env.sim.service_credentials();
    let resp = env.password_token(&creds.username, "nope", &creds.project_id).await;
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 401);
    assert_eq!(body["error"]["title"], "Unauthorized");
}

#[tokio::test]
async fn services_answer_401_for_missing_and_invalid_tokens() {
    let env = common::start().await;
    let none = env.http.get(env.url("/compute/v2.1/servers")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let bad = env
        .http
        .get(env.url("/networking/v2.0/ports"))
        .header("x-auth-token", "not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "The request you have made requires authentication."
    );
}

#[tokio::test]
async fn token_stops_working_after_it_expires() {
    let env = common::start().await;
    let admin = env.admin().await;
    assert_eq!(env.get(&admin, "/compute/v2.1/servers").await.status(), 200);
    env.sim.advance_clock(std::time::Duration::from_secs(3601));
    assert_eq!(env.get(&admin, "/compute/v2.1/servers").await.status(), 401);
}

#[tokio::test]
async fn token_validation_echoes_subject_and_revocation_makes_it_404() {
    let env = common::start().await;
    let admin = env.admin().await;
    let other = env.admin().await;
    let url = format!("{}/auth/tokens", env.sim.keystone_url());
    let ok = env
        .http
        .get(&url)
        .header("x-auth-token", &admin.token)
        .header("x-subject-token", &other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["x-subject-token"], other.token.as_str());
    let del = env
        .http
        .delete(&url)
        .header("x-auth-token", &admin.token)
        .header("x-subject-token", &other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    let gone = env
        .http
        .get(&url)
        .header("x-auth-token", &admin.token)
        .header("x-subject-token", &other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn removing_the_last_role_invalidates_existing_project_tokens() {
    let env = common::start().await;
    let admin = env.admin().await;
    let member = env.member_project(&admin, "p-roles").await;
    assert_eq!(env.get(&member, "/compute/v2.1/servers").await.status(), 200);
    let ks = env.sim.keystone_url();
    let roles: Value = env.get_json(&admin, "/identity/v3/roles?name=member").await;
    let role = roles["roles"][0]["id"].as_str().unwrap();
    let del = env
        .http
        .delete(format!(
            "{ks}/projects/{}/users/{}/roles/{role}",
            member.project_id, member.user_id
        ))
        .header("x-auth-token", &admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    assert_eq!(env.get(&member, "/compute/v2.1/servers").await.status(), 401);
}

#[tokio::test]
async fn duplicate_user_name_in_a_domain_is_409() {
    let env = common::start().await;
    let admin = env.admin().await;
    let body = json!({"user": {"name": "dup", "domain_id": "default", "password": "x"}});
    assert_eq!(env.post(&admin, "/identity/v3/users", body.clone()).await.status(), 201);
    assert_eq!(env.post(&admin, "/identity/v3/users", body).await.status(), 409);
}

#[tokio::test]
async fn password_change_revokes_the_users_tokens() {
    let env = common::start().await;
    let admin = env.admin().await;
    let member = env.member_project(&admin, "p-pw").await;
    let r = env
        .http
        .post(format!("{}/users/{}/password", env.sim.keystone_url(), member.user_id))
        .json(&json!({"user": {"original_password": "pw", "password": "pw2"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(env.get(&member, "/compute/v2.1/servers").await.status(), 401);
}
