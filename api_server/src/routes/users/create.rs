use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::{Services, users};
use common::domain::auth::{Password, RequestContext};
use common::domain::user::{AccountId, UserName};

use super::dto::{SignUpRequest, UserResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{Fields, JsonBody};
use crate::middleware::request_id;
use crate::routes::respond;

/// Sign up (off when `SIGNUP_ENABLED=false`).
#[utoipa::path(post, path = "/users", tag = "users", request_body = SignUpRequest,
    responses(
        (status = 201, description = "Account created", body = UserResponse),
        (status = 403, description = "Sign-up is disabled (SIGNUP_DISABLED)", body = ErrorBody),
        (status = 409, description = "Account id taken (USER_ACCOUNT_ID_DUPLICATE)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, body: JsonBody<SignUpRequest>) -> ApiResult<HttpResponse> {
    let input = parse(&body.0)?;
    let ctx = RequestContext::anonymous(request_id::current());
    let user = users::sign_up(&services, &ctx, input).await?;
    Ok(respond::with_etag(
        StatusCode::CREATED,
        &UserResponse::from(&user),
        user.version,
    ))
}

fn parse(body: &SignUpRequest) -> ApiResult<users::SignUp> {
    let mut fields = Fields::new();
    let account_id = fields.check("body.account_id", AccountId::parse(&body.account_id));
    let name = fields.check("body.name", UserName::parse(&body.name));
    let password = fields.check("body.password", Password::parse(&body.password));
    fields.finish()?;
    let (Some(account_id), Some(name), Some(password)) = (account_id, name, password) else {
        return Err(Fields::unreachable().into());
    };
    Ok(users::SignUp {
        account_id,
        name,
        password,
    })
}
