//! What the simpler kinds (floating IPs, ports, security groups) share: a
//! row with a status and a pending action, and what its absence from the
//! cloud's listing means. No I/O here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::listing::{Listing, Policy, older_than};
use crate::domain::server::inventory_id;

/// The inventory's side of one resource, as the diff needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedRow {
    pub id: i64,
    pub version: i64,
    pub openstack_id: Option<String>,
    pub status: String,
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
}

impl TrackedRow {
    pub fn deleting(&self) -> bool {
        self.pending_action.as_deref() == Some("delete")
    }

    pub fn stuck(&self, policy: &Policy, now: DateTime<Utc>) -> bool {
        self.pending_action.is_some() && older_than(self.pending_since, now, policy.stuck_after)
    }

    pub fn timed_out(&self, noun: &str) -> Lifecycle {
        Lifecycle::TimeOut {
            id: self.id,
            version: self.version,
            reason: format!(
                "{} did not finish in time; the {noun} is still {}",
                self.pending_action.as_deref().unwrap_or("action"),
                self.status
            ),
        }
    }
}

/// Changes that end or fail a row's life, the same for every simple kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lifecycle {
    /// A delete whose resource never reached the cloud.
    FinishDelete {
        id: i64,
        version: i64,
    },
    /// Missing from a complete listing: gone if a direct get says so.
    ConfirmGone {
        id: i64,
        version: i64,
        openstack_id: String,
        deleting: bool,
    },
    TimeOut {
        id: i64,
        version: i64,
        reason: String,
    },
}

impl Lifecycle {
    pub fn id(&self) -> i64 {
        match self {
            Lifecycle::FinishDelete { id, .. } | Lifecycle::ConfirmGone { id, .. } | Lifecycle::TimeOut { id, .. } => {
                *id
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Lifecycle::FinishDelete { .. } => "delete confirmed by the cloud".into(),
            Lifecycle::ConfirmGone { openstack_id, .. } => {
                format!("absent from the cloud listing; confirm {openstack_id} is gone")
            }
            Lifecycle::TimeOut { reason, .. } => format!("time out: {reason}"),
        }
    }
}

/// What a row the cloud's listing did not show needs. Only a complete
/// listing says anything about absence.
pub fn absent(
    row: &TrackedRow,
    noun: &str,
    listing: Listing,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<Lifecycle> {
    let stuck = row.stuck(policy, now);
    if !listing.is_complete() {
        return stuck.then(|| row.timed_out(noun));
    }
    let deleting = row.deleting();
    match &row.openstack_id {
        Some(os_id) => Some(Lifecycle::ConfirmGone {
            id: row.id,
            version: row.version,
            openstack_id: os_id.clone(),
            deleting,
        }),
        None if deleting && older_than(row.pending_since, now, policy.lost_create_grace) => {
            Some(Lifecycle::FinishDelete {
                id: row.id,
                version: row.version,
            })
        }
        None if stuck => Some(row.timed_out(noun)),
        None => None,
    }
}

/// The cloud resource of a row: by its cloud id once known, else by the
/// inventory id we wrote into the resource's description at create.
pub fn find<'c, T>(
    row: &TrackedRow,
    by_id: &HashMap<&str, &'c T>,
    by_inventory_id: &HashMap<&str, &'c T>,
    kind: &str,
) -> Option<&'c T> {
    match &row.openstack_id {
        Some(os_id) => by_id.get(os_id.as_str()).copied(),
        None => by_inventory_id.get(inventory_id(kind, row.id).as_str()).copied(),
    }
}
