//! Seeding in SQL (fast, thousands of rows per statement) and page walking.

use reqwest::Response;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::*;

/// `n.i` from 0 to 99 999 (digits cross-joined; portable, no recursion limit).
pub const NUMBERS: &str = "WITH d AS (SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 \
     UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9), \
     n AS (SELECT a.i + 10 * b.i + 100 * c.i + 1000 * e.i + 10000 * f.i AS i FROM d a, d b, d c, d e, d f)";

pub async fn add_project(pool: &MySqlPool, name: &str) -> i64 {
    sqlx::query("INSERT INTO project (domain_id, name) VALUES (1, ?)")
        .bind(name)
        .execute(pool)
        .await
        .unwrap()
        .last_insert_id() as i64
}

/// `count` servers named `<prefix>-<n>` in one statement.
pub async fn add_servers(pool: &MySqlPool, project_id: i64, prefix: &str, status: &str, count: u32) {
    let sql = format!(
        "INSERT INTO server (project_id, name, flavor_id, network_id, status) {NUMBERS} \
         SELECT ?, CONCAT(?, '-', n.i), 'm1.small', 'net-1', ? FROM n WHERE n.i < ?"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(project_id)
        .bind(prefix)
        .bind(status)
        .bind(count)
        .execute(pool)
        .await
        .unwrap();
}

pub async fn add_server(pool: &MySqlPool, project_id: i64, name: &str, status: &str) -> i64 {
    sqlx::query(
        "INSERT INTO server (project_id, name, flavor_id, network_id, status) VALUES (?, ?, 'm1.small', 'net-1', ?)",
    )
    .bind(project_id)
    .bind(name)
    .bind(status)
    .execute(pool)
    .await
    .unwrap()
    .last_insert_id() as i64
}

/// `count` audit rows spread over users 1..=50, projects 1..=100, five
/// resource types, ten actions and one row a minute back from now.
pub async fn add_audit_rows(pool: &MySqlPool, count: u32) {
    let sql = format!(
        "INSERT INTO audit_event (occurred_at, request_id, actor_user_id, project_id, action, resource_type, resource_id, outcome) \
         {NUMBERS} SELECT UTC_TIMESTAMP(6) - INTERVAL n.i MINUTE, CONCAT('bulk-', n.i), 1 + n.i % 50, 1 + n.i % 100, \
         CONCAT('bulk.action', n.i % 10), ELT(1 + n.i % 5, 'server', 'volume', 'security_group', 'floating_ip', 'user'), \
         n.i, 'success' FROM n WHERE n.i < ?"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(count)
        .execute(pool)
        .await
        .unwrap();
}

pub async fn member_token(app: &TestApp, admin: &str) -> String {
    app.member_in_new_project(admin, "member1", "member-project").await.2
}

pub async fn ok_json(res: Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// Follows `next_cursor` from `path` (which already has a `?`), collecting `key` items.
pub async fn walk(app: &TestApp, token: &str, path: &str, key: &str) -> (Vec<Value>, usize) {
    walk_from(app, token, path, key, None).await
}

/// As [`walk`], starting after `cursor`. Stops after 100 pages.
pub async fn walk_from(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    mut cursor: Option<String>,
) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    while pages < 100 {
        let url = match &cursor {
            Some(c) => format!("{path}&cursor={c}"),
            None => path.to_owned(),
        };
        let body = ok_json(app.get(&url, token).await).await;
        pages += 1;
        items.extend(body[key].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    (items, pages)
}

pub fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

pub fn field_of(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errs| errs.iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}
