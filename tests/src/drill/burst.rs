//! A burst of concurrent creates over the public API, every answer (or the
//! lack of one) recorded.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::tenant::Tenant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Server,
    Volume,
}

impl Kind {
    pub fn path(self) -> &'static str {
        match self {
            Kind::Server => "/servers",
            Kind::Volume => "/volumes",
        }
    }

    pub fn table(self) -> &'static str {
        match self {
            Kind::Server => "server",
            Kind::Volume => "volume",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Create {
    pub kind: Kind,
    pub name: String,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Answer {
    /// The API answered; `id` is the resource's when the body names one.
    Status { status: u16, id: Option<i64>, code: String },
    /// The connection failed or was cut before an answer.
    NoAnswer(String),
}

impl Answer {
    /// The resource id of a 2xx answer.
    pub fn accepted_id(&self) -> Option<i64> {
        match self {
            Answer::Status { status, id, .. } if (200..300).contains(status) => *id,
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub create: Create,
    pub answer: Answer,
}

/// `n` creates named `{prefix}-{i}`: servers and volumes alternately, every
/// third one with an `Idempotency-Key`.
pub fn plan(n: usize, prefix: &str) -> Vec<Create> {
    (0..n)
        .map(|i| Create {
            kind: if i % 2 == 0 { Kind::Server } else { Kind::Volume },
            name: format!("{prefix}-{i}"),
            idempotency_key: (i % 3 == 0).then(|| format!("{prefix}-key-{i}")),
        })
        .collect()
}

pub async fn send(tenant: &Tenant, create: &Create) -> Answer {
    let body = match create.kind {
        Kind::Server => tenant.server_body(&create.name),
        Kind::Volume => tenant.volume_body(&create.name),
    };
    let mut request = tenant.request(Method::POST, create.kind.path()).json(&body);
    if let Some(key) = &create.idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    match request.send().await {
        Err(e) => Answer::NoAnswer(e.to_string()),
        Ok(res) => {
            let status = res.status().as_u16();
            match res.json::<Value>().await {
                Ok(body) => Answer::Status {
                    status,
                    id: body["id"].as_i64(),
                    code: body["code"].as_str().unwrap_or_default().to_owned(),
                },
                Err(e) => Answer::NoAnswer(format!("answer {status} cut short: {e}")),
            }
        }
    }
}

/// Creates sent with at most `in_flight` at once, in the background.
pub struct Burst {
    tasks: JoinSet<Attempt>,
    accepted: Arc<AtomicUsize>,
}

impl Burst {
    pub fn start(tenant: &Tenant, creates: Vec<Create>, in_flight: usize) -> Burst {
        let permits = Arc::new(Semaphore::new(in_flight.max(1)));
        let accepted = Arc::new(AtomicUsize::new(0));
        let mut tasks = JoinSet::new();
        for create in creates {
            let (tenant, permits, accepted) = (tenant.clone(), permits.clone(), accepted.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let answer = send(&tenant, &create).await;
                if answer.accepted_id().is_some() {
                    accepted.fetch_add(1, Ordering::SeqCst);
                }
                Attempt { create, answer }
            });
        }
        Burst { tasks, accepted }
    }

    /// 2xx answers so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Every attempt, in the order of the plan.
    pub async fn finish(mut self) -> Vec<Attempt> {
        let mut attempts = Vec::new();
        while let Some(done) = self.tasks.join_next().await {
            attempts.push(done.unwrap_or_else(|e| panic!("a create task failed: {e}")));
        }
        attempts.sort_by_key(|a| order_of(&a.create.name));
        attempts
    }
}

fn order_of(name: &str) -> usize {
    name.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// `202:12 503/CLOUD_UNAVAILABLE:3 none:5`: how the attempts were answered.
pub fn tally(attempts: &[Attempt]) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for a in attempts {
        let key = match &a.answer {
            Answer::Status { status, code, .. } if code.is_empty() => status.to_string(),
            Answer::Status { status, code, .. } => format!("{status}/{code}"),
            Answer::NoAnswer(_) => "none".to_owned(),
        };
        *counts.entry(key).or_default() += 1;
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k}:{n}"))
        .collect::<Vec<_>>()
        .join(",")
}
