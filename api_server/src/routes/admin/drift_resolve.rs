use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::admin::drift::{self, Resolution};
use common::error::AppError;

use super::dto::{DriftFindingResponse, ResolveDriftRequest};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, JsonBody};

/// Resolve an open finding: adopt the cloud resource, ignore, or accept the cloud's value (admin).
/// The resolution and its audit event commit together.
#[utoipa::path(post, path = "/admin/drift/{id}/resolve", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Drift finding id")),
    request_body = ResolveDriftRequest,
    responses(
        (status = 200, description = "The resolved finding", body = DriftFindingResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 404, description = "No such finding (DRIFT_FINDING_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Already resolved (DRIFT_FINDING_ALREADY_RESOLVED), stale (DRIFT_FINDING_STALE), \
            resource already managed, or a lost version race (OPTIMISTIC_LOCK_CONFLICT)", body = ErrorBody),
        (status = 422, description = "Unknown action, an action that does not fit the finding, or a missing project_id",
            body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: JsonBody<ResolveDriftRequest>,
) -> ApiResult<HttpResponse> {
    let action = parse(&body.0)?;
    let finding = drift::resolve(&services, &user.ctx(), id.into_inner(), action, body.0.project_id).await?;
    Ok(HttpResponse::Ok().json(DriftFindingResponse::from(&finding)))
}

fn parse(body: &ResolveDriftRequest) -> Result<Resolution, AppError> {
    Resolution::ALL
        .iter()
        .find(|(name, _)| *name == body.action)
        .map(|(_, r)| *r)
        .ok_or_else(|| AppError::invalid_field("body.action", "enum", "must be one of adopt, ignore, accept_cloud"))
}
