use actix_web::{HttpResponse, web};
use common::application::{Services, users};

use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, IfMatch};
use crate::routes::respond;

/// Delete a user (soft; the user or an admin). Memberships go, tokens die.
#[utoipa::path(delete, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not yours (USER_DELETE_PERMISSION_DENIED)", body = ErrorBody),
        (status = 404, description = "No such user (USER_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Last admin (LAST_ADMIN_DELETION_NOT_ALLOWED) or changed meanwhile", body = ErrorBody),
        (status = 412, description = "If-Match names another version (PRECONDITION_FAILED)", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    users::delete(&services, &user.ctx(), id.into_inner(), if_match.0).await?;
    Ok(respond::no_content())
}
