//! Volumes: from the inventory rows and the cloud's listing to the changes
//! that make the inventory true. No I/O here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::listing::{Listing, Policy, older_than};
use super::reissue::MAX_REISSUES;
use crate::domain::server::inventory_id;
use crate::domain::volume::VolumeStatus;
use crate::infrastructure::cloud::CloudVolume;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeRecord {
    pub id: i64,
    pub version: i64,
    pub openstack_id: Option<String>,
    pub status: VolumeStatus,
    /// `create`, `attach`, `detach`, `extend`, `delete`, ...
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
    pub size_gb: u32,
    pub requested_size_gb: Option<u32>,
    /// The cloud id of the server our row says it is attached to.
    pub attached_to: Option<String>,
    pub is_root: bool,
    /// The cloud's view was stored before: our size is ours to compare.
    pub synced: bool,
    /// How often the reconciler re-issued its create so far.
    pub reissues: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeChange {
    Observe {
        id: i64,
        version: i64,
        openstack_id: String,
        status: VolumeStatus,
        /// The size to store: the cloud's while an extend is pending, ours otherwise.
        size_gb: u32,
        attached_to: Option<String>,
    },
    FinishDelete {
        id: i64,
        version: i64,
    },
    ConfirmGone {
        id: i64,
        version: i64,
        openstack_id: String,
        deleting: bool,
    },
    /// A create that provably never reached the cloud: issue it again.
    ReissueCreate {
        id: i64,
        version: i64,
    },
    TimeOut {
        id: i64,
        version: i64,
        reason: String,
    },
    Unmanaged {
        openstack_id: String,
        project_cloud_id: Option<String>,
        name: String,
    },
    FieldMismatch {
        id: i64,
        openstack_id: String,
        field: &'static str,
        ours: String,
        cloud: String,
    },
}

pub fn diff_volumes(
    rows: &[VolumeRecord],
    cloud: &[CloudVolume],
    listing: Listing,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<VolumeChange> {
    let by_id: HashMap<&str, &CloudVolume> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
    let by_inventory_id: HashMap<&str, &CloudVolume> = cloud
        .iter()
        .filter_map(|c| c.inventory_id.as_deref().map(|i| (i, c)))
        .collect();
    // A root volume is made by the cloud from the server's boot request and
    // carries no inventory id: it is found as the bootable volume attached to
    // its server.
    let root_of_server: HashMap<&str, &CloudVolume> = cloud
        .iter()
        .filter(|c| c.bootable)
        .filter_map(|c| c.attachments.first().map(|a| (a.server_id.as_str(), c)))
        .collect();
    let mut claimed: HashSet<&str> = HashSet::new();
    let mut changes = Vec::new();

    for row in rows {
        let found = match (&row.openstack_id, row.is_root, &row.attached_to) {
            (Some(os_id), _, _) => by_id.get(os_id.as_str()).copied(),
            (None, true, Some(server)) => root_of_server.get(server.as_str()).copied(),
            (None, _, _) => by_inventory_id.get(inventory_id("volume", row.id).as_str()).copied(),
        };
        match found {
            Some(volume) => {
                claimed.insert(volume.id.as_str());
                changes.extend(observe(row, volume, policy, now));
            }
            None => changes.extend(absent(row, listing, policy, now)),
        }
    }
    for volume in cloud {
        let gone = volume.status.eq_ignore_ascii_case("deleted");
        if !gone && !claimed.contains(volume.id.as_str()) {
            changes.push(VolumeChange::Unmanaged {
                openstack_id: volume.id.clone(),
                project_cloud_id: volume.project_id.clone(),
                name: volume.name.clone().unwrap_or_default(),
            });
        }
    }
    changes
}

fn observe(row: &VolumeRecord, volume: &CloudVolume, policy: &Policy, now: DateTime<Utc>) -> Vec<VolumeChange> {
    let status = VolumeStatus::from_cloud(&volume.status);
    let cloud_size = u32::try_from(volume.size_gb).unwrap_or(u32::MAX);
    let attached_to = volume.attachments.first().map(|a| a.server_id.clone());
    let deleting = row.pending_action.as_deref() == Some("delete");
    let extending = row.requested_size_gb.is_some();
    let settled = matches!(
        status,
        VolumeStatus::Available | VolumeStatus::InUse | VolumeStatus::Error
    );
    let mut changes = Vec::new();

    let size_gb = if extending || !row.synced {
        cloud_size
    } else {
        row.size_gb
    };
    if !extending && row.synced && cloud_size != row.size_gb {
        changes.push(VolumeChange::FieldMismatch {
            id: row.id,
            openstack_id: volume.id.clone(),
            field: "size_gb",
            ours: row.size_gb.to_string(),
            cloud: cloud_size.to_string(),
        });
    }
    let shown = if deleting { row.status } else { status };
    let task_done = row.pending_action.is_some() && !deleting && settled;
    let differs = row.openstack_id.is_none()
        || shown != row.status
        || size_gb != row.size_gb
        || (settled && attached_to != row.attached_to)
        || task_done;
    if differs {
        changes.push(VolumeChange::Observe {
            id: row.id,
            version: row.version,
            openstack_id: volume.id.clone(),
            status,
            size_gb,
            attached_to,
        });
    } else if row.pending_action.is_some() && older_than(row.pending_since, now, policy.stuck_after) {
        changes.push(timed_out(row));
    }
    changes
}

fn absent(row: &VolumeRecord, listing: Listing, policy: &Policy, now: DateTime<Utc>) -> Option<VolumeChange> {
    let stuck = row.pending_action.is_some() && older_than(row.pending_since, now, policy.stuck_after);
    if !listing.is_complete() {
        return stuck.then(|| timed_out(row));
    }
    let deleting = row.pending_action.as_deref() == Some("delete");
    match &row.openstack_id {
        Some(os_id) => Some(VolumeChange::ConfirmGone {
            id: row.id,
            version: row.version,
            openstack_id: os_id.clone(),
            deleting,
        }),
        None if deleting && older_than(row.pending_since, now, policy.lost_create_grace) => {
            Some(VolumeChange::FinishDelete {
                id: row.id,
                version: row.version,
            })
        }
        // A root volume is made by its server's create, never on its own.
        None if row.pending_action.as_deref() == Some("create")
            && !row.is_root
            && older_than(row.pending_since, now, policy.lost_create_grace) =>
        {
            Some(lost_create(row))
        }
        None if stuck => Some(timed_out(row)),
        None => None,
    }
}

fn lost_create(row: &VolumeRecord) -> VolumeChange {
    if row.reissues < MAX_REISSUES {
        return VolumeChange::ReissueCreate {
            id: row.id,
            version: row.version,
        };
    }
    VolumeChange::TimeOut {
        id: row.id,
        version: row.version,
        reason: format!(
            "the create never reached the cloud, also after {} re-issues; delete this volume and create it again",
            row.reissues
        ),
    }
}

fn timed_out(row: &VolumeRecord) -> VolumeChange {
    VolumeChange::TimeOut {
        id: row.id,
        version: row.version,
        reason: format!(
            "{} did not finish in time; the volume is still {}",
            row.pending_action.as_deref().unwrap_or("action"),
            row.status.as_str()
        ),
    }
}

#[cfg(test)]
mod tests;
