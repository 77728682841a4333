//! Security groups: from the inventory rows and the cloud's listing to the
//! changes that make the inventory true. The project's `default` group the
//! cloud makes is never ours to report; rule drift is not looked at. No I/O
//! here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::listing::{Listing, Policy};
use super::tracked::{Lifecycle, TrackedRow, absent, find};
use crate::infrastructure::cloud::CloudSecurityGroup;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityGroupChange {
    Observe {
        id: i64,
        version: i64,
        openstack_id: String,
    },
    Lifecycle(Lifecycle),
    Unmanaged {
        openstack_id: String,
        project_cloud_id: Option<String>,
        name: String,
    },
}

pub fn diff_security_groups(
    rows: &[TrackedRow],
    cloud: &[CloudSecurityGroup],
    listing: Listing,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<SecurityGroupChange> {
    let by_id: HashMap<&str, &CloudSecurityGroup> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
    let by_inventory_id: HashMap<&str, &CloudSecurityGroup> = cloud
        .iter()
        .filter_map(|c| c.description.as_deref().map(|d| (d, c)))
        .collect();
    let mut claimed: HashSet<&str> = HashSet::new();
    let mut changes = Vec::new();
    for row in rows {
        match find(row, &by_id, &by_inventory_id, "security_group") {
            Some(group) => {
                claimed.insert(group.id.as_str());
                changes.extend(observe(row, group, policy, now));
            }
            None => {
                changes.extend(absent(row, "security group", listing, policy, now).map(SecurityGroupChange::Lifecycle))
            }
        }
    }
    for group in cloud {
        if !claimed.contains(group.id.as_str()) && group.name != "default" {
            changes.push(SecurityGroupChange::Unmanaged {
                openstack_id: group.id.clone(),
                project_cloud_id: group.project_id.clone(),
                name: group.name.clone(),
            });
        }
    }
    changes
}

fn observe(
    row: &TrackedRow,
    group: &CloudSecurityGroup,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<SecurityGroupChange> {
    let deleting = row.deleting();
    let differs = row.openstack_id.is_none() || (!deleting && (row.pending_action.is_some() || row.status != "ACTIVE"));
    if differs {
        Some(SecurityGroupChange::Observe {
            id: row.id,
            version: row.version,
            openstack_id: group.id.clone(),
        })
    } else if row.stuck(policy, now) {
        Some(SecurityGroupChange::Lifecycle(row.timed_out("security group")))
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
