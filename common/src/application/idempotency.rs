//! `Idempotency-Key`: the first request with a key claims it and its
//! response is stored; a repeat with the same body gets that response back
//! and runs nothing; a different body is refused. A repeat that arrives
//! while the first is still running waits for it.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::MySqlPool;

use crate::error::{AppError, AppResult, FieldError};
use crate::infrastructure::db::idempotency_keys::{self, Claim};

pub const HEADER: &str = "Idempotency-Key";
/// Stored responses are kept this long; the key can be reused afterwards.
pub const KEEP_FOR: Duration = Duration::from_secs(24 * 3600);
/// A claim still `in_progress` after this long belongs to a process that
/// died mid-request (no request runs this long: every cloud call has a
/// timeout), so a retry may claim the key again instead of waiting for an
/// answer that will never come.
pub const ABANDONED_AFTER: Duration = Duration::from_secs(5 * 60);
const WAIT_FOR_FIRST: Duration = Duration::from_secs(15);
const POLL_EVERY: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1..255 visible ASCII characters.
    pub fn parse(raw: &str) -> AppResult<Self> {
        if (1..=255).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(AppError::validation(vec![FieldError::new(
                "header.Idempotency-Key",
                "value_error",
                "must be 1 to 255 visible ASCII characters",
            )]))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the request under a key is.
pub struct Scope<'a> {
    /// 0 for requests without a user (sign-up).
    pub user_id: i64,
    pub key: &'a IdempotencyKey,
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
}

#[derive(Debug, PartialEq, Eq)]
pub enum Claimed {
    /// Run the request, then [`complete`] or [`release`].
    First,
    /// Answer this instead of running the request.
    Replay { status: u16, body: Vec<u8> },
}

fn request_hash(scope: &Scope<'_>) -> String {
    let mut h = Sha256::new();
    h.update(scope.method.as_bytes());
    h.update([0]);
    h.update(scope.path.as_bytes());
    h.update([0]);
    h.update(scope.body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn claim(pool: &MySqlPool, scope: &Scope<'_>) -> AppResult<Claimed> {
    let hash = request_hash(scope);
    let claim = Claim {
        user_id: scope.user_id,
        key: scope.key.as_str(),
        method: scope.method,
        path: scope.path,
        request_hash: &hash,
        ttl_secs: KEEP_FOR.as_secs(),
        abandoned_after_secs: ABANDONED_AFTER.as_secs(),
    };
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        if idempotency_keys::try_claim(pool, &claim).await? {
            return Ok(Claimed::First);
        }
        match idempotency_keys::find(pool, scope.user_id, scope.key.as_str()).await? {
            // Released by a failed first request between our two statements.
            None => continue,
            Some(stored) if stored.request_hash != hash => {
                return Err(AppError::new(
                    crate::error::ErrorKind::Validation,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used with another request",
                ));
            }
            Some(stored) if stored.state == "completed" => {
                return Ok(Claimed::Replay {
                    status: stored.response_status.unwrap_or(200) as u16,
                    body: stored.response_body.unwrap_or_default(),
                });
            }
            Some(_) if tokio::time::Instant::now() >= deadline => {
                let mut e = AppError::conflict(
                    "IDEMPOTENCY_KEY_IN_PROGRESS",
                    "a request with this Idempotency-Key is still running",
                );
                e.retry_after_secs = Some(1);
                return Err(e);
            }
            Some(_) => tokio::time::sleep(POLL_EVERY).await,
        }
    }
}

/// Stores the response of the first request for replay.
pub async fn complete(pool: &MySqlPool, scope: &Scope<'_>, status: u16, body: &[u8]) -> AppResult<()> {
    idempotency_keys::complete(pool, scope.user_id, scope.key.as_str(), status, body).await
}

/// Frees the key after a response that must not be replayed (errors), so
/// that a retry runs the request again.
pub async fn release(pool: &MySqlPool, scope: &Scope<'_>) -> AppResult<()> {
    idempotency_keys::release(pool, scope.user_id, scope.key.as_str()).await
}
