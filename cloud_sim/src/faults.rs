//! Request-level fault injection: errors, latency, lost responses, rate limiting, identity outages.
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::http::error::ApiError;
use crate::http::route::Service;
use crate::server::{Shared, lock};
use crate::state::rng::SimRng;

fn one() -> f64 {
    1.0
}

fn default_retry_after() -> u64 {
    1
}

/// One rule. Unset filters match everything; `count` limits how many requests it hits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub id: u64,
    /// `identity`, `compute`, `network`, `block-storage`, `image` (both clouds), `nhn-compute` etc. (NHN only), `*`.
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path_contains: Option<String>,
    #[serde(default = "one")]
    pub probability: f64,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(flatten)]
    pub action: FaultAction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer with this status (in the service's error envelope) without touching state.
    Error {
        status: u16,
        #[serde(default)]
        message: Option<String>,
    },
    /// Delay the response; the request is served normally.
    Latency { ms: u64 },
    /// Apply the request, then lose the answer.
    LoseResponse {
        #[serde(default)]
        mode: LostMode,
        #[serde(default)]
        delay_ms: u64,
    },
    /// 429 with `Retry-After` (and `X-RateLimit-*`), state untouched.
    RateLimit {
        #[serde(default = "default_retry_after")]
        retry_after_secs: u64,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LostMode {
    /// 504 Gateway Timeout, as a load balancer in front of the API would answer.
    #[default]
    GatewayTimeout,
    /// The connection is aborted while the response is being written.
    Reset,
}

impl FaultRule {
    pub fn new(action: FaultAction) -> Self {
        FaultRule {
            id: 0,
            service: None,
            method: None,
            path_contains: None,
            probability: 1.0,
            count: None,
            action,
        }
    }

    pub fn service(mut self, service: &str) -> Self {
        self.service = Some(service.to_string());
        self
    }

    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_string());
        self
    }

    pub fn path_contains(mut self, fragment: &str) -> Self {
        self.path_contains = Some(fragment.to_string());
        self
    }

    pub fn probability(mut self, p: f64) -> Self {
        self.probability = p;
        self
    }

    pub fn count(mut self, n: u32) -> Self {
        self.count = Some(n);
        self
    }

    fn matches(&self, service: Service, method: &str, path: &str) -> bool {
        self.service.as_deref().is_none_or(|s| service.matches_target(s))
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path_contains.as_deref().is_none_or(|p| path.contains(p))
    }
}

pub enum Outcome {
    Error(ApiError),
    Lose { mode: LostMode, delay_ms: u64 },
}

pub struct Decision {
    pub latency_ms: u64,
    pub outcome: Option<Outcome>,
}

pub struct FaultState {
    rules: Vec<FaultRule>,
    next_id: u64,
    rng: SimRng,
    pub injected: u64,
}

impl FaultState {
    pub fn new(seed: u64) -> Self {
        FaultState {
            rules: Vec::new(),
            next_id: 1,
            rng: SimRng::new(seed),
            injected: 0,
        }
    }

    pub fn add(&mut self, mut rule: FaultRule) -> u64 {
        rule.id = self.next_id;
        self.next_id += 1;
        let id = rule.id;
        self.rules.push(rule);
        id
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.clone()
    }

    pub fn decide(&mut self, service: Service, method: &str, path: &str) -> Decision {
        let mut decision = Decision {
            latency_ms: 0,
            outcome: None,
        };
        let mut exhausted = Vec::new();
        for rule in self.rules.iter_mut() {
            if !rule.matches(service, method, path) {
                continue;
            }
            let is_latency = matches!(rule.action, FaultAction::Latency { .. });
            if !is_latency && decision.outcome.is_some() {
                continue;
            }
            if !self.rng.chance(rule.probability) {
                continue;
            }
            if let Some(n) = rule.count.as_mut() {
                if *n == 0 {
                    continue;
                }
                *n -= 1;
                if *n == 0 {
                    exhausted.push(rule.id);
                }
            }
            self.injected += 1;
            match &rule.action {
                FaultAction::Latency { ms } => decision.latency_ms += ms,
                FaultAction::Error { status, message } => {
                    let msg = message.clone().unwrap_or_else(|| default_message(*status).to_string());
                    decision.outcome = Some(Outcome::Error(ApiError::new(*status, error_kind(*status), &msg)));
                }
                FaultAction::RateLimit { retry_after_secs } => {
                    let secs = retry_after_secs.to_string();
                    let err = ApiError::new(429, "OverLimit", "Too Many Requests")
                        .with_header("Retry-After", &secs)
                        .with_header("X-RateLimit-Limit", "10")
                        .with_header("X-RateLimit-Remaining", "0")
                        .with_header("X-RateLimit-Reset", &secs);
                    decision.outcome = Some(Outcome::Error(err));
                }
                FaultAction::LoseResponse { mode, delay_ms } => {
                    decision.outcome = Some(Outcome::Lose {
                        mode: *mode,
                        delay_ms: *delay_ms,
                    });
                }
            }
        }
        self.rules.retain(|r| !exhausted.contains(&r.id));
        decision
    }
}

