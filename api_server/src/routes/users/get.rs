use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::{Services, users};

use super::dto::UserDetailResponse;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::CurrentUser;
use crate::routes::respond;

/// One live user with its domain and projects.
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserDetailResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 404, description = "No such user (USER_NOT_FOUND)", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let detail = users::get(&services, &user.ctx(), id.into_inner()).await?;
    let version = detail.user.version;
    Ok(respond::with_etag(
        StatusCode::OK,
        &UserDetailResponse::from(&detail),
        version,
    ))
}
