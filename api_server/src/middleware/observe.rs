//! One JSON log line per request (method, route template, status, latency,
//! user, project, request id) and the request metrics. The span is the
//! parent of everything logged while serving, so those lines carry the
//! request id too; the current-user extractor fills in user and project.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use tracing::Instrument;

use super::request_id;
use crate::metrics::Metrics;

/// Requests that matched no route share one label, so scanners cannot grow the registry.
const UNMATCHED: &str = "unmatched";

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!(
        "http_request",
        request_id = %request_id::current(),
        method = %method,
        route = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
        user_id = tracing::field::Empty,
        project_id = tracing::field::Empty,
    );
    let res = next.call(req).instrument(span.clone()).await?;
    let route = res.request().match_pattern().unwrap_or_else(|| UNMATCHED.to_owned());
    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    span.record("route", route.as_str());
    span.record("status", status);
    span.record("latency_ms", elapsed.as_secs_f64() * 1000.0);
    span.in_scope(|| tracing::info!("request finished"));
    if let Some(metrics) = metrics {
        metrics.observe(&method, &route, status, elapsed);
    }
    Ok(res)
}
