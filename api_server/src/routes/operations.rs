//! `/health` (process up), `/ready` (database reachable, migrations current)
//! and `/metrics` (Prometheus text).

use actix_web::{HttpResponse, web};
use common::application::Services;
use serde_json::json;

use super::resource;
use crate::metrics::Metrics;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health").route(web::get().to(health)))
        .service(resource("/ready").route(web::get().to(ready)))
        .service(resource("/metrics").route(web::get().to(metrics)));
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is up")))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers and every migration has been applied.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses((status = 200, description = "Ready to serve"),
              (status = 503, description = "Database unreachable or migrations pending")))]
pub async fn ready(services: web::Data<Services>) -> HttpResponse {
    match common::infrastructure::db::migrations_are_current(&services.pool).await {
        Ok(true) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Ok(false) => HttpResponse::ServiceUnavailable().json(json!({"status": "migrations pending"})),
        Err(_) => HttpResponse::ServiceUnavailable().json(json!({"status": "database unavailable"})),
    }
}

/// Request counts and latency histograms in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}
