use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::{Services, projects};

use super::dto::ProjectDetailResponse;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::CurrentUser;
use crate::routes::respond;

/// One project (its members or an admin; others get 404).
#[utoipa::path(get, path = "/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, description = "The project", body = ProjectDetailResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 404, description = "No such project, or not yours (PROJECT_NOT_FOUND)", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let detail = projects::get(&services, &user.ctx(), id.into_inner()).await?;
    let version = detail.project.version;
    Ok(respond::with_etag(
        StatusCode::OK,
        &ProjectDetailResponse::from(&detail),
        version,
    ))
}
