//! What a project may build from: flavors, images, networks, volume types,
//! availability zones. Read through the cloud port and kept briefly per
//! project, since every form and every create asks for them.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Services;
use super::project_cloud::{cloud_error, cloud_of, scope};
use crate::domain::auth::RequestContext;
use crate::error::AppResult;
use crate::infrastructure::cloud::{
    CloudAvailabilityZone, CloudFlavor, CloudImage, CloudNetwork, CloudResult, CloudVolumeType, ImageListQuery,
    NetworkListQuery,
};

/// How long a listing is served from memory.
pub const CATALOG_TTL: Duration = Duration::from_secs(30);

/// A listing and when it was read.
type Entry<T> = (Instant, Arc<Vec<T>>);

struct TtlCache<T> {
    entries: Mutex<HashMap<i64, Entry<T>>>,
}

impl<T> Default for TtlCache<T> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> TtlCache<T> {
    fn get(&self, project_id: i64) -> Option<Arc<Vec<T>>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&project_id)
            .filter(|(at, _)| at.elapsed() < CATALOG_TTL)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, project_id: i64, value: Arc<Vec<T>>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(project_id, (Instant::now(), value));
    }
}

#[derive(Default)]
pub struct CatalogCache {
    flavors: TtlCache<CloudFlavor>,
    images: TtlCache<CloudImage>,
    networks: TtlCache<CloudNetwork>,
    volume_types: TtlCache<CloudVolumeType>,
    zones: TtlCache<CloudAvailabilityZone>,
}

async fn cached<T, F, Fut>(cache: &TtlCache<T>, project_id: i64, load: F) -> AppResult<Arc<Vec<T>>>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = CloudResult<Vec<T>>>,
{
    if let Some(hit) = cache.get(project_id) {
        return Ok(hit);
    }
    let fresh = Arc::new(load().await.map_err(cloud_error)?);
    cache.put(project_id, fresh.clone());
    Ok(fresh)
}

fn cache(svc: &Services) -> AppResult<&CatalogCache> {
    svc.clouds
        .as_ref()
        .map(|c| &c.catalog)
        .ok_or_else(|| crate::error::AppError::cloud_unavailable("no cloud is configured on this server", 60))
}

pub async fn flavors(svc: &Services, ctx: &RequestContext) -> AppResult<Arc<Vec<CloudFlavor>>> {
    flavors_of(svc, scope(ctx)?.project_id).await
}

pub async fn flavors_of(svc: &Services, project_id: i64) -> AppResult<Arc<Vec<CloudFlavor>>> {
    let cloud = cloud_of(svc, project_id).await?;
    cached(&cache(svc)?.flavors, project_id, || async move {
        cloud.list_flavors().await
    })
    .await
}

pub async fn images(svc: &Services, ctx: &RequestContext) -> AppResult<Arc<Vec<CloudImage>>> {
    images_of(svc, scope(ctx)?.project_id).await
}

pub async fn images_of(svc: &Services, project_id: i64) -> AppResult<Arc<Vec<CloudImage>>> {
    let cloud = cloud_of(svc, project_id).await?;
    let query = ImageListQuery {
        status: Some("active".into()),
        page_size: None,
    };
    cached(&cache(svc)?.images, project_id, || async move {
        cloud.list_images(&query).await
    })
    .await
}

pub async fn networks(svc: &Services, ctx: &RequestContext) -> AppResult<Arc<Vec<CloudNetwork>>> {
    networks_of(svc, scope(ctx)?.project_id).await
}

pub async fn networks_of(svc: &Services, project_id: i64) -> AppResult<Arc<Vec<CloudNetwork>>> {
    let cloud = cloud_of(svc, project_id).await?;
    cached(&cache(svc)?.networks, project_id, || async move {
        cloud.list_networks(&NetworkListQuery::default()).await
    })
    .await
}

pub async fn volume_types(svc: &Services, ctx: &RequestContext) -> AppResult<Arc<Vec<CloudVolumeType>>> {
    volume_types_of(svc, scope(ctx)?.project_id).await
}

pub async fn volume_types_of(svc: &Services, project_id: i64) -> AppResult<Arc<Vec<CloudVolumeType>>> {
    let cloud = cloud_of(svc, project_id).await?;
    cached(&cache(svc)?.volume_types, project_id, || async move {
        cloud.list_volume_types().await
    })
    .await
}

pub async fn availability_zones(svc: &Services, ctx: &RequestContext) -> AppResult<Arc<Vec<CloudAvailabilityZone>>> {
    availability_zones_of(svc, scope(ctx)?.project_id).await
}

pub async fn availability_zones_of(svc: &Services, project_id: i64) -> AppResult<Arc<Vec<CloudAvailabilityZone>>> {
    let cloud = cloud_of(svc, project_id).await?;
    cached(&cache(svc)?.zones, project_id, || async move {
        cloud.list_availability_zones().await
    })
    .await
}
