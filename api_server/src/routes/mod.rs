//! Routing: every path the service answers. Each path is one resource, so
//! a known path with a method it lacks answers 405, an unknown path 404.

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod docs;
pub mod floating_ips;
pub mod network_interfaces;
pub mod operations;
pub mod projects;
mod respond;
pub mod security_groups;
pub mod servers;
pub mod users;
pub mod volumes;

use actix_web::{HttpResponse, Resource, web};
use common::error::AppError;

use crate::error::{ApiError, ErrorBody};
use crate::middleware::request_id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    operations::configure(cfg);
    docs::configure(cfg);
    auth::configure(cfg);
    users::configure(cfg);
    projects::configure(cfg);
    servers::configure(cfg);
    volumes::configure(cfg);
    security_groups::configure(cfg);
    floating_ips::configure(cfg);
    network_interfaces::configure(cfg);
    catalog::configure(cfg);
    admin::configure(cfg);
}

/// A path whose unknown methods answer 405 `METHOD_NOT_ALLOWED`.
pub fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

/// 405 has no `ErrorKind` of its own (no use case ever answers it), so it is built here.
async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(ErrorBody {
        code: "METHOD_NOT_ALLOWED".into(),
        message: "this path does not accept this method".into(),
        errors: Vec::new(),
        request_id: request_id::current(),
    })
}

pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError(AppError::not_found("NOT_FOUND", "no such path")))
}
