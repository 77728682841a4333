//! Wrapped around every route, outermost first: request id, observation
//! (log line and metrics), idempotency.

pub mod idempotency;
pub mod observe;
pub mod request_id;
