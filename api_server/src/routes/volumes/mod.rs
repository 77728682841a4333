//! Volumes of the token's project: `/volumes`.

pub mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::volume::{self, NewVolumeInput, VolumeDeletion, VolumeQuery};
use common::domain::page::SortOrder;
use common::domain::resource_name::{ResourceName, parse_description};
use common::domain::server::parse_cloud_ref;
use common::domain::volume::parse_size;
use common::infrastructure::db::volumes::VolumeSort;
use dto::{
    CreateVolumeRequest, ResizeVolumeRequest, UpdateVolumeInfoRequest, VolumeDetailResponse, VolumeListResponse,
};

use super::{resource, respond};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, IfMatch, JsonBody, QueryParams};
use crate::routes::servers::write::parse_info;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/volumes")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/volumes/{volume_id}")
            .route(web::get().to(get))
            .route(web::delete().to(delete)),
    )
    .service(resource("/volumes/{volume_id}/info").route(web::put().to(update_info)))
    .service(resource("/volumes/{volume_id}/size").route(web::put().to(resize)));
}

fn respond_with(status: StatusCode, d: &volume::VolumeDetail) -> HttpResponse {
    let body = VolumeDetailResponse::from(d);
    respond::with_etag(status, &body, body.version)
}

/// The project's volumes.
#[utoipa::path(get, path = "/volumes", tag = "volumes", security(("bearer" = [])),
    params(
        ("sort_by" = Option<String>, Query, description = "created_at (default) or name"),
        ("sort_order" = Option<String>, Query, description = "asc (default) or desc"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses((status = 200, description = "One page", body = VolumeListResponse),
              (status = 422, description = "Invalid query", body = ErrorBody)))]
pub async fn list(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let sort = q.choice(
        &mut fields,
        "sort_by",
        &[("created_at", VolumeSort::CreatedAt), ("name", VolumeSort::Name)],
    );
    let order = q.order(&mut fields, "sort_order", SortOrder::Asc);
    let page = q.page(&mut fields);
    fields.finish()?;
    let sort = sort.unwrap_or(VolumeSort::CreatedAt);
    let page = volume::list(&services, &user.ctx(), VolumeQuery { sort, order, page }).await?;
    Ok(HttpResponse::Ok().json(VolumeListResponse {
        volumes: page.items.iter().map(VolumeDetailResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One volume of the project.
#[utoipa::path(get, path = "/volumes/{volume_id}", tag = "volumes", security(("bearer" = [])),
    params(("volume_id" = i64, Path, description = "Volume id")),
    responses((status = 200, description = "The volume", body = VolumeDetailResponse),
              (status = 404, description = "VOLUME_NOT_FOUND", body = ErrorBody)))]
pub async fn get(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let detail = volume::get(&services, &user.ctx(), id.into_inner()).await?;
    Ok(respond_with(StatusCode::OK, &detail))
}

/// Create a volume (202, CREATING until the cloud says available).
#[utoipa::path(post, path = "/volumes", tag = "volumes", security(("bearer" = [])),
    request_body = CreateVolumeRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key")),
    responses((status = 202, description = "Accepted", body = VolumeDetailResponse),
              (status = 404, description = "Not in the project's catalog (VOLUME_TYPE_NOT_FOUND, IMAGE_NOT_FOUND)", body = ErrorBody),
              (status = 409, description = "VOLUME_NAME_DUPLICATE, QUOTA_EXCEEDED", body = ErrorBody),
              (status = 422, description = "Invalid body", body = ErrorBody)))]
pub async fn create(
    services: web::Data<Services>,
    user: CurrentUser,
    body: JsonBody<CreateVolumeRequest>,
) -> ApiResult<HttpResponse> {
    let input = parse_create(body.0)?;
    let detail = volume::create(&services, &user.ctx(), input).await?;
    Ok(respond_with(StatusCode::ACCEPTED, &detail))
}

fn parse_create(b: CreateVolumeRequest) -> ApiResult<NewVolumeInput> {
    let mut fields = Fields::new();
    let name = fields.check("body.name", ResourceName::parse(&b.name));
    let description = fields.check(
        "body.description",
        parse_description(b.description.as_deref().unwrap_or("")),
    );
    let size = fields.check("body.size", parse_size(b.size));
    let volume_type_id = fields.check("body.volume_type_id", parse_cloud_ref(&b.volume_type_id));
    let image_id = b.image_id.map(|i| fields.check("body.image_id", parse_cloud_ref(&i)));
    fields.finish()?;
    let (Some(name), Some(description), Some(size_gb), Some(volume_type_id)) =
        (name, description, size, volume_type_id)
    else {
        return Err(Fields::unreachable().into());
    };
    Ok(NewVolumeInput {
        name,
        description,
        size_gb,
        volume_type_id,
        image_id: image_id.flatten(),
    })
}

/// Rename / describe a volume.
#[utoipa::path(put, path = "/volumes/{volume_id}/info", tag = "volumes", security(("bearer" = [])),
    request_body = UpdateVolumeInfoRequest,
    params(("volume_id" = i64, Path, description = "Volume id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses((status = 200, description = "Updated", body = VolumeDetailResponse),
              (status = 404, description = "VOLUME_NOT_FOUND", body = ErrorBody),
              (status = 409, description = "VOLUME_NAME_DUPLICATE, OPTIMISTIC_LOCK_CONFLICT", body = ErrorBody),
              (status = 412, description = "PRECONDITION_FAILED", body = ErrorBody)))]
