use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::admin::audit_events;
use common::domain::page::PageRequest;
use common::infrastructure::db::admin_audit_events::AuditFilter;

use super::dto::{AuditEventListResponse, AuditEventResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};

/// The audit trail, newest first (admin). Read only: audit rows are never changed or removed.
#[utoipa::path(get, path = "/admin/audit-events", tag = "admin", security(("bearer" = [])),
    params(
        ("actor_user_id" = Option<i64>, Query, description = "Only events by this user"),
        ("project_id" = Option<i64>, Query, description = "Only events in this project"),
        ("resource_type" = Option<String>, Query, description = "Only this resource type (user, project, server, ...)"),
        ("resource_id" = Option<i64>, Query, description = "Only this resource (needs resource_type)"),
        ("action" = Option<String>, Query, description = "Only this action (user.create, drift.resolve, ...)"),
        ("since" = Option<String>, Query, description = "At or after this RFC 3339 time"),
        ("until" = Option<String>, Query, description = "Before this RFC 3339 time"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of audit events", body = AuditEventListResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 422, description = "Invalid query", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let (filter, page_request) = parse(&q)?;
    let page = audit_events::list(&services, &user.ctx(), &filter, &page_request).await?;
    Ok(HttpResponse::Ok().json(AuditEventListResponse {
        audit_events: page.items.iter().map(AuditEventResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

fn parse(q: &QueryParams) -> ApiResult<(AuditFilter, PageRequest)> {
    let mut fields = Fields::new();
    let filter = AuditFilter {
        actor_user_id: q.parsed(&mut fields, "actor_user_id", "an integer id"),
        project_id: q.parsed(&mut fields, "project_id", "an integer id"),
        resource_type: q.string("resource_type").filter(|s| !s.is_empty()),
        resource_id: q.parsed(&mut fields, "resource_id", "an integer id"),
        action: q.string("action").filter(|s| !s.is_empty()),
        since: q.parsed(&mut fields, "since", "an RFC 3339 time"),
        until: q.parsed(&mut fields, "until", "an RFC 3339 time"),
    };
    if filter.resource_id.is_some() && filter.resource_type.is_none() {
        fields.add("query.resource_id", "missing_dependency", "needs resource_type");
    }
    if let (Some(since), Some(until)) = (filter.since, filter.until)
        && since >= until
    {
        fields.add("query.until", "value_error", "must be after since");
    }
    let page = q.page(&mut fields);
    fields.finish()?;
    Ok((filter, page))
}
