//! `reconcile_request`: "run this job now", written by the API and picked up
//! by whichever batch_server replica gets to it first.

use sqlx::{Executor, MySql, MySqlPool};

use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReconcileRequest {
    pub id: i64,
    pub job: String,
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

/// Claims every open request; another replica polling at the same moment
/// skips the locked rows instead of claiming them twice.
pub async fn claim_open(pool: &MySqlPool) -> AppResult<Vec<ReconcileRequest>> {
    let mut tx = pool.begin().await?;
    let open: Vec<ReconcileRequest> = sqlx::query_as(
        "SELECT id, job FROM reconcile_request WHERE picked_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED",
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

pub async fn link_run(pool: &MySqlPool, request_id: i64, run_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE reconcile_request SET reconcile_run_id = ? WHERE id = ?")
        .bind(run_id)
        .bind(request_id)
        .execute(pool)
        .await?;
    Ok(())
}
