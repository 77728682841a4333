//! `GET /admin/summary`: what we have per kind, status and project; open
//! drift; the last run of each job; what has been pending too long.

use chrono::{Duration, Utc};

use crate::application::{Services, guard};
use crate::domain::auth::RequestContext;
use crate::error::AppResult;
use crate::infrastructure::db::admin_inventory::InventoryKind;
use crate::infrastructure::db::admin_summary::{self, DriftCount, PendingRow, StatusCount};
use crate::infrastructure::db::reconcile_runs::ReconcileRun;

/// At most this many stuck rows are listed per kind.
pub const PENDING_LIST_LIMIT: u32 = 100;
pub const DEFAULT_PENDING_MINUTES: u32 = 30;

#[derive(Debug, Clone)]
pub struct Summary {
    pub counts: Vec<(InventoryKind, StatusCount)>,
    pub open_drift: Vec<DriftCount>,
    pub last_runs: Vec<ReconcileRun>,
    pub pending_minutes: u32,
    pub pending: Vec<(InventoryKind, PendingRow)>,
}

pub async fn build(svc: &Services, ctx: &RequestContext, pending_minutes: u32) -> AppResult<Summary> {
    guard::admin(ctx)?;
    let cutoff = Utc::now() - Duration::minutes(i64::from(pending_minutes));
    let mut counts = Vec::new();
    let mut pending = Vec::new();
    for kind in InventoryKind::ALL {
        for row in admin_summary::count_by_project_and_status(&svc.pool, kind).await? {
            counts.push((kind, row));
        }
        for row in admin_summary::pending_before(&svc.pool, kind, cutoff, PENDING_LIST_LIMIT).await? {
            pending.push((kind, row));
        }
    }
    Ok(Summary {
        counts,
        open_drift: admin_summary::open_drift_counts(&svc.pool).await?,
        last_runs: admin_summary::last_run_per_job(&svc.pool).await?,
        pending_minutes,
        pending,
    })
}
