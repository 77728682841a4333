//! The volumes pass: the same observe, diff, act as servers, with attachment
//! and size read from the cloud.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use super::act;
use super::backoff::Backoff;
use super::managed::{ManagedProjects, cloud_failure};
use super::reissue;
use super::report::{Outcome, PassReport};
use super::seen::seen;
use super::servers::query;
use super::settle::{KindRows, settle};
use super::tracked::Lifecycle;
use super::volume_diff::{VolumeChange, VolumeRecord, diff_volumes};
use super::{Listing, Policy};
use crate::application::intent::{self, Witness};
use crate::domain::server::inventory_id;
use crate::domain::volume::VolumeStatus;
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudConnector, CloudProject, CloudResult, CloudVolume};
use crate::infrastructure::db::servers;
use crate::infrastructure::db::volumes::{self, ObservedVolume, VolumeReconcileRow};

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
        let mut backoff = Backoff::load(self.pool, "volume", self.policy.backoff, self.now).await?;
        self.reconcile(&rows, &cloud, self.listing, managed, &mut report, &mut backoff)
            .await?;
        Ok(report)
    }

    /// A targeted refresh: only these rows, each seen through a direct get
    /// of its cloud id (or, without one, the project's volumes filtered by
    /// its inventory id), under the rules of a complete pass (see
    /// `ServersPass::refresh`).
    pub async fn refresh(&self, managed: &ManagedProjects, ids: &[i64]) -> AppResult<PassReport> {
        let mut report = PassReport::default();
        let rows = volumes::list_for_reconcile_by_id(self.pool, &managed.ids(), ids).await?;
        let mut backoff = Backoff::load(self.pool, "volume", self.policy.backoff, self.now).await?;
        for row in rows {
            let line = (format!("volume {}", row.id), "refresh".to_owned());
            let seen = match managed.project(self.connector, row.project_id) {
                Ok(project) => see(project.as_ref(), &row).await,
                Err(e) => Err(format!("{e:?}")),
            };
            let cloud = match seen {
                Ok(cloud) => cloud,
                Err(why) => {
                    report.record(line, Outcome::Failed(why));
                    continue;
                }
            };
            self.reconcile(&[row], &cloud, Listing::Complete, managed, &mut report, &mut backoff)
                .await?;
        }
        Ok(report)
    }

    async fn reconcile(
        &self,
        rows: &[VolumeReconcileRow],
        cloud: &[CloudVolume],
        listing: Listing,
        managed: &ManagedProjects,
        report: &mut PassReport,
        backoff: &mut Backoff<'_>,
    ) -> AppResult<()> {
        let candidates: Vec<i64> = rows
            .iter()
            .filter(|r| r.openstack_id.is_none() && r.pending_action.as_deref() == Some("create"))
            .map(|r| r.id)
            .collect();
        let reissues = reissue::counts(self.pool, "volume", &candidates).await?;
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
                reissues: reissues.get(&r.id).copied().unwrap_or(0),
            })
            .collect();
        report.examined += records.len().max(cloud.len()) as u64;
        let cloud_by_id: HashMap<&str, &CloudVolume> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
        let project_of: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.project_id)).collect();

        let changes = diff_volumes(&records, cloud, listing, &self.policy, self.now);
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
            let projects: Vec<i64> = project_of
                .values()
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            servers::list_for_reconcile(self.pool, &projects).await?
        } else {
            Vec::new()
        };
        let server_of_cloud: HashMap<&str, i64> = server_rows
            .iter()
            .filter_map(|s| Some((s.openstack_id.as_deref()?, s.id)))
            .collect();
        for change in changes {
            let line = describe(&change);
            let resource = resource_id(&change);
            if let Some(deferred) = backoff.deferred(resource) {
                report.deferred(line, deferred);
                continue;
            }
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
            backoff.settle(resource, &outcome).await;
            report.record(line, outcome);
        }
        if !self.dry_run {
            backoff.finish(listing, rows.iter().map(|r| r.id)).await;
        }
        Ok(())
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
                act::write(pool, async |c| {
                    volumes::record_observed(c, id, version, &seen).await?;
                    match seen.failure() {
                        Some(reason) => intent::record_failure(c, Witness::Reconcile, "volume", id, &reason).await,
                        None => Ok(()),
                    }
                })
                .await
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
            VolumeChange::ReissueCreate { id, version } => {
                let Some(&project_id) = project_of.get(&id) else {
                    return Outcome::Skipped;
                };
                match managed.project(self.connector, project_id) {
                    Ok(project) => reissue::volume(pool, project.as_ref(), project_id, id, version).await,
                    Err(e) => Outcome::Failed(format!("{e:?}")),
                }
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

/// What the cloud shows of one row (see `servers::see`). A root volume
/// without a cloud id carries no inventory id: nothing is seen of it here.
async fn see(project: &dyn CloudProject, row: &VolumeReconcileRow) -> Result<Vec<CloudVolume>, String> {
    let inventory = inventory_id("volume", row.id);
    seen(
        row.openstack_id.as_deref().map(|id| project.get_volume(id)),
        project.find_volume_by_inventory_id(&inventory),
    )
    .await
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

/// The row a change acts on; `None` for a cloud volume no row claims.
fn resource_id(change: &VolumeChange) -> Option<i64> {
    match change {
        VolumeChange::Observe { id, .. }
        | VolumeChange::FinishDelete { id, .. }
        | VolumeChange::ConfirmGone { id, .. }
        | VolumeChange::ReissueCreate { id, .. }
        | VolumeChange::TimeOut { id, .. }
        | VolumeChange::FieldMismatch { id, .. } => Some(*id),
        VolumeChange::Unmanaged { .. } => None,
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
        VolumeChange::ReissueCreate { id, .. } => (
            format!("volume {id}"),
            "the create never reached the cloud; issue it again".into(),
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
