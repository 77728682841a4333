//! Pieces every reconciler's act step shares: findings, versioned writes
//! that lose a race, and the direct get that proves a resource gone.

use std::future::Future;

use sqlx::{MySqlConnection, MySqlPool};

use super::report::Outcome;
use crate::error::{AppResult, ErrorKind};
use crate::infrastructure::cloud::CloudResult;
use crate::infrastructure::db::drift_findings::{self, DriftKind, NewFinding};

/// Runs one versioned write in its own transaction. A version conflict means
/// the API changed the row meanwhile: skipped, retried next pass.
pub async fn write<F>(pool: &MySqlPool, f: F) -> Outcome
where
    F: AsyncFnOnce(&mut MySqlConnection) -> AppResult<()>,
{
    let mut tx = match pool.begin().await {
        Ok(tx) => tx,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    match f(&mut tx).await {
        Ok(()) => match tx.commit().await {
            Ok(()) => Outcome::Changed,
            Err(e) => Outcome::Failed(e.to_string()),
        },
        Err(e) if e.kind == ErrorKind::Conflict => Outcome::Skipped,
        Err(e) => Outcome::Failed(format!("{e:?}")),
    }
}

pub async fn finding(pool: &MySqlPool, f: NewFinding<'_>) -> Outcome {
    match drift_findings::record(pool, &f).await {
        Ok(_) => Outcome::Drift,
        Err(e) => Outcome::Failed(format!("{e:?}")),
    }
}

pub fn unmanaged<'a>(
    resource_type: &'a str,
    project_id: Option<i64>,
    openstack_id: &'a str,
    name: &'a str,
) -> NewFinding<'a> {
    NewFinding {
        kind: DriftKind::UnmanagedInCloud,
        resource_type,
        resource_id: None,
        project_id,
        openstack_id: Some(openstack_id),
        field: "",
        our_value: None,
        cloud_value: Some(name),
    }
}

pub fn mismatch<'a>(
    resource_type: &'a str,
    id: i64,
    project_id: Option<i64>,
    openstack_id: &'a str,
    field: &'a str,
    ours: &'a str,
    cloud: &'a str,
) -> NewFinding<'a> {
    NewFinding {
        kind: DriftKind::FieldMismatch,
        resource_type,
        resource_id: Some(id),
        project_id,
        openstack_id: Some(openstack_id),
        field,
        our_value: Some(ours),
        cloud_value: Some(cloud),
    }
}

/// A row whose cloud resource a complete listing did not show.
pub struct Absent<'a> {
    pub resource_type: &'a str,
    pub id: i64,
    pub project_id: i64,
    pub openstack_id: &'a str,
    /// The row was being deleted by us.
    pub deleting: bool,
}

/// A resource missing from a complete listing is gone only if a direct get
/// answers 404. Then `finish` soft-deletes the row; unless the delete was
/// ours, a `missing_in_cloud` finding records it.
pub async fn confirm_gone<G, F>(pool: &MySqlPool, absent: Absent<'_>, get: G, finish: F) -> Outcome
where
    G: Future<Output = CloudResult<()>>,
    F: AsyncFnOnce(&mut MySqlConnection) -> AppResult<()>,
{
    match get.await {
        Ok(()) => Outcome::Unchanged,
        Err(e) if e.is_not_found() => {
            if !absent.deleting {
                let missing = NewFinding {
                    kind: DriftKind::MissingInCloud,
                    resource_type: absent.resource_type,
                    resource_id: Some(absent.id),
                    project_id: Some(absent.project_id),
                    openstack_id: Some(absent.openstack_id),
                    field: "",
                    our_value: Some(absent.openstack_id),
                    cloud_value: None,
                };
                if let Outcome::Failed(why) = finding(pool, missing).await {
                    return Outcome::Failed(why);
                }
            }
            match write(pool, finish).await {
                Outcome::Changed if !absent.deleting => Outcome::ChangedWithDrift,
                other => other,
            }
        }
        Err(e) => Outcome::Failed(e.to_string()),
    }
}
