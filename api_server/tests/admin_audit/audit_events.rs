//! `GET /admin/audit-events`: filters, pages, and no way to change a row.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::support::*;

#[tokio::test]
async fn each_filter_returns_only_matching_events() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    add_audit_rows(&app.db.pool, 1000).await;
    let cases = [
        ("actor_user_id=7", "actor_user_id", json!(7), 20),
        ("project_id=42", "project_id", json!(42), 10),
        ("resource_type=volume&resource_id=16", "resource_id", json!(16), 1),
        ("resource_type=volume", "resource_type", json!("volume"), 200),
        ("action=bulk.action3", "action", json!("bulk.action3"), 100),
    ];
    for (query, field, value, expected) in cases {
        let (items, _) = walk(
            &app,
            &admin,
            &format!("/admin/audit-events?limit=1000&{query}"),
            "audit_events",
        )
        .await;
        assert_eq!(items.len(), expected, "?{query}");
        assert!(items.iter().all(|e| e[field] == value), "?{query}");
    }
}

#[tokio::test]
async fn since_is_inclusive_and_until_exclusive() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for (id, at) in [
        (1, "2026-01-01 10:00:00"),
        (2, "2026-01-01 11:00:00"),
        (3, "2026-01-01 12:00:00"),
    ] {
        sqlx::query("INSERT INTO audit_event (occurred_at, action, resource_type, resource_id, outcome) VALUES (?, 'x.y', 'server', ?, 'success')")
            .bind(at)
            .bind(id)
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
    let body = ok_json(
        app.get(
            "/admin/audit-events?resource_type=server&since=2026-01-01T11:00:00Z&until=2026-01-01T12:00:00Z",
            &admin,
        )
        .await,
    )
    .await;
    let resources: Vec<i64> = body["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource_id"].as_i64().unwrap())
        .collect();
    assert_eq!(resources, [2]);
    let body = ok_json(
        app.get(
            "/admin/audit-events?resource_type=server&since=2026-01-01T10:30:00Z",
            &admin,
        )
        .await,
    )
    .await;
    let resources: Vec<i64> = body["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource_id"].as_i64().unwrap())
        .collect();
    assert_eq!(resources, [3, 2], "newest first");
}

#[tokio::test]
async fn pages_through_1500_events_newest_first_without_duplicates_or_gaps() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    add_audit_rows(&app.db.pool, 1500).await;
    let (items, pages) = walk(&app, &admin, "/admin/audit-events?limit=400", "audit_events").await;
    let seen = ids(&items);
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len());
    let all: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_event ORDER BY occurred_at DESC, id DESC")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(seen, all);
    assert!(all.len() > 1500, "bulk rows and the logins");
    assert_eq!(pages, all.len().div_ceil(400));
}

#[tokio::test]
async fn audit_rows_cannot_be_changed_or_removed_through_the_api_or_sql() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let res = app
            .call(method.clone(), "/admin/audit-events", Some(&admin), Some(json!({})))
            .await;
        assert_eq!(res.status(), 405, "{method}");
    }
    let update = sqlx::query("UPDATE audit_event SET action = 'tampered'")
        .execute(&app.db.pool)
        .await;
    assert!(update.is_err(), "the trigger refuses updates");
    let delete = sqlx::query("DELETE FROM audit_event").execute(&app.db.pool).await;
    assert!(delete.is_err(), "the trigger refuses deletes");
    let body = ok_json(app.get("/admin/audit-events", &admin).await).await;
    let events = body["audit_events"].as_array().unwrap();
    assert!(!events.is_empty() && events.iter().all(|e| e["action"] != "tampered"));
}

#[tokio::test]
async fn a_resource_id_without_its_type_or_an_empty_window_is_422() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app
        .get(
            "/admin/audit-events?resource_id=3&since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z&actor_user_id=me",
            &admin,
        )
        .await;
    assert_eq!(res.status(), 422);
    let mut fields = field_of(&json_of(res).await);
    fields.sort();
    assert_eq!(fields, ["query.actor_user_id", "query.resource_id", "query.until"]);
}
