use actix_web::{HttpRequest, HttpResponse, web};
use common::application::Services;
use common::application::auth::{self, LoginInput};
use common::domain::auth::RequestContext;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extractors::JsonBody;
use crate::middleware::request_id;
use crate::routes::users::dto::UserResponse;

/// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub account_id: String,
    pub password: String,
    /// The project the token is for; default: the first project joined.
    pub project_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: UserResponse,
    /// Bearer access token (JWT HS256).
    pub token: String,
}

/// Log in for an access token naming one project.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 400, description = "No project joined (USER_NOT_JOINED_ANY_PROJECT)", body = ErrorBody),
        (status = 401, description = "Wrong account id or password (INVALID_AUTH)", body = ErrorBody),
        (status = 403, description = "Not a member of project_id (PROJECT_ACCESS_DENIED)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
        (status = 429, description = "Too many failures (TOO_MANY_LOGIN_ATTEMPTS), see Retry-After", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let input = LoginInput {
        account_id: body.0.account_id,
        password: body.0.password,
        project_id: body.0.project_id,
        client_ip: req.peer_addr().map(|a| a.ip()),
    };
    let ctx = RequestContext::anonymous(request_id::current());
    let out = auth::login(&services, &ctx, input).await?;
    tracing::Span::current().record("user_id", out.user.id);
    Ok(HttpResponse::Ok().json(LoginResponse {
        user: UserResponse::from(&out.user),
        token: out.token,
    }))
}
