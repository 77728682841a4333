//! The batch server's passes as an admin reads them (`GET /admin/reconcile-runs`).

use serde_json::Value;

use super::http::expect_json;
use crate::stack::client;

#[derive(Debug, Clone)]
pub struct Run {
    pub id: i64,
    pub job: String,
    pub outcome: String,
    pub error_message: Option<String>,
}

/// Every recorded pass of `job`, newest first.
pub async fn runs(api_url: &str, admin_token: &str, job: &str) -> Vec<Run> {
    let url = format!("{api_url}/admin/reconcile-runs?job={job}&limit=1000");
    let body = expect_json(client().get(&url).bearer_auth(admin_token), 200, &url).await;
    body["reconcile_runs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r: &Value| Run {
            id: r["id"].as_i64().unwrap_or_default(),
            job: r["job"].as_str().unwrap_or_default().to_owned(),
            outcome: r["outcome"].as_str().unwrap_or_default().to_owned(),
            error_message: r["error_message"].as_str().map(str::to_owned),
        })
        .collect()
}

/// The newest run id of any job (0 when none ran yet): runs with a larger id
/// started later.
pub async fn latest_id(api_url: &str, admin_token: &str) -> i64 {
    let url = format!("{api_url}/admin/reconcile-runs?limit=1");
    let body = expect_json(client().get(&url).bearer_auth(admin_token), 200, &url).await;
    body["reconcile_runs"][0]["id"].as_i64().unwrap_or(0)
}

/// Finished runs of `job` that started after run `after`.
pub async fn finished_since(api_url: &str, admin_token: &str, job: &str, after: i64) -> Vec<Run> {
    runs(api_url, admin_token, job)
        .await
        .into_iter()
        .filter(|r| r.id > after && r.outcome != "running")
        .collect()
}
