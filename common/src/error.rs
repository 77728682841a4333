//! The one error type every layer maps into. It carries a stable machine code
//! (`SERVER_NOT_FOUND`) that clients match on; the HTTP layer turns the kind
//! into a status.

use std::borrow::Cow;
use std::fmt;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 422: input failed validation; `field_errors` says where.
    Validation,
    /// 400: well-formed but not acceptable (e.g. shrinking a volume).
    BadRequest,
    /// 401: missing, invalid, expired or revoked credentials.
    Unauthorized,
    /// 403: authenticated but not allowed.
    Forbidden,
    /// 404: absent, or belongs to another project.
    NotFound,
    /// 409: state conflict, duplicate, lost optimistic-lock race.
    Conflict,
    /// 412: `If-Match` named another version.
    PreconditionFailed,
    /// 429: throttled; `retry_after` seconds.
    TooManyRequests,
    /// 502: the cloud answered with an unexpected failure.
    Cloud,
    /// 503: the cloud is unreachable or rate-limiting us.
    CloudUnavailable,
    /// 503: the database is unreachable.
    DbUnavailable,
    /// 500: a bug or an unexpected failure of ours.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// `body.name`, `query.limit`, `path.id`, `body.rules.0.ether_type`.
    pub field: String,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, kind: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            kind: kind.into(),
            message: message.into(),
        }
    }
}

pub struct AppError {
    pub kind: ErrorKind,
    pub code: Cow<'static, str>,
    pub message: String,
    pub field_errors: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl AppError {
    pub fn new(kind: ErrorKind, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.into(),
            message: message.into(),
            field_errors: Vec::new(),
            retry_after_secs: None,
            source: None,
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(ErrorKind::Validation, "VALIDATION_FAILED", "Validation Failed");
        e.field_errors = errors;
        e
    }

    pub fn invalid_field(field: impl Into<String>, kind: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, kind, message)])
    }

    pub fn bad_request(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, code, message)
    }

    pub fn unauthorized(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, code, message)
    }

    pub fn forbidden(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, message)
    }

    pub fn not_found(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, message)
    }

    pub fn conflict(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    /// An update matched no row because someone else changed it first.
    pub fn version_conflict(resource: &str) -> Self {
        Self::conflict(
            "OPTIMISTIC_LOCK_CONFLICT",
            format!("the {resource} was changed by another request; reload it and try again"),
        )
    }

    pub fn precondition_failed(current_version: i64) -> Self {
        Self::new(
            ErrorKind::PreconditionFailed,
            "PRECONDITION_FAILED",
            format!("If-Match does not name the current version ({current_version})"),
        )
    }

    pub fn too_many_requests(
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
        retry_after_secs: u64,
    ) -> Self {
        let mut e = Self::new(ErrorKind::TooManyRequests, code, message);
        e.retry_after_secs = Some(retry_after_secs);
        e
    }

    pub fn cloud(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Cloud, "CLOUD_ERROR", message)
    }

    pub fn cloud_unavailable(message: impl Into<String>, retry_after_secs: u64) -> Self {
        let mut e = Self::new(ErrorKind::CloudUnavailable, "CLOUD_UNAVAILABLE", message);
        e.retry_after_secs = Some(retry_after_secs);
        e
    }

    pub fn db_unavailable() -> Self {
        let mut e = Self::new(
            ErrorKind::DbUnavailable,
            "DB_UNAVAILABLE",
            "the database is unavailable; try again shortly",
        );
        e.retry_after_secs = Some(2);
        e
    }

    pub fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::new(ErrorKind::Internal, "INTERNAL_ERROR", "internal error").with_source(source)
    }

    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    pub fn is(&self, code: &str) -> bool {
        self.code == code
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Prints the whole cause chain, so a log line shows why, not only what.
impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let mut cause: Option<&(dyn std::error::Error + 'static)> = self.source.as_deref().map(|s| s as _);
        while let Some(c) = cause {
            write!(f, "\n  caused by: {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as _)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::infrastructure::db::is_connectivity_error(&e) {
            AppError::db_unavailable().with_source(e)
        } else if crate::infrastructure::db::is_lock_conflict(&e) {
            AppError::conflict(
                "OPTIMISTIC_LOCK_CONFLICT",
                "another request changed the same rows at the same moment; try again",
            )
            .with_source(e)
        } else {
            AppError::internal(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_the_cause_chain() {
        let io = std::io::Error::other("disk on fire");
        let e = AppError::internal(io);
        assert_eq!(
            format!("{e:?}"),
            "INTERNAL_ERROR: internal error\n  caused by: disk on fire"
        );
    }

    #[test]
    fn validation_error_carries_field_paths() {
        let e = AppError::invalid_field("body.name", "length", "must be 1..15 characters");
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.code, "VALIDATION_FAILED");
        assert_eq!(e.field_errors[0].field, "body.name");
    }
}
