use actix_web::{HttpRequest, HttpResponse, web};
use common::application::Services;
use common::application::admin::inventory;
use common::domain::page::PageRequest;
use common::error::AppError;
use common::infrastructure::db::admin_inventory::{InventoryFilter, InventoryKind};

use super::csv;
use super::dto::{InventoryItem, InventoryListResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};

/// Every row of one kind across all projects (admin). JSON, or CSV with `Accept: text/csv`
/// (same filters and page; the next cursor in `X-Next-Cursor`).
#[utoipa::path(get, path = "/admin/inventory/{kind}", tag = "admin", security(("bearer" = [])),
    params(
        ("kind" = String, Path, description = "servers, volumes, security-groups, floating-ips, network-interfaces, projects or users"),
        ("project_id" = Option<i64>, Query, description = "Only this project"),
        ("status" = Option<String>, Query, description = "Only this status (users: ACTIVE or DELETED)"),
        ("include_deleted" = Option<bool>, Query, description = "Include soft-deleted rows (default false)"),
        ("q" = Option<String>, Query, description = "Name contains (address for floating IPs, fixed IP for NICs, account id for users)"),
        ("updated_since" = Option<String>, Query, description = "Only rows updated at or after this RFC 3339 time"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of rows, oldest first", 
            content((InventoryListResponse = "application/json"), (String = "text/csv"))),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 422, description = "Unknown kind or invalid query", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    req: HttpRequest,
    kind: web::Path<String>,
    q: QueryParams,
) -> ApiResult<HttpResponse> {
    let (kind, filter, page_request) = parse(&kind, &q)?;
    let page = inventory::list(&services, &user.ctx(), kind, &filter, &page_request).await?;
    if csv::wanted(&req) {
        return Ok(csv::response(kind, &page));
    }
    Ok(HttpResponse::Ok().json(InventoryListResponse {
        kind: kind.as_str().to_owned(),
        items: page.items.iter().map(InventoryItem::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

fn parse(kind: &str, q: &QueryParams) -> ApiResult<(InventoryKind, InventoryFilter, PageRequest)> {
    let Some(kind) = InventoryKind::parse(kind) else {
        let names: Vec<&str> = InventoryKind::ALL.iter().map(|k| k.as_str()).collect();
        let message = format!("must be one of {}", names.join(", "));
        return Err(AppError::invalid_field("path.kind", "enum", message).into());
    };
    let mut fields = Fields::new();
    let filter = InventoryFilter {
        project_id: q.parsed(&mut fields, "project_id", "an integer id"),
        status: q.string("status").filter(|s| !s.is_empty()),
        include_deleted: q
            .parsed(&mut fields, "include_deleted", "true or false")
            .unwrap_or(false),
        q: q.string("q").filter(|s| !s.is_empty()),
        updated_since: q.parsed(&mut fields, "updated_since", "an RFC 3339 time"),
    };
    let page = q.page(&mut fields);
    fields.finish()?;
    Ok((kind, filter, page))
}
