use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::server;

use super::dto::ServerDetailResponse;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::CurrentUser;
use crate::routes::respond;

/// Attach a volume; it shows ATTACHING until the cloud reports it in use.
#[utoipa::path(post, path = "/servers/{server_id}/volumes/{volume_id}", tag = "servers", security(("bearer" = [])),
    params(("server_id" = i64, Path, description = "Server id"), ("volume_id" = i64, Path, description = "Volume id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key")),
    responses(
        (status = 202, description = "Accepted", body = ServerDetailResponse),
        (status = 404, description = "SERVER_NOT_FOUND, VOLUME_NOT_FOUND", body = ErrorBody),
        (status = 409, description = "SERVER_BUSY, VOLUME_BUSY, VOLUME_ALREADY_ATTACHED, VOLUME_STATUS_INVALID", body = ErrorBody),
    ))]
pub async fn attach(
    services: web::Data<Services>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (server_id, volume_id) = path.into_inner();
    let detail = server::attach_volume(&services, &user.ctx(), server_id, volume_id).await?;
    let body = ServerDetailResponse::from(&detail);
    Ok(respond::with_etag(StatusCode::ACCEPTED, &body, body.version))
}

/// Detach a volume; it shows DETACHING until the cloud reports it available.
#[utoipa::path(delete, path = "/servers/{server_id}/volumes/{volume_id}", tag = "servers", security(("bearer" = [])),
    params(("server_id" = i64, Path, description = "Server id"), ("volume_id" = i64, Path, description = "Volume id")),
    responses(
        (status = 202, description = "Accepted", body = ServerDetailResponse),
        (status = 404, description = "SERVER_NOT_FOUND, VOLUME_NOT_FOUND", body = ErrorBody),
        (status = 409, description = "CANNOT_DETACH_ROOT_VOLUME, VOLUME_NOT_ATTACHED_TO_SERVER, SERVER_BUSY, VOLUME_BUSY", body = ErrorBody),
    ))]
pub async fn detach(
    services: web::Data<Services>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (server_id, volume_id) = path.into_inner();
    let detail = server::detach_volume(&services, &user.ctx(), server_id, volume_id).await?;
    let body = ServerDetailResponse::from(&detail);
    Ok(respond::with_etag(StatusCode::ACCEPTED, &body, body.version))
}
