use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::users::{self, PasswordChange};
use common::domain::auth::Password;

use super::dto::ChangePasswordRequest;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, JsonBody};
use crate::routes::respond;

/// Change a password: your own with `current_password`, anyone's as admin.
/// Every token of the user stops working.
#[utoipa::path(put, path = "/users/{id}/password", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; the user's tokens are revoked"),
        (status = 403, description = "Not yours, or wrong current password", body = ErrorBody),
        (status = 404, description = "No such user (USER_NOT_FOUND)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: JsonBody<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let new = fields.check("body.new_password", Password::parse(&body.0.new_password));
    fields.finish()?;
    let change = PasswordChange {
        current: body.0.current_password,
        new: new.ok_or_else(Fields::unreachable)?,
    };
    users::change_password(&services, &user.ctx(), id.into_inner(), change).await?;
    Ok(respond::no_content())
}
