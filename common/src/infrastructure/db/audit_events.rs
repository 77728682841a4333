//! The append-only `audit_event` table.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Executor, MySql, MySqlConnection};

use crate::domain::audit::AuditEvent;
use crate::error::AppResult;

/// An event of a request served by the API process.
pub async fn insert(
    conn: &mut MySqlConnection,
    event: &AuditEvent,
    actor_user_id: Option<i64>,
    request_id: &str,
) -> AppResult<()> {
    insert_from(conn, event, Source::Api, actor_user_id, Some(request_id)).await
}

pub async fn insert_from(
    conn: &mut MySqlConnection,
    event: &AuditEvent,
    source: Source,
    actor_user_id: Option<i64>,
    request_id: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_event (request_id, source, actor_user_id, project_id, action, resource_type, resource_id, outcome, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(request_id)
    .bind(source.as_str())
    .bind(actor_user_id)
    .bind(event.project_id)
    .bind(event.action.as_ref())
    .bind(event.resource_type)
    .bind(event.resource_id)
    .bind(event.outcome.as_str())
    .bind(event.detail.as_ref().map(Json))
    .execute(conn)
    .await?;
    Ok(())
}

/// Where an event was written: the API process, or a reconcile pass of the
/// batch server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Api,
    Reconcile,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Reconcile => "reconcile",
        }
    }
}

/// The `accepted` event an intent wrote: its audit name and project.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AcceptedIntent {
    pub action: String,
    pub project_id: Option<i64>,
}

/// The intent request `request_id` had accepted on the resource.
pub async fn accepted_intent(
    conn: &mut MySqlConnection,
    resource_type: &str,
    resource_id: i64,
    request_id: &str,
) -> AppResult<Option<AcceptedIntent>> {
    Ok(sqlx::query_as(
        "SELECT action, project_id FROM audit_event
         WHERE resource_type = ? AND resource_id = ? AND request_id = ? AND outcome = 'accepted'
         ORDER BY occurred_at DESC, id DESC LIMIT 1",
    )
    .bind(resource_type)
    .bind(resource_id)
    .bind(request_id)
    .fetch_optional(conn)
    .await?)
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
