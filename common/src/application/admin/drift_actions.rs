//! The inventory changes of the two resolutions that make one: adopt and
//! accept_cloud. Both run inside the resolution's transaction.

use sqlx::MySqlConnection;

use super::reconcile;
use crate::domain::auth::RequestContext;
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::admin_drift::{self, DriftTable};
use crate::infrastructure::db::drift_findings::DriftFinding;
use crate::infrastructure::db::{projects, reconcile_requests};

pub struct Adopted {
    pub project_id: i64,
    pub resource_id: i64,
}

/// Inserts a row for an unmanaged cloud resource and asks the batch server
/// for a pass of that kind, which fills in what the finding does not carry.
pub async fn adopt(
    conn: &mut MySqlConnection,
    ctx: &RequestContext,
    finding: &DriftFinding,
    project_id: Option<i64>,
) -> AppResult<Adopted> {
    if finding.kind != "unmanaged_in_cloud" {
        return Err(wrong_action("adopt applies to unmanaged_in_cloud findings only"));
    }
    let table = table_of(finding, "adopt")?;
    let Some(openstack_id) = finding.openstack_id.as_deref() else {
        return Err(wrong_action("the finding names no cloud id to adopt"));
    };
    let Some(project_id) = project_id.or(finding.project_id) else {
        return Err(AppError::invalid_field(
            "body.project_id",
            "missing",
            "required: the finding does not say which project the resource belongs to",
        ));
    };
    if projects::lock(conn, project_id).await?.is_none() {
        return Err(AppError::invalid_field(
            "body.project_id",
            "value_error",
            format!("project {project_id} does not exist"),
        ));
    }
    let name = match finding.cloud_value.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => format!("adopted-{openstack_id}"),
    };
    let resource_id = admin_drift::adopt(conn, table, project_id, &name, openstack_id).await?;
    reconcile_requests::enqueue(&mut *conn, job_of(table), ctx.actor_id(), Some(&ctx.request_id)).await?;
    Ok(Adopted {
        project_id,
        resource_id,
    })
}

/// Writes the cloud's value into our row, if our row still holds the value
/// the finding saw (else the finding is stale: 409) and the version holds.
pub async fn accept_cloud(conn: &mut MySqlConnection, finding: &DriftFinding) -> AppResult<()> {
    if finding.kind != "field_mismatch" {
        return Err(wrong_action("accept_cloud applies to field_mismatch findings only"));
    }
    let table = table_of(finding, "accept_cloud")?;
    let Some(column) = table.accepts_cloud_value_for(&finding.field) else {
        return Err(wrong_action(&format!(
            "the cloud's value of {} cannot be written back",
            finding.field
        )));
    };
    let Some(resource_id) = finding.resource_id else {
        return Err(wrong_action("the finding names no row of ours"));
    };
    let Some((current, version)) = admin_drift::read_field(conn, table, column, resource_id).await? else {
        return Err(stale(finding.id, "the row is gone"));
    };
    if current != finding.our_value {
        return Err(stale(finding.id, "our value changed since the finding was recorded"));
    }
    admin_drift::write_field(
        conn,
        table,
        column,
        resource_id,
        version,
        finding.cloud_value.as_deref(),
    )
    .await
}

fn table_of(finding: &DriftFinding, action: &str) -> AppResult<DriftTable> {
    DriftTable::parse(&finding.resource_type)
        .ok_or_else(|| wrong_action(&format!("{action} does not apply to a {}", finding.resource_type)))
}

fn job_of(table: DriftTable) -> &'static str {
    let job = match table {
        DriftTable::Server => "servers",
        DriftTable::Volume => "volumes",
        DriftTable::SecurityGroup => "security-groups",
        DriftTable::FloatingIp => "floating-ips",
        DriftTable::NetworkInterface => "network-interfaces",
    };
    debug_assert!(reconcile::is_job(job));
    job
}

fn wrong_action(message: &str) -> AppError {
    AppError::invalid_field("body.action", "value_error", message)
}

fn stale(id: i64, why: &str) -> AppError {
    AppError::conflict("DRIFT_FINDING_STALE", format!("drift finding {id} is stale: {why}"))
}
