//! `drift_finding`: where the cloud and the inventory disagree. One open
//! finding per (kind, resource, field): seeing it again only moves
//! `last_seen_at` and refreshes the values.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql};

use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    MissingInCloud,
    UnmanagedInCloud,
    FieldMismatch,
}

impl DriftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingInCloud => "missing_in_cloud",
            Self::UnmanagedInCloud => "unmanaged_in_cloud",
            Self::FieldMismatch => "field_mismatch",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFinding<'a> {
    pub kind: DriftKind,
    pub resource_type: &'a str,
    pub resource_id: Option<i64>,
    pub project_id: Option<i64>,
    pub openstack_id: Option<&'a str>,
    /// Empty when the finding is about the whole resource.
    pub field: &'a str,
    pub our_value: Option<&'a str>,
    pub cloud_value: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct DriftFinding {
    pub id: i64,
    pub kind: String,
    pub resource_type: String,
    pub resource_id: Option<i64>,
    pub project_id: Option<i64>,
    pub openstack_id: Option<String>,
    pub field: String,
    pub our_value: Option<String>,
    pub cloud_value: Option<String>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub resolved_by_user_id: Option<i64>,
    pub version: i64,
}

/// Records the finding; true when it is new (not seen while open before).
pub async fn record<'c>(db: impl Executor<'c, Database = MySql>, f: &NewFinding<'_>) -> AppResult<bool> {
    let result = sqlx::query(
        "INSERT INTO drift_finding (kind, resource_type, resource_id, project_id, openstack_id, field, our_value, cloud_value) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE last_seen_at = UTC_TIMESTAMP(6), our_value = VALUES(our_value), \
           cloud_value = VALUES(cloud_value), project_id = COALESCE(VALUES(project_id), project_id)",
    )
    .bind(f.kind.as_str())
    .bind(f.resource_type)
    .bind(f.resource_id)
    .bind(f.project_id)
    .bind(f.openstack_id)
    .bind(f.field)
    .bind(f.our_value)
    .bind(f.cloud_value)
    .execute(db)
    .await?;
    // MySQL counts an insert as 1 affected row and an update of an existing row as 2.
    Ok(result.rows_affected() == 1)
}

pub async fn list_open<'c>(
    db: impl Executor<'c, Database = MySql>,
    resource_type: &str,
) -> AppResult<Vec<DriftFinding>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, resource_type, resource_id, project_id, openstack_id, field, our_value, cloud_value, \
         first_seen_at, last_seen_at, resolved_at, resolution, resolved_by_user_id, version \
         FROM drift_finding WHERE resolved_at IS NULL AND resource_type = ? ORDER BY id",
    )
    .bind(resource_type)
    .fetch_all(db)
    .await?)
}
