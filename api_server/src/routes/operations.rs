//! `/health` (process up) and `/ready` (database reachable, migrations current).

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health).service(ready);
}

#[get("/health")]
async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

#[get("/ready")]
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match common::infrastructure::db::migrations_are_current(&state.pool).await {
        Ok(true) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Ok(false) => HttpResponse::ServiceUnavailable().json(json!({"status": "migrations pending"})),
        Err(_) => HttpResponse::ServiceUnavailable().json(json!({"status": "database unavailable"})),
    }
}
