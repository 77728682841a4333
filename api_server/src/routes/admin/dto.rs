//! Response and request bodies of the admin routes.

use chrono::{DateTime, Utc};
use common::application::admin::summary::Summary;
use common::infrastructure::db::admin_inventory::InventoryRow;
use common::infrastructure::db::audit_events::StoredAuditEvent;
use common::infrastructure::db::drift_findings::DriftFinding;
use common::infrastructure::db::reconcile_runs::ReconcileRun;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One inventory row of any kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryItem {
    pub id: i64,
    /// Null for users (they belong to many projects); a project's own id for projects.
    pub project_id: Option<i64>,
    /// The name; the address of a floating IP, the fixed IP of a network interface, the account id of a user.
    pub name: Option<String>,
    pub status: String,
    pub openstack_id: Option<String>,
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&InventoryRow> for InventoryItem {
    fn from(r: &InventoryRow) -> Self {
        Self {
            id: r.id,
            project_id: r.project_id,
            name: r.name.clone(),
            status: r.status.clone(),
            openstack_id: r.openstack_id.clone(),
            pending_action: r.pending_action.clone(),
            pending_since: r.pending_since,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryListResponse {
    /// The kind from the path (`servers`, `security-groups`, ...).
    pub kind: String,
    pub items: Vec<InventoryItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventResponse {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub request_id: Option<String>,
    pub actor_user_id: Option<i64>,
    pub project_id: Option<i64>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<i64>,
    /// `success`, `failure`, `denied` or `accepted`.
    pub outcome: String,
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

impl From<&StoredAuditEvent> for AuditEventResponse {
    fn from(e: &StoredAuditEvent) -> Self {
        Self {
            id: e.id,
            occurred_at: e.occurred_at,
            request_id: e.request_id.clone(),
            actor_user_id: e.actor_user_id,
            project_id: e.project_id,
            action: e.action.clone(),
            resource_type: e.resource_type.clone(),
            resource_id: e.resource_id,
            outcome: e.outcome.clone(),
            detail: e.detail.as_ref().map(|d| d.0.clone()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventListResponse {
    pub audit_events: Vec<AuditEventResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DriftFindingResponse {
    pub id: i64,
    /// `missing_in_cloud`, `unmanaged_in_cloud` or `field_mismatch`.
    pub kind: String,
    pub resource_type: String,
    pub resource_id: Option<i64>,
    pub project_id: Option<i64>,
    pub openstack_id: Option<String>,
    /// The field a `field_mismatch` is about; empty otherwise.
    pub field: String,
    pub our_value: Option<String>,
    pub cloud_value: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// `open` or `resolved`.
    pub status: String,
    pub resolved_at: Option<DateTime<Utc>>,
    /// `adopted`, `ignored` or `accepted_cloud`.
    pub resolution: Option<String>,
    pub resolved_by_user_id: Option<i64>,
    pub version: i64,
}

impl From<&DriftFinding> for DriftFindingResponse {
    fn from(f: &DriftFinding) -> Self {
        Self {
            id: f.id,
            kind: f.kind.clone(),
            resource_type: f.resource_type.clone(),
            resource_id: f.resource_id,
            project_id: f.project_id,
            openstack_id: f.openstack_id.clone(),
            field: f.field.clone(),
            our_value: f.our_value.clone(),
            cloud_value: f.cloud_value.clone(),
            first_seen_at: f.first_seen_at,
            last_seen_at: f.last_seen_at,
            status: if f.resolved_at.is_some() { "resolved" } else { "open" }.to_owned(),
            resolved_at: f.resolved_at,
            resolution: f.resolution.clone(),
            resolved_by_user_id: f.resolved_by_user_id,
            version: f.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DriftListResponse {
    pub drift_findings: Vec<DriftFindingResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveDriftRequest {
    /// `adopt`, `ignore` or `accept_cloud`.
    pub action: String,
    /// Where an adopted resource goes, when the finding does not name a project.
    pub project_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconcileRunResponse {
    pub id: i64,
    pub job: String,
    pub runner: String,
    /// `schedule` or `api`.
    pub trigger_source: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub examined: i32,
    pub changed: i32,
    pub drift_found: i32,
    pub errors: i32,
    /// `running`, `success`, `partial`, `failed` or `interrupted`.
    pub outcome: String,
    pub error_message: Option<String>,
}

impl From<&ReconcileRun> for ReconcileRunResponse {
    fn from(r: &ReconcileRun) -> Self {
        Self {
            id: r.id,
            job: r.job.clone(),
            runner: r.runner.clone(),
            trigger_source: r.trigger_source.clone(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            examined: r.examined,
            changed: r.changed,
            drift_found: r.drift_found,
            errors: r.errors,
            outcome: r.outcome.clone(),
            error_message: r.error_message.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconcileRunListResponse {
    pub reconcile_runs: Vec<ReconcileRunResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconcileRequestedResponse {
    /// The queued `reconcile_request`; the batch server links it to its run.
    pub reconcile_request_id: i64,
    pub job: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCountResponse {
    pub kind: String,
    pub project_id: Option<i64>,
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DriftCountResponse {
    pub resource_type: String,
    pub kind: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingResponse {
    pub kind: String,
    pub id: i64,
    pub project_id: i64,
    pub pending_action: String,
    pub pending_since: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryResponse {
    /// Live rows per kind, project and status.
    pub counts: Vec<StatusCountResponse>,
    /// Open drift findings per resource type and finding kind.
    pub open_drift: Vec<DriftCountResponse>,
    /// The newest run of every job that has run.
    pub last_runs: Vec<ReconcileRunResponse>,
    pub pending_older_than_minutes: u32,
    /// Rows pending longer than that, oldest first (at most 100 per kind).
    pub pending: Vec<PendingResponse>,
}

impl From<&Summary> for SummaryResponse {
    fn from(s: &Summary) -> Self {
        Self {
            counts: s
                .counts
                .iter()
                .map(|(kind, c)| StatusCountResponse {
                    kind: kind.as_str().to_owned(),
                    project_id: c.project_id,
                    status: c.status.clone(),
                    count: c.count,
                })
                .collect(),
            open_drift: s
                .open_drift
                .iter()
                .map(|d| DriftCountResponse {
                    resource_type: d.resource_type.clone(),
                    kind: d.kind.clone(),
                    count: d.count,
                })
                .collect(),
            last_runs: s.last_runs.iter().map(ReconcileRunResponse::from).collect(),
            pending_older_than_minutes: s.pending_minutes,
            pending: s
                .pending
                .iter()
                .map(|(kind, p)| PendingResponse {
                    kind: kind.as_str().to_owned(),
                    id: p.id,
                    project_id: p.project_id,
                    pending_action: p.pending_action.clone(),
                    pending_since: p.pending_since,
                })
                .collect(),
        }
    }
}
