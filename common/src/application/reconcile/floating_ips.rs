//! The floating IPs pass: observe, diff, act, with the association read
//! from the cloud and mapped to our network interfaces.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use super::act;
use super::backoff::Backoff;
use super::floating_ip_diff::{FloatingIpChange, FloatingIpRecord, diff_floating_ips};
use super::managed::{ManagedProjects, cloud_failure};
use super::report::{Outcome, PassReport};
use super::servers::query;
use super::settle::{KindRows, settle};
use super::tracked::TrackedRow;
use super::{Listing, Policy};
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudConnector, CloudFloatingIp, CloudProject, CloudResult};
use crate::infrastructure::db::floating_ips::{self, ObservedFloatingIp};
use crate::infrastructure::db::network_interfaces;

pub struct FloatingIpsPass<'a> {
    pub pool: &'a MySqlPool,
    pub connector: &'a CloudConnector,
    pub policy: Policy,
    pub listing: Listing,
    pub dry_run: bool,
    pub now: DateTime<Utc>,
}

struct FloatingIpRows;

impl KindRows for FloatingIpRows {
    const RESOURCE: &'static str = "floating_ip";

    async fn finish_delete(c: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
        floating_ips::finish_delete(c, id, version).await
    }

    async fn mark_error(c: &mut MySqlConnection, id: i64, version: i64, reason: &str) -> AppResult<()> {
        floating_ips::mark_error(c, id, version, reason).await
    }

    async fn get(project: &dyn CloudProject, openstack_id: &str) -> CloudResult<()> {
        project.get_floating_ip(openstack_id).await.map(|_| ())
    }
}

impl FloatingIpsPass<'_> {
    pub async fn run(&self, managed: &ManagedProjects) -> AppResult<PassReport> {
        let mut report = PassReport::default();
        if managed.is_empty() {
            return Ok(report);
        }
        let cloud = managed
            .inventory(self.connector)?
            .list_floating_ips(&query(self.listing))
            .await
            .map_err(cloud_failure)?;
        let ids = managed.ids();
        let rows = floating_ips::list_for_reconcile(self.pool, &ids).await?;
        let interface_of_port: HashMap<String, i64> = network_interfaces::list_for_reconcile(self.pool, &ids)
            .await?
            .into_iter()
            .filter_map(|n| Some((n.openstack_id?, n.id)))
            .collect();
        let records: Vec<FloatingIpRecord> = rows
            .iter()
            .map(|r| FloatingIpRecord {
                row: TrackedRow {
                    id: r.id,
                    version: r.version,
                    openstack_id: r.openstack_id.clone(),
                    status: r.status.clone(),
                    pending_action: r.pending_action.clone(),
                    pending_since: r.pending_since,
                },
                network_interface_id: r.network_interface_id,
            })
            .collect();
        report.examined = records.len().max(cloud.len()) as u64;
        let cloud_by_id: HashMap<&str, &CloudFloatingIp> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
        let project_of: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.project_id)).collect();

        let changes = diff_floating_ips(
            &records,
            &cloud,
            &interface_of_port,
            self.listing,
            &self.policy,
            self.now,
        );
        let mut backoff = Backoff::load(self.pool, "floating_ip", self.policy.backoff, self.now).await?;
        for change in changes {
            let line = describe(&change);
            let resource = resource_id(&change);
            if let Some(deferred) = backoff.deferred(resource) {
                report.deferred(line, deferred);
                continue;
            }
            if self.dry_run {
                report.planned(line, matches!(change, FloatingIpChange::Unmanaged { .. }));
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
        change: FloatingIpChange,
        cloud: &HashMap<&str, &CloudFloatingIp>,
        project_of: &HashMap<i64, i64>,
        managed: &ManagedProjects,
    ) -> Outcome {
        let pool = self.pool;
        match change {
            FloatingIpChange::Observe {
                id,
                version,
                openstack_id,
                network_interface_id,
                ..
            } => {
                let Some(fip) = cloud.get(openstack_id.as_str()) else {
                    return Outcome::Skipped;
                };
                let seen = ObservedFloatingIp {
                    openstack_id: &openstack_id,
                    address: &fip.floating_ip_address,
                    status: &fip.status,
                    network_interface_id,
                };
                act::write(pool, async |c| {
                    floating_ips::record_observed(c, id, version, &seen).await
                })
                .await
            }
            FloatingIpChange::Lifecycle(change) => {
                settle::<FloatingIpRows>(pool, self.connector, managed, project_of, change).await
            }
            FloatingIpChange::Unmanaged {
                openstack_id,
                project_cloud_id,
                address,
            } => {
                let project_id = project_cloud_id.as_deref().and_then(|c| managed.id_of_cloud(c));
                act::finding(pool, act::unmanaged("floating_ip", project_id, &openstack_id, &address)).await
            }
        }
    }
}

fn resource_id(change: &FloatingIpChange) -> Option<i64> {
    match change {
        FloatingIpChange::Observe { id, .. } => Some(*id),
        FloatingIpChange::Lifecycle(l) => Some(l.id()),
        FloatingIpChange::Unmanaged { .. } => None,
    }
}

fn describe(change: &FloatingIpChange) -> (String, String) {
    match change {
        FloatingIpChange::Observe {
            id,
            status,
            openstack_id,
            network_interface_id,
            ..
        } => (
            format!("floating ip {id}"),
            match network_interface_id {
                Some(nic) => format!("observe {status} on interface {nic} ({openstack_id})"),
                None => format!("observe {status} unassociated ({openstack_id})"),
            },
        ),
        FloatingIpChange::Lifecycle(l) => (format!("floating ip {}", l.id()), l.describe()),
        FloatingIpChange::Unmanaged {
            openstack_id, address, ..
        } => (
            format!("cloud floating ip {openstack_id}"),
            format!("unmanaged ({address})"),
        ),
    }
}
