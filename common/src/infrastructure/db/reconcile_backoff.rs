//! `reconcile_backoff`: resources whose last reconcile change failed, and
//! when the reconciler may try them again. A row exists only while a
//! resource is failing; a success deletes it.

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlPool, QueryBuilder};

use super::id_list::push_in;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BackoffEntry {
    pub resource_id: i64,
    pub failures: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

const MAX_ERROR_CHARS: usize = 1000;

/// Every failing resource of one type.
pub async fn list(pool: &MySqlPool, resource_type: &str) -> AppResult<Vec<BackoffEntry>> {
    Ok(sqlx::query_as(
        "SELECT resource_id, failures, next_attempt_at, last_error FROM reconcile_backoff \
         WHERE resource_type = ? ORDER BY resource_id",
    )
    .bind(resource_type)
    .fetch_all(pool)
    .await?)
}

/// Stores the resource's failure count and next attempt time.
pub async fn record_failure(
    pool: &MySqlPool,
    resource_type: &str,
    resource_id: i64,
    failures: i32,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> AppResult<()> {
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    sqlx::query(
        "INSERT INTO reconcile_backoff (resource_type, resource_id, failures, next_attempt_at, last_error) \
         VALUES (?, ?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE failures = VALUES(failures), next_attempt_at = VALUES(next_attempt_at), \
           last_error = VALUES(last_error)",
    )
    .bind(resource_type)
    .bind(resource_id)
    .bind(failures)
    .bind(next_attempt_at)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets the failures of resources whose row is deleted (or was never
/// there). Returns how many went.
pub async fn clear_orphans(pool: &MySqlPool, resource_type: &str) -> AppResult<u64> {
    macro_rules! orphans_of {
        ($table:literal) => {
            concat!(
                "DELETE b FROM reconcile_backoff b LEFT JOIN ",
                $table,
                " r ON r.id = b.resource_id AND r.deleted_at IS NULL WHERE b.resource_type = '",
                $table,
                "' AND r.id IS NULL"
            )
        };
    }
    let sql = match resource_type {
        "server" => orphans_of!("server"),
        "volume" => orphans_of!("volume"),
        "floating_ip" => orphans_of!("floating_ip"),
        "network_interface" => orphans_of!("network_interface"),
        "security_group" => orphans_of!("security_group"),
        _ => return Ok(0),
    };
    Ok(sqlx::query(sql).execute(pool).await?.rows_affected())
}

/// Forgets the failures of these resources.
pub async fn clear(pool: &MySqlPool, resource_type: &str, resource_ids: &[i64]) -> AppResult<()> {
    if resource_ids.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<MySql>::new("DELETE FROM reconcile_backoff WHERE resource_type = ");
    qb.push_bind(resource_type);
    push_in(&mut qb, "resource_id", resource_ids);
    qb.build().execute(pool).await?;
    Ok(())
}
