//! One global request id per logical operation, sent as
//! `X-OpenStack-Request-ID` on every call made inside it, so a whole
//! operation can be found across services' logs.

use std::future::Future;

tokio::task_local! {
    static OPERATION_ID: String;
}

/// Runs `future` with every cloud call inside it carrying `req-<id>`.
/// `id` must be a UUID (our request id); anything else gets a fresh one,
/// because the services drop ids not shaped `req-<lowercase uuid>`.
pub async fn with_operation_id<F: Future>(id: &str, future: F) -> F::Output {
    let uuid = uuid::Uuid::parse_str(id.trim_start_matches("req-")).unwrap_or_else(|_| uuid::Uuid::new_v4());
    OPERATION_ID.scope(format!("req-{}", uuid.hyphenated()), future).await
}

/// The id for the current call: the operation's, else a fresh one.
pub(crate) fn current_request_id() -> String {
    OPERATION_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| format!("req-{}", uuid::Uuid::new_v4()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_inside_an_operation_share_its_id() {
        let id = "0f8e6a4e-3f4b-4c55-9d0a-6f1e2f3a4b5c";
        let (a, b) = with_operation_id(id, async { (current_request_id(), current_request_id()) }).await;
        assert_eq!(a, format!("req-{id}"));
        assert_eq!(a, b);
        assert_ne!(current_request_id(), current_request_id());
    }

    #[tokio::test]
    async fn ids_in_the_wrong_shape_are_replaced() {
        let id = with_operation_id("Not A UUID", async { current_request_id() }).await;
        assert!(id.starts_with("req-"));
        assert!(uuid::Uuid::parse_str(id.trim_start_matches("req-")).is_ok());
        let upper = with_operation_id("0F8E6A4E-3F4B-4C55-9D0A-6F1E2F3A4B5C", async { current_request_id() }).await;
        assert_eq!(upper, "req-0f8e6a4e-3f4b-4c55-9d0a-6f1e2f3a4b5c");
    }
}
