//! Throttling of failed logins per account and per client address, stored
//! in MySQL so every replica sees the same counts.

use std::net::IpAddr;

use chrono::Utc;

use crate::config::{ConfigError, Env};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::login_throttles::{self, FailurePolicy};

#[derive(Debug, Clone)]
pub struct ThrottleSettings {
    pub account: FailurePolicy,
    pub client: FailurePolicy,
}

impl ThrottleSettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let window_secs = env.parsed("LOGIN_THROTTLE_WINDOW_SECS", 300, "a whole number of seconds")?;
        let lockout_secs = env.parsed("LOGIN_THROTTLE_LOCKOUT_SECS", 300, "a whole number of seconds")?;
        Ok(Self {
            account: FailurePolicy {
                window_secs,
                max_failures: env.parsed("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, "a positive whole number")?,
                lockout_secs,
            },
            client: FailurePolicy {
                window_secs,
                max_failures: env.parsed("LOGIN_MAX_FAILURES_PER_IP", 20, "a positive whole number")?,
                lockout_secs,
            },
        })
    }
}

pub struct Subjects {
    account: String,
    client: Option<String>,
}

impl Subjects {
    /// Keyed by the account id as typed, so unknown accounts throttle the
    /// same way as known ones.
    pub fn new(account_id: &str, client: Option<IpAddr>) -> Self {
        Self {
            account: format!("account:{}", account_id.to_lowercase()),
            client: client.map(|ip| format!("ip:{ip}")),
        }
    }

    fn all(&self) -> Vec<&str> {
        std::iter::once(self.account.as_str())
            .chain(self.client.as_deref())
            .collect()
    }
}

fn too_many(retry_after_secs: u64) -> AppError {
    AppError::too_many_requests(
        "TOO_MANY_LOGIN_ATTEMPTS",
        "too many failed logins; try again later",
        retry_after_secs,
    )
}

/// Refuses with 429 while the account or the client is locked.
pub async fn ensure_not_locked(pool: &sqlx::MySqlPool, subjects: &Subjects) -> AppResult<()> {
    match login_throttles::locked_until(pool, &subjects.all()).await? {
        Some(until) => {
            let secs = (until - Utc::now()).num_milliseconds().max(0) as u64;
            Err(too_many(secs.div_ceil(1000).max(1)))
        }
        None => Ok(()),
    }
}

pub async fn record_failure(pool: &sqlx::MySqlPool, settings: &ThrottleSettings, subjects: &Subjects) -> AppResult<()> {
    login_throttles::record_failure(pool, &subjects.account, &settings.account).await?;
    if let Some(client) = &subjects.client {
        login_throttles::record_failure(pool, client, &settings.client).await?;
    }
    Ok(())
}

/// A successful login forgives the account's failures (not the client's).
pub async fn record_success(pool: &sqlx::MySqlPool, subjects: &Subjects) -> AppResult<()> {
    login_throttles::clear(pool, &subjects.account).await
}
