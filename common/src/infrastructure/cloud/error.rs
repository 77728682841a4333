//! Typed cloud errors and the "definite failure" / "unknown outcome" split.

use std::fmt;
use std::time::Duration;

/// Result of every cloud call.
pub type CloudResult<T> = Result<T, CloudError>;

/// Which cloud service answered (or failed to answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloudService {
    Identity,
    Compute,
    Network,
    BlockStorage,
    Image,
}

impl CloudService {
    pub fn as_str(self) -> &'static str {
        match self {
            CloudService::Identity => "identity",
            CloudService::Compute => "compute",
            CloudService::Network => "network",
            CloudService::BlockStorage => "block-storage",
            CloudService::Image => "image",
        }
    }
}

impl fmt::Display for CloudService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a failed call may still have changed something in the cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The cloud did not apply the request (it answered with an error, or the
    /// request never left this process). Safe to mark the intent failed.
    Definite,
    /// The request may have been applied (timeout or lost connection after the
    /// request was sent, or a 5xx on a mutating call). Leave the intent for the
    /// reconciler, which finds the resource by its inventory id.
    Unknown,
}

/// What the cloud said about a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub service: CloudService,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// The cloud's message (or ours, when there was no response).
    pub message: String,
    /// Fault name / exception type from the body (`itemNotFound`, `PortNotFound`, ...).
    pub fault: Option<String>,
    /// `x-openstack-request-id` / `x-compute-request-id` of the response.
    pub request_id: Option<String>,
}

impl ErrorDetail {
    pub fn local(service: CloudService, message: impl Into<String>) -> Self {
        ErrorDetail {
            service,
            status: None,
            message: message.into(),
            fault: None,
            request_id: None,
        }
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.service)?;
        if let Some(status) = self.status {
            write!(f, " {status}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Every failure a cloud call can end in.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CloudError {
    #[error("not found: {0}")]
    NotFound(ErrorDetail),
    #[error("conflict: {0}")]
    Conflict(ErrorDetail),
    #[error("bad request: {0}")]
    BadRequest(ErrorDetail),
    #[error("unauthorized: {0}")]
    Unauthorized(ErrorDetail),
    #[error("forbidden: {0}")]
    Forbidden(ErrorDetail),
    #[error("over quota: {0}")]
    OverQuota(ErrorDetail),
    #[error("rate limited (retry after {retry_after:?}): {detail}")]
    RateLimited {
        retry_after: Option<Duration>,
        detail: ErrorDetail,
    },
    /// Timeouts, connection errors and 5xx.
    #[error("unavailable: {detail}")]
    Unavailable { outcome: Outcome, detail: ErrorDetail },
    /// The provider has no such operation (e.g. identity management on NHN Cloud).
    #[error("not supported by {provider}: {operation}")]
    Unsupported {
        provider: &'static str,
        operation: &'static str,
    },
    /// A 2xx answer we could not understand, or a catalog without the service.
    #[error("invalid response: {0}")]
    InvalidResponse(ErrorDetail),
}

impl CloudError {
    /// Definite failure or unknown outcome; only `Unavailable` can be unknown.
    pub fn outcome(&self) -> Outcome {
        match self {
            CloudError::Unavailable { outcome, .. } => *outcome,
            _ => Outcome::Definite,
        }
    }

    pub fn is_outcome_unknown(&self) -> bool {
        self.outcome() == Outcome::Unknown
    }

    pub fn detail(&self) -> Option<&ErrorDetail> {
        match self {
            CloudError::NotFound(d)
            | CloudError::Conflict(d)
            | CloudError::BadRequest(d)
            | CloudError::Unauthorized(d)
            | CloudError::Forbidden(d)
            | CloudError::OverQuota(d)
            | CloudError::InvalidResponse(d) => Some(d),
            CloudError::RateLimited { detail, .. } | CloudError::Unavailable { detail, .. } => Some(detail),
            CloudError::Unsupported { .. } => None,
        }
    }

    /// The cloud's request id, when a response carried one.
    pub fn request_id(&self) -> Option<&str> {
        self.detail().and_then(|d| d.request_id.as_deref())
    }

    /// The cloud's message.
    pub fn message(&self) -> String {
        match self.detail() {
            Some(d) => d.message.clone(),
            None => self.to_string(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, CloudError::NotFound(_))
    }

    /// Name of the variant, for logs and metrics labels.
    pub fn kind(&self) -> &'static str {
        match self {
            CloudError::NotFound(_) => "not_found",
            CloudError::Conflict(_) => "conflict",
            CloudError::BadRequest(_) => "bad_request",
            CloudError::Unauthorized(_) => "unauthorized",
            CloudError::Forbidden(_) => "forbidden",
            CloudError::OverQuota(_) => "over_quota",
            CloudError::RateLimited { .. } => "rate_limited",
            CloudError::Unavailable { .. } => "unavailable",
            CloudError::Unsupported { .. } => "unsupported",
            CloudError::InvalidResponse(_) => "invalid_response",
        }
    }

    pub(crate) fn invalid_response(service: CloudService, message: impl Into<String>) -> Self {
        CloudError::InvalidResponse(ErrorDetail::local(service, message))
    }

    pub(crate) fn bad_request_local(service: CloudService, message: impl Into<String>) -> Self {
        CloudError::BadRequest(ErrorDetail::local(service, message))
    }
}
