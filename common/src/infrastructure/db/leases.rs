//! `job_lease`: an expiring, renewable claim that one process runs a job.
//! Acquire and renew are the same upsert: a row that has expired, or that
//! the caller already owns, is taken; anyone else's live lease is left alone.

use std::time::Duration;

use sqlx::MySqlPool;

use crate::error::AppResult;

/// Takes or renews the lease; true when `owner` holds it afterwards.
pub async fn acquire(pool: &MySqlPool, name: &str, owner: &str, ttl: Duration) -> AppResult<bool> {
    let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO job_lease (name, owner, acquired_at, expires_at) \
         VALUES (?, ?, UTC_TIMESTAMP(6), TIMESTAMPADD(MICROSECOND, ? * 1000, UTC_TIMESTAMP(6))) \
         ON DUPLICATE KEY UPDATE \
           acquired_at = IF(expires_at < UTC_TIMESTAMP(6) AND owner <> VALUES(owner), VALUES(acquired_at), acquired_at), \
           owner = IF(expires_at < UTC_TIMESTAMP(6) OR owner = VALUES(owner), VALUES(owner), owner), \
           expires_at = IF(owner = VALUES(owner), VALUES(expires_at), expires_at)",
    )
    .bind(name)
    .bind(owner)
    .bind(ttl_ms)
    .execute(&mut *tx)
    .await?;
    let holder: Option<String> = sqlx::query_scalar("SELECT owner FROM job_lease WHERE name = ?")
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(holder.as_deref() == Some(owner))
}

/// Gives the lease up early (clean shutdown) so another replica need not wait for expiry.
pub async fn release(pool: &MySqlPool, name: &str, owner: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM job_lease WHERE name = ? AND owner = ?")
        .bind(name)
        .bind(owner)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn holder(pool: &MySqlPool, name: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT owner FROM job_lease WHERE name = ? AND expires_at >= UTC_TIMESTAMP(6)")
            .bind(name)
            .fetch_optional(pool)
            .await?,
    )
}
