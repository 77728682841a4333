//! `GET /admin/drift` and `POST /admin/drift/{id}/resolve`. A resolution,
//! the inventory change it makes and its audit event commit together; a
//! finding is resolved once.

use serde_json::json;

use super::drift_actions::{accept_cloud, adopt};
use crate::application::{Services, audit, guard};
use crate::domain::audit::AuditEvent;
use crate::domain::auth::RequestContext;
use crate::domain::page::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::admin_drift::{self, DriftFilter, SORT, cursor_of};
use crate::infrastructure::db::begin;
use crate::infrastructure::db::drift_findings::DriftFinding;

pub const KINDS: [&str; 3] = ["missing_in_cloud", "unmanaged_in_cloud", "field_mismatch"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Take an unmanaged cloud resource into a project's inventory.
    Adopt,
    /// Close the finding and change nothing.
    Ignore,
    /// Write the cloud's value of a mismatched field into our row.
    AcceptCloud,
}

impl Resolution {
    pub const ALL: [(&'static str, Resolution); 3] = [
        ("adopt", Self::Adopt),
        ("ignore", Self::Ignore),
        ("accept_cloud", Self::AcceptCloud),
    ];

    /// What `drift_finding.resolution` records.
    pub fn stored(self) -> &'static str {
        match self {
            Self::Adopt => "adopted",
            Self::Ignore => "ignored",
            Self::AcceptCloud => "accepted_cloud",
        }
    }
}

pub async fn list(
    svc: &Services,
    ctx: &RequestContext,
    filter: &DriftFilter,
    page: &PageRequest,
) -> AppResult<Page<DriftFinding>> {
    guard::admin(ctx)?;
    let after = page
        .for_sort(SORT)
        .map_err(|m| AppError::invalid_field("query.cursor", "value_error", m))?;
    let rows = admin_drift::list(&svc.pool, filter, after, page.limit).await?;
    Ok(Page::from_overfetch(rows, page.limit, cursor_of))
}

/// Resolves an open finding; `project_id` names where an adopted resource goes
/// when the finding does not say.
pub async fn resolve(
    svc: &Services,
    ctx: &RequestContext,
    id: i64,
    action: Resolution,
    project_id: Option<i64>,
) -> AppResult<DriftFinding> {
    let actor = guard::admin(ctx)?;
    let mut tx = begin(&svc.pool).await?;
    let finding = admin_drift::lock(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
    if finding.resolved_at.is_some() {
        return Err(AppError::conflict(
            "DRIFT_FINDING_ALREADY_RESOLVED",
            format!("drift finding {id} was already resolved"),
        ));
    }
    let mut detail = json!({"action": action.stored(), "kind": finding.kind, "resource_type": finding.resource_type,
        "resource_id": finding.resource_id, "field": finding.field});
    let mut event_project = finding.project_id;
    match action {
        Resolution::Ignore => {}
        Resolution::Adopt => {
            let adopted = adopt(&mut tx, ctx, &finding, project_id).await?;
            detail["adopted_resource_id"] = json!(adopted.resource_id);
            event_project = Some(adopted.project_id);
        }
        Resolution::AcceptCloud => {
            accept_cloud(&mut tx, &finding).await?;
            detail["our_value"] = json!(finding.our_value);
            detail["cloud_value"] = json!(finding.cloud_value);
        }
    }
    admin_drift::mark_resolved(&mut tx, &finding, action.stored(), Some(actor.user_id)).await?;
    let event = AuditEvent::success("drift.resolve", "drift_finding", Some(id))
        .in_project(event_project)
        .with_detail(detail);
    audit::record(&mut tx, ctx, event).await?;
    let resolved = admin_drift::lock(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
    tx.commit().await?;
    Ok(resolved)
}

fn not_found(id: i64) -> AppError {
    AppError::not_found("DRIFT_FINDING_NOT_FOUND", format!("drift finding {id} does not exist"))
}
