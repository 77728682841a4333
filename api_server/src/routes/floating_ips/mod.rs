//! Floating IPs of the token's project: `/floating-ips`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use common::application::Services;
use common::application::floating_ip::{self, FloatingIpDetail};
use common::domain::server::parse_cloud_ref;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::servers::dto::NamedRef;
use super::{resource, respond};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, IfMatch, JsonBody, QueryParams};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/floating-ips")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/floating-ips/{floating_ip_id}")
            .route(web::get().to(get))
            .route(web::delete().to(delete)),
    );
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateFloatingIpRequest {
    /// External network from `/catalog/networks`.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub floating_network_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FloatingIpDetailResponse {
    pub id: i64,
    pub address: Option<String>,
    pub project_id: i64,
    /// CREATING, DOWN, ACTIVE, ERROR.
    pub status: String,
    pub task_state: Option<String>,
    pub error_message: Option<String>,
    pub floating_network_id: String,
    pub network_interface_id: Option<i64>,
    pub server: Option<NamedRef>,
    pub openstack_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&FloatingIpDetail> for FloatingIpDetailResponse {
    fn from(d: &FloatingIpDetail) -> Self {
        let f = &d.floating_ip;
        Self {
            id: f.id,
            address: f.address.clone(),
            project_id: f.project_id,
            status: f.status.clone(),
            task_state: f.task_state.clone(),
            error_message: f.error_message.clone(),
            floating_network_id: f.floating_network_id.clone(),
            network_interface_id: f.network_interface_id,
            server: d.server.as_ref().map(|(id, name)| NamedRef {
                id: *id,
                name: name.clone(),
            }),
            openstack_id: f.openstack_id.clone(),
            created_at: f.created_at,
            updated_at: f.updated_at,
            deleted_at: f.deleted_at,
            version: f.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FloatingIpListResponse {
    pub floating_ips: Vec<FloatingIpDetailResponse>,
    pub next_cursor: Option<String>,
}

fn respond_with(status: StatusCode, d: &FloatingIpDetail) -> HttpResponse {
    let body = FloatingIpDetailResponse::from(d);
    respond::with_etag(status, &body, body.version)
}

/// The project's floating IPs, newest first.
#[utoipa::path(get, path = "/floating-ips", tag = "floating-ips", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, description = "One page", body = FloatingIpListResponse)))]
pub async fn list(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let page = q.page(&mut fields);
    fields.finish()?;
    let page = floating_ip::list(&services, &user.ctx(), page).await?;
    Ok(HttpResponse::Ok().json(FloatingIpListResponse {
        floating_ips: page.items.iter().map(FloatingIpDetailResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One floating IP of the project.
#[utoipa::path(get, path = "/floating-ips/{floating_ip_id}", tag = "floating-ips", security(("bearer" = [])),
    params(("floating_ip_id" = i64, Path, description = "Floating IP id")),
    responses((status = 200, description = "The floating IP", body = FloatingIpDetailResponse),
              (status = 404, description = "FLOATING_IP_NOT_FOUND", body = ErrorBody)))]
pub async fn get(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let detail = floating_ip::get(&services, &user.ctx(), id.into_inner()).await?;
    Ok(respond_with(StatusCode::OK, &detail))
}

/// Allocate a floating IP from an external network.
#[utoipa::path(post, path = "/floating-ips", tag = "floating-ips", security(("bearer" = [])),
    request_body = CreateFloatingIpRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key")),
    responses((status = 201, description = "Allocated", body = FloatingIpDetailResponse),
              (status = 404, description = "Not an external network of the catalog (NETWORK_NOT_FOUND)", body = ErrorBody),
              (status = 409, description = "QUOTA_EXCEEDED", body = ErrorBody),
              (status = 422, description = "Invalid body", body = ErrorBody)))]
pub async fn create(
    services: web::Data<Services>,
    user: CurrentUser,
    body: JsonBody<CreateFloatingIpRequest>,
) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let network = fields.check("body.floating_network_id", parse_cloud_ref(&body.0.floating_network_id));
    fields.finish()?;
    let network = network.ok_or_else(Fields::unreachable)?;
    let detail = floating_ip::create(&services, &user.ctx(), network).await?;
    Ok(respond_with(StatusCode::CREATED, &detail))
}

/// Release an unattached floating IP.
#[utoipa::path(delete, path = "/floating-ips/{floating_ip_id}", tag = "floating-ips", security(("bearer" = [])),
    params(("floating_ip_id" = i64, Path, description = "Floating IP id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses((status = 204, description = "Released"), (status = 202, description = "Left for the reconciler"),
              (status = 404, description = "FLOATING_IP_NOT_FOUND", body = ErrorBody),
              (status = 409, description = "ATTACHED_FLOATING_IP_DELETION", body = ErrorBody)))]
pub async fn delete(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let gone = floating_ip::delete(&services, &user.ctx(), id.into_inner(), if_match.0).await?;
    Ok(if gone {
        respond::no_content()
    } else {
        HttpResponse::Accepted().finish()
    })
}
