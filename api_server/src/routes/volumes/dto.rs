use chrono::{DateTime, Utc};
use common::application::volume::VolumeDetail;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routes::servers::dto::NamedRef;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateVolumeRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 255)]
    pub description: Option<String>,
    /// GiB, 1..16384.
    #[schema(minimum = 1, maximum = 16384)]
    pub size: i64,
    /// Volume type id (or name) from `/catalog/volume-types`.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub volume_type_id: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub image_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateVolumeInfoRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 255)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResizeVolumeRequest {
    /// The new size in GiB; must be larger than the current one.
    #[schema(minimum = 1, maximum = 16384)]
    pub size: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeDetailResponse {
    pub id: i64,
    pub project_id: i64,
    pub server: Option<NamedRef>,
    pub volume_type_id: Option<String>,
    pub image_id: Option<String>,
    pub name: String,
    pub description: String,
    /// CREATING, AVAILABLE, IN_USE, ATTACHING, DETACHING, EXTENDING, DELETING, ERROR.
    pub status: String,
    pub task_state: Option<String>,
    pub error_message: Option<String>,
    /// GiB the cloud has confirmed.
    pub size: i64,
    /// An extend in flight.
    pub requested_size: Option<i64>,
    pub is_root_volume: bool,
    pub openstack_id: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&VolumeDetail> for VolumeDetailResponse {
    fn from(d: &VolumeDetail) -> Self {
        let v = &d.volume;
        Self {
            id: v.id,
            project_id: v.project_id,
            server: d.server.as_ref().map(|(id, name)| NamedRef {
                id: *id,
                name: name.clone(),
            }),
            volume_type_id: v.volume_type_id.clone(),
            image_id: v.image_id.clone(),
            name: v.name.clone(),
            description: v.description.clone(),
            status: v.status.as_str().to_owned(),
            task_state: v.task_state.clone(),
            error_message: v.error_message.clone(),
            size: v.size_gb,
            requested_size: v.requested_size_gb,
            is_root_volume: v.is_root,
            openstack_id: v.openstack_id.clone(),
            last_synced_at: v.last_synced_at,
            created_at: v.created_at,
            updated_at: v.updated_at,
            deleted_at: v.deleted_at,
            version: v.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeListResponse {
    pub volumes: Vec<VolumeDetailResponse>,
    pub next_cursor: Option<String>,
}
