//! `reconcile_request`: "run this job now" (or "refresh this one resource
//! now"), written by the API and picked up by whichever batch_server replica
//! gets to it first.

use sqlx::{Executor, MySql, MySqlPool};

use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReconcileRequest {
    pub id: i64,
    pub job: String,
    /// Set with `resource_id` for a targeted refresh of one row of the job's kind.
    pub resource_type: Option<String>,
    pub resource_id: Option<i64>,
}

impl ReconcileRequest {
    /// The row a targeted refresh is for; `None` asks for a whole pass.
    pub fn target(&self) -> Option<i64> {
        self.resource_id
    }
}

/// Asks for a pass of `job`; inside a transaction the request is visible to
/// the batch servers only once the caller commits.
pub async fn enqueue<'c>(
    db: impl Executor<'c, Database = MySql>,
    job: &str,
    user_id: Option<i64>,
    request_id: Option<&str>,
) -> AppResult<i64> {
    let result = sqlx::query("INSERT INTO reconcile_request (job, requested_by_user_id, request_id) VALUES (?, ?, ?)")
        .bind(job)
        .bind(user_id)
        .bind(request_id)
        .execute(db)
        .await?;
    Ok(result.last_insert_id() as i64)
}

/// What a targeted refresh is for: one row of the kind `job` reconciles.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub job: &'a str,
    pub resource_type: &'a str,
    pub resource_id: i64,
}

/// Asks for a refresh of one resource.
pub async fn enqueue_refresh<'c>(
    db: impl Executor<'c, Database = MySql>,
    target: Target<'_>,
    user_id: Option<i64>,
    request_id: Option<&str>,
) -> AppResult<i64> {
    let result = sqlx::query(
        "INSERT INTO reconcile_request (job, resource_type, resource_id, requested_by_user_id, request_id) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(target.job)
    .bind(target.resource_type)
    .bind(target.resource_id)
    .bind(user_id)
    .bind(request_id)
    .execute(db)
    .await?;
    Ok(result.last_insert_id() as i64)
}

/// Claims every open request; another replica polling at the same moment
/// skips the locked rows instead of claiming them twice.
pub async fn claim_open(pool: &MySqlPool) -> AppResult<Vec<ReconcileRequest>> {
    let mut tx = pool.begin().await?;
    let open: Vec<ReconcileRequest> = sqlx::query_as(
        "SELECT id, job, resource_type, resource_id FROM reconcile_request WHERE picked_at IS NULL \
         ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED",
    )
    .fetch_all(&mut *tx)
    .await?;
    for request in &open {
        sqlx::query("UPDATE reconcile_request SET picked_at = UTC_TIMESTAMP(6) WHERE id = ?")
            .bind(request.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(open)
}

/// Puts claimed requests back (their job's lease was held elsewhere): the
/// next poll, on any replica, claims them again.
pub async fn unclaim(pool: &MySqlPool, ids: &[i64]) -> AppResult<()> {
    for id in ids {
        sqlx::query("UPDATE reconcile_request SET picked_at = NULL WHERE id = ? AND reconcile_run_id IS NULL")
            .bind(id)
            .execute(pool)
            .await?;
    }
    Ok(())
}

pub async fn link_run(pool: &MySqlPool, request_id: i64, run_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE reconcile_request SET reconcile_run_id = ? WHERE id = ?")
        .bind(run_id)
        .bind(request_id)
        .execute(pool)
        .await?;
    Ok(())
}
