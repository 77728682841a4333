//! Steady traffic over the public API while something breaks: workers
//! alternately list servers and create a volume, recording every answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use tokio::task::JoinSet;

use super::tenant::Tenant;

#[derive(Debug, Clone)]
pub struct Sample {
    pub sent: Instant,
    pub took: Duration,
    pub what: &'static str,
    /// None when no answer came (connection failed or cut).
    pub status: Option<u16>,
    pub code: String,
    pub request_id: String,
    pub retry_after: bool,
    /// The `id` of the answer's body (the created volume).
    pub id: Option<i64>,
}

impl Sample {
    pub fn answered_at(&self) -> Instant {
        self.sent + self.took
    }

    pub fn is_success(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// 503 `DB_UNAVAILABLE` in the agreed error shape, with `Retry-After`.
    pub fn is_db_unavailable(&self) -> bool {
        self.status == Some(503) && self.code == "DB_UNAVAILABLE" && !self.request_id.is_empty() && self.retry_after
    }
}

pub struct Load {
    stop: Arc<AtomicBool>,
    tasks: JoinSet<Vec<Sample>>,
}

impl Load {
    pub fn start(tenant: &Tenant, workers: usize, prefix: &str) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = JoinSet::new();
        for w in 0..workers {
            let (tenant, stop, prefix) = (tenant.clone(), stop.clone(), prefix.to_owned());
            tasks.spawn(async move {
                let mut samples = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let sample = if i % 2 == 0 {
                        probe("list servers", tenant.request(Method::GET, "/servers?limit=10")).await
                    } else {
                        let body = tenant.volume_body(&format!("{prefix}-{w}-{i}"));
                        probe("create volume", tenant.request(Method::POST, "/volumes").json(&body)).await
                    };
                    samples.push(sample);
                    i += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                samples
            });
        }
        Load { stop, tasks }
    }

    pub async fn finish(mut self) -> Vec<Sample> {
        self.stop.store(true, Ordering::SeqCst);
        let mut all = Vec::new();
        while let Some(done) = self.tasks.join_next().await {
            all.extend(done.unwrap_or_else(|e| panic!("a load worker failed: {e}")));
        }
        all.sort_by_key(|s| s.sent);
        all
    }
}

/// Sends one request and records how it was answered.
pub async fn probe(what: &'static str, request: reqwest::RequestBuilder) -> Sample {
    let sent = Instant::now();
    let (status, code, request_id, retry_after, id) = match request.send().await {
        Err(_) => (None, String::new(), String::new(), false, None),
        Ok(res) => {
            let status = res.status().as_u16();
            let retry_after = res.headers().contains_key("retry-after");
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (
                Some(status),
                body["code"].as_str().unwrap_or_default().to_owned(),
                body["request_id"].as_str().unwrap_or_default().to_owned(),
                retry_after,
                body["id"].as_i64(),
            )
        }
    };
    Sample {
        sent,
        took: sent.elapsed(),
        what,
        status,
        code,
        request_id,
        retry_after,
        id,
    }
}
