//! `resource_action`: the log of what was asked of each resource and how it
//! ended. Rows outlive the resource (the log stays readable after deletion).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection, MySqlPool, QueryBuilder};

use super::id_list::push_in;
use crate::error::AppResult;

pub struct NewAction<'a> {
    pub project_id: i64,
    pub resource_type: &'static str,
    pub resource_id: i64,
    pub action: &'static str,
    pub request_id: &'a str,
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ResourceAction {
    pub id: i64,
    pub action: String,
    pub request_id: Option<String>,
    pub user_id: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `pending`, `success` or `error`.
    pub result: String,
    pub message: Option<String>,
}

pub async fn start(conn: &mut MySqlConnection, new: &NewAction<'_>) -> AppResult<i64> {
    let result = sqlx::query(
        "INSERT INTO resource_action (project_id, resource_type, resource_id, action, request_id, user_id, started_at)
         VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
    )
    .bind(new.project_id)
    .bind(new.resource_type)
    .bind(new.resource_id)
    .bind(new.action)
    .bind(new.request_id)
    .bind(new.user_id)
    .execute(conn)
    .await?;
    Ok(result.last_insert_id() as i64)
}

/// Ends every pending action of the resource (there is at most one in flight).
pub async fn finish<'c>(
    db: impl Executor<'c, Database = MySql>,
    resource_type: &str,
    resource_id: i64,
    success: bool,
    message: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE resource_action SET result = ?, message = ?, finished_at = UTC_TIMESTAMP(6)
         WHERE resource_type = ? AND resource_id = ? AND result = 'pending'",
    )
    .bind(if success { "success" } else { "error" })
    .bind(message)
    .bind(resource_type)
    .bind(resource_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Ends the resource's pending entries as errors with `message` and returns
/// the request ids they were started under (empty when none was pending).
pub async fn fail_pending(
    conn: &mut MySqlConnection,
    resource_type: &str,
    resource_id: i64,
    message: &str,
) -> AppResult<Vec<String>> {
    let requests: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT request_id FROM resource_action
         WHERE resource_type = ? AND resource_id = ? AND result = 'pending' ORDER BY started_at, id FOR UPDATE",
    )
    .bind(resource_type)
    .bind(resource_id)
    .fetch_all(&mut *conn)
    .await?;
    finish(&mut *conn, resource_type, resource_id, false, Some(message)).await?;
    Ok(requests.into_iter().flatten().collect())
}

/// Oldest first.
pub async fn of_resource<'c>(
    db: impl Executor<'c, Database = MySql>,
    resource_type: &str,
    resource_id: i64,
) -> AppResult<Vec<ResourceAction>> {
    Ok(sqlx::query_as(
        "SELECT id, action, request_id, user_id, started_at, finished_at, result, message FROM resource_action
         WHERE resource_type = ? AND resource_id = ? ORDER BY started_at, id",
    )
    .bind(resource_type)
    .bind(resource_id)
    .fetch_all(db)
    .await?)
}

/// How many `action` entries each of `resource_ids` has (absent: none).
pub async fn count_of(
    pool: &MySqlPool,
    resource_type: &str,
    action: &str,
    resource_ids: &[i64],
) -> AppResult<HashMap<i64, u32>> {
    if resource_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut qb = QueryBuilder::<MySql>::new("SELECT resource_id, COUNT(*) FROM resource_action WHERE resource_type = ");
    qb.push_bind(resource_type).push(" AND action = ").push_bind(action);
    push_in(&mut qb, "resource_id", resource_ids);
    qb.push(" GROUP BY resource_id");
    let rows: Vec<(i64, i64)> = qb.build_query_as().fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u32::try_from(n).unwrap_or(u32::MAX)))
        .collect())
}
