//! The volumes pass: the same observe, diff, act as servers, with attachment
//! and size read from the cloud.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use super::act;
use super::managed::{ManagedProjects, cloud_failure};
use super::report::{Outcome, PassReport};
use super::servers::query;
use super::settle::{KindRows, settle};
use super::tracked::Lifecycle;
use super::volume_diff::{VolumeChange, VolumeRecord, diff_volumes};
use super::{Listing, Policy};
use crate::domain::volume::VolumeStatus;
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudConnector, CloudProject, CloudResult, CloudVolume};
use crate::infrastructure::db::servers;
use crate::infrastructure::db::volumes::{self, ObservedVolume};

pub struct VolumesPass<'a> {
    pub pool: &'a MySqlPool,
    pub connector: &'a CloudConnector,
    pub policy: Policy,
    pub listing: Listing,
    pub dry_run: bool,
    pub now: DateTime<Utc>,
}

impl VolumesPass<'_> {
    pub async fn run(&self, managed: &ManagedProjects) -> AppResult<PassReport> {
        let mut report = PassReport::default();
        if managed.is_empty() {
            return Ok(report);
        }
        let cloud = managed
            .inventory(self.connector)?
            .list_volumes(&query(self.listing))
            .await
            .map_err(cloud_failure)?;
        let ids = managed.ids();
        let rows = volumes::list_for_reconcile(self.pool, &ids).await?;
        let records: Vec<VolumeRecord> = rows
            .iter()
            .map(|r| VolumeRecord {
                id: r.id,
                version: r.version,
                openstack_id: r.openstack_id.clone(),
                status: VolumeStatus::parse(&r.status).unwrap_or(VolumeStatus::Error),
                pending_action: r.pending_action.clone(),
                pending_since: r.pending_since,
                size_gb: u32::try_from(r.size_gb).unwrap_or(0),
                requested_size_gb: r.requested_size_gb.and_then(|s| u32::try_from(s).ok()),
                attached_to: r.server_openstack_id.clone(),
                is_root: r.is_root,
                synced: r.last_synced_at.is_some(),
            })
            .collect();
        report.examined = records.len().max(cloud.len()) as u64;
        let cloud_by_id: HashMap<&str, &CloudVolume> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
        let project_of: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.project_id)).collect();

        let changes = diff_volumes(&records, &cloud, self.listing, &self.policy, self.now);
        // Our ids of the cloud's servers are needed only to store an attachment.
        let attaches = changes.iter().any(|c| {
            matches!(
                c,
                VolumeChange::Observe {
                    attached_to: Some(_),
                    ..
                }
            )
        });
        let server_rows = if attaches && !self.dry_run {
            servers::list_for_reconcile(self.pool, &ids).await?
        } else {
            Vec::new()
        };
        let server_of_cloud: HashMap<&str, i64> = server_rows
            .iter()
            .filter_map(|s| Some((s.openstack_id.as_deref()?, s.id)))
            .collect();
        for change in changes {
            let line = describe(&change);
            if self.dry_run {
                let drift = matches!(
                    change,
                    VolumeChange::Unmanaged { .. } | VolumeChange::FieldMismatch { .. }
                );
                report.planned(line, drift);
                continue;
            }
            let outcome = self
                .apply(change, &cloud_by_id, &server_of_cloud, &project_of, managed)
                .await;
            report.record(line, outcome);
        }
        Ok(report)
    }

    async fn settle(&self, change: Lifecycle, project_of: &HashMap<i64, i64>, managed: &ManagedProjects) -> Outcome {
        settle::<VolumeRows>(self.pool, self.connector, managed, project_of, change).await
    }

    async fn apply(
        &self,
        change: VolumeChange,
        cloud: &HashMap<&str, &CloudVolume>,
        server_of_cloud: &HashMap<&str, i64>,
        project_of: &HashMap<i64, i64>,
        managed: &ManagedProjects,
    ) -> Outcome {
        let pool = self.pool;
        match change {
            VolumeChange::Observe {
                id,
                version,
                openstack_id,
                size_gb,
                attached_to,
                ..
            } => {
                let Some(seen) = cloud.get(openstack_id.as_str()) else {
                    return Outcome::Skipped;
                };
                let seen = ObservedVolume {
                    openstack_id: &openstack_id,
                    status: &seen.status,
                    size_gb,
                    server_id: attached_to.as_deref().and_then(|s| server_of_cloud.get(s).copied()),
                    device: seen.attachments.first().and_then(|a| a.device.as_deref()),
                };
                act::write(pool, async |c| volumes::record_observed(c, id, version, &seen).await).await
            }
            VolumeChange::FinishDelete { id, version } => {
                self.settle(Lifecycle::FinishDelete { id, version }, project_of, managed)
                    .await
            }
            VolumeChange::ConfirmGone {
                id,
                version,
                openstack_id,
                deleting,
            } => {
                let gone = Lifecycle::ConfirmGone {
                    id,
                    version,
                    openstack_id,
                    deleting,
                };
                self.settle(gone, project_of, managed).await
            }
            VolumeChange::TimeOut { id, version, reason } => {
                self.settle(Lifecycle::TimeOut { id, version, reason }, project_of, managed)
                    .await
            }
            VolumeChange::Unmanaged {
                openstack_id,
                project_cloud_id,
                name,
            } => {
                let project_id = project_cloud_id.as_deref().and_then(|c| managed.id_of_cloud(c));
                act::finding(pool, act::unmanaged("volume", project_id, &openstack_id, &name)).await
            }
            VolumeChange::FieldMismatch {
                id,
                openstack_id,
                field,
                ours,
                cloud,
            } => {
                let f = act::mismatch(
                    "volume",
                    id,
                    project_of.get(&id).copied(),
                    &openstack_id,
                    field,
                    &ours,
                    &cloud,
                );
                act::finding(pool, f).await
            }
        }
    }
}

/// The lifecycle writes and the confirming get of the `volumes` table.
struct VolumeRows;

impl KindRows for VolumeRows {
    const RESOURCE: &'static str = "volume";

    async fn finish_delete(c: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
        volumes::finish_delete(c, id, version).await
    }

    async fn mark_error(c: &mut MySqlConnection, id: i64, version: i64, reason: &str) -> AppResult<()> {
        volumes::mark_error(c, id, version, reason).await
    }

    async fn get(project: &dyn CloudProject, openstack_id: &str) -> CloudResult<()> {
        project.get_volume(openstack_id).await.map(|_| ())
    }
}

fn describe(change: &VolumeChange) -> (String, String) {
    match change {
        VolumeChange::Observe {
            id,
            status,
            size_gb,
            openstack_id,
            ..
        } => (
            format!("volume {id}"),
            format!("observe {} {size_gb} GiB ({openstack_id})", status.as_str()),
        ),
        VolumeChange::FinishDelete { id, .. } => (format!("volume {id}"), "delete confirmed by the cloud".into()),
        VolumeChange::ConfirmGone { id, openstack_id, .. } => (
            format!("volume {id}"),
            format!("absent from the cloud listing; confirm {openstack_id} is gone"),
        ),
        VolumeChange::TimeOut { id, reason, .. } => (format!("volume {id}"), format!("time out: {reason}")),
        VolumeChange::Unmanaged { openstack_id, name, .. } => {
            (format!("cloud volume {openstack_id}"), format!("unmanaged ({name})"))
        }
        VolumeChange::FieldMismatch {
            id, field, ours, cloud, ..
        } => (
            format!("volume {id}"),
            format!("{field} differs: ours {ours}, cloud {cloud}"),
        ),
    }
}
