use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::{Services, users};
use common::domain::user::UserName;

use super::dto::{RenameUserRequest, UserResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, IfMatch, JsonBody};
use crate::routes::respond;

/// Rename a user (the user or an admin).
#[utoipa::path(put, path = "/users/{id}/info", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    request_body = RenameUserRequest,
    responses(
        (status = 200, description = "Renamed", body = UserResponse),
        (status = 403, description = "Not yours (USER_UPDATE_PERMISSION_DENIED)", body = ErrorBody),
        (status = 404, description = "No such user (USER_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Changed meanwhile (OPTIMISTIC_LOCK_CONFLICT)", body = ErrorBody),
        (status = 412, description = "If-Match names another version (PRECONDITION_FAILED)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<RenameUserRequest>,
) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let name = fields.check("body.name", UserName::parse(&body.0.name));
    fields.finish()?;
    let name = name.ok_or_else(Fields::unreachable)?;
    let renamed = users::rename(&services, &user.ctx(), id.into_inner(), name, if_match.0).await?;
    Ok(respond::with_etag(
        StatusCode::OK,
        &UserResponse::from(&renamed),
        renamed.version,
    ))
}
