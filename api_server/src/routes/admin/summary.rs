use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::admin::summary::{self, DEFAULT_PENDING_MINUTES};

use super::dto::SummaryResponse;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};

/// Counts per kind, project and status; open drift; last run per job; rows pending too long (admin).
#[utoipa::path(get, path = "/admin/summary", tag = "admin", security(("bearer" = [])),
    params(
        ("pending_older_than_minutes" = Option<u32>, Query,
            description = "List rows whose pending action started longer ago than this (1..10080, default 30)"),
    ),
    responses(
        (status = 200, description = "The summary", body = SummaryResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 422, description = "Invalid query", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let minutes = parse(&q)?;
    let summary = summary::build(&services, &user.ctx(), minutes).await?;
    Ok(HttpResponse::Ok().json(SummaryResponse::from(&summary)))
}

fn parse(q: &QueryParams) -> ApiResult<u32> {
    let mut fields = Fields::new();
    let expected = "a whole number of minutes from 1 to 10080";
    let minutes = q.parsed::<u32>(&mut fields, "pending_older_than_minutes", expected);
    if minutes.is_some_and(|m| !(1..=10_080).contains(&m)) {
        fields.add(
            "query.pending_older_than_minutes",
            "value_error",
            format!("must be {expected}"),
        );
    }
    fields.finish()?;
    Ok(minutes.unwrap_or(DEFAULT_PENDING_MINUTES))
}
