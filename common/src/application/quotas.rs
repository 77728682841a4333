//! Quotas: limits per project (stored ones over the configured defaults)
//! and live usage, plus the check resource creations run in their transaction.

use serde_json::json;
use sqlx::MySqlConnection;

use super::{Services, audit, guard, projects as project_cases};
use crate::domain::audit::AuditEvent;
use crate::domain::auth::RequestContext;
use crate::domain::quota::{Amounts, QuotaKind, first_exceeded};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::{begin, projects, quotas};

#[derive(Debug, Clone)]
pub struct QuotaReport {
    pub project_id: i64,
    pub limits: Amounts,
    pub usage: Amounts,
}

fn effective(defaults: &Amounts, stored: &Amounts) -> Amounts {
    let mut limits = defaults.clone();
    for (kind, limit) in stored.iter() {
        limits.set(kind, limit);
    }
    limits
}

pub async fn get(svc: &Services, ctx: &RequestContext, project_id: i64) -> AppResult<QuotaReport> {
    project_cases::visible(svc, guard::actor(ctx)?, project_id).await?;
    report(svc, &svc.pool, project_id).await
}

async fn report<'c>(
    svc: &Services,
    db: impl sqlx::Acquire<'c, Database = sqlx::MySql>,
    project_id: i64,
) -> AppResult<QuotaReport> {
    let mut conn = db.acquire().await?;
    let stored = quotas::stored_limits(&mut *conn, project_id).await?;
    let usage = quotas::usage(&mut *conn, project_id).await?;
    Ok(QuotaReport {
        project_id,
        limits: effective(&svc.quota_defaults, &stored),
        usage,
    })
}

/// Admin only. Kinds not named keep their limit.
pub async fn set(svc: &Services, ctx: &RequestContext, project_id: i64, limits: Amounts) -> AppResult<QuotaReport> {
    guard::admin(ctx)?;
    let mut tx = begin(&svc.pool).await?;
    projects::lock(&mut tx, project_id)
        .await?
        .ok_or_else(|| project_cases::not_found(project_id))?;
    let mut changed = serde_json::Map::new();
    for (kind, limit) in limits.iter() {
        quotas::set_limit(&mut tx, project_id, kind, limit).await?;
        changed.insert(kind.as_str().to_owned(), json!(limit));
    }
    let event = AuditEvent::success("project.quota_update", "project", Some(project_id))
        .in_project(Some(project_id))
        .with_detail(serde_json::Value::Object(changed));
    audit::record(&mut tx, ctx, event).await?;
    let result = report(svc, &mut *tx, project_id).await?;
    tx.commit().await?;
    Ok(result)
}

/// Call inside the transaction that creates (or grows) resources, before
/// writing them: locks the project row, so concurrent creations in one
/// project are checked one after the other, then refuses with 409
/// `QUOTA_EXCEEDED` naming the first kind that would pass its limit.
pub async fn check_quota(
    conn: &mut MySqlConnection,
    defaults: &Amounts,
    project_id: i64,
    requested: &Amounts,
) -> AppResult<()> {
    projects::lock(conn, project_id)
        .await?
        .ok_or_else(|| project_cases::not_found(project_id))?;
    let stored = quotas::stored_limits(&mut *conn, project_id).await?;
    let limits = effective(defaults, &stored);
    let usage = quotas::usage(&mut *conn, project_id).await?;
    match first_exceeded(&limits, &usage, requested) {
        None => Ok(()),
        Some(kind) => Err(exceeded(kind, &limits, &usage, requested)),
    }
}

fn exceeded(kind: QuotaKind, limits: &Amounts, usage: &Amounts, requested: &Amounts) -> AppError {
    AppError::conflict(
        "QUOTA_EXCEEDED",
        format!(
            "quota exceeded for {}: limit {}, in use {}, requested {}",
            kind.as_str(),
            limits.get(kind),
            usage.get(kind),
            requested.get(kind)
        ),
    )
}
