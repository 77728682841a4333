use actix_web::{HttpResponse, web};
use common::application::{Services, quotas};
use common::domain::quota::{Amounts, QuotaKind};

use super::dto::{QuotaResponse, QuotaUpdateRequest};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, JsonBody};

/// Limits and live usage per kind (members or an admin).
#[utoipa::path(get, path = "/projects/{id}/quotas", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "Limits and usage", body = QuotaResponse),
        (status = 404, description = "No such project, or not yours (PROJECT_NOT_FOUND)", body = ErrorBody),
    ))]
pub async fn get(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let report = quotas::get(&services, &user.ctx(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(QuotaResponse::from(&report)))
}

/// Set limits (admin); kinds left out keep theirs.
#[utoipa::path(put, path = "/projects/{id}/quotas", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    request_body = QuotaUpdateRequest,
    responses(
        (status = 200, description = "New limits and usage", body = QuotaResponse),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 404, description = "No such project (PROJECT_NOT_FOUND)", body = ErrorBody),
        (status = 422, description = "Unknown kind or bad limit", body = ErrorBody),
    ))]
pub async fn put(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: JsonBody<QuotaUpdateRequest>,
) -> ApiResult<HttpResponse> {
    let limits = parse(&body.0)?;
    let report = quotas::set(&services, &user.ctx(), id.into_inner(), limits).await?;
    Ok(HttpResponse::Ok().json(QuotaResponse::from(&report)))
}

fn parse(body: &QuotaUpdateRequest) -> ApiResult<Amounts> {
    let mut fields = Fields::new();
    let mut limits = Amounts::new();
    for (name, value) in &body.0 {
        let field = format!("body.{name}");
        let kind = fields.check(&field, QuotaKind::parse(name).ok_or("is not a quota kind"));
        let limit = fields.check(
            &field,
            value.as_i64().filter(|v| *v >= 0).ok_or("must be a whole number >= 0"),
        );
        if let (Some(kind), Some(limit)) = (kind, limit) {
            limits.set(kind, limit);
        }
    }
    fields.finish()?;
    Ok(limits)
}
