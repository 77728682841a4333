//! The one HTTP call path every adapter goes through: call rate (when the
//! client has one), concurrency limit, per-attempt timeout, retries with
//! backoff, tracing span, error mapping.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use reqwest::{Certificate, Client, Method};
use serde_json::Value;
use tokio::sync::Semaphore;
use tracing::Instrument;
use tracing::field::Empty;

use super::backoff::backoff_delay;
use super::error::{CloudError, CloudResult, CloudService, ErrorDetail, Outcome};
use super::fault::{classify, request_id, retry_after};
use super::rate::CallRate;
use super::settings::HttpSettings;

/// Installs the ring crypto provider for rustls. Call once before the first
/// client is built (the adapters call it too; repeated calls are harmless).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Whether a call may be repeated without changing the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    Idempotent,
    NotIdempotent,
}

/// One logical call (all attempts share it).
pub(crate) struct HttpCall<'a> {
    pub service: CloudService,
    pub method: Method,
    /// Path with placeholders (`/servers/{id}`), for logs and spans.
    pub path_template: &'static str,
    pub url: String,
    pub query: &'a [(String, String)],
    pub headers: HeaderMap,
    pub body: Option<&'a Value>,
    pub idempotency: Idempotency,
}

impl HttpCall<'_> {
    fn mutating(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD)
    }
}

/// A response with a success status.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub(crate) struct HttpCore {
    client: Client,
    limit: Arc<Semaphore>,
    /// Shared by every call of this client; `Retry-After` pauses it.
    rate: Option<Arc<CallRate>>,
    settings: HttpSettings,
    provider: &'static str,
}

struct AttemptFailure {
    error: CloudError,
    retry_after: Option<Duration>,
    /// Refused before sending: the cloud's pause outlasts what a call may wait.
    held_back: bool,
}

