//! Floating IPs as our inventory holds them.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct FloatingIp {
    pub id: i64,
    pub project_id: i64,
    pub floating_network_id: String,
    pub address: Option<String>,
    pub network_interface_id: Option<i64>,
    /// `CREATING`, `DOWN`, `ACTIVE`, `DELETING` or `ERROR`.
    pub status: String,
    pub task_state: Option<String>,
    pub pending_action: Option<String>,
    pub error_message: Option<String>,
    pub openstack_id: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// Neutron reports `ACTIVE`, `DOWN` or `ERROR`; anything else is `ERROR`.
pub fn status_from_cloud(s: &str) -> &'static str {
    match s.to_ascii_uppercase().as_str() {
        "ACTIVE" => "ACTIVE",
        "DOWN" => "DOWN",
        _ => "ERROR",
    }
}
