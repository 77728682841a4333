//! Small HTTP helpers that fail the drill with the answer in the message.

use reqwest::{RequestBuilder, Response};
use serde_json::Value;

/// Sends `request`; panics naming `what` when nothing answers.
pub async fn send(request: RequestBuilder, what: &str) -> Response {
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{what}: no answer: {e}"))
}

/// Sends `request`, checks the status and returns the JSON body (null for
/// an empty one).
pub async fn expect_json(request: RequestBuilder, status: u16, what: &str) -> Value {
    let res = send(request, what).await;
    let got = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "{what}: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"))
    }
}
