use actix_web::{HttpResponse, web};
use common::application::{Services, auth};

use crate::error::{ApiResult, ErrorBody};
use crate::extractors::CurrentUser;
use crate::routes::respond;

/// Log out: the presented token is revoked.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "The token no longer works"),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser) -> ApiResult<HttpResponse> {
    auth::logout(&services, &user.ctx()).await?;
    Ok(respond::no_content())
}
