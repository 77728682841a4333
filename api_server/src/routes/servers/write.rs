use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::server;
use common::domain::resource_name::{ResourceName, parse_description};
use common::domain::server::{NewServer, parse_cloud_ref};
use common::domain::server_state::PowerAction;
use common::domain::volume::parse_size;

use super::dto::{CreateServerRequest, DeleteServerResponse, ServerDetailResponse, UpdateServerInfoRequest};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, IfMatch, JsonBody, QueryParams};
use crate::routes::respond;

/// Create a server: port + boot-from-volume server. Answers at once (BUILD,
/// task_state creating); the reconciler sees it to ACTIVE.
#[utoipa::path(post, path = "/servers", tag = "servers", security(("bearer" = [])),
    request_body = CreateServerRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key")),
    responses(
        (status = 202, description = "Accepted; building", body = ServerDetailResponse),
        (status = 404, description = "Not in the project's catalog, or unknown security group (FLAVOR_NOT_FOUND, NETWORK_NOT_FOUND, IMAGE_NOT_FOUND, AVAILABILITY_ZONE_NOT_FOUND, SECURITY_GROUP_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Name taken, quota, or zone unavailable (SERVER_NAME_DUPLICATE, QUOTA_EXCEEDED, AVAILABILITY_ZONE_UNAVAILABLE)", body = ErrorBody),
        (status = 422, description = "Invalid body, or a root volume smaller than the image needs", body = ErrorBody),
        (status = 502, description = "The cloud refused (CLOUD_ERROR); the server is ERROR", body = ErrorBody),
    ))]
pub async fn create(
    services: web::Data<Services>,
    user: CurrentUser,
    body: JsonBody<CreateServerRequest>,
) -> ApiResult<HttpResponse> {
    let input = parse_create(body.0)?;
    let detail = server::create(&services, &user.ctx(), input).await?;
    let body = ServerDetailResponse::from(&detail);
    Ok(respond::with_etag(StatusCode::ACCEPTED, &body, body.version))
}

fn parse_create(b: CreateServerRequest) -> ApiResult<NewServer> {
    let mut fields = Fields::new();
    let name = fields.check("body.name", ResourceName::parse(&b.name));
    let description = fields.check(
        "body.description",
        parse_description(b.description.as_deref().unwrap_or("")),
    );
    let flavor_id = fields.check("body.flavor_id", parse_cloud_ref(&b.flavor_id));
    let network_id = fields.check("body.network_id", parse_cloud_ref(&b.network_id));
    let size = fields.check("body.root_volume.size", parse_size(b.root_volume.size));
    let image_id = fields.check("body.root_volume.image_id", parse_cloud_ref(&b.root_volume.image_id));
    let key_name = b.key_name.map(|k| fields.check("body.key_name", parse_cloud_ref(&k)));
    let zone = b
        .availability_zone
        .map(|z| fields.check("body.availability_zone", parse_cloud_ref(&z)));
    fields.finish()?;
    let (Some(name), Some(description), Some(flavor_id), Some(network_id), Some(size), Some(image_id)) =
        (name, description, flavor_id, network_id, size, image_id)
    else {
        return Err(Fields::unreachable().into());
    };
    let mut security_group_ids = b.security_group_ids;
    security_group_ids.sort_unstable();
    security_group_ids.dedup();
    Ok(NewServer {
        name,
        description,
        flavor_id,
        network_id,
        image_id,
        root_volume_size_gb: size,
        security_group_ids,
        key_name: key_name.flatten(),
        availability_zone: zone.flatten(),
    })
}

/// Rename / describe a server.
#[utoipa::path(put, path = "/servers/{server_id}/info", tag = "servers", security(("bearer" = [])),
    request_body = UpdateServerInfoRequest,
    params(("server_id" = i64, Path, description = "Server id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "Updated", body = ServerDetailResponse),
        (status = 404, description = "No such server in this project (SERVER_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Name taken (SERVER_NAME_DUPLICATE) or lost race (OPTIMISTIC_LOCK_CONFLICT)", body = ErrorBody),
        (status = 412, description = "If-Match names another version (PRECONDITION_FAILED)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
    ))]
pub async fn update_info(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<UpdateServerInfoRequest>,
) -> ApiResult<HttpResponse> {
    let (name, description) = parse_info(&body.0.name, body.0.description.as_deref())?;
    let detail = server::update_info(&services, &user.ctx(), id.into_inner(), name, description, if_match.0).await?;
    let body = ServerDetailResponse::from(&detail);
    Ok(respond::with_etag(StatusCode::OK, &body, body.version))
}

pub fn parse_info(name: &str, description: Option<&str>) -> ApiResult<(ResourceName, String)> {
    let mut fields = Fields::new();
    let name = fields.check("body.name", ResourceName::parse(name));
    let description = fields.check("body.description", parse_description(description.unwrap_or("")));
    fields.finish()?;
    match (name, description) {
        (Some(n), Some(d)) => Ok((n, d)),
        _ => Err(Fields::unreachable().into()),
    }
}

/// Delete a server with its root volume and network interfaces (202: the
/// rows go when the cloud confirms).
#[utoipa::path(delete, path = "/servers/{server_id}", tag = "servers", security(("bearer" = [])),
    params(("server_id" = i64, Path, description = "Server id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 202, description = "Deleting", body = DeleteServerResponse),
        (status = 404, description = "No such server in this project (SERVER_NOT_FOUND)", body = ErrorBody),
        (status = 412, description = "If-Match names another version (PRECONDITION_FAILED)", body = ErrorBody),
    ))]
pub async fn delete(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let deleted = server::delete(&services, &user.ctx(), id.into_inner(), if_match.0).await?;
    Ok(HttpResponse::Accepted().json(DeleteServerResponse::from(deleted)))
}

/// Start (`status=ACTIVE`) or stop (`status=SHUTOFF`) a server.
#[utoipa::path(put, path = "/servers/{server_id}/status", tag = "servers", security(("bearer" = [])),
    params(("server_id" = i64, Path, description = "Server id"),
           ("status" = String, Query, description = "ACTIVE or SHUTOFF"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 202, description = "Accepted; task_state starting/stopping", body = ServerDetailResponse),
        (status = 404, description = "No such server in this project (SERVER_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "SERVER_STATUS_INVALID_TO_START, SERVER_STATUS_INVALID_TO_STOP, SERVER_BUSY", body = ErrorBody),
        (status = 422, description = "Invalid status", body = ErrorBody),
    ))]
pub async fn set_status(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    q: QueryParams,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let action = parse_power(&q)?;
    let detail = server::set_power(&services, &user.ctx(), id.into_inner(), action, if_match.0).await?;
    let body = ServerDetailResponse::from(&detail);
    Ok(respond::with_etag(StatusCode::ACCEPTED, &body, body.version))
}

fn parse_power(q: &QueryParams) -> ApiResult<PowerAction> {
    let mut fields = Fields::new();
    if q.get("status").is_none() {
        fields.add("query.status", "missing", "is required: ACTIVE or SHUTOFF");
    }
    let action = q.choice(
        &mut fields,
        "status",
        &[("ACTIVE", PowerAction::Start), ("SHUTOFF", PowerAction::Stop)],
    );
    fields.finish()?;
    action.ok_or_else(|| Fields::unreachable().into())
}
