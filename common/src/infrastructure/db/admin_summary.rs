//! The counts and lists behind `GET /admin/summary`.

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, MySqlPool};

use super::admin_inventory::InventoryKind;
use super::reconcile_runs::ReconcileRun;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatusCount {
    pub project_id: Option<i64>,
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DriftCount {
    pub resource_type: String,
    pub kind: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingRow {
    pub id: i64,
    pub project_id: i64,
    pub pending_action: String,
    pub pending_since: DateTime<Utc>,
}

/// Live rows of one kind per project and status.
pub async fn count_by_project_and_status(pool: &MySqlPool, kind: InventoryKind) -> AppResult<Vec<StatusCount>> {
    let sql = match kind {
        InventoryKind::Users => "SELECT CAST(NULL AS SIGNED) AS project_id, 'ACTIVE' AS status, COUNT(*) AS count \
             FROM user WHERE deleted_at IS NULL HAVING COUNT(*) > 0"
            .to_owned(),
        InventoryKind::Projects => "SELECT id AS project_id, status, COUNT(*) AS count FROM project \
             WHERE deleted_at IS NULL GROUP BY id, status ORDER BY id, status"
            .to_owned(),
        other => format!(
            "SELECT project_id, status, COUNT(*) AS count FROM {} WHERE deleted_at IS NULL \
             GROUP BY project_id, status ORDER BY project_id, status",
            other.table()
        ),
    };
    Ok(sqlx::query_as(AssertSqlSafe(sql)).fetch_all(pool).await?)
}

pub async fn open_drift_counts(pool: &MySqlPool) -> AppResult<Vec<DriftCount>> {
    Ok(sqlx::query_as(
        "SELECT resource_type, kind, COUNT(*) AS count FROM drift_finding WHERE resolved_at IS NULL \
         GROUP BY resource_type, kind ORDER BY resource_type, kind",
    )
    .fetch_all(pool)
    .await?)
}

/// The newest run of every job that has run at least once.
pub async fn last_run_per_job(pool: &MySqlPool) -> AppResult<Vec<ReconcileRun>> {
    Ok(sqlx::query_as(
        "SELECT id, job, runner, trigger_source, started_at, finished_at, examined, changed, drift_found, errors, \
         outcome, error_message FROM reconcile_run WHERE id IN (SELECT MAX(id) FROM reconcile_run GROUP BY job) \
         ORDER BY job",
    )
    .fetch_all(pool)
    .await?)
}

/// Live rows of one kind whose pending action started before `cutoff`, oldest first.
pub async fn pending_before(
    pool: &MySqlPool,
    kind: InventoryKind,
    cutoff: DateTime<Utc>,
    limit: u32,
) -> AppResult<Vec<PendingRow>> {
    if !kind.has_pending() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, project_id, pending_action, pending_since FROM {} \
         WHERE pending_action IS NOT NULL AND pending_since < ? AND deleted_at IS NULL \
         ORDER BY pending_since, id LIMIT ?",
        kind.table()
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(cutoff)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?)
}
