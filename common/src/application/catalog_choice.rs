//! What a create names from the project's catalog (flavor, network, image,
//! availability zone, volume type), checked before any row is written or any
//! cloud call is made, so a wrong id is a 4xx that changes nothing.

use super::{Services, catalog};
use crate::error::{AppError, AppResult};
use crate::infrastructure::cloud::{CloudFlavor, CloudImage, CloudVolumeType};

pub async fn flavor(svc: &Services, project_id: i64, id: &str) -> AppResult<CloudFlavor> {
    catalog::flavors_of(svc, project_id)
        .await?
        .iter()
        .find(|f| f.id == id)
        .cloned()
        .ok_or_else(|| AppError::not_found("FLAVOR_NOT_FOUND", format!("flavor {id} does not exist")))
}

/// A network of the catalog; a server's port goes on it.
pub async fn network(svc: &Services, project_id: i64, id: &str) -> AppResult<()> {
    if catalog::networks_of(svc, project_id).await?.iter().any(|n| n.id == id) {
        return Ok(());
    }
    Err(AppError::not_found(
        "NETWORK_NOT_FOUND",
        format!("network {id} is not in the project's catalog"),
    ))
}

/// An active image of the catalog that fits on a volume of `size_gb`;
/// `field` names the size in the request for the 422.
pub async fn image(svc: &Services, project_id: i64, id: &str, size_gb: u32, field: &str) -> AppResult<CloudImage> {
    let image = catalog::images_of(svc, project_id)
        .await?
        .iter()
        .find(|i| i.id == id)
        .cloned()
        .ok_or_else(|| {
            AppError::not_found(
                "IMAGE_NOT_FOUND",
                format!("image {id} is not an active image of the catalog"),
            )
        })?;
    if u64::from(size_gb) < image.min_disk_gb {
        return Err(AppError::invalid_field(
            field,
            "value_error",
            format!("image {id} needs a volume of at least {} GiB", image.min_disk_gb),
        ));
    }
    Ok(image)
}

pub async fn availability_zone(svc: &Services, project_id: i64, name: &str) -> AppResult<()> {
    let zones = catalog::availability_zones_of(svc, project_id).await?;
    match zones.iter().find(|z| z.name == name) {
        Some(z) if z.available => Ok(()),
        Some(_) => Err(AppError::conflict(
            "AVAILABILITY_ZONE_UNAVAILABLE",
            format!("availability zone {name} is not available now"),
        )),
        None => Err(AppError::not_found(
            "AVAILABILITY_ZONE_NOT_FOUND",
            format!("availability zone {name} is not in the project's catalog"),
        )),
    }
}

/// A volume type by id or by name.
pub async fn volume_type(svc: &Services, project_id: i64, id_or_name: &str) -> AppResult<CloudVolumeType> {
    catalog::volume_types_of(svc, project_id)
        .await?
        .iter()
        .find(|t| t.id == id_or_name || t.name == id_or_name)
        .cloned()
        .ok_or_else(|| {
            AppError::not_found(
                "VOLUME_TYPE_NOT_FOUND",
                format!("volume type {id_or_name} does not exist"),
            )
        })
}
