//! Network interfaces (ports): from the inventory rows and the cloud's
//! listing to the changes that make the inventory true. Ports the cloud
//! makes for itself (`device_owner` `network:*`) are never ours to report.
//! No I/O here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::listing::{Listing, Policy};
use super::tracked::{Lifecycle, TrackedRow, absent, find};
use crate::infrastructure::cloud::CloudPort;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortChange {
    Observe {
        id: i64,
        version: i64,
        openstack_id: String,
        status: String,
    },
    Lifecycle(Lifecycle),
    Unmanaged {
        openstack_id: String,
        project_cloud_id: Option<String>,
        name: String,
    },
}

pub fn diff_ports(
    rows: &[TrackedRow],
    cloud: &[CloudPort],
    listing: Listing,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<PortChange> {
    let by_id: HashMap<&str, &CloudPort> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
    let by_inventory_id: HashMap<&str, &CloudPort> = cloud
        .iter()
        .filter_map(|c| c.description.as_deref().map(|d| (d, c)))
        .collect();
    let mut claimed: HashSet<&str> = HashSet::new();
    let mut changes = Vec::new();
    for row in rows {
        match find(row, &by_id, &by_inventory_id, "network_interface") {
            Some(port) => {
                claimed.insert(port.id.as_str());
                changes.extend(observe(row, port, policy, now));
            }
            None => changes.extend(absent(row, "network interface", listing, policy, now).map(PortChange::Lifecycle)),
        }
    }
    for port in cloud {
        if !claimed.contains(port.id.as_str()) && !made_by_the_cloud(port) {
            changes.push(PortChange::Unmanaged {
                openstack_id: port.id.clone(),
                project_cloud_id: port.project_id.clone(),
                name: port.name.clone(),
            });
        }
    }
    changes
}

/// Router interfaces, DHCP ports and the like.
fn made_by_the_cloud(port: &CloudPort) -> bool {
    port.device_owner.as_deref().is_some_and(|o| o.starts_with("network:"))
}

fn observe(row: &TrackedRow, port: &CloudPort, policy: &Policy, now: DateTime<Utc>) -> Option<PortChange> {
    let status = port.status.to_ascii_uppercase();
    let deleting = row.deleting();
    // Storing the cloud's view ends a create; other tasks end with their own writes.
    let created = row.pending_action.as_deref() == Some("create");
    let differs = row.openstack_id.is_none() || created || (!deleting && status != row.status);
    if differs {
        Some(PortChange::Observe {
            id: row.id,
            version: row.version,
            openstack_id: port.id.clone(),
            status,
        })
    } else if row.stuck(policy, now) {
        Some(PortChange::Lifecycle(row.timed_out("network interface")))
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
