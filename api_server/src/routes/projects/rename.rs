use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::{Services, projects};
use common::domain::project::ProjectName;

use super::dto::RenameProjectRequest;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, IfMatch, JsonBody};
use crate::routes::respond;
use crate::routes::users::dto::ProjectResponse;

/// Rename a project (its members or an admin).
#[utoipa::path(put, path = "/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = RenameProjectRequest,
    responses(
        (status = 200, description = "Renamed", body = ProjectResponse),
        (status = 404, description = "No such project, or not yours (PROJECT_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Name taken (PROJECT_NAME_DUPLICATED) or changed meanwhile (OPTIMISTIC_LOCK_CONFLICT)", body = ErrorBody),
        (status = 412, description = "If-Match names another version (PRECONDITION_FAILED)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<RenameProjectRequest>,
) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let name = fields.check("body.name", ProjectName::parse(&body.0.name));
    fields.finish()?;
    let name = name.ok_or_else(Fields::unreachable)?;
    let project = projects::rename(&services, &user.ctx(), id.into_inner(), name, if_match.0).await?;
    Ok(respond::with_etag(
        StatusCode::OK,
        &ProjectResponse::from(&project),
        project.version,
    ))
}
