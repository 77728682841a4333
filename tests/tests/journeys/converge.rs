//! Waiting on the API for what the batch server makes true.

use e2e::api::Api;
use e2e::wait::{CONVERGE, until};
use serde_json::Value;

/// Polls `GET path` until `settled` holds for its body; the body.
pub async fn get_until(api: &Api, path: &str, what: &str, settled: impl Fn(&Value) -> bool) -> Value {
    until(what, CONVERGE, || async {
        let reply = api.get(path).await;
        if reply.status == 200 && settled(&reply.body) {
            Ok(reply.body)
        } else {
            Err(format!("{} {}", reply.status, reply.body))
        }
    })
    .await
}

/// Polls `GET path` until it answers 404 with `code`.
pub async fn gone(api: &Api, path: &str, code: &str) {
    until(&format!("{path} gone"), CONVERGE, || async {
        let reply = api.get(path).await;
        if reply.status == 404 && reply.body["code"] == code {
            Ok(())
        } else {
            Err(format!("{} {}", reply.status, reply.body))
        }
    })
    .await
}
