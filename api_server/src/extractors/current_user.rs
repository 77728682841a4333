//! The authenticated user: a handler that needs one takes `CurrentUser`.
//! A missing, malformed, expired or revoked token answers 401
//! `INVALID_ACCESS_TOKEN` with `WWW-Authenticate: Bearer`.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use common::application::Services;
use common::application::auth::{authenticate, token::invalid_token};
use common::domain::auth::{Actor, RequestContext};
use futures_util::future::LocalBoxFuture;

use crate::error::ApiError;
use crate::middleware::request_id;

pub struct CurrentUser(pub Actor);

impl CurrentUser {
    /// The context use cases take: this actor and the request id.
    pub fn ctx(&self) -> RequestContext {
        RequestContext::of(self.0.clone(), request_id::current())
    }
}

pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let services = req.app_data::<web::Data<Services>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(services)) = (token, services) else {
                return Err(ApiError(invalid_token()));
            };
            let actor = authenticate(&services, &token).await?;
            let span = tracing::Span::current();
            span.record("user_id", actor.user_id);
            if let Some(project_id) = actor.project_id {
                span.record("project_id", project_id);
            }
            Ok(CurrentUser(actor))
        })
    }
}
