//! The network interfaces pass: observe, diff, act over the project's ports.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use super::act;
use super::backoff::Backoff;
use super::managed::{ManagedProjects, cloud_failure};
use super::port_diff::{PortChange, diff_ports};
use super::report::{Outcome, PassReport};
use super::servers::query;
use super::settle::{KindRows, settle};
use super::tracked::TrackedRow;
use super::{Listing, Policy};
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudConnector, CloudPort, CloudProject, CloudResult};
use crate::infrastructure::db::network_interfaces::{self, ObservedPort};

pub struct NetworkInterfacesPass<'a> {
    pub pool: &'a MySqlPool,
    pub connector: &'a CloudConnector,
    pub policy: Policy,
    pub listing: Listing,
    pub dry_run: bool,
    pub now: DateTime<Utc>,
}

struct InterfaceRows;

impl KindRows for InterfaceRows {
    const RESOURCE: &'static str = "network_interface";

    async fn finish_delete(c: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
        network_interfaces::finish_delete(c, id, version).await
    }

    async fn mark_error(c: &mut MySqlConnection, id: i64, version: i64, reason: &str) -> AppResult<()> {
        network_interfaces::mark_error(c, id, version, reason).await
    }

    async fn get(project: &dyn CloudProject, openstack_id: &str) -> CloudResult<()> {
        project.get_port(openstack_id).await.map(|_| ())
    }
}

impl NetworkInterfacesPass<'_> {
    pub async fn run(&self, managed: &ManagedProjects) -> AppResult<PassReport> {
        let mut report = PassReport::default();
        if managed.is_empty() {
            return Ok(report);
        }
        let cloud = managed
            .inventory(self.connector)?
            .list_ports(&query(self.listing))
            .await
            .map_err(cloud_failure)?;
        let rows = network_interfaces::list_for_reconcile(self.pool, &managed.ids()).await?;
        let records: Vec<TrackedRow> = rows
            .iter()
            .map(|r| TrackedRow {
                id: r.id,
                version: r.version,
                openstack_id: r.openstack_id.clone(),
                status: r.status.clone(),
                pending_action: r.pending_action.clone(),
                pending_since: r.pending_since,
            })
            .collect();
        report.examined = records.len().max(cloud.len()) as u64;
        let cloud_by_id: HashMap<&str, &CloudPort> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
        let project_of: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.project_id)).collect();

        let mut backoff = Backoff::load(self.pool, "network_interface", self.policy.backoff, self.now).await?;
        for change in diff_ports(&records, &cloud, self.listing, &self.policy, self.now) {
            let line = describe(&change);
            let resource = resource_id(&change);
            if let Some(deferred) = backoff.deferred(resource) {
                report.deferred(line, deferred);
                continue;
            }
            if self.dry_run {
                report.planned(line, matches!(change, PortChange::Unmanaged { .. }));
                continue;
            }
            let outcome = self.apply(change, &cloud_by_id, &project_of, managed).await;
            backoff.settle(resource, &outcome).await;
            report.record(line, outcome);
        }
        if !self.dry_run {
            backoff.finish(self.listing, rows.iter().map(|r| r.id)).await;
        }
        Ok(report)
    }

    async fn apply(
        &self,
        change: PortChange,
        cloud: &HashMap<&str, &CloudPort>,
        project_of: &HashMap<i64, i64>,
        managed: &ManagedProjects,
    ) -> Outcome {
        let pool = self.pool;
        match change {
            PortChange::Observe {
                id,
                version,
                openstack_id,
                status,
            } => {
                let Some(port) = cloud.get(openstack_id.as_str()) else {
                    return Outcome::Skipped;
                };
                let seen = ObservedPort {
                    openstack_id: &openstack_id,
                    status: &status,
                    fixed_ip: port.fixed_ips.first().map(|f| f.ip_address.as_str()),
                    mac_address: port.mac_address.as_deref(),
                };
                act::write(pool, async |c| {
                    network_interfaces::record_observed(c, id, version, &seen).await
                })
                .await
            }
            PortChange::Lifecycle(change) => {
                settle::<InterfaceRows>(pool, self.connector, managed, project_of, change).await
            }
            PortChange::Unmanaged {
                openstack_id,
                project_cloud_id,
                name,
            } => {
                let project_id = project_cloud_id.as_deref().and_then(|c| managed.id_of_cloud(c));
                act::finding(
                    pool,
                    act::unmanaged("network_interface", project_id, &openstack_id, &name),
                )
                .await
            }
        }
    }
}

fn resource_id(change: &PortChange) -> Option<i64> {
    match change {
        PortChange::Observe { id, .. } => Some(*id),
        PortChange::Lifecycle(l) => Some(l.id()),
        PortChange::Unmanaged { .. } => None,
    }
}

fn describe(change: &PortChange) -> (String, String) {
    match change {
        PortChange::Observe {
            id,
            status,
            openstack_id,
            ..
        } => (
            format!("network interface {id}"),
            format!("observe {status} ({openstack_id})"),
        ),
        PortChange::Lifecycle(l) => (format!("network interface {}", l.id()), l.describe()),
        PortChange::Unmanaged { openstack_id, name, .. } => {
            (format!("cloud port {openstack_id}"), format!("unmanaged ({name})"))
        }
    }
}
