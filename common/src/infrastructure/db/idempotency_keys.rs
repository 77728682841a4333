//! The `idempotency_key` table: one row per (user, key); the first request
//! claims it, later ones read the stored response.

use sqlx::MySqlPool;

use crate::error::AppResult;

pub struct Claim<'a> {
    pub user_id: i64,
    pub key: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub request_hash: &'a str,
    pub ttl_secs: u64,
    /// An `in_progress` claim older than this was left by a process that
    /// died mid-request and is given up.
    pub abandoned_after_secs: u64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredKey {
    pub request_hash: String,
    pub state: String,
    pub response_status: Option<i16>,
    pub response_body: Option<Vec<u8>>,
}

/// Claims the key; false when a live claim exists already. An expired claim,
/// or an abandoned one, is removed first so the key can be used again.
pub async fn try_claim(pool: &MySqlPool, claim: &Claim<'_>) -> AppResult<bool> {
    // A claim was made `ttl_secs` before its `expires_at`, so one older than
    // `abandoned_after_secs` expires before now + ttl - abandoned_after.
    sqlx::query(
        "DELETE FROM idempotency_key WHERE user_id = ? AND idempotency_key = ?
           AND (expires_at < UTC_TIMESTAMP(6)
                OR (state = 'in_progress' AND expires_at < TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP(6))))",
    )
    .bind(claim.user_id)
    .bind(claim.key)
    .bind(claim.ttl_secs as i64 - claim.abandoned_after_secs as i64)
    .execute(pool)
    .await?;
    let result = sqlx::query(
        "INSERT IGNORE INTO idempotency_key (user_id, idempotency_key, method, path, request_hash, state, expires_at)
         VALUES (?, ?, ?, ?, ?, 'in_progress', TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP(6)))",
    )
    .bind(claim.user_id)
    .bind(claim.key)
    .bind(claim.method)
    .bind(claim.path)
    .bind(claim.request_hash)
    .bind(claim.ttl_secs as i64)
    .execute(pool)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn find(pool: &MySqlPool, user_id: i64, key: &str) -> AppResult<Option<StoredKey>> {
    Ok(sqlx::query_as(
        "SELECT request_hash, state, response_status, response_body FROM idempotency_key WHERE user_id = ? AND idempotency_key = ?",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(pool)
    .await?)
}

pub async fn complete(pool: &MySqlPool, user_id: i64, key: &str, status: u16, body: &[u8]) -> AppResult<()> {
    sqlx::query(
        "UPDATE idempotency_key SET state = 'completed', response_status = ?, response_body = ?
         WHERE user_id = ? AND idempotency_key = ?",
    )
    .bind(status as i16)
    .bind(body)
    .bind(user_id)
    .bind(key)
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives the key up so that a retry runs the request again.
pub async fn release(pool: &MySqlPool, user_id: i64, key: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM idempotency_key WHERE user_id = ? AND idempotency_key = ? AND state = 'in_progress'")
        .bind(user_id)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}
