//! Admin reads of `reconcile_run`, and "run this job now" written inside the
//! caller's transaction (so the request and its audit event commit together).
//! The batch server claims the request with `reconcile_requests::claim_open`.

use sqlx::{Executor, MySql, QueryBuilder};

use super::keyset::{push_after, push_order_and_limit};
use super::reconcile_runs::ReconcileRun;
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::error::AppResult;

pub const SORT: &str = "started_at:desc";

#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub job: Option<String>,
    pub outcome: Option<String>,
}

pub fn cursor_of(run: &ReconcileRun) -> Cursor {
    Cursor {
        sort: SORT.to_owned(),
        key: CursorKey::Time(run.started_at),
        id: run.id,
    }
}

/// Up to `limit + 1` runs after the cursor, newest first.
pub async fn list_runs<'c>(
    db: impl Executor<'c, Database = MySql>,
    filter: &RunFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<ReconcileRun>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, job, runner, trigger_source, started_at, finished_at, examined, changed, drift_found, errors, \
         outcome, error_message FROM reconcile_run WHERE 1 = 1",
    );
    if let Some(job) = &filter.job {
        qb.push(" AND job = ").push_bind(job.clone());
    }
    if let Some(outcome) = &filter.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.clone());
    }
    push_after(&mut qb, "started_at", SortOrder::Desc, after);
    push_order_and_limit(&mut qb, "started_at", SortOrder::Desc, limit);
    Ok(qb.build_query_as::<ReconcileRun>().fetch_all(db).await?)
}
