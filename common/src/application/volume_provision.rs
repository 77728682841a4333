//! The cloud half of a volume create: a volume carrying our inventory id.
//! The API runs it right after writing the intent; the reconciler runs it
//! again for a create that provably never reached the cloud.

use std::collections::BTreeMap;

use sqlx::MySqlPool;

use crate::application::intent::{self, Witness};
pub use crate::application::server::provision::Provisioned;
use crate::domain::server::inventory_id;
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudProject, CreateVolumeRequest};
use crate::infrastructure::db::{begin, volumes};

#[derive(Debug, Clone)]
pub struct VolumeOrder {
    pub project_id: i64,
    pub volume_id: i64,
    pub name: String,
    pub size_gb: u32,
    /// The volume type's name or id (the cloud takes either).
    pub volume_type: Option<String>,
    pub image_id: Option<String>,
}

/// A refusal is audited as seen by `witness`.
pub async fn provision(
    pool: &MySqlPool,
    cloud: &dyn CloudProject,
    order: &VolumeOrder,
    witness: Witness<'_>,
) -> AppResult<Provisioned> {
    let request = CreateVolumeRequest {
        name: order.name.clone(),
        description: Some(inventory_id("volume", order.volume_id)),
        size_gb: order.size_gb,
        volume_type: order.volume_type.clone(),
        image_id: order.image_id.clone(),
        availability_zone: None,
        metadata: BTreeMap::new(),
        inventory_id: inventory_id("volume", order.volume_id),
    };
    match cloud.create_volume(&request).await {
        Ok(created) => {
            volumes::set_openstack_id(pool, order.volume_id, &created.id).await?;
            Ok(Provisioned::Created(created.id))
        }
        Err(e) if e.is_outcome_unknown() => Ok(Provisioned::Unknown),
        Err(e) => {
            fail(pool, order, &e.message(), witness).await?;
            Ok(Provisioned::Refused(e))
        }
    }
}

/// The order of a live volume, read back from its row.
pub async fn order_of(pool: &MySqlPool, project_id: i64, volume_id: i64) -> AppResult<Option<VolumeOrder>> {
    Ok(volumes::find(pool, project_id, volume_id).await?.map(|v| VolumeOrder {
        project_id,
        volume_id,
        name: v.name,
        size_gb: u32::try_from(v.size_gb).unwrap_or(1),
        volume_type: v.volume_type_id,
        image_id: v.image_id,
    }))
}

async fn fail(pool: &MySqlPool, order: &VolumeOrder, message: &str, witness: Witness<'_>) -> AppResult<()> {
    let mut tx = begin(pool).await?;
    if let Some(v) = volumes::lock(&mut tx, order.project_id, order.volume_id).await? {
        volumes::mark_error(&mut tx, v.id, v.version, message).await?;
    }
    intent::record_failure(&mut tx, witness, "volume", order.volume_id, message).await?;
    tx.commit().await?;
    Ok(())
}
