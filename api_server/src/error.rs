//! The mapping of [`AppError`] to HTTP: status, headers and the one JSON
//! error shape `{"code", "message", "request_id"}` (+ `errors` on 422).

use actix_web::http::StatusCode;
use actix_web::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use actix_web::{HttpResponse, ResponseError};
use common::error::{AppError, ErrorKind, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::middleware::request_id;

/// An [`AppError`] on its way out as a response.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The error body of every endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `USER_NOT_FOUND`.
    pub code: String,
    pub message: String,
    /// Only on 422 `VALIDATION_FAILED`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorBody>)]
    pub errors: Vec<FieldError>,
    pub request_id: String,
}

/// Where validation failed: `body.name`, `query.limit`, `path.id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Cloud => StatusCode::BAD_GATEWAY,
        ErrorKind::CloudUnavailable | ErrorKind::DbUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.0.kind)
    }

    fn error_response(&self) -> HttpResponse {
        let e = &self.0;
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?e, "request failed");
        }
        let mut res = HttpResponse::build(status);
        if let Some(secs) = e.retry_after_secs {
            res.insert_header((RETRY_AFTER, secs.to_string()));
        }
        if e.code == "INVALID_ACCESS_TOKEN" {
            res.insert_header((WWW_AUTHENTICATE, "Bearer"));
        }
        res.json(ErrorBody {
            code: e.code.to_string(),
            message: e.message.clone(),
            errors: e.field_errors.clone(),
            request_id: request_id::current(),
        })
    }
}
