//! A server as our inventory holds it, and the input of a new one.

use chrono::{DateTime, Utc};

use super::resource_name::ResourceName;
use super::server_state::{ServerStatus, ServerTask};

#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub description: String,
    pub flavor_id: String,
    pub image_id: Option<String>,
    pub network_id: String,
    pub availability_zone: Option<String>,
    pub key_name: Option<String>,
    pub status: ServerStatus,
    pub task_state: Option<ServerTask>,
    pub pending_action: Option<String>,
    pub error_message: Option<String>,
    pub openstack_id: Option<String>,
    pub root_volume_id: Option<i64>,
    pub vcpus: i64,
    pub ram_mb: i64,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// A validated create request.
#[derive(Debug, Clone)]
pub struct NewServer {
    pub name: ResourceName,
    pub description: String,
    pub flavor_id: String,
    pub network_id: String,
    pub image_id: String,
    pub root_volume_size_gb: u32,
    pub security_group_ids: Vec<i64>,
    pub key_name: Option<String>,
    pub availability_zone: Option<String>,
}

/// The value of `metadata[INVENTORY_ID_KEY]` (and of cloud descriptions) for
/// an inventory row, e.g. `server:42`.
pub fn inventory_id(kind: &str, id: i64) -> String {
    format!("{kind}:{id}")
}

/// The inventory id of a server, if `value` names one.
pub fn parse_inventory_id(kind: &str, value: &str) -> Option<i64> {
    value.strip_prefix(kind)?.strip_prefix(':')?.parse().ok()
}

/// A cloud identifier given in a request (flavor, image, network): 1..64
/// visible characters.
pub fn parse_cloud_ref(s: &str) -> Result<String, &'static str> {
    let t = s.trim();
    if t.is_empty() || t.len() > 64 || !t.chars().all(|c| c.is_ascii_graphic()) {
        return Err("must be a cloud id of 1 to 64 visible characters");
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_ids_round_trip_and_keep_their_kind() {
        assert_eq!(parse_inventory_id("server", &inventory_id("server", 42)), Some(42));
        assert_eq!(parse_inventory_id("volume", "server:42"), None);
    }

    #[test]
    fn cloud_refs_refuse_blank_and_spaces() {
        assert!(parse_cloud_ref("").is_err());
        assert!(parse_cloud_ref("a b").is_err());
        assert_eq!(parse_cloud_ref(" m1.tiny ").unwrap(), "m1.tiny");
    }
}
