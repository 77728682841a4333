//! Every admin route: 403 for members, 401 without a token, and listed in
//! the OpenAPI document.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::support::*;

/// (method, concrete path, path as the OpenAPI document names it, body)
fn admin_routes() -> Vec<(Method, &'static str, &'static str, Option<Value>)> {
    let mut routes: Vec<(Method, &'static str, &'static str, Option<Value>)> = [
        "/admin/inventory/servers",
        "/admin/inventory/volumes",
        "/admin/inventory/security-groups",
        "/admin/inventory/floating-ips",
        "/admin/inventory/network-interfaces",
        "/admin/inventory/projects",
        "/admin/inventory/users",
    ]
    .into_iter()
    .map(|p| (Method::GET, p, "/admin/inventory/{kind}", None))
    .collect();
    routes.extend([
        (Method::GET, "/admin/summary", "/admin/summary", None),
        (Method::GET, "/admin/audit-events", "/admin/audit-events", None),
        (Method::GET, "/admin/drift", "/admin/drift", None),
        (
            Method::POST,
            "/admin/drift/1/resolve",
            "/admin/drift/{id}/resolve",
            Some(json!({"action": "ignore"})),
        ),
        (Method::GET, "/admin/reconcile-runs", "/admin/reconcile-runs", None),
        (Method::POST, "/admin/reconcile/servers", "/admin/reconcile/{job}", None),
    ]);
    routes
}

#[tokio::test]
async fn every_admin_route_is_forbidden_to_members_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let member = member_token(&app, &admin).await;
    sqlx::query(
        "INSERT INTO drift_finding (kind, resource_type, openstack_id) VALUES ('unmanaged_in_cloud', 'server', 'os-1')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    for (method, path, _, body) in admin_routes() {
        let res = app.call(method.clone(), path, Some(&member), body).await;
        assert_eq!(res.status(), 403, "{method} {path}");
        assert_eq!(json_of(res).await["code"], "ADMIN_ROLE_REQUIRED", "{method} {path}");
    }
    for (method, path, body) in [
        (Method::GET, "/admin/inventory/gadgets?limit=0", None),
        (Method::GET, "/admin/audit-events?since=yesterday", None),
        (
            Method::POST,
            "/admin/drift/abc/resolve",
            Some(json!({"action": "nuke"})),
        ),
        (Method::POST, "/admin/reconcile/everything", None),
        (Method::DELETE, "/admin/summary", None),
    ] {
        let res = app.call(method.clone(), path, Some(&member), body).await;
        assert_eq!(res.status(), 403, "bad input from a member: {method} {path}");
    }
    let (open,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM drift_finding WHERE resolved_at IS NULL")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let (requests,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reconcile_request")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!((open, requests), (1, 0));
}

#[tokio::test]
async fn every_admin_route_answers_an_admin_and_needs_a_token() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for (method, path, _, body) in admin_routes() {
        let res = app.call(method.clone(), path, None, body.clone()).await;
        assert_eq!(res.status(), 401, "{method} {path}");
        let res = app.call(method.clone(), path, Some(&admin), body).await;
        assert!(
            res.status().is_success() || res.status() == 404,
            "{method} {path} answered {} to an admin",
            res.status()
        );
    }
}

#[tokio::test]
async fn every_admin_route_is_listed_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (method, _, documented, _) in admin_routes() {
        let op = &doc["paths"][documented][method.as_str().to_ascii_lowercase()];
        assert!(op.is_object(), "{method} {documented} missing from /openapi.json");
        assert!(
            op["responses"]["403"].is_object(),
            "{method} {documented} does not document 403"
        );
    }
}
