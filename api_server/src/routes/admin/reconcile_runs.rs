use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::admin::reconcile::{self, JOBS, OUTCOMES};
use common::domain::page::PageRequest;
use common::infrastructure::db::admin_reconcile::RunFilter;

use super::dto::{ReconcileRunListResponse, ReconcileRunResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};

/// Passes of the batch jobs, newest first (admin).
#[utoipa::path(get, path = "/admin/reconcile-runs", tag = "admin", security(("bearer" = [])),
    params(
        ("job" = Option<String>, Query, description = "servers, volumes, network-interfaces, security-groups, floating-ips or housekeeping"),
        ("outcome" = Option<String>, Query, description = "running, success, partial, failed or interrupted"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of runs", body = ReconcileRunListResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 422, description = "Invalid query", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let (filter, page_request) = parse(&q)?;
    let page = reconcile::list_runs(&services, &user.ctx(), &filter, &page_request).await?;
    Ok(HttpResponse::Ok().json(ReconcileRunListResponse {
        reconcile_runs: page.items.iter().map(ReconcileRunResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

fn parse(q: &QueryParams) -> ApiResult<(RunFilter, PageRequest)> {
    let mut fields = Fields::new();
    let job = one_of(q, &mut fields, "job", &JOBS);
    let outcome = one_of(q, &mut fields, "outcome", &OUTCOMES);
    let page = q.page(&mut fields);
    fields.finish()?;
    Ok((RunFilter { job, outcome }, page))
}

fn one_of(q: &QueryParams, fields: &mut Fields, name: &str, allowed: &[&str]) -> Option<String> {
    let raw = q.get(name)?;
    if !allowed.contains(&raw) {
        fields.add(
            &format!("query.{name}"),
            "enum",
            format!("must be one of {}", allowed.join(", ")),
        );
        return None;
    }
    Some(raw.to_owned())
}
