//! Conventions every route follows: error shapes, request ids, 404/405,
//! 401, 503 when the database is away, metrics, pagination.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::mysql::MySqlPoolOptions;

use crate::helpers::*;

fn fields_of(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn malformed_json_is_422_at_body() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/users"))
        .header("content-type", "application/json")
        .body("{\"account_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = json_of(res).await;
    assert_eq!(body["code"], "VALIDATION_FAILED");
    assert_eq!(body["message"], "Validation Failed");
    assert_eq!(fields_of(&body), vec!["body"]);
    assert_eq!(body["errors"][0]["type"], "json_invalid");
    assert!(body["request_id"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn wrong_content_type_is_422_at_body() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/users"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(json_of(res).await["errors"][0]["type"], "content_type");
}

#[tokio::test]
async fn every_invalid_field_is_named_by_its_body_path() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/users",
            None,
            json!({"account_id": "NO", "name": "fine", "password": "short"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(fields_of(&json_of(res).await), vec!["body.account_id", "body.password"]);

    let res = app
        .post(
            "/users",
            None,
            json!({"account_id": "alice", "password": "long enough"}),
        )
        .await;
    let body = json_of(res).await;
    assert_eq!(fields_of(&body), vec!["body.name"]);
    assert_eq!(body["errors"][0]["type"], "missing");

    let res = app
        .post(
            "/users",
            None,
            json!({"account_id": 5, "name": "x", "password": "long enough"}),
        )
        .await;
    assert_eq!(fields_of(&json_of(res).await), vec!["body.account_id"]);
}

#[tokio::test]
async fn non_integer_path_id_is_422_at_path_id() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app.get("/users/abc", &token).await;
    assert_eq!(res.status(), 422);
    let body = json_of(res).await;
    assert_eq!(fields_of(&body), vec!["path.id"]);
    let res = app.call(Method::POST, "/projects/1/users/x", Some(&token), None).await;
    assert_eq!(fields_of(&json_of(res).await), vec!["path.user_id"]);
}

#[tokio::test]
async fn bad_query_values_are_422_at_their_query_names() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .get("/users?limit=0&sort_by=height&sort_order=up&user_id=x", &token)
        .await;
    assert_eq!(res.status(), 422);
    let mut fields = fields_of(&json_of(res).await);
    fields.sort();
    assert_eq!(
        fields,
        vec!["query.limit", "query.sort_by", "query.sort_order", "query.user_id"]
    );
    let res = app.get("/projects?limit=1001&cursor=nonsense", &token).await;
    let mut fields = fields_of(&json_of(res).await);
    fields.sort();
    assert_eq!(fields, vec!["query.cursor", "query.limit"]);
}

#[tokio::test]
async fn a_well_formed_request_id_is_echoed_and_a_bad_one_replaced() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/nowhere"))
        .header("x-request-id", "req-42.a_b")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "req-42.a_b");
    assert_eq!(json_of(res).await["request_id"], "req-42.a_b");

    let long = "a".repeat(65);
    for bad in ["has space", "semi;colon", long.as_str()] {
        let res = app
            .client
            .get(app.url("/health"))
            .header("x-request-id", bad)
            .send()
            .await
            .unwrap();
        let echoed = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(echoed, bad);
        assert_eq!(echoed.len(), 36, "a generated uuid");
    }
    let res = app.client.get(app.url("/health")).send().await.unwrap();
    assert!(res.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn unknown_route_is_404_and_wrong_method_405() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/no/such/route")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(json_of(res).await["code"], "NOT_FOUND");
    let res = app.client.patch(app.url("/users")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(json_of(res).await["code"], "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn missing_or_bad_token_is_401_with_www_authenticate() {
    let app = spawn_app().await;
    for auth in [None, Some("Bearer not.a.jwt"), Some("Basic abc")] {
        let mut req = app.client.get(app.url("/users"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        assert_eq!(json_of(res).await["code"], "INVALID_ACCESS_TOKEN");
    }
}

#[tokio::test]
async fn database_down_answers_503_db_unavailable() {
    let db = test_support::TestDb::new().await;
    let mut env = base_env(&db.url());
    env.remove("BOOTSTRAP_ADMIN_ACCOUNT");
    env.remove("BOOTSTRAP_ADMIN_PASSWORD");
    let settings = api_server::settings::Settings::from_env(&common::config::Env::new(&env)).unwrap();
    let dead = MySqlPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy("mysql://root@127.0.0.1:1/nothing")
        .unwrap();
    let address = start(settings, dead, Default::default()).await;
    let res = client()
        .post(format!("{address}/auth/login"))
        .json(&json!({"account_id": "alice", "password": "whatever1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(json_of(res).await["code"], "DB_UNAVAILABLE");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    app.get("/users/1", &token).await;
    app.get("/users/999", &token).await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/users/{id}",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/users/{id}",status="404"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_request_duration_seconds_count{route="/auth/login"} 1"#),
        "{text}"
    );
}

#[tokio::test]
async fn pages_follow_the_cursor_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for name in ["user_a", "user_b", "user_c", "user_d"] {
        app.sign_up(name).await;
    }
    let mut seen = Vec::new();
    let mut path = "/users?limit=2&sort_by=account_id&sort_order=desc".to_owned();
    loop {
        let body = json_of(app.get(&path, &token).await).await;
        let users = body["users"].as_array().unwrap();
        assert!(users.len() <= 2);
        seen.extend(users.iter().map(|u| u["account_id"].as_str().unwrap().to_owned()));
        match body["next_cursor"].as_str() {
            Some(c) => path = format!("/users?limit=2&sort_by=account_id&sort_order=desc&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["user_d", "user_c", "user_b", "user_a", "admin"]);

    let first = json_of(app.get("/users?limit=1&sort_by=name", &token).await).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let res = app
        .get(&format!("/users?limit=1&sort_by=created_at&cursor={cursor}"), &token)
        .await;
    assert_eq!(
        res.status(),
        422,
        "a cursor is only valid with the sort it was made for"
    );
}

#[tokio::test]
async fn health_and_ready_answer_without_a_token() {
    let app = spawn_app().await;
    for path in ["/health", "/ready"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
}
