//! The append-only `audit_event` table.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Executor, MySql, MySqlConnection};

use crate::domain::audit::AuditEvent;
use crate::error::AppResult;

pub async fn insert(
    conn: &mut MySqlConnection,
    event: &AuditEvent,
    actor_user_id: Option<i64>,
    request_id: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_event (request_id, source, actor_user_id, project_id, action, resource_type, resource_id, outcome, detail)
         VALUES (?, 'api', ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(request_id)
    .bind(actor_user_id)
    .bind(event.project_id)
    .bind(event.action)
    .bind(event.resource_type)
    .bind(event.resource_id)
    .bind(event.outcome.as_str())
    .bind(event.detail.as_ref().map(Json))
    .execute(conn)
    .await?;
    Ok(())
}

/// An audit row as stored, for readers (admin audit, tests).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredAuditEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub request_id: Option<String>,
    pub actor_user_id: Option<i64>,
    pub project_id: Option<i64>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<i64>,
    pub outcome: String,
    pub detail: Option<Json<serde_json::Value>>,
}

/// The newest events first.
pub async fn recent<'c>(db: impl Executor<'c, Database = MySql>, limit: u32) -> AppResult<Vec<StoredAuditEvent>> {
    Ok(sqlx::query_as(
        "SELECT id, occurred_at, request_id, actor_user_id, project_id, action, resource_type, resource_id, outcome, detail
         FROM audit_event ORDER BY id DESC LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?)
}
