//! The single entry point: classify the path, inject faults, authenticate, hand to the service.
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use super::request::{Req, parse_query, percent_decode};
use super::response::{Resp, render_error};
use super::route::{Classified, Route, Service, classify};
use crate::faults::{LostMode, Outcome};
use crate::server::{Shared, lock};
use crate::{block_storage, compute, control, identity, image, network, nhn};

pub async fn entry(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let path = req.path().to_string();
    let segs: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
    let (base_url, regions) = {
        let st = lock(&shared.state);
        (st.base_url.clone(), st.config.nhn_regions.clone())
    };
    let request_id = format!("req-{}", uuid::Uuid::new_v4());
    let mut r = Req {
        method: req.method().as_str().to_string(),
        segs: Vec::new(),
        query: parse_query(req.query_string()),
        headers: req.headers().clone(),
        body: body.to_vec(),
        root: String::new(),
        base_url: base_url.clone(),
    };
    match classify(&segs, &base_url, &regions) {
        Classified::Control(rest) => {
            r.segs = rest;
            r.root = format!("{base_url}/_sim");
            let resp = control::handle(&shared.clone().into_inner(), &r).unwrap_or_else(|e| {
                Resp::json(
                    e.status,
                    serde_json::json!({"error": {"code": e.status, "message": e.message}}),
                )
            });
            to_http(resp, &request_id, false)
        }
        Classified::Unknown => {
            let err = ApiError::route_not_found();
            to_http(
                Resp::json(
                    404,
                    serde_json::json!({"error": {"code": 404, "title": "Not Found", "message": err.message}}),
                ),
                &request_id,
                false,
            )
        }
        Classified::Service(route) => {
            r.segs = route.rest.clone();
            r.root = route.root.clone();
            serve(&shared, &route, r, &path, &request_id).await
        }
    }
}

async fn serve(shared: &Shared, route: &Route, req: Req, path: &str, request_id: &str) -> HttpResponse {
    let service = route.service;
    let identity_url = format!("{}/identity", req.base_url);
    let decision = lock(&shared.faults).decide(service, &req.method, path);
    if decision.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(decision.latency_ms)).await;
    }
    let is_compute = service.is_compute();
    if let Some(Outcome::Error(err)) = &decision.outcome {
        tracing::debug!(%path, status = err.status, "injected error");
        return to_http(
            render_error(err, service, req.accepts_json(), &identity_url),
            request_id,
            is_compute,
        );
    }
    let resp = {
        let mut st = lock(&shared.state);
        st.advance_all();
        if let Some(global) = req.header("x-openstack-request-id").filter(|g| valid_global_id(g)) {
            let global = global.to_string();
            st.record_global_request_id(&global);
        }
        let result = handle_service(&mut st, route, &req);
        result.unwrap_or_else(|e| render_error(&e, service, req.accepts_json(), &identity_url))
    };
    tracing::debug!(method = %req.method, %path, status = resp.status, "served");
    if let Some(Outcome::Lose { mode, delay_ms }) = decision.outcome {
        if delay_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
        }
        return match mode {
            LostMode::GatewayTimeout => {
                let err = ApiError::new(504, "GatewayTimeout", "The server did not answer in time.");
                to_http(render_error(&err, service, true, &identity_url), request_id, is_compute)
            }
            LostMode::Reset => aborted_response(),
        };
    }
    to_http(resp, request_id, is_compute)
}

fn handle_service(st: &mut crate::state::State, route: &Route, req: &Req) -> Result<Resp, ApiError> {
    match route.service {
        Service::Identity => identity::handle(st, route, req),
        Service::NhnIdentity => nhn::identity::handle(st, route, req),
        Service::Compute | Service::NhnCompute => compute::handle(st, route, req),
        Service::Network | Service::NhnNetwork => network::handle(st, route, req),
        Service::BlockStorage | Service::NhnBlockStorage => block_storage::handle(st, route, req),
        Service::Image | Service::NhnImage => image::handle(st, route, req),
    }
}

/// oslo.middleware only accepts `req-<lower-case uuid>`.
fn valid_global_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("req-") else {
        return false;
    };
    let groups: Vec<&str> = rest.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

fn aborted_response() -> HttpResponse {
    let stream = futures_util::stream::once(async {
        Err::<web::Bytes, std::io::Error>(std::io::Error::other("response lost by fault injection"))
    });
    HttpResponse::Ok().content_type("application/json").streaming(stream)
}

pub fn to_http(resp: Resp, request_id: &str, compute: bool) -> HttpResponse {
    let status = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    builder.insert_header(("x-openstack-request-id", request_id));
    if compute {
        builder.insert_header(("x-compute-request-id", request_id));
    }
    for (k, v) in &resp.headers {
        builder.append_header((k.as_str(), v.as_str()));
    }
    if let Some((content_type, text)) = resp.text {
        return builder.content_type(content_type).body(text);
    }
    match resp.body {
        Some(body) => builder
            .content_type("application/json")
            .body(serde_json::to_vec(&body).unwrap_or_default()),
        None => builder.finish(),
    }
}