impl HttpCore {
    pub fn new(provider: &'static str, settings: HttpSettings, rate: Option<Arc<CallRate>>) -> CloudResult<Self> {
        install_crypto_provider();
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let setup_error = |what: &str, e: reqwest::Error| {
            CloudError::InvalidResponse(ErrorDetail::local(CloudService::Identity, format!("{what}: {e}")))
        };
        let mut builder = Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .default_headers(headers);
        for pem in &settings.ca_certificates_pem {
            let certs =
                Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| setup_error("reading a CA certificate", e))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| setup_error("building the HTTP client", e))?;
        Ok(HttpCore {
            client,
            limit: Arc::new(Semaphore::new(settings.max_concurrency.max(1))),
            rate,
            settings,
            provider,
        })
    }

    /// Sends the call, retrying throttled answers always and transient failures
    /// only for idempotent calls.
    pub async fn send(&self, call: &HttpCall<'_>) -> CloudResult<RawResponse> {
        let policy = self.settings.retry;
        let mut attempt: u32 = 1;
        loop {
            let failure = match self.attempt(call, attempt).await {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            let paused = self.pause_on_retry_after(&failure);
            if failure.held_back || attempt >= policy.max_attempts.max(1) {
                return Err(failure.error);
            }
            let delay = match &failure.error {
                // A throttled request was refused before it was processed, so
                // repeating it is safe even for creates.
                CloudError::RateLimited { .. } => {
                    failure.retry_after.unwrap_or_else(|| backoff_delay(&policy, attempt))
                }
                CloudError::Unavailable { .. } if call.idempotency == Idempotency::Idempotent => {
                    failure.retry_after.unwrap_or_else(|| backoff_delay(&policy, attempt))
                }
                // Nothing left the process: safe for any call.
                CloudError::Unavailable {
                    outcome: Outcome::Definite,
                    detail,
                } if detail.status.is_none() => backoff_delay(&policy, attempt),
                _ => return Err(failure.error),
            };
            if delay > policy.max_retry_after {
                return Err(failure.error);
            }
            tracing::debug!(
                service = call.service.as_str(),
                path = call.path_template,
                attempt,
                delay_ms = delay.as_millis() as u64,
                error = failure.error.kind(),
                "retrying cloud call"
            );
            if !paused {
                tokio::time::sleep(delay).await;
            }
            attempt += 1;
        }
    }

    /// A throttled or unavailable answer with `Retry-After` pauses every call
    /// through this client's rate; true when it did (the next attempt then
    /// waits in [`CallRate::acquire`]).
    fn pause_on_retry_after(&self, failure: &AttemptFailure) -> bool {
        let (Some(rate), Some(after)) = (&self.rate, failure.retry_after) else {
            return false;
        };
        if !matches!(
            failure.error,
            CloudError::RateLimited { .. } | CloudError::Unavailable { .. }
        ) {
            return false;
        }
        tracing::info!(
            provider = self.provider,
            retry_after_ms = after.as_millis() as u64,
            "cloud asked to wait; pausing its calls"
        );
        rate.pause(after);
        true
    }

    async fn attempt(&self, call: &HttpCall<'_>, attempt: u32) -> Result<RawResponse, AttemptFailure> {
        let span = tracing::info_span!(
            "cloud_call",
            provider = self.provider,
            service = call.service.as_str(),
            method = %call.method,
            path = call.path_template,
            attempt,
            status = Empty,
            duration_ms = Empty,
            request_id = Empty,
        );
        async {
            if let Some(rate) = &self.rate
                && let Err(wait) = rate.acquire(self.settings.retry.max_retry_after).await
            {
                return Err(AttemptFailure {
                    error: CloudError::RateLimited {
                        retry_after: Some(wait),
                        detail: ErrorDetail::local(call.service, "the cloud asked to wait; call not sent"),
                    },
                    retry_after: None,
                    held_back: true,
                });
            }
            let _permit = self.limit.acquire().await.map_err(|_| AttemptFailure {
                error: CloudError::Unavailable {
                    outcome: Outcome::Definite,
                    detail: ErrorDetail::local(call.service, "client is shutting down"),
                },
                retry_after: None,
                held_back: false,
            })?;
            let started = Instant::now();
            let mut request = self
                .client
                .request(call.method.clone(), &call.url)
                .headers(call.headers.clone());
            if !call.query.is_empty() {
                request = request.query(call.query);
            }
            if let Some(body) = call.body {
                request = request.json(body);
            }
            let result = async {
                let response = request.send().await?;
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response.bytes().await?.to_vec();
                Ok::<_, reqwest::Error>((status, headers, body))
            }
            .await;
            let span = tracing::Span::current();
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            match result {
                Ok((status, headers, body)) => {
                    span.record("status", status);
                    if let Some(id) = request_id(&headers) {
                        span.record("request_id", id.as_str());
                    }
                    if (200..300).contains(&status) {
                        tracing::debug!("cloud call succeeded");
                        return Ok(RawResponse { headers, body });
                    }
                    let error = classify(call.service, status, &headers, &body, call.mutating());
                    tracing::warn!(error = error.kind(), message = %error.message(), "cloud call failed");
                    let retry_after = retry_after(&headers, &body, Utc::now());
                    Err(AttemptFailure {
                        error,
                        retry_after,
                        held_back: false,
                    })
                }
                Err(e) => {
                    let error = transport_error(call, &e);
                    tracing::warn!(error = error.kind(), message = %error.message(), "cloud call failed");
                    Err(AttemptFailure {
                        error,
                        retry_after: None,
                        held_back: false,
                    })
                }
            }
        }
        .instrument(span)
        .await
    }
}

/// Connect failures never reached the cloud; anything later might have.
fn transport_error(call: &HttpCall<'_>, e: &reqwest::Error) -> CloudError {
    let outcome = if call.mutating() && !e.is_connect() {
        Outcome::Unknown
    } else {
        Outcome::Definite
    };
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "connection lost"
    };
    CloudError::Unavailable {
        outcome,
        detail: ErrorDetail::local(call.service, format!("{what}: {}", error_chain(e))),
    }
}

fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
