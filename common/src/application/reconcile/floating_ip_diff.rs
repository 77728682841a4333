//! Floating IPs: from the inventory rows and the cloud's listing to the
//! changes that make the inventory true. The association follows the cloud.
//! No I/O here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::listing::{Listing, Policy};
use super::tracked::{Lifecycle, TrackedRow, absent, find};
use crate::domain::floating_ip::status_from_cloud;
use crate::infrastructure::cloud::CloudFloatingIp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloatingIpRecord {
    pub row: TrackedRow,
    /// Our id of the port the row says it is on.
    pub network_interface_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FloatingIpChange {
    Observe {
        id: i64,
        version: i64,
        openstack_id: String,
        status: &'static str,
        network_interface_id: Option<i64>,
    },
    Lifecycle(Lifecycle),
    Unmanaged {
        openstack_id: String,
        project_cloud_id: Option<String>,
        address: String,
    },
}

/// `interface_of_port` maps a port's cloud id to our network interface id.
pub fn diff_floating_ips(
    rows: &[FloatingIpRecord],
    cloud: &[CloudFloatingIp],
    interface_of_port: &HashMap<String, i64>,
    listing: Listing,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<FloatingIpChange> {
    let by_id: HashMap<&str, &CloudFloatingIp> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
    let by_inventory_id: HashMap<&str, &CloudFloatingIp> = cloud
        .iter()
        .filter_map(|c| c.description.as_deref().map(|d| (d, c)))
        .collect();
    let mut claimed: HashSet<&str> = HashSet::new();
    let mut changes = Vec::new();
    for record in rows {
        match find(&record.row, &by_id, &by_inventory_id, "floating_ip") {
            Some(fip) => {
                claimed.insert(fip.id.as_str());
                changes.extend(observe(record, fip, interface_of_port, policy, now));
            }
            None => changes
                .extend(absent(&record.row, "floating ip", listing, policy, now).map(FloatingIpChange::Lifecycle)),
        }
    }
    for fip in cloud.iter().filter(|c| !claimed.contains(c.id.as_str())) {
        changes.push(FloatingIpChange::Unmanaged {
            openstack_id: fip.id.clone(),
            project_cloud_id: fip.project_id.clone(),
            address: fip.floating_ip_address.clone(),
        });
    }
    changes
}

fn observe(
    record: &FloatingIpRecord,
    fip: &CloudFloatingIp,
    interface_of_port: &HashMap<String, i64>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<FloatingIpChange> {
    let row = &record.row;
    let status = status_from_cloud(&fip.status);
    let network_interface_id = fip.port_id.as_ref().and_then(|p| interface_of_port.get(p).copied());
    let deleting = row.deleting();
    let differs = row.openstack_id.is_none()
        || (!deleting && (status != row.status || row.pending_action.is_some()))
        || network_interface_id != record.network_interface_id;
    if differs {
        Some(FloatingIpChange::Observe {
            id: row.id,
            version: row.version,
            openstack_id: fip.id.clone(),
            status,
            network_interface_id,
        })
    } else if row.stuck(policy, now) {
        Some(FloatingIpChange::Lifecycle(row.timed_out("floating ip")))
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
