//! The two records every accepted intent writes in its transaction: the
//! action log entry of the resource and the audit event.

use serde_json::Value;
use sqlx::MySqlConnection;

use super::project_cloud::Scope;
use crate::domain::audit::{AuditEvent, Outcome};
use crate::error::AppResult;
use crate::infrastructure::db::{audit_events, resource_actions};

pub struct Intent {
    pub resource_type: &'static str,
    pub resource_id: i64,
    /// Action log name: `create`, `start`, `attach_volume`, ...
    pub action: &'static str,
    /// Audit name: `server.create`, ...
    pub audit_action: &'static str,
    pub detail: Option<Value>,
}

pub async fn record(conn: &mut MySqlConnection, scope: &Scope, intent: Intent) -> AppResult<()> {
    resource_actions::start(
        conn,
        &resource_actions::NewAction {
            project_id: scope.project_id,
            resource_type: intent.resource_type,
            resource_id: intent.resource_id,
            action: intent.action,
            request_id: &scope.request_id,
            user_id: Some(scope.user_id),
        },
    )
    .await?;
    let mut event = AuditEvent::success(intent.audit_action, intent.resource_type, Some(intent.resource_id))
        .in_project(Some(scope.project_id))
        .with_outcome(Outcome::Accepted);
    if let Some(detail) = intent.detail {
        event = event.with_detail(detail);
    }
    audit_events::insert(conn, &event, Some(scope.user_id), &scope.request_id).await
}

/// An audit event for a change that completed in the request (no cloud wait).
pub async fn record_done(
    conn: &mut MySqlConnection,
    scope: &Scope,
    audit_action: &'static str,
    resource_type: &'static str,
    resource_id: i64,
    detail: Option<Value>,
) -> AppResult<()> {
    let mut event =
        AuditEvent::success(audit_action, resource_type, Some(resource_id)).in_project(Some(scope.project_id));
    if let Some(detail) = detail {
        event = event.with_detail(detail);
    }
    audit_events::insert(conn, &event, Some(scope.user_id), &scope.request_id).await
}
