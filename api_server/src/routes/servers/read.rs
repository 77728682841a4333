use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::server::{self, ServerQuery};
use common::domain::page::SortOrder;
use common::error::AppError;
use common::infrastructure::db::servers::{ServerFilter, ServerSort};

use super::dto::{
    ServerActionListResponse, ServerActionResponse, ServerDetailResponse, ServerListResponse, VncUrlResponse,
};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};
use crate::routes::respond;

/// The project's servers with volumes, addresses, floating IPs and groups.
#[utoipa::path(get, path = "/servers", tag = "servers", security(("bearer" = [])),
    params(
        ("id" = Option<i64>, Query, description = "Exact id"),
        ("ids_contain" = Option<String>, Query, description = "Only these ids (comma-separated or repeated)"),
        ("ids_exclude" = Option<String>, Query, description = "Not these ids"),
        ("name_eq" = Option<String>, Query, description = "Exact name"),
        ("name_like" = Option<String>, Query, description = "Name contains"),
        ("sort_by" = Option<String>, Query, description = "created_at (default) or name"),
        ("order" = Option<String>, Query, description = "desc (default) or asc"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of servers", body = ServerListResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 422, description = "Invalid query", body = ErrorBody),
    ))]
pub async fn list(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let query = parse_list(&q)?;
    let page = server::list(&services, &user.ctx(), query).await?;
    json_page(&ServerListResponse {
        servers: page.items.into_iter().map(ServerDetailResponse::from).collect(),
        next_cursor: page.next_cursor,
    })
}

/// Room for one server of the detail view, generously: the page is written
/// once into a buffer of the right size instead of regrowing it.
const DETAIL_BYTES: usize = 1024;

fn json_page(body: &ServerListResponse) -> ApiResult<HttpResponse> {
    let mut buf = Vec::with_capacity(64 + DETAIL_BYTES * body.servers.len());
    serde_json::to_writer(&mut buf, body).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok().insert_header(ContentType::json()).body(buf))
}

fn parse_list(q: &QueryParams) -> ApiResult<ServerQuery> {
    let mut fields = Fields::new();
    let filter = ServerFilter {
        id: q.parsed(&mut fields, "id", "an integer id"),
        ids_contain: q.list(&mut fields, "ids_contain", "integer ids"),
        ids_exclude: q.list(&mut fields, "ids_exclude", "integer ids"),
        name_eq: q.string("name_eq"),
        name_like: q.string("name_like"),
    };
    let sort = q.choice(
        &mut fields,
        "sort_by",
        &[("created_at", ServerSort::CreatedAt), ("name", ServerSort::Name)],
    );
    let order = q.order(&mut fields, "order", SortOrder::Desc);
    let page = q.page(&mut fields);
    fields.finish()?;
    Ok(ServerQuery {
        filter,
        sort: sort.unwrap_or(ServerSort::CreatedAt),
        order,
        page,
    })
}

/// One server of the project (another project's id answers 404 too).
#[utoipa::path(get, path = "/servers/{server_id}", tag = "servers", security(("bearer" = [])),
    params(("server_id" = i64, Path, description = "Server id")),
    responses(
        (status = 200, description = "The server", body = ServerDetailResponse),
        (status = 404, description = "No such server in this project (SERVER_NOT_FOUND)", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ))]
pub async fn get(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let detail = server::get(&services, &user.ctx(), id.into_inner()).await?;
    let body = ServerDetailResponse::from(detail);
    Ok(respond::with_etag(StatusCode::OK, &body, body.version))
}

/// The action log of a server: who asked what, when, and how it ended.
/// Readable after the server is deleted.
#[utoipa::path(get, path = "/servers/{server_id}/actions", tag = "servers", security(("bearer" = [])),
    params(("server_id" = i64, Path, description = "Server id")),
    responses(
        (status = 200, description = "Oldest first", body = ServerActionListResponse),
        (status = 404, description = "No such server in this project (SERVER_NOT_FOUND)", body = ErrorBody),
    ))]
pub async fn actions(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let actions = server::actions(&services, &user.ctx(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ServerActionListResponse {
        actions: actions.iter().map(ServerActionResponse::from).collect(),
    }))
}

/// A fresh console URL of an ACTIVE server.
#[utoipa::path(get, path = "/servers/{server_id}/vnc-url", tag = "servers", security(("bearer" = [])),
    params(("server_id" = i64, Path, description = "Server id")),
    responses(
        (status = 200, description = "noVNC URL", body = VncUrlResponse),
        (status = 404, description = "No such server in this project (SERVER_NOT_FOUND)", body = ErrorBody),
        (status = 409, description = "Not ACTIVE (SERVER_NOT_ACTIVE)", body = ErrorBody),
    ))]
pub async fn vnc_url(services: web::Data<Services>, user: CurrentUser, id: web::Path<i64>) -> ApiResult<HttpResponse> {
    let url = server::vnc_url(&services, &user.ctx(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(VncUrlResponse { url }))
}
