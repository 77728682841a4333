//! Servers: from the inventory rows and the cloud's listing to the changes
//! that make the inventory true. No I/O here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::listing::{Listing, Policy, older_than};
use super::reissue::MAX_REISSUES;
use crate::domain::server::inventory_id;
use crate::domain::server_state::{ServerStatus, ServerTask};
use crate::infrastructure::cloud::CloudServer;

/// The inventory's view of one live server row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRecord {
    pub id: i64,
    pub version: i64,
    /// The cloud project (OpenStack project id, NHN tenant id) it lives in.
    pub project_cloud_id: String,
    pub openstack_id: Option<String>,
    pub status: ServerStatus,
    pub task: Option<ServerTask>,
    pub task_since: Option<DateTime<Utc>>,
    pub error_message: Option<String>,
    pub flavor_id: String,
    /// The cloud's view was stored before: our fields are ours to compare.
    pub synced: bool,
    /// How often the reconciler re-issued its create so far.
    pub reissues: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerChange {
    /// Store what the cloud shows (and adopt its id when the row had none).
    Observe {
        id: i64,
        version: i64,
        openstack_id: String,
        status: ServerStatus,
        clear_task: bool,
        error_message: Option<String>,
    },
    /// The cloud confirms the delete: soft-delete the row and its dependants.
    FinishDelete { id: i64, version: i64 },
    /// Absent from a complete listing: confirm with a direct get before
    /// treating it as gone.
    ConfirmGone {
        id: i64,
        version: i64,
        openstack_id: String,
        deleting: bool,
    },
    /// A create that provably never reached the cloud: issue it again.
    ReissueCreate { id: i64, version: i64 },
    /// A create re-issued as often as allowed that still never reached the
    /// cloud: the server is failed and its interface and root volume undone.
    GiveUpCreate { id: i64, version: i64, reason: String },
    /// A transition that did not finish in time.
    TimeOut { id: i64, version: i64, reason: String },
    /// A cloud server in a managed project that no row claims.
    Unmanaged {
        openstack_id: String,
        project_cloud_id: Option<String>,
        name: String,
    },
    /// The cloud disagrees with a field we own; reported, not overwritten.
    FieldMismatch {
        id: i64,
        openstack_id: String,
        field: &'static str,
        ours: String,
        cloud: String,
    },
}

pub fn diff_servers(
    rows: &[ServerRecord],
    cloud: &[CloudServer],
    listing: Listing,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<ServerChange> {
    let by_id: HashMap<&str, &CloudServer> = cloud.iter().map(|c| (c.id.as_str(), c)).collect();
    let by_inventory_id: HashMap<&str, &CloudServer> = cloud
        .iter()
        .filter_map(|c| c.inventory_id.as_deref().map(|i| (i, c)))
        .collect();
    let mut claimed: HashSet<&str> = HashSet::new();
    let mut changes = Vec::new();

    for row in rows {
        let found = match row.openstack_id.as_deref() {
            Some(os_id) => by_id.get(os_id).copied(),
            None => by_inventory_id.get(inventory_id("server", row.id).as_str()).copied(),
        };
        match found {
            Some(server) => {
                claimed.insert(server.id.as_str());
                changes.extend(observe(row, server, policy, now));
            }
            None => changes.extend(absent(row, listing, policy, now)),
        }
    }

    for server in cloud {
        let tombstone = ServerStatus::from_cloud(&server.status) == ServerStatus::Deleted;
        if !tombstone && !claimed.contains(server.id.as_str()) {
            changes.push(ServerChange::Unmanaged {
                openstack_id: server.id.clone(),
                project_cloud_id: server.project_id.clone(),
                name: server.name.clone(),
            });
        }
    }
    changes
}

fn observe(row: &ServerRecord, server: &CloudServer, policy: &Policy, now: DateTime<Utc>) -> Vec<ServerChange> {
    let status = ServerStatus::from_cloud(&server.status);
    if status == ServerStatus::Deleted {
        return vec![if row.task == Some(ServerTask::Deleting) {
            ServerChange::FinishDelete {
                id: row.id,
                version: row.version,
            }
        } else {
            ServerChange::ConfirmGone {
                id: row.id,
                version: row.version,
                openstack_id: server.id.clone(),
                deleting: false,
            }
        }];
    }
    let settled = match row.task {
        None => false,
        Some(_) if status == ServerStatus::Error => true,
        Some(task) => task.settles_at() == Some(status) && server.task_state.is_none(),
    };
    let error_message = if status == ServerStatus::Error {
        server.fault_message.clone().or_else(|| row.error_message.clone())
    } else {
        None
    };
    let adopting = row.openstack_id.is_none();
    let mut changes = Vec::new();
    if adopting || status != row.status || settled || error_message != row.error_message {
        changes.push(ServerChange::Observe {
            id: row.id,
            version: row.version,
            openstack_id: server.id.clone(),
            status,
            clear_task: settled,
            error_message,
        });
    } else if row.task.is_some() && older_than(row.task_since, now, policy.stuck_after) {
        changes.push(timed_out(row));
    }
    if let Some(cloud_flavor) = server.flavor_id.as_deref()
        && row.synced
        && cloud_flavor != row.flavor_id
        && server.flavor_name.as_deref() != Some(row.flavor_id.as_str())
    {
        changes.push(ServerChange::FieldMismatch {
            id: row.id,
            openstack_id: server.id.clone(),
            field: "flavor_id",
            ours: row.flavor_id.clone(),
            cloud: cloud_flavor.to_owned(),
        });
    }
    changes
}

fn absent(row: &ServerRecord, listing: Listing, policy: &Policy, now: DateTime<Utc>) -> Option<ServerChange> {
    if !listing.is_complete() {
        return (row.task.is_some() && older_than(row.task_since, now, policy.stuck_after)).then(|| timed_out(row));
    }
    match (&row.openstack_id, row.task) {
        (Some(os_id), task) => Some(ServerChange::ConfirmGone {
            id: row.id,
            version: row.version,
            openstack_id: os_id.clone(),
            deleting: task == Some(ServerTask::Deleting),
        }),
        (None, Some(ServerTask::Creating)) if older_than(row.task_since, now, policy.lost_create_grace) => {
            Some(lost_create(row))
        }
        (None, Some(ServerTask::Deleting)) if older_than(row.task_since, now, policy.lost_create_grace) => {
            Some(ServerChange::FinishDelete {
                id: row.id,
                version: row.version,
            })
        }
        _ => None,
    }
}

/// A create that provably never reached the cloud is issued again, a
/// bounded number of times.
fn lost_create(row: &ServerRecord) -> ServerChange {
    if row.reissues < MAX_REISSUES {
        return ServerChange::ReissueCreate {
            id: row.id,
            version: row.version,
        };
    }
    ServerChange::GiveUpCreate {
        id: row.id,
        version: row.version,
        reason: format!(
            "the create never reached the cloud, also after {} re-issues; delete this server and create it again",
            row.reissues
        ),
    }
}

fn timed_out(row: &ServerRecord) -> ServerChange {
    let task = row.task.map(ServerTask::as_str).unwrap_or("action");
    ServerChange::TimeOut {
        id: row.id,
        version: row.version,
        reason: format!(
            "{task} did not finish in time; the cloud still shows {}",
            row.status.as_str()
        ),
    }
}

#[cfg(test)]
mod tests;