pub async fn update_info(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<UpdateVolumeInfoRequest>,
) -> ApiResult<HttpResponse> {
    let (name, description) = parse_info(&body.0.name, body.0.description.as_deref())?;
    let detail = volume::update_info(&services, &user.ctx(), id.into_inner(), name, description, if_match.0).await?;
    Ok(respond_with(StatusCode::OK, &detail))
}

/// Grow a volume (202, EXTENDING; `size` changes when the cloud confirms).
#[utoipa::path(put, path = "/volumes/{volume_id}/size", tag = "volumes", security(("bearer" = [])),
    request_body = ResizeVolumeRequest,
    params(("volume_id" = i64, Path, description = "Volume id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses((status = 202, description = "Extending", body = VolumeDetailResponse),
              (status = 400, description = "Not larger (VOLUME_RESIZE_NOT_ALLOWED)", body = ErrorBody),
              (status = 404, description = "VOLUME_NOT_FOUND", body = ErrorBody),
              (status = 409, description = "VOLUME_BUSY, VOLUME_STATUS_INVALID, QUOTA_EXCEEDED", body = ErrorBody)))]
pub async fn resize(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<ResizeVolumeRequest>,
) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let size = fields.check("body.size", parse_size(body.0.size));
    fields.finish()?;
    let size = size.ok_or_else(Fields::unreachable)?;
    let detail = volume::resize(&services, &user.ctx(), id.into_inner(), size, if_match.0).await?;
    Ok(respond_with(StatusCode::ACCEPTED, &detail))
}

/// Delete a volume: 202 DELETING, or 204 when nothing was left in the cloud.
#[utoipa::path(delete, path = "/volumes/{volume_id}", tag = "volumes", security(("bearer" = [])),
    params(("volume_id" = i64, Path, description = "Volume id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses((status = 202, description = "Deleting"), (status = 204, description = "Gone"),
              (status = 404, description = "VOLUME_NOT_FOUND", body = ErrorBody),
              (status = 409, description = "ATTACHED_VOLUME_DELETION, VOLUME_BUSY", body = ErrorBody)))]
pub async fn delete(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    match volume::delete(&services, &user.ctx(), id.into_inner(), if_match.0).await? {
        VolumeDeletion::Accepted => Ok(HttpResponse::Accepted().finish()),
        VolumeDeletion::Gone => Ok(respond::no_content()),
    }
}
