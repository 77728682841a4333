//! Removal of rows whose useful life is over. Audit events are never purged.

use std::time::Duration;

use sqlx::MySqlPool;

use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    pub idempotency_keys: u64,
    pub token_revocations: u64,
    pub login_throttles: u64,
    pub reconcile_requests: u64,
}

impl Purged {
    pub fn total(&self) -> u64 {
        self.idempotency_keys + self.token_revocations + self.login_throttles + self.reconcile_requests
    }
}

/// Deletes in bounded batches so a large backlog never holds long locks.
pub async fn purge_expired(pool: &MySqlPool, throttle_window: Duration, batch: u32) -> AppResult<Purged> {
    let window_secs = i64::try_from(throttle_window.as_secs()).unwrap_or(i64::MAX);
    Ok(Purged {
        idempotency_keys: sqlx::query("DELETE FROM idempotency_key WHERE expires_at < UTC_TIMESTAMP(6) LIMIT ?")
            .bind(batch)
            .execute(pool)
            .await?
            .rows_affected(),
        token_revocations: sqlx::query("DELETE FROM token_revocation WHERE expires_at < UTC_TIMESTAMP(6) LIMIT ?")
            .bind(batch)
            .execute(pool)
            .await?
            .rows_affected(),
        login_throttles: sqlx::query(
            "DELETE FROM login_throttle WHERE window_started_at < TIMESTAMPADD(SECOND, -?, UTC_TIMESTAMP(6)) \
             AND (locked_until IS NULL OR locked_until < UTC_TIMESTAMP(6)) LIMIT ?",
        )
        .bind(window_secs)
        .bind(batch)
        .execute(pool)
        .await?
        .rows_affected(),
        reconcile_requests: sqlx::query(
            "DELETE FROM reconcile_request WHERE picked_at < TIMESTAMPADD(DAY, -7, UTC_TIMESTAMP(6)) LIMIT ?",
        )
        .bind(batch)
        .execute(pool)
        .await?
        .rows_affected(),
    })
}