fn error_kind(status: u16) -> &'static str {
    match status {
        401 => "Unauthorized",
        429 => "OverLimit",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "HTTPInternalServerError",
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        401 => "The request you have made requires authentication.",
        503 => "The server is currently unavailable. Please try again at a later time.",
        504 => "The server did not answer in time.",
        _ => "Request Failed: internal server error while processing your request.",
    }
}

/// Handle to the fault controls of a running simulator.
#[derive(Clone)]
pub struct Faults {
    pub(crate) shared: Arc<Shared>,
}

impl Faults {
    pub fn add(&self, rule: FaultRule) -> u64 {
        lock(&self.shared.faults).add(rule)
    }

    pub fn remove(&self, id: u64) -> bool {
        lock(&self.shared.faults).remove(id)
    }

    /// Removes every rule and every transition fault.
    pub fn clear(&self) {
        lock(&self.shared.faults).clear();
        lock(&self.shared.state).transition_faults = Default::default();
    }

    pub fn rules(&self) -> Vec<FaultRule> {
        lock(&self.shared.faults).rules()
    }

    /// How many requests a rule has hit so far.
    pub fn injected(&self) -> u64 {
        lock(&self.shared.faults).injected
    }

    /// A share (`0.0..=1.0`) of the service's requests answers `status` (500, 503, ...).
    pub fn error_rate(&self, service: &str, probability: f64, status: u16) -> u64 {
        self.add(
            FaultRule::new(FaultAction::Error { status, message: None })
                .service(service)
                .probability(probability),
        )
    }

    pub fn latency(&self, service: &str, ms: u64) -> u64 {
        self.add(FaultRule::new(FaultAction::Latency { ms }).service(service))
    }

    /// The next `count` matching requests are applied but answered with a 504.
    pub fn lose_responses(&self, service: &str, method: &str, path_contains: &str, count: u32) -> u64 {
        self.add(
            FaultRule::new(FaultAction::LoseResponse {
                mode: LostMode::GatewayTimeout,
                delay_ms: 0,
            })
            .service(service)
            .method(method)
            .path_contains(path_contains)
            .count(count),
        )
    }

    /// Keystone and NHN identity answer `status` (401 or 503) to everything.
    pub fn auth_outage(&self, status: u16) -> u64 {
        self.add(FaultRule::new(FaultAction::Error { status, message: None }).service("identity"))
    }

    pub fn rate_limit(&self, service: &str, retry_after_secs: u64, count: Option<u32>) -> u64 {
        let mut rule = FaultRule::new(FaultAction::RateLimit { retry_after_secs }).service(service);
        rule.count = count;
        self.add(rule)
    }

    /// Transitions of `kind` (`server.create`, `volume.attach`, ...) stop progressing until cleared.
    pub fn stick_transitions(&self, kind: &str) {
        lock(&self.shared.state)
            .transition_faults
            .stuck
            .insert(kind.to_string());
    }

    pub fn unstick_transitions(&self, kind: &str) {
        lock(&self.shared.state).transition_faults.stuck.remove(kind);
    }

    /// The next `count` transitions of `kind` end in the error state (server ERROR + fault, volume error, ...).
    pub fn fail_transitions(&self, kind: &str, count: u32) {
        lock(&self.shared.state)
            .transition_faults
            .fail
            .insert(kind.to_string(), count);
    }
}
