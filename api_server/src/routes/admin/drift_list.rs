use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::admin::drift::{self, KINDS};
use common::domain::page::PageRequest;
use common::infrastructure::db::admin_drift::DriftFilter;

use super::dto::{DriftFindingResponse, DriftListResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};

/// Drift findings, open and resolved, newest first, with our and the cloud's values (admin).
#[utoipa::path(get, path = "/admin/drift", tag = "admin", security(("bearer" = [])),
    params(
        ("kind" = Option<String>, Query, description = "missing_in_cloud, unmanaged_in_cloud or field_mismatch"),
        ("resource_type" = Option<String>, Query, description = "server, volume, security_group, floating_ip, network_interface"),
        ("status" = Option<String>, Query, description = "open or resolved (default both)"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of findings", body = DriftListResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 422, description = "Invalid query", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let (filter, page_request) = parse(&q)?;
    let page = drift::list(&services, &user.ctx(), &filter, &page_request).await?;
    Ok(HttpResponse::Ok().json(DriftListResponse {
        drift_findings: page.items.iter().map(DriftFindingResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

fn parse(q: &QueryParams) -> ApiResult<(DriftFilter, PageRequest)> {
    let mut fields = Fields::new();
    let kind = q.get("kind").and_then(|k| {
        let known = KINDS.contains(&k);
        if !known {
            fields.add("query.kind", "enum", format!("must be one of {}", KINDS.join(", ")));
        }
        known.then(|| k.to_owned())
    });
    let open = match q.get("status") {
        None => None,
        Some(_) => q.choice(&mut fields, "status", &[("open", true), ("resolved", false)]),
    };
    let filter = DriftFilter {
        kind,
        resource_type: q.string("resource_type").filter(|s| !s.is_empty()),
        open,
    };
    let page = q.page(&mut fields);
    fields.finish()?;
    Ok((filter, page))
}
