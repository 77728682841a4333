//! The two records every accepted intent writes in its transaction: the
//! action log entry of the resource and the audit event; and, when the
//! intent ends in a definite failure, the audit event of that failure.

use std::borrow::Cow;

use serde_json::{Value, json};
use sqlx::MySqlConnection;

use super::project_cloud::Scope;
use crate::domain::audit::{AuditEvent, Outcome};
use crate::error::AppResult;
use crate::infrastructure::db::audit_events::{self, Source};
use crate::infrastructure::db::resource_actions;

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

/// Who found that an intent failed.
#[derive(Debug, Clone, Copy)]
pub enum Witness<'a> {
    /// The request that made the intent: its user and its request id.
    Request(&'a Scope),
    /// A reconcile pass of the batch server: no actor, no request.
    Reconcile,
}

/// A definite failure of the resource's pending action. Its action-log
/// entries end as errors with `message`, and each entry an intent was
/// accepted for gets one `failure` audit event under that intent's audit
/// name, with the message as detail. Entries already ended write nothing, so
/// the same failure seen twice is audited once. Call it in the transaction of
/// the row change, after that change (rows are locked before their log, in
/// the order the intent locked them).
pub async fn record_failure(
    conn: &mut MySqlConnection,
    witness: Witness<'_>,
    resource_type: &'static str,
    resource_id: i64,
    message: &str,
) -> AppResult<()> {
    let (source, actor_user_id, request_id) = match witness {
        Witness::Request(scope) => (Source::Api, Some(scope.user_id), Some(scope.request_id.as_str())),
        Witness::Reconcile => (Source::Reconcile, None, None),
    };
    for intent_request in resource_actions::fail_pending(conn, resource_type, resource_id, message).await? {
        let Some(intent) = audit_events::accepted_intent(conn, resource_type, resource_id, &intent_request).await?
        else {
            continue;
        };
        let failure = AuditEvent {
            action: Cow::Owned(intent.action),
            resource_type,
            resource_id: Some(resource_id),
            project_id: intent.project_id,
            outcome: Outcome::Failure,
            detail: Some(json!({"message": message})),
        };
        audit_events::insert_from(conn, &failure, source, actor_user_id, request_id).await?;
    }
    Ok(())
}
