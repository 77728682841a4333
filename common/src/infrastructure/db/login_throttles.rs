//! The `login_throttle` table: failed logins per subject (`account:<id>`,
//! `ip:<addr>`) in a window, shared by every replica.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use crate::error::AppResult;

/// The latest `locked_until` still in the future among the subjects.
pub async fn locked_until(pool: &MySqlPool, subjects: &[&str]) -> AppResult<Option<DateTime<Utc>>> {
    let mut latest = None;
    for subject in subjects {
        let until: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(
            "SELECT locked_until FROM login_throttle WHERE subject = ? AND locked_until > UTC_TIMESTAMP(6)",
        )
        .bind(*subject)
        .fetch_optional(pool)
        .await?;
        latest = latest.max(until.flatten());
    }
    Ok(latest)
}

#[derive(Debug, Clone)]
pub struct FailurePolicy {
    pub window_secs: u64,
    pub max_failures: u32,
    pub lockout_secs: u64,
}

/// Counts one failure (restarting the count when the window has passed) and
/// locks the subject once it reaches the maximum.
pub async fn record_failure(pool: &MySqlPool, subject: &str, policy: &FailurePolicy) -> AppResult<()> {
    // Assignments run left to right and see the columns already assigned:
    // `failures` is computed from the old window, `locked_until` from the new count.
    sqlx::query(
        "INSERT INTO login_throttle (subject, failures, window_started_at, locked_until)
         VALUES (?, 1, UTC_TIMESTAMP(6), NULL)
         ON DUPLICATE KEY UPDATE
           failures = IF(window_started_at < TIMESTAMPADD(SECOND, -?, UTC_TIMESTAMP(6)), 1, failures + 1),
           window_started_at = IF(failures = 1, UTC_TIMESTAMP(6), window_started_at),
           locked_until = IF(failures >= ?, TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP(6)), locked_until)",
    )
    .bind(subject)
    .bind(policy.window_secs as i64)
    .bind(i64::from(policy.max_failures))
    .bind(policy.lockout_secs as i64)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn clear(pool: &MySqlPool, subject: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM login_throttle WHERE subject = ?")
        .bind(subject)
        .execute(pool)
        .await?;
    Ok(())
}
