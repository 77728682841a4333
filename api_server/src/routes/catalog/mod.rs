//! What the token's project can build from, read through the cloud port and
//! cached briefly: `/catalog/*`.

use actix_web::{HttpResponse, web};
use common::application::{Services, catalog};
use serde::Serialize;
use utoipa::ToSchema;

use super::resource;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::CurrentUser;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/catalog/flavors").route(web::get().to(flavors)))
        .service(resource("/catalog/images").route(web::get().to(images)))
        .service(resource("/catalog/networks").route(web::get().to(networks)))
        .service(resource("/catalog/volume-types").route(web::get().to(volume_types)))
        .service(resource("/catalog/availability-zones").route(web::get().to(zones)));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlavorResponse {
    pub id: String,
    pub name: String,
    pub vcpus: u32,
    pub ram_mb: u64,
    pub disk_gb: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImageResponse {
    pub id: String,
    pub name: Option<String>,
    pub status: String,
    pub min_disk_gb: u64,
    pub min_ram_mb: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkResponse {
    pub id: String,
    pub name: String,
    pub external: bool,
    pub shared: bool,
    pub subnet_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeTypeResponse {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityZoneResponse {
    pub name: String,
    pub available: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlavorListResponse {
    pub flavors: Vec<FlavorResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImageListResponse {
    pub images: Vec<ImageResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkListResponse {
    pub networks: Vec<NetworkResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeTypeListResponse {
    pub volume_types: Vec<VolumeTypeResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityZoneListResponse {
    pub availability_zones: Vec<AvailabilityZoneResponse>,
}

/// Flavors.
#[utoipa::path(get, path = "/catalog/flavors", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, description = "{\"flavors\": [...]}", body = FlavorListResponse),
              (status = 503, description = "CLOUD_UNAVAILABLE", body = ErrorBody)))]
pub async fn flavors(services: web::Data<Services>, user: CurrentUser) -> ApiResult<HttpResponse> {
    let all = catalog::flavors(&services, &user.ctx()).await?;
    let items: Vec<FlavorResponse> = all
        .iter()
        .map(|f| FlavorResponse {
            id: f.id.clone(),
            name: f.name.clone(),
            vcpus: f.vcpus,
            ram_mb: f.ram_mb,
            disk_gb: f.disk_gb,
        })
        .collect();
    Ok(HttpResponse::Ok().json(FlavorListResponse { flavors: items }))
}

/// Active images.
#[utoipa::path(get, path = "/catalog/images", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, description = "{\"images\": [...]}", body = ImageListResponse)))]
pub async fn images(services: web::Data<Services>, user: CurrentUser) -> ApiResult<HttpResponse> {
    let all = catalog::images(&services, &user.ctx()).await?;
    let items: Vec<ImageResponse> = all
        .iter()
        .map(|i| ImageResponse {
            id: i.id.clone(),
            name: i.name.clone(),
            status: i.status.clone(),
            min_disk_gb: i.min_disk_gb,
            min_ram_mb: i.min_ram_mb,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ImageListResponse { images: items }))
}

/// Networks the project sees (its own and external ones).
#[utoipa::path(get, path = "/catalog/networks", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, description = "{\"networks\": [...]}", body = NetworkListResponse)))]
pub async fn networks(services: web::Data<Services>, user: CurrentUser) -> ApiResult<HttpResponse> {
    let all = catalog::networks(&services, &user.ctx()).await?;
    let items: Vec<NetworkResponse> = all
        .iter()
        .map(|n| NetworkResponse {
            id: n.id.clone(),
            name: n.name.clone(),
            external: n.external,
            shared: n.shared,
            subnet_ids: n.subnet_ids.clone(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(NetworkListResponse { networks: items }))
}

/// Volume types.
#[utoipa::path(get, path = "/catalog/volume-types", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, description = "{\"volume_types\": [...]}", body = VolumeTypeListResponse)))]
pub async fn volume_types(services: web::Data<Services>, user: CurrentUser) -> ApiResult<HttpResponse> {
    let all = catalog::volume_types(&services, &user.ctx()).await?;
    let items: Vec<VolumeTypeResponse> = all
        .iter()
        .map(|t| VolumeTypeResponse {
            id: t.id.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(VolumeTypeListResponse { volume_types: items }))
}

/// Availability zones.
#[utoipa::path(get, path = "/catalog/availability-zones", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, description = "{\"availability_zones\": [...]}", body = AvailabilityZoneListResponse)))]
pub async fn zones(services: web::Data<Services>, user: CurrentUser) -> ApiResult<HttpResponse> {
    let all = catalog::availability_zones(&services, &user.ctx()).await?;
    let items: Vec<AvailabilityZoneResponse> = all
        .iter()
        .map(|z| AvailabilityZoneResponse {
            name: z.name.clone(),
            available: z.available,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AvailabilityZoneListResponse {
        availability_zones: items,
    }))
}
