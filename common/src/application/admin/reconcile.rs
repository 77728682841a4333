//! `GET /admin/reconcile-runs` and `POST /admin/reconcile/{job}`. A run
//! request is a `reconcile_request` row; the batch server claims it and runs
//! the job, so nothing heavy happens inside the API's request.

use serde_json::json;

use crate::application::{Services, audit, guard};
use crate::domain::audit::{AuditEvent, Outcome};
use crate::domain::auth::RequestContext;
use crate::domain::page::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::admin_reconcile::{self, RunFilter, SORT, cursor_of};
use crate::infrastructure::db::reconcile_runs::ReconcileRun;
use crate::infrastructure::db::{begin, reconcile_requests};

/// The jobs the batch server runs, by the name it records them under.
pub const JOBS: [&str; 6] = [
    "servers",
    "volumes",
    "network-interfaces",
    "security-groups",
    "floating-ips",
    "housekeeping",
];

pub const OUTCOMES: [&str; 5] = ["running", "success", "partial", "failed", "interrupted"];

pub fn is_job(name: &str) -> bool {
    JOBS.contains(&name)
}

pub async fn list_runs(
    svc: &Services,
    ctx: &RequestContext,
    filter: &RunFilter,
    page: &PageRequest,
) -> AppResult<Page<ReconcileRun>> {
    guard::admin(ctx)?;
    let after = page
        .for_sort(SORT)
        .map_err(|m| AppError::invalid_field("query.cursor", "value_error", m))?;
    let rows = admin_reconcile::list_runs(&svc.pool, filter, after, page.limit).await?;
    Ok(Page::from_overfetch(rows, page.limit, cursor_of))
}

/// Queues a pass of `job` for the batch server; the queued request's id.
pub async fn request_run(svc: &Services, ctx: &RequestContext, job: &str) -> AppResult<i64> {
    let actor = guard::admin(ctx)?;
    if !is_job(job) {
        return Err(AppError::invalid_field(
            "path.job",
            "enum",
            format!("must be one of {}", JOBS.join(", ")),
        ));
    }
    let mut tx = begin(&svc.pool).await?;
    let id = reconcile_requests::enqueue(&mut *tx, job, Some(actor.user_id), Some(&ctx.request_id)).await?;
    let event = AuditEvent::success("reconcile.request", "reconcile_request", Some(id))
        .with_outcome(Outcome::Accepted)
        .with_detail(json!({"job": job}));
    audit::record(&mut tx, ctx, event).await?;
    tx.commit().await?;
    Ok(id)
}
