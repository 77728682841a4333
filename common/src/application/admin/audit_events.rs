//! `GET /admin/audit-events`. Read only: no use case updates or deletes an
//! audit row, and the table's triggers refuse it anyway.

use crate::application::{Services, guard};
use crate::domain::auth::RequestContext;
use crate::domain::page::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::admin_audit_events::{self, AuditFilter, SORT, cursor_of};
use crate::infrastructure::db::audit_events::StoredAuditEvent;

pub async fn list(
    svc: &Services,
    ctx: &RequestContext,
    filter: &AuditFilter,
    page: &PageRequest,
) -> AppResult<Page<StoredAuditEvent>> {
    guard::admin(ctx)?;
    let after = page
        .for_sort(SORT)
        .map_err(|m| AppError::invalid_field("query.cursor", "value_error", m))?;
    let rows = admin_audit_events::list(&svc.pool, filter, after, page.limit).await?;
    Ok(Page::from_overfetch(rows, page.limit, cursor_of))
}
