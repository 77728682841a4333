//! Request and response bodies of the server routes (the anchor's shapes,
//! plus `task_state`, `openstack_id`, `last_synced_at` and `version`).

use chrono::{DateTime, Utc};
use common::application::server::{DeletedServer, ServerDetail};
use common::infrastructure::db::resource_actions::ResourceAction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::timestamp;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RootVolumeRequest {
    /// GiB, 1..16384.
    #[schema(minimum = 1, maximum = 16384)]
    pub size: i64,
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub image_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateServerRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 255)]
    pub description: Option<String>,
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub flavor_id: String,
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub network_id: String,
    pub root_volume: RootVolumeRequest,
    #[serde(default)]
    pub security_group_ids: Vec<i64>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub key_name: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub availability_zone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateServerInfoRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 255)]
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerFloatingIp {
    pub id: i64,
    pub network_interface_id: Option<i64>,
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerVolume {
    pub id: i64,
    pub name: String,
    pub volume_type_id: Option<String>,
    pub size: i64,
    pub status: String,
    pub is_root_volume: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerDetailResponse {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub project_id: i64,
    pub flavor_id: String,
    pub image_id: Option<String>,
    /// BUILD, ACTIVE, SHUTOFF, REBOOT, ERROR, DELETED, UNKNOWN.
    pub status: String,
    /// What is in flight: creating, starting, stopping, deleting, ...; null when settled.
    pub task_state: Option<String>,
    pub error_message: Option<String>,
    pub fixed_ip_addresses: Vec<String>,
    pub floating_ips: Vec<ServerFloatingIp>,
    pub volumes: Vec<ServerVolume>,
    pub security_groups: Vec<NamedRef>,
    pub network_interface_ids: Vec<i64>,
    pub openstack_id: Option<String>,
    #[serde(serialize_with = "timestamp::serialize_option")]
    pub last_synced_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize_option")]
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&ServerDetail> for ServerDetailResponse {
    fn from(d: &ServerDetail) -> Self {
        Self::from(d.clone())
    }
}

/// Moves the strings out of the detail instead of copying them: the list
/// view builds one of these per server of the page.
impl From<ServerDetail> for ServerDetailResponse {
    fn from(d: ServerDetail) -> Self {
        let s = d.server;
        Self {
            id: s.id,
            name: s.name,
            description: Some(s.description),
            project_id: s.project_id,
            flavor_id: s.flavor_id,
            image_id: s.image_id,
            status: s.status.as_str().to_owned(),
            task_state: s.task_state.map(|t| t.as_str().to_owned()),
            error_message: s.error_message,
            network_interface_ids: d.interfaces.iter().map(|n| n.id).collect(),
            fixed_ip_addresses: d.interfaces.into_iter().filter_map(|n| n.fixed_ip).collect(),
            floating_ips: d
                .floating_ips
                .into_iter()
                .map(|f| ServerFloatingIp {
                    id: f.id,
                    network_interface_id: f.network_interface_id,
                    address: f.address,
                })
                .collect(),
            volumes: d
                .volumes
                .into_iter()
                .map(|v| ServerVolume {
                    id: v.id,
                    name: v.name,
                    volume_type_id: v.volume_type_id,
                    size: v.size_gb,
                    status: v.status.as_str().to_owned(),
                    is_root_volume: v.is_root,
                })
                .collect(),
            security_groups: d
                .security_groups
                .into_iter()
                .map(|(id, name)| NamedRef { id, name })
                .collect(),
            openstack_id: s.openstack_id,
            last_synced_at: s.last_synced_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
            deleted_at: s.deleted_at,
            version: s.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerListResponse {
    pub servers: Vec<ServerDetailResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeleteServerResponse {
    pub server_id: i64,
    pub volume_id: Option<i64>,
    pub network_interface_ids: Vec<i64>,
}

impl From<DeletedServer> for DeleteServerResponse {
    fn from(d: DeletedServer) -> Self {
        Self {
            server_id: d.server_id,
            volume_id: d.volume_id,
            network_interface_ids: d.network_interface_ids,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VncUrlResponse {
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerActionResponse {
    pub id: i64,
    pub request_id: Option<String>,
    pub action: String,
    pub user_id: Option<i64>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// pending, success or error.
    pub result: String,
    pub message: Option<String>,
}

impl From<&ResourceAction> for ServerActionResponse {
    fn from(a: &ResourceAction) -> Self {
        Self {
            id: a.id,
            request_id: a.request_id.clone(),
            action: a.action.clone(),
            user_id: a.user_id,
            started_at: a.started_at,
            finished_at: a.finished_at,
            result: a.result.clone(),
            message: a.message.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerActionListResponse {
    pub actions: Vec<ServerActionResponse>,
}
