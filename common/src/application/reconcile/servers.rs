//! The servers pass: observe every managed project's servers, diff them
//! against the rows, act on the difference with versioned writes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use super::managed::ManagedProjects;
use super::report::{Outcome, PassReport};
use super::server_diff::{ServerChange, ServerRecord, diff_servers};
use super::{Listing, Policy};
use crate::domain::server_state::{ServerStatus, ServerTask};
use crate::error::{AppResult, ErrorKind};
use crate::infrastructure::cloud::{CloudConnector, CloudServer, InventoryQuery};
use crate::infrastructure::db::drift_findings::{self, DriftKind, NewFinding};
use crate::infrastructure::db::servers::{self, ObservedServer};

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
        let inventory = managed.inventory(self.connector)?;
        let query = InventoryQuery {
            changes_since: match self.listing {
                Listing::Complete => None,
                Listing::ChangesSince(t) => Some(t),
            },
            page_size: Some(1000),
        };
        // A failed or partial listing is an error of the whole pass: nothing
        // can be concluded from it, so nothing is marked gone.
        let cloud = inventory
            .list_servers(&query)
            .await
            .map_err(super::managed::cloud_failure)?;
        let rows = servers::list_for_reconcile(self.pool, &managed.ids()).await?;
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
                })
            })
            .collect();
        report.examined = (records.len().max(cloud.len())) as u64;
        let by_cloud_id: HashMap<&str, &CloudServer> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
        let project_of_row: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.project_id)).collect();

        for change in diff_servers(&records, &cloud, self.listing, &self.policy, self.now) {
            let line = describe(&change);
            if self.dry_run {
                report.planned(
                    line,
                    matches!(
                        change,
                        ServerChange::Unmanaged { .. } | ServerChange::FieldMismatch { .. }
                    ),
                );
                continue;
            }
            let outcome = self.apply(&change, &by_cloud_id, &project_of_row, managed).await;
            report.record(line, outcome);
        }
        Ok(report)
    }

    async fn apply(
        &self,
        change: &ServerChange,
        cloud: &HashMap<&str, &CloudServer>,
        project_of_row: &HashMap<i64, i64>,
        managed: &ManagedProjects,
    ) -> Outcome {
        let result = match change {
            ServerChange::Observe {
                id,
                version,
                openstack_id,
                ..
            } => {
                let Some(seen) = cloud.get(openstack_id.as_str()) else {
                    return Outcome::Skipped;
                };
                let mut conn = match self.pool.acquire().await {
                    Ok(c) => c,
                    Err(e) => return Outcome::Failed(e.to_string()),
                };
                servers::record_observed(
                    &mut conn,
                    *id,
                    *version,
                    &ObservedServer {
                        openstack_id,
                        status: &seen.status,
                        cloud_task_state: seen.task_state.as_deref(),
                        fault_message: seen.fault_message.as_deref(),
                    },
                )
                .await
                .map(|()| Outcome::Changed)
            }
            ServerChange::FinishDelete { id, version } => return self.finish_delete(*id, *version).await,
            ServerChange::ConfirmGone {
                id,
                version,
                openstack_id,
                deleting,
            } => {
                let Some(project_id) = project_of_row.get(id) else {
                    return Outcome::Skipped;
                };
                let project = match managed.project(self.connector, *project_id) {
                    Ok(p) => p,
                    Err(e) => return Outcome::Failed(format!("{e:?}")),
                };
                match project.get_server(openstack_id).await {
                    Ok(_) => Ok(Outcome::Unchanged),
                    Err(e) if e.is_not_found() => {
                        if !deleting {
                            let finding = NewFinding {
                                kind: DriftKind::MissingInCloud,
                                resource_type: "server",
                                resource_id: Some(*id),
                                project_id: Some(*project_id),
                                openstack_id: Some(openstack_id),
                                field: "",
                                our_value: Some(openstack_id),
                                cloud_value: None,
                            };
                            if let Err(e) = drift_findings::record(self.pool, &finding).await {
                                return Outcome::Failed(format!("{e:?}"));
                            }
                        }
                        return match self.finish_delete(*id, *version).await {
                            Outcome::Changed if !deleting => Outcome::ChangedWithDrift,
                            other => other,
                        };
                    }
                    Err(e) => return Outcome::Failed(e.to_string()),
                }
            }
            ServerChange::ReissueCreate { id, version } | ServerChange::TimeOut { id, version, .. } => {
                let reason = match change {
                    ServerChange::TimeOut { reason, .. } => reason.clone(),
                    _ => "the create never reached the cloud; delete this server and create it again".to_owned(),
                };
                let mut conn = match self.pool.acquire().await {
                    Ok(c) => c,
                    Err(e) => return Outcome::Failed(e.to_string()),
                };
                servers::mark_error(&mut conn, *id, *version, &reason)
                    .await
                    .map(|()| Outcome::Changed)
            }
            ServerChange::Unmanaged {
                openstack_id,
                project_cloud_id,
                name,
            } => {
                let finding = NewFinding {
                    kind: DriftKind::UnmanagedInCloud,
                    resource_type: "server",
                    resource_id: None,
                    project_id: project_cloud_id.as_deref().and_then(|c| managed.id_of_cloud(c)),
                    openstack_id: Some(openstack_id),
                    field: "",
                    our_value: None,
                    cloud_value: Some(name),
                };
                drift_findings::record(self.pool, &finding)
                    .await
                    .map(|_| Outcome::Drift)
            }
            ServerChange::FieldMismatch {
                id,
                openstack_id,
                field,
                ours,
                cloud,
            } => {
                let finding = NewFinding {
                    kind: DriftKind::FieldMismatch,
                    resource_type: "server",
                    resource_id: Some(*id),
                    project_id: project_of_row.get(id).copied(),
                    openstack_id: Some(openstack_id),
                    field,
                    our_value: Some(ours),
                    cloud_value: Some(cloud),
                };
                drift_findings::record(self.pool, &finding)
                    .await
                    .map(|_| Outcome::Drift)
            }
        };
        match result {
            Ok(outcome) => outcome,
            Err(e) if e.kind == ErrorKind::Conflict => Outcome::Skipped,
            Err(e) => Outcome::Failed(format!("{e:?}")),
        }
    }

    async fn finish_delete(&self, id: i64, version: i64) -> Outcome {
        let mut tx = match self.pool.begin().await {
            Ok(t) => t,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        match servers::finish_delete(&mut tx, id, version).await {
            Ok(()) => match tx.commit().await {
                Ok(()) => Outcome::Changed,
                Err(e) => Outcome::Failed(e.to_string()),
            },
            Err(e) if e.kind == ErrorKind::Conflict => Outcome::Skipped,
            Err(e) => Outcome::Failed(format!("{e:?}")),
        }
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
        ServerChange::ReissueCreate { id, .. } => (format!("server {id}"), "create was lost; mark ERROR".into()),
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
