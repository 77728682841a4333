//! The servers pass: observe every managed project's servers, diff them
//! against the rows, act on the difference with versioned writes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use super::act;
use super::backoff::Backoff;
use super::managed::{ManagedProjects, cloud_failure};
use super::reissue;
use super::report::{Outcome, PassReport};
use super::seen::seen;
use super::server_diff::{ServerChange, ServerRecord, diff_servers};
use super::settle::{KindRows, settle};
use super::tracked::Lifecycle;
use super::{Listing, Policy};
use crate::application::intent::{self, Witness};
use crate::domain::server::inventory_id;
use crate::domain::server_state::{ServerStatus, ServerTask};
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudConnector, CloudProject, CloudResult, CloudServer, InventoryQuery};
use crate::infrastructure::db::servers::{self, ObservedServer, ServerReconcileRow};

pub struct ServersPass<'a> {
    pub pool: &'a MySqlPool,
    pub connector: &'a CloudConnector,
    pub policy: Policy,
    pub listing: Listing,
    pub dry_run: bool,
    pub now: DateTime<Utc>,
}

impl ServersPass<'_> {
    pub async fn run(&self, managed: &ManagedProjects) -> AppResult<PassReport> {
        let mut report = PassReport::default();
        if managed.is_empty() {
            return Ok(report);
        }
        // A failed or partial listing fails the whole pass: nothing can be
        // concluded from it, so nothing is marked gone.
        let cloud = managed
            .inventory(self.connector)?
            .list_servers(&query(self.listing))
            .await
            .map_err(cloud_failure)?;
        let rows = servers::list_for_reconcile(self.pool, &managed.ids()).await?;
        let mut backoff = Backoff::load(self.pool, "server", self.policy.backoff, self.now).await?;
        self.reconcile(&rows, &cloud, self.listing, managed, &mut report, &mut backoff)
            .await?;
        Ok(report)
    }

    /// A targeted refresh: only these rows, each seen through a direct get
    /// of its cloud id (or, without one, the project's servers filtered by
    /// its inventory id). Either answer is authenticated and complete for
    /// that one server, so the rules of a complete pass apply to it, and a
    /// 404 still has to be confirmed by `ConfirmGone`'s own get.
    pub async fn refresh(&self, managed: &ManagedProjects, ids: &[i64]) -> AppResult<PassReport> {
        let mut report = PassReport::default();
        let rows = servers::list_for_reconcile_by_id(self.pool, &managed.ids(), ids).await?;
        let mut backoff = Backoff::load(self.pool, "server", self.policy.backoff, self.now).await?;
        for row in rows {
            let line = (format!("server {}", row.id), "refresh".to_owned());
            let seen = match managed.project(self.connector, row.project_id) {
                Ok(project) => see(project.as_ref(), &row).await,
                Err(e) => Err(format!("{e:?}")),
            };
            match seen {
                Ok(cloud) => {
                    self.reconcile(&[row], &cloud, Listing::Complete, managed, &mut report, &mut backoff)
                        .await?
                }
                Err(why) => report.record(line, Outcome::Failed(why)),
            }
        }
        Ok(report)
    }

    async fn reconcile(
        &self,
        rows: &[ServerReconcileRow],
        cloud: &[CloudServer],
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
        let reissues = reissue::counts(self.pool, "server", &candidates).await?;
        let records: Vec<ServerRecord> = rows
            .iter()
            .filter_map(|r| {
                Some(ServerRecord {
                    id: r.id,
                    version: r.version,
                    project_cloud_id: managed.cloud_id_of(r.project_id)?.to_owned(),
                    openstack_id: r.openstack_id.clone(),
                    status: ServerStatus::from_cloud(&r.status),
                    task: r.task_state.as_deref().and_then(ServerTask::parse),
                    task_since: r.pending_since,
                    error_message: r.error_message.clone(),
                    flavor_id: r.flavor_id.clone(),
                    synced: r.last_synced_at.is_some(),
                    reissues: reissues.get(&r.id).copied().unwrap_or(0),
                })
            })
            .collect();
        report.examined += records.len().max(cloud.len()) as u64;
        let cloud_by_id: HashMap<&str, &CloudServer> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
        let project_of: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.project_id)).collect();

        for change in diff_servers(&records, cloud, listing, &self.policy, self.now) {
            let line = describe(&change);
            let resource = resource_id(&change);
            if let Some(deferred) = backoff.deferred(resource) {
                report.deferred(line, deferred);
                continue;
            }
            if self.dry_run {
                let drift = matches!(
                    change,
                    ServerChange::Unmanaged { .. } | ServerChange::FieldMismatch { .. }
                );
                report.planned(line, drift);
                continue;
            }
            let outcome = self.apply(change, &cloud_by_id, &project_of, managed).await;
            backoff.settle(resource, &outcome).await;
            report.record(line, outcome);
        }
        if !self.dry_run {
            backoff.finish(listing, rows.iter().map(|r| r.id)).await;
        }
        Ok(())
    }

    async fn settle(&self, change: Lifecycle, project_of: &HashMap<i64, i64>, managed: &ManagedProjects) -> Outcome {
        settle::<ServerRows>(self.pool, self.connector, managed, project_of, change).await
    }

    async fn apply(
        &self,
        change: ServerChange,
        cloud: &HashMap<&str, &CloudServer>,
        project_of: &HashMap<i64, i64>,
        managed: &ManagedProjects,
    ) -> Outcome {
        let pool = self.pool;
        match change {
            ServerChange::Observe {
                id,
                version,
                openstack_id,
                ..
            } => {
                let Some(seen) = cloud.get(openstack_id.as_str()) else {
                    return Outcome::Skipped;
                };
                let seen = ObservedServer {
                    openstack_id: &openstack_id,
                    status: &seen.status,
                    cloud_task_state: seen.task_state.as_deref(),
                    fault_message: seen.fault_message.as_deref(),
                    flavor_id: seen.flavor_id.as_deref(),
                };
                act::write(pool, async |c| {
                    servers::record_observed(c, id, version, &seen).await?;
                    match seen.failure() {
                        Some(reason) => intent::record_failure(c, Witness::Reconcile, "server", id, &reason).await,
                        None => Ok(()),
                    }
                })
                .await
            }
            ServerChange::FinishDelete { id, version } => {
                self.settle(Lifecycle::FinishDelete { id, version }, project_of, managed)
                    .await
            }
            ServerChange::ConfirmGone {
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
            ServerChange::ReissueCreate { id, version } => {
                let Some(&project_id) = project_of.get(&id) else {
                    return Outcome::Skipped;
                };
                match managed.project(self.connector, project_id) {
                    Ok(project) => reissue::server(pool, project.as_ref(), project_id, id, version).await,
                    Err(e) => Outcome::Failed(format!("{e:?}")),
                }
            }
            ServerChange::GiveUpCreate { id, version, reason } => {
                let Some(&project_id) = project_of.get(&id) else {
                    return Outcome::Skipped;
                };
                match managed.project(self.connector, project_id) {
                    Ok(project) => {
                        reissue::give_up_server(pool, project.as_ref(), project_id, id, version, &reason).await
                    }
                    Err(e) => Outcome::Failed(format!("{e:?}")),
                }
            }
            ServerChange::TimeOut { id, version, reason } => {
                self.settle(Lifecycle::TimeOut { id, version, reason }, project_of, managed)
                    .await
            }
            ServerChange::Unmanaged {
                openstack_id,
                project_cloud_id,
                name,
            } => {
                let project_id = project_cloud_id.as_deref().and_then(|c| managed.id_of_cloud(c));
                act::finding(pool, act::unmanaged("server", project_id, &openstack_id, &name)).await
            }
            ServerChange::FieldMismatch {
                id,
                openstack_id,
                field,
                ours,
                cloud,
            } => {
                let f = act::mismatch(
                    "server",
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

pub fn query(listing: Listing) -> InventoryQuery {
    InventoryQuery {
        changes_since: match listing {
            Listing::Complete => None,
            Listing::ChangesSince(t) => Some(t),
        },
        page_size: Some(1000),
    }
}

/// What the cloud shows of one row: a direct get of its cloud id, or the
/// server carrying its inventory id. A 404 is an empty answer, anything
/// else that fails fails the refresh of the row.
async fn see(project: &dyn CloudProject, row: &ServerReconcileRow) -> Result<Vec<CloudServer>, String> {
    let inventory = inventory_id("server", row.id);
    seen(
        row.openstack_id.as_deref().map(|id| project.get_server(id)),
        project.find_server_by_inventory_id(&inventory),
    )
    .await
}

/// The lifecycle writes and the confirming get of the `servers` table.
struct ServerRows;

impl KindRows for ServerRows {
    const RESOURCE: &'static str = "server";

    async fn finish_delete(c: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
        servers::finish_delete(c, id, version).await
    }

    async fn mark_error(c: &mut MySqlConnection, id: i64, version: i64, reason: &str) -> AppResult<()> {
        servers::mark_error(c, id, version, reason).await
    }

    async fn get(project: &dyn CloudProject, openstack_id: &str) -> CloudResult<()> {
        project.get_server(openstack_id).await.map(|_| ())
    }
}

/// The row a change acts on; `None` for a cloud server no row claims.
fn resource_id(change: &ServerChange) -> Option<i64> {
    match change {
        ServerChange::Observe { id, .. }
        | ServerChange::FinishDelete { id, .. }
        | ServerChange::ConfirmGone { id, .. }
        | ServerChange::ReissueCreate { id, .. }
        | ServerChange::GiveUpCreate { id, .. }
        | ServerChange::TimeOut { id, .. }
        | ServerChange::FieldMismatch { id, .. } => Some(*id),
        ServerChange::Unmanaged { .. } => None,
    }
}

fn describe(change: &ServerChange) -> (String, String) {
    match change {
        ServerChange::Observe {
            id,
            status,
            clear_task,
            openstack_id,
            ..
        } => (
            format!("server {id}"),
            format!(
                "observe {} ({openstack_id}){}",
                status.as_str(),
                if *clear_task { ", task done" } else { "" }
            ),
        ),
        ServerChange::FinishDelete { id, .. } => (format!("server {id}"), "delete confirmed by the cloud".into()),
        ServerChange::ConfirmGone { id, openstack_id, .. } => (
            format!("server {id}"),
            format!("absent from the cloud listing; confirm {openstack_id} is gone"),
        ),
        ServerChange::ReissueCreate { id, .. } => (
            format!("server {id}"),
            "the create never reached the cloud; issue it again".into(),
        ),
        ServerChange::GiveUpCreate { id, reason, .. } => (format!("server {id}"), format!("give up: {reason}")),
        ServerChange::TimeOut { id, reason, .. } => (format!("server {id}"), format!("time out: {reason}")),
        ServerChange::Unmanaged { openstack_id, name, .. } => {
            (format!("cloud server {openstack_id}"), format!("unmanaged ({name})"))
        }
        ServerChange::FieldMismatch {
            id, field, ours, cloud, ..
        } => (
            format!("server {id}"),
            format!("{field} differs: ours {ours}, cloud {cloud}"),
        ),
    }
}
