//! Network interfaces of the token's project and their floating IPs:
//! `/network-interfaces`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use common::application::Services;
use common::application::network_interface::{self, InterfaceDetail};
use serde::Serialize;
use utoipa::ToSchema;

use super::servers::dto::{NamedRef, ServerFloatingIp};
use super::{resource, respond};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/network-interfaces").route(web::get().to(list)))
        .service(resource("/network-interfaces/{network_interface_id}").route(web::get().to(get)))
        .service(
            resource("/network-interfaces/{network_interface_id}/floating-ips/{floating_ip_id}")
                .route(web::post().to(attach))
                .route(web::delete().to(detach)),
        );
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkInterfaceResponse {
    pub id: i64,
    pub project_id: i64,
    pub server_id: Option<i64>,
    pub network_id: String,
    pub subnet_id: Option<String>,
    pub fixed_ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub status: String,
    pub floating_ip: Option<ServerFloatingIp>,
    pub security_groups: Vec<NamedRef>,
    pub openstack_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&InterfaceDetail> for NetworkInterfaceResponse {
    fn from(d: &InterfaceDetail) -> Self {
        let n = &d.interface;
        Self {
            id: n.id,
            project_id: n.project_id,
            server_id: n.server_id,
            network_id: n.network_id.clone(),
            subnet_id: n.subnet_id.clone(),
            fixed_ip_address: n.fixed_ip.clone(),
            mac_address: n.mac_address.clone(),
            status: n.status.clone(),
            floating_ip: d.floating_ip.as_ref().map(|f| ServerFloatingIp {
                id: f.id,
                network_interface_id: f.network_interface_id,
                address: f.address.clone(),
            }),
            security_groups: d
                .security_groups
                .iter()
                .map(|(id, name)| NamedRef {
                    id: *id,
                    name: name.clone(),
                })
                .collect(),
            openstack_id: n.openstack_id.clone(),
            created_at: n.created_at,
            updated_at: n.updated_at,
            deleted_at: n.deleted_at,
            version: n.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkInterfaceListResponse {
    pub network_interfaces: Vec<NetworkInterfaceResponse>,
    pub next_cursor: Option<String>,
}

/// The project's network interfaces, newest first.
#[utoipa::path(get, path = "/network-interfaces", tag = "network-interfaces", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, description = "One page", body = NetworkInterfaceListResponse)))]
pub async fn list(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let page = q.page(&mut fields);
    fields.finish()?;
    let page = network_interface::list(&services, &user.ctx(), page).await?;
    Ok(HttpResponse::Ok().json(NetworkInterfaceListResponse {
        network_interfaces: page.items.iter().map(NetworkInterfaceResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One network interface of the project.
#[utoipa::path(get, path = "/network-interfaces/{network_interface_id}", tag = "network-interfaces",
    security(("bearer" = [])),
    params(("network_interface_id" = i64, Path, description = "Network interface id")),
    responses((status = 200, description = "The interface", body = NetworkInterfaceResponse),
              (status = 404, description = "NETWORK_INTERFACE_NOT_FOUND", body = ErrorBody)))]
pub async fn get(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let detail = network_interface::get(&services, &user.ctx(), id.into_inner()).await?;
    let body = NetworkInterfaceResponse::from(&detail);
    Ok(respond::with_etag(StatusCode::OK, &body, body.version))
}

/// Associate a floating IP with the interface.
#[utoipa::path(post, path = "/network-interfaces/{network_interface_id}/floating-ips/{floating_ip_id}",
    tag = "network-interfaces", security(("bearer" = [])),
    params(("network_interface_id" = i64, Path, description = "Network interface id"),
           ("floating_ip_id" = i64, Path, description = "Floating IP id")),
    responses((status = 204, description = "Associated"),
              (status = 404, description = "NETWORK_INTERFACE_NOT_FOUND, FLOATING_IP_NOT_FOUND", body = ErrorBody),
              (status = 409, description = "FLOATING_IP_ALREADY_ATTACHED_TO_NETWORK_INTERFACE, FLOATING_IP_BUSY", body = ErrorBody)))]
pub async fn attach(
    services: web::Data<Services>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (nic, fip) = path.into_inner();
    network_interface::attach_floating_ip(&services, &user.ctx(), nic, fip).await?;
    Ok(respond::no_content())
}

/// Disassociate a floating IP from the interface.
#[utoipa::path(delete, path = "/network-interfaces/{network_interface_id}/floating-ips/{floating_ip_id}",
    tag = "network-interfaces", security(("bearer" = [])),
    params(("network_interface_id" = i64, Path, description = "Network interface id"),
           ("floating_ip_id" = i64, Path, description = "Floating IP id")),
    responses((status = 204, description = "Disassociated"),
              (status = 400, description = "On another interface (NETWORK_INTERFACE_NOT_MATCHED)", body = ErrorBody),
              (status = 404, description = "NETWORK_INTERFACE_NOT_FOUND, FLOATING_IP_NOT_FOUND", body = ErrorBody),
              (status = 409, description = "FLOATING_IP_NOT_ATTACHED_TO_NETWORK_INTERFACE", body = ErrorBody)))]
pub async fn detach(
    services: web::Data<Services>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (nic, fip) = path.into_inner();
    network_interface::detach_floating_ip(&services, &user.ctx(), nic, fip).await?;
    Ok(respond::no_content())
}
