//! Security groups: from the inventory rows and the cloud's listing to the
//! changes that make the inventory true. The project's `default` group the
//! cloud makes is never ours to report. A settled group whose rules in the
//! cloud are not the rules we store is reported, never changed. No I/O here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::listing::{Listing, Policy};
use super::security_group_rules::rules_drift;
use super::tracked::{Lifecycle, TrackedRow, absent, find};
use crate::domain::security_group_rule::Rule;
use crate::infrastructure::cloud::CloudSecurityGroup;

/// A group row and the rule set we store for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    pub row: TrackedRow,
    pub rules: Vec<Rule>,
}

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
    /// The cloud's rules are not ours: both sets in canonical form.
    RulesMismatch {
        id: i64,
        openstack_id: String,
        ours: String,
        cloud: String,
    },
}

pub fn diff_security_groups(
    rows: &[GroupRecord],
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
    for GroupRecord { row, rules } in rows {
        match find(row, &by_id, &by_inventory_id, "security_group") {
            Some(group) => {
                claimed.insert(group.id.as_str());
                match observe(row, group, policy, now) {
                    Some(change) => changes.push(change),
                    None => changes.extend(rules_mismatch(row, rules, group)),
                }
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

/// Only a settled group is compared: while the API converges a rule set
/// (create, update) the cloud is expected to differ.
fn rules_mismatch(row: &TrackedRow, rules: &[Rule], group: &CloudSecurityGroup) -> Option<SecurityGroupChange> {
    let settled = row.status == "ACTIVE" && row.pending_action.is_none() && row.openstack_id.is_some();
    if !settled {
        return None;
    }
    let (ours, cloud) = rules_drift(rules, &group.rules)?;
    Some(SecurityGroupChange::RulesMismatch {
        id: row.id,
        openstack_id: group.id.clone(),
        ours,
        cloud,
    })
}

#[cfg(test)]
mod tests;
