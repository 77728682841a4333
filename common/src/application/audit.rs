//! Writes the audit event of a use case inside its transaction.

use sqlx::MySqlConnection;

use crate::domain::audit::AuditEvent;
use crate::domain::auth::RequestContext;
use crate::error::AppResult;
use crate::infrastructure::db::audit_events;

pub async fn record(conn: &mut MySqlConnection, ctx: &RequestContext, event: AuditEvent) -> AppResult<()> {
    audit_events::insert(conn, &event, ctx.actor_id(), &ctx.request_id).await
}
