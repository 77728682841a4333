//! `reconcile_run`: one row per pass of a batch job, written at start and
//! completed at the end, so a crashed pass stays visible as `running`.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlPool};

use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunCounts {
    pub examined: u64,
    pub changed: u64,
    pub drift_found: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Success,
    Partial,
    Failed,
    Interrupted,
}

impl RunOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ReconcileRun {
    pub id: i64,
    pub job: String,
    pub runner: String,
    pub trigger_source: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub examined: i32,
    pub changed: i32,
    pub drift_found: i32,
    pub errors: i32,
    pub outcome: String,
    pub error_message: Option<String>,
}

pub async fn start(pool: &MySqlPool, job: &str, runner: &str, trigger_source: &str) -> AppResult<i64> {
    let result = sqlx::query("INSERT INTO reconcile_run (job, runner, trigger_source) VALUES (?, ?, ?)")
        .bind(job)
        .bind(runner)
        .bind(trigger_source)
        .execute(pool)
        .await?;
    Ok(result.last_insert_id() as i64)
}

pub async fn finish(
    pool: &MySqlPool,
    id: i64,
    counts: RunCounts,
    outcome: RunOutcome,
    error_message: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE reconcile_run SET finished_at = UTC_TIMESTAMP(6), examined = ?, changed = ?, drift_found = ?, \
         errors = ?, outcome = ?, error_message = ? WHERE id = ?",
    )
    .bind(clamp(counts.examined))
    .bind(clamp(counts.changed))
    .bind(clamp(counts.drift_found))
    .bind(clamp(counts.errors))
    .bind(outcome.as_str())
    .bind(error_message)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether a pass of `job` by `trigger_source` started at or after `since`.
pub async fn started_since(pool: &MySqlPool, job: &str, trigger_source: &str, since: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM reconcile_run WHERE job = ? AND trigger_source = ? AND started_at >= ?)",
    )
    .bind(job)
    .bind(trigger_source)
    .bind(since)
    .fetch_one(pool)
    .await?)
}

pub async fn find<'c>(db: impl Executor<'c, Database = MySql>, id: i64) -> AppResult<Option<ReconcileRun>> {
    Ok(sqlx::query_as(
        "SELECT id, job, runner, trigger_source, started_at, finished_at, examined, changed, drift_found, errors, \
         outcome, error_message FROM reconcile_run WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

pub async fn list_for_job<'c>(db: impl Executor<'c, Database = MySql>, job: &str) -> AppResult<Vec<ReconcileRun>> {
    Ok(sqlx::query_as(
        "SELECT id, job, runner, trigger_source, started_at, finished_at, examined, changed, drift_found, errors, \
         outcome, error_message FROM reconcile_run WHERE job = ? ORDER BY started_at DESC, id DESC LIMIT 1000",
    )
    .bind(job)
    .fetch_all(db)
    .await?)
}

fn clamp(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
