use actix_web::{HttpResponse, web};
use common::application::{Services, projects};

use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, IfMatch};
use crate::routes::respond;

/// Delete an empty project (admin). Members' tokens for it die.
#[utoipa::path(delete, path = "/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 404, description = "No such project (PROJECT_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Live resources remain (PROJECT_NOT_EMPTY)", body = ErrorBody),
        (status = 412, description = "If-Match names another version (PRECONDITION_FAILED)", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    projects::delete(&services, &user.ctx(), id.into_inner(), if_match.0).await?;
    Ok(respond::no_content())
}
