//! `Idempotency-Key` on POST: the first request with a key runs and its 2xx
//! response is stored; a repeat with the same body gets the stored answer
//! (header `Idempotent-Replayed: true`) and runs nothing; another body with
//! the key is 422 `IDEMPOTENCY_KEY_REUSED`. Keys belong to the token's user.
//! Non-2xx responses are not stored: the key is freed for a retry.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use common::application::Services;
use common::application::idempotency::{self, Claimed, IdempotencyKey, Scope};
use common::error::AppError;

use crate::error::ApiError;
use crate::extractors::bearer_token;

pub const REPLAYED_HEADER: &str = "idempotent-replayed";

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let raw_key = req
        .headers()
        .get(idempotency::HEADER)
        .map(|v| v.to_str().unwrap_or("\u{0}").to_owned());
    let (Some(raw_key), Some(services)) = (raw_key, req.app_data::<web::Data<Services>>().cloned()) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if req.method() != Method::POST || req.path().starts_with("/auth/") {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let key = match IdempotencyKey::parse(&raw_key) {
        Ok(k) => k,
        Err(e) => return Ok(req.error_response(ApiError(e))),
    };
    let body = req.extract::<web::Bytes>().await?;
    req.set_payload(body.clone().into());
    let user_id = bearer_token(req.request())
        .and_then(|t| services.tokens.verify(&t).ok())
        .and_then(|c| c.sub.parse::<i64>().ok())
        .unwrap_or(0);
    let path = req.path().to_owned();
    let method = req.method().as_str().to_owned();
    let scope = Scope {
        user_id,
        key: &key,
        method: &method,
        path: &path,
        body: &body,
    };
    match idempotency::claim(&services.pool, &scope).await {
        Err(e) => Ok(req.error_response(ApiError(e))),
        Ok(Claimed::Replay { status, body }) => Ok(req.into_response(replay(status, body))),
        Ok(Claimed::First) => match next.call(req).await {
            Ok(res) => finish(&services, &scope, res).await,
            Err(e) => {
                let _ = idempotency::release(&services.pool, &scope).await;
                Err(e)
            }
        },
    }
}

async fn finish(
    services: &Services,
    scope: &Scope<'_>,
    res: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if !res.status().is_success() {
        if let Err(e) = idempotency::release(&services.pool, scope).await {
            tracing::warn!(error = ?e, "could not free an idempotency key");
        }
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, response) = res.into_parts();
    let status = response.status();
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| ApiError(AppError::internal(std::io::Error::other("response body unreadable"))))?;
    if let Err(e) = idempotency::complete(&services.pool, scope, status.as_u16(), &bytes).await {
        tracing::warn!(error = ?e, "could not store an idempotent response");
    }
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, response))
}

fn replay(status: u16, body: Vec<u8>) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((REPLAYED_HEADER, "true"))
        .body(body)
}
