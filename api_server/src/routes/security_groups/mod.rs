//! Security groups of the token's project: `/security-groups`.

pub mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::security_group::{self, GroupInput, GroupQuery};
use common::domain::page::SortOrder;
use common::domain::security_group_rule::{Rule, RuleInput};
use common::infrastructure::db::security_groups::GroupSort;
use dto::{SecurityGroupDetailResponse, SecurityGroupListResponse, SecurityGroupRequest};

use super::{resource, respond};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, IfMatch, JsonBody, QueryParams};
use crate::routes::servers::write::parse_info;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/security-groups")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/security-groups/{security_group_id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

fn respond_with(status: StatusCode, d: &security_group::GroupDetail) -> HttpResponse {
    let body = SecurityGroupDetailResponse::from(d);
    respond::with_etag(status, &body, body.version)
}

fn parse(body: SecurityGroupRequest) -> ApiResult<GroupInput> {
    let (name, description) = parse_info(&body.name, body.description.as_deref()).map_err(|e| e.0)?;
    let inputs: Vec<RuleInput> = body.rules.into_iter().map(RuleInput::from).collect();
    let rules = Rule::parse_all(&inputs, "body.rules").map_err(common::error::AppError::validation)?;
    Ok(GroupInput {
        name,
        description,
        rules,
    })
}

/// The project's security groups with their rules and servers.
#[utoipa::path(get, path = "/security-groups", tag = "security-groups", security(("bearer" = [])),
    params(
        ("sort_by" = Option<String>, Query, description = "created_at (default) or name"),
        ("order" = Option<String>, Query, description = "asc (default) or desc"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses((status = 200, description = "One page", body = SecurityGroupListResponse)))]
pub async fn list(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let mut fields = Fields::new();
    let sort = q.choice(
        &mut fields,
        "sort_by",
        &[("created_at", GroupSort::CreatedAt), ("name", GroupSort::Name)],
    );
    let order = q.order(&mut fields, "order", SortOrder::Asc);
    let page = q.page(&mut fields);
    fields.finish()?;
    let sort = sort.unwrap_or(GroupSort::CreatedAt);
    let page = security_group::list(&services, &user.ctx(), GroupQuery { sort, order, page }).await?;
    Ok(HttpResponse::Ok().json(SecurityGroupListResponse {
        security_groups: page.items.iter().map(SecurityGroupDetailResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One security group of the project.
#[utoipa::path(get, path = "/security-groups/{security_group_id}", tag = "security-groups", security(("bearer" = [])),
    params(("security_group_id" = i64, Path, description = "Security group id")),
    responses((status = 200, description = "The group", body = SecurityGroupDetailResponse),
              (status = 404, description = "SECURITY_GROUP_NOT_FOUND", body = ErrorBody)))]
pub async fn get(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let detail = security_group::get(&services, &user.ctx(), id.into_inner()).await?;
    Ok(respond_with(StatusCode::OK, &detail))
}

/// Create a security group with its rules, in our database and in the cloud.
#[utoipa::path(post, path = "/security-groups", tag = "security-groups", security(("bearer" = [])),
    request_body = SecurityGroupRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key")),
    responses((status = 201, description = "Created", body = SecurityGroupDetailResponse),
              (status = 409, description = "SECURITY_GROUP_NAME_DUPLICATED, QUOTA_EXCEEDED", body = ErrorBody),
              (status = 422, description = "Invalid body or rule (field paths like body.rules.0.port_range_min)", body = ErrorBody)))]
pub async fn create(
    services: web::Data<Services>,
    user: CurrentUser,
    body: JsonBody<SecurityGroupRequest>,
) -> ApiResult<HttpResponse> {
    let input = parse(body.0)?;
    let detail = security_group::create(&services, &user.ctx(), input).await?;
    Ok(respond_with(StatusCode::CREATED, &detail))
}

/// Replace name, description and the complete rule set.
#[utoipa::path(put, path = "/security-groups/{security_group_id}", tag = "security-groups", security(("bearer" = [])),
    request_body = SecurityGroupRequest,
    params(("security_group_id" = i64, Path, description = "Security group id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses((status = 200, description = "Updated", body = SecurityGroupDetailResponse),
              (status = 404, description = "SECURITY_GROUP_NOT_FOUND", body = ErrorBody),
              (status = 409, description = "SECURITY_GROUP_NAME_DUPLICATED, SECURITY_GROUP_BUSY, OPTIMISTIC_LOCK_CONFLICT", body = ErrorBody),
              (status = 412, description = "PRECONDITION_FAILED", body = ErrorBody)))]
pub async fn update(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<SecurityGroupRequest>,
) -> ApiResult<HttpResponse> {
    let input = parse(body.0)?;
    let detail = security_group::update(&services, &user.ctx(), id.into_inner(), input, if_match.0).await?;
    Ok(respond_with(StatusCode::OK, &detail))
}

/// Delete an unused security group.
#[utoipa::path(delete, path = "/security-groups/{security_group_id}", tag = "security-groups", security(("bearer" = [])),
    params(("security_group_id" = i64, Path, description = "Security group id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses((status = 204, description = "Deleted"), (status = 202, description = "Left for the reconciler"),
              (status = 404, description = "SECURITY_GROUP_NOT_FOUND", body = ErrorBody),
              (status = 409, description = "ATTACHED_SECURITY_GROUP_DELETION", body = ErrorBody)))]
pub async fn delete(
    services: web::Data<Services>,
    user: CurrentUser,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let gone = security_group::delete(&services, &user.ctx(), id.into_inner(), if_match.0).await?;
    Ok(if gone {
        respond::no_content()
    } else {
        HttpResponse::Accepted().finish()
    })
}
