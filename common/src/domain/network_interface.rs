//! Network interfaces (cloud ports) of our servers.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkInterface {
    pub id: i64,
    pub project_id: i64,
    pub server_id: Option<i64>,
    pub network_id: String,
    pub subnet_id: Option<String>,
    pub fixed_ip: Option<String>,
    pub mac_address: Option<String>,
    /// `BUILD`, `ACTIVE`, `DOWN`, `DELETING` or `ERROR`.
    pub status: String,
    pub pending_action: Option<String>,
    pub error_message: Option<String>,
    pub openstack_id: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}
