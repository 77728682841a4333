use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::admin::reconcile;

use super::dto::ReconcileRequestedResponse;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::CurrentUser;

/// Run a job now (admin): queues a request the batch server claims and runs.
#[utoipa::path(post, path = "/admin/reconcile/{job}", tag = "admin", security(("bearer" = [])),
    params(("job" = String, Path,
        description = "servers, volumes, network-interfaces, security-groups, floating-ips or housekeeping")),
    responses(
        (status = 202, description = "Queued for the batch server", body = ReconcileRequestedResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 422, description = "Unknown job; the message lists the jobs", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    job: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let job = job.into_inner();
    let id = reconcile::request_run(&services, &user.ctx(), &job).await?;
    Ok(HttpResponse::Accepted().json(ReconcileRequestedResponse {
        reconcile_request_id: id,
        job,
    }))
}
