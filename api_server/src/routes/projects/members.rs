use actix_web::{HttpResponse, web};
use common::application::{Services, projects};

use crate::error::{ApiResult, ErrorBody};
use crate::extractors::CurrentUser;
use crate::routes::respond;

/// Add a member (members of the project or an admin).
#[utoipa::path(post, path = "/projects/{id}/users/{user_id}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id"), ("user_id" = i64, Path, description = "User id")),
    responses(
        (status = 204, description = "Added"),
        (status = 404, description = "No such project (PROJECT_NOT_FOUND) or user (USER_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Already a member (USER_ROLE_ALREADY_IN_PROJECT)", body = ErrorBody),
    ))]
pub async fn add(
    services: web::Data<Services>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (project_id, user_id) = path.into_inner();
    projects::add_member(&services, &user.ctx(), project_id, user_id).await?;
    Ok(respond::no_content())
}

/// Remove a member; their tokens for this project die.
#[utoipa::path(delete, path = "/projects/{id}/users/{user_id}", tag = "projects", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Project id"), ("user_id" = i64, Path, description = "User id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such project (PROJECT_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Not a member (USER_ROLE_NOT_IN_PROJECT)", body = ErrorBody),
    ))]
pub async fn remove(
    services: web::Data<Services>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (project_id, user_id) = path.into_inner();
    projects::remove_member(&services, &user.ctx(), project_id, user_id).await?;
    Ok(respond::no_content())
}
