#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use serde_json::Value;

#[tokio::test]
async fn glance_lists_and_shows_images_unwrapped_and_404s_in_json() {
    let env = common::start().await;
    let admin = env.admin().await;
    let list = env.get_json(&admin, "/image/v2/images?limit=1").await;
    assert_eq!(list["images"].as_array().unwrap().len(), 1);
    assert!(list["next"].as_str().unwrap().starts_with("/v2/images?marker="));
    let id = list["images"][0]["id"].as_str().unwrap();
    let one = env.get_json(&admin, &format!("/image/v2/images/{id}")).await;
    assert_eq!(one["id"], id);
    assert_eq!(one["status"], "active");
    let missing = env
        .http
        .get(env.url("/image/v2/images/nope"))
        .header("x-auth-token", &admin.token)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "404 Not Found");
}

#[tokio::test]
async fn glance_errors_are_html_without_a_json_accept_header() {
    let env = common::start().await;
    let admin = env.admin().await;
    let r = env.get(&admin, "/image/v2/images/missing").await;
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn glance_adopts_the_callers_request_id() {
    let env = common::start().await;
    let admin = env.admin().await;
    let r = env
        .http
        .get(env.url("/image/v2/images"))
        .header("x-auth-token", &admin.token)
        .header("X-OpenStack-Request-ID", "abc123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-openstack-request-id"], "req-abc123");
    let long = "x".repeat(65);
    let r = env
        .http
        .get(env.url("/image/v2/images"))
        .header("x-auth-token", &admin.token)
        .header("X-OpenStack-Request-ID", long)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 431);
}
