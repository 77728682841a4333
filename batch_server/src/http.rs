//! The small HTTP side of batch_server: `/health` and `/metrics`.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, get, web};
use serde_json::json;

use crate::metrics::Metrics;

pub fn serve(listener: TcpListener, metrics: Arc<Metrics>, runner_id: String) -> std::io::Result<Server> {
    let metrics = web::Data::from(metrics);
    let runner_id = web::Data::new(runner_id);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(metrics.clone())
            .app_data(runner_id.clone())
            .service(health)
            .service(render_metrics)
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}

#[get("/health")]
async fn health(runner_id: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok", "runner_id": runner_id.as_str()}))
}

#[get("/metrics")]
async fn render_metrics(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}
